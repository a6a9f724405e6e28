"""The bulk history engine: chunk plans, the pacing schedule, resume, the download loop.

Everything runs on a fake clock: ``sleep`` moves it, nothing waits.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from ibwire._history import (
    BAR_SIZES,
    CSV_COLUMNS,
    Chunk,
    Downloader,
    HistoryRun,
    PacingClock,
    Progress,
    _client_pacer,
    _CsvSink,
    bar_seconds,
    bar_time,
    format_end,
    format_time,
    in_span,
    is_no_data,
    is_pacing_violation,
    max_chunk,
    pacing_schedule,
    parse_duration,
    parse_time,
    plan_chunks,
    resume_point,
    retry_chunk,
    trading_days,
)
from ibwire.bars import bar_datetime
from ibwire.errors import ApiError, RequestTimeoutError
from ibwire.messages import BarData, Contract, HistoricalDataEnd, Message, ReqHistoricalData
from ibwire.pacing import (
    IB_HISTORICAL_IDENTICAL_INTERVAL,
    IB_HISTORICAL_SAME_CONTRACT_LIMIT,
    IB_HISTORICAL_SAME_CONTRACT_WINDOW,
    IB_HISTORICAL_WINDOW,
    IB_HISTORICAL_WINDOW_LIMIT,
    Pacer,
    PacingConfig,
)
from ibwire.testing._market import _STEP_RULE, HistoryRequest, Walks, history_bars
from ibwire.testing._universe import Universe

AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
#: The same-contract window as the pacer measures it: on send times, lengthened by
#: the arrival jitter TWS may add.
SAME_CONTRACT_WINDOW = IB_HISTORICAL_SAME_CONTRACT_WINDOW + PacingConfig().historical_margin
T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC
DAY = 86400

# IB's step-size table, as the TWS API documentation states it: bar size -> the
# longest duration a single request asks for.  A day or less goes in seconds, since
# IB counts "N D" in trading days back from the end.
EXPECTED_CHUNK = {
    "1 secs": (1800, "1800 S"),
    "5 secs": (3600, "3600 S"),
    "10 secs": (14400, "14400 S"),
    "15 secs": (14400, "14400 S"),
    "30 secs": (28800, "28800 S"),
    "1 min": (DAY, "86400 S"),
    "2 mins": (DAY, "86400 S"),
    "3 mins": (7 * DAY, "1 W"),
    "5 mins": (7 * DAY, "1 W"),
    "10 mins": (7 * DAY, "1 W"),
    "15 mins": (7 * DAY, "1 W"),
    "20 mins": (7 * DAY, "1 W"),
    "30 mins": (30 * DAY, "1 M"),
    "1 hour": (30 * DAY, "1 M"),
    "2 hours": (30 * DAY, "1 M"),
    "3 hours": (30 * DAY, "1 M"),
    "4 hours": (30 * DAY, "1 M"),
    "8 hours": (30 * DAY, "1 M"),
    "1 day": (365 * DAY, "1 Y"),
    "1 week": (365 * DAY, "1 Y"),
    "1 month": (365 * DAY, "1 Y"),
}


def simulator_accepts(duration_seconds: int, bar: int) -> bool:
    """The simulator's (IB's) check of a duration against a bar size."""
    smallest = DAY
    for longest, minimum in _STEP_RULE:
        if duration_seconds <= longest:
            smallest = minimum
            break
    return bar >= smallest


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.slept.append(seconds)
        self.now += seconds


# ---------------------------------------------------------------------- parsing


def test_bar_sizes_and_aliases() -> None:
    assert bar_seconds("1 min") == 60
    assert bar_seconds("  1   hour ") == 3600
    assert bar_seconds("1 sec") == 1
    assert bar_seconds("1 DAY") == DAY
    with pytest.raises(ValueError, match="unknown bar size"):
        bar_seconds("7 mins")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3600 S", 3600), ("2 D", 2 * DAY), ("1 W", 7 * DAY), ("6 M", 180 * DAY), ("1 Y", 365 * DAY)],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["1Y", "1 X", "-1 D", "0 D", "one D", ""])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


# ---------------------------------------------------------------------- chunk plans


def test_the_table_covers_every_bar_size() -> None:
    assert set(EXPECTED_CHUNK) == set(BAR_SIZES)


@pytest.mark.parametrize("bar_size", sorted(BAR_SIZES, key=BAR_SIZES.__getitem__))
def test_chunk_plan_for_every_bar_size(bar_size: str) -> None:
    span, text = EXPECTED_CHUNK[bar_size]
    assert max_chunk(bar_size) == (span, text)
    bar = BAR_SIZES[bar_size]
    start, end = T0, T0 + 2 * span + span // 3
    chunks = plan_chunks(start, end, bar_size)
    # Contiguous, in order, covering [start, end) exactly, none longer than allowed.
    assert chunks[0].start == start and chunks[-1].end == end
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert before.end == after.start
    assert [c.duration for c in chunks[:2]] == [text, text]
    assert len(chunks) == 3
    for chunk in chunks:
        seconds = parse_duration(chunk.duration)
        assert seconds >= chunk.end - chunk.start, "a chunk asks for less than it covers"
        assert seconds <= span
        assert simulator_accepts(seconds, bar), (bar_size, chunk.duration)
        assert seconds // bar <= 100_000


# IB's duration / bar size table ("Historical Data Limitations"): each duration
# with the largest bar it allows, as (count, unit, largest bar in seconds).
IB_DURATION_ROWS = (
    (60, "S", 60), (120, "S", 120), (1800, "S", 1800), (3600, "S", 3600),
    (14400, "S", 10800), (28800, "S", 28800), (1, "D", DAY), (2, "D", DAY),
    (1, "W", 7 * DAY), (1, "M", 30 * DAY), (1, "Y", 30 * DAY),
)  # fmt: skip


def ib_allows(duration: str, bar: int) -> bool:
    """Whether IB's table allows bars of ``bar`` seconds for ``duration``: a row of
    its unit no longer than it allows bars that large."""
    count, unit = duration.split()
    return any(u == unit and c <= int(count) and bar <= largest for c, u, largest in IB_DURATION_ROWS)


@pytest.mark.parametrize("bar_size", sorted(BAR_SIZES, key=BAR_SIZES.__getitem__))
@pytest.mark.parametrize("what", ["TRADES", "ADJUSTED_LAST"])
def test_every_chunk_asks_for_a_duration_ib_allows_with_its_bar_size(
    bar_size: str, what: str
) -> None:
    # Short spans and short last chunks too: weekly bars cannot be asked for in
    # days, nor hourly bars for ten minutes.
    bar = BAR_SIZES[bar_size]
    for seconds in (10, 600, 3600, 3 * DAY, 10 * DAY, 45 * DAY, 200 * DAY, 400 * DAY):
        try:
            chunks = plan_chunks(T0 - seconds, T0, bar_size, what_to_show=what, now=T0)
        except ValueError:
            continue  # ADJUSTED_LAST intraday bars over more than one request
        for chunk in chunks:
            assert ib_allows(chunk.duration, bar), (bar_size, seconds, chunk.duration)
            assert parse_duration(chunk.duration) >= chunk.end - chunk.start
            assert simulator_accepts(parse_duration(chunk.duration), bar)


def test_last_chunk_in_seconds_or_the_whole_step() -> None:
    minute = plan_chunks(T0, T0 + DAY + 90, "1 min")
    assert [c.duration for c in minute] == ["86400 S", "90 S"]
    hour = plan_chunks(T0, T0 + 30 * DAY + DAY + 1, "1 hour")
    assert [c.duration for c in hour] == ["1 M", "1 M"]
    short = plan_chunks(T0, T0 + 3600, "1 hour")
    assert [c.duration for c in short] == ["3600 S"]
    daily = plan_chunks(T0, T0 + 365 * DAY + DAY + 1, "1 day")
    assert [c.duration for c in daily] == ["1 Y", "2 D"]


def test_a_year_of_minutes_is_365_requests() -> None:
    chunks = plan_chunks(T0 - 365 * DAY, T0, "1 min")
    assert len(chunks) == 365
    assert {c.duration for c in chunks} == {"86400 S"}


def sim_bars(end: int, duration: str, bar_size: str) -> list[BarData]:
    """The simulator's answer (IB's trading-day reading of "N D"), regular hours."""
    universe = Universe(datetime.date(2024, 3, 20))
    (aapl,) = universe.resolve(AAPL)
    request = HistoryRequest(
        aapl, float(end), duration, bar_size, "TRADES", True, 2, False, format_end(end)
    )
    return history_bars(Walks(0, universe), request)[0]


@pytest.mark.parametrize("bar_size", ["1 min", "2 mins", "5 mins", "1 hour"])
def test_intraday_chunks_cover_every_bar_of_a_span_not_aligned_to_days(bar_size: str) -> None:
    start = 1710266400  # Tuesday 2024-03-12 14:00 New York
    end = start + 9 * DAY + 5 * 3600
    run = HistoryRun(AAPL, start, end, bar_size, "TRADES", True)
    for req in run.requests:
        run.add(sim_bars(bar_time(req.end_date_time), req.duration_str, bar_size))
    truth = sim_bars(end, f"{end - start} S", bar_size)
    expected = [bar.date for bar in truth if start <= int(bar.date) < end]
    assert len(expected) > 6 * 390 * 60 // BAR_SIZES[bar_size]
    assert [bar.date for bar in run.bars()] == expected


def walk(run: HistoryRun, answer: Callable[[ReqHistoricalData], list[BarData]]) -> list[str]:
    """Drive ``run`` as the clients do; the requests' durations, in order."""
    sent = []
    while (req := run.next_request()) is not None:
        sent.append(req.duration_str)
        run.add(answer(req))
    return sent


def by_simulator(bar_size: str) -> Callable[[ReqHistoricalData], list[BarData]]:
    return lambda req: sim_bars(bar_time(req.end_date_time), req.duration_str, bar_size)


@pytest.mark.parametrize(
    ("bar_size", "sent"),
    [
        ("1 min", ["1 D"] * 7),
        ("3 mins", ["5 D", "2 D"]),
        ("1 hour", ["7 D"]),
        ("1 day", ["7 D"]),
    ],
)
def test_days_are_trading_days_walked_back_from_the_end(bar_size: str, sent: list[str]) -> None:
    end = 1710871200  # Tuesday 2024-03-19 14:00 New York, mid-session
    run = HistoryRun(AAPL, end - 7 * DAY, end, bar_size, "TRADES", True, days=7)
    assert run.total == len(sent)
    assert walk(run, by_simulator(bar_size)) == sent
    assert run.total == len(sent)
    # What IB answers to "7 D" in one request: seven sessions, the weekend aside.
    truth = [bar.date for bar in sim_bars(end, "7 D", bar_size)]
    assert [bar.date for bar in run.bars()] == truth
    days = {bar_datetime(date, "America/New_York").date() for date in truth}
    assert len(days) == 7 and min(days) == datetime.date(2024, 3, 11)


def test_a_walk_over_more_days_than_a_request_holds_counts_each_day_once() -> None:
    end = 1710871200
    run = HistoryRun(AAPL, end - 300 * DAY, end, "1 day", "TRADES", True, days=300)
    assert walk(run, by_simulator("1 day")) == ["250 D", "50 D"]
    assert [bar.date for bar in run.bars()] == [bar.date for bar in sim_bars(end, "300 D", "1 day")]
    assert len(run.bars()) == 300


@pytest.mark.parametrize(("days", "sent"), [(10, ["10 D"]), (300, ["250 D", "50 D"])])
def test_a_walk_of_daily_bars_counts_the_days_before_end_without_bars(
    days: int, sent: list[str]
) -> None:
    # The data ends ten days before ``end`` (a future expired, a stock halted):
    # those days are among the last ``days`` all the same, as in IB's one request.
    end = 1710871200  # Tuesday 2024-03-19
    last = 1709942400  # Saturday 2024-03-09: the last bar is Friday's

    def answer(req: ReqHistoricalData) -> list[BarData]:
        bars = sim_bars(bar_time(req.end_date_time), req.duration_str, "1 day")
        return [bar for bar in bars if bar_time(bar.date) < last]

    run = HistoryRun(AAPL, end - days * DAY, end, "1 day", "TRADES", True, days=days)
    assert walk(run, answer) == sent
    truth = [bar.date for bar in sim_bars(end, f"{days} D", "1 day") if bar_time(bar.date) < last]
    assert [bar.date for bar in run.bars()] == truth
    assert len(truth) == days - 7 and truth[-1] == "20240308"


def test_a_later_request_of_daily_bars_counts_the_bars_it_brings() -> None:
    # A server that counts the last first bar's date as begun (a currency's day
    # opens the evening before) answers one day short: that day is asked again.
    end = 1710871200

    def answer(req: ReqHistoricalData) -> list[BarData]:
        count = int(req.duration_str.split()[0])
        short = f"{count - 1} D" if bar_time(req.end_date_time) < end and count > 1 else req.duration_str
        return sim_bars(bar_time(req.end_date_time), short, "1 day")

    run = HistoryRun(AAPL, end - 300 * DAY, end, "1 day", "TRADES", True, days=300)
    assert walk(run, answer) == ["250 D", "50 D", "1 D"]
    assert [bar.date for bar in run.bars()] == [bar.date for bar in sim_bars(end, "300 D", "1 day")]


def test_a_walk_ends_where_ib_has_no_older_data() -> None:
    end = 1710871200
    answers = iter([sim_bars(end, "1 D", "1 min"), [], []])
    run = HistoryRun(AAPL, end - 5 * DAY, end, "1 min", "TRADES", True, days=5)
    ends: list[str] = []
    assert walk(run, lambda req: ends.append(req.end_date_time) or next(answers)) == ["1 D"] * 3
    assert run.total == 3 and run.next_request() is None
    assert len(run.bars()) == 270  # 09:30 to 14:00
    # After nothing older, once more, a second earlier.
    assert ends[1:] == [format_end(1710855000), format_end(1710855000 - 1)]  # 09:30
    # An answer with nothing before the last one's first bar counts as nothing.
    again = HistoryRun(AAPL, end - 5 * DAY, end, "1 min", "TRADES", True, days=5)
    first = sim_bars(end, "1 D", "1 min")
    assert walk(again, lambda req: first) == ["1 D"] * 3


def test_a_walk_asks_again_a_day_earlier_after_an_answer_with_nothing_older() -> None:
    # A server that counts the last first bar's day as begun at that bar (it
    # answers nothing new) gets one more request a second earlier, and the walk
    # goes on from there, missing no day.
    end = 1710871200
    truth = sim_bars(end, "5 D", "1 min")
    answers = iter([sim_bars(end, "1 D", "1 min"), []])
    run = HistoryRun(AAPL, end - 5 * DAY, end, "1 min", "TRADES", True, days=5)

    def answer(req: ReqHistoricalData) -> list[BarData]:
        given = next(answers, None)
        return sim_bars(bar_time(req.end_date_time), "1 D", "1 min") if given is None else given

    assert walk(run, answer) == ["1 D"] * 6
    assert [bar.date for bar in run.bars()] == [bar.date for bar in truth]


@pytest.mark.parametrize(
    ("bar_size", "what_to_show"),
    [("30 secs", "TRADES"), ("1 week", "TRADES"), ("1 day", "ADJUSTED_LAST")],
)
def test_days_of_other_bars_are_calendar_days(bar_size: str, what_to_show: str) -> None:
    span = HistoryRun(AAPL, T0 - 3 * DAY, T0, bar_size, what_to_show, True, now=T0)
    days = HistoryRun(AAPL, T0 - 3 * DAY, T0, bar_size, what_to_show, True, now=T0, days=3)
    assert days.requests == span.requests and days.total == len(span.requests) > 0
    assert walk(days, lambda req: []) == [req.duration_str for req in span.requests]
    with pytest.raises(ValueError, match="days must be positive"):
        HistoryRun(AAPL, T0 - DAY, T0, "1 min", "TRADES", True, days=0)


def test_only_days_count_trading_days() -> None:
    assert [trading_days(text) for text in ("5 D", "5 d", "1 W", "3600 S", "1 Y")] == [5, 5, None, None, None]
    with pytest.raises(ValueError):
        trading_days("5 days")


def test_empty_plan() -> None:
    assert plan_chunks(T0, T0, "1 min") == []
    assert plan_chunks(T0 + 1, T0, "1 min") == []


def test_end_text_is_utc() -> None:
    assert format_end(T0) == "20231114-22:13:20"


# ---------------------------------------------------------------------- pacing schedule


def request(end: int, what: str = "TRADES", bar_size: str = "1 min") -> ReqHistoricalData:
    return ReqHistoricalData(
        req_id=0, contract=AAPL, end_date_time=format_end(end), duration_str="1 D",
        bar_size_setting=bar_size, what_to_show=what, format_date=2,
    )


def check_rules(times: list[float], weight: int = 1) -> None:
    """Every historical pacing rule holds for these send times of distinct requests."""
    for i, t in enumerate(times):
        same = sum(weight for u in times[: i + 1] if t - IB_HISTORICAL_SAME_CONTRACT_WINDOW + 1e-9 < u <= t)
        assert same <= IB_HISTORICAL_SAME_CONTRACT_LIMIT, f"request {i}: {same} in 2 s"
        window = sum(weight for u in times[: i + 1] if t - IB_HISTORICAL_WINDOW + 1e-9 < u <= t)
        assert window <= IB_HISTORICAL_WINDOW_LIMIT, f"request {i}: {window} in 10 min"


def test_schedule_respects_every_rule_for_a_year_of_minutes() -> None:
    requests = [request(T0 + i * DAY) for i in range(130)]
    times = pacing_schedule(requests, PacingConfig(), start=0.0, answer_time=0.2)
    assert times == sorted(times)
    check_rules(times)
    # Five at once, then the 2-second window spaces them; the 61st waits for the
    # 10-minute window to roll past the first.
    assert times[:5] == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8])
    assert times[5] >= IB_HISTORICAL_SAME_CONTRACT_WINDOW
    assert times[60] >= times[0] + IB_HISTORICAL_WINDOW
    assert times[120] >= times[60] + IB_HISTORICAL_WINDOW
    assert times[59] < IB_HISTORICAL_WINDOW


def test_bid_ask_weighs_double() -> None:
    requests = [request(T0 + i * DAY, "BID_ASK") for i in range(40)]
    times = pacing_schedule(requests, PacingConfig())
    check_rules(times, weight=2)
    assert times[30] >= times[0] + IB_HISTORICAL_WINDOW


def test_identical_requests_are_spaced() -> None:
    same = request(T0)
    times = pacing_schedule([same, same, same], PacingConfig())
    assert times[1] - times[0] >= IB_HISTORICAL_IDENTICAL_INTERVAL
    assert times[2] - times[1] >= IB_HISTORICAL_IDENTICAL_INTERVAL


def test_pacing_clock_copy_books_nothing() -> None:
    clock = PacingClock()
    for i in range(5):
        assert clock.reserve(request(T0 + i * DAY), 0.0) == 0.0
    twin = clock.copy()
    assert twin.reserve(request(T0 + 9 * DAY), 0.0) == SAME_CONTRACT_WINDOW
    # The original did not see the twin's booking: its sixth goes at the same time.
    assert clock.reserve(request(T0 + 9 * DAY), 0.0) == SAME_CONTRACT_WINDOW


def test_pacing_clock_asks_the_clients_pacer_and_books_nothing() -> None:
    pacer: Pacer[Message] = Pacer(server_version=200)
    for i in range(5):  # the client already sent five for this contract
        pacer.submit(request(T0 + i * DAY), 0.0)
    assert len(pacer.poll(0.0)) == 5
    before = pacer.stats
    clock = PacingClock(pacer=pacer)
    assert clock.reserve(request(T0 + 9 * DAY), 0.5) == SAME_CONTRACT_WINDOW
    assert clock.reserve(request(T0 + 9 * DAY), 0.5) == SAME_CONTRACT_WINDOW
    assert pacer.stats == before
    # The client's later sends are seen at once: no model to drift from.
    for i in range(5):
        pacer.submit(request(T0 + (20 + i) * DAY), SAME_CONTRACT_WINDOW)
    assert len(pacer.poll(SAME_CONTRACT_WINDOW)) == 5
    assert clock.reserve(request(T0 + 30 * DAY), 2.5) == 2 * SAME_CONTRACT_WINDOW


class PacedClient:
    """A client whose pacer is the one the downloader asks; answers take 0.25 s."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.pacer: Pacer[Message] = Pacer(server_version=200)
        self.waited: list[float] = []
        self.next_id = 0

    def __call__(self, req: ReqHistoricalData, timeout: float) -> list[BarData]:
        self.next_id += 1
        sent = ReqHistoricalData(
            req_id=self.next_id,
            contract=req.contract,
            end_date_time=req.end_date_time,
            duration_str=req.duration_str,
            bar_size_setting=req.bar_size_setting,
            what_to_show=req.what_to_show,
            use_rth=req.use_rth,
            format_date=req.format_date,
        )
        now = self.clock.now
        self.pacer.submit(sent, now)
        released = self.pacer.poll(now)
        while sent not in released:  # held: the downloader should have slept longer
            wake = self.pacer.next_deadline()
            assert wake is not None
            self.waited.append(wake - now)
            now = self.clock.now = wake
            released = self.pacer.poll(now)
        self.clock.now += 0.25
        self.pacer.on_incoming(HistoricalDataEnd(req_id=self.next_id), self.clock.now)
        return []


def test_download_with_the_clients_pacer_never_waits_in_its_queue() -> None:
    clock = FakeClock()
    client = PacedClient(clock)
    downloader = Downloader(
        client, AAPL, "1 min", pacer=client.pacer, clock=clock, sleep=clock.sleep
    )
    chunks = plan_chunks(T0 - 70 * DAY, T0, "1 min")
    downloader.run(chunks, io_sink())
    assert client.waited == []
    check_rules(downloader.sent_at)
    assert downloader.sent_at[60] >= downloader.sent_at[0] + IB_HISTORICAL_WINDOW


def io_sink() -> _CsvSink:
    class Sink(_CsvSink):
        def __init__(self) -> None:
            pass

        def write(self, rows: list[list[str]]) -> None:
            pass

        def close(self) -> None:
            pass

    return Sink()


def test_the_client_is_asked_through_its_public_pacing_calls() -> None:
    from ibwire.asyncio import Client as AsyncClient
    from ibwire.sync import Client

    clock = FakeClock()
    client = Client(clock=lambda: clock.now)
    assert _client_pacer(client) is client
    assert _client_pacer(AsyncClient()) is not None
    assert _client_pacer(object()) is None
    pacer = client._session.pacer
    pacer.server_version = 200
    for i in range(5):  # the client already sent five for this contract
        pacer.submit(request(T0 + i * DAY), clock.now)
    assert len(pacer.poll(clock.now)) == 5
    before = pacer.stats
    window_ends = clock.now + SAME_CONTRACT_WINDOW
    pacing = PacingClock(pacer=client)
    assert pacing.reserve(request(T0 + 9 * DAY), clock.now + 0.5) == window_ends
    # The client's own call, on its clock, says the same; nothing is booked.
    assert client.release_time(request(T0 + 9 * DAY)) == window_ends
    assert pacer.stats == before
    # A plan books into a snapshot, never into the client's pacer.
    twin = pacing.copy()
    assert twin.reserve(request(T0 + 10 * DAY), clock.now + 0.5) == window_ends
    assert pacer.stats == before and client.pacer_snapshot() is not pacer


def test_a_plan_on_the_clients_pacer_goes_past_fifty_open_requests() -> None:
    # The plan books sends and never their answers: the client's open-request
    # cap (50) must not bind there, or a long download's estimate fails.
    from ibwire.sync import Client

    clock = FakeClock()
    client = Client(clock=lambda: clock.now)
    client._session.pacer.server_version = 200
    twin = PacingClock(pacer=client).copy()
    t = clock.now
    for i in range(120):
        t = twin.reserve(request(T0 + i * DAY), t)
    assert t > clock.now + 60 * 10  # paced by the 60-per-10-minutes window


# ---------------------------------------------------------------------- times and resume


def test_bar_time_forms() -> None:
    assert bar_time(str(T0)) == T0
    assert bar_time("20231114") == T0 - T0 % DAY
    assert bar_time("20231114 22:13:20") == T0
    assert bar_time("20231114 22:13:20 UTC") == T0
    with pytest.raises(ValueError):
        bar_time("yesterday")


def test_time_column_round_trip() -> None:
    assert format_time(T0, daily=False) == "2023-11-14T22:13:20Z"
    assert parse_time(format_time(T0, daily=False)) == T0
    assert parse_time(format_time(T0, daily=True)) == T0 - T0 % DAY


def test_resume_point(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    assert resume_point(path) is None
    path.write_text(",".join(CSV_COLUMNS) + "\n")
    assert resume_point(path) is None
    path.write_text(",".join(CSV_COLUMNS) + "\n2023-11-14T22:12:00Z,1,1,1,1,1,1,1\n"
                    "2023-11-14T22:13:00Z,1,1,1,1,1,1,1\n\n")
    assert resume_point(path) == T0 - 20


# ---------------------------------------------------------------------- the download loop


class FakeGatewayBars:
    """Answers a request with one bar per minute of its window, oldest first."""

    def __init__(self, clock: FakeClock, *, errors: list[BaseException] | None = None) -> None:
        self.clock = clock
        self.requests: list[ReqHistoricalData] = []
        self.errors = errors or []

    def __call__(self, req: ReqHistoricalData, timeout: float) -> list[BarData]:
        self.requests.append(req)
        self.clock.now += 0.25  # the answer takes a moment
        if self.errors:
            raise self.errors.pop(0)
        end = bar_time(req.end_date_time.replace("-", " "))
        start = end - parse_duration(req.duration_str)
        return [
            BarData(date=str(t), open=1.0, high=2.0, low=0.5, close=1.5,
                    volume=Decimal(100), wap=Decimal("1.25"), bar_count=3)
            for t in range(start - start % 60, end, 60)
            if t >= start
        ]


def download(path: Path, start: int, end: int, clock: FakeClock,
             fetch: FakeGatewayBars, after: int | None = None) -> Downloader:
    downloader = Downloader(fetch, AAPL, "1 min", clock=clock, sleep=clock.sleep)
    sink = _CsvSink(path)
    try:
        chunks = plan_chunks(start if after is None else after + 60, end, "1 min")
        downloader.run(chunks, sink, after=after)
    finally:
        sink.close()
    return downloader


def rows(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_download_writes_every_bar_once_in_order(tmp_path: Path) -> None:
    clock = FakeClock()
    fetch = FakeGatewayBars(clock)
    path = tmp_path / "bars.csv"
    start = T0 - T0 % DAY - 8 * DAY
    download(path, start, start + 8 * DAY, clock, fetch)
    lines = rows(path)
    assert lines[0] == ",".join(CSV_COLUMNS)
    times = [parse_time(line.split(",")[0]) for line in lines[1:]]
    assert times == list(range(start, start + 8 * DAY, 60))
    assert lines[1] == "2023-11-06T00:00:00Z,1.0,2.0,0.5,1.5,100,1.25,3"
    assert len(fetch.requests) == 8


def test_download_respects_pacing_on_the_fake_clock(tmp_path: Path) -> None:
    clock = FakeClock()
    fetch = FakeGatewayBars(clock)
    start = T0 - T0 % DAY - 70 * DAY
    downloader = download(tmp_path / "bars.csv", start, start + 70 * DAY, clock, fetch)
    check_rules(downloader.sent_at)
    assert len(downloader.sent_at) == 70
    # The 61st request waited for the 10-minute window; the sleeps did the waiting.
    assert downloader.sent_at[60] >= downloader.sent_at[0] + IB_HISTORICAL_WINDOW
    assert sum(clock.slept) > IB_HISTORICAL_WINDOW - 60


def test_resume_continues_after_the_last_bar(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "bars.csv"
    start = T0 - T0 % DAY - 4 * DAY
    end = start + 4 * DAY
    # The first run stops after two days (say, interrupted); the second resumes.
    download(path, start, start + 2 * DAY, clock, FakeGatewayBars(clock))
    after = resume_point(path)
    assert after == start + 2 * DAY - 60
    fetch = FakeGatewayBars(clock)
    download(path, start, end, clock, fetch, after=after)
    times = [parse_time(line.split(",")[0]) for line in rows(path)[1:]]
    assert times == list(range(start, end, 60))
    assert len(fetch.requests) == 2
    assert rows(path).count(",".join(CSV_COLUMNS)) == 1


def test_no_data_is_an_empty_chunk_and_pacing_errors_retry(tmp_path: Path) -> None:
    clock = FakeClock()
    errors: list[BaseException] = [
        ApiError(162, "Historical Market Data Service error message:HMDS query returned no data"),
        ApiError(162, "Historical Market Data Service error message:Historical data request pacing violation"),
        RequestTimeoutError("no answer"),
    ]
    fetch = FakeGatewayBars(clock, errors=errors)
    path = tmp_path / "bars.csv"
    start = T0 - T0 % DAY - 2 * DAY
    download(path, start, start + 2 * DAY, clock, fetch)
    times = [parse_time(line.split(",")[0]) for line in rows(path)[1:]]
    # Day one came back empty; day two after a pacing error and a timeout.
    assert times == list(range(start + DAY, start + 2 * DAY, 60))
    assert len(fetch.requests) == 4
    assert 15.0 in clock.slept


def test_other_api_errors_stop_the_download(tmp_path: Path) -> None:
    clock = FakeClock()
    fetch = FakeGatewayBars(clock, errors=[ApiError(200, "No security definition has been found")])
    with pytest.raises(ApiError):
        download(tmp_path / "bars.csv", T0 - DAY, T0, clock, fetch)


def test_eta_accounts_for_pacing() -> None:
    clock = FakeClock()
    downloader = Downloader(FakeGatewayBars(clock), AAPL, "1 min", clock=clock, sleep=clock.sleep)
    chunks = plan_chunks(T0 - 130 * DAY, T0, "1 min")
    eta = downloader.eta(chunks, 0.5)
    # 130 requests at 60 per 10 minutes: at least two full windows.
    assert eta is not None and eta >= 2 * IB_HISTORICAL_WINDOW
    assert downloader.eta([], 0.5) == 0.0


def test_an_estimate_that_cannot_be_planned_is_none() -> None:
    clock = FakeClock()
    downloader = Downloader(FakeGatewayBars(clock), AAPL, "1 min", clock=clock, sleep=clock.sleep)

    class Stuck:
        def copy(self) -> Stuck:
            return self

        def reserve(self, request: object, now: float) -> float:
            raise RuntimeError("the pacer holds a request without a deadline")

    downloader.pacing = Stuck()  # type: ignore[assignment]
    assert downloader.eta(plan_chunks(T0 - DAY, T0, "1 min"), 0.5) is None


# ---------------------------------------------------------------------- progress


def test_progress_line_has_rate_and_time_left() -> None:
    clock = FakeClock(0.0)
    out = io.StringIO()
    progress = Progress(10, out, clock, width=10)
    clock.now = 2.0
    line = progress.line(5, 1000, 75.0)
    assert line.startswith("[#####.....] 5/10 chunks  50%")
    assert "500 bars/s" in line and "1m15s left" in line
    progress.update(1, 10, None)
    progress.update(2, 20, None)  # within the interval: not written (not a terminal)
    progress.update(10, 100, 0.0)
    written = out.getvalue().splitlines()
    assert len(written) == 2 and written[-1].startswith("[##########] 10/10")


def test_chunk_is_a_value() -> None:
    assert Chunk(1, 2, "1 S") == Chunk(1, 2, "1 S")


# ---------------------------------------------------------------------- errors and the span

NO_DATA = "Historical Market Data Service error message:HMDS query returned no data: AAPL@SMART"
PACING = "Historical Market Data Service error message:Historical data request pacing violation"
REFUSALS = [
    "Historical Market Data Service error message:No data of type TRADES is available for "
    "the exchange 'IDEALPRO' and the security type 'CASH' and '1 M' and '1 hour'",
    "Historical Market Data Service error message:No market data permissions for NYSE STK",
]


@pytest.mark.parametrize("text", REFUSALS)
def test_only_hmds_no_data_is_an_empty_chunk(text: str) -> None:
    assert is_no_data(ApiError(162, NO_DATA, 5))
    refusal = ApiError(162, text, 5)
    assert not is_no_data(refusal) and not is_pacing_violation(refusal)
    with pytest.raises(ApiError) as raised:
        retry_chunk(refusal, 0, 3)
    assert raised.value is refusal


def test_a_pacing_violation_is_retried_until_the_retries_run_out() -> None:
    pacing = ApiError(162, PACING, 5)
    assert is_pacing_violation(pacing)
    assert retry_chunk(pacing, 0, 3) and retry_chunk(pacing, 2, 3)
    with pytest.raises(ApiError):
        retry_chunk(pacing, 3, 3)
    assert retry_chunk(ApiError(162, NO_DATA, 5), 0, 3) is False
    with pytest.raises(ApiError):
        retry_chunk(ApiError(200, "No security definition has been found"), 0, 3)


def test_refused_chunks_stop_the_download(tmp_path: Path) -> None:
    clock = FakeClock()
    fetch = FakeGatewayBars(clock, errors=[ApiError(162, REFUSALS[0])])
    with pytest.raises(ApiError, match="No data of type"):
        download(tmp_path / "bars.csv", T0 - DAY, T0, clock, fetch)


def daily(date: str) -> BarData:
    return BarData(date=date, open=1.0, high=1.0, low=1.0, close=1.0, volume=Decimal(1))


def test_a_bar_belongs_to_the_span_from_the_period_holding_the_start() -> None:
    friday_noon, monday_noon = 1709899200, 1710158400  # 2024-03-08, 2024-03-11 12:00 UTC
    run = HistoryRun(AAPL, friday_noon, monday_noon, "1 day", "TRADES", True)
    run.add([daily(d) for d in ("20240306", "20240307", "20240308", "20240311", "20240312")])
    assert [bar.date for bar in run.bars()] == ["20240308", "20240311"]
    assert in_span(friday_noon - 60, 60, friday_noon, monday_noon) is False
    assert in_span(friday_noon - 30, 60, friday_noon, monday_noon) is True
    assert in_span(monday_noon, 60, friday_noon, monday_noon) is False
    # A month bar covers its calendar month, 31 days for March.
    march = bar_time("20240301")
    assert in_span(march, BAR_SIZES["1 month"], march + 30 * DAY + 3600, march + 40 * DAY)
    assert not in_span(march, BAR_SIZES["1 month"], march + 31 * DAY, march + 40 * DAY)


def test_a_history_run_refuses_an_unknown_what_to_show_before_any_request() -> None:
    with pytest.raises(ValueError, match="unknown what_to_show"):
        HistoryRun(AAPL, 0, 86400, "1 min", "TRADE", True)
    run = HistoryRun(AAPL, 0, 86400, "1 min", "midpoint", True)
    assert {request.what_to_show for request in run.requests} == {"MIDPOINT"}


def test_adjusted_last_goes_in_one_request_up_to_now() -> None:
    # IB refuses ADJUSTED_LAST with an end time (321 "End date not supported with
    # adjusted last"): one request without one, reaching back to the start.
    twenty_years = HistoryRun(AAPL, T0 - 20 * 365 * DAY - 5 * DAY, T0, "1 day", "adjusted_last",
                              True, now=T0)
    assert [(r.end_date_time, r.duration_str) for r in twenty_years.requests] == [("", "21 Y")]
    past = HistoryRun(AAPL, T0 - 300 * DAY, T0 - 100 * DAY, "1 day", "ADJUSTED_LAST", True,
                      now=T0 + 5)
    assert [(r.end_date_time, r.duration_str) for r in past.requests] == [("", "301 D")]
    # Bars after the span's end are left out.
    past.add([daily("20230101"), daily("20230201"), daily("20230901"), daily("20231101")])
    assert [bar.date for bar in past.bars()] == ["20230201"]
    assert plan_chunks(T0 - 3600, T0, "1 min", what_to_show="ADJUSTED_LAST", now=T0) == [
        Chunk(T0 - 3600, T0, "3600 S")
    ]
    with pytest.raises(ValueError, match="ADJUSTED_LAST bars come in one request"):
        plan_chunks(T0 - 3 * DAY, T0, "1 min", what_to_show="ADJUSTED_LAST", now=T0)
