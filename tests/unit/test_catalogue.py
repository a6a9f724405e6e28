"""The catalogue is complete: every text-protocol id has a class, a decoder and an encoder."""

from __future__ import annotations

import dataclasses

import pytest

from ibwire.codec import INCOMING, OUTGOING, decoder_for, encoder_for
from ibwire.ids import IncomingId, OutgoingId
from ibwire.messages import Message

#: Ids that exist only as protobuf messages (server versions above 200).
PROTOBUF_ONLY_IN = {IncomingId.CONFIG_RESPONSE, IncomingId.UPDATE_CONFIG_RESPONSE}
PROTOBUF_ONLY_OUT = {
    OutgoingId.CANCEL_CONTRACT_DATA,
    OutgoingId.CANCEL_HISTORICAL_TICKS,
    OutgoingId.REQ_CONFIG,
    OutgoingId.UPDATE_CONFIG,
}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


@pytest.mark.parametrize("msg_id", [i for i in IncomingId if i not in PROTOBUF_ONLY_IN], ids=str)
def test_every_incoming_id_has_a_class(msg_id: IncomingId) -> None:
    cls = INCOMING.get(msg_id)
    assert cls is not None, f"no class for {msg_id.name}"
    assert cls.__name__.lower() == _camel(msg_id.name).lower()
    for version in (100, 157, 176, 200):
        if version < cls.MIN_VERSION:
            continue
        assert callable(decoder_for(cls, version))
        assert callable(encoder_for(cls, version, server=True))


@pytest.mark.parametrize("msg_id", [i for i in OutgoingId if i not in PROTOBUF_ONLY_OUT], ids=str)
def test_every_outgoing_id_has_a_class(msg_id: OutgoingId) -> None:
    cls = OUTGOING.get(msg_id)
    assert cls is not None, f"no class for {msg_id.name}"
    assert cls.__name__.lower() == _camel(msg_id.name).lower()
    for version in (100, 157, 176, 200):
        assert callable(encoder_for(cls, version))
        if version >= cls.MIN_VERSION:
            assert callable(decoder_for(cls, version))


@pytest.mark.parametrize(
    "cls", sorted({*INCOMING.values(), *OUTGOING.values()}, key=lambda c: c.__name__), ids=lambda c: c.__name__
)
def test_message_classes_follow_the_house_rules(cls: type[Message]) -> None:
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    assert params.frozen
    assert "__slots__" in cls.__dict__
    assert all(f.kw_only for f in dataclasses.fields(cls))
    assert cls.__doc__ and cls.__name__ != "Message"
