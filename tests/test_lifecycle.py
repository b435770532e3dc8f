"""The lifecycle engine: every allowed and every forbidden move, refusals, moves, time travel."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import attrs
import pytest

import betastate as bs


# The moves brief §5.1 documents ([DOC] rows), written from the brief, not from the TOML:
# the strict rulebook accepts exactly these (plus pivots, which stay in the phase).
DOCUMENTED = {
    (None, "investigation"): "T00",
    ("investigation", "construction"): "T01",
    ("investigation", "abandon-investigation"): "T02",
    ("construction", "acceleration"): "T04",
    ("construction", "abandon"): "T06",
    ("construction", "transfere"): "T07",
    ("construction", "consolidation"): "T08",
    ("acceleration", "consolidation"): "T09",
    ("acceleration", "abandon"): "T10",
    ("acceleration", "transfere"): "T11",
    ("consolidation", "transfere"): "T13",
    ("consolidation", "opere"): "T14",
    ("consolidation", "abandon"): "T15",
}
PIVOTS = {("investigation", "investigation"): "T03", ("construction", "construction"): "T05"}
# Seen only in the data (brief §5.1 [DATA] rows): refused by N8 in strict mode.
DATA_ONLY = {
    ("acceleration", "opere"),
    ("consolidation", "acceleration"),
    ("consolidation", "construction"),
    ("construction", "investigation"),
    ("transfere", "abandon"),
    ("abandon-investigation", "investigation"),
    ("investigation", "acceleration"),
    ("investigation", "transfere"),
    ("investigation", "opere"),
    ("investigation", "consolidation"),
    ("construction", "opere"),
}
PHASES = [p.value for p in bs.Phase]
START = dt.date(2024, 1, 1)
LATER = dt.date(2024, 6, 1)


@pytest.fixture(name="lifecycle", scope="module")
def _lifecycle() -> bs.Lifecycle:
    return bs.Lifecycle()


def in_phase(phase: str | None, slug: str = "produit-test") -> bs.Startup:
    history = [] if phase is None else [bs.PhaseEntered(on=START, phase=phase)]
    return bs.Startup(slug=slug, title="Produit test", history=history)


def held(startup: bs.Startup, on: dt.date = LATER) -> bs.Startup:
    """The startup with a committee held on ``on``: moves decided at committee need one (N1)."""
    if not startup.history:
        return startup
    return attrs.evolve(startup, history=(*startup.history, bs.CommitteeHeld(on=on)))


POST_MORTEM = bs.PostMortem(
    learnings="Les usagers préfèrent le guichet physique.",
    why_we_stop="Impact trop faible pour son coût.",
    relaunch_advice="Repartir des entretiens usagers de 2024.",
    reasons=["insufficient_impact"],
    authors=[bs.Actor(role="intrapreneur"), bs.Actor(role="coach")],
)
STOPS = {"abandon", "abandon-investigation"}


def advance(to: str, role: bs.Role = bs.Role.SPONSOR, on: dt.date = LATER) -> bs.Advance:
    """
    A move with the evidence gates ask for: a budget line, a post-mortem for a stop.

    The incubator decides with the decider: T00 is a joint decision (brief §2.2), and a
    co-decider the transition does not ask for changes nothing.
    """
    return bs.Advance(
        on=on,
        to=to,
        by=role,
        co_deciders=[bs.Role.INCUBATOR],
        sponsor_budget_line=Decimal(200000),
        post_mortem=POST_MORTEM if to in STOPS else None,
    )


class TestEveryMove:
    @pytest.mark.parametrize(("source", "dest"), list(itertools.product([None, *PHASES], PHASES)))
    def test_move(self, lifecycle, source, dest):
        """A move is accepted exactly when brief §5.1 documents it (or it is a pivot)."""
        startup = held(in_phase(source))
        verdict = lifecycle.check(startup, advance(dest))

        if (source, dest) in DOCUMENTED or (source, dest) in PIVOTS:
            assert verdict.accepted, verdict.errors
            outcome = lifecycle.apply(startup, advance(dest))
            assert dest == lifecycle.phase(outcome.startup)
        else:
            assert not verdict.accepted
            with pytest.raises(bs.TransitionRefused) as info:
                lifecycle.apply(startup, advance(dest))
            assert info.value.reasons == verdict.errors

    @pytest.mark.parametrize(("source", "dest"), sorted(DATA_ONLY))
    def test_data_only_moves_cite_n8(self, lifecycle, source, dest):
        """Moves seen only in the data are refused with rule N8 (brief §5.2)."""
        rules = {r.rule for r in lifecycle.check(in_phase(source), advance(dest)).errors}

        assert "N8" in rules

    @pytest.mark.parametrize("dest", PHASES)
    @pytest.mark.parametrize("stop", ["abandon", "abandon-investigation"])
    def test_nothing_leaves_a_stop(self, lifecycle, stop, dest):
        """N6: every move out of a stop is refused, citing N6."""
        rules = {r.rule for r in lifecycle.check(in_phase(stop), advance(dest)).errors}

        assert "N6" in rules

    @pytest.mark.parametrize(("source", "dest"), sorted(DOCUMENTED, key=str))
    def test_documented_moves_name_their_transition(self, lifecycle, source, dest):
        """Each documented move is listed by moves() with its brief id and deciders."""
        moves = {m.to: m for m in lifecycle.moves(in_phase(source), on=LATER)}

        assert DOCUMENTED[(source, dest)] == moves[dest].transition
        assert moves[dest].deciders


class TestRefusals:
    def test_every_reason_at_once(self, lifecycle):
        """A refusal lists every broken rule, each with rule id, message and fix."""
        startup = bs.Startup(
            slug="produit-test",
            title="Produit test",
            history=[
                bs.PhaseEntered(on=dt.date(2023, 6, 1), phase="investigation"),
                bs.PhaseEntered(on=START, phase="construction"),
            ],
        )
        command = bs.Advance(on=dt.date(2023, 1, 1), to="investigation", by=bs.Role.COACH)

        with pytest.raises(bs.TransitionRefused) as info:
            lifecycle.apply(startup, command)

        reasons = info.value.reasons
        assert {"BS-CHRONO", "N1", "N4", "N8", "BS-ROLE"} == {r.rule for r in reasons}
        for reason in reasons:
            assert "produit-test" in reason.message
            assert reason.fix
            assert bs.Severity.ERROR == reason.severity
        assert "2023-01-01" in str(info.value)

    def test_refusal_changes_nothing(self, lifecycle):
        """The startup a refusal was raised for is unchanged (values are immutable)."""
        startup = in_phase("investigation")
        before = attrs.evolve(startup)

        with pytest.raises(bs.TransitionRefused):
            lifecycle.apply(startup, advance("opere"))

        assert before == startup

    def test_budget_line_gate(self, lifecycle):
        """BR-08: entering construction without a 150 k€ sponsor line is refused with a fix."""
        startup = held(in_phase("investigation"))
        command = bs.Advance(
            on=LATER, to="construction", by=bs.Role.SPONSOR, sponsor_budget_line=Decimal(90000)
        )

        (reason,) = lifecycle.check(startup, command).errors

        assert "BR-08" == reason.rule
        assert "90,000" in reason.message
        assert "150,000" in reason.fix

    def test_budget_line_threshold_is_configurable(self, lifecycle):
        """A derived rulebook with a 100 k€ threshold accepts a 120 k€ line."""
        relaxed = bs.Lifecycle(
            lifecycle.rulebook.derive(thresholds={"first_committee_budget_line": 100000})
        )
        command = bs.Advance(
            on=LATER, to="construction", by=bs.Role.SPONSOR, sponsor_budget_line=Decimal(120000)
        )

        assert relaxed.check(held(in_phase("investigation")), command).accepted
        assert not lifecycle.check(held(in_phase("investigation")), command).accepted

    def test_dated_before_last_event(self, lifecycle):
        """BS-CHRONO: a command dated before the last event is refused, never reordered."""
        startup = in_phase("investigation")
        command = bs.Launch(on=START - dt.timedelta(days=1), by=bs.Role.INTRAPRENEUR)

        (reason,) = lifecycle.check(startup, command).errors

        assert "BS-CHRONO" == reason.rule
        assert START.isoformat() in reason.fix

    def test_same_day_is_allowed(self, lifecycle):
        """A command on the last event's date is in order."""
        outcome = lifecycle.apply(in_phase("investigation"), bs.Launch(on=START, by="intrapreneur"))

        assert isinstance(outcome.events[0], bs.ProductLaunched)

    def test_unknown_phase(self, lifecycle):
        """BS-PHASE names the valid phases."""
        (reason,) = lifecycle.check(in_phase("investigation"), advance("hibernation")).errors

        assert "BS-PHASE" == reason.rule
        assert "construction" in reason.fix

    def test_role_may_not_decide(self, lifecycle):
        """BS-ROLE: a coach may not decide an end-of-investigation go."""
        command = advance("construction", role=bs.Role.COACH)

        (reason,) = lifecycle.check(held(in_phase("investigation")), command).errors

        assert "BS-ROLE" == reason.rule
        assert "sponsor" in reason.fix

    def test_not_a_command(self, lifecycle):
        """Passing something that is not a command is a TypeError naming it."""
        with pytest.raises(TypeError, match="betastate command"):
            lifecycle.apply(in_phase(None), "construction")  # type: ignore[arg-type]

    def test_record_refuses_phase_changes(self):
        """Record cannot smuggle a phase change past the rulebook."""
        with pytest.raises(TypeError, match="Advance"):
            bs.Record(event=bs.PhaseEntered(on=START, phase="opere"), by="sponsor")


class TestOutcomes:
    def test_pivot_keeps_the_phase(self, lifecycle):
        """A pivot (T03) records a Pivoted event and leaves the phase as it is."""
        outcome = lifecycle.apply(held(in_phase("investigation")), advance("investigation"))

        assert [bs.Pivoted] == [type(e) for e in outcome.events]
        assert "investigation" == lifecycle.phase(outcome.startup)

    def test_events_are_appended(self, lifecycle):
        """apply appends the new events to the history and returns them."""
        startup = held(in_phase("investigation"))
        outcome = lifecycle.apply(startup, advance("construction"))

        assert startup.history + outcome.events == outcome.startup.history
        assert bs.Actor(role=bs.Role.SPONSOR) == outcome.events[0].by

    def test_record_keeps_the_actor(self, lifecycle):
        """Record stamps the command's actor on an event that has none."""
        outcome = lifecycle.apply(
            in_phase("construction"),
            bs.Record(event=bs.Note(on=LATER, comment="Décret publié"), by="sponsor"),
        )

        assert bs.Role.SPONSOR == outcome.events[0].by.role

    def test_moves_skip_forbidden(self, lifecycle):
        """moves() lists no data-only move, no re-entry and nothing out of a stop."""
        assert {m.to for m in lifecycle.moves(in_phase("acceleration"), on=LATER)} == {
            "consolidation",
            "abandon",
            "transfere",
        }
        assert () == lifecycle.moves(in_phase("abandon"), on=LATER)
        assert ("sponsor_budget_line",) == next(
            m.gates
            for m in lifecycle.moves(in_phase("investigation"), on=LATER)
            if m.to == "construction"
        )

    def test_no_move_on_the_day_a_phase_started(self, lifecycle):
        """Under the site's tie rule a same-day move would not become current: none is open."""
        assert () == lifecycle.moves(in_phase("acceleration"), on=START)
        with pytest.raises(bs.TransitionRefused) as caught:
            lifecycle.apply(in_phase("investigation"), advance("construction", on=START))

        assert "BS-TIE" in [r.rule for r in caught.value.reasons]

    def test_rank_rule_lets_a_later_stage_win_the_day(self):
        """With the rank tie rule, a later stage entered the same day becomes current."""
        rank = bs.Lifecycle(bs.rulebook().derive(tie="rank"))
        investigating = held(in_phase("investigation"), on=START)
        outcome = rank.apply(investigating, advance("construction", on=START))

        assert "construction" == rank.phase(outcome.startup)
        assert "construction" in {m.to for m in rank.moves(investigating)}

    def test_lifecycle_accepts_a_rulebook_name(self):
        """Lifecycle("betagouv") and Lifecycle(rulebook) are the same engine."""
        assert bs.Lifecycle("betagouv").rulebook == bs.Lifecycle(bs.rulebook()).rulebook


class TestTimeTravel:
    def history(self) -> bs.Startup:
        return bs.Startup(
            slug="voyage",
            title="Voyage",
            history=[
                bs.PhaseEntered(on=dt.date(2020, 1, 1), phase="investigation"),
                bs.ProductLaunched(on=dt.date(2020, 3, 1)),
                bs.PhaseEntered(on=dt.date(2020, 4, 1), phase="construction"),
                bs.PhaseEntered(on=dt.date(2021, 6, 1), phase="acceleration"),
            ],
        )

    @pytest.mark.parametrize(
        ("day", "phase"),
        [
            (dt.date(2019, 12, 31), None),
            (dt.date(2020, 1, 1), "investigation"),
            (dt.date(2020, 3, 31), "investigation"),
            (dt.date(2020, 4, 1), "construction"),
            (dt.date(2021, 5, 31), "construction"),
            (dt.date(2030, 1, 1), "acceleration"),
        ],
    )
    def test_phase_on_a_date(self, lifecycle, day, phase):
        """The phase on a date is the one with the latest start on or before it."""
        assert phase == lifecycle.state(self.history(), on=day).phase

    def test_past_state_hides_the_future(self, lifecycle):
        """The state on a past date holds only what was known then; spans still open are open."""
        state = lifecycle.state(self.history(), on=dt.date(2020, 5, 1))

        assert [dt.date(2020, 1, 1), dt.date(2020, 3, 1), dt.date(2020, 4, 1)] == [
            e.on for e in state.events
        ]
        assert [("investigation", dt.date(2020, 4, 1)), ("construction", None)] == [
            (s.phase, s.end) for s in state.spans
        ]

    def test_same_day_tie_first_listed_wins(self, lifecycle):
        """Of same-day phases, the one recorded first is current (the site's rule)."""
        startup = bs.Startup(
            slug="meme-jour",
            title="Même jour",
            history=[
                bs.PhaseEntered(on=dt.date(2018, 1, 1), phase="construction"),
                bs.PhaseEntered(on=dt.date(2018, 1, 1), phase="investigation"),
            ],
        )
        state = lifecycle.state(startup)

        assert "construction" == state.phase
        assert ["investigation", "construction"] == [s.phase for s in state.spans]
        assert dt.date(2018, 1, 1) == state.spans[0].end
        swapped = attrs.evolve(startup, history=startup.history[::-1])
        assert "investigation" == lifecycle.phase(swapped)
        rank = bs.Lifecycle(bs.rulebook().derive(tie="rank"))
        assert ("construction", "construction") == (rank.phase(startup), rank.phase(swapped))

    def test_explicit_end_is_kept(self, lifecycle):
        """An explicit end closes its span but the phase stays current (as the website does)."""
        startup = bs.Startup(
            slug="fin",
            title="Fin",
            history=[
                bs.PhaseEntered(on=dt.date(2019, 1, 1), phase="construction"),
                bs.PhaseEnded(on=dt.date(2019, 9, 1), phase="construction"),
            ],
        )
        state = lifecycle.state(startup, on=dt.date(2020, 1, 1))

        assert "construction" == state.phase
        assert (
            bs.PhaseSpan("construction", dt.date(2019, 1, 1), dt.date(2019, 9, 1), True)
            == state.spans[0]
        )

    def test_state_on_its_date_is_the_default(self, lifecycle):
        """The state with no date is the state on the lifecycle's as-of date for it."""
        startup = self.history()

        assert lifecycle.state(startup) == lifecycle.state(startup, on=lifecycle.as_of(startup))
