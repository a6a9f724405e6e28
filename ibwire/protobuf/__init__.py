"""The protobuf form of the TWS API (server versions 201 and later), without a
runtime dependency.

* :mod:`ibwire.protobuf.wire`: varints, lengths, unknown-field skipping, the
  decode error.
* :mod:`ibwire.protobuf.schema`: our table of IB's protobuf messages
  (:data:`SCHEMA`).
* :mod:`ibwire.protobuf.compiler`: flat encoders and decoders generated per
  message (:class:`ProtobufCodec`).

:func:`decode` and :func:`encode` use one shared codec over :data:`SCHEMA`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .compiler import ProtobufCodec, ProtobufEncodeError
from .schema import SCHEMA, FieldSpec, Kind, MessageSpec
from .wire import PbDict, PbValue, ProtobufDecodeError

__all__ = [
    "CODEC",
    "SCHEMA",
    "FieldSpec",
    "Kind",
    "MessageSpec",
    "PbDict",
    "PbValue",
    "ProtobufCodec",
    "ProtobufDecodeError",
    "ProtobufEncodeError",
    "decode",
    "encode",
]

#: The shared codec of every message in :data:`SCHEMA`.
CODEC: Final = ProtobufCodec(SCHEMA)


def decode(name: str, data: bytes) -> PbDict:
    """Decode ``data`` as the protobuf message ``name`` (see :class:`ProtobufCodec`).

    Raises:
        ProtobufDecodeError: the body is malformed.
        KeyError: no such message.
    """
    return CODEC.decode(name, data)


def encode(name: str, values: Mapping[str, Any]) -> bytes:
    """Encode ``values`` as the protobuf message ``name``.

    Raises:
        ProtobufEncodeError: a value of the wrong type or out of range.
        KeyError: no such message.
    """
    return CODEC.encode(name, values)
