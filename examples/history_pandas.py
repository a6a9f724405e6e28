"""A year of daily bars and five days of minute bars into pandas (printed without it)."""

from __future__ import annotations

import argparse

from ibwire.contracts import Stock
from ibwire.sync import Client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("symbol", nargs="?", default="AAPL")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=24)
    args = parser.parse_args(argv)
    with Client(host=args.host, port=args.port, client_id=args.client_id) as ib:
        daily = ib.history(Stock(args.symbol), "1 Y", bar_size="1 day")
        minutes = ib.history(Stock(args.symbol), "5 D", bar_size="1 min")
    for name, bars in (("daily", daily), ("1 min", minutes)):
        try:
            print(f"{name}: {len(bars)} bars\n{bars.to_frame().tail(3)}")
        except ImportError:  # no pandas
            print(f"{name}: {len(bars)} bars\n{bars[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
