from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from ibwire.errorcodes import CodeTable, Severity
from ibwire.live import Blotter, Fill, LogEntry, Trade
from ibwire.live.trade import execution_key
from ibwire.messages import (
    CommissionAndFeesReport,
    CompletedOrder,
    Contract,
    ErrMsg,
    Execution,
    ExecutionData,
    OpenOrder,
    Order,
    OrderState,
    OrderStatus,
)
from ibwire.orders import LimitOrder

AAPL = Contract(con_id=265598, symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
CLIENT = 7


def order(order_id: int = 5, quantity: int = 100) -> Order:
    return replace(LimitOrder("BUY", quantity, 150.0), order_id=order_id)


def status(
    text: str, filled: int = 0, remaining: int = 100, order_id: int = 5, perm_id: int = 900,
    avg: float = 0.0, client_id: int = CLIENT,
) -> OrderStatus:
    return OrderStatus(order_id=order_id, status=text, filled=Decimal(filled),
                       remaining=Decimal(remaining), avg_fill_price=avg, perm_id=perm_id,
                       last_fill_price=avg, client_id=client_id)


def execution(exec_id: str, shares: int, price: float = 150.0, order_id: int = 5,
              perm_id: int = 900, client_id: int = CLIENT) -> ExecutionData:
    return ExecutionData(
        req_id=-1, contract=AAPL,
        execution=Execution(exec_id=exec_id, shares=Decimal(shares), price=price,
                            order_id=order_id, perm_id=perm_id, client_id=client_id, side="BOT"),
    )


def commission(exec_id: str, amount: float = 1.0) -> CommissionAndFeesReport:
    return CommissionAndFeesReport(exec_id=exec_id, commission_and_fees=amount, currency="USD")


def open_order(order_id: int = 5, state: str = "Submitted", perm_id: int = 900,
               client_id: int = CLIENT, **fields: object) -> OpenOrder:
    placed = replace(order(order_id), perm_id=perm_id, client_id=client_id, **fields)
    return OpenOrder(order_id=order_id, contract=AAPL, order=placed,
                     order_state=OrderState(status=state))


def error(code: int, text: str = "x", req_id: int = 5) -> ErrMsg:
    return ErrMsg(req_id=req_id, error_code=code, error_string=text)


# ------------------------------------------------------------------ Trade


def test_new_trade() -> None:
    trade = Trade(AAPL, order(), 1.0)
    assert (trade.order_id, trade.status, trade.filled, trade.remaining) == (
        5, "PendingSubmit", Decimal(0), Decimal(100),
    )
    assert trade.log == (LogEntry(1.0, "PendingSubmit"),)
    assert not trade.is_done()
    assert trade.is_active()


def test_through_its_fill() -> None:
    trade = Trade(AAPL, order(), 1.0)
    assert trade.apply(status("Submitted"), 2.0)
    assert trade.apply(execution("e1", 40, 150.0), 3.0)
    assert trade.apply(status("Submitted", 40, 60, avg=150.0), 3.0)
    assert trade.apply(execution("e2", 60, 149.0), 4.0)
    assert trade.apply(status("Filled", 100, 0, avg=149.4), 4.0)
    assert trade.is_done()
    assert (trade.filled, trade.remaining, trade.avg_fill_price) == (
        Decimal(100), Decimal(0), 149.4,
    )
    assert trade.perm_id == 900
    assert [f.execution.exec_id for f in trade.fills] == ["e1", "e2"]
    assert [(e.status, e.message) for e in trade.log] == [
        ("PendingSubmit", ""), ("Submitted", ""), ("Submitted", "Fill 40@150.0"),
        ("Submitted", "Fill 60@149.0"), ("Filled", ""),
    ]


def test_repeated_status_changes_nothing() -> None:
    trade = Trade(AAPL, order(), 1.0)
    assert trade.apply(status("Submitted"), 2.0)
    assert not trade.apply(status("Submitted"), 3.0)
    assert len(trade.log) == 2


def test_execution_de_duplicated() -> None:
    trade = Trade(AAPL, order(), 1.0)
    assert trade.apply(execution("e1", 10), 2.0)
    assert not trade.apply(execution("e1", 10), 3.0)
    assert len(trade.fills) == 1


def test_commission_after_execution() -> None:
    trade = Trade(AAPL, order(), 1.0)
    trade.apply(execution("e1", 10), 2.0)
    assert trade.apply(commission("e1", 1.25), 3.0)
    assert trade.fills[0].commission_report == commission("e1", 1.25)
    assert not trade.apply(commission("e1", 1.25), 4.0)
    assert not trade.apply(commission("other"), 4.0)
    assert trade.commission() == 1.25


@pytest.mark.parametrize("state", ["Filled", "Cancelled", "ApiCancelled", "Inactive"])
def test_done_states(state: str) -> None:
    trade = Trade(AAPL, order(), 1.0)
    trade.apply(status(state), 2.0)
    assert trade.is_done()
    assert not trade.is_active()


def test_inactive_then_active_again_is_not_done() -> None:
    trade = Trade(AAPL, order(), 1.0)
    trade.apply(status("Inactive"), 2.0)
    trade.apply(status("Submitted"), 3.0)
    assert not trade.is_done()


@pytest.mark.parametrize("final", ["Filled", "Cancelled", "ApiCancelled"])
def test_a_late_working_status_does_not_reopen_a_final_trade(final: str) -> None:
    # IB: Filled and Cancelled are final, Inactive alone may resume.  A working
    # status after them is older news (a cancel or change TWS answered late).
    trade = Trade(AAPL, order(), 1.0)
    filled = 100 if final == "Filled" else 0
    trade.apply(status(final, filled=filled, remaining=100 - filled), 2.0)
    log = trade.log
    assert not trade.apply(status("Submitted"), 3.0)
    assert not trade.apply(status("Inactive"), 3.0)
    assert (trade.status, trade.filled, trade.log) == (final, filled, log)
    trade.apply(open_order(state="Submitted", lmt_price=151.0), 4.0)
    assert trade.status == final and trade.is_done()
    assert trade.order.lmt_price == 151.0  # TWS's copy of the order is still kept
    assert trade.order_state is not None and trade.order_state.status == "Submitted"
    assert trade.log == log
    # Another final status is news: a fill that won the race against a cancel.
    if final != "Filled":
        assert trade.apply(status("Filled", filled=100, remaining=0), 5.0)
        assert (trade.status, trade.filled) == ("Filled", 100)


def test_open_order_updates_order_contract_and_state() -> None:
    trade = Trade(Contract(symbol="AAPL", sec_type="STK"), order(), 1.0)
    message = open_order(state="PreSubmitted", tif="DAY")
    assert trade.apply(message, 2.0)
    assert trade.contract == AAPL
    assert trade.order.tif == "DAY"
    assert trade.order_state == message.order_state
    assert trade.status == "PreSubmitted"
    assert (trade.perm_id, trade.client_id) == (900, CLIENT)


def test_rejection_before_acknowledgement_cancels() -> None:
    trade = Trade(AAPL, order(), 1.0)
    assert trade.apply(error(201, "Order rejected - reason: no margin"), 2.0)
    assert trade.status == "Cancelled"
    assert trade.is_done()
    assert trade.log[-1] == LogEntry(2.0, "Cancelled", "Order rejected - reason: no margin", 201)


def test_error_on_acknowledged_order_is_only_logged() -> None:
    trade = Trade(AAPL, order(), 1.0)
    trade.apply(status("Submitted"), 2.0)
    trade.modified(replace(order(), lmt_price=151.0), 3.0)
    trade.apply(error(10147, "OrderId 5 that needs to be cancelled is not found."), 4.0)
    assert trade.status == "Submitted"
    assert trade.order.lmt_price == 151.0
    assert [e.message for e in trade.log][-2:] == [
        "Modify", "OrderId 5 that needs to be cancelled is not found.",
    ]


@pytest.mark.parametrize("code", [105, 110, 201, 321, 2102])
def test_a_refused_modification_leaves_the_order_tws_holds(code: int) -> None:
    trade = Trade(AAPL, order(), 1.0)
    trade.apply(status("Submitted"), 2.0)
    trade.modified(replace(order(), lmt_price=150.003), 3.0)
    assert trade.order.lmt_price == 150.003
    trade.apply(error(code, "refused"), 4.0)
    assert (trade.status, trade.order.lmt_price) == ("Submitted", 150.0)
    assert trade.log[-1] == LogEntry(4.0, "Submitted", "refused", code)
    # A change TWS confirms is the order from then on; a later refusal keeps it.
    trade.modified(replace(order(), lmt_price=151.0), 5.0)
    trade.apply(open_order(lmt_price=151.0), 6.0)
    trade.modified(replace(order(), lmt_price=152.0), 7.0)
    trade.apply(error(code, "refused"), 8.0)
    assert (trade.status, trade.order.lmt_price) == ("Submitted", 151.0)
    assert not trade.is_done()


def test_a_modification_tws_confirms_is_logged() -> None:
    trade = Trade(AAPL, order(), 1.0)
    trade.apply(open_order(), 2.0)
    trade.modified(replace(order(), lmt_price=151.0), 3.0)
    trade.apply(open_order(lmt_price=151.0), 4.0)
    assert trade.log[-2:] == (
        LogEntry(3.0, "Submitted", "Modify"), LogEntry(4.0, "Submitted", "Modified"),
    )
    # The open order TWS repeats later is no confirmation; one that also
    # changes the status is logged once.
    trade.apply(open_order(lmt_price=151.0), 5.0)
    trade.modified(replace(order(), lmt_price=152.0), 6.0)
    trade.apply(open_order(lmt_price=152.0, state="PreSubmitted"), 7.0)
    assert trade.log[-3:] == (
        LogEntry(4.0, "Submitted", "Modified"), LogEntry(6.0, "Submitted", "Modify"),
        LogEntry(7.0, "PreSubmitted", "Modified"),
    )


def test_a_modification_refused_before_acknowledgement_leaves_the_order_as_placed() -> None:
    trade = Trade(AAPL, order(), 1.0)
    trade.modified(replace(order(), lmt_price=151.0), 2.0)
    trade.apply(error(2102, "still being processed"), 3.0)
    assert (trade.status, trade.order.lmt_price) == ("PendingSubmit", 150.0)
    # The refused change is not confirmed by a later open order.
    trade.apply(open_order(lmt_price=151.0), 4.0)
    assert trade.log[-1] == LogEntry(4.0, "Submitted")


def test_a_modification_never_sent_leaves_the_order_tws_holds() -> None:
    trade = Trade(AAPL, order(), 1.0)
    trade.apply(status("Submitted"), 2.0)
    trade.modified(replace(order(), lmt_price=151.0), 3.0)
    assert trade.ended(error(504, "order 5 was not sent"), 4.0, certain=False)
    assert (trade.status, trade.order.lmt_price) == ("Submitted", 150.0)


@pytest.mark.parametrize("code", [135, 161, 10147, 10148])
def test_a_refused_cancel_does_not_end_an_order_not_yet_acknowledged(code: int) -> None:
    """Placed and cancelled at once: TWS may refuse the cancel because it filled."""
    trade = Trade(AAPL, order(), 1.0)
    trade.cancel_requested(2.0)
    trade.apply(error(code, "cannot cancel"), 3.0)
    assert not trade.is_done()
    trade.apply(status("Filled", filled=100, remaining=0, avg=150.0), 4.0)
    assert trade.status == "Filled"
    assert [e.status for e in trade.log] == ["PendingSubmit", "PendingCancel", "PendingSubmit", "Filled"]


@pytest.mark.parametrize("code", [135, 161, 10147, 10148])
def test_a_refused_cancel_puts_back_the_status_the_order_had(code: int) -> None:
    trade = Trade(AAPL, order(), 1.0)
    trade.apply(status("Submitted"), 2.0)
    trade.cancel_requested(3.0)
    trade.apply(error(code, "cannot cancel"), 4.0)
    assert (trade.status, trade.is_active()) == ("Submitted", True)
    assert trade.log[-1] == LogEntry(4.0, "Submitted", "cannot cancel", code)
    # A PendingCancel TWS reports is TWS's word: a refusal then only logs.
    trade.apply(status("PendingCancel"), 5.0)
    trade.apply(error(code, "cannot cancel"), 6.0)
    assert trade.status == "PendingCancel"


def test_order_cancelled_notice() -> None:
    trade = Trade(AAPL, order(), 1.0)
    trade.apply(status("Submitted"), 2.0)
    trade.cancel_requested(3.0)
    assert trade.status == "PendingCancel"
    trade.apply(error(202, "Order Canceled - reason:"), 4.0)
    assert trade.status == "Cancelled"
    assert trade.is_done()


def test_warning_does_not_cancel() -> None:
    trade = Trade(AAPL, order(), 1.0)
    trade.apply(error(399, "Order Message: will not be placed until market open"), 2.0)
    assert trade.status == "PendingSubmit"


def test_code_table_overrides_apply() -> None:
    table = CodeTable({201: Severity.WARNING})
    trade = Trade(AAPL, order(), 1.0, codes=table)
    trade.apply(error(201), 2.0)
    assert trade.status == "PendingSubmit"


def test_cancel_requested_on_a_done_trade_is_ignored() -> None:
    trade = Trade(AAPL, order(), 1.0)
    trade.apply(status("Filled", 100, 0), 2.0)
    trade.cancel_requested(3.0)
    assert trade.status == "Filled"


def test_snapshot() -> None:
    trade = Trade(AAPL, order(), 1.0)
    trade.apply(execution("e1", 10), 2.0)
    shot = trade.snapshot()
    trade.apply(status("Filled", 100, 0), 3.0)
    assert shot.status == "PendingSubmit"
    assert not shot.is_done()
    assert len(shot.fills) == 1
    assert "AAPL" in repr(trade)


def test_other_messages_ignored() -> None:
    assert not Trade(AAPL, order(), 1.0).apply(AAPL, 1.0)


# ------------------------------------------------------------------ Blotter


def test_blotter_routes_by_order_id() -> None:
    blotter = Blotter(CLIENT)
    trade = blotter.add(AAPL, order(), 1.0)
    assert trade.client_id == CLIENT
    assert blotter.apply(status("Submitted"), 2.0) is trade
    assert blotter.apply(execution("e1", 100), 3.0) is trade
    assert blotter.apply(commission("e1", 0.5), 4.0) is trade
    assert blotter.apply(status("Filled", 100, 0), 5.0) is trade
    assert trade.fills[0].commission_report == commission("e1", 0.5)
    assert blotter.trades() == [trade]
    assert blotter.open_trades() == []
    assert blotter.trade(5) is trade
    assert blotter.trade_by_perm_id(900) is trade
    assert [f.commission_report for f in blotter.fills()] == [commission("e1", 0.5)]


def test_commission_before_execution() -> None:
    blotter = Blotter(CLIENT)
    trade = blotter.add(AAPL, order(), 1.0)
    assert blotter.apply(commission("e1", 2.0), 2.0) is None
    assert blotter.apply(execution("e1", 100), 3.0) is trade
    assert trade.fills == (Fill(AAPL, execution("e1", 100).execution, commission("e1", 2.0), 3.0),)
    assert blotter.fills()[0].commission_report == commission("e1", 2.0)


def test_reconnect_replays_are_not_duplicated() -> None:
    blotter = Blotter(CLIENT)
    trade = blotter.add(AAPL, order(), 1.0)
    for now in (2.0, 10.0):  # the second round: reqExecutions / open orders after a reconnect
        blotter.apply(open_order(), now)
        blotter.apply(execution("e1", 100), now)
        blotter.apply(commission("e1"), now)
    assert blotter.trades() == [trade]
    assert len(trade.fills) == 1
    assert len(blotter.fills()) == 1


def test_open_orders_found_at_connect_become_trades() -> None:
    blotter = Blotter(CLIENT)
    trade = blotter.apply(open_order(order_id=12, perm_id=1200, state="PreSubmitted"), 1.0)
    assert trade is not None
    assert (trade.order_id, trade.status, trade.perm_id) == (12, "PreSubmitted", 1200)
    assert blotter.trade(12) is trade
    assert blotter.apply(status("Submitted", order_id=12, perm_id=1200), 2.0) is trade
    assert blotter.open_trades() == [trade]


def test_orders_placed_in_tws_keyed_by_perm_id() -> None:
    blotter = Blotter(CLIENT)
    trade = blotter.apply(open_order(order_id=0, perm_id=4242, client_id=0), 1.0)
    assert trade is not None
    assert blotter.trade_by_perm_id(4242) is trade
    assert blotter.apply(status("Filled", 100, 0, order_id=0, perm_id=4242, client_id=0), 2.0) is trade
    assert blotter.apply(execution("x1", 100, order_id=0, perm_id=4242, client_id=0), 3.0) is trade


def test_what_if_open_orders_are_not_trades() -> None:
    blotter = Blotter(CLIENT)
    assert blotter.apply(open_order(what_if=True), 1.0) is None
    assert blotter.trades() == []


def test_placing_a_known_id_again_is_a_modification() -> None:
    blotter = Blotter(CLIENT)
    first = blotter.add(AAPL, order(), 1.0)
    again = blotter.add(AAPL, replace(order(), lmt_price=152.0), 2.0)
    assert again is first
    assert first.order.lmt_price == 152.0
    assert first.log[-1].message == "Modify"


def test_add_needs_an_order_id() -> None:
    with pytest.raises(ValueError, match="order_id"):
        Blotter(CLIENT).add(AAPL, order(order_id=0), 1.0)


def test_errors_routed_to_this_clients_orders() -> None:
    blotter = Blotter(CLIENT)
    trade = blotter.add(AAPL, order(), 1.0)
    assert blotter.apply(error(201), 2.0) is trade
    assert trade.status == "Cancelled"
    assert blotter.apply(error(201, req_id=99), 2.0) is None
    assert blotter.apply(error(2104, req_id=-1), 2.0) is None


def test_executions_of_unknown_orders_are_still_fills() -> None:
    blotter = Blotter(CLIENT)
    assert blotter.apply(execution("old", 5, order_id=77, perm_id=7700), 1.0) is None
    assert blotter.apply(commission("old", 0.1), 2.0) is None
    assert blotter.fills()[0].commission_report == commission("old", 0.1)


def test_status_of_unknown_order_ignored() -> None:
    assert Blotter(CLIENT).apply(status("Submitted", order_id=3, perm_id=0), 1.0) is None
    assert Blotter(CLIENT).apply(AAPL, 1.0) is None


def test_status_and_execution_before_the_open_order_are_adopted() -> None:
    blotter = Blotter(CLIENT)
    assert blotter.apply(status("PreSubmitted", order_id=32, perm_id=3200), 1.0) is None
    assert blotter.apply(execution("e9", 100, order_id=32, perm_id=3200), 2.0) is None
    assert blotter.apply(commission("e9", 1.7), 2.5) is None
    trade = blotter.apply(open_order(order_id=32, perm_id=3200, state="Filled"), 3.0)
    assert trade is not None
    assert [e.status for e in trade.log] == ["PreSubmitted", "PreSubmitted", "Filled"]
    assert [(f.execution.exec_id, f.commission_report) for f in trade.fills] == [
        ("e9", commission("e9", 1.7)),
    ]
    assert trade.is_done()
    # The adopted execution is not adopted twice, and later messages still route.
    assert blotter.apply(execution("e9", 100, order_id=32, perm_id=3200), 4.0) is None
    assert blotter.apply(status("Filled", 100, 0, order_id=32, perm_id=3200), 5.0) is trade
    assert len(trade.fills) == 1


def test_reused_order_id_is_a_new_trade() -> None:
    blotter = Blotter(CLIENT)
    first = blotter.apply(open_order(order_id=3, perm_id=100, state="Filled"), 1.0)
    second = blotter.apply(open_order(order_id=3, perm_id=200, state="Submitted"), 2.0)
    assert first is not None and second is not None and first is not second
    assert blotter.trades() == [first, second]
    assert blotter.trade(3) is second
    assert blotter.trade_by_perm_id(100) is first
    assert blotter.apply(status("Cancelled", order_id=3, perm_id=200), 3.0) is second
    assert first.status == "Filled"


# ------------------------------------------------------------------ corrections, completed, ended


def test_a_correction_replaces_the_execution_it_corrects() -> None:
    blotter = Blotter(CLIENT)
    trade = blotter.add(AAPL, order(), 1.0)
    blotter.apply(open_order(), 1.0)
    first, corrected = "0000e0d5.6553a7c3.01.01", "0000e0d5.6553a7c3.01.02"
    assert execution_key(corrected) == execution_key(first) == "0000e0d5.6553a7c3.01"
    blotter.apply(execution(first, 100, 10.0), 2.0)
    blotter.apply(commission(first, 1.0), 2.0)
    assert blotter.apply(execution(corrected, 100, 10.01), 3.0) is trade
    assert [(f.execution.exec_id, f.execution.price) for f in trade.fills] == [(corrected, 10.01)]
    assert [f.execution.exec_id for f in blotter.fills()] == [corrected]
    # The old report stays until the correction's own arrives, which replaces it.
    assert trade.commission() == 1.0
    assert blotter.apply(commission(corrected, 1.25), 3.0) is trade
    assert trade.commission() == 1.25
    assert blotter.fills()[0].commission_report == commission(corrected, 1.25)
    # The original, repeated (reqExecutions after a reconnect), changes nothing.
    assert blotter.apply(execution(first, 100, 10.0), 4.0) is None
    assert blotter.apply(commission(first, 1.0), 4.0) is None
    assert [f.execution.exec_id for f in trade.fills] == [corrected]
    assert trade.commission() == 1.25
    assert trade.log[-1].message == "Fill correction 100@10.01"


def test_a_correction_report_before_its_execution_waits_for_it() -> None:
    blotter = Blotter(CLIENT)
    trade = blotter.add(AAPL, order(), 1.0)
    blotter.apply(open_order(), 1.0)
    blotter.apply(execution("a.b.01", 100), 2.0)
    blotter.apply(commission("a.b.02", 2.0), 2.0)
    assert trade.commission() == 0
    blotter.apply(execution("a.b.02", 100), 3.0)
    assert trade.commission() == 2.0
    assert len(trade.fills) == len(blotter.fills()) == 1


def test_a_completed_order_ends_its_trade_by_perm_id() -> None:
    blotter = Blotter(CLIENT)
    cancelled = blotter.add(AAPL, order(5), 1.0)
    filled = blotter.add(AAPL, order(6), 1.0)
    blotter.apply(open_order(5, perm_id=900), 1.0)
    blotter.apply(open_order(6, perm_id=901), 1.0)

    def completed(perm_id: int, text: str) -> CompletedOrder:
        return CompletedOrder(
            contract=AAPL,
            order=replace(order(), perm_id=perm_id, order_id=0),
            order_state=OrderState(status=text, completed_status=f"{text} by TWS"),
        )

    assert blotter.apply(completed(900, "Cancelled"), 2.0) is cancelled
    assert blotter.apply(completed(901, "Filled"), 2.0) is filled
    assert blotter.apply(completed(999, "Filled"), 2.0) is None
    assert (cancelled.status, cancelled.filled, cancelled.remaining) == (
        "Cancelled",
        Decimal(0),
        Decimal(100),
    )
    assert (filled.status, filled.filled, filled.remaining) == ("Filled", Decimal(100), Decimal(0))
    assert filled.log[-1] == LogEntry(2.0, "Filled", "Filled by TWS")
    assert blotter.open_trades() == []
    assert blotter.apply(completed(901, "Filled"), 3.0) is None


def test_a_trade_whose_executions_add_up_is_filled_when_asked() -> None:
    trade = Trade(AAPL, replace(order(), client_id=CLIENT), 1.0)
    trade.apply(execution("e1", 40), 2.0)
    assert not trade.executed_in_full(3.0)
    trade.apply(execution("e2", 60), 4.0)
    assert trade.executed_in_full(5.0)
    assert (trade.status, trade.filled, trade.remaining) == ("Filled", Decimal(100), Decimal(0))
    assert not trade.executed_in_full(6.0)


def test_an_order_the_client_knows_to_be_over_ends_its_trade() -> None:
    blotter = Blotter(CLIENT)
    unsent = blotter.add(AAPL, order(5), 1.0)
    acknowledged = blotter.add(AAPL, order(6), 1.0)
    blotter.apply(status("Submitted", order_id=6), 1.5)
    lost = error(504, "not sent", req_id=5)
    assert blotter.end(lost, 2.0, certain=False) is unsent
    assert unsent.status == "Cancelled" and unsent.log[-1] == LogEntry(
        2.0, "Cancelled", "not sent", 504
    )
    # A change never sent does not end an order TWS holds; an unknown order does.
    assert blotter.end(error(504, "not sent", req_id=6), 3.0, certain=False) is acknowledged
    assert acknowledged.status == "Submitted"
    assert blotter.end(error(135, "unknown", req_id=6), 4.0) is acknowledged
    assert acknowledged.status == "Cancelled" and acknowledged.is_done()
    assert blotter.end(error(135, "unknown", req_id=77), 4.0) is None


def test_a_completed_order_waits_for_an_execution_to_name_its_trade() -> None:
    blotter = Blotter(CLIENT)
    trade = blotter.add(AAPL, order(), 1.0)
    unrelated = CompletedOrder(contract=AAPL, order=replace(order(9), perm_id=321),
                               order_state=OrderState(status="Filled"))
    done = CompletedOrder(contract=AAPL, order=replace(order(), perm_id=900,
                          filled_quantity=Decimal(30)), order_state=OrderState(status="Cancelled"))
    assert blotter.apply(unrelated, 2.0) is None
    assert blotter.apply(done, 2.0) is None
    assert trade.status == "PendingSubmit"
    assert blotter.apply(execution("e1", 30), 3.0) is trade
    assert (trade.perm_id, trade.status, trade.filled, trade.remaining) == (
        900, "Cancelled", Decimal(30), Decimal(70),
    )
    assert blotter.trade_by_perm_id(900) is trade
    assert blotter.trade_by_perm_id(321) is None


def test_a_completed_order_is_not_kept_when_every_trade_has_its_perm_id() -> None:
    blotter = Blotter(CLIENT)
    blotter.apply(open_order(perm_id=900), 1.0)
    later = CompletedOrder(contract=AAPL, order=replace(order(6), perm_id=901),
                           order_state=OrderState(status="Cancelled"))
    assert blotter.apply(later, 2.0) is None
    trade = blotter.add(AAPL, order(6), 3.0)
    blotter.apply(execution("e6", 10, order_id=6, perm_id=901), 4.0)
    assert trade.perm_id == 901 and trade.status == "PendingSubmit"


def test_completed_orders_waiting_for_a_perm_id_go_once_no_trade_lacks_one() -> None:
    # Each reconnect re-reads the day's completed orders: those of other orders,
    # kept while a trade had no perm id, must not pile up for the session's life.
    blotter = Blotter(CLIENT)
    named = blotter.add(AAPL, order(5), 1.0)
    lost = blotter.add(AAPL, order(6), 1.0)

    def completed(perm_id: int) -> CompletedOrder:
        return CompletedOrder(contract=AAPL, order=replace(order(9), perm_id=perm_id),
                              order_state=OrderState(status="Filled"))

    for perm_id in range(300, 310):
        assert blotter.apply(completed(perm_id), 2.0) is None
    blotter.apply(execution("e1", 100, order_id=5, perm_id=900), 3.0)
    assert named.perm_id == 900
    assert blotter._early_completed  # order 6 may still be among them
    assert blotter.end(error(135, "unknown", req_id=6), 4.0) is lost
    assert blotter._early_completed == {}
    assert blotter.apply(completed(310), 5.0) is None
    assert blotter._early_completed == {}


class _Walked(dict):  # type: ignore[type-arg]
    """A dict of trades that counts the walks over its trades."""

    walks = 0

    def values(self):  # type: ignore[no-untyped-def]
        self.walks += 1
        return super().values()


def test_a_completed_order_does_not_walk_every_trade() -> None:
    # A reconnect re-reads the day's completed orders: each one must not cost
    # a pass over every trade of the session.
    blotter = Blotter(CLIENT)
    for order_id in range(5, 25):
        blotter.apply(open_order(order_id, perm_id=900 + order_id), 1.0)
    waiting = blotter.add(AAPL, order(30), 1.0)
    walked = blotter._trades = _Walked(blotter._trades)
    for perm_id in range(300, 310):
        later = CompletedOrder(contract=AAPL, order=replace(order(9), perm_id=perm_id),
                               order_state=OrderState(status="Filled"))
        assert blotter.apply(later, 2.0) is None
    assert walked.walks == 0
    assert set(blotter._early_completed) == set(range(300, 310))  # order 30 may be among them
    blotter.apply(execution("e30", 100, order_id=30, perm_id=930), 3.0)
    assert waiting.perm_id == 930 and blotter._early_completed == {}


def test_the_trades_without_perm_id_are_counted_through_every_change() -> None:
    blotter = Blotter(CLIENT)

    def check() -> None:
        unnamed = [t for t in blotter.trades() if not t.perm_id and not t.is_done()]
        assert blotter._has_unnamed() == bool(unnamed)

    placed = [blotter.add(AAPL, order(order_id), 1.0) for order_id in range(5, 11)]
    check()
    blotter.apply(status("Submitted", order_id=5, perm_id=905), 2.0)  # named by its status
    check()
    blotter.apply(open_order(6, perm_id=906), 2.0)  # by its open order
    blotter.apply(execution("e7", 100, order_id=7, perm_id=907), 2.0)  # by an execution
    check()
    blotter.apply(error(201, "rejected", req_id=8), 2.0)  # refused: done, still unnamed
    blotter.end(error(135, "unknown", req_id=9), 2.0)  # ended by the client
    check()
    assert [t.is_done() or bool(t.perm_id) for t in placed] == [True] * 5 + [False]
    assert blotter._has_unnamed()
    placed[5].apply(status("Inactive", order_id=10, perm_id=0), 3.0)  # a trade told directly
    check()
    assert not blotter._has_unnamed()
    blotter.apply(status("Submitted", order_id=10, perm_id=0), 4.0)  # active again
    check()
    assert blotter._has_unnamed()
    blotter.add(AAPL, order(11), 5.0)
    blotter.apply(open_order(0, perm_id=999), 5.0)  # an order placed in TWS
    check()
