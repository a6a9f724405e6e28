"""Live objects: state kept current from the typed message stream.

Each class here is sans-I/O: it takes the typed messages of its subject, one at a
time, with the time they arrived (``apply(message, now)``), and does no I/O, runs
no thread and reads no clock.  The client session routes messages to them; the
same classes serve the threaded and the asyncio client.

* :class:`Ticker` - a live quote (``reqMktData``);
* :class:`OrderBook` - a live market depth book (``reqMktDepth``);
* :class:`Trade`, :class:`Blotter` - orders with their status, fills and log;
* :class:`Portfolio` - positions, portfolio items, account values and P&L.

Threading:
    Each object is written by one thread, the one reading the socket; readers on
    other threads call ``snapshot()``, which returns an immutable, consistent copy.
"""

from __future__ import annotations

from .orderbook import DepthLevel, OrderBook, OrderBookSnapshot
from .portfolio import AccountValue, PnL, PnLSingle, Portfolio, PortfolioItem, Position
from .ticker import Greeks, Ticker, TickerSnapshot
from .trade import ACTIVE_STATES, DONE_STATES, Blotter, Fill, LogEntry, Trade, TradeSnapshot

__all__ = [
    "ACTIVE_STATES",
    "DONE_STATES",
    "AccountValue",
    "Blotter",
    "DepthLevel",
    "Fill",
    "Greeks",
    "LogEntry",
    "OrderBook",
    "OrderBookSnapshot",
    "PnL",
    "PnLSingle",
    "Portfolio",
    "PortfolioItem",
    "Position",
    "Ticker",
    "TickerSnapshot",
    "Trade",
    "TradeSnapshot",
]
