from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ibwire.errors import MalformedMessageError, RemoteProtocolError
from ibwire.protobuf import wire
from ibwire.protobuf.wire import ProtobufDecodeError


def test_decode_error_is_a_malformed_message() -> None:
    error = ProtobufDecodeError("bad", message_name="TickPrice", offset=3)
    assert isinstance(error, MalformedMessageError)
    assert isinstance(error, RemoteProtocolError)
    assert str(error) == "malformed message: TickPrice: bad (byte 3)"
    assert (error.message_name, error.offset, error.fields) == ("TickPrice", 3, ())


@pytest.mark.parametrize(
    ("value", "encoded"),
    [(0, "00"), (1, "01"), (127, "7f"), (128, "8001"), (300, "ac02"), (2**64 - 1, "ffffffffffffffffff01")],
)
def test_varint_vectors(value: int, encoded: str) -> None:
    data = bytes.fromhex(encoded)
    assert wire.encode_varint(value) == data
    assert wire.read_varint(data, 0, len(data)) == (value, len(data))


def test_negative_int32_is_ten_bytes() -> None:
    assert wire.encode_int(-1, 32) == bytes.fromhex("ffffffffffffffffff01")
    assert wire.encode_int(-2147483648, 32) == bytes.fromhex("80808080f8ffffffff01")


@pytest.mark.parametrize(("value", "bits"), [(2**31, 32), (-(2**31) - 1, 32), (2**63, 64)])
def test_encode_int_out_of_range(value: int, bits: int) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        wire.encode_int(value, bits)


def test_int32_keeps_the_low_32_bits() -> None:
    # A five-byte varint (what some encoders write for a negative int32) and a
    # 64-bit value both read as the official runtime reads them.
    five = bytes.fromhex("ffffffff0f")
    assert wire.read_int32(five, 0, 5) == (-1, 5)
    big = wire.encode_varint(2**40 + 7)
    assert wire.read_int32(big, 0, len(big))[0] == 7


@given(st.integers(-(2**63), 2**63 - 1))
def test_int64_round_trip(value: int) -> None:
    data = wire.encode_int(value, 64)
    assert wire.read_int64(data, 0, len(data)) == (value, len(data))


@given(st.integers(-(2**31), 2**31 - 1))
def test_int32_round_trip(value: int) -> None:
    data = wire.encode_int(value, 32)
    assert wire.read_int32(data, 0, len(data)) == (value, len(data))
    assert len(data) == (10 if value < 0 else len(wire.encode_varint(value)))


def test_truncated_varint() -> None:
    with pytest.raises(ProtobufDecodeError, match="truncated varint"):
        wire.read_varint(b"\x80\x80", 0, 2)
    # The end bound counts, not the buffer's length.
    with pytest.raises(ProtobufDecodeError, match="truncated varint"):
        wire.read_varint(b"\x80\x01", 0, 1)


def test_overlong_varint() -> None:
    with pytest.raises(ProtobufDecodeError, match="longer than 10 bytes"):
        wire.read_varint(b"\xff" * 11 + b"\x01", 0, 12)


def test_length_past_the_end() -> None:
    with pytest.raises(ProtobufDecodeError, match="runs past the end"):
        wire.read_length(b"\x05abc", 0, 4)
    huge = wire.encode_varint(2**63)
    with pytest.raises(ProtobufDecodeError, match="runs past the end"):
        wire.read_length(huge, 0, len(huge))
    assert wire.read_length(b"\x03abc", 0, 4) == (4, 1)


@pytest.mark.parametrize(
    ("tag", "body", "stop"),
    [(0x08, b"\x96\x01", 2), (0x09, b"12345678", 8), (0x0A, b"\x02ab", 3), (0x0D, b"1234", 4)],
)
def test_skip_field_by_wire_type(tag: int, body: bytes, stop: int) -> None:
    assert wire.skip_field(body + b"tail", 0, len(body), tag) == stop


@pytest.mark.parametrize(("tag", "reason"), [(0x0B, "wire type 3"), (0x0C, "wire type 4"),
                                             (0x0E, "wire type 6"), (0x0F, "wire type 7"),
                                             (0x00, "field number 0")])
def test_skip_field_rejects(tag: int, reason: str) -> None:
    with pytest.raises(ProtobufDecodeError, match=reason):
        wire.skip_field(b"\x00" * 8, 0, 8, tag)


def test_skip_fixed_past_the_end() -> None:
    with pytest.raises(ProtobufDecodeError, match="past the end"):
        wire.skip_field(b"1234567", 0, 7, 0x09)
    with pytest.raises(ProtobufDecodeError, match="past the end"):
        wire.skip_field(b"123", 0, 3, 0x0D)


def test_packed_runs() -> None:
    data = wire.encode_int(-1, 32) + b"\x05"
    assert wire.read_packed_int32(data, 0, len(data)) == [-1, 5]
    assert wire.read_packed_int64(data, 0, len(data)) == [-1, 5]
    assert wire.read_packed_bool(b"\x00\x02", 0, 2) == [False, True]
    with pytest.raises(ProtobufDecodeError, match="multiple of 8"):
        wire.read_packed_doubles(b"\x00" * 9, 0, 9)
    with pytest.raises(ProtobufDecodeError, match="truncated"):
        wire.read_packed_int32(b"\x80", 0, 1)


def test_map_entry() -> None:
    assert wire.read_map_entry(b"\x0a\x01k\x12\x01v", 0, 6) == ("k", "v")
    # Missing key and value read as empty, unknown fields skipped.
    assert wire.read_map_entry(b"\x18\x01", 0, 2) == ("", "")
    with pytest.raises(ProtobufDecodeError, match="not UTF-8"):
        wire.read_map_entry(b"\x0a\x01\xff", 0, 3)


def test_read_double_past_the_end() -> None:
    assert wire.read_double(b"\x00" * 8, 0, 8) == 0.0
    with pytest.raises(ProtobufDecodeError, match="past the end"):
        wire.read_double(b"\x00" * 8, 1, 8)
