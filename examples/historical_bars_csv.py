"""Download historical bars and write them to a CSV file.

Usage::

    python examples/historical_bars_csv.py --symbol AAPL --duration "5 D" \
        --bar-size "1 hour" -o aapl.csv --port 4002

One request; for long spans in paced, resumable chunks use the command
``ibwire history`` instead.
"""

from __future__ import annotations

import argparse
import csv
import sys

from ibwire.messages import Contract
from ibwire.sync import Client


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbol", default="AAPL")
    parser.add_argument("--duration", default="5 D", help='how far back, e.g. "5 D"')
    parser.add_argument("--bar-size", default="1 hour", help='e.g. "1 min", "1 hour", "1 day"')
    parser.add_argument("--what", default="TRADES", help="TRADES, MIDPOINT, BID, ASK...")
    parser.add_argument("-o", "--output", default="-", help="the CSV file ('-': standard output)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=104)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    contract = Contract(symbol=args.symbol, sec_type="STK", exchange="SMART", currency="USD")
    with Client(host=args.host, port=args.port, client_id=args.client_id) as client:
        bars = client.historical_bars(
            contract, args.duration, args.bar_size, args.what, use_rth=True, timeout=60
        )
    out = sys.stdout if args.output == "-" else open(args.output, "w", newline="")
    try:
        writer = csv.writer(out)
        writer.writerow(["date", "open", "high", "low", "close", "volume", "wap", "bar_count"])
        for bar in bars:
            writer.writerow([bar.date, bar.open, bar.high, bar.low, bar.close,
                             bar.volume, bar.wap, bar.bar_count])
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"{len(bars)} bars of {args.symbol} written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
