"""ibwire.messages._base: what every message class offers to tools that read its annotations."""

from __future__ import annotations

import typing

import pytest

import ibwire.messages as messages
from ibwire.messages._base import Node

CLASSES = sorted(
    (value for value in vars(messages).values() if isinstance(value, type) and value.__module__.startswith("ibwire.messages")),
    key=lambda cls: cls.__name__,
)


def test_the_wire_layout_alias_is_a_real_type() -> None:
    # A string alias would only resolve in the module that defines it.
    assert not isinstance(Node, str)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_the_annotations_of_every_message_class_resolve(cls: type) -> None:
    hints = typing.get_type_hints(cls)
    if "WIRE" in vars(cls):
        assert typing.get_origin(hints["WIRE"]) is typing.ClassVar
