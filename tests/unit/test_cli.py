"""The ``ibwire`` command, over loopback: the table of subcommands and record, replay, serve, probe."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ibwire.cli import COMMANDS, build_parser, main
from ibwire.messages import Contract, ContractDataEnd, CurrentTime, ReqContractData, ReqCurrentTime
from ibwire.testing import Recorder, Session, SessionRecord, SimulatedGateway, WireClient
from ibwire.testing._server import timeout_scale

TIMEOUT = 5.0 * timeout_scale()
AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Run(threading.Thread):
    """``main(argv)`` in a thread, keeping its exit status."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(daemon=True)
        self.argv = argv
        self.status: int | None = None

    def run(self) -> None:
        self.status = main(self.argv)

    def result(self) -> int | None:
        self.join(TIMEOUT * 2)
        assert not self.is_alive(), f"ibwire {self.argv[0]} did not finish"
        return self.status


def connect(port: int, client_id: int) -> WireClient:
    """Connect once the command listens."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        client = WireClient("127.0.0.1", port, client_id, timeout=TIMEOUT)
        try:
            client.connect()
            return client
        except OSError:
            client.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def contract_script(client: WireClient) -> None:
    with client:
        client.send(ReqContractData(req_id=1, contract=AAPL))
        client.wait_for(ContractDataEnd)


def test_the_table_builds_the_parser() -> None:
    names = [command.name for command in COMMANDS]
    assert names[:4] == ["record", "replay", "serve", "probe"]
    assert {"demo", "history", "ping", "log"} <= set(names)
    parser = build_parser()
    args = parser.parse_args(["record", "--listen", "4102", "--upstream", "10.0.0.1:4001", "-o", "x.jsonl"])
    assert args.listen == ("127.0.0.1", 4102) and args.upstream == ("10.0.0.1", 4001)
    args = parser.parse_args(["replay", "s.jsonl", "--timing", "0.5", "--mode", "lenient"])
    assert args.timing == 0.5 and args.port == 4002
    with pytest.raises(SystemExit):
        parser.parse_args(["replay", "s.jsonl", "--timing", "slow"])
    with pytest.raises(SystemExit):
        parser.parse_args(["record", "--listen", "host:port", "-o", "x"])
    with pytest.raises(SystemExit):
        parser.parse_args(["serve"])  # --simulate is required
    with pytest.raises(SystemExit):
        parser.parse_args([])


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["replay", "s.jsonl", "--port", "99999"], "expected a port from 0 to 65535, not '99999'"),
        (["serve", "--simulate", "--port", "-1"], "expected a port from 0 to 65535, not '-1'"),
        (["ping", "--port", "70000"], "expected a port from 0 to 65535"),
        (["demo", "--port", "4002x"], "expected a port from 0 to 65535"),
        (["record", "--listen", "127.0.0.1:65536", "-o", "x"], "expected HOST:PORT, not '127.0.0.1:65536'"),
        (["record", "--redact", "(", "-o", "x"], "not a regular expression: '('"),
        (["ping", "--timeout", "-1"], "expected a number of seconds above 0, not '-1'"),
        (["history", "AAPL", "-o", "x", "--timeout", "0"], "expected a number of seconds above 0, not '0'"),
        (["probe", "--timeout", "nan"], "expected a number of seconds above 0, not 'nan'"),
        (["history", "AAPL", "-o", "x", "--what", "trade"], "unknown what_to_show 'trade'"),
        # 0 and below flood every subscription with ticks; nan stopped the simulator's thread.
        (["serve", "--simulate", "--tick-interval", "0"], "expected a number of seconds above 0, not '0'"),
        (["serve", "--simulate", "--tick-interval", "nan"], "expected a number of seconds above 0, not 'nan'"),
        # nan never stopped; a negative duration stopped at once.
        (["serve", "--simulate", "--duration", "nan"], "expected a number of seconds from 0, not 'nan'"),
        (["record", "-o", "x", "--duration", "-5"], "expected a number of seconds from 0, not '-5'"),
        (["replay", "s.jsonl", "--duration", "inf"], "expected a number of seconds from 0, not 'inf'"),
    ],
)
def test_bad_option_values_are_usage_errors(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert words in capsys.readouterr().err


def test_python_dash_m_ibwire_runs_the_command() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-m", "ibwire", "--help"], capture_output=True, env=env, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert b"usage: ibwire" in done.stdout and b"replay" in done.stdout


def test_serve(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    run = Run(["serve", "--simulate", "--port", str(port), "--seed", "3", "--duration", str(TIMEOUT / 5)])
    run.start()
    with connect(port, 1) as client:
        client.send(ReqCurrentTime())
        client.wait_for(CurrentTime)
    assert run.result() == 0
    assert f"simulated gateway on 127.0.0.1:{port} (seed 3)" in capsys.readouterr().out


def test_serve_sessions_reaches_the_gateway(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import ibwire.testing.simulator as simulator

    made: list[SimulatedGateway] = []

    class Kept(SimulatedGateway):
        def __init__(self, **kwargs: object) -> None:
            super().__init__(**kwargs)  # type: ignore[arg-type]
            made.append(self)

    monkeypatch.setattr(simulator, "SimulatedGateway", Kept)
    assert build_parser().parse_args(["serve", "--simulate"]).sessions is False
    assert main(["serve", "--simulate", "--port", "0", "--sessions", "--duration", "0"]) == 0
    assert main(["serve", "--simulate", "--port", "0", "--duration", "0"]) == 0
    assert [gateway.core.sessions for gateway in made] == [True, False]
    out = capsys.readouterr().out
    assert "(seed 0, trading sessions)" in out and "(seed 0)\n" in out


def test_record_then_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str], server_version: int) -> None:
    path = tmp_path / "session.jsonl"
    path.write_text("a previous recording\n", encoding="utf-8")
    listen = free_port()
    with SimulatedGateway(seed=1, server_version=server_version) as gateway:
        run = Run(["record", "--listen", f"127.0.0.1:{listen}", "--upstream", f"127.0.0.1:{gateway.port}",
                   "-o", str(path), "--duration", str(TIMEOUT / 5)])
        run.start()
        contract_script(connect(listen, 3))
        assert run.result() == 0
    assert "wrote" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["session.jsonl"]  # the partial file renamed
    session = Session.load(path)
    assert session.header.client_id == 3 and session.legs() == [0]
    assert session.header.server_version == server_version

    port = free_port()
    run = Run(["replay", str(path), "--port", str(port)])
    run.start()
    contract_script(connect(port, 3))
    assert run.result() == 0
    assert "without divergence" in capsys.readouterr().out

    run = Run(["replay", str(path), "--port", str(port), "--mode", "strict"])
    run.start()
    client = connect(port, 3)
    with client:
        client.send(ReqCurrentTime())
        client.wait_closed()
    assert run.result() == 1
    assert "divergence: step" in capsys.readouterr().err


def test_record_addresses_take_an_ipv6_address_in_brackets() -> None:
    args = build_parser().parse_args(["record", "--listen", "[::1]:4102", "--upstream", "[fe80::1]:4002", "-o", "x"])
    assert (args.listen, args.upstream) == (("::1", 4102), ("fe80::1", 4002))
    for bad in ("[::1:4102", "::1]:4102", "[]:4102", "[::1]"):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["record", "--listen", bad, "-o", "x"])


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6")
def test_record_listens_on_ipv6_loopback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        with socket.create_server(("::1", 0), family=socket.AF_INET6) as sock:
            listen = sock.getsockname()[1]
    except OSError:
        pytest.skip("no IPv6 loopback")
    path = tmp_path / "session.jsonl"
    with SimulatedGateway(seed=1) as gateway:
        run = Run(["record", "--listen", f"[::1]:{listen}", "--upstream", f"127.0.0.1:{gateway.port}",
                   "-o", str(path), "--duration", str(TIMEOUT / 5)])
        run.start()
        deadline = time.monotonic() + TIMEOUT
        while True:  # until the command listens
            client = WireClient("::1", listen, 3, timeout=TIMEOUT)
            try:
                client.connect()
                break
            except OSError:
                client.close()
                assert time.monotonic() < deadline
                time.sleep(0.02)
        contract_script(client)
        assert run.result() == 0
        assert f"recording [::1]:{listen} -> 127.0.0.1:{gateway.port} " in capsys.readouterr().out
    assert Session.load(path).legs() == [0]


def test_record_refuses_a_session_file_it_cannot_write_before_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "missing" / "session.jsonl"
    assert main(["record", "--listen", "0", "-o", str(path), "--duration", "0"]) == 2
    assert f"ibwire record: cannot write {path}: No such file or directory" in capsys.readouterr().err
    assert main(["probe", "--port", str(free_port()), "-o", str(path)]) == 2
    assert f"ibwire probe: cannot write {path}: No such file or directory" in capsys.readouterr().err
    recorder = Recorder(("127.0.0.1", 0), ("127.0.0.1", free_port()), path)
    with pytest.raises(FileNotFoundError):
        recorder.start()
    # An existing file is kept: this recorder has nothing to put in its place.
    path = tmp_path / "kept.jsonl"
    path.write_text("before\n", encoding="utf-8")
    recorder = Recorder(("127.0.0.1", 0), ("127.0.0.1", free_port()), path).start()
    assert path.read_text(encoding="utf-8") == "before\n"
    recorder.stop()
    assert path.read_text(encoding="utf-8") == "before\n"
    # A directory is refused at the start too.
    assert main(["record", "--listen", "0", "-o", str(tmp_path), "--duration", "0"]) == 2
    assert f"ibwire record: cannot write {tmp_path}: Is a directory" in capsys.readouterr().err


def test_record_reports_an_unreachable_gateway_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listen, upstream = free_port(), free_port()
    path = tmp_path / "s.jsonl"
    path.write_text("a previous recording\n", encoding="utf-8")
    run = Run(["record", "--listen", str(listen), "--upstream", str(upstream),
               "-o", str(path), "--duration", str(TIMEOUT / 2)])
    run.start()
    client = WireClient("127.0.0.1", listen, 1, timeout=TIMEOUT)
    deadline = time.monotonic() + TIMEOUT
    while True:  # until the command listens
        try:
            client.connect()
        except ConnectionRefusedError:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        except ConnectionError:
            break  # the recorder closed it: nothing answers upstream
        else:
            pytest.fail("the handshake went through a recorder with no gateway")
        finally:
            client.close()
    deadline = time.monotonic() + TIMEOUT / 4
    err = ""
    while "cannot reach the gateway" not in err and time.monotonic() < deadline:
        time.sleep(0.02)
        err += capsys.readouterr().err
    assert run.is_alive(), "the command should still be recording"
    assert f"cannot reach the gateway at ('127.0.0.1', {upstream})" in err
    # No connection ever reached the gateway: a failure, said once more at the end.
    assert run.result() == 2
    err = capsys.readouterr().err
    assert "cannot reach" not in err  # said once
    assert err == (f"ibwire record: the gateway at 127.0.0.1:{upstream} was unreachable for every "
                   "client (1 connection(s)); nothing recorded\n")
    # Nothing recorded: the previous recording is still there, and nothing beside it.
    assert path.read_text(encoding="utf-8") == "a previous recording\n"
    assert [p.name for p in tmp_path.iterdir()] == ["s.jsonl"]


def test_replay_reports_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("{}\n", encoding="utf-8")
    assert main(["replay", str(path), "--port", "0"]) == 2
    assert f"{path}:1:" in capsys.readouterr().err
    assert main(["replay", str(tmp_path / "missing.jsonl"), "--port", "0"]) == 2
    Session().dump(path)
    capsys.readouterr()
    for factor in ("nan", "inf", "-1"):
        assert main(["replay", str(path), "--port", "0", "--timing", factor]) == 2
        assert "ibwire replay: timing must be 'fast', 'recorded' or a finite factor >= 0" in capsys.readouterr().err


def test_replay_stopped_before_it_was_played_is_not_a_success(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "session.jsonl"
    Session(records=[
        SessionRecord(t=0.0, direction="out", kind="hello", fields=("v100..200",)),
        SessionRecord(t=0.0, direction="in", kind="ack", fields=("200", "20240324 21:18:59 EST")),
        SessionRecord(t=0.0, direction="out", fields=("71", "2", "3", "")),
    ]).dump(path)
    assert main(["replay", str(path), "--port", "0", "--duration", "0"]) == 1
    captured = capsys.readouterr()
    assert "without divergence" not in captured.out
    assert "divergence: step 0 (line 2), leg 0: no client connected for this leg" in captured.err


def test_probe_against_the_simulator(tmp_path: Path, capsys: pytest.CaptureFixture[str], server_version: int) -> None:
    path = tmp_path / "probe.jsonl"
    with SimulatedGateway(seed=2, server_version=server_version) as gateway:
        status = main(["probe", "--port", str(gateway.port), "--client-id", "5", "-o", str(path), "--timeout", str(TIMEOUT)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert f"server version {server_version}" in out
    assert "every frame decoded exactly" in out and "ContractData" in out
    # Both directions were checked, each frame decoded and re-encoded exactly.
    assert re.search(r"ContractData +in +1 +1 +0 +0 +1\n", out)
    assert re.search(r"ReqContractData +out +1 +1 +0 +0 +1\n", out)
    assert Session.load(path).header.client_id == 5


def test_probe_unreachable(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    assert main(["probe", "--port", str(port), "--timeout", "1"]) == 2
    # The reason is the recorder's: the gateway refused, not "closed before a ConnectAck".
    assert f"cannot talk to 127.0.0.1:{port}: cannot reach the gateway at ('127.0.0.1', {port}): " in capsys.readouterr().err


def test_probe_a_peer_that_does_not_speak_the_api(capsys: pytest.CaptureFixture[str]) -> None:
    # An HTTP server on the port: its answer read as a frame length is far over the limit.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]

        def answer() -> None:
            with contextlib.suppress(OSError):
                peer, _ = server.accept()
                with peer:
                    peer.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
                    peer.recv(1024)

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        assert main(["probe", "--port", str(port), "--timeout", str(TIMEOUT)]) == 2
        thread.join(TIMEOUT)
    err = capsys.readouterr().err
    assert err.startswith(f"ibwire probe: cannot talk to 127.0.0.1:{port}: frame of ")
    assert "Traceback" not in err


def test_serve_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with SimulatedGateway() as gateway:
        assert main(["serve", "--simulate", "--port", str(gateway.port), "--duration", "0"]) == 2
    assert "cannot listen" in capsys.readouterr().err


def test_record_and_replay_port_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "session.jsonl"
    Session().dump(path)
    with SimulatedGateway() as gateway:
        busy = str(gateway.port)
        assert main(["replay", str(path), "--port", busy, "--duration", "0"]) == 2
        assert f"ibwire replay: cannot listen on 127.0.0.1:{busy}: " in capsys.readouterr().err
        assert main(["record", "--listen", busy, "-o", str(tmp_path / "out.jsonl"), "--duration", "0"]) == 2
        assert f"ibwire record: cannot listen on 127.0.0.1:{busy}: " in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()


def test_ctrl_c_outside_a_wait_ends_quietly(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import ibwire._demo

    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(ibwire._demo, "run", interrupted)
    try:
        status: int | None = main(["demo"])
    except KeyboardInterrupt:
        status = None
    assert status == 130
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
def test_record_stopped_by_a_signal_writes_its_session(tmp_path: Path, signum: int) -> None:
    """``kill`` or a closed terminal stops ``ibwire record`` as Ctrl-C does: the file is written."""
    path = tmp_path / "session.jsonl"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with SimulatedGateway(seed=1) as gateway, subprocess.Popen(
        [sys.executable, "-m", "ibwire.cli", "record", "--listen", "127.0.0.1:0",
         "--upstream", str(gateway.port), "-o", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    ) as process:
        # The port it listens on, once it does (and handles the signals): a port
        # picked beforehand could meanwhile go to another listener.
        assert process.stdout is not None
        first = process.stdout.readline()
        found = re.search(rb"recording 127\.0\.0\.1:(\d+) ", first)
        assert found is not None, first
        contract_script(connect(int(found.group(1)), 3))
        process.send_signal(signum)
        out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, err
    assert b"wrote " in out
    assert Session.load(path).header.client_id == 3


def test_recorder_helper_is_idle_after_clients(tmp_path: Path) -> None:
    # The same machinery the command uses, checked for a clean stop with no client at all.
    recorder = Recorder(("127.0.0.1", 0), ("127.0.0.1", free_port()), tmp_path / "empty.jsonl")
    recorder.start()
    assert recorder.wait_idle(0.1)
    session = recorder.stop()
    assert session.records == [] and not (tmp_path / "empty.jsonl").exists()

