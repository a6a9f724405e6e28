"""Order domain objects: the order, its state, its combo leg prices and its conditions.

These mirror the official ``Order``, ``OrderState``, ``OrderComboLeg``,
``OrderAllocation`` and ``OrderCondition`` classes field for field (snake_case),
for every field that exists on the text protocol (server versions up to 200).
The official UNSET_INTEGER / UNSET_DOUBLE / UNSET_DECIMAL defaults are ``None``
here; the wire layouts that carry these objects live in
:mod:`ibwire.messages.orders`.
"""

from __future__ import annotations

from dataclasses import field
from decimal import Decimal
from typing import ClassVar, TypeAlias

from ._base import dataclass
from .common import SoftDollarTier, TagValue

__all__ = [
    "ExecutionCondition",
    "MarginCondition",
    "Order",
    "OrderAllocation",
    "OrderComboLeg",
    "OrderCondition",
    "OrderState",
    "PercentChangeCondition",
    "PriceCondition",
    "TimeCondition",
    "VolumeCondition",
]


# --------------------------------------------------------------------------- conditions


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceCondition:
    """Order condition type 1: the price of a contract crosses a value.

    Attributes:
        is_conjunction_connection: ``True`` joins it to the next condition with
            AND (wire ``"a"``), ``False`` with OR (wire ``"o"``).
        is_more: ``True`` for "price >= value", ``False`` for "price <= value".
        price: the trigger price.
        con_id: the contract whose price is watched.
        exchange: the exchange of that price.
        trigger_method: 0 default, 1 double bid/ask, 2 last, 3 double last,
            4 bid/ask, 7 last or bid/ask, 8 mid-point.
    """

    CONDITION_TYPE: ClassVar[int] = 1

    is_conjunction_connection: bool = True
    is_more: bool = False
    price: float = 0.0
    con_id: int = 0
    exchange: str = ""
    trigger_method: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeCondition:
    """Order condition type 3: the time passes a value.

    Attributes:
        is_conjunction_connection: AND (``True``, wire ``"a"``) or OR with the next condition.
        is_more: ``True`` for "after", ``False`` for "before".
        time: ``YYYYMMDD HH:MM:SS`` with an optional time zone.
    """

    CONDITION_TYPE: ClassVar[int] = 3

    is_conjunction_connection: bool = True
    is_more: bool = False
    time: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MarginCondition:
    """Order condition type 4: the margin cushion crosses a percentage.

    Attributes:
        is_conjunction_connection: AND (``True``, wire ``"a"``) or OR with the next condition.
        is_more: ``True`` for "cushion >= percent".
        percent: the cushion percentage.  An integer: TWS parses it with Java's
            ``Integer.parseInt`` (the official Java ``MarginCondition``), so a
            value such as ``"30.0"`` would be refused.
    """

    CONDITION_TYPE: ClassVar[int] = 4

    is_conjunction_connection: bool = True
    is_more: bool = False
    percent: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionCondition:
    """Order condition type 5: a trade of a given instrument occurs.

    Attributes:
        is_conjunction_connection: AND (``True``, wire ``"a"``) or OR with the next condition.
        sec_type: the security type traded.
        exchange: the exchange of the trade.
        symbol: the symbol traded.
    """

    CONDITION_TYPE: ClassVar[int] = 5

    is_conjunction_connection: bool = True
    sec_type: str = ""
    exchange: str = ""
    symbol: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class VolumeCondition:
    """Order condition type 6: the traded volume of a contract crosses a value.

    Attributes:
        is_conjunction_connection: AND (``True``, wire ``"a"``) or OR with the next condition.
        is_more: ``True`` for "volume >= value".
        volume: the volume threshold.
        con_id: the contract whose volume is watched.
        exchange: the exchange of that volume.
    """

    CONDITION_TYPE: ClassVar[int] = 6

    is_conjunction_connection: bool = True
    is_more: bool = False
    volume: int = 0
    con_id: int = 0
    exchange: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PercentChangeCondition:
    """Order condition type 7: the day's percent change of a contract crosses a value.

    Attributes:
        is_conjunction_connection: AND (``True``, wire ``"a"``) or OR with the next condition.
        is_more: ``True`` for "change >= value".
        change_percent: the percent change threshold.
        con_id: the contract watched.
        exchange: the exchange of its price.
    """

    CONDITION_TYPE: ClassVar[int] = 7

    is_conjunction_connection: bool = True
    is_more: bool = False
    change_percent: float = 0.0
    con_id: int = 0
    exchange: str = ""


#: Any of the six order conditions (the official ``OrderCondition`` subclasses).
OrderCondition: TypeAlias = (
    PriceCondition
    | TimeCondition
    | MarginCondition
    | ExecutionCondition
    | VolumeCondition
    | PercentChangeCondition
)


# --------------------------------------------------------------------------- legs, allocations


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderComboLeg:
    """The price of one combo leg of a ``BAG`` order (the official ``OrderComboLeg``).

    Attributes:
        price: the leg's limit price; ``None`` when unset (sent as empty).
    """

    price: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderAllocation:
    """How a what-if order of an advisor account splits over accounts (server 195+).

    Attributes:
        account: the allocation account.
        position: the current position; ``None`` when unset.
        position_desired: the desired position; ``None`` when unset.
        position_after: the position after the order; ``None`` when unset.
        desired_alloc_qty: the desired allocation quantity; ``None`` when unset.
        allowed_alloc_qty: the allowed allocation quantity; ``None`` when unset.
        is_monetary: the allocation is in money, not shares.
    """

    account: str = ""
    position: Decimal | None = None
    position_desired: Decimal | None = None
    position_after: Decimal | None = None
    desired_alloc_qty: Decimal | None = None
    allowed_alloc_qty: Decimal | None = None
    is_monetary: bool = False


# --------------------------------------------------------------------------- order state


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderState:
    """An order's status and what-if (margin and commission) figures (the official ``OrderState``).

    The margin figures before/change/after are numbers (the official class keeps
    them as the text TWS sent); ``None`` when unset: TWS sends Java's max-double
    literal ``1.7976931348623157E308`` for an order that is not a what-if preview.

    Attributes:
        status: ``PreSubmitted``, ``Submitted``, ``Filled``, ``Cancelled``, ...
        init_margin_before: initial margin before the order (server 142+).
        maint_margin_before: maintenance margin before the order (server 142+).
        equity_with_loan_before: equity with loan before the order (server 142+).
        init_margin_change: change of initial margin (server 142+).
        maint_margin_change: change of maintenance margin (server 142+).
        equity_with_loan_change: change of equity with loan (server 142+).
        init_margin_after: initial margin after the order.
        maint_margin_after: maintenance margin after the order.
        equity_with_loan_after: equity with loan after the order (all nine in
            ``margin_currency``; ``None`` when unset).
        commission_and_fees: the (estimated) commission; ``None`` when unset.
        min_commission_and_fees: the lowest estimated commission; ``None`` when unset.
        max_commission_and_fees: the highest estimated commission; ``None`` when unset.
        commission_and_fees_currency: the commission currency.
        margin_currency: the currency of the margin figures (server 195+).
        init_margin_before_outside_rth: initial margin before, outside regular
            trading hours; ``None`` when unset (server 195+).
        maint_margin_before_outside_rth: likewise, maintenance margin (server 195+).
        equity_with_loan_before_outside_rth: likewise, equity with loan (server 195+).
        init_margin_change_outside_rth: change of initial margin outside RTH (server 195+).
        maint_margin_change_outside_rth: change of maintenance margin outside RTH (server 195+).
        equity_with_loan_change_outside_rth: change of equity with loan outside RTH (server 195+).
        init_margin_after_outside_rth: initial margin after, outside RTH (server 195+).
        maint_margin_after_outside_rth: maintenance margin after, outside RTH (server 195+).
        equity_with_loan_after_outside_rth: equity with loan after, outside RTH (server 195+).
        suggested_size: the size TWS suggests; ``None`` when unset (server 195+).
        reject_reason: why a what-if order would be rejected (server 195+).
        order_allocations: the per-account split of an advisor order (server 195+).
        warning_text: a warning about the order.
        completed_time: when the order completed (completed orders only).
        completed_status: how it completed (completed orders only).
    """

    status: str = ""
    init_margin_before: float | None = None
    maint_margin_before: float | None = None
    equity_with_loan_before: float | None = None
    init_margin_change: float | None = None
    maint_margin_change: float | None = None
    equity_with_loan_change: float | None = None
    init_margin_after: float | None = None
    maint_margin_after: float | None = None
    equity_with_loan_after: float | None = None
    commission_and_fees: float | None = None
    min_commission_and_fees: float | None = None
    max_commission_and_fees: float | None = None
    commission_and_fees_currency: str = ""
    margin_currency: str = ""
    init_margin_before_outside_rth: float | None = None
    maint_margin_before_outside_rth: float | None = None
    equity_with_loan_before_outside_rth: float | None = None
    init_margin_change_outside_rth: float | None = None
    maint_margin_change_outside_rth: float | None = None
    equity_with_loan_change_outside_rth: float | None = None
    init_margin_after_outside_rth: float | None = None
    maint_margin_after_outside_rth: float | None = None
    equity_with_loan_after_outside_rth: float | None = None
    suggested_size: Decimal | None = None
    reject_reason: str = ""
    order_allocations: tuple[OrderAllocation, ...] = ()
    warning_text: str = ""
    completed_time: str = ""
    completed_status: str = ""


# --------------------------------------------------------------------------- order


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """An order (the official ``Order``), every field of the official class.

    Numbers the official client leaves at UNSET_INTEGER / UNSET_DOUBLE are
    ``None`` here.  Which fields travel in which message, and from which server
    version, is the business of :class:`~ibwire.messages.orders.PlaceOrder`,
    :class:`~ibwire.messages.orders.OpenOrder` and
    :class:`~ibwire.messages.orders.CompletedOrder`; setting a field on a
    ``PlaceOrder`` for a server too old to receive it raises
    :class:`~ibwire.errors.UnsupportedByServerError`.  Fields the official
    client only sends as protobuf (server 216 and later: ``postOnly``,
    ``allowPreOpen``, ``ignoreOpenAuction``, ``deactivate``,
    ``seekPriceImprovement``, ``whatIfType``, ``hedgeMaxSize``, attached
    orders, ``conditionsIncludeOvernight``) are never on the text wire: they
    are the last attributes below, ``None`` when unset, and setting one for a
    server that cannot carry it raises
    :class:`~ibwire.errors.UnsupportedByServerError`.

    Attributes:
        order_id: the order id (in open orders; ``PlaceOrder`` carries its own).
        client_id: the API client that placed the order (open orders).
        perm_id: TWS's permanent id of the order (open and completed orders).
        action: ``BUY``, ``SELL`` or ``SSHORT``.
        total_quantity: the order size; ``None`` when unset.  Fractional sizes
            need server 163+ (below 101 it is sent as an integer).
        order_type: ``LMT``, ``MKT``, ``STP``, ``PEG BENCH``, ``PEG BEST``, ...
        lmt_price: the limit price; ``None`` when unset (sent as empty).
        aux_price: the stop/trail/offset price; ``None`` when unset (sent as empty).
        tif: time in force: ``DAY``, ``GTC``, ``IOC``, ``GTD``, ...
        active_start_time: start of a GTC order's active window.
        active_stop_time: end of a GTC order's active window.
        oca_group: the one-cancels-all group.
        oca_type: 1 cancel with block, 2 reduce with block, 3 reduce non-block.
        order_ref: free text identifying the order.
        transmit: ``False`` creates the order in TWS without sending it.
        parent_id: the parent order of a bracket/attached order; 0 for none.
        block_order: an ISE block order.
        sweep_to_fill: a sweep-to-fill order.
        display_size: the visible size of an iceberg order; ``None`` when unset
            (TWS reports unset as the max int; the official default is 0).
        trigger_method: stop trigger: 0 default, 1 double bid/ask, 2 last,
            3 double last, 4 bid/ask, 7 last or bid/ask, 8 mid-point.
        outside_rth: may fill outside regular trading hours.
        hidden: a hidden (NASDAQ) order.
        good_after_time: ``YYYYMMDD HH:MM:SS {tz}`` the order becomes active.
        good_till_date: ``YYYYMMDD HH:MM:SS {tz}`` a GTD order expires.
        rule80_a: the Rule 80A code (``I``, ``A``, ``W``, ``J``, ``U``, ``M``,
            ``K``, ``Y``, ``N``).
        all_or_none: fill all or nothing.
        min_qty: the minimum fill quantity; ``None`` when unset.
        percent_offset: the offset of a REL order, in percent; ``None`` when unset.
        override_percentage_constraints: bypass TWS's price percentage checks.
        trail_stop_price: the initial stop of a TRAIL LIMIT order; ``None`` when unset.
        trailing_percent: the trailing amount in percent; ``None`` when unset.
        fa_group: the advisor group to allocate to.
        fa_method: the advisor allocation method.
        fa_percentage: the advisor allocation percentage.
        designated_location: the lender when ``short_sale_slot`` is 2.
        open_close: ``O`` open, ``C`` close (institutional).
        origin: 0 customer, 1 firm.
        short_sale_slot: 1 held by the broker, 2 delivered from elsewhere.
        exempt_code: short sale exemption code; -1 for none.
        discretionary_amt: the discretionary amount of a REL order.
        opt_out_smart_routing: opt out of SMART routing for ASX orders.
        auction_strategy: BOX auctions: 0 unset, 1 match, 2 improvement, 3 transparent.
        starting_price: the BOX auction starting price; ``None`` when unset.
        stock_ref_price: the stock reference price; ``None`` when unset.
        delta: the stock delta; ``None`` when unset.
        stock_range_lower: lower stock price bound; ``None`` when unset.
        stock_range_upper: upper stock price bound; ``None`` when unset.
        randomize_price: randomize the price of the order.
        randomize_size: randomize the size of the order.
        volatility: the volatility of a VOL order; ``None`` when unset.
        volatility_type: 1 daily, 2 annual; ``None`` when unset.
        delta_neutral_order_type: the order type of the delta-neutral hedge;
            empty for none.
        delta_neutral_aux_price: the hedge's aux price; ``None`` when unset.
        delta_neutral_con_id: the hedge's contract id.
        delta_neutral_settling_firm: the hedge's settling firm.
        delta_neutral_clearing_account: the hedge's clearing account.
        delta_neutral_clearing_intent: the hedge's clearing intent.
        delta_neutral_open_close: the hedge's open/close code.
        delta_neutral_short_sale: the hedge is a short sale.
        delta_neutral_short_sale_slot: the hedge's short sale slot.
        delta_neutral_designated_location: the hedge's designated location.
        continuous_update: update the VOL order's price continuously.
        reference_price_type: VOL orders: 1 average, 2 bid or ask; ``None`` when unset.
        basis_points: EFP orders: the basis points; ``None`` when unset.
        basis_points_type: EFP orders: the basis points type; ``None`` when unset.
        scale_init_level_size: size of the first scale level; ``None`` when unset.
        scale_subs_level_size: size of the next levels; ``None`` when unset.
        scale_price_increment: the price step between levels; ``None`` when unset.
        scale_price_adjust_value: the scale price adjustment; ``None`` when unset.
        scale_price_adjust_interval: seconds between adjustments; ``None`` when unset.
        scale_profit_offset: the profit taking offset; ``None`` when unset.
        scale_auto_reset: restart the scale after a fill.
        scale_init_position: the initial position; ``None`` when unset.
        scale_init_fill_qty: the initial filled quantity; ``None`` when unset.
        scale_random_percent: randomize the scale levels.
        scale_table: the scale table.
        hedge_type: ``D`` delta, ``B`` beta, ``F`` FX, ``P`` pair; empty for none.
        hedge_param: ``beta=X`` or ``ratio=Y`` for beta and pair hedges.
        account: the IB account.
        settling_firm: the settling firm (institutional).
        clearing_account: the true beneficiary of the order.
        clearing_intent: ``""`` default, ``IB``, ``Away``, ``PTA``.
        algo_strategy: the IB algo (``Adaptive``, ``Vwap``, ...); empty for none.
        algo_params: the algo's parameters.
        smart_combo_routing_params: SMART routing parameters of a ``BAG`` order.
        algo_id: the algo id.
        what_if: only ask for the margin and commission impact (see
            :class:`OrderState`); the order is not placed.
        not_held: a not-held order.
        solicited: the order was solicited.
        model_code: the model (server 103+).
        order_combo_legs: per-leg prices of a ``BAG`` order.
        order_misc_options: reserved by IB; sent as one ``tag=value;`` text.
        reference_contract_id: PEG BENCH: the reference contract (server 102+).
        pegged_change_amount: PEG BENCH: the pegged change amount (server 102+).
        is_pegged_change_amount_decrease: PEG BENCH: the change is a decrease (server 102+).
        reference_change_amount: PEG BENCH: the reference change amount (server 102+).
        reference_exchange_id: PEG BENCH: the reference exchange (server 102+).
        adjusted_order_type: the type the order becomes when adjusted (server 102+).
        trigger_price: the price that triggers the adjustment; ``None`` when
            unset (sent as the max-double literal) (server 102+).
        adjusted_stop_price: the adjusted stop price; ``None`` when unset (server 102+).
        adjusted_stop_limit_price: the adjusted stop limit price; ``None`` when unset (server 102+).
        adjusted_trailing_amount: the adjusted trailing amount; ``None`` when unset (server 102+).
        adjustable_trailing_unit: 0 amount, 1 percent (server 102+).
        lmt_price_offset: the limit price offset; ``None`` when unset (server 102+).
        conditions: the order's conditions (server 102+).
        conditions_cancel_order: the conditions cancel the order instead of
            activating it (server 102+).
        conditions_ignore_rth: the conditions apply outside regular hours too (server 102+).
        ext_operator: the external operator (sent from server 105, reported from 193).
        soft_dollar_tier: the soft dollar tier (server 106+).
        cash_qty: the cash quantity; ``None`` when unset (server 111+).
        mifid2_decision_maker: MiFID II decision maker (server 138+).
        mifid2_decision_algo: MiFID II decision algo (server 138+).
        mifid2_execution_trader: MiFID II execution trader (server 139+).
        mifid2_execution_algo: MiFID II execution algo (server 139+).
        dont_use_auto_price_for_hedge: don't price the hedge automatically (server 141+).
        is_oms_container: an OMS container order (server 145+).
        discretionary_up_to_limit_price: D-peg up to the limit price (server 148+).
        auto_cancel_date: the auto-cancel date (completed orders).
        filled_quantity: the filled quantity; ``None`` when unset (completed orders).
        ref_futures_con_id: the reference futures contract (completed orders).
        auto_cancel_parent: cancel the parent when this order is cancelled (server 162+).
        shareholder: the shareholder (completed orders).
        imbalance_only: an imbalance-only auction order (sent from server 199).
        route_marketable_to_bbo: route marketable orders to the BBO; ``None``
            when unset (completed orders).
        parent_perm_id: the parent's permanent id (completed orders).
        use_price_mgmt_algo: use the price management algo; ``None`` lets TWS
            decide (server 151+).
        duration: seconds a DUR order stays active; ``None`` when unset (server 158+).
        post_to_ats: post to the ATS; ``None`` when unset (server 160+).
        advanced_error_override: codes of the order warnings to override (server 166+).
        manual_order_time: the time a manually entered order was taken (server 169+).
        min_trade_qty: IBKRATS: minimum trade quantity; ``None`` when unset (server 170+).
        min_compete_size: PEG BEST: minimum size to compete against; ``None``
            when unset (server 170+).
        compete_against_best_offset: PEG BEST: offset to the best price;
            ``math.inf`` means "up to mid"; ``None`` when unset (server 170+).
        mid_offset_at_whole: PEG MID / PEG BEST up to mid: offset when the
            spread is a whole tick; ``None`` when unset (server 170+).
        mid_offset_at_half: likewise, when the spread is half a tick (server 170+).
        customer_account: the customer account (server 183+).
        professional_customer: the customer is a professional (server 184+).
        bond_accrued_interest: the bond's accrued interest (open orders, server 185+).
        include_overnight: may trade in the overnight session (server 189+).
        manual_order_indicator: CME tagging: 0 automated, 1 manual; ``None``
            when unset (sent as the max-int literal) (server 192+).
        submitter: the submitter (reported from server 198).
        deactivate: create the order inactive (protobuf only, server 216+).
        post_only: post-only: never take liquidity (protobuf only, server 216+).
        allow_pre_open: may trade in the pre-open session (protobuf only, server 216+).
        ignore_open_auction: skip the opening auction (protobuf only, server 216+).
        seek_price_improvement: route to seek price improvement (protobuf only,
            server 217+).
        what_if_type: the kind of what-if preview (protobuf only, server 217+).
        hedge_max_size: the largest hedge order size (protobuf only, server 223+).
        conditions_include_overnight: the conditions apply in the overnight
            session too (protobuf only, server 226+).
        sl_order_id: the id of an attached stop-loss order (protobuf only, server 218+).
        sl_order_type: the order type of the attached stop-loss order (server 218+).
        pt_order_id: the id of an attached profit-taker order (protobuf only, server 218+).
        pt_order_type: the order type of the attached profit-taker order (server 218+).
    """

    order_id: int = 0
    client_id: int = 0
    perm_id: int = 0

    action: str = ""
    total_quantity: Decimal | None = None
    order_type: str = ""
    lmt_price: float | None = None
    aux_price: float | None = None

    tif: str = ""
    active_start_time: str = ""
    active_stop_time: str = ""
    oca_group: str = ""
    oca_type: int = 0
    order_ref: str = ""
    transmit: bool = True
    parent_id: int = 0
    block_order: bool = False
    sweep_to_fill: bool = False
    display_size: int | None = 0
    trigger_method: int = 0
    outside_rth: bool = False
    hidden: bool = False
    good_after_time: str = ""
    good_till_date: str = ""
    rule80_a: str = ""
    all_or_none: bool = False
    min_qty: int | None = None
    percent_offset: float | None = None
    override_percentage_constraints: bool = False
    trail_stop_price: float | None = None
    trailing_percent: float | None = None

    fa_group: str = ""
    fa_method: str = ""
    fa_percentage: str = ""

    designated_location: str = ""
    open_close: str = ""
    origin: int = 0
    short_sale_slot: int = 0
    exempt_code: int = -1

    # The official default is the int 0, which it sends as "0"; a float set by
    # the user is sent as Python writes it ("0.5").
    discretionary_amt: float = 0
    opt_out_smart_routing: bool = False

    auction_strategy: int = 0
    starting_price: float | None = None
    stock_ref_price: float | None = None
    delta: float | None = None
    stock_range_lower: float | None = None
    stock_range_upper: float | None = None

    randomize_price: bool = False
    randomize_size: bool = False

    volatility: float | None = None
    volatility_type: int | None = None
    delta_neutral_order_type: str = ""
    delta_neutral_aux_price: float | None = None
    delta_neutral_con_id: int = 0
    delta_neutral_settling_firm: str = ""
    delta_neutral_clearing_account: str = ""
    delta_neutral_clearing_intent: str = ""
    delta_neutral_open_close: str = ""
    delta_neutral_short_sale: bool = False
    delta_neutral_short_sale_slot: int = 0
    delta_neutral_designated_location: str = ""
    continuous_update: bool = False
    reference_price_type: int | None = None

    basis_points: float | None = None
    basis_points_type: int | None = None

    scale_init_level_size: int | None = None
    scale_subs_level_size: int | None = None
    scale_price_increment: float | None = None
    scale_price_adjust_value: float | None = None
    scale_price_adjust_interval: int | None = None
    scale_profit_offset: float | None = None
    scale_auto_reset: bool = False
    scale_init_position: int | None = None
    scale_init_fill_qty: int | None = None
    scale_random_percent: bool = False
    scale_table: str = ""

    hedge_type: str = ""
    hedge_param: str = ""

    account: str = ""
    settling_firm: str = ""
    clearing_account: str = ""
    clearing_intent: str = ""

    algo_strategy: str = ""
    algo_params: tuple[TagValue, ...] = ()
    smart_combo_routing_params: tuple[TagValue, ...] = ()
    algo_id: str = ""

    what_if: bool = False
    not_held: bool = False
    solicited: bool = False
    model_code: str = ""

    order_combo_legs: tuple[OrderComboLeg, ...] = ()
    order_misc_options: tuple[TagValue, ...] = ()

    reference_contract_id: int = 0
    pegged_change_amount: float = 0.0
    is_pegged_change_amount_decrease: bool = False
    reference_change_amount: float = 0.0
    reference_exchange_id: str = ""
    adjusted_order_type: str = ""

    trigger_price: float | None = None
    adjusted_stop_price: float | None = None
    adjusted_stop_limit_price: float | None = None
    adjusted_trailing_amount: float | None = None
    adjustable_trailing_unit: int = 0
    lmt_price_offset: float | None = None

    conditions: tuple[OrderCondition, ...] = ()
    conditions_cancel_order: bool = False
    conditions_ignore_rth: bool = False

    ext_operator: str = ""
    soft_dollar_tier: SoftDollarTier = field(default_factory=SoftDollarTier)
    cash_qty: float | None = None

    mifid2_decision_maker: str = ""
    mifid2_decision_algo: str = ""
    mifid2_execution_trader: str = ""
    mifid2_execution_algo: str = ""

    dont_use_auto_price_for_hedge: bool = False
    is_oms_container: bool = False
    discretionary_up_to_limit_price: bool = False

    auto_cancel_date: str = ""
    filled_quantity: Decimal | None = None
    ref_futures_con_id: int = 0
    auto_cancel_parent: bool = False
    shareholder: str = ""
    imbalance_only: bool = False
    route_marketable_to_bbo: bool | None = None
    parent_perm_id: int = 0

    use_price_mgmt_algo: bool | None = None
    duration: int | None = None
    post_to_ats: int | None = None
    advanced_error_override: str = ""
    manual_order_time: str = ""
    min_trade_qty: int | None = None
    min_compete_size: int | None = None
    compete_against_best_offset: float | None = None
    mid_offset_at_whole: float | None = None
    mid_offset_at_half: float | None = None
    customer_account: str = ""
    professional_customer: bool = False
    bond_accrued_interest: str = ""
    include_overnight: bool = False
    manual_order_indicator: int | None = None
    submitter: str = ""

    # Protobuf only (see the class docstring): None is unset.
    deactivate: bool | None = None
    post_only: bool | None = None
    allow_pre_open: bool | None = None
    ignore_open_auction: bool | None = None
    seek_price_improvement: bool | None = None
    what_if_type: int | None = None
    hedge_max_size: int | None = None
    conditions_include_overnight: bool | None = None
    sl_order_id: int | None = None
    sl_order_type: str | None = None
    pt_order_id: int | None = None
    pt_order_type: str | None = None
