"""Flat converters between protobuf dicts and our message and domain classes.

A family declares, per class, how its attributes pair with protobuf fields
(:class:`Link`); :class:`ObjectMap` generates two flat functions from that once:
``read(dict) -> object`` and ``write(object) -> dict``, and, for the hot path of
incoming frames, a *fused* reader that goes from the protobuf bytes to the object
with no dict between (:meth:`ObjectMap.fused`, :meth:`ObjectMap.payload_reader`,
:func:`build_reader`).

Reading keeps the official decoder's rule: an absent field leaves the attribute
at its class default (which mirrors the official default), unless the link names
a ``missing`` value.  Writing leaves out ``None`` and the link's ``skip`` value,
so a request writes exactly the fields the official ``client_utils.create*Proto``
functions write; a nested object that is present is always written, even empty.
"""

from __future__ import annotations

import dataclasses
import enum
import linecache
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from .._record import builder, dataclass
from ..fields import _DECIMAL_CACHE as DECIMAL_CACHE
from ..fields import UNSET_DOUBLE, format_decimal, opt_decimal
from ..messages.common import TagValue
from ..messages.ticktypes import TickType
from .compiler import ProtobufCodec, ProtobufEncodeError, parse_lines
from .schema import Kind
from .wire import PbDict

__all__ = [
    "NOTHING",
    "build_reader",
    "Conv",
    "Link",
    "ObjectMap",
    "format_multiplier",
    "options_map",
    "options_text",
]


class _Nothing(enum.Enum):
    NOTHING = "nothing"


#: "No value": a link without ``skip`` or ``missing``.
NOTHING: Final = _Nothing.NOTHING


class Conv(enum.Enum):
    """How a value changes between its protobuf field and its attribute."""

    #: The same value both ways.
    SAME = "same"
    #: Protobuf decimal text <-> :class:`~decimal.Decimal` (``None`` for unset text).
    DECIMAL = "decimal"
    #: Protobuf double <-> the official multiplier text (``floatMaxString``).
    MULTIPLIER = "multiplier"
    #: Protobuf bool <-> an int flag 0/1 (``Execution.liquidation``).
    FLAG = "flag"
    #: Protobuf decimal text <-> int (``CommissionAndFeesReport.yieldRedemptionDate``).
    INT_TEXT = "int_text"
    #: Protobuf decimal text <-> float (``ContractDetails.minTick``, ``TickReqParams.minTick``).
    FLOAT_TEXT = "float_text"
    #: Protobuf double <-> int when whole, else the float (``ContractDetails.evMultiplier``,
    #: an int in the text form; a fraction, NaN or infinity is kept as the double).
    INT_DOUBLE = "int_double"
    #: ``map<string, string>`` <-> tuple of :class:`~ibwire.messages.common.TagValue`.
    TAG_VALUES = "tag_values"
    #: Protobuf double <-> float, IB's unset double (the largest one) read as
    #: ``None`` (``OrderState`` margins, as their text form reads).
    MAX_DOUBLE = "max_double"
    #: Protobuf int32 0/1 <-> bool (``Order.usePriceMgmtAlgo`` and kin).
    INT_BOOL = "int_bool"
    #: Protobuf int32 <-> :class:`~ibwire.messages.ticktypes.TickType` (``TickSize.tickType``).
    TICK_TYPE = "tick_type"
    #: Repeated scalar <-> tuple.
    TUPLE = "tuple"
    #: ``map<string, string>`` <-> ``"tag=value;"`` option text (``chartOptions``):
    #: the options our text-form classes carry as one field.
    OPTIONS = "options"
    #: Nested message <-> object (:attr:`Link.nested`).
    OBJECT = "object"
    #: Repeated nested message <-> tuple of objects (:attr:`Link.nested`).
    OBJECTS = "objects"


@dataclass(frozen=True, slots=True)
class Link:
    """One attribute paired with one protobuf field.

    Attributes:
        pb: the protobuf field name.
        attr: the attribute name.
        conv: the conversion.
        nested: the map of the nested object, for :attr:`Conv.OBJECT` and
            :attr:`Conv.OBJECTS`.
        skip: written only when different from this value (``None`` is never
            written).
        missing: the attribute's value when the field is absent (by default the
            class default; for :attr:`Conv.OBJECT` ``{}`` reads an empty message).
    """

    pb: str
    attr: str
    conv: Conv = Conv.SAME
    nested: ObjectMap | None = None
    skip: object = NOTHING
    missing: object = NOTHING


def format_multiplier(value: float) -> str:
    """A multiplier double as the official decoder keeps it (``floatMaxString``):
    ``UNSET_DOUBLE`` is unset, the empty text."""
    if value == UNSET_DOUBLE:
        return ""
    return f"{value:.8f}".rstrip("0").rstrip(".")


#: Multiplier texts by their positive double (a few dozen exist: 100, 1000...);
#: a dict hit is several times cheaper than formatting.  Zero and negative
#: values are not kept: -0.0 equals 0.0 but formats differently.
_MULTIPLIERS: dict[float, str] = {}
#: Quantities by their protobuf bytes, read strictly as UTF-8 (the text
#: codec's cache of :mod:`ibwire.fields` reads bytes more leniently).
_DECIMALS_BY_BYTES: dict[bytes, Decimal | None] = {}
_CACHE_LIMIT: Final = 4096


def _cached_multiplier(value: float) -> str:
    text = format_multiplier(value)
    if value > 0:
        if len(_MULTIPLIERS) >= _CACHE_LIMIT:
            _MULTIPLIERS.clear()
        _MULTIPLIERS[value] = text
    return text


def _decimal_from_bytes(data: bytes) -> Decimal | None:
    value = opt_decimal(data.decode())
    if len(_DECIMALS_BY_BYTES) >= _CACHE_LIMIT:
        _DECIMALS_BY_BYTES.clear()
    _DECIMALS_BY_BYTES[data] = value
    return value


def _multiplier_value(text: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        # The official createContractProto raises the same ValueError.
        raise ValueError(
            f"{text!r} is not a number (the protobuf form carries a multiplier as a double)"
        ) from None


def options_text(values: Mapping[str, str]) -> str:
    """A protobuf options map as the ``"tag=value;"`` text of the text form."""
    return "".join(f"{tag}={value};" for tag, value in values.items())


def options_map(text: str) -> dict[str, str]:
    """``"tag=value;"`` option text as the protobuf options map (the official
    ``fillTagValueList``; later tags win)."""
    values: dict[str, str] = {}
    for item in text.split(";"):
        if item:
            tag, _, value = item.partition("=")
            values[tag] = value
    return values


class _Redo(Exception):
    """A fused reader met what only the general path reads (a nested message
    that occurs twice); the caller decodes the message again that way."""


def _redo() -> None:
    raise _Redo


class ObjectMap:
    """The generated reader and writer of one class.

    Args:
        cls: the class (a message or a domain object, keyword-constructed).
        links: its attributes paired with protobuf fields.
        extras: protobuf field names whose decoded values (``None`` absent,
            lists, dicts) the readers return beside the object, for a caller
            that reads more than the links say: with extras, ``read`` and the
            fused reader return ``(object, (value, ...))``.
        defaults: values of attributes no link sets, in place of the class
            defaults: an immutable value made once instead of a factory call
            per object.
    """

    def __init__(
        self,
        cls: type[Any],
        links: Sequence[Link],
        extras: Sequence[str] = (),
        defaults: Mapping[str, object] | None = None,
    ) -> None:
        self.cls = cls
        self.links: tuple[Link, ...] = tuple(links)
        self.extras: tuple[str, ...] = tuple(extras)
        self.defaults: dict[str, object] = dict(defaults or {})
        for link in self.links:
            if link.pb in self.extras and link.conv in (Conv.OBJECT, Conv.OBJECTS):
                # The fused reader holds those as objects, the dict path as dicts.
                raise ValueError(f"{cls.__name__}: extra {link.pb!r} is a linked nested message")
        self._read: Callable[[PbDict], Any] | None = None
        self._write: Callable[[Any], dict[str, Any]] | None = None
        self._fused: dict[str, Callable[[bytes, int, int], Any]] = {}

    def read(self, values: PbDict) -> Any:
        """The object from a decoded protobuf dict."""
        if self._read is None:
            self._compile()
            assert self._read is not None
        return self._read(values)

    def write(self, obj: Any) -> dict[str, Any]:
        """The protobuf dict of ``obj``.

        Raises:
            ProtobufEncodeError: an attribute's value does not convert (a
                multiplier that is not a number, a NaN quantity); its
                ``field_name`` is the attribute (dotted through nested objects).
        """
        if self._write is None:
            self._compile()
            assert self._write is not None
        try:
            return self._write(obj)
        except Exception as exc:  # noqa: BLE001 - named below, off the normal path
            raise self._write_error(obj, exc) from exc

    def _write_error(self, obj: Any, exc: Exception) -> Exception:
        """The error of writing ``obj``, naming the attribute whose link raised
        ``exc`` (found by writing each link alone); ``exc`` itself when no link
        raises alone."""
        namespace = self._namespace()
        for index, link in enumerate(self.links):
            lines = ["def write(o):", "    d = {}"]
            lines += ["    " + line for line in self._write_link(index, link, namespace)]
            exec("\n".join(lines) + "\n", namespace)
            try:
                namespace["write"](obj)
            except Exception as error:  # noqa: BLE001 - what is looked for
                path = link.attr
                reason = str(error)
                if isinstance(error, ProtobufEncodeError) and error.field_name is not None:
                    # A nested object's write named its own attribute.
                    path = f"{path}.{error.field_name}"
                    reason = reason.partition(": ")[2]
                return ProtobufEncodeError(
                    f"{type(obj).__name__}.{path}: {reason}", field_name=path
                )
        return exc

    def fused(self, codec: ProtobufCodec, name: str) -> Callable[[bytes, int, int], Any]:
        """The reader of protobuf message ``name`` straight from its bytes:
        ``reader(buf, pos, end) -> object``, the same object as
        ``read(codec.decode(name, buf[pos:end]))`` without the dict between.

        Nested objects are read by their maps' fused readers.  It raises what the
        dict path raises on the same bytes, or something else on bad input or a
        nested message that occurs twice: a caller that wants the dict path's
        errors (and its merge of repeated nested messages) decodes again that
        way when it raises (see :class:`~ibwire.protobuf.forms.ProtobufForms`).
        """
        found = self._fused.get(name)
        if found is None:
            found = self._compile_fused(codec, name)
        return found

    def _namespace(self) -> dict[str, Any]:
        return {
            "_cls": self.cls,
            "_new": object.__new__,
            "_dec": opt_decimal,
            "_decimals": DECIMAL_CACHE,
            "_fmt_dec": format_decimal,
            "_mult": _cached_multiplier,
            "_mults": _MULTIPLIERS,
            "_dec_raw": _decimal_from_bytes,
            "_decimals_raw": _DECIMALS_BY_BYTES,
            "_mult_value": _multiplier_value,
            "_UNSET_DOUBLE": UNSET_DOUBLE,
            "_opt_text": options_text,
            "_opt_map": options_map,
            "Decimal": Decimal,
            "_TagValue": TagValue,
            "_TickType": TickType,
            "_tick_types": TickType._value2member_map_,
        }

    def _compile(self) -> None:
        namespace = self._namespace()
        sources = {link.pb: f"d[{link.pb!r}]" for link in self.links}
        body = self._reader_body(namespace, sources, fused=False)
        body = self._with_extras(body, [f"d[{name!r}]" for name in self.extras])
        read = ["def read(d):"] + ["    " + line for line in body]
        write = ["def write(o):", "    d = {}"]
        for index, link in enumerate(self.links):
            write += ["    " + line for line in self._write_link(index, link, namespace)]
        write.append("    return d")
        source = "\n".join(read) + "\n\n" + "\n".join(write) + "\n"
        filename = f"<ibwire.protobuf.mapper {self.cls.__name__}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), namespace)
        self._read = namespace["read"]
        self._write = namespace["write"]

    def payload_reader(
        self, codec: ProtobufCodec, name: str, fallback: Callable[[bytes], Any]
    ) -> Callable[[bytes], Any]:
        """The fused reader of a frame payload: a 4-byte id, then message ``name``.

        Any exception (bad bytes, a nested message sent twice) hands the payload
        to ``fallback``, the general path, which decodes it or raises its typed
        error: the reader's result is the general path's on every input.
        """
        return self._compile_fused(codec, name, fallback)

    def _compile_fused(
        self, codec: ProtobufCodec, name: str, fallback: Callable[[bytes], Any] | None = None
    ) -> Callable[..., Any]:
        spec = codec.specs[name]
        namespace = codec.parse_namespace(name)
        namespace.update(self._namespace())
        namespace["_redo"] = _redo
        index_of = {field.name: index for index, field in enumerate(spec.fields)}
        calls: dict[str, str] = {}
        for index, link in enumerate(self.links):
            if link.pb not in index_of:
                raise ValueError(f"{name} has no field {link.pb!r} ({self.cls.__name__})")
            if link.conv in (Conv.OBJECT, Conv.OBJECTS):
                assert link.nested is not None
                nested = spec.fields[index_of[link.pb]].message
                assert nested is not None
                namespace[f"_fused{index}"] = link.nested.fused(codec, nested)
                calls[link.pb] = f"_fused{index}"
        sources = {link.pb: f"f{index_of[link.pb]}" for link in self.links}
        missing = [name for name in self.extras if name not in index_of]
        if missing:
            raise ValueError(f"{name} has no field(s) {missing} ({self.cls.__name__})")
        extras = set(self.extras)
        # Quantities stay bytes until their Decimal (cached by the bytes).  An
        # extra is returned as decoded: never raw, never plain.
        raw = {
            link.pb for link in self.links
            if link.conv is Conv.DECIMAL and spec.fields[index_of[link.pb]].kind is Kind.STRING
            and not spec.fields[index_of[link.pb]].repeated and link.pb not in extras
        }  # fmt: skip
        # Plain singular scalars start at their absent value (the class default or
        # the link's missing value) instead of None: the object takes the local
        # as it is.  Not members of a oneof (reading one member clears the others
        # to None).
        plain = {
            link.pb for link in self.links
            if link.conv is Conv.SAME and not spec.fields[index_of[link.pb]].repeated
            and spec.fields[index_of[link.pb]].message is None
            and spec.fields[index_of[link.pb]].kind is not Kind.MAP
            and spec.fields[index_of[link.pb]].oneof is None and link.pb not in extras
        }  # fmt: skip
        initial: dict[str, str] = {}
        build = self._reader_body(
            namespace, sources, fused=True, plain=plain, initial=initial, raw=raw
        )
        build = self._with_extras(build, [f"f{index_of[name]}" for name in self.extras])
        body = parse_lines(spec, calls, raw=raw, initial=initial)
        body += ["    " + line for line in build]
        if fallback is None:
            lines = ["def fused(buf, pos, end):"] + body
            where = name
        else:
            # One call per frame: the try block costs nothing until it raises.
            namespace["_fallback"] = fallback
            lines = ["def fused(buf):", "    try:", "        pos = 4", "        end = len(buf)"]
            lines += ["    " + line for line in body]
            lines += ["    except Exception:", "        return _fallback(buf)"]
            where = f"{name} frame"
        source = "\n".join(lines) + "\n"
        filename = f"<ibwire.protobuf.mapper {self.cls.__name__} from {where}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), namespace)
        reader: Callable[..., Any] = namespace["fused"]
        if fallback is None:
            self._fused[name] = reader
        return reader

    @staticmethod
    def _with_extras(body: list[str], values: Sequence[str]) -> list[str]:
        """``body`` returning the extras' values beside the object."""
        if not values:
            return body
        last = body[-1]
        assert last.startswith("return "), last
        return body[:-1] + [f"{last}, ({', '.join(values)},)"]

    def _reader_body(
        self,
        ns: dict[str, Any],
        sources: Mapping[str, str],
        *,
        fused: bool,
        plain: Collection[str] = (),
        initial: dict[str, str] | None = None,
        raw: Collection[str] = (),
    ) -> list[str]:
        """The lines that build the object from ``sources``.  A link in ``plain``
        is stored as it is; the expression of its absent value goes in
        ``initial``, for the reader to start its local with.  A quantity in
        ``raw`` is read from its bytes."""
        fields = _slotted_fields(self.cls)
        if fields is None:
            # Not a slotted dataclass: keyword construction, class defaults for
            # absent fields.
            by_keyword = ["kw = {}"]
            for number, (attr, value) in enumerate(self.defaults.items()):
                ns[f"_given{number}"] = value
                by_keyword.append(f"kw[{attr!r}] = _given{number}")
            for index, link in enumerate(self.links):
                by_keyword += self._read_link(
                    index, link, ns, f"kw[{link.attr!r}]", None, sources[link.pb], fused,
                    link.pb in raw,
                )
            return by_keyword + ["return _cls(**kw)"]
        # A slotted record: built as the text codec builds decoded objects, with
        # plain slot stores on its builder twin, then frozen by a class change
        # (ibwire._record.builder; about 4x faster for a Contract than
        # the keyword __init__, benchmarks/bench_protobuf.py).
        by_attr = {link.attr: (index, link) for index, link in enumerate(self.links)}
        unknown = set(by_attr) - {fld.name for fld in fields}
        if unknown:
            raise ValueError(f"{self.cls.__name__} has no attribute(s) {sorted(unknown)}")
        ns["_builder"] = builder(self.cls)
        lines = ["o = _new(_builder)"]
        wrong = (set(self.defaults) - {fld.name for fld in fields}) | (set(self.defaults) & set(by_attr))
        if wrong:
            raise ValueError(f"{self.cls.__name__}: a default for an unknown or linked {sorted(wrong)}")
        for number, fld in enumerate(fields):
            if fld.name in self.defaults:
                ns[f"_given{number}"] = self.defaults[fld.name]
                lines.append(f"o.{fld.name} = _given{number}")
                continue
            if fld.default is None:
                default: str | None = "None"
            elif fld.default is not dataclasses.MISSING:
                ns[f"_default{number}"] = fld.default
                default = f"_default{number}"
            elif fld.default_factory is not dataclasses.MISSING:
                ns[f"_factory{number}"] = fld.default_factory
                default = f"_factory{number}()"
            else:
                default = None
            target = f"o.{fld.name}"
            found = by_attr.get(fld.name)
            if found is None:
                if default is None:
                    raise ValueError(f"{self.cls.__name__}.{fld.name} is required but not linked")
                lines.append(f"{target} = {default}")
                continue
            index, link = found
            if default is None and link.missing is NOTHING:
                raise ValueError(
                    f"{self.cls.__name__}.{fld.name} is required: its link needs a missing value"
                )
            if link.pb in plain and initial is not None:
                absent = default
                if link.missing is not NOTHING:
                    ns[f"_missing{index}"] = link.missing
                    absent = f"_missing{index}"
                assert absent is not None
                initial[link.pb] = _literal(ns, absent)
                lines.append(f"{target} = {sources[link.pb]}")
                continue
            lines += self._read_link(
                index, link, ns, target, default, sources[link.pb], fused, link.pb in raw
            )
        return lines + ["o.__class__ = _cls", "return o"]

    @staticmethod
    def _read_link(
        index: int,
        link: Link,
        ns: dict[str, Any],
        target: str,
        default: str | None,
        source: str,
        fused: bool,
        raw: bool = False,
    ) -> list[str]:
        """Lines that read ``link`` from ``source`` into ``target``; when absent,
        the link's ``missing`` value, else ``default`` (``None``: leave ``target``
        unset).  ``fused``: a nested object is already read.  ``raw``: a
        quantity comes as its bytes."""
        conv = link.conv
        if link.nested is not None:
            ns[f"_read{index}"] = link.nested.read
        value = {
            Conv.SAME: "v",
            # opt_decimal's cache first: a call costs more than the lookup.
            Conv.DECIMAL: (
                "_decimals_raw[v] if v in _decimals_raw else _dec_raw(v)"
                if raw
                else "_decimals[v] if v in _decimals else _dec(v)"
            ),
            Conv.MULTIPLIER: "_mults[v] if v in _mults else _mult(v)",
            Conv.FLAG: "1 if v else 0",
            Conv.INT_TEXT: "int(v)",
            Conv.FLOAT_TEXT: "float(v)",
            Conv.INT_DOUBLE: "int(v) if v.is_integer() else v",
            Conv.TAG_VALUES: "tuple([_TagValue(tag=k, value=x) for k, x in v.items()])",
            Conv.MAX_DOUBLE: "None if v == _UNSET_DOUBLE else v",
            Conv.INT_BOOL: "v != 0",
            # The members by value: an enum call costs five times a lookup.
            Conv.TICK_TYPE: "_tick_types[v] if v in _tick_types else _TickType(v)",
            Conv.TUPLE: "tuple(v)",
            Conv.OPTIONS: "_opt_text(v)",
            Conv.OBJECT: "v" if fused else f"_read{index}(v)",
            Conv.OBJECTS: "tuple(v)" if fused else f"tuple([_read{index}(x) for x in v])",
        }[conv]
        if value == "v" and link.missing is NOTHING and default == "None":
            # The value as decoded, None when absent: a plain store.
            return [f"{target} = {source}"]
        if value == "v" and conv is not Conv.OBJECT:
            # The value as decoded: one conditional expression.
            absent = default
            if link.missing is not NOTHING:
                ns[f"_missing{index}"] = link.missing
                absent = f"_missing{index}"
            if absent is not None:
                return [f"{target} = {absent} if (v := {source}) is None else v"]
        lines = [f"v = {source}"]
        if conv in (Conv.TUPLE, Conv.OBJECTS, Conv.TAG_VALUES, Conv.OPTIONS):
            # Repeated fields are lists and maps dicts, empty when absent.
            lines += ["if v:", f"    {target} = {value}"]
        else:
            lines += ["if v is not None:", f"    {target} = {value}"]
        if link.missing is not NOTHING:
            if conv is Conv.OBJECT and link.missing == {}:
                assert link.nested is not None
                ns[f"_empty{index}"] = _empty_values(link.nested)
                lines += ["else:", f"    {target} = _read{index}(_empty{index})"]
            else:
                ns[f"_missing{index}"] = link.missing
                lines += ["else:", f"    {target} = _missing{index}"]
        elif default is not None:
            lines += ["else:", f"    {target} = {default}"]
        return lines

    @staticmethod
    def _write_link(index: int, link: Link, ns: dict[str, Any]) -> list[str]:
        conv = link.conv
        if link.nested is not None:
            ns[f"_write{index}"] = link.nested.write
        value = {
            Conv.SAME: "v",
            Conv.DECIMAL: "_fmt_dec(v)",
            Conv.MULTIPLIER: "_mult_value(v)",
            Conv.FLAG: "v != 0",
            Conv.INT_TEXT: "str(v)",
            Conv.FLOAT_TEXT: "repr(v)",
            Conv.INT_DOUBLE: "float(v)",
            Conv.TAG_VALUES: "{x.tag: x.value for x in v}",
            Conv.MAX_DOUBLE: "v",
            Conv.INT_BOOL: "1 if v else 0",
            Conv.TICK_TYPE: "int(v)",
            Conv.TUPLE: "list(v)",
            Conv.OPTIONS: "_opt_map(v)",
            Conv.OBJECT: f"_write{index}(v)",
            Conv.OBJECTS: f"[_write{index}(x) for x in v]",
        }[conv]
        test = "v is not None"
        if conv in (Conv.TUPLE, Conv.OBJECTS, Conv.TAG_VALUES, Conv.OPTIONS):
            test = "v"
        elif link.skip is not NOTHING:
            ns[f"_skip{index}"] = link.skip
            test = f"v is not None and v != _skip{index}"
        return [f"v = o.{link.attr}", f"if {test}:", f"    d[{link.pb!r}] = {value}"]


def build_reader(
    codec: ProtobufCodec,
    name: str,
    build: Callable[..., Any],
    nested: Mapping[str, ObjectMap],
    fallback: Callable[[bytes], Any],
) -> Callable[[bytes], Any]:
    """A fused reader of a frame payload (a 4-byte id, then message ``name``)
    that ends in a call: ``build(f0, f1, ...)`` with every field of the message
    in field order, as decoded (``None`` absent, lists, dicts), a field named in
    ``nested`` as the object its map reads (``None`` when absent).

    Any exception hands the payload to ``fallback``, as
    :meth:`ObjectMap.payload_reader` does.
    """
    spec = codec.specs[name]
    namespace = codec.parse_namespace(name)
    namespace.update(_build=build, _fallback=fallback, _redo=_redo)
    calls: dict[str, str] = {}
    for index, field in enumerate(spec.fields):
        objects = nested.get(field.name)
        if objects is not None:
            assert field.message is not None
            namespace[f"_fused{index}"] = objects.fused(codec, field.message)
            calls[field.name] = f"_fused{index}"
    arguments = ", ".join(f"f{index}" for index in range(len(spec.fields)))
    lines = ["def fused(buf):", "    try:", "        pos = 4", "        end = len(buf)"]
    lines += ["    " + line for line in parse_lines(spec, calls)]
    lines += [f"        return _build({arguments})", "    except Exception:", "        return _fallback(buf)"]
    source = "\n".join(lines) + "\n"
    filename = f"<ibwire.protobuf.mapper {name} frame to {getattr(build, '__name__', 'build')}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    reader: Callable[[bytes], Any] = namespace["fused"]
    return reader


def _literal(ns: Mapping[str, Any], name: str) -> str:
    """A constant of the namespace as a literal when it is a plain one (a
    constant load instead of a global lookup), else its name."""
    value = ns.get(name)
    if type(value) in (int, str, bool) or (type(value) is float and value == value):
        text = repr(value)
        if text not in ("inf", "-inf"):
            return text
    return name


def _slotted_fields(cls: type[Any]) -> tuple[dataclasses.Field[Any], ...] | None:
    """The fields of a slotted dataclass without ``__post_init__``, else ``None``."""
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        return None
    fields = dataclasses.fields(cls)
    for fld in fields:
        if not hasattr(getattr(cls, fld.name, None), "__set__"):
            return None
    return fields


def _empty_values(nested: ObjectMap) -> Mapping[str, Any]:
    """A decoded empty message for ``nested``: every field it links absent."""
    empty: dict[Conv, Any] = {
        Conv.TUPLE: [],
        Conv.OBJECTS: [],
        Conv.TAG_VALUES: {},
        Conv.OPTIONS: {},
    }
    return {link.pb: empty.get(link.conv) for link in nested.links}
