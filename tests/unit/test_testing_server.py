"""The socket layer of the fake gateways (``ibwire.testing._server``)."""

from __future__ import annotations

import selectors
import socket
import time

import pytest

from ibwire.testing._server import Action, Close, ThreadedServer, Write, _Conn


class RecordingCore:
    """A core that records what the socket layer tells it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def connection_made(self, conn: int, now: float) -> None:
        self.calls.append(("made", conn))

    def data_received(self, conn: int, data: bytes, now: float) -> None:
        self.calls.append(("data", conn))

    def connection_lost(self, conn: int, now: float) -> None:
        self.calls.append(("lost", conn))

    def advance(self, now: float) -> None:
        pass

    def next_deadline(self) -> float | None:
        return None

    def take_actions(self) -> list[Action]:
        return []

    def is_accepting(self, now: float) -> bool:
        return True


def _server_with_socket(core: RecordingCore) -> tuple[ThreadedServer, socket.socket, socket.socket]:
    server = ThreadedServer(core, clock=lambda: 0.0)
    server._selector = selectors.DefaultSelector()
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    server._conns[7] = _Conn(ours)
    server._selector.register(ours, selectors.EVENT_READ, 7)
    return server, ours, theirs


def test_a_failed_write_tells_the_core_the_connection_is_lost() -> None:
    core = RecordingCore()
    server, ours, theirs = _server_with_socket(core)
    try:
        ours.shutdown(socket.SHUT_WR)  # every later send fails (EPIPE)
        server._apply([Write(7, b"hello")])
        assert core.calls == [("lost", 7)]
        assert 7 not in server._conns
        assert ours.fileno() == -1
    finally:
        theirs.close()
        ours.close()
        assert server._selector is not None
        server._selector.close()


def test_a_close_the_core_asked_for_is_not_reported_back() -> None:
    core = RecordingCore()
    server, ours, theirs = _server_with_socket(core)
    try:
        server._apply([Write(7, b"bye"), Close(7)])
        assert core.calls == []
        assert theirs.recv(16) == b"bye"
        assert 7 not in server._conns
    finally:
        theirs.close()
        ours.close()
        assert server._selector is not None
        server._selector.close()


def _ipv6_loopback() -> bool:
    try:
        with socket.create_server(("::1", 0), family=socket.AF_INET6):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
def test_a_server_listens_on_an_ipv6_address() -> None:
    core = RecordingCore()
    server = ThreadedServer(core, host="::1", port=0, clock=lambda: 0.0)
    server.start()
    try:
        with socket.create_connection(("::1", server.port), timeout=5) as client:
            client.sendall(b"x")
            deadline = time.monotonic() + 5
            while not any(kind == "data" for kind, _ in core.calls) and time.monotonic() < deadline:
                time.sleep(0.01)
    finally:
        server.stop()
    (made, conn), (data, same) = core.calls[:2]
    assert (made, data, same) == ("made", "data", conn)
