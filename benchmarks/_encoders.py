"""The encode contenders: a request object in, the framed bytes a socket would get out.

Three requests, each built from the same pre-made domain objects (contract,
order) and a new id per call:

* ``place_order``: a limit order with account, reference, outside-RTH, GTC and an
  Adaptive algo with one parameter;
* ``req_mkt_data``: a stock with a generic tick list;
* ``req_historical_data``: one day of 1-minute TRADES bars.

Contenders, each connected (handshake fed from memory) at server version 157:

* ibwire: build the message (``PlaceOrder(...)``, validated), then
  ``ClientProtocol.send`` (generated encoder, text check, framing) and
  ``data_to_send``;
* ib_async 2.1.0: ``Client.placeOrder`` / ``reqMktData`` / ``reqHistoricalData``
  with throttling off (``MaxRequests = 0``) and a transport that keeps the bytes;
* ibapi 9.81: ``EClient.placeOrder`` / ``reqMktData`` / ``reqHistoricalData`` with
  a connection that keeps the bytes.

Before any figure is printed, every contender's output is decoded by an
:class:`ibwire.ServerProtocol` and compared with what was asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from _stream import make_streams

from ibwire import ServerProtocol
from ibwire.messages import PlaceOrder, ReqHistoricalData, ReqMktData

VERSION = 157
OPERATIONS = ("place_order", "req_mkt_data", "req_historical_data")

SYMBOL = "AAPL"
CON_ID = 265598
LIMIT = 187.25
QUANTITY = 100
ACCOUNT = "DU1234567"
ORDER_REF = "bench-order"
TICKS = "100,101,104,106,165,221,233,236"
BAR_SIZE = "1 min"
DURATION = "1 D"
END = "20240611 16:00:00 US/Eastern"


def _preamble() -> bytes:
    return make_streams(1, (VERSION,))[VERSION].preamble


class Contender:
    name = ""
    missing: str | None = None

    def operations(self) -> dict[str, Callable[[int], None]]:
        """Operation name -> ``op(id)`` that encodes one request."""
        raise NotImplementedError

    def take(self) -> list[bytes]:
        """The frames written since the last call (length prefix included)."""
        raise NotImplementedError


class Ibwire(Contender):
    name = "ibwire"

    def __init__(self) -> None:
        from ibwire import ClientProtocol
        from ibwire.messages import Contract, Order, TagValue

        client = ClientProtocol(0)
        client.connect()
        client.receive_data(_preamble())
        client.events_received()
        client.data_to_send()
        self.client = client
        self.contract = Contract(
            con_id=CON_ID,
            symbol=SYMBOL,
            sec_type="STK",
            exchange="SMART",
            primary_exchange="NASDAQ",
            currency="USD",
        )
        self.order = Order(
            action="BUY",
            total_quantity=Decimal(QUANTITY),
            order_type="LMT",
            lmt_price=LIMIT,
            tif="GTC",
            account=ACCOUNT,
            order_ref=ORDER_REF,
            outside_rth=True,
            algo_strategy="Adaptive",
            algo_params=(TagValue(tag="adaptivePriority", value="Normal"),),
        )
        self.frames: list[bytes] = []

    def operations(self) -> dict[str, Callable[[int], None]]:
        send = self.client.send
        drain = self.client.data_to_send
        keep = self.frames.append
        contract, order = self.contract, self.order

        def place_order(i: int) -> None:
            send(PlaceOrder(order_id=i, contract=contract, order=order))
            keep(drain())

        def req_mkt_data(i: int) -> None:
            send(ReqMktData(req_id=i, contract=contract, generic_tick_list=TICKS))
            keep(drain())

        def req_historical_data(i: int) -> None:
            send(
                ReqHistoricalData(
                    req_id=i,
                    contract=contract,
                    end_date_time=END,
                    duration_str=DURATION,
                    bar_size_setting=BAR_SIZE,
                    what_to_show="TRADES",
                    use_rth=True,
                    format_date=1,
                )
            )
            keep(drain())

        return {
            "place_order": place_order,
            "req_mkt_data": req_mkt_data,
            "req_historical_data": req_historical_data,
        }

    def take(self) -> list[bytes]:
        frames, self.frames[:] = list(self.frames), []
        return frames


class _Transport:
    """What ib_async's Connection writes to."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.write = self.frames.append


class IbAsync(Contender):
    name = "ib_async"

    def __init__(self) -> None:
        try:
            import ib_async
            from ib_async.client import Client
            from ib_async.contract import Contract
            from ib_async.objects import TagValue
            from ib_async.order import Order
        except ImportError as exc:
            self.missing = f"ib_async not installed ({exc})"
            return
        self.name = f"ib_async {ib_async.__version__}"
        logging.getLogger("ib_async").setLevel(logging.ERROR)
        wrapper = _Quiet()
        client = Client(wrapper)
        # Requests are measured, not paced: ibwire's ClientProtocol has no pacer either.
        client.MaxRequests = 0
        client.connState = client.CONNECTING
        client.conn.data_received(_preamble())
        self.transport = _Transport()
        client.conn.transport = self.transport
        self.client = client
        self.contract = Contract(
            conId=CON_ID,
            symbol=SYMBOL,
            secType="STK",
            exchange="SMART",
            primaryExchange="NASDAQ",
            currency="USD",
        )
        self.order = Order(
            action="BUY",
            totalQuantity=QUANTITY,
            orderType="LMT",
            lmtPrice=LIMIT,
            tif="GTC",
            account=ACCOUNT,
            orderRef=ORDER_REF,
            outsideRth=True,
            algoStrategy="Adaptive",
            algoParams=[TagValue("adaptivePriority", "Normal")],
        )

    def operations(self) -> dict[str, Callable[[int], None]]:
        client, contract, order = self.client, self.contract, self.order

        def place_order(i: int) -> None:
            client.placeOrder(i, contract, order)

        def req_mkt_data(i: int) -> None:
            client.reqMktData(i, contract, TICKS, False, False, [])

        def req_historical_data(i: int) -> None:
            client.reqHistoricalData(
                i, contract, END, DURATION, BAR_SIZE, "TRADES", True, 1, False, []
            )

        return {
            "place_order": place_order,
            "req_mkt_data": req_mkt_data,
            "req_historical_data": req_historical_data,
        }

    def take(self) -> list[bytes]:
        frames, self.transport.frames[:] = list(self.transport.frames), []
        return frames


class _Quiet:
    """The wrapper methods ib_async's Client calls during the handshake."""

    def connectAck(self) -> None:  # noqa: N802 - ib_async's name
        pass

    def nextValidId(self, *args: object) -> None:  # noqa: N802
        pass

    def managedAccounts(self, *args: object) -> None:  # noqa: N802
        pass


class _Connection:
    """What ibapi's EClient sends through."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.sendMsg = self.frames.append

    def isConnected(self) -> bool:  # noqa: N802 - ibapi's name
        return True


class Ibapi(Contender):
    name = "ibapi"

    def __init__(self) -> None:
        try:
            import ibapi
            from ibapi.client import EClient
            from ibapi.contract import Contract
            from ibapi.order import Order
            from ibapi.tag_value import TagValue
            from ibapi.wrapper import EWrapper
        except ImportError as exc:
            self.missing = f"ibapi not installed ({exc})"
            return
        self.name = f"ibapi {ibapi.get_version_string()}"
        client = EClient(EWrapper())
        self.connection = _Connection()
        client.conn = self.connection
        client.serverVersion_ = VERSION
        client.connState = EClient.CONNECTED
        self.client = client
        contract = Contract()
        contract.conId = CON_ID
        contract.symbol = SYMBOL
        contract.secType = "STK"
        contract.exchange = "SMART"
        contract.primaryExchange = "NASDAQ"
        contract.currency = "USD"
        order = Order()
        order.action = "BUY"
        order.totalQuantity = QUANTITY
        order.orderType = "LMT"
        order.lmtPrice = LIMIT
        order.tif = "GTC"
        order.account = ACCOUNT
        order.orderRef = ORDER_REF
        order.outsideRth = True
        order.algoStrategy = "Adaptive"
        order.algoParams = [TagValue("adaptivePriority", "Normal")]
        self.contract, self.order = contract, order

    def operations(self) -> dict[str, Callable[[int], None]]:
        client, contract, order = self.client, self.contract, self.order

        def place_order(i: int) -> None:
            client.placeOrder(i, contract, order)

        def req_mkt_data(i: int) -> None:
            client.reqMktData(i, contract, TICKS, False, False, [])

        def req_historical_data(i: int) -> None:
            client.reqHistoricalData(
                i, contract, END, DURATION, BAR_SIZE, "TRADES", 1, 1, False, []
            )

        return {
            "place_order": place_order,
            "req_mkt_data": req_mkt_data,
            "req_historical_data": req_historical_data,
        }

    def take(self) -> list[bytes]:
        frames, self.connection.frames[:] = list(self.connection.frames), []
        return frames


def contenders() -> list[Contender]:
    return [Ibwire(), IbAsync(), Ibapi()]


# ----------------------------------------------------------------------------- checks


def _server() -> ServerProtocol:
    server = ServerProtocol(max_version=VERSION)
    server.receive_data(b"API\0\0\0\0\x09v100..200")
    server.events_received()
    server.accept(VERSION)
    server.data_to_send()
    return server


def check(operation: str, frames: list[bytes], ids: list[int]) -> str | None:
    """``None`` when ``frames`` decode to the requests asked for, with ``ids``, in order."""
    if len(frames) != len(ids):
        return f"{len(frames)} frames for {len(ids)} calls"
    server = _server()
    server.receive_data(b"".join(frames))
    messages = server.events_received()
    if len(messages) != len(ids):
        return f"{len(messages)} messages decoded from {len(ids)} frames: {messages[:1]!r}"
    for message, i in zip(messages, ids, strict=True):
        problem = _compare(operation, message, i)
        if problem:
            return problem
    return None


def _compare(operation: str, message: Any, i: int) -> str | None:
    if operation == "place_order":
        if not isinstance(message, PlaceOrder):
            return f"not a PlaceOrder: {message!r}"
        o = message.order
        got = (
            message.order_id,
            message.contract.con_id,
            message.contract.symbol,
            o.action,
            o.total_quantity,
            o.order_type,
            o.lmt_price,
            o.tif,
            o.account,
            o.order_ref,
            o.outside_rth,
            o.algo_strategy,
            tuple((t.tag, t.value) for t in o.algo_params),
        )
        want = (
            i,
            CON_ID,
            SYMBOL,
            "BUY",
            Decimal(QUANTITY),
            "LMT",
            LIMIT,
            "GTC",
            ACCOUNT,
            ORDER_REF,
            True,
            "Adaptive",
            (("adaptivePriority", "Normal"),),
        )
    elif operation == "req_mkt_data":
        if not isinstance(message, ReqMktData):
            return f"not a ReqMktData: {message!r}"
        got = (message.req_id, message.contract.con_id, message.contract.symbol, message.generic_tick_list)
        want = (i, CON_ID, SYMBOL, TICKS)
    else:
        if not isinstance(message, ReqHistoricalData):
            return f"not a ReqHistoricalData: {message!r}"
        got = (
            message.req_id,
            message.contract.symbol,
            message.end_date_time,
            message.duration_str,
            message.bar_size_setting,
            message.what_to_show,
            message.use_rth,
        )
        want = (i, SYMBOL, END, DURATION, BAR_SIZE, "TRADES", True)
    if got != want:
        return f"{operation}: decoded {got!r}, expected {want!r}"
    return None
