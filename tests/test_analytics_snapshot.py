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


TERMINAL = {"abandon", "abandon-investigation", "opere", "transfere"}
STOPS = {"abandon", "abandon-investigation"}


def raw_records(snapshot: Path) -> list[dict]:
    return [
        front_matter(path) for path in sorted((snapshot / "content" / "_startups").glob("*.md"))
    ]


def raw_line(record: dict, on: dt.date) -> list[str]:
    """The phase of each start date by ``on``: the site's winner, the first listed that day."""
    winners: dict[dt.date, str] = {}
    for phase in record.get("phases") or []:
        if phase["start"] <= on:
            winners.setdefault(phase["start"], phase["name"])
    return [winners[start] for start in sorted(winners)]


class TestSnapshotDefinitions:
    """The definitions of issue 14, pinned on the real data by independent readings."""

    def test_data_date_is_the_snapshot_date(self, portfolio):
        """The data's date falls within the month before the snapshot's commit (2026-08-20)."""
        assert D(2026, 7, 20) <= portfolio.data_date <= D(2026, 8, 20)

    def test_fast_laureates_are_events_or_blocks(self, snapshot, portfolio):
        """FAST laureates = products with a `fast` event or a `fast` block (48 on the snapshot)."""
        on = portfolio.data_date
        expected = sum(
            1
            for record in raw_records(snapshot)
            if "fast" in record
            or any(e.get("name") == "fast" and e["date"] <= on for e in record.get("events") or [])
        )
        laureates = portfolio.fast_laureates()
        assert expected == len(laureates) == portfolio.fast_outcomes().total
        assert 46 == sum(1 for x in laureates if x.source != "event")  # the README's 46 blocks
        assert 11 == sum(1 for x in laureates if x.source == "block")  # 11 blocks without event

    def test_national_impact(self, snapshot, portfolio):
        """Every `national_impact` event dated by the data's date is one designation."""
        on = portfolio.data_date
        expected = sorted(
            e["date"]
            for record in raw_records(snapshot)
            for e in record.get("events") or []
            if e.get("name") == "national_impact" and e["date"] <= on
        )
        assert expected == [d.on for d in portfolio.national_impact()]

    def test_last_funnel_step_converts(self, snapshot, portfolio):
        """The last step's exits are the products operated or transferred, and its rate is not 0."""
        on = portfolio.data_date
        last = portfolio.funnel()[-1]
        exits = sum(
            1
            for r in raw_records(snapshot)
            if (raw_line(r, on) or [""])[-1] in {"opere", "transfere"}
        )
        assert exits == last.exited
        assert last.rate is not None
        assert last.rate > 0.5

    def test_stop_kinds_are_apart(self, snapshot, portfolio):
        """Inconclusive investigations and stopped services count different products."""
        on = portfolio.data_date
        inconclusive = stopped = 0
        for record in raw_records(snapshot):
            line = raw_line(record, on)
            end = next((i for i, name in enumerate(line) if name in TERMINAL), None)
            service = next(
                (
                    i
                    for i, name in enumerate(line)
                    if name != "investigation" and name not in TERMINAL
                ),
                None,
            )
            if end is None or line[end] not in STOPS:
                continue
            if service is None or service > end:
                inconclusive += 1
            else:
                stopped += 1
        assert inconclusive == portfolio.survival(kind="inconclusive").observed
        assert stopped == portfolio.survival(kind="stopped").observed
        assert inconclusive + stopped == portfolio.survival(kind="stop").observed

    def test_reprs_are_short(self, portfolio):
        """Every result on the real portfolio prints in at most 200 characters."""
        values = [
            portfolio,
            portfolio.phase_counts(by="incubator"),
            portfolio.yearly_phase_counts(D(2014, 1, 1), by="incubator"),
            portfolio.funnel(),
            *portfolio.funnel(),
            portfolio.funnel(by="cohort"),
            portfolio.durations(by="incubator"),
            portfolio.survival(by="incubator"),
            portfolio.committee_cadence(),
            portfolio.fast_laureates(),
            portfolio.national_impact(),
            portfolio.team_counts(by="incubator"),
            portfolio.estimated_spend(D(2025, 8, 1)),
            portfolio.estimated_spend(D(2025, 8, 1), by="incubator"),
        ]
        assert [] == [repr(v) for v in values if len(repr(v)) > 200]
