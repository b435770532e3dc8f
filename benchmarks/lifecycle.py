"""
Lifecycle benchmarks: cost of a phase change through the public API.

Prints, from one run on this machine:
- one accepted phase change through `Lifecycle.apply` (investigation → construction);
- the same move as a bare trigger on a shared `transitions` machine;
- a plain dict lookup (the floor);
- memory for 10,000 startups with 10 events each.

Targets (issue "Core"): public API <= 5x the bare trigger; memory ≤ 50 MB.
Run: python benchmarks/lifecycle.py
"""

from __future__ import annotations

import datetime as dt
import gc
import timeit
import tracemalloc
from decimal import Decimal

from transitions import Machine

import betastate as bs


def best_per_call(stmt, number: int, repeat: int = 7) -> float:
    """Best of `repeat` timings, in seconds per call (the least noisy estimate)."""
    return min(timeit.repeat(stmt, number=number, repeat=repeat)) / number


def public_api() -> float:
    lifecycle = bs.Lifecycle()
    startup = bs.Startup(slug="bench", title="Bench")
    startup = lifecycle.apply(
        startup, bs.Advance(on=dt.date(2025, 1, 6), to="investigation", by=bs.Role.SPONSOR)
    ).startup
    command = bs.Advance(
        on=dt.date(2025, 3, 10),
        to="construction",
        by=bs.Role.SPONSOR,
        sponsor_budget_line=Decimal(180000),
    )
    outcome = lifecycle.apply(startup, command)
    assert lifecycle.phase(outcome.startup) == "construction"
    return best_per_call(lambda: lifecycle.apply(startup, command), number=5_000)


class _Model:
    state = "investigation"


def bare_trigger() -> float:
    book = bs.rulebook("betagouv")
    machine = Machine(
        model=None,
        states=list(book.phase_values),
        initial="investigation",
        auto_transitions=False,
    )
    for transition in book.transitions:
        for source in transition.sources:
            machine.add_transition(
                transition.trigger, source, None if transition.internal else transition.dest
            )
    model = _Model()
    machine.add_model(model)

    def move() -> None:
        model.state = "investigation"
        model.trigger("construct")

    move()
    assert model.state == "construction"
    return best_per_call(move, number=20_000)


def dict_lookup() -> float:
    table = {("investigation", "construction"): "T01"}
    key = ("investigation", "construction")
    return best_per_call(lambda: table[key], number=200_000)


def memory_10k() -> tuple[float, int]:
    """Bytes for 10,000 startups x 10 events, built as an app would hold them."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    base = dt.date(2020, 1, 1)
    phases = ("investigation", "construction", "acceleration", "consolidation", "transfere")
    startups = []
    for n in range(10_000):
        events: list[bs.Event] = []
        for k in range(10):
            day = base + dt.timedelta(days=n % 300 + 40 * k)
            if k % 2 == 0:
                events.append(bs.PhaseEntered(on=day, phase=phases[k // 2]))
            else:
                events.append(bs.CommitteeHeld(on=day, decision=bs.Decision.CONTINUE))
        startups.append(bs.Startup(slug=f"startup-{n}", title=f"Startup {n}", history=events))
    portfolio = bs.Portfolio(startups=startups)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used, sum(len(s.history) for s in portfolio)


def main() -> None:
    api = public_api()
    bare = bare_trigger()
    lookup = dict_lookup()
    print("One accepted phase change (investigation -> construction)")
    print(f"  public API (Lifecycle.apply):        {api * 1e6:8.2f} us")
    print(f"  bare transitions trigger:            {bare * 1e6:8.2f} us")
    print(f"  plain dict lookup:                   {lookup * 1e6:8.3f} us")
    print(f"  ratio public API / bare trigger:     {api / bare:8.2f}x   (target <= 5x)")
    print(f"  ratio public API / dict lookup:      {api / lookup:8.0f}x")
    used, events = memory_10k()
    print("Memory")
    print(f"  10,000 startups, {events:,} events: {used / 2**20:8.1f} MB   (target <= 50 MB)")


if __name__ == "__main__":
    main()
