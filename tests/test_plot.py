"""Plots: a Figure each, readable (title, axis labels, legend), in English or French."""

from __future__ import annotations

import datetime as dt

import pytest

import betastate as bs


matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plot = pytest.importorskip("betastate.plot")
from matplotlib.figure import Figure  # noqa: E402


D = dt.date
ON = D(2026, 6, 1)


def with_team() -> bs.Portfolio:
    sample = bs.sample_portfolio()
    slug = sample.slugs[0]
    members = [
        bs.Member(
            id=f"m{i}",
            domaine="Développement",
            missions=(
                bs.Mission(
                    start=D(2023, 1 + i % 12, 1),
                    end=None if i % 3 else D(2025, 6, 30),
                    status=("independent", "admin", "service")[i % 3],
                    startups=(slug,),
                ),
            ),
        )
        for i in range(12)
    ]
    return bs.Portfolio(sample.startups, members=members)


def legend_texts(figure: Figure) -> list[str]:
    (axes,) = figure.axes
    legend = axes.get_legend()
    return [] if legend is None else [text.get_text() for text in legend.get_texts()]


FIGURES = {
    "timeline": lambda p, lang: plot.timeline(p, ON, lang=lang),
    "phase_counts": lambda p, lang: plot.phase_counts(p, D(2020, 1, 1), ON, lang=lang),
    "funnel": lambda p, lang: plot.funnel(p, ON, lang=lang),
    "survival": lambda p, lang: plot.survival(p, ON, "stop", lang=lang),
    "durations": lambda p, lang: plot.durations(p, ON, lang=lang),
    "team_size": lambda p, lang: plot.team_size(p, D(2023, 1, 1), ON, lang=lang),
}


class TestFigures:
    """Every plot is a Figure with a title, axis labels and a legend, saved as PNG."""

    @pytest.mark.parametrize("name", sorted(FIGURES))
    @pytest.mark.parametrize("lang", ["en", "fr"])
    def test_readable_and_saved(self, name, lang, tmp_path):
        """Title, both axis labels and a legend; the PNG is written."""
        if name in {"survival", "durations"}:
            pytest.importorskip("lifelines")
        figure = FIGURES[name](with_team(), lang)
        assert isinstance(figure, Figure)
        (axes,) = figure.axes
        assert axes.get_title()
        assert axes.get_xlabel()
        assert axes.get_ylabel() or name == "funnel"  # the funnel's rows are named
        assert legend_texts(figure)
        path = tmp_path / f"{name}-{lang}.png"
        figure.savefig(path, dpi=50)
        assert path.read_bytes().startswith(b"\x89PNG")

    def test_phase_labels_follow_language(self):
        """Legends use the rulebook's label_en / label_fr (latest stage on top)."""
        book = bs.rulebook()
        english = legend_texts(plot.phase_counts(bs.sample_portfolio(), D(2020, 1, 1), ON))
        french = legend_texts(
            plot.phase_counts(bs.sample_portfolio(), D(2020, 1, 1), ON, lang="fr")
        )
        ranked = sorted(book.phases, key=lambda p: p.rank)
        assert [p.label_en for p in reversed(ranked)] == english
        assert [p.label_fr for p in reversed(ranked)] == french
        assert (
            "Produits"
            in plot.phase_counts(bs.sample_portfolio(), D(2020, 1, 1), ON, lang="fr")
            .axes[0]
            .get_title()
        )

    def test_timeline_one_bar_row_per_product(self):
        """The timeline names each started product once, oldest first."""
        sample = bs.sample_portfolio()
        figure = plot.timeline(sample, ON)
        names = [t.get_text() for t in figure.axes[0].get_yticklabels()]
        started = [s for s in sample if s.history and min(e.on for e in s.history) <= ON]
        assert len(started) == len(names)
        assert len(set(names)) == len(names)

    def test_timeline_colours_by_phase(self):
        """Each phase's bars carry that phase's colour."""
        figure = plot.timeline(bs.sample_portfolio(), ON)
        containers = figure.axes[0].containers
        by_label = {c.get_label(): c for c in containers}
        construction = by_label["Construction"]
        assert (
            matplotlib.colors.to_hex(construction.patches[0].get_facecolor())
            == plot.PHASE_COLOURS["construction"]
        )

    def test_funnel_bars_add_up(self):
        """The segments of each funnel bar add up to the products that entered the step."""
        figure = plot.funnel(bs.sample_portfolio(), ON)
        steps = bs.sample_portfolio().funnel(ON)
        widths = [0.0] * len(steps)
        for container in figure.axes[0].containers:
            for row, patch in enumerate(container.patches):
                widths[row] += patch.get_width()
        assert [s.entered for s in steps] == widths

    def test_empty_portfolio(self):
        """An empty portfolio gives a figure that says there is nothing to show."""
        figure = plot.timeline(bs.Portfolio([]), ON)
        assert any("nothing" in t.get_text() for t in figure.axes[0].texts)

    def test_unknown_language(self):
        """Only en and fr are offered."""
        with pytest.raises(ValueError, match="'fr'"):
            plot.funnel(bs.sample_portfolio(), ON, lang="de")
