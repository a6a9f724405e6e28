"""The session's state and its way out: submitting requests through the pacer.

Every part of the session (:mod:`ibwire._session_lifecycle`, ``_calls``, ``_streams``,
``_orders``) derives from :class:`SessionBase`, which holds the state they share.
"""

from __future__ import annotations

import datetime as _dt
import heapq
import itertools
import logging
import random
from collections.abc import Callable, Hashable
from typing import Any, Final

from ._session_gate import refused_when_read_only
from ._session_routes import (
    _cancel_for,
    _Plan,
    _Route,
)
from ._session_types import (
    Action,
    Close,
    Connect,
    Pending,
    Phase,
    ReconnectPolicy,
    TrackedOrder,
    _Live,
    _Reconcile,
    _Unsent,
    logger,
    wire_logger,
)
from .bars import connection_zone
from .errorcodes import DEFAULT_TABLE, CodeTable
from .errors import (
    ConnectionClosedError,
    LocalProtocolError,
    ReadOnlyError,
)
from .events import ConnectionClosed, Event
from .messages import (
    Message,
)
from .orderids import DEFAULT_REQUEST_ID_START, OrderIdAllocator, RequestIdAllocator
from .pacing import Pacer, PacingConfig, PacingEvent, RequestWithdrawn
from .protocol import ClientProtocol, check_client_arguments
from .versions import MAX_CLIENT_VERSION, MIN_CLIENT_VERSION, check_range

#: Tested on every read: in CPython 3.11 reading ``Phase.READY`` runs a
#: Python-level descriptor, a module constant does not (benchmarks/bench_live_client.py).
_READY: Final = Phase.READY
#: How many ended order ids the session remembers (far more than a day's orders).
_MAX_FINISHED_ORDERS: Final = 10_000


class SessionBase:
    """The state every part of the session shares, and the path of a request to the wire."""

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
        if isinstance(pacing, Pacer):
            self.pacer: Pacer[Message] = pacing
            if code_table is None:
                # A pacer made with its own table brings it: one table for both.
                code_table = pacing.code_table
        else:
            self.pacer = Pacer(pacing)
        self._code_table = DEFAULT_TABLE
        self.code_table = code_table if code_table is not None else DEFAULT_TABLE
        self.reconnect = reconnect
        self.heartbeat_interval = heartbeat_interval
        self.heartbeat_timeout = heartbeat_timeout
        self.rng = rng if rng is not None else random.Random()
        check_range(min_version, max_version)
        self.min_version = min_version
        self.max_version = max_version
        if not connect_options and self.pacer.config.connect_options:
            connect_options = self.pacer.config.connect_options
        check_client_arguments(client_id, max_version, connect_options, optional_capabilities)
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
        self._actions: list[Action] = []
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
        # The backoff's step: unlike _attempt, not reset by a connection that was
        # ready for less than the policy's stable_after.
        self._backoff = 0
        self._ready_since: float | None = None
        self._reconnect_at: float | None = None
        self._loss_reason = ""

        self._pendings: dict[Hashable, list[Pending[Any]]] = {}
        #: The helpers' deadlines, earliest first; entries of helpers since done
        #: are dropped when they come to the top.
        self._deadlines: list[tuple[float, int, Pending[Any]]] = []
        self._deadline_seq = itertools.count()
        self._live: dict[Hashable, _Live] = {}
        self._settings: dict[int, Message] = {}
        self._orders: dict[int, TrackedOrder] = {}
        #: Ids of this client's orders that ended (filled, cancelled, rejected,
        #: gone at a reconnect), newest last: a late working status of one
        #: (TWS's messages of an order may cross) does not track it again.
        self._finished_orders: dict[int, None] = {}
        self._internal_req_ids: set[int] = set()
        self._unsent: dict[int, _Unsent] = {}
        self._reconcile: _Reconcile | None = None
        self._seen_executions: dict[str, None] = {}
        self._seen_commissions: dict[str, None] = {}
        self._routes: dict[type, _Route] = {}
        self._plans: dict[type, _Plan] = {}
        #: Message class -> the part's handler; it returns whether to deliver it.
        self._handlers: dict[type, Callable[[Any, float], bool]] = self._message_handlers()

    @property
    def code_table(self) -> CodeTable:
        """How TWS codes are classified; the pacer reads the same table."""
        return self._code_table

    @code_table.setter
    def code_table(self, table: CodeTable) -> None:
        self._code_table = table
        self.pacer.code_table = table

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

    def _carries(self, request: type[Message] | Message) -> bool:
        """Whether the current connection's server knows ``request`` (its ``MIN_VERSION``)."""
        return (self.server_version or 0) >= request.MIN_VERSION

    @property
    def time_zone(self) -> _dt.tzinfo | None:
        """TWS's login time zone, as the handshake named it (:func:`~ibwire.bars.connection_zone`).

        None before a handshake, or when the name is not one ibwire knows.
        """
        text = None if self._protocol is None else self._protocol.connection_time
        return None if text is None else connection_zone(text)

    def actions(self) -> list[Action]:
        """Take what the front end must do with its socket, in order.

        :class:`Connect`: open a socket, then call :meth:`transport_opened` or
        :meth:`transport_failed`.  :class:`Close`: close the socket, then call
        :meth:`transport_closed`.  Those calls also settle an action still
        queued, so a front end never has to poll flags in a particular order.
        """
        actions = self._actions
        self._actions = []
        return actions

    @property
    def wants_close(self) -> bool:
        """Whether a :class:`Close` is pending (see :meth:`actions`)."""
        return any(isinstance(action, Close) for action in self._actions)

    @property
    def wants_connect(self) -> bool:
        """Whether a :class:`Connect` is pending (see :meth:`actions`)."""
        return any(isinstance(action, Connect) for action in self._actions)

    def _ask(self, action: Action) -> None:
        if not any(type(queued) is type(action) for queued in self._actions):
            self._actions.append(action)

    def _settle(self, kind: type[Action]) -> None:
        self._actions = [action for action in self._actions if not isinstance(action, kind)]

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

    def _require_ready(self) -> None:
        if self._phase is not Phase.READY:
            if self._phase is Phase.WAITING or self._phase is Phase.CONNECTING and self._ever_ready:
                raise ConnectionClosedError("not connected: reconnecting to TWS")
            raise ConnectionClosedError(f"not connected (the session is {self._phase.value})")

    def _closing_messages(self, request: Message) -> list[Message]:
        """What to send to stop the stream ``request`` opened (its cancel, if any).

        The live part keeps the streams its own state needs running.
        """
        cancel = _cancel_for(request)
        return [] if cancel is None else [cancel]

    def _submit(
        self,
        message: Message,
        now: float,
        *,
        track: bool,
        pending: Pending[Any] | None = None,
    ) -> int:
        protocol = self._protocol
        assert protocol is not None
        # Encode now, once: a bad request fails in the caller's hands, not later
        # when the pacer releases it, and the release writes the frame made here.
        frame = protocol.encode(message)
        ticket = self.pacer.submit(message, now)
        # Remembered until the pacer releases it: a ``from_release`` helper's
        # timeout starts then, and a drop before then is reported to whoever asked.
        self._unsent[id(message)] = _Unsent(message, frame, pending, track, ticket)
        if track:
            self._track(message)
        self._pump(now)
        return ticket

    def _pump(self, now: float) -> None:
        """Send what the pacer releases."""
        pacer = self.pacer
        if self._phase is _READY and self._protocol is not None:
            # Cheap when nothing is queued (after every socket read): an empty list.
            released = pacer.poll(now)
            if released:
                self._send_released(released, now)
        events = pacer.events()
        if events:
            self._out.extend(events)
            self._forget_withdrawn(events)

    def _forget_withdrawn(self, events: list[PacingEvent]) -> None:
        """Drop the frames of messages the pacer withdrew: they will never be sent.

        A cancel withdraws its queued request, and itself when the request never
        left the queue; neither is ever released, so nothing else removes them.
        """
        gone = {event.ticket for event in events if isinstance(event, RequestWithdrawn)}
        if gone and self._unsent:
            self._unsent = {
                key: entry for key, entry in self._unsent.items() if entry.ticket not in gone
            }

    def _send_released(self, released: list[Message], now: float) -> None:
        protocol = self._protocol
        assert protocol is not None
        wire = wire_logger.isEnabledFor(logging.DEBUG)
        unsent = self._unsent
        for message in released:
            if wire:
                wire_logger.debug("-> %r", message)
            entry = unsent.pop(id(message), None)
            if entry is not None and entry.message is message:
                protocol.send_frame(entry.frame)
                pending = entry.pending
                if (
                    pending is not None
                    and pending.from_release
                    and pending.deadline is None
                    and not pending.done
                ):
                    # Not restarted when its request goes again (a snapshot
                    # after a 1101): the timeout runs from the first sending.
                    self._start_clock(pending, now)
                continue
            if entry is not None:
                # Not ours: an entry whose message the pacer let go silently.
                unsent[id(message)] = entry
            try:
                protocol.send(message)
            except LocalProtocolError:
                # Checked at submission; a failure here is a bug, not the user's.
                logger.exception("could not send %r", message)

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

    # ------------------------------------------------------------------ the other parts

    def _message_handlers(self) -> dict[type, Callable[[Any, float], bool]]:
        """The messages the session acts on, and who handles each (the session)."""
        raise NotImplementedError

    def _handle(self, events: list[Message | Event], now: float) -> None:
        """THE incoming loop (the session)."""
        raise NotImplementedError

    def _start_clock(self, pending: Pending[Any], now: float) -> None:
        """Start a helper's timeout at ``now``: its deadline joins the heap.

        A helper's clock starts at its call, so the time its request waits in
        the pacer counts: the caller has its answer or its timeout within
        ``timeout`` seconds, and a request still held then is withdrawn, never
        sent.  A helper ``from_release`` starts it when its request is released.
        """
        timeout = pending.timeout
        if timeout is None:
            pending.deadline = None
        else:
            deadline = pending.deadline = now + timeout
            heapq.heappush(self._deadlines, (deadline, next(self._deadline_seq), pending))

    def _next_pending_deadline(self) -> float | None:
        """The earliest deadline of a helper still waiting."""
        heap = self._deadlines
        while heap:
            deadline, _, pending = heap[0]
            if not pending.done and pending.deadline == deadline:
                return deadline
            heapq.heappop(heap)
        return None

    def _due_pendings(self, now: float) -> list[Pending[Any]]:
        """Take the helpers still waiting whose deadline is ``now`` or earlier."""
        heap = self._deadlines
        due: list[Pending[Any]] = []
        while heap and heap[0][0] <= now:
            deadline, _, pending = heapq.heappop(heap)
            if not pending.done and pending.deadline == deadline:
                due.append(pending)
        return due

    def _expire_pendings(self, now: float) -> None:
        """Fail the helpers whose deadline passed (calls)."""
        raise NotImplementedError

    def _track(self, message: Message) -> None:
        """Record what a user request opens or ends (the session)."""
        raise NotImplementedError

    def _resubscribe(self, key: Hashable, request: Message, now: float) -> bool:
        """Send a stream's request again; whether it went (streams)."""
        raise NotImplementedError

    def _end_live(self, key: Hashable, error: BaseException | None) -> None:
        """End one stream (streams)."""
        raise NotImplementedError

    def _end_streams(self, error: BaseException | None, *, keep_resubscribable: bool) -> None:
        """End the streams (streams)."""
        raise NotImplementedError

    def _fail_all(self, error: BaseException, *, keep_resendable: bool = False) -> None:
        """Fail every waiting helper, except the resendable ones if asked (calls)."""
        raise NotImplementedError

    def _unregister(self, pending: Pending[Any]) -> None:
        """Forget a helper (calls)."""
        raise NotImplementedError

    def _finished(self, pending: Pending[Any], now: float) -> None:
        """A helper got its whole answer (calls)."""
        raise NotImplementedError

    def _give_up_rest(self, pending: Pending[Any], now: float) -> None:
        """A helper failed: give up the other parts of the group it failed (calls)."""
        raise NotImplementedError

    def _lose(
        self,
        reason: str,
        now: float,
        error: BaseException | None = None,
        *,
        closed: ConnectionClosed | None = None,
    ) -> None:
        """The connection is lost (lifecycle)."""
        raise NotImplementedError

    def _finish_order(self, order_id: int) -> TrackedOrder | None:
        """Stop tracking an order that ended, and remember that it did."""
        finished = self._finished_orders
        finished.pop(order_id, None)
        finished[order_id] = None
        if len(finished) > _MAX_FINISHED_ORDERS:
            del finished[next(iter(finished))]  # the oldest: insertion order is age
        return self._orders.pop(order_id, None)

    def _reconcile_orders(self, now: float) -> None:
        """Re-read orders after a reconnect (orders)."""
        raise NotImplementedError

    def _report_unacknowledged(self, reason: str) -> None:
        """Report orders TWS never acknowledged when no reconnect follows (orders)."""
        raise NotImplementedError

    def _drop_pacer_queue(self, reason: str, now: float) -> None:
        """Report what the pacer held at a drop (orders)."""
        raise NotImplementedError

    def _resubscribe_in_place(self, now: float) -> None:
        """Re-send the streams after a 1101 (streams)."""
        raise NotImplementedError

    def _check_ready(self, now: float) -> None:
        """Whether the connection became ready (lifecycle)."""
        raise NotImplementedError
