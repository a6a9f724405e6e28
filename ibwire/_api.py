"""The client API, written once: state, helpers and subscriptions of both clients.

This module is the threaded flavour (:class:`ibwire.sync.Client` derives from
:class:`SyncApi`).  :mod:`ibwire._api_async` is generated from it by
``python -m ibwire._api_gen``: the same methods, with the helpers as coroutines
(``async def``, ``await self._call(...)``); a test fails while the checked-in
module differs from what the generator produces.  Each client supplies only
:meth:`SyncApi._call` (how it waits for a helper's answer), ``_subscribe`` and
``_unsubscribe`` (how a subscription waits for messages), ``_locked`` and
``_session_call`` (how it reaches the session) and its socket pump.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from ._frontend import FrontEnd
from ._history import HistoryRun, format_end, parse_duration, trading_days
from ._session import (
    AccountUpdateMessage,
    DepthMessage,
    HistoricalBarsMessage,
    MarketDataMessage,
    Pending,
    TrackedOrder,
)
from ._session_buffer import SubscriptionBuffer
from .bars import BarList
from .errorcodes import CodeTable
from .errors import AccountUpdatesOffError, ApiError
from .live import (
    AccountValue,
    Fill,
    OrderBook,
    PnL,
    Portfolio,
    PortfolioItem,
    Position,
    Ticker,
    TickerSnapshot,
    Trade,
)
from .messages import (
    AccountSummary,
    BarData,
    CompletedOrder,
    Contract,
    ContractDescription,
    ContractDetails,
    DepthMktDataDescription,
    ErrMsg,
    ExecutionData,
    ExecutionFilter,
    FamilyCode,
    HistogramEntry,
    HistoricalNews,
    HistoricalTick,
    HistoricalTickBidAsk,
    HistoricalTickLast,
    Message,
    NewsArticle,
    NewsProvider,
    OpenOrder,
    Order,
    OrderState,
    Pnl,
    PnlSingle,
    PositionData,
    PriceIncrement,
    RealTimeBars,
    ReqAcctData,
    ReqHistoricalData,
    ReqHistoricalTicks,
    ReqMktData,
    ReqMktDepth,
    ReqPnl,
    ReqPnlSingle,
    ReqRealTimeBars,
    ReqTickByTickData,
    ScannerDataElement,
    ScannerSubscription,
    SecurityDefinitionOptionParameter,
    SmartComponent,
    SoftDollarTier,
    TickByTick,
    TickOptionComputation,
    TickSnapshotEnd,
)
from .pacing import PacerStats

if TYPE_CHECKING:
    from .sync.client import Subscription

__all__ = ["SyncApi"]

T = TypeVar("T")


class SyncApi(FrontEnd):
    """The state, helpers and subscriptions of a client (see the module docstring)."""

    # ------------------------------------------------------------------ what each client supplies

    def _call(self, start: Callable[[float], Pending[T]]) -> T:
        """Start a helper on the session and wait for its answer."""
        raise NotImplementedError

    def _wait_for(self, ready: Callable[[], bool], timeout: float | None) -> bool:
        """Wait until ``ready()`` (checked after each read that changed a live object).

        Returns:
            Whether it became true (``False``: ``timeout`` passed first).
        """
        raise NotImplementedError

    def _subscribe(
        self, request: Message, ends: frozenset[type] = frozenset()
    ) -> Subscription[Any]:
        """Send a streaming request; its messages go to a new subscription."""
        raise NotImplementedError

    def _unsubscribe(self, key: Hashable, sink: SubscriptionBuffer[Any]) -> None:
        """Cancel a subscription (its ``cancel()``), if its stream is still open."""
        raise NotImplementedError

    def _subscription_warnings(self, key: Hashable) -> list[ErrMsg]:
        return self._locked(lambda: self._session.subscription_warnings(key))

    # ------------------------------------------------------------------ state

    @property
    def is_connected(self) -> bool:
        """Whether the connection is ready for requests."""
        return self._session.is_ready

    @property
    def read_only(self) -> bool:
        """Whether order-changing calls are refused."""
        return self._session.read_only

    @property
    def server_version(self) -> int | None:
        """The negotiated server version."""
        return self._session.server_version

    @property
    def time_zone(self) -> tzinfo | None:
        """TWS's login time zone, as the handshake named it; None if not known.

        Older servers send bar times (``formatDate=1``) and execution times
        without a zone, in this zone: pass it as ``tz`` to
        :meth:`~ibwire.bars.BarList.to_frame`, :func:`ibwire.frames.to_frame` or
        :func:`~ibwire.bars.bar_datetime`.
        """
        return self._session.time_zone

    @property
    def accounts(self) -> tuple[str, ...]:
        """The accounts of the last ``managedAccounts``."""
        return self._session.accounts

    @property
    def code_table(self) -> CodeTable:
        """How TWS codes are classified."""
        return self._session.code_table

    @property
    def pacing_stats(self) -> PacerStats:
        """The pacer's counters (throttled messages, waits, budgets in use)."""
        return self._locked(lambda: self._session.pacer.stats)

    @property
    def tracked_orders(self) -> list[TrackedOrder]:
        """This client's orders not known to be filled or cancelled."""
        return self._locked(lambda: self._session.open_orders)

    # ------------------------------------------------------------------ helpers

    def _timeout(self, timeout: float | None) -> float | None:
        return self.timeout if timeout is None else timeout

    def contract_details(
        self, contract: Contract, *, timeout: float | None = None
    ) -> list[ContractDetails]:
        """The details of every contract matching ``contract`` (``reqContractDetails``).

        Args:
            contract: a full or partial contract.
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The matching contracts' details.

        Raises:
            ApiError: TWS answered with an error (200: no such contract).
            RequestTimeoutError: no complete answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.contract_details(contract, now, limit))

    def historical_bars(
        self,
        contract: Contract,
        duration_str: str,
        bar_size_setting: str,
        what_to_show: str = "TRADES",
        *,
        end_date_time: str = "",
        use_rth: bool = True,
        format_date: int = 1,
        chart_options: str = "",
        timeout: float | None = None,
    ) -> BarList:
        """Historical bars (``reqHistoricalData``), paced by IB's historical rules.

        Args:
            contract: the contract.
            duration_str: how far back, e.g. ``"1 D"``, ``"3600 S"``, ``"1 Y"``.
            bar_size_setting: e.g. ``"1 min"``, ``"1 hour"``, ``"1 day"``.
            what_to_show: ``TRADES``, ``MIDPOINT``, ``BID``, ``ASK``, ``BID_ASK``, ...
            end_date_time: the end, ``""`` for now.
            use_rth: regular trading hours only.
            format_date: 1 for text dates, 2 for epoch seconds.
            chart_options: reserved by IB.
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The bars, oldest first: a list with :meth:`~ibwire.bars.BarList.to_frame`.

        Raises:
            ApiError: TWS answered with an error (162: pacing, no data...).
            RequestTimeoutError: no complete answer in time; the request is
                cancelled at TWS (or withdrawn from the pacer's queue).
        """
        request = ReqHistoricalData(
            req_id=0,
            contract=contract,
            end_date_time=end_date_time,
            duration_str=duration_str,
            bar_size_setting=bar_size_setting,
            what_to_show=what_to_show,
            use_rth=use_rth,
            format_date=format_date,
            chart_options=chart_options,
        )
        limit = self._timeout(timeout)
        bars = self._call(lambda now: self._session.historical_bars(request, now, limit))
        return BarList(bars)

    def head_timestamp(
        self,
        contract: Contract,
        what_to_show: str = "TRADES",
        *,
        use_rth: bool = True,
        format_date: int = 1,
        timeout: float | None = None,
    ) -> str:
        """The earliest date with data for ``contract`` (``reqHeadTimeStamp``).

        Args:
            contract: the contract.
            what_to_show: ``TRADES``, ``MIDPOINT``, ``BID``, ``ASK``.
            use_rth: regular trading hours only.
            format_date: 1 for text, 2 for epoch seconds.
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The timestamp text.

        Raises:
            ApiError: TWS answered with an error.
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(
            lambda now: self._session.head_timestamp(
                contract, what_to_show, use_rth, format_date, now, limit
            )
        )

    @overload
    def historical_ticks(
        self,
        contract: Contract,
        start: datetime | date | float | str | None = ...,
        end: datetime | date | float | str | None = ...,
        number_of_ticks: int = ...,
        what_to_show: Literal["TRADES"] = ...,
        use_rth: bool = ...,
        *,
        ignore_size: bool = ...,
        timeout: float | None = ...,
    ) -> list[HistoricalTickLast]: ...

    @overload
    def historical_ticks(
        self,
        contract: Contract,
        start: datetime | date | float | str | None,
        end: datetime | date | float | str | None,
        number_of_ticks: int,
        what_to_show: Literal["BID_ASK"],
        use_rth: bool = ...,
        *,
        ignore_size: bool = ...,
        timeout: float | None = ...,
    ) -> list[HistoricalTickBidAsk]: ...

    @overload
    def historical_ticks(
        self,
        contract: Contract,
        start: datetime | date | float | str | None = ...,
        end: datetime | date | float | str | None = ...,
        number_of_ticks: int = ...,
        *,
        what_to_show: Literal["BID_ASK"],
        use_rth: bool = ...,
        ignore_size: bool = ...,
        timeout: float | None = ...,
    ) -> list[HistoricalTickBidAsk]: ...

    @overload
    def historical_ticks(
        self,
        contract: Contract,
        start: datetime | date | float | str | None,
        end: datetime | date | float | str | None,
        number_of_ticks: int,
        what_to_show: Literal["MIDPOINT"],
        use_rth: bool = ...,
        *,
        ignore_size: bool = ...,
        timeout: float | None = ...,
    ) -> list[HistoricalTick]: ...

    @overload
    def historical_ticks(
        self,
        contract: Contract,
        start: datetime | date | float | str | None = ...,
        end: datetime | date | float | str | None = ...,
        number_of_ticks: int = ...,
        *,
        what_to_show: Literal["MIDPOINT"],
        use_rth: bool = ...,
        ignore_size: bool = ...,
        timeout: float | None = ...,
    ) -> list[HistoricalTick]: ...

    @overload
    def historical_ticks(
        self,
        contract: Contract,
        start: datetime | date | float | str | None = ...,
        end: datetime | date | float | str | None = ...,
        number_of_ticks: int = ...,
        what_to_show: str = ...,
        use_rth: bool = ...,
        *,
        ignore_size: bool = ...,
        timeout: float | None = ...,
    ) -> list[HistoricalTick | HistoricalTickBidAsk | HistoricalTickLast]: ...

    def historical_ticks(
        self,
        contract: Contract,
        start: datetime | date | float | str | None = None,
        end: datetime | date | float | str | None = None,
        number_of_ticks: int = 1000,
        what_to_show: str = "TRADES",
        use_rth: bool = True,
        *,
        ignore_size: bool = False,
        timeout: float | None = None,
    ) -> Sequence[HistoricalTick | HistoricalTickBidAsk | HistoricalTickLast]:
        """Historical ticks (``reqHistoricalTicks``), paced by IB's historical rules.

        Give ``start`` for the ticks from then on, or ``end`` for the ticks up
        to then (IB takes one of the two); with neither, the ticks up to now
        (the computer's clock).  IB sends at most 1000 ticks per request, from
        one trading session, and may send more than asked to complete the
        second of the last tick: for a longer span, ask again from the time of
        the last tick received.

        Args:
            contract: the contract.
            start: the first moment: a datetime (naive means UTC), a date (its
                midnight UTC), epoch seconds,
                or IB's text (``"20240311 09:30:00 US/Eastern"``, or
                ``"20240311-13:30:00"`` in UTC).
            end: the last moment, likewise.
            number_of_ticks: how many ticks, at most 1000.
            what_to_show: ``TRADES`` (ticks are
                :class:`~ibwire.messages.HistoricalTickLast`), ``BID_ASK``
                (:class:`~ibwire.messages.HistoricalTickBidAsk`) or ``MIDPOINT``
                (:class:`~ibwire.messages.HistoricalTick`).
            use_rth: regular trading hours only.
            ignore_size: with ``BID_ASK``, leave out ticks that change only a size.
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The ticks, oldest first, up to the message TWS marks as the last.
            With ``what_to_show`` written as one of the three literals (or
            left at ``TRADES``), a type checker knows the ticks' class.

        Raises:
            ValueError: both ``start`` and ``end`` given.
            UnsupportedByServerError: the server is older than version 130.
            ApiError: TWS answered with an error (162: no data, pacing...).
            RequestTimeoutError: no complete answer in time; the request is
                withdrawn from the pacer's queue, or cancelled at TWS (from
                server 215; before, it runs to its end there).
        """
        if start is not None and end is not None:
            raise ValueError("give start or end, not both: IB takes one of the two")
        if start is None and end is None:
            end = time.time()
        request = ReqHistoricalTicks(
            req_id=0,
            contract=contract,
            start_date_time=_tick_time(start),
            end_date_time=_tick_time(end),
            number_of_ticks=number_of_ticks,
            what_to_show=what_to_show,
            use_rth=use_rth,
            ignore_size=ignore_size,
        )
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.historical_ticks(request, now, limit))

    def request_positions(self, *, timeout: float | None = None) -> list[PositionData]:
        """Ask TWS for every position of every account (``reqPositions``, then ``cancelPositions``).

        :meth:`positions` reads the same from local state without a request.
        ``cancelPositions`` is not sent while the client follows the account
        (``account_updates``) or a positions stream of the user is
        open: TWS has one positions stream per client, and they need it.

        Args:
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            One message per position.

        Raises:
            RequestTimeoutError: no complete answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.positions(now, limit))

    def account_summary(
        self,
        tags: str = "NetLiquidation,TotalCashValue,BuyingPower,AvailableFunds",
        group_name: str = "All",
        *,
        timeout: float | None = None,
    ) -> list[AccountSummary]:
        """An account summary (``reqAccountSummary``, then cancelled).

        Args:
            tags: comma-separated tags.
            group_name: ``"All"`` or an FA group.
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            One message per account and tag.

        Raises:
            ApiError: TWS answered with an error.
            RequestTimeoutError: no complete answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.account_summary(group_name, tags, now, limit))

    def open_orders(self, *, timeout: float | None = None) -> list[OpenOrder]:
        """This client's open orders (``reqOpenOrders``).

        Args:
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            One message per open order.

        Raises:
            RequestTimeoutError: no complete answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.open_orders_request(now, limit))

    def completed_orders(
        self, api_only: bool = False, *, timeout: float | None = None
    ) -> list[CompletedOrder]:
        """The orders TWS lists as completed: filled or cancelled (``reqCompletedOrders``).

        Those of every client id and of TWS itself, as TWS's own list of
        completed orders shows them.  An order's ``order_id`` and ``client_id``
        are not sent (0): match by ``order.perm_id``.

        Args:
            api_only: only orders placed through the API.
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            One message per order, with its completion time and status in
            ``order_state``.

        Raises:
            UnsupportedByServerError: the server is older than version 150.
            RequestTimeoutError: no complete answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.completed_orders(api_only, now, limit))

    def executions(
        self, exec_filter: ExecutionFilter | None = None, *, timeout: float | None = None
    ) -> list[ExecutionData]:
        """Today's executions matching ``exec_filter`` (``reqExecutions``).

        Args:
            exec_filter: the criteria; all executions when omitted.
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            One message per fill.

        Raises:
            RequestTimeoutError: no complete answer in time.
        """
        criteria = exec_filter if exec_filter is not None else ExecutionFilter()
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.executions(criteria, now, limit))

    def current_time(self, *, timeout: float | None = None) -> int:
        """The server's time, in epoch seconds (``reqCurrentTime``).

        Args:
            timeout: seconds to wait; the client's default when omitted.

        Raises:
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.current_time(now, limit))

    def what_if(
        self, contract: Contract, order: Order, *, timeout: float | None = None
    ) -> OrderState:
        """The margin and commission effect of ``order``, without placing it.

        Allowed on a read-only client: nothing is placed.

        Args:
            contract: the contract.
            order: the order (its ``what_if`` flag is set here).
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The order state with the margin and commission figures.  TWS may
            first send a what-if answer whose margins are unset (with a
            warning, say): the call waits for the one that carries them.

        Raises:
            ApiError: TWS rejected the order.
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.what_if(contract, order, now, limit))

    def sec_def_opt_params(
        self,
        underlying_symbol: str,
        underlying_sec_type: str,
        underlying_con_id: int,
        fut_fop_exchange: str = "",
        *,
        timeout: float | None = None,
    ) -> list[SecurityDefinitionOptionParameter]:
        """An underlying's option chains (``reqSecDefOptParams``).

        Args:
            underlying_symbol: the underlying's symbol.
            underlying_sec_type: ``STK``, ``FUT``, ``IND``...
            underlying_con_id: the underlying's contract id.
            fut_fop_exchange: the exchange of futures options; ``""`` for stocks.
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            One chain per exchange and trading class.

        Raises:
            ApiError: TWS answered with an error.
            RequestTimeoutError: no complete answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(
            lambda now: self._session.sec_def_opt_params(
                underlying_symbol,
                fut_fop_exchange,
                underlying_sec_type,
                underlying_con_id,
                now,
                limit,
            )
        )

    def matching_symbols(
        self, pattern: str, *, timeout: float | None = None
    ) -> list[ContractDescription]:
        """Contracts whose symbol or name starts with ``pattern`` (``reqMatchingSymbols``).

        Args:
            pattern: the search text.
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The matching contracts.

        Raises:
            ApiError: TWS answered with an error.
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.matching_symbols(pattern, now, limit))

    def market_rule(
        self, market_rule_id: int, *, timeout: float | None = None
    ) -> list[PriceIncrement]:
        """The price increments of a market rule (``reqMarketRule``).

        Args:
            market_rule_id: the rule id, from ``ContractDetails.market_rule_ids``.
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The increments by price band.

        Raises:
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.market_rule(market_rule_id, now, limit))

    def scanner_data(
        self,
        subscription: ScannerSubscription,
        *,
        filters: Mapping[str, str | int | float] | str = "",
        options: Mapping[str, str | int | float] | str = "",
        timeout: float | None = None,
    ) -> list[ScannerDataElement]:
        """One scan's results (``reqScannerSubscription``, its first answer, then cancelled).

        ``client.scanner_data(ScannerSubscription(instrument="STK",
        location_code="STK.US.MAJOR", scan_code="TOP_PERC_GAIN"), filters={"priceAbove":
        5})`` is the day's top gainers above $5.  The subscription is cancelled
        (``cancelScannerSubscription``) once its first results arrive; for
        results as they change, subscribe with ``req_scanner_subscription``.
        :meth:`scanner_parameters` lists the instruments, locations, scan codes
        and filters TWS knows.

        Args:
            subscription: the scan.
            filters: the filters, as tag -> value (IB's
                ``scannerSubscriptionFilterOptions``, server 143+), or their
                ``"tag=value;"`` text.
            options: IB's ``scannerSubscriptionOptions``, likewise (reserved by
                IB: leave it empty).
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The results by rank (each with ``contract_details.contract``).

        Raises:
            UnsupportedByServerError: ``filters`` given to a server older than
                version 143.
            ApiError: TWS answered with an error (162 or 321: an unknown scan,
                instrument or filter).
            RequestTimeoutError: no answer in time; the subscription is cancelled.
        """
        filter_text, option_text = _tag_values(filters), _tag_values(options)
        limit = self._timeout(timeout)
        return self._call(
            lambda now: self._session.scanner_data(
                subscription, filter_text, option_text, now, limit
            )
        )

    def scanner_parameters(self, *, timeout: float | None = None) -> str:
        """The XML description of every scan TWS knows (``reqScannerParameters``).

        The instruments, locations, scan codes and filters of
        :meth:`scanner_data`.  TWS's document is large: ask once and keep it.

        Args:
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The XML text.

        Raises:
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.scanner_parameters(now, limit))

    def implied_volatility(
        self,
        contract: Contract,
        option_price: float,
        under_price: float,
        *,
        timeout: float | None = None,
    ) -> TickOptionComputation:
        """The volatility at which TWS's option model gives ``option_price``.

        ``calculateImpliedVolatility``, cancelled once it answers (as ib_async
        does: TWS would go on sending computations).  The raw
        ``calculate_implied_volatility`` request method sends it alone.

        Args:
            contract: the option.
            option_price: the option's price.
            under_price: the underlying's price.
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The computation: ``implied_vol`` and the greeks at it
            (``None`` where TWS computed nothing, e.g. a price below the option's
            intrinsic value).

        Raises:
            ApiError: TWS answered with an error (e.g. 200, 321: not an option).
            RequestTimeoutError: no answer in time; the calculation is cancelled.
        """
        limit = self._timeout(timeout)
        return self._call(
            lambda now: self._session.implied_volatility(
                contract, option_price, under_price, now, limit
            )
        )

    def option_price(
        self,
        contract: Contract,
        volatility: float,
        under_price: float,
        *,
        timeout: float | None = None,
    ) -> TickOptionComputation:
        """The price and greeks of an option by TWS's model at ``volatility``.

        ``calculateOptionPrice``, cancelled once it answers (as ib_async does).
        The raw ``calculate_option_price`` request method sends it alone.

        Args:
            contract: the option.
            volatility: the volatility to price with (0.25 for 25%).
            under_price: the underlying's price.
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The computation: ``opt_price`` and the greeks.

        Raises:
            ApiError: TWS answered with an error (e.g. 200, 321: not an option).
            RequestTimeoutError: no answer in time; the calculation is cancelled.
        """
        limit = self._timeout(timeout)
        return self._call(
            lambda now: self._session.option_price(contract, volatility, under_price, now, limit)
        )

    def news_providers(self, *, timeout: float | None = None) -> list[NewsProvider]:
        """The news providers the account subscribes to (``reqNewsProviders``).

        Args:
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The providers (``code``, ``name``); empty without news subscriptions.

        Raises:
            UnsupportedByServerError: the server is older than version 115.
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.news_providers(now, limit))

    def news_article(
        self, provider_code: str, article_id: str, *, timeout: float | None = None
    ) -> NewsArticle:
        """The text of a news article (``reqNewsArticle``).

        Args:
            provider_code: the provider's code (``"BRFG"``...).
            article_id: the article id, from a headline
                (:meth:`historical_news`, or a :class:`~ibwire.messages.TickNews`).
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The article: ``article_text``, plain text or HTML when
            ``article_type`` is 0, Base64 of binary data (a PDF) when 1.

        Raises:
            UnsupportedByServerError: the server is older than version 116.
            ApiError: TWS answered with an error (no such article, no subscription).
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(
            lambda now: self._session.news_article(provider_code, article_id, now, limit)
        )

    def historical_news(
        self,
        con_id: int,
        provider_codes: str | Sequence[str],
        start: str = "",
        end: str = "",
        total_results: int = 10,
        *,
        timeout: float | None = None,
    ) -> list[HistoricalNews]:
        """Past headlines of a contract (``reqHistoricalNews``).

        Args:
            con_id: the contract id.
            provider_codes: the providers' codes: a sequence, or IB's text with
                ``+`` between them (``"BRFG+DJNL"``); see :meth:`news_providers`.
            start: the start, IB's ``yyyy-MM-dd HH:mm:ss.0``; ``""`` for none.
            end: the end, likewise; ``""`` for now.
            total_results: the most headlines wanted (IB sends at most 300).
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The headlines, newest first, each with its ``article_id`` for
            :meth:`news_article`.  Whether TWS has more than it sent is on the
            :class:`~ibwire.messages.HistoricalNewsEnd` the wrapper receives.

        Raises:
            UnsupportedByServerError: the server is older than version 117.
            ApiError: TWS answered with an error.
            RequestTimeoutError: no complete answer in time.
        """
        codes = provider_codes if isinstance(provider_codes, str) else "+".join(provider_codes)
        limit = self._timeout(timeout)
        return self._call(
            lambda now: self._session.historical_news(
                con_id, codes, start, end, total_results, now, limit
            )
        )

    def histogram_data(
        self,
        contract: Contract,
        use_rth: bool = True,
        period: str = "1 week",
        *,
        timeout: float | None = None,
    ) -> list[HistogramEntry]:
        """How much traded at each price over a period (``reqHistogramData``).

        Paced by IB's historical rules, as historical bars are.

        Args:
            contract: the contract.
            use_rth: regular trading hours only.
            period: the period back from now: ``"3 days"``, ``"1 week"``,
                ``"2 months"``...
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The entries (``price``, ``size``), by price.

        Raises:
            UnsupportedByServerError: the server is older than version 119.
            ApiError: TWS answered with an error.
            RequestTimeoutError: no answer in time; the request is cancelled.
        """
        limit = self._timeout(timeout)
        return self._call(
            lambda now: self._session.histogram_data(contract, use_rth, period, now, limit)
        )

    def family_codes(self, *, timeout: float | None = None) -> list[FamilyCode]:
        """The family codes of the accounts (``reqFamilyCodes``).

        Args:
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            One code per account (``account_id``, ``family_code_str``).

        Raises:
            UnsupportedByServerError: the server is older than version 107.
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.family_codes(now, limit))

    def smart_components(
        self, bbo_exchange: str, *, timeout: float | None = None
    ) -> list[SmartComponent]:
        """The exchanges behind a SMART exchange map (``reqSmartComponents``).

        Args:
            bbo_exchange: the map's id: a ticker's ``bbo_exchange`` (from
                ``TickReqParams``), e.g. ``"9c0001"``.
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The exchanges with their bit numbers and the letters market data
            uses for them.

        Raises:
            UnsupportedByServerError: the server is older than version 114.
            ApiError: TWS answered with an error.
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.smart_components(bbo_exchange, now, limit))

    def market_depth_exchanges(
        self, *, timeout: float | None = None
    ) -> list[DepthMktDataDescription]:
        """The exchanges that offer market depth (``reqMktDepthExchanges``).

        Args:
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            One description per exchange and security type.

        Raises:
            UnsupportedByServerError: the server is older than version 112.
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.market_depth_exchanges(now, limit))

    def soft_dollar_tiers(self, *, timeout: float | None = None) -> list[SoftDollarTier]:
        """The soft dollar tiers of the account (``reqSoftDollarTiers``).

        Args:
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The tiers (``name``, ``value``, ``display_name``); empty for most accounts.

        Raises:
            UnsupportedByServerError: the server is older than version 106.
            ApiError: TWS answered with an error.
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.soft_dollar_tiers(now, limit))

    def user_info(self, *, timeout: float | None = None) -> str:
        """The white branding id of the user (``reqUserInfo``).

        Args:
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The id; ``""`` for a user of IB itself.

        Raises:
            UnsupportedByServerError: the server is older than version 167.
            ApiError: TWS answered with an error.
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.user_info(now, limit))

    # ------------------------------------------------------------------ subscriptions

    def market_data(
        self,
        contract: Contract,
        generic_tick_list: str = "",
        *,
        snapshot: bool = False,
        regulatory_snapshot: bool = False,
    ) -> Subscription[MarketDataMessage]:
        """Stream top-of-book ticks (``reqMktData``); a snapshot ends by itself.

        Args:
            contract: the contract.
            generic_tick_list: comma-separated generic tick ids.
            snapshot: one snapshot instead of a stream.
            regulatory_snapshot: a paid regulatory snapshot.

        Returns:
            The subscription.
        """
        request = ReqMktData(
            req_id=self._new_request_id(),
            contract=contract,
            generic_tick_list=generic_tick_list,
            snapshot=snapshot,
            regulatory_snapshot=regulatory_snapshot,
        )
        ends = frozenset({TickSnapshotEnd}) if snapshot or regulatory_snapshot else frozenset()
        return self._subscribe(request, ends)

    def market_depth(
        self, contract: Contract, num_rows: int = 5, *, is_smart_depth: bool = False
    ) -> Subscription[DepthMessage]:
        """Stream the order book (``reqMktDepth``).

        Args:
            contract: the contract.
            num_rows: the number of rows per side.
            is_smart_depth: aggregate the book across exchanges.

        Returns:
            The subscription.
        """
        request = ReqMktDepth(
            req_id=self._new_request_id(),
            contract=contract,
            num_rows=num_rows,
            is_smart_depth=is_smart_depth,
        )
        return self._subscribe(request)

    def tick_by_tick(
        self,
        contract: Contract,
        tick_type: str = "Last",
        *,
        number_of_ticks: int = 0,
        ignore_size: bool = False,
    ) -> Subscription[TickByTick]:
        """Stream tick-by-tick data (``reqTickByTickData``).

        Args:
            contract: the contract.
            tick_type: ``Last``, ``AllLast``, ``BidAsk`` or ``MidPoint``.
            number_of_ticks: historical ticks to send first (0 for none).
            ignore_size: ignore size-only changes of ``BidAsk``.

        Returns:
            The subscription.
        """
        request = ReqTickByTickData(
            req_id=self._new_request_id(),
            contract=contract,
            tick_type=tick_type,
            number_of_ticks=number_of_ticks,
            ignore_size=ignore_size,
        )
        return self._subscribe(request)

    def real_time_bars(
        self, contract: Contract, what_to_show: str = "TRADES", *, use_rth: bool = False
    ) -> Subscription[RealTimeBars]:
        """Stream 5-second bars (``reqRealTimeBars``).

        Args:
            contract: the contract.
            what_to_show: ``TRADES``, ``MIDPOINT``, ``BID`` or ``ASK``.
            use_rth: regular trading hours only.

        Returns:
            The subscription.
        """
        request = ReqRealTimeBars(
            req_id=self._new_request_id(),
            contract=contract,
            bar_size=5,
            what_to_show=what_to_show,
            use_rth=use_rth,
        )
        return self._subscribe(request)

    def historical_bars_stream(
        self,
        contract: Contract,
        duration_str: str,
        bar_size_setting: str,
        what_to_show: str = "TRADES",
        *,
        use_rth: bool = True,
        format_date: int = 1,
    ) -> Subscription[HistoricalBarsMessage]:
        """Historical bars kept up to date (``reqHistoricalData`` with ``keepUpToDate``).

        The stream yields the initial :class:`~ibwire.messages.HistoricalData`, its
        end, then a :class:`~ibwire.messages.HistoricalDataUpdate` per change.

        Args:
            contract: the contract.
            duration_str: how far back, e.g. ``"1 D"``.
            bar_size_setting: e.g. ``"1 min"``.
            what_to_show: ``TRADES``, ``MIDPOINT``, ...
            use_rth: regular trading hours only.
            format_date: 1 for text dates, 2 for epoch seconds.

        Returns:
            The subscription.
        """
        request = ReqHistoricalData(
            req_id=self._new_request_id(),
            contract=contract,
            duration_str=duration_str,
            bar_size_setting=bar_size_setting,
            what_to_show=what_to_show,
            use_rth=use_rth,
            format_date=format_date,
            keep_up_to_date=True,
        )
        return self._subscribe(request)

    def pnl_updates(self, account: str, model_code: str = "") -> Subscription[Pnl]:
        """Stream an account's daily profit and loss (``reqPnL``).

        :meth:`pnl` reads the latest of it from local state without a request.

        Args:
            account: the account.
            model_code: the model, ``""`` for none.

        Returns:
            The subscription.
        """
        request = ReqPnl(req_id=self._new_request_id(), account=account, model_code=model_code)
        return self._subscribe(request)

    def pnl_single(
        self, account: str, con_id: int, model_code: str = ""
    ) -> Subscription[PnlSingle]:
        """Stream one position's profit and loss (``reqPnLSingle``).

        Args:
            account: the account.
            con_id: the position's contract id.
            model_code: the model, ``""`` for none.

        Returns:
            The subscription.
        """
        request = ReqPnlSingle(
            req_id=self._new_request_id(), account=account, model_code=model_code, con_id=con_id
        )
        return self._subscribe(request)

    def account_updates(self, account: str = "") -> Subscription[AccountUpdateMessage]:
        """Stream account values and portfolio (``reqAccountUpdates``).

        TWS allows one such stream at a time.  Closing it leaves the stream the
        client follows its portfolio with running; a stream of another account
        replaces that one at TWS while it is open (:meth:`synced` is false from
        the call), and closing it subscribes the followed account again.  Its
        messages of an account not followed stay out of :meth:`portfolio`.

        Args:
            account: the account; ``""`` for the only one.

        Returns:
            The subscription.
        """
        return self._subscribe(ReqAcctData(subscribe=True, acct_code=account))

    # ------------------------------------------------------------------ live objects

    def qualify(self, *contracts: Contract, timeout: float | None = None) -> list[Contract]:
        """The contracts completed by TWS (``con_id`` and the rest filled in).

        Every contract is looked up with ``reqContractDetails`` at once (through
        the pacer; a contract given twice is asked for once) and resolved by
        :func:`ibwire.contracts.resolve_contract`.  When one fails, the
        requests of the others are withdrawn, or cancelled at TWS from server
        215 (before, they run to their end there).

        Args:
            *contracts: full or partial contracts.
            timeout: seconds to wait for every answer, from the call; the
                client's default when omitted.

        Returns:
            The qualified contracts, in the order given.

        Raises:
            ContractNotFoundError: TWS knows no such contract (its ``contract``
                is the one requested).
            AmbiguousContractError: several contracts match (they are in its ``candidates``).
            ApiError: TWS answered a request with another error.
            RequestTimeoutError: no complete answer in time.
        """
        if not contracts:
            return []
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.qualify(contracts, now, limit))

    def history(
        self,
        contract: Contract,
        start: datetime | date | float | timedelta | str,
        end: datetime | date | float | None = None,
        bar_size: str = "1 day",
        what_to_show: str = "TRADES",
        use_rth: bool = True,
        progress: Callable[[int, int], object] | None = None,
        *,
        timeout: float | None = None,
    ) -> BarList:
        """Every bar from ``start`` to ``end``, however long the span.

        ``client.history(aapl, "1 Y")`` is a year of daily bars up to now, and
        ``client.history(aapl, "5 D", bar_size="1 min").to_frame()`` the minute
        bars of the last five trading days in pandas, as IB counts ``"5 D"``
        (a weekend or a holiday is no day).

        A span is cut into the requests IB answers (the planner of
        ``ibwire history``, :func:`ibwire._history.plan_chunks`), sent oldest
        first through the client's pacer, which spaces them by IB's historical
        rules; each request's timeout starts when the pacer releases it.  Days
        (``"N D"``) of bars from 1 minute to 1 day are fetched newest first
        instead, each request asking IB for as many trading days as the bar
        size allows in one (``"1 D"`` of minute bars) and ending at the first
        bar of the one before, until the days are in or IB has no older data
        (:class:`ibwire._history.HistoryRun`).  A chunk
        TWS has no data for (162 "query returned no data") counts as empty; a
        chunk refused for pacing (162 "pacing violation") is sent again once the
        pacer's back-off ends, up to three times.  A chunk
        identical to one already in flight (another thread's or task's ``history``
        or ``historical_bars``) shares that request's answer instead of being sent
        again.

        Args:
            contract: the contract.
            start: the first moment wanted: a datetime (naive means UTC), a date
                (its midnight UTC) or epoch seconds; or how long before ``end``: a :class:`~datetime.timedelta`
                or IB's duration text (``"1 Y"``, ``"6 M"``, ``"2 W"``, ``"5 D"``,
                ``"3600 S"``).  ``"N D"`` counts trading days, as IB does (for a
                contract whose data stops before ``end``, an expired future or
                option, give ``end`` on its last trading day: the walk back ends
                at a day without bars); the
                other units count calendar time (a month is 30 days and a year
                365, as in IB's step-size table), and so do days of bars under
                a minute, of weekly or monthly bars, and of ``ADJUSTED_LAST``
                bars.
            end: the end of the span (excluded), likewise; ``None`` (default) for
                now (the computer's clock).
            bar_size: ``"1 min"``, ``"1 hour"``, ``"1 day"`` (default)...
            what_to_show: ``TRADES``, ``MIDPOINT``, ``BID_ASK``...;
                ``ADJUSTED_LAST`` goes in one request up to now, as IB takes
                no end time with it (bars after ``end`` are left out).
            use_rth: regular trading hours only.
            progress: called with (chunks done, chunks in all) once after each
                chunk, never after the call returns (what it returns is
                ignored); an exception it raises ends the call with that
                exception (no request is in flight then).
            timeout: seconds each request may take once sent; the client's default
                when omitted.

        Returns:
            The bars from the one whose period contains ``start`` (a daily bar
            of that day), or of the trading days asked for, to the last that
            begins before ``end``, oldest first,
            one per bar time (dates as epoch seconds, or ``yyyymmdd`` for daily
            bars): a list with
            :meth:`~ibwire.bars.BarList.to_frame`.

        Raises:
            ValueError: ``start`` is text that is not a duration,
                ``what_to_show`` is not a value IB knows, or ``ADJUSTED_LAST``
                intraday bars would need more than one request.
            ApiError: TWS answered a chunk with an error other than "no data"
                (a pacing violation only after the retries).
            RequestTimeoutError: a chunk got no complete answer in time.
        """
        now = int(time.time())
        last = now if end is None else _epoch(end, up=True)
        days = None
        if isinstance(start, str):
            first = last - parse_duration(start)
            days = trading_days(start)
        elif isinstance(start, timedelta):
            first = last - int(start.total_seconds())
        else:
            first = _epoch(start)
        run = HistoryRun(contract, first, last, bar_size, what_to_show, use_rth, now=now, days=days)
        limit = self._timeout(timeout)
        done = 0
        while (request := run.next_request()) is not None:
            attempt = 0
            while True:
                try:
                    bars = self._call(self._bars_of(request, limit))
                    break
                except ApiError as exc:
                    if not run.retry(exc, attempt):
                        bars = []
                        break
                    attempt += 1
            run.add(bars)
            done += 1
            if progress is not None:
                progress(done, run.total)
        return BarList(run.bars())

    def _bars_of(
        self, request: ReqHistoricalData, limit: float | None
    ) -> Callable[[float], Pending[list[BarData]]]:
        return lambda now: self._session.historical_bars(request, now, limit, from_release=True)

    def ticker(self, contract: Contract, generic_tick_list: str = "") -> Ticker:
        """A live quote of ``contract``, updated in place as market data arrives.

        The same ticker is returned for the same contract (its id, security
        type and exchange) until :meth:`cancel_ticker`.  Its messages go to the
        ticker, not the wrapper, except those the ticker keeps nothing of.  A
        ticker whose request ended in an error (:meth:`ticker_error`) is asked
        for again by the next call, and so is one whose request lacks generic
        ticks of ``generic_tick_list`` (cancelled, and sent again with both
        lists).  See :mod:`ibwire.live.ticker` for reading it from other threads.

        Args:
            contract: the contract (qualify it first for a stable identity).
            generic_tick_list: more generic ticks (``"106"``: option implied volatility).

        Returns:
            The ticker.
        """
        return self._session_call(
            lambda now: self._session.ticker(contract, now, generic_tick_list)
        )

    def tickers(self, *contracts: Contract) -> list[Ticker]:
        """:meth:`ticker` for each contract, in the order given."""
        return [self.ticker(contract) for contract in contracts]

    def snapshots(
        self, *contracts: Contract, regulatory: bool = False, timeout: float | None = None
    ) -> list[TickerSnapshot]:
        """One quote of each contract, from a market data snapshot (ib_async's ``reqTickers``).

        ``reqMktData`` with ``snapshot=True`` goes for every contract at once;
        each answer is gathered in a :class:`~ibwire.live.Ticker` of its own, as
        a live quote is (its messages go to it, not to the wrapper, except those
        a ticker keeps nothing of), until its ``tickSnapshotEnd``, and returned
        frozen.  No ticker stays live: :meth:`ticker` is the live quote.  TWS
        may take about 11 seconds to end a snapshot, and each holds a market
        data line until it ends.  A snapshot still running when TWS drops the
        market data (error 1101, or a reconnect) is asked for again into a
        fresh ticker, within its timeout.

        Args:
            *contracts: the contracts.
            regulatory: regulatory snapshots instead (the NBBO; IB charges a fee
                per request), spaced by the pacer as IB requires; server 114
                and later.
            timeout: seconds each snapshot may take once sent; the client's
                default when omitted.

        Returns:
            The snapshots, in the order given; a field TWS did not send is ``None``.

        Raises:
            ApiError: TWS refused a snapshot (354: not subscribed, 200: no such
                contract...); its text ends with the contract's description
                (``(snapshot of AAPL STK SMART USD)``), its ``message`` is TWS's.
                The others run to their end at TWS.
            UnsupportedByServerError: ``regulatory`` before server 114 (nothing is sent).
            RequestTimeoutError: a snapshot had not ended in time (it is cancelled).
            ~ibwire.errors.MarketDataLinesExceededError: more snapshots than free market data
                lines (those already asked for are withdrawn or cancelled).
        """
        if not contracts:
            return []
        limit = self._timeout(timeout)
        return self._call(
            lambda now: self._session.snapshots(contracts, regulatory, now, limit)
        )

    def set_market_data_type(self, kind: int) -> None:
        """Choose live or delayed market data for the requests that follow (``reqMarketDataType``).

        The choice holds for the connection, and is sent again after a
        reconnect.  With 3 or 4, TWS sends delayed data (free, typically 15 to
        20 minutes late) for instruments without a live subscription instead of
        refusing them (error 354); a ticker folds it into its usual fields, and
        its ``market_data_type`` says which kind arrives.

        Args:
            kind: 1 live, 2 frozen (the values recorded at the close, once the
                market is closed), 3 delayed, 4 delayed-frozen.

        Raises:
            ValueError: ``kind`` is not 1, 2, 3 or 4.
            ConnectionClosedError: not connected.
        """
        if kind not in (1, 2, 3, 4):
            raise ValueError(
                f"market data type {kind!r}: 1 live, 2 frozen, 3 delayed or 4 delayed-frozen"
            )
        self.req_market_data_type(kind)

    def cancel_ticker(self, contract: Contract) -> bool:
        """Stop the ticker of ``contract``; whether there was one."""
        return self._session_call(lambda now: self._session.cancel_ticker(contract, now))

    def ticker_error(self, ticker: Ticker | Contract) -> BaseException | None:
        """Why the request of ``ticker`` (or of a contract's ticker) ended, if it did.

        An :class:`~ibwire.errors.ApiError` from TWS (354 not subscribed, 10168,
        200, ...) or :class:`~ibwire.errors.ConnectionClosedError`; ``None``
        while the ticker is live.  Calling :meth:`ticker` again asks for it again.
        """
        return self._locked(lambda: self._session.ticker_error(ticker))

    def updated_tickers(self, timeout: float | None = None) -> set[Ticker]:
        """Wait for tickers to change (threaded client).

        Returns the tickers changed since the calling thread's last call, as
        soon as a socket read has changed one (ib_async's
        ``pendingTickersEvent``).  Each thread has its own cursor: threads
        calling at once each get every change, as every listener of the event
        does.  A thread's first call returns the changes made since the last
        call of any thread (all of them, in the first call of all).  A thread
        that stops calling holds at most each ticker once, until its next call
        or its end.

        Args:
            timeout: seconds to wait; ``None`` waits as long as it takes.

        Returns:
            The changed tickers; empty when ``timeout`` passed without a change.

        Raises:
            ConnectionClosedError: the connection ended with nothing changed (the
                client was disconnected, from any thread, or the connection was
                lost with no reconnect to follow).
            TypeError: on the asyncio client (``async for t in client.ticker_updates()``).
            RuntimeError: called from a wrapper callback (the reader thread) with
                a ``timeout`` other than 0, which would wait for itself.
        """
        return self._updated_tickers(timeout)

    def ticker_updates(self) -> AsyncIterator[set[Ticker]]:
        """The sets of tickers changed, one per socket read that changed any (asyncio client).

        Each iteration sees every change: tasks iterating at once each get
        every batch, as every listener of ib_async's ``pendingTickersEvent``
        does (an iteration that falls behind gets the changes of several reads
        in one set).  Leaving the loop cancels nothing: the tickers stay live.
        The iteration ends when the connection ends (the client was
        disconnected, from any task, or the connection was lost with no
        reconnect to follow), as a subscription's does.

        Raises:
            TypeError: on the threaded client (``client.updated_tickers(timeout)``).
        """
        return self._ticker_updates()

    def order_book(self, contract: Contract, rows: int = 10, smart: bool = False) -> OrderBook:
        """A live order book of ``contract`` (``reqMktDepth``).

        Each side holds TWS's rows in TWS's order (its positions, best first):
        the book applies each insert, update and delete at the position TWS
        names and does not sort the rows itself.

        The book is emptied when TWS resets the depth (317), when it halts it
        (316, and the book is asked for again, once: a second 316 before any
        row ends the book with that error) and when the request is re-sent
        after a reconnect or a 1101.  An error that ends the request is kept
        (:meth:`order_book_error`).

        Args:
            contract: the contract.
            rows: the rows per side.
            smart: aggregate the book across exchanges (SMART depth; server
                146 and later).

        Before server 149 ``reqMktDepth`` carries no primary exchange: the
        contract's ``primary_exchange`` (set by :meth:`qualify`) is left out of
        the request.

        Returns:
            The book, updated in place.

        Raises:
            UnsupportedByServerError: ``smart`` before server 146 (nothing is sent).
        """
        return self._session_call(
            lambda now: self._session.order_book(contract, now, rows, smart)
        )

    def cancel_order_book(self, book: OrderBook) -> bool:
        """Stop ``book``; whether its request was still live."""
        return self._session_call(lambda now: self._session.cancel_order_book(book, now))

    def order_book_error(self, book: OrderBook) -> BaseException | None:
        """Why the request of ``book`` ended (e.g. 309, too many books), if it did."""
        return self._locked(lambda: self._session.order_book_error(book))

    def place(self, contract: Contract, order: Order) -> Trade:
        """Place ``order`` under a new order id and follow it as a :class:`~ibwire.live.Trade`.

        Args:
            contract: the contract.
            order: the order (``ibwire.orders.LimitOrder(...)``, ...).

        Returns:
            The trade, updated in place through its fills and commissions.

        Raises:
            ValueError: the order is part of a bracket (``parent_id`` set or
                ``transmit=False``): place brackets with :meth:`place_bracket`;
                or it is a what-if order (``what_if=True``): preview it with
                :meth:`what_if`, no trade follows it.
            ReadOnlyError: the client is read-only (nothing is sent).
            ConnectionClosedError: not connected.
        """
        return self._session_call(lambda now: self._session.place(contract, order, now))

    def modify_trade(self, trade: Trade, changes: Mapping[str, object]) -> None:
        """Send ``trade``'s order again with ``changes`` (what ``trade.modify`` calls)."""
        self._session_call(lambda now: self._session.modify(trade, changes, now))

    def cancel_trade(self, trade: Trade) -> None:
        """Cancel ``trade``'s order (what ``trade.cancel`` calls)."""
        self._session_call(lambda now: self._session.cancel_trade(trade, now))

    def wait_trade(self, trade: Trade, timeout: float | None) -> None:
        """Block until ``trade`` is done (what ``trade.wait`` calls)."""
        self._wait_trade(trade, timeout)

    def trade_done(self, trade: Trade) -> Awaitable[Trade]:
        """An awaitable ending when ``trade`` is done (what ``trade.done`` returns)."""
        return self._trade_done(trade)

    def synced(self, timeout: float | None = None) -> bool:
        """Wait until the state asked for at connect has arrived.

        That is this client id's open orders and, unless ``account_updates=False``,
        the positions and the account's first full update, so that
        :meth:`trades`, :meth:`portfolio` and :meth:`account_values` are complete.
        An awaitable on the asyncio client.

        Args:
            timeout: seconds to wait; ``None`` waits as long as it takes.

        Returns:
            Whether it has arrived (``False``: ``timeout`` passed first).

        Raises:
            RuntimeError: on the threaded client, called from a wrapper callback
                (the reader thread) with a ``timeout`` other than 0.
        """
        return self._wait_for(self._is_synced, timeout)

    def trades(self) -> list[Trade]:
        """Every trade of the connection: placed here, or found at connect."""
        return self._locked(self._session.blotter.trades)

    def open_trades(self) -> list[Trade]:
        """The trades that are not done."""
        return self._locked(self._session.blotter.open_trades)

    def fills(self) -> list[Fill]:
        """Every execution seen, with its commission report once it came."""
        return self._locked(self._session.blotter.fills)

    def _account_state(self, call: str) -> Portfolio:
        """The followed account state; raises when this client does not follow it."""
        if not self._session.account_updates:
            raise AccountUpdatesOffError(call)
        return self._session.portfolio

    def portfolio(self, account: str | None = None) -> list[PortfolioItem]:
        """The portfolio, kept current from connect (no request per call).

        TWS sends portfolio items for one account at a time: the only managed
        account, or with several the one named by the client's ``account``
        option.

        Args:
            account: one account; every followed account when omitted.

        Raises:
            AccountUpdatesOffError: the client was made with ``account_updates=False``.
            PortfolioUnavailableError: several accounts are managed and the one
                asked for is not followed (or, with ``account`` omitted, none is).
        """
        self._account_state("portfolio()")
        return self._session.portfolio_items(account)

    def positions(self, account: str | None = None) -> list[Position]:
        """The positions, kept current from connect (no request per call).

        :meth:`request_positions` asks TWS instead.

        Args:
            account: one account; every managed account when omitted.

        Raises:
            AccountUpdatesOffError: the client was made with ``account_updates=False``.
        """
        return self._account_state("positions()").positions(account)

    def account_values(self, account: str | None = None) -> list[AccountValue]:
        """The account values, kept current from connect (no request per call).

        Servers before 103 have no ``reqAccountUpdatesMulti``: there only the
        followed account's values are kept (the single account, or the
        ``account`` option's), and the others' list stays empty.

        Args:
            account: one account; every managed account when omitted.

        Raises:
            AccountUpdatesOffError: the client was made with ``account_updates=False``.
        """
        return self._account_state("account_values()").account_values(account)

    def account_value(
        self, tag: str, currency: str = "", account: str | None = None
    ) -> str | None:
        """One account value (``"NetLiquidation"``, ``"USD"``), or ``None`` when not sent.

        Raises:
            ValueError: ``account`` left out while several accounts have the tag.
            AccountUpdatesOffError: the client was made with ``account_updates=False``.
        """
        return self._account_state("account_value()").account_value(tag, currency, account)

    def pnl(self, account: str | None = None) -> list[PnL]:
        """The daily P&L of each account, kept current from connect (no request per call).

        :meth:`pnl_updates` streams it from TWS instead.  Servers before 127
        have no ``reqPnL``: the list stays empty there.

        Args:
            account: one account; every managed account when omitted.

        Raises:
            AccountUpdatesOffError: the client was made with ``account_updates=False``.
        """
        return self._account_state("pnl()").pnl(account)

    # ------------------------------------------------------------------ waits of each client

    def _is_synced(self) -> bool:
        return self._session.is_synced

    def _updated_tickers(self, timeout: float | None) -> set[Ticker]:
        raise TypeError("the asyncio client: use `async for t in client.ticker_updates()`")

    def _ticker_updates(self) -> AsyncIterator[set[Ticker]]:
        raise TypeError("the threaded client: use client.updated_tickers(timeout)")

    def _wait_trade(self, trade: Trade, timeout: float | None) -> None:
        raise TypeError("the asyncio client: use `await trade.done()`")

    def _trade_done(self, trade: Trade) -> Awaitable[Trade]:
        raise TypeError("the threaded client: use trade.wait(timeout)")


def _epoch(moment: datetime | date | float, *, up: bool = False) -> int:
    """Epoch seconds of a datetime (naive means UTC), a date (its midnight UTC) or a number.

    A fraction of a second is dropped, or with ``up`` counted as a whole one: an
    excluded end half a second after a bar begins still keeps that bar.

    Raises:
        TypeError: none of those.
    """
    whole = math.ceil if up else int
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return whole(moment.timestamp())
    if isinstance(moment, date):
        return int(datetime(moment.year, moment.month, moment.day, tzinfo=timezone.utc).timestamp())
    if isinstance(moment, numbers.Real) and not isinstance(moment, bool):
        return whole(moment)
    raise TypeError(
        f"expected a datetime, a date or epoch seconds, not {type(moment).__name__}"
    )


def _tick_time(moment: datetime | date | float | str | None) -> str:
    """IB's text of a historical ticks bound: text as given, else UTC ``yyyymmdd-hh:mm:ss``."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        return moment
    return format_end(_epoch(moment))



def _tag_values(values: Mapping[str, str | int | float] | str) -> str:
    """IB's ``"tag=value;"`` text of a tag -> value mapping (text is taken as written)."""
    if isinstance(values, str):
        return values
    return "".join(f"{tag}={value};" for tag, value in values.items())
