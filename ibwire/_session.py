"""The client session: everything both front ends share, without I/O.

A :class:`Session` wraps one :class:`~ibwire.protocol.ClientProtocol` per
connection, the pacer, the order id allocator and the client's bookkeeping, and
owns every client-side *behaviour*: when the connection is ready, what a TWS
error means for the request it names, which subscriptions are live and must be
re-sent, the heartbeat, the reconnect schedule, the de-duplication of fills.  It
takes ``now`` on every call, never sleeps, and holds no socket: a front end
(:mod:`ibwire.sync`, :mod:`ibwire.asyncio`) feeds it bytes and time, writes
:meth:`Session.data_to_send`, opens or closes its socket as the actions of
:meth:`Session.actions` say (:class:`~ibwire._session_types.Connect`,
:class:`~ibwire._session_types.Close`), and hands
:meth:`Session.events_to_dispatch` to the user's wrapper.

The session is written in parts, each a class of its own module that
:class:`Session` combines: :mod:`ibwire._session_base` (the shared state and the
path of a request through the pacer), :mod:`ibwire._session_lifecycle` (phases,
handshake, heartbeat, losses, reconnects), :mod:`ibwire._session_calls` (typed
helpers and their timeouts), :mod:`ibwire._session_streams` (subscriptions and
resubscribes), :mod:`ibwire._session_orders` (tracking, fills once, brackets,
reconciliation), :mod:`ibwire._session_live` (tickers, order books, trades and
the account kept current), :mod:`ibwire._session_gate` (THE read-only gate) and
:mod:`ibwire._session_routes` (the tables read from :mod:`ibwire.catalog`).
This module holds the one incoming loop and what an ``ERR_MSG`` means.

It is not thread-safe: the threaded front end calls it under one lock.

Lifecycle (:class:`Phase`)::

    IDLE --start--> CONNECTING --transport_opened--> HANDSHAKE --ConnectAck--> STARTING
    STARTING --nextValidId + managedAccounts--> READY
    any live phase --loss--> WAITING (reconnect policy, after the old socket is
        closed) --timer--> CONNECTING ...  or  --> DISCONNECTED (no policy)
    any phase --close--> CLOSED
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ._session_base import _READY
from ._session_calls import CallsPart
from ._session_lifecycle import LifecyclePart
from ._session_live import LivePart
from ._session_orders import OrdersPart
from ._session_routes import (
    _CANCELS,
    _SETTINGS,
    _STREAMS,
    _is_stream,
    _Plan,
    _route_for,
    _stream_key,
)
from ._session_streams import StreamsPart
from ._session_types import (
    _LIVE_PHASES,
    AccountUpdateMessage,
    DepthMessage,
    HistoricalBarsMessage,
    MarketDataMessage,
    Pending,
    Phase,
    ReconnectPolicy,
    StreamSink,
    TrackedOrder,
    _farm_of,
    _Live,
    _Out,
    logger,
    wire_logger,
)
from .errorcodes import ORDER_CANCELLED, Severity
from .errors import (
    ApiError,
    ClientIdInUseError,
    MalformedMessageError,
    ReadOnlyError,
)
from .events import Event, MalformedMessage
from .messages import (
    CommissionAndFeesReport,
    CompletedOrder,
    CompletedOrdersEnd,
    Contract,
    ErrMsg,
    ExecutionData,
    ExecutionDataEnd,
    ManagedAccts,
    Message,
    NextValidId,
    OpenOrder,
    OpenOrderEnd,
    Order,
    OrderStatus,
)
from .orders import Bracket
from .wrapper import Connectivity

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


class Session(LivePart, LifecyclePart, OrdersPart, CallsPart, StreamsPart):
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
        max_version: the highest server version advertised (226 by default;
            ``max_version=200`` stays on the text protocol).
        connect_options: options of the hello, e.g. ``"+PACEAPI"``.
        optional_capabilities: sent in startApi.
        request_id_start: the first request id.
        account_updates: follow the account from connect (positions, account
            updates, P&L) into :attr:`portfolio`.
        account: with several managed accounts, the one whose portfolio items
            are followed (``reqAccountUpdates``); see :attr:`portfolio_account`.
        follow_orders: ask for this client id's open orders at the first
            connect, so they become trades of :attr:`blotter`.

    Raises:
        ValueError: a version range outside 100..226, options or capabilities
            that are not printable ASCII, or a client id that startApi cannot
            carry (:func:`ibwire.protocol.check_client_arguments`).
    """

    def _message_handlers(self) -> dict[type, Callable[[Any, float], bool]]:
        # The messages the session itself acts on, and the part that does; the
        # live objects (_session_live) see a message after the other parts.
        handlers = self._core_handlers()
        for cls, live in self._live_handlers().items():
            core = handlers.get(cls)
            handlers[cls] = live if core is None else _chain(core, live)
        return handlers

    def _core_handlers(self) -> dict[type, Callable[[Any, float], bool]]:
        return {
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

    def _handle(self, events: list[Message | Event], now: float) -> None:
        """THE incoming loop: every message and core event passes here once.

        The wire log only observes (one debug line per message); it never changes
        what is delivered.  The hot path (benchmarks/bench_live_client.py,
        benchmarks/bench_loopback.py): a tick of a live ticker is applied right
        here, one lookup by class and one by request id, and not delivered unless
        the ticker keeps nothing of it (what ``_on_tick`` would do, without its
        call); other messages take one cached
        plan per message class (does the pacer watch it, its handler, its
        routing), then the live and pending tables only when they hold something.

        A message that a handler or live object fails on (a value it cannot
        take) is still delivered, followed by a
        :class:`~ibwire.events.MalformedMessage` naming it, and the loop goes on
        with the next message: nothing raises out of :meth:`receive_data`.
        Ticks are stamped with ``now + clock_offset``.
        """
        wire = wire_logger.isEnabledFor(logging.DEBUG)
        pacer = self.pacer
        out_append = self._out.append
        plans = self._plans
        live_streams = self._live
        pendings = self._pendings
        ready = _READY
        feeds = self._ticker_feeds
        tickers = self._tickers
        updated = self._updated
        stamp = now + self.clock_offset
        ticked = False
        # Classes with a plan are messages: typed Any to skip a cast per message.
        batch: list[Any] = events
        # A failure on one message (a live object that cannot take its values)
        # is reported and the loop goes on with the next: no try per message.
        remaining = iter(batch)
        event: Any = None
        while True:
            try:
                for event in remaining:
                    if wire:
                        wire_logger.debug("<- %r", event)
                    cls = type(event)
                    feed = feeds.get(cls)
                    if feed is not None:
                        ticker = tickers.get(event.req_id)
                        if ticker is not None:
                            if feed(ticker, event, stamp):
                                updated.add(ticker)
                                ticked = True
                            else:
                                # Nothing the ticker keeps: the wrapper gets it.
                                out_append(event)
                            continue
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
                        # READY first: a Phase hashes in Python (Enum.__hash__), an
                        # identity test does not.
                        phase = self._phase
                        if phase is not ready and phase not in _LIVE_PHASES:
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
                break
            except Exception as exc:  # the one boundary: report, deliver, go on
                self._apply_failed(event, exc)
                if self._phase not in _LIVE_PHASES:
                    break
        if ticked:
            # Counted per read, not per tick: waiters wake once per read.
            self.live_changes += 1

    def _apply_failed(self, event: object, exc: Exception) -> None:
        # The message is still delivered; the failure is a MalformedMessage.
        logger.warning("cannot apply %r: %r", event, exc)
        out = self._out
        if isinstance(event, Message) and not any(queued is event for queued in out):
            out.append(event)
        msg_id: int | None = getattr(event, "MSG_ID", None)
        error = MalformedMessageError(
            msg_id, (), f"{type(event).__name__} could not be applied: {exc!r}"
        )
        error.__cause__ = exc
        out.append(MalformedMessage(error=error))

    def _plan_for(self, cls: type) -> _Plan:
        route = self._routes.get(cls)
        if route is None:
            route = self._routes[cls] = _route_for(cls)
        return (self.pacer.watches(cls), self._handlers.get(cls), route)

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
                    self._give_up_rest(pending, now)
            tracked = self._orders.get(req_id)
            if tracked is not None and not info.keeps_order:
                if not tracked.status or code == ORDER_CANCELLED:
                    # TWS rejected the order, or cancelled it.  An order it has
                    # acknowledged stays: the error refuses a change of it (105,
                    # 110, 321...), and a status will say when the order ends.
                    self._finish_order(req_id)
        else:
            live = self._live.get(req_id)
            if live is not None:
                live.warnings.append(message)
        return False


def _chain(
    first: Callable[[Any, float], bool], then: Callable[[Any, float], bool]
) -> Callable[[Any, float], bool]:
    """Both handlers; the message is delivered when both say so."""

    def handle(message: Any, now: float) -> bool:
        keep = first(message, now)
        return then(message, now) and keep

    return handle
