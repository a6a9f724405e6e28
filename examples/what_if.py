"""Check the margin and commission of an order without placing it (what-if).

Usage::

    python examples/what_if.py --symbol AAPL --action BUY --quantity 100 --port 4002

Nothing is placed, so this works on a read-only client too.
"""

from __future__ import annotations

import argparse
from decimal import Decimal

from ibwire.messages import Contract, Order
from ibwire.sync import Client


def money(value: float | None) -> str:
    return f"{'-':>14}" if value is None else f"{value:>14,.2f}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbol", default="AAPL")
    parser.add_argument("--action", default="BUY", choices=["BUY", "SELL"])
    parser.add_argument("--quantity", type=int, default=100)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=108)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    contract = Contract(symbol=args.symbol, sec_type="STK", exchange="SMART", currency="USD")
    order = Order(action=args.action, order_type="MKT", total_quantity=Decimal(args.quantity))
    with Client(host=args.host, port=args.port, client_id=args.client_id,
                read_only=True) as client:
        state = client.what_if(contract, order)
    print(f"what if: {args.action} {args.quantity} {args.symbol} at market")
    print(f"{'':<22}{'before':>14}{'change':>14}{'after':>14}")
    print(f"{'initial margin':<22}{money(state.init_margin_before)}"
          f"{money(state.init_margin_change)}{money(state.init_margin_after)}")
    print(f"{'maintenance margin':<22}{money(state.maint_margin_before)}"
          f"{money(state.maint_margin_change)}{money(state.maint_margin_after)}")
    print(f"{'equity with loan':<22}{money(state.equity_with_loan_before)}"
          f"{money(state.equity_with_loan_change)}{money(state.equity_with_loan_after)}")
    print(f"commission: {state.commission_and_fees} {state.commission_and_fees_currency}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
