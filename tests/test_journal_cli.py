"""`betastate journal import|show`, and journal URLs given to `report` and `lint`."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

import betastate as bs
from betastate._cli.main import main

from .journal_contract import DAY, ENVELOPE, funded


SAMPLE = Path(bs.__file__).parent / "_io" / "data" / "sample-portfolio.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite://{tmp_path / 'journal.db'}"


class TestImport:
    """`journal import PATH URL` stores a portfolio; importing it again changes nothing."""

    def test_import_twice(self, capsys: pytest.CaptureFixture[str], url: str) -> None:
        """The first import creates every product; the second finds them unchanged."""
        sample = bs.sample_portfolio()
        events = sum(len(s.history) for s in sample)

        first = run(capsys, "journal", "import", str(SAMPLE), url)
        second = run(capsys, "journal", "import", str(SAMPLE), url)

        assert 0 == first[0]
        assert f"{len(sample)} created, 0 extended, 0 unchanged" in first[1]
        assert f"{events} events stored" in first[1]
        assert 0 == second[0]
        assert f"0 created, 0 extended, {len(sample)} unchanged, 0 diverged" in second[1]
        with bs.open_journal(url) as journal:
            assert sample.startups == journal.portfolio().startups

    def test_diverged(self, capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path) -> None:
        """A product stored with another title is left alone, named, and the exit code is 1."""
        sample = bs.sample_portfolio()
        first = sample.startups[0]
        with bs.open_journal(url) as journal:
            journal.create(bs.Startup(slug=first.slug, title="Autre titre"))

        code, _, err = run(capsys, "journal", "import", str(SAMPLE), url)

        assert 1 == code
        assert first.slug in err
        with bs.open_journal(url) as journal:
            assert "Autre titre" == journal.get(first.slug).title

    def test_bad_url(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A URL that is no journal's is an error naming the fix, exit code 2."""
        code, _, err = run(capsys, "journal", "import", str(SAMPLE), "ftp://ailleurs/j")

        assert 2 == code
        assert "not a journal URL" in err
        assert "sqlite:///path/to/journal.db" in err


class TestShow:
    """`journal show URL SLUG` prints the stream with what the journal stored."""

    def test_text(self, capsys: pytest.CaptureFixture[str], url: str) -> None:
        """One line per event: version, position, time, command, actor, event."""
        with bs.open_journal(url) as journal:
            funded(journal, "guichet")
            journal.apply(
                "guichet",
                bs.Spend(on=DAY, by=bs.Actor(role="intrapreneur", name="Camille"), amount=1250),
            )

        code, out, _ = run(capsys, "journal", "show", url, "guichet")
        lines = out.splitlines()

        assert 0 == code
        assert lines[0].startswith("guichet: 'Guichet', version 4, phase construction")
        assert 6 == len(lines)
        assert lines[3].split()[:2] == ["2", "2"]
        assert "HoldCommittee" in lines[3]
        assert f"continue → construction {ENVELOPE:,} €" in lines[3]
        assert "intrapreneur (Camille)" in lines[5]
        assert lines[5].endswith(f"Spent {DAY} 1,250 €")

    def test_a_stop_and_grants(self, capsys: pytest.CaptureFixture[str], url: str) -> None:
        """Grants show their total, stops whether they have their post-mortem."""
        sample = bs.sample_portfolio()
        stopped = next(
            s
            for s in sample
            if any(isinstance(e, bs.Stopped) for e in s.history)
            and any(isinstance(e, bs.FundsGranted) for e in s.history)
        )
        with bs.open_journal(url) as journal:
            journal.create(stopped)

        code, out, _ = run(capsys, "journal", "show", url, stopped.slug)

        assert 0 == code
        assert "Stopped" in out
        assert "with post-mortem" in out
        grant = next(e for e in stopped.history if isinstance(e, bs.FundsGranted))
        assert f"FundsGranted {grant.on} {sum(g.amount for g in grant.grants):,} €" in out

    def test_json(self, capsys: pytest.CaptureFixture[str], url: str) -> None:
        """--format json gives each event with its metadata and betastate JSON."""
        with bs.open_journal(url) as journal:
            funded(journal, "guichet")
            expected = journal.get("guichet")

        code, out, _ = run(capsys, "journal", "show", url, "guichet", "--format", "json")
        payload = json.loads(out)

        assert 0 == code
        assert [1, 2, 3] == [e["version"] for e in payload["events"]]
        assert list(expected.history) == [
            bs.from_data(e["event"], bs.Event) for e in payload["events"]
        ]
        assert "HoldCommittee" == payload["events"][1]["command_type"]
        assert dt.datetime.fromisoformat(payload["events"][0]["recorded_at"]).tzinfo is not None

    def test_unknown_slug(self, capsys: pytest.CaptureFixture[str], url: str) -> None:
        """An unknown slug is an error, exit code 2."""
        code, _, err = run(capsys, "journal", "show", url, "absent")

        assert 2 == code
        assert "no startup 'absent'" in err


class TestReportAndLint:
    """`report` and `lint` read a journal as they read a file."""

    def test_report(self, capsys: pytest.CaptureFixture[str], url: str, tmp_path: Path) -> None:
        """The report of an imported journal is the report of the portfolio."""
        few = tmp_path / "few.json"
        few.write_text(
            bs.portfolio_to_json(bs.Portfolio(startups=bs.sample_portfolio().startups[:6])),
            encoding="utf-8",
        )
        run(capsys, "journal", "import", str(few), url)

        from_journal = run(capsys, "report", url, "--on", "2026-06-01", "--format", "json")
        from_file = run(capsys, "report", str(few), "--on", "2026-06-01", "--format", "json")
        journal_report = json.loads(from_journal[1])
        file_report = json.loads(from_file[1])

        assert 0 == from_journal[0]
        for section in ("phases", "funnel", "committees", "products"):
            assert file_report[section] == journal_report[section]

    def test_lint_audits_the_journal(self, capsys: pytest.CaptureFixture[str], url: str) -> None:
        """lint shows what the audit finds, whoever wrote it; --fail-on error exits 1."""
        with bs.open_journal(url) as journal:
            funded(journal, "guichet")
            stored = journal.get("guichet")
            overspent = bs.Startup(
                slug="trop",
                title="Trop",
                history=(
                    *stored.history,
                    bs.Spent(on=DAY, amount=ENVELOPE),
                    bs.Spent(on=DAY, amount=Decimal(1)),
                ),
            )
            journal.create(overspent)

        code, out, _ = run(capsys, "lint", url, "--fail-on", "error")

        assert 1 == code
        assert "error    BR-02: 1" in out
        assert "trop: spending 1 €" in out
