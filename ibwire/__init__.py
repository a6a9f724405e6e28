"""ibwire: a typed, fast, sans-I/O client for the Interactive Brokers TWS API.

Public names are re-exported here; the modules hold the code.
"""

from __future__ import annotations

from . import codec, errors, events, fields, framing, ids, messages, versions
from .errors import (
    ApiError,
    ClientIdInUseError,
    ConnectionClosedError,
    FrameTooLargeError,
    HandshakeError,
    IBWireError,
    LocalProtocolError,
    MalformedMessageError,
    PacingError,
    ProtocolError,
    RemoteProtocolError,
    RequestTimeoutError,
    UnsupportedByServerError,
)
from .events import ClientHello, ConnectAck, ConnectionClosed, MalformedMessage, UnknownMessage
from .ids import IncomingId, OutgoingId
from .protocol import ClientProtocol, ServerProtocol, State
from .versions import MAX_CLIENT_VERSION, MIN_CLIENT_VERSION, ServerVersion
from .wrapper import Wrapper

__version__ = "0.1.0"

__all__ = [
    "MAX_CLIENT_VERSION",
    "MIN_CLIENT_VERSION",
    "ApiError",
    "ClientHello",
    "ClientIdInUseError",
    "ClientProtocol",
    "ConnectAck",
    "ConnectionClosed",
    "ConnectionClosedError",
    "FrameTooLargeError",
    "HandshakeError",
    "IBWireError",
    "IncomingId",
    "LocalProtocolError",
    "MalformedMessage",
    "MalformedMessageError",
    "OutgoingId",
    "PacingError",
    "ProtocolError",
    "RemoteProtocolError",
    "RequestTimeoutError",
    "ServerProtocol",
    "ServerVersion",
    "State",
    "UnknownMessage",
    "UnsupportedByServerError",
    "Wrapper",
    "__version__",
    "codec",
    "errors",
    "events",
    "fields",
    "framing",
    "ids",
    "messages",
    "versions",
]
