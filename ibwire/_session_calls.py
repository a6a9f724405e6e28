"""The session's calls: typed request/response helpers, their timeouts and failures."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeAlias, cast

from ._session_base import SessionBase
from ._session_routes import end_of
from ._session_types import (
    Pending,
    PendingAll,
    Phase,
    T,
    _describe,
    _Out,
    _real_open_orders,
)
from .catalog import (
    COMPLETED_ORDERS,
    CURRENT_TIME,
    FAMILY_CODES,
    MKT_DEPTH_EXCHANGES,
    NEWS_PROVIDERS,
    OPEN_ORDERS,
    POSITIONS,
    SCANNER_PARAMETERS,
)
from .contracts import resolve_contract
from .errorcodes import NO_SECURITY_DEFINITION
from .errors import (
    ApiError,
    ConnectionClosedError,
    ContractLookupError,
    ContractNotFoundError,
    RequestTimeoutError,
)
from .messages import (
    AccountSummary,
    BarData,
    BondContractData,
    CancelAccountSummary,
    CancelCalcImpliedVolat,
    CancelCalcOptionPrice,
    CancelContractData,
    CancelHeadTimestamp,
    CancelHistogramData,
    CancelHistoricalData,
    CancelHistoricalTicks,
    CancelScannerSubscription,
    CompletedOrder,
    Contract,
    ContractData,
    ContractDescription,
    ContractDetails,
    CurrentTime,
    DepthMktDataDescription,
    ExecutionData,
    ExecutionFilter,
    FamilyCode,
    FamilyCodes,
    HeadTimestamp,
    HistogramData,
    HistogramEntry,
    HistoricalData,
    HistoricalDataEnd,
    HistoricalNews,
    HistoricalTick,
    HistoricalTickBidAsk,
    HistoricalTickLast,
    HistoricalTicks,
    HistoricalTicksBidAsk,
    HistoricalTicksLast,
    MarketRule,
    Message,
    MktDepthExchanges,
    NewsArticle,
    NewsProvider,
    NewsProviders,
    OpenOrder,
    Order,
    OrderState,
    PlaceOrder,
    PositionData,
    PriceIncrement,
    ReqAccountSummary,
    ReqCalcImpliedVolat,
    ReqCalcOptionPrice,
    ReqCompletedOrders,
    ReqContractData,
    ReqCurrentTime,
    ReqExecutions,
    ReqFamilyCodes,
    ReqHeadTimestamp,
    ReqHistogramData,
    ReqHistoricalData,
    ReqHistoricalNews,
    ReqHistoricalTicks,
    ReqMarketRule,
    ReqMatchingSymbols,
    ReqMktDepthExchanges,
    ReqNewsArticle,
    ReqNewsProviders,
    ReqOpenOrders,
    ReqPositions,
    ReqScannerParameters,
    ReqScannerSubscription,
    ReqSecDefOptParams,
    ReqSmartComponents,
    ReqSoftDollarTiers,
    ReqUserInfo,
    ScannerData,
    ScannerDataElement,
    ScannerParameters,
    ScannerSubscription,
    SecurityDefinitionOptionParameter,
    SmartComponent,
    SmartComponents,
    SoftDollarTier,
    SoftDollarTiers,
    SymbolSamples,
    TickOptionComputation,
    UserInfo,
)
from .versions import ServerVersion

#: What a historical ticks helper returns: one class per ``what_to_show``.
HistoricalTickItem: TypeAlias = HistoricalTick | HistoricalTickBidAsk | HistoricalTickLast


class _UntilDone(Pending[T]):
    """A helper whose answer ends with the message that has its ``done`` flag set.

    The historical ticks lists (the official ``historicalTicks*`` callbacks'
    ``done``) carry no end message of their own.
    """

    __slots__ = ()

    def _feed(self, message: Message) -> bool:
        if type(message) in self._accepts:
            self._items.append(message)
            if message.done:  # type: ignore[attr-defined]
                self._complete(self._finish(self._items))
                return True
        return False


class _WhatIf(Pending[OrderState]):
    """The preview of an order: the what-if open order that carries the margin figures.

    TWS may first answer with a what-if open order whose margins are unset (seen
    with a warning text, ib_insync issue 380); the answer with the margins
    follows.  ib_async ends the request the same way (on ``initMarginChange``
    set); below server 142 the answer carries only the margins after the order.
    """

    __slots__ = ()

    def __init__(self, order_id: int, description: str) -> None:
        super().__init__(
            order_id,
            description,
            accepts=frozenset({OpenOrder}),
            ends=frozenset({OpenOrder}),
            finish=lambda items: items[-1].order_state,  # type: ignore[attr-defined]
        )

    def _feed(self, message: Message) -> bool:
        if type(message) is not OpenOrder:
            return False
        state = message.order_state
        if state.init_margin_change is not None or state.init_margin_after is not None:
            self._complete(state)
            return True
        return False


class _Lookup(Pending[Contract]):
    """The contract details of one contract, resolved to that contract (``qualify``).

    Its answer is :func:`~ibwire.contracts.resolve_contract`'s; it fails with
    that function's :class:`~ibwire.errors.ContractLookupError`, and TWS's
    error 200 becomes a :class:`~ibwire.errors.ContractNotFoundError` chained
    to it.
    """

    __slots__ = ("contract",)

    def __init__(self, req_id: int, contract: Contract) -> None:
        super().__init__(
            req_id,
            f"contract details of {_describe(contract)}",
            accepts=frozenset({ContractData, BondContractData}),
            ends=end_of(_Out.REQ_CONTRACT_DATA),
            finish=self._resolve,
            # From server 215 (_send_stop): before, a request given up on runs to its end.
            cancel=CancelContractData(req_id=req_id),
        )
        self.contract = contract

    def _resolve(self, items: list[Message]) -> Contract:
        details = [m.contract_details for m in items]  # type: ignore[attr-defined]
        return resolve_contract(self.contract, details)

    def _feed(self, message: Message) -> bool:
        try:
            return super()._feed(message)
        except ContractLookupError as exc:
            self._fail(exc)
            return True

    def _fail(self, error: BaseException) -> None:
        if isinstance(error, ApiError) and error.code == NO_SECURITY_DEFINITION:
            not_found = ContractNotFoundError(self.contract)
            not_found.__cause__ = error
            error = not_found
        super()._fail(error)


class CallsPart(SessionBase):
    """Request helpers of the session."""

    def _start(
        self,
        pending: Pending[T],
        message: Message,
        now: float,
        timeout: float | None,
        *,
        from_release: bool = False,
    ) -> Pending[T]:
        self._check_allowed(message)
        self._require_ready()
        self._pendings.setdefault(pending.key, []).append(pending)
        pending.timeout = timeout
        pending.from_release = from_release
        try:
            pending.ticket = self._submit(message, now, track=False, pending=pending)
        except BaseException:
            self._unregister(pending)
            self._unsent.pop(id(message), None)
            raise
        if not from_release:
            self._start_clock(pending, now)
        return pending

    def _unregister(self, pending: Pending[Any]) -> None:
        waiters = self._pendings.get(pending.key)
        if waiters is not None:
            try:
                waiters.remove(pending)
            except ValueError:
                pass
            if not waiters:
                del self._pendings[pending.key]

    def abandon(self, pending: Pending[T], now: float) -> None:
        """Give up on a helper (its caller was cancelled): withdraw or cancel its request.

        Args:
            pending: the helper.
            now: the current time.
        """
        if pending.done:
            return
        if isinstance(pending, PendingAll):
            for part in pending.parts:
                self.abandon(part, now)
        else:
            self._give_up(pending, now)
        pending._fail(ConnectionClosedError(f"{pending.description}: abandoned"))

    def _give_up(self, pending: Pending[Any], now: float) -> bool:
        """Remove a helper and stop its request at TWS; whether it was still queued.

        A request other helpers still wait for (an identical history request
        joined in flight) goes on: the next waiter takes over its ticket, its
        cancel and its follow-up, and stops it when it gives up in turn.
        """
        self._unregister(pending)
        others = self._pendings.get(pending.key)
        if others:
            heir = others[0]
            if heir.ticket is None:
                heir.ticket = pending.ticket
            if heir.cancel is None:
                heir.cancel = pending.cancel
            if heir.follow_up is None:
                heir.follow_up = pending.follow_up
            return False
        withdrawn = None if pending.ticket is None else self.pacer.withdraw(pending.ticket)
        if withdrawn is not None:
            self._unsent.pop(id(withdrawn), None)
        queued = withdrawn is not None
        if not queued and pending.cancel is not None:
            self._send_stop(pending.cancel, now)
        return queued

    def _send_stop(self, message: Message, now: float) -> None:
        """Send a helper's cancel or follow-up, if the connection can carry it.

        A server older than the message (``cancelHeadTimestamp`` below 123) has
        no way to stop the request: it runs to its end at TWS.
        """
        if self._phase is Phase.READY and self._carries(message):
            self._submit(message, now, track=False)

    def _expire_pendings(self, now: float) -> None:
        for pending in self._due_pendings(now):
            queued = self._give_up(pending, now)
            timeout = pending.timeout if pending.timeout is not None else 0.0
            detail = " (it was still held by the pacer, and is withdrawn)" if queued else ""
            pending._fail(
                RequestTimeoutError(f"{pending.description}: no answer within {timeout:g}s{detail}")
            )

    def _fail_all(self, error: BaseException, *, keep_resendable: bool = False) -> None:
        pendings = [p for waiters in self._pendings.values() for p in waiters]
        self._pendings.clear()
        for pending in pendings:
            if keep_resendable and pending.resendable:
                # Sent again once reconnected; its timeout still runs meanwhile.
                self._pendings.setdefault(pending.key, []).append(pending)
            else:
                pending._fail(error)

    def _finished(self, pending: Pending[Any], now: float) -> None:
        self._unregister(pending)
        follow_up = pending.follow_up
        if follow_up is not None:
            self._send_stop(follow_up, now)
        if pending.error is not None:
            self._give_up_rest(pending, now)

    def _give_up_rest(self, pending: Pending[Any], now: float) -> None:
        group = pending.group
        if group is None or group.error is None:
            return
        for part in group.parts:
            if not part.done:
                self._give_up(part, now)
                part._fail(group.error)

    def contract_details(
        self, contract: Contract, now: float, timeout: float | None
    ) -> Pending[list[ContractDetails]]:
        """Ask for the contract details matching ``contract``.

        Args:
            contract: the (partial) contract.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is every matching contract's details.
        """
        req_id = self.new_request_id()
        pending: Pending[list[ContractDetails]] = Pending(
            req_id,
            f"contract details of {_describe(contract)}",
            accepts=frozenset({ContractData, BondContractData}),
            ends=end_of(_Out.REQ_CONTRACT_DATA),
            finish=lambda items: [m.contract_details for m in items],  # type: ignore[attr-defined]
            # From server 215 (_send_stop): before, a request given up on runs to its end.
            cancel=CancelContractData(req_id=req_id),
        )
        return self._start(pending, ReqContractData(req_id=req_id, contract=contract), now, timeout)

    def qualify(
        self, contracts: Sequence[Contract], now: float, timeout: float | None
    ) -> Pending[list[Contract]]:
        """Ask for the contract details of every contract at once, each resolved to one contract.

        A contract given more than once is asked for once.  The first failure
        fails the helper, and gives up the other requests: withdrawn while the
        pacer holds them, cancelled at TWS once sent (``cancelContractData``,
        from server 215; before, they run to their end there).

        Args:
            contracts: the (partial) contracts.
            now: the current time.
            timeout: seconds to wait for every answer, from now; ``None`` for no limit.

        Returns:
            The helper; its result is the qualified contracts, in the order given
            (:func:`~ibwire.contracts.resolve_contract`).  It fails with
            :class:`~ibwire.errors.ContractNotFoundError` (TWS's error 200
            included) or :class:`~ibwire.errors.AmbiguousContractError` for the
            first contract that has no single answer, or with the first other
            error.
        """
        self._require_ready()
        asked: dict[Contract, _Lookup] = {}
        parts: list[Pending[Contract]] = []
        try:
            for contract in contracts:
                try:
                    lookup = asked.get(contract)
                except TypeError:  # an unhashable field (a list of legs): asked on its own
                    lookup = None
                if lookup is None:
                    req_id = self.new_request_id()
                    lookup = _Lookup(req_id, contract)
                    self._start(lookup, ReqContractData(req_id=req_id, contract=contract), now, timeout)
                    with contextlib.suppress(TypeError):
                        asked[contract] = lookup
                parts.append(lookup)
        except BaseException:
            for part in parts:
                self.abandon(part, now)
            raise
        first = parts[0].key if parts else None
        whole = PendingAll(
            ("qualify", first), f"qualify {len(parts)} contracts", parts, give_up_rest=True
        )
        if not parts:
            whole._complete([])
        return whole

    def historical_bars(
        self,
        request: ReqHistoricalData,
        now: float,
        timeout: float | None,
        *,
        from_release: bool = False,
    ) -> Pending[list[BarData]]:
        """Ask for historical bars (not kept up to date).

        Args:
            request: the request; its ``req_id`` is replaced by a new one.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.
            from_release: count ``timeout`` from when the pacer releases the
                request, not from now.

        Returns:
            The helper; its result is the bars, oldest first.
        """
        req_id = self.new_request_id()
        request = dataclasses.replace(request, req_id=req_id, keep_up_to_date=False)
        version = self.server_version or 0
        # From server 196 the answer ends with HISTORICAL_DATA_END; before, the one
        # HISTORICAL_DATA message is the whole answer.
        ends = HistoricalDataEnd if version >= ServerVersion.HISTORICAL_DATA_END else HistoricalData
        pending: Pending[list[BarData]] = Pending(
            req_id,
            f"historical bars of {_describe(request.contract)}",
            accepts=frozenset({HistoricalData}),
            ends=frozenset({ends}),
            finish=lambda items: [bar for m in items for bar in m.bars],  # type: ignore[attr-defined]
            cancel=CancelHistoricalData(req_id=req_id),
        )
        return self._start(pending, request, now, timeout, from_release=from_release)

    def head_timestamp(
        self,
        contract: Contract,
        what_to_show: str,
        use_rth: bool,
        format_date: int,
        now: float,
        timeout: float | None,
    ) -> Pending[str]:
        """Ask for the earliest date with data.

        Args:
            contract: the contract.
            what_to_show: ``TRADES``, ``MIDPOINT``, ``BID``, ``ASK``, ...
            use_rth: regular trading hours only.
            format_date: 1 for ``yyyymmdd hh:mm:ss``, 2 for epoch seconds.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the timestamp text.
        """
        req_id = self.new_request_id()
        pending: Pending[str] = Pending(
            req_id,
            f"head timestamp of {_describe(contract)}",
            accepts=frozenset({HeadTimestamp}),
            ends=end_of(_Out.REQ_HEAD_TIMESTAMP),
            finish=lambda items: items[-1].head_timestamp,  # type: ignore[attr-defined]
            cancel=CancelHeadTimestamp(req_id=req_id),
        )
        request = ReqHeadTimestamp(
            req_id=req_id,
            contract=contract,
            what_to_show=what_to_show,
            use_rth=use_rth,
            format_date=format_date,
        )
        return self._start(pending, request, now, timeout)

    def historical_ticks(
        self, request: ReqHistoricalTicks, now: float, timeout: float | None
    ) -> Pending[list[HistoricalTickItem]]:
        """Ask for historical ticks.

        Args:
            request: the request; its ``req_id`` is replaced by a new one.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the ticks of every message up to the one
            marked ``done``, oldest first.
        """
        req_id = self.new_request_id()
        request = dataclasses.replace(request, req_id=req_id)
        # cancelHistoricalTicks exists from server 215 (_send_stop): before, a
        # request given up on runs to its end at TWS.
        cancel = CancelHistoricalTicks(req_id=req_id)
        pending: Pending[list[HistoricalTickItem]] = _UntilDone(
            req_id,
            f"historical ticks of {_describe(request.contract)}",
            accepts=frozenset({HistoricalTicks, HistoricalTicksBidAsk, HistoricalTicksLast}),
            ends=frozenset(),
            finish=lambda items: [tick for m in items for tick in m.ticks],  # type: ignore[attr-defined]
            cancel=cancel,
        )
        return self._start(pending, request, now, timeout)

    def positions(self, now: float, timeout: float | None) -> Pending[list[PositionData]]:
        """Ask for the positions of every account (then stop the stream).

        Args:
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is one message per position.
        """
        # Keep a user's own positions stream running, and the session's own.
        closing = [] if POSITIONS in self._live else self._closing_messages(ReqPositions())
        stop = closing[0] if closing else None
        pending: Pending[list[PositionData]] = Pending(
            POSITIONS,
            "positions",
            accepts=frozenset({PositionData}),
            ends=end_of(_Out.REQ_POSITIONS),
            finish=list,  # type: ignore[arg-type]
            cancel=stop,
            follow_up=stop,
        )
        return self._start(pending, ReqPositions(), now, timeout)

    def account_summary(
        self, group_name: str, tags: str, now: float, timeout: float | None
    ) -> Pending[list[AccountSummary]]:
        """Ask for an account summary (then cancel it).

        Args:
            group_name: ``"All"`` or an FA group.
            tags: comma-separated tags, e.g. ``"NetLiquidation,BuyingPower"``.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is one message per account and tag.
        """
        req_id = self.new_request_id()
        stop = CancelAccountSummary(req_id=req_id)
        pending: Pending[list[AccountSummary]] = Pending(
            req_id,
            "account summary",
            accepts=frozenset({AccountSummary}),
            ends=end_of(_Out.REQ_ACCOUNT_SUMMARY),
            finish=list,  # type: ignore[arg-type]
            cancel=stop,
            follow_up=stop,
        )
        request = ReqAccountSummary(req_id=req_id, group_name=group_name, tags=tags)
        return self._start(pending, request, now, timeout)

    def open_orders_request(self, now: float, timeout: float | None) -> Pending[list[OpenOrder]]:
        """Ask for this client's open orders.

        Args:
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is one message per open order.
        """
        pending: Pending[list[OpenOrder]] = Pending(
            OPEN_ORDERS,
            "open orders",
            accepts=frozenset({OpenOrder}),
            ends=end_of(_Out.REQ_OPEN_ORDERS),
            finish=_real_open_orders,
        )
        return self._start(pending, ReqOpenOrders(), now, timeout)

    def completed_orders(
        self, api_only: bool, now: float, timeout: float | None
    ) -> Pending[list[CompletedOrder]]:
        """Ask for the orders TWS lists as completed (filled or cancelled).

        Args:
            api_only: only orders placed through the API.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is one message per order.
        """
        pending: Pending[list[CompletedOrder]] = Pending(
            COMPLETED_ORDERS,
            "completed orders",
            accepts=frozenset({CompletedOrder}),
            ends=end_of(_Out.REQ_COMPLETED_ORDERS),
            finish=list,  # type: ignore[arg-type]
        )
        return self._start(pending, ReqCompletedOrders(api_only=api_only), now, timeout)

    def executions(
        self, exec_filter: ExecutionFilter, now: float, timeout: float | None
    ) -> Pending[list[ExecutionData]]:
        """Ask for the executions matching ``exec_filter``.

        Args:
            exec_filter: the criteria.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is one message per fill.
        """
        req_id = self.new_request_id()
        pending: Pending[list[ExecutionData]] = Pending(
            req_id,
            "executions",
            accepts=frozenset({ExecutionData}),
            ends=end_of(_Out.REQ_EXECUTIONS),
            finish=list,  # type: ignore[arg-type]
        )
        return self._start(
            pending, ReqExecutions(req_id=req_id, exec_filter=exec_filter), now, timeout
        )

    def current_time(self, now: float, timeout: float | None) -> Pending[int]:
        """Ask for the server's time.

        Args:
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is epoch seconds.
        """
        pending: Pending[int] = Pending(
            CURRENT_TIME,
            "current time",
            accepts=frozenset({CurrentTime}),
            ends=end_of(_Out.REQ_CURRENT_TIME),
            finish=lambda items: items[-1].time,  # type: ignore[attr-defined]
        )
        return self._start(pending, ReqCurrentTime(), now, timeout)

    def what_if(
        self, contract: Contract, order: Order, now: float, timeout: float | None
    ) -> Pending[OrderState]:
        """Ask for the margin and commission effect of an order, without placing it.

        Args:
            contract: the contract.
            order: the order (``what_if`` is set here).
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the order state with the margin figures
            (a what-if open order without them, which TWS may send first, is
            passed over).
        """
        self._require_ready()
        order_id = self.new_order_id()
        order = dataclasses.replace(order, order_id=order_id, what_if=True)
        pending = _WhatIf(order_id, f"what-if order {order_id} for {_describe(contract)}")
        request = PlaceOrder(order_id=order_id, contract=contract, order=order)
        self.order_ids.observe(order_id)
        return self._start(pending, request, now, timeout)

    def sec_def_opt_params(
        self,
        underlying_symbol: str,
        fut_fop_exchange: str,
        underlying_sec_type: str,
        underlying_con_id: int,
        now: float,
        timeout: float | None,
    ) -> Pending[list[SecurityDefinitionOptionParameter]]:
        """Ask for an underlying's option chains.

        Args:
            underlying_symbol: the underlying's symbol.
            fut_fop_exchange: the exchange of futures options; ``""`` for stocks.
            underlying_sec_type: ``STK``, ``FUT``, ``IND``, ...
            underlying_con_id: the underlying's contract id.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is one chain per exchange and trading class.
        """
        req_id = self.new_request_id()
        pending: Pending[list[SecurityDefinitionOptionParameter]] = Pending(
            req_id,
            f"option chains of {underlying_symbol}",
            accepts=frozenset({SecurityDefinitionOptionParameter}),
            ends=end_of(_Out.REQ_SEC_DEF_OPT_PARAMS),
            finish=list,  # type: ignore[arg-type]
        )
        request = ReqSecDefOptParams(
            req_id=req_id,
            underlying_symbol=underlying_symbol,
            fut_fop_exchange=fut_fop_exchange,
            underlying_sec_type=underlying_sec_type,
            underlying_con_id=underlying_con_id,
        )
        return self._start(pending, request, now, timeout)

    def matching_symbols(
        self, pattern: str, now: float, timeout: float | None
    ) -> Pending[list[ContractDescription]]:
        """Search contracts by symbol or name.

        Args:
            pattern: the start of a symbol or company name.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the matching contracts.
        """
        req_id = self.new_request_id()
        pending: Pending[list[ContractDescription]] = Pending(
            req_id,
            f"symbols matching {pattern!r}",
            accepts=frozenset({SymbolSamples}),
            ends=end_of(_Out.REQ_MATCHING_SYMBOLS),
            finish=lambda items: list(items[-1].contract_descriptions),  # type: ignore[attr-defined]
        )
        return self._start(
            pending, ReqMatchingSymbols(req_id=req_id, pattern=pattern), now, timeout
        )

    def market_rule(
        self, market_rule_id: int, now: float, timeout: float | None
    ) -> Pending[list[PriceIncrement]]:
        """Ask for the price increments of a market rule.

        Args:
            market_rule_id: the rule id (from ``ContractDetails.market_rule_ids``).
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the increments by price band.
        """
        pending: Pending[list[PriceIncrement]] = Pending(
            ("market_rule_id", market_rule_id),
            f"market rule {market_rule_id}",
            accepts=frozenset({MarketRule}),
            ends=end_of(_Out.REQ_MARKET_RULE),
            finish=lambda items: list(items[-1].price_increments),  # type: ignore[attr-defined]
        )
        return self._start(pending, ReqMarketRule(market_rule_id=market_rule_id), now, timeout)

    def scanner_data(
        self,
        subscription: ScannerSubscription,
        filter_options: str,
        options: str,
        now: float,
        timeout: float | None,
    ) -> Pending[list[ScannerDataElement]]:
        """Ask for one scan's results: the first answer of a scanner subscription, then cancel it.

        Args:
            subscription: the scan.
            filter_options: ``"tag=value;"`` filters.
            options: ``"tag=value;"`` options (reserved by IB).
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the results by rank.
        """
        req_id = self.new_request_id()
        stop = CancelScannerSubscription(req_id=req_id)
        pending: Pending[list[ScannerDataElement]] = Pending(
            req_id,
            f"scanner {subscription.scan_code}",
            accepts=frozenset({ScannerData}),
            ends=frozenset({ScannerData}),
            finish=lambda items: list(items[-1].elements),  # type: ignore[attr-defined]
            cancel=stop,
            follow_up=stop,
        )
        request = ReqScannerSubscription(
            req_id=req_id,
            subscription=subscription,
            scanner_subscription_filter_options=filter_options,
            scanner_subscription_options=options,
        )
        return self._start(pending, request, now, timeout)

    def scanner_parameters(self, now: float, timeout: float | None) -> Pending[str]:
        """Ask for the XML description of every scan.

        Args:
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the XML text.
        """
        return self._start_one(
            SCANNER_PARAMETERS,
            "scanner parameters",
            ReqScannerParameters(),
            lambda answer: cast(ScannerParameters, answer).xml,
            now,
            timeout,
        )

    def implied_volatility(
        self,
        contract: Contract,
        option_price: float,
        under_price: float,
        now: float,
        timeout: float | None,
    ) -> Pending[TickOptionComputation]:
        """Ask TWS's option model for the volatility of an option price (then cancel).

        Args:
            contract: the option.
            option_price: the option's price.
            under_price: the underlying's price.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the first computation.
        """
        req_id = self.new_request_id()
        stop = CancelCalcImpliedVolat(req_id=req_id)
        request = ReqCalcImpliedVolat(
            req_id=req_id, contract=contract, option_price=option_price, under_price=under_price
        )
        return self._start(
            self._computation(request, f"implied volatility of {_describe(contract)}", stop),
            request,
            now,
            timeout,
        )

    def option_price(
        self,
        contract: Contract,
        volatility: float,
        under_price: float,
        now: float,
        timeout: float | None,
    ) -> Pending[TickOptionComputation]:
        """Ask TWS's option model for the price of an option at a volatility (then cancel).

        Args:
            contract: the option.
            volatility: the volatility to price with.
            under_price: the underlying's price.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the first computation.
        """
        req_id = self.new_request_id()
        stop = CancelCalcOptionPrice(req_id=req_id)
        request = ReqCalcOptionPrice(
            req_id=req_id, contract=contract, volatility=volatility, under_price=under_price
        )
        return self._start(
            self._computation(request, f"option price of {_describe(contract)}", stop),
            request,
            now,
            timeout,
        )

    def _computation(
        self, request: ReqCalcImpliedVolat | ReqCalcOptionPrice, description: str, stop: Message
    ) -> Pending[TickOptionComputation]:
        # TWS goes on computing until cancelled (ib_async cancels after the
        # first answer too): the cancel follows the answer, or a timeout.
        return Pending(
            request.req_id,
            description,
            accepts=frozenset({TickOptionComputation}),
            ends=end_of(request.MSG_ID),
            finish=lambda items: items[-1],  # type: ignore[arg-type,return-value]
            cancel=stop,
            follow_up=stop,
        )

    def news_providers(self, now: float, timeout: float | None) -> Pending[list[NewsProvider]]:
        """Ask for the news providers the account subscribes to.

        Args:
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the providers.
        """
        return self._start_one(
            NEWS_PROVIDERS,
            "news providers",
            ReqNewsProviders(),
            lambda answer: list(cast(NewsProviders, answer).news_providers),
            now,
            timeout,
        )

    def news_article(
        self, provider_code: str, article_id: str, now: float, timeout: float | None
    ) -> Pending[NewsArticle]:
        """Ask for the text of a news article.

        Args:
            provider_code: the provider's code.
            article_id: the article id (from a headline).
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the article.
        """
        req_id = self.new_request_id()
        return self._start_one(
            req_id,
            f"news article {article_id}",
            ReqNewsArticle(req_id=req_id, provider_code=provider_code, article_id=article_id),
            lambda answer: cast(NewsArticle, answer),
            now,
            timeout,
        )

    def historical_news(
        self,
        con_id: int,
        provider_codes: str,
        start_date_time: str,
        end_date_time: str,
        total_results: int,
        now: float,
        timeout: float | None,
    ) -> Pending[list[HistoricalNews]]:
        """Ask for past headlines of a contract.

        Args:
            con_id: the contract id.
            provider_codes: the providers' codes joined by ``+``.
            start_date_time: the start, ``yyyy-MM-dd HH:mm:ss.0``; ``""`` for none.
            end_date_time: the end, likewise; ``""`` for now.
            total_results: the most headlines wanted.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the headlines, newest first.
        """
        req_id = self.new_request_id()
        pending: Pending[list[HistoricalNews]] = Pending(
            req_id,
            f"historical news of conId {con_id}",
            accepts=frozenset({HistoricalNews}),
            ends=end_of(_Out.REQ_HISTORICAL_NEWS),
            finish=list,  # type: ignore[arg-type]
        )
        request = ReqHistoricalNews(
            req_id=req_id,
            con_id=con_id,
            provider_codes=provider_codes,
            start_date_time=start_date_time,
            end_date_time=end_date_time,
            total_results=total_results,
        )
        return self._start(pending, request, now, timeout)

    def _start_one(
        self,
        key: Hashable,
        description: str,
        request: Message,
        finish: Callable[[Any], T],
        now: float,
        timeout: float | None,
        cancel: Message | None = None,
    ) -> Pending[T]:
        """Start a helper whose answer is the one message the catalogue names as its end."""
        answer = end_of(request.MSG_ID)
        pending: Pending[T] = Pending(
            key,
            description,
            accepts=answer,
            ends=answer,
            finish=lambda items: finish(items[-1]),
            cancel=cancel,
        )
        return self._start(pending, request, now, timeout)

    def histogram_data(
        self, contract: Contract, use_rth: bool, period: str, now: float, timeout: float | None
    ) -> Pending[list[HistogramEntry]]:
        """Ask for how much traded at each price over a period.

        Args:
            contract: the contract.
            use_rth: regular trading hours only.
            period: the period, e.g. ``"3 days"``, ``"1 week"``.
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the entries by price.
        """
        req_id = self.new_request_id()
        request = ReqHistogramData(
            ticker_id=req_id, contract=contract, use_rth=use_rth, time_period=period
        )
        return self._start_one(
            req_id,
            f"histogram of {_describe(contract)}",
            request,
            lambda answer: list(cast(HistogramData, answer).items),
            now,
            timeout,
            cancel=CancelHistogramData(ticker_id=req_id),
        )

    def family_codes(self, now: float, timeout: float | None) -> Pending[list[FamilyCode]]:
        """Ask for the family codes of the accounts.

        Args:
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is one code per account.
        """
        return self._start_one(
            FAMILY_CODES,
            "family codes",
            ReqFamilyCodes(),
            lambda answer: list(cast(FamilyCodes, answer).family_codes),
            now,
            timeout,
        )

    def smart_components(
        self, bbo_exchange: str, now: float, timeout: float | None
    ) -> Pending[list[SmartComponent]]:
        """Ask for the exchanges behind a SMART exchange map.

        Args:
            bbo_exchange: the map's id (a ticker's ``bbo_exchange``).
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the exchanges, with their bits and letters.
        """
        req_id = self.new_request_id()
        return self._start_one(
            req_id,
            f"SMART components of {bbo_exchange}",
            ReqSmartComponents(req_id=req_id, bbo_exchange=bbo_exchange),
            lambda answer: list(cast(SmartComponents, answer).smart_component_map),
            now,
            timeout,
        )

    def market_depth_exchanges(
        self, now: float, timeout: float | None
    ) -> Pending[list[DepthMktDataDescription]]:
        """Ask for the exchanges that offer market depth.

        Args:
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is one description per exchange and security type.
        """
        return self._start_one(
            MKT_DEPTH_EXCHANGES,
            "market depth exchanges",
            ReqMktDepthExchanges(),
            lambda answer: list(cast(MktDepthExchanges, answer).depth_mkt_data_descriptions),
            now,
            timeout,
        )

    def soft_dollar_tiers(self, now: float, timeout: float | None) -> Pending[list[SoftDollarTier]]:
        """Ask for the soft dollar tiers of the account.

        Args:
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the tiers.
        """
        req_id = self.new_request_id()
        return self._start_one(
            req_id,
            "soft dollar tiers",
            ReqSoftDollarTiers(req_id=req_id),
            lambda answer: list(cast(SoftDollarTiers, answer).tiers),
            now,
            timeout,
        )

    def user_info(self, now: float, timeout: float | None) -> Pending[str]:
        """Ask for the user's white branding id.

        Args:
            now: the current time.
            timeout: seconds to wait; ``None`` for no limit.

        Returns:
            The helper; its result is the id (``""`` for none).
        """
        req_id = self.new_request_id()
        return self._start_one(
            req_id,
            "user info",
            ReqUserInfo(req_id=req_id),
            lambda answer: cast(UserInfo, answer).white_branding_id,
            now,
            timeout,
        )
