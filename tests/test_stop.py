"""Stops with post-mortems, the no-budget procedure, dormancy, takeovers, exits, national impact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

import betastate as bs

from .test_budget import accelerating
from .test_committee import (
    LIFECYCLE,
    PM,
    committee,
    constructing,
    investigating,
    rules,
    sponsor,
)
from .utils import current


STOP_DAY = dt.date(2025, 7, 25)


def liquidated(slug: str = "produit-test") -> bs.Startup:
    """In construction, its funding ended by a no-budget liquidation with a safeguard period."""
    return LIFECYCLE.apply(
        constructing(slug),
        committee(STOP_DAY, "stop", procedure="no-budget", safeguard_until=dt.date(2025, 10, 31)),
    ).startup


def dormant() -> bs.Startup:
    startup = liquidated()
    every_item = [item for item, _ in bs.DOSSIER_ITEMS]
    startup = LIFECYCLE.apply(
        startup, bs.UpdateDossier(on=dt.date(2025, 9, 1), by="coach", done=every_item)
    ).startup
    return LIFECYCLE.apply(
        startup, bs.Stop(on=dt.date(2025, 11, 3), by="sponsor", post_mortem=PM, dormant=True)
    ).startup


class TestPostMortem:
    def test_stop_without_post_mortem_lists_every_part(self):
        """ST-PM: a stop without a post-mortem is refused, listing the missing parts."""
        with pytest.raises(bs.TransitionRefused) as info:
            LIFECYCLE.apply(constructing(), committee(STOP_DAY, "stop"))

        (reason,) = info.value.reasons
        assert "ST-PM" == reason.rule
        assert "/post_mortem" == reason.field
        assert [
            "learnings",
            "why_we_stop",
            "relaunch_advice",
            "reasons",
            "author:intrapreneur",
            "author:coach",
        ] == list(reason.values["missing"])
        for words in ("what was learnt", "why it stops", "advice for a relaunch", "the coach"):
            assert words in reason.message

    def test_incomplete_post_mortem_lists_what_is_missing(self):
        """Only the missing parts are listed: here the advice and the coach as author."""
        partial = attrs.evolve(PM, relaunch_advice="  ", authors=[bs.Actor(role="intrapreneur")])

        (reason,) = LIFECYCLE.check(
            constructing(), committee(STOP_DAY, "stop", post_mortem=partial)
        ).errors

        assert ["relaunch_advice", "author:coach"] == list(reason.values["missing"])
        assert "missing advice for a relaunch, the coach as an author." in reason.message

    def test_missing_parts_follow_the_rulebook(self):
        """Required authors are a threshold: with the portfolio manager required, it is missing."""
        assert ("author:portfolio-manager",) == PM.missing(
            ["intrapreneur", "coach", "portfolio-manager"]
        )
        assert () == PM.missing()

    @pytest.mark.parametrize(
        ("startup", "status"),
        [(investigating, "abandon-investigation"), (constructing, "abandon")],
    )
    def test_stop_from_each_phase(self, startup, status):
        """A stop from investigation leads to abandon-investigation, later to abandon."""
        outcome = LIFECYCLE.apply(startup(), committee(STOP_DAY, "stop", post_mortem=PM))
        state = current(LIFECYCLE, outcome.startup)

        assert status == state.phase
        assert PM == state.post_mortem
        assert "stopped" == state.stop_stage
        assert [bs.CommitteeHeld, bs.Stopped, bs.PhaseEntered] == [type(e) for e in outcome.events]

    def test_plain_advance_to_a_stop_needs_the_post_mortem_too(self):
        """Advance to abandon goes through the same post_mortem gate, and records it."""
        held = LIFECYCLE.apply(
            constructing(), bs.Record(event=bs.CommitteeHeld(on=STOP_DAY), by="sponsor")
        ).startup
        refused = LIFECYCLE.check(held, bs.Advance(on=STOP_DAY, to="abandon", by="sponsor"))
        outcome = LIFECYCLE.apply(
            held, bs.Advance(on=STOP_DAY, to="abandon", by="sponsor", post_mortem=PM)
        )

        assert ["ST-PM"] == rules(refused.errors)
        assert PM == current(LIFECYCLE, outcome.startup).post_mortem

    def test_stop_closes_the_envelope(self):
        """After a stop nothing can be spent: the period ends on the stop date."""
        startup = LIFECYCLE.apply(
            constructing(), committee(STOP_DAY, "stop", post_mortem=PM)
        ).startup
        command = bs.Spend(on=dt.date(2025, 8, 1), by="intrapreneur", amount=Decimal(10))

        assert ["BR-01"] == rules(LIFECYCLE.check(startup, command).errors)

    def test_new_envelope_after_a_stop_is_refused(self):
        """BR-09: no new envelope after a stop decision without a takeover."""
        for startup in (
            liquidated(),
            LIFECYCLE.apply(constructing(), committee(STOP_DAY, "stop", post_mortem=PM)).startup,
        ):
            errors = LIFECYCLE.check(startup, committee(dt.date(2025, 8, 1))).errors

            assert "BR-09" in rules(errors)
            assert "TakeOver" in next(r for r in errors if r.rule == "BR-09").hint


class TestNoBudgetProcedure:
    def test_liquidation_keeps_the_phase(self):
        """A liquidation decision keeps the product in its phase, funding ended, safeguard on."""
        state = current(LIFECYCLE, liquidated())

        assert "construction" == state.phase
        assert ("safeguard", dt.date(2025, 10, 31), True) == (
            state.stop_stage,
            state.safeguard_until,
            state.funding_ended,
        )

    def test_liquidation_needs_a_deadline(self):
        """ST-SAFEGUARD: a liquidation without a safeguard deadline is refused."""
        command = committee(STOP_DAY, "stop", procedure="no-budget")

        assert ["ST-SAFEGUARD"] == rules(LIFECYCLE.check(constructing(), command).errors)

    def test_recovery_then_takeover(self):
        """Recovery file then takeover: the product continues with a new sponsor and envelope."""
        startup = LIFECYCLE.apply(
            liquidated(),
            bs.FileRecovery(
                on=dt.date(2025, 8, 15), by="intrapreneur", approached=["/organisations/region"]
            ),
        ).startup
        assert "recovery" == LIFECYCLE.state(startup, on=startup.last_event_date).stop_stage
        startup = LIFECYCLE.apply(
            startup,
            bs.TakeOver(
                on=dt.date(2025, 10, 1),
                by="sponsor",
                sponsor="/organisations/region",
                grants=[sponsor(120000, "/organisations/region")],
            ),
        ).startup
        state = LIFECYCLE.state(startup, on=startup.last_event_date)

        assert ("construction", "taken-over", "/organisations/region") == (
            state.phase,
            state.stop_stage,
            state.taken_over_by,
        )
        assert not state.funding_ended
        assert Decimal(120000) == state.remaining_envelope
        # BR-09 is lifted: the next committee may grant again.
        assert LIFECYCLE.check(startup, committee(dt.date(2026, 3, 1))).accepted

    def test_dormancy_then_takeover(self):
        """Dormancy stops the product (abandon + dormant); a takeover resumes its phase."""
        startup = dormant()
        asleep = LIFECYCLE.state(startup, on=startup.last_event_date)
        assert ("abandon", True, "dormant", ()) == (
            asleep.phase,
            asleep.dormant,
            asleep.stop_stage,
            asleep.dossier_missing,
        )
        outcome = LIFECYCLE.apply(
            startup,
            bs.TakeOver(
                on=dt.date(2026, 2, 2),
                by="sponsor",
                sponsor="/organisations/region",
                grants=[sponsor(90000, "/organisations/region")],
            ),
        )
        awake = current(LIFECYCLE, outcome.startup)

        assert ("construction", False) == (awake.phase, awake.dormant)
        assert ["construction", "abandon", "construction"] == [s.phase for s in awake.spans][1:]
        assert () == outcome.warnings

    def test_dormancy_needs_a_liquidation(self):
        """ST-DORMANT: dormancy ends the no-budget procedure only."""
        command = bs.Stop(on=STOP_DAY, by="sponsor", post_mortem=PM, dormant=True)

        assert "ST-DORMANT" in rules(LIFECYCLE.check(constructing(), command).errors)

    def test_dormancy_with_missing_dossier_items_warns(self):
        """ST-DOSSIER: going dormant with dossier items missing warns, naming them."""
        command = bs.Stop(on=dt.date(2025, 11, 3), by="sponsor", post_mortem=PM, dormant=True)
        outcome = LIFECYCLE.apply(liquidated(), command)

        (reason,) = outcome.warnings
        assert "ST-DOSSIER" == reason.rule
        assert "24 takeover dossier items" in reason.message

    def test_takeover_needs_a_procedure(self):
        """ST-TAKEOVER without a liquidation; N6 after a final stop."""
        command = bs.TakeOver(
            on=dt.date(2025, 10, 1), by="sponsor", sponsor="/organisations/x", grants=[sponsor(1)]
        )
        stopped = LIFECYCLE.apply(
            constructing(), committee(STOP_DAY, "stop", post_mortem=PM)
        ).startup

        assert ["ST-TAKEOVER"] == rules(LIFECYCLE.check(constructing(), command).errors)
        assert ["N6"] == rules(LIFECYCLE.check(stopped, command).errors)

    def test_unknown_dossier_item(self):
        """A dossier item that is not in the §8.5 checklist is a ValueError naming it."""
        with pytest.raises(ValueError, match=r"code\.rust"):
            bs.UpdateDossier(on=STOP_DAY, by="coach", done=["code.rust"])

    def test_dossier_is_tracked_item_by_item(self):
        """Dossier items completed so far are in the state; the rest are missing."""
        startup = LIFECYCLE.apply(
            liquidated(),
            bs.UpdateDossier(on=dt.date(2025, 8, 1), by="coach", done=["docs.user", "code.ci"]),
        ).startup
        state = LIFECYCLE.state(startup, on=startup.last_event_date)

        assert ("docs.user", "code.ci") == state.dossier_done
        assert len(bs.DOSSIER_ITEMS) - 2 == len(state.dossier_missing)


class TestExit:
    def test_transfer_with_its_trajectory(self):
        """An exit committee records the trajectory, host and running-cost line."""
        plan = bs.ExitPlan(
            trajectory="business-directorate",
            host="/organisations/direction-metier",
            annual_running_cost=Decimal(350000),
        )
        outcome = LIFECYCLE.apply(
            accelerating(),
            committee(dt.date(2026, 6, 1), phase_change="transfere", exit_plan=plan),
        )
        state = current(LIFECYCLE, outcome.startup)

        assert ("transfere", plan) == (state.phase, state.exit_plan)
        assert "BR-15" not in rules(outcome.warnings)

    def test_exit_without_running_cost_warns(self):
        """BR-15 and EXIT-PLAN warn, never refuse, on an exit without a plan."""
        held = LIFECYCLE.apply(
            accelerating(), bs.Record(event=bs.CommitteeHeld(on=dt.date(2026, 6, 1)), by="sponsor")
        ).startup
        outcome = LIFECYCLE.apply(
            held, bs.Advance(on=dt.date(2026, 6, 1), to="transfere", by="sponsor")
        )

        assert ["EXIT-PLAN", "BR-15"] == rules(outcome.warnings)

    def test_consolidation_criteria(self):
        """N7: entering consolidation without the configured criteria warns, listing them."""
        short = LIFECYCLE.apply(
            accelerating(),
            committee(dt.date(2026, 6, 1), phase_change="consolidation", criteria=["ENT-CSL-1"]),
        )
        full = LIFECYCLE.apply(
            accelerating(),
            committee(
                dt.date(2026, 6, 1),
                phase_change="consolidation",
                criteria=["ENT-CSL-1", "ENT-CSL-2", "ENT-CSL-4"],
            ),
        )

        (reason,) = [w for w in short.warnings if w.rule == "N7"]
        assert "ENT-CSL-2, ENT-CSL-4" in reason.message
        assert "N7" not in rules(full.warnings)


class TestNationalImpact:
    def test_designation(self):
        """DINUM designates an accelerating product meeting all three criteria, once."""
        command = bs.DesignateNationalImpact(
            on=dt.date(2026, 6, 1), by="dinum", criteria=bs.NATIONAL_IMPACT_CRITERIA
        )
        startup = LIFECYCLE.apply(accelerating(), command).startup

        assert (
            dt.date(2026, 6, 1)
            == LIFECYCLE.state(startup, on=startup.last_event_date).national_impact
        )
        assert ["NI-ONCE"] == rules(
            LIFECYCLE.check(startup, attrs.evolve(command, on=dt.date(2027, 1, 1))).errors
        )

    def test_criteria_and_phase(self):
        """NI-CRITERIA refuses a partial designation; NI-PHASE warns in construction."""
        partial = bs.DesignateNationalImpact(
            on=dt.date(2025, 6, 1), by="dinum", criteria=["deployment"]
        )
        verdict = LIFECYCLE.check(constructing(), partial)

        assert ["NI-CRITERIA"] == rules(verdict.errors)
        assert ["NI-PHASE"] == rules(verdict.warnings)


class TestRoundTrip:
    def test_stopped_history_round_trips(self):
        """Liquidation, dossier, dormancy and takeover all survive the converter."""
        startup = LIFECYCLE.apply(
            dormant(),
            bs.TakeOver(
                on=dt.date(2026, 2, 2),
                by="sponsor",
                sponsor="/organisations/region",
                grants=[sponsor(90000)],
            ),
        ).startup

        assert startup == bs.from_data(bs.to_data(startup), bs.Startup)

    @pytest.mark.parametrize(
        "value",
        [
            PM,
            bs.ExitPlan(trajectory="legal-structure", host="/organisations/gip", legal_form="GIP"),
            bs.Stop(on=STOP_DAY, by="sponsor", post_mortem=PM, dormant=True),
            bs.TakeOver(on=STOP_DAY, by="sponsor", sponsor="/o/x", grants=[sponsor(1)], months=6),
        ],
    )
    def test_values_round_trip(self, value):
        """Stop values and commands survive the converter."""
        assert value == bs.from_data(bs.to_data(value), type(value))
