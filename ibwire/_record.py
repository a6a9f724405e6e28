"""Frozen slotted record classes, made without the cost of :func:`dataclasses.dataclass`.

Every message and domain class is declared as a frozen, slotted dataclass and type
checkers see exactly that: under ``TYPE_CHECKING``, :data:`dataclass` *is*
:func:`dataclasses.dataclass`.  At run time it is :func:`record`, which builds the
same class for a fraction of the price: ``dataclass()`` compiles six methods per
class and creates each slotted class twice, which was about 80% of ``import
ibwire`` (``benchmarks/bench_startup.py``).  :func:`record` creates the slotted
class once and gives it shared methods; what ``dataclass()`` would compile is
built on first use:

* ``__init__`` - a generated keyword-only (or positional) initialiser, compiled
  the first time the class is instantiated by keyword (it ends with
  ``__post_init__()`` when the class defines one, as a dataclass's does);
* ``__dataclass_fields__`` / ``__dataclass_params__`` - the :mod:`dataclasses`
  metadata, built when first looked at, so :func:`dataclasses.fields`,
  :func:`dataclasses.replace`, :func:`dataclasses.asdict` and
  :func:`dataclasses.is_dataclass` work as on any dataclass;
* ``__signature__`` - for :func:`inspect.signature`.

Equality, hashing, ``repr``, immutability (:class:`dataclasses.FrozenInstanceError`),
pickling and copying behave as a frozen dataclass's.

Fast construction (for decoders, in this package and in other codecs)
---------------------------------------------------------------------

:func:`builder` returns the *builder class* of a record class: a subclass with the
same slots whose instances may be written to.  A decoder builds an object in
three steps and no call::

    m = _new(builder)          # object.__new__
    m.req_id = 1               # one plain slot store per field, every field
    ...
    m.__class__ = TickPrice    # from here on the object is frozen

Every field must be stored (a slot left empty raises ``AttributeError`` on
reading); values are not checked, so the decoder is responsible for their types.
In CPython 3.11 this costs about half of setting the slots through their
descriptors, a third of the keyword ``__init__`` (``benchmarks/bench_decode.py``).
:func:`field_names` gives the fields in declaration order.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

__all__ = ["builder", "dataclass", "field_names", "record"]

T = TypeVar("T", bound=type)

_MISSING: Final = dataclasses.MISSING
_NO_FACTORY: Final = object()

#: Per record class: ((name, annotation, default, factory), ...) in field order.
_SPEC: Final = "__ibwire_spec__"
_NAMES: Final = "__ibwire_fields__"
_KW_ONLY: Final = "__ibwire_kw_only__"
_FROZEN: Final = "__ibwire_frozen__"


class _Factory:
    def __repr__(self) -> str:
        return "<factory>"


#: What :func:`inspect.signature` shows for a default made by a factory (as dataclasses do).
_FACTORY_DEFAULT: Final = _Factory()


def field_names(cls: type) -> tuple[str, ...]:
    """The field names of a record class (or any dataclass), in declaration order."""
    names: tuple[str, ...] | None = getattr(cls, _NAMES, None)
    if names is None:
        return tuple(fld.name for fld in dataclasses.fields(cls))
    return names


_builders: dict[type, type] = {}


def builder(cls: T) -> T:
    """The writable twin of record class ``cls``, for fast construction (see above)."""
    twin = _builders.get(cls)
    if twin is None:
        twin = type(cls)(
            cls.__name__,
            (cls,),
            {
                "__slots__": (),
                # Both, so that the type's attribute setter is the generic one
                # again, which the interpreter specialises (a plain slot store).
                "__setattr__": object.__setattr__,
                "__delattr__": object.__delattr__,
                "__module__": cls.__module__,
            },
        )
        _builders[cls] = twin
    return twin  # type: ignore[return-value]


# --------------------------------------------------------------------------- shared methods


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _values(self: Any) -> tuple[Any, ...]:
    return tuple([getattr(self, name) for name in getattr(self.__class__, _NAMES)])


def _eq(self: Any, other: object) -> Any:
    if other.__class__ is self.__class__:
        same: bool = _values(self) == _values(other)
        return same
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(_values(self))


def _plain_repr(self: Any) -> str:
    cls = self.__class__
    inner = ", ".join([f"{name}={getattr(self, name)!r}" for name in getattr(cls, _NAMES)])
    return f"{cls.__qualname__}({inner})"


_repr = reprlib.recursive_repr()(_plain_repr)
# reprlib's wrapper lives in reprlib's namespace; pointing at the function it wraps
# (as functools.wraps does) lets typing.get_type_hints resolve the annotations here.
_repr.__wrapped__ = _plain_repr  # type: ignore[attr-defined]


def _getstate(self: Any) -> list[Any]:
    return list(_values(self))


def _setstate(self: Any, state: list[Any]) -> None:
    for name, value in zip(getattr(self.__class__, _NAMES), state, strict=True):
        object.__setattr__(self, name, value)


# --------------------------------------------------------------------------- lazy parts


class _Lazy:
    """A class attribute computed on first access, then stored on its class."""

    def __init__(self, name: str, make: Callable[[type], Any]) -> None:
        self.name = name
        self.make = make

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if owner is None:
            owner = type(obj)
        # The class that holds this descriptor (``owner`` may be a subclass).
        cls = next(k for k in owner.__mro__ if k.__dict__.get(self.name) is self)
        value = self.make(cls)
        setattr(cls, self.name, value)
        return value


_LAZY_FIELDS: Final = _Lazy("__dataclass_fields__", lambda cls: _make_fields(cls))
_LAZY_PARAMS: Final = _Lazy("__dataclass_params__", lambda cls: _make_params(cls))
_LAZY_SIGNATURE: Final = _Lazy("__signature__", lambda cls: _make_signature(cls))


def _make_fields(cls: type) -> dict[str, dataclasses.Field[Any]]:
    out: dict[str, dataclasses.Field[Any]] = {}
    kw_only = getattr(cls, _KW_ONLY)
    for name, annotation, default, factory in getattr(cls, _SPEC):
        if factory is not _NO_FACTORY:
            fld: dataclasses.Field[Any] = dataclasses.field(default_factory=factory, kw_only=kw_only)
        else:
            fld = dataclasses.field(default=default, kw_only=kw_only)
        fld.name = name
        fld.type = annotation
        fld._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
        out[name] = fld
    return out


def _make_params(cls: type) -> object:
    params_cls = dataclasses._DataclassParams  # type: ignore[attr-defined]
    values = {
        "init": True,
        "repr": True,
        "eq": True,
        "order": False,
        "unsafe_hash": False,
        "frozen": getattr(cls, _FROZEN),
        "match_args": True,
        "kw_only": getattr(cls, _KW_ONLY),
        "slots": True,
        "weakref_slot": False,
    }
    accepted = params_cls.__init__.__code__.co_varnames
    return params_cls(**{k: v for k, v in values.items() if k in accepted})


def _make_signature(cls: type) -> object:
    import inspect

    kind = inspect.Parameter.KEYWORD_ONLY if getattr(cls, _KW_ONLY) else (
        inspect.Parameter.POSITIONAL_OR_KEYWORD
    )
    params = []
    for name, annotation, default, factory in getattr(cls, _SPEC):
        if factory is not _NO_FACTORY:
            default = _FACTORY_DEFAULT
        elif default is _MISSING:
            default = inspect.Parameter.empty
        params.append(inspect.Parameter(name, kind, default=default, annotation=annotation))
    return inspect.Signature(params, return_annotation=None)


def _compile_init(cls: type) -> Callable[..., None]:
    """The real ``__init__``: sets each slot through its descriptor, no ``__setattr__``."""
    namespace: dict[str, Any] = {"_FACTORY": _FACTORY_DEFAULT}
    params: list[str] = []
    body: list[str] = []
    for index, (name, _, default, factory) in enumerate(getattr(cls, _SPEC)):
        namespace[f"_set{index}"] = getattr(cls, name).__set__
        if factory is not _NO_FACTORY:
            namespace[f"_factory{index}"] = factory
            params.append(f"{name}=_FACTORY")
            body.append(f"    if {name} is _FACTORY:\n        {name} = _factory{index}()")
        elif default is not _MISSING:
            namespace[f"_default{index}"] = default
            params.append(f"{name}=_default{index}")
        else:
            params.append(name)
        body.append(f"    _set{index}(self, {name})")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    star = "*, " if getattr(cls, _KW_ONLY) and params else ""
    source = f"def __init__(self, {star}{', '.join(params)}):\n" + "\n".join(body or ["    pass"]) + "\n"
    exec(compile(source, f"<ibwire {cls.__qualname__}.__init__>", "exec"), namespace)  # noqa: S102
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[misc]
    return init


class _InitSignature:
    """What the stub ``__init__`` wraps, for :func:`inspect.signature` (and Sphinx).

    ``inspect`` follows ``__wrapped__`` and reads this object's ``__signature__``,
    made on first use from the record class: ``self`` and the fields.
    """

    cls: type | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> None:  # pragma: no cover - never called
        raise TypeError("not callable")

    @property
    def __signature__(self) -> object:
        import inspect

        assert self.cls is not None
        sig: inspect.Signature = getattr(self.cls, "__signature__")  # noqa: B009
        self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
        return sig.replace(parameters=[self_param, *sig.parameters.values()])


def _stub_init(qualname: str) -> Callable[..., None]:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        # The record class whose stub this is (``self`` may be of a subclass).
        cls = next(k for k in type(self).__mro__ if k.__dict__.get("__init__") is __init__)
        _compile_init(cls)(self, *args, **kwargs)

    __init__.__qualname__ = f"{qualname}.__init__"
    # What it wraps has no namespace to resolve string annotations in (typing.get_type_hints
    # looks for one at the end of ``__wrapped__``), so the stub carries resolved ones.
    __init__.__annotations__ = {"self": Any, "args": Any, "kwargs": Any, "return": None}
    __init__.__wrapped__ = _InitSignature()  # type: ignore[attr-defined]
    return __init__


# --------------------------------------------------------------------------- the decorator


_CLASS_VARIABLES: Final = ("ClassVar", "typing.ClassVar", "Final", "typing.Final")


def _is_classvar(annotation: object) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(_CLASS_VARIABLES)


#: What every record class gets, whatever its fields.
_SHARED: Final = {
    "__setattr__": _frozen_setattr,
    "__delattr__": _frozen_delattr,
    "__eq__": _eq,
    "__hash__": _hash,
    "__repr__": _repr,
    "__getstate__": _getstate,
    "__setstate__": _setstate,
    "__dataclass_fields__": _LAZY_FIELDS,
    "__dataclass_params__": _LAZY_PARAMS,
    "__signature__": _LAZY_SIGNATURE,
}


def record(
    cls: type | None = None,
    /,
    *,
    frozen: bool = False,
    slots: bool = False,
    kw_only: bool = False,
) -> Any:
    """Make ``cls`` a slotted record; the run-time stand-in for ``dataclass``.

    Takes the arguments of :func:`dataclasses.dataclass` that this package uses:
    ``slots`` must be true; ``kw_only`` is honoured.  A record that is not
    ``frozen`` can be written to and is unhashable, as such a dataclass is.
    """
    if not slots:
        raise TypeError("record classes are slotted")

    def wrap(cls: type) -> type:
        return _make_record(cls, kw_only, frozen)

    return wrap if cls is None else wrap(cls)


def _make_record(cls: type, kw_only: bool, frozen: bool) -> type:
    namespace = dict(cls.__dict__)
    spec: list[tuple[str, Any, Any, Any]] = []
    for base in reversed(cls.__mro__[1:]):
        spec.extend(base.__dict__.get(_SPEC, ()))
    inherited = {item[0] for item in spec}
    for name, annotation in namespace.get("__annotations__", {}).items():
        if _is_classvar(annotation):
            continue
        value = namespace.pop(name, _MISSING)
        default, factory = value, _NO_FACTORY
        if isinstance(value, dataclasses.Field):
            default = value.default
            if value.default_factory is not _MISSING:
                factory = value.default_factory
        if name in inherited:
            spec = [item for item in spec if item[0] != name]
        spec.append((name, annotation, default, factory))
    names = tuple(item[0] for item in spec)
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    own = tuple(name for name in names if name not in inherited)
    namespace["__slots__"] = own
    namespace[_SPEC] = tuple(spec)
    namespace[_NAMES] = names
    namespace[_KW_ONLY] = kw_only
    namespace["__match_args__"] = () if kw_only else names
    namespace[_FROZEN] = frozen
    namespace.update(_SHARED)
    if not frozen:
        del namespace["__setattr__"], namespace["__delattr__"]
        namespace["__hash__"] = None
    namespace["__init__"] = init = _stub_init(cls.__qualname__)
    # One class creation: the class statement's class is only read, never kept.
    new: type = type(cls)(cls.__name__, cls.__bases__, namespace)
    init.__wrapped__.cls = new  # type: ignore[attr-defined]
    return new


if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass
else:
    dataclass = record
