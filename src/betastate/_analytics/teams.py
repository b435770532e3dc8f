"""
Teams from the members' missions: headcount on a date, over time, and an estimated spend.

A member counts once a day (members with overlapping missions exist),
under the mission ``status`` (public agents, freelancers, service
companies) or their ``domaine``. Grouped by product (``by=``), a member
counts once in each group whose products one of their missions that day
names; missions naming no product go to ``"(none)"``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, overload

import attrs

from betastate._analytics.errors import one_of
from betastate._analytics.queries import NONE_GROUP, GroupBy, default_rulebook, grouper
from betastate._analytics.results import REPR_LIMIT, Counts, Grouped, Series, Table
from betastate._analytics.tables import cents
from betastate._values.errors import InvalidArgument


if TYPE_CHECKING:
    from betastate._analytics.portfolio import Portfolio
    from betastate._values.startup import Member, Mission, Startup

Split = Literal["status", "domaine"]
"""What a headcount is split by: the mission's ``status`` or the member's ``domaine``."""

STATUS_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "admin": ("public agents", "agents publics"),
        "independent": ("freelancers", "indépendants"),
        "service": ("service companies", "sociétés de service"),
        "unknown": ("unknown", "inconnu"),
    }
)
"""English and French labels of the missions' ``status`` values."""

MISSION_STATUSES = tuple(STATUS_LABELS)
"""The mission statuses: the data's three, and ``unknown`` for a mission without one."""


def _status(mission: Mission) -> str:
    return mission.status or "unknown"


def covers(mission: Mission, day: dt.date) -> bool:
    """Whether ``mission`` runs on ``day`` (an open end runs on)."""
    return mission.start <= day and (mission.end is None or day <= mission.end)


def _check_split(split: str) -> None:
    if split not in ("status", "domaine"):
        raise InvalidArgument(
            "split", split, "not a split of a headcount", one_of(split, ("status", "domaine"))
        )


def _mission_groups(
    portfolio: Portfolio, by: GroupBy | None
) -> Callable[[Mission], tuple[str, ...]]:
    if by is None:
        return lambda _: ("",)
    groups = grouper(by, portfolio, default_rulebook(None))

    def of(mission: Mission) -> tuple[str, ...]:
        found: dict[str, None] = {}
        for slug in mission.startups:
            startup = portfolio.get(slug)
            found.update(dict.fromkeys(groups(startup) if startup is not None else (NONE_GROUP,)))
        return tuple(found) or (NONE_GROUP,)

    return of


def _count_member(
    member: Member,
    missions: list[tuple[Mission, tuple[str, ...]]],
    days: list[dt.date],
    split: Split,
    out: dict[str, dict[dt.date, Counter[str]]],
) -> None:
    """Count ``member`` once a day in each group, under their first mission covering the day."""
    for day in days:
        seen: set[str] = set()
        for mission, groups in missions:
            if not covers(mission, day):
                continue
            key = _status(mission) if split == "status" else (member.domaine or "unknown")
            for group in groups:
                if group not in seen:
                    seen.add(group)
                    if group not in out:
                        out[group] = {d: Counter() for d in days}
                    out[group][day][key] += 1


@overload
def team_series(
    portfolio: Portfolio,
    dates: Iterable[dt.date],
    split: Split = "status",
    startup: str | None = None,
    by: None = None,
) -> Series: ...


@overload
def team_series(
    portfolio: Portfolio,
    dates: Iterable[dt.date],
    split: Split,
    startup: str | None,
    by: GroupBy,
) -> Grouped[str, Series]: ...


@overload
def team_series(
    portfolio: Portfolio,
    dates: Iterable[dt.date],
    split: Split = "status",
    startup: str | None = None,
    *,
    by: GroupBy,
) -> Grouped[str, Series]: ...


def team_series(
    portfolio: Portfolio,
    dates: Iterable[dt.date],
    split: Split = "status",
    startup: str | None = None,
    by: GroupBy | None = None,
) -> Series | Grouped[str, Series]:
    """
    Members on a mission on every date of ``dates``, split by ``split``; per group with ``by``.

    A member counts once per date (and group), under the first of their
    missions covering it.
    """
    _check_split(split)
    days = sorted(set(dates))
    groups_of = _mission_groups(portfolio, by)
    out: dict[str, dict[dt.date, Counter[str]]] = {}
    for member in portfolio.members:
        missions = [
            (m, groups_of(m)) for m in member.missions if startup is None or startup in m.startups
        ]
        if missions:
            _count_member(member, missions, days, split, out)

    def series(counts: Mapping[dt.date, Counter[str]]) -> Series:
        return Series({day: Counts(sorted(counts[day].items())) for day in days})

    if by is None:
        return series(out.get("", {d: Counter() for d in days}))
    return Grouped((group, series(counts)) for group, counts in sorted(out.items()))


@overload
def team_counts(
    portfolio: Portfolio,
    on: dt.date,
    split: Split = "status",
    startup: str | None = None,
    by: None = None,
) -> Counts: ...


@overload
def team_counts(
    portfolio: Portfolio, on: dt.date, split: Split, startup: str | None, by: GroupBy
) -> Grouped[str, Counts]: ...


@overload
def team_counts(
    portfolio: Portfolio,
    on: dt.date,
    split: Split = "status",
    startup: str | None = None,
    *,
    by: GroupBy,
) -> Grouped[str, Counts]: ...


def team_counts(
    portfolio: Portfolio,
    on: dt.date,
    split: Split = "status",
    startup: str | None = None,
    by: GroupBy | None = None,
) -> Counts | Grouped[str, Counts]:
    """Distinct members on a mission on ``on``, split by ``split``; per group with ``by``."""
    found = team_series(portfolio, (on,), split, startup, by)
    if isinstance(found, Series):
        return found[on]
    return Grouped((group, series[on]) for group, series in found.items())


# -- spend -----------------------------------------------------------------------


def _rate_pair(low: Decimal | int | str, high: Decimal | int | str) -> tuple[Decimal, Decimal]:
    from betastate._values.money import to_money  # noqa: PLC0415  (one definition of exact money)

    pair = (to_money(low), to_money(high))
    if not (pair[0].is_finite() and pair[1].is_finite()) or pair[0] < 0:
        raise InvalidArgument(
            "DailyRates",
            pair,
            "a daily rate is a number of euros, zero or more",
            "pass amounts such as 450",
        )
    if pair[0] > pair[1]:
        msg = f"a daily-rate range goes from low to high: got {pair[0]} > {pair[1]}"
        raise InvalidArgument("DailyRates", pair, msg, f"write ({pair[1]}, {pair[0]})")
    return pair


def _rate_table(
    value: Mapping[str, tuple[Decimal | int | str, Decimal | int | str]],
) -> Mapping[str, tuple[Decimal, Decimal]]:
    table = {}
    for key, pair in value.items():
        name: object = key  # callers without a type checker may pass anything
        if not isinstance(name, str) or not name:
            raise InvalidArgument(
                "DailyRates.by_domaine",
                key,
                "a domaine is a non-empty string",
                "use the data's domaine, e.g. 'Design'",
            )
        table[key] = _rate_pair(*pair)
    return MappingProxyType(table)


def _fallback(value: tuple[Decimal | int | str, Decimal | int | str]) -> tuple[Decimal, Decimal]:
    return _rate_pair(*value)


def _status_set(value: Iterable[str]) -> frozenset[str]:
    statuses = frozenset([value] if isinstance(value, str) else value)
    for status in sorted(statuses):
        if status not in MISSION_STATUSES:
            raise InvalidArgument(
                "DailyRates.statuses",
                status,
                "not a mission status (a typo would count no mission and estimate 0 EUR)",
                one_of(status, MISSION_STATUSES),
            )
    return statuses


def _days_per_week(value: int) -> int:
    given: object = value  # callers without a type checker may pass anything
    if isinstance(given, bool) or not isinstance(given, int) or not 1 <= given <= 7:  # noqa: PLR2004
        raise InvalidArgument(
            "DailyRates.days_per_week", value, "not a number of days in a week", "use 1 to 7"
        )
    return value


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
    counted, at ``days_per_week`` days a week. Every value is checked: a
    status that is not one of :data:`MISSION_STATUSES` is an error, not an
    estimate of 0 EUR.

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
    days_per_week: int = attrs.field(default=5, converter=_days_per_week)

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


Pair = tuple[Decimal, Decimal]
ZERO: Pair = (Decimal(0), Decimal(0))


def _frozen_pairs(value: Mapping[str, Pair]) -> Mapping[str, Pair]:
    return MappingProxyType(dict(value))


def _euros(pair: Pair) -> str:
    return f"{cents(pair[0])}..{cents(pair[1])}"


@attrs.frozen(repr=False)
class SpendEstimate:
    """
    An estimated spend range over a period, from missions and daily rates.

    Amounts are exact (``Decimal``); the repr and frames round them to the
    cent.

    Attributes:
        start: First day of the period.
        end: Last day of the period.
        days: Billable days counted.
        low: Spend at the low rates, in euros.
        high: Spend at the high rates, in euros.
        by_startup: ``slug -> (low, high)``; a mission on several products is split evenly.
        unassigned: ``(low, high)`` of missions naming no product.
        outside: ``(low, high)`` of the shares of products this portfolio
            does not hold (left out by :meth:`~betastate.Portfolio.where`);
            not in ``low`` and ``high``.

    .. versionadded:: 0.1.0
    """

    start: dt.date
    end: dt.date
    days: int
    low: Decimal
    high: Decimal
    by_startup: Mapping[str, Pair] = attrs.field(factory=dict, converter=_frozen_pairs, hash=False)
    unassigned: Pair = ZERO
    outside: Pair = ZERO

    def brief(self) -> str:
        """``low..high EUR``, rounded to the cent."""
        return f"{_euros((self.low, self.high))} EUR"

    def _summary(self) -> Table:
        columns = {
            "start": ("date", "First day of the period."),
            "end": ("date", "Last day of the period."),
            "days": ("int", "Billable days counted."),
            "low": ("money", "Spend at the low rates (EUR, excl. VAT)."),
            "high": ("money", "Spend at the high rates."),
            "unassigned_low": ("money", "Low spend of missions naming no product."),
            "unassigned_high": ("money", "High spend of missions naming no product."),
            "products": ("int", "Products with a share."),
        }
        row = {
            "start": self.start,
            "end": self.end,
            "days": self.days,
            "low": self.low,
            "high": self.high,
            "unassigned_low": self.unassigned[0],
            "unassigned_high": self.unassigned[1],
            "products": len(self.by_startup),
        }
        return columns, [row]

    def _table(self) -> Table:
        columns = {
            "startup": ("str", "The product (missing: missions naming no product)."),
            "low": ("money", "Its share at the low rates (EUR, excl. VAT)."),
            "high": ("money", "Its share at the high rates."),
        }
        rows: list[dict[str, Any]] = [
            {"startup": slug, "low": low, "high": high}
            for slug, (low, high) in self.by_startup.items()
        ]
        if self.unassigned != ZERO:
            rows.append({"startup": None, "low": self.unassigned[0], "high": self.unassigned[1]})
        return columns, rows

    def to_frame(self, backend: Literal["pandas", "polars"] = "pandas") -> Any:
        """One row per product with its share (and one for missions naming none)."""
        from betastate._analytics.tables import frame  # noqa: PLC0415

        return frame(*self._table(), backend)

    def __repr__(self) -> str:
        text = (
            f"SpendEstimate({self.start}..{self.end}, {self.days} days, "
            f"{self.brief()}, {len(self.by_startup)} products, "
            f"unassigned {_euros(self.unassigned)})"
        )
        return text[:REPR_LIMIT]


@overload
def estimated_spend(
    portfolio: Portfolio,
    start: dt.date,
    end: dt.date,
    rates: DailyRates | None = None,
    by: None = None,
) -> SpendEstimate: ...


@overload
def estimated_spend(
    portfolio: Portfolio, start: dt.date, end: dt.date, rates: DailyRates | None, by: GroupBy
) -> Grouped[str, SpendEstimate]: ...


@overload
def estimated_spend(
    portfolio: Portfolio,
    start: dt.date,
    end: dt.date,
    rates: DailyRates | None = None,
    *,
    by: GroupBy,
) -> Grouped[str, SpendEstimate]: ...


def estimated_spend(
    portfolio: Portfolio,
    start: dt.date,
    end: dt.date,
    rates: DailyRates | None = None,
    by: GroupBy | None = None,
) -> SpendEstimate | Grouped[str, SpendEstimate]:
    """
    Spend range of the missions bought by the day between ``start`` and ``end``.

    A mission on several products is split evenly between them; the shares
    of products the portfolio does not hold go to ``outside``. With ``by``,
    one estimate per group of products (missions naming no product in
    ``"(none)"``); a mission shared by two groups counts its days in each.

    Raises:
        InvalidArgument: ``end`` is before ``start``.
    """
    if end < start:
        raise InvalidArgument(
            "end", end, f"the period ends before it starts ({start})", "swap the dates"
        )
    rates = rates or DailyRates()
    known = grouper(by, portfolio, default_rulebook(None)) if by is not None else None

    def groups(startup: Startup | None) -> tuple[str, ...]:
        if known is None:
            return ("",)
        return known(startup) if startup is not None else (NONE_GROUP,)

    tallies: dict[str, _Tally] = {}
    for member in portfolio.members:
        rate = rates.rate(member.domaine)
        for mission in member.missions:
            days = working_days(
                max(start, mission.start), min(end, mission.end or end), rates.days_per_week
            )
            if days and _status(mission) in rates.statuses:
                cost = (rate[0] * days, rate[1] * days)
                _spend(portfolio, mission, days, cost, groups, tallies, outside=known is None)
    if known is None:
        return tallies.get("", _Tally()).estimate(start, end)
    return Grouped((group, t.estimate(start, end)) for group, t in sorted(tallies.items()))


def _spend(  # noqa: PLR0917  (the state of estimated_spend's loop)
    portfolio: Portfolio,
    mission: Mission,
    days: int,
    cost: Pair,
    groups: Callable[[Startup | None], tuple[str, ...]],
    tallies: dict[str, _Tally],
    *,
    outside: bool,
) -> None:
    """Add one mission's days and cost to the tallies of its groups, split by product."""
    if not mission.startups:
        for group in groups(None):
            tallies.setdefault(group, _Tally()).unassigned(days, cost)
        return
    share = Decimal(len(mission.startups))
    part = (cost[0] / share, cost[1] / share)
    counted: set[str] = set()
    for slug in mission.startups:
        startup = portfolio.get(slug)
        if startup is None:
            if outside:
                tallies.setdefault("", _Tally()).away(part)
            continue
        for group in groups(startup):
            tallies.setdefault(group, _Tally()).share(slug, part, 0 if group in counted else days)
            counted.add(group)


def _add(pair: Pair, more: Pair) -> Pair:
    return (pair[0] + more[0], pair[1] + more[1])


@attrs.define
class _Tally:
    """What :func:`estimated_spend` adds up for one group."""

    days: int = 0
    total: Pair = ZERO
    per: dict[str, Pair] = attrs.Factory(dict)
    none: Pair = ZERO
    outside: Pair = ZERO

    def unassigned(self, days: int, cost: Pair) -> None:
        self.days += days
        self.total = _add(self.total, cost)
        self.none = _add(self.none, cost)

    def share(self, slug: str, part: Pair, days: int) -> None:
        self.days += days
        self.total = _add(self.total, part)
        self.per[slug] = _add(self.per.get(slug, ZERO), part)

    def away(self, part: Pair) -> None:
        self.outside = _add(self.outside, part)

    def estimate(self, start: dt.date, end: dt.date) -> SpendEstimate:
        return SpendEstimate(
            start=start,
            end=end,
            days=self.days,
            low=self.total[0],
            high=self.total[1],
            by_startup=dict(sorted(self.per.items())),
            unassigned=self.none,
            outside=self.outside,
        )
