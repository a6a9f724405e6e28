"""Hypothesis strategies that build any registered message from its type annotations."""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from ibwire.messages._base import Const, Custom, F, Message, Node, Opt, Repeat, Struct, Ver, When

#: Printable ASCII, the only text TWS accepts from clients.
TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
INTS = st.integers(min_value=-(2**31), max_value=2**31 - 2)
FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64).filter(
    lambda x: abs(x) < sys.float_info.max
)
DECIMALS = st.decimals(
    allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12
)

_cache: dict[Any, st.SearchStrategy[Any]] = {}


def for_type(tp: Any) -> st.SearchStrategy[Any]:
    """A strategy for a field annotation."""
    if tp in _cache:
        return _cache[tp]
    strategy = _for_type(tp)
    _cache[tp] = strategy
    return strategy


def _for_type(tp: Any) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if set(args) == {int, float}:
            # A number the text form carries as an int (``ev_multiplier``): only
            # the protobuf form can hold a fraction.
            return INTS
        return st.one_of(*(for_type(arg) for arg in args))
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(for_type(args[0]), max_size=3).map(tuple)
        return st.tuples(*(for_type(a) for a in args))
    if origin is typing.Literal:
        return st.sampled_from(typing.get_args(tp))
    if tp is type(None):
        return st.none()
    if tp is bool:
        return st.booleans()
    if tp is int:
        return INTS
    if tp is float:
        return FLOATS
    if tp is str:
        return TEXT
    if tp is Decimal:
        return DECIMALS
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return builds(tp)
    if isinstance(tp, type) and issubclass(tp, int):
        return st.sampled_from(list(tp))  # IntEnum
    return st.from_type(tp)


def builds(cls: type) -> st.SearchStrategy[Any]:
    """Build ``cls`` with every field either its default or a random value."""
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, st.SearchStrategy[Any]] = {}
    for fld in dataclasses.fields(cls):
        value = st.deferred(lambda tp=hints[fld.name]: for_type(tp))
        if fld.default is not dataclasses.MISSING:
            value = st.one_of(st.just(fld.default), value)
        elif fld.default_factory is not dataclasses.MISSING:
            value = st.one_of(st.builds(fld.default_factory), value)
        kwargs[fld.name] = value
    return st.builds(cls, **kwargs)


def gates(cls: type[Message]) -> set[int]:
    """Every server version at which ``cls``'s layout changes."""
    found: set[int] = {cls.MIN_VERSION} if cls.MIN_VERSION else set()

    def walk(nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            for value in (node.since, node.before):
                if value is not None:
                    found.add(int(value))
            if isinstance(node, (Struct, Opt)):
                walk(node.wire)
            elif isinstance(node, Repeat) and isinstance(node.item, Struct):
                walk(node.item.wire)
            elif isinstance(node, When):
                walk(node.then)
                walk(node.otherwise)
            elif isinstance(node, (F, Ver, Const, Custom)):
                pass

    walk(cls.WIRE)
    return found


#: The versions every message is tested at (issue "Wire core").
BASE_VERSIONS = (100, 124, 150, 157, 163, 176, 187, 200)


def versions_for(cls: type[Message]) -> list[int]:
    """Base versions plus each gate of ``cls`` and the version below it, within 100..200."""
    out = set(BASE_VERSIONS)
    for gate in gates(cls):
        out.update({gate - 1, gate})
    return sorted(v for v in out if 100 <= v <= 200)
