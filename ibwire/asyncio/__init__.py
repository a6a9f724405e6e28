"""The asyncio front end: :class:`Client` is an :class:`asyncio.Protocol` pump, no thread.

Helpers are coroutines with timeouts; streams are async iterators; wrapper
callbacks (optional) run on the event loop.  It never nests event loops, so it
runs inside any asyncio application, Jupyter included.

Example:
    >>> from ibwire.asyncio import Client
    >>> from ibwire.messages import Contract
    >>> async def main() -> None:  # doctest: +SKIP
    ...     async with Client(port=4002, client_id=1) as client:
    ...         aapl = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
    ...         async with client.market_data(aapl) as ticks:
    ...             async for tick in ticks:
    ...                 print(tick)
"""

from __future__ import annotations

from .._session import Bracket, ReadOnlyError, ReconnectPolicy, TrackedOrder
from ..wrapper import Connectivity, Reconnected, Reconnecting, Wrapper
from .client import Client, Subscription

__all__ = [
    "Bracket",
    "Client",
    "Connectivity",
    "ReadOnlyError",
    "Reconnected",
    "Reconnecting",
    "ReconnectPolicy",
    "Subscription",
    "TrackedOrder",
    "Wrapper",
]
