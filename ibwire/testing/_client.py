"""A minimal blocking client: :class:`~ibwire.protocol.ClientProtocol` over a socket.

The probe and the test kit need a client that is nothing but the sans-I/O core
and a socket, with no pacing, no reconnects and no callbacks: this is it.  It
is not the library's front end.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from ..events import ConnectAck, ConnectionClosed, Event
from ..messages import Message, NextValidId
from ..protocol import ClientProtocol
from ..versions import MAX_CLIENT_VERSION, MIN_CLIENT_VERSION

__all__ = ["WireClient"]

E = TypeVar("E")


class WireClient:
    """A blocking TWS API client for tests and the probe.

    Args:
        host: the gateway's address.
        port: the gateway's port.
        client_id: the client id sent in startApi.
        timeout: the default wait, in seconds.
        min_version: the lowest version advertised.
        max_version: the highest version advertised.
        connect_options: options of the hello (``"+PACEAPI"``).
    """

    def __init__(
        self,
        host: str,
        port: int,
        client_id: int = 0,
        *,
        timeout: float = 5.0,
        min_version: int = MIN_CLIENT_VERSION,
        max_version: int = MAX_CLIENT_VERSION,
        connect_options: str = "",
    ) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.protocol: ClientProtocol = ClientProtocol(
            client_id, min_version=min_version, max_version=max_version, connect_options=connect_options
        )
        self.sock: socket.socket | None = None
        #: Every event received so far, in order.
        self.events: list[Message | Event] = []
        # wait_for() hands out each event once; drain() marks everything seen.
        self._read = 0
        self._taken: set[int] = set()
        self.closed: bool = False

    def connect(self, *, wait_ready: bool = True) -> ConnectAck:
        """Open the socket, handshake, and (by default) wait for ``nextValidId``.

        Raises:
            TimeoutError: the gateway did not answer in time.
            ConnectionError: the gateway closed the connection during the handshake.
        """
        self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.protocol.connect()
        self._flush()
        ack = self.wait_for(ConnectAck)
        if wait_ready:
            self.wait_for(NextValidId)
        return ack

    def send(self, message: Message) -> None:
        """Encode and send one message."""
        self.protocol.send(message)
        self._flush()

    def send_many(self, messages: Iterable[Message]) -> None:
        """Encode several messages and send them in one write."""
        for message in messages:
            self.protocol.send(message)
        self._flush()

    def send_bytes(self, data: bytes) -> None:
        """Send raw bytes."""
        assert self.sock is not None
        self.sock.sendall(data)

    def poll(self, timeout: float) -> list[Message | Event]:
        """Read what arrives within ``timeout`` seconds (at most one read)."""
        if self.sock is None or self.closed:
            return []
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(65536)
        except (TimeoutError, BlockingIOError):
            return []
        except OSError:
            data = b""
        if data:
            self.protocol.receive_data(data)
        else:
            self.protocol.receive_eof()
            self.closed = True
        events = self.protocol.events_received()
        self.events.extend(events)
        self._flush()
        return events

    def wait_for(self, kind: type[E], predicate: Callable[[E], bool] | None = None, timeout: float | None = None) -> E:
        """Wait for the first event of type ``kind`` (matching ``predicate``) not returned yet.

        Events of other types stay available to later calls.

        Raises:
            TimeoutError: none arrived in time.
            ConnectionError: the connection closed first.
        """
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            for index in range(self._read, len(self.events)):
                if index in self._taken:
                    continue
                event = self.events[index]
                if isinstance(event, kind) and (predicate is None or predicate(event)):
                    self._taken.add(index)
                    return event
            if self.closed:
                raise ConnectionError(f"closed before a {kind.__name__} arrived")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind.__name__} within the timeout")
            self.poll(left)

    def wait_closed(self, timeout: float | None = None) -> ConnectionClosed:
        """Wait until the gateway closes the connection.

        Raises:
            TimeoutError: it stayed open.
        """
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while not self.closed:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the connection stayed open")
            self.poll(left)
        closed = next(e for e in self.events if isinstance(e, ConnectionClosed))
        return closed

    def drain(self, duration: float) -> list[Message | Event]:
        """Read for ``duration`` seconds; return what arrived."""
        start = len(self.events)
        deadline = time.monotonic() + duration
        while not self.closed:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.poll(left)
        self._read = len(self.events)
        return self.events[start:]

    def close(self) -> None:
        """Close the socket."""
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()
            self.sock = None
        self.closed = True

    def __enter__(self) -> WireClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _flush(self) -> None:
        data = self.protocol.data_to_send()
        if data and self.sock is not None:
            self.sock.sendall(data)
