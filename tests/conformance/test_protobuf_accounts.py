"""The accounts and positions family against the official client, at every version
the issue lists.

Requests encode byte for byte as the official ``EClient`` writes them (text below
207, protobuf from 207); what our server side encodes decodes in the official
``Decoder`` to the same values (text below 207, protobuf from 207).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
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

from .oracle import (
    VERSIONS,
    assert_same_contract,
    connected,
    official_bytes,
    official_calls,
    through_official,
    unset,
)

text = st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="\\"),
               max_size=8)
int32 = st.integers(-(2**31), 2**31 - 2)
finite = st.floats(allow_nan=False, allow_infinity=False, width=32)
decimals = st.none() | st.decimals(
    min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=4, allow_nan=False
)
contracts = st.builds(
    Contract, con_id=int32, symbol=text, sec_type=text, last_trade_date_or_contract_month=text,
    strike=st.none() | finite, right=text, multiplier=st.sampled_from(["", "1", "100", "0.5"]),
    currency=text, local_symbol=text, trading_class=text,
)
#: The contract fields both forms of these messages carry.
_CONTRACT = ("con_id", "symbol", "sec_type", "last_trade_date_or_contract_month", "strike",
             "right", "multiplier", "currency", "local_symbol", "trading_class")


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=25, deadline=None)
@given(req_id=int32, subscribe=st.booleans(), account=text, group=text, tags=text,
       model=text, ledger=st.booleans())
def test_request_bytes_match_the_official_client(
    version: int, req_id: int, subscribe: bool, account: str, group: str, tags: str,
    model: str, ledger: bool,
) -> None:
    requests = [
        ReqAcctData(subscribe=subscribe, acct_code=account),
        ReqManagedAccts(),
        ReqPositions(),
        CancelPositions(),
        ReqAccountSummary(req_id=req_id, group_name=group, tags=tags),
        CancelAccountSummary(req_id=req_id),
        ReqPositionsMulti(req_id=req_id, account=account, model_code=model),
        CancelPositionsMulti(req_id=req_id),
        ReqAccountUpdatesMulti(req_id=req_id, account=account, model_code=model,
                               ledger_and_nlv=ledger),
        CancelAccountUpdatesMulti(req_id=req_id),
    ]
    client, server = connected(version)
    for request in requests:
        client.send(request)
    sent = client.data_to_send()

    def calls(c: Any) -> None:
        c.reqAccountUpdates(subscribe, account)
        c.reqManagedAccts()
        c.reqPositions()
        c.cancelPositions()
        c.reqAccountSummary(req_id, group, tags)
        c.cancelAccountSummary(req_id)
        c.reqPositionsMulti(req_id, account, model)
        c.cancelPositionsMulti(req_id)
        c.reqAccountUpdatesMulti(req_id, account, model, ledger)
        c.cancelAccountUpdatesMulti(req_id)

    assert sent == official_bytes(version, calls)
    if version >= 207:
        server.receive_data(sent)
        assert server.events_received() == requests


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=25, deadline=None)
@given(req_id=int32, contract=contracts, position=decimals, values=st.lists(finite, min_size=5,
       max_size=5), strings=st.lists(text, min_size=6, max_size=6))
def test_incoming_values_match_the_official_decoder(
    version: int, req_id: int, contract: Contract, position: Decimal | None,
    values: list[float], strings: list[str],
) -> None:
    if version < 207 and contract.strike is None:
        contract = dataclasses.replace(contract, strike=0.0)  # no "absent" strike in text
    account, model, key, value, currency, tag = strings
    price, market_value, cost, unrealized, realized = values
    messages = [
        AcctValue(key=key, val=value, currency=currency, account_name=account),
        PortfolioValue(contract=contract, position=position, market_price=price,
                       market_value=market_value, average_cost=cost,
                       unrealized_pnl=unrealized, realized_pnl=realized, account_name=account),
        AcctUpdateTime(time_stamp=value),
        AcctDownloadEnd(account_name=account),
        ManagedAccts(accounts_list=value),
        PositionData(account=account, contract=contract, position=position, avg_cost=cost),
        PositionEnd(),
        AccountSummary(req_id=req_id, account=account, tag=tag, value=value, currency=currency),
        AccountSummaryEnd(req_id=req_id),
        PositionMulti(req_id=req_id, account=account, model_code=model, contract=contract,
                      pos=position, avg_cost=cost),
        PositionMultiEnd(req_id=req_id),
        AccountUpdateMulti(req_id=req_id, account=account, model_code=model, key=key,
                           value=value, currency=currency),
        AccountUpdateMultiEnd(req_id=req_id),
    ]
    _, server = connected(version)
    for message in messages:
        server.send(message)
    data = server.data_to_send()
    if version >= 207:
        assert data[4:8] == (206).to_bytes(4, "big")
    calls = official_calls(version, data)
    names = [name for name, _ in calls]
    assert names == [
        "updateAccountValue", "updatePortfolio", "updateAccountTime", "accountDownloadEnd",
        "managedAccounts", "position", "positionEnd", "accountSummary", "accountSummaryEnd",
        "positionMulti", "positionMultiEnd", "accountUpdateMulti", "accountUpdateMultiEnd",
    ]
    args = [tuple(unset(v) for v in call[1]) for call in calls]
    assert args[0] == (key, value, currency, account)
    assert args[1][1:] == (position, price, market_value, cost, unrealized, realized, account)
    assert_same_contract(calls[1][1][0], contract, _CONTRACT)
    assert args[2:5] == [(value,), (account,), (value,)]
    assert (args[5][0], *args[5][2:]) == (account, position, cost)
    assert_same_contract(calls[5][1][1], contract, _CONTRACT)
    assert args[6:9] == [(), (req_id, account, tag, value, currency), (req_id,)]
    assert (*args[9][:3], *args[9][4:]) == (req_id, account, model, position, cost)
    assert_same_contract(calls[9][1][3], contract, _CONTRACT)
    assert args[10:] == [
        (req_id,), (req_id, account, model, key, value, currency), (req_id,),
    ]


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


@settings(max_examples=100, deadline=None)
@given(incoming)
def test_official_serialization_decodes_to_the_same_values(message: Any) -> None:
    assert through_official(message) == message
