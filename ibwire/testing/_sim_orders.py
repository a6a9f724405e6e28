"""The simulator's order requests: place, modify, cancel, open orders, executions."""

from __future__ import annotations

import bisect
import dataclasses
import datetime as _dt
import time
from decimal import ROUND_FLOOR, Decimal
from typing import Any, Final

from ..messages import (
    CommissionAndFeesReport,
    CompletedOrder,
    CompletedOrdersEnd,
    Execution,
    ExecutionData,
    ExecutionDataEnd,
    OpenOrder,
    OpenOrderEnd,
    OrderStatus,
)
from ..messages.common import Contract
from ..messages.order import Order, OrderState
from ._broker import Fill, SimOrder
from ._market import Book, Quote, parse_end
from ._sessions import Phase, next_open, phase, venue_of
from ._sim_base import CoreBase, _Client
from ._universe import CRYPTO_TIFS, ORDER_TYPES, Instrument

__all__ = ["OrderHandlers"]

# The names TWS gives a listing venue and a time zone in its order messages.
_VENUE_NAMES: Final = {"NASDAQ": "NASDAQ.NMS"}
_ZONE_NAMES: Final = {"America/New_York": "US/Eastern", "America/Chicago": "US/Central"}


class OrderHandlers(CoreBase):
    """The simulator's order requests: place, modify, cancel, open orders, executions."""

    # ------------------------------------------------------------ orders
    def _on_PlaceOrder(self, client: _Client, message: Any, now: float) -> None:
        assert client.client_id is not None
        order_id = int(message.order_id)
        order: Order = message.order
        contract: Contract = message.contract
        broker = self.broker
        existing = broker.find(client.client_id, order_id)
        next_id = self._next_id(client.client_id)
        if existing is None and order_id < next_id:
            self._error(client, order_id, 103)
            return
        if existing is not None and existing.status == "Filled":
            self._error(client, order_id, 104)
            return
        if existing is not None and existing.status == "Cancelled":
            self._error(client, order_id, 103)
            return
        instrument = self._resolve(client, order_id, contract)
        if instrument is None:
            return
        expiry = self.universe.expiry_time(instrument)
        if expiry is not None and expiry <= now:
            self._error(client, order_id, 200)  # expired: no longer defined
            return
        if instrument.sec_type == "IND":
            self._validation(client, order_id, "bO", "An index is not tradable")
            return
        if contract.sec_type.upper() == "CONTFUT":
            # IB takes a continuous future for data only: orders name a contract month.
            self._validation(client, order_id, "bO", "A continuous future is not tradable")
            return
        if instrument.sec_type == "CRYPTO":
            crypto = self._crypto_order(client, order_id, instrument, order, now)
            if crypto is None:
                return
            order = crypto
        kind = order.order_type.upper()
        if kind not in ORDER_TYPES.get(instrument.sec_type, frozenset()):
            self._validation(client, order_id, "bO", f"Unsupported order type: {order.order_type}")
            return
        if order.action.upper() not in ("BUY", "SELL"):
            self._validation(client, order_id, "bO", f"Invalid action: {order.action}")
            return
        if not order.total_quantity:
            self._error(client, order_id, 434)
            return
        if kind in ("LMT", "STP LMT", "LOC", "LIT") and order.lmt_price is None:
            self._validation(client, order_id, "bO", "Limit price is missing")
            return
        if kind in ("STP", "STP LMT") and order.aux_price is None:
            self._validation(client, order_id, "bO", "Stop price is missing")
            return
        if order.tif.upper() == "GTD" and (not order.good_till_date.strip() or parse_end(order.good_till_date, now) is None):
            self._validation(client, order_id, "bO", f"Invalid good till date: {order.good_till_date!r}")
            return
        if kind in ("MIT", "LIT") and order.aux_price is None:
            self._validation(client, order_id, "bO", "Trigger price is missing")
            return
        if kind in ("TRAIL", "TRAIL LIMIT") and order.aux_price is None and order.trailing_percent is None:
            self._validation(client, order_id, "bO", "Trailing amount or percent is missing")
            return
        if kind == "TRAIL LIMIT" and order.lmt_price_offset is None and order.lmt_price is None:
            self._validation(client, order_id, "bO", "Limit price offset is missing")
            return
        account = existing.account if existing is not None else order.account or self.accounts[0]
        trail_changed = existing is not None and not existing.triggered and (
            order.aux_price, order.trailing_percent, order.trail_stop_price,
        ) != (existing.order.aux_price, existing.order.trailing_percent, existing.order.trail_stop_price)
        if account not in self.accounts:
            self._validation(client, order_id, "bB", f"Unknown account: {account}")
            return
        if existing is not None and order.total_quantity < existing.filled:
            reason = f"The order quantity {order.total_quantity} is less than the filled quantity {existing.filled}"
            self._error(client, order_id, 201, reason=reason)
            return
        if existing is not None and existing.reduced and order.total_quantity > existing.quantity:
            # Its group's fills took that much off: a modification does not put it back.
            order = dataclasses.replace(order, total_quantity=existing.quantity)
        self._next_ids[client.client_id] = max(next_id, order_id + 1)
        routed = self.universe.as_routed(instrument, contract)
        if order.what_if:
            # Not placed, so no perm id; but the order reported back carries its own ids, as a placed one does.
            reported = dataclasses.replace(order, order_id=order_id, client_id=client.client_id)
            sim = SimOrder(order_id, client.client_id, 0, instrument, routed, reported, account)
            state = broker.what_if(sim, self.walks.mid(instrument, now))
            self._open_order(client, sim, state)
            return
        if self._margin_refused(client, order_id, instrument, routed, order, now, existing):
            return
        if existing is not None:
            existing.order = dataclasses.replace(
                order, order_id=order_id, client_id=client.client_id, perm_id=existing.perm_id, account=existing.account,
            )
            existing.contract = routed
            if trail_changed:
                existing.trail_stop = None  # a new trail starts from the last price
            if existing.transmitted:
                broker.arm(existing, now)  # an at-close order now, or no longer
            changed, held = [existing], []
            if order.transmit and not existing.transmitted:
                changed = broker.transmit(existing, now)
                held = self._held(changed, now)
            if existing.filled and existing.remaining == 0 and existing.is_active:
                # Cut down to what has filled: the order is done.
                existing.status = "Filled"
                changed = [existing, *broker.settle(existing)]
            self._order_updates(changed)
            self._hold_warnings(client, held, now)
        else:
            sim = broker.add(client.client_id, order_id, instrument, routed, order)
            if order.transmit:
                changed = broker.transmit(sim, now)
                held = self._held(changed, now)
                self._order_updates(changed)
                self._hold_warnings(client, held, now)
        self._match(now)

    def _crypto_order(self, client: _Client, order_id: int, instrument: Instrument, order: Order, now: float) -> Order | None:
        """IB's rules for a crypto order (``None``: refused with TWS's error).

        Market, limit and stop-limit orders only (387 otherwise, and for a time in
        force other than DAY, GTC and IOC); a market order must be IOC (201) and a
        market buy is sized in cash (10289 without ``cash_qty``, 10293 with a size
        as well); a size below the contract's minimum is refused (388).  A cash
        buy becomes the quantity the cash buys from the displayed asks, rounded
        down to the size increment: it fills for the cash amount, no more.
        """
        kind = order.order_type.upper()
        tif = order.tif.upper() or "DAY"
        if kind not in ORDER_TYPES["CRYPTO"] or tif not in CRYPTO_TIFS:
            self._error(client, order_id, 387)
            return None
        if kind == "MKT" and tif != "IOC":
            self._error(client, order_id, 201, reason="The crypto MKT order must be IOC")
            return None
        cash = order.cash_qty
        if kind == "MKT" and order.action.upper() == "BUY":
            if cash is None or cash <= 0:
                self._error(client, order_id, 10289)
                return None
            if order.total_quantity:
                self._error(client, order_id, 10293)
                return None
            step = instrument.size_increment
            left = Decimal(str(cash))
            quantity = Decimal(0)
            for level in self.walks.book(instrument, now).asks:
                price = Decimal(str(level.price))
                size = min(level.size, (left / price / step).to_integral_value(ROUND_FLOOR) * step)
                quantity += size
                left -= size * price
                if size < level.size:
                    break
            order = dataclasses.replace(order, total_quantity=quantity)
        elif cash is not None and order.total_quantity:
            self._error(client, order_id, 10293)
            return None
        minimum = instrument.min_size or instrument.size_increment
        if order.total_quantity and order.total_quantity < minimum:
            self._error(client, order_id, 388)
            return None
        return order

    def _in_session(self, sim: SimOrder, now: float) -> bool:
        """Whether the order's venue trades for it at ``now`` (always, without the
        sessions; in extended hours only with ``outside_rth``)."""
        if not self.sessions:
            return True
        moment = phase(sim.instrument, now, holidays=self.holidays)
        return moment is Phase.REGULAR or (moment is Phase.EXTENDED and sim.order.outside_rth)

    def _held(self, orders: list[SimOrder], now: float) -> list[SimOrder]:
        """Hold (``PreSubmitted``) the transmitted orders whose venue is closed for
        them, as IB holds an order until the open; the first matching pass in
        session submits them.  The orders held."""
        held = []
        for sim in orders:
            if sim.status == "Submitted" and sim.close_at is None and not self._in_session(sim, now):
                sim.status = "PreSubmitted"
                held.append(sim)
        return held

    def _hold_warnings(self, client: _Client, held: list[SimOrder], now: float) -> None:
        """TWS's warning (399) on each order just held, after its status: when the
        order goes to the exchange (the regular open, the pre-market's with ``outsideRth``)."""
        for sim in held:
            opens = next_open(sim.instrument, now, regular=not sim.order.outside_rth, holidays=self.holidays)
            self._error(client, sim.order_id, 399, **self._hold_parts(sim, opens))

    @staticmethod
    def _hold_parts(sim: SimOrder, opens: float) -> dict[str, str]:
        """The parts of TWS's text: the order (side, size, symbol, listing venue) and
        when it goes out, in the venue's zone under the name TWS gives it."""
        contract = sim.contract
        venue = contract.primary_exchange or contract.exchange
        venue = _VENUE_NAMES.get(venue, venue)
        zone = venue_of(sim.instrument).zone
        at = _dt.datetime.fromtimestamp(opens, zone)
        size = format(sim.quantity.normalize(), "f")
        return {
            "order": f"{sim.order.action.upper()} {size} {contract.local_symbol or contract.symbol} {venue}",
            "until": f"{at:%Y-%m-%d %H:%M:%S} {_ZONE_NAMES.get(zone.key, zone.key)}",
        }

    def _margin_refused(
        self, client: _Client, order_id: int, instrument: Instrument, contract: Contract, order: Order, now: float,
        existing: SimOrder | None = None,
    ) -> bool:
        """Refuse (error 201) an order whose fill would leave the equity with loan value
        below the initial margin, as IB's pre-trade check does; what-if shows the same numbers.
        A modification is checked as the order it becomes (what is left of it to fill),
        in place of the order it replaces."""
        assert client.client_id is not None
        account = order.account or self.accounts[0] if existing is None else existing.account
        sim = SimOrder(order_id, client.client_id, 0, instrument, contract, order, account)
        if existing is not None:
            sim.filled = existing.filled
        before, after, _ = self.broker.check(sim, self.walks.mid(instrument, now), replaces=existing)
        if after["InitMarginReq"] <= before["InitMarginReq"] or after["AvailableFunds"] >= 0:
            return False
        reason = (
            "YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE "
            f"[{after['EquityWithLoanValue']:.2f} USD] MUST EXCEED THE INITIAL MARGIN [{after['InitMarginReq']:.2f} USD]"
        )
        self._error(client, order_id, 201, reason=reason)
        return True

    def _on_ExerciseOptions(self, client: _Client, message: Any, now: float) -> None:
        """Exercise or lapse instructions for a cash-settled (European) option: they
        take effect at expiry (exercise: settle at intrinsic value, which IB does
        anyway for an option in the money; lapse: expire worthless)."""
        req_id = int(message.req_id)
        instrument = self._resolve(client, req_id, message.contract)
        if instrument is None:
            return
        account = message.account or self.accounts[0]
        if account not in self.accounts:
            self._validation(client, req_id, "bB", f"Unknown account: {account}")
            return
        if instrument.sec_type != "OPT":
            self._validation(client, req_id, "bO", "Only options can be exercised")
            return
        if not instrument.cash_settled:
            self._validation(client, req_id, "bO", "Exercise of physically settled options is not simulated")
            return
        expiry = self.universe.expiry_time(instrument)
        if expiry is not None and expiry <= now:
            self._error(client, req_id, 200)
            return
        if message.exercise_action not in (1, 2):
            self._validation(client, req_id, "bO", f"Invalid exercise action: {message.exercise_action}")
            return
        held = next((p.quantity for p in self.broker.positions(account) if p.instrument.con_id == instrument.con_id), Decimal(0))
        quantity = Decimal(int(message.exercise_quantity))
        if quantity <= 0 or quantity > held:
            self._validation(client, req_id, "bO", f"Exercise quantity {quantity} exceeds the long position {held}")
            return
        key = (account, instrument.con_id)
        if message.exercise_action == 2:
            self.broker.lapses[key] = self.broker.lapses.get(key, Decimal(0)) + quantity
        else:
            self.broker.lapses.pop(key, None)

    def _expire(self, now: float) -> None:
        """Settle the options and futures that expired by ``now``: an option at its
        intrinsic value (in cash, or by delivering the underlying at the strike
        when it is not cash-settled), a future at its price then."""
        expiries = self.universe.expiries
        index = bisect.bisect_right(expiries, self._expired_until)
        if index >= len(expiries) or expiries[index] > now:
            return
        self._expired_until = now

        def settlement(instrument: Instrument) -> float:
            if instrument.sec_type == "FUT":
                tick = instrument.min_tick
                return round(round(self.walks.mid(instrument, now) / tick) * tick, 8)
            underlying = self.universe.underlying(instrument)
            spot = 0.0 if underlying is None else self.walks.mid(underlying, now)
            strike = instrument.contract.strike or 0.0
            value = spot - strike if instrument.contract.right == "C" else strike - spot
            return round(max(value, 0.0), 2)

        def delivers(instrument: Instrument) -> Instrument | None:
            return None if instrument.cash_settled else self.universe.underlying(instrument)

        settled, cancelled = self.broker.expire(now, self.universe.expiry_time, settlement, delivers)
        for sim in cancelled:
            for owner in self._owner(sim.client_id):
                self._open_order(owner, sim)
                self._order_status(owner, sim)
                self._error(owner, sim.order_id, 202)
        if settled or cancelled:
            self._after_change()

    def _on_CancelOrder(self, client: _Client, message: Any, now: float) -> None:
        assert client.client_id is not None
        sim = self.broker.find(client.client_id, int(message.order_id))
        if sim is None:
            self._error(client, message.order_id, 10147, id=message.order_id)
            return
        if not sim.is_active:
            self._error(client, message.order_id, 10148, id=message.order_id, state=sim.status)
            return
        self._cancelled(self.broker.cancel(sim))

    def _on_ReqGlobalCancel(self, client: _Client, message: Any, now: float) -> None:
        broker = self.broker
        changed: list[SimOrder] = []
        for sim in list(broker.orders.values()):
            if sim.is_active:
                changed += broker.cancel(sim)
        self._cancelled(changed)

    def _cancelled(self, orders: list[SimOrder]) -> None:
        for sim in orders:
            for owner in self._owner(sim.client_id):
                self._order_status(owner, sim)
                self._error(owner, sim.order_id, 202)
        self._after_change()

    def _on_ReqOpenOrders(self, client: _Client, message: Any, now: float) -> None:
        self._open_orders(client, every_client=False)

    def _on_ReqAllOpenOrders(self, client: _Client, message: Any, now: float) -> None:
        self._open_orders(client, every_client=True)

    def _on_ReqAutoOpenOrders(self, client: _Client, message: Any, now: float) -> None:
        client.auto_open_orders = bool(message.auto_bind)

    def _on_ReqCompletedOrders(self, client: _Client, message: Any, now: float) -> None:
        # Every simulated order is an API order, so api_only changes nothing.
        for sim in self.broker.orders.values():
            if sim.status not in ("Filled", "Cancelled") or not sim.transmitted:
                continue
            order = dataclasses.replace(sim.order, perm_id=sim.perm_id)
            last = max((f.time for f in self.broker.fills if f.order is sim), default=now)
            state = OrderState(
                status=sim.status, completed_time=time.strftime("%Y%m%d %H:%M:%S", time.gmtime(last)) + " UTC",
                completed_status="Filled Size: " + str(sim.filled) if sim.status == "Filled" else "Cancelled by Trader",
                commission_and_fees=sim.commission or None, commission_and_fees_currency="USD",
            )
            self._send(client, CompletedOrder(contract=sim.contract, order=order, order_state=state))
        self._send(client, CompletedOrdersEnd())

    def _open_orders(self, client: _Client, *, every_client: bool) -> None:
        for sim in self.broker.orders.values():
            if not sim.is_active or not sim.transmitted:
                continue
            if not every_client and sim.client_id != client.client_id:
                continue
            self._open_order(client, sim)
            self._order_status(client, sim)
        self._send(client, OpenOrderEnd())

    def _open_order(self, client: _Client, sim: SimOrder, state: OrderState | None = None) -> None:
        if state is None:
            state = OrderState(status=sim.status)
        order = dataclasses.replace(sim.order, perm_id=sim.perm_id)
        if sim.trail_stop is not None:
            # A trailing order reports where its stop stands now, as TWS does.
            order = dataclasses.replace(order, trail_stop_price=sim.trail_stop)
        self._send(client, OpenOrder(order_id=sim.order_id, contract=sim.contract, order=order, order_state=state))

    def _order_status(self, client: _Client, sim: SimOrder) -> None:
        self._send(client, OrderStatus(
            order_id=sim.order_id, status=sim.status, filled=sim.filled, remaining=sim.remaining,
            avg_fill_price=sim.avg_fill_price, perm_id=sim.perm_id, parent_id=sim.order.parent_id,
            last_fill_price=sim.last_fill_price, client_id=sim.client_id, why_held="", mkt_cap_price=0.0,
        ))

    def _order_updates(self, orders: list[SimOrder]) -> None:
        for sim in orders:
            for owner in self._owner(sim.client_id):
                self._open_order(owner, sim)
                self._order_status(owner, sim)
        self._schedule_match()

    def _schedule_match(self) -> None:
        """When the broker next has work: a matching pass a tick from now while orders
        work in the continuous market, the closing auction an at-close order waits for."""
        if self.broker.continuous():
            if self._match_due is None:
                self._match_due = self._now + self.tick_interval
        else:
            self._match_due = None
        self._auction_due = self.broker.next_close()

    def _match(self, now: float) -> None:
        def can_trade(sim: SimOrder) -> bool:
            return sim.instrument.con_id not in self._halted and self._in_session(sim, now)

        # One quote and book per instrument per pass (they depend only on the
        # instrument and the time): a pass over many resting orders stays cheap,
        # and a gateway busy matching would read late and count bursts it never got.
        markets: dict[int, tuple[Quote, Book]] = {}

        def market(instrument: Instrument) -> tuple[Quote, Book]:
            known = markets.get(instrument.con_id)
            if known is None:
                known = markets[instrument.con_id] = (
                    self.walks.quote(instrument, now), self.walks.book(instrument, now)
                )
            return known

        fills, changed, moved = self.broker.match(now, market, can_trade, at=self.walks.drawn(now))
        self._report_pass(fills, changed)
        for sim in moved:
            # TWS re-sends a trailing order (openOrder, orderStatus) each time its stop moves.
            for owner in self._owner(sim.client_id):
                self._open_order(owner, sim)
                self._order_status(owner, sim)
        self._match_due = None
        self._schedule_match()

    def _auction(self, now: float) -> None:
        """The closes that came by ``now``: their at-close orders execute at the closing
        price (the last trade price before the close, as the daily bar closes)."""

        def closing_price(sim: SimOrder) -> float:
            assert sim.close_at is not None
            return self.walks.close_price(sim.instrument, sim.close_at)

        def can_trade(sim: SimOrder) -> bool:
            return sim.instrument.con_id not in self._halted

        fills, changed = self.broker.auction(now, closing_price, can_trade)
        self._report_pass(fills, changed)
        self._schedule_match()

    def _report_pass(self, fills: list[Fill], changed: list[SimOrder]) -> None:
        """Tell the owners of the orders a matching pass or an auction filled or changed."""
        for fill in fills:
            self._report_fill(fill)
        reported = {id(f.order): f.status for f in fills}
        for sim in changed:
            if reported.get(id(sim)) == sim.status:
                continue
            for owner in self._owner(sim.client_id):
                self._open_order(owner, sim)
                self._order_status(owner, sim)
                if sim.status == "Cancelled":
                    self._error(owner, sim.order_id, 202)
        if fills or changed:
            self._after_change()

    @staticmethod
    def _exchange(sim: SimOrder) -> str:
        """The exchange an order's executions report."""
        return sim.instrument.contract.primary_exchange or sim.instrument.contract.exchange

    def _execution(self, fill: Fill) -> Execution:
        sim = fill.order
        return Execution(
            exec_id=fill.exec_id, time=time.strftime("%Y%m%d %H:%M:%S", time.gmtime(fill.time)) + " UTC",
            acct_number=sim.account, exchange=self._exchange(sim),
            side="BOT" if sim.is_buy else "SLD", shares=fill.shares, price=fill.price, perm_id=sim.perm_id,
            client_id=sim.client_id, order_id=sim.order_id, cum_qty=fill.cum_qty, avg_price=fill.avg_price,
            order_ref=sim.order.order_ref, last_liquidity=2,
        )

    def _commission(self, fill: Fill) -> CommissionAndFeesReport:
        return CommissionAndFeesReport(
            exec_id=fill.exec_id, commission_and_fees=fill.commission, currency="USD",
            realized_pnl=None if fill.realized_pnl is None else round(fill.realized_pnl, 2), yield_=None, yield_redemption_date=0,
        )

    def _report_fill(self, fill: Fill) -> None:
        sim = fill.order
        for owner in self._owner(sim.client_id):
            self._send(owner, ExecutionData(req_id=-1, contract=sim.contract, execution=self._execution(fill)))
            self._open_order(owner, sim, OrderState(status=fill.status))
            self._send(owner, OrderStatus(
                order_id=sim.order_id, status=fill.status, filled=fill.cum_qty, remaining=sim.quantity - fill.cum_qty,
                avg_fill_price=fill.avg_price, perm_id=sim.perm_id, parent_id=sim.order.parent_id,
                last_fill_price=fill.price, client_id=sim.client_id, why_held="", mkt_cap_price=0.0,
            ))
            self._send(owner, self._commission(fill))

    def _on_ReqExecutions(self, client: _Client, message: Any, now: float) -> None:
        flt = message.exec_filter
        # Fills at or after the filter's time (read as an end time is; unreadable: no limit).
        since = parse_end(flt.time, now) if flt.time.strip() else None
        for fill in self.broker.fills:
            sim = fill.order
            if since is not None and fill.time < since:
                continue
            if flt.exchange and self._exchange(sim) != flt.exchange.upper():
                continue
            if flt.client_id and sim.client_id != flt.client_id:
                continue
            if flt.acct_code and sim.account != flt.acct_code:
                continue
            if flt.symbol and sim.instrument.symbol != flt.symbol.upper():
                continue
            if flt.sec_type and sim.instrument.sec_type != flt.sec_type.upper():
                continue
            if flt.side and ("BOT" if sim.is_buy else "SLD") != flt.side.upper() and flt.side.upper() != ("BUY" if sim.is_buy else "SELL"):
                continue
            self._send(client, ExecutionData(req_id=message.req_id, contract=sim.contract, execution=self._execution(fill)))
            self._send(client, self._commission(fill))
        self._send(client, ExecutionDataEnd(req_id=message.req_id))

