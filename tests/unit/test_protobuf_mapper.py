from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from ibwire.messages.common import ComboLeg, Contract
from ibwire.protobuf.mapper import Conv, Link, ObjectMap


@dataclass(frozen=True, slots=True, kw_only=True)
class Slotted:
    name: str
    size: Decimal | None = None
    tags: tuple[str, ...] = ()
    extra: list[int] = field(default_factory=list)


class Plain:
    def __init__(self, *, name: str, size: Decimal | None = None) -> None:
        self.name = name
        self.size = size

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Plain) and vars(self) == vars(other)


LINKS = [
    Link("name", "name", missing="?"),
    Link("size", "size", Conv.DECIMAL),
]


def test_slotted_objects_equal_their_init_built_twins() -> None:
    objects = ObjectMap(Slotted, [*LINKS, Link("tags", "tags", Conv.TUPLE)])
    built = objects.read({"name": "a", "size": "1.5", "tags": ["x"]})
    assert built == Slotted(name="a", size=Decimal("1.5"), tags=("x",))
    absent = objects.read({"name": None, "size": None, "tags": []})
    assert absent == Slotted(name="?")
    assert absent.extra == [] and absent.extra is not objects.read(
        {"name": None, "size": None, "tags": []}
    ).extra
    assert objects.write(built) == {"name": "a", "size": "1.5", "tags": ["x"]}


def test_other_classes_are_built_by_keyword() -> None:
    objects = ObjectMap(Plain, LINKS)
    assert objects.read({"name": "b", "size": None}) == Plain(name="b")


def test_a_required_attribute_needs_a_missing_value() -> None:
    with pytest.raises(ValueError, match="needs a missing value"):
        ObjectMap(Slotted, [Link("size", "size", Conv.DECIMAL), Link("name", "name")]).read({})
    with pytest.raises(ValueError, match="required but not linked"):
        ObjectMap(Slotted, [Link("size", "size", Conv.DECIMAL)]).read({})
    with pytest.raises(ValueError, match="no attribute"):
        ObjectMap(Slotted, [*LINKS, Link("nope", "nope")]).read({})


def test_skip_and_nested() -> None:
    legs = ObjectMap(ComboLeg, [Link("conId", "con_id", skip=0)])
    contracts = ObjectMap(Contract, [
        Link("symbol", "symbol", skip=""),
        Link("comboLegs", "combo_legs", Conv.OBJECTS, legs),
    ])  # fmt: skip
    contract = Contract(symbol="", combo_legs=(ComboLeg(con_id=0), ComboLeg(con_id=5)))
    assert contracts.write(contract) == {"comboLegs": [{}, {"conId": 5}]}
    assert contracts.read({"symbol": None, "comboLegs": [{"conId": None}, {"conId": 5}]}) == contract
