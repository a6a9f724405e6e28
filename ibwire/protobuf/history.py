"""Historical and real-time data in protobuf form (server version 208,
``PROTOBUF_HISTORICAL_DATA``), and the historical ticks cancel (215).

Requests: bars, real-time bars, head timestamp, histogram, historical ticks,
tick-by-tick and their cancels, written as the official
``client_utils.create*Proto`` functions write them: ids unless they hold
``UNSET_INTEGER``, text when not empty, flags when true, the contract always
(:data:`~ibwire.protobuf.objects.REQUEST_CONTRACT`), and the ``"tag=value;"``
option text as the protobuf options map.

Incoming: bars (:class:`HistoricalData` carries its bars; the dates of the
period arrive in :class:`HistoricalDataEnd`), updates, schedules, head
timestamps, histograms, the three kinds of historical ticks, real-time bars and
tick-by-tick data.  An absent ``reqId`` reads as -1 (``NO_VALID_ID``) and absent
values as the official decoder reads them (0, 0.0, ""), except sizes, which are
``None`` where the official decoder passes ``UNSET_DECIMAL``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, cast

from ..messages.historical import (
    BarData,
    CancelHeadTimestamp,
    CancelHistogramData,
    CancelHistoricalData,
    CancelHistoricalTicks,
    HeadTimestamp,
    HistogramData,
    HistogramEntry,
    HistoricalData,
    HistoricalDataEnd,
    HistoricalDataUpdate,
    HistoricalSchedule,
    HistoricalSession,
    HistoricalTick,
    HistoricalTickBidAsk,
    HistoricalTickLast,
    HistoricalTicks,
    HistoricalTicksBidAsk,
    HistoricalTicksLast,
    ReqHeadTimestamp,
    ReqHistogramData,
    ReqHistoricalData,
    ReqHistoricalTicks,
)
from ..messages.market_data import (
    CancelRealTimeBars,
    CancelTickByTickData,
    RealTimeBars,
    ReqRealTimeBars,
    ReqTickByTickData,
    TickAttribBidAsk,
    TickAttribLast,
    TickByTick,
)
from ..versions import ServerVersion
from .forms import Form, mapped, register
from .mapper import Conv, Link, ObjectMap
from .objects import REQUEST_CONTRACT
from .wire import PbDict

__all__ = [
    "BAR",
    "HISTORICAL_DATA",
    "HISTORICAL_TICK",
    "HISTORICAL_TICK_BID_ASK",
    "HISTORICAL_TICK_LAST",
    "REAL_TIME_BARS",
    "REQ_HISTORICAL_DATA",
    "REQ_HISTORICAL_TICKS",
]

#: ``NO_VALID_ID``: the request id of an answer that carries none.
NO_VALID_ID: Final = -1
#: ``UNSET_INTEGER``: the official client leaves an int field out when it holds this.
UNSET_INTEGER: Final = 2**31 - 1


def _cancel(cls: type, attr: str = "req_id") -> ObjectMap:
    """The map of a request whose only field is its request id."""
    return ObjectMap(cls, [Link("reqId", attr, skip=UNSET_INTEGER, missing=NO_VALID_ID)])


# ---------------------------------------------------------------- requests

REQ_HISTORICAL_DATA: Final = ObjectMap(ReqHistoricalData, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("contract", "contract", Conv.OBJECT, REQUEST_CONTRACT, missing={}),
    Link("endDateTime", "end_date_time", skip=""),
    Link("barSizeSetting", "bar_size_setting", skip="", missing=""),
    Link("duration", "duration_str", skip="", missing=""),
    Link("useRTH", "use_rth", skip=False),
    Link("whatToShow", "what_to_show", skip="", missing=""),
    Link("formatDate", "format_date", skip=UNSET_INTEGER),
    Link("keepUpToDate", "keep_up_to_date", skip=False),
    Link("chartOptions", "chart_options", Conv.OPTIONS),
])  # fmt: skip

REQ_REAL_TIME_BARS: Final = ObjectMap(ReqRealTimeBars, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("contract", "contract", Conv.OBJECT, REQUEST_CONTRACT, missing={}),
    Link("barSize", "bar_size", skip=UNSET_INTEGER),
    Link("whatToShow", "what_to_show", skip="", missing=""),
    Link("useRTH", "use_rth", skip=False),
    Link("realTimeBarsOptions", "real_time_bars_options", Conv.OPTIONS),
])  # fmt: skip

REQ_HEAD_TIMESTAMP: Final = ObjectMap(ReqHeadTimestamp, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("contract", "contract", Conv.OBJECT, REQUEST_CONTRACT, missing={}),
    Link("useRTH", "use_rth", skip=False),
    Link("whatToShow", "what_to_show", skip="", missing=""),
    Link("formatDate", "format_date", skip=UNSET_INTEGER),
])  # fmt: skip

REQ_HISTOGRAM_DATA: Final = ObjectMap(ReqHistogramData, [
    Link("reqId", "ticker_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("contract", "contract", Conv.OBJECT, REQUEST_CONTRACT, missing={}),
    Link("useRTH", "use_rth", skip=False),
    Link("timePeriod", "time_period", skip="", missing=""),
])  # fmt: skip

REQ_HISTORICAL_TICKS: Final = ObjectMap(ReqHistoricalTicks, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("contract", "contract", Conv.OBJECT, REQUEST_CONTRACT, missing={}),
    Link("startDateTime", "start_date_time", skip=""),
    Link("endDateTime", "end_date_time", skip=""),
    Link("numberOfTicks", "number_of_ticks", skip=UNSET_INTEGER, missing=0),
    Link("whatToShow", "what_to_show", skip="", missing=""),
    Link("useRTH", "use_rth", skip=False),
    Link("ignoreSize", "ignore_size", skip=False),
    Link("miscOptions", "misc_options", Conv.OPTIONS),
])  # fmt: skip

REQ_TICK_BY_TICK_DATA: Final = ObjectMap(ReqTickByTickData, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("contract", "contract", Conv.OBJECT, REQUEST_CONTRACT, missing={}),
    Link("tickType", "tick_type", skip="", missing=""),
    Link("numberOfTicks", "number_of_ticks", skip=UNSET_INTEGER),
    Link("ignoreSize", "ignore_size", skip=False),
])  # fmt: skip

# ---------------------------------------------------------------- incoming

BAR: Final = ObjectMap(BarData, [
    Link("date", "date"),
    Link("open", "open"),
    Link("high", "high"),
    Link("low", "low"),
    Link("close", "close"),
    Link("volume", "volume", Conv.DECIMAL),
    Link("WAP", "wap", Conv.DECIMAL),
    Link("barCount", "bar_count"),
])  # fmt: skip

HISTORICAL_DATA: Final = ObjectMap(HistoricalData, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("historicalDataBars", "bars", Conv.OBJECTS, BAR),
])  # fmt: skip

HISTORICAL_DATA_UPDATE: Final = ObjectMap(HistoricalDataUpdate, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("historicalDataBar", "bar", Conv.OBJECT, BAR),
])  # fmt: skip

HISTORICAL_DATA_END: Final = ObjectMap(HistoricalDataEnd, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("startDateStr", "start_date_str"),
    Link("endDateStr", "end_date_str"),
])  # fmt: skip

HISTORICAL_SESSION: Final = ObjectMap(HistoricalSession, [
    Link("startDateTime", "start_date_time"),
    Link("endDateTime", "end_date_time"),
    Link("refDate", "ref_date"),
])  # fmt: skip

HISTORICAL_SCHEDULE: Final = ObjectMap(HistoricalSchedule, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("startDateTime", "start_date_time"),
    Link("endDateTime", "end_date_time"),
    Link("timeZone", "time_zone"),
    Link("historicalSessions", "sessions", Conv.OBJECTS, HISTORICAL_SESSION),
])  # fmt: skip

HEAD_TIMESTAMP: Final = ObjectMap(HeadTimestamp, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("headTimestamp", "head_timestamp", missing=""),
])  # fmt: skip

HISTOGRAM_ENTRY: Final = ObjectMap(HistogramEntry, [
    Link("price", "price"),
    Link("size", "size", Conv.DECIMAL),
])  # fmt: skip

HISTOGRAM_DATA: Final = ObjectMap(HistogramData, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("histogramDataEntries", "items", Conv.OBJECTS, HISTOGRAM_ENTRY),
])  # fmt: skip

TICK_ATTRIB_BID_ASK: Final = ObjectMap(TickAttribBidAsk, [
    Link("bidPastLow", "bid_past_low"),
    Link("askPastHigh", "ask_past_high"),
])  # fmt: skip

TICK_ATTRIB_LAST: Final = ObjectMap(TickAttribLast, [
    Link("pastLimit", "past_limit"),
    Link("unreported", "unreported"),
])  # fmt: skip

HISTORICAL_TICK: Final = ObjectMap(HistoricalTick, [
    Link("time", "time"),
    Link("price", "price"),
    Link("size", "size", Conv.DECIMAL),
])  # fmt: skip

HISTORICAL_TICK_BID_ASK: Final = ObjectMap(HistoricalTickBidAsk, [
    Link("time", "time"),
    Link("tickAttribBidAsk", "tick_attrib_bid_ask", Conv.OBJECT, TICK_ATTRIB_BID_ASK),
    Link("priceBid", "price_bid"),
    Link("priceAsk", "price_ask"),
    Link("sizeBid", "size_bid", Conv.DECIMAL),
    Link("sizeAsk", "size_ask", Conv.DECIMAL),
])  # fmt: skip

HISTORICAL_TICK_LAST: Final = ObjectMap(HistoricalTickLast, [
    Link("time", "time"),
    Link("tickAttribLast", "tick_attrib_last", Conv.OBJECT, TICK_ATTRIB_LAST),
    Link("price", "price"),
    Link("size", "size", Conv.DECIMAL),
    Link("exchange", "exchange"),
    Link("specialConditions", "special_conditions"),
])  # fmt: skip

HISTORICAL_TICKS: Final = ObjectMap(HistoricalTicks, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("historicalTicks", "ticks", Conv.OBJECTS, HISTORICAL_TICK),
    Link("isDone", "done"),
])  # fmt: skip

HISTORICAL_TICKS_BID_ASK: Final = ObjectMap(HistoricalTicksBidAsk, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("historicalTicksBidAsk", "ticks", Conv.OBJECTS, HISTORICAL_TICK_BID_ASK),
    Link("isDone", "done"),
])  # fmt: skip

HISTORICAL_TICKS_LAST: Final = ObjectMap(HistoricalTicksLast, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("historicalTicksLast", "ticks", Conv.OBJECTS, HISTORICAL_TICK_LAST),
    Link("isDone", "done"),
])  # fmt: skip

REAL_TIME_BARS: Final = ObjectMap(RealTimeBars, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("time", "time", missing=0),
    Link("open", "open", missing=0.0),
    Link("high", "high", missing=0.0),
    Link("low", "low", missing=0.0),
    Link("close", "close", missing=0.0),
    Link("volume", "volume", Conv.DECIMAL, missing=None),
    Link("WAP", "wap", Conv.DECIMAL, missing=None),
    Link("count", "count", missing=0),
])  # fmt: skip

# ------------------------------------------------------------- tick by tick
#
# TickByTickData holds its tick in a oneof: a HistoricalTickLast for types 1
# and 2 (Last, AllLast), a HistoricalTickBidAsk for 3, a HistoricalTick for 4
# (MidPoint).  Our TickByTick is flat, as in the text form.

def _tick_by_tick(decoded: PbDict, version: int) -> TickByTick:
    values = cast("dict[str, Any]", decoded)
    req_id = values["reqId"]
    tick_type = values["tickType"] or 0
    fields: dict[str, Any] = {
        "req_id": NO_VALID_ID if req_id is None else req_id,
        "tick_type": tick_type,
        "time": 0,
    }
    last = values["historicalTickLast"]
    bid_ask = values["historicalTickBidAsk"]
    mid = values["historicalTickMidPoint"]
    if tick_type in (1, 2) and last is not None:
        tick = HISTORICAL_TICK_LAST.read(last)
        fields.update(
            time=tick.time, price=tick.price, size=tick.size,
            tick_attrib_last=tick.tick_attrib_last, exchange=tick.exchange,
            special_conditions=tick.special_conditions,
        )  # fmt: skip
    elif tick_type == 3 and bid_ask is not None:
        quote = HISTORICAL_TICK_BID_ASK.read(bid_ask)
        fields.update(
            time=quote.time, bid_price=quote.price_bid, ask_price=quote.price_ask,
            bid_size=quote.size_bid, ask_size=quote.size_ask,
            tick_attrib_bid_ask=quote.tick_attrib_bid_ask,
        )  # fmt: skip
    elif tick_type == 4 and mid is not None:
        point = HISTORICAL_TICK.read(mid)
        fields.update(time=point.time, mid_point=point.price)
    return TickByTick(**fields)


def _tick_by_tick_values(message: Any, version: int) -> Mapping[str, Any]:
    tick: TickByTick = message
    values: dict[str, Any] = {"reqId": tick.req_id, "tickType": tick.tick_type}
    if tick.tick_type in (1, 2):
        values["historicalTickLast"] = HISTORICAL_TICK_LAST.write(
            HistoricalTickLast(
                time=tick.time, tick_attrib_last=tick.tick_attrib_last or TickAttribLast(),
                price=tick.price or 0.0, size=tick.size, exchange=tick.exchange,
                special_conditions=tick.special_conditions,
            )
        )  # fmt: skip
    elif tick.tick_type == 3:
        values["historicalTickBidAsk"] = HISTORICAL_TICK_BID_ASK.write(
            HistoricalTickBidAsk(
                time=tick.time,
                tick_attrib_bid_ask=tick.tick_attrib_bid_ask or TickAttribBidAsk(),
                price_bid=tick.bid_price or 0.0, price_ask=tick.ask_price or 0.0,
                size_bid=tick.bid_size, size_ask=tick.ask_size,
            )
        )  # fmt: skip
    elif tick.tick_type == 4:
        values["historicalTickMidPoint"] = HISTORICAL_TICK.write(
            HistoricalTick(time=tick.time, price=tick.mid_point or 0.0)
        )
    return values


_SINCE: Final = ServerVersion.PROTOBUF_HISTORICAL_DATA

register(
    mapped(ReqHistoricalData, "HistoricalDataRequest", _SINCE, REQ_HISTORICAL_DATA, incoming=False),
    mapped(CancelHistoricalData, "CancelHistoricalData", _SINCE, _cancel(CancelHistoricalData), incoming=False),
    mapped(ReqRealTimeBars, "RealTimeBarsRequest", _SINCE, REQ_REAL_TIME_BARS, incoming=False),
    mapped(CancelRealTimeBars, "CancelRealTimeBars", _SINCE, _cancel(CancelRealTimeBars), incoming=False),
    mapped(ReqHeadTimestamp, "HeadTimestampRequest", _SINCE, REQ_HEAD_TIMESTAMP, incoming=False),
    mapped(CancelHeadTimestamp, "CancelHeadTimestamp", _SINCE, _cancel(CancelHeadTimestamp), incoming=False),
    mapped(ReqHistogramData, "HistogramDataRequest", _SINCE, REQ_HISTOGRAM_DATA, incoming=False),
    mapped(CancelHistogramData, "CancelHistogramData", _SINCE, _cancel(CancelHistogramData, "ticker_id"), incoming=False),
    mapped(ReqHistoricalTicks, "HistoricalTicksRequest", _SINCE, REQ_HISTORICAL_TICKS, incoming=False),
    mapped(ReqTickByTickData, "TickByTickRequest", _SINCE, REQ_TICK_BY_TICK_DATA, incoming=False),
    mapped(CancelTickByTickData, "CancelTickByTick", _SINCE, _cancel(CancelTickByTickData), incoming=False),
    mapped(CancelHistoricalTicks, "CancelHistoricalTicks", ServerVersion.CANCEL_CONTRACT_DATA, _cancel(CancelHistoricalTicks), incoming=False),
    mapped(HistoricalData, "HistoricalData", _SINCE, HISTORICAL_DATA, incoming=True),
    mapped(HistoricalDataUpdate, "HistoricalDataUpdate", _SINCE, HISTORICAL_DATA_UPDATE, incoming=True),
    mapped(HistoricalDataEnd, "HistoricalDataEnd", _SINCE, HISTORICAL_DATA_END, incoming=True),
    mapped(HistoricalSchedule, "HistoricalSchedule", _SINCE, HISTORICAL_SCHEDULE, incoming=True),
    mapped(HeadTimestamp, "HeadTimestamp", _SINCE, HEAD_TIMESTAMP, incoming=True),
    mapped(HistogramData, "HistogramData", _SINCE, HISTOGRAM_DATA, incoming=True),
    mapped(HistoricalTicks, "HistoricalTicks", _SINCE, HISTORICAL_TICKS, incoming=True),
    mapped(HistoricalTicksBidAsk, "HistoricalTicksBidAsk", _SINCE, HISTORICAL_TICKS_BID_ASK, incoming=True),
    mapped(HistoricalTicksLast, "HistoricalTicksLast", _SINCE, HISTORICAL_TICKS_LAST, incoming=True),
    mapped(RealTimeBars, "RealTimeBarTick", _SINCE, REAL_TIME_BARS, incoming=True),
    Form(TickByTick, True, "TickByTickData", _SINCE, _tick_by_tick, _tick_by_tick_values),
)  # fmt: skip
