"""The simulator's orders (``ibwire.testing._sim_orders``): margin checks, what-if, fills."""

from __future__ import annotations

import re
from decimal import Decimal

from ibwire.messages import (
    CommissionAndFeesReport,
    Contract,
    ErrMsg,
    ExecutionData,
    MarketDepth,
    OpenOrder,
    Order,
    OrderStatus,
    PlaceOrder,
    ReqMktData,
    ReqMktDepth,
    ReqPositions,
    TickGeneric,
    TickPrice,
)
from ibwire.testing import Halt, SimulatorCore
from ibwire.testing._accounts import short_option_requirement
from ibwire.testing.memory import InMemoryClient, InMemoryGateway

T0 = 1_710_168_000.0  # Monday 2024-03-11 14:40 UTC, US equities open
AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")


def setup() -> tuple[InMemoryGateway, SimulatorCore, InMemoryClient]:
    core = SimulatorCore(seed=7)
    gateway = InMemoryGateway(core, now=T0)
    client = gateway.connect(1)
    gateway.advance(1.5)
    client.take()
    return gateway, core, client


def order(action: str, qty: int, kind: str = "MKT", **fields: object) -> Order:
    return Order(action=action, total_quantity=Decimal(qty), order_type=kind, **fields)  # type: ignore[arg-type]


def test_an_order_beyond_buying_power_gets_error_201_and_what_if_shows_the_same_numbers() -> None:
    gateway, core, client = setup()
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100_000, what_if=True)))
    (preview,) = [e for e in client.take() if isinstance(e, OpenOrder)]
    state = preview.order_state
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order("BUY", 100_000)))
    events = client.take()
    (error,) = [e for e in events if isinstance(e, ErrMsg)]
    assert (error.req_id, error.error_code) == (2, 201)
    assert error.error_string.startswith("Order rejected - reason:YOUR ORDER IS NOT ACCEPTED.")
    numbers = re.findall(r"\[([0-9.\-]+) USD\]", error.error_string)
    assert numbers == [state.equity_with_loan_after, state.init_margin_after]
    assert float(state.init_margin_after or 0) > float(state.equity_with_loan_after or 0)
    assert not [e for e in events if isinstance(e, (OrderStatus, ExecutionData))]
    # Within buying power it fills.
    client.send(PlaceOrder(order_id=3, contract=AAPL, order=order("BUY", 1000)))
    gateway.advance(60.0)
    assert [e.status for e in client.take() if isinstance(e, OrderStatus)][-1] == "Filled"
    assert core.broker.values("DU0000001")["InitMarginReq"] > 0


def test_naked_short_calls_ask_for_premium_plus_twenty_percent_of_the_underlying() -> None:
    gateway, core, client = setup()
    instrument = next(i for i in core.universe.instruments if i.contract.right == "C" and i.contract.strike == 200.0)
    call = Contract(con_id=instrument.con_id, exchange="SMART")
    underlying = core.universe.underlying(instrument)
    assert underlying is not None
    client.send(PlaceOrder(order_id=1, contract=call, order=order("SELL", 10, what_if=True)))
    (preview,) = [e for e in client.take() if isinstance(e, OpenOrder)]
    premium = core.walks.mid(instrument, gateway.now)
    spot = core.walks.mid(underlying, gateway.now)
    per_share = short_option_requirement(premium, spot, instrument.contract.strike or 0.0, "C")
    assert float(preview.order_state.init_margin_change or 0) == round(per_share * 100 * 10, 2)
    assert per_share > premium + 0.1 * spot  # far more than the premium alone


def test_fills_report_commission_and_realized_pnl_net_of_both_commissions() -> None:
    gateway, core, client = setup()
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100)))
    gateway.advance(30.0)
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order("SELL", 100)))
    gateway.advance(30.0)
    events = client.take()
    executions = [e.execution for e in events if isinstance(e, ExecutionData)]
    reports = [e for e in events if isinstance(e, CommissionAndFeesReport)]
    assert len(executions) == len(reports) >= 2
    bought = sum(float(x.shares) * x.price for x in executions if x.side == "BOT")
    sold = sum(float(x.shares) * x.price for x in executions if x.side == "SLD")
    commissions = sum(r.commission_and_fees for r in reports)
    realized = sum(r.realized_pnl for r in reports if r.realized_pnl is not None)
    assert abs(realized - (sold - bought - commissions)) < 0.011
    client.send(ReqPositions())
    assert core.broker.values("DU0000001")["RealizedPnL"] == sum(f.realized_pnl or 0.0 for f in core.broker.fills)


def test_a_large_market_order_fills_in_several_executions_at_the_displayed_levels() -> None:
    gateway, core, client = setup()
    client.send(ReqMktDepth(req_id=9, contract=AAPL, num_rows=10, is_smart_depth=False))
    instrument = core.universe.by_con_id[265598]
    book = core.walks.book(instrument, gateway.now)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 5000)))
    events = client.take()
    published = {(e.price, e.size) for e in events if isinstance(e, MarketDepth) and e.side == 0}
    executions = [e.execution for e in events if isinstance(e, ExecutionData)]
    expected = []
    left = Decimal(5000)
    for level in book.asks:
        if left == 0:
            break
        take = min(level.size, left)
        expected.append((level.price, take))
        left -= take
    got = [(x.price, x.shares) for x in executions]
    assert got[: len(expected)] == expected
    assert len(executions) >= 2 and sum(x.shares for x in executions) <= 5000
    assert all((price, size) in published for price, size in got if size == dict(published).get(price))
    assert {price for price, _ in got} <= {price for price, _ in published}
    statuses = [(e.status, e.filled) for e in events if isinstance(e, OrderStatus)]
    assert [s for s, _ in statuses[:-1]] == ["Submitted"] * (len(statuses) - 1)
    assert [f for _, f in statuses] == sorted(f for _, f in statuses)
    gateway.advance(30.0)
    events = client.take()
    final = [e for e in events if isinstance(e, OrderStatus)] or statuses
    assert core.broker.find(1, 1) is not None and core.broker.find(1, 1).status == "Filled"  # type: ignore[union-attr]
    reports = [e for e in client.events if isinstance(e, CommissionAndFeesReport)]
    assert round(sum(r.commission_and_fees for r in reports), 2) == 25.0  # 5,000 x 0.005, charged once per order
    assert final


def test_an_ioc_limit_order_takes_what_is_displayed_and_cancels_the_rest() -> None:
    gateway, core, client = setup()
    instrument = core.universe.by_con_id[265598]
    book = core.walks.book(instrument, gateway.now)
    top = book.asks[0]
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", int(top.size) + 500, "LMT", lmt_price=top.price, tif="IOC")))
    events = client.take()
    executions = [e.execution for e in events if isinstance(e, ExecutionData)]
    assert [(x.price, x.shares) for x in executions] == [(top.price, top.size)]
    assert [e.status for e in events if isinstance(e, OrderStatus)][-1] == "Cancelled"


def test_with_sessions_orders_wait_for_the_open_and_outside_rth_trades_pre_market() -> None:
    pre_market = 1_710_160_000.0  # Monday 11 March 2024, 08:26 New York
    core = SimulatorCore(seed=7, sessions=True)
    gateway = InMemoryGateway(core, now=pre_market)
    client = gateway.connect(1)
    gateway.advance(1.5)
    client.take()
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100)),
                PlaceOrder(order_id=2, contract=AAPL, order=order("BUY", 100, outside_rth=True)))
    gateway.advance(60.0)
    events = client.take()
    assert [e.status for e in events if isinstance(e, OrderStatus) and e.order_id == 1] == ["Submitted"]
    assert [e.status for e in events if isinstance(e, OrderStatus) and e.order_id == 2][-1] == "Filled"
    gateway.advance(3600.0 + 600.0)  # past 09:30
    fills = [e.execution for e in client.take() if isinstance(e, ExecutionData) and e.execution.order_id == 1]
    assert fills
    assert all(x.time >= "20240311 13:30:00" for x in fills)  # 09:30 New York is 13:30 UTC


def test_a_halt_stops_fills_and_quotes_and_a_resumption_restarts_them() -> None:
    core = SimulatorCore(seed=7)
    gateway = InMemoryGateway(core, now=T0)
    client = gateway.connect(1)
    gateway.advance(1.5)
    client.send(ReqMktData(req_id=4, contract=AAPL))
    client.take()
    core.schedule(gateway.now, Halt("AAPL"))
    gateway.advance(0.1)
    assert [(e.tick_type, e.value) for e in client.take() if isinstance(e, TickGeneric)] == [(49, 1.0)]
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100)))
    gateway.advance(30.0)
    events = client.take()
    assert not [e for e in events if isinstance(e, (ExecutionData, TickPrice))]
    core.schedule(gateway.now, Halt("AAPL", halted=False))
    gateway.advance(5.0)
    events = client.take()
    assert (49, 0.0) in [(e.tick_type, e.value) for e in events if isinstance(e, TickGeneric)]
    assert [e for e in events if isinstance(e, ExecutionData)] and [e for e in events if isinstance(e, TickPrice)]
