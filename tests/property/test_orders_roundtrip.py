"""Random orders round-trip through placeOrder, openOrder and completedOrder at every band.

The strategies below build each message with random values in exactly the fields
its layout carries at the drawn server version, every optional block switched on
or off at random (combo legs, algo parameters, conditions of every kind, the
delta-neutral order and contract, scale extras, hedge, PEG BENCH / BEST / MID
attributes, adjusted stops, soft dollar tier, what-if figures); fields the
version lacks stay at their defaults.  Encoding then decoding must give back an
equal object.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ibwire.codec import Codec
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

from ..strategies import gates

#: The bands of the brief, and every gate of the three classes with the version below it.
VERSIONS = sorted(
    v
    for v in {
        100, 145, 150, 157, 163, 166, 169, 170, 176, 177, 183, 184, 187, 189, 190,
        192, 193, 195, 198, 199, 200,
        *(g for cls in (PlaceOrder, OpenOrder, CompletedOrder) for g in gates(cls)),
        *(g - 1 for cls in (PlaceOrder, OpenOrder, CompletedOrder) for g in gates(cls)),
    }
    if 100 <= v <= 200
)  # fmt: skip

TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=8)
NONEMPTY = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=8)
#: Text that the one-field ``tag=value;`` list can carry.
OPTION_TEXT = st.text(
    st.characters(min_codepoint=32, max_codepoint=126, exclude_characters=";="), max_size=6
)
INTS = st.integers(min_value=-(2**31) + 1, max_value=2**31 - 2)  # never the UNSET literal
LONGS = st.integers(min_value=0, max_value=2**62)
FLOATS = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
POSITIVE = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)
DECIMALS = st.decimals(
    min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False
)
OPT_INTS = st.none() | INTS
OPT_FLOATS = st.none() | FLOATS
OPT_DECIMALS = st.none() | DECIMALS
TAG_VALUES = st.lists(st.builds(TagValue, tag=TEXT, value=TEXT), max_size=3).map(tuple)
ORDER_TYPES = st.sampled_from(
    ["LMT", "MKT", "STP", "PEG BENCH", "PEGBENCH", "PEG BEST", "PEGBEST", "PEG MID", "PEGMID"]
)
CONDITIONS: st.SearchStrategy[OrderCondition] = st.one_of(
    st.builds(
        PriceCondition,
        is_conjunction_connection=st.booleans(),
        is_more=st.booleans(),
        price=FLOATS,
        con_id=INTS,
        exchange=TEXT,
        trigger_method=st.integers(0, 8),
    ),
    st.builds(
        TimeCondition, is_conjunction_connection=st.booleans(), is_more=st.booleans(), time=TEXT
    ),
    st.builds(
        MarginCondition,
        is_conjunction_connection=st.booleans(),
        is_more=st.booleans(),
        percent=st.integers(-100, 100),
    ),
    st.builds(
        ExecutionCondition,
        is_conjunction_connection=st.booleans(),
        sec_type=TEXT,
        exchange=TEXT,
        symbol=TEXT,
    ),
    st.builds(
        VolumeCondition,
        is_conjunction_connection=st.booleans(),
        is_more=st.booleans(),
        volume=INTS,
        con_id=INTS,
        exchange=TEXT,
    ),
    st.builds(
        PercentChangeCondition,
        is_conjunction_connection=st.booleans(),
        is_more=st.booleans(),
        change_percent=FLOATS,
        con_id=INTS,
        exchange=TEXT,
    ),
)
COMBO_LEGS = st.lists(
    st.builds(
        ComboLeg,
        con_id=INTS,
        ratio=INTS,
        action=st.sampled_from(["BUY", "SELL", "SSHORT"]),
        exchange=TEXT,
        open_close=st.integers(0, 3),
        short_sale_slot=st.integers(0, 2),
        designated_location=TEXT,
        exempt_code=INTS,
    ),
    max_size=3,
).map(tuple)
DELTA_NEUTRAL = st.none() | st.builds(DeltaNeutralContract, con_id=INTS, delta=FLOATS, price=FLOATS)

Kind = str  # "place", "open" or "completed"


def _common(draw: st.DrawFn, kind: Kind, v: int, f: dict[str, Any]) -> None:
    """Fields all three messages carry (with their per-message differences)."""
    f["action"] = draw(st.sampled_from(["BUY", "SELL", "SSHORT"]))
    quantity = draw(DECIMALS)
    if kind == "place":
        quantity = abs(quantity)
        if v < 101:  # sent as int(totalQuantity)
            quantity = Decimal(int(quantity))
    f["total_quantity"] = quantity
    f["order_type"] = draw(ORDER_TYPES)
    f["lmt_price"] = draw(OPT_FLOATS)
    f["aux_price"] = draw(OPT_FLOATS)
    for name in (
        "tif", "oca_group", "account", "open_close", "order_ref", "good_after_time",
        "fa_group", "fa_method", "fa_percentage", "good_till_date", "rule80_a",
        "settling_firm", "designated_location", "clearing_account", "clearing_intent",
    ):  # fmt: skip
        f[name] = draw(TEXT)
    if v >= 103:
        f["model_code"] = draw(TEXT)
    for name in ("origin", "short_sale_slot", "exempt_code", "oca_type", "trigger_method"):
        f[name] = draw(INTS)
    for name in ("outside_rth", "hidden", "sweep_to_fill", "all_or_none", "not_held"):
        f[name] = draw(st.booleans())
    for name in ("solicited", "continuous_update", "randomize_size", "randomize_price"):
        f[name] = draw(st.booleans())
    f["discretionary_amt"] = draw(st.one_of(st.just(0), FLOATS))
    for name in (
        "percent_offset", "starting_price", "stock_ref_price", "delta", "stock_range_lower",
        "stock_range_upper", "volatility", "delta_neutral_aux_price", "trail_stop_price",
        "trailing_percent",
    ):  # fmt: skip
        f[name] = draw(OPT_FLOATS)
    f["min_qty"] = draw(OPT_INTS)
    f["display_size"] = draw(OPT_INTS)
    f["volatility_type"] = draw(OPT_INTS)
    f["reference_price_type"] = draw(OPT_INTS)
    # delta-neutral order: its attributes only travel with an order type
    if draw(st.booleans()):
        f["delta_neutral_order_type"] = draw(NONEMPTY)
        f["delta_neutral_con_id"] = draw(INTS)
        f["delta_neutral_short_sale"] = draw(st.booleans())
        f["delta_neutral_short_sale_slot"] = draw(INTS)
        f["delta_neutral_designated_location"] = draw(TEXT)
        if kind != "completed":
            f["delta_neutral_settling_firm"] = draw(TEXT)
            f["delta_neutral_clearing_account"] = draw(TEXT)
            f["delta_neutral_clearing_intent"] = draw(TEXT)
            f["delta_neutral_open_close"] = draw(TEXT)
    # scale: the extras only with a positive increment
    f["scale_init_level_size"] = draw(OPT_INTS)
    f["scale_subs_level_size"] = draw(OPT_INTS)
    if draw(st.booleans()):
        f["scale_price_increment"] = draw(POSITIVE)
        f["scale_price_adjust_value"] = draw(OPT_FLOATS)
        f["scale_price_adjust_interval"] = draw(OPT_INTS)
        f["scale_profit_offset"] = draw(OPT_FLOATS)
        f["scale_auto_reset"] = draw(st.booleans())
        f["scale_init_position"] = draw(OPT_INTS)
        f["scale_init_fill_qty"] = draw(OPT_INTS)
        f["scale_random_percent"] = draw(st.booleans())
    else:
        f["scale_price_increment"] = draw(st.none() | st.just(0.0) | st.just(-1.5))
    if draw(st.booleans()):
        f["hedge_type"] = draw(NONEMPTY)
        f["hedge_param"] = draw(TEXT)
    if draw(st.booleans()):
        f["algo_strategy"] = draw(NONEMPTY)
        f["algo_params"] = draw(TAG_VALUES)
    if v >= 102:
        if f["order_type"] in ("PEG BENCH", "PEGBENCH"):
            f["reference_contract_id"] = draw(INTS)
            f["is_pegged_change_amount_decrease"] = draw(st.booleans())
            f["pegged_change_amount"] = draw(FLOATS)
            f["reference_change_amount"] = draw(FLOATS)
            f["reference_exchange_id"] = draw(TEXT)
        conditions = draw(st.lists(CONDITIONS, max_size=4).map(tuple))
        f["conditions"] = conditions
        if conditions:
            f["conditions_ignore_rth"] = draw(st.booleans())
            f["conditions_cancel_order"] = draw(st.booleans())
    if v >= 111:
        f["cash_qty"] = draw(OPT_FLOATS)
    if v >= 141:
        f["dont_use_auto_price_for_hedge"] = draw(st.booleans())
    if v >= 145:
        f["is_oms_container"] = draw(st.booleans())


def _adjusted(draw: st.DrawFn, f: dict[str, Any]) -> None:
    f["adjusted_order_type"] = draw(TEXT)
    for name in (
        "trigger_price",
        "lmt_price_offset",
        "adjusted_stop_price",
        "adjusted_stop_limit_price",
        "adjusted_trailing_amount",
    ):
        f[name] = draw(OPT_FLOATS)
    f["adjustable_trailing_unit"] = draw(INTS)


def _peg_best_mid_reported(draw: st.DrawFn, f: dict[str, Any]) -> None:
    f["min_trade_qty"] = draw(OPT_INTS)
    f["min_compete_size"] = draw(OPT_INTS)
    f["compete_against_best_offset"] = draw(OPT_FLOATS | st.just(math.inf))
    f["mid_offset_at_whole"] = draw(OPT_FLOATS)
    f["mid_offset_at_half"] = draw(OPT_FLOATS)


def _reported_contract(draw: st.DrawFn) -> Contract:
    """A contract as openOrder / completedOrder report it (no primary exchange, no sec id)."""
    return Contract(
        con_id=draw(INTS),
        symbol=draw(TEXT),
        sec_type=draw(st.sampled_from(["STK", "FUT", "OPT", "BAG"])),
        last_trade_date_or_contract_month=draw(TEXT),
        strike=draw(OPT_FLOATS),
        right=draw(TEXT),
        multiplier=draw(TEXT),
        exchange=draw(TEXT),
        currency=draw(TEXT),
        local_symbol=draw(TEXT),
        trading_class=draw(TEXT),
        combo_legs_descrip=draw(TEXT),
        combo_legs=draw(COMBO_LEGS),
        delta_neutral_contract=draw(DELTA_NEUTRAL),
    )


@st.composite
def place_orders(draw: st.DrawFn, v: int) -> PlaceOrder:
    f: dict[str, Any] = {}
    _common(draw, "place", v, f)
    for name in ("transmit", "block_order", "override_percentage_constraints", "what_if"):
        f[name] = draw(st.booleans())
    f["opt_out_smart_routing"] = draw(st.booleans())
    f["parent_id"] = draw(INTS)
    f["auction_strategy"] = draw(INTS)
    for name in ("scale_table", "active_start_time", "active_stop_time", "algo_id"):
        f[name] = draw(TEXT)
    f["order_misc_options"] = draw(
        st.lists(st.builds(TagValue, tag=OPTION_TEXT, value=OPTION_TEXT), max_size=3).map(tuple)
    )
    sec_type = draw(st.sampled_from(["STK", "OPT", "BAG"]))
    exchange = draw(st.sampled_from(["SMART", "IBKRATS", "ARCA"]))
    combo_legs: tuple[ComboLeg, ...] = ()
    if sec_type == "BAG":
        combo_legs = draw(COMBO_LEGS)
        f["order_combo_legs"] = draw(
            st.lists(st.builds(OrderComboLeg, price=OPT_FLOATS), max_size=3).map(tuple)
        )
        f["smart_combo_routing_params"] = draw(TAG_VALUES)
    if v >= 102:
        _adjusted(draw, f)
    if v >= 105:
        f["ext_operator"] = draw(TEXT)
    if v >= 106:  # the display name is not sent
        f["soft_dollar_tier"] = SoftDollarTier(name=draw(TEXT), value=draw(TEXT))
    if v >= 138:
        f["mifid2_decision_maker"] = draw(TEXT)
        f["mifid2_decision_algo"] = draw(TEXT)
    if v >= 139:
        f["mifid2_execution_trader"] = draw(TEXT)
        f["mifid2_execution_algo"] = draw(TEXT)
    if v >= 148:
        f["discretionary_up_to_limit_price"] = draw(st.booleans())
    if v >= 151:
        f["use_price_mgmt_algo"] = draw(st.none() | st.booleans())
    if v >= 158:
        f["duration"] = draw(OPT_INTS)
    if v >= 160:
        f["post_to_ats"] = draw(OPT_INTS)
    if v >= 162:
        f["auto_cancel_parent"] = draw(st.booleans())
    if v >= 166:
        f["advanced_error_override"] = draw(TEXT)
    if v >= 169:
        f["manual_order_time"] = draw(TEXT)
    if v >= 170:  # PEG BEST / MID attributes, only where they apply
        if exchange == "IBKRATS":
            f["min_trade_qty"] = draw(OPT_INTS)
        mid = f["order_type"] in ("PEG MID", "PEGMID")
        if f["order_type"] in ("PEG BEST", "PEGBEST"):
            f["min_compete_size"] = draw(OPT_INTS)
            f["compete_against_best_offset"] = draw(OPT_FLOATS | st.just(math.inf))
            mid = f["compete_against_best_offset"] == math.inf
        if mid:
            f["mid_offset_at_whole"] = draw(OPT_FLOATS)
            f["mid_offset_at_half"] = draw(OPT_FLOATS)
    if v >= 183:
        f["customer_account"] = draw(TEXT)
    if v >= 184:
        f["professional_customer"] = draw(st.booleans())
    if v >= 189:
        f["include_overnight"] = draw(st.booleans())
    if v >= 192:
        f["manual_order_indicator"] = draw(OPT_INTS)
    if v >= 199:
        f["imbalance_only"] = draw(st.booleans())
    contract = Contract(
        con_id=draw(INTS),
        symbol=draw(TEXT),
        sec_type=sec_type,
        last_trade_date_or_contract_month=draw(TEXT),
        strike=draw(OPT_FLOATS),
        right=draw(TEXT),
        multiplier=draw(TEXT),
        exchange=exchange,
        primary_exchange=draw(TEXT),
        currency=draw(TEXT),
        local_symbol=draw(TEXT),
        trading_class=draw(TEXT),
        sec_id_type=draw(TEXT),
        sec_id=draw(TEXT),
        combo_legs=combo_legs,
        delta_neutral_contract=draw(DELTA_NEUTRAL),
    )
    return PlaceOrder(order_id=draw(INTS), contract=contract, order=Order(**f))


def _state(draw: st.DrawFn, v: int) -> OrderState:
    s: dict[str, Any] = {"status": draw(TEXT)}
    names = ["init_margin_after", "maint_margin_after", "equity_with_loan_after"]
    if v >= 142:
        names += ["init_margin_before", "maint_margin_before", "equity_with_loan_before"]
        names += ["init_margin_change", "maint_margin_change", "equity_with_loan_change"]
    for name in names:
        s[name] = draw(OPT_FLOATS)
    for name in ("commission_and_fees_currency", "warning_text"):
        s[name] = draw(TEXT)
    for name in ("commission_and_fees", "min_commission_and_fees", "max_commission_and_fees"):
        s[name] = draw(OPT_FLOATS)
    if v >= 195:
        s["margin_currency"] = draw(TEXT)
        for stage in ("before", "change", "after"):
            for what in ("init_margin", "maint_margin", "equity_with_loan"):
                s[f"{what}_{stage}_outside_rth"] = draw(OPT_FLOATS)
        s["suggested_size"] = draw(OPT_DECIMALS)
        s["reject_reason"] = draw(TEXT)
        s["order_allocations"] = draw(
            st.lists(
                st.builds(
                    OrderAllocation,
                    account=TEXT,
                    position=OPT_DECIMALS,
                    position_desired=OPT_DECIMALS,
                    position_after=OPT_DECIMALS,
                    desired_alloc_qty=OPT_DECIMALS,
                    allowed_alloc_qty=OPT_DECIMALS,
                    is_monetary=st.booleans(),
                ),
                max_size=2,
            ).map(tuple)
        )
    return OrderState(**s)


@st.composite
def open_orders(draw: st.DrawFn, v: int) -> OpenOrder:
    f: dict[str, Any] = {}
    _common(draw, "open", v, f)
    order_id = draw(INTS)
    f["order_id"] = order_id  # the official decoder stores it in the order too
    f["client_id"] = draw(INTS)
    f["perm_id"] = draw(LONGS)
    f["parent_id"] = draw(INTS)
    f["auction_strategy"] = draw(INTS)
    f["block_order"] = draw(st.booleans())
    f["opt_out_smart_routing"] = draw(st.booleans())
    f["what_if"] = draw(st.booleans())
    f["basis_points"] = draw(OPT_FLOATS)
    f["basis_points_type"] = draw(OPT_INTS)
    f["order_combo_legs"] = draw(
        st.lists(st.builds(OrderComboLeg, price=OPT_FLOATS), max_size=3).map(tuple)
    )
    f["smart_combo_routing_params"] = draw(TAG_VALUES)
    if v >= 102:
        _adjusted(draw, f)
    if v >= 106:
        f["soft_dollar_tier"] = draw(
            st.builds(SoftDollarTier, name=TEXT, value=TEXT, display_name=TEXT)
        )
    if v >= 148:
        f["discretionary_up_to_limit_price"] = draw(st.booleans())
    if v >= 151:  # read as a plain bool: never None
        f["use_price_mgmt_algo"] = draw(st.booleans())
    if v >= 158:
        f["duration"] = draw(OPT_INTS)
    if v >= 160:
        f["post_to_ats"] = draw(OPT_INTS)
    if v >= 162:
        f["auto_cancel_parent"] = draw(st.booleans())
    if v >= 170:
        _peg_best_mid_reported(draw, f)
    if v >= 183:
        f["customer_account"] = draw(TEXT)
    if v >= 184:
        f["professional_customer"] = draw(st.booleans())
    if v >= 185:
        f["bond_accrued_interest"] = draw(TEXT)
    if v >= 189:
        f["include_overnight"] = draw(st.booleans())
    if v >= 193:
        f["ext_operator"] = draw(TEXT)
        f["manual_order_indicator"] = draw(OPT_INTS)
    if v >= 198:
        f["submitter"] = draw(TEXT)
    if v >= 199:
        f["imbalance_only"] = draw(st.booleans())
    return OpenOrder(
        order_id=order_id,
        contract=_reported_contract(draw),
        order=Order(**f),
        order_state=_state(draw, v),
    )


@st.composite
def completed_orders(draw: st.DrawFn, v: int) -> CompletedOrder:
    f: dict[str, Any] = {}
    _common(draw, "completed", v, f)
    f["perm_id"] = draw(LONGS)
    f["lmt_price_offset"] = draw(OPT_FLOATS)
    f["order_combo_legs"] = draw(
        st.lists(st.builds(OrderComboLeg, price=OPT_FLOATS), max_size=3).map(tuple)
    )
    f["smart_combo_routing_params"] = draw(TAG_VALUES)
    f["auto_cancel_date"] = draw(TEXT)
    f["filled_quantity"] = draw(OPT_DECIMALS)
    f["ref_futures_con_id"] = draw(INTS)
    f["auto_cancel_parent"] = draw(st.booleans())
    f["shareholder"] = draw(TEXT)
    f["imbalance_only"] = draw(st.booleans())
    f["route_marketable_to_bbo"] = draw(st.booleans())  # read as a plain bool
    f["parent_perm_id"] = draw(LONGS)
    if v >= 170:
        _peg_best_mid_reported(draw, f)
    if v >= 183:
        f["customer_account"] = draw(TEXT)
    if v >= 184:
        f["professional_customer"] = draw(st.booleans())
    if v >= 198:
        f["submitter"] = draw(TEXT)
    state = OrderState(status=draw(TEXT), completed_time=draw(TEXT), completed_status=draw(TEXT))
    return CompletedOrder(contract=_reported_contract(draw), order=Order(**f), order_state=state)


SETTINGS = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("version", VERSIONS)
@SETTINGS
@given(data=st.data())
def test_place_order_round_trip(version: int, data: st.DataObject) -> None:
    msg = data.draw(place_orders(version))
    fields = Codec(version).encode(msg)
    assert Codec(version, server=True).decode(fields) == msg


@pytest.mark.parametrize("version", VERSIONS)
@SETTINGS
@given(data=st.data())
def test_open_order_round_trip(version: int, data: st.DataObject) -> None:
    msg = data.draw(open_orders(version))
    fields = Codec(version, server=True).encode(msg)
    assert Codec(version).decode(fields) == msg


@pytest.mark.parametrize("version", VERSIONS)
@SETTINGS
@given(data=st.data())
def test_completed_order_round_trip(version: int, data: st.DataObject) -> None:
    msg = data.draw(completed_orders(version))
    fields = Codec(version, server=True).encode(msg)
    assert Codec(version).decode(fields) == msg


def test_versions_cover_every_band() -> None:
    assert {100, 145, 150, 170, 176, 177, 190, 192, 193, 195, 199, 200} <= set(VERSIONS)
    # every gate and the version just below it
    for cls in (PlaceOrder, OpenOrder, CompletedOrder):
        for gate in gates(cls):
            if 100 < gate <= 200:
                assert {gate - 1, gate} <= set(VERSIONS), (cls.__name__, gate)
