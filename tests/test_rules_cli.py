"""``betastate rules`` (list, lint) and ``--rulebook`` on report and lint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import betastate as bs
from betastate._cli.main import main

from .utils import invented_checkout


BUILTIN = Path(bs.__file__).parent / "_rules" / "presets" / "betagouv.toml"
FIXTURES = invented_checkout()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def variant(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    """A copy of the built-in file under another name, with ``edits`` applied."""
    text = BUILTIN.read_text(encoding="utf-8").replace('name = "betagouv"', f'name = "{name}"')
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


class TestRulesList:
    def test_text(self, capsys):
        """The presets are listed with their size and languages."""
        code, out, _ = run(capsys, "rules", "list")

        assert 0 == code
        assert "betagouv  beta.gouv.fr startups d'État: 8 phases" in out
        assert "labels in fr, en" in out
        assert "govuk" in out

    def test_json(self, capsys):
        """--format json gives one record per preset, each loadable by name."""
        code, out, _ = run(capsys, "rules", "list", "--format", "json")
        rows = json.loads(out)

        assert 0 == code
        assert ["betagouv", "govuk"] == [row["name"] for row in rows]
        for row in rows:
            assert row["phases"] == len(bs.rulebook(row["name"]).phases)


class TestRulesLint:
    def test_a_clean_preset(self, capsys):
        """A preset lints clean and exits 0."""
        code, out, _ = run(capsys, "rules", "lint", "govuk")

        assert 0 == code
        assert "govuk loads: 0 errors, 0 warnings, 0 notes" in out

    def test_every_problem_at_once(self, capsys, tmp_path):
        """A broken file lists every problem with its key and fix, and exits 1."""
        path = variant(
            tmp_path,
            "casse",
            ("max_days = 548", "max_days = 200"),
            ("\nspend = [", "\nspnd = ["),
            ("envelope_months = 6", "envelope_months = -6"),
        )
        code, out, _ = run(capsys, "rules", "lint", str(path))

        assert 1 == code
        assert "does not load: 4 errors" in out
        for key in (
            "phases[1] (value 'construction').typical_days",
            "permissions.spnd",
            "permissions.spend",
            "thresholds.envelope_months",
        ):
            assert key in out
        assert out.count("    fix: ") == out.count("\nerror ")

    def test_json(self, capsys, tmp_path):
        """--format json says whether the file loads and gives each problem's fields."""
        path = variant(tmp_path, "casse", ("max_days = 548", "max_days = 200"))
        code, out, _ = run(capsys, "rules", "lint", str(path), "--format", "json")
        payload = json.loads(out)

        assert 1 == code
        assert payload["loads"] is False
        assert {"code", "severity", "key", "message", "fix"} == set(payload["problems"][0])
        assert "typical-above-max" == payload["problems"][0]["code"]

    def test_warnings_fail_only_when_asked(self, capsys, tmp_path):
        """A warning (a rule nothing yields) exits 0 by default, 1 with --fail-on warning."""
        path = variant(
            tmp_path,
            "bavard",
            ("[rules.DUR-MAX]", '[rules.LOCAL-UNUSED]\nseverity = "warning"\n\n[rules.DUR-MAX]'),
        )

        assert 0 == run(capsys, "rules", "lint", str(path))[0]
        assert 1 == run(capsys, "rules", "lint", str(path), "--fail-on", "warning")[0]
        assert "unused-rule" in run(capsys, "rules", "lint", str(path), "--fail-on", "never")[1]

    def test_a_missing_file(self, capsys, tmp_path):
        """A file that does not exist exits 2 with one line on standard error."""
        code, out, err = run(capsys, "rules", "lint", str(tmp_path / "absent.toml"))

        assert 2 == code
        assert "" == out
        assert "no such rulebook file" in err

    def test_syntax_error(self, capsys, tmp_path):
        """A file that is not TOML is one toml-syntax problem."""
        path = tmp_path / "broken.toml"
        path.write_text("[rulebook\n", encoding="utf-8")
        code, out, _ = run(capsys, "rules", "lint", str(path))

        assert 1 == code
        assert "toml-syntax" in out


class TestRulebookOption:
    def test_report_uses_the_rulebook_named(self, capsys, tmp_path):
        """report --rulebook FILE reports under that rulebook."""
        path = variant(tmp_path, "ministere")
        code, out, _ = run(capsys, "report", "--rulebook", str(path), "--format", "json")

        assert 0 == code
        assert "ministere" == json.loads(out)["summary"]["rulebook"]

    def test_report_takes_a_preset_name(self, capsys):
        """report --rulebook NAME takes a built-in name."""
        code, out, _ = run(capsys, "report", "--rulebook", "govuk", "--format", "json")

        assert 0 == code
        assert "govuk" == json.loads(out)["summary"]["rulebook"]

    def test_lint_reads_with_the_rulebook_named(self, capsys, tmp_path):
        """lint --rulebook FILE reads the data with its severities (DUR-MAX off: no finding)."""
        path = variant(
            tmp_path,
            "sans-duree",
            ('[rules.DUR-MAX]\nseverity = "warning"', '[rules.DUR-MAX]\nseverity = "off"'),
        )

        assert "DUR-MAX" in run(capsys, "lint", str(FIXTURES))[1]
        code, out, _ = run(capsys, "lint", str(FIXTURES), "--rulebook", str(path))
        assert 0 == code
        assert "DUR-MAX" not in out

    @pytest.mark.parametrize("command", ["report", "lint"])
    def test_a_bad_rulebook_exits_2(self, capsys, tmp_path, command):
        """An invalid --rulebook is one error line naming the key, exit 2."""
        path = variant(tmp_path, "casse", ("\nspend = [", "\nspnd = ["))
        argv = [command, str(FIXTURES)] if command == "lint" else [command]
        code, _, err = run(capsys, *argv, "--rulebook", str(path))

        assert 2 == code
        assert "permissions.spnd" in err
