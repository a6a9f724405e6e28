"""IB's text field rules, both directions: the only module that knows them.

On the text protocol (server versions up to 200) every field travels as text
followed by a NUL byte.  This module defines:

* the UNSET sentinels of the official clients and their text spellings;
* :class:`Kind`, one per field type: how a wire field becomes a Python value and
  back.  A kind is a pair of *expression templates* that the codec inlines into
  the decoders and encoders it generates, so that decoding a field costs one
  expression, not a helper call (see ``docs/topics/design.rst``);
* the helpers those templates call where an expression is not enough
  (:func:`opt_int`, :func:`opt_decimal`, :func:`unescape`, ...);
* the printable-ASCII rule for outgoing text and the decoding of incoming bytes,
  including the handshake reply whose time zone may not be UTF-8.

Unset values are ``None`` in every message and domain object; the conversion
between ``None`` and the wire's empty strings and sentinels lives here only.
"""

from __future__ import annotations

import codecs
import math
import re
import sys
from decimal import Decimal, InvalidOperation
from enum import IntEnum
from typing import Final

from ._record import dataclass

__all__ = [
    "BOOL",
    "DECIMAL",
    "ESC_STR",
    "FLOAT",
    "FLOAT_SENTINEL",
    "INT",
    "LONG",
    "OPT_BOOL",
    "OPT_DECIMAL_MAX",
    "OPT_FLOAT",
    "OPT_FLOAT_MAX",
    "OPT_INT",
    "OPT_INT_MAX",
    "OPT_LONG",
    "STR",
    "TEXT_ERRORS",
    "MAX_ID_DIGITS",
    "UNSET_DECIMAL",
    "UNSET_DOUBLE",
    "UNSET_INTEGER",
    "UNSET_LONG",
    "Kind",
    "can_send_double",
    "check_printable_ascii",
    "decode_handshake_text",
    "decode_payload",
    "escape",
    "format_decimal",
    "format_float",
    "is_printable_ascii",
    "opt_bool",
    "opt_decimal",
    "opt_float",
    "opt_int",
    "opt_long",
    "read_id",
    "unescape",
]

#: The official "no value" integer (2**31 - 1).
UNSET_INTEGER: Final = 2**31 - 1
#: The official "no value" double (``sys.float_info.max``).
UNSET_DOUBLE: Final = sys.float_info.max
#: The official "no value" long (2**63 - 1).
UNSET_LONG: Final = 2**63 - 1
#: The official "no value" Decimal (2**127 - 1).
UNSET_DECIMAL: Final = Decimal(2**127 - 1)

_UNSET_INT_TEXT: Final = str(UNSET_INTEGER)
_UNSET_LONG_TEXT: Final = str(UNSET_LONG)
_UNSET_DOUBLE_TEXT: Final = repr(UNSET_DOUBLE)  # what Python's str() writes
_INFINITY_TEXT: Final = "Infinity"

#: Spellings of an unset double: empty, Python's and Java's max-double.
_UNSET_FLOAT_TEXTS: Final = frozenset(
    {"", _UNSET_DOUBLE_TEXT, "1.7976931348623157E308", "1.7976931348623157e308"}
)
#: Spellings of an unset Decimal (protocol.md 1.6).
_UNSET_DECIMAL_TEXTS: Final = frozenset(
    {
        "",
        _UNSET_INT_TEXT,
        _UNSET_LONG_TEXT,
        "1.7976931348623157E308",
        _UNSET_DOUBLE_TEXT,
        "-9223372036854775808",
        str(2**127 - 1),
    }
)

# --------------------------------------------------------------------------- helpers


def opt_int(text: str) -> int | None:
    """Decode an int field where empty or ``2147483647`` means unset."""
    if text == "" or text == _UNSET_INT_TEXT:
        return None
    return int(text)


def opt_long(text: str) -> int | None:
    """Decode a long field where empty or ``9223372036854775807`` means unset."""
    if text == "" or text == _UNSET_LONG_TEXT:
        return None
    return int(text)


def opt_float(text: str) -> float | None:
    """Decode a double where empty or the max-double literal means unset.

    ``"Infinity"`` decodes to ``math.inf``.
    """
    if text in _UNSET_FLOAT_TEXTS:
        return None
    return float(text)


def opt_bool(text: str) -> bool | None:
    """Decode a boolean where empty means unset."""
    if text == "":
        return None
    return int(text) != 0


#: Recently decoded quantities: sizes repeat, and a dict hit is several times
#: cheaper than building a Decimal (``benchmarks/bench_framing.py``).  Decimals
#: are immutable, so sharing them is safe.  Unset spellings map to None.
_DECIMAL_CACHE: dict[str, Decimal | None] = dict.fromkeys(_UNSET_DECIMAL_TEXTS)
_DECIMAL_CACHE_LIMIT: Final = 4096


def opt_decimal(text: str) -> Decimal | None:
    """Decode a Decimal quantity; the unset spellings of protocol.md 1.6 give None.

    Raises:
        ValueError: the text is not a decimal number.
    """
    if text in _DECIMAL_CACHE:
        return _DECIMAL_CACHE[text]
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a decimal number: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite decimal number: {text!r}")
    if len(_DECIMAL_CACHE) >= _DECIMAL_CACHE_LIMIT:
        _DECIMAL_CACHE.clear()
        _DECIMAL_CACHE.update(dict.fromkeys(_UNSET_DECIMAL_TEXTS))
    _DECIMAL_CACHE[text] = value
    return value


def can_send_double(value: float) -> bool:
    """Whether TWS accepts ``value``: any double but NaN and minus infinity."""
    return value == value and value != -math.inf


def format_float(value: float) -> str:
    """Encode a double as the official client does (``str``), infinity as ``Infinity``."""
    if value == math.inf:
        return _INFINITY_TEXT
    # can_send_double, written out: this runs once per double of every request.
    if value != value or value == -math.inf:
        raise ValueError(f"cannot send {value!r} to TWS")
    return str(float(value))


def format_decimal(value: Decimal) -> str:
    """Encode a Decimal as a plain decimal string (``"100"``, ``"0.5"``), never exponent form."""
    if not isinstance(value, Decimal):
        value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"cannot send {value!r} to TWS")
    text = format(value, "f")
    return text


_ESCAPE_RE: Final = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})")


def _unescape_match(match: re.Match[str]) -> str:
    return chr(int(match.group(1) or match.group(2), 16))


def unescape(text: str) -> str:
    """Undo the server's ``\\uXXXX`` escapes (server >= 153, ``ENCODE_MSG_ASCII7``).

    Surrogate pairs written as two escapes become one character.  Text without a
    backslash is returned as it is.
    """
    if "\\" not in text:
        return text
    result = _ESCAPE_RE.sub(_unescape_match, text)
    if any("\ud800" <= ch <= "\udfff" for ch in result):
        result = result.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return result


def escape(text: str) -> str:
    """Escape non-ASCII characters as ``\\uXXXX`` (what a server >= 153 sends)."""
    if text.isascii():
        return text
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if code < 0x80:
            out.append(ch)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    return "".join(out)


# --------------------------------------------------------------------------- text

#: Name of the codec error handler used for incoming text: bytes that are not
#: UTF-8 are read as Latin-1 (what a non-English TWS on Windows may send), so
#: that decoding never fails and loses nothing.
TEXT_ERRORS: Final = "ibwire.latin1"


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error(TEXT_ERRORS, _latin1_fallback)


def decode_payload(payload: bytes) -> str:
    """Decode a frame payload to text: UTF-8, with Latin-1 for stray bytes."""
    return payload.decode("utf-8", TEXT_ERRORS)


def _reads_as_chinese(text: str) -> bool:
    """Whether GB18030 text is Chinese rather than a Western single-byte text
    read as pairs: ideographs only, none of them inside a Latin word."""
    for index, char in enumerate(text):
        if char.isascii():
            continue
        if not "\u3000" <= char <= "\u9fff":
            return False
        around = text[index - 1 : index] + text[index + 1 : index + 2]
        if any(near.isascii() and near.isalpha() for near in around):
            return False
    return True


def decode_handshake_text(raw: bytes) -> str:
    """Decode a handshake reply field that may be in the gateway's locale.

    A Chinese-locale gateway writes its time zone in GBK, a Western-European
    one on Windows in cp1252 (``"Mitteleuropäische Zeit"``).  UTF-8 is tried
    first, then GB18030 (a superset of GBK) when what it reads is Chinese (the
    accented letters of cp1252 would also pass, as ideographs glued to Latin
    letters), then cp1252, then Latin-1, which always succeeds.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if _reads_as_chinese(text):
            return text
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


_NOT_PRINTABLE: Final = re.compile(r"[^\t\n\r\x20-\x7e]")


def is_printable_ascii(text: str) -> bool:
    """Whether ``text`` may be sent: ASCII 32..126 plus TAB, LF and CR."""
    return _NOT_PRINTABLE.search(text) is None


def check_printable_ascii(text: str) -> int:
    """Index of the first character that may not be sent, or -1 if none."""
    match = _NOT_PRINTABLE.search(text)
    return -1 if match is None else match.start()


#: The most digits a message id or a version may have (a long's 19 would not fit).
MAX_ID_DIGITS: Final = 18


def read_id(text: str | bytes) -> int | None:
    """A message id or server version: 1 to :data:`MAX_ID_DIGITS` ASCII digits,
    else ``None`` (never an error, whatever the peer sent)."""
    if 0 < len(text) <= MAX_ID_DIGITS and text.isascii() and text.isdigit():
        return int(text)
    return None


# --------------------------------------------------------------------------- kinds


@dataclass(frozen=True, slots=True)
class Kind:
    """How one wire field converts, as expression templates for generated code.

    Attributes:
        name: a short name shown in documentation and error messages.
        decode: expression template over ``{x}`` (the field's text) giving the value.
        encode: expression template over ``{v}`` (the value) giving the text.
        py_type: the Python type of a set value, for documentation and tests.
        optional: whether ``None`` is a legal value (unset).
        since_escape: for text kinds, the server version from which the
            server escapes non-ASCII characters (``None``: never).
        helpers: names the templates use, mapped to the objects they mean.
        raw: decode expression template over ``{x}`` as the field's *bytes*
            (the hot path reads numbers without decoding the payload to text);
            ``None``: decode the bytes to text, then apply ``decode``.
    """

    name: str
    decode: str
    encode: str
    py_type: type
    optional: bool = False
    since_escape: int | None = None
    helpers: tuple[tuple[str, object], ...] = ()
    raw: str | None = None

    def decode_expr(self, x: str, version: int) -> str:
        """The decode expression for source text ``x`` at ``version``."""
        if self.since_escape is not None and version >= self.since_escape:
            return f"_unescape({x})"
        return self.decode.format(x=x)

    def raw_decode_expr(self, x: str, version: int) -> str:
        """The decode expression for source bytes ``x`` at ``version``.

        It gives the value :meth:`decode_expr` gives for the same field decoded
        as text (UTF-8, Latin-1 for stray bytes: :func:`decode_payload`).
        """
        if self.since_escape is not None and version >= self.since_escape:
            return f"_unescape({x}.decode('utf-8', _TEXT_ERRORS))"
        if self.raw is not None:
            return self.raw.format(x=x)
        return self.decode.format(x=f"{x}.decode('utf-8', _TEXT_ERRORS)")

    def encode_expr(self, v: str, version: int, *, server: bool = False) -> str:
        """The encode expression for value expression ``v`` at ``version``."""
        if server and self.since_escape is not None and version >= self.since_escape:
            return f"_escape({v})"
        return self.encode.format(v=v)


def _sentinel_float(text: str, sentinel: float) -> float | None:
    if text in _UNSET_FLOAT_TEXTS:
        return None
    value = float(text)
    return None if value == sentinel else value


# The same rules over the raw bytes of a field: ``int()`` and ``float()`` read
# ASCII bytes as they read text, so numbers skip the UTF-8 decoding of the
# payload (``benchmarks/bench_decode.py``).
_UNSET_INT_RAW: Final = frozenset({b"", _UNSET_INT_TEXT.encode()})
_UNSET_LONG_RAW: Final = frozenset({b"", _UNSET_LONG_TEXT.encode()})
_UNSET_FLOAT_RAW: Final = frozenset(text.encode() for text in _UNSET_FLOAT_TEXTS)
_DECIMAL_CACHE_RAW: dict[bytes, Decimal | None] = dict.fromkeys(
    text.encode() for text in _UNSET_DECIMAL_TEXTS
)


#: The ints 0..1023 by their wire spelling (and the empty field, which reads as
#: 0): ids, tick types, sides, positions and counts are small, and a dict hit
#: is about half the cost of ``int()`` on bytes (``benchmarks/bench_decode.py``).
#: Any other spelling ("01", "-5", "100000") goes through ``int()``.
_SMALL_INTS: Final[dict[bytes, int]] = {str(n).encode(): n for n in range(1024)}
_SMALL_INTS[b""] = 0


def _opt_decimal_raw(raw: bytes) -> Decimal | None:
    value = opt_decimal(raw.decode("utf-8", TEXT_ERRORS))
    if len(_DECIMAL_CACHE_RAW) >= _DECIMAL_CACHE_LIMIT:
        _DECIMAL_CACHE_RAW.clear()
        _DECIMAL_CACHE_RAW.update(dict.fromkeys(text.encode() for text in _UNSET_DECIMAL_TEXTS))
    _DECIMAL_CACHE_RAW[raw] = value
    return value


def _sentinel_float_raw(raw: bytes, sentinel: float) -> float | None:
    if raw in _UNSET_FLOAT_RAW:
        return None
    value = float(raw)
    return None if value == sentinel else value


_HELPERS: Final[tuple[tuple[str, object], ...]] = (
    ("_opt_int", opt_int),
    ("_opt_long", opt_long),
    ("_opt_float", opt_float),
    ("_opt_bool", opt_bool),
    ("_opt_decimal", opt_decimal),
    ("_decimals", _DECIMAL_CACHE),
    ("_fmt_float", format_float),
    ("_fmt_decimal", format_decimal),
    ("_unescape", unescape),
    ("_escape", escape),
    ("_sentinel_float", _sentinel_float),
    ("_TEXT_ERRORS", TEXT_ERRORS),
    ("_ints", _SMALL_INTS),
    ("_UNSET_INT_RAW", _UNSET_INT_RAW),
    ("_UNSET_LONG_RAW", _UNSET_LONG_RAW),
    ("_UNSET_FLOAT_RAW", _UNSET_FLOAT_RAW),
    ("_decimals_raw", _DECIMAL_CACHE_RAW),
    ("_opt_decimal_raw", _opt_decimal_raw),
    ("_sentinel_float_raw", _sentinel_float_raw),
)


#: The helpers of the kinds made by :func:`INT_ENUM`, by name.
_ENUM_HELPERS: dict[str, object] = {}


def helper_namespace() -> dict[str, object]:
    """The names every kind's templates may use, for the codec's generated code."""
    return {**dict(_HELPERS), **_ENUM_HELPERS}


_RAW_INT: Final = "(_ints[{x}] if {x} in _ints else int({x} or 0))"

#: A required int; an empty field reads as 0, as in the official decoder.
INT: Final = Kind("int", "int({x} or 0)", "str({v})", int, raw=_RAW_INT)
#: A long (64-bit) int; same text rules as INT.
LONG: Final = Kind("long", "int({x} or 0)", "str({v})", int, raw=_RAW_INT)
#: An int where empty or 2147483647 is unset; unset is sent as empty, and so is
#: the official ``UNSET_INTEGER`` given as the value, as the official client's
#: ``make_field_handle_empty`` writes it (a strike, a scanner or order limit).
OPT_INT: Final = Kind(
    "int?",
    "_opt_int({x})",
    f'("" if {{v}} is None or {{v}} == {_UNSET_INT_TEXT} else str({{v}}))',
    int,
    optional=True,
    raw="(None if {x} in _UNSET_INT_RAW else int({x}))",
)
#: An int where unset is sent as the literal 2147483647 (the official client does so).
OPT_INT_MAX: Final = Kind(
    "int?max",
    "_opt_int({x})",
    f'("{_UNSET_INT_TEXT}" if {{v}} is None else str({{v}}))',
    int,
    optional=True,
    raw="(None if {x} in _UNSET_INT_RAW else int({x}))",
)
#: A long where empty or 2**63-1 is unset; unset is sent as empty.
OPT_LONG: Final = Kind(
    "long?",
    "_opt_long({x})",
    '("" if {v} is None else str({v}))',
    int,
    optional=True,
    raw="(None if {x} in _UNSET_LONG_RAW else int({x}))",
)
#: A required double; empty reads as 0.0, ``Infinity`` as infinity.
FLOAT: Final = Kind("float", "float({x} or 0)", "_fmt_float({v})", float, raw="float({x} or 0)")
#: A double where empty or max-double is unset; unset is sent as empty, and so
#: is the official ``UNSET_DOUBLE`` given as the value, as the official client's
#: ``make_field_handle_empty`` writes it.  (That function also empties a double
#: equal to ``UNSET_INTEGER``; here 2147483647.0 is a price like any other.)
OPT_FLOAT: Final = Kind(
    "float?",
    "_opt_float({x})",
    f'("" if {{v}} is None or {{v}} == {_UNSET_DOUBLE_TEXT} else _fmt_float({{v}}))',
    float,
    optional=True,
    raw="(None if {x} in _UNSET_FLOAT_RAW else float({x}))",
)
#: A double where unset is sent as the literal max-double (the official client does so).
OPT_FLOAT_MAX: Final = Kind(
    "float?max",
    "_opt_float({x})",
    f'("{_UNSET_DOUBLE_TEXT}" if {{v}} is None else _fmt_float({{v}}))',
    float,
    optional=True,
    raw="(None if {x} in _UNSET_FLOAT_RAW else float({x}))",
)
#: A boolean sent as 1/0; any non-zero integer reads as true, empty as false.
BOOL: Final = Kind(
    "bool", "(int({x} or 0) != 0)", '("1" if {v} else "0")', bool, raw=f"({_RAW_INT} != 0)"
)
#: A boolean where empty is unset.
OPT_BOOL: Final = Kind(
    "bool?",
    "_opt_bool({x})",
    '("" if {v} is None else ("1" if {v} else "0"))',
    bool,
    optional=True,
    raw='(None if {x} == b"" else int({x}) != 0)',
)
#: Text, as it is.
STR: Final = Kind("str", "{x}", "{v}", str, raw="{x}.decode('utf-8', _TEXT_ERRORS)")
#: Text the server escapes to ASCII from version 153 (error texts, long names, JSON).
ESC_STR: Final = Kind("str", "{x}", "{v}", str, since_escape=153)
#: A Decimal quantity; every unset spelling reads as None; None is sent as empty.
DECIMAL: Final = Kind(
    "Decimal",
    "(_decimals[{x}] if {x} in _decimals else _opt_decimal({x}))",
    '("" if {v} is None else _fmt_decimal({v}))',
    Decimal,
    optional=True,
    raw="(_decimals_raw[{x}] if {x} in _decimals_raw else _opt_decimal_raw({x}))",
)
#: A Decimal sent as the literal 2147483647 when unset.
OPT_DECIMAL_MAX: Final = Kind(
    "Decimal?max",
    "_opt_decimal({x})",
    f'("{_UNSET_INT_TEXT}" if {{v}} is None else _fmt_decimal({{v}}))',
    Decimal,
    optional=True,
    raw="_opt_decimal_raw({x})",
)


def FLOAT_SENTINEL(unset: str) -> Kind:  # noqa: N802 - reads like the other kinds
    """A double whose "not computed" value is the literal ``unset`` (e.g. ``"-2"``).

    Option greeks use such sentinels: the value decodes to ``None``, and ``None``
    (or the sentinel value itself) encodes back to the literal ``unset``, so that
    the wire form of a decoded message is a fixed point (``-2.0`` goes out as
    ``-2``).  Empty and max-double also read as ``None``.
    """
    sentinel = float(unset)
    return Kind(
        f"float?{unset}",
        f"_sentinel_float({{x}}, {sentinel!r})",
        f'("{unset}" if {{v}} is None or {{v}} == {sentinel!r} else _fmt_float({{v}}))',
        float,
        optional=True,
        raw=f"_sentinel_float_raw({{x}}, {sentinel!r})",
    )


def INT_ENUM(enum: type[IntEnum]) -> Kind:  # noqa: N802 - reads like the other kinds
    """A required int that reads as a member of ``enum`` (``TickType``).

    The text rules are INT's (empty reads as 0) and the member writes as its
    number, so the wire form is INT's.  ``enum`` must take every int: a code it
    does not list goes through ``enum(code)``, which its ``_missing_`` answers
    with a pseudo-member (see :class:`~ibwire.messages.ticktypes.TickType`).
    """
    name = enum.__name__
    by_text = {str(int(member)): member for member in enum}
    by_raw = {text.encode(): member for text, member in by_text.items()}
    _ENUM_HELPERS[f"_enum_{name}"] = enum
    _ENUM_HELPERS[f"_enum_{name}_text"] = by_text
    _ENUM_HELPERS[f"_enum_{name}_raw"] = by_raw
    text, raw = f"_enum_{name}_text", f"_enum_{name}_raw"
    return Kind(
        name,
        f"({text}[{{x}}] if {{x}} in {text} else _enum_{name}(int({{x}} or 0)))",
        "str(int({v}))",
        enum,
        raw=f"({raw}[{{x}}] if {{x}} in {raw} else _enum_{name}(int({{x}} or 0)))",
    )
