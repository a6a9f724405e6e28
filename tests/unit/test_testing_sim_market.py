"""The simulator's market data (``ibwire.testing._sim_market``): depth books and quotes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ibwire.messages import (
    BarData,
    CancelHistoricalData,
    CancelMktData,
    Contract,
    ErrMsg,
    ExecutionData,
    HeadTimestamp,
    HistoricalData,
    HistoricalDataEnd,
    HistoricalDataUpdate,
    HistoricalTicks,
    HistoricalTicksBidAsk,
    HistoricalTicksLast,
    MarketDataType,
    MarketDepth,
    MarketDepthL2,
    PlaceOrder,
    RealTimeBars,
    ReqHeadTimestamp,
    ReqHistoricalData,
    ReqHistoricalTicks,
    ReqMarketDataType,
    ReqMktData,
    ReqMktDepth,
    ReqRealTimeBars,
    ReqTickByTickData,
    TickByTick,
    TickGeneric,
    TickPrice,
    TickReqParams,
    TickSize,
    TickSnapshotEnd,
    TickString,
)
from ibwire.testing import Halt, SimulatorCore
from ibwire.testing._market import BAR_SIZES, Level
from ibwire.testing.memory import InMemoryClient, InMemoryGateway
from tests.simkit import AAPL, ES, EURUSD, MSFT, T0, errors, history, of, order, ready, sim


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
def test_depth_over_ten_thousand_updates_never_crosses_and_matches_the_book(server_version: int, symbol: str, smart: bool) -> None:
    sec_type, exchange = ("STK", "SMART") if symbol == "AAPL" else ("FUT", "CME")
    core = SimulatorCore(server_version=server_version, seed=11, tick_interval=0.25)
    gateway = InMemoryGateway(core, now=T0)
    client = gateway.connect(1)
    gateway.advance(1.5)
    client.take()
    month = "202403" if sec_type == "FUT" else ""
    client.send(ReqMktDepth(req_id=1, contract=Contract(symbol=symbol, sec_type=sec_type, exchange=exchange,
                                                        last_trade_date_or_contract_month=month),
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


def bars_request(req_id: int, contract: Contract, *, rth: bool, duration: str = "5 D", bar: str = "1 min",
                 end: str = "") -> ReqHistoricalData:
    return ReqHistoricalData(
        req_id=req_id, contract=contract, end_date_time=end, bar_size_setting=bar, duration_str=duration,
        use_rth=rth, what_to_show="TRADES", format_date=2, keep_up_to_date=False, chart_options="",
    )


def history_at(server_version: int, now: float, *requests: ReqHistoricalData, sessions: bool = False, holidays: bool = True) -> list[object]:
    gateway = InMemoryGateway(SimulatorCore(server_version=server_version, seed=2, sessions=sessions, holidays=holidays), now=now)
    client = gateway.connect(1)
    gateway.advance(1.5)
    client.take()
    events: list[object] = []
    for request in requests:
        client.send(request)
        events += client.take()
        gateway.advance(16.0)
    return events


def test_five_days_of_rth_minute_bars_in_one_request_fall_in_new_york_regular_hours(server_version: int) -> None:
    (data,) = [e for e in history_at(server_version, T0, bars_request(1, AAPL, rth=True)) if isinstance(e, HistoricalData)]
    times = [dt.datetime.fromtimestamp(int(b.date), NEW_YORK) for b in data.bars]
    assert len(times) > 3 * 390  # at least three full sessions of 390 minutes
    assert all(t.weekday() < 5 and dt.time(9, 30) <= t.time() < dt.time(16, 0) for t in times)
    assert {t.time() for t in times} >= {dt.time(9, 30), dt.time(15, 59)}


def test_with_sessions_stock_bars_cover_the_extended_session_but_never_a_weekend(server_version: int) -> None:
    (data,) = [e for e in history_at(server_version, T0, bars_request(1, AAPL, rth=False), sessions=True) if isinstance(e, HistoricalData)]
    times = [dt.datetime.fromtimestamp(int(b.date), NEW_YORK) for b in data.bars]
    assert all(t.weekday() < 5 and dt.time(4, 0) <= t.time() < dt.time(20, 0) for t in times)
    assert any(t.time() < dt.time(9, 30) for t in times) and any(t.time() >= dt.time(16, 0) for t in times)


def test_with_sessions_futures_bars_skip_the_daily_break(server_version: int) -> None:
    (data,) = [e for e in history_at(server_version, T0, bars_request(1, ES, rth=False, bar="5 mins"), sessions=True) if isinstance(e, HistoricalData)]
    times = [dt.datetime.fromtimestamp(int(b.date), CHICAGO) for b in data.bars]
    assert not [t for t in times if dt.time(16, 0) <= t.time() < dt.time(17, 0)]
    assert any(t.time() >= dt.time(17, 0) for t in times)  # the evening session is there


def test_with_sessions_bars_skip_the_nyse_holidays(server_version: int) -> None:
    easter_monday = dt.datetime(2024, 4, 1, 17, 0, tzinfo=NEW_YORK).timestamp()
    minutes = bars_request(1, AAPL, rth=True, duration="2 D")
    days = bars_request(2, AAPL, rth=True, duration="5 D", bar="1 day")

    def dates(events: list[object]) -> list[set[dt.date]]:
        found = [e for e in events if isinstance(e, HistoricalData)]
        return [{dt.datetime.fromtimestamp(int(b.date), NEW_YORK).date() if len(b.date) > 8
                 else dt.date(int(b.date[:4]), int(b.date[4:6]), int(b.date[6:])) for b in d.bars} for d in found]

    good_friday = dt.date(2024, 3, 29)
    kept = dates(history_at(server_version, easter_monday, minutes, days, sessions=True))
    assert [good_friday in d for d in kept] == [False, False]
    assert dt.date(2024, 3, 28) in kept[0] and dt.date(2024, 3, 28) in kept[1]
    ignored = dates(history_at(server_version, easter_monday, minutes, days, sessions=True, holidays=False))
    assert [good_friday in d for d in ignored] == [True, True]


def test_with_sessions_no_fill_on_a_holiday(server_version: int) -> None:
    good_friday = dt.datetime(2024, 3, 29, 11, 0, tzinfo=NEW_YORK).timestamp()
    for holidays, filled in ((True, False), (False, True)):
        gateway = InMemoryGateway(SimulatorCore(server_version=server_version, seed=2, sessions=True, holidays=holidays), now=good_friday)
        client = ready(gateway)
        client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 10, "MKT")))
        gateway.advance(30.0)
        assert bool(of(client.take(), ExecutionData)) is filled


def test_durations_in_days_count_trading_days(server_version: int) -> None:
    # T0 is Monday 11 March 2024, 10:40 New York: five trading days reach back to Tuesday the 5th.
    week = bars_request(1, AAPL, rth=True, duration="5 D", bar="1 hour")
    daily = bars_request(2, AAPL, rth=True, duration="5 D", bar="1 day")
    overnight = bars_request(3, ES, rth=False, duration="1 D", bar="1 hour")
    found = [e for e in history_at(server_version, T0, week, daily, overnight, sessions=True) if isinstance(e, HistoricalData)]
    hours, days, futures = found
    assert sorted({dt.datetime.fromtimestamp(int(b.date), NEW_YORK).day for b in hours.bars}) == [5, 6, 7, 8, 11]
    assert [b.date for b in days.bars] == ["20240305", "20240306", "20240307", "20240308", "20240311"]
    # A futures trading day opens the evening before: Sunday 17:00 Chicago.
    first = dt.datetime.fromtimestamp(int(futures.bars[0].date), CHICAGO)
    assert (first.weekday(), first.hour) == (6, 17)
    # Before the open the day has not begun: "1 D" is the last whole session, even without sessions.
    tuesday_early = dt.datetime(2024, 3, 12, 5, 0, tzinfo=NEW_YORK).timestamp()
    (bars,) = [e for e in history_at(server_version, tuesday_early, bars_request(4, AAPL, rth=True, duration="1 D"))
               if isinstance(e, HistoricalData)]
    assert {dt.datetime.fromtimestamp(int(b.date), NEW_YORK).date() for b in bars.bars} == {dt.date(2024, 3, 11)}
    assert len(bars.bars) == 390


def test_without_sessions_or_rth_bars_cover_every_hour(server_version: int) -> None:
    (data,) = [e for e in history_at(server_version, T0, bars_request(1, AAPL, rth=False)) if isinstance(e, HistoricalData)]
    assert len(data.bars) >= 5 * 1440  # every minute of the five days (and the one under way)


def test_a_window_without_trading_gets_ibs_no_data_error(server_version: int) -> None:
    saturday = 1_710_000_000.0  # Saturday 9 March 2024, 16:00 UTC
    events = history_at(server_version, saturday, bars_request(1, AAPL, rth=True, duration="3600 S"))
    (error,) = [e for e in events if isinstance(e, ErrMsg)]
    assert error.error_code == 162 and "HMDS query returned no data: AAPL@NASDAQ Trades" in error.error_string


def test_bars_of_an_expired_future_or_option_stop_at_its_last_trading_moment(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    universe = gateway.core.universe  # type: ignore[attr-defined]  (dated Monday 11 March 2024)
    (aapl,) = universe.resolve(AAPL)
    (march,) = universe.resolve(ES)
    option = next(o for o in universe.options_of(aapl) if o.contract.last_trade_date_or_contract_month == "20240315")
    gateway.advance(8 * 86400.0)  # ESH4 expired on Friday 15 March at 13:30 UTC, the AAPL weeklies at 20:00 UTC
    client.take()
    future = dataclasses.replace(ES, include_expired=True)
    friday = "20240315 23:00:00 UTC"
    client.send(history(1, future, end=friday, bar="1 hour", duration="1 D"),
                history(2, Contract(con_id=option.con_id, exchange="SMART"), end=friday, bar="1 hour", duration="1 D"),
                history(3, future, end="20240318 12:00:00 UTC", bar="1 day", duration="1 W"),
                history(4, future, end="20240316 12:00:00 UTC", bar="1 hour", duration="3600 S"))
    gateway.advance(1.0)
    events = client.take()
    data = {e.req_id: e.bars for e in of(events, HistoricalData)}  # type: ignore[attr-defined]
    # The hour bars end with the one under way at the expiry, which holds only the seconds before it.
    assert [b.date for b in data[1]][-1] == "20240315 13:00:00 UTC"
    assert [b.date for b in data[2]][-1] == "20240315 19:00:00 UTC"
    expiry = universe.expiry_time(march)
    assert data[1][-1].close == pytest.approx(gateway.core.walks.mid(march, expiry - 1), abs=0.25)  # type: ignore[attr-defined]
    assert [b.date for b in data[3]][-1] == "20240315"
    # A window wholly after the expiry holds nothing.
    assert [(e.req_id, e.error_code) for e in errors(events)] == [(4, 162)]


# ------------------------------------------------------------------ market data


def test_top_of_book_stream_and_cancel(server_version: int) -> None:
    gateway = sim(server_version=server_version)
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


def test_snapshot_and_duplicate_ticker(server_version: int) -> None:
    gateway = sim(server_version=server_version)
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


def test_market_data_permission_354_and_delayed_data(server_version: int) -> None:
    gateway = sim(server_version=server_version, no_permission=("MSFT",))
    client = ready(gateway)
    client.send(ReqMktData(req_id=1, contract=MSFT))
    (error,) = errors(client.take())
    assert (error.req_id, error.error_code) == (1, 354)
    assert error.error_string.startswith("Requested market data is not subscribed")
    client.send(ReqMarketDataType(market_data_type=3), ReqMktData(req_id=2, contract=MSFT))
    events = client.take()
    assert errors(events, 10167)
    assert {e.tick_type for e in of(events, TickPrice)} >= {66, 67, 68}  # type: ignore[attr-defined]


def test_a_delayed_stream_carries_only_delayed_tick_types(server_version: int) -> None:
    gateway = sim(server_version=server_version, no_permission=("MSFT",))
    client = ready(gateway)
    client.send(ReqMarketDataType(market_data_type=3), ReqMktData(req_id=1, contract=MSFT))
    gateway.advance(1.0)
    kinds = {e.tick_type for e in client.take() if isinstance(e, (TickPrice, TickSize, TickString))}
    # DELAYED_LAST_TIMESTAMP (88) stands for LAST_TIMESTAMP (45) as 66..76 do for 0..14.
    assert 88 in kinds
    assert kinds <= {*range(66, 77), 88}


def test_a_halt_reaches_a_delayed_stream_as_delayed_halted(server_version: int) -> None:
    gateway = sim(server_version=server_version, no_permission=("MSFT",))
    client = ready(gateway)
    client.send(ReqMarketDataType(market_data_type=3), ReqMktData(req_id=1, contract=MSFT),
                ReqMktData(req_id=2, contract=AAPL))
    client.take()
    gateway.core.schedule(gateway.now, Halt("MSFT"))
    gateway.core.schedule(gateway.now, Halt("AAPL"))
    gateway.advance(0.1)
    halts = [(e.req_id, e.tick_type, e.value) for e in of(client.take(), TickGeneric)]  # type: ignore[attr-defined]
    assert sorted(halts) == [(1, 90, 1.0), (2, 49, 1.0)]


def test_a_subscription_to_a_halted_symbol_starts_with_the_halted_tick(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    gateway.core.schedule(gateway.now, Halt("AAPL"))
    gateway.advance(0.1)
    client.send(ReqMktData(req_id=1, contract=AAPL))
    halts = [(e.tick_type, e.value) for e in of(client.take(), TickGeneric)]  # type: ignore[attr-defined]
    assert halts == [(49, 1.0)]


@pytest.mark.parametrize(("contract", "asked", "frozen", "live"), [(AAPL, 2, 2, 1), (MSFT, 4, 4, 3)])
def test_frozen_data_is_the_close_while_the_session_is_closed_then_live_at_the_open(
    server_version: int, contract: Contract, asked: int, frozen: int, live: int,
) -> None:
    before_open = 1_710_143_940.0  # Monday 11 March 2024, 03:59 New York: closed since Friday 20:00
    gateway = InMemoryGateway(
        SimulatorCore(server_version=server_version, seed=7, sessions=True, no_permission=("MSFT",)), now=before_open,
    )
    client = ready(gateway)
    client.send(history(9, contract, bar="1 min", duration="600 S", end="20240308 20:00:00 US/Eastern"))
    (close,) = [b for e in of(client.take(), HistoricalData) for b in e.bars][-1:]  # type: ignore[attr-defined]
    client.send(ReqMarketDataType(market_data_type=asked), ReqMktData(req_id=1, contract=contract))
    events = client.take()
    assert [e.market_data_type for e in of(events, MarketDataType)] == [frozen]  # type: ignore[attr-defined]
    # The last quote of Friday's close, stamped with the close.
    lasts = [e.price for e in of(events, TickPrice) if e.tick_type in (4, 68)]  # type: ignore[attr-defined]
    assert lasts == [close.close]
    stamps = [e.value for e in of(events, TickString) if e.tick_type in (45, 88)]  # type: ignore[attr-defined]
    assert stamps == [str(1_709_946_000)]  # Friday 8 March 2024, 20:00 New York
    gateway.advance(30.0)
    assert not of(client.take(), TickPrice)  # frozen: nothing moves until the open
    gateway.advance(60.0)  # 04:00: the pre-market opens, the data is live again
    events = client.take()
    assert [e.market_data_type for e in of(events, MarketDataType)] == [live]  # type: ignore[attr-defined]
    assert len({e.price for e in of(events, TickPrice) if e.tick_type in (4, 68)}) > 1  # type: ignore[attr-defined]


def test_frozen_data_while_the_session_is_open_is_live(server_version: int) -> None:
    gateway = sim(server_version=server_version, sessions=True)
    client = ready(gateway)
    client.send(ReqMarketDataType(market_data_type=2), ReqMktData(req_id=1, contract=AAPL))
    assert [e.market_data_type for e in of(client.take(), MarketDataType)] == [1]  # type: ignore[attr-defined]
    gateway.advance(2.0)
    assert of(client.take(), TickPrice)


def test_ambiguous_contract(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(ReqMktData(req_id=1, contract=Contract(symbol="AAPL", sec_type="OPT")))
    (error,) = errors(client.take())
    assert error.error_code == 200 and "ambiguous" in error.error_string


def test_depth_books_and_limit(server_version: int) -> None:
    gateway = sim(server_version=server_version)
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
def test_tick_by_tick(server_version: int, kind: str, number: int) -> None:
    gateway = sim(server_version=server_version)
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


@pytest.mark.parametrize(("kind", "answer"), [
    ("Last", HistoricalTicksLast), ("AllLast", HistoricalTicksLast),
    ("BidAsk", HistoricalTicksBidAsk), ("MidPoint", HistoricalTicks),
])
def test_tick_by_tick_with_a_number_of_ticks_sends_that_history_first(
        server_version: int, kind: str, answer: type[HistoricalTicks]) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(ReqTickByTickData(req_id=1, contract=AAPL, tick_type=kind, number_of_ticks=5, ignore_size=False))
    gateway.advance(1.0)
    events = [e for e in client.take() if isinstance(e, (HistoricalTicks, HistoricalTicksBidAsk, HistoricalTicksLast,
                                                         TickByTick))]
    first = events[0]
    assert isinstance(first, answer) and first.req_id == 1 and first.done
    assert len(first.ticks) == 5 and all(t.time < gateway.now for t in first.ticks)
    assert [t.time for t in first.ticks] == sorted(t.time for t in first.ticks)
    assert [type(e) for e in events[1:]] == [TickByTick]  # then the stream


def test_tick_by_tick_ignoring_size_sends_bid_ask_only_when_a_price_moves(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(ReqTickByTickData(req_id=1, contract=AAPL, tick_type="BidAsk", number_of_ticks=0, ignore_size=True),
                ReqTickByTickData(req_id=2, contract=AAPL, tick_type="BidAsk", number_of_ticks=0, ignore_size=False))
    gateway.advance(120.0)
    ticks = of(client.take(), TickByTick)
    prices = {r: [(t.bid_price, t.ask_price) for t in ticks if t.req_id == r] for r in (1, 2)}  # type: ignore[attr-defined]
    assert len(prices[2]) == 120 and len(set(prices[2])) < 120  # some ticks change only the sizes
    assert prices[1] and all(a != b for a, b in zip(prices[1], prices[1][1:], strict=False))
    assert set(prices[1]) == set(prices[2])


def test_tick_by_tick_bad_type(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(ReqTickByTickData(req_id=1, contract=AAPL, tick_type="Everything", number_of_ticks=0, ignore_size=False))
    assert errors(client.take(), 321)


def test_real_time_bars(server_version: int) -> None:
    gateway = sim(server_version=server_version)
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
def test_every_bar_size_and_what_to_show(server_version: int, symbol: str) -> None:
    contract, whats = _WHAT[symbol]
    gateway = sim(server_version=server_version)
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


def test_monthly_bars_are_calendar_months_dated_on_their_first_day(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(history(1, bar="1 month", duration="1 Y"))
    (months,) = of(client.take(), HistoricalData)
    gateway.advance(16.0)
    dates = [b.date for b in months.bars]  # type: ignore[attr-defined]
    assert dates == [f"{y}{m:02d}01" for y, m in [(2023, m) for m in range(3, 13)] + [(2024, 1), (2024, 2), (2024, 3)]]
    # February 2024 is its 29 days, and nothing of January or March.
    client.send(history(2, bar="1 day", duration="60 D", end="20240301-00:00:00"))
    (days,) = of(client.take(), HistoricalData)
    february = [b for b in days.bars if b.date.startswith("202402")]  # type: ignore[attr-defined]
    assert february[-1].date == "20240229"
    (bar,) = [b for b in months.bars if b.date == "20240201"]  # type: ignore[attr-defined]
    assert bar.volume == sum(b.volume for b in february)
    assert (bar.open, bar.close) == (february[0].open, february[-1].close)


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
def test_history_errors(server_version: int, request_: ReqHistoricalData, code: int, words: str) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(request_)
    (error,) = errors(client.take())
    assert (error.req_id, error.error_code) == (1, code)
    assert words in error.error_string
    if code == 321:
        assert error.error_string.startswith("Error validating request.-'bP' : cause - ")
    if code == 162 and "No data" in words:
        assert error.error_string.startswith("Historical Market Data Service error message:")


def test_history_pacing_rules(server_version: int) -> None:
    gateway = sim(server_version=server_version)
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


def test_history_before_196_and_epoch_dates(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = gateway.connect(1, max_version=190)
    client.send(history(1, bar="1 min", duration="3600 S", fmt=2))
    events = client.take()
    (data,) = of(events, HistoricalData)
    assert data.start_date_str and not of(events, HistoricalDataEnd)  # type: ignore[attr-defined]
    assert data.bars[0].date.isdigit()  # type: ignore[attr-defined]
    client.send(history(2, bar="1 day", duration="1 M"))
    days = of(client.take(), HistoricalData)[0].bars  # type: ignore[attr-defined]
    assert all(len(b.date) == 8 for b in days)


def test_history_is_stable_and_keeps_up_to_date(server_version: int) -> None:
    gateway = sim(server_version=server_version)
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


def test_head_timestamp(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(ReqHeadTimestamp(req_id=1, contract=AAPL, use_rth=True, what_to_show="TRADES", format_date=1),
                ReqHeadTimestamp(req_id=2, contract=AAPL, use_rth=True, what_to_show="TRADES", format_date=2))
    stamps = of(client.take(), HeadTimestamp)
    assert [s.head_timestamp for s in stamps] == ["19801212-14:30:00", "345479400"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("subscribers", [1, 3])
def test_the_volume_tick_is_the_days_volume_so_far_for_every_stream(subscribers: int) -> None:
    gateway = sim()
    clients = [ready(gateway, client_id) for client_id in range(1, subscribers + 1)]
    for client in clients:
        client.send(ReqMktData(req_id=1, contract=AAPL, generic_tick_list="", snapshot=False,
                               regulatory_snapshot=False, mkt_data_options=""))
        client.send(ReqMktData(req_id=2, contract=AAPL, generic_tick_list="", snapshot=False,
                               regulatory_snapshot=False, mkt_data_options=""))
    for client in clients:
        client.take()
    days: list[int] = []
    volumes: list[list[int]] = [[] for _ in clients]
    for step in range(10):
        gateway.advance(1.0)
        clients[0].send(history(100 + step, bar="1 day", duration="2 D"))
        for client, seen in zip(clients, volumes, strict=True):
            events = client.take()
            seen += [int(e.size) for e in events if isinstance(e, TickSize) and e.tick_type == 8]
            days += [int(e.bars[-1].volume) for e in events if isinstance(e, HistoricalData)]
    # Each of the two streams of every client published the day's volume of each moment.
    assert all(seen == [volume for volume in days for _ in (1, 2)] for seen in volumes)
    assert len(days) == 10 and days == sorted(days) and days[-1] > days[0]


def test_kept_up_to_date_bars_are_the_bar_in_progress_as_history_serves_it() -> None:
    gateway = sim()
    client = ready(gateway)
    core = gateway.core
    assert isinstance(core, SimulatorCore)
    instrument = next(i for i in core.universe.instruments if i.symbol == "AAPL" and i.sec_type == "STK")
    for req_id, what in ((1, "BID"), (2, "ASK"), (3, "TRADES")):
        client.send(history(req_id, bar="1 min", duration="1800 S", what=what, keep=True))
    client.take()
    previous = None
    fresh = 0
    for step in range(16):
        gateway.advance(5.0)
        quote = core.walks.quote(instrument, gateway.now)
        updates = {e.req_id: e.bar for e in client.take() if isinstance(e, HistoricalDataUpdate)}
        assert (updates[1].close, updates[2].close) == (quote.bid, quote.ask)
        assert updates[1].volume == -1 and updates[2].bar_count == -1
        bar = updates[3]
        assert bar.close == quote.last
        client.send(history(10 + step, bar="1 min", duration="1800 S"))
        (data,) = [e for e in client.take() if isinstance(e, HistoricalData)]
        assert data.bars[-1] == bar
        if previous is not None and previous.date == bar.date:
            assert bar.volume >= previous.volume and bar.bar_count >= previous.bar_count
            assert bar.high >= previous.high and bar.low <= previous.low and bar.open == previous.open
        elif previous is not None:
            fresh += 1
            assert data.bars[-2].date == previous.date
        previous = bar
    assert fresh == 1


@pytest.mark.parametrize("sessions", [False, True])
def test_regular_hours_bars_keep_the_bar_the_session_opens_in(sessions: bool) -> None:
    gateway = InMemoryGateway(SimulatorCore(seed=7, sessions=sessions), now=1_709_932_000.0)  # Friday after the close
    client = ready(gateway)
    for req_id, bar in ((1, "1 hour"), (2, "30 mins")):
        request = dataclasses.replace(history(req_id, bar=bar, duration="1 D", end="20240308 21:00:00 UTC"), use_rth=True)
        client.send(request)
        gateway.advance(3.0)
    bars = {e.req_id: [b.date[9:14] for b in e.bars] for e in client.take() if isinstance(e, HistoricalData)}
    # The regular session: 14:30-21:00 UTC.
    assert bars[1] == ["14:00", "15:00", "16:00", "17:00", "18:00", "19:00", "20:00"]
    assert bars[2][0] == "14:30" and bars[2][-1] == "20:30" and len(bars[2]) == 13


def test_the_days_high_low_open_and_close_ticks_agree_with_the_daily_bars() -> None:
    gateway = sim()
    client = ready(gateway)
    client.send(history(1, bar="1 day", duration="5 D"))
    client.send(ReqMktData(req_id=2, contract=AAPL, generic_tick_list="", snapshot=False,
                           regulatory_snapshot=False, mkt_data_options=""))
    events = client.take()
    (bars,) = [e.bars for e in events if isinstance(e, HistoricalData)]
    previous, today = bars[-2], bars[-1]
    ticks = {int(e.tick_type): e.price for e in events if isinstance(e, TickPrice)}
    assert (ticks[9], ticks[14], ticks[6], ticks[7]) == (previous.close, today.open, today.high, today.low)
    assert (ticks[4], ticks[8] if 8 in ticks else None) == (today.close, None)
    volume = [int(e.size) for e in events if isinstance(e, TickSize) and e.tick_type == 8]
    assert volume == [int(today.volume)]


# ------------------------------------------------------------------ one path: bars of every size agree


def bars_of(client: InMemoryClient, request: ReqHistoricalData, *, rth: bool = False) -> list[BarData]:
    client.send(dataclasses.replace(request, use_rth=rth))
    events = client.take()
    assert errors(events) == []
    (data,) = [e for e in events if isinstance(e, HistoricalData)]
    return list(data.bars)


def aggregate(bars: list[BarData]) -> tuple[object, ...]:
    """Open of the first, highest high, lowest low, close of the last, summed volume and trades."""
    return (bars[0].open, max(b.high for b in bars), min(b.low for b in bars), bars[-1].close,
            sum((b.volume or Decimal(0) for b in bars), Decimal(0)), sum(b.bar_count for b in bars))


def ohlcv(bar: BarData) -> tuple[object, ...]:
    return bar.open, bar.high, bar.low, bar.close, bar.volume, bar.bar_count


@pytest.mark.parametrize(("contract", "zone"), [(AAPL, NEW_YORK), (ES, CHICAGO)])
def test_a_regular_hours_daily_bar_is_the_aggregation_of_its_minute_bars(
    server_version: int, contract: Contract, zone: ZoneInfo,
) -> None:
    client = ready(sim(server_version=server_version))
    days = bars_of(client, history(1, contract, bar="1 day", duration="3 D"), rth=True)
    minutes = bars_of(client, history(2, contract, bar="1 min", duration="3 D", fmt=2), rth=True)
    by_day: dict[str, list[BarData]] = {}
    for bar in minutes:
        by_day.setdefault(dt.datetime.fromtimestamp(int(bar.date), zone).strftime("%Y%m%d"), []).append(bar)
    assert [d.date for d in days] == sorted(by_day) and len(days) == 3
    for day in days:
        assert ohlcv(day) == aggregate(by_day[day.date]), day.date
    # The last day is the one in progress: its close is the last price published.
    client.send(ReqMktData(req_id=3, contract=contract, snapshot=True))
    (last,) = [e.price for e in client.take() if isinstance(e, TickPrice) and e.tick_type == 4]
    assert days[-1].close == minutes[-1].close == last


@pytest.mark.parametrize("what", ["TRADES", "MIDPOINT", "BID", "ASK"])
def test_five_minute_bars_are_the_aggregation_of_the_minute_bars(server_version: int, what: str) -> None:
    client = ready(sim(server_version=server_version))
    minutes = bars_of(client, history(1, bar="1 min", duration="14400 S", what=what, fmt=2))
    fives = bars_of(client, history(2, bar="5 mins", duration="14400 S", what=what, fmt=2))
    assert len(fives) >= 48 and len(minutes) >= 5 * 48
    for five in fives:
        inside = [m for m in minutes if 0 <= int(m.date) - int(five.date) < 300]
        assert ohlcv(five)[:4] == aggregate(inside)[:4]
        if what == "TRADES":
            assert (five.volume, five.bar_count) == aggregate(inside)[4:]
            assert five.volume > 0 or int(five.date) + 300 > T0  # only the bar in progress may be empty
        else:
            assert (five.volume, five.bar_count) == (Decimal(-1), -1)


def test_daily_bars_are_new_york_days_of_hourly_bars_and_weekly_bars_their_days(server_version: int) -> None:
    client = ready(sim(server_version=server_version))
    hours = bars_of(client, history(1, bar="1 hour", duration="2 W", fmt=2))
    days = bars_of(client, history(2, bar="1 day", duration="2 W"))
    weeks = bars_of(client, history(3, bar="1 week", duration="2 W"))
    whole = [day for day in days if day.date > days[0].date]  # the hours start within the first day
    assert len(whole) >= 9
    for day in whole:
        # Without use_rth a stock's daily bar is its day in New York, midnight to midnight.
        local = [h for h in hours if dt.datetime.fromtimestamp(int(h.date), NEW_YORK).strftime("%Y%m%d") == day.date]
        assert ohlcv(day) == aggregate(local)
    for week in weeks:
        monday = dt.datetime.strptime(week.date, "%Y%m%d")
        inside = [d for d in days if 0 <= (dt.datetime.strptime(d.date, "%Y%m%d") - monday).days < 7]
        if dt.datetime.strptime(days[0].date, "%Y%m%d") <= monday:
            assert ohlcv(week) == aggregate(inside)


def test_bid_midpoint_and_ask_bars_frame_the_trades(server_version: int) -> None:
    client = ready(sim(server_version=server_version))
    shown = {what: bars_of(client, history(n, bar="5 mins", duration="1 D", what=what))
             for n, what in enumerate(("TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK"))}
    for trades, mid, bid, ask, both in zip(*shown.values(), strict=True):
        for field in ("open", "high", "low", "close"):
            assert getattr(bid, field) <= getattr(mid, field) <= getattr(ask, field)
            assert getattr(bid, field) <= getattr(trades, field) <= getattr(ask, field)
        assert (both.open, both.high, both.low, both.close) == (bid.open, ask.high, bid.low, ask.close)


def test_the_same_seed_gives_the_same_bars_and_another_seed_other_bars(server_version: int) -> None:
    def daily(seed: int, bar: str, duration: str) -> list[BarData]:
        client = ready(InMemoryGateway(SimulatorCore(server_version=server_version, seed=seed), now=T0))
        return bars_of(client, history(1, bar=bar, duration=duration))

    assert daily(7, "1 day", "1 Y") == daily(7, "1 day", "1 Y")
    assert daily(7, "1 min", "1 D") == daily(7, "1 min", "1 D")
    assert daily(7, "1 day", "1 M") != daily(8, "1 day", "1 M")


def test_real_time_bars_and_historical_ticks_are_the_history_of_their_seconds(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(ReqRealTimeBars(req_id=1, contract=AAPL, bar_size=5, what_to_show="TRADES", use_rth=False),
                ReqRealTimeBars(req_id=2, contract=AAPL, bar_size=5, what_to_show="MIDPOINT", use_rth=False))
    gateway.advance(60.0)
    live = {(e.req_id, e.time): e for e in client.take() if isinstance(e, RealTimeBars)}
    seconds = bars_of(client, history(3, bar="1 secs", duration="60 S", fmt=2))
    fives = bars_of(client, history(4, bar="5 secs", duration="60 S", fmt=2))
    mids = bars_of(client, history(5, bar="5 secs", duration="60 S", what="MIDPOINT", fmt=2))
    assert len(live) == 2 * 12
    for five, mid in zip(fives[:-1], mids[:-1], strict=True):  # the last is in progress
        bar = live[(1, int(five.date))]
        assert (bar.open, bar.high, bar.low, bar.close, bar.volume, bar.wap, bar.count) == (
            five.open, five.high, five.low, five.close, five.volume, five.wap, five.bar_count)
        inside = [s for s in seconds if 0 <= int(s.date) - int(five.date) < 5]
        assert ohlcv(five) == aggregate(inside)
        assert (live[(2, int(mid.date))].close, live[(2, int(mid.date))].volume) == (mid.close, Decimal(-1))
    client.send(ReqHistoricalTicks(req_id=6, contract=AAPL, start_date_time="", end_date_time=str(int(gateway.now)),
                                   number_of_ticks=5, what_to_show="TRADES", use_rth=False, ignore_size=False))
    ticks = [t for e in client.take() if isinstance(e, HistoricalTicksLast) for t in e.ticks]
    by_second = {int(s.date): s for s in seconds}
    assert ticks and all(t.price == by_second[t.time].close for t in ticks if t.time in by_second)


@pytest.mark.parametrize("contract", [
    ES, Contract(symbol="AAPL", sec_type="OPT", exchange="SMART", strike=190.0, right="C",
                 last_trade_date_or_contract_month="20240419"),
])
def test_history_starts_no_earlier_than_the_head_timestamp(server_version: int, contract: Contract) -> None:
    client = ready(sim(server_version=server_version))
    client.send(ReqHeadTimestamp(req_id=1, contract=contract, use_rth=False, what_to_show="TRADES", format_date=2),
                history(2, contract, bar="1 day", duration="2 Y"),
                history(3, contract, bar="1 hour", duration="1 W", end="20230101 00:00:00 UTC"))
    events = client.take()
    (stamp,) = of(events, HeadTimestamp)
    head = int(stamp.head_timestamp)  # type: ignore[attr-defined]
    (daily,) = of(events, HistoricalData)
    first = dt.datetime.strptime(daily.bars[0].date, "%Y%m%d").replace(tzinfo=dt.timezone.utc)  # type: ignore[attr-defined]
    # The first daily bar is the head timestamp's day; nothing before it.
    assert first.date() == dt.datetime.fromtimestamp(head, dt.timezone.utc).date()
    # A window wholly before the head timestamp holds no data.
    (error,) = errors(events, 162)
    assert error.req_id == 3 and "HMDS query returned no data" in error.error_string


# ------------------------------------------------------------------ crypto history

BTC = Contract(symbol="BTC", sec_type="CRYPTO", exchange="PAXOS", currency="USD")


def test_crypto_trade_bars_are_aggtrades_and_trades_is_refused_with_10299(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(history(1, BTC, what="TRADES"))
    (error,) = errors(client.take())
    assert (error.req_id, error.error_code) == (1, 10299)
    assert error.error_string == "Expected what to show is AGGTRADES, please use that instead of TRADES."
    gateway.advance(16.0)
    client.send(history(2, BTC, bar="1 min", duration="3600 S", what="AGGTRADES"))
    events = client.take()
    assert errors(events) == []
    bars = [b for e in of(events, HistoricalData) for b in e.bars]  # type: ignore[attr-defined]
    assert len(bars) >= 60
    assert all(b.volume > 0 and b.bar_count > 0 and b.low <= b.wap <= b.high for b in bars)
    gateway.advance(16.0)
    # AGGTRADES is for crypto only.
    client.send(history(3, AAPL, what="AGGTRADES"))
    (error,) = errors(client.take())
    assert error.error_code == 162 and "No data of type AGGTRADES" in error.error_string


def test_crypto_real_time_bars_take_aggtrades_and_refuse_trades(server_version: int) -> None:
    gateway = sim(server_version=server_version)
    client = ready(gateway)
    client.send(ReqRealTimeBars(req_id=1, contract=BTC, bar_size=5, what_to_show="TRADES", use_rth=False))
    (error,) = errors(client.take())
    assert (error.req_id, error.error_code) == (1, 10299)
    client.send(ReqRealTimeBars(req_id=2, contract=BTC, bar_size=5, what_to_show="AGGTRADES", use_rth=False))
    gateway.advance(11.0)
    events = client.take()
    assert errors(events) == []
    bars = of(events, RealTimeBars)
    assert len(bars) == 2 and all(b.volume > 0 for b in bars)  # type: ignore[attr-defined]
