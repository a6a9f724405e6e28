"""Which protobuf message travels under which id, and from which version, against
the official client: its ``Decoder.msgId2handleInfoProtoBuf`` (incoming), its
``EClient.*ProtoBuf`` senders and ``common.getServerVersionForMessage`` (outgoing)."""

from __future__ import annotations

import inspect
import re

from ibwire.protobuf import SCHEMA
from ibwire.protobuf.catalogue import INCOMING, OUTGOING
from ibwire.versions import ServerVersion

from .official_pb import CLASSES

assert CLASSES

from ibapi import client as official_client  # noqa: E402
from ibapi.common import getServerVersionForMessage  # noqa: E402
from ibapi.decoder import Decoder  # noqa: E402


def test_incoming_ids_and_messages() -> None:
    official = {}
    for msg_id, info in Decoder.msgId2handleInfoProtoBuf.items():
        source = inspect.getsource(info.processMeth)
        (name,) = set(re.findall(r"(\w+)Proto\(\)", source))
        official[msg_id] = name
    assert {int(k): v for k, v in INCOMING.items()} == official
    assert len(official) == 81
    assert set(INCOMING.values()) <= set(SCHEMA)


def test_outgoing_ids_messages_and_gates() -> None:
    source = inspect.getsource(official_client.EClient)
    sent = {}
    pattern = r"def \w+ProtoBuf\(self, (\w+)Proto(?:: (\w+)Proto)?\).*?sendMsgProtoBuf\(OUT\.(\w+) \+"
    for param, annotated, out in re.findall(pattern, source, re.S):
        # The parameter's type names the message; two senders leave it untyped.
        name = annotated or param[0].upper() + param[1:]
        sent[int(getattr(official_client.OUT, out))] = name
    assert {int(k): v[0] for k, v in OUTGOING.items()} == sent
    assert len(sent) == 81
    for msg_id, (name, gate) in OUTGOING.items():
        assert name in SCHEMA
        official = getServerVersionForMessage(msg_id)
        if official == float("inf"):
            # Protobuf-only requests: gated by their own version checks.
            assert gate in (ServerVersion.CANCEL_CONTRACT_DATA, ServerVersion.CONFIG,
                            ServerVersion.UPDATE_CONFIG), msg_id
        else:
            assert gate == official, msg_id
