"""Market data: top-of-book ticks, depth, tick-by-tick, real-time bars, and their requests."""

from __future__ import annotations

from dataclasses import field
from decimal import Decimal
from typing import ClassVar, Final

from ..fields import (
    BOOL,
    DECIMAL,
    FLOAT,
    FLOAT_SENTINEL,
    INT,
    INT_ENUM,
    LONG,
    OPT_FLOAT,
    OPT_INT,
    OPT_INT_MAX,
    STR,
    Kind,
)
from ..ids import IncomingId, OutgoingId
from ..versions import ServerVersion as SV
from ._base import Bits, Const, F, Message, Node, Repeat, Struct, Ver, When, dataclass, message
from .common import C12, COMBO_LEGS_SHORT, DELTA_NEUTRAL, Contract, DeltaNeutralContract
from .ticktypes import TickType

__all__ = [
    "CancelCalcImpliedVolat",
    "CancelCalcOptionPrice",
    "CancelMktData",
    "CancelMktDepth",
    "CancelRealTimeBars",
    "CancelTickByTickData",
    "DeltaNeutralValidation",
    "DepthMktDataDescription",
    "MarketDataType",
    "MarketDepth",
    "MarketDepthL2",
    "MktDepthExchanges",
    "RealTimeBars",
    "ReqCalcImpliedVolat",
    "ReqCalcOptionPrice",
    "ReqMarketDataType",
    "ReqMktData",
    "ReqMktDepth",
    "ReqMktDepthExchanges",
    "ReqRealTimeBars",
    "ReqSmartComponents",
    "ReqTickByTickData",
    "RerouteMktDataReq",
    "RerouteMktDepthReq",
    "SetServerLoglevel",
    "SmartComponent",
    "SmartComponents",
    "TickAttrib",
    "TickAttribBidAsk",
    "TickAttribLast",
    "TickByTick",
    "TickEfp",
    "TickGeneric",
    "TickOptionComputation",
    "TickPrice",
    "TickReqParams",
    "TickSize",
    "TickSnapshotEnd",
    "TickString",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class TickAttrib:
    """Attributes of a price tick (the official ``TickAttrib``), from a bitmask.

    Attributes:
        can_auto_execute: bit 0.
        past_limit: bit 1: the price is beyond the day's limit (server 109+).
        pre_open: bit 2: a pre-open bid/ask (server 132+).
    """

    can_auto_execute: bool = False
    past_limit: bool = False
    pre_open: bool = False


#: A tick type field: an int on the wire, a :class:`TickType` member in the message.
TICK_TYPE: Final = INT_ENUM(TickType)

TICK_ATTRIB = Bits(TickAttrib, ("can_auto_execute", "past_limit", "pre_open"))


@message(IncomingId.TICK_PRICE)
@dataclass(frozen=True, slots=True, kw_only=True)
class TickPrice(Message):
    """``TICK_PRICE`` (1), EWrapper ``tickPrice``.

    For bid, ask and last (and their delayed types) the official client also
    calls ``tickSize`` with the size carried here; ibwire keeps it in :attr:`size`.

    Attributes:
        req_id: the market data request id.
        tick_type: the tick type (a :class:`~ibwire.messages.ticktypes.TickType`).
        price: the price; -1 commonly means "no quote".
        size: the size that goes with the price, ``None`` when unset.
        attrib: the tick's attributes.
    """

    req_id: int
    tick_type: TickType
    price: float
    size: Decimal | None = None
    attrib: TickAttrib = field(default_factory=TickAttrib)

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(6),
        F("req_id", INT),
        F("tick_type", TICK_TYPE),
        F("price", FLOAT),
        F("size", DECIMAL),
        F("attrib", TICK_ATTRIB),
    )


@message(IncomingId.TICK_SIZE)
@dataclass(frozen=True, slots=True, kw_only=True)
class TickSize(Message):
    """``TICK_SIZE`` (2), EWrapper ``tickSize``.

    Attributes:
        req_id: the market data request id.
        tick_type: a size tick type.
        size: the size, ``None`` when unset.
    """

    req_id: int
    tick_type: TickType
    size: Decimal | None

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(6),
        F("req_id", INT),
        F("tick_type", TICK_TYPE),
        F("size", DECIMAL),
    )


@message(IncomingId.TICK_STRING)
@dataclass(frozen=True, slots=True, kw_only=True)
class TickString(Message):
    """``TICK_STRING`` (46), EWrapper ``tickString`` (e.g. LAST_TIMESTAMP, RT_VOLUME).

    Attributes:
        req_id: the market data request id.
        tick_type: the tick type.
        value: the text.
    """

    req_id: int
    tick_type: TickType
    value: str

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(6),
        F("req_id", INT),
        F("tick_type", TICK_TYPE),
        F("value", STR),
    )


@message(IncomingId.TICK_GENERIC)
@dataclass(frozen=True, slots=True, kw_only=True)
class TickGeneric(Message):
    """``TICK_GENERIC`` (45), EWrapper ``tickGeneric`` (e.g. SHORTABLE, HALTED).

    Attributes:
        req_id: the market data request id.
        tick_type: the tick type.
        value: the value.
    """

    req_id: int
    tick_type: TickType
    value: float

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(6),
        F("req_id", INT),
        F("tick_type", TICK_TYPE),
        F("value", FLOAT),
    )


# ------------------------------------------------------------------ domain objects


@dataclass(frozen=True, slots=True, kw_only=True)
class TickAttribLast:
    """Attributes of a tick-by-tick trade (the official ``TickAttribLast``), from a bitmask.

    Attributes:
        past_limit: bit 0: the trade price is beyond the day's price limit.
        unreported: bit 1: the trade was not reported to the tape.
    """

    past_limit: bool = False
    unreported: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TickAttribBidAsk:
    """Attributes of a tick-by-tick quote (the official ``TickAttribBidAsk``), from a bitmask.

    Attributes:
        bid_past_low: bit 0: the bid is below the day's low limit.
        ask_past_high: bit 1: the ask is above the day's high limit.
    """

    bid_past_low: bool = False
    ask_past_high: bool = False


TICK_ATTRIB_LAST: Final = Bits(TickAttribLast, ("past_limit", "unreported"))
# Tick-by-tick BidAsk: bit 0 is bidPastLow, bit 1 askPastHigh (the official decoder's
# processTickByTickMsg).  HISTORICAL_TICKS_BID_ASK (97) uses the reverse order.
TICK_ATTRIB_BID_ASK: Final = Bits(TickAttribBidAsk, ("bid_past_low", "ask_past_high"))


@dataclass(frozen=True, slots=True, kw_only=True)
class SmartComponent:
    """One exchange of a SMART routing set (the official ``SmartComponent``).

    Attributes:
        bit_number: the exchange's bit in the BBO exchange mask.
        exchange: the exchange's name.
        exchange_letter: the exchange's one-letter code, as used in tick data.
    """

    bit_number: int = 0
    exchange: str = ""
    exchange_letter: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class DepthMktDataDescription:
    """An exchange that offers market depth (the official ``DepthMktDataDescription``).

    Attributes:
        exchange: the exchange.
        sec_type: the security type the depth is for.
        listing_exch: the listing exchange (server 120+; empty before).
        service_data_type: ``"Deep"`` or ``"Deep2"`` (server 120+; empty before).
        agg_group: the aggregation group (server 120+); ``None`` when unset
            (the official ``UNSET_INTEGER``) or before 120.
    """

    exchange: str = ""
    sec_type: str = ""
    listing_exch: str = ""
    service_data_type: str = ""
    agg_group: int | None = None


# ------------------------------------------------------------------ option computation

#: Tick types whose option computation carries optPrice/pvDividend even in message
#: version < 6: MODEL_OPTION (13) and DELAYED_MODEL_OPTION (83).
_MODEL_OPTION_TICKS: Final = frozenset({13, 83})

#: Implied volatility: any negative value means "not computed" (the official decoder
#: tests ``impliedVol < 0``).  ``None`` and negative values are sent as ``-1``.
#: Empty reads as 0.0 and max-double as itself, as in the official ``decode(float, ...)``.
IMPLIED_VOL: Final = Kind(
    "float?<0",
    "(None if (_iv := float({x} or 0)) < 0 else _iv)",
    '("-1" if {v} is None or {v} < 0 else _fmt_float({v}))',
    float,
    optional=True,
    raw="(None if (_iv := float({x} or 0)) < 0 else _iv)",
)


#: delta: -2 means "not computed".
_DELTA: Final = FLOAT_SENTINEL("-2")


#: The greeks after delta; their "not computed" sentinels.
_OPT_PRICE: Final = FLOAT_SENTINEL("-1")
_PV_DIVIDEND: Final = FLOAT_SENTINEL("-1")
_GREEK: Final = FLOAT_SENTINEL("-2")
_UND_PRICE: Final = FLOAT_SENTINEL("-1")

# ------------------------------------------------------------------ incoming


@message(IncomingId.TICK_OPTION_COMPUTATION)
@dataclass(frozen=True, slots=True, kw_only=True)
class TickOptionComputation(Message):
    """``TICK_OPTION_COMPUTATION`` (21), EWrapper ``tickOptionComputation``.

    Greeks and model values of an option (tick types 10-13 and 80-83), also the
    answer to ``calculateImpliedVolatility`` / ``calculateOptionPrice``.  A value the
    server has not computed (its sentinel on the wire) is ``None``.

    Attributes:
        req_id: the market data (or calculation) request id.
        tick_type: the tick type (BID/ASK/LAST/MODEL_OPTION computation, or delayed).
        tick_attrib: 0 return-based, 1 price-based (server 156+); ``None`` before.
        implied_vol: the implied volatility; ``None`` when not computed (negative).
        delta: the delta; ``None`` when not computed (-2).
        opt_price: the option price; ``None`` when not computed (-1), or absent
            (message version < 6 and not a model tick, servers below 156).
        pv_dividend: the present value of dividends; ``None`` when not computed (-1)
            or absent, as for ``opt_price``.
        gamma: the gamma; ``None`` when not computed (-2) or absent (message
            version < 6, servers below 156).
        vega: the vega; ``None`` when not computed (-2) or absent, as for ``gamma``.
        theta: the theta; ``None`` when not computed (-2) or absent, as for ``gamma``.
        und_price: the underlying price; ``None`` when not computed (-1) or absent,
            as for ``gamma``.
    """

    req_id: int
    tick_type: TickType
    tick_attrib: int | None = None
    implied_vol: float | None = None
    delta: float | None = None
    opt_price: float | None = None
    pv_dividend: float | None = None
    gamma: float | None = None
    vega: float | None = None
    theta: float | None = None
    und_price: float | None = None

    WIRE: ClassVar[tuple[Node, ...]] = (
        # The version field went away at 156, when tickAttrib came in.
        Ver(6, before=SV.PRICE_BASED_VOLATILITY),
        F("req_id", INT),
        F("tick_type", TICK_TYPE),
        # The official decoder reads a plain int; ``None`` (never sent by TWS) goes
        # out as empty so that an unset value cannot produce an unreadable field.
        F("tick_attrib", OPT_INT, since=SV.PRICE_BASED_VOLATILITY),
        F("implied_vol", IMPLIED_VOL),
        F("delta", _DELTA),
        # Below 156 the official decoder reads optPrice and pvDividend only when
        # the message version is >= 6 or the tick is a model option, and the rest
        # only when the version is >= 6; from 156 every field is sent.
        When(
            f"ver >= 6 or {{tick_type}} in {tuple(sorted(_MODEL_OPTION_TICKS))!r}",
            (F("opt_price", _OPT_PRICE), F("pv_dividend", _PV_DIVIDEND)),
            before=SV.PRICE_BASED_VOLATILITY,
        ),
        When(
            "ver >= 6",
            (
                F("gamma", _GREEK),
                F("vega", _GREEK),
                F("theta", _GREEK),
                F("und_price", _UND_PRICE),
            ),
            before=SV.PRICE_BASED_VOLATILITY,
        ),
        F("opt_price", _OPT_PRICE, since=SV.PRICE_BASED_VOLATILITY),
        F("pv_dividend", _PV_DIVIDEND, since=SV.PRICE_BASED_VOLATILITY),
        F("gamma", _GREEK, since=SV.PRICE_BASED_VOLATILITY),
        F("vega", _GREEK, since=SV.PRICE_BASED_VOLATILITY),
        F("theta", _GREEK, since=SV.PRICE_BASED_VOLATILITY),
        F("und_price", _UND_PRICE, since=SV.PRICE_BASED_VOLATILITY),
    )


@message(IncomingId.TICK_EFP)
@dataclass(frozen=True, slots=True, kw_only=True)
class TickEfp(Message):
    """``TICK_EFP`` (47), EWrapper ``tickEFP``: an exchange-for-physical quote.

    Attributes:
        req_id: the market data request id.
        tick_type: an EFP tick type (38-44).
        basis_points: the annualized basis points (financing rate).
        formatted_basis_points: ``basis_points`` as TWS formats it.
        total_dividends: the official parameter name; other IB documentation
            describes the field as the implied futures price.
        hold_days: days to the future's last trade date.
        future_last_trade_date: the future's last trade date.
        dividend_impact: the dividends' impact on the implied futures price.
        dividends_to_last_trade_date: dividends expected until the last trade date.
    """

    req_id: int
    tick_type: TickType
    basis_points: float
    formatted_basis_points: str
    total_dividends: float
    hold_days: int
    future_last_trade_date: str
    dividend_impact: float
    dividends_to_last_trade_date: float

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("req_id", INT),
        F("tick_type", TICK_TYPE),
        F("basis_points", FLOAT),
        F("formatted_basis_points", STR),
        F("total_dividends", FLOAT),
        F("hold_days", INT),
        F("future_last_trade_date", STR),
        F("dividend_impact", FLOAT),
        F("dividends_to_last_trade_date", FLOAT),
    )


@message(IncomingId.TICK_SNAPSHOT_END)
@dataclass(frozen=True, slots=True, kw_only=True)
class TickSnapshotEnd(Message):
    """``TICK_SNAPSHOT_END`` (57), EWrapper ``tickSnapshotEnd``: a snapshot is complete.

    Attributes:
        req_id: the snapshot's market data request id.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(IncomingId.MARKET_DATA_TYPE)
@dataclass(frozen=True, slots=True, kw_only=True)
class MarketDataType(Message):
    """``MARKET_DATA_TYPE`` (58), EWrapper ``marketDataType``.

    Sent per subscription when its data switches between kinds (and, from TWS
    970, right after ``reqMktData``).

    Attributes:
        req_id: the market data request id.
        market_data_type: 1 real-time, 2 frozen, 3 delayed, 4 delayed-frozen.
    """

    req_id: int
    market_data_type: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT), F("market_data_type", INT))


@message(IncomingId.TICK_REQ_PARAMS)
@dataclass(frozen=True, slots=True, kw_only=True)
class TickReqParams(Message):
    """``TICK_REQ_PARAMS`` (81), EWrapper ``tickReqParams``: parameters of a subscription.

    Attributes:
        req_id: the market data request id (the official ``tickerId``).
        min_tick: the minimum price increment.
        bbo_exchange: the BBO exchange mask name, for ``reqSmartComponents``.
        snapshot_permissions: the snapshot permissions bitmask.
        last_price_precision: the precision of last prices (protobuf form only,
            sent from server 224, ``USE_PRECISION_FROM_SEC_DEF``; the official
            client drops it); ``None`` when absent.
        last_size_precision: the precision of last sizes, as
            :attr:`last_price_precision`.
    """

    req_id: int
    min_tick: float
    bbo_exchange: str
    snapshot_permissions: int
    last_price_precision: Decimal | None = None
    last_size_precision: Decimal | None = None

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        F("min_tick", FLOAT),
        F("bbo_exchange", STR),
        F("snapshot_permissions", INT),
    )


@message(IncomingId.SMART_COMPONENTS)
@dataclass(frozen=True, slots=True, kw_only=True)
class SmartComponents(Message):
    """``SMART_COMPONENTS`` (82), EWrapper ``smartComponents``.

    Attributes:
        req_id: the ``reqSmartComponents`` request id.
        smart_component_map: the exchanges of the SMART set (the official
            ``smartComponentMap``, a list of :class:`SmartComponent`).
    """

    req_id: int
    smart_component_map: tuple[SmartComponent, ...] = ()

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        Repeat(
            "smart_component_map",
            Struct(
                None,
                SmartComponent,
                (F("bit_number", INT), F("exchange", STR), F("exchange_letter", STR)),
            ),
        ),
    )


@message(IncomingId.MARKET_DEPTH)
@dataclass(frozen=True, slots=True, kw_only=True)
class MarketDepth(Message):
    """``MARKET_DEPTH`` (12), EWrapper ``updateMktDepth``: a level-one book row changes.

    Attributes:
        req_id: the ``reqMktDepth`` request id.
        position: the book row.
        operation: 0 insert, 1 update, 2 delete.
        side: 0 ask, 1 bid.
        price: the row's price.
        size: the row's size, ``None`` when unset.
    """

    req_id: int
    position: int
    operation: int
    side: int
    price: float
    size: Decimal | None

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("req_id", INT),
        F("position", INT),
        F("operation", INT),
        F("side", INT),
        F("price", FLOAT),
        F("size", DECIMAL),
    )


@message(IncomingId.MARKET_DEPTH_L2)
@dataclass(frozen=True, slots=True, kw_only=True)
class MarketDepthL2(Message):
    """``MARKET_DEPTH_L2`` (13), EWrapper ``updateMktDepthL2``: a level-two book row changes.

    Attributes:
        req_id: the ``reqMktDepth`` request id.
        position: the book row.
        market_maker: the market maker; with SMART depth, the exchange.
        operation: 0 insert, 1 update, 2 delete.
        side: 0 ask, 1 bid.
        price: the row's price.
        size: the row's size, ``None`` when unset.
        is_smart_depth: the row belongs to a SMART depth subscription (server 146+).
    """

    req_id: int
    position: int
    market_maker: str
    operation: int
    side: int
    price: float
    size: Decimal | None
    is_smart_depth: bool = False

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("req_id", INT),
        F("position", INT),
        F("market_maker", STR),
        F("operation", INT),
        F("side", INT),
        F("price", FLOAT),
        F("size", DECIMAL),
        F("is_smart_depth", BOOL, since=SV.SMART_DEPTH),
    )


@message(IncomingId.MKT_DEPTH_EXCHANGES)
@dataclass(frozen=True, slots=True, kw_only=True)
class MktDepthExchanges(Message):
    """``MKT_DEPTH_EXCHANGES`` (80), EWrapper ``mktDepthExchanges``.

    Attributes:
        depth_mkt_data_descriptions: the exchanges that offer market depth.
    """

    depth_mkt_data_descriptions: tuple[DepthMktDataDescription, ...] = ()

    WIRE: ClassVar[tuple[Node, ...]] = (
        Repeat(
            "depth_mkt_data_descriptions",
            Struct(
                None,
                DepthMktDataDescription,
                (
                    F("exchange", STR),
                    F("sec_type", STR),
                    F("listing_exch", STR, since=SV.SERVICE_DATA_TYPE),
                    F("service_data_type", STR, since=SV.SERVICE_DATA_TYPE),
                    # The official decoder reads a plain int; its DepthMktDataDescription
                    # treats UNSET_INTEGER as "no group", which is None here.
                    F("agg_group", OPT_INT_MAX, since=SV.SERVICE_DATA_TYPE),
                    # Below 120 a "notSuppIsL2" flag came instead of the three fields
                    # above; the official Python decoder reads and drops it.
                    Const("0", name="not_supp_is_l2", before=SV.SERVICE_DATA_TYPE),
                ),
            ),
        ),
    )


@message(IncomingId.REROUTE_MKT_DATA_REQ)
@dataclass(frozen=True, slots=True, kw_only=True)
class RerouteMktDataReq(Message):
    """``REROUTE_MKT_DATA_REQ`` (91), EWrapper ``rerouteMktDataReq``.

    TWS asks the client to re-request market data of a CFD on its underlying.

    Attributes:
        req_id: the market data request id.
        con_id: the contract id to request instead.
        exchange: the exchange to request it on.
    """

    req_id: int
    con_id: int
    exchange: str

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT), F("con_id", INT), F("exchange", STR))


@message(IncomingId.REROUTE_MKT_DEPTH_REQ)
@dataclass(frozen=True, slots=True, kw_only=True)
class RerouteMktDepthReq(Message):
    """``REROUTE_MKT_DEPTH_REQ`` (92), EWrapper ``rerouteMktDepthReq``.

    TWS asks the client to re-request market depth of a CFD on its underlying.

    Attributes:
        req_id: the market depth request id.
        con_id: the contract id to request instead.
        exchange: the exchange to request it on.
    """

    req_id: int
    con_id: int
    exchange: str

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT), F("con_id", INT), F("exchange", STR))


@message(IncomingId.TICK_BY_TICK)
@dataclass(frozen=True, slots=True, kw_only=True)
class TickByTick(Message):
    """``TICK_BY_TICK`` (99): one tick of a ``reqTickByTickData`` subscription.

    The official client calls EWrapper ``tickByTickAllLast``, ``tickByTickBidAsk``
    or ``tickByTickMidPoint`` depending on the tick type.  ibwire keeps one class
    for the four tick types; the fields of the other types keep their defaults.  A halted tick is a trade of price 0 and size 0 with ``past_limit``
    set; the next zero/zero trade marks the resumption.

    Attributes:
        req_id: the ``reqTickByTickData`` request id.
        tick_type: 0 none, 1 Last, 2 AllLast, 3 BidAsk, 4 MidPoint.
        time: the tick's time, epoch seconds.
        price: Last/AllLast: the trade price.
        size: Last/AllLast: the trade size (``None`` when unset).
        tick_attrib_last: Last/AllLast: the trade's attributes.
        exchange: Last/AllLast: the exchange.
        special_conditions: Last/AllLast: the trade's condition codes.
        bid_price: BidAsk: the bid.
        ask_price: BidAsk: the ask.
        bid_size: BidAsk: the bid size.
        ask_size: BidAsk: the ask size.
        tick_attrib_bid_ask: BidAsk: the quote's attributes.
        mid_point: MidPoint: the midpoint.
    """

    req_id: int
    tick_type: int
    time: int
    price: float | None = None
    size: Decimal | None = None
    tick_attrib_last: TickAttribLast | None = None
    exchange: str = ""
    special_conditions: str = ""
    bid_price: float | None = None
    ask_price: float | None = None
    bid_size: Decimal | None = None
    ask_size: Decimal | None = None
    tick_attrib_bid_ask: TickAttribBidAsk | None = None
    mid_point: float | None = None

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        F("tick_type", INT),
        F("time", LONG),
        When(
            "{tick_type} in (1, 2)",
            (
                F("price", FLOAT),
                F("size", DECIMAL),
                F("tick_attrib_last", TICK_ATTRIB_LAST),
                F("exchange", STR),
                F("special_conditions", STR),
            ),
        ),
        When(
            "{tick_type} == 3",
            (
                F("bid_price", FLOAT),
                F("ask_price", FLOAT),
                F("bid_size", DECIMAL),
                F("ask_size", DECIMAL),
                F("tick_attrib_bid_ask", TICK_ATTRIB_BID_ASK),
            ),
        ),
        When("{tick_type} == 4", (F("mid_point", FLOAT),)),
    )


@message(IncomingId.REAL_TIME_BARS)
@dataclass(frozen=True, slots=True, kw_only=True)
class RealTimeBars(Message):
    """``REAL_TIME_BARS`` (50), EWrapper ``realtimeBar``: one 5-second bar.

    Attributes:
        req_id: the ``reqRealTimeBars`` request id.
        time: the bar's start, epoch seconds.
        open: the opening price.
        high: the high.
        low: the low.
        close: the closing price.
        volume: the volume, ``None`` when unset.
        wap: the volume-weighted average price, ``None`` when unset.
        count: the number of trades.
    """

    req_id: int
    time: int
    open: float
    high: float
    low: float
    close: float
    volume: Decimal | None
    wap: Decimal | None
    count: int

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(3),
        F("req_id", INT),
        F("time", LONG),
        F("open", FLOAT),
        F("high", FLOAT),
        F("low", FLOAT),
        F("close", FLOAT),
        F("volume", DECIMAL),
        F("wap", DECIMAL),
        F("count", INT),
    )


@message(IncomingId.DELTA_NEUTRAL_VALIDATION)
@dataclass(frozen=True, slots=True, kw_only=True)
class DeltaNeutralValidation(Message):
    """``DELTA_NEUTRAL_VALIDATION`` (56), EWrapper ``deltaNeutralValidation``.

    TWS's answer to a delta-neutral order or RFQ: the hedge it locked in.

    Attributes:
        req_id: the order (or request) id.
        delta_neutral_contract: the hedge: contract id, delta and price.
    """

    req_id: int
    delta_neutral_contract: DeltaNeutralContract

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("req_id", INT),
        Struct(
            "delta_neutral_contract",
            DeltaNeutralContract,
            (F("con_id", INT), F("delta", FLOAT), F("price", FLOAT)),
        ),
    )


# ------------------------------------------------------------------ outgoing


@message(OutgoingId.REQ_MKT_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqMktData(Message):
    """``REQ_MKT_DATA`` (1), EClient ``reqMktData``: subscribe to top-of-book data.

    Attributes:
        req_id: the request id the ticks will carry.
        contract: the instrument; for a ``BAG`` its combo legs are sent, and its
            delta-neutral contract when set.
        generic_tick_list: comma-separated generic tick ids (e.g. ``"233,236"``).
        snapshot: one snapshot, ended by ``TICK_SNAPSHOT_END``, instead of a stream.
        regulatory_snapshot: a paid regulatory snapshot (server 114+).
        mkt_data_options: reserved by IB: ``tag=value;`` text, empty by default.
    """

    req_id: int
    contract: Contract
    generic_tick_list: str = ""
    snapshot: bool = False
    regulatory_snapshot: bool = False
    mkt_data_options: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(11),
        F("req_id", INT),
        Struct("contract", Contract, (*C12, COMBO_LEGS_SHORT, DELTA_NEUTRAL)),
        F("generic_tick_list", STR),
        F("snapshot", BOOL),
        F("regulatory_snapshot", BOOL, since=SV.REQ_SMART_COMPONENTS),
        F("mkt_data_options", STR, since=SV.LINKING),
    )


@message(OutgoingId.CANCEL_MKT_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelMktData(Message):
    """``CANCEL_MKT_DATA`` (2), EClient ``cancelMktData``.

    Attributes:
        req_id: the id of the market data request to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(2), F("req_id", INT))


#: The contract block of ``reqMktDepth``: like C12, but the primary exchange is
#: sent only from server 149 (the official client refuses a primaryExchange below).
MKT_DEPTH_CONTRACT: Final[tuple[Node, ...]] = (
    F("con_id", INT, since=SV.TRADING_CLASS),
    F("symbol", STR),
    F("sec_type", STR),
    F("last_trade_date_or_contract_month", STR),
    F("strike", OPT_FLOAT),
    F("right", STR),
    F("multiplier", STR),
    F("exchange", STR),
    F("primary_exchange", STR, since=SV.MKT_DEPTH_PRIM_EXCHANGE),
    F("currency", STR),
    F("local_symbol", STR),
    F("trading_class", STR, since=SV.TRADING_CLASS),
)


@message(OutgoingId.REQ_MKT_DEPTH)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqMktDepth(Message):
    """``REQ_MKT_DEPTH`` (10), EClient ``reqMktDepth``: subscribe to the order book.

    Answered by :class:`MarketDepth` / :class:`MarketDepthL2`.

    Attributes:
        req_id: the request id the book updates will carry.
        contract: the instrument; its ``primary_exchange`` needs server 149+.
        num_rows: the number of book rows wanted.
        is_smart_depth: aggregate depth over the SMART exchanges (server 146+).
        mkt_depth_options: reserved by IB: ``tag=value;`` text, empty by default.
    """

    req_id: int
    contract: Contract
    num_rows: int
    is_smart_depth: bool = False
    mkt_depth_options: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(5),
        F("req_id", INT),
        Struct("contract", Contract, MKT_DEPTH_CONTRACT),
        F("num_rows", INT),
        F("is_smart_depth", BOOL, since=SV.SMART_DEPTH),
        F("mkt_depth_options", STR, since=SV.LINKING),
    )


@message(OutgoingId.CANCEL_MKT_DEPTH)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelMktDepth(Message):
    """``CANCEL_MKT_DEPTH`` (11), EClient ``cancelMktDepth``.

    Attributes:
        req_id: the id of the depth request to end.
        is_smart_depth: the request was a SMART depth one (server 146+).
    """

    req_id: int
    is_smart_depth: bool = False

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(1),
        F("req_id", INT),
        F("is_smart_depth", BOOL, since=SV.SMART_DEPTH),
    )


@message(OutgoingId.REQ_REAL_TIME_BARS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqRealTimeBars(Message):
    """``REQ_REAL_TIME_BARS`` (50), EClient ``reqRealTimeBars``; answered by :class:`RealTimeBars`.

    Attributes:
        req_id: the request id the bars will carry.
        contract: the instrument.
        bar_size: the bar length in seconds; TWS supports only 5.
        what_to_show: ``TRADES``, ``BID``, ``ASK`` or ``MIDPOINT``.
        use_rth: only data from regular trading hours.
        real_time_bars_options: reserved by IB: ``tag=value;`` pairs, usually empty.
    """

    req_id: int
    contract: Contract
    bar_size: int = 5
    what_to_show: str
    use_rth: bool = False
    real_time_bars_options: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(3),
        F("req_id", INT),
        Struct("contract", Contract, C12),
        F("bar_size", INT),
        F("what_to_show", STR),
        F("use_rth", BOOL),
        F("real_time_bars_options", STR, since=SV.LINKING),
    )


@message(OutgoingId.CANCEL_REAL_TIME_BARS)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelRealTimeBars(Message):
    """``CANCEL_REAL_TIME_BARS`` (51), EClient ``cancelRealTimeBars``.

    Attributes:
        req_id: the id of the real-time bars request to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(OutgoingId.REQ_CALC_IMPLIED_VOLAT, min_version=SV.REQ_CALC_IMPLIED_VOLAT)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqCalcImpliedVolat(Message):
    """``REQ_CALC_IMPLIED_VOLAT`` (54), EClient ``calculateImpliedVolatility``.

    Answered by :class:`TickOptionComputation`.

    Attributes:
        req_id: the request id the answer will carry.
        contract: the option.
        option_price: the option price to solve for.
        under_price: the underlying price to use.
        impl_vol_options: reserved by IB: ``tag=value;`` text, empty by default.
    """

    req_id: int
    contract: Contract
    option_price: float
    under_price: float
    impl_vol_options: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(3),
        F("req_id", INT),
        Struct("contract", Contract, C12),
        F("option_price", FLOAT),
        F("under_price", FLOAT),
        F("impl_vol_options", STR, since=SV.LINKING),
    )


# The official Python client gates calculateOptionPrice (and both cancels) on
# MIN_SERVER_VER_REQ_CALC_IMPLIED_VOLAT (49), not REQ_CALC_OPTION_PRICE (50); both
# lie below ibwire's 100.
@message(OutgoingId.REQ_CALC_OPTION_PRICE, min_version=SV.REQ_CALC_IMPLIED_VOLAT)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqCalcOptionPrice(Message):
    """``REQ_CALC_OPTION_PRICE`` (55), EClient ``calculateOptionPrice``.

    Answered by :class:`TickOptionComputation`.

    Attributes:
        req_id: the request id the answer will carry.
        contract: the option.
        volatility: the volatility to price with.
        under_price: the underlying price to use.
        opt_prc_options: reserved by IB: ``tag=value;`` text, empty by default.
    """

    req_id: int
    contract: Contract
    volatility: float
    under_price: float
    opt_prc_options: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        Ver(3),
        F("req_id", INT),
        Struct("contract", Contract, C12),
        F("volatility", FLOAT),
        F("under_price", FLOAT),
        F("opt_prc_options", STR, since=SV.LINKING),
    )


@message(OutgoingId.CANCEL_CALC_IMPLIED_VOLAT, min_version=SV.REQ_CALC_IMPLIED_VOLAT)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelCalcImpliedVolat(Message):
    """``CANCEL_CALC_IMPLIED_VOLAT`` (56), EClient ``cancelCalculateImpliedVolatility``.

    Attributes:
        req_id: the id of the calculation to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(OutgoingId.CANCEL_CALC_OPTION_PRICE, min_version=SV.REQ_CALC_IMPLIED_VOLAT)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelCalcOptionPrice(Message):
    """``CANCEL_CALC_OPTION_PRICE`` (57), EClient ``cancelCalculateOptionPrice``.

    Attributes:
        req_id: the id of the calculation to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(OutgoingId.REQ_MARKET_DATA_TYPE, min_version=SV.REQ_MARKET_DATA_TYPE)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqMarketDataType(Message):
    """``REQ_MARKET_DATA_TYPE`` (59), EClient ``reqMarketDataType``.

    Attributes:
        market_data_type: 1 real-time, 2 frozen, 3 delayed, 4 delayed-frozen.
    """

    market_data_type: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("market_data_type", INT))


@message(OutgoingId.REQ_MKT_DEPTH_EXCHANGES, min_version=SV.REQ_MKT_DEPTH_EXCHANGES)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqMktDepthExchanges(Message):
    """``REQ_MKT_DEPTH_EXCHANGES`` (82), EClient ``reqMktDepthExchanges`` (server 112+).

    Answered by :class:`MktDepthExchanges`.
    """

    WIRE: ClassVar[tuple[Node, ...]] = ()


@message(OutgoingId.REQ_SMART_COMPONENTS, min_version=SV.REQ_SMART_COMPONENTS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqSmartComponents(Message):
    """``REQ_SMART_COMPONENTS`` (83), EClient ``reqSmartComponents`` (server 114+).

    Answered by :class:`SmartComponents`.

    Attributes:
        req_id: the request id the answer will carry.
        bbo_exchange: the BBO exchange name from :class:`TickReqParams`.
    """

    req_id: int
    bbo_exchange: str

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT), F("bbo_exchange", STR))


# The official Python client refuses reqTickByTickData outright below 140; the Java
# client refuses only a set numberOfTicks/ignoreSize there.  ibwire follows Java:
# the message needs 137, the two fields 140.
@message(OutgoingId.REQ_TICK_BY_TICK_DATA, min_version=SV.TICK_BY_TICK)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqTickByTickData(Message):
    """``REQ_TICK_BY_TICK_DATA`` (97), EClient ``reqTickByTickData`` (server 137+).

    Answered by :class:`TickByTick`.

    Attributes:
        req_id: the request id the ticks will carry.
        contract: the instrument.
        tick_type: ``"Last"``, ``"AllLast"``, ``"BidAsk"`` or ``"MidPoint"`` (case-sensitive).
        number_of_ticks: historical ticks to send first, 0 for none (server 140+).
        ignore_size: skip ticks that change only the size (server 140+).
    """

    req_id: int
    contract: Contract
    tick_type: str
    number_of_ticks: int = 0
    ignore_size: bool = False

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        Struct("contract", Contract, C12),
        F("tick_type", STR),
        F("number_of_ticks", INT, since=SV.TICK_BY_TICK_IGNORE_SIZE),
        F("ignore_size", BOOL, since=SV.TICK_BY_TICK_IGNORE_SIZE),
    )


@message(OutgoingId.CANCEL_TICK_BY_TICK_DATA, min_version=SV.TICK_BY_TICK)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelTickByTickData(Message):
    """``CANCEL_TICK_BY_TICK_DATA`` (98), EClient ``cancelTickByTickData`` (server 137+).

    Attributes:
        req_id: the id of the tick-by-tick request to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT),)


@message(OutgoingId.SET_SERVER_LOGLEVEL)
@dataclass(frozen=True, slots=True, kw_only=True)
class SetServerLoglevel(Message):
    """``SET_SERVER_LOGLEVEL`` (14), EClient ``setServerLogLevel``: TWS's API log detail.

    Attributes:
        log_level: 1 system, 2 error (TWS's default), 3 warning, 4 information, 5 detail.
    """

    log_level: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("log_level", INT))
