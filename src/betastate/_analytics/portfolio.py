"""
A portfolio of startups with their context.

It also holds the incubators and organisations the startups name, the
members' missions, and what import found.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, cast, overload

import attrs

from betastate._values.errors import InvalidValue
from betastate._values.reasons import Finding
from betastate._values.startup import Incubator, Member, Organisation, Startup


if TYPE_CHECKING:
    from betastate._analytics.forecast import Forecast
    from betastate._analytics.funnel import Funnel, Steps
    from betastate._analytics.lessons import Lesson
    from betastate._analytics.outcomes import Cadences, Designations, Laureates
    from betastate._analytics.queries import GroupBy
    from betastate._analytics.related import Related
    from betastate._analytics.results import Counts, Grouped, Series
    from betastate._analytics.survival import SurvivalCurve, SurvivalKind
    from betastate._analytics.teams import DailyRates, SpendEstimate, Split
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
    _memo: dict[tuple[str, int], tuple[object, Any]] = attrs.field(
        init=False, eq=False, hash=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        index = _index(self.startups)
        if len(index) != len(self.startups):
            counts = Counter(s.slug for s in self.startups)
            duplicates = sorted(slug for slug, n in counts.items() if n > 1)
            raise InvalidValue(
                "Portfolio",
                "startups",
                duplicates,
                "a portfolio holds each slug once; duplicated: " + ", ".join(duplicates),
                "give each startup its own slug",
            )
        object.__setattr__(self, "_by_slug", index)
        # What queries derive from an immutable portfolio, computed once (queries.memo).
        object.__setattr__(self, "_memo", {})

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

    # -- notebook-fit -------------------------------------------------------------

    def __repr__(self) -> str:
        source = f", source={self.source!r}" if self.source else ""
        text = (
            f"Portfolio({len(self.startups)} products, {len(self.incubators)} incubators, "
            f"{len(self.organisations)} organisations, {len(self.members)} members, "
            f"{len(self.findings)} findings{source})"
        )
        return text if len(text) <= 200 else text[:198] + "…)"  # noqa: PLR2004  (REPR_LIMIT)

    @property
    def data_date(self) -> dt.date | None:
        """
        The date the data describes: its latest fact, planned facts left out.

        Every query, frame, plot and the report use it when no date is
        given. See :func:`betastate._analytics.queries.data_date` for the
        rule; ``None`` when nothing is dated.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries  # noqa: PLC0415  (import time)

        return queries.memo(self, "data_date", None, lambda: queries.data_date(self))

    def where(
        self,
        *,
        incubator: str | Iterable[str] | None = None,
        sponsor: str | Iterable[str] | None = None,
        phase: str | Iterable[str] | None = None,
        on: dt.date | None = None,
        cohort: int | Iterable[int] | None = None,
        predicate: Callable[[Startup], bool] | None = None,
        rulebook: Rulebook | None = None,
    ) -> Portfolio:
        """
        The products matching every condition given, as a portfolio.

        ``incubator``, ``sponsor`` and ``phase`` take one value or several
        (a product matches any of them); ``phase`` is the phase on ``on``
        (default: :attr:`data_date`); ``cohort`` is the year of the first
        phase, one or several; ``predicate`` is any function of a startup.
        Members keep the missions that name a kept product.

        Raises:
            InvalidArgument: A value no product has (a typo), a phase the
                rulebook lacks, a cohort that is not a year.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import selection  # noqa: PLC0415  (import time)

        return selection.where(
            self,
            incubator=incubator,
            sponsor=sponsor,
            phase=phase,
            on=on,
            cohort=cohort,
            predicate=predicate,
            rulebook=rulebook,
        )

    # -- analytics (pure Python; see betastate._analytics) ---------------------

    @overload
    def phase_counts(
        self, on: dt.date | None = None, by: None = None, *, rulebook: Rulebook | None = None
    ) -> Counts: ...

    @overload
    def phase_counts(
        self, on: dt.date | None, by: GroupBy, *, rulebook: Rulebook | None = None
    ) -> Grouped[str, Counts]: ...

    @overload
    def phase_counts(
        self, on: dt.date | None = None, *, by: GroupBy, rulebook: Rulebook | None = None
    ) -> Grouped[str, Counts]: ...

    def phase_counts(
        self,
        on: dt.date | None = None,
        by: GroupBy | None = None,
        *,
        rulebook: Rulebook | None = None,
    ) -> Counts | Grouped[str, Counts]:
        """
        Products in each phase on ``on``: ``{phase: count}``, or ``{group: {phase: count}}``.

        Every rulebook phase is a key (zeros kept); products not started on
        ``on`` (default: :attr:`data_date`) are left out. ``by`` is
        ``"incubator"``, ``"sponsor"`` (a product with several sponsors
        counts under each), ``"cohort"`` or a function of a startup
        returning its group(s).

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import counts, queries  # noqa: PLC0415  (import time)

        day = queries.as_of(self, on)
        if by is None:
            return counts.phase_counts(self, day, rulebook)
        return counts.grouped_phase_counts(self, day, by, rulebook)

    @overload
    def phase_series(
        self, dates: Iterable[dt.date], by: None = None, *, rulebook: Rulebook | None = None
    ) -> Series: ...

    @overload
    def phase_series(
        self, dates: Iterable[dt.date], by: GroupBy, *, rulebook: Rulebook | None = None
    ) -> Grouped[str, Series]: ...

    def phase_series(
        self,
        dates: Iterable[dt.date],
        by: GroupBy | None = None,
        *,
        rulebook: Rulebook | None = None,
    ) -> Series | Grouped[str, Series]:
        """
        :meth:`phase_counts` on many dates at once (one sweep, by date), per group with ``by``.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import counts  # noqa: PLC0415  (import time)

        return counts.phase_series(self, dates, rulebook, by)

    @overload
    def monthly_phase_counts(
        self,
        start: dt.date,
        end: dt.date | None = None,
        by: None = None,
        *,
        rulebook: Rulebook | None = None,
    ) -> Series: ...

    @overload
    def monthly_phase_counts(
        self, start: dt.date, end: dt.date | None, by: GroupBy, *, rulebook: Rulebook | None = None
    ) -> Grouped[str, Series]: ...

    @overload
    def monthly_phase_counts(
        self,
        start: dt.date,
        end: dt.date | None = None,
        *,
        by: GroupBy,
        rulebook: Rulebook | None = None,
    ) -> Grouped[str, Series]: ...

    def monthly_phase_counts(
        self,
        start: dt.date,
        end: dt.date | None = None,
        by: GroupBy | None = None,
        *,
        rulebook: Rulebook | None = None,
    ) -> Series | Grouped[str, Series]:
        """
        :meth:`phase_counts` on the first day of each month from ``start`` to ``end``.

        ``end`` defaults to :attr:`data_date`.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import counts, queries  # noqa: PLC0415  (import time)

        dates = queries.month_starts(start, queries.as_of(self, end))
        return counts.phase_series(self, dates, rulebook, by)

    @overload
    def yearly_phase_counts(
        self,
        start: dt.date,
        end: dt.date | None = None,
        by: None = None,
        *,
        rulebook: Rulebook | None = None,
    ) -> Series: ...

    @overload
    def yearly_phase_counts(
        self, start: dt.date, end: dt.date | None, by: GroupBy, *, rulebook: Rulebook | None = None
    ) -> Grouped[str, Series]: ...

    @overload
    def yearly_phase_counts(
        self,
        start: dt.date,
        end: dt.date | None = None,
        *,
        by: GroupBy,
        rulebook: Rulebook | None = None,
    ) -> Grouped[str, Series]: ...

    def yearly_phase_counts(
        self,
        start: dt.date,
        end: dt.date | None = None,
        by: GroupBy | None = None,
        *,
        rulebook: Rulebook | None = None,
    ) -> Series | Grouped[str, Series]:
        """
        :meth:`phase_counts` on the first of January of each year from ``start`` to ``end``.

        ``end`` defaults to :attr:`data_date`.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import counts, queries  # noqa: PLC0415  (import time)

        dates = queries.year_starts(start, queries.as_of(self, end))
        return counts.phase_series(self, dates, rulebook, by)

    def cohorts(
        self, on: dt.date | None = None, *, rulebook: Rulebook | None = None
    ) -> Grouped[int, Counts]:
        """
        Products by year of their first phase start, counted by their phase on ``on``.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import counts, queries  # noqa: PLC0415  (import time)

        return counts.cohorts(self, queries.as_of(self, on), rulebook)

    @overload
    def funnel(
        self,
        on: dt.date | None = None,
        steps: Steps | None = None,
        by: None = None,
        *,
        rulebook: Rulebook | None = None,
    ) -> Funnel: ...

    @overload
    def funnel(
        self,
        on: dt.date | None,
        steps: Steps | None,
        by: GroupBy,
        *,
        rulebook: Rulebook | None = None,
    ) -> Grouped[str, Funnel]: ...

    @overload
    def funnel(
        self,
        on: dt.date | None = None,
        steps: Steps | None = None,
        *,
        by: GroupBy,
        rulebook: Rulebook | None = None,
    ) -> Grouped[str, Funnel]: ...

    def funnel(
        self,
        on: dt.date | None = None,
        steps: Steps | None = None,
        by: GroupBy | None = None,
        *,
        rulebook: Rulebook | None = None,
    ) -> Funnel | Grouped[str, Funnel]:
        """
        Conversion between lifecycle steps as of ``on``, with and without running products.

        ``steps`` defaults to investigation, construction, acceleration and
        perennisation (consolidation, opere, transfere); pass ``{name:
        phases}`` for others. ``by="cohort"`` splits it by cohort.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import funnel, queries  # noqa: PLC0415  (import time)

        return funnel.funnel(self, queries.as_of(self, on), steps, rulebook, by)

    @overload
    def durations(
        self, on: dt.date | None = None, by: None = None, *, rulebook: Rulebook | None = None
    ) -> Grouped[str, SurvivalCurve]: ...

    @overload
    def durations(
        self, on: dt.date | None, by: GroupBy, *, rulebook: Rulebook | None = None
    ) -> Grouped[str, Grouped[str, SurvivalCurve]]: ...

    @overload
    def durations(
        self, on: dt.date | None = None, *, by: GroupBy, rulebook: Rulebook | None = None
    ) -> Grouped[str, Grouped[str, SurvivalCurve]]: ...

    def durations(
        self,
        on: dt.date | None = None,
        by: GroupBy | None = None,
        *,
        rulebook: Rulebook | None = None,
    ) -> Grouped[str, SurvivalCurve] | Grouped[str, Grouped[str, SurvivalCurve]]:
        """
        Time spent in each non-terminal phase (Kaplan-Meier, running spans censored).

        ``{phase: curve}``, or ``{group: {phase: curve}}`` with ``by``.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries, survival  # noqa: PLC0415  (import time)

        return survival.durations(self, queries.as_of(self, on), rulebook, by)

    @overload
    def survival(
        self,
        on: dt.date | None = None,
        kind: SurvivalKind = "stopped",
        by: None = None,
        *,
        rulebook: Rulebook | None = None,
    ) -> SurvivalCurve: ...

    @overload
    def survival(
        self,
        on: dt.date | None,
        kind: SurvivalKind,
        by: GroupBy,
        *,
        rulebook: Rulebook | None = None,
    ) -> Grouped[str, SurvivalCurve]: ...

    @overload
    def survival(
        self,
        on: dt.date | None = None,
        kind: SurvivalKind = "stopped",
        *,
        by: GroupBy,
        rulebook: Rulebook | None = None,
    ) -> Grouped[str, SurvivalCurve]: ...

    def survival(
        self,
        on: dt.date | None = None,
        kind: SurvivalKind = "stopped",
        by: GroupBy | None = None,
        *,
        rulebook: Rulebook | None = None,
    ) -> SurvivalCurve | Grouped[str, SurvivalCurve]:
        """
        Time to an outcome (Kaplan-Meier): one curve, or one per group with ``by``.

        ``kind`` is ``"stopped"`` (a service stops), ``"inconclusive"`` (an
        investigation ends in a stop), ``"exit"`` (a service is operated or
        transferred), ``"end"`` (any terminal phase) or ``"stop"`` (any
        stop: the first two together).

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries, survival  # noqa: PLC0415  (import time)

        return survival.survival(self, queries.as_of(self, on), kind, by, rulebook)

    def committee_cadence(
        self, on: dt.date | None = None, *, rulebook: Rulebook | None = None
    ) -> Cadences:
        """
        Committee cadence of the products running past their entry phase on ``on``.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import outcomes, queries  # noqa: PLC0415  (import time)

        return outcomes.committee_cadence(self, queries.as_of(self, on), rulebook)

    def fast_laureates(
        self, on: dt.date | None = None, *, rulebook: Rulebook | None = None
    ) -> Laureates:
        """
        The FAST laureates: a ``fast`` event on or before ``on``, or a ``fast`` block.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import outcomes, queries  # noqa: PLC0415  (import time)

        return outcomes.fast_laureates(self, queries.as_of(self, on), rulebook)

    @overload
    def fast_outcomes(
        self, on: dt.date | None = None, by: None = None, *, rulebook: Rulebook | None = None
    ) -> Counts: ...

    @overload
    def fast_outcomes(
        self, on: dt.date | None, by: GroupBy, *, rulebook: Rulebook | None = None
    ) -> Grouped[str, Counts]: ...

    @overload
    def fast_outcomes(
        self, on: dt.date | None = None, *, by: GroupBy, rulebook: Rulebook | None = None
    ) -> Grouped[str, Counts]: ...

    def fast_outcomes(
        self,
        on: dt.date | None = None,
        by: GroupBy | None = None,
        *,
        rulebook: Rulebook | None = None,
    ) -> Counts | Grouped[str, Counts]:
        """
        Phase on ``on`` of the FAST laureates (see :meth:`fast_laureates`).

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import outcomes, queries  # noqa: PLC0415  (import time)

        return outcomes.fast_outcomes(self, queries.as_of(self, on), rulebook, by)

    def national_impact(
        self, on: dt.date | None = None, *, rulebook: Rulebook | None = None
    ) -> Designations:
        """
        National-impact designations dated on or before ``on``, with the phase then and now.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import outcomes, queries  # noqa: PLC0415  (import time)

        return outcomes.national_impact(self, queries.as_of(self, on), rulebook)

    @overload
    def team_counts(
        self,
        on: dt.date | None = None,
        by: Literal["status", "domaine"] | None = None,
        startup: str | None = None,
        *,
        split: Split = "status",
    ) -> Counts: ...

    @overload
    def team_counts(
        self,
        on: dt.date | None,
        by: GroupBy,
        startup: str | None = None,
        *,
        split: Split = "status",
    ) -> Grouped[str, Counts]: ...

    @overload
    def team_counts(
        self,
        on: dt.date | None = None,
        *,
        by: GroupBy,
        startup: str | None = None,
        split: Split = "status",
    ) -> Grouped[str, Counts]: ...

    def team_counts(
        self,
        on: dt.date | None = None,
        by: GroupBy | Literal["status", "domaine"] | None = None,
        startup: str | None = None,
        *,
        split: Split = "status",
    ) -> Counts | Grouped[str, Counts]:
        """
        Members on a mission on ``on`` (of ``startup``, if given), split by status or domaine.

        ``split="status"`` (public agents, freelancers, service companies)
        or ``"domaine"``; ``by`` groups them by product (a member counts
        once per group). ``by="status"`` / ``by="domaine"`` is the old
        spelling of ``split``.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries, teams  # noqa: PLC0415  (import time)

        grouping, split = _team_split(by, split)
        return teams.team_counts(self, queries.as_of(self, on), split, startup, grouping)

    @overload
    def monthly_team_counts(
        self,
        start: dt.date,
        end: dt.date | None = None,
        by: Literal["status", "domaine"] | None = None,
        startup: str | None = None,
        *,
        split: Split = "status",
    ) -> Series: ...

    @overload
    def monthly_team_counts(
        self,
        start: dt.date,
        end: dt.date | None,
        by: GroupBy,
        startup: str | None = None,
        *,
        split: Split = "status",
    ) -> Grouped[str, Series]: ...

    @overload
    def monthly_team_counts(
        self,
        start: dt.date,
        end: dt.date | None = None,
        *,
        by: GroupBy,
        startup: str | None = None,
        split: Split = "status",
    ) -> Grouped[str, Series]: ...

    def monthly_team_counts(
        self,
        start: dt.date,
        end: dt.date | None = None,
        by: GroupBy | Literal["status", "domaine"] | None = None,
        startup: str | None = None,
        *,
        split: Split = "status",
    ) -> Series | Grouped[str, Series]:
        """
        :meth:`team_counts` on the first day of each month from ``start`` to ``end``.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries, teams  # noqa: PLC0415  (import time)

        grouping, split = _team_split(by, split)
        dates = queries.month_starts(start, queries.as_of(self, end))
        return teams.team_series(self, dates, split, startup, grouping)

    @overload
    def estimated_spend(
        self,
        start: dt.date,
        end: dt.date | None = None,
        rates: DailyRates | None = None,
        *,
        by: None = None,
    ) -> SpendEstimate: ...

    @overload
    def estimated_spend(
        self,
        start: dt.date,
        end: dt.date | None = None,
        rates: DailyRates | None = None,
        *,
        by: GroupBy,
    ) -> Grouped[str, SpendEstimate]: ...

    def estimated_spend(
        self,
        start: dt.date,
        end: dt.date | None = None,
        rates: DailyRates | None = None,
        *,
        by: GroupBy | None = None,
    ) -> SpendEstimate | Grouped[str, SpendEstimate]:
        """
        Spend range of missions bought by the day over a period (see :class:`DailyRates`).

        ``end`` defaults to :attr:`data_date`; ``by`` gives one estimate per
        group of products.

        .. versionadded:: 0.1.0
        """
        from betastate._analytics import queries, teams  # noqa: PLC0415  (import time)

        return teams.estimated_spend(self, start, queries.as_of(self, end), rates, by)

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


def _team_split(
    by: GroupBy | Literal["status", "domaine"] | None, split: Split
) -> tuple[GroupBy | None, Split]:
    """``by="status"``/``"domaine"`` is the old spelling of ``split``: warn, and read it so."""
    if by in {"status", "domaine"}:
        import warnings  # noqa: PLC0415

        warnings.warn(
            f"team_counts(by={by!r}) is deprecated: write split={by!r} "
            "(by= now groups members by product: incubator, sponsor, cohort)",
            DeprecationWarning,
            stacklevel=3,
        )
        split = "status" if by == "status" else "domaine"
        return None, split
    return cast("GroupBy | None", by), split
