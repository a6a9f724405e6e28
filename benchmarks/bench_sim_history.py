"""Cost of the simulator's historical bars (``python benchmarks/bench_sim_history.py``).

Two requests for AAPL, each answered from a fresh simulator (no node of the
price path drawn yet), as the simulator's ``reqHistoricalData`` handler builds
them (without the wire):

* a year of daily bars (``"1 Y"``, ``"1 day"``), without and with ``useRTH``;
* five days of 1-minute bars (``"5 D"``, ``"1 min"``), without and with ``useRTH``.

The goal is well under a second each.  Figures are the best of several runs, in
milliseconds per request.
"""

from __future__ import annotations

import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ibwire.testing._market import HistoryRequest, Walks, history_bars  # noqa: E402
from ibwire.testing._universe import Universe  # noqa: E402

NOW = 1_710_168_000.0  # Monday 11 March 2024, 14:40 UTC
CASES = (("1 Y", "1 day", False), ("1 Y", "1 day", True), ("5 D", "1 min", False), ("5 D", "1 min", True))


def one(duration: str, bar_size: str, rth: bool) -> tuple[float, int]:
    universe = Universe(datetime.date(2024, 3, 11))
    (aapl,) = [i for i in universe.instruments if i.symbol == "AAPL" and i.sec_type == "STK"]
    request = HistoryRequest(
        instrument=aapl, end=NOW, duration=duration, bar_size=bar_size, what_to_show="TRADES", use_rth=rth,
        format_date=1, keep_up_to_date=False, end_text="", now=NOW,
    )
    start = time.perf_counter()
    bars = history_bars(Walks(0, universe), request)[0]
    return time.perf_counter() - start, len(bars)


def main() -> None:
    for duration, bar_size, rth in CASES:
        runs = [one(duration, bar_size, rth) for _ in range(5)]
        best = min(seconds for seconds, _ in runs)
        print(f"{duration:>4} of {bar_size:<6} useRTH={int(rth)}: {runs[0][1]:>5} bars in {best * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
