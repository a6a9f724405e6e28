"""The pacer's rules and their state: the token bucket, historical pacing, budgets,
backoffs and the event log.  :class:`~ibwire.pacing.Pacer` adds the queues.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from math import floor, inf
from typing import Generic

from ..errorcodes import DEFAULT_TABLE, CodeTable
from ..errors import (
    BudgetExceededError,
    MarketDataLinesExceededError,
    MarketDepthLimitExceededError,
    TickByTickLimitExceededError,
)
from ..ids import OutgoingId
from ._config import (
    HISTORICAL_SMALL_BAR_SECONDS,
    RATE_WINDOW,
    BackoffKind,
    Budget,
    PacingConfig,
    Rule,
    SupportsMsgId,
)
from ._events import BackoffEnded, BackoffStarted, MessageDelayed, PacingEvent
from ._rate import RateGate
from ._tables import (
    HISTORICAL,
    HISTORICAL_DATA_END_VERSION,
    IN_END,
    IN_ERROR,
    IN_HISTORICAL_DATA,
    IN_IGNORED,
    IN_ORDER,
    IN_SNAPSHOT_END,
    IN_TICKS,
    INCOMING_KIND,
    KIND_BY_ID,
    MAX_KNOWN_ORDERS,
    MAX_TRACKED_TARGETS,
    MKT_DATA,
    REAL_TIME_BARS,
    SWEEP_EVERY,
    TICK_BY_TICK,
    Gated,
    M,
    Window,
    bar_seconds,
    contract_key,
    freeze,
    ident_of,
    param_names,
    target_ident,
)


class RuleBook(RateGate, Generic[M]):
    """Every rule's state and arithmetic but the global rate's; no queue."""

    __slots__ = (
        "_backoff_pending",
        "_backoffs",
        "_depth_holders",
        "_events",
        "_events_dropped",
        "_incoming_kinds",
        "_known_orders",
        "_known_orders_floor",
        "_hist_level",
        "_hist_margin",
        "_hist_pause_errors",
        "_hist_pause_len",
        "_hist_pause_until",
        "_hist_paused",
        "_hist_window",
        "_identical",
        "_line_holders",
        "_submitted_targets",
        "_open_hist",
        "_param_cache",
        "_rate_errors",
        "_rate_level",
        "_rate_lowered_at",
        "_rate_until",
        "_realtime_errors",
        "_refused",
        "_regulatory_last",
        "_rt_level",
        "_rt_pause_len",
        "_rt_pause_until",
        "_rt_paused",
        "_same",
        "_sweep_countdown",
        "_tbt_holders",
        "_tbt_last",
        "_by_rule",
        "_throttled",
        "_wait_max",
        "_wait_total",
        "code_table",
    )

    def __init__(
        self,
        config: PacingConfig | None,
        server_version: int | None,
        code_table: CodeTable | None,
    ) -> None:
        cfg = config if config is not None else PacingConfig()
        super().__init__(cfg, server_version)
        self.code_table: CodeTable = code_table if code_table is not None else DEFAULT_TABLE
        # Historical pacing state.  It outlives a connection: IB counts per account.
        self._param_cache: dict[type, tuple[str, ...]] = {}
        self._identical: dict[Hashable, float] = {}
        self._same: dict[Hashable, Window] = {}
        # TWS counts requests when they arrive, up to ``arrival_jitter`` after we
        # send them: every historical window, and the tick-by-tick and regulatory
        # snapshot spacing, is that much longer here.
        self._hist_margin = cfg.historical_margin
        self._hist_window = (
            Window(cfg.historical_window_limit, cfg.historical_window + self._hist_margin)
            if cfg.historical_window_limit is not None
            else None
        )
        self._tbt_last: dict[Hashable, float] = {}
        self._regulatory_last = -inf
        self._sweep_countdown = SWEEP_EVERY
        # Per-connection state: open historical requests (req_id -> closed by its end
        # message, i.e. not keep_up_to_date) and budget holders.
        self._open_hist: dict[int, bool] = {}
        self._line_holders: set[tuple[int, int | None]] = set()
        self._depth_holders: set[int | None] = set()
        self._tbt_holders: set[int | None] = set()
        # Order ids TWS holds or held (released placements, orders TWS spoke
        # of): a cancel of one always goes.  It outlives a connection, as orders
        # do; past its cap, every id up to the floor counts as known.
        self._known_orders: dict[int, None] = {}
        # Submissions per (request message id, request or order id): whether any
        # left the queue, for a cancel (see MAX_TRACKED_TARGETS).
        self._submitted_targets: dict[tuple[int, int | None], int] = {}
        self._known_orders_floor = -(2**63)
        # Backoff state.
        self._backoff_pending = False
        self._rate_until: float | None = None
        self._rate_level = 0
        self._rate_lowered_at = -inf
        self._hist_pause_until = -inf
        self._hist_pause_len = 0.0
        self._hist_level = 0
        self._hist_pause_errors = 0
        self._hist_paused = False
        self._rt_paused = False
        self._rt_pause_until = -inf
        self._rt_pause_len = 0.0
        self._rt_level = 0
        self._rate_errors = 0
        self._realtime_errors = 0
        self._backoffs = 0
        # Observability.
        self._events: deque[PacingEvent] = deque(maxlen=cfg.max_events)
        self._events_dropped = 0
        self._throttled = 0
        self._by_rule: dict[Rule, int] = {}
        self._wait_total = 0.0
        self._wait_max = 0.0
        self._refused: dict[Budget, int] = {}
        self._incoming_kinds: dict[type, int] = {}

    # ----------------------------------------------------------------------------------
    # Historical requests, tick-by-tick and regulatory snapshots

    def _describe_historical(self, entry: Gated[M], message: M, msg_id: int) -> None:
        cfg = self.config
        cls = message.__class__
        names = self._param_cache.get(cls)
        if names is None:
            names = self._param_cache[cls] = param_names(cls)
        key = contract_key(getattr(message, "contract", None))
        params: list[Hashable] = [msg_id]
        for name in names:
            value = getattr(message, name, None)
            params.append(key if name == "contract" else freeze(value))
        entry.identical = tuple(params)
        what = str(getattr(message, "what_to_show", "") or "")
        entry.same = (key, what)
        entry.weight = cfg.historical_bid_ask_weight if what.upper() == "BID_ASK" else 1
        entry.keep_open = bool(getattr(message, "keep_up_to_date", False))
        entry.paced = True
        if cfg.historical_small_bars_only and msg_id == OutgoingId.REQ_HISTORICAL_DATA:
            seconds = bar_seconds(getattr(message, "bar_size_setting", ""))
            # An unreadable bar size is paced: the cautious choice.
            entry.paced = seconds is None or seconds <= HISTORICAL_SMALL_BAR_SECONDS

    def _check(self, entry: Gated[M], now: float) -> tuple[Rule | None, float | None]:
        """The rule holding a gated request at ``now`` and when it may go.

        Every rule is asked, and the time is when the last of them lifts: each,
        once lifted, stays so until something else is sent, so the request may go
        then and :meth:`next_deadline` never names a time at which it may not
        (an identical request that also waits for the 10-minute window is due
        when the window frees, not when its 15 s are over).  The rule named is
        the first that holds it.  ``None`` as the time: only the end of an open
        historical request frees it.
        """
        cfg = self.config
        kind = entry.kind
        rule: Rule | None = None
        latest = now
        if kind == HISTORICAL or kind == REAL_TIME_BARS:
            if self._hist_pause_until > now:
                rule, latest = Rule.HISTORICAL_BACKOFF, self._hist_pause_until
            if kind == REAL_TIME_BARS:
                if self._rt_pause_until > now:
                    if rule is None:
                        rule = Rule.REALTIME_BACKOFF
                    latest = max(latest, self._rt_pause_until)
            elif (
                cfg.historical_max_open is not None
                and len(self._open_hist) >= cfg.historical_max_open
            ):
                return (Rule.HISTORICAL_OPEN if rule is None else rule), None
            if entry.paced:
                interval = cfg.historical_identical_interval
                if interval is not None:
                    interval += self._hist_margin
                    last = self._identical.get(entry.identical)
                    if last is not None and last + interval > now:
                        if rule is None:
                            rule = Rule.HISTORICAL_IDENTICAL
                        latest = max(latest, last + interval)
                if cfg.historical_same_contract_limit is not None:
                    window = self._same.get(entry.same)
                    if window is not None:
                        until = window.blocked_until(now, entry.weight)
                        if until is not None:
                            if rule is None:
                                rule = Rule.HISTORICAL_SAME_CONTRACT
                            latest = max(latest, until)
                if self._hist_window is not None:
                    until = self._hist_window.blocked_until(now, entry.weight)
                    if until is not None:
                        if rule is None:
                            rule = Rule.HISTORICAL_WINDOW
                        latest = max(latest, until)
            return (None, None) if rule is None else (rule, latest)
        if kind == TICK_BY_TICK:
            if self._rt_pause_until > now:
                rule, latest = Rule.REALTIME_BACKOFF, self._rt_pause_until
            interval = cfg.tick_by_tick_instrument_interval
            if interval is not None:
                # Measured at TWS, like the historical intervals.
                interval += self._hist_margin
                last = self._tbt_last.get(entry.instrument)
                if last is not None and last + interval > now:
                    if rule is None:
                        rule = Rule.TICK_BY_TICK_INSTRUMENT
                    latest = max(latest, last + interval)
            return (None, None) if rule is None else (rule, latest)
        # A regulatory snapshot.
        interval = cfg.regulatory_snapshot_interval
        if interval is not None:
            interval += self._hist_margin
            if self._regulatory_last + interval > now:
                return Rule.REGULATORY_SNAPSHOT, self._regulatory_last + interval
        return None, None

    def _on_gated_sent(self, entry: Gated[M], now: float) -> None:
        cfg = self.config
        kind = entry.kind
        if kind == TICK_BY_TICK:
            self._tbt_last[entry.instrument] = now
        elif kind == MKT_DATA:
            self._regulatory_last = now
        else:
            if kind == HISTORICAL and entry.req_id is not None:
                self._open_hist[entry.req_id] = not entry.keep_open
            if entry.paced:
                self._identical[entry.identical] = now
                limit = cfg.historical_same_contract_limit
                if limit is not None:
                    window = self._same.get(entry.same)
                    if window is None:
                        window = self._same[entry.same] = Window(
                            limit, cfg.historical_same_contract_window + self._hist_margin
                        )
                    window.add(now, entry.weight)
                if self._hist_window is not None:
                    self._hist_window.add(now, entry.weight)
        self._sweep_countdown -= 1
        if self._sweep_countdown <= 0:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        """Forget pacing history too old to matter, so memory stays bounded."""
        cfg = self.config
        self._sweep_countdown = SWEEP_EVERY
        interval = (cfg.historical_identical_interval or 0.0) + self._hist_margin
        self._identical = {k: t for k, t in self._identical.items() if t + interval > now}
        tbt_interval = (cfg.tick_by_tick_instrument_interval or 0.0) + self._hist_margin
        self._tbt_last = {k: t for k, t in self._tbt_last.items() if t + tbt_interval > now}
        for key in list(self._same):
            window = self._same[key]
            window.prune(now)
            if not window.sends:
                del self._same[key]

    # ----------------------------------------------------------------------------------
    # Budgets and open requests

    def _check_budget(
        self, budget: Budget, holders: set[int | None], limit: int | None, req_id: int | None
    ) -> None:
        if limit is not None and req_id not in holders and len(holders) >= limit:
            error_class: type[BudgetExceededError] = (
                MarketDepthLimitExceededError
                if budget is Budget.MARKET_DEPTH
                else TickByTickLimitExceededError
            )
            self._refuse(error_class(budget, limit, len(holders), req_id))

    def _reserve_line(self, msg_id: int, req_id: int | None) -> None:
        limit = self.config.market_data_lines
        key = (msg_id, req_id)
        holders = self._line_holders
        if key in holders:
            return
        if limit is not None and len(holders) >= limit:
            self._refuse(
                MarketDataLinesExceededError(Budget.MARKET_DATA_LINES, limit, len(holders), req_id)
            )
        holders.add(key)

    def _refuse(self, error: BudgetExceededError) -> None:
        self._refused[error.budget] = self._refused.get(error.budget, 0) + 1
        raise error

    def _release(self, target: int, ident: int | None) -> None:
        """Release the budgets and the open slot held by one request."""
        if target == OutgoingId.REQ_MKT_DATA or target == OutgoingId.REQ_REAL_TIME_BARS:
            self._line_holders.discard((target, ident))
        elif target == OutgoingId.REQ_MKT_DEPTH:
            self._line_holders.discard((target, ident))
            self._depth_holders.discard(ident)
        elif target == OutgoingId.REQ_TICK_BY_TICK_DATA:
            self._tbt_holders.discard(ident)
        elif KIND_BY_ID.get(target) == HISTORICAL and ident is not None:
            if self._open_hist.pop(ident, None) is not None:
                self._freed()

    def _end_request(self, req_id: int) -> None:
        self._line_holders.discard((OutgoingId.REQ_MKT_DATA, req_id))
        self._line_holders.discard((OutgoingId.REQ_REAL_TIME_BARS, req_id))
        self._line_holders.discard((OutgoingId.REQ_MKT_DEPTH, req_id))
        self._depth_holders.discard(req_id)
        self._tbt_holders.discard(req_id)
        if self._open_hist.pop(req_id, None) is not None:
            self._freed()

    def _end_historical(self, req_id: int | None) -> None:
        if req_id is None or not self._open_hist.get(req_id, False):
            # Unknown, or keep_up_to_date: its end marker does not close it.
            return
        del self._open_hist[req_id]
        self._freed()

    def _freed(self) -> None:
        """An open historical request ended: a held one may go (the queue's hook)."""

    # ----------------------------------------------------------------------------------
    # Errors and backoffs

    def _on_error(self, message: SupportsMsgId, req_id: int | None, now: float) -> None:
        code = getattr(message, "error_code", 0)
        if code == 100:
            self._rate_errors += 1
            self._rate_backoff(req_id, now)
        elif code == 162 or code == 420:
            # Both codes also carry failures that say nothing about pacing ("HMDS
            # query returned no data", "No market data permissions for ISLAND
            # STK"): pausing every other request for those would only delay them.
            text = str(getattr(message, "error_string", "")).lower()
            if "pacing" not in text:
                pass
            elif code == 162:
                self._hist_pause_errors += 1
                self._pause(BackoffKind.HISTORICAL, code, req_id, now)
            else:
                self._realtime_errors += 1
                self._pause(BackoffKind.REALTIME, code, req_id, now)
        if isinstance(req_id, int) and req_id >= 0 and self.code_table.ends_request(code):
            self._end_request(req_id)

    def _rate_backoff(self, req_id: int | None, now: float) -> None:
        cfg = self.config
        if not cfg.rate_backoff:
            return
        until = self._rate_until
        deepen = False
        if until is None or now >= until:
            self._rate_level = 1
            deepen = True
        elif now - self._rate_lowered_at >= RATE_WINDOW:
            # Errors within a window of the last lowering were caused by messages
            # sent before it; only later ones show the lowered rate is still too high.
            self._rate_level += 1
            deepen = True
        if deepen:
            self._rate_lowered_at = now
        self._rate_until = now + cfg.rate_backoff_duration
        self._set_limit(
            max(1, floor(cfg.nominal_rate_limit * cfg.rate_backoff_factor**self._rate_level)),
            now,
        )
        self._backoff_pending = True
        if deepen:
            self._backoffs += 1
            self._emit(
                BackoffStarted(
                    now,
                    BackoffKind.RATE,
                    100,
                    req_id if isinstance(req_id, int) else -1,
                    self._rate_level,
                    self._rate_until,
                    self._limit,
                )
            )

    def _pause(self, kind: BackoffKind, code: int, req_id: int | None, now: float) -> None:
        cfg = self.config
        historical = kind is BackoffKind.HISTORICAL
        base = cfg.historical_backoff if historical else cfg.realtime_backoff
        if base is None:
            return
        until = self._hist_pause_until if historical else self._rt_pause_until
        if until > now:
            # Already paused: these come from requests sent before the pause.
            return
        length = self._hist_pause_len if historical else self._rt_pause_len
        level = self._hist_level if historical else self._rt_level
        # A repeat soon after a pause ends (within the pause's own length) doubles it.
        level = level + 1 if level and now < until + length else 1
        length = min(cfg.backoff_max, base * 2 ** (level - 1))
        until = now + length
        if historical:
            self._hist_level, self._hist_pause_len, self._hist_pause_until = level, length, until
            self._hist_paused = True
        else:
            self._rt_level, self._rt_pause_len, self._rt_pause_until = level, length, until
            self._rt_paused = True
        self._backoff_pending = True
        self._backoffs += 1
        self._emit(
            BackoffStarted(now, kind, code, req_id if isinstance(req_id, int) else -1, level, until)
        )

    def _expire_backoffs(self, now: float) -> None:
        pending = False
        until = self._rate_until
        if until is not None:
            if now >= until:
                self._rate_until = None
                self._set_limit(self.config.effective_rate_limit, now)
                self._emit(BackoffEnded(now, BackoffKind.RATE))
            else:
                pending = True
        # Pause levels are kept after a pause ends: they decide how long a repeat is.
        if self._hist_paused:
            if now >= self._hist_pause_until:
                self._hist_paused = False
                self._emit(BackoffEnded(now, BackoffKind.HISTORICAL))
            else:
                pending = True
        if self._rt_paused:
            if now >= self._rt_pause_until:
                self._rt_paused = False
                self._emit(BackoffEnded(now, BackoffKind.REALTIME))
            else:
                pending = True
        self._backoff_pending = pending

    # ----------------------------------------------------------------------------------
    # Server messages

    @staticmethod
    def watches(cls: type) -> bool:
        """Whether :meth:`on_incoming` does anything for messages of ``cls``.

        Front ends skip the call for the other classes (ticks, most data).
        """
        return INCOMING_KIND.get(getattr(cls, "MSG_ID", -1), IN_IGNORED) != IN_IGNORED

    def on_incoming(self, message: SupportsMsgId, now: float) -> None:
        """Watch a server message for ends of requests and pacing errors.

        End markers and errors close open historical requests and release budgets
        (an error does when :attr:`code_table` says its code ends the request);
        errors 100, 162 and 420 (both with a pacing text) start a backoff.  Other messages cost
        one dictionary lookup.

        Args:
            message: a decoded server message.
            now: the current time, in seconds.
        """
        kind = self._incoming_kinds.get(message.__class__)
        if kind is None:
            cls = message.__class__
            kind = self._incoming_kinds[cls] = INCOMING_KIND.get(
                getattr(cls, "MSG_ID", -1), IN_IGNORED
            )
        if not kind:
            return
        if now < self._now:
            now = self._now
        else:
            self._now = now
        if kind == IN_ORDER:
            order_id = getattr(message, "order_id", None)
            if order_id is None:  # an execution
                order_id = getattr(getattr(message, "execution", None), "order_id", None)
            if isinstance(order_id, int):
                self._know_order(order_id)
            return
        req_id = getattr(message, "req_id", None)
        if kind == IN_ERROR:
            self._on_error(message, req_id, now)
        elif kind == IN_SNAPSHOT_END:
            self._line_holders.discard((OutgoingId.REQ_MKT_DATA, req_id))
        elif kind == IN_HISTORICAL_DATA:
            version = self.server_version
            if version is None or version < HISTORICAL_DATA_END_VERSION:
                self._end_historical(req_id)
        elif kind == IN_END or (kind == IN_TICKS and getattr(message, "done", False)):
            self._end_historical(req_id)

    def _count_target(self, msg_id: int, ident: int | None, step: int) -> None:
        counts = self._submitted_targets
        key = (msg_id, ident)
        count = counts.pop(key, 0) + step
        if count > 0:
            counts[key] = count
            if len(counts) > MAX_TRACKED_TARGETS:
                oldest = next(iter(counts))
                del counts[oldest]
                if oldest[0] == OutgoingId.PLACE_ORDER:
                    # A new submission would look like the first: say it is held.
                    self._know_order(oldest[1])

    def _forget_submissions(self, dropped: list[M]) -> None:
        """At a disconnect: forget the submissions counted, except that orders
        outlive the connection, so those placed (less those ``dropped`` unsent)
        stay known."""
        place = OutgoingId.PLACE_ORDER
        unsent: dict[int | None, int] = {}
        for message in dropped:
            if message.MSG_ID == place:
                ident = target_ident(message, place)
                unsent[ident] = unsent.get(ident, 0) + 1
        for (msg_id, ident), count in self._submitted_targets.items():
            if msg_id == place and count > unsent.get(ident, 0):
                self._know_order(ident)
        self._submitted_targets.clear()

    def _know_order(self, order_id: int | None) -> None:
        """Record that TWS holds (or held) order ``order_id``."""
        if order_id is None or self._order_known(order_id):
            return
        known = self._known_orders
        known[order_id] = None
        if len(known) > MAX_KNOWN_ORDERS:
            oldest = next(iter(known))
            del known[oldest]
            if oldest > self._known_orders_floor:
                self._known_orders_floor = oldest

    def _order_known(self, order_id: int | None) -> bool:
        """Whether TWS may hold order ``order_id`` (see :meth:`_know_order`)."""
        return order_id is None or (
            order_id in self._known_orders or order_id <= self._known_orders_floor
        )

    # ----------------------------------------------------------------------------------
    # Events

    def _emit(self, event: PacingEvent) -> None:
        events = self._events
        if len(events) == events.maxlen:
            self._events_dropped += 1
        events.append(event)

    def _delayed(
        self, seq: int, message: M | SupportsMsgId, submitted: float, now: float, rule: Rule
    ) -> None:
        waited = now - submitted
        if waited < 0.0:
            waited = 0.0
        self._throttled += 1
        self._wait_total += waited
        if waited > self._wait_max:
            self._wait_max = waited
        self._by_rule[rule] = self._by_rule.get(rule, 0) + 1
        self._emit(MessageDelayed(seq, message.MSG_ID, ident_of(message), rule, waited))

    def events(self) -> list[PacingEvent]:
        """Return and forget the events since the last call, oldest first.

        Returns:
            The events.
        """
        events = self._events
        if not events:
            # The common case: the client asks after every socket read.
            return []
        drained = list(events)
        events.clear()
        return drained
