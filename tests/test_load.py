"""load_portfolio on invented fixtures in the real formats (tests/data/invented, see utils)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

import betastate
from betastate import (
    CommitteeHeld,
    FastLaureate,
    NationalImpactDesignated,
    Note,
    PhaseEnded,
    PhaseEntered,
    Portfolio,
    ProductLaunched,
    Severity,
    Stopped,
)

from .utils import invented_checkout


ROOT = invented_checkout()
DOCS = Path(__file__).parent.parent / "docs" / "loading.md"
AS_OF = dt.date(2026, 8, 20)


@pytest.fixture(name="portfolio", scope="module")
def _portfolio() -> Portfolio:
    return betastate.load_portfolio(ROOT, as_of=AS_OF)


def codes(portfolio: Portfolio, slug: str | None) -> list[str]:
    return sorted(f.code for f in portfolio.findings if f.slug == slug)


class TestLayout:
    """A checkout root, its content/_startups folder, and what is read from it."""

    def test_root(self, portfolio: Portfolio) -> None:
        """4 products, 2 incubators, 3 organisations (one without .md), 2 members."""
        assert ("archives-faciles", "cantine-verte", "guichet-unique", "potager-numerique") == (
            portfolio.slugs
        )
        assert {"incubateur-dormant", "incubateur-fictif"} == {i.id for i in portfolio.incubators}
        assert {
            "/organisations/agence-fictive",
            "/organisations/ministere-imaginaire",
            "/organisations/office-test",
        } == {o.id for o in portfolio.organisations}
        assert ["member-0001", "member-0002"] == [m.id for m in portfolio.members]

    def test_startups_folder(self, portfolio: Portfolio) -> None:
        """The _startups folder gives the same portfolio as the root."""
        assert portfolio == betastate.load_portfolio(ROOT / "content" / "_startups", as_of=AS_OF)

    def test_without_missions(self) -> None:
        """missions=False reads no member file."""
        assert () == betastate.load_portfolio(ROOT, missions=False).members

    def test_progress(self) -> None:
        """progress(done, total) is called once per file, up to the total."""
        calls: list[tuple[int, int]] = []
        betastate.load_portfolio(ROOT, progress=lambda done, total: calls.append((done, total)))

        total = 4 + 2 + 3 + 2
        assert [(n, total) for n in range(1, total + 1)] == calls

    def test_authors_of_a_checkout(self, tmp_path: Path) -> None:
        """Without missions/, members come from content/_authors front matter (bio dropped)."""
        root = tmp_path / "checkout"
        shutil.copytree(ROOT / "content", root / "content")
        (root / "content" / "_authors").mkdir()
        (root / "content" / "_authors" / "camille.exemple.md").write_text(
            "---\nfullname: Camille Exemple\nrole: Designer\ndomaine: Design\nmissions:\n"
            "  - start: 2022-02-01\n    end: 2023-01-31\n    status: independent\n"
            "    startups:\n      - potager-numerique\n---\nUne bio inventée.\n",
            encoding="utf-8",
        )

        (member,) = betastate.load_portfolio(root).members

        assert ("camille.exemple", "Designer", "Design") == (member.id, member.role, member.domaine)
        assert (
            betastate.Mission(
                start=dt.date(2022, 2, 1),
                end=dt.date(2023, 1, 31),
                status="independent",
                startups=("potager-numerique",),
            ),
        ) == member.missions

    def test_strict_accepts_clean(self, tmp_path: Path) -> None:
        """Strict mode returns the portfolio when no history breaks an error rule."""
        folder = tmp_path / "_startups"
        folder.mkdir()
        shutil.copy(ROOT / "content" / "_startups" / "potager-numerique.md", folder)

        assert ("potager-numerique",) == betastate.load_portfolio(folder, mode="strict").slugs

    def test_not_a_checkout(self, tmp_path: Path) -> None:
        """A folder without content/_startups is refused with the fix."""
        with pytest.raises(betastate.DataFileError, match="content/_startups"):
            betastate.load_portfolio(tmp_path)

    def test_mode(self) -> None:
        """An unknown mode is a ValueError."""
        with pytest.raises(ValueError, match="'import' or 'strict'"):
            betastate.load_portfolio(ROOT, mode="lenient")  # type: ignore[arg-type]


class TestHistory:
    """Front matter becomes a history: phases then events, by date, nothing dropped."""

    def test_events_by_name(self, portfolio: Portfolio) -> None:
        """Each event name maps to its class; unknown names become notes."""
        guichet = portfolio["guichet-unique"].history
        cantine = portfolio["cantine-verte"].history

        assert Note(on=dt.date(2023, 11, 1), name="eig") == guichet[0]
        assert NationalImpactDesignated(on=dt.date(2028, 1, 1)) == guichet[-1]
        assert FastLaureate(on=dt.date(2019, 6, 1), comment="Lauréat FAST, promotion 5") in cantine
        assert Stopped(on=dt.date(2022, 4, 15), comment="Arrêt décidé par l'hébergeur") in cantine

    def test_order(self, portfolio: Portfolio) -> None:
        """Phases and events interleave by date; an explicit end is a PhaseEnded."""
        assert (
            PhaseEntered(on=dt.date(2021, 1, 4), phase="investigation"),
            CommitteeHeld(on=dt.date(2021, 3, 25), comment="Go pour la construction"),
            PhaseEntered(on=dt.date(2021, 4, 1), phase="construction"),
            ProductLaunched(on=dt.date(2021, 10, 1)),
            CommitteeHeld(on=dt.date(2022, 9, 1), comment="Passage en accélération"),
            PhaseEntered(on=dt.date(2022, 9, 15), phase="acceleration"),
            CommitteeHeld(on=dt.date(2023, 11, 20)),
        ) == portfolio["potager-numerique"].history
        assert PhaseEnded(on=dt.date(2018, 7, 1), phase="investigation") in (
            portfolio["cantine-verte"].history
        )

    def test_fields_and_extra(self, portfolio: Portfolio) -> None:
        """Modelled keys are fields; every other key is kept in extra as read."""
        cantine = portfolio["cantine-verte"]
        potager = portfolio["potager-numerique"]

        assert ("incubateur-fictif", "incubateur-dormant") == cantine.incubators
        assert " https://potager.example " == potager.link
        assert {"impact_url", "usertypes", "stats"} == set(potager.extra)
        stamp = cantine.extra["rgpd"]["validite_homologation"]
        assert dt.datetime(2023, 5, 4, 8, 0, tzinfo=dt.UTC) == stamp

    def test_body(self, portfolio: Portfolio) -> None:
        """The markdown after the front matter is the body; none at all is an empty body."""
        text = (ROOT / "content" / "_startups" / "potager-numerique.md").read_text("utf-8")

        assert text[text.index("\n---\n", 4) + 5 :] == portfolio["potager-numerique"].body
        assert "Pas de saut de ligne final." == portfolio["cantine-verte"].body
        assert "" == portfolio["archives-faciles"].body

    def test_body_blank_lines(self, tmp_path: Path) -> None:
        """Blank lines between the front matter and the text are not part of the body."""
        folder = tmp_path / "_startups"
        folder.mkdir()
        (folder / "x.md").write_text(
            "---\ntitle: X\nphases: []\n---\n\n  \r\n## Titre\n\ntexte\n", "utf-8"
        )

        assert "## Titre\n\ntexte\n" == betastate.load_portfolio(folder)["x"].body

    def test_legacy_alumni(self, portfolio: Portfolio) -> None:
        """alumni after construction (the later stage of a same-day pair) reads as abandon."""
        (finding,) = [f for f in portfolio.findings if f.code == "legacy-phase-name"]

        assert PhaseEntered(on=dt.date(2021, 6, 30), phase="abandon") in (
            portfolio["archives-faciles"].history
        )
        assert ("archives-faciles", 14) == (finding.slug, finding.line)

    def test_unknown_phase_kept(self, portfolio: Portfolio) -> None:
        """An unknown phase stays as read and breaks BS-PHASE (an error)."""
        (finding,) = [f for f in portfolio.findings if f.code == "BS-PHASE"]

        assert PhaseEntered(on=dt.date(2024, 6, 1), phase="hibernation") in (
            portfolio["guichet-unique"].history
        )
        assert (Severity.ERROR, 15) == (finding.severity, finding.line)


class TestFindings:
    """Each invented quirk gives its finding, on the right product and line."""

    def test_archives(self, portfolio: Portfolio) -> None:
        """Same-day phases against lifecycle order, legacy name, abandon without end."""
        assert [
            "DUR-MAX",
            "abandon-without-end",
            "empty-link",
            "legacy-phase-name",
            "phase-not-in-vocabulary",
            "same-day-against-lifecycle",
            "same-day-phases",
            "sponsor-not-in-schema",
        ] == codes(portfolio, "archives-faciles")

    def test_cantine(self, portfolio: Portfolio) -> None:
        """transfere then abandon (N8), two terminals, gap, end date mismatch, timestamp."""
        assert [
            "N8",
            "end-date-mismatch",
            "event-not-in-vocabulary",
            "explicit-phase-end",
            "fast-event-without-block",
            "key-not-in-schema",
            "phase-gap",
            "several-terminals",
            "terminal-not-last",
            "timestamp-value",
        ] == codes(portfolio, "cantine-verte")

    def test_guichet(self, portfolio: Portfolio) -> None:
        """Unknown phase, escaped link, future phase and event, early event, fast block."""
        assert [
            "BS-PHASE",
            "DUR-MAX",
            "escaped-link",
            "event-before-first-phase",
            "event-not-in-vocabulary",
            "explicit-phase-end",
            "fast-block-without-event",
            "future-event",
            "future-phase",
            "no-sponsor",
            "phase-comment",
            "phase-gap",
            "phase-not-in-vocabulary",
        ] == codes(portfolio, "guichet-unique")

    def test_potager(self, portfolio: Portfolio) -> None:
        """Committees 18 and 15 months apart break BR-04; padded link; schema drift."""
        br04 = [f for f in portfolio.findings if f.code == "BR-04"]

        assert [
            "BR-04",
            "BR-04",
            "DUR-MAX",
            "DUR-MAX",
            "key-not-in-schema",
            "padded-link",
            "usertype-not-in-schema",
        ] == codes(portfolio, "potager-numerique")
        assert [
            (dt.date(2021, 3, 25), dt.date(2022, 9, 1)),
            (dt.date(2022, 9, 1), dt.date(2023, 11, 20)),
        ] == [f.dates for f in br04]

    def test_context(self, portfolio: Portfolio) -> None:
        """Context findings: organisation files, unknown owner, schema sponsor without file."""
        assert [
            "organisation-file-extension",
            "organisation-id-key",
            "schema-sponsor-without-organisation",
            "unknown-owner",
        ] == codes(portfolio, None)

    def test_lines(self, portfolio: Portfolio) -> None:
        """Product findings point at the line holding the value concerned."""
        lines = {
            (f.slug, f.code): f.line
            for f in portfolio.findings
            if f.code in {"padded-link", "escaped-link", "timestamp-value", "N8"}
        }

        assert {
            ("potager-numerique", "padded-link"): 8,
            ("guichet-unique", "escaped-link"): 6,
            ("cantine-verte", "timestamp-value"): 30,
            ("cantine-verte", "N8"): 20,
        } == lines

    def test_unknown_references(self, tmp_path: Path) -> None:
        """An incubator or sponsor without a file is a warning on its line."""
        root = tmp_path / "checkout"
        shutil.copytree(ROOT, root)
        path = root / "content" / "_startups" / "potager-numerique.md"
        text = path.read_text(encoding="utf-8")
        text = text.replace("incubator: incubateur-fictif", "incubator: incubateur-absent")
        text = text.replace("/organisations/ministere-imaginaire", "/organisations/absente")
        path.write_text(text, encoding="utf-8")

        found = {
            (f.code, f.line, f.severity)
            for f in betastate.load_portfolio(root).findings
            if f.slug == "potager-numerique"
        }

        assert {
            ("unknown-incubator", 6, Severity.WARNING),
            ("unknown-sponsor", 5, Severity.WARNING),
        } <= found

    def test_no_as_of(self) -> None:
        """Without as_of there are no future-date findings."""
        found = {f.code for f in betastate.load_portfolio(ROOT).findings}

        assert not found & {"future-phase", "future-terminal", "future-event"}

    def test_rule_off(self) -> None:
        """A rule the rulebook turns off gives no finding; a downgraded one its new severity."""
        book = betastate.rulebook().derive(severities={"DUR-MAX": "off", "N8": "warning"})
        found = betastate.load_portfolio(ROOT, rulebook=book).findings

        assert "DUR-MAX" not in {f.code for f in found}
        assert [Severity.WARNING] == [f.severity for f in found if f.code == "N8"]


class TestAudit:
    """betastate.audit checks the rulebook's rules on any startup."""

    def test_clean(self, portfolio: Portfolio) -> None:
        """A history that keeps every rule has no finding (running phases not measured)."""
        startup = portfolio["potager-numerique"]
        short = betastate.Startup(
            slug="court",
            title="Court",
            history=[
                PhaseEntered(on=dt.date(2024, 1, 8), phase="investigation"),
                PhaseEntered(on=dt.date(2024, 3, 1), phase="construction"),
            ],
        )

        assert () == betastate.audit(short)
        assert {"BR-04", "DUR-MAX"} == {f.code for f in betastate.audit(startup)}

    def test_duplicate_and_end(self) -> None:
        """A phase entered twice breaks N4; an end on its start breaks N5."""
        startup = betastate.Startup(
            slug="double",
            title="Double",
            history=[
                PhaseEntered(on=dt.date(2024, 1, 8), phase="investigation"),
                PhaseEnded(on=dt.date(2024, 1, 8), phase="investigation"),
                PhaseEntered(on=dt.date(2024, 3, 1), phase="construction"),
                PhaseEntered(on=dt.date(2024, 5, 1), phase="investigation"),
            ],
        )

        found = {f.code for f in betastate.audit(startup)}

        assert {"N4", "N5", "N8"} <= found


class TestDocumentedCodes:
    """docs/loading.md documents every code with the severity the loader gives it."""

    def test_table(self, portfolio: Portfolio, snapshot: Path) -> None:
        """Every quirk code found on the fixtures and snapshot is in the table, same severity."""
        table = dict(
            re.findall(
                r"^\| `([a-z-]+)` \| (error|warning|info) \|",
                DOCS.read_text(encoding="utf-8"),
                re.MULTILINE,
            )
        )
        real = betastate.load_portfolio(snapshot, as_of=AS_OF, missions=False)
        seen = {
            (f.code, f.severity.value)
            for f in (*portfolio.findings, *real.findings)
            if f.code[0].islower()
        }

        assert seen <= set(table.items())
        assert len(table) >= 45
