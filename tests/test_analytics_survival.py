"""Durations and survival: right-censoring and Kaplan-Meier, by hand and against lifelines."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import betastate as bs
from betastate._analytics import survival as _analytics
from betastate._analytics.queries import timeline


D = dt.date
Z95 = 1.959963984540054  # two-sided 95 % normal quantile


def hand_km(days, observed):
    """Kaplan-Meier by hand, in exact fractions, and the Greenwood sums."""
    survival = Fraction(1)
    greenwood = Fraction(0)
    out = {}
    for t in sorted({d for d, o in zip(days, observed, strict=True) if o}):
        at_risk = sum(1 for d in days if d >= t)
        deaths = sum(1 for d, o in zip(days, observed, strict=True) if o and d == t)
        survival *= Fraction(at_risk - deaths, at_risk)
        greenwood += Fraction(deaths, at_risk * (at_risk - deaths)) if at_risk > deaths else 0
        out[t] = (survival, greenwood)
    return out


class TestKaplanMeier:
    """A hand-computed example with censoring is reproduced exactly."""

    # Seven spells: 2, 3, 5, 8 ended; 3, 6, 9 still running (censored).
    DAYS = (2, 3, 3, 5, 6, 8, 9)
    OBSERVED = (True, True, False, True, False, True, False)

    def test_survival_by_hand(self):
        """S(2)=6/7, S(3)=5/7, S(5)=15/28, S(8)=15/56, flat between events."""
        curve = _analytics.kaplan_meier(self.DAYS, self.OBSERVED, label="x")
        expected = {
            0: Fraction(1),
            2: Fraction(6, 7),
            3: Fraction(5, 7),
            5: Fraction(15, 28),
            6: Fraction(15, 28),
            8: Fraction(15, 56),
            9: Fraction(15, 56),
        }
        assert list(expected) == [int(t) for t in curve.timeline]
        for t, value in zip(curve.timeline, curve.survival, strict=True):
            assert float(expected[int(t)]) == pytest.approx(value, rel=1e-12, abs=0)
        assert (7, 4, 3) == (curve.n, curve.observed, curve.censored)

    def test_quantiles_by_hand(self):
        """Median 8 (S(5)=0.54 > 0.5 >= S(8)); q1 3 (S(3)=0.71); q3 never reached."""
        curve = _analytics.kaplan_meier(self.DAYS, self.OBSERVED)
        assert 8 == curve.median.days
        assert 3 == curve.q1.days
        assert curve.q3.days is None

    def test_band_is_exponential_greenwood(self):
        """The 95 % band is exp(-exp(log(-log S) +- z sqrt(V))), V = sum d/(n(n-d)) / log(S)^2."""
        curve = _analytics.kaplan_meier(self.DAYS, self.OBSERVED)
        hand = hand_km(self.DAYS, self.OBSERVED)
        bands = dict(
            zip(
                [int(t) for t in curve.timeline],
                zip(curve.lower, curve.upper, strict=True),
                strict=True,
            )
        )
        for t, (survival, greenwood) in hand.items():
            s = float(survival)
            spread = Z95 * math.sqrt(float(greenwood)) / abs(math.log(s))
            lower = math.exp(-math.exp(math.log(-math.log(s)) + spread))
            upper = math.exp(-math.exp(math.log(-math.log(s)) - spread))
            assert lower == pytest.approx(bands[t][0], rel=1e-9)
            assert upper == pytest.approx(bands[t][1], rel=1e-9)
        # The median's interval: where each bound first falls to 0.5 or below.
        lower_cross = next((t for t in sorted(bands) if bands[t][0] <= 0.5), None)
        upper_cross = next((t for t in sorted(bands) if bands[t][1] <= 0.5), None)
        assert (lower_cross, upper_cross) == (curve.median.lower, curve.median.upper)

    def test_no_spells_is_refused(self):
        """An empty curve is an error naming the curve."""
        with pytest.raises(bs.exceptions.InvalidArgument, match="construction"):
            _analytics.kaplan_meier([], [], label="construction")


def lifelines_curve(days, observed):
    """lifelines' KaplanMeierFitter on the same spells: curve, band and quantiles."""
    lifelines = pytest.importorskip("lifelines")
    qth_survival_times = pytest.importorskip("lifelines.utils").qth_survival_times

    fitter = lifelines.KaplanMeierFitter(alpha=0.05)
    fitter.fit(list(days), event_observed=list(observed), label="km")
    band = fitter.confidence_interval_
    survival = fitter.survival_function_["km"]

    def quantile(level, values):
        found = float(qth_survival_times(level, values))
        return found if math.isfinite(found) else None

    quantiles = [
        tuple(quantile(level, values) for values in (survival, band.iloc[:, 0], band.iloc[:, 1]))
        for level in (0.5, 0.75, 0.25)
    ]
    return (
        [float(t) for t in survival.index],
        survival.to_list(),
        band.iloc[:, 0].to_list(),
        band.iloc[:, 1].to_list(),
        quantiles,
    )


spells = st.integers(1, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 60), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
    )
)


class TestAgainstLifelines:
    """The plain-Python estimate is lifelines' KaplanMeierFitter, number for number."""

    @given(spells)
    def test_same_curve_band_and_quantiles(self, pair):
        """Any spells (ties, zeros, all censored, all ended): lifelines' curve, band, quantiles."""
        pytest.importorskip("lifelines")
        days, observed = pair
        timeline_, survival, lower, upper, quantiles = lifelines_curve(days, observed)
        curve = _analytics.kaplan_meier(days, observed)
        assert timeline_ == list(curve.timeline)
        assert survival == pytest.approx(list(curve.survival), rel=1e-12, abs=1e-15)
        assert lower == pytest.approx(list(curve.lower), rel=1e-9, abs=1e-12)
        assert upper == pytest.approx(list(curve.upper), rel=1e-9, abs=1e-12)
        mine = [(e.days, e.lower, e.upper) for e in (curve.median, curve.q1, curve.q3)]
        assert quantiles == mine

    def test_no_lifelines_import(self):
        """Estimating a curve imports neither lifelines nor pandas (the report stays fast)."""
        code = (
            "import sys; from betastate._analytics.survival import kaplan_meier; "
            "kaplan_meier([1, 2, 3], [True, False, True]); "
            "print([m for m in ('lifelines', 'pandas', 'numpy') if m in sys.modules])"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "[]" == done.stdout.strip()


def spans_portfolio() -> bs.Portfolio:
    def startup(slug, *phases, extra=()):
        history = tuple(bs.PhaseEntered(on=on, phase=phase) for on, phase in phases)
        return bs.Startup(slug=slug, title=slug, history=history + tuple(extra))

    return bs.Portfolio(
        [
            startup("a", (D(2020, 1, 1), "investigation"), (D(2020, 3, 1), "construction")),
            startup(  # a same-day stop, listed first so that it is current (the site's rule)
                "b", (D(2020, 1, 1), "abandon-investigation"), (D(2020, 1, 1), "investigation")
            ),
            startup(
                "c",
                (D(2021, 1, 1), "investigation"),
                (D(2021, 2, 1), "construction"),
                (D(2022, 2, 1), "transfere"),
            ),
            startup(
                "d",
                (D(2021, 1, 1), "construction"),
                extra=(bs.PhaseEnded(on=D(2021, 7, 1), phase="construction"),),
            ),
            startup("e", (D(2024, 1, 1), "construction")),  # after the date: ignored
        ]
    )


class TestSpells:
    """Spans become spells, censored when still running on the date."""

    def test_phase_spells(self):
        """Ended spans observed, the running one censored on the date, terminal ones skipped."""
        spells = _analytics.phase_spells(spans_portfolio(), D(2023, 1, 1))
        assert {""} == {s.group for s in spells}
        actual = sorted((s.slug, s.key, s.days, s.observed) for s in spells)
        assert [
            ("a", "construction", (D(2023, 1, 1) - D(2020, 3, 1)).days, False),
            ("a", "investigation", 60, True),
            ("b", "investigation", 0, True),  # same-day stop: zero days, kept
            ("c", "construction", 365, True),
            ("c", "investigation", 31, True),
            ("d", "construction", 181, True),  # explicit end
        ] == actual

    def test_outcome_spells(self):
        """Time to stop censors handovers at their date and running products on the date."""
        spells = {
            s.slug: (s.days, s.observed)
            for s in _analytics.outcome_spells(spans_portfolio(), D(2023, 1, 1), "stop")
        }
        assert {
            "a": ((D(2023, 1, 1) - D(2020, 1, 1)).days, False),
            "b": (0, True),
            "c": (396, False),
            "d": ((D(2023, 1, 1) - D(2021, 1, 1)).days, False),
        } == spells
        exits = {
            s.slug: (s.start, s.observed)
            for s in _analytics.outcome_spells(spans_portfolio(), D(2023, 1, 1), "exit")
        }
        # Exits are measured for services, from their first service phase; b never was one.
        assert {
            "a": (D(2020, 3, 1), False),
            "c": (D(2021, 2, 1), True),
            "d": (D(2021, 1, 1), False),
        } == exits

    def test_durations_per_phase(self):
        """Durations give one curve per non-terminal phase with its counts."""
        curves = spans_portfolio().durations(D(2023, 1, 1))
        assert ["investigation", "construction"] == list(curves)
        construction = curves["construction"]
        assert (3, 2, 1) == (construction.n, construction.observed, construction.censored)
        # Ended 181 and 365 days, one censored at 1037: S drops to 2/3 at 181, 1/3 at 365.
        assert 365 == construction.median.days
        assert 1 == curves["investigation"].same_day

    def test_survival_by_group(self):
        """Grouped survival gives one curve per incubator."""
        curves = bs.sample_portfolio().survival(D(2026, 6, 1), "stop", by="incubator")
        assert len(curves) >= 2
        assert sum(c.n for c in curves.values()) == len(
            [s for s in bs.sample_portfolio() if timeline(s, bs.rulebook())]
        )

    def test_durations_by_group(self):
        """Durations per incubator are the durations of each incubator's portfolio."""
        sample = bs.sample_portfolio()
        grouped = sample.durations(D(2026, 6, 1), by="incubator")
        for incubator, curves in grouped.items():
            alone = sample.where(incubator=incubator).durations(D(2026, 6, 1))
            assert alone == curves


def stops_portfolio() -> bs.Portfolio:
    def startup(slug, *phases):
        history = tuple(bs.PhaseEntered(on=on, phase=phase) for on, phase in phases)
        return bs.Startup(slug=slug, title=slug, history=history)

    return bs.Portfolio(
        [
            # An investigation that ended without a service: inconclusive after 100 days.
            startup(
                "inv-stop",
                (D(2020, 1, 1), "investigation"),
                (D(2020, 4, 10), "abandon-investigation"),
            ),
            # A service stopped 400 days after its construction began.
            startup(
                "svc-stop",
                (D(2020, 1, 1), "investigation"),
                (D(2020, 3, 1), "construction"),
                (D(2021, 4, 5), "abandon"),
            ),
            # A service transferred: an exit, censored for stops.
            startup("exit", (D(2020, 1, 1), "construction"), (D(2022, 1, 1), "transfere")),
            # Started in construction: never an investigation to conclude.
            startup("running", (D(2021, 1, 1), "construction")),
            # Still investigating on the date.
            startup("inv-running", (D(2022, 6, 1), "investigation")),
            # Stopped directly at its first phase (seen in the data): inconclusive, 0 days.
            startup("direct", (D(2021, 1, 1), "abandon-investigation")),
        ]
    )


class TestStopKinds:
    """Inconclusive investigations and stopped services are kept apart."""

    ON = D(2023, 1, 1)

    def spells(self, kind):
        return {
            s.slug: (s.start, s.days, s.observed)
            for s in _analytics.outcome_spells(stops_portfolio(), self.ON, kind)
        }

    def test_inconclusive(self):
        """Investigations, from their start, until a stop; advancing to a service censors them."""
        assert {
            "inv-stop": (D(2020, 1, 1), 100, True),
            "svc-stop": (D(2020, 1, 1), 60, False),  # became a service on 2020-03-01
            "inv-running": (D(2022, 6, 1), (self.ON - D(2022, 6, 1)).days, False),
            "direct": (D(2021, 1, 1), 0, True),
        } == self.spells("inconclusive")

    def test_stopped(self):
        """Services, from their first service phase, until a stop; exits censored."""
        assert {
            "svc-stop": (D(2020, 3, 1), 400, True),
            "exit": (D(2020, 1, 1), (D(2022, 1, 1) - D(2020, 1, 1)).days, False),
            "running": (D(2021, 1, 1), (self.ON - D(2021, 1, 1)).days, False),
        } == self.spells("stopped")

    def test_stop_mixes_both(self):
        """The old "stop" counts both kinds of stop from the first phase."""
        observed = {slug for slug, (_, _, seen) in self.spells("stop").items() if seen}
        assert {"inv-stop", "svc-stop", "direct"} == observed

    def test_default_kind_is_stopped_services(self):
        """`survival()` without a kind measures stopped services."""
        curve = stops_portfolio().survival(self.ON)
        assert ("stopped", 3, 1) == (curve.label, curve.n, curve.observed)

    def test_unknown_kind(self):
        """A misspelt kind is named with the closest one."""
        with pytest.raises(bs.exceptions.InvalidArgument, match="did you mean 'stopped'"):
            stops_portfolio().survival(self.ON, "stoped")  # type: ignore[arg-type]
