"""The ``betastate lint`` and ``betastate schema`` commands, and folders given to ``report``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import betastate
from betastate._cli.common import load_any
from betastate._cli.main import main

from .utils import invented_checkout


FIXTURES = invented_checkout()
JSONAPI = Path(__file__).parent / "data" / "jsonapi" / "startups.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


class TestLint:
    """Findings grouped by code, as text or JSON, with an exit code to fail CI."""

    def test_text_groups(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Each code appears once with its count, errors first, with file:line examples."""
        code, out = run(capsys, "lint", str(FIXTURES), "--on", "2026-08-20")
        portfolio = betastate.load_portfolio(FIXTURES, as_of=dt.date(2026, 8, 20))
        counts: dict[str, int] = {}
        for finding in portfolio.findings:
            counts[finding.code] = counts.get(finding.code, 0) + 1

        assert 0 == code
        headers = [line for line in out.splitlines() if line[:1].isalpha() and ": " in line]
        assert len(counts) == len(headers) - 1  # the first line is the summary
        assert headers[1].startswith("error")
        assert "warning  DUR-MAX: 4 in 3 products" in out
        assert "guichet-unique.md:15  guichet-unique: phase 'hibernation'" in out
        assert "... and 1 more" in out

    def test_as_of_is_the_old_name_of_on(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`--as-of` still works, says it is deprecated, and gives what `--on` gives."""
        old = main(["lint", str(FIXTURES), "--as-of", "2026-08-20"])
        captured = capsys.readouterr()
        new = run(capsys, "lint", str(FIXTURES), "--on", "2026-08-20")

        assert (old, captured.out) == new
        assert "--as-of is deprecated; write --on" in captured.err

    def test_json(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--format json gives the counts and every finding as betastate JSON."""
        code, out = run(capsys, "lint", str(FIXTURES), "--format", "json")
        payload = json.loads(out)

        assert 0 == code
        assert 4 == payload["products"]
        assert sum(payload["counts"].values()) == len(payload["findings"])
        findings = [betastate.from_data(f, betastate.Finding) for f in payload["findings"]]
        assert betastate.load_portfolio(FIXTURES).findings == tuple(findings)

    @pytest.mark.parametrize(("fail_on", "expected"), [("never", 0), ("error", 1), ("warning", 1)])
    def test_fail_on(self, capsys: pytest.CaptureFixture[str], fail_on: str, expected: int) -> None:
        """--fail-on error|warning exits 1 when such findings exist."""
        code, _ = run(capsys, "lint", str(FIXTURES), "--fail-on", fail_on)

        assert expected == code

    def test_fail_on_clean(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A clean product passes --fail-on warning (info findings do not fail)."""
        folder = tmp_path / "_startups"
        folder.mkdir()
        (folder / "propre.md").write_text(
            "---\ntitle: Propre\nmission: Rien à signaler\nincubator: x\ncontact: a@b.c\n"
            "sponsors:\n  - /organisations/x\nphases:\n  - name: investigation\n"
            "    start: 2026-01-05\n---\n",
            encoding="utf-8",
        )

        code, out = run(capsys, "lint", str(folder), "--fail-on", "warning")

        assert 0 == code, out

    def test_bad_path(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A folder that is no checkout exits 2 with the fix on stderr."""
        code = main(["lint", str(tmp_path)])

        assert 2 == code
        assert "content/_startups" in capsys.readouterr().err

    def test_snapshot_counts(self, capsys: pytest.CaptureFixture[str], snapshot: Path) -> None:
        """On the snapshot, lint reports the 340 empty links and exits 1 on errors."""
        code, out = run(
            capsys, "lint", str(snapshot), "--no-missions", "--fail-on", "error", "--format", "json"
        )

        assert 1 == code
        assert 340 == json.loads(out)["counts"]["empty-link"]


class TestSchema:
    """``betastate schema`` prints the JSON Schema."""

    def test_prints_schema(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The output is the JSON of betastate.json_schema()."""
        code, out = run(capsys, "schema")

        assert 0 == code
        assert betastate.json_schema() == json.loads(out)


class TestLoadAny:
    """``report`` and ``lint`` accept folders and the JSON:API export."""

    def test_folder(self) -> None:
        """A checkout folder loads through load_portfolio."""
        assert 4 == len(load_any(FIXTURES))
        assert 4 == len(load_any(FIXTURES / "content" / "_startups"))

    def test_jsonapi_file(self) -> None:
        """The site's startups.json loads through load_jsonapi."""
        assert ("carnet-de-bord", "velo-partage") == load_any(JSONAPI).slugs

    def test_betastate_json(self, tmp_path: Path) -> None:
        """betastate JSON still loads as before."""
        path = tmp_path / "p.json"
        path.write_text(betastate.portfolio_to_json(betastate.load_portfolio(FIXTURES)), "utf-8")

        assert betastate.load_portfolio(FIXTURES) == load_any(path)
