"""How the pacer classifies messages, and the small structures its rules use."""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Hashable, Mapping
from typing import Final, Generic, TypeVar

from ..bars import bar_seconds as parse_bar_size
from ..catalog import PACING_CLASSES, REQUESTS, Pacing
from ..ids import IncomingId, OutgoingId
from ._config import Rule, SupportsMsgId

M = TypeVar("M", bound=SupportsMsgId)

# --------------------------------------------------------------------------------------
# Classification tables

# Kinds of outgoing messages.  Zero is the hot path: only the global rate applies.
PLAIN: Final = 0
PRIORITY: Final = 1
MKT_DATA: Final = 2  # one line; a regulatory snapshot also waits for its spacing
MKT_DEPTH: Final = 3  # one depth subscription and one line
TICK_BY_TICK: Final = 4  # one tick-by-tick subscription; spaced per instrument
HISTORICAL: Final = 5  # historical pacing windows and the open-request count
REAL_TIME_BARS: Final = 6  # one line and the historical pacing windows
TARGET: Final = 7  # any other request a cancel names: its submissions are counted

_OUT = OutgoingId

# Read from the catalogue (one row per wire id): the cancel pairs and the pacing
# classes live there and nowhere else.
_KIND_OF_CLASS: Final[Mapping[Pacing, int]] = {
    Pacing.MARKET_DATA: MKT_DATA,
    Pacing.MARKET_DEPTH: MKT_DEPTH,
    Pacing.TICK_BY_TICK: TICK_BY_TICK,
    Pacing.HISTORICAL: HISTORICAL,
    Pacing.REAL_TIME_BARS: REAL_TIME_BARS,
}
# Cancel id -> id of the request it cancels (``reqAccountUpdates``, which cancels
# itself, is not a pair).
CANCEL_TARGET: Final[Mapping[int, int]] = {
    int(row.cancel): int(row.msg_id)
    for row in REQUESTS.values()
    if row.cancel is not None and row.cancel != row.msg_id
}
#: Every request a cancel names.
TARGETS: Final = frozenset(CANCEL_TARGET.values())
_SPECIAL_KINDS: Final[Mapping[int, int]] = {
    int(msg_id): _KIND_OF_CLASS[cls]
    for msg_id, cls in PACING_CLASSES.items()
    if cls in _KIND_OF_CLASS
}

KIND_BY_ID: Final[Mapping[int, int]] = {
    **{target: TARGET for target in TARGETS},
    **_SPECIAL_KINDS,
}
# Requests whose id is an order id rather than a request id.
ORDER_IDS: Final = frozenset({_OUT.PLACE_ORDER, _OUT.CANCEL_ORDER})
# The version that split the end of historical bars into HISTORICAL_DATA_END (108);
# below it, HISTORICAL_DATA (17) itself ends the request (ServerVersion 196).
HISTORICAL_DATA_END_VERSION: Final = 196

# Kinds of incoming messages.
IN_IGNORED: Final = 0
IN_ERROR: Final = 1
IN_HISTORICAL_DATA: Final = 2  # ends the request below server version 196
IN_END: Final = 3  # always ends its request
IN_TICKS: Final = 4  # ends its request when ``done``
IN_SNAPSHOT_END: Final = 5
IN_ORDER: Final = 6  # names an order TWS holds: its cancel always goes
_IN = IncomingId
INCOMING_KIND: Final[Mapping[int, int]] = {
    _IN.ERR_MSG: IN_ERROR,
    _IN.OPEN_ORDER: IN_ORDER,
    _IN.ORDER_STATUS: IN_ORDER,
    _IN.EXECUTION_DATA: IN_ORDER,
    _IN.HISTORICAL_DATA: IN_HISTORICAL_DATA,
    _IN.HISTORICAL_DATA_END: IN_END,
    _IN.HEAD_TIMESTAMP: IN_END,
    _IN.HISTOGRAM_DATA: IN_END,
    _IN.HISTORICAL_SCHEDULE: IN_END,
    _IN.HISTORICAL_TICKS: IN_TICKS,
    _IN.HISTORICAL_TICKS_BID_ASK: IN_TICKS,
    _IN.HISTORICAL_TICKS_LAST: IN_TICKS,
    _IN.TICK_SNAPSHOT_END: IN_SNAPSHOT_END,
}

# Contract attributes that name an instrument when it has no con_id.  The exchange is
# kept apart: IB's same-contract rule is per contract *and* exchange.
INSTRUMENT_ATTRS: Final = (
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
KNOWN_PARAMS: Final[Mapping[int, tuple[str, ...]]] = {
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


def instrument_key(contract: object) -> Hashable:
    if contract is None:
        return None
    con_id = getattr(contract, "con_id", 0)
    if con_id:
        return con_id
    return tuple([freeze(getattr(contract, name, None)) for name in INSTRUMENT_ATTRS])


def contract_key(contract: object) -> Hashable:
    return (instrument_key(contract), getattr(contract, "exchange", None))


def freeze(value: object) -> Hashable:
    # Parameters go into dict keys; lists of tag-values and the like become tuples.
    if isinstance(value, list | tuple):
        return tuple([freeze(item) for item in value])
    if isinstance(value, dict):
        return tuple(sorted((repr(k), freeze(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def bar_seconds(bar_size: object) -> int | None:
    """Seconds in a ``bar_size_setting`` such as ``"5 secs"``; ``None`` if unknown."""
    try:
        return parse_bar_size(str(bar_size))
    except ValueError:
        return None


def param_names(cls: type) -> tuple[str, ...]:
    if dataclasses.is_dataclass(cls):
        names = tuple(f.name for f in dataclasses.fields(cls))
    else:
        names = KNOWN_PARAMS.get(getattr(cls, "MSG_ID", -1), ("contract",))
    return tuple(name for name in names if name != "req_id")


def ident_of(message: object) -> int | None:
    """The request id, or the order id for orders.

    ``ReqHistogramData`` and ``CancelHistogramData`` name theirs ``ticker_id``
    (EClient's ``tickerId``).
    """
    ident = getattr(message, "req_id", None)
    if ident is None:
        ident = getattr(message, "order_id", None)
        if ident is None:
            ident = getattr(message, "ticker_id", None)
    return ident if isinstance(ident, int) else None


def target_ident(message: object, msg_id: int) -> int | None:
    if msg_id in ORDER_IDS:
        ident = getattr(message, "order_id", None)
        if isinstance(ident, int):
            return ident
    return ident_of(message)


class Window:
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


class Gated(Generic[M]):
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
        self.req_id = ident_of(message)
        self.rule: Rule | None = None
        self.paced = False
        self.keep_open = False
        self.weight = 1
        self.identical: Hashable = None
        self.same: Hashable = None
        self.instrument: Hashable = None


SWEEP_EVERY: Final = 256
# Order ids remembered as held by TWS (its cancel always goes); beyond this many
# the oldest are forgotten, and every id up to them counts as held.
MAX_KNOWN_ORDERS: Final = 65536
# Submissions remembered per (request message id, request or order id), so that a
# cancel can tell whether any of them left the queue.  Beyond this many the oldest
# are forgotten: the cancel of a forgotten request is sent, which is always safe.
MAX_TRACKED_TARGETS: Final = 4096
