"""The dispatch tables and the policy for exceptions raised in callbacks."""

from __future__ import annotations

import logging
import re
from decimal import Decimal

import pytest

from ibwire import _requests, _requests_gen
from ibwire.codec import INCOMING, OUTGOING
from ibwire.dispatch import (
    CALLBACK_NAMES,
    CALLBACKS,
    REQUEST_METHOD_NAMES,
    REQUEST_METHODS,
    Dispatcher,
    callback_name,
    dispatch,
)
from ibwire.events import ConnectionClosed, UnknownMessage
from ibwire.ids import IncomingId, OutgoingId
from ibwire.messages import ErrMsg, StartApi, TickPrice, TickSize
from ibwire.pacing import Rule, ThrottlingStarted
from ibwire.wrapper import Wrapper

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def test_every_incoming_id_has_a_callback_name() -> None:
    # The text protocol's ids (1..109) and the protobuf-only ones (110, 111).
    assert set(CALLBACK_NAMES) == set(IncomingId)
    assert all(_SNAKE.match(name) for name in CALLBACK_NAMES.values())


def test_every_registered_incoming_class_has_a_wrapper_method() -> None:
    for msg_id, cls in INCOMING.items():
        name = CALLBACKS[cls]
        assert name == CALLBACK_NAMES[IncomingId(msg_id)]
        assert callable(getattr(Wrapper, name, None)), f"Wrapper.{name} missing for {cls.__name__}"


def test_every_outgoing_class_has_a_client_method() -> None:
    for msg_id, cls in OUTGOING.items():
        if cls is StartApi:
            assert cls not in REQUEST_METHODS
            continue
        name = REQUEST_METHODS[cls]
        assert name == REQUEST_METHOD_NAMES[OutgoingId(msg_id)]
        assert callable(getattr(_requests.RequestMethods, name, None)), name


def test_generated_request_methods_are_up_to_date() -> None:
    """Regenerate with ``python -m ibwire._requests_gen`` when this fails."""
    with open(_requests.__file__, encoding="utf-8") as handle:
        assert handle.read() == _requests_gen.generate()


def test_official_names_are_kept() -> None:
    assert CALLBACK_NAMES[IncomingId.CONTRACT_DATA] == "contract_details"
    assert CALLBACK_NAMES[IncomingId.ERR_MSG] == "error"
    assert CALLBACK_NAMES[IncomingId.ACCT_VALUE] == "update_account_value"
    assert CALLBACK_NAMES[IncomingId.POSITION_DATA] == "position"
    assert REQUEST_METHOD_NAMES[OutgoingId.REQ_ACCT_DATA] == "req_account_updates"
    assert REQUEST_METHOD_NAMES[OutgoingId.REQ_CONTRACT_DATA] == "req_contract_details"


class Recorder(Wrapper):
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def tick_price(self, message: TickPrice) -> None:
        self.calls.append(("tick_price", message))
        if message.price < 0:
            raise ValueError("negative price")

    def connection_closed(self) -> None:
        self.calls.append(("connection_closed", None))

    def unknown_message(self, event: UnknownMessage) -> None:
        self.calls.append(("unknown_message", event))

    def pacing(self, event: object) -> None:
        self.calls.append(("pacing", event))


def test_dispatch_calls_the_named_method() -> None:
    wrapper = Recorder()
    tick = TickPrice(req_id=1, tick_type=1, price=2.0)
    dispatch(tick, wrapper)
    unknown = UnknownMessage(msg_id=999, fields=("999",))
    dispatch(unknown, wrapper)
    dispatch(ConnectionClosed(handshake_done=True, messages_received=3), wrapper)
    throttled = ThrottlingStarted(1.0, Rule.GLOBAL_RATE, 3)
    dispatch(throttled, wrapper)
    assert wrapper.calls == [
        ("tick_price", tick),
        ("unknown_message", unknown),
        ("connection_closed", None),
        ("pacing", throttled),
    ]
    assert callback_name(object()) is None
    dispatch(object(), wrapper)  # nothing to call: ignored


@pytest.mark.parametrize("use_class", [False, True])
def test_callback_exception_is_logged_and_the_stream_goes_on(
    use_class: bool, caplog: pytest.LogCaptureFixture
) -> None:
    wrapper = Recorder()
    seen: list[tuple[Exception, object]] = []

    def hook(exc: Exception, event: object) -> None:
        seen.append((exc, event))

    def one_by_one(events: list[object]) -> None:
        for event in events:
            dispatch(event, wrapper, hook)

    deliver = Dispatcher(wrapper, hook).dispatch_all if use_class else one_by_one
    bad = TickPrice(req_id=1, tick_type=1, price=-1.0)
    good = TickPrice(req_id=1, tick_type=1, price=1.0)
    with caplog.at_level(logging.ERROR, logger="ibwire"):
        deliver([bad, good])
    assert [m for _, m in wrapper.calls] == [bad, good]
    (record,) = caplog.records
    assert record.name == "ibwire" and "Wrapper.tick_price raised ValueError" in record.getMessage()
    assert "price=-1.0" in record.getMessage()
    assert record.exc_info is not None
    assert len(seen) == 1 and isinstance(seen[0][0], ValueError) and seen[0][1] is bad


@pytest.mark.parametrize("use_class", [False, True])
def test_a_receiver_without_the_callback_is_told_in_the_log_not_raised_into(
    use_class: bool, caplog: pytest.LogCaptureFixture
) -> None:
    class Partial:  # duck-typed, not a Wrapper subclass
        def __init__(self) -> None:
            self.sizes: list[object] = []

        def tick_size(self, message: object) -> None:
            self.sizes.append(message)

    receiver = Partial()
    tick = TickPrice(req_id=1, tick_type=1, price=2.0)
    size = TickSize(req_id=1, tick_type=0, size=Decimal(3))
    with caplog.at_level(logging.WARNING, logger="ibwire"):
        if use_class:
            Dispatcher(receiver).dispatch_all([tick, size, tick])  # type: ignore[arg-type]
        else:
            dispatch(tick, receiver)  # type: ignore[arg-type]
            dispatch(size, receiver)  # type: ignore[arg-type]
    assert receiver.sizes == [size]
    assert "Partial has no method tick_price" in caplog.text
    if use_class:
        assert caplog.text.count("has no method") == 1  # once per kind


def test_a_failing_hook_is_logged_too(caplog: pytest.LogCaptureFixture) -> None:
    def hook(exc: Exception, event: object) -> None:
        raise RuntimeError("hook broke")

    dispatcher = Dispatcher(Recorder(), hook)
    with caplog.at_level(logging.ERROR, logger="ibwire"):
        dispatcher(TickPrice(req_id=1, tick_type=1, price=-1.0))
    assert len(caplog.records) == 2
    assert "hook" in caplog.records[1].getMessage()


def test_keyboard_interrupt_passes_through() -> None:
    class Interrupting(Wrapper):
        def error(self, message: ErrMsg) -> None:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Dispatcher(Interrupting())(ErrMsg(req_id=1, error_code=200, error_string="x"))
