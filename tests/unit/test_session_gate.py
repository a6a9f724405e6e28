"""The read-only gate: one table, every path."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import pytest

from ibwire._frontend import FrontEnd
from ibwire._session import (
    ReadOnlyError,
)
from ibwire.errors import (
    LocalProtocolError,
)
from ibwire.messages import (
    CancelOrder,
    Message,
    OpenOrder,
    Order,
    OrderState,
    PlaceOrder,
    ReplaceFa,
    ReqAutoOpenOrders,
    ReqGlobalCancel,
)

from .session_rig import AAPL, AAPL_REPORTED, Rig

T = TypeVar("T")


class Front(FrontEnd):
    """The shared front end over a Rig's session, with the threaded client's lock."""

    def __init__(self, rig: Rig) -> None:
        self._session = rig.session
        self._rig = rig
        self._lock = threading.RLock()

    def _session_call(self, call: Callable[[float], T]) -> T:
        with self._lock:
            return call(self._rig.now)


def test_what_if_is_allowed_read_only_and_answers_order_state(server_version: int) -> None:
    rig = Rig(version=server_version, read_only=True)
    rig.ready(next_valid_id=20)
    pending = rig.session.what_if(AAPL, Order(action="BUY", total_quantity=Decimal(1)), rig.now, 5)
    rig.flush()
    (sent,) = rig.take()
    assert isinstance(sent, PlaceOrder) and sent.order.what_if and sent.order_id == 20
    state = OrderState(status="PreSubmitted", init_margin_change=100.0)
    rig.deliver(
        OpenOrder(order_id=20, contract=AAPL_REPORTED, order=sent.order, order_state=state),
    )
    assert pending.result().init_margin_change == 100.0
    assert rig.session.open_orders == []  # a what-if order is not an order


@pytest.mark.parametrize(
    "message",
    [
        PlaceOrder(order_id=1, contract=AAPL, order=Order(action="BUY")),
        CancelOrder(order_id=1),
        ReqGlobalCancel(),
    ],
)
def test_read_only_refuses_before_a_byte_is_sent(server_version: int, message: Message) -> None:
    rig = Rig(version=server_version, read_only=True)
    rig.ready()
    with pytest.raises(ReadOnlyError) as info:
        rig.session.submit(message, rig.now)
    assert isinstance(info.value, LocalProtocolError)
    assert rig.session.data_to_send() == b""
    assert rig.session.pacer.stats.submitted == 0


def test_read_only_refuses_cancel_by_criteria(server_version: int) -> None:
    rig = Rig(version=server_version, read_only=True)
    rig.ready()
    with pytest.raises(ReadOnlyError):
        rig.session.cancel_orders(rig.now, symbol="AAPL")


@pytest.mark.parametrize(
    "message",
    [
        ReplaceFa(req_id=5, fa_data=1, cxml="<x/>"),
        ReqAutoOpenOrders(auto_bind=True),
        PlaceOrder(order_id=3, contract=AAPL, order=Order(action="BUY")),
    ],
    ids=["replace_fa", "auto_open_orders_true", "place_order"],
)
def test_read_only_refuses(server_version: int, message: Message) -> None:
    rig = Rig(version=server_version, read_only=True)
    rig.ready()
    with pytest.raises(ReadOnlyError):
        Front(rig).send(message)
    rig.flush()
    assert rig.take() == []


def test_read_only_allows_what_if_with_or_without_order_id(server_version: int) -> None:
    rig = Rig(version=server_version, read_only=True)
    rig.ready(next_valid_id=30)
    front = Front(rig)
    what_if = Order(action="BUY", what_if=True)
    front.place_order(AAPL, what_if)
    front.place_order(AAPL, what_if, order_id=40)
    front.req_auto_open_orders(False)
    rig.flush()
    sent = rig.take()
    assert [m.order_id for m in sent if isinstance(m, PlaceOrder)] == [30, 40]
    assert ReqAutoOpenOrders(auto_bind=False) in sent


def test_read_only_refuses_a_bracket_before_allocating_ids(server_version: int) -> None:
    rig = Rig(version=server_version, read_only=True)
    rig.ready(next_valid_id=30)
    with pytest.raises(ReadOnlyError):
        Front(rig).bracket_order("BUY", 1, 10.0, 11.0, 9.0)
    assert rig.session.order_ids.peek() == 30
