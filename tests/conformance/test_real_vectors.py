"""Real gateway traffic from ``../shared/vectors/real`` decodes exactly.

Each recorded session (a handshake reply and the server frames after it) is fed
to a ClientProtocol three ways: whole, one byte at a time, and followed by
trailing bytes of an unfinished frame.  Every client request recorded there was
produced by the official client and accepted by TWS: decoded by ServerProtocol's
codec and re-encoded by ClientProtocol's, it must give back its exact fields.
"""

from __future__ import annotations

import struct
from collections import Counter

import pytest

from ibwire import (
    ClientHello,
    ClientProtocol,
    ConnectAck,
    MalformedMessage,
    ServerProtocol,
    UnknownMessage,
)
from ibwire.codec import Codec
from ibwire.events import Event

from ..vectors import Record, real_records


def sessions() -> list[list[Record]]:
    """Split the server->client records into sessions, each opened by a handshake reply."""
    out: list[list[Record]] = []
    for record in real_records():
        if record.direction != "in":
            continue
        if record.is_handshake_reply:
            out.append([record])
        elif out:
            out[-1].append(record)
    return out


def stream_of(session: list[Record]) -> bytes:
    return b"".join(struct.pack(">I", len(r.payload())) + r.payload() for r in session)


def feed(data: bytes, how: str) -> list[object]:
    client = ClientProtocol(0, min_version=100, max_version=200)
    client.connect()
    events: list[object] = []
    if how == "whole":
        client.receive_data(data)
    elif how == "bytes":
        for i in range(len(data)):
            client.receive_data(data[i : i + 1])
    else:
        client.receive_data(data + struct.pack(">I", 10) + b"4\x00")
    events += client.events_received()
    if how == "trailing":
        assert client._frames.buffered == 6  # the unfinished frame waits, nothing is lost
    return events


@pytest.mark.parametrize("how", ["whole", "bytes", "trailing"])
def test_every_session_decodes_cleanly(how: str) -> None:
    found = sessions()
    assert found, "no sessions in the vectors"
    problems: Counter[str] = Counter()
    total = 0
    for session in found:
        events = feed(stream_of(session), how)
        assert isinstance(events[0], ConnectAck)
        assert events[0].server_version == int(session[0].fields[0])
        messages = [e for e in events[1:]]
        assert len(messages) == len(session) - 1
        for record, event in zip(session[1:], messages, strict=True):
            if isinstance(event, (MalformedMessage, UnknownMessage)):
                problems[f"{record.fields[0]}: {event}"[:200]] += 1
            else:
                assert not isinstance(event, Event)
        total += len(messages)
    shown = dict(list(problems.items())[:15])
    assert not problems, f"{sum(problems.values())} of {total} messages failed, e.g. {shown}"


def test_handshake_reply_vectors() -> None:
    replies = [r for r in real_records() if r.is_handshake_reply]
    assert replies
    for reply in replies:
        client = ClientProtocol(0)
        client.connect()
        client.receive_data(struct.pack(">I", len(reply.payload())) + reply.payload())
        ack = client.events_received()[0]
        assert ack == ConnectAck(server_version=int(reply.fields[0]), connection_time=reply.fields[1])


def test_connect_request_vectors() -> None:
    hellos = [r for r in real_records() if r.is_hello]
    assert hellos
    for hello in hellos:
        server = ServerProtocol()
        data = b"API\x00" + struct.pack(">I", len(hello.payload())) + hello.payload()
        for i in range(len(data)):
            server.receive_data(data[i : i + 1])
        (event,) = server.events_received()
        assert isinstance(event, ClientHello)
        low, _, high = hello.fields[0].strip()[1:].partition("..")
        assert event.min_version == int(low)
        assert event.max_version == int(high or low)


def test_client_requests_reencode_exactly() -> None:
    records = [r for r in real_records() if r.direction == "out" and not r.is_hello]
    assert records
    failures = []
    mislabelled: list[str] = []
    respelled: list[str] = []
    for record in records:
        version = record.server_version or 176
        server, client = Codec(version, server=True), Codec(version)
        fields = list(record.fields)
        try:
            decoded = server.decode(fields)
            again = client.encode(decoded)
        except Exception as exc:  # noqa: BLE001 - collected as evidence
            if _is_server_message(fields, version):
                mislabelled.append(record.source)
                continue
            failures.append(f"{record.source} id {fields[0]}: {type(exc).__name__}: {exc}")
            continue
        if again != fields:
            if _same_but_unset_spelling(fields, again):
                respelled.append(record.source)
                continue
            failures.append(f"{record.source} id {fields[0]}: {fields} -> {again}")
    assert not failures, f"{len(failures)} of {len(records)} failed:\n" + "\n".join(failures[:20])
    # Two records of the capture are server messages (managedAccounts, a farm
    # notice) filed as client->server; they must at least be exact server messages.
    assert len(mislabelled) <= 2, mislabelled
    # Two placeOrder frames of the capture (bytes literals of a unit test, from an
    # older official client) write unset doubles and ints as empty fields where the
    # current official client writes the max literal; TWS reads both as unset.
    assert len(respelled) <= 2, respelled


_UNSET_LITERALS = {"2147483647", "1.7976931348623157e+308", "9223372036854775807"}


def _same_but_unset_spelling(original: list[str], again: list[str]) -> bool:
    """Equal but for positions where one side is empty and the other an unset literal."""
    if len(original) != len(again):
        return False
    return all(
        a == b or (a == "" and b in _UNSET_LITERALS) or (b == "" and a in _UNSET_LITERALS)
        for a, b in zip(original, again, strict=True)
    )


def _is_server_message(fields: list[str], version: int) -> bool:
    """Whether ``fields`` is an exact server message (a record filed in the wrong direction)."""
    try:
        decoded = Codec(version).decode(list(fields))
        return Codec(version, server=True).encode(decoded) == fields
    except Exception:  # noqa: BLE001
        return False
