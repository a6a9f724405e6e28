"""Byte-exact vectors for ibwire.messages.orders: placeOrder, openOrder, completedOrder.

Three kinds of vectors:

* literal field lists written by hand from the official layout (``client.py
  placeOrder``, ``decoder.py processOpenOrder`` / ``processCompletedOrderMsg`` with
  ``orderdecoder.py``), one per message at the top version and below the version
  field's removal;
* the wire of a simple LMT order, and of orders using every optional block, at
  every version band, from ``place_order_wire`` / ``open_order_wire`` /
  ``completed_order_wire`` below: a line-by-line restatement of those official
  functions that shares no code with ibwire;
* the real capture pyfutures-v176 (18 openOrder and 10 placeOrder records).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest

from ibwire.codec import Codec
from ibwire.errors import LocalProtocolError, MalformedMessageError, UnsupportedByServerError
from ibwire.messages import Message
from ibwire.messages.common import (
    ComboLeg,
    Contract,
    DeltaNeutralContract,
    SoftDollarTier,
    TagValue,
)
from ibwire.messages.order import (
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
from ibwire.messages.orders import CompletedOrder, OpenOrder, PlaceOrder

from ..vectors import real_records

IMAX = "2147483647"  # UNSET_INTEGER as the official client and TWS write it
PY_DMAX = "1.7976931348623157e+308"  # UNSET_DOUBLE as the Python client writes it (str)
JAVA_DMAX = "1.7976931348623157E308"  # UNSET_DOUBLE as TWS writes it (Double.toString)

#: The version bands of the brief plus the edges below 145.
VERSIONS = (100, 101, 102, 103, 111, 142, 144, 145, 157, 163, 170, 176, 187, 189, 195, 200)


# ======================================================================= the official layout
# Each helper is one of the official client's field conversions.


def b(value: bool | None) -> str:
    """make_field(bool): 1/0 (the official decoder reads back any non-zero int as true)."""
    return "1" if value else "0"


def e(value: float | int | None) -> str:
    """make_field_handle_empty: UNSET -> empty, infinity -> "Infinity", else str()."""
    if value is None:
        return ""
    if value == math.inf:
        return "Infinity"
    return str(value)


def imax(value: int | None) -> str:
    """make_field of an int whose UNSET_INTEGER goes out as the literal."""
    return IMAX if value is None else str(value)


def dmax(value: float | None, unset: str = PY_DMAX) -> str:
    """make_field of a double whose UNSET_DOUBLE goes out as the literal."""
    return unset if value is None else str(value)


def dec(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def condition_wire(cond: OrderCondition) -> list[str]:
    """order_condition.py: type, conjunction, then each kind's make_fields()."""
    out = [str(cond.CONDITION_TYPE), "a" if cond.is_conjunction_connection else "o"]
    if isinstance(cond, ExecutionCondition):
        return out + [cond.sec_type, cond.exchange, cond.symbol]
    out.append(b(cond.is_more))
    if isinstance(cond, TimeCondition):
        return out + [cond.time]
    if isinstance(cond, MarginCondition):
        return out + [str(cond.percent)]
    if isinstance(cond, VolumeCondition):
        return out + [str(cond.volume), str(cond.con_id), cond.exchange]
    if isinstance(cond, PercentChangeCondition):
        return out + [str(cond.change_percent), str(cond.con_id), cond.exchange]
    assert isinstance(cond, PriceCondition)
    return out + [str(cond.price), str(cond.con_id), cond.exchange, str(cond.trigger_method)]


def legs_wire(c: Contract) -> list[str]:
    out = [str(len(c.combo_legs))]
    for leg in c.combo_legs:
        out += [str(leg.con_id), str(leg.ratio), leg.action, leg.exchange, str(leg.open_close)]
        out += [str(leg.short_sale_slot), leg.designated_location, str(leg.exempt_code)]
    return out


def tag_values_wire(items: tuple[TagValue, ...]) -> list[str]:
    out = [str(len(items))]
    for item in items:
        out += [item.tag, item.value]
    return out


def is_peg_bench(o: Order) -> bool:
    return o.order_type in ("PEG BENCH", "PEGBENCH")


def place_order_wire(v: int, order_id: int, c: Contract, o: Order) -> list[str]:
    """client.py placeOrder, line by line, for server version ``v`` (100..200)."""
    f = ["3"]
    if v < 145:  # MIN_SERVER_VER_ORDER_CONTAINER: no version field from 145
        f.append("45")
    f.append(str(order_id))
    f += [str(c.con_id), c.symbol, c.sec_type, c.last_trade_date_or_contract_month, e(c.strike)]
    f += [c.right, c.multiplier, c.exchange, c.primary_exchange, c.currency, c.local_symbol]
    f += [c.trading_class, c.sec_id_type, c.sec_id]
    f.append(o.action)
    assert o.total_quantity is not None
    f.append(str(o.total_quantity) if v >= 101 else str(int(o.total_quantity)))
    f += [o.order_type, e(o.lmt_price), e(o.aux_price)]
    f += [o.tif, o.oca_group, o.account, o.open_close, str(o.origin), o.order_ref]
    f += [b(o.transmit), str(o.parent_id), b(o.block_order), b(o.sweep_to_fill)]
    f += [imax(o.display_size), str(o.trigger_method), b(o.outside_rth), b(o.hidden)]
    if c.sec_type == "BAG":
        f += legs_wire(c)
        f.append(str(len(o.order_combo_legs)))
        f += [e(leg.price) for leg in o.order_combo_legs]
        f += tag_values_wire(o.smart_combo_routing_params)
    f += ["", str(o.discretionary_amt), o.good_after_time, o.good_till_date]
    f += [o.fa_group, o.fa_method, o.fa_percentage]
    if v < 177:  # faProfile, desupported at 177
        f.append("")
    if v >= 103:
        f.append(o.model_code)
    f += [str(o.short_sale_slot), o.designated_location, str(o.exempt_code), str(o.oca_type)]
    f += [o.rule80_a, o.settling_firm, b(o.all_or_none), e(o.min_qty), e(o.percent_offset)]
    f += ["0", "0", ""]  # eTradeOnly, firmQuoteOnly, nbboPriceCap
    f += [str(o.auction_strategy), e(o.starting_price), e(o.stock_ref_price), e(o.delta)]
    f += [e(o.stock_range_lower), e(o.stock_range_upper), b(o.override_percentage_constraints)]
    f += [e(o.volatility), e(o.volatility_type), o.delta_neutral_order_type]
    f.append(e(o.delta_neutral_aux_price))
    if o.delta_neutral_order_type:
        f += [str(o.delta_neutral_con_id), o.delta_neutral_settling_firm]
        f += [o.delta_neutral_clearing_account, o.delta_neutral_clearing_intent]
        f += [o.delta_neutral_open_close, b(o.delta_neutral_short_sale)]
        f += [str(o.delta_neutral_short_sale_slot), o.delta_neutral_designated_location]
    f += [b(o.continuous_update), e(o.reference_price_type), e(o.trail_stop_price)]
    f.append(e(o.trailing_percent))
    f += [e(o.scale_init_level_size), e(o.scale_subs_level_size), e(o.scale_price_increment)]
    if o.scale_price_increment is not None and o.scale_price_increment > 0:
        f += [e(o.scale_price_adjust_value), e(o.scale_price_adjust_interval)]
        f += [e(o.scale_profit_offset), b(o.scale_auto_reset), e(o.scale_init_position)]
        f += [e(o.scale_init_fill_qty), b(o.scale_random_percent)]
    f += [o.scale_table, o.active_start_time, o.active_stop_time]
    f.append(o.hedge_type)
    if o.hedge_type:
        f.append(o.hedge_param)
    f += [b(o.opt_out_smart_routing), o.clearing_account, o.clearing_intent, b(o.not_held)]
    dn = c.delta_neutral_contract
    f += ["1", str(dn.con_id), str(dn.delta), str(dn.price)] if dn else ["0"]
    f.append(o.algo_strategy)
    if o.algo_strategy:
        f += tag_values_wire(o.algo_params)
    f += [o.algo_id, b(o.what_if)]
    f.append("".join(f"{t.tag}={t.value};" for t in o.order_misc_options))
    f += [b(o.solicited), b(o.randomize_size), b(o.randomize_price)]
    if v >= 102:  # MIN_SERVER_VER_PEGGED_TO_BENCHMARK
        if is_peg_bench(o):
            f += [str(o.reference_contract_id), b(o.is_pegged_change_amount_decrease)]
            f += [str(o.pegged_change_amount), str(o.reference_change_amount)]
            f.append(o.reference_exchange_id)
        f.append(str(len(o.conditions)))
        if o.conditions:
            for cond in o.conditions:
                f += condition_wire(cond)
            f += [b(o.conditions_ignore_rth), b(o.conditions_cancel_order)]
        f += [o.adjusted_order_type, dmax(o.trigger_price), dmax(o.lmt_price_offset)]
        f += [dmax(o.adjusted_stop_price), dmax(o.adjusted_stop_limit_price)]
        f += [dmax(o.adjusted_trailing_amount), str(o.adjustable_trailing_unit)]
    if v >= 105:
        f.append(o.ext_operator)
    if v >= 106:
        f += [o.soft_dollar_tier.name, o.soft_dollar_tier.value]
    if v >= 111:
        f.append(dmax(o.cash_qty))
    if v >= 138:
        f += [o.mifid2_decision_maker, o.mifid2_decision_algo]
    if v >= 139:
        f += [o.mifid2_execution_trader, o.mifid2_execution_algo]
    if v >= 141:
        f.append(b(o.dont_use_auto_price_for_hedge))
    if v >= 145:
        f.append(b(o.is_oms_container))
    if v >= 148:
        f.append(b(o.discretionary_up_to_limit_price))
    if v >= 151:
        f.append("" if o.use_price_mgmt_algo is None else b(o.use_price_mgmt_algo))
    if v >= 158:
        f.append(imax(o.duration))
    if v >= 160:
        f.append(imax(o.post_to_ats))
    if v >= 162:
        f.append(b(o.auto_cancel_parent))
    if v >= 166:
        f.append(o.advanced_error_override)
    if v >= 169:
        f.append(o.manual_order_time)
    if v >= 170:
        send_mid_offsets = False
        if c.exchange == "IBKRATS":
            f.append(e(o.min_trade_qty))
        if o.order_type in ("PEG BEST", "PEGBEST"):
            f += [e(o.min_compete_size), e(o.compete_against_best_offset)]
            send_mid_offsets = o.compete_against_best_offset == math.inf
        elif o.order_type in ("PEG MID", "PEGMID"):
            send_mid_offsets = True
        if send_mid_offsets:
            f += [e(o.mid_offset_at_whole), e(o.mid_offset_at_half)]
    if v >= 183:
        f.append(o.customer_account)
    if v >= 184:
        f.append(b(o.professional_customer))
    if 187 <= v < 190:  # MIN_SERVER_VER_RFQ_FIELDS .. UNDO_RFQ_FIELDS
        f += ["", IMAX]
    if v >= 189:
        f.append(b(o.include_overnight))
    if v >= 192:
        f.append(imax(o.manual_order_indicator))
    if v >= 199:
        f.append(b(o.imbalance_only))
    return f


def state_wire(v: int, o: Order, s: OrderState) -> list[str]:
    """orderdecoder.py decodeWhatIfInfoAndCommissionAndFees."""
    f = [b(o.what_if), s.status]
    if v >= 142:
        f += [dmax(s.init_margin_before, JAVA_DMAX), dmax(s.maint_margin_before, JAVA_DMAX)]
        f += [dmax(s.equity_with_loan_before, JAVA_DMAX), dmax(s.init_margin_change, JAVA_DMAX)]
        f += [dmax(s.maint_margin_change, JAVA_DMAX), dmax(s.equity_with_loan_change, JAVA_DMAX)]
    f += [dmax(s.init_margin_after, JAVA_DMAX), dmax(s.maint_margin_after, JAVA_DMAX)]
    f.append(dmax(s.equity_with_loan_after, JAVA_DMAX))
    f += [e(s.commission_and_fees), e(s.min_commission_and_fees), e(s.max_commission_and_fees)]
    f.append(s.commission_and_fees_currency)
    if v >= 195:
        f.append(s.margin_currency)
        f += [e(s.init_margin_before_outside_rth), e(s.maint_margin_before_outside_rth)]
        f += [e(s.equity_with_loan_before_outside_rth), e(s.init_margin_change_outside_rth)]
        f += [e(s.maint_margin_change_outside_rth), e(s.equity_with_loan_change_outside_rth)]
        f += [e(s.init_margin_after_outside_rth), e(s.maint_margin_after_outside_rth)]
        f += [e(s.equity_with_loan_after_outside_rth), dec(s.suggested_size), s.reject_reason]
        f.append(str(len(s.order_allocations)))
        for a in s.order_allocations:
            f += [a.account, dec(a.position), dec(a.position_desired), dec(a.position_after)]
            f += [dec(a.desired_alloc_qty), dec(a.allowed_alloc_qty), b(a.is_monetary)]
    f.append(s.warning_text)
    return f


def contract_wire(c: Contract) -> list[str]:
    """orderdecoder.py decodeContractFields (version >= 32): no primaryExchange."""
    f = [str(c.con_id), c.symbol, c.sec_type, c.last_trade_date_or_contract_month]
    f += [dmax(c.strike, JAVA_DMAX), c.right, c.multiplier, c.exchange, c.currency]
    return f + [c.local_symbol, c.trading_class]


def order_head_wire(o: Order) -> list[str]:
    return [o.action, dec(o.total_quantity), o.order_type, e(o.lmt_price), e(o.aux_price)]


def scale_wire(o: Order) -> list[str]:
    """decodeScaleOrderParams (version >= 20); TWS writes unset sizes as the literal."""
    f = [imax(o.scale_init_level_size), imax(o.scale_subs_level_size)]
    f.append(e(o.scale_price_increment))
    if o.scale_price_increment is not None and o.scale_price_increment > 0:
        f += [e(o.scale_price_adjust_value), e(o.scale_price_adjust_interval)]
        f += [e(o.scale_profit_offset), b(o.scale_auto_reset), e(o.scale_init_position)]
        f += [e(o.scale_init_fill_qty), b(o.scale_random_percent)]
    return f


def peg_bench_and_conditions_wire(o: Order) -> list[str]:
    """decodePegToBenchParams and decodeConditions (server >= 102)."""
    f: list[str] = []
    if is_peg_bench(o):
        f += [str(o.reference_contract_id), b(o.is_pegged_change_amount_decrease)]
        f += [str(o.pegged_change_amount), str(o.reference_change_amount)]
        f.append(o.reference_exchange_id)
    f.append(str(len(o.conditions)))
    if o.conditions:
        for cond in o.conditions:
            f += condition_wire(cond)
        f += [b(o.conditions_ignore_rth), b(o.conditions_cancel_order)]
    return f


def peg_best_mid_wire(o: Order) -> list[str]:
    """decodePegBestPegMidOrderAttributes (server >= 170)."""
    return [
        e(o.min_trade_qty),
        e(o.min_compete_size),
        e(o.compete_against_best_offset),
        e(o.mid_offset_at_whole),
        e(o.mid_offset_at_half),
    ]


def open_order_wire(v: int, order_id: int, c: Contract, o: Order, s: OrderState) -> list[str]:
    """decoder.py processOpenOrder with orderdecoder.py, as TWS writes it (version 34)."""
    f = ["5"]
    if v < 145:
        f.append("34")
    f.append(str(order_id))
    f += contract_wire(c)
    f += order_head_wire(o)
    f += [o.tif, o.oca_group, o.account, o.open_close, str(o.origin), o.order_ref]
    f += [str(o.client_id), str(o.perm_id), b(o.outside_rth), b(o.hidden)]
    f += [str(o.discretionary_amt), o.good_after_time, ""]  # sharesAllocation
    f += [o.fa_group, o.fa_method, o.fa_percentage]
    if v < 177:
        f.append("")  # faProfile
    if v >= 103:
        f.append(o.model_code)
    f += [o.good_till_date, o.rule80_a, e(o.percent_offset), o.settling_firm]
    f += [str(o.short_sale_slot), o.designated_location, str(o.exempt_code)]
    f += [str(o.auction_strategy), e(o.starting_price), e(o.stock_ref_price), e(o.delta)]
    f += [e(o.stock_range_lower), e(o.stock_range_upper), imax(o.display_size)]
    f += [b(o.block_order), b(o.sweep_to_fill), b(o.all_or_none), e(o.min_qty)]
    f += [str(o.oca_type), "0", "0", ""]  # eTradeOnly, firmQuoteOnly, nbboPriceCap
    f += [str(o.parent_id), str(o.trigger_method)]
    f += [e(o.volatility), imax(o.volatility_type), o.delta_neutral_order_type]
    f.append(e(o.delta_neutral_aux_price))
    if o.delta_neutral_order_type:
        f += [str(o.delta_neutral_con_id), o.delta_neutral_settling_firm]
        f += [o.delta_neutral_clearing_account, o.delta_neutral_clearing_intent]
        f += [o.delta_neutral_open_close, b(o.delta_neutral_short_sale)]
        f += [str(o.delta_neutral_short_sale_slot), o.delta_neutral_designated_location]
    f += [b(o.continuous_update), imax(o.reference_price_type)]
    f += [e(o.trail_stop_price), e(o.trailing_percent)]
    f += [e(o.basis_points), e(o.basis_points_type), c.combo_legs_descrip]
    f += legs_wire(c)
    f.append(str(len(o.order_combo_legs)))
    f += [e(leg.price) for leg in o.order_combo_legs]
    f += tag_values_wire(o.smart_combo_routing_params)
    f += scale_wire(o)
    f.append(o.hedge_type)
    if o.hedge_type:
        f.append(o.hedge_param)
    f += [b(o.opt_out_smart_routing), o.clearing_account, o.clearing_intent, b(o.not_held)]
    dn = c.delta_neutral_contract
    f += ["1", str(dn.con_id), str(dn.delta), str(dn.price)] if dn else ["0"]
    f.append(o.algo_strategy)
    if o.algo_strategy:
        f += tag_values_wire(o.algo_params)
    f.append(b(o.solicited))
    f += state_wire(v, o, s)
    f += [b(o.randomize_size), b(o.randomize_price)]
    if v >= 102:
        f += peg_bench_and_conditions_wire(o)
        # decodeAdjustedOrderParams: plain doubles, trailStopPrice again.
        f += [o.adjusted_order_type, dmax(o.trigger_price, JAVA_DMAX)]
        f += [dmax(o.trail_stop_price, JAVA_DMAX), dmax(o.lmt_price_offset, JAVA_DMAX)]
        f += [dmax(o.adjusted_stop_price, JAVA_DMAX), dmax(o.adjusted_stop_limit_price, JAVA_DMAX)]
        f += [dmax(o.adjusted_trailing_amount, JAVA_DMAX), str(o.adjustable_trailing_unit)]
    if v >= 106:
        tier = o.soft_dollar_tier
        f += [tier.name, tier.value, tier.display_name]
    if v >= 111:
        f.append(dmax(o.cash_qty, JAVA_DMAX))
    if v >= 141:
        f.append(b(o.dont_use_auto_price_for_hedge))
    if v >= 145:
        f.append(b(o.is_oms_container))
    if v >= 148:
        f.append(b(o.discretionary_up_to_limit_price))
    if v >= 151:
        f.append(b(o.use_price_mgmt_algo))
    if v >= 158:
        f.append(e(o.duration))
    if v >= 160:
        f.append(e(o.post_to_ats))
    if v >= 162:
        f.append(b(o.auto_cancel_parent))
    if v >= 170:
        f += peg_best_mid_wire(o)
    if v >= 183:
        f.append(o.customer_account)
    if v >= 184:
        f.append(b(o.professional_customer))
    if v >= 185:
        f.append(o.bond_accrued_interest)
    if v >= 189:
        f.append(b(o.include_overnight))
    if v >= 193:
        f += [o.ext_operator, e(o.manual_order_indicator)]
    if v >= 198:
        f.append(o.submitter)
    if v >= 199:
        f.append(b(o.imbalance_only))
    return f


def completed_order_wire(v: int, c: Contract, o: Order, s: OrderState) -> list[str]:
    """decoder.py processCompletedOrderMsg with orderdecoder.py (version = UNSET_INTEGER)."""
    f = ["101"]
    f += contract_wire(c)
    f += order_head_wire(o)
    f += [o.tif, o.oca_group, o.account, o.open_close, str(o.origin), o.order_ref]
    f += [str(o.perm_id), b(o.outside_rth), b(o.hidden), str(o.discretionary_amt)]
    f += [o.good_after_time, o.fa_group, o.fa_method, o.fa_percentage]
    if v < 177:
        f.append("")  # faProfile
    if v >= 103:
        f.append(o.model_code)
    f += [o.good_till_date, o.rule80_a, e(o.percent_offset), o.settling_firm]
    f += [str(o.short_sale_slot), o.designated_location, str(o.exempt_code)]
    f += [e(o.starting_price), e(o.stock_ref_price), e(o.delta)]
    f += [e(o.stock_range_lower), e(o.stock_range_upper), imax(o.display_size)]
    f += [b(o.sweep_to_fill), b(o.all_or_none), e(o.min_qty), str(o.oca_type)]
    f.append(str(o.trigger_method))
    f += [e(o.volatility), imax(o.volatility_type), o.delta_neutral_order_type]
    f.append(e(o.delta_neutral_aux_price))
    if o.delta_neutral_order_type:  # readOpenOrderAttribs=False
        f += [str(o.delta_neutral_con_id), b(o.delta_neutral_short_sale)]
        f += [str(o.delta_neutral_short_sale_slot), o.delta_neutral_designated_location]
    f += [b(o.continuous_update), imax(o.reference_price_type)]
    f += [e(o.trail_stop_price), e(o.trailing_percent), c.combo_legs_descrip]
    f += legs_wire(c)
    f.append(str(len(o.order_combo_legs)))
    f += [e(leg.price) for leg in o.order_combo_legs]
    f += tag_values_wire(o.smart_combo_routing_params)
    f += scale_wire(o)
    f.append(o.hedge_type)
    if o.hedge_type:
        f.append(o.hedge_param)
    f += [o.clearing_account, o.clearing_intent, b(o.not_held)]
    dn = c.delta_neutral_contract
    f += ["1", str(dn.con_id), str(dn.delta), str(dn.price)] if dn else ["0"]
    f.append(o.algo_strategy)
    if o.algo_strategy:
        f += tag_values_wire(o.algo_params)
    f += [b(o.solicited), s.status, b(o.randomize_size), b(o.randomize_price)]
    if v >= 102:
        f += peg_bench_and_conditions_wire(o)
    # decodeStopPriceAndLmtPriceOffset: at every version.
    f += [dmax(o.trail_stop_price, JAVA_DMAX), dmax(o.lmt_price_offset, JAVA_DMAX)]
    if v >= 111:
        f.append(dmax(o.cash_qty, JAVA_DMAX))
    if v >= 141:
        f.append(b(o.dont_use_auto_price_for_hedge))
    if v >= 145:
        f.append(b(o.is_oms_container))
    f += [o.auto_cancel_date, dec(o.filled_quantity), str(o.ref_futures_con_id)]
    f += [b(o.auto_cancel_parent), o.shareholder, b(o.imbalance_only)]
    f += [b(o.route_marketable_to_bbo), str(o.parent_perm_id)]
    f += [s.completed_time, s.completed_status]
    if v >= 170:
        f += peg_best_mid_wire(o)
    if v >= 183:
        f.append(o.customer_account)
    if v >= 184:
        f.append(b(o.professional_customer))
    if v >= 198:
        f.append(o.submitter)
    return f


# ======================================================================= the orders

AAPL = Contract(
    con_id=265598,
    symbol="AAPL",
    sec_type="STK",
    exchange="SMART",
    primary_exchange="ISLAND",
    currency="USD",
    local_symbol="AAPL",
    trading_class="NMS",
)
#: The contract as openOrder reports it: no primaryExchange; strike as sent.
AAPL_REPORTED = Contract(
    con_id=265598,
    symbol="AAPL",
    sec_type="STK",
    strike=0.0,
    exchange="SMART",
    currency="USD",
    local_symbol="AAPL",
    trading_class="NMS",
)
LMT = Order(
    action="BUY",
    total_quantity=Decimal("100"),
    order_type="LMT",
    lmt_price=150.25,
    tif="DAY",
    order_ref="r1",
)


def lmt_at(v: int) -> Order:
    """The simple LMT order with one value set in every field the version adds to placeOrder."""
    fields: dict[str, Any] = {}
    for since, name, value in (
        (103, "model_code", "MOD1"),
        (105, "ext_operator", "OP1"),
        (106, "soft_dollar_tier", SoftDollarTier(name="SDT", value="V1")),
        (111, "cash_qty", 15025.0),
        (138, "mifid2_decision_maker", "DM"),
        (139, "mifid2_execution_algo", "EA"),
        (141, "dont_use_auto_price_for_hedge", True),
        (145, "is_oms_container", True),
        (148, "discretionary_up_to_limit_price", True),
        (151, "use_price_mgmt_algo", False),
        (158, "duration", 60),
        (160, "post_to_ats", 1),
        (162, "auto_cancel_parent", True),
        (166, "advanced_error_override", "8229"),
        (169, "manual_order_time", "20240301 09:30:00"),
        (183, "customer_account", "CUST1"),
        (184, "professional_customer", True),
        (189, "include_overnight", True),
        (192, "manual_order_indicator", 1),
        (199, "imbalance_only", True),
    ):
        if v >= since:
            fields[name] = value
    return Order(**{**_fields_of(LMT), **fields})


def _fields_of(o: Order) -> dict[str, Any]:
    return {name: getattr(o, name) for name in o.__dataclass_fields__}


def reported_lmt_at(v: int, order_id: int = 7) -> Order:
    """The LMT order as openOrder reports it, with a value in every field the version adds."""
    fields: dict[str, Any] = {
        **_fields_of(LMT),
        "order_id": order_id,
        "client_id": 12,
        "perm_id": 2138440174,
        "account": "DU123",
        "volatility_type": 0,
        "reference_price_type": 0,
        "display_size": None,
        "clearing_intent": "IB",
    }
    for since, name, value in (
        (103, "model_code", "MOD1"),
        (106, "soft_dollar_tier", SoftDollarTier(name="SDT", value="V1", display_name="Tier")),
        (111, "cash_qty", 0.0),
        (141, "dont_use_auto_price_for_hedge", True),
        (145, "is_oms_container", True),
        (148, "discretionary_up_to_limit_price", True),
        (151, "use_price_mgmt_algo", True),
        (158, "duration", 60),
        (160, "post_to_ats", 1),
        (162, "auto_cancel_parent", True),
        (183, "customer_account", "CUST1"),
        (184, "professional_customer", True),
        (185, "bond_accrued_interest", "1.25"),
        (189, "include_overnight", True),
        (193, "ext_operator", "OP1"),
        (193, "manual_order_indicator", 0),
        (198, "submitter", "trader1"),
        (199, "imbalance_only", True),
    ):
        if v >= since:
            fields[name] = value
    return Order(**fields)


def reported_state_at(v: int) -> OrderState:
    state: dict[str, Any] = {
        "status": "Submitted",
        "init_margin_after": None,
        "maint_margin_after": None,
        "equity_with_loan_after": 25000.75,
    }
    if v >= 142:
        state["init_margin_before"] = 1000.5
    if v >= 195:
        state["margin_currency"] = "USD"
        state["suggested_size"] = Decimal("100")
    return OrderState(**state)


# A BAG order with combo legs, leg prices and smart combo routing parameters.
BAG = Contract(
    symbol="SPY",
    sec_type="BAG",
    exchange="SMART",
    currency="USD",
    combo_legs=(
        ComboLeg(con_id=1001, ratio=1, action="BUY", exchange="SMART"),
        ComboLeg(
            con_id=1002,
            ratio=2,
            action="SELL",
            exchange="SMART",
            open_close=2,
            short_sale_slot=2,
            designated_location="LOC",
            exempt_code=3,
        ),
    ),
)
BAG_ORDER = Order(
    action="BUY",
    total_quantity=Decimal("1"),
    order_type="LMT",
    lmt_price=1.5,
    order_combo_legs=(OrderComboLeg(price=1.25), OrderComboLeg()),
    smart_combo_routing_params=(TagValue(tag="NonGuaranteed", value="1"),),
)

ALL_CONDITIONS: tuple[OrderCondition, ...] = (
    PriceCondition(is_more=True, price=150.5, con_id=265598, exchange="SMART", trigger_method=2),
    TimeCondition(is_conjunction_connection=False, time="20240301 09:30:00 US/Eastern"),
    MarginCondition(is_more=True, percent=30),
    ExecutionCondition(sec_type="STK", exchange="SMART", symbol="AAPL"),
    VolumeCondition(
        is_conjunction_connection=False,
        is_more=True,
        volume=100000,
        con_id=265598,
        exchange="SMART",
    ),
    PercentChangeCondition(change_percent=2.5, con_id=265598, exchange="SMART"),
)

#: An order using most optional blocks at once (placeOrder and the reports).
RICH = Order(
    **{
        **_fields_of(LMT),
        "delta_neutral_order_type": "LMT",
        "delta_neutral_aux_price": 1.5,
        "delta_neutral_con_id": 42,
        "delta_neutral_settling_firm": "FIRM",
        "delta_neutral_clearing_account": "CA",
        "delta_neutral_clearing_intent": "IB",
        "delta_neutral_open_close": "O",
        "delta_neutral_short_sale": True,
        "delta_neutral_short_sale_slot": 1,
        "delta_neutral_designated_location": "DL",
        "scale_init_level_size": 100,
        "scale_subs_level_size": 50,
        "scale_price_increment": 0.05,
        "scale_price_adjust_value": 0.01,
        "scale_price_adjust_interval": 30,
        "scale_profit_offset": 0.1,
        "scale_auto_reset": True,
        "scale_init_position": 0,
        "scale_init_fill_qty": 10,
        "scale_random_percent": True,
        "hedge_type": "B",
        "hedge_param": "beta=1.2",
        "algo_strategy": "Adaptive",
        "algo_params": (TagValue(tag="adaptivePriority", value="Normal"),),
        "conditions": ALL_CONDITIONS,
        "conditions_ignore_rth": True,
        "conditions_cancel_order": True,
        "adjusted_order_type": "STP",
        "trigger_price": 140.0,
        "adjusted_stop_price": 139.5,
        "adjusted_trailing_amount": 0.5,
        "adjustable_trailing_unit": 1,
        "lmt_price_offset": 0.25,
        "min_qty": 10,
        "percent_offset": 0.01,
        "volatility": 0.3,
        "volatility_type": 2,
        "reference_price_type": 1,
        "trail_stop_price": 148.0,
        "trailing_percent": 1.5,
        "discretionary_amt": 0.5,
        "display_size": 10,
    }
)
RICH_PLACED = Order(
    **{
        **_fields_of(RICH),
        "order_misc_options": (TagValue(tag="a", value="1"), TagValue(tag="b", value="x=y")),
        "what_if": True,
        "algo_id": "alg1",
    }
)
RICH_REPORTED = Order(**{**_fields_of(RICH), "basis_points": 1.5, "basis_points_type": 1})
HEDGED = Contract(
    **{
        **{name: getattr(AAPL, name) for name in AAPL.__dataclass_fields__},
        "delta_neutral_contract": DeltaNeutralContract(con_id=756733, delta=0.5, price=420.5),
    }
)
HEDGED_REPORTED = Contract(
    **{
        **{name: getattr(AAPL_REPORTED, name) for name in AAPL_REPORTED.__dataclass_fields__},
        "delta_neutral_contract": DeltaNeutralContract(con_id=756733, delta=0.5, price=420.5),
    }
)
PEG_BENCH = Order(
    action="BUY",
    total_quantity=Decimal("100"),
    order_type="PEG BENCH",
    reference_contract_id=756733,
    is_pegged_change_amount_decrease=True,
    pegged_change_amount=0.5,
    reference_change_amount=0.25,
    reference_exchange_id="ARCA",
)
PEG_BEST_UP_TO_MID = Order(
    action="BUY",
    total_quantity=Decimal("100"),
    order_type="PEG BEST",
    lmt_price=150.0,
    min_trade_qty=10,
    min_compete_size=100,
    compete_against_best_offset=math.inf,
    mid_offset_at_whole=0.01,
    mid_offset_at_half=0.005,
)
PEG_BEST = Order(
    action="BUY",
    total_quantity=Decimal("100"),
    order_type="PEGBEST",
    min_compete_size=100,
    compete_against_best_offset=0.02,
)
PEG_MID = Order(
    action="SELL",
    total_quantity=Decimal("0.5"),
    order_type="PEG MID",
    mid_offset_at_whole=0.01,
    mid_offset_at_half=0.005,
)
IBKRATS = Contract(
    **{**{n: getattr(AAPL, n) for n in AAPL.__dataclass_fields__}, "exchange": "IBKRATS"}
)


# ======================================================================= literal vectors

# official layout (client.py placeOrder at server 200): the simple LMT order, every
# field of lmt_at(200) in its place.
PLACE_LMT_V200 = [
    "3", "7",
    # contract: conId .. tradingClass, secIdType, secId; strike unset is empty
    "265598", "AAPL", "STK", "", "", "", "", "SMART", "ISLAND", "USD", "AAPL", "NMS", "", "",
    # action, totalQuantity, orderType, lmtPrice (E), auxPrice (E)
    "BUY", "100", "LMT", "150.25", "",
    # tif, ocaGroup, account, openClose, origin, orderRef, transmit, parentId, blockOrder,
    # sweepToFill, displaySize, triggerMethod, outsideRth, hidden
    "DAY", "", "", "", "0", "r1", "1", "0", "0", "0", "0", "0", "0", "0",
    # sharesAllocation, discretionaryAmt, goodAfterTime, goodTillDate, fa x3 (no faProfile >= 177), modelCode
    "", "0", "", "", "", "", "", "MOD1",
    # shortSaleSlot, designatedLocation, exemptCode, ocaType, rule80A, settlingFirm, allOrNone,
    # minQty (E), percentOffset (E), eTradeOnly, firmQuoteOnly, nbboPriceCap
    "0", "", "-1", "0", "", "", "0", "", "", "0", "0", "",
    # auctionStrategy, startingPrice, stockRefPrice, delta, stockRangeLower/Upper, overridePercentageConstraints
    "0", "", "", "", "", "", "0",
    # volatility, volatilityType, deltaNeutralOrderType, deltaNeutralAuxPrice
    "", "", "", "",
    # continuousUpdate, referencePriceType, trailStopPrice, trailingPercent
    "0", "", "", "",
    # scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement, scaleTable, activeStart/StopTime
    "", "", "", "", "", "",
    # hedgeType, optOutSmartRouting, clearingAccount, clearingIntent, notHeld, deltaNeutralContract flag
    "", "0", "", "", "0", "0",
    # algoStrategy, algoId, whatIf, orderMiscOptions, solicited, randomizeSize, randomizePrice
    "", "", "0", "", "0", "0", "0",
    # conditions count; adjustedOrderType, triggerPrice, lmtPriceOffset, adjustedStopPrice,
    # adjustedStopLimitPrice, adjustedTrailingAmount (all make_field: the literal), adjustableTrailingUnit
    "0", "", PY_DMAX, PY_DMAX, PY_DMAX, PY_DMAX, PY_DMAX, "0",
    # extOperator, softDollarTier name/value, cashQty
    "OP1", "SDT", "V1", "15025.0",
    # mifid2 decision maker/algo, execution trader/algo
    "DM", "", "", "EA",
    # dontUseAutoPriceForHedge, isOmsContainer, discretionaryUpToLimitPrice, usePriceMgmtAlgo
    "1", "1", "1", "0",
    # duration, postToAts, autoCancelParent, advancedErrorOverride, manualOrderTime
    "60", "1", "1", "8229", "20240301 09:30:00",
    # (PEG BEST/MID: nothing for a LMT order on SMART) customerAccount, professionalCustomer
    "CUST1", "1",
    # includeOvernight, manualOrderIndicator, imbalanceOnly
    "1", "1", "1",
]  # fmt: skip

# official layout (client.py placeOrder below 145): the version 45 first, faProfile,
# no isOmsContainer; values only where 144 has the field.
PLACE_LMT_V144 = [
    "3", "45", "7",
    "265598", "AAPL", "STK", "", "", "", "", "SMART", "ISLAND", "USD", "AAPL", "NMS", "", "",
    "BUY", "100", "LMT", "150.25", "",
    "DAY", "", "", "", "0", "r1", "1", "0", "0", "0", "0", "0", "0", "0",
    # sharesAllocation, discretionaryAmt, gat, gtd, fa x3, faProfile (< 177), modelCode
    "", "0", "", "", "", "", "", "", "MOD1",
    "0", "", "-1", "0", "", "", "0", "", "", "0", "0", "",
    "0", "", "", "", "", "", "0",
    "", "", "", "",
    "0", "", "", "",
    "", "", "", "", "", "",
    "", "0", "", "", "0", "0",
    "", "", "0", "", "0", "0", "0",
    "0", "", PY_DMAX, PY_DMAX, PY_DMAX, PY_DMAX, PY_DMAX, "0",
    "OP1", "SDT", "V1", "15025.0",
    "DM", "", "", "EA",
    # dontUseAutoPriceForHedge (141); nothing from 145 on
    "1",
]  # fmt: skip

# official layout (processOpenOrder at server 200, no version field): the LMT order as
# TWS reports it, every field of reported_lmt_at(200) / reported_state_at(200) in place.
OPEN_LMT_V200 = [
    "5", "7",
    # contract: conId, symbol, secType, lastTradeDate, strike, right, multiplier, exchange,
    # currency, localSymbol, tradingClass (no primaryExchange)
    "265598", "AAPL", "STK", "", "0.0", "", "", "SMART", "USD", "AAPL", "NMS",
    # action, totalQuantity, orderType, lmtPrice, auxPrice
    "BUY", "100", "LMT", "150.25", "",
    # tif, ocaGroup, account, openClose, origin, orderRef, clientId, permId, outsideRth,
    # hidden, discretionaryAmt, goodAfterTime, sharesAllocation
    "DAY", "", "DU123", "", "0", "r1", "12", "2138440174", "0", "0", "0", "", "",
    # faGroup, faMethod, faPercentage (no faProfile >= 177), modelCode
    "", "", "", "MOD1",
    # goodTillDate, rule80A, percentOffset, settlingFirm, shortSaleSlot, designatedLocation, exemptCode
    "", "", "", "", "0", "", "-1",
    # auctionStrategy, startingPrice, stockRefPrice, delta, stockRangeLower/Upper, displaySize
    "0", "", "", "", "", "", IMAX,
    # blockOrder, sweepToFill, allOrNone, minQty, ocaType, eTradeOnly, firmQuoteOnly, nbboPriceCap
    "0", "0", "0", "", "0", "0", "0", "",
    # parentId, triggerMethod, volatility, volatilityType, deltaNeutralOrderType, deltaNeutralAuxPrice
    "0", "0", "", "0", "", "",
    # continuousUpdate, referencePriceType, trailStopPrice, trailingPercent, basisPoints,
    # basisPointsType, comboLegsDescrip, comboLegs count, orderComboLegs count, smartComboRoutingParams count
    "0", "0", "", "", "", "", "", "0", "0", "0",
    # scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement
    IMAX, IMAX, "",
    # hedgeType, optOutSmartRouting, clearingAccount, clearingIntent, notHeld, deltaNeutral flag
    "", "0", "", "IB", "0", "0",
    # algoStrategy, solicited
    "", "0",
    # whatIf, status, 6 margins before/change (>= 142), 3 after, commission x3, currency
    "0", "Submitted", "1000.5", JAVA_DMAX, JAVA_DMAX, JAVA_DMAX, JAVA_DMAX, JAVA_DMAX,
    JAVA_DMAX, JAVA_DMAX, "25000.75", "", "", "", "",
    # >= 195: marginCurrency, 9 outside-RTH margins, suggestedSize, rejectReason, allocations count
    "USD", "", "", "", "", "", "", "", "", "", "100", "", "0",
    # warningText, randomizeSize, randomizePrice
    "", "0", "0",
    # conditions count; adjustedOrderType, triggerPrice, trailStopPrice, lmtPriceOffset,
    # adjustedStopPrice, adjustedStopLimitPrice, adjustedTrailingAmount, adjustableTrailingUnit
    "0", "", JAVA_DMAX, JAVA_DMAX, JAVA_DMAX, JAVA_DMAX, JAVA_DMAX, JAVA_DMAX, "0",
    # softDollarTier name, value, displayName; cashQty
    "SDT", "V1", "Tier", "0.0",
    # dontUseAutoPriceForHedge, isOmsContainer, discretionaryUpToLimitPrice, usePriceMgmtAlgo,
    # duration, postToAts, autoCancelParent
    "1", "1", "1", "1", "60", "1", "1",
    # minTradeQty, minCompeteSize, competeAgainstBestOffset, midOffsetAtWhole, midOffsetAtHalf
    "", "", "", "", "",
    # customerAccount, professionalCustomer, bondAccruedInterest, includeOvernight
    "CUST1", "1", "1.25", "1",
    # extOperator, manualOrderIndicator (>= 193), submitter, imbalanceOnly
    "OP1", "0", "trader1", "1",
]  # fmt: skip

# official layout (processOpenOrder below 145): version 34 after the id, faProfile, and
# nothing from isOmsContainer (145) on.
OPEN_LMT_V144 = [
    "5", "34", "7",
    "265598", "AAPL", "STK", "", "0.0", "", "", "SMART", "USD", "AAPL", "NMS",
    "BUY", "100", "LMT", "150.25", "",
    "DAY", "", "DU123", "", "0", "r1", "12", "2138440174", "0", "0", "0", "", "",
    # fa x3, faProfile (< 177), modelCode
    "", "", "", "", "MOD1",
    "", "", "", "", "0", "", "-1",
    "0", "", "", "", "", "", IMAX,
    "0", "0", "0", "", "0", "0", "0", "",
    "0", "0", "", "0", "", "",
    "0", "0", "", "", "", "", "", "0", "0", "0",
    IMAX, IMAX, "",
    "", "0", "", "IB", "0", "0",
    "", "0",
    # whatIf, status, 6 margins (>= 142), 3 after, commissions, currency (no >= 195 block)
    "0", "Submitted", "1000.5", JAVA_DMAX, JAVA_DMAX, JAVA_DMAX, JAVA_DMAX, JAVA_DMAX,
    JAVA_DMAX, JAVA_DMAX, "25000.75", "", "", "", "",
    "", "0", "0",
    "0", "", JAVA_DMAX, JAVA_DMAX, JAVA_DMAX, JAVA_DMAX, JAVA_DMAX, JAVA_DMAX, "0",
    "SDT", "V1", "Tier", "0.0",
    # dontUseAutoPriceForHedge (141)
    "1",
]  # fmt: skip

# official layout (processCompletedOrderMsg at server 200): a filled LMT order.
COMPLETED_LMT_V200 = [
    "101",
    "265598", "AAPL", "STK", "", "0.0", "", "", "SMART", "USD", "AAPL", "NMS",
    "BUY", "100", "LMT", "150.25", "",
    # tif, ocaGroup, account, openClose, origin, orderRef, permId, outsideRth, hidden,
    # discretionaryAmt, goodAfterTime (no clientId, no sharesAllocation)
    "DAY", "", "DU123", "", "0", "r1", "2138440174", "0", "0", "0", "",
    # faGroup, faMethod, faPercentage, modelCode
    "", "", "", "MOD1",
    # goodTillDate, rule80A, percentOffset, settlingFirm, shortSaleSlot, designatedLocation, exemptCode
    "", "", "", "", "0", "", "-1",
    # startingPrice, stockRefPrice, delta, stockRangeLower/Upper, displaySize (no auctionStrategy)
    "", "", "", "", "", IMAX,
    # sweepToFill, allOrNone, minQty, ocaType, triggerMethod (no blockOrder, parentId)
    "0", "0", "", "0", "0",
    # volatility, volatilityType, deltaNeutralOrderType, deltaNeutralAuxPrice, continuousUpdate,
    # referencePriceType, trailStopPrice, trailingPercent (no basis points)
    "", "0", "", "", "0", "0", "", "",
    # comboLegsDescrip, comboLegs, orderComboLegs, smartComboRoutingParams counts
    "", "0", "0", "0",
    # scale sizes, increment, hedgeType, clearingAccount, clearingIntent, notHeld, deltaNeutral flag
    IMAX, IMAX, "", "", "", "IB", "0", "0",
    # algoStrategy, solicited, status, randomizeSize, randomizePrice, conditions count
    "", "0", "Filled", "0", "0", "0",
    # trailStopPrice, lmtPriceOffset, cashQty, dontUseAutoPriceForHedge, isOmsContainer
    JAVA_DMAX, JAVA_DMAX, JAVA_DMAX, "0", "0",
    # autoCancelDate, filledQuantity, refFuturesConId, autoCancelParent, shareholder,
    # imbalanceOnly, routeMarketableToBbo, parentPermId, completedTime, completedStatus
    "", "100", "0", "0", "", "0", "0", "0", "20240301 10:00:01 US/Eastern", "Filled Size: 100",
    # PEG BEST/MID x5, customerAccount, professionalCustomer, submitter
    "", "", "", "", "", "", "0", "trader1",
]  # fmt: skip

COMPLETED_LMT_ORDER = Order(
    **{
        **_fields_of(LMT),
        "perm_id": 2138440174,
        "account": "DU123",
        "model_code": "MOD1",
        "volatility_type": 0,
        "reference_price_type": 0,
        "display_size": None,
        "clearing_intent": "IB",
        "filled_quantity": Decimal("100"),
        "use_price_mgmt_algo": None,
        "route_marketable_to_bbo": False,
        "submitter": "trader1",
    }
)
COMPLETED_LMT_STATE = OrderState(
    status="Filled",
    completed_time="20240301 10:00:01 US/Eastern",
    completed_status="Filled Size: 100",
)


def test_literal_place_order_v200() -> None:
    msg = PlaceOrder(order_id=7, contract=AAPL, order=lmt_at(200))
    assert place_order_wire(200, 7, AAPL, lmt_at(200)) == PLACE_LMT_V200
    assert Codec(200).encode(msg) == PLACE_LMT_V200
    assert Codec(200, server=True).decode(list(PLACE_LMT_V200)) == msg


def test_literal_place_order_v144() -> None:
    msg = PlaceOrder(order_id=7, contract=AAPL, order=lmt_at(144))
    assert place_order_wire(144, 7, AAPL, lmt_at(144)) == PLACE_LMT_V144
    assert Codec(144).encode(msg) == PLACE_LMT_V144
    assert Codec(144, server=True).decode(list(PLACE_LMT_V144)) == msg


@pytest.mark.parametrize(("version", "fields"), [(200, OPEN_LMT_V200), (144, OPEN_LMT_V144)])
def test_literal_open_order(version: int, fields: list[str]) -> None:
    msg = OpenOrder(
        order_id=7,
        contract=AAPL_REPORTED,
        order=reported_lmt_at(version),
        order_state=reported_state_at(version),
    )
    assert open_order_wire(version, 7, msg.contract, msg.order, msg.order_state) == fields
    assert Codec(version).decode(list(fields)) == msg
    assert Codec(version, server=True).encode(msg) == fields


def test_open_order_margins_are_numbers_and_unset_spellings_read_as_none() -> None:
    # The margins start after whatIf and status: 9 from server 142.
    start = OPEN_LMT_V200.index("Submitted") + 1
    assert OPEN_LMT_V200[start : start + 9] == ["1000.5", *[JAVA_DMAX] * 7, "25000.75"]
    fields = list(OPEN_LMT_V200)
    fields[start : start + 9] = ["-12.5", "", "1.7976931348623157e+308", "0", *[""] * 5]
    state = Codec(200).decode(fields).order_state  # type: ignore[attr-defined]
    assert state.init_margin_before == -12.5 and state.init_margin_change == 0.0
    assert state.maint_margin_before is None and state.equity_with_loan_before is None
    assert state.equity_with_loan_after is None
    # Unset goes out as TWS writes it, a number as text float() reads back.
    again = Codec(200, server=True).encode(OpenOrder(order_id=7, contract=AAPL_REPORTED,
                                                      order=reported_lmt_at(200),
                                                      order_state=state))
    assert again[start : start + 9] == ["-12.5", JAVA_DMAX, JAVA_DMAX, "0.0", *[JAVA_DMAX] * 5]


def test_literal_completed_order_v200() -> None:
    msg = CompletedOrder(
        contract=AAPL_REPORTED, order=COMPLETED_LMT_ORDER, order_state=COMPLETED_LMT_STATE
    )
    assert (
        completed_order_wire(200, AAPL_REPORTED, msg.order, msg.order_state) == COMPLETED_LMT_V200
    )
    assert Codec(200).decode(list(COMPLETED_LMT_V200)) == msg
    assert Codec(200, server=True).encode(msg) == COMPLETED_LMT_V200


# ======================================================================= every version band

# official layout: the simple LMT order at each version band of the brief.
SYNTHETIC_VERSIONS = (145, 157, 163, 170, 176, 187, 189, 195, 200)


@pytest.mark.parametrize("version", sorted({*SYNTHETIC_VERSIONS, *VERSIONS}))
def test_place_order_lmt_at_every_band(version: int) -> None:
    order = lmt_at(version)
    msg = PlaceOrder(order_id=7, contract=AAPL, order=order)
    fields = place_order_wire(version, 7, AAPL, order)
    assert Codec(version).encode(msg) == fields
    assert Codec(version, server=True).decode(list(fields)) == msg


@pytest.mark.parametrize("version", sorted({*SYNTHETIC_VERSIONS, *VERSIONS}))
def test_open_order_lmt_at_every_band(version: int) -> None:
    msg = OpenOrder(
        order_id=7,
        contract=AAPL_REPORTED,
        order=reported_lmt_at(version),
        order_state=reported_state_at(version),
    )
    fields = open_order_wire(version, 7, msg.contract, msg.order, msg.order_state)
    assert Codec(version).decode(list(fields)) == msg
    assert Codec(version, server=True).encode(msg) == fields


def completed_lmt_at(v: int) -> Order:
    fields = _fields_of(COMPLETED_LMT_ORDER)
    for since, name in ((103, "model_code"), (198, "submitter")):
        if v < since:
            fields[name] = ""
    if v >= 111:
        fields["cash_qty"] = 1000.0
    if v >= 170:
        fields["min_compete_size"] = 100
    if v >= 183:
        fields["customer_account"] = "CUST1"
    return Order(**fields)


@pytest.mark.parametrize("version", sorted({*SYNTHETIC_VERSIONS, *VERSIONS}))
def test_completed_order_lmt_at_every_band(version: int) -> None:
    msg = CompletedOrder(
        contract=AAPL_REPORTED, order=completed_lmt_at(version), order_state=COMPLETED_LMT_STATE
    )
    fields = completed_order_wire(version, msg.contract, msg.order, msg.order_state)
    assert Codec(version).decode(list(fields)) == msg
    assert Codec(version, server=True).encode(msg) == fields


# ======================================================================= optional blocks

PLACED: list[tuple[str, Contract, Order]] = [
    ("bag", BAG, BAG_ORDER),
    ("rich", HEDGED, RICH_PLACED),
    ("peg-bench", AAPL, PEG_BENCH),
    ("peg-best-up-to-mid-ibkrats", IBKRATS, PEG_BEST_UP_TO_MID),
    ("peg-best", AAPL, PEG_BEST),
    ("peg-mid", AAPL, PEG_MID),
]


#: (label, version, contract, order): every optional block at the versions that carry it
#: (PEG BEST/MID attributes exist from 170).
PLACED_AT = [
    (f"{label}-v{version}", version, contract, order)
    for label, contract, order in PLACED
    for version in (102, 145, 170, 176, 188, 200)
    if version >= 170 or order.order_type in ("LMT", "PEG BENCH")
]


@pytest.mark.parametrize(
    ("version", "contract", "order"), [p[1:] for p in PLACED_AT], ids=[p[0] for p in PLACED_AT]
)
def test_place_order_optional_blocks(version: int, contract: Contract, order: Order) -> None:
    msg = PlaceOrder(order_id=11, contract=contract, order=order)
    fields = place_order_wire(version, 11, contract, order)
    assert Codec(version).encode(msg) == fields
    assert Codec(version, server=True).decode(list(fields)) == msg


def _fields_of_contract(c: Contract) -> dict[str, Any]:
    return {name: getattr(c, name) for name in c.__dataclass_fields__}


def _reported_bag() -> Contract:
    fields = _fields_of_contract(BAG)
    fields["combo_legs_descrip"] = "1001|1,1002|-2"
    fields["strike"] = 0.0
    return Contract(**fields)


def _what_if_state() -> OrderState:
    return OrderState(
        status="PreSubmitted",
        init_margin_before=1000.0,
        init_margin_after=2000.0,
        commission_and_fees=1.0,
        min_commission_and_fees=0.35,
        max_commission_and_fees=1.5,
        commission_and_fees_currency="USD",
        margin_currency="USD",
        init_margin_before_outside_rth=1100.0,
        equity_with_loan_after_outside_rth=5000.0,
        suggested_size=Decimal("50"),
        reject_reason="",
        order_allocations=(
            OrderAllocation(
                account="DU1",
                position=Decimal("0"),
                position_desired=Decimal("60"),
                position_after=Decimal("60"),
                desired_alloc_qty=Decimal("60"),
                allowed_alloc_qty=Decimal("60"),
            ),
            OrderAllocation(account="DU2", position_desired=Decimal("0.5"), is_monetary=True),
        ),
        warning_text="Check margin",
    )


REPORTED_CASES: list[tuple[str, Contract, Order, OrderState]] = [
    ("bag", _reported_bag(), BAG_ORDER, OrderState(status="Submitted")),
    ("rich", HEDGED_REPORTED, RICH_REPORTED, OrderState(status="Submitted")),
    ("peg-bench", AAPL_REPORTED, PEG_BENCH, OrderState(status="PreSubmitted")),
    ("peg-best", AAPL_REPORTED, PEG_BEST_UP_TO_MID, OrderState(status="Submitted")),
    (
        "what-if",
        AAPL_REPORTED,
        Order(**{**_fields_of(LMT), "what_if": True}),
        _what_if_state(),
    ),
]


def _reported_at(v: int, order: Order, state: OrderState) -> tuple[Order, OrderState]:
    """Leave the fields the version lacks at their defaults."""
    fields = _fields_of(order)
    if v >= 151:
        # The official decoder reads usePriceMgmtAlgo as a plain bool: never None.
        fields["use_price_mgmt_algo"] = bool(fields["use_price_mgmt_algo"])
    if v < 170:
        for name in (
            "min_trade_qty",
            "min_compete_size",
            "compete_against_best_offset",
            "mid_offset_at_whole",
            "mid_offset_at_half",
        ):
            fields[name] = None
    s = _fields_of_state(state)
    if v < 195:
        for name in (
            "margin_currency",
            "init_margin_before_outside_rth",
            "equity_with_loan_after_outside_rth",
            "suggested_size",
            "order_allocations",
        ):
            s[name] = OrderState.__dataclass_fields__[name].default
        s["order_allocations"] = ()
    if v < 142:
        s["init_margin_before"] = None
    return Order(**fields), OrderState(**s)


def _fields_of_state(s: OrderState) -> dict[str, Any]:
    return {name: getattr(s, name) for name in s.__dataclass_fields__}


@pytest.mark.parametrize("version", (102, 145, 170, 195, 200))
@pytest.mark.parametrize(
    ("contract", "order", "state"),
    [c[1:] for c in REPORTED_CASES],
    ids=[c[0] for c in REPORTED_CASES],
)
def test_open_order_optional_blocks(
    version: int, contract: Contract, order: Order, state: OrderState
) -> None:
    order, state = _reported_at(version, order, state)
    order = Order(**{**_fields_of(order), "order_id": 11})
    msg = OpenOrder(order_id=11, contract=contract, order=order, order_state=state)
    fields = open_order_wire(version, 11, contract, order, state)
    assert Codec(version).decode(list(fields)) == msg
    assert Codec(version, server=True).encode(msg) == fields


@pytest.mark.parametrize("version", (150, 170, 200))
@pytest.mark.parametrize(
    ("contract", "order", "state"),
    [c[1:] for c in REPORTED_CASES],
    ids=[c[0] for c in REPORTED_CASES],
)
def test_completed_order_optional_blocks(
    version: int, contract: Contract, order: Order, state: OrderState
) -> None:
    order, _ = _reported_at(version, order, state)
    # A completed order carries neither what-if figures nor the open-order-only fields.
    fields = _fields_of(order)
    fields.update(
        what_if=False,
        delta_neutral_settling_firm="",
        delta_neutral_clearing_account="",
        delta_neutral_clearing_intent="",
        delta_neutral_open_close="",
        basis_points=None,
        basis_points_type=None,
        adjusted_order_type="",
        trigger_price=None,
        adjusted_stop_price=None,
        adjusted_stop_limit_price=None,
        adjusted_trailing_amount=None,
        adjustable_trailing_unit=0,
        display_size=None,
        use_price_mgmt_algo=None,
        route_marketable_to_bbo=True,
        parent_perm_id=987654321,
        filled_quantity=Decimal("0.5"),
        auto_cancel_date="20240302",
        ref_futures_con_id=5,
        shareholder="SH",
    )
    order = Order(**fields)
    done = OrderState(status="Cancelled", completed_time="t", completed_status="Cancelled by user")
    msg = CompletedOrder(contract=contract, order=order, order_state=done)
    wire = completed_order_wire(version, contract, order, done)
    assert Codec(version).decode(list(wire)) == msg
    assert Codec(version, server=True).encode(msg) == wire


def test_conditions_on_the_wire() -> None:
    # official layout (order_condition.py make_fields): type, a/o, then each kind's fields.
    expected = [
        "6",
        "1", "a", "1", "150.5", "265598", "SMART", "2",
        "3", "o", "0", "20240301 09:30:00 US/Eastern",
        "4", "a", "1", "30",
        "5", "a", "STK", "SMART", "AAPL",
        "6", "o", "1", "100000", "265598", "SMART",
        "7", "a", "0", "2.5", "265598", "SMART",
        "1", "1",  # conditionsIgnoreRth, conditionsCancelOrder
    ]  # fmt: skip
    order = Order(
        **{
            **_fields_of(LMT),
            "conditions": ALL_CONDITIONS,
            "conditions_ignore_rth": True,
            "conditions_cancel_order": True,
        }
    )
    fields = Codec(176).encode(PlaceOrder(order_id=1, contract=AAPL, order=order))
    # The conditions follow randomizePrice at a fixed position for this order.
    start = place_order_wire(176, 1, AAPL, LMT).index(PY_DMAX) - 2
    assert fields[start : start + len(expected)] == expected
    # No conditions: the count alone, without the two flags.
    plain = Codec(176).encode(PlaceOrder(order_id=1, contract=AAPL, order=LMT))
    assert plain[start : start + 3] == ["0", "", PY_DMAX]


def test_peg_best_up_to_mid_sends_infinity_and_mid_offsets() -> None:
    fields = Codec(200).encode(PlaceOrder(order_id=1, contract=IBKRATS, order=PEG_BEST_UP_TO_MID))
    # official layout (client.py placeOrder >= 170): minTradeQty (IBKRATS), minCompeteSize,
    # competeAgainstBestOffset ("Infinity" = up to mid), midOffsetAtWhole, midOffsetAtHalf;
    # then customerAccount, professionalCustomer, includeOvernight, manualOrderIndicator,
    # imbalanceOnly.
    assert fields[-10:] == ["10", "100", "Infinity", "0.01", "0.005", "", "0", "0", IMAX, "0"]
    decoded = Codec(200, server=True).decode(fields)
    assert isinstance(decoded, PlaceOrder)
    assert decoded.order.compete_against_best_offset == math.inf


def test_rfq_fields_only_between_187_and_190() -> None:
    for version, tail in (
        (186, ["", "0"]),
        (187, ["", "0", "", IMAX]),
        (189, ["", "0", "", IMAX, "0"]),
    ):
        fields = Codec(version).encode(PlaceOrder(order_id=1, contract=AAPL, order=LMT))
        assert fields[-len(tail) :] == tail, version
    fields = Codec(190).encode(PlaceOrder(order_id=1, contract=AAPL, order=LMT))
    assert fields[-3:] == ["", "0", "0"]  # customerAccount, professionalCustomer, includeOvernight


def test_place_order_below_101_sends_an_integer_quantity() -> None:
    order = Order(**{**_fields_of(LMT), "total_quantity": Decimal("100.0")})
    fields = Codec(100).encode(PlaceOrder(order_id=1, contract=AAPL, order=order))
    assert fields[:3] == ["3", "45", "1"]
    assert fields[18] == "100"  # int(totalQuantity)
    assert Codec(101).encode(PlaceOrder(order_id=1, contract=AAPL, order=order))[18] == "100.0"


def test_place_order_sends_unset_literals_where_the_official_client_does() -> None:
    fields = Codec(200).encode(PlaceOrder(order_id=1, contract=AAPL, order=LMT))
    assert fields == place_order_wire(200, 1, AAPL, LMT)
    assert fields.count(PY_DMAX) == 6  # five adjusted-order doubles and cashQty
    # displaySize (make_field of 0), duration, postToAts, manualOrderIndicator
    assert fields.count(IMAX) == 3
    unset_display = Order(**{**_fields_of(LMT), "display_size": None})
    assert (
        Codec(200).encode(PlaceOrder(order_id=1, contract=AAPL, order=unset_display)).count(IMAX)
        == 4
    )


def test_open_order_before_145_gates_on_its_version_field() -> None:
    # official layout (orderdecoder.py): with message version 31 there is no multiplier
    # nor trading class (32), no solicited (33), no randomize flags (34).
    full = open_order_wire(120, 7, AAPL_REPORTED, reported_lmt_at(120), reported_state_at(120))
    assert full[1] == "34"
    msg = Codec(120).decode(list(full))
    assert isinstance(msg, OpenOrder)
    assert msg.contract.trading_class == "NMS"
    reduced = Codec(120).decode(_drop_version_gated(full))
    assert isinstance(reduced, OpenOrder)
    assert reduced.contract.trading_class == "" and reduced.contract.multiplier == ""
    assert reduced.order.solicited is False and reduced.order.randomize_size is False
    assert reduced.order.order_ref == "r1" and reduced.order_state.status == "Submitted"
    assert reduced.order.soft_dollar_tier.display_name == "Tier"
    assert reduced == OpenOrder(
        order_id=7,
        contract=Contract(**{**_fields_of_contract(AAPL_REPORTED), "trading_class": ""}),
        order=reported_lmt_at(120),
        order_state=reported_state_at(120),
    )


def _drop_version_gated(full: list[str]) -> list[str]:
    """The v120 LMT wire as a TWS writing message version 31 would send it."""
    out = list(full)
    out[1] = "31"
    whatif = out.index("Submitted") - 1  # whatIf precedes the status
    assert out[whatif - 1] == "0"  # solicited (33)
    # below 142: whatIf, status, 3 margins after, 3 commissions, currency, warningText
    warning = whatif + 9
    assert out[warning - 1 : warning + 3] == ["", "", "0", "0"]
    del out[warning + 1 : warning + 3]  # randomizeSize, randomizePrice (34)
    del out[whatif - 1]  # solicited (33)
    del out[13]  # tradingClass (32)
    del out[9]  # multiplier (32)
    return out


# ======================================================================= refusals


REFUSED: list[tuple[str, object, int]] = [
    # client.py placeOrder's "update TWS" checks at server >= 100, and the blocks it
    # only sends from a version on.
    ("conditions", (TimeCondition(time="t"),), 102),
    ("reference_exchange_id", "ARCA", 102),
    ("trigger_price", 1.0, 102),
    ("model_code", "M", 103),
    ("ext_operator", "X", 105),
    ("soft_dollar_tier", SoftDollarTier(name="N", value="V"), 106),
    ("cash_qty", 1000.0, 111),
    ("mifid2_decision_maker", "DM", 138),
    ("mifid2_decision_algo", "DA", 138),
    ("mifid2_execution_trader", "ET", 139),
    ("mifid2_execution_algo", "EA", 139),
    ("dont_use_auto_price_for_hedge", True, 141),
    ("is_oms_container", True, 145),
    ("discretionary_up_to_limit_price", True, 148),
    ("use_price_mgmt_algo", True, 151),
    ("duration", 60, 158),
    ("post_to_ats", 1, 160),
    ("auto_cancel_parent", True, 162),
    ("advanced_error_override", "8229", 166),
    ("manual_order_time", "20240301 09:30:00", 169),
    ("min_trade_qty", 10, 170),
    ("min_compete_size", 100, 170),
    ("compete_against_best_offset", 0.02, 170),
    ("mid_offset_at_whole", 0.01, 170),
    ("mid_offset_at_half", 0.005, 170),
    ("customer_account", "C", 183),
    ("professional_customer", True, 184),
    ("include_overnight", True, 189),
    ("manual_order_indicator", 1, 192),
    ("imbalance_only", True, 199),
]


@pytest.mark.parametrize(("name", "value", "required"), REFUSED, ids=[r[0] for r in REFUSED])
def test_place_order_refuses_fields_the_server_is_too_old_for(
    name: str, value: object, required: int
) -> None:
    order = Order(**{**_fields_of(LMT), name: value})
    msg = PlaceOrder(order_id=1, contract=AAPL, order=order)
    with pytest.raises(UnsupportedByServerError) as info:
        Codec(required - 1).encode(msg)
    assert info.value.required == required
    assert name in info.value.feature
    assert Codec(required).encode(msg)[0] == "3"


def test_place_order_refuses_unsendable_misc_options() -> None:
    order = Order(**{**_fields_of(LMT), "order_misc_options": (TagValue(tag="a;b", value="1"),)})
    with pytest.raises(LocalProtocolError):
        Codec(176).encode(PlaceOrder(order_id=1, contract=AAPL, order=order))


def test_misc_options_travel_as_one_text_field() -> None:
    options = (TagValue(tag="a", value="1"), TagValue(tag="b", value="x=y"))
    order = Order(**{**_fields_of(LMT), "order_misc_options": options})
    fields = Codec(176).encode(PlaceOrder(order_id=1, contract=AAPL, order=order))
    assert "a=1;b=x=y;" in fields
    decoded = Codec(176, server=True).decode(fields)
    assert isinstance(decoded, PlaceOrder) and decoded.order.order_misc_options == options


def test_unknown_condition_type_is_malformed() -> None:
    order = Order(**{**_fields_of(LMT), "conditions": (TimeCondition(time="t"),)})
    msg = OpenOrder(order_id=7, contract=AAPL_REPORTED, order=order)
    fields = Codec(176, server=True).encode(msg)
    fields[fields.index("t") - 3] = "2"  # the condition type: 2 does not exist
    with pytest.raises(MalformedMessageError):
        Codec(176).decode(fields)


# ======================================================================= real traffic

#: The placeOrder fields the official client sends as the raw UNSET value (the
#: max-double / max-int literal): triggerPrice, lmtPriceOffset, adjustedStopPrice,
#: adjustedStopLimitPrice, adjustedTrailingAmount, cashQty, duration, postToAts (indexes at
#: server 176 for an order without combo legs, conditions or PEG fields).
LITERAL_UNSET_AT_176 = {
    92: PY_DMAX,
    93: PY_DMAX,
    94: PY_DMAX,
    95: PY_DMAX,
    96: PY_DMAX,
    101: PY_DMAX,
    110: IMAX,
    111: IMAX,
}


def _real(direction: str, msg_id: str) -> list[tuple[str, list[str]]]:
    return [
        (r.source, list(r.fields))
        for r in real_records()
        if r.direction == direction and r.fields and r.fields[0] == msg_id
    ]


def test_real_open_orders_decode() -> None:
    client = Codec(176)
    records = _real("in", "5")
    assert len(records) == 18
    for source, fields in records:
        msg = client.decode(fields)
        assert isinstance(msg, OpenOrder), source
        assert msg.order.order_id == msg.order_id, source
        assert msg.contract.exchange in ("ICEEU", "ICEEUSOFT"), source
        assert msg.order.account == "DU1234567", source
        assert msg.order.action == "BUY", source
        assert msg.order.clearing_intent == "IB", source


def test_real_open_order_values() -> None:
    client = Codec(176)
    by_line = {source.rsplit(":", 1)[1]: fields for source, fields in _real("in", "5")}
    # real capture pyfutures-v176 line 225: a GTC market order on ICE Europe.
    msg = client.decode(by_line["225"])
    assert isinstance(msg, OpenOrder)
    assert msg.order_id == 5
    assert msg.contract.con_id == 623496135 and msg.contract.symbol == "R"
    assert msg.contract.sec_type == "FUT" and msg.contract.multiplier == "1000"
    assert msg.contract.strike == 0.0 and msg.contract.right == "?"
    assert msg.order.total_quantity == Decimal(1) and msg.order.order_type == "MKT"
    assert msg.order.lmt_price == 96.79 and msg.order.aux_price == 0.0 and msg.order.tif == "GTC"
    assert msg.order.perm_id == 2138440174 and msg.order.client_id == 1
    assert msg.order.order_ref == "5"
    assert msg.order.display_size is None and msg.order.oca_type == 3
    assert msg.order.exempt_code == -1
    # TWS writes deltaNeutralOrderType "None", so the delta-neutral attributes follow.
    assert msg.order.delta_neutral_order_type == "None"
    assert msg.order.delta_neutral_open_close == "?"
    assert msg.order.scale_init_level_size is None and msg.order.scale_subs_level_size is None
    assert msg.order.trigger_price is None and msg.order.adjusted_order_type == "None"
    # the second trailStopPrice (adjusted-order fields) wins, as in the official decoder
    assert msg.order.trail_stop_price == 97.79
    assert msg.order.cash_qty == 0.0 and msg.order.dont_use_auto_price_for_hedge is True
    assert msg.order.duration is None and msg.order.post_to_ats is None
    assert msg.order.min_trade_qty is None and msg.order.compete_against_best_offset is None
    assert msg.order_state.status == "Submitted"
    # Every margin figure is TWS's Java max-double: unset.
    assert msg.order_state.init_margin_before is None
    assert msg.order_state.equity_with_loan_after is None
    assert msg.order_state.commission_and_fees is None
    # line 230: a filled order with its commission.
    filled = client.decode(by_line["230"])
    assert isinstance(filled, OpenOrder)
    assert filled.order_state.status == "Filled"
    assert filled.order_state.commission_and_fees == 1.7
    assert filled.order_state.commission_and_fees_currency == "GBP"
    # line 247: a modified limit order for 2 lots.
    modified = client.decode(by_line["247"])
    assert isinstance(modified, OpenOrder)
    assert modified.order_id == 59 and modified.order.total_quantity == Decimal(2)
    assert modified.order.order_type == "LMT" and modified.order.lmt_price == 86.95
    # line 416: an order placed by the API with a client order id as its reference.
    placed = client.decode(by_line["416"])
    assert isinstance(placed, OpenOrder)
    assert placed.order_id == 3 and placed.contract.symbol == "D"
    assert placed.order.order_ref == "48909417-95cb-4668-a70f-7886c71fb5a9"
    assert placed.order.lmt_price == 2400.0 and placed.order_state.status == "Submitted"


def test_real_place_orders_round_trip() -> None:
    client, server = Codec(176), Codec(176, server=True)
    records = _real("out", "3")
    assert len(records) == 10
    exact = 0
    for source, fields in records:
        msg = server.decode(fields)
        assert isinstance(msg, PlaceOrder), source
        again = client.encode(msg)
        assert len(again) == len(fields), source
        differ = {i for i, (a, b_) in enumerate(zip(fields, again, strict=True)) if a != b_}
        if not differ:
            exact += 1
            continue
        # Two records (pyfutures test_client.py, a mocked send) write these eight unset
        # fields as empty where the official client writes the literal; TWS reads both
        # as unset, and ibwire writes what the official client writes.
        assert differ == set(LITERAL_UNSET_AT_176), source
        for i in differ:
            assert fields[i] == "" and again[i] == LITERAL_UNSET_AT_176[i], source
        for name in ("trigger_price", "lmt_price_offset", "adjusted_stop_price", "cash_qty"):
            assert getattr(msg.order, name) is None, source
        assert msg.order.duration is None and msg.order.post_to_ats is None, source
    assert exact == 8


def test_real_place_order_values() -> None:
    server = Codec(176, server=True)
    by_line = {source.rsplit(":", 1)[1]: fields for source, fields in _real("out", "3")}
    # real capture pyfutures-v176 line 174: a recorded session's limit order.
    msg = server.decode(by_line["174"])
    assert isinstance(msg, PlaceOrder)
    assert msg.order_id == 683
    assert msg.contract.con_id == 490586912 and msg.contract.symbol == "EBM"
    assert msg.contract.exchange == "MATIF" and msg.contract.strike == 0.0
    assert msg.order.action == "BUY" and msg.order.total_quantity == Decimal(1)
    assert msg.order.order_type == "LMT" and msg.order.lmt_price is None
    assert msg.order.transmit is True and msg.order.display_size == 0
    assert msg.order.use_price_mgmt_algo is None
    # line 265: quantity written as "2.0" by the client; kept as sent.
    msg = server.decode(by_line["265"])
    assert isinstance(msg, PlaceOrder)
    assert msg.order.total_quantity == Decimal("2.0") and msg.order.lmt_price == 88.68
    assert Codec(176).encode(msg)[17] == "2.0"


def test_every_class_has_vectors() -> None:
    classes: set[type[Message]] = {PlaceOrder, OpenOrder, CompletedOrder}
    assert {PlaceOrder.MSG_ID, OpenOrder.MSG_ID, CompletedOrder.MSG_ID} == {3, 5, 101}
    assert all(issubclass(c, Message) for c in classes)
