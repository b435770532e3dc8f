"""
How long phases last, and how fast products stop or exit: Kaplan-Meier with censoring.

A phase still running on the as-of date has lasted *at least* that long:
dropping it would bias durations down, counting it as ended would too. Such
spans are right-censored. The Kaplan-Meier estimate and its exponential
Greenwood band are computed here in plain Python, equal to lifelines'
``KaplanMeierFitter`` (the tests compare them), so that neither a plain
install nor the report pays lifelines' import (about two seconds).

Outcomes are kept apart by stage (brief §3.1, §8): an investigation that
ends in a stop is *inconclusive*; a service (a product that reached a
phase past the entry phase) that ends in a stop is *stopped*; one that
reaches opere or transfere has *exited*.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal, overload

import attrs

from betastate._analytics.errors import one_of
from betastate._analytics.queries import (
    GroupBy,
    default_rulebook,
    grouper,
    timelines,
)
from betastate._analytics.results import REPR_LIMIT, Grouped, Table
from betastate._engine.state import PhaseSpan, spans_of
from betastate._values.errors import InvalidArgument


if TYPE_CHECKING:
    from betastate._analytics.portfolio import Portfolio
    from betastate._rules.rulebook import Rulebook
    from betastate._values.startup import Startup

SurvivalKind = Literal["stopped", "inconclusive", "exit", "end", "stop"]
"""What :func:`survival` waits for (see :data:`SURVIVAL_KINDS`)."""

SURVIVAL_KINDS: Mapping[str, str] = {
    "stopped": "a service (past the entry phase) reaching a stop phase, from its service start",
    "inconclusive": "an investigation ending in a stop before any service phase, from its start",
    "exit": "a service reaching a terminal phase that is not a stop, from its first service phase",
    "end": "any product reaching any terminal phase, from its first phase",
    "stop": "any product reaching a stop phase, from its first phase (mixes the first two)",
}
"""Each outcome :func:`survival` measures, and from when."""

ALPHA = 0.05
"""The band is a 95 % confidence band."""


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

    def text(self, unit: str = "d") -> str:
        """``468 d [440, 500]``; ``…`` for a bound not reached, ``not reached`` for the point."""

        def one(value: float | None) -> str:
            return "…" if value is None else f"{value:.0f}"

        point = "not reached" if self.days is None else f"{self.days:.0f} {unit}"
        return f"{point} [{one(self.lower)}, {one(self.upper)}]"


def _tuple_of_floats(value: Iterable[float]) -> tuple[float, ...]:
    return tuple(float(v) for v in value)


@attrs.frozen(repr=False)
class SurvivalCurve:
    """
    A Kaplan-Meier estimate with its 95 % confidence band.

    Attributes:
        label: What it estimates (a phase, ``stopped``, an incubator...).
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

    def at(self, days: float) -> float:
        """The share not yet ended after ``days`` days (the step curve's value)."""
        index = bisect.bisect_right(self.timeline, days)
        return self.survival[index - 1] if index else 1.0

    def brief(self) -> str:
        """``n=310, median 468 d``, for the repr of grouped curves."""
        median = "-" if self.median.days is None else f"{self.median.days:.0f} d"
        return f"n={self.n}, median {median}"

    def summary(self) -> dict[str, Any]:
        """Size, ends and the three quantiles with their intervals, as one flat row."""
        row: dict[str, Any] = {
            "label": self.label,
            "n": self.n,
            "observed": self.observed,
            "censored": self.censored,
            "same_day": self.same_day,
        }
        for name in ("median", "q1", "q3"):
            value: Estimate = getattr(self, name)
            row |= {
                f"{name}_days": value.days,
                f"{name}_lower": value.lower,
                f"{name}_upper": value.upper,
            }
        return row

    def _summary(self) -> Table:
        columns = {
            "label": ("str", "What the curve estimates."),
            "n": ("int", "Spells."),
            "observed": ("int", "Spells that ended."),
            "censored": ("int", "Spells still running on the date (right-censored)."),
            "same_day": ("int", "Spells of zero days."),
        }
        for name, what in (("median", "half"), ("q1", "a quarter"), ("q3", "three quarters")):
            columns |= {
                f"{name}_days": ("float", f"Days by which {what} ended (missing: not reached)."),
                f"{name}_lower": ("float", "Lower bound of its 95 % interval."),
                f"{name}_upper": ("float", "Upper bound of its 95 % interval."),
            }
        return columns, [self.summary()]

    def _table(self) -> Table:
        columns = {
            "days": ("float", "Days since the start of the spell."),
            "survival": ("float", "Share not yet ended."),
            "lower": ("float", "Lower bound of the 95 % band."),
            "upper": ("float", "Upper bound of the 95 % band."),
        }
        rows = [
            {"days": t, "survival": s, "lower": lo, "upper": hi}
            for t, s, lo, hi in zip(
                self.timeline, self.survival, self.lower, self.upper, strict=True
            )
        ]
        return columns, rows

    def to_frame(self, backend: Literal["pandas", "polars"] = "pandas") -> Any:
        """The curve as a DataFrame: days, survival, lower, upper (one row per time)."""
        from betastate._analytics.tables import frame  # noqa: PLC0415

        return frame(*self._table(), backend)

    def __repr__(self) -> str:
        text = (
            f"SurvivalCurve({self.label!r}, n={self.n}, observed={self.observed}, "
            f"median={self.median.text()}, q1={self.q1.text()}, q3={self.q3.text()})"
        )
        return text if len(text) <= REPR_LIMIT else text[: REPR_LIMIT - 1] + "…"


# -- Kaplan-Meier ----------------------------------------------------------------


def _band(log_survival: float, variance: float, z: float) -> tuple[float, float]:
    """The exponential Greenwood band at one time, as lifelines computes it."""
    survival = math.exp(log_survival)
    if survival == 1.0:
        return 1.0, 1.0  # lifelines: 0/0, filled with 1
    if survival == 0.0:
        return 0.0, 0.0
    v = math.log(survival)
    spread = z * math.sqrt(variance) / v
    centre = math.log(-v)

    def edge(x: float) -> float:
        return 0.0 if x > 709 else math.exp(-math.exp(x))  # noqa: PLR2004  (exp overflow)

    return edge(centre - spread), edge(centre + spread)


def _quantile(level: float, values: Sequence[float], times: Sequence[float]) -> float | None:
    """The first time ``values`` is at or below ``level`` (lifelines' rule); ``None``: never."""
    if values[-1] > level:
        return None
    return times[bisect.bisect_left(values, -level, key=lambda v: -v)]


def kaplan_meier(days: Sequence[float], observed: Sequence[bool], label: str = "") -> SurvivalCurve:
    """
    Kaplan-Meier estimate of spells, with lifelines' conventions.

    The curve is given at 0 and at every distinct duration; the band is
    the exponential Greenwood one (``alpha=0.05``); quantiles are the first
    time the curve (or an edge of the band) is at or below 0.75 (q1), 0.5
    (median) and 0.25 (q3).

    Raises:
        InvalidArgument: No spells, or durations and flags of different lengths.
    """
    if not days or len(days) != len(observed):
        raise InvalidArgument(
            "days",
            list(days)[:3],
            f"no spells to estimate for {label or 'this curve'} (or not one flag per spell)",
            "pass one duration and one observed flag per spell",
        )
    z = NormalDist().inv_cdf(1 - ALPHA / 2)
    removed = Counter(days)
    deaths = Counter(d for d, flag in zip(days, observed, strict=True) if flag)
    times = sorted({0.0, *(float(d) for d in days)})
    at_risk = len(days)
    log_survival = variance = 0.0
    survival: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    for time in times:
        dead = deaths.get(time, 0)
        left = at_risk - dead
        log_survival += (math.log(left) - math.log(at_risk)) if left > 0 else -math.inf
        if dead and left:
            variance += dead / (at_risk * left)
        survival.append(math.exp(log_survival))
        low, high = _band(log_survival, variance, z)
        lower.append(low)
        upper.append(high)
        at_risk -= removed.get(time, 0)

    def estimate(level: float) -> Estimate:
        # The lower bound of a time comes from the lower edge crossing first.
        return Estimate(
            _quantile(level, survival, times),
            _quantile(level, lower, times),
            _quantile(level, upper, times),
        )

    return SurvivalCurve(
        label=label,
        n=len(days),
        observed=sum(1 for flag in observed if flag),
        timeline=times,
        survival=survival,
        lower=lower,
        upper=upper,
        median=estimate(0.5),
        q1=estimate(0.75),
        q3=estimate(0.25),
        same_day=sum(1 for value in days if value == 0),
    )


# -- spells ---------------------------------------------------------------------------


@attrs.frozen
class Spell:
    """
    One observed duration: a phase span, or the time from a start to an outcome.

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


def spans_on(startup: Startup, rulebook: Rulebook, on: dt.date) -> tuple[PhaseSpan, ...]:
    """The phase spans of ``startup`` as known on ``on`` (the spans of the engine's state)."""
    spans = spans_of([e for e in startup.in_force if e.on <= on], rulebook)
    return tuple(
        span
        if span.end is None or span.end <= on
        else attrs.evolve(span, end=None, explicit_end=False)
        for span in spans
    )


def phase_spells(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None, by: GroupBy | None = None
) -> tuple[Spell, ...]:
    """
    Time spent in each non-terminal phase, as of ``on`` (one spell per group with ``by``).

    A span still running on ``on`` is right-censored there; a span that
    ended (next phase or explicit end) is observed. Same-day spans (zero
    days, the data's same-day ties) are kept; :func:`durations` counts them.
    """
    book = default_rulebook(rulebook)
    groups = grouper(by, portfolio, book) if by is not None else (lambda _: ("",))
    out: list[Spell] = []
    for startup in portfolio:
        mine = groups(startup)
        for span in spans_on(startup, book, on):
            if book.is_terminal(span.phase):
                continue
            out.extend(
                Spell(
                    slug=startup.slug,
                    key=span.phase,
                    start=span.start,
                    days=span.days(on),
                    observed=span.end is not None,
                    group=group,
                )
                for group in mine
            )
    return tuple(out)


def _outcome(  # noqa: PLR0911  (one return per case of the definition)
    line: Sequence[tuple[dt.date, str]], kind: str, book: Rulebook, on: dt.date
) -> tuple[dt.date, dt.date, bool] | None:
    """``(origin, end, observed)`` of one timeline for ``kind``, or ``None`` outside it."""
    entry = book.phase_values[0]
    terminal = next((i for i, (_, p) in enumerate(line) if book.is_terminal(p)), None)
    service = next(
        (i for i, (_, p) in enumerate(line) if p != entry and not book.is_terminal(p)), None
    )

    def stop_at(index: int) -> bool:
        return book.phase(line[index][1]).stop

    if kind in ("end", "stop"):
        if terminal is None:
            return line[0][0], on, False
        observed = kind == "end" or stop_at(terminal)
        return line[0][0], line[terminal][0], observed
    if kind == "inconclusive":
        if service == 0:
            return None  # started as a service: never an investigation to conclude
        ends = [i for i in (terminal, service) if i is not None]
        if not ends:
            return line[0][0], on, False
        first = min(ends)
        return line[0][0], line[first][0], first == terminal and stop_at(first)
    # stopped / exit: from the first service phase, for products that became services
    if service is None or (terminal is not None and terminal < service):
        return None
    after = next((i for i in range(service, len(line)) if book.is_terminal(line[i][1])), None)
    if after is None:
        return line[service][0], on, False
    return line[service][0], line[after][0], stop_at(after) == (kind == "stopped")


def outcome_spells(
    portfolio: Portfolio,
    on: dt.date,
    kind: SurvivalKind = "stopped",
    by: GroupBy | None = None,
    rulebook: Rulebook | None = None,
) -> tuple[Spell, ...]:
    """
    Time to an outcome (see :data:`SURVIVAL_KINDS`), as of ``on``.

    The first terminal phase decides: a product that exited is censored
    there when measuring stops, a stopped one when measuring exits; an
    investigation that became a service is censored at that date when
    measuring inconclusive ends; products still running are censored on
    ``on``.

    Raises:
        InvalidArgument: ``kind`` is not one of :data:`SURVIVAL_KINDS`.
    """
    chosen: str = kind
    if chosen not in SURVIVAL_KINDS:
        raise InvalidArgument("kind", kind, "not an outcome", one_of(chosen, SURVIVAL_KINDS))
    book = default_rulebook(rulebook)
    groups = grouper(by, portfolio, book) if by is not None else (lambda _: ("",))
    lines = timelines(portfolio, book)
    out: list[Spell] = []
    for startup in portfolio:
        line = [item for item in lines[startup.slug] if item[0] <= on]
        found = _outcome(line, kind, book, on) if line else None
        if found is None:
            continue
        origin, end, observed = found
        out.extend(
            Spell(
                slug=startup.slug,
                key=kind,
                start=origin,
                days=(end - origin).days,
                observed=observed,
                group=group,
            )
            for group in groups(startup)
        )
    return tuple(out)


def _curves(spells: Iterable[Spell], order: Sequence[str], key: str) -> Grouped[str, SurvivalCurve]:
    found: dict[str, list[Spell]] = {}
    for spell in spells:
        found.setdefault(spell.key, []).append(spell)
    return Grouped(
        (
            (
                name,
                kaplan_meier(
                    [s.days for s in found[name]], [s.observed for s in found[name]], name
                ),
            )
            for name in order
            if name in found
        ),
        key=key,
    )


@overload
def durations(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None, by: None = None
) -> Grouped[str, SurvivalCurve]: ...


@overload
def durations(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None, by: GroupBy
) -> Grouped[str, Grouped[str, SurvivalCurve]]: ...


@overload
def durations(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None, *, by: GroupBy
) -> Grouped[str, Grouped[str, SurvivalCurve]]: ...


def durations(
    portfolio: Portfolio,
    on: dt.date,
    rulebook: Rulebook | None = None,
    by: GroupBy | None = None,
) -> Grouped[str, SurvivalCurve] | Grouped[str, Grouped[str, SurvivalCurve]]:
    """Kaplan-Meier time in each non-terminal phase, running spans censored; by group (``by``)."""
    book = default_rulebook(rulebook)
    spells = phase_spells(portfolio, on, book, by)
    if by is None:
        return _curves(spells, book.phase_values, "phase")
    per: dict[str, list[Spell]] = {}
    for spell in spells:
        per.setdefault(spell.group, []).append(spell)
    return Grouped(
        ((group, _curves(mine, book.phase_values, "phase")) for group, mine in sorted(per.items())),
        key="cohort" if by == "cohort" else "group",
    )


@overload
def survival(
    portfolio: Portfolio,
    on: dt.date,
    kind: SurvivalKind = "stopped",
    by: None = None,
    rulebook: Rulebook | None = None,
) -> SurvivalCurve: ...


@overload
def survival(
    portfolio: Portfolio,
    on: dt.date,
    kind: SurvivalKind,
    by: GroupBy,
    rulebook: Rulebook | None = None,
) -> Grouped[str, SurvivalCurve]: ...


@overload
def survival(
    portfolio: Portfolio,
    on: dt.date,
    kind: SurvivalKind = "stopped",
    *,
    by: GroupBy,
    rulebook: Rulebook | None = None,
) -> Grouped[str, SurvivalCurve]: ...


def survival(
    portfolio: Portfolio,
    on: dt.date,
    kind: SurvivalKind = "stopped",
    by: GroupBy | None = None,
    rulebook: Rulebook | None = None,
) -> SurvivalCurve | Grouped[str, SurvivalCurve]:
    """
    Kaplan-Meier time to ``kind`` (see :func:`outcome_spells`); one curve per group with ``by``.

    Raises:
        InvalidArgument: ``kind`` is unknown, or no product is in its population.
    """
    spells = outcome_spells(portfolio, on, kind, by, rulebook)
    if by is None:
        if not spells:
            raise InvalidArgument(
                "kind",
                kind,
                f"no product in this portfolio on {on} is measured for it",
                "check the date, or ask for another kind",
            )
        return kaplan_meier([s.days for s in spells], [s.observed for s in spells], kind)
    groups: dict[str, list[Spell]] = {}
    for spell in spells:
        groups.setdefault(spell.group, []).append(spell)
    return Grouped(
        (
            (group, kaplan_meier([s.days for s in mine], [s.observed for s in mine], group))
            for group, mine in sorted(groups.items())
        ),
        key="cohort" if by == "cohort" else "group",
    )
