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
