"""Committees in the real beta.gouv.fr snapshot: the brief's counts, and the cadence projection."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

import betastate as bs


LIFECYCLE = bs.Lifecycle()


@pytest.fixture(name="portfolio", scope="module")
def _portfolio(snapshot) -> bs.Portfolio:
    return bs.load_portfolio(snapshot)


def committee_dates(startup: bs.Startup) -> list[dt.date]:
    return sorted(e.on for e in startup.history if isinstance(e, bs.CommitteeHeld))


class TestSnapshotCommittees:
    def test_brief_counts(self, portfolio):
        """Brief §6.2 [DATA]: 101 of 662 products record committees; 114 gaps, median 194 days."""
        with_committees = [s for s in portfolio if committee_dates(s)]
        gaps = [
            (later - earlier).days
            for s in with_committees
            for earlier, later in zip(committee_dates(s), committee_dates(s)[1:], strict=False)
        ]

        assert (662, 101) == (len(portfolio), len(with_committees))
        assert 114 == len(gaps)
        assert 194 == statistics.median(gaps)

    def test_committees_due_follow_the_phase(self, portfolio):
        """Stopped products owe no committee; every other product has a next committee due."""
        for startup in portfolio:
            state = LIFECYCLE.state(startup)
            if state.phase is None:
                continue
            stopped = LIFECYCLE.rulebook.phase(state.phase).stop
            assert stopped == (state.next_committee_due is None), startup.slug

    def test_overdue_dates_sit_in_long_gaps(self, portfolio):
        """Each overdue date falls after a recorded committee and before the next one, if any."""
        overdue_total = 0
        for startup in portfolio:
            dates = committee_dates(startup)
            state = LIFECYCLE.state(startup)
            overdue_total += len(state.overdue_committees)
            for due in state.overdue_committees:
                before = [d for d in dates if d < due]
                after = [d for d in dates if d >= due]
                assert before, startup.slug
                # More than six months after the committee before it (at least 181 days).
                assert (due - before[-1]).days >= 181
                assert not after or after[0] > due
        # The data's median gap is about 6.4 months: some committees are late, not all.
        assert 0 < overdue_total < 114 + 101

    def test_money_is_empty_in_the_data(self, portfolio):
        """The public data records no envelopes: nothing granted, nothing spent."""
        assert all(0 == LIFECYCLE.state(s).granted_total for s in portfolio)
