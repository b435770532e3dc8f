"""Forecasts on the real snapshot: the backtest acceptance, conservation, no look-ahead."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

import betastate as bs
from betastate._analytics import forecast as _forecast


np = pytest.importorskip("numpy")

D = dt.date
DOCS = Path(__file__).resolve().parent.parent / "docs" / "forecast.md"


@pytest.fixture(name="portfolio", scope="module")
def _portfolio(snapshot: Path) -> bs.Portfolio:
    return bs.load_portfolio(snapshot)


class TestBacktestAcceptance:
    """Calibrated up to 2023-01-01 and compared monthly with 2023-2025 (issue 15)."""

    def test_from_2023(self, portfolio):
        (result,) = _forecast.backtests(
            portfolio, [D(2023, 1, 1)], D(2026, 1, 1), runs=4000, seed=7
        )
        assert 36 == len(result.dates)
        assert result.coverage[90] >= 0.80, str(result)
        assert result.beats_naive, str(result)

    def test_from_2022_beats_the_naive_forecasts(self, portfolio):
        (result,) = _forecast.backtests(
            portfolio, [D(2022, 1, 1)], D(2026, 1, 1), runs=4000, seed=7
        )
        assert 48 == len(result.dates)
        assert result.beats_naive, str(result)


class TestSnapshotInvariants:
    def test_month_zero_is_phase_counts(self, portfolio):
        """The start's counts are the lifecycle's, through the public phase rule."""
        for start in (D(2019, 3, 15), D(2023, 1, 1), D(2026, 1, 1)):
            result = portfolio.forecast(start, months=2, runs=50, seed=1)
            counts = portfolio.phase_counts(start)
            assert {p: float(counts[p]) for p in result.phases} == {
                p: result.stats[p]["q50"][0] for p in result.phases
            }

    def test_no_look_ahead(self, portfolio):
        """Removing every event after the start changes no number."""
        start = D(2023, 1, 1)
        known = bs.Portfolio(
            [
                attrs.evolve(s, history=tuple(e for e in s.history if e.on <= start))
                for s in portfolio
            ]
        )
        full = portfolio.forecast(start, months=36, runs=400, seed=5)
        past = known.forecast(start, months=36, runs=400, seed=5)
        assert full.stats == past.stats
        assert full.outcomes == past.outcomes

    def test_counts_conserved_without_entries(self, portfolio):
        start = D(2026, 1, 1)
        hist = _forecast.histories(portfolio)
        fit = _forecast.fit(hist, start, 36, 24)
        plan = _forecast.make_plan(
            hist,
            fit,
            start=start,
            months=60,
            within=60,
            entries=0.0,
            uncertain=True,
            by_group=False,
        )
        counts, _, _, _ = _forecast.simulate(plan, 300, 3, 2)
        started = sum(portfolio.phase_counts(start).values())
        assert (counts.sum(axis=2) == started).all()
        terminal = np.array(hist.terminal)
        assert (np.diff(counts[:, :, terminal], axis=1) >= 0).all()

    def test_batch_weighs_as_one(self, portfolio):
        """The 45 ANCT investigations of 2021-06-01, all closed on 2021-11-01, weigh 1/45 each."""
        hist = _forecast.histories(portfolio)
        slug = hist.slugs.index("anct-pni-1")
        assert [1 / 45, 1 / 45] == pytest.approx(
            hist.span_weight[hist.span_product == slug].tolist()
        )
        other = hist.slugs.index("aidantsconnect")
        assert {1.0} == set(hist.span_weight[hist.span_product == other].tolist())

    def test_by_incubator(self, portfolio):
        result = portfolio.forecast(D(2026, 1, 1), months=24, runs=300, seed=2, by="incubator")
        assert {s.incubator or "(none)" for s in portfolio} == set(result.groups)
        for phase in result.phases:
            total = sum(result.groups[g][phase]["mean"][24] for g in result.groups)
            assert result.stats[phase]["mean"][24] == pytest.approx(total)


class TestDocumentedBacktest:
    def test_docs_show_what_the_command_prints(self, snapshot):
        """docs/forecast.md shows `betastate forecast SNAPSHOT --backtest --seed 2026` verbatim.

        If the model changes, rerun that command and paste its output in the guide.
        """
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "betastate",
                "forecast",
                str(snapshot),
                "--backtest",
                "--seed",
                "2026",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        page = DOCS.read_text(encoding="utf-8")
        block = re.search(r"<!-- backtest -->\n```text\n(.*?)\n```", page, re.DOTALL)
        assert block is not None, "docs/forecast.md lost its backtest block"
        assert out == block.group(1)
