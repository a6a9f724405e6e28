"""Encode throughput: requests built and framed, per library (:mod:`_encoders`).

Each contender encodes each request ``--calls`` times (a new id per call) after
a warm-up; the contenders take turns and each keeps its best of ``--repeat``.
The frames of the timed calls are then decoded by :class:`ibwire.ServerProtocol`
and compared with the requests: a figure is reported only if they match.

Run: ``python benchmarks/bench_encode.py [--calls N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _encoders import OPERATIONS, check, contenders  # noqa: E402


def _key(name: str) -> str:
    return name.split()[0]


def run(calls: int = 10_000, repeat: int = 3) -> dict[str, dict[str, dict[str, Any]]]:
    """Operation -> library key -> {"us": microseconds per call} or {"missing"/"check": text}."""
    everyone = contenders()
    results: dict[str, dict[str, dict[str, Any]]] = {op: {} for op in OPERATIONS}
    live = []
    for contender in everyone:
        if contender.missing:
            for op in OPERATIONS:
                results[op][_key(contender.name)] = {"missing": contender.missing}
        else:
            live.append(contender)
    for op in OPERATIONS:
        best: dict[str, float] = {}
        for turn in range(repeat):
            order = live[turn % len(live) :] + live[: turn % len(live)]
            for contender in order:
                fn = contender.operations()[op]
                for i in range(200):
                    fn(i)
                contender.take()
                ids = list(range(1, calls + 1))
                start = time.perf_counter()
                for i in ids:
                    fn(i)
                elapsed = time.perf_counter() - start
                problem = check(op, contender.take(), ids)
                key = _key(contender.name)
                if problem:
                    results[op][key] = {"check": problem}
                    continue
                best[key] = min(elapsed, best.get(key, elapsed))
        for key, elapsed in best.items():
            if "check" not in results[op].get(key, {}):
                results[op][key] = {"us": elapsed / calls * 1e6}
    return results


def names() -> dict[str, str]:
    return {_key(c.name): c.name for c in contenders()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = run(args.calls, args.repeat)
    columns = names()
    print("encode, microseconds per request (server version 157)")
    print(f"{'request':<22}" + "".join(f"{name:>18}" for name in columns.values()))
    for op, row in results.items():
        cells = []
        for key in columns:
            cell = row.get(key, {})
            cells.append(f"{cell['us']:>18.2f}" if "us" in cell else f"{'n/a':>18}")
        print(f"{op:<22}" + "".join(cells))
    for op, row in results.items():
        for key, cell in row.items():
            if "check" in cell:
                print(f"{op} {key}: {cell['check']}")


if __name__ == "__main__":
    main()
