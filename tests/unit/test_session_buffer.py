"""Subscription buffers: bounded, the oldest dropped and counted, the end never lost."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Hashable

import pytest

from ibwire._session_buffer import SubscriptionBuffer
from ibwire.asyncio import Subscription as AsyncSubscription
from ibwire.errors import ApiError, RequestTimeoutError
from ibwire.messages import ErrMsg, TickPrice
from ibwire.sync import Subscription as SyncSubscription


class Owner:
    def __init__(self) -> None:
        self.cancelled: list[Hashable] = []

    def _unsubscribe(self, key: Hashable, sink: object) -> None:
        self.cancelled.append(key)

    def _subscription_warnings(self, key: Hashable) -> list[ErrMsg]:
        return []

    def _end_if_loop_closed(self) -> bool:
        return False  # the asyncio client's check of its event loop: always open here


def tick(price: float) -> TickPrice:
    return TickPrice(req_id=1, tick_type=1, price=price)


def test_a_full_buffer_drops_the_oldest_and_counts(caplog: pytest.LogCaptureFixture) -> None:
    buffer: SubscriptionBuffer[TickPrice] = SubscriptionBuffer(Owner(), maxlen=3)
    for price in range(1, 8):
        buffer.push(tick(float(price)))
    assert buffer.dropped == 4
    # Reported at the first drop and at every power of two: 1, 2, 4.
    assert len([r for r in caplog.records if "dropped" in r.getMessage()]) == 3
    buffer.end(None)
    taken = []
    with pytest.raises(StopIteration):
        while True:
            found, item = buffer._take()
            assert found
            taken.append(item)
    assert [t.price for t in taken if t is not None] == [5.0, 6.0, 7.0]


def test_the_end_is_never_dropped() -> None:
    buffer: SubscriptionBuffer[TickPrice] = SubscriptionBuffer(Owner(), maxlen=1)
    buffer.end(ApiError(200, "no security", 1))
    buffer.push(tick(1.0))
    buffer.push(tick(2.0))
    assert buffer._take() == (True, tick(2.0))
    with pytest.raises(ApiError):
        buffer._take()
    assert buffer.is_done


def test_the_threaded_subscription_is_bounded() -> None:
    owner = Owner()
    subscription: SyncSubscription[TickPrice] = SyncSubscription(owner, 2)  # type: ignore[arg-type]
    subscription.key = 1
    for price in range(5):
        subscription.push(tick(float(price)))
    assert subscription.dropped == 3
    assert [subscription.get(0).price, subscription.get(0).price] == [3.0, 4.0]
    with pytest.raises(RequestTimeoutError):
        subscription.get(0)
    subscription.end(None)
    assert list(subscription) == []
    subscription.cancel()
    assert owner.cancelled == [1]


class CountingCondition(threading.Condition):
    """A condition that tells the test each time a thread starts waiting on it."""

    def __init__(self) -> None:
        super().__init__(threading.Lock())
        self.waiting = threading.Semaphore(0)

    def wait(self, timeout: float | None = None) -> bool:
        self.waiting.release()  # the lock is still held: nothing can notify before the wait
        return super().wait(timeout)


WAIT = 10.0 * float(os.environ.get("IBWIRE_TEST_TIMEOUT_SCALE", "1"))


def test_the_end_wakes_every_thread_waiting_on_a_threaded_subscription() -> None:
    subscription: SyncSubscription[TickPrice] = SyncSubscription(Owner())  # type: ignore[arg-type]
    subscription.key = 1
    ready = subscription._ready = CountingCondition()
    taken: list[TickPrice] = []
    ended: list[str] = []

    def read() -> None:
        taken.extend(subscription)  # blocks for each message, until the end
        ended.append(threading.current_thread().name)

    readers = [threading.Thread(target=read, name=f"reader-{n}", daemon=True) for n in range(2)]
    for reader in readers:
        reader.start()
    for _ in readers:
        assert ready.waiting.acquire(timeout=WAIT)
    # One message goes to one of them; the end goes to both.
    subscription.push(tick(1.0))
    assert ready.waiting.acquire(timeout=WAIT)  # the one that took it waits again
    subscription.end(None)
    for reader in readers:
        reader.join(WAIT)
    assert sorted(ended) == ["reader-0", "reader-1"]
    assert taken == [tick(1.0)]


def test_the_asyncio_subscription_is_bounded(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="ibwire")

    async def main() -> None:
        subscription: AsyncSubscription[TickPrice] = AsyncSubscription(Owner(), 2)  # type: ignore[arg-type]
        for price in range(5):
            subscription.push(tick(float(price)))
        assert subscription.dropped == 3
        got = [(await subscription.get(0)).price, (await subscription.get(0)).price]
        assert got == [3.0, 4.0]
        waiting = asyncio.ensure_future(subscription.get(1.0))
        await asyncio.sleep(0)
        subscription.push(tick(9.0))
        assert (await waiting).price == 9.0
        subscription.end(None)
        assert [t async for t in subscription] == []

    asyncio.run(main())
