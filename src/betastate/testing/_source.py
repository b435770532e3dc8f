"""
Values written as the Python that builds them, for failure reports people can paste.

``source(Advance(...))`` gives ``bs.Advance(on=dt.date(2025, 1, 6), to='construction',
by='sponsor')``: only the fields that differ from their defaults, dates as
``dt.date``, money as ``Decimal``, enums as their values (every converter takes
them), tuples as lists. It assumes ``import datetime as dt``, ``from decimal
import Decimal`` and ``import betastate as bs``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from betastate._engine.commands import COMMAND_TYPES
from betastate._values.actors import Actor


_SHORT_ACTORS = frozenset({"by", "co_deciders"})
"""Command fields whose converter takes a role name for an actor."""


def source(value: Any) -> str:
    """``value`` as the Python expression that builds it (see the module docstring)."""
    return _render(value, short_actors=False)


def _render(value: Any, *, short_actors: bool) -> str:  # noqa: PLR0911  (one branch per kind)
    if isinstance(value, Actor) and short_actors and value.name is value.organisation is None:
        return repr(value.role)
    if attrs.has(type(value)):
        return _attrs(value)
    if isinstance(value, enum.Enum):
        return repr(value.value)
    if isinstance(value, dt.datetime):
        return repr(value)
    if isinstance(value, dt.date):
        return f"dt.date({value.year}, {value.month}, {value.day})"
    if isinstance(value, Decimal):
        return f"Decimal({str(value)!r})"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_render(v, short_actors=short_actors) for v in value) + "]"
    if isinstance(value, Mapping):
        items = (f"{k!r}: {_render(v, short_actors=False)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    return repr(value)


def _attrs(value: Any) -> str:
    kind = type(value)
    command = isinstance(value, COMMAND_TYPES)
    parts: list[str] = []
    for field in attrs.fields(kind):
        if not field.init:
            continue
        current = getattr(value, field.name)
        if _is_default(field, current):
            continue
        short = command and field.name in _SHORT_ACTORS
        parts.append(f"{field.alias or field.name}={_render(current, short_actors=short)}")
    return f"bs.{kind.__name__}({', '.join(parts)})"


def _is_default(field: attrs.Attribute[Any], current: Any) -> bool:
    default: Any = field.default
    if default is attrs.NOTHING:
        return False
    if isinstance(default, _FACTORY):
        default = default.factory()  # betastate's factories take no ``self``
    converter: Any = field.converter
    if callable(converter):
        default = converter(default)
    return bool(current == default)


_FACTORY: Any = type(attrs.Factory(tuple))
"""The class of ``attrs.Factory`` defaults."""
