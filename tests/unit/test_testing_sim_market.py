"""The simulator's market data (``ibwire.testing._sim_market``): depth books and quotes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ibwire.messages import (
    Contract,
    ErrMsg,
    HistoricalData,
    MarketDepth,
    MarketDepthL2,
    ReqHistoricalData,
    ReqMktDepth,
)
from ibwire.testing import SimulatorCore
from ibwire.testing._market import Level
from ibwire.testing._sessions import Phase, phase, trading_hours
from ibwire.testing.memory import InMemoryGateway

T0 = 1_710_168_000.0


def apply(book: list[tuple[float, Decimal]], row: MarketDepth | MarketDepthL2) -> None:
    """Apply one depth message the way IB documents it (insert shifts down, delete shifts up)."""
    if row.operation == 0:
        assert row.position <= len(book)
        book.insert(row.position, (row.price, row.size))
    elif row.operation == 1:
        assert row.position < len(book)
        book[row.position] = (row.price, row.size)
    else:
        assert row.operation == 2 and row.position < len(book)
        del book[row.position]


@pytest.mark.parametrize(("symbol", "smart"), [("AAPL", False), ("ES", True)])
def test_depth_over_ten_thousand_updates_never_crosses_and_matches_the_book(symbol: str, smart: bool) -> None:
    sec_type, exchange = ("STK", "SMART") if symbol == "AAPL" else ("FUT", "CME")
    core = SimulatorCore(seed=11, tick_interval=0.25)
    gateway = InMemoryGateway(core, now=T0)
    client = gateway.connect(1)
    gateway.advance(1.5)
    client.take()
    client.send(ReqMktDepth(req_id=1, contract=Contract(symbol=symbol, sec_type=sec_type, exchange=exchange),
                            num_rows=5, is_smart_depth=smart))
    bids: list[tuple[float, Decimal]] = []
    asks: list[tuple[float, Decimal]] = []
    operations = set()
    messages = 0
    updates = 0
    while updates < 10_000:
        for event in client.take():
            if not isinstance(event, (MarketDepth, MarketDepthL2)):
                continue
            messages += 1
            operations.add(event.operation)
            apply(bids if event.side == 1 else asks, event)
            if bids and asks:
                assert bids[0][0] < asks[0][0], f"crossed after message {messages}"
        stream = core._clients[0].streams[("depth", 1)]
        published_bids, published_asks = stream.params["book"]
        assert bids == [(level.price, level.size) for level in published_bids]
        assert asks == [(level.price, level.size) for level in published_asks]
        assert all(isinstance(level, Level) for level in published_bids)
        assert [p for p, _ in bids] == sorted((p for p, _ in bids), reverse=True)
        assert [p for p, _ in asks] == sorted(p for p, _ in asks)
        assert 1 <= len(bids) <= 5 and 1 <= len(asks) <= 5
        gateway.advance(0.25)
        updates += 1
    assert operations == {0, 1, 2}
    assert messages > 10_000


# ------------------------------------------------------------------ sessions and history

NEW_YORK = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")
AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
ES = Contract(symbol="ES", sec_type="FUT", exchange="CME", currency="USD")


def bars_request(req_id: int, contract: Contract, *, rth: bool, duration: str = "5 D", bar: str = "1 min",
                 end: str = "") -> ReqHistoricalData:
    return ReqHistoricalData(
        req_id=req_id, contract=contract, end_date_time=end, bar_size_setting=bar, duration_str=duration,
        use_rth=rth, what_to_show="TRADES", format_date=2, keep_up_to_date=False, chart_options="",
    )


def history_at(now: float, *requests: ReqHistoricalData) -> list[object]:
    gateway = InMemoryGateway(SimulatorCore(seed=2), now=now)
    client = gateway.connect(1)
    gateway.advance(1.5)
    client.take()
    events: list[object] = []
    for request in requests:
        client.send(request)
        events += client.take()
        gateway.advance(16.0)
    return events


def test_five_days_of_rth_minute_bars_in_one_request_fall_in_new_york_regular_hours() -> None:
    (data,) = [e for e in history_at(T0, bars_request(1, AAPL, rth=True)) if isinstance(e, HistoricalData)]
    times = [dt.datetime.fromtimestamp(int(b.date), NEW_YORK) for b in data.bars]
    assert len(times) > 3 * 390  # at least three full sessions of 390 minutes
    assert all(t.weekday() < 5 and dt.time(9, 30) <= t.time() < dt.time(16, 0) for t in times)
    assert {t.time() for t in times} >= {dt.time(9, 30), dt.time(15, 59)}


def test_without_rth_stock_bars_cover_the_extended_session_but_never_a_weekend() -> None:
    (data,) = [e for e in history_at(T0, bars_request(1, AAPL, rth=False)) if isinstance(e, HistoricalData)]
    times = [dt.datetime.fromtimestamp(int(b.date), NEW_YORK) for b in data.bars]
    assert all(t.weekday() < 5 and dt.time(4, 0) <= t.time() < dt.time(20, 0) for t in times)
    assert any(t.time() < dt.time(9, 30) for t in times) and any(t.time() >= dt.time(16, 0) for t in times)


def test_futures_bars_skip_the_daily_break() -> None:
    (data,) = [e for e in history_at(T0, bars_request(1, ES, rth=False, bar="5 mins")) if isinstance(e, HistoricalData)]
    times = [dt.datetime.fromtimestamp(int(b.date), CHICAGO) for b in data.bars]
    assert not [t for t in times if dt.time(16, 0) <= t.time() < dt.time(17, 0)]
    assert any(t.time() >= dt.time(17, 0) for t in times)  # the evening session is there


def test_a_window_without_trading_gets_ibs_no_data_error() -> None:
    saturday = 1_710_000_000.0  # Saturday 9 March 2024, 16:00 UTC
    events = history_at(saturday, bars_request(1, AAPL, rth=True, duration="3600 S"))
    (error,) = [e for e in events if isinstance(e, ErrMsg)]
    assert error.error_code == 162 and "HMDS query returned no data: AAPL@NASDAQ Trades" in error.error_string


def test_session_phases_and_trading_hours_text() -> None:
    core = SimulatorCore()
    universe = core.universe
    aapl = universe.by_con_id[265598]
    es = next(i for i in universe.instruments if i.sec_type == "FUT")
    eur = next(i for i in universe.instruments if i.sec_type == "CASH")

    def at(zone: ZoneInfo, *parts: int) -> float:
        return dt.datetime(*parts, tzinfo=zone).timestamp()

    assert phase(aapl, at(NEW_YORK, 2024, 3, 11, 9, 29)) is Phase.EXTENDED
    assert phase(aapl, at(NEW_YORK, 2024, 3, 11, 9, 30)) is Phase.REGULAR
    assert phase(aapl, at(NEW_YORK, 2024, 3, 11, 16, 0)) is Phase.EXTENDED
    assert phase(aapl, at(NEW_YORK, 2024, 3, 11, 20, 0)) is Phase.CLOSED
    assert phase(aapl, at(NEW_YORK, 2024, 3, 9, 12, 0)) is Phase.CLOSED
    assert phase(es, at(CHICAGO, 2024, 3, 11, 16, 30)) is Phase.CLOSED
    assert phase(es, at(CHICAGO, 2024, 3, 10, 17, 0)) is Phase.EXTENDED  # Sunday evening opens
    assert phase(es, at(CHICAGO, 2024, 3, 11, 9, 0)) is Phase.REGULAR
    assert phase(eur, at(NEW_YORK, 2024, 3, 15, 17, 0)) is Phase.CLOSED  # Friday 17:00 closes the week
    assert phase(eur, at(NEW_YORK, 2024, 3, 12, 17, 10)) is Phase.CLOSED  # the daily break
    assert phase(eur, at(NEW_YORK, 2024, 3, 12, 17, 15)) is Phase.REGULAR
    assert trading_hours(aapl, dt.date(2024, 3, 8), 3, regular=True) == (
        "20240308:0930-20240308:1600;20240309:CLOSED;20240310:CLOSED"
    )
    assert trading_hours(es, dt.date(2024, 3, 10), 2, regular=False) == (
        "20240310:1700-20240311:1600;20240311:1700-20240312:0000"
    )
