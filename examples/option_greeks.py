"""An option chain with greeks: the nearest expiry's calls and puts around the money."""

from __future__ import annotations

import argparse

from ibwire.contracts import Option, Stock
from ibwire.sync import Client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("symbol", nargs="?", default="AAPL")
    parser.add_argument("--strikes", type=int, default=4)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4002)
    parser.add_argument("--client-id", type=int, default=25)
    args = parser.parse_args(argv)
    with Client(host=args.host, port=args.port, client_id=args.client_id) as ib:
        (stock,) = ib.qualify(Stock(args.symbol))
        spot = ib.ticker(stock)
        chain = ib.sec_def_opt_params(stock.symbol, "STK", stock.con_id)[0]
        while spot.market_price() is None:
            ib.updated_tickers(timeout=5)
        price, expiry = spot.market_price() or 0, min(chain.expirations)
        strikes = sorted(chain.strikes, key=lambda k: abs(k - price))[: args.strikes]
        options = ib.qualify(*(Option(stock.symbol, expiry, k, r, trading_class=chain.trading_class)
                               for k in sorted(strikes) for r in "CP"))
        tickers = ib.tickers(*options)
        while any(t.model_greeks is None for t in tickers) and ib.updated_tickers(timeout=5):
            pass
        for t in tickers:
            g = t.model_greeks
            print(f"{t.contract.strike:>8.2f} {t.contract.right}  bid {t.bid or 0:>7.2f}  ask {t.ask or 0:>7.2f}  "
                  + (f"iv {g.implied_vol or 0:.3f}  delta {g.delta or 0:+.3f}  gamma {g.gamma or 0:.4f}" if g else "-"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
