"""Trading sessions of the simulator's venues, in each exchange's own time zone.

One table: for each kind of venue, the time zone, the regular (liquid) hours
and the whole trading window, per weekday.  Holidays are not modelled.

* US equities and their options (``America/New_York``): regular 09:30-16:00,
  Monday to Friday; stocks also trade before (04:00-09:30) and after
  (16:00-20:00) the regular session, for orders marked ``outside_rth``.
* CME equity index futures (``America/Chicago``): Sunday 17:00 to Friday 16:00
  with a daily break 16:00-17:00; regular (liquid) hours 08:30-15:00.
* IDEALPRO currency pairs (``America/New_York``): Sunday 17:15 to Friday 17:00
  with a daily break 17:00-17:15; all of it counts as regular hours.
"""

from __future__ import annotations

import datetime as _dt
import enum
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from ._universe import Instrument

__all__ = ["Phase", "Venue", "day_start", "phase", "trading_hours", "venue_of"]


class Phase(enum.Enum):
    """Where a moment falls in an instrument's trading day."""

    CLOSED = "closed"
    EXTENDED = "extended"  # pre- or post-market: only ``outside_rth`` orders trade
    REGULAR = "regular"


# A window is (start minute, end minute) of a local day, end exclusive; 1440 is midnight.
_Window = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Venue:
    """The sessions of one kind of venue.

    Attributes:
        zone: the exchange's time zone.
        regular: the regular windows per weekday (Monday 0 .. Sunday 6).
        trading: the whole trading windows per weekday (regular included).
        close: the minute of the local day at which a trading day ends, Monday to
            Friday: the daily P&L starts again from there.
    """

    zone: ZoneInfo
    regular: tuple[tuple[_Window, ...], ...]
    trading: tuple[tuple[_Window, ...], ...]
    close: int = 960


def _days(mon_fri: tuple[_Window, ...], *, sun: tuple[_Window, ...] = (), fri: tuple[_Window, ...] | None = None) -> tuple[tuple[_Window, ...], ...]:
    friday = mon_fri if fri is None else fri
    return (mon_fri, mon_fri, mon_fri, mon_fri, friday, (), sun)


_US_EQUITY: Final = Venue(
    ZoneInfo("America/New_York"),
    regular=_days(((570, 960),)),
    trading=_days(((240, 1200),)),
)
_US_OPTIONS: Final = Venue(ZoneInfo("America/New_York"), regular=_days(((570, 960),)), trading=_days(((570, 960),)))
_CME: Final = Venue(
    ZoneInfo("America/Chicago"),
    regular=_days(((510, 900),)),
    trading=_days(((0, 960), (1020, 1440)), sun=((1020, 1440),), fri=((0, 960),)),
    close=960,
)
_IDEALPRO: Final = Venue(
    ZoneInfo("America/New_York"),
    regular=_days(((0, 1020), (1035, 1440)), sun=((1035, 1440),), fri=((0, 1020),)),
    trading=_days(((0, 1020), (1035, 1440)), sun=((1035, 1440),), fri=((0, 1020),)),
    close=1020,
)
_BY_SEC_TYPE: Final = {"STK": _US_EQUITY, "OPT": _US_OPTIONS, "FUT": _CME, "CASH": _IDEALPRO}


def venue_of(instrument: Instrument) -> Venue:
    """The sessions an instrument trades in."""
    return _BY_SEC_TYPE.get(instrument.sec_type, _US_EQUITY)


def _inside(windows: tuple[_Window, ...], minute: int) -> bool:
    return any(start <= minute < end for start, end in windows)


def phase(instrument: Instrument, epoch: float) -> Phase:
    """The phase of the instrument's trading day at ``epoch`` (seconds, UTC)."""
    venue = venue_of(instrument)
    local = _dt.datetime.fromtimestamp(epoch, venue.zone)
    minute = local.hour * 60 + local.minute
    day = local.weekday()
    if _inside(venue.regular[day], minute):
        return Phase.REGULAR
    if _inside(venue.trading[day], minute):
        return Phase.EXTENDED
    return Phase.CLOSED


def day_start(instrument: Instrument, epoch: float) -> float:
    """The last end of a trading day at or before ``epoch`` (seconds, UTC).

    A trading day ends at its venue's close, Monday to Friday: 16:00 New York for
    US stocks and options, 16:00 Chicago (17:00 New York) for CME futures, 17:00
    New York for IDEALPRO.  The daily P&L of a position counts from there.
    """
    venue = venue_of(instrument)
    local = _dt.datetime.fromtimestamp(epoch, venue.zone)
    day = local.date()
    while True:
        close = _dt.datetime.combine(day, _dt.time(venue.close // 60, venue.close % 60), venue.zone)
        if day.weekday() < 5 and close <= local:
            return close.timestamp()
        day -= _dt.timedelta(days=1)


def trading_hours(instrument: Instrument, start: _dt.date, days: int = 7, *, regular: bool) -> str:
    """IB's ``tradingHours``/``liquidHours`` text from ``start`` on, in the venue's zone.

    Consecutive windows across midnight are joined, as IB writes them
    (``20240310:1700-20240311:1600``); a day without trading is ``yyyymmdd:CLOSED``.
    """
    venue = venue_of(instrument)
    table = venue.regular if regular else venue.trading
    spans: list[list[_dt.datetime]] = []
    closed: list[_dt.date] = []
    for offset in range(days):
        day = start + _dt.timedelta(days=offset)
        windows = table[day.weekday()]
        if not windows:
            closed.append(day)
        for begin, end in windows:
            a = _dt.datetime.combine(day, _dt.time()) + _dt.timedelta(minutes=begin)
            b = _dt.datetime.combine(day, _dt.time()) + _dt.timedelta(minutes=end)
            if spans and spans[-1][1] == a:
                spans[-1][1] = b
            else:
                spans.append([a, b])
    parts = [(span[0].date(), f"{span[0]:%Y%m%d:%H%M}-{span[1]:%Y%m%d:%H%M}") for span in spans]
    parts += [(day, f"{day:%Y%m%d}:CLOSED") for day in closed]
    return ";".join(text for _, text in sorted(parts))
