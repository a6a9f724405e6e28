"""The catalogue: one row per wire id, and every client table derived from it.

Each outgoing id has one :class:`RequestRow` (its EClient name, the client method
that sends it, whether it allocates a request or order id or references one, its
cancel, whether it opens a stream, the message that ends its answer, the routing
key of id-less answers, its pacing class, what the read-only gate does with it,
whether it is a connection setting re-sent after a reconnect).  Each incoming id
has one :class:`AnswerRow` (its EWrapper name, the wrapper callback, what it is
routed by).  The message class of a row is the codec's
(:data:`ibwire.codec.INCOMING` / :data:`~ibwire.codec.OUTGOING`).

Adding a request is adding a row: the dispatch names (:mod:`ibwire.dispatch`),
the generated request methods (:mod:`ibwire._requests_gen`), the session's
stream, cancel, setting and routing tables and the read-only gate
(:mod:`ibwire._session`) all read these rows, and a test checks that they do.
The pacer (:mod:`ibwire.pacing`) reads its classes and cancel pairs from these
rows too (:data:`PACING_CLASSES`, :attr:`RequestRow.cancel`).

This module does no I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from ._record import dataclass
from .codec import INCOMING, OUTGOING
from .ids import IncomingId, OutgoingId

__all__ = [
    "ACCOUNT_UPDATES",
    "ANSWERS",
    "COMPLETED_ORDERS",
    "CURRENT_TIME",
    "FAMILY_CODES",
    "MKT_DEPTH_EXCHANGES",
    "NEWS_BULLETINS",
    "NEWS_PROVIDERS",
    "OPEN_ORDERS",
    "PACING_CLASSES",
    "POSITIONS",
    "REQUESTS",
    "SCANNER_PARAMETERS",
    "AnswerRow",
    "Ids",
    "Pacing",
    "ReadOnly",
    "RequestRow",
    "answer",
    "request",
]

# Routing keys of messages that carry no request id: one stream of each kind.
ACCOUNT_UPDATES: Final = "account_updates"
POSITIONS: Final = "positions"
NEWS_BULLETINS: Final = "news_bulletins"
NEWS_PROVIDERS: Final = "news_providers"
OPEN_ORDERS: Final = "open_orders"
COMPLETED_ORDERS: Final = "completed_orders"
CURRENT_TIME: Final = "current_time"
FAMILY_CODES: Final = "family_codes"
MKT_DEPTH_EXCHANGES: Final = "mkt_depth_exchanges"
SCANNER_PARAMETERS: Final = "scanner_parameters"


class Ids(enum.Enum):
    """What a request does with ids."""

    #: Carries no id.
    NONE = "none"
    #: Starts a request: its ``req_id`` (or ``ticker_id``) is new.
    ALLOCATES = "allocates"
    #: Places an order: its ``order_id`` is new (or re-used to modify it).
    ALLOCATES_ORDER = "allocates order"
    #: Names an earlier request by its id (cancels, display group updates).
    REFERENCES = "references"
    #: Names an earlier order by its id (``cancelOrder``).
    REFERENCES_ORDER = "references order"


class Pacing(enum.Enum):
    """How the pacer treats a request beyond the global message rate."""

    #: Only the global message rate.
    PLAIN = "plain"
    #: A cancel: goes before queued new requests.
    PRIORITY = "priority"
    #: Takes a market data line (a regulatory snapshot is also spaced).
    MARKET_DATA = "market data"
    #: Takes a depth subscription and a line.
    MARKET_DEPTH = "market depth"
    #: Takes a tick-by-tick subscription; spaced per instrument.
    TICK_BY_TICK = "tick by tick"
    #: Historical pacing windows and the open-request count.
    HISTORICAL = "historical"
    #: A line and the historical pacing windows.
    REAL_TIME_BARS = "real time bars"


class ReadOnly(enum.Enum):
    """What a read-only client does with a request."""

    ALLOW = "allow"
    REFUSE = "refuse"
    #: Refused unless the order is a what-if (which changes nothing).
    UNLESS_WHAT_IF = "unless what-if"
    #: ``reqAutoOpenOrders(True)`` binds TWS orders to the client: refused.
    IF_AUTO_BIND = "if auto bind"


StreamRule = Callable[[object], bool]


def _always(message: object) -> bool:
    return True


def _when(flag: str) -> StreamRule:
    def rule(message: object) -> bool:
        return bool(getattr(message, flag, False))

    rule.__name__ = f"when_{flag}"
    return rule


def _unless(*flags: str) -> StreamRule:
    def rule(message: object) -> bool:
        return not any(getattr(message, flag, False) for flag in flags)

    rule.__name__ = "unless_" + "_".join(flags)
    return rule


def snake_case(name: str) -> str:
    """The snake_case of an official camelCase name (``reqPnL`` -> ``req_pnl``)."""
    name = name.replace("PnL", "Pnl")
    out: list[str] = []
    for index, char in enumerate(name):
        if char.isupper() and index:
            before = name[index - 1]
            after = name[index + 1] if index + 1 < len(name) else ""
            if before.islower() or before.isdigit() or (after.islower() and before.isupper()):
                out.append("_")
        out.append(char.lower())
    return "".join(out)


@dataclass(frozen=True, slots=True)
class RequestRow:
    """One outgoing id.

    Attributes:
        msg_id: the wire id.
        eclient: the official EClient method name.
        method: the client method that sends it (snake_case of ``eclient``);
            empty for ``startApi``, which the core sends itself.
        ids: what it does with ids.
        cancel: the request that cancels it (``reqAccountUpdates`` cancels
            itself with ``subscribe=False``).
        stream: whether a message of this id opens a stream that lives until
            cancelled, and is re-sent after a reconnect; ``None`` for never.
        end: the incoming id that ends its answer (for one-message answers,
            the answer itself).
        key: the routing key of its answers when they carry no id.
        pacing: its pacing class.
        read_only: what a read-only client does with it.
        setting: a connection-wide setting, re-sent after a reconnect.
    """

    msg_id: OutgoingId
    eclient: str
    method: str
    ids: Ids = Ids.NONE
    cancel: OutgoingId | None = None
    stream: StreamRule | None = None
    end: IncomingId | None = None
    key: str | None = None
    pacing: Pacing = Pacing.PLAIN
    read_only: ReadOnly = ReadOnly.ALLOW
    setting: bool = False

    @property
    def message_class(self) -> type | None:
        """The message class (``None`` for ids that exist only in protobuf)."""
        return OUTGOING.get(self.msg_id)


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One incoming id.

    Attributes:
        msg_id: the wire id.
        ewrapper: the official EWrapper callback name.
        callback: the :class:`~ibwire.wrapper.Wrapper` method (snake_case of
            ``ewrapper``); empty for ids without one.
        by: the field whose value routes it to its request (``req_id``,
            ``request_id``, ``order_id``, ``market_rule_id``), if any.
        key: the constant routing key of an id-less stream or answer, if any.
    """

    msg_id: IncomingId
    ewrapper: str
    callback: str
    by: str | None = None
    key: str | None = None

    @property
    def message_class(self) -> type | None:
        """The message class (``None`` for ids that exist only in protobuf)."""
        return INCOMING.get(self.msg_id)


def _out(
    msg_id: OutgoingId,
    eclient: str,
    *,
    method: str | None = None,
    ids: Ids = Ids.NONE,
    cancel: OutgoingId | None = None,
    stream: StreamRule | None = None,
    end: IncomingId | None = None,
    key: str | None = None,
    pacing: Pacing = Pacing.PLAIN,
    read_only: ReadOnly = ReadOnly.ALLOW,
    setting: bool = False,
) -> RequestRow:
    return RequestRow(
        msg_id,
        eclient,
        snake_case(eclient) if method is None else method,
        ids,
        cancel,
        stream,
        end,
        key,
        pacing,
        read_only,
        setting,
    )


def _in(
    msg_id: IncomingId,
    ewrapper: str,
    *,
    callback: str | None = None,
    by: str | None = None,
    key: str | None = None,
) -> AnswerRow:
    return AnswerRow(
        msg_id, ewrapper, snake_case(ewrapper) if callback is None else callback, by, key
    )


Out = OutgoingId
In = IncomingId

# ``tickByTick`` is one message class here, so one callback, where the official
# client has three (AllLast, BidAsk, MidPoint).  ``reqAccountUpdates`` is
# REQ_ACCT_DATA on the wire.
_REQUEST_ROWS: Final = (
    _out(
        Out.REQ_MKT_DATA,
        "reqMktData",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_MKT_DATA,
        stream=_unless("snapshot", "regulatory_snapshot"),
        end=In.TICK_SNAPSHOT_END,
        pacing=Pacing.MARKET_DATA,
    ),
    _out(Out.CANCEL_MKT_DATA, "cancelMktData", ids=Ids.REFERENCES, pacing=Pacing.PRIORITY),
    _out(
        Out.PLACE_ORDER,
        "placeOrder",
        ids=Ids.ALLOCATES_ORDER,
        cancel=Out.CANCEL_ORDER,
        read_only=ReadOnly.UNLESS_WHAT_IF,
    ),
    _out(
        Out.CANCEL_ORDER,
        "cancelOrder",
        ids=Ids.REFERENCES_ORDER,
        pacing=Pacing.PRIORITY,
        read_only=ReadOnly.REFUSE,
    ),
    _out(Out.REQ_OPEN_ORDERS, "reqOpenOrders", end=In.OPEN_ORDER_END, key=OPEN_ORDERS),
    _out(
        Out.REQ_ACCT_DATA,
        "reqAccountUpdates",
        cancel=Out.REQ_ACCT_DATA,
        stream=_when("subscribe"),
        end=In.ACCT_DOWNLOAD_END,
        key=ACCOUNT_UPDATES,
    ),
    _out(Out.REQ_EXECUTIONS, "reqExecutions", ids=Ids.ALLOCATES, end=In.EXECUTION_DATA_END),
    _out(Out.REQ_IDS, "reqIds", end=In.NEXT_VALID_ID),
    _out(
        Out.REQ_CONTRACT_DATA,
        "reqContractDetails",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_CONTRACT_DATA,
        end=In.CONTRACT_DATA_END,
    ),
    _out(
        Out.REQ_MKT_DEPTH,
        "reqMktDepth",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_MKT_DEPTH,
        stream=_always,
        pacing=Pacing.MARKET_DEPTH,
    ),
    _out(Out.CANCEL_MKT_DEPTH, "cancelMktDepth", ids=Ids.REFERENCES, pacing=Pacing.PRIORITY),
    _out(
        Out.REQ_NEWS_BULLETINS,
        "reqNewsBulletins",
        cancel=Out.CANCEL_NEWS_BULLETINS,
        stream=_always,
        key=NEWS_BULLETINS,
    ),
    _out(
        Out.CANCEL_NEWS_BULLETINS, "cancelNewsBulletins", key=NEWS_BULLETINS, pacing=Pacing.PRIORITY
    ),
    _out(Out.SET_SERVER_LOGLEVEL, "setServerLogLevel"),
    _out(
        Out.REQ_AUTO_OPEN_ORDERS, "reqAutoOpenOrders", read_only=ReadOnly.IF_AUTO_BIND, setting=True
    ),
    _out(Out.REQ_ALL_OPEN_ORDERS, "reqAllOpenOrders", end=In.OPEN_ORDER_END, key=OPEN_ORDERS),
    _out(Out.REQ_MANAGED_ACCTS, "reqManagedAccts", end=In.MANAGED_ACCTS),
    _out(Out.REQ_FA, "requestFA", end=In.RECEIVE_FA),
    _out(
        Out.REPLACE_FA,
        "replaceFA",
        ids=Ids.ALLOCATES,
        end=In.REPLACE_FA_END,
        read_only=ReadOnly.REFUSE,
    ),
    _out(
        Out.REQ_HISTORICAL_DATA,
        "reqHistoricalData",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_HISTORICAL_DATA,
        stream=_when("keep_up_to_date"),
        end=In.HISTORICAL_DATA_END,
        pacing=Pacing.HISTORICAL,
    ),
    _out(Out.EXERCISE_OPTIONS, "exerciseOptions", ids=Ids.ALLOCATES, read_only=ReadOnly.REFUSE),
    _out(
        Out.REQ_SCANNER_SUBSCRIPTION,
        "reqScannerSubscription",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_SCANNER_SUBSCRIPTION,
        stream=_always,
    ),
    _out(
        Out.CANCEL_SCANNER_SUBSCRIPTION,
        "cancelScannerSubscription",
        ids=Ids.REFERENCES,
        pacing=Pacing.PRIORITY,
    ),
    _out(
        Out.REQ_SCANNER_PARAMETERS,
        "reqScannerParameters",
        end=In.SCANNER_PARAMETERS,
        key=SCANNER_PARAMETERS,
    ),
    _out(
        Out.CANCEL_HISTORICAL_DATA,
        "cancelHistoricalData",
        ids=Ids.REFERENCES,
        pacing=Pacing.PRIORITY,
    ),
    _out(Out.REQ_CURRENT_TIME, "reqCurrentTime", end=In.CURRENT_TIME, key=CURRENT_TIME),
    _out(
        Out.REQ_REAL_TIME_BARS,
        "reqRealTimeBars",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_REAL_TIME_BARS,
        stream=_always,
        pacing=Pacing.REAL_TIME_BARS,
    ),
    _out(
        Out.CANCEL_REAL_TIME_BARS, "cancelRealTimeBars", ids=Ids.REFERENCES, pacing=Pacing.PRIORITY
    ),
    _out(
        Out.REQ_FUNDAMENTAL_DATA,
        "reqFundamentalData",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_FUNDAMENTAL_DATA,
        end=In.FUNDAMENTAL_DATA,
    ),
    _out(
        Out.CANCEL_FUNDAMENTAL_DATA,
        "cancelFundamentalData",
        ids=Ids.REFERENCES,
        pacing=Pacing.PRIORITY,
    ),
    _out(
        Out.REQ_CALC_IMPLIED_VOLAT,
        "calculateImpliedVolatility",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_CALC_IMPLIED_VOLAT,
        end=In.TICK_OPTION_COMPUTATION,
    ),
    _out(
        Out.REQ_CALC_OPTION_PRICE,
        "calculateOptionPrice",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_CALC_OPTION_PRICE,
        end=In.TICK_OPTION_COMPUTATION,
    ),
    _out(
        Out.CANCEL_CALC_IMPLIED_VOLAT,
        "cancelCalculateImpliedVolatility",
        ids=Ids.REFERENCES,
        pacing=Pacing.PRIORITY,
    ),
    _out(
        Out.CANCEL_CALC_OPTION_PRICE,
        "cancelCalculateOptionPrice",
        ids=Ids.REFERENCES,
        pacing=Pacing.PRIORITY,
    ),
    _out(
        Out.REQ_GLOBAL_CANCEL, "reqGlobalCancel", pacing=Pacing.PRIORITY, read_only=ReadOnly.REFUSE
    ),
    _out(Out.REQ_MARKET_DATA_TYPE, "reqMarketDataType", setting=True),
    _out(
        Out.REQ_POSITIONS,
        "reqPositions",
        cancel=Out.CANCEL_POSITIONS,
        stream=_always,
        end=In.POSITION_END,
        key=POSITIONS,
    ),
    _out(
        Out.REQ_ACCOUNT_SUMMARY,
        "reqAccountSummary",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_ACCOUNT_SUMMARY,
        stream=_always,
        end=In.ACCOUNT_SUMMARY_END,
    ),
    _out(
        Out.CANCEL_ACCOUNT_SUMMARY,
        "cancelAccountSummary",
        ids=Ids.REFERENCES,
        pacing=Pacing.PRIORITY,
    ),
    _out(Out.CANCEL_POSITIONS, "cancelPositions", key=POSITIONS, pacing=Pacing.PRIORITY),
    _out(Out.VERIFY_REQUEST, "verifyRequest"),
    _out(Out.VERIFY_MESSAGE, "verifyMessage"),
    _out(
        Out.QUERY_DISPLAY_GROUPS, "queryDisplayGroups", ids=Ids.ALLOCATES, end=In.DISPLAY_GROUP_LIST
    ),
    _out(Out.SUBSCRIBE_TO_GROUP_EVENTS, "subscribeToGroupEvents", ids=Ids.ALLOCATES),
    _out(Out.UPDATE_DISPLAY_GROUP, "updateDisplayGroup", ids=Ids.REFERENCES),
    _out(Out.UNSUBSCRIBE_FROM_GROUP_EVENTS, "unsubscribeFromGroupEvents", ids=Ids.REFERENCES),
    _out(Out.START_API, "startApi", method=""),
    _out(Out.VERIFY_AND_AUTH_REQUEST, "verifyAndAuthRequest"),
    _out(Out.VERIFY_AND_AUTH_MESSAGE, "verifyAndAuthMessage"),
    _out(
        Out.REQ_POSITIONS_MULTI,
        "reqPositionsMulti",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_POSITIONS_MULTI,
        stream=_always,
        end=In.POSITION_MULTI_END,
    ),
    _out(
        Out.CANCEL_POSITIONS_MULTI,
        "cancelPositionsMulti",
        ids=Ids.REFERENCES,
        pacing=Pacing.PRIORITY,
    ),
    _out(
        Out.REQ_ACCOUNT_UPDATES_MULTI,
        "reqAccountUpdatesMulti",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_ACCOUNT_UPDATES_MULTI,
        stream=_always,
        end=In.ACCOUNT_UPDATE_MULTI_END,
    ),
    _out(
        Out.CANCEL_ACCOUNT_UPDATES_MULTI,
        "cancelAccountUpdatesMulti",
        ids=Ids.REFERENCES,
        pacing=Pacing.PRIORITY,
    ),
    _out(
        Out.REQ_SEC_DEF_OPT_PARAMS,
        "reqSecDefOptParams",
        ids=Ids.ALLOCATES,
        end=In.SECURITY_DEFINITION_OPTION_PARAMETER_END,
    ),
    _out(
        Out.REQ_SOFT_DOLLAR_TIERS, "reqSoftDollarTiers", ids=Ids.ALLOCATES, end=In.SOFT_DOLLAR_TIERS
    ),
    _out(Out.REQ_FAMILY_CODES, "reqFamilyCodes", end=In.FAMILY_CODES, key=FAMILY_CODES),
    _out(Out.REQ_MATCHING_SYMBOLS, "reqMatchingSymbols", ids=Ids.ALLOCATES, end=In.SYMBOL_SAMPLES),
    _out(
        Out.REQ_MKT_DEPTH_EXCHANGES,
        "reqMktDepthExchanges",
        end=In.MKT_DEPTH_EXCHANGES,
        key=MKT_DEPTH_EXCHANGES,
    ),
    _out(
        Out.REQ_SMART_COMPONENTS, "reqSmartComponents", ids=Ids.ALLOCATES, end=In.SMART_COMPONENTS
    ),
    _out(Out.REQ_NEWS_ARTICLE, "reqNewsArticle", ids=Ids.ALLOCATES, end=In.NEWS_ARTICLE),
    _out(Out.REQ_NEWS_PROVIDERS, "reqNewsProviders", end=In.NEWS_PROVIDERS, key=NEWS_PROVIDERS),
    _out(
        Out.REQ_HISTORICAL_NEWS, "reqHistoricalNews", ids=Ids.ALLOCATES, end=In.HISTORICAL_NEWS_END
    ),
    _out(
        Out.REQ_HEAD_TIMESTAMP,
        "reqHeadTimeStamp",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_HEAD_TIMESTAMP,
        end=In.HEAD_TIMESTAMP,
        pacing=Pacing.HISTORICAL,
    ),
    _out(
        Out.REQ_HISTOGRAM_DATA,
        "reqHistogramData",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_HISTOGRAM_DATA,
        end=In.HISTOGRAM_DATA,
        pacing=Pacing.HISTORICAL,
    ),
    _out(
        Out.CANCEL_HISTOGRAM_DATA, "cancelHistogramData", ids=Ids.REFERENCES, pacing=Pacing.PRIORITY
    ),
    _out(
        Out.CANCEL_HEAD_TIMESTAMP, "cancelHeadTimeStamp", ids=Ids.REFERENCES, pacing=Pacing.PRIORITY
    ),
    _out(Out.REQ_MARKET_RULE, "reqMarketRule", end=In.MARKET_RULE),
    _out(Out.REQ_PNL, "reqPnL", ids=Ids.ALLOCATES, cancel=Out.CANCEL_PNL, stream=_always),
    _out(Out.CANCEL_PNL, "cancelPnL", ids=Ids.REFERENCES, pacing=Pacing.PRIORITY),
    _out(
        Out.REQ_PNL_SINGLE,
        "reqPnLSingle",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_PNL_SINGLE,
        stream=_always,
    ),
    _out(Out.CANCEL_PNL_SINGLE, "cancelPnLSingle", ids=Ids.REFERENCES, pacing=Pacing.PRIORITY),
    _out(
        Out.REQ_HISTORICAL_TICKS,
        "reqHistoricalTicks",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_HISTORICAL_TICKS,
        pacing=Pacing.HISTORICAL,
    ),
    _out(
        Out.REQ_TICK_BY_TICK_DATA,
        "reqTickByTickData",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_TICK_BY_TICK_DATA,
        stream=_always,
        pacing=Pacing.TICK_BY_TICK,
    ),
    _out(
        Out.CANCEL_TICK_BY_TICK_DATA,
        "cancelTickByTickData",
        ids=Ids.REFERENCES,
        pacing=Pacing.PRIORITY,
    ),
    _out(
        Out.REQ_COMPLETED_ORDERS,
        "reqCompletedOrders",
        end=In.COMPLETED_ORDERS_END,
        key=COMPLETED_ORDERS,
    ),
    _out(
        Out.REQ_WSH_META_DATA,
        "reqWshMetaData",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_WSH_META_DATA,
        end=In.WSH_META_DATA,
    ),
    _out(Out.CANCEL_WSH_META_DATA, "cancelWshMetaData", ids=Ids.REFERENCES, pacing=Pacing.PRIORITY),
    _out(
        Out.REQ_WSH_EVENT_DATA,
        "reqWshEventData",
        ids=Ids.ALLOCATES,
        cancel=Out.CANCEL_WSH_EVENT_DATA,
        end=In.WSH_EVENT_DATA,
    ),
    _out(
        Out.CANCEL_WSH_EVENT_DATA, "cancelWshEventData", ids=Ids.REFERENCES, pacing=Pacing.PRIORITY
    ),
    _out(Out.REQ_USER_INFO, "reqUserInfo", ids=Ids.ALLOCATES, end=In.USER_INFO),
    _out(Out.REQ_CURRENT_TIME_IN_MILLIS, "reqCurrentTimeInMillis", end=In.CURRENT_TIME_IN_MILLIS),
    _out(
        Out.CANCEL_CONTRACT_DATA, "cancelContractData", ids=Ids.REFERENCES, pacing=Pacing.PRIORITY
    ),
    _out(
        Out.CANCEL_HISTORICAL_TICKS,
        "cancelHistoricalTicks",
        ids=Ids.REFERENCES,
        pacing=Pacing.PRIORITY,
    ),
    _out(Out.REQ_CONFIG, "reqConfig", ids=Ids.ALLOCATES, end=In.CONFIG_RESPONSE),
    _out(Out.UPDATE_CONFIG, "updateConfig", ids=Ids.ALLOCATES, end=In.UPDATE_CONFIG_RESPONSE),
)

_ANSWER_ROWS: Final = (
    _in(In.TICK_PRICE, "tickPrice", by="req_id"),
    _in(In.TICK_SIZE, "tickSize", by="req_id"),
    _in(In.ORDER_STATUS, "orderStatus"),
    _in(In.ERR_MSG, "error", by="req_id"),
    _in(In.OPEN_ORDER, "openOrder", by="order_id", key=OPEN_ORDERS),
    _in(In.ACCT_VALUE, "updateAccountValue", key=ACCOUNT_UPDATES),
    _in(In.PORTFOLIO_VALUE, "updatePortfolio", key=ACCOUNT_UPDATES),
    _in(In.ACCT_UPDATE_TIME, "updateAccountTime", key=ACCOUNT_UPDATES),
    _in(In.NEXT_VALID_ID, "nextValidId"),
    _in(In.CONTRACT_DATA, "contractDetails", by="req_id"),
    _in(In.EXECUTION_DATA, "execDetails", by="req_id"),
    _in(In.MARKET_DEPTH, "updateMktDepth", by="req_id"),
    _in(In.MARKET_DEPTH_L2, "updateMktDepthL2", by="req_id"),
    _in(In.NEWS_BULLETINS, "updateNewsBulletin", key=NEWS_BULLETINS),
    _in(In.MANAGED_ACCTS, "managedAccounts"),
    _in(In.RECEIVE_FA, "receiveFA"),
    _in(In.HISTORICAL_DATA, "historicalData", by="req_id"),
    _in(In.BOND_CONTRACT_DATA, "bondContractDetails", by="req_id"),
    _in(In.SCANNER_PARAMETERS, "scannerParameters", key=SCANNER_PARAMETERS),
    _in(In.SCANNER_DATA, "scannerData", by="req_id"),
    _in(In.TICK_OPTION_COMPUTATION, "tickOptionComputation", by="req_id"),
    _in(In.TICK_GENERIC, "tickGeneric", by="req_id"),
    _in(In.TICK_STRING, "tickString", by="req_id"),
    _in(In.TICK_EFP, "tickEFP", by="req_id"),
    _in(In.CURRENT_TIME, "currentTime", key=CURRENT_TIME),
    _in(In.REAL_TIME_BARS, "realtimeBar", by="req_id"),
    _in(In.FUNDAMENTAL_DATA, "fundamentalData", by="req_id"),
    _in(In.CONTRACT_DATA_END, "contractDetailsEnd", by="req_id"),
    _in(In.OPEN_ORDER_END, "openOrderEnd", key=OPEN_ORDERS),
    _in(In.ACCT_DOWNLOAD_END, "accountDownloadEnd", key=ACCOUNT_UPDATES),
    _in(In.EXECUTION_DATA_END, "execDetailsEnd", by="req_id"),
    _in(In.DELTA_NEUTRAL_VALIDATION, "deltaNeutralValidation", by="req_id"),
    _in(In.TICK_SNAPSHOT_END, "tickSnapshotEnd", by="req_id"),
    _in(In.MARKET_DATA_TYPE, "marketDataType", by="req_id"),
    _in(In.COMMISSION_AND_FEES_REPORT, "commissionAndFeesReport"),
    _in(In.POSITION_DATA, "position", key=POSITIONS),
    _in(In.POSITION_END, "positionEnd", key=POSITIONS),
    _in(In.ACCOUNT_SUMMARY, "accountSummary", by="req_id"),
    _in(In.ACCOUNT_SUMMARY_END, "accountSummaryEnd", by="req_id"),
    _in(In.VERIFY_MESSAGE_API, "verifyMessageAPI"),
    _in(In.VERIFY_COMPLETED, "verifyCompleted"),
    _in(In.DISPLAY_GROUP_LIST, "displayGroupList", by="req_id"),
    _in(In.DISPLAY_GROUP_UPDATED, "displayGroupUpdated", by="req_id"),
    _in(In.VERIFY_AND_AUTH_MESSAGE_API, "verifyAndAuthMessageAPI"),
    _in(In.VERIFY_AND_AUTH_COMPLETED, "verifyAndAuthCompleted"),
    _in(In.POSITION_MULTI, "positionMulti", by="req_id"),
    _in(In.POSITION_MULTI_END, "positionMultiEnd", by="req_id"),
    _in(In.ACCOUNT_UPDATE_MULTI, "accountUpdateMulti", by="req_id"),
    _in(In.ACCOUNT_UPDATE_MULTI_END, "accountUpdateMultiEnd", by="req_id"),
    _in(In.SECURITY_DEFINITION_OPTION_PARAMETER, "securityDefinitionOptionParameter", by="req_id"),
    _in(
        In.SECURITY_DEFINITION_OPTION_PARAMETER_END,
        "securityDefinitionOptionParameterEnd",
        by="req_id",
    ),
    _in(In.SOFT_DOLLAR_TIERS, "softDollarTiers", by="req_id"),
    _in(In.FAMILY_CODES, "familyCodes", key=FAMILY_CODES),
    _in(In.SYMBOL_SAMPLES, "symbolSamples", by="req_id"),
    _in(In.MKT_DEPTH_EXCHANGES, "mktDepthExchanges", key=MKT_DEPTH_EXCHANGES),
    _in(In.TICK_REQ_PARAMS, "tickReqParams", by="req_id"),
    _in(In.SMART_COMPONENTS, "smartComponents", by="req_id"),
    _in(In.NEWS_ARTICLE, "newsArticle", by="request_id"),
    _in(In.TICK_NEWS, "tickNews"),
    _in(In.NEWS_PROVIDERS, "newsProviders", key=NEWS_PROVIDERS),
    _in(In.HISTORICAL_NEWS, "historicalNews", by="request_id"),
    _in(In.HISTORICAL_NEWS_END, "historicalNewsEnd", by="request_id"),
    _in(In.HEAD_TIMESTAMP, "headTimestamp", by="req_id"),
    _in(In.HISTOGRAM_DATA, "histogramData", by="req_id"),
    _in(In.HISTORICAL_DATA_UPDATE, "historicalDataUpdate", by="req_id"),
    _in(In.REROUTE_MKT_DATA_REQ, "rerouteMktDataReq", by="req_id"),
    _in(In.REROUTE_MKT_DEPTH_REQ, "rerouteMktDepthReq", by="req_id"),
    _in(In.MARKET_RULE, "marketRule", by="market_rule_id"),
    _in(In.PNL, "pnl", by="req_id"),
    _in(In.PNL_SINGLE, "pnlSingle", by="req_id"),
    _in(In.HISTORICAL_TICKS, "historicalTicks", by="req_id"),
    _in(In.HISTORICAL_TICKS_BID_ASK, "historicalTicksBidAsk", by="req_id"),
    _in(In.HISTORICAL_TICKS_LAST, "historicalTicksLast", by="req_id"),
    _in(In.TICK_BY_TICK, "tickByTickAllLast", callback="tick_by_tick", by="req_id"),
    _in(In.ORDER_BOUND, "orderBound"),
    _in(In.COMPLETED_ORDER, "completedOrder", key=COMPLETED_ORDERS),
    _in(In.COMPLETED_ORDERS_END, "completedOrdersEnd", key=COMPLETED_ORDERS),
    _in(In.REPLACE_FA_END, "replaceFAEnd", by="req_id"),
    _in(In.WSH_META_DATA, "wshMetaData", by="req_id"),
    _in(In.WSH_EVENT_DATA, "wshEventData", by="req_id"),
    _in(In.HISTORICAL_SCHEDULE, "historicalSchedule", by="req_id"),
    _in(In.USER_INFO, "userInfo", by="req_id"),
    _in(In.HISTORICAL_DATA_END, "historicalDataEnd", by="req_id"),
    _in(In.CURRENT_TIME_IN_MILLIS, "currentTimeInMillis"),
    _in(In.CONFIG_RESPONSE, "configResponse", by="req_id"),
    _in(In.UPDATE_CONFIG_RESPONSE, "updateConfigResponse", by="req_id"),
)

#: Outgoing id -> its row.
REQUESTS: Final[Mapping[OutgoingId, RequestRow]] = MappingProxyType(
    {row.msg_id: row for row in _REQUEST_ROWS}
)
#: Incoming id -> its row.
ANSWERS: Final[Mapping[IncomingId, AnswerRow]] = MappingProxyType(
    {row.msg_id: row for row in _ANSWER_ROWS}
)
#: Outgoing id -> its pacing class (what the pacer classifies by).
PACING_CLASSES: Final[Mapping[OutgoingId, Pacing]] = MappingProxyType(
    {row.msg_id: row.pacing for row in _REQUEST_ROWS}
)


def request(msg_id: int) -> RequestRow:
    """The row of an outgoing id.

    Raises:
        KeyError: not an outgoing id.
    """
    return REQUESTS[OutgoingId(msg_id)]


def answer(msg_id: int) -> AnswerRow:
    """The row of an incoming id.

    Raises:
        KeyError: not an incoming id.
    """
    return ANSWERS[IncomingId(msg_id)]
