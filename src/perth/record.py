"""Frozen records without the import cost of :mod:`dataclasses`.

``perth log`` must finish within three times a bare ``python -c pass``; importing
:mod:`dataclasses` (which pulls in :mod:`inspect`, :mod:`ast`, :mod:`dis` and
:mod:`tokenize`) and generating methods for each class costs about as much as
the whole budget left after :mod:`re` and :mod:`sqlite3`.  :class:`Record`
gives the same shape: subclasses declare annotated fields (with defaults),
instances are immutable, compare and hash by value, print like dataclasses,
and :func:`replace` makes modified copies.  Type checkers treat subclasses as
frozen dataclasses through :pep:`681` (``dataclass_transform``), so
constructors and attribute assignments are checked by mypy.

Defaults must be immutable values (tuples, strings, numbers, ``None``,
:data:`EMPTY_MAP`).
"""

from __future__ import annotations

from types import MappingProxyType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, ClassVar, TypeVar, dataclass_transform

    R = TypeVar("R", bound="Record")
else:
    def dataclass_transform(**_options: object) -> object:
        """At run time the decorator does nothing; type checkers read the real one."""
        return lambda cls: cls

EMPTY_MAP: Mapping[str, str] = MappingProxyType({})


class FrozenRecordError(AttributeError):
    """Assignment to a field of a frozen record."""


@dataclass_transform(frozen_default=True, eq_default=True)
class Record:
    """Base of Perth's immutable records (see the module docstring)."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, object]] = {}
    _made: ClassVar[int] = 0

    def __init_subclass__(cls, **options: object) -> None:
        super().__init_subclass__(**options)
        fields: list[str] = []
        defaults: dict[str, object] = {}
        for klass in reversed(cls.__mro__):
            # inspect.get_annotations would import inspect: the cost this module exists to avoid
            for name in klass.__dict__.get("__annotations__", {}):  # noqa: RUF063
                if name.startswith("_") or name in fields:
                    continue
                fields.append(name)
            defaults.update({n: klass.__dict__[n] for n in fields if n in klass.__dict__})
        cls._fields = tuple(fields)
        cls._defaults = defaults
        cls._made = 0
        if "__init__" not in cls.__dict__:
            cls.__init__ = Record.__init__  # type: ignore[method-assign]  # never inherit a generated one

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        cls._made += 1
        if cls._made == SPECIALIZE_AFTER and cls.__dict__.get("__init__") is Record.__init__:
            cls.__init__ = _specialized_init(cls)  # type: ignore[method-assign]
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__} takes {len(fields)} fields, got {len(args)}")
        values = dict(zip(fields, args, strict=False))
        for name, value in kwargs.items():
            if name not in fields:
                raise TypeError(f"{type(self).__name__} has no field {name!r}")
            if name in values:
                raise TypeError(f"{type(self).__name__} got {name!r} twice")
            values[name] = value
        set_field = object.__setattr__
        for name in fields:
            if name in values:
                set_field(self, name, values[name])
            elif name in self._defaults:
                set_field(self, name, self._defaults[name])
            else:
                raise TypeError(f"{type(self).__name__} is missing field {name!r}")

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenRecordError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise FrozenRecordError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self.__class__, self._values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({inner})"


#: A class instantiated this many times gets a generated ``__init__`` (as dataclasses write one up
#: front): bulk work runs several times faster, one-off records never pay for the code generation.
SPECIALIZE_AFTER = 64


def _specialized_init(cls: type[Record]) -> Any:
    """Compile an ``__init__`` with the class's fields as parameters (defaults bound by name)."""
    params = []
    for name in cls._fields:
        params.append(f"{name}=_defaults[{name!r}]" if name in cls._defaults else name)
    # instances with a __dict__ get it filled directly, without a call to object.__setattr__ per field
    if all("__slots__" not in klass.__dict__ or "__dict__" in klass.__dict__["__slots__"]
           for klass in cls.__mro__ if klass not in (Record, object)):
        body = "    _d = self.__dict__\n" + "".join(f"    _d[{name!r}] = {name}\n" for name in cls._fields)
    else:
        body = "".join(f"    _set(self, {name!r}, {name})\n" for name in cls._fields) or "    pass\n"
    source = f"def __init__(self, {', '.join(params)}):\n{body}"
    namespace: dict[str, Any] = {"_defaults": cls._defaults, "_set": object.__setattr__}
    exec(source, namespace)  # noqa: S102 - generated from the class's own field names
    return namespace["__init__"]


def replace(record: R, **changes: Any) -> R:
    """A copy of ``record`` with some fields changed."""
    values = {name: getattr(record, name) for name in record._fields}
    values.update(changes)
    return type(record)(**values)


def as_dict(record: Record) -> dict[str, object]:
    """The record's fields as a dict (shallow)."""
    return {name: getattr(record, name) for name in record._fields}
