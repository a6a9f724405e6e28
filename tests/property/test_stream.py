"""Stream properties of ClientProtocol: chunking invariance and the closed error contract."""

from __future__ import annotations

import os
import struct
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ibwire import ClientProtocol, MalformedMessage, RemoteProtocolError, ServerProtocol
from ibwire.messages import (
    ErrMsg,
    ManagedAccts,
    NextValidId,
    TickGeneric,
    TickPrice,
    TickSize,
    TickString,
)

FUZZ_EXAMPLES = int(os.environ.get("IBWIRE_FUZZ_EXAMPLES", "10000"))


def handshake(version: int = 176) -> tuple[ClientProtocol, ServerProtocol]:
    client = ClientProtocol(1)
    server = ServerProtocol(max_version=version)
    client.connect()
    server.receive_data(client.data_to_send())
    server.accept()
    client.receive_data(server.data_to_send())
    client.events_received()
    return client, server


def stream() -> bytes:
    _, server = handshake()
    server.send(ManagedAccts(accounts_list="DU1"))
    server.send(NextValidId(order_id=1))
    for i in range(20):
        server.send(TickPrice(req_id=i, tick_type=1, price=100 + i / 4, size=Decimal(i)))
        server.send(TickSize(req_id=i, tick_type=0, size=Decimal("0.5")))
        server.send(TickString(req_id=i, tick_type=45, value=str(1700000000 + i)))
        server.send(TickGeneric(req_id=i, tick_type=49, value=0.0))
    server.send(ErrMsg(req_id=-1, error_code=2104, error_string="Market data farm connection is OK:usfarm"))
    server.send_fields(["1", "6", "bad", "1", "1", "1", "0"])
    server.send_fields(["777", "x"])
    return server.data_to_send()


STREAM = stream()
REFERENCE = handshake()[0]
REFERENCE.receive_data(STREAM)
EXPECTED = REFERENCE.events_received()


def _comparable(events: list[object]) -> list[object]:
    return [str(e.error) if isinstance(e, MalformedMessage) else e for e in events]


@settings(max_examples=200, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=40))
def test_any_split_gives_the_same_events(cuts: list[int]) -> None:
    client, _ = handshake()
    points = sorted(set(cuts))
    start = 0
    events: list[object] = []
    for point in [*points, len(STREAM)]:
        client.receive_data(STREAM[start:point])
        events += client.events_received()
        start = point
    assert _comparable(events) == _comparable(list(EXPECTED))


def test_expected_stream_is_meaningful() -> None:
    kinds = {type(e).__name__ for e in EXPECTED}
    assert {"TickPrice", "TickSize", "TickString", "TickGeneric", "MalformedMessage", "UnknownMessage"} <= kinds
    assert len(EXPECTED) == 2 + 80 + 3


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    payloads=st.lists(
        st.one_of(
            st.binary(max_size=64),
            st.lists(
                st.one_of(
                    st.sampled_from(["1", "2", "4", "9", "15", "45", "46", "49", "109", "6", "", "-1", "x"]),
                    st.text(max_size=8),
                ),
                max_size=10,
            ).map(lambda fs: "".join(f + "\0" for f in fs).encode("utf-8", "surrogatepass")),
        ),
        max_size=6,
    ),
    raw=st.binary(max_size=32),
)
def test_fuzz_contract(payloads: list[bytes], raw: bytes) -> None:
    """Any bytes give events, or a RemoteProtocolError subclass: nothing else escapes."""
    client, _ = handshake()
    data = b"".join(struct.pack(">I", len(p)) + p for p in payloads) + raw
    try:
        client.receive_data(data)
    except RemoteProtocolError:
        return
    client.events_received()


@settings(max_examples=500, deadline=None)
@given(data=st.binary(max_size=64))
def test_fuzz_handshake(data: bytes) -> None:
    client = ClientProtocol(1)
    client.connect()
    try:
        client.receive_data(data)
    except RemoteProtocolError:
        return
    client.events_received()
    server = ServerProtocol()
    try:
        server.receive_data(data)
    except RemoteProtocolError:
        return
    server.events_received()
