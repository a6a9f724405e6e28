"""The threaded front end: :class:`Client` runs a reader thread around the shared session.

Use it from ordinary (non-async) programs, scripts, notebooks, Qt or Django
applications.  Wrapper callbacks run on the reader thread; blocking helpers
(:meth:`Client.contract_details`, :meth:`Client.historical_bars`, ...) may be
called from any other thread.

Example:
    >>> from ibwire.sync import Client
    >>> from ibwire.messages import Contract
    >>> with Client(port=4002, client_id=1) as client:  # doctest: +SKIP
    ...     bars = client.historical_bars(
    ...         Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD"),
    ...         "1 D", "1 hour",
    ...     )
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
