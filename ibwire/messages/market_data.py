"""Market data: top-of-book ticks, depth, tick-by-tick, real-time bars, and their requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..fields import BOOL, DECIMAL, FLOAT, INT, STR
from ..ids import IncomingId, OutgoingId
from ..versions import ServerVersion as SV
from ._base import Bits, F, Message, Struct, Ver, message
from .common import C12, COMBO_LEGS_SHORT, DELTA_NEUTRAL, Contract

__all__ = [
    "CancelMktData",
    "ReqMktData",
    "TickAttrib",
    "TickGeneric",
    "TickPrice",
    "TickSize",
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


TICK_ATTRIB = Bits(TickAttrib, ("can_auto_execute", "past_limit", "pre_open"))


@message(IncomingId.TICK_PRICE)
@dataclass(frozen=True, slots=True, kw_only=True)
class TickPrice(Message):
    """``TICK_PRICE`` (1), EWrapper ``tickPrice``.

    For bid, ask and last (and their delayed types) the official client also
    calls ``tickSize`` with the size carried here; ibwire keeps it in :attr:`size`.

    Attributes:
        req_id: the market data request id.
        tick_type: a :class:`~ibwire.messages.ticktypes.TickType` id.
        price: the price; -1 commonly means "no quote".
        size: the size that goes with the price, ``None`` when unset.
        attrib: the tick's attributes.
    """

    req_id: int
    tick_type: int
    price: float
    size: Decimal | None = None
    attrib: TickAttrib = field(default_factory=TickAttrib)

    WIRE = (
        Ver(6),
        F("req_id", INT),
        F("tick_type", INT),
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
    tick_type: int
    size: Decimal | None

    WIRE = (Ver(6), F("req_id", INT), F("tick_type", INT), F("size", DECIMAL))


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
    tick_type: int
    value: str

    WIRE = (Ver(6), F("req_id", INT), F("tick_type", INT), F("value", STR))


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
    tick_type: int
    value: float

    WIRE = (Ver(6), F("req_id", INT), F("tick_type", INT), F("value", FLOAT))


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
        mkt_data_options: reserved by IB; must be empty.
    """

    req_id: int
    contract: Contract
    generic_tick_list: str = ""
    snapshot: bool = False
    regulatory_snapshot: bool = False
    mkt_data_options: str = ""

    WIRE = (
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

    WIRE = (Ver(2), F("req_id", INT))
