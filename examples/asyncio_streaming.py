"""Stream quotes for several stocks at once with the asyncio client.

Usage::

    python examples/asyncio_streaming.py AAPL MSFT SPY --port 4002 --duration 10

One task per symbol iterates its subscription with ``async for``; leaving the
``async with`` block cancels it at TWS.  No thread, no nested event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from ibwire.asyncio import Client
from ibwire.messages import Contract, TickPrice, TickType

PRICES: dict[int, str] = {
    TickType.BID: "bid", TickType.ASK: "ask", TickType.LAST: "last",
    TickType.DELAYED_BID: "bid", TickType.DELAYED_ASK: "ask", TickType.DELAYED_LAST: "last",
}


async def watch(client: Client, symbol: str, limit: int | None) -> int:
    """Print ``symbol``'s price ticks; return how many (stops after ``limit``)."""
    contract = Contract(symbol=symbol, sec_type="STK", exchange="SMART", currency="USD")
    count = 0
    async with client.market_data(contract) as ticks:
        async for tick in ticks:
            if isinstance(tick, TickPrice) and tick.tick_type in PRICES:
                print(f"{symbol:<6} {PRICES[tick.tick_type]:<4} {tick.price:>10.2f}", flush=True)
                count += 1
                if limit is not None and count >= limit:
                    break
    return count


async def run(args: argparse.Namespace) -> int:
    async with Client(host=args.host, port=args.port, client_id=args.client_id) as client:
        client.req_market_data_type(3)
        print(f"connected: server version {client.server_version}, "
              f"server time {await client.current_time()}")
        tasks = [asyncio.create_task(watch(client, s, args.limit)) for s in args.symbols]
        done, pending = await asyncio.wait(tasks, timeout=args.duration)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        total = sum(task.result() for task in done)
    print(f"{len(done)} of {len(tasks)} stream(s) reached their limit; {total} ticks from them")
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("symbols", nargs="*", default=["AAPL", "MSFT", "SPY"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=112)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds to stream")
    parser.add_argument("--limit", type=int, default=None, help="ticks per symbol, then stop")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
