"""The protobuf schemas IB defines, as our own table.

One :class:`MessageSpec` per protobuf message of the TWS API (server versions
201 and later), with each field's number, name, kind, and whether it is repeated,
a ``map<string, string>``, a oneof member, or a nested message.  The table itself
is the text in :mod:`ibwire.protobuf._table`; it is parsed once at import.

Every singular field of IB's proto3 schemas is ``optional`` (explicit presence),
so there is no "default value" rule: an absent field decodes to ``None``.
``tests/conformance/test_protobuf_schema.py`` checks every entry against the
official package's descriptors, field by field.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Final

from .._record import dataclass
from ._table import TABLE

__all__ = ["SCHEMA", "FieldSpec", "Kind", "MessageSpec", "parse_table"]


class Kind(enum.Enum):
    """The kind of a field's value."""

    INT32 = "int32"
    INT64 = "int64"
    BOOL = "bool"
    DOUBLE = "double"
    STRING = "string"
    BYTES = "bytes"
    #: A nested message (:attr:`FieldSpec.message` names its type).
    MESSAGE = "message"
    #: ``map<string, string>``.
    MAP = "map"


#: Kinds written as a varint.
VARINT_KINDS: Final = frozenset({Kind.INT32, Kind.INT64, Kind.BOOL})
#: Kinds a repeated field packs (proto3 packs repeated numeric scalars).
PACKED_KINDS: Final = frozenset({Kind.INT32, Kind.INT64, Kind.BOOL, Kind.DOUBLE})


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a protobuf message.

    Attributes:
        number: the field number.
        name: the field name, as IB spells it (``camelCase``).
        kind: the kind of the value.
        repeated: a list (maps are not marked repeated).
        message: the nested message's name, for :attr:`Kind.MESSAGE`.
        oneof: the oneof the field belongs to, if any.
    """

    number: int
    name: str
    kind: Kind
    repeated: bool = False
    message: str | None = None
    oneof: str | None = None

    @property
    def packed(self) -> bool:
        """Whether the field is written packed (a repeated numeric scalar)."""
        return self.repeated and self.kind in PACKED_KINDS


@dataclass(frozen=True, slots=True)
class MessageSpec:
    """One protobuf message: its name and fields in field-number order."""

    name: str
    fields: tuple[FieldSpec, ...]

    def field(self, name: str) -> FieldSpec:
        """The field called ``name``.

        Raises:
            KeyError: no such field.
        """
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.name} has no field {name!r}")


_SCALARS: Final = {kind.value: kind for kind in Kind if kind not in (Kind.MESSAGE,)}


def _parse_field(text: str, where: str) -> FieldSpec:
    parts = text.split()
    if len(parts) not in (3, 4) or not parts[0].isdigit():
        raise ValueError(f"{where}: bad field {text!r}")
    number, name, kind_text = int(parts[0]), parts[1], parts[2]
    oneof = None
    if len(parts) == 4:
        if not parts[3].startswith("|"):
            raise ValueError(f"{where}: bad oneof in {text!r}")
        oneof = parts[3][1:]
    repeated = kind_text.endswith("*")
    kind_text = kind_text.rstrip("*")
    kind = _SCALARS.get(kind_text)
    if kind is None:
        return FieldSpec(number, name, Kind.MESSAGE, repeated, kind_text, oneof)
    return FieldSpec(number, name, kind, repeated, None, oneof)


def parse_table(text: str) -> dict[str, MessageSpec]:
    """Parse a schema table: a message name on its own line, then indented lines
    of ``number name kind`` fields separated by ``;``.  A kind is a scalar
    (``int32 int64 bool double string bytes``), ``map`` (``map<string,string>``)
    or a message name; ``*`` marks a repeated field and ``|name`` a oneof member.

    Raises:
        ValueError: a malformed line, a duplicate message, field number or name,
            or a reference to a message that is not in the table.
    """
    specs: dict[str, MessageSpec] = {}
    name: str | None = None
    fields: list[FieldSpec] = []

    def close() -> None:
        if name is None:
            return
        if name in specs:
            raise ValueError(f"message {name} defined twice")
        numbers = [spec.number for spec in fields]
        names = [spec.name for spec in fields]
        if len(set(numbers)) != len(numbers) or len(set(names)) != len(names):
            raise ValueError(f"message {name}: duplicate field number or name")
        ordered = tuple(sorted(fields, key=lambda spec: spec.number))
        specs[name] = MessageSpec(name, ordered)

    for line in text.splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():
            close()
            name = line.strip()
            fields = []
            continue
        if name is None:
            raise ValueError(f"fields before any message: {line!r}")
        for item in line.split(";"):
            fields.append(_parse_field(item, name))
    close()
    for spec in specs.values():
        for field in spec.fields:
            if field.message is not None and field.message not in specs:
                raise ValueError(f"{spec.name}.{field.name}: unknown message {field.message}")
    return specs


class _Schema(Mapping[str, MessageSpec]):
    """The table, parsed on first use (a connection below 201 never reads it)."""

    _specs: Mapping[str, MessageSpec] | None = None

    def _parsed(self) -> Mapping[str, MessageSpec]:
        specs = self._specs
        if specs is None:
            specs = self._specs = MappingProxyType(parse_table(TABLE))
        return specs

    def __getitem__(self, name: str) -> MessageSpec:
        return self._parsed()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed())

    def __len__(self) -> int:
        return len(self._parsed())


#: Every protobuf message of the TWS API, by name (read-only).
SCHEMA: Final[Mapping[str, MessageSpec]] = _Schema()
