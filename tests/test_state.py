"""Projections: phase on a date, spans and as-of states agree with each other and with the rule."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

import betastate as bs

from .strategies import dates, phase_names


LIFECYCLE = bs.Lifecycle()
RANK_LIFECYCLE = bs.Lifecycle(LIFECYCLE.rulebook.derive(tie="rank"))
RANK = {p.value: p.rank for p in LIFECYCLE.rulebook.phases}

entries = st.lists(st.builds(bs.PhaseEntered, on=dates, phase=phase_names), min_size=0, max_size=7)


def oracle(history: list[bs.PhaseEntered], day: dt.date) -> str | None:
    """The site's rule written out: latest start on or before `day`, the first listed wins."""
    started = [e for e in history if e.on <= day]
    return max(started, key=lambda e: e.on).phase if started else None


def rank_oracle(history: list[bs.PhaseEntered], day: dt.date) -> str | None:
    """The rank rule written out: latest start on or before `day`, ties by rank, then order."""
    started = [(e.on, RANK[e.phase], i, e.phase) for i, e in enumerate(history) if e.on <= day]
    return max(started)[3] if started else None


class TestPhaseOnADate:
    @given(entries, dates)
    def test_matches_the_rule(self, history, day):
        """Lifecycle.state(on=...).phase follows the site's tie rule for any history."""
        startup = bs.Startup(slug="p", title="P", history=history)

        assert oracle(history, day) == LIFECYCLE.state(startup, on=day).phase

    @given(entries, dates)
    def test_matches_the_rank_rule(self, history, day):
        """Under a rulebook with tie = "rank", the phase follows the rank rule."""
        startup = bs.Startup(slug="p", title="P", history=history)

        assert rank_oracle(history, day) == RANK_LIFECYCLE.state(startup, on=day).phase

    @given(entries)
    def test_phase_is_the_current_state(self, history):
        """Lifecycle.phase equals the current state's phase under both rules."""
        startup = bs.Startup(slug="p", title="P", history=history)

        for lifecycle in (LIFECYCLE, RANK_LIFECYCLE):
            assert lifecycle.state(startup).phase == lifecycle.phase(startup)

    @given(entries, dates)
    def test_last_span_is_the_phase(self, history, day):
        """The last span known on a date is the phase on that date, and it is still open."""
        state = LIFECYCLE.state(bs.Startup(slug="p", title="P", history=history), on=day)

        if state.phase is None:
            assert () == state.spans
        else:
            assert state.phase == state.spans[-1].phase
            assert state.spans[-1].end is None

    @given(entries)
    def test_spans_tile_the_history(self, history):
        """Without explicit ends, each span ends where the next one starts."""
        spans = LIFECYCLE.state(bs.Startup(slug="p", title="P", history=history)).spans

        assert len(history) == len(spans)
        for current, following in itertools.pairwise(spans):
            assert current.end == following.start
            assert current.start <= following.start

    @given(entries, dates)
    def test_as_of_sees_only_the_past(self, history, day):
        """The state on a date holds exactly the events dated on or before it."""
        startup = bs.Startup(slug="p", title="P", history=history)

        assert tuple(e for e in history if e.on <= day) == LIFECYCLE.state(startup, on=day).events

    @given(entries)
    def test_the_default_date_is_as_of(self, history):
        """The state with no date is the state on the as-of date: one definition."""
        startup = bs.Startup(slug="p", title="P", history=history)

        assert LIFECYCLE.state(startup) == LIFECYCLE.state(startup, on=LIFECYCLE.as_of(startup))


LATER = dt.date(2031, 6, 1)  # after every date the strategies draw


class TestAsOf:
    """``state()`` reads a running startup today and an ended one on its last event."""

    @given(entries)
    def test_a_running_startup_is_read_today(self, history):
        """Running (its phase not terminal): today; ended or not started: its last event."""
        lifecycle = bs.Lifecycle(clock=lambda: LATER)
        startup = bs.Startup(slug="p", title="P", history=history)
        phase = lifecycle.phase(startup)
        running = phase is not None and not lifecycle.rulebook.is_terminal(phase)

        expected = LATER if running else startup.last_event_date
        assert expected == lifecycle.as_of(startup) == lifecycle.state(startup).on

    def test_a_later_event_than_today_is_the_date(self):
        """A running startup whose last event is after today is read on that event."""
        lifecycle = bs.Lifecycle(clock=lambda: dt.date(2024, 1, 1))
        startup = bs.Startup(
            slug="p",
            title="P",
            history=[bs.PhaseEntered(on=dt.date(2024, 6, 1), phase="investigation")],
        )

        assert dt.date(2024, 6, 1) == lifecycle.as_of(startup)

    @given(entries, st.dates(min_value=dt.date(2013, 1, 1), max_value=dt.date(2031, 1, 1)))
    def test_overdue_from_the_due_date_it_reports(self, history, day):
        """A committee is overdue exactly when the date is past the due date the state gives."""
        state = LIFECYCLE.state(bs.Startup(slug="p", title="P", history=history), on=day)

        if state.next_committee_due is not None:
            assert (day > state.next_committee_due) == (
                state.next_committee_due in state.overdue_committees
            )
        assert all(due < day for due in state.overdue_committees)
