"""`betastate report`: text, JSON and a self-contained HTML page; graceful without extras."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

import betastate as bs
from betastate._cli import report as _report
from betastate._cli.main import main


ON = dt.date(2026, 6, 1)
NO_EXTRAS = (
    "import sys\n"
    "for name in ('lifelines', 'matplotlib', 'pandas', 'polars', 'numpy', 'scipy'):\n"
    "    sys.modules[name] = None  # as after a plain `pip install .`\n"
    "from betastate._cli.main import main\n"
    "raise SystemExit(main(sys.argv[1:]))\n"
)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["report", "--on", ON.isoformat(), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


class TestText:
    """The terminal summary: counts, funnel, durations, committees, findings."""

    def test_counts_and_sections(self, capsys):
        """Every phase count of the sample appears, with the funnel and durations."""
        code, out, _ = run(capsys)
        assert 0 == code
        for phase, n in bs.sample_portfolio().phase_counts(ON).items():
            assert re.search(rf"^  {re.escape(phase)}\s+{n}$", out, re.MULTILINE), phase
        for heading in ("Products by phase", "Funnel", "Committee cadence", "Findings"):
            assert heading in out
        if _has("lifelines"):
            assert "Time in phase (Kaplan-Meier median" in out

    def test_one_line_per_product(self, capsys):
        """The text report ends with one line per product: slug, phase on the date, title."""
        code, out, _ = run(capsys)
        lines = out.split("\nProducts\n", 1)[1].splitlines()
        sample = bs.sample_portfolio()
        phases = {s.slug: bs.Lifecycle().state(s, on=ON).phase for s in sample}

        assert 0 == code
        assert len(sample) == len(lines)
        for line in lines:
            slug, phase = line.split()[:2]
            assert phases[slug] == phase
            assert line.rstrip().endswith(sample[slug].title)

    def test_output_file(self, tmp_path, capsys):
        """--output writes the file and says so on stderr."""
        target = tmp_path / "report.txt"
        code, out, err = run(capsys, "--output", str(target))
        assert (0, "") == (code, out)
        assert str(target) in err
        assert target.read_text(encoding="utf-8").startswith("betastate report: 35 products")

    def test_bad_path(self, tmp_path, capsys):
        """A missing input is one error line and exit code 2, no traceback."""
        code, _, err = run(capsys, str(tmp_path / "nope.json"))
        assert 2 == code
        assert err.startswith("betastate: error:")
        assert "Traceback" not in err


class TestJson:
    """JSON for tools holds the same numbers as the API."""

    def test_numbers(self, capsys):
        """Counts, funnel and products agree with Portfolio queries."""
        code, out, _ = run(capsys, "--format", "json")
        data = json.loads(out)
        sample = bs.sample_portfolio()
        assert 0 == code
        assert ON.isoformat() == data["summary"]["on"]
        assert sample.phase_counts(ON) == {row["phase"]: row["n"] for row in data["phases"]}
        funnel = {step.name: step for step in sample.funnel(ON)}
        for row in data["funnel"]:
            step = funnel[row["step"]]
            assert (step.entered, step.advanced, step.stopped, step.running) == (
                row["entered"],
                row["advanced"],
                row["stopped"],
                row["running"],
            )
        assert None is data["funnel"][-1]["rate"]  # nothing to advance to after the last step
        assert len(sample) == len(data["products"])
        assert set(_report.SECTIONS) <= set(data)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections: list[str] = []
        self.images: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "section":
            self.sections.append(attributes["id"])
        if tag == "img":
            self.images.append(attributes["src"])
        for key in ("src", "href"):
            if (attributes.get(key) or "").startswith(("http", "//")):
                self.external.append(attributes[key])


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


class TestHtml:
    """One self-contained file: every section, at least four embedded figures."""

    def test_sections_and_figures(self, tmp_path, capsys):
        """Every section is there; >= 4 images are inline PNG; nothing is fetched."""
        pytest.importorskip("matplotlib")
        pytest.importorskip("lifelines")
        target = tmp_path / "report.html"
        code, _, _ = run(capsys, "--format", "html", "--output", str(target))
        assert 0 == code
        page = target.read_text(encoding="utf-8")
        tags = _Tags()
        tags.feed(page)
        assert list(_report.SECTIONS) == tags.sections
        assert len(tags.images) >= 4
        for src in tags.images:
            assert src.startswith("data:image/png;base64,")
            assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG")
        assert [] == tags.external

    def test_team_figure_with_missions(self):
        """With members' missions the teams section gets its figure and a spend range."""
        pytest.importorskip("matplotlib")
        sample = bs.sample_portfolio()
        portfolio = bs.Portfolio(
            sample.startups,
            members=[
                bs.Member(
                    id="m1",
                    domaine="Design",
                    missions=(bs.Mission(start=dt.date(2025, 1, 1), status="independent"),),
                )
            ],
        )
        data = _report.build(portfolio, ON)
        assert {"independent": 1} == data["teams"]["on_mission"]
        assert int(data["teams"]["spend_last_12_months"]["low_eur"]) > 0
        assert "teams" in _report.figures(portfolio, ON)


class TestWithoutExtras:
    """After a plain `pip install .` every format works and says how to get the rest."""

    @pytest.mark.parametrize("fmt", ["text", "json", "html"])
    def test_graceful(self, fmt):
        """Exit 0, no traceback, a note naming the extras to install."""
        done = subprocess.run(
            [sys.executable, "-c", NO_EXTRAS, "report", "--on", ON.isoformat(), "--format", fmt],
            capture_output=True,
            text=True,
            check=False,
        )
        assert 0 == done.returncode, done.stderr
        assert "Traceback" not in done.stderr
        text = html.unescape(done.stdout).replace('\\"', '"')  # HTML and JSON escape quotes
        assert 'pip install "betastate[analytics,plot]"' in text
        if fmt == "html":
            assert "data:image/png" not in done.stdout
            assert all(f'<section id="{key}">' in done.stdout for key in _report.SECTIONS)
        if fmt == "json":
            assert None is json.loads(done.stdout)["durations"]


class TestProgress:
    """The loading progress bar."""

    def test_draws_to_the_end(self):
        """A large input is drawn up to 100 % and the line is ended."""
        stream = io.StringIO()
        bar = _report.ProgressBar(stream, force=True)
        for done in range(1, 401):
            bar(done, 400)
        text = stream.getvalue()
        assert text.endswith("400/400 files [#########################] 100%\n")
        assert 101 == text.count("\r")  # redrawn once per percent (0..100)

    def test_quiet_for_small_inputs_and_pipes(self):
        """Under `min_total` files, or not on a terminal, nothing is written."""
        stream = io.StringIO()
        _report.ProgressBar(stream, force=True)(5, 10)
        _report.ProgressBar(stream)(300, 400)  # a StringIO is not a terminal
        assert "" == stream.getvalue()


class TestSnapshot:
    """The report reads the real snapshot folder."""

    def test_json_counts(self, snapshot, capsys):
        """Counts in the JSON report equal the API's on the snapshot."""
        code, out, _ = run(capsys, str(snapshot), "--format", "json")
        assert 0 == code
        data = json.loads(out)
        assert 662 == data["summary"]["products"]
        assert bs.load_portfolio(snapshot).phase_counts(ON) == {
            r["phase"]: r["n"] for r in data["phases"]
        }
