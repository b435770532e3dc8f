"""Every check of Rulebook.lint and lint_rulebook: each problem code, with its key and severity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import betastate as bs


ATELIER = Path(__file__).parent / "data" / "rulebooks" / "atelier.toml"
BASE = ATELIER.read_text(encoding="utf-8")
ERROR, WARNING, INFO = bs.Severity.ERROR, bs.Severity.WARNING, bs.Severity.INFO

PHASE = (
    '\n[[phases]]\nvalue = "{value}"\nlabels = {{ en = "{label}" }}\nrank = {rank}\n'
    "active = true\nterminal = {terminal}\n"
)
MOVE = (
    '\n[[transitions]]\nid = "{id}"\ntrigger = "{trigger}"\nsources = [{sources}]\n'
    'dest = "{dest}"\ndeciders = ["owner"]\n'
)
MONEY_GATE = (
    '\n[gates.money]\nkind = "min_amount"\nfield = "{field}"\namount = 10\nrule = "AT-REVIEW"\n'
)


def before_gates(*blocks: str) -> str:
    """The base file with ``blocks`` inserted before its gates."""
    return BASE.replace("[gates.review]", "".join(blocks) + "\n[gates.review]", 1)


def phase(value: str, rank: int, *, terminal: bool = False) -> str:
    return PHASE.format(value=value, label=value.title(), rank=rank, terminal=str(terminal).lower())


def move(id_: str, sources: str, dest: str, trigger: str = "go") -> str:
    return MOVE.format(id=id_, trigger=trigger, sources=sources, dest=dest)


def problems(tmp_path: Path, text: str) -> list[bs.RulebookProblem]:
    path = tmp_path / "lint.toml"
    path.write_text(text, encoding="utf-8")
    return list(bs.lint_rulebook(path))


CASES = [
    ("toml-syntax", ERROR, "(syntax)", BASE.replace("[rulebook]", "[rulebook", 1)),
    ("toml-structure", ERROR, "colours", BASE + "\n[colours]\nred = 1\n"),
    ("toml-structure", ERROR, "rulebook", BASE.replace('[rulebook]\nname = "atelier"\n', "", 1)),
    ("toml-structure", ERROR, "phases[0].rank", BASE.replace("rank = 1\n", 'rank = "one"\n', 1)),
    (
        "toml-structure",
        ERROR,
        "rules.BS-MOVE.severity",
        BASE.replace('BS-MOVE = "error"', 'BS-MOVE = "loud"'),
    ),
    ("toml-structure", ERROR, "rules", BASE.replace("[rules]\n", "[rules]\nBS-X = 3\n", 1)),
    ("empty-name", ERROR, "rulebook.name", BASE.replace('name = "atelier"', 'name = " "', 1)),
    (
        "bad-role-name",
        ERROR,
        "roles[0] (value 'Owner X').value",
        BASE.replace('value = "owner"', 'value = "Owner X"', 1),
    ),
    (
        "duplicate-role",
        ERROR,
        "roles[1] (value 'owner').value",
        BASE.replace('value = "panel"', 'value = "owner"', 1),
    ),
    (
        "no-labels",
        ERROR,
        "roles[0] (value 'owner').labels",
        BASE.replace('labels = { en = "Owner", fr = "Responsable" }', "labels = {}", 1),
    ),
    (
        "bad-language",
        ERROR,
        "labels.EN",
        BASE.replace('labels = { en = "Idea", fr = "Idée" }', 'labels = { EN = "Idea" }', 1),
    ),
    (
        "empty-label",
        ERROR,
        "labels.en",
        BASE.replace(
            'labels = { en = "Idea", fr = "Idée" }', 'labels = { en = " ", fr = "Idée" }', 1
        ),
    ),
    ("empty-phase", ERROR, ".value", BASE.replace('value = "done"', 'value = ""', 1)),
    (
        "duplicate-phase",
        ERROR,
        "phases[3] (value 'closed').value",
        BASE.replace('value = "done"', 'value = "closed"', 1),
    ),
    (
        "bad-duration",
        ERROR,
        "typical_days",
        BASE.replace("rank = 1\n", "rank = 1\ntypical_days = [10, 5]\n", 1),
    ),
    ("bad-duration", ERROR, "max_days", BASE.replace("rank = 1\n", "rank = 1\nmax_days = 0\n", 1)),
    (
        "typical-above-max",
        ERROR,
        "typical_days",
        BASE.replace("rank = 1\n", "rank = 1\ntypical_days = [10, 50]\nmax_days = 20\n", 1),
    ),
    ("duplicate-transition", ERROR, ".id", BASE.replace('id = "A4"', 'id = "A3"', 1)),
    ("empty-trigger", ERROR, ".trigger", BASE.replace('trigger = "finish"', 'trigger = " "', 1)),
    (
        "undefined-phase",
        ERROR,
        "transitions[4] (id 'A4')",
        BASE.replace('dest = "done"', 'dest = "gone"', 1),
    ),
    (
        "no-deciders",
        ERROR,
        "transitions[4] (id 'A4').deciders",
        BASE.replace('deciders = ["owner", "panel"]', "deciders = []", 1),
    ),
    (
        "undeclared-role",
        ERROR,
        "transitions[4] (id 'A4').deciders",
        BASE.replace('deciders = ["owner", "panel"]', 'deciders = ["mayor"]', 1),
    ),
    (
        "decider-twice",
        ERROR,
        "transitions[0] (id 'A0').co_deciders",
        BASE.replace('co_deciders = ["panel"]', 'co_deciders = ["owner"]', 1),
    ),
    (
        "internal-move",
        ERROR,
        "transitions[2] (id 'A2')",
        BASE.replace(
            'sources = ["build-up"]\ndest = "build-up"', 'sources = ["idea"]\ndest = "build-up"', 1
        ),
    ),
    (
        "leaves-terminal",
        ERROR,
        "transitions[5] (id 'A5')",
        BASE.replace("leaves_terminal = true\n", "", 1),
    ),
    (
        "leaves-terminal-unused",
        WARNING,
        "transitions[4] (id 'A4').leaves_terminal",
        BASE.replace(
            'deciders = ["owner", "panel"]',
            'deciders = ["owner", "panel"]\nleaves_terminal = true',
            1,
        ),
    ),
    (
        "unknown-gate",
        ERROR,
        "transitions[1] (id 'A1').gates",
        BASE.replace('gates = ["review"]', 'gates = ["reveiw"]', 1),
    ),
    (
        "duplicate-move",
        ERROR,
        "transitions[6] (id 'A6')",
        before_gates(move("A6", '"build-up"', "done", "again")),
    ),
    (
        "duplicate-trigger",
        ERROR,
        "transitions[6] (id 'A6').trigger",
        before_gates(phase("extra", 5, terminal=True), move("A6", '"build-up"', "extra", "finish")),
    ),
    (
        "unknown-permission",
        ERROR,
        "permissions.spnd",
        BASE.replace('\nspend = ["owner"]', '\nspend = ["owner"]\nspnd = ["owner"]', 1),
    ),
    ("missing-permission", ERROR, "permissions.spend", BASE.replace('\nspend = ["owner"]', "", 1)),
    (
        "undeclared-role",
        ERROR,
        "permissions.spend",
        BASE.replace('\nspend = ["owner"]', '\nspend = ["treasurer"]', 1),
    ),
    (
        "threshold-range",
        ERROR,
        "thresholds.envelope_months",
        BASE.replace("[thresholds]\n", "[thresholds]\nenvelope_months = 0\n", 1),
    ),
    (
        "threshold-range",
        ERROR,
        "thresholds.fast_cap_by_edition",
        BASE.replace("[thresholds]\n", "[thresholds]\nfast_cap_by_edition = [[0, 1000]]\n", 1),
    ),
    (
        "threshold-range",
        ERROR,
        "thresholds.committee_mandatory_roles",
        BASE.replace(
            'committee_mandatory_roles = ["owner"]', 'committee_mandatory_roles = "owner"', 1
        ),
    ),
    (
        "threshold-range",
        ERROR,
        "thresholds.exhaustion_notice_days_min",
        BASE.replace("[thresholds]\n", "[thresholds]\nexhaustion_notice_days_min = 60\n", 1),
    ),
    (
        "undeclared-role",
        ERROR,
        "thresholds.committee_mandatory_roles",
        BASE.replace(
            'committee_mandatory_roles = ["owner"]', 'committee_mandatory_roles = ["mayor"]', 1
        ),
    ),
    (
        "unknown-threshold",
        ERROR,
        "thresholds.colour",
        BASE.replace("[thresholds]\n", "[thresholds]\ncolour = 1\n", 1),
    ),
    (
        "threshold-range",
        ERROR,
        "thresholds.wait.type",
        BASE.replace("[thresholds]\n", '[thresholds]\nwait = { type = "weeks", value = 3 }\n', 1),
    ),
    (
        "threshold-range",
        ERROR,
        "thresholds.wait.min",
        BASE.replace(
            "[thresholds]\n",
            '[thresholds]\nwait = { type = "days", value = 3, min = 5, max = 2 }\n',
            1,
        ),
    ),
    (
        "threshold-range",
        ERROR,
        "thresholds.wait.value",
        BASE.replace(
            "[thresholds]\n", '[thresholds]\nwait = { type = "days", value = 300, max = 200 }\n', 1
        ),
    ),
    (
        "threshold-range",
        ERROR,
        "thresholds.wait.value",
        BASE.replace(
            "[thresholds]\n", '[thresholds]\nwait = { type = "days", value = "soon" }\n', 1
        ),
    ),
    (
        "threshold-range",
        ERROR,
        "thresholds.wait.value",
        BASE.replace("[thresholds]\n", '[thresholds]\nwait = { type = "share", value = 2 }\n', 1),
    ),
    (
        "threshold-range",
        ERROR,
        "thresholds.wait.min",
        BASE.replace(
            "[thresholds]\n", '[thresholds]\nwait = { type = "days", value = 3, min = nan }\n', 1
        ),
    ),
    (
        "toml-structure",
        ERROR,
        "thresholds.wait",
        BASE.replace(
            "[thresholds]\n", '[thresholds]\nwait = { type = "days", value = 3, colour = 1 }\n', 1
        ),
    ),
    (
        "toml-structure",
        ERROR,
        "thresholds.wait",
        BASE.replace("[thresholds]\n", "[thresholds]\nwait = { value = 3 }\n", 1),
    ),
    (
        "toml-structure",
        ERROR,
        "thresholds.wait.min",
        BASE.replace(
            "[thresholds]\n", '[thresholds]\nwait = { type = "days", value = 3, min = "a" }\n', 1
        ),
    ),
    (
        "toml-structure",
        ERROR,
        "thresholds.wait.value",
        BASE.replace("[thresholds]\n", '[thresholds]\nwait = { type = "days", value = true }\n', 1),
    ),
    (
        "toml-structure",
        ERROR,
        "thresholds.wait",
        BASE.replace(
            "[thresholds]\n", '[thresholds]\nwait = { type = "days", value = 3, rules = "A" }\n', 1
        ),
    ),
    (
        "threshold-twice",
        ERROR,
        "thresholds.envelope_months",
        BASE.replace(
            "[thresholds]\n", '[thresholds]\nenvelope_months = { type = "months", value = 3 }\n', 1
        ),
    ),
    (
        "gate-kind",
        ERROR,
        "gates.review.kind",
        BASE.replace('kind = "event_within"', 'kind = "vibe_check"', 1),
    ),
    ("gate-params", ERROR, "gates.review.event", BASE.replace('event = "review-passed"\n', "", 1)),
    ("gate-params", ERROR, "gates.review", BASE.replace("days = 30\n", "", 1)),
    ("gate-params", ERROR, "gates.review", BASE.replace("days = 30\n", "days = -1\n", 1)),
    (
        "unknown-threshold",
        ERROR,
        "gates.review.threshold",
        BASE.replace("days = 30\n", 'threshold = "nope"\n', 1),
    ),
    (
        "threshold-type",
        ERROR,
        "gates.review.threshold",
        BASE.replace("days = 30\n", 'threshold = "fast_cap"\n', 1),
    ),
    (
        "undeclared-role",
        ERROR,
        "gates.review.by",
        BASE.replace('by = ["panel"]', 'by = ["mayor"]', 1),
    ),
    (
        "unknown-field",
        ERROR,
        "gates.money.field",
        BASE + MONEY_GATE.format(field="budget"),
    ),
    (
        "unused-gate",
        WARNING,
        "gates.money",
        BASE + MONEY_GATE.format(field="sponsor_budget_line"),
    ),
    ("undeclared-rule", ERROR, "rules.AT-REVIEW", BASE.replace('AT-REVIEW = "error"\n', "", 1)),
    ("undeclared-rule", ERROR, "rules.BS-MOVE", BASE.replace('BS-MOVE = "error"\n', "", 1)),
    ("undeclared-rule", ERROR, "rules.N7", BASE.replace('N7 = "off"\n', "", 1)),
    (
        "unused-rule",
        WARNING,
        "rules.AT-UNUSED",
        BASE.replace("[rules]\n", '[rules]\nAT-UNUSED = "warning"\n', 1),
    ),
    (
        "undefined-phase",
        ERROR,
        "legacy[0] (value 'old')",
        BASE + '\n[[legacy]]\nvalue = "old"\nbecomes = "nowhere"\n',
    ),
    (
        "legacy-is-phase",
        WARNING,
        "legacy[0] (value 'idea')",
        BASE + '\n[[legacy]]\nvalue = "idea"\nbecomes = "done"\n',
    ),
    (
        "no-first-transition",
        ERROR,
        "transitions",
        BASE.replace("sources = []\n", 'sources = ["closed"]\nleaves_terminal = true\n', 1),
    ),
    (
        "dead-end",
        ERROR,
        "phases[4] (value 'extra')",
        before_gates(
            phase("extra", 5),
            move("A6", '"done"', "extra").replace("deciders", "leaves_terminal = true\ndeciders"),
        ),
    ),
    (
        "unreachable-phase",
        WARNING,
        "phases[4] (value 'extra')",
        before_gates(phase("extra", 5, terminal=True)),
    ),
    (
        "no-way-out",
        WARNING,
        "phases[4] (value 'loop-a')",
        before_gates(
            phase("loop-a", 5),
            phase("loop-b", 6),
            move("A6", '"idea"', "loop-a", "loop"),
            move("A7", '"loop-a"', "loop-b"),
            move("A8", '"loop-b"', "loop-a", "back"),
        ),
    ),
    (
        "rank-tie",
        ERROR,
        "phases[1] (value 'build-up').rank",
        BASE.replace("rank = 2\n", "rank = 1\n", 1),
    ),
    (
        "decider-permission",
        WARNING,
        "transitions[4] (id 'A4').deciders",
        BASE.replace(
            'deciders = ["owner", "panel"]', 'deciders = ["owner", "panel"]\nat_committee = true', 1
        ),
    ),
    (
        "labels-incomplete",
        WARNING,
        "phases[3] (value 'done').labels",
        BASE.replace('labels = { en = "Done", fr = "Terminé" }', 'labels = { en = "Done" }', 1),
    ),
    (
        "unused-role",
        INFO,
        "roles[2] (value 'mayor')",
        BASE.replace(
            "[[phases]]",
            '[[roles]]\nvalue = "mayor"\nlabels = { en = "Mayor", fr = "Maire" }\n\n[[phases]]',
            1,
        ),
    ),
]


class TestEveryCheck:
    @pytest.mark.parametrize(
        ("code", "severity", "key", "text"), CASES, ids=[f"{c[0]}:{c[2]}" for c in CASES]
    )
    def test_problem(self, tmp_path, code, severity, key, text):
        """The edit gives the problem with its code, severity and key; errors refuse the file."""
        found = problems(tmp_path, text)

        assert any(p.code == code and p.severity is severity and key in p.key for p in found), found
        assert all(p.fix and p.message for p in found)
        if severity is ERROR:
            with pytest.raises(bs.RulebookError):
                bs.rulebook(tmp_path / "lint.toml")
        else:
            assert bs.rulebook(tmp_path / "lint.toml").lint() == tuple(found)

    def test_the_base_is_clean(self, tmp_path):
        """The file the cases edit has no problem at all."""
        assert [] == problems(tmp_path, BASE)

    def test_problems_print_their_parts(self, tmp_path):
        """A problem prints its severity, code, key, message and fix."""
        (problem,) = [p for p in problems(tmp_path, CASES[6][3]) if p.code == "empty-name"]

        assert str(problem).startswith("error empty-name rulebook.name: the rulebook has no name.")

    def test_an_unknown_section_lists_the_sections(self, tmp_path):
        """An unknown section names the sections a rulebook file has."""
        (problem,) = problems(tmp_path, CASES[1][3])

        assert "roles, phases, transitions" in problem.fix

    def test_an_old_label_key_says_what_replaces_it(self, tmp_path):
        """label_fr, from older files, is refused with the labels table as the fix."""
        text = BASE.replace('labels = { en = "Idea", fr = "Idée" }', 'label_fr = "Idée"', 1)
        found = problems(tmp_path, text)

        assert any("labels = { fr" in p.fix for p in found), found


class TestPythonRulebooks:
    def test_a_bare_function_in_gates(self):
        """A rulebook built in Python with a bare function as a gate does not exist."""
        book = bs.rulebook(ATELIER)

        with pytest.raises(bs.RulebookError) as info:
            attrs.evolve(book, gates={**book.gates, "bare": lambda ctx: iter(())})

        assert "gate-undeclared-rules" in [p.code for p in info.value.problems]

    def test_no_phases(self):
        """A rulebook with no phase at all says so."""
        book = bs.rulebook(ATELIER)

        with pytest.raises(bs.RulebookError) as info:
            attrs.evolve(book, phases=(), transitions=())

        assert "no-phases" in [p.code for p in info.value.problems]


class TestDeriveChecks:
    @pytest.mark.parametrize(
        ("overrides", "key"),
        [
            ({"remove_transitions": ["T99"]}, "remove_transitions"),
            ({"remove_transitions": "T99"}, "remove_transitions"),
            ({"transitions": {"T99": {"deciders": ["sponsor"]}}}, "transitions.T99"),
            ({"phases": {"construction": {"colour": "red"}}}, "phases.construction.colour"),
            ({"phases": {"construction": {"rank": "high"}}}, "phases[1].rank"),
            ({"transitions": {"T04": {"at_committee": "yes"}}}, "transitions[4].at_committee"),
            ({"add_roles": ["treasurer"]}, "add_roles"),
            ({"add_roles": [bs.RoleDef(value="sponsor", labels={"en": "S"})]}, "add_roles"),
            ({"rules": ["BR-99"]}, "rules"),
            ({"gates": {"x": "not a gate"}}, "gates.x"),
            ({"permissions": {"spend": "intrapreneur"}}, "permissions.spend"),
            (
                {"thresholds": {"envelope_months": bs.ThresholdDef(type="months", value=3)}},
                "thresholds.envelope_months",
            ),
            (
                {"thresholds": {"first_committee_budget_line": "lots"}},
                "thresholds.first_committee_budget_line",
            ),
        ],
    )
    def test_bad_override(self, overrides, key):
        """Each bad override is a RulebookError naming its key, with a fix."""
        with pytest.raises(bs.RulebookError) as info:
            bs.rulebook().derive(**overrides)

        assert key == info.value.key
        assert info.value.fix

    def test_add_rules_phases_and_declared_thresholds(self):
        """derive() adds a rule, a phase with its move, a gate spec and a declared threshold."""
        book = bs.rulebook().derive(
            rules=[bs.RuleDef(id="LOCAL-1", severity="warning", title="Local")],
            add_phases=[
                bs.PhaseDef(
                    value="pause",
                    labels={"fr": "Pause", "en": "Pause"},
                    rank=8,
                    active=False,
                    terminal=True,
                )
            ],
            add_transitions=[
                bs.TransitionDef(
                    id="X1",
                    trigger="pause",
                    sources=["acceleration"],
                    dest="pause",
                    deciders=["sponsor"],
                    at_committee=True,
                    gates=["review"],
                )
            ],
            gates={"review": bs.GateSpec(kind="committee_held", rule="LOCAL-1")},
            thresholds={"wait_days": bs.ThresholdDef(type="days", value=10, max=20)},
        )
        lifecycle = bs.Lifecycle(book)
        startup = bs.Startup(
            slug="p",
            title="P",
            history=[bs.PhaseEntered(on=dt.date(2025, 1, 6), phase="acceleration")],
        )
        verdict = lifecycle.check(
            startup, bs.Advance(on=dt.date(2025, 6, 2), to="pause", by="sponsor")
        )

        assert ["N1"] == [r.rule for r in verdict.errors]
        assert ["LOCAL-1"] == [w.rule for w in verdict.warnings]
        assert 10 == book.thresholds.get("wait_days")
        assert 20 == book.derive(thresholds={"wait_days": 20}).thresholds.get("wait_days")
        with pytest.raises(KeyError, match="wait_day"):
            book.thresholds.get("wait_day")

    def test_replace_a_gate_spec_with_a_python_gate_and_back(self):
        """A gate name moves between a spec and a Python gate without keeping both."""
        govuk = bs.rulebook("govuk")

        @bs.gate("GOV-ALPHA")
        def always(ctx):
            return iter(())

        python = govuk.derive(gates={"alpha_assessment": always})
        spec = python.derive(gates={"alpha_assessment": govuk.gate_specs["alpha_assessment"]})

        assert "alpha_assessment" not in python.gate_specs
        assert python.gate("alpha_assessment") is always
        assert "alpha_assessment" not in spec.gates
        assert spec.gate_specs == govuk.gate_specs


class TestGateKinds:
    def book(self, spec: bs.GateSpec) -> bs.Lifecycle:
        return bs.Lifecycle(
            bs.rulebook().derive(
                rules=[bs.RuleDef(id="LOCAL-1", severity="error")],
                transitions={"T04": {"gates": ("local",)}},
                gates={"local": spec},
                thresholds={"local_amount": bs.ThresholdDef(type="money", value=50000)},
            )
        )

    def startup(self) -> bs.Startup:
        return bs.Startup(
            slug="p",
            title="P",
            history=[
                bs.PhaseEntered(on=dt.date(2025, 1, 6), phase="construction"),
                bs.CommitteeHeld(on=dt.date(2025, 9, 1)),
            ],
        )

    def test_min_amount(self):
        """min_amount refuses a missing or small amount and accepts one at the threshold."""
        lifecycle = self.book(
            bs.GateSpec(
                kind="min_amount",
                rule="LOCAL-1",
                field="sponsor_budget_line",
                threshold="local_amount",
            )
        )

        def rules(amount):
            command = bs.Advance(
                on=dt.date(2025, 9, 1), to="acceleration", by="sponsor", sponsor_budget_line=amount
            )
            return [r.rule for r in lifecycle.check(self.startup(), command).errors]

        assert ["LOCAL-1"] == rules(None)
        assert ["LOCAL-1"] == rules(Decimal(49999))
        assert [] == rules(Decimal(50000))

    def test_committee_held(self):
        """committee_held passes when carried by a committee or held that day."""
        lifecycle = self.book(bs.GateSpec(kind="committee_held", rule="LOCAL-1"))
        lenient = bs.Lifecycle(lifecycle.rulebook.derive(severities={"N1": "off"}))
        alone = bs.Advance(on=dt.date(2025, 10, 6), to="acceleration", by="sponsor")
        held = bs.Advance(on=dt.date(2025, 9, 1), to="acceleration", by="sponsor")
        carried = bs.HoldCommittee(
            on=dt.date(2025, 10, 6),
            by="sponsor",
            decision="continue",
            phase_change="acceleration",
            grants=[bs.Grant(source="sponsor", amount=10)],
        )

        assert ["LOCAL-1"] == [r.rule for r in lenient.check(self.startup(), alone).errors]
        assert lenient.check(self.startup(), held).accepted
        assert "LOCAL-1" not in [r.rule for r in lenient.check(self.startup(), carried).errors]


class TestRoles:
    @pytest.mark.parametrize("value", ["", "Sponsor", "a b", "-x", "x-"])
    def test_bad_role_names(self, value):
        """A role that is not a lower-case name is refused with the format in the message."""
        with pytest.raises(ValueError, match="role name"):
            bs.Actor(role=value)

    def test_role_must_be_a_string(self):
        """A role given as something else than a string is a TypeError naming it."""
        with pytest.raises(TypeError, match="role name"):
            bs.Actor(role=3)  # type: ignore[arg-type]

    def test_roles_are_plain_strings(self):
        """A Role constant becomes its plain value: equal, same hash, plain repr."""
        actor = bs.Actor(role=bs.Role.SPONSOR)

        assert "sponsor" == actor.role
        assert str is type(actor.role)
        assert bs.Actor(role="sponsor") == actor
