"""Import mode never aborts and loses nothing: every file not loaded is a finding, nothing hangs."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

import betastate as bs
from betastate import DataFileError

from .utils import copy_checkout, invented_checkout, permissions_apply


FIXTURES = invented_checkout()
VALID = (FIXTURES / "content" / "_startups" / "potager-numerique.md").read_text(encoding="utf-8")


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> Path:
    """A copy of the fixture checkout the test may break."""
    return copy_checkout(tmp_path)


def findings_for(portfolio: bs.Portfolio, path: Path) -> list[bs.Finding]:
    return [f for f in portfolio.findings if f.file == str(path)]


def unreadable(path: Path) -> Path:
    path.chmod(0)
    return path


def dangling(path: Path) -> Path:
    path.unlink()
    path.symlink_to(path.parent / "nowhere.md")
    return path


def loop(path: Path) -> Path:
    path.unlink()
    other = path.with_name("loop-back" + path.suffix)
    path.symlink_to(other)
    other.symlink_to(path)
    return path


def folder(path: Path) -> Path:
    path.unlink()
    path.mkdir()
    return path


def fifo(path: Path) -> Path:
    path.unlink()
    os.mkfifo(path)
    return path


BREAKS = {
    "unreadable": unreadable,
    "dangling-link": dangling,
    "link-loop": loop,
    "folder": folder,
    "fifo": fifo,
}
PROBLEMS = {
    "unreadable": "Permission denied",
    "dangling-link": "symbolic link to a missing file",
    "link-loop": "loop of symbolic links",
    "folder": "a folder",
    "fifo": "a FIFO",
}
FILES = {
    "incubator": "content/_incubators/incubateur-fictif.md",
    "organisation": "content/_organisations/office-test.md",
    "member": "missions/member-0001.yml",
    "product": "content/_startups/cantine-verte.md",
    "schema": "schema/startups.yml",
}


class TestUnloadableFiles:
    """Unreadable files, dangling links, link loops, folders and FIFOs are reported."""

    @pytest.mark.parametrize("kind", sorted(FILES))
    @pytest.mark.parametrize("how", sorted(BREAKS))
    def test_import_reports(self, checkout: Path, kind: str, how: str) -> None:
        """Import mode loads the rest and reports the file with an error finding."""
        path = BREAKS[how](checkout / FILES[kind])
        loop_back = path.with_name("loop-back" + path.suffix)

        with permissions_apply():
            portfolio = bs.load_portfolio(checkout)
        (finding,) = findings_for(portfolio, path)
        others = [f for f in portfolio.findings if f.code == "invalid-file" and f.file != str(path)]

        assert ("invalid-file", bs.Severity.ERROR) == (finding.code, finding.severity)
        assert PROBLEMS[how] in finding.message
        listed = how == "link-loop" and kind != "schema"  # the schema folder is not listed
        assert ([str(loop_back)] if listed else []) == [f.file for f in others]
        assert (3 if kind == "product" else 4) == len(portfolio)

    @pytest.mark.parametrize("how", sorted(BREAKS))
    def test_strict_raises(self, checkout: Path, how: str) -> None:
        """Strict mode raises a DataFileError naming the file."""
        path = BREAKS[how](checkout / FILES["incubator"])

        with permissions_apply(), pytest.raises(DataFileError) as caught:
            bs.load_portfolio(checkout, mode="strict")

        assert str(path) == caught.value.file
        assert PROBLEMS[how] in caught.value.problem

    def test_fifo_never_opened(self, checkout: Path) -> None:
        """A FIFO named x.md in _startups does not hang `betastate lint` (nobody writes to it)."""
        fifo(checkout / FILES["product"])

        result = subprocess.run(
            [sys.executable, "-m", "betastate", "lint", str(checkout), "--format", "json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

        assert 0 == result.returncode, result.stderr
        assert '"invalid-file": 1' in result.stdout

    def test_unreadable_startups_folder(self, checkout: Path) -> None:
        """An unreadable _startups folder is a DataFileError, not a traceback (in both modes)."""
        folder_path = checkout / "content" / "_startups"
        folder_path.chmod(0)
        try:
            for mode in ("import", "strict"):
                with permissions_apply(), pytest.raises(DataFileError) as caught:
                    bs.load_portfolio(checkout, mode=mode)

                assert str(folder_path) == caught.value.file
                assert "Permission denied" in caught.value.problem
        finally:
            folder_path.chmod(0o755)

    @pytest.mark.parametrize("name", ["content/_incubators", "content/_phases", "missions"])
    def test_unreadable_context_folder(self, checkout: Path, name: str) -> None:
        """An unreadable incubators, vocabulary or missions folder is an error finding."""
        folder_path = checkout / name
        folder_path.chmod(0)
        try:
            with permissions_apply():
                portfolio = bs.load_portfolio(checkout)
        finally:
            folder_path.chmod(0o755)

        assert ["invalid-file"] == [f.code for f in findings_for(portfolio, folder_path)]
        assert 4 == len(portfolio)


class TestSkippedFiles:
    """Files that are not data files are not read, and each says so."""

    @pytest.mark.parametrize("name", [".cantine-verte.md.swp", "NOTES.txt", "archive"])
    def test_skipped(self, checkout: Path, name: str) -> None:
        """Hidden files, other extensions and sub-folders get a skipped-file info finding."""
        path = checkout / "content" / "_startups" / name
        if name == "archive":
            path.mkdir()
        else:
            path.write_text(VALID, encoding="utf-8")

        portfolio = bs.load_portfolio(checkout)
        (finding,) = findings_for(portfolio, path)

        assert ("skipped-file", bs.Severity.INFO) == (finding.code, finding.severity)
        assert 4 == len(portfolio)


class TestDates:
    """Dates the calendar arithmetic cannot take, and dates outside the rulebook's range."""

    @pytest.mark.parametrize("day", ["9999-07-01", "9999-12-31"])
    def test_committee_at_the_calendar_end(self, checkout: Path, day: str) -> None:
        """A committee dated 9999 makes the file invalid (it crashed add_months in loading)."""
        path = checkout / FILES["product"]
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("events:\n", f"events:\n  - name: committee\n    date: {day}\n", 1),
            encoding="utf-8",
        )

        portfolio = bs.load_portfolio(checkout, as_of=dt.date(2026, 1, 1))
        (finding,) = findings_for(portfolio, path)

        assert "invalid-file" == finding.code
        assert day in finding.message
        assert finding.line is not None
        assert 3 == len(portfolio)

    def test_outside_the_rulebook_range(self, checkout: Path) -> None:
        """A date the values take but the rulebook does not is a BS-DATE error; strict refuses."""
        path = checkout / FILES["product"]
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("events:\n", "events:\n  - name: committee\n    date: 2999-12-31\n", 1),
            encoding="utf-8",
        )

        portfolio = bs.load_portfolio(checkout, as_of=dt.date(2026, 1, 1))
        found = [f for f in findings_for(portfolio, path) if f.code == "BS-DATE"]
        with pytest.raises(DataFileError, match="BS-DATE"):
            bs.load_portfolio(checkout, mode="strict")

        assert [(bs.Severity.ERROR, (dt.date(2999, 12, 31),))] == [
            (f.severity, f.dates) for f in found
        ]
        assert "cantine-verte" in portfolio


class TestLatestDates:
    """At the values' latest dates, the projections and the audit still work."""

    def test_state_moves_audit(self) -> None:
        """Committees on 2999-07-01 and 2999-12-31: state, moves and audit run; audit flags them."""
        lifecycle = bs.Lifecycle()
        startup = bs.Startup(
            slug="fin-des-temps",
            title="Fin des temps",
            history=[
                bs.PhaseEntered(on=dt.date(2999, 1, 1), phase="investigation"),
                bs.CommitteeHeld(on=dt.date(2999, 7, 1), decision="continue"),
                bs.CommitteeHeld(on=dt.date(2999, 12, 31), decision="continue"),
            ],
        )

        state = lifecycle.state(startup)
        moves = lifecycle.moves(startup)
        rules = {f.code for f in bs.audit(startup, on=dt.date(2999, 12, 31))}

        assert "investigation" == state.phase
        assert () == moves  # computed without a crash; none open past BS-HORIZON's days
        assert "BS-DATE" in rules

    def test_engine_refuses_out_of_range_dates(self) -> None:
        """A command dated outside the rulebook's range is refused with BS-DATE."""
        lifecycle = bs.Lifecycle()
        startup = bs.Startup(slug="p", title="P")

        # Before the range (a date after it is also past BS-HORIZON's days after today).
        launch = bs.Advance(
            on=dt.date(1999, 1, 1), to="investigation", by="sponsor", co_deciders=["incubator"]
        )

        verdict = lifecycle.check(startup, launch)
        relaxed = bs.Lifecycle(
            bs.rulebook().derive(thresholds={"earliest_date": dt.date(1990, 1, 1)})
        ).check(startup, launch)

        assert [("BS-DATE", "/on")] == [(r.rule, r.field) for r in verdict.errors]
        assert "1999-01-01" in verdict.errors[0].message
        assert relaxed.accepted


class TestLongFiles:
    """Findings of a long file still name the right lines (counted from a line index)."""

    def test_lines_of_many_findings(self, tmp_path: Path) -> None:
        """Forty unknown phases: each BS-PHASE finding points at its own phase's line."""
        lines = ["---", "title: Long", "mission: m", "incubator: i", "contact: c@d.e", "phases:"]
        for index in range(40):
            start = dt.date(2020, 1, 1) + dt.timedelta(days=index)
            lines += [f"  - name: phase-{index:02d}", f"    start: {start.isoformat()}"]
        folder = tmp_path / "_startups"
        folder.mkdir()
        (folder / "long.md").write_text("\n".join([*lines, "---", ""]), encoding="utf-8")

        portfolio = bs.load_portfolio(folder)
        found = {
            f.message.split("'")[1]: f.line for f in portfolio.findings if f.code == "BS-PHASE"
        }

        assert 40 == len(found)
        for name, line in found.items():
            assert f"  - name: {name}" == lines[line - 1]
