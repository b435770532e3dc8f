"""
What every portfolio query shares: timelines, dates, groupings and the data's date.

Every query reuses the projection of the engine: the phase on a date is the
one with the latest start on or before it, same-day starts ordered by the
rulebook's tie rule (``tie_key``: the first listed wins under the site's
rule, the later stage under ``rank``). Each product's *timeline* (its phase
changes, same-day ties already resolved) is computed once per portfolio and
rulebook and swept with ``bisect``; tests prove it equal to
:func:`betastate._engine.state.project` on every date.

The queries themselves live in one module per question: counts and series
(:mod:`.counts`), the funnel (:mod:`.funnel`), durations and survival
(:mod:`.survival`), committees, FAST and national impact (:mod:`.outcomes`),
teams and spend (:mod:`.teams`), flat records for frames (:mod:`.records`),
and the filter :func:`betastate.Portfolio.where` (:mod:`.selection`). None
of them needs anything beyond betastate: Kaplan-Meier is computed here too.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from betastate._analytics.tables import EXTRAS_HINT
from betastate._engine.state import ordered_entries
from betastate._values.errors import InvalidArgument


if TYPE_CHECKING:
    # Names that lived here before the queries got a module each (see the end).
    from betastate._analytics.counts import (
        cohorts,
        grouped_phase_counts,
        phase_counts,
        phase_series,
    )
    from betastate._analytics.funnel import DEFAULT_STEPS, FunnelStep, funnel
    from betastate._analytics.outcomes import Cadence, committee_cadence, fast_outcomes
    from betastate._analytics.portfolio import Portfolio
    from betastate._analytics.records import (
        event_records,
        finding_record,
        finding_records,
        mission_records,
        product_records,
        span_records,
    )
    from betastate._analytics.survival import (
        Estimate,
        Spell,
        SurvivalCurve,
        SurvivalKind,
        durations,
        kaplan_meier,
        outcome_spells,
        phase_spells,
        survival,
    )
    from betastate._analytics.teams import (
        STATUS_LABELS,
        DailyRates,
        SpendEstimate,
        covers,
        estimated_spend,
        team_counts,
        team_series,
        working_days,
    )
    from betastate._rules.rulebook import Rulebook
    from betastate._values.startup import Startup

NONE_GROUP = "(none)"
"""The group of products without an incubator, a sponsor or a cohort."""

GROUPINGS = ("incubator", "sponsor", "cohort")
"""The groupings named by a string; any function of a startup works too."""

GroupBy = (
    Literal["incubator", "sponsor", "cohort"]
    | Callable[["Startup"], "str | int | Iterable[str] | None"]
)
"""
How ``by=`` groups products.

``"incubator"`` (the main incubator), ``"sponsor"`` (a product with several
sponsors counts under each), ``"cohort"`` (the year of its first phase, as a
string such as ``"2021"``) or a function of a startup returning its group,
its groups, or ``None`` (``"(none)"``).
"""

Line = tuple[tuple[dt.date, str], ...]
R = TypeVar("R")


def default_rulebook(rulebook: Rulebook | None) -> Rulebook:
    """``rulebook``, or the built-in beta.gouv.fr one."""
    if rulebook is not None:
        return rulebook
    from betastate._rules.loading import load_rulebook  # noqa: PLC0415  (cached, import time)

    return load_rulebook("betagouv")


def today() -> dt.date:
    """Today's date (UTC), the date of a portfolio that records nothing."""
    return dt.datetime.now(tz=dt.UTC).date()


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def month_starts(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """The first day of every month from ``start``'s month to ``end``'s, inclusive."""
    first = dt.date(start.year, start.month, 1)
    out: list[dt.date] = []
    while first <= end:
        out.append(first)
        first = add_months(first, 1)
    return tuple(out)


def year_starts(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """The first of January of every year from ``start``'s year to ``end``'s, inclusive."""
    return tuple(
        dt.date(year, 1, 1)
        for year in range(start.year, end.year + 1)
        if dt.date(year, 1, 1) <= end
    )


# -- timelines ---------------------------------------------------------------


def timeline(startup: Startup, rulebook: Rulebook) -> tuple[tuple[dt.date, str], ...]:
    """
    The phase changes of ``startup``: ``(start, phase)`` with strictly increasing dates.

    Phases starting the same day collapse to the one the rulebook's tie rule
    keeps (the last of ``ordered_entries``), so the phase on ``day`` is the
    last item starting on or before ``day``.
    """
    out: list[tuple[dt.date, str]] = []
    for entry in ordered_entries(startup.in_force, rulebook):
        if out and out[-1][0] == entry.on:
            out[-1] = (entry.on, entry.phase)
        else:
            out.append((entry.on, entry.phase))
    return tuple(out)


def phase_on(line: Sequence[tuple[dt.date, str]], day: dt.date) -> str | None:
    """The phase of a :func:`timeline` on ``day`` (``None`` before the first start)."""
    index = bisect.bisect_right(line, day, key=lambda item: item[0])
    return line[index - 1][1] if index else None


def memo(portfolio: Portfolio, key: str, rulebook: Rulebook | None, make: Callable[[], R]) -> R:
    """
    ``make()``, computed once per portfolio (and rulebook) and kept with it.

    A portfolio is immutable, so what is derived from it never goes stale;
    the rulebook is kept beside the value so that its ``id`` is never reused.
    """
    store: dict[tuple[str, int], tuple[object, Any]] = portfolio._memo  # noqa: SLF001  (its own cache)
    slot = (key, id(rulebook))
    if slot not in store:
        store[slot] = (rulebook, make())
    value: R = store[slot][1]
    return value


def timelines(portfolio: Portfolio, rulebook: Rulebook) -> Mapping[str, Line]:
    """:func:`timeline` of every product, by slug (computed once per portfolio and rulebook)."""
    return memo(
        portfolio, "timelines", rulebook, lambda: {s.slug: timeline(s, rulebook) for s in portfolio}
    )


# -- groupings -------------------------------------------------------------------


def grouper(
    by: GroupBy, portfolio: Portfolio, rulebook: Rulebook
) -> Callable[[Startup], tuple[str, ...]]:
    """
    The groups of a startup under ``by`` (checked once, before any product is read).

    Raises:
        InvalidArgument: ``by`` is neither a grouping name nor a function.
    """
    if by == "incubator":
        return lambda s: (s.incubator or NONE_GROUP,)
    if by == "sponsor":
        return lambda s: s.sponsors or (NONE_GROUP,)
    if by == "cohort":
        lines = timelines(portfolio, rulebook)

        def cohort(startup: Startup) -> tuple[str, ...]:
            line = lines.get(startup.slug) or timeline(startup, rulebook)
            return (str(line[0][0].year),) if line else (NONE_GROUP,)

        return cohort
    grouping: object = by  # a caller's typo must get a message, not a call of a str
    if not callable(grouping):
        problem = "not a grouping"
        fix = "use 'incubator', 'sponsor', 'cohort' or a function of a startup"
        if isinstance(grouping, str):
            from betastate._analytics.errors import one_of  # noqa: PLC0415  (error path)

            fix = one_of(grouping, GROUPINGS) + ", or a function of a startup"
        raise InvalidArgument("by", by, problem, fix)
    function: Callable[[Startup], object] = grouping
    return lambda startup: group_names(function(startup))


def group_names(value: object) -> tuple[str, ...]:
    """What a grouping function returned, as group names (``None`` or nothing: ``"(none)"``)."""
    if value is None:
        return (NONE_GROUP,)
    if isinstance(value, str | int):
        return (str(value),)
    if isinstance(value, Iterable):
        return tuple(dict.fromkeys(str(v) for v in value)) or (NONE_GROUP,)
    return (str(value),)


# -- the data's own date -----------------------------------------------------------

PACE_WINDOW_DAYS = 30
"""Facts are counted over this many days up to each date to measure the pace of updates."""
PACE_HISTORY_DAYS = 730
"""The usual pace is the median over this many days before the latest fact."""
PACE_SHARE = 6
"""A date still belongs to the data while facts arrive at 1/PACE_SHARE of the usual pace."""


def data_date(portfolio: Portfolio) -> dt.date | None:
    """
    The date the data describes: its latest fact, planned facts left out.

    Facts are the dates of every event of every history (phase starts,
    committees, launches...); a portfolio without any uses its missions'
    starts. Real data also holds *planned* facts (a phase starting next
    year, a committee booked for the autumn), which stand alone after the
    last update. So, for each fact date, the facts of the 30 days up to it
    are counted; the usual pace is the median of that count over the two
    years before the latest fact; the data's date is the latest fact date
    whose count is at least a sixth of the usual pace. A portfolio recorded
    as it happens (no planned facts) gets its latest fact. ``None`` when the
    portfolio dates nothing.
    """
    days = sorted(e.on for s in portfolio for e in s.in_force) or sorted(
        m.start for member in portfolio.members for m in member.missions
    )
    if not days:
        return None
    window = dt.timedelta(days=PACE_WINDOW_DAYS)

    def pace(day: dt.date) -> int:
        return bisect.bisect_right(days, day) - bisect.bisect_right(days, day - window)

    distinct = sorted(set(days))
    since = distinct[-1] - dt.timedelta(days=PACE_HISTORY_DAYS)
    usual = statistics.median(pace(day) for day in distinct if day > since)
    return next(day for day in reversed(distinct) if pace(day) * PACE_SHARE >= usual)


def as_of(portfolio: Portfolio, on: dt.date | None) -> dt.date:
    """``on``, or the portfolio's :func:`data_date`, or today when it dates nothing."""
    if on is not None:
        given: object = on  # callers without a type checker may pass anything
        if not isinstance(given, dt.date) or isinstance(given, dt.datetime):
            raise InvalidArgument("on", on, "expected a datetime.date", "pass a date, or None")
        return on
    found = portfolio.data_date
    return found if found is not None else today()


# -- names that moved ---------------------------------------------------------------

_MOVED = {
    "cohorts": "counts",
    "grouped_phase_counts": "counts",
    "phase_counts": "counts",
    "phase_series": "counts",
    "DEFAULT_STEPS": "funnel",
    "FunnelStep": "funnel",
    "funnel": "funnel",
    "Cadence": "outcomes",
    "committee_cadence": "outcomes",
    "fast_outcomes": "outcomes",
    "event_records": "records",
    "finding_record": "records",
    "finding_records": "records",
    "mission_records": "records",
    "product_records": "records",
    "span_records": "records",
    "Estimate": "survival",
    "Spell": "survival",
    "SurvivalCurve": "survival",
    "SurvivalKind": "survival",
    "durations": "survival",
    "kaplan_meier": "survival",
    "outcome_spells": "survival",
    "phase_spells": "survival",
    "survival": "survival",
    "STATUS_LABELS": "teams",
    "DailyRates": "teams",
    "SpendEstimate": "teams",
    "covers": "teams",
    "estimated_spend": "teams",
    "team_counts": "teams",
    "team_series": "teams",
    "working_days": "teams",
}
"""Names this module held before each question got its module, and where they live now."""

__all__ = [
    "DEFAULT_STEPS",
    "EXTRAS_HINT",
    "GROUPINGS",
    "NONE_GROUP",
    "PACE_HISTORY_DAYS",
    "PACE_SHARE",
    "PACE_WINDOW_DAYS",
    "STATUS_LABELS",
    "Cadence",
    "DailyRates",
    "Estimate",
    "FunnelStep",
    "GroupBy",
    "Line",
    "Spell",
    "SpendEstimate",
    "SurvivalCurve",
    "SurvivalKind",
    "add_months",
    "as_of",
    "cohorts",
    "committee_cadence",
    "covers",
    "data_date",
    "default_rulebook",
    "durations",
    "estimated_spend",
    "event_records",
    "fast_outcomes",
    "finding_record",
    "finding_records",
    "funnel",
    "group_names",
    "grouped_phase_counts",
    "grouper",
    "kaplan_meier",
    "memo",
    "mission_records",
    "month_starts",
    "outcome_spells",
    "phase_counts",
    "phase_on",
    "phase_series",
    "phase_spells",
    "product_records",
    "span_records",
    "survival",
    "team_counts",
    "team_series",
    "timeline",
    "timelines",
    "today",
    "working_days",
    "year_starts",
]

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        # Code written against the single module keeps working; new code
        # imports from the module named here.
        module = _MOVED.get(name)
        if module is None:
            msg = f"module {__name__!r} has no attribute {name!r}"
            raise AttributeError(msg)
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(f"betastate._analytics.{module}"), name)
