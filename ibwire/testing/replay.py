"""Replay: a fake gateway that plays a recorded session back to a live client.

:class:`FakeGateway` accepts connections and plays the session's legs in order,
one leg per connection.  For each connection it runs the real server handshake
with :class:`~ibwire.protocol.ServerProtocol` (``API\\0``, a version range that
includes the recorded version, then startApi), waits for each request the client
recorded, in order, and answers with the recorded server frames *verbatim*
(:meth:`~ibwire.protocol.ServerProtocol.send_fields` /
:meth:`~ibwire.protocol.ServerProtocol.send_raw`; nothing is re-encoded).  Server
frames recorded before the first request or after the last response are sent at
their place in the recording.

Two modes:

* ``"strict"``: each request must equal the recorded one, field for field.
* ``"lenient"``: each request must have the recorded message id and fields,
  except request ids, order ids and the client id, which may differ; the live
  ids are then bound to the recorded ones and written into the responses
  (recorded id -> live id).

From server version 201 the recording keeps each frame whole (a protobuf body
has no field positions): requests are then compared as decoded messages, and in
lenient mode a response whose ids change is decoded, rebound and encoded again
(otherwise it is sent verbatim).

A request that does not match is a :class:`ReplayDivergence`: the step (record
index), the file line, the expected and the received fields.  The gateway closes
that connection, keeps the divergence in :attr:`FakeGateway.divergences`, and
:meth:`FakeGateway.raise_on_divergence` raises it in the test.

Timing: ``"fast"`` sends responses at once, ``"recorded"`` keeps the recorded
delays (measured from the request that precedes them), a float scales them.
Faults (:class:`SplitWrites`, :class:`CoalesceWrites`, :class:`DisconnectAt`,
:class:`DelayAt`) are scripted on top.

:class:`ReplayCore` is the whole logic without I/O; :func:`replay_offline` drives
it with a session's own requests and a :class:`~ibwire.protocol.ClientProtocol`,
no sockets at all (the conformance suite uses that).
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, Literal, TypeAlias

from ..codec import OUTGOING
from ..errors import LocalProtocolError, MalformedMessageError, RemoteProtocolError
from ..events import ClientHello, Event, MalformedMessage, UnknownMessage
from ..framing import encode_hello
from ..messages import Message
from ..protocol import ClientProtocol, ServerProtocol
from ..versions import MAX_CLIENT_VERSION, MIN_CLIENT_VERSION, PROTOBUF_VERSION
from ._decode import FrameReader
from ._layout import ID_NAMES, IdKind, id_positions
from ._server import Action, Close, ThreadedServer, Write
from .recorder import _Tap
from .session import PathLike, Session, SessionRecord

__all__ = [
    "CoalesceWrites",
    "DelayAt",
    "DisconnectAt",
    "FakeGateway",
    "Fault",
    "Mode",
    "OfflineReplay",
    "ReplayCore",
    "ReplayDivergence",
    "SplitWrites",
    "Timing",
    "replay_offline",
]

#: How requests are compared (see the module documentation).
Mode = Literal["strict", "lenient"]
#: ``"fast"``, ``"recorded"``, or a factor applied to the recorded delays.
Timing: TypeAlias = Literal["fast", "recorded"] | float

# Values that mean "no id": they are compared exactly, never rebound.
_NO_ID = frozenset({"", "0", "-1", "2147483647"})


class ReplayDivergence(AssertionError):
    """The client did not do what the recording says (an ``AssertionError``).

    Attributes:
        step: the index of the record in ``session.records`` (``None`` when the
            divergence is not about a recorded record).
        line: the line of that record in the session file (``step + 2``).
        leg: the leg (connection number).
        reason: what went wrong.
        expected: the recorded fields, when there are some.
        got: the fields the client sent, when there are some.
    """

    def __init__(
        self,
        *,
        step: int | None,
        leg: int | None,
        reason: str,
        expected: Sequence[str] | None = None,
        got: Sequence[str] | None = None,
    ) -> None:
        self.step = step
        self.line: int | None = None if step is None else step + 2
        self.leg = leg
        self.reason = reason
        self.expected: tuple[str, ...] | None = None if expected is None else tuple(expected)
        self.got: tuple[str, ...] | None = None if got is None else tuple(got)
        super().__init__(self._text())

    def _text(self) -> str:
        where = []
        if self.step is not None:
            where.append(f"step {self.step} (line {self.line})")
        if self.leg is not None:
            where.append(f"leg {self.leg}")
        text = f"{', '.join(where) or 'replay'}: {self.reason}"
        if self.expected is not None:
            text += f"\n  expected: {list(self.expected)}"
        if self.got is not None:
            text += f"\n  got:      {list(self.got)}"
        if self.expected is not None and self.got is not None:
            diff = [
                i
                for i in range(max(len(self.expected), len(self.got)))
                if i >= len(self.expected) or i >= len(self.got) or self.expected[i] != self.got[i]
            ]
            if diff:
                text += f"\n  differing field indexes: {diff}"
        return text


# ---------------------------------------------------------------- faults


@dataclass(frozen=True, slots=True)
class SplitWrites:
    """Write every server frame in pieces of ``size`` bytes, one write call each.

    Attributes:
        size: bytes per write (1 gives the hardest test of a client's framing).
    """

    size: int = 1


@dataclass(frozen=True, slots=True)
class CoalesceWrites:
    """Write every batch of server frames due at the same time in one write call."""


@dataclass(frozen=True, slots=True)
class DisconnectAt:
    """Close the connection at record ``step`` instead of playing it.

    For a server frame the frame is not sent; for a request the connection is
    closed as soon as the request is the next one expected.

    Attributes:
        step: the index of the record in ``session.records``.
    """

    step: int


@dataclass(frozen=True, slots=True)
class DelayAt:
    """Delay the server frame at record ``step`` (and everything after it on its leg).

    Attributes:
        step: the index of the record in ``session.records``.
        seconds: the extra delay.
    """

    step: int
    seconds: float


Fault: TypeAlias = SplitWrites | CoalesceWrites | DisconnectAt | DelayAt


# ---------------------------------------------------------------- the core

# A scheduled item: (due time, step, record); a ``None`` record is a scripted close.
_Item: TypeAlias = tuple[float, int | None, SessionRecord | None]


@dataclass
class _Play:
    conn: int
    leg: int
    hello: tuple[int, SessionRecord] | None
    items: list[tuple[int | None, SessionRecord]]
    server: ServerProtocol
    tap: _Tap
    pos: int = 0
    state: str = "hello"  # hello, playing, ended, failed
    anchor_live: float = 0.0
    anchor_rec: float = 0.0
    last_due: float = 0.0
    offset: float = 0.0
    queue: deque[_Item] = field(default_factory=deque)
    ids: dict[IdKind, dict[str, str]] = field(default_factory=lambda: {"req": {}, "order": {}, "client": {}})
    version: int = 0
    matched: int = 0


def _scale(timing: Timing) -> float:
    if timing == "fast":
        return 0.0
    if timing == "recorded":
        return 1.0
    if isinstance(timing, (int, float)) and not isinstance(timing, bool) and 0 <= timing < math.inf:
        return float(timing)
    raise ValueError(f"timing must be 'fast', 'recorded' or a finite factor >= 0, not {timing!r}")


class ReplayCore:
    """The replay logic without I/O (a :class:`~._server.ServerCore`).

    Args:
        session (~ibwire.testing.session.Session): what to play.
        mode: ``"strict"`` or ``"lenient"``.
        timing: ``"fast"``, ``"recorded"`` or a factor of the recorded delays.
        faults: scripted faults.

    Raises:
        ValueError: a bad mode, timing or fault.
    """

    def __init__(
        self,
        session: Session,
        *,
        mode: Mode = "strict",
        timing: Timing = "fast",
        faults: Iterable[Fault] = (),
    ) -> None:
        if mode not in ("strict", "lenient"):
            raise ValueError(f"mode must be 'strict' or 'lenient', not {mode!r}")
        self.session = session
        self.mode: Mode = mode
        self.scale: float = _scale(timing)
        self.faults: tuple[Fault, ...] = tuple(faults)
        self.split: int = 0
        self.coalesce: bool = False
        self.disconnect_steps: set[int] = set()
        self.delays: dict[int, float] = {}
        for fault in self.faults:
            if isinstance(fault, SplitWrites):
                if fault.size < 1:
                    raise ValueError("SplitWrites.size must be at least 1")
                self.split = fault.size
            elif isinstance(fault, CoalesceWrites):
                self.coalesce = True
            elif isinstance(fault, DisconnectAt):
                self.disconnect_steps.add(fault.step)
            elif isinstance(fault, DelayAt):
                self.delays[fault.step] = self.delays.get(fault.step, 0.0) + fault.seconds
            else:
                raise ValueError(f"unknown fault {fault!r}")
        #: Every divergence seen, in order.
        self.divergences: list[ReplayDivergence] = []
        self._legs = session.legs()
        self._next_leg = 0
        self._plays: dict[int, _Play] = {}
        self._finished: list[_Play] = []
        self._actions: list[Action] = []
        self._reader = FrameReader()

    # ------------------------------------------------------------ ServerCore

    def connection_made(self, conn: int, now: float) -> None:
        """A client connected: it plays the next leg."""
        if self._next_leg >= len(self._legs):
            self._diverge(
                None,
                None,
                f"connection {conn} has no recorded leg (the session has {len(self._legs)})",
            )
            self._actions.append(Close(conn))
            return
        leg = self._legs[self._next_leg]
        self._next_leg += 1
        hello: tuple[int, SessionRecord] | None = None
        items: list[tuple[int | None, SessionRecord]] = []
        has_ack = False
        for step, record in enumerate(self.session.records):
            if record.leg != leg:
                continue
            if record.kind == "hello" and hello is None and not items:
                hello = (step, record)
                continue
            has_ack = has_ack or record.kind == "ack"
            items.append((step, record))
        if not has_ack:
            # A leg cut from vectors may lack the reply: answer with the header's version.
            items.insert(0, (None, SessionRecord(t=hello[1].t if hello else 0.0, direction="in", leg=leg, kind="ack")))
        play = _Play(
            conn=conn,
            leg=leg,
            hello=hello,
            items=items,
            server=ServerProtocol(),
            tap=_Tap("out", leg, None),
        )
        self._plays[conn] = play

    def data_received(self, conn: int, data: bytes, now: float) -> None:
        """Bytes from the client: the hello, then requests to compare."""
        play = self._plays.get(conn)
        if play is None or play.state in ("ended", "failed"):
            return
        try:
            play.server.receive_data(data)
        except RemoteProtocolError as exc:
            step = play.hello[0] if play.hello else None
            expected = play.hello[1].fields if play.hello else None
            self._fail(play, step, f"handshake: {exc}", expected, None)
            return
        hello_event = next((e for e in play.server.events_received() if isinstance(e, ClientHello)), None)
        play.tap.feed(data, now)
        records, play.tap.records = play.tap.records, []
        for record in records:
            if play.state == "failed":
                return
            if record.kind == "hello":
                assert hello_event is not None
                self._on_hello(play, hello_event, record, now)
            else:
                self._on_request(play, record, now)

    def connection_lost(self, conn: int, now: float) -> None:
        """The client closed: nothing more is sent on that connection."""
        play = self._plays.pop(conn, None)
        if play is None:
            return
        play.tap.finish(now)
        if play.state != "failed":
            play.state = "ended"
        play.queue.clear()
        self._finished.append(play)

    def advance(self, now: float) -> None:
        """Send every server frame due by ``now``."""
        for play in list(self._plays.values()):
            chunks: list[bytes] = []
            close = False
            while play.queue and play.queue[0][0] <= now:
                _, step, record = play.queue.popleft()
                if record is None or (record.kind == "close"):
                    close = True
                    play.queue.clear()
                    break
                data = self._render(play, step, record)
                if data:
                    chunks.append(data)
            self._write(play.conn, chunks)
            if close:
                play.server.close()
                play.state = "ended"
                self._actions.append(Close(play.conn))
                del self._plays[play.conn]
                self._finished.append(play)

    def next_deadline(self) -> float | None:
        """When the next scheduled server frame is due."""
        dues = [play.queue[0][0] for play in self._plays.values() if play.queue]
        return min(dues) if dues else None

    def take_actions(self) -> list[Action]:
        """Writes and closes queued so far."""
        actions, self._actions = self._actions, []
        return actions

    def is_accepting(self, now: float) -> bool:
        """A replay always accepts connections."""
        return True

    # ------------------------------------------------------------ results

    @property
    def is_finished(self) -> bool:
        """Every leg was connected and played to its end (or failed)."""
        if self._next_leg < len(self._legs):
            return False
        for play in self._plays.values():
            if play.state == "failed":
                continue
            if play.queue:
                return False
            if any(r.direction == "out" and r.kind in ("frame", "bytes") for _, r in play.items[play.pos :]):
                return False
        return True

    @property
    def active_connections(self) -> int:
        """Connections open now."""
        return len(self._plays)

    def missing(self) -> list[ReplayDivergence]:
        """Requests the recording has that no client sent (for a completeness check)."""
        out: list[ReplayDivergence] = []
        played = {play.leg: play for play in [*self._finished, *self._plays.values()]}
        for leg in self._legs:
            play = played.get(leg)
            if play is None:
                first = next(i for i, r in enumerate(self.session.records) if r.leg == leg)
                out.append(ReplayDivergence(step=first, leg=leg, reason="no client connected for this leg"))
                continue
            if play.state == "failed":
                continue
            for step, record in play.items[play.pos :]:
                if record.direction == "out" and record.kind in ("frame", "bytes"):
                    out.append(
                        ReplayDivergence(
                            step=step,
                            leg=leg,
                            reason="the client never sent this request",
                            expected=_evidence(record),
                        )
                    )
                    break
        return out

    # ------------------------------------------------------------ internals

    def _diverge(
        self,
        step: int | None,
        leg: int | None,
        reason: str,
        expected: Sequence[str] | None = None,
        got: Sequence[str] | None = None,
    ) -> None:
        self.divergences.append(ReplayDivergence(step=step, leg=leg, reason=reason, expected=expected, got=got))

    def _fail(
        self,
        play: _Play,
        step: int | None,
        reason: str,
        expected: Sequence[str] | None,
        got: Sequence[str] | None,
    ) -> None:
        self._diverge(step, play.leg, reason, expected, got)
        play.state = "failed"
        play.queue.clear()
        play.server.close()
        self._actions.append(Close(play.conn))
        if self._plays.pop(play.conn, None) is not None:
            self._finished.append(play)

    def _on_hello(self, play: _Play, hello: ClientHello, record: SessionRecord, now: float) -> None:
        text = record.fields[0] if record.fields else ""
        step = play.hello[0] if play.hello else None
        recorded = play.hello[1] if play.hello else None
        version = self.session.server_version_of(play.leg) or min(hello.max_version, MAX_CLIENT_VERSION)
        if not hello.min_version <= version <= hello.max_version:
            self._fail(
                play,
                step,
                f"the client's version range {hello.min_version}..{hello.max_version} "
                f"does not include the recorded server version {version}",
                recorded.fields if recorded else None,
                (text,),
            )
            return
        if self.mode == "strict" and recorded is not None and recorded.payload() != record.payload():
            self._fail(play, step, "the hello differs from the recorded one", recorded.fields, record.fields)
            return
        play.version = version
        play.state = "playing"
        play.anchor_live = now
        play.anchor_rec = recorded.t if recorded is not None else 0.0
        play.last_due = now
        self._schedule(play)

    def _schedule(self, play: _Play) -> None:
        """Queue the server's records up to the next request the client must send."""
        while play.pos < len(play.items):
            step, record = play.items[play.pos]
            if step is not None and step in self.delays:
                play.offset += self.delays[step]
            due = play.anchor_live + max(0.0, record.t - play.anchor_rec) * self.scale + play.offset
            due = max(due, play.last_due)
            if step is not None and step in self.disconnect_steps:
                play.queue.append((due, step, None))
                play.pos = len(play.items)
                return
            if record.direction == "out":
                if record.kind in ("frame", "bytes"):
                    return
                play.pos += 1  # the client's close or a repeated hello: nothing to send
                continue
            play.queue.append((due, step, record))
            play.last_due = due
            play.pos += 1

    def _on_request(self, play: _Play, got: SessionRecord, now: float) -> None:
        if play.state == "hello":
            self._fail(play, None, "a request arrived before the hello", None, _evidence(got))
            return
        if play.pos >= len(play.items):
            self._fail(
                play,
                None,
                f"unexpected request: the recording of leg {play.leg} has no more requests",
                None,
                _evidence(got),
            )
            return
        step, expected = play.items[play.pos]
        reason = self._compare(play, expected, got)
        if reason is not None:
            self._fail(play, step, reason, _evidence(expected), _evidence(got))
            return
        play.matched += 1
        play.pos += 1
        play.anchor_live = now
        play.anchor_rec = expected.t
        play.last_due = max(play.last_due, now)
        self._schedule(play)

    def _compare(self, play: _Play, expected: SessionRecord, got: SessionRecord) -> str | None:
        if expected.fields is None or got.fields is None:
            if expected.payload() == got.payload():
                return None
            if play.version >= PROTOBUF_VERSION:
                return self._compare_messages(play, expected.payload(), got.payload())
            return "the request's bytes differ from the recorded ones"
        want, have = expected.fields, got.fields
        if want == have:
            if self.mode == "lenient":
                self._bind(play, want, have)
            return None
        what = _describe(want[0])
        if want[0] != have[0]:
            return f"expected {what}, got {_describe(have[0])}"
        if self.mode == "strict":
            return f"{what} differs from the recorded request"
        if len(want) != len(have):
            return f"{what} has {len(have)} fields, the recorded request {len(want)}"
        positions = id_positions(want, play.version, incoming=False) or {}
        for index, (a, b) in enumerate(zip(want, have, strict=True)):
            if a == b:
                continue
            if index not in positions:
                return f"{what} differs at field {index} (not an id)"
            if a in _NO_ID or b in _NO_ID:
                return f"{what} field {index}: {a!r} and {b!r} are not both ids"
        self._bind(play, want, have, positions)
        return None

    def _compare_messages(self, play: _Play, expected: bytes, got: bytes) -> str | None:
        """Compare two requests framed from version 201 as decoded messages (a
        protobuf body has no field positions); lenient: equal but for ids."""
        try:
            want = self._reader.payload(expected, play.version, incoming=False)
            have = self._reader.payload(got, play.version, incoming=False)
        except (KeyError, MalformedMessageError):
            return "the request's bytes differ from the recorded ones"
        what = _describe(str(want.MSG_ID))
        if type(have) is not type(want):
            return f"expected {what}, got {_describe(str(have.MSG_ID))}"
        pairs: list[tuple[IdKind, str, str]] = []
        reason = _id_differences(want, have, "", pairs)
        if self.mode == "strict":
            if reason is None:
                reason = f"{pairs[0][0]} id {pairs[0][1]} is now {pairs[0][2]}" if pairs else "in its encoding"
            return f"{what} differs from the recorded request: {reason}"
        if reason is not None:
            return f"{what} {reason}"
        for kind, recorded, live in pairs:
            play.ids[kind][recorded] = live
        return None

    def _bind(
        self,
        play: _Play,
        want: Sequence[str],
        have: Sequence[str],
        positions: dict[int, IdKind] | None = None,
    ) -> None:
        if positions is None:
            positions = id_positions(want, play.version, incoming=False) or {}
        for index, kind in positions.items():
            recorded, live = want[index], have[index]
            if recorded not in _NO_ID:
                play.ids[kind][recorded] = live

    def _rebind(self, play: _Play, fields: tuple[str, ...]) -> tuple[str, ...]:
        ids = play.ids
        if not any(kind_map for kind_map in ids.values()):
            return fields
        if all(k == v for kind_map in ids.values() for k, v in kind_map.items()):
            return fields
        positions = id_positions(fields, play.version, incoming=True)
        if not positions:
            return fields
        out = list(fields)
        for index, kind in positions.items():
            value = out[index]
            # TWS reports order errors under the order id in the request-id slot.
            order: tuple[IdKind, ...] = (kind, "order", "req") if kind != "client" else (kind,)
            for name in order:
                live = ids[name].get(value)
                if live is not None:
                    out[index] = live
                    break
        return tuple(out)

    def _render(self, play: _Play, step: int | None, record: SessionRecord) -> bytes:
        server = play.server
        try:
            if record.kind == "ack":
                return self._accept(play, record)
            if record.kind == "bytes":
                return record.raw or b""
            if record.fields is not None and server.codec is not None:
                fields = record.fields
                if self.mode == "lenient":
                    fields = self._rebind(play, fields)
                server.send_fields(fields)
            elif self.mode == "lenient" and play.version >= PROTOBUF_VERSION and record.kind == "frame":
                self._send_rebound(play, record.payload())
            else:
                server.send_raw(record.payload())
        except LocalProtocolError as exc:
            self._diverge(step, play.leg, f"cannot send the recorded frame: {exc}", _evidence(record), None)
            return b""
        return server.data_to_send()

    def _send_rebound(self, play: _Play, payload: bytes) -> None:
        """Send a recorded frame of version 201 or later with the live ids: verbatim
        when no id changes, else the decoded message with its ids rebound."""
        if all(k == v for kind_map in play.ids.values() for k, v in kind_map.items()):
            play.server.send_raw(payload)
            return
        try:
            message = self._reader.payload(payload, play.version, incoming=True)
        except (KeyError, MalformedMessageError):
            play.server.send_raw(payload)
            return
        rebound = _rebound(message, play.ids, "")
        if rebound is message:
            play.server.send_raw(payload)
        else:
            play.server.send(rebound)

    def _accept(self, play: _Play, record: SessionRecord) -> bytes:
        server = play.server
        fields = record.text_fields()
        if fields is not None and len(fields) == 2 and fields[0].isdigit() and fields[0].isascii():
            version = server.accept(int(fields[0]), fields[1])
        else:
            version = server.accept(play.version)
        reply = server.data_to_send()
        if record.fields is not None or record.raw is not None:
            # Send what was recorded, even when it is not what accept() would write.
            reply = record.wire()
        play.version = version
        play.tap.version = version
        # Requests that arrived before the reply are decoded now; only startApi matters.
        server.events_received()
        return reply

    def _write(self, conn: int, chunks: list[bytes]) -> None:
        if not chunks:
            return
        if self.coalesce:
            chunks = [b"".join(chunks)]
        if self.split:
            size = self.split
            chunks = [c[i : i + size] for c in chunks for i in range(0, len(c), size)]
        self._actions.extend(Write(conn, chunk) for chunk in chunks)


def _evidence(record: SessionRecord) -> tuple[str, ...] | None:
    """What a divergence shows of a record: its text fields, or for a frame kept
    whole (from version 201) its message id and its payload in hex."""
    if record.fields is not None or record.raw is None:
        return record.fields
    return (str(record.msg_id), record.raw.hex())


def _id_differences(want: object, have: object, name: str, pairs: list[tuple[IdKind, str, str]]) -> str | None:
    """Why two decoded requests differ other than by ids (``None``: only ids), and
    the (kind, recorded, live) id pairs found; ``name`` is the attribute's name."""
    if want == have:
        return None
    if is_dataclass(want) and not isinstance(want, type) and type(want) is type(have):
        for item in fields(want):
            reason = _id_differences(getattr(want, item.name), getattr(have, item.name), item.name, pairs)
            if reason is not None:
                return reason
        return None
    if isinstance(want, tuple) and isinstance(have, tuple):
        if len(want) != len(have):
            return f"{name} has {len(have)} items, the recorded request {len(want)}"
        for a, b in zip(want, have, strict=True):
            reason = _id_differences(a, b, name, pairs)
            if reason is not None:
                return reason
        return None
    kind = ID_NAMES.get(name)
    if kind is None or not isinstance(want, int) or not isinstance(have, int):
        return f"differs at {name or 'the message'} (not an id)"
    recorded, live = str(want), str(have)
    if recorded in _NO_ID or live in _NO_ID:
        return f"{name}: {recorded!r} and {live!r} are not both ids"
    pairs.append((kind, recorded, live))
    return None


def _rebound(value: object, ids: dict[IdKind, dict[str, str]], name: str) -> Any:
    """``value`` with its id attributes mapped from recorded to live ids (the same
    object when nothing changed)."""
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for item in fields(value):
            old = getattr(value, item.name)
            new = _rebound(old, ids, item.name)
            if new is not old:
                changes[item.name] = new
        return replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        items = tuple(_rebound(item, ids, name) for item in value)
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    kind = ID_NAMES.get(name)
    if kind is None or not isinstance(value, int) or isinstance(value, bool):
        return value
    # TWS reports order errors under the order id in the request-id slot.
    order: tuple[IdKind, ...] = (kind, "order", "req") if kind != "client" else (kind,)
    for which in order:
        live = ids[which].get(str(value))
        if live is not None:
            return int(live)
    return value


def _describe(msg_id: str) -> str:
    """A request's class name and id, e.g. ``ReqContractData (9)``."""
    cls = OUTGOING.get(int(msg_id)) if msg_id.isdigit() and msg_id.isascii() else None
    return f"{cls.__name__} ({msg_id})" if cls is not None else f"message {msg_id}"


# ---------------------------------------------------------------- socket front end


class FakeGateway:
    """A replaying gateway on a loopback port, in a background thread.

    ::

        with FakeGateway.from_session("session.jsonl", mode="lenient") as gateway:
            run_my_client(port=gateway.port)
        gateway.raise_on_divergence()

    Args:
        session (~ibwire.testing.session.Session): what to play.
        mode: ``"strict"`` or ``"lenient"``.
        timing: ``"fast"``, ``"recorded"`` or a factor of the recorded delays.
        faults: scripted faults.
        host: the address to bind.
        port: the port; 0 picks a free one (see :attr:`port`).
        clock: the clock of the recorded delays.
    """

    def __init__(
        self,
        session: Session,
        *,
        mode: Mode = "strict",
        timing: Timing = "fast",
        faults: Iterable[Fault] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.core: ReplayCore = ReplayCore(session, mode=mode, timing=timing, faults=faults)
        self._server = ThreadedServer(self.core, host, port, clock=clock, name="ibwire-replay")
        self.host = host

    @classmethod
    def from_session(
        cls,
        session: Session | PathLike,
        *,
        mode: Mode = "strict",
        timing: Timing = "fast",
        faults: Iterable[Fault] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> FakeGateway:
        """A gateway for a :class:`~ibwire.testing.session.Session` or a session file.

        Args:
            session (~ibwire.testing.session.Session | str | ~pathlib.Path): the session,
                or the path of its file.
            mode: ``"strict"`` or ``"lenient"``.
            timing: ``"fast"``, ``"recorded"`` or a factor of the recorded delays.
            faults: scripted faults.
            host: the address to bind.
            port: the port; 0 picks a free one.
            clock: the clock of the recorded delays.

        Raises:
            SessionFormatError: the file is not a valid session.
        """
        if not isinstance(session, Session):
            session = Session.load(session)
        return cls(session, mode=mode, timing=timing, faults=faults, host=host, port=port, clock=clock)

    @property
    def port(self) -> int:
        """The listening port."""
        return self._server.port

    @property
    def divergences(self) -> list[ReplayDivergence]:
        """The divergences so far."""
        with self._server.lock:
            return list(self.core.divergences)

    def raise_on_divergence(self, *, complete: bool = False) -> None:
        """Raise the first divergence, if any.

        Args:
            complete: also fail when a recorded request was never sent (a leg not
                connected, or cut short by the client).

        Raises:
            ReplayDivergence: the first divergence.
        """
        with self._server.lock:
            found = list(self.core.divergences)
            if complete:
                found += self.core.missing()
        if found:
            raise found[0]

    @property
    def is_done(self) -> bool:
        """Every leg was played and every connection has closed."""
        with self._server.lock:
            return self.core.is_finished and self.core.active_connections == 0

    def wait_finished(self, timeout: float) -> bool:
        """Wait until every leg has been played (or failed); ``False`` on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._server.lock:
                if self.core.is_finished:
                    return True
            time.sleep(0.005)
        return False

    def start(self) -> FakeGateway:
        """Bind the port and start playing."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Close every connection and stop."""
        self._server.stop()

    def serve_forever(self, *, until_finished: bool = False) -> None:
        """Serve until interrupted (or until every leg is played)."""
        if not self._server.running:
            self.start()
        try:
            while True:
                time.sleep(0.05)
                if until_finished and self.is_done:
                    return
        except KeyboardInterrupt:
            return

    def __enter__(self) -> FakeGateway:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


# ---------------------------------------------------------------- without sockets


@dataclass
class OfflineReplay:
    """What :func:`replay_offline` saw.

    Attributes:
        events: per leg, what the client decoded (messages and events).
        divergences: the replay's divergences.
        errors: fatal stream errors raised by the client, as text.
    """

    events: list[list[Message | Event]]
    divergences: list[ReplayDivergence]
    errors: list[str]

    @property
    def messages(self) -> list[Message]:
        """Every decoded message, all legs."""
        return [e for leg in self.events for e in leg if isinstance(e, Message)]

    @property
    def problems(self) -> list[MalformedMessage | UnknownMessage]:
        """Every frame the client could not decode."""
        return [e for leg in self.events for e in leg if isinstance(e, (MalformedMessage, UnknownMessage))]

    def problem_ids(self) -> Counter[int | None]:
        """How many frames of each message id failed to decode."""
        return Counter(e.msg_id for e in self.problems)


def replay_offline(
    session: Session,
    *,
    mode: Mode = "strict",
    faults: Iterable[Fault] = (),
    chunk: int | None = None,
) -> OfflineReplay:
    """Play ``session`` against its own recorded requests, without sockets.

    For each leg a :class:`ReplayCore` connection receives the recorded hello and
    requests (bytes as recorded), and a :class:`~ibwire.protocol.ClientProtocol`
    decodes what the core sends back, at the recorded version.

    Args:
        session: the session.
        mode: the replay mode.
        faults: scripted faults.
        chunk: feed the client this many bytes at a time (``None``: whole writes).
    """
    core = ReplayCore(session, mode=mode, timing="fast", faults=faults)
    events: list[list[Message | Event]] = []
    errors: list[str] = []
    for conn, leg in enumerate(session.legs()):
        client = _OfflineClient(core, conn, leg, session, chunk, errors)
        events.append(client.events)
        core.connection_made(conn, 0.0)
        records = session.leg_records(leg)
        if not records or records[0].kind != "hello":
            low = session.header.min_version or MIN_CLIENT_VERSION
            high = session.header.max_version or MAX_CLIENT_VERSION
            client.send(encode_hello(f"v{low}..{high}"))
        for record in records:
            if client.closed or record.direction != "out":
                continue
            if record.kind == "close":
                break
            client.send(record.wire())
        client.pump()
        core.connection_lost(conn, 0.0)
    return OfflineReplay(events=events, divergences=list(core.divergences), errors=errors)


class _OfflineClient:
    """One leg of :func:`replay_offline`: recorded requests in, decoded events out."""

    def __init__(
        self,
        core: ReplayCore,
        conn: int,
        leg: int,
        session: Session,
        chunk: int | None,
        errors: list[str],
    ) -> None:
        self.core = core
        self.conn = conn
        self.leg = leg
        self.chunk = chunk
        self.errors = errors
        self.closed = False
        self.events: list[Message | Event] = []
        self.client = ClientProtocol(
            session.header.client_id or 0,
            min_version=MIN_CLIENT_VERSION,
            max_version=MAX_CLIENT_VERSION,
        )
        self.client.connect()
        self.client.data_to_send()  # the recorded hello is sent instead

    def send(self, data: bytes) -> None:
        self.core.data_received(self.conn, data, 0.0)
        self.pump()

    def pump(self) -> None:
        self.core.advance(0.0)
        for action in self.core.take_actions():
            if self.closed:
                break
            if isinstance(action, Close):
                self.client.receive_eof()
                self.closed = True
            else:
                data = action.data
                step = self.chunk or len(data) or 1
                try:
                    for i in range(0, len(data), step):
                        self.client.receive_data(data[i : i + step])
                except RemoteProtocolError as exc:
                    self.errors.append(f"leg {self.leg}: {type(exc).__name__}: {exc}")
                    self.closed = True
            self.events.extend(self.client.events_received())
            self.client.data_to_send()  # its own startApi: the recorded one is sent instead
