"""
betastate's own JSON: a private cattrs converter for every public value.

Dates are ISO 8601 strings, money is a decimal string (never a float), enums
are their values, events carry a ``_type`` tag (their class name), and the
free ``extra`` mappings keep YAML dates as ``{"$date": ...}``. Unknown keys
are refused: the schema is ours.
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import enum
import re
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

import attrs

from betastate._analytics import portfolio as _portfolio
from betastate._engine import commands as _commands
from betastate._engine import ledger as _ledger
from betastate._engine import lifecycle as _lifecycle
from betastate._engine import state as _state
from betastate._rules import gates as _gates
from betastate._rules import rulebook as _rulebook
from betastate._values import actors as _actors
from betastate._values import events as _events
from betastate._values import money as _money
from betastate._values import reasons as _reasons
from betastate._values import startup as _startup
from betastate._values import stopping as _stopping
from betastate._values.errors import BetastateError, DataFileError, InvalidData, show
from betastate._values.events import Event
from betastate._values.fields import MAX_DEPTH


if TYPE_CHECKING:
    import cattrs
    from typing_extensions import TypeForm

T = TypeVar("T")

SCHEMA_VERSION: Final = 1
"""Version of betastate's JSON format; bumped on incompatible changes."""

_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def _encode_free(value: Any) -> Any:
    """Free-form data (unknown keys) to JSON-safe values, tagging dates."""
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, Mapping):
        return {str(k): _encode_free(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode_free(v) for v in value]
    return value


def _decode_free(value: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        msg = f"expected data nested at most {MAX_DEPTH} levels deep"
        raise ValueError(msg)
    if isinstance(value, dict):
        if len(value) == 1 and ("$date" in value or "$datetime" in value):
            return _decode_tagged_date(value)
        for key in value:
            if not isinstance(key, str):
                msg = f"expected text keys, got {show(key)}"
                raise TypeError(msg)
        return {k: _decode_free(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode_free(v, depth + 1) for v in value]
    return value


def _decode_tagged_date(value: dict[str, Any]) -> dt.date:
    ((tag, text),) = value.items()
    if not isinstance(text, str):
        msg = f"expected an ISO {tag[1:]} string, got {show(text)}"
        raise TypeError(msg)
    try:
        return dt.date.fromisoformat(text) if tag == "$date" else dt.datetime.fromisoformat(text)
    except ValueError:
        msg = f"expected an ISO {tag[1:]}, got {show(text)}"
        raise ValueError(msg) from None


def _structure_date(value: Any, _type: type) -> dt.date:
    if isinstance(value, dt.datetime):
        msg = f"expected a date, got the timestamp {value.isoformat()}"
        raise TypeError(msg)
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        msg = f"expected an ISO date (YYYY-MM-DD), got {show(value)}"
        raise TypeError(msg)
    if _ISO_DATE.fullmatch(value) is None:  # fromisoformat also takes 20250106 and week dates
        msg = f"expected an ISO date (YYYY-MM-DD), got {show(value)}"
        raise ValueError(msg)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        msg = f"expected an ISO date (YYYY-MM-DD), got {show(value)}"
        raise ValueError(msg) from None


def _structure_decimal(value: Any, _type: type) -> Decimal:
    if isinstance(value, bool | float):
        msg = f"expected an exact amount as a string or integer, got {show(value)}"
        raise TypeError(msg)
    if not isinstance(value, int | str):
        msg = f"expected an amount such as '1234.56', got {show(value)}"
        raise TypeError(msg)
    try:
        return Decimal(value)
    except InvalidOperation:
        msg = f"expected an amount such as '1234.56', got {show(value)}"
        raise ValueError(msg) from None


def _enum_value(member: enum.Enum) -> Any:
    return member.value


def _structure_enum(value: Any, kind: type[enum.StrEnum]) -> enum.StrEnum:
    if not isinstance(value, str):
        msg = f"expected one of {', '.join(m.value for m in kind)}, got {show(value)}"
        raise TypeError(msg)
    try:
        return kind(value)
    except ValueError:
        msg = f"expected one of {', '.join(m.value for m in kind)}, got {show(value)}"
        raise ValueError(msg) from None


def _strict(kind: type) -> Any:
    def structure(value: Any, _type: type) -> Any:
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            msg = f"expected {kind.__name__}, got {show(value)}"
            raise TypeError(msg)
        return value

    return structure


def make_converter() -> cattrs.Converter:
    """A fresh converter for betastate's JSON (JSON-safe unstructured values)."""
    import cattrs  # noqa: PLC0415  (import time: cattrs loads only when needed)
    from cattrs.strategies import configure_tagged_union  # noqa: PLC0415

    converter = cattrs.Converter(forbid_extra_keys=True)
    # Before any class hook is built: objects and collections are checked and
    # fail fast (see the factories), so decoding stays linear in the input.
    converter.register_structure_hook_factory(_is_sequence, _sequence_hook)
    converter.register_structure_hook_factory(_is_mapping, _mapping_hook)
    converter.register_structure_hook_factory(attrs.has, _object_hook)
    converter.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    converter.register_structure_hook(dt.date, _structure_date)
    converter.register_unstructure_hook(Decimal, _decimal_text)
    converter.register_structure_hook(Decimal, _structure_decimal)
    for kind in (str, int, bool):
        converter.register_structure_hook(kind, _strict(kind))
    # A StrEnum is a str: give every StrEnum its own, more specific hook.
    converter.register_structure_hook(enum.StrEnum, _structure_enum)
    converter.register_unstructure_hook(enum.StrEnum, _enum_value)
    free = Mapping[str, Any]
    converter.register_unstructure_hook_func(lambda t: t == free, lambda m: _encode_free(dict(m)))
    converter.register_structure_hook_func(
        lambda t: t == free, lambda v, _t: MappingProxyType(_decode_free(v))
    )
    _register_contract(converter)  # before the unions, which take the Actor hook as it is
    _register_rulebook(converter)
    for union, members in (
        (Event, _events.EVENT_TYPES),
        (_commands.Command, _commands.COMMAND_TYPES),
    ):
        configure_tagged_union(union, converter, tag_name="_type")  # the unstructure side
        converter.register_structure_hook(union, _tagged_union_hook(converter, members))
    return converter


def _is_sequence(kind: Any) -> bool:
    """``tuple[X, ...]``: every sequence field of betastate's values."""
    args = typing.get_args(kind)
    return typing.get_origin(kind) is tuple and len(args) == 2 and args[1] is Ellipsis  # noqa: PLR2004


def _sequence_hook(kind: Any, converter: cattrs.Converter) -> Any:
    """
    A JSON list to a tuple, stopping at the first bad item.

    cattrs collects an error per bad item, which costs more than linear time
    and memory on a long list of bad items; one error with its index says
    what to fix. Text is refused, never iterated character by character.
    """
    item_type = typing.get_args(kind)[0]
    hook = converter.get_structure_hook(item_type)

    def structure(value: Any, _type: Any) -> tuple[Any, ...]:
        if not isinstance(value, list | tuple):
            msg = f"expected a list, got {show(value)}"
            raise TypeError(msg)
        result = []
        for index, item in enumerate(value):
            try:
                result.append(hook(item, item_type))
            except Exception as exc:  # noqa: BLE001  (re-raised with its index, as cattrs does)
                raise _at(exc, index, item_type, kind) from None
        return tuple(result)

    return structure


def _at(error: Exception, where: int | str, item_type: Any, kind: Any) -> Exception:
    """``error`` as cattrs reports the item at index or key ``where`` of a ``kind``."""
    from cattrs.errors import IterableValidationError, IterableValidationNote  # noqa: PLC0415

    note = IterableValidationNote(f"@ {where}", where, item_type)
    error.__notes__ = [*getattr(error, "__notes__", []), note]
    return IterableValidationError(f"While structuring {kind!r}", [error], kind)


def _is_mapping(kind: Any) -> bool:
    """``Mapping[str, X]`` and ``dict[str, X]`` (free data has its own hook)."""
    return typing.get_origin(kind) in {dict, Mapping, collections.abc.Mapping}


def _mapping_hook(kind: Any, converter: cattrs.Converter) -> Any:
    """A JSON object to a dict, stopping at the first bad entry (see :func:`_sequence_hook`)."""
    key_type, value_type = typing.get_args(kind)
    hook = converter.get_structure_hook(value_type)

    def structure(value: Any, _type: Any) -> dict[Any, Any]:
        if not isinstance(value, dict):
            msg = f"expected an object, got {show(value)}"
            raise TypeError(msg)
        result = {}
        for key, item in value.items():
            try:
                if not isinstance(key, key_type):
                    msg = f"expected a {key_type.__name__} key, got {show(key)}"
                    raise TypeError(msg)  # noqa: TRY301  (reported with the key, like a bad value)
                result[key] = hook(item, value_type)
            except Exception as exc:  # noqa: BLE001  (re-raised with its key, as cattrs does)
                shown = repr(key[:40]) if isinstance(key, str) else show(key)
                raise _at(exc, shown, value_type, kind) from None
        return result

    return structure


def _object_hook(kind: type, converter: cattrs.Converter) -> Any:
    """An attrs class from a JSON object: anything else, or a non-text key, is refused first."""
    from cattrs.gen import make_dict_structure_fn  # noqa: PLC0415

    base: Any = make_dict_structure_fn(kind, converter)

    def structure(value: Any, _type: Any) -> Any:
        if not isinstance(value, dict):
            msg = f"expected an object (a {kind.__name__}), got {show(value)}"
            raise TypeError(msg)
        for key in value:
            if not isinstance(key, str):
                msg = f"expected text keys, got {show(key)}"
                raise TypeError(msg)
        return base(value, _type)

    return structure


def _tagged_union_hook(converter: cattrs.Converter, members: tuple[type, ...]) -> Any:
    """An event or a command from an object whose ``_type`` names its class."""
    hooks = {kind.__name__: (kind, converter.get_structure_hook(kind)) for kind in members}
    names = ", ".join(hooks)

    def structure(value: Any, _type: Any) -> Any:
        if not isinstance(value, dict):
            msg = f"expected an object with a _type, got {show(value)}"
            raise TypeError(msg)
        tag = value.get("_type")
        found = hooks.get(tag) if isinstance(tag, str) else None
        if found is None:
            msg = f"expected _type to be one of {names}, got {show(tag)}"
            raise ValueError(msg)
        kind, hook = found
        return hook({k: v for k, v in value.items() if k != "_type"}, kind)

    return structure


def _decimal_text(value: Decimal) -> str:
    """Fixed-point text (``1000``, never ``1E+3``): what the schema's pattern reads."""
    return format(value, "f")


def _fixed_tuple(kind: Any) -> bool:
    """``tuple[int, Decimal]`` (not ``tuple[int, ...]``)."""
    origin: Any = typing.get_origin(kind)
    return origin is tuple and ... not in typing.get_args(kind)


def _register_contract(converter: cattrs.Converter) -> None:
    """
    What the JSON Schemas promise: tags everywhere, the ``by`` shorthand, lists, timestamps.

    Events and commands carry their ``_type`` wherever they appear (a
    ``last_committee`` too, not only in unions); ``"by": "sponsor"`` is the
    JSON form of ``by=Role.SPONSOR``; fixed-length tuples are lists; journal
    records hold timestamps and UUIDs.
    """
    import uuid  # noqa: PLC0415  (import time)

    tagged = frozenset((*_events.EVENT_TYPES, *_commands.COMMAND_TYPES))

    def tagged_unstructure(cls: type) -> Any:
        plain: Callable[[Any], Any] = converter.gen_unstructure_attrs_fromdict(cls)
        return lambda value: {**plain(value), "_type": cls.__name__}

    def tagged_structure(cls: type) -> Any:
        plain: Callable[[Any, type], Any] = converter.gen_structure_attrs_fromdict(cls)

        def structure(value: Any, kind: type) -> Any:
            if isinstance(value, dict) and "_type" in value:
                value = {key: item for key, item in value.items() if key != "_type"}
            return plain(value, kind)

        return structure

    converter.register_unstructure_hook_factory(lambda t: t in tagged, tagged_unstructure)
    converter.register_structure_hook_factory(lambda t: t in tagged, tagged_structure)

    actor = converter.gen_structure_attrs_fromdict(_actors.Actor)
    converter.register_structure_hook(
        _actors.Actor, lambda v, t: _actors.Actor(role=v) if isinstance(v, str) else actor(v, t)
    )
    converter.register_structure_hook(dt.datetime, lambda v, _t: dt.datetime.fromisoformat(v))
    converter.register_unstructure_hook_func(  # tuple[int, int]: a list, as JSON has
        _fixed_tuple, lambda v: [converter.unstructure(item) for item in v]
    )
    converter.register_unstructure_hook(uuid.UUID, str)
    converter.register_structure_hook(uuid.UUID, lambda v, _t: uuid.UUID(v))


_MODULES: Final = (
    _actors,
    _reasons,
    _money,
    _stopping,
    _events,
    _startup,
    _rulebook,
    _gates,
    _commands,
    _ledger,
    _state,
    _lifecycle,
    _portfolio,
)
"""Modules whose attrs classes the converter handles (their annotations are strings)."""


def resolve_all_types() -> None:
    """
    Resolve every attrs class's string annotations once, at import.

    The classes' ``__module__`` is then renamed to ``betastate``, where the
    names their annotations use (``Decimal``, ``Event``...) do not live.
    """
    namespace = _namespace()
    for module in _MODULES:
        for obj in vars(module).values():
            if isinstance(obj, type) and attrs.has(obj) and obj.__module__ == module.__name__:
                attrs.resolve_types(obj, globalns=namespace)


def adopt_module(module: Any) -> None:
    """
    Resolve the annotations of a module loaded after ``import betastate``.

    Lazily imported modules (loaders, analytics) get the same treatment as
    the core ones before their classes are renamed to ``betastate.X``.
    """
    namespace = {**_namespace(), **vars(module)}
    for obj in vars(module).values():
        if isinstance(obj, type) and attrs.has(obj) and obj.__module__ == module.__name__:
            attrs.resolve_types(obj, globalns=namespace)


def _namespace() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    for module in _MODULES:
        namespace.update(vars(module))
    namespace.update({"dt": dt, "Decimal": Decimal, "Mapping": Mapping, "Any": Any})
    return namespace


def _register_rulebook(converter: cattrs.Converter) -> None:
    """Rulebooks travel without their gates (callables); they are re-attached."""
    book_fields = [
        f.name
        for f in attrs.fields(_rulebook.Rulebook)
        if f.init and f.name not in {"gates", "origin"}
    ]

    def unstructure(book: _rulebook.Rulebook) -> dict[str, Any]:
        return {name: converter.unstructure(getattr(book, name)) for name in book_fields}

    def structure(value: Any, _type: type) -> _rulebook.Rulebook:
        if not isinstance(value, dict):
            msg = f"expected an object (a Rulebook), got {show(value)}"
            raise TypeError(msg)
        hints = {f.name: f.type for f in attrs.fields(_rulebook.Rulebook) if f.type is not None}
        kwargs = {
            name: converter.structure(value[name], hints[name])
            for name in book_fields
            if name in value
        }
        extra = set(value) - set(book_fields)
        if extra:
            msg = f"unknown rulebook keys: {', '.join(sorted(extra))}"
            raise ValueError(msg)
        return _rulebook.Rulebook(**kwargs, gates=_gates.BUILTIN_GATES)

    converter.register_unstructure_hook(_rulebook.Rulebook, unstructure)
    converter.register_structure_hook(_rulebook.Rulebook, structure)


_CONVERTER: cattrs.Converter | None = None


def converter() -> cattrs.Converter:
    """Betastate's converter (built on first use, then shared; it is not mutated)."""
    global _CONVERTER  # noqa: PLW0603  (lazy: building it costs import time)
    if _CONVERTER is None:
        _CONVERTER = make_converter()
    return _CONVERTER


def to_data(value: Any) -> Any:
    """
    Any betastate value as JSON-safe data (dicts, lists, strings, numbers).

    Events and commands carry their ``_type`` tag, so ``from_data(data, Event)``
    knows which class to rebuild; so do the events and commands of a list or
    tuple (``to_data([event, event])``). A betastate error becomes its JSON
    body (``json_schema(BetastateError)``): its code, message, fix and what
    it carries (problems, reasons, versions).
    """
    if isinstance(value, list | tuple):
        return [to_data(item) for item in value]
    if isinstance(value, BetastateError):
        from betastate._io.problems import error_data  # noqa: PLC0415  (it imports this module)

        return error_data(value)
    if isinstance(value, _events.EVENT_TYPES):
        return converter().unstructure(value, unstructure_as=_events.Event)
    if isinstance(value, _commands.COMMAND_TYPES):
        return converter().unstructure(value, unstructure_as=_commands.Command)
    return converter().unstructure(value)


@overload
def from_data(data: Any, kind: type[T]) -> T: ...
@overload
def from_data(data: Any, kind: TypeForm[T]) -> T: ...
def from_data(data: Any, kind: Any) -> Any:
    """
    Rebuild a betastate value of type ``kind`` from JSON-safe data.

    ``kind`` is a class (``betastate.Startup``), a union (``betastate.Command``,
    ``betastate.Event``: the ``_type`` tag picks the class), or ``list[...]``
    and ``tuple[..., ...]`` of those. The data is first checked against
    ``json_schema(kind)``: it is accepted exactly when it validates.

    Raises:
        InvalidData: The data does not describe a ``kind``; ``problems``
            lists every problem with its JSON Pointer, a message and a fix.
    """
    import cattrs  # noqa: PLC0415  (already loaded by converter())

    from betastate._io.problems import checked, invalid  # noqa: PLC0415  (it imports this module)

    data = checked(data, kind)
    try:
        return converter().structure(data, kind)
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise invalid(exc, kind) from None


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """A betastate value as JSON text."""
    import json  # noqa: PLC0415  (import time)

    return json.dumps(to_data(value), ensure_ascii=False, indent=indent)


def portfolio_to_json(portfolio: _portfolio.Portfolio, *, indent: int | None = None) -> str:
    """A whole portfolio as betastate JSON, with its schema version."""
    import json  # noqa: PLC0415  (import time)

    payload = {"betastate": SCHEMA_VERSION, **to_data(portfolio)}
    return json.dumps(payload, ensure_ascii=False, indent=indent)


def portfolio_from_json(text: str | bytes, *, file: str = "<json>") -> _portfolio.Portfolio:
    """
    Read a portfolio written by :func:`portfolio_to_json`.

    Raises:
        DataFileError: Not JSON, another schema version, or not a portfolio.
    """
    import json  # noqa: PLC0415  (import time)

    try:
        payload = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, huge ints
        line = getattr(exc, "lineno", None)
        problem = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise DataFileError(file, line, f"not JSON: {problem}", "write valid JSON") from None
    if not isinstance(payload, dict) or payload.get("betastate") != SCHEMA_VERSION:
        found = payload.get("betastate") if isinstance(payload, dict) else None
        raise DataFileError(
            file,
            1,
            f"not betastate JSON version {SCHEMA_VERSION} (found betastate={found!r})",
            "write it with betastate.portfolio_to_json or convert it",
        )
    body = {k: v for k, v in payload.items() if k != "betastate"}
    try:
        return from_data(body, _portfolio.Portfolio)
    except InvalidData as exc:
        shown = "; ".join(str(problem) for problem in exc.problems[:10])
        more = f" (and {len(exc.problems) - 10} more)" if len(exc.problems) > 10 else ""  # noqa: PLR2004
        raise DataFileError(file, None, f"not a valid portfolio: {shown}{more}", exc.fix) from exc
