"""Connect to TWS or IB Gateway and print the account.

Usage (a paper IB Gateway listens on 4002, paper TWS on 7497)::

    python examples/connect_account.py --port 4002

It prints the server version and time, the managed accounts, an account
summary and the positions, then disconnects.
"""

from __future__ import annotations

import argparse
import time

from ibwire.sync import Client


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=101)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with Client(host=args.host, port=args.port, client_id=args.client_id) as client:
        server_time = client.current_time()
        print(f"server version {client.server_version}, "
              f"server time {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(server_time))}")
        print(f"accounts: {', '.join(client.accounts)}")
        for item in client.account_summary("NetLiquidation,TotalCashValue,BuyingPower"):
            print(f"  {item.account} {item.tag:<16} {item.value:>16} {item.currency}")
        client.synced(timeout=10)  # the positions TWS sends at connect have arrived
        positions = client.positions()
        print(f"{len(positions)} position(s)")
        for position in positions:
            print(f"  {position.account} {position.contract.symbol:<8} "
                  f"{position.position} @ {position.avg_cost:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
