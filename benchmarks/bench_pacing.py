"""Cost of the pacer per message (``python benchmarks/bench_pacing.py``).

Three scenarios, each on a fake clock so the pacer's arithmetic alone is timed:

* global rule, under the limit: one message, then one poll, 1/40 s apart;
* global rule, throttling: a burst far above the limit, drained by polling at
  :meth:`~ibwire.pacing.Pacer.next_deadline` (includes the ``MessageDelayed``
  event each delayed message produces; the token bucket releases a backlog one
  message per poll, so each message also costs a poll and a deadline);
* historical request: ``ReqHistoricalData`` through all historical rules, each
  answered by ``HistoricalDataEnd`` so none stays open.

Figures are the best of several runs, in microseconds per message.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ibwire.ids import IncomingId, OutgoingId  # noqa: E402
from ibwire.pacing import Pacer, PacingConfig  # noqa: E402


@dataclass(frozen=True, slots=True)
class Contract:
    con_id: int = 0
    symbol: str = ""
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


@dataclass(frozen=True, slots=True)
class ReqCurrentTime:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_CURRENT_TIME


@dataclass(frozen=True, slots=True)
class ReqHistoricalData:
    MSG_ID: ClassVar[int] = OutgoingId.REQ_HISTORICAL_DATA
    req_id: int
    contract: Contract
    end_date_time: str = ""
    duration_str: str = "1 D"
    bar_size_setting: str = "1 min"
    what_to_show: str = "TRADES"
    use_rth: bool = True
    format_date: int = 1
    keep_up_to_date: bool = False
    chart_options: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class HistoricalDataEnd:
    MSG_ID: ClassVar[int] = IncomingId.HISTORICAL_DATA_END
    req_id: int


def best(run: Callable[[], float], repeat: int = 5) -> float:
    return min(run() for _ in range(repeat))


def global_under_limit(n: int = 200_000) -> float:
    pacer: Pacer[ReqCurrentTime] = Pacer(PacingConfig())
    message = ReqCurrentTime()
    submit, poll = pacer.submit, pacer.poll
    step = 1 / 40
    start = time.perf_counter()
    now = 0.0
    for _ in range(n):
        submit(message, now)
        poll(now)
        now += step
    elapsed = time.perf_counter() - start
    assert pacer.stats.sent == n
    return elapsed / n * 1e6


def global_throttling(n: int = 200_000) -> float:
    pacer: Pacer[ReqCurrentTime] = Pacer(PacingConfig())
    message = ReqCurrentTime()
    submit, poll, deadline, events = pacer.submit, pacer.poll, pacer.next_deadline, pacer.events
    start = time.perf_counter()
    now = 0.0
    for _ in range(n):
        submit(message, now)
    sent = len(poll(now))
    while sent < n:
        wake = deadline()
        assert wake is not None
        now = wake
        sent += len(poll(now))
        events()
    elapsed = time.perf_counter() - start
    return elapsed / n * 1e6


def historical(n: int = 20_000) -> float:
    pacer: Pacer[ReqHistoricalData] = Pacer(PacingConfig(), server_version=200)
    contracts = [Contract(con_id=i + 1) for i in range(500)]
    requests = [
        ReqHistoricalData(req_id=i, contract=contracts[i % 500], end_date_time=str(i))
        for i in range(n)
    ]
    ends = [HistoricalDataEnd(req_id=i) for i in range(n)]
    submit, poll, on_incoming = pacer.submit, pacer.poll, pacer.on_incoming
    # A little over ten seconds apart (the 10-minute window is 600 s plus the
    # arrival jitter): every request may go at once, so only the rules' cost is timed.
    start = time.perf_counter()
    now = 0.0
    for request, end in zip(requests, ends, strict=True):
        submit(request, now)
        poll(now)
        on_incoming(end, now)
        now += 10.1
    elapsed = time.perf_counter() - start
    assert pacer.stats.sent == n, pacer.stats
    return elapsed / n * 1e6


def main() -> None:
    print(f"Python {sys.version.split()[0]}")
    print(f"global rule, submit + poll under the limit: {best(global_under_limit):.2f} us/message")
    print(f"global rule, submit + poll while throttling: {best(global_throttling):.2f} us/message")
    print(f"historical request, submit + poll + end:    {best(historical):.2f} us/message")


if __name__ == "__main__":
    main()
