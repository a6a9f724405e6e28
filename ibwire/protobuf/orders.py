"""The orders family in protobuf form (server versions 203 and 204).

=====================  ========================  ===============  =====
class                  protobuf message          direction        from
=====================  ========================  ===============  =====
PlaceOrder             PlaceOrderRequest         client -> server 203
CancelOrder            CancelOrderRequest        client -> server 203
ReqGlobalCancel        GlobalCancelRequest       client -> server 203
ReqOpenOrders          OpenOrdersRequest         client -> server 204
ReqAutoOpenOrders      AutoOpenOrdersRequest     client -> server 204
ReqAllOpenOrders       AllOpenOrdersRequest      client -> server 204
ReqCompletedOrders     CompletedOrdersRequest    client -> server 204
OpenOrder              OpenOrder                 server -> client 204
OpenOrderEnd           OpenOrdersEnd             server -> client 204
CompletedOrder         CompletedOrder            server -> client 204
CompletedOrdersEnd     CompletedOrdersEnd        server -> client 204
OrderBound             OrderBound                server -> client 204
=====================  ========================  ===============  =====

Requests are written as the official ``client_utils.create*Proto`` functions
write them: an int is left out only when it holds UNSET_INTEGER (so a 0 client
id, parent id or contract id *is* written), text only when not empty, a flag
only when true, a double or a quantity only when set (not UNSET_DOUBLE or
UNSET_DECIMAL); the contract, the order, its soft dollar
tier, the cancel attributes and the (possibly empty) attached orders message
always.  A combo leg carries the price of the order combo leg at its index.

The order fields that exist only in protobuf form (``post_only``, ...,
:data:`~ibwire.messages.orders.PROTOBUF_ONLY_ORDER_FIELDS`) raise
:class:`~ibwire.errors.UnsupportedByServerError` at a version below their gate
when they would be written (a flag when true, text when not empty, an int unless
unset), as the official ``validateOrderParameters`` refuses what it finds set;
so does ``route_marketable_to_bbo`` below 217 (written when not ``None``).  In
the text form (below 203) any value but ``None`` raises: it cannot travel.  The protobuf order has
no ``auctionStrategy``: a placed order that sets it raises
:class:`~ibwire.errors.LocalProtocolError` (the official client drops it), and
a reported order has the default 0.

Incoming orders follow ``decoder_utils.decodeOrder`` / ``decodeOrderState``:
absent fields keep the class defaults (``None`` for the protobuf-only ones;
an absent ``displaySize`` is ``None``, unset, where the official decoder keeps 0),
``hedge_param`` is read only with a non-empty ``hedgeType``, ``hedge_max_size``
only with a ``hedgeType``, ``algo_params`` only with an ``algoStrategy``; the
order combo legs are the combo legs' prices; ``order.order_id`` is the order's
own ``orderId`` when present, else the message's.  ibwire also reads
``orderMiscOptions``, which the official decoder leaves out.  A tag/value list
travels as a protobuf map: a repeated tag keeps its last value, and with more
than one entry the official client's byte order is that of its hash table
(random per process), so only the values can match it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from ..errors import LocalProtocolError, UnsupportedByServerError
from ..fields import UNSET_DECIMAL
from ..messages import Message
from ..messages.common import Contract, SoftDollarTier, TagValue
from ..messages.executions import (
    CancelOrder,
    CompletedOrdersEnd,
    OpenOrderEnd,
    OrderBound,
    OrderCancel,
    ReqAllOpenOrders,
    ReqAutoOpenOrders,
    ReqCompletedOrders,
    ReqGlobalCancel,
    ReqOpenOrders,
)
from ..messages.order import (
    ExecutionCondition,
    MarginCondition,
    Order,
    OrderAllocation,
    OrderComboLeg,
    OrderCondition,
    OrderState,
    PercentChangeCondition,
    PriceCondition,
    TimeCondition,
    VolumeCondition,
)
from ..messages.orders import PROTOBUF_ONLY_ORDER_FIELDS, CompletedOrder, OpenOrder, PlaceOrder
from ..versions import ServerVersion
from .forms import Form, built, mapped, register
from .mapper import Conv, Link, ObjectMap
from .objects import CONTRACT, REQUEST_CONTRACT

__all__ = [
    "ORDER",
    "ORDER_STATE",
    "PLACED_ORDER",
    "condition_from_pb",
    "condition_to_pb",
    "order_from_pb",
    "order_to_pb",
]

#: ``UNSET_INTEGER``: the official client leaves an int field out when it holds this.
UNSET_INTEGER: Final = 2**31 - 1
#: ``UNSET_LONG``: likewise for a long (``permId``).
UNSET_LONG: Final = 2**63 - 1
#: ``UNSET_DOUBLE``: likewise for a double.
UNSET_DOUBLE: Final = 1.7976931348623157e308


def _s(pb: str, attr: str) -> Link:
    """Text: written when not empty."""
    return Link(pb, attr, skip="")


def _b(pb: str, attr: str) -> Link:
    """A flag: written when true."""
    return Link(pb, attr, skip=False)


def _i(pb: str, attr: str) -> Link:
    """An int: written unless unset (``None``, or UNSET_INTEGER)."""
    return Link(pb, attr, skip=UNSET_INTEGER)


def _d(pb: str, attr: str) -> Link:
    """A double: written unless unset (``None``, or UNSET_DOUBLE)."""
    return Link(pb, attr, skip=UNSET_DOUBLE)


# --------------------------------------------------------------------------- small objects

SOFT_DOLLAR_TIER: Final = ObjectMap(SoftDollarTier, [
    _s("name", "name"), _s("value", "value"), _s("displayName", "display_name"),
])  # fmt: skip

ORDER_CANCEL: Final = ObjectMap(OrderCancel, [
    _s("manualOrderCancelTime", "manual_order_cancel_time"),
    _s("extOperator", "ext_operator"),
    _i("manualOrderIndicator", "manual_order_indicator"),
])  # fmt: skip

ORDER_ALLOCATION: Final = ObjectMap(OrderAllocation, [
    _s("account", "account"),
    Link("position", "position", Conv.DECIMAL),
    Link("positionDesired", "position_desired", Conv.DECIMAL),
    Link("positionAfter", "position_after", Conv.DECIMAL),
    Link("desiredAllocQty", "desired_alloc_qty", Conv.DECIMAL),
    Link("allowedAllocQty", "allowed_alloc_qty", Conv.DECIMAL),
    _b("isMonetary", "is_monetary"),
])  # fmt: skip

# --------------------------------------------------------------------------- conditions

_CONDITION_MAPS: Final[dict[type[Any], ObjectMap]] = {
    PriceCondition: ObjectMap(PriceCondition, [
        Link("isConjunctionConnection", "is_conjunction_connection"),
        Link("isMore", "is_more"), _i("conId", "con_id"), _s("exchange", "exchange"),
        _d("price", "price"), _i("triggerMethod", "trigger_method"),
    ]),
    TimeCondition: ObjectMap(TimeCondition, [
        Link("isConjunctionConnection", "is_conjunction_connection"),
        Link("isMore", "is_more"), _s("time", "time"),
    ]),
    MarginCondition: ObjectMap(MarginCondition, [
        Link("isConjunctionConnection", "is_conjunction_connection"),
        Link("isMore", "is_more"), _i("percent", "percent"),
    ]),
    ExecutionCondition: ObjectMap(ExecutionCondition, [
        Link("isConjunctionConnection", "is_conjunction_connection"),
        _s("secType", "sec_type"), _s("exchange", "exchange"), _s("symbol", "symbol"),
    ]),
    VolumeCondition: ObjectMap(VolumeCondition, [
        Link("isConjunctionConnection", "is_conjunction_connection"),
        Link("isMore", "is_more"), _i("conId", "con_id"), _s("exchange", "exchange"),
        _i("volume", "volume"),
    ]),
    PercentChangeCondition: ObjectMap(PercentChangeCondition, [
        Link("isConjunctionConnection", "is_conjunction_connection"),
        Link("isMore", "is_more"), _i("conId", "con_id"), _s("exchange", "exchange"),
        _d("changePercent", "change_percent"),
    ]),
}  # fmt: skip
_CONDITION_BY_TYPE: Final = {cls.CONDITION_TYPE: m for cls, m in _CONDITION_MAPS.items()}


def condition_to_pb(condition: OrderCondition) -> dict[str, Any]:
    """The ``OrderCondition`` protobuf dict of a condition (its type always written)."""
    values = _CONDITION_MAPS[type(condition)].write(condition)
    values["type"] = condition.CONDITION_TYPE
    return values


def condition_from_pb(values: Any) -> OrderCondition:
    """A condition from its protobuf dict.

    Raises:
        ValueError: an unknown (or absent) condition type.
    """
    kind = values["type"]
    objects = _CONDITION_BY_TYPE.get(kind if kind is not None else 0)
    if objects is None:
        raise ValueError(f"unknown order condition type {kind!r}")
    condition: OrderCondition = objects.read(values)
    return condition


# --------------------------------------------------------------------------- order

#: The order fields a placed order carries, in ``createOrderProto``'s order
#: (the lists, conditions and int flags are :func:`order_to_pb`'s business).
_PLACED_LINKS: Final = (
    _i("clientId", "client_id"),
    Link("permId", "perm_id", skip=UNSET_LONG),
    _i("parentId", "parent_id"),
    _s("action", "action"),
    Link("totalQuantity", "total_quantity", Conv.DECIMAL, skip=UNSET_DECIMAL),
    # Absent is unset (None), where the official decoder keeps its default 0.
    Link("displaySize", "display_size", skip=UNSET_INTEGER, missing=None),
    _s("orderType", "order_type"),
    _d("lmtPrice", "lmt_price"),
    _d("auxPrice", "aux_price"),
    _s("tif", "tif"),
    _s("account", "account"),
    _s("settlingFirm", "settling_firm"),
    _s("clearingAccount", "clearing_account"),
    _s("clearingIntent", "clearing_intent"),
    _b("allOrNone", "all_or_none"),
    _b("blockOrder", "block_order"),
    _b("hidden", "hidden"),
    _b("outsideRth", "outside_rth"),
    _b("sweepToFill", "sweep_to_fill"),
    _d("percentOffset", "percent_offset"),
    _d("trailingPercent", "trailing_percent"),
    _d("trailStopPrice", "trail_stop_price"),
    _i("minQty", "min_qty"),
    _s("goodAfterTime", "good_after_time"),
    _s("goodTillDate", "good_till_date"),
    _s("ocaGroup", "oca_group"),
    _s("orderRef", "order_ref"),
    _s("rule80A", "rule80_a"),
    _i("ocaType", "oca_type"),
    _i("triggerMethod", "trigger_method"),
    _s("activeStartTime", "active_start_time"),
    _s("activeStopTime", "active_stop_time"),
    _s("faGroup", "fa_group"),
    _s("faMethod", "fa_method"),
    _s("faPercentage", "fa_percentage"),
    _d("volatility", "volatility"),
    _i("volatilityType", "volatility_type"),
    _b("continuousUpdate", "continuous_update"),
    _i("referencePriceType", "reference_price_type"),
    _s("deltaNeutralOrderType", "delta_neutral_order_type"),
    _d("deltaNeutralAuxPrice", "delta_neutral_aux_price"),
    _i("deltaNeutralConId", "delta_neutral_con_id"),
    _s("deltaNeutralOpenClose", "delta_neutral_open_close"),
    _b("deltaNeutralShortSale", "delta_neutral_short_sale"),
    _i("deltaNeutralShortSaleSlot", "delta_neutral_short_sale_slot"),
    _s("deltaNeutralDesignatedLocation", "delta_neutral_designated_location"),
    _i("scaleInitLevelSize", "scale_init_level_size"),
    _i("scaleSubsLevelSize", "scale_subs_level_size"),
    _d("scalePriceIncrement", "scale_price_increment"),
    _d("scalePriceAdjustValue", "scale_price_adjust_value"),
    _i("scalePriceAdjustInterval", "scale_price_adjust_interval"),
    _d("scaleProfitOffset", "scale_profit_offset"),
    _b("scaleAutoReset", "scale_auto_reset"),
    _i("scaleInitPosition", "scale_init_position"),
    _i("scaleInitFillQty", "scale_init_fill_qty"),
    _b("scaleRandomPercent", "scale_random_percent"),
    _s("scaleTable", "scale_table"),
    _s("hedgeType", "hedge_type"),
    _s("hedgeParam", "hedge_param"),
    _i("hedgeMaxSize", "hedge_max_size"),
    _s("algoStrategy", "algo_strategy"),
    _s("algoId", "algo_id"),
    _b("whatIf", "what_if"),
    _b("transmit", "transmit"),
    _b("overridePercentageConstraints", "override_percentage_constraints"),
    _s("openClose", "open_close"),
    _i("origin", "origin"),
    _i("shortSaleSlot", "short_sale_slot"),
    _s("designatedLocation", "designated_location"),
    _i("exemptCode", "exempt_code"),
    _s("deltaNeutralSettlingFirm", "delta_neutral_settling_firm"),
    _s("deltaNeutralClearingAccount", "delta_neutral_clearing_account"),
    _s("deltaNeutralClearingIntent", "delta_neutral_clearing_intent"),
    # isValidIntValue, as the official client tests it (the value is a double).
    Link("discretionaryAmt", "discretionary_amt", skip=UNSET_INTEGER),
    _b("optOutSmartRouting", "opt_out_smart_routing"),
    _d("startingPrice", "starting_price"),
    _d("stockRefPrice", "stock_ref_price"),
    _d("delta", "delta"),
    _d("stockRangeLower", "stock_range_lower"),
    _d("stockRangeUpper", "stock_range_upper"),
    _b("notHeld", "not_held"),
    _b("solicited", "solicited"),
    _b("randomizeSize", "randomize_size"),
    _b("randomizePrice", "randomize_price"),
    _i("referenceContractId", "reference_contract_id"),
    _d("peggedChangeAmount", "pegged_change_amount"),
    _b("isPeggedChangeAmountDecrease", "is_pegged_change_amount_decrease"),
    _d("referenceChangeAmount", "reference_change_amount"),
    _s("referenceExchangeId", "reference_exchange_id"),
    _s("adjustedOrderType", "adjusted_order_type"),
    _d("triggerPrice", "trigger_price"),
    _d("adjustedStopPrice", "adjusted_stop_price"),
    _d("adjustedStopLimitPrice", "adjusted_stop_limit_price"),
    _d("adjustedTrailingAmount", "adjusted_trailing_amount"),
    _i("adjustableTrailingUnit", "adjustable_trailing_unit"),
    _d("lmtPriceOffset", "lmt_price_offset"),
    _b("conditionsCancelOrder", "conditions_cancel_order"),
    _b("conditionsIgnoreRth", "conditions_ignore_rth"),
    _b("conditionsIncludeOvernight", "conditions_include_overnight"),
    _s("modelCode", "model_code"),
    _s("extOperator", "ext_operator"),
    Link("softDollarTier", "soft_dollar_tier", Conv.OBJECT, SOFT_DOLLAR_TIER, missing={}),
    _d("cashQty", "cash_qty"),
    _s("mifid2DecisionMaker", "mifid2_decision_maker"),
    _s("mifid2DecisionAlgo", "mifid2_decision_algo"),
    _s("mifid2ExecutionTrader", "mifid2_execution_trader"),
    _s("mifid2ExecutionAlgo", "mifid2_execution_algo"),
    _b("dontUseAutoPriceForHedge", "dont_use_auto_price_for_hedge"),
    _b("isOmsContainer", "is_oms_container"),
    _b("discretionaryUpToLimitPrice", "discretionary_up_to_limit_price"),
    Link("usePriceMgmtAlgo", "use_price_mgmt_algo", Conv.INT_BOOL),
    _i("duration", "duration"),
    _i("postToAts", "post_to_ats"),
    _s("advancedErrorOverride", "advanced_error_override"),
    _s("manualOrderTime", "manual_order_time"),
    _i("minTradeQty", "min_trade_qty"),
    _i("minCompeteSize", "min_compete_size"),
    _d("competeAgainstBestOffset", "compete_against_best_offset"),
    _d("midOffsetAtWhole", "mid_offset_at_whole"),
    _d("midOffsetAtHalf", "mid_offset_at_half"),
    _s("customerAccount", "customer_account"),
    _b("professionalCustomer", "professional_customer"),
    _s("bondAccruedInterest", "bond_accrued_interest"),
    _b("includeOvernight", "include_overnight"),
    _i("manualOrderIndicator", "manual_order_indicator"),
    _s("submitter", "submitter"),
    _b("autoCancelParent", "auto_cancel_parent"),
    _b("imbalanceOnly", "imbalance_only"),
    _b("postOnly", "post_only"),
    _b("allowPreOpen", "allow_pre_open"),
    _b("ignoreOpenAuction", "ignore_open_auction"),
    _b("deactivate", "deactivate"),
    Link("seekPriceImprovement", "seek_price_improvement", Conv.INT_BOOL),
    _i("whatIfType", "what_if_type"),
    Link("routeMarketableToBbo", "route_marketable_to_bbo", Conv.INT_BOOL),
)

#: The fields only TWS reports (open and completed orders).
_REPORTED_LINKS: Final = (
    _i("orderId", "order_id"),
    _s("autoCancelDate", "auto_cancel_date"),
    Link("filledQuantity", "filled_quantity", Conv.DECIMAL),
    _i("refFuturesConId", "ref_futures_con_id"),
    _s("shareholder", "shareholder"),
    Link("parentPermId", "parent_perm_id", skip=UNSET_LONG),
)

#: A placed order, as ``createOrderProto`` writes it.
PLACED_ORDER: Final = ObjectMap(Order, _PLACED_LINKS)
#: An order as TWS reports it (open and completed orders).
ORDER: Final = ObjectMap(Order, _PLACED_LINKS + _REPORTED_LINKS)

_set = object.__setattr__


def _tag_values(values: Mapping[str, str]) -> tuple[TagValue, ...]:
    return tuple([TagValue(tag=tag, value=value) for tag, value in values.items()])


def order_to_pb(order: Order, objects: ObjectMap = ORDER) -> dict[str, Any]:
    """The ``Order`` protobuf dict of ``order`` (``PLACED_ORDER`` for a request)."""
    values = objects.write(order)
    values["algoParams"] = {item.tag: item.value for item in order.algo_params}
    values["smartComboRoutingParams"] = {
        item.tag: item.value for item in order.smart_combo_routing_params
    }
    values["orderMiscOptions"] = {item.tag: item.value for item in order.order_misc_options}
    values["conditions"] = [condition_to_pb(item) for item in order.conditions]
    return values


#: The ``Order`` fields that reading a reported order needs beside its links
#: (see :func:`order_from_pb`), in this order.
_EXTRAS: Final = (
    "orderId", "hedgeType", "algoStrategy", "algoParams", "smartComboRoutingParams",
    "orderMiscOptions", "conditions",
)  # fmt: skip
#: :data:`ORDER` with the :data:`_EXTRAS` beside the order: how open and
#: completed orders read theirs, straight from the bytes.
REPORTED_ORDER: Final = ObjectMap(Order, ORDER.links, extras=_EXTRAS)


def order_from_pb(
    values: Any, contract: Any, order_id: int | None, *, reported: bool = True
) -> Order:
    """An order from its protobuf dict, as ``decoder_utils.decodeOrder`` reads it.

    Args:
        values: the ``Order`` dict.
        contract: the ``Contract`` dict (its combo legs carry the leg prices).
        order_id: the message's order id, or ``None`` (completed orders).
        reported: a reported order (open or completed): read ``hedge_param``,
            ``hedge_max_size`` and ``algo_params`` only as the official decoder
            does.  A server reading a placed order reads them as they are.
    """
    extras = tuple([values[name] for name in _EXTRAS])
    return _finished(ORDER.read(values), extras, contract, order_id, reported=reported)


def _finished(
    order: Order, extras: tuple[Any, ...], contract: Any, order_id: int | None, *, reported: bool
) -> Order:
    """``order`` as read by its links, completed from the :data:`_EXTRAS` values
    (see :func:`order_from_pb`)."""
    pb_order_id, hedge_type, algo_strategy, algo_params, routing, misc, conditions = extras
    if pb_order_id is None and order_id is not None and order_id != UNSET_INTEGER:
        _set(order, "order_id", order_id)
    if reported and not hedge_type and order.hedge_param:
        _set(order, "hedge_param", "")
    if reported and hedge_type is None and order.hedge_max_size is not None:
        _set(order, "hedge_max_size", None)
    if (not reported or algo_strategy is not None) and algo_params:
        _set(order, "algo_params", _tag_values(algo_params))
    if routing:
        _set(order, "smart_combo_routing_params", _tag_values(routing))
    if misc:
        _set(order, "order_misc_options", _tag_values(misc))
    if conditions:
        _set(order, "conditions", tuple([condition_from_pb(c) for c in conditions]))
    legs = contract["comboLegs"] if contract is not None else None
    if legs:
        _set(
            order,
            "order_combo_legs",
            tuple([OrderComboLeg(price=leg["perLegPrice"]) for leg in legs]),
        )
    return order


# --------------------------------------------------------------------------- order state

_MARGINS: Final = (
    ("initMarginBefore", "init_margin_before"),
    ("maintMarginBefore", "maint_margin_before"),
    ("equityWithLoanBefore", "equity_with_loan_before"),
    ("initMarginChange", "init_margin_change"),
    ("maintMarginChange", "maint_margin_change"),
    ("equityWithLoanChange", "equity_with_loan_change"),
    ("initMarginAfter", "init_margin_after"),
    ("maintMarginAfter", "maint_margin_after"),
    ("equityWithLoanAfter", "equity_with_loan_after"),
)
_OUTSIDE_RTH: Final = tuple(
    (pb.replace("Before", "BeforeOutsideRTH").replace("Change", "ChangeOutsideRTH")
     .replace("After", "AfterOutsideRTH"), attr + "_outside_rth")
    for pb, attr in _MARGINS
)  # fmt: skip

ORDER_STATE: Final = ObjectMap(OrderState, [
    _s("status", "status"),
    # The official decoder keeps the margins as ``decimalMaxString`` text; we
    # keep the double, as the text form does, and IB's unset double is None.
    *[Link(pb, attr, Conv.MAX_DOUBLE, skip=UNSET_DOUBLE) for pb, attr in _MARGINS],
    _d("commissionAndFees", "commission_and_fees"),
    _d("minCommissionAndFees", "min_commission_and_fees"),
    _d("maxCommissionAndFees", "max_commission_and_fees"),
    _s("commissionAndFeesCurrency", "commission_and_fees_currency"),
    _s("warningText", "warning_text"),
    _s("marginCurrency", "margin_currency"),
    *[Link(pb, attr, Conv.MAX_DOUBLE, skip=UNSET_DOUBLE) for pb, attr in _OUTSIDE_RTH],
    Link("suggestedSize", "suggested_size", Conv.DECIMAL),
    _s("rejectReason", "reject_reason"),
    Link("orderAllocations", "order_allocations", Conv.OBJECTS, ORDER_ALLOCATION),
    _s("completedTime", "completed_time"),
    _s("completedStatus", "completed_status"),
])  # fmt: skip


# --------------------------------------------------------------------------- messages


def _contract_to_pb(contract: Contract, order: Order, objects: ObjectMap) -> dict[str, Any]:
    """The contract dict, each combo leg with the price of the order combo leg at
    its index (``createComboLegProtoList``)."""
    values = objects.write(contract)
    prices = order.order_combo_legs
    for index, leg in enumerate(values.get("comboLegs", ())):
        if index < len(prices):
            price = prices[index].price
            if price is not None and price != UNSET_DOUBLE:
                leg["perLegPrice"] = price
    return values


def _check_gates(order: Order, written: Mapping[str, Any], version: int) -> None:
    """Refuse a protobuf-only order field the server is too old for, when it is
    written (``written``: the order's and the attached orders' fields as they go
    out), as the official ``validateOrderParameters`` refuses what ``HasField``
    finds: an explicit false flag or empty text is left out, and passes.

    Raises:
        UnsupportedByServerError: naming the first such field.
        LocalProtocolError: ``auction_strategy`` is set: the protobuf order has
            no such field (the official client drops it silently).
    """
    for name, field, gate in _GATES:
        if version < gate and field in written:
            raise UnsupportedByServerError(f"PlaceOrder.order.{name}", gate, version)
    if order.auction_strategy:
        raise LocalProtocolError(
            f"PlaceOrder.order.auction_strategy is not supported at server version {version} "
            "(the protobuf form has no such field)"
        )


def _place_order_to_pb(message: Any, version: int) -> Mapping[str, Any]:
    order: Order = message.order
    placed = order_to_pb(order, PLACED_ORDER)
    attached = _ATTACHED_ORDERS.write(order)
    _check_gates(order, {**placed, **attached}, version)
    values: dict[str, Any] = {
        "contract": _contract_to_pb(message.contract, order, REQUEST_CONTRACT),
        "order": placed,
        "attachedOrders": attached,
    }
    if message.order_id != UNSET_INTEGER:
        values["orderId"] = message.order_id
    return values


_ATTACHED_ORDERS: Final = ObjectMap(Order, [
    _i("slOrderId", "sl_order_id"), _s("slOrderType", "sl_order_type"),
    _i("ptOrderId", "pt_order_id"), _s("ptOrderType", "pt_order_type"),
])  # fmt: skip

_FIELD_OF: Final = {link.attr: link.pb for link in (*PLACED_ORDER.links, *_ATTACHED_ORDERS.links)}
#: (attribute, protobuf field, gate) of every order field with a gate.
_GATES: Final = tuple(
    (name, _FIELD_OF[name], gate)
    for name, gate in (
        *PROTOBUF_ONLY_ORDER_FIELDS.items(),
        ("route_marketable_to_bbo", ServerVersion.ADDITIONAL_ORDER_PARAMS_2),
    )
)


def _place_order_from_pb(values: Any, version: int) -> Message:
    """What a server reads from a ``PlaceOrderRequest``."""
    contract_values = values["contract"]
    contract = REQUEST_CONTRACT.read(contract_values) if contract_values is not None else Contract()
    order = order_from_pb(values["order"] or _empty_order(), contract_values, None, reported=False)
    if values["order"] is None or values["order"]["transmit"] is None:
        # The official clients write the flag only when true: absent is false.
        _set(order, "transmit", False)
    attached = values["attachedOrders"]
    if attached is not None:
        for pb, attr in (
            ("slOrderId", "sl_order_id"),
            ("slOrderType", "sl_order_type"),
            ("ptOrderId", "pt_order_id"),
            ("ptOrderType", "pt_order_type"),
        ):
            if attached[pb] is not None:
                _set(order, attr, attached[pb])
    order_id = values["orderId"]
    return PlaceOrder(
        order_id=UNSET_INTEGER if order_id is None else order_id,
        contract=contract,
        order=order,
    )


def _empty_order() -> dict[str, Any]:
    return _empty_values(
        ORDER.links, ("algoParams", "smartComboRoutingParams", "orderMiscOptions"), ("conditions",)
    )


def _empty_values(
    links: Sequence[Link], maps: Sequence[str], lists: Sequence[str]
) -> dict[str, Any]:
    values: dict[str, Any] = {
        link.pb: [] if link.conv in (Conv.TUPLE, Conv.OBJECTS) else None for link in links
    }
    values.update({name: {} for name in maps})
    values.update({name: [] for name in lists})
    return values


def _open_order_to_pb(message: Any, version: int) -> Mapping[str, Any]:
    order: Order = message.order
    return {
        "orderId": message.order_id,
        "contract": _contract_to_pb(message.contract, order, CONTRACT),
        "order": order_to_pb(order),
        "orderState": ORDER_STATE.write(message.order_state),
    }


def _reported_order(read: Any, contract_values: Any, order_id: int | None) -> Order:
    # read: what REPORTED_ORDER reads, None when the order is absent.
    order, extras = REPORTED_ORDER.read(_empty_order()) if read is None else read
    return _finished(order, extras, contract_values, order_id, reported=True)


def _build_open_order(
    order_id: int | None, contract_values: Any, order_read: Any, order_state: Any
) -> Message:
    # The contract as its dict (its combo legs carry the leg prices); the order
    # as REPORTED_ORDER reads it and the order state as its map reads it, None
    # when absent.
    return OpenOrder(
        order_id=0 if order_id is None else order_id,
        contract=_read_contract(contract_values),
        order=_reported_order(order_read, contract_values, order_id),
        order_state=OrderState() if order_state is None else order_state,
    )


def _completed_order_to_pb(message: Any, version: int) -> Mapping[str, Any]:
    order: Order = message.order
    return {
        "contract": _contract_to_pb(message.contract, order, CONTRACT),
        "order": order_to_pb(order),
        "orderState": ORDER_STATE.write(message.order_state),
    }


def _build_completed_order(contract_values: Any, order_read: Any, order_state: Any) -> Message:
    return CompletedOrder(
        contract=_read_contract(contract_values),
        order=_reported_order(order_read, contract_values, None),
        order_state=OrderState() if order_state is None else order_state,
    )


def _read_contract(values: Any) -> Contract:
    if values is None:
        return Contract()
    contract: Contract = CONTRACT.read(values)
    return contract




CANCEL_ORDER: Final = ObjectMap(CancelOrder, [
    Link("orderId", "order_id", skip=UNSET_INTEGER, missing=UNSET_INTEGER),
    Link("orderCancel", "order_cancel", Conv.OBJECT, ORDER_CANCEL, missing={}),
])  # fmt: skip
GLOBAL_CANCEL: Final = ObjectMap(ReqGlobalCancel, [
    Link("orderCancel", "order_cancel", Conv.OBJECT, ORDER_CANCEL, missing={}),
])  # fmt: skip
AUTO_OPEN_ORDERS: Final = ObjectMap(ReqAutoOpenOrders, [
    Link("autoBind", "auto_bind", skip=False, missing=False),
])  # fmt: skip
COMPLETED_ORDERS: Final = ObjectMap(ReqCompletedOrders, [
    Link("apiOnly", "api_only", skip=False, missing=False),
])  # fmt: skip
ORDER_BOUND: Final = ObjectMap(OrderBound, [
    Link("permId", "perm_id", skip=UNSET_LONG, missing=UNSET_LONG),
    Link("clientId", "client_id", skip=UNSET_INTEGER, missing=UNSET_INTEGER),
    Link("orderId", "order_id", skip=UNSET_INTEGER, missing=UNSET_INTEGER),
])  # fmt: skip

_ORDERS: Final = ServerVersion.PROTOBUF_PLACE_ORDER
_OPEN: Final = ServerVersion.PROTOBUF_COMPLETED_ORDER
#: The server side sends open and completed orders in protobuf form from 204
#: (``PROTOBUF_COMPLETED_ORDER``); a client decodes them at any version from 201.
_IN: Final = ServerVersion.PROTOBUF_COMPLETED_ORDER

register(
    Form(PlaceOrder, False, "PlaceOrderRequest", _ORDERS, _place_order_from_pb,
         _place_order_to_pb),
    mapped(CancelOrder, "CancelOrderRequest", _ORDERS, CANCEL_ORDER, incoming=False),
    mapped(ReqGlobalCancel, "GlobalCancelRequest", _ORDERS, GLOBAL_CANCEL, incoming=False),
    mapped(ReqOpenOrders, "OpenOrdersRequest", _OPEN, ObjectMap(ReqOpenOrders, []),
           incoming=False),
    mapped(ReqAutoOpenOrders, "AutoOpenOrdersRequest", _OPEN, AUTO_OPEN_ORDERS, incoming=False),
    mapped(ReqAllOpenOrders, "AllOpenOrdersRequest", _OPEN, ObjectMap(ReqAllOpenOrders, []),
           incoming=False),
    mapped(ReqCompletedOrders, "CompletedOrdersRequest", _OPEN, COMPLETED_ORDERS,
           incoming=False),
    built(OpenOrder, "OpenOrder", _IN, _build_open_order, _open_order_to_pb,
          nested={"order": REPORTED_ORDER, "orderState": ORDER_STATE}),
    mapped(OpenOrderEnd, "OpenOrdersEnd", _IN, ObjectMap(OpenOrderEnd, []), incoming=True),
    built(CompletedOrder, "CompletedOrder", _IN, _build_completed_order, _completed_order_to_pb,
          nested={"order": REPORTED_ORDER, "orderState": ORDER_STATE}),
    mapped(CompletedOrdersEnd, "CompletedOrdersEnd", _IN, ObjectMap(CompletedOrdersEnd, []),
           incoming=True),
    mapped(OrderBound, "OrderBound", _IN, ORDER_BOUND, incoming=True),
)  # fmt: skip
