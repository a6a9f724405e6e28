"""Session files: the format round-trips exactly and bad input names its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ibwire.framing import encode_frame
from ibwire.testing.session import (
    FORMAT_VERSION,
    Session,
    SessionFormatError,
    SessionHeader,
    SessionRecord,
    load_vector_sessions,
    parse_hello,
)

from ..vectors import VECTORS_DIR


def sample() -> Session:
    header = SessionHeader(
        server_version=176,
        min_version=100,
        max_version=200,
        connect_options="+PACEAPI",
        client_id=3,
        recorded_at="2024-03-24T21:18:59Z",
        redactions=(r"(?:DU|U)\d+", "secret"),
        source="unit test",
    )
    records = [
        SessionRecord(t=0.0, direction="out", kind="hello", fields=("v100..200 +PACEAPI",)),
        SessionRecord(t=0.001, direction="in", kind="ack", fields=("176", "20240324 21:18:59 EST")),
        SessionRecord(t=0.0015, direction="out", fields=("71", "2", "3", "")),
        SessionRecord(t=0.002, direction="in", fields=("15", "1", "DU0000001,DU0000002,")),
        SessionRecord(t=0.25, direction="in", fields=("4", "2", "-1", "2104", "Caf\u00e9 \u00fcber", "")),
        SessionRecord(t=0.3, direction="in", raw=b"\xff\xfe not text", note="binary"),
        SessionRecord(t=0.4, direction="out", kind="bytes", raw=b"\x00\x01"),
        SessionRecord(t=1.5, direction="in", kind="close"),
        SessionRecord(t=2.0, direction="out", leg=1, kind="hello", fields=("v100..176",)),
        SessionRecord(t=2.1, direction="out", leg=1, kind="close"),
    ]
    return Session(header=header, records=records)


def test_round_trip_objects_and_text(tmp_path: Path) -> None:
    session = sample()
    lines = session.to_jsonl_lines()
    again = Session.from_jsonl_lines(lines)
    assert again == session
    assert again.to_jsonl_lines() == lines
    path = tmp_path / "s.jsonl"
    session.dump(path)
    text = path.read_bytes()
    assert Session.load(path) == session
    Session.load(path).dump(path)
    assert path.read_bytes() == text  # written back byte for byte
    assert Session.loads(session.dumps()) == session


def test_one_short_line_per_record_with_fixed_keys() -> None:
    lines = sample().to_jsonl_lines()
    header = json.loads(lines[0])
    assert header["ibwire_session"] == FORMAT_VERSION
    assert header["client_versions"] == [100, 200]
    assert header["redacted"] == [r"(?:DU|U)\d+", "secret"]
    assert list(json.loads(lines[3])) == ["t", "leg", "dir", "kind", "fields"]
    assert json.loads(lines[6]) == {"t": 0.3, "leg": 0, "dir": "in", "kind": "frame", "raw": "//4gbm90IHRleHQ=", "note": "binary"}
    assert "Caf\u00e9" in lines[5]  # readable, not escaped


def test_wire_bytes_of_each_kind() -> None:
    records = sample().records
    assert records[0].wire() == b"API\x00" + encode_frame(b"v100..200 +PACEAPI")
    assert records[1].wire() == encode_frame(b"176\x0020240324 21:18:59 EST\x00")
    assert records[2].wire() == encode_frame(b"71\x002\x003\x00\x00")
    assert records[4].payload() == "4\x002\x00-1\x002104\x00Caf\u00e9 \u00fcber\x00\x00".encode()
    assert records[5].wire() == encode_frame(b"\xff\xfe not text")
    assert records[6].wire() == b"\x00\x01"
    assert records[7].wire() == b""
    assert records[2].msg_id == 71
    assert records[5].msg_id is None


def test_queries() -> None:
    session = sample()
    assert session.legs() == [0, 1]
    assert [r.kind for r in session.leg_records(1)] == ["hello", "close"]
    assert len(list(session.frames("in"))) == 3
    assert session.server_version_of(0) == 176
    assert session.server_version_of(1) == 176  # from the header


def test_parse_hello() -> None:
    assert parse_hello("v100..200") == (100, 200, "")
    assert parse_hello("v176") == (176, 176, "")
    assert parse_hello("v100..176 +PACEAPI") == (100, 176, "+PACEAPI")
    assert parse_hello("hello") is None


HEADER = '{"ibwire_session": 1, "server_version": 176}'


@pytest.mark.parametrize(
    ("lines", "line", "words"),
    [
        ([], None, "no session header"),
        (["not json"], 1, "not valid JSON"),
        (['{"t": 0}'], 1, "not a session header"),
        (['{"ibwire_session": 2}'], 1, "format 2 is not supported"),
        (['{"ibwire_session": 1, "colour": "red"}'], 1, "unknown header key"),
        (['{"ibwire_session": 1, "client_versions": [100]}'], 1, "client_versions"),
        ([HEADER, '{"t": 0, "dir": "in", "kind": "frame", "fields": ["1"]}', "[1, 2]"], 3, "JSON object"),
        ([HEADER, '{"dir": "in", "kind": "frame", "fields": ["1"]}'], 2, "no 't'"),
        ([HEADER, '{"t": -1, "dir": "in", "kind": "frame", "fields": ["1"]}'], 2, "'t' must be"),
        ([HEADER, '{"t": 1e400, "dir": "in", "kind": "frame", "fields": ["1"]}'], 2, "'t' must be"),
        ([HEADER, '{"t": NaN, "dir": "in", "kind": "frame", "fields": ["1"]}'], 2, "'t' must be"),
        ([HEADER, '{"t": 0, "dir": "up", "kind": "frame", "fields": ["1"]}'], 2, "'dir'"),
        ([HEADER, '{"t": 0, "dir": "in", "kind": "blob", "fields": ["1"]}'], 2, "'kind'"),
        ([HEADER, '{"t": 0, "dir": "in", "kind": "frame", "leg": -1, "fields": ["1"]}'], 2, "'leg'"),
        ([HEADER, '{"t": 0, "dir": "in", "kind": "frame"}'], 2, "exactly one of"),
        ([HEADER, '{"t": 0, "dir": "in", "kind": "frame", "fields": ["1"], "raw": "AA=="}'], 2, "exactly one of"),
        ([HEADER, '{"t": 0, "dir": "in", "kind": "frame", "fields": [1]}'], 2, "list of strings"),
        ([HEADER, '{"t": 0, "dir": "in", "kind": "frame", "fields": []}'], 2, "empty"),
        ([HEADER, '{"t": 0, "dir": "in", "kind": "frame", "fields": ["1\\u0000"]}'], 2, "NUL"),
        ([HEADER, '{"t": 0, "dir": "in", "kind": "frame", "raw": "***"}'], 2, "base64"),
        ([HEADER, '{"t": 0, "dir": "in", "kind": "hello", "fields": ["v100"]}'], 2, "hello is sent by the client"),
        ([HEADER, '{"t": 0, "dir": "out", "kind": "ack", "fields": ["1", "2"]}'], 2, "reply is sent by the server"),
        ([HEADER, '{"t": 0, "dir": "out", "kind": "hello", "fields": ["v1", "x"]}'], 2, "exactly one field"),
        ([HEADER, '{"t": 0, "dir": "in", "kind": "close", "fields": ["1"]}'], 2, "no 'fields'"),
        ([HEADER, '{"t": 0, "dir": "in", "kind": "bytes", "fields": ["1"]}'], 2, "holds 'raw'"),
        ([HEADER, '{"t": 0, "dir": "in", "kind": "frame", "fields": ["1"], "extra": 1}'], 2, "unknown record key"),
    ],
)
def test_malformed_input_names_the_line(lines: list[str], line: int | None, words: str) -> None:
    with pytest.raises(SessionFormatError) as caught:
        Session.from_jsonl_lines(lines, source="bad.jsonl")
    assert caught.value.line == line
    assert words in str(caught.value)
    prefix = f"bad.jsonl:{line}: " if line is not None else "bad.jsonl: "
    assert str(caught.value).startswith(prefix)


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(HEADER + "\n\n" + '{"t": 0, "dir": "in", "kind": "frame"}\n', encoding="utf-8")
    with pytest.raises(SessionFormatError) as caught:
        Session.load(path)
    assert caught.value.line == 3
    assert str(path) in str(caught.value)


def test_vectors_loader(tmp_path: Path) -> None:
    rows = [
        {"source": "a", "direction": "out", "server_version": 176, "fields": ["v100..176"], "note": "hello"},
        {"source": "a", "direction": "in", "server_version": 176, "fields": ["176", "t"], "note": "handshake reply"},
        {"source": "a", "direction": "out", "server_version": 176, "fields": ["71", "2", "5", ""], "note": ""},
        {"source": "a", "direction": "in", "server_version": 176, "fields": ["9", "1", "1"], "note": ""},
        {"source": "a", "direction": "in", "server_version": 176, "fields": ["176", "u"], "note": "handshake reply"},
        {"source": "b", "direction": "in", "server_version": None, "fields": ["9", "1", "7"], "note": ""},
    ]
    path = tmp_path / "v.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first, second = load_vector_sessions(path)
    assert [r.kind for r in first.records] == ["hello", "ack", "frame", "frame", "ack"]
    assert [r.leg for r in first.records] == [0, 0, 0, 0, 1]
    assert first.header.client_id == 5
    assert (first.header.min_version, first.header.max_version) == (100, 176)
    assert second.header.server_version == 176  # the file's most common version
    assert second.records[0].leg == 0
    assert Session.from_jsonl_lines(first.to_jsonl_lines()) == first


def test_vectors_loader_rejects_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "v.jsonl"
    path.write_text('{"source": "a", "direction": "in", "fields": ["1"]}\n{"source": "a", "direction": "in"}\n')
    with pytest.raises(SessionFormatError) as caught:
        load_vector_sessions(path)
    assert caught.value.line == 2


def test_real_vectors_load() -> None:
    folder = VECTORS_DIR / "real"
    if not folder.is_dir():
        pytest.skip(f"shared vectors not found at {folder}")
    for path in sorted(folder.glob("*.jsonl")):
        sessions = load_vector_sessions(path)
        assert sessions
        total = sum(len(s.records) for s in sessions)
        assert total == sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


@pytest.mark.parametrize("char", ["\u2028", "\x85"])
def test_text_that_python_counts_as_a_line_break_stays_in_its_field(tmp_path: Path, char: str) -> None:
    # JSON leaves these unescaped; only "\n" ends a line of the file.
    session = Session(records=[SessionRecord(t=0.0, direction="in", fields=("10", f"a{char}b"))])
    assert Session.loads(session.dumps()) == session
    path = tmp_path / "s.jsonl"
    session.dump(path)
    assert Session.load(path) == session


def test_a_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_bytes(HEADER.encode() + b'\n{"t": 0, "dir": "in", "kind": "frame", "fields": ["caf\xe9"]}\n')
    with pytest.raises(SessionFormatError) as caught:
        Session.load(path)
    assert caught.value.line == 2
    assert str(caught.value).startswith(f"{path}:2: not UTF-8")


def test_a_text_frame_kept_raw_has_its_id_and_fields() -> None:
    # Kept raw for a Latin-1 byte; read as the client reads it.
    record = SessionRecord(t=0.0, direction="in", raw=b"4\x00-1\x002104\x00caf\xe9\x00\x00")
    assert record.msg_id == 4
    assert record.text_fields() == ("4", "-1", "2104", "caf\u00e9", "")
    assert SessionRecord(t=0.0, direction="in", raw=b"\xff\xfe not text").msg_id is None
