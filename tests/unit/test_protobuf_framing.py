"""Framing and negotiation from server version 201: raw 4-byte ids both ways."""

from __future__ import annotations

import struct

import pytest

from ibwire import ClientProtocol, ConnectAck, ServerProtocol
from ibwire.errors import LocalProtocolError, MalformedMessageError
from ibwire.events import ClientHello, MalformedMessage, UnknownMessage
from ibwire.framing import encode_frame, encode_raw_frame, split_raw_id
from ibwire.ids import OutgoingId
from ibwire.messages import ReqMktData
from ibwire.messages.common import Contract
from ibwire.messages.system import CurrentTime, NextValidId, ReqCurrentTime, StartApi
from ibwire.protobuf.forms import ProtobufForms
from ibwire.protocol import ProtocolEvent
from ibwire.versions import MAX_CLIENT_VERSION, is_supported


def raw(msg_id: int, body: bytes) -> bytes:
    return struct.pack(">II", len(body) + 4, msg_id) + body


def test_raw_frame_helpers() -> None:
    assert encode_raw_frame(49, b"1\x00") == b"\x00\x00\x00\x06\x00\x00\x00\x311\x00"
    assert split_raw_id(b"\x00\x00\x01\x0bbody") == (267, b"body")
    with pytest.raises(ValueError, match="no 4-byte message id"):
        split_raw_id(b"\x00\x01")


def test_version_range() -> None:
    assert MAX_CLIENT_VERSION == 226
    assert is_supported(226) and not is_supported(227) and not is_supported(99)
    ClientProtocol(0, max_version=226)
    with pytest.raises(ValueError, match="100..226"):
        ServerProtocol(max_version=227)


def connected(version: int) -> tuple[ClientProtocol, ServerProtocol]:
    client = ClientProtocol(7, max_version=version)
    server = ServerProtocol(max_version=MAX_CLIENT_VERSION)
    client.connect()
    server.receive_data(client.data_to_send())
    hello = server.events_received()
    assert hello == [ClientHello(min_version=100, max_version=version)]
    assert server.accept() == version
    client.receive_data(server.data_to_send())
    assert client.events_received() == [
        ConnectAck(server_version=version, connection_time="20240101 00:00:00 EST")
    ]
    return client, server


def test_the_client_advertises_what_it_is_given() -> None:
    client = ClientProtocol(0, max_version=226)
    client.connect()
    assert client.data_to_send() == b"API\x00\x00\x00\x00\x09v100..226"
    default = ClientProtocol(0)
    default.connect()
    assert default.data_to_send().endswith(b"v100..226")
    text = ClientProtocol(0, max_version=200)
    text.connect()
    assert text.data_to_send().endswith(b"v100..200")


def test_start_api_at_201_is_text_behind_a_raw_id() -> None:
    client, server = connected(201)
    sent = client.data_to_send()
    # The official client: make_msg(START_API, useRawIntMsgId=True, "2\0" "7\0" "\0").
    assert sent == raw(71, b"2\x007\x00\x00")
    server.receive_data(sent)
    assert server.events_received() == [StartApi(client_id=7)]


def test_start_api_at_200_keeps_the_text_id() -> None:
    client, _ = connected(200)
    assert client.data_to_send() == encode_frame(b"71\x002\x007\x00\x00")


@pytest.mark.parametrize("version", [201, 205, 212])
def test_text_requests_and_replies_round_trip(version: int) -> None:
    client, server = connected(version)
    client.data_to_send()
    client.send(ReqCurrentTime())
    sent = client.data_to_send()
    assert sent == raw(49, b"1\x00")
    server.receive_data(sent)
    server.events_received()
    server.send(CurrentTime(time=1700000000))
    data = server.data_to_send()
    assert data == raw(49, b"1\x001700000000\x00")
    for events in feed_three_ways(version, data):
        assert events == [CurrentTime(time=1700000000)]


def feed_three_ways(version: int, data: bytes) -> list[list[ProtocolEvent]]:
    """``data`` fed to a fresh client whole, one byte at a time, and followed by
    the start of another frame."""
    results = []
    for mode in ("whole", "bytes", "trailing"):
        client, _ = connected(version)
        if mode == "whole":
            client.receive_data(data)
        elif mode == "bytes":
            for index in range(len(data)):
                client.receive_data(data[index : index + 1])
        else:
            client.receive_data(data + raw(9, b"1\x005\x00")[:6])
        results.append(client.events_received())
    return results


def test_unterminated_text_body_is_malformed_and_the_stream_goes_on() -> None:
    data = raw(49, b"1\x00123") + raw(9, b"1\x005\x00")
    for events in feed_three_ways(201, data):
        assert isinstance(events[0], MalformedMessage)
        assert events[0].error.msg_id == 49
        assert events[1:] == [NextValidId(order_id=5)]


def test_frame_without_an_id_is_malformed_and_the_stream_goes_on() -> None:
    data = encode_frame(b"\x00\x01") + raw(9, b"1\x005\x00")
    for events in feed_three_ways(226, data):
        assert isinstance(events[0], MalformedMessage)
        assert "no 4-byte message id" in str(events[0].error)
        assert events[1:] == [NextValidId(order_id=5)]


def test_unmapped_protobuf_frame_is_kept_as_an_unknown_message() -> None:
    body = bytes.fromhex("0805")  # 47 (TICK_EFP) has no protobuf form
    data = raw(247, body) + raw(9, b"1\x005\x00")
    for events in feed_three_ways(201, data):
        assert events == [
            UnknownMessage(msg_id=247, fields=("247", "0805")),
            NextValidId(order_id=5),
        ]


def test_unknown_text_id_at_201() -> None:
    data = raw(199, b"x\x00")
    for events in feed_three_ways(201, data):
        assert events == [UnknownMessage(msg_id=199, fields=("199", "x"))]


def contract() -> Contract:
    return Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")


@pytest.mark.parametrize(("version", "gate"), [(213, 213), (226, 213)])
def test_a_text_form_is_refused_once_its_gate_passed(version: int, gate: int) -> None:
    forms = ProtobufForms(version, server=False)
    with pytest.raises(LocalProtocolError, match=f"from server version {gate}"):
        forms.check_text(int(OutgoingId.REQ_CURRENT_TIME), "ReqCurrentTime")
    ProtobufForms(gate - 1, server=False).check_text(int(OutgoingId.REQ_CURRENT_TIME), "X")


@pytest.mark.parametrize("version", [213, 226])
def test_start_api_is_protobuf_from_213(version: int) -> None:
    client, server = connected(version)
    sent = client.data_to_send()
    # StartApiRequest{clientId=7}: optionalCapabilities is left out when empty.
    assert sent == raw(271, b"\x08\x07")
    server.receive_data(sent)
    assert server.events_received() == [StartApi(client_id=7)]


def test_text_form_before_the_gate() -> None:
    client, server = connected(205)
    client.data_to_send()
    client.send(ReqMktData(req_id=1, contract=contract()))
    sent = client.data_to_send()
    assert sent[4:8] == b"\x00\x00\x00\x01"
    server.receive_data(sent)
    (request,) = server.events_received()
    assert isinstance(request, ReqMktData) and request.req_id == 1


def test_malformed_error_is_typed() -> None:
    client, _ = connected(201)
    client.receive_data(raw(49, b"1\x00x\x00"))
    (event,) = client.events_received()
    assert isinstance(event, MalformedMessage)
    assert isinstance(event.error, MalformedMessageError)
    assert event.error.fields[0] == "49"
