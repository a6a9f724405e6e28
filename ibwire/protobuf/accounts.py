"""The accounts and positions family in protobuf form (server version 207,
``PROTOBUF_ACCOUNTS_POSITIONS``).

=========================  ==========================  =================
class                      protobuf message            direction
=========================  ==========================  =================
ReqAcctData                AccountDataRequest          client -> server
ReqManagedAccts            ManagedAccountsRequest      client -> server
ReqPositions               PositionsRequest            client -> server
CancelPositions            CancelPositions             client -> server
ReqAccountSummary          AccountSummaryRequest       client -> server
CancelAccountSummary       CancelAccountSummary        client -> server
ReqPositionsMulti          PositionsMultiRequest       client -> server
CancelPositionsMulti       CancelPositionsMulti        client -> server
ReqAccountUpdatesMulti     AccountUpdatesMultiRequest  client -> server
CancelAccountUpdatesMulti  CancelAccountUpdatesMulti   client -> server
AcctValue                  AccountValue                server -> client
PortfolioValue             PortfolioValue              server -> client
AcctUpdateTime             AccountUpdateTime           server -> client
AcctDownloadEnd            AccountDataEnd              server -> client
ManagedAccts               ManagedAccounts             server -> client
PositionData               Position                    server -> client
PositionEnd                PositionEnd                 server -> client
AccountSummary             AccountSummary              server -> client
AccountSummaryEnd          AccountSummaryEnd           server -> client
PositionMulti              PositionMulti               server -> client
PositionMultiEnd           PositionMultiEnd            server -> client
AccountUpdateMulti         AccountUpdateMulti          server -> client
AccountUpdateMultiEnd      AccountUpdateMultiEnd       server -> client
=========================  ==========================  =================

Requests are written as ``client_utils.create*Proto`` writes them: ``reqId``
unless ``UNSET_INTEGER``, text when not empty, flags when true; the requests
without parameters are empty messages.  Incoming absent fields read as the official
decoder reads them: text "", ``reqId`` -1, positions ``None`` (official
``UNSET_DECIMAL``), prices and costs 0.0, an absent contract an empty one (the
official decoder then makes no callback at all).
"""

from __future__ import annotations

from typing import Final

from ..messages.account import (
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
from ..messages.system import ManagedAccts
from ..versions import ServerVersion
from .forms import Form, mapped, register
from .mapper import Conv, Link, ObjectMap
from .objects import CONTRACT

__all__ = ["INCOMING_MAPS", "REQUEST_MAPS"]

#: ``NO_VALID_ID``: the request id of an answer that carries none.
NO_VALID_ID: Final = -1
#: ``UNSET_INTEGER``: the official client leaves an int field out when it holds this.
UNSET_INTEGER: Final = 2**31 - 1

_SINCE: Final = ServerVersion.PROTOBUF_ACCOUNTS_POSITIONS

_REQ_ID: Final = Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID)
_ANSWER_ID: Final = Link("reqId", "req_id", missing=NO_VALID_ID)

#: Request class -> (protobuf message, map).
REQUEST_MAPS: Final[dict[type, tuple[str, ObjectMap]]] = {
    ReqAcctData: ("AccountDataRequest", ObjectMap(ReqAcctData, [
        Link("subscribe", "subscribe", skip=False, missing=False),
        Link("acctCode", "acct_code", skip=""),
    ])),
    ReqManagedAccts: ("ManagedAccountsRequest", ObjectMap(ReqManagedAccts, [])),
    ReqPositions: ("PositionsRequest", ObjectMap(ReqPositions, [])),
    CancelPositions: ("CancelPositions", ObjectMap(CancelPositions, [])),
    ReqAccountSummary: ("AccountSummaryRequest", ObjectMap(ReqAccountSummary, [
        _REQ_ID,
        # An absent group reads as "" (the official client leaves an empty one out).
        Link("group", "group_name", skip="", missing=""),
        Link("tags", "tags", skip="", missing=""),
    ])),
    CancelAccountSummary: ("CancelAccountSummary", ObjectMap(CancelAccountSummary, [_REQ_ID])),
    ReqPositionsMulti: ("PositionsMultiRequest", ObjectMap(ReqPositionsMulti, [
        _REQ_ID,
        Link("account", "account", skip=""),
        Link("modelCode", "model_code", skip=""),
    ])),
    CancelPositionsMulti: ("CancelPositionsMulti", ObjectMap(CancelPositionsMulti, [_REQ_ID])),
    ReqAccountUpdatesMulti: ("AccountUpdatesMultiRequest", ObjectMap(ReqAccountUpdatesMulti, [
        _REQ_ID,
        Link("account", "account", skip=""),
        Link("modelCode", "model_code", skip=""),
        Link("ledgerAndNLV", "ledger_and_nlv", skip=False),
    ])),
    CancelAccountUpdatesMulti: (
        "CancelAccountUpdatesMulti", ObjectMap(CancelAccountUpdatesMulti, [_REQ_ID])
    ),
}  # fmt: skip

#: Incoming class -> (protobuf message, map).
INCOMING_MAPS: Final[dict[type, tuple[str, ObjectMap]]] = {
    AcctValue: ("AccountValue", ObjectMap(AcctValue, [
        Link("key", "key", missing=""),
        Link("value", "val", missing=""),
        Link("currency", "currency"),
        Link("accountName", "account_name"),
    ])),
    PortfolioValue: ("PortfolioValue", ObjectMap(PortfolioValue, [
        Link("contract", "contract", Conv.OBJECT, CONTRACT, missing={}),
        Link("position", "position", Conv.DECIMAL, missing=None),
        Link("marketPrice", "market_price"),
        Link("marketValue", "market_value"),
        Link("averageCost", "average_cost"),
        Link("unrealizedPNL", "unrealized_pnl"),
        Link("realizedPNL", "realized_pnl"),
        Link("accountName", "account_name"),
    ])),
    AcctUpdateTime: ("AccountUpdateTime", ObjectMap(AcctUpdateTime, [
        Link("timeStamp", "time_stamp", missing=""),
    ])),
    AcctDownloadEnd: ("AccountDataEnd", ObjectMap(AcctDownloadEnd, [
        Link("accountName", "account_name", missing=""),
    ])),
    ManagedAccts: ("ManagedAccounts", ObjectMap(ManagedAccts, [
        Link("accountsList", "accounts_list", missing=""),
    ])),
    PositionData: ("Position", ObjectMap(PositionData, [
        Link("account", "account", missing=""),
        Link("contract", "contract", Conv.OBJECT, CONTRACT, missing={}),
        Link("position", "position", Conv.DECIMAL, missing=None),
        Link("avgCost", "avg_cost"),
    ])),
    PositionEnd: ("PositionEnd", ObjectMap(PositionEnd, [])),
    AccountSummary: ("AccountSummary", ObjectMap(AccountSummary, [
        _ANSWER_ID,
        Link("account", "account", missing=""),
        Link("tag", "tag", missing=""),
        Link("value", "value", missing=""),
        Link("currency", "currency"),
    ])),
    AccountSummaryEnd: ("AccountSummaryEnd", ObjectMap(AccountSummaryEnd, [_ANSWER_ID])),
    PositionMulti: ("PositionMulti", ObjectMap(PositionMulti, [
        _ANSWER_ID,
        Link("account", "account", missing=""),
        Link("contract", "contract", Conv.OBJECT, CONTRACT, missing={}),
        Link("position", "pos", Conv.DECIMAL, missing=None),
        Link("avgCost", "avg_cost"),
        Link("modelCode", "model_code"),
    ])),
    PositionMultiEnd: ("PositionMultiEnd", ObjectMap(PositionMultiEnd, [_ANSWER_ID])),
    AccountUpdateMulti: ("AccountUpdateMulti", ObjectMap(AccountUpdateMulti, [
        _ANSWER_ID,
        Link("account", "account", missing=""),
        Link("modelCode", "model_code"),
        Link("key", "key", missing=""),
        Link("value", "value", missing=""),
        Link("currency", "currency"),
    ])),
    AccountUpdateMultiEnd: (
        "AccountUpdateMultiEnd", ObjectMap(AccountUpdateMultiEnd, [_ANSWER_ID])
    ),
}  # fmt: skip


def _forms() -> list[Form]:
    forms = [
        mapped(cls, name, _SINCE, objects, incoming=False)
        for cls, (name, objects) in REQUEST_MAPS.items()
    ]
    forms += [
        mapped(cls, name, _SINCE, objects, incoming=True)
        for cls, (name, objects) in INCOMING_MAPS.items()
    ]
    return forms


register(*_forms())
