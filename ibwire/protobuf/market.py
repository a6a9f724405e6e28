"""The market data family in protobuf form (server version 206,
``PROTOBUF_MARKET_DATA``).

=====================  ======================  =====================
class                  protobuf message        direction
=====================  ======================  =====================
ReqMktData             MarketDataRequest       client -> server
CancelMktData          CancelMarketData        client -> server
ReqMktDepth            MarketDepthRequest      client -> server
CancelMktDepth         CancelMarketDepth       client -> server
ReqMarketDataType      MarketDataTypeRequest   client -> server
TickPrice              TickPrice               server -> client
TickSize               TickSize                server -> client
TickString             TickString              server -> client
TickGeneric            TickGeneric             server -> client
TickOptionComputation  TickOptionComputation   server -> client
TickSnapshotEnd        TickSnapshotEnd         server -> client
MarketDataType         MarketDataType          server -> client
TickReqParams          TickReqParams           server -> client
MarketDepth            MarketDepth             server -> client
MarketDepthL2          MarketDepthL2           server -> client
=====================  ======================  =====================

Requests are written as ``client_utils.create*Proto`` writes them: ids unless
``UNSET_INTEGER``, text when not empty, flags when true, the contract always.  The
options text (``mkt_data_options``, ``mkt_depth_options``: ``tag=value;`` pairs,
as the text form carries them) becomes the options map.

Incoming fields absent from a frame read as the official decoder reads them:
``reqId`` -1, ``tickType`` and ``marketDataType`` ``UNSET_INTEGER``, a price or
generic value ``UNSET_DOUBLE``; sizes ``None`` (official ``UNSET_DECIMAL``).  A size
reads as every quantity does (:func:`~ibwire.fields.opt_decimal`): the unset
spellings are ``None`` and NaN or infinity makes the frame malformed.  Two
differences, both toward "absent is unset": an absent ``attrMask`` is an empty
:class:`~ibwire.messages.market_data.TickAttrib` (the official decoder masks
``UNSET_INTEGER`` and sets every flag), an absent ``tickAttrib`` of an option
computation is ``None``.  Option computation values that hold the "not computed"
markers (implied volatility below 0, delta/gamma/vega/theta -2, option price,
PV dividend and underlying price -1) read as ``None``, as in the text form.
``TickReqParams`` carries ``lastPricePrecision`` and ``lastSizePrecision`` from
server 224 (``USE_PRECISION_FROM_SEC_DEF``); the official decoder drops them,
ibwire keeps them (``None`` when absent).

The server-side switches change what the server sends, not how it is framed (the
official client has no branch on them): from 220 (``MARKET_DATA_VOLUMES_IN_SHARES``)
volume ticks count shares, from 222 (``FRACTIONAL_LAST_SIZE``) last sizes may be
fractional (sizes are :class:`~decimal.Decimal` either way), from 225
(``ODD_LOT_BID_ASK_QUOTES``) odd-lot quotes arrive as tick types 105-110
(:class:`~ibwire.messages.ticktypes.TickType`) in these same messages.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, Final

from .._record import builder
from ..fields import _DECIMAL_CACHE as _DECIMALS
from ..fields import format_decimal, opt_decimal
from ..messages.market_data import (
    CancelMktData,
    CancelMktDepth,
    MarketDataType,
    MarketDepth,
    MarketDepthL2,
    ReqMarketDataType,
    ReqMktData,
    ReqMktDepth,
    RerouteMktDataReq,
    RerouteMktDepthReq,
    TickAttrib,
    TickGeneric,
    TickOptionComputation,
    TickPrice,
    TickReqParams,
    TickSize,
    TickSnapshotEnd,
    TickString,
)
from ..messages.ticktypes import TickType
from ..versions import ServerVersion
from .forms import Form, built, mapped, register
from .mapper import Conv, Link, ObjectMap
from .objects import REQUEST_CONTRACT
from .wire import PbDict

__all__ = [
    "CANCEL_MKT_DATA",
    "CANCEL_MKT_DEPTH",
    "MARKET_DATA_TYPE",
    "REQ_MARKET_DATA_TYPE",
    "REQ_MKT_DATA",
    "REQ_MKT_DEPTH",
    "REROUTE_MKT_DATA_REQ",
    "REROUTE_MKT_DEPTH_REQ",
    "TICK_GENERIC",
    "TICK_REQ_PARAMS",
    "TICK_SIZE",
    "TICK_SNAPSHOT_END",
    "TICK_STRING",
    "options_map",
    "options_text",
]

#: ``NO_VALID_ID``: the request id of an answer that carries none.
NO_VALID_ID: Final = -1
#: ``UNSET_INTEGER``: the official client leaves an int field out when it holds this.
UNSET_INTEGER: Final = 2**31 - 1
#: ``UNSET_DOUBLE``: the official decoder's value of an absent double.
UNSET_DOUBLE: Final = sys.float_info.max

_SINCE: Final = ServerVersion.PROTOBUF_MARKET_DATA


def options_map(text: str) -> dict[str, str]:
    """The options map of an options text (``"a=1;b=2;"`` -> ``{"a": "1", "b": "2"}``)."""
    pairs: dict[str, str] = {}
    for item in text.split(";"):
        if item:
            tag, _, value = item.partition("=")
            pairs[tag] = value
    return pairs


def options_text(pairs: Mapping[str, str]) -> str:
    """The options text of an options map (the text form's ``tag=value;`` list)."""
    return "".join(f"{tag}={value};" for tag, value in pairs.items())


# ------------------------------------------------------------------ requests

REQ_MKT_DATA: Final = ObjectMap(ReqMktData, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("contract", "contract", Conv.OBJECT, REQUEST_CONTRACT, missing={}),
    Link("genericTickList", "generic_tick_list", skip=""),
    Link("snapshot", "snapshot", skip=False),
    Link("regulatorySnapshot", "regulatory_snapshot", skip=False),
])  # fmt: skip

REQ_MKT_DEPTH: Final = ObjectMap(ReqMktDepth, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("contract", "contract", Conv.OBJECT, REQUEST_CONTRACT, missing={}),
    Link("numRows", "num_rows", skip=UNSET_INTEGER, missing=UNSET_INTEGER),
    Link("isSmartDepth", "is_smart_depth", skip=False),
])  # fmt: skip

CANCEL_MKT_DATA: Final = ObjectMap(CancelMktData, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
])  # fmt: skip

CANCEL_MKT_DEPTH: Final = ObjectMap(CancelMktDepth, [
    Link("reqId", "req_id", skip=UNSET_INTEGER, missing=NO_VALID_ID),
    Link("isSmartDepth", "is_smart_depth", skip=False),
])  # fmt: skip

REQ_MARKET_DATA_TYPE: Final = ObjectMap(ReqMarketDataType, [
    Link("marketDataType", "market_data_type", skip=UNSET_INTEGER, missing=UNSET_INTEGER),
])  # fmt: skip


def _with_options(
    cls: type[Any], protobuf: str, objects: ObjectMap, pb: str, attr: str
) -> Form:
    """A request whose options text travels as the map ``pb``."""
    read = objects.read
    write = objects.write
    from_options = options_text
    to_options = options_map

    def to_message(values: PbDict, version: int) -> Any:
        message = read(values)
        pairs: Any = values[pb]
        if pairs:
            object.__setattr__(message, attr, from_options(pairs))
        return message

    def from_message(message: Any, version: int) -> Mapping[str, Any]:
        values = write(message)
        text = getattr(message, attr)
        if text:
            values[pb] = to_options(text)
        return values

    return Form(cls, False, protobuf, _SINCE, to_message, from_message)


# ------------------------------------------------------------------ incoming

TICK_SIZE: Final = ObjectMap(TickSize, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("tickType", "tick_type", Conv.TICK_TYPE, missing=TickType(UNSET_INTEGER)),
    Link("size", "size", Conv.DECIMAL, missing=None),
])  # fmt: skip

TICK_STRING: Final = ObjectMap(TickString, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("tickType", "tick_type", Conv.TICK_TYPE, missing=TickType(UNSET_INTEGER)),
    Link("value", "value", missing=""),
])  # fmt: skip

TICK_GENERIC: Final = ObjectMap(TickGeneric, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("tickType", "tick_type", Conv.TICK_TYPE, missing=TickType(UNSET_INTEGER)),
    Link("value", "value", missing=UNSET_DOUBLE),
])  # fmt: skip

TICK_SNAPSHOT_END: Final = ObjectMap(TickSnapshotEnd, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
])  # fmt: skip

def _reroute(cls: type) -> ObjectMap:
    """A reroute request (data or depth: the same fields)."""
    return ObjectMap(cls, [
        Link("reqId", "req_id", missing=NO_VALID_ID),
        Link("conId", "con_id", missing=0),
        Link("exchange", "exchange", missing=""),
    ])  # fmt: skip


REROUTE_MKT_DATA_REQ: Final = _reroute(RerouteMktDataReq)
REROUTE_MKT_DEPTH_REQ: Final = _reroute(RerouteMktDepthReq)

MARKET_DATA_TYPE: Final = ObjectMap(MarketDataType, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("marketDataType", "market_data_type", missing=UNSET_INTEGER),
])  # fmt: skip

TICK_REQ_PARAMS: Final = ObjectMap(TickReqParams, [
    Link("reqId", "req_id", missing=NO_VALID_ID),
    Link("minTick", "min_tick", Conv.FLOAT_TEXT, missing=UNSET_DOUBLE),
    Link("bboExchange", "bbo_exchange", missing=""),
    Link("snapshotPermissions", "snapshot_permissions", missing=UNSET_INTEGER),
    Link("lastPricePrecision", "last_price_precision", Conv.DECIMAL),
    Link("lastSizePrecision", "last_size_precision", Conv.DECIMAL),
])  # fmt: skip


#: The attributes of each mask (their three bits): shared, they are immutable.
_ATTRIBS: Final = tuple(
    TickAttrib(can_auto_execute=bool(mask & 1), past_limit=bool(mask & 2), pre_open=bool(mask & 4))
    for mask in range(8)
)
_TICK_TYPES: Final = TickType._value2member_map_
_new: Final = object.__new__
_TICK_PRICE: Final[Any] = builder(TickPrice)
_OPTION_COMPUTATION: Final[Any] = builder(TickOptionComputation)

def _tick_price(
    req_id: int | None, tick_type: int | None, price: float | None, size: str | None,
    mask: int | None,
) -> TickPrice:  # fmt: skip
    # Built on the builder twin, flat: the market-data hot path
    # (benchmarks/bench_protobuf.py).
    message = _new(_TICK_PRICE)
    message.req_id = NO_VALID_ID if req_id is None else req_id
    if tick_type is None:
        tick_type = UNSET_INTEGER
    message.tick_type = _TICK_TYPES[tick_type] if tick_type in _TICK_TYPES else TickType(tick_type)
    message.price = UNSET_DOUBLE if price is None else price
    # Sizes as every quantity reads (fields.opt_decimal: its cache first).
    message.size = (
        None if size is None else _DECIMALS[size] if size in _DECIMALS else opt_decimal(size)
    )
    message.attrib = _ATTRIBS[mask & 7] if mask else _ATTRIBS[0]
    message.__class__ = TickPrice
    return message  # type: ignore[no-any-return]


def _tick_price_values(message: TickPrice, version: int) -> Mapping[str, Any]:
    attrib = message.attrib
    # The mask is always written: an absent one reads as every flag set in the
    # official decoder.
    values: dict[str, Any] = {
        "reqId": message.req_id,
        "tickType": int(message.tick_type),
        "price": message.price,
        "attrMask": attrib.can_auto_execute | attrib.past_limit << 1 | attrib.pre_open << 2,
    }
    if message.size is not None:
        values["size"] = format_decimal(message.size)
    return values


#: Option computation field -> (attribute, its "not computed" marker; ``None``:
#: any negative value).
_COMPUTED: Final[tuple[tuple[str, str, float | None], ...]] = (
    ("impliedVol", "implied_vol", None),
    ("delta", "delta", -2.0),
    ("optPrice", "opt_price", -1.0),
    ("pvDividend", "pv_dividend", -1.0),
    ("gamma", "gamma", -2.0),
    ("vega", "vega", -2.0),
    ("theta", "theta", -2.0),
    ("undPrice", "und_price", -1.0),
)


def _option_computation(
    req_id: int | None, tick_type: int | None, tick_attrib: int | None,
    implied_vol: float | None, delta: float | None, opt_price: float | None,
    pv_dividend: float | None, gamma: float | None, vega: float | None,
    theta: float | None, und_price: float | None,
) -> TickOptionComputation:  # fmt: skip
    # The markers of _COMPUTED, flat.
    message = _new(_OPTION_COMPUTATION)
    message.req_id = NO_VALID_ID if req_id is None else req_id
    if tick_type is None:
        tick_type = UNSET_INTEGER
    message.tick_type = _TICK_TYPES[tick_type] if tick_type in _TICK_TYPES else TickType(tick_type)
    message.tick_attrib = tick_attrib
    message.implied_vol = None if implied_vol is None or implied_vol < 0 else implied_vol
    message.delta = None if delta == -2.0 else delta
    message.opt_price = None if opt_price == -1.0 else opt_price
    message.pv_dividend = None if pv_dividend == -1.0 else pv_dividend
    message.gamma = None if gamma == -2.0 else gamma
    message.vega = None if vega == -2.0 else vega
    message.theta = None if theta == -2.0 else theta
    message.und_price = None if und_price == -1.0 else und_price
    message.__class__ = TickOptionComputation
    return message  # type: ignore[no-any-return]


def _option_computation_values(message: TickOptionComputation, version: int) -> Mapping[str, Any]:
    values: dict[str, Any] = {"reqId": message.req_id, "tickType": int(message.tick_type)}
    if message.tick_attrib is not None:
        values["tickAttrib"] = message.tick_attrib
    for pb, attr, _ in _COMPUTED:
        value = getattr(message, attr)
        if value is not None:
            values[pb] = value
    return values


def _depth(values: Mapping[str, Any], version: int) -> MarketDepth:
    req_id = values["reqId"]
    data = values["marketDepthData"] or {}
    size = data.get("size")
    return MarketDepth(
        req_id=NO_VALID_ID if req_id is None else req_id,
        position=_or(data.get("position"), UNSET_INTEGER),
        operation=_or(data.get("operation"), UNSET_INTEGER),
        side=_or(data.get("side"), UNSET_INTEGER),
        price=_or(data.get("price"), UNSET_DOUBLE),
        size=None if size is None else opt_decimal(size),
    )


def _depth_l2(values: Mapping[str, Any], version: int) -> MarketDepthL2:
    req_id = values["reqId"]
    data = values["marketDepthData"] or {}
    size = data.get("size")
    return MarketDepthL2(
        req_id=NO_VALID_ID if req_id is None else req_id,
        position=_or(data.get("position"), 0),
        market_maker=_or(data.get("marketMaker"), ""),
        operation=_or(data.get("operation"), UNSET_INTEGER),
        side=_or(data.get("side"), UNSET_INTEGER),
        price=_or(data.get("price"), UNSET_DOUBLE),
        size=None if size is None else opt_decimal(size),
        is_smart_depth=_or(data.get("isSmartDepth"), False),
    )


def _depth_values(message: MarketDepth | MarketDepthL2, version: int) -> Mapping[str, Any]:
    data: dict[str, Any] = {
        "position": message.position,
        "operation": message.operation,
        "side": message.side,
        "price": message.price,
    }
    if message.size is not None:
        data["size"] = format_decimal(message.size)
    if isinstance(message, MarketDepthL2):
        data["marketMaker"] = message.market_maker
        data["isSmartDepth"] = message.is_smart_depth
    return {"reqId": message.req_id, "marketDepthData": data}


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


register(
    _with_options(ReqMktData, "MarketDataRequest", REQ_MKT_DATA, "marketDataOptions",
                  "mkt_data_options"),
    _with_options(ReqMktDepth, "MarketDepthRequest", REQ_MKT_DEPTH, "marketDepthOptions",
                  "mkt_depth_options"),
    mapped(CancelMktData, "CancelMarketData", _SINCE, CANCEL_MKT_DATA, incoming=False),
    mapped(CancelMktDepth, "CancelMarketDepth", _SINCE, CANCEL_MKT_DEPTH, incoming=False),
    mapped(ReqMarketDataType, "MarketDataTypeRequest", _SINCE, REQ_MARKET_DATA_TYPE,
           incoming=False),
    built(TickPrice, "TickPrice", _SINCE, _tick_price, _tick_price_values),
    mapped(TickSize, "TickSize", _SINCE, TICK_SIZE, incoming=True),
    mapped(TickString, "TickString", _SINCE, TICK_STRING, incoming=True),
    mapped(TickGeneric, "TickGeneric", _SINCE, TICK_GENERIC, incoming=True),
    built(TickOptionComputation, "TickOptionComputation", _SINCE, _option_computation,
         _option_computation_values),
    mapped(TickSnapshotEnd, "TickSnapshotEnd", _SINCE, TICK_SNAPSHOT_END, incoming=True),
    mapped(MarketDataType, "MarketDataType", _SINCE, MARKET_DATA_TYPE, incoming=True),
    mapped(TickReqParams, "TickReqParams", _SINCE, TICK_REQ_PARAMS, incoming=True),
    Form(MarketDepth, True, "MarketDepth", _SINCE, _depth, _depth_values),
    Form(MarketDepthL2, True, "MarketDepthL2", _SINCE, _depth_l2, _depth_values),
    mapped(RerouteMktDataReq, "RerouteMarketDataRequest", _SINCE, REROUTE_MKT_DATA_REQ,
           incoming=True),
    mapped(RerouteMktDepthReq, "RerouteMarketDepthRequest", _SINCE, REROUTE_MKT_DEPTH_REQ,
           incoming=True),
)  # fmt: skip
