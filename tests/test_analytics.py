"""Portfolio queries: as-of counts, series, cohorts, funnel, cadence, FAST, impact, teams, spend."""

from __future__ import annotations

import datetime as dt
import importlib
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import betastate as bs
from betastate._analytics import queries as _analytics
from betastate._analytics import teams as _teams


D = dt.date
ON = D(2024, 1, 1)


def entered(on: dt.date, phase: str) -> bs.PhaseEntered:
    return bs.PhaseEntered(on=on, phase=phase)


def product(
    slug: str,
    *phases: tuple[dt.date, str],
    incubator: str = "atelier",
    history_extra: tuple = (),
    **kw,
) -> bs.Startup:
    return bs.Startup(
        slug=slug,
        title=slug.upper(),
        incubator=incubator,
        history=(*(entered(on, phase) for on, phase in phases), *history_extra),
        **kw,
    )


def attrs_evolve(startup: bs.Startup, **changes) -> bs.Startup:
    return attrs.evolve(startup, **changes)


def ten_products() -> bs.Portfolio:
    """The hand-made portfolio whose funnel is counted by hand in TestFunnel."""
    return bs.Portfolio(
        [
            product(
                "a",
                (D(2020, 1, 1), "investigation"),
                (D(2020, 3, 1), "construction"),
                (D(2021, 1, 1), "acceleration"),
                (D(2022, 1, 1), "consolidation"),
                (D(2023, 1, 1), "transfere"),
            ),
            product(
                "b",
                (D(2020, 2, 1), "investigation"),
                (D(2020, 4, 1), "construction"),
                (D(2021, 6, 1), "acceleration"),
            ),
            product(
                "c", (D(2020, 5, 1), "investigation"), (D(2020, 7, 1), "abandon-investigation")
            ),
            product("d", (D(2023, 11, 1), "investigation")),
            product(
                "e",
                (D(2021, 1, 1), "investigation"),
                (D(2021, 3, 1), "construction"),
                (D(2022, 3, 1), "abandon"),
            ),
            product(
                "f",
                (D(2019, 1, 1), "construction"),
                (D(2020, 1, 1), "acceleration"),
                (D(2022, 6, 1), "opere"),
            ),
            product("g", (D(2022, 1, 1), "investigation"), (D(2022, 3, 1), "construction")),
            # Construction first, then back to investigation (seen in the data).
            product("h", (D(2020, 5, 1), "construction"), (D(2021, 1, 1), "investigation")),
            product(
                "i",
                (D(2020, 1, 1), "investigation"),
                (D(2020, 3, 1), "construction"),
                (D(2021, 9, 1), "transfere"),
            ),
            product(
                "j",
                (D(2019, 6, 1), "investigation"),
                (D(2019, 8, 1), "construction"),
                (D(2020, 8, 1), "acceleration"),
                (D(2021, 8, 1), "abandon"),
            ),
        ]
    )


class TestFunnel:
    """The funnel of the hand-made 10-product portfolio, counted by hand."""

    def test_counts_by_hand(self):
        """Each step's entered/advanced/stopped/running/other match a hand count."""
        steps = {step.name: step for step in ten_products().funnel(ON)}
        # (entered, advanced, stopped, exited, running, other), from the product list above.
        expected = {
            # a b c d e g h i j entered; c stopped; d, h still investigating.
            "investigation": (9, 6, 1, 0, 2, 0),
            # a b e f g h i j entered; e stopped; g running; h went back.
            "construction": (8, 5, 1, 0, 1, 1),
            # a b f j entered; a, f advanced; j stopped; b running.
            "acceleration": (4, 2, 1, 0, 1, 0),
            # a f i entered perennisation phases and exited there (transfere, opere).
            "perennisation": (3, 0, 0, 3, 0, 0),
        }
        actual = {
            name: (s.entered, s.advanced, s.stopped, s.exited, s.running, s.other)
            for name, s in steps.items()
        }
        assert expected == actual
        assert ("a", "b", "e", "f", "g", "h", "i", "j") == steps["construction"].slugs

    def test_rates_with_and_without_running(self):
        """`rate` counts running products as not converted; `decided_rate` leaves them out."""
        steps = {step.name: step for step in ten_products().funnel(ON)}
        assert Fraction(6, 9) == Fraction(steps["investigation"].rate).limit_denominator(100)
        assert Fraction(6, 7) == Fraction(steps["investigation"].decided_rate).limit_denominator(
            100
        )
        assert Fraction(5, 8) == Fraction(steps["construction"].rate).limit_denominator(100)
        assert Fraction(5, 7) == Fraction(steps["construction"].decided_rate).limit_denominator(100)
        assert Fraction(2, 3) == Fraction(steps["acceleration"].decided_rate).limit_denominator(100)

    def test_last_step_rate_counts_exits(self):
        """The last step has no step to advance to: its exits are its conversions, not 0 %."""
        last = ten_products().funnel(ON)[-1]
        assert (3, 0, 3) == (last.converted, last.advanced, last.exited)
        assert 1.0 == last.rate == last.decided_rate

    def test_same_day_loser_is_not_an_outcome(self):
        """Abandon and transfere listed on one day count once: as the rulebook's tie rule says."""
        startup = product(
            "x",
            (D(2020, 1, 1), "consolidation"),
            (D(2022, 1, 1), "abandon"),
            (D(2022, 1, 1), "transfere"),
        )
        portfolio = bs.Portfolio([startup])
        site = portfolio.funnel(ON)[-1]  # the site's rule: the first listed wins
        by_rank = portfolio.funnel(ON, rulebook=bs.rulebook().derive(tie="rank"))[-1]

        assert (1, 0, 1) == (site.entered, site.exited, site.stopped)
        assert (1, 1, 0) == (by_rank.entered, by_rank.exited, by_rank.stopped)

    def test_steps_named_for_what_they_hold(self):
        """The default steps are named for their phases; the last holds the ways out."""
        names = [(s.name, s.phases) for s in bs.Portfolio([]).funnel(ON)]
        assert [
            ("investigation", ("investigation",)),
            ("construction", ("construction",)),
            ("acceleration", ("acceleration",)),
            ("perennisation", ("consolidation", "opere", "transfere")),
        ] == names

    def test_custom_steps(self):
        """Steps as a mapping keep their names; as phase lists they are named after the phases."""
        named = ten_products().funnel(ON, steps={"early": ["investigation", "construction"]})
        assert ["early"] == [s.name for s in named]
        listed = ten_products().funnel(ON, steps=[["investigation"], ["acceleration", "opere"]])
        assert ["investigation", "acceleration+opere"] == [s.name for s in listed]
        # f: acceleration then opere (exited in the step); a: acceleration, later transfere.
        assert 1 == listed[1].exited

    @pytest.mark.parametrize(
        ("steps", "message"),
        [
            ({"x": ["constructon"]}, "did you mean 'construction'"),
            ({"x": ["investigation"], "y": ["investigation"]}, "in steps 'x' and 'y'"),
            ({}, "needs steps"),
        ],
    )
    def test_bad_steps_are_refused(self, steps, message):
        """A misspelt phase, a phase in two steps or no step at all is a InvalidArgument."""
        with pytest.raises(bs.exceptions.InvalidArgument, match=message):
            ten_products().funnel(ON, steps=steps)

    def test_by_cohort_adds_up(self):
        """Cohorts are disjoint: the funnels per cohort add up to the whole one, step by step."""
        whole = ten_products().funnel(ON)
        per = ten_products().funnel(ON, by="cohort")
        assert ["2019", "2020", "2021", "2022", "2023"] == list(per)
        for index, step in enumerate(whole):
            assert step.entered == sum(f[index].entered for f in per.values())
            assert step.converted == sum(f[index].converted for f in per.values())

    def test_by_cohort_equals_the_cohort_alone(self):
        """The 2020 cohort's funnel is the funnel of the portfolio of 2020 products."""
        per = ten_products().funnel(ON, by="cohort")
        alone = ten_products().where(cohort=2020).funnel(ON)
        assert tuple(alone) == tuple(per["2020"])

    def test_as_of_an_earlier_date(self):
        """On 2020-06-01 only what had happened by then counts."""
        steps = {step.name: step for step in ten_products().funnel(D(2020, 6, 1))}
        # investigation: a b c i j entered; a b i j advanced; c running (stops in July).
        assert (5, 4, 0, 1) == (
            steps["investigation"].entered,
            steps["investigation"].advanced,
            steps["investigation"].stopped,
            steps["investigation"].running,
        )

    def test_empty_step_has_no_rate(self):
        """A step nobody entered has no rate rather than a division by zero."""
        step = bs.Portfolio([]).funnel(ON)[0]
        assert (0, None, None) == (step.entered, step.rate, step.decided_rate)


class TestPhaseCounts:
    """As-of counts follow the tie rule of `Lifecycle.state`."""

    def test_hand_counts(self):
        """On 2024-01-01 the ten products stand where their last phase put them."""
        counts = ten_products().phase_counts(ON)
        assert {
            "investigation": 2,  # d, h
            "construction": 1,  # g
            "acceleration": 1,  # b
            "consolidation": 0,
            "opere": 1,  # f
            "transfere": 2,  # a, i
            "abandon-investigation": 1,  # c
            "abandon": 2,  # e, j
        } == counts

    def test_same_day_tie_later_stage_wins(self):
        """Construction and investigation listed the same day (against order): construction."""
        startup = product("x", (D(2022, 1, 1), "construction"), (D(2022, 1, 1), "investigation"))
        counts = bs.Portfolio([startup]).phase_counts(D(2022, 1, 1))
        assert 1 == counts["construction"]
        assert 0 == counts["investigation"]

    def test_not_started_is_left_out(self):
        """A product whose first phase is later is in no phase."""
        counts = bs.Portfolio([product("x", (D(2030, 1, 1), "investigation"))]).phase_counts(ON)
        assert 0 == sum(counts.values())

    def test_grouped_by_incubator_and_sponsor(self):
        """Groups split the counts; a product with two sponsors counts in both."""
        portfolio = bs.Portfolio(
            [
                product("x", (D(2020, 1, 1), "investigation"), incubator="one", sponsors=("/o/a",)),
                product(
                    "y", (D(2020, 1, 1), "construction"), incubator="two", sponsors=("/o/a", "/o/b")
                ),
                product("z", (D(2020, 1, 1), "construction"), incubator="two"),
            ]
        )
        by_incubator = portfolio.phase_counts(ON, by="incubator")
        assert ["one", "two"] == list(by_incubator)
        assert 2 == by_incubator["two"]["construction"]
        by_sponsor = portfolio.phase_counts(ON, by="sponsor")
        assert {"/o/a": 2, "/o/b": 1, _analytics.NONE_GROUP: 1} == {
            group: sum(counts.values()) for group, counts in by_sponsor.items()
        }
        by_first_letter = portfolio.phase_counts(ON, by=lambda s: s.slug[0])
        assert {"x", "y", "z"} == set(by_first_letter)

    def test_bad_grouping_is_named(self):
        """A misspelt grouping is a InvalidArgument naming the closest valid one."""
        with pytest.raises(bs.exceptions.InvalidArgument, match="did you mean 'incubator'"):
            ten_products().phase_counts(ON, by="incubateur")  # type: ignore[call-overload]
        with pytest.raises(bs.exceptions.InvalidArgument, match="function of a startup"):
            ten_products().phase_counts(ON, by=42)  # type: ignore[call-overload]

    def test_sample_matches_lifecycle_state(self):
        """On the bundled sample, counts equal `Lifecycle.state` product by product."""
        portfolio = bs.sample_portfolio()
        lifecycle = bs.Lifecycle()
        for on in (D(2019, 1, 1), D(2023, 7, 1), D(2026, 1, 1)):
            naive = Counter(lifecycle.state(s, on).phase for s in portfolio)
            naive.pop(None, None)
            actual = {k: v for k, v in portfolio.phase_counts(on).items() if v}
            assert dict(naive) == actual


histories = st.lists(
    st.tuples(
        st.dates(min_value=D(2020, 1, 1), max_value=D(2020, 3, 1)),
        st.sampled_from([p.value for p in bs.Phase]),
    ),
    max_size=6,
)


class TestSeriesProperty:
    """The sweep equals the naive per-date, per-product projection."""

    @given(
        st.lists(histories, max_size=6),
        st.lists(st.dates(min_value=D(2019, 12, 1), max_value=D(2020, 4, 1)), max_size=8),
    )
    def test_series_equals_naive(self, many, dates):
        """For any histories (ties, disorder) and dates, series == state() per date."""
        portfolio = bs.Portfolio(
            [
                product(f"p{index}", *((on, phase) for on, phase in history))
                for index, history in enumerate(many)
            ]
        )
        lifecycle = bs.Lifecycle()
        series = portfolio.phase_series(dates)
        assert sorted(set(dates)) == list(series)
        for on, counts in series.items():
            naive = Counter(lifecycle.state(s, on).phase for s in portfolio)
            naive.pop(None, None)
            assert dict(naive) == {k: v for k, v in counts.items() if v}

    @given(
        st.lists(histories, max_size=6), st.dates(min_value=D(2019, 12, 1), max_value=D(2020, 4, 1))
    )
    def test_funnel_partitions(self, many, on):
        """Every product entering a step is counted in exactly one outcome."""
        portfolio = bs.Portfolio([product(f"p{i}", *history) for i, history in enumerate(many)])
        for step in portfolio.funnel(on):
            parts = step.advanced + step.stopped + step.exited + step.running + step.other
            assert step.entered == parts == len(step.slugs)

    def test_monthly_dates(self):
        """Monthly counts are taken on the first of each month, both ends included."""
        series = ten_products().monthly_phase_counts(D(2020, 1, 15), D(2020, 4, 1))
        assert [D(2020, 1, 1), D(2020, 2, 1), D(2020, 3, 1), D(2020, 4, 1)] == list(series)
        # On 2020-03-01: a, i entered construction that day; b investigating; f accelerating;
        # j constructing since 2019-08; h not started.
        assert 3 == series[D(2020, 3, 1)]["construction"]
        assert 1 == series[D(2020, 3, 1)]["investigation"]


class TestCohorts:
    """Cohorts group products by the year of their first phase."""

    def test_by_year(self):
        """2019: f, j; 2020: a b c h i; 2021: e; 2022: g; 2023: d."""
        cohorts = ten_products().cohorts(ON)
        assert {2019: 2, 2020: 5, 2021: 1, 2022: 1, 2023: 1} == {
            year: sum(counts.values()) for year, counts in cohorts.items()
        }
        assert 2 == cohorts[2020]["transfere"]  # a, i


class TestCadence:
    """Committee cadence against the rulebook's 6-month interval."""

    def test_gaps(self):
        """Gaps from construction start to committees to the date; one over 6 months."""
        startup = bs.Startup(
            slug="x",
            title="X",
            history=(
                entered(D(2023, 1, 1), "investigation"),
                entered(D(2023, 3, 1), "construction"),
                bs.CommitteeHeld(on=D(2023, 9, 1)),  # 6 months: on time
                bs.CommitteeHeld(on=D(2024, 4, 1)),  # 7 months: late
            ),
        )
        (cadence,) = bs.Portfolio([startup]).committee_cadence(D(2024, 6, 1))
        assert (D(2023, 3, 1), 2, 1, False) == (
            cadence.since,
            cadence.committees,
            cadence.late_gaps,
            cadence.compliant,
        )
        assert (D(2024, 4, 1) - D(2023, 9, 1)).days == cadence.longest_gap_days

    def test_only_running_products_past_entry(self):
        """Investigating and stopped products are not checked."""
        early = {c.slug for c in ten_products().committee_cadence(D(2020, 2, 15))}
        assert {"f", "j"} == early  # a, b, i still investigating; h not started
        slugs = {c.slug for c in ten_products().committee_cadence(ON)}
        assert {"b", "g"} == slugs  # h is investigating again, the rest ended


class TestFast:
    """FAST laureates and where they stand."""

    def test_event_outcomes(self):
        """Laureates are counted by their phase on the date; later laureates are not."""
        portfolio = bs.Portfolio(
            [
                product(
                    "x",
                    (D(2020, 1, 1), "acceleration"),
                    (D(2023, 1, 1), "transfere"),
                ),
                product("y", (D(2020, 1, 1), "acceleration")),
                product("z", (D(2020, 1, 1), "acceleration")),
            ]
        )
        portfolio = bs.Portfolio(
            [
                bs.Startup(
                    slug=s.slug,
                    title=s.title,
                    history=(
                        *s.history,
                        bs.FastLaureate(on=D(2021 if s.slug != "z" else 2025, 1, 1)),
                    ),
                )
                for s in portfolio
            ]
        )
        counts = portfolio.fast_outcomes(ON)
        assert {"transfere": 1, "acceleration": 1} == {k: v for k, v in counts.items() if v}

    def test_event_or_block(self):
        """An event, a block or both make one laureate each; the block gives edition and amount."""
        block = {"fast": {"promotion": 14, "montant": 300000}}
        portfolio = bs.Portfolio(
            [
                product("event", (D(2020, 1, 1), "acceleration"), history_extra=()),
                product("block", (D(2020, 1, 1), "acceleration"), extra=block),
                product("both", (D(2020, 1, 1), "construction"), extra=block),
                product("late-block", (D(2030, 1, 1), "acceleration"), extra=block),
                product("none", (D(2020, 1, 1), "acceleration")),
            ]
        )
        portfolio = bs.Portfolio(
            [
                attrs_evolve(s, history=(*s.history, bs.FastLaureate(on=D(2021, 6, 1))))
                if s.slug in {"event", "both"}
                else s
                for s in portfolio
            ]
        )
        laureates = {x.slug: x for x in portfolio.fast_laureates(ON)}
        assert {"event", "block", "both"} == set(laureates)  # late-block has not started yet
        assert ("event", "block", "both") == tuple(
            laureates[s].source for s in ("event", "block", "both")
        )
        assert (None, 14, Decimal(300000)) == (
            laureates["block"].on,
            laureates["block"].edition,
            laureates["block"].amount,
        )
        assert D(2021, 6, 1) == laureates["both"].on
        assert {"acceleration": 2, "construction": 1} == {
            k: v for k, v in portfolio.fast_outcomes(ON).items() if v
        }
        assert {"atelier": 3} == {
            g: c.total for g, c in portfolio.fast_outcomes(ON, by="incubator").items()
        }


class TestNationalImpact:
    """National-impact designations, with the phase then and now."""

    def test_designations(self):
        """Each designation dated by the date, in date order, by year."""
        portfolio = bs.Portfolio(
            [
                product(
                    "x",
                    (D(2020, 1, 1), "acceleration"),
                    (D(2023, 1, 1), "transfere"),
                    history_extra=(bs.NationalImpactDesignated(on=D(2022, 12, 31)),),
                ),
                product(
                    "y",
                    (D(2021, 1, 1), "acceleration"),
                    history_extra=(bs.NationalImpactDesignated(on=D(2023, 12, 31)),),
                ),
                product(
                    "z",
                    (D(2021, 1, 1), "acceleration"),
                    history_extra=(bs.NationalImpactDesignated(on=D(2025, 1, 1)),),
                ),
            ]
        )
        found = portfolio.national_impact(ON)
        assert [
            ("x", 2022, "acceleration", "transfere"),
            ("y", 2023, "acceleration", "acceleration"),
        ] == [(d.slug, d.year, d.phase_then, d.phase_now) for d in found]
        assert {2022: {"acceleration": 1}, 2023: {"acceleration": 1}} == found.by_year()


def mission(start, end, status, *startups):
    return bs.Mission(start=start, end=end, status=status, startups=startups)


def team() -> bs.Portfolio:
    return bs.Portfolio(
        [
            product("x", (D(2020, 1, 1), "construction")),
            product("y", (D(2020, 1, 1), "construction"), incubator="fabrique"),
        ],
        members=[
            bs.Member(
                id="m1",
                domaine="Développement",
                missions=(mission(D(2024, 1, 1), D(2024, 1, 31), "independent", "x"),),
            ),
            bs.Member(
                id="m2",
                domaine="Design",
                missions=(mission(D(2024, 1, 15), None, "service", "x", "y"),),
            ),
            bs.Member(
                id="m3",
                domaine="Intraprenariat",
                missions=(mission(D(2023, 1, 1), None, "admin", "x"),),
            ),
            bs.Member(
                id="m4",
                domaine="Autre",
                missions=(
                    mission(D(2024, 1, 1), D(2024, 1, 7), "independent"),
                    mission(D(2024, 1, 5), D(2024, 1, 20), "service", "y"),
                ),
            ),
        ],
    )


class TestTeams:
    """Headcount from missions, by status or domaine."""

    def test_counts_on_a_day(self):
        """On 2024-01-16 everyone works; m4's running mission there is the service one."""
        assert {"admin": 1, "independent": 1, "service": 2} == team().team_counts(D(2024, 1, 16))

    def test_member_counts_once(self):
        """On 2024-01-05 m4's two missions overlap: m4 counts once, under the first."""
        assert {"admin": 1, "independent": 2} == team().team_counts(D(2024, 1, 5))

    def test_by_startup_and_domaine(self):
        """Only missions naming the product count."""
        assert {"Design": 1, "Développement": 1, "Intraprenariat": 1} == team().team_counts(
            D(2024, 1, 16), split="domaine", startup="x"
        )

    def test_old_spelling_of_split_warns(self):
        """`by="domaine"` still splits by domaine, with a DeprecationWarning."""
        with pytest.warns(DeprecationWarning, match="split='domaine'"):
            old = team().team_counts(D(2024, 1, 16), by="domaine")
        assert team().team_counts(D(2024, 1, 16), split="domaine") == old

    def test_by_incubator(self):
        """Members count once in each incubator their missions that day work for."""
        grouped = team().team_counts(D(2024, 1, 16), by="incubator")
        # x (atelier): m1, m2, m3; y (fabrique): m2 and m4; m2's mission names both.
        assert {
            "atelier": {"admin": 1, "independent": 1, "service": 1},
            "fabrique": {"service": 2},
        } == grouped

    def test_bad_split(self):
        """A misspelt split is named."""
        with pytest.raises(bs.exceptions.InvalidArgument, match="did you mean 'status'"):
            team().team_counts(D(2024, 1, 16), split="statut")  # type: ignore[arg-type]

    def test_monthly(self):
        """On the first of each month: January 2024 has m1, m3, m4; February m2, m3."""
        series = team().monthly_team_counts(D(2024, 1, 1), D(2024, 2, 1))
        assert {"admin": 1, "independent": 2} == series[D(2024, 1, 1)]
        assert {"admin": 1, "service": 1} == series[D(2024, 2, 1)]


class TestSpend:
    """Estimated spend: working days times daily rates, split across products."""

    def test_working_days(self):
        """January 2024 has 23 weekdays; a Saturday-to-Sunday range has none."""
        assert 23 == _teams.working_days(D(2024, 1, 1), D(2024, 1, 31))
        assert 0 == _teams.working_days(D(2024, 1, 6), D(2024, 1, 7))
        assert 0 == _teams.working_days(D(2024, 1, 7), D(2024, 1, 6))

    def test_by_hand(self):
        """January 2024, default rates, agents left out; computed by hand."""
        estimate = team().estimated_spend(D(2024, 1, 1), D(2024, 1, 31))
        # m1: 23 days x 450..650 (development), all on x.
        # m2: Jan 15-31 = 13 weekdays x 370..550 (design), split between x and y.
        # m4: Jan 1-7 = 5 weekdays x 270..800 (fallback), no product;
        #     Jan 5-20 (Friday to Saturday) = 1 + 5 + 5 = 11 weekdays x 270..800, on y.
        assert 23 + 13 + 5 + 11 == estimate.days
        assert Decimal(23 * 450 + 13 * 370 + 5 * 270 + 11 * 270) == estimate.low
        assert Decimal(23 * 650 + 13 * 550 + 5 * 800 + 11 * 800) == estimate.high
        assert (
            Decimal(23 * 450) + Decimal(13 * 370) / 2,
            Decimal(23 * 650) + Decimal(13 * 550) / 2,
        ) == (estimate.by_startup["x"])
        assert (Decimal(5 * 270), Decimal(5 * 800)) == estimate.unassigned
        assert (
            estimate.low
            == sum(low for low, _ in estimate.by_startup.values()) + estimate.unassigned[0]
        )

    def test_products_left_out_by_where(self):
        """A mission shared with a product left out counts only its share; the rest is outside."""
        atelier = team().where(incubator="atelier")
        estimate = atelier.estimated_spend(D(2024, 1, 1), D(2024, 1, 31))
        # m1 on x: 23 days; m2 on x and y: half of 13 days; m4 on y only: dropped with y.
        assert Decimal(23 * 450) + Decimal(13 * 370) / 2 == estimate.low
        assert (Decimal(13 * 370) / 2, Decimal(13 * 550) / 2) == estimate.outside
        assert ["x"] == list(estimate.by_startup)

    def test_by_incubator(self):
        """One estimate per incubator; a shared mission's share goes to each product's group."""
        whole = team().estimated_spend(D(2024, 1, 1), D(2024, 1, 31))
        grouped = team().estimated_spend(D(2024, 1, 1), D(2024, 1, 31), by="incubator")
        assert ["(none)", "atelier", "fabrique"] == list(grouped)
        assert whole.low == sum(e.low for e in grouped.values())
        assert whole.unassigned == grouped["(none)"].unassigned

    def test_period_backwards(self):
        """A period ending before it starts is an error."""
        with pytest.raises(bs.exceptions.InvalidArgument, match="swap"):
            team().estimated_spend(D(2024, 2, 1), D(2024, 1, 1))

    def test_configurable_rates(self):
        """Custom rates, statuses and days per week change the estimate."""
        rates = bs.DailyRates(
            by_domaine={"Intraprenariat": (100, 100)},
            fallback=(0, 0),
            statuses={"admin"},
            days_per_week=4,
        )
        estimate = team().estimated_spend(D(2024, 1, 1), D(2024, 1, 31), rates)
        # m3 only: Monday-to-Thursday days of January 2024 = 19.
        assert (19, Decimal(1900), Decimal(1900)) == (estimate.days, estimate.low, estimate.high)

    def test_rates_are_exact_and_ordered(self):
        """Floats are refused; a range must go from low to high."""
        with pytest.raises(TypeError, match="exact"):
            bs.DailyRates(fallback=(1.5, 2))
        with pytest.raises(bs.exceptions.InvalidArgument, match="low to high"):
            bs.DailyRates(fallback=(800, 270))

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"statuses": {"independant"}}, "did you mean 'independent'"),
            ({"statuses": "servise"}, "did you mean 'service'"),
            ({"days_per_week": 0}, "1 to 7"),
            ({"days_per_week": 8}, "1 to 7"),
            ({"fallback": (-1, 5)}, "zero or more"),
            ({"by_domaine": {"": (1, 2)}}, "non-empty"),
        ],
    )
    def test_rates_are_checked(self, kwargs, message):
        """A misspelt status is an error, not an estimate of 0 EUR; so are impossible values."""
        with pytest.raises(bs.exceptions.InvalidArgument, match=message):
            bs.DailyRates(**kwargs)

    def test_a_typo_would_have_estimated_nothing(self):
        """The reason for the check: no mission has the misspelt status."""
        statuses = {m.status for member in team().members for m in member.missions}
        assert "independant" not in statuses


class TestModules:
    """The queries got a module each; code written against the single module still works."""

    def test_moved_names_still_import(self):
        """Every name that moved out of `queries` is the same object through it."""
        for name, module in _analytics._MOVED.items():
            moved = getattr(importlib.import_module(f"betastate._analytics.{module}"), name)
            assert moved is getattr(_analytics, name), name

    def test_unknown_name(self):
        """A name that never was there is still an AttributeError."""
        with pytest.raises(AttributeError, match="no_such_query"):
            _analytics.no_such_query  # noqa: B018

    def test_block_values_as_text(self):
        """A fast block written with text values still gives its edition and amount."""
        startup = product(
            "x",
            (D(2020, 1, 1), "acceleration"),
            extra={"fast": {"promotion": " 12 ", "montant": "250000"}},
        )
        (laureate,) = bs.Portfolio([startup]).fast_laureates(ON)
        assert (12, Decimal(250000)) == (laureate.edition, laureate.amount)
        odd = product("y", (D(2020, 1, 1), "acceleration"), extra={"fast": "yes"})
        (laureate,) = bs.Portfolio([odd]).fast_laureates(ON)
        assert (None, None, "block") == (laureate.edition, laureate.amount, laureate.source)
