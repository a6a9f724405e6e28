"""Order status, executions, commissions, and the simple order requests.

Domain objects defined here: :class:`Execution` (one fill), :class:`ExecutionFilter`
(the criteria of :class:`ReqExecutions`) and :class:`OrderCancel` (the attributes
of a cancel).  The official ``CommissionAndFeesReport`` object is not a separate
class: the :class:`CommissionAndFeesReport` message carries its six fields
directly, since the message and the object share the official name.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    OPT_FLOAT,
    OPT_FLOAT_MAX,
    OPT_INT_MAX,
    STR,
)
from ..ids import IncomingId, OutgoingId
from ..versions import ServerVersion as SV
from ._base import Const, F, Message, Node, Repeat, Struct, Ver, dataclass, message
from .common import STRIKE, Contract

__all__ = [
    "CancelOrder",
    "CommissionAndFeesReport",
    "CompletedOrdersEnd",
    "Execution",
    "ExecutionData",
    "ExecutionDataEnd",
    "ExecutionFilter",
    "ExerciseOptions",
    "OpenOrderEnd",
    "OrderBound",
    "OrderCancel",
    "OrderStatus",
    "ReqAllOpenOrders",
    "ReqAutoOpenOrders",
    "ReqCompletedOrders",
    "ReqExecutions",
    "ReqGlobalCancel",
    "ReqOpenOrders",
]


# ------------------------------------------------------------------ domain objects


@dataclass(frozen=True, slots=True, kw_only=True)
class Execution:
    """One fill (the official ``Execution``).

    Attributes:
        exec_id: the execution id, unique per fill (corrections reuse its stem).
        time: the execution time as TWS formats it (``yyyymmdd-hh:mm:ss`` or
            ``yyyymmdd hh:mm:ss TZ``).
        acct_number: the account the fill belongs to.
        exchange: the exchange that executed.
        side: ``BOT`` (bought) or ``SLD`` (sold).
        shares: the quantity filled, ``None`` when unset.
        price: the fill price.
        perm_id: TWS's permanent id of the order (may exceed 32 bits).
        client_id: the API client that placed the order.
        order_id: the order id the client gave the order.
        liquidation: 1 when the fill was an IB liquidation.
        cum_qty: the cumulative quantity filled for the order, ``None`` when unset.
        avg_price: the average fill price of the order so far.
        order_ref: the order reference the client set.
        ev_rule: the economic value rule (e.g. ``aussieBond:YearsToExpiration=3``).
        ev_multiplier: the economic value multiplier (0.0 when none).
        model_code: the model (server 103+).
        last_liquidity: 1 added liquidity, 2 removed, 3 rounded out (server 136+).
        pending_price_revision: the price may still be revised (server 178+).
        submitter: who submitted the order (server 198+).
    """

    exec_id: str = ""
    time: str = ""
    acct_number: str = ""
    exchange: str = ""
    side: str = ""
    shares: Decimal | None = None
    price: float = 0.0
    perm_id: int = 0
    client_id: int = 0
    order_id: int = 0
    liquidation: int = 0
    cum_qty: Decimal | None = None
    avg_price: float = 0.0
    order_ref: str = ""
    ev_rule: str = ""
    ev_multiplier: float = 0.0
    model_code: str = ""
    last_liquidity: int = 0
    pending_price_revision: bool = False
    submitter: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionFilter:
    """Which executions :class:`ReqExecutions` asks for (the official ``ExecutionFilter``).

    Empty text and 0 mean "any".

    Attributes:
        client_id: only fills of orders placed by this API client (0: any).
        acct_code: only this account.
        time: only fills at or after this time, ``yyyymmdd-hh:mm:ss``.
        symbol: only this underlying symbol.
        sec_type: only this security type.
        exchange: only this exchange.
        side: only ``BUY`` or ``SELL``.
        last_n_days: only the last N days; ``None`` for unset, sent as the literal
            2147483647 as the official client does (server 200+).
        specific_dates: only these days, as ``yyyymmdd`` ints (server 200+).
    """

    client_id: int = 0
    acct_code: str = ""
    time: str = ""
    symbol: str = ""
    sec_type: str = ""
    exchange: str = ""
    side: str = ""
    last_n_days: int | None = None
    specific_dates: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCancel:
    """Attributes of a cancel request (the official ``OrderCancel``).

    Attributes:
        manual_order_cancel_time: when the cancel was decided, for manually
            entered orders (``yyyymmdd-hh:mm:ss``); only :class:`CancelOrder`
            sends it (server 169+).
        ext_operator: the operator who decided the cancel (CME tagging, server 192+).
        manual_order_indicator: 0 automated, 1 manual (CME tagging, server 192+);
            ``None`` for unset, sent as the literal 2147483647 as the official
            client does.
    """

    manual_order_cancel_time: str = ""
    ext_operator: str = ""
    manual_order_indicator: int | None = None


# ------------------------------------------------------------------ incoming


@message(IncomingId.ORDER_STATUS)
@dataclass(frozen=True, slots=True, kw_only=True)
class OrderStatus(Message):
    """``ORDER_STATUS`` (3), EWrapper ``orderStatus``.

    Below server 131 a version field follows the id; the official decoder skips
    it.

    Attributes:
        order_id: the client's order id.
        status: ``PendingSubmit``, ``PreSubmitted``, ``Submitted``, ``Filled``,
            ``Cancelled``, ``Inactive``, ...
        filled: the quantity filled so far, ``None`` when unset.
        remaining: the quantity still working, ``None`` when unset.
        avg_fill_price: the average fill price.
        perm_id: TWS's permanent order id, read as a 64-bit int (it exceeds 32
            bits from server 191, ``PERM_ID_AS_LONG``).
        parent_id: the parent order id of a bracket or hedge child, 0 for none.
        last_fill_price: the price of the last fill.
        client_id: the API client that placed the order.
        why_held: why the order is held (e.g. ``locate``), empty when it is not.
        mkt_cap_price: the price the order was capped at (server 131+); 0.0
            before (where the official client passes ``None``).
    """

    order_id: int
    status: str
    filled: Decimal | None
    remaining: Decimal | None
    avg_fill_price: float = 0.0
    perm_id: int = 0
    parent_id: int = 0
    last_fill_price: float = 0.0
    client_id: int = 0
    why_held: str = ""
    mkt_cap_price: float = 0.0

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(6, before=SV.MARKET_CAP_PRICE),
        F("order_id", INT),
        F("status", STR),
        F("filled", DECIMAL),
        F("remaining", DECIMAL),
        F("avg_fill_price", FLOAT),
        F("perm_id", LONG),
        F("parent_id", INT),
        F("last_fill_price", FLOAT),
        F("client_id", INT),
        F("why_held", STR),
        F("mkt_cap_price", FLOAT, since=SV.MARKET_CAP_PRICE),
    )


@message(IncomingId.OPEN_ORDER_END)
@dataclass(frozen=True, slots=True, kw_only=True)
class OpenOrderEnd(Message):
    """``OPEN_ORDER_END`` (53), EWrapper ``openOrderEnd``: the end of an open-orders download."""

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1),)


#: The contract of an execution report, as the official decoder reads it.
_EXEC_CONTRACT: Final[tuple[Node, ...]] = (
    F("con_id", INT),
    F("symbol", STR),
    F("sec_type", STR),
    F("last_trade_date_or_contract_month", STR),
    F("strike", STRIKE),
    F("right", STR),
    F("multiplier", STR),
    F("exchange", STR),
    F("currency", STR),
    F("local_symbol", STR),
    F("trading_class", STR),
)


@message(IncomingId.EXECUTION_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionData(Message):
    """``EXECUTION_DATA`` (11), EWrapper ``execDetails``: one fill.

    Below server 136 a version field follows the id.  The official decoder gates
    reqId (7), cumQty/avgPrice (6), orderRef (8), multiplier/evRule/evMultiplier
    (9) and tradingClass (10) on it.  ibwire reads them all: tradingClass, the
    newest, came with server 68 (``TRADING_CLASS``), below ibwire's range, so the
    servers it can negotiate are expected to send version 10 (and ibwire sends
    10).  A message of a lower version has fewer fields and fails the exact field
    count instead of being misread.

    Attributes:
        req_id: the :class:`ReqExecutions` request id; -1 for a fill that arrives
            unsolicited.
        contract: the instrument: ``con_id``, ``symbol``, ``sec_type``,
            ``last_trade_date_or_contract_month``, ``strike``, ``right``,
            ``multiplier``, ``exchange``, ``currency``, ``local_symbol`` and
            ``trading_class`` are set.
        execution: the fill; its ``order_id`` travels before the contract.
    """

    req_id: int
    contract: Contract
    execution: Execution

    WIRE_OBJECTS: ClassVar[Mapping[str, type]] = MappingProxyType({"execution": Execution})
    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(10, before=SV.LAST_LIQUIDITY),
        F("req_id", INT),
        F("execution.order_id", INT),
        Struct("contract", Contract, _EXEC_CONTRACT),
        F("execution.exec_id", STR),
        F("execution.time", STR),
        F("execution.acct_number", STR),
        F("execution.exchange", STR),
        F("execution.side", STR),
        F("execution.shares", DECIMAL),
        F("execution.price", FLOAT),
        F("execution.perm_id", LONG),
        F("execution.client_id", INT),
        F("execution.liquidation", INT),
        F("execution.cum_qty", DECIMAL),
        F("execution.avg_price", FLOAT),
        F("execution.order_ref", STR),
        F("execution.ev_rule", STR),
        F("execution.ev_multiplier", FLOAT),
        F("execution.model_code", STR, since=SV.MODELS_SUPPORT),
        F("execution.last_liquidity", INT, since=SV.LAST_LIQUIDITY),
        F("execution.pending_price_revision", BOOL, since=SV.PENDING_PRICE_REVISION),
        F("execution.submitter", STR, since=SV.SUBMITTER),
    )


@message(IncomingId.EXECUTION_DATA_END)
@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionDataEnd(Message):
    """``EXECUTION_DATA_END`` (55), EWrapper ``execDetailsEnd``.

    Attributes:
        req_id: the :class:`ReqExecutions` request that is complete.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(IncomingId.COMMISSION_AND_FEES_REPORT)
@dataclass(frozen=True, slots=True, kw_only=True)
class CommissionAndFeesReport(Message):
    """``COMMISSION_AND_FEES_REPORT`` (59), EWrapper ``commissionAndFeesReport``.

    The message is the official ``CommissionAndFeesReport`` object, flattened.
    TWS sends one after the :class:`ExecutionData` of each fill.

    Attributes:
        exec_id: the :attr:`Execution.exec_id` the charges belong to.
        commission_and_fees: the commissions and fees charged.
        currency: the currency of the charges.
        realized_pnl: the realized profit and loss of the fill; ``None`` when
            unset (TWS sends the max-double literal).
        yield_: the yield of a bond fill; ``None`` when unset (max-double).
        yield_redemption_date: the yield redemption date, ``yyyymmdd``; 0 for none.
    """

    exec_id: str
    commission_and_fees: float
    currency: str
    realized_pnl: float | None = None
    yield_: float | None = None
    yield_redemption_date: int = 0

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("exec_id", STR),
        F("commission_and_fees", FLOAT),
        F("currency", STR),
        F("realized_pnl", OPT_FLOAT_MAX),
        F("yield_", OPT_FLOAT_MAX),
        F("yield_redemption_date", INT),
    )


@message(IncomingId.ORDER_BOUND)
@dataclass(frozen=True, slots=True, kw_only=True)
class OrderBound(Message):
    """``ORDER_BOUND`` (100), EWrapper ``orderBound``: a TWS order bound to an API id.

    Attributes:
        perm_id: TWS's permanent order id (64-bit).
        client_id: the API client the order is now bound to.
        order_id: the API order id it was given.
    """

    perm_id: int
    client_id: int
    order_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (F("perm_id", LONG), F("client_id", INT), F("order_id", INT))


@message(IncomingId.COMPLETED_ORDERS_END)
@dataclass(frozen=True, slots=True, kw_only=True)
class CompletedOrdersEnd(Message):
    """``COMPLETED_ORDERS_END`` (102), EWrapper ``completedOrdersEnd``: no fields."""

    WIRE: ClassVar[tuple[Node, ...]] = ()


# ------------------------------------------------------------------ outgoing


@message(OutgoingId.CANCEL_ORDER)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelOrder(Message):
    """``CANCEL_ORDER`` (4), EClient ``cancelOrder``.

    A version field (1) follows the id below server 192.  Servers 187 to 189
    (``RFQ_FIELDS`` until ``UNDO_RFQ_FIELDS``) expect three more fields after the
    cancel time; the official client sends them as ``""``, ``""`` and
    ``2147483647``, and so does ibwire.

    Attributes:
        order_id: the id of the order to cancel.
        order_cancel: the cancel's attributes; each needs the server version
            named on :class:`OrderCancel`, and setting one on an older server
            raises :class:`~ibwire.errors.UnsupportedByServerError`.
    """

    order_id: int
    order_cancel: OrderCancel = field(default_factory=OrderCancel)

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1, before=SV.CME_TAGGING_FIELDS),
        F("order_id", INT),
        Struct(
            "order_cancel",
            OrderCancel,
            (
                F("manual_order_cancel_time", STR, since=SV.MANUAL_ORDER_TIME),
                Const("", "rfq_reserved_1", since=SV.RFQ_FIELDS, before=SV.UNDO_RFQ_FIELDS),
                Const("", "rfq_reserved_2", since=SV.RFQ_FIELDS, before=SV.UNDO_RFQ_FIELDS),
                Const(
                    "2147483647",
                    "rfq_reserved_3",
                    since=SV.RFQ_FIELDS,
                    before=SV.UNDO_RFQ_FIELDS,
                ),
                F("ext_operator", STR, since=SV.CME_TAGGING_FIELDS),
                F("manual_order_indicator", OPT_INT_MAX, since=SV.CME_TAGGING_FIELDS),
            ),
        ),
    )


@message(OutgoingId.REQ_OPEN_ORDERS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqOpenOrders(Message):
    """``REQ_OPEN_ORDERS`` (5), EClient ``reqOpenOrders``: this client's open orders.

    Answered by ``OPEN_ORDER`` and :class:`OrderStatus` messages, then
    :class:`OpenOrderEnd`.
    """

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1),)


@message(OutgoingId.REQ_AUTO_OPEN_ORDERS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqAutoOpenOrders(Message):
    """``REQ_AUTO_OPEN_ORDERS`` (15), EClient ``reqAutoOpenOrders`` (client id 0 only).

    Attributes:
        auto_bind: bind orders created in TWS to this client from now on (the
            official ``bAutoBind``); false stops it.
    """

    auto_bind: bool

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("auto_bind", BOOL))


@message(OutgoingId.REQ_ALL_OPEN_ORDERS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqAllOpenOrders(Message):
    """``REQ_ALL_OPEN_ORDERS`` (16), EClient ``reqAllOpenOrders``: open orders of every client and TWS."""

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1),)


@message(OutgoingId.REQ_COMPLETED_ORDERS, min_version=SV.COMPLETED_ORDERS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqCompletedOrders(Message):
    """``REQ_COMPLETED_ORDERS`` (99), EClient ``reqCompletedOrders`` (server 150+).

    Answered by ``COMPLETED_ORDER`` messages, then :class:`CompletedOrdersEnd`.

    Attributes:
        api_only: only orders placed through the API.
    """

    api_only: bool

    WIRE: ClassVar[tuple[Node, ...]] = (F("api_only", BOOL),)


@message(OutgoingId.REQ_EXECUTIONS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqExecutions(Message):
    """``REQ_EXECUTIONS`` (7), EClient ``reqExecutions``.

    Answered by :class:`ExecutionData` and :class:`CommissionAndFeesReport`
    messages, then :class:`ExecutionDataEnd`.  From server 200 the filter's
    ``last_n_days`` and a count of ``specific_dates`` are always sent (the count is
    0 for none); before 200, setting either raises
    :class:`~ibwire.errors.UnsupportedByServerError`.

    Attributes:
        req_id: the request id the answers carry.
        exec_filter: which executions to report.
    """

    req_id: int
    exec_filter: ExecutionFilter = field(default_factory=ExecutionFilter)

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(3),
        F("req_id", INT, since=SV.EXECUTION_DATA_CHAIN),
        Struct(
            "exec_filter",
            ExecutionFilter,
            (
                F("client_id", INT),
                F("acct_code", STR),
                F("time", STR),
                F("symbol", STR),
                F("sec_type", STR),
                F("exchange", STR),
                F("side", STR),
                F("last_n_days", OPT_INT_MAX, since=SV.PARAMETRIZED_DAYS_OF_EXECUTIONS),
                Repeat("specific_dates", INT, since=SV.PARAMETRIZED_DAYS_OF_EXECUTIONS),
            ),
        ),
    )


@message(OutgoingId.REQ_GLOBAL_CANCEL)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqGlobalCancel(Message):
    """``REQ_GLOBAL_CANCEL`` (58), EClient ``reqGlobalCancel``: cancel every open order.

    Below server 192 the message is the version field (1) alone; from 192 it is
    ``extOperator, manualOrderIndicator`` with no version field.

    Attributes:
        order_cancel: the cancel's attributes; only ``ext_operator`` and
            ``manual_order_indicator`` are sent (server 192+), as by the official
            client, which ignores ``manual_order_cancel_time`` here.
    """

    order_cancel: OrderCancel = field(default_factory=OrderCancel)

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1, before=SV.CME_TAGGING_FIELDS),
        Struct(
            "order_cancel",
            OrderCancel,
            (
                F("ext_operator", STR, since=SV.CME_TAGGING_FIELDS),
                F("manual_order_indicator", OPT_INT_MAX, since=SV.CME_TAGGING_FIELDS),
            ),
        ),
    )


@message(OutgoingId.EXERCISE_OPTIONS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ExerciseOptions(Message):
    """``EXERCISE_OPTIONS`` (21), EClient ``exerciseOptions``.

    Attributes:
        req_id: the request id errors will carry.
        contract: the option: ``con_id``, ``symbol``, ``sec_type``,
            ``last_trade_date_or_contract_month``, ``strike`` (unset sent empty),
            ``right``, ``multiplier``, ``exchange``, ``currency``,
            ``local_symbol`` and ``trading_class`` are sent (no primary exchange).
        exercise_action: 1 exercise, 2 lapse.
        exercise_quantity: the number of contracts.
        account: the account, for advisors.
        override: 1 to override the system's natural action (e.g. exercise out of
            the money), 0 not to.
        manual_order_time: the manual order time (server 180+).
        customer_account: the customer account (server 183+).
        professional_customer: the customer is a professional (server 184+).
    """

    req_id: int
    contract: Contract
    exercise_action: int
    exercise_quantity: int
    account: str = ""
    override: int = 0
    manual_order_time: str = ""
    customer_account: str = ""
    professional_customer: bool = False

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(2),
        F("req_id", INT),
        Struct(
            "contract",
            Contract,
            (
                F("con_id", INT, since=SV.TRADING_CLASS),
                F("symbol", STR),
                F("sec_type", STR),
                F("last_trade_date_or_contract_month", STR),
                F("strike", OPT_FLOAT),
                F("right", STR),
                F("multiplier", STR),
                F("exchange", STR),
                F("currency", STR),
                F("local_symbol", STR),
                F("trading_class", STR, since=SV.TRADING_CLASS),
            ),
        ),
        F("exercise_action", INT),
        F("exercise_quantity", INT),
        F("account", STR),
        F("override", INT),
        F("manual_order_time", STR, since=SV.MANUAL_ORDER_TIME_EXERCISE_OPTIONS),
        F("customer_account", STR, since=SV.CUSTOMER_ACCOUNT),
        F("professional_customer", BOOL, since=SV.PROFESSIONAL_CUSTOMER),
    )
