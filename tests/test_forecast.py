"""Forecasts: the model on invented portfolios derived by hand, its invariants, API and errors."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import betastate as bs
from betastate._analytics import forecast as _forecast
from betastate._analytics.queries import add_months
from betastate._cli.main import main as cli_main


np = pytest.importorskip("numpy")

D = dt.date
START = D(2025, 1, 1)
MONTH = 365.25 / 12  # the model's month, in days (the first duration bin)


def ago(days: int) -> dt.date:
    return START - dt.timedelta(days=days)


def product(slug: str, *phases: tuple[dt.date, str], incubator: str = "atelier") -> bs.Startup:
    return bs.Startup(
        slug=slug,
        title=slug.upper(),
        incubator=incubator,
        history=tuple(bs.PhaseEntered(on=on, phase=phase) for on, phase in phases),
    )


def within(p: float, runs: int, sigmas: float = 4.5) -> float:
    """A tolerance of ``sigmas`` binomial standard errors for a share ``p`` over ``runs``."""
    return sigmas * math.sqrt(p * (1 - p) / runs) + 1e-9


def truncated(portfolio: bs.Portfolio, on: dt.date) -> bs.Portfolio:
    """The portfolio as it was known on ``on``: every later event removed."""
    return bs.Portfolio(
        [attrs.evolve(s, history=tuple(e for e in s.history if e.on <= on)) for s in portfolio]
    )


# Two investigations moved to construction after 300 and 330 days; two are running
# (100 and 200 days so far). Nobody left construction, so it holds whoever reaches it.
# All of it lies in the last 12 months: every bootstrap of the window gives the same rates.
CONSTANT = bs.Portfolio(
    [
        product("a", (ago(360), "investigation"), (ago(60), "construction")),
        product("b", (ago(340), "investigation"), (ago(10), "construction")),
        product("x", (ago(100), "investigation")),
        product("y", (ago(200), "investigation")),
    ]
)


class TestConstantHazard:
    """Fewer than MIN_EVENTS exits: one duration bin, a constant hazard = exits / exposure."""

    RUNS = 20_000
    # 2 exits over 300 + 330 + 100 + 200 days at risk.
    RATE = 2 / 930

    def forecast(self) -> bs.Forecast:
        return CONSTANT.forecast(START, months=6, runs=self.RUNS, seed=11, entries=0)

    def test_running_product_moves_with_the_exponential_chance(self):
        """P(construction after 6 months) = 1 - exp(-rate x 181 days), whatever time was spent."""
        result = self.forecast()
        expected = 1 - math.exp(-self.RATE * (D(2025, 7, 1) - START).days)
        for slug in ("x", "y"):
            share = result.outcomes[slug].get("construction", 0.0)
            assert abs(expected - share) <= within(expected, self.RUNS)
            assert 1.0 == pytest.approx(sum(result.outcomes[slug].values()))

    def test_mean_count(self):
        """Construction holds a and b, plus each running product with that chance."""
        result = self.forecast()
        p = 1 - math.exp(-self.RATE * (D(2025, 7, 1) - START).days)
        mean = result.series("construction", "mean")[-1]
        assert abs(2 + 2 * p - mean) <= 4.5 * math.sqrt(2 * p * (1 - p) / self.RUNS)

    def test_calibrated_model(self):
        """The summaries: all investigations go to construction, median stay ln 2 / rate."""
        result = self.forecast()
        assert {"construction": pytest.approx(1.0)} == dict(result.transitions["investigation"])
        assert math.log(2) / self.RATE / MONTH == pytest.approx(result.median_stay["investigation"])
        assert 2.0 == result.exits["investigation"]
        assert 0.0 == result.exits["construction"]
        assert math.inf == result.median_stay["construction"]

    def test_month_zero_is_the_recorded_count(self):
        """At the start every quantile is the count recorded that day."""
        result = self.forecast()
        counts = CONSTANT.phase_counts(START)
        for phase in result.phases:
            assert {float(counts[phase])} == {
                result.stats[phase][s][0] for s in _forecast.STATISTICS
            }


# Five investigations left after 10 days and five after 200: two duration bins. x has
# spent 100 days in investigation, y starts it on the start date.
FAST = [
    product(f"f{i}", (ago(300 + i), "investigation"), (ago(290 + i), "construction"))
    for i in range(5)
]
SLOW = [
    product(f"s{i}", (ago(360 + i), "investigation"), (ago(160 + i), "construction"))
    for i in range(5)
]
TWO_BINS = bs.Portfolio(
    [
        *FAST,
        *SLOW,
        product("x", (ago(100), "investigation")),
        product("y", (START, "investigation")),
    ]
)


class TestTimeAlreadySpent:
    """The remaining stay is drawn given the time already spent in the phase."""

    RUNS = 20_000
    # Bin 0 (the first month): 5 exits over 5 x 10 + 5 x MONTH + MONTH (x) days.
    RATE_0 = 5 / (50 + 6 * MONTH)
    # Later: 5 exits over 5 x (200 - MONTH) + (100 - MONTH) (x) days.
    RATE_1 = 5 / (5 * (200 - MONTH) + (100 - MONTH))

    def test_one_month_later(self):
        """x, past the first month, moves at the later hazard; y, just started, at both."""
        result = TWO_BINS.forecast(START, months=12, within=1, runs=self.RUNS, seed=3, entries=0)
        days = (D(2025, 2, 1) - START).days  # 31
        moved_x = 1 - math.exp(-self.RATE_1 * days)
        moved_y = 1 - math.exp(-self.RATE_0 * MONTH - self.RATE_1 * (days - MONTH))
        assert abs(moved_x - result.outcomes["x"].get("construction", 0.0)) <= within(
            moved_x, self.RUNS
        )
        assert abs(moved_y - result.outcomes["y"].get("construction", 0.0)) <= within(
            moved_y, self.RUNS
        )
        assert moved_y > 2 * moved_x  # the point: time spent changes the chances

    def test_one_year_later(self):
        """After 12 months: x still there with exp(-rate1 t), y with both bins' hazard."""
        result = TWO_BINS.forecast(START, months=12, runs=self.RUNS, seed=4, entries=0)
        days = (D(2026, 1, 1) - START).days
        stay_x = math.exp(-self.RATE_1 * days)
        stay_y = math.exp(-self.RATE_0 * MONTH - self.RATE_1 * (days - MONTH))
        assert abs(stay_x - result.outcomes["x"].get("investigation", 0.0)) <= within(
            stay_x, self.RUNS
        )
        assert abs(stay_y - result.outcomes["y"].get("investigation", 0.0)) <= within(
            stay_y, self.RUNS
        )


# Four exits (one bin): three to construction, one inconclusive; x running for 40 days.
COMPETING = bs.Portfolio(
    [
        product("a", (ago(200), "investigation"), (ago(150), "construction")),
        product("b", (ago(210), "investigation"), (ago(150), "construction")),
        product("c", (ago(220), "investigation"), (ago(150), "construction")),
        product("d", (ago(230), "investigation"), (ago(150), "abandon-investigation")),
        product("x", (ago(40), "investigation")),
    ]
)


class TestCompetingRisks:
    """The next phase follows the mix of exits; the exit time follows the hazard."""

    RUNS = 20_000
    RATE = 4 / (50 + 60 + 70 + 80 + 40)

    def test_outcomes(self):
        result = COMPETING.forecast(START, months=3, runs=self.RUNS, seed=5, entries=0)
        left = 1 - math.exp(-self.RATE * (D(2025, 4, 1) - START).days)
        expected = {
            "investigation": 1 - left,
            "construction": 0.75 * left,
            "abandon-investigation": 0.25 * left,
        }
        for phase, p in expected.items():
            assert abs(p - result.outcomes["x"].get(phase, 0.0)) <= within(p, self.RUNS)
        assert {"construction": 0.75, "abandon-investigation": 0.25} == pytest.approx(
            dict(result.transitions["investigation"])
        )

    def test_terminal_products_stay(self):
        """d reached a terminal phase: it is there in every run."""
        result = COMPETING.forecast(START, months=3, runs=200, seed=5, entries=0)
        assert {"abandon-investigation": 1.0} == dict(result.outcomes["d"])


class TestEntries:
    """New products: none, a Poisson scenario, or the recent months repeated."""

    def test_none(self):
        """entries=0: the mean total is the number of products started, every month."""
        result = COMPETING.forecast(START, months=6, runs=500, seed=1, entries=0)
        totals = {sum(result.stats[p]["mean"][k] for p in result.phases) for k in range(7)}
        assert {5.0} == {round(t, 9) for t in totals}
        assert 0.0 == result.entries

    def test_poisson_scenario(self):
        """entries=2.0: on average 2 more products each month."""
        runs = 4000
        result = COMPETING.forecast(START, months=12, runs=runs, seed=2, entries=2.0)
        for k in (1, 6, 12):
            total = sum(result.stats[p]["mean"][k] for p in result.phases)
            assert abs(5 + 2 * k - total) <= 4.5 * math.sqrt(2 * k / runs)
        assert 2.0 == result.entries

    def test_estimated_from_the_window(self):
        """entries=None: as many as in the last 24 months, in the phases they started in."""
        runs = 4000
        # Six products started in construction in the last 24 months; nobody left it.
        started = [product(f"n{i}", (ago(40 + 100 * i), "construction")) for i in range(6)]
        portfolio = bs.Portfolio([*started, product("old", (ago(2000), "transfere"))])
        result = portfolio.forecast(START, months=12, runs=runs, seed=3)
        assert 6 / 24 == result.entries
        mean = result.series("construction", "mean")
        assert abs(6 + 12 * 6 / 24 - mean[12]) <= 0.25
        assert 1.0 == result.series("transfere", "mean")[12]


class TestReproducible:
    """The same seed gives the same numbers, with any number of threads."""

    def test_same_seed(self):
        sample = bs.sample_portfolio()
        one = sample.forecast(D(2025, 1, 1), months=24, runs=600, seed=42, workers=1)
        two = sample.forecast(D(2025, 1, 1), months=24, runs=600, seed=42, workers=2)
        assert one == two
        assert 42 == one.seed

    def test_other_seed(self):
        sample = bs.sample_portfolio()
        one = sample.forecast(D(2025, 1, 1), months=24, runs=600, seed=1)
        two = sample.forecast(D(2025, 1, 1), months=24, runs=600, seed=2)
        assert one.stats != two.stats

    def test_fresh_seed_is_reported(self):
        """Without a seed, the one drawn is in the result and reproduces it."""
        sample = bs.sample_portfolio()
        first = sample.forecast(D(2025, 1, 1), months=6, runs=300)
        again = sample.forecast(D(2025, 1, 1), months=6, runs=300, seed=first.seed)
        assert first == again


class TestNoLookAhead:
    """The model reads nothing after the start: later events change nothing."""

    def test_sample(self):
        sample = bs.sample_portfolio()
        for start in (D(2022, 1, 1), D(2024, 6, 15)):
            full = sample.forecast(start, months=12, runs=300, seed=8)
            known = truncated(sample, start).forecast(start, months=12, runs=300, seed=8)
            assert full.stats == known.stats
            assert full.outcomes == known.outcomes


def histories_strategy() -> st.SearchStrategy[list[tuple[dt.date, str]]]:
    day = st.dates(min_value=D(2019, 1, 1), max_value=D(2024, 12, 31))
    phase = st.sampled_from(bs.rulebook().phase_values)
    return st.lists(st.tuples(day, phase), min_size=1, max_size=5).map(sorted)


class TestConservation:
    """With no new products, every product is in exactly one phase each month."""

    @settings(max_examples=40)
    @given(
        st.lists(histories_strategy(), min_size=1, max_size=8),
        st.dates(min_value=D(2019, 6, 1), max_value=D(2025, 6, 1)),
        st.integers(1, 30),
        st.sampled_from([None, 12, 36]),
    )
    def test_counts_conserved_and_terminals_never_decrease(self, many, start, months, window):
        """Per run and month the counts sum to the products started; terminal counts only grow."""
        portfolio = bs.Portfolio([product(f"p{i}", *history) for i, history in enumerate(many)])
        hist = _forecast.histories(portfolio)
        started = int((hist.first_day[hist.first_day >= 0] <= start.toordinal()).sum())
        if not started:
            return
        fit = _forecast.fit(hist, start, window, 24)
        plan = _forecast.make_plan(
            hist,
            fit,
            start=start,
            months=months,
            within=months,
            entries=0.0,
            uncertain=True,
            by_group=False,
        )
        counts, _, outcome, _ = _forecast.simulate(plan, 37, 99, 1)
        assert (counts >= 0).all()
        assert (counts.sum(axis=2) == started).all()
        terminal = np.array(hist.terminal)
        assert (np.diff(counts[:, :, terminal], axis=1) >= 0).all()
        recorded = portfolio.phase_counts(start)
        assert [recorded.get(p, 0) for p in hist.phases] == counts[0, 0].tolist()
        assert (outcome.sum(axis=1)[hist.first_day <= start.toordinal()] == 37).all()


class TestResult:
    """Quantiles, bands, frames and reprs."""

    @pytest.fixture(scope="class")
    @classmethod
    def result(cls) -> bs.Forecast:
        return bs.sample_portfolio().forecast(
            D(2025, 1, 1), months=24, runs=500, seed=7, by="incubator"
        )

    def test_quantiles_are_ordered(self, result):
        for phase in result.phases:
            stats = result.stats[phase]
            for k in range(result.months + 1):
                values = [stats[q][k] for q in ("q05", "q25", "q50", "q75", "q95")]
                assert values == sorted(values)

    def test_bands(self, result):
        assert (result.stats["construction"]["q05"], result.stats["construction"]["q95"]) == (
            result.band("construction", 90)
        )
        assert (result.stats["construction"]["q25"], result.stats["construction"]["q75"]) == (
            result.band("construction", 50)
        )

    def test_groups_add_up_in_the_mean(self, result):
        """Means are additive: the incubators' means sum to the portfolio's."""
        for phase in result.phases:
            for k in (0, 12, 24):
                total = sum(result.groups[g][phase]["mean"][k] for g in result.groups)
                assert result.stats[phase]["mean"][k] == pytest.approx(total)

    def test_frame(self, result):
        frame = result.to_frame()
        assert ["month", "phase", "statistic", "value"] == list(frame.columns)
        assert (result.months + 1) * len(result.phases) * 6 == len(frame)
        assert "datetime64[ns]" == str(frame["month"].dtype)
        row = frame[
            (frame["month"] == "2026-01-01")
            & (frame["phase"] == "abandon")
            & (frame["statistic"] == "q95")
        ]
        assert [result.stats["abandon"]["q95"][12]] == row["value"].tolist()

    def test_frame_by_incubator(self, result):
        frame = result.to_frame(by="incubator")
        assert ["month", "incubator", "phase", "statistic", "value"] == list(frame.columns)
        assert sorted(result.groups) == sorted(frame["incubator"].unique())

    def test_repr_is_short(self, result):
        assert len(repr(result)) <= 200
        assert repr(result).startswith("Forecast(start=2025-01-01, months=24, runs=500")

    def test_dates(self, result):
        assert result.dates == tuple(add_months(D(2025, 1, 1), k) for k in range(25))


class TestBacktest:
    """Coverage and errors against the data, and the two naive forecasts, by hand."""

    def portfolio(self) -> bs.Portfolio:
        # One investigation starts on the first of each month for a year before the start
        # (1 on 2024-01-01 ... 13 on 2025-01-01), then two a month after it; none leaves.
        before = [product(f"b{i}", (add_months(START, i - 12), "investigation")) for i in range(13)]
        after = [
            product(
                f"a{i}", (add_months(START, 1 + i // 2) + dt.timedelta(days=i % 2), "investigation")
            )
            for i in range(12)
        ]
        return bs.Portfolio([*before, *after])

    def test_naive_forecasts_and_actual(self):
        portfolio = self.portfolio()
        result = portfolio.forecast(START, months=6, runs=300, seed=1)
        check = result.backtest(portfolio, until=D(2025, 7, 1))
        assert tuple(add_months(START, k) for k in range(1, 7)) == check.dates
        # 2025-02-01: the 13 before and a0 (a1 starts on the 2nd); then two more a month.
        assert (14, 16, 18, 20, 22, 24) == check.actual["investigation"]
        assert (13.0,) * 6 == check.carry["investigation"]
        # The 13 counts before are 1..13: a slope of 1 a month.
        assert pytest.approx([14, 15, 16, 17, 18, 19]) == list(check.trend["investigation"])
        assert tuple(range(1, 14)) == check.before["investigation"]
        assert (0,) * 6 == check.actual["construction"]

    def test_scores_follow_their_definition(self):
        portfolio = self.portfolio()
        result = portfolio.forecast(START, months=6, runs=300, seed=1)
        check = result.backtest(portfolio, until=D(2025, 7, 1))
        inside = {50: 0, 90: 0}
        errors = {"median": 0.0, "carry": 0.0, "trend": 0.0}
        for phase in check.phases:
            for k, actual in enumerate(check.actual[phase]):
                stats = result.stats[phase]
                inside[50] += stats["q25"][k + 1] <= actual <= stats["q75"][k + 1]
                inside[90] += stats["q05"][k + 1] <= actual <= stats["q95"][k + 1]
                errors["median"] += abs(stats["q50"][k + 1] - actual) / 6
                errors["carry"] += abs(check.carry[phase][k] - actual) / 6
                errors["trend"] += abs(check.trend[phase][k] - actual) / 6
        cells = 6 * len(check.phases)
        assert {50: inside[50] / cells, 90: inside[90] / cells} == pytest.approx(check.coverage)
        for method, total in errors.items():
            assert total == pytest.approx(check.total(method))
        assert check.beats_naive == (errors["median"] < min(errors["carry"], errors["trend"]))
        assert len(repr(check)) <= 200

    def test_until_limits_the_months(self):
        portfolio = self.portfolio()
        result = portfolio.forecast(START, months=6, runs=100, seed=1)
        assert 3 == len(result.backtest(portfolio, until=D(2025, 4, 15)).dates)

    def test_table(self):
        portfolio = self.portfolio()
        check = portfolio.forecast(START, months=6, runs=100, seed=1).backtest(
            portfolio, until=D(2025, 7, 1)
        )
        text = str(check)
        assert text.startswith(
            "calibrated up to 2025-01-01, compared monthly 2025-02-01..2025-07-01"
        )
        assert len(check.phases) + 3 == len(text.splitlines())

    def test_frame(self):
        portfolio = self.portfolio()
        check = portfolio.forecast(START, months=6, runs=100, seed=1).backtest(
            portfolio, until=D(2025, 7, 1)
        )
        frame = check.to_frame()
        assert 6 * len(check.phases) == len(frame)
        assert [14, 16, 18, 20, 22, 24] == frame[frame["phase"] == "investigation"][
            "actual"
        ].tolist()


class TestBadArguments:
    """Each bad argument raises InvalidArgument naming it, with a fix."""

    @pytest.mark.parametrize(
        ("kwargs", "argument"),
        [
            ({"months": 0}, "months"),
            ({"months": -3}, "months"),
            ({"months": True}, "months"),
            ({"months": 1.5}, "months"),
            ({"runs": 0}, "runs"),
            ({"runs": "10"}, "runs"),
            ({"seed": -1}, "seed"),
            ({"entries": -1.0}, "entries"),
            ({"entries": math.nan}, "entries"),
            ({"entries": math.inf}, "entries"),
            ({"entries": "5"}, "entries"),
            ({"by": "sponsor"}, "by"),
            ({"within": 0}, "within"),
            ({"within": 13}, "within"),
            ({"window": 0}, "window"),
            ({"entry_window": 0}, "entry_window"),
            ({"workers": 0}, "workers"),
        ],
    )
    def test_forecast_arguments(self, kwargs, argument):
        options = {"months": 12, "runs": 10, "seed": 1} | kwargs
        with pytest.raises(bs.InvalidArgument) as caught:
            CONSTANT.forecast(START, **options)
        assert argument == caught.value.argument
        assert f"{argument}=" in str(caught.value)
        assert "Fix: " in str(caught.value)

    def test_start_before_any_history(self):
        with pytest.raises(bs.InvalidArgument, match=r"start on or after 2024-01-07") as caught:
            CONSTANT.forecast(D(2020, 1, 1), months=3, runs=10)
        assert "start" == caught.value.argument

    def test_start_not_a_date(self):
        with pytest.raises(bs.InvalidArgument, match=r"datetime\.date"):
            CONSTANT.forecast(dt.datetime(2025, 1, 1), months=3, runs=10)  # type: ignore[arg-type]

    def test_empty_portfolio(self):
        with pytest.raises(bs.InvalidArgument, match="at least one phase"):
            bs.Portfolio([]).forecast(START, months=3, runs=10)

    def test_unknown_phase_statistic_group_level(self):
        result = CONSTANT.forecast(START, months=3, runs=10, seed=1)
        cases = [
            (lambda: result.series("build"), "phase"),
            (lambda: result.series("construction", "q10"), "statistic"),
            (lambda: result.series("construction", group="atelier"), "group"),
            (lambda: result.band("construction", 80), "level"),
            (lambda: result.to_frame(by="incubator"), "by"),
            (lambda: result.backtest(CONSTANT, until=D(2025, 1, 15)), "until"),
        ]
        for call, argument in cases:
            with pytest.raises(bs.InvalidArgument) as caught:
                call()
            assert argument == caught.value.argument

    def test_is_a_value_error_and_betastate_error(self):
        assert issubclass(bs.InvalidArgument, ValueError)
        assert issubclass(bs.InvalidArgument, bs.BetastateError)


class TestCompiledStep:
    """The compiled step: numpy's SFC64 stream, and the same numbers as its Python body."""

    @given(st.integers(0, 2**128))
    @settings(max_examples=25, deadline=None)
    def test_stream_is_numpys_sfc64(self, seed):
        kernel = pytest.importorskip("betastate._analytics.kernel")
        bits = np.random.SFC64(seed)
        state = np.array(bits.state["state"]["state"], dtype=np.uint64)
        assert np.array_equal(bits.random_raw(257), kernel.raw(state, 257))
        # The state advanced as numpy's did: the streams go on together.
        assert np.array_equal(bits.random_raw(3), kernel.raw(state, 3))

    # Each forecast's statistics and outcomes, as JSON, in a child process.
    CHILD = """
import json, sys, datetime as dt
import numpy as np
sys.path.insert(0, {tests!r})
import test_forecast as t
out = []
with np.errstate(over="ignore"):  # uint64 arithmetic wraps, as the compiled code's does
    for portfolio, kwargs in (
        (t.CONSTANT, dict(entries=0)),
        (t.COMPETING, dict(entries=1.5, by="incubator")),
        (t.COMPETING, dict(within=3)),
    ):
        f = portfolio.forecast(t.START, months=18, runs=120, seed=5, workers=1, **kwargs)
        out.append([f.stats, f.groups, f.outcomes])
print(json.dumps(out, default=dict))
"""

    def test_same_numbers_as_its_python_body(self, tmp_path):
        """
        With numba's compiler off, the kernel runs as plain Python: same draws, same numbers.

        It also shows that what numba compiles is the code that reads as it does.
        """
        code = self.CHILD.format(tests=str(Path(__file__).parent))
        run = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
        plain = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=run
        )
        compiled = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert json.loads(plain.stdout) == json.loads(compiled.stdout)
        assert json.loads(compiled.stdout)[1][1]  # by incubator: groups are there


class TestLightImport:
    def test_forecast_name_needs_no_numpy(self):
        """Naming betastate.Forecast loads the module, not numpy (numpy loads on first use)."""
        code = "import sys, betastate; betastate.Forecast; print('numpy' in sys.modules)"
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "False" == out.stdout.strip()

    def test_public_module(self):
        assert "betastate" == bs.Forecast.__module__
        assert "betastate" == bs.Backtest.__module__


class TestCommandLine:
    """`betastate forecast`: text, JSON, CSV, a plot, a backtest, and one-line errors."""

    def test_text(self, capsys):
        assert 0 == cli_main(["forecast", "--start", "2025-01-01", "--runs", "200", "--seed", "1"])
        out = capsys.readouterr().out
        assert out.startswith("forecast from 2025-01-01: 200 runs, seed 1")
        assert "construction" in out

    def test_json_matches_the_api(self, capsys):
        args = [
            "forecast",
            "--start",
            "2025-01-01",
            "--months",
            "12",
            "--runs",
            "200",
            "--seed",
            "3",
        ]
        assert 0 == cli_main([*args, "--format", "json"])
        data = json.loads(capsys.readouterr().out)
        result = bs.sample_portfolio().forecast(D(2025, 1, 1), months=12, runs=200, seed=3)
        assert list(result.stats["abandon"]["q50"]) == data["stats"]["abandon"]["q50"]
        assert 13 == len(data["dates"])

    def test_csv(self, capsys):
        args = ["forecast", "--start", "2025-01-01", "--months", "2", "--runs", "50", "--seed", "3"]
        assert 0 == cli_main([*args, "--format", "csv", "--by", "incubator"])
        lines = capsys.readouterr().out.splitlines()
        assert "month,incubator,phase,statistic,value" == lines[0]
        assert lines[1].startswith("2025-01-01,,investigation,q05,")

    def test_backtest_and_plots(self, capsys, tmp_path):
        pytest.importorskip("matplotlib")
        plot = tmp_path / "bt.png"
        args = ["forecast", "--backtest", "--runs", "200", "--seed", "1", "--plot", str(plot)]
        assert 0 == cli_main(args)
        out = capsys.readouterr().out
        assert "calibrated up to 2022-01-01" in out
        assert "calibrated up to 2023-01-01" in out
        assert "median beats both naive forecasts" in out
        for name in ("bt-2022-01-01.png", "bt-2023-01-01.png"):
            assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    def test_output_file(self, tmp_path, capsys):
        target = tmp_path / "out.txt"
        args = [
            "forecast",
            "--start",
            "2025-01-01",
            "--runs",
            "50",
            "--seed",
            "1",
            "-o",
            str(target),
        ]
        assert 0 == cli_main(args)
        assert target.read_text(encoding="utf-8").startswith("forecast from 2025-01-01")
        assert "wrote" in capsys.readouterr().err

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ([], "--start=None: a forecast needs its start date"),
            (["--start", "2025-01-01", "--runs", "0"], "runs=0: must be at least 1"),
            (["--start", "2010-01-01"], "is before any history"),
            (["--start", "2025-01-01", "--entries", "-2"], "entries=-2.0"),
        ],
    )
    def test_errors(self, args, message, capsys):
        assert 2 == cli_main(["forecast", *args])
        err = capsys.readouterr().err
        assert err.startswith("betastate: error: ")
        assert message in err
        assert 1 == len(err.strip().splitlines())

    def test_real_process(self):
        """The installed command runs in its own process."""
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "betastate",
                "forecast",
                "--start",
                "2025-01-01",
                "--runs",
                "50",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "median (90 % band)" in out.stdout
