"""Results fit for notebooks: reprs of at most 200 characters, `to_frame()` on every result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import betastate as bs
from betastate._analytics.results import REPR_LIMIT, Counts, Grouped, squeeze


D = dt.date


def sample_with_team() -> bs.Portfolio:
    sample = bs.sample_portfolio()
    members = [
        bs.Member(
            id=f"m{i}",
            domaine=("Design", "Développement", "Produit")[i % 3],
            missions=(
                bs.Mission(
                    start=D(2024, 1 + i % 12, 1),
                    status=("independent", "admin", "service")[i % 3],
                    startups=(sample.slugs[i % len(sample)],),
                ),
            ),
        )
        for i in range(40)
    ]
    return bs.Portfolio(sample.startups, incubators=sample.incubators, members=members)


def results(p: bs.Portfolio) -> dict[str, object]:
    """One of each kind of result a query returns."""
    start = D(2023, 1, 1)
    return {
        "portfolio": p,
        "phase_counts": p.phase_counts(),
        "phase_counts_by": p.phase_counts(by="incubator"),
        "series": p.monthly_phase_counts(start),
        "series_by": p.yearly_phase_counts(D(2019, 1, 1), by="incubator"),
        "cohorts": p.cohorts(),
        "funnel": p.funnel(),
        "funnel_step": p.funnel()[0],
        "funnel_by": p.funnel(by="cohort"),
        "durations": p.durations(),
        "durations_by": p.durations(by="incubator"),
        "curve": p.survival(),
        "survival_by": p.survival(by="incubator"),
        "cadence": p.committee_cadence(),
        "laureates": p.fast_laureates(),
        "fast_outcomes": p.fast_outcomes(),
        "impact": p.national_impact(),
        "impact_by_year": p.national_impact().by_year(),
        "team": p.team_counts(),
        "team_by": p.team_counts(by="incubator"),
        "team_series": p.monthly_team_counts(start),
        "spend": p.estimated_spend(start),
        "spend_by": p.estimated_spend(start, by="incubator"),
    }


class TestReprs:
    """Every result prints in at most 200 characters."""

    @pytest.mark.parametrize("name", sorted(results(bs.sample_portfolio())))
    def test_short(self, name):
        """The repr of each kind of result fits a notebook line or two."""
        value = results(sample_with_team())[name]
        assert len(repr(value)) <= REPR_LIMIT, repr(value)

    def test_small_counts_print_as_a_dict(self):
        """Counts that fit print exactly like the dict they are."""
        counts = bs.Portfolio([]).phase_counts(D(2024, 1, 1))
        assert repr(dict(counts)) == repr(counts)

    def test_long_mapping_is_cut_with_a_count(self):
        """A long mapping shows what fits, then how many more."""
        text = repr(Counts({f"key{i}": i for i in range(100)}))
        assert len(text) <= REPR_LIMIT
        assert text.startswith("{'key0': 0, ")
        assert text.endswith("more}")

    def test_squeeze_never_overflows(self):
        """Whatever the parts, the text fits the limit."""
        for size in (0, 1, 5, 50, 500):
            text = squeeze("Head(", ["x" * size] * 7)
            assert len(text) <= REPR_LIMIT

    def test_money_to_the_cent(self):
        """A spend estimate prints its range rounded to the cent, not 28 digits."""
        estimate = bs.Portfolio(
            [bs.Startup(slug=s, title=s) for s in "abc"],
            members=[
                bs.Member(
                    id="m",
                    domaine="Design",
                    missions=(
                        bs.Mission(
                            start=D(2024, 1, 1), status="independent", startups=tuple("abc")
                        ),
                    ),
                )
            ],
        ).estimated_spend(D(2024, 1, 1), D(2024, 1, 1))
        assert Decimal(370) / 3 == estimate.by_startup["a"][0]  # exact inside
        assert "370.00..550.00 EUR" in repr(estimate)
        assert "123.333" not in repr(estimate)

    def test_funnel_step_hides_its_slugs(self):
        """A funnel step prints its counts and rates, not the slugs of its products."""
        step = sample_with_team().funnel()[0]
        assert step.slugs[0] not in repr(step)
        assert f"entered={step.entered}" in repr(step)


pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")


class TestFrames:
    """Every result turns into a pandas or polars frame with the same rows."""

    @pytest.mark.parametrize("name", sorted(set(results(bs.sample_portfolio())) - {"portfolio"}))
    def test_pandas_and_polars_agree(self, name):
        """Both backends give the same columns and values."""
        value = results(sample_with_team())[name]
        left = value.to_frame()
        right = value.to_frame(backend="polars")
        assert list(left.columns) == right.columns
        assert len(left) == len(right)
        for column in left.columns:
            a = [None if pd.isna(v) else v for v in left[column]]
            a = [v.date() if isinstance(v, pd.Timestamp) else v for v in a]
            assert a == right[column].to_list(), column

    def test_counts_by_group_are_one_row_per_group(self):
        """Grouped counts: a group column, then one Int64 column per phase."""
        grouped = sample_with_team().phase_counts(by="incubator")
        frame = grouped.to_frame()
        assert ["group", *bs.rulebook().phase_values] == list(frame.columns)
        assert list(grouped) == frame["group"].to_list()
        assert "Int64" == str(frame["construction"].dtype)

    def test_funnel_by_cohort_is_one_row_per_cohort_and_step(self):
        """A funnel per cohort: cohort, step, counts and both rates."""
        frame = sample_with_team().funnel(by="cohort").to_frame()
        assert ["cohort", "step", "phases", "entered"] == list(frame.columns[:4])
        assert {"rate", "decided_rate"} <= set(frame.columns)
        assert "Float64" == str(frame["rate"].dtype)

    def test_curve_points_and_summaries(self):
        """A curve's frame is its points; curves per group are one summary row each."""
        curve = sample_with_team().survival()
        points = curve.to_frame()
        assert ["days", "survival", "lower", "upper"] == list(points.columns)
        assert len(curve.timeline) == len(points)
        summary = sample_with_team().survival(by="incubator").to_frame()
        assert ["group", "label", "n", "observed", "censored"] == list(summary.columns[:5])

    def test_money_columns(self):
        """Money columns hold Decimals rounded to the cent (pandas) or Decimal(38, 2) (polars)."""
        spend = sample_with_team().estimated_spend(D(2024, 1, 1))
        frame = spend.to_frame()
        assert all(
            isinstance(v, Decimal) and v == v.quantize(Decimal("0.01")) for v in frame["low"]
        )
        assert pl.Decimal(38, 2) == spend.to_frame(backend="polars").schema["low"]

    def test_empty_grouped_result(self):
        """A grouped result without groups is a frame with only its group column."""
        assert ["group"] == list(Grouped().to_frame().columns)

    def test_unknown_backend(self):
        """A misspelt backend is a InvalidArgument naming the two."""
        with pytest.raises(bs.exceptions.InvalidArgument, match="polars"):
            sample_with_team().phase_counts().to_frame(backend="arrow")  # type: ignore[arg-type]
