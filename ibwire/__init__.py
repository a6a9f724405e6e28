"""ibwire: a typed, fast, sans-I/O client for the Interactive Brokers TWS API.

Public names are re-exported here; the modules hold the code.  Each name is
imported on first use, so that ``import ibwire`` (and the ``ibwire`` command,
which lives in the package) costs only what is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Public name -> the module (relative to the package) that defines it.
_HOME = {
    "MAX_CLIENT_VERSION": ".versions",
    "MIN_CLIENT_VERSION": ".versions",
    "ServerVersion": ".versions",
    "ApiError": ".errors",
    "ClientIdInUseError": ".errors",
    "ConnectionClosedError": ".errors",
    "FrameTooLargeError": ".errors",
    "HandshakeError": ".errors",
    "IBWireError": ".errors",
    "LocalProtocolError": ".errors",
    "MalformedMessageError": ".errors",
    "PacingError": ".errors",
    "ProtocolError": ".errors",
    "RemoteProtocolError": ".errors",
    "RequestTimeoutError": ".errors",
    "UnsupportedByServerError": ".errors",
    "ClientHello": ".events",
    "ConnectAck": ".events",
    "ConnectionClosed": ".events",
    "MalformedMessage": ".events",
    "UnknownMessage": ".events",
    "IncomingId": ".ids",
    "OutgoingId": ".ids",
    "ClientProtocol": ".protocol",
    "ServerProtocol": ".protocol",
    "State": ".protocol",
    "Wrapper": ".wrapper",
}
_MODULES = ("codec", "errors", "events", "fields", "framing", "ids", "messages", "versions")

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


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
