"""The global rate: a token bucket under a receiver-side cap."""

from __future__ import annotations

from collections import deque
from math import inf

from ._config import PacingConfig


class RateGate:
    """The global rule's state and arithmetic.

    The global rate is a token bucket in its "virtual scheduling" form (GCRA): a
    message may go at ``now`` when ``_tat - _tau <= now``; each message sent moves
    the theoretical arrival time ``_tat`` on by ``_interval``.  That admits at most
    ``burst + floor(rate * w)`` messages in any span of ``w`` seconds.  On top of
    it, ``_ring`` holds the send times of the last receiver span (1.1 s), of which
    there are never more than ``_cap`` (50): the guarantee at TWS.  Messages written
    around the queue (``startApi``) are in the ring too; :meth:`connect_slot` says
    when one more fits.
    """

    __slots__ = (
        "_backlog",
        "_burst",
        "_cap",
        "_external_sent",
        "_interval",
        "_limit",
        "_now",
        "_ring",
        "_span",
        "_tat",
        "_tau",
        "config",
        "server_version",
    )

    def __init__(self, config: PacingConfig, server_version: int | None) -> None:
        self.config: PacingConfig = config
        self.server_version = server_version
        self._now = -inf
        # The token bucket.
        self._burst = config.burst
        self._limit: int | None = None
        self._interval = 0.0
        self._tau = 0.0
        self._tat = -inf
        self._set_limit(config.effective_rate_limit)
        # The receiver-side cap: send times within the last span, oldest first.
        self._cap = config.receiver_cap
        self._span = config.receiver_span
        self._ring: deque[float] = deque()
        # The last poll left messages queued (the main or priority queue).
        self._backlog = False
        self._external_sent = 0

    def _set_limit(self, limit: int | None, now: float | None = None) -> None:
        """Set the bucket's rate; from ``now`` on, the tokens spent stay spent.

        A new rate changes the bucket's tolerance (``burst`` intervals), so the
        debt carried in ``_tat`` is rescaled to the new interval: lowering the rate
        (a backoff after error 100) must never free a burst the old rate had used.
        """
        old = self._interval if self._limit is not None else 0.0
        self._limit = limit
        if limit is None:
            self._interval = self._tau = 0.0
        else:
            self._interval = 1.0 / limit
            self._tau = (self._burst - 1) * self._interval
            if now is not None and old and self._tat > now:
                self._tat = now + (self._tat - now) * (self._interval / old)

    def _room(self, now: float, want: int) -> int:
        """How many of ``want`` messages may go at ``now``: bucket and cap allowing.

        Nothing is spent: :meth:`_spend` counts what was sent.
        """
        room = want
        free = self._cap_room(now)
        if free is not None and free < room:
            room = free
        if self._limit is None:
            return room
        tau = self._tau
        tat = self._tat
        if self._backlog:
            # The burst is for a queue that was empty.  Messages that waited (for
            # the cap, or for a late poll) earn no credit meanwhile: otherwise each
            # release by the cap would send a burst, a clump per receiver span.
            # The bucket goes on as if empty: one now, then the steady rate.
            restart = now + tau
            if tat < restart:
                tat = self._tat = restart
        base = tat if tat > now else now
        interval = self._interval
        # The k-th message may go when base + k * interval - tau <= now.  Written as
        # _spend and _bucket_slot compute it, so that a poll at the slot it announced
        # always releases, and float sums never drift.
        k = 0
        while k < room and base + k * interval - tau <= now:
            k += 1
        return k

    def _cap_room(self, now: float) -> int | None:
        """How many more messages the receiver-side cap admits at ``now`` (``None``: no cap)."""
        cap = self._cap
        if cap is None:
            return None
        ring = self._ring
        span = self._span
        while ring and ring[0] + span <= now:
            ring.popleft()
        free = cap - len(ring)
        return free if free > 0 else 0

    def _spend(self, now: float, count: int) -> None:
        """Count ``count`` messages sent at ``now`` against the bucket and the cap."""
        if count <= 0:
            return
        if self._cap is not None:
            if count == 1:
                self._ring.append(now)
            else:
                self._ring.extend([now] * count)
        if self._limit is not None:
            tat = self._tat
            self._tat = (tat if tat > now else now) + count * self._interval

    def _rate_slot(self) -> float:
        """When the bucket and the cap next admit one message (``_now``: now)."""
        slot = self._bucket_slot()
        cap = self._cap
        ring = self._ring
        if cap is not None and len(ring) >= cap:
            freed = ring[len(ring) - cap] + self._span
            if freed > slot:
                slot = freed
        return slot

    def _bucket_slot(self) -> float:
        # A rate backoff's end never brings this forward: the nominal rate's
        # tolerance is the shorter one.
        if self._limit is None:
            return self._now
        slot = self._tat - self._tau
        return slot if slot > self._now else self._now

    # ----------------------------------------------------------------------------------
    # Messages written around the queue

    def note_sent(self, now: float, count: int = 1) -> None:
        """Count messages written without going through the queue.

        The handshake's ``startApi`` is written by the protocol layer, not released
        by :meth:`poll`; it still counts towards IB's 50 per second.  Call this when
        such a message is written, so that the token bucket spends for it.

        Args:
            now: the current time, in seconds.
            count: how many messages were written.
        """
        if now > self._now:
            self._now = now
        self._external_sent += count
        self._spend(self._now, count)

    def connect_slot(self, now: float) -> float:
        """When a connection may start without breaking the receiver-side cap.

        The handshake writes ``startApi`` around the queue, so it cannot wait
        there.  Connect at or after this time: then it fits under the cap.  It is
        ``now`` unless the last :attr:`PacingConfig.receiver_span` seconds already
        carried the ceiling (a reconnect right after a burst).

        Args:
            now: the current time, in seconds.

        Returns:
            ``now``, or the later time at which one more message fits.
        """
        cap = self._cap
        ring = self._ring
        span = self._span
        while ring and ring[0] + span <= now:
            ring.popleft()
        if cap is None or len(ring) < cap:
            return now
        slot = ring[len(ring) - cap] + span
        return slot if slot > now else now

    def on_connect(self, now: float, server_version: int | None = None) -> None:
        """The handshake is done and ``startApi`` was written: count it.

        Sets :attr:`server_version` and spends one token for ``startApi``.  Call
        it once per connection, when the handshake's reply (``ConnectAck``) is
        read, since that is when the protocol layer writes ``startApi``.

        Args:
            now: the current time, in seconds.
            server_version: the negotiated server version.
        """
        if server_version is not None:
            self.server_version = server_version
        self.note_sent(now)
