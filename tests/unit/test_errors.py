"""The exception tree drawn in ``ibwire.errors`` is the tree of its classes."""

from __future__ import annotations

import inspect
import re

from ibwire import errors


def _drawn_tree() -> dict[str, str | None]:
    """Class name -> the parent drawn above it (``None`` for the root)."""
    doc = errors.__doc__ or ""
    block = doc.split("The tree::", 1)[1].split("\n\n", 2)[1]
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in block.splitlines():
        match = re.search(r"([A-Z][A-Za-z]+(?:Error))\b", line)
        if match is None:
            continue
        depth = match.start()
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[match.group(1)] = stack[-1][1] if stack else None
        stack.append((depth, match.group(1)))
    return parents


def _classes() -> dict[str, type[BaseException]]:
    return {
        name: cls
        for name, cls in vars(errors).items()
        if inspect.isclass(cls)
        and issubclass(cls, BaseException)
        and cls.__module__ == errors.__name__
    }


def test_every_exception_is_drawn_once() -> None:
    assert set(_drawn_tree()) == set(_classes())
    assert set(errors.__all__) == set(_classes())


def test_the_drawing_matches_the_classes() -> None:
    classes = _classes()
    for name, parent in _drawn_tree().items():
        bases = [b.__name__ for b in classes[name].__bases__ if b.__module__ == errors.__name__]
        assert bases == ([] if parent is None else [parent]), name
