"""Every event that is not a wire message, in one place.

:meth:`ibwire.ClientProtocol.events_received` returns decoded messages (instances
of :class:`ibwire.messages.Message`) mixed with the core's events, in arrival
order (:class:`ConnectAck`, :class:`ConnectionClosed`, :class:`MalformedMessage`,
:class:`UnknownMessage`; :class:`ClientHello` on the server side).  The session
adds the client's own (:class:`Connectivity`, :class:`Reconnecting`,
:class:`Reconnected`); the pacer's events live with the pacer
(:mod:`ibwire.pacing`).
"""

from __future__ import annotations

from ._record import dataclass
from .errors import MalformedMessageError
from .messages import ErrMsg

__all__ = [
    "ClientHello",
    "ConnectAck",
    "ConnectionClosed",
    "Connectivity",
    "Event",
    "MalformedMessage",
    "Reconnected",
    "Reconnecting",
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

    The session also reports this way a message it decoded but could not apply
    to a live object (a ticker, an order book): that message is delivered
    before the event, and :attr:`fields` is empty.

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


@dataclass(frozen=True, slots=True, kw_only=True)
class Connectivity(Event):
    """TWS's link to IB, or one of its data farms, changed state.

    Made from an ``ERR_MSG`` whose code the client's code table classifies as
    :attr:`~ibwire.errorcodes.Severity.CONNECTIVITY`.

    Attributes:
        code: the TWS code: 1100 lost, 1101 restored with data lost (the client
            re-sends its subscriptions), 1102 restored with data kept, 1300 socket
            port reset, 2103-2110 / 2119 / 2157 / 2158 farm notices.
        message: the text TWS sent, e.g. ``"Market data farm connection is OK:usfarm"``.
        is_connected: whether the link or farm named is usable after this notice
            (``False`` for 1100, 1300 and "broken" farm notices).
        data_lost: subscriptions were lost and are being re-sent (1101).
        farm: the farm's name after the colon of the text, ``""`` when none.
        error: the original message.
    """

    code: int
    message: str
    is_connected: bool
    data_lost: bool
    farm: str
    error: ErrMsg


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconnecting(Event):
    """The connection was lost; the client will try again after ``delay`` seconds.

    Attributes:
        attempt: 1 for the first attempt after a loss, +1 for each failure.
        delay: seconds until the attempt (exponential backoff with jitter).
        reason: why the previous connection or attempt ended.
    """

    attempt: int
    delay: float
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconnected(Event):
    """The client is connected and ready again after a loss.

    By the time this arrives, the order id allocator is re-synced, every live
    subscription has been re-sent, and open orders and executions have been
    re-requested (fills missed while disconnected arrive as
    :meth:`Wrapper.exec_details`, each execution exactly once).

    Attributes:
        attempts: how many attempts it took.
        server_version: the server version of the new connection.
        next_order_id: the next order id the allocator will hand out.
        resubscribed: how many subscriptions were re-sent.
    """

    attempts: int
    server_version: int
    next_order_id: int
    resubscribed: int
