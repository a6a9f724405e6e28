"""Messages built by the hot path equal messages built by users, for every class.

The protocol's decode loop splits a payload into bytes fields and hands them to
the *raw* decoders, which read numbers from the bytes and build every object
through its record builder class (no ``__init__``).  Users build the same classes
by keyword.  For every registered class, at the versions where its layout
changes, both ways must give equal, equally typed, frozen, hashable, picklable
objects, and the raw decoder must agree with the text decoder of the slow path.
"""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ibwire.codec import decoder_for
from ibwire.errors import LocalProtocolError
from ibwire.messages import Message

from ..strategies import builds, versions_for
from .test_roundtrip import CLASSES, sides


def rebuild(value: Any) -> Any:
    """``value`` built again through the public constructors, nested objects included."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kwargs = {f.name: rebuild(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return type(value)(**kwargs)
    if isinstance(value, tuple):
        return tuple(rebuild(item) for item in value)
    return value


def objects_in(value: Any) -> list[Any]:
    """Every record object inside ``value``, ``value`` first."""
    found: list[Any] = []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found.append(value)
        for f in dataclasses.fields(value):
            found.extend(objects_in(getattr(value, f.name)))
    elif isinstance(value, tuple):
        for item in value:
            found.extend(objects_in(item))
    return found


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_decoder_built_messages_equal_user_built_ones(cls: type[Message], data: st.DataObject) -> None:
    version = data.draw(st.sampled_from(versions_for(cls)), label="version")
    message = data.draw(builds(cls), label="message")
    encoder, decoder = sides(cls, version)
    try:
        fields = encoder.encode(message)
    except LocalProtocolError:
        assume(False)
        raise AssertionError from None
    payload = "\0".join(fields).encode("utf-8")
    fast = decoder_for(cls, version, raw=True)(payload.split(b"\0"))
    slow = decoder.decode(list(fields))
    user = rebuild(fast)

    assert type(fast) is cls
    assert fast == slow == user
    assert user == fast  # both directions of __eq__
    assert repr(fast) == repr(user)
    assert hash(fast) == hash(user)
    assert pickle.loads(pickle.dumps(fast)) == user
    for obj in objects_in(fast):
        # No object is left as its writable builder class.
        assert type(obj).__setattr__ is not object.__setattr__
        for f in dataclasses.fields(obj)[:1]:
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(obj, f.name, getattr(obj, f.name))
    # The user-built message encodes to the same fields.
    assert encoder.encode(user) == fields


def test_rebuild_goes_through_the_constructors() -> None:
    """The helper above cannot pass a decoded object through unchanged."""
    from ibwire.messages import Contract, ContractDetails

    details = ContractDetails(contract=Contract(symbol="X"))
    copy = rebuild(details)
    assert copy == details
    assert copy is not details and copy.contract is not details.contract
