"""List an option chain and quote the strikes near the money, with greeks.

Usage::

    python examples/option_chain.py --symbol AAPL --strikes 3 --port 4002

It finds the underlying's contract id, asks for its option chains
(``reqSecDefOptParams``), picks the nearest expiration and the strikes closest
to the underlying's price, and streams each call and put for a moment.  TWS
sends greeks as ``TickOptionComputation`` ticks (model, bid, ask, last) when the
account has option data; without them the columns stay empty.
"""

from __future__ import annotations

import argparse
import time

from ibwire.errors import RequestTimeoutError
from ibwire.messages import Contract, TickOptionComputation, TickPrice, TickType
from ibwire.sync import Client

BID = {TickType.BID, TickType.DELAYED_BID}
ASK = {TickType.ASK, TickType.DELAYED_ASK}
LAST = {TickType.LAST, TickType.DELAYED_LAST, TickType.CLOSE, TickType.DELAYED_CLOSE}
MODEL = {TickType.MODEL_OPTION, TickType.DELAYED_MODEL_OPTION}


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def underlying_price(client: Client, contract: Contract) -> float | None:
    price = None
    with client.market_data(contract, snapshot=True) as snapshot:
        for message in snapshot:
            if isinstance(message, TickPrice) and message.price > 0 and message.tick_type in LAST:
                price = price or message.price
    return price


def quote(client: Client, option: Contract, seconds: float) -> dict[str, float | None]:
    """Bid, ask and the model greeks of one option, from a short stream."""
    row: dict[str, float | None] = {}
    deadline = time.monotonic() + seconds
    with client.market_data(option) as ticks:
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = ticks.get(timeout=left)
            except RequestTimeoutError:
                break
            if isinstance(message, TickPrice) and message.tick_type in BID:
                row["bid"] = message.price
            elif isinstance(message, TickPrice) and message.tick_type in ASK:
                row["ask"] = message.price
            elif isinstance(message, TickOptionComputation) and message.tick_type in MODEL:
                row.update(iv=message.implied_vol, delta=message.delta, gamma=message.gamma,
                           vega=message.vega, theta=message.theta)
            if "bid" in row and "ask" in row and "delta" in row:
                break
    return row


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbol", default="AAPL")
    parser.add_argument("--strikes", type=int, default=3, help="strikes around the money")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=111)
    parser.add_argument("--duration", type=float, default=2.0,
                        help="seconds to wait for each option's quote and greeks")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stock = Contract(symbol=args.symbol, sec_type="STK", exchange="SMART", currency="USD")
    with Client(host=args.host, port=args.port, client_id=args.client_id) as client:
        client.req_market_data_type(3)
        underlying = client.contract_details(stock)[0].contract
        chains = client.sec_def_opt_params(args.symbol, "STK", underlying.con_id)
        chain = next((c for c in chains if c.exchange == "SMART"), chains[0])
        print(f"{args.symbol} options on {chain.exchange}: {len(chain.expirations)} expirations, "
              f"{len(chain.strikes)} strikes, trading class {chain.trading_class}")
        price = underlying_price(client, underlying)
        expiry = min(chain.expirations)
        near = sorted(chain.strikes, key=lambda s: abs(s - (price or s)))[: args.strikes]
        print(f"underlying {fmt(price)}; expiration {expiry}; strikes {sorted(near)}")
        print(f"{'strike':>8} {'right':>5} {'bid':>8} {'ask':>8} {'iv':>7} {'delta':>7} "
              f"{'gamma':>7} {'vega':>7} {'theta':>7}")
        for strike in sorted(near):
            for right in ("C", "P"):
                option = Contract(symbol=args.symbol, sec_type="OPT", exchange="SMART",
                                  currency="USD", last_trade_date_or_contract_month=expiry,
                                  strike=strike, right=right, multiplier=chain.multiplier,
                                  trading_class=chain.trading_class)
                row = quote(client, option, args.duration)
                print(f"{strike:>8.2f} {right:>5} {fmt(row.get('bid')):>8} "
                      f"{fmt(row.get('ask')):>8} {fmt(row.get('iv'), 3):>7} "
                      f"{fmt(row.get('delta'), 3):>7} {fmt(row.get('gamma'), 4):>7} "
                      f"{fmt(row.get('vega'), 3):>7} {fmt(row.get('theta'), 3):>7}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
