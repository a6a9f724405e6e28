"""ProtobufForms: requests held to the rules of their text form, typed errors."""

from __future__ import annotations

import math
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ibwire import MalformedMessage
from ibwire import messages as m
from ibwire.errors import LocalProtocolError
from ibwire.messages import Contract, Order
from ibwire.protobuf import ProtobufEncodeError

from ..protobuf_forms import connected

STOCK = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")


def _order(**changes: Any) -> m.PlaceOrder:
    values: dict[str, Any] = {
        "action": "BUY", "order_type": "LMT", "total_quantity": Decimal(1), "lmt_price": 1.0,
    }  # fmt: skip
    values.update(changes)
    return m.PlaceOrder(order_id=5, contract=STOCK, order=Order(**values))


ILLEGAL = {
    "NaN price": _order(lmt_price=math.nan),
    "-inf price": _order(lmt_price=-math.inf),
    "NaN quantity": _order(total_quantity=Decimal("NaN")),
    "control char": _order(order_ref="a\x01b"),
    "NUL": _order(order_ref="a\x00b"),
    "non-ASCII symbol": m.PlaceOrder(
        order_id=5, contract=Contract(symbol="ÄPL", sec_type="STK"), order=_order().order
    ),
    "NUL in symbol": m.ReqMktData(req_id=1, contract=Contract(symbol="A\x00PL")),
    "non-ASCII, market data": m.ReqMktData(req_id=1, contract=Contract(symbol="ÄPL")),
    "NaN strike": m.ReqContractData(req_id=1, contract=Contract(symbol="AAPL", strike=math.nan)),
    "non-ASCII, contract data": m.ReqContractData(req_id=1, contract=Contract(symbol="ÄPL")),
}


@pytest.mark.parametrize("version", [200, 213, 226])
@pytest.mark.parametrize("name", sorted(ILLEGAL))
def test_an_illegal_request_is_refused_at_text_and_protobuf_versions(
    version: int, name: str
) -> None:
    client, _ = connected(version)
    with pytest.raises(LocalProtocolError):
        client.send(ILLEGAL[name])
    assert client.data_to_send() == b""
    client.send(m.ReqMktData(req_id=2, contract=STOCK))
    assert client.data_to_send()


def test_the_refusal_names_the_protobuf_field() -> None:
    client, _ = connected(226)
    with pytest.raises(LocalProtocolError, match=r"PlaceOrder: .*orderRef.*'\\x01'"):
        client.send(_order(order_ref="a\x01b"))
    with pytest.raises(LocalProtocolError, match=r"PlaceOrder: .*lmtPrice.*nan"):
        client.send(_order(lmt_price=math.nan))


@pytest.mark.parametrize("version", [200, 226])
def test_legal_edge_values_still_go(version: int) -> None:
    client, server = connected(version)
    request = _order(order_ref="tab\there\r\n", lmt_price=math.inf)
    client.send(request)
    server.receive_data(client.data_to_send())
    [got] = server.events_received()
    assert isinstance(got, m.PlaceOrder)
    assert got.order.order_ref == "tab\there\r\n"


@pytest.mark.parametrize("version", [206, 226])
@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (m.ReqMktData(req_id=1, contract=Contract(symbol="ES", sec_type="FUT", multiplier="x50")),
         "ReqMktData.contract.multiplier"),
        (_order(total_quantity=Decimal("NaN")), "Order.total_quantity"),
        (_order(total_quantity=Decimal("-Infinity")), "Order.total_quantity"),
        (m.PlaceOrder(order_id=2**31, contract=Contract(symbol="ES"), order=Order()),
         "PlaceOrder: PlaceOrderRequest.orderId"),
    ],
    ids=["text multiplier", "NaN quantity", "-inf quantity", "order id beyond int32"],
)
def test_a_value_the_protobuf_form_cannot_hold_raises_local_protocol_error(
    version: int, request_: m.Message, field: str
) -> None:
    client, _ = connected(version)
    with pytest.raises(LocalProtocolError, match=f"^{field}: "):
        client.send(request_)
    assert client.data_to_send() == b""


def test_a_value_the_protobuf_encoder_refuses_is_named_by_its_path() -> None:
    client, _ = connected(226)
    too_big = m.ReqMktData(req_id=1, contract=Contract(symbol="AAPL", con_id=2**40))
    with pytest.raises(ProtobufEncodeError) as big:
        client.send(too_big)
    assert str(big.value) == f"ReqMktData: MarketDataRequest.contract.conId: {2**40} does not fit int32"
    assert big.value.field_name == "contract.conId"
    wrong_type = m.ReqSecDefOptParams(
        req_id=1, underlying_symbol="AAPL", underlying_sec_type="STK", underlying_con_id="1"  # type: ignore[arg-type]
    )
    with pytest.raises(ProtobufEncodeError, match=r"^ReqSecDefOptParams: SecDefOptParamsRequest\.underlyingConId: ") as wrong:
        client.send(wrong_type)
    assert wrong.value.field_name == "underlyingConId"
    assert client.data_to_send() == b""


def _tampered(message: m.Message, good: bytes, bad: bytes) -> MalformedMessage:
    client, server = connected(226)
    server.send(message)
    frame = server.data_to_send()
    assert frame.count(good) == 1
    client.receive_data(frame.replace(good, bad))
    [event] = client.events_received()
    assert isinstance(event, MalformedMessage)
    return event


def test_a_value_that_does_not_map_is_named_with_its_protobuf_message() -> None:
    event = _tampered(m.TickSize(req_id=7, tick_type=0, size=Decimal("98765")), b"98765", b"9x765")
    assert (event.error.message_name, event.error.field_name) == ("TickSize", "size")
    assert "field size" in str(event.error)


def test_a_nested_value_that_does_not_map_is_named_by_its_path() -> None:
    execution = m.Execution(exec_id="E1", shares=Decimal("98765"))
    message = m.ExecutionData(req_id=1, contract=Contract(symbol="AAPL"), execution=execution)
    event = _tampered(message, b"98765", b"9x765")
    assert event.error.message_name == "ExecutionDetails"
    assert event.error.field_name == "execution.shares"



def test_a_connection_generates_only_the_codecs_it_uses() -> None:
    """Connecting at 226 compiles no protobuf codec; a kind is generated at its first frame."""
    probe = """
from ibwire.protobuf import CODEC
from ibwire.protobuf.forms import ProtobufForms
from ibwire.messages import CurrentTime
client, server = ProtobufForms(226, server=False), ProtobufForms(226, server=True)
print(len(CODEC._decoders), len(CODEC._encoders))
frame = server.encode(CurrentTime(time=5))
print(client.heads[frame[:4]](frame) == CurrentTime(time=5), len(CODEC._decoders), len(CODEC._encoders))
"""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=root,
        env={"PYTHONPATH": str(root), "PATH": ""},
    )
    assert result.stdout.split("\n")[:2] == ["0 0", "True 1 1"]
