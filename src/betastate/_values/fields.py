"""
What the values' attrs fields share: lenient converters, strict validators.

A converter only normalises what it can (a list becomes a tuple, a role
name an :class:`~betastate.Actor`) and hands anything else through
unchanged; the field's validator then judges the result and raises
:class:`betastate.exceptions.InvalidValue` (or its ``TypeError`` twin
:class:`~betastate.exceptions.InvalidType`) naming the class, the field,
the value and the fix. Converters cannot know their field's name (and the
type checker accepts only plain functions as converters), so the
judgement lives in the validators, which do.

Validators are plain functions with a fast path for the common case: they
run on every value built, loaded or derived.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final, NoReturn

import attrs

from betastate._values.errors import InvalidType, InvalidValue


MIN_DATE: Final = dt.date(1900, 1, 1)
"""
The earliest date any value accepts (the hard bound).

The rulebook's ``earliest_date`` and ``latest_date`` thresholds say which
dates a history may hold; this bound only refuses absurd years, with
centuries of margin so that date arithmetic (periods of months, notice
days) never leaves the calendar.
"""

MAX_DATE: Final = dt.date(2999, 12, 31)
"""The latest date any value accepts (see :data:`MIN_DATE`)."""

MAX_MONTHS: Final = 1200
"""The longest period, in months, a command may ask for (a century)."""

MAX_DEPTH: Final = 64
"""How deeply free data (``extra``) may nest; real front matter nests three levels."""

_SLUG_CHAR: Final = r"0-9A-Za-z_\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
SLUG_PATTERN: Final = rf"[{_SLUG_CHAR}][{_SLUG_CHAR}.\-\u0300-\u036f]{{0,199}}"
"""
The site's file-name pattern for slugs and ids (``content/_startups/<slug>.md``).

A letter, digit or underscore (ASCII or accented Latin), then up to 199
more of those, dots, hyphens or combining accents: every file name of the
real snapshot matches (``1000.jours``, ``auxAJ``, ``données-et-territoires``,
``dinum_produits_interministeriels``); a path separator, a space, a leading
dot or a blank never does. Explicit ranges, not ``\\w``, so that every
regular-expression engine (Python's, a JSON Schema validator's in
JavaScript) reads the pattern the same way.
"""

SLUG: Final = re.compile(SLUG_PATTERN)
""":data:`SLUG_PATTERN`, compiled."""

NOT_BLANK_PATTERN: Final = (
    r"[^\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
"""
A character that is not a space, as ``str.isspace`` says (a non-blank text has one).

Spelled out rather than ``\\S``: JavaScript's ``\\s`` counts ``U+FEFF`` as a space
and not ``U+001C``..``U+001F``, Python's the other way round.
"""

_DATE: Final = dt.date
_TUPLE: Final = tuple
_FULL_SLUG: Final = SLUG.fullmatch


def _owner(inst: object) -> str:
    return type(inst).__name__


def fail_type(
    inst: object, attribute: attrs.Attribute[Any], value: Any, problem: str, fix: str
) -> NoReturn:
    """Raise :class:`InvalidType` for ``inst.attribute``."""
    raise InvalidType(_owner(inst), attribute.name, value, problem, fix)


def fail_value(
    inst: object, attribute: attrs.Attribute[Any], value: Any, problem: str, fix: str
) -> NoReturn:
    """Raise :class:`InvalidValue` for ``inst.attribute``."""
    raise InvalidValue(_owner(inst), attribute.name, value, problem, fix)


def require(value: object, kind: type | tuple[type, ...], name: str, what: str) -> None:
    """
    Refuse a function's argument ``name`` unless it is a ``kind``: an :class:`InvalidType`.

    For the doors of the API (a startup, a path, a date given to a
    function), so that a wrong type is a betastate error naming the
    argument, not an ``AttributeError`` from deep inside.
    """
    if not isinstance(value, kind):
        raise InvalidType("", name, value, f"expected {what}", f"pass {what}")


def require_date(value: object, name: str) -> None:
    """An optional date argument (``on``): ``None`` or a ``datetime.date``, never a datetime."""
    if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
        raise InvalidType("", name, value, "expected a datetime.date or None", _date_fix(value))


# -- dates -----------------------------------------------------------------------------


def _date_fix(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return f"pass its day, {value.date()!r}"
    if isinstance(value, str):
        return "pass a datetime.date, e.g. datetime.date.fromisoformat('2025-01-06')"
    return "pass a datetime.date such as datetime.date(2025, 1, 6)"


def check_date(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A ``datetime.date`` (never a datetime or a string) between the hard bounds."""
    if value.__class__ is not _DATE and (
        not isinstance(value, dt.date) or isinstance(value, dt.datetime)
    ):
        fail_type(inst, attribute, value, "expected a datetime.date", _date_fix(value))
    if not MIN_DATE <= value <= MAX_DATE:
        fail_value(
            inst,
            attribute,
            value,
            f"a date must lie between {MIN_DATE} and {MAX_DATE}",
            "check the year",
        )


def check_optional_date(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """``None`` or :func:`check_date`."""
    if value is not None:
        check_date(inst, attribute, value)


def check_dates(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A tuple of ``datetime.date`` (never datetimes or strings)."""
    if value.__class__ is not _TUPLE:
        fail_type(inst, attribute, value, "expected a sequence of dates", "pass a list of dates")
    for index, item in enumerate(value):
        if item.__class__ is not _DATE and (
            not isinstance(item, dt.date) or isinstance(item, dt.datetime)
        ):
            raise InvalidType(
                _owner(inst),
                f"{attribute.name}[{index}]",
                item,
                "expected a datetime.date",
                _date_fix(item),
                path=(attribute.name, index),
            )


_DATED: dict[type, tuple[str, ...]] = {}


def date_fields(kind: type[attrs.AttrsInstance]) -> tuple[str, ...]:
    """The names of the date fields of an attrs class (those checked as dates), cached."""
    names = _DATED.get(kind)
    if names is None:
        checks = (check_date, check_optional_date)
        names = tuple(f.name for f in attrs.fields(kind) if f.validator in checks)
        _DATED[kind] = names
    return names


def dated_fields(value: attrs.AttrsInstance) -> Iterator[tuple[str, dt.date]]:
    """The ``(name, date)`` of every date field of an attrs value that is set."""
    for name in date_fields(type(value)):
        day = getattr(value, name)
        if day is not None:
            yield name, day


# -- texts and ids ---------------------------------------------------------------------


def check_text(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Any string (free text may be empty)."""
    if value.__class__ is not str and not isinstance(value, str):
        fail_type(inst, attribute, value, "expected a str", "pass text")


def check_optional_text(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """``None`` or any string."""
    if value is not None and not isinstance(value, str):
        fail_type(inst, attribute, value, "expected a str or None", "pass text, or None")


def check_name(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A required string: not empty, not only spaces."""
    if not isinstance(value, str):
        fail_type(inst, attribute, value, "expected a str", "pass a non-empty text")
    if not value or value.isspace():
        fail_value(inst, attribute, value, "must not be blank", "pass a non-empty text")


def check_optional_name(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """``None`` or :func:`check_name` (an optional id: absent, never blank)."""
    if value is not None:
        check_name(inst, attribute, value)


def check_slug(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A slug or file-stem id matching :data:`SLUG`."""
    if not isinstance(value, str):
        fail_type(inst, attribute, value, "expected a str", "pass the slug as text")
    if _FULL_SLUG(value) is None:
        fail_value(
            inst,
            attribute,
            value,
            "a slug is a file name: letters, digits, '_', '.' and '-', starting with a letter "
            "or digit, at most 200 characters, no spaces or path separators",
            "use the stem of the product's file name, e.g. 'guichet-unique'",
        )


# -- numbers and flags -----------------------------------------------------------------


def check_flag(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """``True`` or ``False``, nothing that merely looks like one."""
    if value is not True and value is not False:
        fail_type(inst, attribute, value, "expected True or False", "pass a bool")


COUNT_BOUNDS: Final[dict[object, tuple[int, int | None]]] = {}
"""Each validator :func:`count` and :func:`optional_count` made → its ``(low, high)`` (schemas)."""


def count(
    low: int = 0, high: int | None = None
) -> Callable[[object, attrs.Attribute[Any], Any], None]:
    """A validator: an ``int`` (never a bool) from ``low`` to ``high``."""
    span = f"from {low}" + (f" to {high:,}" if high is not None else " up")

    def check(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value.__class__ is not int and (not isinstance(value, int) or isinstance(value, bool)):
            fail_type(inst, attribute, value, "expected an int", f"pass a whole number {span}")
        if value < low or (high is not None and value > high):
            fail_value(inst, attribute, value, f"must be {span}", f"pass a whole number {span}")

    COUNT_BOUNDS[check] = (low, high)
    return check


def optional_count(
    low: int = 0, high: int | None = None
) -> Callable[[object, attrs.Attribute[Any], Any], None]:
    """A validator: ``None`` or :func:`count`."""
    check = count(low, high)

    def check_optional(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None or (
            value.__class__ is int and value >= low and (high is None or value <= high)
        ):
            return
        check(inst, attribute, value)

    COUNT_BOUNDS[check_optional] = (low, high)
    return check_optional


# -- instances and enumerations --------------------------------------------------------


def instance(
    kind: type, *, optional: bool = False
) -> Callable[[object, attrs.Attribute[Any], Any], None]:
    """A validator: an instance of ``kind`` (or ``None`` when ``optional``)."""
    name = f"betastate.{kind.__name__}"
    what = f"a {name}" + (" or None" if optional else "")

    def check(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value.__class__ is kind or (optional and value is None) or isinstance(value, kind):
            return
        fail_type(inst, attribute, value, f"expected {what}", f"build it with {name}(...)")

    return check


def member(
    kind: type, *, optional: bool = False
) -> Callable[[object, attrs.Attribute[Any], Any], None]:
    """A validator: a member of the enumeration ``kind`` (converters map values to members)."""
    choices = ", ".join(repr(m.value) for m in kind)  # type: ignore[attr-defined]
    problem = f"expected one of {choices}" + (" or None" if optional else "")

    def check(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value.__class__ is kind or (optional and value is None):
            return
        fail_value(inst, attribute, value, problem, f"pass betastate.{kind.__name__} or its value")

    return check


def members(kind: type) -> Callable[[object, attrs.Attribute[Any], Any], None]:
    """A validator: a tuple of members of the enumeration ``kind``."""
    choices = ", ".join(repr(m.value) for m in kind)  # type: ignore[attr-defined]

    def check(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value.__class__ is not _TUPLE:
            fail_type(inst, attribute, value, "expected a sequence", f"pass a list of {choices}")
        for index, item in enumerate(value):
            if item.__class__ is not kind:
                raise InvalidValue(
                    _owner(inst),
                    f"{attribute.name}[{index}]",
                    item,
                    f"expected one of {choices}",
                    f"pass betastate.{kind.__name__} members or their values",
                    path=(attribute.name, index),
                )

    return check


def to_member(kind: Any, value: Any) -> Any:
    """``value`` as a member of the enumeration ``kind``, else unchanged (for the validator)."""
    if value.__class__ is kind or value is None:
        return value
    try:
        return kind(value)
    except (ValueError, TypeError):
        return value


# -- sequences -------------------------------------------------------------------------


def to_tuple(value: Any) -> Any:
    """
    A tuple of ``value``'s items, or ``value`` unchanged (the validator refuses it).

    Text and mappings are iterable but are not sequences of items: they are
    handed through, never split into characters or keys.
    """
    kind = value.__class__
    if kind is _TUPLE:
        return value
    if kind is list:
        return tuple(value)
    if isinstance(value, str | bytes | bytearray | Mapping) or not isinstance(value, Iterable):
        return value
    return tuple(value)


def to_str_tuple(value: Iterable[str] | str) -> tuple[str, ...]:
    """:func:`to_tuple`, except that a lone string is one item, not its characters."""
    kind = value.__class__
    if kind is _TUPLE:
        return value  # type: ignore[return-value]
    if kind is list:
        return tuple(value)
    if isinstance(value, str):
        return (value,)
    return to_tuple(value)  # type: ignore[no-any-return]


def tuple_of_str(value: Any) -> tuple[str, ...]:
    """A tuple of strings; a lone string is one item, not its characters."""
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def tuple_of(kind: type) -> Callable[[object, attrs.Attribute[Any], Any], None]:
    """A validator: a tuple of ``kind`` instances."""
    name = f"betastate.{kind.__name__}"

    def check(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value.__class__ is not _TUPLE:
            fail_type(
                inst, attribute, value, f"expected a sequence of {name}", f"pass a list of {name}"
            )
        for index, item in enumerate(value):
            if item.__class__ is not kind and not isinstance(item, kind):
                raise InvalidType(
                    _owner(inst),
                    f"{attribute.name}[{index}]",
                    item,
                    f"expected a {name}",
                    f"build each item with {name}(...)",
                    path=(attribute.name, index),
                )

    return check


def check_names(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A tuple of non-blank strings (ids, criteria, objectives...)."""
    if value.__class__ is not _TUPLE:
        fail_type(inst, attribute, value, "expected a sequence of str", "pass a list of texts")
    for index, item in enumerate(value):
        if item.__class__ is not str or not item or item.isspace():
            if not isinstance(item, str):
                raise InvalidType(
                    _owner(inst),
                    f"{attribute.name}[{index}]",
                    item,
                    "expected a str",
                    "pass text",
                    path=(attribute.name, index),
                )
            if not item or item.isspace():
                raise InvalidValue(
                    _owner(inst),
                    f"{attribute.name}[{index}]",
                    item,
                    "must not be blank",
                    "drop the blank item",
                    path=(attribute.name, index),
                )


# -- free data (extra keys) ------------------------------------------------------------

_SCALARS: Final = (str, int, float, bool, dt.date, type(None))
_TAGS: Final = frozenset({"$date", "$datetime"})


def freeze_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only mapping (``None`` is empty), else ``value`` unchanged (for the validator)."""
    kind = value.__class__
    if kind is dict:
        return MappingProxyType(value.copy())  # type: ignore[union-attr]
    if kind is MappingProxyType:
        return value  # type: ignore[return-value]
    if value is None:
        return MappingProxyType({})
    if isinstance(value, Mapping):
        return MappingProxyType(dict(value))
    return value  # type: ignore[unreachable]  # not a mapping: check_free refuses it


_Node = tuple[Any, Any, int, "_Node | None"]
"""(key or index, value, depth, parent): a path is rebuilt only for a message."""


def _path(name: str, node: _Node | None) -> str:
    """The place of ``node`` as Python writes it (``extra['a'][3]``), long ones shortened."""
    parts = [f"[{key!r}]" if isinstance(key, str) else f"[{key}]" for key in _steps(name, node)[1:]]
    if len(parts) > _SHOWN_PARTS:
        parts[_SHOWN_PARTS // 2 : -_SHOWN_PARTS // 2] = ["..."]
    return name + "".join(parts)


_SHOWN_PARTS: Final = 8


def _steps(name: str, node: _Node | None) -> tuple[str | int, ...]:
    """The keys and indices from the attribute ``name`` down to ``node`` (for a pointer)."""
    steps: list[str | int] = []
    while node is not None and node[3] is not None:  # the root has no parent
        steps.append(node[0])
        node = node[3]
    return (name, *reversed(steps))


def check_free(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """
    Free data as YAML and JSON hold it: text keys; text, numbers, booleans, dates, lists, mappings.

    Anything else (bytes, sets, objects, ``NaN``, data nested past
    :data:`MAX_DEPTH`) could not be written back or compared; it is refused
    here, with the path of the bad part. One pass, no recursion.
    """
    if not isinstance(value, Mapping):
        fail_type(inst, attribute, value, "expected a mapping of str keys", "pass a dict")
    if _well_formed(value):
        return
    # Something is off: walk again, keeping the path this time, to say what and where.
    stack: list[_Node] = [(None, value, 0, None)]
    while stack:
        entry = stack.pop()
        node = entry[1]
        if isinstance(node, Mapping | list | tuple):
            _expand(inst, attribute.name, entry, stack)
        elif not isinstance(node, _SCALARS):
            raise InvalidType(
                _owner(inst),
                _path(attribute.name, entry),
                node,
                "free data holds text, numbers, booleans, dates, lists and mappings only",
                "convert the value to one of those",
                path=_steps(attribute.name, entry),
            )
        elif isinstance(node, float) and not math.isfinite(node):
            raise InvalidValue(
                _owner(inst),
                _path(attribute.name, entry),
                node,
                "not a finite number",
                "write a number",
                path=_steps(attribute.name, entry),
            )


_PLAIN: Final = frozenset({str, bool, int, type(None), dt.date, dt.datetime})
_LISTS: Final = frozenset({list, tuple})
_MAPPINGS: Final = frozenset({dict, MappingProxyType})


def _well_formed(value: Mapping[str, Any]) -> bool:
    """Whether free data passes :func:`check_free` (the fast path: no path kept, no message)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth >= MAX_DEPTH:
            return False
        children = _children(node)
        if children is None:
            return False
        for child in children:
            kind = child.__class__
            if kind in _PLAIN:
                continue
            if kind in _LISTS or kind in _MAPPINGS or isinstance(child, Mapping | list | tuple):
                stack.append((child, depth + 1))
            elif not isinstance(child, _SCALARS) or (
                isinstance(child, float) and not math.isfinite(child)
            ):
                return False
    return True


def _children(node: Any) -> Iterable[Any] | None:
    """The values of a list or a well-keyed mapping; ``None`` for a mapping free data refuses."""
    kind = node.__class__
    if kind in _LISTS or not (kind in _MAPPINGS or isinstance(node, Mapping)):
        return node  # type: ignore[no-any-return]
    if len(node) == 1 and ("$date" in node or "$datetime" in node):
        return None
    for key in node:
        if key.__class__ is not str and not isinstance(key, str):
            return None
    return node.values()  # type: ignore[no-any-return]


def _expand(inst: object, name: str, entry: _Node, stack: list[_Node]) -> None:
    """Push the children of a list or mapping (texts and nulls need no check)."""
    node, depth = entry[1], entry[2]
    if depth >= MAX_DEPTH:
        raise InvalidValue(
            _owner(inst),
            _path(name, entry),
            f"<{type(node).__name__} of {len(node)} items>",
            f"data nested deeper than {MAX_DEPTH} levels",
            "flatten the data",
            path=_steps(name, entry),
        )
    if not isinstance(node, Mapping):
        stack.extend(
            (index, child, depth + 1, entry)
            for index, child in enumerate(node)
            if child.__class__ is not str
        )
        return
    if len(node) == 1 and not _TAGS.isdisjoint(node):
        raise InvalidValue(
            _owner(inst),
            _path(name, entry),
            dict(node),
            "a mapping whose only key is '$date' or '$datetime' is how betastate JSON writes dates",
            "rename the key",
            path=_steps(name, entry),
        )
    for key, child in node.items():
        if not isinstance(key, str):
            raise InvalidType(
                _owner(inst),
                _path(name, entry),
                key,
                "keys must be text",
                "quote the key",
                path=_steps(name, entry),
            )
        if child.__class__ is not str and child is not None:
            stack.append((key, child, depth + 1, entry))
