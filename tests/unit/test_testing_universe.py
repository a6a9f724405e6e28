"""The simulator's instruments (``ibwire.testing._universe``): what their contract details advertise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ibwire.contracts import Crypto, Stock
from ibwire.testing._universe import ORDER_TYPES, Universe

#: Order attributes (not types) that contract details list and the simulator honours.
ATTRIBUTES = {"DAY", "GTC", "GTD", "IOC", "OCA", "WHATIF"}


def test_contract_details_advertise_only_the_order_types_the_simulator_executes() -> None:
    universe = Universe(dt.date(2024, 3, 11))
    for instrument in universe.instruments:
        listed = {t for t in instrument.details().order_types.split(",") if t}
        if instrument.sec_type == "IND":
            assert not listed
            continue
        if instrument.sec_type == "CRYPTO":
            # IB's crypto orders: market (IOC only), limit and stop limit; no OCA, no GTD.
            assert listed == {"MKT", "LMT", "STPLMT", "DAY", "GTC", "IOC", "WHATIF"}, instrument.symbol
            continue
        types = {{"STPLMT": "STP LMT", "TRAILLMT": "TRAIL LIMIT"}.get(t, t) for t in listed - ATTRIBUTES}
        assert types == ORDER_TYPES[instrument.sec_type], instrument.symbol
        assert ATTRIBUTES <= listed
        # Market-on-close and limit-on-close where IB takes them: stocks and futures.
        assert ({"MOC", "LOC"} <= types) == (instrument.sec_type in ("STK", "FUT")), instrument.symbol


def test_twenty_large_us_stocks_resolve_one_each_under_smart() -> None:
    # The stocks of examples/quote_table.py: a 20-symbol table runs against the simulator.
    universe = Universe(dt.date(2024, 3, 11))
    symbols = "AAPL MSFT AMZN GOOGL META NVDA TSLA JPM V JNJ WMT PG MA HD DIS BAC XOM KO PEP SPY".split()
    found = [universe.resolve(Stock(symbol)) for symbol in symbols]
    assert [len(matches) for matches in found] == [1] * 20
    assert [matches[0].symbol for matches in found] == symbols
    assert len({matches[0].con_id for matches in found}) == 20
    con_ids = [i.con_id for i in universe.instruments]
    assert len(con_ids) == len(set(con_ids))


def test_bitcoin_and_ether_on_paxos_with_fractional_sizes() -> None:
    universe = Universe(dt.date(2024, 3, 11))
    (btc,) = universe.resolve(Crypto("BTC"))
    (eth,) = universe.resolve(Crypto("ETH"))
    assert (btc.contract.exchange, btc.contract.currency, btc.contract.local_symbol) == ("PAXOS", "USD", "BTC.USD")
    assert eth.contract.local_symbol == "ETH.USD"
    details = btc.details()
    assert details.min_size == Decimal("0.0001")
    assert details.size_increment == Decimal("0.00000001")
    assert details.suggested_size_increment == Decimal("0.0001")
    assert details.min_tick == btc.min_tick
    assert universe.resolve(Crypto("BTC", exchange="SMART")) == []
