"""Fan charts and backtest plots: a panel per phase, titled, labelled, in English or French."""

from __future__ import annotations

import datetime as dt

import pytest

import betastate as bs
from betastate._analytics import forecast as _forecast


matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plot = pytest.importorskip("betastate.plot")

D = dt.date
START = D(2025, 1, 1)


@pytest.fixture(name="result", scope="module")
def _result() -> bs.Forecast:
    return bs.sample_portfolio().forecast(START, months=24, runs=300, seed=1, by="incubator")


def visible(figure) -> list:
    return [ax for ax in figure.axes if ax.get_visible()]


def legend(figure) -> list[str]:
    return [text.get_text() for text in figure.legends[0].get_texts()]


class TestFanChart:
    def test_one_panel_per_phase(self, result, tmp_path):
        figure = plot.forecast(result, bs.sample_portfolio())
        panels = visible(figure)
        assert [bs.rulebook().phase(p).label_en for p in result.phases] == [
            ax.get_title() for ax in panels
        ]
        assert figure.get_suptitle().startswith("Forecast from 2025-01-01 (300 runs")
        assert ["90 % band", "50 % band", "median forecast", "recorded"] == legend(figure)
        assert "products" == panels[0].get_ylabel()
        figure.savefig(tmp_path / "fan.png")
        assert (tmp_path / "fan.png").read_bytes()[:4] == b"\x89PNG"

    def test_recorded_line_follows_the_data(self, result):
        """With the portfolio, each panel's black line is the recorded monthly count."""
        sample = bs.sample_portfolio()
        figure = plot.forecast(result, sample, phases=["abandon"], history=12)
        (panel,) = visible(figure)
        (line,) = [ln for ln in panel.get_lines() if ln.get_color() == "black"]
        counts = sample.monthly_phase_counts(D(2024, 1, 1), D(2026, 12, 1))
        recorded = [counts[d]["abandon"] for d in counts]
        # From 12 months before the start to the last phase change recorded (2026-06-06).
        assert 30 == len(line.get_ydata())
        assert recorded[:30] == [int(v) for v in line.get_ydata()]

    def test_subset_group_french(self, result):
        figure = plot.forecast(
            result,
            phases=["construction", "acceleration"],
            group=min(result.groups),
            lang="fr",
        )
        assert ["Construction", "Accélération"] == [ax.get_title() for ax in visible(figure)]
        assert "bande à 90 %" in legend(figure)
        assert figure.get_suptitle().endswith(min(result.groups))

    def test_bad_phases_and_group(self, result):
        with pytest.raises(bs.InvalidArgument) as caught:
            plot.forecast(result, phases=["build"])
        assert "phases" == caught.value.argument
        with pytest.raises(bs.InvalidArgument):
            plot.forecast(result, phases="construction")
        with pytest.raises(bs.InvalidArgument) as caught:
            plot.forecast(result, group="nowhere")
        assert "group" == caught.value.argument
        with pytest.raises(ValueError, match="lang"):
            plot.forecast(result, lang="de")


class TestBacktestPlot:
    def test_panels_and_naive_lines(self, tmp_path):
        sample = bs.sample_portfolio()
        (check,) = _forecast.backtests(sample, [D(2023, 1, 1)], D(2026, 1, 1), runs=200, seed=1)
        figure = plot.backtest(check)
        assert len(check.phases) == len(visible(figure))
        assert [
            "90 % band",
            "50 % band",
            "median forecast",
            "recorded",
            "carry forward",
            "12-month trend",
        ] == legend(figure)
        assert figure.get_suptitle().startswith("Backtest: calibrated up to 2023-01-01")
        figure.savefig(tmp_path / "backtest.png")
        assert (tmp_path / "backtest.png").stat().st_size > 10_000
