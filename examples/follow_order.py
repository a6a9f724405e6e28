"""Follow an order to its fill: status changes, fills and commissions."""

from __future__ import annotations

import argparse

from ibwire.contracts import Stock
from ibwire.orders import MarketOrder
from ibwire.sync import Client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("symbol", nargs="?", default="AAPL")
    parser.add_argument("--quantity", type=int, default=100)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=22)
    args = parser.parse_args(argv)
    with Client(host=args.host, port=args.port, client_id=args.client_id) as ib:
        (contract,) = ib.qualify(Stock(args.symbol))
        trade = ib.place(contract, MarketOrder("BUY", args.quantity)).wait(timeout=30)
        for entry in trade.log:
            print(f"{entry.status:<14} {entry.message}")
        for fill in ib.fills():
            report = fill.commission_report
            print(f"fill {fill.execution.shares} @ {fill.execution.price:.2f}"
                  f"  commission {report.commission_and_fees if report else 'pending'}")
        print(f"{trade.status}: {trade.filled} at {trade.avg_fill_price:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
