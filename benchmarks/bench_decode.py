"""Decode + dispatch throughput: the same bytes through every contender, counted.

A generated market-data stream (:mod:`_stream`) at server versions 157 and 176
is cut into socket reads of 4 KiB and of 256 KiB and fed to each contender of
:mod:`_decoders` (the raw floor, ibwire, ib_async, ibapi).  Every contender is
warmed up on a short stream of the same version first, then timed on the whole
stream; with ``--repeat`` above 1 the contenders take turns and each keeps its
best time.  Times are CPU time of the process (``time.process_time``): the loops
do no I/O, and on a shared machine wall time measures the neighbours too.  A figure is reported only when the contender's callback counts
match the stream's manifest; otherwise the row says what differs.

Two contenders import a module named ``ibapi`` (ibapi 9.81 and the current
official client, 10.x): each can run in an interpreter of its own, given with
``--python KEY=PATH`` (for example ``--python ibapi=.bench-ibapi/bin/python
--python official=.bench-official/bin/python``).  That interpreter runs this
script for its one contender on the same stream (same seed, same length) and
hands its figures back; everything runs in one invocation.

Run: ``python benchmarks/bench_decode.py [--messages N] [--repeat R] [--python KEY=PATH]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
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
    # CPU time of this process: the machine is shared, and wall time would
    # measure the neighbours too.  The decode loop does no I/O and no waiting.
    start = time.process_time()
    contender.run(state, reads)
    elapsed = time.process_time() - start
    return elapsed, contender.check(state, stream.manifest)


ROOT = Path(__file__).resolve().parent.parent
#: Contender key -> display name, filled by contenders run in other interpreters.
_external_names: dict[str, str] = {}


def _run_elsewhere(
    key: str, python: str, messages: int, repeat: int, versions: tuple[int, ...], read_sizes: tuple[int, ...]
) -> dict[tuple[int, int], dict[str, Any]]:
    """Run one contender in another interpreter; (version, size) -> its cell."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    args = [
        python,
        str(Path(__file__).resolve()),
        "--only",
        key,
        "--json",
        "--messages",
        str(messages),
        "--repeat",
        str(repeat),
        "--versions",
        ",".join(map(str, versions)),
        "--sizes",
        ",".join(map(str, read_sizes)),
    ]
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        problem = {"missing": f"{python} failed: {done.stderr.strip().splitlines()[-1:]}"}
        return {(v, size): problem for v in versions for size in read_sizes}
    report = json.loads(done.stdout)
    _external_names.update(report["names"])
    return {(v, size): cells.get(key, {}) for v, size, cells in report["results"]}


def run(
    messages: int = 1_000_000,
    repeat: int = 1,
    versions: tuple[int, ...] = VERSIONS,
    read_sizes: tuple[int, ...] = READ_SIZES,
    pythons: dict[str, str] | None = None,
    only: set[str] | None = None,
) -> dict[tuple[int, int], dict[str, dict[str, Any]]]:
    """(version, read size) -> contender key -> {"rate": msg/s} or {"missing"/"check": text}.

    ``pythons`` maps contender keys to the interpreters that run them (see the
    module docstring); ``only`` restricts the run to some contenders.
    """
    pythons = pythons or {}
    everyone = [
        c for c in contenders() if c.key not in pythons and (only is None or c.key in only)
    ]
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
            for turn in range(repeat if live else 0):
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
    for key, python in pythons.items():
        if only is not None and key not in only:
            continue
        for where, cell in _run_elsewhere(key, python, messages, repeat, versions, read_sizes).items():
            results.setdefault(where, {})[key] = cell
    return results


def names() -> dict[str, str]:
    """Contender key -> display name (with the installed version)."""
    found = {contender.key: contender.name for contender in contenders()}
    found.update(_external_names)
    return found


def parse_pythons(items: list[str]) -> dict[str, str]:
    """``KEY=PATH`` options -> {key: interpreter}."""
    pythons = {}
    for item in items:
        key, sep, path = item.partition("=")
        if not sep:
            raise SystemExit(f"--python wants KEY=PATH, not {item!r}")
        pythons[key] = path
    return pythons


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--python", action="append", default=[], help="KEY=PATH: run a contender there")
    parser.add_argument("--only", help="comma-separated contender keys")
    parser.add_argument("--versions", default=",".join(map(str, VERSIONS)))
    parser.add_argument("--sizes", default=",".join(map(str, READ_SIZES)))
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    versions = tuple(int(v) for v in args.versions.split(","))
    sizes = tuple(int(v) for v in args.sizes.split(","))
    only = set(args.only.split(",")) if args.only else None
    results = run(args.messages, args.repeat, versions, sizes, parse_pythons(args.python), only)
    columns = names()
    if args.json:
        report = {
            "names": {key: name for key, name in columns.items() if only is None or key in only},
            "results": [[v, size, cells] for (v, size), cells in results.items()],
        }
        print(json.dumps(report))
        return
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
