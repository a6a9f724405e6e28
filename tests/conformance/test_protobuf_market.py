"""The market data family against the official client, at every version the issue lists.

Requests encode byte for byte as the official ``EClient`` writes them (text below
206, protobuf from 206); what our server side encodes decodes in the official
``Decoder`` to the same values (text below 206, protobuf from 206).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ibwire.fields import UNSET_DOUBLE
from ibwire.messages.common import ComboLeg, Contract, DeltaNeutralContract
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

from .oracle import (
    VERSIONS,
    connected,
    official_bytes,
    official_calls,
    official_contract,
    official_refusal,
    tag_values,
    through_official,
    unset,
)

text = st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="\\"),
               max_size=8)
int32 = st.integers(-(2**31), 2**31 - 2)
finite = st.floats(allow_nan=False, allow_infinity=False, width=32)
decimals = st.none() | st.decimals(
    min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=4, allow_nan=False
)
legs = st.builds(
    ComboLeg, con_id=int32, ratio=int32, action=text, exchange=text, open_close=int32,
    short_sale_slot=int32, designated_location=text, exempt_code=int32,
)
delta_neutral = st.builds(DeltaNeutralContract, con_id=int32, delta=finite, price=finite)
contracts = st.builds(
    Contract, con_id=st.integers(0, 2**31 - 2), symbol=text, sec_type=text,
    last_trade_date_or_contract_month=text, last_trade_date=text,
    strike=st.none() | finite | st.just(UNSET_DOUBLE), right=text,
    multiplier=st.sampled_from(["", "1", "100", "0.5"]), exchange=text,
    primary_exchange=text, currency=text, local_symbol=text, trading_class=text,
    include_expired=st.booleans(), sec_id_type=text, sec_id=text, description=text,
    issuer_id=text, combo_legs_descrip=text,
    combo_legs=st.lists(legs, max_size=2).map(tuple),
    delta_neutral_contract=st.none() | delta_neutral,
)
options = st.sampled_from(["", "a=1;"])


def _text_options(version: int, request: Any, name: str, refusal: str) -> Any:
    """The request the official client sends: below 206, without its options.

    The official Python client refuses options in the text form
    (``NotImplementedError("not supported")``, reported as an error, nothing
    sent) though it sends them from 206; IB's Java ``EClient`` sends them in the
    text form too (``tag=value;`` text in the last field, from
    MIN_SERVER_VER_LINKING), and so does ibwire: the same bytes as without
    options but for that field.
    """
    options = getattr(request, name)
    if version >= 206 or not options:
        return request
    assert "not supported" in refusal
    plain = dataclasses.replace(request, **{name: ""})
    assert _sent(version, request)[4:] == _sent(version, plain)[4:-1] + options.encode() + b"\0"
    return plain


def _sent(version: int, request: Any) -> bytes:
    client, _ = connected(version)
    client.send(request)
    return client.data_to_send()



def _as_sent(request: Any) -> Any:
    """The request as the official client sends it: without the contract's
    ``lastTradeDate`` (neither form of a request carries it), an unset strike
    given as the official ``UNSET_DOUBLE`` left out (read as ``None``)."""
    contract = dataclasses.replace(
        request.contract, last_trade_date="", strike=unset(request.contract.strike)
    )
    return dataclasses.replace(request, contract=contract)


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=25, deadline=None)
@given(req_id=int32, contract=contracts, ticks=text, snapshot=st.booleans(),
       regulatory=st.booleans(), options_text=options)
def test_req_mkt_data_bytes(
    version: int, req_id: int, contract: Contract, ticks: str, snapshot: bool,
    regulatory: bool, options_text: str,
) -> None:
    request = ReqMktData(req_id=req_id, contract=contract, generic_tick_list=ticks,
                         snapshot=snapshot, regulatory_snapshot=regulatory,
                         mkt_data_options=options_text)
    if version < 206 and options_text:
        refusal = official_refusal(version, lambda c: c.reqMktData(
            req_id, official_contract(contract), ticks, snapshot, regulatory,
            tag_values(options_text)))
        request = _text_options(version, request, "mkt_data_options", refusal)
        options_text = ""
    client, server = connected(version)
    client.send(request)
    sent = client.data_to_send()
    assert sent == official_bytes(version, lambda c: c.reqMktData(
        req_id, official_contract(contract), ticks, snapshot, regulatory,
        tag_values(options_text)))
    if version >= 206:
        server.receive_data(sent)
        assert server.events_received() == [_as_sent(request)]


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=25, deadline=None)
@given(req_id=int32, contract=contracts, rows=int32, smart=st.booleans(),
       options_text=options)
def test_req_mkt_depth_bytes(
    version: int, req_id: int, contract: Contract, rows: int, smart: bool, options_text: str
) -> None:
    request = ReqMktDepth(req_id=req_id, contract=contract, num_rows=rows, is_smart_depth=smart,
                          mkt_depth_options=options_text)
    if version < 206 and options_text:
        refusal = official_refusal(version, lambda c: c.reqMktDepth(
            req_id, official_contract(contract), rows, smart, tag_values(options_text)))
        request = _text_options(version, request, "mkt_depth_options", refusal)
        options_text = ""
    client, server = connected(version)
    client.send(request)
    sent = client.data_to_send()
    assert sent == official_bytes(version, lambda c: c.reqMktDepth(
        req_id, official_contract(contract), rows, smart, tag_values(options_text)))
    if version >= 206:
        server.receive_data(sent)
        assert server.events_received() == [_as_sent(request)]


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=20, deadline=None)
@given(req_id=int32, smart=st.booleans(), data_type=int32)
def test_cancels_and_market_data_type_bytes(
    version: int, req_id: int, smart: bool, data_type: int
) -> None:
    requests = [CancelMktData(req_id=req_id), CancelMktDepth(req_id=req_id, is_smart_depth=smart),
                ReqMarketDataType(market_data_type=data_type)]
    client, server = connected(version)
    for request in requests:
        client.send(request)
    sent = client.data_to_send()

    def calls(c: Any) -> None:
        c.cancelMktData(req_id)
        c.cancelMktDepth(req_id, smart)
        c.reqMarketDataType(data_type)

    assert sent == official_bytes(version, calls)
    if version >= 206:
        server.receive_data(sent)
        assert server.events_received() == requests


_SIZE_OF = {1: 0, 2: 3, 4: 5, 66: 69, 67: 70, 68: 71}
tick_types = st.integers(0, 110)


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=25, deadline=None)
@given(req_id=int32, tick_type=tick_types, price=finite, size=decimals,
       attrib=st.builds(TickAttrib, can_auto_execute=st.booleans(), past_limit=st.booleans(),
                        pre_open=st.booleans()),
       string=text, generic=finite, data_type=int32)
def test_ticks_match_the_official_decoder(
    version: int, req_id: int, tick_type: int, price: float, size: Decimal | None,
    attrib: TickAttrib, string: str, generic: float, data_type: int,
) -> None:
    _, server = connected(version)
    server.send(TickPrice(req_id=req_id, tick_type=tick_type, price=price, size=size,
                          attrib=attrib))
    server.send(TickSize(req_id=req_id, tick_type=tick_type, size=size))
    server.send(TickString(req_id=req_id, tick_type=tick_type, value=string))
    server.send(TickGeneric(req_id=req_id, tick_type=tick_type, value=generic))
    server.send(TickSnapshotEnd(req_id=req_id))
    server.send(MarketDataType(req_id=req_id, market_data_type=data_type))
    data = server.data_to_send()
    if version >= 206:
        assert data[4:8] == (201).to_bytes(4, "big")
    calls = official_calls(version, data)
    (name, (got_id, got_type, got_price, got_attrib)), *rest = calls
    assert (name, got_id, got_type, got_price) == ("tickPrice", req_id, tick_type, price)
    assert (got_attrib.canAutoExecute, got_attrib.pastLimit, got_attrib.preOpen) == (
        attrib.can_auto_execute, attrib.past_limit, attrib.pre_open)
    if tick_type in _SIZE_OF:
        name, args = rest.pop(0)
        assert (name, args[:2], unset(args[2])) == ("tickSize", (req_id, _SIZE_OF[tick_type]),
                                                    size)
    name, args = rest.pop(0)
    assert (name, args[:2], unset(args[2])) == ("tickSize", (req_id, tick_type), size)
    assert rest == [
        ("tickString", (req_id, tick_type, string)),
        ("tickGeneric", (req_id, tick_type, generic)),
        ("tickSnapshotEnd", (req_id,)),
        ("marketDataType", (req_id, data_type)),
    ]


optional = st.none() | finite


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=25, deadline=None)
@given(req_id=int32, tick_type=tick_types, attrib=st.sampled_from([0, 1]),
       implied_vol=st.none() | st.floats(0, 10, width=32), delta=optional, opt_price=optional,
       pv_dividend=optional, gamma=optional, vega=optional, theta=optional, und_price=optional)
def test_option_computation_matches_the_official_decoder(version: int, **values: Any) -> None:
    for name, marker in (("delta", -2), ("gamma", -2), ("vega", -2), ("theta", -2),
                         ("opt_price", -1), ("pv_dividend", -1), ("und_price", -1)):
        if values[name] == marker:
            values[name] = None
    message = TickOptionComputation(tick_attrib=values.pop("attrib"), **values)
    _, server = connected(version)
    server.send(message)
    ((name, args),) = official_calls(version, server.data_to_send())
    assert name == "tickOptionComputation"
    assert args == (
        message.req_id, message.tick_type, message.tick_attrib, message.implied_vol,
        message.delta, message.opt_price, message.pv_dividend, message.gamma, message.vega,
        message.theta, message.und_price,
    )


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=25, deadline=None)
@given(req_id=int32, min_tick=finite, bbo=text, permissions=int32, position=int32,
       maker=text, operation=st.integers(0, 2), side=st.integers(0, 1), price=finite,
       size=decimals, smart=st.booleans())
def test_params_and_depth_match_the_official_decoder(
    version: int, req_id: int, min_tick: float, bbo: str, permissions: int, position: int,
    maker: str, operation: int, side: int, price: float, size: Decimal | None, smart: bool,
) -> None:
    _, server = connected(version)
    server.send(TickReqParams(req_id=req_id, min_tick=min_tick, bbo_exchange=bbo,
                              snapshot_permissions=permissions))
    server.send(MarketDepth(req_id=req_id, position=position, operation=operation, side=side,
                            price=price, size=size))
    server.send(MarketDepthL2(req_id=req_id, position=position, market_maker=maker,
                              operation=operation, side=side, price=price, size=size,
                              is_smart_depth=smart))
    calls = official_calls(version, server.data_to_send())
    assert [(name, tuple(unset(v) for v in args)) for name, args in calls] == [
        ("tickReqParams", (req_id, min_tick, bbo, permissions)),
        ("updateMktDepth", (req_id, position, operation, side, price, size)),
        ("updateMktDepthL2", (req_id, position, maker, operation, side, price, size, smart)),
    ]


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=10, deadline=None)
@given(req_id=int32, con_id=int32, exchange=text)
def test_reroutes_match_the_official_decoder(
    version: int, req_id: int, con_id: int, exchange: str
) -> None:
    _, server = connected(version)
    server.send(RerouteMktDataReq(req_id=req_id, con_id=con_id, exchange=exchange))
    server.send(RerouteMktDepthReq(req_id=req_id, con_id=con_id, exchange=exchange))
    calls = official_calls(version, server.data_to_send())
    assert calls == [
        ("rerouteMktDataReq", (req_id, con_id, exchange)),
        ("rerouteMktDepthReq", (req_id, con_id, exchange)),
    ]


incoming = st.one_of(
    st.builds(TickPrice, req_id=int32, tick_type=int32, price=finite, size=decimals,
              attrib=st.builds(TickAttrib, can_auto_execute=st.booleans(),
                               past_limit=st.booleans(), pre_open=st.booleans())),
    st.builds(TickSize, req_id=int32, tick_type=int32, size=decimals),
    st.builds(TickString, req_id=int32, tick_type=int32, value=text),
    st.builds(TickGeneric, req_id=int32, tick_type=int32, value=finite),
    st.builds(TickOptionComputation, req_id=int32, tick_type=int32,
              tick_attrib=st.none() | int32, implied_vol=st.none() | st.floats(0, 9),
              delta=st.none() | st.floats(0, 1), und_price=st.none() | st.floats(0, 9)),
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


@settings(max_examples=100, deadline=None)
@given(incoming)
def test_official_serialization_decodes_to_the_same_values(message: Any) -> None:
    assert through_official(message) == message
