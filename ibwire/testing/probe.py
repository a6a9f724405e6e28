"""The live conformance probe: read-only requests against a gateway, recorded and checked.

:func:`probe` puts a :class:`~.recorder.Recorder` between itself and the gateway,
runs a fixed battery of read-only requests (contract details, head timestamp,
historical bars, a market data snapshot, account summary, positions, open
orders, executions, scanner parameters, news providers, a market rule, user
info), records the session, and then checks every recorded frame: does it
decode, does it consume exactly its fields (no
:class:`~ibwire.events.MalformedMessage`, no :class:`~ibwire.events.UnknownMessage`),
and does it encode back to the same fields.

Nothing in the battery places, modifies or cancels an order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..codec import Codec
from ..errors import IBWireError, MalformedMessageError
from ..events import MalformedMessage, UnknownMessage
from ..messages import (
    AccountSummaryEnd,
    CancelAccountSummary,
    CancelPositions,
    Contract,
    ContractDataEnd,
    ErrMsg,
    ExecutionDataEnd,
    ExecutionFilter,
    HeadTimestamp,
    HistoricalData,
    HistoricalDataEnd,
    MarketRule,
    Message,
    NewsProviders,
    OpenOrderEnd,
    PositionEnd,
    ReqAccountSummary,
    ReqContractData,
    ReqExecutions,
    ReqHeadTimestamp,
    ReqHistoricalData,
    ReqMarketRule,
    ReqMktData,
    ReqNewsProviders,
    ReqOpenOrders,
    ReqPositions,
    ReqScannerParameters,
    ReqUserInfo,
    ScannerParameters,
    TickSnapshotEnd,
    UserInfo,
)
from ..protocol import ClientProtocol
from ..versions import PROTOBUF_VERSION, ServerVersion
from ._client import WireClient
from ._decode import FrameReader
from .recorder import Recorder
from .session import PathLike, Session, SessionRecord

__all__ = ["ProbeReport", "ProbeStep", "TypeStats", "check_session", "probe"]

_AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", primary_exchange="NASDAQ", currency="USD")


@dataclass
class ProbeStep:
    """One request of the battery and how it ended.

    Attributes:
        name: what was asked.
        outcome: ``"ok"``, ``"error <code>: <text>"`` or ``"timeout"``.
        seconds: how long the answer took.
    """

    name: str
    outcome: str
    seconds: float


@dataclass
class TypeStats:
    """How the frames of one message type decoded.

    Attributes:
        name: the message class name, or ``"id <n>"`` when unknown.
        direction: ``"in"`` or ``"out"``.
        frames: how many frames of it were recorded.
        decoded: how many decoded, consuming exactly their fields.
        malformed: how many failed to decode.
        unknown: how many had an id the catalogue does not know.
        reencoded: how many encode back to exactly the recorded fields.
        examples: the first few problems, as text.
    """

    name: str
    direction: str
    frames: int = 0
    decoded: int = 0
    malformed: int = 0
    unknown: int = 0
    reencoded: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every frame decoded with exactly its fields."""
        return self.malformed == 0 and self.unknown == 0


@dataclass
class ProbeReport:
    """What :func:`probe` found.

    Attributes:
        server_version: the negotiated version.
        steps: the battery, in order.
        types: per message type, how its frames decoded.
        session: the recorded session.
    """

    server_version: int | None
    steps: list[ProbeStep]
    types: list[TypeStats]
    session: Session

    @property
    def ok(self) -> bool:
        """Every recorded frame decoded with exactly its fields."""
        return all(t.ok for t in self.types)

    def format(self) -> str:
        """A plain-text report."""
        lines = [f"server version {self.server_version}", "", "requests:"]
        width = max((len(s.name) for s in self.steps), default=10)
        for step in self.steps:
            lines.append(f"  {step.name:<{width}}  {step.outcome}  ({step.seconds:.2f} s)")
        lines += ["", "messages:", f"  {'type':<36} dir frames decoded malformed unknown re-encoded"]
        for stats in self.types:
            flag = "" if stats.ok else "  <- FAIL"
            lines.append(
                f"  {stats.name:<36} {stats.direction:<3} {stats.frames:>6} {stats.decoded:>7} "
                f"{stats.malformed:>9} {stats.unknown:>7} {stats.reencoded:>10}{flag}"
            )
            lines.extend(f"      {example}" for example in stats.examples)
        lines += ["", "result: " + ("every frame decoded exactly" if self.ok else "some frames did not decode")]
        return "\n".join(lines)


def check_session(session: Session) -> list[TypeStats]:
    """Decode every frame of a session at its version; tally per message type.

    Server frames go through a :class:`~ibwire.protocol.ClientProtocol` (one per
    leg) and are re-encoded with the server-side codec; client frames are decoded
    with the server-side codec and re-encoded with the client's.
    """
    stats: dict[tuple[str, str], TypeStats] = {}

    def entry(name: str, direction: str) -> TypeStats:
        key = (name, direction)
        if key not in stats:
            stats[key] = TypeStats(name, direction)
        return stats[key]

    reader = FrameReader()
    for leg in session.legs():
        version = session.server_version_of(leg)
        if version is None:
            continue
        client = ClientProtocol(0)
        client.connect()
        client.data_to_send()
        reply = f"{version}\0-\0".encode()
        client.receive_data(len(reply).to_bytes(4, "big") + reply)
        client.events_received()
        server_codec = Codec(version, server=True)
        client_codec = Codec(version)
        for record in session.leg_records(leg):
            if record.kind != "frame":
                continue
            if version >= PROTOBUF_VERSION and record.fields is None:
                _check_raw(reader, record, version, entry)
                continue
            # Also a text frame kept raw for bytes that are not UTF-8.
            text = record.text_fields()
            if text is None:
                continue
            fields = list(text)
            if record.direction == "in":
                client.receive_data(record.wire())
                events = client.events_received()
                event = events[0] if events else None
                encoder = server_codec
            else:
                try:
                    event = server_codec.decode(fields)
                except KeyError:
                    event = UnknownMessage(msg_id=int(fields[0]) if fields[0].isdigit() else -1, fields=tuple(fields))
                except MalformedMessageError as exc:
                    event = MalformedMessage(error=exc)
                encoder = client_codec
            if isinstance(event, UnknownMessage):
                item = entry(f"id {fields[0]}", record.direction)
                item.frames += 1
                item.unknown += 1
                continue
            if isinstance(event, MalformedMessage) or event is None:
                name = f"id {fields[0]}"
                registry = server_codec.decodes if record.direction == "out" else client_codec.decodes
                if fields[0].isdigit() and int(fields[0]) in registry:
                    name = registry[int(fields[0])].__name__
                item = entry(name, record.direction)
                item.frames += 1
                item.malformed += 1
                if len(item.examples) < 3:
                    item.examples.append(str(event.error) if event is not None else "no event")
                continue
            assert isinstance(event, Message)
            item = entry(type(event).__name__, record.direction)
            item.frames += 1
            item.decoded += 1
            try:
                again = encoder.encode(event)
            except IBWireError as exc:
                again = [f"<{exc}>"]
            if again == fields:
                item.reencoded += 1
            elif len(item.examples) < 3:
                item.examples.append(f"re-encoded differently: {fields} -> {again}")
    return sorted(stats.values(), key=lambda s: (s.direction, s.name))


def _check_raw(
    reader: FrameReader, record: SessionRecord, version: int, entry: Callable[[str, str], TypeStats]
) -> None:
    """Tally a frame recorded from version 201 (raw id, text or protobuf body):
    does it decode, and does it encode back to the same bytes."""
    payload = record.payload()
    incoming = record.direction == "in"
    try:
        message = reader.payload(payload, version, incoming=incoming)
    except KeyError:
        item = entry(f"id {record.msg_id}", record.direction)
        item.frames += 1
        item.unknown += 1
        return
    except MalformedMessageError as exc:
        item = entry(f"id {record.msg_id}", record.direction)
        item.frames += 1
        item.malformed += 1
        if len(item.examples) < 3:
            item.examples.append(str(exc))
        return
    item = entry(type(message).__name__, record.direction)
    item.frames += 1
    item.decoded += 1
    try:
        again = reader.encode(message, version, incoming=incoming)
    except IBWireError as exc:
        again = f"<{exc}>".encode()
    if again == payload:
        item.reencoded += 1
    elif len(item.examples) < 3:
        item.examples.append(f"re-encoded differently: {payload.hex()} -> {again.hex()}")


def probe(
    host: str = "127.0.0.1",
    port: int = 4002,
    client_id: int = 999,
    path: PathLike | None = None,
    *,
    timeout: float = 15.0,
    redact: bool = True,
    clock: Callable[[], float] = time.monotonic,
) -> ProbeReport:
    """Run the read-only battery against a gateway through a recorder.

    Args:
        host: the gateway's address.
        port: the gateway's port.
        client_id: the client id to use (pick one no other client uses).
        path: where to write the recorded session (``None``: keep it in memory).
        timeout: seconds to wait for each answer.
        redact: redact account ids in the recording.
        clock: the clock of the record times.

    Raises:
        OSError: the gateway cannot be reached.
        TimeoutError: the handshake did not complete.
        RemoteProtocolError: the peer does not speak the TWS API.
    """
    steps: list[ProbeStep] = []
    recorder = Recorder(("127.0.0.1", 0), (host, port), path, redact=redact, clock=clock)
    recorder.start()
    try:
        with WireClient("127.0.0.1", recorder.port, client_id, timeout=timeout) as client:
            try:
                ack = client.connect()
            except ConnectionError as exc:
                # The recorder closes a client it could not forward: say why.
                if recorder.errors:
                    raise ConnectionError(recorder.errors[0]) from exc
                raise
            version = ack.server_version
            _battery(client, version, steps, timeout)
        recorder.wait_idle(timeout)
    finally:
        session = recorder.stop()
    return ProbeReport(server_version=session.header.server_version, steps=steps, types=check_session(session), session=session)


def _battery(client: WireClient, version: int, steps: list[ProbeStep], timeout: float) -> None:
    history_end: type[Message] = HistoricalDataEnd if version >= ServerVersion.HISTORICAL_DATA_END else HistoricalData
    battery: list[tuple[str, Message | None, int | None, type[Message], Message | None]] = [
        ("contract details AAPL", ReqContractData(req_id=9001, contract=_AAPL), 9001, ContractDataEnd, None),
        ("head timestamp AAPL", ReqHeadTimestamp(req_id=9002, contract=_AAPL, use_rth=True, what_to_show="TRADES", format_date=1), 9002, HeadTimestamp, None),
        ("historical bars AAPL 1 D x 1 hour", ReqHistoricalData(
            req_id=9003, contract=_AAPL, end_date_time="", bar_size_setting="1 hour", duration_str="1 D",
            use_rth=True, what_to_show="TRADES", format_date=1, keep_up_to_date=False, chart_options="",
        ), 9003, history_end, None),
        ("market data snapshot AAPL", ReqMktData(req_id=9004, contract=_AAPL, snapshot=True), 9004, TickSnapshotEnd, None),
        ("account summary", ReqAccountSummary(req_id=9005, group_name="All", tags="AccountType,NetLiquidation,TotalCashValue,BuyingPower"), 9005, AccountSummaryEnd, CancelAccountSummary(req_id=9005)),
        ("positions", ReqPositions(), None, PositionEnd, CancelPositions()),
        ("open orders", ReqOpenOrders(), None, OpenOrderEnd, None),
        ("executions", ReqExecutions(req_id=9006, exec_filter=ExecutionFilter()), 9006, ExecutionDataEnd, None),
        ("scanner parameters", ReqScannerParameters(), None, ScannerParameters, None),
        ("news providers", ReqNewsProviders(), None, NewsProviders, None),
        ("market rule 26", ReqMarketRule(market_rule_id=26), None, MarketRule, None),
        ("user info", ReqUserInfo(req_id=9007), 9007, UserInfo, None),
    ]
    for name, request, req_id, done, after in battery:
        started = time.monotonic()
        assert request is not None
        try:
            client.send(request)
        except IBWireError as exc:
            steps.append(ProbeStep(name, f"not sent: {exc}", 0.0))
            continue
        outcome = _wait(client, done, req_id, timeout)
        steps.append(ProbeStep(name, outcome, time.monotonic() - started))
        if after is not None:
            client.send(after)
        if client.closed:
            break
    # Let late frames (ticks after a snapshot end, summaries) reach the recording.
    client.drain(0.2)


def _wait(client: WireClient, done: type[Message], req_id: int | None, timeout: float) -> str:
    def finished(event: Message) -> bool:
        if isinstance(event, done) and (req_id is None or getattr(event, "req_id", req_id) == req_id):
            return True
        return isinstance(event, ErrMsg) and req_id is not None and event.req_id == req_id and event.error_code < 2100

    try:
        event = client.wait_for(Message, finished, timeout)
    except TimeoutError:
        return "timeout"
    except ConnectionError:
        return "connection closed"
    if isinstance(event, ErrMsg) and not isinstance(event, done):
        return f"error {event.error_code}: {event.error_string}"
    return "ok"
