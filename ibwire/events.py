"""Events of the sans-I/O core that are not wire messages.

:meth:`ibwire.ClientProtocol.events_received` returns decoded messages (instances
of :class:`ibwire.messages.Message`) mixed with these events, in arrival order.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import MalformedMessageError

__all__ = [
    "ClientHello",
    "ConnectAck",
    "ConnectionClosed",
    "Event",
    "MalformedMessage",
    "UnknownMessage",
]


class Event:
    """Base class of the core's non-message events."""

    __slots__ = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectAck(Event):
    """The server answered the hello: the handshake is done (EWrapper ``connectAck``).

    Attributes:
        server_version: the negotiated server version.
        connection_time: the server's local time text, e.g. ``"20240324 21:18:59 EST"``.
    """

    server_version: int
    connection_time: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientHello(Event):
    """A client opened a connection (server side).

    Attributes:
        min_version: the lowest version the client speaks.
        max_version: the highest version the client speaks.
        connect_options: the options after the range, e.g. ``"+PACEAPI"``.
    """

    min_version: int
    max_version: int
    connect_options: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionClosed(Event):
    """The peer closed the connection (EWrapper ``connectionClosed``).

    Attributes:
        handshake_done: whether the handshake had completed.
        messages_received: how many messages arrived after the handshake; a close
            right after startApi with none received is how TWS refuses a client id
            that is in use.
    """

    handshake_done: bool
    messages_received: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MalformedMessage(Event):
    """A frame that could not be decoded; the stream goes on with the next frame.

    Attributes:
        error: the evidence: message id, field index and name, raw fields.
    """

    error: MalformedMessageError

    @property
    def msg_id(self) -> int | None:
        """The message id of the bad frame, if readable."""
        return self.error.msg_id

    @property
    def fields(self) -> tuple[str, ...]:
        """The raw text fields of the bad frame."""
        return self.error.fields


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownMessage(Event):
    """A message with an id this version of ibwire does not know (a newer gateway).

    Attributes:
        msg_id: the id.
        fields: the raw text fields, id included.
    """

    msg_id: int
    fields: tuple[str, ...]
