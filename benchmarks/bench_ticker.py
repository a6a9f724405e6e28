"""Cost of keeping live quotes current (``python benchmarks/bench_ticker.py``).

One deterministic stream of market data messages for 20 stocks and 4 options
(bid/ask with sizes, size and volume ticks, trades, LAST_TIMESTAMP and RT_VOLUME
strings, SHORTABLE/HALTED generics, option computations on the options), cut
into socket reads of 10 messages, is applied two ways, side by side in one run:

* ibwire: the typed messages applied to their :class:`ibwire.live.Ticker` as
  the session's incoming loop does it (the ticker method of the message's
  class from ``ibwire.live.ticker.APPLIERS``, the ticker by request id; what
  :meth:`~ibwire.live.Ticker.apply` does after one more call), each changed
  ticker collected into the read's set of updated tickers (what
  ``client.updated_tickers`` returns);
* ib_async 2.1.0: its full IB layer on the same values: per read
  ``Wrapper.tcpDataArrived``, then ``priceSizeTick`` / ``tickSize`` /
  ``tickString`` / ``tickGeneric`` / ``tickOptionComputation`` per message
  (which update its ``Ticker``, record its ``ticks`` and mark it pending), then
  ``tcpDataProcessed`` (which stamps the pending tickers and emits their
  events, with no listener attached).

Decoding is left out of both (``bench_decode.py`` measures it): the figure is
the cost of the live-object layer on top of the decoded values.  Both sides are
checked to end in the same bid/ask/last/volume for every ticker before any
figure is printed.  Figures are the best of several runs, the two sides taking
turns (on a shared machine both see the same load).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ibwire.live import Ticker  # noqa: E402
from ibwire.live.ticker import APPLIERS  # noqa: E402
from ibwire.messages import (  # noqa: E402
    Contract,
    TickGeneric,
    TickOptionComputation,
    TickPrice,
    TickSize,
    TickString,
)

STOCKS = 20
OPTIONS = 4
READ = 10


def make_stream(count: int, seed: int = 7) -> list[Any]:
    """``count`` messages for request ids 1..STOCKS+OPTIONS, deterministic."""
    rng = random.Random(seed)
    mids = {req_id: 50.0 + 10 * req_id for req_id in range(1, STOCKS + OPTIONS + 1)}
    volume = dict.fromkeys(mids, 1000)
    out: list[Any] = []
    for _ in range(count):
        req_id = rng.randint(1, STOCKS + OPTIONS)
        mid = mids[req_id] = round(mids[req_id] + rng.choice((-0.01, 0, 0.01)), 2)
        roll = rng.random()
        if roll < 0.40:
            tick_type = rng.choice((1, 2))
            price = round(mid - 0.01 if tick_type == 1 else mid + 0.01, 2)
            size = Decimal(rng.randint(1, 50) * 100)
            out.append(TickPrice(req_id=req_id, tick_type=tick_type, price=price, size=size))
        elif roll < 0.70:
            tick_type = rng.choice((0, 3, 5))
            out.append(
                TickSize(req_id=req_id, tick_type=tick_type, size=Decimal(rng.randint(1, 50) * 100))
            )
        elif roll < 0.78:
            volume[req_id] += rng.randint(1, 20)
            out.append(TickSize(req_id=req_id, tick_type=8, size=Decimal(volume[req_id])))
        elif roll < 0.86:
            out.append(
                TickPrice(req_id=req_id, tick_type=4, price=mid, size=Decimal(rng.randint(1, 9)))
            )
        elif roll < 0.90:
            out.append(
                TickString(req_id=req_id, tick_type=45, value=str(1_700_000_000 + len(out)))
            )
        elif roll < 0.93:
            volume[req_id] += 1
            value = f"{mid};100;{1_700_000_000_000 + len(out)};{volume[req_id]};{mid};true"
            out.append(TickString(req_id=req_id, tick_type=48, value=value))
        elif roll < 0.95:
            out.append(TickGeneric(req_id=req_id, tick_type=rng.choice((46, 49)), value=3.0))
        elif req_id > STOCKS:
            out.append(
                TickOptionComputation(
                    req_id=req_id, tick_type=rng.choice((10, 11, 12, 13)), tick_attrib=0,
                    implied_vol=0.2, delta=0.5, opt_price=mid, pv_dividend=0.0,
                    gamma=0.01, vega=0.1, theta=-0.05, und_price=mid * 10,
                )
            )
        else:
            out.append(TickSize(req_id=req_id, tick_type=8, size=Decimal(volume[req_id])))
    return out


def contracts() -> dict[int, Contract]:
    out = {}
    for req_id in range(1, STOCKS + OPTIONS + 1):
        sec_type = "STK" if req_id <= STOCKS else "OPT"
        out[req_id] = Contract(con_id=1000 + req_id, symbol=f"S{req_id}", sec_type=sec_type)
    return out


# ------------------------------------------------------------------ ibwire


def ibwire_runner(stream: list[Any]) -> tuple[Callable[[], None], Callable[[], dict[int, Any]]]:
    reads = [stream[i : i + READ] for i in range(0, len(stream), READ)]
    tickers: dict[int, Ticker] = {}
    batches: list[set[Ticker]] = []

    def run() -> None:
        tickers.clear()
        batches.clear()
        for req_id, contract in contracts().items():
            tickers[req_id] = Ticker(contract)
        route = tickers.get
        feeds = APPLIERS.get
        now = 1_700_000_000.0
        for read in reads:
            now += 0.001
            updated: set[Ticker] = set()
            add = updated.add
            for message in read:
                feed = feeds(type(message))
                if feed is not None:
                    ticker = route(message.req_id)
                    if ticker is not None and feed(ticker, message, now):
                        add(ticker)
            batches.append(updated)

    def state() -> dict[int, Any]:
        return {
            r: (t.bid, t.ask, t.last, None if t.volume is None else float(t.volume))
            for r, t in tickers.items()
        }

    return run, state


# ------------------------------------------------------------------ ib_async


def ib_async_runner(stream: list[Any]) -> tuple[Callable[[], None], Callable[[], dict[int, Any]]]:
    import ib_async

    calls: list[list[tuple[Callable[..., Any], tuple[Any, ...]]]] = []
    holder: dict[str, Any] = {}

    def build() -> Any:
        ib = ib_async.IB()
        wrapper = ib.wrapper
        for req_id, contract in contracts().items():
            theirs = ib_async.Contract(
                conId=contract.con_id, symbol=contract.symbol, secType=contract.sec_type
            )
            wrapper.startTicker(req_id, theirs, "mktData")
        return ib, wrapper

    # The decoded values as ib_async's decoder hands them over (sizes as float,
    # unset greeks as IB's sentinels), prepared outside the timing.
    ib, wrapper = build()
    for start in range(0, len(stream), READ):
        read = []
        for m in stream[start : start + READ]:
            if type(m) is TickPrice:
                read.append(("priceSizeTick", (m.req_id, m.tick_type, m.price, float(m.size))))
            elif type(m) is TickSize:
                read.append(("tickSize", (m.req_id, m.tick_type, float(m.size))))
            elif type(m) is TickString:
                read.append(("tickString", (m.req_id, m.tick_type, m.value)))
            elif type(m) is TickGeneric:
                read.append(("tickGeneric", (m.req_id, m.tick_type, m.value)))
            else:
                read.append(
                    (
                        "tickOptionComputation",
                        (m.req_id, m.tick_type, m.tick_attrib, m.implied_vol, m.delta,
                         m.opt_price, m.pv_dividend, m.gamma, m.vega, m.theta, m.und_price),
                    )
                )
        calls.append(read)  # type: ignore[arg-type]

    def run() -> None:
        ib, wrapper = build()
        holder["wrapper"] = wrapper
        methods = {
            name: getattr(wrapper, name)
            for name in ("priceSizeTick", "tickSize", "tickString", "tickGeneric",
                         "tickOptionComputation")
        }
        arrived = wrapper.tcpDataArrived
        processed = wrapper.tcpDataProcessed
        bound = [[(methods[name], args) for name, args in read] for read in calls]  # type: ignore[index]
        for read in bound:
            arrived()
            for method, args in read:
                method(*args)
            processed()

    def state() -> dict[int, Any]:
        wrapper = holder["wrapper"]

        def clean(value: float) -> float | None:
            return None if value != value or value == -1 else value

        return {
            r: (clean(t.bid), clean(t.ask), clean(t.last), clean(t.volume))
            for r, t in wrapper.reqId2Ticker.items()
        }

    return run, state


def best(runs: dict[str, Callable[[], None]], repeat: int) -> dict[str, float]:
    """The best time of each run; the runs take turns, so both see the same machine."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: min(taken) for name, taken in times.items()}


Runner = Callable[[list[Any]], tuple[Callable[[], None], Callable[[], dict[int, Any]]]]


def side_by_side(
    argv: list[str] | None,
    description: str,
    ours: tuple[str, Runner],
    theirs: tuple[str, Runner],
    heading: str,
    extra: Sequence[tuple[str, Runner]] = (),
) -> None:
    """Run both sides on one stream, check they end in the same quotes, print the best times.

    ``heading`` is formatted with ``messages``, ``read`` and ``repeat``.  ``extra``
    runners are checked against ``ours`` and timed with the others.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    stream = make_stream(args.messages)
    our_name, our_runner = ours
    their_name, their_runner = theirs
    our_run, our_state = our_runner(stream)
    our_run()
    runs = {our_name: our_run}
    for name, runner in extra:
        run, state = runner(stream)
        run()
        if state() != our_state():
            raise SystemExit(f"{name} disagrees with {our_name} on the final quotes; not timing")
        runs[name] = run
    try:
        their_run, their_state = their_runner(stream)
    except ImportError:
        print("ib_async is not installed: ibwire only")
    else:
        their_run()
        if our_state() != their_state():
            raise SystemExit("the two sides disagree on the final quotes; not timing")
        runs[their_name] = their_run
    results = best(runs, args.repeat)
    print(heading.format(messages=args.messages, read=READ, repeat=args.repeat))
    base = results.get(their_name)
    for name, seconds in results.items():
        rate = args.messages / seconds
        ratio = f"  {base / seconds:4.1f}x ib_async" if base else ""
        print(f"  {name:36s} {rate / 1e6:6.2f} M msg/s  {seconds / args.messages * 1e9:6.0f} ns/msg{ratio}")


def main(argv: list[str] | None = None) -> None:
    side_by_side(
        argv,
        __doc__.splitlines()[0],
        ("ibwire Ticker (session routing)", ibwire_runner),
        ("ib_async 2.1.0 Wrapper -> Ticker", ib_async_runner),
        "{messages:,} messages, reads of {read}, best of {repeat}",
    )


if __name__ == "__main__":
    main()
