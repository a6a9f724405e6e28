"""Order ids and request ids: two separate allocators, without I/O or locks.

Both live inside the session, whose caller serialises every call (the threaded
client holds its lock around each one, and allocates an order id and submits
its order in one such call, so ids reach TWS in increasing order).

TWS requires every new order id of a client to be greater than every order id
that client used before (error 103, "duplicate order id", otherwise).  The
lowest usable id arrives as ``nextValidId`` at startup, and again after each
reconnect.  :class:`OrderIdAllocator` is seeded by it and never hands out an id
twice, even across reconnects: after a re-sync the next id is
``max(next_valid_id, last used + 1)``.

Request ids (ticker ids, request ids of historical data and so on) are free-form
but must be unique among live requests (errors 102 and 386).  They come from
their own counter, :class:`RequestIdAllocator`, which starts far above any
plausible order id so that an ``ERR_MSG`` whose id field names an order can
never be mistaken for one naming a request.
"""

from __future__ import annotations

from typing import Final

__all__ = ["DEFAULT_REQUEST_ID_START", "OrderIdAllocator", "RequestIdAllocator"]

#: The first request id.  ``ERR_MSG`` carries one id field for both orders and
#: requests; keeping the two ranges apart makes the routing of an error exact.
#: Order ids are int32 like request ids, and real accounts stay far below 10**9.
DEFAULT_REQUEST_ID_START: Final = 1_000_000_000


class OrderIdAllocator:
    """Hands out order ids: seeded by ``nextValidId``, strictly increasing, never reused.

    Not thread-safe by itself: the session's caller serialises access.

    Example:
        >>> ids = OrderIdAllocator()
        >>> ids.sync(100)
        100
        >>> ids.next(), ids.next()
        (100, 101)
        >>> ids.sync(50)  # a reconnect reports a lower id: never go back
        102
    """

    def __init__(self) -> None:
        self._next: int | None = None
        self._last_used: int | None = None

    @property
    def is_seeded(self) -> bool:
        """Whether a ``nextValidId`` has been seen, so :meth:`next` can answer."""
        return self._next is not None

    @property
    def last_used(self) -> int | None:
        """The highest order id handed out or observed, ``None`` before the first."""
        return self._last_used

    def sync(self, next_valid_id: int) -> int:
        """Take a ``nextValidId`` from TWS; returns the next id :meth:`next` will give.

        The next id becomes ``max(next_valid_id, last used + 1)``: TWS's value
        wins when it is higher (orders placed by another session of this client
        id), ours when TWS reports less than we already used.

        Args:
            next_valid_id: the ``order_id`` of a :class:`~ibwire.messages.NextValidId`.

        Returns:
            The next order id.
        """
        candidate = next_valid_id
        if self._last_used is not None and self._last_used + 1 > candidate:
            candidate = self._last_used + 1
        if self._next is not None and self._next > candidate:
            candidate = self._next
        self._next = candidate
        return candidate

    def peek(self) -> int:
        """The id :meth:`next` would hand out now, without taking it (0 before seeding)."""
        return self._next if self._next is not None else 0

    def next(self) -> int:
        """Allocate the next order id.

        Raises:
            RuntimeError: no ``nextValidId`` has arrived yet (not connected).
        """
        value = self._next
        if value is None:
            raise RuntimeError("no nextValidId received yet: connect first")
        self._next = value + 1
        self._last_used = value
        return value

    def observe(self, order_id: int) -> None:
        """Note an order id chosen by the caller, so it is never handed out later.

        Args:
            order_id: an id used in a ``placeOrder`` that did not come from :meth:`next`.
        """
        if self._last_used is None or order_id > self._last_used:
            self._last_used = order_id
        if self._next is not None and self._next <= order_id:
            self._next = order_id + 1


class RequestIdAllocator:
    """Hands out request ids from a counter of their own (serialised by the session's caller).

    Args:
        start: the first id; see :data:`DEFAULT_REQUEST_ID_START`.
    """

    def __init__(self, start: int = DEFAULT_REQUEST_ID_START) -> None:
        self._next = start
        self.start = start

    def next(self) -> int:
        """Allocate the next request id."""
        value = self._next
        self._next = value + 1
        return value

    def is_request_id(self, value: int) -> bool:
        """Whether ``value`` lies in the range this allocator hands out."""
        return value >= self.start
