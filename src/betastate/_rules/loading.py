"""
Reading rulebooks: the built-in presets and TOML files.

A file is structured through a private cattrs converter that refuses unknown
keys and wrong types, then built into a :class:`Rulebook` (which checks its
own consistency). Any problem raises :class:`betastate.RulebookError` naming
the file, the key and the fix.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Final, cast

import attrs

from betastate._rules.gates import BUILTIN_GATES
from betastate._rules.rulebook import (
    Gate,
    LegacyName,
    PhaseDef,
    Rulebook,
    RuleDef,
    Thresholds,
    TieRule,
    TransitionDef,
)
from betastate._values.actors import Role
from betastate._values.errors import RulebookError
from betastate._values.reasons import Severity


if TYPE_CHECKING:
    from pathlib import Path

    import cattrs


BUILTIN_RULEBOOKS: Final = ("betagouv",)
"""Names :func:`load_rulebook` reads from the package's presets folder."""


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


@attrs.frozen(kw_only=True)
class _RulebookFile:
    """The TOML file's shape, kept apart from :class:`Rulebook`."""

    rulebook: _Header
    phases: tuple[PhaseDef, ...]
    transitions: tuple[TransitionDef, ...]
    rules: dict[str, _RuleBody]
    legacy: tuple[LegacyName, ...] = ()
    thresholds: Thresholds = attrs.field(factory=Thresholds)
    permissions: dict[str, tuple[Role, ...]] = attrs.field(factory=dict)


def _structure_enum(value: object, kind: type[Severity | Role]) -> Severity | Role:
    choices = [member.value for member in kind]
    if value not in choices:
        msg = f"expected one of {', '.join(choices)}, got {value!r}"
        raise ValueError(msg)
    return kind(str(value))


@functools.cache
def _file_converter() -> cattrs.Converter:
    import cattrs  # noqa: PLC0415  (import time)

    converter = cattrs.Converter(forbid_extra_keys=True)

    def structure_decimal(value: object, _type: type) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            msg = f"expected a number, got {value!r}"
            raise TypeError(msg)
        return Decimal(str(value))

    def structure_str(value: object, _type: type) -> str:
        if not isinstance(value, str):
            msg = f"expected a string, got {value!r}"
            raise TypeError(msg)
        return value

    def structure_int(value: object, _type: type) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            msg = f"expected an integer, got {value!r}"
            raise TypeError(msg)
        return value

    def structure_bool(value: object, _type: type) -> bool:
        if not isinstance(value, bool):
            msg = f"expected true or false, got {value!r}"
            raise TypeError(msg)
        return value

    converter.register_structure_hook(Decimal, structure_decimal)
    converter.register_structure_hook(str, structure_str)
    converter.register_structure_hook(int, structure_int)
    converter.register_structure_hook(bool, structure_bool)
    # A StrEnum is a str: give enums their own, more specific hook.
    for kind in (Severity, Role):
        converter.register_structure_hook(kind, _structure_enum)
    return converter


def _first_error_key(exc: cattrs.ClassValidationError) -> tuple[str, str]:
    """The first problem of a cattrs error as (TOML key, message)."""
    import cattrs  # noqa: PLC0415  (import time)

    def describe(error: BaseException, kind: type | None) -> str:
        # Our own hooks say what they expected and what they got; keep that.
        if isinstance(error, TypeError | ValueError) and str(error).startswith("expected"):
            return str(error)
        return cattrs.v.format_exception(error, kind)

    messages = cattrs.transform_error(exc, path="", format_exception=describe)
    first = messages[0]
    message, _, path = first.rpartition(" @ ")
    key = path.lstrip("$").lstrip(".") or "(top level)"
    if message.startswith("extra fields found"):
        return key, message
    return key, message


def load_rulebook(source: str | Path, *, gates: Mapping[str, Gate] | None = None) -> Rulebook:
    """
    Load a rulebook: a built-in name (``"betagouv"``) or a TOML file path.

    Args:
        source: Built-in name or path to a TOML file.
        gates: Extra gates by name, for transitions that name your own.

    Raises:
        RulebookError: The file is missing, not TOML, or not a valid rulebook.

    .. versionadded:: 0.1.0
    """
    if isinstance(source, str) and source in BUILTIN_RULEBOOKS and not gates:
        return _builtin(source)
    if isinstance(source, str) and source in BUILTIN_RULEBOOKS:
        return _load(_builtin_text(source), f"<builtin {source}>", gates)
    from pathlib import Path  # noqa: PLC0415  (import time)

    path = Path(source)
    if not path.is_file():
        raise RulebookError(
            str(path),
            "(file)",
            "no such rulebook file",
            f"pass a TOML file path or a built-in name ({', '.join(BUILTIN_RULEBOOKS)})",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulebookError(str(path), "(file)", str(exc), "save it as UTF-8 text") from None
    return _load(text, str(path), gates)


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
    import tomllib  # noqa: PLC0415  (import time)

    import cattrs  # noqa: PLC0415

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulebookError(origin, "(syntax)", str(exc), "fix the TOML syntax") from None
    try:
        parsed = _file_converter().structure(raw, _RulebookFile)
    except cattrs.ClassValidationError as exc:
        key, message = _first_error_key(exc)
        fix = (
            "remove the key or fix its spelling"
            if message.startswith("extra fields")
            else "give the value the documented type"
        )
        raise RulebookError(origin, key, message, fix) from None
    except (ValueError, TypeError) as exc:
        raise RulebookError(origin, "(value)", str(exc), "check the documented format") from None
    return Rulebook(
        name=parsed.rulebook.name,
        title=parsed.rulebook.title,
        version=parsed.rulebook.version,
        source=parsed.rulebook.source,
        phases=parsed.phases,
        transitions=parsed.transitions,
        rules=tuple(
            RuleDef(id=rule_id, severity=body.severity, title=body.title, source=body.source)
            for rule_id, body in parsed.rules.items()
        ),
        legacy=parsed.legacy,
        thresholds=parsed.thresholds,
        permissions=parsed.permissions,
        gates={**BUILTIN_GATES, **(gates or {})},
        origin=origin,
        tie=cast("TieRule", parsed.rulebook.tie),  # Rulebook refuses other values
    )
