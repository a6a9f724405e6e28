"""The session's lifecycle: phases, the handshake, heartbeat, losses and the reconnect policy."""

from __future__ import annotations

from typing import Final

from ._session_base import SessionBase
from ._session_types import (
    Close,
    Connect,
    Pending,
    Phase,
    logger,
    wire_logger,
)
from .bars import _connection_zone_key
from .errors import (
    ClientIdInUseError,
    ConnectionClosedError,
    IBWireError,
    LocalProtocolError,
    RemoteProtocolError,
    RequestTimeoutError,
)
from .events import ConnectAck, ConnectionClosed, Event
from .messages import (
    ManagedAccts,
    NextValidId,
    ReqCurrentTime,
)
from .protocol import ClientProtocol
from .wrapper import Reconnected, Reconnecting

#: The phases with a socket, READY first: tested on every read, and in CPython
#: 3.11 reading ``Phase.READY`` runs a Python-level descriptor while a tuple of
#: constants compares by identity (benchmarks/bench_live_client.py).
_SOCKET_PHASES: Final = (Phase.READY, Phase.HANDSHAKE, Phase.STARTING)


class LifecyclePart(SessionBase):
    """Connecting, staying connected and reconnecting."""

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
        consider(self._next_pending_deadline())
        return best

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
        self._attempt = self._backoff = 0
        self._phase = Phase.CONNECTING
        self._connect_limit = self.connect_timeout if timeout is None else timeout
        self._connect_deadline = now + self._connect_limit
        self._actions.clear()
        return waiter

    def transport_opened(self, now: float) -> None:
        """The front end's socket is connected: queue the hello.

        Args:
            now: the current time.
        """
        if self._phase is not Phase.CONNECTING:
            # Closed by the user while the socket was being opened.
            self._ask(Close())
            return
        self._settle(Connect)
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
        self._settle(Connect)
        if self._phase is not Phase.CONNECTING:
            return
        reason = f"cannot connect: {error}"
        failure = ConnectionClosedError(reason)
        failure.__cause__ = error
        self._connection_ended(reason, now, failure, had_socket=False)

    def transport_closed(self, now: float) -> None:
        """The front end closed its socket (as a :class:`Close` asked, or after a loss).

        The reconnect timer starts only now, so the old socket is always gone
        before a new one opens (TWS frees the client id when it sees the close).

        Args:
            now: the current time.
        """
        self._settle(Close)
        if self._phase is Phase.WAITING and self._reconnect_at is None:
            self._schedule_reconnect(now)

    def receive_data(self, data: bytes, now: float) -> None:
        """Bytes from the socket.

        Args:
            data: what was read.
            now: the current time.
        """
        protocol = self._protocol
        if protocol is None or self._phase not in _SOCKET_PHASES:
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
        if phase is Phase.READY and self._protocol is not None:
            # Cancels the pacer still holds go before the socket closes, as far as
            # IB's ceiling allows: cancel_orders() then disconnect() must cancel.
            released = self.pacer.flush_priority(now)
            if released:
                self._send_released(released, now)
        if had_socket:
            self._emit_closed()
        self._phase = Phase.CLOSED
        self._drop_pacer_queue("the client disconnected", now)
        self._reconcile = None
        error = ConnectionClosedError("the client disconnected")
        waiter = self._ready_waiter
        self._ready_waiter = None
        if waiter is not None and not waiter.done:
            waiter._fail(error)
        self._fail_all(error)
        self._end_streams(None, keep_resubscribable=False)
        self._reconnect_at = None
        self._settle(Connect)
        if had_socket or phase is Phase.CONNECTING:
            self._ask(Close())

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
                self._ask(Connect())
        self._expire_pendings(now)
        self._pump(now)

    def _on_core_event(self, event: Event, now: float) -> None:
        if isinstance(event, ConnectAck):
            if self._phase is Phase.HANDSHAKE:
                self._phase = Phase.STARTING
                # The protocol writes startApi as it reads ConnectAck: the pacer
                # counts it (it goes around the queue) and learns the version.
                self.pacer.on_connect(now, server_version=event.server_version)
                # A late status crosses an order's end on one connection only; a
                # restarted TWS counts order ids from 1 again, and its order under
                # a remembered id is a new one.
                self._finished_orders.clear()
                if _connection_zone_key(event.connection_time) is None:
                    # INFO: most programs never meet a time without a zone
                    # (history asks for epoch seconds), so no warning at each connect.
                    logger.info(
                        "TWS's time zone in %r is not one ibwire knows: times TWS sends "
                        "without a zone (older servers) are read as UTC unless given tz=",
                        event.connection_time,
                    )
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
        self._ready_since = now
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
        for key, live in list(self._live.items()):
            if live.resubscribe and self._resubscribe(key, live.request, now):
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
        ready_since = self._ready_since
        self._ready_since = None
        policy = self.reconnect
        if ready_since is not None and policy is not None and now - ready_since >= policy.stable_after:
            self._backoff = 0
        if had_socket:
            self._ask(Close())
        self._connect_deadline = None
        self._probe_sent = None
        self._drop_pacer_queue(reason, now)
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
        self._fail_all(
            error if isinstance(error, IBWireError) else ConnectionClosedError(reason),
            keep_resendable=self.reconnect is not None,
        )
        if self.reconnect is not None:
            self._phase = Phase.WAITING
            self._reconnect_at = None
            self._end_streams(ConnectionClosedError(reason), keep_resubscribable=True)
            if not had_socket:
                self._schedule_reconnect(now)
            return
        self._phase = Phase.DISCONNECTED
        self._end_streams(ConnectionClosedError(reason), keep_resubscribable=False)
        self._report_unacknowledged(reason)

    def _schedule_reconnect(self, now: float) -> None:
        policy = self.reconnect
        assert policy is not None
        self._attempt += 1
        self._backoff += 1
        if policy.max_attempts is not None and self._attempt > policy.max_attempts:
            logger.error("giving up reconnecting after %d attempts", policy.max_attempts)
            self._phase = Phase.DISCONNECTED
            self._fail_all(ConnectionClosedError(self._loss_reason))
            self._end_streams(ConnectionClosedError(self._loss_reason), keep_resubscribable=False)
            self._report_unacknowledged(self._loss_reason)
            return
        # Not before the pacer says a connection fits: startApi goes around its
        # queue, and a reconnect right after a burst would break the 50/s cap.
        at = max(now + policy.delay(self._backoff, self.rng), self.pacer.connect_slot(now))
        self._reconnect_at = at
        self._out.append(
            Reconnecting(attempt=self._attempt, delay=at - now, reason=self._loss_reason)
        )
