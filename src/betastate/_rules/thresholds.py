"""
Threshold types and ranges: what a rulebook's numbers may hold.

Every threshold has a kind (money, share, days, months, count, date, roles,
strings, edition caps) and a range; a value outside it (NaN, a negative
month, an overflowing amount) is a problem naming the threshold. Built-in
thresholds take their type from :data:`BUILTIN_TYPES`, or from their
annotation when they are not listed there (so a new field of
:class:`betastate.Thresholds` is typed without touching this table); a
rulebook declares its own with :class:`ThresholdDef`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Final

import attrs

from betastate._values.errors import InvalidType, InvalidValue, show
from betastate._values.fields import MAX_DATE, MIN_DATE, tuple_of_str


MAX_AMOUNT: Final = Decimal(10) ** 12
"""The largest amount a money threshold may hold (10^12 €)."""


@attrs.frozen
class ThresholdType:
    """
    The kind, range and rules of one threshold.

    Attributes:
        kind: One of :data:`KINDS`.
        low: Smallest allowed value (numbers), if bounded.
        high: Largest allowed value (numbers), if bounded.
        rules: Rule ids the threshold feeds (the rulebook must declare them).
        title: What it is, in one line.
    """

    kind: str
    low: Decimal | None = None
    high: Decimal | None = None
    rules: tuple[str, ...] = ()
    title: str = ""


def _t(
    kind: str,
    low: int | Decimal | None,
    high: int | Decimal | None,
    *rules: str,
    title: str = "",
) -> ThresholdType:
    return ThresholdType(
        kind,
        None if low is None else Decimal(low),
        None if high is None else Decimal(high),
        rules,
        title,
    )


KINDS: Final = MappingProxyType(
    {
        "money": "euros, an exact decimal, 0 to 10^12",
        "share": "a fraction from 0 to 1 (0.5 is half)",
        "days": "a whole number of days",
        "months": "a whole number of months",
        "count": "a whole number",
        "date": "a date (YYYY-MM-DD)",
        "roles": "a list of declared roles",
        "strings": "a list of names",
        "edition-caps": "a list of [edition, cap in euros] pairs",
    }
)
"""Threshold kinds and what each holds."""

SCALAR_KINDS: Final = ("money", "share", "days", "months", "count", "date")
"""Kinds a rulebook may declare its own thresholds with."""

BUILTIN_TYPES: Final[Mapping[str, ThresholdType]] = MappingProxyType(
    {
        "first_committee_budget_line": _t(
            "money", 0, MAX_AMOUNT, "BR-08", title="sponsor budget line to enter construction"
        ),
        "committee_interval_months": _t("months", 1, 120, "BR-04", title="committee cadence"),
        "committee_interval_after_exit_months": _t(
            "months", 1, 120, "BR-04", title="committee cadence after incubation exit"
        ),
        "envelope_months": _t("months", 1, 60, "BR-03", title="length of a continue period"),
        "provisional_months_min": _t(
            "months", 1, 12, "BR-03", "BR-07", title="shortest provisional period"
        ),
        "provisional_months_max": _t(
            "months", 1, 12, "BR-03", "BR-07", title="longest provisional period"
        ),
        "exhaustion_notice_days_min": _t(
            "days", 0, 3660, "BR-05", title="committee at least this many days before exhaustion"
        ),
        "exhaustion_notice_days_target": _t(
            "days", 0, 3660, "BR-05", title="committee ideally this many days before exhaustion"
        ),
        "fast_cofinancing_share": _t("share", 0, 1, "BR-12", title="FAST share of an envelope"),
        "fast_cap": _t("money", 0, MAX_AMOUNT, "BR-12", title="FAST cap per product"),
        "fast_cap_by_edition": _t(
            "edition-caps", 0, MAX_AMOUNT, "BR-12", title="FAST cap of listed editions"
        ),
        "impact_first_values_months": _t(
            "months", 1, 240, "BR-11", title="first impact readings within"
        ),
        "budget_publication_months": _t(
            "months", 1, 120, "BR-14", title="a budget publication found within"
        ),
        "committee_mandatory_roles": _t(
            "roles", None, None, "CC-ATTEND", title="roles a committee must gather"
        ),
        "post_mortem_authors": _t(
            "roles", None, None, "ST-PM", title="roles that must write the post-mortem"
        ),
        "consolidation_criteria": _t(
            "strings", None, None, "N7", title="entry criteria of consolidation"
        ),
        "earliest_date": _t("date", None, None, "BS-DATE", title="earliest date a history holds"),
        "latest_date": _t("date", None, None, "BS-DATE", title="latest date a history holds"),
        "horizon_days": _t(
            "days", 0, 36600, "BS-HORIZON", title="a command dated at most this long after today"
        ),
    }
)
"""Kind, range and rules of each built-in threshold."""

ORDERED_PAIRS: Final = (
    ("provisional_months_min", "provisional_months_max"),
    ("exhaustion_notice_days_min", "exhaustion_notice_days_target"),
    ("earliest_date", "latest_date"),
)
"""Built-in thresholds whose first must not exceed the second."""


def kind_of_annotation(annotation: object) -> str:
    """The kind a field's annotation implies (for fields not in :data:`BUILTIN_TYPES`)."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    text = str(text)
    if "date" in text:
        return "date"
    if "Decimal" in text:
        return "money"
    if "tuple" in text:
        return "strings"
    if "int" in text:
        return "count"
    return "strings"


def _check_number(value: Any, low: Decimal | None, high: Decimal | None) -> str | None:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return f"expected an exact number, got {value!r}"
    number = Decimal(value)
    if not number.is_finite():
        return f"{value} is not a finite number"
    return _in_range(number, low, high)


def _check_whole(value: Any, low: Decimal | None, high: Decimal | None) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"expected a whole number, got {value!r}"
    return _in_range(Decimal(value), low if low is not None else Decimal(0), high)


def _check_date(value: Any, _low: Decimal | None, _high: Decimal | None) -> str | None:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        return f"expected a date (YYYY-MM-DD), got {show(value)}"
    if not MIN_DATE <= value <= MAX_DATE:
        return f"{value} is outside {MIN_DATE} to {MAX_DATE}, the dates betastate handles"
    return None


def _check_names(value: Any, _low: Decimal | None, _high: Decimal | None) -> str | None:
    if isinstance(value, str) or not isinstance(value, tuple | list):
        return f"expected a list of names, got {value!r}"
    bad = [item for item in value if not isinstance(item, str) or not item.strip()]
    return f"expected names, got {bad[0]!r}" if bad else None


def check_value(kind: str, value: Any, low: Decimal | None, high: Decimal | None) -> str | None:
    """Why ``value`` is not a valid ``kind`` within ``low``..``high`` (``None``: it is)."""
    checker = _CHECKS.get(kind)
    if checker is None:
        return f"unknown threshold kind {kind!r}"
    return checker(value, low, high)


def _check_caps(value: Any, low: Decimal | None, high: Decimal | None) -> str | None:
    if not isinstance(value, tuple | list):
        return f"expected a list of [edition, cap] pairs, got {value!r}"
    for pair in value:
        if not isinstance(pair, tuple | list) or len(pair) != 2:  # noqa: PLR2004  (a pair)
            return f"expected an [edition, cap] pair, got {pair!r}"
        edition, cap = pair
        if isinstance(edition, bool) or not isinstance(edition, int) or edition < 1:
            return f"expected an edition number of 1 or more, got {edition!r}"
        problem = _check_number(cap, low, high)
        if problem is not None:
            return f"edition {edition}: {problem}"
    return None


_Check = Callable[[Any, Decimal | None, Decimal | None], str | None]

_CHECKS: Final[Mapping[str, _Check]] = MappingProxyType(
    {
        "money": _check_number,
        "share": _check_number,
        "days": _check_whole,
        "months": _check_whole,
        "count": _check_whole,
        "date": _check_date,
        "roles": _check_names,
        "strings": _check_names,
        "edition-caps": _check_caps,
    }
)


def _in_range(number: Decimal, low: Decimal | None, high: Decimal | None) -> str | None:
    if low is not None and number < low:
        return f"{number} is below {low}, the smallest value allowed"
    if high is not None and number > high:
        return f"{number} is above {high}, the largest value allowed"
    return None


def coerce(kind: str, raw: Any) -> Any:
    """
    A value read from TOML or given to ``derive()`` in the shape ``kind`` holds.

    Numbers become ``Decimal`` for money and shares (floats through their
    text, so ``0.5`` is exact); lists become tuples. Values of the wrong
    type are returned unchanged for :func:`check_value` to report.
    """
    if kind in {"money", "share"} and not isinstance(raw, bool | Decimal):
        if isinstance(raw, int | float | str):
            try:
                return Decimal(str(raw))
            except InvalidOperation:
                return raw
        return raw
    if kind in {"roles", "strings"} and isinstance(raw, list):
        return tuple(raw)
    if kind == "edition-caps" and isinstance(raw, list | tuple):
        return tuple(
            (pair[0], coerce("money", pair[1]))
            if isinstance(pair, list | tuple) and len(pair) == 2  # noqa: PLR2004
            else pair
            for pair in raw
        )
    return raw


def _optional_decimal(value: Decimal | int | str | None) -> Decimal | None:
    """A bound as a ``Decimal``; anything else is refused, naming the bound."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidType(
            "ThresholdDef", "min/max", value, "a threshold bound is a number", "pass 5 or '0.5'"
        )
    try:
        return Decimal(value)
    except (InvalidOperation, ValueError):
        raise InvalidValue(
            "ThresholdDef", "min/max", value, "a threshold bound is a number", "pass 5 or '0.5'"
        ) from None


def _canonical(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@attrs.frozen(kw_only=True)
class ThresholdDef:
    """
    A threshold a rulebook declares for itself, with its type and range.

    In TOML, an inline table in ``[thresholds]``::

        assessment_validity_days = { type = "days", value = 90, min = 1, max = 365 }

    Gates read it by name (``threshold = "assessment_validity_days"``), your
    Python gates with ``ctx.rulebook.thresholds.get(name)``, and
    ``derive(thresholds={name: 120})`` changes it.

    Attributes:
        type: One of ``money``, ``share``, ``days``, ``months``, ``count``,
            ``date``.
        value: The value, as its text (``"90"``, ``"0.5"``, ``"2025-01-01"``).
        min: Smallest allowed value (numbers), if any.
        max: Largest allowed value (numbers), if any.
        rules: Rule ids it feeds (the rulebook must declare them).
        title: What it is.
        source: Source key(s).

    .. versionadded:: 0.1.0
    """

    type: str
    value: str = attrs.field(converter=_canonical)
    min: Decimal | None = attrs.field(default=None, converter=_optional_decimal)
    max: Decimal | None = attrs.field(default=None, converter=_optional_decimal)
    rules: tuple[str, ...] = attrs.field(default=(), converter=tuple_of_str)
    title: str = ""
    source: str = ""

    def typed(self) -> Any:
        """The value as its type holds it: ``int``, ``Decimal`` or ``datetime.date``."""
        return parse(self.type, self.value)


def parse(kind: str, text: str) -> Any:
    """A declared threshold's value from its text (``ValueError`` if it is not one)."""
    try:
        if kind == "date":
            return dt.date.fromisoformat(text)
        if kind in {"money", "share"}:
            return Decimal(text)
        if kind in {"days", "months", "count"}:
            return int(text)
    except (ValueError, InvalidOperation):
        pass
    msg = f"{text!r} is not a {kind} value ({KINDS.get(kind, 'unknown kind')})"
    raise ValueError(msg)


# Resolve the string annotations here, where their names live: the public
# door renames the class's module to ``betastate``, where they do not.
attrs.resolve_types(ThresholdType)
attrs.resolve_types(ThresholdDef)
