"""
The report's speed, in one run: against loading the same data, and against no extras.

Prints, from interleaved rounds on this machine (each measure a fresh child
process, so that interpreter start and imports count as a user sees them):

1. ``betastate report SNAPSHOT`` (text) against a child that only runs
   ``betastate.load_portfolio(SNAPSHOT)``: the report must cost at most
   2x the load (target <= 2.0).
2. ``betastate report`` on the bundled sample (text, then JSON) with the
   extras installed, against the same command with the extras blocked
   (``sys.modules[name] = None`` for lifelines, matplotlib, pandas,
   polars, numpy and scipy, as after a plain ``pip install betastate``):
   target <= 1.5.

Each time is the child's CPU time (user + system, from ``getrusage``), the
measure least disturbed by other work on a shared machine; wall times are
printed too. Ratios are the median of the per-round ratios (the rounds
interleave, so both sides of a ratio see the same neighbours).

Run: ``python benchmarks/report.py [SNAPSHOT]`` (default: ../shared/data/betagouv).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


ROUNDS = 7
BLOCKED = ("lifelines", "matplotlib", "pandas", "polars", "numpy", "scipy")
NO_EXTRAS = (
    "import sys\n"
    f"for name in {BLOCKED!r}:\n"
    "    sys.modules[name] = None  # as after a plain `pip install betastate`\n"
    "from betastate._cli.main import main\n"
    "raise SystemExit(main(sys.argv[1:]))\n"
)
WITH_EXTRAS = (
    "import sys\nfrom betastate._cli.main import main\nraise SystemExit(main(sys.argv[1:]))\n"
)
LOAD = "import sys, betastate\nbetastate.load_portfolio(sys.argv[1])\n"


def child(code: str, *args: str) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of ``python -c code args`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(  # noqa: S603  (our own interpreter and code)
        [sys.executable, "-c", code, *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def compare(name: str, measured: tuple[str, ...], baseline: tuple[str, ...], target: float) -> bool:
    """Interleaved rounds of two commands; prints both and their ratio; True if within target."""
    child(*measured)  # warm the file cache and compiled bytecode once
    child(*baseline)
    rows = [(child(*measured), child(*baseline)) for _ in range(ROUNDS)]
    cpu_ratio = statistics.median(m[0] / b[0] for m, b in rows)
    wall_ratio = statistics.median(m[1] / b[1] for m, b in rows)
    best_m = min(m[0] for m, _ in rows)
    best_b = min(b[0] for _, b in rows)
    ok = cpu_ratio <= target
    print(f"{name}")
    median_m = statistics.median(m[0] for m, _ in rows)
    median_b = statistics.median(b[0] for _, b in rows)
    print(f"  measured  CPU best {best_m:6.3f} s, median {median_m:6.3f} s")
    print(f"  baseline  CPU best {best_b:6.3f} s, median {median_b:6.3f} s")
    print(
        f"  ratio (median of {ROUNDS} paired rounds): CPU {cpu_ratio:.2f}, wall {wall_ratio:.2f}"
        f"  (target <= {target}: {'met' if ok else 'NOT met'})"
    )
    return ok


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    configured = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BETASTATE_SNAPSHOT")
    snapshot = Path(configured) if configured else root.parent / "shared" / "data" / "betagouv"
    results = []
    if (snapshot / "content" / "_startups").is_dir():
        results.append(
            compare(
                f"1. report {snapshot} (text) vs load_portfolio of the same data",
                (WITH_EXTRAS, "report", str(snapshot), "-o", os.devnull),
                (LOAD, str(snapshot)),
                2.0,
            )
        )
    else:
        print(f"1. skipped: no snapshot at {snapshot}")
    results.extend(
        compare(
            f"2. report on the sample ({fmt}) with the extras vs without them",
            (WITH_EXTRAS, "report", "--format", fmt, "-o", os.devnull),
            (NO_EXTRAS, "report", "--format", fmt, "-o", os.devnull),
            1.5,
        )
        for fmt in ("text", "json")
    )
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
