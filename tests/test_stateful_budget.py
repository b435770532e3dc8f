"""Random committee/grant/spend/stop/takeover sequences against the money and stop invariants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import betastate as bs
from betastate._engine import ledger as _budget
from betastate._engine import state as _state

from .test_committee import ATTENDEES, PM


LIFECYCLE = bs.Lifecycle()
RULE_IDS = {r.id for r in LIFECYCLE.rulebook.rules}
amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal(300000), places=2, allow_nan=False
)
# Mostly in order and close together (so envelopes get used), sometimes backdated or far.
days = st.integers(0, 45) | st.integers(-10, 200)
small_amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal(60000), places=2, allow_nan=False
)
roles = st.sampled_from([bs.Role.SPONSOR, bs.Role.INVESTMENT_COMMITTEE, bs.Role.COACH])
post_mortems = st.sampled_from([PM, None, bs.PostMortem(learnings="Trop tôt.")])
phase_changes = st.sampled_from(
    [None, None, None, "construction", "acceleration", "consolidation", "transfere", "abandon"]
)
sources = st.sampled_from(list(bs.FundingSource))


class BudgetMachine(RuleBasedStateMachine):
    """One product under random commands; the test keeps its own tally of the money."""

    @initialize()
    def start(self) -> None:
        self.startup = bs.Startup(slug="hasard", title="Hasard")
        self.today = dt.date(2024, 1, 8)
        self.startup = self._apply(
            bs.Advance(
                on=self.today, to="investigation", by=bs.Role.SPONSOR, co_deciders=["incubator"]
            )
        ).startup
        self.granted = Decimal(0)
        self.spent = Decimal(0)

    def _apply(self, command: bs.Command) -> bs.Outcome | None:
        before = self.startup if hasattr(self, "startup") else None
        snapshot = bs.to_data(before) if before is not None else None
        try:
            outcome = LIFECYCLE.apply(before or bs.Startup(slug="hasard", title="Hasard"), command)
        except bs.TransitionRefused as refusal:
            # A refusal leaves the product unchanged and names known rules, each with a fix.
            assert snapshot == bs.to_data(self.startup)
            assert refusal.reasons
            assert {r.rule for r in refusal.reasons} <= RULE_IDS
            assert all(r.fix for r in refusal.reasons)
            event(f"refused {type(command).__name__}: {refusal.reasons[0].rule}")
            return None
        event(f"accepted {type(command).__name__}")
        self.today = max(self.today, command.on)
        return outcome

    def _accept(self, command: bs.Command) -> bs.Outcome | None:
        outcome = self._apply(command)
        if outcome is not None:
            self.startup = outcome.startup
            for new in outcome.events:
                grants = getattr(new, "grants", ())
                self.granted += sum((g.amount for g in grants), Decimal(0))
        return outcome

    @rule(
        decision=st.sampled_from(["continue"] * 4 + ["provisional", "stop"]),
        offset=days,
        months=st.sampled_from([None, 1, 2, 6, 9]),
        amount=amounts,
        by=roles,
        change=phase_changes,
        post_mortem=post_mortems,
        budget_line=st.sampled_from([None, Decimal(100000), Decimal(200000)]),
    )
    def committee(  # noqa: PLR0917  (hypothesis passes one argument per strategy)
        self, decision, offset, months, amount, by, change, post_mortem, budget_line
    ):
        on = self.today + dt.timedelta(days=offset)
        self._accept(
            bs.HoldCommittee(
                on=on,
                by=by,
                decision=decision,
                attendees=ATTENDEES,
                months=months,
                grants=[bs.Grant(source="sponsor", amount=amount)],
                next_on=on + dt.timedelta(days=40),
                phase_change=change,
                post_mortem=post_mortem,
                sponsor_budget_line=budget_line,
            )
        )

    @rule(offset=days, safeguard=st.integers(0, 120))
    def liquidate(self, offset, safeguard):
        on = self.today + dt.timedelta(days=offset)
        self._accept(
            bs.HoldCommittee(
                on=on,
                by=bs.Role.SPONSOR,
                decision="stop",
                procedure="no-budget",
                safeguard_until=on + dt.timedelta(days=safeguard),
                attendees=ATTENDEES,
            )
        )

    @rule(offset=days, amount=amounts, source=sources, edition=st.sampled_from([None, 13, 16]))
    def grant(self, offset, amount, source, edition):
        self._accept(
            bs.GrantFunds(
                on=self.today + dt.timedelta(days=offset),
                by=bs.Role.DINUM if source is bs.FundingSource.FAST else bs.Role.SPONSOR,
                grants=[bs.Grant(source=source, amount=amount, edition=edition)],
            )
        )

    @rule(offset=days, amount=small_amounts)
    def spend(self, offset, amount):
        outcome = self._accept(
            bs.Spend(
                on=self.today + dt.timedelta(days=offset),
                by=bs.Role.INTRAPRENEUR,
                amount=amount,
                label="bon de commande",
            )
        )
        if outcome is not None:
            self.spent += amount

    @rule(offset=days, post_mortem=st.sampled_from([PM, None]), dormant=st.booleans())
    def stop(self, offset, post_mortem, dormant):
        self._accept(
            bs.Stop(
                on=self.today + dt.timedelta(days=offset),
                by=bs.Role.SPONSOR,
                post_mortem=post_mortem,
                dormant=dormant,
            )
        )

    @rule(offset=st.integers(0, 30), share=st.integers(1, 100))
    def spend_part_of_what_is_left(self, offset, share):
        on = self.today + dt.timedelta(days=offset)
        left = LIFECYCLE.state(self.startup, on=on).remaining_envelope
        if left is None or left <= 0:
            return
        amount = max((left * share / 100).quantize(Decimal("0.01")), Decimal("0.01"))
        outcome = self._accept(
            bs.Spend(on=on, by=bs.Role.INTRAPRENEUR, amount=min(amount, left), label="facture")
        )
        if outcome is not None:
            self.spent += min(amount, left)

    @rule(offset=days)
    def recovery(self, offset):
        self._accept(
            bs.FileRecovery(on=self.today + dt.timedelta(days=offset), by=bs.Role.INTRAPRENEUR)
        )

    @rule(offset=days, amount=amounts)
    def take_over(self, offset, amount):
        self._accept(
            bs.TakeOver(
                on=self.today + dt.timedelta(days=offset),
                by=bs.Role.SPONSOR,
                sponsor="/organisations/repreneur",
                grants=[bs.Grant(source="sponsor", amount=amount)],
            )
        )

    @rule(offset=days, items=st.lists(st.sampled_from([i for i, _ in bs.DOSSIER_ITEMS])))
    def dossier(self, offset, items):
        self._accept(
            bs.UpdateDossier(on=self.today + dt.timedelta(days=offset), by="coach", done=items)
        )

    @invariant()
    def spending_never_exceeds_a_period(self):
        for envelope in LIFECYCLE.state(self.startup).envelopes:
            assert envelope.spent <= envelope.granted

    @invariant()
    def money_sums_are_exact(self):
        state = LIFECYCLE.state(self.startup)
        assert self.granted == state.granted_total
        assert self.spent == state.spent_total
        assert sum((e.remaining for e in state.envelopes), Decimal(0)) == (
            self.granted - self.spent
        )

    @invariant()
    def stopped_products_have_a_complete_post_mortem(self):
        state = LIFECYCLE.state(self.startup)
        if state.phase is not None and LIFECYCLE.rulebook.phase(state.phase).stop:
            assert state.post_mortem is not None
            assert () == state.post_mortem.missing(
                LIFECYCLE.rulebook.thresholds.post_mortem_authors
            )
            event(f"stopped ({'dormant' if state.dormant else 'final'})")

    @invariant()
    def carried_fold_is_the_fold_of_the_history(self):
        # The fold carried from command to command gives the state a fresh fold of the
        # whole history gives (attrs.evolve makes a startup with no memo).
        fresh = attrs.evolve(self.startup)

        assert _budget.fold(self.startup.history) == _state.ledger_of(self.startup)
        assert LIFECYCLE.state(fresh) == LIFECYCLE.state(self.startup)

    @invariant()
    def state_on_last_date_is_current(self):
        assert LIFECYCLE.state(self.startup) == LIFECYCLE.state(
            self.startup, on=LIFECYCLE.as_of(self.startup)
        )

    @invariant()
    def round_trips(self):
        assert self.startup == bs.from_data(bs.to_data(self.startup), bs.Startup)


TestBudget = BudgetMachine.TestCase
