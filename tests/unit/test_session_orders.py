"""The session's orders: ids, tracking, fills once, brackets, reconciliation, losses."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import pytest

from ibwire import _session_base
from ibwire._frontend import FrontEnd
from ibwire._session import (
    Bracket,
    ReconnectPolicy,
)
from ibwire.errorcodes import CodeInfo, CodeTable, Severity
from ibwire.errors import (
    ConnectionClosedError,
)
from ibwire.events import MalformedMessage
from ibwire.live import Trade
from ibwire.messages import (
    CancelOrder,
    CommissionAndFeesReport,
    CompletedOrder,
    CompletedOrdersEnd,
    Contract,
    ErrMsg,
    ExecutionData,
    ExecutionDataEnd,
    ExecutionFilter,
    ManagedAccts,
    Message,
    NextValidId,
    OpenOrder,
    OpenOrderEnd,
    Order,
    OrderState,
    OrderStatus,
    PlaceOrder,
    ReqAcctData,
    ReqCompletedOrders,
    ReqCurrentTime,
    ReqExecutions,
    ReqMarketDataType,
    ReqMktData,
    ReqOpenOrders,
    TickPrice,
)
from ibwire.wrapper import Reconnected

from .session_rig import (
    AAPL,
    AAPL_REPORTED,
    MSFT,
    POLICY,
    HoldingPacer,
    Rig,
    Sink,
    fill,
    not_sent,
    reconnect,
)

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


def test_order_ids_and_request_ids_are_separate(server_version: int) -> None:
    """Pain point 8: order ids from nextValidId, request ids from their own counter."""
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=42)
    assert [rig.session.new_order_id() for _ in range(3)] == [42, 43, 44]
    req = rig.session.new_request_id()
    assert req >= 1_000_000_000
    assert rig.session.new_order_id() == 45


def test_explicit_order_id_is_never_reused(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=10)
    rig.submit(PlaceOrder(order_id=50, contract=AAPL, order=Order(action="BUY")))
    assert rig.session.new_order_id() == 51


def test_10349_does_not_cancel_the_order(server_version: int) -> None:
    """Pain point 11: 10349 (TIF set by preset) is a warning; the order stays open."""
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=3)
    rig.submit(PlaceOrder(order_id=3, contract=AAPL, order=Order(action="BUY", order_ref="x")))
    rig.deliver(ErrMsg(req_id=3, error_code=10349, error_string="Order TIF was set to DAY"))
    assert [o.order_id for o in rig.session.open_orders] == [3]
    rig.deliver(ErrMsg(req_id=3, error_code=202, error_string="Order Canceled"))
    assert rig.session.open_orders == []


def test_cancel_orders_by_criteria(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=1)
    rig.submit(PlaceOrder(order_id=1, contract=AAPL, order=Order(action="BUY", order_ref="a")))
    rig.submit(PlaceOrder(order_id=2, contract=MSFT, order=Order(action="BUY", order_ref="a")))
    rig.submit(PlaceOrder(order_id=3, contract=AAPL, order=Order(action="SELL", order_ref="b")))
    rig.deliver(
        OrderStatus(
            order_id=3, status="Filled", filled=Decimal(1), remaining=Decimal(0), client_id=7
        )
    )
    rig.take()
    # An order of this client id placed by an earlier connection, reported by TWS.
    rig.deliver(
        OpenOrder(
            order_id=4,
            contract=AAPL_REPORTED,
            order=Order(action="BUY", order_ref="a", account="DU2", client_id=7),
            order_state=OrderState(status="Submitted"),
        )
    )
    assert rig.session.cancel_orders(rig.now, symbol="AAPL") == [1, 4]
    rig.flush()
    assert rig.take() == [CancelOrder(order_id=1), CancelOrder(order_id=4)]
    assert rig.session.cancel_orders(rig.now, order_ref="a", account="DU2") == [4]
    with pytest.raises(ValueError):
        rig.session.cancel_orders(rig.now)


def test_bracket_order_transmit_flags(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=100)
    bracket = rig.session.bracket_order("BUY", 10, 50.0, 55.0, 45.0, tif="GTC")
    assert isinstance(bracket, Bracket)
    parent, take, stop = bracket
    # Numbered when placed, not when built.
    assert (parent.order_id, take.order_id, stop.order_id) == (0, 0, 0)
    assert rig.session.order_ids.peek() == 100
    assert (parent.transmit, take.transmit, stop.transmit) == (False, False, True)
    assert (take.action, stop.action) == ("SELL", "SELL")
    assert (take.order_type, take.lmt_price) == ("LMT", 55.0)
    assert (stop.order_type, stop.aux_price) == ("STP", 45.0)
    assert {o.tif for o in bracket} == {"GTC"}
    assert parent.total_quantity == Decimal(10)
    with pytest.raises(ValueError):
        rig.session.bracket_order("HOLD", 1, 1.0, 2.0, 0.5)


def test_reconnect_restores_subscriptions_orders_and_fills(server_version: int) -> None:
    """Pain points 1, 8, 14: re-sync ids, re-send subscriptions, fills exactly once."""
    rig = Rig(version=server_version, reconnect=ReconnectPolicy(initial_delay=1.0, jitter=0.0))
    rig.ready(next_valid_id=10)
    sink = Sink()
    rig.session.subscribe(ReqMktData(req_id=5, contract=AAPL), sink, rig.now)
    rig.submit(ReqMarketDataType(market_data_type=3))
    rig.submit(ReqAcctData(subscribe=True, acct_code="DU111"))
    rig.submit(ReqMktData(req_id=6, contract=MSFT, snapshot=True))  # not re-sent
    order_id = rig.session.new_order_id()
    rig.submit(PlaceOrder(order_id=order_id, contract=AAPL, order=Order(action="BUY")))
    rig.deliver(
        fill("e1", order_id),
        CommissionAndFeesReport(exec_id="e1", commission_and_fees=1.0, currency="USD"),
    )
    rig.take()
    pending = rig.session.current_time(rig.now, 30.0)

    rig.drop()
    with pytest.raises(ConnectionClosedError):
        pending.result()
    assert not sink.ended  # the subscription survives the loss
    with pytest.raises(ConnectionClosedError, match="reconnecting"):
        rig.session.submit(ReqCurrentTime(), rig.now)

    rig.advance(1.0)
    # The new gateway reports a lower next id: never go back.
    rig.deliver(ManagedAccts(accounts_list="DU111"), NextValidId(order_id=5))
    sent = rig.take()
    assert sent[:3] == [
        ReqMarketDataType(market_data_type=3),
        ReqMktData(req_id=5, contract=AAPL),
        ReqAcctData(subscribe=True, acct_code="DU111"),
    ]
    assert sent[3] == ReqOpenOrders()
    # An order was written before the drop: completed orders are re-read too.
    assert sent[4] == ReqCompletedOrders(api_only=True)
    resync = sent[5]
    assert isinstance(resync, ReqExecutions)
    (event,) = rig.events(Reconnected)
    assert isinstance(event, Reconnected)
    assert event.resubscribed == 2 and event.attempts == 1 and event.next_order_id == 11
    assert rig.session.new_order_id() == 11

    # TWS answers with the old fill and one that happened while we were away.
    rig.deliver(
        fill("e1", order_id, resync.req_id),
        fill("e2", order_id, resync.req_id),
        ExecutionDataEnd(req_id=resync.req_id),
        CommissionAndFeesReport(exec_id="e1", commission_and_fees=1.0, currency="USD"),
        CommissionAndFeesReport(exec_id="e2", commission_and_fees=1.0, currency="USD"),
        fill("e2", order_id),  # and the live copy, late
    )
    fills = [e.execution.exec_id for e in rig.events(ExecutionData)]  # type: ignore[attr-defined]
    assert fills == ["e1", "e2"]
    commissions = [e.exec_id for e in rig.events(CommissionAndFeesReport)]  # type: ignore[attr-defined]
    assert commissions == ["e1", "e2"]
    assert not rig.events(ExecutionDataEnd)  # the internal request's end is not the user's
    rig.deliver(TickPrice(req_id=5, tick_type=1, price=1.0))
    assert len(sink.items) == 1


def test_user_requested_executions_are_all_delivered(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    rig.deliver(fill("e1"))
    pending = rig.session.executions(ExecutionFilter(), rig.now, 5.0)
    rig.flush()
    req_id = rig.take()[0].req_id  # type: ignore[attr-defined]
    rig.deliver(fill("e1", req_id=req_id), ExecutionDataEnd(req_id=req_id))
    assert [m.execution.exec_id for m in pending.result()] == ["e1"]
    assert len(rig.events(ExecutionData)) == 2
    assert len(rig.events(ExecutionDataEnd)) == 1


def test_order_id_allocator_never_goes_back() -> None:
    from ibwire.orderids import OrderIdAllocator

    ids = OrderIdAllocator()
    with pytest.raises(RuntimeError):
        ids.next()
    ids.sync(1)
    assert [ids.next() for _ in range(4000)] == list(range(1, 4001))
    assert ids.sync(10) == 4001  # never back
    ids.observe(5000)
    assert ids.next() == 5001


def test_an_order_held_at_a_drop_is_reported_and_never_sent(server_version: int) -> None:
    pacer = HoldingPacer()
    rig = Rig(version=server_version, pacing=pacer, reconnect=POLICY)
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


def open_order(order_id: int, perm_id: int, status: str = "Submitted") -> OpenOrder:
    return OpenOrder(
        order_id=order_id,
        contract=AAPL_REPORTED,
        order=Order(order_id=order_id, action="BUY", perm_id=perm_id, client_id=7),
        order_state=OrderState(status=status),
    )


def test_orders_written_before_a_drop_are_reconciled_after_reconnect(server_version: int) -> None:
    rig = Rig(version=server_version, reconnect=POLICY)
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


def test_orders_are_reconciled_without_completed_orders_before_server_150() -> None:
    rig = Rig(version=149, reconnect=POLICY)
    rig.ready(next_valid_id=1)
    for order_id in (1, 2, 3):
        rig.submit(PlaceOrder(order_id=order_id, contract=AAPL, order=Order(action="BUY")))
    rig.deliver(open_order(1, 111), open_order(2, 222))
    rig.drop()
    reconnect(rig)
    sent = rig.take()
    assert not any(isinstance(m, ReqCompletedOrders) for m in sent)
    (resync,) = [m for m in sent if isinstance(m, ReqExecutions)]
    assert not rig.events(MalformedMessage)
    # 1 is still open, 3 filled; 2 ended unfilled meanwhile and nothing says how.
    rig.deliver(open_order(1, 111), OpenOrderEnd())
    rig.deliver(
        fill("e3", order_id=3, req_id=resync.req_id), ExecutionDataEnd(req_id=resync.req_id)
    )
    assert [o.order_id for o in rig.session.open_orders] == [1]
    (unknown,) = [e for e in rig.events(ErrMsg) if isinstance(e, ErrMsg) and e.req_id == 2]
    assert unknown.error_code == 135


def test_order_ids_reach_tws_in_increasing_order_from_many_threads(server_version: int) -> None:
    rig = Rig(version=server_version)
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


def test_a_user_table_decides_whether_an_error_keeps_the_order(server_version: int) -> None:
    table = CodeTable(
        {201: CodeInfo(201, Severity.ERROR, "rejected", ends_request=True, keeps_order=True)}
    )
    rig = Rig(version=server_version, code_table=table)
    rig.ready()
    rig.submit(PlaceOrder(order_id=1, contract=AAPL, order=Order(action="BUY")))
    rig.deliver(ErrMsg(req_id=1, error_code=201, error_string="rejected"))
    assert [o.order_id for o in rig.session.open_orders] == [1]


def test_orders_never_acknowledged_are_reported_when_no_reconnect_follows(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=1)
    for order_id in (1, 2):
        rig.submit(PlaceOrder(order_id=order_id, contract=AAPL, order=Order(action="BUY")))
    rig.deliver(
        OrderStatus(
            order_id=1, status="Submitted", filled=Decimal(0), remaining=Decimal(1), client_id=7
        )
    )
    rig.drop()
    (unknown,) = [e for e in rig.events(ErrMsg) if isinstance(e, ErrMsg)]
    assert unknown.req_id == 2 and "state is unknown" in unknown.error_string
    # Still tracked: the next connect() re-reads the orders and settles it.
    assert sorted(o.order_id for o in rig.session.open_orders) == [1, 2]


# ---------------------------------------------------------------------- other clients' orders


def _theirs(
    order_id: int, client_id: int, perm_id: int, contract_symbol: str = "AAPL"
) -> OpenOrder:
    contract = AAPL_REPORTED if contract_symbol == "AAPL" else MSFT
    order = Order(
        order_id=order_id,
        client_id=client_id,
        perm_id=perm_id,
        action="BUY",
        total_quantity=Decimal(1),
        order_type="LMT",
        lmt_price=1.0,
    )
    return OpenOrder(
        order_id=order_id,
        contract=contract,
        order=order,
        order_state=OrderState(status="Submitted"),
    )


def _place_one(rig: Rig, contract: Contract) -> Trade:
    """A limit order to buy one share at 1.0, placed through the session."""
    order = Order(action="BUY", order_type="LMT", total_quantity=Decimal(1), lmt_price=1.0)
    return rig.session.place(contract, order, rig.now)


def test_only_this_clients_orders_are_tracked_and_cancelled(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=6)
    ours = _place_one(rig, MSFT)
    rig.flush()
    rig.deliver(_theirs(6, 7, 60, "MSFT"))
    # Client 8's order 6 (AAPL): its id means nothing in this client's id space.
    rig.deliver(_theirs(6, 8, 66), _theirs(9, 0, 99))
    rig.take()
    assert [(o.order_id, o.contract.symbol) for o in rig.session.open_orders] == [(6, "MSFT")]
    assert rig.session.cancel_orders(rig.now, symbol="AAPL") == []
    rig.flush()
    assert not [m for m in rig.take() if isinstance(m, CancelOrder)]
    assert ours.status == "Submitted"
    # Client 8's order 6 ends: this client's order 6 stays tracked.
    rig.deliver(
        OrderStatus(
            order_id=6,
            status="Cancelled",
            filled=Decimal(0),
            remaining=Decimal(1),
            perm_id=66,
            client_id=8,
        )
    )
    assert [o.order_id for o in rig.session.open_orders] == [6]
    assert rig.session.cancel_orders(rig.now, symbol="MSFT") == [6]
    # A status that carries no client id (the protobuf field absent) may be ours.
    rig.deliver(
        OrderStatus(
            order_id=6,
            status="Cancelled",
            filled=Decimal(0),
            remaining=Decimal(1),
            perm_id=60,
            client_id=2**31 - 1,
        )
    )
    assert rig.session.open_orders == []


def test_cancels_the_pacer_holds_at_a_disconnect_are_sent_before_the_socket_closes() -> None:
    rig = Rig()
    rig.ready(next_valid_id=1)
    trades = []
    for _ in range(20):
        trades.append(_place_one(rig, AAPL))
        rig.advance(1.0)
    rig.take()
    ids = rig.session.cancel_orders(rig.now, symbol="AAPL")
    assert sorted(ids) == [t.order_id for t in trades]
    rig.flush()
    first = [m.order_id for m in rig.take() if isinstance(m, CancelOrder)]
    assert len(first) < 20  # the pacer holds the rest
    rig.session.close(rig.now)
    rig.flush()
    rest = [m.order_id for m in rig.take() if isinstance(m, CancelOrder)]
    assert sorted(first + rest) == sorted(ids)
    assert not_sent(rig) == []


def test_a_cancel_the_pacer_held_at_a_disconnect_is_reported_with_its_order_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pacer = HoldingPacer()
    rig = Rig(pacing=pacer)
    rig.ready(next_valid_id=1)
    trade = _place_one(rig, AAPL)
    rig.flush()
    pacer.hold = True
    assert rig.session.cancel_orders(rig.now, symbol="AAPL") == [trade.order_id]
    rig.flush()
    with caplog.at_level(logging.WARNING, logger="ibwire"):
        rig.session.close(rig.now)
        rig.collect()
    (error,) = not_sent(rig)
    assert error.req_id == trade.order_id
    assert error.error_string.startswith(f"CancelOrder {trade.order_id} was not sent")
    assert f"CancelOrder {trade.order_id} was never sent" in caplog.text


def test_a_subscription_the_users_disconnect_left_unsent_is_no_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pacer = HoldingPacer()
    rig = Rig(pacing=pacer)
    rig.ready(next_valid_id=1)
    pacer.hold = True
    rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), Sink(), rig.now)
    trade = _place_one(rig, AAPL)
    with caplog.at_level(logging.INFO, logger="ibwire"):
        rig.session.close(rig.now)
        rig.collect()
    levels = {r.getMessage().split(" was never sent")[0]: r.levelno for r in caplog.records
              if "was never sent" in r.getMessage()}
    assert levels == {"ReqMktData 9": logging.INFO, f"order {trade.order_id}": logging.WARNING}


def test_an_order_the_pacer_held_at_a_drop_ends_its_trade(server_version: int) -> None:
    pacer = HoldingPacer()
    rig = Rig(version=server_version, reconnect=POLICY, pacing=pacer)
    rig.ready(next_valid_id=1)
    pacer.hold = True
    trade = _place_one(rig, AAPL)
    rig.flush()
    changes = rig.session.live_changes
    rig.drop()
    (error,) = not_sent(rig)
    assert error.req_id == trade.order_id
    assert trade.is_done() and trade.status == "Cancelled"
    assert trade.log[-1].error_code == 504
    assert rig.session.blotter.open_trades() == []
    assert rig.session.live_changes > changes


def test_the_cancel_of_an_order_placed_before_a_reconnect_goes_with_its_change_queued(
    server_version: int,
) -> None:
    pacer = HoldingPacer()
    rig = Rig(version=server_version, reconnect=POLICY, pacing=pacer)
    rig.ready(next_valid_id=1)
    trade = _place_one(rig, AAPL)
    rig.flush()
    rig.deliver(open_order(trade.order_id, 111))
    rig.drop()
    reconnect(rig)
    rig.take()
    # The change waits in the pacer when the cancel comes: the change is
    # withdrawn, the cancel must still reach TWS, which holds the order.
    pacer.hold = True
    rig.session.modify(trade, {"lmt_price": 2.0}, rig.now)
    rig.session.cancel_trade(trade, rig.now)
    pacer.hold = False
    rig.advance(1.0)
    sent = rig.take()
    assert [m.order_id for m in sent if isinstance(m, CancelOrder)] == [trade.order_id]
    assert not any(isinstance(m, PlaceOrder) for m in sent)


def test_an_order_unknown_to_tws_after_a_reconnect_ends_its_trade(server_version: int) -> None:
    rig = Rig(version=server_version, reconnect=POLICY)
    rig.ready(next_valid_id=1)
    trade = _place_one(rig, AAPL)
    rig.flush()
    rig.drop()
    reconnect(rig)
    (resync,) = [m for m in rig.take() if isinstance(m, ReqExecutions)]
    changes = rig.session.live_changes
    rig.deliver(OpenOrderEnd(), CompletedOrdersEnd(), ExecutionDataEnd(req_id=resync.req_id))
    assert trade.status == "Cancelled" and trade.log[-1].error_code == 135
    assert rig.session.blotter.open_trades() == []
    assert rig.session.live_changes > changes


@pytest.mark.parametrize("code", [105, 110, 201, 321])
def test_a_refused_change_of_an_acknowledged_order_keeps_it_tracked(
    server_version: int, code: int
) -> None:
    """The order TWS holds goes on with its old terms; a new order it refuses is gone."""
    rig = Rig(version=server_version)
    rig.ready(next_valid_id=1)
    order = Order(action="BUY", total_quantity=Decimal(100), order_type="LMT", lmt_price=10.0)
    rig.submit(PlaceOrder(order_id=1, contract=AAPL, order=order))
    rig.deliver(OrderStatus(
        order_id=1, status="Submitted", filled=Decimal(0), remaining=Decimal(100), client_id=7
    ))
    changed = Order(action="BUY", total_quantity=Decimal(100), order_type="LMT", lmt_price=10.003)
    rig.submit(PlaceOrder(order_id=1, contract=AAPL, order=changed))
    rig.deliver(ErrMsg(req_id=1, error_code=code, error_string="refused"))
    assert [o.order_id for o in rig.session.open_orders] == [1]
    rig.submit(PlaceOrder(order_id=2, contract=AAPL, order=changed))
    rig.deliver(ErrMsg(req_id=2, error_code=code, error_string="refused"))
    assert [o.order_id for o in rig.session.open_orders] == [1]
    rig.deliver(ErrMsg(req_id=1, error_code=202, error_string="Order Canceled"))
    assert rig.session.open_orders == []


@pytest.mark.parametrize("how", ["status", "open order", "completed", "cancel error"])
def test_a_late_working_status_does_not_bring_back_a_finished_order(how: str) -> None:
    # TWS's messages for one order can come out of order: a Submitted openOrder or
    # orderStatus after the one saying it filled or was cancelled.
    rig = Rig(version=149, reconnect=POLICY)
    rig.ready(next_valid_id=1)
    rig.submit(PlaceOrder(order_id=1, contract=AAPL, order=Order(action="BUY")))
    rig.deliver(open_order(1, 111))
    ends: dict[str, Message] = {
        "status": OrderStatus(order_id=1, status="Filled", filled=Decimal(100), remaining=Decimal(0),
                              client_id=7),
        "open order": open_order(1, 111, status="Cancelled"),
        "completed": CompletedOrder(contract=AAPL_REPORTED, order=Order(action="BUY", perm_id=111),
                                    order_state=OrderState(status="Filled")),
        "cancel error": ErrMsg(req_id=1, error_code=202, error_string="Order Canceled"),
    }  # fmt: skip
    rig.deliver(ends[how])
    assert rig.session.open_orders == []
    rig.deliver(
        open_order(1, 111),
        OrderStatus(order_id=1, status="Submitted", filled=Decimal(0), remaining=Decimal(100),
                    client_id=7),
    )
    assert rig.session.open_orders == []
    # A reconnect has nothing of it to reconcile: no "TWS does not know it" report.
    rig.drop()
    reconnect(rig)
    resync = next(m for m in rig.take() if isinstance(m, ReqExecutions))
    rig.deliver(OpenOrderEnd(), ExecutionDataEnd(req_id=resync.req_id))
    assert [e for e in rig.events(ErrMsg) if isinstance(e, ErrMsg) and e.error_code == 135] == []
    # A new order under another id is tracked from its first openOrder as before.
    rig.deliver(open_order(60, 600))
    assert [o.order_id for o in rig.session.open_orders] == [60]


def test_the_finished_orders_remembered_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_session_base, "_MAX_FINISHED_ORDERS", 3)
    rig = Rig()
    rig.ready(next_valid_id=1)
    for order_id in range(1, 6):
        rig.deliver(open_order(order_id, order_id), open_order(order_id, order_id, "Filled"))
    rig.deliver(*(open_order(order_id, order_id) for order_id in range(1, 6)))
    # The three most recent are remembered; the two oldest come back.
    assert [o.order_id for o in rig.session.open_orders] == [1, 2]


def test_an_order_id_reused_after_a_tws_restart_is_tracked() -> None:
    # A restarted TWS counts order ids from 1 again: its working order 1 after the
    # reconnect is a new order, not a late status of the one that filled before.
    rig = Rig(version=149, reconnect=POLICY)
    rig.ready(next_valid_id=1)
    rig.submit(PlaceOrder(order_id=1, contract=AAPL, order=Order(action="BUY")))
    rig.deliver(open_order(1, 111), open_order(1, 111, status="Filled"))
    assert rig.session.open_orders == []
    rig.drop()
    reconnect(rig, next_valid_id=1)
    resync = next(m for m in rig.take() if isinstance(m, ReqExecutions))
    rig.deliver(open_order(1, 222), OpenOrderEnd(), ExecutionDataEnd(req_id=resync.req_id))
    assert [(o.order_id, o.order.perm_id) for o in rig.session.open_orders] == [(1, 222)]
