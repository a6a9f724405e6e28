"""Replay: the handshake, strict and lenient matching, id rebinding, divergences, faults.

The sessions are built at the negotiated version of the ``server_version`` fixture
(200: text frames; 226: raw ids and protobuf bodies, recorded whole); the tests
that read a divergence's text fields pin :data:`TEXT`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ibwire.events import ConnectAck, ConnectionClosed
from ibwire.framing import encode_hello
from ibwire.messages import (
    Contract,
    ContractDataEnd,
    CurrentTime,
    ErrMsg,
    ManagedAccts,
    Message,
    NextValidId,
    Order,
    OrderStatus,
    PlaceOrder,
    ReqContractData,
    ReqCurrentTime,
    StartApi,
)
from ibwire.protocol import ClientProtocol, ServerProtocol
from ibwire.testing import (
    CoalesceWrites,
    DelayAt,
    DisconnectAt,
    FakeGateway,
    ReplayCore,
    ReplayDivergence,
    Session,
    SessionHeader,
    SessionRecord,
    SplitWrites,
    WireClient,
    replay_offline,
)
from ibwire.testing._server import timeout_scale
from ibwire.testing.memory import InMemoryClient, InMemoryGateway
from ibwire.versions import MAX_CLIENT_VERSION, PROTOBUF_VERSION

from ..protobuf_forms import connected
from ..typecheck import mypy_errors

TIMEOUT = 5.0 * timeout_scale()
#: The version of the tests that read a divergence's text fields (a frame from
#: 201 on is recorded whole, its body protobuf: it has no fields).
TEXT = 200
HELLO = f"v100..{MAX_CLIENT_VERSION}"
AAPL = Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")



def frame(t: float, message: Message, leg: int, version: int, direction: str) -> SessionRecord:
    """The record of ``message`` as the recorder keeps it at ``version``."""
    client, server = connected(version)
    end: ClientProtocol | ServerProtocol = server if direction == "in" else client
    end.send(message)
    payload = end.data_to_send()[4:]
    if version >= PROTOBUF_VERSION:
        return SessionRecord(t=t, direction="in" if direction == "in" else "out", leg=leg, raw=payload)
    fields = tuple(payload[:-1].decode().split("\0"))
    return SessionRecord(t=t, direction="in" if direction == "in" else "out", leg=leg, fields=fields)


def out(t: float, message: Message, leg: int = 0, version: int = TEXT) -> SessionRecord:
    return frame(t, message, leg, version, "out")


def into(t: float, message: Message, leg: int = 0, version: int = TEXT) -> SessionRecord:
    return frame(t, message, leg, version, "in")


def handshake(
    t: float = 0.0, leg: int = 0, client_id: int = 5, hello: str = HELLO, version: int = TEXT
) -> list[SessionRecord]:
    return [
        SessionRecord(t=t, direction="out", leg=leg, kind="hello", fields=(hello,)),
        SessionRecord(t=t + 0.01, direction="in", leg=leg, kind="ack", fields=(str(version), "20240324 21:18:59 EST")),
        out(t + 0.02, StartApi(client_id=client_id), leg, version),
        into(t + 0.03, ManagedAccts(accounts_list="DU0000001"), leg, version),
        into(t + 0.04, NextValidId(order_id=1), leg, version),
    ]


def basic(version: int = TEXT) -> Session:
    """startApi, one contract request, an unsolicited notice after the last response."""
    records = [
        *handshake(version=version),
        out(1.0, ReqContractData(req_id=7, contract=AAPL), 0, version),
        into(1.5, ErrMsg(req_id=7, error_code=200, error_string="No security definition"), 0, version),
        into(1.6, ContractDataEnd(req_id=7), 0, version),
        into(3.0, ErrMsg(req_id=-1, error_code=2108, error_string="farm inactive"), 0, version),
    ]
    return Session(header=SessionHeader(server_version=version, client_id=5), records=records)


def start(session: Session, **options: object) -> tuple[InMemoryGateway, ReplayCore]:
    core = ReplayCore(session, **options)  # type: ignore[arg-type]
    return InMemoryGateway(core, now=100.0), core


def messages(client: InMemoryClient) -> list[object]:
    return [e for e in client.events if not isinstance(e, (ConnectAck, ConnectionClosed))]


def test_strict_replay_plays_everything(server_version: int) -> None:
    gateway, core = start(basic(server_version))
    client = gateway.connect(5)
    assert isinstance(client.events[0], ConnectAck) and client.events[0].server_version == server_version
    client.send(ReqContractData(req_id=7, contract=AAPL))
    got = messages(client)
    assert [type(m).__name__ for m in got] == ["ManagedAccts", "NextValidId", "ErrMsg", "ContractDataEnd", "ErrMsg"]
    assert got[-1].error_code == 2108  # type: ignore[attr-defined]
    assert core.divergences == [] and core.missing() == []
    assert core.is_finished and not client.closed


def test_strict_divergence_is_precise() -> None:
    # Pinned to text: the divergence names the differing field by index.
    gateway, core = start(basic())
    client = gateway.connect(5)
    client.send(ReqContractData(req_id=8, contract=AAPL))
    (divergence,) = core.divergences
    assert isinstance(divergence, ReplayDivergence) and isinstance(divergence, AssertionError)
    assert divergence.step == 5 and divergence.line == 7 and divergence.leg == 0
    assert divergence.expected is not None and divergence.got is not None
    assert divergence.expected[2] == "7" and divergence.got[2] == "8"
    text = str(divergence)
    assert "step 5 (line 7), leg 0" in text and "ReqContractData" in text and "differing field indexes: [2]" in text
    assert client.closed  # the gateway hangs up rather than leaving the client waiting


def test_a_protobuf_request_diverges_by_its_decoded_fields() -> None:
    """At 226 the requests are protobuf: compared decoded, the divergence names the
    message and what differs, and shows the id and the payload in hex."""
    gateway, core = start(basic(226))
    client = gateway.connect(5)
    client.send(ReqContractData(req_id=8, contract=AAPL))
    (divergence,) = core.divergences
    assert divergence.reason == "ReqContractData (9) differs from the recorded request: req id 7 is now 8"
    assert divergence.expected is not None and divergence.got is not None
    assert divergence.expected[0] == divergence.got[0] == "9" and divergence.expected[1] != divergence.got[1]
    gateway, core = start(basic(226))
    client = gateway.connect(5)
    client.send(ReqCurrentTime())
    assert core.divergences[0].reason == "expected ReqContractData (9), got ReqCurrentTime (49)"


def test_wrong_message_and_extra_request() -> None:
    # Pinned to text: the divergence carries the extra request's text fields.
    gateway, core = start(basic())
    client = gateway.connect(5)
    client.send(ReqCurrentTime())
    assert "expected ReqContractData (9), got ReqCurrentTime (49)" in core.divergences[0].reason
    gateway, core = start(basic())
    client = gateway.connect(5)
    client.send(ReqContractData(req_id=7, contract=AAPL), ReqCurrentTime())
    assert "no more requests" in core.divergences[0].reason
    assert core.divergences[0].got == ("49", "1")


def test_strict_rejects_another_client_id_lenient_rebinds_it(server_version: int) -> None:
    gateway, core = start(basic(server_version))
    gateway.connect(6)
    assert core.divergences and "StartApi" in core.divergences[0].reason
    gateway, core = start(basic(server_version), mode="lenient")
    client = gateway.connect(6)
    client.send(ReqContractData(req_id=70, contract=AAPL))
    assert core.divergences == []
    ends = client.of_type(ContractDataEnd)
    errors = [e for e in client.of_type(ErrMsg) if e.error_code == 200]
    assert ends == [ContractDataEnd(req_id=70)]
    assert errors[0].req_id == 70  # type: ignore[attr-defined]


def test_lenient_still_compares_everything_but_ids(server_version: int) -> None:
    gateway, core = start(basic(server_version), mode="lenient")
    client = gateway.connect(5)
    client.send(ReqContractData(req_id=7, contract=Contract(symbol="MSFT", sec_type="STK", exchange="SMART", currency="USD")))
    (divergence,) = core.divergences
    assert "not an id" in divergence.reason


def orders_session(version: int) -> Session:
    order = Order(action="BUY", total_quantity=Decimal(10), order_type="LMT", lmt_price=100.0)
    records = [
        *handshake(version=version),
        out(1.0, PlaceOrder(order_id=1, contract=AAPL, order=order), 0, version),
        into(1.1, OrderStatus(order_id=1, status="Submitted", filled=Decimal(0), remaining=Decimal(10),
                              avg_fill_price=0.0, perm_id=55, parent_id=0, last_fill_price=0.0, client_id=5,
                              why_held="", mkt_cap_price=0.0), 0, version),
        into(1.2, ErrMsg(req_id=1, error_code=399, error_string="order message"), 0, version),
    ]
    return Session(header=SessionHeader(server_version=version, client_id=5), records=records)


def test_lenient_rebinds_order_ids_and_client_id(server_version: int) -> None:
    gateway, core = start(orders_session(server_version), mode="lenient")
    client = gateway.connect(9)
    order = Order(action="BUY", total_quantity=Decimal(10), order_type="LMT", lmt_price=100.0)
    client.send(PlaceOrder(order_id=11, contract=AAPL, order=order))
    assert core.divergences == []
    (status,) = client.of_type(OrderStatus)
    assert (status.order_id, status.client_id, status.perm_id) == (11, 9, 55)  # type: ignore[attr-defined]
    assert client.of_type(ErrMsg)[-1].req_id == 11


def test_hello_checks(server_version: int) -> None:
    gateway, core = start(basic(server_version))
    client = gateway.connect(5, max_version=150)
    assert f"does not include the recorded server version {server_version}" in core.divergences[0].reason
    assert client.closed
    # The recorded hello differs from the live one: strict refuses, lenient accepts.
    gateway, core = start(basic(server_version))
    gateway.connect(5, connect_options="+PACEAPI")
    assert "hello differs" in core.divergences[0].reason
    gateway, core = start(basic(server_version), mode="lenient")
    gateway.connect(5, connect_options="+PACEAPI")
    assert core.divergences == []


def test_not_api_sign_is_a_handshake_divergence() -> None:
    gateway, core = start(basic())
    core.connection_made(7, 0.0)
    core.data_received(7, b"GET / HTTP/1.0\r\n\r\n", 0.0)
    assert core.divergences[0].reason.startswith("handshake:")


def test_missing_requests_and_unplayed_legs(server_version: int) -> None:
    session = basic(server_version)
    session.records += [
        SessionRecord(t=5.0, direction="out", leg=1, kind="hello", fields=(HELLO,)),
        SessionRecord(t=5.1, direction="in", leg=1, kind="ack", fields=(str(server_version), "x")),
    ]
    gateway, core = start(session)
    client = gateway.connect(5)
    client.close()
    missing = core.missing()
    assert [m.reason for m in missing] == ["the client never sent this request", "no client connected for this leg"]
    assert missing[0].step == 5 and missing[1].leg == 1
    assert not core.is_finished


def test_legs_play_in_connection_order_and_extra_connections_diverge(server_version: int) -> None:
    session = basic(server_version)
    session.records += [*handshake(10.0, leg=1, client_id=5, version=server_version), out(11.0, ReqCurrentTime(), 1, server_version), into(11.1, CurrentTime(time=42), 1, server_version)]
    gateway, core = start(session)
    first = gateway.connect(5)
    first.send(ReqContractData(req_id=7, contract=AAPL))
    first.close()
    second = gateway.connect(5)
    second.send(ReqCurrentTime())
    assert second.of_type(CurrentTime) == [CurrentTime(time=42)]
    third = gateway.connect(5)
    assert third.closed
    assert "has no recorded leg" in core.divergences[0].reason
    assert core.missing() == []


def test_recorded_timing_follows_the_requests(server_version: int) -> None:
    gateway, core = start(basic(server_version), timing="recorded")
    client = gateway.connect(5)
    names = [type(m).__name__ for m in messages(client)]
    assert names == []  # the reply and startApi's answers are all delayed
    gateway.advance(0.05)
    assert [type(m).__name__ for m in messages(client)] == ["ManagedAccts", "NextValidId"]
    client.send(ReqContractData(req_id=7, contract=AAPL))
    assert len(messages(client)) == 2
    gateway.advance(0.55)
    assert [type(m).__name__ for m in messages(client)][2:] == ["ErrMsg"]
    gateway.advance(0.1)
    assert len(messages(client)) == 4
    gateway.advance(1.3)
    assert len(messages(client)) == 4
    gateway.advance(0.1)
    assert len(messages(client)) == 5


def test_timing_factor_scales_delays(server_version: int) -> None:
    gateway, core = start(basic(server_version), timing=0.5)
    client = gateway.connect(5)
    gateway.advance(0.02)
    client.send(ReqContractData(req_id=7, contract=AAPL))
    gateway.advance(0.24)
    assert len(messages(client)) == 2
    gateway.advance(0.02)
    assert len(messages(client)) == 3


def test_split_and_coalesced_writes(server_version: int) -> None:
    gateway, _ = start(basic(server_version), faults=[SplitWrites(3)])
    client = gateway.connect(5)
    client.send(ReqContractData(req_id=7, contract=AAPL))
    assert max(client.writes) <= 3 and len(client.writes) > 40
    assert len(messages(client)) == 5
    gateway, _ = start(basic(server_version), faults=[CoalesceWrites()])
    client = gateway.connect(5)
    client.send(ReqContractData(req_id=7, contract=AAPL))
    # reply, then startApi's two answers together, then the three responses together
    assert len(client.writes) == 3
    assert len(messages(client)) == 5


def test_disconnect_at_a_server_frame_and_at_a_request(server_version: int) -> None:
    gateway, core = start(basic(server_version), faults=[DisconnectAt(6)])
    client = gateway.connect(5)
    client.send(ReqContractData(req_id=7, contract=AAPL))
    assert client.closed
    assert [type(m).__name__ for m in messages(client)] == ["ManagedAccts", "NextValidId"]
    assert core.divergences == []
    gateway, core = start(basic(server_version), faults=[DisconnectAt(5)])
    client = gateway.connect(5)
    assert client.closed and len(messages(client)) == 2


def test_delay_at_a_step(server_version: int) -> None:
    gateway, _ = start(basic(server_version), faults=[DelayAt(7, 2.0)])
    client = gateway.connect(5)
    client.send(ReqContractData(req_id=7, contract=AAPL))
    assert len(messages(client)) == 3
    gateway.advance(1.9)
    assert len(messages(client)) == 3
    gateway.advance(0.2)
    assert len(messages(client)) == 5


def test_recorded_server_close_closes(server_version: int) -> None:
    session = basic(server_version)
    session.records.insert(7, SessionRecord(t=1.55, direction="in", kind="close"))
    gateway, core = start(session)
    client = gateway.connect(5)
    client.send(ReqContractData(req_id=7, contract=AAPL))
    assert client.closed and len(messages(client)) == 3
    assert core.is_finished


def test_a_leg_without_reply_gets_the_header_version(server_version: int) -> None:
    session = Session(
        header=SessionHeader(server_version=server_version),
        records=[out(0.0, StartApi(client_id=5), 0, server_version), into(0.1, NextValidId(order_id=3), 0, server_version)],
    )
    gateway, core = start(session)
    client = gateway.connect(5)
    assert client.events[0] == ConnectAck(server_version=server_version, connection_time="20240101 00:00:00 EST")
    assert client.of_type(NextValidId) == [NextValidId(order_id=3)]
    assert core.divergences == []


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError):
        ReplayCore(basic(), mode="loose")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ReplayCore(basic(), timing="slow")  # type: ignore[arg-type]
    for factor in (-1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="finite factor"):
            ReplayCore(basic(), timing=factor)
    with pytest.raises(ValueError):
        ReplayCore(basic(), faults=[SplitWrites(0)])


@pytest.mark.parametrize("chunk", [None, 1, 7])
def test_replay_offline(server_version: int, chunk: int | None) -> None:
    result = replay_offline(basic(server_version), chunk=chunk)
    assert result.divergences == [] and result.errors == [] and result.problems == []
    assert [type(m).__name__ for m in result.messages] == [
        "ManagedAccts", "NextValidId", "ErrMsg", "ContractDataEnd", "ErrMsg",
    ]


def test_replay_offline_of_a_raw_hello_less_session() -> None:
    # Pinned to text: a raw record holding a text frame's bytes.
    session = Session(
        header=SessionHeader(server_version=TEXT),
        records=[into(0.0, NextValidId(order_id=3)), SessionRecord(t=0.1, direction="in", raw=b"9\x001\x004\x00")],
    )
    result = replay_offline(session)
    assert result.messages == [NextValidId(order_id=3), NextValidId(order_id=4)]


def test_a_handshake_reply_kept_raw_is_played_as_recorded(server_version: int) -> None:
    # A Chinese-locale gateway's reply: its time in GBK, so the recorder kept it raw.
    reply = f"{server_version}\0".encode() + "20240324 21:18:59 中国标准时间\0".encode("gbk")
    records = handshake(version=server_version)
    records[1] = SessionRecord(t=0.01, direction="in", kind="ack", raw=reply)
    result = replay_offline(Session(header=SessionHeader(client_id=5), records=records))
    assert result.divergences == [] and result.errors == []
    (ack,) = [e for e in result.events[0] if isinstance(e, ConnectAck)]
    assert (ack.server_version, ack.connection_time) == (server_version, "20240324 21:18:59 中国标准时间")
    assert [type(m).__name__ for m in result.messages] == ["ManagedAccts", "NextValidId"]


def test_fake_gateway_over_sockets(server_version: int, tmp_path: Path) -> None:
    path = tmp_path / "basic.jsonl"
    basic(server_version).dump(path)
    with FakeGateway.from_session(path, faults=[SplitWrites(2)]) as gateway:
        with WireClient("127.0.0.1", gateway.port, 5, timeout=TIMEOUT) as client:
            client.connect()
            client.send(ReqContractData(req_id=7, contract=AAPL))
            client.wait_for(ContractDataEnd)
            client.wait_for(ErrMsg, lambda e: e.error_code == 2108)
        assert gateway.wait_finished(TIMEOUT)
    gateway.raise_on_divergence(complete=True)
    assert gateway.divergences == []


def test_fake_gateway_raises_divergences(server_version: int) -> None:
    with FakeGateway(basic(server_version)) as gateway:
        with WireClient("127.0.0.1", gateway.port, 5, timeout=TIMEOUT) as client:
            client.connect()
            client.send(ReqContractData(req_id=99, contract=AAPL))
            client.wait_closed()
    with pytest.raises(ReplayDivergence) as caught:
        gateway.raise_on_divergence()
    assert caught.value.step == 5
    with FakeGateway(basic(server_version)) as gateway:
        with WireClient("127.0.0.1", gateway.port, 5, timeout=TIMEOUT) as client:
            client.connect()
        gateway.wait_finished(0.1)
    gateway.raise_on_divergence()  # nothing wrong so far...
    with pytest.raises(ReplayDivergence, match="never sent"):
        gateway.raise_on_divergence(complete=True)  # ...but a request is missing


def test_raw_hello_bytes_through_the_core(server_version: int) -> None:
    gateway, core = start(basic(server_version))
    core.connection_made(42, 0.0)
    data = encode_hello(HELLO)
    for byte in data:
        core.data_received(42, bytes([byte]), 0.0)
    core.advance(0.0)
    writes = core.take_actions()
    assert writes and core.divergences == []


def test_a_users_test_kit_program_type_checks_with_precise_types() -> None:
    """``tests/typecheck/testing_kit.py``: ``of_type``'s messages typed as their class, ``send_many``."""
    assert mypy_errors("testing_kit.py") == ""
