"""Investment committees: decisions, periods, cadence, timing, attendees, impact trend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import betastate as bs

from .utils import current


LIFECYCLE = bs.Lifecycle()
ATTENDEES = tuple(
    bs.Actor(role=role)
    for role in ("intrapreneur", "sponsor", "incubator", "portfolio-manager", "coach")
)
START = dt.date(2025, 1, 6)
GO = dt.date(2025, 3, 10)
PM = bs.PostMortem(
    learnings="Les agents préfèrent le téléphone.",
    why_we_stop="Trop peu d'usage pour le coût.",
    relaunch_advice="Partir des guichets physiques.",
    reasons=["insufficient_impact"],
    authors=[bs.Actor(role="intrapreneur"), bs.Actor(role="coach")],
)


def sponsor(amount: int | str, funder: str = "/organisations/ministere") -> bs.Grant:
    return bs.Grant(source="sponsor", amount=Decimal(amount), funder=funder)


def committee(on: dt.date, decision: str = "continue", **kwargs) -> bs.HoldCommittee:
    kwargs.setdefault("attendees", ATTENDEES)
    kwargs.setdefault("by", bs.Role.SPONSOR)
    if decision != "stop":
        kwargs.setdefault("grants", [sponsor(100000)])
    return bs.HoldCommittee(on=on, decision=decision, **kwargs)


def investigating(slug: str = "produit-test") -> bs.Startup:
    startup = bs.Startup(slug=slug, title="Produit test")
    return LIFECYCLE.apply(
        startup,
        bs.Advance(on=START, to="investigation", by=bs.Role.SPONSOR, co_deciders=["incubator"]),
    ).startup


def constructing(slug: str = "produit-test", amount: int = 100000) -> bs.Startup:
    """Investigation, then a go at the end-of-investigation committee with an envelope."""
    return LIFECYCLE.apply(
        investigating(slug),
        committee(
            GO,
            phase_change="construction",
            sponsor_budget_line=Decimal(180000),
            grants=[sponsor(amount)],
        ),
    ).startup


def published(startup: bs.Startup, on: dt.date = dt.date(2025, 6, 16)) -> bs.Startup:
    """The startup after publishing its budget on ``on`` (BR-14)."""
    command = bs.PublishBudget(on=on, by="intrapreneur", url="https://example.org/budget")
    return LIFECYCLE.apply(startup, command).startup


def rules(reasons) -> list[str]:
    return [reason.rule for reason in reasons]


class TestDecision:
    def test_go_opens_an_envelope_and_enters_construction(self):
        """A continue decision with a phase change records both and opens a 6-month envelope."""
        outcome = LIFECYCLE.apply(
            investigating(),
            committee(GO, phase_change="construction", sponsor_budget_line=Decimal(180000)),
        )
        state = current(LIFECYCLE, outcome.startup)

        assert [bs.CommitteeHeld, bs.PhaseEntered] == [type(e) for e in outcome.events]
        assert "construction" == state.phase
        assert (GO, dt.date(2025, 9, 10)) == (state.envelope.start, state.envelope.end)
        assert Decimal(100000) == state.remaining_envelope
        assert outcome.events[0] == state.last_committee
        assert () == outcome.warnings

    def test_committee_phase_change_goes_through_the_gates(self):
        """Entering construction at a committee without a 150 k€ line is refused by BR-08."""
        command = committee(GO, phase_change="construction", sponsor_budget_line=Decimal(90000))

        with pytest.raises(bs.TransitionRefused) as info:
            LIFECYCLE.apply(investigating(), command)

        assert ["BR-08"] == rules(info.value.reasons)
        assert "150,000" in info.value.reasons[0].fix

    def test_committee_phase_change_refuses_forbidden_moves(self):
        """A committee cannot decide a move the rulebook refuses (N8 for a data-only skip)."""
        command = committee(GO, phase_change="opere")

        assert "N8" in rules(LIFECYCLE.check(investigating(), command).errors)

    def test_stop_decision_with_a_continue_phase(self):
        """BR-06: a stop decision cannot also move to a non-stop phase."""
        command = committee(
            dt.date(2025, 6, 1), "stop", phase_change="acceleration", post_mortem=PM
        )

        assert "BR-06" in rules(LIFECYCLE.check(constructing(), command).errors)

    def test_continue_decision_with_a_stop_phase(self):
        """BR-06: a continue decision cannot move to a stop status."""
        command = committee(dt.date(2025, 6, 1), phase_change="abandon", post_mortem=PM)

        assert "BR-06" in rules(LIFECYCLE.check(constructing(), command).errors)

    def test_decision_is_required(self):
        """N2: a committee without a decision cannot even be built."""
        with pytest.raises(TypeError):
            bs.HoldCommittee(on=GO, by="sponsor")  # type: ignore[call-arg]

    def test_continue_needs_money(self):
        """BR-01: a continue decision opens an envelope, so it grants something."""
        command = committee(dt.date(2025, 8, 1), grants=[])

        assert ["BR-01"] == rules(LIFECYCLE.check(constructing(), command).errors)


class TestPeriod:
    def test_nine_months_refused(self):
        """BR-03: a continue decision granting 9 months without an override is refused."""
        command = committee(dt.date(2025, 8, 1), months=9)

        (reason,) = LIFECYCLE.check(constructing(), command).errors

        assert "BR-03" == reason.rule
        assert "9 months" in reason.message
        assert "override" in reason.hint
        assert "/months" == reason.field

    def test_nine_months_with_override(self):
        """With an override the same 9 months are accepted."""
        command = committee(dt.date(2025, 8, 1), months=9, override="Aligné sur l'année budgétaire")
        state = current(LIFECYCLE, LIFECYCLE.apply(constructing(), command).startup)

        assert dt.date(2026, 6, 10) == state.envelopes[-1].end

    @pytest.mark.parametrize(("months", "accepted"), [(1, True), (2, True), (3, False)])
    def test_provisional_is_one_to_two_months(self, months, accepted):
        """BR-03: a provisional envelope lasts 1 to 2 months."""
        command = committee(
            dt.date(2025, 8, 1), "provisional", months=months, next_on=dt.date(2025, 9, 20)
        )

        assert accepted == LIFECYCLE.check(constructing(), command).accepted

    def test_next_period_follows_the_running_one(self):
        """A committee held before the envelope ends funds the period that follows it."""
        command = committee(dt.date(2025, 7, 28), grants=[sponsor(150000)])
        state = current(LIFECYCLE, LIFECYCLE.apply(constructing(), command).startup)

        assert [(GO, dt.date(2025, 9, 10)), (dt.date(2025, 9, 10), dt.date(2026, 3, 10))] == [
            (e.start, e.end) for e in state.envelopes
        ]
        # The committee day is still funded by the first envelope.
        assert Decimal(100000) == state.remaining_envelope

    def test_provisional_needs_a_follow_up_before_it_ends(self):
        """BR-07: a provisional envelope needs a follow-up committee scheduled before its end."""
        late = committee(dt.date(2025, 8, 1), "provisional", next_on=dt.date(2025, 12, 1))
        missing = committee(dt.date(2025, 8, 1), "provisional")

        assert ["BR-07"] == rules(LIFECYCLE.check(constructing(), late).errors)
        assert ["BR-07"] == rules(LIFECYCLE.check(constructing(), missing).errors)

    def test_lapsed_provisional_is_overdue(self):
        """A provisional envelope that ends with no committee shows as an overdue committee."""
        command = committee(dt.date(2025, 8, 1), "provisional", next_on=dt.date(2025, 10, 1))
        startup = LIFECYCLE.apply(constructing(), command).startup
        # Provisional period: 10 September to 10 November 2025.
        before = LIFECYCLE.state(startup, on=dt.date(2025, 11, 9))
        after = LIFECYCLE.state(startup, on=dt.date(2025, 11, 10))

        # The committee scheduled on 1 October was not held: overdue from then on.
        assert (dt.date(2025, 10, 1),) == before.overdue_committees
        assert (dt.date(2025, 10, 1), dt.date(2025, 11, 10)) == after.overdue_committees

    def test_year_end_is_noted(self):
        """BR-13: an envelope crossing 31 December is an info, never a refusal."""
        outcome = LIFECYCLE.apply(published(constructing()), committee(dt.date(2025, 8, 1)))

        assert ["BR-13"] == rules(outcome.warnings)
        assert bs.Severity.INFO == outcome.warnings[0].severity


class TestCadence:
    def test_gap_above_six_months_warns(self):
        """BR-04: more than 6 months between committees warns, never refuses."""
        command = committee(dt.date(2025, 10, 1), grants=[sponsor(50000)])
        outcome = LIFECYCLE.apply(constructing(), command)

        assert "BR-04" in rules(outcome.warnings)
        assert (
            bs.Severity.WARNING == next(w for w in outcome.warnings if w.rule == "BR-04").severity
        )

    def test_gap_within_six_months_is_silent(self):
        """No BR-04 warning when the next committee comes within 6 months."""
        outcome = LIFECYCLE.apply(constructing(), committee(dt.date(2025, 7, 25)))

        assert "BR-04" not in rules(outcome.warnings)

    def test_late_committee_warns_about_exhaustion(self):
        """BR-05: a committee held less than 30 days before exhaustion warns."""
        command = committee(dt.date(2025, 8, 25))
        outcome = LIFECYCLE.apply(constructing(), command)

        (reason,) = [w for w in outcome.warnings if w.rule == "BR-05"]
        assert "16 days" in reason.message
        assert "45 days" in reason.fix

    def test_spending_pace_brings_exhaustion_forward(self):
        """Projected exhaustion follows the spending pace; a committee just before it warns."""
        startup = LIFECYCLE.apply(
            constructing(),
            bs.Spend(on=dt.date(2025, 4, 9), by="intrapreneur", amount=Decimal(80000), label="dev"),
        ).startup
        state = LIFECYCLE.state(startup, on=startup.last_event_date)
        outcome = LIFECYCLE.apply(startup, committee(dt.date(2025, 4, 10)))

        # 80 k€ over the 31 days from 10 March to 9 April: the 20 k€ left last 7.75 days.
        assert dt.date(2025, 4, 16) == state.projected_exhaustion
        (reason,) = [w for w in outcome.warnings if w.rule == "BR-05"]
        assert "8 days before" in reason.message

    def test_scheduled_too_close_to_exhaustion_warns(self):
        """BR-05: scheduling the next committee less than 30 days before the envelope ends warns."""
        command = committee(dt.date(2025, 7, 25), next_on=dt.date(2026, 3, 1))
        outcome = LIFECYCLE.apply(constructing(), command)

        assert "BR-05" in rules(outcome.warnings)
        assert outcome.startup != constructing()

    def test_next_committee_due_and_overdue(self):
        """The state shows the next committee due and the committees missed so far."""
        startup = constructing()
        soon = LIFECYCLE.state(startup, on=dt.date(2025, 5, 1))
        late = LIFECYCLE.state(startup, on=dt.date(2025, 12, 1))

        # Due 30 days before the envelope ends (2025-09-10), before the 6-month cadence;
        # overdue from that very date, the one the state reports.
        assert dt.date(2025, 8, 11) == soon.next_committee_due
        assert () == soon.overdue_committees
        assert (soon.next_committee_due,) == late.overdue_committees
        assert () == LIFECYCLE.state(startup, on=dt.date(2025, 8, 11)).overdue_committees
        assert (dt.date(2025, 8, 11),) == LIFECYCLE.state(
            startup, on=dt.date(2025, 8, 12)
        ).overdue_committees

    def test_after_exit_committees_are_yearly(self):
        """After incubation exit the cadence is 12 months (BR-04 configurable)."""
        startup = bs.Startup(
            slug="sortie",
            title="Sortie",
            history=[
                bs.PhaseEntered(on=dt.date(2024, 1, 1), phase="transfere"),
                bs.CommitteeHeld(on=dt.date(2024, 2, 1), decision="continue"),
            ],
        )

        assert (
            dt.date(2025, 2, 1)
            == LIFECYCLE.state(startup, on=dt.date(2024, 6, 1)).next_committee_due
        )


class TestAttendeesAndImpact:
    def test_missing_mandatory_attendees_warn(self):
        """CC-ATTEND: a committee without the sponsor and the portfolio manager warns."""
        command = committee(dt.date(2025, 7, 25), attendees=[bs.Actor(role="intrapreneur")])
        outcome = LIFECYCLE.apply(constructing(), command)

        (reason,) = [w for w in outcome.warnings if w.rule == "CC-ATTEND"]
        assert "sponsor, incubator, portfolio-manager" in reason.message

    def test_cost_per_use_rising_warns(self):
        """BR-10: cost per use higher than at the previous committee warns."""
        first = LIFECYCLE.apply(
            constructing(),
            committee(
                dt.date(2025, 7, 25),
                impact=bs.ImpactReading(monthly_active_users=4000, cost_per_use=Decimal("4.20")),
            ),
        ).startup
        outcome = LIFECYCLE.apply(
            first,
            committee(
                dt.date(2026, 1, 20),
                impact=bs.ImpactReading(monthly_active_users=3500, cost_per_use=Decimal("5.10")),
            ),
        )

        (reason,) = [w for w in outcome.warnings if w.rule == "BR-10"]
        assert "4.20" in reason.message
        assert "5.10" in reason.message

    def test_cost_per_use_falling_is_silent(self):
        """No BR-10 warning when cost per use improves."""
        first = LIFECYCLE.apply(
            constructing(),
            committee(dt.date(2025, 7, 25), impact=bs.ImpactReading(cost_per_use=Decimal(5))),
        ).startup
        outcome = LIFECYCLE.apply(
            first,
            committee(dt.date(2026, 1, 20), impact=bs.ImpactReading(cost_per_use=Decimal(3))),
        )

        assert "BR-10" not in rules(outcome.warnings)

    def test_no_impact_reading_after_eighteen_months(self):
        """BR-11: no impact reading 18 months after the start warns."""
        startup = constructing()
        for day in (dt.date(2025, 7, 25), dt.date(2026, 1, 20)):
            startup = LIFECYCLE.apply(startup, committee(day)).startup
        outcome = LIFECYCLE.apply(startup, committee(dt.date(2026, 7, 20)))

        assert "BR-11" in rules(outcome.warnings)

    def test_severities_come_from_the_rulebook(self):
        """A derived rulebook turns the cadence warning into a refusal."""
        strict = bs.Lifecycle(LIFECYCLE.rulebook.derive(severities={"BR-04": "error"}))
        startup = constructing()

        assert "BR-04" in rules(
            strict.check(startup, committee(dt.date(2025, 10, 1), grants=[sponsor(1)])).errors
        )


class TestBudgetPublication:
    def test_committee_without_publication_warns(self):
        """BR-14: a committee in construction with no budget published warns."""
        outcome = LIFECYCLE.apply(constructing(), committee(dt.date(2025, 7, 25)))

        (reason,) = [w for w in outcome.warnings if w.rule == "BR-14"]
        assert "never" in reason.message
        assert "PublishBudget" in reason.hint

    def test_recent_publication_is_silent(self):
        """No BR-14 after a publication within 7 months; an old one warns again."""
        startup = published(constructing())

        fresh = LIFECYCLE.apply(startup, committee(dt.date(2025, 7, 25)))
        stale = LIFECYCLE.check(startup, committee(dt.date(2026, 1, 17), grants=[sponsor(1)]))

        assert "BR-14" not in rules(fresh.warnings)
        assert "BR-14" in rules(stale.warnings)
        assert (
            dt.date(2025, 6, 16)
            == LIFECYCLE.state(startup, on=startup.last_event_date).budget_published
        )


class TestChronology:
    def test_committee_before_last_event_refused(self):
        """BS-CHRONO: a committee dated before the last event is refused."""
        (reason,) = LIFECYCLE.check(constructing(), committee(dt.date(2025, 3, 1))).errors

        assert "BS-CHRONO" == reason.rule
        assert "2025-03-10" in reason.fix


class TestRoundTrip:
    def test_committee_history_round_trips(self):
        """A history with committees, envelopes and readings survives the converter."""
        startup = LIFECYCLE.apply(
            constructing(),
            committee(
                dt.date(2025, 7, 25),
                objectives=["10 000 usagers mensuels"],
                impact=bs.ImpactReading(
                    usable=Decimal("4.1"), monthly_active_users=4000, cost_per_use=Decimal("4.2")
                ),
                documents=["https://docs.example.org/comite.pdf"],
                next_on=dt.date(2026, 1, 15),
            ),
        ).startup

        assert startup == bs.from_data(bs.to_data(startup), bs.Startup)

    def test_command_round_trips(self):
        """The HoldCommittee command itself round-trips."""
        command = committee(GO, phase_change="construction", sponsor_budget_line=Decimal(180000))

        assert command == bs.from_data(bs.to_data(command), bs.HoldCommittee)
