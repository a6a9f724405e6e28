"""The session's live objects: tickers, order books, trades and the account, kept current.

This part routes the typed messages to the sans-I/O live objects of
:mod:`ibwire.live` as they arrive, inside the one incoming loop, with the time
they arrived:

* a :class:`~ibwire.live.Ticker` per ``reqMktData`` it opened, by request id;
  messages of a live ticker go to the ticker, not to the wrapper, except the
  tick types it keeps nothing of;
* an :class:`~ibwire.live.OrderBook` per ``reqMktDepth`` it opened, by request
  id, emptied when TWS resets or halts the depth (317, 316) and when the
  request is re-sent;
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
  :class:`~ibwire.errors.PortfolioUnavailableError`.  A user's
  ``reqAccountUpdates`` of another account is delivered but kept out of the
  portfolio: nothing would keep those items current once it ends.

The tickers that changed are collected until a front end takes them
(:meth:`LivePart.take_updated_tickers`) after a socket read: ib_async's
``pendingTickersEvent`` batches.  :attr:`LivePart.live_changes` counts the reads
that changed a live object, for front ends that wake waiters.

Nothing here does I/O: ``now`` is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from ._session_calls import CallsPart
from ._session_orders import OrdersPart, order_matches
from ._session_routes import _cancel_for, end_of
from ._session_streams import StreamsPart
from ._session_types import (
    NOT_SENT_CODE,
    UNKNOWN_ORDER_CODE,
    Pending,
    PendingAll,
    Phase,
    _describe,
    _Out,
    logger,
)
from .errorcodes import ACCOUNT_UNSUBSCRIBED, DEPTH_HALTED, DEPTH_RESET
from .errors import ApiError, ForeignOrderError, IBWireError, PortfolioUnavailableError
from .events import ConnectionClosed
from .live import Blotter, OrderBook, Portfolio, PortfolioItem, Ticker, TickerSnapshot, Trade
from .live.ticker import APPLIERS
from .messages import (
    AccountUpdateMulti,
    AccountUpdateMultiEnd,
    AcctDownloadEnd,
    AcctUpdateTime,
    AcctValue,
    BarData,
    CancelMktData,
    CancelOrder,
    CommissionAndFeesReport,
    CompletedOrder,
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
from .orders import Bracket, with_changes
from .versions import ServerVersion

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
_ORDER_MESSAGES = (
    OpenOrder,
    OrderStatus,
    CompletedOrder,
    ExecutionData,
    CommissionAndFeesReport,
    ErrMsg,
)
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
        #: Seconds added to ``now`` for the time stamps of live objects
        #: (``Ticker.time``, ``OrderBook.time``, a trade's log and fills, the
        #: portfolio).  The clients set it at connect
        #: so that those stamps are epoch seconds while ``now`` stays their
        #: monotonic clock; 0 leaves them on the caller's clock.
        self.clock_offset = 0.0
        self._tickers: dict[int, Ticker] = {}
        # The snapshots still waiting for their end, by request id.
        self._snapshots: dict[int, _SnapshotPending] = {}
        self._ticker_ids: dict[Hashable, int] = {}
        self._ticker_errors: dict[int, BaseException] = {}
        self._ticker_lists: dict[int, str] = {}
        self._books: dict[int, OrderBook] = {}
        self._book_errors: dict[int, BaseException] = {}
        # Books asked for again after a 316 that have had no row since.
        self._halted_books: set[int] = set()
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
        # criteria is applied again to what arrives, except to the orders placed
        # after the call (the set of their ids, kept per call).
        self._open_orders_known = True
        self._deferred_cancels: list[tuple[dict[str, str | None], str, set[int]]] = []
        self._bars_in_flight: dict[ReqHistoricalData, Pending[list[BarData]]] = {}

    # ------------------------------------------------------------------ the incoming side

    def _live_handlers(self) -> dict[type, Callable[[Any, float], bool]]:
        """The handlers of this part, by message class (merged by the session)."""
        handlers: dict[type, Callable[[Any, float], bool]] = {}
        groups: tuple[tuple[tuple[type, ...], Callable[[Any, float], bool]], ...] = (
            (_TICKS, self._on_tick),
            (_DEPTH, self._on_depth),
            (_ORDER_MESSAGES, self._on_order_message),
            ((ErrMsg,), self._on_error),
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
            snapshot = self._snapshots.get(message.req_id)
            if snapshot is None:
                return True
            # A snapshot's ticker is no live ticker: never among the updated.
            return not snapshot.ticker.apply(message, now + self.clock_offset)
        if ticker.apply(message, now + self.clock_offset):
            self.live_changes += 1
            self._updated.add(ticker)
            return False
        # Nothing the ticker keeps: the wrapper gets it.
        return True

    def _on_depth(self, message: Any, now: float) -> bool:
        book = self._books.get(message.req_id)
        if book is None:
            return True
        if self._halted_books:
            self._halted_books.discard(message.req_id)
        if book.apply(message, now + self.clock_offset):
            self.live_changes += 1
        return False

    def _on_error(self, message: ErrMsg, now: float) -> bool:
        code = message.error_code
        if code == DEPTH_RESET or code == DEPTH_HALTED:
            req_id = message.req_id
            book = self._books.get(req_id)
            if book is not None:
                # TWS sends the book again from scratch: after a reset by
                # itself, after a halt once it is asked for again.
                book.clear(now + self.clock_offset)
                self.live_changes += 1
                live = self._live.get(req_id)
                if code == DEPTH_HALTED and live is not None and self._phase is Phase.READY:
                    cancel = _cancel_for(live.request)
                    if cancel is not None:
                        self._submit(cancel, now, track=False)
                    if req_id in self._halted_books:
                        # Halted again before a single row: asking again would
                        # loop at the pacer's pace while the depth stays halted
                        # (the stream's end forgets it here).
                        self._end_live(
                            req_id,
                            ApiError(
                                code,
                                f"{message.error_string} (again after it was asked for "
                                "again: the book is ended, ask for it later)",
                                req_id,
                            ),
                        )
                    else:
                        self._halted_books.add(req_id)
                        self._submit(live.request, now, track=False)
        elif code == ACCOUNT_UNSUBSCRIBED and self.account_updates:
            self._account_unsubscribed("2100: another reqAccountUpdates took them over")
        return self._on_order_message(message, now)

    def submit(self, message: Message, now: float) -> int:
        ticket = super().submit(message, now)
        if type(message) is ReqAcctData and message.subscribe and self.account_updates:
            account = message.acct_code
            if account != self.portfolio_account and (account or len(self.accounts) > 1):
                # TWS serves one reqAccountUpdates per client: this one replaces
                # the session's, without a 2100 to the client that asked.
                self._account_unsubscribed(
                    f"replaced by this client's reqAccountUpdates of {message.acct_code!r}"
                )
        return ticket

    def _account_unsubscribed(self, why: str) -> None:
        """TWS stopped the session's ``reqAccountUpdates``: say the state is stale.

        Another ``reqAccountUpdates`` took it over (one stream at a time): one of
        another client (2100), or one of this client's user.  It is not asked
        for again here: two clients doing so would take it from each other
        forever.  The followed account is no longer downloaded
        (:attr:`is_synced` is false) until a full update of it arrives again:
        when a user's stream of another account ends, or at the next connect.
        """
        followed = self.portfolio_account
        if followed is None or not self.portfolio.is_downloaded(followed):
            return
        logger.warning(
            "TWS stopped the account updates of %s (%s): its portfolio and account "
            "values are no longer kept current until they are asked for again "
            "(is_synced is false meanwhile)",
            followed,
            why,
        )
        self.portfolio.mark_stale(followed)
        self.live_changes += 1

    def _on_order_message(self, message: Any, now: float) -> bool:
        if self.blotter.apply(message, now + self.clock_offset) is not None:
            self.live_changes += 1
        return True

    def _on_open_orders_known(self, message: Any, now: float) -> bool:
        if not self._open_orders_known:
            self._open_orders_known = True
            self.live_changes += 1
        deferred, self._deferred_cancels = self._deferred_cancels, []
        if self._phase is Phase.READY:
            for criteria, scope, placed_after in deferred:
                self._cancel_trades(now, criteria, placed_after)
                if scope == "all":
                    for trade in self._foreign_matches(criteria):
                        self._out.append(ErrMsg(
                            req_id=-1,
                            error_code=NOT_SENT_CODE,
                            error_string=(
                                f"cancel_orders(scope='all') was not sent for {_name(trade)}: "
                                "a client cancels only its own orders by order id "
                                "(global_cancel() cancels every order)"
                            ),
                        ))
        return True

    def _order_executed(self, order_id: int, now: float) -> None:
        trade = self.blotter.trade(order_id)
        if trade is not None and trade.executed_in_full(now + self.clock_offset):
            self.live_changes += 1

    def _order_ended(self, message: ErrMsg, now: float) -> None:
        super()._order_ended(message, now)
        certain = message.error_code == UNKNOWN_ORDER_CODE
        if self.blotter.end(message, now + self.clock_offset, certain=certain) is not None:
            self.live_changes += 1

    def _on_account(self, message: Any, now: float) -> bool:
        # Id-less account messages are also the answer of helpers and user
        # streams: they are delivered.  Those of the session's own requests are not.
        if type(message) in _ID_LESS:
            if (
                type(message) in _ACCOUNT_UPDATES
                and message.account_name != self.portfolio_account
            ):
                # A user's reqAccountUpdates of an account the session does not
                # follow: nothing keeps that account's items current once the
                # stream ends (a position closed after it would linger), and
                # its values come with the session's reqAccountUpdatesMulti.
                return True
            if self.portfolio.apply(message, now + self.clock_offset):
                self.live_changes += 1
            return True
        if message.req_id in self._account_req_ids:
            if type(message) is AccountUpdateMultiEnd:
                self.portfolio.mark_downloaded(self._multi_accounts[message.req_id])
                self.live_changes += 1
            elif self.portfolio.apply(message, now + self.clock_offset):
                self.live_changes += 1
            return False
        return True

    @property
    def is_synced(self) -> bool:
        """Whether what was asked for at connect has arrived.

        The open orders (with ``follow_orders``), and with ``account_updates``
        the positions and the first full account update of every managed
        account (``accountDownloadEnd``, or ``accountUpdateMultiEnd``); false
        again after TWS stops the account updates (2100), until they come again.
        Before server 103 (no ``reqAccountUpdatesMulti``) only the followed
        account's values are asked for, and waited for.
        """
        if not self._open_orders_known or self._phase is not Phase.READY:
            return False
        if not self.account_updates:
            return True
        portfolio = self.portfolio
        if not portfolio.positions_complete:
            return False
        accounts: Sequence[str] = self.accounts
        if not self._carries(ReqAccountUpdatesMulti):
            followed = self.portfolio_account
            accounts = () if followed is None else (followed,)
        return all(portfolio.is_downloaded(account) for account in accounts)

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
        if ever:
            # The books re-sent by the reconnect start again from nothing.
            self._clear_resent_books(now)
            self._resend_snapshots(now, cancel_first=False)
        if not ever and self.follow_orders:
            # The orders of this client id TWS already holds become trades.
            self._open_orders_known = False
            self._submit(ReqOpenOrders(), now, track=False)
        if self.account_updates:
            self._follow_account(now)

    def _resubscribe_in_place(self, now: float) -> None:
        super()._resubscribe_in_place(now)
        self._clear_resent_books(now)
        self._resend_snapshots(now, cancel_first=True)

    def _clear_resent_books(self, now: float) -> None:
        # TWS sends a re-requested book from scratch, as inserts.
        live = self._live
        stamp = now + self.clock_offset
        for req_id, book in self._books.items():
            entry = live.get(req_id)
            if entry is not None and entry.resubscribe:
                book.clear(stamp)
                self.live_changes += 1

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
        # reqPnL exists from server 127: before, pnl() stays empty.
        with_pnl = self._carries(ReqPnl)
        # reqAccountUpdatesMulti exists from server 103: before, only the
        # followed account's values are kept (reqAccountUpdates).
        with_multi = self._carries(ReqAccountUpdatesMulti)
        for account in self.accounts:
            if account != followed and with_multi:
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
            if not with_pnl:
                continue
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
        self,
        request: ReqHistoricalData,
        now: float,
        timeout: float | None,
        *,
        from_release: bool = False,
    ) -> Pending[list[BarData]]:
        """Ask for historical bars; an identical request in flight is joined, not re-sent.

        A joined helper is fed the answer of the request in flight (same
        routing key); its own timeout counts from now, ``from_release`` or
        not.  See :meth:`ibwire._session_calls.CallsPart.historical_bars`.
        """
        try:
            key = replace(request, req_id=0, keep_up_to_date=False)
            leader = self._bars_in_flight.get(key)
        except TypeError:  # an unhashable field: no merging
            return super().historical_bars(request, now, timeout, from_release=from_release)
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
        pending = super().historical_bars(request, now, timeout, from_release=from_release)
        self._bars_in_flight = {
            k: p for k, p in self._bars_in_flight.items() if self._pendings.get(p.key)
        }
        self._bars_in_flight[key] = pending
        return pending

    # ------------------------------------------------------------------ tickers

    def ticker(self, contract: Contract, now: float, generic_tick_list: str = "") -> Ticker:
        """The live ticker of ``contract``, subscribing when there is none yet.

        A ticker is known by the contract's id, security type and exchange (a
        contract without an id by all its fields): a SMART and a directed
        request of one contract are two tickers, and so are a future and its
        continuous future.  The same ticker is returned until
        :meth:`cancel_ticker`, and it is asked for again (same object, new
        request id) when:

        * its request ended in an error (:meth:`ticker_error`, e.g. 354 not
          subscribed, 10168, 200) or with the connection: it is no longer live;
        * ``generic_tick_list`` names generic ticks the live request lacks: the
          request is cancelled and sent again with the union of both lists.

        Args:
            contract: the contract (qualified, or complete enough for TWS).
            now: the current time.
            generic_tick_list: more generic ticks (e.g. ``"106"`` for option volatility).

        Returns:
            The ticker, updated in place as messages arrive.

        Raises:
            ConnectionClosedError: a request must be sent and the session is not
                connected.
        """
        key = _contract_key(contract)
        req_id = self._ticker_ids.get(key)
        if req_id is None:
            return self._subscribe_ticker(Ticker(contract), key, _tick_list(generic_tick_list), now)
        ticker = self._tickers[req_id]
        current = self._ticker_lists[req_id]
        wanted = _tick_list(generic_tick_list, current)
        if wanted == current and req_id in self._live:
            return ticker
        self._require_ready()
        self._drop_ticker(key, now)
        return self._subscribe_ticker(ticker, key, wanted, now)

    def _subscribe_ticker(self, ticker: Ticker, key: Hashable, ticks: str, now: float) -> Ticker:
        req_id = self.new_request_id()
        request = ReqMktData(req_id=req_id, contract=ticker.contract, generic_tick_list=ticks)

        def ended(error: BaseException | None) -> None:
            if error is not None:
                self._ticker_errors[req_id] = error
                # Waiters on live objects look again: this one is over.
                self.live_changes += 1

        self.subscribe(request, _Ended(ended), now)
        self._tickers[req_id] = ticker
        self._ticker_ids[key] = req_id
        self._ticker_lists[req_id] = ticks
        return ticker

    def _drop_ticker(self, key: Hashable, now: float) -> Ticker | None:
        req_id = self._ticker_ids.pop(key, None)
        if req_id is None:
            return None
        ticker = self._tickers.pop(req_id)
        self._ticker_lists.pop(req_id, None)
        self._ticker_errors.pop(req_id, None)
        self.unsubscribe(req_id, now)
        return ticker

    def cancel_ticker(self, contract: Contract, now: float) -> bool:
        """Stop the ticker of ``contract``; whether there was one."""
        ticker = self._drop_ticker(_contract_key(contract), now)
        if ticker is None:
            return False
        self._updated.discard(ticker)
        return True

    def tickers_live(self) -> list[Ticker]:
        """Every live ticker."""
        return list(self._tickers.values())

    def ticker_error(self, ticker: Ticker | Contract) -> BaseException | None:
        """The error that ended the stream of ``ticker`` (or of a contract's ticker), if one did.

        An :class:`~ibwire.errors.ApiError` from TWS (354, 10168, 200, ...), or
        :class:`~ibwire.errors.ConnectionClosedError` when the connection ended
        for good; ``None`` while the ticker is live, and after it is asked for
        again.
        """
        if isinstance(ticker, Contract):
            req_id = self._ticker_ids.get(_contract_key(ticker))
            return None if req_id is None else self._ticker_errors.get(req_id)
        for req_id, known in self._tickers.items():
            if known is ticker:
                return self._ticker_errors.get(req_id)
        return None

    def snapshots(
        self, contracts: Sequence[Contract], regulatory: bool, now: float, timeout: float | None
    ) -> Pending[list[TickerSnapshot]]:
        """Ask for a market data snapshot of each contract, all at once.

        Each snapshot's messages go to a ticker of its own (not a live ticker,
        not the wrapper, except those a ticker keeps nothing of) until its
        ``tickSnapshotEnd``; a request given up on is cancelled.  A snapshot
        still running when TWS drops the market data (error 1101, or the
        connection drops and a reconnect follows) is asked for again, into a
        fresh ticker, within the timeout of its first sending.

        Args:
            contracts: the contracts.
            regulatory: regulatory snapshots (NBBO, charged by IB per request).
            now: the current time.
            timeout: seconds each snapshot may take; ``None`` for no limit.

        Returns:
            The helper; its result is the frozen tickers, in the order given.
            It fails with the first error; an :class:`~ibwire.errors.ApiError`
            from TWS names the contract in its text.

        Raises:
            BudgetExceededError: more snapshots than free market data lines
                (the snapshots already asked for are given up).
        """
        self._require_ready()
        parts: list[Pending[TickerSnapshot]] = []
        try:
            for contract in contracts:
                parts.append(self._snapshot(contract, regulatory, now, timeout))
        except BaseException:
            for part in parts:
                self.abandon(part, now)
            raise
        first = parts[0].key if parts else None
        return PendingAll(("snapshots", first), f"snapshots of {len(parts)} contracts", parts)

    def _snapshot(
        self, contract: Contract, regulatory: bool, now: float, timeout: float | None
    ) -> Pending[TickerSnapshot]:
        req_id = self.new_request_id()
        request = ReqMktData(
            req_id=req_id, contract=contract, snapshot=True, regulatory_snapshot=regulatory
        )
        pending = _SnapshotPending(
            req_id,
            f"snapshot of {_describe(contract)}",
            accepts=frozenset(),
            ends=end_of(_Out.REQ_MKT_DATA),
            finish=lambda items: pending.ticker.snapshot(),
            cancel=CancelMktData(req_id=req_id),
        )
        pending.request = request
        pending.ticker = Ticker(contract)
        # Each snapshot's timeout starts when it is sent (regulatory ones go one a second).
        self._start(pending, request, now, timeout, from_release=True)
        self._snapshots[req_id] = pending

        def ended() -> None:
            # However it ends (its end, an error, a timeout, the connection).
            self._snapshots.pop(req_id, None)

        pending.notify = ended
        return pending

    def _resend_snapshots(self, now: float, *, cancel_first: bool) -> None:
        """Ask again for the snapshots still running: TWS dropped their market data.

        Each gets a fresh ticker (the values of the first answer may be stale
        and a second answer may not repeat them) and keeps its deadline.  After
        a 1101 TWS may still hold the request: it is cancelled first, as the
        streams are, so that the same id is not a duplicate.
        """
        for req_id, pending in list(self._snapshots.items()):
            if id(pending.request) in self._unsent:
                continue  # still held by the pacer: nothing of it was lost
            pending.ticker = Ticker(pending.ticker.contract)
            try:
                if cancel_first:
                    self._submit(CancelMktData(req_id=req_id), now, track=False)
                pending.ticket = self._submit(pending.request, now, track=False, pending=pending)
            except IBWireError as error:  # no market data line left, say
                self._unregister(pending)
                pending._fail(error)

    # ------------------------------------------------------------------ order books

    def order_book(
        self, contract: Contract, now: float, rows: int = 10, smart: bool = False
    ) -> OrderBook:
        """A live order book of ``contract`` (``reqMktDepth``).

        The book is emptied when TWS resets the depth (error 317), when it
        halts it (316: the book is asked for again, once; a second 316 before
        any row ends the book with that error) and when the request is re-sent
        (a reconnect, error 1101): TWS then sends it again from scratch.  An
        error that ends the request is kept (:meth:`order_book_error`).

        Before server 149 ``reqMktDepth`` carries no primary exchange: the
        contract's is left out of the request (as the official client does),
        so a qualified contract still gets its book.  SMART depth needs server
        146.

        Raises:
            UnsupportedByServerError: ``smart`` before server 146 (nothing is sent).
        """
        req_id = self.new_request_id()
        asked = contract
        if contract.primary_exchange and (
            (self.server_version or 0) < ServerVersion.MKT_DEPTH_PRIM_EXCHANGE
        ):
            asked = replace(contract, primary_exchange="")
        request = ReqMktDepth(
            req_id=req_id, contract=asked, num_rows=rows, is_smart_depth=smart
        )
        book = OrderBook(contract, rows)

        def ended(error: BaseException | None) -> None:
            # However the stream ends (an error, a cancel, the connection).
            self._halted_books.discard(req_id)
            if error is not None:
                self._book_errors[req_id] = error
                # Waiters on live objects look again: this one is over.
                self.live_changes += 1

        self.subscribe(request, _Ended(ended), now)
        self._books[req_id] = book
        return book

    def cancel_order_book(self, book: OrderBook, now: float) -> bool:
        """Stop ``book``; whether its stream was still live (not ended by an error)."""
        for req_id, known in list(self._books.items()):
            if known is book:
                del self._books[req_id]
                self._book_errors.pop(req_id, None)
                was_live = req_id in self._live
                self.unsubscribe(req_id, now)
                return was_live
        return False

    def order_book_error(self, book: OrderBook) -> BaseException | None:
        """The error that ended ``book``'s stream (e.g. 309, too many books), if one did."""
        for req_id, known in self._books.items():
            if known is book:
                return self._book_errors.get(req_id)
        return None

    # ------------------------------------------------------------------ trades

    def place(self, contract: Contract, order: Order, now: float) -> Trade:
        """Place ``order`` under a new order id and return its trade.

        The order's own ``order_id`` is not used.  An order of a bracket
        (``parent_id`` set, or ``transmit=False``) is refused: its links name
        order ids this call does not give; place the three with
        :meth:`place_bracket`.

        Raises:
            ValueError: ``parent_id`` is set, ``transmit`` is false, or
                ``what_if`` is set (see :meth:`what_if`).
            ReadOnlyError: the client is read-only (nothing is sent).
            ConnectionClosedError: not connected.
        """
        _refuse_what_if(order, "place")
        if order.parent_id or not order.transmit:
            setting = f"parent_id={order.parent_id}" if order.parent_id else "transmit=False"
            raise ValueError(
                "place() sends a stand-alone order under a new order id; an order with "
                f"{setting} is part of a bracket: place all three with place_bracket()"
            )
        placed: list[Order] = []

        def build(order_id: int) -> Message:
            with_id = replace(order, order_id=order_id, client_id=self.client_id)
            placed.append(with_id)
            return PlaceOrder(order_id=order_id, contract=contract, order=with_id)

        order_id = self.submit_new_order(build, now)
        self._placed_after_cancels(order_id)
        trade = self.blotter.add(contract, placed[-1], now + self.clock_offset)
        self.live_changes += 1
        return trade

    def place_bracket(
        self, contract: Contract, bracket: Bracket, now: float
    ) -> tuple[Trade, Trade, Trade]:
        """Place a bracket's three orders under three new consecutive order ids.

        The ids are allocated and the three orders written in one step, parent
        first, so no other order id reaches TWS between them; the children's
        ``parent_id`` is the new parent id (the bracket's own ids are not used).

        Returns:
            The three trades: parent, take-profit, stop-loss.

        Raises:
            ValueError: an order has ``what_if`` set (see :meth:`what_if`).
            ReadOnlyError: the client is read-only (nothing is sent).
            ConnectionClosedError: not connected.
        """
        for order in bracket:
            _refuse_what_if(order, "place_bracket")
        numbered = self.submit_new_bracket(contract, bracket, now)
        trades = []
        for order in numbered:
            self._placed_after_cancels(order.order_id)
            trades.append(self.blotter.add(contract, order, now + self.clock_offset))
        self.live_changes += 1
        return trades[0], trades[1], trades[2]

    def _placed_after_cancels(self, order_id: int) -> None:
        for _criteria, _scope, placed_after in self._deferred_cancels:
            placed_after.add(order_id)

    def _check_own(self, trade: Trade, what: str) -> None:
        """Raise unless ``trade`` is an order of this client, known by its order id."""
        if trade.client_id == self.client_id and trade.order_id > 0:
            return
        raise ForeignOrderError(
            f"cannot {what} {_name(trade)}: a client changes only its own orders, by "
            f"their order ids (this client is {self.client_id})",
            trade.client_id,
            trade.order_id,
            trade.perm_id,
        )

    def modify(self, trade: Trade, changes: Mapping[str, object], now: float) -> None:
        """Send ``trade``'s order again with ``changes`` (same order id).

        The changes are checked as the order builders check their arguments
        (:func:`ibwire.orders.with_changes`).

        Raises:
            ForeignOrderError: the trade is not an order of this client.
            TypeError: an unknown order field, a field naming the order, or a
                value of the wrong type (a ``float`` quantity).
            ValueError: a bad quantity, price or action, or ``what_if`` set.
            ReadOnlyError: the client is read-only.
        """
        self._check_own(trade, "modify")
        order = with_changes(trade.order, changes)
        _refuse_what_if(order, "modify")
        self.submit(PlaceOrder(order_id=trade.order_id, contract=trade.contract, order=order), now)
        self.blotter.add(trade.contract, order, now + self.clock_offset)
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
        """Cancel the open orders of this client that match every given criterion.

        Those it placed and those found at connect.  Right after connect, before
        TWS has listed the open orders, the criteria are applied again to the
        orders it lists (not to orders placed after this call).

        A client cancels only its own orders: an order id means an order only
        within the client id that placed it.  ``scope="all"`` (client id 0
        only) says the caller means every order: when an order of another
        client, or one placed in TWS, matches, it raises
        :class:`~ibwire.errors.ForeignOrderError` and sends nothing
        (:meth:`~ibwire._session_orders.OrdersPart.global_cancel` cancels every
        order); one that matches among the orders TWS lists after connect is
        reported with an ``ErrMsg`` (code 504, ``req_id`` -1).

        Returns:
            The ids of the orders a cancel was sent for (so far).

        Raises:
            ValueError: no criterion, an unknown scope, or ``scope="all"`` on a
                client id other than 0.
            ForeignOrderError: ``scope="all"`` and another client's order matches.
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
        if scope == "all" and any(value is not None for value in criteria.values()):
            foreign = self._foreign_matches(criteria)
            if foreign:
                names = ", ".join(_name(trade) for trade in foreign)
                first = foreign[0]
                raise ForeignOrderError(
                    f"cancel_orders(scope='all') matches {names}: a client cancels only its "
                    "own orders by order id; nothing was sent (global_cancel() cancels every "
                    "order of the account)",
                    first.client_id,
                    first.order_id,
                    first.perm_id,
                )
        chosen = super().cancel_orders(now, **criteria)
        for order_id in chosen:
            placed = self.blotter.trade(order_id)
            if placed is not None:
                placed.cancel_requested(now + self.clock_offset)
        chosen.extend(self._cancel_trades(now, criteria, set(chosen)))
        if not self._open_orders_known:
            self._deferred_cancels.append((criteria, scope, set()))
        return chosen

    def _foreign_matches(self, criteria: dict[str, str | None]) -> list[Trade]:
        """The open trades matching ``criteria`` that this client cannot cancel."""
        return [
            trade
            for trade in self.blotter.open_trades()
            if (trade.client_id != self.client_id or trade.order_id <= 0)
            and order_matches(trade.contract, trade.order, criteria)
        ]

    def _cancel_trades(
        self, now: float, criteria: dict[str, str | None], done: set[int]
    ) -> list[int]:
        sent: list[int] = []
        for trade in self.blotter.open_trades():
            order_id = trade.order_id
            if trade.client_id != self.client_id or order_id <= 0:
                continue
            if order_id in done or trade.status == "PendingCancel":
                continue
            if order_matches(trade.contract, trade.order, criteria):
                self._submit(CancelOrder(order_id=order_id), now, track=True)
                trade.cancel_requested(now + self.clock_offset)
                sent.append(order_id)
        return sent

    def cancel_trade(self, trade: Trade, now: float) -> None:
        """Cancel ``trade``'s order.

        Raises:
            ForeignOrderError: the trade is not an order of this client.
            ReadOnlyError: the client is read-only.
        """
        self._check_own(trade, "cancel")
        self.submit(CancelOrder(order_id=trade.order_id), now)
        trade.cancel_requested(now + self.clock_offset)
        self.live_changes += 1


class _SnapshotPending(Pending[TickerSnapshot]):
    """The helper of one snapshot: a refusal from TWS names the snapshot's contract.

    The request id of an :class:`~ibwire.errors.ApiError` is the session's own,
    unknown to the caller of ``snapshots(a, b, c)``, and TWS's text of 200 or
    10168 does not name the instrument.
    """

    __slots__ = ("request", "ticker")

    resendable = True

    request: ReqMktData
    #: Where the answer goes; a fresh one each time the request is sent again.
    ticker: Ticker

    def _fail(self, error: BaseException) -> None:
        if isinstance(error, ApiError) and not self.done:
            named = ApiError(
                error.code, error.message, error.req_id, error.advanced_order_reject_json
            )
            named.args = (f"{error} ({self.description})",)
            named.__cause__ = error
            error = named
        super()._fail(error)


def _refuse_what_if(order: Order, call: str) -> None:
    """Raise if ``order`` is a what-if order: it previews, it is never placed.

    TWS answers it with one open order carrying the margin and commission
    figures, and never a status: as a trade it would stay open for ever.
    """
    if order.what_if:
        raise ValueError(
            f"{call}() places orders and follows them as trades; an order with what_if=True "
            "is only previewed: ask for its order state with what_if()"
        )


def _name(trade: Trade) -> str:
    """How an error names ``trade``'s order."""
    if trade.order_id > 0:
        return f"order {trade.order_id} of client {trade.client_id} (perm id {trade.perm_id})"
    return f"the order placed in TWS with perm id {trade.perm_id}"


def _contract_key(contract: Contract) -> Hashable:
    # A qualified contract is known by its id, security type and exchange (IB
    # gives a continuous future its front month's id); another by all its fields.
    if contract.con_id:
        return (contract.con_id, contract.sec_type, contract.exchange)
    return repr(contract)


def _tick_list(extra: str, current: str = "") -> str:
    """``current`` and the generic ticks of ``extra`` it lacks, comma-separated."""
    ticks = [tick for tick in current.split(",") if tick]
    for tick in extra.split(","):
        tick = tick.strip()
        if tick and tick not in ticks:
            ticks.append(tick)
    return ",".join(ticks)


_ID_LESS = frozenset(
    {PortfolioValue, AcctValue, AcctUpdateTime, AcctDownloadEnd, PositionData, PositionEnd}
)
# The reqAccountUpdates messages that name their account.
_ACCOUNT_UPDATES = frozenset({PortfolioValue, AcctValue, AcctDownloadEnd})

__all__ = ["LivePart"]
