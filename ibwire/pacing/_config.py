"""IB's request limits as numbers, the vocabulary of the pacer, and its configuration."""

from __future__ import annotations

from enum import Enum
from typing import ClassVar, Final, Protocol

from .._record import dataclass
from ..catalog import PACING_CLASSES, Pacing
from ..errorcodes import CODES

# --------------------------------------------------------------------------------------
# IB's documented values (protocol.md section 7)

#: IB's ceiling on client messages per second, summed over all clients of one TWS.
IB_MAX_MESSAGES_PER_SECOND: Final = 50
#: Messages per second kept in reserve below IB's ceiling: the steady pace is 45/s,
#: the same as ib_async's.
DEFAULT_RATE_SAFETY_MARGIN: Final = 5
#: Length of the window in which IB counts messages, in seconds.
RATE_WINDOW: Final = 1.0
#: Seconds by which TWS may see a message later than we sent it (network, its own
#: queues, its timestamping), independently for each message.  The pacer never
#: sends more than the ceiling within ``1 + arrival_jitter`` seconds, so that no
#: 1-second window at TWS can hold more than the ceiling even then.
DEFAULT_ARRIVAL_JITTER: Final = 0.1
#: Messages the token bucket lets go at once after a quiet spell.
DEFAULT_BURST: Final = 10
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
#: ``REQ_GLOBAL_CANCEL``, as the catalogue classes them (:data:`ibwire.catalog.PACING_CLASSES`).
PRIORITY_MSG_IDS: Final[frozenset[int]] = frozenset(
    int(msg_id) for msg_id, cls in PACING_CLASSES.items() if cls is Pacing.PRIORITY
)

#: Codes of the built-in table (:data:`ibwire.errorcodes.CODES`) that leave a request
#: alive.  Kept for compatibility: the pacer asks its
#: :class:`~ibwire.errorcodes.CodeTable` (:attr:`Pacer.code_table`), which also
#: classifies codes outside the table by range and carries a user's overrides.
NON_TERMINAL_ERROR_CODES: Final[frozenset[int]] = frozenset(
    code for code, info in CODES.items() if not info.ends_request
)
# Added to the receiver-side span, so that float rounding of send times can never
# put two sends one span apart into one window at TWS.
SPAN_SLACK: Final = 1e-6


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
    #: Error 420 with a pacing text: real-time bars and tick-by-tick requests are paused.
    REALTIME = "realtime"


class SupportsMsgId(Protocol):
    """Anything with a message id: every ibwire message class."""

    MSG_ID: ClassVar[int]


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
        rate_safety_margin: messages per second kept in reserve below the ceiling:
            the token bucket refills at ``max_messages_per_second -
            rate_safety_margin`` (45) messages per second.
        burst: the token bucket's capacity: how many messages may go at once
            after a quiet spell (10).  The bucket refills at the steady rate.
        arrival_jitter: seconds by which TWS may see each message later than it
            was sent (0.1).  Besides the bucket, the pacer never sends more than
            ``max_messages_per_second`` within ``1 + arrival_jitter`` seconds, so
            no window of 1 second at TWS holds more than that, whatever the
            jitter of each message up to this bound.  The historical intervals
            and windows, and the tick-by-tick and regulatory snapshot spacing,
            are lengthened by as much (:attr:`historical_margin`), for the same
            reason.
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
            after error 420 with a pacing text (15); doubles for each repeat, up
            to ``backoff_max``.
        backoff_max: the longest pause, in seconds (600).
        max_events: events kept for :meth:`Pacer.events` before the oldest are
            dropped (1024).
    """

    max_messages_per_second: int | None = IB_MAX_MESSAGES_PER_SECOND
    rate_safety_margin: int = DEFAULT_RATE_SAFETY_MARGIN
    burst: int = DEFAULT_BURST
    arrival_jitter: float = DEFAULT_ARRIVAL_JITTER
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
        if not self.arrival_jitter >= 0:
            raise ValueError(
                f"PacingConfig.arrival_jitter must not be negative, not {self.arrival_jitter}"
            )
        if self.burst < 1:
            raise ValueError(f"PacingConfig.burst must be at least 1, not {self.burst}")
        if not 0 < self.rate_backoff_factor <= 1:
            raise ValueError(
                "PacingConfig.rate_backoff_factor must be in (0, 1], "
                f"not {self.rate_backoff_factor}"
            )

    @property
    def receiver_span(self) -> float:
        """Seconds within which at most :attr:`receiver_cap` messages are sent.

        ``1 + arrival_jitter``: the sends that one 1-second window at TWS can see.
        With jitter a microsecond is added, since TWS's times are then our send
        times plus a float that rounding may pull a hair closer together.
        """
        if not self.arrival_jitter:
            return RATE_WINDOW
        return RATE_WINDOW + self.arrival_jitter + SPAN_SLACK

    @property
    def historical_margin(self) -> float:
        """Seconds added to each interval and window that TWS measures.

        TWS counts a request when it arrives, up to ``arrival_jitter`` after it
        was sent: ``arrival_jitter`` plus a microsecond for rounding, or nothing
        without jitter.  It lengthens the historical intervals and windows, and
        the spacing of tick-by-tick requests per instrument and of regulatory
        snapshots.
        """
        if not self.arrival_jitter:
            return 0.0
        return self.arrival_jitter + SPAN_SLACK

    @property
    def receiver_cap(self) -> int | None:
        """The most messages TWS can count in one second, jitter included.

        IB's ceiling (50), or ``None`` when the global rule is not paced here.
        """
        if self.max_messages_per_second is None or self.server_paced:
            return None
        return self.max_messages_per_second

    @property
    def effective_rate_limit(self) -> int | None:
        """The steady rate, in messages per second, or ``None`` when not paced here.

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
