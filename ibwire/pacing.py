"""Client-side pacing of outgoing requests: IB's request limits as pure arithmetic.

A :class:`Pacer` sits between the code that builds requests and the socket.  It
holds no clock and does no I/O: every call takes ``now`` (seconds on a monotonic
clock chosen by the caller) and answers what may be sent now, or when to ask
again.  A front end drives it like this::

    pacer: Pacer[Message] = Pacer(PacingConfig())
    ticket = pacer.submit(request, now)  # may raise a PacingError subclass at once
    for message in pacer.poll(now):      # what may go now, in send order
        write(message)
    wake_at = pacer.next_deadline()      # when poll() could release more, or None
    pacer.on_incoming(server_message, now)
    unsent = pacer.on_disconnect()

Rules, each set in :class:`PacingConfig` and each disabled by ``None``:

* **Global rate** - at most :attr:`PacingConfig.effective_rate_limit` messages
  (45 by default: IB's 50 minus a margin of 5) in any half-open window
  ``[t, t + 1)``.  Every outgoing message counts, cancels included.
* **Historical pacing** - for historical bars, historical ticks, head timestamps,
  histograms, and real-time bars: no identical request within 15 s; at most
  5 requests per contract + exchange + ``what_to_show`` within 2 s; at most 60
  requests in any 10 minutes; ``BID_ASK`` requests weigh 2.  Requests that would
  break a rule wait in the queue.
* **Open historical requests** - at most 50 at once.  Queued requests wait.
* **Budgets** - market data lines (100), market depth (3), tick-by-tick (3).  A
  request over a budget is refused at once with a :class:`BudgetExceededError`.
* **Instrument spacing** - one tick-by-tick request per instrument per 15 s and
  one regulatory snapshot per second; later requests wait.
* **Priority** - cancels go out before queued new requests.
* **Backoff** - errors 100, 162 (pacing text) and 420 lower the rate or pause
  historical / real-time requests for a while.

The topic guide ``docs/topics/pacing.rst`` explains every rule and default.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from enum import Enum
from math import floor, inf
from types import MappingProxyType
from typing import ClassVar, Final, Generic, Protocol, TypeAlias, TypeVar

from .errors import PacingError
from .ids import IncomingId, OutgoingId

__all__ = [
    "DEFAULT_RATE_SAFETY_MARGIN",
    "HISTORICAL_SMALL_BAR_SECONDS",
    "IB_BID_ASK_WEIGHT",
    "IB_HISTORICAL_IDENTICAL_INTERVAL",
    "IB_HISTORICAL_MAX_OPEN",
    "IB_HISTORICAL_SAME_CONTRACT_LIMIT",
    "IB_HISTORICAL_SAME_CONTRACT_WINDOW",
    "IB_HISTORICAL_WINDOW",
    "IB_HISTORICAL_WINDOW_LIMIT",
    "IB_MARKET_DATA_LINES",
    "IB_MAX_MESSAGES_PER_SECOND",
    "IB_REGULATORY_SNAPSHOT_INTERVAL",
    "IB_TICK_BY_TICK_INSTRUMENT_INTERVAL",
    "NON_TERMINAL_ERROR_CODES",
    "PACEAPI_CONNECT_OPTION",
    "PACEAPI_MIN_TWS_BUILD",
    "PRIORITY_MSG_IDS",
    "RATE_WINDOW",
    "BackoffEnded",
    "BackoffKind",
    "BackoffStarted",
    "Budget",
    "BudgetExceededError",
    "MarketDataLinesExceededError",
    "MarketDepthLimitExceededError",
    "MessageDelayed",
    "PacerStats",
    "Pacer",
    "PacingConfig",
    "PacingEvent",
    "RequestWithdrawn",
    "Rule",
    "SupportsMsgId",
    "ThrottlingEnded",
    "ThrottlingStarted",
    "TickByTickLimitExceededError",
    "depth_limit_for_lines",
]

# --------------------------------------------------------------------------------------
# IB's documented values (protocol.md section 7)

#: IB's ceiling on client messages per second, summed over all clients of one TWS.
IB_MAX_MESSAGES_PER_SECOND: Final = 50
#: Messages per second kept in reserve below IB's ceiling: the default pace is 45/s,
#: the same as ib_async's, which leaves room for clock jitter between us and TWS.
DEFAULT_RATE_SAFETY_MARGIN: Final = 5
#: Length of the global rate window, in seconds.
RATE_WINDOW: Final = 1.0
#: No identical historical request within this many seconds.
IB_HISTORICAL_IDENTICAL_INTERVAL: Final = 15.0
#: At most this many historical requests for one contract + exchange + tick type ...
IB_HISTORICAL_SAME_CONTRACT_LIMIT: Final = 5
#: ... within this many seconds.
IB_HISTORICAL_SAME_CONTRACT_WINDOW: Final = 2.0
#: At most this many historical requests ...
IB_HISTORICAL_WINDOW_LIMIT: Final = 60
#: ... within this many seconds (10 minutes).
IB_HISTORICAL_WINDOW: Final = 600.0
#: What a ``BID_ASK`` historical request weighs in the pacing windows.
IB_BID_ASK_WEIGHT: Final = 2
#: At most this many historical requests open at once.
IB_HISTORICAL_MAX_OPEN: Final = 50
#: Default number of simultaneous market data lines of an account.
IB_MARKET_DATA_LINES: Final = 100
#: No more than one tick-by-tick request per instrument within this many seconds.
IB_TICK_BY_TICK_INSTRUMENT_INTERVAL: Final = 15.0
#: Regulatory snapshots: at most one per this many seconds.
IB_REGULATORY_SNAPSHOT_INTERVAL: Final = 1.0
#: IB's hard historical pacing rules apply to bars of this many seconds or less.
HISTORICAL_SMALL_BAR_SECONDS: Final = 30

#: The connect option the protocol layer appends to the version range of the hello
#: (``"v100..200 +PACEAPI"``) when :attr:`PacingConfig.server_paced` is set: TWS then
#: queues the client's messages to keep them within 50/s instead of answering
#: error 100.  It covers the global message rate only.
PACEAPI_CONNECT_OPTION: Final = "+PACEAPI"
#: The first TWS / IB Gateway build that understands ``+PACEAPI``.
PACEAPI_MIN_TWS_BUILD: Final = 974

#: Outgoing ids that go before queued new requests: every ``CANCEL_*`` message plus
#: ``REQ_GLOBAL_CANCEL``.
PRIORITY_MSG_IDS: Final[frozenset[int]] = frozenset(
    [int(i) for i in OutgoingId if i.name.startswith("CANCEL_")]
    + [int(OutgoingId.REQ_GLOBAL_CANCEL), int(OutgoingId.CANCEL_ORDER)]
)

#: Error codes that leave a request or subscription alive: warnings and notices that
#: TWS sends with a request id while data keeps flowing.  Every other error code sent
#: with a request id ends that request for the pacer's accounting.  The whole
#: 2100-2199 warning range is non-terminal as well.
NON_TERMINAL_ERROR_CODES: Final[frozenset[int]] = frozenset(
    {
        165,  # HMDS query message (informational)
        317,  # market depth reset: clear the book, the subscription stays
        399,  # order warning text
        404,  # shares not available for short sale; the order is held
        10090,  # part of the requested market data is not subscribed
        10091,  # part of it needs an extra API subscription; delayed data available
        10167,  # not subscribed: delayed market data is displayed instead
    }
)


def depth_limit_for_lines(market_data_lines: int) -> int:
    """The market depth (and tick-by-tick) allowance for a number of data lines.

    IB grants 3 simultaneous depth subscriptions up to 399 lines, then one more per
    100 lines, capped at 60 (protocol.md 7.3); tick-by-tick uses the same formula.

    Args:
        market_data_lines: the account's market data lines.

    Returns:
        The number of simultaneous depth (or tick-by-tick) subscriptions.
    """
    return min(60, max(3, market_data_lines // 100))


# --------------------------------------------------------------------------------------
# Vocabulary


class Rule(str, Enum):
    """A pacing rule that can hold a message in the queue."""

    GLOBAL_RATE = "global_rate"
    HISTORICAL_IDENTICAL = "historical_identical"
    HISTORICAL_SAME_CONTRACT = "historical_same_contract"
    HISTORICAL_WINDOW = "historical_window"
    HISTORICAL_OPEN = "historical_open"
    HISTORICAL_BACKOFF = "historical_backoff"
    REALTIME_BACKOFF = "realtime_backoff"
    TICK_BY_TICK_INSTRUMENT = "tick_by_tick_instrument"
    REGULATORY_SNAPSHOT = "regulatory_snapshot"


class Budget(str, Enum):
    """A subscription budget whose excess is refused at submission."""

    MARKET_DATA_LINES = "market_data_lines"
    MARKET_DEPTH = "market_depth"
    TICK_BY_TICK = "tick_by_tick"


class BackoffKind(str, Enum):
    """What a backoff slows down."""

    #: Error 100: the global message rate is lowered.
    RATE = "rate"
    #: Error 162 with a pacing text: historical requests are paused.
    HISTORICAL = "historical"
    #: Error 420: real-time bars and tick-by-tick requests are paused.
    REALTIME = "realtime"


class SupportsMsgId(Protocol):
    """Anything with a message id: every ibwire message class."""

    MSG_ID: ClassVar[int]


M = TypeVar("M", bound=SupportsMsgId)

# --------------------------------------------------------------------------------------
# Errors


class BudgetExceededError(PacingError):
    """A subscription request would exceed a budget, and was refused.

    Nothing was queued.  Cancel a subscription of the same kind, or raise the
    budget in :class:`PacingConfig` to the account's entitlement.

    Attributes:
        budget: which budget.
        limit: the configured size of the budget.
        in_use: how many are held, by sent and by queued requests.
        req_id: the refused request's id, when it has one.
    """

    #: The :class:`PacingConfig` field that sizes the budget.
    CONFIG_FIELD: ClassVar[str] = ""

    def __init__(self, budget: Budget, limit: int, in_use: int, req_id: int | None) -> None:
        super().__init__(
            f"{budget.value.replace('_', ' ')} budget exhausted: {in_use} of {limit} "
            f"in use, request {req_id} refused; cancel a subscription or raise "
            f"PacingConfig.{self.CONFIG_FIELD} to the account's entitlement"
        )
        self.budget = budget
        self.limit = limit
        self.in_use = in_use
        self.req_id = req_id


class MarketDataLinesExceededError(BudgetExceededError):
    """All market data lines are taken (TWS would answer error 101)."""

    CONFIG_FIELD = "market_data_lines"


class MarketDepthLimitExceededError(BudgetExceededError):
    """All market depth subscriptions are taken (TWS would answer error 309)."""

    CONFIG_FIELD = "market_depth_limit"


class TickByTickLimitExceededError(BudgetExceededError):
    """All tick-by-tick subscriptions are taken."""

    CONFIG_FIELD = "tick_by_tick_limit"


# --------------------------------------------------------------------------------------
# Configuration


@dataclass(frozen=True, slots=True, kw_only=True)
class PacingConfig:
    """The limits a :class:`Pacer` enforces.  ``None`` disables a rule.

    Every default is IB's documented value (protocol.md section 7), except the
    global rate which keeps :data:`DEFAULT_RATE_SAFETY_MARGIN` in reserve.

    Attributes:
        max_messages_per_second: IB's ceiling on outgoing messages per second (50).
            ``None`` disables the global rule.
        rate_safety_margin: messages per second kept in reserve below the ceiling;
            the pacer sends at most ``max_messages_per_second - rate_safety_margin``
            (45) in any window ``[t, t + 1)``.
        server_paced: the connection asks TWS to pace the global rate itself with
            :data:`PACEAPI_CONNECT_OPTION`.  The global rule is then off (TWS queues
            instead of answering error 100); every other rule stays on.
        historical_identical_interval: seconds between identical historical
            requests (15).
        historical_same_contract_limit: historical requests per contract + exchange
            + ``what_to_show`` within ``historical_same_contract_window`` (5).
        historical_same_contract_window: seconds (2).
        historical_window_limit: historical requests within ``historical_window``
            (60).
        historical_window: seconds (600).
        historical_bid_ask_weight: what a ``BID_ASK`` request weighs in the two
            windows above (2).
        historical_max_open: historical requests open at once (50).
        historical_small_bars_only: apply the three pacing windows to historical
            bars of :data:`HISTORICAL_SMALL_BAR_SECONDS` or less only, as IB's hard
            limits do.  Off by default: IB throttles larger bars softly and may
            disconnect, so all bar sizes are paced.
        market_data_lines: simultaneous market data lines (100).  Raise it to the
            account's entitlement (quote booster packs add 100 each).
        market_depth_limit: simultaneous market depth subscriptions (3); see
            :func:`depth_limit_for_lines`.
        tick_by_tick_limit: simultaneous tick-by-tick subscriptions (3).
        tick_by_tick_instrument_interval: seconds between tick-by-tick requests for
            the same instrument (15).
        regulatory_snapshot_interval: seconds between regulatory snapshots (1).
        rate_backoff: on error 100, lower the global rate for a while.
        rate_backoff_factor: the rate is multiplied by this per backoff level (0.5).
        rate_backoff_duration: seconds the lowered rate lasts after the last
            error 100 (10).
        historical_backoff: seconds historical requests pause after error 162 with
            a pacing text (15); doubles for each repeat, up to ``backoff_max``.
        realtime_backoff: seconds real-time bars and tick-by-tick requests pause
            after error 420 (15); doubles for each repeat, up to ``backoff_max``.
        backoff_max: the longest pause, in seconds (600).
        max_events: events kept for :meth:`Pacer.events` before the oldest are
            dropped (1024).
    """

    max_messages_per_second: int | None = IB_MAX_MESSAGES_PER_SECOND
    rate_safety_margin: int = DEFAULT_RATE_SAFETY_MARGIN
    server_paced: bool = False

    historical_identical_interval: float | None = IB_HISTORICAL_IDENTICAL_INTERVAL
    historical_same_contract_limit: int | None = IB_HISTORICAL_SAME_CONTRACT_LIMIT
    historical_same_contract_window: float = IB_HISTORICAL_SAME_CONTRACT_WINDOW
    historical_window_limit: int | None = IB_HISTORICAL_WINDOW_LIMIT
    historical_window: float = IB_HISTORICAL_WINDOW
    historical_bid_ask_weight: int = IB_BID_ASK_WEIGHT
    historical_max_open: int | None = IB_HISTORICAL_MAX_OPEN
    historical_small_bars_only: bool = False

    market_data_lines: int | None = IB_MARKET_DATA_LINES
    market_depth_limit: int | None = 3
    tick_by_tick_limit: int | None = 3
    tick_by_tick_instrument_interval: float | None = IB_TICK_BY_TICK_INSTRUMENT_INTERVAL
    regulatory_snapshot_interval: float | None = IB_REGULATORY_SNAPSHOT_INTERVAL

    rate_backoff: bool = True
    rate_backoff_factor: float = 0.5
    rate_backoff_duration: float = 10.0
    historical_backoff: float | None = 15.0
    realtime_backoff: float | None = 15.0
    backoff_max: float = 600.0

    max_events: int = 1024

    def __post_init__(self) -> None:
        positive_ints = {
            "max_messages_per_second": self.max_messages_per_second,
            "historical_same_contract_limit": self.historical_same_contract_limit,
            "historical_window_limit": self.historical_window_limit,
            "historical_max_open": self.historical_max_open,
            "historical_bid_ask_weight": self.historical_bid_ask_weight,
            "max_events": self.max_events,
        }
        for name, value in positive_ints.items():
            if value is not None and value < 1:
                raise ValueError(f"PacingConfig.{name} must be at least 1, not {value}")
        budgets = {
            "market_data_lines": self.market_data_lines,
            "market_depth_limit": self.market_depth_limit,
            "tick_by_tick_limit": self.tick_by_tick_limit,
        }
        for name, value in budgets.items():
            if value is not None and value < 0:
                raise ValueError(f"PacingConfig.{name} must not be negative, not {value}")
        positive_floats = {
            "historical_identical_interval": self.historical_identical_interval,
            "historical_same_contract_window": self.historical_same_contract_window,
            "historical_window": self.historical_window,
            "tick_by_tick_instrument_interval": self.tick_by_tick_instrument_interval,
            "regulatory_snapshot_interval": self.regulatory_snapshot_interval,
            "rate_backoff_duration": self.rate_backoff_duration,
            "historical_backoff": self.historical_backoff,
            "realtime_backoff": self.realtime_backoff,
            "backoff_max": self.backoff_max,
        }
        for name, number in positive_floats.items():
            if number is not None and not number > 0:
                raise ValueError(f"PacingConfig.{name} must be positive, not {number}")
        ceiling = self.max_messages_per_second or IB_MAX_MESSAGES_PER_SECOND
        if not 0 <= self.rate_safety_margin < ceiling:
            raise ValueError(
                f"PacingConfig.rate_safety_margin must be in [0, {ceiling}), "
                f"not {self.rate_safety_margin}"
            )
        if not 0 < self.rate_backoff_factor <= 1:
            raise ValueError(
                "PacingConfig.rate_backoff_factor must be in (0, 1], "
                f"not {self.rate_backoff_factor}"
            )

    @property
    def effective_rate_limit(self) -> int | None:
        """Messages allowed in any 1-second window, or ``None`` when not paced here.

        ``max_messages_per_second - rate_safety_margin`` (45 by default); ``None``
        when the rule is disabled or :attr:`server_paced` is set.
        """
        if self.max_messages_per_second is None or self.server_paced:
            return None
        return self.max_messages_per_second - self.rate_safety_margin

    @property
    def nominal_rate_limit(self) -> int:
        """The paced rate that a rate backoff lowers, even when the rule is off."""
        ceiling = self.max_messages_per_second or IB_MAX_MESSAGES_PER_SECOND
        return ceiling - self.rate_safety_margin

    @property
    def connect_options(self) -> str:
        """The connect options the handshake should carry: ``"+PACEAPI"`` or ``""``."""
        return PACEAPI_CONNECT_OPTION if self.server_paced else ""

    @classmethod
    def for_market_data_lines(cls, market_data_lines: int) -> PacingConfig:
        """A default configuration for an account with this many data lines.

        Depth and tick-by-tick budgets follow :func:`depth_limit_for_lines`.  Change
        other fields with :func:`dataclasses.replace`.

        Args:
            market_data_lines: the account's market data lines.

        Returns:
            The configuration.
        """
        allowance = depth_limit_for_lines(market_data_lines)
        return cls(
            market_data_lines=market_data_lines,
            market_depth_limit=allowance,
            tick_by_tick_limit=allowance,
        )


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
    """A queued request was removed before being sent.

    Its cancel arrived while it was still queued (the cancel is still sent), a
    global cancel removed a queued order, or :meth:`Pacer.withdraw` was called.

    Attributes:
        ticket: the request's ticket.
        msg_id: the request's message id.
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
        dropped: queued messages discarded by :meth:`Pacer.on_disconnect`.
        refused_by_budget: :class:`BudgetExceededError` raised, per budget.
        rate_errors: errors 100 seen.
        historical_pacing_errors: errors 162 with a pacing text seen.
        realtime_errors: errors 420 seen.
        backoffs: :class:`BackoffStarted` events so far.
        open_historical: historical requests open now.
        market_data_lines_in_use: lines held by sent and queued requests.
        market_depth_in_use: depth subscriptions held.
        tick_by_tick_in_use: tick-by-tick subscriptions held.
        rate_limit: messages per second allowed now (``None`` for no limit).
        events_dropped: events lost because nobody drained :meth:`Pacer.events`.
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


# --------------------------------------------------------------------------------------
# Classification tables

# Kinds of outgoing messages.  Zero is the hot path: only the global rate applies.
_PLAIN: Final = 0
_PRIORITY: Final = 1
_MKT_DATA: Final = 2  # one line; a regulatory snapshot also waits for its spacing
_MKT_DEPTH: Final = 3  # one depth subscription and one line
_TICK_BY_TICK: Final = 4  # one tick-by-tick subscription; spaced per instrument
_HISTORICAL: Final = 5  # historical pacing windows and the open-request count
_REAL_TIME_BARS: Final = 6  # one line and the historical pacing windows

_OUT = OutgoingId
_KIND_BY_ID: Final[Mapping[int, int]] = {
    _OUT.REQ_MKT_DATA: _MKT_DATA,
    _OUT.REQ_MKT_DEPTH: _MKT_DEPTH,
    _OUT.REQ_TICK_BY_TICK_DATA: _TICK_BY_TICK,
    _OUT.REQ_HISTORICAL_DATA: _HISTORICAL,
    _OUT.REQ_HISTORICAL_TICKS: _HISTORICAL,
    _OUT.REQ_HEAD_TIMESTAMP: _HISTORICAL,
    _OUT.REQ_HISTOGRAM_DATA: _HISTORICAL,
    _OUT.REQ_REAL_TIME_BARS: _REAL_TIME_BARS,
}

# Cancel id -> id of the request it cancels.
_CANCEL_TARGET: Final[Mapping[int, int]] = {
    _OUT.CANCEL_MKT_DATA: _OUT.REQ_MKT_DATA,
    _OUT.CANCEL_ORDER: _OUT.PLACE_ORDER,
    _OUT.CANCEL_MKT_DEPTH: _OUT.REQ_MKT_DEPTH,
    _OUT.CANCEL_NEWS_BULLETINS: _OUT.REQ_NEWS_BULLETINS,
    _OUT.CANCEL_SCANNER_SUBSCRIPTION: _OUT.REQ_SCANNER_SUBSCRIPTION,
    _OUT.CANCEL_HISTORICAL_DATA: _OUT.REQ_HISTORICAL_DATA,
    _OUT.CANCEL_REAL_TIME_BARS: _OUT.REQ_REAL_TIME_BARS,
    _OUT.CANCEL_FUNDAMENTAL_DATA: _OUT.REQ_FUNDAMENTAL_DATA,
    _OUT.CANCEL_CALC_IMPLIED_VOLAT: _OUT.REQ_CALC_IMPLIED_VOLAT,
    _OUT.CANCEL_CALC_OPTION_PRICE: _OUT.REQ_CALC_OPTION_PRICE,
    _OUT.CANCEL_ACCOUNT_SUMMARY: _OUT.REQ_ACCOUNT_SUMMARY,
    _OUT.CANCEL_POSITIONS: _OUT.REQ_POSITIONS,
    _OUT.CANCEL_POSITIONS_MULTI: _OUT.REQ_POSITIONS_MULTI,
    _OUT.CANCEL_ACCOUNT_UPDATES_MULTI: _OUT.REQ_ACCOUNT_UPDATES_MULTI,
    _OUT.CANCEL_HISTOGRAM_DATA: _OUT.REQ_HISTOGRAM_DATA,
    _OUT.CANCEL_HEAD_TIMESTAMP: _OUT.REQ_HEAD_TIMESTAMP,
    _OUT.CANCEL_PNL: _OUT.REQ_PNL,
    _OUT.CANCEL_PNL_SINGLE: _OUT.REQ_PNL_SINGLE,
    _OUT.CANCEL_TICK_BY_TICK_DATA: _OUT.REQ_TICK_BY_TICK_DATA,
    _OUT.CANCEL_WSH_META_DATA: _OUT.REQ_WSH_META_DATA,
    _OUT.CANCEL_WSH_EVENT_DATA: _OUT.REQ_WSH_EVENT_DATA,
    _OUT.CANCEL_CONTRACT_DATA: _OUT.REQ_CONTRACT_DATA,
    _OUT.CANCEL_HISTORICAL_TICKS: _OUT.REQ_HISTORICAL_TICKS,
}
# Requests whose id is an order id rather than a request id.
_ORDER_IDS: Final = frozenset({_OUT.PLACE_ORDER, _OUT.CANCEL_ORDER})
# The version that split the end of historical bars into HISTORICAL_DATA_END (108);
# below it, HISTORICAL_DATA (17) itself ends the request (ServerVersion 196).
_HISTORICAL_DATA_END_VERSION: Final = 196

# Kinds of incoming messages.
_IN_IGNORED: Final = 0
_IN_ERROR: Final = 1
_IN_HISTORICAL_DATA: Final = 2  # ends the request below server version 196
_IN_END: Final = 3  # always ends its request
_IN_TICKS: Final = 4  # ends its request when ``done``
_IN_SNAPSHOT_END: Final = 5
_IN = IncomingId
_INCOMING_KIND: Final[Mapping[int, int]] = {
    _IN.ERR_MSG: _IN_ERROR,
    _IN.HISTORICAL_DATA: _IN_HISTORICAL_DATA,
    _IN.HISTORICAL_DATA_END: _IN_END,
    _IN.HEAD_TIMESTAMP: _IN_END,
    _IN.HISTOGRAM_DATA: _IN_END,
    _IN.HISTORICAL_SCHEDULE: _IN_END,
    _IN.HISTORICAL_TICKS: _IN_TICKS,
    _IN.HISTORICAL_TICKS_BID_ASK: _IN_TICKS,
    _IN.HISTORICAL_TICKS_LAST: _IN_TICKS,
    _IN.TICK_SNAPSHOT_END: _IN_SNAPSHOT_END,
}

# Contract attributes that name an instrument when it has no con_id.  The exchange is
# kept apart: IB's same-contract rule is per contract *and* exchange.
_INSTRUMENT_ATTRS: Final = (
    "symbol",
    "sec_type",
    "last_trade_date_or_contract_month",
    "strike",
    "right",
    "multiplier",
    "primary_exchange",
    "currency",
    "local_symbol",
    "trading_class",
)
# Parameters of historical requests, for classes that are not dataclasses.
_KNOWN_PARAMS: Final[Mapping[int, tuple[str, ...]]] = {
    _OUT.REQ_HISTORICAL_DATA: (
        "contract",
        "end_date_time",
        "duration_str",
        "bar_size_setting",
        "what_to_show",
        "use_rth",
        "format_date",
        "keep_up_to_date",
        "chart_options",
    ),
    _OUT.REQ_HISTORICAL_TICKS: (
        "contract",
        "start_date_time",
        "end_date_time",
        "number_of_ticks",
        "what_to_show",
        "use_rth",
        "ignore_size",
        "misc_options",
    ),
    _OUT.REQ_HEAD_TIMESTAMP: ("contract", "what_to_show", "use_rth", "format_date"),
    _OUT.REQ_HISTOGRAM_DATA: ("contract", "use_rth", "time_period"),
    _OUT.REQ_REAL_TIME_BARS: (
        "contract",
        "bar_size",
        "what_to_show",
        "use_rth",
        "real_time_bars_options",
    ),
}
_BAR_UNIT_SECONDS: Final = (
    ("sec", 1),
    ("min", 60),
    ("hour", 3600),
    ("day", 86400),
    ("w", 7 * 86400),
    ("mon", 30 * 86400),
    ("m", 30 * 86400),
)


def _instrument_key(contract: object) -> Hashable:
    if contract is None:
        return None
    con_id = getattr(contract, "con_id", 0)
    if con_id:
        return con_id
    return tuple([_freeze(getattr(contract, name, None)) for name in _INSTRUMENT_ATTRS])


def _contract_key(contract: object) -> Hashable:
    return (_instrument_key(contract), getattr(contract, "exchange", None))


def _freeze(value: object) -> Hashable:
    # Parameters go into dict keys; lists of tag-values and the like become tuples.
    if isinstance(value, list | tuple):
        return tuple([_freeze(item) for item in value])
    if isinstance(value, dict):
        return tuple(sorted((repr(k), _freeze(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _bar_seconds(bar_size: object) -> int | None:
    """Seconds in a ``bar_size_setting`` such as ``"5 secs"``; ``None`` if unknown."""
    parts = str(bar_size).strip().lower().split()
    if not parts:
        return None
    count_text = parts[0]
    unit = parts[1] if len(parts) > 1 else ""
    if len(parts) == 1:
        # Compact forms such as "1W" or "1M".
        digits = count_text.rstrip("abcdefghijklmnopqrstuvwxyz")
        count_text, unit = digits, count_text[len(digits) :]
    try:
        count = int(count_text)
    except ValueError:
        return None
    for prefix, seconds in _BAR_UNIT_SECONDS:
        if unit.startswith(prefix):
            return count * seconds
    return None


def _param_names(cls: type) -> tuple[str, ...]:
    if dataclasses.is_dataclass(cls):
        names = tuple(f.name for f in dataclasses.fields(cls))
    else:
        names = _KNOWN_PARAMS.get(getattr(cls, "MSG_ID", -1), ("contract",))
    return tuple(name for name in names if name != "req_id")


def _ident(message: object) -> int | None:
    """The request id, or the order id for orders."""
    ident = getattr(message, "req_id", None)
    if ident is None:
        ident = getattr(message, "order_id", None)
    return ident if isinstance(ident, int) else None


def _target_ident(message: object, msg_id: int) -> int | None:
    if msg_id in _ORDER_IDS:
        ident = getattr(message, "order_id", None)
        if isinstance(ident, int):
            return ident
    return _ident(message)


class _Window:
    """A weighted sliding window: the sum of weights in any ``[t, t + span)``."""

    __slots__ = ("limit", "sends", "span", "total")

    def __init__(self, limit: int, span: float) -> None:
        self.limit = limit
        self.span = span
        self.sends: deque[tuple[float, int]] = deque()
        self.total = 0

    def prune(self, now: float) -> None:
        sends = self.sends
        span = self.span
        while sends and sends[0][0] + span <= now:
            self.total -= sends.popleft()[1]

    def blocked_until(self, now: float, weight: int) -> float | None:
        """When a request of ``weight`` may go; ``None`` if it may go at ``now``."""
        self.prune(now)
        # A request heavier than the whole window may go once the window is empty.
        weight = min(weight, self.limit)
        excess = self.total + weight - self.limit
        if excess <= 0:
            return None
        for time, sent_weight in self.sends:
            excess -= sent_weight
            if excess <= 0:
                return time + self.span
        raise AssertionError("unreachable: the window's total covers the excess")

    def add(self, now: float, weight: int) -> None:
        self.sends.append((now, min(weight, self.limit)))
        self.total += min(weight, self.limit)


class _Gated(Generic[M]):
    """A queued request that waits on more than the global rate."""

    __slots__ = (
        "identical",
        "instrument",
        "keep_open",
        "kind",
        "message",
        "paced",
        "req_id",
        "rule",
        "same",
        "seq",
        "submitted",
        "weight",
    )

    def __init__(self, seq: int, message: M, submitted: float, kind: int) -> None:
        self.seq = seq
        self.message = message
        self.submitted = submitted
        self.kind = kind
        self.req_id = _ident(message)
        self.rule: Rule | None = None
        self.paced = False
        self.keep_open = False
        self.weight = 1
        self.identical: Hashable = None
        self.same: Hashable = None
        self.instrument: Hashable = None


_NO_LIMIT: Final = 1 << 62
_SWEEP_EVERY: Final = 256


# --------------------------------------------------------------------------------------
# The pacer


class Pacer(Generic[M]):
    """Decides when outgoing messages may be sent; holds no clock and never sleeps.

    ``now`` is the caller's monotonic time in seconds.  It should never decrease; a
    smaller value is treated as the largest seen so far.

    The queue has two classes: priority messages (:data:`PRIORITY_MSG_IDS`) and
    everything else.  Priority messages always go first.  Among the rest, messages
    go in submission order, except that a request held by a historical or instrument
    rule lets later messages pass it; it never waits behind them once it may go.

    Attributes:
        config: the limits enforced.
        server_version: the negotiated server version, which decides what ends a
            historical bars request: below 196, ``HistoricalData`` (17) does; from
            196, ``HistoricalDataEnd`` (108) does.  ``None`` (unknown) takes the
            first of the two.  Set it after each handshake.
    """

    __slots__ = (
        "_backoff_pending",
        "_blocked_upto",
        "_by_rule",
        "_episode_sent",
        "_episode_start",
        "_episodes",
        "_events",
        "_events_dropped",
        "_gated",
        "_gated_wake",
        "_hist_level",
        "_hist_pause_len",
        "_hist_pause_until",
        "_hist_pause_errors",
        "_hist_paused",
        "_hist_window",
        "_identical",
        "_incoming_kinds",
        "_kinds",
        "_limit",
        "_line_holders",
        "_depth_holders",
        "_main",
        "_max_queued",
        "_now",
        "_open_hist",
        "_param_cache",
        "_prio",
        "_rate_errors",
        "_rate_level",
        "_rate_lowered_at",
        "_rate_until",
        "_realtime_errors",
        "_refused",
        "_backoffs",
        "_regulatory_last",
        "_ring",
        "_rt_level",
        "_rt_pause_len",
        "_rt_pause_until",
        "_rt_paused",
        "_same",
        "_sent",
        "_sent_priority",
        "_seq",
        "_sweep_countdown",
        "_tbt_holders",
        "_tbt_last",
        "_throttled",
        "_dropped",
        "_wait_max",
        "_wait_total",
        "_withdrawn",
        "config",
        "server_version",
    )

    def __init__(
        self, config: PacingConfig | None = None, *, server_version: int | None = None
    ) -> None:
        """Create a pacer.

        Args:
            config: the limits; IB's documented values when omitted.
            server_version: the negotiated server version, if already known.
        """
        self.config = config if config is not None else PacingConfig()
        self.server_version = server_version
        cfg = self.config
        self._limit: int | None = cfg.effective_rate_limit
        self._now = -inf
        self._seq = 0
        # Send times within the last RATE_WINDOW seconds, oldest first.
        self._ring: deque[float] = deque()
        self._prio: deque[tuple[int, M, float]] = deque()
        self._main: deque[tuple[int, M, float]] = deque()
        self._gated: list[_Gated[M]] = []
        # Earliest time a gated request might go, as of the last poll (or earlier, if
        # something changed since); None when only an incoming message can free one.
        self._gated_wake: float | None = None
        # Every queued message with a ticket up to this one has waited through a poll.
        self._blocked_upto = 0
        self._kinds: dict[type, int] = {}
        self._incoming_kinds: dict[type, int] = {}
        self._param_cache: dict[type, tuple[str, ...]] = {}
        # Historical pacing state.  It outlives a connection: IB counts per account.
        self._identical: dict[Hashable, float] = {}
        self._same: dict[Hashable, _Window] = {}
        self._hist_window = (
            _Window(cfg.historical_window_limit, cfg.historical_window)
            if cfg.historical_window_limit is not None
            else None
        )
        self._tbt_last: dict[Hashable, float] = {}
        self._regulatory_last = -inf
        self._sweep_countdown = _SWEEP_EVERY
        # Per-connection state: open historical requests (req_id -> closed by its end
        # message, i.e. not keep_up_to_date) and budget holders.
        self._open_hist: dict[int, bool] = {}
        self._line_holders: set[tuple[int, int | None]] = set()
        self._depth_holders: set[int | None] = set()
        self._tbt_holders: set[int | None] = set()
        # Backoff state.
        self._backoff_pending = False
        self._rate_until: float | None = None
        self._rate_level = 0
        self._rate_lowered_at = -inf
        self._hist_pause_until = -inf
        self._hist_pause_len = 0.0
        self._hist_level = 0
        self._hist_pause_errors = 0
        self._hist_paused = False
        self._rt_paused = False
        self._rt_pause_until = -inf
        self._rt_pause_len = 0.0
        self._rt_level = 0
        # Observability.
        self._events: deque[PacingEvent] = deque(maxlen=cfg.max_events)
        self._events_dropped = 0
        self._episode_start: float | None = None
        self._episode_sent = 0
        self._episodes = 0
        self._sent = 0
        self._sent_priority = 0
        self._max_queued = 0
        self._throttled = 0
        self._by_rule: dict[Rule, int] = {}
        self._wait_total = 0.0
        self._wait_max = 0.0
        self._withdrawn = 0
        self._dropped = 0
        self._refused: dict[Budget, int] = {}
        self._rate_errors = 0
        self._realtime_errors = 0
        self._backoffs = 0

    # ----------------------------------------------------------------------------------
    # Submission

    def submit(self, message: M, now: float) -> int:
        """Queue an outgoing message.

        Budgets are checked here: a request over a budget raises at once and is
        not queued.  Cancels release what their request held, and remove that
        request from the queue if it has not been sent yet.

        Args:
            message: the outgoing message.
            now: the current time, in seconds.

        Returns:
            A ticket: a positive integer, increasing in submission order, that names
            the message in events and in :meth:`withdraw`.

        Raises:
            BudgetExceededError: the request would exceed a subscription budget
                (one of its subclasses, which names the budget).
        """
        kind = self._kinds.get(message.__class__)
        if kind is None:
            kind = self._learn(message.__class__)
        if now > self._now:
            self._now = now
        if kind:
            return self._submit_special(kind, message, now)
        seq = self._seq = self._seq + 1
        self._main.append((seq, message, now))
        return seq

    def _learn(self, cls: type) -> int:
        msg_id = getattr(cls, "MSG_ID", -1)
        if msg_id in PRIORITY_MSG_IDS:
            kind = _PRIORITY
        else:
            kind = _KIND_BY_ID.get(msg_id, _PLAIN)
        self._kinds[cls] = kind
        return kind

    def _submit_special(self, kind: int, message: M, now: float) -> int:
        cfg = self.config
        msg_id: int = message.MSG_ID
        if kind == _PRIORITY:
            self._apply_cancel(message, msg_id)
            seq = self._seq = self._seq + 1
            self._prio.append((seq, message, now))
            return seq
        req_id = _ident(message)
        if kind == _MKT_DATA:
            self._reserve_line(msg_id, req_id)
            seq = self._seq = self._seq + 1
            if cfg.regulatory_snapshot_interval is not None and getattr(
                message, "regulatory_snapshot", False
            ):
                self._enqueue_gated(_Gated(seq, message, now, kind), now)
            else:
                self._main.append((seq, message, now))
            return seq
        if kind == _MKT_DEPTH:
            limit = cfg.market_depth_limit
            if limit is not None and req_id not in self._depth_holders:
                in_use = len(self._depth_holders)
                if in_use >= limit:
                    self._refuse(
                        MarketDepthLimitExceededError(Budget.MARKET_DEPTH, limit, in_use, req_id)
                    )
            self._reserve_line(msg_id, req_id)
            self._depth_holders.add(req_id)
            seq = self._seq = self._seq + 1
            self._main.append((seq, message, now))
            return seq
        if kind == _TICK_BY_TICK:
            limit = cfg.tick_by_tick_limit
            if limit is not None and req_id not in self._tbt_holders:
                in_use = len(self._tbt_holders)
                if in_use >= limit:
                    self._refuse(
                        TickByTickLimitExceededError(Budget.TICK_BY_TICK, limit, in_use, req_id)
                    )
            self._tbt_holders.add(req_id)
            seq = self._seq = self._seq + 1
            entry = _Gated(seq, message, now, kind)
            entry.instrument = _instrument_key(getattr(message, "contract", None))
            self._enqueue_gated(entry, now)
            return seq
        # Historical requests and real-time bars.
        if kind == _REAL_TIME_BARS:
            self._reserve_line(msg_id, req_id)
        seq = self._seq = self._seq + 1
        entry = _Gated(seq, message, now, kind)
        self._describe_historical(entry, message, msg_id)
        self._enqueue_gated(entry, now)
        return seq

    def _describe_historical(self, entry: _Gated[M], message: M, msg_id: int) -> None:
        cfg = self.config
        cls = message.__class__
        names = self._param_cache.get(cls)
        if names is None:
            names = self._param_cache[cls] = _param_names(cls)
        contract_key = _contract_key(getattr(message, "contract", None))
        params: list[Hashable] = [msg_id]
        for name in names:
            value = getattr(message, name, None)
            params.append(contract_key if name == "contract" else _freeze(value))
        entry.identical = tuple(params)
        what = str(getattr(message, "what_to_show", "") or "")
        entry.same = (contract_key, what)
        entry.weight = cfg.historical_bid_ask_weight if what.upper() == "BID_ASK" else 1
        entry.keep_open = bool(getattr(message, "keep_up_to_date", False))
        entry.paced = True
        if cfg.historical_small_bars_only and msg_id == OutgoingId.REQ_HISTORICAL_DATA:
            seconds = _bar_seconds(getattr(message, "bar_size_setting", ""))
            # An unreadable bar size is paced: the cautious choice.
            entry.paced = seconds is None or seconds <= HISTORICAL_SMALL_BAR_SECONDS

    def _enqueue_gated(self, entry: _Gated[M], now: float) -> None:
        self._gated.append(entry)
        # Not yet looked at by a poll: it may be able to go right away.
        self._gated_wake = now

    def _reserve_line(self, msg_id: int, req_id: int | None) -> None:
        limit = self.config.market_data_lines
        key = (msg_id, req_id)
        holders = self._line_holders
        if key in holders:
            return
        if limit is not None and len(holders) >= limit:
            self._refuse(
                MarketDataLinesExceededError(Budget.MARKET_DATA_LINES, limit, len(holders), req_id)
            )
        holders.add(key)

    def _refuse(self, error: BudgetExceededError) -> None:
        self._refused[error.budget] = self._refused.get(error.budget, 0) + 1
        raise error

    def _apply_cancel(self, cancel: M, msg_id: int) -> None:
        """Release what the cancelled request held; withdraw it if still queued."""
        if msg_id == OutgoingId.REQ_GLOBAL_CANCEL:
            # Orders queued before a global cancel would be cancelled on arrival.
            self._withdraw_where(OutgoingId.PLACE_ORDER, None, msg_id, any_ident=True)
            return
        target = _CANCEL_TARGET.get(msg_id)
        if target is None:
            return
        ident = _target_ident(cancel, msg_id)
        self._withdraw_where(target, ident, msg_id, any_ident=False)
        self._release(target, ident)

    def _release(self, target: int, ident: int | None) -> None:
        """Release the budgets and the open slot held by one request."""
        if target == OutgoingId.REQ_MKT_DATA or target == OutgoingId.REQ_REAL_TIME_BARS:
            self._line_holders.discard((target, ident))
        elif target == OutgoingId.REQ_MKT_DEPTH:
            self._line_holders.discard((target, ident))
            self._depth_holders.discard(ident)
        elif target == OutgoingId.REQ_TICK_BY_TICK_DATA:
            self._tbt_holders.discard(ident)
        elif _KIND_BY_ID.get(target) == _HISTORICAL and ident is not None:
            if self._open_hist.pop(ident, None) is not None and self._gated:
                self._gated_wake = self._now

    def _withdraw_where(
        self, target: int, ident: int | None, by: int | None, *, any_ident: bool
    ) -> None:
        def matches(message: SupportsMsgId) -> bool:
            if message.MSG_ID != target:
                return False
            return any_ident or _target_ident(message, target) == ident

        main = self._main
        if main and any(matches(m) for _, m, _ in main):
            keep: deque[tuple[int, M, float]] = deque()
            for item in main:
                if matches(item[1]):
                    self._note_withdrawn(item[0], item[1], by)
                else:
                    keep.append(item)
            self._main = keep
        if self._gated and any(matches(e.message) for e in self._gated):
            kept: list[_Gated[M]] = []
            for entry in self._gated:
                if matches(entry.message):
                    self._note_withdrawn(entry.seq, entry.message, by)
                else:
                    kept.append(entry)
            self._gated = kept

    def _note_withdrawn(self, seq: int, message: SupportsMsgId, by: int | None) -> None:
        self._withdrawn += 1
        self._emit(RequestWithdrawn(seq, message.MSG_ID, _ident(message), by))

    def _take(self, ticket: int) -> M | None:
        """Remove a queued message by ticket."""
        for queue in (self._prio, self._main):
            for item in queue:
                if item[0] == ticket:
                    queue.remove(item)
                    return item[1]
        for index, entry in enumerate(self._gated):
            if entry.seq == ticket:
                del self._gated[index]
                return entry.message
        return None

    def withdraw(self, ticket: int) -> M | None:
        """Remove a message from the queue before it is sent.

        Whatever it held (a market data line, a depth or tick-by-tick slot) is
        released.  Use it when the caller gives up on a request still queued.

        Args:
            ticket: the ticket :meth:`submit` returned.

        Returns:
            The withdrawn message, or ``None`` if it is not queued (already sent,
            withdrawn, dropped, or never submitted).
        """
        found = self._take(ticket)
        if found is None:
            return None
        msg_id = found.MSG_ID
        if msg_id not in PRIORITY_MSG_IDS:
            self._release(msg_id, _ident(found))
        self._note_withdrawn(ticket, found, None)
        return found

    # ----------------------------------------------------------------------------------
    # Release

    def poll(self, now: float) -> list[M]:
        """Release every queued message that may be sent at ``now``.

        Each released message is counted against the rate at ``now``: send them
        all, in the order given, before the next call.

        Args:
            now: the current time, in seconds.

        Returns:
            The messages to send now, in send order (possibly empty).
        """
        if now < self._now:
            now = self._now
        else:
            self._now = now
        ring = self._ring
        while ring and ring[0] + RATE_WINDOW <= now:
            ring.popleft()
        if self._backoff_pending:
            self._expire_backoffs(now)
        out: list[M] = []
        main = self._main
        if self._gated or self._prio:
            self._poll_all(now, out)
        elif main:
            # Hot path: nothing but the global rate applies.
            limit = self._limit
            n = len(main)
            if n > self._max_queued:
                self._max_queued = n
            if limit is not None:
                room = limit - len(ring)
                if room < n:
                    n = room if room > 0 else 0
            blocked = self._blocked_upto
            popleft = main.popleft
            append_ring = ring.append
            append_out = out.append
            for _ in range(n):
                seq, message, submitted = popleft()
                append_ring(now)
                append_out(message)
                if seq <= blocked:
                    self._delayed(seq, message, submitted, now, Rule.GLOBAL_RATE)
            self._sent += n
        if main or self._prio or self._gated:
            self._after_blocked(now)
        elif self._episode_start is not None:
            self._end_episode(now)
        return out

    def _poll_all(self, now: float, out: list[M]) -> None:
        ring = self._ring
        limit = self._limit
        prio = self._prio
        main = self._main
        gated = self._gated
        depth = len(prio) + len(main) + len(gated)
        if depth > self._max_queued:
            self._max_queued = depth
        room = _NO_LIMIT if limit is None else limit - len(ring)
        blocked = self._blocked_upto
        while prio and room > 0:
            seq, message, submitted = prio.popleft()
            ring.append(now)
            out.append(message)
            self._sent += 1
            self._sent_priority += 1
            room -= 1
            if seq <= blocked:
                self._delayed(seq, message, submitted, now, Rule.GLOBAL_RATE)
        if gated:
            wake: float | None = None
            kept: list[_Gated[M]] = []
            for entry in gated:
                if room <= 0:
                    kept.append(entry)
                    wake = now
                    continue
                rule, until = self._check(entry, now)
                if rule is not None:
                    if entry.rule is None:
                        entry.rule = rule
                    kept.append(entry)
                    if until is not None and (wake is None or until < wake):
                        wake = until
                    continue
                # Eligible: older plain messages go first, then this one.
                while main and room > 0 and main[0][0] < entry.seq:
                    room -= 1
                    self._send_main(now, out)
                if room <= 0:
                    kept.append(entry)
                    wake = now
                    continue
                room -= 1
                ring.append(now)
                out.append(entry.message)
                self._sent += 1
                self._on_gated_sent(entry, now)
                if entry.rule is not None or entry.seq <= blocked:
                    self._delayed(
                        entry.seq,
                        entry.message,
                        entry.submitted,
                        now,
                        entry.rule or Rule.GLOBAL_RATE,
                    )
            self._gated = kept
            self._gated_wake = wake
        while main and room > 0:
            room -= 1
            self._send_main(now, out)

    def _send_main(self, now: float, out: list[M]) -> None:
        seq, message, submitted = self._main.popleft()
        self._ring.append(now)
        out.append(message)
        self._sent += 1
        if seq <= self._blocked_upto:
            self._delayed(seq, message, submitted, now, Rule.GLOBAL_RATE)

    def _check(self, entry: _Gated[M], now: float) -> tuple[Rule | None, float | None]:
        """The rule holding a gated request at ``now`` and when it may lift."""
        cfg = self.config
        kind = entry.kind
        if kind == _HISTORICAL or kind == _REAL_TIME_BARS:
            if self._hist_pause_until > now:
                return Rule.HISTORICAL_BACKOFF, self._hist_pause_until
            if kind == _REAL_TIME_BARS:
                if self._rt_pause_until > now:
                    return Rule.REALTIME_BACKOFF, self._rt_pause_until
            elif (
                cfg.historical_max_open is not None
                and len(self._open_hist) >= cfg.historical_max_open
            ):
                return Rule.HISTORICAL_OPEN, None
            if not entry.paced:
                return None, None
            interval = cfg.historical_identical_interval
            if interval is not None:
                last = self._identical.get(entry.identical)
                if last is not None and last + interval > now:
                    return Rule.HISTORICAL_IDENTICAL, last + interval
            if cfg.historical_same_contract_limit is not None:
                window = self._same.get(entry.same)
                if window is not None:
                    until = window.blocked_until(now, entry.weight)
                    if until is not None:
                        return Rule.HISTORICAL_SAME_CONTRACT, until
            if self._hist_window is not None:
                until = self._hist_window.blocked_until(now, entry.weight)
                if until is not None:
                    return Rule.HISTORICAL_WINDOW, until
            return None, None
        if kind == _TICK_BY_TICK:
            if self._rt_pause_until > now:
                return Rule.REALTIME_BACKOFF, self._rt_pause_until
            interval = cfg.tick_by_tick_instrument_interval
            if interval is not None:
                last = self._tbt_last.get(entry.instrument)
                if last is not None and last + interval > now:
                    return Rule.TICK_BY_TICK_INSTRUMENT, last + interval
            return None, None
        # A regulatory snapshot.
        interval = cfg.regulatory_snapshot_interval
        if interval is not None and self._regulatory_last + interval > now:
            return Rule.REGULATORY_SNAPSHOT, self._regulatory_last + interval
        return None, None

    def _on_gated_sent(self, entry: _Gated[M], now: float) -> None:
        cfg = self.config
        kind = entry.kind
        if kind == _TICK_BY_TICK:
            self._tbt_last[entry.instrument] = now
        elif kind == _MKT_DATA:
            self._regulatory_last = now
        else:
            if kind == _HISTORICAL and entry.req_id is not None:
                self._open_hist[entry.req_id] = not entry.keep_open
            if entry.paced:
                self._identical[entry.identical] = now
                limit = cfg.historical_same_contract_limit
                if limit is not None:
                    window = self._same.get(entry.same)
                    if window is None:
                        window = self._same[entry.same] = _Window(
                            limit, cfg.historical_same_contract_window
                        )
                    window.add(now, entry.weight)
                if self._hist_window is not None:
                    self._hist_window.add(now, entry.weight)
        self._sweep_countdown -= 1
        if self._sweep_countdown <= 0:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        """Forget pacing history too old to matter, so memory stays bounded."""
        cfg = self.config
        self._sweep_countdown = _SWEEP_EVERY
        interval = cfg.historical_identical_interval or 0.0
        self._identical = {k: t for k, t in self._identical.items() if t + interval > now}
        tbt_interval = cfg.tick_by_tick_instrument_interval or 0.0
        self._tbt_last = {k: t for k, t in self._tbt_last.items() if t + tbt_interval > now}
        for key in list(self._same):
            window = self._same[key]
            window.prune(now)
            if not window.sends:
                del self._same[key]

    def _delayed(
        self, seq: int, message: M | SupportsMsgId, submitted: float, now: float, rule: Rule
    ) -> None:
        waited = now - submitted
        if waited < 0.0:
            waited = 0.0
        self._throttled += 1
        self._wait_total += waited
        if waited > self._wait_max:
            self._wait_max = waited
        self._by_rule[rule] = self._by_rule.get(rule, 0) + 1
        self._emit(MessageDelayed(seq, message.MSG_ID, _ident(message), rule, waited))

    def _after_blocked(self, now: float) -> None:
        """Book-keeping after a poll that left messages queued."""
        self._blocked_upto = self._seq
        if self._episode_start is not None:
            return
        if self._prio:
            rule = Rule.GLOBAL_RATE
        elif self._gated and (not self._main or self._gated[0].seq < self._main[0][0]):
            rule = self._gated[0].rule or Rule.GLOBAL_RATE
        else:
            rule = Rule.GLOBAL_RATE
        self._episode_start = now
        self._episode_sent = self._sent
        self._episodes += 1
        self._emit(ThrottlingStarted(now, rule, self.queued))

    def _end_episode(self, now: float) -> None:
        start = self._episode_start
        assert start is not None
        self._episode_start = None
        self._emit(ThrottlingEnded(now, now - start, self._sent - self._episode_sent))

    def next_deadline(self) -> float | None:
        """The earliest time :meth:`poll` could release more.

        A time at or before the last ``now`` means "poll now".  ``None`` means
        that waiting alone releases nothing: the queue is empty, or every queued
        request waits for an open historical request to end.  Call :meth:`poll`
        again after :meth:`submit`, :meth:`on_incoming` and :meth:`withdraw`.

        Returns:
            A time in the caller's clock, or ``None``.
        """
        if self._prio or self._main:
            return self._global_slot()
        if self._gated:
            wake = self._gated_wake
            if wake is None:
                return None
            slot = self._global_slot()
            return wake if wake > slot else slot
        return None

    def _global_slot(self) -> float:
        """When the global rule next admits one message."""
        ring = self._ring
        limit = self._limit
        if limit is None or len(ring) < limit:
            return self._now
        slot = ring[len(ring) - limit] + RATE_WINDOW
        until = self._rate_until
        if until is not None:
            # The backoff ends before the lowered rate frees a slot.
            nominal = self.config.effective_rate_limit
            if nominal is None or len(ring) < nominal:
                after = until
            else:
                after = max(until, ring[len(ring) - nominal] + RATE_WINDOW)
            if after < slot:
                slot = after
        return slot

    # ----------------------------------------------------------------------------------
    # Server messages

    @staticmethod
    def watches(cls: type) -> bool:
        """Whether :meth:`on_incoming` does anything for messages of ``cls``.

        Front ends skip the call for the other classes (ticks, most data).
        """
        return _INCOMING_KIND.get(getattr(cls, "MSG_ID", -1), _IN_IGNORED) != _IN_IGNORED

    def on_incoming(self, message: SupportsMsgId, now: float) -> None:
        """Watch a server message for ends of requests and pacing errors.

        End markers and errors close open historical requests and release budgets;
        errors 100, 162 (pacing text) and 420 start a backoff.  Other messages cost
        one dictionary lookup.

        Args:
            message: a decoded server message.
            now: the current time, in seconds.
        """
        kind = self._incoming_kinds.get(message.__class__)
        if kind is None:
            cls = message.__class__
            kind = self._incoming_kinds[cls] = _INCOMING_KIND.get(
                getattr(cls, "MSG_ID", -1), _IN_IGNORED
            )
        if not kind:
            return
        if now < self._now:
            now = self._now
        else:
            self._now = now
        req_id = getattr(message, "req_id", None)
        if kind == _IN_ERROR:
            self._on_error(message, req_id, now)
        elif kind == _IN_SNAPSHOT_END:
            self._line_holders.discard((OutgoingId.REQ_MKT_DATA, req_id))
        elif kind == _IN_HISTORICAL_DATA:
            version = self.server_version
            if version is None or version < _HISTORICAL_DATA_END_VERSION:
                self._end_historical(req_id)
        elif kind == _IN_END or (kind == _IN_TICKS and getattr(message, "done", False)):
            self._end_historical(req_id)

    def _end_historical(self, req_id: int | None) -> None:
        if req_id is None or not self._open_hist.get(req_id, False):
            # Unknown, or keep_up_to_date: its end marker does not close it.
            return
        del self._open_hist[req_id]
        if self._gated:
            self._gated_wake = self._now

    def _on_error(self, message: SupportsMsgId, req_id: int | None, now: float) -> None:
        code = getattr(message, "error_code", 0)
        if code == 100:
            self._rate_errors += 1
            self._rate_backoff(req_id, now)
        elif code == 162:
            text = str(getattr(message, "error_string", "")).lower()
            if "pacing" in text:
                self._hist_pause_errors += 1
                self._pause(BackoffKind.HISTORICAL, code, req_id, now)
        elif code == 420:
            self._realtime_errors += 1
            self._pause(BackoffKind.REALTIME, code, req_id, now)
        if (
            isinstance(req_id, int)
            and req_id >= 0
            and not 2100 <= code <= 2199
            and code not in NON_TERMINAL_ERROR_CODES
        ):
            self._end_request(req_id)

    def _end_request(self, req_id: int) -> None:
        self._line_holders.discard((OutgoingId.REQ_MKT_DATA, req_id))
        self._line_holders.discard((OutgoingId.REQ_REAL_TIME_BARS, req_id))
        self._line_holders.discard((OutgoingId.REQ_MKT_DEPTH, req_id))
        self._depth_holders.discard(req_id)
        self._tbt_holders.discard(req_id)
        if self._open_hist.pop(req_id, None) is not None and self._gated:
            self._gated_wake = self._now

    def _rate_backoff(self, req_id: int | None, now: float) -> None:
        cfg = self.config
        if not cfg.rate_backoff:
            return
        until = self._rate_until
        deepen = False
        if until is None or now >= until:
            self._rate_level = 1
            deepen = True
        elif now - self._rate_lowered_at >= RATE_WINDOW:
            # Errors within a window of the last lowering were caused by messages
            # sent before it; only later ones show the lowered rate is still too high.
            self._rate_level += 1
            deepen = True
        if deepen:
            self._rate_lowered_at = now
        self._rate_until = now + cfg.rate_backoff_duration
        self._limit = max(
            1, floor(cfg.nominal_rate_limit * cfg.rate_backoff_factor**self._rate_level)
        )
        self._backoff_pending = True
        if deepen:
            self._backoffs += 1
            self._emit(
                BackoffStarted(
                    now,
                    BackoffKind.RATE,
                    100,
                    req_id if isinstance(req_id, int) else -1,
                    self._rate_level,
                    self._rate_until,
                    self._limit,
                )
            )

    def _pause(self, kind: BackoffKind, code: int, req_id: int | None, now: float) -> None:
        cfg = self.config
        historical = kind is BackoffKind.HISTORICAL
        base = cfg.historical_backoff if historical else cfg.realtime_backoff
        if base is None:
            return
        until = self._hist_pause_until if historical else self._rt_pause_until
        if until > now:
            # Already paused: these come from requests sent before the pause.
            return
        length = self._hist_pause_len if historical else self._rt_pause_len
        level = self._hist_level if historical else self._rt_level
        # A repeat soon after a pause ends (within the pause's own length) doubles it.
        level = level + 1 if level and now < until + length else 1
        length = min(cfg.backoff_max, base * 2 ** (level - 1))
        until = now + length
        if historical:
            self._hist_level, self._hist_pause_len, self._hist_pause_until = level, length, until
            self._hist_paused = True
        else:
            self._rt_level, self._rt_pause_len, self._rt_pause_until = level, length, until
            self._rt_paused = True
        self._backoff_pending = True
        self._backoffs += 1
        self._emit(
            BackoffStarted(now, kind, code, req_id if isinstance(req_id, int) else -1, level, until)
        )

    def _expire_backoffs(self, now: float) -> None:
        pending = False
        until = self._rate_until
        if until is not None:
            if now >= until:
                self._rate_until = None
                self._limit = self.config.effective_rate_limit
                self._emit(BackoffEnded(now, BackoffKind.RATE))
            else:
                pending = True
        # Pause levels are kept after a pause ends: they decide how long a repeat is.
        if self._hist_paused:
            if now >= self._hist_pause_until:
                self._hist_paused = False
                self._emit(BackoffEnded(now, BackoffKind.HISTORICAL))
            else:
                pending = True
        if self._rt_paused:
            if now >= self._rt_pause_until:
                self._rt_paused = False
                self._emit(BackoffEnded(now, BackoffKind.REALTIME))
            else:
                pending = True
        self._backoff_pending = pending

    # ----------------------------------------------------------------------------------
    # Connection

    def on_disconnect(self) -> list[M]:
        """Forget the connection's state and hand back what was never sent.

        Queued messages are removed and returned (priority messages first, then in
        submission order) so the front end can fail their waiters; they belong to
        a dead session.  Open historical requests and all budgets are released: TWS
        drops them with the connection.  The send history of the global rate, the
        historical pacing windows, the tick-by-tick spacing and any backoff are
        kept: IB counts them per TWS and account, across connections.

        Returns:
            The unsent messages.
        """
        gated = [(e.seq, e.message) for e in self._gated]
        rest = sorted([(seq, m) for seq, m, _ in self._main] + gated, key=lambda item: item[0])
        dropped: list[M] = [m for _, m, _ in self._prio]
        dropped.extend(m for _, m in rest)
        self._prio.clear()
        self._main.clear()
        self._gated = []
        self._gated_wake = None
        self._dropped += len(dropped)
        self._open_hist.clear()
        self._line_holders.clear()
        self._depth_holders.clear()
        self._tbt_holders.clear()
        if self._episode_start is not None:
            self._end_episode(self._now)
        return dropped

    # ----------------------------------------------------------------------------------
    # Observability

    def _emit(self, event: PacingEvent) -> None:
        events = self._events
        if len(events) == events.maxlen:
            self._events_dropped += 1
        events.append(event)

    def events(self) -> list[PacingEvent]:
        """Return and forget the events since the last call, oldest first.

        Returns:
            The events.
        """
        drained = list(self._events)
        self._events.clear()
        return drained

    @property
    def queued(self) -> int:
        """Messages waiting in the queue."""
        return len(self._prio) + len(self._main) + len(self._gated)

    @property
    def rate_limit(self) -> int | None:
        """Messages allowed in any 1-second window now (lowered during a backoff)."""
        return self._limit

    @property
    def open_historical(self) -> int:
        """Historical requests sent and not yet ended."""
        return len(self._open_hist)

    @property
    def stats(self) -> PacerStats:
        """A snapshot of the counters."""
        return PacerStats(
            submitted=self._seq,
            sent=self._sent,
            sent_priority=self._sent_priority,
            queued=self.queued,
            queued_priority=len(self._prio),
            max_queued=self._max_queued,
            throttled=self._throttled,
            throttled_by_rule=MappingProxyType(dict(self._by_rule)),
            total_wait=self._wait_total,
            max_wait=self._wait_max,
            throttling_episodes=self._episodes,
            withdrawn=self._withdrawn,
            dropped=self._dropped,
            refused_by_budget=MappingProxyType(dict(self._refused)),
            rate_errors=self._rate_errors,
            historical_pacing_errors=self._hist_pause_errors,
            realtime_errors=self._realtime_errors,
            backoffs=self._backoffs,
            open_historical=len(self._open_hist),
            market_data_lines_in_use=len(self._line_holders),
            market_depth_in_use=len(self._depth_holders),
            tick_by_tick_in_use=len(self._tbt_holders),
            rate_limit=self._limit,
            events_dropped=self._events_dropped,
        )
