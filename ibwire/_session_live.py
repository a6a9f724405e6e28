"""The session's live objects: tickers, order books, trades and the account, kept current.

This part routes the typed messages to the sans-I/O live objects of
:mod:`ibwire.live` as they arrive, inside the one incoming loop, with the time
they arrived:

* a :class:`~ibwire.live.Ticker` per ``reqMktData`` it opened, by request id;
  messages of a live ticker go to the ticker, not to the wrapper;
* an :class:`~ibwire.live.OrderBook` per ``reqMktDepth`` it opened, by request id;
* every order message to the :class:`~ibwire.live.Blotter` (after the order
  tracking of :mod:`ibwire._session_orders` has seen it), so trades follow their
  orders through fills and commissions and survive a reconnect without
  duplicates; the open orders of this client id are asked for at the first
  connect (a reconnect re-reads them anyway);
* the account messages to the :class:`~ibwire.live.Portfolio`; with
  ``account_updates`` (the default) the session subscribes at every connect to
  positions, to the account updates of each managed account and to each
  account's P&L.  Portfolio items come only with ``reqAccountUpdates``, which TWS
  serves for one account at a time: it is sent for the only account, or for the
  one named by ``account`` when several are managed; the other accounts' values
  come with ``reqAccountUpdatesMulti`` (no portfolio items), and reading the
  portfolio of an account not followed raises
  :class:`~ibwire.errors.PortfolioUnavailableError`.

The tickers that changed are collected until a front end takes them
(:meth:`LivePart.take_updated_tickers`) after a socket read: ib_async's
``pendingTickersEvent`` batches.  :attr:`LivePart.live_changes` counts the reads
that changed a live object, for front ends that wake waiters.

Nothing here does I/O: ``now`` is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any

from ._session_calls import CallsPart
from ._session_orders import OrdersPart, order_matches
from ._session_streams import StreamsPart
from ._session_types import Pending, Phase
from .errors import PortfolioUnavailableError
from .events import ConnectionClosed
from .live import Blotter, OrderBook, Portfolio, PortfolioItem, Ticker, Trade
from .live.ticker import APPLIERS
from .messages import (
    AccountUpdateMulti,
    AccountUpdateMultiEnd,
    AcctDownloadEnd,
    AcctUpdateTime,
    AcctValue,
    BarData,
    CancelOrder,
    CommissionAndFeesReport,
    Contract,
    ErrMsg,
    ExecutionData,
    MarketDataType,
    MarketDepth,
    MarketDepthL2,
    Message,
    OpenOrder,
    OpenOrderEnd,
    Order,
    OrderStatus,
    PlaceOrder,
    Pnl,
    PnlSingle,
    PortfolioValue,
    PositionData,
    PositionEnd,
    PositionMulti,
    ReqAccountUpdatesMulti,
    ReqAcctData,
    ReqHistoricalData,
    ReqMktData,
    ReqMktDepth,
    ReqOpenOrders,
    ReqPnl,
    ReqPositions,
    TickGeneric,
    TickOptionComputation,
    TickPrice,
    TickReqParams,
    TickSize,
    TickString,
)

_TICKS = (
    TickPrice,
    TickSize,
    TickString,
    TickGeneric,
    TickOptionComputation,
    MarketDataType,
    TickReqParams,
)
_DEPTH = (MarketDepth, MarketDepthL2)
_ORDER_MESSAGES = (OpenOrder, OrderStatus, ExecutionData, CommissionAndFeesReport, ErrMsg)
_ACCOUNT = (
    PortfolioValue,
    AcctValue,
    AccountUpdateMulti,
    AccountUpdateMultiEnd,
    AcctUpdateTime,
    AcctDownloadEnd,
    PositionData,
    PositionMulti,
    PositionEnd,
    Pnl,
    PnlSingle,
)


class _Ended:
    """The sink of a live object's stream: records the error that ended it."""

    __slots__ = ("error", "_on_end")

    def __init__(self, on_end: Callable[[BaseException | None], None]) -> None:
        self.error: BaseException | None = None
        self._on_end = on_end

    def push(self, message: Message) -> None:
        """Messages go to the live object through the session's handler."""

    def end(self, error: BaseException | None) -> None:
        """The stream ended (an error from TWS, a cancel, the client closed)."""
        self.error = error
        self._on_end(error)


class LivePart(OrdersPart, CallsPart, StreamsPart):
    """Live objects of the session (see the module docstring)."""

    def __init__(
        self,
        *args: Any,
        account_updates: bool = False,
        follow_orders: bool = False,
        account: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        #: Whether the account is followed from connect (positions, updates, P&L).
        self.account_updates = account_updates
        #: With several managed accounts, the one whose portfolio is followed.
        self.account = account
        #: Whether the open orders of this client id are asked for at the first connect.
        self.follow_orders = follow_orders
        #: Every order of the connection (this client's, and those found at connect).
        self.blotter = Blotter(self.client_id, self.code_table)
        #: The account state, for every managed account.
        self.portfolio = Portfolio()
        #: How many times a live object changed (front ends wake their waiters on it).
        self.live_changes = 0
        self._tickers: dict[int, Ticker] = {}
        self._ticker_ids: dict[Hashable, int] = {}
        self._ticker_errors: dict[int, BaseException] = {}
        self._books: dict[int, OrderBook] = {}
        self._updated: set[Ticker] = set()
        #: Message class -> the Ticker method applying it, for the classes the
        #: incoming loop may hand straight to a ticker: no other part handles
        #: them and the pacer does not watch them (see ``Session._handle``).
        self._ticker_feeds: dict[type, Callable[[Ticker, Any, float], bool]] = {
            cls: APPLIERS[cls]
            for cls in _TICKS
            if not self.pacer.watches(cls) and self._handlers.get(cls) == self._on_tick
        }
        self._account_req_ids: list[int] = []
        self._multi_accounts: dict[int, str] = {}
        # Open orders asked for at connect: until their end arrives, a cancel by
        # criteria is applied again to what arrives.
        self._open_orders_known = True
        self._deferred_cancels: list[tuple[dict[str, str | None], str]] = []
        self._bars_in_flight: dict[ReqHistoricalData, Pending[list[BarData]]] = {}

    # ------------------------------------------------------------------ the incoming side

    def _live_handlers(self) -> dict[type, Callable[[Any, float], bool]]:
        """The handlers of this part, by message class (merged by the session)."""
        handlers: dict[type, Callable[[Any, float], bool]] = {}
        groups: tuple[tuple[tuple[type, ...], Callable[[Any, float], bool]], ...] = (
            (_TICKS, self._on_tick),
            (_DEPTH, self._on_depth),
            (_ORDER_MESSAGES, self._on_order_message),
            (_ACCOUNT, self._on_account),
            ((OpenOrderEnd,), self._on_open_orders_known),
        )
        for classes, handler in groups:
            for cls in classes:
                handlers[cls] = handler
        return handlers

    def _on_tick(self, message: Any, now: float) -> bool:
        # The incoming loop applies most ticks itself (_ticker_feeds); this is
        # the path of the others and of ticks no ticker asked for.
        ticker = self._tickers.get(message.req_id)
        if ticker is None:
            return True
        if ticker.apply(message, now):
            self.live_changes += 1
            self._updated.add(ticker)
        return False

    def _on_depth(self, message: Any, now: float) -> bool:
        book = self._books.get(message.req_id)
        if book is None:
            return True
        if book.apply(message, now):
            self.live_changes += 1
        return False

    def _on_order_message(self, message: Any, now: float) -> bool:
        if self.blotter.apply(message, now) is not None:
            self.live_changes += 1
        return True

    def _on_open_orders_known(self, message: Any, now: float) -> bool:
        if not self._open_orders_known:
            self._open_orders_known = True
            self.live_changes += 1
        deferred, self._deferred_cancels = self._deferred_cancels, []
        if self._phase is Phase.READY:
            for criteria, scope in deferred:
                self._cancel_trades(now, criteria, scope, set())
        return True

    def _on_account(self, message: Any, now: float) -> bool:
        # Id-less account messages are also the answer of helpers and user
        # streams: they are delivered.  Those of the session's own requests are not.
        if type(message) in _ID_LESS:
            if self.portfolio.apply(message, now):
                self.live_changes += 1
            return True
        if message.req_id in self._account_req_ids:
            if type(message) is AccountUpdateMultiEnd:
                self.portfolio.mark_downloaded(self._multi_accounts[message.req_id])
                self.live_changes += 1
            elif self.portfolio.apply(message, now):
                self.live_changes += 1
            return False
        return True

    @property
    def is_synced(self) -> bool:
        """Whether what was asked for at connect has arrived.

        The open orders (with ``follow_orders``), and with ``account_updates``
        the positions and the first full account update of every managed
        account (``accountDownloadEnd``, or ``accountUpdateMultiEnd``).
        """
        if not self._open_orders_known or self._phase is not Phase.READY:
            return False
        if not self.account_updates:
            return True
        portfolio = self.portfolio
        if not portfolio.positions_complete:
            return False
        return all(portfolio.is_downloaded(account) for account in self.accounts)

    def _closing_messages(self, request: Message) -> list[Message]:
        # The session's own account streams (reqPositions, reqAccountUpdates of
        # the followed account) share TWS's stream with a user's identical one:
        # its end must not stop what the live state needs.
        messages = super()._closing_messages(request)
        if not self.account_updates:
            return messages
        if isinstance(request, ReqPositions):
            return []
        if isinstance(request, ReqAcctData):
            followed = self.portfolio_account
            if followed is None:
                return messages
            if request.acct_code == followed or (not request.acct_code and len(self.accounts) == 1):
                return []
            # TWS serves one reqAccountUpdates at a time: the user's stream of
            # another account replaced the session's, which is taken back.
            return [*messages, ReqAcctData(subscribe=True, acct_code=followed)]
        return messages

    @property
    def portfolio_account(self) -> str | None:
        """The account whose portfolio items are followed, if any.

        The only managed account, or with several the one named by ``account``.
        """
        accounts = self.accounts
        if len(accounts) == 1:
            return accounts[0]
        return self.account if self.account in accounts else None

    def portfolio_items(self, account: str | None = None) -> list[PortfolioItem]:
        """The followed portfolio (of ``account``, or of every account followed).

        Raises:
            PortfolioUnavailableError: several accounts are managed and the one
                asked for (or, with ``account`` omitted, any) is not followed.
        """
        followed = self.portfolio_account
        accounts = self.accounts
        if len(accounts) > 1 and (followed is None or account not in (None, followed)):
            raise PortfolioUnavailableError(account, followed, accounts)
        return self.portfolio.portfolio(account)

    def take_updated_tickers(self) -> set[Ticker]:
        """The tickers changed since the last call (empty when none)."""
        updated = self._updated
        if not updated:
            return set()
        self._updated = set()
        return updated

    # ------------------------------------------------------------------ connect

    def _check_ready(self, now: float) -> None:
        was_ready = self._phase is Phase.READY
        ever = self._ever_ready
        super()._check_ready(now)
        if was_ready or self._phase is not Phase.READY:
            return
        if not ever and self.follow_orders:
            # The orders of this client id TWS already holds become trades.
            self._open_orders_known = False
            self._submit(ReqOpenOrders(), now, track=False)
        if self.account_updates:
            self._follow_account(now)

    def _lose(
        self,
        reason: str,
        now: float,
        error: BaseException | None = None,
        *,
        closed: ConnectionClosed | None = None,
    ) -> None:
        # Waiters on live objects look again: what they wait for may never come.
        super()._lose(reason, now, error, closed=closed)
        self.live_changes += 1

    def _follow_account(self, now: float) -> None:
        self.portfolio.clear()
        for req_id in self._account_req_ids:
            self.portfolio.untrack(req_id)
            self._internal_req_ids.discard(req_id)
        self._account_req_ids = []
        self._multi_accounts = {}
        self._submit(ReqPositions(), now, track=False)
        followed = self.portfolio_account
        for account in self.accounts:
            if account != followed:
                req_id = self.new_request_id()
                self._internal_req_ids.add(req_id)
                self._account_req_ids.append(req_id)
                self._multi_accounts[req_id] = account
                self._submit(
                    ReqAccountUpdatesMulti(
                        req_id=req_id, account=account, model_code="", ledger_and_nlv=False
                    ),
                    now,
                    track=False,
                )
            pnl_id = self.new_request_id()
            self._internal_req_ids.add(pnl_id)
            self._account_req_ids.append(pnl_id)
            self.portfolio.track_pnl(pnl_id, account)
            self._submit(ReqPnl(req_id=pnl_id, account=account, model_code=""), now, track=False)
        if followed is not None:
            # The portfolio items (market price and value, P&L per position)
            # come only with reqAccountUpdates, one account at a time.
            self._submit(ReqAcctData(subscribe=True, acct_code=followed), now, track=False)

    # ------------------------------------------------------------------ history

    def historical_bars(
        self, request: ReqHistoricalData, now: float, timeout: float | None
    ) -> Pending[list[BarData]]:
        """Ask for historical bars; an identical request in flight is joined, not re-sent.

        A joined helper is fed the answer of the request in flight (same
        routing key); its own timeout counts from now.  See
        :meth:`ibwire._session_calls.CallsPart.historical_bars`.
        """
        try:
            key = replace(request, req_id=0, keep_up_to_date=False)
            leader = self._bars_in_flight.get(key)
        except TypeError:  # an unhashable field: no merging
            return super().historical_bars(request, now, timeout)
        # The request is in flight while anyone waits for it, even when the
        # helper that sent it has given up.
        if leader is not None and self._pendings.get(leader.key):
            self._require_ready()
            joined: Pending[list[BarData]] = Pending(
                leader.key,
                f"{leader.description} (joined)",
                accepts=leader._accepts,
                ends=leader._ends,
                finish=leader._finish,
            )
            joined.timeout = timeout
            self._start_clock(joined, now)
            self._pendings.setdefault(leader.key, []).append(joined)
            return joined
        pending = super().historical_bars(request, now, timeout)
        self._bars_in_flight = {
            k: p for k, p in self._bars_in_flight.items() if self._pendings.get(p.key)
        }
        self._bars_in_flight[key] = pending
        return pending

    # ------------------------------------------------------------------ tickers

    def ticker(self, contract: Contract, now: float, generic_tick_list: str = "") -> Ticker:
        """The live ticker of ``contract``, subscribing when there is none yet.

        Args:
            contract: the contract (qualified, or complete enough for TWS).
            now: the current time.
            generic_tick_list: more generic ticks (e.g. ``"106"`` for option volatility).

        Returns:
            The ticker, updated in place as messages arrive.
        """
        key = _contract_key(contract)
        req_id = self._ticker_ids.get(key)
        if req_id is not None:
            return self._tickers[req_id]
        req_id = self.new_request_id()
        request = ReqMktData(
            req_id=req_id, contract=contract, generic_tick_list=generic_tick_list
        )
        ticker = Ticker(contract)

        def ended(error: BaseException | None) -> None:
            if error is not None:
                self._ticker_errors[req_id] = error

        self.subscribe(request, _Ended(ended), now)
        self._tickers[req_id] = ticker
        self._ticker_ids[key] = req_id
        return ticker

    def cancel_ticker(self, contract: Contract, now: float) -> bool:
        """Stop the ticker of ``contract``; whether there was one."""
        req_id = self._ticker_ids.pop(_contract_key(contract), None)
        if req_id is None:
            return False
        ticker = self._tickers.pop(req_id)
        self._updated.discard(ticker)
        self._ticker_errors.pop(req_id, None)
        self.unsubscribe(req_id, now)
        return True

    def tickers_live(self) -> list[Ticker]:
        """Every live ticker."""
        return list(self._tickers.values())

    def ticker_error(self, ticker: Ticker) -> BaseException | None:
        """The error that ended ``ticker``'s stream, if one did."""
        for req_id, known in self._tickers.items():
            if known is ticker:
                return self._ticker_errors.get(req_id)
        return None

    # ------------------------------------------------------------------ order books

    def order_book(
        self, contract: Contract, now: float, rows: int = 10, smart: bool = False
    ) -> OrderBook:
        """A live order book of ``contract`` (``reqMktDepth``)."""
        req_id = self.new_request_id()
        request = ReqMktDepth(
            req_id=req_id, contract=contract, num_rows=rows, is_smart_depth=smart
        )
        book = OrderBook(contract, rows)
        self.subscribe(request, _Ended(lambda error: None), now)
        self._books[req_id] = book
        return book

    def cancel_order_book(self, book: OrderBook, now: float) -> bool:
        """Stop ``book``; whether it was live."""
        for req_id, known in list(self._books.items()):
            if known is book:
                del self._books[req_id]
                self.unsubscribe(req_id, now)
                return True
        return False

    # ------------------------------------------------------------------ trades

    def place(self, contract: Contract, order: Order, now: float) -> Trade:
        """Place ``order`` under a new order id and return its trade.

        Raises:
            ReadOnlyError: the client is read-only (nothing is sent).
            ConnectionClosedError: not connected.
        """
        placed: list[Order] = []

        def build(order_id: int) -> Message:
            with_id = replace(order, order_id=order_id, client_id=self.client_id)
            placed.append(with_id)
            return PlaceOrder(order_id=order_id, contract=contract, order=with_id)

        self.submit_new_order(build, now)
        trade = self.blotter.add(contract, placed[-1], now)
        self.live_changes += 1
        return trade

    def modify(self, trade: Trade, changes: dict[str, object], now: float) -> None:
        """Send ``trade``'s order again with ``changes`` (same order id).

        Raises:
            TypeError: an unknown order field.
            ReadOnlyError: the client is read-only.
        """
        order = replace(trade.order, **changes)  # type: ignore[arg-type]
        self.submit(PlaceOrder(order_id=trade.order_id, contract=trade.contract, order=order), now)
        self.blotter.add(trade.contract, order, now)
        self.live_changes += 1

    def cancel_orders(
        self,
        now: float,
        *,
        symbol: str | None = None,
        order_ref: str | None = None,
        account: str | None = None,
        sec_type: str | None = None,
        action: str | None = None,
        scope: str = "client",
    ) -> list[int]:
        """Cancel the open orders that match every given criterion.

        ``scope="client"`` (the default) touches only orders of this client id:
        those it placed and those found at connect.  Right after connect, before
        TWS has listed the open orders, the criteria are applied again to the
        orders it lists.  ``scope="all"`` also cancels the orders of other
        clients and of TWS itself, which only client id 0 may do.

        Returns:
            The ids of the orders a cancel was sent for (so far).

        Raises:
            ValueError: no criterion, an unknown scope, or ``scope="all"`` on a
                client id other than 0.
            ReadOnlyError: the session is read-only.
        """
        if scope not in ("client", "all"):
            raise ValueError(f"scope must be 'client' or 'all', not {scope!r}")
        if scope == "all" and self.client_id != 0:
            raise ValueError(
                f"scope='all' cancels other clients' orders, which needs client id 0 "
                f"(this client is {self.client_id})"
            )
        criteria = {
            "symbol": symbol,
            "order_ref": order_ref,
            "account": account,
            "sec_type": sec_type,
            "action": action,
        }
        chosen = super().cancel_orders(now, **criteria)
        for order_id in chosen:
            placed = self.blotter.trade(order_id)
            if placed is not None:
                placed.cancel_requested(now)
        chosen.extend(self._cancel_trades(now, criteria, scope, set(chosen)))
        if not self._open_orders_known:
            self._deferred_cancels.append((criteria, scope))
        return chosen

    def _cancel_trades(
        self, now: float, criteria: dict[str, str | None], scope: str, done: set[int]
    ) -> list[int]:
        sent: list[int] = []
        for trade in self.blotter.open_trades():
            order_id = trade.order_id
            if order_id in done or trade.status == "PendingCancel":
                continue
            if scope == "client" and (trade.client_id != self.client_id or order_id <= 0):
                continue
            if order_matches(trade.contract, trade.order, criteria):
                self._submit(CancelOrder(order_id=order_id), now, track=True)
                trade.cancel_requested(now)
                sent.append(order_id)
        return sent

    def cancel_trade(self, trade: Trade, now: float) -> None:
        """Cancel ``trade``'s order."""
        self.submit(CancelOrder(order_id=trade.order_id), now)
        trade.cancel_requested(now)
        self.live_changes += 1


def _contract_key(contract: Contract) -> Hashable:
    # A qualified contract is known by its id; another by all its fields.
    return contract.con_id if contract.con_id else repr(contract)


_ID_LESS = frozenset(
    {PortfolioValue, AcctValue, AcctUpdateTime, AcctDownloadEnd, PositionData, PositionEnd}
)

__all__ = ["LivePart"]
