"""What both clients check as they are made."""

from __future__ import annotations

import pytest

from ibwire.asyncio import Client as AsyncClient
from ibwire.sync import Client


@pytest.mark.parametrize("make", [Client, AsyncClient])
@pytest.mark.parametrize("size", [0, -1])
def test_a_subscription_buffer_under_one_is_refused_when_the_client_is_made(
    make: type[Client] | type[AsyncClient], size: int
) -> None:
    with pytest.raises(ValueError, match="subscription_buffer"):
        make(port=1, subscription_buffer=size)

