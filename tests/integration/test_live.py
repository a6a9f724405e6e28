"""Live objects through both clients, against the simulator on loopback.

Each test runs once per client: a :class:`Driver` gives the threaded client's
calls directly and runs the asyncio client's on an event loop in a thread of its
own, so one test body covers both.  Waits are bounded and scaled by
``IBWIRE_TEST_TIMEOUT_SCALE``; nothing sleeps.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from ibwire import asyncio as ibasyncio
from ibwire import sync as ibsync
from ibwire.bars import BarList, bar_time
from ibwire.contracts import Stock
from ibwire.errors import (
    AccountUpdatesOffError,
    AmbiguousContractError,
    ApiError,
    ConnectionClosedError,
    ContractNotFoundError,
    ReadOnlyError,
)
from ibwire.live import Ticker, Trade
from ibwire.messages import Contract
from ibwire.orders import LimitOrder, MarketOrder
from ibwire.testing.simulator import SimulatedGateway

SCALE = float(os.environ.get("IBWIRE_TEST_TIMEOUT_SCALE", "1"))
WAIT = 10.0 * SCALE


class Driver:
    """One client, driven from the test's thread whatever its kind."""

    def __init__(self, kind: str, port: int, **options: Any) -> None:
        self.kind = kind
        options.setdefault("client_id", 1)
        options.setdefault("timeout", WAIT)
        options.setdefault("connect_timeout", WAIT)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        if kind == "sync":
            self.client: Any = ibsync.Client(port=port, **options)
        else:
            self.loop = asyncio.new_event_loop()
            self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
            self.thread.start()
            self.client = self._on_loop(self._make_async(port, options))

    async def _make_async(self, port: int, options: dict[str, Any]) -> Any:
        return ibasyncio.Client(port=port, **options)

    def _on_loop(self, coro: Coroutine[Any, Any, Any]) -> Any:
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(WAIT * 2)

    def do(self, call: Callable[[Any], Any]) -> Any:
        """``call(client)``, awaited when it gives an awaitable."""
        if self.loop is None:
            return call(self.client)

        async def run() -> Any:
            result = call(self.client)
            if inspect.isawaitable(result):
                result = await result
            return result

        return self._on_loop(run())

    def wait_trade(self, trade: Trade) -> Trade:
        if self.loop is None:
            return trade.wait(WAIT)
        return self.do(lambda _: asyncio.wait_for(trade.done(), WAIT))  # type: ignore[no-any-return]

    def updated(self) -> set[Ticker]:
        if self.loop is None:
            found: set[Ticker] = self.client.updated_tickers(WAIT)
            return found

        async def next_batch() -> set[Ticker]:
            updates = self.client.ticker_updates()
            return await asyncio.wait_for(anext(updates), WAIT)  # type: ignore[no-any-return]

        return self._on_loop(next_batch())  # type: ignore[no-any-return]

    def until(self, ready: Callable[[], bool]) -> None:
        """Wait for ``ready()``, checked after each read that changed a live object.

        ``ready`` runs on the client's own thread or loop: it reads, never ``do``.
        """
        assert self.do(lambda client: client._wait_for(ready, WAIT)), "condition not met"

    def close(self) -> None:
        if self.loop is not None and self.loop.is_closed():
            return
        self.do(lambda client: client.disconnect())
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            assert self.thread is not None
            self.thread.join(WAIT)
            self.loop.close()


@pytest.fixture
def gateway(server_version: int) -> Iterator[SimulatedGateway]:
    with SimulatedGateway(seed=5, tick_interval=0.02, server_version=server_version) as gw:
        yield gw


@pytest.fixture(params=["sync", "asyncio"])
def connect(request: pytest.FixtureRequest, gateway: SimulatedGateway) -> Iterator[Callable[..., Driver]]:
    drivers: list[Driver] = []

    def make(**options: Any) -> Driver:
        driver = Driver(request.param, gateway.port, **options)
        drivers.append(driver)
        driver.do(lambda client: client.connect())
        return driver

    yield make
    for driver in drivers:
        driver.close()


def _quoted(ticker: Ticker) -> bool:
    shot = ticker.snapshot()
    return shot.bid is not None and shot.ask is not None


# ---------------------------------------------------------------------- contracts


def test_qualify_fills_in_the_contract(connect: Callable[..., Driver]) -> None:
    driver = connect()
    aapl, msft = driver.do(lambda c: c.qualify(Stock("AAPL"), Stock("MSFT")))
    assert aapl.con_id > 0 and aapl.symbol == "AAPL" and aapl.primary_exchange
    assert msft.con_id not in (0, aapl.con_id)


def test_qualify_raises_for_no_contract(connect: Callable[..., Driver]) -> None:
    driver = connect()
    with pytest.raises(ContractNotFoundError):
        driver.do(lambda c: c.qualify(Stock("NOSUCHSYMBOL")))


def test_qualify_raises_for_several_contracts(connect: Callable[..., Driver]) -> None:
    driver = connect()
    vague = Contract(symbol="AAPL", sec_type="OPT", currency="USD", exchange="SMART")
    with pytest.raises((AmbiguousContractError, ContractNotFoundError)):
        driver.do(lambda c: c.qualify(vague))


def _wire(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The wire log so far: ``-> ReqContractData(...``, ``<- ContractData(...``."""
    return [r.getMessage() for r in caplog.records if r.name == "ibwire.wire"]


def test_qualify_sends_every_request_before_the_first_answer(
    connect: Callable[..., Driver], caplog: pytest.LogCaptureFixture
) -> None:
    driver = connect()
    names = ("AAPL", "MSFT", "SPY")
    with caplog.at_level(logging.DEBUG, logger="ibwire.wire"):
        qualified = driver.do(lambda c: c.qualify(*(Stock(name) for name in names)))
    assert [contract.symbol for contract in qualified] == list(names)
    wire = _wire(caplog)
    sent = [i for i, line in enumerate(wire) if line.startswith("-> ReqContractData(")]
    answered = [i for i, line in enumerate(wire) if line.startswith("<- ContractData")]
    assert len(sent) == len(names) and answered
    assert max(sent) < min(answered)


def test_qualify_asks_once_for_a_contract_given_twice(
    connect: Callable[..., Driver], caplog: pytest.LogCaptureFixture
) -> None:
    driver = connect()
    with caplog.at_level(logging.DEBUG, logger="ibwire.wire"):
        aapl, msft, again = driver.do(lambda c: c.qualify(Stock("AAPL"), Stock("MSFT"), Stock("AAPL")))
    assert again == aapl and aapl.con_id > 0 and msft.con_id not in (0, aapl.con_id)
    assert sum(line.startswith("-> ReqContractData(") for line in _wire(caplog)) == 2
    assert driver.do(lambda c: c.qualify()) == []


def test_qualify_failing_for_one_contract_gives_up_the_others(
    connect: Callable[..., Driver], gateway: SimulatedGateway, server_version: int
) -> None:
    """The lookups after the failing one are not left waiting, and cancelled where TWS can (215)."""
    driver = connect()
    missing = Stock("NOSUCHSYMBOL")
    with pytest.raises(ContractNotFoundError) as info:
        driver.do(lambda c: c.qualify(Stock("AAPL"), missing, Stock("MSFT"), Stock("SPY")))
    assert info.value.contract == missing
    assert driver.do(lambda c: c._session._pendings) == {}
    # The answers to the requests given up still arrive; the connection goes on.
    (spy,) = driver.do(lambda c: c.qualify(Stock("SPY")))
    assert spy.symbol == "SPY"
    cancels = gateway.core.unhandled.count("CancelContractData")
    assert cancels == (2 if server_version >= 215 else 0)


# ---------------------------------------------------------------------- tickers


def test_tickers_are_kept_current(connect: Callable[..., Driver]) -> None:
    driver = connect()
    aapl, msft = driver.do(lambda c: c.qualify(Stock("AAPL"), Stock("MSFT")))
    tickers = driver.do(lambda c: c.tickers(aapl, msft))
    assert driver.do(lambda c: c.ticker(aapl)) is tickers[0]
    driver.until(lambda: all(_quoted(t) for t in tickers))
    for ticker in tickers:
        shot = ticker.snapshot()
        assert shot.bid is not None and shot.ask is not None and shot.bid <= shot.ask
        assert shot.midpoint() == pytest.approx((shot.bid + shot.ask) / 2)
        assert shot.time is not None
        # Epoch seconds, not the client's monotonic clock.
        assert abs(shot.time - time.time()) < 60 * SCALE
    changed = driver.updated()
    assert changed and changed <= set(tickers)


def test_a_cancelled_ticker_stops_changing(connect: Callable[..., Driver]) -> None:
    driver = connect()
    (aapl,) = driver.do(lambda c: c.qualify(Stock("AAPL")))
    ticker = driver.do(lambda c: c.ticker(aapl))
    driver.until(lambda: _quoted(ticker))
    assert driver.do(lambda c: c.cancel_ticker(aapl)) is True
    assert driver.do(lambda c: c.cancel_ticker(aapl)) is False
    assert ticker not in driver.do(lambda c: c._session.tickers_live())


@pytest.mark.parametrize("kind", ["sync", "asyncio"])
def test_a_refused_ticker_reports_its_error_and_is_asked_for_again(kind: str) -> None:
    with SimulatedGateway(seed=5, tick_interval=0.02, no_permission=("MSFT",)) as gateway:
        driver = Driver(kind, gateway.port)
        try:
            driver.do(lambda c: c.connect())
            (msft,) = driver.do(lambda c: c.qualify(Stock("MSFT")))
            ticker = driver.do(lambda c: c.ticker(msft))
            driver.until(lambda: driver.client._session.ticker_error(ticker) is not None)
            error = driver.do(lambda c: c.ticker_error(msft))
            assert isinstance(error, ApiError) and error.code == 354
            assert driver.do(lambda c: c.ticker_error(ticker)) is error
            driver.do(lambda c: c.req_market_data_type(3))
            assert driver.do(lambda c: c.ticker(msft)) is ticker
            assert driver.do(lambda c: c.ticker_error(ticker)) is None
            driver.until(lambda: _quoted(ticker))
            assert ticker.market_data_type == 3
        finally:
            driver.close()


# ---------------------------------------------------------------------- trades


def test_a_trade_is_followed_through_its_fill_and_commission(
    connect: Callable[..., Driver],
) -> None:
    driver = connect()
    (aapl,) = driver.do(lambda c: c.qualify(Stock("AAPL")))
    trade = driver.do(lambda c: c.place(aapl, MarketOrder("BUY", 10)))
    assert trade.order_id > 0
    driver.wait_trade(trade)
    assert trade.status == "Filled" and trade.filled == Decimal(10) and trade.remaining == 0
    assert trade.avg_fill_price > 0
    driver.until(lambda: bool(trade.fills) and trade.fills[-1].commission_report is not None)
    assert trade.commission() > 0
    assert trade in driver.do(lambda c: c.trades())
    assert trade not in driver.do(lambda c: c.open_trades())
    assert {f.execution.exec_id for f in trade.fills} <= {
        f.execution.exec_id for f in driver.do(lambda c: c.fills())
    }
    assert [entry.status for entry in trade.log][0] == "PendingSubmit"


def test_a_trade_is_modified_then_cancelled(connect: Callable[..., Driver]) -> None:
    driver = connect()
    (aapl,) = driver.do(lambda c: c.qualify(Stock("AAPL")))
    trade = driver.do(lambda c: c.place(aapl, LimitOrder("BUY", 5, 1.0)))
    driver.until(lambda: trade.status == "Submitted")
    driver.do(lambda c: trade.modify(lmt_price=1.5))
    driver.until(lambda: trade.order.lmt_price == 1.5 and trade.status == "Submitted")
    assert trade in driver.do(lambda c: c.open_trades())
    driver.do(lambda c: trade.cancel())
    driver.wait_trade(trade)
    assert trade.status == "Cancelled"
    assert "Modify" in [entry.message for entry in trade.log]


def test_orders_found_at_connect_become_trades(connect: Callable[..., Driver]) -> None:
    first = connect(client_id=7)
    (aapl,) = first.do(lambda c: c.qualify(Stock("AAPL")))
    trade = first.do(lambda c: c.place(aapl, LimitOrder("BUY", 3, 1.0)))
    first.until(lambda: trade.status == "Submitted")
    first.close()
    again = connect(client_id=7)
    again.until(lambda: any(t.order_id == trade.order_id for t in again.client.trades()))
    (found,) = [t for t in again.do(lambda c: c.trades()) if t.order_id == trade.order_id]
    assert found.status == "Submitted" and found.perm_id == trade.perm_id


def test_a_read_only_client_places_nothing(connect: Callable[..., Driver]) -> None:
    driver = connect(read_only=True)
    (aapl,) = driver.do(lambda c: c.qualify(Stock("AAPL")))
    with pytest.raises(ReadOnlyError):
        driver.do(lambda c: c.place(aapl, MarketOrder("BUY", 1)))
    assert driver.do(lambda c: c.trades()) == []


# ---------------------------------------------------------------------- the account


def test_the_portfolio_is_kept_current(connect: Callable[..., Driver]) -> None:
    driver = connect()
    (aapl,) = driver.do(lambda c: c.qualify(Stock("AAPL")))
    trade = driver.do(lambda c: c.place(aapl, MarketOrder("BUY", 20)))
    driver.wait_trade(trade)
    driver.until(
        lambda: any(
            item.contract.con_id == aapl.con_id and item.position == 20
            for item in driver.client.portfolio()
        )
    )
    (item,) = [i for i in driver.do(lambda c: c.portfolio()) if i.contract.con_id == aapl.con_id]
    assert item.account == driver.do(lambda c: c.accounts)[0]
    assert item.market_price is not None and item.average_cost
    tags = {value.tag for value in driver.do(lambda c: c.account_values())}
    assert "NetLiquidation" in tags


def test_positions_and_pnl_read_the_simulated_account_after_a_fill(
    connect: Callable[..., Driver], gateway: SimulatedGateway
) -> None:
    driver = connect()
    account = driver.do(lambda c: c.accounts)[0]
    (aapl,) = driver.do(lambda c: c.qualify(Stock("AAPL")))
    trade = driver.do(lambda c: c.place(aapl, MarketOrder("BUY", 20)))
    driver.wait_trade(trade)
    (held,) = [p for p in gateway.core.broker.positions(account) if p.instrument.con_id == aapl.con_id]
    realized = round(sum(p.realized for p in gateway.core.broker.positions(account)), 2)
    driver.until(
        lambda: any(
            p.contract.con_id == aapl.con_id and p.position == held.quantity
            for p in driver.client.positions()
        )
    )
    driver.until(lambda: any(p.realized_pnl == realized for p in driver.client.pnl(account)))
    (position,) = [p for p in driver.do(lambda c: c.positions(account)) if p.contract.con_id == aapl.con_id]
    assert (position.account, position.position) == (account, Decimal(20))
    assert position.avg_cost == pytest.approx(held.avg_cost)
    (pnl,) = driver.do(lambda c: c.pnl(account))
    assert (pnl.account, pnl.model_code, pnl.realized_pnl) == (account, "", realized)
    assert pnl.unrealized_pnl is not None and pnl.daily_pnl is not None
    assert driver.do(lambda c: c.positions("U-NONE")) == []
    assert driver.do(lambda c: c.pnl("U-NONE")) == []


def test_no_account_state_when_turned_off(connect: Callable[..., Driver]) -> None:
    driver = connect(account_updates=False)
    driver.do(lambda c: c.current_time())
    reads: list[tuple[str, Callable[[Any], Any]]] = [
        ("portfolio()", lambda c: c.portfolio()),
        ("positions()", lambda c: c.positions()),
        ("account_values()", lambda c: c.account_values()),
        ("account_value()", lambda c: c.account_value("NetLiquidation", "USD")),
        ("pnl()", lambda c: c.pnl()),
    ]
    for name, read in reads:
        with pytest.raises(AccountUpdatesOffError, match="account_updates=False") as caught:
            driver.do(read)
        assert caught.value.call == name
    # Asking TWS still works.
    assert driver.do(lambda c: c.request_positions()) == []


# ---------------------------------------------------------------------- order books


def test_the_order_book_is_sorted(connect: Callable[..., Driver]) -> None:
    driver = connect()
    (aapl,) = driver.do(lambda c: c.qualify(Stock("AAPL")))
    book = driver.do(lambda c: c.order_book(aapl, rows=5))
    driver.until(lambda: len(book.snapshot().bids) >= 2 and len(book.snapshot().asks) >= 2)
    shot = book.snapshot()
    bids = [level.price for level in shot.bids]
    asks = [level.price for level in shot.asks]
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks)
    assert bids[0] < asks[0] and len(bids) <= 5
    assert shot.time is not None and abs(shot.time - time.time()) < 60 * SCALE
    assert driver.do(lambda c: c.order_book_error(book)) is None
    assert driver.do(lambda c: c.cancel_order_book(book)) is True


# ---------------------------------------------------------------------- history


def test_five_days_of_minute_bars_in_regular_hours(connect: Callable[..., Driver]) -> None:
    driver = connect()
    (aapl,) = driver.do(lambda c: c.qualify(Stock("AAPL")))
    seen: list[tuple[int, int]] = []
    start = datetime(2024, 3, 11, tzinfo=timezone.utc)
    end = datetime(2024, 3, 16, tzinfo=timezone.utc)
    bars = driver.do(
        lambda c: c.history(
            aapl, start, end, "1 min", use_rth=True, progress=lambda *p: seen.append(p)
        )
    )
    times = [int(bar.date) for bar in bars]
    assert times == sorted(set(times))
    assert start.timestamp() <= times[0] and times[-1] < end.timestamp()
    days = {time.gmtime(t).tm_mday for t in times}
    assert days == {11, 12, 13, 14, 15}
    assert len(bars) == 5 * 390
    assert seen and seen[-1][0] == seen[-1][1] == len(seen)


def test_history_counts_a_duration_back_to_an_end_that_defaults_to_now(
    connect: Callable[..., Driver],
) -> None:
    driver = connect()
    end = datetime(2024, 3, 16, tzinfo=timezone.utc)
    minutes = driver.do(lambda c: c.history(Stock("AAPL"), timedelta(days=5), end, "1 min"))
    assert isinstance(minutes, BarList) and len(minutes) == 5 * 390
    assert int(minutes[0].date) == int(datetime(2024, 3, 11, 13, 30, tzinfo=timezone.utc).timestamp())
    before = time.time()
    daily = driver.do(lambda c: c.history(Stock("AAPL"), "1 Y"))  # daily bars by default
    assert isinstance(daily, BarList) and 245 <= len(daily) <= 262  # trading days
    dates = [bar_time(bar.date) for bar in daily]
    assert dates == sorted(dates) and len(daily[0].date) == 8
    assert before - 366 * 86400 <= dates[0] and dates[-1] <= time.time()
    with pytest.raises(ValueError, match="duration"):
        driver.do(lambda c: c.history(Stock("AAPL"), "a year"))


def test_days_of_minute_bars_are_trading_days_as_ib_counts_them(
    connect: Callable[..., Driver],
) -> None:
    driver = connect()
    (aapl,) = driver.do(lambda c: c.qualify(Stock("AAPL")))
    seen: list[tuple[int, int]] = []
    monday = datetime(2024, 3, 11, 18, tzinfo=timezone.utc)  # 14:00 New York
    bars = driver.do(
        lambda c: c.history(aapl, "5 D", monday, "1 min", progress=lambda *p: seen.append(p))
    )
    days = sorted({time.gmtime(int(bar.date)).tm_mday for bar in bars})
    assert days == [5, 6, 7, 8, 11]  # the weekend is no day
    assert len(bars) == 4 * 390 + 270
    assert seen == [(n, 5) for n in range(1, 6)]
    # A week holds five: the same bars as from Tuesday 09:30 to the end.
    start = datetime(2024, 3, 5, 14, 30, tzinfo=timezone.utc)
    assert driver.do(lambda c: c.history(aapl, start, monday, "1 min")) == bars


# ---------------------------------------------------------------------- cancel by criteria


def test_cancel_orders_right_after_connect_touches_only_this_client(
    connect: Callable[..., Driver],
) -> None:
    first = connect(client_id=7)
    other = connect(client_id=8)
    (aapl,) = first.do(lambda c: c.qualify(Stock("AAPL")))
    mine = first.do(lambda c: c.place(aapl, LimitOrder("BUY", 3, 1.0)))
    theirs = other.do(lambda c: c.place(aapl, LimitOrder("BUY", 4, 1.0)))
    first.until(lambda: mine.status == "Submitted")
    other.until(lambda: theirs.status == "Submitted")
    first.close()
    again = connect(client_id=7)
    again.do(lambda c: c.cancel_orders(symbol="AAPL"))
    again.until(
        lambda: any(t.order_id == mine.order_id and t.status == "Cancelled" for t in again.client.trades())
    )
    other.do(lambda c: c.current_time())
    assert theirs.status == "Submitted"
    with pytest.raises(ValueError, match="client id 0"):
        again.do(lambda c: c.cancel_orders(symbol="AAPL", scope="all"))


# ---------------------------------------------------------------------- threads


def test_callbacks_run_with_no_lock_held_and_readers_take_snapshots(
    gateway: SimulatedGateway,
) -> None:
    """The threaded client: user code never runs under the client's locks.

    The wrapper's callbacks run on the reader thread with neither the session
    lock nor the live objects' condition held; another thread reads the trade and
    the ticker (snapshots) while the reader writes them.
    """
    held: list[bool] = []

    class Watch(ibsync.Wrapper):
        def order_status(self, message: object) -> None:
            held.append(client._lock._is_owned() or client._live_changed._is_owned())

    client = ibsync.Client(Watch(), port=gateway.port, client_id=3, timeout=WAIT)
    client.connect()
    try:
        (aapl,) = client.qualify(Stock("AAPL"))
        ticker = client.ticker(aapl)
        stop = threading.Event()
        shots: list[Any] = []

        def read() -> None:
            while not stop.is_set():
                shots.append(ticker.snapshot())

        reader = threading.Thread(target=read)
        reader.start()
        trade = client.place(aapl, MarketOrder("BUY", 1)).wait(WAIT)
        for _ in range(5):
            client.updated_tickers(WAIT)
        stop.set()
        reader.join(WAIT)
    finally:
        client.disconnect()
    assert trade.snapshot().status == "Filled"
    assert held and not any(held)
    times = [shot.time for shot in shots if shot.time is not None]
    assert times and times == sorted(times)


# ---------------------------------------------------------------------- reconnect


def test_trades_survive_a_reconnect_without_duplicates(
    connect: Callable[..., Driver], gateway: SimulatedGateway
) -> None:
    policy = ibsync.ReconnectPolicy(initial_delay=0.01, max_delay=0.05, jitter=0.5)
    driver = connect(client_id=9, reconnect=policy)
    (aapl,) = driver.do(lambda c: c.qualify(Stock("AAPL")))
    working = driver.do(lambda c: c.place(aapl, LimitOrder("BUY", 2, 1.0)))
    filled = driver.do(lambda c: c.place(aapl, MarketOrder("BUY", 1)))
    driver.wait_trade(filled)
    driver.until(lambda: working.status == "Submitted")
    before = len(driver.do(lambda c: c.fills()))
    gateway.drop_clients(9)
    driver.until(lambda: not driver.client.is_connected)
    driver.do(lambda c: c.synced(WAIT))
    assert driver.do(lambda c: c.is_connected)
    trades = driver.do(lambda c: c.trades())
    assert [t.order_id for t in trades].count(working.order_id) == 1
    assert [t.order_id for t in trades].count(filled.order_id) == 1
    assert working in trades and filled in trades
    assert len(driver.do(lambda c: c.fills())) == before
    assert len(filled.fills) == 1


def test_waiting_for_a_trade_ends_when_the_connection_does(
    connect: Callable[..., Driver], gateway: SimulatedGateway
) -> None:
    driver = connect(client_id=12)
    (aapl,) = driver.do(lambda c: c.qualify(Stock("AAPL")))
    trade = driver.do(lambda c: c.place(aapl, LimitOrder("BUY", 2, 1.0)))
    driver.until(lambda: trade.status == "Submitted")
    gateway.drop_clients(12)
    with pytest.raises(ConnectionClosedError):
        driver.wait_trade(trade)


# ---------------------------------------------------------------------- old servers


@pytest.mark.parametrize("kind", ["sync", "asyncio"])
@pytest.mark.parametrize("version", [100, 126, 146])
def test_what_users_do_works_on_an_old_server_without_a_warning(
    kind: str, version: int, caplog: pytest.LogCaptureFixture
) -> None:
    policy = ibsync.ReconnectPolicy(initial_delay=0.01, max_delay=0.05, jitter=0.5)
    with SimulatedGateway(
        seed=5, tick_interval=0.02, server_version=version, accounts=("DU1", "DU2")
    ) as gateway, caplog.at_level(logging.WARNING, logger="ibwire"):
        driver = Driver(kind, gateway.port, client_id=3, reconnect=policy, account="DU1")
        try:
            driver.do(lambda c: c.connect())
            assert driver.do(lambda c: c.server_version) == version
            assert driver.do(lambda c: c.synced(WAIT))
            (aapl,) = driver.do(lambda c: c.qualify(Stock("AAPL")))
            ticker = driver.do(lambda c: c.ticker(aapl))
            book = driver.do(lambda c: c.order_book(aapl, rows=5))
            driver.until(lambda: _quoted(ticker) and bool(book.snapshot().bids))
            assert driver.do(lambda c: c.history(aapl, "5 D"))
            trade = driver.do(lambda c: c.place(aapl, LimitOrder("BUY", 2, 1.0)))
            driver.until(lambda: trade.status == "Submitted")
            gateway.drop_clients(3)
            driver.until(lambda: not driver.client.is_connected)
            assert driver.do(lambda c: c.synced(WAIT))
            assert driver.do(lambda c: c.cancel_orders(symbol="AAPL")) == [trade.order_id]
            driver.wait_trade(trade)
            assert driver.do(lambda c: c.account_value("NetLiquidation", "USD", "DU1"))
        finally:
            driver.close()
    problems = [
        r.getMessage() for r in caplog.records
        if r.levelno >= logging.WARNING and "connection to TWS ended" not in r.getMessage()
    ]
    assert problems == []
