"""ibwire.pacing._pacer: the token bucket, the queue, priorities, disconnects, events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from ibwire.ids import OutgoingId
from ibwire.pacing import (
    MessageDelayed,
    PacingConfig,
    RequestWithdrawn,
    Rule,
    SupportsMsgId,
    ThrottlingEnded,
    ThrottlingStarted,
)

from ._pacing_stubs import (
    MSFT,
    NO_GLOBAL,
    ONE,
    CancelHistoricalData,
    CancelMktData,
    CancelOrder,
    CancelRealTimeBars,
    HistoricalDataEnd,
    PlaceOrder,
    ReqCurrentTime,
    ReqGlobalCancel,
    ReqHistoricalData,
    ReqMktData,
    ReqMktDepth,
    ReqRealTimeBars,
    ReqTickByTickData,
    kinds,
    make,
    run_until,
    times_of,
)

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
    assert pacer.next_deadline() == 15.0 + PacingConfig().historical_margin


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


def test_next_deadline_is_when_the_last_rule_holding_a_request_lifts() -> None:
    pacer = make(historical_window_limit=2, arrival_jitter=0.0)
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.submit(ReqHistoricalData(2, end_date_time="20240102 16:00:00"), 0.0)
    pacer.submit(ReqHistoricalData(3), 0.0)  # identical to 1, and the window is full
    assert len(pacer.poll(0.0)) == 2
    # Its 15 s are over long before the 10-minute window frees a place.
    assert pacer.next_deadline() == 600.0
    assert pacer.poll(600.0) == [ReqHistoricalData(3)]
    assert pacer.stats.throttled_by_rule == {Rule.HISTORICAL_IDENTICAL: 1}


def test_next_deadline_is_no_rate_slot_when_the_rest_is_held_by_rules() -> None:
    pacer = make(ONE)
    pacer.submit(ReqHistoricalData(1), 0.0)
    pacer.submit(ReqHistoricalData(2), 0.0)  # identical: due 15 s after 1
    assert pacer.poll(0.0) == [ReqHistoricalData(1)]
    # The rate admits one more at 1.0, but nothing may go then.
    assert pacer.next_deadline() == 15.0
    assert pacer.poll(15.0) == [ReqHistoricalData(2)]


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


def test_flush_priority_sends_the_held_cancels_under_the_ceiling_only() -> None:
    pacer = make(burst=45)
    for i in range(45):
        pacer.submit(ReqCurrentTime(i), 0.0)
    assert len(pacer.poll(0.0)) == 45
    for i in range(8):
        pacer.submit(CancelMktData(i), 0.0)
    pacer.submit(ReqCurrentTime(99), 0.0)
    assert pacer.poll(0.0) == []  # the bucket is spent: all wait
    # Closing: the steady rate no longer matters, the ceiling of 50 does.
    assert pacer.flush_priority(0.0) == [CancelMktData(i) for i in range(5)]
    assert pacer.flush_priority(0.0) == []
    assert pacer.on_disconnect() == [CancelMktData(i) for i in range(5, 8)] + [ReqCurrentTime(99)]
    assert pacer.stats.sent == 50
    # Once the ceiling's span has passed, every held cancel goes.
    pacer.submit(CancelMktData(20), 1.0)
    pacer.submit(CancelMktData(21), 1.0)
    assert pacer.flush_priority(2.0) == [CancelMktData(20), CancelMktData(21)]


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
    released = 15.0 + PacingConfig().historical_margin
    pacer.poll(released)
    assert pacer.events() == [
        MessageDelayed(
            ticket, OutgoingId.REQ_HISTORICAL_DATA, 2, Rule.HISTORICAL_IDENTICAL, released
        ),
        ThrottlingEnded(released, released, 1),
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


# --------------------------------------------------------------------------------------
# Planning: release_time


def test_release_time_is_when_a_submission_would_go_and_books_nothing() -> None:
    pacer = make(burst=1)
    for i in range(3):
        pacer.submit(ReqCurrentTime(i), 0.0)
    assert len(pacer.poll(0.0)) == 1
    before = pacer.stats
    predicted = pacer.release_time(ReqCurrentTime(9), 0.0)
    assert predicted == pytest.approx(3 / 45)  # behind the two still queued
    assert pacer.stats == before
    assert pacer.queued == 2
    pacer.submit(ReqCurrentTime(9), 0.0)
    sent = run_until(pacer, 1.0)
    assert sent[-1] == (predicted, ReqCurrentTime(9))


def test_release_time_of_a_request_waiting_for_an_open_one_is_none() -> None:
    pacer = make(historical_max_open=1)
    pacer.submit(ReqHistoricalData(1), 0.0)
    assert pacer.poll(0.0) == [ReqHistoricalData(1)]
    assert pacer.release_time(ReqHistoricalData(2, end_date_time="other"), 1.0) is None
    assert pacer.open_historical == 1
    # An identical request waits 15 s, and says so.
    pacer.on_incoming(HistoricalDataEnd(1), 2.0)
    assert pacer.release_time(ReqHistoricalData(3), 2.0) == 15.0 + PacingConfig().historical_margin


def test_idle_poll_still_advances_the_clock() -> None:
    # Polled with nothing queued (after every socket read), the pacer still
    # takes the time: a later submission on a clock that went back counts from it.
    pacer = make()
    assert pacer.poll(10.0) == []
    for n in range(60):
        pacer.submit(ReqCurrentTime(n), 5.0)
    pacer.poll(5.0)
    assert pacer.events()[0] == ThrottlingStarted(10.0, Rule.GLOBAL_RATE, 50)
    next_time = pacer.next_deadline()
    assert next_time is not None and next_time > 10.0


def test_idle_poll_returns_a_new_list() -> None:
    pacer = make()
    first = pacer.poll(1.0)
    first.append(ReqCurrentTime())
    assert pacer.poll(2.0) == []
