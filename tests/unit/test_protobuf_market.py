"""The market data family in protobuf form: same classes, same values, as text."""

from __future__ import annotations

import struct
import sys
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ibwire.events import MalformedMessage
from ibwire.messages.common import ComboLeg, Contract
from ibwire.messages.market_data import (
    CancelMktData,
    CancelMktDepth,
    MarketDataType,
    MarketDepth,
    MarketDepthL2,
    ReqMarketDataType,
    ReqMktData,
    ReqMktDepth,
    RerouteMktDataReq,
    RerouteMktDepthReq,
    TickAttrib,
    TickGeneric,
    TickOptionComputation,
    TickPrice,
    TickReqParams,
    TickSize,
    TickSnapshotEnd,
    TickString,
)
from ibwire.messages.system import NextValidId
from ibwire.protobuf import decode, encode
from ibwire.protobuf.market import options_map, options_text

from ..protobuf_forms import check_any_body, connected, raw


def test_request_bytes_at_206() -> None:
    client, server = connected(206)
    request = ReqMktData(req_id=7, contract=Contract(symbol="A"), snapshot=True)
    client.send(request)
    sent = client.data_to_send()
    # MarketDataRequest{reqId=7, contract{conId=0, symbol="A"}, snapshot=true}:
    # conId 0 is written, as the official client writes it.
    assert sent == raw(201, bytes.fromhex("0807" "1205" "0800" "1201" "41" "2001"))
    server.receive_data(sent)
    assert server.events_received() == [request]


def test_requests_are_text_below_206() -> None:
    client, _ = connected(205)
    client.send(CancelMktData(req_id=3))
    assert client.data_to_send() == struct.pack(">II", 8, 2) + b"2\x003\x00"


def test_options_travel_as_a_map() -> None:
    assert options_map("a=1;b=;c=x=y;") == {"a": "1", "b": "", "c": "x=y"}
    assert options_text({"a": "1", "b": ""}) == "a=1;b=;"
    client, server = connected(226)
    request = ReqMktDepth(req_id=1, contract=Contract(), num_rows=5, mkt_depth_options="k=v;")
    client.send(request)
    sent = client.data_to_send()
    assert decode("MarketDepthRequest", sent[8:])["marketDepthOptions"] == {"k": "v"}
    server.receive_data(sent)
    assert server.events_received() == [request]


def test_combo_leg_zeros_are_written() -> None:
    client, _ = connected(206)
    client.send(ReqMktData(req_id=1, contract=Contract(combo_legs=(ComboLeg(),))))
    contract = decode("MarketDataRequest", client.data_to_send()[8:])["contract"]
    assert contract is not None
    assert contract["comboLegs"] == [{
        "conId": 0, "ratio": 0, "action": None, "exchange": None, "openClose": 0,
        "shortSalesSlot": 0, "designatedLocation": None, "exemptCode": -1, "perLegPrice": None,
    }]  # fmt: skip


text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=8)
int32 = st.integers(-(2**31), 2**31 - 2)  # 2**31 - 1 is "unset"
finite = st.floats(allow_nan=False, allow_infinity=False)
decimals = st.none() | st.decimals(
    min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=4, allow_nan=False
)
attribs = st.builds(
    TickAttrib, can_auto_execute=st.booleans(), past_limit=st.booleans(), pre_open=st.booleans()
)
computed = st.none() | st.floats(0, 1e6)
incoming = st.one_of(
    st.builds(TickPrice, req_id=int32, tick_type=int32, price=finite, size=decimals,
              attrib=attribs),
    st.builds(TickSize, req_id=int32, tick_type=int32, size=decimals),
    st.builds(TickString, req_id=int32, tick_type=int32, value=text),
    st.builds(TickGeneric, req_id=int32, tick_type=int32, value=finite),
    st.builds(TickOptionComputation, req_id=int32, tick_type=int32,
              tick_attrib=st.none() | int32, implied_vol=computed, delta=computed,
              opt_price=computed, pv_dividend=computed, gamma=computed, vega=computed,
              theta=computed, und_price=computed),
    st.builds(TickSnapshotEnd, req_id=int32),
    st.builds(MarketDataType, req_id=int32, market_data_type=int32),
    st.builds(TickReqParams, req_id=int32, min_tick=finite, bbo_exchange=text,
              snapshot_permissions=int32, last_price_precision=decimals,
              last_size_precision=decimals),
    st.builds(MarketDepth, req_id=int32, position=int32, operation=int32, side=int32,
              price=finite, size=decimals),
    st.builds(MarketDepthL2, req_id=int32, position=int32, market_maker=text,
              operation=int32, side=int32, price=finite, size=decimals,
              is_smart_depth=st.booleans()),
    st.builds(RerouteMktDataReq, req_id=int32, con_id=int32, exchange=text),
    st.builds(RerouteMktDepthReq, req_id=int32, con_id=int32, exchange=text),
)  # fmt: skip
requests = st.one_of(
    st.builds(CancelMktData, req_id=int32),
    st.builds(CancelMktDepth, req_id=int32, is_smart_depth=st.booleans()),
    st.builds(ReqMarketDataType, market_data_type=int32),
)


@settings(max_examples=150, deadline=None)
@given(incoming)
def test_incoming_round_trip_at_206(message: object) -> None:
    client, server = connected(206)
    server.send(message)  # type: ignore[arg-type]
    data = server.data_to_send()
    assert int.from_bytes(data[4:8], "big") > 200
    client.receive_data(data)
    assert client.events_received() == [message]


@settings(max_examples=50, deadline=None)
@given(requests)
def test_request_round_trip_at_206(message: object) -> None:
    client, server = connected(206)
    client.send(message)  # type: ignore[arg-type]
    data = client.data_to_send()
    assert int.from_bytes(data[4:8], "big") > 200
    server.receive_data(data)
    assert server.events_received() == [message]


def received(msg_id: int, body: bytes) -> object:
    client, _ = connected(226)
    client.receive_data(raw(msg_id, body))
    (event,) = client.events_received()
    return event


def test_absent_fields_read_as_the_official_decoder_reads_them() -> None:
    unset_int, unset_double = 2**31 - 1, sys.float_info.max
    assert received(201, b"") == TickPrice(
        req_id=-1, tick_type=unset_int, price=unset_double, size=None, attrib=TickAttrib()
    )
    assert received(202, b"") == TickSize(req_id=-1, tick_type=unset_int, size=None)
    assert received(212, b"") == MarketDepth(
        req_id=-1, position=unset_int, operation=unset_int, side=unset_int,
        price=unset_double, size=None,
    )
    assert received(213, b"") == MarketDepthL2(
        req_id=-1, position=0, market_maker="", operation=unset_int, side=unset_int,
        price=unset_double, size=None,
    )
    assert received(281, b"") == TickReqParams(
        req_id=-1, min_tick=unset_double, bbo_exchange="", snapshot_permissions=unset_int
    )
    assert received(291, b"") == RerouteMktDataReq(req_id=-1, con_id=0, exchange="")
    assert received(292, b"") == RerouteMktDepthReq(req_id=-1, con_id=0, exchange="")


def _sized(msg_id: int, text: str) -> bytes:
    """A TickPrice (201), TickSize (202), MarketDepth (212) or MarketDepthL2 (213)
    body whose size is ``text``."""
    if msg_id in (201, 202):
        name = "TickPrice" if msg_id == 201 else "TickSize"
        return encode(name, {"reqId": 1, "tickType": 1, "size": text})
    data = {"position": 0, "operation": 0, "side": 0, "price": 1.0, "size": text}
    name = "MarketDepth" if msg_id == 212 else "MarketDepthL2"
    return encode(name, {"reqId": 1, "marketDepthData": data})


@pytest.mark.parametrize("msg_id", [201, 202, 212, 213])
@pytest.mark.parametrize(
    ("text", "size"),
    [("5", Decimal(5)), ("1E+3", Decimal(1000)), (str(2**127 - 1), None), ("2147483647", None),
     ("1.7976931348623157E308", None)],
)
def test_every_size_reads_as_a_quantity_does(msg_id: int, text: str, size: Decimal | None) -> None:
    # The unset spellings of the text form (protocol.md 1.6), the official
    # decoder's UNSET_DECIMAL (2**127 - 1) among them, are None in every message.
    event = received(msg_id, _sized(msg_id, text))
    assert isinstance(event, (TickPrice, TickSize, MarketDepth, MarketDepthL2))
    assert event.size == size


@pytest.mark.parametrize("msg_id", [201, 202, 212, 213])
def test_a_size_that_is_not_a_finite_number_is_malformed(msg_id: int) -> None:
    assert isinstance(received(msg_id, _sized(msg_id, "NaN")), MalformedMessage)


def test_not_computed_markers_read_as_none() -> None:
    body = encode("TickOptionComputation", {
        "reqId": 1, "tickType": 13, "impliedVol": -1.0, "delta": -2.0, "optPrice": -1.0,
        "pvDividend": -1.0, "gamma": -2.0, "vega": -2.0, "theta": -2.0, "undPrice": -1.0,
    })  # fmt: skip
    assert received(221, body) == TickOptionComputation(req_id=1, tick_type=13)
    body = encode("TickOptionComputation", {"reqId": 1, "tickType": 13, "delta": -1.0})
    assert received(221, body) == TickOptionComputation(req_id=1, tick_type=13, delta=-1.0)


def test_attr_mask_bits() -> None:
    body = encode("TickPrice", {"reqId": 1, "tickType": 1, "price": 2.5, "attrMask": 5})
    event = received(201, body)
    assert isinstance(event, TickPrice)
    assert event.attrib == TickAttrib(can_auto_execute=True, pre_open=True)
    _, server = connected(226)
    server.send(TickPrice(req_id=1, tick_type=1, price=2.5))
    # attrMask 0 is written: the official decoder reads an absent mask as every flag set.
    assert decode("TickPrice", server.data_to_send()[8:])["attrMask"] == 0


@pytest.mark.parametrize("msg_id", [201, 202, 212, 213, 221, 281])
def test_malformed_ticks_do_not_stop_the_stream(msg_id: int) -> None:
    client, _ = connected(226)
    client.receive_data(raw(msg_id, b"\x08") + raw(9, b"1\x005\x00"))
    bad, good = client.events_received()
    assert isinstance(bad, MalformedMessage)
    assert good == NextValidId(order_id=5)


_IDS: dict[int, tuple[type | None, type | None]] = {
    201: (TickPrice, ReqMktData), 202: (TickSize, CancelMktData),
    245: (TickGeneric, None), 246: (TickString, None), 221: (TickOptionComputation, None),
    257: (TickSnapshotEnd, None), 258: (MarketDataType, None), 259: (None, ReqMarketDataType),
    281: (TickReqParams, None), 212: (MarketDepth, None), 213: (MarketDepthL2, None),
    210: (None, ReqMktDepth), 211: (None, CancelMktDepth),
}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(_IDS)), st.binary(max_size=48))
def test_any_protobuf_body_gives_an_event_and_the_stream_goes_on(
    msg_id: int, body: bytes
) -> None:
    check_any_body(msg_id, body, _IDS[msg_id])
