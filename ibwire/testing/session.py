"""Session files: a recorded TWS API conversation, one JSON object per line.

A session file is `JSON Lines <https://jsonlines.org>`_ in UTF-8.  The first line
is the header; every other line is one record, in the order the recorder saw
them.  The format is meant to be read and diffed by people, so each record is one
short line with its keys in a fixed order.

Header (line 1)::

    {"ibwire_session": 1, "server_version": 176, "client_versions": [100, 200],
     "connect_options": "", "client_id": 0, "recorded_at": "2024-03-24T21:18:59Z",
     "redacted": ["(?<![A-Za-z0-9])(?:DU|DF|U|F)\\\\d{4,10}(?![A-Za-z0-9])"],
     "source": ""}

* ``ibwire_session``: the format version, :data:`FORMAT_VERSION`.  A reader
  refuses versions it does not know.
* ``server_version``: the version negotiated on the first connection, or ``null``.
* ``client_versions``: the ``[min, max]`` range of the client's hello, or ``null``.
* ``connect_options``: the options after the range in the hello (``+PACEAPI``).
* ``client_id``: the client id of the first startApi, or ``null``.
* ``recorded_at``: when the recording started, ISO 8601.
* ``redacted``: the regular expressions whose matches were replaced by
  placeholders in the recording (the patterns, never the values).
* ``source``: where the session came from (free text, e.g. a vectors file).

Records (every following line)::

    {"t": 0.0, "leg": 0, "dir": "out", "kind": "hello", "fields": ["v100..200"]}
    {"t": 0.0021, "leg": 0, "dir": "in", "kind": "ack", "fields": ["176", "20240324 21:18:59 EST"]}
    {"t": 0.0025, "leg": 0, "dir": "out", "kind": "frame", "fields": ["71", "2", "0", ""]}
    {"t": 0.0031, "leg": 0, "dir": "in", "kind": "frame", "fields": ["15", "1", "DU0000001"]}
    {"t": 9.5, "leg": 0, "dir": "in", "kind": "close"}

* ``t``: seconds since the recording started.
* ``leg``: the connection number, from 0; a reconnect opens a new leg.
* ``dir``: ``"in"`` is server to client, ``"out"`` client to server.
* ``kind``: ``"hello"`` (the client's version range after ``API\\0``; its one
  field is the text, sent without a NUL), ``"ack"`` (the server's handshake reply,
  ``[version, time]``), ``"frame"`` (one length-prefixed message), ``"bytes"``
  (bytes that could not be cut into frames, sent as they came) or ``"close"``
  (the stream named by ``dir`` ended: its side closed, or the recorder ended it
  because the other side had closed).
* ``fields``: the exact text fields of the frame, message id first.  On the wire
  the payload is ``"".join(f + "\\0" for f in fields)`` in UTF-8.
* ``raw``: instead of ``fields``, the payload in base64, for a frame that is not
  NUL-terminated UTF-8 text (a handshake reply whose time is in a gateway's
  locale, such as GBK, is kept so too), and for every frame after a handshake at server
  version 201 or later: the payload as sent, its raw 4-byte message id first,
  then a text or protobuf body (``ibwire log`` shows these decoded).
* ``note``: optional free text (provenance of a converted vector).

Loading and dumping round-trip exactly: ``Session.from_jsonl_lines(s.to_jsonl_lines())
== s``, and a file written by :meth:`Session.dump` is written back byte for byte.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final, Literal, TypeAlias

from ..fields import decode_handshake_text, decode_payload
from ..framing import API_SIGN, encode_frame
from ..protobuf.catalogue import PROTOBUF_ID_OFFSET

__all__ = [
    "FORMAT_VERSION",
    "Direction",
    "RecordKind",
    "Session",
    "SessionFormatError",
    "SessionHeader",
    "SessionRecord",
    "load_vector_sessions",
    "parse_hello",
]

#: The version of the session file format written by this module.
FORMAT_VERSION: Final = 1

#: ``"in"``: server to client; ``"out"``: client to server.
Direction = Literal["in", "out"]
#: What a record holds (see the module documentation).
RecordKind = Literal["hello", "ack", "frame", "bytes", "close"]

_DIRECTIONS: Final = frozenset({"in", "out"})
_KINDS: Final = frozenset({"hello", "ack", "frame", "bytes", "close"})
_HEADER_KEYS: Final = (
    "ibwire_session",
    "server_version",
    "client_versions",
    "connect_options",
    "client_id",
    "recorded_at",
    "redacted",
    "source",
)
_RECORD_KEYS: Final = frozenset({"t", "leg", "dir", "kind", "fields", "raw", "note"})
_HELLO_RE: Final = re.compile(r"^v(\d+)(?:\.\.(\d+))?(?: +(.*?))? *$")

PathLike: TypeAlias = str | Path


class SessionFormatError(ValueError):
    """A session file (or vectors file) that cannot be read.

    Attributes:
        source: the file name, or ``"<lines>"`` for in-memory input.
        line: the 1-based line number of the bad line, or ``None`` for the whole input.
        reason: what is wrong with it.
    """

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason


def parse_hello(text: str) -> tuple[int, int, str] | None:
    """Read a hello text such as ``"v100..200 +PACEAPI"``.

    Returns:
        ``(min_version, max_version, connect_options)``, or ``None`` when the text
        is not a version range.
    """
    match = _HELLO_RE.match(text)
    if match is None:
        return None
    low = int(match.group(1))
    high = int(match.group(2) or low)
    return low, high, match.group(3) or ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionHeader:
    """The first line of a session file.

    Attributes:
        format_version: the file format version.
        server_version: the version negotiated on the first connection.
        min_version: the lowest version of the client's hello.
        max_version: the highest version of the client's hello.
        connect_options: the connect options of the client's hello.
        client_id: the client id of the first startApi.
        recorded_at: when recording started, ISO 8601 (empty when unknown).
        redactions: the regular expressions whose matches were replaced.
        source: provenance, free text.
    """

    format_version: int = FORMAT_VERSION
    server_version: int | None = None
    min_version: int | None = None
    max_version: int | None = None
    connect_options: str = ""
    client_id: int | None = None
    recorded_at: str = ""
    redactions: tuple[str, ...] = ()
    source: str = ""

    def to_json(self) -> str:
        """The header as one line of JSON (no newline)."""
        versions: list[int] | None = None
        if self.min_version is not None and self.max_version is not None:
            versions = [self.min_version, self.max_version]
        obj = {
            "ibwire_session": self.format_version,
            "server_version": self.server_version,
            "client_versions": versions,
            "connect_options": self.connect_options,
            "client_id": self.client_id,
            "recorded_at": self.recorded_at,
            "redacted": list(self.redactions),
            "source": self.source,
        }
        return json.dumps(obj, ensure_ascii=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRecord:
    """One record of a session: a frame, the hello, the handshake reply or a close.

    Attributes:
        t: seconds since the recording started.
        direction: ``"in"`` (server to client) or ``"out"`` (client to server).
        leg: the connection number, from 0.
        kind: what the record holds (see :data:`RecordKind`).
        fields: the text fields, message id first (``None`` for raw records).
        raw: the payload bytes, when it is not NUL-terminated UTF-8 text.
        note: free text.
    """

    t: float
    direction: Direction
    leg: int = 0
    kind: RecordKind = "frame"
    fields: tuple[str, ...] | None = None
    raw: bytes | None = None
    note: str = ""

    @property
    def msg_id(self) -> int | None:
        """The message id of a frame, or ``None``.

        A text frame's first field (also of one kept ``raw`` for bytes that are not
        UTF-8); for a frame recorded from server version 201 (``raw``, a 4-byte id
        first: a text frame begins with a digit, never a zero byte) the id of its
        message, a protobuf one's without the 200 added on the wire.
        """
        if self.kind != "frame":
            return None
        if self.raw is not None and self.raw[:1] == b"\0":
            if len(self.raw) < 4:
                return None
            wire_id = int.from_bytes(self.raw[:4], "big")
            return wire_id - PROTOBUF_ID_OFFSET if wire_id > PROTOBUF_ID_OFFSET else wire_id
        fields = self.text_fields()
        if not fields:
            return None
        head = fields[0]
        return int(head) if head.isdigit() and head.isascii() else None

    def text_fields(self) -> tuple[str, ...] | None:
        """The fields of a handshake reply or a text frame, as the receiver reads them.

        ``fields`` when the record has them; for one kept ``raw`` because it is not
        UTF-8, its bytes read as the receiver reads them: a frame's in UTF-8 with
        Latin-1 for stray bytes (:func:`~ibwire.fields.decode_payload`), a reply's
        in the gateway's locale (:func:`~ibwire.fields.decode_handshake_text`).
        ``None`` for the other kinds, and for a raw frame that is not text (one from
        server version 201 starts with its 4-byte id, a zero byte).
        """
        if self.kind not in ("ack", "frame") or self.fields is not None:
            return self.fields if self.kind in ("ack", "frame") else None
        raw = self.raw
        if not raw or raw[0] == 0:
            return None
        if self.kind == "ack":
            # As the client reads it: the trailing NUL may be missing.
            parts = raw.split(b"\0")
            if parts[-1] == b"":
                parts.pop()
            return tuple(decode_handshake_text(part) for part in parts)
        if not raw.endswith(b"\0"):
            return None
        return tuple(decode_payload(raw[:-1]).split("\0"))

    def payload(self) -> bytes:
        """The payload as it is on the wire, without the length prefix.

        For a hello this is the version text (no NUL); for a close it is empty.
        """
        if self.raw is not None:
            return self.raw
        if self.fields is None:
            return b""
        if self.kind == "hello":
            return "".join(self.fields).encode("utf-8")
        return "".join(f + "\0" for f in self.fields).encode("utf-8")

    def wire(self) -> bytes:
        """The exact bytes this record stands for on the socket.

        A hello includes ``API\\0``; frames and the reply include the length
        prefix; ``bytes`` records are returned as they are; a close is empty.
        """
        if self.kind == "close":
            return b""
        if self.kind == "bytes":
            return self.payload()
        if self.kind == "hello":
            return API_SIGN + encode_frame(self.payload())
        return encode_frame(self.payload())

    def to_json(self) -> str:
        """The record as one line of JSON (no newline), keys in a fixed order."""
        obj: dict[str, object] = {
            "t": self.t,
            "leg": self.leg,
            "dir": self.direction,
            "kind": self.kind,
        }
        if self.raw is not None:
            obj["raw"] = base64.b64encode(self.raw).decode("ascii")
        elif self.fields is not None:
            obj["fields"] = list(self.fields)
        if self.note:
            obj["note"] = self.note
        return json.dumps(obj, ensure_ascii=False)


def _fail(source: str, line: int | None, reason: str) -> SessionFormatError:
    return SessionFormatError(source, line, reason)


def _parse_header(obj: object, source: str, line: int) -> SessionHeader:
    if not isinstance(obj, dict) or "ibwire_session" not in obj:
        raise _fail(source, line, "the first line is not a session header (no 'ibwire_session' key)")
    unknown = sorted(set(obj) - set(_HEADER_KEYS))
    if unknown:
        raise _fail(source, line, f"unknown header key(s) {unknown}")
    version = obj["ibwire_session"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise _fail(source, line, f"'ibwire_session' must be an integer, not {version!r}")
    if version != FORMAT_VERSION:
        raise _fail(source, line, f"session format {version} is not supported (this reader knows {FORMAT_VERSION})")

    def opt_int(key: str) -> int | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise _fail(source, line, f"header {key!r} must be an integer or null, not {value!r}")
        return value

    def text(key: str) -> str:
        value = obj.get(key, "")
        if not isinstance(value, str):
            raise _fail(source, line, f"header {key!r} must be a string, not {value!r}")
        return value

    versions = obj.get("client_versions")
    low: int | None = None
    high: int | None = None
    if versions is not None:
        if (
            not isinstance(versions, list)
            or len(versions) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in versions)
        ):
            raise _fail(source, line, f"header 'client_versions' must be [min, max], not {versions!r}")
        low, high = versions
    redacted = obj.get("redacted", [])
    if not isinstance(redacted, list) or not all(isinstance(p, str) for p in redacted):
        raise _fail(source, line, f"header 'redacted' must be a list of strings, not {redacted!r}")
    return SessionHeader(
        format_version=version,
        server_version=opt_int("server_version"),
        min_version=low,
        max_version=high,
        connect_options=text("connect_options"),
        client_id=opt_int("client_id"),
        recorded_at=text("recorded_at"),
        redactions=tuple(redacted),
        source=text("source"),
    )


def _parse_record(obj: object, source: str, line: int) -> SessionRecord:
    if not isinstance(obj, dict):
        raise _fail(source, line, f"a record must be a JSON object, not {type(obj).__name__}")
    unknown = sorted(set(obj) - _RECORD_KEYS)
    if unknown:
        raise _fail(source, line, f"unknown record key(s) {unknown}")
    for key in ("t", "dir", "kind"):
        if key not in obj:
            raise _fail(source, line, f"the record has no {key!r}")
    t = obj["t"]
    if not isinstance(t, (int, float)) or isinstance(t, bool) or not 0 <= t < math.inf:
        raise _fail(source, line, f"'t' must be a finite number of seconds >= 0, not {t!r}")
    direction = obj["dir"]
    if direction not in _DIRECTIONS:
        raise _fail(source, line, f"'dir' must be \"in\" or \"out\", not {direction!r}")
    kind = obj["kind"]
    if kind not in _KINDS:
        raise _fail(source, line, f"'kind' must be one of {sorted(_KINDS)}, not {kind!r}")
    leg = obj.get("leg", 0)
    if not isinstance(leg, int) or isinstance(leg, bool) or leg < 0:
        raise _fail(source, line, f"'leg' must be an integer >= 0, not {leg!r}")
    note = obj.get("note", "")
    if not isinstance(note, str):
        raise _fail(source, line, f"'note' must be a string, not {note!r}")
    if kind == "hello" and direction != "out":
        raise _fail(source, line, "a hello is sent by the client: 'dir' must be \"out\"")
    if kind == "ack" and direction != "in":
        raise _fail(source, line, "a handshake reply is sent by the server: 'dir' must be \"in\"")
    has_fields = "fields" in obj
    has_raw = "raw" in obj
    fields: tuple[str, ...] | None = None
    raw: bytes | None = None
    if kind == "close":
        if has_fields or has_raw:
            raise _fail(source, line, "a close record carries no 'fields' or 'raw'")
    elif has_fields == has_raw:
        raise _fail(source, line, f"a {kind} record needs exactly one of 'fields' and 'raw'")
    elif has_raw:
        value = obj["raw"]
        if not isinstance(value, str):
            raise _fail(source, line, f"'raw' must be a base64 string, not {value!r}")
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _fail(source, line, f"'raw' is not valid base64 ({exc})") from None
    else:
        if kind == "bytes":
            raise _fail(source, line, "a bytes record holds 'raw', not 'fields'")
        value = obj["fields"]
        if not isinstance(value, list) or not all(isinstance(f, str) for f in value):
            raise _fail(source, line, f"'fields' must be a list of strings, not {value!r}")
        if not value:
            raise _fail(source, line, "'fields' is empty (a frame has at least its message id)")
        for index, item in enumerate(value):
            if "\0" in item:
                raise _fail(source, line, f"field {index} contains a NUL character")
        if kind == "hello" and len(value) != 1:
            raise _fail(source, line, "a hello has exactly one field, the version text")
        fields = tuple(value)
    return SessionRecord(
        t=float(t),
        direction=direction,
        leg=leg,
        kind=kind,
        fields=fields,
        raw=raw,
        note=note,
    )


@dataclass(slots=True)
class Session:
    """A recorded conversation: a header and records in order.

    Attributes:
        header: the header.
        records: the records, in the order they were recorded.
    """

    header: SessionHeader = field(default_factory=SessionHeader)
    records: list[SessionRecord] = field(default_factory=list)

    # ------------------------------------------------------------ reading

    @classmethod
    def from_jsonl_lines(cls, lines: Iterable[str], *, source: str = "<lines>") -> Session:
        """Read a session from its lines (a file object works).

        Blank lines are skipped.

        Args:
            lines: the lines, with or without their newlines.
            source: the name used in error messages.

        Raises:
            SessionFormatError: a line that is not JSON or not a valid header or
                record; the error names the line number.
        """
        header: SessionHeader | None = None
        records: list[SessionRecord] = []
        for number, line in enumerate(lines, 1):
            text = line.strip()
            if not text:
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                raise _fail(source, number, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
            if header is None:
                header = _parse_header(obj, source, number)
            else:
                records.append(_parse_record(obj, source, number))
        if header is None:
            raise _fail(source, None, "empty input: no session header")
        return cls(header=header, records=records)

    @classmethod
    def loads(cls, text: str, *, source: str = "<string>") -> Session:
        """Read a session from the text of a session file.

        Raises:
            SessionFormatError: see :meth:`from_jsonl_lines`.
        """
        # Lines end at "\n" only: JSON leaves U+0085 and U+2028 in a field
        # unescaped, and str.splitlines() would cut the record there.
        return cls.from_jsonl_lines(text.split("\n"), source=source)

    @classmethod
    def load(cls, path: PathLike) -> Session:
        """Read a session file.

        Raises:
            SessionFormatError: see :meth:`from_jsonl_lines`; also a file that is
                not UTF-8 text (the error names the line).
            OSError: the file cannot be read.
        """
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise _fail(str(path), line, f"not UTF-8 text (byte {data[exc.start]:#04x})") from None
        return cls.loads(text, source=str(path))

    # ------------------------------------------------------------ writing

    def to_jsonl_lines(self) -> list[str]:
        """The file's lines, without newlines: the header, then one per record."""
        return [self.header.to_json(), *(record.to_json() for record in self.records)]

    def dumps(self) -> str:
        """The text of the session file (every line ends with a newline)."""
        return "".join(line + "\n" for line in self.to_jsonl_lines())

    def dump(self, path: PathLike) -> None:
        """Write the session file to ``path`` (UTF-8, ``\\n`` line ends)."""
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(self.dumps())

    # ------------------------------------------------------------ queries

    def legs(self) -> list[int]:
        """The leg numbers present, in order of first appearance."""
        seen: dict[int, None] = {}
        for record in self.records:
            seen.setdefault(record.leg, None)
        return list(seen)

    def leg_records(self, leg: int) -> list[SessionRecord]:
        """The records of one leg, in order."""
        return [record for record in self.records if record.leg == leg]

    def frames(self, direction: Direction | None = None) -> Iterator[SessionRecord]:
        """The ``frame`` records, optionally of one direction only."""
        for record in self.records:
            if record.kind == "frame" and (direction is None or record.direction == direction):
                yield record

    def server_version_of(self, leg: int) -> int | None:
        """The version the server announced on ``leg`` (or the header's)."""
        for record in self.records:
            if record.leg == leg and record.kind == "ack":
                fields = record.text_fields()
                if fields and fields[0].isdigit() and fields[0].isascii():
                    return int(fields[0])
        return self.header.server_version


# ---------------------------------------------------------------- shared vectors


def load_vector_sessions(path: PathLike, *, default_version: int | None = None) -> list[Session]:
    """Read a shared-vectors file (``{"source","direction","server_version","fields","note"}``
    lines) as sessions.

    Records are grouped by their ``source``, in file order: each source becomes one
    session.  Inside a source a client hello, or a handshake reply that does not
    follow a hello, starts a new leg.  Vector records carry no time, so every
    ``t`` is 0.  A record whose ``server_version`` is null takes the version of its
    leg, else ``default_version``, else the most common version of the file.

    Args:
        path: the ``.jsonl`` file.
        default_version: the version of records and legs that name none.

    Raises:
        SessionFormatError: a line that is not a valid vector record.
    """
    name = str(path)
    raw: list[tuple[int, dict[str, object]]] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise _fail(name, number, f"not valid JSON ({exc.msg})") from None
            if not isinstance(obj, dict):
                raise _fail(name, number, "a vector record must be a JSON object")
            for key in ("source", "direction", "fields"):
                if key not in obj:
                    raise _fail(name, number, f"the vector record has no {key!r}")
            if obj["direction"] not in _DIRECTIONS:
                raise _fail(name, number, f"'direction' must be \"in\" or \"out\", not {obj['direction']!r}")
            fields = obj["fields"]
            if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
                raise _fail(name, number, "'fields' must be a non-empty list of strings")
            version = obj.get("server_version")
            if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
                raise _fail(name, number, f"'server_version' must be an integer or null, not {version!r}")
            raw.append((number, obj))

    if default_version is None:
        counts: dict[int, int] = {}
        for _, obj in raw:
            version = obj.get("server_version")
            if isinstance(version, int):
                counts[version] = counts.get(version, 0) + 1
        default_version = max(counts, key=lambda v: counts[v]) if counts else None

    groups: dict[str, list[tuple[int, dict[str, object]]]] = {}
    for number, obj in raw:
        groups.setdefault(str(obj["source"]), []).append((number, obj))

    sessions: list[Session] = []
    for source, items in groups.items():
        records: list[SessionRecord] = []
        leg = -1
        leg_has_ack = True
        leg_open_hello = False
        first_hello: tuple[int, int, str] | None = None
        first_version: int | None = None
        for _number, obj in items:
            direction = obj["direction"]
            assert direction == "in" or direction == "out"
            fields = tuple(str(f) for f in obj["fields"])  # type: ignore[attr-defined]
            note = str(obj.get("note", ""))
            is_hello = direction == "out" and len(fields) == 1 and parse_hello(fields[0]) is not None
            is_ack = direction == "in" and "handshake reply" in note
            kind: RecordKind = "frame"
            if is_hello:
                kind = "hello"
                leg += 1
                leg_has_ack = False
                leg_open_hello = True
                if first_hello is None:
                    first_hello = parse_hello(fields[0])
            elif is_ack:
                kind = "ack"
                if leg < 0 or leg_has_ack or not leg_open_hello:
                    leg += 1
                leg_has_ack = True
                leg_open_hello = False
                if first_version is None and fields[0].isdigit():
                    first_version = int(fields[0])
            elif leg < 0:
                leg = 0
            records.append(
                SessionRecord(t=0.0, direction=direction, leg=max(leg, 0), kind=kind, fields=fields, note=note)
            )
        version = first_version
        if version is None:
            versions = [obj.get("server_version") for _, obj in items]
            version = next((v for v in versions if isinstance(v, int)), default_version)
        low, high, options = first_hello if first_hello is not None else (None, None, "")
        header = SessionHeader(
            server_version=version,
            min_version=low,
            max_version=high,
            connect_options=options,
            client_id=_startapi_client_id(records),
            source=f"{Path(name).name}: {source}",
        )
        sessions.append(Session(header=header, records=_renumber_legs(records)))
    return sessions


def _startapi_client_id(records: Sequence[SessionRecord]) -> int | None:
    for record in records:
        fields = record.fields
        if record.direction == "out" and record.kind == "frame" and fields and fields[0] == "71":
            if len(fields) > 2 and fields[2].lstrip("-").isdigit():
                return int(fields[2])
    return None


def _renumber_legs(records: list[SessionRecord]) -> list[SessionRecord]:
    """Number legs 0, 1, 2... in order of appearance."""
    numbers: dict[int, int] = {}
    out = []
    for record in records:
        leg = numbers.setdefault(record.leg, len(numbers))
        out.append(record if leg == record.leg else replace(record, leg=leg))
    return out
