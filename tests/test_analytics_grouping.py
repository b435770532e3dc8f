"""One way to group and filter (`by=`, `Portfolio.where`) and one date (`Portfolio.data_date`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

import betastate as bs


D = dt.date
ON = D(2024, 1, 1)
PHASES = [p.value for p in bs.Phase]


def product(slug, *phases, incubator="atelier", sponsors=(), events=()):
    return bs.Startup(
        slug=slug,
        title=slug,
        incubator=incubator,
        sponsors=sponsors,
        history=(*(bs.PhaseEntered(on=on, phase=p) for on, p in phases), *events),
    )


histories = st.lists(
    st.tuples(st.dates(min_value=D(2019, 1, 1), max_value=D(2024, 6, 1)), st.sampled_from(PHASES)),
    min_size=1,
    max_size=5,
)
portfolios = st.lists(
    st.tuples(histories, st.sampled_from(["one", "two", "three"]), st.sets(st.sampled_from("abc"))),
    max_size=8,
).map(
    lambda rows: bs.Portfolio(
        [
            product(
                f"p{i}",
                *history,
                incubator=incubator,
                sponsors=tuple(sorted(f"/o/{x}" for x in sponsors)),
            )
            for i, (history, incubator, sponsors) in enumerate(rows)
        ]
    )
)


class TestBy:
    """`by=` groups every query the same way: each group is the query on that group alone."""

    @given(portfolios, st.sampled_from(["incubator", "cohort"]))
    def test_counts_per_group_are_the_group_alone(self, portfolio, by):
        """Grouped counts of a disjoint grouping equal the counts of the filtered portfolio."""
        grouped = portfolio.phase_counts(ON, by=by)
        for group, counts in grouped.items():
            alone = (
                portfolio.where(incubator=group)
                if by == "incubator"
                else portfolio.where(cohort=int(group))
            )
            assert alone.phase_counts(ON) == counts

    @given(portfolios)
    def test_sponsor_groups_overlap(self, portfolio):
        """A product counts once under each of its sponsors, and under "(none)" without any."""
        grouped = portfolio.phase_counts(ON, by="sponsor")
        started = [s for s in portfolio if min(e.on for e in s.history) <= ON]
        expected = Counter(x for s in started for x in (s.sponsors or ("(none)",)))
        assert dict(expected) == {g: c.total for g, c in grouped.items()}

    @given(
        portfolios, st.lists(st.dates(min_value=D(2019, 1, 1), max_value=D(2025, 1, 1)), max_size=5)
    )
    def test_series_per_group(self, portfolio, dates):
        """Grouped series equal the series of each incubator's portfolio."""
        grouped = portfolio.phase_series(dates, by="incubator")
        for group, series in grouped.items():
            assert portfolio.where(incubator=group).phase_series(dates) == series

    @given(portfolios)
    def test_funnel_per_incubator(self, portfolio):
        """Grouped funnels equal each incubator's funnel."""
        for group, funnel in portfolio.funnel(ON, by="incubator").items():
            assert tuple(portfolio.where(incubator=group).funnel(ON)) == tuple(funnel)

    def test_a_function_of_a_startup(self):
        """Any function groups: a string, several strings, a number, or None."""
        portfolio = bs.Portfolio(
            [
                product("ab", (D(2020, 1, 1), "construction")),
                product("b", (D(2020, 1, 1), "construction")),
                product("c", (D(2020, 1, 1), "investigation")),
            ]
        )
        letters = portfolio.phase_counts(ON, by=lambda s: list(s.slug))
        assert {"a": 1, "b": 2, "c": 1} == {g: c.total for g, c in letters.items()}
        parity = portfolio.phase_counts(ON, by=lambda s: len(s.slug) % 2 or None)
        assert {"1": 2, "(none)": 1} == {g: c.total for g, c in parity.items()}
        twice = portfolio.phase_counts(ON, by=lambda s: ["x", "x"])
        assert {"x": 3} == {g: c.total for g, c in twice.items()}

    def test_cohort_keys(self):
        """Cohort groups are the year of the first phase, as text."""
        portfolio = bs.Portfolio(
            [
                product("a", (D(2019, 5, 1), "investigation"), (D(2020, 1, 1), "construction")),
                product("b", (D(2021, 1, 1), "investigation")),
            ]
        )
        assert ["2019", "2021"] == list(portfolio.phase_counts(ON, by="cohort"))


class TestWhere:
    """`Portfolio.where` keeps the products matching every condition, and refuses typos."""

    def portfolio(self):
        return bs.Portfolio(
            [
                product("a", (D(2020, 1, 1), "construction"), incubator="one", sponsors=("/o/x",)),
                product("b", (D(2021, 1, 1), "investigation"), incubator="two", sponsors=("/o/y",)),
                product(
                    "c",
                    (D(2021, 1, 1), "investigation"),
                    (D(2022, 1, 1), "abandon-investigation"),
                    incubator="two",
                ),
            ],
            members=[
                bs.Member(
                    id="m1",
                    missions=(
                        bs.Mission(start=D(2021, 1, 1), startups=("a",)),
                        bs.Mission(start=D(2021, 1, 1), startups=("b",)),
                    ),
                ),
                bs.Member(id="m2", missions=(bs.Mission(start=D(2021, 1, 1)),)),
            ],
            findings=[
                bs.Finding("x", bs.Severity.INFO, "a", "about a"),
                bs.Finding("y", bs.Severity.INFO, None, "about the data"),
                bs.Finding("z", bs.Severity.INFO, "b", "about b"),
            ],
        )

    def test_each_condition(self):
        """Incubator, sponsor, phase on a date, cohort and a predicate each select."""
        p = self.portfolio()
        assert ("b", "c") == p.where(incubator="two").slugs
        assert ("a", "b") == p.where(sponsor=["/o/x", "/o/y"]).slugs
        assert ("b",) == p.where(phase="investigation", on=ON).slugs
        assert ("b", "c") == p.where(phase="investigation", on=D(2021, 6, 1)).slugs
        assert ("a",) == p.where(cohort=2020).slugs
        assert ("b", "c") == p.where(cohort=range(2021, 2023)).slugs
        assert ("c",) == p.where(predicate=lambda s: len(s.history) > 1).slugs
        assert ("b",) == p.where(incubator="two", phase="investigation", on=ON).slugs

    def test_phase_defaults_to_the_data_date(self):
        """Without `on`, the phase is the one on the portfolio's data date."""
        p = self.portfolio()
        assert D(2022, 1, 1) == p.data_date
        assert ("b",) == p.where(phase="investigation").slugs

    def test_context_kept_members_and_findings_trimmed(self):
        """Members keep the missions naming a kept product; findings about others go."""
        kept = self.portfolio().where(incubator="one")
        assert [("m1", 1)] == [(m.id, len(m.missions)) for m in kept.members]
        assert ["x", "y"] == [f.code for f in kept.findings]

    def test_nothing_asked_is_the_same_portfolio(self):
        """No condition: the portfolio itself."""
        p = self.portfolio()
        assert p.where() is p

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"incubator": "tow"}, "did you mean 'two'"),
            ({"sponsor": "/o/z"}, "no product of this portfolio has it"),
            ({"phase": "constrution"}, "did you mean 'construction'"),
            ({"cohort": "2020"}, "a cohort is a year"),
            ({"predicate": "a"}, "not a function"),
        ],
    )
    def test_typos_are_errors(self, kwargs, message):
        """A value no product has is a InvalidArgument, never an empty portfolio."""
        with pytest.raises(bs.exceptions.InvalidArgument, match=message):
            self.portfolio().where(**kwargs)


def dated(*days: dt.date) -> bs.Portfolio:
    """A portfolio with one note on each day given (one product per day)."""
    return bs.Portfolio(
        [
            bs.Startup(slug=f"p{i}", title="p", history=(bs.Note(on=day),))
            for i, day in enumerate(days)
        ]
    )


class TestDataDate:
    """The data's own date: its latest fact, planned facts left out."""

    def test_recorded_as_it_happens(self):
        """Without planned facts, the data's date is the latest fact."""
        days = [D(2024, 1, 1) + dt.timedelta(days=3 * i) for i in range(100)]
        assert max(days) == dated(*days).data_date

    def test_planned_facts_are_left_out(self):
        """A few facts far after a busy record are plans: the date is the last busy day."""
        busy = [D(2024, 1, 1) + dt.timedelta(days=i) for i in range(300)]
        planned = [D(2025, 3, 1), D(2025, 9, 1), D(2025, 9, 2), D(2026, 1, 1)]
        assert max(busy) == dated(*busy, *planned).data_date

    def test_a_small_portfolio_keeps_its_latest_fact(self):
        """Sparse facts are all kept: the pace test only cuts a lone tail after a busy record."""
        assert D(2025, 6, 1) == dated(D(2020, 1, 1), D(2023, 1, 1), D(2025, 6, 1)).data_date

    def test_nothing_dated(self):
        """No events: the members' mission starts; nothing at all: None."""
        assert bs.Portfolio([]).data_date is None
        members = bs.Portfolio(
            [], members=[bs.Member(id="m", missions=(bs.Mission(start=D(2024, 5, 6)),))]
        )
        assert D(2024, 5, 6) == members.data_date

    @given(
        st.lists(
            st.dates(min_value=D(2015, 1, 1), max_value=D(2030, 1, 1)), min_size=1, max_size=60
        )
    )
    def test_always_a_fact_date(self, days):
        """The data's date is one of the facts' dates, never after the latest."""
        found = dated(*days).data_date
        assert found in days
        assert found <= max(days)

    def test_queries_default_to_it(self):
        """Queries without a date use the data's date, not today."""
        p = bs.sample_portfolio()
        assert p.phase_counts(p.data_date) == p.phase_counts()
        assert tuple(p.funnel(p.data_date)) == tuple(p.funnel())
        assert p.fast_outcomes(p.data_date) == p.fast_outcomes()
