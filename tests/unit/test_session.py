"""The sans-I/O client session, driven against an in-memory ServerProtocol with a fake clock."""

from __future__ import annotations

import dataclasses
import logging
import random
from decimal import Decimal

import pytest

from ibwire._session import (
    Bracket,
    Pending,
    Phase,
    ReadOnlyError,
    ReconnectPolicy,
    Session,
)
from ibwire.errorcodes import CodeTable, Severity
from ibwire.errors import (
    ApiError,
    ClientIdInUseError,
    ConnectionClosedError,
    LocalProtocolError,
    RequestTimeoutError,
)
from ibwire.events import ClientHello, ConnectAck, ConnectionClosed, MalformedMessage
from ibwire.messages import (
    BarData,
    CancelHistoricalData,
    CancelMktData,
    CancelOrder,
    CommissionAndFeesReport,
    Contract,
    ContractData,
    ContractDataEnd,
    ContractDetails,
    CurrentTime,
    ErrMsg,
    Execution,
    ExecutionData,
    ExecutionDataEnd,
    ExecutionFilter,
    HistoricalData,
    HistoricalDataEnd,
    ManagedAccts,
    Message,
    NextValidId,
    OpenOrder,
    Order,
    OrderState,
    OrderStatus,
    PlaceOrder,
    ReqAcctData,
    ReqCompletedOrders,
    ReqContractData,
    ReqCurrentTime,
    ReqExecutions,
    ReqGlobalCancel,
    ReqHistoricalData,
    ReqMarketDataType,
    ReqMktData,
    ReqOpenOrders,
    StartApi,
    TickPrice,
    TickSnapshotEnd,
)
from ibwire.pacing import PacingConfig
from ibwire.protocol import ServerProtocol
from ibwire.wrapper import Connectivity, Reconnected, Reconnecting

AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
MSFT = Contract(symbol="MSFT", sec_type="STK", exchange="SMART", currency="USD")
# What TWS reports: every number set.
AAPL_REPORTED = dataclasses.replace(AAPL, strike=0.0)


class Sink:
    """A subscription sink that records what it gets."""

    def __init__(self) -> None:
        self.items: list[Message] = []
        self.ended: list[BaseException | None] = []

    def push(self, message: Message) -> None:
        self.items.append(message)

    def end(self, error: BaseException | None) -> None:
        self.ended.append(error)


class Rig:
    """A Session wired to an in-memory ServerProtocol, on a fake clock."""

    def __init__(self, *, version: int = 200, **kwargs: object) -> None:
        kwargs.setdefault("heartbeat_interval", None)
        kwargs.setdefault("rng", random.Random(7))
        self.now = 1000.0
        self.version = version
        self.session = Session(7, **kwargs)  # type: ignore[arg-type]
        self.server: ServerProtocol | None = None
        self.received: list[Message] = []  # what the server got from the client
        self.dispatched: list[object] = []  # what the wrapper would get
        self.connections = 0

    # -- plumbing
    def collect(self) -> None:
        self.dispatched.extend(self.session.events_to_dispatch())

    def flush(self) -> None:
        """Carry client bytes to the server (answering the hello), until quiet."""
        while True:
            data = self.session.data_to_send()
            server = self.server
            if not data or server is None:
                self.collect()
                return
            server.receive_data(data)
            for event in server.events_received():
                if isinstance(event, ClientHello):
                    server.accept(self.version)
                    self.session.receive_data(server.data_to_send(), self.now)
                elif isinstance(event, Message) and not isinstance(event, StartApi):
                    self.received.append(event)

    def open(self) -> None:
        self.server = ServerProtocol(max_version=self.version)
        self.connections += 1
        self.session.transport_opened(self.now)
        self.flush()

    def deliver(self, *messages: Message) -> None:
        server = self.server
        assert server is not None
        for message in messages:
            server.send(message)
        self.session.receive_data(server.data_to_send(), self.now)
        self.flush()

    def deliver_raw(self, payload: bytes) -> None:
        server = self.server
        assert server is not None
        server.send_raw(payload)
        self.session.receive_data(server.data_to_send(), self.now)
        self.flush()

    def ready(self, next_valid_id: int = 1, accounts: str = "DU111,DU222") -> None:
        waiter = self.session.start(self.now)
        self.open()
        self.deliver(ManagedAccts(accounts_list=accounts), NextValidId(order_id=next_valid_id))
        assert waiter.done and waiter.error is None
        assert self.session.is_ready

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self.session.on_timer(self.now)
        self.flush()
        self.close_if_asked()
        if self.session.wants_connect:
            self.open()

    def close_if_asked(self) -> None:
        if self.session.wants_close:
            self.server = None
            self.session.transport_closed(self.now)
            self.collect()

    def drop(self) -> None:
        """The gateway goes away: EOF, then the front end closes its socket."""
        self.session.receive_eof(self.now)
        self.collect()
        self.close_if_asked()

    def submit(self, message: Message) -> None:
        self.session.submit(message, self.now)
        self.flush()

    def take(self) -> list[Message]:
        taken, self.received = self.received, []
        return taken

    def events(self, cls: type) -> list[object]:
        return [e for e in self.dispatched if isinstance(e, cls)]


def fill(exec_id: str, order_id: int = 1, req_id: int = -1) -> ExecutionData:
    return ExecutionData(
        req_id=req_id,
        contract=AAPL_REPORTED,
        execution=Execution(exec_id=exec_id, order_id=order_id, shares=Decimal(100), price=10.0),
    )


# ---------------------------------------------------------------------- connect


def test_ready_needs_next_valid_id_and_managed_accounts() -> None:
    rig = Rig()
    waiter = rig.session.start(rig.now)
    rig.open()
    assert rig.session.phase is Phase.STARTING
    assert rig.events(ConnectAck)
    rig.deliver(NextValidId(order_id=5))
    assert not waiter.done and rig.session.phase is Phase.STARTING
    rig.deliver(ManagedAccts(accounts_list="DU1,DU2,"))
    assert waiter.done
    assert rig.session.accounts == ("DU1", "DU2")
    assert rig.session.order_ids.peek() == 5


def test_requests_before_ready_are_refused() -> None:
    rig = Rig()
    rig.session.start(rig.now)
    rig.open()
    with pytest.raises(ConnectionClosedError, match="not connected"):
        rig.session.submit(ReqCurrentTime(), rig.now)


def test_connect_timeout() -> None:
    rig = Rig(connect_timeout=5.0)
    waiter = rig.session.start(rig.now)
    rig.open()
    rig.deliver(NextValidId(order_id=1))
    assert rig.session.next_deadline() == pytest.approx(rig.now + 5.0)
    rig.advance(4.9)
    assert not waiter.done
    rig.advance(0.2)
    with pytest.raises(RequestTimeoutError, match="client id 7"):
        waiter.result()
    assert rig.session.phase is Phase.DISCONNECTED
    assert rig.server is None  # the socket was closed


def test_error_326_is_client_id_in_use() -> None:
    """Pain point 3: 326 becomes ClientIdInUseError naming the id."""
    rig = Rig()
    waiter = rig.session.start(rig.now)
    rig.open()
    rig.deliver(
        ErrMsg(
            req_id=-1,
            error_code=326,
            error_string="Unable to connect as the client id is already in use.",
        )
    )
    with pytest.raises(ClientIdInUseError, match="client id 7") as info:
        waiter.result()
    assert info.value.client_id == 7
    assert rig.session.wants_close
    assert rig.events(ConnectionClosed)


def test_eof_right_after_start_api_is_client_id_in_use() -> None:
    """Pain point 3: TWS often just closes after startApi."""
    rig = Rig()
    waiter = rig.session.start(rig.now)
    rig.open()
    rig.drop()
    with pytest.raises(ClientIdInUseError):
        waiter.result()
    assert len(rig.events(ConnectionClosed)) == 1


def test_eof_during_handshake_is_connection_closed() -> None:
    rig = Rig()
    waiter = rig.session.start(rig.now)
    rig.session.transport_opened(rig.now)
    rig.session.receive_eof(rig.now)
    with pytest.raises(ConnectionClosedError) as info:
        waiter.result()
    assert not isinstance(info.value, ClientIdInUseError)


def test_transport_failure_fails_connect() -> None:
    rig = Rig()
    waiter = rig.session.start(rig.now)
    rig.session.transport_failed(ConnectionRefusedError("refused"), rig.now)
    with pytest.raises(ConnectionClosedError, match="refused"):
        waiter.result()
    assert rig.session.phase is Phase.DISCONNECTED


def test_connect_twice_is_refused() -> None:
    rig = Rig()
    rig.ready()
    with pytest.raises(LocalProtocolError):
        rig.session.start(rig.now)


# ---------------------------------------------------------------------- ids


def test_order_ids_and_request_ids_are_separate() -> None:
    """Pain point 8: order ids from nextValidId, request ids from their own counter."""
    rig = Rig()
    rig.ready(next_valid_id=42)
    assert [rig.session.new_order_id() for _ in range(3)] == [42, 43, 44]
    req = rig.session.new_request_id()
    assert req >= 1_000_000_000
    assert rig.session.new_order_id() == 45


def test_explicit_order_id_is_never_reused() -> None:
    rig = Rig()
    rig.ready(next_valid_id=10)
    rig.submit(PlaceOrder(order_id=50, contract=AAPL, order=Order(action="BUY")))
    assert rig.session.new_order_id() == 51


# ---------------------------------------------------------------------- errors


def test_error_ends_its_helper_with_api_error() -> None:
    """Pain points 2 and 13: an error for a request id ends that request."""
    rig = Rig()
    rig.ready()
    pending = rig.session.contract_details(AAPL, rig.now, 10.0)
    rig.flush()
    (request,) = rig.take()
    assert isinstance(request, ReqContractData)
    rig.deliver(
        ErrMsg(req_id=request.req_id + 1, error_code=200, error_string="not mine"),
        ErrMsg(req_id=request.req_id, error_code=200, error_string="No security definition"),
    )
    with pytest.raises(ApiError) as info:
        pending.result()
    assert info.value.code == 200 and info.value.req_id == request.req_id
    # The error still reaches the wrapper.
    assert [e.error_code for e in rig.events(ErrMsg)] == [200, 200]  # type: ignore[attr-defined]


def test_helper_collects_until_end() -> None:
    rig = Rig()
    rig.ready()
    pending = rig.session.contract_details(AAPL, rig.now, 10.0)
    rig.flush()
    (request,) = rig.take()
    assert isinstance(request, ReqContractData)
    details = ContractDetails(contract=AAPL_REPORTED, market_name="NMS")
    rig.deliver(ContractData(req_id=request.req_id, contract_details=details))
    assert not pending.done
    rig.deliver(ContractDataEnd(req_id=request.req_id))
    assert pending.result() == [details]


@pytest.mark.parametrize("code", [2104, 2106, 2158])
def test_farm_ok_codes_are_connectivity_not_errors(code: int) -> None:
    """Pain point 11: farm notices are connectivity events and fail nothing."""
    rig = Rig()
    rig.ready()
    pending = rig.session.contract_details(AAPL, rig.now, 10.0)
    rig.flush()
    (request,) = rig.take()
    assert isinstance(request, ReqContractData)
    rig.deliver(ErrMsg(req_id=-1, error_code=code, error_string="farm connection is OK:usfarm"))
    rig.deliver(ErrMsg(req_id=request.req_id, error_code=code, error_string="farm OK:usfarm"))
    assert not pending.done
    assert not rig.events(ErrMsg)
    event = rig.events(Connectivity)[0]
    assert isinstance(event, Connectivity)
    assert event.code == code and event.is_connected and event.farm == "usfarm"


def test_10349_does_not_cancel_the_order() -> None:
    """Pain point 11: 10349 (TIF set by preset) is a warning; the order stays open."""
    rig = Rig()
    rig.ready(next_valid_id=3)
    rig.submit(PlaceOrder(order_id=3, contract=AAPL, order=Order(action="BUY", order_ref="x")))
    rig.deliver(ErrMsg(req_id=3, error_code=10349, error_string="Order TIF was set to DAY"))
    assert [o.order_id for o in rig.session.open_orders] == [3]
    rig.deliver(ErrMsg(req_id=3, error_code=202, error_string="Order Canceled"))
    assert rig.session.open_orders == []


def test_user_code_table_override() -> None:
    rig = Rig(code_table=CodeTable({200: Severity.WARNING}))
    rig.ready()
    pending = rig.session.contract_details(AAPL, rig.now, 10.0)
    rig.flush()
    (request,) = rig.take()
    assert isinstance(request, ReqContractData)
    rig.deliver(ErrMsg(req_id=request.req_id, error_code=200, error_string="ambiguous"))
    assert not pending.done


def test_connectivity_lost_and_restored() -> None:
    rig = Rig()
    rig.ready()
    rig.deliver(ErrMsg(req_id=-1, error_code=1100, error_string="Connectivity lost"))
    rig.deliver(ErrMsg(req_id=-1, error_code=1102, error_string="restored, data maintained"))
    events = rig.events(Connectivity)
    assert [(e.code, e.is_connected, e.data_lost) for e in events] == [  # type: ignore[attr-defined]
        (1100, False, False),
        (1102, True, False),
    ]


def test_1101_resubscribes_and_1102_keeps() -> None:
    """Pain point 1: 1101 = data lost, re-send; 1102 = data kept."""
    rig = Rig()
    rig.ready()
    rig.submit(ReqMktData(req_id=5, contract=AAPL))
    rig.submit(ReqMktData(req_id=6, contract=MSFT, snapshot=True))
    rig.take()
    rig.deliver(ErrMsg(req_id=-1, error_code=1102, error_string="data maintained"))
    assert rig.take() == []
    rig.deliver(ErrMsg(req_id=-1, error_code=1101, error_string="data lost"))
    sent = rig.take()
    assert sent == [CancelMktData(req_id=5), ReqMktData(req_id=5, contract=AAPL)]


def test_subscription_error_ends_stream_and_is_not_resubscribed() -> None:
    rig = Rig(reconnect=ReconnectPolicy(initial_delay=1.0, jitter=0.0))
    rig.ready()
    sink = Sink()
    key = rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), sink, rig.now)
    rig.flush()
    rig.deliver(ErrMsg(req_id=9, error_code=354, error_string="not subscribed"))
    assert isinstance(sink.ended[0], ApiError)
    assert rig.session.live_subscriptions == []
    assert key == 9


def test_warnings_are_kept_on_the_subscription() -> None:
    rig = Rig()
    rig.ready()
    sink = Sink()
    rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), sink, rig.now)
    rig.deliver(ErrMsg(req_id=9, error_code=10167, error_string="delayed data"))
    assert not sink.ended
    assert [w.error_code for w in rig.session.subscription_warnings(9)] == [10167]


def test_cancel_stops_the_stream() -> None:
    """Pain point 13: after a cancel nothing more reaches the subscription."""
    rig = Rig()
    rig.ready()
    sink = Sink()
    rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), sink, rig.now)
    rig.deliver(TickPrice(req_id=9, tick_type=1, price=1.0))
    rig.session.unsubscribe(9, rig.now)
    rig.flush()
    assert CancelMktData(req_id=9) in rig.take()
    rig.deliver(TickPrice(req_id=9, tick_type=1, price=2.0))  # in flight
    assert [m.price for m in sink.items] == [1.0]  # type: ignore[attr-defined]
    assert sink.ended == [None]


def test_snapshot_stream_ends_on_snapshot_end() -> None:
    rig = Rig()
    rig.ready()
    sink = Sink()
    rig.session.subscribe(
        ReqMktData(req_id=9, contract=AAPL, snapshot=True),
        sink,
        rig.now,
        ends=frozenset({TickSnapshotEnd}),
    )
    rig.deliver(TickPrice(req_id=9, tick_type=1, price=1.0), TickSnapshotEnd(req_id=9))
    assert sink.ended == [None]
    assert len(sink.items) == 2


def test_malformed_message_is_reported_and_stream_goes_on() -> None:
    """Pain point 9: a bad frame is an event; the next one is decoded."""
    rig = Rig()
    rig.ready()
    sink = Sink()
    rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), sink, rig.now)
    rig.deliver_raw(b"1\x006\x009\x00one\x00")  # TICK_PRICE cut short, bad tick type
    rig.deliver(TickPrice(req_id=9, tick_type=1, price=3.0))
    (bad,) = rig.events(MalformedMessage)
    assert bad.msg_id == 1  # type: ignore[attr-defined]
    assert [m.price for m in sink.items] == [3.0]  # type: ignore[attr-defined]


# ---------------------------------------------------------------------- helpers


def test_helper_timeout_cancels_at_tws() -> None:
    """Pain point 2: a helper times out and its request is cancelled cleanly."""
    rig = Rig()
    rig.ready()
    request = ReqHistoricalData(
        req_id=0,
        contract=AAPL,
        bar_size_setting="1 hour",
        duration_str="1 D",
        what_to_show="TRADES",
    )
    pending = rig.session.historical_bars(request, rig.now, 5.0)
    rig.flush()
    (sent,) = rig.take()
    rig.advance(5.0)
    with pytest.raises(RequestTimeoutError, match="5s"):
        pending.result()
    assert rig.take() == [CancelHistoricalData(req_id=sent.req_id)]  # type: ignore[attr-defined]


def _paced_second_request(rig: Rig) -> tuple[ReqHistoricalData, object]:
    request = ReqHistoricalData(
        req_id=0, contract=AAPL, bar_size_setting="1 min", duration_str="1 D", what_to_show="TRADES"
    )
    first = rig.session.historical_bars(request, rig.now, 5.0)
    rig.flush()
    req_id = rig.take()[0].req_id  # type: ignore[attr-defined]
    rig.deliver(HistoricalData(req_id=req_id), HistoricalDataEnd(req_id=req_id))
    assert first.result() == []
    # An identical request within 60 s waits in the pacer.
    second = rig.session.historical_bars(request, rig.now, 5.0)
    rig.flush()
    assert rig.take() == []
    return request, second


def test_helper_timeout_starts_when_the_request_is_released() -> None:
    rig = Rig(pacing=PacingConfig(historical_identical_interval=60.0))
    rig.ready()
    _, second = _paced_second_request(rig)
    assert isinstance(second, Pending)
    # Held by the pacer far longer than its 5 s timeout: still waiting.
    rig.advance(30.0)
    assert not second.done
    while not rig.received:
        rig.advance(1.0)
    (sent,) = rig.take()
    assert isinstance(sent, ReqHistoricalData)
    # The 5 s run from the release.
    rig.advance(4.5)
    assert not second.done
    rig.advance(1.0)
    with pytest.raises(RequestTimeoutError, match="5s"):
        second.result()
    assert rig.take() == [CancelHistoricalData(req_id=sent.req_id)]


def test_abandoning_a_helper_withdraws_a_request_still_paced() -> None:
    rig = Rig(pacing=PacingConfig(historical_identical_interval=60.0))
    rig.ready()
    _, second = _paced_second_request(rig)
    assert isinstance(second, Pending)
    rig.session.abandon(second, rig.now)
    with pytest.raises(ConnectionClosedError, match="abandoned"):
        second.result()
    # Withdrawn, not sent late, and no cancel for a request TWS never saw.
    rig.advance(120.0)
    assert rig.take() == []


@pytest.mark.parametrize("version", [176, 200])
def test_historical_bars_end_by_version(version: int) -> None:
    rig = Rig(version=version)
    rig.ready()
    request = ReqHistoricalData(
        req_id=0, contract=AAPL, bar_size_setting="1 day", duration_str="2 D", what_to_show="TRADES"
    )
    pending = rig.session.historical_bars(request, rig.now, 5.0)
    rig.flush()
    req_id = rig.take()[0].req_id  # type: ignore[attr-defined]
    bars = (BarData(date="20240102", close=1.0), BarData(date="20240103", close=2.0))
    rig.deliver(HistoricalData(req_id=req_id, bars=bars))
    if version >= 196:
        assert not pending.done
        rig.deliver(HistoricalDataEnd(req_id=req_id))
    assert pending.result() == list(bars)


def test_what_if_is_allowed_read_only_and_answers_order_state() -> None:
    rig = Rig(read_only=True)
    rig.ready(next_valid_id=20)
    pending = rig.session.what_if(AAPL, Order(action="BUY", total_quantity=Decimal(1)), rig.now, 5)
    rig.flush()
    (sent,) = rig.take()
    assert isinstance(sent, PlaceOrder) and sent.order.what_if and sent.order_id == 20
    state = OrderState(status="PreSubmitted", init_margin_change="100")
    rig.deliver(
        OpenOrder(order_id=20, contract=AAPL_REPORTED, order=sent.order, order_state=state),
    )
    assert pending.result().init_margin_change == "100"
    assert rig.session.open_orders == []  # a what-if order is not an order


def test_current_time_helper() -> None:
    rig = Rig()
    rig.ready()
    pending = rig.session.current_time(rig.now, 5.0)
    rig.flush()
    rig.deliver(CurrentTime(time=1_700_000_000))
    assert pending.result() == 1_700_000_000


# ---------------------------------------------------------------------- safety


@pytest.mark.parametrize(
    "message",
    [
        PlaceOrder(order_id=1, contract=AAPL, order=Order(action="BUY")),
        CancelOrder(order_id=1),
        ReqGlobalCancel(),
    ],
)
def test_read_only_refuses_before_a_byte_is_sent(message: Message) -> None:
    rig = Rig(read_only=True)
    rig.ready()
    with pytest.raises(ReadOnlyError) as info:
        rig.session.submit(message, rig.now)
    assert isinstance(info.value, LocalProtocolError)
    assert rig.session.data_to_send() == b""
    assert rig.session.pacer.stats.submitted == 0


def test_read_only_refuses_cancel_by_criteria() -> None:
    rig = Rig(read_only=True)
    rig.ready()
    with pytest.raises(ReadOnlyError):
        rig.session.cancel_orders(rig.now, symbol="AAPL")


def test_cancel_orders_by_criteria() -> None:
    rig = Rig()
    rig.ready(next_valid_id=1)
    rig.submit(PlaceOrder(order_id=1, contract=AAPL, order=Order(action="BUY", order_ref="a")))
    rig.submit(PlaceOrder(order_id=2, contract=MSFT, order=Order(action="BUY", order_ref="a")))
    rig.submit(PlaceOrder(order_id=3, contract=AAPL, order=Order(action="SELL", order_ref="b")))
    rig.deliver(OrderStatus(order_id=3, status="Filled", filled=Decimal(1), remaining=Decimal(0)))
    rig.take()
    # An order placed elsewhere, reported by TWS.
    rig.deliver(
        OpenOrder(
            order_id=4,
            contract=AAPL_REPORTED,
            order=Order(action="BUY", order_ref="a", account="DU2"),
            order_state=OrderState(status="Submitted"),
        )
    )
    assert rig.session.cancel_orders(rig.now, symbol="AAPL") == [1, 4]
    rig.flush()
    assert rig.take() == [CancelOrder(order_id=1), CancelOrder(order_id=4)]
    assert rig.session.cancel_orders(rig.now, order_ref="a", account="DU2") == [4]
    with pytest.raises(ValueError):
        rig.session.cancel_orders(rig.now)


def test_bracket_order_transmit_flags() -> None:
    rig = Rig()
    rig.ready(next_valid_id=100)
    bracket = rig.session.bracket_order("BUY", 10, 50.0, 55.0, 45.0, tif="GTC")
    assert isinstance(bracket, Bracket)
    parent, take, stop = bracket
    assert (parent.order_id, take.order_id, stop.order_id) == (100, 101, 102)
    assert (parent.transmit, take.transmit, stop.transmit) == (False, False, True)
    assert take.parent_id == stop.parent_id == 100 and parent.parent_id == 0
    assert (take.action, stop.action) == ("SELL", "SELL")
    assert (take.order_type, take.lmt_price) == ("LMT", 55.0)
    assert (stop.order_type, stop.aux_price) == ("STP", 45.0)
    assert {o.tif for o in bracket} == {"GTC"}
    assert parent.total_quantity == Decimal(10)
    with pytest.raises(ValueError):
        rig.session.bracket_order("HOLD", 1, 1.0, 2.0, 0.5)


# ---------------------------------------------------------------------- heartbeat


def test_heartbeat_probes_then_declares_dead() -> None:
    rig = Rig(heartbeat_interval=30.0, heartbeat_timeout=10.0)
    rig.ready()
    rig.advance(29.0)
    assert rig.take() == []
    rig.advance(1.0)
    assert rig.take() == [ReqCurrentTime()]
    rig.advance(9.0)
    assert rig.session.is_ready
    rig.advance(1.0)
    assert rig.session.phase is Phase.DISCONNECTED
    assert len(rig.events(ConnectionClosed)) == 1


def test_heartbeat_answered_keeps_connection() -> None:
    rig = Rig(heartbeat_interval=30.0, heartbeat_timeout=10.0)
    rig.ready()
    rig.advance(30.0)
    assert rig.take() == [ReqCurrentTime()]
    rig.advance(5.0)
    rig.deliver(CurrentTime(time=1))
    rig.advance(20.0)
    assert rig.session.is_ready and rig.take() == []
    assert rig.session.next_deadline() == pytest.approx(rig.now + 10.0)


# ---------------------------------------------------------------------- reconnect


def test_backoff_is_exponential_with_seeded_jitter() -> None:
    policy = ReconnectPolicy(initial_delay=1.0, max_delay=10.0, multiplier=2.0, jitter=0.5)
    a = [policy.delay(n, random.Random(3)) for n in range(1, 7)]
    b = [policy.delay(n, random.Random(3)) for n in range(1, 7)]
    assert a == b
    for n, delay in enumerate(a, start=1):
        base = min(10.0, 2.0 ** (n - 1))
        assert base * 0.5 <= delay <= base
    with pytest.raises(ValueError):
        ReconnectPolicy(jitter=1.0)


def test_reconnect_waits_for_the_old_socket_to_close() -> None:
    """Pain point 4: the reconnect timer starts only after the old socket is closed."""
    rig = Rig(reconnect=ReconnectPolicy(initial_delay=2.0, jitter=0.0))
    rig.ready()
    rig.session.receive_eof(rig.now)
    rig.collect()
    assert rig.session.wants_close
    assert rig.session.phase is Phase.WAITING
    assert rig.session.next_deadline() is None  # nothing scheduled yet
    rig.advance(100.0)
    assert rig.connections == 1
    rig.close_if_asked()
    (event,) = rig.events(Reconnecting)
    assert isinstance(event, Reconnecting) and event.delay == 2.0 and event.attempt == 1
    assert rig.session.next_deadline() == rig.now + 2.0
    rig.advance(2.0)
    assert rig.connections == 2


def test_failed_attempts_back_off() -> None:
    rig = Rig(reconnect=ReconnectPolicy(initial_delay=1.0, multiplier=2.0, jitter=0.0))
    rig.ready()
    rig.drop()
    delays = []
    for _ in range(4):
        delays.append(rig.session.next_deadline() - rig.now)  # type: ignore[operator]
        rig.now = rig.session.next_deadline()  # type: ignore[assignment]
        rig.session.on_timer(rig.now)
        assert rig.session.wants_connect
        rig.session.transport_failed(ConnectionRefusedError("refused"), rig.now)
        rig.collect()
    assert delays == [1.0, 2.0, 4.0, 8.0]
    assert [e.attempt for e in rig.events(Reconnecting)] == [1, 2, 3, 4, 5]  # type: ignore[attr-defined]


def test_client_id_in_use_on_reconnect_backs_off() -> None:
    """Pain points 3/4: a refused id during reconnect is retried later, not in a loop."""
    rig = Rig(reconnect=ReconnectPolicy(initial_delay=1.0, jitter=0.0))
    rig.ready()
    rig.drop()
    rig.advance(1.0)
    assert rig.connections == 2
    rig.deliver(ErrMsg(req_id=-1, error_code=326, error_string="client id in use"))
    rig.close_if_asked()
    reconnecting = rig.events(Reconnecting)
    assert [e.delay for e in reconnecting] == [1.0, 2.0]  # type: ignore[attr-defined]
    assert "client id 7" in reconnecting[-1].reason  # type: ignore[attr-defined]


def test_give_up_after_max_attempts() -> None:
    rig = Rig(reconnect=ReconnectPolicy(initial_delay=1.0, jitter=0.0, max_attempts=1))
    rig.ready()
    sink = Sink()
    rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), sink, rig.now)
    rig.drop()
    rig.now += 1.0
    rig.session.on_timer(rig.now)
    assert rig.session.wants_connect
    rig.session.transport_failed(OSError("down"), rig.now)
    assert rig.session.phase is Phase.DISCONNECTED
    assert isinstance(sink.ended[0], ConnectionClosedError)


def test_reconnect_restores_subscriptions_orders_and_fills() -> None:
    """Pain points 1, 8, 14: re-sync ids, re-send subscriptions, fills exactly once."""
    rig = Rig(reconnect=ReconnectPolicy(initial_delay=1.0, jitter=0.0))
    rig.ready(next_valid_id=10)
    sink = Sink()
    rig.session.subscribe(ReqMktData(req_id=5, contract=AAPL), sink, rig.now)
    rig.submit(ReqMarketDataType(market_data_type=3))
    rig.submit(ReqAcctData(subscribe=True, acct_code="DU111"))
    rig.submit(ReqMktData(req_id=6, contract=MSFT, snapshot=True))  # not re-sent
    order_id = rig.session.new_order_id()
    rig.submit(PlaceOrder(order_id=order_id, contract=AAPL, order=Order(action="BUY")))
    rig.deliver(
        fill("e1", order_id),
        CommissionAndFeesReport(exec_id="e1", commission_and_fees=1.0, currency="USD"),
    )
    rig.take()
    pending = rig.session.current_time(rig.now, 30.0)

    rig.drop()
    with pytest.raises(ConnectionClosedError):
        pending.result()
    assert not sink.ended  # the subscription survives the loss
    with pytest.raises(ConnectionClosedError, match="reconnecting"):
        rig.session.submit(ReqCurrentTime(), rig.now)

    rig.advance(1.0)
    # The new gateway reports a lower next id: never go back.
    rig.deliver(ManagedAccts(accounts_list="DU111"), NextValidId(order_id=5))
    sent = rig.take()
    assert sent[:3] == [
        ReqMarketDataType(market_data_type=3),
        ReqMktData(req_id=5, contract=AAPL),
        ReqAcctData(subscribe=True, acct_code="DU111"),
    ]
    assert sent[3] == ReqOpenOrders()
    # An order was written before the drop: completed orders are re-read too.
    assert sent[4] == ReqCompletedOrders(api_only=True)
    resync = sent[5]
    assert isinstance(resync, ReqExecutions)
    (event,) = rig.events(Reconnected)
    assert isinstance(event, Reconnected)
    assert event.resubscribed == 2 and event.attempts == 1 and event.next_order_id == 11
    assert rig.session.new_order_id() == 11

    # TWS answers with the old fill and one that happened while we were away.
    rig.deliver(
        fill("e1", order_id, resync.req_id),
        fill("e2", order_id, resync.req_id),
        ExecutionDataEnd(req_id=resync.req_id),
        CommissionAndFeesReport(exec_id="e1", commission_and_fees=1.0, currency="USD"),
        CommissionAndFeesReport(exec_id="e2", commission_and_fees=1.0, currency="USD"),
        fill("e2", order_id),  # and the live copy, late
    )
    fills = [e.execution.exec_id for e in rig.events(ExecutionData)]  # type: ignore[attr-defined]
    assert fills == ["e1", "e2"]
    commissions = [e.exec_id for e in rig.events(CommissionAndFeesReport)]  # type: ignore[attr-defined]
    assert commissions == ["e1", "e2"]
    assert not rig.events(ExecutionDataEnd)  # the internal request's end is not the user's
    rig.deliver(TickPrice(req_id=5, tick_type=1, price=1.0))
    assert len(sink.items) == 1


def test_user_requested_executions_are_all_delivered() -> None:
    rig = Rig()
    rig.ready()
    rig.deliver(fill("e1"))
    pending = rig.session.executions(ExecutionFilter(), rig.now, 5.0)
    rig.flush()
    req_id = rig.take()[0].req_id  # type: ignore[attr-defined]
    rig.deliver(fill("e1", req_id=req_id), ExecutionDataEnd(req_id=req_id))
    assert [m.execution.exec_id for m in pending.result()] == ["e1"]
    assert len(rig.events(ExecutionData)) == 2
    assert len(rig.events(ExecutionDataEnd)) == 1


def test_fifty_restarts_never_repeat_an_order_id() -> None:
    """Pain point 8 over 50 gateway restarts, whatever nextValidId says."""
    rig = Rig(reconnect=ReconnectPolicy(initial_delay=0.5, jitter=0.5))
    rig.ready(next_valid_id=1)
    used: list[int] = []
    gateway_next = 1
    for cycle in range(50):
        for _ in range(3):
            order_id = rig.session.new_order_id()
            used.append(order_id)
            rig.submit(PlaceOrder(order_id=order_id, contract=AAPL, order=Order(action="BUY")))
        rig.drop()
        rig.advance(rig.session.next_deadline() - rig.now)  # type: ignore[operator]
        # Some restarts forget (lower id), some jump ahead.
        gateway_next = max(used) + 5 if cycle % 3 == 0 else 1
        rig.deliver(ManagedAccts(accounts_list="DU1"), NextValidId(order_id=gateway_next))
        assert rig.session.is_ready
    assert len(used) == len(set(used)) == 150
    assert used == sorted(used)
    assert len(rig.events(Reconnected)) == 50


def test_close_ends_everything_once() -> None:
    rig = Rig(reconnect=ReconnectPolicy())
    rig.ready()
    sink = Sink()
    rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), sink, rig.now)
    pending = rig.session.current_time(rig.now, 10.0)
    rig.session.close(rig.now)
    rig.collect()
    assert rig.session.wants_close and rig.session.phase is Phase.CLOSED
    assert sink.ended == [None]
    with pytest.raises(ConnectionClosedError):
        pending.result()
    assert len(rig.events(ConnectionClosed)) == 1
    rig.close_if_asked()
    assert rig.session.next_deadline() is None


# ---------------------------------------------------------------------- logging


def test_wire_log_at_debug_only(caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig()
    rig.ready()
    with caplog.at_level(logging.INFO, logger="ibwire"):
        rig.submit(ReqCurrentTime())
        rig.deliver(CurrentTime(time=5))
    assert not [r for r in caplog.records if r.name == "ibwire.wire"]
    with caplog.at_level(logging.DEBUG, logger="ibwire"):
        rig.submit(ReqCurrentTime())
        rig.deliver(CurrentTime(time=5))
    lines = [r.getMessage() for r in caplog.records if r.name == "ibwire.wire"]
    assert lines == ["-> ReqCurrentTime()", "<- CurrentTime(time=5)"]


# ---------------------------------------------------------------------- pacing and ids


def test_throttling_is_visible_and_released_on_time() -> None:
    """Pain point 5: the pacer holds the excess, says so, and sends it later."""
    rig = Rig(pacing=PacingConfig(max_messages_per_second=5, rate_safety_margin=0))
    rig.ready()
    for _ in range(8):
        rig.session.submit(ReqCurrentTime(), rig.now)
    rig.flush()
    assert len(rig.take()) == 5
    assert rig.session.next_deadline() == pytest.approx(rig.now + 1.0)
    rig.advance(1.0)
    assert len(rig.take()) == 3
    kinds = {type(e).__name__ for e in rig.dispatched}
    assert {"ThrottlingStarted", "ThrottlingEnded"} <= kinds


def test_cancels_jump_the_queue() -> None:
    rig = Rig(pacing=PacingConfig(max_messages_per_second=2, rate_safety_margin=0))
    rig.ready()
    for req_id in (1, 2, 3, 4):
        rig.session.submit(ReqMktData(req_id=req_id, contract=AAPL), rig.now)
    rig.session.submit(CancelMktData(req_id=1), rig.now)
    rig.flush()
    rig.take()
    rig.advance(1.0)
    assert rig.take() == [CancelMktData(req_id=1), ReqMktData(req_id=3, contract=AAPL)]


def test_order_id_allocator_never_goes_back() -> None:
    from ibwire.orderids import OrderIdAllocator

    ids = OrderIdAllocator()
    with pytest.raises(RuntimeError):
        ids.next()
    ids.sync(1)
    assert [ids.next() for _ in range(4000)] == list(range(1, 4001))
    assert ids.sync(10) == 4001  # never back
    ids.observe(5000)
    assert ids.next() == 5001


def test_budget_refusal_raises_before_sending() -> None:
    from ibwire.pacing import MarketDataLinesExceededError

    rig = Rig(pacing=PacingConfig(market_data_lines=1))
    rig.ready()
    rig.submit(ReqMktData(req_id=1, contract=AAPL))
    with pytest.raises(MarketDataLinesExceededError):
        rig.session.submit(ReqMktData(req_id=2, contract=MSFT), rig.now)
    assert [m.req_id for m in rig.take()] == [1]  # type: ignore[attr-defined]
    assert [m.req_id for m in rig.session.live_subscriptions] == [1]  # type: ignore[attr-defined]


def test_the_front_end_takes_actions_in_order() -> None:
    from ibwire._session_types import Close, Connect

    rig = Rig(reconnect=ReconnectPolicy(initial_delay=1.0, jitter=0.0))
    rig.ready()
    assert rig.session.actions() == []
    rig.session.receive_eof(rig.now)
    assert rig.session.actions() == [Close()]
    assert rig.session.actions() == []  # taken once
    rig.session.transport_closed(rig.now)
    rig.now += 1.0
    rig.session.on_timer(rig.now)
    assert rig.session.wants_connect
    assert rig.session.actions() == [Connect()]
    # A close while connecting asks to close whatever the front end opened.
    rig.session.close(rig.now)
    assert rig.session.actions() == [Close()]
