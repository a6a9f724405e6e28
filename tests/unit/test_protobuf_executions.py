"""The executions family in protobuf form: same classes, same values, as text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ibwire.events import MalformedMessage
from ibwire.messages import (
    CommissionAndFeesReport,
    ErrMsg,
    Execution,
    ExecutionData,
    ExecutionDataEnd,
    ExecutionFilter,
    OrderStatus,
    ReqExecutions,
    StartApi,
)
from ibwire.messages.common import ComboLeg, Contract, DeltaNeutralContract
from ibwire.messages.system import NextValidId
from ibwire.protobuf import ProtobufDecodeError, decode
from ibwire.protobuf.executions import EXECUTION_DATA, REQ_EXECUTIONS
from ibwire.protobuf.mapper import format_multiplier
from ibwire.protobuf.objects import CONTRACT

from ..protobuf_forms import check_any_body, connected, raw


def test_request_bytes_at_201() -> None:
    client, server = connected(201)
    client.send(ReqExecutions(req_id=5))
    sent = client.data_to_send()
    # ExecutionRequest{reqId=5, executionFilter{clientId=0}}: the filter is always
    # written, its clientId too; empty text and unset lastNDays are left out.
    assert sent == raw(207, bytes.fromhex("0805" "1202" "0800"))
    server.receive_data(sent)
    assert server.events_received() == [ReqExecutions(req_id=5)]


def test_request_with_every_filter_field() -> None:
    request = ReqExecutions(
        req_id=9,
        exec_filter=ExecutionFilter(
            client_id=-1, acct_code="DU1", time="20240102-10:00:00", symbol="AAPL",
            sec_type="STK", exchange="SMART", side="BUY", last_n_days=0,
            specific_dates=(20240101, 20240102),
        ),
    )
    values = decode("ExecutionRequest", raw_body(201, request))
    assert values["executionFilter"] == {
        "clientId": -1, "acctCode": "DU1", "time": "20240102-10:00:00", "symbol": "AAPL",
        "secType": "STK", "exchange": "SMART", "side": "BUY", "lastNDays": 0,
        "specificDates": [20240101, 20240102],
    }
    assert REQ_EXECUTIONS.read(values) == request


def raw_body(version: int, request: ReqExecutions) -> bytes:
    client, _ = connected(version)
    client.send(request)
    return client.data_to_send()[8:]


def test_request_is_text_at_200() -> None:
    client, _ = connected(200)
    client.send(ReqExecutions(req_id=5))
    assert client.data_to_send() == (
        b"\x00\x00\x00\x1b7\x003\x005\x000\x00\x00\x00\x00\x00\x00\x002147483647\x000\x00"
    )


def test_absent_request_id_reads_as_no_valid_id() -> None:
    assert REQ_EXECUTIONS.read(decode("ExecutionRequest", b"")) == ReqExecutions(req_id=-1)
    assert EXECUTION_DATA.read(decode("ExecutionDetails", b"")) == ExecutionData(
        req_id=-1, contract=Contract(), execution=Execution()
    )


def test_contract_presence() -> None:
    # An absent strike stays None (0.0 is a real strike); the multiplier double
    # becomes the official client's text.
    assert CONTRACT.read(decode("Contract", b"")).strike is None
    contract = Contract(strike=0.0, multiplier="100", con_id=1)
    values = CONTRACT.write(contract)
    assert values == {"conId": 1, "strike": 0.0, "multiplier": 100.0}
    assert CONTRACT.read(decode("Contract", encode_contract(values))) == contract
    assert format_multiplier(0.1) == "0.1" and format_multiplier(25.0) == "25"


def encode_contract(values: dict[str, object]) -> bytes:
    from ibwire.protobuf import encode

    return encode("Contract", values)


text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=8)
int32 = st.integers(-(2**31), 2**31 - 1)
finite = st.floats(allow_nan=False, allow_infinity=False)
decimals = st.none() | st.decimals(
    min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=4, allow_nan=False
)
# 2**31 - 1 (UNSET_INTEGER) is left out, as the official client leaves it out.
set_int32 = st.integers(-(2**31), 2**31 - 2)
contracts = st.builds(
    Contract, con_id=set_int32, symbol=text, sec_type=text, strike=st.none() | finite,
    multiplier=st.sampled_from(["", "1", "100", "0.5"]), primary_exchange=text,
    sec_id=text, include_expired=st.booleans(),
    combo_legs=st.lists(st.builds(ComboLeg, con_id=set_int32, ratio=set_int32, action=text), max_size=2).map(tuple),
    delta_neutral_contract=st.none() | st.builds(DeltaNeutralContract, con_id=int32, delta=finite),
)
executions = st.builds(
    Execution, order_id=int32, exec_id=text, time=text, shares=decimals, price=finite,
    perm_id=st.integers(-(2**63), 2**63 - 1), liquidation=st.sampled_from([0, 1]),
    cum_qty=decimals, avg_price=finite, ev_multiplier=finite, last_liquidity=int32,
    pending_price_revision=st.booleans(), submitter=text,
)


@settings(max_examples=60, deadline=None)
@given(st.builds(ExecutionData, req_id=int32, contract=contracts, execution=executions))
def test_execution_data_round_trip_at_201(message: ExecutionData) -> None:
    client, server = connected(201)
    server.send(message)
    data = server.data_to_send()
    assert data[4:8] == (211).to_bytes(4, "big")
    client.receive_data(data)
    assert client.events_received() == [message]


def test_execution_data_end_three_ways() -> None:
    _, server = connected(226)
    server.send(ExecutionDataEnd(req_id=3))
    data = server.data_to_send()
    assert data == raw(255, b"\x08\x03")
    for events in feed_three_ways(data):
        assert events == [ExecutionDataEnd(req_id=3)]


def feed_three_ways(data: bytes) -> list[list[object]]:
    results: list[list[object]] = []
    for mode in ("whole", "bytes", "trailing"):
        client, _ = connected(201)
        if mode == "whole":
            client.receive_data(data)
        elif mode == "bytes":
            for index in range(len(data)):
                client.receive_data(data[index : index + 1])
        else:
            client.receive_data(data + raw(9, b"1\x005\x00")[:5])
        results.append(list(client.events_received()))
    return results


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("08", "truncated varint"),
        ("1205" "0801", "runs past the end"),
        ("1a02" "3a01", "runs past the end"),  # Execution.shares cut short
        ("1a02" "3a01" "ff", "runs past the end"),
        ("1a03" "3a01ff", "not UTF-8"),
        ("1a03" "3a0178", "not a decimal number"),  # shares "x"
        ("0f", "wire type 7"),
    ],
)
def test_malformed_execution_details_do_not_stop_the_stream(body: str, reason: str) -> None:
    data = raw(211, bytes.fromhex(body)) + raw(9, b"1\x005\x00")
    for events in feed_three_ways(data):
        bad, good = events
        assert good == NextValidId(order_id=5)
        assert isinstance(bad, MalformedMessage)
        assert isinstance(bad.error, ProtobufDecodeError)
        assert bad.error.msg_id == 211
        assert reason in str(bad.error)
        assert bad.error.fields == ("211", body)


#: Raw id -> (the class the client decodes it into, the class the server does);
#: None: an id of another family on that side.  209 belongs to no class here.
_IDS: dict[int, tuple[type | None, type | None]] = {
    211: (ExecutionData, None), 255: (ExecutionDataEnd, None), 203: (OrderStatus, None),
    259: (CommissionAndFeesReport, None), 204: (ErrMsg, None), 207: (None, ReqExecutions),
    271: (None, StartApi), 209: (None, None),
}  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(_IDS)), st.binary(max_size=64))
def test_any_protobuf_body_gives_an_event_and_the_stream_goes_on(msg_id: int, body: bytes) -> None:
    check_any_body(msg_id, body, _IDS[msg_id])


def test_absent_fields_of_status_reports_and_errors() -> None:
    from ibwire.protobuf.executions import COMMISSION_AND_FEES_REPORT, ORDER_STATUS
    from ibwire.protobuf.system import ERR_MSG

    assert ORDER_STATUS.read(decode("OrderStatus", b"")) == OrderStatus(
        order_id=2**31 - 1, status="", filled=None, remaining=None
    )
    report = COMMISSION_AND_FEES_REPORT.read(decode("CommissionAndFeesReport", b""))
    assert report == CommissionAndFeesReport(exec_id="", commission_and_fees=0.0, currency="")
    assert report.realized_pnl is None and report.yield_ is None
    assert ERR_MSG.read(decode("ErrorMessage", b"")) == ErrMsg(
        req_id=0, error_code=0, error_string="", error_time=None
    )


def test_errors_and_statuses_travel_as_protobuf_from_201() -> None:
    from ibwire.messages import ErrMsg, OrderStatus

    client, server = connected(201)
    messages = [
        ErrMsg(req_id=-1, error_code=2104, error_string="Market data farm OK", error_time=1),
        OrderStatus(order_id=1, status="Filled", filled=Decimal("100"), remaining=Decimal(0)),
    ]
    for message in messages:
        server.send(message)
    data = server.data_to_send()
    assert data[4:8] == (204).to_bytes(4, "big")
    client.receive_data(data)
    assert client.events_received() == messages
