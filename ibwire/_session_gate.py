"""THE read-only gate of the session, from the catalogue's ``read_only`` column."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from .catalog import (
    REQUESTS,
    ReadOnly,
)
from .messages import (
    Message,
)


def _refuse(message: object) -> bool:
    return True


def _refuse_unless_what_if(message: object) -> bool:
    return not getattr(getattr(message, "order", None), "what_if", False)


def _refuse_auto_bind(message: object) -> bool:
    return bool(getattr(message, "auto_bind", False))


_GATE_RULES: Final[Mapping[ReadOnly, Callable[[object], bool]]] = {
    ReadOnly.REFUSE: _refuse,
    ReadOnly.UNLESS_WHAT_IF: _refuse_unless_what_if,
    ReadOnly.IF_AUTO_BIND: _refuse_auto_bind,
}

#: THE read-only gate: request id -> whether a read-only client refuses this
#: request, from the catalogue's ``read_only`` column.  Every order-changing path
#: (``send``, ``place_order``, the helpers, brackets, cancels by criteria) asks
#: :func:`refused_when_read_only`; nothing else decides.  What-if orders change
#: nothing and pass, with or without an order id; ``reqAutoOpenOrders(True)``
#: binds TWS orders to this client and is refused, ``(False)`` is not.
READ_ONLY_GATE: Final[Mapping[int, Callable[[object], bool]]] = {
    row.msg_id: _GATE_RULES[row.read_only]
    for row in REQUESTS.values()
    if row.read_only is not ReadOnly.ALLOW
}


def refused_when_read_only(message: Message) -> bool:
    """Whether a read-only client refuses ``message`` (see :data:`READ_ONLY_GATE`)."""
    rule = READ_ONLY_GATE.get(message.MSG_ID)
    return rule is not None and rule(message)
