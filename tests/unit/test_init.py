"""The package's public names, imported on first use."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types
from pathlib import Path

import pytest

import ibwire

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(set(ibwire.__all__) - {"__version__"}))
def test_every_public_name_is_its_home_modules_object(name: str) -> None:
    value = getattr(ibwire, name)
    if isinstance(value, types.ModuleType):
        assert value is importlib.import_module(f"ibwire.{name}")
    else:
        home = importlib.import_module(ibwire._HOME[name], "ibwire")
        assert value is getattr(home, name)


def test_the_lazy_table_names_exactly_the_public_names() -> None:
    assert set(ibwire._HOME) | set(ibwire._MODULES) | {"__version__"} == set(ibwire.__all__)


def test_an_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        ibwire.no_such_name  # noqa: B018


def test_dir_lists_the_public_names() -> None:
    assert set(ibwire.__all__) <= set(dir(ibwire))


def _modules_after(code: str) -> set[str]:
    """The ``ibwire`` modules a fresh interpreter has loaded after running ``code``."""
    probe = code + "\nimport sys\nprint(' '.join(m for m in sys.modules if m.startswith('ibwire')))"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    return set(result.stdout.split())


def test_importing_the_package_loads_none_of_its_modules() -> None:
    assert _modules_after("import ibwire") == {"ibwire"}


def test_the_threaded_client_loads_no_protobuf_module_until_a_connection_needs_it() -> None:
    loaded = _modules_after("import ibwire.sync")
    assert "ibwire.protocol" in loaded
    assert not {name for name in loaded if name.startswith("ibwire.protobuf")}


def test_help_of_the_command_loads_no_codec_client_or_simulator() -> None:
    code = (
        "import contextlib, io\n"
        "from ibwire import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    cli.main(['--help'])\n"
    )
    assert _modules_after(code) == {"ibwire", "ibwire.cli"}
