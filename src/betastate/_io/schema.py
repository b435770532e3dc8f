"""
The JSON Schema of betastate's own JSON (``portfolio_to_json``).

Generated from the attrs classes themselves, so it cannot drift from the
converter: one ``$defs`` entry per class, events as a ``oneOf`` tagged by
``_type``, dates as ISO strings, money as decimal strings, enums as their
values, free ``extra`` mappings with ``{"$date": ...}`` tags for dates.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

import attrs

from betastate._analytics.portfolio import Portfolio
from betastate._io.convert import SCHEMA_VERSION
from betastate._values.events import EVENT_TYPES


DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

_FREE: Final[dict[str, Any]] = {
    "description": (
        "Free data as read; dates are {'$date': 'YYYY-MM-DD'}, timestamps {'$datetime': ISO 8601}."
    ),
}


def json_schema() -> dict[str, Any]:
    """
    The JSON Schema (draft 2020-12) of a portfolio written by :func:`betastate.portfolio_to_json`.

    ``betastate schema`` prints it.

    .. versionadded:: 0.1.0
    """
    builder = _Builder()
    root = builder.object_schema(Portfolio)
    root["properties"] = {
        "betastate": {"const": SCHEMA_VERSION, "description": "Schema version of the format."},
        **root["properties"],
    }
    root["required"] = ["betastate", *root["required"]]
    return {
        "$schema": DIALECT,
        "$id": f"https://betastate.invalid/schema/portfolio-v{SCHEMA_VERSION}.json",
        "title": f"betastate portfolio, format version {SCHEMA_VERSION}",
        **root,
        "$defs": dict(sorted(builder.defs.items())),
    }


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}

    def object_schema(self, cls: type) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            if not field.init:
                continue
            name = field.alias or field.name
            properties[name] = self.of(field.type)
            if field.default is attrs.NOTHING:
                required.append(name)
        schema: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        doc = (cls.__doc__ or "").strip().split("\n", 1)[0]
        if doc:
            schema["description"] = doc
        return schema

    def ref(self, cls: type) -> dict[str, Any]:
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # placeholder: classes may refer to themselves
            self.defs[name] = self.object_schema(cls)
        return {"$ref": f"#/$defs/{name}"}

    def event(self, cls: type) -> dict[str, Any]:
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}
            schema = self.object_schema(cls)
            schema["properties"] = {"_type": {"const": name}, **schema["properties"]}
            schema["required"] = ["_type", *schema["required"]]
            self.defs[name] = schema
        return {"$ref": f"#/$defs/{name}"}

    def of(self, kind: Any) -> dict[str, Any]:  # noqa: PLR0911  (one branch per kind of type)
        origin = typing.get_origin(kind)
        args = typing.get_args(kind)
        if origin in {typing.Union, types.UnionType}:
            if set(args) >= set(EVENT_TYPES):
                return {"oneOf": [self.event(cls) for cls in EVENT_TYPES]}
            return {"anyOf": [self.of(arg) for arg in args]}
        if kind is type(None):
            return {"type": "null"}
        if origin is tuple:
            return {"type": "array", "items": self.of(args[0])}
        if origin in {Mapping, dict} or kind is Any:
            return {"type": "object", **_FREE} if kind is not Any else dict(_FREE)
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return {"enum": [member.value for member in kind]}
        if isinstance(kind, type) and attrs.has(kind):
            return self.ref(kind)
        return _scalar(kind)


def _scalar(kind: Any) -> dict[str, Any]:
    if kind is dt.date:
        return {"type": "string", "format": "date"}
    if kind is Decimal:
        return {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "Exact euros."}
    if kind is bool:
        return {"type": "boolean"}
    if kind is int:
        return {"type": "integer"}
    if kind is str:
        return {"type": "string"}
    msg = f"no JSON Schema for {kind!r}; teach betastate._schema about it"
    raise TypeError(msg)
