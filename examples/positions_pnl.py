"""Print the positions, then stream the account's and each position's P&L.

Usage::

    python examples/positions_pnl.py --port 4002 --duration 30

TWS sends P&L about once a second per subscription.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from ibwire.errors import RequestTimeoutError
from ibwire.sync import Client, Subscription


def money(value: float | None) -> str:
    return "     n/a" if value is None else f"{value:+12,.2f}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=110)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds to stream P&L")
    parser.add_argument("--limit", type=int, default=None, help="stop after this many updates")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with Client(host=args.host, port=args.port, client_id=args.client_id) as client:
        client.synced(timeout=10)  # the positions TWS sends at connect have arrived
        positions = [p for p in client.positions() if p.position]
        print(f"{len(positions)} open position(s)")
        for p in positions:
            print(f"  {p.account} {p.contract.symbol:<8} {p.contract.sec_type:<4} "
                  f"{p.position} @ {p.avg_cost:.2f}")
        account = client.accounts[0]
        streams: list[tuple[str, Subscription[Any]]] = [("account", client.pnl_updates(account))]
        for p in positions:
            streams.append((p.contract.symbol, client.pnl_single(p.account, p.contract.con_id)))
        count = 0
        deadline = time.monotonic() + args.duration
        try:
            # One update of each stream per round: P&L arrives about once a second.
            while time.monotonic() < deadline:
                for name, stream in streams:
                    try:
                        pnl = stream.get(timeout=max(0.0, deadline - time.monotonic()))
                    except RequestTimeoutError:
                        break
                    print(f"{name:<8} daily {money(pnl.daily_pnl)}  "
                          f"unrealized {money(pnl.unrealized_pnl)}  "
                          f"realized {money(pnl.realized_pnl)}", flush=True)
                    count += 1
                if args.limit is not None and count >= args.limit:
                    break
        finally:
            for _, stream in streams:
                stream.cancel()
    print(f"{count} P&L update(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
