"""The building blocks of message classes: the base class, wire layouts, registries.

A message class is a frozen, slotted, keyword-only dataclass with two class
attributes: ``MSG_ID`` (set by :func:`message`) and ``WIRE``, its layout on the
wire as a tuple of layout nodes.  The codec (:mod:`ibwire.codec`) turns ``WIRE``
into a flat decoder and a flat encoder for each negotiated server version.

Layout nodes:

* :class:`F` - one field of the message (or of the enclosing :class:`Struct`);
* :class:`Ver` - the per-message version field: written as a constant, skipped
  (but bound to the name ``ver`` for conditions) when read;
* :class:`Const` - a field whose value is fixed (deprecated fields): written as
  the constant, ignored when read;
* :class:`Struct` - a nested domain object (a ``Contract`` inside a request) whose
  fields follow one another on the wire;
* :class:`Opt` - an optional nested object behind a 0/1 presence flag;
* :class:`Repeat` - a count followed by that many items (a kind, or a struct);
* :class:`When` - fields present only when a condition on earlier fields holds;
* :class:`Custom` - hand-written decode/encode for the rare layout the other
  nodes cannot describe (polymorphic order conditions).

A field name may be a dotted path (``"order.what_if"``) into an object named in
the class's ``WIRE_OBJECTS``, for objects whose fields are spread over the layout.

Every node takes ``since`` (present from that server version on) and ``before``
(present only below that server version).

Conditions are Python expressions in which ``{path}`` names an earlier field:
``When("{contract.sec_type} == 'BAG'", ...)``.  ``ver`` names the version field's
value and ``version`` the negotiated server version.

Message and domain classes are declared with :data:`dataclass` from this module
(frozen, slotted; keyword-only for messages).  Type checkers see
:func:`dataclasses.dataclass`; at run time the classes are made by
:func:`ibwire._record.record`, which keeps the dataclass contract
(:func:`dataclasses.fields`, :func:`dataclasses.replace`, equality, ``repr``,
hashing, pickling, :class:`~dataclasses.FrozenInstanceError`) without paying
``dataclass()`` at import.

Building messages from a decoder
--------------------------------

Users build messages by keyword: ``TickPrice(req_id=1, tick_type=1, price=9.5)``
(checked: every required field must be given).  A decoder, in this package or
another codec (protobuf), may build them by keyword too, or through the fast
constructor, which skips ``__init__``::

    from ibwire.messages._base import builder, field_names

    twin = builder(TickPrice)          # once per class: a writable twin class
    m = object.__new__(twin)
    m.req_id = 1                       # every name of field_names(TickPrice),
    m.tick_type = 1                    # nested objects built the same way
    m.price = 9.5
    m.size = None
    m.attrib = TickAttrib()
    m.__class__ = TickPrice            # last: the object is now frozen

The decoder must set every field (in any order) with a value of the field's type,
and switch the class last; the object is then indistinguishable from one built
by keyword (``tests/property/test_fast_construction.py`` checks it for every
class).  It is the cheapest way to build a slotted object in CPython
(``benchmarks/bench_decode.py``); :mod:`ibwire.codec` generates exactly this code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar, TypeAlias, TypeVar

from .._record import builder, dataclass, field_names
from ..fields import Kind
from ..ids import IncomingId, OutgoingId

__all__ = [
    "INCOMING",
    "OUTGOING",
    "Bits",
    "Const",
    "Custom",
    "F",
    "Message",
    "Node",
    "Opt",
    "Repeat",
    "Struct",
    "Ver",
    "When",
    "builder",
    "dataclass",
    "field_names",
    "message",
]


class Message:
    """Base class of every wire message.

    Attributes:
        MSG_ID: the message id on the wire (an :class:`~ibwire.ids.IncomingId` or
            :class:`~ibwire.ids.OutgoingId`).
        MIN_VERSION: the lowest server version that knows the message; sending it
            to an older server raises :class:`~ibwire.errors.UnsupportedByServerError`.
        WIRE: the wire layout, read by the codec.
    """

    __slots__ = ()

    MSG_ID: ClassVar[int] = -1
    MIN_VERSION: ClassVar[int] = 0
    WIRE: ClassVar[tuple[Node, ...]] = ()
    #: Dotted attribute paths of nested objects whose fields are scattered over the
    #: layout (``F("order.what_if", BOOL)``), mapped to their classes.
    WIRE_OBJECTS: ClassVar[Mapping[str, type]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class _Gate:
    since: int | None
    before: int | None

    def present(self, version: int) -> bool:
        if self.since is not None and version < self.since:
            return False
        return not (self.before is not None and version >= self.before)


@dataclass(frozen=True, slots=True)
class F:
    """One field.

    Args:
        name: the dataclass field it fills (snake_case of the official name).
        kind: its text conversion, from :mod:`ibwire.fields` (or a struct-like
            converter such as a bitmask: see :class:`Bits`).
        since: first server version that has the field.
        before: first server version that no longer has it.
    """

    name: str
    kind: Kind | Bits
    since: int | None = None
    before: int | None = None


@dataclass(frozen=True, slots=True)
class Ver:
    """The per-message version field (its value on send; skipped on receive)."""

    value: int
    since: int | None = None
    before: int | None = None


@dataclass(frozen=True, slots=True)
class Const:
    """A field with a fixed value: sent as ``value``, ignored on receive.

    ``name`` is informative only (documentation and error messages).
    """

    value: str
    name: str = "unused"
    since: int | None = None
    before: int | None = None


@dataclass(frozen=True, slots=True)
class Struct:
    """A nested object whose fields follow one another on the wire.

    Args:
        name: the attribute of the parent that holds the object (``None`` inside
            a :class:`Repeat`, where the item is the struct itself).
        cls: the domain dataclass.
        wire: the layout of its fields.
    """

    name: str | None
    cls: type
    wire: tuple[Node, ...]
    since: int | None = None
    before: int | None = None


@dataclass(frozen=True, slots=True)
class Repeat:
    """A count field followed by that many items; the attribute holds a tuple.

    Args:
        name: the attribute holding the tuple of items.
        item: a :class:`~ibwire.fields.Kind` for scalar items, or a :class:`Struct`
            (with ``name=None``) for structured ones.
    """

    name: str
    item: Kind | Struct
    since: int | None = None
    before: int | None = None


@dataclass(frozen=True, slots=True)
class When:
    """Fields present only when ``cond`` holds (a Python expression, see module doc)."""

    cond: str
    then: tuple[Node, ...]
    otherwise: tuple[Node, ...] = ()
    since: int | None = None
    before: int | None = None


@dataclass(frozen=True, slots=True)
class Opt:
    """An optional object behind a presence flag: ``0``, or ``1`` and its fields.

    The attribute holds the object or ``None``; the flag is derived from it.
    """

    name: str
    cls: type
    wire: tuple[Node, ...]
    since: int | None = None
    before: int | None = None


@dataclass(frozen=True, slots=True)
class Custom:
    """A hand-written piece of layout.

    Args:
        name: the attribute it fills.
        decode: ``decode(fields, index, version) -> (value, next_index)``.
        encode: ``encode(value, out, version) -> None``; appends text fields to ``out``.
    """

    name: str
    decode: Callable[[Sequence[str], int, int], tuple[Any, int]]
    encode: Callable[[Any, list[str], int], None]
    since: int | None = None
    before: int | None = None


@dataclass(frozen=True, slots=True)
class Bits:
    """An int bitmask field read into a dataclass of booleans.

    Args:
        cls: a dataclass whose fields are all ``bool``.
        names: the field for each bit, lowest bit first.
    """

    cls: type
    names: tuple[str, ...]


Node: TypeAlias = F | Ver | Const | Struct | Opt | Repeat | When | Custom


def gate(node: Node) -> _Gate:
    """The version gate of a layout node."""
    return _Gate(node.since, node.before)


_incoming: dict[int, type[Message]] = {}
_outgoing: dict[int, type[Message]] = {}

#: Incoming messages (server -> client): wire id -> message class.
INCOMING: Mapping[int, type[Message]] = MappingProxyType(_incoming)
#: Outgoing messages (client -> server): wire id -> message class.
OUTGOING: Mapping[int, type[Message]] = MappingProxyType(_outgoing)

M = TypeVar("M", bound=type[Message])


def message(msg_id: IncomingId | OutgoingId, *, min_version: int = 0) -> Callable[[M], M]:
    """Register a message class under its wire id.

    Apply it above ``@dataclass(frozen=True, slots=True, kw_only=True)``.
    """

    def register(cls: M) -> M:
        if "__ibwire_fields__" not in cls.__dict__ and "__dataclass_fields__" not in cls.__dict__:
            raise TypeError(f"{cls.__name__} must be a record (dataclass) class")
        table = _incoming if isinstance(msg_id, IncomingId) else _outgoing
        if msg_id in table:
            raise ValueError(f"{msg_id!r} registered twice ({table[msg_id].__name__})")
        cls.MSG_ID = int(msg_id)
        cls.MIN_VERSION = min_version
        table[int(msg_id)] = cls
        return cls

    return register


