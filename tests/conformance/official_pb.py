"""The official protobuf classes (``ibapi.protobuf.*_pb2``), for oracle tests.

Importing this module skips the importing test module when the ``conformance``
extra (``ibapi-latest``, which brings ``protobuf``) is not installed.  Also: the
conversions between pb2 objects and the dicts of :mod:`ibwire.protobuf`.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest

_REASON = "needs the conformance extra: pip install 'ibwire[conformance]' (ibapi-latest, protobuf)"
pytest.importorskip("google.protobuf", reason=_REASON)
official = pytest.importorskip("ibapi.protobuf", reason=_REASON)


def _load() -> dict[str, Any]:
    classes: dict[str, Any] = {}
    for info in pkgutil.iter_modules(official.__path__):
        if not info.name.endswith("_pb2"):
            continue
        module = importlib.import_module(f"{official.__name__}.{info.name}")
        for name in module.DESCRIPTOR.message_types_by_name:
            classes[name] = getattr(module, name)
    return classes


#: Every official protobuf message class, by message name.
CLASSES: dict[str, Any] = _load()


def is_map(field: Any) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def to_dict(message: Any) -> dict[str, Any]:
    """A pb2 message as ibwire's dict: every field, ``None`` when absent."""
    out: dict[str, Any] = {}
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if is_map(field):
            out[field.name] = dict(value)
        elif field.is_repeated:
            nested = field.message_type is not None
            out[field.name] = [to_dict(item) if nested else item for item in value]
        elif message.HasField(field.name):
            out[field.name] = to_dict(value) if field.message_type is not None else value
        else:
            out[field.name] = None
    return out


def from_dict(name: str, values: dict[str, Any]) -> Any:
    """ibwire's dict as a pb2 message of class ``name``."""
    cls = CLASSES[name]
    message = cls()
    for field in cls.DESCRIPTOR.fields:
        value = values.get(field.name)
        if value is None:
            continue
        target = getattr(message, field.name)
        if is_map(field):
            target.update(value)
        elif field.is_repeated and field.message_type is not None:
            for item in value:
                target.add().CopyFrom(from_dict(field.message_type.name, item))
        elif field.is_repeated:
            target.extend(value)
        elif field.message_type is not None:
            target.CopyFrom(from_dict(field.message_type.name, value))
            getattr(message, field.name).SetInParent()
        else:
            setattr(message, field.name, value)
    return message
