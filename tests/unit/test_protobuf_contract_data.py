"""The contract data family in protobuf form: same classes, same values, as text."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ibwire.messages.common import Contract, TagValue
from ibwire.messages.contracts import (
    BondContractData,
    ContractData,
    ContractDataEnd,
    ContractDetails,
    IneligibilityReason,
    ReqContractData,
)
from ibwire.protobuf import decode, encode

from ..protobuf_forms import check_any_body, connected, raw


def test_request_bytes_at_205() -> None:
    client, server = connected(205)
    request = ReqContractData(req_id=4, contract=Contract(con_id=8314, strike=0.0))
    client.send(request)
    sent = client.data_to_send()
    # ContractDataRequest{reqId=4, contract{conId=8314, strike=0.0}}: a strike of
    # 0.0 is written (it is set), an absent one is not.
    assert sent == raw(209, bytes.fromhex("0804" "120c" "08fa40" "2900000000000000" "00"))
    server.receive_data(sent)
    assert server.events_received() == [request]
    client.send(ReqContractData(req_id=4, contract=Contract(con_id=8314)))
    assert decode("ContractDataRequest", client.data_to_send()[8:])["contract"] == {
        **decode("Contract", b""), "conId": 8314, "comboLegs": []}


def test_request_is_text_below_205() -> None:
    client, _ = connected(204)
    client.send(ReqContractData(req_id=4, contract=Contract(con_id=8314, strike=0.0)))
    assert int.from_bytes(client.data_to_send()[4:8], "big") == 9


text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=8)
int32 = st.integers(-(2**31), 2**31 - 2)
finite = st.floats(allow_nan=False, allow_infinity=False)
decimals = st.none() | st.decimals(
    min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=4, allow_nan=False
)
details = st.builds(
    ContractDetails,
    contract=st.builds(Contract, con_id=int32, symbol=text, strike=st.none() | finite,
                       last_trade_date_or_contract_month=text),
    market_name=text, min_tick=finite, ev_multiplier=int32, coupon=finite,
    callable=st.booleans(), min_size=decimals, fund_asset_type=text,
    sec_id_list=st.dictionaries(text, text, max_size=3).map(
        lambda pairs: tuple(TagValue(tag=k, value=v) for k, v in pairs.items())),
    ineligibility_reasons=st.lists(
        st.builds(IneligibilityReason, id=text, description=text), max_size=2).map(tuple),
    event_contract1=st.none() | text, min_algo_size=decimals,
    last_price_precision=decimals, settlement_method=st.none() | text,
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(req_id=int32, contract_details=details, bond=st.booleans())
def test_incoming_round_trip_at_205(
    req_id: int, contract_details: ContractDetails, bond: bool
) -> None:
    cls = BondContractData if bond else ContractData
    message = cls(req_id=req_id, contract_details=contract_details)
    client, server = connected(205)
    server.send(message)
    server.send(ContractDataEnd(req_id=req_id))
    data = server.data_to_send()
    assert data[4:8] == (218 if bond else 210).to_bytes(4, "big")
    client.receive_data(data)
    assert client.events_received() == [message, ContractDataEnd(req_id=req_id)]


def test_absent_parts_read_as_empty() -> None:
    client, _ = connected(226)
    client.receive_data(raw(210, b"") + raw(252, b""))
    assert client.events_received() == [
        ContractData(req_id=-1, contract_details=ContractDetails()),
        ContractDataEnd(req_id=-1),
    ]


def test_protobuf_only_fields() -> None:
    body = encode("ContractData", {
        "reqId": 1,
        "contract": {"symbol": "ES", "lastTradeDateOrContractMonth": "20261218-09:30:00"},
        "contractDetails": {"minTick": "0.25", "evMultiplier": 50.0, "minAlgoSize": "1",
                            "settlementMethod": "C", "secIdList": {"ISIN": "X"}},
    })  # fmt: skip
    client, _ = connected(226)
    client.receive_data(raw(210, body))
    (event,) = client.events_received()
    assert isinstance(event, ContractData)
    got = event.contract_details
    assert (got.min_tick, got.ev_multiplier, got.min_algo_size, got.settlement_method) == (
        0.25, 50, Decimal(1), "C")
    assert got.sec_id_list == (TagValue(tag="ISIN", value="X"),)
    assert (got.maturity, got.last_trade_time) == ("20261218", "09:30:00")
    assert got.event_contract1 is None and got.last_size_precision is None


def test_an_ev_multiplier_keeps_what_its_double_holds() -> None:
    # An int when whole, as the text form reads it; otherwise the double itself.
    client, _ = connected(226)
    values = (50.0, 2.5, 0.25, float("inf"))
    for value in (*values, float("nan")):
        body = encode("ContractData", {"reqId": 1, "contractDetails": {"evMultiplier": value}})
        client.receive_data(raw(210, body))
    got = [event.contract_details.ev_multiplier for event in client.events_received()]
    assert got[:4] == [50, 2.5, 0.25, float("inf")] and got[4] != got[4]
    assert type(got[0]) is int


_IDS: dict[int, tuple[type | None, type | None]] = {
    210: (ContractData, None), 218: (BondContractData, None), 252: (ContractDataEnd, None),
    209: (None, ReqContractData),
}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(_IDS)), st.binary(max_size=48))
def test_any_protobuf_body_gives_an_event_and_the_stream_goes_on(
    msg_id: int, body: bytes
) -> None:
    check_any_body(msg_id, body, _IDS[msg_id])


def test_requests_leave_out_the_last_trade_date() -> None:
    # As createContractProto (and the text form of requests): no lastTradeDate.
    client, _ = connected(205)
    client.send(ReqContractData(req_id=1, contract=Contract(symbol="ES", last_trade_date="x")))
    contract = decode("ContractDataRequest", client.data_to_send()[8:])["contract"]
    assert contract is not None
    assert contract["lastTradeDate"] is None and contract["symbol"] == "ES"
    # Contract details keep it.
    _, server = connected(205)
    details = ContractDetails(contract=Contract(last_trade_date="x"))
    server.send(ContractData(req_id=1, contract_details=details))
    values = decode("ContractData", server.data_to_send()[8:])
    assert values["contract"] is not None and values["contract"]["lastTradeDate"] == "x"


def test_a_bonds_expiry_in_three_parts_names_its_time_zone() -> None:
    client, server = connected(226)
    expiry = "20300515-17:00:00-US/Eastern"
    details = ContractDetails(
        contract=Contract(sec_type="BOND", last_trade_date_or_contract_month=expiry),
        time_zone_id="",
    )
    for cls, zone in ((BondContractData, "US/Eastern"), (ContractData, "")):
        server.send(cls(req_id=3, contract_details=details))
        client.receive_data(server.data_to_send())
        (event,) = client.events_received()
        assert isinstance(event, cls)
        assert event.contract_details.time_zone_id == zone
        assert event.contract_details.maturity == "20300515"
