"""
Analytics benchmark: monthly phase counts, 2013-01 to 2026-12, over the snapshot.

Prints, from one run on this machine:
- the vectorised query `Portfolio.monthly_phase_counts` (one timeline per
  product, swept with bisection over the 168 month starts), on a fresh
  portfolio (timelines computed) and again (timelines kept with the
  portfolio, as every later query finds them);
- the naive recomputation: `Lifecycle().state(startup, on=month)` for every
  month and every product (the as-of projection the library also offers);
- their ratio, and whether both give the same numbers.

Target (issue "Portfolio analytics"): >= 20x faster than naive.
Uses the snapshot (../shared/data/betagouv or $BETASTATE_SNAPSHOT) when
`betastate.load_portfolio` can read it, else the bundled sample (said so).
Run: python benchmarks/analytics.py
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from pathlib import Path

import betastate as bs
from betastate._analytics.queries import month_starts


START, END = dt.date(2013, 1, 1), dt.date(2026, 12, 1)


def portfolio() -> tuple[bs.Portfolio, str]:
    configured = os.environ.get("BETASTATE_SNAPSHOT")
    root = Path(__file__).resolve().parent.parent
    path = Path(configured) if configured else root.parent / "shared" / "data" / "betagouv"
    load = getattr(bs, "load_portfolio", None)
    if load is not None and (path / "content" / "_startups").is_dir():
        return load(path), f"snapshot {path}"
    return bs.sample_portfolio(), "bundled sample (snapshot or load_portfolio missing)"


def best_of(func, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - began)
    return best, result


def main() -> None:
    data, source = portfolio()
    months = month_starts(START, END)
    lifecycle = bs.Lifecycle()

    def fast():
        return data.monthly_phase_counts(START, END)

    def fresh():
        return bs.Portfolio(data.startups).monthly_phase_counts(START, END)

    def grouped():
        return bs.Portfolio(data.startups, incubators=data.incubators).yearly_phase_counts(
            START, END, by="incubator"
        )

    def cohorts():
        return bs.Portfolio(data.startups).funnel(END, by="cohort")

    def naive():
        out = {}
        for on in months:
            counts = Counter(lifecycle.state(startup, on).phase for startup in data)
            counts.pop(None, None)
            out[on] = dict(counts)
        return out

    fresh_time, _ = best_of(fresh, repeat=7)
    fast_time, fast_result = best_of(fast, repeat=7)
    grouped_time, _ = best_of(grouped, repeat=5)
    cohorts_time, _ = best_of(cohorts, repeat=5)
    naive_time, naive_result = best_of(naive, repeat=1)
    same = all({k: v for k, v in fast_result[on].items() if v} == naive_result[on] for on in months)
    print(f"portfolio: {len(data)} products, {source}")
    print(f"monthly phase counts {START:%Y-%m}..{END:%Y-%m} ({len(months)} dates)")
    print(f"  vectorised, fresh portfolio (timelines computed): {fresh_time * 1000:9.1f} ms")
    print(f"  vectorised, timelines kept with the portfolio:     {fast_time * 1000:9.1f} ms")
    print(f"  naive (Lifecycle.state per date, per product):     {naive_time * 1000:9.1f} ms")
    print(
        f"  ratio: {naive_time / fresh_time:.0f}x faster from a fresh portfolio "
        f"(target >= 20x); same numbers: {same}"
    )
    print(f"yearly counts by incubator, fresh portfolio: {grouped_time * 1000:9.1f} ms")
    print(f"funnel by cohort, fresh portfolio:           {cohorts_time * 1000:9.1f} ms")


if __name__ == "__main__":
    main()
