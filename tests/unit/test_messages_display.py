"""Byte-exact vectors for ibwire.messages.display."""

from __future__ import annotations

import pytest

from ibwire.codec import INCOMING, OUTGOING, Codec
from ibwire.errors import UnsupportedByServerError
from ibwire.messages import Message, display
from ibwire.messages.display import (
    DisplayGroupList,
    DisplayGroupUpdated,
    QueryDisplayGroups,
    SubscribeToGroupEvents,
    UnsubscribeFromGroupEvents,
    UpdateDisplayGroup,
)

from ..vectors import check_incoming, check_outgoing, real_records

# (server version, wire fields, message): each decoded by a client AND encoded by a server.
INCOMING_VECTORS: list[tuple[int, list[str], Message]] = [
    # official layout (wrapper.py displayGroupList, one version field first)
    (176, ["67", "1", "5", "4|1|2|5|3|6|7"], DisplayGroupList(req_id=5, groups="4|1|2|5|3|6|7")),
    # official layout (wrapper.py displayGroupList): no visible group
    (100, ["67", "1", "5", ""], DisplayGroupList(req_id=5, groups="")),
    # official layout (wrapper.py displayGroupUpdated, one version field first)
    (
        176,
        ["68", "1", "5", "8314@SMART"],
        DisplayGroupUpdated(req_id=5, contract_info="8314@SMART"),
    ),
    (200, ["68", "1", "5", "none"], DisplayGroupUpdated(req_id=5, contract_info="none")),
]

# (server version, wire fields, message): each encoded by a client AND decoded by a server.
OUTGOING_VECTORS: list[tuple[int, list[str], Message]] = [
    # official layout (client.py queryDisplayGroups)
    (176, ["67", "1", "5"], QueryDisplayGroups(req_id=5)),
    # official layout (client.py subscribeToGroupEvents)
    (176, ["68", "1", "5", "4"], SubscribeToGroupEvents(req_id=5, group_id=4)),
    # official layout (client.py updateDisplayGroup)
    (176, ["69", "1", "5", "8314@ARCA"], UpdateDisplayGroup(req_id=5, contract_info="8314@ARCA")),
    # official layout (client.py unsubscribeFromGroupEvents)
    (176, ["70", "1", "5"], UnsubscribeFromGroupEvents(req_id=5)),
]


def _label(vector: tuple[int, list[str], Message]) -> str:
    version, _, msg = vector
    return f"{type(msg).__name__}-v{version}"


@pytest.mark.parametrize("vector", INCOMING_VECTORS, ids=_label)
def test_incoming_vector(vector: tuple[int, list[str], Message]) -> None:
    version, fields, msg = vector
    check_incoming(msg, fields, version)


@pytest.mark.parametrize("vector", OUTGOING_VECTORS, ids=_label)
def test_outgoing_vector(vector: tuple[int, list[str], Message]) -> None:
    version, fields, msg = vector
    check_outgoing(msg, fields, version)


def test_every_class_has_a_vector() -> None:
    covered = {type(v[2]) for v in (*INCOMING_VECTORS, *OUTGOING_VECTORS)}
    classes = {
        obj
        for name in display.__all__
        if isinstance(obj := getattr(display, name), type) and issubclass(obj, Message)
    }
    assert len(classes) == 6
    assert classes <= covered, sorted(c.__name__ for c in classes - covered)


def test_group_ids() -> None:
    assert DisplayGroupList(req_id=1, groups="4|1|2").group_ids == (4, 1, 2)
    assert DisplayGroupList(req_id=1, groups="").group_ids == ()


@pytest.mark.parametrize(
    "msg",
    [
        QueryDisplayGroups(req_id=5),
        SubscribeToGroupEvents(req_id=5, group_id=1),
        UpdateDisplayGroup(req_id=5, contract_info="none"),
        UnsubscribeFromGroupEvents(req_id=5),
    ],
    ids=lambda m: type(m).__name__,
)
def test_request_below_linking_is_refused(msg: Message) -> None:
    # client.py refuses every display group request below MIN_SERVER_VER_LINKING (70).
    with pytest.raises(UnsupportedByServerError) as info:
        Codec(69).encode(msg)
    assert info.value.required == 70
    assert Codec(70).encode(msg)[0] == str(msg.MSG_ID)


_IN_IDS = {str(i) for i, cls in INCOMING.items() if cls.__module__ == display.__name__}
_OUT_IDS = {str(i) for i, cls in OUTGOING.items() if cls.__module__ == display.__name__}


def test_real_records_round_trip() -> None:
    client, server = Codec(176), Codec(176, server=True)
    records = [
        r for r in real_records()
        if not r.is_hello and not r.is_handshake_reply
        and r.fields[0] in (_IN_IDS if r.direction == "in" else _OUT_IDS)
    ]  # fmt: skip
    if not records:
        pytest.skip("no display group messages in the real captures")
    for record in records:
        fields = list(record.fields)
        if record.direction == "in":
            assert server.encode(client.decode(fields)) == fields, record.source
        else:
            assert client.encode(server.decode(fields)) == fields, record.source
