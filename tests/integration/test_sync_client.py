"""The threaded client over loopback, against the simulator (and a silent gateway).

Every wait is bounded and scaled by ``IBWIRE_TEST_TIMEOUT_SCALE``; the tests wait on
conditions, never sleep.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import queue
import random
import selectors
import signal
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from ibwire.contracts import Stock
from ibwire.errors import ApiError, ClientIdInUseError, ConnectionClosedError, RequestTimeoutError
from ibwire.events import ClientHello
from ibwire.messages import (
    CancelHistoricalData,
    CommissionAndFeesReport,
    Contract,
    ErrMsg,
    ExecutionData,
    ManagedAccts,
    Message,
    NextValidId,
    Order,
    OrderStatus,
    ReqAcctData,
    ReqHistoricalData,
    StartApi,
    TickPrice,
)
from ibwire.orders import Bracket, LimitOrder, MarketOrder, StopOrder
from ibwire.pacing import PacingConfig
from ibwire.protocol import ServerProtocol
from ibwire.sync import (
    Client,
    Connectivity,
    ReadOnlyError,
    Reconnected,
    ReconnectPolicy,
    Wrapper,
)
from ibwire.sync import client as sync_client
from ibwire.testing.simulator import SimulatedGateway
from ibwire.versions import MAX_CLIENT_VERSION

from .helper_calls import AAPL_ID, ANSWERED, REFUSED, Answered, Refused

SCALE = float(os.environ.get("IBWIRE_TEST_TIMEOUT_SCALE", "1"))
WAIT = 10.0 * SCALE

AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
FAST_RECONNECT = ReconnectPolicy(initial_delay=0.01, max_delay=0.05, jitter=0.5)


class Events(Wrapper):
    """Records callbacks; tests wait on its condition."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.log: list[object] = []
        self.closed = 0

    def _add(self, item: object) -> None:
        with self.cond:
            self.log.append(item)
            self.cond.notify_all()

    def tick_price(self, message: TickPrice) -> None:
        self._add(message)

    def error(self, message: ErrMsg) -> None:
        self._add(message)

    def exec_details(self, message: ExecutionData) -> None:
        self._add(message)

    def commission_and_fees_report(self, message: CommissionAndFeesReport) -> None:
        self._add(message)

    def order_status(self, message: OrderStatus) -> None:
        self._add(message)

    def connectivity(self, event: Connectivity) -> None:
        self._add(event)

    def reconnected(self, event: Reconnected) -> None:
        self._add(event)

    def connection_closed(self) -> None:
        with self.cond:
            self.closed += 1
            self.cond.notify_all()

    def ticks_after_reconnect(self, req_id: int | None) -> bool:
        """Whether a tick of ``req_id`` arrived after the last reconnect (lock held)."""
        for item in reversed(self.log):
            if isinstance(item, Reconnected):
                return False
            if isinstance(item, TickPrice) and item.req_id == req_id:
                return True
        return False

    def of(self, cls: type) -> list[object]:
        with self.cond:
            return [item for item in self.log if isinstance(item, cls)]

    def wait_for(self, predicate: Callable[[], object], what: str) -> None:
        with self.cond:
            assert self.cond.wait_for(predicate, WAIT), f"timed out waiting for {what}"

    def wait_count(self, cls: type, count: int) -> None:
        def enough() -> bool:
            return sum(isinstance(item, cls) for item in self.log) >= count

        self.wait_for(enough, f"{count} x {cls.__name__}")


class FakeClock:
    """The simulator's clock, moved by the test."""

    def __init__(self, start: float) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


@pytest.fixture
def gateway(server_version: int) -> Iterator[SimulatedGateway]:
    with SimulatedGateway(seed=3, tick_interval=0.02, server_version=server_version) as gw:
        yield gw


@pytest.fixture
def connect() -> Iterator[Callable[..., Client]]:
    clients: list[Client] = []

    def make(port: int, *, wrapper: Wrapper | None = None, **kwargs: object) -> Client:
        kwargs.setdefault("client_id", 1)
        kwargs.setdefault("timeout", WAIT)
        kwargs.setdefault("connect_timeout", WAIT)
        client = Client(wrapper, port=port, **kwargs)  # type: ignore[arg-type]
        clients.append(client)
        client.connect()
        return client

    yield make
    for client in clients:
        client.disconnect()


def first_ask(client: Client) -> float:
    with client.market_data(AAPL) as ticks:
        for tick in ticks:
            if isinstance(tick, TickPrice) and tick.tick_type == 2:
                return tick.price
    raise AssertionError("no ask")


# ---------------------------------------------------------------------- basics


def test_connect_and_quotes(gateway: SimulatedGateway, connect: Callable[..., Client]) -> None:
    events = Events()
    client = connect(gateway.port, wrapper=events)
    assert client.is_connected and client.accounts == ("DU0000001",)
    assert client.server_version == gateway.core.server_version
    with client.market_data(AAPL) as ticks:
        kinds = set()
        for tick in ticks:
            if isinstance(tick, TickPrice):
                kinds.add(tick.tick_type)
            if {1, 2} <= kinds:
                break
        assert ticks.req_id is not None
    # The farm notices of the startup are connectivity events, not errors.
    assert {e.code for e in events.of(Connectivity)} >= {2104}  # type: ignore[attr-defined]
    assert events.of(ErrMsg) == []
    assert client.current_time() > 1_600_000_000


def test_the_default_is_226_and_max_version_pins_the_text_protocol() -> None:
    """The client advertises v100..226; ``max_version=200`` keeps a 226 gateway on text."""
    negotiated = []
    with SimulatedGateway(seed=3) as gateway:
        for options in ({}, {"max_version": 200}):
            with Client(port=gateway.port, client_id=5, timeout=WAIT, connect_timeout=WAIT, **options) as client:
                assert client.current_time() > 0
                negotiated.append(client.server_version)
    assert negotiated == [226, 200]
    with pytest.raises(ValueError, match="100..226"):
        Client(max_version=227)
    with pytest.raises(ValueError, match="100..226"):
        Client(min_version=99)


def test_connect_again_after_disconnect(gateway: SimulatedGateway) -> None:
    events = Events()
    client = Client(events, port=gateway.port, client_id=6, connect_timeout=WAIT, timeout=WAIT)
    client.connect()
    first = client.next_order_id()
    client.disconnect()
    assert events.closed == 1 and not client.is_connected
    client.disconnect()  # twice is harmless
    with client:
        assert client.current_time()
        assert client.next_order_id() > first
    assert events.closed == 2


def test_connect_while_the_last_reader_is_ending_starts_a_new_one(
    gateway: SimulatedGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connect() right after a drop, while the ended reader closes its pair, is read."""
    ending = threading.Event()
    release = threading.Event()

    class HeldSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
        def close(self) -> None:
            if not ending.is_set():  # the first reader's: held as it ends
                ending.set()
                release.wait(WAIT)
            super().close()

    monkeypatch.setattr(sync_client.selectors, "DefaultSelector", HeldSelector)
    events = Events()
    client = Client(events, port=gateway.port, client_id=9, connect_timeout=WAIT, timeout=WAIT)
    client.connect()
    first = client._reader
    try:
        gateway.drop_clients()
        assert ending.wait(WAIT)  # the reader has seen the drop and is ending
        assert first is not None and first.is_alive()
        client.connect(timeout=WAIT)
        assert client._reader is not first
        assert client.current_time() > 0
    finally:
        release.set()
        client.disconnect()
        if first is not None:
            first.join(WAIT)


def test_historical_bars_and_contract_details(
    gateway: SimulatedGateway, connect: Callable[..., Client]
) -> None:
    client = connect(gateway.port)
    (details,) = client.contract_details(AAPL)
    assert details.contract.con_id == 265598 and details.contract.primary_exchange == "NASDAQ"
    bars = client.historical_bars(AAPL, "2 D", "1 hour")
    assert bars and all(bar.low <= bar.close <= bar.high for bar in bars)
    assert client.head_timestamp(AAPL)
    rules = details.market_rule_ids.split(",")
    assert client.market_rule(int(rules[0]))
    chains = client.sec_def_opt_params("AAPL", "STK", details.contract.con_id)
    assert chains and chains[0].strikes


@pytest.mark.parametrize("case", ANSWERED, ids=lambda case: case.name)
def test_helper_answers(
    case: Answered, gateway: SimulatedGateway, connect: Callable[..., Client]
) -> None:
    client = connect(gateway.port)
    case.check(case.call(client, gateway))


@pytest.mark.parametrize("case", REFUSED, ids=lambda case: case.name)
def test_helper_raises_the_error_tws_answers(
    case: Refused, gateway: SimulatedGateway, connect: Callable[..., Client]
) -> None:
    client = connect(gateway.port)
    with pytest.raises(ApiError) as info:
        case.call(client, gateway)
    assert info.value.code == case.code
    assert client.current_time()  # the connection goes on


def test_completed_orders_list_a_filled_order(
    gateway: SimulatedGateway, connect: Callable[..., Client]
) -> None:
    client = connect(gateway.port)
    assert client.completed_orders() == []
    trade = client.place(AAPL, MarketOrder("BUY", 5)).wait(WAIT)
    (done,) = client.completed_orders(api_only=True)
    assert done.order.perm_id == trade.perm_id and done.order_state.status == "Filled"
    assert done.contract.symbol == "AAPL" and done.order.total_quantity == Decimal(5)


def test_news_article_of_a_headline(
    gateway: SimulatedGateway, connect: Callable[..., Client]
) -> None:
    client = connect(gateway.port)
    headline = client.historical_news(AAPL_ID, "BRFG", total_results=1)[0]
    article = client.news_article(headline.provider_code, headline.article_id)
    assert article.article_type == 0 and article.article_text.startswith(headline.headline)


def test_delayed_market_data_once_chosen(
    server_version: int, connect: Callable[..., Client]
) -> None:
    with SimulatedGateway(seed=3, server_version=server_version, no_permission=("AAPL",)) as gw:
        client = connect(gw.port)
        with pytest.raises(ApiError) as info:
            client.snapshots(AAPL)
        assert info.value.code == 354
        client.set_market_data_type(3)
        (quote,) = client.snapshots(AAPL)
        assert quote.market_data_type == 3 and quote.bid is not None


def test_bracket_order_fills_executions_commissions_positions(
    gateway: SimulatedGateway, connect: Callable[..., Client]
) -> None:
    """Pain point 8 / safety: a bracket, its fill, and cancel by criteria."""
    events = Events()
    client = connect(gateway.port, wrapper=events)
    ask = first_ask(client)
    bracket = client.bracket_order("BUY", 10, ask + 5, ask + 50, ask - 50, order_ref="b1")
    parent_id, take_id, stop_id = (t.order_id for t in client.place_bracket(AAPL, bracket))
    assert (take_id, stop_id) == (parent_id + 1, parent_id + 2)
    events.wait_count(CommissionAndFeesReport, 1)
    (fill,) = events.of(ExecutionData)
    assert isinstance(fill, ExecutionData) and fill.execution.order_id == parent_id
    assert fill.execution.shares == Decimal(10)

    positions = client.request_positions()
    assert [(p.contract.symbol, p.position) for p in positions] == [("AAPL", Decimal(10))]
    executions = client.executions()
    assert [e.execution.exec_id for e in executions] == [fill.execution.exec_id]
    # The wrapper saw the live fill once; the helper's answer is delivered too.
    assert len(events.of(ExecutionData)) == 2

    open_ids = sorted(o.order_id for o in client.open_orders())
    assert open_ids == [take_id, stop_id]
    assert sorted(client.cancel_orders(symbol="AAPL", order_ref="b1")) == [take_id, stop_id]

    def cancelled() -> bool:
        return {
            m.order_id for m in events.log if isinstance(m, OrderStatus) and m.status == "Cancelled"
        } >= {
            take_id,
            stop_id,
        }

    events.wait_for(cancelled, "the children cancelled")
    assert client.tracked_orders == []


def test_what_if(gateway: SimulatedGateway, connect: Callable[..., Client]) -> None:
    client = connect(gateway.port)
    state = client.what_if(AAPL, Order(action="BUY", order_type="MKT", total_quantity=Decimal(10)))
    assert float(state.init_margin_change) > 0
    assert state.commission_and_fees is not None
    assert client.tracked_orders == []


def test_read_only_refuses_orders_before_sending(
    gateway: SimulatedGateway, connect: Callable[..., Client]
) -> None:
    client = connect(gateway.port, read_only=True)
    order = Order(action="BUY", order_type="MKT", total_quantity=Decimal(1))
    with pytest.raises(ReadOnlyError):
        client.place_order(AAPL, order)
    with pytest.raises(ReadOnlyError):
        client.place_order(AAPL, order, order_id=500)
    with pytest.raises(ReadOnlyError):
        client.cancel_order(1)
    with pytest.raises(ReadOnlyError):
        client.global_cancel()
    with pytest.raises(ReadOnlyError):
        client.cancel_orders(symbol="AAPL")
    with pytest.raises(ReadOnlyError):
        client.bracket_order("BUY", 1, 1.0, 2.0, 0.5)
    # What-if changes nothing: allowed.
    assert client.what_if(AAPL, order).status
    # Nothing reached the gateway's book.
    with gateway._thread.lock:  # type: ignore[union-attr]
        assert gateway.core.broker.orders == {}


def test_error_is_routed_to_its_request(
    gateway: SimulatedGateway, connect: Callable[..., Client]
) -> None:
    """Pain point 13: the error ends the request it names; others go on."""
    client = connect(gateway.port)
    with client.market_data(AAPL) as ticks:
        with pytest.raises(ApiError) as info:
            client.contract_details(dataclasses.replace(AAPL, symbol="NOSUCH"))
        assert info.value.code == 200 and info.value.req_id >= 1_000_000_000
        assert isinstance(ticks.get(WAIT), Message)
    assert client.current_time()


def test_a_subscription_ended_by_a_disconnect_cancels_nothing_after_a_reconnect(
    gateway: SimulatedGateway, connect: Callable[..., Client]
) -> None:
    """Account updates have one key: the old stream's cancel leaves the new one open."""
    client = connect(gateway.port)
    first = client.account_updates()
    assert isinstance(first.get(WAIT), Message)
    client.disconnect()
    client.connect()
    with client.account_updates() as second:
        assert isinstance(second.get(WAIT), Message)
        with first:
            pass  # leaving the block cancels a stream TWS no longer has
        assert client._session.live_subscriptions == [ReqAcctData(subscribe=True, acct_code="")]
        assert not second.is_done
    assert client._session.live_subscriptions == []


def test_client_id_in_use(gateway: SimulatedGateway, connect: Callable[..., Client]) -> None:
    """Pain point 3: a clear error naming the id; the first session is unharmed."""
    first = connect(gateway.port, client_id=5)
    second = Client(port=gateway.port, client_id=5, connect_timeout=WAIT)
    with pytest.raises(ClientIdInUseError, match="client id 5") as info:
        second.connect()
    assert info.value.client_id == 5
    assert not second.is_connected
    assert first.current_time()


def test_callback_that_raises_does_not_stop_the_stream(
    gateway: SimulatedGateway, connect: Callable[..., Client], caplog: pytest.LogCaptureFixture
) -> None:
    class Raising(Events):
        def tick_price(self, message: TickPrice) -> None:
            super().tick_price(message)
            raise RuntimeError("strategy bug")

    hook_calls: list[Exception] = []
    events = Raising()
    client = connect(
        gateway.port, wrapper=events, on_callback_error=lambda exc, event: hook_calls.append(exc)
    )
    with caplog.at_level(logging.ERROR, logger="ibwire"):
        client.req_mkt_data(AAPL)
        events.wait_count(TickPrice, 5)
    assert client.current_time()  # the reader is alive
    assert len(hook_calls) >= 5
    assert any("Wrapper.tick_price raised RuntimeError" in r.getMessage() for r in caplog.records)


def test_farm_notices_and_1101_resubscribe(
    gateway: SimulatedGateway, connect: Callable[..., Client]
) -> None:
    """Pain points 1 and 11: farm codes are not errors; 1101 re-sends subscriptions."""
    events = Events()
    client = connect(gateway.port, wrapper=events)
    with client.market_data(AAPL) as ticks:
        ticks.get(WAIT)
        gateway.farm_burst()
        gateway.notice(1101)
        events.wait_for(lambda: any(getattr(e, "code", 0) == 1101 for e in events.log), "1101")
        # The simulator dropped the subscription on 1101; ticks flow again only
        # because the client re-sent it.
        before = len(events.of(TickPrice))
        events.wait_count(TickPrice, before + 3)
    codes = [e.code for e in events.of(Connectivity)]  # type: ignore[attr-defined]
    assert {2103, 2104, 2105, 2106, 2157, 2158, 1101} <= set(codes)
    assert all(m.error_code not in (2103, 2104, 1101) for m in events.of(ErrMsg))  # type: ignore[attr-defined]


# ---------------------------------------------------------------------- restarts


def test_fifty_restarts_resubscribe_and_never_reuse_order_ids(
    gateway: SimulatedGateway, connect: Callable[..., Client]
) -> None:
    """Pain points 1, 4, 8: reconnect, re-send, and no duplicate order id."""
    events = Events()
    client = connect(
        gateway.port,
        wrapper=events,
        reconnect=FAST_RECONNECT,
        rng=random.Random(11),
        heartbeat_interval=None,
    )
    ask = first_ask(client)
    used: list[int] = []
    with client.market_data(AAPL) as ticks:
        req_id = ticks.req_id
        for cycle in range(50):
            order = Order(
                action="BUY",
                order_type="LMT",
                lmt_price=round(ask / 2, 2),
                total_quantity=Decimal(1),
            )
            used.append(client.place_order(AAPL, order))
            if cycle % 5 == 4:
                gateway.nightly_reset(down_for=0.03)
            else:
                gateway.drop_clients()
            events.wait_count(Reconnected, cycle + 1)
            # Callbacks run in arrival order: a tick after the Reconnected event can
            # only come from the request the client re-sent.
            events.wait_for(lambda: events.ticks_after_reconnect(req_id), "a re-sent tick")
        assert not ticks.is_done
        assert isinstance(ticks.get(WAIT), Message)
    assert len(set(used)) == 50 and used == sorted(used)
    assert all(m.error_code != 103 for m in events.of(ErrMsg))  # type: ignore[attr-defined]
    assert events.closed == 50


def test_fill_while_disconnected_is_delivered_once(server_version: int) -> None:
    """Pain point 14: a fill missed during an outage arrives exactly once after reconnect."""
    clock = FakeClock(1_790_000_000.0)
    with SimulatedGateway(server_version=server_version, seed=5, clock=clock, tick_interval=1.0) as gateway:
        events = Events()
        client = Client(
            events,
            port=gateway.port,
            client_id=2,
            timeout=WAIT,
            connect_timeout=WAIT,
            reconnect=FAST_RECONNECT,
            heartbeat_interval=None,
        )
        client.connect()
        try:
            ask = first_ask(client)
            # The take-profit is marketable: it fills one simulator tick after the parent.
            # A marketable take-profit, which ibwire.orders.bracket refuses: built by hand.
            bracket = Bracket(
                LimitOrder("BUY", 10, ask + 5, transmit=False),
                LimitOrder("SELL", 10, ask - 5, transmit=False),
                StopOrder("SELL", 10, ask - 50, transmit=True),
            )
            parent_id, take_id, _ = (t.order_id for t in client.place_bracket(AAPL, bracket))
            events.wait_count(CommissionAndFeesReport, 1)
            # The gateway goes down; while it is down (simulator time), the take-profit fills.
            gateway.nightly_reset(down_for=10.0)
            events.wait_for(lambda: events.closed == 1, "the drop")
            clock.advance(12.0)
            gateway._thread.wake()  # type: ignore[union-attr]
            events.wait_count(Reconnected, 1)
            events.wait_count(CommissionAndFeesReport, 2)
            assert client.current_time()  # everything queued before it has been delivered
            fills = events.of(ExecutionData)
            assert [f.execution.order_id for f in fills] == [parent_id, take_id]  # type: ignore[attr-defined]
            # The parent's fill came live; the take-profit's only from the re-sync
            # after the reconnect (the parent's copy in that answer was dropped).
            assert [f.req_id == -1 for f in fills] == [True, False]  # type: ignore[attr-defined]
            commissions = [c.exec_id for c in events.of(CommissionAndFeesReport)]  # type: ignore[attr-defined]
            assert len(commissions) == len(set(commissions)) == 2
            assert [p.position for p in client.request_positions()] == [Decimal(0)]
        finally:
            client.disconnect()


# ---------------------------------------------------------------------- timeouts


class SilentGateway:
    """Completes the handshake, then answers nothing; records what it receives.

    Every socket it accepts is closed: when its client leaves, or by :meth:`close`.
    """

    def __init__(self, version: int = MAX_CLIENT_VERSION) -> None:
        self.version = version
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received: list[Message] = []
        self.cond = threading.Condition()
        self._stop = threading.Event()
        self._servers: dict[socket.socket, ServerProtocol] = {}
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with selectors.DefaultSelector() as selector:
            self.listener.setblocking(False)
            selector.register(self.listener, selectors.EVENT_READ)
            while not self._stop.is_set():
                for key, _ in selector.select(0.05):
                    if key.fileobj is self.listener:
                        sock, _ = self.listener.accept()
                        self._servers[sock] = ServerProtocol(max_version=self.version)
                        selector.register(sock, selectors.EVENT_READ)
                        continue
                    sock = key.fileobj  # type: ignore[assignment]
                    if not self._serve(sock):
                        selector.unregister(sock)
                        del self._servers[sock]
                        sock.close()

    def _serve(self, sock: socket.socket) -> bool:
        """Read and answer one chunk; False when the client has gone."""
        try:
            data = sock.recv(65536)
        except OSError:
            return False
        if not data:
            return False
        server = self._servers[sock]
        server.receive_data(data)
        for event in server.events_received():
            if isinstance(event, ClientHello):
                server.accept()
            elif isinstance(event, StartApi):
                server.send(ManagedAccts(accounts_list="DU1"))
                server.send(NextValidId(order_id=1))
            elif isinstance(event, Message):
                with self.cond:
                    self.received.append(event)
                    self.cond.notify_all()
        try:
            sock.sendall(server.data_to_send())
        except OSError:
            return False
        return True

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.listener.close()
        for sock in self._servers:
            sock.close()
        self._servers.clear()


def test_the_silent_gateway_closes_what_it_accepted() -> None:
    """A connection still open when the gateway closes is closed, not left to the collector."""
    silent = SilentGateway()
    try:
        with socket.create_connection(("127.0.0.1", silent.port), timeout=WAIT) as sock:
            sock.sendall(b"API\0" + struct.pack(">I", 9) + b"v100..200")
            assert sock.recv(65536)  # the handshake reply: the connection is accepted
            silent.close()
            assert sock.recv(65536) == b""  # closed by the gateway
    finally:
        silent.close()


def test_a_request_that_times_out_is_cancelled(server_version: int) -> None:
    """Pain point 2: every helper has a timeout and cleans up at TWS."""
    silent = SilentGateway(server_version)
    client = Client(port=silent.port, client_id=3, connect_timeout=WAIT, heartbeat_interval=None)
    try:
        client.connect()
        with pytest.raises(RequestTimeoutError, match="current time"):
            client.current_time(timeout=0.2 * SCALE)
        with pytest.raises(RequestTimeoutError, match="historical bars"):
            client.historical_bars(AAPL, "1 D", "1 hour", timeout=0.2 * SCALE)
        with silent.cond:
            assert silent.cond.wait_for(
                lambda: any(isinstance(m, CancelHistoricalData) for m in silent.received), WAIT
            )
        assert client.is_connected
    finally:
        client.disconnect()
        silent.close()


def test_disconnect_from_another_thread_wakes_every_waiter() -> None:
    """Helpers (``qualify``, ``history`` too) fail with ConnectionClosedError, so do
    ``trade.wait`` and ``updated_tickers``; a subscription's iteration ends."""
    silent = SilentGateway()
    client = Client(port=silent.port, client_id=3, connect_timeout=WAIT, timeout=WAIT,
                    heartbeat_interval=None)  # fmt: skip
    outcomes: dict[str, object] = {}

    def waiter(name: str, call: Callable[[], object]) -> threading.Thread:
        def run() -> None:
            try:
                outcomes[name] = call()
            except Exception as exc:  # noqa: BLE001 - the outcome under test
                outcomes[name] = exc

        thread = threading.Thread(target=run, name=name, daemon=True)
        thread.start()
        return thread

    try:
        client.connect()
        client.ticker(AAPL)
        trade = client.place(AAPL, LimitOrder("BUY", 1, 1.0))
        quotes = client.market_data(AAPL)
        threads = [
            waiter("helper", client.current_time),
            waiter("qualify", lambda: client.qualify(Stock("AAPL"))),
            waiter("history", lambda: client.history(AAPL, "2 D", bar_size="1 hour")),
            waiter("trade", lambda: trade.wait(None)),
            waiter("tickers", lambda: client.updated_tickers(None)),
            waiter("subscription", lambda: list(quotes)),
        ]
        # Every request is at the gateway, which will never answer.
        sent = {"ReqCurrentTime", "ReqContractData", "ReqHistoricalData", "PlaceOrder", "ReqMktData"}
        with silent.cond:
            assert silent.cond.wait_for(
                lambda: sent <= {type(m).__name__ for m in silent.received}, WAIT
            )
        client.disconnect()
        for thread in threads:
            thread.join(WAIT)
        assert not [thread.name for thread in threads if thread.is_alive()], outcomes
        assert outcomes.pop("subscription") == []
        assert {name: type(outcome) for name, outcome in outcomes.items()} == dict.fromkeys(
            ("helper", "qualify", "history", "trade", "tickers"), ConnectionClosedError
        )
    finally:
        client.disconnect()
        silent.close()


def test_connect_to_a_closed_port_fails_cleanly() -> None:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    client = Client(port=port, connect_timeout=WAIT)
    with pytest.raises(Exception) as info:
        client.connect()
    assert "cannot connect" in str(info.value)
    assert not client.is_connected


def test_connect_timeout_when_the_gateway_never_answers() -> None:
    """Pain point 3: connect has a timeout (the socket opens, the hello gets no answer)."""
    mute = socket.create_server(("127.0.0.1", 0))  # listens, never accepts or answers
    try:
        client = Client(port=mute.getsockname()[1], client_id=4)
        with pytest.raises(RequestTimeoutError, match="not ready within"):
            client.connect(timeout=0.3 * SCALE)
        assert not client.is_connected
    finally:
        mute.close()


def test_heartbeat_declares_a_silent_connection_dead(server_version: int) -> None:
    silent = SilentGateway(server_version)
    events = Events()
    client = Client(
        events,
        port=silent.port,
        client_id=3,
        connect_timeout=WAIT,
        heartbeat_interval=0.1 * SCALE,
        heartbeat_timeout=0.1 * SCALE,
    )
    try:
        client.connect()
        events.wait_for(lambda: events.closed == 1, "the heartbeat to give up")
        assert not client.is_connected
        with silent.cond:
            assert any(type(m).__name__ == "ReqCurrentTime" for m in silent.received)
    finally:
        client.disconnect()
        silent.close()


def test_ninety_orders_before_the_gateway_dies_each_get_a_status_or_an_error(
    gateway: SimulatedGateway, connect: Callable[..., Client]
) -> None:
    events = Events()
    client = connect(gateway.port, wrapper=events, heartbeat_interval=None)
    order = Order(action="BUY", order_type="LMT", lmt_price=1.0, total_quantity=Decimal(1))
    placed = [client.place_order(AAPL, order) for _ in range(90)]
    gateway.drop_clients()
    events.wait_for(lambda: events.closed == 1, "the connection to close")

    def answered() -> set[int]:
        ids = {m.order_id for m in events.log if isinstance(m, OrderStatus)}
        return ids | {m.req_id for m in events.log if isinstance(m, ErrMsg)}

    # Every order: a status from TWS, or an error saying it was not sent or
    # that its fate is unknown; none is left silent.
    events.wait_for(lambda: set(placed) <= answered(), "an answer for every order")
    assert not client.is_connected


# ---------------------------------------------------------------------- callbacks


class Exits(Wrapper):
    """Its current_time callback raises SystemExit, which kills the reader thread."""

    def current_time(self, message: object) -> None:
        raise SystemExit("fatal: giving up")


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_waiters_wake_when_the_reader_thread_dies(
    gateway: SimulatedGateway, connect: Callable[..., Client]
) -> None:
    client = connect(gateway.port, wrapper=Exits(), heartbeat_interval=None)
    client.ticker(AAPL)
    client.updated_tickers(timeout=WAIT)
    trade = client.place(AAPL, LimitOrder("BUY", 1, 1.0))
    outcomes: dict[str, object] = {}
    started = threading.Barrier(3)

    def run(name: str, call: Callable[[], object]) -> threading.Thread:
        def target() -> None:
            started.wait(WAIT)
            try:
                outcomes[name] = call()
            except Exception as exc:  # noqa: BLE001 - the outcome under test
                outcomes[name] = exc

        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        return thread

    def tickers_forever() -> object:
        while True:
            client.updated_tickers(None)

    threads = [run("tickers", tickers_forever), run("trade", lambda: trade.wait(None))]
    started.wait(WAIT)
    reader = client._reader
    assert reader is not None
    client.req_current_time()
    reader.join(WAIT)
    assert not reader.is_alive()
    for thread in threads:
        thread.join(WAIT)
    assert not [thread.name for thread in threads if thread.is_alive()], outcomes
    assert {name: type(outcome) for name, outcome in outcomes.items()} == dict.fromkeys(
        ("tickers", "trade"), ConnectionClosedError
    )


class CountsWaits(threading.Condition):
    """A condition that counts the waits entered (each before its lock is released)."""

    def __init__(self) -> None:
        super().__init__(threading.Lock())
        self.entered = threading.Semaphore(0)

    def wait(self, timeout: float | None = None) -> bool:
        self.entered.release()
        return super().wait(timeout)


def test_every_thread_in_updated_tickers_sees_every_change(
    server_version: int, connect: Callable[..., Client]
) -> None:
    """Two threads waiting in updated_tickers() each get the change, as the listeners
    of ib_async's pendingTickersEvent do; a thread's cursor goes with the thread."""
    clock = FakeClock(1_790_000_000.0)  # frozen: the first quote is the only change
    with SimulatedGateway(
        server_version=server_version, seed=3, clock=clock, tick_interval=1000.0
    ) as gateway:
        client = connect(gateway.port, heartbeat_interval=None, account_updates=False)
        waits = client._live_changed = CountsWaits()
        got: dict[str, object] = {}

        def take(name: str) -> None:
            try:
                got[name] = client.updated_tickers(WAIT)
            except Exception as exc:  # noqa: BLE001 - the outcome under test
                got[name] = exc

        threads = [threading.Thread(target=take, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for _ in threads:
            assert waits.entered.acquire(timeout=WAIT)  # both wait before the change
        aapl = client.ticker(AAPL)
        for thread in threads:
            thread.join(WAIT)
        assert got == {"a": {aapl}, "b": {aapl}}
        # A first call sees the changes made after the last one of any thread.
        assert client.updated_tickers(0) == set()
        msft = client.ticker(dataclasses.replace(AAPL, symbol="MSFT"))
        other = threading.Thread(target=take, args=("c",))
        other.start()
        other.join(WAIT)
        assert got["c"] == {msft}
        # Taken by another thread, the change waits for this one's next call.
        assert client.updated_tickers(0) == {msft}
        assert client.updated_tickers(0) == set()
        # The threads that ended left no cursor behind: the main thread's is the one left.
        assert [ref() for ref in client._ticker_readers] == [client._ticker_cursor.cursor]


class WaitsInCallback(Wrapper):
    """Its current_time callback calls a blocking wait of the client; records the outcome."""

    def __init__(self, wait: Callable[[Client], object]) -> None:
        self.wait = wait
        self.client: Client | None = None
        self.outcome: queue.SimpleQueue[object] = queue.SimpleQueue()

    def current_time(self, message: object) -> None:
        assert self.client is not None
        try:
            self.outcome.put(self.wait(self.client))
        except RuntimeError as exc:
            self.outcome.put(exc)


@pytest.mark.parametrize(
    "wait",
    [
        lambda client: client.updated_tickers(),
        lambda client: client.updated_tickers(timeout=5.0),
        lambda client: client.synced(),
        lambda client: client.market_data(AAPL).get(),
    ],
    ids=["updated_tickers", "updated_tickers-timeout", "synced", "subscription-get"],
)
def test_a_blocking_wait_in_a_callback_raises_runtime_error(
    gateway: SimulatedGateway, connect: Callable[..., Client], wait: Callable[[Client], object]
) -> None:
    events = WaitsInCallback(wait)
    client = connect(gateway.port, wrapper=events, heartbeat_interval=None)
    events.client = client
    client.ticker(AAPL)
    client.updated_tickers(timeout=WAIT)
    client.req_current_time()
    outcome = events.outcome.get(timeout=WAIT)
    assert isinstance(outcome, RuntimeError)
    assert "wrapper callback" in str(outcome)
    assert client.current_time(timeout=WAIT)  # the reader thread goes on


class ConnectsWhenClosed(Wrapper):
    """Connects again from its connection_closed callback; records the outcome."""

    def __init__(self) -> None:
        self.client: Client | None = None
        self.outcome: queue.SimpleQueue[object] = queue.SimpleQueue()

    def connection_closed(self) -> None:
        assert self.client is not None
        try:
            self.client.connect()
            self.outcome.put("connected")
        except Exception as exc:  # noqa: BLE001 (recorded for the test)
            self.outcome.put(exc)


def test_connect_in_a_callback_raises_runtime_error_at_once(gateway: SimulatedGateway) -> None:
    """The reader cannot wait for its own handshake: refused, not a timeout after a freeze."""
    events = ConnectsWhenClosed()
    client = Client(events, port=gateway.port, client_id=7, connect_timeout=WAIT, timeout=WAIT)
    events.client = client
    client.connect()
    try:
        gateway.drop_clients()
        outcome = events.outcome.get(timeout=WAIT)
        assert isinstance(outcome, RuntimeError) and "wrapper callback" in str(outcome)
        assert not client.is_connected
        client.connect()  # from another thread, as the error says
        assert client.current_time() > 0
    finally:
        client.disconnect()


def test_a_wait_of_zero_seconds_in_a_callback_polls(
    gateway: SimulatedGateway, connect: Callable[..., Client]
) -> None:
    events = WaitsInCallback(lambda client: client.updated_tickers(timeout=0))
    client = connect(gateway.port, wrapper=events, heartbeat_interval=None)
    events.client = client
    client.req_current_time()
    assert events.outcome.get(timeout=WAIT) == set()


# ---------------------------------------------------------------------- interrupts


def ctrl_c() -> None:
    """Send SIGINT to the main thread, as Ctrl-C does (it interrupts a blocked wait)."""
    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)


def test_ctrl_c_in_a_helper_withdraws_its_request(server_version: int) -> None:
    silent = SilentGateway(server_version)
    client = Client(port=silent.port, client_id=3, connect_timeout=WAIT, heartbeat_interval=None)

    def interrupt_once_sent() -> None:
        with silent.cond:
            silent.cond.wait_for(
                lambda: any(isinstance(m, ReqHistoricalData) for m in silent.received), WAIT
            )
        ctrl_c()

    try:
        client.connect()
        threading.Thread(target=interrupt_once_sent, daemon=True).start()
        with pytest.raises(KeyboardInterrupt):
            client.historical_bars(AAPL, "1 D", "1 hour", timeout=3 * WAIT)
        with silent.cond:
            assert silent.cond.wait_for(
                lambda: any(isinstance(m, CancelHistoricalData) for m in silent.received), WAIT
            )
        assert not client._session._pendings
        assert client.pacer_snapshot().stats.open_historical == 0
    finally:
        client.disconnect()
        silent.close()


def test_ctrl_c_in_connect_leaves_the_client_able_to_connect_again(
    gateway: SimulatedGateway,
) -> None:
    mute = socket.create_server(("127.0.0.1", 0))  # accepts, never answers the hello
    client = Client(port=mute.getsockname()[1], client_id=4, connect_timeout=3 * WAIT)

    def interrupt_once_waiting() -> None:
        sock, _ = mute.accept()
        with sock:
            sock.recv(65536)  # the hello
            waiting = threading.Event()
            while not (client._reader is not None and client._reader.is_alive()):
                waiting.wait(0.005)  # until connect() waits for the handshake
            ctrl_c()
            sock.recv(65536)  # until the client closes

    helper = threading.Thread(target=interrupt_once_waiting, daemon=True)
    helper.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            client.connect()
        helper.join(WAIT)
        assert not client.is_connected
        client.port = gateway.port
        client.connect(timeout=WAIT)
        assert client.is_connected
    finally:
        client.disconnect()
        mute.close()


#: Installs a Ctrl-C at one point of connect(), given the sockets made so far.
Interrupt = Callable[[pytest.MonkeyPatch, list[socket.socket]], None]


def _interrupt_adopting(monkeypatch: pytest.MonkeyPatch, made: list[socket.socket]) -> None:
    settimeout = socket.socket.settimeout

    def interrupted(sock: socket.socket, value: float | None) -> None:
        if sock in made:
            raise KeyboardInterrupt
        settimeout(sock, value)

    monkeypatch.setattr(socket.socket, "settimeout", interrupted)


def _interrupt_wake_setup(monkeypatch: pytest.MonkeyPatch, made: list[socket.socket]) -> None:
    setblocking = socket.socket.setblocking

    def interrupted(sock: socket.socket, flag: bool) -> None:
        if sock in made:
            raise KeyboardInterrupt
        setblocking(sock, flag)

    monkeypatch.setattr(socket.socket, "setblocking", interrupted)


def _interrupt_thread(monkeypatch: pytest.MonkeyPatch, made: list[socket.socket]) -> None:
    class Interrupted(threading.Thread):
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt

    monkeypatch.setattr(sync_client.threading, "Thread", Interrupted)


def _interrupt_start(*, after_run: bool) -> Interrupt:
    def install(monkeypatch: pytest.MonkeyPatch, made: list[socket.socket]) -> None:
        start = threading.Thread.start

        def interrupted(thread: threading.Thread) -> None:
            if not thread.name.startswith("ibwire-reader"):
                start(thread)
                return
            if after_run:
                start(thread)  # Ctrl-C once the thread runs, as start() waits for it
            raise KeyboardInterrupt

        monkeypatch.setattr(threading.Thread, "start", interrupted)

    return install


@pytest.mark.parametrize(
    "interrupt",
    [
        _interrupt_adopting,
        _interrupt_wake_setup,
        _interrupt_thread,
        _interrupt_start(after_run=False),
        _interrupt_start(after_run=True),
    ],
    ids=["adopting-the-socket", "wake-pair-setup", "thread", "start", "start-after-run"],
)
def test_ctrl_c_while_the_reader_starts_closes_every_socket(
    gateway: SimulatedGateway,
    monkeypatch: pytest.MonkeyPatch,
    interrupt: Interrupt,
) -> None:
    made: list[socket.socket] = []
    socketpair, create_connection = socket.socketpair, socket.create_connection

    def tracked_pair(*args: object, **kwargs: object) -> tuple[socket.socket, socket.socket]:
        pair = socketpair(*args, **kwargs)  # type: ignore[arg-type]
        made.extend(pair)
        return pair

    def tracked_connection(*args: object, **kwargs: object) -> socket.socket:
        sock = create_connection(*args, **kwargs)  # type: ignore[arg-type]
        made.append(sock)
        return sock

    monkeypatch.setattr(socket, "socketpair", tracked_pair)
    monkeypatch.setattr(socket, "create_connection", tracked_connection)
    client = Client(port=gateway.port, client_id=8, connect_timeout=WAIT, timeout=WAIT)
    with monkeypatch.context() as patch:
        interrupt(patch, made)
        with pytest.raises(KeyboardInterrupt):
            client.connect()
    try:
        assert made and [sock for sock in made if sock.fileno() != -1] == []
        assert not client.is_connected
        client.connect(timeout=WAIT)  # nothing of the interrupted start is in the way
        assert client.current_time() > 0
    finally:
        client.disconnect()
    assert [sock for sock in made if sock.fileno() != -1] == []


class Blocks(Wrapper):
    """Its current_time callback holds the reader thread until released."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def current_time(self, message: object) -> None:
        self.entered.set()
        self.release.wait(3 * WAIT)


def test_a_helper_times_out_while_a_callback_holds_the_reader(
    gateway: SimulatedGateway, connect: Callable[..., Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_client, "_WAIT_MARGIN", 0.2 * SCALE)
    events = Blocks()
    client = connect(gateway.port, wrapper=events, heartbeat_interval=None)
    client.req_current_time()
    assert events.entered.wait(WAIT)
    release = threading.Timer(WAIT, events.release.set)
    release.start()
    try:
        with pytest.raises(RequestTimeoutError, match="no answer within"):
            client.contract_details(AAPL, timeout=0.1 * SCALE)
        assert not events.release.is_set()
        assert not client._session._pendings
    finally:
        release.cancel()
        events.release.set()


def test_a_helper_held_by_the_pacer_times_out_while_a_callback_holds_the_reader(
    gateway: SimulatedGateway, connect: Callable[..., Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its timeout runs from the call: the request, never released, is withdrawn."""
    monkeypatch.setattr(sync_client, "_WAIT_MARGIN", 0.2 * SCALE)
    events = Blocks()
    client = connect(
        gateway.port,
        wrapper=events,
        heartbeat_interval=None,
        pacing=PacingConfig(historical_identical_interval=3 * WAIT),
    )
    client.historical_bars(AAPL, "1 D", "1 hour")
    client.req_current_time()
    assert events.entered.wait(WAIT)
    release = threading.Timer(WAIT, events.release.set)
    release.start()
    try:
        # An identical request: the pacer holds it far longer than its timeout.
        with pytest.raises(RequestTimeoutError, match="no answer within"):
            client.historical_bars(AAPL, "1 D", "1 hour", timeout=0.1 * SCALE)
        assert not events.release.is_set()
        assert not client._session._pendings
        assert client.pacer_snapshot().queued == 0  # withdrawn: it will never be sent
    finally:
        release.cancel()
        events.release.set()


def test_snapshots_time_out_while_a_callback_holds_the_reader(
    gateway: SimulatedGateway, connect: Callable[..., Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A helper of several requests is bounded by its parts' deadline, as a single one is."""
    monkeypatch.setattr(sync_client, "_WAIT_MARGIN", 0.2 * SCALE)
    events = Blocks()
    client = connect(gateway.port, wrapper=events, heartbeat_interval=None)
    client.req_current_time()
    assert events.entered.wait(WAIT)
    release = threading.Timer(WAIT, events.release.set)
    release.start()
    try:
        with pytest.raises(RequestTimeoutError, match="no answer within"):
            client.snapshots(AAPL, Stock("MSFT"), timeout=0.1 * SCALE)
        assert not events.release.is_set()
        assert not client._session._pendings
    finally:
        release.cancel()
        events.release.set()
