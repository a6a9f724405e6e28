"""Message -> :class:`~ibwire.wrapper.Wrapper` callback, and what happens when a callback raises.

The tables:

* :data:`CALLBACK_NAMES` - every incoming wire id of the text protocol (1..109)
  -> the snake_case of the official EWrapper callback, read from
  :mod:`ibwire.catalog`;
* :data:`CALLBACKS` - message (and client event) class -> callback name, built
  from the codec registry and :data:`CALLBACK_NAMES`;
* :data:`REQUEST_METHOD_NAMES` / :data:`REQUEST_METHODS` - the same for outgoing
  messages and the clients' request methods (snake_case of the EClient name).

**The policy for exceptions raised inside user callbacks** (one rule, for both
front ends): the exception is caught, logged at ``ERROR`` on the ``ibwire``
logger with the callback's name and the message that was being delivered (and
the traceback), then passed to the optional ``on_callback_error(exc, event)``
hook.  It never propagates into the client: the reader goes on with the next
message, no request is failed because of it, and the connection stays up.  An
exception raised by the hook itself is logged the same way and dropped.  Only
``BaseException`` that is not an ``Exception`` (``KeyboardInterrupt``,
``SystemExit``) passes through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Final, TypeAlias

from .catalog import ANSWERS, REQUESTS
from .codec import INCOMING, OUTGOING
from .events import ConnectAck, ConnectionClosed, MalformedMessage, UnknownMessage
from .ids import IncomingId, OutgoingId
from .pacing import (
    BackoffEnded,
    BackoffStarted,
    MessageDelayed,
    RequestWithdrawn,
    ThrottlingEnded,
    ThrottlingStarted,
)
from .wrapper import Connectivity, Reconnected, Reconnecting, Wrapper

__all__ = [
    "CALLBACKS",
    "CALLBACK_NAMES",
    "REQUEST_METHODS",
    "REQUEST_METHOD_NAMES",
    "CallbackErrorHook",
    "Dispatcher",
    "callback_name",
    "dispatch",
]

logger: Final = logging.getLogger("ibwire")

#: ``on_callback_error(exc, event)``: told about every exception a callback raised
#: (what it returns is ignored).
CallbackErrorHook: TypeAlias = Callable[[Exception, object], object]

#: Every incoming id of the text protocol -> its Wrapper callback (the snake_case of
#: the official EWrapper name), from the catalogue.  ``TICK_BY_TICK`` is one message
#: class, so one callback, where the official client has three (AllLast, BidAsk,
#: MidPoint).
CALLBACK_NAMES: Final[Mapping[IncomingId, str]] = MappingProxyType(
    {row.msg_id: row.callback for row in ANSWERS.values() if row.callback}
)

#: Every outgoing id -> the client method that sends it (the snake_case of the
#: official EClient name; ``REQ_ACCT_DATA`` is ``reqAccountUpdates``), from the
#: catalogue.  ``START_API`` has none: the core sends it during the handshake.
REQUEST_METHOD_NAMES: Final[Mapping[OutgoingId, str]] = MappingProxyType(
    {row.msg_id: row.method for row in REQUESTS.values() if row.method}
)

# Client and core events that are not wire messages.
_EVENT_CALLBACKS: Final[Mapping[type, str]] = {
    ConnectAck: "connect_ack",
    ConnectionClosed: "connection_closed",
    MalformedMessage: "malformed_message",
    UnknownMessage: "unknown_message",
    Connectivity: "connectivity",
    Reconnecting: "reconnecting",
    Reconnected: "reconnected",
    ThrottlingStarted: "pacing",
    ThrottlingEnded: "pacing",
    MessageDelayed: "pacing",
    RequestWithdrawn: "pacing",
    BackoffStarted: "pacing",
    BackoffEnded: "pacing",
}

# Callbacks that take no argument, as in the official EWrapper.
_NO_ARGUMENT: Final = frozenset({ConnectionClosed})


def _build_callbacks() -> dict[type, str]:
    table: dict[type, str] = {}
    for msg_id, cls in INCOMING.items():
        name = CALLBACK_NAMES.get(IncomingId(msg_id))
        if name is not None:
            table[cls] = name
    table.update(_EVENT_CALLBACKS)
    return table


def _build_request_methods() -> dict[type, str]:
    table: dict[type, str] = {}
    for msg_id, cls in OUTGOING.items():
        name = REQUEST_METHOD_NAMES.get(OutgoingId(msg_id))
        if name is not None:
            table[cls] = name
    return table


#: Message or event class -> the :class:`~ibwire.wrapper.Wrapper` method it is delivered to.
CALLBACKS: Final[Mapping[type, str]] = MappingProxyType(_build_callbacks())

#: Outgoing message class -> the client method that sends it.
REQUEST_METHODS: Final[Mapping[type, str]] = MappingProxyType(_build_request_methods())


def callback_name(event: object) -> str | None:
    """The Wrapper method that receives ``event``, or ``None`` when it has none.

    Args:
        event: a decoded message, a core event or a client event.

    Returns:
        The method name.
    """
    cls = type(event)
    name = CALLBACKS.get(cls)
    if name is None:
        # A class registered after this module was imported (a plug-in message).
        msg_id = getattr(cls, "MSG_ID", None)
        if isinstance(msg_id, int) and INCOMING.get(msg_id) is cls:
            name = CALLBACK_NAMES.get(IncomingId(msg_id))
    return name


def _report(exc: Exception, event: object, name: str, hook: CallbackErrorHook | None) -> None:
    logger.error(
        "Wrapper.%s raised %s; the stream goes on. Message: %r",
        name,
        type(exc).__name__,
        event,
        exc_info=exc,
    )
    if hook is None:
        return
    try:
        hook(exc, event)
    except Exception as hook_exc:  # the hook is user code too: same rule
        logger.error("on_callback_error hook raised; ignored", exc_info=hook_exc)


def _missing(wrapper: object, name: str) -> None:
    # A receiver that is not a Wrapper subclass may lack callbacks: its messages
    # of that kind are not delivered, which is said once per kind, not raised
    # into the reader.
    logger.warning(
        "%s has no method %s (not a Wrapper subclass?): those messages are not delivered",
        type(wrapper).__name__,
        name,
    )


def dispatch(
    event: object, wrapper: Wrapper, on_callback_error: CallbackErrorHook | None = None
) -> None:
    """Deliver one message or event to its Wrapper method, under the module's policy.

    Args:
        event: a decoded message, a core event or a client event.
        wrapper: the receiver.
        on_callback_error: told about an exception raised by the callback, after
            it is logged.
    """
    name = callback_name(event)
    if name is None:
        return
    method = getattr(wrapper, name, None)
    if method is None:
        _missing(wrapper, name)
        return
    try:
        if type(event) in _NO_ARGUMENT:
            method()
        else:
            method(event)
    except Exception as exc:
        _report(exc, event, name, on_callback_error)


#: Marks a class whose callback is not looked up yet.
_UNRESOLVED: Final[tuple[str, Callable[..., object]]] = ("", print)


def _drop_argument(method: Callable[[], object]) -> Callable[[object], object]:
    def call(event: object) -> object:
        return method()

    return call


class Dispatcher:
    """Delivers messages to one wrapper, caching the bound method of each class.

    The front ends' dispatcher: the same policy as :func:`dispatch`, with one
    dictionary lookup per message.

    Args:
        wrapper: the receiver.
        on_callback_error: told about every exception a callback raised, after it
            is logged.
    """

    __slots__ = ("_methods", "on_callback_error", "wrapper")

    def __init__(
        self, wrapper: Wrapper, on_callback_error: CallbackErrorHook | None = None
    ) -> None:
        self.wrapper: Wrapper = wrapper
        self.on_callback_error: CallbackErrorHook | None = on_callback_error
        self._methods: dict[type, tuple[str, Callable[..., object]] | None] = {}

    def _resolve(self, cls: type, event: object) -> tuple[str, Callable[..., object]] | None:
        name = callback_name(event)
        entry: tuple[str, Callable[..., object]] | None = None
        if name is not None:
            method = getattr(self.wrapper, name, None)
            if method is None:
                _missing(self.wrapper, name)
            else:
                if cls in _NO_ARGUMENT:
                    # Wrap argument-less callbacks once, so that every call site
                    # can pass the event.
                    method = _drop_argument(method)
                entry = (name, method)
        self._methods[cls] = entry
        return entry

    def __call__(self, event: object) -> None:
        """Deliver one message or event.

        Args:
            event: a decoded message, a core event or a client event.
        """
        self.dispatch_all((event,))

    def dispatch_all(self, events: Iterable[object]) -> None:
        """Deliver messages and events in order.

        The loop is inline (one dictionary lookup and one call per message) and
        each callback runs under the error policy of this module.

        Args:
            events: what to deliver.
        """
        methods = self._methods
        get = methods.get
        for event in events:
            cls = type(event)
            entry = get(cls, _UNRESOLVED)
            if entry is _UNRESOLVED:
                entry = self._resolve(cls, event)
            if entry is None:
                continue
            try:
                entry[1](event)
            except Exception as exc:
                _report(exc, event, entry[0], self.on_callback_error)
