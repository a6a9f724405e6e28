"""The simulator's shared plumbing (``ibwire.testing._sim_base``): what it sends fits the client's version."""

from __future__ import annotations

import pytest

from ibwire.messages import (
    Contract,
    ExecutionFilter,
    OpenOrder,
    PlaceOrder,
    ReqAccountSummary,
    ReqAcctData,
    ReqCompletedOrders,
    ReqExecutions,
    ReqMktData,
    ReqOpenOrders,
    ReqPnl,
    ReqPositions,
    TickOptionComputation,
)
from ibwire.messages.order import OrderState
from ibwire.testing import SimulatorCore
from ibwire.testing._sim_base import _without
from ibwire.testing.memory import InMemoryGateway
from ibwire.versions import ServerVersion
from tests.simkit import AAPL, T0, history, order


def test_without_resets_a_nested_field_and_refuses_what_it_cannot_drop() -> None:
    message = OpenOrder(order_id=1, contract=AAPL, order=order("BUY", 1, "MKT"),
                        order_state=OrderState(status="PreSubmitted", margin_currency="USD"))
    lighter = _without(message, "OpenOrder.order_state.margin_currency")
    assert isinstance(lighter, OpenOrder) and lighter.order_state.margin_currency == ""
    assert _without(lighter, "OpenOrder.order_state.margin_currency") is None
    assert _without(message, "OpenOrder") is None
    assert _without(message, "OpenOrder.no_such_field") is None


@pytest.mark.parametrize("version", [100, 150, 155, 156, 176, 178, 187, 194, 195, 200, 226])
def test_everything_a_busy_session_gets_encodes_at_the_client_version(version: int) -> None:
    core = SimulatorCore(server_version=version, seed=7)
    gateway = InMemoryGateway(core, now=T0)
    client = gateway.connect(1)
    gateway.advance(1.5)
    option = next(i for i in core.universe.instruments if i.sec_type == "OPT")
    client.send(ReqAcctData(subscribe=True, acct_code="DU0000001"))
    client.send(ReqPositions())
    client.send(ReqAccountSummary(req_id=3, group_name="All", tags="NetLiquidation,$LEDGER:ALL"))
    if version >= ServerVersion.PNL:
        client.send(ReqPnl(req_id=4, account="DU0000001", model_code=""))
    for req_id, contract, ticks in ((5, AAPL, "233,236,104,106,100,101"), (6, Contract(con_id=option.con_id, exchange="SMART"), "")):
        client.send(ReqMktData(req_id=req_id, contract=contract, generic_tick_list=ticks, snapshot=False,
                               regulatory_snapshot=False, mkt_data_options=""))
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=order("BUY", 100, "MKT", what_if=True)))
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=order("BUY", 100, "MKT")))
    client.send(PlaceOrder(order_id=3, contract=AAPL, order=order("SELL", 100, "TRAIL", aux_price=0.5)))
    gateway.advance(20)
    client.send(ReqExecutions(req_id=7, exec_filter=ExecutionFilter()))
    if version >= ServerVersion.COMPLETED_ORDERS:
        client.send(ReqCompletedOrders(api_only=False))
    client.send(ReqOpenOrders())
    client.send(history(8, bar="1 min", duration="1800 S", keep=version >= ServerVersion.SYNT_REALTIME_BARS))
    gateway.advance(20)
    events = client.take()
    assert core.send_failures == []
    assert len([e for e in events if isinstance(e, OpenOrder) and e.order.what_if]) == 1
    computations = [e for e in events if isinstance(e, TickOptionComputation)]
    assert computations
    assert {e.tick_attrib for e in computations} == ({0} if version >= 156 else {None})
