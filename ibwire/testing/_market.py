"""The simulator's prices: a deterministic random walk, quotes, and historical bars.

Every price is a function of the seed, the instrument and the time:

* a slow *base* curve (a month-long and a day-long wave around the starting
  price), the same for history and live data, so that live quotes continue the
  bars a client just downloaded;
* for live quotes, a mean-reverting random walk on top of it, stepped every
  :data:`STEP` seconds of simulated time by a generator seeded from
  ``(seed, con_id)``;
* for a historical bar, noise drawn from a generator seeded from
  ``(seed, con_id, bar size, bar start)``, so the same bar is always the same.

Also here: the validation of historical data requests (bar sizes, durations,
what-to-show values, IB's step-size rule) with the texts of IB's errors.
"""

from __future__ import annotations

import datetime
import math
import random
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from ..bars import BAR_SIZES, bar_seconds, bar_time
from ..messages import BarData
from ._options import option_price
from ._sessions import Phase, is_holiday, phase, trading_days_back
from ._universe import Instrument, Universe

__all__ = [
    "BAR_SIZES",
    "BOOK_ROWS",
    "Book",
    "Level",
    "STEP",
    "WHAT_TO_SHOW",
    "HistoryRequest",
    "Quote",
    "Walks",
    "format_time",
    "grid_point",
    "historical_quote",
    "history_bars",
    "parse_duration",
    "parse_end",
    "validate_history",
]

#: Seconds of simulated time between two steps of the live random walk.
STEP: Final = 0.25

#: What-to-show values IB knows; those the simulator can produce bars for are
#: in :data:`_PRODUCED`.
WHAT_TO_SHOW: Final = frozenset({
    "TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK", "ADJUSTED_LAST", "HISTORICAL_VOLATILITY",
    "OPTION_IMPLIED_VOLATILITY", "REBATE_RATE", "FEE_RATE", "YIELD_BID", "YIELD_ASK",
    "YIELD_BID_ASK", "YIELD_LAST", "SCHEDULE", "AGGTRADES",
})
_PRODUCED: Final = frozenset({
    "TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK", "ADJUSTED_LAST", "HISTORICAL_VOLATILITY",
    "OPTION_IMPLIED_VOLATILITY",
})
# Which what-to-show values exist for which security types.
_BY_SEC_TYPE: Final[dict[str, frozenset[str]]] = {
    "STK": frozenset(_PRODUCED),
    "FUT": frozenset({"TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK"}),
    "OPT": frozenset({"TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK"}),
    "CASH": frozenset({"MIDPOINT", "BID", "ASK", "BID_ASK"}),
}
_DURATION_RE: Final = re.compile(r"^(\d+) ([SDWMY])$")
_DURATION_UNITS: Final = {"S": 1, "D": 86400, "W": 604800, "M": 2592000, "Y": 31536000}
# The limits real Gateways apply: (longest duration in seconds, smallest bar in seconds).
# IB's step-size table guarantees less (one day of 1-minute bars, a week of 3-minute
# bars); Gateways serve a week of 1-minute bars in one request, and so does this.
# Pacing (``_history_paced``) still applies to every request.
_STEP_RULE: Final = (
    (1800, 1), (3600, 5), (14400, 10), (28800, 30), (604800, 60), (2592000, 1800),
)
_MAX_BARS: Final = 100_000
_VALIDATION: Final = "Error validating request.-'bP' : cause - "


def format_time(epoch: float, *, date_only: bool = False) -> str:
    """IB's ``yyyymmdd hh:mm:ss`` text of an epoch time, in UTC (``yyyymmdd`` for days)."""
    parts = time.gmtime(epoch)
    if date_only:
        return time.strftime("%Y%m%d", parts)
    return time.strftime("%Y%m%d %H:%M:%S", parts) + " UTC"


def parse_duration(text: str) -> int | None:
    """Seconds of a duration such as ``"1 D"`` or ``"3600 S"``, or ``None`` if invalid."""
    match = _DURATION_RE.match(text.strip())
    if match is None or int(match.group(1)) <= 0:
        return None
    return int(match.group(1)) * _DURATION_UNITS[match.group(2)]


def parse_end(text: str, now: float) -> float | None:
    """The epoch time of an ``endDateTime`` (empty: now), or ``None`` if invalid.

    Read as a bar date is (:func:`ibwire.bars.bar_time`): ``yyyymmdd hh:mm:ss``
    with a time zone word (without one, UTC), ``yyyymmdd-hh:mm:ss`` (UTC) and
    ``yyyymmdd``.
    """
    text = text.strip()
    if not text:
        return now
    try:
        return float(bar_time(text))
    except ValueError:
        return None


def bar_size_seconds(bar_size: str) -> int | None:
    """Seconds in a bar size setting, or ``None`` for one IB does not accept."""
    try:
        return bar_seconds(bar_size)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Quote:
    """A top-of-book quote.

    Attributes:
        bid: the bid price.
        ask: the ask price.
        last: the last trade price.
        bid_size: the bid size.
        ask_size: the ask size.
        last_size: the last trade size.
    """

    bid: float
    ask: float
    last: float
    bid_size: Decimal
    ask_size: Decimal
    last_size: Decimal


@dataclass(frozen=True, slots=True)
class Level:
    """One displayed price level.

    Attributes:
        price: the price.
        size: the displayed size.
    """

    price: float
    size: Decimal


@dataclass(frozen=True, slots=True)
class Book:
    """The displayed book: bids best first (descending), asks best first (ascending)."""

    bids: tuple[Level, ...]
    asks: tuple[Level, ...]


#: Price levels per side of the displayed book.
BOOK_ROWS: Final = 10


def _lot(instrument: Instrument) -> int:
    return {"STK": 100, "CASH": 100000}.get(instrument.sec_type, 1)


def grid_point(now: float, grid: float) -> float:
    """The last multiple of ``grid`` at or before ``now`` (robust to float rounding)."""
    if grid <= 0:
        return now
    return math.floor(now / grid + 1e-9) * grid


def _round_tick(price: float, tick: float) -> float:
    ticks = round(price / tick)
    digits = max(0, -int(math.floor(math.log10(tick))) + 1)
    return round(max(ticks, 1) * tick, digits)


def _base(instrument: Instrument, t: float) -> float:
    month = 30 * 86400.0
    phase = (instrument.con_id % 97) / 97 * 2 * math.pi
    return instrument.price * (
        1 + 0.06 * math.sin(2 * math.pi * t / month + phase) + 0.01 * math.sin(2 * math.pi * t / 86400 + phase)
    )


class Walks:
    """The live random walks of every instrument (advanced lazily, deterministic).

    Prices change only on a grid of times (``grid`` seconds apart, from the epoch):
    the price at any moment is the price at the last grid point.  The simulator
    publishes quotes on that grid, so whatever reads a price between two
    publications (a fill, a mark) reads one that was published.

    Args:
        seed: the simulator's seed.
        universe: the instruments.
        grid: seconds between two price changes (the simulator's tick interval).
    """

    def __init__(self, seed: int, universe: Universe, grid: float = STEP) -> None:
        self.seed = seed
        self.universe = universe
        self.grid = grid
        self._state: dict[int, tuple[int, float, random.Random]] = {}
        self.volume: dict[int, int] = {}
        self._counted: dict[int, float] = {}

    def _offset(self, instrument: Instrument, now: float) -> float:
        step = int(now // STEP)
        state = self._state.get(instrument.con_id)
        if state is None:
            rng = random.Random(f"{self.seed}|walk|{instrument.con_id}")
            state = (step, 0.0, rng)
        last, x, rng = state
        sigma = instrument.volatility / math.sqrt(252 * 6.5 * 3600 / STEP) * 3
        gap = step - last
        if gap > 2000:
            # A clock jump of hours: one draw stands for the whole gap.
            x = x * 0.5 + rng.gauss(0.0, sigma * 20)
        else:
            for _ in range(max(gap, 0)):
                x = x * 0.999 + rng.gauss(0.0, sigma)
        x = max(min(x, 0.05), -0.05)
        self._state[instrument.con_id] = (max(step, last), x, rng)
        return x

    def at(self, now: float) -> float:
        """The grid point of ``now``: the moment whose prices hold at ``now``."""
        return grid_point(now, self.grid)

    def drawn(self, now: float) -> float:
        """When the prices and books that hold at ``now`` were drawn (they change
        at most once a ``STEP``, however fine the grid)."""
        return float(int(self.at(now) // STEP) * STEP)

    def mid(self, instrument: Instrument, now: float) -> float:
        """The instrument's mid price at ``now``."""
        now = self.at(now)
        underlying = self.universe.underlying(instrument)
        if underlying is not None:
            spot = self.mid(underlying, now)
            contract = instrument.contract
            years = self.universe.years_to_expiry(instrument, _date(now))
            return max(option_price(spot, contract.strike or 0.0, years, contract.right), instrument.min_tick)
        return _base(instrument, now) * math.exp(self._offset(instrument, now))

    def quote(self, instrument: Instrument, now: float) -> Quote:
        """The instrument's quote at ``now``."""
        now = self.at(now)
        tick = instrument.min_tick
        mid = self.mid(instrument, now)
        spread = max(tick, _round_tick(mid * 0.0002, tick)) if instrument.sec_type != "OPT" else max(
            tick * 2, _round_tick(mid * 0.02, tick)
        )
        bid = _round_tick(mid - spread / 2, tick)
        ask = _round_tick(bid + spread, tick)
        step = int(now // STEP)
        rng = random.Random(f"{self.seed}|size|{instrument.con_id}|{step}")
        lot = _lot(instrument)
        bid_size = Decimal(rng.randint(1, 40) * lot)
        ask_size = Decimal(rng.randint(1, 40) * lot)
        last_size = Decimal(rng.randint(1, 10) * lot)
        last = bid if rng.random() < 0.5 else ask
        return Quote(bid, ask, last, bid_size, ask_size, last_size)

    def book(self, instrument: Instrument, now: float, rows: int = BOOK_ROWS) -> Book:
        """The displayed order book at ``now``: its top is :meth:`quote`.

        Levels are one tick apart; ``rows`` of them per side, except that now
        and then the last one is missing (so that a depth feed inserts and
        deletes rows).
        """
        now = self.at(now)
        quote = self.quote(instrument, now)
        tick = instrument.min_tick
        step = int(now // STEP)
        rng = random.Random(f"{self.seed}|book|{instrument.con_id}|{step}")
        lot = _lot(instrument)

        def side(best: float, size: Decimal, sign: int) -> tuple[Level, ...]:
            # Now and then a level is missing: a depth feed then deletes and re-inserts it.
            count = rows - 1 if rows > 1 and rng.random() < 0.125 else rows
            levels = [Level(best, size)]
            for k in range(1, count):
                price = _round_tick(best + sign * k * tick, tick)
                if sign < 0 and price >= levels[-1].price:
                    break  # the bids reached the smallest price
                levels.append(Level(price, Decimal(rng.randint(1, 40) * lot)))
            return tuple(levels)

        return Book(side(quote.bid, quote.bid_size, -1), side(quote.ask, quote.ask_size, 1))

    def add_volume(self, instrument: Instrument, size: Decimal, now: float) -> int:
        """Count the last trade of ``now``'s price step into the day's volume, once
        however many streams publish it; returns the volume."""
        at = self.drawn(now)
        if self._counted.get(instrument.con_id) == at:
            return self.volume.get(instrument.con_id, 0)
        self._counted[instrument.con_id] = at
        volume = self.volume.get(instrument.con_id, 0) + int(size)
        self.volume[instrument.con_id] = volume
        return volume


def historical_quote(seed: int, instrument: Instrument, t: int) -> Quote:
    """The quote of second ``t`` of the past (the base curve the bars use, plus noise
    seeded by the second), for historical ticks: the same second always gives the
    same quote."""
    rng = random.Random(f"{seed}|hist-tick|{instrument.con_id}|{t}")
    tick = instrument.min_tick
    mid = _base(instrument, float(t)) * (1 + rng.gauss(0.0, 0.0005))
    spread = max(tick, _round_tick(mid * 0.0002, tick))
    bid = _round_tick(mid - spread / 2, tick)
    ask = _round_tick(bid + spread, tick)
    lot = _lot(instrument)
    return Quote(
        bid, ask, bid if rng.random() < 0.5 else ask,
        Decimal(rng.randint(1, 40) * lot), Decimal(rng.randint(1, 40) * lot), Decimal(rng.randint(1, 10) * lot),
    )


def _date(now: float) -> datetime.date:
    return datetime.datetime.fromtimestamp(now, datetime.timezone.utc).date()


@dataclass(frozen=True, slots=True)
class HistoryRequest:
    """The parts of a historical data request the simulator checks.

    Attributes:
        instrument: the resolved instrument.
        end: the end time (epoch seconds).
        duration: the duration text.
        bar_size: the bar size text.
        what_to_show: the what-to-show value.
        use_rth: regular trading hours only.
        format_date: 1 for text dates, 2 for epoch seconds.
        keep_up_to_date: stream updates of the last bar.
        end_text: the end date text as sent.
        sessions: leave out the times the venue is closed (nights, weekends,
            breaks) even without ``use_rth``.
        holidays: leave out the venue's holidays as well (intraday and daily bars).
    """

    instrument: Instrument
    end: float
    duration: str
    bar_size: str
    what_to_show: str
    use_rth: bool
    format_date: int
    keep_up_to_date: bool
    end_text: str
    sessions: bool = False
    holidays: bool = False


def validate_history(request: HistoryRequest) -> tuple[int, str] | None:
    """IB's error for an invalid historical request (code, text), or ``None``."""
    what = request.what_to_show.upper()
    if bar_size_seconds(request.bar_size) is None:
        return 321, _VALIDATION + f"Historical data bar size setting is invalid. Legal ones are: {', '.join(BAR_SIZES)}"
    seconds = parse_duration(request.duration)
    if seconds is None:
        return 321, _VALIDATION + "Historical data request duration format is invalid."
    if what not in WHAT_TO_SHOW:
        return 321, _VALIDATION + f"Historical data query what to show is invalid: {request.what_to_show}"
    if request.keep_up_to_date and request.end_text.strip():
        return 321, _VALIDATION + "End date not supported with live updates"
    if what == "ADJUSTED_LAST" and request.end_text.strip():
        return 321, _VALIDATION + "End date not supported with adjusted last"
    instrument = request.instrument
    allowed = _BY_SEC_TYPE.get(instrument.sec_type, frozenset())
    if what not in allowed:
        exchange = instrument.contract.primary_exchange or instrument.contract.exchange
        return 162, (
            "Historical Market Data Service error message:No data of type "
            f"{what} is available for the exchange '{exchange}' and the security type "
            f"'{instrument.sec_type}' and '{request.duration}' and '{request.bar_size}'"
        )
    bar = bar_seconds(request.bar_size)
    smallest = 86400
    for longest, minimum in _STEP_RULE:
        if seconds <= longest:
            smallest = minimum
            break
    if bar < smallest or seconds // bar > _MAX_BARS:
        return 162, "Historical Market Data Service error message:Time length exceed max."
    return None


def history_bars(seed: int, request: HistoryRequest) -> tuple[list[BarData], float, float]:
    """The bars of a valid request, and the start and end times of the window.

    Bars are aligned to their size (days on UTC midnight, weeks on Mondays); for
    stocks and options, daily bars skip weekends.  With ``use_rth``, intraday bars
    exist only in the regular hours (``_sessions``: US equities 09:30-16:00 New York,
    weekdays); with ``sessions``, only while the venue trades; otherwise at any time.
    A bar partly in those hours is kept (the 09:00 hourly bar of a stock).
    """
    bar = bar_seconds(request.bar_size)
    seconds = parse_duration(request.duration) or bar
    end = request.end
    start = end - seconds
    match = _DURATION_RE.match(request.duration.strip())
    if match is not None and match.group(2) == "D" and bar <= 86400 and (request.use_rth or request.sessions):
        # IB counts "N D" in trading days: five days of bars end to end, weekends aside
        # (without sessions or use_rth the venue never closes: every day trades).
        start = trading_days_back(
            request.instrument, end, int(match.group(1)), regular=request.use_rth, holidays=request.holidays,
        )
    first = math.floor(start / bar) * bar
    if bar == 604800:
        # Weeks start on Monday; the epoch began on a Thursday.
        first = math.floor((start - 4 * 86400) / bar) * bar + 4 * 86400
    instrument = request.instrument
    what = request.what_to_show.upper()
    daily = bar >= 86400
    weekday_only = instrument.sec_type in ("STK", "OPT") and bar == 86400
    bars: list[BarData] = []
    t = float(first)
    while t < end and len(bars) < _MAX_BARS:
        if weekday_only and time.gmtime(t).tm_wday >= 5:
            t += bar
            continue
        if request.holidays and bar == 86400 and is_holiday(instrument, datetime.datetime.fromtimestamp(t, datetime.timezone.utc).date()):
            t += bar
            continue
        if not daily and (request.use_rth or request.sessions):
            # With use_rth, intraday bars exist in the regular hours only; with sessions,
            # whenever the venue trades: a bar that is partly in them is kept (sessions
            # open and close on quarter hours).
            step = math.gcd(int(bar), 900)
            moments = {phase(instrument, t + k, holidays=request.holidays) for k in range(0, int(bar), step)}
            if moments <= {Phase.CLOSED} or (request.use_rth and Phase.REGULAR not in moments):
                t += bar
                continue
        if t + bar > start:
            bars.append(_bar(seed, instrument, what, bar, t, daily, request.format_date))
        t += bar
    return bars, start, end


def day_bars(seed: int, instrument: Instrument, now: float) -> tuple[BarData, BarData]:
    """The daily TRADES bars of the last trading day before ``now``'s and of ``now``'s
    (days on UTC midnight; stocks and options skip weekends), as history serves them."""
    today = math.floor(now / 86400) * 86400
    before = today - 86400
    while instrument.sec_type in ("STK", "OPT") and time.gmtime(before).tm_wday >= 5:
        before -= 86400
    return (_bar(seed, instrument, "TRADES", 86400, before, True, 1),
            _bar(seed, instrument, "TRADES", 86400, today, True, 1))


def _bar(seed: int, instrument: Instrument, what: str, size: int, t: float, daily: bool, format_date: int) -> BarData:
    rng = random.Random(f"{seed}|bar|{instrument.con_id}|{size}|{int(t)}")
    tick = instrument.min_tick
    open_ = _base(instrument, t) * (1 + rng.gauss(0, 0.001))
    close = _base(instrument, t + size) * (1 + rng.gauss(0, 0.001))
    high = max(open_, close) * (1 + abs(rng.gauss(0, 0.002)))
    low = min(open_, close) * (1 - abs(rng.gauss(0, 0.002)))
    half = tick if instrument.sec_type != "OPT" else tick * 2
    shift = {"BID": -half, "ASK": half}.get(what, 0.0)
    values = [_round_tick(v + shift, tick) for v in (open_, high, low, close)]
    if what == "BID_ASK":
        # IB's BID_ASK bars: time-average bid, max ask, min bid, time-average ask.
        values = [_round_tick(open_ - half, tick), _round_tick(high + half, tick),
                  _round_tick(low - half, tick), _round_tick(close + half, tick)]
    if what in ("HISTORICAL_VOLATILITY", "OPTION_IMPLIED_VOLATILITY"):
        vol = instrument.volatility * (1 + rng.gauss(0, 0.05))
        values = [round(vol, 6)] * 4
    o, h, low_, c = values
    h = max(h, o, c, low_)
    low_ = min(low_, o, c, h)
    if what in ("TRADES", "ADJUSTED_LAST"):
        scale = {"STK": 100, "FUT": 1, "OPT": 1}.get(instrument.sec_type, 1)
        volume: Decimal | None = Decimal(rng.randint(1, 500) * max(size // 60, 1) * scale)
        count = rng.randint(1, 200) * max(size // 60, 1)
        wap: Decimal | None = Decimal(str(_round_tick((o + h + low_ + c) / 4, tick)))
    else:
        volume, wap, count = Decimal(-1), Decimal(-1), -1
    if format_date == 2 and not daily:
        date = str(int(t))
    else:
        date = format_time(t, date_only=daily)
    return BarData(date=date, open=o, high=h, low=low_, close=c, volume=volume, wap=wap, bar_count=count)
