"""The simulator's account requests (``ibwire.testing._sim_accounts``)."""

from __future__ import annotations

from decimal import Decimal

from ibwire.messages import (
    AccountSummary,
    AccountSummaryEnd,
    AccountUpdateMulti,
    AccountUpdateMultiEnd,
    AcctDownloadEnd,
    AcctValue,
    CancelAccountUpdatesMulti,
    CancelPositionsMulti,
    CommissionAndFeesReport,
    Contract,
    ErrMsg,
    Order,
    PlaceOrder,
    Pnl,
    PnlSingle,
    PortfolioValue,
    PositionData,
    PositionEnd,
    PositionMulti,
    PositionMultiEnd,
    ReqAccountSummary,
    ReqAccountUpdatesMulti,
    ReqAcctData,
    ReqPnl,
    ReqPnlSingle,
    ReqPositions,
    ReqPositionsMulti,
)
from ibwire.testing import SimulatorCore
from ibwire.testing._accounts import Position, account_values
from ibwire.testing.memory import InMemoryGateway
from tests.simkit import AAPL, ES, EURUSD, T0, errors, of, order, ready, sim


def test_account_updates_multi_and_positions_multi_answer_and_follow_fills(server_version: int) -> None:
    gateway = InMemoryGateway(SimulatorCore(server_version=server_version, seed=1), now=T0)
    client = gateway.connect(2)
    gateway.advance(1.5)
    client.take()
    client.send(ReqAccountUpdatesMulti(req_id=5, account="DU0000001", model_code="", ledger_and_nlv=False),
                ReqPositionsMulti(req_id=6, account="DU0000001", model_code=""))
    events = client.take()
    values = {e.key: e.value for e in events if isinstance(e, AccountUpdateMulti)}
    assert values["AccountCode"] == "DU0000001" and values["NetLiquidation"] == "1000000.00"
    assert AccountUpdateMultiEnd(req_id=5) in events and PositionMultiEnd(req_id=6) in events
    assert not [e for e in events if isinstance(e, PositionMulti)]
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=Order(action="BUY", total_quantity=Decimal(10), order_type="MKT")))
    gateway.advance(30.0)
    events = client.take()
    positions = [e for e in events if isinstance(e, PositionMulti)]
    assert positions[-1].pos == 10 and positions[-1].req_id == 6 and positions[-1].account == "DU0000001"
    assert [e for e in events if isinstance(e, AccountUpdateMulti) and e.key == "GrossPositionValue"]
    client.send(CancelAccountUpdatesMulti(req_id=5), CancelPositionsMulti(req_id=6))
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=Order(action="SELL", total_quantity=Decimal(10), order_type="MKT")))
    gateway.advance(30.0)
    assert not [e for e in client.take() if isinstance(e, (AccountUpdateMulti, PositionMulti))]
    client.send(ReqAccountUpdatesMulti(req_id=7, account="DU9", model_code="", ledger_and_nlv=False))
    assert [e.error_code for e in client.take() if isinstance(e, ErrMsg)] == [321]


# ------------------------------------------------------------------ account


def test_account_data_follows_fills(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(ReqAcctData(subscribe=True, acct_code=""), ReqPositions(),
                ReqAccountSummary(req_id=9, group_name="All", tags="AccountType,NetLiquidation,BuyingPower,$LEDGER"),
                ReqPnl(req_id=10, account="DU0000001", model_code=""),
                ReqPnlSingle(req_id=11, account="DU0000001", model_code="", con_id=265598))
    events = client.take()
    values = {v.key: v.val for v in of(events, AcctValue)}  # type: ignore[attr-defined]
    assert values["NetLiquidation"] == "1000000.00" and values["AccountCode"] == "DU0000001"
    assert of(events, AcctDownloadEnd) and of(events, PositionEnd) and of(events, AccountSummaryEnd)
    summary = {(s.tag, s.currency): s.value for s in of(events, AccountSummary)}  # type: ignore[attr-defined]
    assert summary == {
        ("AccountType", ""): "INDIVIDUAL", ("NetLiquidation", "USD"): "1000000.00", ("BuyingPower", "USD"): "4000000.00",
        ("CashBalance", "BASE"): "1000000.00", ("TotalCashBalance", "BASE"): "1000000.00", ("ExchangeRate", "BASE"): "1.000000",
        ("RealizedPnL", "BASE"): "0.00", ("UnrealizedPnL", "BASE"): "0.00", ("StockMarketValue", "BASE"): "0.00",
        ("OptionMarketValue", "BASE"): "0.00", ("FuturesPNL", "BASE"): "0.00",
        ("NetLiquidationByCurrency", "BASE"): "1000000.00",
    }
    assert of(events, Pnl) == [Pnl(req_id=10, daily_pnl=0.0, unrealized_pnl=0.0, realized_pnl=0.0)]
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100, "MKT")))
    events = client.take()
    (portfolio,) = of(events, PortfolioValue)
    assert portfolio.position == 100 and portfolio.contract.con_id == 265598  # type: ignore[attr-defined]
    assert [p.position for p in of(events, PositionData)] == [Decimal(100)]  # type: ignore[attr-defined]
    assert {s.tag for s in of(events, AccountSummary)} == {  # type: ignore[attr-defined]
        "AccountType", "NetLiquidation", "BuyingPower", "CashBalance", "TotalCashBalance", "ExchangeRate",
        "RealizedPnL", "UnrealizedPnL", "StockMarketValue", "OptionMarketValue", "FuturesPNL", "NetLiquidationByCurrency",
    }
    cash = {v.key: float(v.val) for v in of(events, AcctValue) if v.currency == "USD"}  # type: ignore[attr-defined]
    assert cash["TotalCashValue"] < 1_000_000 - 15_000 and cash["GrossPositionValue"] > 15_000
    assert of(events, PnlSingle)[-1].pos == 100  # type: ignore[attr-defined]
    gateway.advance(3.0)
    assert len(of(client.take(), Pnl)) >= 2  # P&L keeps coming while positions move
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order("SELL", 100, "MKT")))
    events = client.take()
    realized = of(events, CommissionAndFeesReport)[0].realized_pnl  # type: ignore[attr-defined]
    assert realized is not None and realized == of(events, Pnl)[-1].realized_pnl  # type: ignore[attr-defined]


def test_unknown_account(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(ReqAcctData(subscribe=True, acct_code="DU9999999"))
    assert errors(client.take(), 321)


def test_a_currency_pair_moves_both_currencies_cash_and_values_report_them(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    core = gateway.core
    assert isinstance(core, SimulatorCore)
    client.send(ReqAcctData(subscribe=True, acct_code=""))
    client.take()
    client.send(PlaceOrder(order_id=1, contract=EURUSD, order=order("BUY", 20_000, "MKT")))
    gateway.advance(30.0)
    fills = [f for f in core.broker.fills if f.order.order_id == 1]
    assert sum(f.shares for f in fills) == 20_000
    account = core.broker.accounts["DU0000001"]
    assert account.foreign == {"EUR": 20_000.0}
    paid = sum(float(f.shares) * f.price + f.commission for f in fills)
    assert abs(account.cash - (1_000_000 - paid)) < 1e-6
    client.take()
    client.send(ReqAcctData(subscribe=True, acct_code=""))  # a fresh download, at this moment
    events = client.take()
    rows: dict[tuple[str, str], float] = {}
    for value in of(events, AcctValue):
        if value.key in ("CashBalance", "TotalCashBalance", "ExchangeRate", "TotalCashValue", "NetLiquidation"):  # type: ignore[attr-defined]
            rows[(value.key, value.currency)] = float(value.val)  # type: ignore[attr-defined]
    rate = rows[("ExchangeRate", "EUR")]
    assert rate == round(core.walks.mid(core.universe.resolve(EURUSD)[0], gateway.now), 6)
    assert rows[("CashBalance", "EUR")] == rows[("TotalCashBalance", "EUR")] == 20_000.0
    assert rows[("CashBalance", "USD")] == round(account.cash, 2)
    assert rows[("ExchangeRate", "USD")] == rows[("ExchangeRate", "BASE")] == 1.0
    base = rows[("TotalCashBalance", "BASE")]
    assert abs(base - (account.cash + 20_000 * rate)) < 0.02
    # The pair is cash, not a position in the gross position value; net liquidation is all cash.
    values = core.broker.values("DU0000001")
    assert values["GrossPositionValue"] == 0.0
    assert abs(values["TotalCashValue"] - values["NetLiquidation"]) < 1e-6
    assert abs(rows[("TotalCashValue", "USD")] - base) < 0.02
    # In the base currency the identity holds: net liquidation moved by realized + unrealized.
    assert abs((values["NetLiquidation"] - 1_000_000) - (values["RealizedPnL"] + values["UnrealizedPnL"])) < 0.005
    # The ledger tags of an account summary: one currency, or all of them.
    client.send(ReqAccountSummary(req_id=30, group_name="All", tags="$LEDGER:EUR"),
                ReqAccountSummary(req_id=31, group_name="All", tags="$LEDGER:ALL"))
    summaries = of(client.take(), AccountSummary)
    eur = {(s.tag, s.currency): s.value for s in summaries if s.req_id == 30}  # type: ignore[attr-defined]
    assert eur == {("CashBalance", "EUR"): "20000.00", ("TotalCashBalance", "EUR"): "20000.00",
                   ("ExchangeRate", "EUR"): f"{rate:.6f}", ("RealizedPnL", "EUR"): "0.00",
                   ("UnrealizedPnL", "EUR"): "0.00", ("StockMarketValue", "EUR"): "0.00",
                   ("OptionMarketValue", "EUR"): "0.00", ("FuturesPNL", "EUR"): "0.00",
                   ("NetLiquidationByCurrency", "EUR"): "20000.00"}
    assert {s.currency for s in summaries if s.req_id == 31} == {"USD", "EUR", "BASE"}  # type: ignore[attr-defined]
    # Selling it back empties the EUR balance.
    client.send(PlaceOrder(order_id=2, contract=EURUSD, order=order("SELL", 20_000, "MKT")))
    gateway.advance(30.0)
    assert account.foreign == {"EUR": 0.0}


def test_realized_and_unrealized_pnl_come_per_currency_and_for_base(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    core = gateway.core
    assert isinstance(core, SimulatorCore)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100, "MKT")),
                PlaceOrder(order_id=2, contract=ES, order=order("BUY", 2, "MKT")))
    gateway.advance(30.0)
    client.send(PlaceOrder(order_id=3, contract=AAPL, order=order("SELL", 40, "MKT")))
    gateway.advance(30.0)
    client.take()
    client.send(ReqAcctData(subscribe=True, acct_code=""))
    rows: dict[str, dict[str, str]] = {}
    for value in of(client.take(), AcctValue):
        rows.setdefault(value.key, {})[value.currency] = value.val  # type: ignore[attr-defined]
    values = core.broker.values("DU0000001")
    assert values["RealizedPnL"] != 0.0 and values["UnrealizedPnL"] != 0.0
    # As TWS sends them: one row per currency and one in the base currency, no more.
    assert rows["RealizedPnL"] == {"USD": f"{values['RealizedPnL']:.2f}", "BASE": f"{values['RealizedPnL']:.2f}"}
    assert rows["UnrealizedPnL"] == {"USD": f"{values['UnrealizedPnL']:.2f}", "BASE": f"{values['UnrealizedPnL']:.2f}"}
    client.send(ReqAccountSummary(req_id=4, group_name="All", tags="$LEDGER"))
    ledger = {(s.tag, s.currency): s.value for s in of(client.take(), AccountSummary)}  # type: ignore[attr-defined]
    assert ledger[("UnrealizedPnL", "BASE")] == rows["UnrealizedPnL"]["BASE"]
    assert ledger[("RealizedPnL", "BASE")] == rows["RealizedPnL"]["BASE"]


def test_the_ledger_values_each_currency_and_its_base_row_sums_them_to_the_net_liquidation(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    core = gateway.core
    assert isinstance(core, SimulatorCore)
    call = Contract(symbol="AAPL", sec_type="OPT", exchange="SMART", currency="USD",
                    last_trade_date_or_contract_month="20240315", strike=185.0, right="C")
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100, "MKT")),
                PlaceOrder(order_id=2, contract=ES, order=order("BUY", 2, "MKT")),
                PlaceOrder(order_id=3, contract=EURUSD, order=order("BUY", 20_000, "MKT")),
                PlaceOrder(order_id=4, contract=call, order=order("SELL", 3, "MKT")))
    gateway.advance(30.0)
    client.take()
    client.send(ReqAcctData(subscribe=True, acct_code=""),
                ReqAccountSummary(req_id=5, group_name="All", tags="$LEDGER:ALL"))
    events = client.take()
    rows: dict[str, dict[str, float]] = {}
    for value in of(events, AcctValue):
        if value.currency:  # type: ignore[attr-defined]
            rows.setdefault(value.key, {})[value.currency] = float(value.val)  # type: ignore[attr-defined]
    values = core.broker.values("DU0000001")
    by_currency = rows["NetLiquidationByCurrency"]
    assert set(by_currency) == {"USD", "EUR", "BASE"}
    assert by_currency["EUR"] == rows["CashBalance"]["EUR"] == 20_000.0  # the pair is cash
    assert abs(by_currency["BASE"] - values["NetLiquidation"]) < 0.01
    assert abs(by_currency["BASE"] - sum(by_currency[c] * rows["ExchangeRate"][c] for c in ("USD", "EUR"))) < 0.02
    parts = ("CashBalance", "StockMarketValue", "OptionMarketValue", "FuturesPNL")
    assert abs(by_currency["USD"] - sum(rows[key]["USD"] for key in parts)) < 0.02
    portfolio = {p.contract.sec_type: p.market_value for p in of(events, PortfolioValue)}  # type: ignore[attr-defined]
    assert rows["StockMarketValue"]["USD"] == portfolio["STK"] > 0
    assert rows["OptionMarketValue"]["USD"] == portfolio["OPT"] < 0
    assert rows["FuturesPNL"]["USD"] != 0.0
    summary = {(s.tag, s.currency): float(s.value) for s in of(events, AccountSummary)}  # type: ignore[attr-defined]
    assert {(key, currency): value for key, by in rows.items() for currency, value in by.items()
            if key in (*parts, "NetLiquidationByCurrency")} == {
        (key, currency): value for (key, currency), value in summary.items() if key in (*parts, "NetLiquidationByCurrency")}


def test_positions_and_portfolio_report_the_same_average_cost(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    call = Contract(symbol="AAPL", sec_type="OPT", exchange="SMART", currency="USD",
                    last_trade_date_or_contract_month="20240315", strike=185.0, right="C")
    # Long 5, then short 7 in one order: a short average cost of price x 100 - 0.65.
    for order_id, (action, quantity) in enumerate([("BUY", 5), ("SELL", 12)], 1):
        client.send(PlaceOrder(order_id=order_id, contract=call, order=order(action, quantity, "MKT")))
        gateway.advance(20.0)
    client.take()
    client.send(ReqAcctData(subscribe=True, acct_code=""), ReqPositions(),
                ReqPositionsMulti(req_id=3, account="DU0000001", model_code=""))
    events = client.take()
    (portfolio,) = of(events, PortfolioValue)
    (position,) = of(events, PositionData)
    (multi,) = of(events, PositionMulti)
    assert portfolio.position == position.position == multi.pos == -7  # type: ignore[attr-defined]
    assert position.avg_cost == multi.avg_cost == portfolio.average_cost  # type: ignore[attr-defined]
    assert position.avg_cost == round(position.avg_cost, 6)  # type: ignore[attr-defined]


def test_daily_pnl_starts_again_at_each_venues_close(server_version: int) -> None:
    # T0 is Monday 11 March 2024, 14:40 UTC (10:40 New York, daylight time): stocks close
    # at 20:00 UTC, CME futures at 21:00 UTC (16:00 Chicago).
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    core = gateway.core
    assert isinstance(core, SimulatorCore)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100, "MKT")),
                PlaceOrder(order_id=2, contract=ES, order=order("BUY", 1, "MKT")))
    gateway.advance(30.0)
    broker = core.broker
    aapl, es = (p for p in broker.positions("DU0000001"))
    assert aapl.instrument.symbol == "AAPL" and es.instrument.symbol == "ES"

    def total(position: Position) -> float:
        return position.realized + broker.unrealized(position)

    def daily(req_id: int, con_id: int) -> float:
        client.send(ReqPnlSingle(req_id=req_id, account="DU0000001", model_code="", con_id=con_id))
        value = [e for e in of(client.take(), PnlSingle) if e.req_id == req_id][0].daily_pnl  # type: ignore[attr-defined]
        assert isinstance(value, float)
        return value

    gateway.advance(T0 + 5 * 3600 - gateway.now)  # 19:40 UTC: the same trading day
    assert daily(20, 265598) == round(total(aapl), 2) != 0.0
    gateway.advance(T0 + 5 * 3600 + 1800 - gateway.now)  # 20:10 UTC: stocks closed, futures not
    assert aapl.day_start == T0 + 5 * 3600 + 1200  # 16:00 New York
    aapl_daily = daily(21, 265598)
    assert aapl_daily == round(total(aapl) - aapl.day_base, 2)
    assert aapl_daily != round(total(aapl), 2)
    assert daily(22, es.instrument.con_id) == round(total(es), 2)  # not yet reset
    gateway.advance(T0 + 7 * 3600 - gateway.now)  # 21:40 UTC: the futures' day ended too
    assert es.day_start == T0 + 6 * 3600 + 1200
    assert daily(23, es.instrument.con_id) == round(total(es) - es.day_base, 2)
    # The account's daily P&L is the sum of its positions' (and a new day moves it, not the totals).
    client.send(ReqPnl(req_id=24, account="DU0000001", model_code=""))
    (pnl,) = [e for e in of(client.take(), Pnl) if e.req_id == 24]  # type: ignore[attr-defined]
    expected = sum(total(p) - p.day_base for p in (aapl, es))
    assert pnl.daily_pnl == round(expected, 2)  # type: ignore[attr-defined]
    assert pnl.realized_pnl == 0.0 and pnl.unrealized_pnl == round(total(aapl) + total(es), 2)  # type: ignore[attr-defined]


def test_previous_day_equity_with_loan_value_is_the_last_sessions_closing_value(server_version: int) -> None:
    # The account's day ends at 16:00 New York (20:00 UTC in March 2024), Monday to Friday.
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    core = gateway.core
    assert isinstance(core, SimulatorCore)
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100, "MKT")),
                PlaceOrder(order_id=2, contract=ES, order=order("BUY", 1, "MKT")))
    gateway.advance(T0 + 5 * 3600 + 1170 - gateway.now)  # 19:59:30 UTC: still Monday's session
    values = core.broker.values("DU0000001")
    assert values["PreviousDayEquityWithLoanValue"] == 1_000_000.0 != values["EquityWithLoanValue"]
    account = core.broker.accounts["DU0000001"]

    def closing(close: float) -> set[float]:
        """The equity with loan value at each price step of the minute after ``close``."""
        return {round(account_values(account, lambda i, t=t: core.walks.mid(i, t), lambda i: None)["EquityWithLoanValue"], 6)
                for t in range(int(close), int(close) + 61)}

    for close in (T0 + 5 * 3600 + 1200, T0 + 29 * 3600 + 1200):  # Monday's and Tuesday's
        gateway.advance(close - 30 - gateway.now)
        for _ in range(90):  # the clock steps every second across the close
            gateway.advance(1.0)
        gateway.advance(3600.0)
        values = core.broker.values("DU0000001")
        previous = values["PreviousDayEquityWithLoanValue"]
        assert round(previous, 6) in closing(close) and previous != values["EquityWithLoanValue"]
        client.take()
        client.send(ReqAccountSummary(req_id=int(close) % 1000, group_name="All", tags="PreviousDayEquityWithLoanValue"))
        (row,) = [s for s in of(client.take(), AccountSummary) if s.req_id == int(close) % 1000]  # type: ignore[attr-defined]
        assert row.value == f"{previous:.2f}"  # type: ignore[attr-defined]


def test_account_values_portfolio_and_summaries_refresh_every_three_minutes_while_prices_move() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqAcctData(subscribe=True, acct_code="DU0000001"),
                ReqAccountSummary(req_id=9, group_name="All", tags="NetLiquidation"))
    client.take()
    gateway.advance(200.0)
    assert not [e for e in client.take() if isinstance(e, AccountSummary)]  # nothing held: nothing to refresh
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 1000, "MKT")))
    gateway.advance(5.0)
    client.take()
    began = gateway.now
    gateway.advance(30 * 60.0)
    events = client.take()
    portfolio = [e for e in events if isinstance(e, PortfolioValue)]
    summaries = [e for e in events if isinstance(e, AccountSummary)]
    liquidation = [e for e in events if isinstance(e, AcctValue) and e.key == "NetLiquidation"]
    assert len(portfolio) == len(summaries) == len(liquidation) == 10
    assert len({p.market_price for p in portfolio}) > 1 and len({s.value for s in summaries}) > 1
    assert gateway.now - began == 30 * 60.0
