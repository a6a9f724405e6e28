"""Our protobuf schema table and codec against the official descriptors and runtime.

Every message of :data:`ibwire.protobuf.SCHEMA` is compared, field by field, with
the descriptor of the official ``ibapi.protobuf`` class of the same name; then
random values go both ways: our bytes parse in the official runtime to the same
values (and, without maps of several entries, equal its own bytes), and the
official runtime's bytes decode in ours to the same values.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ibwire.protobuf import CODEC, SCHEMA, Kind, MessageSpec

from .official_pb import CLASSES, from_dict, is_map, to_dict

_KINDS = {
    "TYPE_INT32": Kind.INT32,
    "TYPE_INT64": Kind.INT64,
    "TYPE_BOOL": Kind.BOOL,
    "TYPE_DOUBLE": Kind.DOUBLE,
    "TYPE_STRING": Kind.STRING,
    "TYPE_BYTES": Kind.BYTES,
    "TYPE_MESSAGE": Kind.MESSAGE,
}
NAMES = sorted(SCHEMA)


def test_the_same_set_of_messages() -> None:
    assert sorted(CLASSES) == NAMES
    assert len(NAMES) == 200


def _official_kind(field: Any) -> Kind:
    if is_map(field):
        return Kind.MAP
    by_number = {getattr(field, attr): attr for attr in _KINDS}
    return _KINDS[by_number[field.type]]


@pytest.mark.parametrize("name", NAMES)
def test_fields_match_the_official_descriptor(name: str) -> None:
    descriptor = CLASSES[name].DESCRIPTOR
    ours = SCHEMA[name]
    official = sorted(descriptor.fields, key=lambda field: field.number)
    assert [f.number for f in ours.fields] == [f.number for f in official]
    for mine, theirs in zip(ours.fields, official, strict=True):
        where = f"{name}.{theirs.name} = {theirs.number}"
        assert mine.name == theirs.name, where
        assert mine.kind is _official_kind(theirs), where
        if mine.kind is Kind.MAP:
            entry = theirs.message_type
            assert [(f.number, f.name, _official_kind(f)) for f in entry.fields] == [
                (1, "key", Kind.STRING), (2, "value", Kind.STRING)
            ], where
            assert not mine.repeated, where
        else:
            assert mine.repeated is theirs.is_repeated, where
            assert mine.packed is theirs.is_packed, where
            assert mine.message == (
                theirs.message_type.name if theirs.message_type is not None else None
            ), where
        if not theirs.is_repeated:
            # Explicit presence on every singular field: absent is None, not 0.
            assert theirs.has_presence, where
        oneof = theirs.containing_oneof
        official_oneof = None if oneof is None or oneof.name.startswith("_") else oneof.name
        assert mine.oneof == official_oneof, where


def test_counts() -> None:
    fields = [field for spec in SCHEMA.values() for field in spec.fields]
    official = [field for cls in CLASSES.values() for field in cls.DESCRIPTOR.fields]
    assert len(fields) == len(official) == 912


# ------------------------------------------------------------------ values

_int32 = st.integers(-(2**31), 2**31 - 1)
_int64 = st.integers(-(2**63), 2**63 - 1)
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_scalar: dict[Kind, st.SearchStrategy[Any]] = {
    Kind.INT32: _int32,
    Kind.INT64: _int64,
    Kind.BOOL: st.booleans(),
    Kind.DOUBLE: st.floats(allow_nan=False),
    Kind.STRING: _text,
    Kind.BYTES: st.binary(max_size=12),
}
_cache: dict[str, st.SearchStrategy[dict[str, Any]]] = {}


def values_of(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Random values of message ``name`` in ibwire's dict form (every field)."""
    found = _cache.get(name)
    if found is None:
        found = _cache[name] = st.deferred(lambda: _build(SCHEMA[name]))
    return found


def _build(spec: MessageSpec) -> st.SearchStrategy[dict[str, Any]]:
    parts: dict[str, st.SearchStrategy[Any]] = {}
    oneofs: dict[str, list[str]] = {}
    for field in spec.fields:
        if field.kind is Kind.MAP:
            parts[field.name] = st.dictionaries(_text, _text, max_size=2)
            continue
        one = values_of(field.message) if field.message is not None else _scalar[field.kind]
        if field.repeated:
            parts[field.name] = st.lists(one, max_size=3)
        elif field.oneof is not None:
            oneofs.setdefault(field.oneof, []).append(field.name)
            parts[field.name] = st.none()
        else:
            parts[field.name] = st.none() | one
    base = st.fixed_dictionaries(parts)
    for members in oneofs.values():
        choice = st.sampled_from([None, *members])

        def pick(
            values: dict[str, Any], data: st.DataObject, members: list[str] = members,
            choice: st.SearchStrategy[str | None] = choice,
        ) -> dict[str, Any]:
            chosen = data.draw(choice)
            if chosen is not None:
                field = spec.field(chosen)
                assert field.message is not None
                values[chosen] = data.draw(values_of(field.message))
            return values

        base = st.builds(pick, base, st.data())
    return base


def _has_big_map(spec: MessageSpec, values: dict[str, Any]) -> bool:
    for field in spec.fields:
        value = values[field.name]
        if field.kind is Kind.MAP and len(value) > 1:
            return True
        if field.message is not None and value:
            items = value if field.repeated else [value]
            if any(_has_big_map(SCHEMA[field.message], item) for item in items):
                return True
    return False


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_values_both_ways(name: str, data: st.DataObject) -> None:
    values = data.draw(values_of(name))
    ours = CODEC.encode(name, values)
    parsed = CLASSES[name].FromString(ours)
    assert to_dict(parsed) == values
    theirs = from_dict(name, values).SerializeToString()
    assert CODEC.decode(name, theirs) == values
    if not _has_big_map(SCHEMA[name], values):
        assert ours == theirs
