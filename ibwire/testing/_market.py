"""The simulator's prices: quotes, the displayed book and historical bars, all read off one path.

Every instrument has one price path (``_path``): a trade price and a trading
activity for every second, a function of the seed, the instrument and the time.
Live quotes read the second the clock is in; historical bars, real-time bars,
the bar a ``keepUpToDate`` request updates, the day's high, low, open, close and
volume ticks and historical ticks aggregate the same seconds.  So a bar of any
size is the aggregation of the smaller bars in it, a daily bar the aggregation of
its intraday bars, and the live quote the close of the bar in progress.

The bid and the ask are the trade price less and plus a half spread, which
depends on the price alone: BID, ASK and MIDPOINT bars are the TRADES bars'
prices moved so (``bid <= midpoint <= ask``).  An option's trade price is the
model price (``_options``) of its underlying's.

Also here: the validation of historical data requests (bar sizes, durations,
what-to-show values, IB's step-size rule) with the texts of IB's errors.
"""

from __future__ import annotations

import bisect
import calendar
import datetime
import math
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from ..bars import BAR_SIZES, WHAT_TO_SHOW, bar_seconds, bar_time
from ..messages import BarData
from ._options import MODEL_VOL, option_price
from ._path import DAY, Activity, Path, Prices, PriceSource, Span, merge
from ._sessions import Phase, day_span, is_holiday, phase, trading_days_back, windows
from ._universe import Instrument, Universe

__all__ = [
    "AGGTRADES_ONLY",
    "BAR_SIZES",
    "BOOK_ROWS",
    "Book",
    "Level",
    "STEP",
    "WHAT_TO_SHOW",
    "HistoryRequest",
    "Quote",
    "Walks",
    "day_bars",
    "format_time",
    "grid_point",
    "history_bars",
    "parse_duration",
    "parse_end",
    "validate_history",
]

#: Seconds of simulated time between two draws of the quote sizes and the book.
STEP: Final = 0.25

# What-to-show values IB knows are ibwire.bars.WHAT_TO_SHOW; those the simulator
# can produce bars for are in _PRODUCED.
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
    # IB serves a crypto's trades as AGGTRADES and refuses TRADES (error 10299).
    "CRYPTO": frozenset({"AGGTRADES", "MIDPOINT", "BID", "ASK", "BID_ASK"}),
}
#: IB's answer (error 10299) to TRADES for a crypto: its trades are AGGTRADES.
AGGTRADES_ONLY: Final = "Expected what to show is AGGTRADES, please use that instead of TRADES."
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
_MONTH: Final = 2592000  # the "1 month" bar size
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


#: Trading activity by security type: trades on an average day, and the lots a
#: trade averages beyond its first.
_ACTIVITY: Final[dict[str, tuple[int, float]]] = {
    "STK": (150_000, 1.0), "FUT": (300_000, 4.0), "OPT": (600, 3.0), "CASH": (200_000, 5.0),
    "CRYPTO": (100_000, 2.0),
}
#: The share of a day's moves and trades an hour gets, by where its middle falls in the session.
_HOURLY: Final = {Phase.REGULAR: 1.0, Phase.EXTENDED: 0.15, Phase.CLOSED: 0.02}


def grid_point(now: float, grid: float) -> float:
    """The last multiple of ``grid`` at or before ``now`` (robust to float rounding)."""
    if grid <= 0:
        return now
    return math.floor(now / grid + 1e-9) * grid


def _round_tick(price: float, tick: float) -> float:
    ticks = round(price / tick)
    digits = max(0, -int(math.floor(math.log10(tick))) + 1)
    return round(max(ticks, 1) * tick, digits)


def _price(instrument: Instrument, ticks: float) -> float:
    """The price of a number of ticks (a half tick for a midpoint)."""
    return round(ticks * instrument.min_tick, 8)


def _half_spread(instrument: Instrument, last: int) -> int:
    """Ticks from the trade price to the bid and to the ask: about 1 basis point of the
    instrument's starting price (at least a tick), and 1% of an option's price."""
    if instrument.sec_type == "OPT":
        return max(1, round(last * 0.01))
    return max(1, round(instrument.price * 0.0001 / instrument.min_tick))


def _bid(instrument: Instrument, last: int) -> float:
    """The bid (ticks) when the trade price is ``last``; it never falls as ``last`` rises."""
    return float(max(last - _half_spread(instrument, last), 1))


def _ask(instrument: Instrument, last: int) -> float:
    """The ask (ticks) when the trade price is ``last``."""
    return float(last + _half_spread(instrument, last))


def _mid(instrument: Instrument, last: int) -> float:
    """The midpoint (ticks) when the trade price is ``last``."""
    return (_bid(instrument, last) + _ask(instrument, last)) / 2


def _trade(instrument: Instrument, last: int) -> float:
    return float(last)


#: What-to-show value -> the price (ticks) a bar shows for a trade price.
_SHOWN: Final[dict[str, Callable[[Instrument, int], float]]] = {
    "TRADES": _trade, "ADJUSTED_LAST": _trade, "AGGTRADES": _trade, "MIDPOINT": _mid, "BID": _bid, "ASK": _ask,
}


class _OptionPrices:
    """An option's prices: the model price of its underlying's, node by node.

    Within a UTC day the time to expiry is fixed (it counts whole days), so the
    model price of every moment of a node rises with the underlying's (a call) or
    falls (a put): a call's high is the model price of its underlying's high, a
    put's of its underlying's low.
    """

    def __init__(self, option: Instrument, underlying: Instrument, prices: PriceSource,
                 years: Callable[[datetime.date], float]) -> None:
        self.option = option
        self.underlying = underlying
        self.prices = prices
        self.years = years

    def node(self, size: int, index: int) -> tuple[int, int, int, int]:
        """The node of ``size`` seconds (a day or less) starting at ``index * size``."""
        o, h, low, c = self.prices.node(size, index)
        contract = self.option.contract
        years = self.years(_date(float(index * size)))
        spot_tick, tick = self.underlying.min_tick, self.option.min_tick

        def model(ticks: int) -> int:
            value = option_price(ticks * spot_tick, contract.strike or 0.0, years, contract.right)
            return max(round(value / tick), 1)

        if contract.right == "P":
            return model(o), model(low), model(h), model(c)
        return model(o), model(h), model(low), model(c)


class Walks:
    """The prices of every instrument, read off their paths.

    What a price is never depends on what was read before.  Prices change only on a grid of times (``grid`` seconds apart, from the epoch):
    the price at any moment is the price at the last grid point, the trade price
    of the path's second before it.  The simulator publishes quotes on that grid,
    so whatever reads a price between two publications (a fill, a mark) reads one
    that was published; a history request ends at the grid point too, so its last
    bar closes at the price last published.

    Args:
        seed: the simulator's seed.
        universe: the instruments.
        grid: seconds between two price changes (the simulator's tick interval).
    """

    def __init__(self, seed: int, universe: Universe, grid: float = STEP) -> None:
        self.seed = seed
        self.universe = universe
        self.grid = grid
        self._paths: dict[int, Path] = {}

    def path(self, instrument: Instrument) -> Path:
        """The instrument's path."""
        path = self._paths.get(instrument.con_id)
        if path is None:
            key = f"{self.seed}|{instrument.series or instrument.con_id}"
            trades, lots = _ACTIVITY.get(instrument.sec_type, (0, 0.0))

            def hourly(t: int) -> float:
                return _HOURLY[phase(instrument, t + 1800.0)]

            activity = Activity(key, trades, lots, hourly)
            underlying = self.universe.underlying(instrument)
            prices: PriceSource
            if underlying is not None:
                prices = _OptionPrices(instrument, underlying, self.path(underlying).prices,
                                       lambda day: self.universe.years_to_expiry(instrument, day))
            else:
                start = round(instrument.price / instrument.min_tick)
                prices = Prices(key, start, _half_spread(instrument, start) + 1, instrument.volatility, hourly)
            path = self._paths[instrument.con_id] = Path(prices, activity)
        return path

    def at(self, now: float) -> float:
        """The grid point of ``now``: the moment whose prices hold at ``now``."""
        return grid_point(now, self.grid)

    def drawn(self, now: float) -> float:
        """When the quote sizes and the book that hold at ``now`` were drawn (they change
        at most once a ``STEP``, however fine the grid)."""
        return float(int(self.at(now) // STEP) * STEP)

    def second(self, now: float) -> int:
        """The path's second whose price holds at ``now``: the last one to begin
        before the grid point of ``now``."""
        return math.ceil(self.at(now) - 1e-6) - 1

    def mid(self, instrument: Instrument, now: float) -> float:
        """The instrument's mid price at ``now``."""
        return _price(instrument, _mid(instrument, self.path(instrument).second(self.second(now)).close))

    def close_price(self, instrument: Instrument, at: float) -> float:
        """The last trade price before ``at`` (a session's close: its closing price)."""
        return _price(instrument, self.path(instrument).second(math.ceil(at - 1e-6) - 1).close)

    def quote(self, instrument: Instrument, now: float) -> Quote:
        """The instrument's quote at ``now``."""
        return self._quote(instrument, self.second(now), int(self.at(now) // STEP))

    def historical_quote(self, instrument: Instrument, second: int) -> Quote:
        """The quote of the path's second ``second`` (historical ticks)."""
        return self._quote(instrument, second, int(second // STEP))

    def _quote(self, instrument: Instrument, second: int, step: int) -> Quote:
        point = self.path(instrument).second(second)
        last = point.close
        rng = random.Random(f"{self.seed}|size|{instrument.con_id}|{step}")
        lot = _lot(instrument)
        return Quote(
            _price(instrument, _bid(instrument, last)), _price(instrument, _ask(instrument, last)),
            _price(instrument, last), Decimal(rng.randint(1, 40) * lot), Decimal(rng.randint(1, 40) * lot),
            # The second's last trade: its lots beyond one a trade.
            Decimal(max(point.volume - point.trades + 1, 1) * lot),
        )

    def implied_volatility(self, instrument: Instrument) -> float:
        """The implied volatility quoted for an instrument: the option model's for one
        with options, else its own volatility."""
        has_options = any(True for _ in self.universe.options_of(instrument))
        return MODEL_VOL if has_options else instrument.volatility

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
        now: the simulator's clock (the grid point its prices were last published
            at): a bar holds the seconds that began before it, so the bar in
            progress is the part so far; every other bar is whole, whatever the end.
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
    now: float = math.inf


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
    if what == "TRADES" and instrument.sec_type == "CRYPTO":
        return 10299, AGGTRADES_ONLY
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


def history_bars(walks: Walks, request: HistoryRequest) -> tuple[list[BarData], float, float]:
    """The bars of a valid request, and the start and end times of the window.

    Bars are aligned to their size (days on UTC midnight, weeks on Mondays, months
    on the first of the calendar month); for
    stocks and options, daily bars skip weekends.  A bar aggregates the path's
    seconds in it that fall in the request's hours and not before the instrument's
    head timestamp (the earliest data ``reqHeadTimestamp`` names): with ``use_rth`` the regular
    hours (``_sessions``: US equities 09:30-16:00 New York, weekdays), with
    ``sessions`` the hours the venue trades, otherwise every second; a bar with
    none is left out, and one partly in those hours holds that part (the 09:00
    hourly bar of a stock with ``use_rth`` opens at 09:30).  A daily bar is its
    trading day (``_sessions.day_span``) within those hours, a weekly or monthly
    bar the days in it.  The bar in progress at the request's ``now`` holds the
    seconds so far.
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
    elif bar == _MONTH:
        # Months are calendar months, dated on their first day.
        first = _month_start(int(start), 0)
    instrument = request.instrument
    what = request.what_to_show.upper()
    daily = bar >= 86400
    # Nothing before the instrument's head timestamp (reqHeadTimestamp), nothing past the
    # clock, nothing past the last bar's trading day either.
    head = math.ceil(parse_end(instrument.head_timestamp, 0.0) or 0.0)
    hours = _Hours(walks.path(instrument), request, max(first - DAY, head),
                   math.ceil(min(request.now, end + bar + DAY) - 1e-6))
    bars: list[BarData] = []
    t = first
    while t < end and len(bars) < _MAX_BARS:
        # A bar in the window: a daily bar by its trading day (a futures day ends at its close).
        following = _month_start(t, 1) if bar == _MONTH else t + bar
        if (day_span(instrument, _date(float(t)))[1] if bar == DAY else following) > start:
            if bar < DAY:
                span = hours.span(t, t + bar)
            else:
                days = [d for d in map(hours.day, range(t, following, DAY)) if d is not None]
                span = merge(days) if days else None
            if span is not None:
                date = str(t) if request.format_date == 2 and not daily else format_time(t, date_only=daily)
                bars.append(_bar_data(walks, instrument, what, span, date))
        t = following
    return bars, start, end


def _month_start(epoch: int, months: int) -> int:
    """The first second of the calendar month ``months`` after the one holding ``epoch`` (UTC)."""
    day = _date(float(epoch))
    index = day.year * 12 + day.month - 1 + months
    return calendar.timegm((index // 12, index % 12 + 1, 1, 0, 0, 0, 0, 0, 0))


class _Hours:
    """The path within a request's hours, up to its end.

    Args:
        path: the instrument's path.
        request: the request (its hours: ``use_rth``, ``sessions``, ``holidays``).
        start: the earliest second asked for.
        cut: the first second past the request's end.
    """

    def __init__(self, path: Path, request: HistoryRequest, start: int, cut: int) -> None:
        self.path = path
        self.request = request
        self.cut = cut
        instrument = request.instrument
        if request.use_rth or request.sessions:
            found = windows(instrument, start, cut, regular=request.use_rth, holidays=request.holidays)
            self.windows = [(int(a), int(b)) for a, b in found]
        else:
            self.windows = [(start, cut)]
        self._starts = [a for a, _ in self.windows]

    def span(self, start: int, end: int) -> Span | None:
        """The seconds of ``[start, end)`` in the hours and before the cut (``None``: none)."""
        end = min(end, self.cut)
        parts: list[Span] = []
        index = max(bisect.bisect_right(self._starts, start) - 1, 0)
        while index < len(self.windows) and self.windows[index][0] < end:
            low, high = max(self.windows[index][0], start), min(self.windows[index][1], end)
            if low < high:
                parts.append(self.path.span(low, high))
            index += 1
        return merge(parts) if parts else None

    def day(self, t: int) -> Span | None:
        """The trading day of the UTC date starting at ``t`` (``None``: no trading)."""
        instrument = self.request.instrument
        day = _date(float(t))
        if instrument.sec_type in ("STK", "OPT") and day.weekday() >= 5:
            return None
        if self.request.holidays and is_holiday(instrument, day):
            return None
        low, high = day_span(instrument, day)
        return self.span(int(low), int(high))


def _bar_data(walks: Walks, instrument: Instrument, what: str, span: Span, date: str) -> BarData:
    """The bar a span shows for a what-to-show value."""
    if what in ("HISTORICAL_VOLATILITY", "OPTION_IMPLIED_VOLATILITY"):
        # The model's volatilities, as the live generic ticks 104 and 106 quote them.
        vol = instrument.volatility if what == "HISTORICAL_VOLATILITY" else walks.implied_volatility(instrument)
        return BarData(date=date, open=vol, high=vol, low=vol, close=vol, volume=Decimal(-1), wap=Decimal(-1), bar_count=-1)
    if what == "BID_ASK":
        # IB's BID_ASK bars: the bid at the open, the highest ask, the lowest bid, the ask at the close.
        ticks = (_bid(instrument, span.open), _ask(instrument, span.high),
                 _bid(instrument, span.low), _ask(instrument, span.close))
    else:
        shown = _SHOWN[what]
        ticks = (shown(instrument, span.open), shown(instrument, span.high),
                 shown(instrument, span.low), shown(instrument, span.close))
    o, h, low, c = (_price(instrument, v) for v in ticks)
    if what in ("TRADES", "ADJUSTED_LAST", "AGGTRADES"):
        volume = Decimal(span.volume * _lot(instrument))
        wap = Decimal(str(_round_tick((o + h + low + c) / 4, instrument.min_tick)))
        return BarData(date=date, open=o, high=h, low=low, close=c, volume=volume, wap=wap, bar_count=span.trades)
    return BarData(date=date, open=o, high=h, low=low, close=c, volume=Decimal(-1), wap=Decimal(-1), bar_count=-1)


def day_bars(walks: Walks, instrument: Instrument, now: float, *, sessions: bool = False,
             holidays: bool = False) -> tuple[BarData, BarData] | None:
    """The daily TRADES bars (without ``use_rth``) of the last two trading days up to
    ``now``, as history serves them: the one before, and the latest so far (``None``
    when the week before holds fewer)."""
    request = HistoryRequest(
        instrument=instrument, end=walks.at(now), duration="1 W", bar_size="1 day", what_to_show="TRADES",
        use_rth=False, format_date=1, keep_up_to_date=False, end_text="", sessions=sessions, holidays=holidays,
        now=walks.at(now),
    )
    bars = history_bars(walks, request)[0]
    return (bars[-2], bars[-1]) if len(bars) >= 2 else None
