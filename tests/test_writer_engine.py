"""Every engine change can be written to the site's files, in their vocabulary, nothing lost."""

from __future__ import annotations

import collections
import datetime as dt
import difflib
import json
import random
import shutil
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

import betastate as bs
from betastate._io import frontmatter
from betastate._io.loaders import read_as_written
from betastate._io.writer import committee_comment
from betastate._values.events import EVENT_TYPES

from .utils import invented_checkout


DATA = invented_checkout() / "content" / "_startups"
LIFECYCLE = bs.Lifecycle()
ATTENDEES = tuple(
    bs.Actor(role=role)
    for role in ("intrapreneur", "sponsor", "incubator", "portfolio-manager", "coach")
)
PM = bs.PostMortem(
    learnings="Les agents fictifs préfèrent le téléphone.",
    why_we_stop="Trop peu d'usage pour le coût.",
    relaunch_advice="Repartir des guichets physiques.",
    reasons=["insufficient_impact"],
    authors=[bs.Actor(role="intrapreneur", name="Camille Exemple"), bs.Actor(role="coach")],
)
PLAN = bs.ExitPlan(
    trajectory="business-directorate",
    host="/organisations/direction-fictive",
    annual_running_cost=Decimal(300000),
)
SPONSOR = bs.Actor(role="sponsor", name="Dominique Fictif")


def grant(amount: int = 100000) -> bs.Grant:
    return bs.Grant(source="sponsor", amount=Decimal(amount), funder="/organisations/dinum")


def loaded(name: str = "potager-numerique") -> tuple[str, bs.Startup]:
    text = (DATA / f"{name}.md").read_text(encoding="utf-8")
    return text, bs.load_portfolio(DATA, missions=False)[name]


def with_envelope(startup: bs.Startup, on: dt.date) -> bs.Startup:
    """The startup after a committee that opens a 200 k€ envelope on ``on``."""
    command = bs.HoldCommittee(
        on=on, by=SPONSOR, decision="continue", attendees=ATTENDEES, grants=[grant(200000)]
    )
    return LIFECYCLE.apply(startup, command).startup


def held(text: str, startup: bs.Startup, on: dt.date) -> tuple[str, bs.Startup]:
    """
    The file and startup after recording a committee on ``on``, written with no actor.

    Moves from investigation on are decided at committee (rule N1): a committee
    held that day is what lets a bare Advance or Stop through.
    """
    committee = bs.CommitteeHeld(on=on)
    startup = attrs.evolve(startup, history=(*startup.history, committee))
    return bs.write_frontmatter(text, startup).text, startup


def added_lines(before: str, after: str) -> list[str]:
    """The lines the change added; it must remove none."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    assert [] == [line for line in diff if line.startswith("- ")]
    return [line[2:] for line in diff if line.startswith("+ ")]


def reread(text: str, slug: str) -> bs.Startup:
    return read_as_written(frontmatter.parse_text(text, slug), slug)[0]


class TestVocabulary:
    """Each betastate event becomes the site's own entry."""

    def test_phase_entry(self):
        """An Advance becomes a phases item; its actor is left out."""
        text, startup = held(*loaded(), dt.date(2024, 6, 3))
        outcome = LIFECYCLE.apply(
            startup,
            bs.Advance(on=dt.date(2024, 6, 3), to="consolidation", by=SPONSOR, criteria=CRITERIA),
        )

        written = bs.write_frontmatter(text, outcome.startup)

        assert ["  - name: consolidation", "    start: 2024-06-03"] == added_lines(
            text, written.text
        )
        assert [("by",)] == [item.fields for item in written.left_out]
        assert "phases" == written.left_out[0].written_as

    def test_committee_with_a_summary(self):
        """A committee becomes an events: committee entry whose comment says the decision."""
        text, startup = loaded()
        command = bs.HoldCommittee(
            on=dt.date(2024, 6, 3),
            by=SPONSOR,
            decision="continue",
            attendees=ATTENDEES,
            phase_change="consolidation",
            criteria=CRITERIA,
            grants=[grant()],
            comment="Objectifs tenus",
        )
        outcome = LIFECYCLE.apply(startup, command)

        written = bs.write_frontmatter(text, outcome.startup)

        assert [
            "  - name: consolidation",
            "    start: 2024-06-03",
            "    comment: Objectifs tenus",
            "  - name: committee",
            "    date: 2024-06-03",
            "    comment: 'Décision : poursuite, passage en consolidation. Objectifs tenus'",
        ] == added_lines(text, written.text)
        committee = next(i for i in written.left_out if isinstance(i.event, bs.CommitteeHeld))
        assert {"decision", "phase_change", "attendees", "by", "grants"} <= set(committee.fields)
        assert "comment" not in committee.fields
        assert "events: committee" == committee.written_as

    @pytest.mark.parametrize(
        ("decision", "summary"),
        [
            ("continue", "Décision : poursuite"),
            ("provisional", "Décision : financement provisoire"),
        ],
    )
    def test_committee_summary_without_comment(self, decision, summary):
        """Without its own comment, the summary is the comment."""
        assert summary == committee_comment(
            bs.CommitteeHeld(on=dt.date(2024, 1, 1), decision=decision)
        )

    def test_launch(self):
        """A Launch becomes a product_launch event."""
        text, startup = loaded("archives-faciles")
        outcome = LIFECYCLE.apply(startup, bs.Launch(on=dt.date(2024, 6, 3), by="intrapreneur"))

        written = bs.write_frontmatter(text, outcome.startup)

        assert ["events:", "  - name: product_launch", "    date: 2024-06-03"] == added_lines(
            text, written.text
        )

    def test_national_impact(self):
        """A designation becomes a national_impact event; its criteria are left out."""
        text, startup = loaded()
        command = bs.DesignateNationalImpact(
            on=dt.date(2024, 6, 3), by="dinum", criteria=bs.NATIONAL_IMPACT_CRITERIA
        )
        written = bs.write_frontmatter(text, LIFECYCLE.apply(startup, command).startup)

        assert ["  - name: national_impact", "    date: 2024-06-03"] == added_lines(
            text, written.text
        )
        assert [("criteria", "by")] == [item.fields for item in written.left_out]

    def test_stop(self):
        """A stop becomes the stop phase and an end event; the post-mortem is left out."""
        text, startup = held(*loaded(), dt.date(2024, 6, 3))
        command = bs.Stop(on=dt.date(2024, 6, 3), by="sponsor", post_mortem=PM, comment="Arrêt")
        written = bs.write_frontmatter(text, LIFECYCLE.apply(startup, command).startup)

        assert [
            "  - name: abandon",
            "    start: 2024-06-03",
            "    comment: Arrêt",
            "  - name: end",
            "    date: 2024-06-03",
            "    comment: Arrêt",
        ] == added_lines(text, written.text)
        stopped = next(i for i in written.left_out if isinstance(i.event, bs.Stopped))
        assert ("by", "post_mortem", "procedure") == stopped.fields

    def test_fast(self):
        """A FAST award becomes a fast event and the fast block (promotion, montant)."""
        text, startup = loaded()
        startup = with_envelope(startup, dt.date(2024, 6, 1))
        text = bs.write_frontmatter(text, startup).text
        command = bs.AwardFast(on=dt.date(2024, 6, 3), by="dinum", edition=16, cofinancing=80000)
        written = bs.write_frontmatter(text, LIFECYCLE.apply(startup, command).startup)

        assert [
            "  - name: fast",
            "    date: 2024-06-03",
            "fast:",
            "  promotion: 16",
            "  montant: 80000",
        ] == added_lines(text, written.text)
        fast = next(i for i in written.left_out if isinstance(i.event, bs.FastLaureate))
        assert (("by",), "events: fast and the fast block") == (fast.fields, fast.written_as)
        assert {"promotion": 16, "montant": 80000} == reread(written.text, startup.slug).extra[
            "fast"
        ]

    def test_fast_replaces_an_older_block(self):
        """A later award replaces the block's lines; nothing else moves."""
        text, startup = loaded("guichet-unique")
        startup = attrs.evolve(
            startup, history=[e for e in startup.history if e.on < dt.date(2025, 1, 1)]
        )
        award = bs.FastLaureate(on=dt.date(2026, 1, 5), edition=17, amount=Decimal(120000))
        new = attrs.evolve(startup, history=(*startup.history, award))

        written = bs.write_frontmatter(text, new)

        assert {"promotion": 17, "montant": 120000} == reread(written.text, new.slug).extra["fast"]
        assert () == written.left_out

    def test_exit(self):
        """An exit becomes the exit phase; its trajectory (Perennised) is left out whole."""
        text, startup = held(*loaded(), dt.date(2024, 6, 3))
        outcome = LIFECYCLE.apply(
            startup,
            bs.Advance(on=dt.date(2024, 6, 3), to="transfere", by="sponsor", exit_plan=PLAN),
        )

        written = bs.write_frontmatter(text, outcome.startup)

        assert ["  - name: transfere", "    start: 2024-06-03"] == added_lines(text, written.text)
        perennised = next(i for i in written.left_out if isinstance(i.event, bs.Perennised))
        assert (None, ("on", "plan", "by")) == (perennised.written_as, perennised.fields)

    @pytest.mark.parametrize(
        "command",
        [
            bs.Spend(on=dt.date(2024, 6, 3), by="intrapreneur", amount=1000, label="Code"),
            bs.PublishBudget(on=dt.date(2024, 6, 3), by="intrapreneur", url="https://b.example"),
            bs.UpdateDossier(on=dt.date(2024, 6, 3), by="intrapreneur", done=["docs.user"]),
            bs.GrantFunds(on=dt.date(2024, 6, 3), by="sponsor", grants=[grant(20000)]),
        ],
        ids=["spend", "budget", "dossier", "grant"],
    )
    def test_facts_without_a_place(self, command):
        """Spending, grants, budget pages and dossiers leave the file as it is, and are returned."""
        text, startup = loaded()
        startup = with_envelope(startup, dt.date(2024, 6, 1))
        text = bs.write_frontmatter(text, startup).text
        outcome = LIFECYCLE.apply(startup, command)

        written = bs.write_frontmatter(text, outcome.startup)

        assert (text, False) == (written.text, written.changed)
        assert {type(e) for e in outcome.events} <= {type(i.event) for i in written.left_out}
        assert all(i.written_as is None for i in written.left_out if i.event in outcome.events)


CRITERIA = ("ENT-CSL-1", "ENT-CSL-2", "ENT-CSL-4")


class TestEveryEventType:
    """No event type makes the writer fail: each is written or returned."""

    @pytest.mark.parametrize("kind", EVENT_TYPES, ids=lambda k: k.__name__)
    def test_each_type(self, kind, every_event):
        """An event of each type, with an actor, is written or left out, never refused."""
        text, startup = loaded()
        event, before = every_event[kind], startup.history
        if kind is bs.Retracted:  # retract an event the files do not hold
            before = (*before, every_event[bs.Spent])
            event = attrs.evolve(event, version=len(before))
        new = attrs.evolve(startup, history=(*before, event))

        written = bs.write_frontmatter(text, new)

        assert any(item.event == event for item in written.left_out)
        assert written.changed == (kind not in NOT_IN_FILES)

    def test_every_type_is_covered(self, every_event):
        """The fixture below builds one event of every type a history may hold."""
        assert set(EVENT_TYPES) == set(every_event)


NOT_IN_FILES = {
    bs.Pivoted,
    bs.FundsGranted,
    bs.Spent,
    bs.LiquidationDecided,
    bs.RecoveryFiled,
    bs.TakenOver,
    bs.DossierUpdated,
    bs.Perennised,
    bs.BudgetPublished,
    bs.Retracted,
}


@pytest.fixture(name="every_event")
def _every_event() -> dict[type, Any]:
    day, by = dt.date(2024, 6, 3), SPONSOR
    return {
        bs.PhaseEntered: bs.PhaseEntered(on=day, phase="consolidation", by=by),
        bs.PhaseEnded: bs.PhaseEnded(on=day, phase="acceleration", comment="fin", by=by),
        bs.Pivoted: bs.Pivoted(on=day, phase="acceleration", by=by),
        bs.CommitteeHeld: bs.CommitteeHeld(on=day, decision="stop", by=by),
        bs.ProductLaunched: bs.ProductLaunched(on=day, by=by),
        bs.NationalImpactDesignated: bs.NationalImpactDesignated(on=day, by=by),
        bs.FastLaureate: bs.FastLaureate(on=day, edition=3, by=by),
        bs.Stopped: bs.Stopped(on=day, post_mortem=PM, by=by),
        bs.Note: bs.Note(on=day, name="eig", by=by),
        bs.FundsGranted: bs.FundsGranted(on=day, grants=[grant()], by=by),
        bs.Spent: bs.Spent(on=day, amount=10, by=by),
        bs.LiquidationDecided: bs.LiquidationDecided(on=day, safeguard_until=day, by=by),
        bs.RecoveryFiled: bs.RecoveryFiled(on=day, approached=["/organisations/x"], by=by),
        bs.TakenOver: bs.TakenOver(on=day, sponsor="/organisations/x", resumes="construction"),
        bs.DossierUpdated: bs.DossierUpdated(on=day, done=["docs.user"], by=by),
        bs.Perennised: bs.Perennised(on=day, plan=PLAN, by=by),
        bs.BudgetPublished: bs.BudgetPublished(on=day, url="https://b.example", by=by),
        # Its version is set by the test: the place of a spend appended before it.
        bs.Retracted: bs.Retracted(on=day, version=1, reason="erreur", by=by),
    }


class TestSiteLimits:
    """What the site's CI would refuse is left out rather than written."""

    def test_phase_twice(self):
        """A phase name already in the file is not listed again (the CI refuses duplicates)."""
        text, startup = loaded()
        again = bs.PhaseEntered(on=dt.date(2024, 6, 3), phase="construction")

        written = bs.write_frontmatter(
            text, attrs.evolve(startup, history=(*startup.history, again))
        )

        assert not written.changed
        assert [(again, None)] == [(i.event, i.written_as) for i in written.left_out]

    def test_duplicate_already_in_the_file(self):
        """A phase the file already lists twice keeps both lines: untouched bytes stay."""
        text = (
            "---\ntitle: Double\nmission: M\nincubator: incubateur-fictif\ncontact: c\n"
            "phases:\n  - name: investigation\n    start: 2020-01-01\n    end: 2020-02-01\n"
            "  - name: investigation\n    start: 2021-01-01\n---\n"
        )
        startup = reread(text, "double")

        written = bs.write_frontmatter(text, attrs.evolve(startup, title="Double bis"))

        assert text.replace("title: Double", "title: Double bis") == written.text
        assert () == written.left_out

    def test_end_not_after_start(self):
        """An end on the phase's start day is left out (the CI wants end after start)."""
        text, startup = loaded()
        end = bs.PhaseEnded(on=dt.date(2022, 9, 15), phase="acceleration")

        written = bs.write_frontmatter(text, attrs.evolve(startup, history=(*startup.history, end)))

        assert not written.changed
        assert [end] == [i.event for i in written.left_out]

    def test_end_of_no_phase(self):
        """An end of a phase the history never entered has no place: left out whole."""
        text, startup = loaded()
        end = bs.PhaseEnded(on=dt.date(2024, 1, 31), phase="consolidation")

        written = bs.write_frontmatter(text, attrs.evolve(startup, history=(*startup.history, end)))

        assert (False, [(end, None)]) == (
            written.changed,
            [(i.event, i.written_as) for i in written.left_out],
        )
        assert "PhaseEnded of 2024-01-31 (not written: the site's files have no place for it)" == (
            str(written.left_out[0])
        )

    def test_extra_yaml_cannot_hold(self):
        """An extra value YAML cannot write is refused when the startup is built, naming the key."""
        _, startup = loaded()

        with pytest.raises(bs.InvalidType, match=r"Startup\.extra\['budget'\]"):
            attrs.evolve(startup, extra={**startup.extra, "budget": Decimal("1.5")})

    def test_end_with_a_comment(self):
        """An explicit end is written on its phase; its comment is left out."""
        text, startup = loaded()
        end = bs.PhaseEnded(on=dt.date(2024, 1, 31), phase="acceleration", comment="Pause")

        written = bs.write_frontmatter(text, attrs.evolve(startup, history=(*startup.history, end)))

        assert ["    end: 2024-01-31"] == added_lines(text, written.text)
        assert [("comment",)] == [i.fields for i in written.left_out]


class TestSavePolicies:
    """save_startup refuses, keeps a sidecar, or drops, as asked."""

    def setup(self, tmp_path: Path) -> tuple[Path, bs.Startup]:
        folder = tmp_path / "_startups"
        folder.mkdir()
        path = folder / "potager-numerique.md"
        shutil.copyfile(DATA / path.name, path)
        path.chmod(0o640)
        startup = bs.load_portfolio(folder, missions=False)["potager-numerique"]
        text, startup = held(path.read_text(encoding="utf-8"), startup, dt.date(2024, 6, 3))
        path.write_text(text, encoding="utf-8")
        command = bs.Stop(on=dt.date(2024, 6, 3), by=SPONSOR, post_mortem=PM)
        return path, LIFECYCLE.apply(startup, command).startup

    def test_refuse_by_default(self, tmp_path):
        """By default nothing is written when facts would be lost; the error says the options."""
        path, stopped = self.setup(tmp_path)
        before = path.read_bytes()

        with pytest.raises(bs.DataFileError) as caught:
            bs.save_startup(path, stopped)

        assert before == path.read_bytes()
        assert "left_out='sidecar'" in caught.value.fix
        assert "Stopped of 2024-06-03" in caught.value.problem
        assert [path.name] == [p.name for p in path.parent.iterdir()]

    def test_sidecar_keeps_every_fact(self, tmp_path):
        """The sidecar holds the left-out facts as betastate JSON, merged across saves."""
        path, stopped = self.setup(tmp_path)

        first = bs.save_startup(path, stopped, left_out="sidecar")
        launched = LIFECYCLE.apply(
            bs.load_portfolio(path.parent, missions=False)[path.stem],
            bs.Launch(
                on=dt.date(2024, 7, 1), by=bs.Actor(role="intrapreneur", name="Camille Exemple")
            ),
        ).startup
        second = bs.save_startup(path, launched, left_out="sidecar")

        sidecar = path.parent / ".potager-numerique.betastate.json"
        payload = json.loads(sidecar.read_text(encoding="utf-8"))
        kept = [bs.from_data(item, bs.LeftOut) for item in payload["left_out"]]
        assert (str(sidecar), str(sidecar)) == (first.sidecar, second.sidecar)
        assert (1, "potager-numerique") == (payload["betastate"], payload["slug"])
        assert [*first.left_out, *second.left_out] == kept
        assert PM == next(i.event.post_mortem for i in kept if isinstance(i.event, bs.Stopped))
        assert 0o640 == stat.S_IMODE(sidecar.stat().st_mode)
        assert "abandon" == LIFECYCLE.phase(
            bs.load_portfolio(path.parent, missions=False)[path.stem]
        )

    def test_drop_when_asked(self, tmp_path):
        """left_out='drop' writes the file, returns what it dropped, and writes no sidecar."""
        path, stopped = self.setup(tmp_path)

        written = bs.save_startup(path, stopped, left_out="drop")

        assert written.changed
        assert (None, 2) == (written.sidecar, len(written.left_out))
        assert [path.name] == [p.name for p in path.parent.iterdir()]

    def test_damaged_sidecar_is_not_overwritten(self, tmp_path):
        """A sidecar that is not betastate's is reported, never replaced."""
        path, stopped = self.setup(tmp_path)
        sidecar = path.parent / ".potager-numerique.betastate.json"
        sidecar.write_text("{not json", encoding="utf-8")

        with pytest.raises(bs.DataFileError, match="not a betastate sidecar"):
            bs.save_startup(path, stopped, left_out="sidecar")

        assert "{not json" == sidecar.read_text(encoding="utf-8")

    def test_foreign_json_sidecar_is_not_overwritten(self, tmp_path):
        """Valid JSON that is not a betastate sidecar is reported too."""
        path, stopped = self.setup(tmp_path)
        sidecar = path.parent / ".potager-numerique.betastate.json"
        sidecar.write_text('{"left_out": []}', encoding="utf-8")

        with pytest.raises(bs.DataFileError, match="expected a betastate sidecar"):
            bs.save_startup(path, stopped, left_out="sidecar")

    def test_unknown_policy(self, tmp_path):
        """A misspelt policy is a ValueError naming the three choices."""
        path, stopped = self.setup(tmp_path)

        with pytest.raises(ValueError, match="'refuse', 'sidecar' or 'drop'"):
            bs.save_startup(path, stopped, left_out="keep")  # type: ignore[arg-type]


# -- the site's CI rules, written out independently of the writer ----------------------


def split_front(text: str) -> dict[str, Any]:
    """The YAML between the first two '---' lines, parsed with PyYAML's safe loader."""
    lines = text.lstrip("\ufeff").splitlines()
    assert "---" == lines[0].strip()
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    return yaml.safe_load("\n".join(lines[1:end]))


TEXT_OR_NULL = ("link", "repository", "dashlord_url", "stats_url", "budget_url")
BOOL_OR_NULL = ("stats", "analyse_risques", "mon_service_securise")
LISTS_OF_TEXT = ("techno", "usertypes", "thematiques", "redirect_from")


def ci_problems(data: dict[str, Any], organisations: set[str], incubators: set[str]) -> list[str]:
    """The site's CI rules (ci/startups.mjs): what a pull request with this file would fail on."""
    required = ("title", "mission", "incubator", "contact")
    problems = [f"{k} is not text" for k in required if not isinstance(data.get(k), str)]
    problems += [
        f"{k} is not text" for k in TEXT_OR_NULL if not isinstance(data.get(k), str | None)
    ]
    problems += [
        f"{k} is not a bool" for k in BOOL_OR_NULL if not isinstance(data.get(k), bool | None)
    ]
    problems += [
        f"{k} is not a list of texts"
        for k in LISTS_OF_TEXT
        if k in data and not all(isinstance(v, str) for v in data[k])
    ]
    if data.get("incubator") not in incubators:
        problems.append(f"incubator {data.get('incubator')!r} has no file")
    known = {f"/organisations/{o}" for o in organisations}
    problems += [f"sponsor {s!r} has no file" for s in data.get("sponsors") or [] if s not in known]
    co = data.get("incubators")
    if co is not None and (len(co) < 2 or len(set(co)) != len(co) or not set(co) <= incubators):
        problems.append("bad co-incubation list")
    if co is not None and data.get("incubator") not in co:
        problems.append("the co-incubation list lacks the incubator")
    phases = data.get("phases") or []
    names = [p.get("name") for p in phases]
    if not phases or len(names) != len(set(names)):
        problems.append("no phases, or duplicated phases")
    for phase in phases:
        start, end = phase.get("start"), phase.get("end")
        if type(start) is not dt.date or (end is not None and type(end) is not dt.date):
            problems.append(f"phase {phase.get('name')} dates are not YAML dates")
        elif end is not None and end <= start:
            problems.append(f"phase {phase.get('name')} ends before it starts")
        if not isinstance(phase.get("name"), str) or not isinstance(
            phase.get("comment"), str | None
        ):
            problems.append(f"phase {phase!r}: name and comment must be text")
    problems += [
        f"event {event!r} needs a name and a YAML date"
        for event in data.get("events") or []
        if not isinstance(event.get("name"), str) or type(event.get("date")) is not dt.date
    ]
    fast = data.get("fast")
    if fast is not None and not (
        isinstance(fast, dict)
        and all(type(fast.get(k)) in {int, float} for k in ("promotion", "montant"))
    ):
        problems.append(f"fast block {fast!r} is not {{promotion, montant}} numbers")
    return problems


ATTENDING = ATTENDEES
PLAN_EXIT = PLAN


def candidates(startup: bs.Startup, day: dt.date, rng: random.Random) -> list[Any]:
    """Commands an app could send on ``day``, most of them valid for some products."""
    book = LIFECYCLE.rulebook
    out: list[Any] = []
    for move in LIFECYCLE.moves(startup, on=day):
        target = book.phase(move.to)
        evidence: dict[str, Any] = {
            "sponsor_budget_line": Decimal(200000),
            "criteria": book.thresholds.consolidation_criteria,
        }
        if target.stop:
            evidence["post_mortem"] = PM
        elif target.terminal:
            evidence["exit_plan"] = PLAN_EXIT
        out.append(
            bs.Advance(
                on=day,
                to=move.to,
                by=bs.Actor(role=move.deciders[0], name="Alex Fictif"),
                comment=rng.choice([None, "Décidé en comité"]),
                **evidence,
            )
        )
        if target.stop:
            out.append(
                bs.HoldCommittee(
                    on=day, by=SPONSOR, decision="stop", attendees=ATTENDING, post_mortem=PM
                )
            )
        else:
            out.append(
                bs.HoldCommittee(
                    on=day,
                    by=SPONSOR,
                    decision="continue",
                    attendees=ATTENDING,
                    phase_change=move.to,
                    grants=[grant()],
                    **evidence,
                )
            )
    out += [
        bs.HoldCommittee(
            on=day,
            by=SPONSOR,
            decision=rng.choice(["continue", "provisional"]),
            attendees=ATTENDING,
            grants=[grant(50000)],
            comment=rng.choice([None, "Bilan du semestre", "Go: on continue\navec réserves"]),
        ),
        bs.Launch(on=day, by="intrapreneur"),
        bs.DesignateNationalImpact(on=day, by="dinum", criteria=bs.NATIONAL_IMPACT_CRITERIA),
        bs.AwardFast(
            on=day,
            by="dinum",
            edition=rng.randint(10, 18),
            cofinancing=Decimal(rng.choice([0, 50000, 120000])),
        ),
        bs.Stop(on=day, by=SPONSOR, post_mortem=PM),
        bs.Record(event=bs.Note(on=day, name="other", comment="Décret publié"), by="intrapreneur"),
        bs.PublishBudget(on=day, by="intrapreneur", url="https://example.org/budget"),
    ]
    rng.shuffle(out)
    return out


def random_change(startup: bs.Startup, rng: random.Random) -> tuple[Any, bs.Outcome]:
    """
    The first of the shuffled candidates the engine accepts, a few days to a year later.

    Most of the time a committee is recorded that day first, as a back-office would before a
    bare Advance or Stop (moves from investigation on are decided at committee, N1).
    """
    day = (startup.last_event_date or dt.date(2026, 8, 20)) + dt.timedelta(rng.randint(1, 400))
    if rng.random() < 0.8:
        record = bs.Record(event=bs.CommitteeHeld(on=day), by="sponsor")
        startup = LIFECYCLE.apply(startup, record).startup
    for command in candidates(startup, day, rng):
        try:
            return command, LIFECYCLE.apply(startup, command)
        except bs.TransitionRefused:
            continue
    pytest.fail(f"no valid change for {startup.slug}")


def expected_site_history(startup: bs.Startup) -> list[tuple]:
    """What the file should say about a history: phases with ends, then events, by hand."""
    phases: dict[str, list] = {}
    events = []
    for event in startup.history:
        if isinstance(event, bs.PhaseEntered) and event.phase not in phases:
            phases[event.phase] = [event.on, None, event.comment]
        elif isinstance(event, bs.PhaseEnded) and event.phase in phases:
            phases[event.phase][1] = event.on
        elif isinstance(event, bs.Note):
            events.append((event.name, event.on))
        elif isinstance(event, bs.CommitteeHeld):
            events.append(("committee", event.on))
        elif isinstance(event, bs.ProductLaunched):
            events.append(("product_launch", event.on))
        elif isinstance(event, bs.Stopped):
            events.append(("end", event.on))
        elif isinstance(event, bs.NationalImpactDesignated):
            events.append(("national_impact", event.on))
        elif isinstance(event, bs.FastLaureate):
            events.append(("fast", event.on))
    return [("phase", name, *rest) for name, rest in phases.items()] + sorted(events)


class TestCiChecker:
    """The independent checker catches what the site's CI refuses."""

    def test_catches_each_rule(self):
        """Duplicates, bad ends, text dates, unknown files, co-incubation without its incubator."""
        data = {
            "title": "T",
            "mission": "M",
            "incubator": "inc",
            "contact": "c@example.org",
            "sponsors": ["/organisations/ghost"],
            "incubators": ["inc-a", "inc-b"],
            "phases": [
                {"name": "investigation", "start": dt.date(2020, 1, 1), "end": dt.date(2020, 1, 1)},
                {"name": "investigation", "start": "2020-02-01"},
            ],
            "events": [{"name": "committee", "date": "2020-01-05"}],
            "fast": {"promotion": "12", "montant": 1},
        }

        problems = ci_problems(data, {"dinum"}, {"inc", "inc-a", "inc-b"})

        assert [
            "sponsor '/organisations/ghost' has no file",
            "the co-incubation list lacks the incubator",
            "no phases, or duplicated phases",
            "phase investigation ends before it starts",
            "phase investigation dates are not YAML dates",
            "event {'name': 'committee', 'date': '2020-01-05'} needs a name and a YAML date",
            "fast block {'promotion': '12', 'montant': 1} is not {promotion, montant} numbers",
        ] == problems


class TestSnapshotChanges:
    """A random valid change to each of the 662 real products writes a file the site accepts."""

    def test_random_change_everywhere(self, snapshot: Path) -> None:
        """Apply, write, re-read: the CI rules hold, the change is there, nothing else moved."""
        portfolio = bs.load_portfolio(snapshot, missions=False)
        organisations = {p.stem for p in (snapshot / "content" / "_organisations").glob("*.md")}
        incubators = {p.stem for p in (snapshot / "content" / "_incubators").glob("*.md")}
        folder = snapshot / "content" / "_startups"
        rng = random.Random(13)
        kinds: collections.Counter[str] = collections.Counter()
        left_out = 0
        for startup in portfolio:
            text = (folder / f"{startup.slug}.md").read_text(encoding="utf-8")
            assert [] == ci_problems(split_front(text), organisations, incubators), startup.slug
            command, outcome = random_change(startup, rng)
            kinds[type(command).__name__] += 1

            written = bs.write_frontmatter(text, outcome.startup)

            data = split_front(written.text)
            assert [] == ci_problems(data, organisations, incubators), (startup.slug, command)
            phases = [
                ("phase", p["name"], p["start"], p.get("end"), p.get("comment"))
                for p in data["phases"]
            ]
            events = sorted((e["name"], e["date"]) for e in data.get("events") or [])
            assert expected_site_history(outcome.startup) == phases + events, startup.slug
            if any(isinstance(e, bs.FastLaureate) for e in outcome.events):
                award = next(e for e in outcome.events if isinstance(e, bs.FastLaureate))
                assert {"promotion": award.edition, "montant": int(award.amount)} == data["fast"]
            removed = [
                line
                for line in difflib.ndiff(text.splitlines(), written.text.splitlines())
                if line.startswith("- ")
            ]
            assert all(
                line[2:].startswith(("fast:", "  promotion", "  montant")) for line in removed
            )
            assert {e for e in outcome.events if e.by is not None} <= {
                i.event for i in written.left_out
            }
            left_out += len(written.left_out)

        assert 662 == sum(kinds.values())
        assert {
            "Advance",
            "HoldCommittee",
            "Launch",
            "DesignateNationalImpact",
            "AwardFast",
            "Stop",
            "Record",
            "PublishBudget",
        } == set(kinds)
        assert all(n >= 10 for n in kinds.values()), kinds
        assert left_out >= 662
