"""The simulator's market data (``ibwire.testing._sim_market``): depth books and quotes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ibwire.messages import Contract, MarketDepth, MarketDepthL2, ReqMktDepth
from ibwire.testing import SimulatorCore
from ibwire.testing._market import Level
from ibwire.testing.memory import InMemoryGateway

T0 = 1_710_168_000.0


def apply(book: list[tuple[float, Decimal]], row: MarketDepth | MarketDepthL2) -> None:
    """Apply one depth message the way IB documents it (insert shifts down, delete shifts up)."""
    if row.operation == 0:
        assert row.position <= len(book)
        book.insert(row.position, (row.price, row.size))
    elif row.operation == 1:
        assert row.position < len(book)
        book[row.position] = (row.price, row.size)
    else:
        assert row.operation == 2 and row.position < len(book)
        del book[row.position]


@pytest.mark.parametrize(("symbol", "smart"), [("AAPL", False), ("ES", True)])
def test_depth_over_ten_thousand_updates_never_crosses_and_matches_the_book(symbol: str, smart: bool) -> None:
    sec_type, exchange = ("STK", "SMART") if symbol == "AAPL" else ("FUT", "CME")
    core = SimulatorCore(seed=11, tick_interval=0.25)
    gateway = InMemoryGateway(core, now=T0)
    client = gateway.connect(1)
    gateway.advance(1.5)
    client.take()
    client.send(ReqMktDepth(req_id=1, contract=Contract(symbol=symbol, sec_type=sec_type, exchange=exchange),
                            num_rows=5, is_smart_depth=smart))
    bids: list[tuple[float, Decimal]] = []
    asks: list[tuple[float, Decimal]] = []
    operations = set()
    messages = 0
    updates = 0
    while updates < 10_000:
        for event in client.take():
            if not isinstance(event, (MarketDepth, MarketDepthL2)):
                continue
            messages += 1
            operations.add(event.operation)
            apply(bids if event.side == 1 else asks, event)
            if bids and asks:
                assert bids[0][0] < asks[0][0], f"crossed after message {messages}"
        stream = core._clients[0].streams[("depth", 1)]
        published_bids, published_asks = stream.params["book"]
        assert bids == [(level.price, level.size) for level in published_bids]
        assert asks == [(level.price, level.size) for level in published_asks]
        assert all(isinstance(level, Level) for level in published_bids)
        assert [p for p, _ in bids] == sorted((p for p, _ in bids), reverse=True)
        assert [p for p, _ in asks] == sorted(p for p, _ in asks)
        assert 1 <= len(bids) <= 5 and 1 <= len(asks) <= 5
        gateway.advance(0.25)
        updates += 1
    assert operations == {0, 1, 2}
    assert messages > 10_000
