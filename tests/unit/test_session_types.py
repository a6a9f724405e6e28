"""The session's shared types: a failed helper's own copy of the error, a helper
waiting for several, and the reconnect policy's wait, which grows to max_delay and
stays there at any attempt."""

from __future__ import annotations

import inspect
import random

import pytest

from ibwire import errors
from ibwire._session_types import Pending, PendingAll, ReconnectPolicy, _own_copy
from ibwire.messages import Contract, ContractDetails, CurrentTime, Message
from ibwire.pacing import Budget

AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")

#: Constructor arguments of the exceptions whose constructor takes more than a message.
ARGUMENTS: dict[str, tuple[object, ...]] = {
    "UnsupportedByServerError": ("tick-by-tick data", 200, 176),
    "FrameTooLargeError": (10**9, 10**6),
    "MalformedMessageError": (1, ["1", "x"], "not an int"),
    "ClientIdInUseError": (9,),
    "BudgetExceededError": (Budget.MARKET_DATA_LINES, 100, 100, 7),
    "ApiError": (200, "No security definition has been found", 5),
    "AccountUpdatesOffError": ("positions()",),
    "ContractLookupError": ("no such contract", AAPL),
    "ContractNotFoundError": (AAPL,),
    "AmbiguousContractError": (AAPL, [ContractDetails(contract=AAPL)] * 2),
    "ForeignOrderError": ("order 6 is client 8's", 8, 6, 66),
    "PortfolioUnavailableError": ("DU2", None, ["DU1", "DU2"]),
}
CLASSES = [
    cls
    for cls in vars(errors).values()
    if inspect.isclass(cls) and issubclass(cls, BaseException) and cls.__module__ == errors.__name__
]


def sample(cls: type[BaseException]) -> BaseException:
    for base in cls.__mro__:
        if base.__name__ in ARGUMENTS:
            return cls(*ARGUMENTS[base.__name__])
    return cls("the message")


def test_every_exception_with_its_own_constructor_has_arguments() -> None:
    own = {cls.__name__ for cls in CLASSES if "__init__" in vars(cls)}
    assert own == set(ARGUMENTS)


@pytest.mark.parametrize("cls", CLASSES, ids=[cls.__name__ for cls in CLASSES])
def test_a_waiters_copy_keeps_the_class_text_and_attributes(cls: type[BaseException]) -> None:
    error = sample(cls)
    own = _own_copy(error)
    assert own is not error
    assert type(own) is cls
    assert str(own) == str(error) and own.args == error.args
    assert vars(own) == vars(error)
    assert own.__cause__ is error


def test_a_failed_helper_raises_the_client_id_message() -> None:
    pending: Pending[None] = Pending(
        "connect", "connect", accepts=frozenset(), ends=frozenset(), finish=lambda items: None
    )
    pending._fail(errors.ClientIdInUseError(9))
    with pytest.raises(errors.ClientIdInUseError) as info:
        pending.result()
    assert info.value.client_id == 9
    assert str(info.value).startswith("client id 9 is already in use on this TWS")


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


def _part(seen: list[str], name: str) -> Pending[int]:
    part: Pending[int] = Pending(
        name,
        name,
        accepts=frozenset({CurrentTime}),
        ends=frozenset({CurrentTime}),
        finish=lambda items: items[-1].time,  # type: ignore[attr-defined]
    )
    part.notify = lambda: seen.append(name)
    return part


def test_waiting_for_several_answers_theirs_in_order() -> None:
    seen: list[str] = []
    first, second = _part(seen, "first"), _part(seen, "second")
    group = PendingAll("both", "both", [first, second])
    answer: Message = CurrentTime(time=2)
    second._feed(answer)
    assert not group.done
    first._feed(CurrentTime(time=1))
    assert group.result() == [1, 2]
    # The parts' own notifications still ran.
    assert seen == ["second", "first"]


def test_waiting_for_several_fails_with_the_first_failure() -> None:
    first, second = _part([], "first"), _part([], "second")
    group = PendingAll("both", "both", [first, second])
    first._fail(errors.ApiError(354, "Not subscribed", 7))
    with pytest.raises(errors.ApiError, match="Not subscribed"):
        group.result()
    second._fail(errors.RequestTimeoutError("late"))
    with pytest.raises(errors.ApiError):
        group.result()
