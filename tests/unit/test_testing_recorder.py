"""The recorder: frames cut from both directions, redaction in the recording only."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
from pathlib import Path

import pytest

from ibwire.codec import OUTGOING
from ibwire.framing import encode_frame, encode_hello
from ibwire.messages import (
    ErrMsg,
    ManagedAccts,
    Message,
    NextValidId,
    ReqAccountUpdatesMulti,
    ReqCurrentTime,
    StartApi,
)
from ibwire.protocol import ClientProtocol, ServerProtocol
from ibwire.testing import (
    Recorder,
    Redactor,
    Session,
    SessionRecorder,
    SimulatedGateway,
    WireClient,
)
from ibwire.testing._decode import FrameReader
from ibwire.testing._server import timeout_scale
from ibwire.testing.session import Direction

from ..protobuf_forms import connected

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


def _raw_frames(version: int, *messages: Message) -> bytes:
    """The frames of ``messages`` at ``version`` (requests from the client, the rest
    from the server), as on the wire."""
    client, server = connected(version)
    out = b""
    for message in messages:
        end: ClientProtocol | ServerProtocol = client if OUTGOING.get(message.MSG_ID) is type(message) else server
        end.send(message)
        out += end.data_to_send()
    return out


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


def test_session_recorder_keeps_frames_from_201_whole() -> None:
    """From 201 a frame has a raw 4-byte id and often a protobuf body: recorded
    as ``raw``, byte for byte, in both directions; the header still finds the
    client id in the protobuf startApi."""
    recorder = SessionRecorder()
    leg = recorder.open_leg()
    out = encode_hello("v100..226") + _raw_frames(226, StartApi(client_id=7), ReqCurrentTime())
    inbound = _fields("226", "20240324 21:18:59 EST") + _raw_frames(
        226, ManagedAccts(accounts_list="DU7606863"), NextValidId(order_id=12)
    )
    recorder.feed(leg, "out", out[:20], 0.0)
    recorder.feed(leg, "in", inbound[:7], 0.1)
    recorder.feed(leg, "in", inbound[7:], 0.2)
    recorder.feed(leg, "out", out[20:], 0.3)
    session = recorder.session()
    frames = list(session.frames())
    assert [(r.direction, r.msg_id) for r in frames] == [("in", 15), ("in", 9), ("out", 71), ("out", 49)]
    assert all(r.fields is None and r.raw is not None for r in frames)
    assert frames[0].raw is not None and frames[0].raw[:4] == (215).to_bytes(4, "big")  # protobuf: 200 + 15
    assert b"".join(r.wire() for r in session.records if r.direction == "out") == out
    assert b"".join(r.wire() for r in session.records if r.direction == "in") == inbound.replace(
        b"DU7606863", b"DU0000001"
    )
    assert (session.header.server_version, session.header.client_id) == (226, 7)
    assert Session.from_jsonl_lines(session.to_jsonl_lines()) == session


def test_a_handshake_reply_in_the_gateways_locale_is_the_ack(server_version: int) -> None:
    """A Chinese-locale gateway writes its time zone in GBK: the reply is still the
    ack, kept raw byte for byte, and the frames after it follow its version."""
    reply = f"{server_version}\0".encode() + "20240324 21:18:59 中国标准时间\0".encode("gbk")
    recorder = SessionRecorder()
    leg = recorder.open_leg()
    recorder.feed(leg, "out", encode_hello("v100..226"), 0.0)
    recorder.feed(leg, "in", encode_frame(reply) + _raw_frames(server_version, NextValidId(order_id=12)), 0.1)
    recorder.feed(leg, "out", _raw_frames(server_version, StartApi(client_id=7)), 0.2)
    session = Session.from_jsonl_lines(recorder.session().to_jsonl_lines())
    ack = session.records[1]
    assert (ack.kind, ack.raw) == ("ack", reply)
    assert ack.text_fields() == (str(server_version), "20240324 21:18:59 中国标准时间")
    assert (session.header.server_version, session.header.client_id) == (server_version, 7)
    assert session.server_version_of(leg) == server_version
    assert [(r.direction, r.msg_id) for r in session.frames()] == [("in", 9), ("out", 71)]


def test_redaction_of_a_protobuf_frame_rewrites_its_lengths() -> None:
    """Inside a frame from 201 each protobuf string is redacted whole and its
    length written again, so that the body still decodes, to the redacted text."""
    recorder = SessionRecorder(patterns=[r"secret-\w+", r"pw=\w+"])
    leg = recorder.open_leg()
    recorder.feed(leg, "out", encode_hello("v100..226"), 0.0)
    inbound = _fields("226", "20240324 21:18:59 EST") + _raw_frames(
        226, ErrMsg(req_id=-1, error_code=2104, error_string="DU7606863 secret-abcdef pw=ab ok")
    )
    recorder.feed(leg, "in", inbound, 0.0)
    session = recorder.session()
    (frame,) = session.frames("in")
    assert frame.raw is not None
    message = FrameReader().payload(frame.raw, 226, incoming=True)
    assert isinstance(message, ErrMsg) and message.error_string == "DU0000001 REDACTED1 REDACTED2 ok"
    # A body that does not read as its message is redacted as bytes, lengths kept.
    broken = (200 + 4).to_bytes(4, "big") + b"\x1a\x7fsecret-abcdef"
    assert Redactor([r"secret-\w+"]).redact_frame(broken, incoming=True) == broken.replace(
        b"secret-abcdef", b"REDACTED1____"
    )


@pytest.mark.parametrize("direction", ["in", "out"])
def test_an_account_id_next_to_a_protobuf_length_that_is_a_digit_is_redacted(direction: Direction) -> None:
    """Five account ids make a 49-byte string: its length byte is "1", which the
    pattern's word boundary once took for part of the first id."""
    accounts = ",".join(f"DU760686{i}" for i in range(5))
    assert len(accounts) == 49
    message: Message = ManagedAccts(accounts_list=accounts)
    if direction == "out":
        message = ReqAccountUpdatesMulti(req_id=3, account=accounts, model_code="", ledger_and_nlv=False)
    recorder = SessionRecorder()
    leg = recorder.open_leg()
    recorder.feed(leg, "out", encode_hello("v100..226"), 0.0)
    recorder.feed(leg, "in", _fields("226", "20240324 21:18:59 EST"), 0.0)
    recorder.feed(leg, direction, _raw_frames(226, message), 0.1)
    (frame,) = recorder.session().frames(direction)
    assert frame.raw is not None and b"DU76068" not in frame.raw
    decoded = FrameReader().payload(frame.raw, 226, incoming=direction == "in")
    redacted = ",".join(f"DU000000{i + 1}" for i in range(5))
    assert decoded == dataclasses.replace(
        message, **{"accounts_list" if direction == "in" else "account": redacted}
    )


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
    recorder.close(leg, "in", 1.0)
    assert [(r.kind, r.raw) for r in recorder.session().records] == [
        ("bytes", b"\xff\xff\xff\xff" + b"x" * 10),
        ("close", None),
    ]


def test_proxy_forwards_unchanged_and_redacts_the_recording(tmp_path: Path, server_version: int) -> None:
    path = tmp_path / "rec.jsonl"
    with SimulatedGateway(seed=3, accounts=("DU7606863", "U1234567"), server_version=server_version) as gateway:
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
    assert session.header.server_version == server_version
    accounts_frames = [r for r in session.frames("in") if r.msg_id == 15]
    assert len(accounts_frames) == 2
    assert all(b"DU0000001,U0000001" in r.payload() for r in accounts_frames)
    text = path.read_text(encoding="utf-8")
    assert "DU7606863" not in text and "U1234567" not in text
    # From 201 the frames are base64 in the file: look at the bytes they stand for.
    assert all(b"7606863" not in r.wire() and b"1234567" not in r.wire() for r in session.records)
    acks = [r for r in session.records if r.kind == "ack"]
    assert acks and all(r.fields and r.fields[1].endswith("REDACTED1") for r in acks)
    assert session.header.client_id == 1
    assert r"\bGMT\b" in session.header.redactions
    for leg in (0, 1):
        kinds = [r.kind for r in session.leg_records(leg)]
        assert kinds[:2] == ["hello", "ack"]
        assert kinds.count("close") == 2  # the client's close, then the gateway's


def has_ipv6_loopback() -> bool:
    try:
        with socket.create_server(("::1", 0), family=socket.AF_INET6):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no IPv6 loopback")
def test_proxy_listens_on_an_ipv6_address_in_brackets(tmp_path: Path) -> None:
    with SimulatedGateway(seed=3) as gateway:
        recorder = Recorder("[::1]:0", f"127.0.0.1:{gateway.port}")
        assert recorder.listen == ("::1", 0)
        with recorder:
            with WireClient("::1", recorder.port, 1, timeout=TIMEOUT) as client:
                client.connect()
                client.wait_for(ManagedAccts)
            assert recorder.wait_idle(TIMEOUT)
    assert recorder.session().legs() == [0]


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


def test_a_recording_replaces_the_file_and_streams_into_a_partial_file(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    path.write_text("a previous recording\n", encoding="utf-8")
    partial = tmp_path / "rec.jsonl.partial"
    with SimulatedGateway(seed=3) as gateway:
        recorder = Recorder(("127.0.0.1", 0), ("127.0.0.1", gateway.port), path)
        assert recorder.partial_path == str(partial)
        with recorder:
            with WireClient("127.0.0.1", recorder.port, 7, timeout=TIMEOUT) as client:
                client.connect()
                client.wait_for(ManagedAccts)
            assert recorder.wait_idle(TIMEOUT)
            # While it runs: the file is untouched, the records are in the partial file.
            assert path.read_text(encoding="utf-8") == "a previous recording\n"
            streamed = Session.load(partial)
            assert streamed.header.client_id is None  # provisional until stop()
            assert streamed.records == recorder.session().records
    assert not partial.exists()
    session = Session.load(path)
    assert session.legs() == [0] and session.header.client_id == 7
    assert session.records == streamed.records


def test_a_run_that_recorded_nothing_keeps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    path.write_text("a previous recording\n", encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    with Recorder(("127.0.0.1", 0), ("127.0.0.1", dead_port), path, connect_timeout=TIMEOUT) as recorder:
        with WireClient("127.0.0.1", recorder.port, 1, timeout=TIMEOUT) as client:
            with pytest.raises((ConnectionError, TimeoutError)):
                client.connect()
    assert recorder.errors and recorder.session().records == []
    assert path.read_text(encoding="utf-8") == "a previous recording\n"
    assert not (tmp_path / "rec.jsonl.partial").exists()
    # No client at all: no file is made either.
    Recorder(("127.0.0.1", 0), ("127.0.0.1", dead_port), tmp_path / "new.jsonl").start().stop()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.jsonl"]


def test_start_twice_is_refused() -> None:
    recorder = Recorder(("127.0.0.1", 0), ("127.0.0.1", 1))
    recorder.start()
    try:
        with pytest.raises(RuntimeError):
            recorder.start()
        assert recorder.port != 0
    finally:
        recorder.stop()


def _recorded(recorder: SessionRecorder) -> bytes:
    """Everything the session holds: each record's bytes as on the wire, then its JSON."""
    session = recorder.session()
    return b"".join(r.wire() for r in session.records) + session.dumps().encode()


def _split_recordings(stream: bytes, direction: Direction) -> list[tuple[int, bytes]]:
    """What recording ``stream`` in two reads keeps, for every split point."""
    out = []
    for cut in range(1, len(stream)):
        recorder = SessionRecorder()
        leg = recorder.open_leg()
        recorder.feed(leg, direction, stream[:cut], 0.0)
        recorder.feed(leg, direction, stream[cut:], 0.0)
        recorder.close(leg, direction, 0.0)
        out.append((cut, _recorded(recorder)))
    return out


@pytest.mark.parametrize(
    ("direction", "stream"),
    [
        ("out", encode_hello("v100..200") + _fields("71", "2", "7", "") + _fields("6", "1", "DU7606863")),
        ("in", _fields("176", "20240324 21:18:59 EST") + _fields("15", "1", "DU7606863")),
        ("out", b"GET /DU7606863 HTTP/1.0\r\n"),  # not TWS frames: recorded as bytes
        ("in", b"<html>DU7606863</html>"),
        ("out", encode_hello("v100..200") + encode_frame(b"\xffDU7606863")),  # a frame that is not UTF-8
        ("in", b"\x00\x00\x00\x00DU7606863"),  # an impossible length: the rest is bytes
        # From 201: a protobuf body (the account ids keep their length, so the
        # protobuf lengths stay right).
        ("in", _fields("226", "20240324 21:18:59 EST") + _raw_frames(226, ManagedAccts(accounts_list="DU7606863"))),
    ],
    ids=["frames-out", "frames-in", "bytes-out", "bytes-in", "binary-frame", "bad-length", "protobuf-in"],
)
def test_an_account_id_split_across_reads_never_leaks(direction: Direction, stream: bytes) -> None:
    for cut, kept in _split_recordings(stream, direction):
        assert b"7606863" not in kept, f"split at byte {cut}: {kept!r}"
        assert b"DU0000001" in kept, f"split at byte {cut}: {kept!r}"
    # Fed a byte at a time, the same.
    recorder = SessionRecorder()
    leg = recorder.open_leg()
    for i in range(len(stream)):
        recorder.feed(leg, direction, stream[i : i + 1], float(i))
    recorder.close(leg, direction, 100.0)
    kept = _recorded(recorder)
    assert b"7606863" not in kept and b"DU0000001" in kept


def test_unframed_bytes_are_kept_whole_when_redacting() -> None:
    recorder = SessionRecorder(start=10.0)
    leg = recorder.open_leg()
    recorder.feed(leg, "in", b"<html>DU76", 11.0)
    recorder.feed(leg, "in", b"06863</html>", 12.0)
    recorder.close(leg, "in", 13.0)
    records = recorder.session().records
    assert [(r.kind, r.t, r.raw) for r in records] == [
        ("bytes", 1.0, b"<html>DU0000001</html>"),
        ("close", 3.0, None),
    ]
    # Without redaction each read is its own record, at its own time.
    plain = SessionRecorder(redact=False)
    leg = plain.open_leg()
    plain.feed(leg, "in", b"<html>", 1.0)
    plain.feed(leg, "in", b"</html>", 2.0)
    assert [(r.t, r.raw) for r in plain.session().records] == [(1.0, b"<html>"), (2.0, b"</html>")]


def test_the_hello_is_redacted() -> None:
    recorder = SessionRecorder(patterns=[r"secret-\w+"])
    leg = recorder.open_leg()
    recorder.feed(leg, "out", encode_hello("v100..200 +PACEAPI DU7606863 secret-abc"), 0.0)
    recorder.feed(leg, "in", _fields("176", "20240324 21:18:59 EST"), 0.0)
    session = recorder.session()
    assert session.records[0].kind == "hello"
    assert session.records[0].fields == ("v100..200 +PACEAPI DU0000001 REDACTED1",)
    assert session.header.connect_options == "+PACEAPI DU0000001 REDACTED1"
    assert b"7606863" not in _recorded(recorder) and b"secret" not in session.records[0].wire()
    # Not redacting leaves it as sent.
    plain = SessionRecorder(redact=False)
    leg = plain.open_leg()
    plain.feed(leg, "out", encode_hello("v100..200 DU7606863"), 0.0)
    assert plain.session().records[0].fields == ("v100..200 DU7606863",)


def test_a_proxied_connection_holds_no_socket_after_it_ends() -> None:
    with SimulatedGateway(seed=3) as gateway:
        with Recorder(("127.0.0.1", 0), ("127.0.0.1", gateway.port)) as recorder:
            with WireClient("127.0.0.1", recorder.port, 1, timeout=TIMEOUT) as client:
                client.connect()
                (pair,) = recorder._pairs
            # The client is gone: the recorder closes both of its sockets at once.
            assert recorder.wait_idle(TIMEOUT)
            assert pair.client.fileno() == -1
            assert pair.upstream.fileno() == -1
            assert recorder._pairs == []
            kinds = [(r.direction, r.kind) for r in recorder.session().records if r.kind == "close"]
            assert sorted(kinds) == [("in", "close"), ("out", "close")]
