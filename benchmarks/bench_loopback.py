"""End to end over loopback: a gateway process streams, a client's callbacks count.

Every contender runs in a process of its own against a gateway process
(:mod:`_gateway`) on 127.0.0.1, at server version 157 (the highest ibapi 9.81
speaks):

* **throughput**: the gateway writes ``--messages`` messages of the mixed stream
  (:mod:`_stream`), pre-encoded, as fast as the socket takes them, then a
  CURRENT_TIME message.  The figure is messages over the time from the
  client's start signal to its ``currentTime`` callback.
* **latency**: the gateway writes one frame per ``send`` at a fixed offered load
  (``--rate``, 10,000 messages per second); every fifth message is a TICK_STRING
  stamped with its send time (``CLOCK_MONOTONIC``), and the callback records
  the time elapsed since.  Percentiles are over the stamped messages.

Contenders:

* raw floor, asyncio / thread: read the socket (an ``asyncio.Protocol``; a
  thread calling ``recv``), cut frames and ``bytes.split`` them; no decoding,
  no dispatch;
* ``ibwire.asyncio.Client`` and ``ibwire.sync.Client``: the real front ends
  (session, pacer, dispatch to a counting :class:`ibwire.Wrapper`);
* ibwire core pump, asyncio / thread: :class:`ibwire.ClientProtocol` driven by a
  plain ``asyncio.Protocol`` and by a plain reader thread, delivering through
  :class:`ibwire.dispatch.Dispatcher` - the core alone, without the session
  (throughput only);
* ib_async 2.1.0: its ``Client`` (asyncio ``Connection``, framing, ``Decoder``)
  connected for real, with a counting ``Wrapper`` subclass;
* ibapi 9.81: its ``EClient`` connected for real, the ``EReader`` thread and
  ``EClient.run`` in a second thread, with a counting ``EWrapper``.

Every client's callback counts are compared with the stream's manifest.

Run: ``python benchmarks/bench_loopback.py [--messages N] [--rate R] [--seconds S]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _decoders import (  # noqa: E402
    IB_ASYNC_CALLBACKS,
    IB_ASYNC_IGNORED,
    IBAPI_CALLBACKS,
    IBAPI_IGNORED,
    IBWIRE_CALLBACKS,
    KINDS,
    as_dict,
    counting_class,
    new_counts,
)
from _gateway import now_ns  # noqa: E402
from _stream import Manifest, make_stream, manifest_of, paced_manifest, plan  # noqa: E402

VERSION = 157
READ_SIZE = 262144
CLIENTS = (
    "raw floor (asyncio)",
    "raw floor (thread)",
    "ibwire.asyncio.Client",
    "ibwire.sync.Client",
    "ibwire core pump (asyncio)",
    "ibwire core pump (thread)",
    "ib_async",
    "ibapi",
)
#: Clients of the throughput run only.
THROUGHPUT_ONLY = ("ibwire core pump (asyncio)", "ibwire core pump (thread)")
_SLOT_STRING = KINDS.index("tick_string")
_HEADER = struct.Struct(">I")
_unpack_from = _HEADER.unpack_from


def _frame(*fields: str) -> bytes:
    payload = ("\0".join(fields) + "\0").encode()
    return _HEADER.pack(len(payload)) + payload


HELLO = b"API\0" + _HEADER.pack(9) + b"v100..200"
START_API = _frame("71", "2", "0", "")
#: reqCurrentTime: the start signal (the gateway does not answer it).
GO = _frame("49", "1")


class Run:
    """What one client measured."""

    def __init__(self) -> None:
        self.counts = new_counts()
        self.latencies: list[int] = []
        self.started = 0.0
        self.finished = 0.0
        self.done = threading.Event()
        #: Also called when the end arrives (asyncio clients wake their loop).
        self.on_finish: Callable[[], None] | None = None

    def finish(self) -> None:
        """The end-of-stream message reached its callback."""
        if not self.finished:
            self.finished = time.perf_counter()
            self.done.set()
            if self.on_finish is not None:
                self.on_finish()


# ----------------------------------------------------------------------------- raw floor


class RawReader:
    """Frames and splits, counts, and reads the stamps; the handshake by hand."""

    def __init__(self, run: Run, send: Callable[[bytes], None]) -> None:
        self.run = run
        self.send = send
        self.tail = b""
        self.seen = 0  # frames before the stream: reply, nextValidId, managedAccounts
        self.count = 0

    def feed(self, data: bytes) -> None:
        buffer = self.tail + data if self.tail else data
        end = len(buffer)
        pos = 0
        count = self.count
        latencies = self.run.latencies
        while end - pos >= 4:
            (size,) = _unpack_from(buffer, pos)
            stop = pos + 4 + size
            if stop > end:
                break
            fields = buffer[pos + 4 : stop].split(b"\0")
            pos = stop
            if self.seen < 3:
                self._startup()
                continue
            if fields[2] == b"0" and fields[0] == b"46":
                latencies.append(now_ns() - int(fields[4]))
            elif fields[0] == b"49":
                self.run.counts[0] = count
                self.run.finish()
                continue
            count += 1
        self.tail = buffer[pos:]
        self.count = count
        self.run.counts[0] = count

    def _startup(self) -> None:
        self.seen += 1
        if self.seen == 1:
            self.send(START_API)
        elif self.seen == 3:
            self.run.started = time.perf_counter()
            self.send(GO)


def floor_asyncio(port: int, run: Run) -> None:
    class Reader(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            transport.write(HELLO)
            self.reader = RawReader(run, transport.write)

        def data_received(self, data: bytes) -> None:
            self.reader.feed(data)

    async def main() -> None:
        done = asyncio.Event()
        run.on_finish = done.set
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_connection(Reader, "127.0.0.1", port)
        await done.wait()
        transport.close()

    asyncio.run(main())


def _reader_thread(port: int, feed_of: Callable[[socket.socket], Callable[[bytes], None]], run: Run) -> None:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    feed = feed_of(sock)

    def pump() -> None:
        recv = sock.recv
        while not run.finished:
            data = recv(READ_SIZE)
            if not data:
                break
            feed(data)
        run.done.set()  # also on a premature end: the counts will tell

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    run.done.wait()
    sock.close()
    thread.join(5)


def floor_thread(port: int, run: Run) -> None:
    def feed_of(sock: socket.socket) -> Callable[[bytes], None]:
        sock.sendall(HELLO)
        return RawReader(run, sock.sendall).feed

    _reader_thread(port, feed_of, run)


# ----------------------------------------------------------------------------- ibwire


def _ibwire_wrapper(run: Run) -> Any:
    from ibwire.wrapper import Wrapper

    counting = counting_class(Wrapper, IBWIRE_CALLBACKS)

    class Counting(counting):  # type: ignore[misc, valid-type]
        ready = 0

        def tick_string(self, m: Any) -> None:
            self.counts[_SLOT_STRING] += 1
            if m.req_id == 0:
                self.latencies.append(now_ns() - int(m.value))

        def current_time(self, m: Any) -> None:
            run.finish()

        def next_valid_id(self, m: Any) -> None:
            self.ready += 1

        def managed_accounts(self, m: Any) -> None:
            self.ready += 1

    wrapper = Counting()
    wrapper.counts = run.counts
    wrapper.latencies = run.latencies
    return wrapper


class IbwirePump:
    """The front ends' loop around the core, minus the pacer and the session."""

    def __init__(self, run: Run, write: Callable[[bytes], None]) -> None:
        from ibwire import ClientProtocol
        from ibwire.dispatch import Dispatcher

        self.run = run
        self.write = write
        self.protocol = ClientProtocol(0)
        self.wrapper = _ibwire_wrapper(run)
        self.deliver = Dispatcher(self.wrapper).dispatch_all
        self.started = False
        self.protocol.connect()
        write(self.protocol.data_to_send())

    def feed(self, data: bytes) -> None:
        protocol = self.protocol
        protocol.receive_data(data)
        self.deliver(protocol.events_received())
        if not self.started and self.wrapper.ready == 2:
            from ibwire.messages import ReqCurrentTime

            self.started = True
            self.run.started = time.perf_counter()
            protocol.send(ReqCurrentTime())
        out = protocol.data_to_send()
        if out:
            self.write(out)


def ibwire_asyncio(port: int, run: Run) -> None:
    class Pump(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self.pump = IbwirePump(run, transport.write)

        def data_received(self, data: bytes) -> None:
            self.pump.feed(data)

    async def main() -> None:
        done = asyncio.Event()
        run.on_finish = done.set
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_connection(Pump, "127.0.0.1", port)
        await done.wait()
        transport.close()

    asyncio.run(main())


def ibwire_thread(port: int, run: Run) -> None:
    _reader_thread(port, lambda sock: IbwirePump(run, sock.sendall).feed, run)


def ibwire_asyncio_client(port: int, run: Run) -> None:
    from ibwire.asyncio import Client

    async def main() -> None:
        done = asyncio.Event()
        run.on_finish = done.set
        client = Client(_ibwire_wrapper(run), "127.0.0.1", port, 0)
        await client.connect(10)
        run.started = time.perf_counter()
        client.req_current_time()
        await done.wait()
        await client.disconnect()

    asyncio.run(main())


def ibwire_sync_client(port: int, run: Run) -> None:
    from ibwire.sync import Client

    client = Client(_ibwire_wrapper(run), "127.0.0.1", port, 0)
    client.connect(10)
    run.started = time.perf_counter()
    client.req_current_time()
    run.done.wait(600)
    client.disconnect()


# ----------------------------------------------------------------------------- ib_async


def ib_async_client(port: int, run: Run) -> None:
    import logging

    from ib_async.client import Client
    from ib_async.wrapper import Wrapper

    logging.getLogger("ib_async").setLevel(logging.ERROR)
    counting = counting_class(Wrapper, IB_ASYNC_CALLBACKS, IB_ASYNC_IGNORED)

    class Counting(counting):  # type: ignore[misc, valid-type]
        def tickString(self, reqId: int, tickType: int, value: str) -> None:  # noqa: N802, N803
            self.counts[_SLOT_STRING] += 1
            if reqId == 0:
                self.latencies.append(now_ns() - int(value))

        def currentTime(self, time: int) -> None:  # noqa: N802
            run.finish()

    async def main() -> None:
        done = asyncio.Event()
        run.on_finish = done.set
        wrapper = object.__new__(Counting)
        wrapper.counts = run.counts
        wrapper.latencies = run.latencies
        client = Client(wrapper)
        await client.connectAsync("127.0.0.1", port, 0, timeout=10)
        run.started = time.perf_counter()
        client.reqCurrentTime()
        await done.wait()
        client.disconnect()

    asyncio.run(main())


# ----------------------------------------------------------------------------- ibapi


def ibapi_client(port: int, run: Run) -> None:
    from ibapi.client import EClient
    from ibapi.wrapper import EWrapper

    counting = counting_class(EWrapper, IBAPI_CALLBACKS, IBAPI_IGNORED)
    ready = threading.Event()

    class App(counting, EClient):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            EClient.__init__(self, self)
            self.counts = run.counts
            self.latencies = run.latencies

        def tickString(self, reqId: int, tickType: int, value: str) -> None:  # noqa: N802, N803
            self.counts[_SLOT_STRING] += 1
            if reqId == 0:
                self.latencies.append(now_ns() - int(value))

        def nextValidId(self, orderId: int) -> None:  # noqa: N802, N803
            ready.set()

        def currentTime(self, time: int) -> None:  # noqa: N802
            run.finish()

        def connectionClosed(self) -> None:  # noqa: N802
            pass

    app = App()
    app.connect("127.0.0.1", port, 0)
    loop = threading.Thread(target=app.run, daemon=True)
    loop.start()
    if not ready.wait(10):
        raise RuntimeError("ibapi: no nextValidId")
    run.started = time.perf_counter()
    app.reqCurrentTime()
    run.done.wait(600)
    app.disconnect()
    loop.join(5)


RUNNERS: dict[str, Callable[[int, Run], None]] = {
    "raw floor (asyncio)": floor_asyncio,
    "raw floor (thread)": floor_thread,
    "ibwire.asyncio.Client": ibwire_asyncio_client,
    "ibwire.sync.Client": ibwire_sync_client,
    "ibwire core pump (asyncio)": ibwire_asyncio,
    "ibwire core pump (thread)": ibwire_thread,
    "ib_async": ib_async_client,
    "ibapi": ibapi_client,
}


def _available(name: str) -> str | None:
    module = {
        "ib_async": "ib_async",
        "ibapi": "ibapi",
        "ibwire.asyncio.Client": "ibwire.asyncio",
        "ibwire.sync.Client": "ibwire.sync",
    }.get(name)
    if module is None:
        return None
    try:
        __import__(module)
    except ImportError as exc:
        return f"{module} not installed ({exc})"
    return None


def _expected(name: str, manifest: Manifest) -> dict[str, int]:
    if name.startswith("raw floor"):
        return {"messages": manifest.messages}
    want = {kind: manifest.kinds.get(kind, 0) for kind in KINDS}
    if name.startswith("ibapi"):
        want["tick_size"] += manifest.price_with_size
    return want


def _warm_up(name: str) -> None:
    """Decode a short stream in this process first, so no figure pays for first use."""
    import _decoders

    kind = {
        "ibwire.asyncio.Client": _decoders.Ibwire,
        "ibwire.sync.Client": _decoders.Ibwire,
        "ibwire core pump (asyncio)": _decoders.Ibwire,
        "ibwire core pump (thread)": _decoders.Ibwire,
        "ib_async": _decoders.IbAsync,
        "ibapi": _decoders.Ibapi,
    }.get(name, _decoders.RawFloor)
    contender = kind()
    stream = make_stream(5000, VERSION)
    contender.run(contender.prepare(stream), stream.reads(4096))


def client_main(name: str, port: int, mode: str, messages: int, stamp_every: int) -> dict[str, Any]:
    """Run one client against the gateway on ``port``; what it measured, as JSON-able data."""
    if mode == "flood":
        manifest = manifest_of(*plan(messages))
    else:
        manifest = paced_manifest(messages, stamp_every)
    _warm_up(name)
    run = Run()
    RUNNERS[name](port, run)
    if name.startswith("raw floor"):
        got = {"messages": run.counts[0]}
    else:
        got = as_dict(run.counts)
    want = _expected(name, manifest)
    wrong = {k: (got.get(k, 0), want[k]) for k in want if got.get(k, 0) != want[k]}
    check = None if run.finished else "the end of the stream never reached a callback"
    if wrong:
        check = ", ".join(f"{k}: {g} callbacks, {w} expected" for k, (g, w) in wrong.items())
    stamps = len(range(0, messages, stamp_every))
    if mode == "paced" and len(run.latencies) != stamps:
        check = f"{len(run.latencies)} stamped messages, {stamps} expected"
    return {
        "client": name,
        "mode": mode,
        "messages": messages,
        "elapsed": run.finished - run.started if run.finished else float("nan"),
        "latencies_ns": sorted(run.latencies) if mode == "paced" else [],
        "check": check,
    }


# ----------------------------------------------------------------------------- parent side


class GatewayProcess:
    """The gateway in a child process, for as long as the ``with`` block lasts."""

    def __init__(self, mode: str, messages: int, rate: float, stamp_every: int) -> None:
        self.args = [
            sys.executable,
            str(HERE / "_gateway.py"),
            "--version",
            str(VERSION),
            "--mode",
            mode,
            "--messages",
            str(messages),
            "--rate",
            str(rate),
            "--stamp-every",
            str(stamp_every),
        ]

    def __enter__(self) -> int:
        self.process = subprocess.Popen(
            self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env()
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.strip().isdigit():
            self.process.kill()
            raise RuntimeError(f"the gateway did not start: {line!r}")
        return int(line)

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(HERE), str(HERE.parent), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    return env


#: Client name -> the interpreter that runs it (default: this one).
_pythons: dict[str, str] = {}


def _client(name: str, port: int, mode: str, messages: int, stamp_every: int) -> dict[str, Any]:
    args = [
        _pythons.get(name, sys.executable),
        str(HERE / "bench_loopback.py"),
        "--client",
        name,
        "--port",
        str(port),
        "--mode",
        mode,
        "--messages",
        str(messages),
        "--stamp-every",
        str(stamp_every),
    ]
    done = subprocess.run(args, capture_output=True, text=True, env=_env(), timeout=600)
    if done.returncode != 0:
        return {"client": name, "mode": mode, "error": done.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def percentile(sorted_values: list[int], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return float(sorted_values[index])


def run(
    messages: int = 300_000,
    rate: float = 10_000.0,
    seconds: float = 2.0,
    stamp_every: int = 5,
    clients: tuple[str, ...] = CLIENTS,
    pythons: dict[str, str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Client name -> {"rate": msg/s, "p50_us", "p99_us", "p999_us", "max_us", "check"/"missing"}.

    ``pythons`` maps a client name (``ibapi``) to the interpreter that runs it.
    """
    global _pythons
    _pythons = dict(pythons or {})
    results: dict[str, dict[str, Any]] = {name: {} for name in clients}
    for name in clients:
        missing = None if name in _pythons else _available(name)
        if missing:
            results[name]["missing"] = missing
    live = [name for name in clients if "missing" not in results[name]]
    with GatewayProcess("flood", messages, rate, stamp_every) as port:
        for name in live:
            out = _client(name, port, "flood", messages, stamp_every)
            if "error" in out:
                results[name]["error"] = out["error"]
                continue
            results[name]["rate"] = messages / out["elapsed"]
            results[name]["check"] = out["check"]
    paced = int(rate * seconds)
    with GatewayProcess("paced", paced, rate, stamp_every) as port:
        for name in live:
            if name in THROUGHPUT_ONLY:
                continue
            out = _client(name, port, "paced", paced, stamp_every)
            if "error" in out:
                results[name]["error"] = out["error"]
                continue
            lat = out["latencies_ns"]
            results[name].update(
                p50_us=percentile(lat, 0.50) / 1e3,
                p99_us=percentile(lat, 0.99) / 1e3,
                p999_us=percentile(lat, 0.999) / 1e3,
                max_us=(lat[-1] if lat else float("nan")) / 1e3,
                offered=paced / out["elapsed"] if out["elapsed"] > 0 else float("nan"),
            )
            if out["check"]:
                results[name]["check"] = out["check"]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300_000, help="throughput run length")
    parser.add_argument("--rate", type=float, default=10_000.0, help="offered load of the latency run")
    parser.add_argument("--seconds", type=float, default=2.0, help="latency run length")
    parser.add_argument("--stamp-every", type=int, default=5)
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(client_main(args.client, args.port, args.mode, args.messages, args.stamp_every)))
        return
    results = run(args.messages, args.rate, args.seconds, args.stamp_every)
    print(f"loopback, server version {VERSION}: {args.messages:,} messages flooded; "
          f"{args.rate:,.0f} msg/s offered for {args.seconds:g} s")
    print(f"{'client':<28}{'msg/s':>12}{'p50 us':>10}{'p99 us':>10}{'p99.9 us':>10}{'max us':>10}  check")
    for name, r in results.items():
        if "missing" in r or "error" in r:
            print(f"{name:<28}  {r.get('missing') or r.get('error')}")
            continue
        lat = [r.get(k, float("nan")) for k in ("p50_us", "p99_us", "p999_us", "max_us")]
        print(
            f"{name:<28}{r['rate']:>12,.0f}" + "".join(f"{v:>10.0f}" for v in lat)
            + f"  {r['check'] or 'ok'}"
        )


if __name__ == "__main__":
    main()
