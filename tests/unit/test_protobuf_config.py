"""The config family in protobuf form: every class round-trips through both ends."""

from __future__ import annotations

import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ibwire import messages as m
from ibwire.errors import UnsupportedByServerError

from ..protobuf_forms import connected, family, messages_of, round_trip

FORMS = family("config")


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.cls.__name__)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_form_round_trips(form: Any, data: Any) -> None:
    message = data.draw(messages_of(form.cls))
    assert round_trip(message) == message


@pytest.mark.parametrize(
    ("message", "gate"),
    [
        (m.CancelContractData(req_id=1), 215),
        (m.CancelHistoricalTicks(req_id=1), 215),
        (m.ReqConfig(req_id=1), 219),
        (m.UpdateConfig(req_id=1), 221),
    ],
)
def test_protobuf_only_requests_refused_below_their_gate(message: Any, gate: int) -> None:
    client, _ = connected(gate - 1)
    client.data_to_send()
    with pytest.raises(UnsupportedByServerError):
        client.send(message)
    assert client.data_to_send() == b""
    client, _ = connected(gate)
    client.send(message)
    # reqId=1 under raw id base + 200.
    assert client.data_to_send() == struct.pack(">II", 6, message.MSG_ID + 200) + b"\x08\x01"


def test_update_config_writes_nested_settings() -> None:
    request = m.UpdateConfig(
        req_id=3,
        api=m.ApiConfig(settings=m.ApiSettingsConfig(socket_port=4002, trusted_ips=("1.2.3.4",))),
        reset_api_order_sequence=False,
    )
    assert round_trip(request) == request
