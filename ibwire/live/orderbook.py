"""A live market depth book: :class:`OrderBook`, kept current from depth operations.

TWS describes a ``reqMktDepth`` book as rows by position, best first: bids by
falling price, asks by rising price.  Each :class:`~ibwire.messages.MarketDepth`
or :class:`~ibwire.messages.MarketDepthL2` message is one operation on one side:

* insert (0): the new row goes in at ``position``; the rows from there on move
  down one, and a row pushed past ``rows`` falls off;
* update (1): the row at ``position`` is replaced;
* delete (2): the row at ``position`` goes; the rows below move up one.

Applying the operations in order keeps each side in TWS's order, which is sorted
best first.  The book is lenient with operations a correct feed never sends (an
insert or update past the end appends, a delete past the end is ignored, an
unknown operation or side is ignored, and so is a row at or past ``rows``), so one bad message cannot corrupt the
rows before it.

Threading:
    The book is written by one thread only.  :attr:`OrderBook.bids` and
    :attr:`OrderBook.asks` are immutable tuples, replaced whole on each change,
    so a reader on another thread always sees a whole side;
    :meth:`OrderBook.snapshot` gives both sides and the time from the same moment.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from .._record import dataclass
from ..messages.common import Contract
from ..messages.market_data import MarketDepth, MarketDepthL2

__all__ = ["DepthLevel", "OrderBook", "OrderBookSnapshot"]

INSERT: Final = 0
UPDATE: Final = 1
DELETE: Final = 2
ASK_SIDE: Final = 0
BID_SIDE: Final = 1


@dataclass(frozen=True, slots=True)
class DepthLevel:
    """One row of a book side.

    Attributes:
        price: the row's price.
        size: the row's size (``None`` when TWS sent it unset).
        market_maker: the market maker (level two), or with SMART depth the
            exchange; empty for level one.
    """

    price: float
    size: Decimal | None
    market_maker: str = ""


@dataclass(frozen=True, slots=True)
class OrderBookSnapshot:
    """Both sides of an :class:`OrderBook` and its time, from the same moment."""

    contract: Contract
    bids: tuple[DepthLevel, ...]
    asks: tuple[DepthLevel, ...]
    time: float | None

    def best_bid(self) -> DepthLevel | None:
        """The top bid row, if any (as :meth:`OrderBook.best_bid`)."""
        return self.bids[0] if self.bids else None

    def best_ask(self) -> DepthLevel | None:
        """The top ask row, if any (as :meth:`OrderBook.best_ask`)."""
        return self.asks[0] if self.asks else None


class OrderBook:
    """The market depth book of one contract, updated in place by :meth:`apply`.

    Args:
        contract: the contract.
        rows: how many rows per side the subscription asked for (``numRows``);
            rows beyond are dropped.

    Attributes:
        contract: the contract.
        rows: the number of rows kept per side.
        bids: the bid rows, best (highest) first.
        asks: the ask rows, best (lowest) first.
        time: the ``now`` of the last operation applied.
    """

    __slots__ = ("contract", "rows", "bids", "asks", "time", "_seq")

    def __init__(self, contract: Contract, rows: int = 10) -> None:
        if isinstance(rows, bool) or not isinstance(rows, int) or rows <= 0:
            raise ValueError(f"rows must be a positive int, not {rows!r}")
        self.contract: Contract = contract
        self.rows: int = rows
        self.bids: tuple[DepthLevel, ...] = ()
        self.asks: tuple[DepthLevel, ...] = ()
        self.time: float | None = None
        self._seq = 0

    def __repr__(self) -> str:
        return f"OrderBook({self.contract.symbol!r}, bids={self.bids!r}, asks={self.asks!r})"

    def best_bid(self) -> DepthLevel | None:
        """The top bid row, if any."""
        bids = self.bids
        return bids[0] if bids else None

    def best_ask(self) -> DepthLevel | None:
        """The top ask row, if any."""
        asks = self.asks
        return asks[0] if asks else None

    def snapshot(self) -> OrderBookSnapshot:
        """Both sides and the time from the same moment; safe from any thread."""
        while True:
            seq = self._seq
            if not seq & 1:
                shot = OrderBookSnapshot(self.contract, self.bids, self.asks, self.time)
                if self._seq == seq:
                    return shot

    def clear(self, now: float) -> None:
        """Empty both sides (the session does on errors 317 and 316 and when it re-sends the request)."""
        self._seq += 1
        self.bids = ()
        self.asks = ()
        self.time = now
        self._seq += 1

    def apply(self, message: object, now: float) -> bool:
        """Apply one depth operation.

        Args:
            message: a :class:`~ibwire.messages.MarketDepth` or
                :class:`~ibwire.messages.MarketDepthL2` (others are ignored).
            now: when it arrived, on the caller's clock; becomes :attr:`time`.

        Returns:
            Whether the book changed.
        """
        if type(message) is MarketDepthL2:
            maker = message.market_maker
        elif type(message) is MarketDepth:
            maker = ""
        else:
            return False
        side = message.side
        if side == BID_SIDE:
            rows = self.bids
        elif side == ASK_SIDE:
            rows = self.asks
        else:
            return False
        position = message.position
        operation = message.operation
        if position < 0:
            return False
        if operation == DELETE:
            if position >= len(rows):
                return False
            changed = rows[:position] + rows[position + 1 :]
        elif position >= self.rows:
            # Beyond the subscribed rows: nothing to keep.
            return False
        else:
            level = DepthLevel(message.price, message.size, maker)
            if operation == INSERT:
                changed = (rows[:position] + (level,) + rows[position:])[: self.rows]
            elif operation == UPDATE:
                if position < len(rows):
                    changed = rows[:position] + (level,) + rows[position + 1 :]
                else:
                    changed = (rows + (level,))[: self.rows]
            else:
                return False
        self._seq += 1
        if side == BID_SIDE:
            self.bids = changed
        else:
            self.asks = changed
        self.time = now
        self._seq += 1
        return True
