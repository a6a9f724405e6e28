"""The recorder: frames cut from both directions, redaction in the recording only."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path

import pytest

from ibwire.framing import encode_frame, encode_hello
from ibwire.messages import ManagedAccts, ReqCurrentTime
from ibwire.testing import (
    Recorder,
    Redactor,
    Session,
    SessionRecorder,
    SimulatedGateway,
    WireClient,
)
from ibwire.testing._server import timeout_scale

TIMEOUT = 5.0 * timeout_scale()


def test_redactor_is_consistent_and_keeps_the_shape() -> None:
    redactor = Redactor()
    text = "DU7606863,U1234567,F123456,DU7606863 and XDU111111 UNKNOWN"
    assert redactor.redact(text) == "DU0000001,U0000001,F000001,DU0000001 and XDU111111 UNKNOWN"
    assert redactor.redact("DU9999999") == "DU0000002"
    assert redactor.redact("DU7606863") == "DU0000001"


def test_redactor_user_patterns_and_placeholder_collisions() -> None:
    redactor = Redactor([r"secret-\w+"])
    assert redactor.redact("key secret-abc secret-abc secret-xyz") == "key REDACTED1 REDACTED1 REDACTED2"
    assert redactor.patterns[1] == r"secret-\w+"
    # A real id equal to the next placeholder never gets reused for another value.
    clash = Redactor()
    assert clash.redact("DU0000001") == "DU0000001"
    assert clash.redact("DU5555555") == "DU0000002"
    assert Redactor(account_ids=False).redact("DU7606863") == "DU7606863"
    assert Redactor().redact_bytes(b"\xffDU7606863\xff") == b"\xffDU0000001\xff"


def _fields(*parts: str) -> bytes:
    return encode_frame("".join(p + "\0" for p in parts).encode())


def test_session_recorder_cuts_frames_fed_a_byte_at_a_time() -> None:
    recorder = SessionRecorder(start=100.0, recorded_at=dt.datetime(2024, 3, 24, 21, 18, 59, tzinfo=dt.timezone.utc))
    leg = recorder.open_leg()
    out = encode_hello("v100..200 +PACEAPI") + _fields("71", "2", "7", "") + _fields("49", "1")
    for i, byte in enumerate(out):
        recorder.feed(leg, "out", bytes([byte]), 100.0 + i / 1000)
    inbound = (
        _fields("14", "1", "news before the reply")
        + _fields("176", "20240324 21:18:59 EST")
        + _fields("15", "1", "DU7606863")
        + encode_frame(b"\xff\x00binary")
    )
    recorder.feed(leg, "in", inbound, 101.0)
    recorder.close(leg, "in", 102.5)
    session = recorder.session()
    kinds = [(r.direction, r.kind) for r in session.records]
    assert kinds == [
        ("out", "hello"), ("out", "frame"), ("out", "frame"),
        ("in", "frame"), ("in", "ack"), ("in", "frame"), ("in", "frame"), ("in", "close"),
    ]
    assert session.records[0].fields == ("v100..200 +PACEAPI",)
    assert session.records[5].fields == ("15", "1", "DU0000001")
    assert session.records[6].raw == b"\xff\x00binary"
    assert session.records[7].t == 2.5
    header = session.header
    assert (header.server_version, header.min_version, header.max_version) == (176, 100, 200)
    assert header.connect_options == "+PACEAPI"
    assert header.client_id == 7
    assert header.recorded_at == "2024-03-24T21:18:59Z"
    assert header.redactions and "DU" in header.redactions[0]
    assert Session.from_jsonl_lines(session.to_jsonl_lines()) == session


def test_session_recorder_keeps_unframed_bytes() -> None:
    recorder = SessionRecorder(redact=False)
    leg = recorder.open_leg()
    recorder.feed(leg, "out", b"GET / HTTP/1.0\r\n", 0.0)
    recorder.feed(leg, "in", b"\x00\x00", 0.0)
    recorder.close(leg, "in", 0.0)
    records = recorder.session().records
    assert [(r.kind, r.raw) for r in records] == [("bytes", b"GET / HTTP/1.0\r\n"), ("bytes", b"\x00\x00"), ("close", None)]
    assert recorder.session().header.redactions == ()


def test_session_recorder_marks_an_impossible_length_as_bytes() -> None:
    recorder = SessionRecorder()
    leg = recorder.open_leg()
    recorder.feed(leg, "in", b"\xff\xff\xff\xff" + b"x" * 10, 0.0)
    (record,) = recorder.session().records
    assert record.kind == "bytes"


def test_proxy_forwards_unchanged_and_redacts_the_recording(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with SimulatedGateway(seed=3, accounts=("DU7606863", "U1234567")) as gateway:
        recorder = Recorder(("127.0.0.1", 0), ("127.0.0.1", gateway.port), path, patterns=[r"\bGMT\b"])
        with recorder:
            for client_id in (1, 2):  # two connections: two legs
                with WireClient("127.0.0.1", recorder.port, client_id, timeout=TIMEOUT) as client:
                    client.connect()
                    accounts = client.wait_for(ManagedAccts)
                    assert accounts.accounts == ("DU7606863", "U1234567")  # forwarded unchanged
                    client.send(ReqCurrentTime())
                    client.wait_for(type(client.events[-1]))
                assert recorder.wait_idle(TIMEOUT)
    session = Session.load(path)
    assert session.legs() == [0, 1]
    accounts_frames = [r for r in session.frames("in") if r.fields and r.fields[0] == "15"]
    assert [r.fields for r in accounts_frames] == [("15", "1", "DU0000001,U0000001")] * 2
    text = path.read_text(encoding="utf-8")
    assert "DU7606863" not in text and "U1234567" not in text
    acks = [r for r in session.records if r.kind == "ack"]
    assert acks and all(r.fields and r.fields[1].endswith("REDACTED1") for r in acks)
    assert session.header.client_id == 1
    assert r"\bGMT\b" in session.header.redactions
    for leg in (0, 1):
        kinds = [r.kind for r in session.leg_records(leg)]
        assert kinds[:2] == ["hello", "ack"]
        assert kinds.count("close") == 2  # the client's close, then the gateway's


def test_unreachable_upstream_is_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    with Recorder(("127.0.0.1", 0), ("127.0.0.1", dead_port), connect_timeout=TIMEOUT) as recorder:
        with WireClient("127.0.0.1", recorder.port, 1, timeout=TIMEOUT) as client:
            with pytest.raises((ConnectionError, TimeoutError)):
                client.connect()
    assert recorder.errors and "cannot reach the gateway" in recorder.errors[0]
    assert recorder.session().records == []


def test_start_twice_is_refused() -> None:
    recorder = Recorder(("127.0.0.1", 0), ("127.0.0.1", 1))
    recorder.start()
    try:
        with pytest.raises(RuntimeError):
            recorder.start()
        assert recorder.port != 0
    finally:
        recorder.stop()
