"""Which protobuf message travels under which message id, and from which version.

From server version 201 a frame's id is a raw 4-byte integer; an id above
:data:`~ibwire.versions.PROTOBUF_ID_OFFSET` carries the protobuf message of id - 200.
The tables below say which :data:`~ibwire.protobuf.SCHEMA` message that is, per direction:

* :data:`INCOMING`: what the server may send as protobuf (it chooses per frame;
  the official decoder accepts either form of each of these ids).
* :data:`OUTGOING`: what the client sends as protobuf, and the gate: the official
  client (``ibapi`` 10.51, ``common.getServerVersionForMessage``) sends a request
  as protobuf once the negotiated version reaches the gate, and as text before.
  The four ids above 105 exist only in protobuf form.

Text at every version: incoming 47 (TICK_EFP), 56 (DELTA_NEUTRAL_VALIDATION),
69 and 70 (VERIFY_AND_AUTH_*), 51 (FUNDAMENTAL_DATA, until its removal);
outgoing 72 and 73 (VERIFY_AND_AUTH_*), 52 and 53 (fundamental data).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from ..ids import IncomingId as In
from ..ids import OutgoingId as Out
from ..versions import PROTOBUF_ID_OFFSET
from ..versions import ServerVersion as V

__all__ = ["INCOMING", "OUTGOING", "PROTOBUF_ID_OFFSET", "protobuf_gate"]


#: Incoming id -> the protobuf message of its protobuf form.
INCOMING: Final[Mapping[In, str]] = MappingProxyType({
    In.TICK_PRICE: "TickPrice",
    In.TICK_SIZE: "TickSize",
    In.ORDER_STATUS: "OrderStatus",
    In.ERR_MSG: "ErrorMessage",
    In.OPEN_ORDER: "OpenOrder",
    In.ACCT_VALUE: "AccountValue",
    In.PORTFOLIO_VALUE: "PortfolioValue",
    In.ACCT_UPDATE_TIME: "AccountUpdateTime",
    In.NEXT_VALID_ID: "NextValidId",
    In.CONTRACT_DATA: "ContractData",
    In.EXECUTION_DATA: "ExecutionDetails",
    In.MARKET_DEPTH: "MarketDepth",
    In.MARKET_DEPTH_L2: "MarketDepthL2",
    In.NEWS_BULLETINS: "NewsBulletin",
    In.MANAGED_ACCTS: "ManagedAccounts",
    In.RECEIVE_FA: "ReceiveFA",
    In.HISTORICAL_DATA: "HistoricalData",
    In.BOND_CONTRACT_DATA: "ContractData",
    In.SCANNER_PARAMETERS: "ScannerParameters",
    In.SCANNER_DATA: "ScannerData",
    In.TICK_OPTION_COMPUTATION: "TickOptionComputation",
    In.TICK_GENERIC: "TickGeneric",
    In.TICK_STRING: "TickString",
    In.CURRENT_TIME: "CurrentTime",
    In.REAL_TIME_BARS: "RealTimeBarTick",
    In.CONTRACT_DATA_END: "ContractDataEnd",
    In.OPEN_ORDER_END: "OpenOrdersEnd",
    In.ACCT_DOWNLOAD_END: "AccountDataEnd",
    In.EXECUTION_DATA_END: "ExecutionDetailsEnd",
    In.TICK_SNAPSHOT_END: "TickSnapshotEnd",
    In.MARKET_DATA_TYPE: "MarketDataType",
    In.COMMISSION_AND_FEES_REPORT: "CommissionAndFeesReport",
    In.POSITION_DATA: "Position",
    In.POSITION_END: "PositionEnd",
    In.ACCOUNT_SUMMARY: "AccountSummary",
    In.ACCOUNT_SUMMARY_END: "AccountSummaryEnd",
    In.VERIFY_MESSAGE_API: "VerifyMessageApi",
    In.VERIFY_COMPLETED: "VerifyCompleted",
    In.DISPLAY_GROUP_LIST: "DisplayGroupList",
    In.DISPLAY_GROUP_UPDATED: "DisplayGroupUpdated",
    In.POSITION_MULTI: "PositionMulti",
    In.POSITION_MULTI_END: "PositionMultiEnd",
    In.ACCOUNT_UPDATE_MULTI: "AccountUpdateMulti",
    In.ACCOUNT_UPDATE_MULTI_END: "AccountUpdateMultiEnd",
    In.SECURITY_DEFINITION_OPTION_PARAMETER: "SecDefOptParameter",
    In.SECURITY_DEFINITION_OPTION_PARAMETER_END: "SecDefOptParameterEnd",
    In.SOFT_DOLLAR_TIERS: "SoftDollarTiers",
    In.FAMILY_CODES: "FamilyCodes",
    In.SYMBOL_SAMPLES: "SymbolSamples",
    In.MKT_DEPTH_EXCHANGES: "MarketDepthExchanges",
    In.TICK_REQ_PARAMS: "TickReqParams",
    In.SMART_COMPONENTS: "SmartComponents",
    In.NEWS_ARTICLE: "NewsArticle",
    In.TICK_NEWS: "TickNews",
    In.NEWS_PROVIDERS: "NewsProviders",
    In.HISTORICAL_NEWS: "HistoricalNews",
    In.HISTORICAL_NEWS_END: "HistoricalNewsEnd",
    In.HEAD_TIMESTAMP: "HeadTimestamp",
    In.HISTOGRAM_DATA: "HistogramData",
    In.HISTORICAL_DATA_UPDATE: "HistoricalDataUpdate",
    In.REROUTE_MKT_DATA_REQ: "RerouteMarketDataRequest",
    In.REROUTE_MKT_DEPTH_REQ: "RerouteMarketDepthRequest",
    In.MARKET_RULE: "MarketRule",
    In.PNL: "PnL",
    In.PNL_SINGLE: "PnLSingle",
    In.HISTORICAL_TICKS: "HistoricalTicks",
    In.HISTORICAL_TICKS_BID_ASK: "HistoricalTicksBidAsk",
    In.HISTORICAL_TICKS_LAST: "HistoricalTicksLast",
    In.TICK_BY_TICK: "TickByTickData",
    In.ORDER_BOUND: "OrderBound",
    In.COMPLETED_ORDER: "CompletedOrder",
    In.COMPLETED_ORDERS_END: "CompletedOrdersEnd",
    In.REPLACE_FA_END: "ReplaceFAEnd",
    In.WSH_META_DATA: "WshMetaData",
    In.WSH_EVENT_DATA: "WshEventData",
    In.HISTORICAL_SCHEDULE: "HistoricalSchedule",
    In.USER_INFO: "UserInfo",
    In.HISTORICAL_DATA_END: "HistoricalDataEnd",
    In.CURRENT_TIME_IN_MILLIS: "CurrentTimeInMillis",
    In.CONFIG_RESPONSE: "ConfigResponse",
    In.UPDATE_CONFIG_RESPONSE: "UpdateConfigResponse",
})  # fmt: skip

_EXECUTIONS: Final = V.PROTOBUF
_ORDERS: Final = V.PROTOBUF_PLACE_ORDER
_OPEN: Final = V.PROTOBUF_COMPLETED_ORDER
_CONTRACTS: Final = V.PROTOBUF_CONTRACT_DATA
_MARKET: Final = V.PROTOBUF_MARKET_DATA
_ACCOUNTS: Final = V.PROTOBUF_ACCOUNTS_POSITIONS
_HISTORY: Final = V.PROTOBUF_HISTORICAL_DATA
_NEWS: Final = V.PROTOBUF_NEWS_DATA
_SCAN: Final = V.PROTOBUF_SCAN_DATA
_REST1: Final = V.PROTOBUF_REST_MESSAGES_1
_REST2: Final = V.PROTOBUF_REST_MESSAGES_2
_REST3: Final = V.PROTOBUF_REST_MESSAGES_3

#: Outgoing id -> (its protobuf message, the version from which it is sent as protobuf).
OUTGOING: Final[Mapping[Out, tuple[str, int]]] = MappingProxyType({
    Out.REQ_EXECUTIONS: ("ExecutionRequest", _EXECUTIONS),
    Out.PLACE_ORDER: ("PlaceOrderRequest", _ORDERS),
    Out.CANCEL_ORDER: ("CancelOrderRequest", _ORDERS),
    Out.REQ_GLOBAL_CANCEL: ("GlobalCancelRequest", _ORDERS),
    Out.REQ_OPEN_ORDERS: ("OpenOrdersRequest", _OPEN),
    Out.REQ_AUTO_OPEN_ORDERS: ("AutoOpenOrdersRequest", _OPEN),
    Out.REQ_ALL_OPEN_ORDERS: ("AllOpenOrdersRequest", _OPEN),
    Out.REQ_COMPLETED_ORDERS: ("CompletedOrdersRequest", _OPEN),
    Out.REQ_CONTRACT_DATA: ("ContractDataRequest", _CONTRACTS),
    Out.REQ_MKT_DATA: ("MarketDataRequest", _MARKET),
    Out.CANCEL_MKT_DATA: ("CancelMarketData", _MARKET),
    Out.REQ_MKT_DEPTH: ("MarketDepthRequest", _MARKET),
    Out.CANCEL_MKT_DEPTH: ("CancelMarketDepth", _MARKET),
    Out.REQ_MARKET_DATA_TYPE: ("MarketDataTypeRequest", _MARKET),
    Out.REQ_ACCT_DATA: ("AccountDataRequest", _ACCOUNTS),
    Out.REQ_MANAGED_ACCTS: ("ManagedAccountsRequest", _ACCOUNTS),
    Out.REQ_POSITIONS: ("PositionsRequest", _ACCOUNTS),
    Out.CANCEL_POSITIONS: ("CancelPositions", _ACCOUNTS),
    Out.REQ_ACCOUNT_SUMMARY: ("AccountSummaryRequest", _ACCOUNTS),
    Out.CANCEL_ACCOUNT_SUMMARY: ("CancelAccountSummary", _ACCOUNTS),
    Out.REQ_POSITIONS_MULTI: ("PositionsMultiRequest", _ACCOUNTS),
    Out.CANCEL_POSITIONS_MULTI: ("CancelPositionsMulti", _ACCOUNTS),
    Out.REQ_ACCOUNT_UPDATES_MULTI: ("AccountUpdatesMultiRequest", _ACCOUNTS),
    Out.CANCEL_ACCOUNT_UPDATES_MULTI: ("CancelAccountUpdatesMulti", _ACCOUNTS),
    Out.REQ_HISTORICAL_DATA: ("HistoricalDataRequest", _HISTORY),
    Out.CANCEL_HISTORICAL_DATA: ("CancelHistoricalData", _HISTORY),
    Out.REQ_REAL_TIME_BARS: ("RealTimeBarsRequest", _HISTORY),
    Out.CANCEL_REAL_TIME_BARS: ("CancelRealTimeBars", _HISTORY),
    Out.REQ_HEAD_TIMESTAMP: ("HeadTimestampRequest", _HISTORY),
    Out.CANCEL_HEAD_TIMESTAMP: ("CancelHeadTimestamp", _HISTORY),
    Out.REQ_HISTOGRAM_DATA: ("HistogramDataRequest", _HISTORY),
    Out.CANCEL_HISTOGRAM_DATA: ("CancelHistogramData", _HISTORY),
    Out.REQ_HISTORICAL_TICKS: ("HistoricalTicksRequest", _HISTORY),
    Out.REQ_TICK_BY_TICK_DATA: ("TickByTickRequest", _HISTORY),
    Out.CANCEL_TICK_BY_TICK_DATA: ("CancelTickByTick", _HISTORY),
    Out.REQ_NEWS_BULLETINS: ("NewsBulletinsRequest", _NEWS),
    Out.CANCEL_NEWS_BULLETINS: ("CancelNewsBulletins", _NEWS),
    Out.REQ_NEWS_ARTICLE: ("NewsArticleRequest", _NEWS),
    Out.REQ_NEWS_PROVIDERS: ("NewsProvidersRequest", _NEWS),
    Out.REQ_HISTORICAL_NEWS: ("HistoricalNewsRequest", _NEWS),
    Out.REQ_WSH_META_DATA: ("WshMetaDataRequest", _NEWS),
    Out.CANCEL_WSH_META_DATA: ("CancelWshMetaData", _NEWS),
    Out.REQ_WSH_EVENT_DATA: ("WshEventDataRequest", _NEWS),
    Out.CANCEL_WSH_EVENT_DATA: ("CancelWshEventData", _NEWS),
    Out.REQ_SCANNER_PARAMETERS: ("ScannerParametersRequest", _SCAN),
    Out.REQ_SCANNER_SUBSCRIPTION: ("ScannerSubscriptionRequest", _SCAN),
    Out.CANCEL_SCANNER_SUBSCRIPTION: ("CancelScannerSubscription", _SCAN),
    Out.REQ_PNL: ("PnLRequest", _SCAN),
    Out.CANCEL_PNL: ("CancelPnL", _SCAN),
    Out.REQ_PNL_SINGLE: ("PnLSingleRequest", _SCAN),
    Out.CANCEL_PNL_SINGLE: ("CancelPnLSingle", _SCAN),
    Out.REQ_FA: ("FARequest", _REST1),
    Out.REPLACE_FA: ("FAReplace", _REST1),
    Out.EXERCISE_OPTIONS: ("ExerciseOptionsRequest", _REST1),
    Out.REQ_CALC_IMPLIED_VOLAT: ("CalculateImpliedVolatilityRequest", _REST1),
    Out.CANCEL_CALC_IMPLIED_VOLAT: ("CancelCalculateImpliedVolatility", _REST1),
    Out.REQ_CALC_OPTION_PRICE: ("CalculateOptionPriceRequest", _REST1),
    Out.CANCEL_CALC_OPTION_PRICE: ("CancelCalculateOptionPrice", _REST1),
    Out.REQ_SEC_DEF_OPT_PARAMS: ("SecDefOptParamsRequest", _REST2),
    Out.REQ_SOFT_DOLLAR_TIERS: ("SoftDollarTiersRequest", _REST2),
    Out.REQ_FAMILY_CODES: ("FamilyCodesRequest", _REST2),
    Out.REQ_MATCHING_SYMBOLS: ("MatchingSymbolsRequest", _REST2),
    Out.REQ_SMART_COMPONENTS: ("SmartComponentsRequest", _REST2),
    Out.REQ_MARKET_RULE: ("MarketRuleRequest", _REST2),
    Out.REQ_USER_INFO: ("UserInfoRequest", _REST2),
    Out.REQ_IDS: ("IdsRequest", _REST3),
    Out.REQ_CURRENT_TIME: ("CurrentTimeRequest", _REST3),
    Out.REQ_CURRENT_TIME_IN_MILLIS: ("CurrentTimeInMillisRequest", _REST3),
    Out.START_API: ("StartApiRequest", _REST3),
    Out.SET_SERVER_LOGLEVEL: ("SetServerLogLevelRequest", _REST3),
    Out.VERIFY_REQUEST: ("VerifyRequest", _REST3),
    Out.VERIFY_MESSAGE: ("VerifyMessageRequest", _REST3),
    Out.QUERY_DISPLAY_GROUPS: ("QueryDisplayGroupsRequest", _REST3),
    Out.SUBSCRIBE_TO_GROUP_EVENTS: ("SubscribeToGroupEventsRequest", _REST3),
    Out.UPDATE_DISPLAY_GROUP: ("UpdateDisplayGroupRequest", _REST3),
    Out.UNSUBSCRIBE_FROM_GROUP_EVENTS: ("UnsubscribeFromGroupEventsRequest", _REST3),
    Out.REQ_MKT_DEPTH_EXCHANGES: ("MarketDepthExchangesRequest", _REST3),
    Out.CANCEL_CONTRACT_DATA: ("CancelContractData", V.CANCEL_CONTRACT_DATA),
    Out.CANCEL_HISTORICAL_TICKS: ("CancelHistoricalTicks", V.CANCEL_CONTRACT_DATA),
    Out.REQ_CONFIG: ("ConfigRequest", V.CONFIG),
    Out.UPDATE_CONFIG: ("UpdateConfigRequest", V.UPDATE_CONFIG),
})  # fmt: skip


def protobuf_gate(msg_id: int) -> int | None:
    """The version from which outgoing ``msg_id`` is sent as protobuf (``None``: never)."""
    entry = OUTGOING.get(msg_id)  # type: ignore[call-overload]
    return None if entry is None else entry[1]
