"""The client session: everything both front ends share, without I/O.

A :class:`Session` wraps one :class:`~ibwire.protocol.ClientProtocol` per
connection, the pacer, the order id allocator and the client's bookkeeping, and
owns every client-side *behaviour*: when the connection is ready, what a TWS
error means for the request it names, which subscriptions are live and must be
re-sent, the heartbeat, the reconnect schedule, the de-duplication of fills.  It
takes ``now`` on every call, never sleeps, and holds no socket: a front end
(:mod:`ibwire.sync`, :mod:`ibwire.asyncio`) feeds it bytes and time, writes
:meth:`Session.data_to_send`, opens or closes its socket when
:attr:`Session.wants_connect` / :attr:`Session.wants_close` say so, and hands
:meth:`Session.events_to_dispatch` to the user's wrapper.

It is not thread-safe: the threaded front end calls it under one lock.

Lifecycle (:class:`Phase`)::

    IDLE --start--> CONNECTING --transport_opened--> HANDSHAKE --ConnectAck--> STARTING
    STARTING --nextValidId + managedAccounts--> READY
    any live phase --loss--> WAITING (reconnect policy, after the old socket is
        closed) --timer--> CONNECTING ...  or  --> DISCONNECTED (no policy)
    any phase --close--> CLOSED
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import logging
import random
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Generic, Protocol, TypeAlias, TypeVar

from .catalog import (
    ANSWERS,
    CURRENT_TIME,
    OPEN_ORDERS,
    POSITIONS,
    REQUESTS,
    AnswerRow,
    ReadOnly,
)
from .codec import OUTGOING
from .errorcodes import DEFAULT_TABLE, CodeTable, Severity
from .errors import (
    ApiError,
    ClientIdInUseError,
    ConnectionClosedError,
    IBWireError,
    LocalProtocolError,
    RemoteProtocolError,
    RequestTimeoutError,
)
from .events import ConnectAck, ConnectionClosed, Event
from .fields import check_printable_ascii
from .ids import OutgoingId
from .messages import (
    AccountSummary,
    AccountSummaryEnd,
    AcctDownloadEnd,
    AcctUpdateTime,
    AcctValue,
    BarData,
    BondContractData,
    CancelAccountSummary,
    CancelHeadTimestamp,
    CancelHistoricalData,
    CancelOrder,
    CancelPositions,
    CommissionAndFeesReport,
    CompletedOrder,
    CompletedOrdersEnd,
    Contract,
    ContractData,
    ContractDataEnd,
    ContractDescription,
    ContractDetails,
    CurrentTime,
    ErrMsg,
    ExecutionData,
    ExecutionDataEnd,
    ExecutionFilter,
    HeadTimestamp,
    HistoricalData,
    HistoricalDataEnd,
    HistoricalDataUpdate,
    ManagedAccts,
    MarketDataType,
    MarketDepth,
    MarketDepthL2,
    MarketRule,
    Message,
    NextValidId,
    OpenOrder,
    OpenOrderEnd,
    Order,
    OrderCancel,
    OrderState,
    OrderStatus,
    PlaceOrder,
    PortfolioValue,
    PositionData,
    PositionEnd,
    PriceIncrement,
    ReqAccountSummary,
    ReqAcctData,
    ReqCompletedOrders,
    ReqContractData,
    ReqCurrentTime,
    ReqExecutions,
    ReqGlobalCancel,
    ReqHeadTimestamp,
    ReqHistoricalData,
    ReqMarketRule,
    ReqMatchingSymbols,
    ReqOpenOrders,
    ReqPositions,
    ReqSecDefOptParams,
    RerouteMktDataReq,
    RerouteMktDepthReq,
    SecurityDefinitionOptionParameter,
    SecurityDefinitionOptionParameterEnd,
    SymbolSamples,
    TickEfp,
    TickGeneric,
    TickNews,
    TickOptionComputation,
    TickPrice,
    TickReqParams,
    TickSize,
    TickSnapshotEnd,
    TickString,
)
from .orderids import DEFAULT_REQUEST_ID_START, OrderIdAllocator, RequestIdAllocator
from .pacing import Pacer, PacingConfig
from .protocol import ClientProtocol
from .versions import MAX_CLIENT_VERSION, MIN_CLIENT_VERSION, ServerVersion
from .wrapper import Connectivity, Reconnected, Reconnecting

__all__ = [
    "AccountUpdateMessage",
    "Bracket",
    "DepthMessage",
    "HistoricalBarsMessage",
    "MarketDataMessage",
    "Pending",
    "Phase",
    "ReadOnlyError",
    "ReconnectPolicy",
    "Session",
    "StreamSink",
    "TrackedOrder",
]

logger: Final = logging.getLogger("ibwire")
wire_logger: Final = logging.getLogger("ibwire.wire")

T = TypeVar("T")

#: What a market data subscription yields.
MarketDataMessage: TypeAlias = (
    TickPrice
    | TickSize
    | TickString
    | TickGeneric
    | TickOptionComputation
    | TickEfp
    | TickReqParams
    | TickNews
    | MarketDataType
    | TickSnapshotEnd
    | RerouteMktDataReq
)
#: What a market depth subscription yields.
DepthMessage: TypeAlias = MarketDepth | MarketDepthL2 | RerouteMktDepthReq
#: What a keep-up-to-date historical bars subscription yields.
HistoricalBarsMessage: TypeAlias = HistoricalData | HistoricalDataEnd | HistoricalDataUpdate
#: What an account updates subscription yields.
AccountUpdateMessage: TypeAlias = AcctValue | PortfolioValue | AcctUpdateTime | AcctDownloadEnd

# Order statuses after which an order can no longer be cancelled.
_TERMINAL_STATUSES: Final = frozenset({"Filled", "Cancelled", "ApiCancelled"})
# The code of the ErrMsg the session raises itself for a request that never left
# the client: the official client's NOT_CONNECTED (504, "Not connected").
NOT_SENT_CODE: Final = 504
# The code of the ErrMsg for an order TWS does not know after a reconnect: the
# official "Can't find order with id" (135).
UNKNOWN_ORDER_CODE: Final = 135
# How many execution ids are remembered for de-duplication (a busy day's fills).
_MAX_REMEMBERED_EXECUTIONS: Final = 100_000

_Out = OutgoingId

#: Requests that open a stream -> the message that cancels it.  These are the
#: subscriptions re-sent after a reconnect (and, cancel first, after a 1101).
#: Read from the catalogue, as every table below.
_STREAMS: Final[Mapping[int, int]] = {
    row.msg_id: row.cancel
    for row in REQUESTS.values()
    if row.stream is not None and row.cancel is not None
}
#: Requests that open a stream -> whether this message does (a snapshot does not).
_STREAM_RULES: Final[Mapping[int, Callable[[object], bool]]] = {
    row.msg_id: row.stream for row in REQUESTS.values() if row.stream is not None
}
#: Cancels -> the request they end.
_CANCELS: Final[Mapping[int, int]] = {
    cancel: request for request, cancel in _STREAMS.items() if cancel != request
}
#: Connection-wide settings re-sent, before the subscriptions, after a reconnect.
_SETTINGS: Final = frozenset(row.msg_id for row in REQUESTS.values() if row.setting)
#: Streams of messages without a request id: the key of the single stream.
_CONSTANT_KEYS: Final[Mapping[int, str]] = {
    row.msg_id: row.key for row in REQUESTS.values() if row.key is not None
}


def _refuse(message: object) -> bool:
    return True


def _refuse_unless_what_if(message: object) -> bool:
    return not getattr(getattr(message, "order", None), "what_if", False)


def _refuse_auto_bind(message: object) -> bool:
    return bool(getattr(message, "auto_bind", False))


_GATE_RULES: Final[Mapping[ReadOnly, Callable[[object], bool]]] = {
    ReadOnly.REFUSE: _refuse,
    ReadOnly.UNLESS_WHAT_IF: _refuse_unless_what_if,
    ReadOnly.IF_AUTO_BIND: _refuse_auto_bind,
}

#: THE read-only gate: request id -> whether a read-only client refuses this
#: request, from the catalogue's ``read_only`` column.  Every order-changing path
#: (``send``, ``place_order``, the helpers, brackets, cancels by criteria) asks
#: :func:`refused_when_read_only`; nothing else decides.  What-if orders change
#: nothing and pass, with or without an order id; ``reqAutoOpenOrders(True)``
#: binds TWS orders to this client and is refused, ``(False)`` is not.
READ_ONLY_GATE: Final[Mapping[int, Callable[[object], bool]]] = {
    row.msg_id: _GATE_RULES[row.read_only]
    for row in REQUESTS.values()
    if row.read_only is not ReadOnly.ALLOW
}


def refused_when_read_only(message: Message) -> bool:
    """Whether a read-only client refuses ``message`` (see :data:`READ_ONLY_GATE`)."""
    rule = READ_ONLY_GATE.get(message.MSG_ID)
    return rule is not None and rule(message)


class ReadOnlyError(LocalProtocolError):
    """A read-only client was asked to place, modify or cancel an order.

    Raised before anything is queued or sent.  What-if orders are allowed: they
    change nothing.
    """


class Phase(enum.Enum):
    """Where a :class:`Session` stands."""

    #: Never connected.
    IDLE = "idle"
    #: The front end is opening a socket.
    CONNECTING = "connecting"
    #: The hello is out; waiting for the server's version.
    HANDSHAKE = "handshake"
    #: startApi is out; waiting for ``nextValidId`` and ``managedAccounts``.
    STARTING = "starting"
    #: Requests may be sent.
    READY = "ready"
    #: The connection was lost; a reconnect is scheduled.
    WAITING = "waiting"
    #: The connection ended and no reconnect will follow.
    DISCONNECTED = "disconnected"
    #: The user closed the client.
    CLOSED = "closed"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconnectPolicy:
    """When to try again after a lost connection: exponential backoff with jitter.

    The n-th attempt (n = 1, 2, ...) waits
    ``min(max_delay, initial_delay * multiplier ** (n - 1))``, reduced by a random
    fraction of up to ``jitter`` so that several clients do not reconnect in step.
    A failed attempt (refused, client id still in use, no answer) counts as the
    next attempt: there is no tight retry loop.

    Attributes:
        initial_delay: seconds before the first attempt.
        max_delay: the longest wait, in seconds.
        multiplier: the growth of the wait per failed attempt.
        jitter: the largest fraction taken off a wait at random (0 for none).
        max_attempts: give up after this many failed attempts; ``None`` never does.
    """

    initial_delay: float = 1.0
    max_delay: float = 60.0
    multiplier: float = 2.0
    jitter: float = 0.2
    max_attempts: int | None = None

    def __post_init__(self) -> None:
        if self.initial_delay < 0 or self.max_delay < self.initial_delay:
            raise ValueError("need 0 <= initial_delay <= max_delay")
        if self.multiplier < 1:
            raise ValueError("multiplier must be at least 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait before ``attempt`` (1 for the first).

        Args:
            attempt: the attempt number, from 1.
            rng: the source of jitter.

        Returns:
            The delay.
        """
        base = min(self.max_delay, self.initial_delay * self.multiplier ** (attempt - 1))
        return base * (1.0 - self.jitter * rng.random())


@dataclass(slots=True)
class TrackedOrder:
    """An order of this client that is not known to be done.

    Attributes:
        order_id: the order id.
        contract: the order's contract.
        order: the order as last placed or reported.
        status: the last status reported (``""`` until TWS reports one).
    """

    order_id: int
    contract: Contract
    order: Order
    status: str = ""


@dataclass(frozen=True, slots=True)
class Bracket:
    """A bracket order: an entry, a take-profit and a stop-loss, ready to place.

    Place the three in this order (``place_bracket`` does).  The parent and the
    take-profit have ``transmit=False`` and the stop-loss ``transmit=True``: TWS
    holds the first two until the last arrives, so nothing can fill before the
    whole bracket is in place.

    Attributes:
        parent: the entry order.
        take_profit: the limit order that closes at a profit (child of ``parent``).
        stop_loss: the stop order that closes at a loss (child of ``parent``).
    """

    parent: Order
    take_profit: Order
    stop_loss: Order

    def __iter__(self) -> Iterator[Order]:
        """The three orders, in placing order."""
        return iter((self.parent, self.take_profit, self.stop_loss))


class StreamSink(Protocol):
    """Where a subscription's messages go: a front end's queue."""

    def push(self, message: Message) -> None:
        """Take one message of the subscription."""

    def end(self, error: BaseException | None) -> None:
        """The subscription is over: cleanly (``None``) or with an error."""


class Pending(Generic[T]):
    """A request helper waiting for its answer.

    The session feeds it messages and finishes it; the front end waits on it (a
    :class:`threading.Event`, an :class:`asyncio.Future`) through :attr:`notify`.

    Attributes:
        key: what its answer is routed by (a request id, an order id, a name).
        description: what it asked, for error messages.
        deadline: when it times out, in the session's clock; ``None`` for never.
        notify: called once, when it is done (set by the front end).
    """

    __slots__ = (
        "_accepts",
        "_ends",
        "_error",
        "_finish",
        "_items",
        "_result",
        "cancel",
        "deadline",
        "description",
        "done",
        "follow_up",
        "key",
        "notify",
        "ticket",
        "timeout",
    )

    def __init__(
        self,
        key: Hashable,
        description: str,
        *,
        accepts: frozenset[type],
        ends: frozenset[type],
        finish: Callable[[list[Message]], T],
        cancel: Message | None = None,
        follow_up: Message | None = None,
    ) -> None:
        self.key = key
        self.description = description
        self._accepts = accepts
        self._ends = ends
        self._finish = finish
        self._items: list[Message] = []
        self._result: T | None = None
        self._error: BaseException | None = None
        #: Sent if the helper gives up (timeout) while TWS is still working.
        self.cancel = cancel
        #: Sent when the answer is complete (to stop a stream TWS keeps open).
        self.follow_up = follow_up
        self.deadline: float | None = None
        self.timeout: float | None = None
        self.ticket: int | None = None
        self.done = False
        self.notify: Callable[[], None] | None = None

    def result(self) -> T:
        """The answer.

        Raises:
            ApiError: TWS answered with an error.
            RequestTimeoutError: no answer in time.
            ConnectionClosedError: the connection ended first.
            RuntimeError: not done yet.
        """
        if self._error is not None:
            raise self._error
        if not self.done:
            raise RuntimeError(f"{self.description}: not done yet")
        return self._result  # type: ignore[return-value]

    @property
    def error(self) -> BaseException | None:
        """The error that ended it, if any."""
        return self._error

    def _feed(self, message: Message) -> bool:
        cls = type(message)
        if cls in self._accepts:
            self._items.append(message)
        if cls in self._ends:
            self._complete(self._finish(self._items))
            return True
        return False

    def _complete(self, result: T) -> None:
        if self.done:
            return
        self._result = result
        self.done = True
        if self.notify is not None:
            self.notify()

    def _fail(self, error: BaseException) -> None:
        if self.done:
            return
        self._error = _own_copy(error)
        self.done = True
        if self.notify is not None:
            self.notify()


def _own_copy(error: BaseException) -> BaseException:
    """An instance of ``error`` for one waiter, chained to the shared original.

    One loss fails every waiting helper; each raises its own exception, so that
    tracebacks of different callers (threads, tasks) never pile up on one object.
    """
    try:
        own = copy.copy(error)
    except Exception:  # noqa: BLE001 (an exception class that cannot be copied)
        return error
    own.__traceback__ = None
    own.__context__ = None
    own.__cause__ = error
    return own


@dataclass(slots=True)
class _Unsent:
    """A request the pacer still holds: who waits for it, whether the user sent it."""

    message: Message
    pending: Pending[Any] | None
    user: bool


@dataclass(slots=True)
class _Reconcile:
    """The re-read of orders after a reconnect, and what it has seen so far."""

    order_ids: frozenset[int]
    executions_req_id: int
    waiting: set[str]
    open: set[int] = dataclasses.field(default_factory=set)
    executed: set[int] = dataclasses.field(default_factory=set)


@dataclass(slots=True)
class _Live:
    """A request whose stream is open at TWS."""

    request: Message
    resubscribe: bool = True
    sink: StreamSink | None = None
    ends: frozenset[type] = frozenset()
    warnings: list[ErrMsg] = dataclasses.field(default_factory=list)


def _stream_key(message: Message) -> Hashable:
    ident = getattr(message, "req_id", None)
    if ident is None:
        ident = getattr(message, "ticker_id", None)
    if isinstance(ident, int):
        return ident
    return _CONSTANT_KEYS.get(message.MSG_ID, message.MSG_ID)


def _cancel_for(request: Message) -> Message | None:
    """The message that ends ``request``'s stream, built from its own fields."""
    cancel_id = _STREAMS.get(request.MSG_ID)
    if cancel_id is None:
        return None
    if isinstance(request, ReqAcctData):
        return ReqAcctData(subscribe=False, acct_code=request.acct_code)
    cls = OUTGOING.get(cancel_id)
    if cls is None:
        return None
    # A cancel repeats the request's id (and, for depth, its is_smart_depth).
    values = {
        f.name: getattr(request, f.name)
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if hasattr(request, f.name)
    }
    try:
        return cls(**values)
    except TypeError:
        return None


def _is_stream(message: Message) -> bool:
    rule = _STREAM_RULES.get(message.MSG_ID)
    return rule is not None and rule(message)


_Route = Callable[[Message], tuple[Hashable, ...]]
#: Per message class: whether the pacer watches it, its handler, its routing.
_Plan = tuple[bool, "Callable[[Any, float], bool] | None", _Route]
#: Phases in which a socket is open and messages flow.
_LIVE_PHASES: Final = frozenset({Phase.HANDSHAKE, Phase.STARTING, Phase.READY})


def _const_route(*keys: Hashable) -> _Route:
    def route(message: Message) -> tuple[Hashable, ...]:
        return keys

    return route


def _req_id_route(message: Message) -> tuple[Hashable, ...]:
    return (message.req_id,)  # type: ignore[attr-defined]


#: Fields whose value is a request or order id, routed as the bare number; any
#: other routing field is tagged with its name (a market rule id is not an id).
_ID_FIELDS: Final = frozenset({"req_id", "order_id"})


def _route_of(row: AnswerRow) -> _Route:
    by, key = row.by, row.key
    if by is None:
        return _const_route() if key is None else _const_route(key)
    if by == "req_id" and key is None:
        return _req_id_route
    field = by
    tagged = by not in _ID_FIELDS

    def route(message: Message) -> tuple[Hashable, ...]:
        value = getattr(message, field)
        ident: Hashable = (field, value) if tagged else value
        return (ident,) if key is None else (ident, key)

    return route


#: Incoming message class -> its routing, from the catalogue.
_ROUTES: Final[Mapping[type, _Route]] = {
    cls: _route_of(row)
    for row in ANSWERS.values()
    if (cls := row.message_class) is not None
}
_NO_ROUTE: Final = _const_route()


def _route_for(cls: type) -> _Route:
    return _ROUTES.get(cls, _NO_ROUTE)


def _farm_of(text: str) -> str:
    head, sep, tail = text.rpartition(":")
    return tail.strip() if sep and head else ""


class Session:
    """The client's behaviour, without I/O (see the module docstring).

    Args:
        client_id: the client id sent in startApi.
        connect_timeout: seconds from :meth:`start` (or a reconnect attempt) until
            the connection must be ready.
        read_only: refuse every order-changing request with :class:`ReadOnlyError`.
        code_table: how TWS codes are classified (error, warning, info,
            connectivity); the built-in table by default.
        pacing: the pacer's limits, or a pacer; IB's documented limits by default.
        reconnect: when to reconnect after a loss; ``None`` never reconnects.
        heartbeat_interval: after this many seconds without a message from TWS,
            ask for the current time; ``None`` disables the heartbeat.
        heartbeat_timeout: declare the connection dead when the heartbeat got no
            answer (nor any other message) within this many seconds.
        rng: the randomness of the reconnect jitter (seed it for tests).
        min_version: the lowest server version accepted.
        max_version: the highest server version advertised (at most 200).
        connect_options: options of the hello, e.g. ``"+PACEAPI"``.
        optional_capabilities: sent in startApi.
        request_id_start: the first request id.
    """

    def __init__(
        self,
        client_id: int,
        *,
        connect_timeout: float = 10.0,
        read_only: bool = False,
        code_table: CodeTable | None = None,
        pacing: PacingConfig | Pacer[Message] | None = None,
        reconnect: ReconnectPolicy | None = None,
        heartbeat_interval: float | None = 30.0,
        heartbeat_timeout: float = 10.0,
        rng: random.Random | None = None,
        min_version: int = MIN_CLIENT_VERSION,
        max_version: int = MAX_CLIENT_VERSION,
        connect_options: str = "",
        optional_capabilities: str = "",
        request_id_start: int = DEFAULT_REQUEST_ID_START,
    ) -> None:
        self.client_id = client_id
        self.connect_timeout = connect_timeout
        self.read_only = read_only
        self.code_table = code_table if code_table is not None else DEFAULT_TABLE
        self.pacer: Pacer[Message] = pacing if isinstance(pacing, Pacer) else Pacer(pacing)
        self.reconnect = reconnect
        self.heartbeat_interval = heartbeat_interval
        self.heartbeat_timeout = heartbeat_timeout
        self.rng = rng if rng is not None else random.Random()
        self.min_version = min_version
        self.max_version = max_version
        if not connect_options and self.pacer.config.connect_options:
            connect_options = self.pacer.config.connect_options
        self.connect_options = connect_options
        self.optional_capabilities = optional_capabilities
        #: Order ids: seeded by nextValidId, never reused, across reconnects.
        self.order_ids = OrderIdAllocator()
        #: Request ids: their own counter, in a range apart from order ids.
        self.request_ids = RequestIdAllocator(request_id_start)
        #: The accounts of the last ``managedAccounts``.
        self.accounts: tuple[str, ...] = ()

        self._phase = Phase.IDLE
        self._protocol: ClientProtocol | None = None
        self._out: list[object] = []
        self._wants_close = False
        self._wants_connect = False
        self._ready_waiter: Pending[None] | None = None
        self._ever_ready = False
        self._got_next_id = False
        self._got_accounts = False
        self._refused = False
        self._connect_deadline: float | None = None
        self._connect_limit = connect_timeout
        self._last_received = 0.0
        self._probe_sent: float | None = None
        self._attempt = 0
        self._reconnect_at: float | None = None
        self._loss_reason = ""

        self._pendings: dict[Hashable, list[Pending[Any]]] = {}
        self._live: dict[Hashable, _Live] = {}
        self._settings: dict[int, Message] = {}
        self._orders: dict[int, TrackedOrder] = {}
        self._internal_req_ids: set[int] = set()
        self._unsent: dict[int, _Unsent] = {}
        self._reconcile: _Reconcile | None = None
        self._seen_executions: dict[str, None] = {}
        self._seen_commissions: dict[str, None] = {}
        self._routes: dict[type, _Route] = {}
        self._plans: dict[type, _Plan] = {}
        self._handlers: dict[type, Callable[[Any, float], bool]] = {
            ErrMsg: self._on_err_msg,
            NextValidId: self._on_next_valid_id,
            ManagedAccts: self._on_managed_accounts,
            OpenOrder: self._on_open_order,
            OrderStatus: self._on_order_status,
            ExecutionData: self._on_execution,
            ExecutionDataEnd: self._on_execution_end,
            OpenOrderEnd: self._on_open_order_end,
            CompletedOrder: self._on_completed_order,
            CompletedOrdersEnd: self._on_completed_orders_end,
            CommissionAndFeesReport: self._on_commission,
        }

    # ------------------------------------------------------------------ state

    @property
    def phase(self) -> Phase:
        """Where the session stands."""
        return self._phase

    @property
    def is_ready(self) -> bool:
        """Whether requests may be sent now."""
        return self._phase is Phase.READY

    @property
    def server_version(self) -> int | None:
        """The negotiated server version of the current connection."""
        return None if self._protocol is None else self._protocol.server_version

    @property
    def wants_close(self) -> bool:
        """The front end must close its socket, then call :meth:`transport_closed`."""
        return self._wants_close

    @property
    def wants_connect(self) -> bool:
        """The front end must open a socket (a reconnect attempt is due).

        It then calls :meth:`transport_opened` or :meth:`transport_failed`.
        """
        return self._wants_connect

    @property
    def open_orders(self) -> list[TrackedOrder]:
        """This client's orders not known to be filled or cancelled."""
        return list(self._orders.values())

    @property
    def live_subscriptions(self) -> list[Message]:
        """The requests whose streams are open, as they will be re-sent."""
        return [live.request for live in self._live.values() if live.resubscribe]

    def subscription_warnings(self, key: Hashable) -> list[ErrMsg]:
        """Warnings TWS sent about a live subscription (e.g. 10167, delayed data).

        Args:
            key: the subscription's request id.

        Returns:
            The warnings, oldest first.
        """
        live = self._live.get(key)
        return list(live.warnings) if live is not None else []

    # ------------------------------------------------------------------ outputs

    def data_to_send(self) -> bytes:
        """Take the bytes to write to the socket."""
        protocol = self._protocol
        return b"" if protocol is None else protocol.data_to_send()

    @property
    def has_events(self) -> bool:
        """Whether :meth:`events_to_dispatch` has something."""
        return bool(self._out)

    def events_to_dispatch(self) -> list[object]:
        """Take the messages and events for the user's wrapper, in order."""
        out = self._out
        self._out = []
        return out

    def next_deadline(self) -> float | None:
        """When :meth:`on_timer` must next be called, or ``None`` for never."""
        phase = self._phase
        best: float | None = None

        def consider(value: float | None) -> None:
            nonlocal best
            if value is not None and (best is None or value < best):
                best = value

        if phase is Phase.HANDSHAKE or phase is Phase.STARTING:
            consider(self._connect_deadline)
        elif phase is Phase.READY:
            if self.heartbeat_interval is not None:
                if self._probe_sent is None:
                    consider(self._last_received + self.heartbeat_interval)
                else:
                    consider(self._probe_sent + self.heartbeat_timeout)
            consider(self.pacer.next_deadline())
        elif phase is Phase.WAITING:
            consider(self._reconnect_at)
        for waiters in self._pendings.values():
            for pending in waiters:
                consider(pending.deadline)
        return best

    # ------------------------------------------------------------------ lifecycle

    def start(self, now: float, timeout: float | None = None) -> Pending[None]:
        """Begin connecting; the front end opens its socket next.

        Args:
            now: the current time.
            timeout: seconds until the connection must be ready; the session's
                ``connect_timeout`` when omitted (reconnect attempts always use it).

        Returns:
            What the front end waits on: done when the connection is ready, or
            failed (:class:`~ibwire.errors.ClientIdInUseError`,
            :class:`~ibwire.errors.RequestTimeoutError`,
            :class:`~ibwire.errors.ConnectionClosedError`, a
            :class:`~ibwire.errors.RemoteProtocolError`).

        Raises:
            LocalProtocolError: already connected or connecting.
        """
        if self._phase not in (Phase.IDLE, Phase.DISCONNECTED, Phase.CLOSED):
            raise LocalProtocolError(f"cannot connect: the session is {self._phase.value}")
        waiter: Pending[None] = Pending(
            "connect",
            "connect",
            accepts=frozenset(),
            ends=frozenset(),
            finish=lambda items: None,
        )
        self._ready_waiter = waiter
        self._ever_ready = False
        self._attempt = 0
        self._phase = Phase.CONNECTING
        self._connect_limit = self.connect_timeout if timeout is None else timeout
        self._connect_deadline = now + self._connect_limit
        self._wants_close = False
        self._wants_connect = False
        return waiter

    def transport_opened(self, now: float) -> None:
        """The front end's socket is connected: queue the hello.

        Args:
            now: the current time.
        """
        if self._phase is not Phase.CONNECTING:
            # Closed by the user while the socket was being opened.
            self._wants_close = True
            return
        self._wants_connect = False
        protocol = ClientProtocol(
            self.client_id,
            min_version=self.min_version,
            max_version=self.max_version,
            connect_options=self.connect_options,
            optional_capabilities=self.optional_capabilities,
        )
        protocol.connect()
        self._protocol = protocol
        self._phase = Phase.HANDSHAKE
        self._got_next_id = False
        self._got_accounts = False
        self._refused = False
        self._last_received = now
        self._probe_sent = None
        if self._connect_deadline is None:
            self._connect_limit = self.connect_timeout
            self._connect_deadline = now + self._connect_limit
        wire_logger.debug("-> hello %s..%s", self.min_version, self.max_version)

    def transport_failed(self, error: BaseException, now: float) -> None:
        """Opening the socket failed.

        Args:
            error: why (``ConnectionRefusedError``, a timeout, ...).
            now: the current time.
        """
        self._wants_connect = False
        if self._phase is not Phase.CONNECTING:
            return
        reason = f"cannot connect: {error}"
        failure = ConnectionClosedError(reason)
        failure.__cause__ = error
        self._connection_ended(reason, now, failure, had_socket=False)

    def transport_closed(self, now: float) -> None:
        """The front end closed its socket (as :attr:`wants_close` asked, or after a loss).

        The reconnect timer starts only now, so the old socket is always gone
        before a new one opens (TWS frees the client id when it sees the close).

        Args:
            now: the current time.
        """
        self._wants_close = False
        if self._phase is Phase.WAITING and self._reconnect_at is None:
            self._schedule_reconnect(now)

    def receive_data(self, data: bytes, now: float) -> None:
        """Bytes from the socket.

        Args:
            data: what was read.
            now: the current time.
        """
        protocol = self._protocol
        if protocol is None or self._phase not in (Phase.HANDSHAKE, Phase.STARTING, Phase.READY):
            return
        try:
            protocol.receive_data(data)
        except RemoteProtocolError as exc:
            # Messages decoded before the fault still count.
            self._handle(protocol.events_received(), now)
            self._lose(f"protocol error: {exc}", now, exc)
            return
        # Any byte is a sign of life, even the start of a long frame.
        self._last_received = now
        self._probe_sent = None
        events = protocol.events_received()
        if events:
            self._handle(events, now)
        self._pump(now)

    def receive_eof(self, now: float) -> None:
        """The peer closed the connection.

        Args:
            now: the current time.
        """
        self._lose("the server closed the connection", now)

    def transport_lost(self, error: BaseException | None, now: float) -> None:
        """The socket failed (reset, timeout) or closed without an EOF.

        Args:
            error: the socket error, if any.
            now: the current time.
        """
        reason = "the connection was lost" if error is None else f"the connection was lost: {error}"
        self._lose(reason, now)

    def close(self, now: float) -> None:
        """The user disconnects: end everything, cancel any reconnect.

        Waiting helpers fail with :class:`~ibwire.errors.ConnectionClosedError`;
        subscriptions end cleanly.

        Args:
            now: the current time.
        """
        phase = self._phase
        if phase in (Phase.IDLE, Phase.DISCONNECTED, Phase.CLOSED):
            self._phase = Phase.CLOSED
            return
        had_socket = phase in (Phase.HANDSHAKE, Phase.STARTING, Phase.READY)
        if had_socket:
            self._emit_closed()
        self._phase = Phase.CLOSED
        self._drop_pacer_queue("the client disconnected")
        self._reconcile = None
        error = ConnectionClosedError("the client disconnected")
        self._fail_all(error)
        self._end_streams(None, keep_resubscribable=False)
        self._reconnect_at = None
        self._wants_connect = False
        self._wants_close = had_socket or phase is Phase.CONNECTING

    def on_timer(self, now: float) -> None:
        """Run what is due: timeouts, the heartbeat, the pacer, a reconnect.

        Args:
            now: the current time.
        """
        phase = self._phase
        if phase is Phase.HANDSHAKE or phase is Phase.STARTING:
            deadline = self._connect_deadline
            if deadline is not None and now >= deadline:
                error = RequestTimeoutError(
                    f"not ready within {self._connect_limit:g}s of connecting "
                    f"(client id {self.client_id}): no nextValidId / managedAccounts"
                )
                self._lose(str(error), now, error)
                return
        elif phase is Phase.READY:
            self._heartbeat(now)
        elif phase is Phase.WAITING:
            at = self._reconnect_at
            if at is not None and now >= at:
                self._reconnect_at = None
                self._phase = Phase.CONNECTING
                self._connect_limit = self.connect_timeout
                self._connect_deadline = now + self._connect_limit
                self._wants_connect = True
        self._expire_pendings(now)
        self._pump(now)

    # ------------------------------------------------------------------ requests

    def submit(self, message: Message, now: float) -> int:
        """Send a user's request (through the pacer) and track what it opens.

        Args:
            message: the request.
            now: the current time.

        Returns:
            The pacer's ticket.

        Raises:
            ReadOnlyError: an order-changing request on a read-only session.
            ConnectionClosedError: not connected (or reconnecting).
            LocalProtocolError: the message cannot be encoded (not printable
                ASCII, a field the server version does not support).
            PacingError: a subscription budget is exhausted.
        """
        self._check_allowed(message)
        self._require_ready()
        return self._submit(message, now, track=True)

    def check_allowed(self, message: Message) -> None:
        """Apply the read-only gate (:data:`READ_ONLY_GATE`) to ``message``.

        Raises:
            ReadOnlyError: the session is read-only and the gate refuses it.
        """
        if self.read_only and refused_when_read_only(message):
            raise ReadOnlyError(
                f"{type(message).__name__} refused: the client is read-only (read_only=True)"
            )

    _check_allowed = check_allowed

    def submit_new_order(self, build: Callable[[int], Message], now: float) -> int:
        """Allocate an order id and submit the order built with it, in one step.

        Allocation and submission happen together (the threaded client holds its
        lock around this call), so order ids reach TWS in increasing order
        whatever the threads do: TWS refuses an id lower than one it has seen
        (error 103).

        Args:
            build: makes the request from the new order id.
            now: the current time.

        Returns:
            The order id.

        Raises:
            ReadOnlyError: the gate refuses the order.
            ConnectionClosedError: not connected.
        """
        if not self.order_ids.is_seeded:
            raise ConnectionClosedError("no order id yet: connect first")
        order_id = self.order_ids.peek()
        message = build(order_id)
        self.check_allowed(message)
        self._require_ready()
        taken = self.order_ids.next()
        if taken != order_id:  # pragma: no cover (the caller holds the session's lock)
            raise RuntimeError("order id allocated outside the session lock")
        self._submit(message, now, track=True)
        return order_id

    def _require_ready(self) -> None:
        if self._phase is not Phase.READY:
            if self._phase is Phase.WAITING or self._phase is Phase.CONNECTING and self._ever_ready:
                raise ConnectionClosedError("not connected: reconnecting to TWS")
            raise ConnectionClosedError(f"not connected (the session is {self._phase.value})")

    def _submit(
        self,
        message: Message,
        now: float,
        *,
        track: bool,
        pending: Pending[Any] | None = None,
    ) -> int:
        protocol = self._protocol
        assert protocol is not None and protocol.codec is not None
        # Encode now, so a bad request fails in the caller's hands, not later when
        # the pacer releases it.
        parts = protocol.codec.encode(message)
        bad = check_printable_ascii("".join(parts))
        if bad >= 0:
            raise LocalProtocolError(
                f"{type(message).__name__}: {''.join(parts)[bad]!r} is not printable ASCII"
            )
        ticket = self.pacer.submit(message, now)
        if track or pending is not None:
            # Remembered until the pacer releases it: a helper's timeout starts
            # then, and a drop before then is reported to whoever asked.
            self._unsent[id(message)] = _Unsent(message, pending, track)
        if track:
            self._track(message)
        self._pump(now)
        return ticket

    def _track(self, message: Message) -> None:
        msg_id = message.MSG_ID
        if msg_id == _Out.PLACE_ORDER:
            order_id: int = message.order_id  # type: ignore[attr-defined]
            order: Order = message.order  # type: ignore[attr-defined]
            self.order_ids.observe(order_id)
            if not order.what_if:
                tracked = self._orders.get(order_id)
                contract: Contract = message.contract  # type: ignore[attr-defined]
                if tracked is None:
                    self._orders[order_id] = TrackedOrder(order_id, contract, order)
                else:
                    tracked.contract, tracked.order = contract, order
            return
        if msg_id in _SETTINGS:
            self._settings[msg_id] = message
            return
        if msg_id in _STREAMS:
            key = _stream_key(message)
            if _is_stream(message):
                self._live[key] = _Live(message)
            elif msg_id == _Out.REQ_ACCT_DATA:
                self._end_live(key, None)
            return
        target = _CANCELS.get(msg_id)
        if target is not None:
            self._end_live(_stream_key(message), None)

    def _pump(self, now: float) -> None:
        """Send what the pacer releases."""
        protocol = self._protocol
        pacer = self.pacer
        if protocol is not None and self._phase is Phase.READY:
            released = pacer.poll(now)
            if released:
                wire = wire_logger.isEnabledFor(logging.DEBUG)
                unsent = self._unsent
                for message in released:
                    if wire:
                        wire_logger.debug("-> %r", message)
                    if unsent:
                        self._released(message, now)
                    try:
                        protocol.send(message)
                    except LocalProtocolError:
                        # Validated at submission; a failure here is a bug, not the user's.
                        logger.exception("could not send %r", message)
        events = pacer.events()
        if events:
            self._out.extend(events)

    def _released(self, message: Message, now: float) -> None:
        entry = self._unsent.pop(id(message), None)
        if entry is None:
            return
        if entry.message is not message:
            # Not ours: an entry whose message the pacer let go without telling.
            self._unsent[id(message)] = entry
            return
        pending = entry.pending
        if pending is not None and not pending.done:
            # The helper's clock starts when its request is on the wire, not
            # while the pacer holds it.
            timeout = pending.timeout
            pending.deadline = None if timeout is None else now + timeout

    def new_request_id(self) -> int:
        """Allocate a request id."""
        return self.request_ids.next()

    def new_order_id(self) -> int:
        """Allocate an order id.

        Raises:
            ConnectionClosedError: no ``nextValidId`` has arrived yet.
        """
        if not self.order_ids.is_seeded:
            raise ConnectionClosedError("no order id yet: connect first")
        return self.order_ids.next()

    # ------------------------------------------------------------------ subscriptions

    def subscribe(
        self,
        request: Message,
        sink: StreamSink,
        now: float,
        *,
        ends: frozenset[type] = frozenset(),
    ) -> Hashable:
        """Send a streaming request whose messages go to ``sink``.

        The stream is re-sent after a reconnect (and after a 1101) unless it is a
        snapshot.  An error for its request id ends it with an
        :class:`~ibwire.errors.ApiError`.

        Args:
            request: the request (its id must be new).
            sink: where its messages go.
            now: the current time.
            ends: message classes that end the stream (e.g. ``TickSnapshotEnd``).

        Returns:
            The stream's key (its request id, or a name for id-less streams).

        Raises:
            LocalProtocolError: a stream with the same key is already open.
        """
        key = _stream_key(request)
        existing = self._live.get(key)
        if existing is not None and existing.sink is not None:
            raise LocalProtocolError(f"a subscription with key {key!r} is already open")
        self.submit(request, now)
        live = self._live.get(key)
        if live is None:
            live = self._live[key] = _Live(request, resubscribe=False)
        live.sink = sink
        live.ends = ends
        return key

    def unsubscribe(self, key: Hashable, now: float) -> None:
        """Cancel a stream: send its cancel (when connected) and end its sink.

        Args:
            key: what :meth:`subscribe` returned.
            now: the current time.
        """
        live = self._live.pop(key, None)
        if live is None:
            return
        cancel = _cancel_for(live.request)
        if cancel is not None and self._phase is Phase.READY:
            self._submit(cancel, now, track=False)
        if live.sink is not None:
            live.sink.end(None)

    def _end_live(self, key: Hashable, error: BaseException | None) -> None:
        live = self._live.pop(key, None)
        if live is not None and live.sink is not None:
            live.sink.end(error)

    def _end_streams(self, error: BaseException | None, *, keep_resubscribable: bool) -> None:
        for key, live in list(self._live.items()):
            if keep_resubscribable and live.resubscribe:
                continue
            del self._live[key]
            if live.sink is not None:
                live.sink.end(error)

    # ------------------------------------------------------------------ helpers

    def _start(
        self, pending: Pending[T], message: Message, now: float, timeout: float | None
    ) -> Pending[T]:
        self._check_allowed(message)
        self._require_ready()
        self._pendings.setdefault(pending.key, []).append(pending)
        pending.timeout = timeout
        try:
            pending.ticket = self._submit(message, now, track=False, pending=pending)
        except BaseException:
            self._unregister(pending)
            self._unsent.pop(id(message), None)
            raise
        return pending

    def _unregister(self, pending: Pending[Any]) -> None:
        waiters = self._pendings.get(pending.key)
        if waiters is not None:
            try:
                waiters.remove(pending)
            except ValueError:
                pass
            if not waiters:
                del self._pendings[pending.key]

    def abandon(self, pending: Pending[T], now: float) -> None:
        """Give up on a helper (its caller was cancelled): withdraw or cancel its request.

        Args:
            pending: the helper.
            now: the current time.
        """
        if pending.done:
            return
        self._give_up(pending, now)
        pending._fail(ConnectionClosedError(f"{pending.description}: abandoned"))

    def _give_up(self, pending: Pending[Any], now: float) -> bool:
        """Remove a helper and stop its request at TWS; whether it was still queued."""
        self._unregister(pending)
        withdrawn = None if pending.ticket is None else self.pacer.withdraw(pending.ticket)
        if withdrawn is not None:
            self._unsent.pop(id(withdrawn), None)
        queued = withdrawn is not None
        if not queued and pending.cancel is not None and self._phase is Phase.READY:
            self._submit(pending.cancel, now, track=False)
        return queued

    def _expire_pendings(self, now: float) -> None:
        expired = [
            pending
            for waiters in self._pendings.values()
            for pending in waiters
            if pending.deadline is not None and now >= pending.deadline
        ]
        for pending in expired:
            queued = self._give_up(pending, now)
            timeout = pending.timeout if pending.timeout is not None else 0.0
            detail = " (it was still held by the pacer, and is withdrawn)" if queued else ""
            pending._fail(
                RequestTimeoutError(f"{pending.description}: no answer within {timeout:g}s{detail}")
            )

    def _fail_all(self, error: BaseException) -> None:
        pendings = [p for waiters in self._pendings.values() for p in waiters]
        self._pendings.clear()
        for pending in pendings:
            pending._fail(error)

    def contract_details(
        self, contract: Contract, now: float, timeout: float | None
    ) -> Pending[list[ContractDetails]]:
        """Ask for the contract details matching ``contract``.

        Args:
            contract: the (partial) contract.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is every matching contract's details.
        """
        req_id = self.new_request_id()
        pending: Pending[list[ContractDetails]] = Pending(
            req_id,
            f"contract details of {_describe(contract)}",
            accepts=frozenset({ContractData, BondContractData}),
            ends=frozenset({ContractDataEnd}),
            finish=lambda items: [m.contract_details for m in items],  # type: ignore[attr-defined]
        )
        return self._start(pending, ReqContractData(req_id=req_id, contract=contract), now, timeout)

    def historical_bars(
        self, request: ReqHistoricalData, now: float, timeout: float | None
    ) -> Pending[list[BarData]]:
        """Ask for historical bars (not kept up to date).

        Args:
            request: the request; its ``req_id`` is replaced by a new one.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the bars, oldest first.
        """
        req_id = self.new_request_id()
        request = dataclasses.replace(request, req_id=req_id, keep_up_to_date=False)
        version = self.server_version or 0
        # From server 196 the answer ends with HISTORICAL_DATA_END; before, the one
        # HISTORICAL_DATA message is the whole answer.
        ends = HistoricalDataEnd if version >= ServerVersion.HISTORICAL_DATA_END else HistoricalData
        pending: Pending[list[BarData]] = Pending(
            req_id,
            f"historical bars of {_describe(request.contract)}",
            accepts=frozenset({HistoricalData}),
            ends=frozenset({ends}),
            finish=lambda items: [bar for m in items for bar in m.bars],  # type: ignore[attr-defined]
            cancel=CancelHistoricalData(req_id=req_id),
        )
        return self._start(pending, request, now, timeout)

    def head_timestamp(
        self,
        contract: Contract,
        what_to_show: str,
        use_rth: bool,
        format_date: int,
        now: float,
        timeout: float | None,
    ) -> Pending[str]:
        """Ask for the earliest date with data.

        Args:
            contract: the contract.
            what_to_show: ``TRADES``, ``MIDPOINT``, ``BID``, ``ASK``, ...
            use_rth: regular trading hours only.
            format_date: 1 for ``yyyymmdd hh:mm:ss``, 2 for epoch seconds.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the timestamp text.
        """
        req_id = self.new_request_id()
        pending: Pending[str] = Pending(
            req_id,
            f"head timestamp of {_describe(contract)}",
            accepts=frozenset({HeadTimestamp}),
            ends=frozenset({HeadTimestamp}),
            finish=lambda items: items[-1].head_timestamp,  # type: ignore[attr-defined]
            cancel=CancelHeadTimestamp(req_id=req_id),
        )
        request = ReqHeadTimestamp(
            req_id=req_id,
            contract=contract,
            what_to_show=what_to_show,
            use_rth=use_rth,
            format_date=format_date,
        )
        return self._start(pending, request, now, timeout)

    def positions(self, now: float, timeout: float | None) -> Pending[list[PositionData]]:
        """Ask for the positions of every account (then stop the stream).

        Args:
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is one message per position.
        """
        # Keep a user's own positions stream running.
        stop = None if POSITIONS in self._live else CancelPositions()
        pending: Pending[list[PositionData]] = Pending(
            POSITIONS,
            "positions",
            accepts=frozenset({PositionData}),
            ends=frozenset({PositionEnd}),
            finish=list,  # type: ignore[arg-type]
            cancel=stop,
            follow_up=stop,
        )
        return self._start(pending, ReqPositions(), now, timeout)

    def account_summary(
        self, group_name: str, tags: str, now: float, timeout: float | None
    ) -> Pending[list[AccountSummary]]:
        """Ask for an account summary (then cancel it).

        Args:
            group_name: ``"All"`` or an FA group.
            tags: comma-separated tags, e.g. ``"NetLiquidation,BuyingPower"``.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is one message per account and tag.
        """
        req_id = self.new_request_id()
        stop = CancelAccountSummary(req_id=req_id)
        pending: Pending[list[AccountSummary]] = Pending(
            req_id,
            "account summary",
            accepts=frozenset({AccountSummary}),
            ends=frozenset({AccountSummaryEnd}),
            finish=list,  # type: ignore[arg-type]
            cancel=stop,
            follow_up=stop,
        )
        request = ReqAccountSummary(req_id=req_id, group_name=group_name, tags=tags)
        return self._start(pending, request, now, timeout)

    def open_orders_request(self, now: float, timeout: float | None) -> Pending[list[OpenOrder]]:
        """Ask for this client's open orders.

        Args:
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is one message per open order.
        """
        pending: Pending[list[OpenOrder]] = Pending(
            OPEN_ORDERS,
            "open orders",
            accepts=frozenset({OpenOrder}),
            ends=frozenset({OpenOrderEnd}),
            finish=_real_open_orders,
        )
        return self._start(pending, ReqOpenOrders(), now, timeout)

    def executions(
        self, exec_filter: ExecutionFilter, now: float, timeout: float | None
    ) -> Pending[list[ExecutionData]]:
        """Ask for the executions matching ``exec_filter``.

        Args:
            exec_filter: the criteria.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is one message per fill.
        """
        req_id = self.new_request_id()
        pending: Pending[list[ExecutionData]] = Pending(
            req_id,
            "executions",
            accepts=frozenset({ExecutionData}),
            ends=frozenset({ExecutionDataEnd}),
            finish=list,  # type: ignore[arg-type]
        )
        return self._start(
            pending, ReqExecutions(req_id=req_id, exec_filter=exec_filter), now, timeout
        )

    def current_time(self, now: float, timeout: float | None) -> Pending[int]:
        """Ask for the server's time.

        Args:
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is epoch seconds.
        """
        pending: Pending[int] = Pending(
            CURRENT_TIME,
            "current time",
            accepts=frozenset({CurrentTime}),
            ends=frozenset({CurrentTime}),
            finish=lambda items: items[-1].time,  # type: ignore[attr-defined]
        )
        return self._start(pending, ReqCurrentTime(), now, timeout)

    def what_if(
        self, contract: Contract, order: Order, now: float, timeout: float | None
    ) -> Pending[OrderState]:
        """Ask for the margin and commission effect of an order, without placing it.

        Args:
            contract: the contract.
            order: the order (``what_if`` is set here).
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the order state with the margin figures.
        """
        self._require_ready()
        order_id = self.new_order_id()
        order = dataclasses.replace(order, order_id=order_id, what_if=True)
        pending: Pending[OrderState] = Pending(
            order_id,
            f"what-if order {order_id} for {_describe(contract)}",
            accepts=frozenset({OpenOrder}),
            ends=frozenset({OpenOrder}),
            finish=lambda items: items[-1].order_state,  # type: ignore[attr-defined]
        )
        request = PlaceOrder(order_id=order_id, contract=contract, order=order)
        self.order_ids.observe(order_id)
        return self._start(pending, request, now, timeout)

    def sec_def_opt_params(
        self,
        underlying_symbol: str,
        fut_fop_exchange: str,
        underlying_sec_type: str,
        underlying_con_id: int,
        now: float,
        timeout: float | None,
    ) -> Pending[list[SecurityDefinitionOptionParameter]]:
        """Ask for an underlying's option chains.

        Args:
            underlying_symbol: the underlying's symbol.
            fut_fop_exchange: the exchange of futures options; ``""`` for stocks.
            underlying_sec_type: ``STK``, ``FUT``, ``IND``, ...
            underlying_con_id: the underlying's contract id.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is one chain per exchange and trading class.
        """
        req_id = self.new_request_id()
        pending: Pending[list[SecurityDefinitionOptionParameter]] = Pending(
            req_id,
            f"option chains of {underlying_symbol}",
            accepts=frozenset({SecurityDefinitionOptionParameter}),
            ends=frozenset({SecurityDefinitionOptionParameterEnd}),
            finish=list,  # type: ignore[arg-type]
        )
        request = ReqSecDefOptParams(
            req_id=req_id,
            underlying_symbol=underlying_symbol,
            fut_fop_exchange=fut_fop_exchange,
            underlying_sec_type=underlying_sec_type,
            underlying_con_id=underlying_con_id,
        )
        return self._start(pending, request, now, timeout)

    def matching_symbols(
        self, pattern: str, now: float, timeout: float | None
    ) -> Pending[list[ContractDescription]]:
        """Search contracts by symbol or name.

        Args:
            pattern: the start of a symbol or company name.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the matching contracts.
        """
        req_id = self.new_request_id()
        pending: Pending[list[ContractDescription]] = Pending(
            req_id,
            f"symbols matching {pattern!r}",
            accepts=frozenset({SymbolSamples}),
            ends=frozenset({SymbolSamples}),
            finish=lambda items: list(items[-1].contract_descriptions),  # type: ignore[attr-defined]
        )
        return self._start(
            pending, ReqMatchingSymbols(req_id=req_id, pattern=pattern), now, timeout
        )

    def market_rule(
        self, market_rule_id: int, now: float, timeout: float | None
    ) -> Pending[list[PriceIncrement]]:
        """Ask for the price increments of a market rule.

        Args:
            market_rule_id: the rule id (from ``ContractDetails.market_rule_ids``).
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the increments by price band.
        """
        pending: Pending[list[PriceIncrement]] = Pending(
            ("market_rule_id", market_rule_id),
            f"market rule {market_rule_id}",
            accepts=frozenset({MarketRule}),
            ends=frozenset({MarketRule}),
            finish=lambda items: list(items[-1].price_increments),  # type: ignore[attr-defined]
        )
        return self._start(pending, ReqMarketRule(market_rule_id=market_rule_id), now, timeout)

    # ------------------------------------------------------------------ orders

    def cancel_orders(
        self,
        now: float,
        *,
        symbol: str | None = None,
        order_ref: str | None = None,
        account: str | None = None,
        sec_type: str | None = None,
        action: str | None = None,
    ) -> list[int]:
        """Cancel this client's open orders that match every given criterion.

        Args:
            now: the current time.
            symbol: the contract's symbol.
            order_ref: the order's reference.
            account: the order's account.
            sec_type: the contract's security type.
            action: ``BUY`` or ``SELL``.

        Returns:
            The ids of the orders a cancel was sent for.

        Raises:
            ValueError: no criterion given (use ``global_cancel`` to cancel all).
            ReadOnlyError: the session is read-only.
        """
        criteria = {
            "symbol": symbol,
            "order_ref": order_ref,
            "account": account,
            "sec_type": sec_type,
            "action": action,
        }
        if all(value is None for value in criteria.values()):
            raise ValueError("cancel_orders needs at least one criterion; see global_cancel()")
        self._check_allowed(CancelOrder(order_id=0))
        self._require_ready()
        chosen = [
            tracked.order_id
            for tracked in self._orders.values()
            if (symbol is None or tracked.contract.symbol == symbol)
            and (sec_type is None or tracked.contract.sec_type == sec_type)
            and (order_ref is None or tracked.order.order_ref == order_ref)
            and (account is None or tracked.order.account == account)
            and (action is None or tracked.order.action == action)
        ]
        for order_id in chosen:
            self._submit(CancelOrder(order_id=order_id), now, track=True)
        return chosen

    def global_cancel(self, now: float) -> None:
        """Cancel every open order of the account, placed from anywhere.

        Args:
            now: the current time.
        """
        self.submit(ReqGlobalCancel(order_cancel=OrderCancel()), now)

    def bracket_order(
        self,
        action: str,
        quantity: Decimal | int | str,
        limit_price: float,
        take_profit_price: float,
        stop_loss_price: float,
        **fields: object,
    ) -> Bracket:
        """Build a bracket: a limit entry with a take-profit and a stop-loss child.

        Order ids are allocated here (three consecutive ids).  The children are
        on the other side of ``action`` and have ``parent_id`` set; only the last
        (the stop-loss) has ``transmit=True``.

        Args:
            action: ``BUY`` or ``SELL`` for the entry.
            quantity: the quantity of each order.
            limit_price: the entry's limit price.
            take_profit_price: the take-profit's limit price.
            stop_loss_price: the stop-loss's stop price.
            **fields: more :class:`~ibwire.messages.Order` fields for all three
                (``tif``, ``account``, ``order_ref``, ...).

        Returns:
            The three orders.

        Raises:
            ValueError: ``action`` is neither ``BUY`` nor ``SELL``.
            ReadOnlyError: the session is read-only.
        """
        self.check_allowed(PlaceOrder(order_id=0, contract=Contract(), order=Order()))
        side = action.upper()
        if side not in ("BUY", "SELL"):
            raise ValueError(f"action must be BUY or SELL, not {action!r}")
        exit_side = "SELL" if side == "BUY" else "BUY"
        qty = quantity if isinstance(quantity, Decimal) else Decimal(str(quantity))
        parent_id = self.new_order_id()
        take_id = self.new_order_id()
        stop_id = self.new_order_id()
        parent = Order(
            order_id=parent_id,
            action=side,
            order_type="LMT",
            total_quantity=qty,
            lmt_price=limit_price,
            transmit=False,
            **fields,  # type: ignore[arg-type]
        )
        take_profit = Order(
            order_id=take_id,
            action=exit_side,
            order_type="LMT",
            total_quantity=qty,
            lmt_price=take_profit_price,
            parent_id=parent_id,
            transmit=False,
            **fields,  # type: ignore[arg-type]
        )
        stop_loss = Order(
            order_id=stop_id,
            action=exit_side,
            order_type="STP",
            total_quantity=qty,
            aux_price=stop_loss_price,
            parent_id=parent_id,
            transmit=True,
            **fields,  # type: ignore[arg-type]
        )
        return Bracket(parent, take_profit, stop_loss)

    # ------------------------------------------------------------------ incoming

    def _handle(self, events: list[Message | Event], now: float) -> None:
        """THE incoming loop: every message and core event passes here once.

        The wire log only observes (one debug line per message); it never changes
        what is delivered.  The hot path: one cached plan per message class (does
        the pacer watch it, its handler, its routing), then the live and pending
        tables only when they hold something (benchmarks/bench_loopback.py).
        """
        wire = wire_logger.isEnabledFor(logging.DEBUG)
        pacer = self.pacer
        out_append = self._out.append
        plans = self._plans
        live_streams = self._live
        pendings = self._pendings
        # Classes with a plan are messages: typed Any to skip a cast per message.
        batch: list[Any] = events
        for event in batch:
            if wire:
                wire_logger.debug("<- %r", event)
            cls = type(event)
            plan = plans.get(cls)
            if plan is None:
                if isinstance(event, Event):
                    self._on_core_event(event, now)
                    if self._phase not in _LIVE_PHASES:
                        break
                    continue
                plan = plans[cls] = self._plan_for(cls)
            watched, handler, route = plan
            if watched:
                pacer.on_incoming(event, now)
            if handler is not None:
                keep = handler(event, now)
                if self._phase not in _LIVE_PHASES:
                    # The connection ended inside this batch (error 326): what
                    # followed belongs to a dead connection.
                    if keep:
                        out_append(event)
                    break
                if not keep:
                    continue
            out_append(event)
            if not (live_streams or pendings):
                continue
            for key in route(event):
                live = live_streams.get(key)
                if live is not None and live.sink is not None:
                    live.sink.push(event)
                    if cls in live.ends:
                        self._end_live(key, None)
                waiters = pendings.get(key)
                if waiters:
                    for pending in list(waiters):
                        if pending._feed(event):
                            self._finished(pending, now)

    def _plan_for(self, cls: type) -> _Plan:
        route = self._routes.get(cls)
        if route is None:
            route = self._routes[cls] = _route_for(cls)
        return (self.pacer.watches(cls), self._handlers.get(cls), route)

    def _finished(self, pending: Pending[Any], now: float) -> None:
        self._unregister(pending)
        follow_up = pending.follow_up
        if follow_up is not None and self._phase is Phase.READY:
            self._submit(follow_up, now, track=False)

    def _on_core_event(self, event: Event, now: float) -> None:
        if isinstance(event, ConnectAck):
            if self._phase is Phase.HANDSHAKE:
                self._phase = Phase.STARTING
                self.pacer.server_version = event.server_version
            self._out.append(event)
        elif isinstance(event, ConnectionClosed):
            self._lose("the server closed the connection", now, closed=event)
        else:
            # MalformedMessage, UnknownMessage: reported, and the stream goes on.
            self._out.append(event)

    def _on_next_valid_id(self, message: NextValidId, now: float) -> bool:
        self.order_ids.sync(message.order_id)
        self._got_next_id = True
        self._check_ready(now)
        return True

    def _on_managed_accounts(self, message: ManagedAccts, now: float) -> bool:
        self.accounts = message.accounts
        self._got_accounts = True
        self._check_ready(now)
        return True

    def _check_ready(self, now: float) -> None:
        if self._phase is not Phase.STARTING or not (self._got_next_id and self._got_accounts):
            return
        self._phase = Phase.READY
        self._connect_deadline = None
        self._last_received = now
        if self._ever_ready:
            self._after_reconnect(now)
        elif self._orders:
            # connect() again after a loss without a reconnect policy: the
            # orders of the last connection are checked all the same.
            self._reconcile_orders(now)
            self._ever_ready = True
            waiter = self._ready_waiter
            self._ready_waiter = None
            if waiter is not None:
                waiter._complete(None)
        else:
            self._ever_ready = True
            waiter = self._ready_waiter
            self._ready_waiter = None
            if waiter is not None:
                waiter._complete(None)

    def _after_reconnect(self, now: float) -> None:
        # nextValidId has re-synced the allocator; now settings, subscriptions,
        # then a re-read of open orders and today's fills.
        for message in self._settings.values():
            self._submit(message, now, track=False)
        count = 0
        for live in list(self._live.values()):
            if live.resubscribe:
                self._submit(live.request, now, track=False)
                count += 1
        self._reconcile_orders(now)
        attempts = self._attempt
        self._attempt = 0
        self._out.append(
            Reconnected(
                attempts=attempts,
                server_version=self.server_version or 0,
                next_order_id=self.order_ids.peek(),
                resubscribed=count,
            )
        )
        logger.info("reconnected after %d attempt(s); %d subscription(s) re-sent", attempts, count)

    def _reconcile_orders(self, now: float) -> None:
        """Re-read open orders, completed orders and today's fills after a reconnect.

        Every order written before the drop is then matched against the three
        answers: open ones stay tracked, done ones are dropped, and one TWS does
        not know at all is reported with an ``ErrMsg`` (code 135) and no longer
        tracked.
        """
        req_id = self.new_request_id()
        self._internal_req_ids.add(req_id)
        waiting = {"open", "executions"}
        if self._orders:
            waiting.add("completed")
        self._reconcile = _Reconcile(frozenset(self._orders), req_id, waiting)
        self._submit(ReqOpenOrders(), now, track=False)
        if "completed" in waiting:
            self._submit(ReqCompletedOrders(api_only=True), now, track=False)
        self._submit(ReqExecutions(req_id=req_id, exec_filter=ExecutionFilter()), now, track=False)

    def _reconciled(self, part: str) -> None:
        state = self._reconcile
        if state is None:
            return
        state.waiting.discard(part)
        if state.waiting:
            return
        self._reconcile = None
        for order_id in sorted(state.order_ids):
            if order_id in state.open or order_id not in self._orders:
                continue
            tracked = self._orders.pop(order_id)
            if order_id in state.executed:
                # Filled while we were away; its fills were delivered.
                continue
            text = (
                f"order {order_id} ({_describe(tracked.contract)}) was written before the "
                "connection dropped, but TWS does not know it after the reconnect (not open, "
                "not completed, no executions): it is no longer tracked"
            )
            logger.error("%s", text)
            self._out.append(
                ErrMsg(req_id=order_id, error_code=UNKNOWN_ORDER_CODE, error_string=text)
            )

    def _on_open_order_end(self, message: OpenOrderEnd, now: float) -> bool:
        self._reconciled("open")
        return True

    def _on_completed_order(self, message: CompletedOrder, now: float) -> bool:
        perm_id = message.order.perm_id
        if perm_id:
            for order_id, tracked in list(self._orders.items()):
                if tracked.order.perm_id == perm_id:
                    del self._orders[order_id]
        return True

    def _on_completed_orders_end(self, message: CompletedOrdersEnd, now: float) -> bool:
        self._reconciled("completed")
        return True

    def _on_err_msg(self, message: ErrMsg, now: float) -> bool:
        code = message.error_code
        info = self.code_table.info(code)
        if info.refuses_client:
            self._out.append(message)
            self._refused = True
            self._lose(message.error_string, now, ClientIdInUseError(self.client_id))
            return False
        if info.severity is Severity.CONNECTIVITY:
            text = message.error_string
            self._out.append(
                Connectivity(
                    code=code,
                    message=text,
                    is_connected=not info.link_down,
                    data_lost=info.data_lost,
                    farm=_farm_of(text) if 2100 <= code <= 2199 else "",
                    error=message,
                )
            )
            if info.data_lost and self._phase is Phase.READY:
                self._resubscribe_in_place(now)
            return False
        self._out.append(message)
        req_id = message.req_id
        if req_id < 0:
            return False
        if info.ends_request:
            error = ApiError(code, message.error_string, req_id, message.advanced_order_reject_json)
            self._end_live(req_id, error)
            waiters = self._pendings.pop(req_id, None)
            if waiters:
                for pending in waiters:
                    pending._fail(error)
            if not info.keeps_order:
                self._orders.pop(req_id, None)
        else:
            live = self._live.get(req_id)
            if live is not None:
                live.warnings.append(message)
        return False

    def _resubscribe_in_place(self, now: float) -> None:
        # 1101: TWS is back but dropped our market data.  Re-sending the same id
        # while TWS may still hold it risks "duplicate ticker id", so cancel first.
        for live in list(self._live.values()):
            if not live.resubscribe:
                continue
            cancel = _cancel_for(live.request)
            if cancel is not None:
                self._submit(cancel, now, track=False)
            self._submit(live.request, now, track=False)

    def _on_open_order(self, message: OpenOrder, now: float) -> bool:
        order = message.order
        if order.what_if or message.order_id <= 0:
            return True
        if self._reconcile is not None:
            self._reconcile.open.add(message.order_id)
        status = message.order_state.status
        if status in _TERMINAL_STATUSES:
            self._orders.pop(message.order_id, None)
            return True
        tracked = self._orders.get(message.order_id)
        if tracked is None:
            self._orders[message.order_id] = TrackedOrder(
                message.order_id, message.contract, order, status
            )
        else:
            tracked.contract, tracked.order, tracked.status = message.contract, order, status
        return True

    def _on_order_status(self, message: OrderStatus, now: float) -> bool:
        if message.status in _TERMINAL_STATUSES:
            self._orders.pop(message.order_id, None)
        else:
            tracked = self._orders.get(message.order_id)
            if tracked is not None:
                tracked.status = message.status
        return True

    def _on_execution(self, message: ExecutionData, now: float) -> bool:
        exec_id = message.execution.exec_id
        seen = self._seen_executions
        req_id = message.req_id
        state = self._reconcile
        if state is not None and req_id == state.executions_req_id:
            state.executed.add(message.execution.order_id)
        if req_id != -1 and req_id not in self._internal_req_ids:
            # The user asked for these: deliver them all.
            _remember(seen, exec_id)
            return True
        if exec_id in seen:
            return False
        _remember(seen, exec_id)
        return True

    def _on_execution_end(self, message: ExecutionDataEnd, now: float) -> bool:
        if message.req_id in self._internal_req_ids:
            self._internal_req_ids.discard(message.req_id)
            state = self._reconcile
            if state is not None and message.req_id == state.executions_req_id:
                self._reconciled("executions")
            return False
        return True

    def _on_commission(self, message: CommissionAndFeesReport, now: float) -> bool:
        seen = self._seen_commissions
        if message.exec_id in seen:
            return False
        _remember(seen, message.exec_id)
        return True

    # ------------------------------------------------------------------ losses

    def _heartbeat(self, now: float) -> None:
        interval = self.heartbeat_interval
        if interval is None:
            return
        probe = self._probe_sent
        if probe is None:
            if now >= self._last_received + interval:
                self._probe_sent = now
                self._submit(ReqCurrentTime(), now, track=False)
        elif now >= probe + self.heartbeat_timeout:
            self._lose(
                f"no message from TWS for {now - self._last_received:g}s, "
                f"heartbeat unanswered for {self.heartbeat_timeout:g}s",
                now,
            )

    def _emit_closed(self, closed: ConnectionClosed | None = None) -> ConnectionClosed | None:
        """Queue the one ConnectionClosed of the current connection."""
        protocol = self._protocol
        if closed is None and protocol is not None:
            protocol.receive_eof()
            for event in protocol.events_received():
                if isinstance(event, ConnectionClosed):
                    closed = event
            if closed is None:
                # The protocol closed itself on a fatal error (oversize frame,
                # bad version, garbage): the connection is over all the same.
                closed = ConnectionClosed(
                    handshake_done=protocol.codec is not None,
                    messages_received=protocol.messages_received,
                )
        if closed is not None:
            self._out.append(closed)
        return closed

    def _lose(
        self,
        reason: str,
        now: float,
        error: BaseException | None = None,
        *,
        closed: ConnectionClosed | None = None,
    ) -> None:
        if self._phase not in (Phase.HANDSHAKE, Phase.STARTING, Phase.READY):
            return
        phase = self._phase
        closed = self._emit_closed(closed)
        if error is None:
            if phase is Phase.STARTING and (
                self._refused or (closed and not closed.messages_received)
            ):
                # TWS closes right after startApi when the client id is taken
                # (often without sending 326 first).
                error = ClientIdInUseError(self.client_id)
            else:
                error = ConnectionClosedError(reason)
        if isinstance(error, ClientIdInUseError):
            reason = str(error)
        self._connection_ended(reason, now, error, had_socket=True)

    def _connection_ended(
        self, reason: str, now: float, error: BaseException, *, had_socket: bool
    ) -> None:
        logger.warning("connection to TWS ended: %s", reason)
        self._loss_reason = reason
        self._wants_close = had_socket
        self._connect_deadline = None
        self._probe_sent = None
        self._drop_pacer_queue(reason)
        self._reconcile = None
        waiter = self._ready_waiter
        if waiter is not None and not self._ever_ready:
            # The first connect failed: the caller of connect() gets the error.
            self._ready_waiter = None
            self._phase = Phase.DISCONNECTED
            waiter._fail(error)
            self._fail_all(error)
            self._end_streams(error, keep_resubscribable=False)
            return
        self._fail_all(error if isinstance(error, IBWireError) else ConnectionClosedError(reason))
        if self.reconnect is not None:
            self._phase = Phase.WAITING
            self._reconnect_at = None
            self._end_streams(ConnectionClosedError(reason), keep_resubscribable=True)
            if not had_socket:
                self._schedule_reconnect(now)
            return
        self._phase = Phase.DISCONNECTED
        self._end_streams(ConnectionClosedError(reason), keep_resubscribable=False)

    def _schedule_reconnect(self, now: float) -> None:
        policy = self.reconnect
        assert policy is not None
        self._attempt += 1
        if policy.max_attempts is not None and self._attempt > policy.max_attempts:
            logger.error("giving up reconnecting after %d attempts", policy.max_attempts)
            self._phase = Phase.DISCONNECTED
            self._end_streams(ConnectionClosedError(self._loss_reason), keep_resubscribable=False)
            return
        delay = policy.delay(self._attempt, self.rng)
        self._reconnect_at = now + delay
        self._out.append(Reconnecting(attempt=self._attempt, delay=delay, reason=self._loss_reason))

    def _drop_pacer_queue(self, reason: str) -> None:
        """Tell whoever asked about each request the pacer still held at a drop.

        Nothing is re-sent later as an order: an order never written is reported
        with an ``ErrMsg`` (:data:`NOT_SENT_CODE`) naming it as not sent and is no
        longer tracked; a helper raises (its own exception says it was not
        sent); a subscription stays registered for the resubscribe after a
        reconnect; any other request of the user is reported like an order.
        """
        unsent, self._unsent = self._unsent, {}
        for message in self.pacer.on_disconnect():
            entry = unsent.get(id(message))
            if entry is None or entry.message is not message:
                continue  # the session's own traffic (heartbeat, cancels, re-reads)
            pending = entry.pending
            if pending is not None:
                self._unregister(pending)
                error = ConnectionClosedError(
                    f"{pending.description}: not sent, the connection ended first ({reason})"
                )
                pending._fail(error)
                continue
            if not entry.user:
                continue
            name = type(message).__name__
            ident: int | None = None
            if message.MSG_ID == _Out.PLACE_ORDER:
                ident = message.order_id  # type: ignore[attr-defined]
                self._orders.pop(ident, None)
                what = f"order {ident}"
                logger.warning("order %s was never sent: the connection ended first", ident)
            else:
                key = _stream_key(message)
                live = self._live.get(key)
                if live is not None and live.request is message and live.resubscribe:
                    if self.reconnect is not None:
                        continue  # kept: re-sent after the reconnect
                found = getattr(message, "req_id", getattr(message, "ticker_id", None))
                ident = found if isinstance(found, int) else None
                what = name if ident is None else f"{name} {ident}"
            self._out.append(
                ErrMsg(
                    req_id=-1 if ident is None else ident,
                    error_code=NOT_SENT_CODE,
                    error_string=(
                        f"{what} was not sent: the connection ended while the pacer held it "
                        f"({reason}); it will not be re-sent"
                    ),
                )
            )


def _real_open_orders(items: list[Message]) -> list[OpenOrder]:
    return [m for m in items if isinstance(m, OpenOrder) and not m.order.what_if]


def _remember(seen: dict[str, None], key: str) -> None:
    seen[key] = None
    if len(seen) > _MAX_REMEMBERED_EXECUTIONS:
        # Forget the oldest: insertion order is age.
        del seen[next(iter(seen))]


def _describe(contract: Contract) -> str:
    if contract.con_id:
        return f"conId {contract.con_id}"
    parts = [contract.symbol, contract.sec_type, contract.exchange, contract.currency]
    return " ".join(p for p in parts if p) or "an empty contract"
