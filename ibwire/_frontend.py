"""What both clients share above the session: ids, raw sends and the order-safety calls.

:class:`ibwire.sync.Client` and :class:`ibwire.asyncio.Client` differ only in how
they reach the session (under a lock and waking a reader thread, or on the event
loop); each supplies :meth:`FrontEnd._session_call`, and the calls below are
written once.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from ._requests import RequestMethods
from ._session import Bracket, ReconnectPolicy, Session
from ._session_buffer import DEFAULT_SUBSCRIPTION_BUFFER
from .dispatch import CallbackErrorHook, Dispatcher
from .errorcodes import CodeTable
from .live import Trade
from .messages import Contract, Message
from .pacing import Pacer, PacingConfig
from .versions import MAX_CLIENT_VERSION, MIN_CLIENT_VERSION
from .wrapper import Wrapper

__all__ = ["FrontEnd"]

T = TypeVar("T")


class FrontEnd(RequestMethods):
    """The request-side methods shared by the threaded and the asyncio client."""

    _session: Session

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
        clock: Callable[[], float] | None = None,
        min_version: int = MIN_CLIENT_VERSION,
        max_version: int = MAX_CLIENT_VERSION,
        connect_options: str = "",
        subscription_buffer: int = DEFAULT_SUBSCRIPTION_BUFFER,
        account_updates: bool = True,
        account: str = "",
    ) -> None:
        """Make a client (not connected yet).

        Args:
            wrapper: receives messages and events; a do-nothing :class:`Wrapper`
                when omitted (use the helpers and subscriptions instead).
            host: TWS / IB Gateway host.
            port: 4002 paper Gateway, 4001 live Gateway, 7497 paper TWS, 7496 live TWS.
            client_id: this connection's client id (unique per TWS).
            timeout: the default timeout of the helpers, in seconds, counted from
                the call (the time the pacer holds the request counts; a request
                still held then is withdrawn), except for ``history`` and
                ``snapshots``, which count it for each of their requests from
                its release.  The threaded client's helpers return at most two
                seconds after it even while a callback holds the reader thread.
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
            clock: the monotonic clock, in seconds; ``None`` for the front end's own
                (``time.monotonic``, the event loop's time).
            min_version: the lowest server version accepted.
            max_version: the highest server version advertised (226 by default;
                ``max_version=200`` stays on the text protocol).
            connect_options: options of the hello (``"+PACEAPI"``).
            subscription_buffer: the most messages a subscription holds for a reader
                that falls behind; beyond it the oldest are dropped, counted in
                ``Subscription.dropped`` and logged.
            account_updates: follow the account from connect (positions, account
                updates of every managed account, their P&L), so that
                ``portfolio()``, ``positions()``, ``account_values()`` and
                ``pnl()`` read local state; ``False`` sends none of it, and those
                reads raise :class:`~ibwire.errors.AccountUpdatesOffError`.
            account: with several managed accounts, the one whose portfolio
                ``portfolio()`` follows (TWS sends portfolio items for one account
                at a time); empty (default) follows none of them, and
                ``portfolio()`` raises
                :class:`~ibwire.errors.PortfolioUnavailableError`.  With a single
                account, that account is followed whatever this says.

        Raises:
            ValueError: a version range outside 100..226, or a
                ``subscription_buffer`` under 1.
        """
        if subscription_buffer < 1:
            raise ValueError(
                f"subscription_buffer={subscription_buffer!r}: a subscription holds at least "
                "one message for its reader"
            )
        self.wrapper: Wrapper = wrapper if wrapper is not None else Wrapper()
        self.host = host
        self.port = port
        self.client_id = client_id
        #: The default timeout of the helpers, in seconds.
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
            account_updates=account_updates,
            account=account,
            follow_orders=True,
        )
        self._dispatcher = Dispatcher(self.wrapper, on_callback_error)
        self._init_transport(clock)

    def _init_transport(self, clock: Callable[[], float] | None) -> None:
        """Set up the client's own state (sockets, locks, timers, its clock)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ requests

    def _session_call(self, call: Callable[[float], T]) -> T:
        """Run ``call(now)`` on the session, then write what it queued.

        Each front end supplies its own: the threaded one holds its lock around
        the call and wakes its reader; the asyncio one writes at once.
        """
        raise NotImplementedError

    def _locked(self, call: Callable[[], T]) -> T:
        """Run ``call()`` with the session to itself (the threaded client's lock).

        For calls that queue nothing to write, such as allocating an id.
        """
        return call()

    def _now(self) -> float:
        """The client's clock (the one its session and pacer run on)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ pacing

    def release_time(self, message: Message, now: float | None = None) -> float | None:
        """When the pacer would release ``message`` if it were submitted at ``now``.

        Asks the client's own pacer (with the session to itself) and books
        nothing: for planning sends, e.g. sleeping until then rather than
        waiting in the queue.

        Args:
            message: the request.
            now: the time on the client's clock; the clock's time now by default.

        Returns:
            A time on the client's clock (``now`` when it would go at once), or
            ``None`` while it waits for one of the client's open requests to end.
        """
        at = self._now() if now is None else now
        return self._locked(lambda: self._session.pacer.release_time(message, at))

    def pacer_snapshot(self) -> Pacer[Message]:
        """An independent copy of the client's pacer as it stands, for planning ahead.

        Submitting to the copy changes nothing in the client.
        """
        return self._locked(lambda: copy.deepcopy(self._session.pacer))

    def _send_request(self, message: Message) -> None:
        self._session_call(lambda now: self._session.submit(message, now))

    def _new_request_id(self) -> int:
        return self._locked(self._session.new_request_id)

    def _new_order_id(self) -> int:
        return self._locked(self._session.new_order_id)

    def _send_new_order(self, build: Callable[[int], Message]) -> int:
        return self._session_call(lambda now: self._session.submit_new_order(build, now))

    def send(self, message: Message) -> None:
        """Send any request message as built by the caller (through the pacer).

        Args:
            message: the request.

        Raises:
            ReadOnlyError: an order-changing request on a read-only client.
            ConnectionClosedError: not connected.
            LocalProtocolError: the message cannot be encoded.
            PacingError: a subscription budget is exhausted.
        """
        self._send_request(message)

    def next_order_id(self) -> int:
        """Allocate an order id (never reused, re-synced on reconnect).

        Prefer leaving ``order_id`` out of :meth:`place_order`: it then allocates
        and sends in one step, so ids reach TWS in increasing order from any
        number of threads.

        Raises:
            ConnectionClosedError: no ``nextValidId`` yet.
        """
        return self._new_order_id()

    def next_request_id(self) -> int:
        """Allocate a request id (from a range apart from order ids)."""
        return self._new_request_id()

    # ------------------------------------------------------------------ orders

    def cancel_orders(
        self,
        *,
        symbol: str | None = None,
        order_ref: str | None = None,
        account: str | None = None,
        sec_type: str | None = None,
        action: str | None = None,
        scope: str = "client",
    ) -> list[int]:
        """Cancel this client's open orders matching every given criterion.

        Only orders of this client id are touched: those it placed and those
        found at connect; right after connect, the orders TWS lists next are
        matched too (not orders placed after this call).  An order id means an
        order only within the client id that placed it, so no client cancels
        another's orders by criteria: with ``scope="all"`` (client id 0 only)
        a matching order of another client or of TWS raises
        :class:`~ibwire.errors.ForeignOrderError` and nothing is sent; see
        :meth:`global_cancel`.

        Args:
            symbol: the contract's symbol.
            order_ref: the order's reference.
            account: the order's account.
            sec_type: the contract's security type.
            action: ``BUY`` or ``SELL``.
            scope: ``"client"`` (this client id's orders, others skipped) or
                ``"all"`` (raise when another client's order matches; client
                id 0 only).

        Returns:
            The ids of the orders a cancel was sent for.

        Raises:
            ValueError: no criterion given (see :meth:`global_cancel`), or
                ``scope="all"`` on a client id other than 0.
            ForeignOrderError: ``scope="all"`` and an order of another client
                (or one placed in TWS) matches.
            ReadOnlyError: the client is read-only.
        """
        return self._session_call(
            lambda now: self._session.cancel_orders(
                now,
                symbol=symbol,
                order_ref=order_ref,
                account=account,
                sec_type=sec_type,
                action=action,
                scope=scope,
            )
        )

    def global_cancel(self) -> None:
        """Cancel every open order of the account, whoever placed it (``reqGlobalCancel``).

        Raises:
            ReadOnlyError: the client is read-only.
        """
        self._session_call(self._session.global_cancel)

    def bracket_order(
        self,
        action: str,
        quantity: Decimal | int | str,
        limit_price: float,
        take_profit_price: float,
        stop_loss_price: float,
        **fields: object,
    ) -> Bracket:
        """Build a bracket (entry, take-profit, stop-loss) to place with :meth:`place_bracket`.

        Only the stop-loss has ``transmit=True``, so nothing executes before the
        whole bracket is placed.  No order id is allocated here:
        :meth:`place_bracket` numbers the three when it sends them.

        Args:
            action: ``BUY`` or ``SELL`` for the entry.
            quantity: the quantity of each order.
            limit_price: the entry's limit price.
            take_profit_price: the take-profit's limit price.
            stop_loss_price: the stop-loss's stop price.
            **fields: more :class:`~ibwire.messages.Order` fields for all three.

        Returns:
            The three orders (an :class:`ibwire.orders.Bracket`, built by
            :func:`ibwire.orders.bracket`).

        Raises:
            ValueError: a bad action or quantity, or prices on the wrong side of
                the entry.
            ReadOnlyError: the client is read-only.
        """
        return self._session_call(
            lambda now: self._session.bracket_order(
                action, quantity, limit_price, take_profit_price, stop_loss_price, **fields
            )
        )

    def place_bracket(self, contract: Contract, bracket: Bracket) -> tuple[Trade, Trade, Trade]:
        """Place a bracket's three orders, parent first, and follow them as trades.

        Three consecutive order ids are allocated and the three orders sent in
        one step, so no other order id reaches TWS between them (TWS refuses a
        bracket whose ids are not above every id it has seen, error 103).  The
        children's ``parent_id`` is the new parent id; the ids the bracket
        carries are not used.

        Args:
            contract: the contract of all three.
            bracket: from :meth:`bracket_order` or :func:`ibwire.orders.bracket`.

        Returns:
            The three trades (parent, take-profit, stop-loss), in
            :meth:`~ibwire.sync.Client.trades` from now on.

        Raises:
            ValueError: an order has ``what_if=True`` (preview with ``what_if``).
            ReadOnlyError: the client is read-only (nothing is sent).
            ConnectionClosedError: not connected.
        """
        return self._session_call(lambda now: self._session.place_bracket(contract, bracket, now))
