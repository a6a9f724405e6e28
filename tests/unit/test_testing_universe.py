"""The simulator's instruments (``ibwire.testing._universe``): what their contract details advertise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ibwire.contracts import ContFuture, Crypto, Future, Stock
from ibwire.testing._market import Walks
from ibwire.testing._universe import ORDER_TYPES, Instrument, Universe

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


# ------------------------------------------------------------------ futures

MONDAY = 1_710_168_000.0  # Monday 11 March 2024, 14:40 UTC: ESH4 trades until Friday 15 March
LATER = MONDAY + 8 * 86400.0  # Tuesday 19 March: ESH4 has expired, ESH5 is listed


def _months(found: list[Instrument]) -> list[tuple[str, str]]:
    return [(i.contract.local_symbol, i.contract.last_trade_date_or_contract_month) for i in found]


def test_a_future_lists_its_next_four_quarterly_months() -> None:
    universe = Universe(dt.date(2024, 3, 11))
    found = universe.resolve(Future("ES", exchange="CME"), MONDAY)
    assert _months(found) == [
        ("ESH4", "20240315"), ("ESM4", "20240621"), ("ESU4", "20240920"), ("ESZ4", "20241220"),
    ]
    assert {(i.contract.multiplier, i.contract.trading_class, i.contract.exchange) for i in found} == {("50", "ES", "CME")}
    assert len({i.con_id for i in found}) == 4
    assert [i.details().contract_month for i in found] == ["202403", "202406", "202409", "202412"]


def test_futures_roll_after_their_last_trade_date() -> None:
    universe = Universe(dt.date(2024, 3, 11))
    before = {i.contract.local_symbol: i.con_id for i in universe.resolve(Future("ES", exchange="CME"), MONDAY)}
    after = universe.resolve(Future("ES", exchange="CME"), LATER)
    assert _months(after) == [
        ("ESM4", "20240621"), ("ESU4", "20240920"), ("ESZ4", "20241220"), ("ESH5", "20250321"),
    ]
    # The same contract month keeps its con_id, whenever the universe was built.
    later = Universe(dt.date(2024, 3, 19))
    assert {i.contract.local_symbol: i.con_id for i in later.resolve(Future("ES", exchange="CME"), LATER)} == {
        i.contract.local_symbol: i.con_id for i in after
    }
    assert all(before[i.contract.local_symbol] == i.con_id for i in after if i.contract.local_symbol in before)
    # An expired month is found only with includeExpired; one not listed yet never is.
    assert universe.resolve(Future("ES", "202403", "CME"), LATER) == []
    assert _months(universe.resolve(Future("ES", "202403", "CME", include_expired=True), LATER)) == [("ESH4", "20240315")]
    expired = universe.resolve(Future("ES", exchange="CME", include_expired=True), LATER)
    assert ("ESZ3", "20231215") in _months(expired) and ("ESM5", "20250620") not in _months(expired)
    assert universe.resolve(Future("ES", "202503", "CME"), MONDAY) == []


def test_a_continuous_future_is_its_front_month() -> None:
    universe = Universe(dt.date(2024, 3, 11))
    assert _months(universe.resolve(ContFuture("ES", "CME"), MONDAY)) == [("ESH4", "20240315")]
    assert _months(universe.resolve(ContFuture("ES", "CME"), LATER)) == [("ESM4", "20240621")]
    (front,) = universe.resolve(ContFuture("ES", "CME"), MONDAY)
    routed = universe.as_routed(front, ContFuture("ES", "CME"))
    assert (routed.sec_type, routed.con_id, routed.local_symbol) == ("CONTFUT", front.con_id, "ESH4")


def test_deferred_months_trade_above_the_front_and_move_with_it() -> None:
    universe = Universe(dt.date(2024, 3, 11))
    walks = Walks(7, universe)
    front, second, *_ = universe.resolve(Future("ES", exchange="CME"), MONDAY)
    prices = [(walks.mid(front, t), walks.mid(second, t)) for t in (MONDAY, MONDAY + 3600.0, MONDAY + 86400.0)]
    assert all(5 <= deferred - near <= 30 for near, deferred in prices)
    assert len({near for near, _ in prices}) == 3
