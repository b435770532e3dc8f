"""
Journal benchmarks: what storing startups costs, against baselines measured in the same run.

Prints (issue "The journal"), each as a ratio of medians over interleaved rounds:
1. commands per second through `journal.apply` on a SQLite file, against raw sqlite3
   single-row INSERT transactions of the same payload bytes with the same pragmas
   (target >= 0.5x); also with synchronous=normal, where the disk no longer hides the CPU;
2. applying a command at 1,000 events against at 10 events, in memory (`Lifecycle.apply`)
   and through the journal (target <= 2x);
3. `get` of a 1,000-event startup (cold: a new process would read the snapshot and the rows;
   warm: the journal's cache) against `from_data` of its JSON (target <= 1.5x);
4. the same on PostgreSQL, for information, when $BETASTATE_BENCH_POSTGRES (or
   $BETASTATE_TEST_POSTGRES) names a server: a schema is created and dropped.

Run: python benchmarks/journal.py [--quick]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import betastate as bs
from betastate.journal import Journal


QUICK = "--quick" in sys.argv
ROUNDS = 5 if QUICK else 15
BATCH = 20 if QUICK else 60
TEAM = tuple(
    bs.Actor(role=role)
    for role in ("intrapreneur", "sponsor", "incubator", "portfolio-manager", "coach")
)
PHASES = {0: "construction", 2: "acceleration", 5: "consolidation"}


def commands(seed: int):
    """An endless valid script for one product: committees, publications, grants, spending."""
    rng = random.Random(seed)
    day = dt.date(2020, 1, 6)
    yield bs.Advance(on=day, to="investigation", by=bs.Role.SPONSOR)
    cycle = 0
    while True:
        day += dt.timedelta(days=rng.randint(1, 5))
        yield bs.HoldCommittee(
            on=day,
            by=bs.Role.SPONSOR,
            decision="continue",
            attendees=TEAM,
            phase_change=PHASES.get(cycle),
            sponsor_budget_line=Decimal(180_000) if cycle == 0 else None,
            criteria=("ENT-CSL-1", "ENT-CSL-2", "ENT-CSL-4"),
            grants=[bs.Grant(source="sponsor", amount=Decimal(rng.randint(300, 400) * 1000))],
            impact=bs.ImpactReading(monthly_active_users=1000 * (cycle + 1)),
        )
        yield bs.PublishBudget(on=day, by=bs.Role.INTRAPRENEUR, url="https://example.org/b")
        yield bs.GrantFunds(
            on=day + dt.timedelta(days=1),
            by=bs.Role.SPONSOR,
            grants=[bs.Grant(source="sponsor", amount=Decimal(rng.randint(5, 30) * 1000))],
        )
        for offset in sorted(rng.randint(2, 140) for _ in range(7)):
            yield bs.Spend(
                on=day + dt.timedelta(days=offset),
                by=bs.Role.INTRAPRENEUR,
                amount=Decimal(rng.randint(50_000, 500_000)) / 100,
                label=f"bon de commande {cycle}-{offset}",
            )
        day += dt.timedelta(days=rng.randint(141, 150))
        cycle += 1


def script(events: int, seed: int = 1) -> list[bs.Command]:
    """The first commands of `commands(seed)` that make at least `events` events."""
    lifecycle = bs.Lifecycle()
    startup = bs.Startup(slug="bench", title="Bench")
    chosen = []
    for command in commands(seed):
        if len(startup.history) >= events:
            return chosen
        startup = lifecycle.apply(startup, command).startup
        chosen.append(command)
    raise AssertionError


def tick(startup: bs.Startup) -> bs.Spend:
    """A 1 € spend on the last event's date: valid on every history `script` makes."""
    return bs.Spend(on=startup.last_event_date, by=bs.Role.INTRAPRENEUR, amount=1, label="bench")


def median_ratio(numerator: list[float], denominator: list[float]) -> float:
    return statistics.median(numerator) / statistics.median(denominator)


def per_call(call: Callable[[], Any], number: int) -> float:
    started = time.perf_counter()
    for _ in range(number):
        call()
    return (time.perf_counter() - started) / number


# -- 1. throughput against raw sqlite3 ----------------------------------------------------------


def stored_payload(journal: Journal, slug: str) -> str:
    """The bytes the journal stores for the latest event of `slug` (a Spent)."""
    version = journal.version(slug)
    with journal._recorder.reading() as tx:  # noqa: SLF001  (the bytes as stored)
        return tx.rows(slug, version - 1)[0].payload


def throughput(folder: str, synchronous: str) -> tuple[float, float]:
    """
    Commands per second: journal.apply, and raw single-row INSERT transactions.

    The commands go round 50 startups of about 12 events, as in a back-office, so that
    the engine's cost of a long history (measured below) does not weigh on this ratio.
    """
    url = f"sqlite://{folder}/apply-{synchronous}.db?synchronous={synchronous}"
    journal = bs.open_journal(url)
    ticks = {}
    for n in range(50):
        slug = f"flux-{n}"
        startup = bs.Startup(slug=slug, title=f"Flux {n}")
        journal.create(startup)
        for command in script(12, seed=n):
            startup = journal.apply(slug, command).startup
        ticks[slug] = tick(startup)
    journal.apply("flux-0", ticks["flux-0"])
    payload = stored_payload(journal, "flux-0")
    raw = sqlite3.connect(f"{folder}/raw-{synchronous}.db", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute(f"PRAGMA synchronous={synchronous}")
    raw.execute("PRAGMA busy_timeout=30000")
    raw.execute("CREATE TABLE events (position INTEGER PRIMARY KEY, payload TEXT NOT NULL)")

    def insert() -> None:
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO events (payload) VALUES (?)", (payload,))
        raw.execute("COMMIT")

    order = list(ticks.items())
    cursor = iter(range(10**9))

    def apply() -> None:
        slug, command = order[next(cursor) % len(order)]
        journal.apply(slug, command)

    mine, theirs = [], []
    for _ in range(ROUNDS):
        theirs.append(1 / per_call(insert, BATCH))
        mine.append(1 / per_call(apply, BATCH))
    journal.close()
    raw.close()
    return statistics.median(mine), statistics.median(theirs)


# -- 2. cost of a command at 10 and at 1,000 events ---------------------------------------------


def in_memory_growth() -> tuple[float, float, int, int]:
    lifecycle = bs.Lifecycle()
    small = bs.Startup(slug="petit", title="Petit")
    for command in script(10):
        small = lifecycle.apply(small, command).startup
    big = bs.Startup(slug="grand", title="Grand")
    for command in script(1000):
        big = lifecycle.apply(big, command).startup
    at_small, at_big = [], []
    for _ in range(ROUNDS):
        at_small.append(per_call(lambda: lifecycle.apply(small, tick(small)), BATCH * 5))
        at_big.append(per_call(lambda: lifecycle.apply(big, tick(big)), BATCH * 5))
    return (
        statistics.median(at_small),
        statistics.median(at_big),
        len(small.history),
        len(big.history),
    )


def journal_growth(journal: Journal) -> tuple[float, float, int, int]:
    """Seconds per apply on a 10-event and on a 1,000-event stream of one journal."""
    sizes = {}
    for slug, events in (("petit", 10), ("grand", 1000)):
        journal.create(bs.Startup(slug=slug, title=slug.title()))
        for command in script(events):
            journal.apply(slug, command)
        sizes[slug] = journal.version(slug)
    small_tick = tick(journal.get("petit"))
    big_tick = tick(journal.get("grand"))
    at_small, at_big = [], []
    for _ in range(ROUNDS):
        at_small.append(per_call(lambda: journal.apply("petit", small_tick), BATCH))
        at_big.append(per_call(lambda: journal.apply("grand", big_tick), BATCH))
    return (
        statistics.median(at_small),
        statistics.median(at_big),
        sizes["petit"],
        sizes["grand"],
    )


# -- 3. get against from_data ------------------------------------------------------------------


def get_costs(journal: Journal, slug: str) -> tuple[float, float, float]:
    """Seconds: from_data of the startup's JSON, get with a cold cache, get warm."""
    startup = journal.get(slug)
    text = json.dumps(bs.to_data(startup))
    assert bs.from_data(json.loads(text), bs.Startup) == startup

    def cold() -> bs.Startup:
        journal._cache.clear()  # noqa: SLF001  (what a process that just started sees)
        return journal.get(slug)

    assert cold() == startup
    base, cold_times, warm_times = [], [], []
    for _ in range(ROUNDS):
        base.append(per_call(lambda: bs.from_data(json.loads(text), bs.Startup), 3))
        cold_times.append(per_call(cold, 3))
        warm_times.append(per_call(lambda: journal.get(slug), 30))
    return statistics.median(base), statistics.median(cold_times), statistics.median(warm_times)


def report(name: str, journal: Journal, engine: tuple[float, float]) -> None:
    small, big, n_small, n_big = journal_growth(journal)
    print(f"  apply at {n_small} events:          {small * 1e3:8.3f} ms")
    print(f"  apply at {n_big} events:        {big * 1e3:8.3f} ms")
    print(f"  ratio {n_big} / {n_small} events:        {big / small:8.2f}x   (target <= 2x)")
    own_small, own_big = small - engine[0], big - engine[1]
    print(
        f"  the journal's own part:        {own_small * 1e3:8.3f} ms and {own_big * 1e3:.3f} ms"
        f" ({own_big / own_small:.2f}x; apply minus Lifecycle.apply, measured apart)"
    )
    base, cold, warm = get_costs(journal, "grand")
    print(f"  from_data of its JSON ({n_big} ev.):  {base * 1e3:8.2f} ms")
    print(f"  get, cold (snapshot + rows):   {cold * 1e3:8.2f} ms")
    print(f"  get, warm (cache + version):   {warm * 1e3:8.3f} ms")
    print(f"  ratio cold get / from_data:    {cold / base:8.2f}x   (target <= 1.5x)")
    print(f"  ratio warm get / from_data:    {warm / base:8.3f}x   ({name})")


# -- 4. PostgreSQL -----------------------------------------------------------------------------


def postgres(base_url: str, engine: tuple[float, float]) -> None:
    import psycopg  # noqa: PLC0415  (the postgres extra)

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base_url, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}"
    try:
        with bs.open_journal(url) as journal:
            ticks = {}
            for n in range(50):
                slug = f"flux-{n}"
                startup = bs.Startup(slug=slug, title=f"Flux {n}")
                journal.create(startup)
                for command in script(12, seed=n):
                    startup = journal.apply(slug, command).startup
                ticks[slug] = tick(startup)
            journal.apply("flux-0", ticks["flux-0"])
            payload = stored_payload(journal, "flux-0")
            order = list(ticks.items())
            cursor = iter(range(10**9))

            def apply() -> None:
                slug, command = order[next(cursor) % len(order)]
                journal.apply(slug, command)

            with psycopg.connect(url, autocommit=True) as raw:
                raw.execute(
                    "CREATE TABLE raw_events (position bigserial PRIMARY KEY, payload jsonb)"
                )

                def insert() -> None:
                    with raw.transaction():
                        raw.execute(
                            "INSERT INTO raw_events (payload) VALUES (%s::jsonb)", (payload,)
                        )

                mine, theirs = [], []
                for _ in range(ROUNDS):
                    theirs.append(1 / per_call(insert, BATCH))
                    mine.append(1 / per_call(apply, BATCH))
            print("PostgreSQL (for information)")
            print(f"  journal.apply:                 {statistics.median(mine):8.0f} commands/s")
            print(f"  raw INSERT transactions:       {statistics.median(theirs):8.0f} /s")
            print(f"  ratio journal / raw:           {median_ratio(mine, theirs):8.2f}x")
            report("PostgreSQL", journal, engine)
    finally:
        with psycopg.connect(base_url, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    folder = tempfile.mkdtemp(prefix="betastate-bench-")
    try:
        print(f"Journal benchmarks ({ROUNDS} rounds of {BATCH}; medians)")
        for synchronous in ("full", "normal"):
            mine, theirs = throughput(folder, synchronous)
            target = "   (target >= 0.5x)" if synchronous == "full" else ""
            print(f"SQLite file, synchronous={synchronous}")
            print(f"  journal.apply:                 {mine:8.0f} commands/s")
            print(f"  raw INSERT transactions:       {theirs:8.0f} /s")
            print(f"  ratio journal / raw:           {mine / theirs:8.2f}x{target}")
        small, big, n_small, n_big = in_memory_growth()
        print("In memory (Lifecycle.apply, the engine)")
        print(f"  apply at {n_small} events:          {small * 1e6:8.1f} us")
        print(f"  apply at {n_big} events:        {big * 1e6:8.1f} us")
        print(f"  ratio {n_big} / {n_small} events:        {big / small:8.2f}x   (target <= 2x)")
        for synchronous in ("full", "normal"):
            print(f"SQLite file, synchronous={synchronous}: a command's cost and reads")
            url = f"sqlite://{folder}/growth-{synchronous}.db?synchronous={synchronous}"
            with bs.open_journal(url) as journal:
                report("SQLite", journal, (small, big))
        base_url = os.environ.get("BETASTATE_BENCH_POSTGRES") or os.environ.get(
            "BETASTATE_TEST_POSTGRES"
        )
        if base_url:
            postgres(base_url, (small, big))
        else:
            print("PostgreSQL: skipped (set BETASTATE_BENCH_POSTGRES to a libpq URL)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
