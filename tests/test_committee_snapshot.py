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
        """
        Each overdue date is six months after a committee, or after the start, with none since.

        The state is read on the snapshot's own date (a running product is read on the date it
        is asked about: the data's, here), so products with no recorded committee owe one six
        months after they started.
        """
        on = portfolio.data_date
        overdue_total = 0
        for startup in portfolio:
            dates = committee_dates(startup)
            state = LIFECYCLE.state(startup, on=on)
            overdue_total += len(state.overdue_committees)
            for due in state.overdue_committees:
                before = [d for d in dates if d < due]
                after = [d for d in dates if d >= due]
                anchor = before[-1] if before else state.spans[0].start
                # More than six months after the committee (or start) before it: 181 days or more.
                assert (due - anchor).days >= 181, startup.slug
                assert not after or after[0] > due
                assert due < on
        # At most one date a gap between committees (114), and one a product still owing
        # committees (any phase but a stop) for its current gap: some are late, not all.
        owing = sum(1 for s in portfolio if LIFECYCLE.state(s, on=on).next_committee_due)
        assert 0 < overdue_total <= 114 + owing

    def test_money_is_empty_in_the_data(self, portfolio):
        """The public data records no envelopes: nothing granted, nothing spent."""
        assert all(0 == LIFECYCLE.state(s).granted_total for s in portfolio)
