"""The tie rule as rulebook data: the site's own rule in the beta.gouv.fr book, rank as option."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

import betastate as bs
from betastate._cli.report import build


D = dt.date
SITE = bs.Lifecycle()
RANK = bs.Lifecycle(bs.rulebook().derive(tie="rank"))

# The four products where the two rules disagree on the current phase (issue 13), each with
# (site's phase, rank rule's phase).
DIFFERING = {
    "clara": ("abandon", "transfere"),
    "espace-membre": ("investigation", "construction"),
    "fichiers": ("investigation", "construction"),
    "messages": ("investigation", "construction"),
}


def raw_phases(snapshot: Path) -> dict[str, list[dict]]:
    """Each product's `phases` list, read with PyYAML's safe loader outside betastate."""
    out = {}
    for path in sorted((snapshot / "content" / "_startups").glob("*.md")):
        head = path.read_text(encoding="utf-8").split("\n---", 1)[0].removeprefix("---\n")
        out[path.stem] = yaml.safe_load(head)["phases"]
    return out


def site_rule(phases: list[dict], on: dt.date | None = None) -> str | None:
    """
    The site's `phases.max_by { |phase| phase['start'] }`, written out independently.

    Ruby's max_by returns the first element with the greatest key; so does a scan that
    replaces the best only on a strictly greater start.
    """
    best = None
    for phase in phases:
        if on is not None and phase["start"] > on:
            continue
        if best is None or phase["start"] > best["start"]:
            best = phase
    return None if best is None else best["name"]


@pytest.fixture(name="portfolio", scope="module")
def _portfolio(snapshot: Path) -> bs.Portfolio:
    return bs.load_portfolio(snapshot, missions=False)


@pytest.fixture(name="raw", scope="module")
def _raw(snapshot: Path) -> dict[str, list[dict]]:
    return raw_phases(snapshot)


class TestSnapshot:
    """On the 662 snapshot products betastate's phase is the site's."""

    def test_phase_is_the_sites_on_every_product(self, portfolio, raw):
        """Lifecycle.phase equals the site's rule on all 662 products."""
        expected = {slug: site_rule(phases) for slug, phases in raw.items()}

        assert 662 == len(expected)
        assert expected == {s.slug: SITE.phase(s) for s in portfolio}

    @pytest.mark.parametrize("on", [D(2019, 7, 22), D(2022, 11, 30), D(2024, 1, 1), D(2026, 1, 1)])
    def test_state_on_a_date_is_the_sites(self, portfolio, raw, on):
        """Lifecycle.state(on=) equals the site's rule applied to the phases started by then."""
        expected = {slug: site_rule(phases, on) for slug, phases in raw.items()}

        assert expected == {s.slug: SITE.state(s, on=on).phase for s in portfolio}

    def test_the_four_that_differed(self, portfolio):
        """clara and three investigation-then-construction products: site's vs rank rule."""
        assert DIFFERING == {
            slug: (SITE.phase(portfolio[slug]), RANK.phase(portfolio[slug])) for slug in DIFFERING
        }
        others = [s for s in portfolio if s.slug not in DIFFERING]
        assert 658 == len(others)
        assert all(SITE.phase(s) == RANK.phase(s) for s in others)

    def test_finding_marks_each_difference(self, portfolio):
        """tie-rules-differ marks the four, plus pass-culture whose tie is not its last day."""
        found = {f.slug: f for f in portfolio.findings if f.code == "tie-rules-differ"}

        assert {*DIFFERING, "pass-culture"} == set(found)
        assert set(DIFFERING) == {
            slug for slug, f in found.items() if "so would the current phase" in f.message
        }
        assert (D(2022, 11, 30),) == found["clara"].dates
        assert bs.Severity.INFO is found["clara"].severity

    def test_counts_and_report_follow_the_rulebook(self, portfolio):
        """phase_counts and the report count clara as abandon, or as transfere under rank."""
        on = D(2026, 8, 20)
        site = portfolio.phase_counts(on)
        rank = portfolio.phase_counts(on, rulebook=RANK.rulebook)
        reported = {row["phase"]: row["n"] for row in build(portfolio, on)["phases"]}
        reported_rank = {
            row["phase"]: row["n"] for row in build(portfolio, on, RANK.rulebook)["phases"]
        }

        assert (1, -1, 3, -3) == (
            site["abandon"] - rank["abandon"],
            site["transfere"] - rank["transfere"],
            site["investigation"] - rank["investigation"],
            site["construction"] - rank["construction"],
        )
        assert {p: n for p, n in site.items() if n} == {p: n for p, n in reported.items() if n}
        assert {p: n for p, n in rank.items() if n} == {p: n for p, n in reported_rank.items() if n}


class TestRule:
    """The tie setting on invented histories."""

    def history(self, *phases: str) -> bs.Startup:
        day = D(2022, 11, 30)
        return bs.Startup(
            slug="meme-jour",
            title="Même jour",
            history=[bs.PhaseEntered(on=day, phase=p) for p in phases],
        )

    def test_betagouv_is_first_listed(self):
        """The beta.gouv.fr preset carries the site's rule; a derived book can switch."""
        assert ("first-listed", "rank") == (SITE.rulebook.tie, RANK.rulebook.tie)

    @pytest.mark.parametrize(
        ("phases", "site", "rank"),
        [
            (("abandon", "transfere"), "abandon", "transfere"),
            (("transfere", "abandon"), "transfere", "transfere"),
            (("investigation", "construction"), "investigation", "construction"),
            (("construction", "investigation"), "construction", "construction"),
            (("acceleration", "construction", "investigation"), "acceleration", "acceleration"),
            (("opere", "transfere"), "opere", "transfere"),
        ],
    )
    def test_same_day(self, phases, site, rank):
        """First listed wins under the site's rule; the later stage (then the last) under rank."""
        startup = self.history(*phases)

        assert (site, rank) == (SITE.phase(startup), RANK.phase(startup))

    def test_spans_put_the_winner_last(self):
        """The winner of a same-day tie is the running span; the others last zero days."""
        spans = SITE.state(self.history("investigation", "construction")).spans

        assert [("construction", 0), ("investigation", None)] == [
            (s.phase, None if s.end is None else s.days(s.end)) for s in spans
        ]

    def test_ends_and_today_are_ignored(self):
        """An explicit end does not make an earlier phase current again."""
        startup = bs.Startup(
            slug="fin",
            title="Fin",
            history=[
                bs.PhaseEntered(on=D(2020, 1, 1), phase="investigation"),
                bs.PhaseEntered(on=D(2020, 6, 1), phase="construction"),
                bs.PhaseEnded(on=D(2020, 9, 1), phase="construction"),
            ],
        )

        assert "construction" == SITE.state(startup, on=D(2030, 1, 1)).phase

    def test_unknown_tie_rule_in_a_file(self, tmp_path):
        """A TOML file with another tie rule is refused, naming the key and the choices."""
        text = (Path(bs.__file__).parent / "_rules" / "presets" / "betagouv.toml").read_text(
            encoding="utf-8"
        )
        path = tmp_path / "mine.toml"
        path.write_text(text.replace('tie = "first-listed"', 'tie = "latest"'), encoding="utf-8")

        with pytest.raises(bs.RulebookError) as caught:
            bs.rulebook(path)

        assert "rulebook.tie" == caught.value.key
        assert "first-listed" in caught.value.fix

    def test_unknown_tie_rule_in_derive(self):
        """derive(tie=...) with an unknown rule is refused."""
        with pytest.raises(bs.RulebookError, match="unknown tie rule 'latest'"):
            bs.rulebook().derive(tie="latest")  # type: ignore[arg-type]

    def test_a_file_without_the_setting_uses_rank(self, tmp_path):
        """A rulebook file that does not say uses the rank rule."""
        text = (Path(bs.__file__).parent / "_rules" / "presets" / "betagouv.toml").read_text(
            encoding="utf-8"
        )
        path = tmp_path / "mine.toml"
        path.write_text(text.replace('tie = "first-listed"', ""), encoding="utf-8")

        assert "rank" == bs.rulebook(path).tie

    def test_betastate_json_keeps_the_rule(self):
        """A rulebook written as betastate JSON reads back with its tie rule."""
        book = RANK.rulebook

        assert "rank" == bs.from_data(bs.to_data(book), bs.Rulebook).tie
