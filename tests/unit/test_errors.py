"""The exception tree drawn in ``ibwire.errors``' docstring matches the classes."""

from __future__ import annotations

import re

import ibwire.errors as errors


def _drawn_tree() -> dict[str, str]:
    """Class name -> parent name, read from the drawing."""
    doc = errors.__doc__ or ""
    lines = [line for line in doc.splitlines() if re.match(r"^    [│├└─ ]*[A-Z]\w*Error", line)]
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in lines:
        match = re.match(r"^(    [│├└─ ]*?)([A-Z]\w*)", line)
        assert match is not None
        depth = len(match.group(1))
        name = match.group(2)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[name] = stack[-1][1]
        stack.append((depth, name))
    return parents


def test_every_exception_is_drawn_under_its_parent() -> None:
    drawn = _drawn_tree()
    for name in errors.__all__:
        cls = getattr(errors, name)
        if name == "IBWireError":
            continue
        assert name in drawn, f"{name} is missing from the drawn tree"
        assert drawn[name] == cls.__mro__[1].__name__, name


def test_every_drawn_name_exists() -> None:
    for name in _drawn_tree():
        assert name in errors.__all__, name
