"""
The real beta.gouv.fr snapshot, loaded in import mode.

Every expected number below is written as the snapshot README states it
(shared/data/betagouv/README.md, "Data quirks"): the README is the
independent oracle, computed with PyYAML outside betastate.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

import betastate
from betastate import Finding, Portfolio


SNAPSHOT_DATE = dt.date(2026, 8, 20)


@pytest.fixture(name="portfolio", scope="module")
def _portfolio(snapshot: Path) -> Portfolio:
    return betastate.load_portfolio(snapshot, as_of=SNAPSHOT_DATE)


def by_code(portfolio: Portfolio, code: str) -> list[Finding]:
    return [f for f in portfolio.findings if f.code == code]


def slugs(portfolio: Portfolio, *codes: str) -> set[str | None]:
    return {f.slug for f in portfolio.findings if f.code in codes}


def quoted(finding: Finding) -> str:
    """The first quoted value of a finding's message (the key or value concerned)."""
    return finding.message.split("'")[1]


class TestVolumes:
    """The Volumes table."""

    def test_files(self, portfolio: Portfolio) -> None:
        """662 products, 23 incubators, 145 organisations, 3,484 member records."""
        assert (662, 23, 145, 3484) == (
            len(portfolio),
            len(portfolio.incubators),
            len(portfolio.organisations),
            len(portfolio.members),
        )

    def test_phases_events_missions(self, portfolio: Portfolio) -> None:
        """Phases (1→55, 2→321, 3→177, 4→78, 5→31); 562 events in 315 products."""
        per_startup = Counter(
            sum(isinstance(e, betastate.PhaseEntered) for e in s.history) for s in portfolio
        )
        events = [
            [
                e
                for e in s.history
                if not isinstance(e, betastate.PhaseEntered | betastate.PhaseEnded)
            ]
            for s in portfolio
        ]

        assert {1: 55, 2: 321, 3: 177, 4: 78, 5: 31} == dict(per_startup)
        assert 1695 == sum(n * count for n, count in per_startup.items())
        assert (315, 562) == (sum(1 for e in events if e), sum(len(e) for e in events))
        assert 4761 == sum(len(m.missions) for m in portfolio.members)

    def test_nothing_invalid(self, portfolio: Portfolio) -> None:
        """Every file of the snapshot is readable: no invalid-file finding."""
        assert [] == by_code(portfolio, "invalid-file")

    def test_lookup(self, portfolio: Portfolio) -> None:
        """Products are sorted by slug and found by slug, non-ASCII ones included."""
        assert list(portfolio.slugs) == sorted(portfolio.slugs)
        assert "données-et-territoires" in portfolio
        assert "Aeris" == portfolio["aeris"].title


class TestPhaseNames:
    """The "Phase names" table: every name used is one of the 8 statuses of content/_phases."""

    def test_vocabulary(self, portfolio: Portfolio) -> None:
        """No legacy or unknown name, and the vocabulary matches the rulebook."""
        codes = {"phase-not-in-vocabulary", "phase-not-in-rulebook", "legacy-phase-name"}

        assert [] == [f for f in portfolio.findings if f.code in codes or f.code == "BS-PHASE"]

    def test_occurrences(self, portfolio: Portfolio) -> None:
        """Occurrences per phase name, as the README counts them."""
        names = Counter(
            e.phase for s in portfolio for e in s.history if isinstance(e, betastate.PhaseEntered)
        )

        assert {
            "investigation": 577,
            "construction": 419,
            "abandon-investigation": 203,
            "acceleration": 181,
            "abandon": 124,
            "transfere": 99,
            "consolidation": 78,
            "opere": 14,
        } == dict(names)


class TestPhaseChronology:
    """The "Phase chronology and lifecycle" table."""

    def test_zero_rows(self, portfolio: Portfolio) -> None:
        """No phases out of list order, no end before start, no phase name twice."""
        assert set() == slugs(portfolio, "phases-out-of-order", "N5", "N4")

    def test_same_day(self, portfolio: Portfolio) -> None:
        """56 products with same-day phases, 52 of them listed against lifecycle order."""
        assert 56 == len(slugs(portfolio, "same-day-phases"))
        assert {"aeris", "aidantsconnect", "cartobio"} <= slugs(portfolio, "same-day-phases")
        assert 52 == len(slugs(portfolio, "same-day-against-lifecycle"))
        assert {"aeris", "aidantsconnect", "anais"} <= slugs(
            portfolio, "same-day-against-lifecycle"
        )

    def test_stage_inversion(self, portfolio: Portfolio) -> None:
        """9 products where a later stage starts strictly before an earlier one."""
        found = slugs(portfolio, "stage-inversion")

        assert 9 == len(found)
        assert {"api-particulier", "athena", "signaux-faibles"} <= found

    def test_overlaps_and_gaps(self, portfolio: Portfolio) -> None:
        """Overlaps: 17 products, 19 pairs; gaps: 102 products."""
        assert 19 == len(by_code(portfolio, "overlapping-phases"))
        assert 17 == len(slugs(portfolio, "overlapping-phases"))
        assert {"1000.premiers.jours.blues", "basegun", "reva"} <= slugs(
            portfolio, "overlapping-phases"
        )
        assert 102 == len(slugs(portfolio, "phase-gap"))
        assert {"1000.jours", "a-just", "agora"} <= slugs(portfolio, "phase-gap")

    def test_explicit_ends(self, portfolio: Portfolio) -> None:
        """212 products (273 phases) use an explicit end; 5 end their last active phase."""
        assert 273 == len(by_code(portfolio, "explicit-phase-end"))
        assert 212 == len(slugs(portfolio, "explicit-phase-end"))
        no_current = slugs(portfolio, "no-current-phase")
        assert 5 == len(no_current)
        assert {"domifa", "enfants-du-spectacle", "monsuivipsy"} <= no_current

    def test_investigation(self, portfolio: Portfolio) -> None:
        """85 products without investigation; 3 abandon an investigation after construction."""
        assert 85 == len(slugs(portfolio, "no-investigation"))
        assert {"equipements-bio", "la-belette", "mps"} == slugs(
            portfolio, "late-abandon-investigation"
        )

    def test_future_and_comments(self, portfolio: Portfolio) -> None:
        """4 products plan phases after the snapshot date; 18 phases (17 products) have comments."""
        assert 4 == len(slugs(portfolio, "future-phase", "future-terminal"))
        assert {"api-telerecours", "pop", "reva"} <= slugs(
            portfolio, "future-phase", "future-terminal"
        )
        assert 18 == len(by_code(portfolio, "phase-comment"))
        assert 17 == len(slugs(portfolio, "phase-comment"))

    def test_start_range(self, portfolio: Portfolio) -> None:
        """Phase starts range from 2013-06-01 to 2027-05-01."""
        starts = [
            e.on for s in portfolio for e in s.history if isinstance(e, betastate.PhaseEntered)
        ]

        assert (dt.date(2013, 6, 1), dt.date(2027, 5, 1)) == (min(starts), max(starts))


class TestTerminalStatus:
    """The "Terminal status" table."""

    def test_current_phases(self, portfolio: Portfolio) -> None:
        """The README's split (the last phase listed) is the rank rule's; the site's moves four."""
        readme = Counter(
            {
                "abandon-investigation": 202,
                "abandon": 123,
                "transfere": 93,
                "opere": 14,
                "construction": 108,
                "acceleration": 75,
                "investigation": 25,
                "consolidation": 22,
            }
        )
        # clara lists abandon before transfere on one day (the terminal rows); espace-membre,
        # fichiers and messages list investigation before construction (the active rows).
        site = readme + Counter({"abandon": 1, "investigation": 3})
        site -= Counter({"transfere": 1, "construction": 3})
        rank = betastate.Lifecycle(betastate.rulebook().derive(tie="rank"))

        assert site == Counter(betastate.Lifecycle().phase(s) for s in portfolio)
        assert readme == Counter(rank.phase(s) for s in portfolio)
        assert 432 == sum(n for phase, n in site.items() if betastate.rulebook().is_terminal(phase))

    def test_terminal_quirks(self, portfolio: Portfolio) -> None:
        """7 followed by a later phase, 7 with several terminals, clara, 4 with an end, 2 future."""
        followed = by_code(portfolio, "terminal-not-last")

        assert 7 == len(followed)
        assert {"avril", "identite-numerique-agricole", "mes-aides"} <= slugs(
            portfolio, "terminal-not-last"
        )
        assert 7 == len(slugs(portfolio, "several-terminals"))
        assert {"avril", "clara", "la-bonne-formation"} <= slugs(portfolio, "several-terminals")
        assert {"clara"} == slugs(portfolio, "terminal-before-same-day")
        assert 4 == len(slugs(portfolio, "terminal-with-end"))
        assert {"candela", "didoc", "solution.audiovisuelle.easi"} <= slugs(
            portfolio, "terminal-with-end"
        )
        assert {"pop", "reva"} == slugs(portfolio, "future-terminal")

    def test_terminal_successors(self, portfolio: Portfolio) -> None:
        """transfere → abandon 6 times, abandon-investigation → investigation once."""
        pairs = Counter()
        for finding in by_code(portfolio, "terminal-not-last"):
            before, after = finding.message.removeprefix("terminal phase ").split(
                " is followed by "
            )
            pairs[before.split(" ")[0], after.split(" ")[0]] += 1

        assert {("transfere", "abandon"): 6, ("abandon-investigation", "investigation"): 1} == dict(
            pairs
        )


class TestEvents:
    """The events tables."""

    def test_event_names(self, portfolio: Portfolio) -> None:
        """Occurrences per event name, each mapped to its event class."""
        kinds = Counter()
        for startup in portfolio:
            for event in startup.history:
                if isinstance(event, betastate.Note):
                    kinds[event.name] += 1
                elif not isinstance(event, betastate.PhaseEntered | betastate.PhaseEnded):
                    kinds[type(event).__name__] += 1

        assert {
            "CommitteeHeld": 215,
            "ProductLaunched": 145,
            "other": 68,
            "Stopped": 57,
            "FastLaureate": 38,
            "NationalImpactDesignated": 37,
            "eig": 2,
        } == dict(kinds)

    def test_vocabulary(self, portfolio: Portfolio) -> None:
        """fast (38) and eig (2) have no content/_events file."""
        names = Counter(quoted(f) for f in by_code(portfolio, "event-not-in-vocabulary"))

        assert {"fast": 38, "eig": 2} == dict(names)

    def test_end_and_abandon(self, portfolio: Portfolio) -> None:
        """4 ends without abandon, 274 abandons without end (95 + 179), 25 dates differ, 7 early."""
        without_end = by_code(portfolio, "abandon-without-end")
        phases = Counter(f.message.split(" ")[1] for f in without_end)

        assert 4 == len(slugs(portfolio, "end-without-abandon"))
        assert {"1000.premiers.jours.blues", "kelrisks", "peps"} <= slugs(
            portfolio, "end-without-abandon"
        )
        assert 274 == len(without_end)
        assert {"abandon": 95, "abandon-investigation": 179} == dict(phases)
        assert 25 == len(slugs(portfolio, "end-date-mismatch"))
        assert {"accidents-de-la-route", "assec", "atlas-des-paysages"} <= slugs(
            portfolio, "end-date-mismatch"
        )
        assert 7 == len(slugs(portfolio, "end-before-last-phase"))
        assert {"accidents-de-la-route", "jaden.gwadloup", "tous.a.bord"} <= slugs(
            portfolio, "end-before-last-phase"
        )

    def test_both_end_and_abandon(self, portfolio: Portfolio) -> None:
        """53 products have both an end event and an abandon phase."""
        both = [
            s
            for s in portfolio
            if any(isinstance(e, betastate.Stopped) for e in s.history)
            and any(
                isinstance(e, betastate.PhaseEntered)
                and e.phase in {"abandon", "abandon-investigation"}
                for e in s.history
            )
        ]

        assert 53 == len(both)

    def test_event_dates(self, portfolio: Portfolio) -> None:
        """22 events in 19 products precede the first phase; 3 products have future events."""
        early = by_code(portfolio, "event-before-first-phase")
        names = Counter(quoted(f) for f in early)

        assert 22 == len(early)
        assert 19 == len(slugs(portfolio, "event-before-first-phase"))
        assert {"product_launch": 15, "committee": 5, "other": 2} == dict(names)
        assert {"dpm-facile", "gestion.subventions.locales", "sylva-san"} == slugs(
            portfolio, "future-event"
        )

    def test_fast(self, portfolio: Portfolio) -> None:
        """11 fast blocks without event, 2 fast events without block, 46 blocks in all."""
        assert 11 == len(slugs(portfolio, "fast-block-without-event"))
        assert {"deveco", "annuaire-entreprises"} <= slugs(portfolio, "fast-block-without-event")
        assert {"apilos", "docs"} == slugs(portfolio, "fast-event-without-block")
        assert 46 == sum("fast" in s.extra for s in portfolio)


class TestSchemaDrift:
    """The "Schema drift and references" table."""

    def test_keys(self, portfolio: Portfolio) -> None:
        """impact_url 105, contact_dinum 34, contact_incubator 19, incubators 2; none in entries."""
        keys = Counter(quoted(f) for f in by_code(portfolio, "key-not-in-schema"))

        assert {
            "impact_url": 105,
            "contact_dinum": 34,
            "contact_incubator": 19,
            "incubators": 2,
        } == (dict(keys))
        assert [] == by_code(portfolio, "entry-key-not-in-schema")

    def test_enums(self, portfolio: Portfolio) -> None:
        """Sponsors: 43 values in 68 products; usertypes: 84 values in 50 products."""
        sponsors = by_code(portfolio, "sponsor-not-in-schema")
        usertypes = by_code(portfolio, "usertype-not-in-schema")

        assert (43, 68) == (len({quoted(f) for f in sponsors}), len({f.slug for f in sponsors}))
        assert "/organisations/banque-des-territoires" in {quoted(f) for f in sponsors}
        assert (84, 50) == (len({quoted(f) for f in usertypes}), len({f.slug for f in usertypes}))

    def test_references(self, portfolio: Portfolio) -> None:
        """No unknown incubator or sponsor (826 references); 30 products without sponsors."""
        assert [] == by_code(portfolio, "unknown-incubator") + by_code(portfolio, "unknown-sponsor")
        assert 826 == sum(len(s.sponsors) for s in portfolio)
        assert 30 == len(slugs(portfolio, "no-sponsor"))
        assert {"aidess", "asso.cie"} <= slugs(portfolio, "no-sponsor")

    def test_schema_sponsors_without_file(self, portfolio: Portfolio) -> None:
        """The schema lists /organisations/dgeb and /organisations/justice without files."""
        values = {quoted(f) for f in by_code(portfolio, "schema-sponsor-without-organisation")}

        assert {"/organisations/dgeb", "/organisations/justice"} == values

    def test_incubators_and_organisations(self, portfolio: Portfolio) -> None:
        """menj unused, its owner without file; 2 files without .md; 5 id keys; 1 blank acronym."""
        assert ["menj"] == [quoted(f) for f in by_code(portfolio, "unused-incubator")]
        assert ["menj"] == [quoted(f) for f in by_code(portfolio, "unknown-owner")]
        assert 2 == len(by_code(portfolio, "organisation-file-extension"))
        assert 5 == len(by_code(portfolio, "organisation-id-key"))
        for finding in by_code(portfolio, "organisation-id-key"):
            stem = Path(finding.file or "").stem
            assert f"'{stem}'" in finding.message  # the id equals the file name
        assert 1 == len(by_code(portfolio, "blank-acronym"))
        ids = {o.id for o in portfolio.organisations}
        assert {"/organisations/idfm", "/organisations/Préfecture"} <= ids


class TestValues:
    """The link and timestamp rows of "Values and formats"."""

    def test_links(self, portfolio: Portfolio) -> None:
        """340 empty, 2 HTML-escaped and 2 padded links, kept as read."""
        assert 340 == len(slugs(portfolio, "empty-link"))
        assert {"anct-pni-36", "anct-pni-44"} == slugs(portfolio, "escaped-link")
        assert {"1-eleve-1-stage", "mes.aides.a.lembauche"} == slugs(portfolio, "padded-link")
        assert "&#x2F;" in (portfolio["anct-pni-36"].link or "")
        assert "" == portfolio["access-sol"].link

    def test_timestamp(self, portfolio: Portfolio) -> None:
        """One timestamp where a date is expected: les-emplois' rgpd.validite_homologation."""
        (finding,) = by_code(portfolio, "timestamp-value")

        assert "les-emplois" == finding.slug
        assert finding.message.startswith("rgpd.validite_homologation")
        assert [] == by_code(portfolio, "date-as-string")


class TestFindingShape:
    """Every finding names its file and, for products, a line."""

    def test_files_and_lines(self, portfolio: Portfolio, snapshot: Path) -> None:
        """Product findings point at a file of the snapshot and a line inside its front matter."""
        for finding in portfolio.findings:
            if finding.slug is None:
                continue
            assert finding.file is not None
            path = Path(finding.file)
            assert path.is_file()
            assert finding.line is not None, finding
            front_matter_lines = path.read_text(encoding="utf-8").split("\n---", 1)[0].count("\n")
            assert 1 <= finding.line <= front_matter_lines + 1, finding

    def test_empty_link_line(self, portfolio: Portfolio) -> None:
        """The empty-link finding of access-sol points at its link line."""
        (finding,) = [f for f in by_code(portfolio, "empty-link") if f.slug == "access-sol"]
        lines = Path(finding.file or "").read_text(encoding="utf-8").splitlines()

        assert lines[(finding.line or 0) - 1].startswith("link:")


class TestRulebookRules:
    """The rulebook's own rules on the real histories."""

    def test_forbidden_moves(self, portfolio: Portfolio) -> None:
        """transfere → abandon is legacy-only (N8); leaving abandon-investigation breaks N6."""
        n8 = {f.slug for f in by_code(portfolio, "N8")}
        n6 = {f.slug for f in by_code(portfolio, "N6")}

        assert {"avril", "mes-aides"} <= n8
        assert "identite-numerique-agricole" in n6
        assert all(f.severity is betastate.Severity.ERROR for f in by_code(portfolio, "N8"))

    def test_first_phase(self, portfolio: Portfolio) -> None:
        """Exactly the products whose first phase (tie rule) is not investigation break BS-MOVE."""
        starts = {
            f.slug
            for f in by_code(portfolio, "BS-MOVE")
            if f.message.startswith("the history starts")
        }
        lifecycle = betastate.Lifecycle()
        expected = {
            s.slug for s in portfolio if lifecycle.state(s).spans[0].phase != "investigation"
        }

        assert expected == starts
        assert slugs(portfolio, "no-investigation") <= starts

    def test_strict_refuses(self, snapshot: Path) -> None:
        """Strict mode refuses the snapshot, naming the file and the rule."""
        with pytest.raises(betastate.DataFileError) as caught:
            betastate.load_portfolio(snapshot, mode="strict", missions=False)

        assert caught.value.file.endswith(".md")
        assert caught.value.problem.startswith("[")
