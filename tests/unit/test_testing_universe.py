"""The simulator's instruments (``ibwire.testing._universe``): what their contract details advertise."""

from __future__ import annotations

import datetime as dt

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
