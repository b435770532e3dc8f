"""Envelopes and ledger: grants by source, co-funding, FAST, spending, exact sums."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import betastate as bs

from .test_committee import LIFECYCLE, committee, constructing, investigating, rules, sponsor
from .utils import current


ACCELERATING = dt.date(2026, 1, 12)
FAST_DAY = dt.date(2026, 3, 16)
"""In the period the acceleration committee funds (10 March to 10 September 2026)."""


def accelerating(amount: int = 200000) -> bs.Startup:
    """In acceleration since 12 January 2026; ``amount`` funds the period from 10 March."""
    startup = LIFECYCLE.apply(constructing(), committee(dt.date(2025, 7, 25))).startup
    return LIFECYCLE.apply(
        startup,
        committee(ACCELERATING, phase_change="acceleration", grants=[sponsor(amount)]),
    ).startup


def spend(on: dt.date, amount: str | int, label: str = "bon de commande") -> bs.Spend:
    return bs.Spend(on=on, by=bs.Role.INTRAPRENEUR, amount=Decimal(amount), label=label)


class TestSpending:
    def test_spending_is_charged_to_its_period(self):
        """Spending lowers the remaining envelope of the period it falls in, exactly."""
        startup = constructing()
        for day, amount in ((dt.date(2025, 4, 1), "12345.67"), (dt.date(2025, 5, 1), "0.33")):
            startup = LIFECYCLE.apply(startup, spend(day, amount)).startup
        state = LIFECYCLE.state(startup, on=startup.last_event_date)

        assert Decimal("87654.00") == state.remaining_envelope
        assert Decimal("12346.00") == state.spent_total

    def test_spending_beyond_the_envelope_is_refused(self):
        """BR-02: spending more than what is left is refused with the amount left in the fix."""
        startup = LIFECYCLE.apply(constructing(), spend(dt.date(2025, 4, 1), 60000)).startup

        with pytest.raises(bs.TransitionRefused) as info:
            LIFECYCLE.apply(startup, spend(dt.date(2025, 5, 1), "40000.01"))

        (reason,) = info.value.reasons
        assert "BR-02" == reason.rule
        assert "40,000 €" in reason.fix
        assert "40,000.01 €" in reason.message

    def test_spending_exactly_the_rest_is_accepted(self):
        """Spending exactly what is left leaves zero, not a rounding error."""
        startup = LIFECYCLE.apply(constructing(), spend(dt.date(2025, 4, 1), "99999.99")).startup
        startup = LIFECYCLE.apply(startup, spend(dt.date(2025, 4, 2), "0.01")).startup

        assert Decimal(0) == LIFECYCLE.state(startup, on=startup.last_event_date).remaining_envelope

    def test_spending_outside_any_period_is_refused(self):
        """BR-01: no envelope covers a date after the period ended."""
        (reason,) = LIFECYCLE.check(constructing(), spend(dt.date(2025, 9, 10), 10)).errors

        assert "BR-01" == reason.rule

    def test_float_amounts_are_refused(self):
        """Money is exact: a float amount is a TypeError naming the fix."""
        with pytest.raises(TypeError, match="exact"):
            bs.Spend(on=dt.date(2025, 4, 1), by="intrapreneur", amount=0.1)  # type: ignore[arg-type]

    def test_amounts_must_be_positive(self):
        """A zero or negative amount is refused when the value is built."""
        with pytest.raises(ValueError, match="positive"):
            bs.Grant(source="sponsor", amount=Decimal(-5))


class TestNoBackDoor:
    @pytest.mark.parametrize(
        "event",
        [
            bs.Spent(on=dt.date(2025, 4, 1), amount=Decimal(1)),
            bs.FundsGranted(on=dt.date(2025, 4, 1), grants=[sponsor(1)]),
            bs.CommitteeHeld(on=dt.date(2025, 4, 1), decision="continue", grants=[sponsor(1)]),
            bs.TakenOver(on=dt.date(2025, 4, 1), sponsor="/o/x", resumes="construction"),
            bs.Stopped(on=dt.date(2025, 4, 1)),
        ],
    )
    def test_record_cannot_move_money_or_stop(self, event):
        """Record refuses events that have their own, checked, command."""
        with pytest.raises(TypeError, match="use betastate"):
            bs.Record(event=event, by="sponsor")

    def test_record_keeps_plain_committees(self):
        """A committee decided elsewhere, without money, can still be recorded."""
        event = bs.CommitteeHeld(on=dt.date(2025, 4, 1), decision="continue", comment="Comité")

        assert LIFECYCLE.check(constructing(), bs.Record(event=event, by="sponsor")).accepted


class TestGrants:
    def test_co_funding_by_several_sponsors(self):
        """Grants from several sponsors add up in one envelope, by source and funder."""
        startup = LIFECYCLE.apply(
            constructing(),
            bs.GrantFunds(
                on=dt.date(2025, 4, 1),
                by="sponsor",
                grants=[
                    sponsor(40000, "/organisations/agence"),
                    bs.Grant(source="dinum", amount=20000),
                ],
            ),
        ).startup
        envelope = LIFECYCLE.state(startup, on=startup.last_event_date).envelope

        assert Decimal(160000) == envelope.granted
        assert {
            bs.FundingSource.SPONSOR: Decimal(140000),
            bs.FundingSource.DINUM: Decimal(20000),
        } == envelope.by_source()
        assert {"/organisations/ministere", "/organisations/agence", None} == {
            g.funder for g in envelope.grants
        }

    def test_grant_goes_to_the_next_period_when_none_runs(self):
        """A grant between a committee and the period it funds joins that period."""
        startup = LIFECYCLE.apply(constructing(), committee(dt.date(2025, 7, 25))).startup
        startup = LIFECYCLE.apply(startup, spend(dt.date(2025, 9, 1), 100000)).startup
        # Between 2025-09-10 and the next period there is no gap: the grant lands in the
        # period covering its date.
        startup = LIFECYCLE.apply(
            startup, bs.GrantFunds(on=dt.date(2025, 9, 15), by="sponsor", grants=[sponsor(5000)])
        ).startup
        first, second = LIFECYCLE.state(startup, on=startup.last_event_date).envelopes

        assert (Decimal(100000), Decimal(105000)) == (first.granted, second.granted)

    def test_grant_without_a_period_is_refused(self):
        """BR-01: there is no envelope to add to before any committee."""
        command = bs.GrantFunds(on=dt.date(2025, 2, 1), by="sponsor", grants=[sponsor(1000)])

        assert ["BR-01"] == rules(LIFECYCLE.check(investigating(), command).errors)


class TestFast:
    def test_fast_co_financing_within_the_rules(self):
        """A 200 k€ FAST co-financing of a 200 k€ sponsor envelope is exactly 50 %: accepted."""
        outcome = LIFECYCLE.apply(
            accelerating(),
            bs.AwardFast(on=FAST_DAY, by="dinum", edition=16, cofinancing=200000),
        )
        state = current(LIFECYCLE, outcome.startup)

        assert [bs.FastLaureate, bs.FundsGranted] == [type(e) for e in outcome.events]
        assert Decimal(400000) == state.envelope.granted
        assert (16,) == state.fast_editions

    def test_fast_above_half_is_refused(self):
        """BR-12: FAST co-financing above 50 % of the envelope is refused."""
        command = bs.AwardFast(on=FAST_DAY, by="dinum", edition=16, cofinancing=150000)

        (reason,) = LIFECYCLE.check(accelerating(100000), command).errors

        assert "BR-12" == reason.rule
        assert "60%" in reason.message
        assert "100,000 €" in reason.fix
        assert "100000.00" == reason.values["ceiling"]

    def test_fast_above_the_edition_cap_is_refused(self):
        """BR-12: above 200 k€ for a 2025 edition is refused; edition 13 allowed 300 k€."""
        big = accelerating(400000)
        recent = bs.AwardFast(on=FAST_DAY, by="dinum", edition=16, cofinancing=250000)
        older = bs.AwardFast(on=FAST_DAY, by="dinum", edition=13, cofinancing=250000)

        (reason,) = LIFECYCLE.check(big, recent).errors
        assert "BR-12" == reason.rule
        assert "200,000 €" in reason.message
        assert LIFECYCLE.check(big, older).accepted

    def test_fast_cap_is_cumulative_per_edition(self):
        """Two FAST grants of one edition count together against its cap."""
        startup = LIFECYCLE.apply(
            accelerating(400000),
            bs.AwardFast(on=FAST_DAY, by="dinum", edition=16, cofinancing=150000),
        ).startup
        more = bs.GrantFunds(
            on=dt.date(2026, 4, 1),
            by="dinum",
            grants=[bs.Grant(source="fast", amount=60000, edition=16)],
        )

        assert ["BR-12"] == rules(LIFECYCLE.check(startup, more).errors)

    def test_fast_thresholds_are_configurable(self):
        """A derived rulebook with a 60 % share accepts what the default refuses."""
        relaxed = bs.Lifecycle(
            LIFECYCLE.rulebook.derive(thresholds={"fast_cofinancing_share": Decimal("0.6")})
        )
        command = bs.AwardFast(on=FAST_DAY, by="dinum", edition=16, cofinancing=150000)

        assert relaxed.check(accelerating(100000), command).accepted

    def test_fast_outside_acceleration_warns(self):
        """FAST-PHASE: a laureate in construction is a warning."""
        startup = constructing(amount=200000)
        command = bs.AwardFast(on=dt.date(2025, 4, 1), by="dinum", edition=16, cofinancing=0)

        assert ["FAST-PHASE"] == rules(LIFECYCLE.apply(startup, command).warnings)


class TestStateOnADate:
    def test_remaining_on_past_dates(self):
        """The remaining envelope on a past date ignores later spending."""
        startup = constructing()
        startup = LIFECYCLE.apply(startup, spend(dt.date(2025, 4, 1), 30000)).startup
        startup = LIFECYCLE.apply(startup, spend(dt.date(2025, 6, 1), 20000)).startup

        assert [Decimal(100000), Decimal(70000), Decimal(50000)] == [
            LIFECYCLE.state(startup, on=day).remaining_envelope
            for day in (dt.date(2025, 3, 31), dt.date(2025, 5, 1), dt.date(2025, 6, 1))
        ]
        assert LIFECYCLE.state(startup, on=dt.date(2025, 9, 10)).envelope is None

    def test_state_on_last_date_is_current(self):
        """The state on the last event's date equals the current state, money included."""
        startup = LIFECYCLE.apply(accelerating(), spend(dt.date(2026, 3, 20), 1234)).startup

        assert LIFECYCLE.state(startup) == LIFECYCLE.state(startup, on=LIFECYCLE.as_of(startup))


class TestRoundTrip:
    @pytest.mark.parametrize(
        "value",
        [
            bs.Grant(source="fast", amount=Decimal("150000.50"), edition=16, label="FAST 16"),
            bs.Spend(on=dt.date(2025, 1, 1), by="intrapreneur", amount=Decimal(1), label="x"),
            bs.GrantFunds(on=dt.date(2025, 1, 1), by="sponsor", grants=[sponsor(1)]),
            bs.AwardFast(on=dt.date(2025, 1, 1), by="dinum", edition=15, cofinancing=1000),
        ],
    )
    def test_values_round_trip(self, value):
        """Budget values and commands survive the converter unchanged."""
        assert value == bs.from_data(bs.to_data(value), type(value))

    def test_state_round_trips(self):
        """A state with envelopes round-trips."""
        state = current(
            LIFECYCLE, LIFECYCLE.apply(accelerating(), spend(dt.date(2026, 3, 20), 5)).startup
        )

        assert state == bs.from_data(bs.to_data(state), bs.StartupState)

    def test_money_is_a_string_in_json(self):
        """Amounts are written as decimal strings, never floats."""
        data = bs.to_data(bs.Grant(source="sponsor", amount=Decimal("0.10")))

        assert "0.10" == data["amount"]


class TestSample:
    def test_sample_keeps_the_money_rules(self):
        """The shipped sample, built through these commands, never overspends a period."""
        envelopes = [e for s in bs.sample_portfolio() for e in current(LIFECYCLE, s).envelopes]

        assert envelopes
        assert all(e.spent <= e.granted for e in envelopes)
        assert any(e.provisional for e in envelopes)

    def test_sample_stops_have_post_mortems(self):
        """Every sample stop carries a complete post-mortem; one sleeps, one was taken over."""
        states = {s.slug: current(LIFECYCLE, s) for s in bs.sample_portfolio()}
        stopped = [st for st in states.values() if LIFECYCLE.rulebook.phase(st.phase).stop]

        assert stopped
        assert all(st.post_mortem is not None and not st.post_mortem.missing() for st in stopped)
        assert {"dormant", "taken-over"} <= {st.stop_stage for st in states.values()}


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**7), places=2, allow_nan=False)
days = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31))
grants = st.builds(
    bs.Grant,
    source=st.sampled_from(list(bs.FundingSource)),
    amount=money,
    funder=st.none() | st.just("/organisations/x"),
    edition=st.none() | st.integers(1, 30),
    label=st.text(max_size=10),
)
post_mortems = st.builds(
    bs.PostMortem,
    learnings=st.text(max_size=10),
    why_we_stop=st.text(max_size=10),
    relaunch_advice=st.text(max_size=10),
    reasons=st.lists(st.sampled_from(list(bs.StopReason)), max_size=2),
    authors=st.lists(st.builds(bs.Actor, role=st.sampled_from(list(bs.Role))), max_size=2),
)
plans = st.builds(
    bs.ExitPlan,
    trajectory=st.sampled_from(list(bs.Trajectory)),
    host=st.just("/organisations/h"),
    annual_running_cost=st.none() | money,
)
items = st.lists(st.sampled_from([item for item, _ in bs.DOSSIER_ITEMS]), max_size=4)
budget_events = st.one_of(
    st.builds(bs.FundsGranted, on=days, grants=st.lists(grants, max_size=3), period_start=days),
    st.builds(bs.Spent, on=days, amount=money, label=st.text(max_size=10)),
    st.builds(bs.LiquidationDecided, on=days, safeguard_until=days),
    st.builds(bs.RecoveryFiled, on=days, approached=st.lists(st.just("/o/y"), max_size=2)),
    st.builds(
        bs.TakenOver,
        on=days,
        sponsor=st.just("/o/z"),
        resumes=st.none() | st.just("construction"),
        grants=st.lists(grants, max_size=2),
    ),
    st.builds(bs.DossierUpdated, on=days, done=items),
    st.builds(bs.Perennised, on=days, plan=plans),
    st.builds(bs.BudgetPublished, on=days, url=st.none() | st.just("https://x.example.org")),
    st.builds(
        bs.Stopped,
        on=days,
        post_mortem=st.none() | post_mortems,
        procedure=st.none() | st.sampled_from(list(bs.StopProcedure)),
        dormant=st.booleans(),
    ),
    st.builds(
        bs.CommitteeHeld,
        on=days,
        decision=st.sampled_from(list(bs.Decision)),
        period_start=st.none() | days,
        period_end=st.none() | days,
        grants=st.lists(grants, max_size=2),
        override=st.none() | st.text(max_size=5),
        next_on=st.none() | days,
    ),
)
commands = st.one_of(
    st.builds(
        bs.HoldCommittee,
        on=days,
        by=st.sampled_from(list(bs.Role)),
        decision=st.sampled_from(list(bs.Decision)),
        grants=st.lists(grants, max_size=2),
        months=st.none() | st.integers(1, 12),
        post_mortem=st.none() | post_mortems,
        procedure=st.sampled_from(list(bs.StopProcedure)),
        exit_plan=st.none() | plans,
        impact=st.none() | st.builds(bs.ImpactReading, cost_per_impact=st.none() | money),
    ),
    st.builds(bs.GrantFunds, on=days, by=st.sampled_from(list(bs.Role)), grants=st.lists(grants)),
    st.builds(bs.Spend, on=days, by=st.sampled_from(list(bs.Role)), amount=money),
    st.builds(
        bs.AwardFast, on=days, by=st.just("dinum"), edition=st.integers(1, 30), cofinancing=money
    ),
    st.builds(bs.Stop, on=days, by=st.just("sponsor"), post_mortem=st.none() | post_mortems),
    st.builds(
        bs.TakeOver,
        on=days,
        by=st.just("sponsor"),
        sponsor=st.just("/o/n"),
        grants=st.lists(grants),
    ),
    st.builds(bs.UpdateDossier, on=days, by=st.just("coach"), done=items),
    st.builds(bs.FileRecovery, on=days, by=st.just("intrapreneur")),
    st.builds(bs.PublishBudget, on=days, by=st.just("intrapreneur"), url=st.none() | st.just("u")),
    st.builds(bs.DesignateNationalImpact, on=days, by=st.just("dinum"), criteria=items),
)


class TestRoundTripEverything:
    @given(budget_events)
    def test_events_round_trip(self, event):
        """Every committee, money and stop event survives the converter, also as an Event."""
        assert event == bs.from_data(bs.to_data(event), type(event))
        assert event == bs.from_data(bs.to_data(event), bs.Event)

    @given(commands)
    def test_commands_round_trip(self, command):
        """Every new command survives the converter, as itself and as a Command."""
        assert command == bs.from_data(bs.to_data(command), type(command))
        assert command == bs.from_data(bs.to_data(command), bs.Command)

    @given(st.lists(grants, max_size=4), money)
    def test_envelope_and_ledger_round_trip(self, grant_list, spent):
        """Envelopes and ledgers round-trip with exact money."""
        envelope = bs.Envelope(
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 7, 1),
            opened_on=dt.date(2024, 12, 1),
            grants=grant_list,
            spent=spent,
        )
        ledger = bs.Ledger((envelope,), unallocated=spent)

        assert envelope == bs.from_data(bs.to_data(envelope), bs.Envelope)
        assert ledger == bs.from_data(bs.to_data(ledger), bs.Ledger)
