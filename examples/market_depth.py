"""Print the order book (market depth) of a contract as it changes.

Usage::

    python examples/market_depth.py --symbol AAPL --rows 5 --port 4002

Depth needs a Level II subscription on a live account; accounts have three
depth lines by default (the client refuses a fourth before sending it).
"""

from __future__ import annotations

import argparse
import time

from ibwire.errors import RequestTimeoutError
from ibwire.messages import Contract, MarketDepth, MarketDepthL2
from ibwire.sync import Client

INSERT, UPDATE, DELETE = 0, 1, 2


def apply(book: dict[int, list[tuple[float, str]]], message: MarketDepth | MarketDepthL2) -> None:
    """Apply one depth message to a side of the book (0: ask, 1: bid)."""
    rows = book.setdefault(message.side, [])
    entry = (message.price, str(message.size))
    if message.operation == INSERT:
        rows.insert(message.position, entry)
    elif message.operation == UPDATE and message.position < len(rows):
        rows[message.position] = entry
    elif message.operation == UPDATE:
        rows.append(entry)
    elif message.operation == DELETE and message.position < len(rows):
        del rows[message.position]


def show(book: dict[int, list[tuple[float, str]]], rows: int) -> None:
    bids, asks = book.get(1, []), book.get(0, [])
    print(f"{'bid size':>10} {'bid':>9} | {'ask':<9} {'ask size':<10}")
    for i in range(rows):
        bid_size, bid = (bids[i][1], f"{bids[i][0]:.2f}") if i < len(bids) else ("", "")
        ask_size, ask = (asks[i][1], f"{asks[i][0]:.2f}") if i < len(asks) else ("", "")
        print(f"{bid_size:>10} {bid:>9} | {ask:<9} {ask_size:<10}".rstrip())
    print(flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbol", default="AAPL")
    parser.add_argument("--rows", type=int, default=5)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=103)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds to stream")
    parser.add_argument("--limit", type=int, default=None, help="stop after this many books")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    contract = Contract(symbol=args.symbol, sec_type="STK", exchange="SMART", currency="USD")
    book: dict[int, list[tuple[float, str]]] = {}
    shown = 0
    with Client(host=args.host, port=args.port, client_id=args.client_id) as client:
        deadline = time.monotonic() + args.duration
        with client.market_depth(contract, args.rows, is_smart_depth=True) as depth:
            while (left := deadline - time.monotonic()) > 0:
                try:
                    message = depth.get(timeout=left)
                except RequestTimeoutError:
                    break
                if not isinstance(message, MarketDepth | MarketDepthL2):
                    continue
                apply(book, message)
                # A full book is shown once both sides have all their rows.
                if len(book.get(0, [])) >= args.rows and len(book.get(1, [])) >= args.rows:
                    show(book, args.rows)
                    shown += 1
                    if args.limit is not None and shown >= args.limit:
                        break
    print(f"{shown} book(s) shown")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
