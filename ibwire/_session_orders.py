"""The session's orders: tracking, fills once, cancel by criteria, brackets, reconciliation."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from ._session_base import SessionBase
from ._session_routes import (
    _stream_key,
)
from ._session_types import (
    _TERMINAL_STATUSES,
    NOT_SENT_CODE,
    UNKNOWN_ORDER_CODE,
    Phase,
    TrackedOrder,
    _describe,
    _Out,
    _Reconcile,
    _remember,
    logger,
)
from .errors import (
    ConnectionClosedError,
)
from .messages import (
    CancelOrder,
    CommissionAndFeesReport,
    CompletedOrder,
    CompletedOrdersEnd,
    Contract,
    ErrMsg,
    ExecutionData,
    ExecutionDataEnd,
    ExecutionFilter,
    Message,
    OpenOrder,
    OpenOrderEnd,
    Order,
    OrderCancel,
    OrderStatus,
    PlaceOrder,
    ReqCompletedOrders,
    ReqExecutions,
    ReqGlobalCancel,
    ReqOpenOrders,
)
from .orders import Bracket, bracket

#: The client id of an order status that carries none (protobuf, field absent).
_NO_CLIENT_ID = 2**31 - 1


class OrdersPart(SessionBase):
    """Orders of the session."""

    @property
    def open_orders(self) -> list[TrackedOrder]:
        """This client's orders not known to be filled or cancelled."""
        return list(self._orders.values())

    def submit_new_order(self, build: Callable[[int], Message], now: float) -> int:
        """Allocate an order id and submit the order built with it, in one step.

        Allocation and submission happen together (the threaded client holds its
        lock around this call), so order ids reach TWS in increasing order
        whatever the threads do: TWS refuses an id lower than one it has seen
        (error 103).

        Args:
            build: makes the request from the new order id.
            now: the current time.

        Returns:
            The order id.

        Raises:
            ReadOnlyError: the gate refuses the order.
            ConnectionClosedError: not connected.
        """
        order_id = self._first_free_order_id()
        self._submit_under_new_ids([build(order_id)], order_id, now)
        return order_id

    def submit_new_bracket(self, contract: Contract, made: Bracket, now: float) -> Bracket:
        """Allocate three consecutive order ids and submit the bracket under them, in one step.

        The parent gets the first id, the take-profit and the stop-loss the next
        two, with ``parent_id`` linking them to the parent (the ids ``made``
        carries are not used).  As with :meth:`submit_new_order`, no other order
        id can reach TWS between the three.

        Returns:
            The bracket as sent.

        Raises:
            ReadOnlyError: the gate refuses the orders.
            ConnectionClosedError: not connected.
        """
        parent_id = self._first_free_order_id()
        numbered = made.with_order_ids(parent_id)
        numbered = Bracket(*(replace(order, client_id=self.client_id) for order in numbered))
        messages = [
            PlaceOrder(order_id=order.order_id, contract=contract, order=order)
            for order in numbered
        ]
        self._submit_under_new_ids(messages, parent_id, now)
        return numbered

    def _first_free_order_id(self) -> int:
        """The next order id, not yet taken."""
        if not self.order_ids.is_seeded:
            raise ConnectionClosedError("no order id yet: connect first")
        return self.order_ids.peek()

    def _submit_under_new_ids(self, messages: Sequence[Message], first: int, now: float) -> None:
        """Take the order ids ``first``, ``first + 1``... and submit ``messages`` under them.

        Nothing is taken or queued unless the gate allows every message.
        """
        for message in messages:
            self.check_allowed(message)
        self._require_ready()
        for expected in range(first, first + len(messages)):
            if self.order_ids.next() != expected:  # pragma: no cover (under the session's lock)
                raise RuntimeError("order id allocated outside the session lock")
        for message in messages:
            self._submit(message, now, track=True)

    def cancel_orders(
        self,
        now: float,
        *,
        symbol: str | None = None,
        order_ref: str | None = None,
        account: str | None = None,
        sec_type: str | None = None,
        action: str | None = None,
    ) -> list[int]:
        """Cancel this client's open orders that match every given criterion.

        Args:
            now: the current time.
            symbol: the contract's symbol.
            order_ref: the order's reference.
            account: the order's account.
            sec_type: the contract's security type.
            action: ``BUY`` or ``SELL``.

        Returns:
            The ids of the orders a cancel was sent for.

        Raises:
            ValueError: no criterion given (use ``global_cancel`` to cancel all).
            ReadOnlyError: the session is read-only.
        """
        criteria = {
            "symbol": symbol,
            "order_ref": order_ref,
            "account": account,
            "sec_type": sec_type,
            "action": action,
        }
        if all(value is None for value in criteria.values()):
            raise ValueError("cancel_orders needs at least one criterion; see global_cancel()")
        self._check_allowed(CancelOrder(order_id=0))
        self._require_ready()
        chosen = [
            tracked.order_id
            for tracked in self._orders.values()
            if order_matches(tracked.contract, tracked.order, criteria)
        ]
        for order_id in chosen:
            self._submit(CancelOrder(order_id=order_id), now, track=True)
        return chosen

    def global_cancel(self, now: float) -> None:
        """Cancel every open order of the account, placed from anywhere.

        Args:
            now: the current time.
        """
        self.submit(ReqGlobalCancel(order_cancel=OrderCancel()), now)

    def bracket_order(
        self,
        action: str,
        quantity: Decimal | int | str,
        limit_price: float,
        take_profit_price: float,
        stop_loss_price: float,
        **fields: object,
    ) -> Bracket:
        """Build a bracket with :func:`ibwire.orders.bracket`, to place with ``place_bracket``.

        No order id is allocated here: the orders are numbered when placed, in
        one step with sending them.  The children are on the other side of
        ``action``; only the last (the stop-loss) has ``transmit=True``.

        Args:
            action: ``BUY`` or ``SELL`` for the entry.
            quantity: the quantity of each order.
            limit_price: the entry's limit price.
            take_profit_price: the take-profit's limit price.
            stop_loss_price: the stop-loss's stop price.
            **fields: more :class:`~ibwire.messages.Order` fields for all three
                (``tif``, ``account``, ``order_ref``, ...).

        Returns:
            The three orders.

        Raises:
            ValueError: ``action`` is neither ``BUY`` nor ``SELL``, or the
                prices are on the wrong side of the entry.
            ReadOnlyError: the session is read-only.
        """
        self.check_allowed(PlaceOrder(order_id=0, contract=Contract(), order=Order()))
        extra: dict[str, Any] = dict(fields)
        return bracket(action, quantity, limit_price, take_profit_price, stop_loss_price, **extra)

    def _reconcile_orders(self, now: float) -> None:
        """Re-read open orders, completed orders and today's fills after a reconnect.

        Every order written before the drop is then matched against the three
        answers: open ones stay tracked, done ones are dropped, and one TWS does
        not know at all is reported with an ``ErrMsg`` (code 135) and no longer
        tracked.  Servers before 150 have no ``reqCompletedOrders``: there, an
        order that ended unfilled during the drop is reported that way too.
        """
        req_id = self.new_request_id()
        self._internal_req_ids.add(req_id)
        waiting = {"open", "executions"}
        if self._orders and self._carries(ReqCompletedOrders):
            waiting.add("completed")
        self._reconcile = _Reconcile(frozenset(self._orders), req_id, waiting)
        self._submit(ReqOpenOrders(), now, track=False)
        if "completed" in waiting:
            self._submit(ReqCompletedOrders(api_only=True), now, track=False)
        self._submit(ReqExecutions(req_id=req_id, exec_filter=ExecutionFilter()), now, track=False)

    def _reconciled(self, part: str, now: float) -> None:
        state = self._reconcile
        if state is None:
            return
        state.waiting.discard(part)
        if state.waiting:
            return
        self._reconcile = None
        for order_id in sorted(state.order_ids):
            if order_id in state.open or order_id not in self._orders:
                continue
            tracked = self._finish_order(order_id)
            assert tracked is not None
            if order_id in state.executed:
                # Executed while we were away; its fills were delivered.
                self._order_executed(order_id, now)
                continue
            text = (
                f"order {order_id} ({_describe(tracked.contract)}) was written before the "
                "connection dropped, but TWS does not know it after the reconnect (not open, "
                "not completed, no executions): it is no longer tracked"
            )
            logger.error("%s", text)
            self._order_ended(
                ErrMsg(req_id=order_id, error_code=UNKNOWN_ORDER_CODE, error_string=text), now
            )

    def _order_executed(self, order_id: int, now: float) -> None:
        """An order of this client executed while away, and is no longer open (live part)."""

    def _order_ended(self, message: ErrMsg, now: float) -> None:
        """Report an order of this client that the session knows to be over.

        ``message`` names the order by its id (``req_id``) and says why; it goes
        to the wrapper (the live part also ends the order's trade).
        """
        self._out.append(message)

    def _on_open_order_end(self, message: OpenOrderEnd, now: float) -> bool:
        self._reconciled("open", now)
        return True

    def _on_completed_order(self, message: CompletedOrder, now: float) -> bool:
        perm_id = message.order.perm_id
        if perm_id:
            for order_id, tracked in list(self._orders.items()):
                if tracked.order.perm_id == perm_id:
                    self._finish_order(order_id)
        return True

    def _on_completed_orders_end(self, message: CompletedOrdersEnd, now: float) -> bool:
        self._reconciled("completed", now)
        return True

    def _on_open_order(self, message: OpenOrder, now: float) -> bool:
        order = message.order
        if order.what_if or message.order_id <= 0 or order.client_id != self.client_id:
            # Another client's order id is not one of ours, nor is TWS's (0).
            return True
        if self._reconcile is not None:
            self._reconcile.open.add(message.order_id)
        status = message.order_state.status
        if status in _TERMINAL_STATUSES:
            self._finish_order(message.order_id)
            return True
        tracked = self._orders.get(message.order_id)
        if tracked is None and message.order_id in self._finished_orders:
            return True  # a working status that crossed the one that ended the order
        if tracked is None:
            self._orders[message.order_id] = TrackedOrder(
                message.order_id, message.contract, order, status
            )
        else:
            tracked.contract, tracked.order, tracked.status = message.contract, order, status
        return True

    def _on_order_status(self, message: OrderStatus, now: float) -> bool:
        if message.client_id != self.client_id and message.client_id != _NO_CLIENT_ID:
            # Another client's order (a status without its client id may be ours).
            return True
        if message.status in _TERMINAL_STATUSES:
            self._finish_order(message.order_id)
        else:
            tracked = self._orders.get(message.order_id)
            if tracked is not None:
                tracked.status = message.status
        return True

    def _on_execution(self, message: ExecutionData, now: float) -> bool:
        exec_id = message.execution.exec_id
        seen = self._seen_executions
        req_id = message.req_id
        state = self._reconcile
        if (
            state is not None
            and req_id == state.executions_req_id
            and message.execution.client_id == self.client_id
        ):
            state.executed.add(message.execution.order_id)
        if req_id != -1 and req_id not in self._internal_req_ids:
            # The user asked for these: deliver them all.
            _remember(seen, exec_id)
            return True
        if exec_id in seen:
            return False
        _remember(seen, exec_id)
        return True

    def _on_execution_end(self, message: ExecutionDataEnd, now: float) -> bool:
        if message.req_id in self._internal_req_ids:
            self._internal_req_ids.discard(message.req_id)
            state = self._reconcile
            if state is not None and message.req_id == state.executions_req_id:
                self._reconciled("executions", now)
            return False
        return True

    def _on_commission(self, message: CommissionAndFeesReport, now: float) -> bool:
        seen = self._seen_commissions
        if message.exec_id in seen:
            return False
        _remember(seen, message.exec_id)
        return True

    def _report_unacknowledged(self, reason: str) -> None:
        """Tell about each order written but never acknowledged, when no reconnect follows.

        Its fate is unknown until a connection re-reads the orders: it gets an
        ``ErrMsg`` (:data:`NOT_SENT_CODE`) saying so, and stays tracked, so that
        the next ``connect()`` reconciles it.
        """
        for order_id, tracked in self._orders.items():
            if tracked.status:
                continue
            text = (
                f"order {order_id} ({_describe(tracked.contract)}) was written, but the "
                f"connection ended ({reason}) before TWS acknowledged it: its state is unknown "
                "until the next connection re-reads the orders"
            )
            logger.warning("%s", text)
            self._out.append(ErrMsg(req_id=order_id, error_code=NOT_SENT_CODE, error_string=text))

    def _drop_pacer_queue(self, reason: str, now: float) -> None:
        """Tell whoever asked about each request the pacer still held at a drop.

        Nothing is re-sent later as an order: an order never written is reported
        with an ``ErrMsg`` (:data:`NOT_SENT_CODE`) naming it as not sent and is no
        longer tracked; a helper raises (its own exception says it was not
        sent) unless it is resendable and a reconnect follows; a subscription
        stays registered for the resubscribe after a reconnect; any other
        request of the user is reported like an order.
        """
        unsent, self._unsent = self._unsent, {}
        for message in self.pacer.on_disconnect():
            entry = unsent.get(id(message))
            if entry is None or entry.message is not message:
                continue  # the session's own traffic (heartbeat, cancels, re-reads)
            pending = entry.pending
            if pending is not None:
                if pending.resendable and self.reconnect is not None:
                    continue  # kept: sent again after the reconnect
                self._unregister(pending)
                error = ConnectionClosedError(
                    f"{pending.description}: not sent, the connection ended first ({reason})"
                )
                pending._fail(error)
                continue
            if not entry.user:
                continue
            name = type(message).__name__
            ident: int | None
            if message.MSG_ID == _Out.PLACE_ORDER:
                ident = message.order_id  # type: ignore[attr-defined]
                tracked = self._orders.get(ident)
                if tracked is None or not tracked.status:
                    # A new order (not a change of one TWS holds) is not tracked further.
                    self._orders.pop(ident, None)
                logger.warning("order %s was never sent: the connection ended first", ident)
                self._order_ended(
                    ErrMsg(
                        req_id=ident,
                        error_code=NOT_SENT_CODE,
                        error_string=(
                            f"order {ident} was not sent: the connection ended while the pacer "
                            f"held it ({reason}); it will not be re-sent"
                        ),
                    ),
                    now,
                )
                continue
            key = _stream_key(message)
            live = self._live.get(key)
            if live is not None and live.request is message and live.resubscribe:
                if self.reconnect is not None:
                    continue  # kept: re-sent after the reconnect
            found = getattr(message, "req_id", getattr(message, "ticker_id", None))
            if message.MSG_ID == _Out.CANCEL_ORDER:
                found = message.order_id  # type: ignore[attr-defined]
            ident = found if isinstance(found, int) else None
            what = name if ident is None else f"{name} {ident}"
            # As loud as an order never sent: a cancel that never left matters as
            # much.  A subscription the user's own disconnect left unsent ends
            # with its stream: nothing is lost that the user still wants.
            quiet = live is not None and live.request is message and self._phase is Phase.CLOSED
            logger.log(
                logging.INFO if quiet else logging.WARNING,
                "%s was never sent: the connection ended first (%s)",
                what,
                reason,
            )
            self._out.append(
                ErrMsg(
                    req_id=-1 if ident is None else ident,
                    error_code=NOT_SENT_CODE,
                    error_string=(
                        f"{what} was not sent: the connection ended while the pacer held it "
                        f"({reason}); it will not be re-sent"
                    ),
                )
            )


def order_matches(contract: Contract, order: Order, criteria: Mapping[str, str | None]) -> bool:
    """Whether an order matches every given criterion of ``cancel_orders`` (``None``: any)."""
    found = {
        "symbol": contract.symbol,
        "sec_type": contract.sec_type,
        "order_ref": order.order_ref,
        "account": order.account,
        "action": order.action,
    }
    return all(value is None or found[name] == value for name, value in criteria.items())
