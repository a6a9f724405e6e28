"""The in-memory test kit seen by a user's type checker.

Checked by ``mypy --strict`` in ``tests/unit/test_testing_replay.py``; never imported.
"""

from __future__ import annotations

from typing_extensions import assert_type

from ibwire.messages import CurrentTime, ErrMsg, ReqCurrentTime
from ibwire.testing import InMemoryGateway, SimulatorCore, WireClient


def kit() -> None:
    gateway = InMemoryGateway(SimulatorCore(seed=1), now=1_700_000_000.0)
    client = gateway.connect(client_id=1)
    client.send(ReqCurrentTime())
    gateway.advance(1.0)
    assert_type(client.of_type(CurrentTime), list[CurrentTime])
    assert [e.time for e in client.of_type(CurrentTime)]
    assert not [e for e in client.of_type(ErrMsg) if e.error_code == 200]


def wire(client: WireClient) -> None:
    requests = [ReqCurrentTime(), ReqCurrentTime()]  # list[ReqCurrentTime]
    client.send_many(requests)
