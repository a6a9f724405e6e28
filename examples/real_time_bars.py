"""Print 5-second real-time bars as they close.

Usage::

    python examples/real_time_bars.py --symbol AAPL --what MIDPOINT --port 4002
"""

from __future__ import annotations

import argparse
import time

from ibwire.errors import RequestTimeoutError
from ibwire.messages import Contract
from ibwire.sync import Client


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbol", default="AAPL")
    parser.add_argument("--what", default="TRADES", help="TRADES, MIDPOINT, BID or ASK")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=105)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds to stream")
    parser.add_argument("--limit", type=int, default=None, help="stop after this many bars")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    contract = Contract(symbol=args.symbol, sec_type="STK", exchange="SMART", currency="USD")
    count = 0
    with Client(host=args.host, port=args.port, client_id=args.client_id) as client:
        deadline = time.monotonic() + args.duration
        with client.real_time_bars(contract, args.what) as bars:
            while (left := deadline - time.monotonic()) > 0:
                try:
                    bar = bars.get(timeout=left)
                except RequestTimeoutError:
                    break
                stamp = time.strftime("%H:%M:%S", time.gmtime(bar.time))
                print(f"{stamp} UTC  open {bar.open:.2f}  high {bar.high:.2f}  "
                      f"low {bar.low:.2f}  close {bar.close:.2f}  volume {bar.volume}", flush=True)
                count += 1
                if args.limit is not None and count >= args.limit:
                    break
    print(f"{count} bar(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
