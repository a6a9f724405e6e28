"""Flat protobuf encoders and decoders, generated per message.

:class:`ProtobufCodec` turns each :class:`~ibwire.protobuf.schema.MessageSpec` into
two plain Python functions the first time the message is used: a decoder that
reads the fields in field-number order first (the order every encoder writes,
one test of the next bytes per field, see :func:`parse_lines`), then walks
whatever is left with the tag tests laid out as a balanced ``if`` tree and the
short varint and length cases inlined; and an encoder that writes each present
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
from collections.abc import Callable, Collection, Mapping
from typing import Any, Final

from ..errors import LocalProtocolError
from . import wire
from .schema import FieldSpec, Kind, MessageSpec
from .wire import PbDict, ProtobufDecodeError

__all__ = ["Decoder", "Encoder", "ProtobufCodec", "ProtobufEncodeError", "parse_lines"]

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
    """A value cannot be encoded into its protobuf field (wrong type, out of range).

    Attributes:
        field_name: the field that holds the value (dotted through nested
            messages, ``[i]`` for an item of a repeated field), when known.
    """

    def __init__(self, reason: str, *, field_name: str | None = None) -> None:
        super().__init__(reason)
        self.field_name = field_name


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
        straight: decoders read the fields in field-number order first, before
            the general loop (see :func:`parse_lines`); ``False`` gives the loop
            alone, the reference the tests compare the straight pass with.
    """

    def __init__(self, specs: Mapping[str, MessageSpec], *, straight: bool = True) -> None:
        self._specs = specs
        self._straight = straight
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
            **{
                f"_unpack_doubles{count}": struct.Struct("<" + "x".join("d" * count)).unpack_from
                for count in range(2, 16)
            },
            "_pd": struct.Struct("<d").pack,
            "_pack": struct.pack,
            "_ev": wire.encode_varint,
            "_ei": wire.encode_int,
            "_merge": self._merge,
            "_encode_error": self._encode_error,
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

    def parse_namespace(self, name: str) -> dict[str, Any]:
        """A copy of the globals generated decoders run with, holding the
        ``_d_<message>`` readers of message ``name`` and of every message nested
        in it: what code made by :func:`parse_lines` for ``name`` needs."""
        self._compile(name)
        return dict(self._namespace)

    def source(self, name: str) -> str:
        """The generated source of message ``name`` (for reading and debugging)."""
        spec = self._specs[name]
        return _decoder_source(spec, self._straight) + "\n" + _encoder_source(spec)

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

    def _encode_error(
        self, name: str, values: Mapping[str, Any], exc: Exception
    ) -> ProtobufEncodeError:
        """The error of an encoder that raised ``exc`` on ``values`` (the failure
        path only), naming the field whose value it could not write."""
        path = self._failing_field(name, values)
        if path is None:
            return ProtobufEncodeError(f"{name}: {exc}")
        return ProtobufEncodeError(f"{name}.{path}: {exc}", field_name=path)

    def _failing_field(self, name: str, values: Mapping[str, Any]) -> str | None:
        """The first field of ``values`` (message ``name``) that its encoder
        cannot write on its own; ``None`` when each can (a oneof set twice) or
        ``values`` is not a mapping."""
        if not isinstance(values, Mapping):
            return None
        encode = self._namespace[f"_e_{name}"]
        for field in self._specs[name].fields:
            value = values.get(field.name)
            if value is None:
                continue
            try:
                encode({field.name: value})
            except Exception:  # noqa: BLE001 - what is looked for
                pass
            else:
                continue
            if field.kind is Kind.MESSAGE:
                assert field.message is not None
                items = enumerate(value) if field.repeated else [(None, value)]
                for index, item in items:
                    inner = self._failing_field(field.message, item)
                    if inner is not None:
                        where = field.name if index is None else f"{field.name}[{index}]"
                        return f"{where}.{inner}"
            return field.name
        return None

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


def _decoder_source(spec: MessageSpec, straight: bool = True) -> str:
    """``_d_<name>(buf, pos, end)`` and the public ``decode_<name>(data)``."""
    name = spec.name
    lines = [f"def _d_{name}(buf, pos, end):"]
    lines += parse_lines(spec, {}, straight=straight)
    result = ", ".join(f"{field.name!r}: f{index}" for index, field in enumerate(spec.fields))
    lines += [
        f"    return {{{result}}}",
        "",
        f"def decode_{name}(data):",
        "    try:",
        f"        return _d_{name}(data, 0, len(data))",
        "    except UnicodeDecodeError as exc:",
        f"        raise _utf8({name!r}, exc) from None",
        "",
    ]
    return "\n".join(lines)


def parse_lines(
    spec: MessageSpec,
    calls: Mapping[str, str],
    *,
    straight: bool = True,
    raw: Collection[str] = (),
    initial: Mapping[str, str] | None = None,
) -> list[str]:
    """The body of a generated function of ``(buf, pos, end)`` that reads message
    ``spec`` into the locals ``f0``, ``f1``... (one per field, in field order):
    ``None`` for an absent singular field, a list for a repeated field, a dict for
    a map.

    A nested message field is read by ``_d_<message>(buf, pos, e)``, or by the
    function ``calls`` names for it; a field read by such a function that occurs
    twice (a singular nested message to merge) calls ``_redo()``, which raises.
    A string field named in ``raw`` is left as its bytes (the caller converts
    them, say to a :class:`~decimal.Decimal`, with no text between).  A
    singular field named in ``initial`` starts as that expression, not ``None``.

    With ``straight``, the fields are first read in field-number order, one test
    of the next byte per field, no loop (what IB sends, and what any protobuf
    encoder writes); whatever follows (fields out of order, a repeated field
    split, unknown fields, other wire types, tags written in more bytes than
    needed) is read by the general loop, which starts where that pass stopped, so
    the result is the loop's on any input.  Measured by
    ``benchmarks/bench_protobuf.py``: about twice as fast as the loop alone.
    """
    lines = []
    first = initial or {}
    for index, field in enumerate(spec.fields):
        start = first.get(field.name) or _initial(field.repeated, field.kind)
        lines.append(f"    f{index} = {start}")
    if straight:
        # Fields 16..2047 have two-byte tags whose second byte is number >> 4:
        # sixteen fields at a time are passed over with one test when the next
        # tag is not one of theirs (messages like Order have 180 fields and
        # carry a few dozen).
        block: int | None = None
        for run in _runs(spec):
            if len(run) > 1:
                lines += ["    " + line for line in _doubles(run, spec)]
                block = None
                continue
            index = run[0]
            field = spec.fields[index]
            second = field.number >> 4 if 16 <= field.number < 2048 else None
            if second is None:
                lines += ["    " + line for line in _straight(index, field, spec, calls, raw)]
                block = None
                continue
            if second != block:
                lines.append(f"    if pos + 1 < end and buf[pos + 1] == {second} and buf[pos] > 127:")
                block = second
            lines += ["        " + line for line in _straight(index, field, spec, calls, raw)]
    branches: list[tuple[int, list[str]]] = []
    for index, field in enumerate(spec.fields):
        number = field.number
        if field.repeated and field.kind in _PACKED_READER:
            branches.append((number << 3 | _WIRE_OF[field.kind], _single(index, field.kind, True)))
            branches.append((number << 3 | wire.WIRE_LEN, _packed(index, field.kind)))
        else:
            branches.append(
                (number << 3 | _WIRE_OF[field.kind], _branch(index, field, spec, calls, raw=raw))
            )
    branches.sort()
    lines += [
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
    return lines


def _runs(spec: MessageSpec) -> list[list[int]]:
    """The fields in order, consecutive plain doubles (bar prices, greeks) grouped."""
    runs: list[list[int]] = []
    for index, field in enumerate(spec.fields):
        if _plain_double(field) and index and _plain_double(spec.fields[index - 1]):
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _plain_double(field: FieldSpec) -> bool:
    return (
        field.kind is Kind.DOUBLE and not field.repeated and field.oneof is None
        and field.number < 16
    )  # fmt: skip


def _doubles(run: list[int], spec: MessageSpec) -> list[str]:
    """A run of doubles read by one unpack when all are there in order (one
    struct call instead of one per field), else field by field."""
    tags = [spec.fields[index].number << 3 | wire.WIRE_FIXED64 for index in run]
    size = 9 * len(run)
    test = " and ".join(f"buf[pos + {9 * n}] == {tag}" if n else f"buf[pos] == {tag}"
                        for n, tag in enumerate(tags))  # fmt: skip
    targets = ", ".join(f"f{index}" for index in run)
    lines = [
        f"if pos + {size} <= end and {test}:",
        f"    {targets} = _unpack_doubles{len(run)}(buf, pos + 1)",
        f"    pos += {size}",
        "else:",
    ]
    for index in run:
        lines += ["    " + line for line in _straight(index, spec.fields[index], spec, {})]
    return lines


def _straight(
    index: int,
    field: FieldSpec,
    spec: MessageSpec,
    calls: Mapping[str, str],
    raw: Collection[str] = (),
) -> list[str]:
    """Field ``index`` read where the straight pass expects it: its usual tag
    (the packed one for a packed field) as the next bytes.  The test of the tag
    takes in the first byte after it (a one-byte length, a one-byte varint) or
    the room for a double."""
    kind = field.kind
    if field.packed:
        tag = _tag_bytes(field.number, wire.WIRE_LEN)
    else:
        tag = _tag_bytes(field.number, _WIRE_OF[kind])
    size = len(tag)
    test = " and ".join(f"buf[pos + {n}] == {byte}" if n else f"buf[pos] == {byte}"
                        for n, byte in enumerate(tag))  # fmt: skip
    keyword = "while" if field.repeated or kind is Kind.MAP else "if"
    # A scalar read here clears its oneof's other members, as the loop does.
    cleared = ["    " + line for line in _cleared(field, spec)]
    if kind is Kind.DOUBLE and not field.repeated:
        return [
            f"{keyword} pos + {size + 8} <= end and {test}:",
            f"    f{index} = _ud(buf, pos + {size})[0]",
            f"    pos += {size + 8}",
            *cleared,
        ]
    if kind in _READ_INT and not field.repeated:
        return [f"if pos + {size} < end and {test}:", *_varint_unrolled(index, kind, size), *cleared]
    if field.packed:
        body = _packed(index, kind)
    else:
        body = _branch(index, field, spec, calls, first=True, raw=raw)
    # A length-delimited value: the body after its length prefix.
    assert body[: len(_LENGTH)] == _LENGTH
    if kind is Kind.STRING and not field.repeated:
        # n, the first byte of the length, is 0 only for an empty string.
        body = [line.replace(".decode()", '.decode() if n else ""') for line in body]
    return [
        f"{keyword} pos + {size} < end and {test}:",
        f"    if (n := buf[pos + {size}]) < 128:",
        f"        pos += {size + 1}",
        "        e = pos + n",
        "        if e > end:",
        "            raise _short(pos)",
        f"    elif pos + {size + 1} < end and (m := buf[pos + {size + 1}]) < 128:",
        f"        pos += {size + 2}",
        "        e = pos + ((n & 127) | (m << 7))",
        "        if e > end:",
        "            _rl(buf, pos - 2, end)  # raises, as for a longer length",
        "    else:",
        f"        e, pos = _rl(buf, pos + {size}, end)",
    ] + ["    " + line for line in body[len(_LENGTH) :]]


# Varint bytes read inline by the straight pass: five for int32 (every value
# from 0 to 2**31 - 1: contract ids of options pass 2**28), seven for int64 (ids
# like permId, times in milliseconds: below 2**49), four for bool; longer ones
# (negative values) by a call.
_UNROLLED: Final = {Kind.INT32: 5, Kind.INT64: 7, Kind.BOOL: 4}
_BYTE_NAMES: Final = "bcdghjk"
_MINUS_ONE: Final = wire.encode_int(-1, 64)


def _varint_unrolled(index: int, kind: Kind, size: int) -> list[str]:
    """The varint after a tag of ``size`` bytes, into ``f<index>``, indented."""
    lines = []
    parts: list[str] = []
    for count in range(1, _UNROLLED[kind] + 1):
        name = _BYTE_NAMES[count - 1]
        at = size + count - 1
        last = f"({name} << {7 * (count - 1)})" if count > 1 else name
        value = " | ".join([*parts, last])
        if kind is Kind.BOOL:
            value = f"({value}) != 0"
        keyword = "if" if count == 1 else "elif"
        room = "" if count == 1 else f"pos + {at} < end and "
        # The fifth byte of an int32 holds bits 28..34: below 8, a value that
        # needs no wrapping to 32 bits.
        limit = 8 if kind is Kind.INT32 and count == 5 else 128
        lines += [
            f"    {keyword} {room}({name} := buf[pos + {at}]) < {limit}:",
            f"        f{index} = {value}",
            f"        pos += {at + 1}",
        ]
        parts.append(f"(({name} & 127) << {7 * (count - 1)})" if count > 1 else f"({name} & 127)")
    slow = "v != 0" if kind is Kind.BOOL else "v"
    if kind is not Kind.BOOL:
        # -1, ten bytes: IB's "no request id" (execution details, errors).
        lines += [
            f"    elif buf[pos + {size}:pos + {size + 10}] == {_MINUS_ONE!r}:",
            f"        f{index} = -1",
            f"        pos += {size + 10}",
        ]
    return lines + [
        "    else:",
        f"        v, pos = {_READ_INT[kind]}(buf, pos + {size}, end)",
        f"        f{index} = {slow}",
    ]


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


# A length prefix, one and two bytes inline.
_LENGTH: Final = [
    "if pos < end and (n := buf[pos]) < 128:",
    "    pos += 1",
    "    e = pos + n",
    "    if e > end:",
    "        raise _short(pos)",
    "elif pos + 1 < end and (m := buf[pos + 1]) < 128:",
    "    pos += 2",
    "    e = pos + ((n & 127) | (m << 7))",
    "    if e > end:",
    "        _rl(buf, pos - 2, end)  # raises, as for a longer length",
    "else:",
    "    e, pos = _rl(buf, pos, end)",
]


def _store(index: int, repeated: bool, value: str) -> str:
    if repeated:
        return f"f{index}.append({value})"
    return f"f{index} = {value}"


def _single(index: int, kind: Kind, repeated: bool) -> list[str]:
    """One scalar value (varint or double) of a field."""
    if kind is Kind.DOUBLE:
        return [
            "if pos + 8 > end:",
            "    raise _short(pos)",
            _store(index, repeated, "_ud(buf, pos)[0]"),
            "pos += 8",
        ]
    fast = "b != 0" if kind is Kind.BOOL else "b"
    two = "((b & 127) | (c << 7)) != 0" if kind is Kind.BOOL else "(b & 127) | (c << 7)"
    slow = "v != 0" if kind is Kind.BOOL else "v"
    return [
        "if pos < end and (b := buf[pos]) < 128:",
        "    " + _store(index, repeated, fast),
        "    pos += 1",
        "elif pos + 1 < end and (c := buf[pos + 1]) < 128:",
        "    " + _store(index, repeated, two),
        "    pos += 2",
        "else:",
        f"    v, pos = {_READ_INT[kind]}(buf, pos, end)",
        "    " + _store(index, repeated, slow),
    ]


def _packed(index: int, kind: Kind) -> list[str]:
    return _LENGTH + [
        f"f{index}.extend({_PACKED_READER[kind]}(buf, pos, e))",
        "pos = e",
    ]


def _branch(
    index: int,
    field: FieldSpec,
    spec: MessageSpec,
    calls: Mapping[str, str],
    first: bool = False,
    raw: Collection[str] = (),
) -> list[str]:
    """Field ``index`` read into its local; ``first``: in the straight pass, where
    a singular field has not been seen yet."""
    kind = field.kind
    if kind in _READ_INT or kind is Kind.DOUBLE:
        body = _single(index, kind, field.repeated)
    elif kind is Kind.STRING:
        text = "buf[pos:e]" if field.name in raw else "buf[pos:e].decode()"
        body = _LENGTH + [_store(index, field.repeated, text), "pos = e"]
    elif kind is Kind.BYTES:
        body = _LENGTH + [_store(index, field.repeated, "bytes(buf[pos:e])"), "pos = e"]
    elif kind is Kind.MAP:
        # An entry as every encoder writes it (key, then value, each under 128
        # bytes) inline; any other by the general reader.
        body = _LENGTH + [
            "if (",
            "    e - pos >= 4 and buf[pos] == 10 and (n := buf[pos + 1]) < 128",
            "    and pos + 4 + n <= e and buf[pos + 2 + n] == 18",
            "    and (m := buf[pos + 3 + n]) < 128 and pos + 4 + n + m == e",
            "):",
            f"    f{index}[buf[pos + 2 : pos + 2 + n].decode()] = buf[pos + 4 + n : e].decode()",
            "else:",
            "    k, v = _rme(buf, pos, e)",
            f"    f{index}[k] = v",
            "pos = e",
        ]
    else:
        call = calls.get(field.name, f"_d_{field.message}")
        if field.repeated:
            body = _LENGTH + [f"f{index}.append({call}(buf, pos, e))", "pos = e"]
        elif first:
            body = _LENGTH + [f"f{index} = {call}(buf, pos, e)", "pos = e"]
        elif field.name in calls:
            body = _LENGTH + [
                f"if f{index} is not None:",
                "    _redo()",
                f"f{index} = {call}(buf, pos, e)",
                "pos = e",
            ]
        else:
            body = _LENGTH + [
                f"v = {call}(buf, pos, e)",
                f"f{index} = v if f{index} is None else _merge({field.message!r}, f{index}, v)",
                "pos = e",
            ]
    return body + _cleared(field, spec)


def _cleared(field: FieldSpec, spec: MessageSpec) -> list[str]:
    """Lines that clear the other members of ``field``'s oneof (reading one
    member unsets the others); none outside a oneof."""
    if field.oneof is None:
        return []
    return [
        f"f{index} = None"
        for index, other in enumerate(spec.fields)
        if other.oneof == field.oneof and other.name != field.name
    ]


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
        f"        raise _encode_error({name!r}, values, exc) from exc",
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
