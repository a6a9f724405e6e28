"""The catalogue of protobuf ids against the registered forms: every id it lists
has a form that reads (incoming) or writes (outgoing) that protobuf message."""

from __future__ import annotations

from ibwire.messages import INCOMING as INCOMING_CLASSES
from ibwire.messages import OUTGOING as OUTGOING_CLASSES
from ibwire.protobuf import forms
from ibwire.protobuf.catalogue import INCOMING, OUTGOING

forms._load_families()


def test_every_incoming_protobuf_id_has_a_form() -> None:
    for msg_id, name in INCOMING.items():
        cls = INCOMING_CLASSES[msg_id]
        form = forms._REGISTRY.get(cls)
        assert form is not None, f"{cls.__name__} ({msg_id}) has no protobuf form"
        assert form.incoming and form.protobuf == name


def test_every_outgoing_protobuf_id_has_a_form() -> None:
    for msg_id, (name, gate) in OUTGOING.items():
        cls = OUTGOING_CLASSES[msg_id]
        form = forms._REGISTRY.get(cls)
        assert form is not None, f"{cls.__name__} ({msg_id}) has no protobuf form"
        assert not form.incoming and form.protobuf == name and form.since == gate
