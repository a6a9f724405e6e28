"""The executions family in protobuf form (server version 201, ``PROTOBUF``).

================  ======================  =====================
class             protobuf message        direction
================  ======================  =====================
ReqExecutions     ExecutionRequest        client -> server
ExecutionData     ExecutionDetails        server -> client
ExecutionDataEnd  ExecutionDetailsEnd     server -> client
OrderStatus       OrderStatus             server -> client
CommissionAnd...  CommissionAndFeesRe...  server -> client
================  ======================  =====================

Incoming absent fields keep the class defaults, which are the text form's
(``OrderStatus.avg_fill_price`` 0.0 where the official protobuf decoder passes
``UNSET_DOUBLE``); fields typed ``X | None`` are ``None`` when absent
(``CommissionAndFeesReport.realized_pnl``, where the official decoder passes 0.0).

The request is written as ``client_utils.createExecutionRequestProto`` writes it:
``reqId`` and the filter's ``clientId`` unless they hold ``UNSET_INTEGER``
(2147483647), the filter's text fields when not empty, ``lastNDays`` when set, ``specificDates`` when not empty, and the filter
message always (empty or not).  An absent ``reqId`` reads as -1 (``NO_VALID_ID``),
as in the official decoder.
"""

from __future__ import annotations

from typing import Final

from ..messages.executions import (
    CommissionAndFeesReport,
    ExecutionData,
    ExecutionDataEnd,
    ExecutionFilter,
    OrderStatus,
    ReqExecutions,
)
from ..versions import ServerVersion
from .forms import mapped, register
from .mapper import Conv, Link, ObjectMap
from .objects import CONTRACT, EXECUTION

__all__ = [
    "COMMISSION_AND_FEES_REPORT",
    "EXECUTION_DATA",
    "EXECUTION_DATA_END",
    "EXECUTION_FILTER",
    "ORDER_STATUS",
    "REQ_EXECUTIONS",
]

#: ``NO_VALID_ID``: the request id of an answer that carries none.
NO_VALID_ID: Final = -1
#: ``UNSET_INTEGER``: the official client leaves an int field out when it holds this.
UNSET_INTEGER: Final = 2**31 - 1

EXECUTION_FILTER: Final = ObjectMap(ExecutionFilter, [
    Link("clientId", "client_id", skip=UNSET_INTEGER),
    Link("acctCode", "acct_code", skip=""),
    Link("time", "time", skip=""),
    Link("symbol", "symbol", skip=""),
    Link("secType", "sec_type", skip=""),
    Link("exchange", "exchange", skip=""),
    Link("side", "side", skip=""),
    Link("lastNDays", "last_n_days", skip=UNSET_INTEGER),
    Link("specificDates", "specific_dates", Conv.TUPLE),
])  # fmt: skip

REQ_EXECUTIONS: Final = ObjectMap(ReqExecutions, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("executionFilter", "exec_filter", Conv.OBJECT, EXECUTION_FILTER),
])  # fmt: skip

EXECUTION_DATA: Final = ObjectMap(ExecutionData, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("contract", "contract", Conv.OBJECT, CONTRACT, missing={}),
    Link("execution", "execution", Conv.OBJECT, EXECUTION, missing={}),
])  # fmt: skip

EXECUTION_DATA_END: Final = ObjectMap(ExecutionDataEnd, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
])  # fmt: skip


ORDER_STATUS: Final = ObjectMap(OrderStatus, [
    Link("orderId", "order_id", missing=UNSET_INTEGER),
    Link("status", "status", missing=""),
    Link("filled", "filled", Conv.DECIMAL, missing=None),
    Link("remaining", "remaining", Conv.DECIMAL, missing=None),
    Link("avgFillPrice", "avg_fill_price"),
    Link("permId", "perm_id"),
    Link("parentId", "parent_id"),
    Link("lastFillPrice", "last_fill_price"),
    Link("clientId", "client_id"),
    Link("whyHeld", "why_held", skip=""),
    Link("mktCapPrice", "mkt_cap_price"),
])  # fmt: skip

COMMISSION_AND_FEES_REPORT: Final = ObjectMap(CommissionAndFeesReport, [
    Link("execId", "exec_id", missing=""),
    Link("commissionAndFees", "commission_and_fees", missing=0.0),
    Link("currency", "currency", missing=""),
    Link("realizedPNL", "realized_pnl"),
    Link("bondYield", "yield_"),
    Link("yieldRedemptionDate", "yield_redemption_date", Conv.INT_TEXT, skip=0),
])  # fmt: skip

_SINCE: Final = ServerVersion.PROTOBUF

register(
    mapped(ReqExecutions, "ExecutionRequest", _SINCE, REQ_EXECUTIONS, incoming=False),
    mapped(ExecutionData, "ExecutionDetails", _SINCE, EXECUTION_DATA, incoming=True),
    mapped(ExecutionDataEnd, "ExecutionDetailsEnd", _SINCE, EXECUTION_DATA_END, incoming=True),
    mapped(OrderStatus, "OrderStatus", _SINCE, ORDER_STATUS, incoming=True),
    mapped(
        CommissionAndFeesReport,
        "CommissionAndFeesReport",
        _SINCE,
        COMMISSION_AND_FEES_REPORT,
        incoming=True,
    ),
)
