"""The test kit: fake gateways for testing code that talks to TWS / IB Gateway.

* Session files (:class:`Session`): a recorded conversation, JSON Lines, one
  record per frame.
* :class:`Recorder`: a transparent proxy that records a client and a gateway
  into a session file, redacting account ids.
* :class:`FakeGateway`: replays a session to a live client, checks that the
  client sends the recorded requests, and answers with the recorded frames.
* :class:`SimulatedGateway`: a deterministic paper-trading gateway with a small
  universe, orders, account data and IB's errors.
* :func:`probe`: runs a battery of read-only requests against a gateway and
  reports how every message decoded.
* :class:`InMemoryGateway`: drives a simulator or replay core without sockets,
  with a clock the test moves by hand.
* :class:`WireClient`: a minimal blocking client (the sans-I/O core and a
  socket) for tests and the probe.

Everything binds to 127.0.0.1 by default and takes an injectable clock.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._client import WireClient
    from .memory import InMemoryClient, InMemoryGateway
    from .probe import ProbeReport, ProbeStep, TypeStats, check_session, probe
    from .recorder import ACCOUNT_ID_PATTERN, Recorder, Redactor, SessionRecorder
    from .replay import (
        CoalesceWrites,
        DelayAt,
        DisconnectAt,
        FakeGateway,
        Fault,
        Mode,
        OfflineReplay,
        ReplayCore,
        ReplayDivergence,
        SplitWrites,
        Timing,
        replay_offline,
    )
    from .session import (
        FORMAT_VERSION,
        Direction,
        RecordKind,
        Session,
        SessionFormatError,
        SessionHeader,
        SessionRecord,
        load_vector_sessions,
    )
    from .simulator import (
        ERROR_TEXTS,
        FARM_BURST,
        DropClients,
        Halt,
        NightlyReset,
        SimFault,
        SimulatedGateway,
        SimulatorCore,
        SystemNotice,
    )

#: Public name -> the submodule that defines it.  The kit is imported on first
#: use of a name, so that importing one of its modules (the simulator, for
#: ``ibwire demo``) does not import the others.
_WHERE: dict[str, str] = {
    "WireClient": "_client",
    "InMemoryClient": "memory",
    "InMemoryGateway": "memory",
    "ProbeReport": "probe",
    "ProbeStep": "probe",
    "TypeStats": "probe",
    "check_session": "probe",
    "probe": "probe",
    "ACCOUNT_ID_PATTERN": "recorder",
    "Recorder": "recorder",
    "Redactor": "recorder",
    "SessionRecorder": "recorder",
    "CoalesceWrites": "replay",
    "DelayAt": "replay",
    "DisconnectAt": "replay",
    "FakeGateway": "replay",
    "Fault": "replay",
    "Mode": "replay",
    "OfflineReplay": "replay",
    "ReplayCore": "replay",
    "ReplayDivergence": "replay",
    "SplitWrites": "replay",
    "Timing": "replay",
    "replay_offline": "replay",
    "FORMAT_VERSION": "session",
    "Direction": "session",
    "RecordKind": "session",
    "Session": "session",
    "SessionFormatError": "session",
    "SessionHeader": "session",
    "SessionRecord": "session",
    "load_vector_sessions": "session",
    "ERROR_TEXTS": "simulator",
    "FARM_BURST": "simulator",
    "DropClients": "simulator",
    "Halt": "simulator",
    "NightlyReset": "simulator",
    "SimFault": "simulator",
    "SimulatedGateway": "simulator",
    "SimulatorCore": "simulator",
    "SystemNotice": "simulator",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "ACCOUNT_ID_PATTERN",
    "ERROR_TEXTS",
    "FARM_BURST",
    "FORMAT_VERSION",
    "CoalesceWrites",
    "DelayAt",
    "Direction",
    "DisconnectAt",
    "DropClients",
    "Halt",
    "FakeGateway",
    "Fault",
    "InMemoryClient",
    "InMemoryGateway",
    "Mode",
    "NightlyReset",
    "OfflineReplay",
    "ProbeReport",
    "ProbeStep",
    "RecordKind",
    "Recorder",
    "Redactor",
    "ReplayCore",
    "ReplayDivergence",
    "Session",
    "SessionFormatError",
    "SessionHeader",
    "SessionRecord",
    "SessionRecorder",
    "SimFault",
    "SimulatedGateway",
    "SimulatorCore",
    "SplitWrites",
    "SystemNotice",
    "Timing",
    "TypeStats",
    "WireClient",
    "check_session",
    "load_vector_sessions",
    "probe",
    "replay_offline",
]
