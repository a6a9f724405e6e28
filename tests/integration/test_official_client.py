"""The official client (ibapi 10.51.1) against the simulator at version 226: connect, qualify, stream, fill, positions.

The simulator is a gateway for any TWS API client; this drives IB's own
``EClient``/``EWrapper`` with its reader thread over loopback, at the client's
maximum server version, where most messages travel in their protobuf form.
Every step waits on an event its wrapper callback sets, with a bounded timeout.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import pytest

from ibwire.testing._server import timeout_scale
from ibwire.testing.simulator import SimulatedGateway

ibapi = pytest.importorskip("ibapi", reason="the official client is not installed (pip install ibapi-latest==10.51.1)")
pytest.importorskip("ibapi.protobuf", reason="the installed ibapi is older than 10.37 (no protobuf forms)")

from ibapi.client import EClient  # noqa: E402
from ibapi.contract import Contract  # noqa: E402
from ibapi.order import Order  # noqa: E402
from ibapi.server_versions import MAX_CLIENT_VER  # noqa: E402
from ibapi.ticktype import TickTypeEnum  # noqa: E402
from ibapi.wrapper import EWrapper  # noqa: E402

OPEN = 1_710_168_000.0  # Monday 2024-03-11 14:40 UTC: US equities trade
TIMEOUT = 10.0 * timeout_scale()
#: Codes at or above 2100 are notices (farm connections), not failures.
NOTICES = 2100


class _App(EWrapper, EClient):  # type: ignore[misc]
    """Records what the official client reports, with one event per step."""

    def __init__(self) -> None:
        EWrapper.__init__(self)
        EClient.__init__(self, wrapper=self)
        self.errors: list[tuple[int, int, str]] = []
        self.next_id: int | None = None
        self.details: list[Any] = []
        self.prices: dict[int, float] = {}
        self.statuses: list[tuple[int, str, Decimal]] = []
        self.executions: list[tuple[int, Any]] = []
        self.positions: list[tuple[str, Any, Decimal, float]] = []
        self.commissions: dict[str, float] = {}
        #: The wrapper's ``...ProtoBuf`` hooks that fired: which answers came in protobuf form.
        self.protobuf: set[str] = set()
        self.ready = threading.Event()
        self.details_done = threading.Event()
        self.quoted = threading.Event()
        self.filled = threading.Event()
        self.executed = threading.Event()
        self.positions_done = threading.Event()
        self.closed = threading.Event()

    def error(self, reqId: int, errorTime: int, errorCode: int, errorString: str, advancedOrderRejectJson: str = "") -> None:
        if errorCode < NOTICES:
            self.errors.append((reqId, errorCode, errorString))

    def nextValidId(self, orderId: int) -> None:
        self.next_id = orderId
        self.ready.set()

    def contractDetails(self, reqId: int, contractDetails: Any) -> None:
        self.details.append(contractDetails)

    def contractDetailsEnd(self, reqId: int) -> None:
        self.details_done.set()

    def tickPrice(self, reqId: int, tickType: int, price: float, attrib: Any) -> None:
        self.prices[tickType] = price
        if self.prices.get(TickTypeEnum.BID, 0) > 0 and self.prices.get(TickTypeEnum.ASK, 0) > 0:
            self.quoted.set()

    def orderStatus(self, orderId: int, status: str, filled: Decimal, *rest: Any) -> None:
        self.statuses.append((orderId, status, filled))
        if status == "Filled":
            self.filled.set()

    def execDetails(self, reqId: int, contract: Any, execution: Any) -> None:
        self.executions.append((contract.conId, execution))
        if sum(e.shares for _, e in self.executions) >= 100:
            self.executed.set()

    def position(self, account: str, contract: Any, position: Decimal, avgCost: float) -> None:
        self.positions.append((account, contract, position, avgCost))

    def commissionAndFeesReport(self, commissionAndFeesReport: Any) -> None:
        self.commissions[commissionAndFeesReport.execId] = commissionAndFeesReport.commissionAndFees

    def contractDataProtoBuf(self, contractDataProto: Any) -> None:
        self.protobuf.add("contractData")

    def tickPriceProtoBuf(self, tickPriceProto: Any) -> None:
        self.protobuf.add("tickPrice")

    def orderStatusProtoBuf(self, orderStatusProto: Any) -> None:
        self.protobuf.add("orderStatus")

    def executionDetailsProtoBuf(self, executionDetailsProto: Any) -> None:
        self.protobuf.add("executionDetails")

    def positionProtoBuf(self, positionProto: Any) -> None:
        self.protobuf.add("position")

    def positionEnd(self) -> None:
        self.positions_done.set()

    def connectionClosed(self) -> None:
        self.closed.set()


def _wait(event: threading.Event, app: _App, what: str) -> None:
    assert event.wait(TIMEOUT), f"no {what} within {TIMEOUT}s; errors: {app.errors}"


def test_official_client_negotiates_226_qualifies_streams_fills_and_sees_the_position() -> None:
    assert MAX_CLIENT_VER == 226, MAX_CLIENT_VER
    started = time.monotonic()
    gateway = SimulatedGateway(seed=5, clock=lambda: OPEN + (time.monotonic() - started), tick_interval=0.1)
    app = _App()
    with gateway:
        reader: threading.Thread | None = None
        try:
            app.connect("127.0.0.1", gateway.port, clientId=7)
            assert app.isConnected(), app.errors
            assert app.serverVersion() == 226
            reader = threading.Thread(target=app.run, name="ibapi-reader", daemon=True)
            reader.start()
            _wait(app.ready, app, "nextValidId")

            stock = Contract()
            stock.symbol, stock.secType, stock.exchange, stock.currency = "AAPL", "STK", "SMART", "USD"
            app.reqContractDetails(1, stock)
            _wait(app.details_done, app, "contractDetailsEnd")
            (details,) = app.details
            assert details.contract.conId == 265598
            assert details.contract.primaryExchange == "NASDAQ"

            qualified = details.contract
            qualified.exchange = "SMART"
            app.reqMktData(2, qualified, "", False, False, [])
            _wait(app.quoted, app, "bid and ask")
            assert 0 < app.prices[TickTypeEnum.BID] < app.prices[TickTypeEnum.ASK]
            app.cancelMktData(2)

            app.ready.clear()
            app.reqIds(-1)
            _wait(app.ready, app, "nextValidId after reqIds")
            assert app.next_id is not None
            order_id = app.next_id
            order = Order()
            order.action, order.orderType, order.totalQuantity = "BUY", "MKT", Decimal(100)
            app.placeOrder(order_id, qualified, order)
            _wait(app.filled, app, "orderStatus Filled")
            _wait(app.executed, app, "execDetails for 100 shares")
            assert (order_id, "Filled", Decimal(100)) in app.statuses
            assert all(con_id == 265598 for con_id, _ in app.executions)
            assert {e.orderId for _, e in app.executions} == {order_id}

            app.reqPositions()
            _wait(app.positions_done, app, "positionEnd")
            (account, contract, quantity, avg_cost), *_ = [p for p in app.positions if p[1].conId == 265598]
            assert account == "DU0000001" and quantity == Decimal(100)
            # IB's average cost: the fill price plus the commission per share.
            executions = [e for _, e in app.executions]
            assert {e.execId for e in executions} <= set(app.commissions)
            cost = sum(e.shares * Decimal(str(e.price)) for e in executions) + sum(
                Decimal(str(app.commissions[e.execId])) for e in executions
            )
            assert avg_cost == pytest.approx(float(cost / 100))
            app.cancelPositions()
            assert app.errors == []
            # At 226 each of these answers travels in its protobuf form, not as text.
            assert app.protobuf >= {"contractData", "tickPrice", "orderStatus", "executionDetails", "position"}
        finally:
            app.disconnect()
            if reader is not None:
                reader.join(TIMEOUT)
                assert not reader.is_alive()
            if app.reader is not None:  # the socket reader thread ends when its socket closes
                app.reader.join(TIMEOUT)
                assert not app.reader.is_alive()


class _Connected:
    """The official client connected to a simulator at 226, its reader thread running."""

    def __init__(self, app: _App) -> None:
        started = time.monotonic()
        self.app = app
        self.gateway = SimulatedGateway(seed=5, clock=lambda: OPEN + (time.monotonic() - started), tick_interval=0.1)
        self.reader: threading.Thread | None = None

    def __enter__(self) -> _App:
        self.gateway.__enter__()
        self.app.connect("127.0.0.1", self.gateway.port, clientId=7)
        assert self.app.serverVersion() == 226
        self.reader = threading.Thread(target=self.app.run, name="ibapi-reader", daemon=True)
        self.reader.start()
        _wait(self.app.ready, self.app, "nextValidId")
        return self.app

    def __exit__(self, *exc: object) -> None:
        try:
            self.app.disconnect()
            if self.reader is not None:
                self.reader.join(TIMEOUT)
            if self.app.reader is not None:
                self.app.reader.join(TIMEOUT)
        finally:
            self.gateway.__exit__(None, None, None)


class _WhatIfApp(_App):
    def __init__(self) -> None:
        super().__init__()
        self.open_orders: list[tuple[int, Any, Any]] = []
        self.answered = threading.Event()

    def openOrder(self, orderId: int, contract: Any, order: Any, orderState: Any) -> None:
        self.open_orders.append((orderId, order, orderState))
        self.answered.set()


def test_official_client_what_if_order_reports_its_own_order_and_client_ids() -> None:
    app = _WhatIfApp()
    with _Connected(app):
        stock = Contract()
        stock.conId, stock.exchange = 265598, "SMART"
        order = Order()
        order.action, order.orderType, order.totalQuantity, order.lmtPrice = "BUY", "LMT", Decimal(10), 100.0
        order.whatIf = True
        app.placeOrder(50, stock, order)
        _wait(app.answered, app, "openOrder for the what-if order")
        ((order_id, reported, state),) = app.open_orders
        # The protobuf order's own orderId wins over the message's: it must be the order's.
        assert (order_id, reported.orderId, reported.clientId) == (50, 50, 7)
        assert float(state.initMarginChange) > 0
        assert app.errors == []


class _ConfigApp(_App):
    def __init__(self) -> None:
        super().__init__()
        self.configs: list[Any] = []
        self.updates: list[Any] = []
        self.configured = threading.Event()
        self.updated = threading.Event()

    def configResponseProtoBuf(self, configResponseProto: Any) -> None:
        self.configs.append(configResponseProto)
        self.configured.set()

    def updateConfigResponseProtoBuf(self, updateConfigResponseProto: Any) -> None:
        self.updates.append(updateConfigResponseProto)
        self.updated.set()


def test_official_client_reads_and_updates_the_gateway_configuration() -> None:
    from ibapi.protobuf.ConfigRequest_pb2 import ConfigRequest
    from ibapi.protobuf.UpdateConfigRequest_pb2 import UpdateConfigRequest

    app = _ConfigApp()
    with _Connected(app):
        app.reqConfigProtoBuf(ConfigRequest(reqId=9))
        _wait(app.configured, app, "configResponse")
        (config,) = app.configs
        assert config.reqId == 9
        assert config.api.settings.HasField("readOnlyApi") and not config.api.settings.readOnlyApi

        update = UpdateConfigRequest(reqId=10)
        update.api.settings.readOnlyApi = True
        update.api.settings.masterClientId = 0  # unchanged: not among the changed fields
        app.updateConfigProtoBuf(update)
        _wait(app.updated, app, "updateConfigResponse")
        (answer,) = app.updates
        assert answer.reqId == 10 and list(answer.changedFields) == ["readOnlyApi"] and not answer.errors

        app.configured.clear()
        app.reqConfigProtoBuf(ConfigRequest(reqId=11))
        _wait(app.configured, app, "configResponse after the update")
        assert app.configs[-1].reqId == 11 and app.configs[-1].api.settings.readOnlyApi
        assert app.errors == []


def test_official_client_subscribes_to_news_bulletins_without_an_error() -> None:
    app = _App()
    with _Connected(app):
        app.reqNewsBulletins(True)
        app.cancelNewsBulletins()
        # Answered in order: once nextValidId is back, the bulletin requests were taken.
        app.ready.clear()
        app.reqIds(-1)
        _wait(app.ready, app, "nextValidId after the bulletin requests")
        assert app.errors == []
