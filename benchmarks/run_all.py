"""Every benchmark, every contender side by side, in one table.

``nox -s bench`` runs this with the peers installed (the ``bench`` extra):
ibwire, ib_async 2.1.0 and ibapi 9.81 measured in the same run on the same
bytes, next to the raw floor (framing plus ``bytes.split``: what pure Python
cannot beat).  Parts:

* decode + dispatch (``bench_decode.py``): msg/s, server versions 157 and 176,
  4 KiB and 256 KiB reads;
* encode (``bench_encode.py``): microseconds per request;
* protobuf decode + dispatch (``bench_protobuf.py``): microseconds per message
  at server version 226, per message kind, against the official client's
  protobuf path (``--python official=PATH``);
* loopback end to end (``bench_loopback.py``): msg/s to callbacks, and callback
  latency percentiles at 10,000 msg/s offered;
* import time and memory for 1,000 subscriptions (``bench_startup.py``).

Ratios compare ibwire with the other columns of the same row ("x ib_async" is
how many times faster ibwire is); the last two columns are the project's goals
and whether this run meets them.  A contender whose callbacks do not match the
stream's manifest gets no figure: the table says COUNT MISMATCH and the
mismatch is printed below it.

Run: ``python benchmarks/run_all.py`` (about 3 minutes on 2 cores), or
``--quick`` for a smaller run (about a minute); ``--format rst`` (or
``--rst-out FILE``) gives the table as reStructuredText, as in
``docs/topics/performance.rst``.
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_decode  # noqa: E402
import bench_encode  # noqa: E402
import bench_loopback  # noqa: E402
import bench_protobuf  # noqa: E402
import bench_startup  # noqa: E402

COLUMNS = ("floor", "ibwire", "ib_async", "ibapi", "official")
#: Columns ibwire is compared with, after the floor.
PEERS = ("ib_async", "ibapi", "official")
MISSING = "n/a"


@dataclass
class Row:
    """One line of the table."""

    label: str
    #: Column key -> value (None: not measured / not applicable).
    values: dict[str, float | None]
    #: How a value prints: "rate" (msg/s), "us", "ms", "kib", "ratio".
    unit: str
    #: True when larger values are better (throughput), False for times and sizes.
    higher_is_better: bool = True
    goal: str = ""
    met: bool | None = None
    #: Column key -> why there is no value.
    notes: dict[str, str] = field(default_factory=dict)

    def ratio(self, other: str) -> float | None:
        mine, theirs = self.values.get("ibwire"), self.values.get(other)
        if mine is None or theirs is None or mine == 0 or theirs == 0:
            return None
        return mine / theirs if self.higher_is_better else theirs / mine


def _fmt(value: float | None, unit: str, note: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return note or MISSING
    if unit == "rate":
        return f"{value:,.0f}"
    if unit == "us":
        return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
    if unit == "ms":
        return f"{value:.0f}"
    if unit == "kib":
        return f"{value:,.0f}"
    return f"{value:.2f}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


# ----------------------------------------------------------------------------- rows


def decode_rows(results: dict[tuple[int, int], dict[str, dict[str, Any]]]) -> list[Row]:
    rows = []
    for (version, size), cells in results.items():
        values: dict[str, float | None] = {}
        notes = {}
        for key in COLUMNS:
            cell = cells.get(key, {})
            values[key] = cell.get("rate")
            if "check" in cell:
                notes[key] = "COUNT MISMATCH"
        row = Row(
            f"decode+dispatch v{version}, {size // 1024} KiB reads (msg/s)",
            values,
            "rate",
            goal=">=0.25 floor, >=1.6x ib_async",
            notes=notes,
        )
        checks = [row.ratio("floor"), row.ratio("ib_async")]
        wants = [0.25, 1.6]
        row.met = None if None in checks else all(c >= w for c, w in zip(checks, wants, strict=True))  # type: ignore[operator]
        rows.append(row)
    # 256 KiB reads against 4 KiB reads, per contender.
    versions = sorted({version for version, _ in results})
    sizes = sorted({size for _, size in results})
    if len(sizes) == 2:
        small, large = sizes
        for version in versions:
            values = {}
            for key in COLUMNS:
                a = results.get((version, small), {}).get(key, {}).get("rate")
                b = results.get((version, large), {}).get(key, {}).get("rate")
                values[key] = None if a is None or b is None else b / a
            mine = values.get("ibwire")
            rows.append(
                Row(
                    f"v{version}: 256 KiB rate / 4 KiB rate",
                    values,
                    "ratio",
                    goal="ibwire >= 0.90",
                    met=None if mine is None else mine >= 0.9,
                )
            )
    return rows


def _time_rows(
    table: dict[str, dict[str, dict[str, Any]]], label: str, peer: str, mismatch: str
) -> list[Row]:
    """Rows of µs per item (lower is better), each with the goal of at least 2x ``peer``."""
    rows = []
    for name, cells in table.items():
        values = {key: cells.get(key, {}).get("us") for key in COLUMNS}
        notes = {k: mismatch for k in COLUMNS if "check" in cells.get(k, {})}
        row = Row(
            label.format(name),
            values,
            "us",
            higher_is_better=False,
            goal=f">=2x {peer}",
            notes=notes,
        )
        speedup = row.ratio(peer)
        row.met = None if speedup is None else speedup >= 2.0
        rows.append(row)
    return rows


def encode_rows(results: dict[str, dict[str, dict[str, Any]]]) -> list[Row]:
    return _time_rows(results, "encode {} v157 (us/request)", "ib_async", "COUNT MISMATCH")


def protobuf_rows(table: dict[str, dict[str, dict[str, Any]]]) -> list[Row]:
    return _time_rows(table, "protobuf {} v226 (us/message)", "official", "CHECK FAILED")


def loopback_rows(results: dict[str, dict[str, Any]]) -> list[Row]:
    def get(name: str, what: str) -> float | None:
        value = results.get(name, {}).get(what)
        return None if value is None else float(value)

    def notes_for(mapping: dict[str, str]) -> dict[str, str]:
        out = {}
        for key, name in mapping.items():
            r = results.get(name, {})
            if r.get("check"):
                out[key] = "COUNT MISMATCH"
            elif "error" in r:
                out[key] = "FAILED"
        return out

    names_asyncio = {
        "floor": "raw floor (asyncio)",
        "ibwire": "ibwire.asyncio.Client",
        "ib_async": "ib_async",
    }
    # ib_async has only an asyncio client: the threaded client is compared with it too.
    names_thread = {
        "floor": "raw floor (thread)",
        "ibwire": "ibwire.sync.Client",
        "ib_async": "ib_async",
        "ibapi": "ibapi",
    }
    pump_asyncio = {"floor": "raw floor (asyncio)", "ibwire": "ibwire core pump (asyncio)"}
    pump_thread = {"floor": "raw floor (thread)", "ibwire": "ibwire core pump (thread)"}
    rows = []
    for label, mapping in (
        ("asyncio", names_asyncio),
        ("threads", names_thread),
        ("asyncio, core pump", pump_asyncio),
        ("threads, core pump", pump_thread),
    ):
        values = {key: get(name, "rate") for key, name in mapping.items()}
        client = label in ("asyncio", "threads")
        row = Row(
            f"loopback {label}: msg/s to callbacks",
            values,
            "rate",
            goal=">=1.6x ib_async" if client else "",
            notes=notes_for(mapping),
        )
        if client:
            ratio = row.ratio("ib_async")
            row.met = None if ratio is None else ratio >= 1.6
        rows.append(row)
    for label, mapping in (("asyncio", names_asyncio), ("threads", names_thread)):
        for what, title in (("p50_us", "p50"), ("p99_us", "p99")):
            values = {key: get(name, what) for key, name in mapping.items()}
            mine = values.get("ibwire")
            row = Row(
                f"loopback {label}: {title} latency at 10k msg/s (us)",
                values,
                "us",
                higher_is_better=False,
                goal="ibwire < 1000 us" if what == "p99_us" else "",
                met=(None if mine is None else mine < 1000) if what == "p99_us" else None,
                notes=notes_for(mapping),
            )
            rows.append(row)
    return rows


def startup_rows(results: dict[str, dict[str, Any]]) -> list[Row]:
    imports = {key: results.get(key, {}).get("import_ms") for key in COLUMNS}
    memory = {}
    for key in COLUMNS:
        size = results.get(key, {}).get("memory_bytes")
        memory[key] = None if size is None else size / 1024
    errors = {k: "FAILED" for k in COLUMNS if results.get(k, {}).get("memory_error")}
    import_row = Row(
        "import time (ms, -X importtime; ibwire.sync)",
        imports,
        "ms",
        higher_is_better=False,
        goal="<=0.4x ib_async",
    )
    speedup = import_row.ratio("ib_async")
    import_row.met = None if speedup is None else speedup >= 2.5
    help_ms = results.get("ibwire", {}).get("help_ms")
    help_cpu_ms = results.get("ibwire", {}).get("help_cpu_ms")
    return [
        import_row,
        Row(
            "ibwire --help, wall time (ms)",
            {"ibwire": help_ms},
            "ms",
            higher_is_better=False,
            goal="< 150 ms",
            met=None if help_ms is None else help_ms < 150,
        ),
        Row(
            "ibwire --help, CPU time (ms)",
            {"ibwire": help_cpu_ms},
            "ms",
            higher_is_better=False,
            goal="< 150 ms",
            met=None if help_cpu_ms is None else help_cpu_ms < 150,
        ),
        Row(
            "memory, 1,000 live subscriptions (KiB)",
            memory,
            "kib",
            higher_is_better=False,
            notes=errors,
        ),
    ]


# ----------------------------------------------------------------------------- output

HEADERS = (
    "measurement",
    "raw floor",
    "ibwire",
    "ib_async",
    "ibapi",
    "official",
    "ibwire/floor",
    "x ib_async",
    "x ibapi",
    "x official",
    "goal",
    "met",
)


def cells_of(row: Row) -> list[str]:
    values = [_fmt(row.values.get(key), row.unit, row.notes.get(key, "")) for key in COLUMNS]
    if row.unit == "ratio":
        ratios = [""] * (1 + len(PEERS))
    else:
        floor_ratio = row.ratio("floor") if row.higher_is_better else None
        ratios = [_ratio(floor_ratio), *(_ratio(row.ratio(peer)) for peer in PEERS)]
    met = "" if row.met is None else ("yes" if row.met else "NO")
    return [row.label, *values, *ratios, row.goal, met]


def text_table(rows: list[Row]) -> str:
    table = [list(HEADERS)] + [cells_of(row) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    out = []
    for n, line in enumerate(table):
        parts = [line[0].ljust(widths[0])]
        last = len(HEADERS) - 2
        parts += [cell.rjust(widths[i]) for i, cell in enumerate(line[1:last], 1)]
        parts += [line[last].ljust(widths[last]), line[last + 1].ljust(widths[last + 1])]
        out.append("  ".join(parts).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def rst_table(rows: list[Row]) -> str:
    out = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 28 9 8 8 8 8 6 6 6 6 14 4",
        "",
    ]
    for line in [list(HEADERS)] + [cells_of(row) for row in rows]:
        out.append(f"   * - {line[0]}")
        for cell in line[1:]:
            out.append(f"     - {cell}" if cell else "     -")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000, help="decode stream length")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per decode figure (best kept)")
    parser.add_argument("--calls", type=int, default=10_000, help="encode calls per figure")
    parser.add_argument("--pb-messages", type=int, default=20_000, help="protobuf messages per kind")
    parser.add_argument("--loopback-messages", type=int, default=300_000, help="loopback throughput run")
    parser.add_argument("--rate", type=float, default=10_000.0, help="loopback latency: offered msg/s")
    parser.add_argument("--seconds", type=float, default=3.0, help="loopback latency run length")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="--messages 200000 --repeat 1 --calls 3000 --pb-messages 5000 "
        "--loopback-messages 100000 --seconds 1",
    )
    parser.add_argument(
        "--only",
        default="decode,encode,protobuf,loopback,startup",
        help="comma-separated parts to run (default: all)",
    )
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        help="KEY=PATH: run contender KEY (ibapi, official) in that interpreter",
    )
    parser.add_argument("--format", choices=("text", "rst"), default="text")
    parser.add_argument("--rst-out", type=Path, help="also write the table as reStructuredText here")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.repeat, args.calls = 200_000, 1, 3_000
        args.pb_messages = 5_000
        args.loopback_messages, args.seconds = 100_000, 1.0
    parts = set(args.only.split(","))
    pythons = bench_decode.parse_pythons(args.python)
    started = time.perf_counter()
    rows: list[Row] = []
    problems: list[str] = []
    notes: list[str] = []
    names: dict[str, str] = {}
    if "decode" in parts:
        import _decoders

        notes.append(f"decode: ibwire is ClientProtocol -> {_decoders.Ibwire().dispatch_kind}")
        decoded = bench_decode.run(args.messages, args.repeat, pythons=pythons)
        names.update(bench_decode.names())
        rows += decode_rows(decoded)
        for (version, size), cells in decoded.items():
            for key, cell in cells.items():
                if "check" in cell:
                    problems.append(f"decode v{version} {size // 1024} KiB, {key}: {cell['check']}")
    if "encode" in parts:
        encoded = bench_encode.run(args.calls)
        names.update(bench_encode.names())
        rows += encode_rows(encoded)
        for op, cells in encoded.items():
            for key, cell in cells.items():
                if "check" in cell:
                    problems.append(f"encode {op}, {key}: {cell['check']}")
    if "protobuf" in parts:
        pb_names, pb_table = bench_protobuf.run(
            args.pb_messages, max(args.repeat, 2), pythons=pythons
        )
        names.update({key: name for key, name in pb_names.items() if key not in names})
        rows += protobuf_rows(pb_table)
        lean = {
            kind: cells["official"]["lean_us"]
            for kind, cells in pb_table.items()
            if "lean_us" in cells.get("official", {})
        }
        if lean:
            notes.append(
                "protobuf: official = ibapi's Decoder.processProtoBuf with EWrapper's "
                "*ProtoBuf callbacks as shipped; with them doing nothing (us/message): "
                + ", ".join(f"{kind} {value:.2f}" for kind, value in lean.items())
            )
        for kind, cells in pb_table.items():
            for key, cell in cells.items():
                for what in ("check", "missing"):
                    if what in cell:
                        problems.append(f"protobuf {kind}, {key}: {cell[what]}")
    if "loopback" in parts:
        looped = bench_loopback.run(args.loopback_messages, args.rate, args.seconds, pythons=pythons)
        notes.append(
            "loopback: ibwire is ibwire.asyncio.Client / ibwire.sync.Client; "
            "core pump = ClientProtocol in a plain asyncio.Protocol / reader thread"
        )
        rows += loopback_rows(looped)
        for name, r in looped.items():
            if r.get("check"):
                problems.append(f"loopback {name}: {r['check']}")
            if "error" in r:
                problems.append(f"loopback {name}: failed: {r['error']}")
            offered = r.get("offered")
            if offered is not None and offered < 0.95 * args.rate:
                problems.append(f"loopback {name}: the gateway offered only {offered:,.0f} msg/s")
    if "startup" in parts:
        rows += startup_rows(bench_startup.run(pythons=pythons))
    elapsed = time.perf_counter() - started

    versions = ", ".join(f"{names[k]}" for k in PEERS if k in names)
    print(
        f"ibwire benchmarks: {args.messages:,} decoded messages per figure, "
        f"{args.loopback_messages:,} looped back; {versions}; "
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{_cpus()} CPUs; {elapsed:.0f} s"
    )
    print()
    print(rst_table(rows) if args.format == "rst" else text_table(rows))
    if args.rst_out is not None:
        args.rst_out.write_text(rst_table(rows) + "\n")
    print()
    for line in notes + problems:
        print(f"* {line}")


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    main()
