"""The simulator's price path (``ibwire.testing._path``): nodes that add up to their parents."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ibwire.testing._path import DAY, Activity, Path, Prices, Span, merge

T0 = 1_710_168_000  # Monday 11 March 2024, 14:40 UTC


def path(key: str = "7|1", start: int = 19_000, floor: int = 3, volatility: float = 0.25) -> Path:
    """A path with the regular session's hours weighing most (14:00-21:00 UTC)."""

    def weight(t: int) -> float:
        return 1.0 if 14 <= t % DAY // 3600 < 21 else 0.1

    return Path(Prices(key, start, floor, volatility, weight), Activity(key, 150_000, 1.0, weight))


def children(p: Path, size: int, index: int, child: int) -> list[Span]:
    return [p.node(child, t // child) for t in range(index * size, (index + 1) * size, child)]


def test_every_node_is_the_aggregation_of_its_children() -> None:
    p = path()
    day = T0 // DAY
    assert p.node(DAY, day) == merge(children(p, DAY, day, 3600))
    for hour in (day * 24, day * 24 + 14, day * 24 + 23):
        assert p.node(3600, hour) == merge(children(p, 3600, hour, 60))
    for minute in (T0 // 60, T0 // 60 + 1, day * 1440):
        seconds = children(p, 60, minute, 1)
        assert p.node(60, minute) == merge(seconds)
        assert all(s.open == s.high == s.low == s.close for s in seconds)  # a second is one price


def test_consecutive_days_of_a_block_and_of_two_blocks_continue_each_other() -> None:
    p = path()
    for day in range(T0 // DAY - 40, T0 // DAY):
        today, tomorrow = p.node(DAY, day), p.node(DAY, day + 1)
        # The last second of a day and the first of the next are one second apart.
        assert abs(tomorrow.open - today.close) <= 20
        assert today.low <= min(today.open, today.close) <= max(today.open, today.close) <= today.high


@settings(max_examples=40, deadline=None)
@given(
    start=st.integers(T0 - 3 * DAY, T0 + 3 * DAY),
    lengths=st.tuples(st.integers(1, 2 * DAY), st.integers(1, 2 * DAY)),
)
def test_a_span_is_the_aggregation_of_any_split_of_it(start: int, lengths: tuple[int, int]) -> None:
    p = path()
    middle, end = start + lengths[0], start + lengths[0] + lengths[1]
    whole = p.span(start, end)
    assert whole == merge([p.span(start, middle), p.span(middle, end)])
    assert whole.open == p.second(start).close and whole.close == p.second(end - 1).close
    assert whole.volume >= whole.trades >= 0


def test_the_same_key_draws_the_same_path_and_another_key_another() -> None:
    first, again, other = path("7|1"), path("7|1"), path("8|1")
    # Read in different orders: what a node is does not depend on what was read before.
    late = again.span(T0, T0 + 3600)
    assert first.span(T0 - DAY, T0 + DAY) == again.span(T0 - DAY, T0 + DAY)
    assert first.span(T0, T0 + 3600) == late
    assert other.span(T0, T0 + 3600) != late


def test_prices_stay_above_the_floor_and_near_the_start() -> None:
    p = path(start=40, floor=3, volatility=2.0)
    year = [p.node(DAY, day) for day in range(T0 // DAY - 365, T0 // DAY)]
    assert min(d.low for d in year) >= 3
    q = path()
    days = [q.node(DAY, day) for day in range(T0 // DAY - 365, T0 // DAY)]
    assert 0.7 * 19_000 < min(d.low for d in days) < max(d.high for d in days) < 1.3 * 19_000


def test_a_day_trades_and_moves_most_in_its_heavy_hours() -> None:
    p = path()
    day = T0 // DAY
    hours = children(p, DAY, day, 3600)
    heavy, light = hours[14:21], hours[:14] + hours[21:]
    assert sum(h.volume for h in heavy) > 2 * sum(h.volume for h in light)
    assert sum(h.high - h.low for h in heavy) / 7 > 2 * sum(h.high - h.low for h in light) / 17
