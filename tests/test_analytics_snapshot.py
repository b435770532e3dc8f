"""On the real snapshot: as-of counts equal an independent reading of the raw front matter."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
import yaml

import betastate as bs


D = dt.date
DATES = (D(2024, 1, 1), D(2025, 1, 1), D(2026, 1, 1))

# The rank tie rule, written out again for this test: on a same-day tie the
# later stage wins; each stop sits after the stage it stops, exits come last.
RANK = {
    "investigation": 1,
    "abandon-investigation": 2,
    "construction": 3,
    "acceleration": 4,
    "consolidation": 5,
    "abandon": 6,
    "opere": 7,
    "transfere": 7,
}


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    _, head, _ = text.split("---\n", 2)
    return yaml.safe_load(head)


def raw_counts(snapshot: Path, on: dt.date, tie: str = "first-listed") -> Counter[str]:
    """
    Phase on ``on`` of every startup file under a tie rule.

    first-listed is the site's ``phases.max_by { |phase| phase['start'] }`` (Python's
    ``max`` also keeps the first maximum); rank is latest start, then rank, then list order.
    """
    counts: Counter[str] = Counter()
    for path in sorted((snapshot / "content" / "_startups").glob("*.md")):
        phases = [p for p in front_matter(path).get("phases") or [] if p["start"] <= on]
        if not phases:
            continue
        if tie == "first-listed":
            counts[max(phases, key=lambda phase: phase["start"])["name"]] += 1
        else:
            started = [
                (phase["start"], RANK.get(phase["name"], 0), index, phase["name"])
                for index, phase in enumerate(phases)
            ]
            counts[max(started)[3]] += 1
    return counts


@pytest.fixture(scope="module")
def portfolio(snapshot: Path) -> bs.Portfolio:
    return bs.load_portfolio(snapshot)


class TestSnapshotCounts:
    """phase_counts on the snapshot equals the raw front matter read independently."""

    @pytest.mark.parametrize("on", DATES, ids=[d.isoformat() for d in DATES])
    def test_phase_counts(self, snapshot, portfolio, on):
        """Same counts for every phase on 2024-01-01, 2025-01-01 and 2026-01-01 (site's rule)."""
        expected = raw_counts(snapshot, on)
        actual = {phase: n for phase, n in portfolio.phase_counts(on).items() if n}
        assert dict(expected) == actual

    @pytest.mark.parametrize("on", DATES, ids=[d.isoformat() for d in DATES])
    def test_phase_counts_rank_rule(self, snapshot, portfolio, on):
        """A rulebook with the rank tie rule counts as the rank rule says."""
        book = bs.rulebook().derive(tie="rank")
        expected = raw_counts(snapshot, on, tie="rank")
        actual = {phase: n for phase, n in portfolio.phase_counts(on, rulebook=book).items() if n}
        assert dict(expected) == actual

    def test_independent_side_is_not_trivial(self, snapshot):
        """The raw reading sees hundreds of products and every phase by 2026."""
        counts = raw_counts(snapshot, D(2026, 1, 1))
        assert sum(counts.values()) > 600
        assert set(RANK) == set(counts)

    def test_monthly_series_agrees_on_those_dates(self, portfolio):
        """The monthly sweep gives the same numbers as the single-date query."""
        series = portfolio.monthly_phase_counts(D(2013, 1, 1), D(2026, 12, 1))
        assert 168 == len(series)
        for on in DATES:
            assert portfolio.phase_counts(on) == series[on]

    def test_by_incubator_adds_up(self, portfolio):
        """Grouping by incubator splits the same total."""
        on = D(2025, 1, 1)
        grouped = portfolio.phase_counts(on, by="incubator")
        assert sum(portfolio.phase_counts(on).values()) == sum(
            sum(counts.values()) for counts in grouped.values()
        )
