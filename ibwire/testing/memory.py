"""Drive a fake gateway's core in memory: clients without sockets, time by hand.

:class:`InMemoryGateway` connects :class:`~ibwire.protocol.ClientProtocol`
instances to a sans-I/O core (:class:`~.simulator.SimulatorCore` or
:class:`~.replay.ReplayCore`) and moves the bytes both ways itself, so a test
runs the whole conversation deterministically, with the time it chooses::

    gateway = InMemoryGateway(SimulatorCore(seed=1), now=1_700_000_000.0)
    client = gateway.connect(client_id=1)
    client.send(ReqCurrentTime())
    assert isinstance(client.take()[-1], CurrentTime)
    gateway.advance(1.0)   # one second later: streams tick, orders match
"""

from __future__ import annotations

from typing import TypeVar

from ..events import Event
from ..messages import Message
from ..protocol import ClientProtocol
from ..versions import MAX_CLIENT_VERSION, MIN_CLIENT_VERSION
from ._server import Close, ServerCore, Write

__all__ = ["InMemoryClient", "InMemoryGateway"]

M = TypeVar("M", bound=Message)


class InMemoryClient:
    """A client connected to an :class:`InMemoryGateway`.

    Attributes:
        protocol: the client's sans-I/O core.
        conn: the connection number the gateway core knows it by.
        events: every event received so far.
        closed: whether the gateway closed the connection (or the client did).
        writes: the sizes of the gateway's writes to this client, in order.
    """

    def __init__(self, gateway: InMemoryGateway, conn: int, protocol: ClientProtocol) -> None:
        self.gateway = gateway
        self.conn = conn
        self.protocol = protocol
        self.events: list[Message | Event] = []
        self.closed: bool = False
        self.writes: list[int] = []
        self._taken = 0

    def send(self, *messages: Message) -> None:
        """Encode messages and deliver them (and everything they cause)."""
        for message in messages:
            self.protocol.send(message)
        self.gateway.pump()

    def send_bytes(self, data: bytes) -> None:
        """Deliver raw bytes to the gateway."""
        self.gateway.core.data_received(self.conn, data, self.gateway.now)
        self.gateway.pump()

    def take(self) -> list[Message | Event]:
        """The events received since the last call."""
        events = self.events[self._taken :]
        self._taken = len(self.events)
        return events

    def of_type(self, kind: type[M]) -> list[M]:
        """Every received message of one class, typed as that class."""
        return [e for e in self.events if isinstance(e, kind)]

    def close(self) -> None:
        """Close from the client's side."""
        if not self.closed:
            self.closed = True
            self.gateway.core.connection_lost(self.conn, self.gateway.now)
            self.gateway.pump()

    def _deliver(self, data: bytes) -> None:
        self.writes.append(len(data))
        self.protocol.receive_data(data)
        self.events.extend(self.protocol.events_received())

    def _eof(self) -> None:
        self.closed = True
        self.protocol.receive_eof()
        self.events.extend(self.protocol.events_received())


class InMemoryGateway:
    """A sans-I/O gateway core with in-memory clients and a hand-driven clock.

    Args:
        core: the core to drive.
        now: the starting time (seconds, on the core's clock).
    """

    def __init__(self, core: ServerCore, now: float = 0.0) -> None:
        self.core = core
        self.now: float = now
        self.clients: dict[int, InMemoryClient] = {}
        self._next_conn = 0

    def connect(
        self,
        client_id: int = 0,
        *,
        connect_options: str = "",
        min_version: int = MIN_CLIENT_VERSION,
        max_version: int = MAX_CLIENT_VERSION,
    ) -> InMemoryClient:
        """Connect a new client and run the handshake as far as the core answers."""
        conn = self._next_conn
        self._next_conn += 1
        protocol = ClientProtocol(
            client_id, min_version=min_version, max_version=max_version, connect_options=connect_options
        )
        client = InMemoryClient(self, conn, protocol)
        self.clients[conn] = client
        self.core.connection_made(conn, self.now)
        protocol.connect()
        self.pump()
        return client

    def advance(self, seconds: float) -> None:
        """Move the clock forward and run what became due, in order of due time."""
        target = self.now + seconds
        while True:
            deadline = self.core.next_deadline()
            if deadline is None or deadline > target:
                break
            self.now = max(self.now, deadline)
            self.core.advance(self.now)
            self.pump()
        self.now = target
        self.core.advance(self.now)
        self.pump()

    def pump(self) -> None:
        """Move bytes both ways until nothing is left to move."""
        while True:
            moved = False
            self.core.advance(self.now)
            for action in self.core.take_actions():
                client = self.clients.get(action.conn)
                if client is None or client.closed:
                    continue
                moved = True
                if isinstance(action, Write):
                    client._deliver(action.data)
                elif isinstance(action, Close):
                    client._eof()
            for client in self.clients.values():
                if client.closed:
                    continue
                data = client.protocol.data_to_send()
                if data:
                    moved = True
                    self.core.data_received(client.conn, data, self.now)
            if not moved:
                return
