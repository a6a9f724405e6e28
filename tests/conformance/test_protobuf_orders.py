"""The orders family against the official client, at every version the issue lists.

Requests: random orders (the strategies of the text round-trip tests, plus the
protobuf-only fields at the versions that carry them) encode byte for byte as the
official ``EClient.placeOrder`` / ``cancelOrder`` / ``reqGlobalCancel`` /
``req*OpenOrders`` / ``reqCompletedOrders`` write them; text below 203 (204 for
the open-order requests), protobuf from there.  A tag/value map with more than
one entry has no fixed byte order in the official client (its hash table is
seeded per process): such requests are compared as parsed messages.

Incoming: what our server side encodes, the official ``Decoder`` and ours decode
to the same values (text below 204, protobuf from 204).
"""

from __future__ import annotations

import dataclasses
import struct
import typing
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ibwire import ClientProtocol, LocalProtocolError, ServerProtocol, UnsupportedByServerError
from ibwire.messages import Message
from ibwire.messages.common import Contract, TagValue
from ibwire.messages.executions import (
    CancelOrder,
    CompletedOrdersEnd,
    OpenOrderEnd,
    OrderBound,
    OrderCancel,
    ReqAllOpenOrders,
    ReqAutoOpenOrders,
    ReqCompletedOrders,
    ReqGlobalCancel,
    ReqOpenOrders,
)
from ibwire.messages.order import Order, OrderComboLeg
from ibwire.messages.orders import (
    PROTOBUF_ONLY_ORDER_FIELDS,
    CompletedOrder,
    OpenOrder,
    PlaceOrder,
)

from ..property.test_orders_roundtrip import completed_orders, open_orders, place_orders
from .official_pb import CLASSES

assert CLASSES  # the official package is importable (else this module is skipped)

from ibapi import order_condition as official_conditions  # noqa: E402
from ibapi.client import EClient  # noqa: E402
from ibapi.common import UNSET_DECIMAL, UNSET_INTEGER  # noqa: E402
from ibapi.const import UNSET_DOUBLE, UNSET_LONG  # noqa: E402
from ibapi.contract import ComboLeg as OfficialComboLeg  # noqa: E402
from ibapi.contract import Contract as OfficialContract  # noqa: E402
from ibapi.contract import DeltaNeutralContract as OfficialDeltaNeutral  # noqa: E402
from ibapi.order import Order as OfficialOrder  # noqa: E402
from ibapi.order import OrderComboLeg as OfficialOrderComboLeg  # noqa: E402
from ibapi.order_cancel import OrderCancel as OfficialOrderCancel  # noqa: E402
from ibapi.softdollartier import SoftDollarTier as OfficialSoftDollarTier  # noqa: E402
from ibapi.tag_value import TagValue as OfficialTagValue  # noqa: E402
from ibapi.wrapper import EWrapper  # noqa: E402

from . import oracle  # noqa: E402
from .oracle import VERSIONS, FakeConnection  # noqa: E402

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Our attribute names whose official spelling is not the plain camelCase.
_SPECIAL = {
    "value": "val",  # SoftDollarTier
    **{
        f"{what}_{stage}_outside_rth": f"{camel}{stage.capitalize()}OutsideRTH"
        for what, camel in (
            ("init_margin", "initMargin"),
            ("maint_margin", "maintMargin"),
            ("equity_with_loan", "equityWithLoan"),
        )
        for stage in ("before", "change", "after")
    },
}


def camel(name: str, owner: object = None) -> str:
    if name == "value" and not isinstance(owner, OfficialSoftDollarTier):
        return "value"
    if name in _SPECIAL:
        return _SPECIAL[name]
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class _Recorder(EWrapper):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def _record(name: str) -> Any:  # noqa: N805 - a method factory
        def method(self: _Recorder, *args: Any) -> None:
            self.calls.append((name, args))

        return method

    error = _record("error")
    openOrder = _record("openOrder")  # noqa: N815
    openOrderEnd = _record("openOrderEnd")  # noqa: N815
    completedOrder = _record("completedOrder")  # noqa: N815
    completedOrdersEnd = _record("completedOrdersEnd")  # noqa: N815
    orderBound = _record("orderBound")  # noqa: N815
    orderStatus = _record("orderStatus")  # noqa: N815


# --------------------------------------------------------------------------- ours -> official


def _fill(target: Any, source: Any) -> Any:
    """Copy our object's set attributes onto an official object (``None`` keeps
    the official default: its UNSET value)."""
    for fld in dataclasses.fields(source):
        value = getattr(source, fld.name)
        name = camel(fld.name, target)
        if value is None:
            default = getattr(target, name)
            if isinstance(default, Decimal):
                setattr(target, name, UNSET_DECIMAL)
            elif isinstance(default, float):
                setattr(target, name, UNSET_DOUBLE)
            elif isinstance(default, int) and not isinstance(default, bool):
                setattr(target, name, UNSET_LONG if name == "permId" else UNSET_INTEGER)
            continue
        setattr(target, name, _official(value))
    return target


def _official(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_official(item) for item in value]
    if not dataclasses.is_dataclass(value):
        return value
    name = type(value).__name__
    if hasattr(value, "CONDITION_TYPE"):
        return _fill(official_conditions.Create(value.CONDITION_TYPE), value)
    factory = {
        "TagValue": lambda: OfficialTagValue(value.tag, value.value),
        "SoftDollarTier": lambda: OfficialSoftDollarTier(
            value.name, value.value, value.display_name
        ),
        "ComboLeg": OfficialComboLeg,
        "DeltaNeutralContract": OfficialDeltaNeutral,
        "OrderComboLeg": OfficialOrderComboLeg,
        "OrderCancel": OfficialOrderCancel,
        "Contract": OfficialContract,
        "Order": OfficialOrder,
    }[name]
    made = factory()
    if name in ("TagValue", "SoftDollarTier"):
        return made
    return _fill(made, value)


def _client(version: int) -> tuple[EClient, _Recorder]:
    wrapper = _Recorder()
    client = EClient(wrapper)
    client.serverVersion_ = version
    client.connState = EClient.CONNECTED
    client.conn = FakeConnection()
    return client, wrapper


def official_bytes(version: int, request: Message) -> bytes:
    client, wrapper = _client(version)
    if isinstance(request, PlaceOrder):
        client.placeOrder(request.order_id, _official(request.contract), _official(request.order))
    elif isinstance(request, CancelOrder):
        client.cancelOrder(request.order_id, _official(request.order_cancel))
    elif isinstance(request, ReqGlobalCancel):
        client.reqGlobalCancel(_official(request.order_cancel))
    elif isinstance(request, ReqOpenOrders):
        client.reqOpenOrders()
    elif isinstance(request, ReqAllOpenOrders):
        client.reqAllOpenOrders()
    elif isinstance(request, ReqAutoOpenOrders):
        client.reqAutoOpenOrders(request.auto_bind)
    elif isinstance(request, ReqCompletedOrders):
        client.reqCompletedOrders(request.api_only)
    assert [c for c in wrapper.calls if c[0] == "error"] == []
    return b"".join(client.conn.sent)


def connected(version: int) -> tuple[ClientProtocol, ServerProtocol]:
    client = ClientProtocol(7, max_version=version)
    server = ServerProtocol(max_version=226)
    client.connect()
    server.receive_data(client.data_to_send())
    server.accept()
    client.receive_data(server.data_to_send())
    client.events_received()
    client.data_to_send()  # startApi
    return client, server


def _parsed(data: bytes) -> Any:
    """A protobuf request frame as an official pb2 message."""
    (size,) = struct.unpack(">I", data[:4])
    assert size == len(data) - 4
    msg_id = int.from_bytes(data[4:8], "big")
    assert msg_id == 203
    message = CLASSES["PlaceOrderRequest"]()
    message.ParseFromString(data[8:])
    return message


def _maps_fixed(order: Order) -> bool:
    """Every tag/value map has at most one key (a fixed byte order)."""
    return all(
        len({item.tag for item in items}) <= 1
        for items in (order.algo_params, order.smart_combo_routing_params,
                      order.order_misc_options)
    )  # fmt: skip


# --------------------------------------------------------------------------- strategies

INT32 = st.integers(-(2**31), 2**31 - 2)
MULTIPLIERS = st.sampled_from(["", "1", "100", "0.5", "12.25"])
MARGINS = st.sampled_from([None, 0.0, 1.5, -2.25, 1e6, 1e20]) | st.floats(
    min_value=-1e12, max_value=1e12, allow_nan=False
)
#: The nine ``OrderState`` margin figures: text in the official client, numbers in ours.
_MARGIN_NAMES = {
    f"{what}_{stage}"
    for what in ("init_margin", "maint_margin", "equity_with_loan")
    for stage in ("before", "change", "after")
}
#: TWS's unset margin (Java's max-double), kept as text by the official decoder.
_JAVA_DMAX = "1.7976931348623157E308"
TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=8)


@st.composite
def protobuf_only(draw: st.DrawFn, version: int) -> dict[str, Any]:
    """Random protobuf-only order fields, each only at a version that carries it."""
    kinds = {
        "what_if_type": INT32, "sl_order_id": INT32, "pt_order_id": INT32,
        "hedge_max_size": INT32, "sl_order_type": TEXT, "pt_order_type": TEXT,
    }  # fmt: skip
    fields: dict[str, Any] = {}
    for name, gate in PROTOBUF_ONLY_ORDER_FIELDS.items():
        if version >= gate and draw(st.booleans()):
            fields[name] = draw(kinds.get(name, st.booleans()))
    if version >= 217:
        fields["route_marketable_to_bbo"] = draw(st.none() | st.booleans())
    return fields


@st.composite
def placed(draw: st.DrawFn, version: int) -> PlaceOrder:
    message = draw(place_orders(min(version, 200)))
    extra = draw(protobuf_only(version)) if version >= 203 else {}
    if version >= 203:  # a double in protobuf form; no auction strategy
        message = dataclasses.replace(
            message, contract=dataclasses.replace(message.contract, multiplier=draw(MULTIPLIERS))
        )
        extra["auction_strategy"] = 0
    if version >= 203 and draw(st.booleans()):
        extra["soft_dollar_tier"] = dataclasses.replace(
            message.order.soft_dollar_tier, display_name=draw(TEXT)
        )
    # Some unset numbers given as the official UNSET_INTEGER / UNSET_DOUBLE.
    unset = draw(st.sets(st.sampled_from(sorted(_UNSET_OF))))
    extra.update((name, _UNSET_OF[name]) for name in unset
                 if getattr(message.order, name) is None and name not in extra
                 and version >= PROTOBUF_ONLY_ORDER_FIELDS.get(name, 0))
    if extra:
        message = dataclasses.replace(message, order=dataclasses.replace(message.order, **extra))
    return message


def _unset_of(tp: Any) -> Any:
    kinds = set(typing.get_args(tp))
    if kinds == {float, type(None)}:
        return UNSET_DOUBLE
    if kinds == {int, type(None)}:
        return UNSET_INTEGER
    return None


#: Order field (an optional int or double) -> the official unset value of its type.
_UNSET_OF = {
    name: value
    for name, tp in typing.get_type_hints(Order).items()
    if (value := _unset_of(tp)) is not None and not name.endswith("perm_id")
}


cancels = st.builds(
    OrderCancel,
    manual_order_cancel_time=TEXT,
    ext_operator=TEXT,
    manual_order_indicator=st.none() | INT32,
)


@pytest.mark.parametrize("version", VERSIONS)
@SETTINGS
@given(data=st.data())
def test_place_order_bytes_match_the_official_client(version: int, data: Any) -> None:
    request = data.draw(placed(version))
    client, server = connected(version)
    client.send(request)
    ours = client.data_to_send()
    theirs = official_bytes(version, request)
    if version < 203:
        assert ours[4:].split(b"\0") == theirs[4:].split(b"\0")
        assert ours == theirs
        return
    if _maps_fixed(request.order):
        assert ours == theirs
    else:
        assert _parsed(ours) == _parsed(theirs)
    # What the official client serialized, our server side reads as sent.
    server.events_received()
    server.receive_data(theirs)
    # (Their map entries come in their hash table's order: compare them sorted.)
    (got,) = server.events_received()
    got, expected = _sorted_maps(got), _sorted_maps(_placed_as_read(request))
    assert got == expected, [
        (f.name, getattr(got.order, f.name), getattr(expected.order, f.name))
        for f in dataclasses.fields(got.order)
        if getattr(got.order, f.name) != getattr(expected.order, f.name)
    ]


def _sorted_maps(request: PlaceOrder) -> PlaceOrder:
    order = request.order
    changes = {
        name: tuple(sorted(getattr(order, name), key=lambda item: item.tag))
        for name in _TAG_VALUE_LISTS
    }
    return dataclasses.replace(request, order=dataclasses.replace(order, **changes))


def _placed_as_read(request: PlaceOrder) -> PlaceOrder:
    """A placed order as a server reads it: tag/value lists as maps (a repeated
    tag keeps its last value), one order combo leg per combo leg."""
    order = request.order
    prices = order.order_combo_legs
    changes: dict[str, Any] = {
        name: tuple(
            TagValue(tag=tag, value=value)
            for tag, value in {item.tag: item.value for item in getattr(order, name)}.items()
        )
        for name in _TAG_VALUE_LISTS
    }
    changes["order_combo_legs"] = tuple(
        OrderComboLeg(price=prices[index].price if index < len(prices) else None)
        for index in range(len(request.contract.combo_legs))
    )
    for name, value in _UNSET_OF.items():  # the official unset values are not sent
        if getattr(order, name) == value:
            changes[name] = None
    for name in PROTOBUF_ONLY_ORDER_FIELDS:  # a false flag or empty text is not sent
        value = getattr(order, name)
        if name != "seek_price_improvement" and (value is False or value == ""):
            changes[name] = None
    return dataclasses.replace(request, order=dataclasses.replace(order, **changes))


@pytest.mark.parametrize("version", VERSIONS)
@SETTINGS
@given(order_id=INT32, cancel=cancels, auto_bind=st.booleans(), api_only=st.booleans())
def test_cancel_and_open_order_requests_match_the_official_client(
    version: int, order_id: int, cancel: OrderCancel, auto_bind: bool, api_only: bool
) -> None:
    if version < 169:
        cancel = OrderCancel()
    requests: list[Message] = [
        CancelOrder(order_id=order_id, order_cancel=cancel),
        ReqGlobalCancel(order_cancel=cancel),
        ReqOpenOrders(),
        ReqAllOpenOrders(),
        ReqAutoOpenOrders(auto_bind=auto_bind),
        ReqCompletedOrders(api_only=api_only),
    ]
    for request in requests:
        client, _ = connected(version)
        client.send(request)
        assert client.data_to_send() == official_bytes(version, request), request


@pytest.mark.parametrize("version", [v for v in VERSIONS if v >= 203])
@pytest.mark.parametrize("name", [*PROTOBUF_ONLY_ORDER_FIELDS, "route_marketable_to_bbo"])
def test_protobuf_only_fields_need_their_gate(version: int, name: str) -> None:
    gate = PROTOBUF_ONLY_ORDER_FIELDS.get(name, 217)
    value: Any = "STP" if name.endswith("_type") else (7 if name.endswith(("_id", "_size"))
                                                      else True)  # fmt: skip
    if name == "what_if_type":
        value = 7
    request = PlaceOrder(order_id=1, contract=Contract(symbol="X"), order=Order(**{name: value}))
    client, _ = connected(version)
    theirs = official_bytes_or_error(version, request)
    if version < gate:
        with pytest.raises(UnsupportedByServerError) as caught:
            client.send(request)
        assert caught.value.required == gate
        assert client.data_to_send() == b""
        assert theirs is None  # the official client refuses it too (error 503)
    else:
        client.send(request)
        assert client.data_to_send() == theirs


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("order_id", "multiplier", "field"),
    [(2**31, "50", "orderId"), (1, "x50", "multiplier")],
)
def test_values_the_protobuf_form_cannot_carry(
    version: int, order_id: int, multiplier: str, field: str
) -> None:
    # An order id beyond int32 and a multiplier that is not a number travel as
    # text; from 203 the official client raises ValueError from placeOrder and
    # sends nothing.  Ours raises a LocalProtocolError naming the field before
    # a byte is queued, and the connection stays usable.
    contract = Contract(symbol="ES", sec_type="FUT", exchange="CME", multiplier=multiplier)
    order = Order(action="BUY", order_type="LMT", total_quantity=Decimal(1), lmt_price=1.0)
    request = PlaceOrder(order_id=order_id, contract=contract, order=order)
    client, _ = connected(version)
    if version < 203:
        client.send(request)
        assert client.data_to_send() == official_bytes(version, request)
        return
    with pytest.raises(ValueError):
        official_bytes(version, request)
    with pytest.raises(LocalProtocolError, match=field) as caught:
        client.send(request)
    assert caught.value.field_name.rpartition(".")[2] == field  # type: ignore[attr-defined]
    assert client.data_to_send() == b""
    fine = PlaceOrder(order_id=1, contract=dataclasses.replace(contract, multiplier="50"),
                      order=order)  # fmt: skip
    client.send(fine)
    assert client.data_to_send() == official_bytes(version, fine)


def _unset_order(version: int) -> Order:
    """An order whose every number holds the official unset value of its type
    (but the protobuf-only fields below their gate, which the text form refuses)."""
    hints = typing.get_type_hints(Order)
    values: dict[str, Any] = {}
    for fld in dataclasses.fields(Order):
        kinds = set(typing.get_args(hints[fld.name])) or {hints[fld.name]}
        if fld.name == "auction_strategy" or bool in kinds:
            continue  # not in the protobuf order (refused when set); flags
        if version < PROTOBUF_ONLY_ORDER_FIELDS.get(fld.name, 0):
            continue
        if Decimal in kinds:
            values[fld.name] = UNSET_DECIMAL
        elif float in kinds:
            values[fld.name] = UNSET_DOUBLE
        elif int in kinds:
            values[fld.name] = UNSET_LONG if fld.name.endswith("perm_id") else UNSET_INTEGER
    return Order(action="BUY", order_type="LMT", **values)


@pytest.mark.parametrize("version", VERSIONS)
def test_official_unset_values_are_sent_as_the_official_client_sends_them(version: int) -> None:
    # Protobuf: left out.  Text: empty where the official client writes the
    # field with make_field_handle_empty (the strike, most prices and limits),
    # the literal elsewhere.
    request = PlaceOrder(order_id=1, contract=Contract(symbol="ES", strike=UNSET_DOUBLE),
                         order=_unset_order(version))
    client, _ = connected(version)
    client.send(request)
    assert client.data_to_send() == official_bytes(version, request)


def official_bytes_or_error(version: int, request: PlaceOrder) -> bytes | None:
    client, wrapper = _client(version)
    client.placeOrder(request.order_id, _official(request.contract), _official(request.order))
    if [c for c in wrapper.calls if c[0] == "error"]:
        return None
    return b"".join(client.conn.sent)


# --------------------------------------------------------------------------- incoming


def official_calls(version: int, data: bytes) -> list[tuple[str, tuple[Any, ...]]]:
    return oracle.official_calls(version, data, _Recorder())


_TAG_VALUE_LISTS = {"algo_params", "smart_combo_routing_params", "order_misc_options"}
_PB_ONLY = {*PROTOBUF_ONLY_ORDER_FIELDS, "route_marketable_to_bbo"}

#: Attributes ibwire reads that the official protobuf decoder leaves out.
_NOT_READ_BY_THEM = {
    "sec_id_type", "sec_id", "include_expired", "order_misc_options", "transmit",
    "override_percentage_constraints", "scale_table", "active_start_time", "active_stop_time",
    "algo_id", "not_held",
}  # fmt: skip


def assert_same(ours: Any, theirs: Any, path: str, skip: set[str]) -> None:
    """Our decoded object holds the official decoded object's values."""
    name = path.rpartition(".")[2]
    if name in _TAG_VALUE_LISTS:
        # A protobuf map: the official decoder lists it in its hash table's order.
        assert {i.tag: i.value for i in ours} == {i.tag: i.value for i in theirs or []}, path
        return
    if name in _MARGIN_NAMES:
        # The official client keeps the margins as text (the text form as TWS
        # sent it, the protobuf form as decimalMaxString of the double); ours
        # keeps the number: compare as numbers, empty and max-double are None.
        assert isinstance(theirs, str), (path, theirs)
        assert ours == (None if theirs in ("", _JAVA_DMAX) else float(theirs)), (path, ours, theirs)
        return
    if name == "display_size" and ours is None and theirs == 0:
        return  # absent: unset to ibwire, the class default 0 to the official decoder
    if isinstance(ours, tuple):
        theirs = theirs or []
        assert len(ours) == len(theirs), path
        for index, (mine, their) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(mine, their, f"{path}[{index}]", skip)
        return
    if dataclasses.is_dataclass(ours):
        for fld in dataclasses.fields(ours):
            if fld.name in skip:
                continue
            assert_same(
                getattr(ours, fld.name),
                getattr(theirs, camel(fld.name, theirs)),
                f"{path}.{fld.name}",
                skip,
            )
        return
    if ours is None and (
        theirs in (UNSET_INTEGER, UNSET_LONG)
        or (isinstance(theirs, Decimal) and theirs == UNSET_DECIMAL)
        or (isinstance(theirs, float) and theirs == UNSET_DOUBLE)
    ):
        theirs = None  # the official "unset" values
    if ours == "" and theirs is None:
        theirs = ""  # unset text is None in some official classes (conditions)
    if ours is None and (theirs is False or theirs == "") and path.rpartition(".")[2] in _PB_ONLY:
        theirs = None  # the protobuf-only fields: absent is False or "" to them
    assert ours == theirs, (path, ours, theirs)


@st.composite
def reported(draw: st.DrawFn, version: int, strategy: Any) -> Any:
    message = draw(strategy(200))
    # Margins unset (the max-double literal in the text form), round, and any.
    message = dataclasses.replace(
        message,
        order_state=dataclasses.replace(
            message.order_state, **{name: draw(MARGINS) for name in _MARGIN_NAMES}
        ),
    )
    if version >= 204:
        # Protobuf carries a multiplier as a double.
        message = dataclasses.replace(
            message,
            contract=dataclasses.replace(message.contract, multiplier=draw(MULTIPLIERS)),
        )
        extra = draw(protobuf_only(226))
        for name in ("sl_order_id", "sl_order_type", "pt_order_id", "pt_order_type"):
            extra.pop(name, None)  # not in the Order message
        message = dataclasses.replace(message, order=dataclasses.replace(message.order, **extra))
    return message


@pytest.mark.parametrize("version", VERSIONS)
@settings(SETTINGS, max_examples=10)
@given(data=st.data())
def test_open_and_completed_orders_match_the_official_decoder(version: int, data: Any) -> None:
    open_order: OpenOrder = data.draw(reported(version, open_orders))
    completed: CompletedOrder = data.draw(reported(version, completed_orders))
    bound = OrderBound(
        perm_id=data.draw(st.integers(0, 2**62)), client_id=data.draw(INT32),
        order_id=data.draw(INT32),
    )  # fmt: skip
    client, server = connected(version)
    for message in (open_order, OpenOrderEnd(), completed, CompletedOrdersEnd(), bound):
        server.send(message)
    wire = server.data_to_send()
    if version >= 204:
        assert wire[4:8] == (205).to_bytes(4, "big")
    calls = official_calls(version, wire)
    assert [name for name, _ in calls] == [
        "openOrder", "openOrderEnd", "completedOrder", "completedOrdersEnd", "orderBound",
    ]  # fmt: skip
    client.receive_data(wire)
    mine = client.events_received()
    assert [type(event) for event in mine] == [
        OpenOrder, OpenOrderEnd, CompletedOrder, CompletedOrdersEnd, OrderBound,
    ]  # fmt: skip
    skip = _NOT_READ_BY_THEM if version >= 204 else set()
    got_id, got_contract, got_order, got_state = calls[0][1]
    assert got_id == mine[0].order_id
    assert_same(mine[0].contract, got_contract, "open.contract", skip | _TEXT_CONTRACT_SKIP)
    assert_same(mine[0].order, got_order, "open.order", skip | _order_skip(version))
    assert_same(mine[0].order_state, got_state, "open.state", skip)
    got_contract, got_order, got_state = calls[2][1]
    assert_same(mine[2].contract, got_contract, "completed.contract",
                skip | _TEXT_CONTRACT_SKIP)  # fmt: skip
    assert_same(mine[2].order, got_order, "completed.order", skip | _order_skip(version))
    assert_same(mine[2].order_state, got_state, "completed.state", skip)
    assert calls[4][1] == (bound.perm_id, bound.client_id, bound.order_id)
    if version >= 204:
        # Ours reads back exactly what was sent (beyond the official decoder's reach).
        assert mine[0] == _as_read(open_order), _diff(mine[0], _as_read(open_order))
        assert mine[2] == _as_read(completed), _diff(mine[2], _as_read(completed))


def _diff(got: Any, expected: Any) -> list[tuple[str, Any, Any]]:
    out = []
    for part in ("contract", "order", "order_state"):
        a, b = getattr(got, part), getattr(expected, part)
        for fld in dataclasses.fields(a):
            if getattr(a, fld.name) != getattr(b, fld.name):
                out.append((f"{part}.{fld.name}", getattr(a, fld.name), getattr(b, fld.name)))
    return out


#: Contract attributes our text decoder keeps that the official one does not set.
_TEXT_CONTRACT_SKIP: set[str] = set()


def _order_skip(version: int) -> set[str]:
    return set()


def _as_read(message: Any) -> Any:
    """What a client reads back of a reported order our server side sent in
    protobuf form: the official decoder's rules (hedge and algo parameters only
    with their type and strategy, one order combo leg per combo leg), absent
    and absent false flags."""
    order = message.order
    changes: dict[str, Any] = {
        # A map: a repeated tag keeps its last value.
        name: tuple(
            TagValue(tag=tag, value=value)
            for tag, value in {item.tag: item.value for item in getattr(order, name)}.items()
        )
        for name in _TAG_VALUE_LISTS
    }
    if not order.hedge_type:
        changes["hedge_param"] = ""
        changes["hedge_max_size"] = None
    if not order.algo_strategy:
        changes["algo_params"] = ()
    if not order.transmit:
        changes["transmit"] = True
    # Not in the protobuf Order message.
    changes.update(auction_strategy=0, basis_points=None, basis_points_type=None)
    prices = order.order_combo_legs
    changes["order_combo_legs"] = tuple(
        OrderComboLeg(price=prices[index].price if index < len(prices) else None)
        for index in range(len(message.contract.combo_legs))
    )
    for name in ("deactivate", "post_only", "allow_pre_open", "ignore_open_auction",
                 "conditions_include_overnight"):  # fmt: skip
        if getattr(order, name) is False:
            changes[name] = None
    return dataclasses.replace(message, order=dataclasses.replace(order, **changes))
