"""Recorded sessions replay with zero divergences and decode with zero problems.

Two sources of sessions:

* sessions recorded here, through :class:`~ibwire.testing.Recorder`, between a
  scripted client and :class:`~ibwire.testing.SimulatedGateway` over loopback
  (two connections: a long scenario, then a reconnect);
* the real gateway traffic in ``../shared/vectors/real`` (read in place, never
  copied; skipped with a reason when the folder is absent).

Each is replayed against :class:`~ibwire.protocol.ClientProtocol` at its recorded
version, without sockets (:func:`~ibwire.testing.replay_offline`), whole and a
byte at a time; the simulator sessions are also replayed over sockets to the
same scripted client, strictly and leniently (other ids).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from ibwire.events import MalformedMessage, UnknownMessage
from ibwire.messages import (
    AccountSummaryEnd,
    AcctDownloadEnd,
    CancelAccountSummary,
    CancelMktData,
    CancelMktDepth,
    CancelOrder,
    CancelPnl,
    CancelTickByTickData,
    Contract,
    ContractData,
    ContractDataEnd,
    CurrentTime,
    ExecutionDataEnd,
    ExecutionFilter,
    HeadTimestamp,
    HistoricalDataEnd,
    MarketDepth,
    NextValidId,
    OpenOrder,
    OpenOrderEnd,
    Order,
    OrderStatus,
    PlaceOrder,
    Pnl,
    PositionEnd,
    ReqAccountSummary,
    ReqAcctData,
    ReqAllOpenOrders,
    ReqContractData,
    ReqCurrentTime,
    ReqExecutions,
    ReqHeadTimestamp,
    ReqHistoricalData,
    ReqIds,
    ReqMktData,
    ReqMktDepth,
    ReqOpenOrders,
    ReqPnl,
    ReqPositions,
    ReqSecDefOptParams,
    ReqTickByTickData,
    SecurityDefinitionOptionParameterEnd,
    TickByTick,
    TickPrice,
)
from ibwire.testing import (
    FakeGateway,
    Recorder,
    Session,
    SimulatedGateway,
    WireClient,
    load_vector_sessions,
    replay_offline,
)
from ibwire.testing._server import timeout_scale

from ..suite_versions import SUITE_VERSIONS
from ..vectors import VECTORS_DIR

TIMEOUT = 5.0 * timeout_scale()
AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
MSFT = Contract(symbol="MSFT", sec_type="STK", exchange="SMART", currency="USD")
EURUSD = Contract(symbol="EUR", sec_type="CASH", exchange="IDEALPRO", currency="USD")
# The simulator runs on the real clock: the continuous future is whichever month is the front one.
ES = Contract(symbol="ES", sec_type="CONTFUT", exchange="CME", currency="USD")


def scenario(port: int, client_id: int, ids: int = 0, orders: int = 0) -> None:
    """A client session touching every simulator feature; then a reconnect.

    ``ids`` and ``orders`` shift the request and order ids (for lenient replays).
    """
    with WireClient("127.0.0.1", port, client_id, timeout=TIMEOUT) as client:
        client.connect()
        first_order = next(e for e in client.events if isinstance(e, NextValidId)).order_id + orders

        def req(n: int) -> int:
            return n + ids

        client.send(ReqContractData(req_id=req(1), contract=AAPL))
        client.wait_for(ContractDataEnd)
        client.send(ReqSecDefOptParams(req_id=req(2), underlying_symbol="AAPL", fut_fop_exchange="",
                                       underlying_sec_type="STK", underlying_con_id=265598))
        client.wait_for(SecurityDefinitionOptionParameterEnd)
        client.send(ReqMktData(req_id=req(3), contract=AAPL))
        for _ in range(3):
            client.wait_for(TickPrice)
        client.send(ReqMktDepth(req_id=req(4), contract=EURUSD, num_rows=3, is_smart_depth=False))
        client.wait_for(MarketDepth)
        client.send(ReqTickByTickData(req_id=req(5), contract=MSFT, tick_type="BidAsk", number_of_ticks=0, ignore_size=False))
        client.wait_for(TickByTick)
        client.send(ReqHistoricalData(req_id=req(6), contract=ES, end_date_time="", bar_size_setting="1 hour",
                                      duration_str="2 D", use_rth=False, what_to_show="TRADES", format_date=1,
                                      keep_up_to_date=False, chart_options=""))
        client.wait_for(HistoricalDataEnd)
        client.send(ReqHeadTimestamp(req_id=req(7), contract=AAPL, use_rth=True, what_to_show="TRADES", format_date=1))
        client.wait_for(HeadTimestamp)
        client.send(ReqAcctData(subscribe=True, acct_code=""))
        client.wait_for(AcctDownloadEnd)
        client.send(ReqPositions())
        client.wait_for(PositionEnd)
        client.send(ReqAccountSummary(req_id=req(8), group_name="All", tags="NetLiquidation,BuyingPower"))
        client.wait_for(AccountSummaryEnd)
        client.send(ReqPnl(req_id=req(9), account="DU0000001", model_code=""))
        client.wait_for(Pnl)

        def status(order_id: int, wanted: str) -> None:
            client.wait_for(OrderStatus, lambda s: s.order_id == order_id and s.status == wanted)

        market = first_order
        client.send(PlaceOrder(order_id=market, contract=AAPL,
                               order=Order(action="BUY", total_quantity=Decimal(10), order_type="MKT")))
        status(market, "Filled")
        resting = first_order + 1
        client.send(PlaceOrder(order_id=resting, contract=MSFT,
                               order=Order(action="BUY", total_quantity=Decimal(5), order_type="LMT", lmt_price=1.0)))
        status(resting, "Submitted")
        client.send(CancelOrder(order_id=resting))
        status(resting, "Cancelled")
        parent, profit, stop = first_order + 2, first_order + 3, first_order + 4
        client.send(PlaceOrder(order_id=parent, contract=AAPL, order=Order(
            action="BUY", total_quantity=Decimal(5), order_type="LMT", lmt_price=10000.0, transmit=False)))
        client.send(PlaceOrder(order_id=profit, contract=AAPL, order=Order(
            action="SELL", total_quantity=Decimal(5), order_type="LMT", lmt_price=10000.0, parent_id=parent, transmit=False)))
        client.send(PlaceOrder(order_id=stop, contract=AAPL, order=Order(
            action="SELL", total_quantity=Decimal(5), order_type="STP", aux_price=1.0, parent_id=parent, transmit=True)))
        status(parent, "Filled")
        client.send(ReqContractData(req_id=req(11), contract=ES))
        front = client.wait_for(ContractData, lambda d: d.req_id == req(11)).contract_details.contract
        client.send(PlaceOrder(order_id=first_order + 5, contract=Contract(con_id=front.con_id, exchange="CME"), order=Order(
            action="BUY", total_quantity=Decimal(1), order_type="MKT", what_if=True)))
        client.wait_for(OpenOrder, lambda o: o.order.what_if)
        client.send(ReqExecutions(req_id=req(10), exec_filter=ExecutionFilter()))
        client.wait_for(ExecutionDataEnd)
        client.send(ReqOpenOrders())
        client.wait_for(OpenOrderEnd)
        client.send(CancelMktData(req_id=req(3)))
        client.send(CancelMktDepth(req_id=req(4), is_smart_depth=False))
        client.send(CancelTickByTickData(req_id=req(5)))
        client.send(CancelPnl(req_id=req(9)))
        client.send(CancelAccountSummary(req_id=req(8)))
        client.send(ReqAcctData(subscribe=False, acct_code=""))
        client.send(ReqCurrentTime())
        client.wait_for(CurrentTime)
    with WireClient("127.0.0.1", port, client_id, timeout=TIMEOUT) as again:
        again.connect()
        again.send(ReqIds())
        again.wait_for(NextValidId)
        again.send(ReqAllOpenOrders())
        again.wait_for(OpenOrderEnd)


@pytest.fixture(scope="module", params=SUITE_VERSIONS, ids=lambda version: f"v{version}")
def recorded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scenario recorded between the client and the simulator, at 200 and 226."""
    path = tmp_path_factory.mktemp("sessions") / "simulator.jsonl"
    with SimulatedGateway(seed=11, tick_interval=0.05, server_version=request.param) as gateway:
        with Recorder(("127.0.0.1", 0), ("127.0.0.1", gateway.port), path) as recorder:
            scenario(recorder.port, client_id=11)
            assert recorder.wait_idle(TIMEOUT)
    return path


def check_offline(session: Session, chunk: int | None = None) -> list[str]:
    """Problems of an offline replay: divergences, errors, frames that did not decode."""
    result = replay_offline(session, chunk=chunk)
    problems = [str(d) for d in result.divergences] + result.errors
    expected = sum(1 for r in session.records if r.direction == "in" and r.kind == "frame")
    if len(result.messages) + len(result.problems) != expected:
        problems.append(f"{expected} server frames, {len(result.messages) + len(result.problems)} events")
    for event in result.problems:
        if isinstance(event, MalformedMessage):
            problems.append(f"malformed id {event.msg_id}: {event.error}")
        else:
            assert isinstance(event, UnknownMessage)
            problems.append(f"unknown id {event.msg_id}")
    return problems


def test_simulator_session_shape(recorded: Path) -> None:
    session = Session.load(recorded)
    assert session.legs() == [0, 1]
    assert session.header.client_id == 11 and session.header.server_version in SUITE_VERSIONS
    ids = Counter(r.msg_id for r in session.frames("in"))
    for msg_id in (1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 17, 52, 54, 55, 59, 61, 62, 63, 64, 75, 76, 88, 94, 99, 108):
        assert ids[msg_id], f"no message {msg_id} in the recording"


@pytest.mark.parametrize("chunk", [None, 1])
def test_simulator_session_replays_offline(recorded: Path, chunk: int | None) -> None:
    assert check_offline(Session.load(recorded), chunk) == []


@pytest.mark.parametrize(("mode", "ids", "orders", "client_id"), [("strict", 0, 0, 11), ("lenient", 500, 40, 12)])
def test_simulator_session_replays_over_sockets(recorded: Path, mode: str, ids: int, orders: int, client_id: int) -> None:
    with FakeGateway.from_session(recorded, mode=mode) as gateway:  # type: ignore[arg-type]
        scenario(gateway.port, client_id=client_id, ids=ids, orders=orders)
        assert gateway.wait_finished(TIMEOUT)
    gateway.raise_on_divergence(complete=True)


def real_sessions() -> list[Session]:
    folder = VECTORS_DIR / "real"
    if not folder.is_dir():
        return []
    return [s for path in sorted(folder.glob("*.jsonl")) for s in load_vector_sessions(path)]


_REAL = real_sessions()


@pytest.mark.skipif(not _REAL, reason=f"shared vectors not found at {VECTORS_DIR / 'real'}")
@pytest.mark.parametrize("index", range(len(_REAL)) if _REAL else [0])
@pytest.mark.parametrize("chunk", [None, 1])
def test_real_session_replays_cleanly(index: int, chunk: int | None) -> None:
    session = _REAL[index]
    problems = check_offline(session, chunk)
    assert problems == [], f"{session.header.source}: {problems[:10]}"
