"""The fast protobuf paths give what the general paths give, on any bytes.

* The straight pass of the generated decoders (fields in field-number order,
  before the tag loop) against the loop alone (``ProtobufCodec(straight=False)``):
  field streams in and out of order, repeated fields split, unknown fields, wrong
  wire types, tags and lengths in more bytes than needed, truncated and
  corrupted bodies; equal dicts, or the same error at the same byte.
* The fused readers of the forms (bytes straight to the message) against the
  dict path (decoder, then ``to_message``): every incoming form, random messages
  encoded by our server side, then reordered, split, cut and corrupted.
"""

from __future__ import annotations

import struct
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ibwire.messages import Message
from ibwire.protobuf import CODEC, SCHEMA, wire
from ibwire.protobuf import forms as pb_forms
from ibwire.protobuf.compiler import ProtobufCodec
from ibwire.protobuf.schema import Kind, MessageSpec, parse_table
from ibwire.protobuf.wire import ProtobufDecodeError

from ..protobuf_forms import connected, messages_of

# Every kind, one-byte and two-byte tags, a run of doubles, a oneof (with scalar
# members), packed fields.
TABLE = """
Leaf
    1 text string; 2 number int32; 3 price double; 4 size double
Sample
    1 i32 int32; 2 i64 int64; 3 flag bool; 4 open double; 5 high double; 6 low double
    7 name string; 8 raw bytes; 9 leaf Leaf; 10 leaves Leaf*; 11 options map
    12 dates int32*; 13 strikes double*; 14 names string*; 15 flags bool*
    16 far int32; 17 farther string; 18 far_leaf Leaf; 33 next_block int64; 40 last double
    50 a Leaf |choice; 51 b string |choice; 52 c int32 |choice; 53 d double |choice
"""
SPECS = parse_table(TABLE)
#: The real messages with the most to get wrong, and small ones.
REAL = (
    "Order", "Contract", "ContractDetails", "Execution", "HistoricalDataBar", "HistoricalData",
    "TickPrice", "TickOptionComputation", "OrderStatus", "ErrorMessage", "OpenOrder",
    "ContractData", "ExecutionDetails", "OrderState", "MarketDepth",
)  # fmt: skip
_WIRE = {
    Kind.INT32: wire.WIRE_VARINT, Kind.INT64: wire.WIRE_VARINT, Kind.BOOL: wire.WIRE_VARINT,
    Kind.DOUBLE: wire.WIRE_FIXED64, Kind.STRING: wire.WIRE_LEN, Kind.BYTES: wire.WIRE_LEN,
    Kind.MESSAGE: wire.WIRE_LEN, Kind.MAP: wire.WIRE_LEN,
}  # fmt: skip


def _varint(value: int, padded: bool) -> bytes:
    data = wire.encode_varint(value)
    if padded:
        # The same value in one more byte (a continuation bit, then 0).
        data = data[:-1] + bytes([data[-1] | 0x80, 0])
    return data


@st.composite
def _value(draw: st.DrawFn, specs: dict[str, MessageSpec], kind: Kind, message: str | None,
           depth: int) -> bytes:  # fmt: skip
    """The bytes of one value of ``kind`` (after its tag)."""
    if kind is Kind.INT32:
        return wire.encode_int(draw(st.one_of(st.integers(-1, 300), st.integers(-(2**31), 2**31 - 1))), 64)
    if kind is Kind.INT64:
        return wire.encode_int(draw(st.one_of(st.integers(-1, 2**50), st.integers(-(2**63), 2**63 - 1))), 64)
    if kind is Kind.BOOL:
        return _varint(draw(st.sampled_from([0, 1, 2, 300])), False)
    if kind is Kind.DOUBLE:
        return struct.pack("<d", draw(st.floats(allow_nan=False)))
    if kind is Kind.MESSAGE:
        assert message is not None
        body = draw(_stream(specs, message, depth + 1)) if depth < 2 else b""
    elif kind is Kind.MAP:
        body = draw(st.sampled_from([b"", b"\x0a\x01k", b"\x12\x01v", b"\x0a\x01k\x12\x02vv"]))
    elif kind is Kind.STRING:
        body = draw(st.one_of(st.text(max_size=3).map(str.encode),
                              st.just(b"x" * 200), st.just(b"\xff")))  # fmt: skip
    else:
        body = draw(st.binary(max_size=4))
    return _varint(len(body), draw(st.booleans()) and draw(st.booleans())) + body


@st.composite
def _item(draw: st.DrawFn, specs: dict[str, MessageSpec], name: str, depth: int) -> tuple[int, bytes]:
    """(field number, bytes) of one field occurrence, often well formed."""
    spec = specs[name]
    choice = draw(st.integers(0, 9))
    padded = choice == 9
    if choice == 8 or not spec.fields:
        number = draw(st.sampled_from([19, 120, 999, 3000]))
        wire_type = draw(st.sampled_from([0, 1, 2, 5]))
        body = {0: b"\x05", 1: b"\x00" * 8, 2: b"\x02ab", 5: b"\x00" * 4}[wire_type]
        return number, _varint(number << 3 | wire_type, padded) + body
    field = draw(st.sampled_from(spec.fields))
    if choice == 7:
        # A known field with another wire type than its own.
        wire_type = draw(st.sampled_from([0, 1, 2, 5]))
        body = {0: b"\x05", 1: b"\x00" * 8, 2: b"\x01a", 5: b"\x00" * 4}[wire_type]
        return field.number, _varint(field.number << 3 | wire_type, padded) + body
    if field.packed and draw(st.booleans()):
        values = draw(st.lists(_value(specs, field.kind, None, depth), max_size=3))
        body = b"".join(values)
        return field.number, _varint(field.number << 3 | wire.WIRE_LEN, padded) + _varint(
            len(body), False
        ) + body
    value = draw(_value(specs, field.kind, field.message, depth))
    return field.number, _varint(field.number << 3 | _WIRE[field.kind], padded) + value


@st.composite
def _stream(draw: st.DrawFn, specs: dict[str, MessageSpec], name: str, depth: int = 0) -> bytes:
    items = draw(st.lists(_item(specs, name, depth), max_size=8 if depth else 14))
    if draw(st.booleans()):
        # In field order, as IB sends them: the straight pass reads these.
        items.sort(key=lambda item: item[0])
    return b"".join(data for _, data in items)


@st.composite
def _damaged(draw: st.DrawFn, data: bytes) -> bytes:
    how = draw(st.integers(0, 3))
    if how == 1 and data:
        return data[: draw(st.integers(0, len(data) - 1))]
    if how == 2 and data:
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
    return data


def _outcome(decode: Any, data: bytes) -> Any:
    # Compared by repr: a corrupted double may be NaN, which equals nothing.
    try:
        return ("ok", repr(decode(data)))
    except ProtobufDecodeError as exc:
        return ("error", str(exc), exc.offset, exc.message_name)


STRAIGHT = ProtobufCodec(SPECS)
LOOP = ProtobufCodec(SPECS, straight=False)
REAL_LOOP = ProtobufCodec(SCHEMA, straight=False)


@given(st.data())
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_straight_pass_is_the_loop_on_any_field_stream(data: st.DataObject) -> None:
    body = data.draw(_stream(SPECS, "Sample").flatmap(_damaged))
    assert _outcome(STRAIGHT.decoder("Sample"), body) == _outcome(LOOP.decoder("Sample"), body)


@pytest.mark.parametrize("name", REAL)
@given(data=st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_straight_pass_is_the_loop_on_real_messages(name: str, data: st.DataObject) -> None:
    specs = dict(SCHEMA)
    body = data.draw(_stream(specs, name).flatmap(_damaged))
    assert _outcome(CODEC.decoder(name), body) == _outcome(REAL_LOOP.decoder(name), body)


def test_straight_pass_reads_in_order_fields_without_the_loop() -> None:
    # The straight pass is there: a body in field order never reaches the loop
    # (the loop's two-byte tag branch is the only place a far field is read).
    source = STRAIGHT.source("Sample")
    assert "_unpack_doubles3(buf, pos + 1)" in source
    assert "buf[pos + 1] == 1 and buf[pos] > 127" in source  # fields 16..31 as a block
    values = {"i32": 300, "open": 1.0, "high": 2.0, "low": 3.0, "name": "", "far": 5,
              "farther": "x" * 200, "next_block": 2**40, "last": 0.5, "i64": -1}  # fmt: skip
    body = STRAIGHT.encode("Sample", values)
    decoded = STRAIGHT.decode("Sample", body)
    assert {key: decoded[key] for key in values} == values


def test_known_edge_values_take_the_same_way() -> None:
    decode = STRAIGHT.decoder("Sample")
    loop = LOOP.decoder("Sample")
    for body in (
        b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",  # -1 in ten bytes
        b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff",  # truncated
        b"\x10\x80\x80\x80\x80\x80\x80\x80\x01",  # 2**56: past the unrolled bytes
        b"\x21" + b"\x00" * 7,  # a double cut short
        b"\x21" + b"\x00" * 8 + b"\x29" + b"\x00" * 8 + b"\x31" + b"\x00" * 4,
        b"\x3a\x80\x01" + b"x" * 127,  # a two-byte length one byte short
        b"\x3a\x81\x00x",  # a length in more bytes than needed
        b"\x4a\x02\x08\x01\x4a\x02\x10\x02",  # a nested message twice: merged
        b"\x92\x01\x02\x08\x01\x92\x01\x02\x08\x02",  # the same, two-byte tag
        b"\x3a\x01\xff",  # not UTF-8
        b"\x08\xff\xff\xff\xff\x07",  # 2**31 - 1: five bytes, inline
        b"\x08\x80\x80\x80\x80\x08",  # 2**31: an int32 wraps to -2**31
        b"\x08\xff\xff\xff\xff\x0f",  # 2**32 - 1: -1 in five bytes
        b"\x08\x80\x80\x80\x80\x80\x01",  # 2**35: past 32 bits, six bytes
    ):
        assert _outcome(decode, body) == _outcome(loop, body), body.hex()


def test_a_scalar_oneof_member_clears_the_ones_before_it() -> None:
    # Members of the oneof in field order, so the straight pass reads them all:
    # the last one read is the only one set, as in the loop.
    members = {"a": {"text": "t"}, "b": "s", "c": 7, "d": 0.5}
    for first in members:
        for last in members:
            if first < last:
                body = LOOP.encode("Sample", {first: members[first]})
                body += LOOP.encode("Sample", {last: members[last]})
                decoded = STRAIGHT.decode("Sample", body)
                assert decoded == LOOP.decode("Sample", body), (first, last)
                assert decoded[first] is None and decoded[last] is not None


_TEXTS = st.one_of(st.text(max_size=3).map(str.encode), st.just(b"x" * 200), st.just(b"\xff"))


@given(key=_TEXTS, value=_TEXTS, shape=st.sampled_from(["kv", "vk", "k", "v", "kvk", "", "padded", "junk"]))
def test_map_entries_read_inline_are_the_general_entry_reader(key: bytes, value: bytes, shape: str) -> None:
    # Both decoders read map entries with the same inline code: this checks it
    # against wire.read_map_entry, the reader of any entry.
    parts = {"k": b"\x0a" + _varint(len(key), False) + key,
             "v": b"\x12" + _varint(len(value), False) + value}  # fmt: skip
    if shape == "padded":
        entry = b"\x0a" + _varint(len(key), True) + key + parts["v"]
    elif shape == "junk":
        entry = parts["k"] + b"\x18\x01" + parts["v"]
    else:
        entry = b"".join(parts[letter] for letter in shape)
    try:
        expected: Any = dict([wire.read_map_entry(entry, 0, len(entry))])
    except ProtobufDecodeError:
        expected = "error"
    body = b"\x5a" + _varint(len(entry), False) + entry  # field 11, options
    for codec in (STRAIGHT, LOOP):
        try:
            got: Any = codec.decode("Sample", body)["options"]
        except ProtobufDecodeError:
            got = "error"
        assert got == expected


# ------------------------------------------------------------------------ fused forms

VERSION = 226
pb_forms._load_families()
_FORMS = [form for form in pb_forms._REGISTRY.values() if form.incoming and form.fused is not None]


def _general(form: pb_forms.Form) -> Any:
    decode = CODEC.decoder(form.protobuf)

    def general(payload: bytes) -> Message:
        return form.to_message(decode(payload[4:]), VERSION)

    return general


_READERS: dict[type, tuple[Any, Any, Any]] = {}


def _readers(form: pb_forms.Form) -> tuple[Any, Any, Any]:
    """(general path, fused reader that never falls back, fused reader)."""
    found = _READERS.get(form.cls)
    if found is None:
        assert form.fused is not None
        general = _general(form)
        found = (general, form.fused(CODEC, _never), form.fused(CODEC, general))
        _READERS[form.cls] = found
    return found


def _payload(message: Message) -> bytes:
    _, server = connected(VERSION)
    server.send(message)
    return server.data_to_send()[4:]


def _never(payload: bytes) -> Message:
    raise AssertionError(f"the fused reader fell back on {payload.hex()}")


def _outcome_of(decode: Any, payload: bytes) -> Any:
    try:
        return ("ok", repr(decode(payload)))
    except Exception as exc:  # what the dict path raises, of any type
        return ("error", type(exc), str(exc))


@pytest.mark.parametrize("form", _FORMS, ids=lambda form: form.cls.__name__)
@given(data=st.data())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fused_readers_are_the_dict_path(form: pb_forms.Form, data: st.DataObject) -> None:
    general, strict, fused = _readers(form)
    message = data.draw(messages_of(form.cls))
    payload = _payload(message)
    # What our server sends reads without falling back, to the same message.
    assert strict(payload) == general(payload)
    # Reordered, split, cut or corrupted: the same message, or the same error.
    body = payload[4:]
    items = _top_fields(body)
    if items is not None and data.draw(st.booleans()):
        items = data.draw(st.permutations(items))
        body = b"".join(items)
    body = data.draw(_damaged(body))
    damaged = payload[:4] + body
    assert _outcome_of(fused, damaged) == _outcome_of(general, damaged)


def _top_fields(body: bytes) -> list[bytes] | None:
    """The top-level field occurrences of a well-formed body, as bytes."""
    items = []
    pos = 0
    try:
        while pos < len(body):
            start = pos
            tag, pos = wire.read_varint(body, pos, len(body))
            pos = wire.skip_field(body, pos, len(body), tag)
            items.append(body[start:pos])
    except ProtobufDecodeError:
        return None
    return items


def test_a_nested_message_sent_twice_is_merged_by_the_general_path() -> None:
    from ibwire.messages import Contract, PositionData

    form = pb_forms._REGISTRY[PositionData]
    assert form.fused is not None
    message = PositionData(account="A", contract=Contract(con_id=5, symbol="X"), position=None)
    payload = _payload(message)
    # The contract again, with another symbol: protobuf merges the two.
    again = CODEC.encode("Position", {"contract": {"symbol": "Y"}})
    merged = payload + again
    fused = form.fused(CODEC, _general(form))
    result = fused(merged)
    assert result.contract.con_id == 5 and result.contract.symbol == "Y"
    with pytest.raises(AssertionError, match="fell back"):
        form.fused(CODEC, _never)(merged)


def _pb_payload(message_name: str, values: dict[str, Any]) -> bytes:
    from ibwire.protobuf.catalogue import INCOMING, PROTOBUF_ID_OFFSET

    (msg_id,) = [key for key, name in INCOMING.items() if name == message_name]
    return (int(msg_id) + PROTOBUF_ID_OFFSET).to_bytes(4, "big") + CODEC.encode(message_name, values)


@pytest.mark.parametrize(
    "filled",
    [b"100", b"", b"1\xa0", b"\xc2\xa01", b" 1", b"\x851", b"\xff", b"1e3", b"2147483647"],
)
def test_quantities_read_from_bytes_are_the_text_path(filled: bytes) -> None:
    # A quantity stays bytes until its Decimal: bytes that are not UTF-8 (Latin-1
    # spaces around a number, which Decimal() would accept as text) fail as the
    # general path fails, however often they come.
    from ibwire.messages import OrderStatus

    form = pb_forms._REGISTRY[OrderStatus]
    general, _, fused = _readers(form)
    head = _pb_payload("OrderStatus", {"orderId": 1, "status": "Filled"})
    body = b"\x1a" + bytes([len(filled)]) + filled  # field 3, filled
    for _ in range(3):
        assert _outcome_of(fused, head + body) == _outcome_of(general, head + body)


@pytest.mark.parametrize(
    "multiplier", [100.0, 0.0, -0.0, 0.5, 1e-9, float("nan"), float("inf"), sys.float_info.max]
)
def test_multipliers_read_from_a_cache_are_the_text_path(multiplier: float) -> None:
    # Both paths read the multiplier through the cache: each is checked
    # against the text the official decoder makes (floatMaxString).
    from ibwire.messages import PositionData
    from ibwire.protobuf.mapper import format_multiplier

    form = pb_forms._REGISTRY[PositionData]
    general, strict, _ = _readers(form)
    for value in (abs(multiplier), multiplier, multiplier):
        payload = _pb_payload("Position", {"account": "A", "contract": {"multiplier": value}})
        for read in (strict, general):
            assert read(payload).contract.multiplier == format_multiplier(value)
