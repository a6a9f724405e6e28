"""Programs written as users write them, checked by ``mypy --strict`` (never run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ibwire.testing._server import timeout_scale

ROOT = Path(__file__).resolve().parents[2]


def mypy_errors(sample: str) -> str:
    """What ``mypy --strict`` reports on ``tests/typecheck/<sample>``; ``""`` when clean.

    Skips the calling test when mypy is not installed.
    """
    pytest.importorskip("mypy", reason="mypy is not installed (pip install 'ibwire[lint]')")
    path = Path(__file__).with_name(sample)
    done = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--no-incremental",
            "--cache-dir", os.devnull, "--config-file", str(ROOT / "pyproject.toml"), str(path),
        ],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "MYPYPATH": str(ROOT)},
        timeout=120 * timeout_scale(),
    )
    return "" if done.returncode == 0 else done.stdout + done.stderr
