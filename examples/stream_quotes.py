"""Stream top-of-book quotes for a few stocks, EWrapper style.

Usage::

    python examples/stream_quotes.py AAPL MSFT --port 4002 --duration 30

Callbacks of a :class:`~ibwire.sync.Wrapper` subclass receive the ticks on the
client's reader thread.  The client remembers the ``req_mkt_data`` requests and
sends them again after a reconnect.  Without a market data subscription TWS
sends delayed ticks instead (``req_market_data_type(3)``).
"""

from __future__ import annotations

import argparse
import threading

from ibwire.messages import Contract, ErrMsg, TickPrice, TickType
from ibwire.sync import Client, Wrapper

BID = {TickType.BID, TickType.DELAYED_BID}
ASK = {TickType.ASK, TickType.DELAYED_ASK}
LAST = {TickType.LAST, TickType.DELAYED_LAST}


class Quotes(Wrapper):
    """Keeps the latest bid, ask and last per request id and prints each change."""

    def __init__(self, limit: int | None) -> None:
        self.symbols: dict[int, str] = {}
        self.quotes: dict[int, dict[str, float]] = {}
        self.limit = limit
        self.count = 0
        self.done = threading.Event()

    def tick_price(self, message: TickPrice) -> None:
        side = ("bid" if message.tick_type in BID else "ask" if message.tick_type in ASK
                else "last" if message.tick_type in LAST else None)
        if side is None or message.req_id not in self.symbols or self.done.is_set():
            return
        quote = self.quotes.setdefault(message.req_id, {})
        quote[side] = message.price
        print(f"{self.symbols[message.req_id]:<6} bid {quote.get('bid', 0):>9.2f}  "
              f"ask {quote.get('ask', 0):>9.2f}  last {quote.get('last', 0):>9.2f}", flush=True)
        self.count += 1
        if self.limit is not None and self.count >= self.limit:
            self.done.set()

    def error(self, message: ErrMsg) -> None:
        print(f"TWS {message.error_code}: {message.error_string}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("symbols", nargs="*", default=["AAPL", "MSFT"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=102)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds to stream")
    parser.add_argument("--limit", type=int, default=None, help="stop after this many updates")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    quotes = Quotes(args.limit)
    with Client(quotes, host=args.host, port=args.port, client_id=args.client_id) as client:
        client.req_market_data_type(3)  # live where subscribed, delayed elsewhere
        for symbol in args.symbols:
            contract = Contract(symbol=symbol, sec_type="STK", exchange="SMART", currency="USD")
            req_id = client.next_request_id()
            quotes.symbols[req_id] = symbol
            client.req_mkt_data(contract, req_id=req_id)
        quotes.done.wait(args.duration)
        for req_id in quotes.symbols:
            client.cancel_mkt_data(req_id)
    print(f"{quotes.count} quote updates")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
