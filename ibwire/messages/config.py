"""The Gateway's API configuration: read it (server 219+) and change it (221+).

These four messages exist only in protobuf form (``REQ_CONFIG`` 108 ->
``CONFIG_RESPONSE`` 110, ``UPDATE_CONFIG`` 109 -> ``UPDATE_CONFIG_RESPONSE``
111); below their server version, sending one raises
:class:`~ibwire.errors.UnsupportedByServerError`.  The official client takes and
hands over the protobuf objects themselves (``reqConfigProtoBuf``,
``configResponseProtoBuf``); here each protobuf message is a frozen dataclass
whose fields are the snake_case of IB's, ``None`` when unset.
"""

from __future__ import annotations

from ..ids import IncomingId, OutgoingId
from ..versions import ServerVersion as SV
from ._base import Message, dataclass, message

__all__ = [
    "ApiConfig",
    "ApiPrecautionsConfig",
    "ApiSettingsConfig",
    "ConfigResponse",
    "LockAndExitConfig",
    "MessageConfig",
    "OrdersConfig",
    "OrdersSmartRoutingConfig",
    "ReqConfig",
    "UpdateConfig",
    "UpdateConfigResponse",
    "UpdateConfigWarning",
]


# ------------------------------------------------------------------ domain objects


@dataclass(frozen=True, slots=True, kw_only=True)
class LockAndExitConfig:
    """The protobuf ``LockAndExitConfig`` (server 219+); every field ``None`` when unset."""

    auto_logoff_time: str | None = None
    auto_logoff_period: str | None = None
    auto_logoff_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageConfig:
    """The protobuf ``MessageConfig`` (server 219+); every field ``None`` when unset."""

    id: int | None = None
    title: str | None = None
    message: str | None = None
    default_action: str | None = None
    enabled: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiPrecautionsConfig:
    """The protobuf ``ApiPrecautionsConfig`` (server 219+); every field ``None`` when unset."""

    bypass_order_precautions: bool | None = None
    bypass_bond_warning: bool | None = None
    bypass_negative_yield_confirmation: bool | None = None
    bypass_called_bond_warning: bool | None = None
    bypass_same_action_pair_trade_warning: bool | None = None
    bypass_flagged_accounts_warning: bool | None = None
    bypass_price_based_volatility_warning: bool | None = None
    bypass_redirect_order_warning: bool | None = None
    bypass_no_overfill_protection: bool | None = None
    bypass_route_marketable_to_bbo: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiSettingsConfig:
    """The protobuf ``ApiSettingsConfig`` (server 219+); every field ``None`` when unset."""

    read_only_api: bool | None = None
    total_quantity_for_mutual_funds: bool | None = None
    download_open_orders_on_connection: bool | None = None
    include_virtual_fx_positions: bool | None = None
    prepare_daily_pnl: bool | None = None
    send_status_updates_for_volatility_orders: bool | None = None
    encode_api_messages: str | None = None
    socket_port: int | None = None
    use_negative_auto_range: bool | None = None
    create_api_message_log_file: bool | None = None
    include_market_data_in_log_file: bool | None = None
    expose_trading_schedule_to_api: bool | None = None
    split_insured_deposit_from_cash_balance: bool | None = None
    send_zero_positions_for_today_only: bool | None = None
    let_api_account_requests_switch_subscription: bool | None = None
    use_account_groups_with_allocation_methods: bool | None = None
    logging_level: str | None = None
    master_client_id: int | None = None
    bulk_data_timeout: int | None = None
    component_exch_separator: str | None = None
    show_forex_data_in_1_10_pips: bool | None = None
    allow_forex_trading_in_1_10_pips: bool | None = None
    round_account_values_to_nearest_whole_number: bool | None = None
    send_market_data_in_lots_for_us_stocks: bool | None = None
    show_advanced_order_reject_in_ui: bool | None = None
    reject_messages_above_max_rate: bool | None = None
    maintain_connection_on_incorrect_fields: bool | None = None
    compatibility_mode_nasdaq_stocks: bool | None = None
    send_instrument_timezone: str | None = None
    send_forex_data_in_compatibility_mode: bool | None = None
    maintain_and_resubmit_orders_on_reconnect: bool | None = None
    historical_data_max_size: int | None = None
    auto_report_netting_event_contract_trades: bool | None = None
    option_exercise_request_type: str | None = None
    allow_localhost_only: bool | None = None
    trusted_ips: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiConfig:
    """The protobuf ``ApiConfig`` (server 219+); every field ``None`` when unset."""

    precautions: ApiPrecautionsConfig | None = None
    settings: ApiSettingsConfig | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrdersSmartRoutingConfig:
    """The protobuf ``OrdersSmartRoutingConfig`` (server 219+); every field ``None`` when unset."""

    seek_price_improvement: bool | None = None
    pre_open_reroute: bool | None = None
    do_not_route_to_dark_pools: bool | None = None
    default_algorithm: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrdersConfig:
    """The protobuf ``OrdersConfig`` (server 219+); every field ``None`` when unset."""

    smart_routing: OrdersSmartRoutingConfig | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateConfigWarning:
    """The protobuf ``UpdateConfigWarning`` (server 219+); every field ``None`` when unset."""

    message_id: int | None = None
    title: str | None = None
    message: str | None = None


# ------------------------------------------------------------------ requests


@message(OutgoingId.REQ_CONFIG, min_version=SV.CONFIG)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqConfig(Message):
    """``REQ_CONFIG`` (108), EClient ``reqConfigProtoBuf`` (server 219+).

    Protobuf ``ConfigRequest``; answered by :class:`ConfigResponse`.

    Attributes:
        req_id: the request id the answer will carry.
    """

    req_id: int


@message(OutgoingId.UPDATE_CONFIG, min_version=SV.UPDATE_CONFIG)
@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateConfig(Message):
    """``UPDATE_CONFIG`` (109), EClient ``updateConfigProtoBuf`` (server 221+).

    Protobuf ``UpdateConfigRequest``; answered by :class:`UpdateConfigResponse`.

    Only the parts that are set are sent; TWS leaves the others as they are.

    Attributes:
        req_id: the request id the answer will carry.
        lock_and_exit: auto-logoff settings.
        messages: message (warning dialog) settings.
        api: API precautions and settings.
        orders: order settings.
        accepted_warnings: the warnings of an earlier answer that the change accepts.
        reset_api_order_sequence: reset the API order id sequence.
    """

    req_id: int
    lock_and_exit: LockAndExitConfig | None = None
    messages: tuple[MessageConfig, ...] = ()
    api: ApiConfig | None = None
    orders: OrdersConfig | None = None
    accepted_warnings: tuple[UpdateConfigWarning, ...] = ()
    reset_api_order_sequence: bool | None = None


# ------------------------------------------------------------------ incoming


@message(IncomingId.CONFIG_RESPONSE, min_version=SV.CONFIG)
@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigResponse(Message):
    """``CONFIG_RESPONSE`` (110), EWrapper ``configResponseProtoBuf`` (server 219+).

    The Gateway's configuration (protobuf ``ConfigResponse``).

    Attributes:
        req_id: the :class:`ReqConfig` request id (-1 when absent).
        lock_and_exit: auto-logoff settings.
        messages: message (warning dialog) settings.
        api: API precautions and settings.
        orders: order settings.
    """

    req_id: int
    lock_and_exit: LockAndExitConfig | None = None
    messages: tuple[MessageConfig, ...] = ()
    api: ApiConfig | None = None
    orders: OrdersConfig | None = None


@message(IncomingId.UPDATE_CONFIG_RESPONSE, min_version=SV.UPDATE_CONFIG)
@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateConfigResponse(Message):
    """``UPDATE_CONFIG_RESPONSE`` (111), EWrapper ``updateConfigResponseProtoBuf`` (221+).

    The outcome of :class:`UpdateConfig` (protobuf ``UpdateConfigResponse``).

    Attributes:
        req_id: the :class:`UpdateConfig` request id (-1 when absent).
        status: the outcome, as TWS words it.
        message: TWS's explanation.
        changed_fields: the settings that changed.
        errors: why settings could not change.
        warnings: warnings to accept (send them back in
            :attr:`UpdateConfig.accepted_warnings`).
    """

    req_id: int
    status: str | None = None
    message: str | None = None
    changed_fields: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    warnings: tuple[UpdateConfigWarning, ...] = ()
