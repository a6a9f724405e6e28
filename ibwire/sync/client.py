"""The threaded client: a blocking socket, one reader thread, the shared session.

The reader thread is a thin pump: it reads the socket, feeds the session, runs
its timers, writes what it queued, opens and closes sockets when it asks, and
delivers messages to the wrapper.  It holds the client's lock only around
session calls; user callbacks run with no lock held.  Request methods may be
called from any thread; blocking helpers from any thread but the reader's (a
callback that waits for an answer would wait for itself).
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterator
from types import TracebackType
from typing import Any, Final, TypeVar, cast

from .._api import SyncApi
from .._session import (
    Pending,
    Phase,
)
from .._session_buffer import DEFAULT_SUBSCRIPTION_BUFFER, SubscriptionBuffer
from .._session_types import Connect
from ..errors import ConnectionClosedError, RequestTimeoutError
from ..live import Ticker, Trade
from ..messages import (
    ErrMsg,
    Message,
)
from ..protocol import slices

__all__ = ["Client", "Subscription"]

logger: logging.Logger = logging.getLogger("ibwire")

T = TypeVar("T")

_READ_SIZE = 256 * 1024
# How much longer than its own timeout a helper waits for the reader to time it out.
_WAIT_MARGIN = 2.0
#: The phases in which no reconnect will follow: waits on live objects end.
_ENDED: Final = (Phase.DISCONNECTED, Phase.CLOSED)


def _refuse_on_reader(reader: threading.Thread | None, what: str, timeout: float | None) -> None:
    """Raise RuntimeError if a wait (of more than 0 seconds) would block the reader thread."""
    if timeout != 0 and reader is not None and threading.current_thread() is reader:
        raise RuntimeError(
            f"{what} was called from a wrapper callback (the reader thread), where a "
            "wait would never end; call it from another thread, or with timeout=0"
        )


class _TickerCursor:
    """The tickers changed and not yet returned to one thread's ``updated_tickers()``."""

    __slots__ = ("__weakref__", "changed")

    def __init__(self) -> None:
        self.changed: set[Ticker] = set()


class Subscription(SubscriptionBuffer[T]):
    """A live stream of messages (market data, bars, PnL...) of a threaded client.

    Iterate it (blocking) or call :meth:`get`; leave the ``with`` block or call
    :meth:`cancel` to stop it.  After a reconnect the client re-sends the
    request, and the stream goes on.  An error from TWS for its request ends
    the iteration with an :class:`~ibwire.errors.ApiError`.  At most
    ``subscription_buffer`` messages (a client argument) wait for the reader;
    beyond that the oldest are dropped and counted in :attr:`dropped`.
    Threads may share one: each message goes to one of the threads reading
    it, and the end to every one of them.

    Example:
        >>> with client.market_data(contract) as ticks:  # doctest: +SKIP
        ...     for tick in ticks:
        ...         print(tick)
    """

    def __init__(self, client: Client, maxlen: int = DEFAULT_SUBSCRIPTION_BUFFER) -> None:
        super().__init__(client, maxlen)
        self._owner = client
        self._ready = threading.Condition(threading.Lock())

    # The session calls push/end on the reader thread.
    def push(self, message: Message) -> None:
        """Hold a message of the stream (called by the client)."""
        with self._ready:
            super().push(message)

    def end(self, error: BaseException | None) -> None:
        """Mark the end of the stream (called by the client)."""
        with self._ready:
            super().end(error)

    def _wake(self) -> None:
        # Every waiting thread: a message goes to the first that takes it, and
        # the end to each of them.
        self._ready.notify_all()

    def get(self, timeout: float | None = None) -> T:
        """The next message.

        Args:
            timeout: seconds to wait; ``None`` waits as long as it takes.

        Raises:
            RequestTimeoutError: nothing arrived in time.
            StopIteration: the stream ended (cancelled, or the client closed).
            ApiError: TWS ended the stream with an error.
            RuntimeError: called from a wrapper callback (the reader thread)
                with a timeout other than 0.
        """
        _refuse_on_reader(getattr(self._owner, "_reader", None), "Subscription.get()", timeout)
        with self._ready:
            found, item = self._take()
            if not found:
                self._ready.wait_for(lambda: self._items or self._pending_end, timeout)
                found, item = self._take()
        if not found:
            raise RequestTimeoutError(f"no message on subscription {self.key!r} within {timeout}s")
        return cast(T, item)

    def __iter__(self) -> Iterator[T]:
        """Iterate, blocking for each message."""
        return self

    def __next__(self) -> T:
        """The next message (blocking)."""
        return self.get()

    def __enter__(self) -> Subscription[T]:
        """Use in a ``with`` block to cancel on exit."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Cancel the stream."""
        self.cancel()


class Client(SyncApi):
    """A TWS API client with a reader thread.

    Every EClient request is a method (``req_mkt_data``, ``place_order``, ...,
    see :class:`ibwire._requests.RequestMethods`); messages go to ``wrapper``'s
    callbacks on the reader thread.  Helpers such as :meth:`contract_details`
    block until the answer arrives, with a timeout.

    The constructor's arguments are described at :meth:`ibwire._frontend.FrontEnd.__init__`.
    """

    def _init_transport(self, clock: Callable[[], float] | None) -> None:
        self._clock = clock if clock is not None else time.monotonic
        # On the monotonic clock, live objects are stamped in epoch seconds.
        self._wall_stamps = clock is None
        # _lock guards the session; _send_lock keeps writes in the order they
        # were taken from the session and keeps a close from cutting a write.
        self._lock = threading.RLock()
        self._send_lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._reader: threading.Thread | None = None
        # Whether the reader will look at the session again: set as it starts,
        # cleared under _lock when it decides to end (it may still be alive,
        # closing its wake-up pair: a connect() then needs a new reader).
        self._reading = False
        # The reader's wake-up pair: made when a reader starts, closed when it ends.
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._armed: float | None = None
        # Waiters on live objects (tickers, trades) wake on _live_changed after
        # a read that changed one, and when the session's phase changes (a
        # disconnect ends their wait); it is never held around a session call.
        self._live_changed = threading.Condition(threading.Lock())
        self._seen_changes: tuple[int, Phase] = (0, Phase.IDLE)
        # One cursor per thread that called updated_tickers(), so that each
        # thread sees every change.  The thread holds its cursor (thread-local
        # storage, dropped when the thread ends); the client holds it weakly.
        self._ticker_cursor = threading.local()
        self._ticker_readers: list[weakref.ref[_TickerCursor]] = []
        self._session.blotter.owner = self

    # ------------------------------------------------------------------ connect

    def connect(self, timeout: float | None = None) -> None:
        """Connect, and return once the connection is ready.

        Ready means ``nextValidId`` and ``managedAccounts`` have arrived.

        Args:
            timeout: seconds to wait; the client's ``connect_timeout`` by default.

        Raises:
            ClientIdInUseError: TWS refused the client id (error 326, or a close
                right after startApi).
            RequestTimeoutError: not ready in time.
            ConnectionClosedError: the socket could not be opened, or closed.
            HandshakeError: the server's version is unusable.
            RuntimeError: called from a wrapper callback (the reader thread),
                which would wait for itself.
        """
        if threading.current_thread() is self._reader:
            raise RuntimeError(
                "connect() was called from a wrapper callback (the reader thread), which "
                "would wait for itself; connect from another thread, or pass reconnect= "
                "to the client to reconnect automatically"
            )
        limit = self.connect_timeout if timeout is None else timeout
        done = threading.Event()
        with self._lock:
            if self._wall_stamps:
                self._session.clock_offset = time.time() - time.monotonic()
            waiter = self._session.start(self._clock(), limit)
            waiter.notify = done.set
        try:
            self._start_connection(limit)
            finished = done.wait(limit + _WAIT_MARGIN)
        except BaseException:
            # Refused, or interrupted (Ctrl-C): the session must not stay connecting.
            if self._session.phase not in _ENDED:
                self.disconnect()
            if self._reader is None or not self._reader.is_alive():
                self._close_socket()  # interrupted before the reader could close it
            raise
        if not finished:
            self.disconnect()
            if self._reader is None or not self._reader.is_alive():
                self._close_socket()  # no reader was left to close it
            raise RequestTimeoutError(f"not connected within {limit:g}s")
        try:
            waiter.result()
        except BaseException:
            self._join_reader()
            raise
        logger.info(
            "connected to %s:%s as client %s (server version %s)",
            self.host,
            self.port,
            self.client_id,
            self.server_version,
        )

    def _start_connection(self, limit: float) -> None:
        """Open the socket, send the hello and start the reader thread."""
        try:
            sock = socket.create_connection((self.host, self.port), timeout=limit)
        except OSError as exc:
            with self._lock:
                self._session.transport_failed(exc, self._clock())
                self._session.events_to_dispatch()
            raise ConnectionClosedError(
                f"cannot connect to {self.host}:{self.port}: {exc}"
            ) from exc
        try:
            self._adopt(sock)
        except BaseException:
            # Interrupted (Ctrl-C) before the client held the socket: nothing
            # else would close it.
            if self._sock is not sock:
                sock.close()
            raise
        self._flush()
        with self._lock:
            reading = self._reading
        if reading:
            self._wake()
        else:
            self._start_reader()

    def _start_reader(self) -> None:
        """Make the wake-up pair and start the reader thread, which closes the pair.

        Whoever takes ``claim`` first owns the pair: the reader as it begins,
        or this call when the start is interrupted (Ctrl-C) before the reader
        ran; so the pair is closed whatever the point of the interruption.
        """
        claim = threading.Lock()
        wake_r, wake_w = socket.socketpair()
        try:
            wake_r.setblocking(False)
            wake_w.setblocking(False)
            reader = threading.Thread(
                target=self._run,
                args=(wake_r, wake_w, claim),
                name=f"ibwire-reader-{self.client_id}",
                daemon=True,
            )
            self._wake_r, self._wake_w = wake_r, wake_w
            self._reader = reader
            self._reading = True
            reader.start()
        except BaseException:
            if claim.acquire(blocking=False):
                self._reading = False
                with self._send_lock:
                    if self._wake_w is wake_w:
                        self._wake_r = self._wake_w = None
                wake_r.close()
                wake_w.close()
            raise

    def disconnect(self) -> None:
        """Close the connection and stop the reader (``connection_closed`` is called).

        Waiting helpers fail with :class:`~ibwire.errors.ConnectionClosedError`;
        subscriptions end.  Safe to call more than once, and from a callback.
        Cancels the pacer still holds (it sends at most 45 a second) are sent
        before the socket closes, as many as IB's ceiling of 50 messages a
        second allows; what it still holds then, and every other request it
        holds, is not sent: each is reported with an ``ERR_MSG`` 504 and a
        warning on the ``ibwire`` logger.  To know that a cancel took effect,
        wait for its trade first (``trade.wait()``).
        """
        with self._lock:
            self._session.close(self._clock())
        self._wake()
        self._join_reader()

    def _join_reader(self) -> None:
        reader = self._reader
        # Not alive: done, or never started (a start interrupted by Ctrl-C).
        if reader is not None and reader is not threading.current_thread() and reader.is_alive():
            reader.join(self.connect_timeout + _WAIT_MARGIN)

    def __enter__(self) -> Client:
        """Connect on entering a ``with`` block."""
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Disconnect on leaving the ``with`` block."""
        self.disconnect()

    # ------------------------------------------------------------------ the pump

    def _adopt(self, sock: socket.socket) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # Reads happen only when the selector says the socket is readable; the
        # timeout bounds writes, so a peer that stops reading cannot hang a sender
        # (or the reader waiting to close the socket) forever.
        sock.settimeout(max(self.connect_timeout, 1.0))
        with self._lock:
            self._sock = sock
            self._session.transport_opened(self._clock())

    def _run(self, wake_r: socket.socket, wake_w: socket.socket, claim: threading.Lock) -> None:
        if not claim.acquire(blocking=False):
            return  # its start was interrupted, and the pair is closed
        selector = selectors.DefaultSelector()
        selector.register(wake_r, selectors.EVENT_READ)
        registered: socket.socket | None = None
        try:
            while True:
                sock = self._sock
                if sock is not registered:
                    if registered is not None:
                        with contextlib.suppress(KeyError, ValueError):
                            selector.unregister(registered)
                    if sock is not None:
                        selector.register(sock, selectors.EVENT_READ)
                    registered = sock
                with self._lock:
                    session = self._session
                    if (
                        sock is None
                        and session.phase in _ENDED
                        and not session.has_events
                    ):
                        self._reading = False
                        break
                    deadline = session.next_deadline()
                    self._armed = deadline
                timeout = None if deadline is None else max(0.0, deadline - self._clock())
                data = b""
                eof = False
                error: OSError | None = None
                for key, _ in selector.select(timeout):
                    if key.fileobj is wake_r:
                        with contextlib.suppress(OSError):
                            while wake_r.recv(4096):
                                pass
                    elif sock is not None:
                        try:
                            data = sock.recv(_READ_SIZE)
                            eof = not data
                        except OSError as exc:
                            error = exc
                now = self._clock()
                pieces = list(slices(data)) if data else []
                last = pieces.pop() if pieces else b""
                # A large read is decoded and dispatched piece by piece (see
                # ibwire.protocol.slices); the last piece goes with the timers.
                for piece in pieces:
                    with self._lock:
                        self._session.receive_data(piece, now)
                    self._service()
                with self._lock:
                    if last:
                        self._session.receive_data(last, now)
                    elif eof:
                        self._session.receive_eof(now)
                    elif error is not None:
                        self._session.transport_lost(error, now)
                    self._session.on_timer(now)
                self._service()
        except BaseException:
            logger.exception("the ibwire reader thread failed")
            with self._lock:
                self._reading = False
                self._session.close(self._clock())
            self._close_socket()
            raise
        finally:
            selector.close()
            with self._send_lock:
                if self._wake_w is wake_w:
                    self._wake_r = self._wake_w = None
            wake_r.close()
            wake_w.close()
            # Waiters on live objects wake to see the session's last phase
            # (after a failure above, nothing else would tell them).
            with self._live_changed:
                self._live_changed.notify_all()

    def _service(self) -> None:
        """Write, open or close sockets as the session asks, then dispatch."""
        self._flush()
        while True:
            with self._lock:
                actions = self._session.actions()
            if not actions:
                break
            for action in actions:
                if isinstance(action, Connect):
                    self._open()
                else:
                    self._close_socket()
                    with self._lock:
                        self._session.transport_closed(self._clock())
        with self._lock:
            events = self._session.events_to_dispatch()
            changes = (self._session.live_changes, self._session.phase)
        if changes != self._seen_changes:
            self._seen_changes = changes
            with self._live_changed:
                self._live_changed.notify_all()
        if events:
            self._dispatcher.dispatch_all(events)

    def _open(self) -> None:
        try:
            sock = socket.create_connection(
                (self.host, self.port), timeout=self._session.connect_timeout
            )
        except OSError as exc:
            with self._lock:
                self._session.transport_failed(exc, self._clock())
        else:
            # A disconnect() during a slow connect queues a Close for this socket.
            self._adopt(sock)
            self._flush()

    def _close_socket(self) -> None:
        with self._send_lock:
            sock, self._sock = self._sock, None
        if sock is None:
            return
        # Shut down, then close: TWS sees the close at once and frees the client id.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def _flush(self) -> None:
        with self._send_lock:
            with self._lock:
                data = self._session.data_to_send()
                sock = self._sock
            if not data or sock is None:
                return
            try:
                sock.sendall(data)
            except OSError as exc:
                with self._lock:
                    self._session.transport_lost(exc, self._clock())
                self._wake()

    def _wake(self) -> None:
        wake_w = self._wake_w
        if wake_w is not None:
            with contextlib.suppress(OSError):
                wake_w.send(b"\0")

    def _after_user_call(self) -> None:
        """Write what a user call queued; wake the reader if its timer must change."""
        self._flush()
        with self._lock:
            session = self._session
            deadline = session.next_deadline()
            armed = self._armed
            stale = deadline is not None and (armed is None or deadline < armed)
            wake = stale or session.has_events or session.wants_close
        if wake:
            self._wake()

    # ------------------------------------------------------------------ requests

    def _now(self) -> float:
        return self._clock()

    def _locked(self, call: Callable[[], T]) -> T:
        with self._lock:
            return call()

    def _session_call(self, call: Callable[[float], T]) -> T:
        with self._lock:
            result = call(self._clock())
        self._after_user_call()
        return result

    # ------------------------------------------------------------------ helpers

    def _call(self, start: Callable[[float], Pending[T]]) -> T:
        if threading.current_thread() is self._reader:
            raise RuntimeError(
                "a blocking helper was called from a wrapper callback (the reader thread); "
                "send the request with a req_* method instead"
            )
        done = threading.Event()
        with self._lock:
            pending = start(self._clock())
            pending.notify = done.set
        try:
            self._after_user_call()
            finished = self._wait_pending(pending, done)
        except BaseException:
            # Interrupted (Ctrl-C): withdraw the request, or cancel it at TWS.
            self._abandon(pending)
            raise
        if not finished:
            self._abandon(pending)
            timeout = pending.timeout if pending.timeout is not None else 0.0
            raise RequestTimeoutError(
                f"{pending.description}: no answer within {timeout:g}s "
                "(the reader thread was busy in a callback)"
            )
        return pending.result()

    def _wait_pending(self, pending: Pending[T], done: threading.Event) -> bool:
        """Wait for ``pending``; False once its deadline is ``_WAIT_MARGIN`` behind.

        The session's timer fails the helper at its deadline (``timeout``
        seconds after the call, while the pacer may still hold the request),
        and a reader that dies closes the session, which fails it too; the
        margin bounds the wait when the reader is late (held up in a slow
        callback), and the caller then gives the request up itself.
        """
        while True:
            with self._lock:
                deadline = pending.deadline
            if deadline is None:
                # No limit, or one that starts at the release (history): look again.
                wait = _WAIT_MARGIN
            else:
                wait = deadline + _WAIT_MARGIN - self._clock()
                if wait <= 0:
                    return done.is_set()
            if done.wait(min(wait, _WAIT_MARGIN)):
                return True

    def _abandon(self, pending: Pending[T]) -> None:
        with self._lock:
            self._session.abandon(pending, self._clock())
        self._after_user_call()

    # ------------------------------------------------------------------ live objects

    def _wait_live(self, ready: Callable[[], T], timeout: float | None) -> T:
        """``ready()`` once it is true (checked after each read that changed a live object)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._live_changed:
            while True:
                with self._lock:
                    found = ready()
                if found:
                    return found
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return found
                self._live_changed.wait(remaining)

    def _wait_for(self, ready: Callable[[], bool], timeout: float | None) -> bool:
        _refuse_on_reader(self._reader, "a wait for the client's state (synced())", timeout)
        return self._wait_live(ready, timeout)

    def _updated_tickers(self, timeout: float | None) -> set[Ticker]:
        _refuse_on_reader(self._reader, "updated_tickers()", timeout)
        session = self._session
        local = self._ticker_cursor
        mine: _TickerCursor | None = getattr(local, "cursor", None)
        if mine is None:
            mine = local.cursor = _TickerCursor()
        cursor = mine
        updated: set[Ticker] = set()

        def ready() -> bool:
            # Under _live_changed: the changes go to every thread's cursor.
            changed = session.take_updated_tickers()
            readers: list[weakref.ref[_TickerCursor]] = []
            registered = False
            for ref in self._ticker_readers:
                reader = ref()
                if reader is not None:
                    reader.changed |= changed
                    readers.append(ref)
                    registered = registered or reader is cursor
            if not registered:
                cursor.changed |= changed
                readers.append(weakref.ref(cursor))
            self._ticker_readers = readers
            if cursor.changed:
                updated.update(cursor.changed)
                cursor.changed.clear()
                return True
            return session.phase in _ENDED

        if self._wait_live(ready, timeout) and not updated:
            raise ConnectionClosedError("the connection ended while waiting for tickers")
        return updated

    def _wait_trade(self, trade: Trade, timeout: float | None) -> None:
        if threading.current_thread() is self._reader:
            raise RuntimeError("trade.wait() was called from a wrapper callback (the reader thread)")
        session = self._session
        if not self._wait_live(lambda: trade.is_done() or session.phase in _ENDED, timeout):
            raise RequestTimeoutError(f"order {trade.order_id} not done within {timeout}s")
        if not trade.is_done():
            raise ConnectionClosedError(f"order {trade.order_id}: the connection ended first")

    # ------------------------------------------------------------------ subscriptions

    def _subscribe(self, request: Message, ends: frozenset[type] = frozenset()) -> Subscription[T]:
        subscription: Subscription[T] = Subscription(self, self.subscription_buffer)
        with self._lock:
            subscription.key = self._session.subscribe(
                request, subscription, self._clock(), ends=ends
            )
        self._after_user_call()
        return subscription

    def _unsubscribe(self, key: Hashable, sink: SubscriptionBuffer[Any]) -> None:
        with self._lock:
            self._session.unsubscribe(key, self._clock(), sink)
        self._after_user_call()

    def _subscription_warnings(self, key: Hashable) -> list[ErrMsg]:
        with self._lock:
            return list(self._session.subscription_warnings(key))
