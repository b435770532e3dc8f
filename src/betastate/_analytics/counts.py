"""
How many products are in each phase: on a date, over many dates, by cohort, per group.

The phase on a date is the tie rule's (see :mod:`.queries`); every rulebook
phase is a key, zeros kept; products not started on the date are left out.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, overload

from betastate._analytics.queries import (
    GroupBy,
    Line,
    default_rulebook,
    grouper,
    phase_on,
    timelines,
)
from betastate._analytics.results import Counts, Grouped, Series


if TYPE_CHECKING:
    from betastate._analytics.portfolio import Portfolio
    from betastate._rules.rulebook import Rulebook


def empty_counts(rulebook: Rulebook, extra: Iterable[str] = ()) -> Counts:
    """Every phase of ``rulebook`` (then ``extra``) at zero."""
    counts = Counts.fromkeys(rulebook.phase_values, 0)
    for phase in extra:
        counts.setdefault(phase, 0)
    return Counts(counts)


def phase_counts(portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None) -> Counts:
    """Products in each phase on ``on`` (every rulebook phase, zeros kept; not-started left out)."""
    book = default_rulebook(rulebook)
    counts = empty_counts(book)
    for line in timelines(portfolio, book).values():
        phase = phase_on(line, on)
        if phase is not None:
            counts[phase] = counts.get(phase, 0) + 1
    return counts


def grouped_phase_counts(
    portfolio: Portfolio, on: dt.date, by: GroupBy, rulebook: Rulebook | None = None
) -> Grouped[str, Counts]:
    """:func:`phase_counts` per group; a product with several sponsors counts in each."""
    book = default_rulebook(rulebook)
    groups = grouper(by, portfolio, book)
    lines = timelines(portfolio, book)
    out: dict[str, Counts] = {}
    for startup in portfolio:
        phase = phase_on(lines[startup.slug], on)
        if phase is None:
            continue
        for group in groups(startup):
            counts = out.setdefault(group, empty_counts(book))
            counts[phase] = counts.get(phase, 0) + 1
    return Grouped(sorted(out.items()))


def _sweep(lines: Iterable[Line], days: list[dt.date], book: Rulebook) -> Series:
    """
    Counts on every day of ``days`` (sorted), one pass over the timelines.

    Each phase segment adds one to a run of dates found by bisection, so the
    cost grows with products plus dates, not with their product.
    """
    deltas: dict[str, list[int]] = {phase: [0] * (len(days) + 1) for phase in book.phase_values}
    for line in lines:
        for index, (start, phase) in enumerate(line):
            first = bisect.bisect_left(days, start)
            stop = (
                bisect.bisect_left(days, line[index + 1][0]) if index + 1 < len(line) else len(days)
            )
            if first < stop:
                delta = deltas.setdefault(phase, [0] * (len(days) + 1))
                delta[first] += 1
                delta[stop] -= 1
    out: dict[dt.date, Counts] = {day: Counts() for day in days}
    for phase, delta in deltas.items():
        running = 0
        for index, day in enumerate(days):
            running += delta[index]
            out[day][phase] = running
    return Series(out)


@overload
def phase_series(
    portfolio: Portfolio,
    dates: Iterable[dt.date],
    rulebook: Rulebook | None = None,
    by: None = None,
) -> Series: ...


@overload
def phase_series(
    portfolio: Portfolio, dates: Iterable[dt.date], rulebook: Rulebook | None, by: GroupBy
) -> Grouped[str, Series]: ...


@overload
def phase_series(
    portfolio: Portfolio,
    dates: Iterable[dt.date],
    rulebook: Rulebook | None = None,
    *,
    by: GroupBy,
) -> Grouped[str, Series]: ...


def phase_series(
    portfolio: Portfolio,
    dates: Iterable[dt.date],
    rulebook: Rulebook | None = None,
    by: GroupBy | None = None,
) -> Series | Grouped[str, Series]:
    """:func:`phase_counts` on every date of ``dates`` (sorted), in one sweep; by group (``by``)."""
    book = default_rulebook(rulebook)
    days = sorted(set(dates))
    lines = timelines(portfolio, book)
    if by is None:
        return _sweep(lines.values(), days, book)
    groups = grouper(by, portfolio, book)
    members: dict[str, list[Line]] = {}
    for startup in portfolio:
        line = lines[startup.slug]
        if line and line[0][0] <= (days[-1] if days else line[0][0]):
            for group in groups(startup):
                members.setdefault(group, []).append(line)
    return Grouped((group, _sweep(mine, days, book)) for group, mine in sorted(members.items()))


def cohorts(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None
) -> Grouped[int, Counts]:
    """Products by year of their first phase start, with their phase on ``on``."""
    book = default_rulebook(rulebook)
    out: dict[int, Counts] = {}
    for line in timelines(portfolio, book).values():
        phase = phase_on(line, on)
        if phase is None:
            continue
        counts = out.setdefault(line[0][0].year, empty_counts(book))
        counts[phase] = counts.get(phase, 0) + 1
    return Grouped(sorted(out.items()), key="cohort")
