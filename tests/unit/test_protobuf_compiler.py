from __future__ import annotations

import linecache
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ibwire.protobuf import wire
from ibwire.protobuf.compiler import ProtobufCodec, ProtobufEncodeError
from ibwire.protobuf.schema import SCHEMA, Kind, MessageSpec, parse_table
from ibwire.protobuf.wire import ProtobufDecodeError

# A schema with every kind the codec handles; field numbers above 15 take
# two-byte tags.
TABLE = """
Leaf
    1 text string; 2 number int32
Empty
Sample
    1 i32 int32; 2 i64 int64; 3 flag bool; 4 price double; 5 name string; 6 raw bytes
    7 leaf Leaf; 8 leaves Leaf*; 9 options map; 10 dates int32*; 11 strikes double*
    12 names string*; 13 big int64*; 14 flags bool*; 20 far int32; 21 empty Empty
    30 a Leaf |choice; 31 b string |choice
"""
CODEC = ProtobufCodec(parse_table(TABLE))


def sample(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        field.name: [] if field.repeated else {} if field.kind is Kind.MAP else None
        for field in CODEC.specs["Sample"].fields
    }
    base.update(values)
    return base


def leaf(text: str | None = None, number: int | None = None) -> dict[str, Any]:
    return {"text": text, "number": number}


def test_absent_fields_are_none_and_present_zero_is_kept() -> None:
    assert CODEC.decode("Sample", b"") == sample()
    data = CODEC.encode("Sample", {"i32": 0, "price": 0.0, "name": "", "flag": False})
    assert data.hex() == "0800" "1800" "210000000000000000" "2a00"
    assert CODEC.decode("Sample", data) == sample(i32=0, price=0.0, name="", flag=False)


def test_known_bytes() -> None:
    values = {"i32": -1, "leaf": leaf("a", 1), "dates": [1, 300], "far": 5, "empty": {}}
    data = CODEC.encode("Sample", values)
    assert data.hex() == (
        "08ffffffffffffffffff01"  # 1: -1 as ten bytes
        "3a050a016110" "01"  # 7: Leaf{text="a", number=1}
        "5203" "01ac02"  # 10: packed [1, 300]
        "a00105"  # 20: two-byte tag
        "aa0100"  # 21: an empty nested message is written
    )
    assert CODEC.decode("Sample", data) == sample(
        i32=-1, leaf=leaf("a", 1), dates=[1, 300], far=5, empty={}
    )


def test_unpacked_repeated_scalars_are_accepted() -> None:
    data = bytes.fromhex("5001" "5002" "59" "0000000000000000")
    assert CODEC.decode("Sample", data) == sample(dates=[1, 2], strikes=[0.0])


def test_map_and_repeated_messages() -> None:
    values = {"options": {"a": "b", "": ""}, "leaves": [leaf(), leaf("x")], "names": ["p", ""]}
    data = CODEC.encode("Sample", values)
    # The map entry writes key and value even when empty, as the official runtime.
    assert bytes.fromhex("4a040a0012 00".replace(" ", "")) in data
    assert CODEC.decode("Sample", data) == sample(**values)


def test_unknown_fields_and_mismatched_wire_types_are_skipped() -> None:
    unknown = bytes.fromhex("b80301" "c2030161" "c903") + b"\x00" * 8 + bytes.fromhex("cd0300000000")
    mismatched = bytes.fromhex("0a0161")  # field 1 (int32) as length-delimited
    data = unknown + mismatched + bytes.fromhex("1002")
    assert CODEC.decode("Sample", data) == sample(i64=2)


def test_last_scalar_wins_and_nested_messages_merge() -> None:
    data = bytes.fromhex("0801" "0802" "3a030a0161" "3a021005")
    assert CODEC.decode("Sample", data) == sample(i32=2, leaf=leaf("a", 5))


def test_oneof_keeps_the_last_member() -> None:
    a = CODEC.encode("Sample", {"a": leaf("x")})
    b = CODEC.encode("Sample", {"b": "y"})
    assert CODEC.decode("Sample", a + b) == sample(b="y")
    assert CODEC.decode("Sample", b + a) == sample(a=leaf("x"))
    with pytest.raises(ProtobufEncodeError, match="more than one member of oneof choice"):
        CODEC.encode("Sample", {"a": leaf(), "b": ""})


@pytest.mark.parametrize(
    "values",
    [{"i32": "1"}, {"i32": 2**31}, {"i64": 1.5}, {"name": b"x"}, {"leaf": "x"},
     {"price": "x"}, {"dates": [2**40]}, {"name": "\ud800"}, {"options": {"a": 1}}],
)
def test_encode_errors_are_typed(values: dict[str, Any]) -> None:
    with pytest.raises(ProtobufEncodeError, match=r"^Sample[.:]"):
        CODEC.encode("Sample", values)


@pytest.mark.parametrize(
    ("values", "field"),
    [({"i32": 2**31}, "i32"), ({"i64": 2**63}, "i64"), ({"name": "a", "price": "x"}, "price"),
     ({"leaf": leaf("a", -(2**31) - 1)}, "leaf.number"),
     ({"leaves": [leaf(number=1), leaf(number=2**40)]}, "leaves[1].number"),
     ({"dates": [1, 2**40]}, "dates"), ({"options": {"a": 1}}, "options")],
)
def test_encode_errors_name_the_field(values: dict[str, Any], field: str) -> None:
    with pytest.raises(ProtobufEncodeError) as caught:
        CODEC.encode("Sample", values)
    assert caught.value.field_name == field
    assert str(caught.value).startswith(f"Sample.{field}: ")


def test_an_encode_error_no_one_field_explains_names_none() -> None:
    with pytest.raises(ProtobufEncodeError) as caught:
        CODEC.encode("Sample", {"a": leaf(), "b": ""})
    assert caught.value.field_name is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("08", "truncated varint"),
        ("0880", "truncated varint"),
        ("2a05616263", "runs past the end"),
        ("21000000", "runs past the end"),
        ("3a03" "0a0561", "runs past the end"),  # nested length past the nested end
        ("5202" "0180", "truncated varint"),  # packed run cut inside a varint
        ("5a05" + "00" * 5, "multiple of 8"),
        ("2a01ff", "not UTF-8"),
        ("0b", "wire type 3"),
        ("07", "field number 0"),
        ("ff", "truncated varint"),
    ],
)
def test_malformed_bodies(data: str, reason: str) -> None:
    with pytest.raises(ProtobufDecodeError, match=reason):
        CODEC.decode("Sample", bytes.fromhex(data))


def test_deep_nesting_is_bounded_by_the_schema() -> None:
    # 10,000 nested length-delimited layers in an unknown field are skipped as
    # bytes, never recursed into; the schemas themselves are not recursive.
    body = b""
    for _ in range(10_000):
        body = b"\xc2\x03" + wire.encode_varint(len(body)) + body
    assert CODEC.decode("Sample", body) == sample()
    assert _depth(SCHEMA) <= 4


def _depth(specs: Any) -> int:
    def depth(name: str, seen: tuple[str, ...]) -> int:
        assert name not in seen, f"recursive message {name}"
        nested = [f.message for f in specs[name].fields if f.message is not None]
        return 1 + max((depth(n, (*seen, name)) for n in nested), default=0)

    return max(depth(name, ()) for name in specs)


def test_huge_counts_cost_only_the_bytes_present() -> None:
    # Each repeated entry costs at least two bytes of input; a length announced
    # but absent is an error before anything is allocated.
    assert len(CODEC.decode("Sample", b"\x42\x00" * 1000)["leaves"]) == 1000
    with pytest.raises(ProtobufDecodeError, match="runs past the end"):
        CODEC.decode("Sample", b"\x52" + wire.encode_varint(2**40))


def test_generated_source_is_flat_and_readable() -> None:
    source = CODEC.source("Sample")
    assert "def _d_Sample(buf, pos, end):" in source
    assert "for field in" not in source
    with pytest.raises(ProtobufDecodeError) as info:
        CODEC.decode("Sample", b"\x08")
    frames = [code.co_filename for code in _tb_frames(info.value.__traceback__)]
    assert "<ibwire.protobuf Sample>" in frames
    assert linecache.getline("<ibwire.protobuf Sample>", 1).startswith("def _d_Sample")


def _tb_frames(tb: Any) -> list[Any]:
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    return frames


def test_unknown_message_name() -> None:
    with pytest.raises(KeyError):
        CODEC.decoder("Nope")


def test_every_schema_message_compiles_and_decodes_empty() -> None:
    codec = ProtobufCodec(SCHEMA)
    for name, spec in SCHEMA.items():
        decoded = codec.decode(name, b"")
        assert list(decoded) == [field.name for field in spec.fields]
        assert codec.encode(name, decoded) == b""


# ----------------------------------------------------------------- properties

int32 = st.integers(-(2**31), 2**31 - 1)
int64 = st.integers(-(2**63), 2**63 - 1)
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
doubles = st.floats(allow_nan=False)
leaves = st.builds(leaf, st.none() | text, st.none() | int32)


def _values(spec: MessageSpec) -> st.SearchStrategy[dict[str, Any]]:
    strategies: dict[str, st.SearchStrategy[Any]] = {
        "i32": st.none() | int32, "i64": st.none() | int64, "flag": st.none() | st.booleans(),
        "price": st.none() | doubles, "name": st.none() | text, "raw": st.none() | st.binary(),
        "leaf": st.none() | leaves, "leaves": st.lists(leaves, max_size=3),
        "options": st.dictionaries(text, text, max_size=3), "dates": st.lists(int32),
        "strikes": st.lists(doubles), "names": st.lists(text, max_size=3),
        "big": st.lists(int64), "flags": st.lists(st.booleans()), "far": st.none() | int32,
        "empty": st.none() | st.just({}), "a": st.none(), "b": st.none() | text,
    }
    assert set(strategies) == {field.name for field in spec.fields}
    return st.fixed_dictionaries(strategies)


@given(_values(CODEC.specs["Sample"]))
def test_round_trip(values: dict[str, Any]) -> None:
    assert CODEC.decode("Sample", CODEC.encode("Sample", values)) == values


@given(_values(CODEC.specs["Sample"]), st.data())
def test_truncated_or_corrupted_bodies_raise_only_decode_errors(
    values: dict[str, Any], data: st.DataObject
) -> None:
    body = bytearray(CODEC.encode("Sample", values))
    if body:
        cut = data.draw(st.integers(0, len(body)))
        del body[cut:]
    if body:
        index = data.draw(st.integers(0, len(body) - 1))
        body[index] = data.draw(st.integers(0, 255))
    _decode_or_error(bytes(body))


@given(st.binary(max_size=200))
def test_any_bytes_decode_or_raise_a_decode_error(body: bytes) -> None:
    _decode_or_error(body)


def _decode_or_error(body: bytes) -> None:
    try:
        decoded = CODEC.decode("Sample", body)
    except ProtobufDecodeError:
        return
    assert set(decoded) == {field.name for field in CODEC.specs["Sample"].fields}
    price = decoded["price"]
    assert price is None or isinstance(price, float)
