"""The session's stream, cancel, setting and routing tables, read from the catalogue."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Final

from .catalog import (
    ANSWERS,
    REQUESTS,
    AnswerRow,
)
from .codec import INCOMING, OUTGOING
from .ids import OutgoingId
from .messages import (
    Message,
    ReqAcctData,
)

_Out = OutgoingId

#: Requests that open a stream -> the message that cancels it.  These are the
#: subscriptions re-sent after a reconnect (and, cancel first, after a 1101).
#: Read from the catalogue, as every table below.
_STREAMS: Final[Mapping[int, int]] = {
    row.msg_id: row.cancel
    for row in REQUESTS.values()
    if row.stream is not None and row.cancel is not None
}

#: Requests that open a stream -> whether this message does (a snapshot does not).
_STREAM_RULES: Final[Mapping[int, Callable[[object], bool]]] = {
    row.msg_id: row.stream for row in REQUESTS.values() if row.stream is not None
}

#: Cancels -> the request they end.
_CANCELS: Final[Mapping[int, int]] = {
    cancel: request for request, cancel in _STREAMS.items() if cancel != request
}

#: Connection-wide settings re-sent, before the subscriptions, after a reconnect.
_SETTINGS: Final = frozenset(row.msg_id for row in REQUESTS.values() if row.setting)

#: Streams of messages without a request id: the key of the single stream.
_CONSTANT_KEYS: Final[Mapping[int, str]] = {
    row.msg_id: row.key for row in REQUESTS.values() if row.key is not None
}


def _stream_key(message: Message) -> Hashable:
    ident = getattr(message, "req_id", None)
    if ident is None:
        ident = getattr(message, "ticker_id", None)
    if isinstance(ident, int):
        return ident
    return _CONSTANT_KEYS.get(message.MSG_ID, message.MSG_ID)


def _cancel_for(request: Message) -> Message | None:
    """The message that ends ``request``'s stream, built from its own fields."""
    cancel_id = _STREAMS.get(request.MSG_ID)
    if cancel_id is None:
        return None
    if isinstance(request, ReqAcctData):
        return ReqAcctData(subscribe=False, acct_code=request.acct_code)
    cls = OUTGOING.get(cancel_id)
    if cls is None:
        return None
    # A cancel repeats the request's id (and, for depth, its is_smart_depth).
    values = {
        f.name: getattr(request, f.name)
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if hasattr(request, f.name)
    }
    try:
        return cls(**values)
    except TypeError:
        return None


def _is_stream(message: Message) -> bool:
    rule = _STREAM_RULES.get(message.MSG_ID)
    return rule is not None and rule(message)


_Route = Callable[[Message], tuple[Hashable, ...]]

#: Per message class: whether the pacer watches it, its handler, its routing.
_Plan = tuple[bool, "Callable[[Any, float], bool] | None", _Route]


def _const_route(*keys: Hashable) -> _Route:
    def route(message: Message) -> tuple[Hashable, ...]:
        return keys

    return route


def _req_id_route(message: Message) -> tuple[Hashable, ...]:
    return (message.req_id,)  # type: ignore[attr-defined]


#: Fields whose value is a request or order id, routed as the bare number; any
#: other routing field is tagged with its name (a market rule id is not an id).
#: The news answers name their request id ``requestId`` (the official callbacks').
_ID_FIELDS: Final = frozenset({"req_id", "order_id", "request_id"})


def _route_of(row: AnswerRow) -> _Route:
    by, key = row.by, row.key
    if by is None:
        return _const_route() if key is None else _const_route(key)
    if by == "req_id" and key is None:
        return _req_id_route
    field = by
    tagged = by not in _ID_FIELDS

    def route(message: Message) -> tuple[Hashable, ...]:
        value = getattr(message, field)
        ident: Hashable = (field, value) if tagged else value
        return (ident,) if key is None else (ident, key)

    return route


#: Incoming message class -> its routing, from the catalogue.
_ROUTES: Final[Mapping[type, _Route]] = {
    cls: _route_of(row) for row in ANSWERS.values() if (cls := row.message_class) is not None
}

_NO_ROUTE: Final = _const_route()


def _route_for(cls: type) -> _Route:
    return _ROUTES.get(cls, _NO_ROUTE)


def end_of(msg_id: int) -> frozenset[type]:
    """The message class that ends the answer to a request, from the catalogue.

    Raises:
        KeyError: the catalogue names no end for ``msg_id``.
    """
    end = REQUESTS[OutgoingId(msg_id)].end
    cls = None if end is None else INCOMING.get(end)
    if cls is None:
        raise KeyError(f"no end marker for request {msg_id}")
    return frozenset({cls})
