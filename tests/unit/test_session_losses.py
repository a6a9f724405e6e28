"""The session at a loss: nothing a user asked for is dropped without a word.

Requests the pacer still holds at a drop, orders written just before it, every
kind of close, one incoming loop whatever the log level, one error table, one
read-only gate, order ids in order from many threads.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import pytest

from ibwire._frontend import FrontEnd
from ibwire._session import ReadOnlyError, ReconnectPolicy
from ibwire.errorcodes import CodeInfo, CodeTable, Severity
from ibwire.errors import ConnectionClosedError, HandshakeError, RemoteProtocolError
from ibwire.events import ConnectionClosed
from ibwire.messages import (
    CompletedOrder,
    CompletedOrdersEnd,
    ErrMsg,
    ExecutionDataEnd,
    ManagedAccts,
    Message,
    NextValidId,
    OpenOrder,
    OpenOrderEnd,
    Order,
    OrderState,
    PlaceOrder,
    ReplaceFa,
    ReqAutoOpenOrders,
    ReqCompletedOrders,
    ReqContractData,
    ReqExecutions,
    ReqMktData,
    TickPrice,
)
from ibwire.pacing import Pacer
from ibwire.protocol import ServerProtocol
from ibwire.wrapper import Connectivity

from .test_session import AAPL, AAPL_REPORTED, Rig, Sink, fill

T = TypeVar("T")
POLICY = ReconnectPolicy(initial_delay=1.0, jitter=0.0)


class HoldingPacer(Pacer[Message]):
    """The default pacer, except that it releases nothing while ``hold`` is set."""

    hold = False

    def poll(self, now: float) -> list[Message]:
        if self.hold:
            return []
        return super().poll(now)


def not_sent(rig: Rig) -> list[ErrMsg]:
    return [
        e
        for e in rig.events(ErrMsg)
        if isinstance(e, ErrMsg) and e.error_code == 504 and "not sent" in e.error_string
    ]


def reconnect(rig: Rig, next_valid_id: int = 50) -> None:
    rig.advance(1.0)
    rig.deliver(ManagedAccts(accounts_list="DU111"), NextValidId(order_id=next_valid_id))
    assert rig.session.is_ready


# ---------------------------------------------------------------------- queued at a drop


def test_an_order_held_at_a_drop_is_reported_and_never_sent() -> None:
    pacer = HoldingPacer()
    rig = Rig(pacing=pacer, reconnect=POLICY)
    rig.ready(next_valid_id=10)
    pacer.hold = True
    rig.submit(PlaceOrder(order_id=10, contract=AAPL, order=Order(action="BUY")))
    assert [o.order_id for o in rig.session.open_orders] == [10]
    rig.drop()
    (error,) = not_sent(rig)
    assert error.req_id == 10 and "order 10" in error.error_string
    assert rig.session.open_orders == []
    pacer.hold = False
    reconnect(rig)
    rig.advance(5.0)
    assert not [m for m in rig.take() if isinstance(m, PlaceOrder)]


def test_a_helper_held_at_a_drop_raises_not_sent() -> None:
    pacer = HoldingPacer()
    rig = Rig(pacing=pacer)
    rig.ready()
    pacer.hold = True
    pending = rig.session.contract_details(AAPL, rig.now, 5.0)
    rig.drop()
    with pytest.raises(ConnectionClosedError, match="not sent"):
        pending.result()


def test_a_user_request_held_at_a_drop_is_reported() -> None:
    pacer = HoldingPacer()
    rig = Rig(pacing=pacer)
    rig.ready()
    pacer.hold = True
    rig.submit(ReqContractData(req_id=77, contract=AAPL))
    rig.drop()
    (error,) = not_sent(rig)
    assert error.req_id == 77 and "ReqContractData" in error.error_string


def test_a_subscription_held_at_a_drop_is_kept_and_sent_once_after_reconnect() -> None:
    pacer = HoldingPacer()
    rig = Rig(pacing=pacer, reconnect=POLICY)
    rig.ready()
    pacer.hold = True
    sink = Sink()
    rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), sink, rig.now)
    rig.drop()
    assert sink.ended == [] and not_sent(rig) == []
    pacer.hold = False
    reconnect(rig)
    assert [m for m in rig.take() if isinstance(m, ReqMktData)] == [
        ReqMktData(req_id=9, contract=AAPL)
    ]


# ---------------------------------------------------------------------- reconciliation


def open_order(order_id: int, perm_id: int, status: str = "Submitted") -> OpenOrder:
    return OpenOrder(
        order_id=order_id,
        contract=AAPL_REPORTED,
        order=Order(order_id=order_id, action="BUY", perm_id=perm_id),
        order_state=OrderState(status=status),
    )


def test_orders_written_before_a_drop_are_reconciled_after_reconnect() -> None:
    rig = Rig(reconnect=POLICY)
    rig.ready(next_valid_id=1)
    for order_id in (1, 2, 3, 4):
        rig.submit(PlaceOrder(order_id=order_id, contract=AAPL, order=Order(action="BUY")))
    # TWS acknowledged 1 and 2 before the drop; 3 and 4 never got a word.
    rig.deliver(open_order(1, 111), open_order(2, 222))
    rig.drop()
    reconnect(rig)
    sent = rig.take()
    assert ReqCompletedOrders(api_only=True) in sent
    (resync,) = [m for m in sent if isinstance(m, ReqExecutions)]
    # 1 is still open, 2 was cancelled meanwhile, 3 filled, 4 is unknown to TWS.
    rig.deliver(open_order(1, 111), OpenOrderEnd())
    rig.deliver(
        CompletedOrder(
            contract=AAPL_REPORTED,
            order=Order(action="BUY", perm_id=222),
            order_state=OrderState(status="Cancelled"),
        ),
        CompletedOrdersEnd(),
    )
    assert sorted(o.order_id for o in rig.session.open_orders) == [1, 3, 4]
    rig.deliver(
        fill("e3", order_id=3, req_id=resync.req_id), ExecutionDataEnd(req_id=resync.req_id)
    )
    assert [o.order_id for o in rig.session.open_orders] == [1]
    (unknown,) = [e for e in rig.events(ErrMsg) if isinstance(e, ErrMsg) and e.req_id == 4]
    assert unknown.error_code == 135 and "does not know" in unknown.error_string


# ---------------------------------------------------------------------- every kind of close


def test_an_oversize_frame_closes_with_connection_closed() -> None:
    rig = Rig()
    rig.ready()
    rig.session.receive_data(b"\x7f\xff\xff\xff", rig.now)
    rig.collect()
    assert len(rig.events(ConnectionClosed)) == 1
    assert not rig.session.is_ready


def test_a_bad_server_version_closes_with_connection_closed() -> None:
    rig = Rig()
    waiter = rig.session.start(rig.now)
    rig.server = ServerProtocol()
    rig.session.transport_opened(rig.now)
    rig.session.data_to_send()
    # The server answers the hello with a version below the client's range.
    rig.session.receive_data(b"\x00\x00\x00\x0a5\x0020260101\x00", rig.now)
    rig.collect()
    assert len(rig.events(ConnectionClosed)) == 1
    assert isinstance(waiter.error, RemoteProtocolError | HandshakeError)


# ---------------------------------------------------------------------- one incoming loop


@pytest.mark.parametrize("wire_log", [False, True])
def test_nothing_is_delivered_after_326_whatever_the_log_level(
    wire_log: bool, caplog: pytest.LogCaptureFixture
) -> None:
    if wire_log:
        caplog.set_level(logging.DEBUG, logger="ibwire.wire")
    rig = Rig()
    rig.session.start(rig.now)
    rig.open()
    rig.deliver(
        ErrMsg(req_id=-1, error_code=326, error_string="client id in use"),
        TickPrice(req_id=1, tick_type=1, price=1.0),
    )
    assert rig.events(TickPrice) == []
    assert len(rig.events(ErrMsg)) == 1


# ---------------------------------------------------------------------- own exceptions


def test_each_waiting_helper_raises_its_own_exception() -> None:
    rig = Rig()
    rig.ready()
    first = rig.session.current_time(rig.now, 5.0)
    second = rig.session.contract_details(AAPL, rig.now, 5.0)
    rig.flush()
    rig.drop()
    assert isinstance(first.error, ConnectionClosedError)
    assert isinstance(second.error, ConnectionClosedError)
    assert first.error is not second.error
    assert first.error.__cause__ is second.error.__cause__ is not None


# ---------------------------------------------------------------------- one error table


def test_the_session_reads_link_state_from_the_user_table() -> None:
    table = CodeTable(
        {2199: CodeInfo(2199, Severity.CONNECTIVITY, "a new farm is broken", link_down=True)}
    )
    rig = Rig(code_table=table)
    rig.ready()
    rig.deliver(ErrMsg(req_id=-1, error_code=2199, error_string="Farm broken:newfarm"))
    (event,) = rig.events(Connectivity)
    assert isinstance(event, Connectivity) and not event.is_connected


def test_a_user_table_decides_whether_an_error_keeps_the_order() -> None:
    table = CodeTable(
        {201: CodeInfo(201, Severity.ERROR, "rejected", ends_request=True, keeps_order=True)}
    )
    rig = Rig(code_table=table)
    rig.ready()
    rig.submit(PlaceOrder(order_id=1, contract=AAPL, order=Order(action="BUY")))
    rig.deliver(ErrMsg(req_id=1, error_code=201, error_string="rejected"))
    assert [o.order_id for o in rig.session.open_orders] == [1]


# ---------------------------------------------------------------------- front-end harness


class Front(FrontEnd):
    """The shared front end over a Rig's session, with the threaded client's lock."""

    def __init__(self, rig: Rig) -> None:
        self._session = rig.session
        self._rig = rig
        self._lock = threading.RLock()

    def _session_call(self, call: Callable[[float], T]) -> T:
        with self._lock:
            return call(self._rig.now)


# ---------------------------------------------------------------------- one read-only gate


@pytest.mark.parametrize(
    "message",
    [
        ReplaceFa(req_id=5, fa_data=1, cxml="<x/>"),
        ReqAutoOpenOrders(auto_bind=True),
        PlaceOrder(order_id=3, contract=AAPL, order=Order(action="BUY")),
    ],
    ids=["replace_fa", "auto_open_orders_true", "place_order"],
)
def test_read_only_refuses(message: Message) -> None:
    rig = Rig(read_only=True)
    rig.ready()
    with pytest.raises(ReadOnlyError):
        Front(rig).send(message)
    rig.flush()
    assert rig.take() == []


def test_read_only_allows_what_if_with_or_without_order_id() -> None:
    rig = Rig(read_only=True)
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


def test_read_only_refuses_a_bracket_before_allocating_ids() -> None:
    rig = Rig(read_only=True)
    rig.ready(next_valid_id=30)
    with pytest.raises(ReadOnlyError):
        Front(rig).bracket_order("BUY", 1, 10.0, 11.0, 9.0)
    assert rig.session.order_ids.peek() == 30


# ---------------------------------------------------------------------- order ids under the lock


def test_order_ids_reach_tws_in_increasing_order_from_many_threads() -> None:
    rig = Rig()
    rig.ready(next_valid_id=1)
    front = Front(rig)
    order = Order(action="BUY", order_type="MKT", total_quantity=Decimal(1))
    start = threading.Barrier(8)

    def place() -> None:
        start.wait()
        for _ in range(150):
            front.place_order(AAPL, order)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=place) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(old)
    ids: list[int] = []
    while len(ids) < 1200:
        rig.advance(1.0)
        ids.extend(m.order_id for m in rig.take() if isinstance(m, PlaceOrder))
    assert ids == list(range(1, 1201))
