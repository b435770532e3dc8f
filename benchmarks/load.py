"""
Loading the real portfolio: betastate vs a bare C-loader parse of the same files.

Baseline: read each ``content/_startups/*.md``, split off its front matter
and parse it with PyYAML's ``CSafeLoader``, nothing else. Measured: the
time of ``betastate.load_portfolio(snapshot)`` for products only
(``missions=False``; incubators and organisations are a few dozen small
files) and with missions, each divided by the baseline. Target: <= 1.5 for
products. Times are the process's CPU time (``time.process_time``), best
of interleaved rounds, so that other work on a shared machine disturbs the
ratio as little as possible. Also prints peak memory (tracemalloc).

betastate parses with the C parser and a leaner constructor that builds the
same values as ``CSafeLoader`` (tests/test_load_yaml.py); a line shows that
step alone, so the cost of modelling and checking is the difference.

Run: ``python benchmarks/load.py [SNAPSHOT]`` (default: ../shared/data/betagouv).
"""

from __future__ import annotations

import datetime as dt
import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import yaml

import betastate
from betastate._io import frontmatter as _frontmatter


ROUNDS = 15


def baseline(folder: Path) -> int:
    count = 0
    for path in sorted(folder.glob("*.md")):
        text = path.read_bytes().decode("utf-8")
        start = text.index("\n") + 1
        end = text.index("\n---", start - 1)
        yaml.load(text[start : end + 1], Loader=yaml.CSafeLoader)  # the safe C loader
        count += 1
    return count


def our_yaml(folder: Path) -> int:
    """The same files through betastate's front-matter reader (C parser, leaner constructor)."""
    count = 0
    for path in sorted(folder.glob("*.md")):
        _frontmatter.parse_text(path.read_bytes().decode("utf-8"), str(path))
        count += 1
    return count


def best(function, rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return min(times)


def peak(function) -> int:
    gc.collect()
    tracemalloc.start()
    function()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


def main() -> None:
    root = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else (Path(__file__).resolve().parents[2] / "shared" / "data" / "betagouv")
    )
    folder = root / "content" / "_startups"
    as_of = dt.date(2026, 8, 20)

    def products() -> betastate.Portfolio:
        return betastate.load_portfolio(root, missions=False, as_of=as_of)

    def everything() -> betastate.Portfolio:
        return betastate.load_portfolio(root, as_of=as_of)

    files = baseline(folder)
    products()  # warm caches (rulebook, imports)
    # Interleave the rounds so that a busy machine slows both sides alike; the
    # median of the paired ratios is steadier than the ratio of the minimums.
    base = only = float("inf")
    paired = []
    for _ in range(ROUNDS):
        round_base = best(lambda: baseline(folder), rounds=1)
        round_only = best(products, rounds=1)
        paired.append(round_only / round_base)
        base, only = min(base, round_base), min(only, round_only)
    full = best(everything, rounds=3)
    parse = best(lambda: our_yaml(folder))
    print(f"files: {files} products, best of {ROUNDS} rounds")
    print(f"baseline  read + CSafeLoader front matter : {base * 1000:8.1f} ms")
    print(
        f"load_portfolio, products only        : {only * 1000:8.1f} ms  ratio {only / base:5.2f} "
        "(target <= 1.5)"
    )
    print(
        f"  median of the {ROUNDS} paired rounds' ratios       : {statistics.median(paired):5.2f}"
    )
    print(
        f"load_portfolio, with missions         : {full * 1000:8.1f} ms  ratio {full / base:5.2f}"
    )
    print(
        f"(betastate's front-matter parse alone: {parse * 1000:8.1f} ms  ratio {parse / base:5.2f})"
    )
    print(
        f"peak memory: baseline {peak(lambda: baseline(folder)) / 1e6:6.1f} MB, "
        f"products {peak(products) / 1e6:6.1f} MB, with missions {peak(everything) / 1e6:6.1f} MB"
    )


if __name__ == "__main__":
    main()
