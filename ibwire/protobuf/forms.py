"""The protobuf form of our message classes, per connection side and version.

A :class:`Form` ties one message class (say
:class:`~ibwire.messages.ExecutionData`) to its protobuf message
(``ExecutionDetails``) with two plain functions: protobuf dict -> message and
message -> protobuf dict.  Family modules (:mod:`ibwire.protobuf.executions`, ...)
register their forms, listed in :data:`FAMILIES`.

:class:`ProtobufForms` is what a connection uses once it has negotiated a version
of 201 or later: raw id -> decoder for protobuf frames, message class -> encoder,
and the rule of the official client that a request whose protobuf gate has passed
is never sent as text.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any, Final

from .._record import dataclass
from ..errors import LocalProtocolError
from ..events import UnknownMessage
from ..fields import can_send_double, check_printable_ascii
from ..messages import Message
from . import CODEC
from .catalogue import INCOMING, OUTGOING, PROTOBUF_ID_OFFSET, protobuf_gate
from .compiler import ProtobufCodec, ProtobufEncodeError
from .mapper import ObjectMap, build_reader
from .wire import PbDict, ProtobufDecodeError

__all__ = ["FAMILIES", "Form", "ProtobufForms", "built", "mapped", "register"]

#: Protobuf dict -> message, at the negotiated version.
ToMessage = Callable[[PbDict, int], Message]
#: Message -> protobuf dict, at the negotiated version.
FromMessage = Callable[[Any, int], Mapping[str, Any]]
#: (the codec, the general path) -> a reader of the frame payload straight to
#: the message (see :meth:`ObjectMap.payload_reader`).
Fused = Callable[[ProtobufCodec, Callable[[bytes], Message]], Callable[[bytes], Message]]


@dataclass(frozen=True, slots=True)
class Form:
    """One message class in protobuf form.

    Attributes:
        cls: the message class; its ``MSG_ID`` is the base id of the protobuf frame.
        incoming: whether the class travels server -> client.
        protobuf: the protobuf message name (a key of :data:`~ibwire.protobuf.SCHEMA`).
        since: the version from which the sender uses the protobuf form.  A
            receiver decodes the protobuf form at any version from 201.
        to_message: builds the message from the decoded protobuf dict.
        from_message: builds the protobuf dict from the message.
        fused: makes the reader that builds the message straight from the
            bytes, the same message as ``to_message`` on the decoded dict, at
            every version; ``None``: the dict path only.
    """

    cls: type[Message]
    incoming: bool
    protobuf: str
    since: int
    to_message: ToMessage
    from_message: FromMessage
    fused: Fused | None = None


_REGISTRY: dict[type[Message], Form] = {}
#: (class, version) -> the fused reader of its frames, made on first use.
_FUSED: dict[tuple[type[Message], int], Callable[[bytes], Message]] = {}


def mapped(
    cls: type[Message], protobuf: str, since: int, objects: ObjectMap, *, incoming: bool
) -> Form:
    """The :class:`Form` of a class whose conversion is one :class:`ObjectMap`
    at every version."""
    read = objects.read
    write = objects.write

    def to_message(values: PbDict, version: int) -> Message:
        message: Message = read(values)
        return message

    def from_message(message: Any, version: int) -> Mapping[str, Any]:
        return write(message)

    def fused(
        codec: ProtobufCodec, general: Callable[[bytes], Message]
    ) -> Callable[[bytes], Message]:
        return objects.payload_reader(codec, protobuf, general)

    return Form(cls, incoming, protobuf, since, to_message, from_message, fused)


def built(
    cls: type[Message],
    protobuf: str,
    since: int,
    build: Callable[..., Message],
    from_message: FromMessage,
    *,
    nested: Mapping[str, ObjectMap] | None = None,
    incoming: bool = True,
) -> Form:
    """The :class:`Form` of a class built by a function of the protobuf fields.

    ``build(f0, f1, ...)`` takes every field of the protobuf message in field
    order, as decoded (``None`` for absent, lists, dicts), except that a field
    named in ``nested`` comes as the object its map reads, or ``None``.  Both
    paths call it: the dict path (``to_message``) and the fused reader made
    from the bytes (:func:`~ibwire.protobuf.mapper.build_reader`).
    """
    maps = dict(nested or {})
    names = [field.name for field in CODEC.specs[protobuf].fields]
    readers = {name: objects.read for name, objects in maps.items()}

    def to_message(values: PbDict, version: int) -> Message:
        arguments: list[Any] = []
        for name in names:
            value: Any = values[name]
            read = readers.get(name)
            arguments.append(value if read is None or value is None else read(value))
        return build(*arguments)

    def fused(codec: ProtobufCodec, general: Callable[[bytes], Message]) -> Callable[[bytes], Message]:
        return build_reader(codec, protobuf, build, maps, general)

    return Form(cls, incoming, protobuf, since, to_message, from_message, fused)


def register(*mappings: Form) -> None:
    """Add mappings (done once per family module, at import).

    Raises:
        ValueError: a class mapped twice, or a protobuf message that does not
            belong to the class's id in :mod:`ibwire.protobuf.catalogue`.
    """
    for mapping in mappings:
        if mapping.cls in _REGISTRY:
            raise ValueError(f"{mapping.cls.__name__} is mapped twice")
        table: Mapping[Any, Any] = INCOMING if mapping.incoming else OUTGOING
        entry = table.get(mapping.cls.MSG_ID)
        name = entry if mapping.incoming else (entry[0] if entry else None)
        if name != mapping.protobuf:
            raise ValueError(
                f"{mapping.cls.__name__} (id {mapping.cls.MSG_ID}) travels as {name}, "
                f"not {mapping.protobuf}"
            )
        _REGISTRY[mapping.cls] = mapping


#: The family modules (under :mod:`ibwire.protobuf`) that register mappings.
FAMILIES: Final[tuple[str, ...]] = (
    "executions",
    "system",
    # orders (203-204)
    "orders",
    # market data, contract data, accounts and positions (205-207)
    "market",
    "accounts",
    "contract_data",
    # Historical data, news, scanner and PnL, the rest (208..213), and the
    # protobuf-only configuration messages (219, 221).
    "history",
    "news",
    "scanner",
    "rest",
    "config",
)


def _load_families() -> None:
    for name in FAMILIES:
        importlib.import_module(f"{__package__}.{name}")


def _first_failing(
    name: str, values: PbDict, fails: Callable[[PbDict], bool], prefix: str = ""
) -> str | None:
    """The first field of ``values`` (message ``name``) that makes ``fails``
    true when set, in field order, on the empty message; ``None`` if the empty
    message fails already or no field does."""
    trial = dict(CODEC.decoder(name)(b""))
    if fails(trial):
        return None
    for field in CODEC.specs[name].fields:
        key = field.name
        value = values.get(key)
        if value == trial.get(key):
            continue
        before = dict(trial)
        trial[key] = value
        if not fails(trial):
            continue
        if field.message is not None and isinstance(value, dict):
            inner = _first_failing(
                field.message, value, _within(fails, before, key), f"{prefix}{key}."
            )
            if inner is not None:
                return inner
        return prefix + key
    return None


def _within(
    fails: Callable[[PbDict], bool], outer: PbDict, key: str
) -> Callable[[PbDict], bool]:
    """``fails`` of a nested message ``key`` set on ``outer``."""

    def nested_fails(nested: PbDict) -> bool:
        return fails({**outer, key: nested})

    return nested_fails


def _check_request(values: Mapping[str, Any], what: str, path: str) -> None:
    """Refuse what the text form of a request refuses: text that is not
    printable ASCII, a NaN or minus-infinity double.

    Raises:
        LocalProtocolError: naming the request and the protobuf field.
    """
    for key, value in values.items():
        if type(key) is str and not (key.isascii() and key.isprintable()):
            _check_text(key, what, f"{path} key")
        kind = type(value)
        if kind is str:
            if not (value.isascii() and value.isprintable()):
                _check_text(value, what, f"{path}.{key}")
        elif kind is float:
            if not can_send_double(value):
                raise LocalProtocolError(f"{what}: {path}.{key}: cannot send {value!r} to TWS")
        elif isinstance(value, Mapping):
            _check_request(value, what, f"{path}.{key}")
        elif kind is list or kind is tuple:
            for index, item in enumerate(value):
                _check_request({f"{key}[{index}]": item}, what, path)


def _check_text(text: str, what: str, where: str) -> None:
    bad = check_printable_ascii(text)
    if bad >= 0:
        raise LocalProtocolError(
            f"{what}: {where} holds {text[bad]!r} at index {bad}; "
            "only printable ASCII (and TAB, LF, CR) can be sent"
        )


class ProtobufForms:
    """The protobuf side of one connection end at one version (201 or later).

    Args:
        version: the negotiated server version.
        server: the server end (decodes requests, encodes server messages).
    """

    def __init__(self, version: int, *, server: bool) -> None:
        _load_families()
        self.version = version
        self.server = server
        #: The payload's first four bytes (the raw id as sent: base id + 200) ->
        #: decoder of the frame's payload (that id, then the body): the hot loop
        #: looks a frame up without reading its id.
        self.heads: dict[bytes, Callable[[bytes], Message]] = {}
        self._encoders: dict[type[Message], Callable[[Message], bytes]] = {}
        self._decoded: dict[int, Form] = {}
        for mapping in _REGISTRY.values():
            if mapping.incoming != server:
                raw_id = mapping.cls.MSG_ID + PROTOBUF_ID_OFFSET
                self.heads[raw_id.to_bytes(4, "big")] = self._decoder(mapping)
                self._decoded[raw_id] = mapping
            elif version >= mapping.since:
                self._encoders[mapping.cls] = self._encoder(mapping)

    def _decoder(self, mapping: Form) -> Callable[[bytes], Message]:
        # Generated on first use (a connection meets a few dozen kinds), once per
        # process and version, like the text codec's decoders: connecting
        # compiles nothing.
        name = mapping.protobuf
        build = mapping.to_message
        version = self.version
        head = (mapping.cls.MSG_ID + PROTOBUF_ID_OFFSET).to_bytes(4, "big")
        make = mapping.fused

        def general(payload: bytes) -> Message:
            return build(CODEC.decoder(name)(payload[4:]), version)

        if make is None:

            def first_general(payload: bytes) -> Message:
                decode = CODEC.decoder(name)

                def plain(payload: bytes) -> Message:
                    return build(decode(payload[4:]), version)

                self.heads[head] = plain
                return plain(payload)

            return first_general
        key = (mapping.cls, version)

        def first(payload: bytes) -> Message:
            # Bad bytes, or a nested message sent twice: the fused reader hands
            # the frame to the general path, which decodes (merges) it or raises
            # its typed error.
            decoder = _FUSED.get(key)
            if decoder is None:
                decoder = _FUSED[key] = make(CODEC, general)
            self.heads[head] = decoder
            return decoder(payload)

        return first

    def _encoder(self, mapping: Form) -> Callable[[Message], bytes]:
        cls = mapping.cls

        def first(message: Message) -> bytes:
            # Generated on first use, as the decoders are.
            encoder = self._encoders[cls] = self._build_encoder(mapping)
            return encoder(message)

        return first

    def _build_encoder(self, mapping: Form) -> Callable[[Message], bytes]:
        encode = CODEC.encoder(mapping.protobuf)
        flatten = mapping.from_message
        version = self.version
        head = (mapping.cls.MSG_ID + PROTOBUF_ID_OFFSET).to_bytes(4, "big")

        if self.server:

            def encoder(message: Message) -> bytes:
                return head + encode(flatten(message, version))

            return encoder

        name = mapping.cls.__name__

        def checked(message: Message) -> bytes:
            values = flatten(message, version)
            _check_request(values, name, mapping.protobuf)
            try:
                return head + encode(values)
            except ProtobufEncodeError as exc:
                # The encoder names the protobuf field; the request is named here,
                # as the text encoder names it.
                raise ProtobufEncodeError(f"{name}: {exc}", field_name=exc.field_name) from exc

        return checked

    def encode(self, message: Message) -> bytes | None:
        """The frame payload (raw id + body) of ``message`` in protobuf form, or
        ``None`` when it goes as text at this version.

        A request is held to the rules of its text form: text must be printable
        ASCII (TAB, LF and CR allowed) and a double may not be NaN or minus
        infinity.

        Raises:
            LocalProtocolError: a value cannot be sent.
            UnsupportedByServerError: it needs a newer server version.
        """
        cls = type(message)
        encoder = self._encoders.get(cls)
        if encoder is None:
            return None
        try:
            return encoder(message)
        except LocalProtocolError:
            raise
        except Exception as exc:  # the one boundary for bad user values
            raise LocalProtocolError(
                f"cannot encode {cls.__name__}: {type(exc).__name__}: {exc}"
            ) from exc

    def check_text(self, msg_id: int, name: str) -> None:
        """Refuse to send request ``msg_id`` as text once its protobuf gate passed.

        Raises:
            LocalProtocolError: the official client sends it as protobuf at this
                version, and ibwire has no protobuf form of it yet.
        """
        if self.server:
            return
        gate = protobuf_gate(msg_id)
        if gate is not None and gate <= self.version:
            raise LocalProtocolError(
                f"{name} travels as protobuf from server version {gate}; ibwire does "
                f"not encode it in that form yet (negotiated {self.version}: connect "
                f"with max_version={gate - 1} or lower to send it as text)"
            )

    @staticmethod
    def unknown(raw_id: int, body: bytes) -> UnknownMessage:
        """A protobuf frame with no mapped class: kept whole, its body as hex text."""
        return UnknownMessage(msg_id=raw_id, fields=(str(raw_id), body.hex()))

    def explain(self, raw_id: int, body: bytes, exc: BaseException) -> ProtobufDecodeError:
        """The typed error of a protobuf frame that failed to decode or map; its
        ``fields`` are the raw id and the body as hex text.  A value that decoded
        but did not map is named: ``message_name`` is its protobuf message and
        ``field_name`` its field (dotted through nested messages)."""
        if isinstance(exc, ProtobufDecodeError):
            error = ProtobufDecodeError(exc.reason, msg_id=raw_id)
            error.message_name = exc.message_name
            error.offset = exc.offset
        else:
            form = self._decoded.get(raw_id)
            found = None if form is None else self._failing_field(form, body)
            if found is None:
                error = ProtobufDecodeError(f"{type(exc).__name__}: {exc}", msg_id=raw_id)
            else:
                error = ProtobufDecodeError(
                    f"field {found}: {type(exc).__name__}: {exc}",
                    message_name=form.protobuf if form is not None else None,
                    msg_id=raw_id,
                )
                error.field_name = found
        error.fields = (str(raw_id), body.hex())
        return error

    def _failing_field(self, form: Form, body: bytes) -> str | None:
        """The protobuf field whose value fails to map (the failure path only):
        the fields are set one by one, in field order, on an empty message,
        until the mapping fails."""
        try:
            values = CODEC.decoder(form.protobuf)(body)
        except ProtobufDecodeError:
            return None
        version = self.version

        def fails(candidate: PbDict) -> bool:
            try:
                form.to_message(candidate, version)
            except Exception:  # noqa: BLE001 - what is looked for
                return True
            return False

        return _first_failing(form.protobuf, values, fails)
