"""Incoming messages of historical data (208), news (209), scanner and PnL (210),
the rest (211..213) and the configuration answers (219, 221), against the
official decoder.

What our server side encodes, at every version the issue lists (text below the
family's gate, protobuf from it), decodes in the official ``Decoder`` to the
EWrapper calls that carry the same values.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from ibwire import messages as m
from ibwire.errors import UnsupportedByServerError
from ibwire.protobuf import forms

from .oracle import VERSIONS
from .pb_oracle import (
    connected,
    contracts,
    finite,
    official_calls,
    our_frames,
    same,
    same_call,
    strategy,
)

forms._load_families()

_EXCEPTIONS = {
    "verify_message_api": "verifyMessageAPI",
    "receive_fa": "receiveFA",
    "replace_fa_end": "replaceFAEnd",
    "config_response": "configResponseProtoBuf",
    "update_config_response": "updateConfigResponseProtoBuf",
}


def official_name(cls: type) -> str:
    from ibwire.dispatch import CALLBACKS

    name = CALLBACKS[cls]
    if name in _EXCEPTIONS:
        return _EXCEPTIONS[name]
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _historical_data(calls: list[Any], message: m.HistoricalData) -> None:
    assert len(calls) == len(message.bars)
    for call, bar in zip(calls, message.bars, strict=True):
        assert call[0] == "historicalData" and call[1][0] == message.req_id
        same(call[1][1], bar)


def _scanner_data(calls: list[Any], message: m.ScannerData) -> None:
    assert [name for name, _ in calls] == ["scannerData"] * len(message.elements) + [
        "scannerDataEnd"
    ]
    for (_, args), item in zip(calls, message.elements, strict=False):
        req_id, rank, details, distance, benchmark, projection, legs = args
        assert (req_id, rank, distance, benchmark, projection, legs) == (
            message.req_id, item.rank, item.distance, item.benchmark, item.projection,
            item.legs_str,
        )
        same(details.contract, item.contract_details.contract)
        assert details.marketName == item.contract_details.market_name


def _smart_components(calls: list[Any], message: m.SmartComponents) -> None:
    ((name, (req_id, components)),) = calls
    assert name == "smartComponents" and req_id == message.req_id
    expected = {item.bit_number: (item.exchange, item.exchange_letter)
                for item in message.smart_component_map}
    if isinstance(components, list):
        # The official text decoder hands over a list of SmartComponent objects,
        # its protobuf decoder a dict of bit number -> (exchange, letter).
        components = {c.bitNumber: (c.exchange, c.exchangeLetter) for c in components}
    assert components == expected


def _tick_by_tick(calls: list[Any], tick: m.TickByTick) -> None:
    if tick.tick_type in (1, 2):
        ((name, args),) = calls
        assert name == "tickByTickAllLast"
        req_id, tick_type, time, price, size, attrib, exchange, conditions = args
        assert (req_id, tick_type, time, price, exchange, conditions) == (
            tick.req_id, tick.tick_type, tick.time, tick.price, tick.exchange,
            tick.special_conditions,
        )
        same(size, tick.size)
        same(attrib, tick.tick_attrib_last)
    elif tick.tick_type == 3:
        ((name, args),) = calls
        assert name == "tickByTickBidAsk"
        req_id, time, bid, ask, bid_size, ask_size, attrib = args
        assert (req_id, time, bid, ask) == (tick.req_id, tick.time, tick.bid_price, tick.ask_price)
        same(bid_size, tick.bid_size)
        same(ask_size, tick.ask_size)
        same(attrib, tick.tick_attrib_bid_ask)
    else:
        ((name, args),) = calls
        assert name == "tickByTickMidPoint"
        assert args == (tick.req_id, tick.time, tick.mid_point)


def _tick(kind: int) -> st.SearchStrategy[m.TickByTick]:
    attrs = {
        1: ("price", "size", "tick_attrib_last", "exchange", "special_conditions"),
        3: ("bid_price", "ask_price", "bid_size", "ask_size", "tick_attrib_bid_ask"),
        4: ("mid_point",),
    }[1 if kind == 2 else kind]
    base = strategy(m.TickByTick, {"tick_type": st.just(kind)})
    prices = {"price", "bid_price", "ask_price", "mid_point"}

    def keep(tick: m.TickByTick, extra: dict[str, Any]) -> m.TickByTick:
        values = {name: getattr(tick, name) for name in attrs}
        values.update({name: extra[name] for name in attrs if name in prices})
        if "tick_attrib_last" in values and values["tick_attrib_last"] is None:
            values["tick_attrib_last"] = m.TickAttribLast()
        if "tick_attrib_bid_ask" in values and values["tick_attrib_bid_ask"] is None:
            values["tick_attrib_bid_ask"] = m.TickAttribBidAsk()
        return m.TickByTick(req_id=tick.req_id, tick_type=kind, time=tick.time, **values)

    return st.builds(keep, base, st.fixed_dictionaries({name: finite for name in prices}))


#: Classes whose official calls are not one call with the message's values.
CHECKS: dict[type, Any] = {
    m.HistoricalData: _historical_data,
    m.ScannerData: _scanner_data,
    m.SmartComponents: _smart_components,
    m.TickByTick: _tick_by_tick,
}

#: Strategy overrides.
OVERRIDES: dict[type, dict[str, Any]] = {
    m.HistoricalData: {"start_date_str": st.just(""), "end_date_str": st.just("")},
    m.ScannerData: {"elements": st.lists(strategy(m.ScannerDataElement, {
        "contract_details": st.builds(m.ContractDetails, contract=contracts,
            market_name=st.text("abc", max_size=3)),
    }), max_size=2).map(tuple)},
}

#: Messages whose text form (below the family's gate) carries fewer contract
#: fields than the protobuf form: there the official values are compared with
#: what our decoder reads of the same text, not with the message sent.
TEXT_FORM_CARRIES_LESS = {m.ScannerData, m.SymbolSamples}


def read_back(version: int, frames: bytes) -> Any:
    """The one message our client decodes of ``frames``."""
    client, _ = connected(version)
    client.receive_data(frames)
    (message,) = client.events_received()
    return message

INCOMING = sorted(
    (form.cls for form in forms._REGISTRY.values()
     if form.incoming and form.since >= 208),
    key=lambda cls: cls.__name__,
)


STRATEGIES = {cls: strategy(cls, OVERRIDES.get(cls)) for cls in INCOMING}


def test_the_families_have_their_incoming_classes() -> None:
    assert len(INCOMING) == 43


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("cls", INCOMING, ids=lambda cls: cls.__name__)
@settings(max_examples=8, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(data=st.data())
def test_incoming_values_match_the_official_decoder(version: int, cls: type, data: Any) -> None:
    form = forms._REGISTRY[cls]
    if cls is m.TickByTick:
        message = data.draw(st.sampled_from([1, 2, 3, 4]).flatmap(_tick))
    else:
        message = data.draw(STRATEGIES[cls])
    if cls in (m.ConfigResponse, m.UpdateConfigResponse) and version < form.since:
        with pytest.raises(UnsupportedByServerError):
            our_frames(version, message)
        return
    frames = our_frames(version, message)
    if version >= form.since:
        assert int.from_bytes(frames[4:8], "big") == cls.MSG_ID + 200
    elif cls in TEXT_FORM_CARRIES_LESS:
        # Below the gate, both decoders read the same text: compare the
        # official values with what ours reads of it.
        message = read_back(version, frames)
    calls = official_calls(version, frames)
    check = CHECKS.get(cls)
    if check is not None:
        check(calls, message)
    elif cls in (m.ConfigResponse, m.UpdateConfigResponse):
        ((name, (proto,)),) = calls
        assert name == official_name(cls)
        same(proto, message)
    else:
        assert len(calls) == 1, calls
        same_call(calls[0], official_name(cls), message)
