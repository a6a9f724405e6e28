"""ib_async 2.1.0 against the simulator, over loopback: connect, qualify, stream, fill, positions.

The simulator is a gateway for any TWS API client; this runs ib_async's own
start-up sequence (positions, open and completed orders, account updates, the
per-account multi updates, executions) and fails if any of it waits for its
timeout (``raiseSyncErrors``).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from ibwire.testing._server import timeout_scale
from ibwire.testing.simulator import SimulatedGateway

ib_async = pytest.importorskip("ib_async", reason="ib_async is not installed (pip install ib_async==2.1.0)")

OPEN = 1_710_168_000.0  # Monday 2024-03-11 14:40 UTC: US equities trade
TIMEOUT = 10.0 * timeout_scale()


def test_ib_async_connects_streams_fills_and_sees_the_position() -> None:
    started = time.monotonic()
    gateway = SimulatedGateway(seed=5, clock=lambda: OPEN + (time.monotonic() - started), tick_interval=0.1)
    # ib_async runs on the thread's current event loop: give it its own, closed at the end.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    ib = ib_async.IB()
    with gateway:
        try:
            began = time.monotonic()
            ib.connect("127.0.0.1", gateway.port, clientId=3, timeout=TIMEOUT, raiseSyncErrors=True)
            connect_seconds = time.monotonic() - began
            assert connect_seconds < 3.0 * timeout_scale(), connect_seconds
            assert ib.managedAccounts() == ["DU0000001"]
            assert any(v.tag == "NetLiquidation" for v in ib.accountValues())

            (contract,) = ib.qualifyContracts(ib_async.Stock("AAPL", "SMART", "USD"))
            assert contract.conId == 265598 and contract.primaryExchange == "NASDAQ"

            ticker = ib.reqMktData(contract)
            deadline = time.monotonic() + TIMEOUT
            while not (ticker.bid > 0 and ticker.ask > 0) and time.monotonic() < deadline:
                ib.sleep(0.05)
            assert 0 < ticker.bid < ticker.ask

            trade = ib.placeOrder(contract, ib_async.MarketOrder("BUY", 100))
            deadline = time.monotonic() + TIMEOUT
            while not trade.isDone() and time.monotonic() < deadline:
                ib.sleep(0.05)
            assert trade.orderStatus.status == "Filled"
            assert sum(f.execution.shares for f in trade.fills) == 100
            assert all(f.commissionReport.commission > 0 for f in trade.fills)

            deadline = time.monotonic() + TIMEOUT
            while not ib.positions() and time.monotonic() < deadline:
                ib.sleep(0.05)
            (position,) = ib.positions()
            assert position.contract.conId == 265598 and position.position == 100
            # IB's average cost: the fill price plus the commission per share.
            fills = trade.fills
            cost = sum(f.execution.shares * f.execution.price for f in fills) + sum(f.commissionReport.commission for f in fills)
            assert position.avgCost == pytest.approx(cost / 100)
            ib.cancelMktData(contract)

            # An option quote carries the model's greeks.
            chains = ib.reqSecDefOptParams("AAPL", "", "STK", 265598)
            expiry, strike = sorted(chains[0].expirations)[-1], 200.0
            (call,) = ib.qualifyContracts(ib_async.Option("AAPL", expiry, strike, "C", "SMART"))
            option_ticker = ib.reqMktData(call)
            deadline = time.monotonic() + TIMEOUT
            while option_ticker.modelGreeks is None and time.monotonic() < deadline:
                ib.sleep(0.05)
            greeks = option_ticker.modelGreeks
            assert greeks is not None and 0 < greeks.delta < 1 and greeks.undPrice > 0
            ib.cancelMktData(call)
        finally:
            ib.disconnect()
            loop.run_until_complete(asyncio.sleep(0.05))  # let the transport finish closing
            loop.close()
            asyncio.set_event_loop(None)


def test_ib_async_what_if_order_gets_its_preview() -> None:
    # ib_async negotiates server version 178, below the margin currency of an order state (195).
    started = time.monotonic()
    gateway = SimulatedGateway(seed=3, clock=lambda: OPEN + (time.monotonic() - started), tick_interval=0.1)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    ib = ib_async.IB()
    ib.RequestTimeout = TIMEOUT
    with gateway:
        try:
            ib.connect("127.0.0.1", gateway.port, clientId=5, timeout=TIMEOUT, raiseSyncErrors=True)
            (contract,) = ib.qualifyContracts(ib_async.Stock("AAPL", "SMART", "USD"))
            state = ib.whatIfOrder(contract, ib_async.MarketOrder("BUY", 1000))
            assert float(state.initMarginChange) > 0 and state.commission > 0
            assert gateway.core.send_failures == []
        finally:
            ib.disconnect()
            loop.run_until_complete(asyncio.sleep(0.05))
            loop.close()
            asyncio.set_event_loop(None)
