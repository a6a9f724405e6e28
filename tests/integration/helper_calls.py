"""The request helpers of both clients, as calls and checks their test modules share.

Each call takes a connected client and the simulator it is connected to; on the
threaded client it returns the answer, on the asyncio client an awaitable of it.
``test_sync_client`` and ``test_asyncio_client`` run every row against the simulator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ibwire.live import TickerSnapshot
from ibwire.messages import (
    Contract,
    DepthMktDataDescription,
    FamilyCode,
    HistogramEntry,
    HistoricalNews,
    HistoricalTick,
    HistoricalTickBidAsk,
    HistoricalTickLast,
    NewsProvider,
    ScannerSubscription,
    SmartComponent,
    TickOptionComputation,
)
from ibwire.testing.simulator import SimulatedGateway

AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
MSFT = Contract(symbol="MSFT", sec_type="STK", exchange="SMART", currency="USD")
AAPL_ID = 265598
NO_SUCH_STOCK = Contract(symbol="NOSUCH", sec_type="STK", exchange="SMART", currency="USD")
GAINERS = ScannerSubscription(
    instrument="STK", location_code="STK.US.MAJOR", scan_code="TOP_PERC_GAIN", number_of_rows=3
)

Call = Callable[[Any, SimulatedGateway], Any]


@dataclass(frozen=True)
class Answered:
    """A helper call the simulator answers, and what the answer must satisfy.

    Attributes:
        name: the test id.
        call: the call.
        check: asserts on the answer.
    """

    name: str
    call: Call
    check: Callable[[Any], None]


@dataclass(frozen=True)
class Refused:
    """A helper call the simulator refuses, and the code of the error it answers with.

    Attributes:
        name: the test id.
        call: the call.
        code: the TWS error code the :class:`~ibwire.errors.ApiError` carries.
    """

    name: str
    call: Call
    code: int


def _is(expected: object) -> Callable[[Any], None]:
    def check(answer: Any) -> None:
        assert answer == expected and type(answer) is type(expected)

    return check


def _ticks_of(cls: type) -> Callable[[Any], None]:
    def check(ticks: Any) -> None:
        assert isinstance(ticks, list) and len(ticks) == 5
        assert all(type(tick) is cls for tick in ticks)
        times = [tick.time for tick in ticks]
        assert times == sorted(times) and times[0] > 1_600_000_000

    return check


def option_of(gateway: SimulatedGateway) -> Contract:
    """An AAPL option the simulator lists (expirations follow its clock)."""
    universe = gateway.core.universe
    stock = next(i for i in universe.instruments if i.symbol == "AAPL" and i.sec_type == "STK")
    return next(iter(universe.options_of(stock))).contract


def _implied(computation: Any) -> None:
    assert isinstance(computation, TickOptionComputation)
    assert computation.tick_type == 53 and computation.opt_price == 2.0
    assert computation.implied_vol is not None and 0.01 < computation.implied_vol < 5
    assert computation.delta is not None


def _priced(computation: Any) -> None:
    assert isinstance(computation, TickOptionComputation)
    assert computation.tick_type == 53 and computation.implied_vol == 0.3
    assert computation.opt_price is not None and computation.opt_price > 0


def _providers(providers: Any) -> None:
    assert providers and all(isinstance(p, NewsProvider) for p in providers)
    assert {"BRFG", "DJNL"} <= {p.code for p in providers}


def _headlines(news: Any) -> None:
    assert 0 < len(news) <= 3 and all(isinstance(item, HistoricalNews) for item in news)
    assert {item.provider_code for item in news} <= {"BRFG", "DJNL"}
    times = [item.time for item in news]
    assert times == sorted(times, reverse=True)


def _histogram(entries: Any) -> None:
    assert entries and all(isinstance(e, HistogramEntry) for e in entries)
    prices = [e.price for e in entries]
    assert prices == sorted(prices) and all(e.size is not None and e.size > 0 for e in entries)


def _family_codes(codes: Any) -> None:
    assert codes == [FamilyCode(account_id="DU0000001", family_code_str="")]


def _smart_components(components: Any) -> None:
    assert components and all(isinstance(c, SmartComponent) for c in components)
    assert {"NYSE", "NASDAQ"} <= {c.exchange for c in components}


def _depth_exchanges(exchanges: Any) -> None:
    assert exchanges and all(isinstance(e, DepthMktDataDescription) for e in exchanges)
    assert "NASDAQ" in {e.exchange for e in exchanges}


def _quotes(snapshots: Any) -> None:
    assert [s.contract.symbol for s in snapshots] == ["AAPL", "MSFT"]
    for snapshot in snapshots:
        assert isinstance(snapshot, TickerSnapshot)
        assert snapshot.bid is not None and snapshot.ask is not None
        assert snapshot.bid < snapshot.ask and snapshot.close is not None


def _scan(rows: Any) -> None:
    assert [row.rank for row in rows] == [0, 1, 2]
    assert all(row.contract_details.contract.sec_type == "STK" for row in rows)


def _scanner_xml(xml: Any) -> None:
    assert isinstance(xml, str) and "<scanCode>TOP_PERC_GAIN</scanCode>" in xml


def _ticks(what: str) -> Call:
    def call(client: Any, gateway: SimulatedGateway) -> Any:
        return client.historical_ticks(AAPL, number_of_ticks=5, what_to_show=what, use_rth=False)

    return call


ANSWERED: list[Answered] = [
    Answered(f"historical_ticks {what}", _ticks(what), _ticks_of(cls))
    for what, cls in (
        ("TRADES", HistoricalTickLast),
        ("BID_ASK", HistoricalTickBidAsk),
        ("MIDPOINT", HistoricalTick),
    )
] + [
    Answered("scanner_data", lambda client, gw: client.scanner_data(GAINERS), _scan),
    Answered("scanner_parameters", lambda client, gw: client.scanner_parameters(), _scanner_xml),
    Answered(
        "implied_volatility",
        lambda client, gw: client.implied_volatility(option_of(gw), 2.0, option_of(gw).strike),
        _implied,
    ),
    Answered(
        "option_price",
        lambda client, gw: client.option_price(option_of(gw), 0.3, option_of(gw).strike),
        _priced,
    ),
    Answered("news_providers", lambda client, gw: client.news_providers(), _providers),
    Answered(
        "historical_news",
        lambda client, gw: client.historical_news(AAPL_ID, ["BRFG", "DJNL"], total_results=3),
        _headlines,
    ),
    Answered(
        "histogram_data",
        lambda client, gw: client.histogram_data(AAPL, False, "1 week"),
        _histogram,
    ),
    Answered("family_codes", lambda client, gw: client.family_codes(), _family_codes),
    Answered(
        "smart_components",
        lambda client, gw: client.smart_components("9c0001"),
        _smart_components,
    ),
    Answered(
        "market_depth_exchanges",
        lambda client, gw: client.market_depth_exchanges(),
        _depth_exchanges,
    ),
    # The simulator's account has no soft dollar tiers and no white branding.
    Answered("soft_dollar_tiers", lambda client, gw: client.soft_dollar_tiers(), _is([])),
    Answered("user_info", lambda client, gw: client.user_info(), _is("")),
    Answered("snapshots", lambda client, gw: client.snapshots(AAPL, MSFT), _quotes),
]

REFUSED: list[Refused] = [
    Refused(
        "historical_ticks unknown what_to_show",
        lambda client, gw: client.historical_ticks(AAPL, what_to_show="BID"),
        321,
    ),
    Refused(
        "historical_ticks unknown contract",
        lambda client, gw: client.historical_ticks(NO_SUCH_STOCK),
        200,
    ),
    Refused(
        "scanner_data unknown scan code",
        lambda client, gw: client.scanner_data(ScannerSubscription(scan_code="NO_SUCH_SCAN")),
        321,
    ),
    Refused(
        "implied_volatility of a stock",
        lambda client, gw: client.implied_volatility(AAPL, 2.0, 180.0),
        321,
    ),
    Refused(
        "option_price of an unknown contract",
        lambda client, gw: client.option_price(NO_SUCH_STOCK, 0.3, 180.0),
        200,
    ),
    Refused(
        "news_article unknown id",
        lambda client, gw: client.news_article("BRFG", "BRFG$0.20240311.0"),
        321,
    ),
    Refused(
        "historical_news unknown contract",
        lambda client, gw: client.historical_news(1, "BRFG"),
        200,
    ),
    Refused(
        "histogram_data unknown period",
        lambda client, gw: client.histogram_data(AAPL, period="1 fortnight"),
        321,
    ),
    Refused(
        "snapshots of an unknown contract",
        lambda client, gw: client.snapshots(AAPL, NO_SUCH_STOCK),
        200,
    ),
]
