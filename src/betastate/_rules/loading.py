"""
Reading rulebooks: the built-in presets and TOML files.

A file is structured section by section through a private cattrs converter
that refuses unknown keys and wrong types, its thresholds are typed, then it
is built into a :class:`Rulebook`, which runs every check
(:mod:`betastate._rules.lint`). :func:`load_rulebook` raises
:class:`betastate.RulebookError` naming the file, the key and the fix (with
every error-level problem in ``.problems``); :func:`lint_rulebook` returns
every problem instead, warnings included.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs

from betastate._rules import thresholds as _types
from betastate._rules.gates import BUILTIN_GATES, Gate, GateSpec
from betastate._rules.rulebook import (
    LegacyName,
    PhaseDef,
    RoleDef,
    Rulebook,
    RuleDef,
    Thresholds,
    TransitionDef,
    unchecked,
)
from betastate._rules.thresholds import ThresholdDef
from betastate._values.errors import RulebookError, show
from betastate._values.fields import require
from betastate._values.files import FileTooBig, NotRegularFile, read_bounded
from betastate._values.reasons import Severity


if TYPE_CHECKING:
    from pathlib import Path

    import cattrs

    from betastate._rules.lint import RulebookProblem


BUILTIN_RULEBOOKS: Final = MappingProxyType(
    {
        "betagouv": "beta.gouv.fr startups d'État (brief §3-§10)",
        "govuk": "GOV.UK Service Manual phases, with service assessments (brief §13.2)",
    }
)
"""Names :func:`load_rulebook` reads from the package's presets folder, with what each is."""

_SECTIONS: Final = (
    "rulebook",
    "roles",
    "phases",
    "transitions",
    "rules",
    "legacy",
    "thresholds",
    "permissions",
    "gates",
)
"""Top-level tables of a rulebook file."""

_RENAMED: Final = {
    "label_fr": 'labels = { fr = "..." }',
    "label_en": 'labels = { en = "..." }',
    "badge_fr": 'badges = { fr = "..." }',
}
"""Keys of older files and what replaces them."""


@attrs.frozen(kw_only=True)
class _Header:
    name: str
    title: str = ""
    version: str = ""
    source: str = ""
    tie: str = "rank"


@attrs.frozen(kw_only=True)
class _RuleBody:
    severity: Severity
    title: str = ""
    source: str = ""


_DECLARED_KEYS: Final = ("type", "value", "min", "max", "rules", "title", "source")


def _structure_severity(value: object, _kind: type) -> Severity:
    choices = [member.value for member in Severity]
    if value not in choices:
        msg = f"expected one of {', '.join(choices)}, got {value!r}"
        raise ValueError(msg)
    return Severity(str(value))


def _structure_decimal(value: object, _type: type) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        msg = f"expected a number, got {value!r}"
        raise TypeError(msg)
    return Decimal(str(value))


def _strict(kind: type) -> Any:
    names = {str: "a string", int: "an integer", bool: "true or false"}

    def structure(value: object, _type: type) -> Any:
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            msg = f"expected {names[kind]}, got {value!r}"
            raise TypeError(msg)
        return value

    return structure


@functools.cache
def _file_converter() -> cattrs.Converter:
    import cattrs  # noqa: PLC0415  (import time)

    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(Decimal, _structure_decimal)
    for kind in (str, int, bool):
        converter.register_structure_hook(kind, _strict(kind))
    # A StrEnum is a str: give it its own, more specific hook.
    converter.register_structure_hook(Severity, _structure_severity)
    return converter


def _describe(error: BaseException, kind: type | None) -> str:
    """Our hooks say what they expected and what they got; cattrs' wording otherwise."""
    import cattrs  # noqa: PLC0415

    if isinstance(error, TypeError | ValueError) and str(error).startswith("expected"):
        return str(error)
    return cattrs.v.format_exception(error, kind)


class _Reader:
    """Turns a parsed TOML document into rulebook parts, collecting problems."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.structure: list[RulebookProblem] = []
        self.values: list[RulebookProblem] = []

    def problem(
        self, key: str, message: str, fix: str, *, code: str = "toml-structure", value: bool = False
    ) -> None:
        from betastate._rules.lint import RulebookProblem  # noqa: PLC0415  (import time)

        found = RulebookProblem(code, Severity.ERROR, key, message, fix, self.origin)
        (self.values if value else self.structure).append(found)

    def section(self, raw: Mapping[str, Any], name: str, kind: Any, default: Any) -> Any:
        if name not in raw:
            return default
        return self.structure_as(raw[name], name, kind, default)

    def structure_as(self, value: object, path: str, kind: Any, default: Any) -> Any:
        import typing  # noqa: PLC0415
        from collections.abc import Mapping as _Mapping  # noqa: PLC0415

        import cattrs  # noqa: PLC0415

        table = typing.get_origin(kind) in {dict, _Mapping} or attrs.has(kind)
        if table and not isinstance(value, dict):
            # cattrs' hooks would call .items() or .keys() on it: an AttributeError, not a problem
            got = f"a list of {len(value)}" if isinstance(value, list) else show(value)
            self.problem(path, f"expected a table, got {got}", f"write [{path}]")
            return default
        try:
            return _file_converter().structure(value, kind)
        except cattrs.BaseValidationError as exc:
            for text in cattrs.transform_error(exc, path=path, format_exception=_describe):
                message, _, where = text.rpartition(" @ ")
                self.problem(where or path, message, self.fix_for(message))
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            self.problem(path, _describe(exc, kind), "give the section the documented shape")
        return default

    @staticmethod
    def fix_for(message: str) -> str:
        if message.startswith("extra fields found"):
            for old, new in _RENAMED.items():
                if old in message:
                    return f"{old} is now part of labels: write {new}"
            return "remove the key or fix its spelling"
        return "give the value the documented type"

    def rules(self, raw: object) -> tuple[RuleDef, ...]:
        if not isinstance(raw, dict):
            self.problem("rules", f"expected a table of rules, got {raw!r}", "write [rules.ID]")
            return ()
        out: list[RuleDef] = []
        for rule_id, body in raw.items():
            if isinstance(body, str):  # shorthand: ID = "severity"
                body = {"severity": body}  # noqa: PLW2901
            parsed = self.structure_as(body, f"rules.{rule_id}", _RuleBody, None)
            if parsed is None:
                continue
            out.append(
                RuleDef(
                    id=rule_id, severity=parsed.severity, title=parsed.title, source=parsed.source
                )
            )
        return tuple(out)

    def thresholds(self, raw: object) -> tuple[dict[str, Any], dict[str, ThresholdDef]]:
        builtin: dict[str, Any] = {}
        declared: dict[str, ThresholdDef] = {}
        if not isinstance(raw, dict):
            self.problem("thresholds", f"expected a table, got {raw!r}", "write [thresholds]")
            return builtin, declared
        names = Thresholds.builtin_names()
        for key, value in raw.items():
            if key in names and not isinstance(value, dict):
                kind = Thresholds.type_of(key)
                coerced = _types.coerce(kind.kind, value)
                problem = _types.check_value(kind.kind, coerced, kind.low, kind.high)
                if problem is None:
                    builtin[key] = coerced
                else:
                    self.problem(
                        f"thresholds.{key}",
                        problem,
                        f"give {_types.KINDS[kind.kind]}"
                        + (f", from {kind.low} to {kind.high}" if kind.low is not None else ""),
                        code="threshold-range",
                        value=True,
                    )
            elif isinstance(value, dict):
                declaration = self.declaration(key, value)
                if declaration is not None:
                    declared[key] = declaration
            else:
                self.problem(
                    f"thresholds.{key}",
                    f"unknown threshold {key!r}",
                    f"use one of {', '.join(names)}, or declare your own: "
                    f'{key} = {{ type = "days", value = ..., min = ..., max = ... }}',
                    code="unknown-threshold",
                )
        return builtin, declared

    def declaration(self, name: str, table: dict[str, Any]) -> ThresholdDef | None:
        key = f"thresholds.{name}"
        extra = sorted(set(table) - set(_DECLARED_KEYS))
        if extra or "type" not in table or "value" not in table:
            self.problem(
                key,
                f"a declared threshold has the keys {', '.join(_DECLARED_KEYS)}"
                + (f"; unknown: {', '.join(extra)}" if extra else "; type and value are required"),
                '{ type = "days", value = 90, min = 1, max = 365 }',
            )
            return None
        bounds: dict[str, Decimal | None] = {}
        for bound in ("min", "max"):
            raw = table.get(bound)
            if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int | float)):
                self.problem(f"{key}.{bound}", f"expected a number, got {raw!r}", "give a number")
                return None
            bounds[bound] = None if raw is None else Decimal(str(raw))
        value = table["value"]
        if isinstance(value, bool) or not isinstance(value, int | float | str | dt.date):
            self.problem(
                f"{key}.value", f"expected a value, got {value!r}", "give a number or date"
            )
            return None
        rules = table.get("rules", [])
        texts = [table.get(k, "") for k in ("type", "title", "source")]
        if not isinstance(rules, list) or not all(isinstance(t, str) for t in (*rules, *texts)):
            self.problem(key, "type, rules, title and source are strings", "fix their types")
            return None
        return ThresholdDef(
            type=table["type"],
            value=value,
            min=bounds["min"],
            max=bounds["max"],
            rules=tuple(rules),
            title=table.get("title", ""),
            source=table.get("source", ""),
        )


def _parts(text: str, origin: str) -> tuple[dict[str, Any] | None, list[RulebookProblem]]:
    """The rulebook's fields from a file's text, and every problem reading them."""
    import tomllib  # noqa: PLC0415  (import time)

    from betastate._rules.lint import RulebookProblem  # noqa: PLC0415

    try:
        raw = tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or an integer too long for Python
        problem = RulebookProblem(
            "toml-syntax", Severity.ERROR, "(syntax)", str(exc), "fix the TOML syntax", origin
        )
        return None, [problem]
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        problem = RulebookProblem(
            "toml-syntax", Severity.ERROR, "(syntax)", "nested too deeply", "flatten it", origin
        )
        return None, [problem]
    reader = _Reader(origin)
    for key in raw:
        if key not in _SECTIONS:
            reader.problem(
                key,
                f"unknown section {key!r}",
                f"use the sections {', '.join(_SECTIONS)}",
            )
    header = reader.section(raw, "rulebook", _Header, None)
    if "rulebook" not in raw:
        reader.problem("rulebook", "no [rulebook] table", 'add [rulebook] name = "mine"')
    fields: dict[str, Any] = {
        "roles": reader.section(raw, "roles", tuple[RoleDef, ...], ()),
        "phases": reader.section(raw, "phases", tuple[PhaseDef, ...], ()),
        "transitions": reader.section(raw, "transitions", tuple[TransitionDef, ...], ()),
        "legacy": reader.section(raw, "legacy", tuple[LegacyName, ...], ()),
        "permissions": reader.section(raw, "permissions", dict[str, tuple[str, ...]], {}),
        "gate_specs": reader.section(raw, "gates", dict[str, GateSpec], {}),
        "rules": reader.rules(raw.get("rules", {})),
    }
    builtin, declared = reader.thresholds(raw.get("thresholds", {}))
    if reader.structure or header is None:
        return None, reader.structure + reader.values
    try:
        fields["thresholds"] = unchecked_thresholds(declared=declared, **builtin)
    except (TypeError, ValueError) as exc:
        reader.problem("thresholds", str(exc), "give each threshold its documented type")
        return None, reader.structure + reader.values
    fields.update(
        name=header.name,
        title=header.title,
        version=header.version,
        source=header.source,
        tie=header.tie,
    )
    return fields, reader.values


def unchecked_thresholds(**values: Any) -> Thresholds:
    """Thresholds built without their checks (the rulebook's checks report them)."""
    from betastate._rules.rulebook import _UNCHECKED  # noqa: PLC0415  (private switch)

    token = _UNCHECKED.set(True)
    try:
        return Thresholds(**values)
    finally:
        _UNCHECKED.reset(token)


def _read(source: str | Path) -> tuple[str, str]:
    """(text, origin) of a built-in name or a file path."""
    require(source, (str, os.PathLike), "source", "a built-in name or a TOML file path")
    if isinstance(source, str) and source in BUILTIN_RULEBOOKS:
        return _builtin_text(source), f"<builtin {source}>"
    from pathlib import Path  # noqa: PLC0415  (import time)

    path = Path(source)
    if not path.exists():
        raise RulebookError(
            str(path),
            "(file)",
            "no such rulebook file",
            f"pass a TOML file path or a built-in name ({', '.join(BUILTIN_RULEBOOKS)})",
        )
    try:
        data = read_bounded(path, MAX_RULEBOOK_BYTES)
    except NotRegularFile as special:
        raise RulebookError(
            str(path), "(file)", f"not a regular file: {special.kind}", "pass the TOML file"
        ) from None
    except FileTooBig:
        raise RulebookError(
            str(path),
            "(file)",
            f"larger than {MAX_RULEBOOK_BYTES:,} bytes",
            "pass the rulebook's TOML file (the built-in ones are a few dozen kilobytes)",
        ) from None
    except OSError as exc:
        raise RulebookError(str(path), "(file)", str(exc), "check the file's permissions") from None
    try:
        return data.decode("utf-8-sig"), str(path)  # a BOM, as Windows editors write, is fine
    except UnicodeDecodeError as exc:
        raise RulebookError(str(path), "(file)", str(exc), "save it as UTF-8 text") from None


MAX_RULEBOOK_BYTES: Final = 1024 * 1024
"""The largest rulebook file read (the built-in ones are a few dozen kilobytes)."""


def _all_gates(gates: Mapping[str, Gate] | None) -> dict[str, Gate]:
    return {**BUILTIN_GATES, **(gates or {})}


def load_rulebook(source: str | Path, *, gates: Mapping[str, Gate] | None = None) -> Rulebook:
    """
    Load a rulebook: a built-in name (``"betagouv"``, ``"govuk"``) or a TOML file path.

    Args:
        source: Built-in name or path to a TOML file.
        gates: Your own Python gates by name (:func:`betastate.gate`), for
            transitions that name them.

    Raises:
        RulebookError: The file is missing, not TOML, or not a valid
            rulebook; ``.problems`` holds every error-level problem.

    .. versionadded:: 0.1.0
    """
    if isinstance(source, str) and source in BUILTIN_RULEBOOKS and not gates:
        return _builtin(source)
    text, origin = _read(source)
    return _load(text, origin, gates)


def lint_rulebook(
    source: str | Path, *, gates: Mapping[str, Gate] | None = None
) -> tuple[RulebookProblem, ...]:
    """
    Every problem of a rulebook file (or built-in), errors included, without raising.

    Each problem has a code, a severity, the key, a message and a fix;
    errors come first. An empty result means a rulebook with nothing to
    say; a file with any error does not load.

    Raises:
        RulebookError: The file is missing or not UTF-8 text.

    .. versionadded:: 0.1.0
    """
    from betastate._rules.lint import check  # noqa: PLC0415  (import time)

    text, origin = _read(source)
    fields, problems = _parts(text, origin)
    if fields is None:
        return tuple(problems)
    book = unchecked(**fields, gates=_all_gates(gates), origin=origin)
    found = [*problems, *check(book)]
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2, Severity.OFF: 3}
    return tuple(sorted(found, key=lambda p: order[p.severity]))


def _builtin_text(name: str) -> str:
    import importlib.resources  # noqa: PLC0415  (import time)

    return (
        importlib.resources.files("betastate._rules")
        .joinpath("presets", f"{name}.toml")
        .read_text(encoding="utf-8")
    )


@functools.cache
def _builtin(name: str) -> Rulebook:
    return _load(_builtin_text(name), f"<builtin {name}>", None)


def _load(text: str, origin: str, gates: Mapping[str, Gate] | None) -> Rulebook:
    from betastate._rules.lint import check  # noqa: PLC0415  (import time)

    fields, problems = _parts(text, origin)
    if fields is None or problems:
        if fields is not None:
            # Values refused while reading: report them with what the checks find.
            book = unchecked(**fields, gates=_all_gates(gates), origin=origin)
            problems = [*problems, *(p for p in check(book) if p.severity is Severity.ERROR)]
        first = problems[0]
        raise RulebookError(origin, first.key, first.message, first.fix, problems=problems)
    return Rulebook(**fields, gates=_all_gates(gates), origin=origin)
