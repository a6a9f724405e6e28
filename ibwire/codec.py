"""The message registry and the decoders and encoders generated from it.

:data:`INCOMING` and :data:`OUTGOING` map wire ids to message classes.  Each class
describes its layout once (``WIRE``, see :mod:`ibwire.messages._base`); for each
negotiated server version this module generates Python source for a flat decoder
and a flat encoder, with every version gate resolved at generation time: no
per-field helper calls, no version ``if`` and no ``try`` on the hot path.  The
source is registered with :mod:`linecache`, so tracebacks through generated code
show the generated lines.

A :class:`Codec` holds the tables of one connection side at one server version.
Decoders are compiled on first use of each message id and cached per
(class, version) for the life of the process, so a reconnect costs nothing.

Errors: a fast decoder simply fails (``IndexError``, ``ValueError``...) on bad
input.  :meth:`Codec.decode` is the single boundary that turns such a failure into
a :class:`~ibwire.errors.MalformedMessageError` naming the field: it re-runs the
message through a *tracing* variant of the same generated decoder, which records
the field index and name as it goes.
"""

from __future__ import annotations

import dataclasses
import itertools
import linecache
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING
from typing import Any, Final

from . import messages as _messages  # noqa: F401  (registers every message class)
from .errors import LocalProtocolError, MalformedMessageError, UnsupportedByServerError
from .fields import TEXT_ERRORS, Kind, helper_namespace, read_id
from .messages._base import (
    INCOMING,
    OUTGOING,
    Bits,
    Const,
    Custom,
    F,
    Message,
    Node,
    Opt,
    Repeat,
    Struct,
    Ver,
    When,
    builder,
    field_names,
    gate,
)
from .versions import ServerVersion

__all__ = [
    "INCOMING",
    "OUTGOING",
    "Codec",
    "Decoder",
    "Encoder",
    "decoder_for",
    "encoder_for",
    "source_of",
]

Decoder = Callable[[list[str]], Message]
Encoder = Callable[[Message], list[str]]


class _ExtraFields(Exception):
    """Raised by generated decoders: fields left over after the layout."""

    def __init__(self, consumed: int) -> None:
        super().__init__(consumed)
        self.consumed = consumed


class _Unsupported(Exception):
    def __init__(self, feature: str, required: int) -> None:
        super().__init__(feature, required)
        self.feature = feature
        self.required = required


_COND_REF: Final = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")
_SUBSCRIPT: Final = re.compile(r"\bf\[(\d+)\]")
_serial = itertools.count()


def _local(path: str) -> str:
    return "v_" + path.replace(".", "__")


def _cond(cond: str) -> str:
    return _COND_REF.sub(lambda m: _local(m.group(1)), cond)


def _uses_ver(nodes: Sequence[Node]) -> bool:
    for node in nodes:
        if isinstance(node, When):
            if re.search(r"\bver\b", node.cond):
                return True
            if _uses_ver(node.then) or _uses_ver(node.otherwise):
                return True
        elif isinstance(node, (Struct, Opt)):
            if _uses_ver(node.wire):
                return True
        elif isinstance(node, Repeat) and isinstance(node.item, Struct):
            if _uses_ver(node.item.wire):
                return True
    return False


def _present_names(nodes: Sequence[Node], version: int) -> set[str]:
    """Names filled by ``nodes`` at ``version`` (When branches included, not nested structs)."""
    names: set[str] = set()
    for node in nodes:
        if not gate(node).present(version):
            continue
        if isinstance(node, When):
            names |= _present_names(node.then, version) | _present_names(node.otherwise, version)
        elif isinstance(node, (Ver, Const)):
            continue
        elif node.name is not None:
            names.add(node.name)
    return names


def _defaults(cls: type) -> dict[str, tuple[bool, Any]]:
    """Field name -> (is_factory, default or factory); missing for required fields."""
    out: dict[str, tuple[bool, Any]] = {}
    for fld in dataclasses.fields(cls):
        if fld.default is not MISSING:
            out[fld.name] = (False, fld.default)
        elif fld.default_factory is not MISSING:
            out[fld.name] = (True, fld.default_factory)
    return out


_bits_tables: dict[Bits, tuple[Any, ...]] = {}


def _bits_table(bits: Bits) -> tuple[Any, ...]:
    """Every value of a bitmask, prebuilt: the objects are frozen, so they are shared.

    A decoder then reads a mask with one tuple index instead of building an object
    per message (``benchmarks/bench_framing.py``, TickPrice).
    """
    table = _bits_tables.get(bits)
    if table is None:
        names = bits.names
        table = tuple(
            bits.cls(**{name: bool(mask >> n & 1) for n, name in enumerate(names)})
            for mask in range(1 << len(names))
        )
        _bits_tables[bits] = table
    return table


_bits_raw_tables: dict[Bits, dict[bytes, Any]] = {}


def _bits_raw(bits: Bits) -> dict[bytes, Any]:
    """Every value of a bitmask by the bytes of its plain spelling (``b"0"``, ``b"5"``)."""
    raw = _bits_raw_tables.get(bits)
    if raw is None:
        raw = {str(mask).encode(): value for mask, value in enumerate(_bits_table(bits))}
        _bits_raw_tables[bits] = raw
    return raw


def _to_mask(bits: Bits) -> Callable[[Any], int]:
    names = bits.names

    def to_mask(value: Any) -> int:
        return sum(1 << n for n, name in enumerate(names) if getattr(value, name))

    return to_mask


class _Source:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.ns: dict[str, Any] = helper_namespace()

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def name_for(self, obj: object, stem: str) -> str:
        for key, value in self.ns.items():
            if value is obj and key.startswith("_" + stem):
                return key
        key = f"_{stem}{len(self.ns)}"
        self.ns[key] = obj
        return key


# ----------------------------------------------------------------------- decoders


class _Scope:
    """An object under construction: its class, path prefix and bound names."""

    def __init__(self, cls: type, prefix: str) -> None:
        self.cls = cls
        self.prefix = prefix
        self.bound: set[str] = set()


class _DecoderGen:
    def __init__(self, cls: type[Message], version: int, trace: bool, raw: bool = False) -> None:
        self.cls = cls
        self.version = version
        self.trace = trace
        self.raw = raw
        self.src = _Source()
        self.dynamic = False
        self.k = 1  # index of the next field; field 0 is the message id
        objects = dict(cls.WIRE_OBJECTS)
        self.objects = objects
        self.scopes: dict[str, _Scope] = {"": _Scope(cls, "")}
        for path, ocls in objects.items():
            self.scopes[path + "."] = _Scope(ocls, path + ".")
        self.uses_ver = _uses_ver(cls.WIRE)

    # positions
    def pos(self, extra: int = 0) -> str:
        k = self.k + extra
        if not self.dynamic:
            return str(k)
        return "i" if k == 0 else f"i + {k}"

    def flush(self, depth: int) -> None:
        if not self.dynamic:
            self.src.emit(depth, f"i = {self.k}")
            self.dynamic = True
            self.k = 0
        elif self.k:
            self.src.emit(depth, f"i += {self.k}")
            self.k = 0

    def mark(self, depth: int, name: str) -> None:
        if self.trace:
            self.src.emit(depth, f"_t[0] = {self.pos()}; _t[1] = {name!r}")

    def scope_of(self, path: str, scope: _Scope) -> tuple[_Scope, str]:
        """The scope owning dotted ``path`` and the attribute name in it."""
        if "." in path and scope.prefix == "":
            head, _, attr = path.rpartition(".")
            owner = self.scopes.get(head + ".")
            if owner is None:
                raise TypeError(f"{self.cls.__name__}: {head!r} is not in WIRE_OBJECTS")
            return owner, attr
        return scope, path

    def field_expr(self, kind: Kind | Bits, text: str) -> str:
        if isinstance(kind, Bits):
            table = self.src.name_for(_bits_table(kind), "bits")
            # Unknown high bits are ignored, as by the official decoders.
            mask = (1 << len(kind.names)) - 1
            if self.raw:
                # The usual spellings ("0".."7" for three flags) by their bytes:
                # one dict hit, no int.
                spelled = self.src.name_for(_bits_raw(kind), "braw")
                return (
                    f"({spelled}[{text}] if {text} in {spelled} else "
                    f"{table}[(_ints[{text}] if {text} in _ints else int({text} or 0)) & {mask}])"
                )
            return f"{table}[int({text} or 0) & {mask}]"
        if self.raw:
            return kind.raw_decode_expr(text, self.version)
        return kind.decode_expr(text, self.version)

    def walk(self, nodes: Sequence[Node], scope: _Scope, depth: int) -> None:
        for node in nodes:
            if not gate(node).present(self.version):
                continue
            if isinstance(node, F):
                owner, attr = self.scope_of(node.name, scope)
                full = owner.prefix + attr
                self.mark(depth, full)
                self.src.emit(depth, f"{_local(full)} = {self.field_expr(node.kind, f'f[{self.pos()}]')}")
                owner.bound.add(attr)
                self.k += 1
            elif isinstance(node, Ver):
                if self.uses_ver:
                    self.mark(depth, "version")
                    self.src.emit(depth, f"ver = int(f[{self.pos()}] or 0)")
                self.k += 1
            elif isinstance(node, Const):
                self.k += 1
            elif isinstance(node, Struct):
                assert node.name is not None
                owner, attr = self.scope_of(node.name, scope)
                full = owner.prefix + attr
                inner = _Scope(node.cls, full + ".")
                self.walk(node.wire, inner, depth)
                self.construct(inner, _local(full), depth)
                owner.bound.add(attr)
            elif isinstance(node, Opt):
                owner, attr = self.scope_of(node.name, scope)
                full = owner.prefix + attr
                self.mark(depth, full + "?")
                self.src.emit(depth, f"_flag = int(f[{self.pos()}] or 0)")
                self.k += 1
                self.flush(depth)
                self.src.emit(depth, "if _flag:")
                inner = _Scope(node.cls, full + ".")
                self.walk(node.wire, inner, depth + 1)
                self.construct(inner, _local(full), depth + 1)
                self.flush(depth + 1)
                self.src.emit(depth, "else:")
                self.src.emit(depth + 1, f"{_local(full)} = None")
                owner.bound.add(attr)
            elif isinstance(node, Repeat):
                owner, attr = self.scope_of(node.name, scope)
                full = owner.prefix + attr
                items = f"_l{next(_serial)}"
                self.mark(depth, full + "#")
                count = f"_n{next(_serial)}"
                self.src.emit(depth, f"{count} = int(f[{self.pos()}] or 0)")
                self.k += 1
                self.flush(depth)
                self.src.emit(depth, f"{items} = []")
                self.src.emit(depth, f"for _ in range({count}):")
                if isinstance(node.item, Struct):
                    inner = _Scope(node.item.cls, full + ".it.")
                    self.walk(node.item.wire, inner, depth + 1)
                    self.construct(inner, "_it", depth + 1)
                    self.src.emit(depth + 1, f"{items}.append(_it)")
                else:
                    self.mark(depth + 1, full + "[]")
                    expr = self.field_expr(node.item, f"f[{self.pos()}]")
                    self.src.emit(depth + 1, f"{items}.append({expr})")
                    self.k += 1
                self.flush(depth + 1)
                self.src.emit(depth, f"{_local(full)} = tuple({items})")
                owner.bound.add(attr)
            elif isinstance(node, When):
                self.prebind(node.then, scope, depth)
                self.prebind(node.otherwise, scope, depth)
                self.flush(depth)
                self.src.emit(depth, f"if {_cond(node.cond)}:")
                self.src.emit(depth + 1, "pass")
                self.walk(node.then, scope, depth + 1)
                self.flush(depth + 1)
                if any(gate(n).present(self.version) for n in node.otherwise):
                    self.src.emit(depth, "else:")
                    self.src.emit(depth + 1, "pass")
                    self.walk(node.otherwise, scope, depth + 1)
                    self.flush(depth + 1)
            elif isinstance(node, Custom):
                owner, attr = self.scope_of(node.name, scope)
                full = owner.prefix + attr
                self.flush(depth)
                self.mark(depth, full)
                fn = self.src.name_for(node.decode, "cdec")
                self.src.emit(depth, f"{_local(full)}, i = {fn}(f, i, {self.version})")
                owner.bound.add(attr)
            else:  # pragma: no cover - Node is a closed union
                raise TypeError(f"unknown layout node {node!r}")

    def prebind(self, nodes: Sequence[Node], scope: _Scope, depth: int) -> None:
        for node in nodes:
            if not gate(node).present(self.version):
                continue
            if isinstance(node, When):
                self.prebind(node.then, scope, depth)
                self.prebind(node.otherwise, scope, depth)
                continue
            if isinstance(node, (Ver, Const)):
                continue
            assert node.name is not None
            owner, attr = self.scope_of(node.name, scope)
            if attr in owner.bound:
                continue  # an earlier node already gave it a value
            self.src.emit(depth, f"{_local(owner.prefix + attr)} = {self.default(owner.cls, attr)}")
            owner.bound.add(attr)

    def default(self, cls: type, attr: str) -> str:
        defaults = _defaults(cls)
        if attr not in defaults:
            raise TypeError(
                f"{cls.__name__}.{attr} has no default but is absent at "
                f"server version {self.version} in {self.cls.__name__}"
            )
        is_factory, value = defaults[attr]
        if is_factory:
            return self.src.name_for(value, "fac") + "()"
        if value is None or isinstance(value, (bool, int, str)):
            return repr(value)
        return self.src.name_for(value, "def")

    def construct(self, scope: _Scope, target: str, depth: int) -> None:
        """Build ``scope``'s object through its record builder (``ibwire/_record.py``)."""
        cls = scope.cls
        values: list[tuple[str, str]] = []
        for name in field_names(cls):
            if name in scope.bound:
                value = _local(scope.prefix + name)
            elif (scope.prefix + name + ".") in self.scopes:
                sub = self.scopes[scope.prefix + name + "."]
                self.construct(sub, _local(scope.prefix + name), depth)
                value = _local(scope.prefix + name)
            else:
                value = self.default(cls, name)
            values.append((name, value))
        if not values:
            self.src.emit(depth, f"{target} = _new({self.src.name_for(cls, 'cls')})")
            return
        self.src.emit(depth, f"{target} = _new({self.src.name_for(builder(cls), 'bld')})")
        for name, value in values:
            self.src.emit(depth, f"{target}.{name} = {value}")
        self.src.emit(depth, f"{target}.__class__ = {self.src.name_for(cls, 'cls')}")

    def unpack(self, body_start: int) -> None:
        """Read a fixed layout by unpacking: one step that also checks the count.

        ``f[3]`` becomes a local ``f3``.  A wrong field count raises ``ValueError``
        here; the tracing decoder then names the fault.  Unpacking is cheaper than
        a length check and a subscript per field (``benchmarks/bench_decode.py``).
        """
        used: set[int] = set()

        def local(match: re.Match[str]) -> str:
            used.add(int(match.group(1)))
            return f"f{match.group(1)}"

        lines = self.src.lines
        for n in range(body_start, len(lines)):
            lines[n] = _SUBSCRIPT.sub(local, lines[n])
        names = [f"f{n}" if n in used else "_" for n in range(self.k)]
        lines.insert(body_start, f"    {', '.join(names)}, = f")

    def build(self) -> str:
        cls = self.cls
        body_start = len(self.src.lines)
        if self.uses_ver:
            # Conditions may name ``ver`` at versions where the field is absent.
            self.src.emit(1, "ver = 0")
        self.walk(cls.WIRE, self.scopes[""], 1)
        self.construct(self.scopes[""], "m", 1)
        if self.dynamic:
            self.flush(1)
            end_check = ["    if i != len(f):", "        raise _Extra(i)"]
        else:
            end_check = []
            if self.trace:
                end_check = [f"    if len(f) != {self.k}:", f"        raise _Extra({self.k})"]
            else:
                self.unpack(body_start)
        self.src.lines.extend(end_check)
        self.src.emit(1, "return m")
        args = "f, _t" if self.trace else "f"
        header = f"def decode({args}):"
        return "\n".join([header, *self.src.lines]) + "\n"


# ----------------------------------------------------------------------- encoders


class _EncoderGen:
    def __init__(self, cls: type[Message], version: int, server: bool) -> None:
        self.cls = cls
        self.version = version
        self.server = server
        self.src = _Source()
        self.pending: list[str] = []
        #: full path of an object -> the expression holding it in the encoder
        self.objs: dict[str, str] = {}

    def flush(self, depth: int) -> None:
        if self.pending:
            if len(self.pending) == 1:
                self.src.emit(depth, f"_add({self.pending[0]})")
            else:
                self.src.emit(depth, f"_ext(({', '.join(self.pending)},))")
            self.pending = []

    def field_expr(self, kind: Kind | Bits, value: str) -> str:
        if isinstance(kind, Bits):
            return f"str({self.src.name_for(_to_mask(kind), 'mask')}({value}))"
        return kind.encode_expr(value, self.version, server=self.server)

    def path_of(self, name: str, obj: str) -> str:
        for known, expr in self.objs.items():
            if expr == obj:
                return known + "." + name
        return name

    def access(self, path: str, obj: str) -> str:
        if "." in path and obj == "m":
            return "m." + path
        return f"{obj}.{path}"

    def check_absent(
        self,
        node: Node,
        owner_cls: type,
        obj: str,
        depth: int,
        present: set[str],
        outer_since: int | None = None,
    ) -> None:
        if isinstance(node, (Ver, Const)):
            return
        if isinstance(node, When):
            since = node.since if node.since is not None else outer_since
            for sub in (*node.then, *node.otherwise):
                self.check_absent(sub, owner_cls, obj, depth, present, since)
            return
        name = node.name
        assert name is not None
        if name in present:
            # Carried by another node at this version (a field that moved).
            return
        attr = name.rpartition(".")[2]
        cls = owner_cls
        if "." in name and obj == "m":
            cls = self.cls.WIRE_OBJECTS[name.rpartition(".")[0]]
        defaults = _defaults(cls)
        if attr not in defaults:
            return
        is_factory, value = defaults[attr]
        ref = self.src.name_for(value, "fac") + "()" if is_factory else (
            repr(value) if value is None or isinstance(value, (bool, int, str))
            else self.src.name_for(value, "def"))
        required = None
        for since in (node.since, outer_since):
            if since is not None and self.version < since:
                required = max(required or 0, since)
        feature = f"{self.cls.__name__}.{name}"
        if required is None:
            # Removed at this version (``before``): the feature is gone, not pending.
            required = -1
        self.flush(depth)
        op = "is not" if ref == "None" else "!="
        self.src.emit(depth, f"if {self.access(name, obj)} {op} {ref}:")
        self.src.emit(depth + 1, f"raise _Unsupported({feature!r}, {required})")

    def walk(
        self,
        nodes: Sequence[Node],
        owner_cls: type,
        obj: str,
        depth: int,
        present: set[str] | None = None,
    ) -> None:
        if present is None:
            present = _present_names(nodes, self.version)
        for node in nodes:
            if not gate(node).present(self.version):
                self.check_absent(node, owner_cls, obj, depth, present)
                continue
            if isinstance(node, F):
                self.pending.append(self.field_expr(node.kind, self.access(node.name, obj)))
            elif isinstance(node, Ver):
                self.pending.append(repr(str(node.value)))
            elif isinstance(node, Const):
                self.pending.append(repr(node.value))
            elif isinstance(node, Struct):
                assert node.name is not None
                local = f"_s{next(_serial)}"
                self.flush(depth)
                self.src.emit(depth, f"{local} = {self.access(node.name, obj)}")
                self.objs[self.path_of(node.name, obj)] = local
                self.walk(node.wire, node.cls, local, depth)
            elif isinstance(node, Opt):
                local = f"_s{next(_serial)}"
                self.flush(depth)
                self.src.emit(depth, f"{local} = {self.access(node.name, obj)}")
                self.objs[self.path_of(node.name, obj)] = local
                self.src.emit(depth, f"if {local} is None:")
                self.src.emit(depth + 1, '_add("0")')
                self.src.emit(depth, "else:")
                self.pending.append('"1"')
                self.walk(node.wire, node.cls, local, depth + 1)
                self.flush(depth + 1)
            elif isinstance(node, Repeat):
                local = f"_r{next(_serial)}"
                self.flush(depth)
                self.src.emit(depth, f"{local} = {self.access(node.name, obj)}")
                self.src.emit(depth, f"_add(str(len({local})))")
                self.src.emit(depth, f"for _it in {local}:")
                if isinstance(node.item, Struct):
                    self.walk(node.item.wire, node.item.cls, "_it", depth + 1)
                else:
                    self.pending.append(self.field_expr(node.item, "_it"))
                self.flush(depth + 1)
            elif isinstance(node, When):
                self.flush(depth)
                self.src.emit(depth, f"if {self.cond(node.cond, obj)}:")
                self.src.emit(depth + 1, "pass")
                self.walk(node.then, owner_cls, obj, depth + 1, present)
                self.flush(depth + 1)
                if any(gate(n).present(self.version) for n in node.otherwise):
                    self.src.emit(depth, "else:")
                    self.src.emit(depth + 1, "pass")
                    self.walk(node.otherwise, owner_cls, obj, depth + 1, present)
                    self.flush(depth + 1)
            elif isinstance(node, Custom):
                self.flush(depth)
                fn = self.src.name_for(node.encode, "cenc")
                self.src.emit(depth, f"{fn}({self.access(node.name, obj)}, out, {self.version})")
            else:  # pragma: no cover
                raise TypeError(f"unknown layout node {node!r}")

    def cond(self, cond: str, obj: str) -> str:
        def ref(match: re.Match[str]) -> str:
            path = match.group(1)
            best = ""
            for known in self.objs:
                if path.startswith(known + ".") and len(known) > len(best):
                    best = known
            if best:
                return self.objs[best] + path[len(best) :]
            return "m." + path

        text = _COND_REF.sub(ref, cond)
        return re.sub(r"\bver\b", str(self.ver_value()), text)

    def ver_value(self) -> int:
        for node in self.cls.WIRE:
            if isinstance(node, Ver) and gate(node).present(self.version):
                return node.value
        return 0

    def build(self) -> str:
        cls = self.cls
        self.src.emit(1, f"out = [{str(cls.MSG_ID)!r}]")
        self.src.emit(1, "_add = out.append")
        self.src.emit(1, "_ext = out.extend")
        if self.version < cls.MIN_VERSION:
            self.src.emit(1, f"raise _Unsupported({cls.__name__!r}, {cls.MIN_VERSION})")
        else:
            self.walk(cls.WIRE, cls, "m", 1)
            self.flush(1)
        self.src.emit(1, "return out")
        return "\n".join(["def encode(m):", *self.src.lines]) + "\n"


# ----------------------------------------------------------------------- compile

_sources: dict[str, str] = {}


def _compile(gen_src: str, ns: dict[str, Any], label: str, version: int) -> Callable[..., Any]:
    filename = f"<ibwire.codec {label}>"
    _sources[label] = gen_src
    linecache.cache[filename] = (len(gen_src), None, gen_src.splitlines(True), filename)
    ns.update(
        _new=object.__new__,
        _Extra=_ExtraFields,
        _Unsupported=_Unsupported,
        version=version,
    )
    code = compile(gen_src, filename, "exec")
    exec(code, ns)  # noqa: S102 - our own generated source
    fn: Callable[..., Any] = ns["decode"] if "decode" in ns else ns["encode"]
    return fn


_decoders: dict[tuple[type, int, bool, bool], Callable[..., Message]] = {}
_encoders: dict[tuple[type, int, bool], Encoder] = {}


def _has_custom(nodes: Sequence[Node]) -> bool:
    for node in nodes:
        if isinstance(node, Custom):
            return True
        if isinstance(node, When) and (_has_custom(node.then) or _has_custom(node.otherwise)):
            return True
        if isinstance(node, (Struct, Opt)) and _has_custom(node.wire):
            return True
        if isinstance(node, Repeat) and isinstance(node.item, Struct) and _has_custom(node.item.wire):
            return True
    return False


def _texts_first(text_decoder: Callable[[list[str]], Message]) -> Callable[[list[bytes]], Message]:
    """A raw decoder for a layout with hand-written parts, which read text fields."""

    def decode(fields: list[bytes]) -> Message:
        return text_decoder([field.decode("utf-8", TEXT_ERRORS) for field in fields])

    return decode


def _as_raw(fields: Sequence[str]) -> list[bytes]:
    """Text fields as the bytes the stream's decoders read."""
    return [field.encode("utf-8", "surrogatepass") for field in fields]


def decoder_for(
    cls: type[Message], version: int, *, trace: bool = False, raw: bool = False
) -> Callable[..., Message]:
    """The generated decoder of ``cls`` at server ``version`` (cached).

    The decoder takes the frame's text fields, id included, trailing empty field
    removed.  With ``trace=True`` it takes a second argument, a two-item list that
    it keeps set to the index and name of the field being read.  With ``raw=True``
    it takes the fields as bytes (the payload split at NUL, not decoded): numbers
    are read from the bytes and only text fields are decoded; the result is the
    same message.
    """
    key = (cls, version, trace, raw)
    fn = _decoders.get(key)
    if fn is None:
        if raw and _has_custom(cls.WIRE):
            fn = _texts_first(decoder_for(cls, version))
        else:
            gen = _DecoderGen(cls, version, trace, raw)
            src = gen.build()
            label = f"{cls.__name__} v{version} decode{'-trace' if trace else ''}{'-raw' if raw else ''}"
            fn = _compile(src, gen.src.ns, label, version)
        _decoders[key] = fn
    return fn


def encoder_for(cls: type[Message], version: int, *, server: bool = False) -> Encoder:
    """The generated encoder of ``cls`` at server ``version`` (cached).

    It returns the message's text fields, id first.  ``server=True`` builds the
    server's encoder: text fields that a server escapes are escaped.
    """
    key = (cls, version, server)
    fn = _encoders.get(key)
    if fn is None:
        gen = _EncoderGen(cls, version, server)
        src = gen.build()
        fn = _compile(
            src, gen.src.ns, f"{cls.__name__} v{version} encode{'-server' if server else ''}", version
        )
        _encoders[key] = fn
    return fn


def source_of(cls: type[Message], version: int, what: str = "decode") -> str:
    """The generated source of a decoder or encoder, for reading and debugging.

    ``what`` is ``"decode"``, ``"decode-trace"``, ``"decode-raw"``, ``"encode"`` or
    ``"encode-server"``.
    """
    if what.startswith("decode"):
        decoder_for(cls, version, trace=what.endswith("trace"), raw=what.endswith("raw"))
    else:
        encoder_for(cls, version, server=what.endswith("server"))
    return _sources[f"{cls.__name__} v{version} {what}"]


# ----------------------------------------------------------------------- codec


class _LazyTable(dict[bytes, Callable[[list[bytes]], Message]]):
    """Message id (its bytes) -> decoder of the fields as bytes, compiling each
    decoder the first time its id is seen."""

    def __init__(self, registry: Mapping[int, type[Message]], version: int) -> None:
        super().__init__()
        for msg_id, cls in registry.items():
            if cls.MIN_VERSION >= ServerVersion.PROTOBUF:
                # Born after the last text version: no text form, so a text frame
                # of this id is an unknown message.
                continue
            key = str(msg_id).encode()
            self[key] = self._stub(key, cls, version)

    def _stub(
        self, key: bytes, cls: type[Message], version: int
    ) -> Callable[[list[bytes]], Message]:
        def first_use(fields: list[bytes]) -> Message:
            fn = decoder_for(cls, version, raw=True)
            self[key] = fn
            return fn(fields)

        return first_use


class Codec:
    """Decoders and encoders of one side of a connection at one server version.

    Args:
        version: the negotiated server version.
        server: ``False`` for a client (decodes :data:`INCOMING`, encodes
            :data:`OUTGOING`), ``True`` for a server (the reverse).
    """

    def __init__(self, version: int, *, server: bool = False) -> None:
        self.version = version
        self.server = server
        self.decodes: Mapping[int, type[Message]] = OUTGOING if server else INCOMING
        self.encodes: Mapping[int, type[Message]] = INCOMING if server else OUTGOING
        #: Bytes message id -> decoder of the fields as bytes; the protocol's hot
        #: loop reads it directly (``payload.split(b"\\0")``, no UTF-8 decoding),
        #: and :meth:`decode` after encoding its text fields.
        self.raw_table: dict[bytes, Callable[[list[bytes]], Message]] = _LazyTable(
            self.decodes, version
        )
        self._encoders: dict[type[Message], Encoder] = {}

    def decode(self, fields: list[str]) -> Message:
        """Decode one message from its text fields (id first, no trailing empty field).

        The fields are read as the stream reads them (as UTF-8 bytes: a number
        is ASCII digits), so what the stream refuses this refuses too.

        Raises:
            MalformedMessageError: the fields do not fit the message's layout.
            KeyError: the id is not a known message of this direction.
        """
        raw = _as_raw(fields)
        decoder = self.raw_table[raw[0]]
        try:
            return decoder(raw)
        except Exception as exc:  # the one boundary: diagnose and re-raise typed
            raise self.diagnose(fields, exc) from exc

    def diagnose(self, fields: Sequence[str], exc: BaseException) -> MalformedMessageError:
        """Explain why ``fields`` failed to decode, as a MalformedMessageError."""
        msg_id = read_id(fields[0]) if fields else None
        cls = None if msg_id is None else self.decodes.get(msg_id)
        if cls is None:
            return MalformedMessageError(
                msg_id,
                fields,
                f"no message has the id {fields[0][:40]!r}" if fields else "no fields",
                field_index=0 if fields else None,
            )
        # The stream decodes the fields as bytes (numbers in ASCII digits only);
        # the tracer reads what it read, so it stops at the same field.
        traced: list[Any]
        if _has_custom(cls.WIRE):
            tracer = decoder_for(cls, self.version, trace=True)
            traced = list(fields)
        else:
            tracer = decoder_for(cls, self.version, trace=True, raw=True)
            traced = _as_raw(fields)
        where: list[Any] = [None, None]
        try:
            tracer(traced, where)
        except _ExtraFields as extra:
            return MalformedMessageError(
                msg_id,
                fields,
                f"{len(fields) - extra.consumed} unexpected field(s) after the "
                f"{cls.__name__} layout ({extra.consumed} fields expected)",
                field_index=extra.consumed,
            )
        except IndexError:
            return MalformedMessageError(
                msg_id,
                fields,
                f"{cls.__name__} ends early: field {where[1]!r} is missing",
                field_index=where[0],
                field_name=where[1],
            )
        except Exception as failure:  # noqa: BLE001 - turned into evidence
            index = where[0]
            value = fields[index] if isinstance(index, int) and index < len(fields) else None
            return MalformedMessageError(
                msg_id,
                fields,
                f"{cls.__name__}.{where[1]}: cannot read {value!r} "
                f"({type(failure).__name__}: {failure})",
                field_index=index,
                field_name=where[1],
            )
        return MalformedMessageError(
            msg_id, fields, f"{cls.__name__}: {type(exc).__name__}: {exc}"
        )

    def encode(self, message: Message) -> list[str]:
        """Encode a message to its text fields, id first.

        Raises:
            UnsupportedByServerError: the message, or a field set on it, needs a
                newer server version (or was removed before this one).
            LocalProtocolError: a field holds a value that cannot be sent.
        """
        cls = type(message)
        encoder = self._encoders.get(cls)
        if encoder is None:
            if self.encodes.get(cls.MSG_ID) is not cls:
                side = "server" if self.server else "client"
                raise LocalProtocolError(f"a {side} does not send {cls.__name__}")
            encoder = self._encoders[cls] = encoder_for(cls, self.version, server=self.server)
        try:
            return encoder(message)
        except _Unsupported as exc:
            if exc.required < 0:
                raise LocalProtocolError(
                    f"{exc.feature} is not supported at server version {self.version} "
                    "(removed by the server)"
                ) from None
            raise UnsupportedByServerError(exc.feature, exc.required, self.version) from None
        except Exception as exc:  # the one boundary for bad user values
            raise LocalProtocolError(
                f"cannot encode {cls.__name__}: {type(exc).__name__}: {exc}"
            ) from exc
