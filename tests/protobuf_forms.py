"""Round trips of protobuf forms: random messages through our client and server
ends at a protobuf version, back equal (the unit tests of the family modules)."""

from __future__ import annotations

import dataclasses
import importlib
import struct
from typing import Any

from hypothesis import strategies as st

from ibwire import ClientProtocol, MalformedMessage, ServerProtocol, UnknownMessage
from ibwire import messages as m
from ibwire.messages import Contract, Message
from ibwire.protobuf import forms
from ibwire.protobuf.mapper import options_map, options_text

from .strategies import builds


def raw(msg_id: int, body: bytes) -> bytes:
    """A frame from server version 201: length, raw 4-byte id, body."""
    return struct.pack(">II", len(body) + 4, msg_id) + body


def connected(version: int) -> tuple[ClientProtocol, ServerProtocol]:
    client = ClientProtocol(7, max_version=version)
    server = ServerProtocol(max_version=226)
    client.connect()
    server.receive_data(client.data_to_send())
    server.events_received()
    server.accept()
    client.receive_data(server.data_to_send())
    client.events_received()
    server.receive_data(client.data_to_send())
    server.events_received()
    return client, server


def family(module: str) -> list[forms.Form]:
    """The forms a family module registers (of the classes it imports)."""
    forms._load_families()
    namespace = vars(importlib.import_module(f"ibwire.protobuf.{module}"))
    return [form for form in forms._REGISTRY.values()
            if namespace.get(form.cls.__name__) is form.cls]


def canonical(value: Any) -> Any:
    """``value`` with what a protobuf form carries differently made canonical:
    ``"tag=value;"`` options, float multipliers, the contract fields a request
    does not carry."""
    if isinstance(value, Contract):
        return dataclasses.replace(
            value, multiplier="", last_trade_date="",
            combo_legs=tuple(canonical(leg) for leg in value.combo_legs),
        )  # fmt: skip
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes: dict[str, Any] = {}
        for fld in dataclasses.fields(value):
            item = getattr(value, fld.name)
            if fld.name.endswith("options") and isinstance(item, str):
                changes[fld.name] = options_text(options_map(item))
            elif dataclasses.is_dataclass(item) or isinstance(item, tuple):
                changes[fld.name] = canonical(item)
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        return tuple(canonical(item) for item in value)
    return value


def _tick_by_tick(tick: m.TickByTick) -> m.TickByTick:
    # One kind of tick per message, as its type says.
    kind = tick.tick_type % 5
    keep = {
        1: ("price", "size", "tick_attrib_last", "exchange", "special_conditions"),
        2: ("price", "size", "tick_attrib_last", "exchange", "special_conditions"),
        3: ("bid_price", "ask_price", "bid_size", "ask_size", "tick_attrib_bid_ask"),
        4: ("mid_point",),
    }.get(kind, ())
    values = {name: getattr(tick, name) for name in keep}
    if kind in (1, 2):
        values["price"] = values["price"] or 0.0
        values["tick_attrib_last"] = values["tick_attrib_last"] or m.TickAttribLast()
    elif kind == 3:
        values["bid_price"] = values["bid_price"] or 0.0
        values["ask_price"] = values["ask_price"] or 0.0
        values["tick_attrib_bid_ask"] = values["tick_attrib_bid_ask"] or m.TickAttribBidAsk()
    elif kind == 4:
        values["mid_point"] = values["mid_point"] or 0.0
    time = tick.time if kind else 0  # type 0 carries no tick
    return m.TickByTick(req_id=tick.req_id, tick_type=kind, time=time, **values)


def _scanner_element(item: m.ScannerDataElement) -> m.ScannerDataElement:
    # A scan result carries a contract and its market name, not whole details.
    details = m.ContractDetails(
        contract=item.contract_details.contract, market_name=item.contract_details.market_name
    )
    return dataclasses.replace(item, contract_details=details)


#: What a protobuf form carries differently, per class.
_FORM: dict[type, Any] = {
    m.HistoricalData: lambda x: dataclasses.replace(x, start_date_str="", end_date_str=""),
    m.TickByTick: _tick_by_tick,
    m.ScannerData: lambda x: dataclasses.replace(
        x, elements=tuple(_scanner_element(item) for item in x.elements)
    ),
    m.ReqScannerSubscription: lambda x: dataclasses.replace(
        x, subscription=dataclasses.replace(
            x.subscription, number_of_rows=-1 if x.subscription.number_of_rows is None
            else x.subscription.number_of_rows,
        ),
    ),
    m.ExerciseOptions: lambda x: dataclasses.replace(x, override=1 if x.override else 0),
}


def messages_of(cls: type[Message]) -> st.SearchStrategy[Any]:
    return builds(cls).map(canonical).map(_FORM.get(cls, lambda x: x))


def round_trip(message: Message, version: int = 226) -> Message:
    """``message`` sent by the end that sends it, decoded by the other."""
    client, server = connected(version)
    form = forms._REGISTRY[type(message)]
    sender, receiver = (server, client) if form.incoming else (client, server)
    sender.send(message)
    data = sender.data_to_send()
    raw_id = int.from_bytes(data[4:8], "big")
    assert raw_id == message.MSG_ID + 200, raw_id
    receiver.receive_data(data)
    (event,) = receiver.events_received()
    return event  # type: ignore[no-any-return]


def check_any_body(msg_id: int, body: bytes, sides: tuple[type | None, type | None]) -> None:
    """A protobuf body of ``msg_id`` fed to both ends, then a text message: each end
    gives one event for it (decoded into ``sides``' incoming or outgoing class, any
    message or unknown where ``None``, or malformed with its raw bytes) and goes on."""
    client, server = connected(226)
    incoming, outgoing = sides
    client.receive_data(raw(msg_id, body) + raw(9, b"1\x005\x00"))
    server.receive_data(raw(msg_id, body) + raw(49, b"1\x00"))
    for events, side, end in (
        (client.events_received(), incoming, m.NextValidId(order_id=5)),
        (server.events_received(), outgoing, m.ReqCurrentTime()),
    ):
        first, rest = events[0], events[1:]
        assert rest == [end]
        # Decoded into this side's class, or malformed (typed error, raw bytes kept).
        if isinstance(first, MalformedMessage):
            assert first.error.fields == (str(msg_id), body.hex())
        else:
            # (an id of another family on this side: any decoded message or unknown)
            assert isinstance(first, side or (Message, UnknownMessage))
