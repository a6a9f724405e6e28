"""Record classes: the dataclass contract without ``dataclass()`` at import."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from ibwire._record import record


@record(frozen=True, slots=True, kw_only=True)
class Checked:
    low: int = 0
    high: int = 10
    seen: list[int] = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError("low above high")
        self.seen.append(self.low)


def test_post_init_runs_after_the_fields_are_set() -> None:
    value = Checked(low=3)
    assert (value.low, value.high, value.seen) == (3, 10, [3])
    with pytest.raises(ValueError, match="low above high"):
        Checked(low=11)


def test_replace_goes_through_post_init() -> None:
    value = Checked(low=1)
    assert dataclasses.replace(value, high=5).high == 5
    with pytest.raises(ValueError, match="low above high"):
        dataclasses.replace(value, low=20)


def test_a_record_is_a_frozen_dataclass() -> None:
    value = Checked()
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.low = 1  # type: ignore[misc]
    assert dataclasses.is_dataclass(value)
    assert [f.name for f in dataclasses.fields(value)] == ["low", "high", "seen"]
    assert Checked(low=2) == Checked(low=2) and Checked(low=2) != Checked(low=3)


_SCAN = """
import sys
import ibwire.sync
for name, module in list(sys.modules.items()):
    if not name.startswith("ibwire"):
        continue
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and value.__module__ == name
            and "__ibwire_spec__" not in value.__dict__
            and "__dataclass_params__" in value.__dict__
        ):
            print(f"{name}.{value.__qualname__}")
"""


def test_importing_the_client_makes_no_class_with_dataclass() -> None:
    """``dataclass()`` puts ``__dataclass_params__`` in the class at once; a record
    makes it on first use.  A fresh interpreter imports the threaded client."""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", _SCAN], capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(root), "PATH": ""},
    )  # fmt: skip
    assert result.stdout.split() == [], result.stdout


@record(slots=True)
class Mutable:
    count: int = 0
    names: list[str] = dataclasses.field(default_factory=list)


def test_a_record_that_is_not_frozen_can_be_written_and_is_unhashable() -> None:
    value = Mutable()
    value.count += 2
    value.names.append("a")
    assert value == Mutable(count=2, names=["a"])
    assert Mutable().names is not Mutable().names
    with pytest.raises(TypeError):
        hash(value)
    assert [f.name for f in dataclasses.fields(value)] == ["count", "names"]
    assert dataclasses.replace(value, count=5).count == 5


def test_the_shared_methods_annotations_resolve() -> None:
    # The stub __init__ and the recursion-guarded __repr__ are made outside this
    # module's namespace; typing.get_type_hints must still resolve them.
    @record(frozen=True, slots=True, kw_only=True)
    class Point:
        x: int

    assert typing.get_type_hints(Point.__init__) == {
        "self": typing.Any,
        "args": typing.Any,
        "kwargs": typing.Any,
        "return": type(None),
    }
    assert typing.get_type_hints(Point.__repr__) == {"self": typing.Any, "return": str}
