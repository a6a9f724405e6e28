"""``ibwire demo``: a narrated tour of a trading session.

It starts the simulator in-process (or connects to ``--host``/``--port``) and
walks through what a strategy does: connect, read the account, stream quotes,
fetch bars, place a bracket order and follow it to its fills, read positions
and P&L, disconnect.  Every step uses the public threaded client, so the code
doubles as an example.
"""

from __future__ import annotations

import argparse
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, TextIO

from .errors import ApiError, IBWireError, RequestTimeoutError
from .messages import (
    CommissionAndFeesReport,
    Contract,
    ExecutionData,
    Order,
    OrderStatus,
    Pnl,
    TickPrice,
    TickType,
)
from .sync import Client, Wrapper
from .testing.simulator import SimulatedGateway

__all__ = ["run"]

_BID: Final = frozenset({TickType.BID, TickType.DELAYED_BID})
_ASK: Final = frozenset({TickType.ASK, TickType.DELAYED_ASK})
_LAST: Final = frozenset({TickType.LAST, TickType.DELAYED_LAST})
# The order reference of the demo's orders: what cancel_orders selects them by.
_ORDER_REF: Final = "ibwire-demo"
# Paper accounts start with DU (individual) or DF (advisor): orders go elsewhere only.
_PAPER_PREFIXES: Final = ("DU", "DF")
_SUMMARY_TAGS: Final = "NetLiquidation,TotalCashValue,BuyingPower,AvailableFunds"


class _Events(Wrapper):
    """Order events, handed from the reader thread to the narrator."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[OrderStatus | ExecutionData | CommissionAndFeesReport] = (
            queue.SimpleQueue()
        )
        self._lock = threading.Lock()
        # The fills of the demo's orders: execution id -> (contract id, signed quantity).
        self._fills: dict[str, tuple[int, Decimal]] = {}

    def order_status(self, message: OrderStatus) -> None:
        self.queue.put(message)

    def exec_details(self, message: ExecutionData) -> None:
        execution = message.execution
        if execution.order_ref == _ORDER_REF and execution.shares is not None:
            signed = execution.shares if execution.side == "BOT" else -execution.shares
            with self._lock:
                self._fills[execution.exec_id] = (message.contract.con_id, signed)
        self.queue.put(message)

    def held(self, con_id: int) -> Decimal:
        """The position the demo's own fills opened in ``con_id`` (not the account's)."""
        with self._lock:
            return sum((q for c, q in self._fills.values() if c == con_id), Decimal(0))

    def commission_and_fees_report(self, message: CommissionAndFeesReport) -> None:
        self.queue.put(message)


@dataclass
class _Placed:
    """What the demo's orders trade and their names in the narration, for the clean-up."""

    contract: Contract | None = None
    names: dict[int, str] = field(default_factory=dict)


class _Narrator:
    def __init__(self, out: TextIO, clock: Callable[[], float]) -> None:
        self.out = out
        self.clock = clock
        self.started = clock()
        self.step = 0

    def title(self, text: str) -> None:
        self.step += 1
        self.say("")
        self.say(f"{self.step}. {text}", indent=0)

    def say(self, text: str, indent: int = 3) -> None:
        print(" " * indent + text if text else "", file=self.out, flush=True)

    def elapsed(self) -> float:
        return self.clock() - self.started


def _money(value: str) -> str:
    try:
        return f"{float(value):>16,.2f}"
    except ValueError:
        return f"{value:>16}"


def _round_tick(price: float, tick: float) -> float:
    return round(round(price / tick) * tick, 6)


def _utc(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run ``ibwire demo``; returns the exit status."""
    stream = out if out is not None else sys.stdout
    clock = time.monotonic
    say = _Narrator(stream, clock)
    quote_seconds, bracket_seconds = (1.0, 1.5) if args.quick else (4.0, 4.0)
    gateway: SimulatedGateway | None = None
    if args.port is None:
        gateway = SimulatedGateway(seed=args.seed, port=0, tick_interval=0.25).start()
        port = gateway.port
        where = f"the built-in simulator on 127.0.0.1:{port} (seed {args.seed})"
        host = "127.0.0.1"
    else:
        host, port = args.host, args.port
        where = f"{host}:{port}"
    say.say(f"ibwire demo: a paper-trading session against {where}", indent=0)
    events = _Events()
    client = Client(events, host=host, port=port, client_id=args.client_id, timeout=15.0)
    placed = _Placed()
    try:
        return _tour(client, events, say, placed, args.symbol, quote_seconds, bracket_seconds)
    except KeyboardInterrupt:
        return _abandon(client, events, say, placed, "interrupted", 130)
    except IBWireError as exc:
        print(f"ibwire demo: {type(exc).__name__}: {exc}", file=sys.stderr)
        return _abandon(client, events, say, placed, "stopped by that error", 1)
    finally:
        client.disconnect()
        if gateway is not None:
            gateway.stop()


def _tour(
    client: Client,
    events: _Events,
    say: _Narrator,
    placed: _Placed,
    symbol: str,
    quote_seconds: float,
    bracket_seconds: float,
) -> int:
    # ------------------------------------------------------------ connect
    say.title("Connect")
    started = say.clock()
    client.connect()
    account = client.accounts[0] if client.accounts else ""
    say.say(
        f"connected as client {client.client_id} in {(say.clock() - started) * 1000:.0f} ms: "
        f"server version {client.server_version}, account {account or '-'}"
    )
    say.say(f"server time {_utc(client.current_time())}")
    # Live data where the account has it, delayed data elsewhere (no error 354).
    client.req_market_data_type(3)

    # ------------------------------------------------------------ account
    say.title(f"Account summary ({account})")
    for item in client.account_summary(_SUMMARY_TAGS):
        say.say(f"{item.tag:<18}{_money(item.value)} {item.currency}")

    # ------------------------------------------------------------ contract and quotes
    query = Contract(symbol=symbol, sec_type="STK", exchange="SMART", currency="USD")
    details = client.contract_details(query)[0]
    contract = details.contract
    tick = details.min_tick or 0.01
    say.title(f"Streaming quotes for {symbol} for {quote_seconds:g} s")
    say.say(f"{details.long_name or symbol} (contract id {contract.con_id}, "
            f"{contract.primary_exchange}), tick size {tick:g}")
    bid = ask = last = None
    updates = 0
    shown = -1.0
    with client.market_data(contract) as ticks:
        deadline = say.clock() + quote_seconds
        while (left := deadline - say.clock()) > 0:
            try:
                message = ticks.get(timeout=left)
            except RequestTimeoutError:
                break
            if not isinstance(message, TickPrice):
                continue
            if message.tick_type in _BID:
                bid = message.price
            elif message.tick_type in _ASK:
                ask = message.price
            elif message.tick_type in _LAST:
                last = message.price
            else:
                continue
            updates += 1
            now = say.clock()
            # One line per quarter second at most: readable, and still alive.
            # A bid above the ask is half of an update still arriving: wait for the rest.
            if bid is not None and ask is not None and bid <= ask and now - shown >= 0.25:
                shown = now
                last_text = f"{last:>9.2f}" if last is not None else f"{'-':>9}"
                say.say(f"{say.elapsed():5.2f}s  bid {bid:>9.2f}   ask {ask:>9.2f}   "
                        f"last {last_text}")
    say.say(f"{updates} price updates; the subscription is cancelled on leaving the block")

    # ------------------------------------------------------------ history
    say.title(f"Historical bars: {symbol}, the last day in 1-hour bars")
    bars = client.historical_bars(contract, "1 D", "1 hour", "TRADES", use_rth=False)
    if bars:
        low = min(bar.low for bar in bars)
        high = max(bar.high for bar in bars)
        say.say(f"{len(bars)} bars from {bars[0].date} to {bars[-1].date}; "
                f"range {low:.2f} - {high:.2f}")
        say.say(f"{'bar':<24}{'open':>9}{'high':>9}{'low':>9}{'close':>9}{'volume':>12}")
        for bar in bars[-3:]:
            volume = f"{bar.volume:,}" if bar.volume is not None else "-"
            say.say(f"{bar.date:<24}{bar.open:>9.2f}{bar.high:>9.2f}{bar.low:>9.2f}"
                    f"{bar.close:>9.2f}{volume:>12}")
    else:
        say.say("no bars (is the market data farm connected?)")

    # ------------------------------------------------------------ bracket
    say.title(f"A bracket order: buy 10 {symbol}, with a take-profit and a stop-loss")
    if not all(a.startswith(_PAPER_PREFIXES) for a in client.accounts):
        say.say("skipped: this is not a paper account, and the demo only trades on paper")
    else:
        bid, ask = _touch(client, contract, bid, ask)
        if bid is None or ask is None:
            say.say("skipped: no quote to price the order from")
            return _finish(client, say, account)
        # A limit above the ask fills at once (at the ask); the exits sit a few
        # ticks outside the touch (the take-profit above the entry, as a bracket
        # requires), so one of them usually triggers within seconds.
        entry = _round_tick(ask + tick, tick)
        take_profit = _round_tick(ask + 3 * tick, tick)
        stop_loss = _round_tick(bid - 3 * tick, tick)
        margin = client.what_if(contract, Order(action="BUY", order_type="LMT",
                                                 total_quantity=Decimal(10), lmt_price=entry))
        change = margin.init_margin_change
        say.say(f"what-if first: initial margin change {'-' if change is None else f'{change:,.2f}'}, "
                f"commission {margin.commission_and_fees}")
        bracket = client.bracket_order("BUY", 10, entry, take_profit, stop_loss,
                                       order_ref=_ORDER_REF, tif="DAY")
        say.say(f"entry LMT {entry:.2f}, take-profit LMT {take_profit:.2f}, "
                f"stop-loss STP {stop_loss:.2f}")
        placed.contract = contract
        parent, profit, stop = client.place_bracket(contract, bracket)
        placed.names.update({
            parent.order_id: "entry      ",
            profit.order_id: "take-profit",
            stop.order_id: "stop-loss  ",
        })
        _follow(say, events, placed.names, parent.order_id, bracket_seconds)
        if _working(client):
            say.say("neither exit triggered yet: cancel the rest by criteria and close at market")
        _clean_up(client, events, say, placed)

    return _finish(client, say, account)


def _working(client: Client) -> list[int]:
    """The demo's orders not known to be filled or cancelled."""
    return [t.order_id for t in client.tracked_orders if t.order.order_ref == _ORDER_REF]


def _clean_up(client: Client, events: _Events, say: _Narrator, placed: _Placed) -> None:
    """Cancel the demo's working orders, then close the position its fills opened."""
    contract = placed.contract
    if contract is None:
        return
    if _working(client):
        cancelled = client.cancel_orders(order_ref=_ORDER_REF)
        say.say(f"cancel_orders(order_ref={_ORDER_REF!r}) -> orders {cancelled}")
        # A fill may cross the cancel: the position is counted once nothing works.
        _follow(say, events, placed.names, None, 5.0, until=lambda: not _working(client))
    held = events.held(contract.con_id)
    if held:
        order_id = client.place_order(contract, Order(
            action="SELL" if held > 0 else "BUY", order_type="MKT", total_quantity=abs(held),
            order_ref=_ORDER_REF))
        placed.names[order_id] = "close      "
        _follow(say, events, placed.names, order_id, 5.0, until=lambda: not _working(client))


def _abandon(client: Client, events: _Events, say: _Narrator, placed: _Placed, why: str, status: int) -> int:
    """The tour ended early (Ctrl-C, an error): the clean-up of the normal end once
    orders were placed, then ``status``; Ctrl-C during it stops at once."""
    say.say("")
    if placed.contract is None or not client.is_connected:
        say.say(why, indent=0)
        return status
    say.say(f"{why}: cancelling the demo's orders and closing its position "
            "(Ctrl-C again to stop at once)", indent=0)
    try:
        _clean_up(client, events, say, placed)
    except KeyboardInterrupt:
        print(f"ibwire demo: stopped; orders with reference {_ORDER_REF!r} may still be working",
              file=sys.stderr)
        return 130
    except IBWireError as exc:
        print(f"ibwire demo: {type(exc).__name__}: {exc}; orders with reference {_ORDER_REF!r} "
              "may still be working", file=sys.stderr)
    return status


def _touch(
    client: Client, contract: Contract, bid: float | None, ask: float | None
) -> tuple[float | None, float | None]:
    """A fresh bid and ask from a snapshot (the last streamed ones if it has none)."""
    with client.market_data(contract, snapshot=True) as snapshot:
        for message in snapshot:
            if isinstance(message, TickPrice) and message.price > 0:
                if message.tick_type in _BID:
                    bid = message.price
                elif message.tick_type in _ASK:
                    ask = message.price
    return bid, ask


def _finish(client: Client, say: _Narrator, account: str) -> int:
    """The last steps: positions, P&L, disconnect."""
    say.title("Positions and P&L")
    positions = client.request_positions()
    for position in positions:
        say.say(f"{position.account}  {position.contract.symbol:<6} {position.contract.sec_type:<4}"
                f" position {position.position}  average cost {position.avg_cost:.2f}")
    if not positions:
        say.say("no positions")
    if account:
        with client.pnl_updates(account) as pnl_stream:
            try:
                pnl: Pnl = pnl_stream.get(timeout=5.0)
                say.say(f"daily P&L {_signed(pnl.daily_pnl)}, realized {_signed(pnl.realized_pnl)}, "
                        f"unrealized {_signed(pnl.unrealized_pnl)}")
            except (RequestTimeoutError, ApiError) as exc:
                say.say(f"no P&L yet ({exc})")

    # ------------------------------------------------------------ disconnect
    say.title("Disconnect")
    stats = client.pacing_stats
    client.disconnect()
    say.say(f"disconnected; the pacer held {stats.throttled} message(s) back")
    say.say("")
    say.say(f"done in {say.elapsed():.1f} s", indent=0)
    return 0


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+,.2f}"


def _follow(
    say: _Narrator,
    events: _Events,
    names: dict[int, str],
    stop_when_done: int | None,
    seconds: float,
    until: Callable[[], bool] | None = None,
) -> None:
    """Print order events until every bracket order is done or ``seconds`` pass
    (or, with ``until``, it holds once no event came for a tenth of a second)."""
    deadline = say.clock() + seconds
    seen: dict[int, str] = {}
    while (left := deadline - say.clock()) > 0:
        try:
            event = events.queue.get(timeout=left if until is None else min(left, 0.1))
        except queue.Empty:
            if until is None or until():
                break
            continue
        if isinstance(event, OrderStatus):
            if event.order_id not in names or seen.get(event.order_id) == event.status:
                continue
            seen[event.order_id] = event.status
            price = f" at {event.avg_fill_price:.2f}" if event.status == "Filled" else ""
            say.say(f"{say.elapsed():5.2f}s  #{event.order_id} {names[event.order_id]} "
                    f"{event.status}{price}")
            done = {"Filled", "Cancelled", "ApiCancelled", "Inactive"}
            exits = [i for i in names if i != stop_when_done]
            if stop_when_done is not None and seen.get(stop_when_done) == "Filled" and all(
                seen.get(i) in done for i in exits
            ):
                return
        elif isinstance(event, ExecutionData):
            execution = event.execution
            say.say(f"{say.elapsed():5.2f}s  fill: {execution.side} {execution.shares} "
                    f"{event.contract.symbol} @ {execution.price:.2f} (execution {execution.exec_id})")
        else:
            say.say(f"{say.elapsed():5.2f}s  commission {event.commission_and_fees:.2f} "
                    f"{event.currency}")
