"""ibwire.pacing._rules: historical pacing, budgets and backoffs, on a fake clock."""

from __future__ import annotations

import dataclasses

import pytest

from ibwire.errors import PacingError
from ibwire.pacing import (
    BackoffEnded,
    BackoffKind,
    BackoffStarted,
    Budget,
    BudgetExceededError,
    MarketDataLinesExceededError,
    MarketDepthLimitExceededError,
    Pacer,
    PacingConfig,
    SupportsMsgId,
    TickByTickLimitExceededError,
)

from ._pacing_stubs import (
    AAPL,
    MSFT,
    NO_GLOBAL,
    ONE,
    CancelHistoricalData,
    CancelMktData,
    CancelMktDepth,
    CancelRealTimeBars,
    CancelTickByTickData,
    Contract,
    ErrMsg,
    HeadTimestamp,
    HistoricalData,
    HistoricalDataEnd,
    HistoricalTicks,
    ReqCurrentTime,
    ReqHeadTimestamp,
    ReqHistoricalData,
    ReqHistoricalTicks,
    ReqMktData,
    ReqMktDepth,
    ReqRealTimeBars,
    ReqTickByTickData,
    TickPrice,
    TickSnapshotEnd,
    contract,
    make,
    run_until,
    times_of,
)

#: TWS counts historical requests on arrival: every historical interval and window
#: is longer by the arrival jitter (and a microsecond).
MARGIN = PacingConfig().historical_margin

# --------------------------------------------------------------------------------------
# Historical pacing: identical requests


def test_identical_request_waits_15_seconds() -> None:
    pacer = make()
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.submit(ReqHistoricalData(2), 0.0)
    assert pacer.poll(0.0) == [ReqHistoricalData(1)]
    assert pacer.next_deadline() == 15.0 + MARGIN
    assert pacer.poll(15.0 + MARGIN - 0.001) == []
    assert pacer.poll(15.0 + MARGIN) == [ReqHistoricalData(2)]


def test_identical_request_submitted_later_waits_from_the_first_send() -> None:
    pacer = make()
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.poll(0.0)
    pacer.submit(ReqHistoricalData(2), 10.0)
    assert pacer.poll(10.0) == []
    assert pacer.next_deadline() == 15.0 + MARGIN


@pytest.mark.parametrize(
    "other",
    [
        ReqHistoricalData(2, end_date_time="20240101 00:00:00"),
        ReqHistoricalData(2, duration_str="3600 S"),
        ReqHistoricalData(2, bar_size_setting="10 secs"),
        ReqHistoricalData(2, what_to_show="MIDPOINT"),
        ReqHistoricalData(2, use_rth=False),
        ReqHistoricalData(2, format_date=2),
        ReqHistoricalData(2, keep_up_to_date=True),
        ReqHistoricalData(2, chart_options=("x",)),
        ReqHistoricalData(2, contract=MSFT),
        ReqHistoricalData(2, contract=dataclasses.replace(AAPL, exchange="ISLAND")),
        ReqHistoricalTicks(2),
        ReqHeadTimestamp(2),
    ],
)
def test_differing_requests_are_not_identical(other: SupportsMsgId) -> None:
    pacer = make()
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.submit(other, 0.0)
    assert pacer.poll(0.0) == [ReqHistoricalData(1), other]


def test_contract_identity_prefers_con_id() -> None:
    pacer = make()
    pacer.submit(ReqHistoricalData(1, contract=Contract(con_id=265598, symbol="AAPL")), 0.0)
    pacer.submit(ReqHistoricalData(2, contract=Contract(con_id=265598, symbol="")), 0.0)
    assert len(pacer.poll(0.0)) == 1


def test_contract_identity_uses_attributes_not_object_identity() -> None:
    pacer = make()
    pacer.submit(ReqHistoricalData(1, contract=Contract(symbol="IBM")), 0.0)
    pacer.submit(ReqHistoricalData(2, contract=Contract(symbol="IBM")), 0.0)
    assert len(pacer.poll(0.0)) == 1


def test_identical_rule_disabled() -> None:
    pacer = make(historical_identical_interval=None)
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.submit(ReqHistoricalData(2), 0.0)
    assert len(pacer.poll(0.0)) == 2


# --------------------------------------------------------------------------------------
# Historical pacing: same contract + exchange + tick type


def test_five_per_two_seconds_for_the_same_contract_exchange_and_tick_type() -> None:
    pacer = make()
    for i in range(6):
        pacer.submit(ReqHistoricalData(i, end_date_time=f"2024010{i + 1} 00:00:00"), 0.0)
    assert len(pacer.poll(0.0)) == 5
    assert pacer.next_deadline() == 2.0 + MARGIN
    assert pacer.poll(2.0 + MARGIN - 0.001) == []
    assert pacer.poll(2.0 + MARGIN) == [ReqHistoricalData(5, end_date_time="20240106 00:00:00")]


def test_same_contract_window_slides() -> None:
    pacer = make()
    for i, t in enumerate([0.0, 0.5, 1.0, 1.5, 1.9]):
        pacer.submit(ReqHistoricalData(i, end_date_time=str(i)), t)
        assert len(pacer.poll(t)) == 1
    pacer.submit(ReqHistoricalData(9, end_date_time="9"), 1.9)
    assert pacer.poll(1.9) == []
    assert pacer.next_deadline() == 2.0 + MARGIN
    assert len(pacer.poll(2.0 + MARGIN)) == 1
    pacer.submit(ReqHistoricalData(10, end_date_time="10"), 2.0)
    assert pacer.poll(2.0 + MARGIN) == []
    assert pacer.next_deadline() == 2.5 + MARGIN


@pytest.mark.parametrize(
    "other",
    [
        {"contract": MSFT},
        {"contract": dataclasses.replace(AAPL, exchange="ISLAND")},
        {"what_to_show": "MIDPOINT"},
    ],
)
def test_same_contract_rule_is_per_contract_exchange_and_tick_type(
    other: dict[str, object],
) -> None:
    pacer = make()
    for i in range(5):
        pacer.submit(ReqHistoricalData(i, end_date_time=str(i)), 0.0)
    extra = ReqHistoricalData(99, end_date_time="99", **other)  # type: ignore[arg-type]
    pacer.submit(extra, 0.0)
    assert len(pacer.poll(0.0)) == 6


def test_bid_ask_counts_twice_in_the_same_contract_window() -> None:
    pacer = make()
    for i in range(3):
        pacer.submit(ReqHistoricalData(i, end_date_time=str(i), what_to_show="BID_ASK"), 0.0)
    assert len(pacer.poll(0.0)) == 2  # weight 4; a third would make 6 > 5
    assert pacer.next_deadline() == 2.0 + MARGIN


def test_bid_ask_weight_is_configurable() -> None:
    pacer = make(historical_bid_ask_weight=1)
    for i in range(5):
        pacer.submit(ReqHistoricalData(i, end_date_time=str(i), what_to_show="BID_ASK"), 0.0)
    assert len(pacer.poll(0.0)) == 5


def test_same_contract_rule_disabled() -> None:
    pacer = make(historical_same_contract_limit=None)
    for i in range(10):
        pacer.submit(ReqHistoricalData(i, end_date_time=str(i)), 0.0)
    assert len(pacer.poll(0.0)) == 10


# --------------------------------------------------------------------------------------
# Historical pacing: 60 per 10 minutes


def test_sixty_per_ten_minutes() -> None:
    pacer = make(historical_max_open=None)
    for i in range(61):
        pacer.submit(ReqHistoricalData(i, contract=contract(i)), float(i))
        pacer.poll(float(i))
    assert pacer.queued == 1
    assert pacer.next_deadline() == 600.0 + MARGIN  # the first went at 0.0
    assert pacer.poll(600.0 + MARGIN - 0.001) == []
    assert pacer.poll(600.0 + MARGIN) == [ReqHistoricalData(60, contract=contract(60))]


def test_bid_ask_counts_twice_in_the_ten_minute_window() -> None:
    pacer = make(historical_max_open=None, max_messages_per_second=None)
    for i in range(31):
        pacer.submit(ReqHistoricalData(i, contract=contract(i), what_to_show="BID_ASK"), 0.0)
    assert len(pacer.poll(0.0)) == 30
    assert pacer.next_deadline() == 600.0 + MARGIN


def test_all_historical_kinds_share_the_ten_minute_window() -> None:
    pacer = make(historical_window_limit=3, historical_max_open=None)
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.submit(ReqHistoricalTicks(2), 0.0)
    pacer.submit(ReqHeadTimestamp(3), 0.0)
    pacer.submit(ReqRealTimeBars(4), 0.0)
    assert len(pacer.poll(0.0)) == 3
    assert pacer.next_deadline() == 600.0 + MARGIN


def test_ten_minute_rule_disabled() -> None:
    pacer = make(NO_GLOBAL, historical_window_limit=None, historical_max_open=None)
    for i in range(100):
        pacer.submit(ReqHistoricalData(i, contract=contract(i)), 0.0)
    assert len(pacer.poll(0.0)) == 100


def test_small_bars_only_leaves_large_bars_unpaced() -> None:
    pacer = make(historical_small_bars_only=True)
    pacer.submit(ReqHistoricalData(1, bar_size_setting="1 min"), 0.0)
    pacer.submit(ReqHistoricalData(2, bar_size_setting="1 min"), 0.0)
    pacer.submit(ReqHistoricalData(3, bar_size_setting="30 secs"), 0.0)
    pacer.submit(ReqHistoricalData(4, bar_size_setting="30 secs"), 0.0)
    assert [m.req_id for m in pacer.poll(0.0)] == [1, 2, 3]  # type: ignore[attr-defined]
    assert pacer.next_deadline() == 15.0 + MARGIN


# --------------------------------------------------------------------------------------
# Open historical requests


def fill_open(pacer: Pacer[SupportsMsgId], n: int = 50, **kw: object) -> None:
    """Send ``n`` historical requests for distinct contracts, 20 per second from 0.0."""
    for i in range(n):
        now = i * 0.05
        pacer.submit(ReqHistoricalData(i, contract=contract(i), **kw), now)  # type: ignore[arg-type]
        assert len(pacer.poll(now)) == 1


def test_fifty_open_at_once() -> None:
    pacer = make()
    fill_open(pacer)
    pacer.submit(ReqHistoricalData(50, contract=contract(50)), 10.0)
    assert pacer.poll(10.0) == []
    assert pacer.open_historical == 50
    # Only an end can free a slot: waiting alone releases nothing.
    assert pacer.next_deadline() is None
    assert pacer.poll(100.0) == []


def test_open_request_ends_with_its_end_message() -> None:
    pacer: Pacer[SupportsMsgId] = Pacer(PacingConfig(), server_version=196)
    fill_open(pacer)
    pacer.submit(ReqHistoricalData(50, contract=contract(50)), 10.0)
    pacer.poll(10.0)
    pacer.on_incoming(HistoricalData(3), 10.5)  # bars, not the end, at >= 196
    assert pacer.poll(10.5) == []
    pacer.on_incoming(HistoricalDataEnd(3), 10.5)
    assert pacer.next_deadline() == 10.5
    assert pacer.poll(10.5) == [ReqHistoricalData(50, contract=contract(50))]


@pytest.mark.parametrize("version", [None, 195])
def test_historical_data_ends_the_request_below_196(version: int | None) -> None:
    pacer = make()
    pacer.server_version = version
    fill_open(pacer)
    pacer.on_incoming(HistoricalData(3), 10.0)
    assert pacer.open_historical == 49


def test_open_request_ends_with_an_error() -> None:
    pacer = make()
    fill_open(pacer)
    pacer.on_incoming(ErrMsg(7, 162, "HMDS query returned no data"), 10.0)
    assert pacer.open_historical == 49
    assert pacer.events() == []  # no pacing text: no backoff


@pytest.mark.parametrize("code", [2106, 2174, 165, 10167])
def test_warnings_do_not_end_requests(code: int) -> None:
    pacer = make()
    fill_open(pacer, 3)
    pacer.on_incoming(ErrMsg(1, code, "notice"), 1.0)
    assert pacer.open_historical == 3


def test_open_request_ends_with_its_cancel() -> None:
    pacer = make()
    fill_open(pacer)
    pacer.submit(ReqHistoricalData(50, contract=contract(50)), 10.0)
    pacer.poll(10.0)
    pacer.submit(CancelHistoricalData(4), 10.1)
    assert pacer.poll(10.1) == [
        CancelHistoricalData(4),
        ReqHistoricalData(50, contract=contract(50)),
    ]


def test_keep_up_to_date_stays_open_until_cancelled() -> None:
    pacer = make()
    fill_open(pacer, 2, keep_up_to_date=True)
    pacer.on_incoming(HistoricalData(0), 1.0)
    pacer.on_incoming(HistoricalDataEnd(0), 1.0)
    assert pacer.open_historical == 2
    pacer.submit(CancelHistoricalData(0), 1.0)
    assert pacer.open_historical == 1
    pacer.on_incoming(ErrMsg(1, 162, "Historical Market Data Service error message"), 1.0)
    assert pacer.open_historical == 0


def test_historical_ticks_end_when_done() -> None:
    pacer = make()
    pacer.submit(ReqHistoricalTicks(1), 0.0)
    pacer.poll(0.0)
    pacer.on_incoming(HistoricalTicks(1, done=False), 0.1)
    assert pacer.open_historical == 1
    pacer.on_incoming(HistoricalTicks(1, done=True), 0.2)
    assert pacer.open_historical == 0


def test_head_timestamp_ends_its_request() -> None:
    pacer = make()
    pacer.submit(ReqHeadTimestamp(1), 0.0)
    pacer.poll(0.0)
    pacer.on_incoming(HeadTimestamp(1), 0.1)
    assert pacer.open_historical == 0


def test_real_time_bars_are_not_open_historical_requests() -> None:
    pacer = make()
    pacer.submit(ReqRealTimeBars(1), 0.0)
    pacer.poll(0.0)
    assert pacer.open_historical == 0
    assert pacer.stats.market_data_lines_in_use == 1


def test_open_limit_disabled() -> None:
    pacer = make(historical_max_open=None)
    fill_open(pacer, 55)
    assert pacer.open_historical == 55


def test_plain_messages_pass_a_held_historical_request() -> None:
    pacer = make()
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.submit(ReqHistoricalData(2), 0.0)
    pacer.submit(ReqCurrentTime(3), 0.0)
    assert pacer.poll(0.0) == [ReqHistoricalData(1), ReqCurrentTime(3)]


def test_eligible_historical_request_keeps_its_place_in_line() -> None:
    pacer = make(ONE)
    pacer.submit(ReqCurrentTime(1), 0.0)
    pacer.submit(ReqHistoricalData(2), 0.0)
    pacer.submit(ReqCurrentTime(3), 0.0)
    sent = [m for _, m in run_until(pacer, 10.0)]
    assert sent == [ReqCurrentTime(1), ReqHistoricalData(2), ReqCurrentTime(3)]


# --------------------------------------------------------------------------------------
# Budgets


def test_market_data_lines_refused_at_once() -> None:
    pacer = make(market_data_lines=2)
    pacer.submit(ReqMktData(1), 0.0)
    pacer.submit(ReqMktData(2), 0.0)
    with pytest.raises(MarketDataLinesExceededError) as info:
        pacer.submit(ReqMktData(3), 0.0)
    error = info.value
    assert isinstance(error, BudgetExceededError)
    assert isinstance(error, PacingError)
    assert (error.budget, error.limit, error.in_use, error.req_id) == (
        Budget.MARKET_DATA_LINES,
        2,
        2,
        3,
    )
    assert "2 of 2" in str(error)
    assert "market_data_lines" in str(error)
    assert pacer.queued == 2  # the refused request was not queued
    assert pacer.stats.refused_by_budget == {Budget.MARKET_DATA_LINES: 1}
    assert pacer.stats.submitted == 2


def test_market_data_line_released_by_cancel() -> None:
    pacer = make(market_data_lines=1)
    pacer.submit(ReqMktData(1), 0.0)
    pacer.poll(0.0)
    pacer.submit(CancelMktData(1), 1.0)
    pacer.submit(ReqMktData(2), 1.0)
    assert pacer.poll(1.0) == [CancelMktData(1), ReqMktData(2)]


def test_market_data_line_released_by_error() -> None:
    pacer = make(market_data_lines=1)
    pacer.submit(ReqMktData(1), 0.0)
    pacer.poll(0.0)
    pacer.on_incoming(ErrMsg(1, 200, "No security definition has been found"), 1.0)
    pacer.submit(ReqMktData(2), 1.0)


def test_market_data_line_kept_on_warning() -> None:
    pacer = make(market_data_lines=1)
    pacer.submit(ReqMktData(1), 0.0)
    pacer.on_incoming(ErrMsg(1, 10167, "Displaying delayed market data"), 1.0)
    with pytest.raises(MarketDataLinesExceededError):
        pacer.submit(ReqMktData(2), 1.0)


def test_error_without_request_id_releases_nothing() -> None:
    pacer = make(market_data_lines=1)
    pacer.submit(ReqMktData(1), 0.0)
    pacer.on_incoming(ErrMsg(-1, 1100, "Connectivity lost"), 1.0)
    assert pacer.stats.market_data_lines_in_use == 1


def test_snapshot_holds_a_line_until_it_ends() -> None:
    pacer = make(market_data_lines=1)
    pacer.submit(ReqMktData(1, snapshot=True), 0.0)
    pacer.poll(0.0)
    with pytest.raises(MarketDataLinesExceededError):
        pacer.submit(ReqMktData(2), 0.5)
    pacer.on_incoming(TickSnapshotEnd(1), 11.0)
    pacer.submit(ReqMktData(2), 11.0)


def test_same_request_id_does_not_take_a_second_line() -> None:
    pacer = make(market_data_lines=1)
    pacer.submit(ReqMktData(1), 0.0)
    pacer.submit(ReqMktData(1), 0.0)
    assert pacer.stats.market_data_lines_in_use == 1


def test_market_data_lines_disabled() -> None:
    pacer = make(market_data_lines=None)
    for i in range(500):
        pacer.submit(ReqMktData(i), 0.0)


def test_real_time_bars_take_a_line() -> None:
    pacer = make(market_data_lines=1)
    pacer.submit(ReqRealTimeBars(1), 0.0)
    with pytest.raises(MarketDataLinesExceededError):
        pacer.submit(ReqMktData(2), 0.0)
    pacer.submit(CancelRealTimeBars(1), 0.0)
    pacer.submit(ReqMktData(2), 0.0)


def test_market_depth_budget() -> None:
    pacer = make()
    for i in range(3):
        pacer.submit(ReqMktDepth(i), 0.0)
    with pytest.raises(MarketDepthLimitExceededError) as info:
        pacer.submit(ReqMktDepth(3), 0.0)
    assert (info.value.limit, info.value.in_use, info.value.budget) == (3, 3, Budget.MARKET_DEPTH)
    assert "market_depth_limit" in str(info.value)
    pacer.submit(CancelMktDepth(0), 0.0)
    pacer.submit(ReqMktDepth(3), 0.0)
    with pytest.raises(MarketDepthLimitExceededError):
        pacer.submit(ReqMktDepth(4), 0.0)
    pacer.on_incoming(ErrMsg(1, 309, "Max number of market depth requests"), 0.0)
    pacer.submit(ReqMktDepth(4), 0.0)


def test_market_depth_also_takes_a_line() -> None:
    pacer = make(market_data_lines=2)
    pacer.submit(ReqMktData(1), 0.0)
    pacer.submit(ReqMktDepth(2), 0.0)
    assert pacer.stats.market_data_lines_in_use == 2
    with pytest.raises(MarketDataLinesExceededError):
        pacer.submit(ReqMktDepth(3), 0.0)
    assert pacer.stats.market_depth_in_use == 1  # the refused one holds nothing


def test_tick_by_tick_budget() -> None:
    pacer = make()
    for i in range(3):
        pacer.submit(ReqTickByTickData(i, contract=contract(i)), 0.0)
    with pytest.raises(TickByTickLimitExceededError) as info:
        pacer.submit(ReqTickByTickData(3, contract=contract(3)), 0.0)
    assert (info.value.limit, info.value.in_use) == (3, 3)
    pacer.submit(CancelTickByTickData(0), 0.0)
    pacer.submit(ReqTickByTickData(3, contract=contract(3)), 0.0)
    pacer.on_incoming(ErrMsg(1, 10189, "Failed to request tick-by-tick data"), 0.0)
    pacer.submit(ReqTickByTickData(4, contract=contract(4)), 0.0)


def test_tick_by_tick_same_instrument_waits_15_seconds() -> None:
    pacer = make()
    pacer.submit(ReqTickByTickData(1, tick_type="Last"), 0.0)
    pacer.submit(ReqTickByTickData(2, tick_type="BidAsk"), 0.0)
    pacer.submit(ReqTickByTickData(3, contract=MSFT), 0.0)
    assert pacer.poll(0.0) == [
        ReqTickByTickData(1, tick_type="Last"),
        ReqTickByTickData(3, contract=MSFT),
    ]
    # Counted at TWS: the first may arrive 0.1 s late, the second on time.
    assert pacer.next_deadline() == 15.0 + MARGIN
    assert pacer.poll(15.0) == []
    assert pacer.poll(15.0 + MARGIN) == [ReqTickByTickData(2, tick_type="BidAsk")]


def test_tick_by_tick_instrument_interval_disabled() -> None:
    pacer = make(tick_by_tick_instrument_interval=None)
    pacer.submit(ReqTickByTickData(1), 0.0)
    pacer.submit(ReqTickByTickData(2), 0.0)
    assert len(pacer.poll(0.0)) == 2


def test_regulatory_snapshots_one_per_second() -> None:
    pacer = make()
    pacer.submit(ReqMktData(1, regulatory_snapshot=True), 0.0)
    pacer.submit(ReqMktData(2, regulatory_snapshot=True), 0.0)
    pacer.submit(ReqMktData(3), 0.0)
    assert pacer.poll(0.0) == [ReqMktData(1, regulatory_snapshot=True), ReqMktData(3)]
    assert pacer.next_deadline() == 1.0 + MARGIN
    assert pacer.poll(1.0) == []
    assert pacer.poll(1.0 + MARGIN) == [ReqMktData(2, regulatory_snapshot=True)]


# --------------------------------------------------------------------------------------
# Backoff


def test_error_100_lowers_the_rate_for_a_while() -> None:
    pacer = make(burst=1)
    pacer.on_incoming(ErrMsg(-1, 100, "Max rate of messages per second has been exceeded"), 10.0)
    assert pacer.rate_limit == 22
    assert pacer.events() == [BackoffStarted(10.0, BackoffKind.RATE, 100, -1, 1, 20.0, 22)]
    for i in range(30):
        pacer.submit(ReqCurrentTime(i), 10.0)
    assert len(pacer.poll(10.0)) == 1
    assert pacer.next_deadline() == pytest.approx(10.0 + 1 / 22)
    sent = times_of(run_until(pacer, 11.0 - 1e-9))
    assert len(sent) == 21  # 22 in the first second, counting the one at 10.0
    pacer.poll(20.0)
    assert pacer.rate_limit == 45
    assert BackoffEnded(20.0, BackoffKind.RATE) in pacer.events()


def test_a_lowered_rate_frees_no_burst_the_old_rate_spent() -> None:
    pacer = make()
    for i in range(10):
        pacer.submit(ReqCurrentTime(i), 0.0)
    assert len(pacer.poll(0.0)) == 10  # the whole burst is spent
    pacer.on_incoming(ErrMsg(-1, 100, ""), 0.001)
    assert pacer.rate_limit == 22
    pacer.submit(ReqCurrentTime(10), 0.001)
    # The spent tokens stay spent at the lower rate: one more goes only after the
    # bucket has earned a token back at 22 per second, not at once.
    assert pacer.poll(0.001) == []
    wake = pacer.next_deadline()
    assert wake is not None and wake > 1 / 45
    assert pacer.poll(wake) == [ReqCurrentTime(10)]


def test_rate_backoff_deepens_only_after_a_window() -> None:
    pacer = make()
    pacer.on_incoming(ErrMsg(-1, 100, ""), 0.0)
    pacer.on_incoming(ErrMsg(-1, 100, ""), 0.5)  # caused by messages sent before 0.0
    assert pacer.rate_limit == 22
    pacer.on_incoming(ErrMsg(-1, 100, ""), 1.5)
    assert pacer.rate_limit == 11
    events = [e for e in pacer.events() if isinstance(e, BackoffStarted)]
    assert [e.level for e in events] == [1, 2]
    assert pacer.stats.rate_errors == 3
    # Each error extends the backoff.
    pacer.poll(11.0)
    assert pacer.rate_limit == 11
    pacer.poll(11.5)
    assert pacer.rate_limit == 45


def test_rate_backoff_floor_is_one_message() -> None:
    pacer = make()
    for i in range(20):
        pacer.on_incoming(ErrMsg(-1, 100, ""), float(i))
    assert pacer.rate_limit == 1


def test_rate_returns_to_nominal_after_the_backoff() -> None:
    pacer = make(rate_backoff_factor=0.1, rate_backoff_duration=0.1, burst=1)
    pacer.on_incoming(ErrMsg(-1, 100, ""), 0.0)
    assert pacer.rate_limit == 4
    for i in range(10):
        pacer.submit(ReqCurrentTime(i), 0.0)
    assert len(pacer.poll(0.0)) == 1
    assert pacer.next_deadline() == 0.25  # 4 per second while the backoff lasts
    assert len(pacer.poll(0.25)) == 1
    assert pacer.rate_limit == 45
    assert pacer.next_deadline() == pytest.approx(0.25 + 1 / 45)


def test_rate_backoff_applies_when_server_paced() -> None:
    pacer = make(PacingConfig(server_paced=True))
    pacer.on_incoming(ErrMsg(-1, 100, ""), 0.0)
    assert pacer.rate_limit == 22
    pacer.poll(10.0)
    assert pacer.rate_limit is None


def test_rate_backoff_disabled() -> None:
    pacer = make(rate_backoff=False)
    pacer.on_incoming(ErrMsg(-1, 100, ""), 0.0)
    assert pacer.rate_limit == 45
    assert pacer.events() == []
    assert pacer.stats.rate_errors == 1


PACING_162 = "Historical Market Data Service error message:Historical data request pacing violation"


def test_error_162_pacing_pauses_historical_requests() -> None:
    pacer = make()
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.poll(0.0)
    pacer.on_incoming(ErrMsg(1, 162, PACING_162), 1.0)
    assert pacer.open_historical == 0
    assert pacer.events() == [BackoffStarted(1.0, BackoffKind.HISTORICAL, 162, 1, 1, 16.0)]
    pacer.submit(ReqHistoricalData(2, contract=MSFT), 1.0)
    pacer.submit(ReqCurrentTime(), 1.0)
    assert pacer.poll(1.0) == [ReqCurrentTime()]
    assert pacer.next_deadline() == 16.0
    assert pacer.poll(16.0) == [ReqHistoricalData(2, contract=MSFT)]
    assert BackoffEnded(16.0, BackoffKind.HISTORICAL) in pacer.events()
    assert pacer.stats.historical_pacing_errors == 1


def test_error_162_pause_doubles_on_repeat_and_resets_later() -> None:
    pacer = make()
    pacer.on_incoming(ErrMsg(1, 162, PACING_162), 0.0)
    pacer.on_incoming(ErrMsg(2, 162, PACING_162), 5.0)  # same burst: ignored
    pacer.on_incoming(ErrMsg(3, 162, PACING_162), 20.0)  # soon after the pause: doubles
    pacer.on_incoming(ErrMsg(4, 162, PACING_162), 200.0)  # long after: starts over
    started = [e for e in pacer.events() if isinstance(e, BackoffStarted)]
    assert [(e.at, e.level, e.until) for e in started] == [
        (0.0, 1, 15.0),
        (20.0, 2, 50.0),
        (200.0, 1, 215.0),
    ]


def test_error_162_pause_is_capped() -> None:
    started_lengths: list[float] = []
    pacer = make(backoff_max=40.0)
    t = 0.0
    for _ in range(5):
        pacer.on_incoming(ErrMsg(1, 162, PACING_162), t)
        event = [e for e in pacer.events() if isinstance(e, BackoffStarted)][-1]
        started_lengths.append(event.until - event.at)
        t = event.until + 0.1
    assert started_lengths == pytest.approx([15.0, 30.0, 40.0, 40.0, 40.0])


def test_error_162_without_pacing_text_only_ends_the_request() -> None:
    pacer = make()
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.poll(0.0)
    pacer.on_incoming(ErrMsg(1, 162, "HMDS query returned no data"), 1.0)
    assert pacer.open_historical == 0
    assert pacer.events() == []
    pacer.submit(ReqHistoricalData(2, contract=MSFT), 1.0)
    assert len(pacer.poll(1.0)) == 1


def test_historical_backoff_disabled() -> None:
    pacer = make(historical_backoff=None)
    pacer.on_incoming(ErrMsg(1, 162, PACING_162), 0.0)
    pacer.submit(ReqHistoricalData(2), 0.0)
    assert len(pacer.poll(0.0)) == 1


def test_error_420_pauses_real_time_requests() -> None:
    pacer = make()
    pacer.submit(ReqRealTimeBars(1), 0.0)
    pacer.poll(0.0)
    pacer.on_incoming(
        ErrMsg(1, 420, "Invalid Real-time Query:Historical data request pacing violation"), 1.0
    )
    assert pacer.stats.market_data_lines_in_use == 0
    assert pacer.events() == [BackoffStarted(1.0, BackoffKind.REALTIME, 420, 1, 1, 16.0)]
    pacer.submit(ReqRealTimeBars(2, contract=MSFT), 1.0)
    pacer.submit(ReqTickByTickData(3, contract=MSFT), 1.0)
    pacer.submit(ReqHistoricalData(4, contract=MSFT), 1.0)
    pacer.submit(ReqMktData(5, contract=MSFT), 1.0)
    assert pacer.poll(1.0) == [ReqHistoricalData(4, contract=MSFT), ReqMktData(5, contract=MSFT)]
    assert pacer.next_deadline() == 16.0
    assert pacer.poll(16.0) == [
        ReqRealTimeBars(2, contract=MSFT),
        ReqTickByTickData(3, contract=MSFT),
    ]
    assert pacer.stats.realtime_errors == 1


def test_error_420_without_pacing_text_only_ends_the_request() -> None:
    # A permission failure for one instrument says nothing about the others.
    pacer = make()
    pacer.submit(ReqRealTimeBars(1), 0.0)
    pacer.poll(0.0)
    pacer.on_incoming(
        ErrMsg(1, 420, "Invalid Real-time Query:No market data permissions for ISLAND STK."), 0.5
    )
    assert pacer.stats.market_data_lines_in_use == 0
    assert pacer.events() == []
    pacer.submit(ReqRealTimeBars(2, contract=MSFT), 0.5)
    pacer.submit(ReqTickByTickData(3, contract=MSFT), 0.5)
    assert len(pacer.poll(0.5)) == 2
    assert pacer.stats.realtime_errors == 0


def test_realtime_backoff_disabled() -> None:
    pacer = make(realtime_backoff=None)
    pacer.on_incoming(
        ErrMsg(1, 420, "Invalid Real-time Query:Historical data request pacing violation"), 0.0
    )
    assert pacer.events() == []
    pacer.submit(ReqTickByTickData(2), 0.0)
    assert len(pacer.poll(0.0)) == 1


def test_historical_backoff_also_holds_real_time_bars() -> None:
    pacer = make()
    pacer.on_incoming(ErrMsg(1, 162, PACING_162), 0.0)
    pacer.submit(ReqRealTimeBars(2), 0.0)
    assert pacer.poll(0.0) == []
    assert pacer.poll(15.0) == [ReqRealTimeBars(2)]


def test_irrelevant_incoming_messages_change_nothing() -> None:
    pacer = make()
    fill_open(pacer, 2)
    pacer.on_incoming(TickPrice(0), 1.0)
    assert pacer.open_historical == 2
    assert pacer.events() == []


# --------------------------------------------------------------------------------------
# Historical pacing on TWS's arrival times


def test_historical_windows_allow_for_the_arrival_jitter() -> None:
    assert MARGIN > PacingConfig().arrival_jitter == 0.1
    pacer = make(arrival_jitter=0.3)
    for i in range(6):
        pacer.submit(ReqHistoricalData(i, end_date_time=str(i)), 0.0)
    assert len(pacer.poll(0.0)) == 5
    # The first may reach TWS at once and the sixth 0.3 s late: 2 s apart there.
    assert pacer.next_deadline() == pytest.approx(2.3, abs=1e-5)
    assert pacer.poll(2.29) == []


def test_instrument_spacing_allows_for_the_arrival_jitter() -> None:
    # A first request that reaches TWS 0.3 s late and a second on time must still
    # be 15 s (tick-by-tick) or 1 s (regulatory snapshots) apart there.
    pacer = make(arrival_jitter=0.3)
    pacer.submit(ReqTickByTickData(1), 0.0)
    pacer.submit(ReqTickByTickData(2), 0.0)
    pacer.submit(ReqMktData(3, regulatory_snapshot=True), 0.0)
    pacer.submit(ReqMktData(4, regulatory_snapshot=True), 0.0)
    assert pacer.poll(0.0) == [ReqTickByTickData(1), ReqMktData(3, regulatory_snapshot=True)]
    assert pacer.next_deadline() == pytest.approx(1.3, abs=1e-5)
    assert pacer.poll(1.29) == []
    assert pacer.poll(1.31) == [ReqMktData(4, regulatory_snapshot=True)]
    assert pacer.next_deadline() == pytest.approx(15.3, abs=1e-5)
    assert pacer.poll(15.29) == []
    assert pacer.poll(15.31) == [ReqTickByTickData(2)]


def test_without_jitter_instrument_spacing_is_ibs_own() -> None:
    pacer = make(arrival_jitter=0.0)
    pacer.submit(ReqTickByTickData(1), 0.0)
    pacer.submit(ReqTickByTickData(2), 0.0)
    pacer.poll(0.0)
    assert pacer.next_deadline() == 15.0


def test_without_jitter_historical_windows_are_ibs_own() -> None:
    assert PacingConfig(arrival_jitter=0.0).historical_margin == 0.0
    pacer = make(arrival_jitter=0.0)
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.submit(ReqHistoricalData(2), 0.0)
    pacer.poll(0.0)
    assert pacer.next_deadline() == 15.0
