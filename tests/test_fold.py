"""The fold a startup carries: the current state costs the same whatever the history's length."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import betastate as bs
from betastate._engine import state as _state

from .strategies import events, startups


LIFECYCLE = bs.Lifecycle()
TEAM = tuple(
    bs.Actor(role=role)
    for role in ("intrapreneur", "sponsor", "incubator", "portfolio-manager", "coach")
)


def _funded(spends: int) -> bs.Startup:
    """A startup in construction with a large envelope and ``spends`` spending lines."""
    startup = bs.Startup(slug="long-history", title="Long history")
    startup = LIFECYCLE.apply(
        startup,
        bs.Advance(
            on=dt.date(2024, 1, 8), to="investigation", by="sponsor", co_deciders=["incubator"]
        ),
    ).startup
    startup = LIFECYCLE.apply(
        startup,
        bs.HoldCommittee(
            on=dt.date(2024, 3, 4),
            by="sponsor",
            decision="continue",
            phase_change="construction",
            sponsor_budget_line=Decimal(200000),
            attendees=TEAM,
            grants=[bs.Grant(source="sponsor", amount=Decimal(10**9))],
        ),
    ).startup
    for _ in range(spends):
        startup = LIFECYCLE.apply(
            startup, bs.Spend(on=dt.date(2024, 3, 4), by="intrapreneur", amount=Decimal(1))
        ).startup
    return startup


class TestCarriedFold:
    def test_a_command_folds_only_its_own_events(self, monkeypatch: pytest.MonkeyPatch):
        """A command on a startup with a long history feeds the fold its new events only."""
        startup = _funded(300)
        LIFECYCLE.state(startup)  # the fold exists
        fed: list[object] = []
        feed = _state.Fold.feed
        monkeypatch.setattr(
            _state.Fold, "feed", lambda fold, event: (fed.append(event), feed(fold, event))[1]
        )

        outcome = LIFECYCLE.apply(
            startup, bs.Spend(on=dt.date(2024, 3, 4), by="intrapreneur", amount=Decimal(5))
        )
        LIFECYCLE.state(outcome.startup)
        LIFECYCLE.phase(outcome.startup)

        assert list(outcome.events) == fed

    def test_the_parent_keeps_its_state(self):
        """The startup a command started from keeps its state: the fold is copied, not shared."""
        startup = _funded(3)
        before = LIFECYCLE.state(startup)

        LIFECYCLE.apply(
            startup, bs.Spend(on=dt.date(2024, 3, 5), by="intrapreneur", amount=Decimal(7))
        )

        assert before == LIFECYCLE.state(startup)
        assert before == LIFECYCLE.state(attrs.evolve(startup))

    def test_the_memo_is_not_part_of_the_value(self):
        """Two startups with equal fields are equal, print alike and export alike, memo or not."""
        startup = _funded(2)
        LIFECYCLE.state(startup)
        fresh = attrs.evolve(startup)

        assert fresh == startup
        assert hash(fresh) == hash(startup)
        assert repr(fresh) == repr(startup)
        assert bs.to_data(fresh) == bs.to_data(startup)
        assert "_memo" not in repr(startup)

    def test_appended_events_are_checked(self):
        """The engine's fast path still refuses a non-event, naming its place in the history."""
        startup = _funded(1)

        with pytest.raises(TypeError, match=r"history\[4\]"):
            _state.append(startup, ("not an event",))  # type: ignore[arg-type]

    @given(
        base=startups,
        more=st.lists(events, max_size=6),
        probe=st.dates(min_value=dt.date(2013, 1, 1), max_value=dt.date(2031, 1, 1)),
    )
    def test_carried_fold_equals_a_fresh_fold(
        self, base: bs.Startup, more: list[bs.Event], probe: dt.date
    ):
        """Any history, in order or not, extended event by event, projects as a fresh fold does."""
        LIFECYCLE.state(base)  # fold the base history, then carry it
        grown = base
        for event in more:
            grown = _state.append(grown, (event,))
        fresh = attrs.evolve(grown)

        assert LIFECYCLE.state(fresh) == LIFECYCLE.state(grown)
        assert LIFECYCLE.phase(fresh) == LIFECYCLE.phase(grown)
        assert LIFECYCLE.state(fresh, on=probe) == LIFECYCLE.state(grown, on=probe)
        dates = (e.on for i, e in enumerate(grown.history, 1) if i not in grown.retracted)
        assert grown.last_event_date == max(dates, default=None)
