"""
Errors as data: documents checked against their JSON Schema, problems with JSON Pointers.

:func:`checked` validates a document against the schema of the type asked
for (``betastate._io.schema``, the same schema ``betastate schema`` prints)
before the converter builds anything, and lists *every* problem: its place
as a JSON Pointer (RFC 6901), what is wrong with the value found, and the
fix. An unknown or missing ``_type`` lists the valid ones. Checking the
schema first is what makes a document accepted exactly when it validates;
the few checks no schema states (a rulebook's cross-references) come back
from the converter and are translated by :func:`invalid`.

It implements the keywords betastate's schemas use, as draft 2020-12 defines
them (``integer`` includes ``6.0``, which is normalised to ``6``).

:func:`error_data` is the other half: any betastate error as a JSON body.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import uuid
from collections.abc import Callable
from typing import Any, Final

from betastate._engine.commands import COMMAND_TYPES
from betastate._io.schema import ERROR_CODES, _schema, type_name
from betastate._values.errors import (
    BetastateError,
    ConcurrencyConflict,
    DataFileError,
    InvalidArgument,
    InvalidData,
    JournalError,
    Problem,
    RulebookError,
    TransitionRefused,
    UnknownStartup,
)
from betastate._values.events import EVENT_TYPES


_Path = tuple[str | int, ...]


def pointer(path: _Path) -> str:
    """A JSON Pointer (RFC 6901): ``("history", 3, "on")`` → ``/history/3/on``."""
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in path)


def checked(data: Any, kind: Any) -> Any:
    """
    ``data`` if it validates against the schema of ``kind`` (whole numbers normalised).

    Raises:
        InvalidData: Every problem found.
    """
    schema = _schema(kind)
    checker = _Checker(schema["$defs"])
    problems: list[Problem] = []
    value = checker.check(schema, data, (), problems, type_name(kind))
    if problems:
        raise InvalidData(type_name(kind), problems)
    return value


def invalid(error: BaseException, kind: Any) -> InvalidData:
    """What the converter raised (a check no schema states), as problems with their paths."""
    import cattrs  # noqa: PLC0415  (loaded by the converter already)

    problems: list[Problem] = []

    def walk(exc: BaseException, path: _Path) -> None:
        if isinstance(exc, cattrs.ClassValidationError | cattrs.IterableValidationError):
            noted, others = exc.group_exceptions()
            for sub, note in noted:
                step = note.name if isinstance(note, cattrs.AttributeValidationNote) else note.index
                walk(sub, (*path, step))
            for sub in others:
                walk(sub, path)
            return
        if isinstance(exc, cattrs.BaseValidationError):
            for sub in exc.exceptions:
                walk(sub, path)
            return
        problems.append(_leaf(exc, path))

    walk(error, ())
    return InvalidData(type_name(kind), problems)


def _leaf(exc: BaseException, path: _Path) -> Problem:
    if isinstance(exc, RulebookError):
        # "transitions[3] (id 'T03')", "phases[1].value": the TOML key path, then a note
        parts = re.split(r"[.\[\]]+", exc.key.split(" ", 1)[0])
        key = tuple(int(part) if part.isdigit() else part for part in parts if part)
        return Problem(pointer(path + key), exc.problem, exc.fix)
    if isinstance(exc, KeyError) and exc.args:
        return Problem(pointer((*path, str(exc.args[0]))), "this field is required", "add it")
    text = str(exc).rstrip(".")
    return Problem(pointer(path), text or type(exc).__name__, "write a value this field accepts")


# -- the checker --------------------------------------------------------------------------------


_FORMATS: Final[dict[str, Callable[[str], object]]] = {
    "date": dt.date.fromisoformat,
    "date-time": dt.datetime.fromisoformat,
    "uuid": uuid.UUID,
}
_DATE_SHAPE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_JSON_TYPES: Final = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}
_DESCRIBED: Final = {
    "Date": "a date (YYYY-MM-DD)",
    "Timestamp": "a timestamp (YYYY-MM-DDTHH:MM:SS, with an optional offset)",
    "Money": 'an amount in euros (a decimal string such as "1234.56", or a whole number)',
    "Money (zero or more)": 'zero or more euros (a string such as "1234.56", or a whole number)',
    "Money (above zero)": (
        'an amount above zero (euros as a string such as "1234.56", or a whole number)'
    ),
}
_SHOWN: Final = 60
_TAG_NAMES: Final = frozenset(cls.__name__ for cls in (*EVENT_TYPES, *COMMAND_TYPES))


def _q(name: str) -> str:
    """A field name as JSON writes it: ``"on"``."""
    return json.dumps(name, ensure_ascii=False)


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _is(kind: str, value: Any) -> bool:  # noqa: PLR0911  (one answer per JSON type)
    """Whether ``value`` is a JSON ``kind`` (an integral float is an ``integer``)."""
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":  # a tuple is Python's way to write one (JSON text only has lists)
        return isinstance(value, list | tuple)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return kind == "number" or isinstance(value, int) or value.is_integer()


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: ``1 == 1.0`` but ``true != 1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return (
        bool(type(a) is type(b) or (isinstance(a, int | float) and isinstance(b, int | float)))
        and a == b
    )


def _show(value: Any) -> str:
    if isinstance(value, dict):
        keys = ", ".join(list(value)[:6]) + (", ..." if len(value) > 6 else "")  # noqa: PLR2004
        return f"an object with {keys}" if value else "an empty object"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + '..."'


class _Checker:
    """Validates documents against one schema's definitions, collecting problems."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        target: dict[str, Any] = self.defs[node["$ref"].rsplit("/", 1)[-1]]
        return target

    def valid(self, node: dict[str, Any], value: Any) -> bool:
        scratch: list[Problem] = []
        self.check(node, value, (), scratch, "")
        return not scratch

    def describe(self, node: dict[str, Any]) -> str:  # noqa: C901, PLR0911  (a phrase per kind of node)
        """What a node expects, in words."""
        title = node.get("title")
        if title in _DESCRIBED:
            return _DESCRIBED[title]
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            target = self.defs[name]
            if "enum" in target:
                return self.describe(target)
            if "discriminator" in target:
                names = ", ".join(target["discriminator"]["mapping"])
                return f"an object whose _type is one of {names}"
            if name == "Free":
                return "any JSON value"
            return f"{'an' if name[0] in 'AEIOU' else 'a'} {name} object"
        if "const" in node:
            return json.dumps(node["const"], ensure_ascii=False)
        if "enum" in node:
            values = [json.dumps(v, ensure_ascii=False) for v in node["enum"]]
            return "one of " + ", ".join(values)
        if "anyOf" in node:
            return " or ".join(self.describe(branch) for branch in node["anyOf"])
        kinds = node.get("type")
        if isinstance(kinds, list):
            return " or ".join(_JSON_TYPES[k] for k in kinds)
        if kinds == "array" and "items" in node:
            return f"a list, each item {self.describe(node['items'])}"
        if kinds in _JSON_TYPES:
            return _JSON_TYPES[kinds]
        return "a value of the documented form"

    def check(  # noqa: C901, PLR0912  (one branch per keyword)
        self, node: dict[str, Any], value: Any, path: _Path, problems: list[Problem], owner: str
    ) -> Any:
        """``value`` (normalised) after checking it; problems go to ``problems``."""
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            value = self.check(self.resolve(node), value, path, problems, name)
            if len(node) == 1:
                return value
        if "discriminator" in node:
            return self.tagged(node, value, path, problems)
        kinds = node.get("type")
        if kinds is not None:
            allowed = kinds if isinstance(kinds, list) else [kinds]
            if not any(_is(kind, value) for kind in allowed):
                self.wrong(node, value, path, problems)
                return value
            if "integer" in allowed and isinstance(value, float) and not isinstance(value, bool):
                value = int(value)
        if "const" in node and not _equal(value, node["const"]):
            self.wrong(node, value, path, problems)
        if "enum" in node and not any(_equal(value, option) for option in node["enum"]):
            self.wrong(node, value, path, problems, fix=f"use {self.describe(node)}")
        if isinstance(value, str):
            self.string(node, value, path, problems)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self.number(node, value, path, problems)
        elif isinstance(value, dict):
            value = self.mapping(node, value, path, problems, owner)
        elif isinstance(value, list | tuple):
            value = self.array(node, list(value), path, problems)
        if "anyOf" in node:
            value = self.any_of(node, value, path, problems, owner)
        for part in node.get("allOf", ()):
            value = self.check(part, value, path, problems, owner)
        if "not" in node and self.valid(node["not"], value):
            problems.append(
                Problem(
                    pointer(path),
                    f"{_show(value)} is not allowed here",
                    "give it another shape (a lone $date or $datetime key is a date)",
                )
            )
        if "if" in node:
            branch = node.get("then") if self.valid(node["if"], value) else node.get("else")
            if branch is not None:
                value = self.check(branch, value, path, problems, owner)
        return value

    def wrong(
        self,
        node: dict[str, Any],
        value: Any,
        path: _Path,
        problems: list[Problem],
        fix: str | None = None,
    ) -> None:
        expected = self.describe(node)
        problems.append(
            Problem(
                pointer(path),
                f"expected {expected}, got {_show(value)}",
                fix or f"write {expected}",
            )
        )

    def string(
        self, node: dict[str, Any], value: str, path: _Path, problems: list[Problem]
    ) -> None:
        low = node.get("minLength")
        if low is not None and len(value) < low:
            problems.append(
                Problem(
                    pointer(path),
                    "must not be empty" if low == 1 else f"must have at least {low} characters",
                    f"write at least {low} character{'s' if low != 1 else ''}",
                )
            )
        pattern = node.get("pattern")
        if pattern is not None and not _regex(pattern).search(value):
            self.wrong(node, value, path, problems)
            return
        form = node.get("format")
        if form in _FORMATS:
            try:
                if form == "date" and not _DATE_SHAPE.fullmatch(value):
                    raise ValueError(value)  # noqa: TRY301  (the same failure as a bad date)
                if form == "uuid" and any(value[i : i + 1] != "-" for i in (8, 13, 18, 23)):
                    raise ValueError(value)  # noqa: TRY301  (the hyphenated form only)
                _FORMATS[form](value)
            except ValueError:
                what = {
                    "date": "a day of the calendar",
                    "date-time": "a real time",
                    "uuid": "a UUID",
                }
                problems.append(
                    Problem(
                        pointer(path),
                        f"{_show(value)} is not {what[form]}",
                        f"write {self.describe(node)}",
                    )
                )

    def number(
        self, node: dict[str, Any], value: float, path: _Path, problems: list[Problem]
    ) -> None:
        low = node.get("minimum")
        if low is not None and value < low:
            problems.append(
                Problem(
                    pointer(path),
                    f"expected at least {low}, got {_show(value)}",
                    f"write {low} or more",
                )
            )

    def mapping(
        self,
        node: dict[str, Any],
        value: dict[str, Any],
        path: _Path,
        problems: list[Problem],
        owner: str,
    ) -> dict[str, Any]:
        properties: dict[str, Any] = node.get("properties", {})
        for name in node.get("required", ()):
            if name not in value:
                expected = self.describe(properties[name]) if name in properties else "a value"
                problems.append(
                    Problem(
                        pointer((*path, name)),
                        f"the field {_q(name)} is missing",
                        f"add {_q(name)}: {expected}",
                    )
                )
        extra = node.get("additionalProperties", True)
        count = node.get("maxProperties")
        if count is not None and len(value) > count:
            problems.append(
                Problem(pointer(path), f"expected at most {count} fields", "remove the others")
            )
        changed: dict[str, Any] | None = None
        for key, item in value.items():
            if key in properties:
                new = self.check(properties[key], item, (*path, key), problems, owner)
            elif extra is False:
                fields = ", ".join(name for name in properties if name != "_type")
                where = f"{owner} has" if owner else "the fields are"
                problems.append(
                    Problem(
                        pointer((*path, key)),
                        f"unknown field {_q(key)}",
                        f"remove it; {where} {fields}",
                    )
                )
                continue
            elif isinstance(extra, dict):
                new = self.check(extra, item, (*path, key), problems, owner)
            else:
                continue
            if new is not item:
                changed = changed if changed is not None else dict(value)
                changed[key] = new
        return value if changed is None else changed

    def array(
        self, node: dict[str, Any], value: list[Any], path: _Path, problems: list[Problem]
    ) -> list[Any]:
        low, high = node.get("minItems"), node.get("maxItems")
        if low is not None and len(value) < low:
            problems.append(
                Problem(
                    pointer(path),
                    f"expected at least {low} items, got {len(value)}",
                    "add the missing ones",
                )
            )
        if high is not None and len(value) > high:
            fix = "remove them" if high == 0 else f"keep at most {high}"
            problems.append(
                Problem(pointer(path), f"expected at most {high} items, got {len(value)}", fix)
            )
        if node.get("uniqueItems"):
            seen: list[Any] = []
            for index, item in enumerate(value):
                if any(_equal(item, other) for other in seen):
                    problems.append(
                        Problem(pointer((*path, index)), "this item appears twice", "keep it once")
                    )
                seen.append(item)
        prefix: list[dict[str, Any]] = node.get("prefixItems", [])
        items = node.get("items")
        changed: list[Any] | None = None
        for index, item in enumerate(value):
            schema = prefix[index] if index < len(prefix) else items
            if schema is None:
                continue
            new = self.check(schema, item, (*path, index), problems, "")
            if new is not item:
                changed = changed if changed is not None else list(value)
                changed[index] = new
        return value if changed is None else changed

    def any_of(
        self, node: dict[str, Any], value: Any, path: _Path, problems: list[Problem], owner: str
    ) -> Any:
        branches: list[dict[str, Any]] = node["anyOf"]
        for branch in branches:
            scratch: list[Problem] = []
            new = self.check(branch, value, path, scratch, owner)
            if not scratch:
                return new
        # None fits: explain with the branch made for this kind of value, if one is.
        if node.get("title") in _DESCRIBED:
            self.wrong(node, value, path, problems)
            return value
        for branch in branches:
            target = self.resolve(branch) if "$ref" in branch else branch
            kinds = target.get("type")
            allowed: list[str] = kinds if isinstance(kinds, list) else [kinds] if kinds else []
            if any(_is(kind, value) for kind in allowed):
                self.check(branch, value, path, problems, owner)
                return value
        self.wrong(node, value, path, problems)
        return value

    def tagged(self, node: dict[str, Any], value: Any, path: _Path, problems: list[Problem]) -> Any:
        """A union tagged by ``_type``: the member its tag names, or a problem listing them."""
        mapping: dict[str, str] = node["discriminator"]["mapping"]
        names = ", ".join(mapping)
        if not isinstance(value, dict):
            problems.append(
                Problem(
                    pointer(path),
                    f"expected an object with a _type, got {_show(value)}",
                    f"write an object whose _type is one of {names}",
                )
            )
            return value
        tag = value.get("_type")
        if tag is None:
            problems.append(
                Problem(
                    pointer((*path, "_type")),
                    'the field "_type" is missing',
                    f'add "_type": one of {names}',
                )
            )
            return value
        if not isinstance(tag, str) or tag not in mapping:
            known = isinstance(tag, str) and tag in _TAG_NAMES  # a real type, not allowed here
            message = f"{tag} is not allowed here" if known else f"unknown _type {_show(tag)}"
            why = node.get("x-why")
            fix = f"use one of {names}" + (f" ({why})" if known and why else "")
            problems.append(Problem(pointer((*path, "_type")), message, fix))
            return value
        name = mapping[tag].rsplit("/", 1)[-1]
        return self.check({"$ref": mapping[tag]}, value, path, problems, name)


# -- errors as data -----------------------------------------------------------------------------


def error_code(error: BaseException) -> str:
    """The ``error`` code of an exception's body (its class's, or its nearest base's)."""
    for cls in type(error).__mro__:
        code = ERROR_CODES.get(cls.__name__)
        if code is not None:
            return code
    return "error"


def error_data(error: BetastateError) -> dict[str, Any]:
    """A betastate error as its JSON body (schema: ``json_schema(BetastateError)``)."""
    from betastate._io.convert import to_data  # noqa: PLC0415  (convert imports this module)

    body: dict[str, Any] = {
        "error": error_code(error),
        "message": _message(error),
        "fix": str(getattr(error, "fix", "")) or "see the message",
    }
    if isinstance(error, InvalidData):
        body["problems"] = to_data(list(error.problems))
    elif isinstance(error, TransitionRefused):
        body["slug"] = error.slug
        body["reasons"] = to_data(list(error.reasons))
        body["warnings"] = to_data(list(error.warnings))
        body["fix"] = "fix every reason listed (each says how)"
    elif isinstance(error, ConcurrencyConflict):
        body.update(slug=error.slug, expected=error.expected, actual=error.actual)
        body["fix"] = f"read it again, decide again and retry with version {error.actual}"
    elif isinstance(error, UnknownStartup):
        body.update(slug=error.slug, journal=error.journal)
    elif isinstance(error, JournalError):
        body["journal"] = error.journal
    elif isinstance(error, DataFileError):
        body.update(file=error.file, line=error.line)
    elif isinstance(error, RulebookError):
        body.update(file=error.file, key=error.key)
    elif isinstance(error, InvalidArgument):
        body["argument"] = error.argument
    return body


def _message(error: BetastateError) -> str:
    if isinstance(error, InvalidData):
        count = len(error.problems)
        return f"not a valid {error.kind} ({count} problem{'s' if count != 1 else ''})"
    if isinstance(error, TransitionRefused):
        count = len(error.reasons)
        return (
            f"{type(error.command).__name__} refused for {error.slug!r} "
            f"({count} reason{'s' if count != 1 else ''})"
        )
    if isinstance(error, ConcurrencyConflict):
        return (
            f"{error.slug!r} is at version {error.actual}, not {error.expected} as expected: "
            "it changed since it was read"
        )
    problem = getattr(error, "problem", None)
    return str(problem) if problem else str(error)
