"""Message -> :class:`~ibwire.wrapper.Wrapper` callback, and what happens when a callback raises.

The tables:

* :data:`CALLBACK_NAMES` - every incoming wire id of the text protocol (1..109)
  -> the snake_case of the official EWrapper callback, written out by hand;
* :data:`CALLBACKS` - message (and client event) class -> callback name, built
  from the codec registry and :data:`CALLBACK_NAMES`;
* :data:`REQUEST_METHOD_NAMES` / :data:`REQUEST_METHODS` - the same for outgoing
  messages and the clients' request methods (snake_case of the EClient name).

**The policy for exceptions raised inside user callbacks** (one rule, for both
front ends): the exception is caught, logged at ``ERROR`` on the ``ibwire``
logger with the callback's name and the message that was being delivered (and
the traceback), then passed to the optional ``on_callback_error(exc, event)``
hook.  It never propagates into the client: the reader goes on with the next
message, no request is failed because of it, and the connection stays up.  An
exception raised by the hook itself is logged the same way and dropped.  Only
``BaseException`` that is not an ``Exception`` (``KeyboardInterrupt``,
``SystemExit``) passes through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Final, TypeAlias

from .codec import INCOMING, OUTGOING
from .events import ConnectAck, ConnectionClosed, MalformedMessage, UnknownMessage
from .ids import IncomingId, OutgoingId
from .pacing import (
    BackoffEnded,
    BackoffStarted,
    MessageDelayed,
    RequestWithdrawn,
    ThrottlingEnded,
    ThrottlingStarted,
)
from .wrapper import Connectivity, Reconnected, Reconnecting, Wrapper

__all__ = [
    "CALLBACKS",
    "CALLBACK_NAMES",
    "REQUEST_METHODS",
    "REQUEST_METHOD_NAMES",
    "CallbackErrorHook",
    "Dispatcher",
    "callback_name",
    "dispatch",
]

logger: Final = logging.getLogger("ibwire")

#: ``on_callback_error(exc, event)``: told about every exception a callback raised.
CallbackErrorHook: TypeAlias = Callable[[Exception, object], None]

_In = IncomingId

#: Every incoming id of the text protocol -> its Wrapper callback (the snake_case of
#: the official EWrapper name).  ``TICK_BY_TICK`` is one message class, so one
#: callback, where the official client has three (AllLast, BidAsk, MidPoint).
CALLBACK_NAMES: Final[Mapping[IncomingId, str]] = MappingProxyType(
    {
        _In.TICK_PRICE: "tick_price",
        _In.TICK_SIZE: "tick_size",
        _In.ORDER_STATUS: "order_status",
        _In.ERR_MSG: "error",
        _In.OPEN_ORDER: "open_order",
        _In.ACCT_VALUE: "update_account_value",
        _In.PORTFOLIO_VALUE: "update_portfolio",
        _In.ACCT_UPDATE_TIME: "update_account_time",
        _In.NEXT_VALID_ID: "next_valid_id",
        _In.CONTRACT_DATA: "contract_details",
        _In.EXECUTION_DATA: "exec_details",
        _In.MARKET_DEPTH: "update_mkt_depth",
        _In.MARKET_DEPTH_L2: "update_mkt_depth_l2",
        _In.NEWS_BULLETINS: "update_news_bulletin",
        _In.MANAGED_ACCTS: "managed_accounts",
        _In.RECEIVE_FA: "receive_fa",
        _In.HISTORICAL_DATA: "historical_data",
        _In.BOND_CONTRACT_DATA: "bond_contract_details",
        _In.SCANNER_PARAMETERS: "scanner_parameters",
        _In.SCANNER_DATA: "scanner_data",
        _In.TICK_OPTION_COMPUTATION: "tick_option_computation",
        _In.TICK_GENERIC: "tick_generic",
        _In.TICK_STRING: "tick_string",
        _In.TICK_EFP: "tick_efp",
        _In.CURRENT_TIME: "current_time",
        _In.REAL_TIME_BARS: "realtime_bar",
        _In.FUNDAMENTAL_DATA: "fundamental_data",
        _In.CONTRACT_DATA_END: "contract_details_end",
        _In.OPEN_ORDER_END: "open_order_end",
        _In.ACCT_DOWNLOAD_END: "account_download_end",
        _In.EXECUTION_DATA_END: "exec_details_end",
        _In.DELTA_NEUTRAL_VALIDATION: "delta_neutral_validation",
        _In.TICK_SNAPSHOT_END: "tick_snapshot_end",
        _In.MARKET_DATA_TYPE: "market_data_type",
        _In.COMMISSION_AND_FEES_REPORT: "commission_and_fees_report",
        _In.POSITION_DATA: "position",
        _In.POSITION_END: "position_end",
        _In.ACCOUNT_SUMMARY: "account_summary",
        _In.ACCOUNT_SUMMARY_END: "account_summary_end",
        _In.VERIFY_MESSAGE_API: "verify_message_api",
        _In.VERIFY_COMPLETED: "verify_completed",
        _In.DISPLAY_GROUP_LIST: "display_group_list",
        _In.DISPLAY_GROUP_UPDATED: "display_group_updated",
        _In.VERIFY_AND_AUTH_MESSAGE_API: "verify_and_auth_message_api",
        _In.VERIFY_AND_AUTH_COMPLETED: "verify_and_auth_completed",
        _In.POSITION_MULTI: "position_multi",
        _In.POSITION_MULTI_END: "position_multi_end",
        _In.ACCOUNT_UPDATE_MULTI: "account_update_multi",
        _In.ACCOUNT_UPDATE_MULTI_END: "account_update_multi_end",
        _In.SECURITY_DEFINITION_OPTION_PARAMETER: "security_definition_option_parameter",
        _In.SECURITY_DEFINITION_OPTION_PARAMETER_END: "security_definition_option_parameter_end",
        _In.SOFT_DOLLAR_TIERS: "soft_dollar_tiers",
        _In.FAMILY_CODES: "family_codes",
        _In.SYMBOL_SAMPLES: "symbol_samples",
        _In.MKT_DEPTH_EXCHANGES: "mkt_depth_exchanges",
        _In.TICK_REQ_PARAMS: "tick_req_params",
        _In.SMART_COMPONENTS: "smart_components",
        _In.NEWS_ARTICLE: "news_article",
        _In.TICK_NEWS: "tick_news",
        _In.NEWS_PROVIDERS: "news_providers",
        _In.HISTORICAL_NEWS: "historical_news",
        _In.HISTORICAL_NEWS_END: "historical_news_end",
        _In.HEAD_TIMESTAMP: "head_timestamp",
        _In.HISTOGRAM_DATA: "histogram_data",
        _In.HISTORICAL_DATA_UPDATE: "historical_data_update",
        _In.REROUTE_MKT_DATA_REQ: "reroute_mkt_data_req",
        _In.REROUTE_MKT_DEPTH_REQ: "reroute_mkt_depth_req",
        _In.MARKET_RULE: "market_rule",
        _In.PNL: "pnl",
        _In.PNL_SINGLE: "pnl_single",
        _In.HISTORICAL_TICKS: "historical_ticks",
        _In.HISTORICAL_TICKS_BID_ASK: "historical_ticks_bid_ask",
        _In.HISTORICAL_TICKS_LAST: "historical_ticks_last",
        _In.TICK_BY_TICK: "tick_by_tick",
        _In.ORDER_BOUND: "order_bound",
        _In.COMPLETED_ORDER: "completed_order",
        _In.COMPLETED_ORDERS_END: "completed_orders_end",
        _In.REPLACE_FA_END: "replace_fa_end",
        _In.WSH_META_DATA: "wsh_meta_data",
        _In.WSH_EVENT_DATA: "wsh_event_data",
        _In.HISTORICAL_SCHEDULE: "historical_schedule",
        _In.USER_INFO: "user_info",
        _In.HISTORICAL_DATA_END: "historical_data_end",
        _In.CURRENT_TIME_IN_MILLIS: "current_time_in_millis",
        # Protobuf only (server 219+, 221+).
        _In.CONFIG_RESPONSE: "config_response",
        _In.UPDATE_CONFIG_RESPONSE: "update_config_response",
    }
)

_Out = OutgoingId

#: Every outgoing id -> the client method that sends it (the snake_case of the
#: official EClient name; ``REQ_ACCT_DATA`` is ``reqAccountUpdates``).  ``START_API``
#: has none: the core sends it during the handshake.
REQUEST_METHOD_NAMES: Final[Mapping[OutgoingId, str]] = MappingProxyType(
    {
        _Out.REQ_MKT_DATA: "req_mkt_data",
        _Out.CANCEL_MKT_DATA: "cancel_mkt_data",
        _Out.PLACE_ORDER: "place_order",
        _Out.CANCEL_ORDER: "cancel_order",
        _Out.REQ_OPEN_ORDERS: "req_open_orders",
        _Out.REQ_ACCT_DATA: "req_account_updates",
        _Out.REQ_EXECUTIONS: "req_executions",
        _Out.REQ_IDS: "req_ids",
        _Out.REQ_CONTRACT_DATA: "req_contract_details",
        _Out.REQ_MKT_DEPTH: "req_mkt_depth",
        _Out.CANCEL_MKT_DEPTH: "cancel_mkt_depth",
        _Out.REQ_NEWS_BULLETINS: "req_news_bulletins",
        _Out.CANCEL_NEWS_BULLETINS: "cancel_news_bulletins",
        _Out.SET_SERVER_LOGLEVEL: "set_server_log_level",
        _Out.REQ_AUTO_OPEN_ORDERS: "req_auto_open_orders",
        _Out.REQ_ALL_OPEN_ORDERS: "req_all_open_orders",
        _Out.REQ_MANAGED_ACCTS: "req_managed_accts",
        _Out.REQ_FA: "request_fa",
        _Out.REPLACE_FA: "replace_fa",
        _Out.REQ_HISTORICAL_DATA: "req_historical_data",
        _Out.EXERCISE_OPTIONS: "exercise_options",
        _Out.REQ_SCANNER_SUBSCRIPTION: "req_scanner_subscription",
        _Out.CANCEL_SCANNER_SUBSCRIPTION: "cancel_scanner_subscription",
        _Out.REQ_SCANNER_PARAMETERS: "req_scanner_parameters",
        _Out.CANCEL_HISTORICAL_DATA: "cancel_historical_data",
        _Out.REQ_CURRENT_TIME: "req_current_time",
        _Out.REQ_REAL_TIME_BARS: "req_real_time_bars",
        _Out.CANCEL_REAL_TIME_BARS: "cancel_real_time_bars",
        _Out.REQ_FUNDAMENTAL_DATA: "req_fundamental_data",
        _Out.CANCEL_FUNDAMENTAL_DATA: "cancel_fundamental_data",
        _Out.REQ_CALC_IMPLIED_VOLAT: "calculate_implied_volatility",
        _Out.REQ_CALC_OPTION_PRICE: "calculate_option_price",
        _Out.CANCEL_CALC_IMPLIED_VOLAT: "cancel_calculate_implied_volatility",
        _Out.CANCEL_CALC_OPTION_PRICE: "cancel_calculate_option_price",
        _Out.REQ_GLOBAL_CANCEL: "req_global_cancel",
        _Out.REQ_MARKET_DATA_TYPE: "req_market_data_type",
        _Out.REQ_POSITIONS: "req_positions",
        _Out.REQ_ACCOUNT_SUMMARY: "req_account_summary",
        _Out.CANCEL_ACCOUNT_SUMMARY: "cancel_account_summary",
        _Out.CANCEL_POSITIONS: "cancel_positions",
        _Out.VERIFY_REQUEST: "verify_request",
        _Out.VERIFY_MESSAGE: "verify_message",
        _Out.QUERY_DISPLAY_GROUPS: "query_display_groups",
        _Out.SUBSCRIBE_TO_GROUP_EVENTS: "subscribe_to_group_events",
        _Out.UPDATE_DISPLAY_GROUP: "update_display_group",
        _Out.UNSUBSCRIBE_FROM_GROUP_EVENTS: "unsubscribe_from_group_events",
        _Out.VERIFY_AND_AUTH_REQUEST: "verify_and_auth_request",
        _Out.VERIFY_AND_AUTH_MESSAGE: "verify_and_auth_message",
        _Out.REQ_POSITIONS_MULTI: "req_positions_multi",
        _Out.CANCEL_POSITIONS_MULTI: "cancel_positions_multi",
        _Out.REQ_ACCOUNT_UPDATES_MULTI: "req_account_updates_multi",
        _Out.CANCEL_ACCOUNT_UPDATES_MULTI: "cancel_account_updates_multi",
        _Out.REQ_SEC_DEF_OPT_PARAMS: "req_sec_def_opt_params",
        _Out.REQ_SOFT_DOLLAR_TIERS: "req_soft_dollar_tiers",
        _Out.REQ_FAMILY_CODES: "req_family_codes",
        _Out.REQ_MATCHING_SYMBOLS: "req_matching_symbols",
        _Out.REQ_MKT_DEPTH_EXCHANGES: "req_mkt_depth_exchanges",
        _Out.REQ_SMART_COMPONENTS: "req_smart_components",
        _Out.REQ_NEWS_ARTICLE: "req_news_article",
        _Out.REQ_NEWS_PROVIDERS: "req_news_providers",
        _Out.REQ_HISTORICAL_NEWS: "req_historical_news",
        _Out.REQ_HEAD_TIMESTAMP: "req_head_time_stamp",
        _Out.REQ_HISTOGRAM_DATA: "req_histogram_data",
        _Out.CANCEL_HISTOGRAM_DATA: "cancel_histogram_data",
        _Out.CANCEL_HEAD_TIMESTAMP: "cancel_head_time_stamp",
        _Out.REQ_MARKET_RULE: "req_market_rule",
        _Out.REQ_PNL: "req_pnl",
        _Out.CANCEL_PNL: "cancel_pnl",
        _Out.REQ_PNL_SINGLE: "req_pnl_single",
        _Out.CANCEL_PNL_SINGLE: "cancel_pnl_single",
        _Out.REQ_HISTORICAL_TICKS: "req_historical_ticks",
        _Out.REQ_TICK_BY_TICK_DATA: "req_tick_by_tick_data",
        _Out.CANCEL_TICK_BY_TICK_DATA: "cancel_tick_by_tick_data",
        _Out.REQ_COMPLETED_ORDERS: "req_completed_orders",
        _Out.REQ_WSH_META_DATA: "req_wsh_meta_data",
        _Out.CANCEL_WSH_META_DATA: "cancel_wsh_meta_data",
        _Out.REQ_WSH_EVENT_DATA: "req_wsh_event_data",
        _Out.CANCEL_WSH_EVENT_DATA: "cancel_wsh_event_data",
        _Out.REQ_USER_INFO: "req_user_info",
        _Out.REQ_CURRENT_TIME_IN_MILLIS: "req_current_time_in_millis",
        _Out.CANCEL_CONTRACT_DATA: "cancel_contract_data",
        _Out.CANCEL_HISTORICAL_TICKS: "cancel_historical_ticks",
        _Out.REQ_CONFIG: "req_config",
        _Out.UPDATE_CONFIG: "update_config",
    }
)

# Client and core events that are not wire messages.
_EVENT_CALLBACKS: Final[Mapping[type, str]] = {
    ConnectAck: "connect_ack",
    ConnectionClosed: "connection_closed",
    MalformedMessage: "malformed_message",
    UnknownMessage: "unknown_message",
    Connectivity: "connectivity",
    Reconnecting: "reconnecting",
    Reconnected: "reconnected",
    ThrottlingStarted: "pacing",
    ThrottlingEnded: "pacing",
    MessageDelayed: "pacing",
    RequestWithdrawn: "pacing",
    BackoffStarted: "pacing",
    BackoffEnded: "pacing",
}

# Callbacks that take no argument, as in the official EWrapper.
_NO_ARGUMENT: Final = frozenset({ConnectionClosed})


def _build_callbacks() -> dict[type, str]:
    table: dict[type, str] = {}
    for msg_id, cls in INCOMING.items():
        name = CALLBACK_NAMES.get(IncomingId(msg_id))
        if name is not None:
            table[cls] = name
    table.update(_EVENT_CALLBACKS)
    return table


def _build_request_methods() -> dict[type, str]:
    table: dict[type, str] = {}
    for msg_id, cls in OUTGOING.items():
        name = REQUEST_METHOD_NAMES.get(OutgoingId(msg_id))
        if name is not None:
            table[cls] = name
    return table


#: Message or event class -> the :class:`~ibwire.wrapper.Wrapper` method it is delivered to.
CALLBACKS: Final[Mapping[type, str]] = MappingProxyType(_build_callbacks())

#: Outgoing message class -> the client method that sends it.
REQUEST_METHODS: Final[Mapping[type, str]] = MappingProxyType(_build_request_methods())


def callback_name(event: object) -> str | None:
    """The Wrapper method that receives ``event``, or ``None`` when it has none.

    Args:
        event: a decoded message, a core event or a client event.

    Returns:
        The method name.
    """
    cls = type(event)
    name = CALLBACKS.get(cls)
    if name is None:
        # A class registered after this module was imported (a plug-in message).
        msg_id = getattr(cls, "MSG_ID", None)
        if isinstance(msg_id, int) and INCOMING.get(msg_id) is cls:
            name = CALLBACK_NAMES.get(IncomingId(msg_id))
    return name


def _report(exc: Exception, event: object, name: str, hook: CallbackErrorHook | None) -> None:
    logger.error(
        "Wrapper.%s raised %s; the stream goes on. Message: %r",
        name,
        type(exc).__name__,
        event,
        exc_info=exc,
    )
    if hook is None:
        return
    try:
        hook(exc, event)
    except Exception as hook_exc:  # the hook is user code too: same rule
        logger.error("on_callback_error hook raised; ignored", exc_info=hook_exc)


def dispatch(
    event: object, wrapper: Wrapper, on_callback_error: CallbackErrorHook | None = None
) -> None:
    """Deliver one message or event to its Wrapper method, under the module's policy.

    Args:
        event: a decoded message, a core event or a client event.
        wrapper: the receiver.
        on_callback_error: told about an exception raised by the callback, after
            it is logged.
    """
    name = callback_name(event)
    if name is None:
        return
    method = getattr(wrapper, name)
    try:
        if type(event) in _NO_ARGUMENT:
            method()
        else:
            method(event)
    except Exception as exc:
        _report(exc, event, name, on_callback_error)


#: Marks a class whose callback is not looked up yet.
_UNRESOLVED: Final[tuple[str, Callable[..., object]]] = ("", print)


def _drop_argument(method: Callable[[], object]) -> Callable[[object], object]:
    def call(event: object) -> object:
        return method()

    return call


class Dispatcher:
    """Delivers messages to one wrapper, caching the bound method of each class.

    The front ends' dispatcher: the same policy as :func:`dispatch`, with one
    dictionary lookup per message.

    Args:
        wrapper: the receiver.
        on_callback_error: told about every exception a callback raised, after it
            is logged.
    """

    __slots__ = ("_methods", "on_callback_error", "wrapper")

    def __init__(
        self, wrapper: Wrapper, on_callback_error: CallbackErrorHook | None = None
    ) -> None:
        self.wrapper = wrapper
        self.on_callback_error = on_callback_error
        self._methods: dict[type, tuple[str, Callable[..., object]] | None] = {}

    def _resolve(self, cls: type, event: object) -> tuple[str, Callable[..., object]] | None:
        name = callback_name(event)
        entry: tuple[str, Callable[..., object]] | None = None
        if name is not None:
            method = getattr(self.wrapper, name)
            if cls in _NO_ARGUMENT:
                # Wrap argument-less callbacks once, so that every call site can
                # pass the event.
                method = _drop_argument(method)
            entry = (name, method)
        self._methods[cls] = entry
        return entry

    def __call__(self, event: object) -> None:
        """Deliver one message or event.

        Args:
            event: a decoded message, a core event or a client event.
        """
        self.dispatch_all((event,))

    def dispatch_all(self, events: Iterable[object]) -> None:
        """Deliver messages and events in order.

        The loop is inline (one dictionary lookup and one call per message) and
        each callback runs under the error policy of this module.

        Args:
            events: what to deliver.
        """
        methods = self._methods
        get = methods.get
        for event in events:
            cls = type(event)
            entry = get(cls, _UNRESOLVED)
            if entry is _UNRESOLVED:
                entry = self._resolve(cls, event)
            if entry is None:
                continue
            try:
                entry[1](event)
            except Exception as exc:
                _report(exc, event, entry[0], self.on_callback_error)
