"""The ``ibwire`` command.

Each subcommand is a :class:`Command`: a name, a one-line help, a function that
adds its arguments to its parser, and a function that runs it and returns the
exit status.  :data:`COMMANDS` is the table ``main`` builds the parser from; a
new subcommand is one more entry.

Subcommands here:

* ``ibwire record``: a recording proxy between a client and a gateway;
* ``ibwire replay``: a fake gateway replaying a session file;
* ``ibwire serve --simulate``: the simulated paper gateway (``--sessions``: with the
  venues' trading hours and holidays);
* ``ibwire probe``: the live conformance probe;
* ``ibwire demo``: a narrated session against the simulator (or a paper gateway);
* ``ibwire history``: bulk historical bars, paced and resumable, to CSV or Parquet;
* ``ibwire ping``: handshake, server version and server time;
* ``ibwire log``: a session file decoded, one line per frame.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

__all__ = ["COMMANDS", "Command", "build_parser", "main"]


@dataclass(frozen=True)
class Command:
    """One subcommand of ``ibwire``.

    Attributes:
        name: the subcommand's name.
        help: its one-line description.
        configure: adds its arguments to its parser.
        run: runs it with the parsed arguments; returns the exit status.
    """

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _port(text: str) -> int:
    port = int(text) if text.isdigit() and text.isascii() else -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, not {text!r}")
    return port


def _what_to_show(text: str) -> str:
    from .bars import what_to_show

    try:
        return what_to_show(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _address(text: str) -> tuple[str, int]:
    # HOST:PORT, [IPV6]:PORT or PORT alone (on 127.0.0.1).
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", text
    if host.startswith("[") and host.endswith("]") and len(host) > 2:
        host = host[1:-1]
    try:
        if "[" in host or "]" in host:
            raise argparse.ArgumentTypeError(host)
        return host or "127.0.0.1", _port(port)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, not {text!r}") from None


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, not {text!r}")
    return value


def _how_long(text: str) -> float:
    # A --duration: 0 stops at once; nan would never stop, a negative one is a typo.
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value < math.inf:
        raise argparse.ArgumentTypeError(f"expected a number of seconds from 0, not {text!r}")
    return value


def _pattern(text: str) -> str:
    try:
        re.compile(text)
    except re.error as exc:
        raise argparse.ArgumentTypeError(f"not a regular expression: {text!r} ({exc})") from None
    return text


def _timing(text: str) -> str | float:
    # The replay checks the factor's range (ReplayCore): a bad one exits with status 2.
    if text in ("fast", "recorded"):
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("timing is 'fast', 'recorded' or a factor such as 0.5") from None


def _wait(duration: float | None, done: Callable[[], bool] = lambda: False) -> None:
    """Sleep until ``duration`` passed, ``done()`` holds, or Ctrl-C."""
    deadline = None if duration is None else time.monotonic() + duration
    try:
        while not done():
            if deadline is not None and time.monotonic() >= deadline:
                return
            time.sleep(0.05)
    except KeyboardInterrupt:
        return


def _print(text: str) -> None:
    print(text, flush=True)


# ---------------------------------------------------------------- record


def _configure_record(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--listen", type=_address, default=("127.0.0.1", 4102), metavar="HOST:PORT",
                        help="where clients connect (default 127.0.0.1:4102; an IPv6 address in brackets, [::1]:4102)")
    parser.add_argument("--upstream", type=_address, default=("127.0.0.1", 4002), metavar="HOST:PORT",
                        help="the gateway to forward to (default 127.0.0.1:4002)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the session file to write")
    parser.add_argument("--redact", action="append", type=_pattern, default=[], metavar="REGEX",
                        help="also redact matches of this regular expression (repeatable)")
    parser.add_argument("--no-redact-accounts", action="store_true",
                        help="keep account ids in the recording")
    parser.add_argument("--duration", type=_how_long, default=None, metavar="SECONDS",
                        help="stop after this long (default: run until Ctrl-C)")


def _run_record(args: argparse.Namespace) -> int:
    from .testing.recorder import Recorder

    recorder = Recorder(args.listen, args.upstream, args.output, redact=not args.no_redact_accounts,
                        patterns=args.redact)
    try:
        recorder.start()
    except OSError as exc:
        if exc.filename is not None:
            print(f"ibwire record: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        else:
            print(f"ibwire record: cannot listen on {_hostport(*args.listen)}: {exc}", file=sys.stderr)
        return 2
    _print(f"recording {_hostport(recorder.host, recorder.port)} -> {_hostport(*args.upstream)} into {args.output}")
    reported = 0

    def report_errors() -> bool:
        # As they happen (a client the gateway did not answer is told nothing else).
        nonlocal reported
        errors = recorder.errors[reported:]
        reported += len(errors)
        for error in errors:
            print(error, file=sys.stderr, flush=True)
        return False

    try:
        _wait(args.duration, report_errors)
    finally:
        session = recorder.stop()
    report_errors()
    if recorder.errors and not session.legs():
        # Clients came, and not one of them got through: nothing worth keeping was recorded.
        print(f"ibwire record: the gateway at {_hostport(*args.upstream)} was unreachable for every "
              f"client ({len(recorder.errors)} connection(s)); nothing recorded", file=sys.stderr)
        return 2
    _print(f"wrote {len(session.records)} records on {len(session.legs())} connection(s) to {args.output}")
    return 0


# ---------------------------------------------------------------- replay


def _configure_replay(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", help="the session file to play")
    parser.add_argument("--host", default="127.0.0.1", help="the address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=4002, help="the port to listen on (default 4002; 0: any)")
    parser.add_argument("--mode", choices=("strict", "lenient"), default="strict",
                        help="compare requests field for field (strict) or up to ids (lenient)")
    parser.add_argument("--timing", type=_timing, default="fast",
                        help="'fast', 'recorded', or a factor of the recorded delays")
    parser.add_argument("--forever", action="store_true",
                        help="keep serving after every recorded connection was played")
    parser.add_argument("--duration", type=_how_long, default=None, metavar="SECONDS",
                        help="stop after this long")


def _run_replay(args: argparse.Namespace) -> int:
    from .testing.replay import FakeGateway

    try:
        gateway = FakeGateway.from_session(args.session, mode=args.mode, timing=args.timing,
                                           host=args.host, port=args.port)
    except (OSError, ValueError) as exc:  # a SessionFormatError, or a bad timing factor
        print(f"ibwire replay: {exc}", file=sys.stderr)
        return 2
    try:
        gateway.start()
    except OSError as exc:
        print(f"ibwire replay: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    _print(f"replaying {args.session} ({len(gateway.session.legs())} connection(s)) on {args.host}:{gateway.port}")
    try:
        _wait(args.duration, lambda: not args.forever and gateway.is_done)
    finally:
        gateway.stop()
    # Stopped early (--duration, Ctrl-C): the requests no client sent count too.
    divergences = gateway.divergences + gateway.core.missing()
    for divergence in divergences:
        print(f"divergence: {divergence}", file=sys.stderr)
    if divergences:
        return 1
    _print("replay finished without divergence")
    return 0


# ---------------------------------------------------------------- serve


def _configure_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--simulate", action="store_true", required=True,
                        help="serve the simulated paper gateway (the only kind for now)")
    parser.add_argument("--host", default="127.0.0.1", help="the address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=4002, help="the port (default 4002; 0: any)")
    parser.add_argument("--seed", type=int, default=0, help="the random seed (default 0)")
    parser.add_argument("--account", action="append", default=None, metavar="ID",
                        help="a paper account id (repeatable; default DU0000001)")
    parser.add_argument("--no-permission", action="append", default=[], metavar="SYMBOL",
                        help="a symbol without market data permission: error 354 (repeatable)")
    parser.add_argument("--tick-interval", type=_seconds, default=1.0, metavar="SECONDS",
                        help="seconds between market data updates (default 1)")
    parser.add_argument("--sessions", action="store_true",
                        help="keep the venues' trading hours: no fills or intraday bars while a venue is "
                             "closed, outsideRth honoured (default: the venues never close)")
    parser.add_argument("--duration", type=_how_long, default=None, metavar="SECONDS",
                        help="stop after this long (default: run until Ctrl-C)")


def _run_serve(args: argparse.Namespace) -> int:
    from .testing.simulator import SimulatedGateway

    gateway = SimulatedGateway(
        seed=args.seed, port=args.port, host=args.host, accounts=tuple(args.account or ("DU0000001",)),
        no_permission=args.no_permission, tick_interval=args.tick_interval, sessions=args.sessions,
    )
    try:
        gateway.start()
    except OSError as exc:
        print(f"ibwire serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    hours = ", trading sessions" if args.sessions else ""
    _print(f"simulated gateway on {args.host}:{gateway.port} (seed {args.seed}{hours})")
    try:
        _wait(args.duration)
    finally:
        gateway.stop()
    return 0


def _gateway_options(parser: argparse.ArgumentParser, *, client_id: int, timeout: float) -> None:
    """``--host``, ``--port``, ``--client-id`` and ``--timeout``: the gateway a command talks to."""
    parser.add_argument("--host", default="127.0.0.1", help="the gateway's address (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=4002, help="the gateway's port (default 4002)")
    parser.add_argument("--client-id", type=int, default=client_id,
                        help=f"the client id to use (default {client_id})")
    parser.add_argument("--timeout", type=_seconds, default=timeout, metavar="SECONDS",
                        help=f"seconds to connect, and for each request once sent (default {timeout:g})")


# ---------------------------------------------------------------- probe


def _configure_probe(parser: argparse.ArgumentParser) -> None:
    _gateway_options(parser, client_id=999, timeout=15.0)
    parser.add_argument("-o", "--output", default=None, metavar="FILE", help="also write the session file")


def _run_probe(args: argparse.Namespace) -> int:
    from .errors import RemoteProtocolError
    from .testing.probe import probe

    try:
        report = probe(args.host, args.port, args.client_id, args.output, timeout=args.timeout)
    except (OSError, TimeoutError, RemoteProtocolError) as exc:
        # RemoteProtocolError: the peer does not speak the TWS API (an HTTP server...).
        if isinstance(exc, OSError) and exc.filename is not None:
            print(f"ibwire probe: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        else:
            print(f"ibwire probe: cannot talk to {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    _print(report.format())
    if args.output:
        _print(f"session written to {args.output}")
    return 0 if report.ok else 1


# ---------------------------------------------------------------- demo


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="a paper gateway's address (with --port; default: the simulator)")
    parser.add_argument("--port", type=_port, default=None,
                        help="a paper gateway's port, e.g. 4002 (default: start the simulator)")
    parser.add_argument("--client-id", type=int, default=1, help="the client id (default 1)")
    parser.add_argument("--symbol", default="AAPL", help="the stock to trade (default AAPL)")
    parser.add_argument("--seed", type=int, default=0, help="the simulator's seed (default 0)")
    parser.add_argument("--quick", action="store_true",
                        help="shorter waits (about 3 seconds in all)")


def _run_demo(args: argparse.Namespace) -> int:
    from . import _demo

    return _demo.run(args)


# ---------------------------------------------------------------- history


def _configure_history(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("symbol", help="the symbol, e.g. AAPL")
    parser.add_argument("--sec-type", default="STK", help="security type (default STK)")
    parser.add_argument("--exchange", default="SMART", help="exchange (default SMART)")
    parser.add_argument("--primary-exchange", default="", help="primary exchange, e.g. NASDAQ")
    parser.add_argument("--currency", default="USD", help="currency (default USD)")
    parser.add_argument("--con-id", type=int, default=0, help="contract id (optional)")
    parser.add_argument("--bar-size", default="1 min", help='bar size, e.g. "1 min" (default)')
    parser.add_argument("--duration", default="1 Y",
                        help='how far back from now in calendar time, e.g. "1 Y", "6 M", '
                        '"10 D" (default "1 Y"); the file resumes on fixed dates')
    parser.add_argument("--what", default="TRADES", type=_what_to_show,
                        help="what to show: TRADES, MIDPOINT, BID, ASK, BID_ASK... (default TRADES)")
    parser.add_argument("--rth", action="store_true", help="regular trading hours only")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the CSV file (or .parquet with pyarrow); an existing file is resumed")
    _gateway_options(parser, client_id=41, timeout=60.0)
    parser.add_argument("--simulate", action="store_true",
                        help="download from the built-in simulator on 127.0.0.1 instead of a gateway "
                             "(--host and --port are ignored)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _run_history(args: argparse.Namespace) -> int:
    from . import _history

    return _history.run(args)


# ---------------------------------------------------------------- ping


def _configure_ping(parser: argparse.ArgumentParser) -> None:
    _gateway_options(parser, client_id=998, timeout=10.0)
    parser.add_argument("--simulate", action="store_true",
                        help="ping the built-in simulator on 127.0.0.1 instead of a gateway "
                             "(--host and --port are ignored)")


def _run_ping(args: argparse.Namespace) -> int:
    from .errors import IBWireError
    from .sync import Client
    from .testing.simulator import SimulatedGateway

    gateway = SimulatedGateway(seed=0, port=0).start() if args.simulate else None
    # With --simulate, the simulator is the gateway: where it listens, not --host/--port.
    host, port = (gateway.host, gateway.port) if gateway is not None else (args.host, args.port)
    client = Client(host=host, port=port, client_id=args.client_id,
                    connect_timeout=args.timeout, heartbeat_interval=None)
    try:
        started = time.perf_counter()
        client.connect()
        handshake = time.perf_counter() - started
        sent = time.perf_counter()
        server_time = client.current_time(timeout=args.timeout)
        round_trip = time.perf_counter() - sent
    except IBWireError as exc:
        print(f"ibwire ping: {host}:{port}: {exc}", file=sys.stderr)
        return 2
    finally:
        client.disconnect()
        if gateway is not None:
            gateway.stop()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(server_time))
    _print(f"{host}:{port} server version {client.server_version}, "
           f"accounts {', '.join(client.accounts) or '-'}")
    _print(f"server time {stamp} ({server_time}); "
           f"handshake {handshake * 1000:.1f} ms, round trip {round_trip * 1000:.1f} ms")
    return 0


# ---------------------------------------------------------------- log


def _configure_log(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", help="the session file (JSON Lines) to decode")
    parser.add_argument("--leg", type=int, default=None, help="only this connection (from 0)")
    parser.add_argument("--all-fields", action="store_true",
                        help="show every field, not only those that differ from their defaults")


def _render(value: object, all_fields: bool) -> str:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts = []
        for item in dataclasses.fields(value):
            current = getattr(value, item.name)
            if not all_fields and _is_default(item, current):
                continue
            parts.append(f"{item.name}={_render(current, all_fields)}")
        return f"{type(value).__name__}({', '.join(parts)})"
    if isinstance(value, tuple):
        return "(" + ", ".join(_render(item, all_fields) for item in value) + ")"
    return repr(value)


def _is_default(item: dataclasses.Field[object], value: object) -> bool:
    if item.default is not dataclasses.MISSING:
        return bool(value == item.default)
    if item.default_factory is not dataclasses.MISSING:
        return bool(value == item.default_factory())
    return False


def _run_log(args: argparse.Namespace) -> int:
    from .errors import MalformedMessageError
    from .messages import Message
    from .protobuf.catalogue import PROTOBUF_ID_OFFSET
    from .testing._decode import FrameReader, raw_id
    from .testing.session import Session, SessionFormatError
    from .versions import PROTOBUF_VERSION

    try:
        session = Session.load(args.session)
    except (OSError, SessionFormatError) as exc:
        print(f"ibwire log: {exc}", file=sys.stderr)
        return 2
    header = session.header
    _print(f"# {args.session}: server version {header.server_version}, client id "
           f"{header.client_id}, recorded {header.recorded_at or '?'}, {len(session.records)} records")
    reader = FrameReader()
    bad = 0
    for record in session.records:
        if args.leg is not None and record.leg != args.leg:
            continue
        arrow = "<-" if record.direction == "in" else "->"
        prefix = f"{record.t:10.4f} {record.leg:>3} {arrow}"
        if record.kind != "frame":
            fields = record.fields if record.kind == "hello" else record.text_fields()
            detail = " ".join(fields or ())
            _print(f"{prefix} [{record.kind}] {detail}".rstrip())
            continue
        version = session.server_version_of(record.leg)
        # Frames we received are decoded as a client does; frames we sent, as TWS does.
        incoming = record.direction == "in"
        message: Message
        # A frame that travelled in protobuf form says so.
        form = ""
        # Text fields, also of a frame kept raw for bytes that are not UTF-8
        # (before 201), read as the receiver reads them.
        fields = record.text_fields() if version is None or version < PROTOBUF_VERSION else record.fields
        try:
            if fields is not None:
                if version is None:
                    _print(f"{prefix} [no handshake] {list(fields)}")
                    continue
                message = reader.fields(fields, version, incoming=incoming)
            elif version is not None and version >= PROTOBUF_VERSION:
                # From 201 a frame is kept whole: raw id, then a text or protobuf body.
                payload = record.payload()
                if (raw_id(payload) or 0) > PROTOBUF_ID_OFFSET:
                    form = "[pb] "
                message = reader.payload(payload, version, incoming=incoming)
            else:
                _print(f"{prefix} [undecodable] {len(record.payload())} bytes")
                bad += 1
                continue
        except KeyError:
            what = list(fields[1:]) if fields else f"{len(record.payload())} bytes"
            _print(f"{prefix} [unknown id {record.msg_id}] {what}")
            continue
        except MalformedMessageError as exc:
            _print(f"{prefix} [malformed] {exc}")
            bad += 1
            continue
        _print(f"{prefix} {form}{_render(message, args.all_fields)}")
    return 1 if bad else 0


#: Every subcommand, in the order ``ibwire --help`` lists them.
COMMANDS: tuple[Command, ...] = (
    Command("record", "record a client and a gateway through a proxy into a session file",
            _configure_record, _run_record),
    Command("replay", "serve a recorded session as a fake gateway", _configure_replay, _run_replay),
    Command("serve", "serve the simulated paper gateway", _configure_serve, _run_serve),
    Command("probe", "check how a live gateway's messages decode (read-only requests)",
            _configure_probe, _run_probe),
    Command("demo", "a narrated tour: quotes, bars, a bracket order, positions and P&L",
            _configure_demo, _run_demo),
    Command("history", "download historical bars in paced, resumable chunks to CSV or Parquet",
            _configure_history, _run_history),
    Command("ping", "connect, and print the server version and time", _configure_ping, _run_ping),
    Command("log", "decode a session file: one line per frame", _configure_log, _run_log),
)


def build_parser(commands: Sequence[Command] = COMMANDS) -> argparse.ArgumentParser:
    """The argument parser of ``ibwire`` with one subparser per command."""
    parser = argparse.ArgumentParser(prog="ibwire", description="Tools for the TWS API wire protocol.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in commands:
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        command.configure(child)
        child.set_defaults(_run=command.run)
    return parser


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _stop_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP (``kill``, a closed terminal) stop a command as Ctrl-C
    does, so that ``ibwire record`` still writes its file; the main thread only."""
    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    if threading.current_thread() is not threading.main_thread():
        names = []
    previous = {name: signal.signal(getattr(signal, name), _interrupt) for name in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


def main(argv: list[str] | None = None) -> int:
    """Run the ``ibwire`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args._run
    try:
        with _stop_signals():
            return run(args)
    except KeyboardInterrupt:
        # Ctrl-C where the command does not wait for it (demo, log, ping, probe).
        return 130
    except BrokenPipeError:
        # The reader of the output left (``ibwire log file | head``): stop quietly,
        # and let nothing more be written to the closed pipe at exit.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
