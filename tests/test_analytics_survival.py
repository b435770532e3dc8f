"""Durations and survival: right-censoring and Kaplan-Meier, checked against hand computations."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

import pytest

import betastate as bs
from betastate._analytics import queries as _analytics


pytest.importorskip("lifelines")

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
        with pytest.raises(ValueError, match="construction"):
            _analytics.kaplan_meier([], [], label="construction")


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
            s.slug: s.observed
            for s in _analytics.outcome_spells(spans_portfolio(), D(2023, 1, 1), "exit")
        }
        assert {"a": False, "b": False, "c": True, "d": False} == exits

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
            [s for s in bs.sample_portfolio() if _analytics.timeline(s, bs.rulebook())]
        )
