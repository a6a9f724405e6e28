"""Property tests for ibwire.pacing: any arrival pattern, simulated on a fake clock.

The simulation delivers arrivals at their times, answers every historical request
with its end message after a random latency, and polls the pacer at every arrival,
every server message and every :meth:`Pacer.next_deadline`.  The emitted schedule
is then checked against each rule, independently of the pacer's own book-keeping.

:func:`test_no_second_at_tws_holds_more_than_the_ceiling` states the guarantee of
the global rule as TWS sees it: every message (``startApi`` and cancels included)
arrives up to 0.1 s late, each by its own amount, and still no window of 1 second
holds more than 50.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import ClassVar

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from ibwire.ids import IncomingId, OutgoingId
from ibwire.pacing import (
    IB_MAX_MESSAGES_PER_SECOND,
    Pacer,
    PacingConfig,
    RequestWithdrawn,
    SupportsMsgId,
)

# --------------------------------------------------------------------------------------
# Stub messages


@dataclass(frozen=True, slots=True)
class Contract:
    con_id: int = 0
    symbol: str = ""
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


CONTRACTS = [
    Contract(symbol="AAPL"),
    Contract(symbol="AAPL", exchange="ISLAND"),
    Contract(con_id=8314, symbol="IBM"),
    Contract(con_id=8314),  # the same instrument as the one above
]


@dataclass(frozen=True, slots=True, eq=False)
class ReqCurrentTime:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_CURRENT_TIME


@dataclass(frozen=True, slots=True, eq=False)
class PlaceOrder:
    MSG_ID: ClassVar[int] = OutgoingId.PLACE_ORDER
    order_id: int


@dataclass(frozen=True, slots=True)
class CancelOrder:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_ORDER
    order_id: int


@dataclass(frozen=True, slots=True, eq=False)
class ReqHistoricalData:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_HISTORICAL_DATA
    req_id: int
    contract: Contract
    end_date_time: str
    duration_str: str
    bar_size_setting: str
    what_to_show: str
    use_rth: bool = True
    format_date: int = 1
    keep_up_to_date: bool = False
    chart_options: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class CancelHistoricalData:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_HISTORICAL_DATA
    req_id: int


@dataclass(frozen=True, slots=True, eq=False)
class ErrMsg:
    MSG_ID: ClassVar[int] = IncomingId.ERR_MSG
    req_id: int
    error_code: int
    error_string: str


@dataclass(frozen=True, slots=True, eq=False)
class HistoricalDataEnd:
    MSG_ID: ClassVar[int] = IncomingId.HISTORICAL_DATA_END
    req_id: int


PRIORITY = (CancelOrder, CancelHistoricalData)


def identical_key(m: ReqHistoricalData) -> Hashable:
    c = m.contract
    contract_id = c.con_id or (c.symbol, c.sec_type, c.currency, c.primary_exchange)
    return (
        contract_id,
        c.exchange,
        m.end_date_time,
        m.duration_str,
        m.bar_size_setting,
        m.what_to_show,
    )


def same_key(m: ReqHistoricalData) -> Hashable:
    c = m.contract
    return (c.con_id or c.symbol, c.exchange, m.what_to_show)


# --------------------------------------------------------------------------------------
# Strategies

configs = st.one_of(
    st.just(PacingConfig()),
    st.builds(
        lambda rate, identical, same, same_window, window, span, open_, weight: PacingConfig(
            max_messages_per_second=rate,
            rate_safety_margin=0,
            historical_identical_interval=identical,
            historical_same_contract_limit=same,
            historical_same_contract_window=same_window,
            historical_window_limit=window,
            historical_window=span,
            historical_max_open=open_,
            historical_bid_ask_weight=min(weight, same, window),
            market_data_lines=None,
        ),
        rate=st.integers(1, 6),
        identical=st.one_of(st.none(), st.floats(0.1, 20.0)),
        same=st.integers(2, 5),
        same_window=st.floats(0.1, 3.0),
        window=st.integers(2, 12),
        span=st.floats(1.0, 60.0),
        open_=st.integers(1, 4),
        weight=st.integers(1, 3),
    ),
)

# Edge gaps land polls just before and at window boundaries.
gaps = st.one_of(
    st.just(0.0),
    st.sampled_from([0.001, 0.1, 0.5, 0.9995, 1.0, 1.0 - 1e-9, 2.0]),
    st.floats(0.0, 1.0),
    st.floats(0.0, 20.0),
)

# Operation kinds, repeated to weight them: historical requests dominate so that
# their rules bind; errors are rare because a pause hides the other rules.
OP_KINDS = ["plain"] * 9 + ["hist"] * 30 + ["order"] * 3 + ["cancel_hist"] * 6
OP_KINDS += ["cancel_order"] * 3 + ["error100", "error162"]


WHATS = ["TRADES", "BID_ASK", "MIDPOINT"]

# An operation is drawn as flat integers (cheap to generate and shrink) and read by
# ``decode_op``: (kind index, contract or order id, what_to_show, variant, target).
ops = st.tuples(
    st.integers(0, len(OP_KINDS) - 1),
    st.integers(0, len(CONTRACTS) - 1),
    st.integers(0, len(WHATS) - 1),
    st.integers(0, 5),  # parameter variant: repeats make identical requests
    st.integers(0, 50),
)
# Hypothesis favours short lists; drawing the length first gives long runs, where
# the windows and the open-request limit actually bind, a fair share.
arrivals = st.integers(0, 80).flatmap(
    lambda n: st.lists(st.tuples(gaps, ops), min_size=n, max_size=n)
)


def decode_op(op: tuple[int, int, int, int, int]) -> tuple[object, ...]:
    kind_index, thing, what, variant, target = op
    kind = OP_KINDS[kind_index]
    if kind == "hist":
        return (kind, thing, WHATS[what], variant)
    if kind in ("order", "cancel_order"):
        return (kind, thing)
    if kind == "cancel_hist":
        return (kind, target)
    return (kind,)


latencies = st.lists(st.floats(0.0, 8.0), min_size=1, max_size=8)


# --------------------------------------------------------------------------------------
# Simulation


@dataclass
class Run:
    config: PacingConfig
    # (time, message) in emission order.
    emitted: list[tuple[float, SupportsMsgId]] = field(default_factory=list)
    emitted_tickets: set[int] = field(default_factory=set)
    submitted_at: dict[int, float] = field(default_factory=dict)
    ticket_of: dict[int, int] = field(default_factory=dict)  # id(message) -> ticket
    message_of: dict[int, SupportsMsgId] = field(default_factory=dict)
    withdrawn: set[int] = field(default_factory=set)
    # Cancel ticket -> tickets of non-cancel messages queued when it arrived.
    queued_before_cancel: dict[int, set[int]] = field(default_factory=dict)
    # Cancel ticket -> whether a request it names was submitted / sent before it.
    target_submitted: dict[int, bool] = field(default_factory=dict)
    target_sent: dict[int, bool] = field(default_factory=dict)
    # Open historical requests seen by the simulated server, at each emission.
    max_open_seen: int = 0


Pattern = list[tuple[float, tuple[int, int, int, int, int]]]


def simulate(config: PacingConfig, pattern: Pattern, latency: list[float]) -> Run:
    pacer: Pacer[SupportsMsgId] = Pacer(config, server_version=200)
    run = Run(config)
    timed: list[tuple[float, tuple[object, ...]]] = []
    t = 0.0
    for gap, op in pattern:
        t += gap
        timed.append((t, decode_op(op)))
    incoming: list[tuple[float, int, SupportsMsgId]] = []
    counter = 0
    hist_sent: list[ReqHistoricalData] = []
    hist_submitted: list[ReqHistoricalData] = []
    open_ids: set[int] = set()
    next_id = 1
    now = 0.0
    index = 0
    # Each step delivers an arrival or a server message, or polls at a deadline; a
    # deadline that never releases anything would spin until this bound.
    for _ in range(20 * (len(timed) + 10)):
        candidates = []
        if index < len(timed):
            candidates.append(timed[index][0])
        if incoming:
            candidates.append(incoming[0][0])
        wake = pacer.next_deadline()
        if wake is not None:
            candidates.append(wake)
        if not candidates:
            break
        now = max(now, min(candidates))
        while incoming and incoming[0][0] <= now:
            _, _, reply = heapq.heappop(incoming)
            if isinstance(reply, HistoricalDataEnd):
                open_ids.discard(reply.req_id)
            pacer.on_incoming(reply, now)
        while index < len(timed) and timed[index][0] <= now:
            action = timed[index][1]
            index += 1
            kind = action[0]
            message: SupportsMsgId
            if kind == "error100":
                pacer.on_incoming(ErrMsg(-1, 100, "Max rate of messages exceeded"), now)
                continue
            if kind == "error162":
                pacer.on_incoming(ErrMsg(-1, 162, "Historical data request pacing violation"), now)
                continue
            if kind == "plain":
                message = ReqCurrentTime()
            elif kind == "hist":
                _, c, what, variant = action
                assert isinstance(c, int) and isinstance(what, str) and isinstance(variant, int)
                message = ReqHistoricalData(
                    req_id=next_id,
                    contract=CONTRACTS[c],
                    end_date_time=f"2024010{variant + 1} 16:00:00",
                    duration_str="1800 S",
                    bar_size_setting="5 secs",
                    what_to_show=what,
                )
                next_id += 1
                hist_submitted.append(message)
            elif kind == "order":
                message = PlaceOrder(order_id=int(str(action[1])))
            elif kind == "cancel_order":
                message = CancelOrder(order_id=int(str(action[1])))
            else:
                if not hist_submitted:
                    continue
                target = hist_submitted[int(str(action[1])) % len(hist_submitted)]
                message = CancelHistoricalData(target.req_id)
                open_ids.discard(target.req_id)
            queued_now = set(run.submitted_at) - run.withdrawn - run.emitted_tickets
            if isinstance(message, PRIORITY):
                # What the cancel names, since the last cancel of the same request.
                names = names_target(message)
                last = max(
                    (
                        q
                        for q, m in run.message_of.items()
                        if type(m) is type(message) and m == message
                    ),
                    default=0,
                )
                named = [q for q, m in run.message_of.items() if q > last and names(m)]
                submitted = [
                    q for q in named if q not in run.emitted_tickets and q not in run.withdrawn
                ]
                sent = [q for q in named if q in run.emitted_tickets]
            ticket = pacer.submit(message, now)
            run.submitted_at[ticket] = now
            run.ticket_of[id(message)] = ticket
            run.message_of[ticket] = message
            if isinstance(message, PRIORITY):
                run.target_submitted[ticket] = bool(submitted)
                run.target_sent[ticket] = bool(sent)
                run.queued_before_cancel[ticket] = {
                    q for q in queued_now if not isinstance(run.message_of[q], PRIORITY)
                }
        for pacing_event in pacer.events():
            if isinstance(pacing_event, RequestWithdrawn):
                run.withdrawn.add(pacing_event.ticket)
        # Poll only when the pacer's own deadline says so: a deadline that is late
        # or missing shows up as a rule break or as starvation.
        wake = pacer.next_deadline()
        released = pacer.poll(now) if wake is not None and wake <= now else []
        for message in released:
            run.emitted.append((now, message))
            run.emitted_tickets.add(run.ticket_of[id(message)])
            if isinstance(message, ReqHistoricalData):
                hist_sent.append(message)
                open_ids.add(message.req_id)
                run.max_open_seen = max(run.max_open_seen, len(open_ids))
                delay = latency[len(hist_sent) % len(latency)]
                counter += 1
                heapq.heappush(incoming, (now + delay, counter, HistoricalDataEnd(message.req_id)))
        for pacing_event in pacer.events():
            if isinstance(pacing_event, RequestWithdrawn):
                run.withdrawn.add(pacing_event.ticket)
    else:
        raise AssertionError("the simulation did not settle")
    assert pacer.queued == 0, "messages left queued: starvation"
    for rule, count in pacer.stats.throttled_by_rule.items():
        if count:
            event(f"held by {rule.value}")
    if run.withdrawn:
        event("a queued request was withdrawn by its cancel")
    return run


def names_target(cancel: SupportsMsgId) -> Callable[[SupportsMsgId], bool]:
    """Whether a message is a request that ``cancel`` names."""
    if isinstance(cancel, CancelOrder):
        return lambda m: isinstance(m, PlaceOrder) and m.order_id == cancel.order_id
    assert isinstance(cancel, CancelHistoricalData)
    return lambda m: isinstance(m, ReqHistoricalData) and m.req_id == cancel.req_id


def check_windows(times: list[float], weights: list[int], limit: int, span: float) -> None:
    """No window ``[t, t + span)`` carries more than ``limit`` weight."""
    for i, start in enumerate(times):
        total = 0
        for j in range(i, len(times)):
            if start + span > times[j]:
                total += weights[j]
        assert total <= limit, (start, total, limit, span)


# --------------------------------------------------------------------------------------
# Properties


@settings(max_examples=150, deadline=None)
@given(config=configs, pattern=arrivals, latency=latencies)
def test_schedule_obeys_every_rule(
    config: PacingConfig, pattern: Pattern, latency: list[float]
) -> None:
    check_run(simulate(config, pattern, latency))


# Bursts of historical requests for few contracts, with many parameter variants:
# the per-contract window binds where the identical-request rule does not.
HIST = OP_KINDS.index("hist")
burst_ops = st.tuples(
    st.just(HIST),
    st.integers(0, 1),
    st.integers(0, len(WHATS) - 1),
    st.integers(0, 50),
    st.just(0),
)
bursts = st.integers(0, 60).flatmap(
    lambda n: st.lists(
        st.tuples(st.one_of(st.just(0.0), st.floats(0.0, 1.0)), burst_ops),
        min_size=n,
        max_size=n,
    )
)


@settings(max_examples=100, deadline=None)
@given(config=configs, pattern=bursts, latency=latencies)
def test_historical_bursts_obey_every_rule(
    config: PacingConfig, pattern: Pattern, latency: list[float]
) -> None:
    check_run(simulate(config, pattern, latency))


def check_run(run: Run) -> None:
    """Check an emitted schedule against every rule of its configuration."""
    config = run.config
    emitted = run.emitted
    tickets = [run.ticket_of[id(m)] for _, m in emitted]

    # Everything submitted goes out exactly once, or was withdrawn by its cancel.
    assert len(tickets) == len(set(tickets))
    assert set(tickets) | run.withdrawn == set(run.submitted_at)
    assert not set(tickets) & run.withdrawn
    # A cancel is withdrawn exactly when what it names (since the last cancel of
    # it) was queued and none of it was sent: TWS hears neither.
    for ticket, message in run.message_of.items():
        if isinstance(message, PRIORITY):
            absorbed = run.target_submitted[ticket] and not run.target_sent[ticket]
            assert (ticket in run.withdrawn) == absorbed, (message, absorbed)
    # Nothing goes out before it was submitted.
    for (t, _), ticket in zip(emitted, tickets, strict=True):
        assert t >= run.submitted_at[ticket]

    # Global rate: the bucket's burst plus its rate, and the cap over the receiver's
    # span.  Backoffs only lower it.
    rate = config.effective_rate_limit
    cap = config.receiver_cap
    assert rate is not None and cap is not None
    times = [t for t, _ in emitted]
    assert times == sorted(times)
    check_bucket(times, rate, config.burst)
    check_windows(times, [1] * len(times), cap, config.receiver_span)

    # Historical rules.
    hist = [(t, m) for t, m in emitted if isinstance(m, ReqHistoricalData)]
    weight = {
        id(m): config.historical_bid_ask_weight if m.what_to_show == "BID_ASK" else 1
        for _, m in hist
    }
    interval = config.historical_identical_interval
    if interval is not None:
        last: dict[Hashable, float] = {}
        for t, m in hist:
            key = identical_key(m)
            if key in last:
                assert last[key] + interval <= t, (key, last[key], t)
            last[key] = t
    assert config.historical_same_contract_limit is not None
    by_key: dict[Hashable, list[tuple[float, ReqHistoricalData]]] = defaultdict(list)
    for t, m in hist:
        by_key[same_key(m)].append((t, m))
    for group in by_key.values():
        check_windows(
            [t for t, _ in group],
            [weight[id(m)] for _, m in group],
            config.historical_same_contract_limit,
            config.historical_same_contract_window,
        )
    assert config.historical_window_limit is not None
    check_windows(
        [t for t, _ in hist],
        [weight[id(m)] for _, m in hist],
        config.historical_window_limit,
        config.historical_window,
    )
    assert config.historical_max_open is not None
    assert run.max_open_seen <= config.historical_max_open

    # A cancel never waits behind a request that was already queued when it came.
    position = {ticket: i for i, ticket in enumerate(tickets)}
    for cancel, queued in run.queued_before_cancel.items():
        if cancel not in position:
            continue  # withdrawn: checked above
        for other in queued:
            if other in position:
                assert position[cancel] < position[other], (cancel, other)

    # A request never goes out after its own cancel: a queued one is withdrawn.
    for i, (_, sent) in enumerate(emitted):
        if isinstance(sent, CancelHistoricalData):
            later = [m for _, m in emitted[i + 1 :] if isinstance(m, ReqHistoricalData)]
            assert sent.req_id not in {m.req_id for m in later}
        if isinstance(sent, CancelOrder):
            cancel_ticket = tickets[i]
            for ticket in tickets[i + 1 :]:
                follower = run.message_of[ticket]
                if isinstance(follower, PlaceOrder) and follower.order_id == sent.order_id:
                    assert ticket > cancel_ticket, "an order placed before its cancel went after it"

    # Priority messages keep their submission order among themselves.
    priority = [ticket for ticket in tickets if isinstance(run.message_of[ticket], PRIORITY)]
    assert priority == sorted(priority)


def check_bucket(times: list[float], rate: int, burst: int) -> None:
    """At most ``burst + floor(rate * w)`` sends in any closed span of ``w`` seconds."""
    for i, start in enumerate(times):
        for j in range(i, len(times)):
            span = times[j] - start
            assert j - i + 1 <= burst + math.floor(rate * span + 1e-9), (start, times[j])


@settings(max_examples=100, deadline=None)
@given(
    rate=st.integers(1, 50),
    burst=st.integers(1, 20),
    pattern=st.lists(st.tuples(st.floats(0.0, 2.0), st.integers(1, 80)), max_size=12),
)
def test_bucket_is_exact_and_work_conserving(
    rate: int, burst: int, pattern: list[tuple[float, int]]
) -> None:
    """Bursts of plain messages: never over the bucket, and never idle while allowed."""
    # A ceiling above burst + rate: the cap never binds, the bucket alone decides.
    config = PacingConfig(
        max_messages_per_second=rate + burst,
        rate_safety_margin=burst,
        burst=burst,
        arrival_jitter=0.0,
    )
    assert config.effective_rate_limit == rate
    pacer: Pacer[SupportsMsgId] = Pacer(config)
    now = 0.0
    arrived: list[float] = []
    sent: list[float] = []

    def poll() -> int:
        released = pacer.poll(now)
        sent.extend([now] * len(released))
        return len(released)

    for gap, count in pattern:
        target = now + gap
        # Drain what may go before the next burst arrives.
        while (wake := pacer.next_deadline()) is not None and wake <= target:
            now = max(now, wake)
            assert poll(), "a deadline released nothing"
        now = target
        for _ in range(count):
            pacer.submit(ReqCurrentTime(), now)
            arrived.append(now)
        poll()
    while (wake := pacer.next_deadline()) is not None:
        now = max(now, wake)
        assert poll(), "a deadline released nothing"
    assert len(sent) == len(arrived)
    check_bucket(sent, rate, burst)
    # Work conserving: a message goes on arrival, or when the bucket's theoretical
    # arrival time allows it (GCRA with tolerance (burst - 1) / rate), never later.
    interval = 1.0 / rate
    tat = -math.inf
    for i, (a, s) in enumerate(zip(arrived, sent, strict=True)):
        earliest = max(a, max(tat, a) - (burst - 1) * interval)
        assert s == pytest.approx(earliest, abs=1e-9), (i, a, s, earliest)
        tat = max(tat, s) + interval


# --------------------------------------------------------------------------------------
# The guarantee at TWS


@dataclass(frozen=True, slots=True, eq=False)
class StartApi:
    MSG_ID: ClassVar[int] = OutgoingId.START_API


@dataclass(frozen=True, slots=True, eq=False)
class ReqMktData:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_MKT_DATA
    req_id: int


@dataclass(frozen=True, slots=True, eq=False)
class CancelMktData:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_MKT_DATA
    req_id: int


WIRE_OPS = ["plain", "mkt", "cancel_mkt", "order", "cancel_order", "reconnect"]
wire_ops = st.tuples(
    st.one_of(st.just(0.0), st.floats(0.0, 0.05), st.floats(0.0, 1.5)),
    st.sampled_from(WIRE_OPS),
    st.integers(0, 40),
    st.integers(1, 60),  # how many at once
)
# The jitter TWS adds to each message: the extremes are where windows overfill.
jitters = st.one_of(st.sampled_from([0.0, 0.1]), st.floats(0.0, 0.1))


def wire_schedule(config: PacingConfig, ops: list[tuple[float, str, int, int]]) -> list[float]:
    """Drive a pacer as a session does; return the time each message was written."""
    pacer: Pacer[SupportsMsgId] = Pacer(config)
    written: list[float] = []
    pacer.on_connect(0.0, server_version=200)  # startApi, written by the protocol layer
    written.append(0.0)
    now = 0.0
    timed: list[tuple[float, str, int, int]] = []
    t = 0.0
    for gap, kind, ident, count in ops:
        t += gap
        timed.append((t, kind, ident, count))
    index = 0
    while True:
        wake = pacer.next_deadline()
        candidates = [
            x for x in (wake, timed[index][0] if index < len(timed) else None) if x is not None
        ]
        if not candidates:
            return written
        now = max(now, min(candidates))
        while index < len(timed) and timed[index][0] <= now:
            _, kind, ident, count = timed[index]
            index += 1
            if kind == "reconnect":
                pacer.on_disconnect()
                # A session connects no earlier than the pacer's connect slot.
                at = pacer.connect_slot(now)
                pacer.on_connect(at, server_version=200)
                written.append(at)
                now = max(now, at)
                continue
            for n in range(count):
                message: SupportsMsgId
                if kind == "plain":
                    message = ReqCurrentTime()
                elif kind == "mkt":
                    message = ReqMktData(ident + n)
                elif kind == "cancel_mkt":
                    message = CancelMktData(ident + n)
                elif kind == "order":
                    message = PlaceOrder(ident + n)
                else:
                    message = CancelOrder(ident + n)
                pacer.submit(message, now)
        written.extend([now] * len(pacer.poll(now)))


@settings(max_examples=200, deadline=None)
@given(
    ops=st.lists(wire_ops, max_size=40),
    margin=st.integers(0, 20),
    burst=st.integers(1, 60),
    data=st.data(),
)
def test_no_second_at_tws_holds_more_than_the_ceiling(
    ops: list[tuple[float, str, int, int]], margin: int, burst: int, data: st.DataObject
) -> None:
    """Any 1-second window at TWS holds at most 50 messages.

    Every message the client writes (``startApi`` at each connect, requests,
    cancels, orders) reaches TWS ``jitter`` seconds after it was written, with a
    jitter of its own in [0, 0.1].  Whatever the schedule, the rate margin and the
    burst, TWS never counts more than 50 in a window ``[t, t + 1)``.
    """
    config = PacingConfig(rate_safety_margin=margin, burst=burst, market_data_lines=None)
    written = wire_schedule(config, ops)
    delays = data.draw(st.lists(jitters, min_size=len(written), max_size=len(written)))
    arrivals = sorted(t + d for t, d in zip(written, delays, strict=True))
    j = 0
    for i, start in enumerate(arrivals):
        j = max(j, i)
        while j < len(arrivals) and arrivals[j] < start + 1.0:
            j += 1
        assert j - i <= IB_MAX_MESSAGES_PER_SECOND, (start, j - i)


def test_default_steady_rate_is_45_per_second() -> None:
    written = wire_schedule(PacingConfig(), [(0.0, "plain", 0, 60)] * 10)
    assert len(written) == 601
    assert written[:10] == [0.0] * 10  # startApi and a burst of 9
    # The cap holds the first 1.1 s to 50; then the bucket sets a steady 45/s.
    assert sum(1 for t in written if t < 1.1) == 50
    for i in range(100, len(written) - 45):
        assert written[i + 45] - written[i] == pytest.approx(1.0)
