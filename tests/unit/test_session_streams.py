"""The session's subscriptions: ends, warnings, cancels, resubscribes."""

from __future__ import annotations

from ibwire._session import (
    ReconnectPolicy,
)
from ibwire.errors import (
    ApiError,
    UnsupportedByServerError,
)
from ibwire.events import MalformedMessage
from ibwire.messages import (
    CancelMktData,
    ErrMsg,
    ReqAcctData,
    ReqMktData,
    ReqTickByTickData,
    TickPrice,
    TickSnapshotEnd,
)

from .session_rig import AAPL, MSFT, POLICY, HoldingPacer, Rig, Sink, not_sent, reconnect


def test_1101_resubscribes_and_1102_keeps(server_version: int) -> None:
    """Pain point 1: 1101 = data lost, re-send; 1102 = data kept."""
    rig = Rig(version=server_version)
    rig.ready()
    rig.submit(ReqMktData(req_id=5, contract=AAPL))
    rig.submit(ReqMktData(req_id=6, contract=MSFT, snapshot=True))
    rig.take()
    rig.deliver(ErrMsg(req_id=-1, error_code=1102, error_string="data maintained"))
    assert rig.take() == []
    rig.deliver(ErrMsg(req_id=-1, error_code=1101, error_string="data lost"))
    sent = rig.take()
    assert sent == [CancelMktData(req_id=5), ReqMktData(req_id=5, contract=AAPL)]


def test_subscription_error_ends_stream_and_is_not_resubscribed(server_version: int) -> None:
    rig = Rig(version=server_version, reconnect=ReconnectPolicy(initial_delay=1.0, jitter=0.0))
    rig.ready()
    sink = Sink()
    key = rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), sink, rig.now)
    rig.flush()
    rig.deliver(ErrMsg(req_id=9, error_code=354, error_string="not subscribed"))
    assert isinstance(sink.ended[0], ApiError)
    assert rig.session.live_subscriptions == []
    assert key == 9


def test_warnings_are_kept_on_the_subscription(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    sink = Sink()
    rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), sink, rig.now)
    rig.deliver(ErrMsg(req_id=9, error_code=10167, error_string="delayed data"))
    assert not sink.ended
    assert [w.error_code for w in rig.session.subscription_warnings(9)] == [10167]


def test_cancel_stops_the_stream(server_version: int) -> None:
    """Pain point 13: after a cancel nothing more reaches the subscription."""
    rig = Rig(version=server_version)
    rig.ready()
    sink = Sink()
    rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), sink, rig.now)
    rig.deliver(TickPrice(req_id=9, tick_type=1, price=1.0))
    rig.session.unsubscribe(9, rig.now)
    rig.flush()
    assert CancelMktData(req_id=9) in rig.take()
    rig.deliver(TickPrice(req_id=9, tick_type=1, price=2.0))  # in flight
    assert [m.price for m in sink.items] == [1.0]  # type: ignore[attr-defined]
    assert sink.ended == [None]


def test_a_stale_subscription_cancels_nothing_of_a_newer_one_with_its_key(
    server_version: int,
) -> None:
    """An id-less stream (account updates) has one key: an old subscription's
    second cancel must not stop the one opened after it."""
    rig = Rig(version=server_version)
    rig.ready()
    request = ReqAcctData(subscribe=True, acct_code="DU111")
    first, second = Sink(), Sink()
    key = rig.session.subscribe(request, first, rig.now)
    rig.session.unsubscribe(key, rig.now, first)
    rig.session.subscribe(request, second, rig.now)
    rig.flush()
    rig.take()
    rig.session.unsubscribe(key, rig.now, first)  # the first, again (its ``with`` exit)
    rig.flush()
    assert rig.take() == []
    assert second.ended == [] and rig.session.live_subscriptions == [request]
    rig.session.unsubscribe(key, rig.now, second)
    rig.flush()
    assert rig.take() == [ReqAcctData(subscribe=False, acct_code="DU111")]
    assert second.ended == [None] and first.ended == [None]


def test_snapshot_stream_ends_on_snapshot_end(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    sink = Sink()
    rig.session.subscribe(
        ReqMktData(req_id=9, contract=AAPL, snapshot=True),
        sink,
        rig.now,
        ends=frozenset({TickSnapshotEnd}),
    )
    rig.deliver(TickPrice(req_id=9, tick_type=1, price=1.0), TickSnapshotEnd(req_id=9))
    assert sink.ended == [None]
    assert len(sink.items) == 2


def test_malformed_message_is_reported_and_stream_goes_on(server_version: int) -> None:
    """Pain point 9: a bad frame is an event; the next one is decoded."""
    rig = Rig(version=server_version)
    rig.ready()
    sink = Sink()
    rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), sink, rig.now)
    body = b"6\x009\x00one\x00"  # TICK_PRICE cut short, bad tick type
    # Its id a text field up to 200, a raw 4-byte integer from 201.
    rig.deliver_raw((b"1\x00" if server_version < 201 else (1).to_bytes(4, "big")) + body)
    rig.deliver(TickPrice(req_id=9, tick_type=1, price=3.0))
    (bad,) = rig.events(MalformedMessage)
    assert bad.msg_id == 1  # type: ignore[attr-defined]
    assert [m.price for m in sink.items] == [3.0]  # type: ignore[attr-defined]


def test_a_subscription_held_at_a_drop_is_kept_and_sent_once_after_reconnect(server_version: int) -> None:
    pacer = HoldingPacer()
    rig = Rig(version=server_version, pacing=pacer, reconnect=POLICY)
    rig.ready()
    pacer.hold = True
    sink = Sink()
    rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), sink, rig.now)
    rig.drop()
    assert sink.ended == [] and not_sent(rig) == []
    pacer.hold = False
    reconnect(rig)
    assert [m for m in rig.take() if isinstance(m, ReqMktData)] == [
        ReqMktData(req_id=9, contract=AAPL)
    ]


def test_a_stream_an_older_server_cannot_carry_ends_and_the_others_are_sent_again() -> None:
    # After a reconnect to an older TWS (tick-by-tick needs server 137).
    rig = Rig(version=176, reconnect=POLICY)
    rig.ready()
    ticks, quotes = Sink(), Sink()
    by_tick = ReqTickByTickData(req_id=8, contract=AAPL, tick_type="Last")
    rig.session.subscribe(by_tick, ticks, rig.now)
    rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), quotes, rig.now)
    rig.take()
    rig.drop()
    rig.version = 130
    reconnect(rig)
    assert rig.session.server_version == 130
    sent = rig.take()
    assert ReqMktData(req_id=9, contract=AAPL) in sent
    assert not any(isinstance(m, ReqTickByTickData) for m in sent)
    (error,) = ticks.ended
    assert isinstance(error, UnsupportedByServerError)
    assert quotes.ended == []
    assert rig.session.live_subscriptions == [ReqMktData(req_id=9, contract=AAPL)]
    assert not rig.events(MalformedMessage)
