"""Every registered message round-trips at every version band boundary it has."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ibwire.codec import INCOMING, OUTGOING, Codec
from ibwire.errors import LocalProtocolError
from ibwire.messages import Message

from ..strategies import builds, versions_for

# Text-form classes; the protobuf-only ones (server 215+) round-trip in
# tests/unit/test_protobuf_*.py.
CLASSES = sorted(
    (cls for cls in {*INCOMING.values(), *OUTGOING.values()} if cls.MIN_VERSION <= 200),
    key=lambda c: (c.__module__, c.__name__),
)


def sides(cls: type[Message], version: int) -> tuple[Codec, Codec]:
    """(encoding side, decoding side) for the class's direction."""
    client, server = Codec(version), Codec(version, server=True)
    if INCOMING.get(cls.MSG_ID) is cls:
        return server, client
    return client, server


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_wire_roundtrip(cls: type[Message], data: st.DataObject) -> None:
    version = data.draw(st.sampled_from(versions_for(cls)), label="version")
    message = data.draw(builds(cls), label="message")
    encoder, decoder = sides(cls, version)
    try:
        fields = encoder.encode(message)
    except LocalProtocolError:
        assume(False)
        raise AssertionError from None
    decoded = decoder.decode(list(fields))
    # The wire is a fixed point: what decodes re-encodes to the same fields.
    assert encoder.encode(decoded) == fields
    # And decoding that again gives an equal object.
    assert decoder.decode(list(fields)) == decoded


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_fast_path_objects_equal_init_objects(cls: type[Message], data: st.DataObject) -> None:
    """Decoded objects skip ``__init__``; they must equal ones built through it."""
    version = data.draw(st.sampled_from(versions_for(cls)), label="version")
    message = data.draw(builds(cls), label="message")
    encoder, decoder = sides(cls, version)
    try:
        fields = encoder.encode(message)
    except LocalProtocolError:
        assume(False)
        raise AssertionError from None
    decoded = decoder.decode(list(fields))
    names = [f.name for f in dataclasses.fields(decoded)]
    rebuilt = type(decoded)(**{name: getattr(decoded, name) for name in names})
    assert rebuilt == decoded
    assert repr(rebuilt) == repr(decoded)
