"""Generate the message table (wire id, class, callback, EClient method, first version)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _rows() -> list[tuple[str, ...]]:
    from ibwire.codec import INCOMING, OUTGOING
    from ibwire.ids import IncomingId, OutgoingId

    try:
        from ibwire.dispatch import CALLBACKS, REQUEST_METHODS
    except ImportError:  # the dispatch layer is optional for the table
        CALLBACKS, REQUEST_METHODS = {}, {}
    rows = []
    for direction, registry, ids, names in (
        ("in", INCOMING, IncomingId, CALLBACKS),
        ("out", OUTGOING, OutgoingId, REQUEST_METHODS),
    ):
        for msg_id in sorted(registry):
            cls = registry[msg_id]
            rows.append(
                (
                    direction,
                    str(msg_id),
                    ids(msg_id).name,
                    f":class:`~{cls.__module__}.{cls.__name__}`",
                    f"``{names.get(cls, '')}``" if names.get(cls) else "",
                    str(cls.MIN_VERSION or 100),
                )
            )
    return rows


def generate(app: Any) -> None:
    header = ("dir", "id", "wire name", "class", "callback / method", "first server version")
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 5 5 30 30 25 10",
        "",
    ]
    for row in (header, *_rows()):
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    target = Path(app.srcdir) / "reference" / "_messages_table.rst.inc"
    text = "\n".join(lines) + "\n"
    if not target.exists() or target.read_text() != text:
        target.write_text(text)


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", generate)
    return {"parallel_read_safe": True}
