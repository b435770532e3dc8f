"""
Forecast benchmark: 10,000 runs x the whole portfolio x 60 months.

Prints, from one run on this machine:
- the time of `Portfolio.forecast(start, months=60, runs=10_000)` end to end
  (histories, calibration, simulation, quantiles, per-product outcomes), with
  the default workers and with one;
- its peak memory: the numpy and Python allocations traced during the call
  (tracemalloc) and the process's resident high-water mark;
- the ratio of its time to drawing the same count of random numbers with
  numpy (uniform doubles from PCG64, in chunks) in the same run.

Targets (issue "Forecast the portfolio"): peak memory <= 1 GB, ratio <= 5x.
Uses the snapshot (../shared/data/betagouv or $BETASTATE_SNAPSHOT) when
`betastate.load_portfolio` can read it, else the bundled sample (said so).
Run: python benchmarks/forecast.py [--runs N] [--months N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import time
import tracemalloc
from pathlib import Path

import numpy as np

import betastate as bs
from betastate import _forecast


START = dt.date(2026, 1, 1)


def portfolio() -> tuple[bs.Portfolio, str]:
    configured = os.environ.get("BETASTATE_SNAPSHOT")
    root = Path(__file__).resolve().parent.parent
    path = Path(configured) if configured else root.parent / "shared" / "data" / "betagouv"
    if (path / "content" / "_startups").is_dir():
        return bs.load_portfolio(path), f"snapshot {path}"
    return bs.sample_portfolio(), "bundled sample (snapshot missing)"


def draws_of(data: bs.Portfolio, months: int, runs: int) -> int:
    """How many random numbers the forecast draws (counted by the simulation itself)."""
    hist = _forecast.histories(data)
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
    return _forecast.simulate(plan, runs, 2026, 1)[3]


def uniform_time(count: int) -> float:
    rng = np.random.Generator(np.random.PCG64(1))
    chunk = 1 << 20
    began = time.perf_counter()
    left = count
    while left > 0:
        rng.random(min(chunk, left))
        left -= chunk
    return time.perf_counter() - began


def best_of(func, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=60)
    args = parser.parse_args()
    data, source = portfolio()
    runs, months = args.runs, args.months

    def run(workers: int | None = None) -> bs.Forecast:
        return data.forecast(START, months=months, runs=runs, seed=2026, workers=workers)

    run()  # warm up: imports, caches
    default_time = best_of(run, repeat=3)
    single_time = best_of(lambda: run(1), repeat=3)
    draws = draws_of(data, months, runs)
    numbers_time = min(uniform_time(draws) for _ in range(3))

    tracemalloc.start()
    run()
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux

    print(f"portfolio: {len(data)} products, {source}")
    print(f"forecast from {START}: {runs} runs x {months} months")
    print(f"  time, default workers: {default_time:8.2f} s")
    print(f"  time, one worker:      {single_time:8.2f} s")
    print(f"  random numbers drawn:  {draws:,} ({numbers_time:.2f} s to draw as many uniforms)")
    print(
        f"  ratio to drawing them: {default_time / numbers_time:.1f}x "
        f"(one worker: {single_time / numbers_time:.1f}x; target <= 5x)"
    )
    print(
        f"  peak memory: {traced / 2**20:.0f} MiB traced in the call, "
        f"{rss / 2**20:.0f} MiB resident high-water mark (target <= 1 GB)"
    )


if __name__ == "__main__":
    main()
