"""The simulator's orders (``ibwire.testing._sim_orders``): margin checks, what-if, fills."""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ibwire.messages import (
    BarData,
    CancelOrder,
    CommissionAndFeesReport,
    Contract,
    ErrMsg,
    ExecutionData,
    ExecutionDataEnd,
    ExecutionFilter,
    ExerciseOptions,
    HistoricalData,
    MarketDepth,
    NextValidId,
    OpenOrder,
    OpenOrderEnd,
    Order,
    OrderStatus,
    PlaceOrder,
    PortfolioValue,
    PositionData,
    ReqAcctData,
    ReqAllOpenOrders,
    ReqExecutions,
    ReqGlobalCancel,
    ReqHistoricalData,
    ReqIds,
    ReqMktData,
    ReqMktDepth,
    ReqOpenOrders,
    ReqPositions,
    TickGeneric,
    TickPrice,
)
from ibwire.testing import Halt, SimulatorCore
from ibwire.testing._accounts import short_option_requirement
from ibwire.testing._broker import Broker, SimOrder, trigger_method
from ibwire.testing._market import Book, Level, Quote
from ibwire.testing._universe import Instrument
from ibwire.testing.memory import InMemoryClient, InMemoryGateway
from tests.simkit import AAPL, ES, EURUSD, MSFT, T0, errors, history, of, ready, sim


def setup(server_version: int) -> tuple[InMemoryGateway, SimulatorCore, InMemoryClient]:
    core = SimulatorCore(server_version=server_version, seed=7)
    gateway = InMemoryGateway(core, now=T0)
    client = gateway.connect(1)
    gateway.advance(1.5)
    client.take()
    return gateway, core, client


def order(action: str, qty: int, kind: str = "MKT", **fields: object) -> Order:
    return Order(action=action, total_quantity=Decimal(qty), order_type=kind, **fields)  # type: ignore[arg-type]


def test_an_order_beyond_buying_power_gets_error_201_and_what_if_shows_the_same_numbers(server_version: int) -> None:
    gateway, core, client = setup(server_version)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100_000, what_if=True)))
    (preview,) = [e for e in client.take() if isinstance(e, OpenOrder)]
    state = preview.order_state
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order("BUY", 100_000)))
    events = client.take()
    (error,) = [e for e in events if isinstance(e, ErrMsg)]
    assert (error.req_id, error.error_code) == (2, 201)
    assert error.error_string.startswith("Order rejected - reason:YOUR ORDER IS NOT ACCEPTED.")
    numbers = re.findall(r"\[([0-9.\-]+) USD\]", error.error_string)
    assert [float(n) for n in numbers] == [state.equity_with_loan_after, state.init_margin_after]
    assert (state.init_margin_after or 0) > (state.equity_with_loan_after or 0)
    assert not [e for e in events if isinstance(e, (OrderStatus, ExecutionData))]
    # Within buying power it fills.
    client.send(PlaceOrder(order_id=3, contract=AAPL, order=order("BUY", 1000)))
    gateway.advance(60.0)
    assert [e.status for e in client.take() if isinstance(e, OrderStatus)][-1] == "Filled"
    assert core.broker.values("DU0000001")["InitMarginReq"] > 0


def test_working_orders_count_in_the_margin_check(server_version: int) -> None:
    gateway, core, client = setup(server_version)
    (instrument,) = core.universe.resolve(AAPL)
    mid = core.walks.mid(instrument, gateway.now)
    limit = round(mid * 0.9, 2)  # far below the market: both orders rest
    shares = int(1_200_000 / mid)  # each alone within buying power (2,000,000), the two beyond it
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", shares, "LMT", lmt_price=limit)))
    assert not errors(client.take(), 201)
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order("BUY", shares, "LMT", lmt_price=limit, what_if=True)))
    (preview,) = [e for e in client.take() if isinstance(e, OpenOrder)]
    # The preview's "before" already counts the working order.
    assert (preview.order_state.init_margin_before or 0) > 0.4 * 1_200_000
    client.send(PlaceOrder(order_id=3, contract=AAPL, order=order("BUY", shares, "LMT", lmt_price=limit)))
    (error,) = errors(client.take(), 201)
    assert error.req_id == 3
    assert core.broker.find(1, 3) is None
    # Once the first is cancelled the same order is accepted.
    client.send(CancelOrder(order_id=1))
    client.take()
    client.send(PlaceOrder(order_id=4, contract=AAPL, order=order("BUY", shares, "LMT", lmt_price=limit)))
    assert not errors(client.take(), 201)


def test_naked_short_calls_ask_for_premium_plus_twenty_percent_of_the_underlying(server_version: int) -> None:
    gateway, core, client = setup(server_version)
    (underlying,) = core.universe.resolve(AAPL)
    # The first call out of the money.
    instrument = min((i for i in core.universe.options_of(underlying) if i.contract.right == "C"
                      and (i.contract.strike or 0.0) > core.walks.mid(underlying, gateway.now)),
                     key=lambda i: (i.contract.strike, i.contract.last_trade_date_or_contract_month))
    call = Contract(con_id=instrument.con_id, exchange="SMART")
    client.send(PlaceOrder(order_id=1, contract=call, order=order("SELL", 10, what_if=True)))
    (preview,) = [e for e in client.take() if isinstance(e, OpenOrder)]
    premium = core.walks.mid(instrument, gateway.now)
    spot = core.walks.mid(underlying, gateway.now)
    per_share = short_option_requirement(premium, spot, instrument.contract.strike or 0.0, "C")
    assert preview.order_state.init_margin_change == round(per_share * 100 * 10, 2)
    assert per_share > premium + 0.1 * spot  # far more than the premium alone


def test_fills_report_commission_and_realized_pnl_net_of_both_commissions(server_version: int) -> None:
    gateway, core, client = setup(server_version)
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


def test_a_large_market_order_fills_in_several_executions_at_the_displayed_levels(server_version: int) -> None:
    gateway, core, client = setup(server_version)
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


def test_an_ioc_limit_order_takes_what_is_displayed_and_cancels_the_rest(server_version: int) -> None:
    gateway, core, client = setup(server_version)
    instrument = core.universe.by_con_id[265598]
    book = core.walks.book(instrument, gateway.now)
    top = book.asks[0]
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", int(top.size) + 500, "LMT", lmt_price=top.price, tif="IOC")))
    events = client.take()
    executions = [e.execution for e in events if isinstance(e, ExecutionData)]
    assert [(x.price, x.shares) for x in executions] == [(top.price, top.size)]
    assert [e.status for e in events if isinstance(e, OrderStatus)][-1] == "Cancelled"


def test_with_sessions_orders_wait_for_the_open_and_outside_rth_trades_pre_market(server_version: int) -> None:
    pre_market = 1_710_160_000.0  # Monday 11 March 2024, 08:26 New York
    core = SimulatorCore(server_version=server_version, seed=7, sessions=True)
    gateway = InMemoryGateway(core, now=pre_market)
    client = gateway.connect(1)
    gateway.advance(1.5)
    client.take()
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100)),
                PlaceOrder(order_id=2, contract=AAPL, order=order("BUY", 100, outside_rth=True)))
    gateway.advance(60.0)
    events = client.take()
    # Held for the open, as IB holds it: PreSubmitted, not yet at the exchange.
    assert [e.status for e in events if isinstance(e, OrderStatus) and e.order_id == 1] == ["PreSubmitted"]
    assert [e.order_state.status for e in events if isinstance(e, OpenOrder) and e.order_id == 1] == ["PreSubmitted"]
    assert [e.status for e in events if isinstance(e, OrderStatus) and e.order_id == 2][-1] == "Filled"
    gateway.advance(3600.0 + 600.0)  # past 09:30
    events = client.take()
    fills = [e.execution for e in events if isinstance(e, ExecutionData) and e.execution.order_id == 1]
    assert fills
    assert [e.status for e in events if isinstance(e, OrderStatus) and e.order_id == 1][-1] == "Filled"
    assert all(x.time >= "20240311 13:30:00" for x in fills)  # 09:30 New York is 13:30 UTC


@pytest.mark.parametrize(("contract", "outside_rth", "text"), [
    (AAPL, False, "BUY 100 AAPL NASDAQ.NMS\nWarning: your order will not be placed at the exchange until "
                  "2024-03-11 09:30:00 US/Eastern"),
    # Friday 20:30 New York: an outside-RTH order waits for Monday's pre-market.
    (AAPL, True, "BUY 100 AAPL NASDAQ.NMS\nWarning: your order will not be placed at the exchange until "
                 "2024-03-11 04:00:00 US/Eastern"),
])
def test_an_order_held_for_the_open_gets_the_399_warning(
    server_version: int, contract: Contract, outside_rth: bool, text: str,
) -> None:
    # Monday 11 March 2024, 08:26 New York; or Friday 8 March 2024, 20:30 New York.
    now = 1_709_947_800.0 if outside_rth else 1_710_160_000.0
    core = SimulatorCore(server_version=server_version, seed=7, sessions=True)
    gateway = InMemoryGateway(core, now=now)
    client = gateway.connect(1)
    gateway.advance(1.5)
    client.take()
    client.send(PlaceOrder(order_id=1, contract=contract, order=order("BUY", 100, outside_rth=outside_rth)))
    events = client.take()
    (warning,) = errors(events, 399)
    assert warning.req_id == 1
    assert warning.error_string == "Order Message:\n" + text
    assert [e.status for e in events if isinstance(e, OrderStatus)] == ["PreSubmitted"]
    # An order its session takes at once gets none.
    client.send(PlaceOrder(order_id=2, contract=contract, order=order("BUY", 100, outside_rth=True)))
    assert outside_rth or not errors(client.take(), 399)


def test_a_halt_stops_fills_and_quotes_and_a_resumption_restarts_them(server_version: int) -> None:
    core = SimulatorCore(server_version=server_version, seed=7)
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


# ------------------------------------------------------------------ orders


def statuses(events: list[object], order_id: int) -> list[str]:
    return [e.status for e in of(events, OrderStatus) if e.order_id == order_id]  # type: ignore[attr-defined]


def test_market_order_fill_reports(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway, 4)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100, "MKT")))
    events = client.take()
    assert statuses(events, 1) == ["Submitted", "Filled"]
    (execution,) = of(events, ExecutionData)
    fill = execution.execution  # type: ignore[attr-defined]
    assert (fill.side, fill.shares, fill.order_id, fill.client_id, fill.acct_number) == ("BOT", Decimal(100), 1, 4, "DU0000001")
    (report,) = of(events, CommissionAndFeesReport)
    assert report.exec_id == fill.exec_id and report.commission_and_fees == 1.0  # type: ignore[attr-defined]
    names = [type(e).__name__ for e in events]
    assert names.index("ExecutionData") < names.index("CommissionAndFeesReport")
    assert [o.order_state.status for o in of(events, OpenOrder)] == ["Submitted", "Filled"]  # type: ignore[attr-defined]
    client.send(ReqIds())
    assert of(client.take(), NextValidId) == [NextValidId(order_id=2)]


def test_limit_order_rests_then_modify_fills_and_cancel_rules(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 10, "LMT", lmt_price=1.0)))
    gateway.advance(5.0)
    assert statuses(client.take(), 1) == ["Submitted"]
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 10, "LMT", lmt_price=1000.0)))
    assert statuses(client.take(), 1)[-1] == "Filled"
    client.send(CancelOrder(order_id=1), CancelOrder(order_id=77))
    events = client.take()
    assert [(e.req_id, e.error_code) for e in errors(events)] == [(1, 10148), (77, 10147)]
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 10, "MKT")))
    assert errors(client.take(), 104)
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order("SELL", 10, "LMT", lmt_price=10000.0)))
    client.send(CancelOrder(order_id=2))
    events = client.take()
    assert statuses(events, 2) == ["Submitted", "Cancelled"]
    assert [(e.req_id, e.error_code) for e in errors(events)] == [(2, 202)]


def test_duplicate_and_invalid_orders(server_version: int) -> None:
    gateway = sim(server_version=server_version, start_order_id=10)
    client = ready(gateway)
    client.send(PlaceOrder(order_id=9, contract=AAPL, order=order("BUY", 1, "MKT")))
    assert [(e.req_id, e.error_code, e.error_string) for e in errors(client.take())] == [(9, 103, "Duplicate order id")]
    client.send(PlaceOrder(order_id=10, contract=AAPL, order=order("BUY", 1, "MKT")))
    client.send(PlaceOrder(order_id=10, contract=AAPL, order=order("BUY", 1, "MKT")))
    assert errors(client.take(), 104)
    for order_id, bad in enumerate(
        [order("BUY", 1, "PEG MID"), order("HOLD", 1, "MKT"), order("BUY", 0, "MKT"), order("BUY", 1, "LMT"), order("BUY", 1, "STP")],
        start=20,
    ):
        client.send(PlaceOrder(order_id=order_id, contract=AAPL, order=bad))
    codes = [e.error_code for e in errors(client.take())]
    assert codes == [321, 321, 434, 321, 321]
    client.send(PlaceOrder(order_id=30, contract=Contract(symbol="NOPE", sec_type="STK"), order=order("BUY", 1, "MKT")))
    assert errors(client.take(), 200)


def test_bracket_waits_for_the_transmitting_child(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(
        PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 10, "LMT", lmt_price=1000.0, transmit=False)),
        PlaceOrder(order_id=2, contract=AAPL, order=order("SELL", 10, "LMT", lmt_price=10000.0, parent_id=1, transmit=False)),
    )
    gateway.advance(5.0)
    assert client.take() == []  # nothing transmitted, nothing filled
    client.send(PlaceOrder(order_id=3, contract=AAPL, order=order("SELL", 10, "STP", aux_price=1.0, parent_id=1, transmit=True)))
    events = client.take()
    assert statuses(events, 1) == ["Submitted", "Filled"]
    assert statuses(events, 2) == ["PreSubmitted", "Submitted"]
    assert statuses(events, 3) == ["PreSubmitted"]
    # Take profit fills: the stop loss is cancelled (children of one parent are OCA).
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order("SELL", 10, "LMT", lmt_price=1.0, parent_id=1)))
    events = client.take()
    assert statuses(events, 2)[-1] == "Filled" and statuses(events, 3) == ["Cancelled"]
    client.send(ReqPositions())
    positions = [p for p in of(client.take(), PositionData) if p.contract.con_id == 265598]  # type: ignore[attr-defined]
    assert positions[-1].position == 0  # type: ignore[attr-defined]


def test_oca_group_stop_trailing_and_stop_limit(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(
        PlaceOrder(order_id=1, contract=MSFT, order=order("BUY", 5, "LMT", lmt_price=10000.0, oca_group="g1", oca_type=1)),
        PlaceOrder(order_id=2, contract=MSFT, order=order("BUY", 5, "LMT", lmt_price=1.0, oca_group="g1", oca_type=1)),
    )
    # order 2 was still resting when 1 filled on arrival; it is cancelled only once both exist
    client.send(PlaceOrder(order_id=3, contract=MSFT, order=order("BUY", 5, "LMT", lmt_price=1.0, oca_group="g2")),
                PlaceOrder(order_id=4, contract=MSFT, order=order("BUY", 5, "LMT", lmt_price=10000.0, oca_group="g2")))
    events = client.events
    assert statuses(events, 4)[-1] == "Filled" and statuses(events, 3)[-1] == "Cancelled"
    client.send(PlaceOrder(order_id=5, contract=MSFT, order=order("BUY", 1, "STP", aux_price=1.0)))
    assert statuses(client.take(), 5)[-1] == "Filled"  # a buy stop below the market triggers at once
    client.send(PlaceOrder(order_id=6, contract=MSFT, order=order("SELL", 1, "STP LMT", aux_price=10000.0, lmt_price=1.0)))
    assert statuses(client.take(), 6)[-1] == "Filled"
    client.send(PlaceOrder(order_id=7, contract=MSFT, order=order("SELL", 1, "TRAIL", aux_price=0.5)))
    gateway.advance(600.0)
    assert "Filled" in statuses(client.take(), 7)  # the path falls 0.5 from a high within ten minutes
    client.send(PlaceOrder(order_id=8, contract=MSFT, order=order("SELL", 1, "TRAIL", trailing_percent=50.0)))
    gateway.advance(5.0)
    assert set(statuses(client.take(), 8)) == {"PreSubmitted"}  # re-sent as its stop moves, never triggered


def test_global_cancel_and_open_orders(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    first = ready(gateway, 1)
    second = ready(gateway, 2)
    first.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 1, "LMT", lmt_price=1.0)))
    second.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 1, "LMT", lmt_price=2.0)))
    first.take()
    second.take()
    first.send(ReqOpenOrders())
    events = first.take()
    assert [o.order_id for o in of(events, OpenOrder)] == [1] and of(events, OpenOrderEnd)  # type: ignore[attr-defined]
    first.send(ReqAllOpenOrders())
    assert len(of(first.take(), OpenOrder)) == 2
    first.send(ReqGlobalCancel())
    assert statuses(first.take(), 1) == ["Cancelled"] and statuses(second.take(), 1) == ["Cancelled"]


def test_a_continuous_future_takes_no_order(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    (front,) = gateway.core.universe.resolve(ES)  # type: ignore[attr-defined]
    for order_id, contract in enumerate(
        (Contract(symbol="ES", sec_type="CONTFUT", exchange="CME"), Contract(con_id=front.con_id, sec_type="CONTFUT", exchange="CME")),
        start=1,
    ):
        client.send(PlaceOrder(order_id=order_id, contract=contract, order=order("BUY", 1, "MKT")))
    events = client.take()
    assert [(e.req_id, e.error_code) for e in errors(events)] == [(1, 321), (2, 321)]
    assert "continuous future" in errors(events)[0].error_string and of(events, OpenOrder) == []
    client.send(PlaceOrder(order_id=3, contract=ES, order=order("BUY", 1, "MKT")))
    assert of(client.take(), OpenOrder)


def test_what_if_order(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(PlaceOrder(order_id=1, contract=ES, order=order("BUY", 2, "MKT", what_if=True)))
    events = client.take()
    (preview,) = of(events, OpenOrder)
    state = preview.order_state  # type: ignore[attr-defined]
    assert state.init_margin_change == 30360.0 and state.commission_and_fees == 4.5
    assert state.init_margin_before == 0.0 and state.commission_and_fees_currency == "USD"
    assert of(events, OrderStatus) == [] and of(events, ExecutionData) == []


def test_executions_request(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 3, "MKT")),
                PlaceOrder(order_id=2, contract=EURUSD, order=order("SELL", 20000, "MKT")))
    client.take()
    client.send(ReqExecutions(req_id=5, exec_filter=ExecutionFilter()),
                ReqExecutions(req_id=6, exec_filter=ExecutionFilter(symbol="EUR")))
    events = client.take()
    assert [e.req_id for e in of(events, ExecutionData)] == [5, 5, 6]  # type: ignore[attr-defined]
    assert len(of(events, CommissionAndFeesReport)) == 3
    assert of(events, ExecutionDataEnd) == [ExecutionDataEnd(req_id=5), ExecutionDataEnd(req_id=6)]


def test_fills_are_at_prices_the_quote_stream_published(server_version: int) -> None:
    gateway, core, client = setup(server_version)
    client.send(ReqMktData(req_id=1, contract=AAPL))
    published: set[tuple[int, float]] = set()
    fills: list[tuple[str, float]] = []
    order_id = 1
    for step in range(120):
        gateway.advance(0.37 + (step % 5) * 0.11)  # between the publications, at odd moments
        client.send(PlaceOrder(order_id=order_id, contract=AAPL, order=order("BUY" if step % 2 else "SELL", 100)))
        order_id += 1
        for event in client.take():
            if isinstance(event, TickPrice) and event.tick_type in (1, 2):
                published.add((event.tick_type, event.price))
            elif isinstance(event, ExecutionData):
                fills.append((event.execution.side, event.execution.price))
    assert len(fills) == 120
    for side, price in fills:
        assert ((2 if side == "BOT" else 1), price) in published, (side, price)


def test_cash_settled_index_options_settle_at_expiry(server_version: int) -> None:
    gateway, core, client = setup(server_version)  # Monday 11 March 2024; the first SPXW expiry is Friday the 15th
    universe = core.universe
    (spx,) = universe.resolve(Contract(symbol="SPX", sec_type="IND", exchange="CBOE"))

    def option(strike: float, right: str) -> Instrument:
        return next(i for i in universe.options_of(spx) if i.contract.strike == strike and i.contract.right == right
                    and i.contract.last_trade_date_or_contract_month == "20240315")

    call, put, far = option(4900.0, "C"), option(4900.0, "P"), option(5600.0, "C")
    assert call.cash_settled and universe.expiry_time(call) == 1_710_532_800.0  # 16:00 New York (20:00 UTC)
    assert universe.expiry_time(core.universe.resolve(AAPL)[0]) is None
    for order_id, instrument, qty in ((1, call, 2), (2, put, 1)):
        client.send(PlaceOrder(order_id=order_id, contract=Contract(con_id=instrument.con_id, exchange="SMART"),
                               order=order("BUY", qty)))
    gateway.advance(30.0)
    held = {p.instrument.con_id: p.quantity for p in core.broker.positions("DU0000001")}
    assert held == {call.con_id: 2, put.con_id: 1}
    # An index itself does not trade; exercise instructions are checked.
    client.send(PlaceOrder(order_id=3, contract=Contract(con_id=spx.con_id, exchange="CBOE"), order=order("BUY", 1)))
    client.send(ExerciseOptions(req_id=4, contract=Contract(con_id=call.con_id, exchange="SMART"),
                                exercise_action=1, exercise_quantity=3))
    aapl_call = next(i for i in universe.instruments if i.contract.symbol == "AAPL" and i.sec_type == "OPT")
    client.send(ExerciseOptions(req_id=5, contract=Contract(con_id=aapl_call.con_id, exchange="SMART"),
                                exercise_action=1, exercise_quantity=1))
    assert [(e.req_id, e.error_code) for e in errors(client.take())] == [(3, 321), (4, 321), (5, 321)]
    # Let one of the two calls lapse: it expires worthless although in the money.
    client.send(ExerciseOptions(req_id=6, contract=Contract(con_id=call.con_id, exchange="SMART"),
                                exercise_action=2, exercise_quantity=1))
    assert not errors(client.take())
    expiry = universe.expiry_time(call)
    assert expiry is not None
    gateway.advance(expiry - 120 - gateway.now)
    client.send(PlaceOrder(order_id=7, contract=Contract(con_id=far.con_id, exchange="SMART"),
                           order=order("BUY", 1, "LMT", lmt_price=0.05)))
    account = core.broker.accounts["DU0000001"]
    positions = {p.instrument.con_id: p for p in core.broker.positions("DU0000001")}
    costs = {con_id: (p.avg_cost, p.realized) for con_id, p in positions.items()}
    values = core.broker.values("DU0000001")
    before = (values["NetLiquidation"], values["RealizedPnL"] + values["UnrealizedPnL"])
    client.take()
    gateway.advance(expiry + 60 - gateway.now)
    settled_at, intrinsic = core.broker.settlements[call.con_id]
    assert expiry <= settled_at <= expiry + core.tick_interval  # the first step after the expiry
    spot = core.walks.mid(spx, settled_at)
    assert intrinsic == round(max(spot - 4900.0, 0.0), 2) > 0
    assert core.broker.settlements[put.con_id] == (settled_at, 0.0)
    assert positions[call.con_id].quantity == 0 and positions[put.con_id].quantity == 0
    # Realized: one call at intrinsic, one lapsed at nothing, the put worthless (out of the money).
    call_cost, call_realized = costs[call.con_id]
    put_cost, put_realized = costs[put.con_id]
    assert positions[call.con_id].realized - call_realized == pytest.approx(intrinsic * 100 - call_cost + (0 - call_cost))
    assert spot > 4900.0
    assert positions[put.con_id].realized - put_realized == pytest.approx(-put_cost)
    values = core.broker.values("DU0000001")
    after = (values["NetLiquidation"], values["RealizedPnL"] + values["UnrealizedPnL"])
    assert abs((after[0] - before[0]) - (after[1] - before[1])) < 0.005
    assert account.cash >= 0
    events = client.take()
    assert [e.status for e in of(events, OrderStatus) if e.order_id == 7] == ["Cancelled"]
    # Expired, the options are gone for new orders and instructions.
    client.send(PlaceOrder(order_id=8, contract=Contract(con_id=call.con_id, exchange="SMART"), order=order("BUY", 1)))
    assert [e.error_code for e in errors(client.take())] == [200]


def test_equity_options_are_exercised_assigned_or_expire_worthless_at_expiry(server_version: int) -> None:
    gateway, core, client = setup(server_version)  # Monday 11 March 2024; the first AAPL expiry is Friday the 15th
    universe = core.universe
    stock = _aapl(core)

    def option(strike: float, right: str) -> Instrument:
        return next(i for i in universe.options_of(stock) if i.contract.strike == strike and i.contract.right == right
                    and i.contract.last_trade_date_or_contract_month == "20240315")

    # Long two calls and short one put, both deep in the money; long a call out of the money.
    call, put, far = option(165.0, "C"), option(215.0, "P"), option(215.0, "C")
    expiry = universe.expiry_time(call)
    assert not call.cash_settled and expiry == 1_710_532_800.0  # 16:00 New York (20:00 UTC)
    client.send(ReqPositions(), ReqAcctData(subscribe=True, acct_code="DU0000001"))
    for order_id, instrument, action, qty in ((1, call, "BUY", 2), (2, put, "SELL", 1), (3, far, "BUY", 1)):
        client.send(PlaceOrder(order_id=order_id, contract=Contract(con_id=instrument.con_id, exchange="SMART"),
                               order=order(action, qty)))
    gateway.advance(expiry - 120 - gateway.now)
    client.send(PlaceOrder(order_id=4, contract=Contract(con_id=far.con_id, exchange="SMART"),
                           order=order("BUY", 1, "LMT", lmt_price=0.01)))
    account = core.broker.accounts["DU0000001"]
    positions = {p.instrument.con_id: p for p in core.broker.positions("DU0000001")}
    assert {k: p.quantity for k, p in positions.items()} == {call.con_id: 2, put.con_id: -1, far.con_id: 1}
    costs = {con_id: (p.avg_cost, p.realized) for con_id, p in positions.items()}
    cash = account.cash
    values = core.broker.values("DU0000001")
    before = (values["NetLiquidation"], values["RealizedPnL"] + values["UnrealizedPnL"])
    client.take()
    gateway.advance(expiry + 60 - gateway.now)
    settled_at, _ = core.broker.settlements[call.con_id]
    assert expiry <= settled_at <= expiry + core.tick_interval  # the first step after the expiry
    spot = core.walks.mid(stock, settled_at)
    assert 165.0 < spot < 215.0
    # The calls deliver 200 shares at 165, the put takes 100 at 215; the far call lapses.
    held = {p.instrument.con_id: p.quantity for p in core.broker.positions("DU0000001")}
    assert held == {call.con_id: 0, put.con_id: 0, far.con_id: 0, stock.con_id: 300}
    assert account.cash == pytest.approx(cash - 200 * 165.0 - 100 * 215.0)
    assert core.broker.positions("DU0000001")[-1].avg_cost == pytest.approx((200 * 165.0 + 100 * 215.0) / 300)
    # The premiums are realized: paid for the long calls, received for the short put.
    for con_id in (call.con_id, put.con_id, far.con_id):
        cost, realized = costs[con_id]
        quantity = {call.con_id: 2, put.con_id: -1, far.con_id: 1}[con_id]
        assert positions[con_id].realized - realized == pytest.approx(-cost * quantity)
    values = core.broker.values("DU0000001")
    after = (values["NetLiquidation"], values["RealizedPnL"] + values["UnrealizedPnL"])
    assert abs((after[0] - before[0]) - (after[1] - before[1])) < 0.005
    events = client.take()
    assert [e.status for e in of(events, OrderStatus) if e.order_id == 4] == ["Cancelled"]
    reported = {e.contract.con_id: e.position for e in of(events, PositionData)}
    assert reported == {call.con_id: 0, put.con_id: 0, far.con_id: 0, stock.con_id: 300}
    portfolio = {e.contract.con_id: e.position for e in of(events, PortfolioValue)}
    assert portfolio == {call.con_id: 0, put.con_id: 0, far.con_id: 0, stock.con_id: 300}
    client.send(PlaceOrder(order_id=5, contract=Contract(con_id=call.con_id, exchange="SMART"), order=order("BUY", 1)))
    assert [e.error_code for e in errors(client.take())] == [200]


def test_a_future_settles_in_cash_at_its_last_trading_moment(server_version: int) -> None:
    gateway, core, client = setup(server_version)
    (march,) = core.universe.resolve(ES)
    expiry = core.universe.expiry_time(march)
    assert expiry == 1_710_509_400.0  # 08:30 Chicago (13:30 UTC) on Friday 15 March 2024
    client.send(ReqPositions(), PlaceOrder(order_id=1, contract=ES, order=order("BUY", 2)))
    gateway.advance(expiry - 120 - gateway.now)
    client.send(PlaceOrder(order_id=2, contract=ES, order=order("BUY", 1, "LMT", lmt_price=1000.0)))
    account = core.broker.accounts["DU0000001"]
    (position,) = core.broker.positions("DU0000001")
    cost, realized, embedded, cash = position.avg_cost, position.realized, position.embedded, account.cash
    client.take()
    gateway.advance(expiry + 60 - gateway.now)
    settled_at, price = core.broker.settlements[march.con_id]
    assert expiry <= settled_at <= expiry + core.tick_interval
    assert price == pytest.approx(core.walks.mid(march, settled_at), abs=0.125)
    assert position.quantity == 0
    assert position.realized - realized == pytest.approx((price * 50 - cost) * 2)
    # Cash moves by the variation alone: the opening commission was paid when it was charged.
    assert account.cash - cash == pytest.approx((price * 50 - (cost - embedded)) * 2)
    events = client.take()
    assert [e.status for e in of(events, OrderStatus) if e.order_id == 2] == ["Cancelled"]
    assert [(e.contract.con_id, e.position) for e in of(events, PositionData)] == [(march.con_id, 0)]


@pytest.mark.parametrize("version", [176, 178])
def test_a_what_if_order_is_answered_at_a_version_without_the_margin_currency(version: int) -> None:
    gateway, core, client = setup(version)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100, what_if=True)))
    (preview,) = of(client.take(), OpenOrder)
    assert isinstance(preview, OpenOrder)
    state = preview.order_state
    assert (state.init_margin_change or 0) > 0 and (state.commission_and_fees or 0) > 0
    assert state.margin_currency == "" and state.commission_and_fees_currency == "USD"
    assert core.send_failures == []


def _aapl(core: SimulatorCore) -> Instrument:
    return next(i for i in core.universe.instruments if i.symbol == "AAPL" and i.sec_type == "STK")


def _partly_filled(gateway: InMemoryGateway, core: SimulatorCore, client: InMemoryClient) -> Decimal:
    """A limit at the ask for more than the ask shows: it takes the top level and works on."""
    quote = core.walks.quote(_aapl(core), gateway.now)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", int(quote.ask_size) + 5000, "LMT", lmt_price=quote.ask)))
    client.take()
    sim = core.broker.find(1, 1)
    assert sim is not None and 0 < sim.filled < sim.quantity
    return sim.filled


def test_a_modification_below_the_filled_quantity_is_rejected_and_one_to_it_fills_the_order() -> None:
    gateway, core, client = setup(226)
    filled = _partly_filled(gateway, core, client)
    quote = core.walks.quote(_aapl(core), gateway.now)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", int(filled) - 1, "LMT", lmt_price=quote.ask)))
    events = client.take()
    assert [(e.req_id, e.error_code) for e in errors(events)] == [(1, 201)]
    sim = core.broker.find(1, 1)
    assert sim is not None and sim.quantity > filled and sim.status == "Submitted"
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", int(filled), "LMT", lmt_price=quote.ask)))
    statuses = [(e.status, e.filled, e.remaining) for e in client.take() if isinstance(e, OrderStatus)]
    assert statuses[-1] == ("Filled", filled, 0)
    assert sim not in core.broker.working()
    gateway.advance(30.0)
    assert not of(client.take(), ExecutionData) and sim.filled == filled


def test_a_modification_beyond_buying_power_gets_error_201() -> None:
    gateway, core, client = setup(226)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 10, "LMT", lmt_price=1.0)))
    client.take()
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100_000, "MKT")))
    events = client.take()
    gateway.advance(30.0)
    events += client.take()
    assert [(e.req_id, e.error_code) for e in errors(events)] == [(1, 201)]
    assert not of(events, ExecutionData)
    sim = core.broker.find(1, 1)
    assert sim is not None and sim.quantity == 10 and sim.order.order_type == "LMT"
    # Within buying power, counted in place of the order it replaces, it goes through.
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 2000, "LMT", lmt_price=1.0)))
    assert not errors(client.take()) and sim.quantity == 2000


def test_an_order_for_an_account_the_gateway_does_not_manage_is_rejected() -> None:
    gateway, core, client = setup(226)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100, account="U9999999")))
    events = client.take()
    gateway.advance(10.0)
    events += client.take()
    (error,) = errors(events)
    assert (error.req_id, error.error_code) == (1, 321) and "Unknown account: U9999999" in error.error_string
    assert not of(events, OrderStatus) and not core.broker.orders
    assert list(core.broker.accounts) == ["DU0000001"]


@pytest.mark.parametrize("oca_type", [1, 2, 3])
def test_a_partial_fill_in_an_oca_group_cancels_or_reduces_the_other_members(oca_type: int) -> None:
    gateway, core, client = setup(226)
    quote = core.walks.quote(_aapl(core), gateway.now)
    size = int(quote.ask_size) + 2000
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order(
        "BUY", size, "LMT", lmt_price=round(quote.bid - 1, 2), oca_group="G", oca_type=oca_type)))
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order(
        "BUY", size, "LMT", lmt_price=quote.ask, oca_group="G", oca_type=oca_type)))
    events = client.take()
    first, second = core.broker.find(1, 1), core.broker.find(1, 2)
    assert first is not None and second is not None and second.filled == quote.ask_size
    last = [(e.status, e.remaining) for e in events if isinstance(e, OrderStatus) and e.order_id == 1][-1]
    if oca_type == 1:
        assert last == ("Cancelled", 0) and first.status == "Cancelled"
        return
    assert last == ("Submitted", size - quote.ask_size) and first.quantity == 2000
    # Moved into the market, it fills what is left of the group; a modification does not restore the size.
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order(
        "BUY", size, "LMT", lmt_price=quote.ask + 5, oca_group="G", oca_type=oca_type)))
    gateway.advance(20.0)
    client.take()
    assert (first.status, first.filled) == ("Filled", 2000) and second.status == "Cancelled"
    assert core.broker.positions("DU0000001")[0].quantity == size


def test_a_partial_take_profit_reduces_the_stop_loss_of_its_bracket() -> None:
    gateway, core, client = setup(226)
    instrument = _aapl(core)
    quote = core.walks.quote(instrument, gateway.now)
    size = 10_000
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", size, "MKT", transmit=False)))
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order(
        "SELL", size, "LMT", lmt_price=round(quote.ask + 20, 2), parent_id=1, transmit=False)))
    client.send(PlaceOrder(order_id=3, contract=AAPL, order=order(
        "SELL", size, "STP", aux_price=round(quote.bid - 20, 2), parent_id=1)))
    gateway.advance(5.0)
    while core.walks.quote(instrument, gateway.now).bid_size > 2000:
        gateway.advance(1.0)
    client.take()
    parent, profit, stop = (core.broker.find(1, n) for n in (1, 2, 3))
    assert parent is not None and profit is not None and stop is not None and parent.status == "Filled"
    quote = core.walks.quote(instrument, gateway.now)
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order("SELL", size, "LMT", lmt_price=quote.bid, parent_id=1)))
    client.take()
    assert 0 < profit.filled < size and stop.quantity == size - profit.filled
    client.send(PlaceOrder(order_id=3, contract=AAPL, order=order(
        "SELL", size, "STP", aux_price=round(quote.ask + 50, 2), parent_id=1)))
    gateway.advance(30.0)
    client.take()
    assert stop.status == "Filled" and profit.status == "Cancelled"
    assert profit.filled + stop.filled == size
    assert core.broker.positions("DU0000001")[0].quantity == 0


def test_liquidity_taken_stays_taken_until_the_book_changes() -> None:
    gateway, core, client = setup(226)
    quote = core.walks.quote(_aapl(core), gateway.now)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 5000, "LMT", lmt_price=quote.ask)))
    for order_id in (2, 3, 4):  # other orders at the same instant
        client.send(PlaceOrder(order_id=order_id, contract=MSFT, order=order("BUY", 1, "LMT", lmt_price=1.0)))
    client.send(PlaceOrder(order_id=5, contract=AAPL, order=order("BUY", 5000, "LMT", lmt_price=quote.ask)))
    fills = [e.execution for e in client.take() if isinstance(e, ExecutionData)]
    assert sum(f.shares for f in fills) == quote.ask_size
    # The next book is whole again.
    client.send(ReqGlobalCancel())
    gateway.advance(core.tick_interval)
    client.take()
    quote = core.walks.quote(_aapl(core), gateway.now)
    client.send(PlaceOrder(order_id=6, contract=AAPL, order=order("BUY", int(quote.ask_size) + 100, "LMT", lmt_price=quote.ask)))
    assert sum(e.execution.shares for e in client.take() if isinstance(e, ExecutionData)) == quote.ask_size


def test_a_new_trailing_amount_moves_the_stop() -> None:
    gateway, core, client = setup(226)
    instrument = _aapl(core)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100, "MKT")))
    gateway.advance(2.0)
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order("SELL", 100, "TRAIL", aux_price=0.10)))
    gateway.advance(1.0)
    trail = core.broker.find(1, 2)
    assert trail is not None and trail.trail_stop is not None and not trail.triggered
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order("SELL", 100, "TRAIL", aux_price=5.00)))
    gateway.advance(1.0)
    last = core.walks.quote(instrument, gateway.now).last
    assert trail.trail_stop == pytest.approx(last - 5.00, abs=0.5)
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order("SELL", 100, "TRAIL", trailing_percent=1.0)))
    gateway.advance(1.0)
    last = core.walks.quote(instrument, gateway.now).last
    assert trail.trail_stop == pytest.approx(last * 0.99, abs=0.5)


def test_the_execution_filter_limits_by_time_and_exchange() -> None:
    gateway, core, client = setup(226)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100)))
    gateway.advance(120.0)
    client.send(PlaceOrder(order_id=2, contract=MSFT, order=order("BUY", 100)))
    gateway.advance(5.0)
    client.take()
    later = time.strftime("%Y%m%d-%H:%M:%S", time.gmtime(T0 + 60))

    def orders(req_id: int, **filters: str) -> set[int]:
        client.send(ReqExecutions(req_id=req_id, exec_filter=ExecutionFilter(**filters)))  # type: ignore[arg-type]
        return {e.execution.order_id for e in client.take() if isinstance(e, ExecutionData)}

    assert orders(1) == {1, 2}
    assert orders(2, time=later) == {2}
    assert orders(3, time=time.strftime("%Y%m%d %H:%M:%S", time.gmtime(T0 + 60)) + " UTC") == {2}
    assert orders(4, exchange="NASDAQ") == {1, 2}
    assert orders(5, exchange="NYSE") == set()


# ------------------------------------------------------------------ at the close

NEW_YORK = ZoneInfo("America/New_York")
CLOSE = dt.datetime(2024, 3, 11, 16, 0, tzinfo=NEW_YORK).timestamp()  # the close of T0's session


def closing_bar(client: InMemoryClient, contract: Contract = AAPL) -> BarData:
    """The day's regular-hours daily bar, as history serves it."""
    client.send(ReqHistoricalData(req_id=900, contract=contract, end_date_time="", bar_size_setting="1 day",
                                  duration_str="1 D", use_rth=True, what_to_show="TRADES", format_date=1))
    (data,) = of(client.take(), HistoricalData)
    return data.bars[-1]  # type: ignore[attr-defined,no-any-return]


def test_market_and_limit_on_close_orders_execute_at_the_closing_price(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 300, "MOC")),
                PlaceOrder(order_id=2, contract=AAPL, order=order("SELL", 100, "LOC", lmt_price=1.0)),
                PlaceOrder(order_id=3, contract=AAPL, order=order("SELL", 100, "LOC", lmt_price=10_000.0)))
    events = client.take()
    assert [statuses(events, n)[-1] for n in (1, 2, 3)] == ["Submitted"] * 3 and not of(events, ExecutionData)
    # They rest on the simulator's clock until the close, whatever the market does meanwhile.
    gateway.advance(CLOSE - 1 - gateway.now)
    assert not of(client.take(), ExecutionData)
    gateway.advance(2.0)
    events = client.take()
    executions = [e.execution for e in of(events, ExecutionData)]  # type: ignore[attr-defined]
    close = closing_bar(client)
    # One execution each, whole, at the close of the day's regular-hours bar, stamped at the close.
    assert [(x.order_id, x.side, x.shares, x.price, x.time) for x in executions] == [
        (1, "BOT", Decimal(300), close.close, "20240311 20:00:00 UTC"),
        (2, "SLD", Decimal(100), close.close, "20240311 20:00:00 UTC"),
    ]
    assert (statuses(events, 1)[-1], statuses(events, 2)[-1], statuses(events, 3)) == ("Filled", "Filled", ["Cancelled"])
    # A limit-on-close order the closing price does not reach is cancelled at the close, as IB does.
    assert [(e.req_id, e.error_code) for e in errors(events)] == [(3, 202)]
    client.send(ReqPositions())
    (position,) = [e for e in client.take() if isinstance(e, PositionData)]
    assert position.position == Decimal(200)


def test_an_order_placed_after_the_close_waits_for_the_next_sessions_close() -> None:
    friday_evening = dt.datetime(2024, 3, 8, 18, 0, tzinfo=NEW_YORK).timestamp()
    gateway = InMemoryGateway(SimulatorCore(seed=7), now=friday_evening)
    client = ready(gateway)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100, "MOC")),
                PlaceOrder(order_id=2, contract=ES, order=order("BUY", 1, "MOC")))
    gateway.advance(CLOSE - 3600 * 2 - gateway.now)  # Monday 14:00 New York, 13:00 Chicago
    assert not of(client.take(), ExecutionData)
    gateway.advance(3 * 3600.0)
    times = {e.execution.order_id: e.execution.time for e in of(client.take(), ExecutionData)}  # type: ignore[attr-defined]
    # Monday's closes: 16:00 New York for the stock, 15:00 Chicago (16:00 New York) for the future.
    assert times == {1: "20240311 20:00:00 UTC", 2: "20240311 20:00:00 UTC"}


def test_at_close_orders_only_for_stocks_and_futures_and_a_limit_on_close_needs_its_limit(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    core = gateway.core
    assert isinstance(core, SimulatorCore)
    option = next(i for i in core.universe.instruments if i.sec_type == "OPT")
    client.send(PlaceOrder(order_id=1, contract=Contract(con_id=option.con_id, exchange="SMART"), order=order("BUY", 1, "MOC")),
                PlaceOrder(order_id=2, contract=EURUSD, order=order("BUY", 20_000, "LOC", lmt_price=2.0)),
                PlaceOrder(order_id=3, contract=AAPL, order=order("BUY", 1, "LOC")))
    rejected = errors(client.take())
    assert [(e.req_id, e.error_code) for e in rejected] == [(1, 321), (2, 321), (3, 321)]
    assert "Unsupported order type: MOC" in rejected[0].error_string and "Limit price is missing" in rejected[2].error_string


def test_with_sessions_day_orders_are_cancelled_at_the_close_and_gtc_orders_work_on(server_version: int) -> None:
    gateway = InMemoryGateway(SimulatorCore(server_version=server_version, seed=7, sessions=True), now=CLOSE - 600)
    client = ready(gateway)
    resting = {"lmt_price": 1.0}  # far below the market: they rest
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 10, "LMT", **resting)),
                PlaceOrder(order_id=2, contract=AAPL, order=order("BUY", 10, "LMT", tif="DAY", **resting)),
                PlaceOrder(order_id=3, contract=AAPL, order=order("BUY", 10, "LMT", tif="GTC", **resting)),
                PlaceOrder(order_id=4, contract=AAPL, order=order("BUY", 10, "LMT", outside_rth=True, **resting)),
                PlaceOrder(order_id=5, contract=AAPL, order=order("BUY", 10, "MOC")))
    gateway.advance(CLOSE - 1 - gateway.now)
    assert not errors(client.take())
    gateway.advance(2.0)
    events = client.take()
    # A day order (no time in force is DAY) ends at the close; the at-close order executes there first.
    assert [(e.req_id, e.error_code) for e in errors(events)] == [(1, 202), (2, 202)]
    assert [statuses(events, n)[-1:] for n in (1, 2, 3, 4, 5)] == [["Cancelled"], ["Cancelled"], [], [], ["Filled"]]
    # One allowed outside regular hours works until the end of the after-hours session, 20:00 New York.
    gateway.advance(4 * 3600.0 - 2)
    assert not client.take()
    gateway.advance(2.0)
    events = client.take()
    assert [(e.req_id, e.error_code) for e in errors(events)] == [(4, 202)]
    gateway.advance(3600.0)
    assert not errors(client.take())
    assert core_order(gateway, 3).status == "Submitted"


def core_order(gateway: InMemoryGateway, order_id: int, client_id: int = 1) -> SimOrder:
    core = gateway.core
    assert isinstance(core, SimulatorCore)
    found = core.broker.find(client_id, order_id)
    assert found is not None
    return found


def test_market_and_limit_if_touched_orders_wait_for_their_trigger_on_the_other_side_from_a_stop(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    (instrument,) = gateway.core.universe.resolve(AAPL)  # type: ignore[attr-defined]
    mid = gateway.core.walks.mid(instrument, gateway.now)  # type: ignore[attr-defined]
    above, below = round(mid * 1.5, 2), round(mid * 0.5, 2)
    client.send(
        # A buy if-touched order triggers at or below its trigger price, a sell one at or above it.
        PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 10, "MIT", aux_price=above)),
        PlaceOrder(order_id=2, contract=AAPL, order=order("BUY", 10, "MIT", aux_price=below)),
        PlaceOrder(order_id=3, contract=AAPL, order=order("SELL", 10, "MIT", aux_price=below)),
        PlaceOrder(order_id=4, contract=AAPL, order=order("SELL", 10, "MIT", aux_price=above)),
        # Triggered, a limit-if-touched order is a limit order: at or better than its limit.
        PlaceOrder(order_id=5, contract=AAPL, order=order("BUY", 10, "LIT", aux_price=above, lmt_price=below)),
        PlaceOrder(order_id=6, contract=AAPL, order=order("BUY", 10, "LIT", aux_price=above, lmt_price=above)),
    )
    gateway.advance(5.0)
    events = client.take()
    assert not errors(events)
    assert [statuses(events, n)[-1] for n in range(1, 7)] == [
        "Filled", "PreSubmitted", "Filled", "PreSubmitted", "Submitted", "Filled",
    ]
    fills = {e.execution.order_id: e.execution.price for e in of(events, ExecutionData)}  # type: ignore[attr-defined]
    assert fills[6] < above  # at the quote, not at the limit
    client.send(PlaceOrder(order_id=7, contract=AAPL, order=order("BUY", 10, "MIT")),
                PlaceOrder(order_id=8, contract=AAPL, order=order("BUY", 10, "LIT", aux_price=above)))
    assert [e.error_code for e in errors(client.take())] == [321, 321]


def test_a_trailing_limit_order_triggers_as_a_trailing_stop_and_limits_its_fill_by_the_offset(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(PlaceOrder(order_id=1, contract=MSFT, order=order(
        "SELL", 1, "TRAIL LIMIT", aux_price=0.5, lmt_price_offset=0.1)))
    events = client.take()
    assert set(statuses(events, 1)) == {"PreSubmitted"}  # and again once its first stop is set
    stops = []
    for _ in range(600):
        gateway.advance(1.0)
        sim_order = core_order(gateway, 1)
        if sim_order.triggered:
            break
        assert sim_order.trail_stop is not None
        stops.append(sim_order.trail_stop)
    assert sim_order.triggered and stops == sorted(stops)  # the stop only ever rises for a sell
    client.take()
    # Triggered at once (a sell stop above the market): the limit is the stop less the offset.
    (instrument,) = gateway.core.universe.resolve(MSFT)  # type: ignore[attr-defined]
    high = round(gateway.core.walks.mid(instrument, gateway.now) * 1.5, 2)  # type: ignore[attr-defined]
    client.send(
        PlaceOrder(order_id=2, contract=MSFT, order=order(
            "SELL", 1, "TRAIL LIMIT", aux_price=0.5, trail_stop_price=high, lmt_price_offset=0.1)),
        PlaceOrder(order_id=3, contract=MSFT, order=order(
            "SELL", 1, "TRAIL LIMIT", aux_price=0.5, trail_stop_price=high, lmt_price_offset=round(high * 0.7, 2))),
        # A limit price instead of an offset: the offset is its distance from the first stop.
        PlaceOrder(order_id=4, contract=MSFT, order=order(
            "SELL", 1, "TRAIL LIMIT", aux_price=0.5, trail_stop_price=high, lmt_price=round(high - 0.1, 2))),
    )
    events = client.take()
    assert [statuses(events, n)[-1] for n in (2, 3, 4)] == ["Submitted", "Filled", "Submitted"]
    assert core_order(gateway, 2).triggered and core_order(gateway, 4).triggered
    (fill,) = [e.execution for e in of(events, ExecutionData)]  # type: ignore[attr-defined]
    assert fill.price > high * 0.3  # at the bid, not at the limit
    client.send(PlaceOrder(order_id=5, contract=MSFT, order=order("SELL", 1, "TRAIL LIMIT", aux_price=0.5)))
    assert [e.error_code for e in errors(client.take())] == [321]


def test_a_good_till_date_order_is_cancelled_at_its_date(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    resting = {"lmt_price": 1.0}
    client.send(
        PlaceOrder(order_id=1, contract=AAPL, order=order(
            "BUY", 10, "LMT", tif="GTD", good_till_date="20240311 10:45:00 US/Eastern", **resting)),
        PlaceOrder(order_id=2, contract=AAPL, order=order("BUY", 10, "LMT", tif="GTD", **resting)),
    )
    events = client.take()
    assert statuses(events, 1) == ["Submitted"]
    assert [(e.req_id, e.error_code) for e in errors(events)] == [(2, 321)]
    gateway.advance(T0 + 300 - 1 - gateway.now)  # T0 is 10:40 New York
    assert not errors(client.take())
    gateway.advance(2.0)
    events = client.take()
    assert statuses(events, 1) == ["Cancelled"] and [(e.req_id, e.error_code) for e in errors(events)] == [(1, 202)]


BTC = Contract(symbol="BTC", sec_type="CRYPTO", exchange="PAXOS", currency="USD")


def test_crypto_orders_follow_ibs_rules(server_version: int) -> None:
    gateway, core, client = setup(server_version)

    def refused(order_id: int, sent: Order) -> tuple[int, str]:
        client.send(PlaceOrder(order_id=order_id, contract=BTC, order=sent))
        events = client.take()
        assert not [e for e in events if isinstance(e, (OrderStatus, ExecutionData))]
        (error,) = errors(events)
        return error.error_code, error.error_string

    buy = Order(action="BUY", order_type="MKT", tif="IOC", total_quantity=Decimal("0.5"))
    assert refused(1, buy) == (10289, "You must set Cash Quantity for this order")
    both = Order(action="BUY", order_type="MKT", tif="IOC", total_quantity=Decimal("0.5"), cash_qty=1000.0)
    assert refused(2, both)[0] == 10293
    day = Order(action="BUY", order_type="MKT", tif="DAY", cash_qty=1000.0)
    assert refused(3, day) == (201, "Order rejected - reason:The crypto MKT order must be IOC")
    assert refused(4, order("BUY", 1, "TRAIL", aux_price=100.0))[0] == 387
    assert refused(5, order("BUY", 1, "LMT", lmt_price=60000.0, tif="GTD", good_till_date="20240312 00:00:00"))[0] == 387
    small = Order(action="BUY", order_type="LMT", lmt_price=60000.0, total_quantity=Decimal("0.00005"))
    assert refused(6, small)[0] == 388


def test_a_crypto_buy_in_cash_fills_for_the_cash_and_holds_a_fraction(server_version: int) -> None:
    gateway, core, client = setup(server_version)
    client.send(PlaceOrder(order_id=1, contract=BTC, order=Order(action="BUY", order_type="MKT", tif="IOC", cash_qty=1000.0)))
    events = client.take()
    assert not errors(events)
    fills = [e.execution for e in events if isinstance(e, ExecutionData)]
    spent = sum(float(f.shares) * f.price for f in fills)
    assert 1000.0 - 0.01 < spent <= 1000.0
    bought = sum((f.shares for f in fills), Decimal(0))
    assert 0 < bought < 1 and bought == bought.quantize(Decimal("0.00000001"))
    assert [e.status for e in events if isinstance(e, OrderStatus)][-1] == "Filled"
    client.send(ReqPositions())
    (held,) = [e for e in client.take() if isinstance(e, PositionData) and e.contract.sec_type == "CRYPTO"]
    assert held.position == bought
    # A sell takes a quantity, fractional.
    half = (bought / 2).quantize(Decimal("0.00000001"))
    client.send(PlaceOrder(order_id=2, contract=BTC, order=Order(action="SELL", order_type="MKT", tif="IOC", total_quantity=half)))
    sold = [e.execution.shares for e in client.take() if isinstance(e, ExecutionData)]
    assert sum(sold, Decimal(0)) == half


def test_crypto_quotes_and_midpoint_bars_on_a_saturday(server_version: int) -> None:
    core = SimulatorCore(server_version=server_version, seed=7)
    gateway = InMemoryGateway(core, now=1_710_000_000.0)  # Saturday 9 March 2024
    client = gateway.connect(1)
    gateway.advance(1.5)
    client.take()
    client.send(history(9, BTC, what="MIDPOINT"))
    gateway.advance(1.0)
    events = client.take()
    assert not errors(events)
    bars = [b for e in events if isinstance(e, HistoricalData) for b in e.bars]
    assert len(bars) >= 20 and all(b.close > 1000 for b in bars)


# A sell stop at 100 against a run of quotes: (bid, ask, last).
_STOP_QUOTES = ((99.90, 100.20, 99.95), (99.80, 100.10, 100.05), (99.70, 99.95, 99.90), (99.70, 99.95, 99.90))


@pytest.mark.parametrize(("method", "triggers_at"), [
    (0, 0),  # a NASDAQ stock's default: last
    (2, 0),  # last
    (3, 3),  # double last: the second quote's last is above the stop, so the run starts again at the third
    (4, 2),  # bid/ask: a sell stop watches the ask
    (1, 3),  # double bid/ask: two asks in a row at or below the stop
    (7, 0),  # last or bid/ask
    (8, 1),  # mid-point
])
def test_a_stop_triggers_by_its_trigger_method(method: int, triggers_at: int) -> None:
    core = SimulatorCore(server_version=226, seed=7)
    (instrument,) = core.universe.resolve(AAPL)
    broker = Broker(("DU0000001",), mark=lambda i: 100.0)
    sim = broker.add(1, 1, instrument, AAPL, order("SELL", 1, "STP", aux_price=100.0, trigger_method=method))
    broker.transmit(sim, 0.0)
    triggered = []
    for step, (bid, ask, last) in enumerate(_STOP_QUOTES):
        quote = Quote(bid=bid, ask=ask, last=last, bid_size=Decimal(100), ask_size=Decimal(100), last_size=Decimal(1))
        book = Book(bids=(Level(bid, Decimal(100)),), asks=(Level(ask, Decimal(100)),))
        for _ in range(2):  # a second pass on the same quote is not a second quote
            broker.match(float(step), lambda i, q=quote, b=book: (q, b), at=float(step))
        triggered.append(sim.triggered)
    assert triggered.index(True) == triggers_at
    assert sim.status == "Filled"


def test_the_default_trigger_method_is_double_bid_ask_for_us_options_and_bid_ask_for_forex() -> None:
    gateway = sim(server_version=226)
    ready(gateway)  # the universe is dated at the simulator's clock (T0)
    core = gateway.core

    def method(contract: Contract) -> int:
        (instrument,) = core.universe.resolve(contract, T0)
        return trigger_method(SimOrder(1, 1, 1, instrument, contract, order("SELL", 1, "STP", aux_price=1.0), "DU0000001"))

    (underlying,) = core.universe.resolve(AAPL)
    option = next(iter(core.universe.options_of(underlying)))
    assert [method(AAPL), method(ES), method(EURUSD), method(Contract(con_id=option.con_id, exchange="SMART"))] == [2, 2, 4, 1]


def test_a_trailing_stop_is_reported_again_with_its_new_stop_each_time_it_moves() -> None:
    gateway = sim(server_version=226)
    client = ready(gateway)
    client.send(PlaceOrder(order_id=1, contract=MSFT, order=order("SELL", 1, "TRAIL", trailing_percent=50.0)))
    stops = []
    for _ in range(120):
        gateway.advance(1.0)
        stops.append(core_order(gateway, 1).trail_stop)
    events = client.take()
    reported = [e.order.trail_stop_price for e in of(events, OpenOrder) if e.order_id == 1]  # type: ignore[attr-defined]
    moves = [stop for before, stop in zip([None, *stops[:-1]], stops, strict=True) if stop != before]
    assert len(moves) > 2  # the walk rose several times in two minutes
    assert reported[-len(moves):] == moves
    assert statuses(events, 1)[-1] == "PreSubmitted"
    client.send(ReqOpenOrders())
    (open_order,) = of(client.take(), OpenOrder)
    assert open_order.order.trail_stop_price == stops[-1]  # type: ignore[attr-defined]


def test_an_oca_group_is_kept_per_account() -> None:
    gateway = sim(server_version=226, accounts=("DU0000001", "DU0000002"))
    client = ready(gateway)
    other = ready(gateway, client_id=2)
    resting = {"lmt_price": 1.0, "oca_group": "exit", "oca_type": 1}
    # The same group name in another account (from this client or another) is another group.
    other.send(PlaceOrder(order_id=1, contract=MSFT, order=order("BUY", 5, "LMT", account="DU0000002", **resting)))
    client.send(PlaceOrder(order_id=1, contract=MSFT, order=order("BUY", 5, "LMT", account="DU0000002", **resting)),
                PlaceOrder(order_id=2, contract=MSFT, order=order("BUY", 5, "LMT", account="DU0000001", **resting)))
    client.send(PlaceOrder(order_id=3, contract=MSFT, order=order(
        "BUY", 5, "LMT", account="DU0000001", oca_group="exit", oca_type=1, lmt_price=10000.0)))
    assert statuses(client.take(), 3)[-1] == "Filled"
    assert [core_order(gateway, n).status for n in (1, 2)] == ["Submitted", "Cancelled"]
    assert core_order(gateway, 1, client_id=2).status == "Submitted"
