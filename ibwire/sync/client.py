"""The threaded client: a blocking socket, one reader thread, the shared session.

The reader thread is a thin pump: it reads the socket, feeds the session, runs
its timers, writes what it queued, opens and closes sockets when it asks, and
delivers messages to the wrapper.  It holds the client's lock only around
session calls; user callbacks run with no lock held.  Request methods may be
called from any thread; blocking helpers from any thread but the reader's (a
callback that waits for an answer would wait for itself).
"""

from __future__ import annotations

import contextlib
import logging
import random
import selectors
import socket
import threading
import time
from collections.abc import Callable, Hashable, Iterator
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

_READ_SIZE = 256 * 1024
#: The largest piece of a read decoded before its messages are dispatched.
_DECODE_SLICE = 16 * 1024
# How much longer than its own timeout a helper waits for the reader to time it out.
_WAIT_MARGIN = 2.0


class Subscription(SubscriptionBuffer[T]):
    """A live stream of messages (market data, bars, PnL...) of a threaded client.

    Iterate it (blocking) or call :meth:`get`; leave the ``with`` block or call
    :meth:`cancel` to stop it.  After a reconnect the client re-sends the
    request, and the stream goes on.  An error from TWS for its request ends
    the iteration with an :class:`~ibwire.errors.ApiError`.  At most
    ``subscription_buffer`` messages (a client argument) wait for the reader;
    beyond that the oldest are dropped and counted in :attr:`dropped`.

    Example:
        >>> with client.market_data(contract) as ticks:  # doctest: +SKIP
        ...     for tick in ticks:
        ...         print(tick)
    """

    def __init__(self, client: Client, maxlen: int = DEFAULT_SUBSCRIPTION_BUFFER) -> None:
        super().__init__(client, maxlen)
        self._ready = threading.Condition(threading.Lock())

    # The session calls push/end on the reader thread.
    def push(self, message: Message) -> None:
        """Hold a message of the stream (called by the client)."""
        with self._ready:
            super().push(message)

    def end(self, error: BaseException | None) -> None:
        """Mark the end of the stream (called by the client)."""
        with self._ready:
            super().end(error)

    def _wake(self) -> None:
        self._ready.notify()

    def get(self, timeout: float | None = None) -> T:
        """The next message.

        Args:
            timeout: seconds to wait; ``None`` waits as long as it takes.

        Raises:
            RequestTimeoutError: nothing arrived in time.
            StopIteration: the stream ended (cancelled, or the client closed).
            ApiError: TWS ended the stream with an error.
        """
        with self._ready:
            found, item = self._take()
            if not found:
                self._ready.wait_for(lambda: self._items or self._pending_end, timeout)
                found, item = self._take()
        if not found:
            raise RequestTimeoutError(f"no message on subscription {self.key!r} within {timeout}s")
        return cast(T, item)

    def __iter__(self) -> Iterator[T]:
        """Iterate, blocking for each message."""
        return self

    def __next__(self) -> T:
        """The next message (blocking)."""
        return self.get()

    def __enter__(self) -> Subscription[T]:
        """Use in a ``with`` block to cancel on exit."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Cancel the stream."""
        self.cancel()


class Client(FrontEnd):
    """A TWS API client with a reader thread.

    Every EClient request is a method (``req_mkt_data``, ``place_order``, ...,
    see :class:`ibwire._requests.RequestMethods`); messages go to ``wrapper``'s
    callbacks on the reader thread.  Helpers such as :meth:`contract_details`
    block until the answer arrives, with a timeout.

    Args:
        wrapper: receives messages and events; a do-nothing :class:`Wrapper`
            when omitted (use the helpers and subscriptions instead).
        host: TWS / IB Gateway host.
        port: 4002 paper Gateway, 4001 live Gateway, 7497 paper TWS, 7496 live TWS.
        client_id: this connection's client id (unique per TWS).
        timeout: the default timeout of the blocking helpers, in seconds.
        connect_timeout: seconds for the socket and the handshake to complete.
        read_only: refuse every order-changing call with :class:`ReadOnlyError`
            before a byte is sent.
        code_table: how TWS codes are classified; pass
            ``CodeTable({code: Severity.WARNING})`` to override.
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
        clock: the monotonic clock, in seconds.
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
        clock: Callable[[], float] = time.monotonic,
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
        self._clock = clock
        # _lock guards the session; _send_lock keeps writes in the order they
        # were taken from the session and keeps a close from cutting a write.
        self._lock = threading.RLock()
        self._send_lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._reader: threading.Thread | None = None
        # The reader's wake-up pair: made when a reader starts, closed when it ends.
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._armed: float | None = None

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
        with self._lock:
            return self._session.pacer.stats

    @property
    def tracked_orders(self) -> list[TrackedOrder]:
        """This client's orders not known to be filled or cancelled."""
        with self._lock:
            return self._session.open_orders

    # ------------------------------------------------------------------ connect

    def connect(self, timeout: float | None = None) -> None:
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
        limit = self.connect_timeout if timeout is None else timeout
        done = threading.Event()
        with self._lock:
            waiter = self._session.start(self._clock(), limit)
            waiter.notify = done.set
        try:
            sock = socket.create_connection((self.host, self.port), timeout=limit)
        except OSError as exc:
            with self._lock:
                self._session.transport_failed(exc, self._clock())
                self._session.events_to_dispatch()
            raise ConnectionClosedError(
                f"cannot connect to {self.host}:{self.port}: {exc}"
            ) from exc
        self._adopt(sock)
        self._flush()
        if self._reader is None or not self._reader.is_alive():
            self._wake_r, self._wake_w = socket.socketpair()
            self._wake_r.setblocking(False)
            self._wake_w.setblocking(False)
            self._reader = threading.Thread(
                target=self._run, name=f"ibwire-reader-{self.client_id}", daemon=True
            )
            self._reader.start()
        else:
            self._wake()
        if not done.wait(limit + _WAIT_MARGIN):
            self.disconnect()
            raise RequestTimeoutError(f"not connected within {limit:g}s")
        try:
            waiter.result()
        except BaseException:
            self._join_reader()
            raise
        logger.info(
            "connected to %s:%s as client %s (server version %s)",
            self.host,
            self.port,
            self.client_id,
            self.server_version,
        )

    def disconnect(self) -> None:
        """Close the connection and stop the reader (``connection_closed`` is called).

        Waiting helpers fail with :class:`~ibwire.errors.ConnectionClosedError`;
        subscriptions end.  Safe to call more than once, and from a callback.
        """
        with self._lock:
            self._session.close(self._clock())
        self._wake()
        self._join_reader()

    def _join_reader(self) -> None:
        reader = self._reader
        if reader is not None and reader is not threading.current_thread():
            reader.join(self.connect_timeout + _WAIT_MARGIN)

    def __enter__(self) -> Client:
        """Connect on entering a ``with`` block."""
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Disconnect on leaving the ``with`` block."""
        self.disconnect()

    # ------------------------------------------------------------------ the pump

    def _adopt(self, sock: socket.socket) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # Reads happen only when the selector says the socket is readable; the
        # timeout bounds writes, so a peer that stops reading cannot hang a sender
        # (or the reader waiting to close the socket) forever.
        sock.settimeout(max(self.connect_timeout, 1.0))
        with self._lock:
            self._sock = sock
            self._session.transport_opened(self._clock())

    def _run(self) -> None:
        wake_r, wake_w = self._wake_r, self._wake_w
        assert wake_r is not None and wake_w is not None
        selector = selectors.DefaultSelector()
        selector.register(wake_r, selectors.EVENT_READ)
        registered: socket.socket | None = None
        try:
            while True:
                sock = self._sock
                if sock is not registered:
                    if registered is not None:
                        with contextlib.suppress(KeyError, ValueError):
                            selector.unregister(registered)
                    if sock is not None:
                        selector.register(sock, selectors.EVENT_READ)
                    registered = sock
                with self._lock:
                    session = self._session
                    if (
                        sock is None
                        and session.phase in (Phase.DISCONNECTED, Phase.CLOSED)
                        and not session.has_events
                    ):
                        break
                    deadline = session.next_deadline()
                    self._armed = deadline
                timeout = None if deadline is None else max(0.0, deadline - self._clock())
                data = b""
                eof = False
                error: OSError | None = None
                for key, _ in selector.select(timeout):
                    if key.fileobj is wake_r:
                        with contextlib.suppress(OSError):
                            while wake_r.recv(4096):
                                pass
                    elif sock is not None:
                        try:
                            data = sock.recv(_READ_SIZE)
                            eof = not data
                        except OSError as exc:
                            error = exc
                now = self._clock()
                if len(data) > _DECODE_SLICE:
                    # Decode and dispatch a large read in slices, so that only a
                    # slice's messages are alive at once: the garbage collector
                    # then keeps 256 KiB reads at the rate of small ones
                    # (benchmarks/bench_decode.py).
                    last = len(data) - _DECODE_SLICE
                    for start in range(0, last, _DECODE_SLICE):
                        with self._lock:
                            self._session.receive_data(data[start : start + _DECODE_SLICE], now)
                        self._service()
                    data = data[start + _DECODE_SLICE :]
                with self._lock:
                    if data:
                        self._session.receive_data(data, now)
                    elif eof:
                        self._session.receive_eof(now)
                    elif error is not None:
                        self._session.transport_lost(error, now)
                    self._session.on_timer(now)
                self._service()
        except BaseException:
            logger.exception("the ibwire reader thread failed")
            with self._lock:
                self._session.close(self._clock())
            self._close_socket()
            raise
        finally:
            selector.close()
            with self._send_lock:
                if self._wake_w is wake_w:
                    self._wake_r = self._wake_w = None
            wake_r.close()
            wake_w.close()

    def _service(self) -> None:
        """Write, open or close sockets as the session asks, then dispatch."""
        self._flush()
        with self._lock:
            connect = self._session.wants_connect
        if connect:
            try:
                sock = socket.create_connection(
                    (self.host, self.port), timeout=self._session.connect_timeout
                )
            except OSError as exc:
                with self._lock:
                    self._session.transport_failed(exc, self._clock())
            else:
                self._adopt(sock)
                self._flush()
        # After the connect step: a disconnect() during a slow connect asks to
        # close the socket just opened.
        with self._lock:
            close = self._session.wants_close
        if close:
            self._close_socket()
            with self._lock:
                self._session.transport_closed(self._clock())
        with self._lock:
            events = self._session.events_to_dispatch()
        if events:
            self._dispatcher.dispatch_all(events)

    def _close_socket(self) -> None:
        with self._send_lock:
            sock, self._sock = self._sock, None
        if sock is None:
            return
        # Shut down, then close: TWS sees the close at once and frees the client id.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def _flush(self) -> None:
        with self._send_lock:
            with self._lock:
                data = self._session.data_to_send()
                sock = self._sock
            if not data or sock is None:
                return
            try:
                sock.sendall(data)
            except OSError as exc:
                with self._lock:
                    self._session.transport_lost(exc, self._clock())
                self._wake()

    def _wake(self) -> None:
        wake_w = self._wake_w
        if wake_w is not None:
            with contextlib.suppress(OSError):
                wake_w.send(b"\0")

    def _after_user_call(self) -> None:
        """Write what a user call queued; wake the reader if its timer must change."""
        self._flush()
        with self._lock:
            session = self._session
            deadline = session.next_deadline()
            armed = self._armed
            stale = deadline is not None and (armed is None or deadline < armed)
            wake = stale or session.has_events or session.wants_close
        if wake:
            self._wake()

    # ------------------------------------------------------------------ requests

    def _locked(self, call: Callable[[], T]) -> T:
        with self._lock:
            return call()

    def _session_call(self, call: Callable[[float], T]) -> T:
        with self._lock:
            result = call(self._clock())
        self._after_user_call()
        return result

    # ------------------------------------------------------------------ helpers

    def _call(self, start: Callable[[float], Pending[T]], timeout: float | None) -> T:
        if threading.current_thread() is self._reader:
            raise RuntimeError(
                "a blocking helper was called from a wrapper callback (the reader thread); "
                "send the request with a req_* method instead"
            )
        done = threading.Event()
        with self._lock:
            pending = start(self._clock())
            pending.notify = done.set
        self._after_user_call()
        # The session's timer fails the helper at its deadline, which starts
        # when the pacer releases the request; a reader that dies closes the
        # session, which fails it too.
        done.wait()
        return pending.result()

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
        return self._call(lambda now: self._session.contract_details(contract, now, limit), limit)

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
        return self._call(lambda now: self._session.historical_bars(request, now, limit), limit)

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
            ),
            limit,
        )

    def positions(self, *, timeout: float | None = None) -> list[PositionData]:
        """Every position of every account (``reqPositions``, then ``cancelPositions``).

        Args:
            timeout: seconds to wait; the client's default when omitted.

        Returns:
            One message per position.

        Raises:
            RequestTimeoutError: no complete answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.positions(now, limit), limit)

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
        return self._call(
            lambda now: self._session.account_summary(group_name, tags, now, limit), limit
        )

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
        return self._call(lambda now: self._session.open_orders_request(now, limit), limit)

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
        return self._call(lambda now: self._session.executions(criteria, now, limit), limit)

    def current_time(self, *, timeout: float | None = None) -> int:
        """The server's time, in epoch seconds (``reqCurrentTime``).

        Args:
            timeout: seconds to wait; the client's default when omitted.

        Raises:
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.current_time(now, limit), limit)

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
            The order state with the margin and commission figures.

        Raises:
            ApiError: TWS rejected the order.
            RequestTimeoutError: no answer in time.
        """
        limit = self._timeout(timeout)
        return self._call(lambda now: self._session.what_if(contract, order, now, limit), limit)

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
            ),
            limit,
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
        return self._call(lambda now: self._session.matching_symbols(pattern, now, limit), limit)

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
        return self._call(lambda now: self._session.market_rule(market_rule_id, now, limit), limit)

    # ------------------------------------------------------------------ subscriptions

    def _subscribe(self, request: Message, ends: frozenset[type] = frozenset()) -> Subscription[T]:
        subscription: Subscription[T] = Subscription(self, self.subscription_buffer)
        with self._lock:
            subscription.key = self._session.subscribe(
                request, subscription, self._clock(), ends=ends
            )
        self._after_user_call()
        return subscription

    def _unsubscribe(self, key: Hashable) -> None:
        with self._lock:
            self._session.unsubscribe(key, self._clock())
        self._after_user_call()

    def _subscription_warnings(self, key: Hashable) -> list[ErrMsg]:
        with self._lock:
            return list(self._session.subscription_warnings(key))

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

    def pnl(self, account: str, model_code: str = "") -> Subscription[Pnl]:
        """Stream an account's daily profit and loss (``reqPnL``).

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

        TWS allows one such stream at a time.

        Args:
            account: the account; ``""`` for the only one.

        Returns:
            The subscription.
        """
        return self._subscribe(ReqAcctData(subscribe=True, acct_code=account))
