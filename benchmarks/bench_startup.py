"""Import time, and the memory a client holds for 1,000 live market-data subscriptions.

Import time is ``python -X importtime -c "import <module>"`` (the cumulative
time of the library's top-level import lines), the least of several fresh
interpreters.  Bytecode is cached for every library alike, under a private
``PYTHONPYCACHEPREFIX`` warmed by one run first, so no figure includes
compiling sources.  The modules: ``ibwire.sync``; ``ib_async``; ``ibapi.client`` and
``ibapi.wrapper`` (what an ibapi program imports; ibapi 9.81 and 10 each in the
interpreter given with ``--python``).  ``ibwire --help`` is timed whole (wall clock,
interpreter start-up included).

Memory is what ``tracemalloc`` sees the library allocate, in a fresh process,
from before the client object is built until it holds 1,000 market-data
subscriptions that each received a TICK_PRICE and a TICK_SIZE (the contracts
are built before the first snapshot: they are the user's).  Connections are fed
from memory at server version 157; writes are discarded.

* ibwire: the client session (``ibwire._session.Session``: what both front
  ends run; it tracks live subscriptions to re-send them after a reconnect),
  ``submit(ReqMktData(...))`` x 1,000, ticks delivered to a no-op Wrapper;
* ib_async: ``IB.reqMktData`` x 1,000 (one ``Ticker`` each), ticks through its
  Client and Wrapper;
* ibapi: ``EClient.reqMktData`` x 1,000, ticks to a no-op EWrapper (the
  official client keeps no per-subscription state: the application does).

Run: ``python benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SUBSCRIPTIONS = 1000
VERSION = 157
IMPORTS = {
    "ibwire": "import ibwire.sync",
    "ib_async": "import ib_async",
    "ibapi": "import ibapi.client, ibapi.wrapper",
    "official": "import ibapi.client, ibapi.wrapper",
}
PACKAGES = {"ibwire": "ibwire", "ib_async": "ib_async", "ibapi": "ibapi", "official": "ibapi"}
#: The ibapi series each ibapi column measures (the package has one name).
SERIES = {"ibapi": "9.", "official": "10."}
ROOT = HERE.parent


# ----------------------------------------------------------------------------- import time


def _import_env(cache: str) -> dict[str, str]:
    env = _env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _series_ok(library: str, python: str) -> bool:
    """Whether ``python`` has the ibapi series the column is for (always true for others)."""
    want = SERIES.get(library)
    if want is None:
        return True
    done = subprocess.run(
        [python, "-c", "import ibapi; print(ibapi.get_version_string())"],
        capture_output=True,
        text=True,
        env=_env(),
    )
    return done.returncode == 0 and done.stdout.strip().startswith(want)


def _importtime_ms(stderr: str, package: str) -> float:
    """Cumulative ms of the top-level import lines of ``package`` and its submodules."""
    total = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if name.startswith("  "):  # nested: counted in its parent's cumulative time
            continue
        name = name.strip()
        if name == package or name.startswith(package + "."):
            total += int(cumulative)
    return total / 1000


def import_time(library: str, runs: int = 7, python: str = sys.executable) -> float | None:
    """Least ms to import ``library`` in a fresh interpreter, or None if absent."""
    statement = IMPORTS[library]
    if not _series_ok(library, python):
        return None
    with tempfile.TemporaryDirectory(prefix="ibwire-bench-pyc-") as cache:
        env = _import_env(cache)
        warm = subprocess.run([python, "-c", statement], env=env, capture_output=True)
        if warm.returncode != 0:
            return None
        times = []
        for _ in range(runs):
            done = subprocess.run(
                [python, "-X", "importtime", "-c", statement],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            times.append(_importtime_ms(done.stderr, PACKAGES[library]))
    # The least, not the median: on a shared machine the other runs measure the
    # neighbours as much as the import.
    return min(times)


# ----------------------------------------------------------------------------- memory


def _tick_frames(req_ids: list[int]) -> bytes:
    from _stream import frame_of, gateway_side

    from ibwire.messages import TickAttrib, TickPrice, TickSize

    server, _, _ = gateway_side(VERSION)
    frames = []
    for i, req_id in enumerate(req_ids):
        price = 100.0 + i / 100
        frames.append(
            frame_of(
                server,
                TickPrice(req_id=req_id, tick_type=1, price=price, size=Decimal(100), attrib=TickAttrib()),
            )
        )
        frames.append(frame_of(server, TickSize(req_id=req_id, tick_type=8, size=Decimal(12345))))
    return b"".join(frames)


def _preamble() -> bytes:
    from _stream import make_streams

    return make_streams(1, (VERSION,))[VERSION].preamble


def _measure(build: Callable[[], Any], subscribe: Callable[[Any], None]) -> int:
    """Bytes allocated by ``build()`` then ``subscribe(client)``, still alive after a collection."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    client = build()
    subscribe(client)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del client
    return after - before


def memory_ibwire() -> int:
    from ibwire import ServerProtocol
    from ibwire._session import Phase, Session
    from ibwire.dispatch import Dispatcher
    from ibwire.messages import Contract, ManagedAccts, NextValidId, ReqMktData
    from ibwire.pacing import PacingConfig
    from ibwire.wrapper import Wrapper

    contracts = [
        Contract(con_id=1000 + i, symbol=f"S{i:04d}", sec_type="STK", exchange="SMART", currency="USD")
        for i in range(SUBSCRIPTIONS)
    ]
    # Subscribe by id order; the ticks below use the same ids.
    req_ids = list(range(1, SUBSCRIPTIONS + 1))
    ticks = _tick_frames(req_ids)
    server = ServerProtocol(max_version=VERSION)

    def build() -> Any:
        session = Session(
            0,
            # A large account (quote booster packs); the global rate is left to TWS.
            pacing=PacingConfig(market_data_lines=SUBSCRIPTIONS, server_paced=True),
            heartbeat_interval=None,
            request_id_start=1,
        )
        session.start(0.0)
        session.transport_opened(0.0)
        server.receive_data(session.data_to_send())
        server.events_received()
        server.accept(VERSION)
        session.receive_data(server.data_to_send(), 0.0)
        server.receive_data(session.data_to_send())
        server.events_received()
        server.send(NextValidId(order_id=1))
        server.send(ManagedAccts(accounts_list="DU1234567"))
        session.receive_data(server.data_to_send(), 0.0)
        assert session.phase is Phase.READY, session.phase
        dispatcher = Dispatcher(Wrapper())
        dispatcher.dispatch_all(session.events_to_dispatch())
        return session, dispatcher

    def subscribe(state: Any) -> None:
        session, dispatcher = state
        now = 1.0
        for contract in contracts:
            req_id = session.new_request_id()
            session.submit(ReqMktData(req_id=req_id, contract=contract), now)
        session.on_timer(now + 60)
        session.data_to_send()
        session.receive_data(ticks, now + 60)
        dispatcher.dispatch_all(session.events_to_dispatch())
        assert len(session.live_subscriptions) == SUBSCRIPTIONS, len(session.live_subscriptions)

    return _measure(build, subscribe)


def memory_ib_async() -> int:
    import logging

    from ib_async import IB, Stock

    logging.getLogger("ib_async").setLevel(logging.ERROR)
    contracts = [Stock(f"S{i:04d}", "SMART", "USD", conId=1000 + i) for i in range(SUBSCRIPTIONS)]
    preamble = _preamble()
    ticks = _tick_frames(list(range(1, SUBSCRIPTIONS + 1)))

    class Discard:
        def write(self, data: bytes) -> None:
            pass

    def build() -> Any:
        ib = IB()
        ib.client.MaxRequests = 0
        ib.client.connState = ib.client.CONNECTING
        ib.client.conn.data_received(preamble)
        ib.client.conn.transport = Discard()
        assert ib.client.isReady()
        return ib

    def subscribe(ib: Any) -> None:
        tickers = [ib.reqMktData(contract) for contract in contracts]
        ib.client.conn.data_received(ticks)
        assert tickers[-1].bid > 0 and len(ib.wrapper.reqId2Ticker) == SUBSCRIPTIONS

    return _measure(build, subscribe)


def memory_ibapi() -> int:
    global SERIES_FOUND
    import ibapi
    from ibapi import comm

    SERIES_FOUND = ibapi.get_version_string()
    from ibapi.client import EClient
    from ibapi.contract import Contract
    from ibapi.decoder import Decoder
    from ibapi.wrapper import EWrapper

    contracts = []
    for i in range(SUBSCRIPTIONS):
        contract = Contract()
        contract.conId = 1000 + i
        contract.symbol = f"S{i:04d}"
        contract.secType = "STK"
        contract.exchange = "SMART"
        contract.currency = "USD"
        contracts.append(contract)
    ticks = _tick_frames(list(range(1, SUBSCRIPTIONS + 1)))

    class Quiet(EWrapper):
        received = 0

        def tickPrice(self, *args: object) -> None:  # noqa: N802 - ibapi's name
            self.received += 1

        def tickSize(self, *args: object) -> None:  # noqa: N802
            self.received += 1

    class Discard:
        def isConnected(self) -> bool:  # noqa: N802
            return True

        def sendMsg(self, msg: bytes) -> None:  # noqa: N802
            pass

    def build() -> Any:
        wrapper = Quiet()
        client = EClient(wrapper)
        client.conn = Discard()
        client.serverVersion_ = VERSION
        client.connState = EClient.CONNECTED
        client.decoder = Decoder(wrapper, VERSION)
        return client

    def subscribe(client: Any) -> None:
        for req_id, contract in enumerate(contracts, 1):
            client.reqMktData(req_id, contract, "", False, False, [])
        buf = ticks
        while buf:
            _, msg, buf = comm.read_msg(buf)
            if SERIES_FOUND.startswith("10."):
                # The text branch of EClient.run in ibapi 10: the id is cut off first.
                cut = msg.index(b"\0")
                client.decoder.interpret(comm.read_fields(msg[cut + 1 :]), int(msg[:cut]))
            else:
                client.decoder.interpret(comm.read_fields(msg))
        assert client.wrapper.received >= 2 * SUBSCRIPTIONS

    return _measure(build, subscribe)


SERIES_FOUND = ""

MEMORY: dict[str, Callable[[], int]] = {
    "ibwire": memory_ibwire,
    "ib_async": memory_ib_async,
    "ibapi": memory_ibapi,
    "official": memory_ibapi,
}


def memory(library: str, python: str = sys.executable) -> dict[str, Any]:
    """{"bytes": n}, {"missing": text} or {"error": text}, measured in a fresh interpreter."""
    if not _series_ok(library, python):
        return {"missing": f"no ibapi {SERIES[library]}x in {python}"}
    done = subprocess.run(
        [python, str(HERE / "bench_startup.py"), "--memory-of", library],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else f"exit status {done.returncode}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def help_time(runs: int = 7) -> tuple[float, float]:
    """``python -m ibwire.cli --help`` (the ``ibwire`` command): least (wall, CPU) ms.

    The CPU time is the child's user and system time: on a loaded machine the
    wall time also counts waiting for a core.
    """
    with tempfile.TemporaryDirectory(prefix="ibwire-bench-pyc-") as cache:
        env = _import_env(cache)
        args = [sys.executable, "-m", "ibwire.cli", "--help"]
        subprocess.run(args, env=env, capture_output=True, check=True)
        walls, cpus = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(args, env=env, capture_output=True, check=True)
            walls.append((time.perf_counter() - start) * 1000)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            cpus.append(cpu * 1000)
    return min(walls), min(cpus)


def run(runs: int = 7, pythons: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Library -> {"import_ms": ms or None, "memory_bytes": n or None, "memory_error": text}.

    ``pythons`` maps a library to the interpreter that has it (ibapi 9.81 and
    ibapi 10 cannot share one); the others run in this one.  ibwire's entry also
    has ``help_ms``, the start-up of the ``ibwire`` command.
    """
    pythons = pythons or {}
    results: dict[str, dict[str, Any]] = {}
    for library in IMPORTS:
        python = pythons.get(library, sys.executable)
        mem = memory(library, python)
        results[library] = {
            "import_ms": import_time(library, runs, python),
            "memory_bytes": mem.get("bytes"),
            "memory_error": mem.get("error"),
        }
    results["ibwire"]["help_ms"], results["ibwire"]["help_cpu_ms"] = help_time(runs)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="interpreters per import figure")
    parser.add_argument("--memory-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_of:
        try:
            print(json.dumps({"bytes": MEMORY[args.memory_of]()}))
        except ImportError as exc:
            print(json.dumps({"missing": f"{args.memory_of} not installed ({exc})"}))
        return
    results = run(args.runs)
    print(f"{'library':<10}{'import ms':>12}{'KiB / 1,000 subscriptions':>28}")
    for library, r in results.items():
        imp = "n/a" if r["import_ms"] is None else f"{r['import_ms']:.1f}"
        size = r["memory_bytes"]
        mem = r["memory_error"] or ("n/a" if size is None else f"{size / 1024:,.0f}")
        print(f"{library:<10}{imp:>12}{mem:>28}")


if __name__ == "__main__":
    main()
