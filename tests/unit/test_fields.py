from __future__ import annotations

import math
from decimal import Decimal

import pytest

from ibwire import fields
from ibwire.fields import (
    UNSET_DECIMAL,
    UNSET_DOUBLE,
    UNSET_INTEGER,
    UNSET_LONG,
    can_send_double,
    check_printable_ascii,
    decode_handshake_text,
    decode_payload,
    escape,
    format_decimal,
    format_float,
    is_printable_ascii,
    opt_bool,
    opt_decimal,
    opt_float,
    opt_int,
    opt_long,
    read_id,
    unescape,
)
from ibwire.messages.ticktypes import TickType


def test_sentinels_match_official_values() -> None:
    assert UNSET_INTEGER == 2147483647
    assert UNSET_DOUBLE == 1.7976931348623157e308
    assert UNSET_LONG == 9223372036854775807
    assert UNSET_DECIMAL == Decimal(2**127 - 1)


@pytest.mark.parametrize("text", ["", "2147483647"])
def test_opt_int_unset(text: str) -> None:
    assert opt_int(text) is None


def test_opt_int_values() -> None:
    assert opt_int("0") == 0
    assert opt_int("-5") == -5
    with pytest.raises(ValueError):
        opt_int("x")


def test_opt_long() -> None:
    assert opt_long("9223372036854775807") is None
    assert opt_long("") is None
    assert opt_long("5000000000") == 5000000000


@pytest.mark.parametrize(
    "text", ["", "1.7976931348623157e+308", "1.7976931348623157E308"]
)
def test_opt_float_unset(text: str) -> None:
    assert opt_float(text) is None


def test_opt_float_infinity_and_values() -> None:
    assert opt_float("Infinity") == math.inf
    assert opt_float("150.25") == 150.25


def test_opt_bool() -> None:
    assert opt_bool("") is None
    assert opt_bool("0") is False
    assert opt_bool("1") is True


@pytest.mark.parametrize(
    "text",
    ["", "2147483647", "9223372036854775807", "1.7976931348623157E308", "-9223372036854775808"],
)
def test_opt_decimal_unset_spellings(text: str) -> None:
    assert opt_decimal(text) is None


def test_opt_decimal_values() -> None:
    assert opt_decimal("100") == Decimal("100")
    assert opt_decimal("0.5") == Decimal("0.5")
    with pytest.raises(ValueError):
        opt_decimal("abc")
    with pytest.raises(ValueError):
        opt_decimal("NaN")


def test_format_float() -> None:
    assert format_float(150.25) == "150.25"
    assert format_float(math.inf) == "Infinity"
    assert format_float(3) == "3.0"
    with pytest.raises(ValueError):
        format_float(math.nan)


@pytest.mark.parametrize("value", [0.0, -0.0, 1.5, -1e308, math.inf, -math.inf, math.nan])
def test_format_float_sends_what_can_send_double_allows(value: float) -> None:
    # format_float writes the rule out on its hot path: both must agree.
    try:
        format_float(value)
    except ValueError:
        sent = False
    else:
        sent = True
    assert sent == can_send_double(value)


def test_format_decimal_never_uses_exponent() -> None:
    assert format_decimal(Decimal("1E+2")) == "100"
    assert format_decimal(Decimal("0.5")) == "0.5"
    with pytest.raises(ValueError):
        format_decimal(Decimal("Infinity"))


def test_unescape() -> None:
    assert unescape("plain") == "plain"
    assert unescape("caf\\u00e9") == "café"
    assert unescape("\\ud83d\\ude00") == "\U0001f600"
    assert unescape("path\\x") == "path\\x"


def test_escape_roundtrip() -> None:
    for text in ["café", "日本", "\U0001f600 ok", "ascii"]:
        assert unescape(escape(text)) == text
    assert escape("ascii") == "ascii"
    assert escape("é").isascii()


def test_printable_ascii_rule() -> None:
    assert is_printable_ascii("AAPL 150.0\t\n\r")
    assert not is_printable_ascii("caf\u00e9")
    assert not is_printable_ascii("a\x00b")
    assert not is_printable_ascii("\x7f")
    assert check_printable_ascii("ab\x01") == 2
    assert check_printable_ascii("ok") == -1


def test_payload_with_latin1_bytes_never_fails() -> None:
    assert decode_payload("é".encode()) == "é"
    assert decode_payload(b"caf\xe9") == "café"


def test_handshake_time_zone_in_gbk() -> None:
    raw = "20240324 21:18:59 中国标准时间".encode("gbk")
    assert decode_handshake_text(raw) == "20240324 21:18:59 中国标准时间"
    assert decode_handshake_text(b"20240324 EST") == "20240324 EST"
    assert isinstance(decode_handshake_text(b"\xff\xfe\xfd"), str)


@pytest.mark.parametrize(
    "zone",
    ["Hora estándar de Europa central", "Mitteleuropäische Zeit", "Heure normale d’Europe centrale"],
)
def test_handshake_time_zone_in_a_western_windows_locale(zone: str) -> None:
    # A Spanish, German or French TWS on Windows writes its zone in cp1252, whose
    # accented letters GB18030 would also read, as ideographs inside the words.
    raw = f"20241203 09:30:00 {zone}".encode("cp1252")
    assert decode_handshake_text(raw) == f"20241203 09:30:00 {zone}"


def test_kinds_render_templates() -> None:
    assert fields.INT.decode_expr("x", 176) == "int(x or 0)"
    assert fields.ESC_STR.decode_expr("x", 152) == "x"
    assert fields.ESC_STR.decode_expr("x", 153) == "_unescape(x)"
    assert fields.ESC_STR.encode_expr("v", 176, server=True) == "_escape(v)"
    assert fields.ESC_STR.encode_expr("v", 176) == "v"


def test_float_sentinel_kind() -> None:
    ns = fields.helper_namespace()
    kind = fields.FLOAT_SENTINEL("-2")
    decode = eval("lambda x: " + kind.decode_expr("x", 176), ns)  # noqa: S307
    encode = eval("lambda v: " + kind.encode_expr("v", 176), ns)  # noqa: S307
    assert decode("-2") is None
    assert decode("0.5") == 0.5
    assert decode("") is None
    assert encode(None) == "-2"
    assert encode(0.5) == "0.5"


def test_decimal_cache_shares_values_and_stays_bounded() -> None:
    first = opt_decimal("12345.5")
    assert opt_decimal("12345.5") is first
    for n in range(5000):
        opt_decimal(f"{n}.25")
    assert len(fields._DECIMAL_CACHE) <= fields._DECIMAL_CACHE_LIMIT
    assert opt_decimal("") is None
    assert opt_decimal("2147483647") is None


def test_float_sentinel_writes_the_sentinel_value_as_its_literal() -> None:
    ns = fields.helper_namespace()
    encode = eval("lambda v: " + fields.FLOAT_SENTINEL("-2").encode_expr("v", 176), ns)  # noqa: S307
    assert encode(-2.0) == "-2"


_SAMPLES = [
    "",
    "0",
    "1",
    "-2",
    "-1",
    "42",
    "2147483647",
    "9223372036854775807",
    "1.5",
    "-2.0",
    "Infinity",
    "1.7976931348623157E308",
    "1.7976931348623157e308",
    str(UNSET_DOUBLE),
    "170141183460469231731687303715884105727",
    "abc",
    "caf\u00e9",
    "\\u00e9t\\u00e9",
]
_KINDS = [
    fields.INT,
    fields.LONG,
    fields.OPT_INT,
    fields.OPT_INT_MAX,
    fields.OPT_LONG,
    fields.FLOAT,
    fields.OPT_FLOAT,
    fields.OPT_FLOAT_MAX,
    fields.BOOL,
    fields.OPT_BOOL,
    fields.STR,
    fields.ESC_STR,
    fields.DECIMAL,
    fields.OPT_DECIMAL_MAX,
    fields.FLOAT_SENTINEL("-2"),
    fields.INT_ENUM(TickType),
]


def _evaluate(expr: str, value: object) -> object:
    namespace = fields.helper_namespace()
    namespace["x"] = value
    try:
        return eval(expr, namespace)  # noqa: S307 - our own templates
    except (ValueError, ArithmeticError) as exc:
        return type(exc)


@pytest.mark.parametrize("kind", _KINDS, ids=lambda k: k.name)
@pytest.mark.parametrize("version", [152, 153, 200])
def test_raw_templates_read_bytes_as_the_text_templates_read_text(
    kind: fields.Kind, version: int
) -> None:
    """The hot path reads a field's bytes; the value is the one the text gives."""
    for text in [*_SAMPLES, "caf\xe9 latin-1"]:
        raw = text.encode("latin-1") if text.endswith("latin-1") else text.encode("utf-8")
        expected = _evaluate(kind.decode_expr("x", version), decode_payload(raw))
        got = _evaluate(kind.raw_decode_expr("x", version), raw)
        assert got == expected, (kind.name, text)
        assert type(got) is type(expected), (kind.name, text)


def test_an_int_enum_kind_reads_members_and_keeps_unknown_codes() -> None:
    kind = fields.INT_ENUM(TickType)
    for text, expected in [("1", TickType.BID), ("", TickType.BID_SIZE), ("90", TickType.DELAYED_HALTED)]:
        for expr, x in [(kind.decode_expr("x", 200), text), (kind.raw_decode_expr("x", 200), text.encode())]:
            got = _evaluate(expr, x)
            assert got is expected
    for expr, x in [(kind.decode_expr("x", 200), "4242"), (kind.raw_decode_expr("x", 200), b"4242")]:
        unknown = _evaluate(expr, x)
        assert type(unknown) is TickType and unknown == 4242 and unknown.name == "UNKNOWN_4242"
        assert _evaluate(kind.encode_expr("x", 200), unknown) == "4242"
    assert _evaluate(kind.encode_expr("x", 200), TickType.ASK) == "2"
    assert _evaluate(kind.encode_expr("x", 200), 2) == "2"
    # Unknown codes are not remembered: a peer cannot grow the enum.
    assert 4242 not in TickType._value2member_map_


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0), ("49", 49), (b"49", 49), ("9" * 18, int("9" * 18)),
        ("", None), ("9" * 19, None), ("9" * 5000, None), (b"9" * 5000, None),
        ("-1", None), ("4x", None), ("\u0663", None), (" 4", None),
    ],
)  # fmt: skip
def test_read_id(text: str | bytes, expected: int | None) -> None:
    assert read_id(text) == expected


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        (fields.OPT_FLOAT, None, ""),
        (fields.OPT_FLOAT, UNSET_DOUBLE, ""),
        (fields.OPT_FLOAT, 2.5, "2.5"),
        (fields.OPT_FLOAT, float(UNSET_INTEGER), "2147483647.0"),
        (fields.OPT_INT, None, ""),
        (fields.OPT_INT, UNSET_INTEGER, ""),
        (fields.OPT_INT, 7, "7"),
        # The kinds the official client writes with make_field keep the literal.
        (fields.FLOAT, UNSET_DOUBLE, str(UNSET_DOUBLE)),
        (fields.OPT_FLOAT_MAX, UNSET_DOUBLE, str(UNSET_DOUBLE)),
        (fields.OPT_INT_MAX, UNSET_INTEGER, "2147483647"),
    ],
)
def test_official_unset_values_encode_as_the_official_client_writes_them(
    kind: fields.Kind, value: object, text: str
) -> None:
    # make_field_handle_empty writes UNSET_DOUBLE and UNSET_INTEGER empty.
    assert _evaluate(kind.encode_expr("x", 200), value) == text
