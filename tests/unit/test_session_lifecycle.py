"""The session's lifecycle: connecting, the heartbeat, losses, reconnects, actions."""

from __future__ import annotations

import random

import pytest

from ibwire._session import (
    Phase,
    ReconnectPolicy,
    Session,
)
from ibwire.errorcodes import CodeTable, Severity
from ibwire.errors import (
    ClientIdInUseError,
    ConnectionClosedError,
    HandshakeError,
    LocalProtocolError,
    RemoteProtocolError,
    RequestTimeoutError,
)
from ibwire.events import ConnectAck, ConnectionClosed
from ibwire.messages import (
    CurrentTime,
    ErrMsg,
    ManagedAccts,
    Message,
    NextValidId,
    Order,
    PlaceOrder,
    ReqCurrentTime,
    ReqMktData,
)
from ibwire.pacing import Pacer, PacingConfig
from ibwire.protocol import ServerProtocol
from ibwire.wrapper import Reconnected, Reconnecting

from .session_rig import AAPL, Rig, Sink


def test_ready_needs_next_valid_id_and_managed_accounts(server_version: int) -> None:
    rig = Rig(version=server_version)
    waiter = rig.session.start(rig.now)
    rig.open()
    assert rig.session.phase is Phase.STARTING
    assert rig.events(ConnectAck)
    rig.deliver(NextValidId(order_id=5))
    assert not waiter.done and rig.session.phase is Phase.STARTING
    rig.deliver(ManagedAccts(accounts_list="DU1,DU2,"))
    assert waiter.done
    assert rig.session.accounts == ("DU1", "DU2")
    assert rig.session.order_ids.peek() == 5


def test_requests_before_ready_are_refused(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.session.start(rig.now)
    rig.open()
    with pytest.raises(ConnectionClosedError, match="not connected"):
        rig.session.submit(ReqCurrentTime(), rig.now)


def test_connect_timeout(server_version: int) -> None:
    rig = Rig(version=server_version, connect_timeout=5.0)
    waiter = rig.session.start(rig.now)
    rig.open()
    rig.deliver(NextValidId(order_id=1))
    assert rig.session.next_deadline() == pytest.approx(rig.now + 5.0)
    rig.advance(4.9)
    assert not waiter.done
    rig.advance(0.2)
    with pytest.raises(RequestTimeoutError, match="client id 7"):
        waiter.result()
    assert rig.session.phase is Phase.DISCONNECTED
    assert rig.server is None  # the socket was closed


def test_error_326_is_client_id_in_use(server_version: int) -> None:
    """Pain point 3: 326 becomes ClientIdInUseError naming the id."""
    rig = Rig(version=server_version)
    waiter = rig.session.start(rig.now)
    rig.open()
    rig.deliver(
        ErrMsg(
            req_id=-1,
            error_code=326,
            error_string="Unable to connect as the client id is already in use.",
        )
    )
    with pytest.raises(ClientIdInUseError, match="client id 7") as info:
        waiter.result()
    assert info.value.client_id == 7
    assert rig.session.wants_close
    assert rig.events(ConnectionClosed)


def test_eof_right_after_start_api_is_client_id_in_use(server_version: int) -> None:
    """Pain point 3: TWS often just closes after startApi."""
    rig = Rig(version=server_version)
    waiter = rig.session.start(rig.now)
    rig.open()
    rig.drop()
    with pytest.raises(ClientIdInUseError):
        waiter.result()
    assert len(rig.events(ConnectionClosed)) == 1


def test_eof_during_handshake_is_connection_closed(server_version: int) -> None:
    rig = Rig(version=server_version)
    waiter = rig.session.start(rig.now)
    rig.session.transport_opened(rig.now)
    rig.session.receive_eof(rig.now)
    with pytest.raises(ConnectionClosedError) as info:
        waiter.result()
    assert not isinstance(info.value, ClientIdInUseError)


def test_transport_failure_fails_connect(server_version: int) -> None:
    rig = Rig(version=server_version)
    waiter = rig.session.start(rig.now)
    rig.session.transport_failed(ConnectionRefusedError("refused"), rig.now)
    with pytest.raises(ConnectionClosedError, match="refused"):
        waiter.result()
    assert rig.session.phase is Phase.DISCONNECTED


def test_connect_twice_is_refused(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    with pytest.raises(LocalProtocolError):
        rig.session.start(rig.now)


def test_heartbeat_probes_then_declares_dead(server_version: int) -> None:
    rig = Rig(version=server_version, heartbeat_interval=30.0, heartbeat_timeout=10.0)
    rig.ready()
    rig.advance(29.0)
    assert rig.take() == []
    rig.advance(1.0)
    assert rig.take() == [ReqCurrentTime()]
    rig.advance(9.0)
    assert rig.session.is_ready
    rig.advance(1.0)
    assert rig.session.phase is Phase.DISCONNECTED
    assert len(rig.events(ConnectionClosed)) == 1


def test_heartbeat_answered_keeps_connection(server_version: int) -> None:
    rig = Rig(version=server_version, heartbeat_interval=30.0, heartbeat_timeout=10.0)
    rig.ready()
    rig.advance(30.0)
    assert rig.take() == [ReqCurrentTime()]
    rig.advance(5.0)
    rig.deliver(CurrentTime(time=1))
    rig.advance(20.0)
    assert rig.session.is_ready and rig.take() == []
    assert rig.session.next_deadline() == pytest.approx(rig.now + 10.0)


def test_backoff_is_exponential_with_seeded_jitter() -> None:
    policy = ReconnectPolicy(initial_delay=1.0, max_delay=10.0, multiplier=2.0, jitter=0.5)
    a = [policy.delay(n, random.Random(3)) for n in range(1, 7)]
    b = [policy.delay(n, random.Random(3)) for n in range(1, 7)]
    assert a == b
    for n, delay in enumerate(a, start=1):
        base = min(10.0, 2.0 ** (n - 1))
        assert base * 0.5 <= delay <= base
    with pytest.raises(ValueError):
        ReconnectPolicy(jitter=1.0)
    with pytest.raises(ValueError):
        ReconnectPolicy(stable_after=-1.0)


def test_reconnect_waits_for_the_old_socket_to_close(server_version: int) -> None:
    """Pain point 4: the reconnect timer starts only after the old socket is closed."""
    rig = Rig(version=server_version, reconnect=ReconnectPolicy(initial_delay=2.0, jitter=0.0))
    rig.ready()
    rig.session.receive_eof(rig.now)
    rig.collect()
    assert rig.session.wants_close
    assert rig.session.phase is Phase.WAITING
    assert rig.session.next_deadline() is None  # nothing scheduled yet
    rig.advance(100.0)
    assert rig.connections == 1
    rig.close_if_asked()
    (event,) = rig.events(Reconnecting)
    assert isinstance(event, Reconnecting) and event.delay == 2.0 and event.attempt == 1
    assert rig.session.next_deadline() == rig.now + 2.0
    rig.advance(2.0)
    assert rig.connections == 2


def test_failed_attempts_back_off(server_version: int) -> None:
    rig = Rig(version=server_version, reconnect=ReconnectPolicy(initial_delay=1.0, multiplier=2.0, jitter=0.0))
    rig.ready()
    rig.drop()
    delays = []
    for _ in range(4):
        delays.append(rig.session.next_deadline() - rig.now)  # type: ignore[operator]
        rig.now = rig.session.next_deadline()  # type: ignore[assignment]
        rig.session.on_timer(rig.now)
        assert rig.session.wants_connect
        rig.session.transport_failed(ConnectionRefusedError("refused"), rig.now)
        rig.collect()
    assert delays == [1.0, 2.0, 4.0, 8.0]
    assert [e.attempt for e in rig.events(Reconnecting)] == [1, 2, 3, 4, 5]  # type: ignore[attr-defined]


def test_a_gateway_that_drops_right_after_ready_gets_a_growing_backoff(server_version: int) -> None:
    """Each reconnect succeeds, then the gateway drops the client at once: the waits
    grow as for failed attempts, and start again from the first after a stable connection."""
    policy = ReconnectPolicy(initial_delay=1.0, multiplier=2.0, jitter=0.0, stable_after=60.0)
    rig = Rig(version=server_version, reconnect=policy)
    rig.ready()

    def flap() -> float:
        rig.drop()
        delay = rig.session.next_deadline() - rig.now  # type: ignore[operator]
        rig.advance(delay)
        rig.deliver(ManagedAccts(accounts_list="DU1"), NextValidId(order_id=1))
        assert rig.session.is_ready
        return delay

    assert [flap() for _ in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert [e.attempts for e in rig.events(Reconnected)] == [1, 1, 1, 1]  # type: ignore[attr-defined]
    rig.advance(60.0)  # stable: the next loss starts again from the first wait
    assert flap() == 1.0


def test_client_id_in_use_on_reconnect_backs_off(server_version: int) -> None:
    """Pain points 3/4: a refused id during reconnect is retried later, not in a loop."""
    rig = Rig(version=server_version, reconnect=ReconnectPolicy(initial_delay=1.0, jitter=0.0))
    rig.ready()
    rig.drop()
    rig.advance(1.0)
    assert rig.connections == 2
    rig.deliver(ErrMsg(req_id=-1, error_code=326, error_string="client id in use"))
    rig.close_if_asked()
    reconnecting = rig.events(Reconnecting)
    assert [e.delay for e in reconnecting] == [1.0, 2.0]  # type: ignore[attr-defined]
    assert "client id 7" in reconnecting[-1].reason  # type: ignore[attr-defined]


def test_give_up_after_max_attempts(server_version: int) -> None:
    rig = Rig(version=server_version, reconnect=ReconnectPolicy(initial_delay=1.0, jitter=0.0, max_attempts=1))
    rig.ready()
    sink = Sink()
    rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), sink, rig.now)
    rig.drop()
    rig.now += 1.0
    rig.session.on_timer(rig.now)
    assert rig.session.wants_connect
    rig.session.transport_failed(OSError("down"), rig.now)
    assert rig.session.phase is Phase.DISCONNECTED
    assert isinstance(sink.ended[0], ConnectionClosedError)


def test_fifty_restarts_never_repeat_an_order_id(server_version: int) -> None:
    """Pain point 8 over 50 gateway restarts, whatever nextValidId says."""
    rig = Rig(version=server_version, reconnect=ReconnectPolicy(initial_delay=0.5, jitter=0.5))
    rig.ready(next_valid_id=1)
    used: list[int] = []
    gateway_next = 1
    for cycle in range(50):
        for _ in range(3):
            order_id = rig.session.new_order_id()
            used.append(order_id)
            rig.submit(PlaceOrder(order_id=order_id, contract=AAPL, order=Order(action="BUY")))
        rig.drop()
        rig.advance(rig.session.next_deadline() - rig.now)  # type: ignore[operator]
        # Some restarts forget (lower id), some jump ahead.
        gateway_next = max(used) + 5 if cycle % 3 == 0 else 1
        rig.deliver(ManagedAccts(accounts_list="DU1"), NextValidId(order_id=gateway_next))
        assert rig.session.is_ready
    assert len(used) == len(set(used)) == 150
    assert used == sorted(used)
    assert len(rig.events(Reconnected)) == 50


def test_close_ends_everything_once(server_version: int) -> None:
    rig = Rig(version=server_version, reconnect=ReconnectPolicy())
    rig.ready()
    sink = Sink()
    rig.session.subscribe(ReqMktData(req_id=9, contract=AAPL), sink, rig.now)
    pending = rig.session.current_time(rig.now, 10.0)
    rig.session.close(rig.now)
    rig.collect()
    assert rig.session.wants_close and rig.session.phase is Phase.CLOSED
    assert sink.ended == [None]
    with pytest.raises(ConnectionClosedError):
        pending.result()
    assert len(rig.events(ConnectionClosed)) == 1
    rig.close_if_asked()
    assert rig.session.next_deadline() is None


@pytest.mark.parametrize("opened", [False, True], ids=["connecting", "handshake"])
def test_close_before_ready_fails_the_connect_waiter(server_version: int, opened: bool) -> None:
    rig = Rig(version=server_version)
    waiter = rig.session.start(rig.now)
    if opened:
        rig.open()
    rig.session.close(rig.now)
    assert waiter.done
    with pytest.raises(ConnectionClosedError, match="the client disconnected"):
        waiter.result()
    assert rig.session.phase is Phase.CLOSED


def test_the_front_end_takes_actions_in_order(server_version: int) -> None:
    from ibwire._session_types import Close, Connect

    rig = Rig(version=server_version, reconnect=ReconnectPolicy(initial_delay=1.0, jitter=0.0))
    rig.ready()
    assert rig.session.actions() == []
    rig.session.receive_eof(rig.now)
    assert rig.session.actions() == [Close()]
    assert rig.session.actions() == []  # taken once
    rig.session.transport_closed(rig.now)
    rig.now += 1.0
    rig.session.on_timer(rig.now)
    assert rig.session.wants_connect
    assert rig.session.actions() == [Connect()]
    # A close while connecting asks to close whatever the front end opened.
    rig.session.close(rig.now)
    assert rig.session.actions() == [Close()]


def test_an_oversize_frame_closes_with_connection_closed(server_version: int) -> None:
    rig = Rig(version=server_version)
    rig.ready()
    rig.session.receive_data(b"\x7f\xff\xff\xff", rig.now)
    rig.collect()
    assert len(rig.events(ConnectionClosed)) == 1
    assert not rig.session.is_ready


def test_a_bad_server_version_closes_with_connection_closed(server_version: int) -> None:
    rig = Rig(version=server_version)
    waiter = rig.session.start(rig.now)
    rig.server = ServerProtocol()
    rig.session.transport_opened(rig.now)
    rig.session.data_to_send()
    # The server answers the hello with a version below the client's range.
    rig.session.receive_data(b"\x00\x00\x00\x0a5\x0020260101\x00", rig.now)
    rig.collect()
    assert len(rig.events(ConnectionClosed)) == 1
    assert isinstance(waiter.error, RemoteProtocolError | HandshakeError)


# ---------------------------------------------------------------------- the pacer


def one_per_second() -> PacingConfig:
    """A cap of one message per second at the receiver, no jitter: startApi fills it."""
    return PacingConfig(max_messages_per_second=1, rate_safety_margin=0, arrival_jitter=0.0)


def test_start_api_is_counted_by_the_pacer(server_version: int) -> None:
    rig = Rig(version=server_version, pacing=one_per_second())
    rig.ready()
    # startApi went out at rig.now: the second's one message is spent.
    assert rig.session.pacer.connect_slot(rig.now) == rig.now + 1.0
    assert rig.session.pacer.server_version == rig.version


def test_a_reconnect_waits_for_the_pacers_connect_slot(server_version: int) -> None:
    rig = Rig(version=server_version, pacing=one_per_second(), reconnect=ReconnectPolicy(initial_delay=0.1, jitter=0.0))
    rig.ready()
    started = rig.now
    rig.drop()
    (event,) = rig.events(Reconnecting)
    assert isinstance(event, Reconnecting) and event.delay == pytest.approx(1.0)
    rig.advance(0.5)
    assert rig.connections == 1  # the policy's 0.1 s is over; the cap's second is not
    rig.advance(0.5)
    assert rig.connections == 2 and rig.now == started + 1.0


def test_the_session_and_its_pacer_read_one_code_table() -> None:
    table = CodeTable({2104: Severity.WARNING})
    assert Session(1, code_table=table).pacer.code_table is table
    # A pacer the user made: the session's table is given to it ...
    pacer: Pacer[Message] = Pacer()
    session = Session(1, pacing=pacer, code_table=table)
    assert session.pacer is pacer and pacer.code_table is table
    # ... or, when the session is given none, the pacer's own is the session's.
    own: Pacer[Message] = Pacer(code_table=table)
    assert Session(1, pacing=own).code_table is table
    # A later change reaches both.
    other = CodeTable({399: Severity.INFO})
    session.code_table = other
    assert pacer.code_table is other


def test_the_session_knows_the_login_zone_the_handshake_names(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from zoneinfo import ZoneInfo

    rig = Rig()
    assert rig.session.time_zone is None  # no handshake yet
    rig.connection_time = "20240324 21:18:59 China Standard Time"
    with caplog.at_level("WARNING", logger="ibwire"):
        rig.ready()
    assert rig.session.time_zone == ZoneInfo("Asia/Shanghai")
    assert not [r for r in caplog.records if "time zone" in r.getMessage()]
    # A name of several zones (US Central or China) is not guessed, and that is said.
    rig = Rig()
    rig.connection_time = "20240324 21:18:59 CST"
    with caplog.at_level("INFO", logger="ibwire"):
        rig.ready()
    assert rig.session.time_zone is None
    (record,) = [r for r in caplog.records if "time zone" in r.getMessage()]
    assert "'20240324 21:18:59 CST'" in record.getMessage() and "UTC" in record.getMessage()
    # Said once, at INFO: most programs never meet a time without a zone.
    assert record.levelname == "INFO"
