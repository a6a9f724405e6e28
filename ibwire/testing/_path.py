"""The simulator's price path: one seeded path per instrument, every bar cut from it.

A path gives every second a price (in ticks) and a trading activity (volume in
lots, number of trades).  It is built top down over a fixed tree of UTC time:
blocks of 32 days, days, hours, minutes and seconds.  A node of the tree is a
bar, and its children are drawn from a generator seeded by the seed, the
instrument and the node, so that they add up to it exactly: the first child
opens at the node's open, the last closes at its close, the highest high is its
high, the lowest low its low, and the children's volumes and trade counts sum to
its own.  A second is a point (open, high, low and close are its price).

So any span of time is the aggregation of the few nodes that tile it: a daily bar
reads a day's node (and at the session edges some hours and minutes), not its
86,400 seconds, and a bar of any size is the aggregation of the smaller bars in it.

Prices wander around the instrument's starting price: the open of each block is
drawn near it, and the days between two block opens are a Brownian bridge with
the instrument's volatility.  Within a node the children follow a Brownian bridge
from its open to its close, stretched to reach (nearly) its high and low.  The
hours of a day share its moves, and its trades, by a weight (the simulator's:
where the hour falls in the venue's session), so prices move and trade most in
the regular session.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Final, Generic, NamedTuple, Protocol, TypeVar

__all__ = ["DAY", "Activity", "Path", "PriceSource", "Prices", "Span", "merge"]

#: Seconds in a day, the largest node a span is cut into.
DAY: Final = 86400
_BLOCK_DAYS: Final = 32
_BLOCK: Final = _BLOCK_DAYS * DAY
#: Node size -> the size of its children (a minute's children are its seconds).
_CHILD: Final = {_BLOCK: DAY, DAY: 3600, 3600: 60, 60: 1}
#: Node size -> the size of its parent, and how many of it the parent holds.
_PARENT: Final = {child: (size, size // child) for size, child in _CHILD.items()}
#: Node sizes from the largest a span uses down to the second.
_TILES: Final = (DAY, 3600, 60, 1)
#: A year of price moves: 252 trading days.
_SECONDS_A_YEAR: Final = 252 * DAY
#: Children lists a tree keeps (drawn again once forgotten), and spans a path keeps.
_KEPT: Final = 4096

_Price = tuple[int, int, int, int]  # open, high, low, close (ticks)
_Trades = tuple[int, int]  # volume (lots), trades
_Node = TypeVar("_Node", _Price, _Trades)


class Span(NamedTuple):
    """A bar of the path: prices in ticks, the volume in lots and the number of trades."""

    open: int
    high: int
    low: int
    close: int
    volume: int
    trades: int


def merge(spans: Sequence[Span]) -> Span:
    """The aggregation of consecutive spans: the open of the first, the close of the
    last, the highest high, the lowest low, the summed volume and trades."""
    return Span(
        spans[0].open, max(s.high for s in spans), min(s.low for s in spans), spans[-1].close,
        sum(s.volume for s in spans), sum(s.trades for s in spans),
    )


class _Tree(Generic[_Node]):
    """A tree of nodes whose children are drawn on demand (and kept a while: drawing
    them again gives the same)."""

    def __init__(self) -> None:
        self._kept: dict[tuple[int, int], list[_Node]] = {}

    def node(self, size: int, index: int) -> _Node:
        """The node of ``size`` seconds (a day or less) starting at ``index * size``."""
        parent, per = _PARENT[size]
        index, child = divmod(index, per)
        children = self._kept.get((parent, index))
        if children is None:
            if len(self._kept) >= _KEPT:
                self._kept.clear()
            children = self._kept[(parent, index)] = self._draw(parent, index)
        return children[child]

    def _draw(self, size: int, index: int) -> list[_Node]:
        """The children of a node."""
        raise NotImplementedError


class PriceSource(Protocol):
    """Open, high, low and close (ticks) of a node of the tree of UTC time."""

    def node(self, size: int, index: int) -> _Price:
        """The node of ``size`` seconds (a day or less) starting at ``index * size``."""
        ...


class Prices(_Tree[_Price]):
    """The price tree of one instrument, in ticks.

    Args:
        key: what seeds it (the simulator's seed and the instrument).
        start: the price the path wanders around.
        floor: the lowest price it takes.
        volatility: the yearly volatility.
        weight: the share of a day's moves an hour gets, by the hour's start.
    """

    def __init__(self, key: str, start: int, floor: int, volatility: float, weight: Callable[[int], float]) -> None:
        super().__init__()
        self.key = key
        self.start = max(start, floor)
        self.floor = floor
        self.volatility = volatility
        self.weight = weight
        # Per square root of a second, relative to the price.
        self._sigma = volatility / math.sqrt(_SECONDS_A_YEAR)

    def _anchor(self, block: int) -> int:
        rng = random.Random(f"{self.key}|anchor|{block}")
        return max(round(self.start * math.exp(rng.gauss(0.0, 0.15 * self.volatility))), self.floor)

    def _draw(self, size: int, index: int) -> list[_Price]:
        rng = random.Random(f"{self.key}|prices|{size}|{index}")
        if size == _BLOCK:
            return _days(rng, self._anchor(index), self._anchor(index + 1), self._sigma * self.start, self.floor)
        o, h, low, c = self.node(size, index)
        sigma = self._sigma * o
        child = _CHILD[size]
        if size == 60:
            return [(p, p, p, p) for p in _points(rng, o, h, low, c, 60, sigma)]
        weights = [1.0] * (size // child)
        if size == DAY:
            weights = [self.weight(t) for t in range(index * size, (index + 1) * size, child)]
            weights = [w * len(weights) / sum(weights) for w in weights]
        return _bars(rng, (o, h, low, c), child, weights, sigma)


def _bridge(rng: random.Random, variances: Sequence[float]) -> tuple[list[float], list[float]]:
    """A Brownian bridge pinned at 0 at both ends, over steps of these variances: the
    deviations, and each point's fraction of the way (by variance)."""
    walk = [0.0]
    times = [0.0]
    for variance in variances:
        walk.append(walk[-1] + rng.gauss(0.0, math.sqrt(variance)))
        times.append(times[-1] + variance)
    total = times[-1] or 1.0
    fractions = [t / total for t in times]
    return [w - f * walk[-1] for w, f in zip(walk, fractions, strict=True)], fractions


def _fit(line: Sequence[float], deviations: Sequence[float], top: float, bottom: float) -> list[float]:
    """``line`` plus the deviations, the rises scaled so that the highest point is
    ``top`` and the dips so that the lowest is ``bottom`` (the line stays between them)."""
    rise = min(((top - x) / d for x, d in zip(line, deviations, strict=True) if d > 0), default=0.0)
    dip = min(((bottom - x) / d for x, d in zip(line, deviations, strict=True) if d < 0), default=0.0)
    return [x + d * (rise if d > 0 else dip) for x, d in zip(line, deviations, strict=True)]


def _days(rng: random.Random, open_: int, close: int, sigma: float, floor: int) -> list[_Price]:
    """The days of a block, from its open to the next block's open: a bridge of each
    day's open and close, a wick above and below."""
    variances: list[float] = []
    for day in range(_BLOCK_DAYS):
        variances.append((DAY - 1) * sigma**2)
        if day < _BLOCK_DAYS - 1:
            variances.append(sigma**2)
    deviations, fractions = _bridge(rng, variances)
    values = [max(round(open_ + (close - open_) * f + d), floor) for d, f in zip(deviations, fractions, strict=True)]
    values[0], values[-1] = open_, close
    wick = 0.5 * sigma * math.sqrt(DAY)
    days: list[_Price] = []
    for day in range(_BLOCK_DAYS):
        o, c = values[2 * day], values[2 * day + 1]
        high = max(o, c) + round(abs(rng.gauss(0.0, wick)))
        low = max(min(o, c) - round(abs(rng.gauss(0.0, wick))), floor)
        days.append((o, high, low, c))
    return days


def _bars(rng: random.Random, parent: _Price, seconds: int, weights: Sequence[float], sigma: float) -> list[_Price]:
    """Bars of ``seconds`` that aggregate to ``parent``, one per weight (a bar's share of
    the moves): a bridge of their opens and closes nearly reaching the parent's high and
    low, which the nearest bar's wick reaches; the other bars get smaller wicks."""
    o, h, low, c = parent
    count = len(weights)
    variances: list[float] = []
    for child, weight in enumerate(weights):
        variances.append((seconds - 1) * sigma**2 * weight)
        if child < count - 1:
            variances.append(sigma**2 * weight)
    deviations, fractions = _bridge(rng, variances)
    line = [o + (c - o) * f for f in fractions]
    top = max(o, c) + rng.uniform(0.7, 1.0) * (h - max(o, c))
    bottom = min(o, c) - rng.uniform(0.7, 1.0) * (min(o, c) - low)
    values = [min(max(round(x), low), h) for x in _fit(line, deviations, top, bottom)]
    values[0], values[-1] = o, c
    opens, closes = values[0::2], values[1::2]
    highs = [max(a, b) for a, b in zip(opens, closes, strict=True)]
    lows = [min(a, b) for a, b in zip(opens, closes, strict=True)]
    at_high = highs.index(max(highs))
    at_low = lows.index(min(lows))
    highs[at_high], lows[at_low] = h, low
    for child, weight in enumerate(weights):
        wick = 0.25 * sigma * math.sqrt(seconds * weight)
        if child != at_high:
            highs[child] = min(h, highs[child] + round(abs(rng.gauss(0.0, wick))))
        if child != at_low:
            lows[child] = max(low, lows[child] - round(abs(rng.gauss(0.0, wick))))
    return list(zip(opens, highs, lows, closes, strict=True))


def _points(rng: random.Random, o: int, h: int, low: int, c: int, count: int, sigma: float) -> list[int]:
    """``count`` prices from ``o`` to ``c`` whose highest is ``h`` and lowest ``low``."""
    deviations, fractions = _bridge(rng, [sigma**2] * (count - 1))
    line = [o + (c - o) * f for f in fractions]
    values = [min(max(round(x), low), h) for x in _fit(line, deviations, h, low)]
    values[0], values[-1] = o, c
    inner = range(1, count - 1)
    at_high = max(inner, key=lambda k: values[k])
    if max(values) < h:
        values[at_high] = h
    if min(values) > low:
        values[min((k for k in inner if k != at_high), key=lambda k: values[k])] = low
    return values


class Activity(_Tree[_Trades]):
    """The trading activity of one instrument: volume (lots) and trades per node.

    Args:
        key: what seeds it (the simulator's seed and the instrument).
        trades: the trades of an average day.
        lots: the average lots a trade is larger than one lot.
        weight: the share of a day's trading an hour gets, by the hour's start.
    """

    def __init__(self, key: str, trades: int, lots: float, weight: Callable[[int], float]) -> None:
        super().__init__()
        self.key = key
        self.trades = trades
        self.lots = lots
        self.weight = weight

    def _draw(self, size: int, index: int) -> list[_Trades]:
        rng = random.Random(f"{self.key}|activity|{size}|{index}")
        if size == _BLOCK:
            # Each day its own: a day's trades, and the lots beyond one a trade.
            days: list[_Trades] = []
            for _ in range(_BLOCK_DAYS):
                trades = round(self.trades * rng.lognormvariate(0.0, 0.3))
                days.append((trades + round(trades * self.lots * rng.lognormvariate(0.0, 0.3)), trades))
            return days
        volume, trades = self.node(size, index)
        child = _CHILD[size]
        starts = range(index * size, (index + 1) * size, child)
        if size == DAY:
            weights = [self.weight(t) * rng.uniform(0.5, 1.5) for t in starts]
        elif size == 3600:
            weights = [rng.uniform(0.5, 1.5) for _ in starts]
        else:
            weights = [rng.expovariate(1.0) for _ in starts]
        counts = _split(trades, weights)
        # A child without trades has no volume: the lots beyond one a trade go where trades are.
        extra = _split(volume - trades, [w if n else 0.0 for w, n in zip(weights, counts, strict=True)])
        return [(n + x, n) for n, x in zip(counts, extra, strict=True)]


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` cut into whole parts in proportion to ``weights`` (parts sum to ``total``)."""
    whole = sum(weights)
    if whole <= 0:
        return [0] * len(weights)
    parts: list[int] = []
    done = 0
    running = 0.0
    for weight in weights[:-1]:
        running += weight
        cut = min(int(total * running / whole), total)
        parts.append(cut - done)
        done = cut
    parts.append(total - done)
    return parts


class Path:
    """The prices and trading of one instrument, second by second.

    Args:
        prices: the price tree (the instrument's own, or one derived from an underlying's).
        activity: the trading activity tree.
    """

    def __init__(self, prices: PriceSource, activity: Activity) -> None:
        self.prices = prices
        self.activity = activity
        self._spans: dict[tuple[int, int], Span] = {}

    def node(self, size: int, index: int) -> Span:
        """The node of ``size`` seconds (a day or less) starting at ``index * size``."""
        return Span(*self.prices.node(size, index), *self.activity.node(size, index))

    def second(self, t: int) -> Span:
        """The second starting at epoch second ``t``."""
        return self.node(1, t)

    def span(self, start: int, end: int) -> Span:
        """The aggregation of the seconds in ``[start, end)`` (not empty): the largest
        nodes that tile it, merged."""
        span = self._spans.get((start, end))
        if span is None:
            tiles: list[Span] = []
            t = start
            while t < end:
                size = next(s for s in _TILES if t % s == 0 and t + s <= end)
                tiles.append(self.node(size, t // size))
                t += size
            if len(self._spans) >= _KEPT:
                self._spans.clear()
            span = self._spans[(start, end)] = merge(tiles)
        return span
