"""The simulator's account requests (``ibwire.testing._sim_accounts``)."""

from __future__ import annotations

from decimal import Decimal

from ibwire.messages import (
    AccountUpdateMulti,
    AccountUpdateMultiEnd,
    CancelAccountUpdatesMulti,
    CancelPositionsMulti,
    Contract,
    ErrMsg,
    Order,
    PlaceOrder,
    PositionMulti,
    PositionMultiEnd,
    ReqAccountUpdatesMulti,
    ReqPositionsMulti,
)
from ibwire.testing import SimulatorCore
from ibwire.testing.memory import InMemoryGateway

T0 = 1_710_168_000.0
AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")


def test_account_updates_multi_and_positions_multi_answer_and_follow_fills() -> None:
    gateway = InMemoryGateway(SimulatorCore(seed=1), now=T0)
    client = gateway.connect(2)
    gateway.advance(1.5)
    client.take()
    client.send(ReqAccountUpdatesMulti(req_id=5, account="DU0000001", model_code="", ledger_and_nlv=False),
                ReqPositionsMulti(req_id=6, account="DU0000001", model_code=""))
    events = client.take()
    values = {e.key: e.value for e in events if isinstance(e, AccountUpdateMulti)}
    assert values["AccountCode"] == "DU0000001" and values["NetLiquidation"] == "1000000.00"
    assert AccountUpdateMultiEnd(req_id=5) in events and PositionMultiEnd(req_id=6) in events
    assert not [e for e in events if isinstance(e, PositionMulti)]
    client.send(PlaceOrder(order_id=1, contract=AAPL, order=Order(action="BUY", total_quantity=Decimal(10), order_type="MKT")))
    gateway.advance(30.0)
    events = client.take()
    positions = [e for e in events if isinstance(e, PositionMulti)]
    assert positions[-1].pos == 10 and positions[-1].req_id == 6 and positions[-1].account == "DU0000001"
    assert [e for e in events if isinstance(e, AccountUpdateMulti) and e.key == "GrossPositionValue"]
    client.send(CancelAccountUpdatesMulti(req_id=5), CancelPositionsMulti(req_id=6))
    client.send(PlaceOrder(order_id=2, contract=AAPL, order=Order(action="SELL", total_quantity=Decimal(10), order_type="MKT")))
    gateway.advance(30.0)
    assert not [e for e in client.take() if isinstance(e, (AccountUpdateMulti, PositionMulti))]
    client.send(ReqAccountUpdatesMulti(req_id=7, account="DU9", model_code="", ledger_and_nlv=False))
    assert [e.error_code for e in client.take() if isinstance(e, ErrMsg)] == [321]
