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
    MAX_PROBLEMS,
    BetastateError,
    ConcurrencyConflict,
    DataFileError,
    InvalidArgument,
    InvalidData,
    InvalidValue,
    JournalError,
    Problem,
    RulebookError,
    TransitionRefused,
    UnknownStartup,
    show,
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
    try:
        schema = _schema(kind)
    except InvalidArgument:  # no JSON Schema (a callable inside...): the converter decides alone
        return data
    checker = _checker(kind)
    problems: list[Problem] = []
    try:
        value = checker.check(schema, data, (), problems, type_name(kind))  # a trial needs no list
    except _Enough:
        raise InvalidData(type_name(kind), problems, truncated=True) from None
    if problems:
        raise InvalidData(type_name(kind), problems)
    return value


@functools.cache
def _checker(kind: Any) -> _Checker:
    """One checker per schema (it keeps what it works out about the schema's nodes)."""
    return _Checker(_schema(kind)["$defs"])


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
    truncated = len(problems) > MAX_PROBLEMS
    return InvalidData(type_name(kind), problems[:MAX_PROBLEMS], truncated=truncated)


def _leaf(exc: BaseException, path: _Path) -> Problem:
    if isinstance(exc, RulebookError):
        # "transitions[3] (id 'T03')", "phases[1].value": the TOML key path, then a note
        parts = re.split(r"[.\[\]]+", exc.key.split(" ", 1)[0])
        key = tuple(int(part) if part.isdigit() else part for part in parts if part)
        return Problem(pointer(path + key), exc.problem, exc.fix)
    if isinstance(exc, KeyError) and exc.args:
        return Problem(pointer((*path, str(exc.args[0]))), "this field is required", "add it")
    if isinstance(exc, InvalidArgument):  # a function's argument: its words, its fix
        return Problem(pointer(path), exc.problem, exc.fix)
    if isinstance(exc, InvalidValue):  # a value's own check, on one of its fields
        where = pointer(path + exc.path)
        return Problem(where, f"{exc.problem}, got {show(exc.value)}", exc.fix)
    if isinstance(exc, AttributeError):  # the converter met another shape than it builds from
        return Problem(
            pointer(path), "this value has the wrong shape", "write the value to_data writes"
        )
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
    "Role": 'a role name such as "sponsor" (lower-case words joined by hyphens)',
    "Date": "a date (YYYY-MM-DD)",
    "Text (not blank)": "words (a text that is not blank)",
    "Timestamp": "a timestamp (YYYY-MM-DDTHH:MM:SS, with an optional offset)",
    "Money": 'an amount in euros (a decimal string such as "1234.56", or a whole number)',
    "Money (zero or more)": (
        'zero or more euros, to the cent, under 10^12 (a string such as "1234.56", '
        "or a whole number)"
    ),
    "Money (above zero)": (
        'an amount above zero, to the cent, under 10^12 (euros as a string such as "1234.56", '
        "or a whole number)"
    ),
    "Reading (zero or more)": 'a reading of zero or more, six decimal places at most ("4.25")',
    "Rate (0 to 1)": 'a rate from 0 to 1, six decimal places at most ("0.85")',
    "Date (1900 to 2999)": "a date (YYYY-MM-DD) from 1900-01-01 to 2999-12-31",
    "Slug": (
        "a slug: the product's file name, letters, digits, '_', '.' and '-', "
        "starting with a letter or digit, at most 200 characters"
    ),
}
_SHOWN: Final = 60
_TAG_NAMES: Final = frozenset(cls.__name__ for cls in (*EVENT_TYPES, *COMMAND_TYPES))


def _q(name: str) -> str:
    """A field name as JSON writes it: ``"on"``."""
    return json.dumps(name, ensure_ascii=False)


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    """A schema pattern as ECMA-262 reads it: a final ``$`` is the end of the text.

    (Python's ``$`` also matches before a final newline, which would let one through.)
    """
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


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
        shown = [key[:20] if isinstance(key, str) else show(key) for key in list(value)[:6]]
        keys = ", ".join(shown) + (", ..." if len(value) > 6 else "")  # noqa: PLR2004
        return f"an object with {keys}" if value else "an empty object"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, str) and len(value) > _SHOWN:
        value = value[:_SHOWN]  # cut before encoding: a huge text is not copied whole
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # not JSON (a set, bytes...), or an int too long to print
        return show(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + '..."'


class _Enough(Exception):
    """:data:`MAX_PROBLEMS` problems are listed: checking stops (the time stays bounded)."""


class _Invalid(Exception):
    """A trial branch failed: no need to say why (raised only when nobody collects problems)."""


_INVALID: Final = _Invalid()
_FREE_REF: Final = "#/$defs/Free"
"""
Raised as ``_INVALID.with_traceback(None)``: one instance, no message to build.

Re-raising one instance as it is would prepend each raise's frames to the
traceback it kept from the last one: a chain growing with every trial, and
holding every frame of it alive (800 bytes per byte of free data, before).
"""

_Where = tuple[Any, ...]
"""A place in a document as a linked list, ``(parent, token)``: O(1) per step down."""


def _at(where: _Where) -> str:
    tokens: list[str | int] = []
    while where:
        where, token = where
        tokens.append(token)
    return pointer(tuple(reversed(tokens)))


def _is_integral(value: Any) -> bool:
    return type(value) is int or (type(value) is float and value.is_integer())


_TYPE_CHECKS: Final[dict[str, Callable[[Any], bool]]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list | tuple),  # a tuple: Python's way to write one
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: not isinstance(v, bool) and _is_integral(v),
    "number": lambda v: not isinstance(v, bool) and isinstance(v, int | float),
}


class _Checker:
    """
    Validates documents against one schema's definitions.

    With a list of problems, it collects every problem; with ``None`` (a
    trial: an ``anyOf`` branch, an ``if``), it stops at the first failure,
    which costs nothing to describe.
    """

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        # An enum of strings, by node: a set to look a string up in (the schema lives on).
        self.strings: dict[int, frozenset[str] | None] = {}

    def in_enum(self, node: dict[str, Any], value: Any) -> bool:
        options: list[Any] = node["enum"]
        key = id(node)
        if key not in self.strings:
            text = all(isinstance(option, str) for option in options)
            self.strings[key] = frozenset(options) if text else None
        strings = self.strings[key]
        if strings is not None:
            return isinstance(value, str) and value in strings
        return any(_equal(value, option) for option in options)

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        target: dict[str, Any] = self.defs[node["$ref"][8:]]  # "#/$defs/<name>"
        return target

    def valid(self, node: dict[str, Any], value: Any) -> bool:
        try:
            self.check(node, value, (), None, "")
        except _Invalid:
            return False
        return True

    def describe(self, node: dict[str, Any]) -> str:  # noqa: C901, PLR0911  (a phrase per kind of node)
        """What a node expects, in words."""
        title = node.get("title")
        if title in _DESCRIBED:
            return _DESCRIBED[title]
        if "$ref" in node:
            name = node["$ref"][8:]
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

    def fail(self, problems: list[Problem] | None, where: _Where, message: str, fix: str) -> None:
        if problems is None:
            raise _INVALID.with_traceback(None)
        problems.append(Problem(_at(where), message, fix))
        if len(problems) >= MAX_PROBLEMS:
            raise _Enough

    def wrong(
        self,
        node: dict[str, Any],
        value: Any,
        where: _Where,
        problems: list[Problem] | None,
        fix: str | None = None,
    ) -> None:
        if problems is None:
            raise _INVALID.with_traceback(None)
        expected = self.describe(node)
        self.fail(
            problems, where, f"expected {expected}, got {_show(value)}", fix or f"write {expected}"
        )

    def check(  # noqa: C901, PLR0912  (one branch per keyword)
        self,
        node: dict[str, Any],
        value: Any,
        where: _Where,
        problems: list[Problem] | None,
        owner: str,
    ) -> Any:
        """``value`` (normalised) after checking it; problems go to ``problems``."""
        ref = node.get("$ref")
        if ref is not None:
            if ref == _FREE_REF and len(node) == 1:
                return self.free(value, where, problems)
            value = self.check(self.defs[ref[8:]], value, where, problems, ref[8:])
            if len(node) == 1:
                return value
        if "discriminator" in node:
            return self.tagged(node, value, where, problems)
        kinds = node.get("type")
        if kinds is not None:
            if isinstance(kinds, list):
                fits = any(_TYPE_CHECKS[kind](value) for kind in kinds)
            else:
                fits = _TYPE_CHECKS[kinds](value)
            if not fits:
                self.wrong(node, value, where, problems)
                return value
            if type(value) is float and (kinds == "integer" or "integer" in kinds):
                value = int(value)
        if "const" in node and not _equal(value, node["const"]):
            self.wrong(node, value, where, problems)
        if "enum" in node and not self.in_enum(node, value):
            self.wrong(node, value, where, problems, fix=f"use {self.describe(node)}")
        if isinstance(value, str):
            if len(node) > 1 or "type" not in node:
                self.string(node, value, where, problems)
        elif isinstance(value, dict):
            value = self.mapping(node, value, where, problems, owner)
        elif isinstance(value, list | tuple):
            value = self.array(node, value, where, problems)
        elif _TYPE_CHECKS["number"](value):
            self.number(node, value, where, problems)
        if "anyOf" in node:
            value = self.any_of(node, value, where, problems, owner)
        for part in node.get("allOf", ()):
            value = self.check(part, value, where, problems, owner)
        if "not" in node and self.valid(node["not"], value):
            self.fail(
                problems,
                where,
                f"{_show(value)} is not allowed here",
                "give it another shape (a lone $date or $datetime key is a date)",
            )
        if "if" in node:
            branch = node.get("then") if self.valid(node["if"], value) else node.get("else")
            if branch is not None:
                value = self.check(branch, value, where, problems, owner)
        return value

    def number(
        self, node: dict[str, Any], value: float, where: _Where, problems: list[Problem] | None
    ) -> None:
        low, high = node.get("minimum"), node.get("maximum")
        if low is not None and value < low:
            self.fail(
                problems,
                where,
                f"expected at least {low}, got {_show(value)}",
                f"write {low} or more",
            )
        elif high is not None and value > high:
            self.fail(
                problems,
                where,
                f"expected at most {high:,}, got {_show(value)}",
                f"write {high:,} or less",
            )

    def free(self, value: Any, where: _Where, problems: list[Problem] | None) -> Any:
        """
        Free data (``extra``), walked without recursion: only its date tags need a check.

        What the ``Free`` definition says, in one pass: anything goes but an
        object whose only key is ``$date`` or ``$datetime``, which must hold a
        date or a timestamp. The schema's nested ``if`` would cost a trial
        per node.
        """
        definition = self.defs["Free"]
        stack: list[tuple[Any, _Where]] = [(value, where)]
        while stack:
            item, at = stack.pop()
            if isinstance(item, dict):
                if len(item) == 1 and ("$date" in item or "$datetime" in item):
                    self.check(definition, item, at, problems, "")
                    continue
                stack.extend((child, (at, key)) for key, child in reversed(item.items()))
            elif isinstance(item, list | tuple):
                stack.extend((item[i], (at, i)) for i in range(len(item) - 1, -1, -1))
        return value

    def string(
        self, node: dict[str, Any], value: str, where: _Where, problems: list[Problem] | None
    ) -> None:
        low = node.get("minLength")
        if low is not None and len(value) < low:
            self.fail(
                problems,
                where,
                "must not be empty" if low == 1 else f"must have at least {low} characters",
                f"write at least {low} character{'s' if low != 1 else ''}",
            )
        pattern = node.get("pattern")
        if pattern is not None and not _regex(pattern).search(value):
            self.wrong(node, value, where, problems)
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
                self.fail(
                    problems,
                    where,
                    f"{_show(value)} is not {what[form]}",
                    f"write {self.describe(node)}",
                )

    def mapping(  # noqa: C901  (one branch per keyword)
        self,
        node: dict[str, Any],
        value: dict[str, Any],
        where: _Where,
        problems: list[Problem] | None,
        owner: str,
    ) -> dict[str, Any]:
        properties: dict[str, Any] = node.get("properties", {})
        for name in node.get("required", ()):
            if name not in value:
                if problems is None:  # a trial: no message to build
                    raise _INVALID.with_traceback(None)
                expected = self.describe(properties[name]) if name in properties else "a value"
                self.fail(
                    problems,
                    (where, name),
                    f"the field {_q(name)} is missing",
                    f"add {_q(name)}: {expected}",
                )
        count = node.get("maxProperties")
        if count is not None and len(value) > count:
            self.fail(problems, where, f"expected at most {count} fields", "remove the others")
        extra = node.get("additionalProperties", True)
        if not properties and extra is True:
            return value
        changed: dict[str, Any] | None = None
        for key, item in value.items():
            schema = properties.get(key)
            if schema is None:
                if extra is False:
                    fields = ", ".join(name for name in properties if name != "_type")
                    known = f"{owner} has" if owner else "the fields are"
                    self.fail(
                        problems,
                        (where, key),
                        f"unknown field {_q(key)}",
                        f"remove it; {known} {fields}",
                    )
                    continue
                if extra is True:
                    continue
                schema = extra
            new = self.check(schema, item, (where, key), problems, owner)
            if new is not item:
                changed = changed if changed is not None else dict(value)
                changed[key] = new
        return value if changed is None else changed

    def array(
        self,
        node: dict[str, Any],
        value: list[Any] | tuple[Any, ...],
        where: _Where,
        problems: list[Problem] | None,
    ) -> list[Any] | tuple[Any, ...]:
        low, high = node.get("minItems"), node.get("maxItems")
        if low is not None and len(value) < low:
            self.fail(
                problems,
                where,
                f"expected at least {low} items, got {len(value)}",
                "add the missing ones",
            )
        if high is not None and len(value) > high:
            fix = "remove them" if high == 0 else f"keep at most {high}"
            self.fail(problems, where, f"expected at most {high} items, got {len(value)}", fix)
        prefix: list[dict[str, Any]] = node.get("prefixItems", [])
        items = node.get("items")
        if items is None and not prefix:
            return value
        changed: list[Any] | None = None
        for index, item in enumerate(value):
            schema = prefix[index] if index < len(prefix) else items
            if schema is None:
                continue
            new = self.check(schema, item, (where, index), problems, "")
            if new is not item:
                changed = changed if changed is not None else list(value)
                changed[index] = new
        return value if changed is None else changed

    def any_of(
        self,
        node: dict[str, Any],
        value: Any,
        where: _Where,
        problems: list[Problem] | None,
        owner: str,
    ) -> Any:
        branches: list[dict[str, Any]] = node["anyOf"]
        for branch in branches:
            try:
                return self.check(branch, value, where, None, owner)
            except _Invalid:
                continue
        if problems is None:
            raise _INVALID.with_traceback(None)
        # None fits: explain with the branch made for this kind of value, if one is.
        if node.get("title") in _DESCRIBED:
            self.wrong(node, value, where, problems)
            return value
        for branch in branches:
            target = self.resolve(branch) if "$ref" in branch else branch
            kinds = target.get("type")
            allowed: list[str] = kinds if isinstance(kinds, list) else [kinds] if kinds else []
            if any(_TYPE_CHECKS[kind](value) for kind in allowed):
                self.check(branch, value, where, problems, owner)
                return value
        self.wrong(node, value, where, problems)
        return value

    def tagged(
        self, node: dict[str, Any], value: Any, where: _Where, problems: list[Problem] | None
    ) -> Any:
        """A union tagged by ``_type``: the member its tag names, or a problem listing them."""
        mapping: dict[str, str] = node["discriminator"]["mapping"]
        if not isinstance(value, dict):
            names = ", ".join(mapping)
            self.fail(
                problems,
                where,
                f"expected an object with a _type, got {_show(value)}",
                f"write an object whose _type is one of {names}",
            )
            return value
        tag = value.get("_type")
        target = mapping.get(tag) if isinstance(tag, str) else None
        if target is None:
            names = ", ".join(mapping)
            if tag is None:
                self.fail(
                    problems,
                    (where, "_type"),
                    'the field "_type" is missing',
                    f'add "_type": one of {names}',
                )
                return value
            known = isinstance(tag, str) and tag in _TAG_NAMES  # a real type, not allowed here
            message = f"{tag} is not allowed here" if known else f"unknown _type {_show(tag)}"
            why = node.get("x-why")
            fix = f"use one of {names}" + (f" ({why})" if known and why else "")
            self.fail(problems, (where, "_type"), message, fix)
            return value
        return self.check(self.defs[target[8:]], value, where, problems, target[8:])


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
        if error.truncated:
            body["truncated"] = True
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
        if error.truncated:
            return f"not a valid {error.kind} (the first {count} problems; checking stopped there)"
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
