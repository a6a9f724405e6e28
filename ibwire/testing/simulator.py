"""The simulator: a deterministic paper-trading gateway for tests and offline work.

:class:`SimulatedGateway` listens on a loopback port and behaves like IB Gateway
logged in to a paper account, for a small built-in universe: AAPL, MSFT (NASDAQ)
and SPY (ARCA) stocks through SMART, the quarterly E-mini S&P 500 futures (ES) on CME,
EUR.USD on IDEALPRO, and AAPL options.  Prices follow one seeded path per
instrument, which quotes and bars of every size read; time comes from an
injectable clock; so two runs with the same seed, clock and requests send the
same bytes.

It serves several clients at once, each with its own client id, and enforces the
gateway's rules with the gateway's error codes: 326 (client id in use, then a
disconnect), 100 (more than 50 messages in one second, then a disconnect; with
``+PACEAPI`` requests are queued instead), 162 (historical pacing and invalid
combinations), 200 (no security definition), 321 (validation), 354 (no market
data permission), 103 (duplicate order id) and others.

Faults can be scheduled: dropping clients, a restart as after the nightly reset
(every client dropped, connections refused for a while), connectivity notices
1100/1101/1102 and farm-status bursts 2103-2108.

:class:`SimulatorCore` is the whole logic, sans-I/O, assembled from handler mixins
by concern (``_sim_market``: market data and history; ``_sim_orders``: orders and
executions; ``_sim_accounts``: account values, positions and P&L; ``_sim_reference``:
historical ticks, histograms, scanner, news, FA and other reference data) over the state
and plumbing of ``_sim_base``, with prices from ``_market``, instruments from
``_universe`` and the paper broker's arithmetic in ``_broker``.  It takes connections, bytes
and ``now`` and returns writes and closes per connection, so tests can drive it
without sockets.  :class:`SimulatedGateway` runs it in a background thread (or in
an asyncio program: ``async with SimulatedGateway() as gateway``).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import heapq
import itertools
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

from ..catalog import REQUESTS
from ..errors import RemoteProtocolError
from ..events import ClientHello, MalformedMessage, UnknownMessage
from ..ids import OutgoingId
from ..messages import (
    ContractData,
    ContractDataEnd,
    CurrentTime,
    CurrentTimeInMillis,
    HeadTimestamp,
    ManagedAccts,
    MarketRule,
    Message,
    NewsProvider,
    NewsProviders,
    NextValidId,
    PriceIncrement,
    ScannerParameters,
    SecurityDefinitionOptionParameter,
    SecurityDefinitionOptionParameterEnd,
    TickGeneric,
    TickType,
    UserInfo,
)
from ..messages.common import Contract
from ..messages.config import (
    ApiConfig,
    ApiSettingsConfig,
    ConfigResponse,
    LockAndExitConfig,
    MessageConfig,
    OrdersConfig,
    OrdersSmartRoutingConfig,
    UpdateConfigResponse,
)
from ..protobuf.config import (
    API_PRECAUTIONS_CONFIG,
    API_SETTINGS_CONFIG,
    LOCK_AND_EXIT_CONFIG,
    ORDERS_SMART_ROUTING_CONFIG,
)
from ..protocol import ServerProtocol
from ..versions import MAX_CLIENT_VERSION
from ._broker import Broker
from ._market import (
    Walks,
    parse_end,
)
from ._server import Action, AsyncServer, ThreadedServer
from ._sessions import trading_hours, venue_of
from ._sim_accounts import AccountHandlers
from ._sim_base import ERROR_TEXTS, _Client
from ._sim_market import MarketDataHandlers
from ._sim_orders import OrderHandlers
from ._sim_reference import SCAN_CODES, ReferenceHandlers
from ._universe import Universe

__all__ = [
    "ERROR_TEXTS",
    "DropClients",
    "Halt",
    "NightlyReset",
    "SimFault",
    "SimulatedGateway",
    "SimulatorCore",
    "SystemNotice",
]


_MARKET_RULES: Final[dict[int, tuple[tuple[float, float], ...]]] = {
    26: ((0.0, 0.01),),
    32: ((0.0, 0.01), (3.0, 0.05)),
    67: ((0.0, 0.25),),
    239: ((0.0, 0.00005),),
}
_NEWS_PROVIDERS: Final = (
    ("BRFG", "Briefing.com General Market Columns"),
    ("BRFUPDN", "Briefing.com Analyst Actions"),
    ("DJNL", "Dow Jones Newsletters"),
)
_SCAN_NAMES: Final = {
    "TOP_PERC_GAIN": "Top % Gainers", "TOP_PERC_LOSE": "Top % Losers", "MOST_ACTIVE": "Most Active",
    "HOT_BY_VOLUME": "Hot Contracts by Volume", "HIGH_OPEN_GAP": "Top Close-to-Open % Gainers",
    "LOW_OPEN_GAP": "Top Close-to-Open % Losers",
}
_SCANNER_XML: Final = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<ScanParameterResponse>'
    "<InstrumentList><Instrument><name>US Stocks</name><type>STK</type></Instrument>"
    "</InstrumentList><ScanTypeList>"
    + "".join(
        f"<ScanType><displayName>{_SCAN_NAMES[code]}</displayName><scanCode>{code}</scanCode>"
        "<instruments>STK</instruments></ScanType>"
        for code in SCAN_CODES
    )
    + "</ScanTypeList></ScanParameterResponse>\n"
)

#: The Gateway's settings as ``reqConfig`` reports them, as far as the simulator
#: follows them (orders accepted, no open orders sent on connection, loopback only).
_CONFIG: Final = ConfigResponse(
    req_id=-1,
    lock_and_exit=LockAndExitConfig(auto_logoff_time="11:45 PM", auto_logoff_type="Restart"),
    api=ApiConfig(settings=ApiSettingsConfig(
        read_only_api=False,
        download_open_orders_on_connection=False,
        master_client_id=0,
        allow_localhost_only=True,
    )),
    orders=OrdersConfig(smart_routing=OrdersSmartRoutingConfig(seek_price_improvement=True)),
)

#: Settings class -> attribute -> protobuf field name, for ``changedFields``.
_CONFIG_FIELDS: Final = {
    m.cls: {link.attr: link.pb for link in m.links}
    for m in (LOCK_AND_EXIT_CONFIG, API_PRECAUTIONS_CONFIG, API_SETTINGS_CONFIG, ORDERS_SMART_ROUTING_CONFIG)
}


def _merged_config(current: Any, update: Any, changed: list[str]) -> Any:
    """``current`` (a settings object or ``None``) with the fields ``update`` sets;
    the protobuf names of the fields whose value changes are appended to ``changed``."""
    if update is None:
        return current
    if current is None:
        current = type(update)()
    names = _CONFIG_FIELDS.get(type(update), {})
    values: dict[str, Any] = {}
    for field in dataclasses.fields(update):
        new, old = getattr(update, field.name), getattr(current, field.name)
        if new is None or new == ():
            continue
        if dataclasses.is_dataclass(new):
            new = _merged_config(old, new, changed)
        elif new != old:
            changed.append(names.get(field.name, field.name))
        values[field.name] = new
    return dataclasses.replace(current, **values)


def _merged_messages(current: tuple[MessageConfig, ...], update: tuple[MessageConfig, ...], changed: list[str]) -> tuple[MessageConfig, ...]:
    """The message (warning dialog) settings with ``update``'s, matched by id."""
    by_id = {m.id: m for m in current}
    for message in update:
        old = by_id.get(message.id)
        new = _merged_config(old, message, []) if old is not None else message
        if new != old:
            changed.append("messages")
        by_id[message.id] = new
    return tuple(by_id.values())


# ---------------------------------------------------------------- faults


def _handlers_by_id(core: object) -> dict[int, Callable[[_Client, Any, float], None]]:
    """Wire id -> the ``_on_<class name>`` method of ``core`` for each catalogue row.

    Raises:
        LookupError: a handler that names no request of the catalogue (a typo
            would otherwise leave it never called).
    """
    names = {name[4:] for name in dir(core) if name.startswith("_on_")}
    by_id: dict[int, Callable[[_Client, Any, float], None]] = {}
    for row in REQUESTS.values():
        cls = row.message_class
        if cls is not None and cls.__name__ in names:
            by_id[int(row.msg_id)] = getattr(core, "_on_" + cls.__name__)
            names.discard(cls.__name__)
    if names:
        raise LookupError(f"simulator handlers for no catalogued request: {sorted(names)}")
    return by_id


@dataclass(frozen=True, slots=True)
class DropClients:
    """Close client connections without a word, as a crashed gateway would.

    Attributes:
        client_id: only this client id (``None``: every client).
    """

    client_id: int | None = None


@dataclass(frozen=True, slots=True)
class NightlyReset:
    """Drop every client and refuse connections for ``down_for`` seconds.

    Attributes:
        down_for: seconds during which connections are refused.
    """

    down_for: float = 60.0


@dataclass(frozen=True, slots=True)
class SystemNotice:
    """Send an error/notice with id -1 to every client (1100, 1101, 1102, 2103...).

    1100 pauses every stream; 1101 resumes them and drops every market data
    subscription (data lost: clients must resubscribe); 1102 resumes them.

    Attributes:
        code: the code.
        text: the text (default: IB's text for the code).
    """

    code: int
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Halt:
    """Halt (or resume) trading in a symbol, as an exchange's trading halt would.

    While halted, the symbol's orders do not fill and its quote, depth and
    tick-by-tick streams are silent; subscribers of its market data get the
    *halted* tick (tick type 49, DELAYED_HALTED 90 on a delayed stream) with 1
    at the halt and 0 at the resumption; a quote stream opened during the halt
    gets the halted tick with 1 among its first ticks.

    Attributes:
        symbol: the symbol (every instrument with it: a stock and its options).
        halted: ``True`` to halt, ``False`` to resume.
    """

    symbol: str
    halted: bool = True


SimFault: TypeAlias = DropClients | NightlyReset | SystemNotice | Halt

#: The codes of a farm-status burst, in order (broken, then OK again).
FARM_BURST: Final = (2103, 2105, 2157, 2104, 2106, 2158)


class SimulatorCore(MarketDataHandlers, OrderHandlers, AccountHandlers, ReferenceHandlers):
    """The simulator without I/O (a :class:`~._server.ServerCore`).

    Args:
        seed: the seed of every random choice.
        accounts: the account ids (the first is the default).
        no_permission: symbols without a market data subscription (error 354).
        server_version: the highest version it speaks (at most 226, the default;
            a client that asks less gets its own maximum).
        max_rate: messages per second a client may send before error 100.
        arrival_jitter: the most seconds the rate window may count a message
            after it arrived (a seeded delay per message, order kept), as a TWS
            whose clock reads a burst a little late; 0 counts on arrival.
        tick_interval: seconds between two market data updates of a subscription.
        start_order_id: the first ``nextValidId`` of every client id.
        sessions: orders fill only while their venue trades (``_sessions``): regular
            hours, or the extended ones for orders with ``outside_rth``.  Off by
            default, so that a test or a demo run at night or at the weekend fills.
        holidays: with ``sessions``, US stocks and options are also closed on the
            NYSE's full-day holidays (``_sessions.nyse_holidays``).  On by default;
            without ``sessions`` it has no effect.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        accounts: Iterable[str] = ("DU0000001",),
        no_permission: Iterable[str] = (),
        server_version: int = MAX_CLIENT_VERSION,
        max_rate: int = 50,
        arrival_jitter: float = 0.0,
        tick_interval: float = 1.0,
        start_order_id: int = 1,
        sessions: bool = False,
        holidays: bool = True,
    ) -> None:
        if arrival_jitter < 0:
            raise ValueError(f"arrival_jitter must not be negative, not {arrival_jitter}")
        self.seed = seed
        self.arrival_jitter = arrival_jitter
        self._arrivals = random.Random(f"{seed}/arrivals")
        self.sessions = sessions
        self.holidays: bool = sessions and holidays
        self.accounts: tuple[str, ...] = tuple(accounts)
        if not self.accounts:
            raise ValueError("at least one account is needed")
        self.no_permission: frozenset[str] = frozenset(s.upper() for s in no_permission)
        self.server_version = server_version
        self.max_rate = max_rate
        self.tick_interval = tick_interval
        self.start_order_id = start_order_id
        self._clients: dict[int, _Client] = {}
        self._actions: list[Action] = []
        self._faults: list[tuple[float, int, SimFault]] = []
        self._serial = itertools.count()
        self._refuse_until = 0.0
        self._ib_connected = True
        self._next_ids: dict[int, int] = {}
        self._history_log: list[tuple[float, tuple[object, ...], tuple[object, ...], int]] = []
        self._match_due: float | None = None
        self._auction_due: float | None = None
        self._halted: set[int] = set()
        self._pnl_due: float | None = None
        self._accounts_due: float | None = None
        self._expired_until = 0.0
        self._universe: Universe | None = None
        self._walks: Walks | None = None
        self._broker: Broker | None = None
        self._now = 0.0
        self._config = _CONFIG
        #: Requests the simulator does not implement (class names), for tests to inspect.
        self.unhandled: list[str] = []
        #: Messages it could not encode at a client's version (text of the error).
        self.send_failures: list[str] = []
        #: Wire id -> handler: the ``_on_<class name>`` method of the id's
        #: catalogue row (:data:`ibwire.catalog.REQUESTS`).
        self._handlers: dict[int, Callable[[_Client, Any, float], None]] = _handlers_by_id(self)

    # ------------------------------------------------------------ faults

    def schedule(self, at: float, fault: SimFault) -> None:
        """Run ``fault`` at time ``at`` (on the core's clock)."""
        heapq.heappush(self._faults, (at, next(self._serial), fault))

    def client_ids(self) -> list[int]:
        """The client ids connected and past startApi."""
        return sorted(c.client_id for c in self._clients.values() if c.ready and c.client_id is not None)

    # ------------------------------------------------------------ ServerCore

    def connection_made(self, conn: int, now: float) -> None:
        """A client connected."""
        self._now = now
        self._clients[conn] = _Client(conn, ServerProtocol(max_version=self.server_version), now)

    def data_received(self, conn: int, data: bytes, now: float) -> None:
        """Bytes from a client: the hello, then requests."""
        self._now = now
        client = self._clients.get(conn)
        if client is None or client.closed:
            return
        try:
            client.server.receive_data(data)
        except RemoteProtocolError:
            self._close(client)
            return
        for event in client.server.events_received():
            if client.closed:
                break
            if isinstance(event, ClientHello):
                self._handshake(client, event, now)
            elif isinstance(event, (MalformedMessage, UnknownMessage)):
                if self._admit(client, now):
                    detail = str(event.error) if isinstance(event, MalformedMessage) else f"unknown message id {event.msg_id}"
                    self._error(client, -1, 320, detail=detail)
            elif isinstance(event, Message):
                if not self._admit(client, now):
                    if client.paced:
                        client.backlog.append(event)
                    continue
                self._dispatch(client, event, now)
        self._flush()

    def connection_lost(self, conn: int, now: float) -> None:
        """A client went away."""
        self._now = now
        client = self._clients.pop(conn, None)
        if client is not None:
            client.closed = True

    def advance(self, now: float) -> None:
        """Run faults, streams, order matching, closing auctions, P&L updates and account refreshes due by ``now``."""
        self._now = now
        while self._faults and self._faults[0][0] <= now:
            _, _, fault = heapq.heappop(self._faults)
            self._run_fault(fault, now)
        for client in list(self._clients.values()):
            while client.backlog and not client.closed and self._admit(client, now):
                self._dispatch(client, client.backlog.popleft(), now)
        if self._ib_connected:
            for client in list(self._clients.values()):
                for stream in list(client.streams.values()):
                    if stream.due <= now and not client.closed:
                        self._fire(client, stream, now)
                        stream.due = max(stream.due + stream.interval, now)
                        if stream.due <= now:
                            stream.due = now + stream.interval
            if self._match_due is not None and self._match_due <= now:
                self._match(now)
            if self._auction_due is not None and self._auction_due <= now:
                self._auction(now)
            if self._broker is not None:
                self._broker.roll(now)
                self._expire(now)
            if self._pnl_due is not None and self._pnl_due <= now:
                self._pnl_due = now + 1.0 if self._has_pnl() else None
                for client in self._clients.values():
                    self._send_pnl(client)
            if self._accounts_due is not None and self._accounts_due <= now:
                self._refresh_accounts(now)
        self._flush()

    def next_deadline(self) -> float | None:
        """When :meth:`advance` next has work."""
        dues: list[float] = []
        if self._faults:
            dues.append(self._faults[0][0])
        for client in self._clients.values():
            if client.backlog and client.window:
                dues.append(client.window[0] + 1.0)
            if self._ib_connected:
                dues.extend(s.due for s in client.streams.values())
        if self._ib_connected:
            dues.extend(d for d in (self._match_due, self._auction_due, self._pnl_due, self._accounts_due) if d is not None)
        if self._refuse_until:
            dues.append(self._refuse_until)
        return min(dues) if dues else None

    def take_actions(self) -> list[Action]:
        """Writes and closes queued so far."""
        actions, self._actions = self._actions, []
        return actions

    def is_accepting(self, now: float) -> bool:
        """``False`` while a scheduled restart keeps the gateway down."""
        if self._refuse_until and now >= self._refuse_until:
            self._refuse_until = 0.0
        return now >= self._refuse_until

    def _dispatch(self, client: _Client, message: Message, now: float) -> None:
        msg_id: int = message.MSG_ID
        if msg_id == OutgoingId.START_API:
            self._on_StartApi(client, message, now)
            return
        if not client.ready:
            return  # TWS ignores requests before startApi
        handler = self._handlers.get(msg_id)
        if handler is None:
            name = type(message).__name__
            self.unhandled.append(name)
            if name.startswith("Req"):
                # Say so rather than leave the client waiting for an answer that never comes.
                req_id = getattr(message, "req_id", -1)
                self._validation(client, req_id, "bS", f"{name} is not supported by the ibwire simulator")
            return
        handler(client, message, now)

    # ------------------------------------------------------------ faults

    def _run_fault(self, fault: SimFault, now: float) -> None:
        if isinstance(fault, Halt):
            con_ids = {i.con_id for i in self.universe.instruments if i.symbol == fault.symbol.upper()}
            if fault.halted:
                self._halted |= con_ids
            else:
                self._halted -= con_ids
            for client in self._clients.values():
                for stream in client.streams.values():
                    if stream.kind == "mkt" and stream.instrument.con_id in con_ids:
                        # HALTED, or DELAYED_HALTED on a delayed stream.
                        kind = TickType(90 if stream.params.get("delayed") else 49)
                        self._send(client, TickGeneric(req_id=stream.req_id, tick_type=kind, value=1.0 if fault.halted else 0.0))
            if not fault.halted:
                self._schedule_match()
        elif isinstance(fault, DropClients):
            for client in list(self._clients.values()):
                if fault.client_id is None or client.client_id == fault.client_id:
                    client.server.close()
                    client.closed = True
        elif isinstance(fault, NightlyReset):
            for client in list(self._clients.values()):
                client.server.close()
                client.closed = True
            self._refuse_until = now + fault.down_for
        elif isinstance(fault, SystemNotice):
            if fault.code == 1100:
                self._ib_connected = False
            elif fault.code in (1101, 1102):
                self._ib_connected = True
                if fault.code == 1101:
                    for client in self._clients.values():
                        client.streams.clear()
            for client in self._clients.values():
                if client.ready:
                    self._error(client, -1, fault.code, fault.text)

    # ------------------------------------------------------------ handshake

    def _handshake(self, client: _Client, hello: ClientHello, now: float) -> None:
        version = min(hello.max_version, self.server_version)
        if version < hello.min_version or version < client.server.min_version:
            self._close(client)  # no common version: TWS just closes
            return
        client.paced = "+PACEAPI" in hello.connect_options.split()
        stamp = time.strftime("%Y%m%d %H:%M:%S", time.gmtime(now)) + " GMT"
        client.server.accept(version, stamp)

    def _on_StartApi(self, client: _Client, message: Any, now: float) -> None:
        if client.ready:
            return
        client_id = int(message.client_id)
        if any(c.ready and c.client_id == client_id and not c.closed for c in self._clients.values()):
            self._error(client, -1, 326)
            self._close(client)
            return
        client.client_id = client_id
        client.ready = True
        self._send(client, ManagedAccts(accounts_list=",".join(self.accounts)))
        self._send(client, NextValidId(order_id=self._next_id(client_id)))
        for code in (2104, 2106, 2158):
            self._error(client, -1, code)


    # ------------------------------------------------------------ simple requests

    def _on_ReqIds(self, client: _Client, message: Any, now: float) -> None:
        assert client.client_id is not None
        self._send(client, NextValidId(order_id=self._next_id(client.client_id)))

    def _on_ReqCurrentTime(self, client: _Client, message: Any, now: float) -> None:
        self._send(client, CurrentTime(time=int(now)))

    def _on_ReqCurrentTimeInMillis(self, client: _Client, message: Any, now: float) -> None:
        self._send(client, CurrentTimeInMillis(time_in_millis=int(now * 1000)))

    def _on_ReqManagedAccts(self, client: _Client, message: Any, now: float) -> None:
        self._send(client, ManagedAccts(accounts_list=",".join(self.accounts)))

    def _on_ReqMarketDataType(self, client: _Client, message: Any, now: float) -> None:
        client.market_data_type = int(message.market_data_type)

    def _on_ReqUserInfo(self, client: _Client, message: Any, now: float) -> None:
        self._send(client, UserInfo(req_id=message.req_id, white_branding_id=""))

    def _on_ReqConfig(self, client: _Client, message: Any, now: float) -> None:
        self._send(client, dataclasses.replace(self._config, req_id=message.req_id))

    def _on_UpdateConfig(self, client: _Client, message: Any, now: float) -> None:
        """Keep the settings ``message`` sets and name the fields that changed; the
        simulator reports them in ``reqConfig`` but does not act on them."""
        changed: list[str] = []
        config = self._config
        self._config = dataclasses.replace(
            config,
            lock_and_exit=_merged_config(config.lock_and_exit, message.lock_and_exit, changed),
            messages=_merged_messages(config.messages, message.messages, changed),
            api=_merged_config(config.api, message.api, changed),
            orders=_merged_config(config.orders, message.orders, changed),
        )
        self._send(client, UpdateConfigResponse(
            req_id=message.req_id, status="SUCCESS", message="", changed_fields=tuple(dict.fromkeys(changed)),
        ))

    def _on_ReqMarketRule(self, client: _Client, message: Any, now: float) -> None:
        rule = _MARKET_RULES.get(message.market_rule_id, ())
        increments = tuple(PriceIncrement(low_edge=low, increment=inc) for low, inc in rule)
        self._send(client, MarketRule(market_rule_id=message.market_rule_id, price_increments=increments))

    def _on_ReqNewsProviders(self, client: _Client, message: Any, now: float) -> None:
        providers = tuple(NewsProvider(code=c, name=n) for c, n in _NEWS_PROVIDERS)
        self._send(client, NewsProviders(news_providers=providers))

    def _on_ReqScannerParameters(self, client: _Client, message: Any, now: float) -> None:
        self._send(client, ScannerParameters(xml=_SCANNER_XML))

    # ------------------------------------------------------------ contracts

    def _on_ReqContractData(self, client: _Client, message: Any, now: float) -> None:
        query: Contract = message.contract
        found = self.universe.resolve(query, now)
        if not query.include_expired:
            found = [i for i in found if not self.universe.is_expired(i, now)]
        if not found:
            self._error(client, message.req_id, 200)
            return
        for instrument in found:
            # The sessions of the coming week, from the one table the fills and bars use.
            venue = venue_of(instrument)
            today = _dt.datetime.fromtimestamp(now, venue.zone).date()
            details = dataclasses.replace(
                instrument.details(),
                contract=self.universe.as_routed(instrument, query),
                trading_hours=trading_hours(instrument, today, regular=False, holidays=self.holidays),
                liquid_hours=trading_hours(instrument, today, regular=True, holidays=self.holidays),
                time_zone_id=str(venue.zone),
            )
            self._send(client, ContractData(req_id=message.req_id, contract_details=details))
        self._send(client, ContractDataEnd(req_id=message.req_id))

    def _on_ReqSecDefOptParams(self, client: _Client, message: Any, now: float) -> None:
        universe = self.universe
        underlying = next(
            (
                i for i in universe.instruments
                if i.symbol == message.underlying_symbol.upper()
                and i.sec_type == (message.underlying_sec_type or "STK").upper()
                and (not message.underlying_con_id or i.con_id == message.underlying_con_id)
            ),
            None,
        )
        options = [] if underlying is None else [o for o in universe.options_of(underlying) if not universe.is_expired(o, now)]
        if underlying is not None and options:
            expirations = tuple(sorted({o.contract.last_trade_date_or_contract_month for o in options}))
            strikes = tuple(sorted({o.contract.strike or 0.0 for o in options}))
            for exchange in ("SMART", "CBOE"):
                self._send(
                    client,
                    SecurityDefinitionOptionParameter(
                        req_id=message.req_id, exchange=exchange, underlying_con_id=underlying.con_id,
                        trading_class=options[0].contract.trading_class, multiplier="100",
                        expirations=expirations, strikes=strikes,
                    ),
                )
        self._send(client, SecurityDefinitionOptionParameterEnd(req_id=message.req_id))

    def _on_ReqHeadTimestamp(self, client: _Client, message: Any, now: float) -> None:
        instrument = self._resolve(client, message.req_id, message.contract, history=True)
        if instrument is None:
            return
        text = instrument.head_timestamp
        if message.format_date == 2:
            end = parse_end(text, now)
            text = str(int(end or 0))
        self._send(client, HeadTimestamp(req_id=message.req_id, head_timestamp=text))


# ---------------------------------------------------------------- socket front end


class SimulatedGateway:
    """The simulator on a loopback port, in a thread or in an asyncio program.

    ::

        with SimulatedGateway(seed=1) as gateway:          # background thread
            run_my_client(port=gateway.port)

        async with SimulatedGateway(seed=1) as gateway:    # inside asyncio
            await run_my_async_client(port=gateway.port)

    Args:
        seed: the seed of every random choice.
        clock: the time, in epoch seconds (inject a fake clock in tests).
        port: the port; 0 picks a free one (see :attr:`port`).
        host: the address to bind; loopback by default.
        accounts: the paper account ids.
        no_permission: symbols without a market data subscription (error 354).
        server_version: the highest version it speaks (at most 226, the default;
            a client that asks less gets its own maximum).
        max_rate: messages per second a client may send before error 100.
        arrival_jitter: the most seconds the rate window counts a message late
            (see :class:`SimulatorCore`).
        tick_interval: seconds between market data updates of one subscription.
        start_order_id: the first ``nextValidId`` of each client id.
        sessions: orders fill only in their venue's trading hours (see :class:`SimulatorCore`).
        holidays: with ``sessions``, keep the NYSE's holidays too (see :class:`SimulatorCore`).
    """

    def __init__(
        self,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        port: int = 0,
        host: str = "127.0.0.1",
        accounts: Iterable[str] = ("DU0000001",),
        *,
        no_permission: Iterable[str] = (),
        server_version: int = MAX_CLIENT_VERSION,
        max_rate: int = 50,
        arrival_jitter: float = 0.0,
        tick_interval: float = 1.0,
        start_order_id: int = 1,
        sessions: bool = False,
        holidays: bool = True,
    ) -> None:
        self.core: SimulatorCore = SimulatorCore(
            seed=seed, accounts=accounts, no_permission=no_permission, server_version=server_version,
            max_rate=max_rate, arrival_jitter=arrival_jitter, tick_interval=tick_interval,
            start_order_id=start_order_id, sessions=sessions, holidays=holidays,
        )
        self.clock = clock
        self.host = host
        self._port = port
        self._thread: ThreadedServer | None = None
        self._async: AsyncServer | None = None

    @property
    def port(self) -> int:
        """The listening port (after :meth:`start`)."""
        if self._thread is not None:
            return self._thread.port
        if self._async is not None:
            return self._async.port
        return self._port

    # ------------------------------------------------------------ thread

    def start(self) -> SimulatedGateway:
        """Bind and serve from a background thread."""
        server = ThreadedServer(self.core, self.host, self._port, clock=self.clock, name="ibwire-simulator")
        server.start()
        self._thread = server
        return self

    def stop(self) -> None:
        """Stop the background thread and close every connection."""
        if self._thread is not None:
            self._thread.stop()
            self._thread = None

    def __enter__(self) -> SimulatedGateway:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Serve until interrupted (for the command line)."""
        if self._thread is None:
            self.start()
        try:
            while True:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    # ------------------------------------------------------------ asyncio

    async def start_async(self) -> SimulatedGateway:
        """Bind and serve from the running asyncio event loop."""
        self._async = AsyncServer(self.core, self.host, self._port, clock=self.clock)
        await self._async.start()
        return self

    async def stop_async(self) -> None:
        """Stop serving in the event loop."""
        if self._async is not None:
            await self._async.stop()
            self._async = None

    async def __aenter__(self) -> SimulatedGateway:
        return await self.start_async()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop_async()

    # ------------------------------------------------------------ faults

    def _schedule(self, fault: SimFault, at: float | None) -> None:
        server = self._thread or self._async
        lock = server.lock if server is not None else None
        when = self.clock() if at is None else at
        if lock is not None:
            with lock:
                self.core.schedule(when, fault)
        else:
            self.core.schedule(when, fault)
        if server is not None:
            server.wake()

    def drop_clients(self, client_id: int | None = None, *, at: float | None = None) -> None:
        """Close client connections (all, or one client id) now or at ``at``."""
        self._schedule(DropClients(client_id), at)

    def nightly_reset(self, down_for: float = 60.0, *, at: float | None = None) -> None:
        """Drop every client and refuse connections for ``down_for`` seconds."""
        self._schedule(NightlyReset(down_for), at)

    def notice(self, code: int, text: str | None = None, *, at: float | None = None) -> None:
        """Send a system notice (1100, 1101, 1102, 2103...) to every client."""
        self._schedule(SystemNotice(code, text), at)

    def halt(self, symbol: str, *, at: float | None = None) -> None:
        """Halt trading in ``symbol`` now or at ``at`` (see :class:`Halt`)."""
        self._schedule(Halt(symbol, True), at)

    def resume(self, symbol: str, *, at: float | None = None) -> None:
        """Resume trading in a halted ``symbol``."""
        self._schedule(Halt(symbol, False), at)

    def farm_burst(self, codes: Iterable[int] = FARM_BURST, *, at: float | None = None) -> None:
        """Send a burst of farm-status notices (by default broken, then OK again)."""
        for code in codes:
            self._schedule(SystemNotice(code), at)

    def client_ids(self) -> list[int]:
        """The client ids connected now."""
        server = self._thread or self._async
        if server is None:
            return self.core.client_ids()
        with server.lock:
            return self.core.client_ids()
