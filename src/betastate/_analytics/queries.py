"""
Portfolio analytics in pure Python: as-of counts, funnels, durations, teams.

Every query reuses the projection of ``_state``: the phase on a date is the
one with the latest start on or before it, same-day starts ordered by the
rulebook's tie rule (``tie_key``: the first listed wins under the site's
rule, the later stage under ``rank``). Series over
many dates are computed once per product as a *timeline* (the same-day ties
already resolved) swept with ``bisect``, which tests prove equal to calling
:func:`betastate._state.project` on every date.

Survival estimates (Kaplan-Meier) need the ``analytics`` extra (lifelines);
everything else here needs nothing beyond betastate itself.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import attrs

from betastate._engine.state import ordered_entries, project
from betastate._values.events import CommitteeHeld, FastLaureate


if TYPE_CHECKING:
    from betastate._analytics.portfolio import Portfolio
    from betastate._rules.rulebook import Rulebook
    from betastate._values.reasons import Finding
    from betastate._values.startup import Mission, Startup

NONE_GROUP = "(none)"
"""The group of products without an incubator or sponsor."""

GroupBy = Literal["incubator", "sponsor"] | Callable[["Startup"], "str | Iterable[str] | None"]
SurvivalKind = Literal["stop", "exit", "end"]

EXTRAS_HINT = 'pip install "betastate[analytics,plot]"'


def default_rulebook(rulebook: Rulebook | None) -> Rulebook:
    """``rulebook``, or the built-in beta.gouv.fr one."""
    if rulebook is not None:
        return rulebook
    from betastate._rules.loading import load_rulebook  # noqa: PLC0415  (cached, import time)

    return load_rulebook("betagouv")


def today() -> dt.date:
    """Today's date (UTC), the default ``on`` of as-of queries."""
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


# -- timelines ---------------------------------------------------------------


def timeline(startup: Startup, rulebook: Rulebook) -> tuple[tuple[dt.date, str], ...]:
    """
    The phase changes of ``startup``: ``(start, phase)`` with strictly increasing dates.

    Phases starting the same day collapse to the one the rulebook's tie rule
    keeps (the last of ``ordered_entries``), so the phase on ``day`` is the
    last item starting on or before ``day``.
    """
    out: list[tuple[dt.date, str]] = []
    for entry in ordered_entries(startup.history, rulebook):
        if out and out[-1][0] == entry.on:
            out[-1] = (entry.on, entry.phase)
        else:
            out.append((entry.on, entry.phase))
    return tuple(out)


def phase_on(line: Sequence[tuple[dt.date, str]], day: dt.date) -> str | None:
    """The phase of a :func:`timeline` on ``day`` (``None`` before the first start)."""
    index = bisect.bisect_right(line, day, key=lambda item: item[0])
    return line[index - 1][1] if index else None


def _groups(startup: Startup, by: GroupBy | None) -> tuple[str, ...]:
    if by is None:
        return ("",)
    if by == "incubator":
        return (startup.incubator or NONE_GROUP,)
    if by == "sponsor":
        return startup.sponsors or (NONE_GROUP,)
    grouping: object = by  # a caller's typo must get a message, not a call of a str
    if not callable(grouping):
        msg = f"by={by!r} is not a grouping; use 'incubator', 'sponsor' or a function of a startup"
        raise TypeError(msg)
    value = by(startup)
    if value is None:
        return (NONE_GROUP,)
    return (value,) if isinstance(value, str) else tuple(value) or (NONE_GROUP,)


def _empty_counts(rulebook: Rulebook, extra: Iterable[str] = ()) -> dict[str, int]:
    counts = dict.fromkeys(rulebook.phase_values, 0)
    for phase in extra:
        counts.setdefault(phase, 0)
    return counts


def phase_counts(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None
) -> dict[str, int]:
    """Products in each phase on ``on`` (every rulebook phase, zeros kept; not-started left out)."""
    book = default_rulebook(rulebook)
    counts = _empty_counts(book)
    for startup in portfolio:
        phase = phase_on(timeline(startup, book), on)
        if phase is not None:
            counts[phase] = counts.get(phase, 0) + 1
    return counts


def grouped_phase_counts(
    portfolio: Portfolio, on: dt.date, by: GroupBy, rulebook: Rulebook | None = None
) -> dict[str, dict[str, int]]:
    """:func:`phase_counts` per group; a product with several sponsors counts in each."""
    book = default_rulebook(rulebook)
    out: dict[str, dict[str, int]] = {}
    for startup in portfolio:
        phase = phase_on(timeline(startup, book), on)
        if phase is None:
            continue
        for group in _groups(startup, by):
            counts = out.setdefault(group, _empty_counts(book))
            counts[phase] = counts.get(phase, 0) + 1
    return dict(sorted(out.items()))


def phase_series(
    portfolio: Portfolio, dates: Iterable[dt.date], rulebook: Rulebook | None = None
) -> dict[dt.date, dict[str, int]]:
    """
    :func:`phase_counts` on every date of ``dates``, in one sweep.

    Each product's timeline is computed once; each phase segment adds one
    to a run of dates found by bisection, so the cost grows with products
    plus dates, not with their product.
    """
    book = default_rulebook(rulebook)
    days = sorted(set(dates))
    deltas: dict[str, list[int]] = {phase: [0] * (len(days) + 1) for phase in book.phase_values}
    for startup in portfolio:
        line = timeline(startup, book)
        for index, (start, phase) in enumerate(line):
            first = bisect.bisect_left(days, start)
            stop = (
                bisect.bisect_left(days, line[index + 1][0]) if index + 1 < len(line) else len(days)
            )
            if first < stop:
                delta = deltas.setdefault(phase, [0] * (len(days) + 1))
                delta[first] += 1
                delta[stop] -= 1
    out: dict[dt.date, dict[str, int]] = {day: {} for day in days}
    for phase, delta in deltas.items():
        running = 0
        for index, day in enumerate(days):
            running += delta[index]
            out[day][phase] = running
    return out


def cohorts(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None
) -> dict[int, dict[str, int]]:
    """Products by year of their first phase start, with their phase on ``on``."""
    book = default_rulebook(rulebook)
    out: dict[int, dict[str, int]] = {}
    for startup in portfolio:
        line = timeline(startup, book)
        phase = phase_on(line, on)
        if phase is None:
            continue
        counts = out.setdefault(line[0][0].year, _empty_counts(book))
        counts[phase] = counts.get(phase, 0) + 1
    return dict(sorted(out.items()))


# -- funnel --------------------------------------------------------------------


@attrs.frozen
class FunnelStep:
    """
    One step of a funnel and what became of the products that entered it.

    ``entered = advanced + stopped + ended + running + other``. Two conversion rates
    are given because many products are still running: ``rate`` counts them
    as not (yet) converted, ``decided_rate`` leaves them out.

    Attributes:
        name: The step's name (its first phase).
        phases: The phases that make up the step.
        entered: Products that entered one of ``phases`` by the date.
        advanced: ... then entered a phase of a later step.
        stopped: ... then entered a stop phase without advancing.
        ended: ... then entered a terminal phase of this step that is not a
            stop (opere, transfere in the handover step): a success that
            has no later step to advance to.
        running: ... and are still in a non-terminal phase of ``phases``.
        other: The rest (an explicit end or a move back, without a stop).
        slugs: The products that entered, in portfolio order.

    .. versionadded:: 0.1.0
    """

    name: str
    phases: tuple[str, ...]
    entered: int
    advanced: int
    stopped: int
    ended: int
    running: int
    other: int
    slugs: tuple[str, ...] = ()

    @property
    def rate(self) -> float | None:
        """``advanced / entered`` (running products count as not converted)."""
        return self.advanced / self.entered if self.entered else None

    @property
    def decided_rate(self) -> float | None:
        """``advanced / (entered - running)``: running products left out."""
        decided = self.entered - self.running
        return self.advanced / decided if decided else None


DEFAULT_STEPS: tuple[tuple[str, ...], ...] = (
    ("investigation",),
    ("construction",),
    ("acceleration",),
    ("consolidation", "opere", "transfere"),
)
"""The beta.gouv.fr funnel: investigation, construction, acceleration, handover."""


def funnel(
    portfolio: Portfolio,
    on: dt.date,
    steps: Sequence[Sequence[str]] = DEFAULT_STEPS,
    rulebook: Rulebook | None = None,
) -> tuple[FunnelStep, ...]:
    """
    What became of the products entering each step, as of ``on``.

    A product *entered* a step when one of its phases started on or before
    ``on``; it *advanced* when a phase of any later step started after that
    entry (in tie-rule order); it *stopped* when it entered a stop phase
    without advancing; it *ended* when it reached a terminal phase of the
    step itself (a handover); it is *running* when its phase on ``on`` is a
    non-terminal phase of the step; *other* is the rest (moved back).
    """
    book = default_rulebook(rulebook)
    step_of: dict[str, int] = {}
    for index, phases in enumerate(steps):
        for phase in phases:
            step_of[phase] = index
    tallies = [
        dict.fromkeys(("entered", "advanced", "stopped", "ended", "running", "other"), 0)
        for _ in steps
    ]
    slugs: list[list[str]] = [[] for _ in steps]
    for startup in portfolio:
        entries = [e for e in ordered_entries(startup.history, book) if e.on <= on]
        current = phase_on(timeline(startup, book), on)
        for index in range(len(steps)):
            first = next((i for i, e in enumerate(entries) if step_of.get(e.phase) == index), None)
            if first is None:
                continue
            later = entries[first + 1 :]
            tally = tallies[index]
            tally["entered"] += 1
            slugs[index].append(startup.slug)
            if any(step_of.get(e.phase, -1) > index for e in later):
                tally["advanced"] += 1
            elif any(book.has_phase(e.phase) and book.phase(e.phase).stop for e in later):
                tally["stopped"] += 1
            elif current is not None and step_of.get(current) == index:
                tally["ended" if book.is_terminal(current) else "running"] += 1
            else:
                tally["other"] += 1
    return tuple(
        FunnelStep(
            name=phases[0],
            phases=tuple(phases),
            slugs=tuple(slugs[index]),
            **tallies[index],
        )
        for index, phases in enumerate(steps)
    )


# -- durations and survival ------------------------------------------------------


@attrs.frozen
class Spell:
    """
    One observed duration: a phase span, or the time from entry to an outcome.

    Attributes:
        slug: The product.
        key: The phase (durations) or the kind of outcome (survival).
        start: First day.
        days: Length in days.
        observed: Whether it ended (``False``: right-censored on the as-of date).
        group: Group label (incubator...), or ``""``.
    """

    slug: str
    key: str
    start: dt.date
    days: int
    observed: bool
    group: str = ""


def phase_spells(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None
) -> tuple[Spell, ...]:
    """
    Time spent in each non-terminal phase, as of ``on``.

    A span still running on ``on`` is right-censored there; a span that
    ended (next phase or explicit end) is observed. Same-day spans (zero
    days, the data's same-day ties) are kept; :func:`durations` counts them.
    """
    book = default_rulebook(rulebook)
    out: list[Spell] = []
    for startup in portfolio:
        for span in project(startup, book, on).spans:
            if book.is_terminal(span.phase):
                continue
            out.append(
                Spell(
                    slug=startup.slug,
                    key=span.phase,
                    start=span.start,
                    days=span.days(on),
                    observed=span.end is not None,
                )
            )
    return tuple(out)


def outcome_spells(
    portfolio: Portfolio,
    on: dt.date,
    kind: SurvivalKind = "stop",
    by: GroupBy | None = None,
    rulebook: Rulebook | None = None,
) -> tuple[Spell, ...]:
    """
    Time from a product's first phase start to an outcome, as of ``on``.

    ``kind`` is ``"stop"`` (a stop phase: abandon...), ``"exit"`` (a
    terminal phase that is not a stop: opere, transfere) or ``"end"`` (any
    terminal phase). The first terminal phase decides: a product handed
    over is censored there for ``"stop"``, a stopped one for ``"exit"``;
    products still running are censored on ``on``.
    """
    book = default_rulebook(rulebook)
    out: list[Spell] = []
    for startup in portfolio:
        line = [item for item in timeline(startup, book) if item[0] <= on]
        if not line:
            continue
        origin = line[0][0]
        outcome = next(((day, ph) for day, ph in line if book.is_terminal(ph)), None)
        if outcome is None:
            end, observed = on, False
        else:
            is_stop = book.phase(outcome[1]).stop
            end = outcome[0]
            observed = kind == "end" or (is_stop if kind == "stop" else not is_stop)
        out.extend(
            Spell(
                slug=startup.slug,
                key=kind,
                start=origin,
                days=(end - origin).days,
                observed=observed,
                group=group,
            )
            for group in _groups(startup, by)
        )
    return tuple(out)


@attrs.frozen
class Estimate:
    """
    A time in days with its confidence interval (``None``: not reached).

    Attributes:
        days: The point estimate.
        lower: Lower bound of the interval.
        upper: Upper bound (``None`` when the curve never falls that low).

    .. versionadded:: 0.1.0
    """

    days: float | None
    lower: float | None
    upper: float | None


def _tuple_of_floats(value: Iterable[float]) -> tuple[float, ...]:
    return tuple(float(v) for v in value)


@attrs.frozen
class SurvivalCurve:
    """
    A Kaplan-Meier estimate (lifelines) with its 95 % confidence band.

    Attributes:
        label: What it estimates (a phase, ``stop``, an incubator...).
        n: Spells.
        observed: Spells that ended (the rest are right-censored).
        timeline: Days at which the estimate is given (starts at 0).
        survival: Share not yet ended at each day of ``timeline``.
        lower: Lower bound of the band (exponential Greenwood).
        upper: Upper bound of the band.
        median: Median time with its interval.
        q1: Time by which a quarter ended (first quartile).
        q3: Time by which three quarters ended (third quartile).
        same_day: Spells of zero days included (same-day ties).

    .. versionadded:: 0.1.0
    """

    label: str
    n: int
    observed: int
    timeline: tuple[float, ...] = attrs.field(converter=_tuple_of_floats)
    survival: tuple[float, ...] = attrs.field(converter=_tuple_of_floats)
    lower: tuple[float, ...] = attrs.field(converter=_tuple_of_floats)
    upper: tuple[float, ...] = attrs.field(converter=_tuple_of_floats)
    median: Estimate
    q1: Estimate
    q3: Estimate
    same_day: int = 0

    @property
    def censored(self) -> int:
        """Spells still running on the as-of date."""
        return self.n - self.observed


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def kaplan_meier(days: Sequence[float], observed: Sequence[bool], label: str = "") -> SurvivalCurve:
    """
    Kaplan-Meier estimate of spells (lifelines' ``KaplanMeierFitter``).

    Quantiles follow lifelines: the first time the curve is at or below
    0.75 (q1), 0.5 (median) and 0.25 (q3); their intervals are the times
    the band's bounds cross the same level.

    Raises:
        ImportError: lifelines is missing; the message says how to install it.
        ValueError: No spells.
    """
    if not days:
        msg = f"no spells to estimate for {label or 'this curve'}"
        raise ValueError(msg)
    try:
        from lifelines import KaplanMeierFitter  # noqa: PLC0415  (optional, slow)
        from lifelines.utils import qth_survival_times  # noqa: PLC0415
    except ImportError as exc:
        msg = f"survival estimates need lifelines: {EXTRAS_HINT}"
        raise ImportError(msg) from exc
    fitter = KaplanMeierFitter(alpha=0.05)
    fitter.fit(list(days), event_observed=list(observed), label="km")
    band = fitter.confidence_interval_
    survival = fitter.survival_function_["km"]

    def estimate(level: float) -> Estimate:
        point = qth_survival_times(level, survival)
        # The lower bound of a time comes from the lower curve crossing first.
        lower = qth_survival_times(level, band.iloc[:, 0])
        upper = qth_survival_times(level, band.iloc[:, 1])
        return Estimate(_finite(point), _finite(lower), _finite(upper))

    return SurvivalCurve(
        label=label,
        n=len(days),
        observed=sum(1 for flag in observed if flag),
        timeline=survival.index.to_list(),
        survival=survival.to_list(),
        lower=band.iloc[:, 0].to_list(),
        upper=band.iloc[:, 1].to_list(),
        median=estimate(0.5),
        q1=estimate(0.75),
        q3=estimate(0.25),
        same_day=sum(1 for value in days if value == 0),
    )


def durations(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None
) -> dict[str, SurvivalCurve]:
    """Kaplan-Meier time in each non-terminal phase, censoring running spans (needs lifelines)."""
    book = default_rulebook(rulebook)
    spells = phase_spells(portfolio, on, book)
    out: dict[str, SurvivalCurve] = {}
    for phase in book.phase_values:
        mine = [s for s in spells if s.key == phase]
        if mine:
            out[phase] = kaplan_meier(
                [s.days for s in mine], [s.observed for s in mine], label=phase
            )
    return out


def survival(
    portfolio: Portfolio,
    on: dt.date,
    kind: SurvivalKind = "stop",
    by: GroupBy | None = None,
    rulebook: Rulebook | None = None,
) -> dict[str, SurvivalCurve]:
    """Kaplan-Meier time to ``kind`` (see :func:`outcome_spells`), per group (``""``: all)."""
    spells = outcome_spells(portfolio, on, kind, by, rulebook)
    groups: dict[str, list[Spell]] = {}
    for spell in spells:
        groups.setdefault(spell.group, []).append(spell)
    return {
        group: kaplan_meier([s.days for s in mine], [s.observed for s in mine], label=group or kind)
        for group, mine in sorted(groups.items())
    }


# -- committees and FAST -------------------------------------------------------------


@attrs.frozen
class Cadence:
    """
    Whether a running product held its committees often enough (brief §6.2, CC-1).

    Attributes:
        slug: The product.
        phase: Its phase on the as-of date.
        since: Start of the period checked (its first phase after the entry phase).
        committees: Committees held in that period.
        longest_gap_days: Longest time without a committee (including up to the date).
        late_gaps: Gaps longer than the rulebook's interval.
        compliant: No late gap.

    .. versionadded:: 0.1.0
    """

    slug: str
    phase: str
    since: dt.date
    committees: int
    longest_gap_days: int
    late_gaps: int

    @property
    def compliant(self) -> bool:
        """Every gap within the interval."""
        return self.late_gaps == 0


def committee_cadence(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None
) -> tuple[Cadence, ...]:
    """
    Committee cadence of the products running past their entry phase on ``on``.

    The period runs from the start of the first phase after the rulebook's
    entry phase (construction for beta.gouv.fr) to ``on``; each gap between
    its start, the committees held in it and ``on`` must be at most
    ``thresholds.committee_interval_months`` months.
    """
    book = default_rulebook(rulebook)
    entry = book.phase_values[0]
    months = book.thresholds.committee_interval_months
    out: list[Cadence] = []
    for startup in portfolio:
        line = timeline(startup, book)
        phase = phase_on(line, on)
        if phase is None or phase == entry or book.is_terminal(phase):
            continue
        since = next(day for day, ph in line if ph != entry and day <= on)
        held = sorted(
            e.on for e in startup.history if isinstance(e, CommitteeHeld) and since < e.on <= on
        )
        marks = [since, *held, on]
        gaps = list(itertools.pairwise(marks))
        out.append(
            Cadence(
                slug=startup.slug,
                phase=phase,
                since=since,
                committees=len(held),
                longest_gap_days=max((b - a).days for a, b in gaps),
                late_gaps=sum(1 for a, b in gaps if b > add_months(a, months)),
            )
        )
    return tuple(out)


def fast_outcomes(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None
) -> dict[str, int]:
    """Phase on ``on`` of the FAST laureates (a ``FastLaureate`` event on or before it)."""
    book = default_rulebook(rulebook)
    counts = _empty_counts(book)
    for startup in portfolio:
        if any(isinstance(e, FastLaureate) and e.on <= on for e in startup.history):
            phase = phase_on(timeline(startup, book), on) or NONE_GROUP
            counts[phase] = counts.get(phase, 0) + 1
    return counts


# -- teams and spend -------------------------------------------------------------------

STATUS_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "admin": ("public agents", "agents publics"),
        "independent": ("freelancers", "indépendants"),
        "service": ("service companies", "sociétés de service"),
        "unknown": ("unknown", "inconnu"),
    }
)
"""English and French labels of the missions' ``status`` values."""


def _status(mission: Mission) -> str:
    return mission.status or "unknown"


def covers(mission: Mission, day: dt.date) -> bool:
    """Whether ``mission`` runs on ``day`` (an open end runs on)."""
    return mission.start <= day and (mission.end is None or day <= mission.end)


def team_counts(
    portfolio: Portfolio,
    on: dt.date,
    by: Literal["status", "domaine"] = "status",
    startup: str | None = None,
) -> dict[str, int]:
    """Distinct members on a mission on ``on``, by mission ``status`` or member ``domaine``."""
    return team_series(portfolio, (on,), by, startup)[on]


def team_series(
    portfolio: Portfolio,
    dates: Iterable[dt.date],
    by: Literal["status", "domaine"] = "status",
    startup: str | None = None,
) -> dict[dt.date, dict[str, int]]:
    """
    :func:`team_counts` on every date of ``dates``.

    A member counts once per date, under the status of the first of their
    missions covering it (members with overlapping missions exist).
    """
    days = sorted(set(dates))
    out: dict[dt.date, Counter[str]] = {day: Counter() for day in days}
    for member in portfolio.members:
        missions = [m for m in member.missions if startup is None or startup in m.startups]
        if not missions:
            continue
        for day in days:
            mission = next((m for m in missions if covers(m, day)), None)
            if mission is not None:
                key = _status(mission) if by == "status" else (member.domaine or "unknown")
                out[day][key] += 1
    return {day: dict(sorted(counts.items())) for day, counts in out.items()}


def _rate_pair(low: Decimal | int | str, high: Decimal | int | str) -> tuple[Decimal, Decimal]:
    from betastate._values.money import to_money  # noqa: PLC0415  (one definition of exact money)

    pair = (to_money(low), to_money(high))
    if pair[0] > pair[1]:
        msg = f"a daily-rate range goes from low to high: got {pair[0]} > {pair[1]}"
        raise ValueError(msg)
    return pair


def _rate_table(
    value: Mapping[str, tuple[Decimal | int | str, Decimal | int | str]],
) -> Mapping[str, tuple[Decimal, Decimal]]:
    return MappingProxyType({key: _rate_pair(*pair) for key, pair in value.items()})


def _fallback(value: tuple[Decimal | int | str, Decimal | int | str]) -> tuple[Decimal, Decimal]:
    return _rate_pair(*value)


def _status_set(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@attrs.frozen
class DailyRates:
    """
    Daily rates (euros excluding VAT) used to estimate spend, by member ``domaine``.

    Defaults are the ranges observed 2021-2024 in brief §7.4 (D-TJM), junior
    floor to senior ceiling: deployment 270-550, development 450-650,
    design 370-550, product 400-600, coaching 550-800; ``Data`` takes the
    development range; any other ``domaine`` takes ``fallback``, the whole
    observed range 270-800. Only missions whose status is in ``statuses``
    (freelancers and service companies: the ones bought by the day) are
    counted, at ``days_per_week`` days a week.

    .. versionadded:: 0.1.0
    """

    by_domaine: Mapping[str, tuple[Decimal, Decimal]] = attrs.field(
        factory=lambda: _rate_table(
            {
                "Déploiement": (270, 550),
                "Développement": (450, 650),
                "Design": (370, 550),
                "Produit": (400, 600),
                "Coaching": (550, 800),
                "Data": (450, 650),
            }
        ),
        converter=_rate_table,
        hash=False,
    )
    fallback: tuple[Decimal, Decimal] = attrs.field(
        default=(Decimal(270), Decimal(800)), converter=_fallback
    )
    statuses: frozenset[str] = attrs.field(
        default=frozenset({"independent", "service"}), converter=_status_set
    )
    days_per_week: int = 5

    def rate(self, domaine: str | None) -> tuple[Decimal, Decimal]:
        """The (low, high) daily rate of ``domaine``."""
        return self.by_domaine.get(domaine or "", self.fallback)


def working_days(start: dt.date, end: dt.date, per_week: int = 5) -> int:
    """Monday-to-``per_week``-th-weekday days from ``start`` to ``end`` inclusive."""
    if end < start:
        return 0
    total = (end - start).days + 1
    weeks, rest = divmod(total, 7)
    first = start.weekday()
    extra = sum(1 for offset in range(rest) if (first + offset) % 7 < per_week)
    return weeks * per_week + extra


def _frozen_pairs(
    value: Mapping[str, tuple[Decimal, Decimal]],
) -> Mapping[str, tuple[Decimal, Decimal]]:
    return MappingProxyType(dict(value))


@attrs.frozen
class SpendEstimate:
    """
    An estimated spend range over a period, from missions and daily rates.

    Attributes:
        start: First day of the period.
        end: Last day of the period.
        days: Billable days counted.
        low: Spend at the low rates, in euros.
        high: Spend at the high rates, in euros.
        by_startup: ``slug -> (low, high)``; a mission on several products is split evenly.
        unassigned: ``(low, high)`` of missions naming no product.

    .. versionadded:: 0.1.0
    """

    start: dt.date
    end: dt.date
    days: int
    low: Decimal
    high: Decimal
    by_startup: Mapping[str, tuple[Decimal, Decimal]] = attrs.field(
        factory=dict, converter=_frozen_pairs, hash=False
    )
    unassigned: tuple[Decimal, Decimal] = (Decimal(0), Decimal(0))


def estimated_spend(
    portfolio: Portfolio, start: dt.date, end: dt.date, rates: DailyRates | None = None
) -> SpendEstimate:
    """Spend range of the missions bought by the day between ``start`` and ``end``."""
    rates = rates or DailyRates()
    total_days = 0
    low = high = Decimal(0)
    per: dict[str, tuple[Decimal, Decimal]] = {}
    unassigned = (Decimal(0), Decimal(0))
    for member in portfolio.members:
        rate_low, rate_high = rates.rate(member.domaine)
        for mission in member.missions:
            if _status(mission) not in rates.statuses:
                continue
            days = working_days(
                max(start, mission.start),
                min(end, mission.end or end),
                rates.days_per_week,
            )
            if not days:
                continue
            total_days += days
            cost = (rate_low * days, rate_high * days)
            low += cost[0]
            high += cost[1]
            if not mission.startups:
                unassigned = (unassigned[0] + cost[0], unassigned[1] + cost[1])
                continue
            share = Decimal(len(mission.startups))
            for slug in mission.startups:
                old = per.get(slug, (Decimal(0), Decimal(0)))
                per[slug] = (old[0] + cost[0] / share, old[1] + cost[1] / share)
    return SpendEstimate(
        start=start,
        end=end,
        days=total_days,
        low=low,
        high=high,
        by_startup=dict(sorted(per.items())),
        unassigned=unassigned,
    )


# -- flat records (for DataFrames and JSON) --------------------------------------------


def product_records(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None
) -> list[dict[str, Any]]:
    """One row per product: identity, phase on ``on``, first start and current span start."""
    book = default_rulebook(rulebook)
    rows = []
    for startup in portfolio:
        line = [item for item in timeline(startup, book) if item[0] <= on]
        phase = line[-1][1] if line else None
        rows.append(
            {
                "slug": startup.slug,
                "title": startup.title,
                "incubator": startup.incubator,
                "sponsors": ",".join(startup.sponsors),
                "phase": phase,
                "phase_since": line[-1][0] if line else None,
                "first_start": line[0][0] if line else None,
                "terminal": phase is not None and book.is_terminal(phase),
                "events": len(startup.history),
            }
        )
    return rows


def span_records(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None
) -> list[dict[str, Any]]:
    """One row per phase span as of ``on`` (``end`` empty while running)."""
    book = default_rulebook(rulebook)
    return [
        {
            "slug": startup.slug,
            "phase": span.phase,
            "start": span.start,
            "end": span.end,
            "explicit_end": span.explicit_end,
            "days": span.days(on),
            "running": span.end is None,
        }
        for startup in portfolio
        for span in project(startup, book, on).spans
    ]


def event_records(portfolio: Portfolio) -> list[dict[str, Any]]:
    """One row per event: product, date, kind, phase (if any), comment."""
    rows = []
    for startup in portfolio:
        for event in startup.history:
            phase = getattr(event, "phase", None)
            rows.append(
                {
                    "slug": startup.slug,
                    "on": event.on,
                    "kind": type(event).__name__,
                    "phase": phase,
                    "comment": event.comment,
                }
            )
    return rows


def finding_record(finding: Finding) -> dict[str, Any]:
    """A finding as a plain row (frames, the report)."""
    return {
        "code": finding.code,
        "severity": str(finding.severity),
        "slug": finding.slug,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
    }


def finding_records(portfolio: Portfolio) -> list[dict[str, Any]]:
    """One row per finding of import."""
    return [finding_record(f) for f in portfolio.findings]


def mission_records(portfolio: Portfolio) -> list[dict[str, Any]]:
    """One row per (mission, product) pair; a mission naming no product gets one row."""
    return [
        {
            "member": member.id,
            "mission": index,
            "domaine": member.domaine,
            "status": mission.status,
            "employer": mission.employer,
            "start": mission.start,
            "end": mission.end,
            "startup": slug,
        }
        for member in portfolio.members
        for index, mission in enumerate(member.missions)
        for slug in mission.startups or (None,)
    ]
