"""Bursts against the simulator over loopback: the pacer keeps every connection alive.

The simulator counts every message (startApi included) in a sliding second and
answers error 100, then closes the connection, on the 51st, as TWS does
(``tests/unit/test_testing_simulator.py`` shows it catching the window pacer
under arrival jitter, and the last test here shows it catching an unpaced
client).  Each scenario asserts: no error 100, no error 300, no connection
closed, every call answered.

The simulator's clock is the real one, so real loopback delays are the arrival
jitter here.  The simulator runs in the test's process and shares its
interpreter lock with the client, so on a loaded machine a burst can wait in
the socket while its thread waits for a core, and be counted later and closer
together than it was sent: the clients here allow ``arrival_jitter`` of
:data:`JITTER` (IB's rates are unchanged; the default 0.1 s is for real
networks).  The 10,000-request burst runs the pacer and the simulator both at ten
times IB's numbers (a cap of 500 per second, a steady 450 per second, a burst of
100, the same 0.1 s of jitter), so it takes 22-40 s instead of 220 s: the
arithmetic the pacer does is the same at any rate, and the property tests prove
it for IB's.  The gateway runs in its own thread there, so that it reads and
counts while the client's loop is busy, as a real gateway does.

The two long scenarios (300 orders, about 7 s; the 10,000-request burst, about
30 s) are bound by the pacer's rates, not by decoding, and run once, at the
default version (226, protobuf); the shorter ones run at 200 and 226 (the
``server_version`` fixture).  Measured on the burst: 29.4 s at 200 and at 226.

Every wait is bounded and scaled by ``IBWIRE_TEST_TIMEOUT_SCALE``.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
from decimal import Decimal

from ibwire.asyncio import Client as AsyncClient
from ibwire.messages import Contract, ErrMsg, Order, OrderStatus
from ibwire.pacing import PacingConfig
from ibwire.sync import Client as SyncClient
from ibwire.testing.simulator import SimulatedGateway
from ibwire.wrapper import Wrapper

SCALE = float(os.environ.get("IBWIRE_TEST_TIMEOUT_SCALE", "1"))
WAIT = 10.0 * SCALE

AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
MSFT = Contract(symbol="MSFT", sec_type="STK", exchange="SMART", currency="USD")
ES = Contract(symbol="ES", sec_type="CONTFUT", exchange="CME", currency="USD")  # the real clock: the front month
EURUSD = Contract(symbol="EUR", sec_type="CASH", exchange="IDEALPRO", currency="USD")
CONTRACTS = (AAPL, MSFT, ES, EURUSD)
RULES = (26, 32, 67, 239)

#: Ten times IB's numbers, in the same ratios (see the module docstring).
TENFOLD_RATE = 500
#: The arrival jitter the clients allow (see the module docstring).
JITTER = 0.3
#: IB's numbers, with that jitter.
AT_IB_RATES = PacingConfig(arrival_jitter=JITTER)
TENFOLD = PacingConfig(
    max_messages_per_second=TENFOLD_RATE, rate_safety_margin=50, burst=100, arrival_jitter=JITTER
)


def resting(price: float = 1.0) -> Order:
    """A limit buy far below the market: it rests, answered by its status."""
    return Order(action="BUY", order_type="LMT", total_quantity=Decimal(1), lmt_price=price)


class Record(Wrapper):
    """Error codes, closes and order statuses, from any thread."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.codes: list[int] = []
        self.closed = 0
        self.statuses: set[int] = set()
        #: Set on every change, for the asyncio client (whose callbacks run on its loop).
        self.changed: asyncio.Event | None = None

    def _notify(self) -> None:
        self.cond.notify_all()
        if self.changed is not None:
            self.changed.set()

    def error(self, message: ErrMsg) -> None:
        with self.cond:
            self.codes.append(message.error_code)
            self._notify()

    def order_status(self, message: OrderStatus) -> None:
        with self.cond:
            self.statuses.add(message.order_id)
            self._notify()

    def connection_closed(self) -> None:
        with self.cond:
            self.closed += 1
            self._notify()

    def has_status(self, ids: list[int]) -> bool:
        with self.cond:
            return self.statuses.issuperset(ids) or bool(self.closed)

    def wait_statuses(self, ids: list[int], limit: float) -> None:
        with self.cond:
            assert self.cond.wait_for(
                lambda: self.statuses.issuperset(ids) or self.closed, limit
            ), f"{len(set(ids) - self.statuses)} orders without a status"

    def assert_alive(self) -> None:
        with self.cond:
            assert 100 not in self.codes, f"error 100: the gateway counted too many messages: {self.codes[:20]}"
            assert 300 not in self.codes, "error 300: a cancel of a request never sent"
            assert self.closed == 0, "the connection was closed"


async def wait_statuses(record: Record, ids: list[int], limit: float) -> None:
    """Wait on the event loop (the callbacks run on it) until every order has a status."""
    changed = record.changed = asyncio.Event()

    async def until() -> None:
        while not record.has_status(ids):
            changed.clear()
            await changed.wait()

    try:
        await asyncio.wait_for(until(), limit)
    except asyncio.TimeoutError:
        raise AssertionError(f"{len(set(ids) - record.statuses)} orders without a status") from None


def test_300_orders_from_the_threaded_client() -> None:
    """300 orders at once at IB's own rates: all acknowledged, the connection kept."""
    record = Record()
    # Resting orders are matched every tick_interval: once a minute keeps the
    # simulator's work on the requests themselves.
    with SimulatedGateway(seed=11, tick_interval=60.0) as gateway:
        client = SyncClient(record, port=gateway.port, client_id=1, timeout=WAIT,
                            connect_timeout=WAIT, heartbeat_interval=None, pacing=AT_IB_RATES)
        client.connect()
        try:
            ids = [client.place_order(AAPL, resting()) for _ in range(300)]
            # 300 messages at 45/s: about 7 s, and a bound for a loaded machine.
            record.wait_statuses(ids, 300 / 45 + 3 * WAIT)
            assert client.current_time() > 0
            assert client.is_connected
            record.assert_alive()
            assert len(set(ids)) == 300
        finally:
            client.disconnect()


def test_gathered_details_and_subscriptions_from_the_asyncio_client(server_version: int) -> None:
    """150 gathered ``contract_details``, then 100 subscriptions opened and cancelled
    at once, at IB's own rates: every call answered, no cancel of a request never sent."""

    async def main(port: int) -> None:
        record = Record()
        client = AsyncClient(record, port=port, client_id=2, timeout=WAIT,
                             connect_timeout=WAIT, heartbeat_interval=None, pacing=AT_IB_RATES)
        await client.connect()
        try:
            answers = await asyncio.gather(*(
                client.contract_details(contract)
                for contract in itertools.islice(itertools.cycle(CONTRACTS), 150)
            ))
            assert len(answers) == 150 and all(answers)
            subscriptions = [client.market_data(CONTRACTS[i % 4]) for i in range(100)]
            for subscription in subscriptions:
                subscription.cancel()
            # Sent after every request and cancel still queued: its answer comes
            # after theirs, and after any error they caused.
            assert await client.current_time() > 0
            stats = client.pacing_stats
            assert stats.queued == 0 and stats.market_data_lines_in_use == 0
            assert client.is_connected
            record.assert_alive()
        finally:
            await client.disconnect()

    # The gateway in its own thread reads and counts while the client's loop is busy.
    with SimulatedGateway(server_version=server_version, seed=12, tick_interval=60.0) as gateway:
        asyncio.run(asyncio.wait_for(main(gateway.port), 6 * WAIT))


async def mixed_burst(record: Record, gateway_port: int, pacing: PacingConfig) -> int:
    """10,000 requests at once: 3,334 current times, 3,333 contract details, 3,333
    market rules; returns how many calls were answered (orders are the first test's)."""
    client = AsyncClient(record, port=gateway_port, client_id=3, timeout=6 * WAIT,
                         connect_timeout=WAIT, heartbeat_interval=None, pacing=pacing)
    await client.connect()
    try:
        calls = []
        for i in range(10_000):
            kind = i % 3
            if kind == 0:
                calls.append(client.current_time())
            elif kind == 1:
                calls.append(client.contract_details(CONTRACTS[i % 4]))
            else:
                calls.append(client.market_rule(RULES[i % len(RULES)]))
        answers = await asyncio.gather(*calls, return_exceptions=True)
        assert client.is_connected
        record.assert_alive()
        return sum(1 for a in answers if not isinstance(a, BaseException) and a)
    finally:
        await client.disconnect()


def test_a_10000_request_mixed_burst() -> None:
    """10,000 requests gathered at once, at ten times IB's rates in the same ratios
    (module docstring): all 10,000 answered, no error 100, connected throughout."""

    record = Record()
    # Served from its own thread, so that the gateway reads (and counts) while
    # the client's loop is busy, as a real gateway would.
    with SimulatedGateway(seed=13, max_rate=TENFOLD_RATE, tick_interval=60.0) as gateway:
        burst = mixed_burst(record, gateway.port, TENFOLD)
        answered = asyncio.run(asyncio.wait_for(burst, 12 * WAIT))
    assert answered == 10_000


def test_the_simulator_disconnects_a_client_that_is_not_paced(server_version: int) -> None:
    """The same kind of burst with the client's global rate turned off: the simulator
    answers error 100 and closes, so the tests above can fail."""

    async def main() -> None:
        record = Record()
        async with SimulatedGateway(server_version=server_version, seed=14) as gateway:
            client = AsyncClient(record, port=gateway.port, client_id=4, timeout=WAIT,
                                 connect_timeout=WAIT, heartbeat_interval=None,
                                 pacing=PacingConfig(max_messages_per_second=None))
            await client.connect()
            try:
                results = await asyncio.gather(
                    *(client.current_time() for _ in range(200)), return_exceptions=True
                )
                del results  # id-less answers may complete several calls at once
                assert 100 in record.codes and record.closed == 1
            finally:
                await client.disconnect()

    asyncio.run(asyncio.wait_for(main(), 6 * WAIT))
