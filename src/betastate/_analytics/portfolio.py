"""
A portfolio of startups with their context.

It also holds the incubators and organisations the startups name, the
members' missions, and what import found.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, overload

import attrs

from betastate._values.reasons import Finding
from betastate._values.startup import Incubator, Member, Organisation, Startup


if TYPE_CHECKING:
    from betastate._analytics.forecast import Forecast
    from betastate._analytics.lessons import Lesson
    from betastate._analytics.queries import (
        Cadence,
        DailyRates,
        FunnelStep,
        GroupBy,
        SpendEstimate,
        SurvivalCurve,
        SurvivalKind,
    )
    from betastate._analytics.related import Related
    from betastate._rules.rulebook import Rulebook


def _tuple_of_startups(value: Iterable[Startup]) -> tuple[Startup, ...]:
    return tuple(value)


def _tuple_of_incubators(value: Iterable[Incubator]) -> tuple[Incubator, ...]:
    return tuple(value)


def _tuple_of_organisations(value: Iterable[Organisation]) -> tuple[Organisation, ...]:
    return tuple(value)


def _tuple_of_members(value: Iterable[Member]) -> tuple[Member, ...]:
    return tuple(value)


def _tuple_of_findings(value: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(value)


def _index(startups: tuple[Startup, ...]) -> Mapping[str, Startup]:
    return MappingProxyType({s.slug: s for s in startups})


@attrs.frozen
class Portfolio:
    """
    A set of startups with their context; ``len()``, iteration and lookup by slug.

    Attributes:
        startups: The products, in a stable order (by slug when loaded).
        incubators: Incubator records.
        organisations: Organisation (sponsor) records.
        members: Members and their missions, when loaded.
        findings: What import found.
        source: Where it was loaded from.

    .. versionadded:: 0.1.0
    """

    startups: tuple[Startup, ...] = attrs.field(converter=_tuple_of_startups)
    incubators: tuple[Incubator, ...] = attrs.field(default=(), converter=_tuple_of_incubators)
    organisations: tuple[Organisation, ...] = attrs.field(
        default=(), converter=_tuple_of_organisations
    )
    members: tuple[Member, ...] = attrs.field(default=(), converter=_tuple_of_members)
    findings: tuple[Finding, ...] = attrs.field(default=(), converter=_tuple_of_findings)
    source: str = attrs.field(default="", eq=False)
    _by_slug: Mapping[str, Startup] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        index = _index(self.startups)
        if len(index) != len(self.startups):
            counts = Counter(s.slug for s in self.startups)
            duplicates = sorted(slug for slug, n in counts.items() if n > 1)
            msg = f"a portfolio holds each slug once; duplicated: {', '.join(duplicates)}"
            raise ValueError(msg)
        object.__setattr__(self, "_by_slug", index)

    def __len__(self) -> int:
        return len(self.startups)

    def __iter__(self) -> Iterator[Startup]:
        return iter(self.startups)

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    def __getitem__(self, slug: str) -> Startup:
        try:
            return self._by_slug[slug]
        except KeyError:
            msg = f"no startup {slug!r} in this portfolio of {len(self)}"
            raise KeyError(msg) from None

    def get(self, slug: str) -> Startup | None:
        """The startup ``slug``, or ``None``."""
        return self._by_slug.get(slug)

    @property
    def slugs(self) -> tuple[str, ...]:
        """Every slug, in portfolio order."""
        return tuple(self._by_slug)

    # -- analytics (pure Python; see betastate._analytics) ---------------------

    @overload
    def phase_counts(
        self, on: dt.date, by: None = None, *, rulebook: Rulebook | None = None
    ) -> dict[str, int]: ...

    @overload
    def phase_counts(
        self, on: dt.date, by: GroupBy, *, rulebook: Rulebook | None = None
    ) -> dict[str, dict[str, int]]: ...

    def phase_counts(
        self, on: dt.date, by: GroupBy | None = None, *, rulebook: Rulebook | None = None
    ) -> dict[str, int] | dict[str, dict[str, int]]:
        """
        Products in each phase on ``on``: ``{phase: count}``, or ``{group: {phase: count}}``.

        Every rulebook phase is a key (zeros kept); products not started on
        ``on`` are left out. ``by`` is ``"incubator"``, ``"sponsor"`` (a
        product with several sponsors counts under each) or a function of a
        startup returning its group(s).

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries  # noqa: PLC0415  (import time)

        if by is None:
            return queries.phase_counts(self, on, rulebook)
        return queries.grouped_phase_counts(self, on, by, rulebook)

    def phase_series(
        self, dates: Iterable[dt.date], *, rulebook: Rulebook | None = None
    ) -> dict[dt.date, dict[str, int]]:
        """
        :meth:`phase_counts` on many dates at once (one sweep, sorted by date).

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries  # noqa: PLC0415  (import time)

        return queries.phase_series(self, dates, rulebook)

    def monthly_phase_counts(
        self, start: dt.date, end: dt.date, *, rulebook: Rulebook | None = None
    ) -> dict[dt.date, dict[str, int]]:
        """
        :meth:`phase_counts` on the first day of each month from ``start`` to ``end``.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries  # noqa: PLC0415  (import time)

        return queries.phase_series(self, queries.month_starts(start, end), rulebook)

    def cohorts(
        self, on: dt.date, *, rulebook: Rulebook | None = None
    ) -> dict[int, dict[str, int]]:
        """
        Products by year of their first phase start, counted by their phase on ``on``.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries  # noqa: PLC0415  (import time)

        return queries.cohorts(self, on, rulebook)

    def funnel(
        self,
        on: dt.date,
        steps: Sequence[Sequence[str]] | None = None,
        *,
        rulebook: Rulebook | None = None,
    ) -> tuple[FunnelStep, ...]:
        """
        Conversion between lifecycle steps as of ``on``, with and without running products.

        ``steps`` defaults to investigation, construction, acceleration and
        handover (consolidation, opere, transfere).

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries  # noqa: PLC0415  (import time)

        return queries.funnel(self, on, steps or queries.DEFAULT_STEPS, rulebook)

    def durations(
        self, on: dt.date, *, rulebook: Rulebook | None = None
    ) -> dict[str, SurvivalCurve]:
        """
        Time spent in each non-terminal phase (Kaplan-Meier, running spans censored).

        Needs the ``analytics`` extra (lifelines).

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries  # noqa: PLC0415  (import time)

        return queries.durations(self, on, rulebook)

    def survival(
        self,
        on: dt.date,
        kind: SurvivalKind = "stop",
        by: GroupBy | None = None,
        *,
        rulebook: Rulebook | None = None,
    ) -> dict[str, SurvivalCurve]:
        """
        Time from first phase to a stop, an exit or either (Kaplan-Meier), per group.

        The key is ``""`` without ``by``. Needs the ``analytics`` extra.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries  # noqa: PLC0415  (import time)

        return queries.survival(self, on, kind, by, rulebook)

    def committee_cadence(
        self, on: dt.date, *, rulebook: Rulebook | None = None
    ) -> tuple[Cadence, ...]:
        """
        Committee cadence of the products running past their entry phase on ``on``.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries  # noqa: PLC0415  (import time)

        return queries.committee_cadence(self, on, rulebook)

    def fast_outcomes(self, on: dt.date, *, rulebook: Rulebook | None = None) -> dict[str, int]:
        """
        Phase on ``on`` of the FAST laureates.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries  # noqa: PLC0415  (import time)

        return queries.fast_outcomes(self, on, rulebook)

    def team_counts(
        self,
        on: dt.date,
        by: Literal["status", "domaine"] = "status",
        startup: str | None = None,
    ) -> dict[str, int]:
        """
        Members on a mission on ``on`` (of ``startup``, if given), by status or domaine.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries  # noqa: PLC0415  (import time)

        return queries.team_counts(self, on, by, startup)

    def monthly_team_counts(
        self,
        start: dt.date,
        end: dt.date,
        by: Literal["status", "domaine"] = "status",
        startup: str | None = None,
    ) -> dict[dt.date, dict[str, int]]:
        """
        :meth:`team_counts` on the first day of each month from ``start`` to ``end``.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries  # noqa: PLC0415  (import time)

        return queries.team_series(self, queries.month_starts(start, end), by, startup)

    def estimated_spend(
        self, start: dt.date, end: dt.date, rates: DailyRates | None = None
    ) -> SpendEstimate:
        """
        Spend range of missions bought by the day over a period (see :class:`DailyRates`).

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries  # noqa: PLC0415  (import time)

        return queries.estimated_spend(self, start, end, rates)

    def lessons(
        self, on: dt.date | None = None, *, rulebook: Rulebook | None = None
    ) -> tuple[Lesson, ...]:
        """
        One :class:`Lesson` per product stopped on or before ``on`` (default: ever).

        Reasons come from the post-mortem, else from the comments and the
        body through :data:`betastate.STOP_PATTERNS`, each with its evidence;
        none found is ``unknown``, never guessed.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import lessons  # noqa: PLC0415  (import time)

        return lessons.lessons(self, on, rulebook)

    def related(
        self, startup_or_text: Startup | str, k: int = 5, *, rulebook: Rulebook | None = None
    ) -> tuple[Related, ...]:
        """
        The ``k`` past products most related to a product or a mission text, with why.

        Text similarity of title, mission and body (French-aware) plus a
        shared incubator, sponsors and user types; each result carries its
        lesson (if stopped) and reusable repositories. The index is built on
        first use and kept for this portfolio. Needs the ``analytics`` extra
        (``snowballstemmer``).

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import related  # noqa: PLC0415  (import time)

        return related.related(self, startup_or_text, k, rulebook)

    def forecast(
        self,
        start: dt.date,
        *,
        months: int = 60,
        runs: int = 10_000,
        seed: int | None = None,
        entries: float | None = None,
        by: Literal["incubator"] | None = None,
        within: int | None = None,
        window: int | None = 36,
        entry_window: int = 24,
        rulebook: Rulebook | None = None,
        workers: int | None = None,
    ) -> Forecast:
        """
        Monte Carlo forecast of the phase counts, month by month, from ``start``.

        A semi-Markov, competing-risks model of the pipeline, calibrated on
        the histories up to ``start`` only (see ``docs/forecast.md``):
        ``window`` months of phase changes (``None``: all), new products as
        in the last ``entry_window`` months (``entries=None``), none
        (``entries=0``) or a Poisson mean per month. ``by="incubator"`` adds
        per-incubator statistics; outcomes look ``within`` months ahead
        (default: ``months``). The same ``seed`` gives the same numbers, with
        any ``workers`` (threads; default: up to 2). Needs numpy.

        Raises:
            InvalidArgument: An argument is out of range; the message names
                it and the fix.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import forecast  # noqa: PLC0415  (numpy on first use only)

        return forecast.forecast(
            self,
            start,
            months=months,
            runs=runs,
            seed=seed,
            entries=entries,
            by=by,
            within=within,
            window=window,
            entry_window=entry_window,
            rulebook=rulebook,
            workers=workers,
        )

    def _repr_html_(self) -> str:
        from betastate._analytics.views import portfolio_html  # noqa: PLC0415  (notebook-only path)

        return portfolio_html(self)
