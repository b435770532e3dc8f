"""Rulebooks other incubators can trust: each failure of issue 12's "Why" list, one test each."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

import betastate as bs


BUILTIN = Path(bs.__file__).parent / "_rules" / "presets" / "betagouv.toml"
DAY = dt.date(2025, 3, 10)
PM = bs.PostMortem(
    learnings="Les usagers préfèrent le guichet.",
    why_we_stop="Trop peu d'usage.",
    relaunch_advice="Repartir des entretiens.",
    reasons=["insufficient_impact"],
    authors=[bs.Actor(role="intrapreneur"), bs.Actor(role="coach")],
)


def text() -> str:
    return BUILTIN.read_text(encoding="utf-8")


def without_rule(source: str, rule_id: str) -> str:
    """The file without its ``[rules.ID]`` table."""
    edited, count = re.subn(rf"\[rules\.{re.escape(rule_id)}\]\n(?:[a-z]+ = .*\n)*", "", source)
    assert 1 == count, rule_id
    return edited


def block(source: str, transition_id: str) -> str:
    """The ``[[transitions]]`` block of ``transition_id``."""
    for part in source.split("[[transitions]]")[1:]:
        if f'id = "{transition_id}"\n' in part:
            return "[[transitions]]" + part.split("\n\n")[0] + "\n"
    raise AssertionError(transition_id)


def load(tmp_path: Path, source: str) -> bs.Rulebook:
    path = tmp_path / "mine.toml"
    path.write_text(source, encoding="utf-8")
    return bs.rulebook(path)


def refusal(tmp_path: Path, source: str) -> bs.RulebookError:
    with pytest.raises(bs.RulebookError) as info:
        load(tmp_path, source)
    return info.value


def keys(error: bs.RulebookError) -> list[str]:
    return [error.key, *(p.key for p in error.problems)]


def in_phase(phase: str, *events: bs.Event) -> bs.Startup:
    return bs.Startup(
        slug="produit-test",
        title="Produit test",
        history=[bs.PhaseEntered(on=dt.date(2024, 1, 8), phase=phase), *events],
    )


class TestRulesFailClosed:
    @pytest.mark.parametrize(
        ("rule", "where"),
        [
            ("BS-MOVE", "the engine"),
            ("BS-ROLE", "the engine"),
            ("BS-CHRONO", "the engine"),
            ("N1", "at_committee"),
            ("BR-08", "sponsor_budget_line"),
        ],
    )
    def test_an_undeclared_rule_refuses_the_file(self, tmp_path, rule, where):
        """A rule missing from [rules] is a RulebookError naming it and where it is referenced."""
        error = refusal(tmp_path, without_rule(text(), rule))

        assert f"rules.{rule}" == error.key
        assert where in error.problem
        assert f"[rules.{rule}]" in error.fix

    def test_severity_of_an_unknown_rule_raises(self):
        """severity() of an id the rulebook lacks raises instead of answering off."""
        with pytest.raises(bs.RulebookError) as info:
            bs.rulebook().severity("NOPE")

        assert "rules.NOPE" == info.value.key

    def test_a_gate_yielding_an_undeclared_id_raises(self):
        """A gate that yields an id it did not declare raises: it is never dropped."""

        @bs.gate("BR-08")
        def misspelt(ctx):
            yield bs.Violation("BR-8", "no line", "find one")

        lifecycle = bs.Lifecycle(bs.rulebook().derive(gates={"sponsor_budget_line": misspelt}))
        move = bs.HoldCommittee(
            on=DAY,
            by="sponsor",
            decision="continue",
            phase_change="construction",
            grants=[bs.Grant(source="sponsor", amount=100000)],
        )

        with pytest.raises(bs.RulebookError, match="BR-8"):
            lifecycle.check(in_phase("investigation"), move)

    def test_a_gate_declaring_a_rule_the_book_lacks_refuses_the_book(self):
        """A gate used by a transition may only yield rules the rulebook declares."""

        @bs.gate("LOCAL-COACH")
        def needs_a_coach(ctx):
            yield bs.Violation("LOCAL-COACH", "no coach", "assign one")

        with pytest.raises(bs.RulebookError) as info:
            bs.rulebook().derive(gates={"sponsor_budget_line": needs_a_coach})

        assert "rules.LOCAL-COACH" == info.value.key
        assert "sponsor_budget_line" in info.value.problem

    def test_a_plain_function_is_not_a_gate(self):
        """A callable that does not declare its rule ids is refused."""

        def undeclared(ctx):
            return iter(())

        with pytest.raises(bs.RulebookError) as info:
            bs.rulebook().derive(gates={"sponsor_budget_line": undeclared})

        assert "gates.sponsor_budget_line" == info.value.key
        assert "bs.gate" in info.value.fix or "betastate.gate" in info.value.fix

    def test_a_misspelt_permission_key_refuses_the_file(self, tmp_path):
        """A [permissions] key that is no decision is an error, and the real one is missing."""
        error = refusal(tmp_path, text().replace("\nspend = [", "\nspnd = [", 1))

        assert "permissions.spnd" in keys(error)
        assert "permissions.spend" in keys(error)

    def test_every_decision_needs_an_entry(self, tmp_path):
        """A file without an entry for publish-budget does not load: nothing is open by omission."""
        source = re.sub(r"\npublish-budget = .*\n", "\n", text())

        assert "permissions.publish-budget" in keys(refusal(tmp_path, source))


class TestBrokenFilesRefused:
    def test_no_deciders(self, tmp_path):
        """deciders = [] is refused at load, not a crash in moves()."""
        t04 = block(text(), "T04")
        source = text().replace(t04, re.sub(r"deciders = \[.*\]", "deciders = []", t04))
        error = refusal(tmp_path, source)

        assert "T04" in error.key
        assert error.key.endswith(".deciders")

    def test_no_first_transition(self, tmp_path):
        """A file with no first transition is refused, naming the transitions."""
        error = refusal(tmp_path, text().replace(block(text(), "T00"), ""))

        assert "transitions" == error.key
        assert "sources = []" in error.fix

    def test_a_transition_out_of_a_terminal_phase(self, tmp_path):
        """A move out of a terminal phase is refused unless it is declared (leaves_terminal)."""
        extra = (
            '\n[[transitions]]\nid = "X1"\ntrigger = "reopen"\nsources = ["opere"]\n'
            'dest = "consolidation"\ndeciders = ["sponsor"]\n'
        )
        source = text().replace("# Rules. severity", extra + "\n# Rules. severity", 1)
        error = refusal(tmp_path, source.replace("\n# ----\n", "\n"))

        assert "X1" in error.key
        assert "leaves_terminal" in error.fix

    def test_typical_above_max(self, tmp_path):
        """typical_days above max_days is refused, naming the phase."""
        source = text().replace("max_days = 548", "max_days = 200", 1)
        error = refusal(tmp_path, source)

        assert "construction" in error.key
        assert "typical_days" in error.key

    def test_two_phases_with_one_rank(self, tmp_path):
        """Under the rank tie rule, two phases that can follow each other may not share a rank."""
        source = text().replace("rank = 3\n", "rank = 4\n", 1)
        source = source.replace('tie = "first-listed"', 'tie = "rank"', 1)
        error = refusal(tmp_path, source)

        assert error.key.endswith(".rank")
        assert "construction" in error.problem
        assert "acceleration" in error.problem

    def test_ranks_do_not_matter_when_the_first_listed_wins(self, tmp_path):
        """Under the site's rule the order recorded breaks ties, so shared ranks are fine."""
        path = tmp_path / "book.toml"
        path.write_text(text().replace("rank = 3\n", "rank = 4\n", 1), encoding="utf-8")

        assert "first-listed" == bs.rulebook(path).tie

    @pytest.mark.parametrize(
        ("edit", "key"),
        [
            (
                ('fast_cofinancing_share = "0.5"', "fast_cofinancing_share = nan"),
                "thresholds.fast_cofinancing_share",
            ),
            (("envelope_months = 6", "envelope_months = -6"), "thresholds.envelope_months"),
            (("fast_cap = 200000", "fast_cap = 1e400"), "thresholds.fast_cap"),
            (
                (
                    "first_committee_budget_line = 150000",
                    "first_committee_budget_line = " + "9" * 30,
                ),
                "thresholds.first_committee_budget_line",
            ),
            (
                ("committee_interval_months = 6", "committee_interval_months = 10000000000"),
                "thresholds.committee_interval_months",
            ),
            (
                ("provisional_months_min = 1", "provisional_months_min = 3"),
                "thresholds.provisional_months_min",
            ),
        ],
        ids=["nan", "negative-months", "infinite", "overflow", "huge-int", "min-above-max"],
    )
    def test_thresholds_are_typed_with_ranges(self, tmp_path, edit, key):
        """NaN, negative months, overflowing numbers and crossed bounds are refused by key."""
        old, new = edit
        assert old in text()

        assert key in keys(refusal(tmp_path, text().replace(old, new, 1)))

    def test_derive_checks_threshold_ranges(self):
        """derive() refuses the same values, naming the threshold."""
        with pytest.raises(bs.RulebookError) as info:
            bs.rulebook().derive(thresholds={"envelope_months": -1})

        assert "thresholds.envelope_months" == info.value.key


MINIMAL = """
[rulebook]
name = "atelier"

[[roles]]
value = "service-owner"
labels = { en = "Service owner" }

[[roles]]
value = "assessment-panel"
labels = { en = "Assessment panel" }

[[phases]]
value = "discovery"
labels = { en = "Discovery" }
rank = 1
active = true
terminal = false

[[phases]]
value = "alpha"
labels = { en = "Alpha" }
rank = 2
active = true
terminal = false

[[phases]]
value = "closed"
labels = { en = "Closed" }
rank = 3
active = false
terminal = true
stop = true

[[transitions]]
id = "A0"
trigger = "start"
sources = []
dest = "discovery"
deciders = ["service-owner"]

[[transitions]]
id = "A1"
trigger = "prototype"
sources = ["discovery"]
dest = "alpha"
deciders = ["service-owner"]
gates = ["peer_review"]

[[transitions]]
id = "A2"
trigger = "close"
sources = ["discovery", "alpha"]
dest = "closed"
deciders = ["service-owner"]

[gates.peer_review]
kind = "event_within"
event = "peer-review-passed"
threshold = "review_validity_days"
by = ["assessment-panel"]
rule = "AT-REVIEW"

[thresholds]
review_validity_days = { type = "days", value = 30, min = 1, max = 365, rules = ["AT-REVIEW"] }
committee_mandatory_roles = ["service-owner"]
post_mortem_authors = ["service-owner"]

[permissions]
{permissions}

[rules]
AT-REVIEW = "error"
{rules}
"""


def minimal(**replace: str) -> str:
    permissions = "\n".join(
        f'{key} = ["service-owner"]' for key in bs.rulebook().permissions if key != "record"
    )
    permissions += '\nrecord = ["service-owner", "assessment-panel"]'
    rules = "\n".join(f'{rule.id} = "{rule.severity}"' for rule in bs.rulebook().rules)
    source = MINIMAL.replace("{permissions}", permissions).replace("{rules}", rules)
    for old, new in replace.items():
        source = source.replace(old, new)
    return source.replace('\nN8 = "error"', '\nN8 = "warning"')


class TestExpressive:
    def test_own_roles_one_language_own_threshold(self, tmp_path):
        """An incubator declares its roles, English labels only, and a typed threshold."""
        book = load(tmp_path, minimal())

        assert ("service-owner", "assessment-panel") == book.role_values
        assert "Discovery" == book.phase("discovery").label("fr")
        assert 30 == book.thresholds.get("review_validity_days")
        assert "days" == book.thresholds.kind("review_validity_days")

    def test_an_undeclared_role_is_refused_by_the_engine(self, tmp_path):
        """A command by a role the rulebook does not declare is refused (BS-ACTOR)."""
        lifecycle = bs.Lifecycle(load(tmp_path, minimal()))
        startup = bs.Startup(slug="licence", title="Licence")
        verdict = lifecycle.check(startup, bs.Advance(on=DAY, to="discovery", by="sponsor"))

        assert ["BS-ACTOR", "BS-ROLE"] == sorted(r.rule for r in verdict.errors)

    def test_an_event_within_gate_from_toml(self, tmp_path):
        """A built-in gate with parameters, no Python: a peer review by the panel within 30 days."""
        lifecycle = bs.Lifecycle(load(tmp_path, minimal()))
        startup = lifecycle.apply(
            bs.Startup(slug="licence", title="Licence"),
            bs.Advance(on=dt.date(2025, 1, 6), to="discovery", by="service-owner"),
        ).startup
        move = bs.Advance(on=dt.date(2025, 3, 3), to="alpha", by="service-owner")
        review = bs.Note(on=dt.date(2025, 2, 24), name="peer-review-passed")
        old_review = bs.Note(on=dt.date(2025, 1, 20), name="peer-review-passed")

        refused = lifecycle.check(startup, move)
        too_old = lifecycle.check(
            lifecycle.apply(startup, bs.Record(event=old_review, by="assessment-panel")).startup,
            move,
        )
        wrong_recorder = lifecycle.check(
            lifecycle.apply(startup, bs.Record(event=review, by="service-owner")).startup, move
        )
        passed = lifecycle.check(
            lifecycle.apply(startup, bs.Record(event=review, by="assessment-panel")).startup, move
        )

        assert ["AT-REVIEW"] == [r.rule for r in refused.errors]
        assert ["AT-REVIEW"] == [r.rule for r in too_old.errors]
        assert ["AT-REVIEW"] == [r.rule for r in wrong_recorder.errors]
        assert passed.accepted, passed.errors

    def test_derive_changes_a_declared_threshold(self, tmp_path):
        """derive(thresholds=...) changes a declared threshold within its range, and checks it."""
        book = load(tmp_path, minimal())

        assert 90 == book.derive(thresholds={"review_validity_days": 90}).thresholds.get(
            "review_validity_days"
        )
        with pytest.raises(bs.RulebookError) as info:
            book.derive(thresholds={"review_validity_days": 400})
        assert "review_validity_days" in info.value.key

    def test_derive_overrides_phases_transitions_roles_permissions(self):
        """derive() changes a phase's duration and labels, moves, roles and permissions."""
        book = bs.rulebook()
        treasurer = bs.RoleDef(value="treasurer", labels={"fr": "Trésorier", "en": "Treasurer"})
        mine = book.derive(
            name="ministere",
            phases={"construction": {"max_days": 730, "labels": {"en": "Build"}}},
            remove_transitions=["T12", "T21"],
            add_roles=[treasurer],
            permissions={"spend": ["intrapreneur", "treasurer"]},
        )

        assert 730 == mine.phase("construction").max_days
        assert ("Construction", "Build") == (
            mine.phase("construction").label("fr"),
            mine.phase("construction").label("en"),
        )
        assert mine.transition("acceleration", "opere") is None
        assert mine.has_role("treasurer")
        assert mine.may("treasurer", "spend")
        assert 548 == book.phase("construction").max_days
        assert not book.has_role("treasurer")

    def test_derive_refuses_removing_a_role_still_named(self):
        """Removing a role a transition still names is an error naming the transition."""
        with pytest.raises(bs.RulebookError) as info:
            bs.rulebook().derive(remove_roles=["host"])

        assert "T18" in " ".join(keys(info.value))


def committee_record(on: dt.date = DAY) -> bs.Record:
    return bs.Record(event=bs.CommitteeHeld(on=on), by="sponsor")


class TestPermissionsAsTheBriefSays:
    def test_t00_is_a_joint_decision(self):
        """T00: the sponsor with the selection jury or the incubator; nobody alone."""
        lifecycle = bs.Lifecycle()
        empty = bs.Startup(slug="p", title="P")

        def rules(**kwargs):
            command = bs.Advance(on=DAY, to="investigation", **kwargs)
            return [r.rule for r in lifecycle.check(empty, command).errors]

        assert ["BS-ROLE"] == rules(by="sponsor")
        assert ["BS-ROLE"] == rules(by="incubator")
        assert ["BS-ROLE"] == rules(by="dinum")
        assert ["BS-ROLE"] == rules(by="sponsor", co_deciders=["coach"])
        assert [] == rules(by="sponsor", co_deciders=["incubator"])
        assert [] == rules(by="sponsor", co_deciders=[bs.Actor(role="selection-jury")])
        assert [] == rules(by="incubator", co_deciders=["sponsor"])

    def test_at_committee_needs_a_committee(self):
        """A move decided at committee, from the sponsor alone with no committee held: N1."""
        lifecycle = bs.Lifecycle()
        move = bs.Advance(
            on=DAY, to="construction", by="sponsor", sponsor_budget_line=Decimal(180000)
        )
        alone = lifecycle.check(in_phase("investigation"), move)
        held = lifecycle.apply(in_phase("investigation"), committee_record()).startup
        held_earlier = lifecycle.apply(
            in_phase("investigation"), committee_record(dt.date(2025, 3, 3))
        ).startup

        assert ["N1"] == [r.rule for r in alone.errors]
        assert lifecycle.check(held, move).accepted
        assert ["N1"] == [r.rule for r in lifecycle.check(held_earlier, move).errors]

    def test_n1_is_its_own_rule(self):
        """N1 is configurable on its own: downgraded, the move is accepted with a warning."""
        lifecycle = bs.Lifecycle(bs.rulebook().derive(severities={"N1": "warning"}))
        move = bs.Advance(
            on=DAY, to="construction", by="sponsor", sponsor_budget_line=Decimal(180000)
        )

        assert ["N1"] == [w.rule for w in lifecycle.check(in_phase("investigation"), move).warnings]

    def test_spending_is_the_intrapreneurs(self):
        """Spending is refused from the sponsor and the incubator (§2.1: the intrapreneur)."""
        lifecycle = bs.Lifecycle()
        startup = in_phase("construction")

        for role, allowed in [("sponsor", False), ("incubator", False), ("intrapreneur", True)]:
            verdict = lifecycle.check(startup, bs.Spend(on=DAY, by=role, amount=Decimal(1)))
            assert allowed == ("BS-ROLE" not in [r.rule for r in verdict.errors]), role

    def test_t18_can_pass(self):
        """T18 (the host shuts a transferred service) passes once N8 is downgraded."""
        lenient = bs.Lifecycle(bs.rulebook().derive(severities={"N8": "warning"}))
        move = bs.Advance(on=DAY, to="abandon", by="host", post_mortem=PM)
        stop = bs.Stop(on=DAY, by="host", post_mortem=PM)

        for command in (move, stop):
            outcome = lenient.apply(in_phase("transfere"), command)
            assert "abandon" == lenient.phase(outcome.startup)
            assert ["N8"] == [w.rule for w in outcome.warnings]


class TestNoPermissionBypass:
    @pytest.mark.parametrize(
        ("event", "denied", "allowed"),
        [
            (bs.FastLaureate(on=DAY, edition=16, amount=Decimal(100000)), "coach", "dinum"),
            (
                bs.NationalImpactDesignated(on=DAY, criteria=bs.NATIONAL_IMPACT_CRITERIA),
                "coach",
                "dinum",
            ),
            (bs.CommitteeHeld(on=DAY, decision="stop"), "coach", "sponsor"),
            (bs.ProductLaunched(on=DAY), "coach", "intrapreneur"),
            (bs.BudgetPublished(on=DAY), "coach", "intrapreneur"),
        ],
        ids=["fast", "national-impact", "committee-stop", "launch", "budget"],
    )
    def test_record_checks_the_deciding_commands_permission(self, event, denied, allowed):
        """Recording an event another command decides needs that command's permission."""
        lifecycle = bs.Lifecycle()
        startup = in_phase("acceleration")

        assert "BS-ROLE" in [
            r.rule for r in lifecycle.check(startup, bs.Record(event=event, by=denied)).errors
        ]
        assert lifecycle.check(startup, bs.Record(event=event, by=allowed)).accepted

    def test_a_fake_designation_cannot_block_the_real_one(self):
        """A coach cannot record a designation, so DINUM's real one is accepted (NI-ONCE)."""
        lifecycle = bs.Lifecycle()
        startup = in_phase("acceleration")
        fake = bs.Record(
            event=bs.NationalImpactDesignated(on=DAY, criteria=bs.NATIONAL_IMPACT_CRITERIA),
            by="coach",
        )
        real = bs.DesignateNationalImpact(on=DAY, by="dinum", criteria=bs.NATIONAL_IMPACT_CRITERIA)

        with pytest.raises(bs.TransitionRefused):
            lifecycle.apply(startup, fake)
        assert lifecycle.check(startup, real).accepted

    def test_a_second_recorded_designation_is_refused(self):
        """Even from DINUM, a recorded designation keeps NI-ONCE."""
        lifecycle = bs.Lifecycle()
        designation = bs.NationalImpactDesignated(on=DAY, criteria=bs.NATIONAL_IMPACT_CRITERIA)
        startup = in_phase("acceleration", designation)
        verdict = lifecycle.check(
            startup, bs.Record(event=bs.NationalImpactDesignated(on=DAY), by="dinum")
        )

        assert ["NI-ONCE"] == [r.rule for r in verdict.errors]

    def test_a_record_is_attributed_to_its_recorder(self):
        """A record naming another actor than who records it is refused (no forged author)."""
        lifecycle = bs.Lifecycle()
        note = bs.Note(on=DAY, name="assessment", by=bs.Actor(role="dinum"))

        verdict = lifecycle.check(in_phase("acceleration"), bs.Record(event=note, by="coach"))

        assert ["BS-ROLE"] == [r.rule for r in verdict.errors]

    def test_launch_and_publication_are_checked(self):
        """Launch and PublishBudget have permission entries: the coach takes neither."""
        lifecycle = bs.Lifecycle()
        startup = in_phase("construction")

        for command in (
            bs.Launch(on=DAY, by="coach"),
            bs.PublishBudget(on=DAY, by="coach"),
        ):
            assert ["BS-ROLE"] == [r.rule for r in lifecycle.check(startup, command).errors]
