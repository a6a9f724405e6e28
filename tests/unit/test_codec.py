from __future__ import annotations

import linecache
import traceback
from dataclasses import dataclass

import pytest

from ibwire.codec import INCOMING, OUTGOING, Codec, decoder_for, encoder_for, source_of
from ibwire.errors import LocalProtocolError, MalformedMessageError, UnsupportedByServerError
from ibwire.fields import INT, STR
from ibwire.ids import IncomingId, OutgoingId
from ibwire.messages import ComboLeg, Contract, NextValidId, ReqMktData, TickPrice
from ibwire.messages._base import Custom, F, Message, Opt, Repeat, Struct, Ver, When
from ibwire.messages.common import DeltaNeutralContract


@dataclass(frozen=True, slots=True, kw_only=True)
class Moved(Message):
    a: str = ""
    b: int = 0

    WIRE = (
        Ver(9, before=136),
        When("ver >= 9", (F("a", STR),), before=136),
        F("a", STR, since=136),
        When("version >= 150", (F("b", INT),)),
    )


Moved.MSG_ID = 9999


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    x: int = 0
    y: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Lists(Message):
    head: str = ""
    items: tuple[Item, ...] = ()
    nums: tuple[int, ...] = ()
    opt: DeltaNeutralContract | None = None
    tail: str = ""

    WIRE = (
        F("head", STR),
        When(
            "{head} == 'many'", (Repeat("items", Struct(None, Item, (F("x", INT), F("y", STR)))),)
        ),
        Repeat("nums", INT),
        Opt("opt", DeltaNeutralContract, (F("con_id", INT),)),
        Custom(
            "tail",
            lambda f, i, v: (f[i].upper(), i + 1),
            lambda value, out, v: out.append(value.lower()),
        ),
    )


Lists.MSG_ID = 9998


def test_registries_hold_every_class_once() -> None:
    assert INCOMING[IncomingId.TICK_PRICE] is TickPrice
    assert OUTGOING[OutgoingId.REQ_MKT_DATA] is ReqMktData
    for registry in (INCOMING, OUTGOING):
        for msg_id, cls in registry.items():
            assert cls.MSG_ID == msg_id


def test_generated_decoder_is_flat_and_cached() -> None:
    src = source_of(TickPrice, 176)
    statements = [line.strip() for line in src.splitlines()]
    # A fixed layout is unpacked (which checks the field count): no branch at all,
    # no version ifs, no try.
    assert statements[1] == "_, _, f2, f3, f4, f5, f6, = f"
    assert [s for s in statements if s.startswith(("if ", "try", "for ", "while "))] == []
    assert decoder_for(TickPrice, 176) is decoder_for(TickPrice, 176)
    assert decoder_for(TickPrice, 176) is not decoder_for(TickPrice, 175)


def test_generated_source_is_in_linecache() -> None:
    fn = decoder_for(TickPrice, 176)
    filename = fn.__code__.co_filename
    assert linecache.getline(filename, 1).startswith("def decode")
    with pytest.raises(ValueError) as info:
        fn(["1", "6", "x", "1", "1", "", "0"])
    text = "".join(traceback.format_exception(info.value))
    assert "int(f2 or 0)" in text


def test_field_that_moves_between_versions() -> None:
    assert decoder_for(Moved, 120)(["9999", "9", "x"]) == Moved(a="x")
    assert decoder_for(Moved, 120)(["9999", "8"]) == Moved()
    assert decoder_for(Moved, 176)(["9999", "x", "7"]) == Moved(a="x", b=7)
    assert encoder_for(Moved, 176)(Moved(a="x", b=7)) == ["9999", "x", "7"]
    assert encoder_for(Moved, 120)(Moved(a="x")) == ["9999", "9", "x"]


def test_lists_after_dynamic_positions() -> None:
    message = Lists(
        head="many",
        items=(Item(x=1, y="a"), Item(x=2, y="b")),
        nums=(5, 6, 7),
        opt=DeltaNeutralContract(con_id=3),
        tail="z",
    )
    fields = encoder_for(Lists, 176)(message)
    assert fields == ["9998", "many", "2", "1", "a", "2", "b", "3", "5", "6", "7", "1", "3", "z"]
    assert decoder_for(Lists, 176)(fields) == Lists(
        head="many",
        items=message.items,
        nums=(5, 6, 7),
        opt=DeltaNeutralContract(con_id=3),
        tail="Z",
    )
    short = encoder_for(Lists, 176)(Lists(head="one", items=(Item(),)))
    assert short == ["9998", "one", "0", "0", ""]


def test_bag_with_several_legs_roundtrips() -> None:
    legs = (
        ComboLeg(con_id=5, ratio=1, action="BUY", exchange="SMART"),
        ComboLeg(con_id=6, ratio=2, action="SELL", exchange="SMART"),
    )
    message = ReqMktData(req_id=1, contract=Contract(sec_type="BAG", combo_legs=legs))
    fields = Codec(176).encode(message)
    assert Codec(176, server=True).decode(fields) == message


def test_diagnosis_names_the_field() -> None:
    codec = Codec(176)
    with pytest.raises(MalformedMessageError) as info:
        codec.decode(["9", "1", "abc"])
    assert info.value.field_index == 2
    assert info.value.field_name == "order_id"
    assert info.value.msg_id == 9
    with pytest.raises(MalformedMessageError) as info:
        codec.decode(["9", "1"])
    assert "missing" in info.value.reason
    with pytest.raises(MalformedMessageError) as info:
        codec.decode(["9", "1", "5", "6"])
    assert info.value.field_index == 3


def test_encode_refuses_fields_the_version_lacks() -> None:
    codec = Codec(110)
    with pytest.raises(UnsupportedByServerError) as info:
        codec.encode(ReqMktData(req_id=1, contract=Contract(), regulatory_snapshot=True))
    assert info.value.feature == "ReqMktData.regulatory_snapshot"
    assert info.value.required == 114
    assert codec.encode(ReqMktData(req_id=1, contract=Contract()))[:3] == ["1", "11", "1"]


def test_encode_refuses_the_wrong_direction() -> None:
    with pytest.raises(LocalProtocolError):
        Codec(176).encode(NextValidId(order_id=1))
    assert Codec(176, server=True).encode(NextValidId(order_id=1)) == ["9", "1", "1"]


def test_fast_init_keeps_the_dataclass_contract() -> None:
    import inspect

    from ibwire.messages import ReqHistoricalData, TickAttrib

    params = inspect.signature(TickPrice).parameters
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    tick = TickPrice(req_id=1, tick_type=2, price=3.0)
    assert tick.attrib == TickAttrib() and tick.size is None
    assert TickPrice(req_id=1, tick_type=2, price=3.0).attrib is not None
    with pytest.raises(TypeError):
        TickPrice(req_id=1)  # type: ignore[call-arg]
    with pytest.raises(AttributeError):
        tick.price = 4.0  # type: ignore[misc]
    request = ReqHistoricalData(
        req_id=1, contract=Contract(), duration_str="1 D", bar_size_setting="1 min", what_to_show="TRADES"
    )
    assert request.format_date == 1 and request.chart_options == ""


def test_record_classes_keep_the_dataclass_contract() -> None:
    import dataclasses
    import inspect
    import pickle

    from ibwire.messages import ContractDetails, TickAttrib

    # Signatures, before and after the first construction compiles __init__.
    for _ in range(2):
        params = inspect.signature(ContractDetails.__init__).parameters
        assert list(params)[:3] == ["self", "contract", "market_name"]
        ContractDetails()
    assert dataclasses.is_dataclass(TickPrice)
    assert [f.name for f in dataclasses.fields(TickPrice)] == [
        "req_id", "tick_type", "price", "size", "attrib"
    ]
    tick = TickPrice(req_id=1, tick_type=2, price=3.0, attrib=TickAttrib(past_limit=True))
    assert dataclasses.replace(tick, price=4.0) == TickPrice(
        req_id=1, tick_type=2, price=4.0, attrib=TickAttrib(past_limit=True)
    )
    assert dataclasses.asdict(tick)["attrib"] == {
        "can_auto_execute": False, "past_limit": True, "pre_open": False
    }
    assert pickle.loads(pickle.dumps(tick)) == tick
    assert hash(tick) == hash(dataclasses.replace(tick))
    assert tick != dataclasses.replace(tick, req_id=2)
    assert tick != NextValidId(order_id=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tick.price = 1.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del tick.price  # type: ignore[misc]
    match tick:
        case TickPrice(req_id=1, attrib=TickAttrib(past_limit=True)):
            pass
        case _:
            pytest.fail("keyword class patterns match records")


@pytest.mark.parametrize(
    "mask", [b"0", b"1", b"2", b"3", b"4", b"5", b"6", b"7", b"8", b"15", b"07", b"", b"-1"]
)
def test_raw_bitmask_reads_as_the_text_decoder(mask: bytes) -> None:
    # The raw decoder reads the usual spellings from a table by their bytes;
    # any other spelling takes the number, and both give the text decoder's value.
    fields = [b"1", b"6", b"9", b"1", b"187.25", b"300", mask]
    raw = decoder_for(TickPrice, 176, raw=True)(fields)
    text = decoder_for(TickPrice, 176)([field.decode() for field in fields])
    assert raw == text
    value = int(mask or b"0") & 7
    assert raw.attrib.can_auto_execute is bool(value & 1)
    assert raw.attrib.past_limit is bool(value & 2)
    assert raw.attrib.pre_open is bool(value & 4)


@pytest.mark.parametrize("head", ["9" * 5000, "x", "99999"])
def test_diagnose_of_an_id_that_names_no_message(head: str) -> None:
    error = Codec(176).diagnose([head, "1"], ValueError("boom"))
    assert isinstance(error, MalformedMessageError)
    assert error.field_index == 0


@pytest.mark.parametrize("number", ["\u0663", "\u0085 5", "\uff15"])
def test_decode_reads_numbers_as_the_stream_does_and_names_the_field(number: str) -> None:
    with pytest.raises(MalformedMessageError) as caught:
        Codec(176).decode(["2", "6", number, "0", "100"])  # TickSize: req_id is not ASCII
    assert caught.value.field_index == 2
    assert caught.value.field_name == "req_id"
