"""The asyncio client: an :class:`asyncio.Protocol` around the shared session, no thread.

The protocol is a thin pump: ``data_received`` feeds the session, then the
client writes what it queued, closes or opens transports when it asks, re-arms
one timer for its next deadline (``loop.call_at``), and delivers messages to the
wrapper.  Helpers are coroutines; subscriptions are async iterators.  Nothing
nests event loops.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Callable, Hashable
from types import TracebackType
from typing import TypeVar, cast

from .._frontend import FrontEnd
from .._session import (
    AccountUpdateMessage,
    DepthMessage,
    HistoricalBarsMessage,
    MarketDataMessage,
    Pending,
    Phase,
    ReconnectPolicy,
    Session,
    TrackedOrder,
)
from .._session_buffer import DEFAULT_SUBSCRIPTION_BUFFER, SubscriptionBuffer
from ..dispatch import CallbackErrorHook, Dispatcher
from ..errorcodes import CodeTable
from ..errors import ConnectionClosedError, RequestTimeoutError
from ..messages import (
    AccountSummary,
    BarData,
    Contract,
    ContractDescription,
    ContractDetails,
    ErrMsg,
    ExecutionData,
    ExecutionFilter,
    Message,
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
    ReqMktData,
    ReqMktDepth,
    ReqPnl,
    ReqPnlSingle,
    ReqRealTimeBars,
    ReqTickByTickData,
    SecurityDefinitionOptionParameter,
    TickByTick,
    TickSnapshotEnd,
)
from ..pacing import Pacer, PacerStats, PacingConfig
from ..versions import MAX_CLIENT_VERSION, MIN_CLIENT_VERSION
from ..wrapper import Wrapper

__all__ = ["Client", "Subscription"]

logger = logging.getLogger("ibwire")

T = TypeVar("T")


#: The largest piece of a read decoded before its messages are dispatched.
_DECODE_SLICE = 16 * 1024


class Subscription(SubscriptionBuffer[T]):
    """A live stream of messages (market data, bars, PnL...) as an async iterator.

    Leave the ``async with`` block, or call :meth:`cancel`, to stop it.  After a
    reconnect the client re-sends the request and the stream goes on.  An
    error from TWS for its request ends the iteration with an
    :class:`~ibwire.errors.ApiError`.  At most ``subscription_buffer`` messages
    (a client argument) wait for the reader; beyond that the oldest are dropped
    and counted in :attr:`dropped`.

    Example:
        >>> async with client.market_data(contract) as ticks:  # doctest: +SKIP
        ...     async for tick in ticks:
        ...         print(tick)
    """

    def __init__(self, client: Client, maxlen: int = DEFAULT_SUBSCRIPTION_BUFFER) -> None:
        super().__init__(client, maxlen)
        self._waiter: asyncio.Future[None] | None = None

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _stop(self) -> Exception:
        return StopAsyncIteration()

    async def get(self, timeout: float | None = None) -> T:
        """The next message.

        Args:
            timeout: seconds to wait; ``None`` waits as long as it takes.

        Raises:
            RequestTimeoutError: nothing arrived in time.
            StopAsyncIteration: the stream ended (cancelled, or the client closed).
            ApiError: TWS ended the stream with an error.
        """
        found, item = self._take()
        if not found:
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(waiter, timeout)
            except asyncio.TimeoutError:
                raise RequestTimeoutError(
                    f"no message on subscription {self.key!r} within {timeout}s"
                ) from None
            finally:
                self._waiter = None
            found, item = self._take()
        return cast(T, item)

    def __aiter__(self) -> AsyncIterator[T]:
        """Iterate asynchronously."""
        return self

    async def __anext__(self) -> T:
        """The next message."""
        return await self.get()

    async def __aenter__(self) -> Subscription[T]:
        """Use in an ``async with`` block to cancel on exit."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Cancel the stream."""
        self.cancel()


class _Protocol(asyncio.Protocol):
    """One connection's transport callbacks, forwarded to the client."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def data_received(self, data: bytes) -> None:
        self._client._on_data(self, data)

    def eof_received(self) -> bool | None:
        self._client._on_eof(self)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._client._on_lost(self, exc)


class Client(FrontEnd):
    """A TWS API client for asyncio programs.

    Every EClient request is a plain method (``req_mkt_data``, ``place_order``,
    ...: writing is non-blocking); helpers that wait for an answer are
    coroutines with a timeout; streams are :class:`Subscription` async
    iterators.  Messages also go to ``wrapper``'s callbacks, on the event loop.

    Args:
        wrapper: receives messages and events; a do-nothing :class:`Wrapper`
            when omitted.
        host: TWS / IB Gateway host.
        port: 4002 paper Gateway, 4001 live Gateway, 7497 paper TWS, 7496 live TWS.
        client_id: this connection's client id (unique per TWS).
        timeout: the default timeout of the helpers, in seconds.
        connect_timeout: seconds for the socket and the handshake to complete.
        read_only: refuse every order-changing call with :class:`ReadOnlyError`
            before a byte is sent.
        code_table: how TWS codes are classified.
        pacing: the pacer's limits (or a pacer); IB's documented limits by default.
        reconnect: reconnect automatically after a loss: ``True`` for the default
            :class:`ReconnectPolicy`, or a policy; ``None`` (default) does not.
        heartbeat_interval: ask for the server time after this many idle seconds;
            ``None`` disables the heartbeat.
        heartbeat_timeout: declare the connection dead when the heartbeat gets no
            answer within this many seconds.
        on_callback_error: told about every exception a callback raised (after it
            is logged; see :mod:`ibwire.dispatch`).
        rng: the randomness of the reconnect jitter.
        min_version: the lowest server version accepted.
        max_version: the highest server version advertised (at most 200).
        connect_options: options of the hello (``"+PACEAPI"``).
        subscription_buffer: the most messages a subscription holds for a reader
            that falls behind; beyond it the oldest are dropped, counted in
            ``Subscription.dropped`` and logged.
    """

    def __init__(
        self,
        wrapper: Wrapper | None = None,
        host: str = "127.0.0.1",
        port: int = 4002,
        client_id: int = 0,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        read_only: bool = False,
        code_table: CodeTable | None = None,
        pacing: PacingConfig | Pacer[Message] | None = None,
        reconnect: ReconnectPolicy | bool | None = None,
        heartbeat_interval: float | None = 30.0,
        heartbeat_timeout: float = 10.0,
        on_callback_error: CallbackErrorHook | None = None,
        rng: random.Random | None = None,
        min_version: int = MIN_CLIENT_VERSION,
        max_version: int = MAX_CLIENT_VERSION,
        connect_options: str = "",
        subscription_buffer: int = DEFAULT_SUBSCRIPTION_BUFFER,
    ) -> None:
        self.wrapper = wrapper if wrapper is not None else Wrapper()
        self.host = host
        self.port = port
        self.client_id = client_id
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        #: The most messages a subscription holds for its reader (oldest dropped first).
        self.subscription_buffer = subscription_buffer
        policy = ReconnectPolicy() if reconnect is True else (reconnect or None)
        self._session = Session(
            client_id,
            connect_timeout=connect_timeout,
            read_only=read_only,
            code_table=code_table,
            pacing=pacing,
            reconnect=policy,
            heartbeat_interval=heartbeat_interval,
            heartbeat_timeout=heartbeat_timeout,
            rng=rng,
            min_version=min_version,
            max_version=max_version,
            connect_options=connect_options,
        )
        self._dispatcher = Dispatcher(self.wrapper, on_callback_error)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._transport: asyncio.Transport | None = None
        self._proto: _Protocol | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._opening: asyncio.Task[None] | None = None
        self._closed: asyncio.Event | None = None
        self._dispatching = False

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
        return self._session.pacer.stats

    @property
    def tracked_orders(self) -> list[TrackedOrder]:
        """This client's orders not known to be filled or cancelled."""
        return self._session.open_orders

    # ------------------------------------------------------------------ connect

    def _now(self) -> float:
        loop = self._loop
        return loop.time() if loop is not None else 0.0

    async def connect(self, timeout: float | None = None) -> None:
        """Connect, and return once the connection is ready.

        Ready means ``nextValidId`` and ``managedAccounts`` have arrived.

        Args:
            timeout: seconds to wait; the client's ``connect_timeout`` by default.

        Raises:
            ClientIdInUseError: TWS refused the client id (error 326, or a close
                right after startApi).
            RequestTimeoutError: not ready in time.
            ConnectionClosedError: the socket could not be opened, or closed.
            HandshakeError: the server's version is unusable.
        """
        loop = asyncio.get_running_loop()
        self._loop = loop
        limit = self.connect_timeout if timeout is None else timeout
        session = self._session
        waiter = session.start(loop.time(), limit)
        ready: asyncio.Future[None] = loop.create_future()
        waiter.notify = lambda: None if ready.done() else ready.set_result(None)
        try:
            transport, proto = await asyncio.wait_for(
                loop.create_connection(lambda: _Protocol(self), self.host, self.port), limit
            )
        except (OSError, asyncio.TimeoutError) as exc:
            session.transport_failed(exc, loop.time())
            session.events_to_dispatch()
            raise ConnectionClosedError(
                f"cannot connect to {self.host}:{self.port}: {exc or 'timed out'}"
            ) from exc
        except BaseException:
            # Cancelled (an outer wait_for) while the socket was opening: the
            # session must not stay "connecting".
            session.close(loop.time())
            session.events_to_dispatch()
            raise
        self._adopt(transport, proto)
        self._service()
        try:
            await ready
        except BaseException:
            session.close(loop.time())
            self._service()
            raise
        waiter.result()
        logger.info(
            "connected to %s:%s as client %s (server version %s)",
            self.host,
            self.port,
            self.client_id,
            self.server_version,
        )

    async def disconnect(self) -> None:
        """Close the connection (``connection_closed`` is called) and wait for it to close.

        Waiting helpers fail with :class:`~ibwire.errors.ConnectionClosedError`;
        subscriptions end.  Safe to call more than once.
        """
        self._session.close(self._now())
        self._service()
        opening = self._opening
        if opening is not None and not opening.done():
            opening.cancel()
        closed = self._closed
        if closed is not None and self._transport is not None:
            try:
                await asyncio.wait_for(closed.wait(), self.connect_timeout)
            except asyncio.TimeoutError:
                transport = self._transport
                if transport is not None:
                    transport.abort()

    async def __aenter__(self) -> Client:
        """Connect on entering an ``async with`` block."""
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Disconnect on leaving the ``async with`` block."""
        await self.disconnect()

    # ------------------------------------------------------------------ the pump

    def _adopt(self, transport: asyncio.Transport, proto: _Protocol) -> None:
        self._transport = transport
        self._proto = proto
        self._closed = asyncio.Event()
        self._session.transport_opened(self._now())

    def _on_data(self, proto: _Protocol, data: bytes) -> None:
        if proto is not self._proto:
            return
        now = self._now()
        if len(data) > _DECODE_SLICE:
            # Decode and dispatch a large read in slices, so that only a slice's
            # messages are alive at once: the garbage collector then keeps large
            # reads at the rate of small ones (benchmarks/bench_decode.py).
            for start in range(0, len(data), _DECODE_SLICE):
                self._session.receive_data(data[start : start + _DECODE_SLICE], now)
                self._service()
            return
        self._session.receive_data(data, now)
        self._service()

    def _on_eof(self, proto: _Protocol) -> None:
        if proto is not self._proto:
            return
        self._session.receive_eof(self._now())
        self._service()

    def _on_lost(self, proto: _Protocol, exc: Exception | None) -> None:
        if proto is not self._proto:
            return
        self._transport = None
        self._proto = None
        if self._closed is not None:
            self._closed.set()
        now = self._now()
        self._session.transport_lost(exc, now)
        self._session.transport_closed(now)
        self._service()

    def _service(self) -> None:
        """Write, close or open transports as the session asks; re-arm the timer; dispatch."""
        session = self._session
        transport = self._transport
        data = session.data_to_send()
        if data and transport is not None and not transport.is_closing():
            transport.write(data)
        if session.wants_close:
            if transport is None:
                session.transport_closed(self._now())
            elif not transport.is_closing():
                if session.phase is Phase.CLOSED:
                    transport.close()  # the user's disconnect: flush, then close
                else:
                    # A dead or refused connection: drop it at once, so the
                    # reconnect (which waits for connection_lost) is not delayed.
                    transport.abort()
        if session.wants_connect and (self._opening is None or self._opening.done()):
            loop = self._loop
            assert loop is not None
            self._opening = loop.create_task(self._open())
        self._arm_timer()
        self._dispatch()

    async def _open(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            transport, proto = await asyncio.wait_for(
                loop.create_connection(lambda: _Protocol(self), self.host, self.port),
                self._session.connect_timeout,
            )
        except (OSError, asyncio.TimeoutError) as exc:
            self._session.transport_failed(exc, loop.time())
            self._service()
            return
        if self._session.phase is not Phase.CONNECTING:
            transport.close()
            return
        self._adopt(transport, proto)
        self._service()

    def _arm_timer(self) -> None:
        deadline = self._session.next_deadline()
        if deadline == self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = deadline
        loop = self._loop
        if deadline is not None and loop is not None:
            self._timer = loop.call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = None
        self._session.on_timer(self._now())
        self._service()

    def _dispatch(self) -> None:
        # A callback that sends a request comes back here; the outer loop
        # delivers what that produced, so callbacks always see arrival order.
        if self._dispatching:
            return
        self._dispatching = True
        try:
            session = self._session
            while session.has_events:
                self._dispatcher.dispatch_all(session.events_to_dispatch())
        finally:
            self._dispatching = False

    # ------------------------------------------------------------------ requests

    def _session_call(self, call: Callable[[float], T]) -> T:
        result = call(self._now())
        self._service()
        return result

    # ------------------------------------------------------------------ helpers

    async def _call(self, start: Callable[[float], Pending[T]]) -> T:
        loop = self._loop
        if loop is None:
            raise ConnectionClosedError("not connected")
        done: asyncio.Future[None] = loop.create_future()
        pending = start(loop.time())
        pending.notify = lambda: None if done.done() else done.set_result(None)
        self._service()
        try:
            # The session's timer fails the helper at its deadline.
            await done
        except asyncio.CancelledError:
            self._session.abandon(pending, loop.time())
            self._service()
            raise
        return pending.result()

    def _timeout(self, timeout: float | None) -> float | None:
        return self.timeout if timeout is None else timeout

    async def contract_details(
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
        return await self._call(lambda now: self._session.contract_details(contract, now, limit))

    async def historical_bars(
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
    ) -> list[BarData]:
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
            The bars, oldest first.

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
        return await self._call(lambda now: self._session.historical_bars(request, now, limit))

    async def head_timestamp(
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
        return await self._call(
            lambda now: self._session.head_timestamp(
                contract, what_to_show, use_rth, format_date, now, limit
            )
        )

    async def positions(self, *, timeout: float | None = None) -> list[PositionData]:
        """Every position of every account (``reqPositions``, then ``cancelPositions``).

        Args:
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            One message per position.

        Raises:
            RequestTimeoutError: no complete answer in time.
        """
        limit = self._timeout(timeout)
        return await self._call(lambda now: self._session.positions(now, limit))

    async def account_summary(
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
        return await self._call(
            lambda now: self._session.account_summary(group_name, tags, now, limit)
        )

    async def open_orders(self, *, timeout: float | None = None) -> list[OpenOrder]:
        """This client's open orders (``reqOpenOrders``).

        Args:
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            One message per open order.

        Raises:
            RequestTimeoutError: no complete answer in time.
        """
        limit = self._timeout(timeout)
        return await self._call(lambda now: self._session.open_orders_request(now, limit))

    async def executions(
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
        return await self._call(lambda now: self._session.executions(criteria, now, limit))

    async def current_time(self, *, timeout: float | None = None) -> int:
        """The server's time, in epoch seconds (``reqCurrentTime``).

        Args:
            timeout: seconds to wait; the client's default when omitted.

        Raises:
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return await self._call(lambda now: self._session.current_time(now, limit))

    async def what_if(
        self, contract: Contract, order: Order, *, timeout: float | None = None
    ) -> OrderState:
        """The margin and commission effect of ``order``, without placing it.

        Allowed on a read-only client: nothing is placed.

        Args:
            contract: the contract.
            order: the order (its ``what_if`` flag is set here).
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            The order state with the margin and commission figures.

        Raises:
            ApiError: TWS rejected the order.
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return await self._call(lambda now: self._session.what_if(contract, order, now, limit))

    async def sec_def_opt_params(
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
        return await self._call(
            lambda now: self._session.sec_def_opt_params(
                underlying_symbol,
                fut_fop_exchange,
                underlying_sec_type,
                underlying_con_id,
                now,
                limit,
            )
        )

    async def matching_symbols(
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
        return await self._call(lambda now: self._session.matching_symbols(pattern, now, limit))

    async def market_rule(
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
        return await self._call(lambda now: self._session.market_rule(market_rule_id, now, limit))

    # ------------------------------------------------------------------ subscriptions

    def _subscribe(self, request: Message, ends: frozenset[type] = frozenset()) -> Subscription[T]:
        subscription: Subscription[T] = Subscription(self, self.subscription_buffer)
        subscription.key = self._session.subscribe(request, subscription, self._now(), ends=ends)
        self._service()
        return subscription

    def _unsubscribe(self, key: Hashable) -> None:
        self._session.unsubscribe(key, self._now())
        self._service()

    def _subscription_warnings(self, key: Hashable) -> list[ErrMsg]:
        return self._session.subscription_warnings(key)

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
            The subscription (the request is sent at once).
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
            The subscription (the request is sent at once).
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
            The subscription (the request is sent at once).
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
            The subscription (the request is sent at once).
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
            The subscription (the request is sent at once).
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

    def pnl(self, account: str, model_code: str = "") -> Subscription[Pnl]:
        """Stream an account's daily profit and loss (``reqPnL``).

        Args:
            account: the account.
            model_code: the model, ``""`` for none.

        Returns:
            The subscription (the request is sent at once).
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
            The subscription (the request is sent at once).
        """
        request = ReqPnlSingle(
            req_id=self._new_request_id(), account=account, model_code=model_code, con_id=con_id
        )
        return self._subscribe(request)

    def account_updates(self, account: str = "") -> Subscription[AccountUpdateMessage]:
        """Stream account values and portfolio (``reqAccountUpdates``).

        TWS allows one such stream at a time.

        Args:
            account: the account; ``""`` for the only one.

        Returns:
            The subscription (the request is sent at once).
        """
        return self._subscribe(ReqAcctData(subscribe=True, acct_code=account))
