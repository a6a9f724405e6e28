"""Historical data: bars, head timestamps, histograms, historical ticks, schedules.

Option lists that the official client takes as a ``TagValueList`` and sends as one
``"tag=value;"`` text field (``chartOptions``, ``miscOptions``) are plain ``str``
fields here, as ``ReqMktData.mkt_data_options`` is: write
``"tag1=value1;tag2=value2;"``, or leave them empty (IB reserves them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from decimal import Decimal
from typing import ClassVar

from ..fields import BOOL, DECIMAL, FLOAT, INT, LONG, STR
from ..ids import IncomingId, OutgoingId
from ..versions import ServerVersion as SV
from ._base import Bits, Const, F, Message, Node, Repeat, Struct, Ver, When, dataclass, message
from .common import C12, ComboLeg, Contract
from .market_data import TickAttribBidAsk, TickAttribLast

__all__ = [
    "BarData",
    "CancelHistoricalTicks",
    "CancelHeadTimestamp",
    "CancelHistogramData",
    "CancelHistoricalData",
    "HeadTimestamp",
    "HistogramData",
    "HistogramEntry",
    "HistoricalData",
    "HistoricalDataEnd",
    "HistoricalDataUpdate",
    "HistoricalSchedule",
    "HistoricalSession",
    "HistoricalTick",
    "HistoricalTickBidAsk",
    "HistoricalTickLast",
    "HistoricalTicks",
    "HistoricalTicksBidAsk",
    "HistoricalTicksLast",
    "ReqHeadTimestamp",
    "ReqHistogramData",
    "ReqHistoricalData",
    "ReqHistoricalTicks",
]


# ------------------------------------------------------------------ domain objects


@dataclass(frozen=True, slots=True, kw_only=True)
class BarData:
    """One bar of historical data (the official ``BarData``).

    Attributes:
        date: the bar's start, as formatted by the request's ``format_date``:
            ``yyyymmdd hh:mm:ss[ zone]`` text (daily bars: ``yyyymmdd``) for 1,
            epoch seconds for 2.
        open: the opening price.
        high: the high price.
        low: the low price.
        close: the closing price.
        volume: the traded volume; ``None`` when unset (``-1`` when TWS has none
            for the bar type, e.g. BID or MIDPOINT bars).
        wap: the volume-weighted average price; ``None`` when unset.
        bar_count: the number of trades in the bar (``-1`` when not applicable).
    """

    date: str = ""
    open: float = 0.0
    high: float = 0.0
    low: float = 0.0
    close: float = 0.0
    volume: Decimal | None = None
    wap: Decimal | None = None
    bar_count: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class HistogramEntry:
    """One price level of a histogram (the official ``HistogramData`` item).

    Attributes:
        price: the price level.
        size: the volume traded at that price; ``None`` when unset.
    """

    price: float = 0.0
    size: Decimal | None = None


# The attribute classes are those of tick-by-tick data.  In HISTORICAL_TICKS_BID_ASK
# the official decoders (Java and Python) read bit 0 as askPastHigh and bit 1 as
# bidPastLow: the reverse of tick-by-tick BidAsk ticks.
_BID_ASK_ATTRIB = Bits(TickAttribBidAsk, ("ask_past_high", "bid_past_low"))
_LAST_ATTRIB = Bits(TickAttribLast, ("past_limit", "unreported"))


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricalTick:
    """A historical midpoint tick (the official ``HistoricalTick``).

    Attributes:
        time: the tick's time, epoch seconds.
        price: the midpoint.
        size: always 0 for midpoints; ``None`` when unset.
    """

    time: int = 0
    price: float = 0.0
    size: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricalTickBidAsk:
    """A historical bid/ask tick (the official ``HistoricalTickBidAsk``).

    Attributes:
        time: the tick's time, epoch seconds.
        tick_attrib_bid_ask: the tick's attributes.
        price_bid: the bid price.
        price_ask: the ask price.
        size_bid: the bid size; ``None`` when unset.
        size_ask: the ask size; ``None`` when unset.
    """

    time: int = 0
    tick_attrib_bid_ask: TickAttribBidAsk = field(default_factory=TickAttribBidAsk)
    price_bid: float = 0.0
    price_ask: float = 0.0
    size_bid: Decimal | None = None
    size_ask: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricalTickLast:
    """A historical trade tick (the official ``HistoricalTickLast``).

    Attributes:
        time: the trade's time, epoch seconds.
        tick_attrib_last: the trade's attributes.
        price: the trade price.
        size: the trade size; ``None`` when unset.
        exchange: the exchange of the trade.
        special_conditions: the trade's condition codes, as sent.
    """

    time: int = 0
    tick_attrib_last: TickAttribLast = field(default_factory=TickAttribLast)
    price: float = 0.0
    size: Decimal | None = None
    exchange: str = ""
    special_conditions: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricalSession:
    """One trading session of a historical schedule (the official ``HistoricalSession``).

    Attributes:
        start_date_time: the session's start, ``yyyymmdd-hh:mm:ss``.
        end_date_time: the session's end, ``yyyymmdd-hh:mm:ss``.
        ref_date: the trading day the session belongs to, ``yyyymmdd``.
    """

    start_date_time: str = ""
    end_date_time: str = ""
    ref_date: str = ""


# ------------------------------------------------------------------ incoming


@message(IncomingId.HISTORICAL_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricalData(Message):
    """``HISTORICAL_DATA`` (17), EWrapper ``historicalData`` (once per bar).

    One message carries every bar of a ``reqHistoricalData`` answer.  From server
    196 the end of the answer is a separate :class:`HistoricalDataEnd`; below 196
    the official client calls ``historicalDataEnd`` right after the bars with
    :attr:`start_date_str` and :attr:`end_date_str` of this message.

    Attributes:
        req_id: the historical data request id.
        start_date_str: the start of the returned period (below server 196 only;
            empty from 196).
        end_date_str: the end of the returned period (below server 196 only).
        bars: the bars, oldest first.
    """

    req_id: int
    start_date_str: str = ""
    end_date_str: str = ""
    bars: tuple[BarData, ...] = ()

    WIRE: ClassVar[tuple[Node, ...]] = (
        # Below 124 (SYNT_REALTIME_BARS) a version field follows the id.
        Ver(3, before=SV.SYNT_REALTIME_BARS),
        F("req_id", INT),
        F("start_date_str", STR, before=SV.HISTORICAL_DATA_END),
        F("end_date_str", STR, before=SV.HISTORICAL_DATA_END),
        Repeat(
            "bars",
            Struct(
                None,
                BarData,
                (
                    F("date", STR),
                    F("open", FLOAT),
                    F("high", FLOAT),
                    F("low", FLOAT),
                    F("close", FLOAT),
                    F("volume", DECIMAL),
                    F("wap", DECIMAL),
                    # Below 124 each bar has a hasGaps text field, which the official
                    # client reads and drops.
                    Const("false", name="has_gaps", before=SV.SYNT_REALTIME_BARS),
                    F("bar_count", INT),
                ),
            ),
        ),
    )


@message(IncomingId.HISTORICAL_DATA_END)
@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricalDataEnd(Message):
    """``HISTORICAL_DATA_END`` (108), EWrapper ``historicalDataEnd`` (sent from server 196).

    Attributes:
        req_id: the historical data request id.
        start_date_str: the start of the returned period (the official ``start``).
        end_date_str: the end of the returned period (the official ``end``).
    """

    req_id: int
    start_date_str: str = ""
    end_date_str: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        F("start_date_str", STR),
        F("end_date_str", STR),
    )


@message(IncomingId.HISTORICAL_DATA_UPDATE)
@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricalDataUpdate(Message):
    """``HISTORICAL_DATA_UPDATE`` (90), EWrapper ``historicalDataUpdate``.

    The bar being built, sent while a ``keep_up_to_date`` request runs.  On the
    wire its fields come in a different order from :class:`HistoricalData` bars:
    barCount, date, open, close, high, low, wap, volume.

    Attributes:
        req_id: the historical data request id.
        bar: the current bar.
    """

    req_id: int
    bar: BarData = field(default_factory=BarData)

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        Struct(
            "bar",
            BarData,
            (
                F("bar_count", INT),
                F("date", STR),
                F("open", FLOAT),
                F("close", FLOAT),
                F("high", FLOAT),
                F("low", FLOAT),
                F("wap", DECIMAL),
                F("volume", DECIMAL),
            ),
        ),
    )


@message(IncomingId.HEAD_TIMESTAMP)
@dataclass(frozen=True, slots=True, kw_only=True)
class HeadTimestamp(Message):
    """``HEAD_TIMESTAMP`` (88), EWrapper ``headTimestamp``.

    Attributes:
        req_id: the head timestamp request id.
        head_timestamp: the earliest data point, in the request's date format.
    """

    req_id: int
    head_timestamp: str

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT), F("head_timestamp", STR))


@message(IncomingId.HISTOGRAM_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class HistogramData(Message):
    """``HISTOGRAM_DATA`` (89), EWrapper ``histogramData``.

    Attributes:
        req_id: the histogram request id.
        items: the price levels and their volumes.
    """

    req_id: int
    items: tuple[HistogramEntry, ...] = ()

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        Repeat("items", Struct(None, HistogramEntry, (F("price", FLOAT), F("size", DECIMAL)))),
    )


@message(IncomingId.HISTORICAL_TICKS)
@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricalTicks(Message):
    """``HISTORICAL_TICKS`` (96), EWrapper ``historicalTicks`` (MIDPOINT ticks).

    Attributes:
        req_id: the historical ticks request id.
        ticks: the ticks, oldest first.
        done: whether this is the last message of the answer.
    """

    req_id: int
    ticks: tuple[HistoricalTick, ...] = ()
    done: bool = False

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        Repeat(
            "ticks",
            Struct(
                None,
                HistoricalTick,
                (
                    F("time", LONG),
                    # An unused field "for consistency" with the other tick lists
                    # (their attribute mask); the official client skips it.
                    Const("0", name="unused"),
                    F("price", FLOAT),
                    F("size", DECIMAL),
                ),
            ),
        ),
        F("done", BOOL),
    )


@message(IncomingId.HISTORICAL_TICKS_BID_ASK)
@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricalTicksBidAsk(Message):
    """``HISTORICAL_TICKS_BID_ASK`` (97), EWrapper ``historicalTicksBidAsk``.

    Attributes:
        req_id: the historical ticks request id.
        ticks: the bid/ask ticks, oldest first.
        done: whether this is the last message of the answer.
    """

    req_id: int
    ticks: tuple[HistoricalTickBidAsk, ...] = ()
    done: bool = False

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        Repeat(
            "ticks",
            Struct(
                None,
                HistoricalTickBidAsk,
                (
                    F("time", LONG),
                    F("tick_attrib_bid_ask", _BID_ASK_ATTRIB),
                    F("price_bid", FLOAT),
                    F("price_ask", FLOAT),
                    F("size_bid", DECIMAL),
                    F("size_ask", DECIMAL),
                ),
            ),
        ),
        F("done", BOOL),
    )


@message(IncomingId.HISTORICAL_TICKS_LAST)
@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricalTicksLast(Message):
    """``HISTORICAL_TICKS_LAST`` (98), EWrapper ``historicalTicksLast`` (TRADES ticks).

    Attributes:
        req_id: the historical ticks request id.
        ticks: the trade ticks, oldest first.
        done: whether this is the last message of the answer.
    """

    req_id: int
    ticks: tuple[HistoricalTickLast, ...] = ()
    done: bool = False

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        Repeat(
            "ticks",
            Struct(
                None,
                HistoricalTickLast,
                (
                    F("time", LONG),
                    F("tick_attrib_last", _LAST_ATTRIB),
                    F("price", FLOAT),
                    F("size", DECIMAL),
                    F("exchange", STR),
                    F("special_conditions", STR),
                ),
            ),
        ),
        F("done", BOOL),
    )


@message(IncomingId.HISTORICAL_SCHEDULE)
@dataclass(frozen=True, slots=True, kw_only=True)
class HistoricalSchedule(Message):
    """``HISTORICAL_SCHEDULE`` (106), EWrapper ``historicalSchedule`` (server 165+).

    The answer to ``reqHistoricalData`` with ``what_to_show="SCHEDULE"``.

    Attributes:
        req_id: the historical data request id.
        start_date_time: the start of the period, ``yyyymmdd-hh:mm:ss``.
        end_date_time: the end of the period, ``yyyymmdd-hh:mm:ss``.
        time_zone: the time zone of the sessions' times.
        sessions: the trading sessions.
    """

    req_id: int
    start_date_time: str = ""
    end_date_time: str = ""
    time_zone: str = ""
    sessions: tuple[HistoricalSession, ...] = ()

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        F("start_date_time", STR),
        F("end_date_time", STR),
        F("time_zone", STR),
        Repeat(
            "sessions",
            Struct(
                None,
                HistoricalSession,
                (F("start_date_time", STR), F("end_date_time", STR), F("ref_date", STR)),
            ),
        ),
    )


# ------------------------------------------------------------------ outgoing

#: The C12 block addressed as ``contract.*`` from the message's top level, for
#: requests whose contract fields are interleaved with the request's own fields.
_CONTRACT_C12: tuple[Node, ...] = tuple(
    F("contract." + node.name, node.kind) for node in C12 if isinstance(node, F)
)

#: Combo legs of a BAG contract, ``count, {conId, ratio, action, exchange}``.
_CONTRACT_COMBO_LEGS = When(
    "{contract.sec_type} == 'BAG'",
    (
        Repeat(
            "contract.combo_legs",
            Struct(
                None,
                ComboLeg,
                (F("con_id", INT), F("ratio", INT), F("action", STR), F("exchange", STR)),
            ),
        ),
    ),
)

#: C12 followed by includeExpired: the contract of head timestamp, histogram and
#: historical ticks requests.
_C12_EXPIRED: tuple[Node, ...] = (*C12, F("include_expired", BOOL))


@message(OutgoingId.REQ_HISTORICAL_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqHistoricalData(Message):
    """``REQ_HISTORICAL_DATA`` (20), EClient ``reqHistoricalData``.

    Answered by :class:`HistoricalData` (then :class:`HistoricalDataEnd` from
    server 196), by :class:`HistoricalDataUpdate` while ``keep_up_to_date`` runs,
    or by :class:`HistoricalSchedule` for ``what_to_show="SCHEDULE"``.

    The official client refuses ``what_to_show="SCHEDULE"`` below server 165
    (``HISTORICAL_SCHEDULE``); that value-dependent check is left to the caller.

    Attributes:
        req_id: the request id the answer will carry.
        contract: the instrument; its ``include_expired`` is sent, and its combo
            legs for a ``BAG``.
        end_date_time: the end of the period, ``yyyymmdd hh:mm:ss[ zone]``, or
            empty for now.
        bar_size_setting: the bar size, e.g. ``"1 min"``, ``"1 day"``.
        duration_str: how far back from the end, e.g. ``"60 S"``, ``"5 D"``.
        use_rth: only data from regular trading hours.
        what_to_show: ``TRADES``, ``MIDPOINT``, ``BID``, ``ASK``, ``BID_ASK``,
            ``SCHEDULE``, ...
        format_date: 1 for text dates, 2 for epoch seconds.
        keep_up_to_date: keep sending :class:`HistoricalDataUpdate` for the bar in
            progress (server 124+).
        chart_options: ``"tag=value;"`` options as one text field; IB reserves it,
            keep it empty (server 70+).
    """

    req_id: int
    contract: Contract
    end_date_time: str = ""
    bar_size_setting: str
    duration_str: str
    use_rth: bool = False
    what_to_show: str
    format_date: int = 1
    keep_up_to_date: bool = False
    chart_options: str = ""

    WIRE_OBJECTS: ClassVar[Mapping[str, type]] = {"contract": Contract}
    WIRE: ClassVar[tuple[Node, ...]] = (
        # From 124 (SYNT_REALTIME_BARS) the official client sends no version field.
        Ver(6, before=SV.SYNT_REALTIME_BARS),
        F("req_id", INT),
        *_CONTRACT_C12,
        F("contract.include_expired", BOOL),
        F("end_date_time", STR),
        F("bar_size_setting", STR),
        F("duration_str", STR),
        F("use_rth", BOOL),
        F("what_to_show", STR),
        F("format_date", INT),
        _CONTRACT_COMBO_LEGS,
        F("keep_up_to_date", BOOL, since=SV.SYNT_REALTIME_BARS),
        F("chart_options", STR, since=SV.LINKING),
    )


@message(OutgoingId.CANCEL_HISTORICAL_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelHistoricalData(Message):
    """``CANCEL_HISTORICAL_DATA`` (25), EClient ``cancelHistoricalData``.

    Attributes:
        req_id: the id of the historical data request to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (Ver(1), F("req_id", INT))


@message(OutgoingId.REQ_HEAD_TIMESTAMP, min_version=SV.REQ_HEAD_TIMESTAMP)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqHeadTimestamp(Message):
    """``REQ_HEAD_TIMESTAMP`` (87), EClient ``reqHeadTimeStamp`` (server 118+).

    Answered by :class:`HeadTimestamp`.

    Attributes:
        req_id: the request id the answer will carry.
        contract: the instrument (its ``include_expired`` is sent).
        use_rth: only data from regular trading hours.
        what_to_show: ``TRADES``, ``MIDPOINT``, ``BID``, ``ASK``, ...
        format_date: 1 for text dates, 2 for epoch seconds.
    """

    req_id: int
    contract: Contract
    use_rth: bool = False
    what_to_show: str
    format_date: int = 1

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        Struct("contract", Contract, _C12_EXPIRED),
        F("use_rth", BOOL),
        F("what_to_show", STR),
        F("format_date", INT),
    )


@message(OutgoingId.CANCEL_HEAD_TIMESTAMP, min_version=SV.CANCEL_HEADTIMESTAMP)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelHeadTimestamp(Message):
    """``CANCEL_HEAD_TIMESTAMP`` (90), EClient ``cancelHeadTimeStamp`` (server 123+).

    Attributes:
        req_id: the id of the head timestamp request to end.
    """

    req_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (F("req_id", INT),)


@message(OutgoingId.REQ_HISTOGRAM_DATA, min_version=SV.REQ_HISTOGRAM)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqHistogramData(Message):
    """``REQ_HISTOGRAM_DATA`` (88), EClient ``reqHistogramData`` (server 119+).

    Answered by :class:`HistogramData`.

    Attributes:
        ticker_id: the request id the answer will carry.
        contract: the instrument (its ``include_expired`` is sent).
        use_rth: only data from regular trading hours.
        time_period: the period, e.g. ``"3 days"``, ``"1 week"``.
    """

    ticker_id: int
    contract: Contract
    use_rth: bool = False
    time_period: str

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("ticker_id", INT),
        Struct("contract", Contract, _C12_EXPIRED),
        F("use_rth", BOOL),
        F("time_period", STR),
    )


@message(OutgoingId.CANCEL_HISTOGRAM_DATA, min_version=SV.REQ_HISTOGRAM)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelHistogramData(Message):
    """``CANCEL_HISTOGRAM_DATA`` (89), EClient ``cancelHistogramData`` (server 119+).

    Attributes:
        ticker_id: the id of the histogram request to end.
    """

    ticker_id: int

    WIRE: ClassVar[tuple[Node, ...]] = (F("ticker_id", INT),)


@message(OutgoingId.REQ_HISTORICAL_TICKS, min_version=SV.HISTORICAL_TICKS)
@dataclass(frozen=True, slots=True, kw_only=True)
class ReqHistoricalTicks(Message):
    """``REQ_HISTORICAL_TICKS`` (96), EClient ``reqHistoricalTicks`` (server 130+).

    Answered by :class:`HistoricalTicks`, :class:`HistoricalTicksBidAsk` or
    :class:`HistoricalTicksLast`, depending on ``what_to_show``.

    Attributes:
        req_id: the request id the answer will carry.
        contract: the instrument (its ``include_expired`` is sent).
        start_date_time: the start, ``yyyymmdd hh:mm:ss[ zone]``; give either
            this or ``end_date_time``.
        end_date_time: the end, same format.
        number_of_ticks: how many ticks (at most 1000).
        what_to_show: ``TRADES``, ``BID_ASK`` or ``MIDPOINT``.
        use_rth: only data from regular trading hours.
        ignore_size: skip ticks that only change a size (BID_ASK).
        misc_options: ``"tag=value;"`` options as one text field; keep it empty.
    """

    req_id: int
    contract: Contract
    start_date_time: str = ""
    end_date_time: str = ""
    number_of_ticks: int
    what_to_show: str
    use_rth: bool = False
    ignore_size: bool = False
    misc_options: str = ""

    WIRE: ClassVar[tuple[Node, ...]] = (
        F("req_id", INT),
        Struct("contract", Contract, _C12_EXPIRED),
        F("start_date_time", STR),
        F("end_date_time", STR),
        F("number_of_ticks", INT),
        F("what_to_show", STR),
        F("use_rth", BOOL),
        F("ignore_size", BOOL),
        F("misc_options", STR),
    )


@message(OutgoingId.CANCEL_HISTORICAL_TICKS, min_version=SV.CANCEL_CONTRACT_DATA)
@dataclass(frozen=True, slots=True, kw_only=True)
class CancelHistoricalTicks(Message):
    """``CANCEL_HISTORICAL_TICKS`` (107), EClient ``cancelHistoricalTicks`` (server 215+).

    Stops a :class:`ReqHistoricalTicks` request.  Protobuf only
    (``CancelHistoricalTicks``).

    Attributes:
        req_id: the id of the request to cancel.
    """

    req_id: int
