"""Protobuf maps of the domain objects that several families share.

Reading follows the official ``decoder_utils.decodeContract`` /
``decodeExecution``; ibwire also reads the contract fields the official decoder
leaves out (``secIdType``, ``secId``, ``includeExpired``), so nothing sent is lost.
Writing follows ``client_utils.createContractProto``: text fields when not
empty, int fields (``conId`` 0 included) unless ``UNSET_INTEGER``, a strike when
set; a request's contract (:data:`REQUEST_CONTRACT`) also leaves out
``UNSET_DOUBLE``, as the official client does.
"""

from __future__ import annotations

from typing import Final

from ..fields import UNSET_DOUBLE, UNSET_INTEGER
from ..messages.common import ComboLeg, Contract, DeltaNeutralContract
from ..messages.contracts import ContractDetails, IneligibilityReason
from ..messages.executions import Execution
from .mapper import Conv, Link, ObjectMap

__all__ = [
    "COMBO_LEG",
    "CONTRACT",
    "CONTRACT_DETAILS",
    "DELTA_NEUTRAL_CONTRACT",
    "EXECUTION",
    "INELIGIBILITY_REASON",
    "REQUEST_CONTRACT",
    "REQUEST_DELTA_NEUTRAL_CONTRACT",
]


COMBO_LEG: Final = ObjectMap(ComboLeg, [
    Link("conId", "con_id", skip=UNSET_INTEGER),
    Link("ratio", "ratio", skip=UNSET_INTEGER),
    Link("action", "action", skip=""),
    Link("exchange", "exchange", skip=""),
    Link("openClose", "open_close", skip=UNSET_INTEGER),
    Link("shortSalesSlot", "short_sale_slot", skip=UNSET_INTEGER),
    Link("designatedLocation", "designated_location", skip=""),
    Link("exemptCode", "exempt_code", skip=UNSET_INTEGER),
])  # fmt: skip

DELTA_NEUTRAL_CONTRACT: Final = ObjectMap(DeltaNeutralContract, [
    Link("conId", "con_id"),
    Link("delta", "delta"),
    Link("price", "price"),
])  # fmt: skip

CONTRACT: Final = ObjectMap(Contract, [
    Link("conId", "con_id", skip=UNSET_INTEGER),
    Link("symbol", "symbol", skip=""),
    Link("secType", "sec_type", skip=""),
    Link("lastTradeDateOrContractMonth", "last_trade_date_or_contract_month", skip=""),
    Link("strike", "strike"),
    Link("right", "right", skip=""),
    Link("multiplier", "multiplier", Conv.MULTIPLIER, skip=""),
    Link("exchange", "exchange", skip=""),
    Link("primaryExch", "primary_exchange", skip=""),
    Link("currency", "currency", skip=""),
    Link("localSymbol", "local_symbol", skip=""),
    Link("tradingClass", "trading_class", skip=""),
    Link("secIdType", "sec_id_type", skip=""),
    Link("secId", "sec_id", skip=""),
    Link("description", "description", skip=""),
    Link("issuerId", "issuer_id", skip=""),
    Link("deltaNeutralContract", "delta_neutral_contract", Conv.OBJECT, DELTA_NEUTRAL_CONTRACT),
    Link("includeExpired", "include_expired", skip=False),
    Link("comboLegsDescrip", "combo_legs_descrip", skip=""),
    Link("comboLegs", "combo_legs", Conv.OBJECTS, COMBO_LEG),
    Link("lastTradeDate", "last_trade_date", skip=""),
])  # fmt: skip

EXECUTION: Final = ObjectMap(Execution, [
    Link("orderId", "order_id"),
    Link("execId", "exec_id"),
    Link("time", "time"),
    Link("acctNumber", "acct_number"),
    Link("exchange", "exchange"),
    Link("side", "side"),
    Link("shares", "shares", Conv.DECIMAL),
    Link("price", "price"),
    Link("permId", "perm_id"),
    Link("clientId", "client_id"),
    Link("isLiquidation", "liquidation", Conv.FLAG),
    Link("cumQty", "cum_qty", Conv.DECIMAL),
    Link("avgPrice", "avg_price"),
    Link("orderRef", "order_ref"),
    Link("evRule", "ev_rule"),
    Link("evMultiplier", "ev_multiplier"),
    Link("modelCode", "model_code"),
    Link("lastLiquidity", "last_liquidity"),
    Link("isPriceRevisionPending", "pending_price_revision"),
    Link("submitter", "submitter"),
])  # fmt: skip


# ------------------------------------------------------------------ request contracts

#: The delta-neutral contract of a request (``createDeltaNeutralContractProto``).
REQUEST_DELTA_NEUTRAL_CONTRACT: Final = ObjectMap(DeltaNeutralContract, [
    Link("conId", "con_id", skip=UNSET_INTEGER),
    Link("delta", "delta", skip=UNSET_DOUBLE),
    Link("price", "price", skip=UNSET_DOUBLE),
])  # fmt: skip

#: The contract of every request, placed orders included, as
#: ``client_utils.createContractProto`` writes it: ints unless UNSET_INTEGER,
#: doubles unless UNSET_DOUBLE (in the delta-neutral contract too), text when
#: not empty, without ``lastTradeDate`` (which the text form of requests leaves
#: out too).  A placed order's combo legs carry their prices besides (see
#: :mod:`ibwire.protobuf.orders`).
REQUEST_CONTRACT: Final = ObjectMap(Contract, [
    Link("conId", "con_id", skip=UNSET_INTEGER),
    Link("symbol", "symbol", skip=""),
    Link("secType", "sec_type", skip=""),
    Link("lastTradeDateOrContractMonth", "last_trade_date_or_contract_month", skip=""),
    Link("strike", "strike", skip=UNSET_DOUBLE),
    Link("right", "right", skip=""),
    Link("multiplier", "multiplier", Conv.MULTIPLIER, skip=""),
    Link("exchange", "exchange", skip=""),
    Link("primaryExch", "primary_exchange", skip=""),
    Link("currency", "currency", skip=""),
    Link("localSymbol", "local_symbol", skip=""),
    Link("tradingClass", "trading_class", skip=""),
    Link("secIdType", "sec_id_type", skip=""),
    Link("secId", "sec_id", skip=""),
    Link("includeExpired", "include_expired", skip=False),
    Link("comboLegsDescrip", "combo_legs_descrip", skip=""),
    Link("description", "description", skip=""),
    Link("issuerId", "issuer_id", skip=""),
    Link("comboLegs", "combo_legs", Conv.OBJECTS, COMBO_LEG),
    Link(
        "deltaNeutralContract", "delta_neutral_contract", Conv.OBJECT,
        REQUEST_DELTA_NEUTRAL_CONTRACT,
    ),
])  # fmt: skip


# ------------------------------------------------------------------ contract details
# (decoder_utils.decodeContractDetails; the contract travels beside it, see
# ibwire.protobuf.contract_data)

INELIGIBILITY_REASON: Final = ObjectMap(IneligibilityReason, [
    Link("id", "id"),
    Link("description", "description"),
])  # fmt: skip

#: The contract of details as read, until the contract beside them replaces
#: it: one immutable empty contract, not a new one per message.
_NO_CONTRACT: Final = Contract()

CONTRACT_DETAILS: Final = ObjectMap(ContractDetails, [
    Link("marketName", "market_name"),
    Link("minTick", "min_tick", Conv.FLOAT_TEXT),
    Link("orderTypes", "order_types"),
    Link("validExchanges", "valid_exchanges"),
    Link("priceMagnifier", "price_magnifier"),
    Link("underConId", "under_con_id"),
    Link("longName", "long_name"),
    Link("contractMonth", "contract_month"),
    Link("industry", "industry"),
    Link("category", "category"),
    Link("subcategory", "subcategory"),
    Link("timeZoneId", "time_zone_id"),
    Link("tradingHours", "trading_hours"),
    Link("liquidHours", "liquid_hours"),
    Link("evRule", "ev_rule"),
    Link("evMultiplier", "ev_multiplier", Conv.INT_DOUBLE),
    # A map in protobuf form: a tag sent twice keeps its last value, in no set order.
    Link("secIdList", "sec_id_list", Conv.TAG_VALUES),
    Link("aggGroup", "agg_group"),
    Link("underSymbol", "under_symbol"),
    Link("underSecType", "under_sec_type"),
    Link("marketRuleIds", "market_rule_ids"),
    Link("realExpirationDate", "real_expiration_date"),
    Link("stockType", "stock_type"),
    Link("minSize", "min_size", Conv.DECIMAL),
    Link("sizeIncrement", "size_increment", Conv.DECIMAL),
    Link("suggestedSizeIncrement", "suggested_size_increment", Conv.DECIMAL),
    Link("fundName", "fund_name"),
    Link("fundFamily", "fund_family"),
    Link("fundType", "fund_type"),
    Link("fundFrontLoad", "fund_front_load"),
    Link("fundBackLoad", "fund_back_load"),
    Link("fundBackLoadTimeInterval", "fund_back_load_time_interval"),
    Link("fundManagementFee", "fund_management_fee"),
    Link("fundClosed", "fund_closed"),
    Link("fundClosedForNewInvestors", "fund_closed_for_new_investors"),
    Link("fundClosedForNewMoney", "fund_closed_for_new_money"),
    Link("fundNotifyAmount", "fund_notify_amount"),
    Link("fundMinimumInitialPurchase", "fund_minimum_initial_purchase"),
    Link("fundMinimumSubsequentPurchase", "fund_subsequent_minimum_purchase"),
    Link("fundBlueSkyStates", "fund_blue_sky_states"),
    Link("fundBlueSkyTerritories", "fund_blue_sky_territories"),
    Link("fundDistributionPolicyIndicator", "fund_distribution_policy_indicator", skip=""),
    Link("fundAssetType", "fund_asset_type", skip=""),
    Link("cusip", "cusip"),
    Link("issueDate", "issue_date"),
    Link("ratings", "ratings"),
    Link("bondType", "bond_type"),
    Link("coupon", "coupon"),
    Link("couponType", "coupon_type"),
    Link("convertible", "convertible"),
    Link("callable", "callable"),
    Link("puttable", "putable"),
    Link("descAppend", "desc_append"),
    Link("nextOptionDate", "next_option_date"),
    Link("nextOptionType", "next_option_type"),
    Link("nextOptionPartial", "next_option_partial"),
    Link("bondNotes", "notes"),
    Link("ineligibilityReasonList", "ineligibility_reasons", Conv.OBJECTS, INELIGIBILITY_REASON),
    Link("eventContract1", "event_contract1"),
    Link("eventContractDescription1", "event_contract_description1"),
    Link("eventContractDescription2", "event_contract_description2"),
    Link("minAlgoSize", "min_algo_size", Conv.DECIMAL),
    Link("lastPricePrecision", "last_price_precision", Conv.DECIMAL),
    Link("lastSizePrecision", "last_size_precision", Conv.DECIMAL),
    Link("settlementMethod", "settlement_method"),
], defaults={"contract": _NO_CONTRACT})  # fmt: skip
