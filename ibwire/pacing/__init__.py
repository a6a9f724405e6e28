"""Client-side pacing of outgoing requests: IB's request limits as pure arithmetic.

A :class:`Pacer` sits between the code that builds requests and the socket.  It
holds no clock and does no I/O: every call takes ``now`` (seconds on a monotonic
clock chosen by the caller) and answers what may be sent now, or when to ask
again.  A front end drives it like this::

    pacer: Pacer[Message] = Pacer(PacingConfig(), code_table=table)
    pacer.on_connect(now, server_version)  # the handshake wrote startApi: count it
    ticket = pacer.submit(request, now)    # may raise a PacingError subclass at once
    for message in pacer.poll(now):        # what may go now, in send order
        write(message)
    wake_at = pacer.next_deadline()        # when poll() could release more, or None
    pacer.on_incoming(server_message, now)
    unsent = pacer.on_disconnect()

Rules, each set in :class:`PacingConfig` and each disabled by ``None``:

* **Global rate** - a token bucket: a steady
  :attr:`PacingConfig.effective_rate_limit` messages per second (45 by default:
  IB's 50 minus a margin of 5) and a burst of :attr:`PacingConfig.effective_burst`
  (1 by default), sized so that no 1-second window at TWS holds more than 50 even
  when each message arrives up to :attr:`PacingConfig.arrival_jitter` (0.1 s)
  late.  Every outgoing message counts: cancels, and ``startApi``
  (:meth:`Pacer.on_connect`).
* **Historical pacing** - for historical bars, historical ticks, head timestamps,
  histograms, and real-time bars: no identical request within 15 s; at most
  5 requests per contract + exchange + ``what_to_show`` within 2 s; at most 60
  requests in any 10 minutes; ``BID_ASK`` requests weigh 2.  Requests that would
  break a rule wait in the queue.
* **Open historical requests** - at most 50 at once.  Queued requests wait.
* **Budgets** - market data lines (100), market depth (3), tick-by-tick (3).  A
  request over a budget is refused at once with a
  :class:`~ibwire.errors.BudgetExceededError`.
* **Instrument spacing** - one tick-by-tick request per instrument per 15 s and
  one regulatory snapshot per second; later requests wait.
* **Priority** - cancels go out before queued new requests; a cancel of a
  request that never left the queue withdraws it and is not sent either.
* **Backoff** - errors 100, 162 and 420 (the last two with a pacing text) lower
  the rate or pause historical / real-time requests for a while.  Which other errors end a request
  is read from the client's :class:`~ibwire.errorcodes.CodeTable`.

The topic guide ``docs/topics/pacing.rst`` explains every rule and default.
"""

from __future__ import annotations

# The classes are re-homed here (at the end), so typing.get_type_hints resolves
# their annotations in this namespace: it must hold every name they use.
from collections.abc import Mapping  # noqa: F401
from typing import ClassVar  # noqa: F401

from ..errors import (
    BudgetExceededError,
    MarketDataLinesExceededError,
    MarketDepthLimitExceededError,
    TickByTickLimitExceededError,
)
from ._config import (
    DEFAULT_ARRIVAL_JITTER,
    DEFAULT_RATE_SAFETY_MARGIN,
    HISTORICAL_SMALL_BAR_SECONDS,
    IB_BID_ASK_WEIGHT,
    IB_HISTORICAL_IDENTICAL_INTERVAL,
    IB_HISTORICAL_MAX_OPEN,
    IB_HISTORICAL_SAME_CONTRACT_LIMIT,
    IB_HISTORICAL_SAME_CONTRACT_WINDOW,
    IB_HISTORICAL_WINDOW,
    IB_HISTORICAL_WINDOW_LIMIT,
    IB_MARKET_DATA_LINES,
    IB_MAX_MESSAGES_PER_SECOND,
    IB_REGULATORY_SNAPSHOT_INTERVAL,
    IB_TICK_BY_TICK_INSTRUMENT_INTERVAL,
    NON_TERMINAL_ERROR_CODES,
    PACEAPI_CONNECT_OPTION,
    PACEAPI_MIN_TWS_BUILD,
    PRIORITY_MSG_IDS,
    RATE_WINDOW,
    BackoffKind,
    Budget,
    PacingConfig,
    Rule,
    SupportsMsgId,
    depth_limit_for_lines,
)
from ._events import (
    BackoffEnded,
    BackoffStarted,
    MessageDelayed,
    PacerStats,
    PacingEvent,
    RequestWithdrawn,
    ThrottlingEnded,
    ThrottlingStarted,
)
from ._pacer import Pacer

__all__ = [
    "DEFAULT_ARRIVAL_JITTER",
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

# The classes are documented (and pickled, and shown in reprs) as ibwire.pacing.X.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith(__name__ + "."):
        _obj.__module__ = __name__
del _name, _obj
