"""The Wrapper base class and the client events it receives."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from ibwire.dispatch import CALLBACKS
from ibwire.messages import ErrMsg
from ibwire.wrapper import Connectivity, Reconnected, Reconnecting, Wrapper


def _callbacks() -> list[str]:
    return sorted(set(CALLBACKS.values()))


@pytest.mark.parametrize("name", _callbacks())
def test_every_callback_is_documented_and_does_nothing(name: str) -> None:
    method = getattr(Wrapper, name)
    doc = inspect.getdoc(method) or ""
    assert doc, f"Wrapper.{name} has no docstring"
    parameters = list(inspect.signature(method).parameters)
    if name == "connection_closed":
        assert parameters == ["self"]
        Wrapper().connection_closed()
    else:
        assert len(parameters) == 2
        method(Wrapper(), object())


def test_message_callbacks_name_the_official_callback() -> None:
    for cls, name in CALLBACKS.items():
        if cls.__module__.startswith("ibwire.messages"):
            doc = inspect.getdoc(getattr(Wrapper, name)) or ""
            assert doc.startswith("EWrapper ``"), name
            assert cls.__name__ in doc, name


def test_client_events_are_frozen() -> None:
    error = ErrMsg(req_id=-1, error_code=1101, error_string="restored, data lost")
    event = Connectivity(
        code=1101,
        message=error.error_string,
        is_connected=True,
        data_lost=True,
        farm="",
        error=error,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.code = 1  # type: ignore[misc]
    assert Reconnecting(attempt=1, delay=0.5, reason="eof").attempt == 1
    done = Reconnected(attempts=2, server_version=200, next_order_id=7, resubscribed=3)
    assert done.resubscribed == 3


def test_a_subclass_overrides_only_what_it_needs() -> None:
    class Counting(Wrapper):
        def __init__(self) -> None:
            self.errors = 0

        def error(self, message: ErrMsg) -> None:
            self.errors += 1

    wrapper = Counting()
    wrapper.error(ErrMsg(req_id=1, error_code=200, error_string="x"))
    wrapper.tick_price(object())  # type: ignore[arg-type]
    assert wrapper.errors == 1


@pytest.mark.parametrize(
    ("name", "callback"),
    [
        ("tickPrice", "tick_price"),  # the official EWrapper name
        ("orderStatusProtoBuf", "order_status"),  # its protobuf form (ibapi 10.51)
        ("tickByTickBidAsk", "tick_by_tick"),  # one of the official three for one message
        ("connectionClosed", "connection_closed"),
        ("TickPrice", "tick_price"),
        ("real_time_bar", "realtime_bar"),
    ],
)
def test_a_callback_spelled_another_way_is_named_when_the_class_is_made(
    name: str, callback: str
) -> None:
    with pytest.warns(UserWarning, match=f"Mine.{name} is never called: the Wrapper callback is {callback} "):
        type("Mine", (Wrapper,), {name: lambda self, message: None})


def test_callbacks_and_other_methods_of_a_subclass_are_not_warned_about(
    recwarn: pytest.WarningsRecorder,
) -> None:
    class Mine(Wrapper):
        limit = 3

        def tick_price(self, message: object) -> None: ...

        def error(self, message: ErrMsg) -> None: ...

        def on_bar(self, message: object) -> None: ...

        def _tickPrice(self) -> None: ...

        async def on_bar_later(self, message: object) -> None: ...

    class Child(Mine):
        def tick_price(self, message: object) -> None: ...

    assert not recwarn.list


def test_a_callback_defined_with_async_def_is_named_when_the_class_is_made() -> None:
    # The dispatcher calls callbacks and does not await them: the body never runs.
    with pytest.warns(UserWarning, match="Mine.tick_price is a coroutine function"):

        class Mine(Wrapper):
            async def tick_price(self, message: object) -> None: ...
