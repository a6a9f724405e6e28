"""Place a bracket order on a paper account and follow its status transitions.

Usage::

    python examples/bracket_order.py --symbol AAPL --quantity 10 --port 4002

The entry is a marketable limit order priced ``--through`` percent above the
ask, so it fills at once even when the quote moves before it lands, yet never
far from the market; a take-profit above the entry's limit and a stop-loss
below the bid protect it.  TWS holds the entry and the take-profit until the
stop-loss (the only one with ``transmit=True``) arrives, so nothing can fill
before the whole bracket is in place.  When ``--duration`` ends, what is still
working is cancelled and the script waits for the cancels to be confirmed.
The script refuses to run on a live account.
"""

from __future__ import annotations

import argparse
import queue
import time

from ibwire.messages import Contract, ExecutionData, OrderStatus, TickPrice, TickType
from ibwire.sync import Client, Wrapper

PAPER_PREFIXES = ("DU", "DF")
DONE = {"Filled", "Cancelled", "ApiCancelled", "Inactive"}


class OrderEvents(Wrapper):
    """Hands order statuses and fills from the reader thread to the main thread."""

    def __init__(self) -> None:
        self.events: queue.SimpleQueue[OrderStatus | ExecutionData] = queue.SimpleQueue()

    def order_status(self, message: OrderStatus) -> None:
        self.events.put(message)

    def exec_details(self, message: ExecutionData) -> None:
        self.events.put(message)


def touch(client: Client, contract: Contract) -> tuple[float, float]:
    """The bid and ask, from a market data snapshot (delayed when not subscribed)."""
    bid = ask = 0.0
    with client.market_data(contract, snapshot=True) as snapshot:
        for message in snapshot:
            if isinstance(message, TickPrice):
                if message.tick_type in (TickType.BID, TickType.DELAYED_BID):
                    bid = message.price
                elif message.tick_type in (TickType.ASK, TickType.DELAYED_ASK):
                    ask = message.price
    return bid, ask


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbol", default="AAPL")
    parser.add_argument("--quantity", type=int, default=10)
    parser.add_argument("--ticks", type=int, default=5,
                        help="distance of the take-profit and stop-loss, in ticks of 0.01")
    parser.add_argument("--through", type=float, default=0.5,
                        help="how far above the ask the entry's limit is, in percent")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=107)
    parser.add_argument("--duration", type=float, default=30.0,
                        help="seconds to follow the orders before cancelling the rest")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    events = OrderEvents()
    contract = Contract(symbol=args.symbol, sec_type="STK", exchange="SMART", currency="USD")
    with Client(events, host=args.host, port=args.port, client_id=args.client_id) as client:
        if not all(account.startswith(PAPER_PREFIXES) for account in client.accounts):
            print(f"refusing to trade: {client.accounts} is not a paper account")
            return 2
        client.req_market_data_type(3)
        bid, ask = touch(client, contract)
        if not ask:
            print(f"no quote for {args.symbol}")
            return 1
        step = args.ticks * 0.01
        entry = round(ask * (1 + args.through / 100), 2)
        bracket = client.bracket_order(
            "BUY", args.quantity, entry,
            take_profit_price=round(entry + step, 2), stop_loss_price=round(bid - step, 2),
            order_ref="example-bracket",
        )
        trades = client.place_bracket(contract, bracket)
        names = {trade.order_id: name
                 for trade, name in zip(trades, ("entry", "take-profit", "stop-loss"), strict=True)}
        for trade in trades:
            order = trade.order
            price = order.lmt_price if order.order_type == "LMT" else order.aux_price
            print(f"#{order.order_id} {names[order.order_id]:<11} {order.action} "
                  f"{order.total_quantity} {order.order_type} {price}")

        status: dict[int, str] = {}

        def follow(seconds: float, until: set[int]) -> None:
            """Prints order events until every order in ``until`` is done, or ``seconds`` pass."""
            deadline = time.monotonic() + seconds
            while (left := deadline - time.monotonic()) > 0:
                if all(status.get(i) in DONE for i in until):
                    return
                try:
                    event = events.events.get(timeout=left)
                except queue.Empty:
                    return
                if isinstance(event, ExecutionData):
                    print(f"  fill {event.execution.side} {event.execution.shares} "
                          f"@ {event.execution.price:.2f}")
                    continue
                if event.order_id not in names or status.get(event.order_id) == event.status:
                    continue
                print(f"  #{event.order_id} {names[event.order_id]:<11} "
                      f"{status.get(event.order_id, 'new')} -> {event.status}")
                status[event.order_id] = event.status

        follow(args.duration, set(names))
        if status.get(trades[0].order_id) != "Filled":
            print(f"the entry did not fill within {args.duration:g}s")
        cancelled = client.cancel_orders(order_ref="example-bracket")
        if cancelled:
            print(f"cancelled what was still working: {cancelled}")
            follow(10.0, set(cancelled))
    print("final: " + ", ".join(f"{names[i]} {s}" for i, s in sorted(status.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
