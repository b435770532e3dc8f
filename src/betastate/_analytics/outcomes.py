"""
Committees held on time, FAST laureates and national-impact designations.

FAST participation shows in two places in the data: a ``fast`` event
(dated) and a ``fast: {promotion, montant}`` front-matter block (undated,
kept in :attr:`betastate.Startup.extra`). Either makes a laureate; the
snapshot has 46 blocks, 38 events on 37 products, 11 blocks without an
event and 2 events without a block.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar, Literal, overload

import attrs

from betastate._analytics.counts import empty_counts
from betastate._analytics.queries import (
    NONE_GROUP,
    GroupBy,
    add_months,
    default_rulebook,
    grouper,
    phase_on,
    timelines,
)
from betastate._analytics.results import Counts, Grouped, Rows
from betastate._analytics.tables import Backend, cents
from betastate._values.events import CommitteeHeld, FastLaureate, NationalImpactDesignated


if TYPE_CHECKING:
    from betastate._analytics.portfolio import Portfolio
    from betastate._rules.rulebook import Rulebook
    from betastate._values.startup import Startup


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

    def to_frame(self, backend: Backend = "pandas") -> Any:
        """This cadence as a one-row DataFrame (the columns of :class:`Cadences`)."""
        return Cadences([self]).to_frame(backend)

    def brief(self) -> str:
        """``slug ok`` or ``slug late``."""
        return f"{self.slug} {'ok' if self.compliant else 'late'}"

    def _row(self) -> dict[str, Any]:
        return {**attrs.asdict(self), "compliant": self.compliant}


class Cadences(Rows[Cadence]):
    """
    :class:`Cadence` of each product checked, with ``to_frame()``.

    .. versionadded:: 0.1.0
    """

    noun: ClassVar[str] = "products"
    columns: ClassVar[Mapping[str, tuple[str, str]]] = {
        "slug": ("str", "The product."),
        "phase": ("str", "Its phase on the date."),
        "since": ("date", "Start of the period checked."),
        "committees": ("int", "Committees held in the period."),
        "longest_gap_days": ("int", "Longest time without a committee."),
        "late_gaps": ("int", "Gaps longer than the rulebook's interval."),
        "compliant": ("bool", "No late gap."),
    }

    @property
    def compliant(self) -> int:
        """How many products held every committee on time."""
        return sum(1 for c in self if c.compliant)


def committee_cadence(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None
) -> Cadences:
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
    lines = timelines(portfolio, book)
    out: list[Cadence] = []
    for startup in portfolio:
        line = lines[startup.slug]
        phase = phase_on(line, on)
        if phase is None or phase == entry or book.is_terminal(phase):
            continue
        since = next(day for day, ph in line if ph != entry and day <= on)
        held = sorted(
            e.on for e in startup.in_force if isinstance(e, CommitteeHeld) and since < e.on <= on
        )
        gaps = list(itertools.pairwise([since, *held, on]))
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
    return Cadences(out)


# -- FAST ------------------------------------------------------------------------------

FastSource = Literal["event", "block", "both"]


@attrs.frozen
class Laureate:
    """
    A FAST laureate: a product with a ``fast`` event, a ``fast`` block, or both.

    Attributes:
        slug: The product.
        on: Date of its first ``fast`` event (``None``: the block is undated).
        edition: FAST edition (the event's, else the block's ``promotion``).
        amount: Euros awarded (the event's, else the block's ``montant``).
        source: ``event``, ``block`` or ``both``.
        phase: Its phase on the as-of date.
        incubator: Its incubator.

    .. versionadded:: 0.1.0
    """

    slug: str
    on: dt.date | None
    edition: int | None
    amount: Decimal | None
    source: FastSource
    phase: str | None
    incubator: str | None = None

    def to_frame(self, backend: Backend = "pandas") -> Any:
        """This laureate as a one-row DataFrame (the columns of :class:`Laureates`)."""
        return Laureates([self]).to_frame(backend)

    def brief(self) -> str:
        """``slug (edition 14)``."""
        return self.slug + (f" (edition {self.edition})" if self.edition is not None else "")

    def _row(self) -> dict[str, Any]:
        return attrs.asdict(self)

    def __repr__(self) -> str:
        amount = None if self.amount is None else str(cents(self.amount))
        return (
            f"Laureate({self.slug!r}, on={self.on}, edition={self.edition}, amount={amount}, "
            f"source={self.source!r}, phase={self.phase!r})"
        )


class Laureates(Rows[Laureate]):
    """
    The FAST laureates, with ``to_frame()``.

    .. versionadded:: 0.1.0
    """

    noun: ClassVar[str] = "laureates"
    columns: ClassVar[Mapping[str, tuple[str, str]]] = {
        "slug": ("str", "The product."),
        "on": ("date", "Date of its first fast event (missing: block only, undated)."),
        "edition": ("int", "FAST edition."),
        "amount": ("money", "Euros awarded."),
        "source": ("str", "event, block or both."),
        "phase": ("str", "Phase on the as-of date."),
        "incubator": ("str", "Incubator."),
    }


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _amount(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def fast_facts(
    startup: Startup, on: dt.date
) -> tuple[dt.date | None, int | None, Decimal | None, FastSource] | None:
    """``(date, edition, amount, source)`` of ``startup``'s FAST award by ``on``, or ``None``."""
    events = sorted(
        (e for e in startup.in_force if isinstance(e, FastLaureate) and e.on <= on),
        key=lambda e: e.on,
    )
    block = startup.extra.get("fast")
    if not events and block is None:
        return None
    fields: Mapping[str, Any] = block if isinstance(block, Mapping) else {}
    edition = next((e.edition for e in events if e.edition is not None), None)
    amount = next((e.amount for e in events if e.amount is not None), None)
    if edition is None:
        edition = _integer(fields.get("promotion"))
    if amount is None:
        amount = _amount(fields.get("montant"))
    source: FastSource = (
        "both" if events and block is not None else ("event" if events else "block")
    )
    return (events[0].on if events else None), edition, amount, source


def fast_laureates(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None
) -> Laureates:
    """
    The FAST laureates known on ``on``: a ``fast`` event on or before it, or a ``fast`` block.

    A block is undated: it counts once the product has started (its first
    phase on or before ``on``). A product with both counts once.
    """
    book = default_rulebook(rulebook)
    lines = timelines(portfolio, book)
    out: list[Laureate] = []
    for startup in portfolio:
        facts = fast_facts(startup, on)
        phase = phase_on(lines[startup.slug], on)
        if facts is None or (facts[3] == "block" and phase is None):
            continue
        day, edition, amount, source = facts
        out.append(Laureate(startup.slug, day, edition, amount, source, phase, startup.incubator))
    return Laureates(out)


@overload
def fast_outcomes(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None, by: None = None
) -> Counts: ...


@overload
def fast_outcomes(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None, by: GroupBy
) -> Grouped[str, Counts]: ...


@overload
def fast_outcomes(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None, *, by: GroupBy
) -> Grouped[str, Counts]: ...


def fast_outcomes(
    portfolio: Portfolio,
    on: dt.date,
    rulebook: Rulebook | None = None,
    by: GroupBy | None = None,
) -> Counts | Grouped[str, Counts]:
    """Phase on ``on`` of the FAST laureates (see :func:`fast_laureates`); per group with ``by``."""
    book = default_rulebook(rulebook)
    laureates = fast_laureates(portfolio, on, book)
    if by is None:
        counts = empty_counts(book)
        for laureate in laureates:
            key = laureate.phase or NONE_GROUP
            counts[key] = counts.get(key, 0) + 1
        return counts
    groups = grouper(by, portfolio, book)
    out: dict[str, Counts] = {}
    for laureate in laureates:
        for group in groups(portfolio[laureate.slug]):
            counts = out.setdefault(group, empty_counts(book))
            key = laureate.phase or NONE_GROUP
            counts[key] = counts.get(key, 0) + 1
    return Grouped(sorted(out.items()))


# -- national impact -------------------------------------------------------------------


@attrs.frozen
class Designation:
    """
    A national-impact designation (brief §10.2): a ``national_impact`` event.

    Attributes:
        slug: The product.
        on: Date of the designation (its year is the year of designation).
        phase_then: The product's phase that day.
        phase_now: Its phase on the as-of date.
        incubator: Its incubator.
        criteria: Criteria recorded with it, if any.

    .. versionadded:: 0.1.0
    """

    slug: str
    on: dt.date
    phase_then: str | None
    phase_now: str | None
    incubator: str | None = None
    criteria: tuple[str, ...] = ()

    @property
    def year(self) -> int:
        """The year of designation."""
        return self.on.year

    def to_frame(self, backend: Backend = "pandas") -> Any:
        """This designation as a one-row DataFrame (the columns of :class:`Designations`)."""
        return Designations([self]).to_frame(backend)

    def brief(self) -> str:
        """``slug year``."""
        return f"{self.slug} {self.year}"

    def _row(self) -> dict[str, Any]:
        return {**attrs.asdict(self), "year": self.year, "criteria": ",".join(self.criteria)}


class Designations(Rows[Designation]):
    """
    National-impact designations in date order, with ``to_frame()`` and ``by_year()``.

    .. versionadded:: 0.1.0
    """

    noun: ClassVar[str] = "designations"
    columns: ClassVar[Mapping[str, tuple[str, str]]] = {
        "slug": ("str", "The product."),
        "on": ("date", "Date of the designation."),
        "phase_then": ("str", "Phase that day."),
        "phase_now": ("str", "Phase on the as-of date."),
        "incubator": ("str", "Incubator."),
        "criteria": ("str", "Criteria recorded, comma-separated."),
        "year": ("int", "Year of designation."),
    }

    def by_year(self) -> Grouped[int, Counts]:
        """Designations per year, split by the phase the product was in."""
        out: dict[int, Counts] = {}
        for item in self:
            counts = out.setdefault(item.year, Counts())
            key = item.phase_then or NONE_GROUP
            counts[key] = counts.get(key, 0) + 1
        return Grouped(sorted(out.items()), key="year")


def national_impact(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None
) -> Designations:
    """Every national-impact designation dated on or before ``on``, in date order."""
    book = default_rulebook(rulebook)
    lines = timelines(portfolio, book)
    out = [
        Designation(
            slug=startup.slug,
            on=event.on,
            phase_then=phase_on(lines[startup.slug], event.on),
            phase_now=phase_on(lines[startup.slug], on),
            incubator=startup.incubator,
            criteria=event.criteria,
        )
        for startup in portfolio
        for event in startup.in_force
        if isinstance(event, NationalImpactDesignated) and event.on <= on
    ]
    return Designations(sorted(out, key=lambda d: (d.on, d.slug)))
