"""The lifecycle as a hypothesis state machine: random command sequences against invariants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import betastate as bs

from .test_lifecycle import DOCUMENTED, PHASES, PIVOTS, POST_MORTEM, STOPS


LIFECYCLE = bs.Lifecycle()
RULE_IDS = {r.id for r in LIFECYCLE.rulebook.rules}


class LifecycleMachine(RuleBasedStateMachine):
    """Drives one startup with random Advance/Launch/Record commands, some invalid."""

    def __init__(self) -> None:
        super().__init__()
        self.startup = bs.Startup(slug="aleatoire", title="Aléatoire")
        self.today = dt.date(2020, 1, 1)
        self.terminal_phase: str | None = None
        self.refusals = 0

    def _apply(self, command: bs.Command) -> bs.Outcome | None:
        before = self.startup
        verdict = LIFECYCLE.check(before, command)
        try:
            outcome = LIFECYCLE.apply(before, command)
        except bs.TransitionRefused as refusal:
            # A refusal changes nothing and says why, with known rule ids.
            assert before is self.startup
            assert refusal.reasons
            assert refusal.reasons == verdict.errors
            assert {r.rule for r in refusal.reasons} <= RULE_IDS
            self.refusals += 1
            return None
        assert verdict.accepted
        self.startup = outcome.startup
        self.today = max(self.today, command.on)
        return outcome

    @rule(
        dest=st.sampled_from(PHASES),
        # Mostly roles that may decide, so runs go deep into the lifecycle.
        role=st.sampled_from([bs.Role.SPONSOR, bs.Role.INVESTMENT_COMMITTEE] * 4 + list(bs.Role)),
        days=st.integers(-30, 400),
        budget=st.sampled_from([None, Decimal(100000), Decimal(150000), Decimal(250000)]),
        # Mostly the incubator, so the joint decision T00 can pass (brief §2.2).
        co_deciders=st.sampled_from([[bs.Role.INCUBATOR]] * 3 + [[], [bs.Role.COACH]]),
    )
    def advance(self, dest, role, days, budget, co_deciders):
        source = LIFECYCLE.phase(self.startup)
        command = bs.Advance(
            on=self.today + dt.timedelta(days=days),
            to=dest,
            by=role,
            co_deciders=co_deciders,
            sponsor_budget_line=budget,
            post_mortem=POST_MORTEM if dest in STOPS else None,
        )
        if self._apply(command) is not None:
            # No move the rulebook forbids ever succeeds.
            assert (source, dest) in DOCUMENTED or (source, dest) in PIVOTS
            event(f"reached {dest}")

    @rule(data=st.data(), days=st.integers(0, 400))
    def advance_along_an_open_move(self, data, days):
        """Pick one of the moves the engine lists as open: it must be accepted."""
        moves = LIFECYCLE.moves(self.startup, on=self.today + dt.timedelta(days=days))
        if not moves:
            return
        move = data.draw(st.sampled_from(moves))
        day = self.today + dt.timedelta(days=days)
        if move.at_committee:  # a move decided at committee needs one that day (N1)
            self.hold_a_committee(days)
        command = bs.Advance(
            on=day,
            to=move.to,
            by=data.draw(st.sampled_from(move.deciders)),
            co_deciders=[data.draw(st.sampled_from(move.co_deciders))] if move.co_deciders else [],
            sponsor_budget_line=Decimal(200000),
            post_mortem=POST_MORTEM if move.to in STOPS else None,
        )
        assert self._apply(command) is not None
        event(f"reached {move.to}")

    @rule(days=st.integers(-30, 200))
    def hold_a_committee(self, days):
        """Record that a committee was held, as the incubator guaranteeing it (D-COMITE)."""
        committee = bs.CommitteeHeld(on=self.today + dt.timedelta(days=days))
        self._apply(bs.Record(event=committee, by=bs.Role.INCUBATOR))

    @rule(days=st.integers(-30, 200))
    def launch(self, days):
        self._apply(bs.Launch(on=self.today + dt.timedelta(days=days), by=bs.Role.INTRAPRENEUR))

    @rule(days=st.integers(-30, 200), text=st.text(max_size=20))
    def note(self, days, text):
        event = bs.Note(on=self.today + dt.timedelta(days=days), comment=text)
        self._apply(bs.Record(event=event, by=bs.Role.COACH))

    @invariant()
    def terminal_phases_absorb(self):
        phase = LIFECYCLE.phase(self.startup)
        if self.terminal_phase is not None:
            assert self.terminal_phase == phase
        elif phase is not None and LIFECYCLE.rulebook.is_terminal(phase):
            self.terminal_phase = phase

    @invariant()
    def history_is_never_reordered(self):
        days = [event.on for event in self.startup.history]
        assert days == sorted(days)

    @invariant()
    def each_phase_once(self):
        entered = [e.phase for e in self.startup.history if isinstance(e, bs.PhaseEntered)]
        assert len(entered) == len(set(entered))

    @invariant()
    def state_on_last_date_is_current(self):
        last = self.startup.last_event_date
        if last is not None:
            assert LIFECYCLE.state(self.startup) == LIFECYCLE.state(
                self.startup, on=LIFECYCLE.as_of(self.startup)
            )

    @invariant()
    def round_trips(self):
        assert self.startup == bs.from_data(bs.to_data(self.startup), bs.Startup)


TestLifecycle = LifecycleMachine.TestCase
