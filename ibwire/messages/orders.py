"""Orders: placing an order and the open and completed orders TWS reports.

The three messages carry the same domain objects (:class:`~ibwire.messages.order.Order`,
:class:`~ibwire.messages.order.OrderState`, :class:`~ibwire.messages.common.Contract`)
but each lays their fields out in its own order, with order and state fields
interleaved; the layouts therefore name fields by dotted paths
(``F("order.what_if", BOOL)``) into the objects listed in ``WIRE_OBJECTS``.

Sources: ``protocol.md`` 4.3 and 4.4, the official ``EClient.placeOrder``,
``EDecoder.processOpenOrder`` / ``processCompletedOrderMsg`` and ``OrderDecoder``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field
from decimal import Decimal
from types import MappingProxyType
from typing import ClassVar, Final

from ..fields import (
    BOOL,
    DECIMAL,
    FLOAT,
    INT,
    LONG,
    OPT_BOOL,
    OPT_FLOAT,
    OPT_FLOAT_MAX,
    OPT_INT,
    OPT_INT_MAX,
    STR,
    UNSET_DOUBLE,
    Kind,
    format_float,
)
from ..ids import IncomingId, OutgoingId
from ..versions import ServerVersion as SV
from ._base import (
    Const,
    Custom,
    F,
    Message,
    Node,
    Opt,
    Repeat,
    Struct,
    Ver,
    When,
    dataclass,
    message,
)
from .common import TAG_VALUE, ComboLeg, Contract, DeltaNeutralContract, SoftDollarTier, TagValue
from .order import (
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

__all__ = [
    "CompletedOrder",
    "OpenOrder",
    "PlaceOrder",
]

# --------------------------------------------------------------------------- kinds

#: An int the official decoder reads plainly (``int(text or 0)``: empty is 0) into
#: a field whose unset value is UNSET_INTEGER: the max-int literal reads as None,
#: and None is written as that literal (what TWS sends).
_INT_OR_UNSET: Final = Kind(
    "int|max",
    '(None if {x} == "2147483647" else int({x} or 0))',
    '("2147483647" if {v} is None else str({v}))',
    int,
    optional=True,
)

#: A double the official decoder reads plainly (``float(text or 0)``: empty is
#: 0.0) into a field whose unset value is UNSET_DOUBLE: a max-double literal reads
#: as None, and None is written as TWS writes it (Java's spelling).
_FLOAT_OR_UNSET: Final = Kind(
    "float|max",
    '(None if {x} in ("1.7976931348623157E308", "1.7976931348623157e+308",'
    ' "1.7976931348623157e308") else float({x} or 0))',
    '("1.7976931348623157E308" if {v} is None else _fmt_float({v}))',
    float,
    optional=True,
)

#: An ``OrderState`` margin figure: the official decoder keeps the text, we keep
#: the number.  Empty text and a max-double literal read as None, and None is
#: written as TWS writes it for an order that is not a what-if (Java's spelling,
#: as in the captures of ``../shared/vectors``).
_MARGIN: Final = Kind(
    "margin",
    "_opt_float({x})",
    '("1.7976931348623157E308" if {v} is None else _fmt_float({v}))',
    float,
    optional=True,
    raw="(None if {x} in _UNSET_FLOAT_RAW else float({x}))",
)

#: A number the official client sends with ``str()`` whatever its Python type:
#: its int default 0 goes out as ``"0"``, a float as ``"0.5"`` (and TWS reports
#: the discretionary amount as ``"0"`` too).  Integer text reads back as an int
#: and anything else as a float, so that what was received is sent back unchanged.
_NUMBER: Final = Kind(
    "number",
    '(int({x}) if {x}.lstrip("-").isdigit() else float({x} or 0))',
    "(_fmt_float({v}) if isinstance({v}, float) else str({v}))",
    float,
)

#: A quantity the official client sends as ``int(totalQuantity)`` (below server 101).
_INT_QUANTITY: Final = Kind(
    "Decimal as int",
    "_opt_decimal({x})",
    '("" if {v} is None else str(int({v})))',
    Decimal,
    optional=True,
)

_PEG_BENCH: Final = "{order.order_type} in ('PEG BENCH', 'PEGBENCH')"
_PEG_BEST: Final = "{order.order_type} in ('PEG BEST', 'PEGBEST')"
_PEG_MID: Final = "{order.order_type} in ('PEG MID', 'PEGMID')"

# --------------------------------------------------------------------------- custom pieces


def _read_bool(text: str) -> bool:
    return int(text or 0) != 0


def _read_margin_percent(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise ValueError(f"margin condition percent is not an integer: {text!r}") from None
        return int(number)


def _decode_conditions(
    fields: Sequence[str], i: int, version: int
) -> tuple[tuple[OrderCondition, ...], int]:
    """``count`` then, per condition, its type id, its conjunction and its fields."""
    count = int(fields[i] or 0)
    i += 1
    items: list[OrderCondition] = []
    for _ in range(count):
        type_id = int(fields[i] or 0)
        conjunction = fields[i + 1] == "a"
        i += 2
        cond: OrderCondition
        if type_id == ExecutionCondition.CONDITION_TYPE:
            cond = ExecutionCondition(
                is_conjunction_connection=conjunction,
                sec_type=fields[i],
                exchange=fields[i + 1],
                symbol=fields[i + 2],
            )
            i += 3
        elif type_id == TimeCondition.CONDITION_TYPE:
            cond = TimeCondition(
                is_conjunction_connection=conjunction,
                is_more=_read_bool(fields[i]),
                time=fields[i + 1],
            )
            i += 2
        elif type_id == MarginCondition.CONDITION_TYPE:
            cond = MarginCondition(
                is_conjunction_connection=conjunction,
                is_more=_read_bool(fields[i]),
                percent=_read_margin_percent(fields[i + 1]),
            )
            i += 2
        elif type_id == PriceCondition.CONDITION_TYPE:
            cond = PriceCondition(
                is_conjunction_connection=conjunction,
                is_more=_read_bool(fields[i]),
                price=float(fields[i + 1]),
                con_id=int(fields[i + 2] or 0),
                exchange=fields[i + 3],
                trigger_method=int(fields[i + 4] or 0),
            )
            i += 5
        elif type_id == VolumeCondition.CONDITION_TYPE:
            cond = VolumeCondition(
                is_conjunction_connection=conjunction,
                is_more=_read_bool(fields[i]),
                volume=int(fields[i + 1]),
                con_id=int(fields[i + 2] or 0),
                exchange=fields[i + 3],
            )
            i += 4
        elif type_id == PercentChangeCondition.CONDITION_TYPE:
            cond = PercentChangeCondition(
                is_conjunction_connection=conjunction,
                is_more=_read_bool(fields[i]),
                change_percent=float(fields[i + 1]),
                con_id=int(fields[i + 2] or 0),
                exchange=fields[i + 3],
            )
            i += 4
        else:
            raise ValueError(f"unknown order condition type {type_id}")
        items.append(cond)
    return tuple(items), i


def _encode_conditions(conditions: Sequence[OrderCondition], out: list[str], version: int) -> None:
    out.append(str(len(conditions)))
    for cond in conditions:
        out.append(str(cond.CONDITION_TYPE))
        out.append("a" if cond.is_conjunction_connection else "o")
        if isinstance(cond, ExecutionCondition):
            out += (cond.sec_type, cond.exchange, cond.symbol)
            continue
        out.append("1" if cond.is_more else "0")
        if isinstance(cond, TimeCondition):
            out.append(cond.time)
        elif isinstance(cond, MarginCondition):
            out.append(str(int(cond.percent)))
        elif isinstance(cond, PriceCondition):
            out += (format_float(cond.price), str(cond.con_id), cond.exchange)
            out.append(str(cond.trigger_method))
        elif isinstance(cond, VolumeCondition):
            out += (str(int(cond.volume)), str(cond.con_id), cond.exchange)
        elif isinstance(cond, PercentChangeCondition):
            out += (format_float(cond.change_percent), str(cond.con_id), cond.exchange)
        else:  # pragma: no cover - OrderCondition is a closed union
            raise TypeError(f"not an order condition: {cond!r}")


def _decode_tag_value_text(
    fields: Sequence[str], i: int, version: int
) -> tuple[tuple[TagValue, ...], int]:
    """One ``tag=value;tag=value;`` field (the official ``str(TagValue)`` joined)."""
    items = []
    for pair in fields[i].split(";"):
        if pair:
            tag, _, value = pair.partition("=")
            items.append(TagValue(tag=tag, value=value))
    return tuple(items), i + 1


def _encode_tag_value_text(items: Sequence[TagValue], out: list[str], version: int) -> None:
    for item in items:
        # TWS splits the text on ";" and each pair on its first "=": anything
        # else would reach it as different options.
        if ";" in item.tag or "=" in item.tag or ";" in item.value:
            raise ValueError(f"order misc option cannot be sent as tag=value text: {item!r}")
    out.append("".join(f"{item.tag}={item.value};" for item in items))


def _mirror_order_id(fields: Sequence[str], i: int, version: int) -> tuple[int, int]:
    # The official decoder stores the order id in Order.orderId as well; it is
    # field 1 of the message (field 2 below server 145, after the version).
    # Reads nothing at the current position.
    return int(fields[2 if version < SV.ORDER_CONTAINER else 1] or 0), i


def _write_nothing(value: object, out: list[str], version: int) -> None:
    return None


# --------------------------------------------------------------------------- fragments


def _v(n: int) -> str:
    """The condition of the official openOrder decoder's ``if version >= n``.

    Below server 145 ``version`` is the message's own version field (``ver``);
    from 145 on the official decoder uses the server version, which passes
    every such gate.
    """
    return f"version >= {int(SV.ORDER_CONTAINER)} or ver >= {n}"


#: Combo legs with every field, as in orders.
_COMBO_LEGS: Final = Repeat(
    "contract.combo_legs",
    Struct(
        None,
        ComboLeg,
        (
            F("con_id", INT),
            F("ratio", INT),
            F("action", STR),
            F("exchange", STR),
            F("open_close", INT),
            F("short_sale_slot", INT),
            F("designated_location", STR),
            F("exempt_code", INT),
        ),
    ),
)
_ORDER_COMBO_LEGS: Final = Repeat(
    "order.order_combo_legs", Struct(None, OrderComboLeg, (F("price", OPT_FLOAT),))
)
_SMART_COMBO_ROUTING_PARAMS: Final = Repeat("order.smart_combo_routing_params", TAG_VALUE)
_DELTA_NEUTRAL: Final = Opt(
    "contract.delta_neutral_contract",
    DeltaNeutralContract,
    (F("con_id", INT), F("delta", FLOAT), F("price", FLOAT)),
)
_HEDGE: Final[tuple[Node, ...]] = (
    F("order.hedge_type", STR),
    When("{order.hedge_type} != ''", (F("order.hedge_param", STR),)),
)
_ALGO: Final[tuple[Node, ...]] = (
    F("order.algo_strategy", STR),
    When("{order.algo_strategy} != ''", (Repeat("order.algo_params", TAG_VALUE),)),
)
_FA_PARAMS: Final[tuple[Node, ...]] = (
    F("order.fa_group", STR),
    F("order.fa_method", STR),
    F("order.fa_percentage", STR),
    Const("", "faProfile", before=SV.FA_PROFILE_DESUPPORT),
)
_BOX_AND_PEG_TO_STK: Final[tuple[Node, ...]] = (
    F("order.starting_price", OPT_FLOAT),
    F("order.stock_ref_price", OPT_FLOAT),
    F("order.delta", OPT_FLOAT),
    F("order.stock_range_lower", OPT_FLOAT),
    F("order.stock_range_upper", OPT_FLOAT),
)
#: Scale order extras, sent only for a set, positive price increment; the official
#: client also leaves them out for an increment given as its ``UNSET_DOUBLE``.
_SCALE_EXTRAS_COND: Final = (
    "{order.scale_price_increment} is not None and {order.scale_price_increment} > 0"
    f" and {{order.scale_price_increment}} != {UNSET_DOUBLE!r}"
)
_SCALE_EXTRAS: Final[tuple[Node, ...]] = (
    F("order.scale_price_adjust_value", OPT_FLOAT),
    F("order.scale_price_adjust_interval", OPT_INT),
    F("order.scale_profit_offset", OPT_FLOAT),
    F("order.scale_auto_reset", BOOL),
    F("order.scale_init_position", OPT_INT),
    F("order.scale_init_fill_qty", OPT_INT),
    F("order.scale_random_percent", BOOL),
)
# Fields inside a version-gated When repeat the gate: the encoder names the
# version a field set too early needs from the field's own gate.
_PEG_BENCH_PARAMS: Final = When(
    _PEG_BENCH,
    (
        F("order.reference_contract_id", INT, since=SV.PEGGED_TO_BENCHMARK),
        F("order.is_pegged_change_amount_decrease", BOOL, since=SV.PEGGED_TO_BENCHMARK),
        F("order.pegged_change_amount", FLOAT, since=SV.PEGGED_TO_BENCHMARK),
        F("order.reference_change_amount", FLOAT, since=SV.PEGGED_TO_BENCHMARK),
        F("order.reference_exchange_id", STR, since=SV.PEGGED_TO_BENCHMARK),
    ),
    since=SV.PEGGED_TO_BENCHMARK,
)
_CONDITIONS: Final[tuple[Node, ...]] = (
    Custom(
        "order.conditions", _decode_conditions, _encode_conditions, since=SV.PEGGED_TO_BENCHMARK
    ),
    When(
        "len({order.conditions}) > 0",
        (
            F("order.conditions_ignore_rth", BOOL, since=SV.PEGGED_TO_BENCHMARK),
            F("order.conditions_cancel_order", BOOL, since=SV.PEGGED_TO_BENCHMARK),
        ),
        since=SV.PEGGED_TO_BENCHMARK,
    ),
)
_PEG_OFFSETS: Final = SV.PEGBEST_PEGMID_OFFSETS
#: PEG BEST / PEG MID attributes as reported (unconditional from server 170).
_PEG_BEST_MID_REPORTED: Final[tuple[Node, ...]] = (
    F("order.min_trade_qty", OPT_INT, since=_PEG_OFFSETS),
    F("order.min_compete_size", OPT_INT, since=_PEG_OFFSETS),
    F("order.compete_against_best_offset", OPT_FLOAT, since=_PEG_OFFSETS),
    F("order.mid_offset_at_whole", OPT_FLOAT, since=_PEG_OFFSETS),
    F("order.mid_offset_at_half", OPT_FLOAT, since=_PEG_OFFSETS),
)
_MID_OFFSETS_SENT: Final[tuple[Node, ...]] = (
    F("order.mid_offset_at_whole", OPT_FLOAT, since=_PEG_OFFSETS),
    F("order.mid_offset_at_half", OPT_FLOAT, since=_PEG_OFFSETS),
)
#: PEG BEST / PEG MID attributes as placeOrder sends them (server 170+): each only
#: where it applies; "up to mid" (an infinite compete offset) adds the mid offsets.
_PEG_BEST_MID_SENT: Final = When(
    "True",
    (
        When(
            "{contract.exchange} == 'IBKRATS'",
            (F("order.min_trade_qty", OPT_INT, since=_PEG_OFFSETS),),
        ),
        When(
            _PEG_BEST,
            (
                F("order.min_compete_size", OPT_INT, since=_PEG_OFFSETS),
                F("order.compete_against_best_offset", OPT_FLOAT, since=_PEG_OFFSETS),
                When("{order.compete_against_best_offset} == float('inf')", _MID_OFFSETS_SENT),
            ),
            (When(_PEG_MID, _MID_OFFSETS_SENT),),
        ),
    ),
    since=_PEG_OFFSETS,
)


def _protobuf_only(name: str, gate: int) -> F:
    """An order field the official client only sends in protobuf form, from
    ``gate``: never on the text wire (present from ``gate`` and gone at ``gate``;
    its kind is never used), so that setting it below ``gate`` raises
    UnsupportedByServerError."""
    return F(name, STR, since=gate, before=gate)


#: The order fields that exist only in protobuf form, with their gates (the
#: official ``EClient.validateOrderParameters`` / ``validateAttachedOrdersParameters``).
#: ``route_marketable_to_bbo`` is a reported field on the text wire, not sent there.
PROTOBUF_ONLY_ORDER_FIELDS: Final = MappingProxyType({
    "deactivate": SV.ADDITIONAL_ORDER_PARAMS_1,
    "post_only": SV.ADDITIONAL_ORDER_PARAMS_1,
    "allow_pre_open": SV.ADDITIONAL_ORDER_PARAMS_1,
    "ignore_open_auction": SV.ADDITIONAL_ORDER_PARAMS_1,
    "seek_price_improvement": SV.ADDITIONAL_ORDER_PARAMS_2,
    "what_if_type": SV.ADDITIONAL_ORDER_PARAMS_2,
    "sl_order_id": SV.ATTACHED_ORDERS,
    "sl_order_type": SV.ATTACHED_ORDERS,
    "pt_order_id": SV.ATTACHED_ORDERS,
    "pt_order_type": SV.ATTACHED_ORDERS,
    "hedge_max_size": SV.HEDGE_MAX_SIZE,
    "conditions_include_overnight": SV.UNIFIED_VERSION_COND_ORDER_WITH_OVERNIGHT_PARAM,
})  # fmt: skip

_PROTOBUF_ONLY: Final = tuple(
    _protobuf_only(f"order.{name}", gate)
    for name, gate in PROTOBUF_ONLY_ORDER_FIELDS.items()
)
_WIRE_OBJECTS: Final = MappingProxyType(
    {"contract": Contract, "order": Order, "order_state": OrderState}
)


# --------------------------------------------------------------------------- incoming


@message(IncomingId.OPEN_ORDER)
@dataclass(frozen=True, slots=True, kw_only=True)
class OpenOrder(Message):
    """``OPEN_ORDER`` (5), EWrapper ``openOrder``: an open order and its state.

    Sent after ``placeOrder`` and in answer to ``reqOpenOrders``,
    ``reqAllOpenOrders`` and ``reqAutoOpenOrders`` (then ended by
    ``OPEN_ORDER_END``).  Below server 145 the message carries its own version
    after the id, and the official decoder gates some fields on it; from 145 on
    it uses the server version instead.

    The contract here has no ``primary_exchange``, ``sec_id_type`` nor
    ``sec_id``.  ``order.order_id`` repeats :attr:`order_id`, as in the official
    decoder.

    Attributes:
        order_id: the order's id (0 for orders placed in TWS; negative for
            orders of other clients bound with ``reqAutoOpenOrders``).
        contract: the order's contract (with its combo legs and delta-neutral
            contract, if any).
        order: the order.  ``order.trail_stop_price`` is read twice, as the
            official decoder does: its second position (server 102+, in the
            adjusted-order fields) wins.
        order_state: the order's status, and for what-if orders its margin and
            commission figures (the nine outside-RTH margins, suggested size,
            reject reason and allocations from server 195).
    """

    order_id: int
    contract: Contract = field(default_factory=Contract)
    order: Order = field(default_factory=Order)
    order_state: OrderState = field(default_factory=OrderState)

    WIRE_OBJECTS: ClassVar[Mapping[str, type]] = _WIRE_OBJECTS
    WIRE: ClassVar[tuple[Node, ...]] = (
        # Below server 145 a version follows the id; every version gate of the
        # official decoder is at most 34, the version TWS writes.
        Ver(34, before=SV.ORDER_CONTAINER),
        F("order_id", INT),
        # decodeContractFields: no primaryExchange in open orders.
        F("contract.con_id", INT),
        F("contract.symbol", STR),
        F("contract.sec_type", STR),
        F("contract.last_trade_date_or_contract_month", STR),
        F("contract.strike", _FLOAT_OR_UNSET),
        F("contract.right", STR),
        When(_v(32), (F("contract.multiplier", STR),)),
        F("contract.exchange", STR),
        F("contract.currency", STR),
        F("contract.local_symbol", STR),
        When(_v(32), (F("contract.trading_class", STR),)),
        F("order.action", STR),
        F("order.total_quantity", DECIMAL),
        F("order.order_type", STR),
        When(_v(29), (F("order.lmt_price", OPT_FLOAT),), (F("order.lmt_price", _FLOAT_OR_UNSET),)),
        When(_v(30), (F("order.aux_price", OPT_FLOAT),), (F("order.aux_price", _FLOAT_OR_UNSET),)),
        F("order.tif", STR),
        F("order.oca_group", STR),
        F("order.account", STR),
        F("order.open_close", STR),
        F("order.origin", INT),
        F("order.order_ref", STR),
        F("order.client_id", INT),
        F("order.perm_id", LONG),
        F("order.outside_rth", BOOL),
        F("order.hidden", BOOL),
        F("order.discretionary_amt", _NUMBER),
        F("order.good_after_time", STR),
        Const("", "sharesAllocation"),  # deprecated; the official decoder drops it
        *_FA_PARAMS,
        F("order.model_code", STR, since=SV.MODELS_SUPPORT),
        F("order.good_till_date", STR),
        F("order.rule80_a", STR),
        F("order.percent_offset", OPT_FLOAT),
        F("order.settling_firm", STR),
        F("order.short_sale_slot", INT),
        F("order.designated_location", STR),
        When(_v(23), (F("order.exempt_code", INT),)),
        F("order.auction_strategy", INT),
        *_BOX_AND_PEG_TO_STK,
        # TWS reports an unset display size as the max-int literal.
        F("order.display_size", OPT_INT_MAX),
        F("order.block_order", BOOL),
        F("order.sweep_to_fill", BOOL),
        F("order.all_or_none", BOOL),
        F("order.min_qty", OPT_INT),
        F("order.oca_type", INT),
        Const("0", "eTradeOnly"),
        Const("0", "firmQuoteOnly"),
        Const("", "nbboPriceCap"),
        F("order.parent_id", INT),
        F("order.trigger_method", INT),
        # decodeVolOrderParams(readOpenOrderAttribs=True)
        F("order.volatility", OPT_FLOAT),
        F("order.volatility_type", _INT_OR_UNSET),
        F("order.delta_neutral_order_type", STR),
        F("order.delta_neutral_aux_price", OPT_FLOAT),
        When(
            "{order.delta_neutral_order_type} != ''",
            (
                When(
                    _v(27),
                    (
                        F("order.delta_neutral_con_id", INT),
                        F("order.delta_neutral_settling_firm", STR),
                        F("order.delta_neutral_clearing_account", STR),
                        F("order.delta_neutral_clearing_intent", STR),
                    ),
                ),
                When(
                    _v(31),
                    (
                        F("order.delta_neutral_open_close", STR),
                        F("order.delta_neutral_short_sale", BOOL),
                        F("order.delta_neutral_short_sale_slot", INT),
                        F("order.delta_neutral_designated_location", STR),
                    ),
                ),
            ),
        ),
        F("order.continuous_update", BOOL),
        F("order.reference_price_type", _INT_OR_UNSET),
        F("order.trail_stop_price", OPT_FLOAT),
        When(_v(30), (F("order.trailing_percent", OPT_FLOAT),)),
        F("order.basis_points", OPT_FLOAT),
        F("order.basis_points_type", OPT_INT),
        F("contract.combo_legs_descrip", STR),
        When(_v(29), (_COMBO_LEGS, _ORDER_COMBO_LEGS)),
        When(_v(26), (_SMART_COMBO_ROUTING_PARAMS,)),
        # TWS reports unset scale sizes as the max-int literal.
        When(
            _v(20),
            (
                F("order.scale_init_level_size", OPT_INT_MAX),
                F("order.scale_subs_level_size", OPT_INT_MAX),
            ),
            (Const("", "notSuppScaleNumComponents"), F("order.scale_init_level_size", OPT_INT_MAX)),
        ),
        F("order.scale_price_increment", OPT_FLOAT),
        When(_v(28), (When(_SCALE_EXTRAS_COND, _SCALE_EXTRAS),)),
        When(_v(24), _HEDGE),
        When(_v(25), (F("order.opt_out_smart_routing", BOOL),)),
        F("order.clearing_account", STR),
        F("order.clearing_intent", STR),
        When(_v(22), (F("order.not_held", BOOL),)),
        When(_v(20), (_DELTA_NEUTRAL,)),
        When(_v(21), _ALGO),
        When(_v(33), (F("order.solicited", BOOL),)),
        # decodeWhatIfInfoAndCommissionAndFees
        F("order.what_if", BOOL),
        F("order_state.status", STR),
        F("order_state.init_margin_before", _MARGIN, since=SV.WHAT_IF_EXT_FIELDS),
        F("order_state.maint_margin_before", _MARGIN, since=SV.WHAT_IF_EXT_FIELDS),
        F("order_state.equity_with_loan_before", _MARGIN, since=SV.WHAT_IF_EXT_FIELDS),
        F("order_state.init_margin_change", _MARGIN, since=SV.WHAT_IF_EXT_FIELDS),
        F("order_state.maint_margin_change", _MARGIN, since=SV.WHAT_IF_EXT_FIELDS),
        F("order_state.equity_with_loan_change", _MARGIN, since=SV.WHAT_IF_EXT_FIELDS),
        F("order_state.init_margin_after", _MARGIN),
        F("order_state.maint_margin_after", _MARGIN),
        F("order_state.equity_with_loan_after", _MARGIN),
        F("order_state.commission_and_fees", OPT_FLOAT),
        F("order_state.min_commission_and_fees", OPT_FLOAT),
        F("order_state.max_commission_and_fees", OPT_FLOAT),
        F("order_state.commission_and_fees_currency", STR),
        F("order_state.margin_currency", STR, since=SV.FULL_ORDER_PREVIEW_FIELDS),
        F(
            "order_state.init_margin_before_outside_rth",
            OPT_FLOAT,
            since=SV.FULL_ORDER_PREVIEW_FIELDS,
        ),
        F(
            "order_state.maint_margin_before_outside_rth",
            OPT_FLOAT,
            since=SV.FULL_ORDER_PREVIEW_FIELDS,
        ),
        F(
            "order_state.equity_with_loan_before_outside_rth",
            OPT_FLOAT,
            since=SV.FULL_ORDER_PREVIEW_FIELDS,
        ),
        F(
            "order_state.init_margin_change_outside_rth",
            OPT_FLOAT,
            since=SV.FULL_ORDER_PREVIEW_FIELDS,
        ),
        F(
            "order_state.maint_margin_change_outside_rth",
            OPT_FLOAT,
            since=SV.FULL_ORDER_PREVIEW_FIELDS,
        ),
        F(
            "order_state.equity_with_loan_change_outside_rth",
            OPT_FLOAT,
            since=SV.FULL_ORDER_PREVIEW_FIELDS,
        ),
        F(
            "order_state.init_margin_after_outside_rth",
            OPT_FLOAT,
            since=SV.FULL_ORDER_PREVIEW_FIELDS,
        ),
        F(
            "order_state.maint_margin_after_outside_rth",
            OPT_FLOAT,
            since=SV.FULL_ORDER_PREVIEW_FIELDS,
        ),
        F(
            "order_state.equity_with_loan_after_outside_rth",
            OPT_FLOAT,
            since=SV.FULL_ORDER_PREVIEW_FIELDS,
        ),
        F("order_state.suggested_size", DECIMAL, since=SV.FULL_ORDER_PREVIEW_FIELDS),
        F("order_state.reject_reason", STR, since=SV.FULL_ORDER_PREVIEW_FIELDS),
        Repeat(
            "order_state.order_allocations",
            Struct(
                None,
                OrderAllocation,
                (
                    F("account", STR),
                    F("position", DECIMAL),
                    F("position_desired", DECIMAL),
                    F("position_after", DECIMAL),
                    F("desired_alloc_qty", DECIMAL),
                    F("allowed_alloc_qty", DECIMAL),
                    F("is_monetary", BOOL),
                ),
            ),
            since=SV.FULL_ORDER_PREVIEW_FIELDS,
        ),
        F("order_state.warning_text", STR),
        When(_v(34), (F("order.randomize_size", BOOL), F("order.randomize_price", BOOL))),
        _PEG_BENCH_PARAMS,
        *_CONDITIONS,
        # decodeAdjustedOrderParams: plain doubles; trailStopPrice is read again here.
        F("order.adjusted_order_type", STR, since=SV.PEGGED_TO_BENCHMARK),
        F("order.trigger_price", _FLOAT_OR_UNSET, since=SV.PEGGED_TO_BENCHMARK),
        F("order.trail_stop_price", _FLOAT_OR_UNSET, since=SV.PEGGED_TO_BENCHMARK),
        F("order.lmt_price_offset", _FLOAT_OR_UNSET, since=SV.PEGGED_TO_BENCHMARK),
        F("order.adjusted_stop_price", _FLOAT_OR_UNSET, since=SV.PEGGED_TO_BENCHMARK),
        F("order.adjusted_stop_limit_price", _FLOAT_OR_UNSET, since=SV.PEGGED_TO_BENCHMARK),
        F("order.adjusted_trailing_amount", _FLOAT_OR_UNSET, since=SV.PEGGED_TO_BENCHMARK),
        F("order.adjustable_trailing_unit", INT, since=SV.PEGGED_TO_BENCHMARK),
        Struct(
            "order.soft_dollar_tier",
            SoftDollarTier,
            (F("name", STR), F("value", STR), F("display_name", STR)),
            since=SV.SOFT_DOLLAR_TIER,
        ),
        F("order.cash_qty", _FLOAT_OR_UNSET, since=SV.CASH_QTY),
        F("order.dont_use_auto_price_for_hedge", BOOL, since=SV.AUTO_PRICE_FOR_HEDGE),
        F("order.is_oms_container", BOOL, since=SV.ORDER_CONTAINER),
        F("order.discretionary_up_to_limit_price", BOOL, since=SV.D_PEG_ORDERS),
        # The official decoder reads a plain bool here (empty is False).
        F("order.use_price_mgmt_algo", BOOL, since=SV.PRICE_MGMT_ALGO),
        F("order.duration", OPT_INT, since=SV.DURATION),
        F("order.post_to_ats", OPT_INT, since=SV.POST_TO_ATS),
        F("order.auto_cancel_parent", BOOL, since=SV.AUTO_CANCEL_PARENT),
        *_PEG_BEST_MID_REPORTED,
        F("order.customer_account", STR, since=SV.CUSTOMER_ACCOUNT),
        F("order.professional_customer", BOOL, since=SV.PROFESSIONAL_CUSTOMER),
        F("order.bond_accrued_interest", STR, since=SV.BOND_ACCRUED_INTEREST),
        F("order.include_overnight", BOOL, since=SV.INCLUDE_OVERNIGHT),
        F("order.ext_operator", STR, since=SV.CME_TAGGING_FIELDS_IN_OPEN_ORDER),
        F("order.manual_order_indicator", OPT_INT, since=SV.CME_TAGGING_FIELDS_IN_OPEN_ORDER),
        F("order.submitter", STR, since=SV.SUBMITTER),
        F("order.imbalance_only", BOOL, since=SV.IMBALANCE_ONLY),
        Custom("order.order_id", _mirror_order_id, _write_nothing),
    )


@message(IncomingId.COMPLETED_ORDER)
@dataclass(frozen=True, slots=True, kw_only=True)
class CompletedOrder(Message):
    """``COMPLETED_ORDER`` (101), EWrapper ``completedOrder`` (server 150+).

    One filled or cancelled order, in answer to ``reqCompletedOrders`` (ended by
    ``COMPLETED_ORDERS_END``).  Its field sequence differs from
    :class:`OpenOrder`: no order id nor client id, no what-if figures, but the
    completion time and status and a few completed-order fields
    (``auto_cancel_date``, ``filled_quantity``, ``ref_futures_con_id``,
    ``shareholder``, ``route_marketable_to_bbo``, ``parent_perm_id``).

    Attributes:
        contract: the order's contract (no ``primary_exchange``).
        order: the order; ``order.order_id`` and ``order.client_id`` stay 0.
            ``order.trail_stop_price`` is read twice, as the official decoder
            does: the second position wins.
        order_state: ``status``, ``completed_time`` and ``completed_status``.
    """

    contract: Contract = field(default_factory=Contract)
    order: Order = field(default_factory=Order)
    order_state: OrderState = field(default_factory=OrderState)

    WIRE_OBJECTS: ClassVar[Mapping[str, type]] = _WIRE_OBJECTS
    WIRE: ClassVar[tuple[Node, ...]] = (
        F("contract.con_id", INT),
        F("contract.symbol", STR),
        F("contract.sec_type", STR),
        F("contract.last_trade_date_or_contract_month", STR),
        F("contract.strike", _FLOAT_OR_UNSET),
        F("contract.right", STR),
        F("contract.multiplier", STR),
        F("contract.exchange", STR),
        F("contract.currency", STR),
        F("contract.local_symbol", STR),
        F("contract.trading_class", STR),
        F("order.action", STR),
        F("order.total_quantity", DECIMAL),
        F("order.order_type", STR),
        F("order.lmt_price", OPT_FLOAT),
        F("order.aux_price", OPT_FLOAT),
        F("order.tif", STR),
        F("order.oca_group", STR),
        F("order.account", STR),
        F("order.open_close", STR),
        F("order.origin", INT),
        F("order.order_ref", STR),
        F("order.perm_id", LONG),
        F("order.outside_rth", BOOL),
        F("order.hidden", BOOL),
        F("order.discretionary_amt", _NUMBER),
        F("order.good_after_time", STR),
        *_FA_PARAMS,
        F("order.model_code", STR, since=SV.MODELS_SUPPORT),
        F("order.good_till_date", STR),
        F("order.rule80_a", STR),
        F("order.percent_offset", OPT_FLOAT),
        F("order.settling_firm", STR),
        F("order.short_sale_slot", INT),
        F("order.designated_location", STR),
        F("order.exempt_code", INT),
        *_BOX_AND_PEG_TO_STK,
        F("order.display_size", OPT_INT_MAX),
        F("order.sweep_to_fill", BOOL),
        F("order.all_or_none", BOOL),
        F("order.min_qty", OPT_INT),
        F("order.oca_type", INT),
        F("order.trigger_method", INT),
        # decodeVolOrderParams(readOpenOrderAttribs=False)
        F("order.volatility", OPT_FLOAT),
        F("order.volatility_type", _INT_OR_UNSET),
        F("order.delta_neutral_order_type", STR),
        F("order.delta_neutral_aux_price", OPT_FLOAT),
        When(
            "{order.delta_neutral_order_type} != ''",
            (
                F("order.delta_neutral_con_id", INT),
                F("order.delta_neutral_short_sale", BOOL),
                F("order.delta_neutral_short_sale_slot", INT),
                F("order.delta_neutral_designated_location", STR),
            ),
        ),
        F("order.continuous_update", BOOL),
        F("order.reference_price_type", _INT_OR_UNSET),
        F("order.trail_stop_price", OPT_FLOAT),
        F("order.trailing_percent", OPT_FLOAT),
        F("contract.combo_legs_descrip", STR),
        _COMBO_LEGS,
        _ORDER_COMBO_LEGS,
        _SMART_COMBO_ROUTING_PARAMS,
        F("order.scale_init_level_size", OPT_INT_MAX),
        F("order.scale_subs_level_size", OPT_INT_MAX),
        F("order.scale_price_increment", OPT_FLOAT),
        When(_SCALE_EXTRAS_COND, _SCALE_EXTRAS),
        *_HEDGE,
        F("order.clearing_account", STR),
        F("order.clearing_intent", STR),
        F("order.not_held", BOOL),
        _DELTA_NEUTRAL,
        *_ALGO,
        F("order.solicited", BOOL),
        F("order_state.status", STR),
        F("order.randomize_size", BOOL),
        F("order.randomize_price", BOOL),
        _PEG_BENCH_PARAMS,
        *_CONDITIONS,
        # decodeStopPriceAndLmtPriceOffset: plain doubles, read at every version.
        F("order.trail_stop_price", _FLOAT_OR_UNSET),
        F("order.lmt_price_offset", _FLOAT_OR_UNSET),
        F("order.cash_qty", _FLOAT_OR_UNSET, since=SV.CASH_QTY),
        F("order.dont_use_auto_price_for_hedge", BOOL, since=SV.AUTO_PRICE_FOR_HEDGE),
        F("order.is_oms_container", BOOL, since=SV.ORDER_CONTAINER),
        F("order.auto_cancel_date", STR),
        F("order.filled_quantity", DECIMAL),
        F("order.ref_futures_con_id", INT),
        F("order.auto_cancel_parent", BOOL),
        F("order.shareholder", STR),
        F("order.imbalance_only", BOOL),
        F("order.route_marketable_to_bbo", BOOL),
        F("order.parent_perm_id", LONG),
        F("order_state.completed_time", STR),
        F("order_state.completed_status", STR),
        *_PEG_BEST_MID_REPORTED,
        F("order.customer_account", STR, since=SV.CUSTOMER_ACCOUNT),
        F("order.professional_customer", BOOL, since=SV.PROFESSIONAL_CUSTOMER),
        F("order.submitter", STR, since=SV.SUBMITTER),
    )


# --------------------------------------------------------------------------- outgoing


@message(OutgoingId.PLACE_ORDER)
@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceOrder(Message):
    """``PLACE_ORDER`` (3), EClient ``placeOrder``: place or modify an order.

    TWS silently drops a placeOrder whose fields do not match the server
    version, so every field follows the official client's layout exactly:
    empty for unset where it uses ``make_field_handle_empty``, the max-int /
    max-double literal where it sends the raw UNSET value (``display_size``,
    the adjusted-order prices, ``cash_qty``, ``duration``, ``post_to_ats``,
    ``manual_order_indicator``).  Encoding raises
    :class:`~ibwire.errors.UnsupportedByServerError`, naming the field, when a
    field is set that the server is too old for (the official client refuses
    such orders with error 503 "update TWS").

    Attributes:
        order_id: the order's id: a new id from ``nextValidId`` to place, the
            same id to modify.  (``order.order_id`` is not sent.)
        contract: the instrument: the 12-field contract block, ``sec_id_type``
            and ``sec_id``; for a ``BAG`` its combo legs (all eight fields each);
            its delta-neutral contract when set.
        order: the order.  Not sent: the fields TWS only reports
            (``client_id``, ``perm_id``, ``basis_points``, ``basis_points_type``,
            ``auto_cancel_date``, ``filled_quantity``, ``ref_futures_con_id``,
            ``shareholder``, ``route_marketable_to_bbo``, ``parent_perm_id``,
            ``bond_accrued_interest``, ``submitter``), ``soft_dollar_tier.display_name``,
            and the PEG BEST/MID attributes that do not apply to the order type
            (``min_trade_qty`` goes only to ``IBKRATS``).
    """

    order_id: int
    contract: Contract
    order: Order

    WIRE_OBJECTS: ClassVar[Mapping[str, type]] = MappingProxyType(
        {"contract": Contract, "order": Order}
    )
    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(45, before=SV.ORDER_CONTAINER),
        F("order_id", INT),
        F("contract.con_id", INT),
        F("contract.symbol", STR),
        F("contract.sec_type", STR),
        F("contract.last_trade_date_or_contract_month", STR),
        F("contract.strike", OPT_FLOAT),
        F("contract.right", STR),
        F("contract.multiplier", STR),
        F("contract.exchange", STR),
        F("contract.primary_exchange", STR),
        F("contract.currency", STR),
        F("contract.local_symbol", STR),
        F("contract.trading_class", STR),
        F("contract.sec_id_type", STR),
        F("contract.sec_id", STR),
        F("order.action", STR),
        F("order.total_quantity", DECIMAL, since=SV.FRACTIONAL_POSITIONS),
        # Below server 101 the official client sends int(totalQuantity).
        F("order.total_quantity", _INT_QUANTITY, before=SV.FRACTIONAL_POSITIONS),
        F("order.order_type", STR),
        F("order.lmt_price", OPT_FLOAT),
        F("order.aux_price", OPT_FLOAT),
        F("order.tif", STR),
        F("order.oca_group", STR),
        F("order.account", STR),
        F("order.open_close", STR),
        F("order.origin", INT),
        F("order.order_ref", STR),
        F("order.transmit", BOOL),
        F("order.parent_id", INT),
        F("order.block_order", BOOL),
        F("order.sweep_to_fill", BOOL),
        F("order.display_size", OPT_INT_MAX),
        F("order.trigger_method", INT),
        F("order.outside_rth", BOOL),
        F("order.hidden", BOOL),
        When(
            "{contract.sec_type} == 'BAG'",
            (_COMBO_LEGS, _ORDER_COMBO_LEGS, _SMART_COMBO_ROUTING_PARAMS),
        ),
        Const("", "sharesAllocation"),
        F("order.discretionary_amt", _NUMBER),
        F("order.good_after_time", STR),
        F("order.good_till_date", STR),
        *_FA_PARAMS,
        F("order.model_code", STR, since=SV.MODELS_SUPPORT),
        F("order.short_sale_slot", INT),
        F("order.designated_location", STR),
        F("order.exempt_code", INT),
        F("order.oca_type", INT),
        F("order.rule80_a", STR),
        F("order.settling_firm", STR),
        F("order.all_or_none", BOOL),
        F("order.min_qty", OPT_INT),
        F("order.percent_offset", OPT_FLOAT),
        Const("0", "eTradeOnly"),
        Const("0", "firmQuoteOnly"),
        Const("", "nbboPriceCap"),
        F("order.auction_strategy", INT),
        *_BOX_AND_PEG_TO_STK,
        F("order.override_percentage_constraints", BOOL),
        F("order.volatility", OPT_FLOAT),
        F("order.volatility_type", OPT_INT),
        F("order.delta_neutral_order_type", STR),
        F("order.delta_neutral_aux_price", OPT_FLOAT),
        When(
            "{order.delta_neutral_order_type} != ''",
            (
                F("order.delta_neutral_con_id", INT),
                F("order.delta_neutral_settling_firm", STR),
                F("order.delta_neutral_clearing_account", STR),
                F("order.delta_neutral_clearing_intent", STR),
                F("order.delta_neutral_open_close", STR),
                F("order.delta_neutral_short_sale", BOOL),
                F("order.delta_neutral_short_sale_slot", INT),
                F("order.delta_neutral_designated_location", STR),
            ),
        ),
        F("order.continuous_update", BOOL),
        F("order.reference_price_type", OPT_INT),
        F("order.trail_stop_price", OPT_FLOAT),
        F("order.trailing_percent", OPT_FLOAT),
        F("order.scale_init_level_size", OPT_INT),
        F("order.scale_subs_level_size", OPT_INT),
        F("order.scale_price_increment", OPT_FLOAT),
        When(_SCALE_EXTRAS_COND, _SCALE_EXTRAS),
        F("order.scale_table", STR),
        F("order.active_start_time", STR),
        F("order.active_stop_time", STR),
        *_HEDGE,
        F("order.opt_out_smart_routing", BOOL),
        F("order.clearing_account", STR),
        F("order.clearing_intent", STR),
        F("order.not_held", BOOL),
        _DELTA_NEUTRAL,
        *_ALGO,
        F("order.algo_id", STR),
        F("order.what_if", BOOL),
        Custom("order.order_misc_options", _decode_tag_value_text, _encode_tag_value_text),
        F("order.solicited", BOOL),
        F("order.randomize_size", BOOL),
        F("order.randomize_price", BOOL),
        _PEG_BENCH_PARAMS,
        *_CONDITIONS,
        # The official client sends the raw UNSET_DOUBLE here (make_field).
        F("order.adjusted_order_type", STR, since=SV.PEGGED_TO_BENCHMARK),
        F("order.trigger_price", OPT_FLOAT_MAX, since=SV.PEGGED_TO_BENCHMARK),
        F("order.lmt_price_offset", OPT_FLOAT_MAX, since=SV.PEGGED_TO_BENCHMARK),
        F("order.adjusted_stop_price", OPT_FLOAT_MAX, since=SV.PEGGED_TO_BENCHMARK),
        F("order.adjusted_stop_limit_price", OPT_FLOAT_MAX, since=SV.PEGGED_TO_BENCHMARK),
        F("order.adjusted_trailing_amount", OPT_FLOAT_MAX, since=SV.PEGGED_TO_BENCHMARK),
        F("order.adjustable_trailing_unit", INT, since=SV.PEGGED_TO_BENCHMARK),
        F("order.ext_operator", STR, since=SV.EXT_OPERATOR),
        Struct(
            "order.soft_dollar_tier",
            SoftDollarTier,
            (F("name", STR), F("value", STR)),
            since=SV.SOFT_DOLLAR_TIER,
        ),
        F("order.cash_qty", OPT_FLOAT_MAX, since=SV.CASH_QTY),
        F("order.mifid2_decision_maker", STR, since=SV.DECISION_MAKER),
        F("order.mifid2_decision_algo", STR, since=SV.DECISION_MAKER),
        F("order.mifid2_execution_trader", STR, since=SV.MIFID_EXECUTION),
        F("order.mifid2_execution_algo", STR, since=SV.MIFID_EXECUTION),
        F("order.dont_use_auto_price_for_hedge", BOOL, since=SV.AUTO_PRICE_FOR_HEDGE),
        F("order.is_oms_container", BOOL, since=SV.ORDER_CONTAINER),
        F("order.discretionary_up_to_limit_price", BOOL, since=SV.D_PEG_ORDERS),
        F("order.use_price_mgmt_algo", OPT_BOOL, since=SV.PRICE_MGMT_ALGO),
        F("order.duration", OPT_INT_MAX, since=SV.DURATION),
        F("order.post_to_ats", OPT_INT_MAX, since=SV.POST_TO_ATS),
        F("order.auto_cancel_parent", BOOL, since=SV.AUTO_CANCEL_PARENT),
        F("order.advanced_error_override", STR, since=SV.ADVANCED_ORDER_REJECT),
        F("order.manual_order_time", STR, since=SV.MANUAL_ORDER_TIME),
        _PEG_BEST_MID_SENT,
        F("order.customer_account", STR, since=SV.CUSTOMER_ACCOUNT),
        F("order.professional_customer", BOOL, since=SV.PROFESSIONAL_CUSTOMER),
        # 187 <= server < 190: two RFQ fields, always sent empty / unset.
        Const("", "rfq1", since=SV.RFQ_FIELDS, before=SV.UNDO_RFQ_FIELDS),
        Const("2147483647", "rfq2", since=SV.RFQ_FIELDS, before=SV.UNDO_RFQ_FIELDS),
        F("order.include_overnight", BOOL, since=SV.INCLUDE_OVERNIGHT),
        F("order.manual_order_indicator", OPT_INT_MAX, since=SV.CME_TAGGING_FIELDS),
        F("order.imbalance_only", BOOL, since=SV.IMBALANCE_ONLY),
        *_PROTOBUF_ONLY,
    )
