"""Stub messages and helpers shared by the ibwire.pacing tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from ibwire.ids import IncomingId, OutgoingId
from ibwire.pacing import (
    Pacer,
    PacingConfig,
    SupportsMsgId,
)

# --------------------------------------------------------------------------------------
# Stub messages: the attributes the pacer reads, nothing else.


@dataclass(frozen=True, slots=True)
class Contract:
    con_id: int = 0
    symbol: str = "AAPL"
    sec_type: str = "STK"
    last_trade_date_or_contract_month: str = ""
    strike: float = 0.0
    right: str = ""
    multiplier: str = ""
    exchange: str = "SMART"
    primary_exchange: str = ""
    currency: str = "USD"
    local_symbol: str = ""
    trading_class: str = ""


AAPL = Contract(symbol="AAPL")
MSFT = Contract(symbol="MSFT")


def contract(n: int) -> Contract:
    return Contract(con_id=1000 + n)


@dataclass(frozen=True, slots=True)
class ReqCurrentTime:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_CURRENT_TIME
    tag: int = 0


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    MSG_ID: ClassVar[int] = OutgoingId.PLACE_ORDER
    order_id: int


@dataclass(frozen=True, slots=True)
class CancelOrder:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_ORDER
    order_id: int


@dataclass(frozen=True, slots=True)
class ReqGlobalCancel:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_GLOBAL_CANCEL


@dataclass(frozen=True, slots=True)
class ReqHistoricalData:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_HISTORICAL_DATA
    req_id: int
    contract: Contract = AAPL
    end_date_time: str = ""
    duration_str: str = "1800 S"
    bar_size_setting: str = "5 secs"
    what_to_show: str = "TRADES"
    use_rth: bool = True
    format_date: int = 1
    keep_up_to_date: bool = False
    chart_options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CancelHistoricalData:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_HISTORICAL_DATA
    req_id: int


@dataclass(frozen=True, slots=True)
class ReqHistoricalTicks:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_HISTORICAL_TICKS
    req_id: int
    contract: Contract = AAPL
    start_date_time: str = ""
    end_date_time: str = "20240102 16:00:00"
    number_of_ticks: int = 1000
    what_to_show: str = "TRADES"
    use_rth: bool = True
    ignore_size: bool = False
    misc_options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReqHeadTimestamp:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_HEAD_TIMESTAMP
    req_id: int
    contract: Contract = AAPL
    what_to_show: str = "TRADES"
    use_rth: bool = True
    format_date: int = 1


@dataclass(frozen=True, slots=True)
class ReqRealTimeBars:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_REAL_TIME_BARS
    req_id: int
    contract: Contract = AAPL
    bar_size: int = 5
    what_to_show: str = "TRADES"
    use_rth: bool = True


@dataclass(frozen=True, slots=True)
class CancelRealTimeBars:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_REAL_TIME_BARS
    req_id: int


@dataclass(frozen=True, slots=True)
class ReqMktData:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_MKT_DATA
    req_id: int
    contract: Contract = AAPL
    snapshot: bool = False
    regulatory_snapshot: bool = False


@dataclass(frozen=True, slots=True)
class CancelMktData:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_MKT_DATA
    req_id: int


@dataclass(frozen=True, slots=True)
class ReqMktDepth:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_MKT_DEPTH
    req_id: int
    contract: Contract = AAPL


@dataclass(frozen=True, slots=True)
class CancelMktDepth:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_MKT_DEPTH
    req_id: int


@dataclass(frozen=True, slots=True)
class ReqTickByTickData:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_TICK_BY_TICK_DATA
    req_id: int
    contract: Contract = AAPL
    tick_type: str = "Last"


@dataclass(frozen=True, slots=True)
class CancelTickByTickData:
    MSG_ID: ClassVar[int] = OutgoingId.CANCEL_TICK_BY_TICK_DATA
    req_id: int


# Incoming.


@dataclass(frozen=True, slots=True)
class ErrMsg:
    MSG_ID: ClassVar[int] = IncomingId.ERR_MSG
    req_id: int
    error_code: int
    error_string: str = ""


@dataclass(frozen=True, slots=True)
class HistoricalData:
    MSG_ID: ClassVar[int] = IncomingId.HISTORICAL_DATA
    req_id: int


@dataclass(frozen=True, slots=True)
class HistoricalDataEnd:
    MSG_ID: ClassVar[int] = IncomingId.HISTORICAL_DATA_END
    req_id: int


@dataclass(frozen=True, slots=True)
class HistoricalTicks:
    MSG_ID: ClassVar[int] = IncomingId.HISTORICAL_TICKS
    req_id: int
    done: bool


@dataclass(frozen=True, slots=True)
class HeadTimestamp:
    MSG_ID: ClassVar[int] = IncomingId.HEAD_TIMESTAMP
    req_id: int


@dataclass(frozen=True, slots=True)
class TickSnapshotEnd:
    MSG_ID: ClassVar[int] = IncomingId.TICK_SNAPSHOT_END
    req_id: int


@dataclass(frozen=True, slots=True)
class TickPrice:
    MSG_ID: ClassVar[int] = IncomingId.TICK_PRICE
    req_id: int


# --------------------------------------------------------------------------------------
# Helpers

# One message per second, exactly: no burst room beyond the cap, no jitter allowance.
ONE: PacingConfig = PacingConfig(
    max_messages_per_second=1, rate_safety_margin=0, arrival_jitter=0.0
)
NO_GLOBAL = PacingConfig(max_messages_per_second=None)


def make(config: PacingConfig | None = None, **kw: object) -> Pacer[SupportsMsgId]:
    if kw:
        config = dataclasses.replace(config or PacingConfig(), **kw)  # type: ignore[arg-type]
    return Pacer(config)


def run_until(pacer: Pacer[SupportsMsgId], end: float) -> list[tuple[float, SupportsMsgId]]:
    """Poll at every deadline up to ``end``; return (send time, message) pairs."""
    sent: list[tuple[float, SupportsMsgId]] = []
    while True:
        wake = pacer.next_deadline()
        if wake is None or wake > end:
            return sent
        sent.extend((wake, m) for m in pacer.poll(wake))


def times_of(sent: list[tuple[float, SupportsMsgId]]) -> list[float]:
    return [t for t, _ in sent]


def kinds(events: Sequence[object]) -> list[type]:
    return [type(e) for e in events]
