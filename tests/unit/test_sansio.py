"""The sans-I/O modules import no socket, thread, event loop or clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ibwire

BANNED = {"socket", "threading", "asyncio", "selectors", "time", "ssl", "select"}
CORE = [
    "protocol.py",
    "codec.py",
    "framing.py",
    "fields.py",
    "_session.py",
    "_session_base.py",
    "_session_buffer.py",
    "_session_calls.py",
    "_session_gate.py",
    "_session_lifecycle.py",
    "_session_live.py",
    "_session_orders.py",
    "_session_routes.py",
    "_session_streams.py",
    "_session_types.py",
    "dispatch.py",
    "catalog.py",
    "errorcodes.py",
    "orderids.py",
    "live/ticker.py",
    "live/orderbook.py",
    "live/trade.py",
    "live/portfolio.py",
]
CORE += sorted(f"pacing/{p.name}" for p in (Path(ibwire.__file__).parent / "pacing").glob("*.py"))


@pytest.mark.parametrize("name", CORE)
def test_core_module_imports_no_io(name: str) -> None:
    path = Path(ibwire.__file__).parent / name
    assert path.exists(), f"{name} is gone: update the list"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & BANNED, f"{name} imports {sorted(imported & BANNED)}"


def test_messages_package_imports_no_io() -> None:
    folder = Path(ibwire.__file__).parent / "messages"
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
                assert not names & BANNED, path.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                assert node.module.split(".")[0] not in BANNED, path.name
