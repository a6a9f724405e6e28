"""The session's data: phases, the reconnect policy, helpers waiting, tracked orders.

No behaviour lives here beyond the small objects themselves; see :mod:`ibwire._session`.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import math
import random
from collections.abc import Callable, Hashable
from typing import Any, ClassVar, Final, Generic, Protocol, TypeAlias, TypeVar

from ._record import dataclass as record
from .ids import OutgoingId
from .messages import (
    AcctDownloadEnd,
    AcctUpdateTime,
    AcctValue,
    Contract,
    ErrMsg,
    HistoricalData,
    HistoricalDataEnd,
    HistoricalDataUpdate,
    MarketDataType,
    MarketDepth,
    MarketDepthL2,
    Message,
    OpenOrder,
    Order,
    PortfolioValue,
    RerouteMktDataReq,
    RerouteMktDepthReq,
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


@record(frozen=True, slots=True, kw_only=True)
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
        stable_after: seconds a connection must stay ready for the next loss to
            start again from ``initial_delay``.  A connection lost sooner (a
            gateway that drops the client right after the handshake) goes on
            from the wait before it, so a flapping gateway is not asked once a
            second, with every subscription re-sent each time.
    """

    initial_delay: float = 1.0
    max_delay: float = 60.0
    multiplier: float = 2.0
    jitter: float = 0.2
    max_attempts: int | None = None
    stable_after: float = 60.0

    def __post_init__(self) -> None:
        if self.initial_delay < 0 or self.max_delay < self.initial_delay:
            raise ValueError("need 0 <= initial_delay <= max_delay")
        if self.multiplier < 1:
            raise ValueError("multiplier must be at least 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")
        if not self.stable_after >= 0:
            raise ValueError("stable_after must be 0 or more")

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait before ``attempt`` (1 for the first).

        Args:
            attempt: the attempt number, from 1.
            rng: the source of jitter.

        Returns:
            The delay.
        """
        try:
            growth = self.multiplier ** (attempt - 1)
        except OverflowError:  # long past max_delay: the wait stays there
            growth = math.inf
        grown = self.initial_delay * growth if self.initial_delay else 0.0
        base = min(self.max_delay, grown)
        return base * (1.0 - self.jitter * rng.random())


@record(slots=True)
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
        deadline: when it times out, in the session's clock; ``None`` for never
            (or, with :attr:`from_release`, not yet released).
        from_release: its timeout starts when the pacer releases its request,
            not at the call (the chunks of ``history`` and the snapshots of
            ``snapshots``, which the pacer spaces).
        notify: called once, when it is done (set by the front end).
        resendable: the part that made it sends its request again after a
            reconnect or a 1101 (the snapshots of ``snapshots``): a drop
            followed by a reconnect does not fail it.
    """

    resendable: ClassVar[bool] = False

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
        "from_release",
        "group",
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
        self.from_release = False
        self.ticket: int | None = None
        self.done = False
        self.notify: Callable[[], None] | None = None
        #: The helper it is a part of when a failure gives up the other parts.
        self.group: PendingAll[Any] | None = None

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


class PendingAll(Pending[list[T]]):
    """A helper waiting for several others: its answer is theirs, in order.

    The first of them to fail fails it, with that error; the others go on to
    their own end (or timeout), or, with ``give_up_rest``, are given up by the
    session at once (withdrawn from the pacer, or cancelled at TWS).  It is
    registered nowhere itself: the session feeds, times out and fails the
    parts, and giving it up
    (:meth:`~ibwire._session_calls.CallsPart.abandon`) gives each part up.
    Its deadline is the parts' last (``None`` while one has none), for a
    front end that bounds its wait by it.  A part may stand at several
    places of the answer (one request for a value asked for twice).

    Attributes:
        parts: the helpers, in the order of the answer.
    """

    __slots__ = ("parts",)

    def __init__(
        self,
        key: Hashable,
        description: str,
        parts: list[Pending[T]],
        *,
        give_up_rest: bool = False,
    ) -> None:
        super().__init__(
            key, description, accepts=frozenset(), ends=frozenset(), finish=lambda items: []
        )
        self.parts = parts
        for part in dict.fromkeys(parts):
            part.notify = _then(part.notify, self._part_done)
            if give_up_rest:
                part.group = self
        self.timeout = max((part.timeout or 0.0 for part in parts), default=None)

    @property
    def deadline(self) -> float | None:
        """The parts' last deadline; ``None`` while one has none (no limit, or not released)."""
        deadlines = [part.deadline for part in self.parts]
        if not deadlines or None in deadlines:
            return None
        return max(d for d in deadlines if d is not None)

    @deadline.setter
    def deadline(self, value: float | None) -> None:
        pass  # the parts' own deadlines rule

    def _part_done(self) -> None:
        if self.done:
            return
        for part in self.parts:
            if part.error is not None:
                self._fail(part.error)
                return
        if all(part.done for part in self.parts):
            self._complete([part.result() for part in self.parts])


def _then(
    first: Callable[[], None] | None, then: Callable[[], None]
) -> Callable[[], None]:
    if first is None:
        return then

    def both() -> None:
        first()
        then()

    return both


def _own_copy(error: BaseException) -> BaseException:
    """An instance of ``error`` for one waiter, chained to the shared original.

    One loss fails every waiting helper; each raises its own exception, so that
    tracebacks of different callers (threads, tasks) never pile up on one object.
    """
    # Not copy.copy(): it rebuilds the exception as ``cls(*args)``, which garbles
    # exceptions whose constructor takes other arguments than their message.
    try:
        own = type(error).__new__(type(error), *error.args)
        own.args = error.args
        own.__dict__.update(error.__dict__)
    except Exception:  # noqa: BLE001 (an exception class that cannot be copied)
        return error
    own.__traceback__ = None
    own.__context__ = None
    own.__cause__ = error
    return own


@record(slots=True)
class _Unsent:
    """A request the pacer still holds: its frame, who waits for it, whether the user sent it."""

    message: Message
    frame: bytes
    pending: Pending[Any] | None
    user: bool
    #: The pacer's ticket, which names it when the pacer withdraws it.
    ticket: int


@record(slots=True)
class _Reconcile:
    """The re-read of orders after a reconnect, and what it has seen so far."""

    order_ids: frozenset[int]
    executions_req_id: int
    waiting: set[str]
    open: set[int] = dataclasses.field(default_factory=set)
    executed: set[int] = dataclasses.field(default_factory=set)


@record(slots=True)
class _Live:
    """A request whose stream is open at TWS."""

    request: Message
    resubscribe: bool = True
    sink: StreamSink | None = None
    ends: frozenset[type] = frozenset()
    warnings: list[ErrMsg] = dataclasses.field(default_factory=list)


#: Phases in which a socket is open and messages flow.
_LIVE_PHASES: Final = frozenset({Phase.HANDSHAKE, Phase.STARTING, Phase.READY})


def _farm_of(text: str) -> str:
    head, sep, tail = text.rpartition(":")
    return tail.strip() if sep and head else ""


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


@record(frozen=True, slots=True)
class Connect:
    """Action: open a socket to the gateway (a reconnect attempt is due).

    The front end then calls :meth:`~ibwire._session.Session.transport_opened`
    or :meth:`~ibwire._session.Session.transport_failed`.
    """


@record(frozen=True, slots=True)
class Close:
    """Action: close the socket, then call :meth:`~ibwire._session.Session.transport_closed`.

    TWS frees the client id when it sees the close, so a reconnect waits for it.
    """


#: What the session asks of its front end, in order (:meth:`Session.actions`).
Action: TypeAlias = Connect | Close
