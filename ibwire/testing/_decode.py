"""Recorded frames back into messages: text or protobuf, either direction, any version.

A session file keeps frames as they were on the wire: text fields up to server
version 200, and from 201 (raw 4-byte ids, protobuf bodies) the whole payload.
:class:`FrameReader` decodes either into our typed messages, as the receiving
side would: frames the server sent as a client decodes them, frames the client
sent as TWS does.  ``ibwire log``, the recorder (the client id of startApi) and
the replay (comparing protobuf requests) share it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..codec import Codec
from ..errors import MalformedMessageError
from ..messages import Message
from ..protobuf.catalogue import PROTOBUF_ID_OFFSET
from ..protobuf.forms import ProtobufForms
from ..versions import PROTOBUF_VERSION

__all__ = ["FrameReader", "raw_id"]


def raw_id(payload: bytes) -> int | None:
    """The message id of a payload framed from server version 201 (raw 4-byte id;
    protobuf ids are above 200), or ``None`` for a payload too short to have one."""
    if len(payload) < 4:
        return None
    return int.from_bytes(payload[:4], "big")


class FrameReader:
    """Decodes recorded frames; keeps one codec per version and direction.

    ``incoming`` is ``True`` for a frame the server sent.
    """

    def __init__(self) -> None:
        self._codecs: dict[tuple[int, bool], Codec] = {}
        # Keyed by (version, server end).
        self._forms: dict[tuple[int, bool], ProtobufForms] = {}

    def codec(self, version: int, *, incoming: bool) -> Codec:
        """The text codec of the receiving side at ``version``."""
        key = (version, incoming)
        codec = self._codecs.get(key)
        if codec is None:
            codec = self._codecs[key] = Codec(version, server=not incoming)
        return codec

    def fields(self, fields: Sequence[str], version: int, *, incoming: bool) -> Message:
        """Decode a text frame given as its fields (id first).

        Raises:
            KeyError: the id is not a message of that direction.
            MalformedMessageError: the fields do not fit the layout.
        """
        return self.codec(version, incoming=incoming).decode(list(fields))

    def payload(self, payload: bytes, version: int, *, incoming: bool) -> Message:
        """Decode a frame payload framed from version 201: raw id, then a text or
        protobuf body.

        Raises:
            KeyError: the id is not a message of that direction.
            MalformedMessageError: the payload has no id, or its body does not decode.
        """
        msg_id = raw_id(payload)
        if msg_id is None or version < PROTOBUF_VERSION:
            raise MalformedMessageError(None, (), f"a frame of {len(payload)} bytes has no 4-byte message id")
        body = payload[4:]
        if msg_id <= PROTOBUF_ID_OFFSET:
            text = body.decode("utf-8", "replace")
            if not text.endswith("\0"):
                raise MalformedMessageError(msg_id, (), "a text body that does not end with NUL")
            return self.fields([str(msg_id), *text[:-1].split("\0")], version, incoming=incoming)
        forms = self._forms_of(version, server=not incoming)
        decode = forms.heads.get(payload[:4])
        if decode is None:
            raise KeyError(msg_id)
        try:
            return decode(payload)
        except Exception as exc:  # the one boundary: a typed error with the evidence
            raise forms.explain(msg_id, body, exc) from exc

    def encode(self, message: Message, version: int, *, incoming: bool) -> bytes:
        """The payload of ``message`` from version 201 as its sender writes it
        (protobuf at or after its gate, else text), to compare with a recording.

        Raises:
            IBWireError: the message cannot be encoded at ``version``.
        """
        payload = self._forms_of(version, server=incoming).encode(message)
        if payload is not None:
            return payload
        parts = self.codec(version, incoming=not incoming).encode(message)
        body = "".join(part + "\0" for part in parts[1:]).encode("utf-8")
        return int(parts[0]).to_bytes(4, "big") + body

    def _forms_of(self, version: int, *, server: bool) -> ProtobufForms:
        key = (version, server)
        forms = self._forms.get(key)
        if forms is None:
            forms = self._forms[key] = ProtobufForms(version, server=server)
        return forms
