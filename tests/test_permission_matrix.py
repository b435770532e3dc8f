"""Every command, Record of every event type included, against every role (brief §2.1, §2.2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

import betastate as bs
from betastate._engine.commands import COMMAND_TYPES
from betastate._values.events import EVENT_TYPES


LIFECYCLE = bs.Lifecycle()
ROLES = [str(role) for role in bs.Role]
DAY = dt.date(2025, 7, 25)
PM = bs.PostMortem(
    learnings="Peu d'usage.",
    why_we_stop="Coût trop élevé.",
    relaunch_advice="Repartir des usagers.",
    reasons=["insufficient_impact"],
    authors=[bs.Actor(role="intrapreneur"), bs.Actor(role="coach")],
)
SPONSOR_MONEY = bs.Grant(source="sponsor", amount=Decimal(50000), funder="/organisations/x")
FAST_MONEY = bs.Grant(source="fast", amount=Decimal(20000), edition=16)

# Who may, written from the brief (not from the TOML):
# §2.2: the sponsor decides at committee, the committee as a body deliberates with it;
# launching an investigation is the sponsor's engagement with the jury or the incubator.
COMMITTEE = {"sponsor", "investment-committee"}
# §2.1: the intrapreneur takes every product decision, the use of the budget included.
INTRAPRENEUR = {"intrapreneur"}
# §2.1: DINUM runs FAST and designates national-impact services.
DINUM = {"dinum"}
# §7.2: money comes from the sponsoring administration (at committee) or DINUM.
FUNDERS = {"sponsor", "investment-committee", "dinum"}
# §8.2 B: the team, backed by its incubator, files for other sponsors.
RECOVERY = {"intrapreneur", "coach", "incubator"}
# §8.3, §8.5: the dossier is prepared with the incubator's or DINUM's technical referent.
DOSSIER = {"intrapreneur", "coach", "incubator", "portfolio-manager"}
# §6.3: the intrapreneur organises the committee, the incubator guarantees it is held.
COMMITTEE_HELD = {"intrapreneur", "incubator", "sponsor", "investment-committee"}
# §2.2 last row [INF]: a phase's explicit end belongs with who decides the moves.
PHASE_END = {"sponsor", "investment-committee", "incubator"}
EVERYONE = set(ROLES)


def in_phase(phase: str) -> bs.Startup:
    return bs.Startup(
        slug="matrice",
        title="Matrice",
        history=[bs.PhaseEntered(on=dt.date(2025, 1, 6), phase=phase)],
    )


def with_committee(phase: str) -> bs.Startup:
    startup = in_phase(phase)
    return bs.Startup(
        slug=startup.slug,
        title=startup.title,
        history=(*startup.history, bs.CommitteeHeld(on=DAY)),
    )


def first_move(role: str) -> bs.Advance:
    partner = "incubator" if role == "sponsor" else "sponsor"
    return bs.Advance(on=DAY, to="investigation", by=role, co_deciders=[partner])


def record(event: bs.Event) -> Callable[[str], bs.Record]:
    return lambda role: bs.Record(event=event, by=role)


# (name, startup, command for a role, roles that may)
MATRIX: list[tuple[str, bs.Startup, Callable[[str], object], set[str]]] = [
    (
        "Advance T00",
        bs.Startup(slug="matrice", title="Matrice"),
        first_move,
        {"sponsor", "incubator", "selection-jury"},
    ),
    (
        "Advance T01 at committee",
        with_committee("investigation"),
        lambda r: bs.Advance(on=DAY, to="construction", by=r, sponsor_budget_line=200000),
        COMMITTEE,
    ),
    (
        "HoldCommittee continue",
        in_phase("construction"),
        lambda r: bs.HoldCommittee(on=DAY, by=r, decision="continue", grants=[SPONSOR_MONEY]),
        COMMITTEE,
    ),
    (
        "HoldCommittee provisional",
        in_phase("construction"),
        lambda r: bs.HoldCommittee(on=DAY, by=r, decision="provisional", grants=[SPONSOR_MONEY]),
        COMMITTEE,
    ),
    (
        "HoldCommittee stop",
        in_phase("construction"),
        lambda r: bs.HoldCommittee(on=DAY, by=r, decision="stop", post_mortem=PM),
        COMMITTEE,
    ),
    # A stop outside a committee is decided by its transition's deciders: the committee's
    # in construction (T06), the host's once transferred (T18, brief §5.1).
    (
        "Stop",
        with_committee("construction"),
        lambda r: bs.Stop(on=DAY, by=r, post_mortem=PM),
        COMMITTEE,
    ),
    (
        "Stop after transfer",
        in_phase("transfere"),
        lambda r: bs.Stop(on=DAY, by=r, post_mortem=PM),
        {"host"},
    ),
    (
        "GrantFunds",
        in_phase("construction"),
        lambda r: bs.GrantFunds(on=DAY, by=r, grants=[SPONSOR_MONEY]),
        FUNDERS,
    ),
    (
        "GrantFunds FAST",
        in_phase("acceleration"),
        lambda r: bs.GrantFunds(on=DAY, by=r, grants=[FAST_MONEY]),
        DINUM,
    ),
    (
        "AwardFast",
        in_phase("acceleration"),
        lambda r: bs.AwardFast(on=DAY, by=r, edition=16),
        DINUM,
    ),
    (
        "Spend",
        in_phase("construction"),
        lambda r: bs.Spend(on=DAY, by=r, amount=Decimal(100)),
        INTRAPRENEUR,
    ),
    ("FileRecovery", in_phase("construction"), lambda r: bs.FileRecovery(on=DAY, by=r), RECOVERY),
    (
        "TakeOver",
        in_phase("construction"),
        lambda r: bs.TakeOver(on=DAY, by=r, sponsor="/organisations/y", grants=[SPONSOR_MONEY]),
        {"sponsor"},
    ),
    (
        "UpdateDossier",
        in_phase("construction"),
        lambda r: bs.UpdateDossier(on=DAY, by=r, done=["docs.user"]),
        DOSSIER,
    ),
    (
        "DesignateNationalImpact",
        in_phase("acceleration"),
        lambda r: bs.DesignateNationalImpact(on=DAY, by=r, criteria=bs.NATIONAL_IMPACT_CRITERIA),
        DINUM,
    ),
    (
        "PublishBudget",
        in_phase("construction"),
        lambda r: bs.PublishBudget(on=DAY, by=r),
        INTRAPRENEUR,
    ),
    ("Launch", in_phase("construction"), lambda r: bs.Launch(on=DAY, by=r), INTRAPRENEUR),
    ("Record Note", in_phase("construction"), record(bs.Note(on=DAY, name="décret")), EVERYONE),
    (
        "Record ProductLaunched",
        in_phase("construction"),
        record(bs.ProductLaunched(on=DAY)),
        INTRAPRENEUR,
    ),
    (
        "Record NationalImpactDesignated",
        in_phase("acceleration"),
        record(bs.NationalImpactDesignated(on=DAY, criteria=bs.NATIONAL_IMPACT_CRITERIA)),
        DINUM,
    ),
    (
        "Record FastLaureate",
        in_phase("acceleration"),
        record(bs.FastLaureate(on=DAY, edition=16, amount=Decimal(20000))),
        DINUM,
    ),
    (
        "Record BudgetPublished",
        in_phase("construction"),
        record(bs.BudgetPublished(on=DAY)),
        INTRAPRENEUR,
    ),
    (
        "Record CommitteeHeld",
        in_phase("construction"),
        record(bs.CommitteeHeld(on=DAY)),
        COMMITTEE_HELD,
    ),
    (
        "Record CommitteeHeld continue",
        in_phase("construction"),
        record(bs.CommitteeHeld(on=DAY, decision="continue")),
        COMMITTEE,
    ),
    (
        "Record CommitteeHeld provisional",
        in_phase("construction"),
        record(bs.CommitteeHeld(on=DAY, decision="provisional")),
        COMMITTEE,
    ),
    (
        "Record CommitteeHeld stop",
        in_phase("construction"),
        record(bs.CommitteeHeld(on=DAY, decision="stop", phase_change="abandon")),
        COMMITTEE,
    ),
    (
        "Record PhaseEnded",
        in_phase("construction"),
        record(bs.PhaseEnded(on=DAY, phase="construction")),
        PHASE_END,
    ),
]


def with_event(event: bs.Event) -> bs.Startup:
    """In construction, then ``event`` (the second event: version 2)."""
    startup = in_phase("construction")
    return bs.Startup(slug=startup.slug, title=startup.title, history=[*startup.history, event])


def retract(version: int) -> Callable[[str], bs.Retract]:
    return lambda role: bs.Retract(on=DAY, by=role, version=version, reason="saisi par erreur")


EARLIER = dt.date(2025, 3, 3)
# A retraction undoes only what its author may do: the retracted event's own permission.
MATRIX += [
    ("Retract Note", with_event(bs.Note(on=EARLIER, name="x")), retract(2), EVERYONE),
    (
        "Retract Spent",
        with_event(bs.Spent(on=EARLIER, amount=Decimal(5))),
        retract(2),
        INTRAPRENEUR,
    ),
    (
        "Retract CommitteeHeld continue",
        with_event(bs.CommitteeHeld(on=EARLIER, decision="continue")),
        retract(2),
        COMMITTEE,
    ),
    (
        "Retract FastLaureate",
        with_event(bs.FastLaureate(on=EARLIER, edition=16)),
        retract(2),
        DINUM,
    ),
    # §2.2 last row [INF]: a phase entry is retracted by who may end a phase.
    ("Retract PhaseEntered", in_phase("construction"), retract(1), PHASE_END),
]
# Events that move money, a stop or a phase have their own command: no role may record them.
OWN_COMMAND = [
    bs.PhaseEntered(on=DAY, phase="acceleration"),
    bs.Pivoted(on=DAY, phase="construction"),
    bs.Stopped(on=DAY, post_mortem=PM),
    bs.FundsGranted(on=DAY, grants=[SPONSOR_MONEY]),
    bs.Spent(on=DAY, amount=Decimal(1)),
    bs.LiquidationDecided(on=DAY, safeguard_until=dt.date(2025, 9, 1)),
    bs.RecoveryFiled(on=DAY),
    bs.TakenOver(on=DAY, sponsor="/organisations/y"),
    bs.DossierUpdated(on=DAY, done=["docs.user"]),
    bs.Perennised(on=DAY, plan=bs.ExitPlan(trajectory="operator", host="/organisations/y")),
    bs.CommitteeHeld(on=DAY, decision="continue", grants=[SPONSOR_MONEY]),
    bs.Retracted(on=DAY, version=1, reason="saisi par erreur"),
]


class TestMatrix:
    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize(
        ("name", "startup", "command", "allowed"), MATRIX, ids=[row[0] for row in MATRIX]
    )
    def test_role(self, name, startup, command, allowed, role):
        """Each role may take exactly the decisions the brief gives it (BS-ROLE otherwise)."""
        errors = LIFECYCLE.check(startup, command(role)).errors
        refused = [r for r in errors if r.rule == "BS-ROLE"]

        assert (role in allowed) == (not refused), (name, role, errors)
        assert all(role in r.message for r in refused)

    @pytest.mark.parametrize("event", OWN_COMMAND, ids=lambda e: type(e).__name__)
    @pytest.mark.parametrize("role", ROLES)
    def test_no_role_records_what_a_command_decides(self, event, role):
        """Events with their own command cannot be recorded, whoever records them."""
        with pytest.raises(TypeError, match="use betastate"):
            bs.Record(event=event, by=role)

    def test_every_command_is_walked(self):
        """The matrix covers every command type and Record of every event type."""
        walked = {type(command("sponsor")) for _, _, command, _ in MATRIX}
        recorded = {
            type(command("sponsor").event)
            for _, _, command, _ in MATRIX
            if isinstance(command("sponsor"), bs.Record)
        }

        assert set(COMMAND_TYPES) == walked
        assert set(EVENT_TYPES) == recorded | {type(e) for e in OWN_COMMAND}

    def test_every_permission_is_exercised(self):
        """Each [permissions] entry is the one some row of the matrix checks."""
        book = LIFECYCLE.rulebook
        by_roles = {frozenset(roles) for roles in book.permissions.values()}
        tested = {frozenset(allowed) for _, _, _, allowed in MATRIX}

        assert by_roles <= tested

    @pytest.mark.parametrize("kind", EVENT_TYPES, ids=lambda k: k.__name__)
    def test_every_event_has_a_retraction_permission(self, kind):
        """Retracting any event names a permission the rulebook declares (none is open)."""
        from betastate._engine.lifecycle import retract_permission  # noqa: PLC0415

        commands = [c("sponsor") for _, _, c, _ in MATRIX]
        known = [*OWN_COMMAND, *(c.event for c in commands if isinstance(c, bs.Record))]
        sample = next(e for e in known if type(e) is kind)
        assert retract_permission(sample) in LIFECYCLE.rulebook.permissions
