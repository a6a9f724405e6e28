"""``ibwire demo``, ``history``, ``ping`` and ``log`` against the simulator, over loopback.

Waits are bounded and scaled by ``IBWIRE_TEST_TIMEOUT_SCALE``; the history tests
run the simulator on a frozen clock so that the bars are the same every run.
"""

from __future__ import annotations

import csv
import math
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ibwire._history import CSV_COLUMNS, parse_time
from ibwire.cli import COMMANDS, main
from ibwire.framing import encode_frame, encode_hello
from ibwire.messages import Contract
from ibwire.sync import Client
from ibwire.testing import Recorder, Session, SessionRecorder, SimulatedGateway
from ibwire.testing._server import timeout_scale
from ibwire.versions import MAX_CLIENT_VERSION

TIMEOUT = 10.0 * timeout_scale()
NOW = 1_700_000_000.0  # the frozen simulator clock: 2023-11-14 22:13:20 UTC


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def gateway(server_version: int) -> Iterator[SimulatedGateway]:
    with SimulatedGateway(seed=0, port=0, server_version=server_version) as sim:
        yield sim


@pytest.fixture
def frozen() -> Iterator[SimulatedGateway]:
    with SimulatedGateway(seed=0, port=0, clock=lambda: NOW) as sim:
        yield sim


def test_the_new_commands_are_listed() -> None:
    names = [command.name for command in COMMANDS]
    assert names[:4] == ["record", "replay", "serve", "probe"]
    assert {"demo", "history", "ping", "log"} <= set(names)


# ---------------------------------------------------------------------- demo


STEPS = ["1. Connect", "2. Account summary", "3. Streaming quotes", "4. Historical bars",
         "5. A bracket order", "6. Positions and P&L", "7. Disconnect"]


def test_demo_quick_against_the_built_in_simulator(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--quick"]) == 0
    out = capsys.readouterr().out
    positions = [out.index(step) for step in STEPS]
    assert positions == sorted(positions)
    assert re.search(rf"server version {MAX_CLIENT_VERSION}, account DU0000001", out)
    assert re.search(r"NetLiquidation +1,000,000\.00 USD", out)
    assert re.search(r"bid +\d+\.\d\d +ask +\d+\.\d\d", out)
    assert re.search(r"#\d+ entry +Filled at \d+\.\d\d", out)
    assert re.search(r"fill: BOT 10 AAPL", out) and re.search(r"fill: SLD 10 AAPL", out)
    assert re.search(r"daily P&L [-+][\d.,]+, realized [-+][\d.,]+", out)
    assert re.search(r"done in \d+\.\d s", out)


def test_demo_against_a_gateway_port(
    gateway: SimulatedGateway, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--quick", "--port", str(gateway.port), "--client-id", "9"]) == 0
    out = capsys.readouterr().out
    assert f"against 127.0.0.1:{gateway.port}" in out
    assert "connected as client 9" in out
    assert f"server version {gateway.core.server_version}," in out


def test_demo_interrupted_with_orders_working_cleans_up_then_exits_130(
    frozen: SimulatedGateway, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # On the frozen clock the entry fills as it is placed and the exits never trigger:
    # Ctrl-C as the demo starts to follow them leaves two orders working and 10 shares held.
    import ibwire._demo

    follow = ibwire._demo._follow
    calls: list[object] = []

    def interrupted_once(*args: Any, **kwargs: Any) -> None:
        calls.append(args)
        if len(calls) == 1:
            raise KeyboardInterrupt
        follow(*args, **kwargs)

    monkeypatch.setattr(ibwire._demo, "_follow", interrupted_once)
    assert main(["demo", "--quick", "--port", str(frozen.port), "--client-id", "9"]) == 130
    out = capsys.readouterr().out
    assert "interrupted: cancelling the demo's orders and closing its position" in out
    assert "5. A bracket order" in out and "6. Positions and P&L" not in out
    assert re.search(r"#\d+ close +Filled", out)
    with Client(port=frozen.port, client_id=9, timeout=TIMEOUT) as client:
        assert [o for o in client.open_orders() if o.order.order_ref == "ibwire-demo"] == []
        held = [p.position for p in client.request_positions() if p.contract.symbol == "AAPL"]
    assert held in ([], [0])


def test_demo_interrupted_again_during_its_clean_up_stops_at_once(
    frozen: SimulatedGateway, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ibwire._demo

    calls: list[object] = []

    def interrupted(*args: Any, **kwargs: Any) -> None:
        calls.append(args)
        raise KeyboardInterrupt

    monkeypatch.setattr(ibwire._demo, "_follow", interrupted)
    assert main(["demo", "--quick", "--port", str(frozen.port), "--client-id", "9"]) == 130
    assert len(calls) == 2  # the bracket's, then the clean-up's: nothing after it
    captured = capsys.readouterr()
    assert "cancel_orders(order_ref='ibwire-demo')" in captured.out
    assert captured.err == "ibwire demo: stopped; orders with reference 'ibwire-demo' may still be working\n"


def test_demo_stopped_by_an_error_with_orders_working_cleans_up_then_exits_1(
    frozen: SimulatedGateway, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ibwire._demo
    from ibwire.errors import RequestTimeoutError

    follow = ibwire._demo._follow
    calls: list[object] = []

    def fails_once(*args: Any, **kwargs: Any) -> None:
        calls.append(args)
        if len(calls) == 1:
            raise RequestTimeoutError("no answer in time")
        follow(*args, **kwargs)

    monkeypatch.setattr(ibwire._demo, "_follow", fails_once)
    assert main(["demo", "--quick", "--port", str(frozen.port), "--client-id", "9"]) == 1
    captured = capsys.readouterr()
    assert "RequestTimeoutError: no answer in time" in captured.err
    assert "stopped by that error: cancelling the demo's orders and closing its position" in captured.out
    with Client(port=frozen.port, client_id=9, timeout=TIMEOUT) as client:
        assert [o for o in client.open_orders() if o.order.order_ref == "ibwire-demo"] == []
        held = [p.position for p in client.request_positions() if p.contract.symbol == "AAPL"]
    assert held in ([], [0])


def test_demo_reports_an_unreachable_gateway(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--quick", "--port", str(free_port())]) == 1
    assert "ConnectionClosedError" in capsys.readouterr().err


# ---------------------------------------------------------------------- ping


def test_ping_the_built_in_simulator(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ping", "--simulate"]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"127\.0\.0\.1:\d+ server version {MAX_CLIENT_VERSION}, accounts DU0000001", out)
    assert re.search(r"server time \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+\); handshake", out)


def test_ping_simulate_talks_to_its_simulator_whatever_host_is_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The simulator listens on 127.0.0.1; ::1 has nothing on its port (refused, loopback only).
    assert main(["ping", "--simulate", "--host", "::1", "--port", "1"]) == 0
    assert re.search(r"^127\.0\.0\.1:\d+ server version", capsys.readouterr().out)


def test_ping_a_gateway(frozen: SimulatedGateway, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ping", "--port", str(frozen.port), "--timeout", str(TIMEOUT)]) == 0
    assert "server time 2023-11-14 22:13:20 UTC (1700000000)" in capsys.readouterr().out


def test_ping_nothing_listening(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ping", "--port", str(free_port())]) == 2
    assert "cannot connect" in capsys.readouterr().err


# ---------------------------------------------------------------------- history


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def history(path: Path, port: int, *extra: str) -> int:
    return main(["history", "AAPL", "--port", str(port), "-o", str(path), "--quiet",
                 "--timeout", str(TIMEOUT), *extra])


def test_history_minutes_in_daily_chunks(
    frozen: SimulatedGateway, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "aapl.csv"
    assert history(path, frozen.port, "--bar-size", "1 min", "--duration", "3 D") == 0
    err = capsys.readouterr().err
    assert "3 request(s) of at most 86400 S" in err and "(new file)" in err
    rows = read_rows(path)
    assert tuple(rows[0]) == CSV_COLUMNS
    times = [parse_time(row[0]) for row in rows[1:]]
    # Every minute of the three days (from the bar holding the first second), once, in order.
    first = int(NOW) - 3 * 86400
    assert times == list(range(first - first % 60, int(NOW), 60))
    assert rows[1][0] == "2023-11-11T22:13:00Z"
    assert all(float(row[2]) >= float(row[3]) for row in rows[1:])


def test_history_resumes_where_the_file_stops(
    frozen: SimulatedGateway, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = tmp_path / "whole.csv"
    assert history(whole, frozen.port, "--bar-size", "1 hour", "--duration", "60 D") == 0
    complete = whole.read_text()
    # An interrupted download: the first part of the file only.
    part = tmp_path / "part.csv"
    lines = complete.splitlines(keepends=True)
    part.write_text("".join(lines[: len(lines) // 3]))
    capsys.readouterr()
    assert history(part, frozen.port, "--bar-size", "1 hour", "--duration", "60 D",
                   "--client-id", "42") == 0
    assert "resuming after" in capsys.readouterr().err
    assert part.read_text() == complete
    # Up to date: a third run adds nothing.
    assert history(part, frozen.port, "--bar-size", "1 hour", "--duration", "60 D") == 0
    assert "nothing new" in capsys.readouterr().err
    assert part.read_text() == complete


def test_history_span_starts_no_earlier_than_1970(
    frozen: SimulatedGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The plan only: the download stops as Ctrl-C stops it, before any request.
    import ibwire._history

    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(ibwire._history.Downloader, "run", interrupted)
    path = tmp_path / "monthly.csv"
    # A mistyped "99999999999 D" planned for ever; "100 Y" back from 2023 is 1970 on.
    assert history(path, frozen.port, "--bar-size", "1 month", "--duration", "100 Y") == 130
    years = math.ceil(NOW / (365 * 86400))
    assert f"{years} request(s) of at most 1 Y" in capsys.readouterr().err


def test_history_daily_bars(frozen: SimulatedGateway, tmp_path: Path) -> None:
    path = tmp_path / "daily.csv"
    assert history(path, frozen.port, "--bar-size", "1 day", "--duration", "2 Y") == 0
    rows = read_rows(path)[1:]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", rows[0][0])
    assert len(rows) > 400  # weekdays of two years


def test_history_refuses_to_resume_a_file_of_other_bars(
    frozen: SimulatedGateway, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "aapl.csv"
    assert history(path, frozen.port, "--bar-size", "1 hour", "--duration", "2 D") == 0
    written = path.read_text()
    capsys.readouterr()
    # Another bar size or another what-to-show would append other bars to these.
    assert history(path, frozen.port, "--bar-size", "1 min", "--duration", "2 D") == 2
    assert "bar_size '1 hour' (this run: '1 min')" in capsys.readouterr().err
    assert history(path, frozen.port, "--bar-size", "1 hour", "--duration", "2 D",
                   "--what", "midpoint") == 2
    assert "what_to_show 'TRADES' (this run: 'MIDPOINT')" in capsys.readouterr().err
    assert path.read_text() == written
    # A file written without its settings: daily bars are told from intraday ones.
    daily = tmp_path / "daily.csv"
    daily.write_text(",".join(CSV_COLUMNS) + "\n2023-11-13,1,2,0.5,1.5,100,1.2,10\n")
    assert history(daily, frozen.port, "--bar-size", "1 hour", "--duration", "2 D") == 2
    assert "holds daily or longer bars, not 1 hour bars" in capsys.readouterr().err


def test_history_to_parquet(frozen: SimulatedGateway, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "aapl.parquet"
    assert history(path, frozen.port, "--bar-size", "1 hour", "--duration", "5 D") == 0
    table = pq.read_table(path)
    assert table.column_names == list(CSV_COLUMNS)
    # Every hour of the five days, plus the hour holding the first second.
    assert table.num_rows == 5 * 24 + 1
    assert history(path, frozen.port, "--bar-size", "1 hour", "--duration", "5 D") == 0
    assert pq.read_table(path).num_rows == 5 * 24 + 1


def test_history_simulate_and_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sim.csv"
    assert main(["history", "MSFT", "--simulate", "--bar-size", "1 hour", "--duration", "2 D",
                 "-o", str(path), "--quiet"]) == 0
    assert len(read_rows(path)) > 40
    assert main(["history", "AAPL", "--bar-size", "7 mins", "-o", str(path)]) == 2
    assert "unknown bar size" in capsys.readouterr().err
    assert main(["history", "AAPL", "--duration", "1Y", "-o", str(path)]) == 2
    assert "a duration is" in capsys.readouterr().err


def test_history_simulate_downloads_from_its_simulator_whatever_host_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sim.csv"
    assert main(["history", "MSFT", "--simulate", "--host", "::1", "--bar-size", "1 day",
                 "--duration", "10 D", "-o", str(path), "--quiet"]) == 0, capsys.readouterr().err
    assert len(read_rows(path)) > 2


def test_history_connect_timeout_follows_timeout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import ibwire.sync

    made: list[Client] = []

    class Recorded(Client):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(ibwire.sync, "Client", Recorded)
    # A listener that never accepts: the handshake waits for the connect timeout.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        assert main(["history", "AAPL", "--port", str(port), "-o", str(tmp_path / "a.csv"),
                     "--quiet", "--timeout", "0.25"]) == 2
    assert "cannot connect" in capsys.readouterr().err
    assert [client.connect_timeout for client in made] == [0.25]


def test_history_unknown_symbol_fails_cleanly(
    frozen: SimulatedGateway, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "none.csv"
    assert main(["history", "NOPE", "--port", str(frozen.port), "--duration", "2 D",
                 "-o", str(path), "--quiet"]) == 1
    assert "200" in capsys.readouterr().err


def test_history_progress_goes_to_stderr(
    frozen: SimulatedGateway, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.csv"
    assert main(["history", "AAPL", "--port", str(frozen.port), "--bar-size", "1 hour",
                 "--duration", "40 D", "-o", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.search(r"\[#+\] 2/2 chunks 100% .* bars/s .* left", captured.err)


# ---------------------------------------------------------------------- log


def test_log_decodes_a_recorded_session(
    gateway: SimulatedGateway, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "session.jsonl"
    recorder = Recorder(("127.0.0.1", 0), ("127.0.0.1", gateway.port), path)
    recorder.start()
    try:
        with Client(port=recorder.port, client_id=3, timeout=TIMEOUT) as client:
            client.contract_details(
                Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
            )
            client.current_time()
    finally:
        assert recorder.wait_idle(TIMEOUT)
        recorder.stop()
    assert main(["log", str(path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    version = gateway.core.server_version
    assert lines[0].startswith(f"# {path}: server version {version}, client id 3")
    assert re.search(r"^ +\d+\.\d{4} +0 -> \[hello\] v\d+\.\.\d+", out, re.M)
    assert re.search(rf"^ +\d+\.\d{{4}} +0 <- \[ack\] {version} ", out, re.M)
    pb = r"(\[pb\] )?"
    assert re.search(rf"-> {pb}StartApi\(client_id=3", out)
    assert re.search(rf"<- {pb}ManagedAccts\(accounts_list='DU0000001'\)", out)
    assert re.search(rf"-> {pb}ReqContractData\(req_id=\d+, contract=Contract\(symbol='AAPL'", out)
    assert re.search(rf"<- {pb}ContractData\(.*con_id=265598", out)
    assert re.search(rf"<- {pb}CurrentTime\(time=\d+\)", out)
    # One line per record, after the header line; every frame decoded (from 201
    # they are recorded whole, nearly all protobuf, both directions).
    session = Session.load(path)
    assert len(lines) == len(session.records) + 1
    assert not re.search(r"\[(undecodable|unknown id|malformed|no handshake)", out)
    assert all((r.raw is not None) == (version >= 201) for r in session.frames())
    # A frame in protobuf form is marked, and only such a frame.
    for record, line in zip(session.records, lines[1:], strict=True):
        protobuf = record.raw is not None and int.from_bytes(record.payload()[:4], "big") > 200
        assert ("[pb] " in line) == protobuf, line
    assert ("<- [pb] ContractData(" in out) == (version >= 205)


def test_log_all_fields_and_one_leg(
    gateway: SimulatedGateway, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "session.jsonl"
    recorder = Recorder(("127.0.0.1", 0), ("127.0.0.1", gateway.port), path)
    recorder.start()
    try:
        for client_id in (4, 5):
            with Client(port=recorder.port, client_id=client_id, timeout=TIMEOUT) as client:
                client.current_time()
    finally:
        assert recorder.wait_idle(TIMEOUT)
        recorder.stop()
    assert main(["log", str(path), "--leg", "1", "--all-fields"]) == 0
    out = capsys.readouterr().out
    body = out.splitlines()[1:]
    assert body and all(re.match(r" +\d+\.\d{4} +1 ", line) for line in body)
    assert "StartApi(client_id=5, optional_capabilities=''" in out


def test_log_reads_text_that_is_not_utf8_as_the_client_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reply with its time in GBK and a Latin-1 error text: both kept raw by the
    recorder, both shown decoded (the client reads stray bytes as Latin-1)."""
    recorder = SessionRecorder(redact=False)
    leg = recorder.open_leg()
    recorder.feed(leg, "out", encode_hello("v100..200"), 0.0)
    reply = b"200\0" + "20240324 21:18:59 中国标准时间\0".encode("gbk")
    error = b"4\x00-1\x002104\x00March\xe9 OK\x00\x001700000000000\x00"
    recorder.feed(leg, "in", encode_frame(reply) + encode_frame(error), 0.1)
    path = tmp_path / "session.jsonl"
    recorder.session().dump(path)
    assert main(["log", str(path)]) == 0
    out = capsys.readouterr().out
    assert "<- [ack] 200 20240324 21:18:59 中国标准时间" in out
    assert "<- ErrMsg(req_id=-1, error_code=2104, error_string='March\xe9 OK', error_time=1700000000000)" in out


def test_log_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    assert main(["log", str(bad)]) == 2
    assert "bad.jsonl" in capsys.readouterr().err
    bad.write_bytes(b"\xff\xfe\n")
    assert main(["log", str(bad)]) == 2
    assert "bad.jsonl:1: not UTF-8" in capsys.readouterr().err


def test_log_into_a_closed_pipe_stops_quietly(gateway: SimulatedGateway, tmp_path: Path) -> None:
    """``ibwire log file | head``: the reader leaves early; no traceback, status 0."""
    path = tmp_path / "session.jsonl"
    recorder = Recorder(("127.0.0.1", 0), ("127.0.0.1", gateway.port), path)
    recorder.start()
    try:
        with Client(port=recorder.port, client_id=6, timeout=TIMEOUT) as client:
            client.current_time()
    finally:
        assert recorder.wait_idle(TIMEOUT)
        recorder.stop()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with subprocess.Popen(
        [sys.executable, "-m", "ibwire.cli", "log", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as process:
        assert process.stdout is not None
        process.stdout.close()  # the reader is gone before anything is written
        _, err = process.communicate(timeout=TIMEOUT)
    assert err.decode() == ""
    assert process.returncode == 0
