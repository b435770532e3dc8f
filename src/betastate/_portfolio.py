"""
A portfolio of startups with their context.

It also holds the incubators and organisations the startups name, the
members' missions, and what import found.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

import attrs

from ._model import Incubator, Member, Organisation, Severity, Startup


def _tuple_of_dates(value: Iterable[dt.date]) -> tuple[dt.date, ...]:
    return tuple(value)


@attrs.frozen
class Finding:
    """
    A deviation import found in the data: nothing is dropped or "fixed".

    Attributes:
        code: Stable code (``same-day-phases``, ``N8``...).
        severity: ``error`` (strict mode refuses it) or ``warning``/``info``.
        slug: The startup concerned, if any.
        message: What was found, with values.
        file: The file it was found in.
        line: 1-based line in that file, when known.
        dates: Dates involved.

    .. versionadded:: 0.1.0
    """

    code: str
    severity: Severity
    slug: str | None
    message: str
    file: str | None = None
    line: int | None = None
    dates: tuple[dt.date, ...] = attrs.field(default=(), converter=_tuple_of_dates)


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

    def _repr_html_(self) -> str:
        from ._html import portfolio_html  # noqa: PLC0415  (notebook-only path)

        return portfolio_html(self)
