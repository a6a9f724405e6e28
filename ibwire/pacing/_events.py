"""What a pacer reports: events and a snapshot of its counters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

from .._record import dataclass
from ._config import BackoffKind, Budget, Rule

# --------------------------------------------------------------------------------------
# Events and statistics


@dataclass(frozen=True, slots=True)
class ThrottlingStarted:
    """A poll left messages queued after a time when none were.

    Attributes:
        at: the poll's ``now``.
        rule: what holds the oldest queued message.
        queued: messages queued.
    """

    at: float
    rule: Rule
    queued: int


@dataclass(frozen=True, slots=True)
class ThrottlingEnded:
    """The queue is empty again.

    Attributes:
        at: the ``now`` of the poll that emptied it (the last known time for a
            disconnect).
        duration: seconds since the matching :class:`ThrottlingStarted`.
        released: messages sent during the episode.
    """

    at: float
    duration: float
    released: int


@dataclass(frozen=True, slots=True)
class MessageDelayed:
    """A message went out after waiting in the queue.

    Attributes:
        ticket: the ticket :meth:`Pacer.submit` returned for it.
        msg_id: its message id.
        req_id: its request (or order) id, if it has one.
        rule: the rule that first held it.
        waited: seconds from submission to release.
    """

    ticket: int
    msg_id: int
    req_id: int | None
    rule: Rule
    waited: float


@dataclass(frozen=True, slots=True)
class RequestWithdrawn:
    """A queued message was removed before being sent.

    Its cancel arrived while it was still queued, a global cancel removed a queued
    order, or :meth:`Pacer.withdraw` was called.  A cancel whose request never
    left the queue is withdrawn too, and never sent: TWS would only answer it
    with an error (300 and the like).  Its event has ``msg_id == by_msg_id``.

    Attributes:
        ticket: the withdrawn message's ticket.
        msg_id: its message id.
        req_id: its request (or order) id, if it has one.
        by_msg_id: the id of the cancel that removed it; ``None`` for
            :meth:`Pacer.withdraw`.
    """

    ticket: int
    msg_id: int
    req_id: int | None
    by_msg_id: int | None


@dataclass(frozen=True, slots=True)
class BackoffStarted:
    """The server reported a pacing problem and the pacer slowed down.

    Emitted when a backoff begins and when it deepens (a higher ``level``).

    Attributes:
        at: the ``now`` of the error.
        kind: what is slowed down.
        error_code: the TWS error code (100, 162 or 420).
        req_id: the error's request id (-1 for none).
        level: 1 for a first error, +1 for each repeat.
        until: when the backoff ends unless another error extends it.
        rate_limit: for :attr:`BackoffKind.RATE`, the lowered messages per second.
    """

    at: float
    kind: BackoffKind
    error_code: int
    req_id: int
    level: int
    until: float
    rate_limit: int | None = None


@dataclass(frozen=True, slots=True)
class BackoffEnded:
    """A backoff is over; reported by the first :meth:`Pacer.poll` at or after its end.

    Attributes:
        at: the poll's ``now``.
        kind: what was slowed down.
    """

    at: float
    kind: BackoffKind


#: Every event :meth:`Pacer.events` returns.
PacingEvent: TypeAlias = (
    ThrottlingStarted
    | ThrottlingEnded
    | MessageDelayed
    | RequestWithdrawn
    | BackoffStarted
    | BackoffEnded
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PacerStats:
    """A snapshot of a :class:`Pacer`'s counters (see :attr:`Pacer.stats`).

    Attributes:
        submitted: messages accepted by :meth:`Pacer.submit`.
        sent: messages released by :meth:`Pacer.poll`.
        sent_priority: of which cancels and other priority messages.
        queued: messages waiting now.
        queued_priority: of which priority messages.
        max_queued: the deepest the queue has been at the start of a poll.
        throttled: messages that waited through at least one poll.
        throttled_by_rule: the same, by the rule that first held each one.
        total_wait: seconds waited, summed over throttled messages.
        max_wait: the longest wait, in seconds.
        throttling_episodes: :class:`ThrottlingStarted` events so far.
        withdrawn: queued requests removed before being sent.
        cancels_absorbed: cancels not sent because their request was withdrawn
            before it was sent.
        dropped: queued messages discarded by :meth:`Pacer.on_disconnect`.
        refused_by_budget: :class:`BudgetExceededError` raised, per budget.
        rate_errors: errors 100 seen.
        historical_pacing_errors: errors 162 with a pacing text seen.
        realtime_errors: errors 420 with a pacing text seen.
        backoffs: :class:`BackoffStarted` events so far.
        open_historical: historical requests open now.
        market_data_lines_in_use: lines held by sent and queued requests.
        market_depth_in_use: depth subscriptions held.
        tick_by_tick_in_use: tick-by-tick subscriptions held.
        rate_limit: the token bucket's rate now, in messages per second (lowered
            during a backoff; ``None`` for no limit).
        events_dropped: events lost because nobody drained :meth:`Pacer.events`.
        burst: the token bucket's capacity (``None`` for no limit).
        external_sent: messages written outside the queue and counted by
            :meth:`Pacer.note_sent` (``startApi``).
    """

    submitted: int
    sent: int
    sent_priority: int
    queued: int
    queued_priority: int
    max_queued: int
    throttled: int
    throttled_by_rule: Mapping[Rule, int]
    total_wait: float
    max_wait: float
    throttling_episodes: int
    withdrawn: int
    dropped: int
    refused_by_budget: Mapping[Budget, int]
    rate_errors: int
    historical_pacing_errors: int
    realtime_errors: int
    backoffs: int
    open_historical: int
    market_data_lines_in_use: int
    market_depth_in_use: int
    tick_by_tick_in_use: int
    rate_limit: int | None
    events_dropped: int
    cancels_absorbed: int = 0
    burst: int | None = None
    external_sent: int = 0
