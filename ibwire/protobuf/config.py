"""The Gateway's API configuration in protobuf form: ``ConfigRequest`` ->
``ConfigResponse`` (server version 219, ``CONFIG``) and ``UpdateConfigRequest``
-> ``UpdateConfigResponse`` (221, ``UPDATE_CONFIG``).  Protobuf only.

The official client sends the protobuf objects its user builds, so every field
of ours that is not ``None`` is written, and every absent field reads as
``None`` (an absent ``reqId`` as -1, ``NO_VALID_ID``).
"""

from __future__ import annotations

from typing import Final

from ..messages.config import (
    ApiConfig,
    ApiPrecautionsConfig,
    ApiSettingsConfig,
    ConfigResponse,
    LockAndExitConfig,
    MessageConfig,
    OrdersConfig,
    OrdersSmartRoutingConfig,
    ReqConfig,
    UpdateConfig,
    UpdateConfigResponse,
    UpdateConfigWarning,
)
from ..versions import ServerVersion
from .forms import mapped, register
from .mapper import Conv, Link, ObjectMap

__all__ = ["API_CONFIG", "CONFIG_RESPONSE", "UPDATE_CONFIG", "UPDATE_CONFIG_RESPONSE"]

#: ``NO_VALID_ID``: the request id of an answer that carries none.
NO_VALID_ID: Final = -1

LOCK_AND_EXIT_CONFIG: Final = ObjectMap(LockAndExitConfig, [
    Link("autoLogoffTime", "auto_logoff_time"),
    Link("autoLogoffPeriod", "auto_logoff_period"),
    Link("autoLogoffType", "auto_logoff_type"),
])  # fmt: skip

MESSAGE_CONFIG: Final = ObjectMap(MessageConfig, [
    Link("id", "id"),
    Link("title", "title"),
    Link("message", "message"),
    Link("defaultAction", "default_action"),
    Link("enabled", "enabled"),
])  # fmt: skip

API_PRECAUTIONS_CONFIG: Final = ObjectMap(ApiPrecautionsConfig, [
    Link("bypassOrderPrecautions", "bypass_order_precautions"),
    Link("bypassBondWarning", "bypass_bond_warning"),
    Link("bypassNegativeYieldConfirmation", "bypass_negative_yield_confirmation"),
    Link("bypassCalledBondWarning", "bypass_called_bond_warning"),
    Link("bypassSameActionPairTradeWarning", "bypass_same_action_pair_trade_warning"),
    Link("bypassFlaggedAccountsWarning", "bypass_flagged_accounts_warning"),
    Link("bypassPriceBasedVolatilityWarning", "bypass_price_based_volatility_warning"),
    Link("bypassRedirectOrderWarning", "bypass_redirect_order_warning"),
    Link("bypassNoOverfillProtection", "bypass_no_overfill_protection"),
    Link("bypassRouteMarketableToBBO", "bypass_route_marketable_to_bbo"),
])  # fmt: skip

API_SETTINGS_CONFIG: Final = ObjectMap(ApiSettingsConfig, [
    Link("readOnlyApi", "read_only_api"),
    Link("totalQuantityForMutualFunds", "total_quantity_for_mutual_funds"),
    Link("downloadOpenOrdersOnConnection", "download_open_orders_on_connection"),
    Link("includeVirtualFxPositions", "include_virtual_fx_positions"),
    Link("prepareDailyPnL", "prepare_daily_pnl"),
    Link("sendStatusUpdatesForVolatilityOrders", "send_status_updates_for_volatility_orders"),
    Link("encodeApiMessages", "encode_api_messages"),
    Link("socketPort", "socket_port"),
    Link("useNegativeAutoRange", "use_negative_auto_range"),
    Link("createApiMessageLogFile", "create_api_message_log_file"),
    Link("includeMarketDataInLogFile", "include_market_data_in_log_file"),
    Link("exposeTradingScheduleToApi", "expose_trading_schedule_to_api"),
    Link("splitInsuredDepositFromCashBalance", "split_insured_deposit_from_cash_balance"),
    Link("sendZeroPositionsForTodayOnly", "send_zero_positions_for_today_only"),
    Link("letApiAccountRequestsSwitchSubscription", "let_api_account_requests_switch_subscription"),
    Link("useAccountGroupsWithAllocationMethods", "use_account_groups_with_allocation_methods"),
    Link("loggingLevel", "logging_level"),
    Link("masterClientId", "master_client_id"),
    Link("bulkDataTimeout", "bulk_data_timeout"),
    Link("componentExchSeparator", "component_exch_separator"),
    Link("showForexDataIn1_10Pips", "show_forex_data_in_1_10_pips"),
    Link("allowForexTradingIn1_10Pips", "allow_forex_trading_in_1_10_pips"),
    Link("roundAccountValuesToNearestWholeNumber", "round_account_values_to_nearest_whole_number"),
    Link("sendMarketDataInLotsForUsStocks", "send_market_data_in_lots_for_us_stocks"),
    Link("showAdvancedOrderRejectInUi", "show_advanced_order_reject_in_ui"),
    Link("rejectMessagesAboveMaxRate", "reject_messages_above_max_rate"),
    Link("maintainConnectionOnIncorrectFields", "maintain_connection_on_incorrect_fields"),
    Link("compatibilityModeNasdaqStocks", "compatibility_mode_nasdaq_stocks"),
    Link("sendInstrumentTimezone", "send_instrument_timezone"),
    Link("sendForexDataInCompatibilityMode", "send_forex_data_in_compatibility_mode"),
    Link("maintainAndResubmitOrdersOnReconnect", "maintain_and_resubmit_orders_on_reconnect"),
    Link("historicalDataMaxSize", "historical_data_max_size"),
    Link("autoReportNettingEventContractTrades", "auto_report_netting_event_contract_trades"),
    Link("optionExerciseRequestType", "option_exercise_request_type"),
    Link("allowLocalhostOnly", "allow_localhost_only"),
    Link("trustedIPs", "trusted_ips", Conv.TUPLE),
])  # fmt: skip

API_CONFIG: Final = ObjectMap(ApiConfig, [
    Link("precautions", "precautions", Conv.OBJECT, API_PRECAUTIONS_CONFIG),
    Link("settings", "settings", Conv.OBJECT, API_SETTINGS_CONFIG),
])  # fmt: skip

ORDERS_SMART_ROUTING_CONFIG: Final = ObjectMap(OrdersSmartRoutingConfig, [
    Link("seekPriceImprovement", "seek_price_improvement"),
    Link("preOpenReroute", "pre_open_reroute"),
    Link("doNotRouteToDarkPools", "do_not_route_to_dark_pools"),
    Link("defaultAlgorithm", "default_algorithm"),
])  # fmt: skip

ORDERS_CONFIG: Final = ObjectMap(OrdersConfig, [
    Link("smartRouting", "smart_routing", Conv.OBJECT, ORDERS_SMART_ROUTING_CONFIG),
])  # fmt: skip

UPDATE_CONFIG_WARNING: Final = ObjectMap(UpdateConfigWarning, [
    Link("messageId", "message_id"),
    Link("title", "title"),
    Link("message", "message"),
])  # fmt: skip

CONFIG_RESPONSE: Final = ObjectMap(ConfigResponse, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("lockAndExit", "lock_and_exit", Conv.OBJECT, LOCK_AND_EXIT_CONFIG),
    Link("messages", "messages", Conv.OBJECTS, MESSAGE_CONFIG),
    Link("api", "api", Conv.OBJECT, API_CONFIG),
    Link("orders", "orders", Conv.OBJECT, ORDERS_CONFIG),
])  # fmt: skip

UPDATE_CONFIG: Final = ObjectMap(UpdateConfig, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("lockAndExit", "lock_and_exit", Conv.OBJECT, LOCK_AND_EXIT_CONFIG),
    Link("messages", "messages", Conv.OBJECTS, MESSAGE_CONFIG),
    Link("api", "api", Conv.OBJECT, API_CONFIG),
    Link("orders", "orders", Conv.OBJECT, ORDERS_CONFIG),
    Link("acceptedWarnings", "accepted_warnings", Conv.OBJECTS, UPDATE_CONFIG_WARNING),
    Link("resetAPIOrderSequence", "reset_api_order_sequence"),
])  # fmt: skip

UPDATE_CONFIG_RESPONSE: Final = ObjectMap(UpdateConfigResponse, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("status", "status"),
    Link("message", "message"),
    Link("changedFields", "changed_fields", Conv.TUPLE),
    Link("errors", "errors", Conv.TUPLE),
    Link("warnings", "warnings", Conv.OBJECTS, UPDATE_CONFIG_WARNING),
])  # fmt: skip

REQ_CONFIG: Final = ObjectMap(ReqConfig, [Link("reqId", "req_id", missing=NO_VALID_ID)])

register(
    mapped(ReqConfig, "ConfigRequest", ServerVersion.CONFIG, REQ_CONFIG, incoming=False),
    mapped(ConfigResponse, "ConfigResponse", ServerVersion.CONFIG, CONFIG_RESPONSE, incoming=True),
    mapped(UpdateConfig, "UpdateConfigRequest", ServerVersion.UPDATE_CONFIG, UPDATE_CONFIG, incoming=False),
    mapped(
        UpdateConfigResponse,
        "UpdateConfigResponse",
        ServerVersion.UPDATE_CONFIG,
        UPDATE_CONFIG_RESPONSE,
        incoming=True,
    ),
)
