"""Flat protobuf encoders and decoders, generated per message.

:class:`ProtobufCodec` turns each :class:`~ibwire.protobuf.schema.MessageSpec` into
two plain Python functions the first time the message is used: a decoder that
walks the body once with the tag tests laid out as a balanced ``if`` tree and the
one-byte varint and length cases inlined, and an encoder that writes each present
field with its tag bytes precomputed.  No per-field interpretation happens on the
hot path; the generated source is registered with :mod:`linecache` so tracebacks
show it.

A decoded message is a dict holding every field name: ``None`` for an absent
singular field, a list for a repeated field, a dict for a map, a dict for a
present nested message.  The encoder takes the same shape; a missing key or
``None`` is an absent field, and a nested message given as ``{}`` is written as
an empty message (the official client writes some of those).
"""

from __future__ import annotations

import linecache
import struct
from collections.abc import Callable, Mapping
from typing import Any, Final

from ..errors import LocalProtocolError
from . import wire
from .schema import FieldSpec, Kind, MessageSpec
from .wire import PbDict, ProtobufDecodeError

__all__ = ["Decoder", "Encoder", "ProtobufCodec", "ProtobufEncodeError"]

#: A generated decoder: a message body in, a dict of every field out.
Decoder = Callable[[bytes], PbDict]
#: A generated encoder: a dict of fields in, a message body out.
Encoder = Callable[[Mapping[str, Any]], bytes]

_WIRE_OF: Final = {
    Kind.INT32: wire.WIRE_VARINT,
    Kind.INT64: wire.WIRE_VARINT,
    Kind.BOOL: wire.WIRE_VARINT,
    Kind.DOUBLE: wire.WIRE_FIXED64,
    Kind.STRING: wire.WIRE_LEN,
    Kind.BYTES: wire.WIRE_LEN,
    Kind.MESSAGE: wire.WIRE_LEN,
    Kind.MAP: wire.WIRE_LEN,
}
_READ_INT: Final = {Kind.INT32: "_ri32", Kind.INT64: "_ri64", Kind.BOOL: "_rv"}
_PACKED_READER: Final = {
    Kind.INT32: "_rp_i32",
    Kind.INT64: "_rp_i64",
    Kind.BOOL: "_rp_bool",
    Kind.DOUBLE: "_rp_d",
}
# Tags per if-chain before the decoder splits the tests into a binary tree.
_LINEAR: Final = 6


class ProtobufEncodeError(LocalProtocolError):
    """A value cannot be encoded into its protobuf field (wrong type, out of range)."""


def _tag_bytes(number: int, wire_type: int) -> bytes:
    return wire.encode_varint(number << 3 | wire_type)


def _utf8_error(name: str, exc: UnicodeDecodeError) -> ProtobufDecodeError:
    return ProtobufDecodeError(
        f"string is not UTF-8: {exc.reason}", message_name=name, offset=exc.start
    )


def _short(pos: int) -> ProtobufDecodeError:
    return ProtobufDecodeError("value runs past the end of the message", offset=pos)


class ProtobufCodec:
    """Generated encoders and decoders for a set of protobuf messages.

    Args:
        specs: the messages by name (by default :data:`ibwire.protobuf.SCHEMA`).
    """

    def __init__(self, specs: Mapping[str, MessageSpec]) -> None:
        self._specs = specs
        self._decoders: dict[str, Decoder] = {}
        self._encoders: dict[str, Encoder] = {}
        self._namespace: dict[str, Any] = {
            "_rv": wire.read_varint,
            "_ri32": wire.read_int32,
            "_ri64": wire.read_int64,
            "_rl": wire.read_length,
            "_rp_i32": wire.read_packed_int32,
            "_rp_i64": wire.read_packed_int64,
            "_rp_bool": wire.read_packed_bool,
            "_rp_d": wire.read_packed_doubles,
            "_rme": wire.read_map_entry,
            "_skip": wire.skip_field,
            "_short": _short,
            "_utf8": _utf8_error,
            "_ud": struct.Struct("<d").unpack_from,
            "_pd": struct.Struct("<d").pack,
            "_pack": struct.pack,
            "_ev": wire.encode_varint,
            "_ei": wire.encode_int,
            "_merge": self._merge,
            "_encode_error": ProtobufEncodeError,
            "struct_error": struct.error,
        }
        self._compiled: set[str] = set()

    @property
    def specs(self) -> Mapping[str, MessageSpec]:
        """The messages this codec knows, by name."""
        return self._specs

    def decoder(self, name: str) -> Decoder:
        """The decoder of message ``name``, generated on first use.

        The decoder raises :class:`~ibwire.protobuf.wire.ProtobufDecodeError` and
        nothing else for any input.

        Raises:
            KeyError: no such message.
        """
        found = self._decoders.get(name)
        if found is None:
            self._compile(name)
            found = self._decoders[name]
        return found

    def encoder(self, name: str) -> Encoder:
        """The encoder of message ``name``, generated on first use.

        The encoder raises :class:`ProtobufEncodeError` for a value of the wrong
        type or out of range.

        Raises:
            KeyError: no such message.
        """
        found = self._encoders.get(name)
        if found is None:
            self._compile(name)
            found = self._encoders[name]
        return found

    def decode(self, name: str, data: bytes) -> PbDict:
        """Decode ``data`` as message ``name``."""
        return self.decoder(name)(data)

    def encode(self, name: str, values: Mapping[str, Any]) -> bytes:
        """Encode ``values`` as message ``name``."""
        return self.encoder(name)(values)

    def source(self, name: str) -> str:
        """The generated source of message ``name`` (for reading and debugging)."""
        spec = self._specs[name]
        return _decoder_source(spec) + "\n" + _encoder_source(spec)

    # ------------------------------------------------------------------ internals

    def _compile(self, name: str) -> None:
        if name in self._compiled:
            return
        spec = self._specs[name]
        self._compiled.add(name)
        for field in spec.fields:
            if field.message is not None:
                self._compile(field.message)
        source = self.source(name)
        filename = f"<ibwire.protobuf {name}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), self._namespace)
        self._decoders[name] = self._namespace[f"decode_{name}"]
        self._encoders[name] = self._namespace[f"encode_{name}"]

    def _merge(self, name: str, old: PbDict, new: PbDict) -> PbDict:
        # A nested message that occurs twice (never sent by IB, allowed by protobuf).
        merged = dict(old)
        for field in self._specs[name].fields:
            value = new[field.name]
            current = merged[field.name]
            if field.repeated:
                assert isinstance(value, list) and isinstance(current, list)
                merged[field.name] = current + value
            elif field.kind is Kind.MAP:
                assert isinstance(value, dict) and isinstance(current, dict)
                merged[field.name] = {**current, **value}
            elif value is None:
                continue
            elif field.message is not None and isinstance(current, dict):
                assert isinstance(value, dict)
                merged[field.name] = self._merge(field.message, current, value)
            else:
                merged[field.name] = value
        return merged


# ---------------------------------------------------------------------- decoders


def _decoder_source(spec: MessageSpec) -> str:
    """``_d_<name>(buf, pos, end)`` and the public ``decode_<name>(data)``."""
    name = spec.name
    initial = ", ".join(
        f"{field.name!r}: {_initial(field.repeated, field.kind)}" for field in spec.fields
    )
    branches: list[tuple[int, list[str]]] = []
    for field in spec.fields:
        number = field.number
        if field.repeated and field.kind in _PACKED_READER:
            branches.append((number << 3 | _WIRE_OF[field.kind], _single(field.name, field.kind, True)))
            branches.append((number << 3 | wire.WIRE_LEN, _packed(field.name, field.kind)))
        else:
            branches.append((number << 3 | _WIRE_OF[field.kind], _branch(field, spec)))
    branches.sort()
    lines = [
        f"def _d_{name}(buf, pos, end):",
        f"    r = {{{initial}}}",
        "    while pos < end:",
        "        tag = buf[pos]",
        "        if tag < 128:",
        "            pos += 1",
        "        elif pos + 1 < end and buf[pos + 1] < 128:",
        "            # Fields 16..2047: a two-byte tag.",
        "            tag = (tag & 127) | (buf[pos + 1] << 7)",
        "            pos += 2",
        "        else:",
        "            tag, pos = _rv(buf, pos, end)",
    ]
    if branches:
        lines += _tree(branches, 8)
    else:
        lines.append("        pos = _skip(buf, pos, end, tag)")
    lines += [
        "    return r",
        "",
        f"def decode_{name}(data):",
        "    try:",
        f"        return _d_{name}(data, 0, len(data))",
        "    except UnicodeDecodeError as exc:",
        f"        raise _utf8({name!r}, exc) from None",
        "",
    ]
    return "\n".join(lines)


def _initial(repeated: bool, kind: Kind) -> str:
    if repeated:
        return "[]"
    if kind is Kind.MAP:
        return "{}"
    return "None"


def _tree(branches: list[tuple[int, list[str]]], indent: int) -> list[str]:
    pad = " " * indent
    if len(branches) <= _LINEAR:
        lines = []
        keyword = "if"
        for tag, body in branches:
            lines.append(f"{pad}{keyword} tag == {tag}:")
            lines += [pad + "    " + line for line in body]
            keyword = "elif"
        lines.append(f"{pad}else:")
        lines.append(f"{pad}    pos = _skip(buf, pos, end, tag)")
        return lines
    middle = len(branches) // 2
    pivot = branches[middle][0]
    return (
        [f"{pad}if tag < {pivot}:"]
        + _tree(branches[:middle], indent + 4)
        + [f"{pad}else:"]
        + _tree(branches[middle:], indent + 4)
    )


_LENGTH: Final = [
    "if pos < end and (n := buf[pos]) < 128:",
    "    pos += 1",
    "    e = pos + n",
    "    if e > end:",
    "        raise _short(pos)",
    "else:",
    "    e, pos = _rl(buf, pos, end)",
]


def _store(field_name: str, repeated: bool, value: str) -> str:
    if repeated:
        return f"r[{field_name!r}].append({value})"
    return f"r[{field_name!r}] = {value}"


def _single(field_name: str, kind: Kind, repeated: bool) -> list[str]:
    """One scalar value (varint or double) of a field."""
    if kind is Kind.DOUBLE:
        return [
            "if pos + 8 > end:",
            "    raise _short(pos)",
            _store(field_name, repeated, "_ud(buf, pos)[0]"),
            "pos += 8",
        ]
    fast = "b != 0" if kind is Kind.BOOL else "b"
    slow = "v != 0" if kind is Kind.BOOL else "v"
    return [
        "if pos < end and (b := buf[pos]) < 128:",
        "    " + _store(field_name, repeated, fast),
        "    pos += 1",
        "else:",
        f"    v, pos = {_READ_INT[kind]}(buf, pos, end)",
        "    " + _store(field_name, repeated, slow),
    ]


def _packed(field_name: str, kind: Kind) -> list[str]:
    return _LENGTH + [
        f"r[{field_name!r}].extend({_PACKED_READER[kind]}(buf, pos, e))",
        "pos = e",
    ]


def _branch(field: FieldSpec, spec: MessageSpec) -> list[str]:
    kind = field.kind
    name = field.name
    if kind in _READ_INT or kind is Kind.DOUBLE:
        body = _single(name, kind, field.repeated)
    elif kind is Kind.STRING:
        body = _LENGTH + [_store(name, field.repeated, "buf[pos:e].decode()"), "pos = e"]
    elif kind is Kind.BYTES:
        body = _LENGTH + [_store(name, field.repeated, "bytes(buf[pos:e])"), "pos = e"]
    elif kind is Kind.MAP:
        body = _LENGTH + ["k, v = _rme(buf, pos, e)", f"r[{name!r}][k] = v", "pos = e"]
    elif field.repeated:
        body = _LENGTH + [f"r[{name!r}].append(_d_{field.message}(buf, pos, e))", "pos = e"]
    else:
        body = _LENGTH + [
            f"v = _d_{field.message}(buf, pos, e)",
            f"o = r[{name!r}]",
            f"r[{name!r}] = v if o is None else _merge({field.message!r}, o, v)",
            "pos = e",
        ]
    if field.oneof is not None:
        for other in spec.fields:
            if other.oneof == field.oneof and other.name != name:
                body.append(f"r[{other.name!r}] = None")
    return body


# ---------------------------------------------------------------------- encoders


def _encoder_source(spec: MessageSpec) -> str:
    """``_e_<name>(v)`` and the public ``encode_<name>(values)``."""
    name = spec.name
    lines = [f"def _e_{name}(v):", "    out = bytearray()", "    get = v.get"]
    oneofs: dict[str, list[str]] = {}
    for field in spec.fields:
        if field.oneof is not None:
            oneofs.setdefault(field.oneof, []).append(field.name)
    for group, members in oneofs.items():
        present = " + ".join(f"(get({member!r}) is not None)" for member in members)
        lines += [
            f"    if {present} > 1:",
            f"        raise ValueError('more than one member of oneof {group} is set')",
        ]
    for field in spec.fields:
        lines.append(f"    x = get({field.name!r})")
        if field.repeated or field.kind is Kind.MAP:
            lines.append("    if x:")
        else:
            lines.append("    if x is not None:")
        lines += ["        " + line for line in _encode_field(field)]
    lines += [
        "    return bytes(out)",
        "",
        f"def encode_{name}(values):",
        "    try:",
        f"        return _e_{name}(values)",
        "    except (TypeError, ValueError, AttributeError, OverflowError, struct_error) as exc:",
        f"        raise _encode_error(f'{name}: {{exc}}') from exc",
        "",
    ]
    return "\n".join(lines)


def _write_len(data: str) -> list[str]:
    return [
        f"n = len({data})",
        "if n < 128:",
        "    out.append(n)",
        "else:",
        "    out += _ev(n)",
        f"out += {data}",
    ]


def _encode_scalar(field: FieldSpec, value: str) -> list[str]:
    tag = _tag_bytes(field.number, _WIRE_OF[field.kind])
    kind = field.kind
    if kind is Kind.BOOL:
        true, false = tag + b"\x01", tag + b"\x00"
        return [f"out += {true!r} if {value} else {false!r}"]
    if kind in (Kind.INT32, Kind.INT64):
        bits = 32 if kind is Kind.INT32 else 64
        return [
            f"out += {tag!r}",
            f"if type({value}) is int and 0 <= {value} < 128:",
            f"    out.append({value})",
            "else:",
            f"    out += _ei({value}.__index__(), {bits})",
        ]
    if kind is Kind.DOUBLE:
        return [f"out += {tag!r}", f"out += _pd({value})"]
    if kind is Kind.STRING:
        return [f"out += {tag!r}", f"s = {value}.encode()"] + _write_len("s")
    if kind is Kind.BYTES:
        return [f"out += {tag!r}", f"s = bytes({value})"] + _write_len("s")
    assert kind is Kind.MESSAGE
    return [f"out += {tag!r}", f"s = _e_{field.message}({value})"] + _write_len("s")


def _encode_field(field: FieldSpec) -> list[str]:
    tag = _tag_bytes(field.number, wire.WIRE_LEN)
    if field.kind is Kind.MAP:
        return [
            "for key, val in x.items():",
            "    kb = key.encode()",
            "    vb = val.encode()",
            "    s = b'\\n' + _ev(len(kb)) + kb + b'\\x12' + _ev(len(vb)) + vb",
            f"    out += {tag!r}",
        ] + ["    " + line for line in _write_len("s")]
    if field.packed:
        if field.kind is Kind.DOUBLE:
            packed = "s = _pack(f'<{len(x)}d', *x)"
        elif field.kind is Kind.BOOL:
            packed = "s = bytes(1 if item else 0 for item in x)"
        else:
            bits = 32 if field.kind is Kind.INT32 else 64
            packed = f"s = b''.join([_ei(item.__index__(), {bits}) for item in x])"
        return [f"out += {tag!r}", packed] + _write_len("s")
    if field.repeated:
        return ["for item in x:"] + ["    " + line for line in _encode_scalar(field, "item")]
    return _encode_scalar(field, "x")
