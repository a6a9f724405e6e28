"""The asyncio client over loopback, against the simulator served in the same event loop.

Each test runs its own event loop (``asyncio.run``); every wait is bounded and
scaled by ``IBWIRE_TEST_TIMEOUT_SCALE``; nothing sleeps to synchronise.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import gc
import logging
import os
import random
import struct
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

import pytest

from ibwire.asyncio import (
    Client,
    Connectivity,
    ReadOnlyError,
    Reconnected,
    ReconnectPolicy,
    Subscription,
    Wrapper,
)
from ibwire.contracts import Stock
from ibwire.errors import ApiError, ClientIdInUseError, ConnectionClosedError, RequestTimeoutError
from ibwire.events import ClientHello
from ibwire.live import Ticker
from ibwire.messages import (
    AcctValue,
    CancelHistoricalData,
    CommissionAndFeesReport,
    Contract,
    ErrMsg,
    ExecutionData,
    HistoricalData,
    ManagedAccts,
    MarketDepth,
    MarketDepthL2,
    Message,
    NextValidId,
    Order,
    OrderStatus,
    Pnl,
    RealTimeBars,
    ReqAcctData,
    StartApi,
    TickByTick,
    TickPrice,
)
from ibwire.orders import Bracket, LimitOrder, MarketOrder, StopOrder
from ibwire.pacing import PacingConfig
from ibwire.protocol import ServerProtocol
from ibwire.testing.simulator import SimulatedGateway
from ibwire.versions import MAX_CLIENT_VERSION

from .helper_calls import AAPL_ID, ANSWERED, REFUSED, Answered, Refused

SCALE = float(os.environ.get("IBWIRE_TEST_TIMEOUT_SCALE", "1"))
WAIT = 10.0 * SCALE

AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
FAST_RECONNECT = ReconnectPolicy(initial_delay=0.01, max_delay=0.05, jitter=0.5)


def run(coro: Coroutine[Any, Any, None]) -> None:
    asyncio.run(asyncio.wait_for(coro, 6 * WAIT))


class Events(Wrapper):
    """Records callbacks (on the event loop); tests await conditions on it."""

    def __init__(self) -> None:
        self.log: list[object] = []
        self.closed = 0
        self._changed = asyncio.Event()

    def _add(self, item: object) -> None:
        self.log.append(item)
        self._changed.set()

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
        self.closed += 1
        self._changed.set()

    def of(self, cls: type) -> list[Any]:
        return [item for item in self.log if isinstance(item, cls)]

    def ticks_after_reconnect(self, req_id: int | None) -> bool:
        for item in reversed(self.log):
            if isinstance(item, Reconnected):
                return False
            if isinstance(item, TickPrice) and item.req_id == req_id:
                return True
        return False

    async def wait_for(self, predicate: Callable[[], object], what: str) -> None:
        async def until() -> None:
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(until(), WAIT)
        except asyncio.TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None

    async def wait_count(self, cls: type, count: int) -> None:
        await self.wait_for(lambda: len(self.of(cls)) >= count, f"{count} x {cls.__name__}")


async def connected(port: int, wrapper: Wrapper | None = None, **kwargs: Any) -> Client:
    kwargs.setdefault("client_id", 1)
    kwargs.setdefault("timeout", WAIT)
    kwargs.setdefault("connect_timeout", WAIT)
    client = Client(wrapper, port=port, **kwargs)
    await client.connect()
    return client


async def first_ask(client: Client) -> float:
    async with client.market_data(AAPL) as ticks:
        async for tick in ticks:
            if isinstance(tick, TickPrice) and tick.tick_type == 2:
                return tick.price
    raise AssertionError("no ask")


async def take(subscription: Subscription[Any], count: int) -> list[Message]:
    items: list[Message] = []
    async with subscription:
        async for item in subscription:
            items.append(item)
            if len(items) >= count:
                break
    return items


# ---------------------------------------------------------------------- basics


def test_connect_quotes_and_helpers(server_version: int) -> None:
    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3, tick_interval=0.02) as gateway:
            events = Events()
            async with Client(events, port=gateway.port, client_id=1, timeout=WAIT) as client:
                assert client.is_connected and client.accounts == ("DU0000001",)
                ticks = await take(client.market_data(AAPL), 6)
                assert {t.tick_type for t in ticks if isinstance(t, TickPrice)} >= {1, 2}
                (details,) = await client.contract_details(AAPL)
                assert details.contract.con_id == 265598
                bars = await client.historical_bars(AAPL, "2 D", "1 hour")
                assert bars and all(b.low <= b.close <= b.high for b in bars)
                assert await client.head_timestamp(AAPL)
                assert await client.current_time() > 1_600_000_000
                summary = await client.account_summary("NetLiquidation")
                assert [s.tag for s in summary] == ["NetLiquidation"]
                state = await client.what_if(
                    AAPL, Order(action="BUY", order_type="MKT", total_quantity=Decimal(5))
                )
                assert float(state.init_margin_change) > 0
            assert events.closed == 1
            assert {e.code for e in events.of(Connectivity)} >= {2104}
            assert events.of(ErrMsg) == []

    run(main())


def test_every_subscription_kind_streams(server_version: int) -> None:
    """Market data, depth, tick-by-tick, real-time bars, kept-up bars, PnL, account."""

    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=4, tick_interval=0.02) as gateway:
            client = await connected(gateway.port)
            try:
                depth = await take(client.market_depth(AAPL), 2)
                assert all(isinstance(m, (MarketDepth, MarketDepthL2)) for m in depth)
                tbt = await take(client.tick_by_tick(AAPL, "BidAsk"), 2)
                assert all(isinstance(m, TickByTick) for m in tbt)
                bars = await take(client.real_time_bars(AAPL), 1)
                assert isinstance(bars[0], RealTimeBars)
                kept = await take(client.historical_bars_stream(AAPL, "1 D", "1 min"), 2)
                assert isinstance(kept[0], HistoricalData)
                pnl = await take(client.pnl_updates("DU0000001"), 1)
                assert isinstance(pnl[0], Pnl)
                account = await take(client.account_updates("DU0000001"), 3)
                assert any(isinstance(m, AcctValue) for m in account)
                snapshot = client.market_data(AAPL, snapshot=True)
                items = [item async for item in snapshot]  # ends by itself
                assert items
                assert client._session.live_subscriptions == []
            finally:
                await client.disconnect()

    run(main())


@pytest.mark.parametrize("case", ANSWERED, ids=lambda case: case.name)
def test_helper_answers(case: Answered, server_version: int) -> None:
    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3, tick_interval=0.02) as gateway:
            client = await connected(gateway.port)
            try:
                case.check(await case.call(client, gateway))
            finally:
                await client.disconnect()

    run(main())


@pytest.mark.parametrize("case", REFUSED, ids=lambda case: case.name)
def test_helper_raises_the_error_tws_answers(case: Refused, server_version: int) -> None:
    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3, tick_interval=0.02) as gateway:
            client = await connected(gateway.port)
            try:
                with pytest.raises(ApiError) as info:
                    await case.call(client, gateway)
                assert info.value.code == case.code
                assert await client.current_time()  # the connection goes on
            finally:
                await client.disconnect()

    run(main())


def test_completed_orders_list_a_filled_order(server_version: int) -> None:
    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3, tick_interval=0.02) as gateway:
            client = await connected(gateway.port)
            try:
                assert await client.completed_orders() == []
                trade = await client.place(AAPL, MarketOrder("BUY", 5)).done()
                (done,) = await client.completed_orders(api_only=True)
                assert done.order.perm_id == trade.perm_id
                assert done.order_state.status == "Filled"
                assert done.contract.symbol == "AAPL" and done.order.total_quantity == Decimal(5)
            finally:
                await client.disconnect()

    run(main())


def test_news_article_of_a_headline(server_version: int) -> None:
    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3, tick_interval=0.02) as gateway:
            client = await connected(gateway.port)
            try:
                headline = (await client.historical_news(AAPL_ID, "BRFG", total_results=1))[0]
                article = await client.news_article(headline.provider_code, headline.article_id)
                assert article.article_type == 0
                assert article.article_text.startswith(headline.headline)
            finally:
                await client.disconnect()

    run(main())


def test_delayed_market_data_once_chosen(server_version: int) -> None:
    async def main() -> None:
        async with SimulatedGateway(
            server_version=server_version, seed=3, no_permission=("AAPL",)
        ) as gateway:
            client = await connected(gateway.port)
            try:
                with pytest.raises(ApiError) as info:
                    await client.snapshots(AAPL)
                assert info.value.code == 354
                client.set_market_data_type(3)
                (quote,) = await client.snapshots(AAPL)
                assert quote.market_data_type == 3 and quote.bid is not None
            finally:
                await client.disconnect()

    run(main())


def test_bracket_order_fills_executions_commissions_positions(server_version: int) -> None:
    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3, tick_interval=0.02) as gateway:
            events = Events()
            client = await connected(gateway.port, events)
            try:
                ask = await first_ask(client)
                bracket = client.bracket_order(
                    "BUY", 10, ask + 5, ask + 50, ask - 50, order_ref="b1"
                )
                parent_id, take_id, stop_id = (t.order_id for t in client.place_bracket(AAPL, bracket))
                await events.wait_count(CommissionAndFeesReport, 1)
                (fill,) = events.of(ExecutionData)
                assert fill.execution.order_id == parent_id
                positions = await client.request_positions()
                assert [(p.contract.symbol, p.position) for p in positions] == [
                    ("AAPL", Decimal(10))
                ]
                executions = await client.executions()
                assert [e.execution.exec_id for e in executions] == [fill.execution.exec_id]
                assert sorted(client.cancel_orders(symbol="AAPL")) == [take_id, stop_id]

                def cancelled() -> bool:
                    done = {m.order_id for m in events.of(OrderStatus) if m.status == "Cancelled"}
                    return done >= {take_id, stop_id}

                await events.wait_for(cancelled, "children cancelled")
                assert client.tracked_orders == []
            finally:
                await client.disconnect()

    run(main())


def test_read_only_refuses_orders_before_sending(server_version: int) -> None:
    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3) as gateway:
            client = await connected(gateway.port, read_only=True)
            try:
                order = Order(action="BUY", order_type="MKT", total_quantity=Decimal(1))
                with pytest.raises(ReadOnlyError):
                    client.place_order(AAPL, order)
                with pytest.raises(ReadOnlyError):
                    client.cancel_order(1)
                with pytest.raises(ReadOnlyError):
                    client.global_cancel()
                with pytest.raises(ReadOnlyError):
                    client.cancel_orders(order_ref="x")
                assert (await client.what_if(AAPL, order)).status
                assert gateway.core.broker.orders == {}
            finally:
                await client.disconnect()

    run(main())


def test_error_is_routed_to_its_request(server_version: int) -> None:
    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3, tick_interval=0.02) as gateway:
            client = await connected(gateway.port)
            try:
                async with client.market_data(AAPL) as ticks:
                    with pytest.raises(ApiError) as info:
                        await client.contract_details(dataclasses.replace(AAPL, symbol="NOSUCH"))
                    assert info.value.code == 200
                    assert isinstance(await ticks.get(WAIT), Message)
            finally:
                await client.disconnect()

    run(main())


def test_subscription_error_ends_the_iteration(server_version: int) -> None:
    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3, no_permission=["MSFT"]) as gateway:
            client = await connected(gateway.port)
            try:
                msft = dataclasses.replace(AAPL, symbol="MSFT")
                with pytest.raises(ApiError) as info:
                    await take(client.market_data(msft), 100)
                assert info.value.code == 354
            finally:
                await client.disconnect()

    run(main())


def test_a_subscription_ended_by_a_disconnect_cancels_nothing_after_a_reconnect(
    server_version: int,
) -> None:
    """Account updates have one key: the old stream's cancel leaves the new one open."""

    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3) as gateway:
            client = await connected(gateway.port)
            try:
                first = client.account_updates()
                assert isinstance(await first.get(WAIT), Message)
                await client.disconnect()
                await client.connect()
                async with client.account_updates() as second:
                    assert isinstance(await second.get(WAIT), Message)
                    async with first:
                        pass  # leaving the block cancels a stream TWS no longer has
                    live = client._session.live_subscriptions
                    assert live == [ReqAcctData(subscribe=True, acct_code="")]
                    assert not second.is_done
                assert client._session.live_subscriptions == []
            finally:
                await client.disconnect()

    run(main())


def test_client_id_in_use(server_version: int) -> None:
    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3) as gateway:
            first = await connected(gateway.port, client_id=5)
            try:
                second = Client(port=gateway.port, client_id=5, connect_timeout=WAIT)
                with pytest.raises(ClientIdInUseError, match="client id 5"):
                    await second.connect()
                await second.disconnect()
                assert await first.current_time()
            finally:
                await first.disconnect()

    run(main())


def test_callback_that_raises_does_not_stop_the_stream(server_version: int, caplog: pytest.LogCaptureFixture) -> None:
    class Raising(Events):
        def tick_price(self, message: TickPrice) -> None:
            super().tick_price(message)
            raise RuntimeError("strategy bug")

    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3, tick_interval=0.02) as gateway:
            events = Raising()
            client = await connected(gateway.port, events)
            try:
                client.req_mkt_data(AAPL)
                await events.wait_count(TickPrice, 5)
                assert await client.current_time()
            finally:
                await client.disconnect()

    with caplog.at_level(logging.ERROR, logger="ibwire"):
        run(main())
    assert sum("Wrapper.tick_price raised" in r.getMessage() for r in caplog.records) >= 5


def test_cancelling_an_awaiting_helper_abandons_it(server_version: int) -> None:
    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3) as gateway:
            client = await connected(gateway.port)
            try:
                task = asyncio.ensure_future(client.historical_bars(AAPL, "1 D", "1 min"))
                await asyncio.sleep(0)  # let the request go out
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                assert client._session.next_deadline() is None or client.is_connected
                assert await client.current_time()
            finally:
                await client.disconnect()

    run(main())


# ---------------------------------------------------------------------- restarts


def test_fifty_restarts_resubscribe_and_never_reuse_order_ids(server_version: int) -> None:
    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3, tick_interval=0.02) as gateway:
            events = Events()
            client = await connected(
                gateway.port,
                events,
                reconnect=FAST_RECONNECT,
                rng=random.Random(11),
                heartbeat_interval=None,
            )
            try:
                ask = await first_ask(client)
                used: list[int] = []
                async with client.market_data(AAPL) as ticks:
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
                        await events.wait_count(Reconnected, cycle + 1)
                        await events.wait_for(
                            lambda: events.ticks_after_reconnect(req_id), "a re-sent tick"
                        )
                    assert not ticks.is_done
                assert len(set(used)) == 50 and used == sorted(used)
                assert all(m.error_code != 103 for m in events.of(ErrMsg))
                assert events.closed == 50
            finally:
                await client.disconnect()

    run(main())


class FakeClock:
    """The simulator's clock, moved by the test."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_fill_while_disconnected_is_delivered_once(server_version: int) -> None:
    async def main() -> None:
        clock = FakeClock(1_790_000_000.0)
        async with SimulatedGateway(server_version=server_version, seed=5, clock=clock, tick_interval=1.0) as gateway:
            events = Events()
            client = await connected(
                gateway.port, events, client_id=2, reconnect=FAST_RECONNECT, heartbeat_interval=None
            )
            try:
                ask = await first_ask(client)
                # A marketable take-profit, which ibwire.orders.bracket refuses: built by hand.
                bracket = Bracket(
                    LimitOrder("BUY", 10, ask + 5, transmit=False),
                    LimitOrder("SELL", 10, ask - 5, transmit=False),
                    StopOrder("SELL", 10, ask - 50, transmit=True),
                )
                parent_id, take_id, _ = (t.order_id for t in client.place_bracket(AAPL, bracket))
                await events.wait_count(CommissionAndFeesReport, 1)
                gateway.nightly_reset(down_for=10.0)
                await events.wait_for(lambda: events.closed == 1, "the drop")
                clock.now += 12.0
                gateway._async.wake()  # type: ignore[union-attr]
                await events.wait_count(Reconnected, 1)
                await events.wait_count(CommissionAndFeesReport, 2)
                assert await client.current_time()
                fills = events.of(ExecutionData)
                assert [f.execution.order_id for f in fills] == [parent_id, take_id]
                assert [f.req_id == -1 for f in fills] == [True, False]
                commissions = [c.exec_id for c in events.of(CommissionAndFeesReport)]
                assert len(commissions) == len(set(commissions)) == 2
            finally:
                await client.disconnect()

    run(main())


# ---------------------------------------------------------------------- timeouts


class SilentGateway:
    """Completes the handshake, then answers nothing; records what it receives.

    Every connection it accepts is closed: when its client leaves, or by :meth:`close`.
    """

    def __init__(self, version: int = MAX_CLIENT_VERSION) -> None:
        self.version = version
        self.received: list[Message] = []
        self.changed = asyncio.Event()
        self.server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        protocol = ServerProtocol(max_version=self.version)
        try:
            while data := await reader.read(65536):
                protocol.receive_data(data)
                for event in protocol.events_received():
                    if isinstance(event, ClientHello):
                        protocol.accept()
                    elif isinstance(event, StartApi):
                        protocol.send(ManagedAccts(accounts_list="DU1"))
                        protocol.send(NextValidId(order_id=1))
                    elif isinstance(event, Message):
                        self.received.append(event)
                        self.changed.set()
                writer.write(protocol.data_to_send())
        except ConnectionError:
            pass  # the client left abruptly
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            self._handlers.discard(task)

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        # Python 3.11's wait_closed does not wait for open connections: end them here.
        handlers = list(self._handlers)
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)


def test_the_silent_gateway_closes_what_it_accepted() -> None:
    """A connection still open when the gateway closes is closed, not left open."""

    async def main() -> None:
        silent = SilentGateway()
        port = await silent.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(b"API\0" + struct.pack(">I", 9) + b"v100..200")
            assert await asyncio.wait_for(reader.read(65536), WAIT)  # the handshake reply
            await silent.close()
            assert await asyncio.wait_for(reader.read(65536), WAIT) == b""  # closed by the gateway
        finally:
            writer.close()
            await writer.wait_closed()
            await silent.close()

    run(main())


def test_a_request_that_times_out_is_cancelled(server_version: int) -> None:
    async def main() -> None:
        silent = SilentGateway(server_version)
        port = await silent.start()
        client = await connected(port, heartbeat_interval=None)
        try:
            with pytest.raises(RequestTimeoutError, match="current time"):
                await client.current_time(timeout=0.2 * SCALE)
            with pytest.raises(RequestTimeoutError, match="historical bars"):
                await client.historical_bars(AAPL, "1 D", "1 hour", timeout=0.2 * SCALE)

            async def cancel_seen() -> None:
                while not any(isinstance(m, CancelHistoricalData) for m in silent.received):
                    silent.changed.clear()
                    await silent.changed.wait()

            await asyncio.wait_for(cancel_seen(), WAIT)
            assert client.is_connected
        finally:
            await client.disconnect()
            await silent.close()

    run(main())


def test_a_helper_held_by_the_pacer_times_out_and_is_withdrawn(server_version: int) -> None:
    """Its timeout runs from the call, not from the release it would wait for."""

    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3) as gateway:
            pacing = PacingConfig(historical_identical_interval=3 * WAIT)
            client = await connected(gateway.port, heartbeat_interval=None, pacing=pacing)
            try:
                await client.historical_bars(AAPL, "1 D", "1 hour")
                # An identical request: the pacer holds it far longer than its timeout.
                held = client.historical_bars(AAPL, "1 D", "1 hour", timeout=0.1 * SCALE)
                with pytest.raises(RequestTimeoutError, match="held by the pacer, and is withdrawn"):
                    await asyncio.wait_for(held, WAIT)
                assert not client._session._pendings
                assert client.pacer_snapshot().queued == 0  # it will never be sent
            finally:
                await client.disconnect()

    run(main())


def test_disconnect_from_another_task_wakes_every_waiter() -> None:
    """Helpers (``qualify``, ``history`` too) fail with ConnectionClosedError, so does
    ``trade.done()``; ``ticker_updates()`` and a subscription's iteration end."""

    async def main() -> None:
        silent = SilentGateway()
        port = await silent.start()
        client = await connected(port, heartbeat_interval=None)
        try:
            client.ticker(AAPL)
            trade = client.place(AAPL, LimitOrder("BUY", 1, 1.0))
            quotes = client.market_data(AAPL)

            async def collect(items: Any) -> list[Any]:
                return [item async for item in items]

            waiters = {
                "helper": client.current_time(),
                "qualify": client.qualify(Stock("AAPL")),
                "history": client.history(AAPL, "2 D", bar_size="1 hour"),
                "trade": trade.done(),
                "tickers": collect(client.ticker_updates()),
                "subscription": collect(quotes),
            }
            tasks = {name: asyncio.ensure_future(w) for name, w in waiters.items()}
            sent = {"ReqCurrentTime", "ReqContractData", "ReqHistoricalData", "PlaceOrder",
                    "ReqMktData"}  # fmt: skip

            async def all_sent() -> None:
                # Every request is at the gateway, which will never answer.
                while not sent <= {type(m).__name__ for m in silent.received}:
                    silent.changed.clear()
                    await silent.changed.wait()

            await asyncio.wait_for(all_sent(), WAIT)
            await asyncio.wait_for(asyncio.create_task(client.disconnect()), WAIT)
            _, pending = await asyncio.wait(tasks.values(), timeout=WAIT)
            assert not [name for name, task in tasks.items() if task in pending]
            outcomes = {name: task.exception() or task.result() for name, task in tasks.items()}
            assert outcomes.pop("subscription") == [] and outcomes.pop("tickers") == []
            assert {name: type(outcome) for name, outcome in outcomes.items()} == dict.fromkeys(
                ("helper", "qualify", "history", "trade"), ConnectionClosedError
            )
        finally:
            await client.disconnect()
            await silent.close()

    run(main())


def test_connect_timeout_when_the_gateway_never_answers() -> None:
    async def main() -> None:
        async def never(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read()  # swallow the hello, answer nothing
            writer.close()

        mute = await asyncio.start_server(never, "127.0.0.1", 0)
        try:
            client = Client(port=mute.sockets[0].getsockname()[1], client_id=4)
            with pytest.raises(RequestTimeoutError, match="not ready within"):
                await client.connect(timeout=0.3 * SCALE)
            assert not client.is_connected
            await client.disconnect()
        finally:
            mute.close()
            await mute.wait_closed()

    run(main())


def test_a_cancelled_connect_leaves_the_client_able_to_connect_again(server_version: int) -> None:
    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=5) as gateway:
            client = Client(port=gateway.port, client_id=6, timeout=WAIT, connect_timeout=WAIT)
            loop = asyncio.get_running_loop()
            opened = asyncio.Event()

            async def stuck(*args: object, **kwargs: object) -> Any:
                opened.set()
                await asyncio.Event().wait()  # a SYN nobody answers

            loop.create_connection = stuck  # type: ignore[method-assign, assignment]
            try:
                with pytest.raises(asyncio.TimeoutError):
                    await asyncio.wait_for(client.connect(), 0.05 * SCALE)
            finally:
                del loop.create_connection  # type: ignore[method-assign]
            assert opened.is_set() and not client.is_connected
            await asyncio.wait_for(client.connect(), WAIT)
            try:
                assert client.is_connected
                assert await client.current_time() > 1_600_000_000
            finally:
                await client.disconnect()

    run(main())


def test_synced_returns_false_on_timeout_where_asyncio_has_its_own_timeout_error(
    server_version: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before Python 3.11 ``asyncio.wait_for`` raises ``asyncio.TimeoutError``, which
    is not the builtin ``TimeoutError``; this runs as it does there."""

    class AsyncioTimeoutError(Exception):
        pass

    wait_for = asyncio.wait_for

    async def wait_for_as_on_310(awaitable: Any, timeout: float | None) -> Any:
        try:
            return await wait_for(awaitable, timeout)
        except TimeoutError:
            raise AsyncioTimeoutError from None

    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=5) as gateway:
            client = await connected(gateway.port, client_id=7)
            try:
                assert await client.synced(timeout=WAIT)
                client._is_synced = lambda: False  # type: ignore[method-assign]
                monkeypatch.setattr(asyncio, "TimeoutError", AsyncioTimeoutError)
                monkeypatch.setattr(asyncio, "wait_for", wait_for_as_on_310)
                assert await client.synced(timeout=0.05 * SCALE) is False
            finally:
                monkeypatch.undo()
                await client.disconnect()

    run(main())


class _ClosedTransport(asyncio.Transport):
    """A transport whose peer closed it before ``create_connection`` returned."""

    def __init__(self) -> None:
        super().__init__()
        self.closing = False

    def write(self, data: Any) -> None:
        pass

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = True


def test_a_connection_whose_event_loop_closed_is_closed_on_the_next_call(
    server_version: int,
) -> None:
    """``asyncio.run`` returned without disconnect(): the client can connect again elsewhere."""
    with SimulatedGateway(server_version=server_version, seed=3) as gateway:
        client = Client(port=gateway.port, client_id=5, timeout=WAIT, connect_timeout=WAIT)
        asyncio.run(asyncio.wait_for(client.connect(), WAIT))
        left = client._transport
        assert left is not None
        assert not client.is_connected  # nothing reads it any more

        async def ask() -> None:
            await client.current_time()

        with pytest.raises(ConnectionClosedError):
            asyncio.run(asyncio.wait_for(ask(), WAIT))

        async def again() -> None:
            await client.disconnect()
            await client.connect()  # the same client id: TWS saw the old socket close
            assert await client.current_time() > 0
            await client.disconnect()

        asyncio.run(asyncio.wait_for(again(), WAIT))
        # asyncio closes the left transport's socket as it collects it, and says so.
        with pytest.warns(ResourceWarning, match="unclosed"):
            del left
            gc.collect()


def test_streams_of_a_connection_whose_event_loop_closed_end_in_the_next_loop(
    server_version: int,
) -> None:
    """Read in another loop, a subscription and ticker_updates() end: they do not wait for ever."""
    with SimulatedGateway(server_version=server_version, seed=3) as gateway:
        client = Client(port=gateway.port, client_id=5, timeout=WAIT, connect_timeout=WAIT)
        made: list[Any] = []

        async def start() -> None:
            await client.connect()
            made.append(client.market_data(AAPL))
            made.append(client.ticker_updates())

        asyncio.run(asyncio.wait_for(start(), WAIT))
        left = client._transport
        ticks, updates = made

        async def read() -> None:
            async for _ in updates:
                pass
            async for _ in ticks:
                pass

        asyncio.run(asyncio.wait_for(read(), WAIT))
        assert not client.is_connected and client._transport is None
        # asyncio closes the left transport's socket as it collects it, and says so.
        with pytest.warns(ResourceWarning, match="unclosed"):
            del left
            gc.collect()


def test_a_call_from_another_event_loop_is_refused_while_the_connection_is_open(
    server_version: int,
) -> None:
    """Nothing there would wake its wait: a clear error, instead of a hang or asyncio's own."""
    with SimulatedGateway(server_version=server_version, seed=3) as gateway:
        client = Client(port=gateway.port, client_id=5, timeout=WAIT, connect_timeout=WAIT)
        home = asyncio.new_event_loop()
        try:
            home.run_until_complete(asyncio.wait_for(client.connect(), WAIT))
            ticks = client.market_data(AAPL)
            trade = client.place(AAPL, LimitOrder("BUY", 1, 1.0))

            async def ask() -> None:
                await client.current_time()

            async def read() -> None:
                await ticks.get()

            async def wait_done() -> None:
                await trade.done()

            async def subscribe() -> None:
                client.market_data(AAPL)

            for call in (ask, read, wait_done, subscribe, client.connect):
                with pytest.raises(RuntimeError, match="another event loop"):
                    asyncio.run(asyncio.wait_for(call(), WAIT))
            assert client._session._pendings == {}
            assert client.is_connected
            assert home.run_until_complete(asyncio.wait_for(client.current_time(), WAIT)) > 0
            home.run_until_complete(asyncio.wait_for(client.disconnect(), WAIT))

            async def again() -> None:
                await client.connect()  # ended in the other loop: this one may connect
                assert await client.current_time() > 0
                await client.disconnect()

            asyncio.run(asyncio.wait_for(again(), WAIT))
        finally:
            home.close()


def test_a_call_from_another_thread_while_the_loop_runs_is_refused(server_version: int) -> None:
    """The client holds no lock: a plain method called from another thread would change
    the session under the loop's feet; it fails at once and names the way to the loop."""

    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3) as gateway:
            client = await connected(gateway.port, heartbeat_interval=None, account_updates=False)
            try:
                loop = asyncio.get_running_loop()
                trade = client.place(AAPL, LimitOrder("BUY", 1, 1.0))
                ticks = client.market_data(AAPL)
                calls: list[Callable[[], object]] = [
                    lambda: client.ticker(AAPL),
                    lambda: client.cancel_ticker(AAPL),
                    lambda: client.place(AAPL, LimitOrder("BUY", 1, 1.0)),
                    lambda: client.market_data(AAPL),
                    lambda: client.req_current_time(),
                    lambda: client.req_mkt_data(AAPL),  # takes a request id first
                    lambda: trade.cancel(),
                    ticks.cancel,
                ]
                pendings = dict(client._session._pendings)
                next_ids = client._session.order_ids.peek(), client._session.request_ids._next

                def from_a_thread(call: Callable[[], object]) -> str:
                    try:
                        call()
                    except RuntimeError as exc:
                        return str(exc)
                    return "went through"

                for call in calls:
                    refused = await loop.run_in_executor(None, from_a_thread, call)
                    assert "a thread other than the one its event loop runs in" in refused
                    assert "call_soon_threadsafe" in refused
                    assert "run_coroutine_threadsafe" in refused
                assert client._session._pendings == pendings
                assert (client._session.order_ids.peek(), client._session.request_ids._next) == next_ids
                assert not trade.is_done() and not ticks.is_done

                # The way the message names: the call runs in the loop.
                def handed_over() -> object:
                    done: concurrent.futures.Future[Ticker] = concurrent.futures.Future()
                    loop.call_soon_threadsafe(lambda: done.set_result(client.ticker(AAPL)))
                    return done.result(WAIT)

                aapl = await loop.run_in_executor(None, handed_over)
                assert aapl is client.ticker(AAPL)
            finally:
                await client.disconnect()

    run(main())


def test_every_ticker_updates_iteration_sees_every_change(server_version: int) -> None:
    """Two readers of ticker_updates() each get the batch, as pendingTickersEvent's listeners do."""

    async def main() -> None:
        clock = FakeClock(1_790_000_000.0)  # frozen: the first quote is the only change
        async with SimulatedGateway(
            server_version=server_version, seed=3, clock=clock, tick_interval=1000.0
        ) as gateway:
            client = await connected(gateway.port, heartbeat_interval=None, account_updates=False)
            try:
                first, second = client.ticker_updates(), client.ticker_updates()
                reads = [
                    asyncio.ensure_future(first.__anext__()),
                    asyncio.ensure_future(second.__anext__()),
                ]
                while len(client._live_waiters) < 2:
                    await asyncio.sleep(0)
                aapl = client.ticker(AAPL)
                assert await asyncio.wait_for(asyncio.gather(*reads), WAIT) == [{aapl}, {aapl}]
                await first.aclose()  # the one left goes on alone
                assert len(client._ticker_readers) == 1
                msft = client.ticker(dataclasses.replace(AAPL, symbol="MSFT"))
                assert await asyncio.wait_for(second.__anext__(), WAIT) == {msft}
                await second.aclose()
                assert client._ticker_readers == []
            finally:
                await client.disconnect()

    run(main())


def test_waits_on_live_objects_cut_short_leave_nothing_behind(server_version: int) -> None:
    """Timed-out waits on a quiet connection do not pile up until the next change."""

    async def main() -> None:
        async with SimulatedGateway(server_version=server_version, seed=3) as gateway:
            client = await connected(gateway.port, heartbeat_interval=None, account_updates=False)
            try:
                assert await client.synced(WAIT)
                for _ in range(5):
                    with pytest.raises(asyncio.TimeoutError):
                        await asyncio.wait_for(client.ticker_updates().__anext__(), 0.001)
                assert client._live_waiters == []
            finally:
                await client.disconnect()

    run(main())


def test_a_close_before_the_connection_is_adopted_is_not_lost() -> None:
    """The peer closes while ``create_connection`` is returning: connect() fails at once."""

    async def main() -> None:
        loop = asyncio.get_running_loop()

        async def slammed(factory: Callable[[], asyncio.Protocol], *args: object) -> Any:
            transport = _ClosedTransport()
            protocol = factory()
            protocol.connection_made(transport)
            transport.closing = True
            protocol.eof_received()
            protocol.connection_lost(None)
            return transport, protocol

        client = Client(port=1, client_id=8, connect_timeout=3 * WAIT)
        loop.create_connection = slammed  # type: ignore[method-assign, assignment]
        try:
            with pytest.raises(ConnectionClosedError, match="closed the connection"):
                await asyncio.wait_for(client.connect(), WAIT)
        finally:
            del loop.create_connection  # type: ignore[method-assign]
        assert not client.is_connected
        await asyncio.wait_for(client.disconnect(), WAIT)

    run(main())


def test_a_second_reader_of_a_subscription_is_refused_and_the_first_is_woken(
    server_version: int,
) -> None:
    async def main() -> None:
        silent = SilentGateway(server_version)
        port = await silent.start()
        client = await connected(port, client_id=9, heartbeat_interval=None)
        try:
            quotes = client.market_data(AAPL)
            first = asyncio.ensure_future(quotes.get())
            await asyncio.sleep(0)  # the first reader is waiting
            with pytest.raises(RuntimeError, match="already waiting"):
                await asyncio.wait_for(quotes.get(), WAIT)
            quotes.cancel()
            with pytest.raises(StopAsyncIteration):
                await asyncio.wait_for(first, WAIT)
        finally:
            await client.disconnect()
            await silent.close()

    run(main())
