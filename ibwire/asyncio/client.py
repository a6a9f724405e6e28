"""The asyncio client: an :class:`asyncio.Protocol` around the shared session, no thread.

The protocol is a thin pump: ``data_received`` feeds the session, then the
client writes what it queued, closes or opens transports when it asks, re-arms
one timer for its next deadline (``loop.call_at``), and delivers messages to the
wrapper.  Helpers are coroutines; subscriptions are async iterators.  Nothing
nests event loops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable, Hashable
from types import TracebackType
from typing import Any, Final, TypeVar, cast

from .._api_async import AsyncApi
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


#: The phases in which no reconnect will follow: waits on live objects end.
_ENDED: Final = (Phase.DISCONNECTED, Phase.CLOSED)


def _resolve(future: asyncio.Future[None]) -> None:
    """Wake whoever awaits ``future``: not done yet, and its event loop still open."""
    if not future.done() and not future.get_loop().is_closed():
        future.set_result(None)


def _check_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Refuse a call made in an event loop other than ``loop``, the connection's.

    Nothing would wake a wait there (the connection's callbacks run in its own
    loop), and asyncio's own error names no cause.  A call made outside any
    running loop while ``loop`` runs comes from another thread, and would
    change the session while that loop's thread does (the client holds no
    lock): it is refused too.  A call outside any running loop while ``loop``
    is stopped (between two ``run_until_complete``) goes through.

    Raises:
        RuntimeError: another event loop is running, or ``loop`` runs in
            another thread.
    """
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        if loop.is_running():
            raise RuntimeError(
                "this client was called from a thread other than the one its event loop "
                "runs in, and it is not thread-safe; run the call in the loop: "
                "loop.call_soon_threadsafe(...) for a plain method, "
                "asyncio.run_coroutine_threadsafe(..., loop) for a coroutine"
            ) from None
        return
    if running is not loop:
        raise RuntimeError(
            "this client's connection belongs to another event loop, the one connect() "
            "ran in; use the client from that loop, or disconnect() there first and "
            "connect() again in this one"
        )


class Subscription(SubscriptionBuffer[T]):
    """A live stream of messages (market data, bars, PnL...) as an async iterator.

    Leave the ``async with`` block, or call :meth:`cancel`, to stop it.  After a
    reconnect the client re-sends the request and the stream goes on.  An
    error from TWS for its request ends the iteration with an
    :class:`~ibwire.errors.ApiError`.  At most ``subscription_buffer`` messages
    (a client argument) wait for the reader; beyond that the oldest are dropped
    and counted in :attr:`dropped`.

    Example:
        >>> async with client.market_data(contract) as ticks:  # doctest: +SKIP
        ...     async for tick in ticks:
        ...         print(tick)
    """

    def __init__(self, client: Client, maxlen: int = DEFAULT_SUBSCRIPTION_BUFFER) -> None:
        super().__init__(client, maxlen)
        self._owner = client
        self._waiter: asyncio.Future[None] | None = None

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            _resolve(waiter)

    def _stop(self) -> Exception:
        return StopAsyncIteration()

    async def get(self, timeout: float | None = None) -> T:
        """The next message.

        Args:
            timeout: seconds to wait; ``None`` waits as long as it takes.

        Raises:
            RequestTimeoutError: nothing arrived in time.
            StopAsyncIteration: the stream ended (cancelled, or the client closed).
            ApiError: TWS ended the stream with an error.
            RuntimeError: another task is already waiting on this subscription
                (a stream has one reader), or the call is made in another event
                loop than the connection's.
        """
        # A connection whose loop has closed is ended here, which ends the stream.
        self._owner._end_if_loop_closed()
        found, item = self._take()
        if not found:
            if self._waiter is not None:
                raise RuntimeError(
                    f"subscription {self.key!r}: another task is already waiting for its "
                    "next message; a stream has one reader"
                )
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(waiter, timeout)
            except asyncio.TimeoutError:
                raise RequestTimeoutError(
                    f"no message on subscription {self.key!r} within {timeout}s"
                ) from None
            finally:
                self._waiter = None
            found, item = self._take()
        return cast(T, item)

    def __aiter__(self) -> AsyncIterator[T]:
        """Iterate asynchronously."""
        return self

    async def __anext__(self) -> T:
        """The next message."""
        return await self.get()

    async def __aenter__(self) -> Subscription[T]:
        """Use in an ``async with`` block to cancel on exit."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Cancel the stream."""
        self.cancel()


class _Protocol(asyncio.Protocol):
    """One connection's transport callbacks, forwarded to the client.

    Callbacks that run before the client adopts the connection (the peer
    may send, or close, before ``create_connection`` returns) are held and
    replayed on adoption, so that no data and no close is lost.
    """

    def __init__(self, client: Client) -> None:
        self._client = client
        self._held: list[tuple[str, bytes | Exception | None]] | None = []

    def data_received(self, data: bytes) -> None:
        if self._held is not None:
            self._held.append(("data", data))
        else:
            self._client._on_data(self, data)

    def eof_received(self) -> bool | None:
        if self._held is not None:
            self._held.append(("eof", None))
        else:
            self._client._on_eof(self)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self._held is not None:
            self._held.append(("lost", exc))
        else:
            self._client._on_lost(self, exc)

    def adopted(self) -> None:
        """Forward from now on, after what arrived before."""
        held, self._held = self._held, None
        for kind, value in held or ():
            if kind == "data":
                assert isinstance(value, bytes)
                self._client._on_data(self, value)
            elif kind == "eof":
                self._client._on_eof(self)
            else:
                assert not isinstance(value, bytes)
                self._client._on_lost(self, value)


class Client(AsyncApi):
    """A TWS API client for asyncio programs.

    Every EClient request is a plain method (``req_mkt_data``, ``place_order``,
    ...: writing is non-blocking); helpers that wait for an answer are
    coroutines with a timeout; streams are :class:`Subscription` async
    iterators.  Messages also go to ``wrapper``'s callbacks, on the event loop.

    The client is not thread-safe: use it from its event loop (the one
    :meth:`connect` ran in).  A call from another thread while that loop runs
    raises ``RuntimeError``; hand it to the loop instead, with
    ``loop.call_soon_threadsafe`` or ``asyncio.run_coroutine_threadsafe``.

    The constructor's arguments are described at :meth:`ibwire._frontend.FrontEnd.__init__`.
    """

    def _init_transport(self, clock: Callable[[], float] | None) -> None:
        self._clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._transport: asyncio.Transport | None = None
        self._proto: _Protocol | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._opening: asyncio.Task[None] | None = None
        self._closed: asyncio.Event | None = None
        self._dispatching = False
        # Waiters on live objects (tickers, trades): woken after a read that changed one.
        self._live_waiters: list[asyncio.Future[None]] = []
        # The tickers changed and not yet yielded, one set per ticker_updates() iteration.
        self._ticker_readers: list[set[Ticker]] = []
        self._seen_changes: tuple[int, Phase] = (0, Phase.IDLE)
        self._session.blotter.owner = self

    # ------------------------------------------------------------------ connect

    @property
    def is_connected(self) -> bool:
        """Whether the connection is ready for requests (and its event loop still open)."""
        loop = self._loop
        return self._session.is_ready and not (loop is not None and loop.is_closed())

    def _now(self) -> float:
        if self._clock is not None:
            return self._clock()
        loop = self._loop
        return loop.time() if loop is not None else 0.0

    async def connect(self, timeout: float | None = None) -> None:
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
            RuntimeError: the client is connected in another event loop, still
                open (so is every call made in a loop other than the connection's).
        """
        loop = asyncio.get_running_loop()
        self._end_if_loop_closed()
        self._loop = loop
        limit = self.connect_timeout if timeout is None else timeout
        session = self._session
        if self._clock is None:
            # On the loop's monotonic clock, live objects are stamped in epoch seconds.
            session.clock_offset = time.time() - loop.time()
        waiter = session.start(self._now(), limit)
        ready: asyncio.Future[None] = loop.create_future()
        waiter.notify = lambda: _resolve(ready)
        try:
            transport, proto = await asyncio.wait_for(
                loop.create_connection(lambda: _Protocol(self), self.host, self.port), limit
            )
        except (OSError, asyncio.TimeoutError) as exc:
            session.transport_failed(exc, self._now())
            session.events_to_dispatch()
            raise ConnectionClosedError(
                f"cannot connect to {self.host}:{self.port}: {exc or 'timed out'}"
            ) from exc
        except BaseException:
            # Cancelled (an outer wait_for) while the socket was opening: the
            # session must not stay "connecting".
            session.close(self._now())
            session.events_to_dispatch()
            raise
        self._adopt(transport, proto)
        self._service()
        proto.adopted()
        try:
            await ready
        except BaseException:
            session.close(self._now())
            self._service()
            raise
        waiter.result()
        logger.info(
            "connected to %s:%s as client %s (server version %s)",
            self.host,
            self.port,
            self.client_id,
            self.server_version,
        )

    async def disconnect(self) -> None:
        """Close the connection (``connection_closed`` is called) and wait for it to close.

        Waiting helpers fail with :class:`~ibwire.errors.ConnectionClosedError`;
        subscriptions end.  Safe to call more than once, and in another event
        loop than the connection's once that loop has closed.
        Cancels the pacer still holds (it sends at most 45 a second) are sent
        before the socket closes, as many as IB's ceiling of 50 messages a
        second allows; what it still holds then, and every other request it
        holds, is not sent: each is reported with an ``ERR_MSG`` 504 and a
        warning on the ``ibwire`` logger.  To know that a cancel took effect,
        wait for its trade first (``await trade.done()``).
        """
        if self._end_if_loop_closed():
            return
        self._session.close(self._now())
        self._service()
        opening = self._opening
        if opening is not None and not opening.done():
            opening.cancel()
        closed = self._closed
        if closed is not None and self._transport is not None:
            try:
                await asyncio.wait_for(closed.wait(), self.connect_timeout)
            except asyncio.TimeoutError:
                transport = self._transport
                if transport is not None:
                    transport.abort()

    async def __aenter__(self) -> Client:
        """Connect on entering an ``async with`` block."""
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Disconnect on leaving the ``async with`` block."""
        await self.disconnect()

    def _end_if_loop_closed(self) -> bool:
        """End the connection if its event loop has closed; whether it did.

        While that loop is open, a call made in another running loop is
        refused with a ``RuntimeError`` (see :func:`_check_loop`), unless the
        connection has ended.

        ``asyncio.run`` returning without :meth:`disconnect` leaves a connection
        nothing will read again: its socket is shut down now, so TWS frees the
        client id, and the session is closed as by :meth:`disconnect`.  The
        transport's socket itself is closed with the transport (asyncio calls
        nothing back on a closed loop).
        """
        loop = self._loop
        if loop is None:
            return False
        if not loop.is_closed():
            if self._session.phase not in _ENDED:
                _check_loop(loop)
            return False
        now = self._now()
        transport = self._transport
        self._loop = None
        self._transport = None
        self._proto = None
        self._timer = None
        self._timer_at = None
        self._opening = None
        self._closed = None
        self._live_waiters = []
        if transport is not None:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        session = self._session
        if session.phase not in _ENDED:
            logger.warning(
                "the event loop of the connection to %s:%s closed without disconnect(); "
                "the connection is closed",
                self.host,
                self.port,
            )
        session.close(now)
        session.data_to_send()
        for action in session.actions():
            if not isinstance(action, Connect):
                session.transport_closed(now)
        self._dispatch()
        return True

    # ------------------------------------------------------------------ the pump

    def _adopt(self, transport: asyncio.Transport, proto: _Protocol) -> None:
        self._transport = transport
        self._proto = proto
        self._closed = asyncio.Event()
        self._session.transport_opened(self._now())

    def _on_data(self, proto: _Protocol, data: bytes) -> None:
        if proto is not self._proto:
            return
        now = self._now()
        # A large read is decoded and dispatched piece by piece (see
        # ibwire.protocol.slices).
        for piece in slices(data):
            self._session.receive_data(piece, now)
            self._service()

    def _on_eof(self, proto: _Protocol) -> None:
        if proto is not self._proto:
            return
        self._session.receive_eof(self._now())
        self._service()

    def _on_lost(self, proto: _Protocol, exc: Exception | None) -> None:
        if proto is not self._proto:
            return
        self._transport = None
        self._proto = None
        if self._closed is not None:
            self._closed.set()
        now = self._now()
        self._session.transport_lost(exc, now)
        self._session.transport_closed(now)
        self._service()

    def _service(self) -> None:
        """Write, close or open transports as the session asks; re-arm the timer; dispatch."""
        session = self._session
        transport = self._transport
        data = session.data_to_send()
        if data and transport is not None and not transport.is_closing():
            transport.write(data)
        for action in session.actions():
            if isinstance(action, Connect):
                if self._opening is None or self._opening.done():
                    loop = self._loop
                    assert loop is not None
                    self._opening = loop.create_task(self._open())
            elif transport is None:
                session.transport_closed(self._now())
            elif not transport.is_closing():
                if session.phase is Phase.CLOSED:
                    transport.close()  # the user's disconnect: flush, then close
                else:
                    # A dead or refused connection: drop it at once, so the
                    # reconnect (which waits for connection_lost) is not delayed.
                    transport.abort()
        self._arm_timer()
        self._dispatch()
        # A change of phase wakes them too: a disconnect ends their wait.
        changes = (self._session.live_changes, self._session.phase)
        if changes != self._seen_changes and self._live_waiters:
            self._seen_changes = changes
            waiters, self._live_waiters = self._live_waiters, []
            for waiter in waiters:
                _resolve(waiter)

    async def _open(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            transport, proto = await asyncio.wait_for(
                loop.create_connection(lambda: _Protocol(self), self.host, self.port),
                self._session.connect_timeout,
            )
        except (OSError, asyncio.TimeoutError) as exc:
            self._session.transport_failed(exc, self._now())
            self._service()
            return
        if self._session.phase is not Phase.CONNECTING:
            transport.close()
            return
        self._adopt(transport, proto)
        self._service()
        proto.adopted()

    def _arm_timer(self) -> None:
        deadline = self._session.next_deadline()
        if deadline == self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = deadline
        loop = self._loop
        if deadline is not None and loop is not None:
            self._timer = loop.call_later(max(0.0, deadline - self._now()), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = None
        self._session.on_timer(self._now())
        self._service()

    def _dispatch(self) -> None:
        # A callback that sends a request comes back here; the outer loop
        # delivers what that produced, so callbacks always see arrival order.
        if self._dispatching:
            return
        self._dispatching = True
        try:
            session = self._session
            while session.has_events:
                self._dispatcher.dispatch_all(session.events_to_dispatch())
        finally:
            self._dispatching = False

    # ------------------------------------------------------------------ requests

    def _locked(self, call: Callable[[], T]) -> T:
        # Ids are taken here, and state read: refused from another thread too.
        self._end_if_loop_closed()
        return call()

    def _session_call(self, call: Callable[[float], T]) -> T:
        self._end_if_loop_closed()
        result = call(self._now())
        self._service()
        return result

    # ------------------------------------------------------------------ helpers

    async def _call(self, start: Callable[[float], Pending[T]]) -> T:
        self._end_if_loop_closed()
        loop = self._loop
        if loop is None:
            raise ConnectionClosedError("not connected")
        done: asyncio.Future[None] = loop.create_future()
        pending = start(self._now())
        pending.notify = lambda: _resolve(done)
        self._service()
        try:
            # The session's timer fails the helper at its deadline.
            await done
        except asyncio.CancelledError:
            self._session.abandon(pending, self._now())
            self._service()
            raise
        return pending.result()

    # ------------------------------------------------------------------ live objects

    async def _live_change(self) -> None:
        self._end_if_loop_closed()
        loop = self._loop
        if loop is None:
            raise ConnectionClosedError("not connected")
        waiter: asyncio.Future[None] = loop.create_future()
        self._live_waiters.append(waiter)
        try:
            await waiter
        finally:
            # A wait cut short (a timeout, a cancelled task) leaves no waiter
            # behind to pile up while nothing changes.
            if not waiter.done() or waiter.cancelled():
                with contextlib.suppress(ValueError):
                    self._live_waiters.remove(waiter)

    async def _ticker_updates(self) -> AsyncIterator[set[Ticker]]:
        # Each iteration has its own set: every one sees every change.
        mine: set[Ticker] = set()
        readers = self._ticker_readers
        readers.append(mine)
        try:
            while True:
                # A connection whose loop has closed is ended here, which ends this.
                self._end_if_loop_closed()
                updated = self._session.take_updated_tickers()
                for reader in readers:
                    reader |= updated
                if mine:
                    batch = mine.copy()
                    mine.clear()
                    yield batch
                elif self._session.phase in _ENDED:
                    return
                else:
                    await self._live_change()
        finally:
            # By identity: sets equal in content are other readers'.
            for index, reader in enumerate(readers):
                if reader is mine:
                    del readers[index]
                    break

    async def _wait_for(self, ready: Callable[[], bool], timeout: float | None) -> bool:
        async def wait() -> None:
            while not ready():
                await self._live_change()

        try:
            await asyncio.wait_for(wait(), timeout)
        except asyncio.TimeoutError:  # not the builtin TimeoutError before Python 3.11
            return False
        return True

    async def _trade_done(self, trade: Trade) -> Trade:
        while not trade.is_done():
            if self._session.phase in _ENDED:
                raise ConnectionClosedError(f"order {trade.order_id}: the connection ended first")
            await self._live_change()
        return trade

    # ------------------------------------------------------------------ subscriptions

    def _subscribe(self, request: Message, ends: frozenset[type] = frozenset()) -> Subscription[T]:
        self._end_if_loop_closed()
        subscription: Subscription[T] = Subscription(self, self.subscription_buffer)
        subscription.key = self._session.subscribe(request, subscription, self._now(), ends=ends)
        self._service()
        return subscription

    def _unsubscribe(self, key: Hashable, sink: SubscriptionBuffer[Any]) -> None:
        self._end_if_loop_closed()
        self._session.unsubscribe(key, self._now(), sink)
        self._service()

    def _subscription_warnings(self, key: Hashable) -> list[ErrMsg]:
        return self._session.subscription_warnings(key)
