"""A year of daily bars and five days of minute bars into pandas (printed without it)."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone

from ibwire.contracts import Stock
from ibwire.frames import to_frame
from ibwire.sync import Client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("symbol", nargs="?", default="AAPL")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=24)
    args = parser.parse_args(argv)
    now = datetime.now(timezone.utc)
    with Client(host=args.host, port=args.port, client_id=args.client_id) as ib:
        (contract,) = ib.qualify(Stock(args.symbol))
        daily = ib.history(contract, now - timedelta(days=365), now, "1 day")
        minutes = ib.history(contract, now - timedelta(days=5), now, "1 min")
    for name, bars in (("daily", daily), ("1 min", minutes)):
        try:
            print(f"{name}: {len(bars)} bars\n{to_frame(bars).tail(3)}")
        except ImportError:  # no pandas
            print(f"{name}: {len(bars)} bars\n{bars[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
