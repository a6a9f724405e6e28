"""Where the ids are in a frame: field positions of request, order and client ids.

The replay compares requests "structurally" and rebinds ids in responses.  Both
need to know which text field of a frame is a request id, an order id or a client
id.  The codec's tracing decoders already record the name of every field as they
read it; running one over a frame with a recording list gives the position of
every named field of that very frame (conditional fields included), at the
negotiated version, without a second description of the layouts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

from ..codec import INCOMING, OUTGOING, decoder_for

__all__ = ["ID_NAMES", "IdKind", "id_positions"]

#: What an id field names: a request (ticker) id, an order id, or a client id.
IdKind = Literal["req", "order", "client"]

#: The attribute names of ids, and what they name.
ID_NAMES: Final[dict[str, IdKind]] = {
    "req_id": "req",
    "ticker_id": "req",
    "request_id": "req",
    "order_id": "order",
    "parent_id": "order",
    "client_id": "client",
}


class _Trace:
    """Stands in for the tracing decoders' ``[index, name]`` list; keeps every pair."""

    def __init__(self) -> None:
        self.index: int | None = None
        self.seen: list[tuple[int, str]] = []

    def __setitem__(self, key: int, value: object) -> None:
        if key == 0 and isinstance(value, int):
            self.index = value
        elif key == 1 and self.index is not None and isinstance(value, str):
            self.seen.append((self.index, value))


def id_positions(fields: Sequence[str], version: int, *, incoming: bool) -> dict[int, IdKind] | None:
    """The positions of the id fields of a frame.

    Args:
        fields: the frame's text fields, message id first.
        version: the negotiated server version.
        incoming: ``True`` for a server-to-client frame.

    Returns:
        field index -> id kind, or ``None`` when the message is unknown to the
        codec or the frame does not decode (the caller then compares exactly).
    """
    if not fields or not (fields[0].isdigit() and fields[0].isascii()):
        return None
    registry = INCOMING if incoming else OUTGOING
    cls = registry.get(int(fields[0]))
    if cls is None:
        return None
    trace = _Trace()
    try:
        decoder_for(cls, version, trace=True)(list(fields), trace)
    except Exception:  # noqa: BLE001 - an undecodable frame simply has no known layout
        return None
    out: dict[int, IdKind] = {}
    for index, name in trace.seen:
        kind = ID_NAMES.get(name.rpartition(".")[2])
        if kind is not None and index < len(fields):
            out[index] = kind
    return out
