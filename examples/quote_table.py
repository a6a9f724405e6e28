"""A live quote table: 20 stocks, redrawn as their tickers change."""

from __future__ import annotations

import argparse

from ibwire.contracts import Stock
from ibwire.sync import Client

SYMBOLS = "AAPL MSFT AMZN GOOGL META NVDA TSLA JPM V JNJ WMT PG MA HD DIS BAC XOM KO PEP SPY"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("symbols", nargs="*", default=SYMBOLS.split())
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=21)
    parser.add_argument("--updates", type=int, default=20, help="redraw this many times")
    args = parser.parse_args(argv)
    with Client(host=args.host, port=args.port, client_id=args.client_id) as ib:
        tickers = ib.tickers(*ib.qualify(*(Stock(symbol) for symbol in args.symbols)))
        for _ in range(args.updates):
            ib.updated_tickers(timeout=5)
            for t in (t.snapshot() for t in tickers):
                print(f"{t.contract.symbol:<6} bid {t.bid or 0:>9.2f}  ask {t.ask or 0:>9.2f}  "
                      f"last {t.last or 0:>9.2f}  volume {t.volume or 0}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
