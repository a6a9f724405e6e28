"""The recorder: a transparent TCP proxy that writes a session file.

:class:`Recorder` listens where a client connects, opens a connection to the real
gateway for every client connection, and forwards the bytes of both directions
unchanged.  On the side it cuts both streams into frames (the ``API\\0`` hello and
the handshake reply included) and records them as a :class:`~.session.Session`.

Account ids (``DU``/``DF``/``U``/``F`` followed by digits) and any matches of the
user's own patterns are replaced by placeholders in the recording only, never
in the forwarded bytes.  The same real value always gets the same placeholder
within one recorder, so a session stays consistent (``DU7606863`` becomes
``DU0000001`` everywhere, on every leg).  Redaction sees whole frames (the hello
and the handshake reply included), never single reads; bytes that are not TWS
frames are recorded as one record when their stream ends, so that a value split
across reads is redacted too.

The recording logic is sans-I/O (:class:`SessionRecorder` takes bytes and times);
:class:`Recorder` is the socket layer around it: one accept thread and two
forwarding threads per client connection.  When either side of a connection
ends, both of its sockets are shut and closed at once.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final, TextIO

from ..errors import MalformedMessageError
from ..framing import API_SIGN
from ..messages.system import StartApi
from ..protobuf import SCHEMA, FieldSpec, Kind, MessageSpec
from ..protobuf.catalogue import INCOMING, OUTGOING, PROTOBUF_ID_OFFSET
from ..protobuf.wire import (
    WIRE_LEN,
    ProtobufDecodeError,
    encode_varint,
    read_length,
    read_varint,
    skip_field,
)
from ..versions import PROTOBUF_VERSION
from ._decode import FrameReader
from .session import (
    Direction,
    PathLike,
    RecordKind,
    Session,
    SessionHeader,
    SessionRecord,
    parse_hello,
)

__all__ = [
    "ACCOUNT_ID_PATTERN",
    "Recorder",
    "Redactor",
    "SessionRecorder",
]

#: Account ids of IB: ``DU``/``DF``/``U``/``F`` and 4 to 10 digits, not inside a word.
ACCOUNT_ID_PATTERN: Final = r"(?<![A-Za-z0-9])(?:DU|DF|U|F)\d{4,10}(?![A-Za-z0-9])"

_PREFIXED: Final = re.compile(r"([A-Za-z]*)(\d+)")
# A frame length above this is not a TWS frame: the stream is recorded as bytes.
_MAX_FRAME: Final = 0xFFFFFF


class Redactor:
    """Replaces sensitive values by placeholders, consistently.

    A value made of letters then digits (an account id) keeps its letters and
    gets a counter of the same number of digits: the first ``DU7606863`` seen
    becomes ``DU0000001``, the next distinct ``DU`` id ``DU0000002``.  Other
    matches become ``REDACTED1``, ``REDACTED2``...

    Args:
        patterns: extra regular expressions to redact.
        account_ids: also redact :data:`ACCOUNT_ID_PATTERN`.

    Raises:
        re.error: a pattern that does not compile.
    """

    def __init__(self, patterns: Iterable[str] = (), *, account_ids: bool = True) -> None:
        chosen = ([ACCOUNT_ID_PATTERN] if account_ids else []) + list(patterns)
        self.patterns: tuple[str, ...] = tuple(chosen)
        self._regexes = [re.compile(p) for p in chosen]
        self._map: dict[str, str] = {}
        self._counters: dict[str, int] = {}

    def placeholder(self, value: str) -> str:
        """The placeholder of ``value`` (allocated on first sight)."""
        known = self._map.get(value)
        if known is not None:
            return known
        match = _PREFIXED.fullmatch(value)
        stem = match.group(1) if match else "REDACTED"
        width = len(match.group(2)) if match else 1
        while True:
            count = self._counters.get(stem, 0) + 1
            self._counters[stem] = count
            candidate = f"{stem}{count:0{width}d}"
            # Never hand out a placeholder that is itself a real value seen before.
            if candidate not in self._map:
                break
        self._map[value] = candidate
        return candidate

    def redact(self, text: str, *, keep_length: bool = False) -> str:
        """``text`` with every match replaced by its placeholder.

        With ``keep_length`` each placeholder is fitted to the length of what it
        replaces (cut, or padded with ``_``), so that the lengths a binary frame
        carries stay right.
        """
        for regex in self._regexes:
            if keep_length:
                text = regex.sub(lambda m: _fit(self.placeholder(m.group(0)), len(m.group(0))), text)
            else:
                text = regex.sub(lambda m: self.placeholder(m.group(0)), text)
        return text

    def redact_bytes(self, data: bytes, *, keep_length: bool = False) -> bytes:
        """``data`` redacted as Latin-1 text (for frames that are not UTF-8, and
        protobuf bodies that do not read as their message, which need ``keep_length``)."""
        return self.redact(data.decode("latin-1"), keep_length=keep_length).encode("latin-1", "replace")

    def redact_frame(self, payload: bytes, *, incoming: bool) -> bytes:
        """A frame payload from server version 201 (raw id, then a text or protobuf
        body) redacted; ``incoming`` for a frame the server sent.

        A protobuf body is read with its message's schema and each string is
        redacted on its own, its length written again: a pattern then sees the
        string's own edges, never the length or tag byte next to it (a length of
        49 is the byte ``1``, a tag may be ``R``: either hid an account id from
        :data:`ACCOUNT_ID_PATTERN`).  A body that does not read as its message is
        redacted as bytes, its lengths kept.
        """
        msg_id = int.from_bytes(payload[:4], "big")
        if msg_id <= PROTOBUF_ID_OFFSET:
            return self.redact_bytes(payload)
        msg_id -= PROTOBUF_ID_OFFSET
        name: str | None
        if incoming:
            name = INCOMING.get(msg_id)  # type: ignore[call-overload]
        else:
            name = OUTGOING.get(msg_id, (None,))[0]  # type: ignore[call-overload]
        if name is not None:
            try:
                return payload[:4] + self._redact_message(payload[4:], SCHEMA[name])
            except (ProtobufDecodeError, UnicodeDecodeError):
                pass
        return self.redact_bytes(payload, keep_length=True)

    def _redact_message(self, body: bytes, spec: MessageSpec) -> bytes:
        numbers = {item.number: item for item in spec.fields}
        out = bytearray()
        pos, end = 0, len(body)
        while pos < end:
            start = pos
            tag, pos = read_varint(body, pos, end)
            item = numbers.get(tag >> 3)
            if tag & 7 != WIRE_LEN or item is None or item.kind not in _NESTED_TEXT:
                pos = skip_field(body, pos, end, tag)
                out += body[start:pos]
                continue
            stop, begin = read_length(body, pos, end)
            value = body[begin:stop]
            if item.kind is Kind.STRING:
                new = self.redact(value.decode("utf-8")).encode("utf-8")
            elif item.kind is Kind.MAP:
                new = self._redact_message(value, _MAP_ENTRY)
            else:
                assert item.message is not None
                new = self._redact_message(value, SCHEMA[item.message])
            out += body[start:stop] if new == value else body[start:pos] + encode_varint(len(new)) + new
            pos = stop
        return bytes(out)


# What may hold text in a protobuf body: strings, and the messages and maps around them.
_NESTED_TEXT: Final = frozenset({Kind.STRING, Kind.MESSAGE, Kind.MAP})
# An entry of a ``map<string, string>``.
_MAP_ENTRY: Final = MessageSpec("MapEntry", (FieldSpec(1, "key", Kind.STRING), FieldSpec(2, "value", Kind.STRING)))


def _fit(placeholder: str, size: int) -> str:
    return placeholder[:size].ljust(size, "_")


class _Tap:
    """Cuts one direction of one connection into records."""

    def __init__(
        self, direction: Direction, leg: int, redactor: Redactor | None, version: int | None = None
    ) -> None:
        self.direction: Direction = direction
        self.leg = leg
        self.redactor = redactor
        # The negotiated version, once known: from 201 every frame has a raw
        # 4-byte id and may be protobuf, and is recorded whole as ``raw``.
        self.version = version
        self.buffer = b""
        # The client opens with API\0 then the hello; the server with its reply.
        self.stage = "sign" if direction == "out" else "ack"
        self.records: list[SessionRecord] = []
        # When redacting, bytes that are not frames are kept until the stream
        # ends: a value split across two reads is only whole in the whole stream.
        self.unframed = b""
        self.unframed_t = 0.0

    def feed(self, data: bytes, t: float) -> None:
        self.buffer += data
        if self.stage == "sign":
            if len(self.buffer) < len(API_SIGN):
                if not API_SIGN.startswith(self.buffer):
                    self.stage = "bytes"
                else:
                    return
            elif self.buffer.startswith(API_SIGN):
                self.buffer = self.buffer[len(API_SIGN) :]
                self.stage = "hello"
            else:
                self.stage = "bytes"
        if self.stage == "bytes":
            self._unframed(t)
            return
        while len(self.buffer) >= 4:
            size = int.from_bytes(self.buffer[:4], "big")
            if size == 0 or size > _MAX_FRAME:
                self.stage = "bytes"
                self._unframed(t)
                return
            if len(self.buffer) < 4 + size:
                return
            payload = self.buffer[4 : 4 + size]
            self.buffer = self.buffer[4 + size :]
            self._frame(t, payload)

    def finish(self, t: float) -> None:
        """The stream ended: keep what is left over as bytes."""
        if self.unframed:
            self._emit(self.unframed_t, "bytes", self.unframed + self.buffer)
            self.unframed = self.buffer = b""
        if self.buffer:
            self._emit(t, "bytes", self.buffer)
            self.buffer = b""

    def _unframed(self, t: float) -> None:
        """Record the buffer as bytes: at once, or at the end when redacting."""
        if not self.buffer:
            return
        if self.redactor is None:
            self._emit(t, "bytes", self.buffer)
        else:
            if not self.unframed:
                self.unframed_t = t
            self.unframed += self.buffer
        self.buffer = b""

    def _frame(self, t: float, payload: bytes) -> None:
        if self.stage == "hello":
            self.stage = "frames"
            try:
                text = payload.decode("ascii")
            except UnicodeDecodeError:
                self._emit(t, "hello", payload)
                return
            if "\0" in text:
                self._emit(t, "hello", payload)
            else:
                if self.redactor is not None:
                    text = self.redactor.redact(text)
                self.records.append(
                    SessionRecord(t=t, direction=self.direction, leg=self.leg, kind="hello", fields=(text,))
                )
            return
        kind: RecordKind = "frame"
        if self.version is not None and self.version >= PROTOBUF_VERSION:
            if self.redactor is not None:
                payload = self.redactor.redact_frame(payload, incoming=self.direction == "in")
            self.records.append(SessionRecord(t=t, direction=self.direction, leg=self.leg, kind=kind, raw=payload))
            return
        fields = _text_fields(payload)
        if self.stage == "ack":
            # The official client skips frames until one of exactly two fields:
            # that one is the handshake reply.  Its time may be in the gateway's
            # locale (GBK), not UTF-8: the reply is then kept raw.
            parts = payload.split(b"\0")
            if parts[-1] == b"":
                parts.pop()
            if len(parts) == 2:
                kind = "ack"
                self.stage = "frames"
                if parts[0].isdigit():
                    self.version = int(parts[0])
        if fields is None:
            self._emit(t, kind, payload)
            return
        if self.redactor is not None:
            fields = tuple(self.redactor.redact(f) for f in fields)
        self.records.append(
            SessionRecord(t=t, direction=self.direction, leg=self.leg, kind=kind, fields=fields)
        )

    def _emit(self, t: float, kind: RecordKind, payload: bytes, *, keep_length: bool = False) -> None:
        if self.redactor is not None:
            payload = self.redactor.redact_bytes(payload, keep_length=keep_length)
        self.records.append(
            SessionRecord(t=t, direction=self.direction, leg=self.leg, kind=kind, raw=payload)
        )


def _text_fields(payload: bytes) -> tuple[str, ...] | None:
    """The fields of a NUL-terminated UTF-8 payload, or ``None`` if it is not one."""
    if not payload.endswith(b"\0"):
        return None
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return tuple(text[:-1].split("\0"))


def _client_id(record: SessionRecord, version: int | None) -> int | None:
    """The client id of the client's first frame, when it is a startApi."""
    f = record.fields
    if f is not None:
        if f[0] == "71" and len(f) > 2 and f[2].lstrip("-").isdigit():
            return int(f[2])
        return None
    if version is None or record.raw is None:
        return None
    try:
        message = FrameReader().payload(record.raw, version, incoming=False)
    except (KeyError, MalformedMessageError):
        return None
    return message.client_id if isinstance(message, StartApi) else None


class SessionRecorder:
    """Records the byte streams of connections into a session (sans-I/O).

    Feed it what each side sent, with the time it was seen; it cuts frames and
    keeps records in the order they were fed.

    Args:
        redact: redact account ids (and ``patterns``) in the recording.
        patterns: extra regular expressions to redact.
        start: the time ``t = 0``, on the same clock as the times given later.
        recorded_at: the wall-clock start, for the header (default: now, UTC).
    """

    def __init__(
        self,
        *,
        redact: bool = True,
        patterns: Iterable[str] = (),
        start: float = 0.0,
        recorded_at: _dt.datetime | None = None,
    ) -> None:
        patterns = list(patterns)
        self.redactor: Redactor | None = None
        if redact or patterns:
            self.redactor = Redactor(patterns, account_ids=redact)
        self.start = start
        when = recorded_at or _dt.datetime.now(_dt.timezone.utc)
        self.recorded_at: str = when.isoformat(timespec="seconds").replace("+00:00", "Z")
        self._taps: dict[tuple[int, str], _Tap] = {}
        self._records: list[SessionRecord] = []
        self._legs = 0

    def open_leg(self) -> int:
        """Start recording a new connection; returns its leg number."""
        leg = self._legs
        self._legs += 1
        self._taps[(leg, "out")] = _Tap("out", leg, self.redactor)
        self._taps[(leg, "in")] = _Tap("in", leg, self.redactor)
        return leg

    def feed(self, leg: int, direction: Direction, data: bytes, now: float) -> None:
        """Record ``data`` sent in ``direction`` on ``leg`` at time ``now``."""
        tap = self._taps[(leg, direction)]
        tap.feed(data, self._t(now))
        if direction == "in":
            # The client's frames follow the framing of the server's reply.
            self._taps[(leg, "out")].version = tap.version
        self._drain(tap)

    def close(self, leg: int, direction: Direction, now: float) -> None:
        """Record that the side ``direction`` names closed ``leg`` (``"in"``: the server)."""
        tap = self._taps[(leg, direction)]
        t = self._t(now)
        tap.finish(t)
        self._drain(tap)
        self._records.append(SessionRecord(t=t, direction=direction, leg=leg, kind="close"))

    def records_from(self, index: int) -> list[SessionRecord]:
        """The records from number ``index`` on (to write them out as they come)."""
        return self._records[index:]

    def session(self) -> Session:
        """The session recorded so far."""
        records = list(self._records)
        hello = next((r for r in records if r.kind == "hello" and r.fields), None)
        ack = next((r.text_fields() for r in records if r.kind == "ack" and r.text_fields()), None)
        low = high = None
        options = ""
        if hello is not None and hello.fields is not None:
            parsed = parse_hello(hello.fields[0])
            if parsed is not None:
                low, high, options = parsed
        version = None
        if ack and ack[0].isdigit() and ack[0].isascii():
            version = int(ack[0])
        client_id = None
        start = next((r for r in records if r.kind == "frame" and r.direction == "out"), None)
        if start is not None:
            client_id = _client_id(start, version)
        header = SessionHeader(
            server_version=version,
            min_version=low,
            max_version=high,
            connect_options=options,
            client_id=client_id,
            recorded_at=self.recorded_at,
            redactions=self.redactor.patterns if self.redactor is not None else (),
        )
        return Session(header=header, records=records)

    def _t(self, now: float) -> float:
        return round(max(now - self.start, 0.0), 6)

    def _drain(self, tap: _Tap) -> None:
        if tap.records:
            self._records.extend(tap.records)
            tap.records = []


def _parse_address(value: tuple[str, int] | str) -> tuple[str, int]:
    if isinstance(value, tuple):
        return value
    host, _, port = value.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]  # [::1]:4102
    return host or "127.0.0.1", int(port)


@dataclass
class _Pair:
    leg: int
    client: socket.socket
    upstream: socket.socket
    done: int = 0


class Recorder:
    """A recording TCP proxy between a client and a gateway.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`::

        with Recorder(listen=("127.0.0.1", 4102), upstream=("127.0.0.1", 4002),
                      path="session.jsonl") as recorder:
            ...  # connect the client to 127.0.0.1:4102
        # session.jsonl is in place when the recorder stops

    With a ``path``, the records are written as they come into
    :attr:`partial_path` (``path`` with ``.partial`` added, in the same
    directory), with a provisional header.  :meth:`stop` writes the final header
    there and renames the file to ``path`` in one step, if at least one
    connection was recorded; if none was, it removes the partial file and leaves
    an existing ``path`` (a previous recording) as it was.  After a crash the
    partial file holds what was recorded until then, and ``path`` is untouched.

    Args:
        listen: where to accept clients, ``(host, port)`` or ``"HOST:PORT"`` (an IPv6
            address in brackets: ``"[::1]:4102"``); port 0 picks a free port (see :attr:`port`).
        upstream: the gateway to forward to, in the same forms.
        path: the session file (``None``: do not write one).
        redact: redact account ids in the recording.
        patterns: extra regular expressions to redact.
        clock: the clock of the record times (seconds).
        connect_timeout: seconds to wait for the upstream connection.
    """

    def __init__(
        self,
        listen: tuple[str, int] | str = ("127.0.0.1", 4102),
        upstream: tuple[str, int] | str = ("127.0.0.1", 4002),
        path: PathLike | None = None,
        *,
        redact: bool = True,
        patterns: Iterable[str] = (),
        clock: Callable[[], float] = time.monotonic,
        connect_timeout: float = 5.0,
    ) -> None:
        self.listen: tuple[str, int] = _parse_address(listen)
        self.upstream: tuple[str, int] = _parse_address(upstream)
        self.path = path
        self.clock = clock
        self.connect_timeout = connect_timeout
        self.recorder: SessionRecorder = SessionRecorder(
            redact=redact, patterns=patterns, start=clock()
        )
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        # Connections still open; a connection leaves when both of its pumps end.
        self._pairs: list[_Pair] = []
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._active = 0
        self._idle = threading.Condition(self._lock)
        self.errors: list[str] = []
        # The partial file while recording, and how many records it holds.
        self._partial: TextIO | None = None
        self._written = 0
        self._to_file = False

    @property
    def partial_path(self) -> str | None:
        """Where the recording is written while it runs: ``path`` with ``.partial`` added."""
        return None if self.path is None else os.fspath(self.path) + ".partial"

    @property
    def port(self) -> int:
        """The listening port (the chosen one when ``listen`` asked for port 0)."""
        if self._listener is None:
            return self.listen[1]
        port: int = self._listener.getsockname()[1]
        return port

    @property
    def host(self) -> str:
        """The listening host."""
        return self.listen[0]

    def start(self) -> Recorder:
        """Bind the listening socket and start accepting clients.

        Raises:
            OSError: the partial file cannot be made beside the session file, or
                the session file is a directory (checked now, not after a whole
                recording), or the address cannot be bound.
        """
        if self._listener is not None:
            raise RuntimeError("the recorder is already started")
        family = socket.AF_INET6 if ":" in self.listen[0] else socket.AF_INET
        listener = socket.create_server(self.listen, family=family, reuse_port=False)
        if self.path is not None and self.partial_path is not None:
            # An existing session file is only replaced when stop() has a recording.
            try:
                if os.path.isdir(self.path):
                    raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(self.path))
                self._partial = open(self.partial_path, "w", encoding="utf-8", newline="\n")
                self._partial.write(self.recorder.session().header.to_json() + "\n")
                self._partial.flush()
            except OSError:
                listener.close()
                raise
            self._to_file = True
        listener.settimeout(0.05)
        self._listener = listener
        self._accept_thread = threading.Thread(target=self._accept_loop, name="ibwire-recorder", daemon=True)
        self._accept_thread.start()
        return self

    def stop(self) -> Session:
        """Stop, close every connection, put the session file in place if a path
        was given and a connection was recorded.

        Returns:
            the recorded session.

        Raises:
            OSError: the session file cannot be written; the partial file keeps
                what could be written.
        """
        self._stopping.set()
        if self._accept_thread is not None:
            self._accept_thread.join()
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            pairs = list(self._pairs)
            threads = list(self._threads)
        for pair in pairs:
            for sock in (pair.client, pair.upstream):
                _shutdown(sock)
        # The pumps see the end, record it and close their connection's sockets.
        for thread in threads:
            thread.join()
        session = self.session()
        with self._lock:
            partial, self._partial = self._partial, None
        if partial is not None:
            partial.close()
        if self._to_file and self.path is not None and self.partial_path is not None:
            self._to_file = False
            if session.records:
                # Again whole: the header now knows the version and the client id.
                session.dump(self.partial_path)
                os.replace(self.partial_path, self.path)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(self.partial_path)
        return session

    def session(self) -> Session:
        """The session recorded so far."""
        with self._lock:
            return self.recorder.session()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every proxied connection has ended; ``False`` on timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._active:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def serve_forever(self) -> None:
        """Run until interrupted (for the command line)."""
        if self._listener is None:
            self.start()
        try:
            while not self._stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass

    def __enter__(self) -> Recorder:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------ internals

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=self.connect_timeout)
            except OSError as exc:
                with self._lock:
                    self.errors.append(f"cannot reach the gateway at {self.upstream}: {exc}")
                client.close()
                continue
            for sock in (client, upstream):
                sock.settimeout(None)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threads = []
            with self._lock:
                leg = self.recorder.open_leg()
                pair = _Pair(leg, client, upstream)
                self._pairs.append(pair)
                self._active += 1
                for direction in ("out", "in"):
                    name = f"ibwire-recorder-{leg}-{direction}"
                    pump = threading.Thread(
                        target=self._pump, args=(pair, direction), name=name, daemon=True
                    )
                    threads.append(pump)
                # Threads that have ended are forgotten; stop() joins the others.
                self._threads = [t for t in self._threads if t.is_alive()] + threads
            for thread in threads:
                thread.start()

    def _pump(self, pair: _Pair, direction: Direction) -> None:
        """Forward one direction; record first, so the record order follows the wire."""
        source, target = (pair.client, pair.upstream) if direction == "out" else (pair.upstream, pair.client)
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            with self._lock:
                self.recorder.feed(pair.leg, direction, data, self.clock())
                self._write_records()
            try:
                target.sendall(data)
            except OSError:
                break
        # Either side ending ends the connection, as TWS does when a client goes:
        # both sockets are shut, which also wakes the other pump, and the last
        # pump out closes them.  Each direction records its end, however it came.
        _shutdown(target)
        _shutdown(source)
        with self._lock:
            self.recorder.close(pair.leg, direction, self.clock())
            self._write_records()
            pair.done += 1
            if pair.done == 2:
                pair.client.close()
                pair.upstream.close()
                self._pairs.remove(pair)
                self._active -= 1
                self._idle.notify_all()

    def _write_records(self) -> None:
        """Append the new records to the partial file (the lock held)."""
        if self._partial is None:
            return
        records = self.recorder.records_from(self._written)
        if not records:
            return
        try:
            self._partial.write("".join(record.to_json() + "\n" for record in records))
            self._partial.flush()
        except OSError as exc:
            # Forwarding goes on; stop() tries to write the whole session again.
            self.errors.append(f"cannot write {self.partial_path}: {exc}")
            with contextlib.suppress(OSError):
                self._partial.close()
            self._partial = None
        self._written += len(records)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
