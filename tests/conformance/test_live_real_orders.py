"""Real order flows (``../shared/vectors``) drive a Blotter to the states TWS reported."""

from __future__ import annotations

from decimal import Decimal

from ibwire.codec import Codec
from ibwire.live import Blotter
from ibwire.messages import (
    CommissionAndFeesReport,
    ErrMsg,
    ExecutionData,
    OpenOrder,
    OrderStatus,
)
from tests.vectors import real_records

ORDER_MESSAGES = {"3", "4", "5", "11", "59"}


def _replay() -> Blotter:
    blotter = Blotter(client_id=1)
    codec = Codec(176)
    now = 0.0
    for record in real_records():
        if record.direction != "in" or record.server_version != 176:
            continue
        if not record.fields or record.fields[0] not in ORDER_MESSAGES:
            continue
        message = codec.decode(list(record.fields))
        assert isinstance(
            message, (OrderStatus, OpenOrder, ExecutionData, CommissionAndFeesReport, ErrMsg)
        )
        now += 1.0
        blotter.apply(message, now)
    return blotter


def test_real_order_flows() -> None:
    blotter = _replay()
    by_perm = {trade.perm_id: trade for trade in blotter.trades()}
    by_id = {trade.order_id: trade for trade in blotter.trades() if trade.perm_id != 1866218892}
    # Filled market orders, each with one execution and its 1.7 commission.
    for order_id in (3, 5, 32):
        trade = by_id[order_id]
        assert trade.status == "Filled", order_id
        assert trade.is_done()
        assert (trade.filled, trade.remaining) == (Decimal(1), Decimal(0))
        assert len(trade.fills) == 1
        assert trade.commission() == 1.7
    # Cancelled by request: the status and TWS's 202 notice.
    cancelled = by_id[36]
    assert cancelled.status == "Cancelled"
    assert cancelled.log[-1].error_code == 202
    # A working order whose quantity was raised to 2.
    assert by_id[59].status == "Submitted"
    assert by_id[59].remaining == Decimal(2)
    assert {t.order_id for t in blotter.open_trades()} >= {29, 59, 61, 69}
    # A later session reused order id 3 for another order (perm id 1866218892):
    # two trades, the filled one kept.
    assert by_perm[1866218892].order_id == 3
    assert by_perm[1866218892].status == "Submitted"
    assert by_perm[2138440172].status == "Filled"
    assert blotter.trade(3) is by_perm[1866218892]
    # Executions of orders this replay never saw opened are still fills, with commissions.
    fills = {f.execution.exec_id: f for f in blotter.fills()}
    assert fills["0001b269.6554510d.01.01"].commission_report is not None
    assert len(fills) == len({f.execution.exec_id for f in blotter.fills()})
