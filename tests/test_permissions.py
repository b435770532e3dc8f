"""Permissions: the rulebook says which roles may take which decision (brief §2.2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import betastate as bs

from .test_committee import LIFECYCLE, PM, committee, constructing, rules, sponsor


DAY = dt.date(2025, 7, 25)

# Brief §2.2, written from the brief: the sponsor decides continue/provisional/stop at any
# committee; the committee as a body deliberates with it. Nobody else does.
DECIDERS = {bs.Role.SPONSOR, bs.Role.INVESTMENT_COMMITTEE}


def decision(name: str, role: bs.Role) -> bs.HoldCommittee:
    extra = {"post_mortem": PM} if name == "stop" else {"next_on": dt.date(2025, 9, 1)}
    if name == "provisional":
        extra["months"] = 2
    return committee(DAY, name, by=role, **extra)


class TestCommitteeDecisions:
    @pytest.mark.parametrize("name", ["continue", "provisional", "stop"])
    @pytest.mark.parametrize("role", list(bs.Role))
    def test_who_decides(self, name, role):
        """Continue, provisional and stop are accepted exactly from the sponsor or committee."""
        verdict = LIFECYCLE.check(constructing(), decision(name, role))

        if role in DECIDERS:
            assert verdict.accepted, verdict.errors
        else:
            assert "BS-ROLE" in rules(verdict.errors)
            reason = next(r for r in verdict.errors if r.rule == "BS-ROLE")
            assert str(role) in reason.message
            assert "sponsor" in reason.fix

    def test_refusal_changes_nothing(self):
        """A refused decision leaves the startup as it was."""
        startup = constructing()
        before = bs.from_data(bs.to_data(startup), bs.Startup)

        with pytest.raises(bs.TransitionRefused):
            LIFECYCLE.apply(startup, decision("stop", bs.Role.COACH))

        assert before == startup


class TestOtherDecisions:
    @pytest.mark.parametrize(
        ("command", "allowed"),
        [
            (bs.Spend(on=DAY, by="coach", amount=Decimal(1)), False),
            (bs.Spend(on=DAY, by="intrapreneur", amount=Decimal(1)), True),
            (bs.GrantFunds(on=DAY, by="team-member", grants=[sponsor(1)]), False),
            (bs.GrantFunds(on=DAY, by="dinum", grants=[bs.Grant(source="dinum", amount=1)]), True),
            (bs.AwardFast(on=DAY, by="sponsor", edition=16), False),
            (
                bs.DesignateNationalImpact(
                    on=DAY, by="sponsor", criteria=bs.NATIONAL_IMPACT_CRITERIA
                ),
                False,
            ),
        ],
    )
    def test_role_per_decision(self, command, allowed):
        """Money and designations follow the rulebook's [permissions] table."""
        errors = rules(LIFECYCLE.check(constructing(), command).errors)

        assert allowed == ("BS-ROLE" not in errors)

    def test_n1_a_phase_change_is_a_committee_decision(self):
        """N1: a rulebook letting the coach decide a move still wants a committee held."""
        book = LIFECYCLE.rulebook
        lax = bs.Lifecycle(
            book.derive(
                name="lax",
                transitions={
                    "T04": {
                        "deciders": (
                            *book.transition("construction", "acceleration").deciders,
                            "coach",
                        )
                    }
                },
            )
        )
        command = bs.Advance(on=DAY, to="acceleration", by="coach")
        held = LIFECYCLE.apply(
            constructing(), bs.Record(event=bs.CommitteeHeld(on=DAY), by="sponsor")
        ).startup

        assert ["N1"] == rules(lax.check(constructing(), command).errors)
        assert [] == rules(lax.check(held, command).errors)


class TestConfigurable:
    def test_permissions_are_data(self):
        """A derived rulebook lets the incubator record spending; the default does not."""
        mine = bs.Lifecycle(
            LIFECYCLE.rulebook.derive(permissions={"spend": ["incubator", "coach"]})
        )
        command = bs.Spend(on=DAY, by="coach", amount=Decimal(1))

        assert mine.check(constructing(), command).accepted
        assert not LIFECYCLE.check(constructing(), command).accepted
        assert ("incubator", "coach") == mine.rulebook.permissions["spend"]

    def test_unknown_role_in_permissions(self):
        """An unknown role in a permissions override is a RulebookError with the roles listed."""
        with pytest.raises(bs.RulebookError) as info:
            LIFECYCLE.rulebook.derive(permissions={"spend": ["treasurer"]})

        assert "sponsor" in info.value.fix

    def test_rulebook_round_trips_with_permissions(self):
        """Permissions travel with the rulebook through the converter."""
        book = LIFECYCLE.rulebook

        assert book == bs.from_data(bs.to_data(book), bs.Rulebook)
        assert book.permissions == bs.from_data(bs.to_data(book), bs.Rulebook).permissions
