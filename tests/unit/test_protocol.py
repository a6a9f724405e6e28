from __future__ import annotations

import dataclasses
import struct
from decimal import Decimal
from typing import Any

import pytest

from ibwire import (
    ClientHello,
    ClientProtocol,
    ConnectAck,
    ConnectionClosed,
    FrameTooLargeError,
    HandshakeError,
    LocalProtocolError,
    MalformedMessage,
    ServerProtocol,
    State,
    UnknownMessage,
    UnsupportedByServerError,
)
from ibwire.messages import (
    CancelMktData,
    Contract,
    ContractData,
    ContractDetails,
    ErrMsg,
    Execution,
    ExecutionData,
    ManagedAccts,
    Message,
    NextValidId,
    PortfolioValue,
    PositionData,
    PositionMulti,
    ReqCurrentTime,
    ReqCurrentTimeInMillis,
    ReqMktData,
    ScannerData,
    ScannerDataElement,
    StartApi,
    TickPrice,
)
from ibwire.protocol import DECODE_SLICE, slices


def frame(*fields: str) -> bytes:
    payload = "".join(f + "\0" for f in fields).encode()
    return struct.pack(">I", len(payload)) + payload


def connected_pair(version: int = 176, client_id: int = 3) -> tuple[ClientProtocol, ServerProtocol]:
    client = ClientProtocol(client_id)
    server = ServerProtocol(max_version=version)
    client.connect()
    server.receive_data(client.data_to_send())
    server.accept(connection_time="20240324 21:18:59 EST")
    client.receive_data(server.data_to_send())
    server.receive_data(client.data_to_send())
    client.events_received()
    return client, server


def test_connect_queues_hello() -> None:
    client = ClientProtocol(0)
    client.connect()
    assert client.data_to_send() == b"API\x00\x00\x00\x00\x09v100..226"
    assert client.state is State.HANDSHAKE


def test_connect_options_and_single_version() -> None:
    client = ClientProtocol(0, min_version=176, max_version=176, connect_options="+PACEAPI")
    client.connect()
    assert client.data_to_send() == b"API\x00\x00\x00\x00\x0dv176 +PACEAPI"


def test_bad_constructor_arguments() -> None:
    with pytest.raises(ValueError):
        ClientProtocol(0, max_version=227)
    with pytest.raises(ValueError):
        ClientProtocol(0, min_version=99)
    with pytest.raises(ValueError):
        ClientProtocol(0, connect_options="caf\u00e9")


@pytest.mark.parametrize(
    "arguments",
    [{"client_id": 2**31}, {"client_id": -(2**31) - 1}, {"optional_capabilities": "a\x01"}],
)
def test_a_start_api_that_cannot_be_sent_is_refused_by_the_constructor(
    arguments: dict[str, object],
) -> None:
    # Not when the server's reply arrives: receive_data would raise mid-handshake.
    values: dict[str, Any] = {"client_id": 0, **arguments}
    with pytest.raises(ValueError):
        ClientProtocol(values.pop("client_id"), **values)


def test_a_client_id_beyond_int32_travels_as_text_below_213() -> None:
    # startApi goes as protobuf (clientId int32) from 213; as text before, as
    # the official client sends it.
    client = ClientProtocol(2**31, max_version=212)
    server = ServerProtocol(max_version=212)
    client.connect()
    server.receive_data(client.data_to_send())
    server.events_received()
    server.accept()
    client.receive_data(server.data_to_send())
    assert client.data_to_send()[4:] == struct.pack(">I", 71) + b"2\x002147483648\x00\x00"


def test_connect_twice_is_local_error() -> None:
    client = ClientProtocol(0)
    client.connect()
    with pytest.raises(LocalProtocolError):
        client.connect()


def test_handshake_sends_start_api() -> None:
    client = ClientProtocol(7, optional_capabilities="")
    client.connect()
    client.data_to_send()
    client.receive_data(frame("176", "20240324 21:18:59 Greenwich Mean Time"))
    events = client.events_received()
    assert events == [ConnectAck(server_version=176, connection_time="20240324 21:18:59 Greenwich Mean Time")]
    assert client.server_version == 176
    assert client.connection_time == "20240324 21:18:59 Greenwich Mean Time"
    assert client.state is State.CONNECTED
    assert client.data_to_send() == frame("71", "2", "7", "")


def test_frames_before_reply_that_are_not_two_fields_are_ignored() -> None:
    client = ClientProtocol(1)
    client.connect()
    client.receive_data(frame("14", "1", "2", "3", "news") + frame("176", "t") + frame("9", "1", "530"))
    assert client.events_received() == [
        ConnectAck(server_version=176, connection_time="t"),
        NextValidId(order_id=530),
    ]


def test_version_out_of_range_is_handshake_error() -> None:
    client = ClientProtocol(1, max_version=176)
    client.connect()
    with pytest.raises(HandshakeError):
        client.receive_data(frame("178", "t"))
    assert client.state is State.CLOSED


def test_garbage_version_and_redirect() -> None:
    client = ClientProtocol(1)
    client.connect()
    with pytest.raises(HandshakeError, match="bad server version"):
        client.receive_data(frame("abc", "t"))
    client = ClientProtocol(1)
    client.connect()
    with pytest.raises(HandshakeError, match="redirect"):
        client.receive_data(frame("-1", "host:4001"))


def test_send_before_handshake_is_local_error() -> None:
    client = ClientProtocol(1)
    with pytest.raises(LocalProtocolError):
        client.send(ReqCurrentTime())
    client.connect()
    with pytest.raises(LocalProtocolError):
        client.send(ReqCurrentTime())


def test_receive_before_connect_is_local_error() -> None:
    with pytest.raises(LocalProtocolError):
        ClientProtocol(1).receive_data(b"x")


def test_messages_flow_both_ways() -> None:
    client, server = connected_pair()
    assert server.events_received() == [
        ClientHello(min_version=100, max_version=226),
        StartApi(client_id=3, optional_capabilities=""),
    ]
    server.send(ManagedAccts(accounts_list="DU1,DU2,"))
    server.send(NextValidId(order_id=100))
    client.receive_data(server.data_to_send())
    events = client.events_received()
    assert events == [ManagedAccts(accounts_list="DU1,DU2,"), NextValidId(order_id=100)]
    managed = events[0]
    assert isinstance(managed, ManagedAccts)
    assert managed.accounts == ("DU1", "DU2")
    request = ReqMktData(req_id=9, contract=Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD"))
    client.send(request)
    client.send(CancelMktData(req_id=9))
    server.receive_data(client.data_to_send())
    assert server.events_received() == [request, CancelMktData(req_id=9)]


def test_slices_cut_a_large_read_into_pieces_and_leave_a_small_one_whole() -> None:
    small = bytes(range(256)) * 4
    assert [piece is small for piece in slices(small)] == [True]
    large = bytes(range(256)) * (DECODE_SLICE // 256 * 3 + 1)
    pieces = list(slices(large))
    assert [len(piece) for piece in pieces] == [DECODE_SLICE] * 3 + [256]
    assert b"".join(pieces) == large
    assert [len(piece) for piece in slices(large, size=1000)][:2] == [1000, 1000]


def test_a_read_fed_in_slices_decodes_as_the_whole_read() -> None:
    client, server = connected_pair()
    for n in range(2000):
        server.send(TickPrice(req_id=n, tick_type=1, price=100.0 + n, size=Decimal(n)))
    data = server.data_to_send()
    assert len(data) > 2 * DECODE_SLICE
    sliced = []
    for piece in slices(data):
        client.receive_data(piece)
        sliced.extend(client.events_received())
    whole, _ = connected_pair()
    whole.receive_data(data)
    assert sliced == whole.events_received()
    assert len(sliced) == 2000


def test_unsupported_request_raises_before_a_byte_is_sent() -> None:
    client, _ = connected_pair(version=176)
    with pytest.raises(UnsupportedByServerError) as info:
        client.send(ReqCurrentTimeInMillis())
    assert info.value.required == 197
    assert info.value.actual == 176
    assert client.data_to_send() == b""


def test_non_ascii_request_raises_before_a_byte_is_sent() -> None:
    client, _ = connected_pair()
    with pytest.raises(LocalProtocolError, match="printable ASCII"):
        client.send(ReqMktData(req_id=1, contract=Contract(symbol="caf\u00e9")))
    with pytest.raises(LocalProtocolError):
        client.send(ReqMktData(req_id=1, contract=Contract(symbol="a\x00b")))
    assert client.data_to_send() == b""


def test_wrong_type_is_local_error() -> None:
    client, _ = connected_pair()
    with pytest.raises(LocalProtocolError):
        client.send(ReqMktData(req_id=1, contract=Contract(symbol=5)))  # type: ignore[arg-type]
    with pytest.raises(LocalProtocolError, match="does not send"):
        client.send(TickPrice(req_id=1, tick_type=1, price=1.0))


def test_malformed_message_does_not_stop_the_stream() -> None:
    client, server = connected_pair()
    server.send_fields(["1", "6", "x", "1", "1.5", "100", "0"])
    server.send_fields(["1", "6", "1", "1", "1.5", "100", "0", "extra"])
    server.send_fields(["1", "6", "1", "1", "1.5"])
    server.send(TickPrice(req_id=1, tick_type=1, price=1.5, size=Decimal(100)))
    client.receive_data(server.data_to_send())
    events = client.events_received()
    assert [type(e) for e in events] == [MalformedMessage, MalformedMessage, MalformedMessage, TickPrice]
    bad = events[0]
    assert isinstance(bad, MalformedMessage)
    assert bad.msg_id == 1
    assert bad.error.field_index == 2
    assert bad.error.field_name == "req_id"
    assert bad.fields == ("1", "6", "x", "1", "1.5", "100", "0")
    extra = events[1]
    assert isinstance(extra, MalformedMessage)
    assert extra.error.field_index == 7
    short = events[2]
    assert isinstance(short, MalformedMessage)
    assert short.error.field_name == "size"


def test_unterminated_last_field_is_malformed() -> None:
    client, _ = connected_pair()
    client.receive_data(struct.pack(">I", 5) + b"9\x001\x005")
    client.receive_data(frame("9", "1", "5"))
    events = client.events_received()
    assert isinstance(events[0], MalformedMessage)
    assert "not terminated" in events[0].error.reason
    assert events[1] == NextValidId(order_id=5)


def test_unknown_and_unreadable_ids() -> None:
    client, _ = connected_pair()
    client.receive_data(frame("999", "a") + frame("x1", "a") + frame("9", "1", "5"))
    events = client.events_received()
    assert events[0] == UnknownMessage(msg_id=999, fields=("999", "a"))
    assert isinstance(events[1], MalformedMessage)
    assert events[1].msg_id is None
    assert events[2] == NextValidId(order_id=5)


@pytest.mark.parametrize("msg_id", [110, 111])
@pytest.mark.parametrize("version", [200, 226])
def test_text_frame_of_a_protobuf_only_id_is_unknown(version: int, msg_id: int) -> None:
    # Config answers exist only in protobuf: a text frame of their id is unknown,
    # not a failure to build a decoder, and the stream goes on.
    client, _ = connected_pair(version)
    if version < 201:
        data = frame(str(msg_id), "1") + frame("9", "1", "5")
    else:
        data = b"".join(
            struct.pack(">I", len(body)) + body
            for body in (struct.pack(">I", msg_id) + b"1\0", struct.pack(">I", 9) + b"1\x005\0")
        )
    client.receive_data(data)
    assert client.events_received() == [
        UnknownMessage(msg_id=msg_id, fields=(str(msg_id), "1")),
        NextValidId(order_id=5),
    ]


@pytest.mark.parametrize("msg_id", [106, 107, 108, 109])
def test_server_reads_a_text_frame_of_a_protobuf_only_request_as_unknown(msg_id: int) -> None:
    client, server = connected_pair(200)
    server.events_received()
    server.receive_data(frame(str(msg_id), "1"))
    assert server.events_received() == [UnknownMessage(msg_id=msg_id, fields=(str(msg_id), "1"))]


def test_frame_errors_raise_and_close() -> None:
    client, _ = connected_pair()
    with pytest.raises(FrameTooLargeError):
        client.receive_data(b"\x00\x00\x00\x00")
    assert client.state is State.CLOSED
    client.receive_data(b"ignored")


def test_max_frame_size_is_configurable() -> None:
    client = ClientProtocol(1, max_frame_size=16)
    client.connect()
    with pytest.raises(FrameTooLargeError):
        client.receive_data(struct.pack(">I", 17))


def test_eof_before_and_after_handshake() -> None:
    client = ClientProtocol(1)
    client.connect()
    client.receive_eof()
    assert client.events_received() == [ConnectionClosed(handshake_done=False, messages_received=0)]
    client.receive_eof()
    assert client.events_received() == []
    client, server = connected_pair()
    client.receive_eof()
    assert client.events_received()[-1] == ConnectionClosed(handshake_done=True, messages_received=0)
    with pytest.raises(LocalProtocolError, match="closed"):
        client.send(ReqCurrentTime())


def test_server_rejects_bad_sign_and_range() -> None:
    server = ServerProtocol()
    with pytest.raises(HandshakeError):
        server.receive_data(b"GET / HTTP/1.1\r\n")
    server = ServerProtocol()
    with pytest.raises(HandshakeError):
        server.receive_data(b"API\x00" + struct.pack(">I", 5) + b"hello")


def test_server_hello_forms() -> None:
    for text, expected in [
        (b"v100..176", ClientHello(min_version=100, max_version=176)),
        (b"v176..176 ", ClientHello(min_version=176, max_version=176)),
        (b"v176", ClientHello(min_version=176, max_version=176)),
        (b"v100..200 +PACEAPI", ClientHello(min_version=100, max_version=200, connect_options="+PACEAPI")),
    ]:
        server = ServerProtocol()
        data = b"API\x00" + struct.pack(">I", len(text)) + text
        for b in data:
            server.receive_data(bytes([b]))
        assert server.events_received() == [expected]


def test_server_accept_rules() -> None:
    server = ServerProtocol(max_version=176)
    with pytest.raises(LocalProtocolError):
        server.accept()
    server.receive_data(b"API\x00" + struct.pack(">I", 9) + b"v100..200")
    with pytest.raises(LocalProtocolError):
        server.accept(version=190)
    assert server.accept() == 176
    with pytest.raises(LocalProtocolError):
        server.accept()


def test_server_encodes_escaped_text_at_153() -> None:
    client, server = connected_pair(version=176)
    server.send(ErrMsg(req_id=-1, error_code=2104, error_string="caf\u00e9"))
    data = server.data_to_send()
    assert b"caf\\u00e9" in data
    client.receive_data(data)
    assert client.events_received() == [ErrMsg(req_id=-1, error_code=2104, error_string="caf\u00e9")]


def test_requests_before_accept_are_kept() -> None:
    # Pinned to text: the early request is written as text fields.
    client = ClientProtocol(5, max_version=200)
    server = ServerProtocol()
    client.connect()
    hello = client.data_to_send()
    server.receive_data(hello + frame("49", "1"))
    assert server.events_received() == [ClientHello(min_version=100, max_version=200)]
    server.accept()
    assert server.events_received() == [ReqCurrentTime()]


#: Server messages that report a contract; each built with a default Contract().
_DEFAULT_CONTRACT_REPORTS: list[Message] = [
    PortfolioValue(contract=Contract(), position=Decimal(1)),
    PositionData(account="DU1", contract=Contract(), position=Decimal(1)),
    PositionMulti(req_id=1, account="DU1", contract=Contract(), pos=Decimal(1)),
    ContractData(req_id=1, contract_details=ContractDetails()),
    ScannerData(req_id=1, elements=(ScannerDataElement(),)),
    ExecutionData(req_id=1, contract=Contract(), execution=Execution()),
]


def _zero_strike(message: Message) -> Message:
    """``message`` with the strike its client reads: TWS's unset strike is 0.0."""
    contract = Contract(strike=0.0)
    if isinstance(message, ContractData):
        return dataclasses.replace(message, contract_details=ContractDetails(contract=contract))
    if isinstance(message, ScannerData):
        element = ScannerDataElement(contract_details=ContractDetails(contract=contract))
        return dataclasses.replace(message, elements=(element,))
    return dataclasses.replace(message, contract=contract)  # type: ignore[call-arg]


@pytest.mark.parametrize("version", [100, 136, 163, 176, 200])
@pytest.mark.parametrize("message", _DEFAULT_CONTRACT_REPORTS, ids=lambda m: type(m).__name__)
def test_server_encodes_reports_of_a_default_contract(message: Message, version: int) -> None:
    client, server = connected_pair(version=version)
    server.send(message)
    data = server.data_to_send()
    # The unset strike goes out exactly as a zero strike (TWS writes ``0.0``).
    server.send(_zero_strike(message))
    assert server.data_to_send() == data
    client.receive_data(data)
    assert client.events_received() == [_zero_strike(message)]


HUGE_ID = "9" * 5000  # past CPython's limit on int() of text (4,300 digits)


@pytest.mark.parametrize("version", [176, 200])
@pytest.mark.parametrize("terminated", [True, False], ids=["terminated", "unterminated"])
def test_a_huge_message_id_is_one_malformed_message_and_the_stream_goes_on(
    version: int, terminated: bool
) -> None:
    client, server = connected_pair(version)
    payload = (HUGE_ID + ("\0" if terminated else "")).encode()
    client.receive_data(struct.pack(">I", len(payload)) + payload + frame("9", "1", "42"))
    bad, good = client.events_received()
    assert isinstance(bad, MalformedMessage)
    assert bad.error.msg_id is None
    assert good == NextValidId(order_id=42)


def test_a_huge_server_version_is_a_handshake_error() -> None:
    client = ClientProtocol(0)
    client.connect()
    with pytest.raises(HandshakeError, match="bad server version"):
        client.receive_data(frame(HUGE_ID, "20240101 00:00:00 EST"))
    assert client.state is State.CLOSED


@pytest.mark.parametrize("hello", [f"v{HUGE_ID}", f"v100..{HUGE_ID}"])
def test_a_huge_version_in_the_hello_is_a_handshake_error(hello: str) -> None:
    server = ServerProtocol()
    payload = hello.encode()
    with pytest.raises(HandshakeError, match="bad version range"):
        server.receive_data(b"API\0" + struct.pack(">I", len(payload)) + payload)


def _feed_client(chunks: list[bytes]) -> tuple[list[object], bytes]:
    client = ClientProtocol(0, max_version=176)
    client.connect()
    client.data_to_send()
    events: list[object] = []
    with pytest.raises(FrameTooLargeError):
        for chunk in chunks:
            try:
                client.receive_data(chunk)
            finally:
                events += client.events_received()
    return events, client.data_to_send()


def _feed_server(chunks: list[bytes]) -> list[object]:
    server = ServerProtocol(max_version=176)
    events: list[object] = []
    with pytest.raises(FrameTooLargeError):
        for chunk in chunks:
            try:
                server.receive_data(chunk)
            finally:
                events += server.events_received()
    return events


def _cuts(data: bytes) -> list[list[bytes]]:
    return [[data]] + [[data[:i], data[i:]] for i in range(1, len(data))] + [
        [data[i : i + 1] for i in range(len(data))]
    ]


def test_the_frames_before_a_bad_header_in_the_handshake_read_are_kept_client_side() -> None:
    data = frame("176", "20240101 00:00:00 EST") + frame("9", "1", "42") + b"\0\0\0\0"
    expected = _feed_client([data[i : i + 1] for i in range(len(data))])
    assert [type(event) for event in expected[0]] == [ConnectAck, NextValidId]
    assert expected[1]  # startApi went out
    for chunks in _cuts(data):
        assert _feed_client(chunks) == expected


def test_the_hello_before_a_bad_header_in_the_same_read_is_kept_server_side() -> None:
    hello = b"v100..176"
    data = b"API\0" + struct.pack(">I", len(hello)) + hello + b"\0\0\0\0"
    for chunks in _cuts(data):
        assert _feed_server(chunks) == [ClientHello(min_version=100, max_version=176)]


@pytest.mark.parametrize("version", [176, 200])
def test_a_number_in_non_ascii_digits_is_malformed_naming_the_field(version: int) -> None:
    client, _ = connected_pair(version)
    client.receive_data(frame("2", "6", "\u0663", "0", "100"))
    [event] = client.events_received()
    assert isinstance(event, MalformedMessage)
    assert (event.error.field_index, event.error.field_name) == (2, "req_id")
