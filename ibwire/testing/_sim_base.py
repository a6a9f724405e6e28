"""The simulator core's shared state and plumbing, which its request handlers build on.

:class:`CoreBase` declares the state :class:`~.simulator.SimulatorCore` keeps
(clients, streams, the lazy universe, walks and broker) and the helpers every
handler uses (send, error, resolve a contract).  The handlers live in mixins by
concern: market data (``_sim_market``), orders (``_sim_orders``) and accounts
(``_sim_accounts``).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Final

from ..errors import LocalProtocolError, UnsupportedByServerError
from ..messages import (
    ErrMsg,
    Message,
)
from ..messages.common import Contract
from ..protocol import ServerProtocol
from ..versions import ServerVersion
from ._broker import Broker
from ._market import (
    Quote,
    Walks,
)
from ._server import Action, Close, Write
from ._universe import Instrument, Universe

__all__ = ["ERROR_TEXTS", "CoreBase", "_Client", "_Stream"]

#: The text of each error the simulator sends (IB's own wording where known).
ERROR_TEXTS: Final[dict[int, str]] = {
    100: "Max rate of messages per second has been exceeded:max={max} rec={rec} (1)",
    101: "Max number of tickers has been reached",
    102: "Duplicate ticker ID",
    103: "Duplicate order id",
    104: "Can't modify a filled order",
    135: "Can't find order with id ={id}",
    162: "Historical Market Data Service error message:{detail}",
    200: "No security definition has been found for the request",
    201: "Order rejected - reason:{reason}",
    202: "Order Canceled - reason:",
    300: "Can't find EId with tickerId:{id}",
    309: "Max number (3) of market depth requests has been reached",
    320: "Error reading request. {detail}",
    321: "Error validating request.-'{part}' : cause - {detail}",
    326: "Unable to connect as the client id is already in use.  Retry with a unique client id.",
    354: "Requested market data is not subscribed.Delayed market data is available.{symbol} {exchange}/TOP/ALL",
    366: "No historical data query found for ticker id:{id}",
    387: "Unsupported order type for this exchange and security type.",
    388: "Order size is smaller than the minimum requirement.",
    399: "Order Message:\n{order}\nWarning: your order will not be placed at the exchange until {until}",
    434: "The order size cannot be zero",
    1100: "Connectivity between IB and Trader Workstation has been lost.",
    1101: "Connectivity between IB and Trader Workstation has been restored - data lost.",
    1102: "Connectivity between IB and Trader Workstation has been restored - data maintained.",
    2103: "Market data farm connection is broken:usfarm",
    2104: "Market data farm connection is OK:usfarm",
    2105: "HMDS data farm connection is broken:ushmds",
    2106: "HMDS data farm connection is OK:ushmds",
    2107: "HMDS data farm connection is inactive but should be available upon demand.ushmds",
    2108: "Market data farm connection is inactive but should be available upon demand.usfarm",
    2157: "Sec-def data farm connection is broken:secdefnj",
    2158: "Sec-def data farm connection is OK:secdefnj",
    10147: "OrderId {id} that needs to be cancelled is not found.",
    10148: "OrderId {id} that needs to be cancelled cannot be cancelled, state: {state}.",
    10167: "Requested market data is not subscribed. Displaying delayed market data.",
    10276: "News feed is not allowed.",
    10289: "You must set Cash Quantity for this order",
    10293: "Cryptocurrency Cash Quantity order cannot specify size",
    10358: "Fundamentals data is not allowed.",
}


# ---------------------------------------------------------------- state


@dataclass
class _Stream:
    kind: str  # mkt, depth, tbt, rtb, hist, scan
    req_id: int
    instrument: Instrument
    due: float
    interval: float
    params: dict[str, Any] = field(default_factory=dict)
    last: Quote | None = None


@dataclass
class _Client:
    conn: int
    server: ServerProtocol
    connected_at: float
    client_id: int | None = None
    ready: bool = False
    closed: bool = False
    paced: bool = False
    window: deque[float] = field(default_factory=deque)
    #: The time the rate window last counted a message at (arrival jitter included).
    arrival: float = 0.0
    backlog: deque[Message] = field(default_factory=deque)
    market_data_type: int = 0
    streams: dict[tuple[str, int], _Stream] = field(default_factory=dict)
    account_updates: str | None = None
    positions: bool = False
    summaries: dict[int, tuple[str, ...]] = field(default_factory=dict)
    pnl: dict[int, str] = field(default_factory=dict)
    pnl_single: dict[int, tuple[str, int]] = field(default_factory=dict)
    auto_open_orders: bool = False
    account_multi: dict[int, str] = field(default_factory=dict)
    positions_multi: dict[int, str] = field(default_factory=dict)

    @property
    def version(self) -> int:
        return self.server.server_version or 0


def _without(message: Message, feature: str) -> Message | None:
    """``message`` with the field ``feature`` (``Message.field`` or
    ``Message.object.field``) reset to its default; ``None`` when ``feature`` names
    no such field (the message itself is too new)."""
    path = feature.split(".")[1:]
    if not path:
        return None

    def reset(obj: Any, names: list[str]) -> Any:
        if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
            return None
        spec = next((f for f in dataclasses.fields(obj) if f.name == names[0]), None)
        if spec is None:
            return None
        if len(names) > 1:
            value = reset(getattr(obj, names[0]), names[1:])
            if value is None:
                return None
        elif spec.default is not dataclasses.MISSING:
            value = spec.default
        elif spec.default_factory is not dataclasses.MISSING:
            value = spec.default_factory()
        else:
            return None
        if value == getattr(obj, names[0]):
            return None  # nothing to drop: do not loop
        return dataclasses.replace(obj, **{names[0]: value})

    lighter = reset(message, path)
    return lighter if isinstance(lighter, Message) else None


class CoreBase:
    """State and plumbing shared by the simulator's handler mixins."""

    seed: int
    accounts: tuple[str, ...]
    no_permission: frozenset[str]
    server_version: int
    max_rate: int
    arrival_jitter: float
    _arrivals: random.Random
    tick_interval: float
    start_order_id: int
    unhandled: list[str]
    send_failures: list[str]
    _clients: dict[int, _Client]
    _actions: list[Action]
    _ib_connected: bool
    _next_ids: dict[int, int]
    _history_log: list[tuple[float, tuple[object, ...], tuple[object, ...], int]]
    _match_due: float | None
    _auction_due: float | None
    _halted: set[int]
    sessions: bool
    holidays: bool
    _pnl_due: float | None
    _accounts_due: float | None
    _expired_until: float
    _universe: Universe | None
    _walks: Walks | None
    _broker: Broker | None
    _now: float

    # ------------------------------------------------------------ lazy state

    @property
    def universe(self) -> Universe:
        """The instruments (dated from the first time the core saw)."""
        if self._universe is None:
            self._universe = Universe(_dt.datetime.fromtimestamp(self._now, _dt.timezone.utc).date())
        return self._universe

    @property
    def walks(self) -> Walks:
        """The prices of every instrument (read off their paths)."""
        if self._walks is None:
            self._walks = Walks(self.seed, self.universe, self.tick_interval)
        return self._walks

    @property
    def broker(self) -> Broker:
        """Orders, executions, positions and account values."""
        if self._broker is None:
            self._broker = Broker(self.accounts, lambda i: self.walks.mid(i, self._now), self._spot, self._rate)
            self._broker.holidays = self.holidays
            self._broker.sessions = self.sessions
        return self._broker

    def _rate(self, currency: str) -> float:
        """USD per unit of ``currency``: the mid of its pair against USD (1 for USD)."""
        if currency in ("", "USD"):
            return 1.0
        pair = next(
            (i for i in self.universe.instruments
             if i.sec_type == "CASH" and i.symbol == currency and i.contract.currency == "USD"),
            None,
        )
        if pair is None:
            raise ValueError(f"no exchange rate for {currency}")
        return self.walks.mid(pair, self._now)

    def _spot(self, instrument: Instrument) -> float | None:
        underlying = self.universe.underlying(instrument)
        return None if underlying is None else self.walks.mid(underlying, self._now)

    # ------------------------------------------------------------ plumbing

    def _flush(self) -> None:
        for client in self._clients.values():
            data = client.server.data_to_send()
            if data:
                self._actions.append(Write(client.conn, data))
        for conn in [c for c, client in self._clients.items() if client.closed]:
            self._actions.append(Close(conn))
            del self._clients[conn]

    def _close(self, client: _Client) -> None:
        """Close after what is queued for the client has been written."""
        data = client.server.data_to_send()
        if data:
            self._actions.append(Write(client.conn, data))
        client.server.close()
        client.closed = True

    def _send(self, client: _Client, message: Message) -> None:
        """Send ``message`` as the client's version carries it: a field that needs a
        newer version is left out (reset to its default), as TWS does for an older
        client; a message the version cannot carry at all is not sent."""
        if client.closed or client.server.codec is None:
            return
        while True:
            try:
                client.server.send(message)
                return
            except UnsupportedByServerError as exc:
                lighter = _without(message, exc.feature)
                if lighter is None:
                    self.send_failures.append(f"{type(message).__name__} at {client.version}: {exc}")
                    return
                message = lighter
            except LocalProtocolError as exc:
                self.send_failures.append(f"{type(message).__name__} at {client.version}: {exc}")
                return

    def _error(self, client: _Client, req_id: int, code: int, text: str | None = None, **parts: object) -> None:
        if text is None:
            template = ERROR_TEXTS.get(code, "")
            try:
                text = template.format(**parts)
            except (KeyError, IndexError):
                text = template
        error_time = int(self._now * 1000) if client.version >= ServerVersion.ERROR_TIME else None
        self._send(client, ErrMsg(req_id=req_id, error_code=code, error_string=text, error_time=error_time))

    def _admit(self, client: _Client, now: float) -> bool:
        """Count one message against the rate limit; ``False`` when over it.

        Without ``+PACEAPI`` the client gets error 100 and is disconnected, like
        TWS; with it the message waits (the caller queues it).  The window is one
        second of the gateway's arrival times: ``now``, or with ``arrival_jitter``
        up to that much later (seeded, never out of order).
        """
        if self.arrival_jitter:
            # The gateway's clock stamps each message up to arrival_jitter late, in
            # the order they came: a burst may be counted a little after it left.
            now = max(client.arrival, now + self.arrival_jitter * self._arrivals.random())
            client.arrival = now
        window = client.window
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) < self.max_rate:
            window.append(now)
            return True
        if not client.paced:
            self._error(client, -1, 100, max=self.max_rate, rec=len(window) + 1)
            self._close(client)
        return False

    def _resolve(
        self, client: _Client, req_id: int, contract: Contract, *, history: bool = False
    ) -> Instrument | None:
        """The one instrument ``contract`` names, or ``None`` after TWS's error 200.

        ``include_expired`` finds an expired future's month for history only
        (``history``): IB serves contract details and history of expired
        futures, never quotes or orders (the protobuf form carries the flag in
        every request's contract).
        """
        if contract.include_expired and not history:
            contract = dataclasses.replace(contract, include_expired=False)
        found = self.universe.resolve(contract, self._now)
        if len(found) == 1:
            return found[0]
        if not found:
            self._error(client, req_id, 200)
        else:
            self._error(
                client, req_id, 200,
                f"The contract description specified for {contract.symbol} is ambiguous.",
            )
        return None

    def _validation(self, client: _Client, req_id: int, code: str, detail: str) -> None:
        self._error(client, req_id, 321, part=code, detail=detail)

    def _owner(self, client_id: int) -> list[_Client]:
        return [c for c in self._clients.values() if c.ready and not c.closed and c.client_id == client_id]

    def _next_id(self, client_id: int) -> int:
        return self._next_ids.get(client_id, self.start_order_id)

    def _scan(self, client: _Client, stream: _Stream, now: float) -> None:
        """Send a scanner subscription's rows (the reference mixin)."""
        raise NotImplementedError

    def _send_ticks(self, client: _Client, req_id: int, instrument: Instrument, what: str, seconds: list[int]) -> None:
        """Send the historical ticks of ``seconds`` (the reference mixin)."""
        raise NotImplementedError

    def _tick_seconds(self, instrument: Instrument, anchor: int, until: int | None, count: int, rth: bool) -> list[int]:
        """The trading seconds historical ticks fall on (the reference mixin)."""
        raise NotImplementedError

    def _after_change(self) -> None:
        """Positions or cash changed: tell every subscriber (the accounts mixin)."""
        raise NotImplementedError
