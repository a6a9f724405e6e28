"""A subscription's bounded buffer, shared by both front ends (no I/O, no waiting).

The session pushes a stream's messages into the buffer as they are decoded; the
user takes them when they iterate.  A user who stops reading must not make the
process grow without end (an unread market-data stream grows by tens of MiB a
second), so the buffer holds at most ``maxlen`` messages and, when full, **drops
the oldest**: the newest quote is the one that matters.  Every drop is counted
(:attr:`SubscriptionBuffer.dropped`) and reported on the ``ibwire`` logger, at
the first drop and then at every power of two.  The end of the stream is never
dropped: it is kept apart from the messages.

:class:`ibwire.sync.Subscription` and :class:`ibwire.asyncio.Subscription`
derive from :class:`SubscriptionBuffer` and add only how they wait.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Hashable
from typing import Any, Final, Generic, Protocol, TypeVar

from .messages import ErrMsg, Message

__all__ = ["DEFAULT_SUBSCRIPTION_BUFFER", "SubscriptionBuffer"]

logger: Final = logging.getLogger("ibwire")

T = TypeVar("T")

#: Messages a subscription holds for its reader before it drops the oldest.
DEFAULT_SUBSCRIPTION_BUFFER: Final = 10_000


class _Owner(Protocol):
    def _unsubscribe(self, key: Hashable, sink: SubscriptionBuffer[Any]) -> None: ...

    def _subscription_warnings(self, key: Hashable) -> list[ErrMsg]: ...


class _End:
    __slots__ = ("error",)

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class SubscriptionBuffer(Generic[T]):
    """A stream's messages waiting for their reader: bounded, oldest dropped first.

    Args:
        client: the client that owns the stream.
        maxlen: the most messages held; a push beyond it drops the oldest.

    Attributes:
        key: the stream's key in the session (its request id, or a name).
    """

    def __init__(self, client: _Owner, maxlen: int = DEFAULT_SUBSCRIPTION_BUFFER) -> None:
        if maxlen < 1:
            raise ValueError("a subscription buffer holds at least one message")
        self._client = client
        self._items: deque[Message] = deque(maxlen=maxlen)
        self._pending_end: _End | None = None
        self._ended: _End | None = None
        self._dropped = 0
        self.key: Hashable = None

    @property
    def req_id(self) -> int | None:
        """The request id, for streams that have one."""
        return self.key if isinstance(self.key, int) else None

    @property
    def is_done(self) -> bool:
        """Whether the stream has ended and every message was taken."""
        return self._ended is not None

    @property
    def dropped(self) -> int:
        """How many messages were dropped because the reader fell behind."""
        return self._dropped

    @property
    def maxlen(self) -> int:
        """The most messages held for the reader."""
        maxlen = self._items.maxlen
        assert maxlen is not None
        return maxlen

    # The session calls these, through the front end.
    def push(self, message: Message) -> None:
        """Hold a message of the stream (called by the client)."""
        items = self._items
        if len(items) == items.maxlen:
            self._dropped += 1
            dropped = self._dropped
            if dropped & (dropped - 1) == 0:
                logger.warning(
                    "subscription %r: the reader is behind; %d message(s) dropped, oldest first "
                    "(at most %d are held)",
                    self.key,
                    dropped,
                    items.maxlen,
                )
        items.append(message)
        self._wake()

    def end(self, error: BaseException | None) -> None:
        """Mark the end of the stream (called by the client)."""
        if self._pending_end is None:
            self._pending_end = _End(error)
        self._wake()

    def _wake(self) -> None:
        """Tell a waiting reader (each front end its own way)."""

    def _take(self) -> tuple[bool, T | None]:
        """(True, message) or (False, None) when nothing is there; raises at the end."""
        if self._ended is not None:
            self._raise_end(self._ended)
        items = self._items
        if items:
            return True, items.popleft()  # type: ignore[return-value]
        end = self._pending_end
        if end is not None:
            self._ended = end
            self._raise_end(end)
        return False, None

    def _raise_end(self, end: _End) -> None:
        if end.error is not None:
            raise end.error
        raise self._stop()

    def _stop(self) -> Exception:
        """The exception that ends iteration (``StopIteration`` or ``StopAsyncIteration``)."""
        return StopIteration()

    def warnings(self) -> list[ErrMsg]:
        """Warnings TWS sent about this stream (e.g. 10167, delayed data)."""
        return list(self._client._subscription_warnings(self.key))

    def cancel(self) -> None:
        """Stop the stream: send its cancel; iteration ends after what is held.

        Once the stream has ended (cancelled, ended by TWS, or by a disconnect)
        this sends nothing, even when a newer stream has the same key.
        """
        self._client._unsubscribe(self.key, self)
