"""
The cost of ``import betastate`` in a fresh interpreter, against its own dependencies.

Baseline: a fresh interpreter importing what betastate itself needs at
import time (``attrs``, ``decimal``, ``datetime``, ``enum``, ``re``,
``typing``) and nothing else. Measured: a fresh interpreter importing
``betastate``. Both are timed inside the child (``time.perf_counter``
around the import statement), interleaved, best of ROUNDS each, so the
ratio is the library's own cost over the unavoidable one. Target: under
0.3 s absolute on an idle machine, which the ratio makes checkable on a
busy one.

Run: ``python benchmarks/imports.py``.
"""

from __future__ import annotations

import subprocess
import sys


ROUNDS = 11
TIMER = "import time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"
BASELINE = "import attrs, decimal, datetime, enum, re, typing"
MEASURED = "import betastate"


def timed(statement: str) -> float:
    out = subprocess.run(  # noqa: S603  (our own interpreter, fixed statements)
        [sys.executable, "-c", TIMER.format(statement)], capture_output=True, text=True, check=True
    )
    return float(out.stdout)


def main() -> None:
    base: list[float] = []
    measured: list[float] = []
    for _ in range(ROUNDS):
        base.append(timed(BASELINE))
        measured.append(timed(MEASURED))
    best_base, best = min(base), min(measured)
    print(f"baseline (its dependencies) {best_base * 1000:8.1f} ms")
    print(f"import betastate            {best * 1000:8.1f} ms")
    print(f"ratio                       {best / best_base:8.2f}x")
    print(f"absolute target 300 ms: {'met' if best < 0.3 else 'NOT met'}")


if __name__ == "__main__":
    main()
