"""The public client API seen by a user's type checker: precise types, no ``Any``.

Checked by ``mypy --strict`` in ``tests/unit/test_api.py``; never imported.
"""

from __future__ import annotations

from typing_extensions import assert_type

from ibwire.asyncio import Client as AsyncClient
from ibwire.bars import BarList
from ibwire.contracts import Stock
from ibwire.errors import ContractNotFoundError
from ibwire.live import PortfolioItem, Ticker, Trade
from ibwire.messages import (
    BarData,
    Contract,
    HistoricalData,
    HistoricalDataEnd,
    HistoricalDataUpdate,
    HistoricalTick,
    HistoricalTickBidAsk,
    HistoricalTickLast,
    MarketDataType,
    MarketDepth,
    MarketDepthL2,
    RealTimeBars,
    RerouteMktDataReq,
    RerouteMktDepthReq,
    TickByTick,
    TickEfp,
    TickGeneric,
    TickNews,
    TickOptionComputation,
    TickPrice,
    TickReqParams,
    TickSize,
    TickSnapshotEnd,
    TickString,
)
from ibwire.orders import LimitOrder
from ibwire.sync import Client

AnyTick = HistoricalTick | HistoricalTickBidAsk | HistoricalTickLast
Quote = (
    TickPrice
    | TickSize
    | TickString
    | TickGeneric
    | TickOptionComputation
    | TickEfp
    | TickReqParams
    | TickNews
    | MarketDataType
    | TickSnapshotEnd
    | RerouteMktDataReq
)


def progress(done: int, total: int) -> None:
    print(done, total)


class ProgressBar:
    """A callback object whose call returns a value, which is ignored."""

    def __init__(self) -> None:
        self.done = 0

    def __call__(self, done: int, total: int) -> bool:
        self.done = done
        return done == total


def on_callback_error(exc: Exception, event: object) -> bool:
    print(exc, event)
    return True


def make_client() -> Client:
    return Client(port=4002, client_id=1, on_callback_error=on_callback_error)


def threaded(client: Client, what_to_show: str) -> None:
    aapl = Stock("AAPL")
    try:
        [qualified] = client.qualify(aapl)
    except ContractNotFoundError as exc:
        assert_type(exc.contract, Contract)
        return
    assert_type(qualified, Contract)
    bars = client.historical_bars(qualified, "1 D", "1 hour")
    assert_type(bars, BarList)
    assert_type(bars[0], BarData)
    assert_type(client.history(qualified, "5 D", progress=progress), BarList)
    assert_type(client.history(qualified, "1 Y", progress=ProgressBar()), BarList)

    # What the ticks are follows from what_to_show.
    assert_type(client.historical_ticks(aapl), list[HistoricalTickLast])
    assert_type(client.historical_ticks(aapl, what_to_show="TRADES"), list[HistoricalTickLast])
    assert_type(
        client.historical_ticks(aapl, what_to_show="BID_ASK", ignore_size=True),
        list[HistoricalTickBidAsk],
    )
    assert_type(client.historical_ticks(aapl, None, 0.0, 10, "BID_ASK"), list[HistoricalTickBidAsk])
    assert_type(client.historical_ticks(aapl, what_to_show="MIDPOINT"), list[HistoricalTick])
    assert_type(client.historical_ticks(aapl, None, 0.0, 10, "MIDPOINT"), list[HistoricalTick])
    assert_type(client.historical_ticks(aapl, what_to_show=what_to_show), list[AnyTick])
    for tick in client.historical_ticks(aapl, what_to_show="BID_ASK"):
        print(tick.price_bid, tick.price_ask)

    with client.market_data(aapl) as quotes:
        for quote in quotes:
            assert_type(quote, Quote)
    with client.market_depth(aapl) as depth:
        for row in depth:
            assert_type(row, MarketDepth | MarketDepthL2 | RerouteMktDepthReq)
    with client.tick_by_tick(aapl, "BidAsk") as ticks:
        assert_type(ticks.get(1.0), TickByTick)
    with client.real_time_bars(aapl) as five_seconds:
        assert_type(next(iter(five_seconds)), RealTimeBars)

    assert_type(client.ticker(aapl), Ticker)
    trade = client.place(aapl, LimitOrder("BUY", 1, 100.0))
    assert_type(trade, Trade)
    changes = {"lmt_price": 101.0}  # dict[str, float]
    client.modify_trade(trade, changes)
    assert_type(client.portfolio(), list[PortfolioItem])


async def asynchronous(client: AsyncClient) -> None:
    aapl = Stock("AAPL")
    assert_type(await client.historical_bars(aapl, "1 D", "1 hour"), BarList)
    assert_type(await client.historical_ticks(aapl), list[HistoricalTickLast])
    assert_type(
        await client.historical_ticks(aapl, what_to_show="BID_ASK"), list[HistoricalTickBidAsk]
    )
    assert_type(await client.historical_ticks(aapl, what_to_show="MIDPOINT"), list[HistoricalTick])
    assert_type(await client.historical_ticks(aapl, what_to_show="TRADES"), list[HistoricalTickLast])
    async with client.market_data(aapl) as quotes:
        async for quote in quotes:
            assert_type(quote, Quote)
    async with client.historical_bars_stream(aapl, "1 D", "1 min") as stream:
        async for message in stream:
            assert_type(message, HistoricalData | HistoricalDataEnd | HistoricalDataUpdate)
    trade = client.place(aapl, LimitOrder("BUY", 1, 100.0))
    assert_type(await trade.done(), Trade)
