from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ibwire.live import DepthLevel, OrderBook
from ibwire.messages import Contract, MarketDepth, MarketDepthL2

ES = Contract(con_id=1, symbol="ES", sec_type="FUT", exchange="CME")
ASK, BID = 0, 1
INSERT, UPDATE, DELETE = 0, 1, 2


def depth(position: int, operation: int, side: int, price: float, size: int) -> MarketDepth:
    return MarketDepth(req_id=1, position=position, operation=operation, side=side,
                       price=price, size=Decimal(size))


def test_insert_update_delete() -> None:
    book = OrderBook(ES, rows=5)
    assert book.apply(depth(0, INSERT, BID, 100.0, 1), 1.0)
    assert book.apply(depth(0, INSERT, BID, 101.0, 2), 2.0)  # better bid goes on top
    assert book.apply(depth(2, INSERT, BID, 99.0, 3), 3.0)
    assert [lvl.price for lvl in book.bids] == [101.0, 100.0, 99.0]
    assert book.apply(depth(1, UPDATE, BID, 100.0, 7), 4.0)
    assert book.bids[1] == DepthLevel(100.0, Decimal(7))
    assert book.apply(depth(0, DELETE, BID, 101.0, 0), 5.0)
    assert [lvl.price for lvl in book.bids] == [100.0, 99.0]
    assert book.asks == ()
    assert book.time == 5.0
    assert book.best_bid() == DepthLevel(100.0, Decimal(7))
    assert book.best_ask() is None


def test_level_two_keeps_the_market_maker() -> None:
    book = OrderBook(ES)
    book.apply(MarketDepthL2(req_id=1, position=0, market_maker="NSDQ", operation=INSERT,
                             side=ASK, price=10.0, size=Decimal(5), is_smart_depth=True), 1.0)
    assert book.asks == (DepthLevel(10.0, Decimal(5), "NSDQ"),)


def test_insert_truncates_to_rows() -> None:
    book = OrderBook(ES, rows=2)
    for price in (10.0, 10.5, 11.0):
        book.apply(depth(0, INSERT, ASK, 21.0 - price, 1), 1.0)
    assert [lvl.price for lvl in book.asks] == [10.0, 10.5]


def test_rows_past_the_subscription_are_ignored() -> None:
    book = OrderBook(ES, rows=2)
    book.apply(depth(0, INSERT, ASK, 10.0, 1), 1.0)
    assert not book.apply(depth(2, INSERT, ASK, 11.0, 1), 2.0)
    assert not book.apply(depth(5, UPDATE, ASK, 11.0, 1), 2.0)
    assert book.time == 1.0


def test_lenient_with_out_of_range_operations() -> None:
    book = OrderBook(ES, rows=5)
    assert not book.apply(depth(0, DELETE, BID, 1.0, 0), 1.0)
    assert not book.apply(depth(-1, INSERT, BID, 1.0, 1), 1.0)
    assert not book.apply(depth(0, 7, BID, 1.0, 1), 1.0)
    assert not book.apply(depth(0, INSERT, 2, 1.0, 1), 1.0)
    assert book.apply(depth(3, UPDATE, BID, 1.0, 1), 1.0)  # past the end: appended
    assert book.bids == (DepthLevel(1.0, Decimal(1)),)
    assert not book.apply("not depth", 1.0)


def test_clear() -> None:
    book = OrderBook(ES)
    book.apply(depth(0, INSERT, BID, 1.0, 1), 1.0)
    book.clear(2.0)
    assert (book.bids, book.asks, book.time) == ((), (), 2.0)


@pytest.mark.parametrize("rows", [0, -1, True, 1.5])
def test_rows_checked(rows: object) -> None:
    with pytest.raises(ValueError, match="rows"):
        OrderBook(ES, rows=rows)  # type: ignore[arg-type]


def test_snapshot() -> None:
    book = OrderBook(ES)
    book.apply(depth(0, INSERT, BID, 1.0, 1), 1.0)
    shot = book.snapshot()
    book.apply(depth(0, INSERT, ASK, 2.0, 1), 2.0)
    assert (shot.bids, shot.asks, shot.time) == ((DepthLevel(1.0, Decimal(1)),), (), 1.0)


def test_snapshot_best_rows_as_the_book() -> None:
    book = OrderBook(ES)
    empty = book.snapshot()
    assert (empty.best_bid(), empty.best_ask()) == (None, None)
    book.apply(depth(0, INSERT, BID, 1.0, 1), 1.0)
    book.apply(depth(1, INSERT, BID, 0.5, 2), 1.0)
    book.apply(depth(0, INSERT, ASK, 2.0, 3), 1.0)
    shot = book.snapshot()
    assert shot.best_bid() == book.best_bid() == DepthLevel(1.0, Decimal(1))
    assert shot.best_ask() == book.best_ask() == DepthLevel(2.0, Decimal(3))


# ------------------------------------------------------------------ against a reference model


class Reference:
    """The position semantics written the plain way: one Python list per side."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.sides: dict[int, list[tuple[float, Decimal]]] = {ASK: [], BID: []}

    def apply(self, position: int, operation: int, side: int, price: float, size: Decimal) -> None:
        rows = self.sides[side]
        if operation == DELETE:
            if position < len(rows):
                del rows[position]
            return
        if position >= self.rows:
            return
        if operation == INSERT:
            rows.insert(position, (price, size))
            del rows[self.rows :]
        elif position < len(rows):
            rows[position] = (price, size)
        else:
            rows.append((price, size))


operations = st.lists(
    st.tuples(
        st.integers(0, 12),
        st.sampled_from((INSERT, UPDATE, DELETE)),
        st.sampled_from((ASK, BID)),
        st.integers(1, 500).map(lambda n: n / 4),
        st.integers(0, 1000).map(Decimal),
    ),
    min_size=100,
    max_size=100,
)


@settings(max_examples=100, deadline=None)
@given(rows=st.integers(1, 10), ops=operations)
def test_matches_the_reference_model(rows: int, ops: list[tuple[int, int, int, float, Decimal]]) -> None:
    # 100 examples of 100 operations: 10,000 random operations.
    book = OrderBook(ES, rows=rows)
    reference = Reference(rows)
    for position, operation, side, price, size in ops:
        book.apply(MarketDepth(req_id=1, position=position, operation=operation, side=side,
                               price=price, size=size), 0.0)
        reference.apply(position, operation, side, price, size)
        assert [(lvl.price, lvl.size) for lvl in book.asks] == reference.sides[ASK]
        assert [(lvl.price, lvl.size) for lvl in book.bids] == reference.sides[BID]


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 10))
def test_a_feed_of_a_sorted_book_stays_sorted(seed: int, rows: int) -> None:
    """A full book changes at random; the feed TWS would send for its top ``rows``
    is applied; the book equals the top rows of the full book, sorted best first,
    after each of 500 changes."""
    rng = random.Random(seed)
    book = OrderBook(ES, rows=rows)
    full: dict[int, dict[float, Decimal]] = {ASK: {}, BID: {}}

    def top(side: int) -> list[tuple[float, Decimal]]:
        prices = sorted(full[side], reverse=side == BID)[:rows]
        return [(p, full[side][p]) for p in prices]

    for _ in range(500):
        side = rng.choice((ASK, BID))
        before = top(side)
        price = rng.randint(1, 40) / 2 + (0 if side == BID else 20)
        if price in full[side] and rng.random() < 0.5:
            del full[side][price]
        else:
            full[side][price] = Decimal(rng.randint(1, 99))
        after = top(side)
        for message in feed(before, after, side):
            book.apply(message, 0.0)
        shown = book.bids if side == BID else book.asks
        assert [(lvl.price, lvl.size) for lvl in shown] == after
        prices = [lvl.price for lvl in shown]
        assert prices == sorted(prices, reverse=side == BID)


def feed(
    before: list[tuple[float, Decimal]], after: list[tuple[float, Decimal]], side: int
) -> list[MarketDepth]:
    """The depth operations that turn the visible rows ``before`` into ``after``."""
    out = []
    rows = list(before)
    # Deletes first (bottom up), then inserts and updates top down.
    for index in reversed(range(len(rows))):
        if rows[index][0] not in {p for p, _ in after}:
            out.append(MarketDepth(req_id=1, position=index, operation=DELETE, side=side,
                                   price=rows[index][0], size=Decimal(0)))
            del rows[index]
    for index, (price, size) in enumerate(after):
        if index < len(rows) and rows[index][0] == price:
            if rows[index][1] != size:
                out.append(MarketDepth(req_id=1, position=index, operation=UPDATE, side=side,
                                       price=price, size=size))
                rows[index] = (price, size)
        else:
            out.append(MarketDepth(req_id=1, position=index, operation=INSERT, side=side,
                                   price=price, size=size))
            rows.insert(index, (price, size))
    return out
