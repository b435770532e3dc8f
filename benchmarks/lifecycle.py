"""
Lifecycle benchmarks: cost of a phase change through the public API.

Prints, from one run on this machine:
- one accepted phase change through `Lifecycle.apply` (investigation → construction);
- the same move as a bare trigger on a shared `transitions` machine;
- a plain dict lookup (the floor);
- memory for 10,000 startups with 10 events each.

Targets (issue "Core"): public API <= 5x the bare trigger; memory ≤ 50 MB.

Part 2 (issue "Investment committees..."): 100,000 random valid commands
(committees with phase changes, budget publications, grants, spending) over 1,000 products, applied
through `Lifecycle.apply`: commands per second, and the ratio of one command to
the bare dict lookup above.

Run: python benchmarks/lifecycle.py
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import time
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
        startup,
        bs.Advance(
            on=dt.date(2025, 1, 6),
            to="investigation",
            by=bs.Role.SPONSOR,
            co_deciders=["incubator"],
        ),
    ).startup
    # The move is decided at a committee held that day (rule N1).
    committee = bs.Record(event=bs.CommitteeHeld(on=dt.date(2025, 3, 10)), by=bs.Role.SPONSOR)
    startup = lifecycle.apply(startup, committee).startup
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


# -- part 2: committees, grants, spending -------------------------------------

TEAM = tuple(
    bs.Actor(role=role)
    for role in ("intrapreneur", "sponsor", "incubator", "portfolio-manager", "coach")
)
# Phase decided at the committee of each cycle (the rest keep the phase).
PHASE_AT_CYCLE = {0: "construction", 2: "acceleration", 5: "consolidation"}


def product_commands(rng: random.Random, n: int, count: int) -> list[bs.Command]:
    """`count` valid commands for one product: cycles of committee, publication, grant, spending."""
    day = dt.date(2020, 1, 6) + dt.timedelta(days=rng.randint(0, 700))
    commands: list[bs.Command] = [
        bs.Advance(on=day, to="investigation", by=bs.Role.SPONSOR, co_deciders=["incubator"])
    ]
    cycle = 0
    cost = Decimal(40)
    while len(commands) < count:
        day += dt.timedelta(days=rng.randint(1, 5))
        # Cost per use improves every cycle (BR-10) and stays positive over long histories.
        cost -= Decimal(rng.randint(1, 3)) / 100
        commands.append(
            bs.HoldCommittee(
                on=day,
                by=bs.Role.SPONSOR,
                decision="continue",
                attendees=TEAM,
                phase_change=PHASE_AT_CYCLE.get(cycle),
                sponsor_budget_line=Decimal(180000) if cycle == 0 else None,
                criteria=("ENT-CSL-1", "ENT-CSL-2", "ENT-CSL-4"),
                grants=[bs.Grant(source="sponsor", amount=Decimal(rng.randint(80, 200) * 1000))],
                impact=bs.ImpactReading(monthly_active_users=1000 * (cycle + 1), cost_per_use=cost),
            )
        )
        commands.append(
            bs.PublishBudget(
                on=day, by=bs.Role.INTRAPRENEUR, url=f"https://p{n}.example.org/budget"
            )
        )
        commands.append(
            bs.GrantFunds(
                on=day + dt.timedelta(days=1),
                by=bs.Role.SPONSOR,
                grants=[bs.Grant(source="sponsor", amount=Decimal(rng.randint(5, 30) * 1000))],
            )
        )
        # Spending inside the 6-month period the committee opened (or the one before).
        spend_days = sorted(rng.randint(2, 140) for _ in range(7))
        commands.extend(
            bs.Spend(
                on=day + dt.timedelta(days=offset),
                by=bs.Role.INTRAPRENEUR,
                amount=Decimal(rng.randint(50000, 500000)) / 100,
                label=f"bon de commande {n}-{cycle}-{k}",
            )
            for k, offset in enumerate(spend_days)
        )
        day += dt.timedelta(days=rng.randint(141, 150))
        cycle += 1
    return commands[:count]


def many_commands(products: int = 1_000, per_product: int = 100) -> tuple[float, int, int]:
    """Seconds to apply products x per_product commands, round robin; (time, commands, warnings)."""
    rng = random.Random(20261129)
    lifecycle = bs.Lifecycle()
    scripts = [product_commands(rng, n, per_product) for n in range(products)]
    startups = [bs.Startup(slug=f"produit-{n}", title=f"Produit {n}") for n in range(products)]
    order = [n for k in range(per_product) for n in range(products) if k < len(scripts[n])]
    cursor = [0] * products
    warnings = 0
    started = time.perf_counter()
    for n in order:
        outcome = lifecycle.apply(startups[n], scripts[n][cursor[n]])
        startups[n] = outcome.startup
        warnings += len(outcome.warnings)
        cursor[n] += 1
    elapsed = time.perf_counter() - started
    states = [lifecycle.state(s) for s in startups]
    assert all(state.phase == "consolidation" for state in states)
    assert all(e.spent <= e.granted for state in states for e in state.envelopes)
    return elapsed, len(order), warnings


def history_scaling(short: int = 10, long: int = 1_000) -> tuple[float, float, int, int]:
    """
    One cycle of commands (committee, publication, grant, seven spends) applied to a startup
    with about ``short`` events, and the same kinds of command to one with about ``long``.

    Returns (seconds per cycle short, seconds per cycle long, events short, events long).
    """
    # The long history runs years ahead of today: a fixed clock keeps BS-HORIZON out of it.
    lifecycle = bs.Lifecycle(clock=lambda: dt.date(2099, 1, 1))
    script = product_commands(random.Random(7), 0, 1 + 10 * (long // 10 + 3))

    def grown(prefix: int) -> bs.Startup:
        startup = bs.Startup(slug="long-history", title="Long history")
        for command in script[:prefix]:
            startup = lifecycle.apply(startup, command).startup
        return startup

    def cycle_cost(prefix: int) -> tuple[float, int]:
        startup = grown(prefix)
        lifecycle.state(startup)  # as a back-office holds it: read, then decided on
        cycle = script[prefix : prefix + 10]

        def run() -> None:
            current = startup
            for command in cycle:  # each on the startup the one before returned
                current = lifecycle.apply(current, command).startup

        return best_per_call(run, number=200), len(startup.history)

    # Prefixes end on a cycle boundary (the first Advance, then cycles of ten commands).
    short_cost, short_events = cycle_cost(1 + 10 * max(short // 11, 1))
    long_cost, long_events = cycle_cost(1 + 10 * (long // 11))
    return short_cost, long_cost, short_events, long_events


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
    short_cost, long_cost, short_events, long_events = history_scaling()
    print("A command's cost against the length of the history (one cycle of 10 commands)")
    for events, cost in ((short_events, short_cost), (long_events, long_cost)):
        print(f"  on {events:>5} events:            {cost / 10 * 1e6:8.1f} us a command")
    print(f"  ratio long / short:                  {long_cost / short_cost:8.2f}x   (target <= 2x)")
    elapsed, commands, warnings = many_commands()
    per_command = elapsed / commands
    print("Committees, grants, spending, phase changes (random, all valid)")
    print(f"  {commands:,} commands over 1,000 products: {elapsed:8.2f} s ({warnings:,} warnings)")
    print(f"  commands per second:                 {commands / elapsed:8.0f}")
    print(f"  per command:                         {per_command * 1e6:8.1f} us")
    print(f"  ratio per command / dict lookup:     {per_command / lookup:8.0f}x")


if __name__ == "__main__":
    main()
