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
