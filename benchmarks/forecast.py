"""
Forecast benchmark: 10,000 runs x the whole portfolio x 60 months.

Prints, from one run on this machine:
- the time of `Portfolio.forecast(start, months=60, runs=10_000)` end to end
  (histories, calibration, simulation, quantiles, per-product outcomes), with
  the default workers (up to 2 threads) and with one, wall clock and CPU (the
  products' timelines, which other queries share, are read once per
  portfolio: the first call, which reads them, is printed on its own);
- the time of the simulation alone (`_forecast.simulate`, one thread);
- the ratio of each to drawing as many random numbers as the simulation
  draws (uniform doubles from numpy's PCG64, in chunks), measured in the same
  rounds: rounds are interleaved and the median of the paired ratios is
  printed, which a shared machine disturbs least;
- the peak memory: numpy and Python allocations traced during one call
  (tracemalloc) and the process's resident high-water mark.

Targets (issue "Forecast the portfolio"): peak memory <= 1 GB, ratio <= 5x.
Uses the snapshot (../shared/data/betagouv or $BETASTATE_SNAPSHOT), else the
bundled sample (said so). Run: python benchmarks/forecast.py [--runs N] [--rounds N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np

import betastate as bs
from betastate._analytics import forecast as _forecast


START = dt.date(2026, 1, 1)


def portfolio() -> tuple[bs.Portfolio, str]:
    configured = os.environ.get("BETASTATE_SNAPSHOT")
    root = Path(__file__).resolve().parent.parent
    path = Path(configured) if configured else root.parent / "shared" / "data" / "betagouv"
    if (path / "content" / "_startups").is_dir():
        return bs.load_portfolio(path), f"snapshot {path}"
    return bs.sample_portfolio(), "bundled sample (snapshot missing)"


def timed(func) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    data, source = portfolio()
    runs, months = args.runs, args.months
    wall = time.perf_counter()
    hist = _forecast.histories(data)  # the first call reads every product's timeline
    histories_time = time.perf_counter() - wall
    fit = _forecast.fit(hist, START, 36, 24)
    plan = _forecast.make_plan(
        hist,
        fit,
        start=START,
        months=months,
        within=months,
        entries=None,
        uncertain=True,
        by_group=False,
    )
    draws = _forecast.simulate(plan, runs, 2026, 1)[3]

    def forecast(workers: int | None = None) -> None:
        data.forecast(START, months=months, runs=runs, seed=2026, workers=workers)

    def simulation() -> None:
        _forecast.simulate(plan, runs, 2026, 1)

    def numbers() -> None:
        rng = np.random.Generator(np.random.PCG64(1))
        left, chunk = draws, 1 << 20
        while left > 0:
            rng.random(min(chunk, left))
            left -= chunk

    forecast()  # warm up: imports, the compiled step, the histories
    rows: dict[str, list[tuple[float, float]]] = {k: [] for k in ("default", "one", "sim", "rng")}
    for _ in range(args.rounds):
        rows["default"].append(timed(forecast))
        rows["one"].append(timed(lambda: forecast(1)))
        rows["sim"].append(timed(simulation))
        rows["rng"].append(timed(numbers))

    def median(key: str, index: int) -> float:
        return statistics.median(row[index] for row in rows[key])

    def ratio(key: str, index: int) -> float:
        return statistics.median(
            a[index] / b[index] for a, b in zip(rows[key], rows["rng"], strict=True)
        )

    tracemalloc.start()
    forecast()
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux

    print(f"portfolio: {len(data)} products, {source}; load average {os.getloadavg()[0]:.1f}")
    print(f"forecast from {START}: {runs} runs x {months} months, {args.rounds} rounds (medians)")
    print(f"random numbers drawn: {draws:,}; drawing as many uniforms: {median('rng', 0):.3f} s")
    print(f"histories, first call (reads the portfolio's timelines): {histories_time:.3f} s")
    print("                                wall      cpu   ratio wall   ratio cpu  (target <= 5x)")
    for key, label in (
        ("default", "forecast, default workers"),
        ("one", "forecast, one worker"),
        ("sim", "simulation alone, one worker"),
    ):
        print(
            f"  {label:<28} {median(key, 0):6.2f} s {median(key, 1):6.2f} s"
            f" {ratio(key, 0):10.1f}x {ratio(key, 1):10.1f}x"
        )
    print(
        f"peak memory: {traced / 2**20:.0f} MiB traced in the call, "
        f"{rss / 2**20:.0f} MiB resident high-water mark (target <= 1 GB)"
    )


if __name__ == "__main__":
    main()
