"""The simulator: a deterministic paper-trading gateway for tests and offline work.

:class:`SimulatedGateway` listens on a loopback port and behaves like IB Gateway
logged in to a paper account, for a small built-in universe: AAPL, MSFT (NASDAQ)
and SPY (ARCA) stocks through SMART, the front E-mini S&P 500 future (ES) on CME,
EUR.USD on IDEALPRO, and AAPL options.  Prices are a seeded random walk; time
comes from an injectable clock; so two runs with the same seed, clock and requests
send the same bytes.

It serves several clients at once, each with its own client id, and enforces the
gateway's rules with the gateway's error codes: 326 (client id in use, then a
disconnect), 100 (more than 50 messages in one second, then a disconnect; with
``+PACEAPI`` requests are queued instead), 162 (historical pacing and invalid
combinations), 200 (no security definition), 321 (validation), 354 (no market
data permission), 103 (duplicate order id) and others.

Faults can be scheduled: dropping clients, a restart as after the nightly reset
(every client dropped, connections refused for a while), connectivity notices
1100/1101/1102 and farm-status bursts 2103-2108.

:class:`SimulatorCore` is the whole logic, sans-I/O: it takes connections, bytes
and ``now`` and returns writes and closes per connection, so tests can drive it
without sockets.  :class:`SimulatedGateway` runs it in a background thread (or in
an asyncio program: ``async with SimulatedGateway() as gateway``).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, TypeAlias

from ..errors import LocalProtocolError, RemoteProtocolError
from ..events import ClientHello, MalformedMessage, UnknownMessage
from ..messages import (
    AccountSummary,
    AccountSummaryEnd,
    AcctDownloadEnd,
    AcctUpdateTime,
    AcctValue,
    BarData,
    CommissionAndFeesReport,
    CompletedOrdersEnd,
    ContractData,
    ContractDataEnd,
    CurrentTime,
    CurrentTimeInMillis,
    ErrMsg,
    Execution,
    ExecutionData,
    ExecutionDataEnd,
    HeadTimestamp,
    HistoricalData,
    HistoricalDataEnd,
    HistoricalDataUpdate,
    ManagedAccts,
    MarketDataType,
    MarketDepth,
    MarketDepthL2,
    MarketRule,
    Message,
    NewsProvider,
    NewsProviders,
    NextValidId,
    OpenOrder,
    OpenOrderEnd,
    OrderStatus,
    Pnl,
    PnlSingle,
    PortfolioValue,
    PositionData,
    PositionEnd,
    PriceIncrement,
    RealTimeBars,
    ScannerParameters,
    SecurityDefinitionOptionParameter,
    SecurityDefinitionOptionParameterEnd,
    TickAttribBidAsk,
    TickAttribLast,
    TickByTick,
    TickGeneric,
    TickPrice,
    TickReqParams,
    TickSize,
    TickSnapshotEnd,
    TickString,
    UserInfo,
)
from ..messages.common import Contract
from ..messages.order import Order, OrderState
from ..protocol import ServerProtocol
from ..versions import MAX_CLIENT_VERSION, ServerVersion
from ._broker import ORDER_TYPES, Broker, Fill, Position, SimOrder, finite
from ._market import (
    BAR_SIZES,
    HistoryRequest,
    Quote,
    Walks,
    format_time,
    history_bars,
    parse_end,
    validate_history,
)
from ._server import Action, AsyncServer, Close, ThreadedServer, Write
from ._universe import Instrument, Universe

__all__ = [
    "ERROR_TEXTS",
    "DropClients",
    "NightlyReset",
    "SimFault",
    "SimulatedGateway",
    "SimulatorCore",
    "SystemNotice",
]

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
    202: "Order Canceled - reason:",
    300: "Can't find EId with tickerId:{id}",
    309: "Max number (3) of market depth requests has been reached",
    320: "Error reading request. {detail}",
    321: "Error validating request.-'{part}' : cause - {detail}",
    326: "Unable to connect as the client id is already in use.  Retry with a unique client id.",
    354: "Requested market data is not subscribed.Delayed market data is available.{symbol} {exchange}/TOP/ALL",
    366: "No historical data query found for ticker id:{id}",
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
}

_SUMMARY_TAGS: Final = (
    "AccountType", "NetLiquidation", "TotalCashValue", "SettledCash", "AccruedCash",
    "BuyingPower", "EquityWithLoanValue", "PreviousDayEquityWithLoanValue",
    "GrossPositionValue", "RegTEquity", "RegTMargin", "SMA", "InitMarginReq",
    "MaintMarginReq", "AvailableFunds", "ExcessLiquidity", "Cushion", "FullInitMarginReq",
    "FullMaintMarginReq", "FullAvailableFunds", "FullExcessLiquidity", "LookAheadNextChange",
    "LookAheadInitMarginReq", "LookAheadMaintMarginReq", "LookAheadAvailableFunds",
    "LookAheadExcessLiquidity", "HighestSeverity", "DayTradesRemaining", "Leverage",
)
_ACCOUNT_KEYS: Final = (
    "NetLiquidation", "TotalCashValue", "SettledCash", "BuyingPower", "EquityWithLoanValue",
    "GrossPositionValue", "InitMarginReq", "MaintMarginReq", "AvailableFunds",
    "ExcessLiquidity", "Cushion", "UnrealizedPnL", "RealizedPnL",
)
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
_SCANNER_XML: Final = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<ScanParameterResponse>'
    "<InstrumentList><Instrument><name>US Stocks</name><type>STK</type></Instrument>"
    "</InstrumentList><ScanTypeList><ScanType><displayName>Top % Gainers</displayName>"
    "<scanCode>TOP_PERC_GAIN</scanCode><instruments>STK</instruments></ScanType>"
    "</ScanTypeList></ScanParameterResponse>\n"
)
_TBT_TYPES: Final = {"Last": 1, "AllLast": 2, "BidAsk": 3, "MidPoint": 4}
_DEPTH_MAKERS: Final = ("NSDQ", "ARCA", "BATS", "IEX", "EDGX")
_MAX_DEPTH: Final = 3
_MAX_LINES: Final = 100
# Delayed tick ids of bid, ask, last, bid size, ask size, last size, high, low, volume, close, open.
_DELAYED: Final = {1: 66, 2: 67, 4: 68, 0: 69, 3: 70, 5: 71, 6: 72, 7: 73, 8: 74, 9: 75, 14: 76}


# ---------------------------------------------------------------- faults


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


SimFault: TypeAlias = DropClients | NightlyReset | SystemNotice

#: The codes of a farm-status burst, in order (broken, then OK again).
FARM_BURST: Final = (2103, 2105, 2157, 2104, 2106, 2158)


# ---------------------------------------------------------------- state


@dataclass
class _Stream:
    kind: str  # mkt, depth, tbt, rtb, hist
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
    backlog: deque[Message] = field(default_factory=deque)
    market_data_type: int = 0
    streams: dict[tuple[str, int], _Stream] = field(default_factory=dict)
    account_updates: str | None = None
    positions: bool = False
    summaries: dict[int, tuple[str, ...]] = field(default_factory=dict)
    pnl: dict[int, str] = field(default_factory=dict)
    pnl_single: dict[int, tuple[str, int]] = field(default_factory=dict)
    auto_open_orders: bool = False

    @property
    def version(self) -> int:
        return self.server.server_version or 0


class SimulatorCore:
    """The simulator without I/O (a :class:`~._server.ServerCore`).

    Args:
        seed: the seed of every random choice.
        accounts: the account ids (the first is the default).
        no_permission: symbols without a market data subscription (error 354).
        server_version: the highest version it speaks (at most 200).
        max_rate: messages per second a client may send before error 100.
        tick_interval: seconds between two market data updates of a subscription.
        start_order_id: the first ``nextValidId`` of every client id.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        accounts: Iterable[str] = ("DU0000001",),
        no_permission: Iterable[str] = (),
        server_version: int = MAX_CLIENT_VERSION,
        max_rate: int = 50,
        tick_interval: float = 1.0,
        start_order_id: int = 1,
    ) -> None:
        self.seed = seed
        self.accounts = tuple(accounts)
        if not self.accounts:
            raise ValueError("at least one account is needed")
        self.no_permission = frozenset(s.upper() for s in no_permission)
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
        self._pnl_due: float | None = None
        self._universe: Universe | None = None
        self._walks: Walks | None = None
        self._broker: Broker | None = None
        self._now = 0.0
        #: Requests the simulator does not implement (class names), for tests to inspect.
        self.unhandled: list[str] = []
        #: Messages it could not encode at a client's version (text of the error).
        self.send_failures: list[str] = []
        # Requests are dispatched by message class name to the ``_on_<Name>`` methods.
        self._handlers: dict[str, Callable[[_Client, Any, float], None]] = {
            name[4:]: getattr(self, name) for name in dir(self) if name.startswith("_on_")
        }

    # ------------------------------------------------------------ lazy state

    @property
    def universe(self) -> Universe:
        """The instruments (dated from the first time the core saw)."""
        if self._universe is None:
            self._universe = Universe(_dt.datetime.fromtimestamp(self._now, _dt.timezone.utc).date())
        return self._universe

    @property
    def walks(self) -> Walks:
        """The live price walks."""
        if self._walks is None:
            self._walks = Walks(self.seed, self.universe)
        return self._walks

    @property
    def broker(self) -> Broker:
        """Orders, executions, positions and account values."""
        if self._broker is None:
            self._broker = Broker(self.accounts, lambda i: self.walks.mid(i, self._now))
        return self._broker

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
        """Run faults, streams, order matching and P&L updates due by ``now``."""
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
            if self._pnl_due is not None and self._pnl_due <= now:
                self._pnl_due = now + 1.0 if self._has_pnl() else None
                for client in self._clients.values():
                    self._send_pnl(client)
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
            dues.extend(d for d in (self._match_due, self._pnl_due) if d is not None)
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
        if client.closed or client.server.codec is None:
            return
        try:
            client.server.send(message)
        except LocalProtocolError as exc:
            self.send_failures.append(f"{type(message).__name__} at {client.version}: {exc}")

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
        TWS; with it the message waits (the caller queues it).
        """
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

    def _dispatch(self, client: _Client, message: Message, now: float) -> None:
        name = type(message).__name__
        if name == "StartApi":
            self._on_StartApi(client, message, now)
            return
        if not client.ready:
            return  # TWS ignores requests before startApi
        handler = self._handlers.get(name)
        if handler is None:
            self.unhandled.append(name)
            if name.startswith("Req"):
                # Say so rather than leave the client waiting for an answer that never comes.
                req_id = getattr(message, "req_id", -1)
                self._validation(client, req_id, "bS", f"{name} is not supported by the ibwire simulator")
            return
        handler(client, message, now)

    def _resolve(self, client: _Client, req_id: int, contract: Contract) -> Instrument | None:
        found = self.universe.resolve(contract)
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

    # ------------------------------------------------------------ faults

    def _run_fault(self, fault: SimFault, now: float) -> None:
        if isinstance(fault, DropClients):
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

    def _next_id(self, client_id: int) -> int:
        return self._next_ids.get(client_id, self.start_order_id)

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
        found = self.universe.resolve(query)
        if not found:
            self._error(client, message.req_id, 200)
            return
        for instrument in found:
            details = instrument.details()
            routed = self.universe.as_routed(instrument, query)
            if routed is not instrument.contract:
                details = dataclasses.replace(details, contract=routed)
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
        if underlying is not None and any(True for _ in universe.options_of(underlying)):
            expirations = tuple(d.strftime("%Y%m%d") for d in universe.option_expirations)
            strikes = tuple(universe.option_strikes)
            for exchange in ("SMART", "CBOE"):
                self._send(
                    client,
                    SecurityDefinitionOptionParameter(
                        req_id=message.req_id, exchange=exchange, underlying_con_id=underlying.con_id,
                        trading_class=underlying.symbol, multiplier="100", expirations=expirations,
                        strikes=strikes,
                    ),
                )
        self._send(client, SecurityDefinitionOptionParameterEnd(req_id=message.req_id))

    def _on_ReqHeadTimestamp(self, client: _Client, message: Any, now: float) -> None:
        instrument = self._resolve(client, message.req_id, message.contract)
        if instrument is None:
            return
        text = instrument.head_timestamp
        if message.format_date == 2:
            end = parse_end(text, now)
            text = str(int(end or 0))
        self._send(client, HeadTimestamp(req_id=message.req_id, head_timestamp=text))

    # ------------------------------------------------------------ market data

    def _permitted(self, client: _Client, req_id: int, instrument: Instrument) -> bool | None:
        """``True`` for live data, ``False`` for delayed, ``None`` when refused (354 sent)."""
        if instrument.symbol.upper() not in self.no_permission:
            return True
        if client.market_data_type in (3, 4):
            self._error(client, req_id, 10167)
            return False
        contract = instrument.contract
        self._error(client, req_id, 354, symbol=contract.symbol, exchange=contract.primary_exchange or contract.exchange)
        return None

    def _lines(self) -> int:
        """Market data lines in use, over every client (TWS counts them per user)."""
        return sum(1 for c in self._clients.values() for s in c.streams.values() if s.kind in ("mkt", "rtb", "tbt"))

    def _on_ReqMktData(self, client: _Client, message: Any, now: float) -> None:
        req_id = message.req_id
        if ("mkt", req_id) in client.streams:
            self._error(client, req_id, 102)
            return
        if message.snapshot and message.generic_tick_list:
            self._validation(client, req_id, "bW", "Snapshot market data subscription is not applicable to generic ticks")
            return
        instrument = self._resolve(client, req_id, message.contract)
        if instrument is None:
            return
        live = self._permitted(client, req_id, instrument)
        if live is None:
            return
        if not message.snapshot and self._lines() >= _MAX_LINES:
            self._error(client, req_id, 101)
            return
        generic = {g.strip() for g in message.generic_tick_list.split(",") if g.strip()}
        stream = _Stream(
            "mkt", req_id, instrument, now + self.tick_interval, self.tick_interval,
            {"delayed": not live, "generic": generic},
        )
        if client.market_data_type:
            self._send(client, MarketDataType(req_id=req_id, market_data_type=1 if live else 3))
        self._send(
            client,
            TickReqParams(req_id=req_id, min_tick=instrument.min_tick, bbo_exchange="9c0001", snapshot_permissions=3),
        )
        self._quote_ticks(client, stream, now, first=True)
        if message.snapshot or message.regulatory_snapshot:
            self._send(client, TickSnapshotEnd(req_id=req_id))
            return
        client.streams[("mkt", req_id)] = stream

    def _on_CancelMktData(self, client: _Client, message: Any, now: float) -> None:
        if client.streams.pop(("mkt", message.req_id), None) is None:
            self._error(client, message.req_id, 300, id=message.req_id)

    def _quote_ticks(self, client: _Client, stream: _Stream, now: float, *, first: bool = False) -> None:
        quote = self.walks.quote(stream.instrument, now)
        previous = stream.last
        stream.last = quote
        req = stream.req_id
        delayed = bool(stream.params.get("delayed"))

        def tick(kind: int) -> int:
            return _DELAYED.get(kind, kind) if delayed else kind

        def price(kind: int, value: float, size: Decimal | None) -> None:
            self._send(client, TickPrice(req_id=req, tick_type=tick(kind), price=value, size=size))

        if first or previous is None or quote.bid != previous.bid or quote.bid_size != previous.bid_size:
            price(1, quote.bid, quote.bid_size)
            self._send(client, TickSize(req_id=req, tick_type=tick(0), size=quote.bid_size))
        if first or previous is None or quote.ask != previous.ask or quote.ask_size != previous.ask_size:
            price(2, quote.ask, quote.ask_size)
            self._send(client, TickSize(req_id=req, tick_type=tick(3), size=quote.ask_size))
        if stream.instrument.sec_type != "CASH":
            price(4, quote.last, quote.last_size)
            self._send(client, TickSize(req_id=req, tick_type=tick(5), size=quote.last_size))
            volume = self.walks.add_volume(stream.instrument, quote.last_size)
            self._send(client, TickSize(req_id=req, tick_type=tick(8), size=Decimal(volume)))
            self._send(client, TickString(req_id=req, tick_type=45, value=str(int(now))))
            if "233" in stream.params.get("generic", ()):
                text = f"{quote.last};{quote.last_size};{int(now * 1000)};{volume};{quote.last};false"
                self._send(client, TickString(req_id=req, tick_type=48, value=text))
        if first:
            mid = (quote.bid + quote.ask) / 2
            tick_size = stream.instrument.min_tick
            for kind, factor in ((6, 1.01), (7, 0.99), (9, 1.0), (14, 0.998)):
                value = round(round(mid * factor / tick_size) * tick_size, 6)
                price(kind, value, None)
            if "236" in stream.params.get("generic", ()):
                self._send(client, TickGeneric(req_id=req, tick_type=46, value=3.0))

    def _on_ReqMktDepth(self, client: _Client, message: Any, now: float) -> None:
        req_id = message.req_id
        instrument = self._resolve(client, req_id, message.contract)
        if instrument is None:
            return
        depth_count = sum(1 for c in self._clients.values() for s in c.streams.values() if s.kind == "depth")
        if depth_count >= _MAX_DEPTH:
            self._error(client, req_id, 309)
            return
        if self._permitted(client, req_id, instrument) is not True:
            return
        rows = max(1, min(int(message.num_rows or 5), 10))
        stream = _Stream("depth", req_id, instrument, now + self.tick_interval, self.tick_interval,
                         {"rows": rows, "smart": bool(message.is_smart_depth)})
        client.streams[("depth", req_id)] = stream
        self._depth(client, stream, now, operation=0)

    def _depth(self, client: _Client, stream: _Stream, now: float, *, operation: int) -> None:
        quote = self.walks.quote(stream.instrument, now)
        tick = stream.instrument.min_tick
        rows = stream.params["rows"] if operation == 0 else 1
        for side, best, size in ((1, quote.bid, quote.bid_size), (0, quote.ask, quote.ask_size)):
            for position in range(rows):
                level = round(best - position * tick if side == 1 else best + position * tick, 6)
                amount = size + Decimal(position * 100)
                if stream.params["smart"]:
                    self._send(client, MarketDepthL2(
                        req_id=stream.req_id, position=position, market_maker=_DEPTH_MAKERS[position % len(_DEPTH_MAKERS)],
                        operation=operation, side=side, price=level, size=amount, is_smart_depth=True,
                    ))
                else:
                    self._send(client, MarketDepth(
                        req_id=stream.req_id, position=position, operation=operation, side=side,
                        price=level, size=amount,
                    ))

    def _on_CancelMktDepth(self, client: _Client, message: Any, now: float) -> None:
        client.streams.pop(("depth", message.req_id), None)

    def _on_ReqTickByTickData(self, client: _Client, message: Any, now: float) -> None:
        req_id = message.req_id
        kind = _TBT_TYPES.get(message.tick_type)
        if kind is None:
            self._validation(client, req_id, "bT", f"Invalid tick type: {message.tick_type}")
            return
        instrument = self._resolve(client, req_id, message.contract)
        if instrument is None or self._permitted(client, req_id, instrument) is not True:
            return
        stream = _Stream("tbt", req_id, instrument, now + self.tick_interval, self.tick_interval, {"type": kind})
        client.streams[("tbt", req_id)] = stream

    def _tick_by_tick(self, client: _Client, stream: _Stream, now: float) -> None:
        quote = self.walks.quote(stream.instrument, now)
        kind = stream.params["type"]
        common: dict[str, Any] = {"req_id": stream.req_id, "tick_type": kind, "time": int(now)}
        if kind in (1, 2):
            message = TickByTick(
                **common, price=quote.last, size=quote.last_size, tick_attrib_last=TickAttribLast(),
                exchange=stream.instrument.contract.primary_exchange or stream.instrument.contract.exchange,
                special_conditions="",
            )
        elif kind == 3:
            message = TickByTick(
                **common, bid_price=quote.bid, ask_price=quote.ask, bid_size=quote.bid_size,
                ask_size=quote.ask_size, tick_attrib_bid_ask=TickAttribBidAsk(),
            )
        else:
            message = TickByTick(**common, mid_point=round((quote.bid + quote.ask) / 2, 6))
        self._send(client, message)

    def _on_CancelTickByTickData(self, client: _Client, message: Any, now: float) -> None:
        client.streams.pop(("tbt", message.req_id), None)

    def _on_ReqRealTimeBars(self, client: _Client, message: Any, now: float) -> None:
        req_id = message.req_id
        if message.bar_size != 5:
            self._validation(client, req_id, "bR", "Invalid bar size - only 5 second bars are supported")
            return
        what = message.what_to_show.upper()
        if what not in ("TRADES", "BID", "ASK", "MIDPOINT"):
            self._validation(client, req_id, "bR", f"Invalid what to show: {message.what_to_show}")
            return
        instrument = self._resolve(client, req_id, message.contract)
        if instrument is None or self._permitted(client, req_id, instrument) is not True:
            return
        if what == "TRADES" and instrument.sec_type == "CASH":
            self._error(client, req_id, 162, detail="No data of type TRADES is available for CASH")
            return
        first = (int(now) // 5 + 1) * 5
        client.streams[("rtb", req_id)] = _Stream("rtb", req_id, instrument, float(first), 5.0, {"what": what})

    def _real_time_bar(self, client: _Client, stream: _Stream, now: float) -> None:
        end = int(now) // 5 * 5
        start = end - 5
        samples = [self.walks.quote(stream.instrument, start + i * 1.25) for i in range(5)]
        what = stream.params["what"]

        def pick(q: Quote) -> float:
            return {"BID": q.bid, "ASK": q.ask, "MIDPOINT": round((q.bid + q.ask) / 2, 6)}.get(what, q.last)

        prices = [pick(q) for q in samples]
        volume = sum((q.last_size for q in samples), Decimal(0)) if what == "TRADES" else Decimal(-1)
        wap = Decimal(str(round(sum(prices) / len(prices), 6))) if what == "TRADES" else Decimal(-1)
        self._send(client, RealTimeBars(
            req_id=stream.req_id, time=start, open=prices[0], high=max(prices), low=min(prices),
            close=prices[-1], volume=volume, wap=wap, count=len(samples) if what == "TRADES" else -1,
        ))

    def _on_CancelRealTimeBars(self, client: _Client, message: Any, now: float) -> None:
        client.streams.pop(("rtb", message.req_id), None)

    # ------------------------------------------------------------ history

    def _on_ReqHistoricalData(self, client: _Client, message: Any, now: float) -> None:
        req_id = message.req_id
        instrument = self._resolve(client, req_id, message.contract)
        if instrument is None:
            return
        end = parse_end(message.end_date_time, now)
        if end is None:
            self._validation(client, req_id, "bP", f"Historical data request end date/time is invalid: {message.end_date_time}")
            return
        request = HistoryRequest(
            instrument=instrument, end=min(end, now), duration=message.duration_str,
            bar_size=message.bar_size_setting, what_to_show=message.what_to_show,
            use_rth=bool(message.use_rth), format_date=int(message.format_date or 1),
            keep_up_to_date=bool(message.keep_up_to_date), end_text=message.end_date_time,
        )
        problem = validate_history(request)
        if problem is not None:
            self._error(client, req_id, problem[0], problem[1])
            return
        if self._history_paced(request, now):
            self._error(client, req_id, 162, detail="Historical data request pacing violation")
            return
        bars, start, stop = history_bars(self.seed, request)
        start_text, end_text = format_time(start), format_time(stop)
        if client.version >= ServerVersion.HISTORICAL_DATA_END:
            # From 196 the window moved out of HistoricalData into HistoricalDataEnd.
            self._send(client, HistoricalData(req_id=req_id, bars=tuple(bars)))
            self._send(client, HistoricalDataEnd(req_id=req_id, start_date_str=start_text, end_date_str=end_text))
        else:
            self._send(client, HistoricalData(req_id=req_id, start_date_str=start_text, end_date_str=end_text, bars=tuple(bars)))
        if request.keep_up_to_date:
            interval = min(float(BAR_SIZES[request.bar_size]), 5.0)
            client.streams[("hist", req_id)] = _Stream("hist", req_id, instrument, now + interval, interval,
                                                       {"request": request, "last": bars[-1] if bars else None})

    def _history_paced(self, request: HistoryRequest, now: float) -> bool:
        """IB's pacing rules for bars of 30 seconds or less (``protocol.md`` 7.5)."""
        if BAR_SIZES[request.bar_size] > 30:
            return False
        contract = request.instrument.contract
        what = request.what_to_show.upper()
        identical = (contract.con_id, request.end, request.duration, request.bar_size, what, request.use_rth)
        same = (contract.con_id, contract.exchange, what)
        weight = 2 if what == "BID_ASK" else 1
        log = [entry for entry in self._history_log if entry[0] > now - 600]
        self._history_log = log
        if any(entry[1] == identical and entry[0] > now - 15 for entry in log):
            return True
        if sum(entry[3] for entry in log if entry[2] == same and entry[0] > now - 2) + weight >= 6:
            return True
        if sum(entry[3] for entry in log) + weight > 60:
            return True
        log.append((now, identical, same, weight))
        return False

    def _history_update(self, client: _Client, stream: _Stream, now: float) -> None:
        request: HistoryRequest = stream.params["request"]
        size = BAR_SIZES[request.bar_size]
        start = int(now) // size * size
        quote = self.walks.quote(stream.instrument, now)
        last: BarData | None = stream.params.get("last")
        price = quote.last if request.what_to_show.upper() in ("TRADES", "ADJUSTED_LAST") else round((quote.bid + quote.ask) / 2, 6)
        date = str(start) if request.format_date == 2 and size < 86400 else format_time(start, date_only=size >= 86400)
        if last is not None and last.date == date:
            bar = dataclasses.replace(last, high=max(last.high, price), low=min(last.low, price), close=price)
        else:
            bar = BarData(date=date, open=price, high=price, low=price, close=price, volume=Decimal(0), wap=Decimal(str(price)), bar_count=0)
        stream.params["last"] = bar
        self._send(client, HistoricalDataUpdate(req_id=stream.req_id, bar=bar))

    def _on_CancelHistoricalData(self, client: _Client, message: Any, now: float) -> None:
        if client.streams.pop(("hist", message.req_id), None) is None:
            self._error(client, message.req_id, 366, id=message.req_id)

    def _fire(self, client: _Client, stream: _Stream, now: float) -> None:
        if stream.kind == "mkt":
            self._quote_ticks(client, stream, now)
        elif stream.kind == "depth":
            self._depth(client, stream, now, operation=1)
        elif stream.kind == "tbt":
            self._tick_by_tick(client, stream, now)
        elif stream.kind == "rtb":
            self._real_time_bar(client, stream, now)
        elif stream.kind == "hist":
            self._history_update(client, stream, now)

    # ------------------------------------------------------------ orders

    def _owner(self, client_id: int) -> list[_Client]:
        return [c for c in self._clients.values() if c.ready and not c.closed and c.client_id == client_id]

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
        kind = order.order_type.upper()
        if kind not in ORDER_TYPES:
            self._validation(client, order_id, "bO", f"Unsupported order type: {order.order_type}")
            return
        if order.action.upper() not in ("BUY", "SELL"):
            self._validation(client, order_id, "bO", f"Invalid action: {order.action}")
            return
        if not order.total_quantity:
            self._error(client, order_id, 434)
            return
        if kind in ("LMT", "STP LMT") and order.lmt_price is None:
            self._validation(client, order_id, "bO", "Limit price is missing")
            return
        if kind in ("STP", "STP LMT") and order.aux_price is None:
            self._validation(client, order_id, "bO", "Stop price is missing")
            return
        if kind == "TRAIL" and order.aux_price is None and order.trailing_percent is None:
            self._validation(client, order_id, "bO", "Trailing amount or percent is missing")
            return
        self._next_ids[client.client_id] = max(next_id, order_id + 1)
        routed = self.universe.as_routed(instrument, contract)
        if order.what_if:
            sim = SimOrder(order_id, client.client_id, 0, instrument, routed, order, order.account or self.accounts[0])
            state = broker.what_if(sim, self.walks.mid(instrument, now))
            self._open_order(client, sim, state)
            return
        if existing is not None:
            existing.order = dataclasses.replace(
                order, order_id=order_id, client_id=client.client_id, perm_id=existing.perm_id, account=existing.account,
            )
            existing.contract = routed
            changed = [existing]
            if order.transmit and not existing.transmitted:
                changed = broker.transmit(existing)
            self._order_updates(changed)
        else:
            sim = broker.add(client.client_id, order_id, instrument, routed, order)
            if order.transmit:
                self._order_updates(broker.transmit(sim))
        self._match(now)

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
        if self.broker.working():
            if self._match_due is None:
                self._match_due = self._now + self.tick_interval
        else:
            self._match_due = None

    def _match(self, now: float) -> None:
        fills, changed = self.broker.match(now, lambda i: self.walks.quote(i, now))
        for fill in fills:
            self._report_fill(fill)
        filled = {id(f.order) for f in fills}
        for sim in changed:
            if id(sim) in filled:
                continue
            for owner in self._owner(sim.client_id):
                self._open_order(owner, sim)
                self._order_status(owner, sim)
                if sim.status == "Cancelled":
                    self._error(owner, sim.order_id, 202)
        if fills or changed:
            self._after_change()
        self._match_due = None
        if self.broker.working():
            self._match_due = now + self.tick_interval

    def _execution(self, fill: Fill) -> Execution:
        sim = fill.order
        return Execution(
            exec_id=fill.exec_id, time=time.strftime("%Y%m%d %H:%M:%S", time.gmtime(fill.time)) + " UTC",
            acct_number=sim.account, exchange=sim.instrument.contract.primary_exchange or sim.instrument.contract.exchange,
            side="BOT" if sim.is_buy else "SLD", shares=fill.shares, price=fill.price, perm_id=sim.perm_id,
            client_id=sim.client_id, order_id=sim.order_id, cum_qty=sim.filled, avg_price=sim.avg_fill_price,
            order_ref=sim.order.order_ref, last_liquidity=2,
        )

    def _commission(self, fill: Fill) -> CommissionAndFeesReport:
        return CommissionAndFeesReport(
            exec_id=fill.exec_id, commission_and_fees=fill.commission, currency="USD",
            realized_pnl=fill.realized_pnl, yield_=None, yield_redemption_date=0,
        )

    def _report_fill(self, fill: Fill) -> None:
        sim = fill.order
        for owner in self._owner(sim.client_id):
            self._send(owner, ExecutionData(req_id=-1, contract=sim.contract, execution=self._execution(fill)))
            self._open_order(owner, sim)
            self._order_status(owner, sim)
            self._send(owner, self._commission(fill))

    def _on_ReqExecutions(self, client: _Client, message: Any, now: float) -> None:
        flt = message.exec_filter
        for fill in self.broker.fills:
            sim = fill.order
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

    # ------------------------------------------------------------ account

    def _after_change(self) -> None:
        """Positions or cash changed: tell every subscriber."""
        for client in self._clients.values():
            if not client.ready:
                continue
            if client.account_updates:
                self._account_values(client, client.account_updates, download=False)
            if client.positions:
                for account in self.accounts:
                    for position in self.broker.positions(account):
                        self._position(client, account, position)
            for req_id, tags in client.summaries.items():
                self._summary(client, req_id, tags, end=False)
            self._send_pnl(client)

    def _position(self, client: _Client, account: str, position: Position) -> None:
        self._send(client, PositionData(
            account=account, contract=position.instrument.contract, position=position.quantity,
            avg_cost=position.avg_cost,
        ))

    def _on_ReqPositions(self, client: _Client, message: Any, now: float) -> None:
        client.positions = True
        for account in self.accounts:
            for position in self.broker.positions(account):
                self._position(client, account, position)
        self._send(client, PositionEnd())

    def _on_CancelPositions(self, client: _Client, message: Any, now: float) -> None:
        client.positions = False

    def _summary_value(self, account: str, tag: str) -> tuple[str, str] | None:
        if tag == "AccountType":
            return "INDIVIDUAL", ""
        if tag in ("LookAheadNextChange", "HighestSeverity"):
            return "0", ""
        if tag == "DayTradesRemaining":
            return "-1", ""
        values = self.broker.values(account)
        if tag not in values:
            return None
        value = finite(values[tag])
        if tag in ("Cushion", "Leverage"):
            return f"{value:.6f}", ""
        return f"{value:.2f}", "USD"

    def _summary(self, client: _Client, req_id: int, tags: tuple[str, ...], *, end: bool) -> None:
        for account in self.accounts:
            for tag in tags:
                found = self._summary_value(account, tag)
                if found is not None:
                    self._send(client, AccountSummary(req_id=req_id, account=account, tag=tag, value=found[0], currency=found[1]))
        if end:
            self._send(client, AccountSummaryEnd(req_id=req_id))

    def _on_ReqAccountSummary(self, client: _Client, message: Any, now: float) -> None:
        tags = tuple(t.strip() for t in message.tags.split(",") if t.strip() and not t.strip().startswith("$"))
        client.summaries[message.req_id] = tags
        self._summary(client, message.req_id, tags, end=True)

    def _on_CancelAccountSummary(self, client: _Client, message: Any, now: float) -> None:
        client.summaries.pop(message.req_id, None)

    def _account_values(self, client: _Client, account: str, *, download: bool) -> None:
        values = self.broker.values(account)
        if download:
            self._send(client, AcctValue(key="AccountCode", val=account, currency="", account_name=account))
            self._send(client, AcctValue(key="AccountType", val="INDIVIDUAL", currency="", account_name=account))
        for key in _ACCOUNT_KEYS:
            value = finite(values[key])
            text = f"{value:.6f}" if key == "Cushion" else f"{value:.2f}"
            self._send(client, AcctValue(key=key, val=text, currency="" if key == "Cushion" else "USD", account_name=account))
        for position in self.broker.positions(account):
            self._send(client, PortfolioValue(
                contract=position.instrument.contract, position=position.quantity,
                market_price=round(finite(self.walks.mid(position.instrument, self._now)), 6),
                market_value=round(finite(self.broker.market_value(position)), 2),
                average_cost=round(position.avg_cost, 6),
                unrealized_pnl=round(finite(self.broker.unrealized(position)), 2),
                realized_pnl=round(position.realized, 2),
                account_name=account,
            ))
        self._send(client, AcctUpdateTime(time_stamp=time.strftime("%H:%M", time.gmtime(self._now))))
        if download:
            self._send(client, AcctDownloadEnd(account_name=account))

    def _on_ReqAcctData(self, client: _Client, message: Any, now: float) -> None:
        account = message.acct_code or self.accounts[0]
        if account not in self.accounts:
            self._validation(client, -1, "bB", f"Unknown account: {account}")
            return
        if not message.subscribe:
            client.account_updates = None
            return
        client.account_updates = account
        self._account_values(client, account, download=True)

    def _has_pnl(self) -> bool:
        return any(c.pnl or c.pnl_single for c in self._clients.values())

    def _send_pnl(self, client: _Client, only: int | None = None) -> None:
        broker = self.broker
        for req_id, account in client.pnl.items():
            if only is not None and req_id != only:
                continue
            values = broker.values(account)
            unrealized, realized = finite(values["UnrealizedPnL"]), finite(values["RealizedPnL"])
            self._send(client, Pnl(req_id=req_id, daily_pnl=round(unrealized + realized, 2),
                                   unrealized_pnl=round(unrealized, 2), realized_pnl=round(realized, 2)))
        for req_id, (account, con_id) in client.pnl_single.items():
            if only is not None and req_id != only:
                continue
            position = next((p for p in broker.positions(account) if p.instrument.con_id == con_id), None)
            if position is None:
                continue
            unrealized = finite(broker.unrealized(position))
            self._send(client, PnlSingle(
                req_id=req_id, pos=position.quantity, daily_pnl=round(unrealized + position.realized, 2),
                unrealized_pnl=round(unrealized, 2), realized_pnl=round(position.realized, 2),
                value=round(finite(broker.market_value(position)), 2),
            ))

    def _on_ReqPnl(self, client: _Client, message: Any, now: float) -> None:
        client.pnl[message.req_id] = message.account or self.accounts[0]
        self._send_pnl(client, message.req_id)
        self._pnl_due = self._pnl_due or now + 1.0

    def _on_CancelPnl(self, client: _Client, message: Any, now: float) -> None:
        client.pnl.pop(message.req_id, None)

    def _on_ReqPnlSingle(self, client: _Client, message: Any, now: float) -> None:
        client.pnl_single[message.req_id] = (message.account or self.accounts[0], int(message.con_id))
        self._send_pnl(client, message.req_id)
        self._pnl_due = self._pnl_due or now + 1.0

    def _on_CancelPnlSingle(self, client: _Client, message: Any, now: float) -> None:
        client.pnl_single.pop(message.req_id, None)


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
        server_version: the highest version it speaks (at most 200).
        max_rate: messages per second a client may send before error 100.
        tick_interval: seconds between market data updates of one subscription.
        start_order_id: the first ``nextValidId`` of each client id.
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
        tick_interval: float = 1.0,
        start_order_id: int = 1,
    ) -> None:
        self.core = SimulatorCore(
            seed=seed, accounts=accounts, no_permission=no_permission, server_version=server_version,
            max_rate=max_rate, tick_interval=tick_interval, start_order_id=start_order_id,
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
