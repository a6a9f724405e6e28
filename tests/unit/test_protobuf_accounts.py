"""The accounts and positions family in protobuf form: same classes, same values, as text."""

from __future__ import annotations

import struct
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ibwire.messages.account import (
    AccountSummary,
    AccountSummaryEnd,
    AccountUpdateMulti,
    AccountUpdateMultiEnd,
    AcctDownloadEnd,
    AcctUpdateTime,
    AcctValue,
    CancelAccountSummary,
    CancelAccountUpdatesMulti,
    CancelPositions,
    CancelPositionsMulti,
    PortfolioValue,
    PositionData,
    PositionEnd,
    PositionMulti,
    PositionMultiEnd,
    ReqAccountSummary,
    ReqAccountUpdatesMulti,
    ReqAcctData,
    ReqManagedAccts,
    ReqPositions,
    ReqPositionsMulti,
)
from ibwire.messages.common import Contract
from ibwire.messages.system import ManagedAccts

from ..protobuf_forms import check_any_body, connected, raw


def test_request_bytes_at_207() -> None:
    client, _ = connected(207)
    client.send(ReqPositions())
    client.send(ReqAccountSummary(req_id=3, tags="NetLiquidation"))
    client.send(ReqAcctData(subscribe=False))
    assert client.data_to_send() == (
        raw(261, b"")
        # AccountSummaryRequest{reqId=3, group="All", tags="NetLiquidation"}
        + raw(262, b"\x08\x03\x12\x03All\x1a\x0eNetLiquidation")
        # AccountDataRequest{}: a false subscribe and an empty account are left out.
        + raw(206, b"")
    )


def test_requests_are_text_below_207() -> None:
    client, _ = connected(206)
    client.send(ReqPositions())
    assert client.data_to_send() == struct.pack(">II", 6, 61) + b"1\x00"


text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=8)
int32 = st.integers(-(2**31), 2**31 - 2)  # 2**31 - 1 is "unset"
finite = st.floats(allow_nan=False, allow_infinity=False)
decimals = st.none() | st.decimals(
    min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=4, allow_nan=False
)
contracts = st.builds(
    Contract, con_id=int32, symbol=text, strike=st.none() | finite,
    multiplier=st.sampled_from(["", "100"]), primary_exchange=text,
)
incoming = st.one_of(
    st.builds(AcctValue, key=text, val=text, currency=text, account_name=text),
    st.builds(PortfolioValue, contract=contracts, position=decimals, market_price=finite,
              market_value=finite, average_cost=finite, unrealized_pnl=finite,
              realized_pnl=finite, account_name=text),
    st.builds(AcctUpdateTime, time_stamp=text),
    st.builds(AcctDownloadEnd, account_name=text),
    st.builds(ManagedAccts, accounts_list=text),
    st.builds(PositionData, account=text, contract=contracts, position=decimals,
              avg_cost=finite),
    st.just(PositionEnd()),
    st.builds(AccountSummary, req_id=int32, account=text, tag=text, value=text, currency=text),
    st.builds(AccountSummaryEnd, req_id=int32),
    st.builds(PositionMulti, req_id=int32, account=text, model_code=text, contract=contracts,
              pos=decimals, avg_cost=finite),
    st.builds(PositionMultiEnd, req_id=int32),
    st.builds(AccountUpdateMulti, req_id=int32, account=text, model_code=text, key=text,
              value=text, currency=text),
    st.builds(AccountUpdateMultiEnd, req_id=int32),
)  # fmt: skip
requests = st.one_of(
    st.builds(ReqAcctData, subscribe=st.booleans(), acct_code=text),
    st.just(ReqManagedAccts()),
    st.just(CancelPositions()),
    st.builds(ReqAccountSummary, req_id=int32, group_name=text, tags=text),
    st.builds(CancelAccountSummary, req_id=int32),
    st.builds(ReqPositionsMulti, req_id=int32, account=text, model_code=text),
    st.builds(CancelPositionsMulti, req_id=int32),
    st.builds(ReqAccountUpdatesMulti, req_id=int32, account=text, model_code=text,
              ledger_and_nlv=st.booleans()),
    st.builds(CancelAccountUpdatesMulti, req_id=int32),
)


@settings(max_examples=150, deadline=None)
@given(incoming)
def test_incoming_round_trip_at_207(message: object) -> None:
    client, server = connected(207)
    server.send(message)  # type: ignore[arg-type]
    data = server.data_to_send()
    assert int.from_bytes(data[4:8], "big") > 200
    client.receive_data(data)
    assert client.events_received() == [message]


@settings(max_examples=80, deadline=None)
@given(requests)
def test_request_round_trip_at_207(message: object) -> None:
    client, server = connected(207)
    client.send(message)  # type: ignore[arg-type]
    data = client.data_to_send()
    assert int.from_bytes(data[4:8], "big") > 200
    server.receive_data(data)
    assert server.events_received() == [message]


def test_absent_fields_read_as_the_official_decoder_reads_them() -> None:
    client, _ = connected(226)
    for msg_id in (206, 207, 261, 263, 264):
        client.receive_data(raw(msg_id, b""))
    assert client.events_received() == [
        AcctValue(key="", val=""),
        PortfolioValue(contract=Contract(), position=None),
        PositionData(account="", contract=Contract(), position=None),
        AccountSummary(req_id=-1, account="", tag="", value=""),
        AccountSummaryEnd(req_id=-1),
    ]


_IDS: dict[int, tuple[type | None, type | None]] = {
    206: (AcctValue, ReqAcctData), 207: (PortfolioValue, None), 208: (AcctUpdateTime, None),
    215: (ManagedAccts, None), 217: (None, ReqManagedAccts), 254: (AcctDownloadEnd, None),
    261: (PositionData, ReqPositions), 262: (PositionEnd, ReqAccountSummary),
    263: (AccountSummary, CancelAccountSummary), 264: (AccountSummaryEnd, CancelPositions),
    271: (PositionMulti, None), 272: (PositionMultiEnd, None),
    273: (AccountUpdateMulti, None), 274: (AccountUpdateMultiEnd, ReqPositionsMulti),
    275: (None, CancelPositionsMulti), 276: (None, ReqAccountUpdatesMulti),
    277: (None, CancelAccountUpdatesMulti),
}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(_IDS)), st.binary(max_size=48))
def test_any_protobuf_body_gives_an_event_and_the_stream_goes_on(
    msg_id: int, body: bytes
) -> None:
    check_any_body(msg_id, body, _IDS[msg_id])
