"""Orders followed through their life: :class:`Trade`, and :class:`Blotter` which routes to them.

A :class:`Trade` is one order with what TWS has said about it: its status and
fill counts (:class:`~ibwire.messages.OrderStatus`), TWS's copy of the order
(:class:`~ibwire.messages.OpenOrder`), its executions
(:class:`~ibwire.messages.ExecutionData`) each with its commission
(:class:`~ibwire.messages.CommissionAndFeesReport`), and the errors about it
(:class:`~ibwire.messages.ErrMsg`), all recorded in a log.

A :class:`Blotter` holds every trade of a connection and routes each order
message to its trade: by ``(client_id, order_id)`` for API orders, by ``perm_id``
for orders placed in TWS (order id 0).  It keeps a commission that arrives
before its execution until the execution comes, and a status or execution that
arrives before the open order introducing its order until that order comes, ignores an execution it has
seen (same ``exec_id``: ``reqExecutions`` after a reconnect repeats them),
replaces an execution by its correction (same ``exec_id`` up to the last
``.``, a later suffix; the correction's commission report replaces the old
one), and creates a trade for an open order it does not know (orders found at
connect, or placed by other clients), so trades survive a reconnect without
duplicates.  A :class:`~ibwire.messages.CompletedOrder` (the answer of
``reqCompletedOrders``, which a reconnect asks for) ends the trade of its
``perm_id`` with the status it gives; one that arrives while a trade has no
``perm_id`` yet (an order not acknowledged before a reconnect) waits for an
execution to give a trade its ``perm_id``.
An order id that comes back with another ``perm_id`` (API order ids reset in TWS)
is a new trade; the earlier one stays, known by its ``perm_id``.

Status rules (IB's order statuses):

* ``is_done()``: ``Filled``, ``Cancelled``, ``ApiCancelled`` or ``Inactive``
  (IB: "no longer active": rejected, cancelled or expired); an ``Inactive``
  order that TWS later reports active again is no longer done.
* ``Filled``, ``Cancelled`` and ``ApiCancelled`` are final: a status, open
  order or completed order arriving after them with a working status (or
  ``Inactive``) is older news (IB documents no way back from them; TWS may
  repeat or delay statuses, e.g. the answer to a change or cancel that a fill
  overtook) and changes neither the status nor the fill counts, nor the log.
  An open order still updates ``order`` and ``order_state``.  Another final
  status is applied (``Cancelled`` then ``Filled``: a fill that won the race
  against the cancel).  A trade done in one of them stays done.
* After a reconnect, a trade no longer open at TWS whose executions add up to
  its quantity is ``Filled`` (:meth:`Trade.executed_in_full`).
* An error about a trade is logged.  Error 202 (order cancelled) makes it
  ``Cancelled``.  Any other code that ends a request (see
  :mod:`ibwire.errorcodes`) makes a trade TWS has not yet acknowledged
  (no status or open order since it was placed) ``Cancelled``: TWS rejected it;
  not an error about a cancel (``keeps_order``: 135, 161, 10147, 10148), which
  leaves the order to the status TWS reports (it may be working, or filled),
  and puts back the status it had before ``PendingCancel``.
  An acknowledged order stays as it is (a refused modification or cancel does
  not end it; TWS sends a status when the order itself ends).  An error that
  refuses a modification (105, 110, 201, 321..., or the warning 2102: the order is
  still being processed) puts ``order`` back to the terms TWS holds; the log
  entry carries the error code.
* A modification is logged twice: ``Modify`` when it is sent, ``Modified``
  when the first open order carrying the changed values comes, with the status
  it gives, whether TWS had acknowledged the order when the change was sent or
  not (an open order with the old values, such as the answer to the placement
  of an order changed at once, is not the confirmation).

Nothing here does I/O or reads a clock: ``now`` is passed in.

Threading:
    A blotter and its trades are written by one thread only.  ``fills`` and
    ``log`` are tuples replaced whole; :meth:`Trade.snapshot` gives every field
    from the same moment, from any thread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import fields, replace
from decimal import Decimal
from typing import Final, Protocol, TypeAlias

from .._record import dataclass
from ..errorcodes import DEFAULT_TABLE, ORDER_BUSY, ORDER_CANCELLED, CodeTable
from ..messages.common import Contract
from ..messages.executions import (
    CommissionAndFeesReport,
    Execution,
    ExecutionData,
    OrderStatus,
)
from ..messages.order import Order, OrderState
from ..messages.orders import CompletedOrder, OpenOrder
from ..messages.system import ErrMsg
from ..orders import _IDENTITY_FIELDS

__all__ = [
    "ACTIVE_STATES",
    "DONE_STATES",
    "Blotter",
    "Fill",
    "LogEntry",
    "Trade",
    "TradeOwner",
    "TradeSnapshot",
    "execution_key",
]

#: Statuses after which an order does nothing more.
DONE_STATES: Final = frozenset({"Filled", "Cancelled", "ApiCancelled", "Inactive"})
#: Statuses of a working order.
ACTIVE_STATES: Final = frozenset(
    {"PendingSubmit", "ApiPending", "PreSubmitted", "Submitted", "PendingCancel", "ApiUpdate"}
)
#: The done statuses no later status takes back (``Inactive`` may resume).
_FINAL_STATES: Final = DONE_STATES - {"Inactive"}


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution of an order, with its commission once TWS reports it.

    Attributes:
        contract: the contract executed (for a combo, the leg).
        execution: the execution.
        commission_report: its commission and fees; ``None`` until reported.
        time: the ``now`` at which the execution arrived.
    """

    contract: Contract
    execution: Execution
    commission_report: CommissionAndFeesReport | None
    time: float


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One event in a trade's life.

    Attributes:
        time: the ``now`` at which it happened.
        status: the trade's status after it.
        message: what happened (the TWS text for errors).
        error_code: the TWS error code, 0 for none.
    """

    time: float
    status: str
    message: str = ""
    error_code: int = 0


@dataclass(frozen=True, slots=True)
class TradeSnapshot:
    """A :class:`Trade`'s fields from the same moment (see :meth:`Trade.snapshot`)."""

    contract: Contract
    order: Order
    order_id: int
    client_id: int
    perm_id: int
    status: str
    filled: Decimal
    remaining: Decimal
    avg_fill_price: float
    last_fill_price: float
    why_held: str
    order_state: OrderState | None
    fills: tuple[Fill, ...]
    log: tuple[LogEntry, ...]

    def is_done(self) -> bool:
        """Whether the order is over (see :data:`DONE_STATES`)."""
        return self.status in DONE_STATES


class Trade:
    """One order and everything TWS said about it; updated in place by :meth:`apply`.

    Args:
        contract: the contract.
        order: the order as placed (its ``order_id`` set).
        now: when it was placed (the first log entry).
        status: the initial status; ``PendingSubmit`` for an order being placed.
        codes: how error codes are classified.

    Attributes:
        contract: the contract (TWS's, once it sends the open order).
        order: the order (TWS's copy, once it sends the open order).
        order_id: the order id; 0 for orders placed in TWS.
        client_id: the placing client's id.
        perm_id: TWS's permanent id; 0 until TWS assigns it.
        status: the last status (``PendingSubmit``, ``Submitted``, ``Filled``, ...).
        filled: the quantity filled so far.
        remaining: the quantity still to fill.
        avg_fill_price: the average fill price.
        last_fill_price: the price of the last fill.
        why_held: why TWS holds the order, if it does.
        order_state: the last :class:`~ibwire.messages.OrderState` TWS sent.
        fills: the executions, in arrival order, one per execution (a
            correction, see :func:`~ibwire.live.trade.execution_key`, replaces the one it corrects).
        log: the trade's history.
    """

    __slots__ = (
        "contract",
        "order",
        "order_id",
        "client_id",
        "perm_id",
        "status",
        "filled",
        "remaining",
        "avg_fill_price",
        "last_fill_price",
        "why_held",
        "order_state",
        "fills",
        "log",
        "_codes",
        "_acknowledged",
        "_standing",
        "_changes",
        "_uncancelled",
        "_seq",
        "_owner",
        "_blotter",
        "_unnamed",
    )

    def __init__(
        self,
        contract: Contract,
        order: Order,
        now: float,
        status: str = "PendingSubmit",
        codes: CodeTable = DEFAULT_TABLE,
    ) -> None:
        self.contract: Contract = contract
        self.order: Order = order
        self.order_id: int = order.order_id
        self.client_id: int = order.client_id
        self.perm_id: int = order.perm_id
        self.status: str = status
        self.filled: Decimal = Decimal(0)
        self.remaining: Decimal = (
            order.total_quantity if order.total_quantity is not None else Decimal(0)
        )
        self.avg_fill_price: float = 0.0
        self.last_fill_price: float = 0.0
        self.why_held: str = ""
        self.order_state: OrderState | None = None
        self.fills: tuple[Fill, ...] = ()
        self.log: tuple[LogEntry, ...] = (LogEntry(now, status),)
        self._codes = codes
        self._acknowledged = False
        # The order TWS holds while a change of it is unanswered (None: no change).
        self._standing: Order | None = None
        # The fields changed and not yet confirmed, with their new values (None: no change).
        self._changes: dict[str, object] | None = None
        # The status before a cancel was asked for, until TWS reports one.
        self._uncancelled = ""
        self._seq = 0
        self._owner: TradeOwner | None = None
        # The blotter counting this trade while it is not done and has no perm id.
        self._blotter: Blotter | None = None
        self._unnamed = False

    def __repr__(self) -> str:
        return (
            f"Trade(order_id={self.order_id}, {self.order.action} {self.order.total_quantity} "
            f"{self.contract.symbol} {self.order.order_type}, status={self.status!r}, "
            f"filled={self.filled}, remaining={self.remaining})"
        )

    # ------------------------------------------------------------------ reading

    def is_done(self) -> bool:
        """Whether the order is over (see :data:`DONE_STATES`)."""
        return self.status in DONE_STATES

    def is_active(self) -> bool:
        """Whether the order is working (see :data:`ACTIVE_STATES`)."""
        return self.status in ACTIVE_STATES

    def commission(self) -> float:
        """The commissions and fees reported so far, summed over the fills."""
        return sum(
            fill.commission_report.commission_and_fees
            for fill in self.fills
            if fill.commission_report is not None
        )

    def snapshot(self) -> TradeSnapshot:
        """Every field from the same moment; safe from any thread."""
        while True:
            seq = self._seq
            if not seq & 1:
                shot = TradeSnapshot(
                    self.contract, self.order, self.order_id, self.client_id, self.perm_id,
                    self.status, self.filled, self.remaining, self.avg_fill_price,
                    self.last_fill_price, self.why_held, self.order_state, self.fills,
                    self.log,
                )
                if self._seq == seq:
                    return shot

    # ------------------------------------------------------------------ through the client

    def _client(self) -> TradeOwner:
        owner = self._owner
        if owner is None:
            raise RuntimeError("this trade was not placed through a client")
        return owner

    def wait(self, timeout: float | None = None) -> Trade:
        """Block until the order is done (threaded client); returns the trade.

        Raises:
            RequestTimeoutError: not done within ``timeout`` seconds.
            ConnectionClosedError: the connection ended (for good) first.
            TypeError: the trade belongs to an asyncio client (``await trade.done()``).
        """
        self._client().wait_trade(self, timeout)
        return self

    def done(self) -> Awaitable[Trade]:
        """An awaitable that ends when the order is done (asyncio client).

        Raises:
            ConnectionClosedError: the connection ended (for good) first.
            TypeError: the trade belongs to a threaded client (``trade.wait()``).
        """
        return self._client().trade_done(self)

    def modify(self, **changes: object) -> Trade:
        """Change the order's fields and send it again under the same order id.

        The changes are checked as the order builders check their arguments
        (:func:`ibwire.orders.with_changes`).  ``order`` shows the change at
        once (logged ``Modify``); TWS answers later: it confirms with the first
        open order carrying the changes (logged ``Modified``), or refuses with
        an error (105, 110, 201, 321..., 2102), logged with its code
        (``trade.log[-1].error_code``), after which ``order`` is again the one
        TWS holds, still working.

        Raises:
            ForeignOrderError: the order is not this client's (another client's,
                or one placed in TWS): nothing is sent.
            TypeError: an unknown field, a field naming the order, or a value
                of the wrong type (a ``float`` quantity).
            ValueError: a bad quantity, price or action, or ``what_if=True``.
            ReadOnlyError: the client is read-only.
            ConnectionClosedError: not connected.
        """
        self._client().modify_trade(self, changes)
        return self

    def cancel(self) -> Trade:
        """Ask TWS to cancel the order (the status becomes ``PendingCancel``).

        Raises:
            ForeignOrderError: the order is not this client's (another client's,
                or one placed in TWS): nothing is sent.
            ReadOnlyError: the client is read-only.
        """
        self._client().cancel_trade(self)
        return self

    # ------------------------------------------------------------------ local events

    def modified(self, order: Order, now: float) -> None:
        """The order was changed and re-sent (``client.modify``): record it.

        The status stays as it is; an error about the change (TWS refusing it)
        is logged and does not end an order TWS has already acknowledged,
        whose ``order`` goes back to the terms TWS holds.  The first open order
        that carries the changed values confirms the change, whether TWS had
        acknowledged the order when it was sent or not.
        """
        changes = {
            name: getattr(order, name)
            for name in _ORDER_FIELDS
            if getattr(order, name) != getattr(self.order, name)
        }
        self._seq += 1
        if self._standing is None:
            self._standing = self.order
        self._changes = {**(self._changes or {}), **changes}
        self.order = order
        self.log = (*self.log, LogEntry(now, self.status, "Modify"))
        self._seq += 1

    def ended(self, message: ErrMsg, now: float, *, certain: bool) -> bool:
        """The client knows the order to be over without TWS saying so: record it.

        An order never sent, or one TWS does not know after a reconnect, becomes
        ``Cancelled`` with ``message`` in the log.  With ``certain`` false (a
        change that was never sent) an order TWS has acknowledged only logs it.

        Returns:
            Whether the trade changed.
        """
        status = self.status
        if not self.is_done() and (certain or not self._acknowledged):
            status = "Cancelled"
        self._seq += 1
        if not certain:
            self._restore_standing()
        self.status = status
        self.log = (*self.log, LogEntry(now, status, message.error_string, message.error_code))
        self._seq += 1
        self._recount()
        return True

    def _restore_standing(self) -> None:
        """The unanswered change will not happen: ``order`` is the one TWS holds again."""
        held = self._standing
        if held is not None:
            self.order = held
            self._standing = None
        self._changes = None

    def cancel_requested(self, now: float) -> None:
        """A cancel was sent: the status becomes ``PendingCancel`` until TWS answers.

        An error refusing the cancel (135, 161, 10147, 10148) before TWS reports
        a status puts back the status the order had.
        """
        if self.is_done():
            return
        self._seq += 1
        if self.status != "PendingCancel":
            self._uncancelled = self.status
        self.status = "PendingCancel"
        self.log = (*self.log, LogEntry(now, "PendingCancel", "Cancel requested"))
        self._seq += 1

    # ------------------------------------------------------------------ messages

    def apply(self, message: object, now: float) -> bool:
        """Apply one message about this order.

        Args:
            message: an :class:`~ibwire.messages.OrderStatus`,
                :class:`~ibwire.messages.OpenOrder`,
                :class:`~ibwire.messages.CompletedOrder`,
                :class:`~ibwire.messages.ExecutionData`,
                :class:`~ibwire.messages.CommissionAndFeesReport` (for one of
                this trade's fills) or :class:`~ibwire.messages.ErrMsg`.
            now: when it arrived.

        Returns:
            Whether the trade changed (a repeated execution or status does not).
        """
        if type(message) is OrderStatus:
            changed = self._order_status(message, now)
        elif type(message) is OpenOrder:
            changed = self._open_order(message, now)
        elif type(message) is ExecutionData:
            changed = self._execution(message, now)
        elif type(message) is CommissionAndFeesReport:
            return self._commission(message)
        elif type(message) is ErrMsg:
            changed = self._error(message, now)
        elif type(message) is CompletedOrder:
            changed = self._completed(message, now)
        else:
            return False
        if changed:
            self._recount()
        return changed

    def _recount(self) -> None:
        """Keep the blotter's count of trades not done without a perm id current."""
        unnamed = not self.perm_id and self.status not in DONE_STATES
        if unnamed != self._unnamed:
            self._unnamed = unnamed
            blotter = self._blotter
            if blotter is not None:
                blotter._unnamed += 1 if unnamed else -1

    def _reopens(self, status: str) -> bool:
        """Whether ``status`` would take the trade out of a final status: older news."""
        return self.status in _FINAL_STATES and status not in _FINAL_STATES

    def _order_status(self, m: OrderStatus, now: float) -> bool:
        if self._reopens(m.status):
            return False
        filled = m.filled if m.filled is not None else self.filled
        remaining = m.remaining if m.remaining is not None else self.remaining
        new = (m.status, filled, remaining, m.avg_fill_price, m.last_fill_price, m.why_held)
        old = (
            self.status, self.filled, self.remaining, self.avg_fill_price,
            self.last_fill_price, self.why_held,
        )
        if new == old and self._acknowledged and (not m.perm_id or m.perm_id == self.perm_id):
            return False
        self._seq += 1
        self._acknowledged = True
        self._uncancelled = ""
        if m.status != self.status:
            self.log = (*self.log, LogEntry(now, m.status))
        self.status = m.status
        self.filled = filled
        self.remaining = remaining
        self.avg_fill_price = m.avg_fill_price
        self.last_fill_price = m.last_fill_price
        self.why_held = m.why_held
        if m.perm_id:
            self.perm_id = m.perm_id
        self._seq += 1
        return True

    def _open_order(self, m: OpenOrder, now: float) -> bool:
        status = m.order_state.status
        if self._reopens(status):
            status = ""
        # The first open order carrying an unanswered change: TWS made it.  One
        # with the old values (the answer to the placement, when the change went
        # before TWS acknowledged the order) is TWS's copy, not yet the change.
        changes = self._changes
        confirmed = changes is not None and all(
            getattr(m.order, name) == value for name, value in changes.items()
        )
        if confirmed:
            self._changes = None
        self._seq += 1
        self._acknowledged = True
        self.order = m.order
        self._standing = None
        if m.contract.con_id or not self.contract.con_id:
            self.contract = m.contract
        self.order_state = m.order_state
        if m.order.perm_id:
            self.perm_id = m.order.perm_id
        if m.order.client_id:
            self.client_id = m.order.client_id
        if status and status != self.status:
            self.log = (*self.log, LogEntry(now, status, "Modified" if confirmed else ""))
            self.status = status
            self._uncancelled = ""
        elif confirmed:
            self.log = (*self.log, LogEntry(now, self.status, "Modified"))
        self._seq += 1
        return True

    def _completed(self, m: CompletedOrder, now: float) -> bool:
        status = m.order_state.status or self.status
        if self._reopens(status):
            return False
        total = self.order.total_quantity
        filled = m.order.filled_quantity
        if filled is None and status == "Filled" and total is not None:
            filled = total
        if filled is None:
            filled = self.filled
        remaining = self.remaining
        if total is not None and (m.order.filled_quantity is not None or status == "Filled"):
            remaining = total - filled
        if (status, filled, remaining) == (self.status, self.filled, self.remaining):
            return False
        self._seq += 1
        self._acknowledged = True
        self.order_state = m.order_state
        self.filled = filled
        self.remaining = remaining
        text = m.order_state.completed_status or "Completed"
        self.log = (*self.log, LogEntry(now, status, text))
        self.status = status
        self._seq += 1
        return True

    def _execution(self, m: ExecutionData, now: float) -> bool:
        execution = m.execution
        exec_id = execution.exec_id
        fills = self.fills
        index = _correction_index(fills, exec_id)
        if index == _SEEN:
            return False
        text = f"Fill {execution.shares}@{execution.price}"
        self._seq += 1
        if not self.perm_id and execution.perm_id:
            # An order never acknowledged before a reconnect: its executions,
            # re-read, are the first to name it.
            self.perm_id = execution.perm_id
        if index == _NEW:
            self.fills = (*fills, Fill(m.contract, execution, None, now))
        else:
            # A correction replaces the execution it corrects; the earlier
            # commission stays until the correction's own report arrives.
            earlier = fills[index]
            fill = Fill(m.contract, execution, earlier.commission_report, now)
            self.fills = (*fills[:index], fill, *fills[index + 1 :])
            text = f"Fill correction {execution.shares}@{execution.price}"
        self.log = (*self.log, LogEntry(now, self.status, text))
        self._seq += 1
        return True

    def executed_in_full(self, now: float) -> bool:
        """The order is no longer open at TWS and has executions: filled if they add up.

        When the executions add up to the order's quantity (a combo's are per
        leg: not counted), the trade becomes ``Filled`` with ``filled`` and
        ``remaining`` to match.

        Returns:
            Whether the trade changed.
        """
        total = self.order.total_quantity
        if not total or self.is_done() or self.contract.sec_type == "BAG":
            return False
        shares = sum((fill.execution.shares or Decimal(0) for fill in self.fills), Decimal(0))
        if shares < total:
            return False
        self._seq += 1
        self.status = "Filled"
        self.filled = shares
        self.remaining = Decimal(0)
        self.log = (*self.log, LogEntry(now, "Filled", "Executed in full"))
        self._seq += 1
        self._recount()
        return True

    def _commission(self, m: CommissionAndFeesReport) -> bool:
        fills = self.fills
        for index, fill in enumerate(fills):
            if fill.execution.exec_id == m.exec_id:
                if fill.commission_report == m:
                    return False
                self._seq += 1
                self.fills = (
                    *fills[:index], replace(fill, commission_report=m), *fills[index + 1 :]
                )
                self._seq += 1
                return True
        return False

    def _error(self, m: ErrMsg, now: float) -> bool:
        status = self.status
        code = m.error_code
        info = self._codes.info(code)
        # TWS refused the order, or its change (an error about a cancel refuses
        # only the cancel: the order may be working, or filled).
        refused = info.ends_request and not info.keeps_order and code != ORDER_CANCELLED
        if code == ORDER_CANCELLED:
            status = "Cancelled"
        elif refused and not self._acknowledged and not self.is_done():
            status = "Cancelled"
        elif info.keeps_order and status == "PendingCancel" and self._uncancelled:
            # The cancel is refused: the order is where it was.
            status, self._uncancelled = self._uncancelled, ""
        self._seq += 1
        if refused or code == ORDER_BUSY:
            # The change is not made: the order goes on with the terms TWS holds.
            self._restore_standing()
        self.status = status
        self.log = (*self.log, LogEntry(now, status, m.error_string, code))
        self._seq += 1
        return True


_Key: TypeAlias = "tuple[int, int] | int"

#: The fields a modification may change (not those naming the order, which
#: TWS fills in on its copy), compared to tell what it changes.
_ORDER_FIELDS: Final = tuple(
    field.name for field in fields(Order) if field.name not in _IDENTITY_FIELDS
)

#: :func:`_correction_index`: an execution not seen, or one seen already.
_NEW: Final = -1
_SEEN: Final = -2


def execution_key(exec_id: str) -> str:
    """What stays the same when TWS corrects an execution: ``exec_id`` up to its last ``.``.

    A correction repeats the execution with only the part after the last period
    changed (``0000e1a7.6571f8a1.01.01`` -> ``0000e1a7.6571f8a1.01.02``), and
    replaces it.
    """
    return exec_id.rsplit(".", 1)[0]


def _revision(exec_id: str) -> tuple[int, str]:
    suffix = exec_id.rsplit(".", 1)[-1]
    return (len(suffix), suffix)


def _is_newer(exec_id: str, than: str) -> bool:
    """Whether ``exec_id`` corrects ``than`` (same execution, a later revision)."""
    return execution_key(exec_id) == execution_key(than) and _revision(exec_id) > _revision(than)


def _correction_index(fills: tuple[Fill, ...], exec_id: str) -> int:
    """Where ``exec_id`` goes among ``fills``: its index to replace, ``_NEW`` or ``_SEEN``."""
    key = execution_key(exec_id)
    for index, fill in enumerate(fills):
        known = fill.execution.exec_id
        if execution_key(known) == key:
            return index if _is_newer(exec_id, known) else _SEEN
    return _NEW


class TradeOwner(Protocol):
    """What a client gives its trades: how to wait for, change and cancel them."""

    def wait_trade(self, trade: Trade, timeout: float | None) -> None:
        """Block until ``trade`` is done."""

    def trade_done(self, trade: Trade) -> Awaitable[Trade]:
        """An awaitable ending when ``trade`` is done."""

    def modify_trade(self, trade: Trade, changes: Mapping[str, object]) -> None:
        """Send ``trade``'s order again with ``changes``."""

    def cancel_trade(self, trade: Trade) -> None:
        """Cancel ``trade``'s order."""


class Blotter:
    """Every trade of a connection; routes order messages to them.

    Args:
        client_id: this connection's client id (the ``client_id`` of its orders).
        codes: how error codes are classified (passed to each trade).
    """

    __slots__ = (
        "client_id",
        "_codes",
        "_trades",
        "_by_perm",
        "_fills",
        "_exec_trade",
        "_waiting",
        "_early_status",
        "_early_completed",
        "_unnamed",
        "owner",
    )

    def __init__(self, client_id: int, codes: CodeTable = DEFAULT_TABLE) -> None:
        self.client_id: int = client_id
        self._codes = codes
        self._trades: dict[_Key, Trade] = {}
        self._by_perm: dict[int, Trade] = {}
        self._fills: dict[str, Fill] = {}
        self._exec_trade: dict[str, Trade] = {}
        self._waiting: dict[str, CommissionAndFeesReport] = {}
        # The last status of an order not known yet (TWS may send a status and
        # executions before the open order that introduces it).
        self._early_status: dict[_Key, OrderStatus] = {}
        # Completed orders of no known perm id, by perm id: after a reconnect
        # they come before the executions that give a trade its perm id.  Kept
        # only while a trade not done has no perm id.
        self._early_completed: dict[int, CompletedOrder] = {}
        # How many trades are not done and have no perm id (kept by the trades).
        self._unnamed = 0
        #: Given to every trade made here (the client that waits, modifies, cancels).
        self.owner: TradeOwner | None = None

    # ------------------------------------------------------------------ reading

    def trades(self) -> list[Trade]:
        """Every trade, in the order they became known."""
        return list(self._trades.values())

    def open_trades(self) -> list[Trade]:
        """The trades that are not done."""
        return [trade for trade in list(self._trades.values()) if not trade.is_done()]

    def fills(self) -> list[Fill]:
        """Every execution seen, of any order, in arrival order (corrections replace)."""
        return list(self._fills.values())

    def trade(self, order_id: int, client_id: int | None = None) -> Trade | None:
        """The trade of ``order_id`` (of this client unless ``client_id`` is given)."""
        return self._trades.get((self.client_id if client_id is None else client_id, order_id))

    def trade_by_perm_id(self, perm_id: int) -> Trade | None:
        """The trade TWS knows by ``perm_id``."""
        return self._by_perm.get(perm_id)

    # ------------------------------------------------------------------ writing

    def add(self, contract: Contract, order: Order, now: float) -> Trade:
        """Record an order being placed by this client and return its trade.

        Placing an order id that is already known (a modification) updates that
        trade (:meth:`Trade.modified`) and returns it.

        Raises:
            ValueError: the order has no order id.
        """
        if order.order_id <= 0:
            raise ValueError("an order being placed needs its order_id set")
        if order.client_id != self.client_id:
            order = replace(order, client_id=self.client_id)
        key = (self.client_id, order.order_id)
        trade = self._trades.get(key)
        if trade is not None:
            trade.modified(order, now)
            return trade
        trade = Trade(contract, order, now, codes=self._codes)
        trade._owner = self.owner
        self._trades[key] = trade
        self._count(trade)
        return trade

    def _key(self, client_id: int, order_id: int, perm_id: int) -> _Key:
        return (client_id, order_id) if order_id > 0 else perm_id

    def _find(self, client_id: int, order_id: int, perm_id: int) -> Trade | None:
        trade = None
        if order_id > 0:
            trade = self._trades.get((client_id, order_id))
            if trade is not None and perm_id and trade.perm_id and trade.perm_id != perm_id:
                # The same order id for another order: TWS's API order ids were reset.
                trade = None
        if trade is None and perm_id:
            trade = self._by_perm.get(perm_id)
        return trade

    def _has_unnamed(self) -> bool:
        """Whether a trade not done has no perm id yet (a completed order may be its own)."""
        return self._unnamed > 0

    def _count(self, trade: Trade) -> None:
        """Count a trade just made here among those without a perm id while it is one."""
        trade._blotter = self
        trade._recount()

    def _index_perm(self, trade: Trade) -> None:
        if trade.perm_id and trade.perm_id not in self._by_perm:
            self._by_perm[trade.perm_id] = trade

    def apply(self, message: object, now: float) -> Trade | None:
        """Route one message to its trade.

        Args:
            message: an :class:`~ibwire.messages.OrderStatus`,
                :class:`~ibwire.messages.OpenOrder`,
                :class:`~ibwire.messages.CompletedOrder` (for a trade known by
                its ``perm_id``),
                :class:`~ibwire.messages.ExecutionData`,
                :class:`~ibwire.messages.CommissionAndFeesReport` or
                :class:`~ibwire.messages.ErrMsg` (others are ignored).
            now: when it arrived.

        Returns:
            The trade that changed, or ``None`` (nothing changed, or the message
            is about no known trade).
        """
        if type(message) is OrderStatus:
            trade = self._find(message.client_id, message.order_id, message.perm_id)
            if trade is None:
                key = self._key(message.client_id, message.order_id, message.perm_id)
                self._early_status[key] = message
                return None
            if not trade.apply(message, now):
                return None
            self._index_perm(trade)
            return trade
        if type(message) is OpenOrder:
            order = message.order
            if order.what_if:
                return None
            client_id = order.client_id
            trade = self._find(client_id, message.order_id, order.perm_id)
            if trade is None:
                trade = self._adopt(message, now)
            trade.apply(message, now)
            self._index_perm(trade)
            return trade
        if type(message) is ExecutionData:
            return self._execution(message, now)
        if type(message) is CommissionAndFeesReport:
            return self._commission(message, now)
        if type(message) is ErrMsg:
            if message.req_id <= 0:
                return None
            trade = self._trades.get((self.client_id, message.req_id))
            if trade is None or not trade.apply(message, now):
                return None
            return trade
        if type(message) is CompletedOrder:
            perm_id = message.order.perm_id
            trade = self._by_perm.get(perm_id) if perm_id else None
            if trade is None and perm_id:
                if self._has_unnamed():
                    self._early_completed[perm_id] = message
                else:
                    self._early_completed.clear()
            if trade is None or not trade.apply(message, now):
                return None
            return trade
        return None

    def end(self, message: ErrMsg, now: float, *, certain: bool = True) -> Trade | None:
        """End this client's order ``message.req_id``, known to be over (see :meth:`Trade.ended`).

        Returns:
            The trade, or ``None`` when there is none.
        """
        trade = self._trades.get((self.client_id, message.req_id))
        if trade is None or not trade.ended(message, now, certain=certain):
            return None
        self._forget_early_completed()
        return trade

    def _forget_early_completed(self) -> None:
        """Drop the completed orders kept for a perm id once no trade waits for one."""
        if self._early_completed and not self._has_unnamed():
            self._early_completed.clear()

    def _adopt(self, message: OpenOrder, now: float) -> Trade:
        """A trade for an open order not known yet, with what arrived before it."""
        order = message.order
        client_id = order.client_id
        order_id = message.order_id
        perm_id = order.perm_id
        if order.order_id != order_id:
            order = replace(order, order_id=order_id)
        early = self._early_status.pop(self._key(client_id, order_id, perm_id), None)
        if early is None and perm_id:
            early = self._early_status.pop(perm_id, None)
        status = early.status if early is not None else message.order_state.status
        trade = Trade(message.contract, order, now, status or "Submitted", codes=self._codes)
        trade._owner = self.owner
        key = self._key(client_id, order_id, perm_id)
        earlier = self._trades.get(key)
        if earlier is not None:
            # An order id reused for a new order (ids reset in TWS): the earlier
            # trade stays, known by its perm id, in its place in the order.
            self._trades = {
                (earlier.perm_id if k == key else k): v for k, v in self._trades.items()
            }
        self._trades[key] = trade
        self._count(trade)
        if early is not None:
            trade.apply(early, now)
        for exec_key, fill in list(self._fills.items()):
            execution = fill.execution
            if exec_key in self._exec_trade:
                continue
            mine = (perm_id and execution.perm_id == perm_id) or (
                order_id > 0
                and execution.order_id == order_id
                and execution.client_id == client_id
            )
            if mine:
                data = ExecutionData(req_id=-1, contract=fill.contract, execution=execution)
                trade.apply(data, fill.time)
                if fill.commission_report is not None:
                    trade.apply(fill.commission_report, fill.time)
                self._exec_trade[exec_key] = trade
        return trade

    def _execution(self, m: ExecutionData, now: float) -> Trade | None:
        execution = m.execution
        exec_id = execution.exec_id
        key = execution_key(exec_id)
        earlier = self._fills.get(key)
        if earlier is not None and not _is_newer(exec_id, earlier.execution.exec_id):
            return None
        trade = self._exec_trade.get(key)
        if trade is None:
            trade = self._find(execution.client_id, execution.order_id, execution.perm_id)
        # A correction takes the place of the execution it corrects.
        report = earlier.commission_report if earlier is not None else None
        self._fills[key] = Fill(m.contract, execution, report, now)
        if trade is not None:
            trade.apply(m, now)
            self._exec_trade[key] = trade
            self._index_perm(trade)
            completed = self._early_completed.pop(trade.perm_id, None)
            if completed is not None:
                trade.apply(completed, now)
            self._forget_early_completed()
        waiting = self._waiting.pop(exec_id, None)
        if waiting is not None:
            self._commission(waiting, now)
        return trade

    def _commission(self, m: CommissionAndFeesReport, now: float) -> Trade | None:
        exec_id = m.exec_id
        key = execution_key(exec_id)
        fill = self._fills.get(key)
        if fill is None or fill.execution.exec_id != exec_id:
            if fill is None or _is_newer(exec_id, fill.execution.exec_id):
                # Its execution has not arrived yet: keep the report for it.
                self._waiting[exec_id] = m
            return None
        self._fills[key] = replace(fill, commission_report=m)
        trade = self._exec_trade.get(key)
        if trade is None or not trade.apply(m, now):
            return None
        return trade
