"""The socket layer shared by the fake gateways: a thread, or an asyncio task.

A fake gateway's logic is a sans-I/O *core* (:class:`ServerCore`): it is told
about connections, received bytes and the time, and answers with actions (write
these bytes to that connection, close it).  This module pumps a core over real
sockets, either in a background thread (:class:`ThreadedServer`, with a
selector) or inside an asyncio program (:class:`AsyncServer`).  Nothing here
knows about the TWS protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Protocol, TypeAlias

__all__ = [
    "Action",
    "AsyncServer",
    "Close",
    "ServerCore",
    "ThreadedServer",
    "Write",
]

# The longest the loop sleeps: an injected clock may be moved by a test without
# waking the loop, so deadlines are re-read at least this often.
_MAX_WAIT: Final = 0.02


@dataclass(frozen=True, slots=True)
class Write:
    """Send ``data`` to connection ``conn``, in one write call of its own."""

    conn: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Close:
    """Close connection ``conn`` once what was written before has been sent."""

    conn: int


Action: TypeAlias = Write | Close


class ServerCore(Protocol):
    """What a socket layer drives: a gateway's logic without I/O."""

    def connection_made(self, conn: int, now: float) -> None:
        """A client connected; ``conn`` names the connection from now on."""

    def data_received(self, conn: int, data: bytes, now: float) -> None:
        """The client of ``conn`` sent ``data``."""

    def connection_lost(self, conn: int, now: float) -> None:
        """The client of ``conn`` closed (or the socket failed)."""

    def advance(self, now: float) -> None:
        """Time passed: run whatever was due by ``now``."""

    def next_deadline(self) -> float | None:
        """When :meth:`advance` next has something to do, or ``None``."""

    def take_actions(self) -> list[Action]:
        """The writes and closes queued since the last call."""

    def is_accepting(self, now: float) -> bool:
        """Whether new connections are accepted (``False`` while "restarting")."""


@dataclass
class _Conn:
    sock: socket.socket
    out: deque[bytes] = field(default_factory=deque)
    closing: bool = False
    failed: bool = False


class ThreadedServer:
    """Runs a core over TCP in a background thread.

    Args:
        core: the logic.
        host: the address to bind (loopback by default, on purpose).
        port: the port; 0 picks a free one (read :attr:`port` after :meth:`start`).
        clock: the time given to the core.
        name: the thread's name.
    """

    def __init__(
        self,
        core: ServerCore,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clock: Callable[[], float] = time.monotonic,
        name: str = "ibwire-gateway",
    ) -> None:
        self.core = core
        self.host = host
        self._port = port
        self.clock = clock
        self.name = name
        #: Held around every call into the core; take it to touch the core from another thread.
        self.lock = threading.RLock()
        self._selector: selectors.BaseSelector | None = None
        self._listener: socket.socket | None = None
        self._conns: dict[int, _Conn] = {}
        self._next_conn = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self.connections_accepted = 0

    @property
    def port(self) -> int:
        """The bound port."""
        return self._port

    @property
    def running(self) -> bool:
        """Whether the server thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Bind and start the thread.

        Raises:
            OSError: the address cannot be bound.
        """
        if self._thread is not None:
            raise RuntimeError("already started")
        self._selector = selectors.DefaultSelector()
        try:
            self._open_listener()
        except OSError:
            self._selector.close()
            self._selector = None
            raise
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and close every socket."""
        self._stop.set()
        self.wake()
        if self._thread is not None:
            self._thread.join()
        for conn in list(self._conns.values()):
            conn.sock.close()
        self._conns.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._selector is not None:
            self._selector.close()
            self._selector = None
        for sock in (self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()
        self._wake_r = self._wake_w = None

    def wake(self) -> None:
        """Make the loop look at the core now (after touching it from another thread)."""
        wake = self._wake_w
        if wake is not None:
            with contextlib.suppress(OSError):
                wake.send(b"\0")

    # ------------------------------------------------------------ the loop

    def _open_listener(self) -> bool:
        try:
            # An IPv6 address ("::1") needs an IPv6 socket; names and IPv4 take IPv4.
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            listener = socket.create_server((self.host, self._port), family=family)
        except OSError:
            if self._listener is None and self._thread is None:
                raise
            return False
        listener.setblocking(False)
        self._port = listener.getsockname()[1]
        self._listener = listener
        assert self._selector is not None
        self._selector.register(listener, selectors.EVENT_READ, "listen")
        return True

    def _close_listener(self) -> None:
        if self._listener is not None and self._selector is not None:
            self._selector.unregister(self._listener)
            self._listener.close()
            self._listener = None

    def _run(self) -> None:
        selector = self._selector
        assert selector is not None
        while not self._stop.is_set():
            now = self.clock()
            with self.lock:
                self.core.advance(now)
                actions = self.core.take_actions()
                accepting = self.core.is_accepting(now)
                deadline = self.core.next_deadline()
            self._apply(actions)
            if accepting and self._listener is None:
                self._open_listener()
            elif not accepting and self._listener is not None:
                self._close_listener()
            wait = _MAX_WAIT if deadline is None else min(max(deadline - now, 0.0), _MAX_WAIT)
            for key, mask in selector.select(wait):
                tag = key.data
                if tag == "wake":
                    assert self._wake_r is not None
                    with contextlib.suppress(OSError):
                        self._wake_r.recv(4096)
                elif tag == "listen":
                    self._accept()
                else:
                    assert isinstance(tag, int)
                    if mask & selectors.EVENT_WRITE:
                        self._flush(tag)
                    if mask & selectors.EVENT_READ:
                        self._read(tag)

    def _accept(self) -> None:
        assert self._listener is not None and self._selector is not None
        while True:
            try:
                sock, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = self._next_conn
            self._next_conn += 1
            self.connections_accepted += 1
            self._conns[conn] = _Conn(sock)
            self._selector.register(sock, selectors.EVENT_READ, conn)
            with self.lock:
                self.core.connection_made(conn, self.clock())
                actions = self.core.take_actions()
            self._apply(actions)

    def _read(self, conn: int) -> None:
        state = self._conns.get(conn)
        if state is None:
            return
        try:
            data = state.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        with self.lock:
            if data:
                self.core.data_received(conn, data, self.clock())
            else:
                self.core.connection_lost(conn, self.clock())
            actions = self.core.take_actions()
        if not data:
            self._drop(conn)
        self._apply(actions)

    def _apply(self, actions: list[Action]) -> None:
        for action in actions:
            state = self._conns.get(action.conn)
            if state is None or state.closing:
                continue
            if isinstance(action, Write):
                if action.data:
                    state.out.append(action.data)
            else:
                state.closing = True
            self._flush(action.conn)

    def _flush(self, conn: int) -> None:
        state = self._conns.get(conn)
        if state is None or self._selector is None:
            return
        while state.out:
            chunk = state.out[0]
            try:
                sent = state.sock.send(chunk)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                # The peer is gone: the core still counts the client as connected
                # (its client id taken) until it is told, which no read will do now.
                state.out.clear()
                state.closing = True
                state.failed = True
                break
            if sent < len(chunk):
                state.out[0] = chunk[sent:]
                break
            state.out.popleft()
        if state.closing and not state.out:
            self._drop(conn)
            if state.failed:
                with self.lock:
                    self.core.connection_lost(conn, self.clock())
                    actions = self.core.take_actions()
                self._apply(actions)
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if state.out else 0)
        self._selector.modify(state.sock, events, conn)

    def _drop(self, conn: int) -> None:
        state = self._conns.pop(conn, None)
        if state is None:
            return
        if self._selector is not None:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(state.sock)
        with contextlib.suppress(OSError):
            state.sock.shutdown(socket.SHUT_RDWR)
        state.sock.close()


class AsyncServer:
    """Runs a core over TCP inside the running asyncio event loop.

    Args:
        core: the logic.
        host: the address to bind.
        port: the port; 0 picks a free one.
        clock: the time given to the core.
    """

    def __init__(
        self,
        core: ServerCore,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.core = core
        self.host = host
        self._port = port
        self.clock = clock
        self.lock = threading.RLock()
        self._server: asyncio.Server | None = None
        self._writers: dict[int, asyncio.StreamWriter] = {}
        self._next_conn = 0
        self._ticker: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The bound port."""
        return self._port

    async def start(self) -> None:
        """Bind and start serving in the current event loop."""
        self._wakeup = asyncio.Event()
        await self._listen()
        self._ticker = asyncio.get_running_loop().create_task(self._tick_loop())

    async def stop(self) -> None:
        """Stop serving and close every connection."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers.values()):
            writer.close()
        self._writers.clear()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def wake(self) -> None:
        """Make the loop look at the core now."""
        if self._wakeup is not None:
            self._wakeup.set()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self._port)
        sockets = self._server.sockets
        if sockets:
            self._port = sockets[0].getsockname()[1]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = self._next_conn
        self._next_conn += 1
        self._writers[conn] = writer
        with self.lock:
            self.core.connection_made(conn, self.clock())
        await self._flush()
        try:
            while conn in self._writers:
                try:
                    data = await reader.read(65536)
                except (ConnectionError, OSError):
                    data = b""
                if conn not in self._writers:
                    break  # the core closed it meanwhile
                with self.lock:
                    if data:
                        self.core.data_received(conn, data, self.clock())
                    else:
                        self.core.connection_lost(conn, self.clock())
                if not data:
                    self._writers.pop(conn, None)
                    writer.close()
                await self._flush()
                if not data:
                    break
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def _flush(self) -> None:
        with self.lock:
            actions = self.core.take_actions()
        closing: list[asyncio.StreamWriter] = []
        for action in actions:
            writer = self._writers.get(action.conn)
            if writer is None:
                continue
            if isinstance(action, Write):
                writer.write(action.data)
                with contextlib.suppress(ConnectionError, OSError):
                    await writer.drain()
            else:
                self._writers.pop(action.conn, None)
                closing.append(writer)
        for writer in closing:
            writer.close()

    async def _tick_loop(self) -> None:
        assert self._wakeup is not None
        while True:
            now = self.clock()
            with self.lock:
                self.core.advance(now)
                accepting = self.core.is_accepting(now)
                deadline = self.core.next_deadline()
            await self._flush()
            if accepting and self._server is None:
                with contextlib.suppress(OSError):
                    await self._listen()
            elif not accepting and self._server is not None:
                self._server.close()
                self._server = None
            wait = _MAX_WAIT if deadline is None else min(max(deadline - now, 0.0), _MAX_WAIT)
            self._wakeup.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), wait)


def timeout_scale() -> float:
    """The factor of ``IBWIRE_TEST_TIMEOUT_SCALE`` (1 when unset), for waits in tests."""
    try:
        return float(os.environ.get("IBWIRE_TEST_TIMEOUT_SCALE", "1"))
    except ValueError:
        return 1.0
