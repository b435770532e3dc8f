"""
:meth:`betastate.Portfolio.where`: the products matching every condition given.

A filtered portfolio keeps the incubators and organisations (they are the
context), the findings about its products or about no product, and the
members' missions that name one of its products (whole: a mission shared
with a product left out keeps its other products, whose shares of an
estimated spend then go to ``outside``). Every value is checked, so a
misspelt incubator is an error, not an empty portfolio.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import attrs

from betastate._analytics.errors import one_of
from betastate._analytics.queries import as_of, default_rulebook, phase_on, timelines
from betastate._values.errors import InvalidArgument


if TYPE_CHECKING:
    from betastate._analytics.portfolio import Portfolio
    from betastate._rules.rulebook import Rulebook
    from betastate._values.startup import Startup


def _names(argument: str, value: str | Iterable[str], known: Iterable[str]) -> frozenset[str]:
    whole: object = value  # callers without a type checker may pass anything
    items = [whole] if isinstance(whole, str) else whole
    if not isinstance(items, Iterable) or not all(isinstance(item, str) for item in items):
        raise InvalidArgument(argument, value, "expected a name or several", "pass a str or a list")
    names = frozenset(items)
    valid = set(known)
    for name in sorted(names, key=str):
        given: object = name  # callers without a type checker may pass anything
        if not isinstance(given, str) or given not in valid:
            raise InvalidArgument(
                argument, name, "no product of this portfolio has it", one_of(str(name), valid)
            )
    return names


def _years(value: int | Iterable[int]) -> frozenset[int]:
    given: object = value  # callers without a type checker may pass anything
    if not isinstance(given, int | Iterable) or isinstance(given, str):
        raise InvalidArgument("cohort", value, "a cohort is a year", "pass an int such as 2021")
    years = frozenset([value] if isinstance(value, int) else value)
    for year in years:
        if isinstance(year, bool) or not isinstance(year, int):
            raise InvalidArgument(
                "cohort", year, "a cohort is a year", "pass an int such as 2021, or several"
            )
    return years


def where(
    portfolio: Portfolio,
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
    The portfolio of the products matching every condition given.

    ``incubator``, ``sponsor`` and ``phase`` take one value or several (a
    product matches one of them); ``phase`` is the phase on ``on`` (default:
    the data's date); ``cohort`` is the year of the first phase (one or
    several); ``predicate`` is any function of a startup.

    Raises:
        InvalidArgument: A value no product has, a phase the rulebook lacks, a
            cohort that is not a year, a predicate that is not callable.
    """
    book = default_rulebook(rulebook)
    lines = timelines(portfolio, book)
    tests: list[Callable[[Startup], bool]] = []
    if incubator is not None:
        known = {i.id for i in portfolio.incubators} | {
            s.incubator for s in portfolio if s.incubator
        }
        incubators = _names("incubator", incubator, known)
        tests.append(lambda s: s.incubator in incubators)
    if sponsor is not None:
        known = {o.id for o in portfolio.organisations} | {x for s in portfolio for x in s.sponsors}
        sponsors = _names("sponsor", sponsor, known)
        tests.append(lambda s: not sponsors.isdisjoint(s.sponsors))
    if phase is not None:
        phases = _names("phase", phase, book.phase_values)
        day = as_of(portfolio, on)
        tests.append(lambda s: phase_on(lines[s.slug], day) in phases)
    if cohort is not None:
        years = _years(cohort)
        tests.append(lambda s: bool(lines[s.slug]) and lines[s.slug][0][0].year in years)
    if predicate is not None:
        test: object = predicate
        if not callable(test):
            raise InvalidArgument(
                "predicate",
                predicate,
                "not a function",
                "pass a function of a startup returning a bool",
            )
        tests.append(predicate)
    if not tests:
        return portfolio
    kept = [s for s in portfolio if all(t(s) for t in tests)]
    slugs = {s.slug for s in kept}
    members = []
    for member in portfolio.members:
        missions = tuple(m for m in member.missions if not slugs.isdisjoint(m.startups))
        if missions:
            members.append(attrs.evolve(member, missions=missions))
    findings = [f for f in portfolio.findings if f.slug is None or f.slug in slugs]
    return attrs.evolve(portfolio, startups=kept, members=members, findings=findings)
