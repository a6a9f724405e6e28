from __future__ import annotations

import sys
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from ibwire.messages.common import ComboLeg, Contract, DeltaNeutralContract
from ibwire.protobuf.compiler import ProtobufCodec, ProtobufEncodeError
from ibwire.protobuf.mapper import Conv, Link, ObjectMap, format_multiplier
from ibwire.protobuf.schema import parse_table


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


def test_a_value_that_does_not_convert_is_named() -> None:
    deltas = ObjectMap(DeltaNeutralContract, [Link("delta", "delta", Conv.DECIMAL)])
    contracts = ObjectMap(Contract, [
        Link("multiplier", "multiplier", Conv.MULTIPLIER, skip=""),
        Link("deltaNeutralContract", "delta_neutral_contract", Conv.OBJECT, deltas),
    ])  # fmt: skip
    with pytest.raises(ProtobufEncodeError) as caught:
        contracts.write(Contract(multiplier="x50"))
    assert caught.value.field_name == "multiplier"
    assert str(caught.value).startswith("Contract.multiplier: 'x50' is not a number")
    nan = DeltaNeutralContract(delta=Decimal("NaN"))  # type: ignore[arg-type]
    with pytest.raises(ProtobufEncodeError) as caught:
        contracts.write(Contract(multiplier="50", delta_neutral_contract=nan))
    assert caught.value.field_name == "delta_neutral_contract.delta"
    assert str(caught.value).startswith("Contract.delta_neutral_contract.delta: cannot send")
    assert contracts.write(Contract(multiplier="1e3")) == {"multiplier": 1000.0}


def test_an_unset_multiplier_reads_as_no_multiplier() -> None:
    # The official decoder's floatMaxString gives "" for UNSET_DOUBLE.
    from ibwire.protobuf import CODEC
    from ibwire.protobuf.objects import CONTRACT

    unset = sys.float_info.max
    assert format_multiplier(unset) == ""
    data = CODEC.encode("Contract", {"symbol": "ES", "multiplier": unset})
    for _ in range(2):  # the second read from the cache
        assert CONTRACT.read(CODEC.decode("Contract", data)).multiplier == ""
        assert CONTRACT.fused(CODEC, "Contract")(data, 0, len(data)).multiplier == ""


ITEM = parse_table("""
Item
    1 name string; 2 size string; 3 note string; 4 flags map; 5 count int32
""")
EXTRAS = ("size", "note", "flags", "count", "name")


@pytest.mark.parametrize("values", [
    {"name": "a", "size": "1.5", "note": "n", "flags": {"k": "v"}, "count": 3},
    {"name": None, "size": None, "note": None, "flags": {}, "count": None},
    {"name": "", "size": "", "note": "", "flags": {}, "count": 0},
])  # fmt: skip
def test_extras_come_beside_the_object_as_decoded(values: dict[str, object]) -> None:
    codec = ProtobufCodec(ITEM)
    objects = ObjectMap(Slotted, LINKS, extras=EXTRAS)
    data = codec.encode("Item", values)
    fused = objects.fused(codec, "Item")(data, 0, len(data))
    assert fused == objects.read(codec.decode("Item", data))
    obj, extras = fused
    assert obj == ObjectMap(Slotted, LINKS).read(codec.decode("Item", data))
    # As decoded: text, not the Decimal or the missing value the links make.
    assert extras == tuple(values[name] for name in EXTRAS)


def test_an_extra_cannot_be_a_linked_nested_message() -> None:
    legs = ObjectMap(ComboLeg, [Link("conId", "con_id")])
    with pytest.raises(ValueError, match="linked nested message"):
        ObjectMap(Contract, [Link("comboLegs", "combo_legs", Conv.OBJECTS, legs)], extras=("comboLegs",))
    with pytest.raises(ValueError, match="no field"):
        ObjectMap(Slotted, LINKS, extras=("nope",)).fused(ProtobufCodec(ITEM), "Item")


def test_defaults_stand_in_for_unlinked_attributes() -> None:
    shared = [7]
    objects = ObjectMap(Slotted, LINKS, defaults={"extra": shared})
    built = objects.read({"name": "a", "size": None})
    assert built.extra is shared and objects.read({"name": "b", "size": None}).extra is shared
    keyword = ObjectMap(Plain, [Link("name", "name")], defaults={"size": Decimal(2)})
    assert keyword.read({"name": "c"}) == Plain(name="c", size=Decimal(2))
    with pytest.raises(ValueError, match="unknown or linked"):
        ObjectMap(Slotted, LINKS, defaults={"name": "x"}).read({"name": None, "size": None})
    with pytest.raises(ValueError, match="unknown or linked"):
        ObjectMap(Slotted, LINKS, defaults={"nope": 1}).read({"name": None, "size": None})
