"""The session's incoming loop and the one code table."""

from __future__ import annotations

import logging

import pytest

from ibwire.errorcodes import CodeInfo, CodeTable, Severity
from ibwire.messages import (
    CancelMktData,
    CurrentTime,
    ErrMsg,
    Message,
    ReqContractData,
    ReqCurrentTime,
    ReqMktData,
    TickPrice,
)
from ibwire.pacing import PacingConfig
from ibwire.wrapper import Connectivity

from .session_rig import AAPL, MSFT, HoldingPacer, Rig, Sink, not_sent


@pytest.mark.parametrize("code", [2104, 2106, 2158])
def test_farm_ok_codes_are_connectivity_not_errors(server_version: int, code: int) -> None:
    """Pain point 11: farm notices are connectivity events and fail nothing."""
    rig = Rig(version=server_version)
    rig.ready()
    pending = rig.session.contract_details(AAPL, rig.now, 10.0)
    rig.flush()
    (request,) = rig.take()
    assert isinstance(request, ReqContractData)
    rig.deliver(ErrMsg(req_id=-1, error_code=code, error_string="farm connection is OK:usfarm"))
    rig.deliver(ErrMsg(req_id=request.req_id, error_code=code, error_string="farm OK:usfarm"))
    assert not pending.done
    assert not rig.events(ErrMsg)
    event = rig.events(Connectivity)[0]
    assert isinstance(event, Connectivity)
    assert event.code == code and event.is_connected and event.farm == "usfarm"


def test_user_code_table_override(server_version: int) -> None:
    rig = Rig(version=server_version, code_table=CodeTable({200: Severity.WARNING}))
    rig.ready()
    pending = rig.session.contract_details(AAPL, rig.now, 10.0)
    rig.flush()
    (request,) = rig.take()
    assert isinstance(request, ReqContractData)
    rig.deliver(ErrMsg(req_id=request.req_id, error_code=200, error_string="ambiguous"))
    assert not pending.done


def test_connectivity_lost_and_restored(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    rig.deliver(ErrMsg(req_id=-1, error_code=1100, error_string="Connectivity lost"))
    rig.deliver(ErrMsg(req_id=-1, error_code=1102, error_string="restored, data maintained"))
    events = rig.events(Connectivity)
    assert [(e.code, e.is_connected, e.data_lost) for e in events] == [  # type: ignore[attr-defined]
        (1100, False, False),
        (1102, True, False),
    ]


def test_wire_log_at_debug_only(server_version: int, caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    with caplog.at_level(logging.INFO, logger="ibwire"):
        rig.submit(ReqCurrentTime())
        rig.deliver(CurrentTime(time=5))
    assert not [r for r in caplog.records if r.name == "ibwire.wire"]
    with caplog.at_level(logging.DEBUG, logger="ibwire"):
        rig.submit(ReqCurrentTime())
        rig.deliver(CurrentTime(time=5))
    lines = [r.getMessage() for r in caplog.records if r.name == "ibwire.wire"]
    assert lines == ["-> ReqCurrentTime()", "<- CurrentTime(time=5)"]


@pytest.mark.parametrize("wire_log", [False, True])
def test_nothing_is_delivered_after_326_whatever_the_log_level(
    server_version: int,
    wire_log: bool, caplog: pytest.LogCaptureFixture
) -> None:
    if wire_log:
        caplog.set_level(logging.DEBUG, logger="ibwire.wire")
    rig = Rig(version=server_version)
    rig.session.start(rig.now)
    rig.open()
    rig.deliver(
        ErrMsg(req_id=-1, error_code=326, error_string="client id in use"),
        TickPrice(req_id=1, tick_type=1, price=1.0),
    )
    assert rig.events(TickPrice) == []
    assert len(rig.events(ErrMsg)) == 1


def test_the_session_reads_link_state_from_the_user_table(server_version: int) -> None:
    table = CodeTable(
        {2199: CodeInfo(2199, Severity.CONNECTIVITY, "a new farm is broken", link_down=True)}
    )
    rig = Rig(version=server_version, code_table=table)
    rig.ready()
    rig.deliver(ErrMsg(req_id=-1, error_code=2199, error_string="Farm broken:newfarm"))
    (event,) = rig.events(Connectivity)
    assert isinstance(event, Connectivity) and not event.is_connected


def _burst(server_version: int, count: int) -> Rig:
    """A ready session paced at 5 messages a second that was just asked for
    ``count`` current times at once; the first five are taken."""
    rig = Rig(
        version=server_version,
        pacing=PacingConfig(max_messages_per_second=5, rate_safety_margin=0, arrival_jitter=0.0)
    )
    rig.ready()
    rig.advance(1.0)  # the second that counted startApi is over
    for _ in range(count):
        rig.session.submit(ReqCurrentTime(), rig.now)
    rig.flush()
    assert len(rig.take()) == 5
    return rig


def test_throttling_is_visible_and_released_on_time(server_version: int) -> None:
    """Pain point 5: the pacer holds the excess, says so, and sends it later."""
    rig = _burst(server_version, 8)
    assert rig.session.next_deadline() == pytest.approx(rig.now + 1.0)
    rig.advance(1.0)
    assert len(rig.take()) == 1  # then the steady rate: one per 0.2 s
    rig.advance(0.2)
    rig.advance(0.2)
    assert len(rig.take()) == 2
    kinds = {type(e).__name__ for e in rig.dispatched}
    assert {"ThrottlingStarted", "ThrottlingEnded"} <= kinds


def test_a_socket_read_releases_what_the_pacer_holds(server_version: int) -> None:
    """The poll after every read: held requests go out with no timer, and the
    throttling episode ends with the read that emptied the queue."""
    rig = _burst(server_version, 6)
    rig.now += 1.0
    rig.deliver(CurrentTime(time=1))
    assert rig.take() == [ReqCurrentTime()]
    kinds = [type(e).__name__ for e in rig.dispatched]
    assert kinds.count("ThrottlingEnded") == 1 and "CurrentTime" in kinds
    # Nothing queued now: a read polls the idle pacer, which releases nothing.
    rig.now += 1.0
    rig.deliver(CurrentTime(time=2))
    assert rig.take() == []
    assert [type(e).__name__ for e in rig.dispatched].count("ThrottlingEnded") == 1


def test_cancels_jump_the_queue(server_version: int) -> None:
    rig = Rig(
        version=server_version,
        pacing=PacingConfig(max_messages_per_second=2, rate_safety_margin=0, arrival_jitter=0.0)
    )
    rig.ready()
    rig.advance(1.0)  # the second that counted startApi is over
    for req_id in (1, 2, 3, 4):
        rig.session.submit(ReqMktData(req_id=req_id, contract=AAPL), rig.now)
    rig.session.submit(CancelMktData(req_id=1), rig.now)
    rig.flush()
    rig.take()
    rig.advance(1.0)
    rig.advance(0.5)
    assert rig.take() == [CancelMktData(req_id=1), ReqMktData(req_id=3, contract=AAPL)]


def test_requests_cancelled_in_the_queue_leave_nothing_behind(server_version: int) -> None:
    """A cancel withdraws its queued request and itself: neither frame is kept."""
    rig = Rig(version=server_version)
    rig.ready()
    session = rig.session
    for _ in range(5):
        keys = [
            session.subscribe(
                ReqMktData(req_id=session.new_request_id(), contract=AAPL), Sink(), rig.now
            )
            for _ in range(40)
        ]
        for key in keys:
            session.unsubscribe(key, rig.now)
        while session.pacer.queued:
            rig.advance(0.1)
    assert session.pacer.stats.cancels_absorbed > 100
    # Every frame the session kept for the pacer to release was sent or forgotten.
    assert session._unsent == {}


def test_budget_refusal_raises_before_sending(server_version: int) -> None:
    from ibwire.pacing import MarketDataLinesExceededError

    rig = Rig(version=server_version, pacing=PacingConfig(market_data_lines=1))
    rig.ready()
    rig.submit(ReqMktData(req_id=1, contract=AAPL))
    with pytest.raises(MarketDataLinesExceededError):
        rig.session.submit(ReqMktData(req_id=2, contract=MSFT), rig.now)
    assert [m.req_id for m in rig.take()] == [1]  # type: ignore[attr-defined]
    assert [m.req_id for m in rig.session.live_subscriptions] == [1]  # type: ignore[attr-defined]


def test_a_user_request_held_at_a_drop_is_reported(server_version: int) -> None:
    pacer = HoldingPacer()
    rig = Rig(version=server_version, pacing=pacer)
    rig.ready()
    pacer.hold = True
    rig.submit(ReqContractData(req_id=77, contract=AAPL))
    rig.drop()
    (error,) = not_sent(rig)
    assert error.req_id == 77 and "ReqContractData" in error.error_string


def test_a_request_is_encoded_once(server_version: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from ibwire.codec import Codec
    from ibwire.messages import ReqContractData
    from ibwire.protobuf.forms import ProtobufForms

    rig = Rig(version=server_version)
    rig.ready()
    calls: list[object] = []
    encode = Codec.encode
    encode_protobuf = ProtobufForms.encode

    def counting(self: Codec, message: Message) -> list[str]:
        calls.append(message)
        return encode(self, message)

    def counting_protobuf(self: ProtobufForms, message: Message) -> bytes | None:
        payload = encode_protobuf(self, message)
        if payload is not None:  # else the text codec encodes it, counted there
            calls.append(message)
        return payload

    monkeypatch.setattr(Codec, "encode", counting)
    monkeypatch.setattr(ProtobufForms, "encode", counting_protobuf)
    request = ReqContractData(req_id=5, contract=AAPL)
    rig.submit(request)
    assert rig.take() == [request]
    assert calls == [request]


@pytest.mark.parametrize(("low", "high"), [(100, 227), (99, 200), (201, 200)])
def test_a_version_range_outside_100_226_is_refused_when_made(low: int, high: int) -> None:
    from ibwire._session import Session

    with pytest.raises(ValueError, match="100..226"):
        Session(7, min_version=low, max_version=high)


@pytest.mark.parametrize(
    ("client_id", "options"),
    [(2**31, {}), (1, {"optional_capabilities": "a\x01"}), (1, {"connect_options": "\u00e9"})],
)
def test_a_hello_or_start_api_that_cannot_be_sent_is_refused_when_made(
    client_id: int, options: dict[str, str]
) -> None:
    # Not when the socket opens, inside the front end's pump.
    from ibwire._session import Session

    with pytest.raises(ValueError):
        Session(client_id, **options)  # type: ignore[arg-type]
    Session(client_id, max_version=212)  # a client id beyond int32 goes as text there


def test_the_default_range_is_100_226_and_can_be_pinned_down_to_100() -> None:
    from ibwire._session import Session

    assert (Session(7).min_version, Session(7).max_version) == (100, 226)
    rig = Rig(version=100, min_version=100, max_version=100)
    rig.ready()
    assert rig.session.server_version == 100
