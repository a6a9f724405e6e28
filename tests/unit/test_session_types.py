"""ReconnectPolicy: the wait grows to max_delay and stays there, at any attempt."""

from __future__ import annotations

import random

import pytest

from ibwire._session_types import ReconnectPolicy


@pytest.mark.parametrize(
    ("multiplier", "attempt"),
    [(2.0, 1_025), (2.0, 5_000), (2.0, 10**9), (10.0, 400), (1.001, 10**6), (1.001, 10**9)],
)
def test_a_late_attempt_waits_max_delay(attempt: int, multiplier: float) -> None:
    policy = ReconnectPolicy(multiplier=multiplier, jitter=0.0)
    assert policy.delay(attempt, random.Random(0)) == policy.max_delay


def test_the_wait_grows_then_stays_at_max_delay() -> None:
    policy = ReconnectPolicy(initial_delay=1.0, max_delay=60.0, multiplier=2.0, jitter=0.0)
    rng = random.Random(0)
    assert [policy.delay(n, rng) for n in (1, 2, 3, 6, 7, 2_000)] == [1, 2, 4, 32, 60, 60]


def test_no_initial_delay_stays_no_delay() -> None:
    policy = ReconnectPolicy(initial_delay=0.0, jitter=0.0)
    assert policy.delay(5_000, random.Random(0)) == 0.0


def test_jitter_applies_to_a_late_attempt() -> None:
    policy = ReconnectPolicy(jitter=0.5)
    assert 30.0 <= policy.delay(5_000, random.Random(1)) <= 60.0
