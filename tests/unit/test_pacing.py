"""Unit tests for ibwire.pacing: every rule's edges, on a fake clock."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from ibwire.errors import PacingError
from ibwire.ids import IncomingId, OutgoingId
from ibwire.pacing import (
    PACEAPI_CONNECT_OPTION,
    PRIORITY_MSG_IDS,
    BackoffEnded,
    BackoffKind,
    BackoffStarted,
    Budget,
    BudgetExceededError,
    MarketDataLinesExceededError,
    MarketDepthLimitExceededError,
    MessageDelayed,
    Pacer,
    PacingConfig,
    RequestWithdrawn,
    Rule,
    SupportsMsgId,
    ThrottlingEnded,
    ThrottlingStarted,
    TickByTickLimitExceededError,
    depth_limit_for_lines,
)

# --------------------------------------------------------------------------------------
# Stub messages: the attributes the pacer reads, nothing else.


@dataclass(frozen=True, slots=True)
class Contract:
    con_id: int = 0
    symbol: str = "AAPL"
    sec_type: str = "STK"
    last_trade_date_or_contract_month: str = ""
    strike: float = 0.0
    right: str = ""
    multiplier: str = ""
    exchange: str = "SMART"
    primary_exchange: str = ""
    currency: str = "USD"
    local_symbol: str = ""
    trading_class: str = ""


AAPL = Contract(symbol="AAPL")
MSFT = Contract(symbol="MSFT")


def contract(n: int) -> Contract:
    return Contract(con_id=1000 + n)


@dataclass(frozen=True, slots=True)
class ReqCurrentTime:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_CURRENT_TIME
    tag: int = 0


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    MSG_ID: ClassVar[int] = OutgoingId.PLACE_ORDER
    order_id: int


@dataclass(frozen=True, slots=True)
class CancelOrder:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_ORDER
    order_id: int


@dataclass(frozen=True, slots=True)
class ReqGlobalCancel:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_GLOBAL_CANCEL


@dataclass(frozen=True, slots=True)
class ReqHistoricalData:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_HISTORICAL_DATA
    req_id: int
    contract: Contract = AAPL
    end_date_time: str = ""
    duration_str: str = "1800 S"
    bar_size_setting: str = "5 secs"
    what_to_show: str = "TRADES"
    use_rth: bool = True
    format_date: int = 1
    keep_up_to_date: bool = False
    chart_options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CancelHistoricalData:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_HISTORICAL_DATA
    req_id: int


@dataclass(frozen=True, slots=True)
class ReqHistoricalTicks:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_HISTORICAL_TICKS
    req_id: int
    contract: Contract = AAPL
    start_date_time: str = ""
    end_date_time: str = "20240102 16:00:00"
    number_of_ticks: int = 1000
    what_to_show: str = "TRADES"
    use_rth: bool = True
    ignore_size: bool = False
    misc_options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReqHeadTimestamp:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_HEAD_TIMESTAMP
    req_id: int
    contract: Contract = AAPL
    what_to_show: str = "TRADES"
    use_rth: bool = True
    format_date: int = 1


@dataclass(frozen=True, slots=True)
class ReqRealTimeBars:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_REAL_TIME_BARS
    req_id: int
    contract: Contract = AAPL
    bar_size: int = 5
    what_to_show: str = "TRADES"
    use_rth: bool = True


@dataclass(frozen=True, slots=True)
class CancelRealTimeBars:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_REAL_TIME_BARS
    req_id: int


@dataclass(frozen=True, slots=True)
class ReqMktData:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_MKT_DATA
    req_id: int
    contract: Contract = AAPL
    snapshot: bool = False
    regulatory_snapshot: bool = False


@dataclass(frozen=True, slots=True)
class CancelMktData:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_MKT_DATA
    req_id: int


@dataclass(frozen=True, slots=True)
class ReqMktDepth:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_MKT_DEPTH
    req_id: int
    contract: Contract = AAPL


@dataclass(frozen=True, slots=True)
class CancelMktDepth:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_MKT_DEPTH
    req_id: int


@dataclass(frozen=True, slots=True)
class ReqTickByTickData:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_TICK_BY_TICK_DATA
    req_id: int
    contract: Contract = AAPL
    tick_type: str = "Last"


@dataclass(frozen=True, slots=True)
class CancelTickByTickData:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_TICK_BY_TICK_DATA
    req_id: int


# Incoming.


@dataclass(frozen=True, slots=True)
class ErrMsg:
    MSG_ID: ClassVar[int] = IncomingId.ERR_MSG
    req_id: int
    error_code: int
    error_string: str = ""


@dataclass(frozen=True, slots=True)
class HistoricalData:
    MSG_ID: ClassVar[int] = IncomingId.HISTORICAL_DATA
    req_id: int


@dataclass(frozen=True, slots=True)
class HistoricalDataEnd:
    MSG_ID: ClassVar[int] = IncomingId.HISTORICAL_DATA_END
    req_id: int


@dataclass(frozen=True, slots=True)
class HistoricalTicks:
    MSG_ID: ClassVar[int] = IncomingId.HISTORICAL_TICKS
    req_id: int
    done: bool


@dataclass(frozen=True, slots=True)
class HeadTimestamp:
    MSG_ID: ClassVar[int] = IncomingId.HEAD_TIMESTAMP
    req_id: int


@dataclass(frozen=True, slots=True)
class TickSnapshotEnd:
    MSG_ID: ClassVar[int] = IncomingId.TICK_SNAPSHOT_END
    req_id: int


@dataclass(frozen=True, slots=True)
class TickPrice:
    MSG_ID: ClassVar[int] = IncomingId.TICK_PRICE
    req_id: int


# --------------------------------------------------------------------------------------
# Helpers

# One message per second, exactly: no burst room beyond the cap, no jitter allowance.
ONE: PacingConfig = PacingConfig(
    max_messages_per_second=1, rate_safety_margin=0, arrival_jitter=0.0
)
NO_GLOBAL = PacingConfig(max_messages_per_second=None)


def make(config: PacingConfig | None = None, **kw: object) -> Pacer[SupportsMsgId]:
    if kw:
        config = dataclasses.replace(config or PacingConfig(), **kw)  # type: ignore[arg-type]
    return Pacer(config)


def run_until(pacer: Pacer[SupportsMsgId], end: float) -> list[tuple[float, SupportsMsgId]]:
    """Poll at every deadline up to ``end``; return (send time, message) pairs."""
    sent: list[tuple[float, SupportsMsgId]] = []
    while True:
        wake = pacer.next_deadline()
        if wake is None or wake > end:
            return sent
        sent.extend((wake, m) for m in pacer.poll(wake))


def times_of(sent: list[tuple[float, SupportsMsgId]]) -> list[float]:
    return [t for t, _ in sent]


def kinds(events: Sequence[object]) -> list[type]:
    return [type(e) for e in events]


# --------------------------------------------------------------------------------------
# Configuration


def test_default_config_is_ibs_documented_values() -> None:
    cfg = PacingConfig()
    assert cfg.effective_rate_limit == 45
    assert cfg.historical_identical_interval == 15.0
    assert (cfg.historical_same_contract_limit, cfg.historical_same_contract_window) == (5, 2.0)
    assert (cfg.historical_window_limit, cfg.historical_window) == (60, 600.0)
    assert cfg.historical_bid_ask_weight == 2
    assert cfg.historical_max_open == 50
    assert cfg.market_data_lines == 100
    assert cfg.market_depth_limit == 3
    assert cfg.tick_by_tick_limit == 3
    assert cfg.tick_by_tick_instrument_interval == 15.0
    assert cfg.connect_options == ""


def test_server_paced_turns_off_only_the_global_rule() -> None:
    cfg = PacingConfig(server_paced=True)
    assert cfg.effective_rate_limit is None
    assert cfg.connect_options == PACEAPI_CONNECT_OPTION == "+PACEAPI"
    assert cfg.historical_identical_interval == 15.0
    assert cfg.market_data_lines == 100


@pytest.mark.parametrize(
    ("lines", "allowance"),
    [(0, 3), (100, 3), (399, 3), (400, 4), (499, 4), (500, 5), (5999, 59), (6000, 60), (10**6, 60)],
)
def test_depth_allowance_formula(lines: int, allowance: int) -> None:
    assert depth_limit_for_lines(lines) == allowance


def test_config_for_market_data_lines_derives_depth_and_tick_by_tick() -> None:
    cfg = PacingConfig.for_market_data_lines(500)
    assert (cfg.market_data_lines, cfg.market_depth_limit, cfg.tick_by_tick_limit) == (500, 5, 5)


@pytest.mark.parametrize(
    "bad",
    [
        {"max_messages_per_second": 0},
        {"rate_safety_margin": 50},
        {"rate_safety_margin": -1},
        {"historical_identical_interval": 0.0},
        {"historical_window_limit": 0},
        {"market_data_lines": -1},
        {"rate_backoff_factor": 0.0},
        {"rate_backoff_factor": 1.5},
        {"historical_bid_ask_weight": 0},
    ],
)
def test_config_rejects_nonsense(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="PacingConfig"):
        PacingConfig(**bad)  # type: ignore[arg-type]


def test_config_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PacingConfig().market_data_lines = 5  # type: ignore[misc]


def test_priority_ids() -> None:
    assert OutgoingId.CANCEL_MKT_DATA in PRIORITY_MSG_IDS
    assert OutgoingId.CANCEL_ORDER in PRIORITY_MSG_IDS
    assert OutgoingId.REQ_GLOBAL_CANCEL in PRIORITY_MSG_IDS
    assert OutgoingId.CANCEL_HISTORICAL_TICKS in PRIORITY_MSG_IDS
    assert OutgoingId.REQ_MKT_DATA not in PRIORITY_MSG_IDS
    assert OutgoingId.PLACE_ORDER not in PRIORITY_MSG_IDS


def test_module_does_no_io() -> None:
    import ibwire.pacing

    tree = ast.parse(Path(ibwire.pacing.__file__).read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & {"socket", "threading", "asyncio", "selectors", "time", "logging"}


# --------------------------------------------------------------------------------------
# Global rate


def test_burst_then_the_steady_rate() -> None:
    pacer = make()
    for i in range(12):
        pacer.submit(ReqCurrentTime(i), 0.0)
    assert len(pacer.poll(0.0)) == 10  # the burst
    assert pacer.burst == 10
    assert pacer.rate_limit == 45
    assert pacer.next_deadline() == pytest.approx(1 / 45)
    assert pacer.poll(0.02) == []
    wake = pacer.next_deadline()
    assert wake is not None
    assert pacer.poll(wake) == [ReqCurrentTime(10)]
    assert pacer.next_deadline() == pytest.approx(2 / 45)


def test_window_is_half_open_just_before_the_boundary() -> None:
    pacer = make(ONE)
    pacer.submit(ReqCurrentTime(1), 0.0)
    assert len(pacer.poll(0.0)) == 1
    pacer.submit(ReqCurrentTime(2), 0.999999)
    assert pacer.poll(0.999999) == []
    assert pacer.next_deadline() == 1.0


def test_window_is_half_open_exactly_at_the_boundary() -> None:
    pacer = make(ONE)
    pacer.submit(ReqCurrentTime(1), 0.0)
    assert len(pacer.poll(0.0)) == 1
    pacer.submit(ReqCurrentTime(2), 1.0)
    assert pacer.poll(1.0) == [ReqCurrentTime(2)]


def test_boundary_holds_for_inexact_float_times() -> None:
    # 0.1 + 1.0 - 0.1 != 1.0 in binary floating point; the deadline must still work.
    pacer = make(ONE)
    pacer.submit(ReqCurrentTime(1), 0.1)
    pacer.poll(0.1)
    pacer.submit(ReqCurrentTime(2), 0.1)
    assert pacer.poll(0.1) == []
    wake = pacer.next_deadline()
    assert wake == 0.1 + 1.0
    assert wake is not None
    assert pacer.poll(wake) == [ReqCurrentTime(2)]


def test_bucket_refills_while_idle() -> None:
    pacer = make()
    for i in range(10):
        pacer.submit(ReqCurrentTime(i), 0.0)
    assert len(pacer.poll(0.0)) == 10
    for i in range(10):
        pacer.submit(ReqCurrentTime(100 + i), 0.1)
    # A tenth of a second refills 4.5 tokens: 4 go, then one per 1/45 s.
    assert len(pacer.poll(0.1)) == 4
    run_until(pacer, 10.0)  # the rest go at the steady rate; then a quiet spell
    for i in range(20):
        pacer.submit(ReqCurrentTime(200 + i), 10.0)
    assert len(pacer.poll(10.0)) == 10  # full again, never more than the burst


def test_rate_never_exceeded_over_a_long_burst() -> None:
    pacer = make()
    for i in range(500):
        pacer.submit(ReqCurrentTime(i), 0.0)
    sent = times_of(run_until(pacer, 100.0))
    assert len(sent) == 500
    # Never more than 50 within 1.1 s (what TWS sees with 0.1 s of jitter), and
    # the steady 45/s after the burst: burst + 45 per second.
    for i in range(len(sent) - 50):
        assert sent[i + 50] >= sent[i] + 1.1
    for i in range(len(sent) - 55):
        assert sent[i + 55] >= sent[i] + 1.0 - 1e-9
    # Once the burst is spent, the bucket alone sets the pace: 45 per second.
    for i in range(100, len(sent) - 45):
        assert sent[i + 45] - sent[i] == pytest.approx(1.0)


def test_the_cap_binds_when_the_burst_is_large() -> None:
    pacer = make(burst=40)
    for i in range(100):
        pacer.submit(ReqCurrentTime(i), 0.0)
    sent = times_of(run_until(pacer, 100.0))
    assert sent[:40] == [0.0] * 40
    # 40 + 45/s would put 89 in the first 1.1 s; the cap keeps it to 50.
    assert sum(1 for t in sent if t < 1.1) == 50


def test_connect_slot_waits_when_the_ceiling_is_reached() -> None:
    pacer = make(burst=50)
    assert pacer.connect_slot(0.0) == 0.0
    for i in range(50):
        pacer.submit(ReqCurrentTime(i), 0.0)
    assert len(pacer.poll(0.0)) == 50
    # A startApi now would be the 51st within 1.1 s.
    assert pacer.connect_slot(0.3) == pytest.approx(1.1)
    assert pacer.connect_slot(2.0) == 2.0


def test_jitter_zero_makes_the_cap_a_plain_one_second_window() -> None:
    config = PacingConfig(arrival_jitter=0.0)
    assert config.receiver_span == 1.0
    assert PacingConfig().receiver_span == pytest.approx(1.1)
    assert PacingConfig().receiver_cap == 50
    assert PacingConfig(server_paced=True).receiver_cap is None


def test_cancels_count_against_the_rate() -> None:
    pacer = make(ONE)
    pacer.submit(ReqCurrentTime(1), 0.0)
    pacer.poll(0.0)
    pacer.submit(CancelMktData(1), 0.0)
    assert pacer.poll(0.0) == []
    assert pacer.poll(1.0) == [CancelMktData(1)]


def test_start_api_counts_against_the_rate() -> None:
    pacer = make(ONE)
    pacer.on_connect(0.0, server_version=176)
    assert pacer.server_version == 176
    pacer.submit(ReqCurrentTime(1), 0.0)
    assert pacer.poll(0.0) == []  # startApi took the only slot
    assert pacer.next_deadline() == 1.0
    assert pacer.poll(1.0) == [ReqCurrentTime(1)]
    pacer.note_sent(1.5, 2)
    assert pacer.stats.external_sent == 3


def test_global_rule_disabled() -> None:
    pacer = make(NO_GLOBAL)
    for i in range(1000):
        pacer.submit(ReqCurrentTime(i), 0.0)
    assert len(pacer.poll(0.0)) == 1000
    assert pacer.rate_limit is None


def test_server_paced_sends_everything_at_once() -> None:
    pacer = make(PacingConfig(server_paced=True))
    for i in range(200):
        pacer.submit(ReqCurrentTime(i), 0.0)
    assert len(pacer.poll(0.0)) == 200


def test_server_paced_keeps_historical_pacing() -> None:
    pacer = make(PacingConfig(server_paced=True))
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.submit(ReqHistoricalData(2), 0.0)  # identical to 1 but for req_id
    assert pacer.poll(0.0) == [ReqHistoricalData(1)]
    assert pacer.next_deadline() == 15.0


def test_time_going_backwards_is_clamped() -> None:
    pacer = make(ONE)
    pacer.submit(ReqCurrentTime(1), 5.0)
    pacer.poll(5.0)
    pacer.submit(ReqCurrentTime(2), 4.0)
    assert pacer.poll(4.0) == []  # treated as 5.0, still inside the window
    assert pacer.poll(6.0) == [ReqCurrentTime(2)]


def test_messages_go_in_submission_order() -> None:
    pacer = make(ONE)
    for i in range(5):
        pacer.submit(ReqCurrentTime(i), 0.0)
    sent = [m for _, m in run_until(pacer, 10.0)]
    assert sent == [ReqCurrentTime(i) for i in range(5)]


def test_tickets_increase() -> None:
    pacer = make()
    tickets = [pacer.submit(ReqCurrentTime(i), 0.0) for i in range(3)]
    assert tickets == sorted(tickets)
    assert len(set(tickets)) == 3
    assert all(t > 0 for t in tickets)


def test_unknown_message_only_counts_against_the_rate() -> None:
    @dataclass(frozen=True)
    class Mystery:
        MSG_ID: ClassVar[int] = 9999
        req_id: int

    pacer = make(ONE)
    pacer.submit(Mystery(1), 0.0)
    pacer.submit(Mystery(1), 0.0)
    assert pacer.poll(0.0) == [Mystery(1)]
    assert pacer.poll(1.0) == [Mystery(1)]


def test_next_deadline_is_none_when_idle() -> None:
    pacer = make()
    assert pacer.next_deadline() is None
    pacer.submit(ReqCurrentTime(), 3.0)
    assert pacer.next_deadline() == 3.0
    pacer.poll(3.0)
    assert pacer.next_deadline() is None


@pytest.mark.parametrize(
    "message",
    [
        ReqCurrentTime(),
        CancelMktData(1),
        ReqMktData(1),
        ReqMktData(1, regulatory_snapshot=True),
        ReqMktDepth(1),
        ReqTickByTickData(1),
        ReqHistoricalData(1),
        ReqRealTimeBars(1),
    ],
)
def test_next_deadline_right_after_submit_is_now(message: SupportsMsgId) -> None:
    pacer = make()
    pacer.submit(ReqHistoricalData(99, contract=MSFT), 0.0)
    pacer.submit(ReqHistoricalData(98, contract=MSFT), 0.0)
    pacer.poll(0.0)  # leaves one request held for 15 s
    pacer.submit(message, 2.0)
    assert pacer.next_deadline() == 2.0
    assert pacer.poll(2.0) == [message]


def test_next_deadline_after_an_end_frees_a_slot() -> None:
    pacer = make(historical_max_open=1)
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.submit(ReqHistoricalData(2, contract=MSFT), 0.0)
    pacer.poll(0.0)
    assert pacer.next_deadline() is None
    pacer.on_incoming(HistoricalDataEnd(1), 3.0)
    assert pacer.next_deadline() == 3.0


# --------------------------------------------------------------------------------------
# Historical pacing: identical requests


def test_identical_request_waits_15_seconds() -> None:
    pacer = make()
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.submit(ReqHistoricalData(2), 0.0)
    assert pacer.poll(0.0) == [ReqHistoricalData(1)]
    assert pacer.next_deadline() == 15.0
    assert pacer.poll(14.999) == []
    assert pacer.poll(15.0) == [ReqHistoricalData(2)]


def test_identical_request_submitted_later_waits_from_the_first_send() -> None:
    pacer = make()
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.poll(0.0)
    pacer.submit(ReqHistoricalData(2), 10.0)
    assert pacer.poll(10.0) == []
    assert pacer.next_deadline() == 15.0


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
    assert pacer.next_deadline() == 2.0
    assert pacer.poll(1.999) == []
    assert pacer.poll(2.0) == [ReqHistoricalData(5, end_date_time="20240106 00:00:00")]


def test_same_contract_window_slides() -> None:
    pacer = make()
    for i, t in enumerate([0.0, 0.5, 1.0, 1.5, 1.9]):
        pacer.submit(ReqHistoricalData(i, end_date_time=str(i)), t)
        assert len(pacer.poll(t)) == 1
    pacer.submit(ReqHistoricalData(9, end_date_time="9"), 1.9)
    assert pacer.poll(1.9) == []
    assert pacer.next_deadline() == 2.0
    assert len(pacer.poll(2.0)) == 1
    pacer.submit(ReqHistoricalData(10, end_date_time="10"), 2.0)
    assert pacer.poll(2.0) == []
    assert pacer.next_deadline() == 2.5


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
    assert pacer.next_deadline() == 2.0


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
    assert pacer.next_deadline() == 600.0  # the first went at 0.0
    assert pacer.poll(599.999) == []
    assert pacer.poll(600.0) == [ReqHistoricalData(60, contract=contract(60))]


def test_bid_ask_counts_twice_in_the_ten_minute_window() -> None:
    pacer = make(historical_max_open=None, max_messages_per_second=None)
    for i in range(31):
        pacer.submit(ReqHistoricalData(i, contract=contract(i), what_to_show="BID_ASK"), 0.0)
    assert len(pacer.poll(0.0)) == 30
    assert pacer.next_deadline() == 600.0


def test_all_historical_kinds_share_the_ten_minute_window() -> None:
    pacer = make(historical_window_limit=3, historical_max_open=None)
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.submit(ReqHistoricalTicks(2), 0.0)
    pacer.submit(ReqHeadTimestamp(3), 0.0)
    pacer.submit(ReqRealTimeBars(4), 0.0)
    assert len(pacer.poll(0.0)) == 3
    assert pacer.next_deadline() == 600.0


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
    assert pacer.next_deadline() == 15.0


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
    assert pacer.next_deadline() == 15.0
    assert pacer.poll(14.9) == []
    assert pacer.poll(15.0) == [ReqTickByTickData(2, tick_type="BidAsk")]


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
    assert pacer.next_deadline() == 1.0
    assert pacer.poll(1.0) == [ReqMktData(2, regulatory_snapshot=True)]


# --------------------------------------------------------------------------------------
# Priorities and withdrawal


def test_cancel_goes_before_queued_requests() -> None:
    pacer = make(ONE)
    for i in range(5):
        pacer.submit(ReqCurrentTime(i), 0.0)
    pacer.poll(0.0)
    pacer.submit(CancelMktData(7), 0.2)
    pacer.submit(ReqCurrentTime(99), 0.3)
    assert pacer.poll(0.3) == []
    sent = [m for _, m in run_until(pacer, 10.0)]
    assert sent == [CancelMktData(7)] + [ReqCurrentTime(i) for i in range(1, 5)] + [
        ReqCurrentTime(99)
    ]


def test_cancel_goes_before_held_historical_requests() -> None:
    pacer = make(ONE)
    pacer.submit(ReqCurrentTime(0), 0.0)
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.poll(0.0)
    pacer.submit(CancelOrder(5), 0.5)
    assert pacer.poll(1.0) == [CancelOrder(5)]
    assert pacer.poll(2.0) == [ReqHistoricalData(1)]


def test_priority_messages_keep_their_order() -> None:
    pacer = make(ONE)
    pacer.submit(ReqCurrentTime(), 0.0)
    pacer.poll(0.0)
    cancels: list[SupportsMsgId] = [
        CancelMktData(1),
        CancelOrder(2),
        ReqGlobalCancel(),
        CancelRealTimeBars(3),
    ]
    for cancel in cancels:
        pacer.submit(cancel, 0.0)
    assert [m for _, m in run_until(pacer, 10.0)] == cancels


def test_cancel_withdraws_its_queued_request_and_is_not_sent() -> None:
    pacer = make(ONE)
    pacer.submit(ReqCurrentTime(), 0.0)
    ticket = pacer.submit(ReqMktData(5), 0.0)
    pacer.poll(0.0)
    pacer.events()
    cancel = pacer.submit(CancelMktData(5), 0.5)
    assert pacer.stats.market_data_lines_in_use == 0
    assert pacer.events() == [
        RequestWithdrawn(ticket, OutgoingId.REQ_MKT_DATA, 5, OutgoingId.CANCEL_MKT_DATA),
        RequestWithdrawn(cancel, OutgoingId.CANCEL_MKT_DATA, 5, OutgoingId.CANCEL_MKT_DATA),
    ]
    # TWS never heard of request 5: sending its cancel would earn an error 300.
    assert run_until(pacer, 10.0) == []
    assert pacer.queued == 0
    assert pacer.stats.withdrawn == 1
    assert pacer.stats.cancels_absorbed == 1


def test_cancel_is_sent_when_its_request_already_went() -> None:
    pacer = make(ONE)
    pacer.submit(ReqMktData(5), 0.0)
    assert pacer.poll(0.0) == [ReqMktData(5)]
    pacer.submit(CancelMktData(5), 0.5)
    assert [m for _, m in run_until(pacer, 10.0)] == [CancelMktData(5)]
    assert pacer.stats.cancels_absorbed == 0


def test_cancel_of_a_never_submitted_request_is_sent() -> None:
    pacer = make()
    pacer.submit(CancelMktData(5), 0.0)
    assert pacer.poll(0.0) == [CancelMktData(5)]


def test_a_second_cancel_after_an_absorbed_one_is_sent() -> None:
    pacer = make(ONE)
    pacer.submit(ReqCurrentTime(), 0.0)
    pacer.submit(ReqMktData(5), 0.0)
    pacer.poll(0.0)
    pacer.submit(CancelMktData(5), 0.0)
    pacer.submit(CancelMktData(5), 0.0)
    assert [m for _, m in run_until(pacer, 10.0)] == [CancelMktData(5)]


def test_withdrawn_request_then_resubmitted_is_absorbed_by_its_cancel() -> None:
    pacer = make(ONE)
    pacer.submit(ReqCurrentTime(), 0.0)
    first = pacer.submit(ReqMktData(5), 0.0)
    pacer.poll(0.0)
    assert pacer.withdraw(first) == ReqMktData(5)
    pacer.submit(ReqMktData(5), 0.0)
    pacer.submit(CancelMktData(5), 0.0)
    assert run_until(pacer, 10.0) == []


def test_cancel_withdraws_a_held_historical_request() -> None:
    pacer = make()
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.submit(ReqHistoricalData(2), 0.0)
    pacer.poll(0.0)
    pacer.submit(CancelHistoricalData(2), 1.0)
    assert pacer.poll(1.0) == []
    assert pacer.queued == 0
    assert pacer.next_deadline() is None


def test_cancel_order_withdraws_queued_placements_of_that_order() -> None:
    pacer = make(ONE)
    pacer.submit(ReqCurrentTime(), 0.0)
    pacer.submit(PlaceOrder(10), 0.0)
    pacer.submit(PlaceOrder(11), 0.0)
    pacer.submit(PlaceOrder(10), 0.0)  # a modification
    pacer.poll(0.0)
    pacer.submit(CancelOrder(10), 0.0)
    # Order 10 never reached TWS: neither its placements nor its cancel are sent.
    assert [m for _, m in run_until(pacer, 10.0)] == [PlaceOrder(11)]


def test_cancel_of_a_live_order_with_a_queued_modification_is_sent() -> None:
    pacer = make(ONE)
    pacer.submit(PlaceOrder(10), 0.0)
    assert pacer.poll(0.0) == [PlaceOrder(10)]
    pacer.submit(PlaceOrder(10), 0.5)  # a modification, still queued
    pacer.submit(CancelOrder(10), 0.5)
    # The order is live at TWS: the modification is withdrawn, the cancel goes.
    assert [m for _, m in run_until(pacer, 10.0)] == [CancelOrder(10)]


def test_global_cancel_withdraws_queued_orders() -> None:
    pacer = make(ONE)
    pacer.submit(ReqCurrentTime(0), 0.0)
    pacer.submit(PlaceOrder(10), 0.0)
    pacer.submit(ReqCurrentTime(1), 0.0)
    pacer.submit(PlaceOrder(11), 0.0)
    pacer.poll(0.0)
    pacer.submit(ReqGlobalCancel(), 0.0)
    sent = [m for _, m in run_until(pacer, 10.0)]
    assert sent == [ReqGlobalCancel(), ReqCurrentTime(1)]


def test_withdraw_by_ticket_releases_the_budget() -> None:
    pacer = make(ONE, market_data_lines=1)
    pacer.submit(ReqCurrentTime(), 0.0)
    ticket = pacer.submit(ReqMktData(1), 0.0)
    pacer.poll(0.0)
    assert pacer.withdraw(ticket) == ReqMktData(1)
    assert pacer.withdraw(ticket) is None
    assert pacer.queued == 0
    pacer.submit(ReqMktData(2), 0.0)
    events = pacer.events()
    assert RequestWithdrawn(ticket, OutgoingId.REQ_MKT_DATA, 1, None) in events


def test_withdraw_held_historical_and_unknown_tickets() -> None:
    pacer = make()
    pacer.submit(ReqHistoricalData(1), 0.0)
    ticket = pacer.submit(ReqHistoricalData(2), 0.0)
    pacer.poll(0.0)
    assert pacer.withdraw(12345) is None
    assert pacer.withdraw(ticket) == ReqHistoricalData(2)
    assert pacer.next_deadline() is None


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


def test_realtime_backoff_disabled() -> None:
    pacer = make(realtime_backoff=None)
    pacer.on_incoming(ErrMsg(1, 420, "Invalid Real-time Query"), 0.0)
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
# Disconnect


def test_disconnect_returns_unsent_messages_in_send_order() -> None:
    pacer = make(ONE)
    pacer.submit(ReqCurrentTime(0), 0.0)
    pacer.submit(ReqCurrentTime(1), 0.0)
    pacer.submit(ReqHistoricalData(2), 0.0)
    pacer.submit(ReqCurrentTime(3), 0.0)
    pacer.poll(0.0)
    pacer.submit(CancelMktData(9), 0.0)
    dropped = pacer.on_disconnect()
    assert dropped == [CancelMktData(9), ReqCurrentTime(1), ReqHistoricalData(2), ReqCurrentTime(3)]
    assert pacer.queued == 0
    assert pacer.next_deadline() is None
    assert pacer.stats.dropped == 4
    assert ThrottlingEnded in kinds(pacer.events())


def test_disconnect_releases_budgets_and_open_requests() -> None:
    pacer = make(market_data_lines=1)
    pacer.submit(ReqMktData(1), 0.0)
    pacer.submit(ReqHistoricalData(2), 0.0)
    pacer.poll(0.0)
    pacer.on_disconnect()
    assert pacer.open_historical == 0
    pacer.submit(ReqMktData(1), 1.0)


def test_disconnect_keeps_pacing_history() -> None:
    pacer = make(ONE)
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.poll(0.0)
    pacer.on_disconnect()
    pacer.submit(ReqCurrentTime(), 0.5)
    assert pacer.poll(0.5) == []  # the global window survives the reconnect
    pacer.submit(ReqHistoricalData(2), 1.0)
    assert pacer.poll(1.0) == [ReqCurrentTime()]
    assert pacer.next_deadline() == 15.0  # so does the identical-request rule


# --------------------------------------------------------------------------------------
# Observability


def test_throttling_events_and_per_message_wait() -> None:
    pacer = make(ONE)
    t0 = pacer.submit(ReqCurrentTime(0), 0.0)
    t1 = pacer.submit(ReqCurrentTime(1), 0.0)
    pacer.poll(0.0)
    assert pacer.events() == [ThrottlingStarted(0.0, Rule.GLOBAL_RATE, 1)]
    t2 = pacer.submit(ReqCurrentTime(2), 0.5)
    assert t0 < t1 < t2
    pacer.poll(0.5)
    assert pacer.events() == []  # still throttled: no new start
    pacer.poll(1.0)
    pacer.poll(2.0)
    assert pacer.events() == [
        MessageDelayed(t1, OutgoingId.REQ_CURRENT_TIME, None, Rule.GLOBAL_RATE, 1.0),
        MessageDelayed(t2, OutgoingId.REQ_CURRENT_TIME, None, Rule.GLOBAL_RATE, 1.5),
        ThrottlingEnded(2.0, 2.0, 2),
    ]
    stats = pacer.stats
    assert (stats.submitted, stats.sent, stats.queued, stats.throttled) == (3, 3, 0, 2)
    assert stats.throttled_by_rule == {Rule.GLOBAL_RATE: 2}
    assert stats.total_wait == 2.5
    assert stats.max_wait == 1.5
    assert stats.throttling_episodes == 1
    assert stats.max_queued == 2


def test_late_poll_is_not_throttling() -> None:
    pacer = make()
    pacer.submit(ReqCurrentTime(), 0.0)
    pacer.poll(3.0)  # the front end polled late: the pacer held nothing
    assert pacer.events() == []
    assert pacer.stats.throttled == 0


def test_throttling_names_the_historical_rule() -> None:
    pacer = make()
    pacer.submit(ReqHistoricalData(1), 0.0)
    ticket = pacer.submit(ReqHistoricalData(2), 0.0)
    pacer.poll(0.0)
    assert pacer.events() == [ThrottlingStarted(0.0, Rule.HISTORICAL_IDENTICAL, 1)]
    pacer.poll(15.0)
    assert pacer.events() == [
        MessageDelayed(ticket, OutgoingId.REQ_HISTORICAL_DATA, 2, Rule.HISTORICAL_IDENTICAL, 15.0),
        ThrottlingEnded(15.0, 15.0, 1),
    ]
    assert pacer.stats.throttled_by_rule == {Rule.HISTORICAL_IDENTICAL: 1}


def test_stats_counts() -> None:
    pacer = make(market_data_lines=5)
    pacer.submit(ReqMktData(1), 0.0)
    pacer.submit(ReqMktDepth(2), 0.0)
    pacer.submit(ReqTickByTickData(3), 0.0)
    pacer.submit(ReqHistoricalData(4), 0.0)
    pacer.submit(CancelOrder(5), 0.0)
    pacer.poll(0.0)
    stats = pacer.stats
    assert stats.sent == 5
    assert stats.sent_priority == 1
    assert stats.market_data_lines_in_use == 2
    assert stats.market_depth_in_use == 1
    assert stats.tick_by_tick_in_use == 1
    assert stats.open_historical == 1
    assert stats.rate_limit == 45


def test_event_buffer_is_bounded() -> None:
    pacer = make(ONE, max_events=3)
    for i in range(10):
        pacer.submit(ReqCurrentTime(i), 0.0)
    run_until(pacer, 100.0)
    assert len(pacer.events()) == 3
    assert pacer.stats.events_dropped > 0
    assert pacer.events() == []
