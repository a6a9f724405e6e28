"""The simulator's instruments (``ibwire.testing._universe``): what their contract details advertise."""

from __future__ import annotations

import datetime as dt

from ibwire.contracts import Stock
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
