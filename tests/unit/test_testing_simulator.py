"""The simulator: gateway rules, market data, history, orders, account data, faults.

Almost everything runs on the sans-I/O core through an in-memory gateway with a
hand-driven clock; a few tests check the thread and asyncio front ends.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from decimal import Decimal

import pytest

from ibwire.events import ConnectAck, ConnectionClosed
from ibwire.messages import (
    AccountSummary,
    AccountSummaryEnd,
    AcctDownloadEnd,
    AcctValue,
    CancelHistoricalData,
    CancelMktData,
    CancelOrder,
    CommissionAndFeesReport,
    Contract,
    ContractData,
    ContractDataEnd,
    CurrentTime,
    ErrMsg,
    ExecutionData,
    ExecutionDataEnd,
    ExecutionFilter,
    HeadTimestamp,
    HistoricalData,
    HistoricalDataEnd,
    HistoricalDataUpdate,
    ManagedAccts,
    MarketDepth,
    MarketDepthL2,
    MarketRule,
    Message,
    NewsProviders,
    NextValidId,
    OpenOrder,
    OpenOrderEnd,
    Order,
    OrderStatus,
    PlaceOrder,
    Pnl,
    PnlSingle,
    PortfolioValue,
    PositionData,
    PositionEnd,
    RealTimeBars,
    ReqAccountSummary,
    ReqAcctData,
    ReqAllOpenOrders,
    ReqContractData,
    ReqCurrentTime,
    ReqExecutions,
    ReqGlobalCancel,
    ReqHeadTimestamp,
    ReqHistoricalData,
    ReqIds,
    ReqManagedAccts,
    ReqMarketDataType,
    ReqMarketRule,
    ReqMktData,
    ReqMktDepth,
    ReqNewsProviders,
    ReqOpenOrders,
    ReqPnl,
    ReqPnlSingle,
    ReqPositions,
    ReqRealTimeBars,
    ReqScannerParameters,
    ReqSecDefOptParams,
    ReqTickByTickData,
    ReqUserInfo,
    ReqWshMetaData,
    ScannerParameters,
    SecurityDefinitionOptionParameter,
    SecurityDefinitionOptionParameterEnd,
    TickByTick,
    TickPrice,
    TickReqParams,
    TickSize,
    TickSnapshotEnd,
    UserInfo,
)
from ibwire.protocol import ClientProtocol
from ibwire.testing import (
    DropClients,
    NightlyReset,
    SimulatedGateway,
    SimulatorCore,
    SystemNotice,
    WireClient,
)
from ibwire.testing._market import BAR_SIZES
from ibwire.testing._server import timeout_scale
from ibwire.testing.memory import InMemoryClient, InMemoryGateway

TIMEOUT = 5.0 * timeout_scale()
T0 = 1_710_168_000.0  # Monday 11 March 2024, 14:40 UTC: every venue trades
AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
MSFT = Contract(symbol="MSFT", sec_type="STK", exchange="SMART", currency="USD")
EURUSD = Contract(symbol="EUR", sec_type="CASH", exchange="IDEALPRO", currency="USD")
ES = Contract(symbol="ES", sec_type="FUT", exchange="CME", currency="USD")


def sim(**options: object) -> InMemoryGateway:
    return InMemoryGateway(SimulatorCore(seed=7, **options), now=T0)  # type: ignore[arg-type]


def ready(gateway: InMemoryGateway, client_id: int = 1, **options: object) -> InMemoryClient:
    client = gateway.connect(client_id, **options)  # type: ignore[arg-type]
    client.take()
    gateway.advance(1.5)  # past startApi's second: the rate window starts empty
    return client


def errors(events: list[object], code: int | None = None) -> list[ErrMsg]:
    return [e for e in events if isinstance(e, ErrMsg) and (code is None or e.error_code == code)]


def of(events: list[object], kind: type[Message]) -> list[Message]:
    return [e for e in events if isinstance(e, kind)]


def history(req_id: int, contract: Contract = AAPL, *, bar: str = "1 hour", duration: str = "1 D",
            what: str = "TRADES", end: str = "", keep: bool = False, fmt: int = 1) -> ReqHistoricalData:
    return ReqHistoricalData(
        req_id=req_id, contract=contract, end_date_time=end, bar_size_setting=bar, duration_str=duration,
        use_rth=False, what_to_show=what, format_date=fmt, keep_up_to_date=keep, chart_options="",
    )


def order(action: str, qty: int, kind: str, **fields: object) -> Order:
    return Order(action=action, total_quantity=Decimal(qty), order_type=kind, **fields)  # type: ignore[arg-type]


# ------------------------------------------------------------------ connection rules


def test_connect_sequence() -> None:
    gateway = sim(accounts=("DU1111111", "DU2222222"))
    client = gateway.connect(3)
    events = client.take()
    assert events[0] == ConnectAck(server_version=200, connection_time="20240311 14:40:00 GMT")
    assert events[1] == ManagedAccts(accounts_list="DU1111111,DU2222222")
    assert events[2] == NextValidId(order_id=1)
    assert [(e.req_id, e.error_code) for e in errors(events)] == [(-1, 2104), (-1, 2106), (-1, 2158)]
    assert errors(events)[0].error_time == int(T0 * 1000)
    old = gateway.connect(4, max_version=176)
    assert old.events[0] == ConnectAck(server_version=176, connection_time="20240311 14:40:00 GMT")
    assert errors(old.events)[0].error_time is None  # no error time before 194
    assert gateway.core.client_ids() == [3, 4]  # type: ignore[attr-defined]


def test_no_common_version_closes() -> None:
    gateway = sim(server_version=150)
    client = gateway.connect(1, min_version=160)
    assert client.closed and not any(isinstance(e, ConnectAck) for e in client.events)


def test_rate_limit_error_100_then_disconnect() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(*[ReqCurrentTime()] * 60)
    events = client.take()
    assert len(of(events, CurrentTime)) == 50
    (error,) = errors(events)
    assert (error.req_id, error.error_code) == (-1, 100)
    assert error.error_string == "Max rate of messages per second has been exceeded:max=50 rec=51 (1)"
    assert events.index(error) == 50 and isinstance(events[-1], ConnectionClosed)
    assert client.closed


def test_rate_limit_is_a_sliding_second() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(*[ReqCurrentTime()] * 50)
    gateway.advance(1.0)
    client.send(*[ReqCurrentTime()] * 50)
    assert not client.closed and len(of(client.events, CurrentTime)) == 100


def test_paceapi_queues_instead_of_disconnecting() -> None:
    gateway = sim()
    client = ready(gateway, connect_options="+PACEAPI")
    client.send(*[ReqCurrentTime()] * 60)
    assert len(of(client.take(), CurrentTime)) == 50
    gateway.advance(1.0)
    assert len(of(client.take(), CurrentTime)) == 10
    assert not client.closed and errors(client.events, 100) == []


def test_client_id_in_use() -> None:
    gateway = sim()
    first = ready(gateway, 5)
    second = gateway.connect(5)
    assert [(e.req_id, e.error_code) for e in errors(second.events)] == [(-1, 326)]
    assert "client id is already in use" in errors(second.events)[0].error_string
    assert second.closed and not of(second.events, NextValidId)
    assert not first.closed
    other = gateway.connect(6)
    assert of(other.events, NextValidId)
    first.close()
    again = gateway.connect(5)
    assert of(again.events, NextValidId) and not again.closed


def test_requests_before_start_api_are_ignored_and_malformed_ones_get_320() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send_bytes(b"\x00\x00\x00\x0549\x00x\x00")  # a reqCurrentTime with a bad version... still decodes
    client.send_bytes(b"\x00\x00\x00\x04" + b"777\x00")
    assert errors(client.take(), 320)


def test_unsupported_requests_get_an_answer() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqWshMetaData(req_id=3))
    (error,) = errors(client.take())
    assert (error.req_id, error.error_code) == (3, 321)
    assert "ReqWshMetaData is not supported by the ibwire simulator" in error.error_string
    assert gateway.core.unhandled == ["ReqWshMetaData"]  # type: ignore[attr-defined]


def test_simple_requests() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqCurrentTime(), ReqManagedAccts(), ReqUserInfo(req_id=4), ReqMarketRule(market_rule_id=26),
                ReqNewsProviders(), ReqScannerParameters(), ReqIds())
    events = client.take()
    assert of(events, CurrentTime) == [CurrentTime(time=int(T0 + 1.5))]
    assert of(events, ManagedAccts) and of(events, UserInfo) == [UserInfo(req_id=4, white_branding_id="")]
    (rule,) = of(events, MarketRule)
    assert rule.price_increments[0].increment == 0.01  # type: ignore[attr-defined]
    assert of(events, NewsProviders) and "<ScanParameterResponse>" in of(events, ScannerParameters)[0].xml  # type: ignore[attr-defined]
    assert of(events, NextValidId) == [NextValidId(order_id=1)]


# ------------------------------------------------------------------ contracts


def test_contract_details() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqContractData(req_id=1, contract=AAPL), ReqContractData(req_id=2, contract=Contract(symbol="ZZZZ", sec_type="STK")))
    events = client.take()
    (data,) = of(events, ContractData)
    details = data.contract_details  # type: ignore[attr-defined]
    assert (details.contract.con_id, details.contract.primary_exchange, details.long_name) == (265598, "NASDAQ", "APPLE INC")
    assert of(events, ContractDataEnd) == [ContractDataEnd(req_id=1)]
    assert [(e.req_id, e.error_code, e.error_string) for e in errors(events)] == [
        (2, 200, "No security definition has been found for the request")
    ]
    client.send(ReqContractData(req_id=3, contract=Contract(symbol="AAPL", sec_type="OPT", exchange="SMART", currency="USD", right="C")))
    calls = of(client.take(), ContractData)
    assert len(calls) > 20 and all(c.contract_details.contract.right == "C" for c in calls)  # type: ignore[attr-defined]
    for contract in (ES, EURUSD, Contract(con_id=756733, exchange="ARCA")):
        client.send(ReqContractData(req_id=9, contract=contract))
        assert len(of(client.take(), ContractData)) == 1


def test_option_chain() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqSecDefOptParams(req_id=5, underlying_symbol="AAPL", fut_fop_exchange="", underlying_sec_type="STK", underlying_con_id=265598))
    events = client.take()
    params = of(events, SecurityDefinitionOptionParameter)
    assert [p.exchange for p in params] == ["SMART", "CBOE"]  # type: ignore[attr-defined]
    assert params[0].multiplier == "100" and len(params[0].expirations) >= 3 and 190.0 in params[0].strikes  # type: ignore[attr-defined]
    assert of(events, SecurityDefinitionOptionParameterEnd)


# ------------------------------------------------------------------ market data


def test_top_of_book_stream_and_cancel() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqMktData(req_id=1, contract=AAPL, generic_tick_list="233,236"))
    events = client.take()
    assert of(events, TickReqParams)
    types = {e.tick_type for e in of(events, TickPrice)}  # type: ignore[attr-defined]
    assert {1, 2, 4, 6, 7, 9, 14} <= types
    bid = next(e for e in of(events, TickPrice) if e.tick_type == 1)  # type: ignore[attr-defined]
    ask = next(e for e in of(events, TickPrice) if e.tick_type == 2)  # type: ignore[attr-defined]
    assert 150 < bid.price < ask.price < 230  # type: ignore[attr-defined]
    assert {e.tick_type for e in of(events, TickSize)} >= {0, 3, 5, 8}  # type: ignore[attr-defined]
    gateway.advance(3.0)
    assert len(of(client.take(), TickPrice)) >= 3
    client.send(CancelMktData(req_id=1))
    gateway.advance(3.0)
    assert of(client.take(), TickPrice) == []
    client.send(CancelMktData(req_id=1))
    assert errors(client.take(), 300)


def test_snapshot_and_duplicate_ticker() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqMktData(req_id=1, contract=EURUSD, snapshot=True))
    events = client.take()
    assert of(events, TickSnapshotEnd) and of(events, TickPrice)
    gateway.advance(3.0)
    assert of(client.take(), TickPrice) == []
    client.send(ReqMktData(req_id=2, contract=AAPL), ReqMktData(req_id=2, contract=AAPL))
    assert errors(client.take(), 102)
    client.send(ReqMktData(req_id=3, contract=AAPL, snapshot=True, generic_tick_list="233"))
    assert errors(client.take(), 321)


def test_market_data_permission_354_and_delayed_data() -> None:
    gateway = sim(no_permission=("MSFT",))
    client = ready(gateway)
    client.send(ReqMktData(req_id=1, contract=MSFT))
    (error,) = errors(client.take())
    assert (error.req_id, error.error_code) == (1, 354)
    assert error.error_string.startswith("Requested market data is not subscribed")
    client.send(ReqMarketDataType(market_data_type=3), ReqMktData(req_id=2, contract=MSFT))
    events = client.take()
    assert errors(events, 10167)
    assert {e.tick_type for e in of(events, TickPrice)} >= {66, 67, 68}  # type: ignore[attr-defined]


def test_ambiguous_contract() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqMktData(req_id=1, contract=Contract(symbol="AAPL", sec_type="OPT")))
    (error,) = errors(client.take())
    assert error.error_code == 200 and "ambiguous" in error.error_string


def test_depth_books_and_limit() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqMktDepth(req_id=1, contract=AAPL, num_rows=3, is_smart_depth=False))
    rows = of(client.take(), MarketDepth)
    assert 2 <= len(rows) <= 6 and {r.side for r in rows} == {0, 1} and {r.operation for r in rows} == {0}  # type: ignore[attr-defined]
    assert max(r.position for r in rows) <= 2  # type: ignore[attr-defined]
    client.send(ReqMktDepth(req_id=2, contract=MSFT, num_rows=2, is_smart_depth=True))
    l2 = of(client.take(), MarketDepthL2)
    assert 2 <= len(l2) <= 4 and all(r.is_smart_depth and r.market_maker for r in l2)  # type: ignore[attr-defined]
    gateway.advance(1.0)
    assert any(r.operation == 1 for r in of(client.take(), MarketDepth))  # type: ignore[attr-defined]
    client.send(ReqMktDepth(req_id=3, contract=EURUSD, num_rows=1, is_smart_depth=False),
                ReqMktDepth(req_id=4, contract=ES, num_rows=1, is_smart_depth=False))
    assert [e.req_id for e in errors(client.take(), 309)] == [4]


@pytest.mark.parametrize(("kind", "number"), [("Last", 1), ("AllLast", 2), ("BidAsk", 3), ("MidPoint", 4)])
def test_tick_by_tick(kind: str, number: int) -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqTickByTickData(req_id=1, contract=AAPL, tick_type=kind, number_of_ticks=0, ignore_size=False))
    gateway.advance(2.0)
    ticks = of(client.take(), TickByTick)
    assert len(ticks) == 2 and all(t.tick_type == number for t in ticks)  # type: ignore[attr-defined]
    if number == 4:
        assert ticks[0].mid_point  # type: ignore[attr-defined]
    elif number == 3:
        assert ticks[0].bid_price < ticks[0].ask_price  # type: ignore[attr-defined]
    else:
        assert ticks[0].price and ticks[0].size  # type: ignore[attr-defined]


def test_tick_by_tick_bad_type() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqTickByTickData(req_id=1, contract=AAPL, tick_type="Everything", number_of_ticks=0, ignore_size=False))
    assert errors(client.take(), 321)


def test_real_time_bars() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqRealTimeBars(req_id=1, contract=AAPL, bar_size=5, what_to_show="TRADES", use_rth=False))
    gateway.advance(11.0)
    bars = of(client.take(), RealTimeBars)
    assert len(bars) == 2 and all(b.time % 5 == 0 and b.low <= b.open <= b.high for b in bars)  # type: ignore[attr-defined]
    client.send(ReqRealTimeBars(req_id=2, contract=AAPL, bar_size=10, what_to_show="TRADES", use_rth=False))
    assert errors(client.take(), 321)
    client.send(ReqRealTimeBars(req_id=3, contract=EURUSD, bar_size=5, what_to_show="TRADES", use_rth=False))
    assert errors(client.take(), 162)


# ------------------------------------------------------------------ history

# About forty bars of each size, within IB's step-size rule.
_DURATION_FOR = {
    "1 secs": "60 S", "5 secs": "300 S", "10 secs": "600 S", "15 secs": "900 S", "30 secs": "1800 S",
    "1 min": "3600 S", "2 mins": "7200 S", "3 mins": "7200 S", "5 mins": "14400 S", "10 mins": "28800 S",
    "15 mins": "1 D", "20 mins": "1 D", "30 mins": "1 D", "1 hour": "2 D", "2 hours": "1 W",
    "3 hours": "1 W", "4 hours": "1 W", "8 hours": "2 W", "1 day": "1 M", "1 week": "1 Y", "1 month": "2 Y",
}
_BARS = sorted((size, name) for name, size in BAR_SIZES.items() if name != "1 sec")
_WHAT = {
    "AAPL": (AAPL, ("TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK", "ADJUSTED_LAST", "HISTORICAL_VOLATILITY", "OPTION_IMPLIED_VOLATILITY")),
    "ES": (ES, ("TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK")),
    "EUR": (EURUSD, ("MIDPOINT", "BID", "ASK", "BID_ASK")),
}


@pytest.mark.parametrize("symbol", sorted(_WHAT))
def test_every_bar_size_and_what_to_show(symbol: str) -> None:
    contract, whats = _WHAT[symbol]
    gateway = sim()
    client = ready(gateway)
    req_id = 0
    for _size, name in _BARS:
        for what in whats:
            req_id += 1
            client.send(history(req_id, contract, bar=name, duration=_DURATION_FOR[name], what=what))
            events = client.take()
            assert errors(events) == [], (name, what, errors(events))
            (data,) = of(events, HistoricalData)
            bars = data.bars  # type: ignore[attr-defined]
            assert bars, (name, what)
            assert all(b.low <= min(b.open, b.close) and b.high >= max(b.open, b.close) for b in bars)
            (end,) = of(events, HistoricalDataEnd)
            assert end.start_date_str < end.end_date_str  # type: ignore[attr-defined]
            gateway.advance(16.0)  # stay inside the pacing rules


@pytest.mark.parametrize(
    ("request_", "code", "words"),
    [
        (history(1, EURUSD, what="TRADES"), 162, "No data of type TRADES is available for the exchange 'IDEALPRO' and the security type 'CASH'"),
        (history(1, ES, what="ADJUSTED_LAST"), 162, "No data of type ADJUSTED_LAST"),
        (history(1, bar="7 mins"), 321, "bar size setting is invalid"),
        (history(1, duration="1 X"), 321, "duration format is invalid"),
        (history(1, duration="0 D"), 321, "duration format is invalid"),
        (history(1, what="EVERYTHING"), 321, "what to show is invalid"),
        (history(1, bar="1 secs", duration="1 D"), 162, "Time length exceed max"),
        (history(1, bar="5 secs", duration="1 W"), 162, "Time length exceed max"),
        (history(1, end="20240101 00:00:00", keep=True), 321, "End date not supported with live updates"),
        (history(1, end="20240101 00:00:00", what="ADJUSTED_LAST"), 321, "End date not supported with adjusted last"),
        (history(1, end="yesterday"), 321, "end date/time is invalid"),
        (history(1, Contract(symbol="NOPE", sec_type="STK")), 200, "No security definition"),
    ],
)
def test_history_errors(request_: ReqHistoricalData, code: int, words: str) -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(request_)
    (error,) = errors(client.take())
    assert (error.req_id, error.error_code) == (1, code)
    assert words in error.error_string
    if code == 321:
        assert error.error_string.startswith("Error validating request.-'bP' : cause - ")
    if code == 162 and "No data" in words:
        assert error.error_string.startswith("Historical Market Data Service error message:")


def test_history_pacing_rules() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(history(1, bar="5 secs", duration="3600 S"), history(2, bar="5 secs", duration="3600 S"))
    assert [(e.req_id, e.error_code) for e in errors(client.take())] == [(2, 162)]
    assert "pacing violation" in errors(client.events, 162)[0].error_string
    gateway.advance(16.0)
    # Six requests for the same contract and data type within two seconds...
    client.send(*[history(10 + i, bar="5 secs", duration=f"{1800 + i * 60} S") for i in range(6)])
    assert [e.req_id for e in errors(client.take(), 162)] == [15]
    gateway.advance(16.0)
    # ... where BID_ASK counts twice.
    client.send(*[history(20 + i, bar="5 secs", duration=f"{1800 + i * 60} S", what="BID_ASK") for i in range(3)])
    assert [e.req_id for e in errors(client.take(), 162)] == [22]
    gateway.advance(16.0)
    # Bars over 30 seconds are not paced.
    client.send(*[history(30 + i) for i in range(10)])
    assert errors(client.take()) == []


def test_history_before_196_and_epoch_dates() -> None:
    gateway = sim()
    client = gateway.connect(1, max_version=190)
    client.send(history(1, bar="1 min", duration="3600 S", fmt=2))
    events = client.take()
    (data,) = of(events, HistoricalData)
    assert data.start_date_str and not of(events, HistoricalDataEnd)  # type: ignore[attr-defined]
    assert data.bars[0].date.isdigit()  # type: ignore[attr-defined]
    client.send(history(2, bar="1 day", duration="1 M"))
    days = of(client.take(), HistoricalData)[0].bars  # type: ignore[attr-defined]
    assert all(len(b.date) == 8 for b in days)


def test_history_is_stable_and_keeps_up_to_date() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(history(1, end="20240308 16:00:00"), history(2, bar="1 min", duration="3600 S", keep=True))
    first = of(client.take(), HistoricalData)[0]
    gateway.advance(5.0)
    updates = of(client.take(), HistoricalDataUpdate)
    assert updates
    client.send(history(3, end="20240308 16:00:00"))
    assert of(client.take(), HistoricalData)[0].bars == first.bars  # type: ignore[attr-defined]
    client.send(CancelHistoricalData(req_id=2))
    gateway.advance(10.0)
    assert of(client.take(), HistoricalDataUpdate) == []
    client.send(CancelHistoricalData(req_id=2))
    assert errors(client.take(), 366)


def test_head_timestamp() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqHeadTimestamp(req_id=1, contract=AAPL, use_rth=True, what_to_show="TRADES", format_date=1),
                ReqHeadTimestamp(req_id=2, contract=AAPL, use_rth=True, what_to_show="TRADES", format_date=2))
    stamps = of(client.take(), HeadTimestamp)
    assert [s.head_timestamp for s in stamps] == ["19801212-14:30:00", "345479400"]  # type: ignore[attr-defined]


# ------------------------------------------------------------------ orders


def statuses(events: list[object], order_id: int) -> list[str]:
    return [e.status for e in of(events, OrderStatus) if e.order_id == order_id]  # type: ignore[attr-defined]


def test_market_order_fill_reports() -> None:
    gateway = sim()
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


def test_limit_order_rests_then_modify_fills_and_cancel_rules() -> None:
    gateway = sim()
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


def test_duplicate_and_invalid_orders() -> None:
    gateway = sim(start_order_id=10)
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


def test_bracket_waits_for_the_transmitting_child() -> None:
    gateway = sim()
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


def test_oca_group_stop_trailing_and_stop_limit() -> None:
    gateway = sim()
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
    gateway.advance(120.0)
    assert "Filled" in statuses(client.take(), 7)  # the walk crosses a 0.5 trail within two minutes
    client.send(PlaceOrder(order_id=8, contract=MSFT, order=order("SELL", 1, "TRAIL", trailing_percent=50.0)))
    gateway.advance(5.0)
    assert statuses(client.take(), 8) == ["PreSubmitted"]


def test_global_cancel_and_open_orders() -> None:
    gateway = sim()
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


def test_what_if_order() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(PlaceOrder(order_id=1, contract=ES, order=order("BUY", 2, "MKT", what_if=True)))
    events = client.take()
    (preview,) = of(events, OpenOrder)
    state = preview.order_state  # type: ignore[attr-defined]
    assert state.init_margin_change == "30360.00" and state.commission_and_fees == 4.5
    assert state.init_margin_before == "0.00" and state.commission_and_fees_currency == "USD"
    assert of(events, OrderStatus) == [] and of(events, ExecutionData) == []


def test_executions_request() -> None:
    gateway = sim()
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


# ------------------------------------------------------------------ account


def test_account_data_follows_fills() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqAcctData(subscribe=True, acct_code=""), ReqPositions(),
                ReqAccountSummary(req_id=9, group_name="All", tags="AccountType,NetLiquidation,BuyingPower,$LEDGER"),
                ReqPnl(req_id=10, account="DU0000001", model_code=""),
                ReqPnlSingle(req_id=11, account="DU0000001", model_code="", con_id=265598))
    events = client.take()
    values = {v.key: v.val for v in of(events, AcctValue)}  # type: ignore[attr-defined]
    assert values["NetLiquidation"] == "1000000.00" and values["AccountCode"] == "DU0000001"
    assert of(events, AcctDownloadEnd) and of(events, PositionEnd) and of(events, AccountSummaryEnd)
    summary = {s.tag: (s.value, s.currency) for s in of(events, AccountSummary)}  # type: ignore[attr-defined]
    assert summary == {"AccountType": ("INDIVIDUAL", ""), "NetLiquidation": ("1000000.00", "USD"), "BuyingPower": ("4000000.00", "USD")}
    assert of(events, Pnl) == [Pnl(req_id=10, daily_pnl=0.0, unrealized_pnl=0.0, realized_pnl=0.0)]
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100, "MKT")))
    events = client.take()
    (portfolio,) = of(events, PortfolioValue)
    assert portfolio.position == 100 and portfolio.contract.con_id == 265598  # type: ignore[attr-defined]
    assert [p.position for p in of(events, PositionData)] == [Decimal(100)]  # type: ignore[attr-defined]
    assert {s.tag for s in of(events, AccountSummary)} == {"AccountType", "NetLiquidation", "BuyingPower"}  # type: ignore[attr-defined]
    cash = {v.key: float(v.val) for v in of(events, AcctValue) if v.currency == "USD"}  # type: ignore[attr-defined]
    assert cash["TotalCashValue"] < 1_000_000 - 15_000 and cash["GrossPositionValue"] > 15_000
    assert of(events, PnlSingle)[-1].pos == 100  # type: ignore[attr-defined]
    gateway.advance(3.0)
    assert len(of(client.take(), Pnl)) >= 2  # P&L keeps coming while positions move
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order("SELL", 100, "MKT")))
    events = client.take()
    realized = of(events, CommissionAndFeesReport)[0].realized_pnl  # type: ignore[attr-defined]
    assert realized is not None and realized == of(events, Pnl)[-1].realized_pnl  # type: ignore[attr-defined]


def test_unknown_account() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(ReqAcctData(subscribe=True, acct_code="DU9999999"))
    assert errors(client.take(), 321)


# ------------------------------------------------------------------ faults and determinism


def test_scheduled_faults() -> None:
    gateway = sim()
    core: SimulatorCore = gateway.core  # type: ignore[assignment]
    one = ready(gateway, 1)
    two = ready(gateway, 2)
    one.send(ReqMktData(req_id=1, contract=AAPL))
    core.schedule(gateway.now + 1, SystemNotice(1100))
    core.schedule(gateway.now + 5, SystemNotice(1102))
    gateway.advance(4.0)
    assert [e.error_code for e in errors(one.take())] == [1100]
    assert of(one.events[-1:], TickPrice) == []  # streams pause while IB is unreachable
    gateway.advance(2.0)
    events = one.take()
    assert errors(events, 1102) and of(events, TickPrice)
    core.schedule(gateway.now, SystemNotice(1101))
    gateway.advance(3.0)
    events = one.take()
    assert errors(events, 1101) and of(events, TickPrice) == []  # data lost: resubscribe
    for code in (2103, 2105, 2157, 2104, 2106, 2158):
        core.schedule(gateway.now, SystemNotice(code))
    gateway.advance(0.0)
    assert [e.error_code for e in errors(two.take())][-6:] == [1100, 1102, 1101, 2103, 2105, 2157, 2104, 2106, 2158][-6:]
    core.schedule(gateway.now, DropClients(2))
    gateway.advance(0.0)
    assert two.closed and not one.closed
    core.schedule(gateway.now + 1, NightlyReset(down_for=30))
    gateway.advance(1.0)
    assert one.closed
    assert not core.is_accepting(gateway.now + 29)
    assert core.is_accepting(gateway.now + 31)


def script(gateway: InMemoryGateway) -> list[object]:
    client = ready(gateway)
    client.send(ReqMktData(req_id=1, contract=AAPL), ReqMktDepth(req_id=2, contract=EURUSD, num_rows=2, is_smart_depth=False),
                history(3), PlaceOrder(order_id=1, contract=MSFT, order=order("BUY", 5, "MKT")))
    gateway.advance(10.0)
    return list(client.events)


def test_same_seed_same_conversation() -> None:
    first = script(sim())
    assert script(sim()) == first
    other = script(InMemoryGateway(SimulatorCore(seed=8), now=T0))
    assert other != first


# ------------------------------------------------------------------ front ends


def test_threaded_gateway_serves_several_clients() -> None:
    with SimulatedGateway(seed=1, accounts=("DU1234567",)) as gateway:
        assert gateway.port
        with WireClient("127.0.0.1", gateway.port, 1, timeout=TIMEOUT) as one, \
                WireClient("127.0.0.1", gateway.port, 2, timeout=TIMEOUT) as two:
            one.connect()
            two.connect()
            assert sorted(gateway.client_ids()) == [1, 2]
            one.send(ReqCurrentTime())
            two.send(ReqContractData(req_id=1, contract=AAPL))
            one.wait_for(CurrentTime)
            two.wait_for(ContractDataEnd)
            with WireClient("127.0.0.1", gateway.port, 1, timeout=TIMEOUT) as clash:
                clash.connect(wait_ready=False)
                assert clash.wait_for(ErrMsg).error_code == 326
                clash.wait_closed()
            gateway.drop_clients(2)
            two.wait_closed()
            gateway.farm_burst((2103, 2104))
            assert one.wait_for(ErrMsg, lambda e: e.error_code == 2103)
            assert one.wait_for(ErrMsg, lambda e: e.error_code == 2104)


def test_threaded_gateway_enforces_the_message_rate() -> None:
    with SimulatedGateway(seed=1) as gateway:
        with WireClient("127.0.0.1", gateway.port, 1, timeout=TIMEOUT) as client:
            client.connect()
            client.send_many([ReqCurrentTime()] * 60)
            error = client.wait_for(ErrMsg, lambda e: e.error_code == 100)
            client.wait_closed()
    assert error.req_id == -1
    # startApi counts too while it is less than a second old
    assert len([e for e in client.events if isinstance(e, CurrentTime)]) in (49, 50)
    assert isinstance(client.events[-1], ConnectionClosed)


def test_threaded_gateway_refuses_during_a_reset_with_a_fake_clock() -> None:
    now = [T0]
    with SimulatedGateway(seed=1, clock=lambda: now[0]) as gateway:
        port = gateway.port
        with WireClient("127.0.0.1", port, 1, timeout=TIMEOUT) as client:
            client.connect()
            gateway.nightly_reset(down_for=60)
            client.wait_closed()
        with pytest.raises(OSError):
            _connect_until_refused(port)
        now[0] += 61
        with WireClient("127.0.0.1", port, 1, timeout=TIMEOUT) as client:
            _retry(client.connect)
            assert of(client.events, NextValidId)


def _connect_until_refused(port: int) -> None:
    """The listener closes shortly after the reset: connect until that happens."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT):
            pass
        time.sleep(0.01)


def _retry(action: Callable[[], object]) -> None:
    """Run ``action`` until the reopened listener accepts."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            action()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def test_asyncio_gateway_serves() -> None:
    async def main() -> list[object]:
        async with SimulatedGateway(seed=2) as gateway:
            reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
            client = ClientProtocol(7)
            client.connect()
            writer.write(client.data_to_send())
            events: list[object] = []
            asked = False
            while not any(isinstance(e, CurrentTime) for e in events):
                data = await asyncio.wait_for(reader.read(65536), TIMEOUT)
                assert data
                client.receive_data(data)
                events += client.events_received()
                if not asked and any(isinstance(e, NextValidId) for e in events):
                    client.send(ReqCurrentTime())
                    asked = True
                out = client.data_to_send()
                if out:
                    writer.write(out)
            writer.close()
            return events

    events = asyncio.run(main())
    assert any(isinstance(e, ManagedAccts) for e in events)
