"""
How the forecast's defaults were chosen: validation on horizons that end by 2023-01-01.

For each calibration window and entry window, forecast from five cut-offs
(2020-01-01, 2020-07-01, 2021-01-01, 2021-07-01, 2022-01-01) to 2023-01-01
and compare with the snapshot, month by month and phase by phase: the share
of counts inside the 90 % band, and the median's summed mean absolute error
relative to the better of the two naive forecasts (carry forward, 12-month
trend). Nothing after 2023-01-01 is compared, so the backtest from
2023-01-01 (issue 15's acceptance) stays a test the defaults were not fitted to.

Also prints, for the calibration up to 2026-01-01, how far the model's
survival in each phase (piecewise-constant hazards) is from the Kaplan-Meier
estimate on the same spells.

Run: python tools/forecast_validation.py [--runs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
from pathlib import Path

import numpy as np
from lifelines import KaplanMeierFitter

import betastate as bs
from betastate._analytics import forecast as _forecast


END = dt.date(2023, 1, 1)
CUTS = [dt.date(2020, 1, 1), dt.date(2020, 7, 1), dt.date(2021, 1, 1), dt.date(2021, 7, 1),
        dt.date(2022, 1, 1)]  # fmt: skip


def snapshot() -> bs.Portfolio:
    configured = os.environ.get("BETASTATE_SNAPSHOT")
    root = Path(__file__).resolve().parent.parent
    path = Path(configured) if configured else root.parent / "shared" / "data" / "betagouv"
    return bs.load_portfolio(path)


def validation(portfolio: bs.Portfolio, runs: int) -> None:
    hist = _forecast.histories(portfolio)
    print("window  entries  mean in 90%  mean in 50%  median MAE / best naive  cut-offs won")
    for window, entry_window in itertools.product([None, 24, 36, 48], [12, 24, 36]):
        cover90, cover50, ratios, wins = [], [], [], 0
        for cut in CUTS:
            months = (END.year - cut.year) * 12 + END.month - cut.month
            result = _forecast.forecast(
                portfolio, cut, months=months, runs=runs, seed=2026, window=window,
                entry_window=entry_window, hist=hist,
            )  # fmt: skip
            check = _forecast._backtest(result, portfolio, END, hist)  # noqa: SLF001
            cover90.append(check.coverage[90])
            cover50.append(check.coverage[50])
            best = min(check.total("carry"), check.total("trend"))
            ratios.append(check.total("median") / best)
            wins += check.beats_naive
        label = "all" if window is None else str(window)
        print(
            f"{label:>6}  {entry_window:>7}  {np.mean(cover90):>11.2f}  {np.mean(cover50):>11.2f}"
            f"  {np.mean(ratios):>23.2f}  {wins:>7} of {len(CUTS)}"
        )


def survival_fit(portfolio: bs.Portfolio) -> None:
    start = dt.date(2026, 1, 1)
    hist = _forecast.histories(portfolio)
    fit = _forecast.fit(hist, start, 36, 24)
    rate = fit.pooled_rate
    cutoff, low = start.toordinal(), _forecast.add_months(start, -36).toordinal()
    print(
        "\nphase            spells  exits  max |model - Kaplan-Meier|  inside its 95 % band"
        "  (window 36 months)"
    )
    for i, phase in enumerate(fit.phases):
        if fit.terminal[i]:
            continue
        keep = (hist.span_phase == i) & (hist.span_start <= cutoff) & (hist.span_next > low)
        begin, following = hist.span_start[keep], hist.span_next[keep]
        end = np.minimum(following, cutoff)
        entry = np.maximum(low - begin, 0)
        observed = following <= cutoff
        kmf = KaplanMeierFitter().fit(end - begin, observed, entry=entry)
        times = kmf.survival_function_.index.to_numpy(dtype=float)
        lam = rate[i][fit.merged[i]]
        edges = fit.edges
        k = np.searchsorted(edges, times, side="right") - 1
        hazard = np.concatenate([[0.0], np.cumsum(lam[:-1] * np.diff(edges))])
        model = np.exp(-(hazard[k] + lam[k] * (times - edges[k])))
        # Left truncation: both curves are conditional on surviving to the earliest entry.
        gap = np.abs(model - kmf.survival_function_.to_numpy()[:, 0])
        band = kmf.confidence_interval_.to_numpy()
        inside = np.mean((band[:, 0] <= model + 1e-12) & (model <= band[:, 1] + 1e-12))
        print(
            f"{phase:<15}  {int(keep.sum()):>6}  {int(observed.sum()):>5}  {gap.max():>26.3f}"
            f"  {inside:>20.0%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    portfolio = snapshot()
    validation(portfolio, args.runs)
    survival_fit(portfolio)


if __name__ == "__main__":
    main()
