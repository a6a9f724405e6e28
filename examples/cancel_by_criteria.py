"""Cancel open orders by criteria (symbol, order reference, side...).

Usage::

    python examples/cancel_by_criteria.py --port 4002

It places three limit orders far from the market on a paper account (two AAPL
orders tagged ``grid``, one MSFT order), cancels the AAPL ``grid`` orders with
``cancel_orders(symbol="AAPL", order_ref="grid")``, then the rest by symbol.
``cancel_orders`` chooses among the orders this client placed and still tracks;
``global_cancel()`` cancels everything of the account, whoever placed it.
"""

from __future__ import annotations

import argparse
import queue
import time
from decimal import Decimal

from ibwire.messages import Contract, Order, OrderStatus
from ibwire.sync import Client, Wrapper

PAPER_PREFIXES = ("DU", "DF")


class Statuses(Wrapper):
    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[OrderStatus] = queue.SimpleQueue()

    def order_status(self, message: OrderStatus) -> None:
        self.queue.put(message)


def wait_for(statuses: Statuses, order_ids: set[int], wanted: str, timeout: float) -> set[int]:
    """Wait until every order in ``order_ids`` reports ``wanted``; return those that did."""
    reached: set[int] = set()
    deadline = time.monotonic() + timeout
    while reached != order_ids and (left := deadline - time.monotonic()) > 0:
        try:
            status = statuses.queue.get(timeout=left)
        except queue.Empty:
            break
        if status.order_id in order_ids and status.status == wanted:
            reached.add(status.order_id)
    return reached


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=109)
    parser.add_argument("--timeout", type=float, default=10.0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    statuses = Statuses()
    aapl = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
    msft = Contract(symbol="MSFT", sec_type="STK", exchange="SMART", currency="USD")
    with Client(statuses, host=args.host, port=args.port, client_id=args.client_id) as client:
        if not all(account.startswith(PAPER_PREFIXES) for account in client.accounts):
            print(f"refusing to trade: {client.accounts} is not a paper account")
            return 2
        placed = {}
        # Limit prices far below the market: the orders rest, nothing fills.
        for contract, price, ref in ((aapl, 50.0, "grid"), (aapl, 51.0, "grid"), (msft, 60.0, "")):
            order = Order(action="BUY", order_type="LMT", total_quantity=Decimal(1),
                          lmt_price=price, order_ref=ref, tif="DAY")
            placed[client.place_order(contract, order)] = f"{contract.symbol} @ {price} {ref}"
        working = wait_for(statuses, set(placed), "Submitted", args.timeout)
        print(f"working: {sorted(working)}")

        first = client.cancel_orders(symbol="AAPL", order_ref="grid")
        print(f"cancel_orders(symbol='AAPL', order_ref='grid') -> {first}")
        for order_id in sorted(wait_for(statuses, set(first), "Cancelled", args.timeout)):
            print(f"  #{order_id} {placed[order_id]}: Cancelled")

        rest = client.cancel_orders(symbol="MSFT")
        print(f"cancel_orders(symbol='MSFT') -> {rest}")
        for order_id in sorted(wait_for(statuses, set(rest), "Cancelled", args.timeout)):
            print(f"  #{order_id} {placed[order_id]}: Cancelled")
        print(f"still tracked: {[t.order_id for t in client.tracked_orders]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
