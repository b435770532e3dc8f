"""Plots: a Figure each, readable, in English or French, on your axes, nothing clipped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import betastate as bs


matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plot = pytest.importorskip("betastate.plot")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


D = dt.date
ON = D(2026, 6, 1)


def with_team() -> bs.Portfolio:
    sample = bs.sample_portfolio()
    members = [
        bs.Member(
            id=f"m{i}",
            domaine=("Développement", "Design", "Produit", "Coaching")[i % 4],
            missions=(
                bs.Mission(
                    start=D(2023, 1 + i % 12, 1),
                    end=None if i % 3 else D(2025, 6, 30),
                    status=("independent", "admin", "service")[i % 3],
                    startups=(sample.slugs[i % len(sample)],),
                ),
            ),
        )
        for i in range(24)
    ]
    return bs.Portfolio(sample.startups, incubators=sample.incubators, members=members)


def many_groups(n: int = 22) -> bs.Portfolio:
    """A portfolio of ``n`` incubators with a few products each, some stopped."""
    startups = []
    for i in range(n * 3):
        history = [
            bs.PhaseEntered(on=D(2019, 1 + i % 12, 1), phase="investigation"),
            bs.PhaseEntered(on=D(2019 + i % 3, 1 + (i * 5) % 12, 2), phase="construction"),
        ]
        if i % 4 == 0:
            history.append(bs.PhaseEntered(on=D(2023, 1 + i % 12, 3), phase="abandon"))
        startups.append(
            bs.Startup(
                slug=f"p{i:03d}",
                title=f"Product {i} with a rather long name for a label",
                incubator=f"incubator-{i % n:02d}",
                history=history,
            )
        )
    return bs.Portfolio(startups)


@pytest.fixture(name="portfolio", scope="module")
def _portfolio(snapshot: Path) -> bs.Portfolio:
    return bs.load_portfolio(snapshot)


def legend_texts(figure: Figure) -> list[str]:
    (axes,) = figure.axes
    legend = axes.get_legend()
    return [] if legend is None else [text.get_text() for text in legend.get_texts()]


FIGURES = {
    "timeline": lambda p, lang, **kw: plot.timeline(p, ON, lang=lang, **kw),
    "phase_counts": lambda p, lang, **kw: plot.phase_counts(p, D(2020, 1, 1), ON, lang=lang, **kw),
    "phase_counts_by": lambda p, lang, **kw: plot.phase_counts(
        p, D(2020, 1, 1), ON, by="incubator", lang=lang, **kw
    ),
    "funnel": lambda p, lang, **kw: plot.funnel(p, ON, lang=lang, **kw),
    "funnel_by": lambda p, lang, **kw: plot.funnel(p, ON, by="cohort", lang=lang, **kw),
    "survival": lambda p, lang, **kw: plot.survival(p, ON, "stopped", lang=lang, **kw),
    "survival_by": lambda p, lang, **kw: plot.survival(p, ON, by="incubator", lang=lang, **kw),
    "durations": lambda p, lang, **kw: plot.durations(p, ON, lang=lang, **kw),
    "durations_by": lambda p, lang, **kw: plot.durations(p, ON, by="incubator", lang=lang, **kw),
    "team_size": lambda p, lang, **kw: plot.team_size(p, D(2023, 1, 1), ON, lang=lang, **kw),
    "team_size_by": lambda p, lang, **kw: plot.team_size(
        p, D(2023, 1, 1), ON, by="incubator", lang=lang, **kw
    ),
}


def clipped(figure: Figure) -> list[str]:
    """What a saved PNG would cut: the parts of the drawing outside the figure, as text."""
    canvas = FigureCanvasAgg(figure)  # what savefig draws with
    canvas.draw()
    renderer = canvas.get_renderer()
    width, height = figure.get_size_inches()
    out = []
    for axes in figure.axes:
        box = axes.get_tightbbox(renderer)  # everything drawn for these axes, in pixels
        inches = box.transformed(figure.dpi_scale_trans.inverted())
        if (
            inches.x0 < -0.02
            or inches.y0 < -0.02
            or inches.x1 > width + 0.02
            or inches.y1 > height + 0.02
        ):
            out.append(f"{axes.get_title()!r}: {inches.bounds} outside {width}x{height}")
    return out


class TestFigures:
    """Every plot is a Figure with a title, axis labels and a legend, saved as PNG."""

    @pytest.mark.parametrize("name", sorted(FIGURES))
    @pytest.mark.parametrize("lang", ["en", "fr"])
    def test_readable_and_saved(self, name, lang, tmp_path):
        """Title, both axis labels and a legend; nothing clipped; the PNG is written."""
        figure = FIGURES[name](with_team(), lang)
        assert isinstance(figure, Figure)
        (axes,) = figure.axes
        assert axes.get_title()
        assert axes.get_xlabel()
        assert axes.get_ylabel() or name == "funnel"  # the funnel's rows are named
        assert legend_texts(figure)
        assert [] == clipped(figure)
        path = tmp_path / f"{name}-{lang}.png"
        figure.savefig(path, dpi=50)
        assert path.read_bytes().startswith(b"\x89PNG")

    @pytest.mark.parametrize("name", sorted(FIGURES))
    def test_on_your_axes_with_your_title(self, name):
        """`ax=` draws on the axes given (of your figure) and `title=` replaces the title."""
        mine = Figure(figsize=(16, 6), layout="constrained")
        left, right = mine.subplots(1, 2)
        title = "Mine: " + "a long title of my own, " * 4
        figure = FIGURES[name](with_team(), "en", ax=right, title=title)
        assert mine is figure
        assert not left.has_data()
        assert right.has_data() or right.texts
        assert title.split()[:3] == right.get_title().split()[:3]
        assert [] == clipped(figure)

    @pytest.mark.parametrize("name", sorted(FIGURES))
    def test_top_is_accepted_and_checked(self, name):
        """Every plot takes `top=N`; a top that is not a positive int is a InvalidArgument."""
        assert isinstance(FIGURES[name](with_team(), "en", top=2), Figure)
        with pytest.raises(bs.exceptions.InvalidArgument, match="top"):
            FIGURES[name](with_team(), "en", top=0)

    def test_unknown_language(self):
        """Only en and fr are offered."""
        with pytest.raises(bs.exceptions.InvalidArgument, match="'fr'"):
            plot.funnel(bs.sample_portfolio(), ON, lang="de")  # type: ignore[arg-type]


class TestGroups:
    """Past ten groups the styles stay distinct; `top=N` draws the rest as other."""

    def test_styles_distinct_past_ten(self):
        """The first 144 group styles are all different."""
        styles = {
            (s["color"], s["linestyle"], s["marker"])
            for s in (plot.group_style(i) for i in range(144))
        }
        assert 144 == len(styles)

    def test_survival_by_22_incubators(self):
        """22 curves, 22 different styles, a legend beside the axes (not over the curves)."""
        figure = plot.survival(many_groups(), ON, by="incubator")
        axes = figure.axes[0]
        lines = [line for line in axes.get_lines() if line.get_label().startswith("incubator-")]
        assert 22 == len(lines)
        assert 22 == len({(line.get_color(), line.get_linestyle()) for line in lines})
        FigureCanvasAgg(figure).draw()
        legend = axes.get_legend().get_window_extent()
        assert legend.x0 >= axes.get_window_extent().x1
        assert [] == clipped(figure)

    def test_top_merges_the_rest_into_other(self):
        """top=3 keeps the three largest groups and one grey "other" curve of all the rest."""
        portfolio = many_groups()
        figure = plot.survival(portfolio, ON, by="incubator", top=3)
        labels = legend_texts(figure)
        assert 4 == len(labels)
        assert labels[-1].startswith("other (19 groups)")
        everyone = portfolio.survival(ON).n
        assert f"(n={everyone - 3 * 3})" in labels[-1]
        other = next(line for line in figure.axes[0].get_lines() if "other" in line.get_label())
        assert plot.OTHER_COLOUR == matplotlib.colors.to_hex(other.get_color())

    def test_top_on_stacks(self):
        """On a stacked plot, top=2 keeps two phases and stacks the rest as other."""
        figure = plot.phase_counts(bs.sample_portfolio(), D(2020, 1, 1), ON, top=2)
        labels = legend_texts(figure)
        assert 3 == len(labels)
        assert any(label.startswith("other") for label in labels)


class TestDetails:
    """What each plot must show, and must not hide."""

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

    def test_timeline_top_keeps_the_latest(self):
        """top=5 draws the five products started last and says how many there are in all."""
        sample = bs.sample_portfolio()
        figure = plot.timeline(sample, ON, top=5)
        assert 5 == len(figure.axes[0].get_yticklabels())
        assert "of 35 products" in figure.axes[0].get_ylabel()
        with pytest.warns(DeprecationWarning, match="top="):
            old = plot.timeline(sample, ON, limit=5)
        assert [t.get_text() for t in old.axes[0].get_yticklabels()] == [
            t.get_text() for t in figure.axes[0].get_yticklabels()
        ]

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

    def test_funnel_axis_fits_the_bars(self):
        """The x axis ends just past the longest bar (the rates are in the row labels)."""
        figure = plot.funnel(bs.sample_portfolio(), ON)
        widest = max(s.entered for s in bs.sample_portfolio().funnel(ON))
        assert widest <= figure.axes[0].get_xlim()[1] <= widest * 1.05
        labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
        assert all("converted" in label for label in labels)

    def test_durations_show_the_rulebook_maxima(self):
        """Each phase with a maximum duration gets a dashed line there, in years."""
        book = bs.rulebook()
        figure = plot.durations(bs.sample_portfolio(), ON)
        lines = {
            line.get_label(): line.get_xdata()[0]
            for line in figure.axes[0].get_lines()
            if "maximum" in line.get_label()
        }
        expected = {
            p.value: p.max_days / 365.25
            for p in book.phases
            if p.max_days is not None and not p.terminal
        }
        assert len(expected) == len(lines)
        for phase, years in expected.items():
            label = next(k for k in lines if k.startswith(book.phase(phase).label_en + ":"))
            assert years == pytest.approx(lines[label])

    def test_empty_portfolio(self):
        """An empty portfolio gives a figure that says there is nothing to show."""
        figure = plot.timeline(bs.Portfolio([]), ON)
        assert any("nothing" in t.get_text() for t in figure.axes[0].texts)


class TestSnapshot:
    """On the real data: the cases the issue saw clipped or crowded."""

    def test_timeline_top_40_not_clipped(self, portfolio):
        """timeline(top=40) keeps its title and labels inside the figure."""
        assert [] == clipped(plot.timeline(portfolio, top=40))

    def test_survival_by_incubator_not_clipped(self, portfolio):
        """22 incubators: every label inside the figure, the legend beside the axes."""
        figure = plot.survival(portfolio, by="incubator")
        assert [] == clipped(figure)
        assert len(portfolio.survival(by="incubator")) == len(legend_texts(figure))

    def test_team_size_has_no_cliff_at_the_data_date(self, portfolio):
        """No cliff at the data's date: the last month is within 15 % of the year's top."""
        series = portfolio.monthly_team_counts(D(2025, 8, 1))
        totals = [counts.total for counts in series.values()]
        assert totals[-1] >= 0.85 * max(totals)
