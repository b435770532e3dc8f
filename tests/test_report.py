"""`betastate report`: text, JSON, HTML in English or French; its date; 1280 px; no extras."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

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
        """Every phase count of the sample appears, and every section under its title."""
        code, out, _ = run(capsys)
        assert 0 == code
        for phase, n in bs.sample_portfolio().phase_counts(ON).items():
            assert re.search(rf"^  {re.escape(phase)}\s+{n}  ", out, re.MULTILINE), phase
        titles = [_report.TITLES[key]["en"] for key in _report.SECTIONS if key != "summary"]
        lines = out.splitlines()
        assert titles == [line for line in lines if line in titles]
        assert "median (95% CI)" in out

    def test_french(self, capsys):
        """--lang fr writes every title and label in French, numbers the French way."""
        code, out, _ = run(capsys, "--lang", "fr")
        assert 0 == code
        assert out.startswith("rapport betastate : betastate sample : 35 produits, au 2026-06-01")
        for key in _report.SECTIONS:
            if key != "summary":
                assert _report.TITLES[key]["fr"] in out
        assert "médiane (IC 95\u00a0%)" in out or "médiane (IC 95 %)" in out

    def test_one_line_per_product(self, capsys):
        """The text report ends with one line per product: slug, phase on the date, title."""
        code, out, _ = run(capsys)
        lines = out.split("\nEvery product\n", 1)[1].splitlines()
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
        assert target.read_text(encoding="utf-8").startswith(
            "betastate report: betastate sample: 35 products"
        )

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
        last = funnel["perennisation"]
        assert last.exited == data["funnel"][-1]["exited"]
        assert round(last.exited / last.entered, 4) == data["funnel"][-1]["rate"]  # not 0
        assert len(sample) == len(data["products"])
        assert set(_report.SECTIONS) <= set(data)
        assert {"inconclusive", "stopped", "exit"} == set(data["survival"])

    def test_fast_and_impact(self, capsys):
        """The FAST and national-impact sections hold the queries' numbers."""
        _, out, _ = run(capsys, "--format", "json")
        data = json.loads(out)
        sample = bs.sample_portfolio()
        assert len(sample.fast_laureates(ON)) == data["fast"]["laureates"]
        assert [d.slug for d in sample.national_impact(ON)] == [
            d["slug"] for d in data["impact"]["items"]
        ]


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
    """After a plain `pip install .` every format works; only the figures need an extra."""

    @pytest.mark.parametrize("fmt", ["text", "json", "html"])
    def test_graceful(self, fmt):
        """Exit 0, no traceback; durations are there; the HTML says how to get its figures."""
        done = subprocess.run(
            [sys.executable, "-c", NO_EXTRAS, "report", "--on", ON.isoformat(), "--format", fmt],
            capture_output=True,
            text=True,
            check=False,
        )
        assert 0 == done.returncode, done.stderr
        assert "Traceback" not in done.stderr
        if fmt == "html":
            text = html.unescape(done.stdout)
            assert 'figures need matplotlib: pip install "betastate[analytics,plot]"' in text
            assert "data:image/png" not in done.stdout
            assert all(f'<section id="{key}">' in done.stdout for key in _report.SECTIONS)
        if fmt == "json":
            assert ["investigation", "construction", "acceleration", "consolidation"] == list(
                json.loads(done.stdout)["durations"]
            )
        if fmt == "text":
            assert "median (95% CI)" in done.stdout

    @pytest.mark.parametrize("fmt", ["text", "json"])
    def test_no_heavy_import(self, fmt):
        """The text and JSON reports import no heavy library even when all are installed."""
        code = (
            "import sys\n"
            "from betastate._cli.main import main\n"
            f"main(['report', '--format', '{fmt}', '-o', {os.devnull!r}])\n"
            "heavy = ('lifelines', 'matplotlib', 'pandas', 'polars', 'numpy', 'scipy')\n"
            "print([name for name in heavy if name in sys.modules])\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "[]" == done.stdout.strip()


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


class TestDate:
    """The report's date is the data's own date; a date beyond the data gets a warning."""

    def test_default_is_the_data_date(self, capsys):
        """Without --on the report is as of the portfolio's data date, and says so."""
        code = main(["report", "--format", "json"])
        data = json.loads(capsys.readouterr().out)
        sample = bs.sample_portfolio()
        assert 0 == code
        assert (sample.data_date.isoformat(), "data") == (
            data["summary"]["on"],
            data["summary"]["date_from"],
        )
        assert [] == data["warnings"]

    def test_beyond_the_data(self, capsys):
        """--on 2099-01-01 is answered, with a warning on stderr and in the report."""
        code = main(["report", "--on", "2099-01-01"])
        captured = capsys.readouterr()
        data_date = bs.sample_portfolio().data_date.isoformat()
        assert 0 == code
        assert (
            f"betastate: warning: 2099-01-01 is after the data's date ({data_date})" in captured.err
        )
        assert "  ! 2099-01-01 is after the data's date" in captured.out
        main(["report", "--on", "2099-01-01", "--format", "json"])
        warnings = json.loads(capsys.readouterr().out)["warnings"]
        assert [{"code": "beyond-data", "on": "2099-01-01", "data": data_date}] == warnings

    def test_as_of_is_the_old_name_of_on(self, capsys):
        """`--as-of` still works and says it is deprecated."""
        code = main(["report", "--as-of", ON.isoformat(), "--format", "json"])
        captured = capsys.readouterr()
        assert 0 == code
        assert ON.isoformat() == json.loads(captured.out)["summary"]["on"]
        assert "--as-of is deprecated; write --on" in captured.err


class TestForPeople:
    """Numbers and words in the reader's language."""

    @pytest.mark.parametrize(
        ("lang", "value", "expected"),
        [
            ("en", Decimal("1234567.4"), "€1,234,567"),
            ("fr", Decimal("1234567.6"), "1\u202f234\u202f568\u00a0€"),
            ("en", Decimal(999), "€999"),
            ("fr", Decimal(0), "0\u00a0€"),
        ],
    )
    def test_money(self, lang, value, expected):
        """Whole euros, thousands separated as the language writes them."""
        assert expected == _report.money(value, lang)

    def test_spend_line_has_separators(self):
        """The teams section writes the spend range with separators."""
        sample = bs.sample_portfolio()
        members = [
            bs.Member(
                id=f"m{i}",
                domaine="Coaching",
                missions=(
                    bs.Mission(
                        start=dt.date(2020, 1, 1), status="service", startups=(sample.slugs[0],)
                    ),
                ),
            )
            for i in range(20)
        ]
        data = _report.build(bs.Portfolio(sample.startups, members=members), ON)
        text = _report.render_text(data, "en")
        french = _report.render_text(data, "fr")
        assert re.search(r"€\d{1,3},\d{3},\d{3} to €\d{1,3},\d{3},\d{3} excl\. VAT", text)
        assert re.search(r"de \d{1,3}\u202f\d{3}\u202f\d{3}\u00a0€ à \d", french)

    def test_version(self, capsys):
        """`betastate --version` prints the version."""
        assert 0 == main(["--version"])

        assert f"betastate {bs.__version__}" == capsys.readouterr().out.strip()

    def test_html_language(self, tmp_path, capsys):
        """The HTML page declares its language and titles its sections in it."""
        target = tmp_path / "fr.html"
        run(capsys, "--format", "html", "--lang", "fr", "--output", str(target))
        page = target.read_text(encoding="utf-8")
        assert '<html lang="fr">' in page
        assert f"<h2>{html.escape(_report.TITLES['funnel']['fr'])}</h2>" in page


def browser_path() -> str | None:
    return next(
        (
            found
            for name in ("chromium", "chromium-browser", "google-chrome")
            if (found := shutil.which(name))
        ),
        None,
    )


@pytest.fixture(name="browser", scope="session")
def _browser() -> str:
    """A headless Chromium; skips outside CI when absent, fails under CI=true."""
    found = browser_path()
    if found is None:
        message = "chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


PROBE = (
    "<script>addEventListener('load', () => document.body.setAttribute("
    "'data-scroll-width', String(document.documentElement.scrollWidth)));</script>"
)


def scroll_width(browser: str, page: str, folder: Path, width: int = 1280) -> int:
    """The page's `scrollWidth` in a headless browser window ``width`` pixels wide."""
    path = folder / "page.html"
    path.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={folder / 'profile'}",
            f"--window-size={width},900",
            "--hide-scrollbars",
            "--virtual-time-budget=10000",
            "--dump-dom",
            path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    found = re.search(r'data-scroll-width="(\d+)"', done.stdout)
    assert found, done.stderr[-2000:]
    return int(found.group(1))


class TestWidth:
    """The HTML report has no horizontal scroll in a 1280 px window, in French and English."""

    def test_the_probe_sees_an_overflow(self, browser, tmp_path):
        """A page wider than the window measures wider: the check can fail."""
        page = '<!DOCTYPE html><html><body><div style="width:2000px">x</div></body></html>'
        assert scroll_width(browser, page, tmp_path) > 1280

    @pytest.mark.parametrize("lang", ["en", "fr"])
    def test_sample(self, browser, tmp_path, capsys, lang):
        """The sample's report fits 1280 px."""
        target = tmp_path / "report.html"
        run(capsys, "--format", "html", "--lang", lang, "--output", str(target))
        assert scroll_width(browser, target.read_text(encoding="utf-8"), tmp_path) <= 1280

    @pytest.mark.parametrize("lang", ["en", "fr"])
    def test_snapshot(self, browser, snapshot, tmp_path, capsys, lang):
        """The real portfolio's report (662 products, long names and messages) fits 1280 px."""
        target = tmp_path / "report.html"
        code = main(
            ["report", str(snapshot), "--format", "html", "--lang", lang, "-o", str(target)]
        )
        capsys.readouterr()
        assert 0 == code
        assert scroll_width(browser, target.read_text(encoding="utf-8"), tmp_path) <= 1280


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
