"""The orders family in protobuf form: same classes, same values, as text."""

from __future__ import annotations

import dataclasses
import math
import struct
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ibwire import LocalProtocolError, UnsupportedByServerError
from ibwire.events import MalformedMessage
from ibwire.messages import Message
from ibwire.messages.common import (
    ComboLeg,
    Contract,
    DeltaNeutralContract,
    SoftDollarTier,
    TagValue,
)
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
from ibwire.messages.order import (
    ExecutionCondition,
    MarginCondition,
    Order,
    OrderAllocation,
    OrderComboLeg,
    OrderState,
    PercentChangeCondition,
    PriceCondition,
    TimeCondition,
    VolumeCondition,
)
from ibwire.messages.orders import (
    PROTOBUF_ONLY_ORDER_FIELDS,
    CompletedOrder,
    OpenOrder,
    PlaceOrder,
)
from ibwire.protobuf import decode, encode
from ibwire.protobuf.orders import condition_from_pb, condition_to_pb

from ..property.test_orders_roundtrip import place_orders
from ..protobuf_forms import connected, raw


def frame_id(data: bytes) -> int:
    """The raw id of the one frame in ``data`` (from server version 201)."""
    (size,) = struct.unpack(">I", data[:4])
    assert size == len(data) - 4
    return int.from_bytes(data[4:8], "big")


PLACE = PlaceOrder(
    order_id=5,
    contract=Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD"),
    order=Order(action="BUY", total_quantity=Decimal(10), order_type="LMT", lmt_price=1.5),
)


@pytest.mark.parametrize(
    ("message", "gate"),
    [
        (PLACE, 203),
        (CancelOrder(order_id=5), 203),
        (ReqGlobalCancel(), 203),
        (ReqOpenOrders(), 204),
        (ReqAllOpenOrders(), 204),
        (ReqAutoOpenOrders(auto_bind=True), 204),
        (ReqCompletedOrders(api_only=True), 204),
    ],
)
def test_requests_switch_to_protobuf_at_their_gate(message: Message, gate: int) -> None:
    for version in (gate - 1, gate, 226):
        client, server = connected(version)
        client.send(message)
        sent = client.data_to_send()
        expected = message.MSG_ID + 200 if version >= gate else message.MSG_ID
        assert frame_id(sent) == expected, version
        server.receive_data(sent)
        assert server.events_received() == [message], version


def test_placed_order_writes_what_the_official_client_writes() -> None:
    client, _ = connected(203)
    client.send(PLACE)
    values = decode("PlaceOrderRequest", client.data_to_send()[8:])
    assert values["orderId"] == 5
    contract, order = values["contract"], values["order"]
    # A 0 contract id is written (only UNSET_INTEGER is left out); empty text is not.
    assert contract["conId"] == 0 and contract["symbol"] == "AAPL"
    assert contract["right"] is None and contract["strike"] is None
    # The order's 0 ints, exemptCode -1, discretionaryAmt 0 and transmit are written;
    # false flags, empty text and unset numbers are not.
    assert {name: order[name] for name in (
        "clientId", "permId", "parentId", "displaySize", "ocaType", "triggerMethod",
        "origin", "shortSaleSlot", "exemptCode", "discretionaryAmt", "transmit",
        "adjustableTrailingUnit", "referenceContractId", "peggedChangeAmount",
        "referenceChangeAmount",
    )} == {
        "clientId": 0, "permId": 0, "parentId": 0, "displaySize": 0, "ocaType": 0,
        "triggerMethod": 0, "origin": 0, "shortSaleSlot": 0, "exemptCode": -1,
        "discretionaryAmt": 0.0, "transmit": True, "adjustableTrailingUnit": 0,
        "referenceContractId": 0, "peggedChangeAmount": 0.0, "referenceChangeAmount": 0.0,
    }  # fmt: skip
    assert order["lmtPrice"] == 1.5 and order["totalQuantity"] == "10"
    assert order["auxPrice"] is None and order["hidden"] is None and order["tif"] is None
    assert order["orderId"] is None  # order.order_id is never sent
    # The soft dollar tier and the attached orders are always written, even empty.
    assert order["softDollarTier"] == {"name": None, "value": None, "displayName": None}
    assert values["attachedOrders"] == {
        "slOrderId": None, "slOrderType": None, "ptOrderId": None, "ptOrderType": None,
    }  # fmt: skip


def test_combo_legs_carry_the_order_combo_leg_prices() -> None:
    legs = (ComboLeg(con_id=1, ratio=1, action="BUY"), ComboLeg(con_id=2, ratio=2))
    request = dataclasses.replace(
        PLACE,
        contract=dataclasses.replace(PLACE.contract, sec_type="BAG", combo_legs=legs),
        order=dataclasses.replace(
            PLACE.order, order_combo_legs=(OrderComboLeg(price=2.5), OrderComboLeg())
        ),
    )
    client, server = connected(226)
    client.send(request)
    sent = client.data_to_send()
    values = decode("PlaceOrderRequest", sent[8:])
    assert [leg["perLegPrice"] for leg in values["contract"]["comboLegs"]] == [2.5, None]
    # Every int of a leg is written, 0 and -1 included.
    assert values["contract"]["comboLegs"][1]["openClose"] == 0
    assert values["contract"]["comboLegs"][1]["exemptCode"] == -1
    server.receive_data(sent)
    assert server.events_received() == [request]


def test_a_false_transmit_is_left_out_and_read_as_false() -> None:
    request = dataclasses.replace(PLACE, order=dataclasses.replace(PLACE.order, transmit=False))
    client, server = connected(203)
    client.send(request)
    sent = client.data_to_send()
    assert decode("PlaceOrderRequest", sent[8:])["order"]["transmit"] is None
    server.receive_data(sent)
    assert server.events_received() == [request]


def _one(name: str) -> Any:
    if name in ("sl_order_type", "pt_order_type"):
        return "STP"
    if name.endswith(("_id", "_size", "_type")):
        return 7
    return True


@pytest.mark.parametrize("name", sorted(PROTOBUF_ONLY_ORDER_FIELDS))
def test_protobuf_only_fields_raise_below_their_gate(name: str) -> None:
    gate = PROTOBUF_ONLY_ORDER_FIELDS[name]
    request = dataclasses.replace(PLACE, order=Order(**{name: _one(name)}))
    for version in (200, 202, 203, gate - 1):
        client, _ = connected(version)
        with pytest.raises(UnsupportedByServerError) as caught:
            client.send(request)
        assert (caught.value.required, caught.value.actual) == (gate, version)
        assert name in caught.value.feature
        assert client.data_to_send() == b""
        client.send(PLACE)  # the connection goes on
        assert client.data_to_send()
    client, server = connected(gate)
    client.send(request)
    server.receive_data(client.data_to_send())
    assert server.events_received() == [request]


def _nothing(name: str) -> Any:
    """The value of ``name`` that the protobuf order leaves out."""
    if name in ("sl_order_type", "pt_order_type"):
        return ""
    if name.endswith(("_id", "_size", "_type")):
        return 2**31 - 1
    return False


@pytest.mark.parametrize(
    "name", sorted(set(PROTOBUF_ONLY_ORDER_FIELDS) - {"seek_price_improvement"})
)
def test_protobuf_only_values_left_out_pass_below_their_gate(name: str) -> None:
    # As the official client: what is not written cannot be refused (a false
    # flag, empty text, an unset int); the text form refuses any value.
    # seek_price_improvement is an int32 in protobuf: false is written, as 0.
    request = dataclasses.replace(PLACE, order=Order(**{name: _nothing(name)}))
    bare = dataclasses.replace(PLACE, order=Order())
    gate = PROTOBUF_ONLY_ORDER_FIELDS[name]
    for version in (203, gate - 1):
        client, _ = connected(version)
        client.send(request)
        assert client.data_to_send() == _bytes_of(version, bare)
    client, _ = connected(202)
    with pytest.raises(UnsupportedByServerError):
        client.send(request)


def _bytes_of(version: int, request: Any) -> bytes:
    client, _ = connected(version)
    client.send(request)
    return client.data_to_send()


def test_route_marketable_to_bbo_is_sent_from_217() -> None:
    request = dataclasses.replace(PLACE, order=Order(route_marketable_to_bbo=False))
    client, _ = connected(216)
    with pytest.raises(UnsupportedByServerError):
        client.send(request)
    # So is seek_price_improvement: false is written, as 0, and refused before.
    with pytest.raises(UnsupportedByServerError):
        client.send(dataclasses.replace(PLACE, order=Order(seek_price_improvement=False)))
    client, server = connected(217)
    client.send(request)
    sent = client.data_to_send()
    assert decode("PlaceOrderRequest", sent[8:])["order"]["routeMarketableToBbo"] == 0
    server.receive_data(sent)
    assert server.events_received() == [request]
    # On the text wire it is a reported field only: not sent, no error.
    client, _ = connected(202)
    client.send(request)
    assert client.data_to_send()


def test_auction_strategy_has_no_protobuf_form() -> None:
    request = dataclasses.replace(PLACE, order=Order(auction_strategy=2))
    client, _ = connected(202)
    client.send(request)
    assert client.data_to_send()
    client, _ = connected(203)
    with pytest.raises(LocalProtocolError, match="auction_strategy"):
        client.send(request)
    assert client.data_to_send() == b""


CONDITIONS = (
    PriceCondition(is_more=True, price=10.5, con_id=8, exchange="SMART", trigger_method=2),
    TimeCondition(is_conjunction_connection=False, time="20250101 10:00:00"),
    MarginCondition(is_more=True, percent=30),
    ExecutionCondition(sec_type="STK", exchange="ARCA", symbol="SPY"),
    VolumeCondition(volume=1000, con_id=3, exchange="NYSE"),
    PercentChangeCondition(change_percent=-2.5, con_id=4, exchange="ISLAND"),
)


@pytest.mark.parametrize("condition", CONDITIONS, ids=lambda c: type(c).__name__)
def test_conditions_round_trip(condition: Any) -> None:
    values = condition_to_pb(condition)
    assert values["type"] == condition.CONDITION_TYPE
    assert values["isConjunctionConnection"] is condition.is_conjunction_connection
    assert condition_from_pb(decode("OrderCondition", encode("OrderCondition", values))) == (
        condition
    )


def test_an_unknown_condition_type_is_a_typed_error_and_the_stream_goes_on() -> None:
    client, _ = connected(226)
    order = encode("Order", {"conditions": [{"type": 99}]})
    body = encode("OpenOrder", {"orderId": 1}) + b"\x1a" + bytes([len(order)]) + order
    client.receive_data(raw(205, body) + raw(253, b""))
    events = client.events_received()
    assert isinstance(events[0], MalformedMessage)
    assert "condition type 99" in str(events[0].error)
    assert events[1] == OpenOrderEnd()


OPEN = OpenOrder(
    order_id=12,
    contract=Contract(
        con_id=9, symbol="ES", sec_type="BAG", multiplier="50", exchange="CME",
        combo_legs=(ComboLeg(con_id=1, ratio=1, action="BUY", exchange="CME"),
                    ComboLeg(con_id=2, ratio=1, action="SELL", exchange="CME")),
        delta_neutral_contract=DeltaNeutralContract(con_id=5, delta=0.5, price=10.0),
    ),
    order=Order(
        order_id=12, client_id=7, perm_id=2**40, action="SELL", total_quantity=Decimal("1.5"),
        order_type="LMT", lmt_price=99.25, display_size=None, hedge_type="D", hedge_param="x",
        hedge_max_size=10, algo_strategy="Adaptive",
        algo_params=(TagValue(tag="adaptivePriority", value="Normal"),),
        smart_combo_routing_params=(TagValue(tag="NonGuaranteed", value="1"),),
        order_combo_legs=(OrderComboLeg(price=1.0), OrderComboLeg()), conditions=CONDITIONS,
        soft_dollar_tier=SoftDollarTier(name="n", value="v", display_name="d"),
        use_price_mgmt_algo=True, compete_against_best_offset=math.inf, post_only=True,
        seek_price_improvement=False, what_if_type=3, route_marketable_to_bbo=True,
        conditions_include_overnight=True, filled_quantity=Decimal(2), parent_perm_id=2**41,
    ),
    order_state=OrderState(
        status="Submitted", init_margin_before=1.5, maint_margin_after=100.0,
        commission_and_fees=1.25, suggested_size=Decimal(3),
        order_allocations=(OrderAllocation(account="DU1", position=Decimal(1), is_monetary=True),),
        completed_time="t", completed_status="s",
    ),
)  # fmt: skip


def _open_body() -> bytes:
    _, server = connected(226)
    server.send(OPEN)
    return server.data_to_send()[8:]


OPEN_BODY = _open_body()


def test_open_and_completed_orders_round_trip() -> None:
    completed = CompletedOrder(
        contract=OPEN.contract,
        order=dataclasses.replace(OPEN.order, order_id=0),
        order_state=OPEN.order_state,
    )
    bound = OrderBound(perm_id=2**50, client_id=3, order_id=4)
    client, server = connected(204)
    for message in (OPEN, OpenOrderEnd(), completed, CompletedOrdersEnd(), bound):
        server.send(message)
    wire = server.data_to_send()
    assert frame_id(wire[: 4 + struct.unpack(">I", wire[:4])[0]]) == 205
    client.receive_data(wire)
    assert client.events_received() == [OPEN, OpenOrderEnd(), completed, CompletedOrdersEnd(),
                                        bound]  # fmt: skip


def test_reported_orders_follow_the_official_decoder() -> None:
    order = encode(
        "Order",
        {
            "hedgeParam": "beta=1", "hedgeMaxSize": 5, "algoParams": {"a": "1"},
            "orderMiscOptions": {"m": "2"},
        },
    )  # fmt: skip
    contract = encode("Contract", {"comboLegs": [{"conId": 1, "perLegPrice": 2.0}, {}]})
    state = encode(
        "OrderState",
        {
            "initMarginBefore": 1e20, "maintMarginAfter": 2.5,
            "initMarginChange": 1.7976931348623157e308,
            "maintMarginBeforeOutsideRTH": 1.7976931348623157e308,
        },
    )  # fmt: skip
    body = encode("OpenOrder", {"orderId": 4})
    for number, part in ((2, contract), (3, order), (4, state)):
        body += bytes([number << 3 | 2, len(part)]) + part
    client, _ = connected(226)
    client.receive_data(raw(205, body))
    (message,) = client.events_received()
    assert isinstance(message, OpenOrder)
    # Hedge and algo parameters need their type and strategy; misc options are kept.
    assert message.order.hedge_param == "" and message.order.hedge_max_size is None
    assert message.order.algo_params == ()
    assert message.order.order_misc_options == (TagValue(tag="m", value="2"),)
    # The message's order id fills the order's; absent display size is unset.
    assert message.order.order_id == 4 and message.order.display_size is None
    assert message.order.order_combo_legs == (OrderComboLeg(price=2.0), OrderComboLeg())
    # Margins are the doubles (the official decoder keeps their decimalMaxString
    # text, "100000000000000000000"); absent is unset.
    assert message.order_state.init_margin_before == 1e20
    assert message.order_state.maint_margin_after == 2.5
    assert message.order_state.equity_with_loan_after is None
    # IB's unset double reads as unset, as in the text form.
    assert message.order_state.init_margin_change is None
    assert message.order_state.maint_margin_before_outside_rth is None


def test_order_bound_reads_absent_fields_as_unset() -> None:
    client, _ = connected(226)
    client.receive_data(raw(300, b""))
    assert client.events_received() == [
        OrderBound(perm_id=2**63 - 1, client_id=2**31 - 1, order_id=2**31 - 1)
    ]


def test_cancel_order_attributes() -> None:
    cancel = OrderCancel(manual_order_cancel_time="t", ext_operator="", manual_order_indicator=0)
    client, server = connected(203)
    client.send(CancelOrder(order_id=3, order_cancel=cancel))
    client.send(ReqGlobalCancel())
    sent = client.data_to_send()
    first = sent[: 4 + struct.unpack(">I", sent[:4])[0]]
    assert decode("CancelOrderRequest", first[8:]) == {
        "orderId": 3,
        "orderCancel": {"manualOrderCancelTime": "t", "extOperator": None,
                        "manualOrderIndicator": 0},
    }  # fmt: skip
    server.receive_data(sent)
    assert server.events_received() == [
        CancelOrder(order_id=3, order_cancel=cancel), ReqGlobalCancel(),
    ]  # fmt: skip


# --------------------------------------------------------------------------- random orders


def _as_read(request: PlaceOrder) -> PlaceOrder:
    """What a server reads back of a placed order: tag/value lists as maps (a
    repeated tag keeps its last value) and one order combo leg per combo leg."""
    order = request.order
    prices = order.order_combo_legs
    changes: dict[str, Any] = {
        name: tuple(
            TagValue(tag=tag, value=value)
            for tag, value in {item.tag: item.value for item in getattr(order, name)}.items()
        )
        for name in ("algo_params", "smart_combo_routing_params", "order_misc_options")
    }
    changes["order_combo_legs"] = tuple(
        OrderComboLeg(price=prices[index].price if index < len(prices) else None)
        for index in range(len(request.contract.combo_legs))
    )
    return dataclasses.replace(request, order=dataclasses.replace(order, **changes))


@st.composite
def placed(draw: st.DrawFn) -> PlaceOrder:
    message = draw(place_orders(200))
    contract = dataclasses.replace(
        message.contract, multiplier=draw(st.sampled_from(["", "1", "100", "0.5"]))
    )
    extra: dict[str, Any] = {"auction_strategy": 0}
    for name in PROTOBUF_ONLY_ORDER_FIELDS:
        if draw(st.booleans()):
            extra[name] = _one(name)
    return dataclasses.replace(
        message, contract=contract, order=dataclasses.replace(message.order, **extra)
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=placed())
def test_random_placed_orders_round_trip(request: PlaceOrder) -> None:
    client, server = connected(226)
    client.send(request)
    server.receive_data(client.data_to_send())
    assert server.events_received() == [_as_read(request)]


@settings(max_examples=200, deadline=None)
@given(
    msg_id=st.sampled_from([205, 253, 301, 302, 300]),
    body=st.binary(max_size=64)
    | st.builds(bytes.__add__, st.just(OPEN_BODY), st.binary(max_size=8))
    | st.integers(0, len(OPEN_BODY)).map(lambda n: OPEN_BODY[:n]),
)
def test_garbage_bodies_give_typed_errors_and_the_stream_goes_on(msg_id: int, body: bytes) -> None:
    client, _ = connected(226)
    client.receive_data(raw(msg_id, body) + raw(253, b""))
    *first, last = client.events_received()
    assert last == OpenOrderEnd()
    assert len(first) == 1
    assert isinstance(first[0], (MalformedMessage, OpenOrder, OpenOrderEnd, CompletedOrder,
                                 CompletedOrdersEnd, OrderBound))  # fmt: skip
