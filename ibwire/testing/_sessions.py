"""Trading sessions of the simulator's venues, in each exchange's own time zone.

One table: for each kind of venue, the time zone, the regular (liquid) hours
and the whole trading window, per weekday; and, optionally, the NYSE's full-day
holidays for US stocks and options (:func:`nyse_holidays`, computed by the
exchange's rules for any year; early closes are not modelled).

* US equities and their options (``America/New_York``): regular 09:30-16:00,
  Monday to Friday; stocks also trade before (04:00-09:30) and after
  (16:00-20:00) the regular session, for orders marked ``outside_rth``.
* CME equity index futures (``America/Chicago``): Sunday 17:00 to Friday 16:00
  with a daily break 16:00-17:00; regular (liquid) hours 08:30-15:00.
* IDEALPRO currency pairs (``America/New_York``): Sunday 17:15 to Friday 17:00
  with a daily break 17:00-17:15; all of it counts as regular hours.
* PAXOS crypto currencies (``America/New_York``): around the clock, every day
  of the week, holidays included; a trading day is the calendar day.
"""

from __future__ import annotations

import datetime as _dt
import enum
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from ._universe import Instrument

__all__ = [
    "Phase", "Venue", "day_span", "day_start", "is_holiday", "last_close", "next_open", "nyse_holidays", "phase", "regular_close",
    "trading_days_back", "trading_hours", "venue_of", "windows",
]


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
        nyse_holidays: closed all day on the NYSE's holidays (when holidays are kept).
        weekends: trading days run on Saturdays and Sundays too (crypto).
    """

    zone: ZoneInfo
    regular: tuple[tuple[_Window, ...], ...]
    trading: tuple[tuple[_Window, ...], ...]
    close: int = 960
    nyse_holidays: bool = False
    weekends: bool = False


def _days(mon_fri: tuple[_Window, ...], *, sun: tuple[_Window, ...] = (), fri: tuple[_Window, ...] | None = None) -> tuple[tuple[_Window, ...], ...]:
    friday = mon_fri if fri is None else fri
    return (mon_fri, mon_fri, mon_fri, mon_fri, friday, (), sun)


_US_EQUITY: Final = Venue(
    ZoneInfo("America/New_York"),
    regular=_days(((570, 960),)),
    trading=_days(((240, 1200),)),
    nyse_holidays=True,
)
_US_OPTIONS: Final = Venue(
    ZoneInfo("America/New_York"), regular=_days(((570, 960),)), trading=_days(((570, 960),)), nyse_holidays=True,
)
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
_AROUND_THE_CLOCK: Final = ((0, 1440),)
_PAXOS: Final = Venue(
    ZoneInfo("America/New_York"), regular=(_AROUND_THE_CLOCK,) * 7, trading=(_AROUND_THE_CLOCK,) * 7,
    close=0, weekends=True,
)
_BY_SEC_TYPE: Final = {"STK": _US_EQUITY, "OPT": _US_OPTIONS, "FUT": _CME, "CASH": _IDEALPRO, "CRYPTO": _PAXOS}


def venue_of(instrument: Instrument) -> Venue:
    """The sessions an instrument trades in."""
    return _BY_SEC_TYPE.get(instrument.sec_type, _US_EQUITY)


def _inside(windows: tuple[_Window, ...], minute: int) -> bool:
    return any(start <= minute < end for start, end in windows)


def _local(day: _dt.date, minute: int, zone: ZoneInfo) -> float:
    """The epoch time of ``minute`` of ``day`` in ``zone`` (1440: the next midnight)."""
    return (_dt.datetime.combine(day, _dt.time(), zone) + _dt.timedelta(minutes=minute)).timestamp()


def _overnight(venue: Venue) -> bool:
    """Whether the venue trades through midnight (its trading day starts the evening before;
    not for a venue whose day ends at midnight)."""
    return venue.close != 0 and any(start == 0 for windows in venue.trading for start, _ in windows)


def _easter(year: int) -> _dt.date:
    """Easter Sunday (the Gregorian computus of Meeus, Jones and Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return _dt.date(year, month, day + 1)


def _nth(year: int, month: int, weekday: int, n: int) -> _dt.date:
    """The ``n``-th ``weekday`` of a month (``n`` = -1: the last)."""
    if n > 0:
        first = _dt.date(year, month, 1)
        return first + _dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = _dt.date(year + month // 12, month % 12 + 1, 1) - _dt.timedelta(days=1)
    return last - _dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: _dt.date) -> _dt.date:
    """A fixed-date holiday on a Saturday is kept on the Friday, on a Sunday on the Monday."""
    if day.weekday() == 5:
        return day - _dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + _dt.timedelta(days=1)
    return day


def nyse_holidays(year: int) -> frozenset[_dt.date]:
    """The NYSE's full-day holidays of ``year``, by the exchange's rules.

    New Year's Day, Martin Luther King Jr. Day (third Monday of January),
    Washington's Birthday (third Monday of February), Good Friday, Memorial Day
    (last Monday of May), Juneteenth (from 2022), Independence Day, Labor Day
    (first Monday of September), Thanksgiving (fourth Thursday of November) and
    Christmas.  A fixed-date holiday on a Saturday is kept on the Friday before,
    on a Sunday on the Monday after; but New Year's Day on a Saturday is not kept
    (NYSE rule 7.2: the Friday closes a year's books).
    """
    days = {
        _nth(year, 1, 0, 3), _nth(year, 2, 0, 3), _easter(year) - _dt.timedelta(days=2),
        _nth(year, 5, 0, -1), _observed(_dt.date(year, 7, 4)), _nth(year, 9, 0, 1),
        _nth(year, 11, 3, 4), _observed(_dt.date(year, 12, 25)),
    }
    new_year = _dt.date(year, 1, 1)
    if new_year.weekday() != 5:
        days.add(_observed(new_year))
    if year >= 2022:
        days.add(_observed(_dt.date(year, 6, 19)))
    return frozenset(days)


def is_holiday(instrument: Instrument, day: _dt.date) -> bool:
    """Whether the instrument's venue is closed all day on ``day`` for a holiday."""
    return venue_of(instrument).nyse_holidays and day in nyse_holidays(day.year)


def phase(instrument: Instrument, epoch: float, *, holidays: bool = False) -> Phase:
    """The phase of the instrument's trading day at ``epoch`` (seconds, UTC).

    With ``holidays``, a venue that keeps the NYSE's holidays is closed on them.
    """
    venue = venue_of(instrument)
    local = _dt.datetime.fromtimestamp(epoch, venue.zone)
    if holidays and venue.nyse_holidays and local.date() in nyse_holidays(local.year):
        return Phase.CLOSED
    minute = local.hour * 60 + local.minute
    day = local.weekday()
    if _inside(venue.regular[day], minute):
        return Phase.REGULAR
    if _inside(venue.trading[day], minute):
        return Phase.EXTENDED
    return Phase.CLOSED


def day_start(instrument: Instrument, epoch: float, *, holidays: bool = False) -> float:
    """The last end of a trading day at or before ``epoch`` (seconds, UTC); with
    ``holidays``, a holiday of the venue is not a trading day.

    A trading day ends at its venue's close, Monday to Friday: 16:00 New York for
    US stocks and options, 16:00 Chicago (17:00 New York) for CME futures, 17:00
    New York for IDEALPRO.  The daily P&L of a position counts from there.
    """
    return _last_close(venue_of(instrument), epoch, holidays)


def account_day_start(epoch: float, *, holidays: bool = False) -> float:
    """The last end of the account's trading day at or before ``epoch``: 16:00 New York,
    Monday to Friday (with ``holidays``, not on an NYSE holiday), when the US stock
    market closes.  ``PreviousDayEquityWithLoanValue`` is the value at that close.
    """
    return _last_close(_US_EQUITY, epoch, holidays)


def _last_close(venue: Venue, epoch: float, holidays: bool) -> float:
    local = _dt.datetime.fromtimestamp(epoch, venue.zone)
    day = local.date()
    while True:
        close = _dt.datetime.combine(day, _dt.time(venue.close // 60, venue.close % 60), venue.zone)
        if ((day.weekday() < 5 or venue.weekends) and close <= local
                and not (holidays and venue.nyse_holidays and day in nyse_holidays(day.year))):
            return close.timestamp()
        day -= _dt.timedelta(days=1)


def trading_days_back(
    instrument: Instrument, end: float, days: int, *, regular: bool = False, holidays: bool = False,
) -> float:
    """The start of the ``days``-th trading day back from ``end`` (``end``'s own day counts
    once one of its trading windows, a regular one with ``regular``, has begun before
    ``end``): the window of IB's ``"N D"`` historical duration.  So ``"1 D"`` ending at
    a day's first bar is the trading day before it.

    A trading day is a weekday (and, with ``holidays``, not one of the venue's
    holidays).  It starts at local midnight, or for a venue trading through the
    night (CME, IDEALPRO) at the previous day's close, where its evening session
    opens.
    """
    venue = venue_of(instrument)
    local = _dt.datetime.fromtimestamp(end, venue.zone)
    day = local.date()
    if _overnight(venue) and local.weekday() < 5 and local.hour * 60 + local.minute >= venue.close:
        day += _dt.timedelta(days=1)  # the evening session belongs to the next day
    if not windows(instrument, day_span(instrument, day)[0], end, regular=regular, holidays=holidays):
        # Nothing of the day has traded before ``end`` (``end`` at or before its open,
        # or in the break before its evening session): it has not begun.
        day -= _dt.timedelta(days=1)
    count = 0
    start = end
    while count < days:
        if (day.weekday() < 5 or venue.weekends) and not (holidays and is_holiday(instrument, day)):
            count += 1
            start = day_span(instrument, day)[0]
        day -= _dt.timedelta(days=1)
    return min(start, end)


def day_span(instrument: Instrument, day: _dt.date) -> tuple[float, float]:
    """The time (epoch seconds, end exclusive) of the instrument's trading day ``day``:
    the local day in its venue's zone, or for a venue trading through the night (CME,
    IDEALPRO) from the previous day's close to the day's close.  A daily bar of
    ``day`` covers it."""
    venue = venue_of(instrument)
    if _overnight(venue):
        return _local(day, venue.close - 1440, venue.zone), _local(day, venue.close, venue.zone)
    return _local(day, 0, venue.zone), _local(day, 1440, venue.zone)


def windows(
    instrument: Instrument, start: float, end: float, *, regular: bool, holidays: bool = False,
) -> list[tuple[float, float]]:
    """The venue's trading windows (the regular ones with ``regular``) within
    ``[start, end)``, clipped to it, in order, windows that touch joined; with
    ``holidays``, a holiday of the venue has none."""
    venue = venue_of(instrument)
    table = venue.regular if regular else venue.trading
    day = _dt.datetime.fromtimestamp(start, venue.zone).date()
    last = _dt.datetime.fromtimestamp(end, venue.zone).date()
    found: list[tuple[float, float]] = []
    while day <= last:
        if not (holidays and is_holiday(instrument, day)):
            for begin, finish in table[day.weekday()]:
                low, high = max(_local(day, begin, venue.zone), start), min(_local(day, finish, venue.zone), end)
                if low >= high:
                    continue
                if found and found[-1][1] == low:
                    found[-1] = (found[-1][0], high)
                else:
                    found.append((low, high))
        day += _dt.timedelta(days=1)
    return found


def next_open(instrument: Instrument, after: float, *, regular: bool, holidays: bool = False) -> float:
    """The first start of a trading window (a regular one with ``regular``) after
    ``after`` (epoch seconds): when an order held while its venue is closed to it
    goes to the exchange.  ``after`` itself when a window is open then."""
    found = windows(instrument, after, after + 8 * 86400, regular=regular, holidays=holidays)
    return found[0][0] if found else after


def last_close(instrument: Instrument, before: float, *, holidays: bool = False) -> float:
    """The end of the last trading window (extended hours included) at or before
    ``before`` (epoch seconds): the close whose quote frozen market data shows.
    ``before`` itself when a window is open then."""
    found = windows(instrument, before - 8 * 86400, before, regular=False, holidays=holidays)
    return found[-1][1] if found else before


def regular_close(instrument: Instrument, after: float, *, holidays: bool = False) -> float:
    """The first end of a regular session after ``after`` (epoch seconds): the close
    whose price market-on-close and limit-on-close orders execute at.  16:00 New
    York for US stocks, 15:00 Chicago for CME futures; weekends (and, with
    ``holidays``, the venue's holidays) have none."""
    venue = venue_of(instrument)
    day = _dt.datetime.fromtimestamp(after, venue.zone).date()
    while True:
        sessions = venue.regular[day.weekday()]
        if sessions and not (holidays and is_holiday(instrument, day)):
            close = _local(day, sessions[-1][1], venue.zone)
            if close > after:
                return close
        day += _dt.timedelta(days=1)


def trading_hours(
    instrument: Instrument, start: _dt.date, days: int = 7, *, regular: bool, holidays: bool = False,
) -> str:
    """IB's ``tradingHours``/``liquidHours`` text from ``start`` on, in the venue's zone.

    Consecutive windows across midnight are joined, as IB writes them
    (``20240310:1700-20240311:1600``); a day without trading is ``yyyymmdd:CLOSED`` (so is a holiday, with ``holidays``).
    """
    venue = venue_of(instrument)
    table = venue.regular if regular else venue.trading
    spans: list[list[_dt.datetime]] = []
    closed: list[_dt.date] = []
    for offset in range(days):
        day = start + _dt.timedelta(days=offset)
        windows = () if holidays and is_holiday(instrument, day) else table[day.weekday()]
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
