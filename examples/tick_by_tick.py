"""Print tick-by-tick trades (or bid/ask, or midpoints).

Usage::

    python examples/tick_by_tick.py --symbol AAPL --type BidAsk --port 4002

TWS allows three tick-by-tick subscriptions at once, and one request per
instrument every 15 seconds; the client paces the second rule for you.
"""

from __future__ import annotations

import argparse
import time

from ibwire.errors import RequestTimeoutError
from ibwire.messages import Contract, TickByTick
from ibwire.sync import Client


def describe(tick: TickByTick) -> str:
    if tick.mid_point is not None:
        return f"mid {tick.mid_point:.4f}"
    if tick.bid_price is not None:
        return f"bid {tick.bid_price:.2f} x {tick.bid_size}  ask {tick.ask_price:.2f} x {tick.ask_size}"
    return f"trade {tick.size} @ {tick.price:.2f} {tick.exchange}".rstrip()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbol", default="AAPL")
    parser.add_argument("--type", default="Last", choices=["Last", "AllLast", "BidAsk", "MidPoint"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=106)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds to stream")
    parser.add_argument("--limit", type=int, default=None, help="stop after this many ticks")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    contract = Contract(symbol=args.symbol, sec_type="STK", exchange="SMART", currency="USD")
    count = 0
    with Client(host=args.host, port=args.port, client_id=args.client_id) as client:
        deadline = time.monotonic() + args.duration
        with client.tick_by_tick(contract, args.type) as ticks:
            while (left := deadline - time.monotonic()) > 0:
                try:
                    tick = ticks.get(timeout=left)
                except RequestTimeoutError:
                    break
                stamp = time.strftime("%H:%M:%S", time.gmtime(tick.time))
                print(f"{stamp} UTC  {describe(tick)}", flush=True)
                count += 1
                if args.limit is not None and count >= args.limit:
                    break
    print(f"{count} tick(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
