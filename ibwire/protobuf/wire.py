"""Protobuf wire primitives: varints, tags, skipping, and the decode error.

Everything the generated per-message code (:mod:`ibwire.protobuf.compiler`) calls
off its fast path lives here: multi-byte varints, unknown-field skipping, map
entries, merging a repeated occurrence of a nested message.  The fast paths
(one-byte tags, one-byte varints and lengths) are inlined in the generated code.

Rules, as the official ``protobuf`` runtime applies them to IB's proto3 schemas:

* A varint has at most 10 bytes; ``int32`` keeps the low 32 bits as a signed
  number, ``int64`` the low 64 bits; ``bool`` is any non-zero varint.  A negative
  ``int32`` is written sign-extended to ten bytes.
* A field whose wire type does not match its schema is skipped as an unknown field
  (the official runtime keeps it among the unknown fields; we drop it).  Unknown
  fields are skipped by wire type; groups (wire types 3 and 4) and wire types 6
  and 7 are errors.
* Strings must be valid UTF-8.
* A nested message that occurs twice is merged (later scalars win, repeated
  fields and maps are concatenated); for a scalar the last occurrence wins.

Every fault raises :class:`ProtobufDecodeError`, a
:class:`~ibwire.errors.MalformedMessageError`.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Final, ForwardRef, TypeAlias, Union

from ..errors import MalformedMessageError

__all__ = [
    "WIRE_FIXED32",
    "WIRE_FIXED64",
    "WIRE_LEN",
    "WIRE_VARINT",
    "PbDict",
    "PbValue",
    "ProtobufDecodeError",
    "encode_int",
    "encode_varint",
    "read_length",
    "read_varint",
    "skip_field",
]

if TYPE_CHECKING:
    # Union, as below: ``|`` does not take the string forward references at run time.
    #: A decoded protobuf value: scalars, nested messages as dicts, lists, maps.
    PbValue: TypeAlias = Union[None, bool, int, float, str, bytes, list["PbValue"], "PbDict"]  # noqa: UP007
else:
    # The recursive references name this module, so that typing.get_type_hints
    # resolves them wherever the alias is used, not only here.
    #: A decoded protobuf value: scalars, nested messages as dicts, lists, maps.
    PbValue = Union[  # noqa: UP007
        None,
        bool,
        int,
        float,
        str,
        bytes,
        list[ForwardRef("PbValue", module=__name__)],
        ForwardRef("PbDict", module=__name__),
    ]
#: A decoded protobuf message (field name -> value, ``None`` when absent) or map.
PbDict: TypeAlias = dict[str, PbValue]

WIRE_VARINT: Final = 0
WIRE_FIXED64: Final = 1
WIRE_LEN: Final = 2
WIRE_FIXED32: Final = 5

_U64: Final = 1 << 64
_MASK64: Final = _U64 - 1
_DOUBLE: Final = struct.Struct("<d")


class ProtobufDecodeError(MalformedMessageError):
    """A protobuf body could not be decoded.

    Attributes:
        message_name: the protobuf message being decoded, when known.
        offset: the byte offset in the body where the fault was found.
    """

    def __init__(
        self, reason: str, *, message_name: str | None = None, offset: int | None = None,
        msg_id: int | None = None,
    ) -> None:
        where = reason
        if message_name is not None:
            where = f"{message_name}: {where}"
        if offset is not None:
            where = f"{where} (byte {offset})"
        super().__init__(msg_id, (), where)
        self.message_name = message_name
        self.offset = offset


def read_varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    """Read an unsigned varint of at most 10 bytes ending before ``end``.

    Returns the value (modulo 2**64) and the position after it.

    Raises:
        ProtobufDecodeError: the varint runs past ``end`` or past 10 bytes.
    """
    result = 0
    shift = 0
    start = pos
    while pos < end:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result & _MASK64, pos
        shift += 7
        if shift >= 70:
            raise ProtobufDecodeError("varint longer than 10 bytes", offset=start)
    raise ProtobufDecodeError("truncated varint", offset=start)


def read_int32(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    """Read a varint as ``int32``: the low 32 bits, signed."""
    value, pos = read_varint(buf, pos, end)
    value &= 0xFFFFFFFF
    return (value - 0x100000000 if value >= 0x80000000 else value), pos


def read_int64(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    """Read a varint as ``int64``: the low 64 bits, signed."""
    value, pos = read_varint(buf, pos, end)
    return (value - _U64 if value >> 63 else value), pos


def read_length(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    """Read a length prefix; returns the end of the delimited bytes and their start.

    Raises:
        ProtobufDecodeError: the length runs past ``end``.
    """
    start = pos
    size, pos = read_varint(buf, pos, end)
    stop = pos + size
    if stop > end:
        raise ProtobufDecodeError(
            f"length {size} runs past the end of the message", offset=start
        )
    return stop, pos


def skip_field(buf: bytes, pos: int, end: int, tag: int) -> int:
    """Skip the value of an unknown field (or one with a mismatched wire type).

    Raises:
        ProtobufDecodeError: field number 0, a group or reserved wire type, or a
            value that runs past ``end``.
    """
    wire = tag & 7
    if tag >> 3 == 0:
        raise ProtobufDecodeError("field number 0", offset=pos)
    if wire == WIRE_VARINT:
        return read_varint(buf, pos, end)[1]
    if wire == WIRE_LEN:
        return read_length(buf, pos, end)[0]
    if wire == WIRE_FIXED64:
        stop = pos + 8
    elif wire == WIRE_FIXED32:
        stop = pos + 4
    else:
        raise ProtobufDecodeError(f"unsupported wire type {wire}", offset=pos)
    if stop > end:
        raise ProtobufDecodeError("fixed-size value runs past the end", offset=pos)
    return stop


def read_double(buf: bytes, pos: int, end: int) -> float:
    """Read a little-endian double at ``pos``.

    Raises:
        ProtobufDecodeError: fewer than 8 bytes before ``end``.
    """
    if pos + 8 > end:
        raise ProtobufDecodeError("double runs past the end", offset=pos)
    value: float = _DOUBLE.unpack_from(buf, pos)[0]
    return value


def read_packed_doubles(buf: bytes, pos: int, stop: int) -> list[float]:
    """Read a packed run of doubles filling ``pos..stop``."""
    size = stop - pos
    if size % 8:
        raise ProtobufDecodeError(
            f"packed doubles of {size} bytes, not a multiple of 8", offset=pos
        )
    return list(struct.unpack_from(f"<{size // 8}d", buf, pos))


def read_packed_int32(buf: bytes, pos: int, stop: int) -> list[int]:
    """Read a packed run of ``int32`` varints filling ``pos..stop``."""
    values = []
    while pos < stop:
        value, pos = read_int32(buf, pos, stop)
        values.append(value)
    return values


def read_packed_int64(buf: bytes, pos: int, stop: int) -> list[int]:
    """Read a packed run of ``int64`` varints filling ``pos..stop``."""
    values = []
    while pos < stop:
        value, pos = read_int64(buf, pos, stop)
        values.append(value)
    return values


def read_packed_bool(buf: bytes, pos: int, stop: int) -> list[bool]:
    """Read a packed run of ``bool`` varints filling ``pos..stop``."""
    values = []
    while pos < stop:
        value, pos = read_varint(buf, pos, stop)
        values.append(value != 0)
    return values


def read_text(buf: bytes, pos: int, stop: int) -> str:
    """Decode ``buf[pos:stop]`` as UTF-8.

    Raises:
        ProtobufDecodeError: not valid UTF-8.
    """
    try:
        return buf[pos:stop].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtobufDecodeError(f"string is not UTF-8: {exc.reason}", offset=pos) from None


def read_map_entry(buf: bytes, pos: int, stop: int) -> tuple[str, str]:
    """Read one ``map<string, string>`` entry filling ``pos..stop``.

    A missing key or value is the empty string, as in the official runtime.
    """
    key = ""
    value = ""
    while pos < stop:
        tag, pos = read_varint(buf, pos, stop)
        if tag == 0x0A or tag == 0x12:
            end, pos = read_length(buf, pos, stop)
            text = read_text(buf, pos, end)
            if tag == 0x0A:
                key = text
            else:
                value = text
            pos = end
        else:
            pos = skip_field(buf, pos, stop, tag)
    return key, value


def encode_varint(value: int) -> bytes:
    """Encode a non-negative integer below 2**64 as a varint."""
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def encode_int(value: int, bits: int) -> bytes:
    """Encode an ``int32`` (``bits=32``) or ``int64`` value as a varint; a negative
    value is sign-extended to 64 bits (ten bytes).

    Raises:
        ValueError: ``value`` does not fit ``bits`` signed bits.
    """
    limit = 1 << (bits - 1)
    if not -limit <= value < limit:
        raise ValueError(f"{value} does not fit int{bits}")
    return encode_varint(value & _MASK64)
