"""The sans-I/O protocol: bytes in, events and bytes out, for both ends of a connection.

:class:`ClientProtocol` is what a client runs; :class:`ServerProtocol` is the
gateway's side, for the fake gateway and for tests.  Neither does any I/O, owns a
clock or starts a thread: a front end feeds received bytes to
:meth:`~ClientProtocol.receive_data`, takes decoded messages and events from
:meth:`~ClientProtocol.events_received` and writes :meth:`~ClientProtocol.data_to_send`
to its socket.

From server version 201 (:data:`~ibwire.versions.PROTOBUF_VERSION`) every frame
starts with a raw 4-byte message id instead of the text id field; an id above 200
carries a protobuf body (:mod:`ibwire.protobuf`).  The form is decided per frame
from its id, never per message family.

Contract of ``receive_data``: it queues events, or raises a
:class:`~ibwire.errors.RemoteProtocolError` subclass for faults that break the
stream (a frame length out of bounds, a bad handshake).  A frame that is whole
but cannot be decoded becomes a :class:`~ibwire.events.MalformedMessage` event and
decoding goes on with the next frame; an unknown id becomes an
:class:`~ibwire.events.UnknownMessage` event.  Nothing else escapes.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Final, TypeAlias

from .codec import Codec
from .errors import (
    HandshakeError,
    LocalProtocolError,
    MalformedMessageError,
    RemoteProtocolError,
)
from .events import (
    ClientHello,
    ConnectAck,
    ConnectionClosed,
    Event,
    MalformedMessage,
    UnknownMessage,
)
from .fields import (
    TEXT_ERRORS,
    check_printable_ascii,
    decode_handshake_text,
    decode_payload,
    read_id,
)
from .framing import API_SIGN, DEFAULT_MAX_FRAME_SIZE, FrameDecoder, encode_frame, encode_hello
from .messages import Message
from .messages.system import StartApi
from .versions import (
    MAX_CLIENT_VERSION,
    MIN_CLIENT_VERSION,
    PROTOBUF_ID_OFFSET,
    PROTOBUF_VERSION,
    ServerVersion,
    check_range,
)

if TYPE_CHECKING:  # the protobuf forms load with the first connection at 201+
    from .protobuf.forms import ProtobufForms

__all__ = [
    "DECODE_SLICE",
    "ClientProtocol",
    "ProtocolEvent",
    "ServerProtocol",
    "State",
    "check_client_arguments",
    "slices",
]

#: What :meth:`ClientProtocol.events_received` returns: messages and core events.
ProtocolEvent: TypeAlias = "Message | Event"

#: The largest piece of a socket read that :func:`slices` hands to ``receive_data``.
DECODE_SLICE: Final = 16 * 1024


def slices(data: bytes, size: int = DECODE_SLICE) -> Iterator[bytes]:
    """A socket read in pieces of at most ``size`` bytes, to feed one at a time.

    Feeding a large read to :meth:`ClientProtocol.receive_data` piece by piece,
    taking and handling the events after each piece, keeps only one piece's
    messages alive at once.  The cyclic garbage collector then costs a 256 KiB
    read no more per message than a 4 KiB one; fed whole, its thousands of
    live messages make each young-generation collection traverse them all.
    Both clients feed their reads this way.  A read no larger than ``size`` is
    yielded as it is.

    Args:
        data: the bytes of one read.
        size: the largest piece.
    """
    if len(data) <= size:
        yield data
        return
    for start in range(0, len(data), size):
        yield data[start : start + size]


_HELLO_RE: Final = re.compile(r"^v(\d+)(?:\.\.(\d+))?(?: +(.*?))? *$")


class State(enum.Enum):
    """Where a connection stands."""

    #: Nothing sent or received yet.
    IDLE = "idle"
    #: The hello is out (client) or awaited (server); no version agreed yet.
    HANDSHAKE = "handshake"
    #: A version is agreed; messages flow.
    CONNECTED = "connected"
    #: The peer closed, or a fatal protocol error happened.
    CLOSED = "closed"


# Tested on every read: in CPython 3.11 ``State.CLOSED`` runs a Python-level
# descriptor (~150 ns), a module constant does not (benchmarks/bench_live_client.py).
_IDLE: Final = State.IDLE
_CLOSED: Final = State.CLOSED


class _Endpoint:
    """What both sides share: framing, the decode loop, the send buffer."""

    def __init__(self, *, server: bool, max_frame_size: int) -> None:
        self._server = server
        self._frames = FrameDecoder(max_frame_size)
        self._events: list[ProtocolEvent] = []
        self._out: list[bytes] = []
        self._codec: Codec | None = None
        self._forms: ProtobufForms | None = None
        self._server_version: int | None = None
        self._state = State.IDLE
        self._received = 0

    # ---------------------------------------------------------------- properties

    @property
    def state(self) -> State:
        """The connection's state."""
        return self._state

    @property
    def server_version(self) -> int | None:
        """The negotiated server version, once the handshake is done."""
        return self._server_version

    @property
    def messages_received(self) -> int:
        """How many messages arrived after the handshake."""
        return self._received

    @property
    def codec(self) -> Codec | None:
        """The codec of the negotiated version, once the handshake is done."""
        return self._codec

    # ---------------------------------------------------------------- verbs

    def events_received(self) -> list[ProtocolEvent]:
        """Take the messages and events decoded so far, in arrival order."""
        events = self._events
        self._events = []
        return events

    def data_to_send(self) -> bytes:
        """Take the bytes queued for the peer (empty when there are none)."""
        if not self._out:
            return b""
        data = b"".join(self._out)
        self._out = []
        return data

    def receive_eof(self) -> None:
        """The peer closed its side; queues a :class:`~ibwire.events.ConnectionClosed`."""
        if self._state is State.CLOSED:
            return
        handshake_done = self._codec is not None
        self._state = State.CLOSED
        self._events.append(
            ConnectionClosed(handshake_done=handshake_done, messages_received=self._received)
        )

    def send(self, message: Message) -> None:
        """Encode ``message`` for the negotiated version and queue its frame.

        Raises:
            LocalProtocolError: not connected, or the message cannot be sent
                (text that is not printable ASCII, a bad value).
            UnsupportedByServerError: the message or one of its set fields needs a
                newer server version.  Nothing is queued.
        """
        self._out.append(self.encode(message))

    def encode(self, message: Message) -> bytes:
        """The frame of ``message`` for the negotiated version, checked, not queued.

        With :meth:`send_frame`, a caller that holds a request back (the
        client's pacer) checks it when it is made and encodes it only once.

        Raises:
            LocalProtocolError: not connected, or the message cannot be sent.
            UnsupportedByServerError: it needs a newer server version.
        """
        codec = self._require_codec()
        forms = self._forms
        if forms is not None:
            payload = forms.encode(message)
            if payload is not None:
                return encode_frame(payload)
            parts = codec.encode(message)
            forms.check_text(int(parts[0]), type(message).__name__)
        else:
            parts = codec.encode(message)
        return self._frame_fields(parts, check=not self._server, what=type(message).__name__)

    def send_frame(self, frame: bytes) -> None:
        """Queue a frame made by :meth:`encode` on this connection.

        Raises:
            LocalProtocolError: not connected.
        """
        self._require_codec()
        self._out.append(frame)

    # ---------------------------------------------------------------- internals

    def _start(self, version: int) -> None:
        """The version is agreed: build the codec (and the protobuf forms from 201)."""
        self._server_version = version
        self._codec = Codec(version, server=self._server)
        if version >= PROTOBUF_VERSION:
            from .protobuf.forms import ProtobufForms

            self._forms = ProtobufForms(version, server=self._server)
        self._state = State.CONNECTED

    def _require_codec(self) -> Codec:
        if self._codec is None or self._state is not State.CONNECTED:
            raise LocalProtocolError(
                "cannot send before the handshake is done"
                if self._state is not State.CLOSED
                else "the connection is closed"
            )
        return self._codec

    def _queue_fields(self, parts: Sequence[str], *, check: bool, what: str) -> None:
        self._out.append(self._frame_fields(parts, check=check, what=what))

    def _frame_fields(self, parts: Sequence[str], *, check: bool, what: str) -> bytes:
        try:
            joined = "".join(parts)
        except TypeError:
            bad_index = next(i for i, part in enumerate(parts) if not isinstance(part, str))
            raise LocalProtocolError(
                f"{what}: field {bad_index} is a {type(parts[bad_index]).__name__}, not text"
            ) from None
        # isascii() and isprintable() are cheaper than the regex and settle the
        # common case (benchmarks/bench_encode.py); tab, LF and CR fail
        # isprintable() and take the exact check.
        if check and not (joined.isascii() and joined.isprintable()):
            bad = check_printable_ascii(joined)
            if bad >= 0:
                raise LocalProtocolError(_describe_bad_text(what, parts, bad))
            payload = ("\0".join(parts) + "\0").encode("ascii")
        else:
            payload = ("\0".join(parts) + "\0").encode("utf-8")
        if self._forms is not None:
            # From 201 the id is a raw 4-byte integer, not a text field.
            head = int(parts[0]).to_bytes(4, "big")
            payload = head + payload[payload.index(b"\0") + 1 :]
        return encode_frame(payload)

    def _decode_frames(self, frames: list[bytes]) -> None:
        """Decode whole frames into events: the hot loop."""
        if self._forms is not None:
            self._decode_raw_frames(frames, self._forms)
            return
        codec = self._codec
        assert codec is not None
        get = codec.raw_table.get
        append = self._events.append
        self._received += len(frames)
        payload = b""
        remaining = iter(frames)
        while True:
            try:
                for payload in remaining:
                    # The fields stay bytes: the decoders read numbers from them
                    # and decode only text fields (benchmarks/bench_decode.py).
                    fields = payload.split(b"\0")
                    if fields.pop():
                        raise _Unterminated
                    decoder = get(fields[0])
                    if decoder is None:
                        append(self._unknown(fields))
                    else:
                        append(decoder(fields))
                break
            except Exception as exc:  # the one boundary: evidence, then go on
                append(MalformedMessage(error=self._explain(codec, payload, exc)))

    def _decode_raw_frames(self, frames: list[bytes], forms: ProtobufForms) -> None:
        """The hot loop from server version 201: raw ids, text or protobuf bodies."""
        codec = self._codec
        assert codec is not None
        get = codec.raw_table.get
        protobuf = forms.heads.get
        append = self._events.append
        self._received += len(frames)
        payload = b""
        remaining = iter(frames)
        while True:
            try:
                for payload in remaining:
                    # A protobuf frame of a known kind, by its first four bytes.
                    decode = protobuf(payload[:4])
                    if decode is not None:
                        append(decode(payload))
                        continue
                    if len(payload) < 4:
                        raise _NoId
                    msg_id = int.from_bytes(payload[:4], "big")
                    if msg_id > PROTOBUF_ID_OFFSET:
                        append(forms.unknown(msg_id, payload[4:]))
                        continue
                    fields = payload[4:].split(b"\0")
                    if fields.pop():
                        raise _Unterminated
                    fields.insert(0, b"%d" % msg_id)
                    decoder = get(fields[0])
                    if decoder is None:
                        append(self._unknown(fields))
                    else:
                        append(decoder(fields))
                break
            except Exception as exc:  # the one boundary: evidence, then go on
                # A text or protobuf body that does not decode: this frame only.
                append(MalformedMessage(error=self._explain_raw(codec, forms, payload, exc)))

    @classmethod
    def _explain_raw(
        cls, codec: Codec, forms: ProtobufForms, payload: bytes, exc: BaseException
    ) -> MalformedMessageError:
        if isinstance(exc, _NoId):
            return MalformedMessageError(
                None, (), f"a frame of {len(payload)} bytes has no 4-byte message id"
            )
        msg_id = int.from_bytes(payload[:4], "big")
        if msg_id > PROTOBUF_ID_OFFSET:
            return forms.explain(msg_id, payload[4:], exc)
        return cls._explain(codec, str(msg_id).encode() + b"\0" + payload[4:], exc)

    def _unknown(self, raw: list[bytes]) -> ProtocolEvent:
        fields = [field.decode("utf-8", TEXT_ERRORS) for field in raw]
        head = fields[0]
        msg_id = read_id(head)
        if msg_id is not None:
            return UnknownMessage(msg_id=msg_id, fields=tuple(fields))
        return MalformedMessage(
            error=MalformedMessageError(
                None, fields, f"the message id {_clip(head)} is not a number", field_index=0
            )
        )

    @staticmethod
    def _explain(codec: Codec, payload: bytes, exc: BaseException) -> MalformedMessageError:
        fields = decode_payload(payload).split("\0")
        if isinstance(exc, _Unterminated):
            return MalformedMessageError(
                read_id(fields[0]),
                fields,
                "the last field is not terminated by NUL",
                field_index=len(fields) - 1,
            )
        fields.pop()
        return codec.diagnose(fields, exc)

    def _closed_by_error(self, error: RemoteProtocolError) -> RemoteProtocolError:
        self._state = State.CLOSED
        return error


class _Unterminated(Exception):
    pass


class _NoId(Exception):
    pass


def _clip(text: str, limit: int = 40) -> str:
    """``text`` as evidence in a message: its repr, cut to ``limit`` characters."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"


def _describe_bad_text(what: str, parts: Sequence[str], position: int) -> str:
    offset = 0
    for index, part in enumerate(parts):
        if position < offset + len(part):
            char = part[position - offset]
            return (
                f"{what}: field {index} ({part!r}) holds {char!r}; TWS accepts only "
                "printable ASCII (32-126, tab, LF, CR)"
            )
        offset += len(part)
    return f"{what}: text that is not printable ASCII"


def check_client_arguments(
    client_id: int, max_version: int, connect_options: str, optional_capabilities: str
) -> None:
    """Check what the client sends before any request: the hello's options and
    startApi, refused when they are given, not when the server's reply arrives.

    Raises:
        ValueError: options that are not printable ASCII, or a client id outside
            int32 when the server may negotiate 213 or later, where startApi
            carries it as a protobuf ``int32`` (the official client raises
            ``ValueError`` from ``connect``).
    """
    if check_printable_ascii(connect_options) >= 0 or "\0" in connect_options:
        raise ValueError("connect_options must be printable ASCII")
    if check_printable_ascii(optional_capabilities) >= 0 or "\0" in optional_capabilities:
        raise ValueError("optional_capabilities must be printable ASCII")
    if max_version >= ServerVersion.PROTOBUF_REST_MESSAGES_3 and not (
        -(2**31) <= client_id < 2**31
    ):
        raise ValueError(
            f"client_id {client_id} does not fit a 32-bit int, which startApi carries from "
            f"server version {int(ServerVersion.PROTOBUF_REST_MESSAGES_3)} on"
        )


class ClientProtocol(_Endpoint):
    """The client side of a TWS API connection, without I/O.

    Args:
        client_id: this connection's client id (sent in startApi).
        min_version: the lowest server version to accept (at least 100).
        max_version: the highest server version to advertise: by default
            :data:`~ibwire.versions.MAX_CLIENT_VERSION` (226); 200 keeps the
            connection on the text protocol.
        connect_options: options appended to the hello, e.g. ``"+PACEAPI"``.
        optional_capabilities: sent in startApi.
        max_frame_size: the largest frame accepted, in bytes.

    Raises:
        ValueError: a version bound outside 100..226, options or capabilities
            that are not printable ASCII, or a client id that startApi cannot
            carry (see :func:`check_client_arguments`).
    """

    def __init__(
        self,
        client_id: int,
        *,
        min_version: int = MIN_CLIENT_VERSION,
        max_version: int = MAX_CLIENT_VERSION,
        connect_options: str = "",
        optional_capabilities: str = "",
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
    ) -> None:
        check_range(min_version, max_version)
        check_client_arguments(client_id, max_version, connect_options, optional_capabilities)
        super().__init__(server=False, max_frame_size=max_frame_size)
        self.client_id = client_id
        self.min_version = min_version
        self.max_version = max_version
        self.connect_options = connect_options
        self.optional_capabilities = optional_capabilities
        self._connection_time: str | None = None

    @property
    def connection_time(self) -> str | None:
        """The server's local time from the handshake reply."""
        return self._connection_time

    def connect(self) -> None:
        """Queue the hello: ``API\\0`` and the length-prefixed version range.

        Raises:
            LocalProtocolError: ``connect`` was already called.
        """
        if self._state is not State.IDLE:
            raise LocalProtocolError("connect() was already called")
        text = f"v{self.min_version}..{self.max_version}"
        if self.min_version == self.max_version:
            text = f"v{self.min_version}"
        if self.connect_options:
            text += " " + self.connect_options
        self._out.append(encode_hello(text))
        self._state = State.HANDSHAKE

    def receive_data(self, data: bytes) -> None:
        """Feed bytes received from the server.

        Raises:
            FrameTooLargeError: a frame length of zero or above the maximum.
            HandshakeError: the server's reply is unusable, or its version is
                outside the advertised range.
        """
        state = self._state
        if state is _CLOSED:
            return
        if state is _IDLE:
            raise LocalProtocolError("receive_data() before connect()")
        try:
            if self._codec is not None:
                frames, error = self._frames.split(data)
                self._decode_frames(frames)
                if error is not None:
                    raise error
                return
            # The reply, and what came after it, before a bad header in the same read.
            frames, error = self._frames.split(data)
            if frames:
                frames = self._handshake(frames)
            if frames:
                self._decode_frames(frames)
            if error is not None:
                raise error
        except RemoteProtocolError as exc:
            raise self._closed_by_error(exc) from None

    def _handshake(self, frames: list[bytes]) -> list[bytes]:
        for index, payload in enumerate(frames):
            raw = payload.split(b"\0")
            if raw and raw[-1] == b"":
                raw.pop()
            # The official client ignores frames until one of exactly two fields:
            # "sometimes news arrive before the server version".
            if len(raw) != 2:
                continue
            self._accept_reply(raw[0], raw[1])
            return frames[index + 1 :]
        return []

    def _accept_reply(self, raw_version: bytes, raw_time: bytes) -> None:
        text = raw_version.decode("ascii", "replace")
        if text == "-1":
            target = raw_time.decode("ascii", "replace")
            raise self._closed_by_error(
                HandshakeError(f"the server redirects the connection to {target!r}")
            )
        version = read_id(text)
        if version is None:
            raise self._closed_by_error(HandshakeError(f"bad server version {_clip(text)}"))
        if not self.min_version <= version <= self.max_version:
            raise self._closed_by_error(
                HandshakeError(
                    f"server version {version} is outside the advertised range "
                    f"{self.min_version}..{self.max_version}"
                )
            )
        self._connection_time = decode_handshake_text(raw_time)
        self._start(version)
        self._events.append(ConnectAck(server_version=version, connection_time=self._connection_time))
        self.send(StartApi(client_id=self.client_id, optional_capabilities=self.optional_capabilities))


class ServerProtocol(_Endpoint):
    """The gateway side of a connection, without I/O (for fake gateways and tests).

    It reads the client's hello and emits :class:`~ibwire.events.ClientHello`; the
    caller then calls :meth:`accept` (or closes).  Afterwards it decodes the
    client's requests (startApi included) and encodes server messages.

    Args:
        min_version: the lowest version this server speaks.
        max_version: the highest version this server speaks (226 by default).
        max_frame_size: the largest frame accepted, in bytes.
    """

    def __init__(
        self,
        *,
        min_version: int = MIN_CLIENT_VERSION,
        max_version: int = MAX_CLIENT_VERSION,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
    ) -> None:
        check_range(min_version, max_version)
        super().__init__(server=True, max_frame_size=max_frame_size)
        self.min_version = min_version
        self.max_version = max_version
        self._sign = b""
        self._hello: ClientHello | None = None
        self._pending: list[bytes] = []
        self._state = State.HANDSHAKE

    @property
    def hello(self) -> ClientHello | None:
        """The client's hello, once received."""
        return self._hello

    def receive_data(self, data: bytes) -> None:
        """Feed bytes received from the client.

        Raises:
            HandshakeError: the connection does not open with ``API\\0`` and a
                version range.
            FrameTooLargeError: a frame length of zero or above the maximum.
        """
        if self._state is State.CLOSED:
            return
        if len(self._sign) < len(API_SIGN):
            need = len(API_SIGN) - len(self._sign)
            self._sign += data[:need]
            data = data[need:]
            if not API_SIGN.startswith(self._sign):
                raise self._closed_by_error(
                    HandshakeError(f"the connection does not start with API\\0: {self._sign!r}")
                )
            if not data:
                return
        # The frames before a bad header in the same read are handled first.
        frames, error = self._frames.split(data)
        if self._hello is None and frames:
            self._hello = self._parse_hello(frames[0])
            self._events.append(self._hello)
            frames = frames[1:]
        if self._codec is None:
            self._pending.extend(frames)
        elif frames:
            self._decode_frames(frames)
        if error is not None:
            raise self._closed_by_error(error)

    def _parse_hello(self, payload: bytes) -> ClientHello:
        text = payload.decode("ascii", "replace")
        match = _HELLO_RE.match(text)
        if match is None:
            raise self._closed_by_error(HandshakeError(f"bad version range {_clip(text)}"))
        low = read_id(match.group(1))
        high = read_id(match.group(2)) if match.group(2) else low
        if low is None or high is None:
            raise self._closed_by_error(HandshakeError(f"bad version range {_clip(text)}"))
        if low > high:
            raise self._closed_by_error(HandshakeError(f"empty version range {text!r}"))
        return ClientHello(min_version=low, max_version=high, connect_options=match.group(3) or "")

    def accept(self, version: int | None = None, connection_time: str = "20240101 00:00:00 EST") -> int:
        """Answer the hello with a version and the server's time; returns the version.

        Args:
            version: the version to use; by default the highest both sides speak.
            connection_time: the time text of the reply.

        Raises:
            LocalProtocolError: no hello yet, already accepted, or the version is
                outside the client's or this server's range.
        """
        hello = self._hello
        if hello is None:
            raise LocalProtocolError("no hello received yet")
        if self._codec is not None:
            raise LocalProtocolError("already accepted")
        if version is None:
            version = min(hello.max_version, self.max_version)
        if not (hello.min_version <= version <= hello.max_version) or not (
            self.min_version <= version <= self.max_version
        ):
            raise LocalProtocolError(
                f"version {version} does not fit the client's range "
                f"{hello.min_version}..{hello.max_version} and this server's "
                f"{self.min_version}..{self.max_version}"
            )
        self._start(version)
        reply = f"{version}\0{connection_time}\0".encode()
        self._out.append(encode_frame(reply))
        pending, self._pending = self._pending, []
        if pending:
            self._decode_frames(pending)
        return version

    def send_fields(self, fields: Sequence[str]) -> None:
        """Queue a message given as its exact text fields (id first), not re-encoded."""
        self._require_codec()
        self._queue_fields(fields, check=False, what="fields")

    def send_raw(self, payload: bytes) -> None:
        """Queue a frame with ``payload`` exactly as given."""
        if self._state is State.CLOSED:
            raise LocalProtocolError("the connection is closed")
        self._out.append(encode_frame(payload))

    def close(self) -> None:
        """Mark the connection closed (the front end then closes the socket)."""
        self._state = State.CLOSED
