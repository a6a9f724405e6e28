"""The simulator's paper broker: orders, matching, executions, positions, account values.

Pure state and arithmetic: the simulator core feeds it orders and quotes and
turns what it returns (order updates, fills) into wire messages.

Matching is deterministic and uses the displayed book (``Walks.book``, the same
one the depth feed publishes): a working order takes the displayed levels from
the touch outwards, one execution per level, at the level's price and up to its
displayed size, as far as its limit allows (market: any level; limit: levels at
or better than the limit; stop and stop-limit: once the price its trigger method
watches crosses the stop; trailing stop: the stop follows that price by the
trailing amount or percent).  What is left works on at the next step, when the book has refilled;
an IOC order's rest is cancelled.  Market-on-close and limit-on-close orders do not
take the book: they wait for the close of the instrument's next regular session
and execute whole at the closing price (a limit-on-close order only if that price
meets its limit; otherwise it is cancelled, as IB cancels it at the close).
Bracket children wait for their parent to fill;
each fill of one child of a parent takes its size off the others, and each fill in
an OCA group cancels the other members (``oca_type`` 1) or takes its size off them
(2 and 3).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final

from ..messages import Contract, Order, OrderState
from ._accounts import (
    Account,
    Position,
    account_values,
    book_fill,
    commission_of,
    currency_rows,
    finite,
    unrealized_of,
)
from ._market import Book, Quote, parse_end
from ._sessions import account_day_start, day_start, regular_close, windows
from ._universe import Instrument

__all__ = ["AT_CLOSE", "Broker", "Fill", "Position", "SimOrder", "commission_of", "finite"]

#: Order types that execute at the close (the order types of each security type
#: are ``_universe.ORDER_TYPES``).
AT_CLOSE: Final = frozenset({"MOC", "LOC"})
_ACTIVE: Final = frozenset({"PreSubmitted", "Submitted"})
#: Order types held (``PreSubmitted``) until their trigger price is reached.
_STOP_LIKE: Final = frozenset({"STP", "STP LMT", "TRAIL", "TRAIL LIMIT", "MIT", "LIT"})
_TRAILING: Final = frozenset({"TRAIL", "TRAIL LIMIT"})
_IF_TOUCHED: Final = frozenset({"MIT", "LIT"})
#: IB's trigger methods (``Order.trigger_method``) other than 0, the default.
_TRIGGER_METHODS: Final = frozenset({1, 2, 3, 4, 7, 8})
#: Primary exchanges of over-the-counter stocks (their default trigger is double bid/ask).
_OTC: Final = frozenset({"PINK", "OTC", "OTCBB", "OTCQB", "OTCQX"})


def trigger_method(sim: SimOrder) -> int:
    """The trigger method a stop-like order uses: its own, or IB's default for the
    instrument (0): double bid/ask (1) for US options and OTC stocks, bid/ask (4)
    for forex, last (2) for everything else."""
    method = sim.order.trigger_method
    if method in _TRIGGER_METHODS:
        return method
    contract = sim.instrument.contract
    if (sim.instrument.sec_type == "OPT" and contract.currency == "USD") or (
        sim.instrument.sec_type == "STK" and contract.primary_exchange.upper() in _OTC
    ):
        return 1
    return 4 if sim.instrument.sec_type == "CASH" else 2


@dataclass
class SimOrder:
    """An order the broker holds.

    Attributes:
        order_id: the client's order id.
        client_id: the client id that placed it.
        perm_id: TWS's permanent id.
        instrument: what it trades.
        contract: the contract as routed.
        order: the order as last placed or modified.
        account: the account it is for.
        status: the order status text (``PreSubmitted``, ``Submitted``, ``Filled``,
            ``Cancelled``, ``Inactive``).
        filled: the quantity filled.
        avg_fill_price: the average fill price.
        last_fill_price: the last fill's price.
        transmitted: sent to the "exchange" (``transmit`` of its group was set).
        triggered: a stop order whose stop was hit.
        trail_stop: the current trailing stop price.
        trail_limit_offset: a trailing limit order's limit offset from its stop.
        touched_at: the price time at which a double trigger method (1, 3) first
            saw its trigger price reached, in the run of quotes that still reach it;
            ``None`` when the last quote did not.
        commission: the commission charged so far.
        reduced: the quantity taken off by fills of its OCA group or bracket siblings.
        close_at: when an at-close order executes (the close it waits for); ``None``
            for other orders.
        expires_at: when the order is cancelled (a day order with the sessions
            kept: the end of its trading day; a ``GTD`` order: its date); ``None``
            for an order that does not expire.
    """

    order_id: int
    client_id: int
    perm_id: int
    instrument: Instrument
    contract: Contract
    order: Order
    account: str
    status: str = "Inactive"
    filled: Decimal = Decimal(0)
    avg_fill_price: float = 0.0
    last_fill_price: float = 0.0
    transmitted: bool = False
    triggered: bool = False
    trail_stop: float | None = None
    trail_limit_offset: float | None = None
    touched_at: float | None = None
    commission: float = 0.0
    reduced: Decimal = Decimal(0)
    close_at: float | None = None
    expires_at: float | None = None

    @property
    def quantity(self) -> Decimal:
        """The order's total quantity."""
        return self.order.total_quantity or Decimal(0)

    @property
    def remaining(self) -> Decimal:
        """What is left to fill."""
        if self.status == "Cancelled":
            return Decimal(0)
        return self.quantity - self.filled

    @property
    def is_active(self) -> bool:
        """Whether it can still fill or be cancelled."""
        return self.status in _ACTIVE or (self.status == "Inactive" and not self.transmitted)

    @property
    def is_buy(self) -> bool:
        """Whether it buys."""
        return self.order.action.upper() == "BUY"


@dataclass
class Fill:
    """One execution.

    Attributes:
        order: the order that filled.
        exec_id: the execution id.
        time: the execution time (epoch seconds).
        price: the fill price.
        shares: the quantity.
        commission: the commission and fees.
        realized_pnl: the P&L this fill realised (``None`` when it opened a position).
        cum_qty: the order's filled quantity after this execution.
        avg_price: the order's average fill price after this execution.
        status: the order's status after this execution.
    """

    order: SimOrder
    exec_id: str
    time: float
    price: float
    shares: Decimal
    commission: float
    realized_pnl: float | None
    cum_qty: Decimal = Decimal(0)
    avg_price: float = 0.0
    status: str = "Filled"


def _trigger_prices(method: int, q: Quote, buy: bool, if_touched: bool) -> tuple[float, ...]:
    """The prices a trigger method compares with the trigger price, the one a trailing
    stop follows first.

    IB's trigger methods: last (2) and double last (3) watch the last price; bid/ask
    (4) and double bid/ask (1) the bid for a buy stop and the ask for a sell stop (the
    other side for an if-touched order, which triggers the other way); last or
    bid/ask (7) either; mid-point (8) the middle of the bid and ask.
    """
    side = q.bid if buy != if_touched else q.ask
    if method in (1, 4):
        return (side,)
    if method == 7:
        return (q.last, side)
    if method == 8:
        return ((q.bid + q.ask) / 2,)
    return (q.last,)


class Broker:
    """Orders and accounts of the simulated paper broker.

    Args:
        accounts: the account ids.
        mark: the price to value positions at: ``mark(instrument)``.
        spot: the underlying's price of an option (for its margin), else ``None``.
        rate: the base-currency (USD) value of one unit of a currency.
    """

    def __init__(
        self,
        accounts: tuple[str, ...],
        mark: Callable[[Instrument], float],
        spot: Callable[[Instrument], float | None] = lambda instrument: None,
        rate: Callable[[str], float] = lambda currency: 1.0,
    ) -> None:
        self.accounts_ids = accounts
        self.mark = mark
        self.spot = spot
        self.rate = rate
        self.orders: dict[tuple[int, int], SimOrder] = {}
        self.fills: list[Fill] = []
        self.accounts: dict[str, Account] = {a: Account() for a in accounts}
        self._perm = 100000000
        self._next_roll = 0.0
        #: Whether holidays are kept (no trading day ends on one).
        self.holidays = False
        #: Whether venues open and close (day orders then end with their trading day).
        self.sessions = False
        #: Lapse instructions for cash-settled options, by (account, con_id): contracts to let lapse.
        self.lapses: dict[tuple[str, int], Decimal] = {}
        #: Settlements of expired options and futures, by con_id: (time, final price).
        self.settlements: dict[int, tuple[float, float]] = {}
        self._exec = 0
        #: Displayed liquidity taken at the book of ``_taken_at``, by (con_id, buy, level).
        self._taken: dict[tuple[int, bool, int], Decimal] = {}
        self._taken_at: float | None = None

    # ------------------------------------------------------------ orders

    def find(self, client_id: int, order_id: int) -> SimOrder | None:
        """The order ``order_id`` of ``client_id``."""
        return self.orders.get((client_id, order_id))

    def add(
        self,
        client_id: int,
        order_id: int,
        instrument: Instrument,
        contract: Contract,
        order: Order,
    ) -> SimOrder:
        """Store a new order (not yet transmitted)."""
        self._perm += 1
        account = order.account or self.accounts_ids[0]
        sim = SimOrder(
            order_id=order_id,
            client_id=client_id,
            perm_id=self._perm,
            instrument=instrument,
            contract=contract,
            order=replace(order, order_id=order_id, client_id=client_id, perm_id=self._perm, account=account),
            account=account,
        )
        self.orders[(client_id, order_id)] = sim
        return sim

    def children(self, parent: SimOrder) -> list[SimOrder]:
        """The orders whose parent is ``parent``."""
        return [
            o for o in self.orders.values()
            if o.client_id == parent.client_id and o.order.parent_id == parent.order_id and o is not parent
        ]

    def arm(self, sim: SimOrder, now: float) -> None:
        """Set the close an at-close order waits for: the first end of a regular
        session after ``now`` (weekends, and holidays when kept, have none); and,
        with the sessions kept, when a day order (time in force ``DAY`` or unset)
        ends: at that close, or with ``outside_rth`` at the end of the trading
        window (extended hours included) open at or next after ``now``; and when a
        ``GTD`` order ends: at its ``good_till_date``, sessions or not."""
        at_close = sim.order.order_type.upper() in AT_CLOSE
        sim.close_at = regular_close(sim.instrument, now, holidays=self.holidays) if at_close else None
        sim.expires_at = None
        tif = sim.order.tif.upper()
        if tif == "GTD":
            sim.expires_at = parse_end(sim.order.good_till_date, now) if sim.order.good_till_date.strip() else None
        elif self.sessions and tif in ("", "DAY"):
            if sim.order.outside_rth and not at_close:
                ahead = windows(sim.instrument, now, now + 10 * 86400.0, regular=False, holidays=self.holidays)
                sim.expires_at = ahead[0][1] if ahead else None
            else:
                sim.expires_at = regular_close(sim.instrument, now, holidays=self.holidays)

    def transmit(self, sim: SimOrder, now: float) -> list[SimOrder]:
        """Transmit ``sim`` at ``now`` with its whole group (its parent and the parent's children).

        Returns:
            the orders whose status changed.
        """
        root = sim
        if sim.order.parent_id:
            parent = self.find(sim.client_id, sim.order.parent_id)
            if parent is not None:
                root = parent
        group = [root, *self.children(root)]
        changed = []
        for member in group:
            if member.transmitted or member.status in ("Cancelled", "Filled"):
                continue
            member.transmitted = True
            self.arm(member, now)
            waits = member is not root and root.status != "Filled"
            stop_like = member.order.order_type.upper() in _STOP_LIKE
            member.status = "PreSubmitted" if waits or stop_like else "Submitted"
            changed.append(member)
        return changed

    def cancel(self, sim: SimOrder) -> list[SimOrder]:
        """Cancel ``sim`` and, for a parent, its children."""
        changed = []
        for member in [sim, *self.children(sim)]:
            if member.is_active:
                member.status = "Cancelled"
                changed.append(member)
        return changed

    def working(self) -> list[SimOrder]:
        """Transmitted orders that may fill now (children wait for their parent)."""
        out = []
        for sim in self.orders.values():
            if not sim.transmitted or sim.status not in _ACTIVE:
                continue
            if sim.order.parent_id:
                parent = self.find(sim.client_id, sim.order.parent_id)
                if parent is not None and parent.status != "Filled":
                    continue
            out.append(sim)
        return out

    def continuous(self) -> list[SimOrder]:
        """The working orders that trade in the continuous market (not at the close)."""
        return [sim for sim in self.working() if sim.close_at is None]

    def next_close(self) -> float | None:
        """The earliest close an active, transmitted at-close order waits for, or
        time a day or good-till-date order ends at."""
        return min((at for sim in self.orders.values() if sim.transmitted and sim.is_active
                    for at in (sim.close_at, sim.expires_at) if at is not None), default=None)

    def expire_day_orders(self, now: float) -> list[SimOrder]:
        """Cancel the day and good-till-date orders whose time ended by ``now`` (the orders cancelled)."""
        changed: list[SimOrder] = []
        for sim in self.orders.values():
            if sim.expires_at is not None and sim.expires_at <= now and sim.transmitted and sim.is_active:
                changed.extend(m for m in self.cancel(sim) if m not in changed)
        return changed

    def auction(
        self, now: float, closing_price: Callable[[SimOrder], float], can_trade: Callable[[SimOrder], bool],
    ) -> tuple[list[Fill], list[SimOrder]]:
        """Execute the at-close orders whose close came by ``now``, at that close.

        A market-on-close order fills whole at the closing price; a limit-on-close
        order too when the price is at or better than its limit, else it is
        cancelled.  One that cannot trade then (a child whose parent has not
        filled, a halted symbol) waits for the next close.

        Returns:
            the fills, and the orders whose status changed otherwise (cancelled
            limit-on-close orders, OCA and sibling cancels, released children).
        """
        fills: list[Fill] = []
        changed: list[SimOrder] = []
        for sim in self.working():
            close = sim.close_at
            if close is None or close > now or sim.status not in _ACTIVE or not can_trade(sim):
                continue
            price = closing_price(sim)
            limit = sim.order.lmt_price if sim.order.order_type.upper() == "LOC" else None
            if limit is None or (price <= limit if sim.is_buy else price >= limit):
                fill = self._fill(sim, price, sim.remaining, close)
                fills.append(fill)
                changed.extend(self._after_fill(sim, fill.shares))
            else:
                sim.status = "Cancelled"
                changed.append(sim)
        for sim in self.orders.values():
            if sim.close_at is not None and sim.close_at <= now and sim.is_active:
                # The close passed it by: the next one.
                sim.close_at = regular_close(sim.instrument, now, holidays=self.holidays)
        return fills, [*changed, *self.expire_day_orders(now)]

    def match(
        self,
        now: float,
        market: Callable[[Instrument], tuple[Quote, Book]],
        can_trade: Callable[[SimOrder], bool] = lambda sim: True,
        at: float | None = None,
    ) -> tuple[list[Fill], list[SimOrder], list[SimOrder]]:
        """Fill whatever the displayed book allows now.

        An order takes the displayed levels from the touch outwards, one execution
        per level, as far as its limit allows; what it takes is gone for every
        other order until the book changes (``at``, the price grid's time, moves
        on; ``now`` by default); the rest works on (an IOC order's rest is
        cancelled).  An order for which ``can_trade`` is false (its venue is
        closed, its symbol halted) waits untouched.

        Returns:
            the fills, the orders whose status changed otherwise (triggered
            stops, OCA and sibling cancels, activated children, cancelled IOC
            remainders), and the trailing orders whose stop moved (and nothing else).
        """
        fills: list[Fill] = []
        changed: list[SimOrder] = []
        moved: list[SimOrder] = []
        at = now if at is None else at
        if at != self._taken_at:
            self._taken.clear()
            self._taken_at = at
        taken = self._taken
        for sim in self.continuous():
            if sim.status not in _ACTIVE:
                continue  # cancelled by an earlier fill of this pass
            if not can_trade(sim):
                continue
            quote, book = market(sim.instrument)
            stop_before = sim.trail_stop
            tradable, limit = self._executable(sim, quote, at)
            got: list[Fill] = []
            if tradable:
                buy = sim.is_buy
                for index, level in enumerate(book.asks if buy else book.bids):
                    if sim.remaining <= 0:
                        break
                    if limit is not None and (level.price > limit if buy else level.price < limit):
                        break
                    key = (sim.instrument.con_id, buy, index)
                    size = min(level.size - taken.get(key, Decimal(0)), sim.remaining)
                    if size <= 0:
                        continue
                    taken[key] = taken.get(key, Decimal(0)) + size
                    got.append(self._fill(sim, level.price, size, now))
            fills.extend(got)
            if got:
                changed.extend(self._after_fill(sim, sum((f.shares for f in got), Decimal(0))))
            if got and sim.remaining == 0:
                pass
            elif sim.order.tif.upper() == "IOC" and tradable:
                sim.status = "Cancelled"
                changed.append(sim)
            elif not got and sim.status == "PreSubmitted" and (
                sim.triggered or sim.order.order_type.upper() not in _STOP_LIKE
            ):
                sim.status = "Submitted"
                changed.append(sim)
            elif not got and sim.trail_stop != stop_before:
                moved.append(sim)
        return fills, changed, moved

    def _executable(self, sim: SimOrder, q: Quote, at: float) -> tuple[bool, float | None]:
        """Whether ``sim`` may trade now (``at``: the time of the quote ``q``), and its
        limit price (``None``: at any price)."""
        order = sim.order
        kind = order.order_type.upper()
        buy = sim.is_buy
        if kind == "MKT":
            return True, None
        if kind == "LMT":
            return order.lmt_price is not None, order.lmt_price
        method = trigger_method(sim)
        touched_kind = kind in _IF_TOUCHED
        prices = _trigger_prices(method, q, buy, touched_kind)
        if kind in _TRAILING and not sim.triggered:
            self._trail(sim, prices[0])
        stop = sim.trail_stop if kind in _TRAILING else order.aux_price
        if stop is None:
            return False, None
        if not sim.triggered:
            # A stop triggers once the price reaches it moving against the position
            # (a buy stop at or above, a sell stop at or below); an if-touched order
            # the other way (a buy at or below, a sell at or above).
            if touched_kind:
                touched = any(p <= stop if buy else p >= stop for p in prices)
            else:
                touched = any(p >= stop if buy else p <= stop for p in prices)
            if not touched:
                sim.touched_at = None
                return False, None
            if method in (1, 3) and (sim.touched_at is None or sim.touched_at == at):
                # Double methods: a second, later quote must reach the price too.
                sim.touched_at = at
                return False, None
            sim.triggered = True
        if kind in ("STP LMT", "LIT"):
            return order.lmt_price is not None, order.lmt_price
        if kind == "TRAIL LIMIT" and sim.trail_limit_offset is not None:
            offset = sim.trail_limit_offset
            return True, round(stop + offset if buy else stop - offset, 8)
        return True, None

    def _trail(self, sim: SimOrder, last: float) -> None:
        """Move the trailing stop of ``sim`` after ``last``, the price its trigger method watches."""
        order = sim.order
        if order.trailing_percent:
            offset = last * order.trailing_percent / 100
        else:
            offset = order.aux_price or 0.0
        if sim.trail_stop is None:
            sim.trail_stop = order.trail_stop_price or (last + offset if sim.is_buy else last - offset)
            # A trailing limit order's limit keeps its offset from the stop: the
            # offset given, or the distance of the limit price from the first stop.
            if order.lmt_price_offset is not None:
                sim.trail_limit_offset = order.lmt_price_offset
            elif order.lmt_price is not None:
                sim.trail_limit_offset = abs(sim.trail_stop - order.lmt_price)
        elif sim.is_buy:
            sim.trail_stop = min(sim.trail_stop, last + offset)
        else:
            sim.trail_stop = max(sim.trail_stop, last - offset)

    def _fill(self, sim: SimOrder, price: float, shares: Decimal, now: float) -> Fill:
        self._exec += 1
        exec_id = f"0000e{sim.perm_id:08x}.{self._exec:08x}.01.01"
        filled = sim.filled + shares
        notional = sim.avg_fill_price * float(sim.filled) + price * float(shares)
        # IB charges per order (its minimum applies once): each execution pays the difference.
        total = commission_of(sim.instrument, filled, notional / float(filled))
        commission = round(max(total - sim.commission, 0.0), 2)
        sim.commission += commission
        account = self.accounts.setdefault(sim.account, Account())
        self._roll(account.positions.setdefault(sim.instrument.con_id, Position(sim.instrument)), now)
        realized = book_fill(account, sim.instrument, shares if sim.is_buy else -shares, price, commission)
        sim.avg_fill_price = notional / float(filled)
        sim.last_fill_price = price
        sim.filled = filled
        sim.status = "Filled" if sim.remaining == 0 else "Submitted"
        fill = Fill(sim, exec_id, now, price, shares, commission, realized, filled, sim.avg_fill_price, sim.status)
        self.fills.append(fill)
        return fill

    def _after_fill(self, sim: SimOrder, shares: Decimal) -> list[SimOrder]:
        """What a fill of ``shares`` of ``sim`` does to the orders tied to it.

        The other members of its OCA group (the orders of its account with
        that ``oca_group``): with ``oca_type`` 2 or 3 their
        quantity goes down by the shares filled (cancelled at zero left), with 1
        (or unset) they are cancelled.  The other children of its parent (a
        bracket's take-profit and stop-loss) go down by the shares filled,
        cancelled at zero left.  Once whole, its children are released.
        """
        changed: list[SimOrder] = []
        reduce: dict[int, SimOrder] = {}
        cancel: dict[int, SimOrder] = {}
        if sim.order.parent_id:
            parent = self.find(sim.client_id, sim.order.parent_id)
            if parent is not None:
                reduce.update((id(o), o) for o in self.children(parent))
        if sim.order.oca_group:
            # IB keeps OCA groups per account: the same name in another account is another group.
            group = [o for o in self.orders.values()
                     if o.order.oca_group == sim.order.oca_group and o.account == sim.account]
            target = reduce if sim.order.oca_type in (2, 3) else cancel
            for member in group:
                reduce.pop(id(member), None)
                target[id(member)] = member
        for peer in cancel.values():
            if peer is not sim and peer.is_active:
                peer.status = "Cancelled"
                changed.append(peer)
        for peer in reduce.values():
            if peer is sim or not peer.is_active:
                continue
            left = max(peer.quantity - shares, peer.filled)
            peer.reduced += peer.quantity - left
            peer.order = replace(peer.order, total_quantity=left)
            if peer.remaining <= 0:
                peer.status = "Cancelled"
            changed.append(peer)
        if sim.remaining == 0:
            changed.extend(self.settle(sim))
        return changed

    def settle(self, sim: SimOrder) -> list[SimOrder]:
        """Release the children of ``sim``, now filled whole (the orders changed)."""
        changed: list[SimOrder] = []
        for child in self.children(sim):
            if child.transmitted and child.status == "PreSubmitted" and child.order.order_type.upper() in ("MKT", "LMT"):
                child.status = "Submitted"
                changed.append(child)
        return changed

    # ------------------------------------------------------------ accounts

    def positions(self, account: str) -> list[Position]:
        """The positions of ``account`` (closed ones stay, at zero, like TWS)."""
        return list(self.accounts.setdefault(account, Account()).positions.values())

    def unrealized(self, position: Position) -> float:
        """The unrealized P&L of a position at the current mark."""
        return unrealized_of(position, self.mark(position.instrument))

    def _roll(self, position: Position, now: float) -> None:
        """Start a new trading day for ``position`` if one began since its last."""
        start = day_start(position.instrument, now, holidays=self.holidays)
        if start > position.day_start:
            position.day_base = position.realized + (self.unrealized(position) if position.quantity else 0.0)
            position.day_start = start

    def roll(self, now: float) -> None:
        """Start a new trading day for every position whose venue closed since its last
        (the core calls this as its clock moves, so a day's P&L counts from the close)."""
        if now < self._next_roll:
            return
        self._next_roll = now + 60.0
        close = account_day_start(now, holidays=self.holidays)
        for account in self.accounts.values():
            for position in account.positions.values():
                self._roll(position, now)
            if close > account.previous_close:
                # The first look only notes the day: the account started with its cash then.
                if account.previous_close:
                    account.previous_ewl = account_values(account, self.mark, self.spot, self.rate)["EquityWithLoanValue"]
                account.previous_close = close

    def daily(self, position: Position, now: float) -> float:
        """The position's P&L since the end of the last trading day (IB's daily P&L)."""
        self._roll(position, now)
        return position.realized + self.unrealized(position) - position.day_base

    def expire(
        self, now: float, expiry_time: Callable[[Instrument], float | None], settlement: Callable[[Instrument], float],
        delivers: Callable[[Instrument], Instrument | None] = lambda instrument: None,
    ) -> tuple[list[Position], list[SimOrder]]:
        """Settle every option and future past its expiry.

        ``settlement`` is the final price: an option's intrinsic value, a
        future's final settlement price.  A future and a cash-settled option
        close at it (out of the money an option expires worthless).  A
        physically settled option (``delivers`` names its underlying) in the
        money is exercised (long) or assigned (short): it closes at zero and
        ``multiplier`` shares of the underlying per contract change hands at
        the strike; out of the money it closes at zero.  Nothing pays
        commission; the realized P&L is booked.  Contracts with a lapse
        instruction close at zero.  Working orders on the expired contracts are
        cancelled.

        Returns:
            the settled positions and the cancelled orders.
        """
        settled: list[Position] = []
        for name, account in self.accounts.items():
            for position in list(account.positions.values()):
                instrument = position.instrument
                at = expiry_time(instrument) if position.quantity else None
                if at is None or at > now:
                    continue
                self._roll(position, now)
                lapsed = min(self.lapses.pop((name, instrument.con_id), Decimal(0)), max(position.quantity, Decimal(0)))
                if lapsed:
                    book_fill(account, instrument, -lapsed, 0.0, 0.0)
                price = settlement(instrument)
                self.settlements[instrument.con_id] = (now, price)
                underlying = delivers(instrument)
                if underlying is not None and position.quantity:
                    quantity = position.quantity
                    book_fill(account, instrument, -quantity, 0.0, 0.0)
                    if price > 0:
                        # A call delivers the shares to its holder, a put takes them.
                        shares = quantity * Decimal(instrument.contract.multiplier or 1)
                        stock = account.positions.setdefault(underlying.con_id, Position(underlying))
                        self._roll(stock, now)
                        book_fill(account, underlying, shares if instrument.contract.right == "C" else -shares,
                                  instrument.contract.strike or 0.0, 0.0)
                elif position.quantity:
                    book_fill(account, instrument, -position.quantity, price, 0.0)
                settled.append(position)
        cancelled = []
        for sim in self.orders.values():
            at = expiry_time(sim.instrument)
            if sim.is_active and at is not None and at <= now:
                sim.status = "Cancelled"
                cancelled.append(sim)
        return settled, cancelled

    def market_value(self, position: Position) -> float:
        """The market value of a position at the current mark."""
        return float(position.quantity) * self.mark(position.instrument) * position.instrument.multiplier

    def values(self, account: str) -> dict[str, float]:
        """The account's numbers, by IB's tag names (in the base currency, ``BASE_CURRENCY``)."""
        return account_values(self.accounts.setdefault(account, Account()), self.mark, self.spot, self.rate)

    def currency_rows(self, account: str) -> list[tuple[str, float, str]]:
        """The account's cash, exchange rates and P&L per currency (``CashBalance`` and the like)."""
        return currency_rows(self.accounts.setdefault(account, Account()), self.rate, self.mark)

    def check(
        self, sim: SimOrder, price: float, replaces: SimOrder | None = None,
    ) -> tuple[dict[str, float], dict[str, float], float]:
        """The account before and after ``sim`` filled whole at ``price``, and its commission.

        IB counts the margin of working orders: "before" is the account with every
        working order of the account filled as well (at the mark, as the new
        order is: a limit away from the market earns no paper gain), "after"
        adds ``sim``.  The margin
        check of a new order and the what-if preview both use this; a
        modification is ``sim`` as modified, ``replaces`` the order as it stands
        (left out of the working orders).
        """
        state = self.accounts.setdefault(sim.account, Account())
        trial = state.copy()
        for working in self.working():
            if working.account == sim.account and working is not sim and working is not replaces and working.remaining > 0:
                at = self.mark(working.instrument)
                size = working.remaining
                book_fill(trial, working.instrument, size if working.is_buy else -size, at,
                          commission_of(working.instrument, size, at))
        before = account_values(trial, self.mark, self.spot, self.rate)
        commission = commission_of(sim.instrument, sim.remaining, price)
        signed = sim.remaining if sim.is_buy else -sim.remaining
        book_fill(trial, sim.instrument, signed, price, commission)
        after = account_values(trial, self.mark, self.spot, self.rate)
        return before, after, commission

    def what_if(self, sim: SimOrder, price: float) -> OrderState:
        """The margin and commission preview of an order (a what-if order's state)."""
        before, after, commission = self.check(sim, price)

        # Cents, as in the text of a margin rejection (error 201).
        def text(value: float) -> float:
            return round(value, 2)

        def change(key: str) -> float:
            return text(after[key] - before[key])

        return OrderState(
            status="PreSubmitted",
            init_margin_before=text(before["InitMarginReq"]),
            maint_margin_before=text(before["MaintMarginReq"]),
            equity_with_loan_before=text(before["EquityWithLoanValue"]),
            init_margin_change=change("InitMarginReq"),
            maint_margin_change=change("MaintMarginReq"),
            equity_with_loan_change=change("EquityWithLoanValue"),
            init_margin_after=text(after["InitMarginReq"]),
            maint_margin_after=text(after["MaintMarginReq"]),
            equity_with_loan_after=text(after["EquityWithLoanValue"]),
            commission_and_fees=commission,
            min_commission_and_fees=commission,
            max_commission_and_fees=commission,
            commission_and_fees_currency="USD",
            margin_currency="USD",
        )
