"""The order domain objects mirror the official Order, OrderState and OrderCondition classes."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest

from ibwire.messages import order
from ibwire.messages.common import SoftDollarTier
from ibwire.messages.order import (
    ExecutionCondition,
    MarginCondition,
    Order,
    OrderAllocation,
    OrderComboLeg,
    OrderState,
    PercentChangeCondition,
    PriceCondition,
    TimeCondition,
    VolumeCondition,
)

# official Order attributes (ibapi 10.46 order.py, in the order the class sets them,
# and conditionsIncludeOvernight of 10.51).
OFFICIAL_ORDER = """
softDollarTier orderId clientId permId action totalQuantity orderType lmtPrice auxPrice tif
activeStartTime activeStopTime ocaGroup ocaType orderRef transmit parentId blockOrder sweepToFill
displaySize triggerMethod outsideRth hidden goodAfterTime goodTillDate rule80A allOrNone minQty
percentOffset overridePercentageConstraints trailStopPrice trailingPercent faGroup faMethod
faPercentage designatedLocation openClose origin shortSaleSlot exemptCode discretionaryAmt
optOutSmartRouting auctionStrategy startingPrice stockRefPrice delta stockRangeLower
stockRangeUpper randomizePrice randomizeSize volatility volatilityType deltaNeutralOrderType
deltaNeutralAuxPrice deltaNeutralConId deltaNeutralSettlingFirm deltaNeutralClearingAccount
deltaNeutralClearingIntent deltaNeutralOpenClose deltaNeutralShortSale deltaNeutralShortSaleSlot
deltaNeutralDesignatedLocation continuousUpdate referencePriceType basisPoints basisPointsType
scaleInitLevelSize scaleSubsLevelSize scalePriceIncrement scalePriceAdjustValue
scalePriceAdjustInterval scaleProfitOffset scaleAutoReset scaleInitPosition scaleInitFillQty
scaleRandomPercent scaleTable hedgeType hedgeParam hedgeMaxSize account settlingFirm
clearingAccount clearingIntent algoStrategy algoParams smartComboRoutingParams algoId whatIf
notHeld solicited modelCode orderComboLegs orderMiscOptions referenceContractId
peggedChangeAmount isPeggedChangeAmountDecrease referenceChangeAmount referenceExchangeId
adjustedOrderType triggerPrice adjustedStopPrice adjustedStopLimitPrice adjustedTrailingAmount
adjustableTrailingUnit lmtPriceOffset conditions conditionsCancelOrder conditionsIgnoreRth
extOperator cashQty mifid2DecisionMaker mifid2DecisionAlgo mifid2ExecutionTrader
mifid2ExecutionAlgo dontUseAutoPriceForHedge isOmsContainer discretionaryUpToLimitPrice
autoCancelDate filledQuantity refFuturesConId autoCancelParent shareholder imbalanceOnly
routeMarketableToBbo parentPermId usePriceMgmtAlgo duration postToAts advancedErrorOverride
manualOrderTime minTradeQty minCompeteSize competeAgainstBestOffset midOffsetAtWhole
midOffsetAtHalf customerAccount professionalCustomer bondAccruedInterest includeOvernight
manualOrderIndicator submitter postOnly allowPreOpen ignoreOpenAuction deactivate
seekPriceImprovement whatIfType slOrderId slOrderType ptOrderId ptOrderType
conditionsIncludeOvernight
""".split()

# official attributes only sent as protobuf (server 216+: ADDITIONAL_ORDER_PARAMS_1/2,
# ATTACHED_ORDERS, HEDGE_MAX_SIZE, 226): never on the text wire, None when unset.
PROTOBUF_ONLY = {
    "conditionsIncludeOvernight",
    "postOnly",
    "allowPreOpen",
    "ignoreOpenAuction",
    "deactivate",
    "seekPriceImprovement",
    "whatIfType",
    "hedgeMaxSize",
    "slOrderId",
    "slOrderType",
    "ptOrderId",
    "ptOrderType",
}

# official OrderState attributes (ibapi 10.46 order_state.py).
OFFICIAL_ORDER_STATE = """
status initMarginBefore maintMarginBefore equityWithLoanBefore initMarginChange
maintMarginChange equityWithLoanChange initMarginAfter maintMarginAfter equityWithLoanAfter
commissionAndFees minCommissionAndFees maxCommissionAndFees commissionAndFeesCurrency
marginCurrency initMarginBeforeOutsideRTH maintMarginBeforeOutsideRTH
equityWithLoanBeforeOutsideRTH initMarginChangeOutsideRTH maintMarginChangeOutsideRTH
equityWithLoanChangeOutsideRTH initMarginAfterOutsideRTH maintMarginAfterOutsideRTH
equityWithLoanAfterOutsideRTH suggestedSize rejectReason orderAllocations warningText
completedTime completedStatus
""".split()

# official OrderAllocation attributes (ibapi 10.46 order_state.py).
OFFICIAL_ORDER_ALLOCATION = (
    "account position positionDesired positionAfter desiredAllocQty allowedAllocQty isMonetary"
).split()


def snake(name: str) -> str:
    """The house rule: camelCase -> snake_case, acronyms kept whole (RTH -> rth)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def field_names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def test_snake_case_rule() -> None:
    assert snake("rule80A") == "rule80_a"
    assert snake("mifid2DecisionMaker") == "mifid2_decision_maker"
    assert snake("initMarginBeforeOutsideRTH") == "init_margin_before_outside_rth"


def test_order_has_every_field_of_the_official_order() -> None:
    assert set(field_names(Order)) == {snake(n) for n in OFFICIAL_ORDER}


def test_protobuf_only_fields_are_unset_by_default() -> None:
    o = Order()
    for name in PROTOBUF_ONLY:
        assert getattr(o, snake(name)) is None, name


def test_order_state_has_every_official_field() -> None:
    assert field_names(OrderState) == [snake(n) for n in OFFICIAL_ORDER_STATE]


def test_order_allocation_has_every_official_field() -> None:
    assert field_names(OrderAllocation) == [snake(n) for n in OFFICIAL_ORDER_ALLOCATION]


def test_order_defaults_follow_the_official_ones() -> None:
    o = Order()
    # Non-UNSET official defaults.
    assert o.transmit is True
    assert o.exempt_code == -1
    assert o.display_size == 0
    assert o.discretionary_amt == 0 and isinstance(o.discretionary_amt, int)
    assert o.origin == 0 and o.oca_type == 0 and o.auction_strategy == 0
    assert o.pegged_change_amount == 0.0 and o.reference_change_amount == 0.0
    assert o.soft_dollar_tier == SoftDollarTier()
    # UNSET_INTEGER / UNSET_DOUBLE / UNSET_DECIMAL and None defaults are None.
    unset = (
        "total_quantity lmt_price aux_price min_qty percent_offset trail_stop_price "
        "trailing_percent starting_price stock_ref_price delta stock_range_lower "
        "stock_range_upper volatility volatility_type delta_neutral_aux_price "
        "reference_price_type basis_points basis_points_type scale_init_level_size "
        "scale_subs_level_size scale_price_increment scale_price_adjust_value "
        "scale_price_adjust_interval scale_profit_offset scale_init_position "
        "scale_init_fill_qty trigger_price adjusted_stop_price adjusted_stop_limit_price "
        "adjusted_trailing_amount lmt_price_offset cash_qty filled_quantity "
        "route_marketable_to_bbo use_price_mgmt_algo duration post_to_ats min_trade_qty "
        "min_compete_size compete_against_best_offset mid_offset_at_whole mid_offset_at_half "
        "manual_order_indicator"
    ).split()
    for name in unset:
        assert getattr(o, name) is None, name
    # Lists are empty tuples.
    for name in (
        "algo_params",
        "smart_combo_routing_params",
        "order_combo_legs",
        "order_misc_options",
        "conditions",
    ):
        assert getattr(o, name) == (), name


def test_order_state_defaults() -> None:
    s = OrderState()
    assert s.commission_and_fees is None and s.suggested_size is None
    assert s.init_margin_before is None and s.order_allocations == ()
    assert OrderComboLeg().price is None
    assert OrderAllocation().position is None and OrderAllocation().is_monetary is False


def test_objects_are_frozen_and_hashable() -> None:
    o = Order(action="BUY", total_quantity=Decimal(1), conditions=(TimeCondition(time="x"),))
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.action = "SELL"  # type: ignore[misc]
    assert hash(o) == hash(
        Order(action="BUY", total_quantity=Decimal(1), conditions=(TimeCondition(time="x"),))
    )
    assert dataclasses.replace(o, action="SELL").action == "SELL"


@pytest.mark.parametrize(
    ("cls", "type_id"),
    [
        (PriceCondition, 1),
        (TimeCondition, 3),
        (MarginCondition, 4),
        (ExecutionCondition, 5),
        (VolumeCondition, 6),
        (PercentChangeCondition, 7),
    ],
)
def test_condition_type_ids_and_default_conjunction(cls: type, type_id: int) -> None:
    # official order_condition.py: type ids, and isConjunctionConnection defaults to True.
    assert cls.CONDITION_TYPE == type_id  # type: ignore[attr-defined]
    assert cls().is_conjunction_connection is True


def test_condition_fields() -> None:
    assert field_names(PriceCondition) == [
        "is_conjunction_connection",
        "is_more",
        "price",
        "con_id",
        "exchange",
        "trigger_method",
    ]
    assert field_names(TimeCondition) == ["is_conjunction_connection", "is_more", "time"]
    assert field_names(MarginCondition) == ["is_conjunction_connection", "is_more", "percent"]
    assert field_names(ExecutionCondition) == [
        "is_conjunction_connection",
        "sec_type",
        "exchange",
        "symbol",
    ]
    assert field_names(VolumeCondition) == [
        "is_conjunction_connection",
        "is_more",
        "volume",
        "con_id",
        "exchange",
    ]
    assert field_names(PercentChangeCondition) == [
        "is_conjunction_connection",
        "is_more",
        "change_percent",
        "con_id",
        "exchange",
    ]


def test_module_exports() -> None:
    for name in order.__all__:
        assert hasattr(order, name), name
    assert {"Order", "OrderState", "OrderCondition", "OrderComboLeg"} <= set(order.__all__)
