"""Decode + dispatch throughput: the same bytes through every contender, counted.

A generated market-data stream (:mod:`_stream`) at server versions 157 and 176
is cut into socket reads of 4 KiB and of 256 KiB and fed to each contender of
:mod:`_decoders` (the raw floor, ibwire, ib_async, ibapi).  Every contender is
warmed up on a short stream of the same version first, then timed on the whole
stream; with ``--repeat`` above 1 the contenders take turns and each keeps its
best time.  A figure is reported only when the contender's callback counts
match the stream's manifest; otherwise the row says what differs.

Run: ``python benchmarks/bench_decode.py [--messages N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _decoders import Contender, contenders  # noqa: E402
from _stream import make_streams  # noqa: E402

VERSIONS = (157, 176)
READ_SIZES = (4096, 262144)
WARM_UP = 20_000


def _time_once(contender: Contender, stream: Any, reads: list[bytes]) -> tuple[float, str | None]:
    state = contender.prepare(stream)
    gc.collect()
    start = time.perf_counter()
    contender.run(state, reads)
    elapsed = time.perf_counter() - start
    return elapsed, contender.check(state, stream.manifest)


def run(
    messages: int = 1_000_000,
    repeat: int = 1,
    versions: tuple[int, ...] = VERSIONS,
    read_sizes: tuple[int, ...] = READ_SIZES,
) -> dict[tuple[int, int], dict[str, dict[str, Any]]]:
    """(version, read size) -> contender key -> {"rate": msg/s} or {"missing"/"check": text}."""
    everyone = contenders()
    streams = make_streams(messages, versions)
    warm = make_streams(WARM_UP, versions)
    results: dict[tuple[int, int], dict[str, dict[str, Any]]] = {}
    for version in versions:
        stream = streams[version]
        live = []
        for contender in everyone:
            if contender.missing:
                continue
            if version > contender.max_version:
                continue
            contender.run(contender.prepare(warm[version]), warm[version].reads(4096))
            live.append(contender)
        for size in read_sizes:
            reads = stream.reads(size)
            row: dict[str, dict[str, Any]] = {}
            for contender in everyone:
                if contender.missing:
                    row[contender.key] = {"missing": contender.missing}
                elif version > contender.max_version:
                    row[contender.key] = {
                        "missing": f"speaks server versions up to {contender.max_version}"
                    }
            best: dict[str, float] = {}
            for turn in range(repeat):
                # Take turns, in a rotating order, so slow drifts of the machine
                # spread over every contender.
                order = live[turn % len(live) :] + live[: turn % len(live)]
                for contender in order:
                    elapsed, problem = _time_once(contender, stream, reads)
                    if problem:
                        row[contender.key] = {"check": problem}
                        continue
                    best[contender.key] = min(elapsed, best.get(contender.key, elapsed))
            for name, elapsed in best.items():
                if "check" not in row.get(name, {}):
                    row[name] = {"rate": messages / elapsed}
            results[(version, size)] = row
    return results


def names() -> dict[str, str]:
    """Contender key -> display name (with the installed version)."""
    return {contender.key: contender.name for contender in contenders()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    results = run(args.messages, args.repeat)
    columns = names()
    print(f"decode + dispatch, {args.messages:,} messages, messages per second")
    print(f"{'stream':<16}" + "".join(f"{name[:26]:>28}" for name in columns.values()))
    for (version, size), row in results.items():
        cells = []
        for name in columns:
            cell = row.get(name, {})
            if "rate" in cell:
                cells.append(f"{cell['rate']:>28,.0f}")
            else:
                cells.append(f"{'n/a' if 'missing' in cell else 'COUNT MISMATCH':>28}")
        print(f"{f'v{version} {size // 1024} KiB':<16}" + "".join(cells))
    for row in results.values():
        for name, cell in row.items():
            if "check" in cell:
                print(f"{name}: {cell['check']}")


if __name__ == "__main__":
    main()
