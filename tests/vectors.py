"""Access to the shared real-traffic vectors (read from ``../shared/vectors``, never copied)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from ibwire.codec import Codec
from ibwire.messages import Message

#: Where the shared vectors live: beside the checkout, or as IBWIRE_VECTORS says.
VECTORS_DIR = Path(
    os.environ.get("IBWIRE_VECTORS", Path(__file__).resolve().parents[2] / "shared" / "vectors")
)


@dataclass(frozen=True)
class Record:
    """One message of a real capture."""

    line: int
    source: str
    direction: str
    server_version: int | None
    fields: tuple[str, ...]
    note: str

    @property
    def is_hello(self) -> bool:
        """A client connect request: a single ``v<min>..<max>`` field."""
        return self.direction == "out" and len(self.fields) == 1 and self.fields[0].startswith("v")

    @property
    def is_handshake_reply(self) -> bool:
        """The server's ``[version, time]`` reply."""
        return "handshake reply" in self.note

    def payload(self) -> bytes:
        """The frame payload as it was on the wire."""
        if self.is_hello:
            return self.fields[0].encode("ascii")
        return "".join(f + "\0" for f in self.fields).encode("utf-8")


def real_files() -> list[Path]:
    """Every real capture file, or a pytest skip when the folder is absent."""
    folder = VECTORS_DIR / "real"
    if not folder.is_dir():
        pytest.skip(f"shared vectors not found at {folder}")
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        pytest.skip(f"no *.jsonl vectors in {folder}")
    return files


def real_records() -> list[Record]:
    """Every record of every real capture, in file order."""
    out: list[Record] = []
    for path in real_files():
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                raw = json.loads(line)
                out.append(
                    Record(
                        line=number,
                        source=f"{path.name}:{number}",
                        direction=raw["direction"],
                        server_version=raw.get("server_version"),
                        fields=tuple(raw["fields"]),
                        note=raw.get("note", ""),
                    )
                )
    return out


def check_incoming(msg: Message, fields: list[str], version: int) -> None:
    """A gateway encodes ``msg`` to exactly ``fields``, which a client decodes back."""
    assert Codec(version, server=True).encode(msg) == fields
    assert Codec(version).decode(list(fields)) == msg


def check_outgoing(msg: Message, fields: list[str], version: int) -> None:
    """A client encodes ``msg`` to exactly ``fields``, which a gateway decodes back."""
    assert Codec(version).encode(msg) == fields
    assert Codec(version, server=True).decode(list(fields)) == msg

