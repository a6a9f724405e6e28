"""A portfolio report: positions with their value and P&L, and the account's totals."""

from __future__ import annotations

import argparse

from ibwire.sync import Client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=23)
    args = parser.parse_args(argv)
    with Client(host=args.host, port=args.port, client_id=args.client_id) as ib:
        ib.synced(timeout=10)
        for item in ib.portfolio():
            print(f"{item.account} {item.contract.symbol:<6} {item.position:>8} "
                  f"value {item.market_value or 0:>12,.2f}  unrealized {item.unrealized_pnl or 0:>10,.2f}")
        for value in ib.account_values():
            if value.tag in ("NetLiquidation", "TotalCashValue", "BuyingPower"):
                print(f"{value.account} {value.tag:<16} {value.value:>16} {value.currency}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
