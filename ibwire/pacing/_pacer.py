"""The pacer: the queues in front of the rules of :mod:`ibwire.pacing._rules`."""

from __future__ import annotations

import copy
from collections import deque
from types import MappingProxyType

from ..errorcodes import CodeTable
from ..ids import OutgoingId
from ._config import PRIORITY_MSG_IDS, Budget, PacingConfig, Rule, SupportsMsgId
from ._events import PacerStats, RequestWithdrawn, ThrottlingEnded, ThrottlingStarted
from ._rules import RuleBook
from ._tables import (
    CANCEL_TARGET,
    KIND_BY_ID,
    MKT_DATA,
    MKT_DEPTH,
    PLAIN,
    PRIORITY,
    REAL_TIME_BARS,
    TARGET,
    TARGETS,
    TICK_BY_TICK,
    Gated,
    M,
    ident_of,
    instrument_key,
    target_ident,
)

_Entry = tuple[int, M, float]


class Pacer(RuleBook[M]):
    """Decides when outgoing messages may be sent; holds no clock and never sleeps.

    ``now`` is the caller's monotonic time in seconds.  It should never decrease; a
    smaller value is treated as the largest seen so far.

    The queue has two classes: priority messages (:data:`PRIORITY_MSG_IDS`) and
    everything else.  Priority messages always go first.  Among the rest, messages
    go in submission order, except that a request held by a historical or instrument
    rule lets later messages pass it; it never waits behind them once it may go.

    Every message counts against the global token bucket: those released by
    :meth:`poll`, and those written around the queue (``startApi``), which the
    caller reports with :meth:`on_connect` or :meth:`note_sent`.

    Attributes:
        config: the limits enforced.
        server_version: the negotiated server version, which decides what ends a
            historical bars request: below 196, ``HistoricalData`` (17) does; from
            196, ``HistoricalDataEnd`` (108) does.  ``None`` (unknown) takes the
            first of the two.  Set it after each handshake (:meth:`on_connect`).
        code_table: which error codes end the request they name
            (:meth:`ibwire.errorcodes.CodeTable.ends_request`); the client's table,
            user overrides included.
    """

    __slots__ = (
        "_blocked_upto",
        "_cancels_absorbed",
        "_dropped",
        "_episode_sent",
        "_episode_start",
        "_episodes",
        "_gated",
        "_gated_wake",
        "_kinds",
        "_main",
        "_max_queued",
        "_prio",
        "_sent",
        "_sent_priority",
        "_seq",
        "_withdrawn",
    )

    def __init__(
        self,
        config: PacingConfig | None = None,
        *,
        server_version: int | None = None,
        code_table: CodeTable | None = None,
    ) -> None:
        """Create a pacer.

        Args:
            config: the limits; IB's documented values when omitted.
            server_version: the negotiated server version, if already known.
            code_table: the error code table; :data:`ibwire.errorcodes.DEFAULT_TABLE`
                when omitted.  Pass the client's, so that its overrides decide
                which errors end a request here too.
        """
        super().__init__(config, server_version, code_table)
        self._seq = 0
        self._prio: deque[_Entry[M]] = deque()
        self._main: deque[_Entry[M]] = deque()
        self._gated: list[Gated[M]] = []
        # Earliest time a gated request might go, as of the last poll (or earlier, if
        # something changed since); None when only an incoming message can free one.
        self._gated_wake: float | None = None
        # Every queued message with a ticket up to this one has waited through a poll.
        self._blocked_upto = 0
        self._kinds: dict[type, int] = {}
        self._episode_start: float | None = None
        self._episode_sent = 0
        self._episodes = 0
        self._sent = 0
        self._sent_priority = 0
        self._max_queued = 0
        self._withdrawn = 0
        self._cancels_absorbed = 0
        self._dropped = 0

    # ----------------------------------------------------------------------------------
    # Submission

    def submit(self, message: M, now: float) -> int:
        """Queue an outgoing message.

        Budgets are checked here: a request over a budget raises at once and is
        not queued.  A cancel releases what its request held and withdraws the
        request if it is still queued; if no submission of that request ever left
        the queue, the cancel is withdrawn as well and nothing at all is sent.

        Args:
            message: the outgoing message.
            now: the current time, in seconds.

        Returns:
            A ticket: a positive integer, increasing in submission order, that names
            the message in events and in :meth:`withdraw`.

        Raises:
            BudgetExceededError: the request would exceed a subscription budget
                (one of its subclasses, which names the budget).
        """
        kind = self._kinds.get(message.__class__)
        if kind is None:
            kind = self._learn(message.__class__)
        if now > self._now:
            self._now = now
        if kind:
            return self._submit_special(kind, message, now)
        seq = self._seq = self._seq + 1
        self._main.append((seq, message, now))
        return seq

    def _learn(self, cls: type) -> int:
        msg_id = getattr(cls, "MSG_ID", -1)
        kind = PRIORITY if msg_id in PRIORITY_MSG_IDS else KIND_BY_ID.get(msg_id, PLAIN)
        self._kinds[cls] = kind
        return kind

    def _submit_special(self, kind: int, message: M, now: float) -> int:
        cfg = self.config
        msg_id: int = message.MSG_ID
        if kind == PRIORITY:
            seq = self._seq = self._seq + 1
            if self._apply_cancel(message, msg_id):
                self._cancels_absorbed += 1
                self._note_withdrawn(seq, message, msg_id)
            else:
                self._prio.append((seq, message, now))
            return seq
        req_id = ident_of(message)
        # Budgets first: a refused request is not counted as submitted.
        if kind == MKT_DATA or kind == REAL_TIME_BARS:
            self._reserve_line(msg_id, req_id)
        elif kind == MKT_DEPTH:
            self._check_budget(
                Budget.MARKET_DEPTH, self._depth_holders, cfg.market_depth_limit, req_id
            )
            self._reserve_line(msg_id, req_id)
            self._depth_holders.add(req_id)
        elif kind == TICK_BY_TICK:
            self._check_budget(
                Budget.TICK_BY_TICK, self._tbt_holders, cfg.tick_by_tick_limit, req_id
            )
            self._tbt_holders.add(req_id)
        if msg_id in TARGETS:
            self._count_target(msg_id, target_ident(message, msg_id), 1)
        seq = self._seq = self._seq + 1
        if kind == TARGET or kind == MKT_DEPTH:
            self._main.append((seq, message, now))
        elif kind == MKT_DATA:
            if cfg.regulatory_snapshot_interval is not None and getattr(
                message, "regulatory_snapshot", False
            ):
                self._enqueue_gated(Gated(seq, message, now, kind), now)
            else:
                self._main.append((seq, message, now))
        elif kind == TICK_BY_TICK:
            entry = Gated(seq, message, now, kind)
            entry.instrument = instrument_key(getattr(message, "contract", None))
            self._enqueue_gated(entry, now)
        else:
            # Historical requests and real-time bars.
            entry = Gated(seq, message, now, kind)
            self._describe_historical(entry, message, msg_id)
            self._enqueue_gated(entry, now)
        return seq

    def _enqueue_gated(self, entry: Gated[M], now: float) -> None:
        self._gated.append(entry)
        # Not yet looked at by a poll: it may be able to go right away.
        self._gated_wake = now

    def _apply_cancel(self, cancel: M, msg_id: int) -> bool:
        """Release what the cancelled request held and withdraw it if still queued.

        Returns whether the cancel itself has nothing left to cancel at TWS: every
        submission of its request was still queued, and is now withdrawn.
        """
        if msg_id == OutgoingId.REQ_GLOBAL_CANCEL:
            # Orders queued before a global cancel would be cancelled on arrival.
            # The global cancel still goes: it reaches orders placed before.
            self._withdraw_where(OutgoingId.PLACE_ORDER, None, msg_id, any_ident=True)
            return False
        target = CANCEL_TARGET.get(msg_id)
        if target is None:
            return False
        ident = target_ident(cancel, msg_id)
        submitted = self._submitted_targets.get((target, ident))
        withdrawn = self._withdraw_where(target, ident, msg_id, any_ident=False)
        self._submitted_targets.pop((target, ident), None)
        self._release(target, ident)
        # An order placed before (here, by an earlier connection, another client
        # or in TWS): the changes queued are withdrawn, the cancel goes.
        known = target == OutgoingId.PLACE_ORDER and self._order_known(ident)
        return withdrawn > 0 and submitted == withdrawn and not known

    def _withdraw_where(
        self, target: int, ident: int | None, by: int | None, *, any_ident: bool
    ) -> int:
        def matches(message: SupportsMsgId) -> bool:
            if message.MSG_ID != target:
                return False
            return any_ident or target_ident(message, target) == ident

        withdrawn = 0
        main = self._main
        if main and any(matches(m) for _, m, _ in main):
            keep: deque[_Entry[M]] = deque()
            for item in main:
                if matches(item[1]):
                    withdrawn += 1
                    self._count_target(target, target_ident(item[1], target), -1)
                    self._note_withdrawn(item[0], item[1], by)
                else:
                    keep.append(item)
            self._main = keep
        if self._gated and any(matches(e.message) for e in self._gated):
            kept: list[Gated[M]] = []
            for entry in self._gated:
                if matches(entry.message):
                    withdrawn += 1
                    self._count_target(target, target_ident(entry.message, target), -1)
                    self._note_withdrawn(entry.seq, entry.message, by)
                else:
                    kept.append(entry)
            self._gated = kept
        return withdrawn

    def _note_withdrawn(self, seq: int, message: SupportsMsgId, by: int | None) -> None:
        if message.MSG_ID not in PRIORITY_MSG_IDS:
            self._withdrawn += 1
        self._emit(RequestWithdrawn(seq, message.MSG_ID, ident_of(message), by))

    def _take(self, ticket: int) -> M | None:
        """Remove a queued message by ticket."""
        for queue in (self._prio, self._main):
            for item in queue:
                if item[0] == ticket:
                    queue.remove(item)
                    return item[1]
        for index, entry in enumerate(self._gated):
            if entry.seq == ticket:
                del self._gated[index]
                return entry.message
        return None

    def withdraw(self, ticket: int) -> M | None:
        """Remove a message from the queue before it is sent.

        Whatever it held (a market data line, a depth or tick-by-tick slot) is
        released.  Use it when the caller gives up on a request still queued: its
        cancel must then not be sent (it would reach TWS as an error 300 or alike).

        Args:
            ticket: the ticket :meth:`submit` returned.

        Returns:
            The withdrawn message, or ``None`` if it is not queued (already sent,
            withdrawn, dropped, or never submitted).
        """
        found = self._take(ticket)
        if found is None:
            return None
        msg_id = found.MSG_ID
        if msg_id not in PRIORITY_MSG_IDS:
            ident = target_ident(found, msg_id)
            if msg_id in TARGETS:
                self._count_target(msg_id, ident, -1)
            self._release(msg_id, ident)
        self._note_withdrawn(ticket, found, None)
        return found

    # ----------------------------------------------------------------------------------
    # Release

    def poll(self, now: float) -> list[M]:
        """Release every queued message that may be sent at ``now``.

        Each released message is counted against the rate at ``now``: send them
        all, in the order given, before the next call.

        Args:
            now: the current time, in seconds.

        Returns:
            The messages to send now, in send order (possibly empty).
        """
        if not (
            self._main or self._prio or self._gated or self._backoff_pending or self._backlog
        ) and self._episode_start is None:
            # Nothing queued, nothing to expire, no episode to close: the common
            # case, since the client polls after every socket read.
            if now > self._now:
                self._now = now
            return []
        if now < self._now:
            now = self._now
        else:
            self._now = now
        if self._backoff_pending:
            self._expire_backoffs(now)
        out: list[M] = []
        main = self._main
        if self._gated or self._prio:
            self._poll_all(now, out)
        elif main:
            # Hot path: nothing but the global rate applies.
            n = len(main)
            if n > self._max_queued:
                self._max_queued = n
            n = self._room(now, n)
            self._spend(now, n)
            blocked = self._blocked_upto
            popleft = main.popleft
            append_out = out.append
            for _ in range(n):
                seq, message, submitted = popleft()
                append_out(message)
                if seq <= blocked:
                    self._delayed(seq, message, submitted, now, Rule.GLOBAL_RATE)
            self._sent += n
        main = self._main
        self._backlog = bool(main or self._prio)
        if main or self._prio or self._gated:
            self._after_blocked(now)
        elif self._episode_start is not None:
            self._end_episode(now)
        return out

    def _poll_all(self, now: float, out: list[M]) -> None:
        prio = self._prio
        main = self._main
        gated = self._gated
        depth = len(prio) + len(main) + len(gated)
        if depth > self._max_queued:
            self._max_queued = depth
        room = self._room(now, depth)
        first = len(out)
        blocked = self._blocked_upto
        while prio and room > 0:
            seq, message, submitted = prio.popleft()
            out.append(message)
            self._sent_priority += 1
            room -= 1
            if seq <= blocked:
                self._delayed(seq, message, submitted, now, Rule.GLOBAL_RATE)
        if gated:
            wake: float | None = None
            kept: list[Gated[M]] = []
            for entry in gated:
                if room <= 0 and wake is not None and wake <= now:
                    # Out of room, and the next rate slot already releases one.
                    kept.append(entry)
                    continue
                rule, until = self._check(entry, now)
                if rule is not None:
                    if entry.rule is None:
                        entry.rule = rule
                    kept.append(entry)
                    if until is not None and (wake is None or until < wake):
                        wake = until
                    continue
                # Eligible: older plain messages go first, then this one.
                while main and room > 0 and main[0][0] < entry.seq:
                    room -= 1
                    self._send_main(now, out)
                if room <= 0:
                    # Eligible, but out of room: the next rate slot releases it.
                    kept.append(entry)
                    wake = now
                    continue
                room -= 1
                out.append(entry.message)
                self._on_gated_sent(entry, now)
                if entry.rule is not None or entry.seq <= blocked:
                    self._delayed(
                        entry.seq,
                        entry.message,
                        entry.submitted,
                        now,
                        entry.rule or Rule.GLOBAL_RATE,
                    )
            self._gated = kept
            self._gated_wake = wake
        while main and room > 0:
            room -= 1
            self._send_main(now, out)
        released = len(out) - first
        self._sent += released
        self._spend(now, released)

    def _send_main(self, now: float, out: list[M]) -> None:
        seq, message, submitted = self._main.popleft()
        out.append(message)
        if seq <= self._blocked_upto:
            self._delayed(seq, message, submitted, now, Rule.GLOBAL_RATE)

    def _freed(self) -> None:
        if self._gated:
            self._gated_wake = self._now

    def _after_blocked(self, now: float) -> None:
        """Book-keeping after a poll that left messages queued."""
        self._blocked_upto = self._seq
        if self._episode_start is not None:
            return
        if (
            self._gated
            and not self._prio
            and (not self._main or self._gated[0].seq < self._main[0][0])
        ):
            rule = self._gated[0].rule or Rule.GLOBAL_RATE
        else:
            rule = Rule.GLOBAL_RATE
        self._episode_start = now
        self._episode_sent = self._sent
        self._episodes += 1
        self._emit(ThrottlingStarted(now, rule, self.queued))

    def _end_episode(self, now: float) -> None:
        start = self._episode_start
        assert start is not None
        self._episode_start = None
        self._emit(ThrottlingEnded(now, now - start, self._sent - self._episode_sent))

    def next_deadline(self) -> float | None:
        """The earliest time :meth:`poll` could release more.

        A time at or before the last ``now`` means "poll now".  ``None`` means
        that waiting alone releases nothing: the queue is empty, or every queued
        request waits for an open historical request to end.  Call :meth:`poll`
        again after :meth:`submit`, :meth:`on_incoming` and :meth:`withdraw`.

        Returns:
            A time in the caller's clock, or ``None``.
        """
        if self._prio or self._main:
            return self._rate_slot()
        if self._gated:
            wake = self._gated_wake
            if wake is None:
                return None
            slot = self._rate_slot()
            return wake if wake > slot else slot
        return None

    def release_time(self, message: M, now: float) -> float | None:
        """When ``message`` would be sent if it were submitted at ``now``.

        A query: nothing is booked and nothing changes.  The answer assumes that
        :meth:`poll` is called at each :meth:`next_deadline`, that nothing else is
        submitted meanwhile and that no open historical request ends; it is the
        time a planner should wait for so that its request does not sit in the
        queue (``ibwire history`` asks the client's own pacer this).

        Args:
            message: the request (its request id does not matter).
            now: the current time, in seconds.

        Returns:
            The send time (``>= now``), or ``None`` when only the end of an open
            historical request would let it go.

        Raises:
            BudgetExceededError: the request would exceed a subscription budget.
        """
        twin = copy.deepcopy(self)
        twin._events.clear()
        twin.submit(message, now)
        t = twin._now
        while True:
            released = twin.poll(t)
            if any(item is message for item in released):
                return t
            wake = twin.next_deadline()
            if wake is None:
                return None
            if wake <= t and not released:  # pragma: no cover - a pacer bug
                raise RuntimeError("the pacer announced a deadline that releases nothing")
            t = wake if wake > t else t

    # ----------------------------------------------------------------------------------
    # Connection

    def flush_priority(self, now: float) -> list[M]:
        """At a close: the queued priority messages (cancels) that may still go now.

        The steady rate no longer matters to a connection about to end; IB's
        ceiling does: as many as the receiver-side cap has room for go, oldest
        first, counted as sent.  :meth:`on_disconnect` hands back the rest.
        """
        prio = self._prio
        if not prio:
            return []
        now = self._now = max(now, self._now)
        free = self._cap_room(now)
        count = len(prio) if free is None else min(len(prio), free)
        out = [prio.popleft()[1] for _ in range(count)]
        self._spend(now, count)
        self._sent += count
        return out

    def on_disconnect(self) -> list[M]:
        """Forget the connection's state and hand back what was never sent.

        Queued messages are removed and returned (priority messages first, then in
        submission order) so the front end can fail their waiters; they belong to
        a dead session.  Open historical requests and all budgets are released: TWS
        drops them with the connection.  The token bucket, the historical pacing
        windows, the tick-by-tick spacing and any backoff are kept: IB counts them
        per TWS and account, across connections.  So are the orders placed: TWS
        keeps them, and a later cancel of one is always sent.

        Returns:
            The unsent messages.
        """
        gated = [(e.seq, e.message) for e in self._gated]
        rest = sorted([(seq, m) for seq, m, _ in self._main] + gated, key=lambda item: item[0])
        dropped: list[M] = [m for _, m, _ in self._prio]
        dropped.extend(m for _, m in rest)
        self._prio.clear()
        self._main.clear()
        self._gated = []
        self._gated_wake = None
        self._dropped += len(dropped)
        self._forget_submissions(dropped)
        self._open_hist.clear()
        self._line_holders.clear()
        self._depth_holders.clear()
        self._tbt_holders.clear()
        if self._episode_start is not None:
            self._end_episode(self._now)
        return dropped

    # ----------------------------------------------------------------------------------
    # Observability

    @property
    def queued(self) -> int:
        """Messages waiting in the queue."""
        return len(self._prio) + len(self._main) + len(self._gated)

    @property
    def rate_limit(self) -> int | None:
        """The token bucket's rate now, in messages per second (lowered in a backoff)."""
        return self._limit

    @property
    def burst(self) -> int | None:
        """The token bucket's capacity, or ``None`` when the global rule is off."""
        return None if self._limit is None else self._burst

    @property
    def open_historical(self) -> int:
        """Historical requests sent and not yet ended."""
        return len(self._open_hist)

    @property
    def stats(self) -> PacerStats:
        """A snapshot of the counters."""
        return PacerStats(
            submitted=self._seq,
            sent=self._sent,
            sent_priority=self._sent_priority,
            queued=self.queued,
            queued_priority=len(self._prio),
            max_queued=self._max_queued,
            throttled=self._throttled,
            throttled_by_rule=MappingProxyType(dict(self._by_rule)),
            total_wait=self._wait_total,
            max_wait=self._wait_max,
            throttling_episodes=self._episodes,
            withdrawn=self._withdrawn,
            dropped=self._dropped,
            refused_by_budget=MappingProxyType(dict(self._refused)),
            rate_errors=self._rate_errors,
            historical_pacing_errors=self._hist_pause_errors,
            realtime_errors=self._realtime_errors,
            backoffs=self._backoffs,
            open_historical=len(self._open_hist),
            market_data_lines_in_use=len(self._line_holders),
            market_depth_in_use=len(self._depth_holders),
            tick_by_tick_in_use=len(self._tbt_holders),
            rate_limit=self._limit,
            events_dropped=self._events_dropped,
            cancels_absorbed=self._cancels_absorbed,
            burst=self.burst,
            external_sent=self._external_sent,
        )
