"""Notebooks: HTML views of a startup and a portfolio, and docs/tour.ipynb executed end to end."""

from __future__ import annotations

import base64
import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import pytest

import betastate as bs


DOCS = Path(__file__).resolve().parent.parent / "docs"


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def parse(markup: str) -> _Text:
    parser = _Text()
    parser.feed(markup)
    return parser


class TestReprHtml:
    """`_repr_html_` of a startup and a portfolio."""

    def test_startup(self):
        """Title, current phase label, spans and every event, escaped."""
        startup = bs.Startup(
            slug="x",
            title="<Tom & Jerry>",
            incubator="atelier",
            history=(
                bs.PhaseEntered(on=dt.date(2024, 1, 1), phase="investigation"),
                bs.PhaseEntered(on=dt.date(2024, 3, 1), phase="construction"),
                bs.Note(on=dt.date(2024, 4, 1), comment="<script>alert(1)</script>"),
            ),
        )
        view = parse(startup._repr_html_())
        text = "".join(view.text)
        assert "<Tom & Jerry>" in text  # shown as text, not markup
        assert "script" not in view.tags
        assert "Construction" in text
        assert "running" in text
        assert text.count("2024-03-01") == 3  # span end, span start, event

    def test_running_span_counts_days_as_of_the_state(self):
        """A running span's days run to the lifecycle's as-of date (today), not the last event."""
        startup = bs.Startup(
            slug="x",
            title="X",
            history=(bs.PhaseEntered(on=dt.date(2025, 1, 6), phase="investigation"),),
        )
        expected = (bs.Lifecycle().as_of(startup) - dt.date(2025, 1, 6)).days

        cells = [cell.strip() for cell in parse(startup._repr_html_()).text]

        assert str(expected) in cells

    def test_portfolio(self):
        """Counts by phase label for the sample, and the size."""
        sample = bs.sample_portfolio()
        text = "".join(parse(sample._repr_html_()).text)
        assert f"{len(sample)} products" in text
        for phase in bs.rulebook().phases:
            assert (phase.label_en in text) == any(
                bs.Lifecycle().phase(s) == phase.value for s in sample
            )

    def test_findings_listed(self):
        """Findings are counted by code."""
        portfolio = bs.Portfolio(
            [], findings=[bs.Finding("N8", bs.Severity.WARNING, None, "m")] * 2
        )
        text = "".join(parse(portfolio._repr_html_()).text)
        assert "N8" in text
        assert "2 findings" in text


class TestTour:
    """docs/tour.ipynb runs top to bottom and shows its figures."""

    def test_executes(self):
        """Every cell runs without error; at least six figures come out as PNG."""
        nbformat = pytest.importorskip("nbformat")
        nbclient = pytest.importorskip("nbclient")
        pytest.importorskip("ipykernel")
        pytest.importorskip("matplotlib")
        pytest.importorskip("lifelines")
        notebook = nbformat.read(DOCS / "tour.ipynb", as_version=4)
        client = nbclient.NotebookClient(
            notebook,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(DOCS)}},
        )
        client.execute()
        images = [
            output["data"]["image/png"]
            for cell in notebook.cells
            if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if "image/png" in output.get("data", {})
        ]
        assert len(images) >= 6
        assert all(base64.b64decode(image).startswith(b"\x89PNG") for image in images)
        errors = [
            output
            for cell in notebook.cells
            for output in cell.get("outputs", [])
            if output.get("output_type") == "error"
        ]
        assert [] == errors
