"""The news family in protobuf form: every class round-trips through both ends."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..protobuf_forms import family, messages_of, round_trip

FORMS = family("news")


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.cls.__name__)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_form_round_trips(form: Any, data: Any) -> None:
    message = data.draw(messages_of(form.cls))
    assert round_trip(message) == message
