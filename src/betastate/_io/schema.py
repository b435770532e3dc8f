"""
JSON Schemas (draft 2020-12) of betastate's JSON, generated from the classes.

One ``$defs`` entry per class, enum and union: events and commands are
``oneOf`` unions tagged by ``_type`` (with the OpenAPI ``discriminator``
that code generators read), dates are ISO strings, money is a decimal
string or a whole number, enums are their values, free ``extra`` mappings
tag dates as ``{"$date": ...}``. A field's converter and validators add its
constraints (amounts above zero, known dossier items, non-empty slugs), so
that a document validates exactly when :func:`betastate.from_data` accepts
it: ``from_data`` checks documents against these very schemas first
(``betastate._io.problems``). The one exception is a rulebook's
cross-references (a transition naming an undefined phase...), which no
JSON Schema can state; ``from_data`` reports them with their path.

Errors have a schema too: every :class:`betastate.BetastateError` becomes
the same JSON body (``to_data(error)``, the HTTP service's error
responses), whose ``reasons`` and ``problems`` reuse the ``Reason`` and
``Problem`` definitions, so fields added to those classes appear in it.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import functools
import json
import operator
import re
import sys
import types
import typing
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs

from betastate._analytics.portfolio import Portfolio
from betastate._engine import commands as _commands
from betastate._io.convert import SCHEMA_VERSION, adopt_module
from betastate._rules import rulebook as _rulebook
from betastate._rules.rulebook import Rulebook
from betastate._values import money as _money
from betastate._values import reasons as _reasons
from betastate._values.actors import ROLE_PATTERN, Actor, to_actor, to_role
from betastate._values.errors import BetastateError, InvalidArgument, Problem
from betastate._values.events import EVENT_TYPES, CommitteeHeld
from betastate._values.fields import (
    COUNT_BOUNDS,
    NOT_BLANK_PATTERN,
    SLUG_PATTERN,
    check_date,
    check_name,
    check_names,
    check_optional_date,
    check_optional_name,
    check_slug,
)
from betastate._values.reasons import Reason
from betastate._values.stopping import DOSSIER_ITEM_IDS, check_dossier_items


if TYPE_CHECKING:
    from typing_extensions import TypeForm


DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
BASE: Final = "https://betastate.invalid/schema"
"""Where the schemas' ``$id`` point (``.invalid``: an identifier, not a download)."""

DATE_PATTERN: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATETIME_PATTERN: Final = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?$"
)
MONEY_PATTERN: Final = r"^-?[0-9]+(\.[0-9]+)?$"
_WHOLE: Final = f"0*[0-9]{{1,{len(str(_money.MAX_AMOUNT)) - 1}}}"
"""Whole euros below :data:`~betastate._values.money.MAX_AMOUNT` (leading zeros allowed)."""
NON_NEGATIVE_PATTERN: Final = rf"^{_WHOLE}(\.[0-9]{{1,2}}0*)?$"
"""An amount: zero or more, to the cent (``1.50`` and ``1.500`` are the same amount)."""
# No lookahead: every regex engine (and every test-data generator) reads it the same way.
POSITIVE_PATTERN: Final = (
    rf"^0*([1-9][0-9]{{0,{len(str(_money.MAX_AMOUNT)) - 2}}}(\.[0-9]{{1,2}}0*)?"
    r"|0+\.(0[1-9]|[1-9][0-9]?)0*)$"
)
"""An amount above zero, to the cent."""
MEASURE_PATTERN: Final = rf"^{_WHOLE}(\.[0-9]{{1,6}}0*)?$"
"""A reading: zero or more, up to six decimal places."""
RATE_PATTERN: Final = r"^0*(0(\.[0-9]{1,6}0*)?|1(\.0+)?)$"
"""A rate from 0 to 1, up to six decimal places."""
DATE_BOUNDED_PATTERN: Final = r"^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"
"""A date between the hard bounds (1900-01-01 .. 2999-12-31; tests pin them)."""

ROLE: Final[dict[str, Any]] = {
    "title": "Role",
    "description": (
        "A role the rulebook declares (beta.gouv.fr: sponsor, investment-committee, "
        "intrapreneur...), lower-case words joined by hyphens."
    ),
    "type": "string",
    "pattern": f"^{ROLE_PATTERN.pattern}$",
}
"""A role's name: its form here; the engine checks it is one of the rulebook in force."""

DATE: Final[dict[str, Any]] = {
    "title": "Date",
    "type": "string",
    "format": "date",
    "pattern": DATE_PATTERN,
}
"""A calendar date, ``YYYY-MM-DD`` (``format`` checks that the day exists)."""


_DATE_BOUNDS: Final = {"title": "Date (1900 to 2999)", "pattern": DATE_BOUNDED_PATTERN}
"""What a date field's validator adds to :data:`DATE` (the hard bounds)."""

BOUNDED_DATE: Final[dict[str, Any]] = {**DATE, **_DATE_BOUNDS}
"""A date a value accepts: between the hard bounds (``MIN_DATE``, ``MAX_DATE``)."""


def _money_schema(
    title: str,
    pattern: str,
    low: dict[str, int],
    description: str = 'Exact euros: a decimal string such as "1234.56", or a whole number.',
) -> dict[str, Any]:
    return {
        "title": title,
        "description": description,
        "anyOf": [{"type": "string", "pattern": pattern}, {"type": "integer", **low}],
    }


_CAP: Final = int(_money.MAX_AMOUNT) - 1
MONEY: Final = _money_schema("Money", MONEY_PATTERN, {})
NON_NEGATIVE_MONEY: Final = _money_schema(
    "Money (zero or more)", NON_NEGATIVE_PATTERN, {"minimum": 0, "maximum": _CAP}
)
POSITIVE_MONEY: Final = _money_schema(
    "Money (above zero)", POSITIVE_PATTERN, {"minimum": 1, "maximum": _CAP}
)
MEASURE: Final = _money_schema(
    "Reading (zero or more)",
    MEASURE_PATTERN,
    {"minimum": 0, "maximum": _CAP},
    'An exact reading: a decimal string such as "4.25" (six decimal places at most).',
)
RATE: Final = _money_schema(
    "Rate (0 to 1)",
    RATE_PATTERN,
    {"minimum": 0, "maximum": 1},
    'An exact rate from 0 to 1: a decimal string such as "0.85".',
)

_MONEY_BY_VALIDATOR: Final[dict[object, dict[str, Any]]] = {
    _money.check_positive_amount: POSITIVE_MONEY,
    _money.check_amount: NON_NEGATIVE_MONEY,
    _money.check_optional_amount: NON_NEGATIVE_MONEY,
    _money.check_optional_measure: MEASURE,
    _money.check_optional_rate: RATE,
}
"""Field validators that narrow an amount (the others accept any exact amount)."""

_NOT_BLANK: Final = {"title": "Text (not blank)", "pattern": NOT_BLANK_PATTERN}
_NARROWING: Final[dict[object, dict[str, Any]]] = {
    check_name: _NOT_BLANK,
    check_optional_name: _NOT_BLANK,
    _commands._why: _NOT_BLANK,  # noqa: SLF001  (a retraction's reason)
    check_slug: {"title": "Slug", "pattern": f"^{SLUG_PATTERN}$"},
    check_date: _DATE_BOUNDS,
    check_optional_date: _DATE_BOUNDS,
}
"""Field validators → what they add to their type's schema (the value refuses the rest)."""

_FINDING_CHECKS: Final = dict(_reasons._FINDING_CHECKS)  # noqa: SLF001  (a finding's checks live on one field)

_FREE_DATETIME: Final[dict[str, Any]] = {
    "title": "Timestamp",
    "type": "string",
    "pattern": DATETIME_PATTERN,
}

ERROR_CODES: Final = {
    "InvalidData": "invalid-data",
    "TransitionRefused": "refused",
    "ConcurrencyConflict": "version-conflict",
    "UnknownStartup": "unknown-startup",
    "JournalError": "journal",
    "DataFileError": "data-file",
    "RulebookError": "rulebook",
    "InvalidArgument": "invalid-argument",
    "BetastateError": "error",
}
"""Exception class → the ``error`` code of its JSON body."""

HTTP_ERROR_CODES: Final = (
    "unauthorized",
    "forbidden",
    "actor-mismatch",
    "not-found",
    "method-not-allowed",
    "startup-exists",
    "bad-request",
    "idempotency-key-reused",
    "too-large",
    "internal",
)
"""Codes only the HTTP service gives (no exception of the library has them)."""


def json_schema(kind: TypeForm[Any] | None = None) -> dict[str, Any]:
    """
    The JSON Schema (draft 2020-12) of betastate's JSON for ``kind``.

    With no argument: the document :func:`betastate.portfolio_to_json`
    writes. Otherwise any public type: a value class (``betastate.Spend``,
    ``betastate.StartupState``...), a union (``betastate.Command``,
    ``betastate.Event``: tagged by ``_type``), an enum, ``list[...]`` or
    ``tuple[..., ...]`` of those, or an exception class (the error body
    ``to_data(error)`` gives, the same for every error). ``betastate schema
    [TYPE]`` prints it. What validates is what :func:`betastate.from_data`
    accepts.

    Raises:
        InvalidArgument: ``kind`` has no JSON form (an analytics result
            holding mappings keyed by numbers, a callable...).

    .. versionadded:: 0.1.0
    """
    hashable: Any = kind  # a type form: hashable, as every type is
    return copy.deepcopy(_schema(hashable))


@functools.cache
def _schema(kind: Any) -> dict[str, Any]:
    """The schema of ``kind``, built once (callers get copies; ``problems`` reads it)."""
    builder = _Builder()
    if kind is None:
        root = builder.object_schema(Portfolio)
        root["properties"] = {
            "betastate": {"const": SCHEMA_VERSION, "description": "Schema version of the format."},
            **root["properties"],
        }
        root["required"] = ["betastate", *root["required"]]
        name = f"portfolio-v{SCHEMA_VERSION}"
        title = f"betastate portfolio, format version {SCHEMA_VERSION}"
    else:
        try:
            root = builder.root(kind)
        except TypeError as exc:
            raise InvalidArgument(
                "kind", kind, f"it has no JSON form ({exc})", "ask for a betastate value type"
            ) from None
        name = type_name(kind)
        title = f"betastate {name}, format version {SCHEMA_VERSION}"
    return {
        "$schema": DIALECT,
        "$id": f"{BASE}/{name}.json",
        "title": title,
        **root,
        "$defs": dict(sorted(builder.defs.items())),
    }


def definitions(*kinds: Any) -> dict[str, dict[str, Any]]:
    """
    The ``$defs`` that ``kinds`` need, merged (for an OpenAPI document).

    Each kind's own schema is a definition too, under :func:`type_name`.
    """
    builder = _Builder()
    for kind in kinds:
        builder.of(kind)
    return copy.deepcopy(dict(sorted(builder.defs.items())))


def type_name(kind: Any) -> str:  # noqa: PLR0911  (one name per kind of type)
    """``Command``, ``Event``, ``Startup``, ``list[Event]``: the name a schema is known by."""
    if kind is None:
        return "Portfolio"
    if isinstance(kind, type) and issubclass(kind, BetastateError):
        return "Error"
    union = _union_name(kind)
    if union is not None:
        return union
    origin = typing.get_origin(kind)
    if origin in {list, tuple}:
        args = [a for a in typing.get_args(kind) if a is not Ellipsis]
        return f"{origin.__name__}[{', '.join(type_name(a) for a in args)}]"
    if origin in {typing.Union, types.UnionType}:
        return " | ".join(type_name(a) for a in typing.get_args(kind))
    if kind is type(None):
        return "None"
    return getattr(kind, "__name__", str(kind))


def _union_name(kind: Any) -> str | None:
    if typing.get_origin(kind) not in {typing.Union, types.UnionType}:
        return None
    members = frozenset(typing.get_args(kind))
    if members == frozenset(EVENT_TYPES):
        return "Event"
    if members == frozenset(_commands.COMMAND_TYPES):
        return "Command"
    return None


_TAGGED: Final = frozenset((*EVENT_TYPES, *_commands.COMMAND_TYPES))
"""Classes whose JSON carries a ``_type`` tag (their class name)."""

_NOT_RECORDABLE: Final = frozenset({"PhaseEntered", "Pivoted", *_commands._OWN_COMMAND})  # noqa: SLF001  (the engine's list, not a copy that could drift)
"""Events :class:`betastate.Record` refuses: phase changes, and those with their own command."""


class _Builder:
    """Collects the ``$defs`` of the types it meets."""

    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}

    def define(self, name: str, make: typing.Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """A ``$ref`` to definition ``name``, made on first use."""
        if name not in self.defs:
            self.defs[name] = {}  # placeholder: a definition may refer to itself
            self.defs[name] = make()
        return {"$ref": f"#/$defs/{name}"}

    def root(self, kind: Any) -> dict[str, Any]:
        """The schema at the root of a document: a class inline, anything else as itself."""
        node = self.of(kind)
        if "$ref" not in node:
            return node
        name = node["$ref"].rsplit("/", 1)[-1]
        root = copy.deepcopy(self.defs[name])
        if f'"#/$defs/{name}"' not in json.dumps(self.defs):  # nothing else refers to it
            del self.defs[name]
        return root

    def object_schema(self, cls: type) -> dict[str, Any]:
        """A class's fields as an object, with the constraints of their converters."""
        fields = attrs.fields(cls)
        if any(isinstance(field.type, str) for field in fields):  # a class loaded lazily
            adopt_module(sys.modules[cls.__module__])
            fields = attrs.fields(cls)
        if cls is Rulebook:  # gates travel by name, re-attached on reading (see convert)
            fields = tuple(f for f in fields if f.name not in {"gates", "origin"})
        docs = _attribute_docs(cls)
        properties: dict[str, Any] = {}
        required: list[str] = []
        if cls in _TAGGED:
            properties["_type"] = {"const": cls.__name__}
            required.append("_type")
        for field in fields:
            if not field.init:
                continue
            name = field.alias or field.name
            node = self.field(cls, field)
            if name in docs:
                node = {**node, "description": docs[name]}
            properties[name] = node
            if field.default is attrs.NOTHING:
                required.append(name)
        schema: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        summary = (cls.__doc__ or "").strip().split("\n", 1)[0]
        if summary:
            schema["description"] = summary
        return schema

    def field(self, cls: type, field: attrs.Attribute[Any]) -> dict[str, Any]:  # noqa: C901, PLR0911  (one per converter)
        """One field: its type, narrowed by what its converter and validators refuse."""
        kind = field.type
        converter: Any = field.converter  # a function (or none): compared by identity
        if converter is to_role:
            return dict(ROLE)
        if converter is _rulebook._names:  # noqa: SLF001  (role names, as the rulebook converts them)
            return {"type": "array", "items": dict(ROLE)}
        if converter is to_actor or field.validator is _commands._check_by:  # noqa: SLF001  (an actor, or a role as shorthand)
            return self.actor_or_role()
        if converter is _commands._co_deciders:  # noqa: SLF001  (a list of actors or roles)
            return {"type": "array", "items": self.actor_or_role()}
        if field.validator is check_dossier_items:
            return {"type": "array", "items": self.define("DossierItem", _dossier_items)}
        if field.validator is _commands._place:  # noqa: SLF001  (a retracted event's version)
            return {"type": "integer", "minimum": 1}
        if cls is _commands.Record and field.name == "event":
            return self.define("RecordableEvent", self._recordable)
        validator = field.validator
        if cls is _reasons.Finding:
            validator = _FINDING_CHECKS.get(field.name)
        if validator is check_names:
            return {"type": "array", "items": {"type": "string", **_NOT_BLANK}}
        money = _MONEY_BY_VALIDATOR.get(validator, MONEY)
        node = self.of(kind, money=money)
        low = _min_length(validator)
        if low is not None:
            node = {**node, "minLength": low}
        return _narrowed(node, _narrowing(validator))

    def actor_or_role(self) -> dict[str, Any]:
        """A command's ``by``: an actor, or its role alone (as ``by="sponsor"`` in Python)."""
        return {
            "description": 'An actor, or its role alone ("sponsor" is {"role": "sponsor"}).',
            "anyOf": [dict(ROLE), self.of(Actor)],
        }

    def of(self, kind: Any, *, money: dict[str, Any] = MONEY) -> dict[str, Any]:  # noqa: C901, PLR0911, PLR0912  (one branch per kind of type)
        """The schema of a type wherever it appears."""
        origin = typing.get_origin(kind)
        args = typing.get_args(kind)
        union = _union_name(kind)
        if union == "Event":
            return self.define("Event", lambda: self._union(EVENT_TYPES, "Any event of a history."))
        if union == "Command":
            return self.define(
                "Command",
                lambda: self._union(_commands.COMMAND_TYPES, "Any command a lifecycle applies."),
            )
        if origin in {typing.Union, types.UnionType}:
            rest = [a for a in args if a is not type(None)]
            if len(rest) == len(args):
                return {"anyOf": [self.of(arg, money=money) for arg in args]}
            some = rest[0] if len(rest) == 1 else functools.reduce(operator.or_, rest)
            return {"anyOf": [self.of(some, money=money), {"type": "null"}]}
        if kind is type(None):
            return {"type": "null"}
        if origin is typing.Literal:
            return {"enum": list(args)}
        if origin in {frozenset, set}:
            msg = "a set (to_data keeps it a set, which JSON has not)"
            raise TypeError(msg)
        if origin in {tuple, list}:
            if origin is tuple and args and args[-1] is not Ellipsis:
                items = [self.of(a, money=money) for a in args]
                return {
                    "type": "array",
                    "prefixItems": items,
                    "minItems": len(items),
                    "maxItems": len(items),
                }
            return {"type": "array", "items": self.of(args[0], money=money)}
        if origin in {Mapping, dict, types.MappingProxyType} or kind in {Mapping, dict}:
            return self._mapping(args, money)
        if kind is Any:
            return self.define("Free", _free)
        if isinstance(kind, type) and issubclass(kind, BetastateError):
            return self.define("Error", self._error)
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return self.define(kind.__name__, lambda: _enum(kind))
        if isinstance(kind, type) and attrs.has(kind):
            return self.define(kind.__name__, lambda: self.object_schema(kind))
        if kind is Decimal:
            return dict(money)
        return _scalar(kind)

    def _mapping(self, args: tuple[Any, ...], money: dict[str, Any]) -> dict[str, Any]:
        key, value = args or (str, Any)
        if key is not str:
            msg = f"a mapping keyed by {type_name(key)} (JSON keys are strings)"
            raise TypeError(msg)
        if value is Any:  # free data as read (extra keys): a lone {"$date": ...} is a date
            return {
                "type": "object",
                "additionalProperties": self.define("Free", _free),
                "not": _TAG_ONLY,
            }
        return {"type": "object", "additionalProperties": self.of(value, money=money)}

    def _union(self, members: tuple[type, ...], description: str) -> dict[str, Any]:
        refs = [self.of(cls) for cls in members]
        return {
            "description": description,
            "oneOf": refs,
            "discriminator": {
                "propertyName": "_type",
                "mapping": {
                    cls.__name__: ref["$ref"] for cls, ref in zip(members, refs, strict=True)
                },
            },
        }

    def _recordable(self) -> dict[str, Any]:
        """What a ``Record`` may carry: any event but phase changes and money or stop moves."""
        members = [cls for cls in EVENT_TYPES if cls.__name__ not in _NOT_RECORDABLE]
        mapping: dict[str, str] = {}
        refs: list[dict[str, Any]] = []
        for cls in members:
            ref = self.of(cls)
            if cls is CommitteeHeld:
                ref = self.define("RecordableCommitteeHeld", self._recordable_committee)
            mapping[cls.__name__] = ref["$ref"]
            refs.append(ref)
        return {
            "description": "An event a Record may carry.",
            "x-why": (
                "a phase change goes through Advance, money and stops through their own "
                "commands: HoldCommittee, GrantFunds, Spend, Stop, TakeOver..."
            ),
            "oneOf": refs,
            "discriminator": {"propertyName": "_type", "mapping": mapping},
        }

    def _recordable_committee(self) -> dict[str, Any]:
        return {
            "description": "A committee recorded as a fact: no grants, no period (HoldCommittee).",
            "allOf": [self.of(CommitteeHeld)],
            "properties": {"grants": {"maxItems": 0}, "period_start": {"type": "null"}},
        }

    def _error(self) -> dict[str, Any]:
        """The body of every error: a code, a message and a fix, plus what each kind carries."""
        codes = [*ERROR_CODES.values(), *HTTP_ERROR_CODES]
        reasons = {"type": "array", "items": self.of(Reason)}
        optional_text = {"type": ["string", "null"]}
        return {
            "description": (
                "An error as data: what went wrong, where and how to fix it "
                "(to_data(error); the HTTP service's error responses)."
            ),
            "type": "object",
            "properties": {
                "error": {"enum": codes, "description": "What kind of error (stable)."},
                "status": {"type": "integer", "description": "The HTTP status, over HTTP."},
                "message": {"type": "string", "description": "What is wrong, in a sentence."},
                "fix": {"type": "string", "description": "What to do about it."},
                "problems": {
                    "type": "array",
                    "items": self.of(Problem),
                    "description": "invalid-data: every problem in the document.",
                },
                "reasons": {**reasons, "description": "refused, forbidden: every broken rule."},
                "warnings": {**reasons, "description": "refused, forbidden: warnings too."},
                "slug": {"type": "string", "description": "The startup concerned."},
                "expected": {"type": "integer", "description": "version-conflict: expected."},
                "actual": {"type": "integer", "description": "version-conflict: its version."},
                "file": optional_text,
                "line": {"type": ["integer", "null"]},
                "truncated": {
                    "type": "boolean",
                    "description": "invalid-data: the problems are the first 100 only.",
                },
                "key": {"type": "string", "description": "rulebook: the key at fault."},
                "argument": {"type": "string", "description": "invalid-argument: its name."},
                "journal": {"type": "string", "description": "journal: its URL, no password."},
            },
            "required": ["error", "message", "fix"],
            "additionalProperties": False,
        }


_TAG_ONLY: Final[dict[str, Any]] = {
    "maxProperties": 1,
    "anyOf": [{"required": ["$date"]}, {"required": ["$datetime"]}],
}
"""An object that is only a ``$date`` or ``$datetime`` tag (free data reads it as a date)."""


def _free() -> dict[str, Any]:
    return {
        "description": (
            "Free data as read: any JSON, where {'$date': 'YYYY-MM-DD'} is a date and "
            "{'$datetime': ISO 8601} a timestamp."
        ),
        "if": {"type": "object", "required": ["$date"], "maxProperties": 1},
        "then": {"properties": {"$date": DATE}},
        "else": {
            "if": {"type": "object", "required": ["$datetime"], "maxProperties": 1},
            "then": {"properties": {"$datetime": _FREE_DATETIME}},
            "else": {
                "items": {"$ref": "#/$defs/Free"},
                "additionalProperties": {"$ref": "#/$defs/Free"},
            },
        },
    }


def _enum(kind: type[enum.Enum]) -> dict[str, Any]:
    schema: dict[str, Any] = {"enum": [member.value for member in kind]}
    summary = (kind.__doc__ or "").strip().split("\n", 1)[0]
    if summary:
        schema["description"] = summary
    return schema


def _dossier_items() -> dict[str, Any]:
    return {
        "description": "An item of the technical takeover dossier (betastate.DOSSIER_ITEMS).",
        "enum": list(DOSSIER_ITEM_IDS),
    }


def _scalar(kind: Any) -> dict[str, Any]:  # noqa: PLR0911  (one schema per scalar type)
    if kind is dt.datetime:
        return {"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN}
    if kind is dt.date:
        return dict(DATE)
    if kind is uuid.UUID:
        return {"type": "string", "format": "uuid"}
    if kind is bool:
        return {"type": "boolean"}
    if kind is int:
        return {"type": "integer"}
    if kind is float:
        return {"type": "number"}
    if kind is str:
        return {"type": "string"}
    msg = f"no JSON Schema for {type_name(kind)}"
    raise TypeError(msg)


def _narrowing(validator: Any) -> dict[str, Any] | None:
    """What a field validator refuses beyond its type, as schema keywords."""
    if validator is None:
        return None
    known = _NARROWING.get(validator)
    if known is not None:
        return known
    bounds = COUNT_BOUNDS.get(validator)
    if bounds is None:
        return None
    low, high = bounds
    return {"minimum": low} if high is None else {"minimum": low, "maximum": high}


def _narrowed(node: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    """``node`` with ``extra`` keywords; on an optional type, on its non-null branch."""
    if not extra:
        return node
    branches = node.get("anyOf")
    if branches is not None and {"type": "null"} in branches:
        return {
            **node,
            "anyOf": [b if b == {"type": "null"} else {**b, **extra} for b in branches],
        }
    return {**node, **extra}


def _min_length(validator: Any) -> int | None:
    """The ``min_len`` of an attrs validator (alone or in ``and_``), if any."""
    if validator is None:
        return None
    low = getattr(validator, "min_length", None)
    if isinstance(low, int):
        return low
    for inner in getattr(validator, "_validators", ()):
        found = _min_length(inner)
        if found is not None:
            return found
    return None


_ATTRIBUTE: Final = re.compile(r"^(\s+)([A-Za-z_][A-Za-z0-9_]*):\s*(.*)$")


@functools.cache
def _attribute_docs(cls: type) -> dict[str, str]:
    """``Attributes:`` of a Google-style docstring: field name → its description."""
    docs: dict[str, str] = {}
    lines = (cls.__doc__ or "").splitlines()
    inside = False
    indent = ""
    name = None
    for line in lines:
        stripped = line.strip()
        if stripped == "Attributes:":
            inside, name = True, None
            continue
        if not inside:
            continue
        if not stripped:
            continue
        match = _ATTRIBUTE.match(line)
        if match and (not indent or match.group(1) == indent):
            indent, name = match.group(1), match.group(2)
            docs[name] = match.group(3)
        elif name is not None and line.startswith(indent + " "):
            docs[name] = f"{docs[name]} {stripped}"
        else:
            inside = False
    return {key: " ".join(value.split()) for key, value in docs.items()}
