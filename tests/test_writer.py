"""Writing startups back to front matter: unchanged bytes stay, changes touch only their lines."""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import betastate
from betastate import (
    CommitteeHeld,
    Note,
    PhaseEntered,
    Startup,
    write_frontmatter,
)
from betastate._io import frontmatter as _frontmatter
from betastate._io.loaders import read_as_written

from .utils import invented_checkout


DATA = invented_checkout() / "content" / "_startups"


def read(path: Path) -> tuple[str, Startup]:
    text = path.read_text(encoding="utf-8")
    portfolio = betastate.load_portfolio(path.parent, missions=False)
    return text, portfolio[path.stem]


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in {"+", "-"} and not line.startswith(("+++", "---"))
    ]


def by_date(startup: Startup, *events: betastate.Event) -> Startup:
    return attrs.evolve(startup, history=sorted((*startup.history, *events), key=lambda e: e.on))


class TestUnchanged:
    """An unchanged startup gives the original bytes."""

    @pytest.mark.parametrize("path", sorted(DATA.glob("*.md")), ids=lambda p: p.stem)
    def test_fixtures(self, path: Path) -> None:
        """Each fixture, including one without a final newline, is written back identically."""
        text, startup = read(path)

        assert text == write_frontmatter(text, startup).text

    def test_snapshot(self, snapshot: Path) -> None:
        """All 662 snapshot products written back unchanged are byte-identical."""
        portfolio = betastate.load_portfolio(snapshot, missions=False)
        folder = snapshot / "content" / "_startups"
        written = 0
        for startup in portfolio:
            path = folder / f"{startup.slug}.md"
            text = path.read_bytes().decode("utf-8")
            assert text.encode("utf-8") == write_frontmatter(text, startup).text.encode("utf-8")
            written += 1

        assert 662 == written


class TestSnapshotChanges:
    """Changes written into every real file touch only their lines and read back equal."""

    def test_new_committee_everywhere(self, snapshot: Path) -> None:
        """Adding a committee to each of the 662 products adds only its lines and reads back."""
        portfolio = betastate.load_portfolio(snapshot, missions=False)
        folder = snapshot / "content" / "_startups"
        committee = CommitteeHeld(on=dt.date(2026, 9, 1), comment="Comité de rentrée")
        for startup in portfolio:
            text = (folder / f"{startup.slug}.md").read_text(encoding="utf-8")
            new = by_date(startup, committee)
            out = write_frontmatter(text, new).text
            changed = changed_lines(text, out)
            assert all(line.startswith("+") for line in changed), startup.slug
            assert 3 <= len(changed) <= 4, (startup.slug, changed)  # 'events:' when new
            front = _frontmatter.parse_text(out, startup.slug)
            assert new == read_as_written(front, startup.slug)[0], startup.slug

    def test_new_title_everywhere(self, snapshot: Path) -> None:
        """A new title replaces exactly the title line of each real file."""
        portfolio = betastate.load_portfolio(snapshot, missions=False)
        folder = snapshot / "content" / "_startups"
        for startup in portfolio:
            text = (folder / f"{startup.slug}.md").read_text(encoding="utf-8")
            out = write_frontmatter(text, attrs.evolve(startup, title="Titre changé")).text
            assert ["+title: Titre changé"] == [
                line for line in changed_lines(text, out) if line.startswith("+")
            ], startup.slug
            assert 1 == sum(line.startswith("-") for line in changed_lines(text, out))


class TestChanges:
    """A change rewrites only the lines concerned."""

    def test_new_event_adds_its_lines(self) -> None:
        """A committee appended to the history adds three lines to the events list, nothing else."""
        text, startup = read(DATA / "potager-numerique.md")
        new = by_date(startup, CommitteeHeld(on=dt.date(2024, 5, 2), comment="Go: on continue"))

        out = write_frontmatter(text, new).text

        assert [
            "+  - name: committee",
            "+    date: 2024-05-02",
            "+    comment: 'Go: on continue'",
        ] == changed_lines(text, out)
        assert out.index("date: 2024-05-02") < out.index("stats: true")

    def test_changed_body(self, tmp_path: Path) -> None:
        """A changed body replaces the text after the front matter, which stays as it was."""
        text, startup = read(DATA / "cantine-verte.md")
        out = write_frontmatter(text, attrs.evolve(startup, body="Nouveau texte.\n")).text
        (tmp_path / "_startups").mkdir()
        (tmp_path / "_startups" / "cantine-verte.md").write_text(out, encoding="utf-8")

        assert text[: text.index("Pas de saut")] + "Nouveau texte.\n" == out
        assert "Nouveau texte.\n" == read(tmp_path / "_startups" / "cantine-verte.md")[1].body

    def test_body_after_empty_one(self) -> None:
        """A body given to a file that had none starts on the line after the front matter."""
        text, startup = read(DATA / "archives-faciles.md")

        new = attrs.evolve(startup, body="Texte.\n")

        assert text + "Texte.\n" == write_frontmatter(text, new).text

    def test_new_phase_and_changed_scalar(self) -> None:
        """A new phase adds its two lines; a changed link replaces its one line."""
        text, startup = read(DATA / "archives-faciles.md")
        new = attrs.evolve(
            by_date(startup, PhaseEntered(on=dt.date(2022, 1, 3), phase="transfere")),
            link="https://archives.example",
        )

        out = write_frontmatter(text, new).text

        assert [
            "-link: ''",
            "+link: https://archives.example",
            "+  - name: transfere",
            "+    start: 2022-01-03",
        ] == changed_lines(text, out)

    def test_removed_event_and_extra_keys(self) -> None:
        """Removing an event drops its lines; extra keys are updated, added and removed."""
        text, startup = read(DATA / "potager-numerique.md")
        history = tuple(e for e in startup.history if e.on != dt.date(2021, 10, 1))
        extra = {k: v for k, v in startup.extra.items() if k != "impact_url"}
        new = attrs.evolve(
            startup, history=history, extra={**extra, "stats": False, "techno": ["go"]}
        )

        out = write_frontmatter(text, new).text

        assert [
            "-impact_url: https://potager.example/impact",
            "-  - name: product_launch",
            "-    date: 2021-10-01",
            "-stats: true",
            "+stats: false",
            "+techno:",
            "+  - go",
        ] == changed_lines(text, out)

    def test_body_and_missing_newline_kept(self) -> None:
        """The markdown body, and the missing final newline, survive a change."""
        text, startup = read(DATA / "cantine-verte.md")

        out = write_frontmatter(text, attrs.evolve(startup, title="Cantine encore plus verte")).text

        assert out.endswith("Pas de saut de ligne final.")
        assert ["-title: Cantine verte", "+title: Cantine encore plus verte"] == changed_lines(
            text, out
        )

    def test_reread_equals_written(self, tmp_path: Path) -> None:
        """save_startup writes a file that loads back as the startup written."""
        tmp_path = tmp_path / "_startups"
        tmp_path.mkdir()
        for path in DATA.glob("*.md"):
            shutil.copy(path, tmp_path / path.name)
        _, startup = read(tmp_path / "guichet-unique.md")
        new = by_date(
            startup,
            Note(on=dt.date(2025, 2, 1), name="other", comment='Décret "test" publié'),
            CommitteeHeld(on=dt.date(2025, 3, 1)),
        )

        assert betastate.save_startup(tmp_path / "guichet-unique.md", new).changed
        assert not betastate.save_startup(tmp_path / "guichet-unique.md", new).changed
        assert new == betastate.load_portfolio(tmp_path, missions=False)["guichet-unique"]


class TestProperties:
    """Any comment text round-trips through the writer and the loader."""

    @given(comment=st.text(min_size=1, max_size=60).filter(lambda s: s.strip() == s and s))
    def test_comment_round_trip(
        self, comment: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        """A committee with an arbitrary comment reads back equal."""
        folder = tmp_path_factory.mktemp("w") / "_startups"
        folder.mkdir()
        shutil.copy(DATA / "potager-numerique.md", folder / "potager-numerique.md")
        text, startup = read(folder / "potager-numerique.md")
        new = by_date(startup, CommitteeHeld(on=dt.date(2025, 1, 6), comment=comment))
        (folder / "potager-numerique.md").write_text(
            write_frontmatter(text, new).text, encoding="utf-8"
        )

        assert new == betastate.load_portfolio(folder, missions=False)["potager-numerique"]
