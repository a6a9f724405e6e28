"""The package's public names, imported on first use."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
import types
import typing
from collections.abc import Callable, Iterator
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


def _public_modules() -> list[str]:
    found = ["ibwire"]
    for info in pkgutil.walk_packages(ibwire.__path__, "ibwire."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            found.append(info.name)
    return sorted(found)


def _annotated(module: types.ModuleType) -> Iterator[tuple[str, object]]:
    """Each public class and function of ``module`` and every function its classes define."""
    for name in module.__all__:
        value = getattr(module, name)
        if inspect.isfunction(value):
            yield name, value
        elif inspect.isclass(value):
            yield name, value
            for attr, member in vars(value).items():
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                getters: tuple[Callable[..., object] | None, ...] = (
                    (member.fget, member.fset, member.fdel) if isinstance(member, property) else (member,)
                )
                for getter in getters:
                    if inspect.isfunction(getter):
                        yield f"{name}.{attr}", getter


#: Annotations that name what is not there at run time: pandas (an optional
#: dependency, imported by the call) and the types ``ibwire.errors`` keeps out of
#: its imports so that the core stays light.
UNRESOLVED = {
    "ibwire.bars.BarList.to_frame",
    "ibwire.frames.to_frame",
    "ibwire.errors.AmbiguousContractError.__init__",
    "ibwire.errors.BudgetExceededError.__init__",
    "ibwire.errors.ContractLookupError.__init__",
    "ibwire.errors.ContractNotFoundError.__init__",
}


def _failures(module_name: str) -> tuple[set[str], dict[str, str]]:
    """What ``module_name`` offers (by defining module and qualified name), and what fails."""
    module = importlib.import_module(module_name)
    checked, failed = set(), {}
    for name, value in _annotated(module):
        home = f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', name)}"
        checked.add(home)
        for extras in (False, True):
            try:
                typing.get_type_hints(value, include_extras=extras)
            except Exception as exc:  # noqa: BLE001 - any failure is what is looked for
                failed[home] = f"{module_name}.{name}: {type(exc).__name__}: {exc}"
    return checked, failed


@pytest.mark.parametrize("module_name", _public_modules())
def test_the_annotations_of_every_public_name_resolve(module_name: str) -> None:
    # What pydantic, cattrs, typeguard and Sphinx autodoc call on classes and functions.
    checked, failed = _failures(module_name)
    assert {name: error for name, error in failed.items() if name not in UNRESOLVED} == {}
    # An entry of UNRESOLVED that resolves again leaves the list.
    assert UNRESOLVED & checked <= set(failed)
