"""A Session wired to an in-memory ServerProtocol, on a fake clock (shared by the session tests)."""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal

from ibwire._session import (
    ReconnectPolicy,
    Session,
)
from ibwire.events import ClientHello
from ibwire.messages import (
    Contract,
    ErrMsg,
    Execution,
    ExecutionData,
    ManagedAccts,
    Message,
    NextValidId,
    StartApi,
)
from ibwire.pacing import Pacer
from ibwire.protocol import ServerProtocol

AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")

MSFT = Contract(symbol="MSFT", sec_type="STK", exchange="SMART", currency="USD")
# What TWS reports: every number set.

AAPL_REPORTED = dataclasses.replace(AAPL, strike=0.0)


class Sink:
    """A subscription sink that records what it gets."""

    def __init__(self) -> None:
        self.items: list[Message] = []
        self.ended: list[BaseException | None] = []

    def push(self, message: Message) -> None:
        self.items.append(message)

    def end(self, error: BaseException | None) -> None:
        self.ended.append(error)


class Rig:
    """A Session wired to an in-memory ServerProtocol, on a fake clock."""

    def __init__(self, *, version: int = 200, **kwargs: object) -> None:
        kwargs.setdefault("heartbeat_interval", None)
        kwargs.setdefault("rng", random.Random(7))
        self.now = 1000.0
        self.version = version
        self.session = Session(7, **kwargs)  # type: ignore[arg-type]
        self.server: ServerProtocol | None = None
        self.received: list[Message] = []  # what the server got from the client
        self.dispatched: list[object] = []  # what the wrapper would get
        self.connections = 0
        self.connection_time = "20240101 00:00:00 EST"  # the handshake's time text

    # -- plumbing
    def collect(self) -> None:
        self.dispatched.extend(self.session.events_to_dispatch())

    def flush(self) -> None:
        """Carry client bytes to the server (answering the hello), until quiet."""
        while True:
            data = self.session.data_to_send()
            server = self.server
            if not data or server is None:
                self.collect()
                return
            server.receive_data(data)
            for event in server.events_received():
                if isinstance(event, ClientHello):
                    server.accept(self.version, self.connection_time)
                    self.session.receive_data(server.data_to_send(), self.now)
                elif isinstance(event, Message) and not isinstance(event, StartApi):
                    self.received.append(event)

    def open(self) -> None:
        self.server = ServerProtocol(max_version=self.version)
        self.connections += 1
        self.session.transport_opened(self.now)
        self.flush()

    def deliver(self, *messages: Message) -> None:
        server = self.server
        assert server is not None
        for message in messages:
            server.send(message)
        self.session.receive_data(server.data_to_send(), self.now)
        self.flush()

    def deliver_raw(self, payload: bytes) -> None:
        server = self.server
        assert server is not None
        server.send_raw(payload)
        self.session.receive_data(server.data_to_send(), self.now)
        self.flush()

    def ready(self, next_valid_id: int = 1, accounts: str = "DU111,DU222") -> None:
        waiter = self.session.start(self.now)
        self.open()
        self.deliver(ManagedAccts(accounts_list=accounts), NextValidId(order_id=next_valid_id))
        assert waiter.done and waiter.error is None
        assert self.session.is_ready

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self.session.on_timer(self.now)
        self.flush()
        self.close_if_asked()
        if self.session.wants_connect:
            self.open()

    def close_if_asked(self) -> None:
        if self.session.wants_close:
            self.server = None
            self.session.transport_closed(self.now)
            self.collect()

    def drop(self) -> None:
        """The gateway goes away: EOF, then the front end closes its socket."""
        self.session.receive_eof(self.now)
        self.collect()
        self.close_if_asked()

    def submit(self, message: Message) -> None:
        self.session.submit(message, self.now)
        self.flush()

    def take(self) -> list[Message]:
        taken, self.received = self.received, []
        return taken

    def events(self, cls: type) -> list[object]:
        return [e for e in self.dispatched if isinstance(e, cls)]


def fill(exec_id: str, order_id: int = 1, req_id: int = -1, client_id: int = 7) -> ExecutionData:
    """An execution of 100 shares of an order of ``client_id`` (the rig's client id: 7)."""
    return ExecutionData(
        req_id=req_id,
        contract=AAPL_REPORTED,
        execution=Execution(
            exec_id=exec_id, order_id=order_id, shares=Decimal(100), price=10.0, client_id=client_id
        ),
    )


#: A reconnect policy without jitter: the next attempt comes exactly 1 s later.
POLICY = ReconnectPolicy(initial_delay=1.0, jitter=0.0)


class HoldingPacer(Pacer[Message]):
    """The default pacer, except that it releases nothing while ``hold`` is set."""

    hold = False

    def poll(self, now: float) -> list[Message]:
        if self.hold:
            return []
        return super().poll(now)

    def flush_priority(self, now: float) -> list[Message]:
        if self.hold:
            return []
        return super().flush_priority(now)


def not_sent(rig: Rig) -> list[ErrMsg]:
    """The 504 "not sent" errors the rig's sink received."""
    return [
        e
        for e in rig.events(ErrMsg)
        if isinstance(e, ErrMsg) and e.error_code == 504 and "not sent" in e.error_string
    ]


def reconnect(rig: Rig, next_valid_id: int = 50) -> None:
    """After a drop: the next attempt, answered with an account and the next order id."""
    rig.advance(1.0)
    rig.deliver(ManagedAccts(accounts_list="DU111"), NextValidId(order_id=next_valid_id))
    assert rig.session.is_ready
