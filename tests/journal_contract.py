"""
The journal contract: one suite that every engine passes.

Subclass `JournalContract` and give the `url` fixture (tests/test_journal.py does it for a
SQLite file, SQLite in memory and PostgreSQL); set `shared = False` when a second journal
opened on the same URL does not see the first one's database (memory). Every load and crash
loop is bounded in count and in time.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import random
import signal
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

import betastate as bs
from betastate import testing as bt
from betastate.journal import CREATE, IMPORT, Journal, RecordedEvent


LIFECYCLE = bs.Lifecycle()
SPONSOR = bs.Role.SPONSOR
CLERK = bs.Role.INTRAPRENEUR
ATTENDEES = tuple(
    bs.Actor(role=role)
    for role in ("intrapreneur", "sponsor", "incubator", "portfolio-manager", "coach")
)
START = dt.date(2025, 1, 6)
GO = dt.date(2025, 3, 10)
DAY = dt.date(2025, 3, 12)
ENVELOPE = Decimal(130_000)
PM = bs.PostMortem(
    learnings="Les usagers préfèrent le guichet.",
    why_we_stop="Trop peu d'usage pour le coût.",
    relaunch_advice="Partir des agents d'accueil.",
    reasons=["insufficient_impact"],
    authors=[bs.Actor(role="intrapreneur"), bs.Actor(role="coach")],
)
LOAD_SECONDS = 120
"""No load or crash test may run longer than this (each loop also has a fixed count)."""


def committee(on: dt.date, **kwargs: Any) -> bs.HoldCommittee:
    kwargs.setdefault("attendees", ATTENDEES)
    kwargs.setdefault("by", SPONSOR)
    kwargs.setdefault("decision", "continue")
    if kwargs["decision"] != "stop":
        kwargs.setdefault("grants", [bs.Grant(source="sponsor", amount=ENVELOPE)])
    return bs.HoldCommittee(on=on, **kwargs)


def setup_commands(amount: Decimal = ENVELOPE) -> list[bs.Command]:
    """Investigation, then a committee entering construction with an envelope of `amount`."""
    return [
        bs.Advance(on=START, to="investigation", by=SPONSOR, co_deciders=[bs.Role.INCUBATOR]),
        committee(
            GO,
            phase_change="construction",
            sponsor_budget_line=Decimal(180_000),
            grants=[bs.Grant(source="sponsor", amount=amount)],
        ),
    ]


def funded(journal: Journal, slug: str, amount: Decimal = ENVELOPE) -> int:
    """A stored startup in construction with an envelope of `amount`; its version."""
    journal.create(bs.Startup(slug=slug, title=slug.replace("-", " ").title()))
    for index, command in enumerate(setup_commands(amount)):
        journal.apply(slug, command, command_id=f"{slug}-setup-{index}")
    return journal.version(slug)


def spend(amount: int | Decimal, label: str = "") -> bs.Spend:
    return bs.Spend(on=DAY, by=CLERK, amount=Decimal(amount), label=label)


LONG_START = dt.date(2004, 1, 5)
"""Where long scripts begin: about 150 days a cycle of ten, so 150 commands end by 2024."""


def long_script(seed: int, count: int) -> list[bs.Command]:
    """
    `count` valid commands for one product: committees, publications, grants, spending.

    Committees meet every three to four weeks and the script starts in 2004, so that even
    3,000 commands stay in the past: a command dated more than a year after today is refused
    (BS-HORIZON).
    """
    rng = random.Random(seed)
    day = LONG_START
    script: list[bs.Command] = [
        bs.Advance(on=day, to="investigation", by=SPONSOR, co_deciders=[bs.Role.INCUBATOR])
    ]
    phases = {0: "construction", 2: "acceleration", 5: "consolidation"}
    cycle = 0
    while len(script) < count:
        day += dt.timedelta(days=rng.randint(1, 5))
        script.append(
            committee(
                day,
                phase_change=phases.get(cycle),
                sponsor_budget_line=Decimal(180_000) if cycle == 0 else None,
                criteria=("ENT-CSL-1", "ENT-CSL-2", "ENT-CSL-4"),
                grants=[bs.Grant(source="sponsor", amount=Decimal(rng.randint(80, 200) * 1000))],
                impact=bs.ImpactReading(monthly_active_users=1000 * (cycle + 1)),
            )
        )
        script.append(bs.PublishBudget(on=day, by=CLERK, url="https://example.org/budget"))
        script.append(
            bs.GrantFunds(
                on=day + dt.timedelta(days=1),
                by=SPONSOR,
                grants=[bs.Grant(source="sponsor", amount=Decimal(rng.randint(5, 30) * 1000))],
            )
        )
        script.extend(
            bs.Spend(
                on=day + dt.timedelta(days=offset),
                by=CLERK,
                amount=Decimal(rng.randint(50_000, 500_000)) / 100,
                label=f"bon de commande {cycle}-{offset}",
            )
            for offset in sorted(rng.randint(2, 20) for _ in range(7))
        )
        day += dt.timedelta(days=rng.randint(21, 25))
        cycle += 1
    return script[:count]


def replayed(slug: str, commands: list[bs.Command]) -> bs.Startup:
    """The startup `commands` give when applied in memory, in order (each must be accepted)."""
    startup = bs.Startup(slug=slug, title=slug.replace("-", " ").title())
    for command in commands:
        startup = LIFECYCLE.apply(startup, command).startup
    return startup


class JournalAdapter(bt.Adapter):
    """A journal as the system under test of betastate.testing.LifecycleMachine."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    def create(self, startup: bs.Startup) -> None:
        self.journal.create(startup)

    def apply(self, slug: str, command: bs.Command) -> bs.Outcome:
        return self.journal.apply(slug, command)

    def startup(self, slug: str) -> bs.Startup:
        self.journal._cache.clear()  # read what is stored, not what the journal remembers
        return self.journal.get(slug)

    def close(self) -> None:
        self.journal.close()


def errors(findings: tuple[bs.Finding, ...] | None) -> list[bs.Finding]:
    return [f for f in findings or () if f.severity is bs.Severity.ERROR]


def check_stream(records: tuple[RecordedEvent, ...]) -> None:
    """Versions 1, 2, ... with no gap; positions and event ids unique, positions increasing."""
    assert list(range(1, len(records) + 1)) == [r.version for r in records]
    positions = [r.position for r in records]
    assert sorted(set(positions)) == positions
    assert len(records) == len({r.id for r in records})


def by_command(records: tuple[RecordedEvent, ...]) -> list[str]:
    """Command ids in stream order, each once."""
    return list(dict.fromkeys(r.command_id for r in records))


def mp_context() -> Any:
    """Child processes forked from a server that has betastate loaded (quick to start)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.journal_forkserver"])
    return context


# -- workers (module level: child processes import them) ----------------------------------


def spend_loop(
    journal: Journal, slug: str, seed: int, count: int, prefix: str
) -> tuple[dict[str, Decimal], int]:
    """`count` random spends; the accepted ones by command id, and how many were refused."""
    rng = random.Random(seed)
    accepted: dict[str, Decimal] = {}
    refused = 0
    deadline = time.monotonic() + LOAD_SECONDS
    for k in range(count):
        assert time.monotonic() < deadline, "spend loop ran out of time"
        amount = Decimal(rng.randint(100, 2_000))
        identifier = f"{prefix}-{k}"
        try:
            journal.apply(slug, spend(amount, identifier), command_id=identifier)
        except bs.TransitionRefused as refusal:
            assert ["BR-02"] == [r.rule for r in refusal.reasons]
            refused += 1
        else:
            accepted[identifier] = amount
    return accepted, refused


def spend_process(
    url: str, slug: str, seed: int, count: int, prefix: str
) -> tuple[dict[str, Decimal], int]:
    with bs.open_journal(url) as journal:
        return spend_loop(journal, slug, seed, count, prefix)


def mixed_command(rng: random.Random, tag: str) -> bs.Command:
    """A command valid in any order on DAY: spending (far beyond the envelope), grants, notes."""
    kind = rng.choice(["spend"] * 6 + ["grant", "note", "publish"])
    if kind == "spend":
        return spend(rng.randint(1_000, 30_000), tag)
    if kind == "grant":
        amount = Decimal(rng.randint(1, 10) * 1000)
        return bs.GrantFunds(on=DAY, by=SPONSOR, grants=[bs.Grant(source="sponsor", amount=amount)])
    if kind == "note":
        return bs.Record(event=bs.Note(on=DAY, comment=tag), by=bs.Role.COACH)
    return bs.PublishBudget(on=DAY, by=CLERK, url=f"https://example.org/{tag}")


def mixed_loop(
    journal: Journal, slugs: list[str], seed: int, count: int, prefix: str
) -> tuple[dict[str, tuple[str, bs.Command]], int]:
    """`count` random commands on random startups; accepted ones by id, and refusals."""
    rng = random.Random(seed)
    accepted: dict[str, tuple[str, bs.Command]] = {}
    refused = 0
    deadline = time.monotonic() + LOAD_SECONDS
    for k in range(count):
        assert time.monotonic() < deadline, "command loop ran out of time"
        slug = rng.choice(slugs)
        identifier = f"{prefix}-{k}"
        command = mixed_command(rng, identifier)
        try:
            journal.apply(slug, command, command_id=identifier)
        except bs.TransitionRefused as refusal:
            assert isinstance(command, bs.Spend)
            assert ["BR-02"] == [r.rule for r in refusal.reasons]
            refused += 1
        else:
            accepted[identifier] = (slug, command)
    return accepted, refused


def mixed_process(
    url: str, slugs: list[str], seed: int, count: int, prefix: str
) -> tuple[dict[str, tuple[str, bs.Command]], int]:
    with bs.open_journal(url) as journal:
        return mixed_loop(journal, slugs, seed, count, prefix)


def racer(url: str, slug: str, version: int, barrier: Any, results: Any, name: str) -> None:  # noqa: PLR0917
    """Wait for the others, then spend expecting `version`; report won or lost."""
    with bs.open_journal(url) as journal:
        journal.get(slug)
        barrier.wait(timeout=30)
        try:
            journal.apply(slug, spend(10, name), expected_version=version)
        except bs.ConcurrencyConflict as conflict:
            assert (slug, version) == (conflict.slug, conflict.expected)
            assert conflict.actual > version
            results.put("lost")
        else:
            results.put("won")


def crash_child(url: str, slug: str, start: int, count: int, pipe: Any) -> None:
    """Apply the crash script from `start`, reporting each index once `apply` returned."""
    script = long_script(7, count)
    with bs.open_journal(url) as journal:
        pipe.send(("ready", start))
        for index in range(start, count):
            try:
                journal.apply(slug, script[index], command_id=f"crash-{index}")
            except bs.TransitionRefused as refusal:
                pipe.send(("refused", index, str(refusal)))
                return
            pipe.send(("acked", index))
    pipe.send(("done", count))


def clerk(url: str, slug: str, barrier: Any, results: Any, version: int | None) -> None:
    """One clerk spending 70 k€ at the same moment as another."""
    with bs.open_journal(url) as journal:
        journal.get(slug)
        barrier.wait(timeout=30)
        try:
            journal.apply(slug, spend(70_000, "clerk"), expected_version=version)
        except bs.TransitionRefused as refusal:
            results.put(("refused", tuple(r.rule for r in refusal.reasons)))
        except bs.ConcurrencyConflict:
            results.put(("conflict", ()))
        else:
            results.put(("accepted", ()))


def run_threads(target: Any, args: list[tuple[Any, ...]]) -> list[Any]:
    """Run `target(*a)` for each `a` in its own thread; results in order; bounded in time."""
    results: list[Any] = [None] * len(args)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            results[index] = target(*args[index])
        except BaseException as exc:  # noqa: BLE001  (reported below)
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(args))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + LOAD_SECONDS
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "threads ran out of time"
    if failures:
        raise failures[0]
    return results


def run_processes(target: Any, args: list[tuple[Any, ...]]) -> list[Any]:
    """Run `target(*a)` in one child process each; results in order; bounded in time."""
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    with ProcessPoolExecutor(max_workers=len(args), mp_context=mp_context()) as pool:
        futures = [pool.submit(target, *a) for a in args]
        return [future.result(timeout=LOAD_SECONDS) for future in futures]


class JournalContract:
    """What every journal engine does; subclasses give the `url` fixture."""

    shared = True
    """Whether a second journal opened on the same URL sees the same database."""

    typed_json = False
    """Whether the database refuses a payload that is not JSON (PostgreSQL's jsonb)."""

    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def journal(self, url: str):
        with bs.open_journal(url) as journal:
            yield journal

    @pytest.fixture(autouse=True)
    def _close_reopened(self):
        self.reopened: list[Journal] = []
        yield
        for journal in self.reopened:
            journal.close()

    def unsynced(self, url: str) -> str:
        """
        The URL for tests of many commits (SQLite files: ``synchronous=normal``).

        They test locking, not the disk: a sync per commit would only make them slow
        (3 to 6 ms each on a busy machine). The crash test keeps the default.
        """
        return url

    def reopen(self, url: str, journal: Journal, **kwargs: Any) -> Journal:
        """A second journal on the same database (memory: on the same connection), cold."""
        if self.shared:
            other = bs.open_journal(url, **kwargs)
        else:
            other = Journal(journal._recorder, **kwargs)
        self.reopened.append(other)
        return other

    def execute(self, journal: Journal, statement: str, params: tuple[Any, ...] = ()) -> None:
        """Run raw SQL on the journal's database, as someone editing it by hand would."""
        with journal._recorder.writing() as tx:
            tx.execute(statement, params)

    # -- storing and applying ------------------------------------------------------------------

    def test_create(self, journal: Journal) -> None:
        """A created startup reads back equal; creating its slug again conflicts on version 0."""
        startup = bs.Startup(
            slug="cantine",
            title="Cantine",
            sponsors=["/organisations/ministere-imaginaire"],
            extra={"budget": {"2025": 12}},
            history=[bs.PhaseEntered(on=START, phase="investigation"), bs.Note(on=GO)],
        )

        assert 2 == journal.create(startup)
        assert startup == journal.get("cantine")
        assert 2 == journal.version("cantine")
        assert [CREATE, CREATE] == [r.command_type for r in journal.records("cantine")]
        with pytest.raises(bs.ConcurrencyConflict) as raised:
            journal.create(bs.Startup(slug="cantine", title="Autre"))
        assert ("cantine", 0, 2) == (
            raised.value.slug,
            raised.value.expected,
            raised.value.actual,
        )
        assert "Cantine" == journal.get("cantine").title

    def test_apply_matches_the_lifecycle(self, journal: Journal) -> None:
        """Each outcome is what Lifecycle.apply gives, with the stream's new version."""
        journal.create(bs.Startup(slug="guichet", title="Guichet"))
        startup = bs.Startup(slug="guichet", title="Guichet")
        versions = []
        for command in [*setup_commands(), spend(1_000), spend(2_000)]:
            expected = LIFECYCLE.apply(startup, command)
            outcome = journal.apply("guichet", command)
            startup = expected.startup
            versions.append(outcome.version)

            assert expected.startup == outcome.startup
            assert expected.events == outcome.events
            assert expected.warnings == outcome.warnings

        assert [1, 3, 4, 5] == versions
        assert startup == journal.get("guichet")

    def test_each_event_is_recorded_with_its_metadata(self, journal: Journal) -> None:
        """Version, UUID, UTC time, command id and type, actor, schema version, position."""
        before = dt.datetime.now(dt.UTC)
        funded(journal, "guichet")
        boss = bs.Actor(role="intrapreneur", name="Camille Essai")
        journal.apply("guichet", bs.Spend(on=DAY, by=boss, amount=500), command_id="achat-1")
        journal.apply("guichet", spend(600))
        after = dt.datetime.now(dt.UTC)
        records = journal.records("guichet")

        check_stream(records)
        assert [
            "guichet-setup-0",
            "guichet-setup-1",
            "guichet-setup-1",
            "achat-1",
        ] == [r.command_id for r in records[:4]]
        assert uuid.UUID(records[4].command_id)  # made by the journal
        assert ["Advance", "HoldCommittee", "HoldCommittee", "Spend", "Spend"] == [
            r.command_type for r in records
        ]
        assert [SPONSOR, SPONSOR, SPONSOR, CLERK, CLERK] == [r.actor.role for r in records]
        assert "Camille Essai" == records[3].actor.name
        assert {bs.SCHEMA_VERSION} == {r.schema_version for r in records}
        assert all(r.recorded_at.utcoffset() == dt.timedelta(0) for r in records)
        assert all(before <= r.recorded_at <= after for r in records)
        assert records[1].recorded_at == records[2].recorded_at  # one command, one moment
        assert list(journal.get("guichet").history) == [r.event for r in records]

    def test_refused_command_stores_nothing(self, journal: Journal) -> None:
        """A refusal raises with every reason and leaves stream, feed and ids untouched."""
        funded(journal, "guichet")
        feed = journal.read()
        with pytest.raises(bs.TransitionRefused) as refused:
            journal.apply("guichet", spend(ENVELOPE + 1), command_id="trop")

        assert ["BR-02"] == [r.rule for r in refused.value.reasons]
        assert 3 == journal.version("guichet")
        assert feed == journal.read()
        assert 4 == journal.apply("guichet", spend(1), command_id="trop").version

    def test_expected_version(self, journal: Journal) -> None:
        """The expected version passes; a stale one conflicts with slug, expected and actual."""
        version = funded(journal, "guichet")

        assert version + 1 == journal.apply("guichet", spend(10), expected_version=version).version
        with pytest.raises(bs.ConcurrencyConflict) as raised:
            journal.apply("guichet", spend(20), expected_version=version)
        assert ("guichet", version, version + 1) == (
            raised.value.slug,
            raised.value.expected,
            raised.value.actual,
        )
        assert f"expected_version={version + 1}" in str(raised.value)
        assert version + 1 == journal.version("guichet")

    def test_same_command_id_returns_the_first_outcome(self, url: str, journal: Journal) -> None:
        """Applied again (even after later commands, even cold), an id returns its first outcome."""
        funded(journal, "guichet")
        first = journal.apply("guichet", spend(1_000), command_id="achat")
        journal.apply("guichet", spend(2_000))
        again = journal.apply("guichet", spend(1_000), command_id="achat")
        with pytest.raises(bs.ConcurrencyConflict):
            journal.apply("guichet", spend(3_000), expected_version=0)

        assert first == again
        assert 5 == journal.version("guichet")
        cold = self.reopen(url, journal)
        assert first == cold.apply("guichet", spend(1_000), command_id="achat", expected_version=0)
        assert 5 == cold.version("guichet")

    def test_command_id_reused_for_another_command(self, journal: Journal) -> None:
        """An id already used for another command, or another startup, is refused."""
        funded(journal, "guichet")
        funded(journal, "cantine")
        journal.apply("guichet", spend(1_000), command_id="achat")

        with pytest.raises(bs.JournalError, match="already used"):
            journal.apply("guichet", spend(1_001), command_id="achat")
        with pytest.raises(bs.JournalError, match="already used"):
            journal.apply("cantine", spend(1_000), command_id="achat")
        assert (4, 3) == (journal.version("guichet"), journal.version("cantine"))

    def test_unknown_slug(self, journal: Journal) -> None:
        """Every read and write of a missing slug raises UnknownStartup (a LookupError)."""
        calls = [
            lambda: journal.get("absent"),
            lambda: journal.version("absent"),
            lambda: journal.records("absent"),
            lambda: journal.audit("absent"),
            lambda: journal.apply("absent", spend(1)),
        ]
        for call in calls:
            with pytest.raises(bs.UnknownStartup) as raised:
                call()
            assert "absent" == raised.value.slug
            assert isinstance(raised.value, LookupError)

    def test_bad_arguments(self, journal: Journal) -> None:
        """Arguments of the wrong kind are betastate errors, refused before anything is read."""
        funded(journal, "guichet")
        with pytest.raises(TypeError, match="betastate command"):
            journal.apply("guichet", {"amount": 1})  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="expected_version"):
            journal.apply("guichet", spend(1), expected_version=-1)
        with pytest.raises(ValueError, match="expected_version"):
            journal.apply("guichet", spend(1), expected_version=True)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="command_id"):
            journal.apply("guichet", spend(1), command_id=" ")
        with pytest.raises(ValueError, match="limit"):
            journal.read(limit=0)
        with pytest.raises(TypeError, match="Startup"):
            journal.create({"slug": "x"})  # type: ignore[arg-type]
        assert 3 == journal.version("guichet")

    # -- reading -------------------------------------------------------------------------------

    def test_reads(self, journal: Journal) -> None:
        """get(on=...) keeps the events up to a date; slugs are sorted."""
        funded(journal, "guichet")
        funded(journal, "cantine")

        assert ("cantine", "guichet") == journal.slugs()
        assert [bs.PhaseEntered] == [
            type(e) for e in journal.get("guichet", on=GO - dt.timedelta(1)).history
        ]
        assert 3 == len(journal.get("guichet", on=GO).history)

    def test_feed(self, journal: Journal) -> None:
        """The feed pages through every event once, in position (commit) order across streams."""
        for slug in ("a", "b", "c"):
            funded(journal, slug)
        journal.apply("b", spend(5))
        journal.apply("a", spend(6))
        whole = journal.read()
        pages: list[RecordedEvent] = []
        after = 0
        for _ in range(20):
            page = journal.read(after=after, limit=2)
            if not page:
                break
            pages.extend(page)
            after = page[-1].position

        assert whole == tuple(pages)
        assert 11 == len(whole)
        assert sorted(r.position for r in whole) == [r.position for r in whole]
        assert ["b", "a"] == [r.slug for r in whole[-2:]]
        assert () == journal.read(after=whole[-1].position)

    def test_portfolio(self, journal: Journal) -> None:
        """The portfolio holds every stored startup; analytics work on it unchanged."""
        sample = bs.sample_portfolio()
        journal.import_portfolio(sample)
        stored = journal.portfolio()
        on = dt.date(2024, 6, 1)

        assert sample.startups == stored.startups
        assert sample.phase_counts(on) == stored.phase_counts(on)
        assert [s.slug for s in journal.portfolio(on=on)] == [s.slug for s in sample]
        assert all(e.on <= on for s in journal.portfolio(on=on) for e in s.history)

    def test_json_export(self, journal: Journal) -> None:
        """The export is betastate JSON that reads back as the stored startups."""
        journal.import_portfolio(bs.sample_portfolio())

        assert journal.portfolio().startups == bs.portfolio_from_json(journal.to_json()).startups

    def test_import_is_idempotent(self, journal: Journal) -> None:
        """Importing again changes nothing; new events extend; other differences are reported."""
        sample = bs.sample_portfolio()
        first = journal.import_portfolio(sample)
        feed = journal.read(limit=10_000)
        again = journal.import_portfolio(sample)

        assert tuple(s.slug for s in sample) == first.created
        assert sum(len(s.history) for s in sample) == first.events
        assert tuple(s.slug for s in sample) == again.unchanged
        assert (0, (), (), ()) == (again.events, again.created, again.extended, again.diverged)
        assert feed == journal.read(limit=10_000)
        assert {IMPORT} == {r.command_type for r in feed}

        one, two = sample.startups[0], sample.startups[1]
        longer = bs.Startup(
            **{**_fields(one), "history": (*one.history, bs.Note(on=dt.date(2030, 1, 1)))}
        )
        renamed = bs.Startup(**{**_fields(two), "title": "Un autre nom"})
        report = journal.import_portfolio([longer, renamed])

        assert ((one.slug,), (two.slug,), 1) == (report.extended, report.diverged, report.events)
        assert longer == journal.get(one.slug)
        assert two == journal.get(two.slug)

    # -- the cost of a command, snapshots, cold starts -----------------------------------------

    def test_cold_start_reads_the_same_startup(self, url: str, journal: Journal) -> None:
        """After many commands (snapshots rewritten as it grows), a cold journal reads the same."""
        script = long_script(3, 121)
        journal.create(bs.Startup(slug="long", title="Long"))
        small = self.reopen(url, journal, snapshot_every=16)
        for index, command in enumerate(script[:-1]):
            small.apply("long", command, command_id=f"long-{index}")
        warm = small.get("long")
        with small._recorder.reading() as tx:
            snapshot = tx.snapshot("long")
        small._cache.clear()

        assert replayed("long", script[:-1]) == warm
        assert snapshot is not None
        assert 16 <= snapshot.version <= len(warm.history) < snapshot.version * 5 // 4 + 16
        assert warm == small.get("long")
        small._cache.clear()
        last = small.apply("long", script[-1], command_id="long-last")
        assert replayed("long", script) == last.startup
        assert last.startup == self.reopen(url, journal).get("long")

    def test_another_writer_is_seen(self, url: str, journal: Journal) -> None:
        """A journal whose cache is behind reads the other writer's events before deciding."""
        if not self.shared:
            pytest.skip("a memory journal has no second writer")
        funded(journal, "guichet", Decimal(100_000))
        journal.apply("guichet", spend(60_000))
        with bs.open_journal(url) as other:
            other.apply("guichet", spend(30_000))
            with pytest.raises(bs.TransitionRefused) as refused:
                journal.apply("guichet", spend(20_000))
            assert ["BR-02"] == [r.rule for r in refused.value.reasons]
            assert other.get("guichet") == journal.get("guichet")

    # -- auditing and schema evolution ---------------------------------------------------------

    def test_audit_of_a_clean_journal(self, journal: Journal) -> None:
        """Histories made through commands pass the audit."""
        for slug in ("a", "b"):
            funded(journal, slug)
            journal.apply(slug, spend(ENVELOPE))

        assert [] == errors(journal.audit())

    def test_audit_finds_a_version_gap(self, journal: Journal) -> None:
        """A row deleted behind the journal's back is a version-gap; reads refuse the stream."""
        funded(journal, "guichet")
        journal.apply("guichet", spend(5))
        self.execute(
            journal, "DELETE FROM betastate_events WHERE slug = ? AND version = ?", ("guichet", 4)
        )
        journal._cache.clear()
        found = journal.audit()

        assert [("version-gap", "guichet")] == [(f.code, f.slug) for f in errors(found)]
        assert "version 4 is missing" in found[0].message
        with pytest.raises(bs.JournalError, match="audit"):
            journal.get("guichet")

    def test_audit_reads_the_rows_not_the_cache(self, journal: Journal) -> None:
        """An overspend written into the rows by hand is found, whatever the cache holds."""
        funded(journal, "guichet")
        journal.apply("guichet", spend(100_000))
        journal.apply("guichet", spend(1))
        forged = json.dumps(bs.to_data(bs.Spent(on=DAY, amount=Decimal(100_000))))
        self.execute(
            journal,
            "UPDATE betastate_events SET payload = ? WHERE slug = ? AND version = ?",
            (forged, "guichet", 5),
        )

        assert Decimal(1) == journal.get("guichet").history[-1].amount  # the cache, unaware
        assert ["BR-02"] == [f.code for f in errors(journal.audit())]
        assert Decimal(100_000) == journal.get("guichet").history[-1].amount  # now it knows

    def test_unreadable_payload(self, journal: Journal) -> None:
        """A payload that is not an event is an unreadable-event finding, and a read error."""
        funded(journal, "guichet")
        journal.apply("guichet", spend(5))
        self.execute(
            journal,
            "UPDATE betastate_events SET payload = ? WHERE slug = ? AND version = ?",
            (json.dumps({"_type": "Spent", "on": "hier"}), "guichet", 4),
        )
        journal._cache.clear()

        assert ["unreadable-event"] == [f.code for f in errors(journal.audit())]
        with pytest.raises(bs.JournalError, match=r"version 4 \(Spent"):
            journal.get("guichet")

    def test_upcasters(self, url: str, journal: Journal) -> None:
        """Payloads stored at an older schema version are read through the upcasters given."""
        funded(journal, "guichet")
        journal.apply("guichet", spend(5))
        old = {"_type": "Spent", "on": DAY.isoformat(), "euros": "12.50", "label": "vieux"}
        self.execute(
            journal,
            "UPDATE betastate_events SET payload = ?, schema_version = 0 "
            "WHERE slug = ? AND version = ?",
            (json.dumps(old), "guichet", 4),
        )
        journal._cache.clear()
        with pytest.raises(bs.JournalError, match="upcasters="):
            journal.get("guichet")

        def euros(payload: dict[str, Any]) -> dict[str, Any]:
            payload["amount"] = payload.pop("euros")
            return payload

        upcasting = self.reopen(url, journal, upcasters={"Spent": {0: euros}})
        event = upcasting.get("guichet").history[3]
        record = upcasting.records("guichet")[3]

        assert bs.Spent(on=DAY, amount=Decimal("12.50"), label="vieux") == event
        assert 0 == record.schema_version

    def test_newer_payload(self, journal: Journal) -> None:
        """A payload written by a newer schema asks for a newer betastate."""
        funded(journal, "guichet")
        self.execute(
            journal,
            "UPDATE betastate_events SET schema_version = ? WHERE slug = ?",
            (bs.SCHEMA_VERSION + 1, "guichet"),
        )
        journal._cache.clear()

        with pytest.raises(bs.JournalError, match="upgrade betastate"):
            journal.get("guichet")

    def test_recorder_refuses_a_second_writer_of_a_version(self, journal: Journal) -> None:
        """Below the journal, the (slug, version) key refuses a version stored twice."""
        from betastate.journal._recorder import Clash, NewEvent  # noqa: PLC0415

        funded(journal, "guichet")
        event = NewEvent(
            id=uuid.uuid4(),
            recorded_at=dt.datetime.now(dt.UTC),
            command_id="double",
            command_type="Spend",
            actor=None,
            event_type="Note",
            schema_version=bs.SCHEMA_VERSION,
            payload=json.dumps(bs.to_data(bs.Note(on=DAY))),
        )

        def append(after: int) -> None:
            with journal._recorder.writing() as tx:
                tx.head("guichet", lock=True)
                tx.append("guichet", after, [event], None)

        for after in (0, 2, 7):  # versions 1 and 3 exist; the stream is not at 7
            with pytest.raises(Clash):
                append(after)

        assert 3 == journal.version("guichet")
        check_stream(journal.records("guichet"))

    def test_snapshot_that_differs(self, url: str, journal: Journal) -> None:
        """A snapshot edited by hand is reported; one that is not JSON is skipped on reads."""
        small = self.reopen(url, journal, snapshot_every=2)
        funded(small, "guichet")
        for k in range(3):
            small.apply("guichet", spend(10 + k))
        expected = small.get("guichet")
        note = json.dumps([bs.to_data(bs.Note(on=START))])
        self.execute(small, "UPDATE betastate_snapshots SET events = ?, version = 1", (note,))

        assert ["snapshot-differs"] == [f.code for f in errors(small.audit())]
        self.execute(small, "UPDATE betastate_snapshots SET events = ?, version = 2", ("{",))
        small._cache.clear()
        assert expected == small.get("guichet")

    def test_gap_messages(self, journal: Journal) -> None:
        """A missing version in a long stream, and a version beyond the head, are named."""
        funded(journal, "guichet")
        for k in range(7):
            journal.apply("guichet", spend(1 + k))
        self.execute(journal, "DELETE FROM betastate_events WHERE version = 5")
        self.execute(journal, "UPDATE betastate_events SET version = 12 WHERE version = 10")
        journal._cache.clear()
        (gap,) = [f for f in journal.audit() if f.code == "version-gap"]
        with pytest.raises(bs.JournalError) as raised:
            journal.get("guichet")

        assert "versions 5, 10 are missing; version 12 is beyond its head" in gap.message
        assert "1, 2, ... 12 (9 rows)" in raised.value.problem

    def test_payload_not_json(self, journal: Journal) -> None:
        """A payload that is not JSON is named with its version and position."""
        if self.typed_json:
            pytest.skip("the database stores payloads as JSON: it refuses anything else")
        funded(journal, "guichet")
        self.execute(journal, "UPDATE betastate_events SET payload = ? WHERE version = 1", ("[",))
        journal._cache.clear()

        with pytest.raises(bs.JournalError, match="not JSON"):
            journal.get("guichet")

    def test_small_cache(self, journal: Journal) -> None:
        """A journal that keeps one startup in memory still reads every startup right."""
        small = Journal(journal._recorder, cache=1)
        funded(small, "a")
        funded(small, "b")

        assert 1 == len(small._cache)
        assert (3, 3) == (len(small.get("a").history), len(small.get("b").history))
        assert "Journal(" in repr(small)
        assert "betagouv" == small.rulebook.name

    def test_journal_arguments(self, journal: Journal) -> None:
        """snapshot_every must be a whole number of at least 1."""
        with pytest.raises(bs.InvalidType, match="snapshot_every"):
            Journal(journal._recorder, snapshot_every=1.5)  # type: ignore[arg-type]
        with pytest.raises(bs.InvalidArgument, match="snapshot_every"):
            Journal(journal._recorder, snapshot_every=0)

    def test_audit_on_open_that_fails_closes(self, url: str, journal: Journal) -> None:
        """A journal whose stored fields are not a startup fails to open with audit=True."""
        if not self.shared:
            pytest.skip("a memory journal cannot be opened twice")
        funded(journal, "guichet")
        self.execute(journal, "UPDATE betastate_streams SET descriptor = ?", ('{"slug": 3}',))

        with pytest.raises(bs.JournalError, match="not a betastate startup"):
            bs.open_journal(url, audit=True)

    # -- properties ----------------------------------------------------------------------------

    def test_journal_is_the_lifecycle(self, url: str) -> None:
        """Random command scripts give, stored and read cold, what the lifecycle gives in memory."""

        @settings(max_examples=15, deadline=None)
        @given(seed=st.integers(0, 2**32), count=st.integers(1, 40), every=st.integers(1, 12))
        def check(seed: int, count: int, every: int) -> None:
            rng = random.Random(seed)
            script = long_script(seed, count)
            with bs.open_journal(url, snapshot_every=every) as journal:
                slug = f"p-{uuid.uuid4().hex[:8]}"
                journal.create(bs.Startup(slug=slug, title=slug.replace("-", " ").title()))
                versions = []
                for index, command in enumerate(script):
                    outcome = journal.apply(slug, command, command_id=f"{slug}-{index}")
                    versions.append(outcome.version)
                    if rng.random() < 0.2:
                        journal._cache.clear()
                expected = bs.Startup(slug=slug, title=slug.replace("-", " ").title())
                counts = []
                for command in script:
                    expected = LIFECYCLE.apply(expected, command).startup
                    counts.append(len(expected.history))

                assert counts == versions
                assert expected == journal.get(slug)
                journal._cache.clear()
                assert expected == journal.get(slug)
                check_stream(journal.records(slug))

        check()

    def test_lifecycle_machine(self, url: str) -> None:
        """Random valid, refused and arbitrary commands: the journal answers as the lifecycle."""
        url = self.unsynced(url)

        class Machine(bt.LifecycleMachine):
            def __init__(self) -> None:
                super().__init__()
                run = uuid.uuid4().hex[:8]  # each run its own streams in a shared database
                self.slugs = (f"alpha-{run}", f"beta-{run}")

            def adapter(self) -> bt.Adapter:
                return JournalAdapter(bs.open_journal(url, snapshot_every=4))

        run_state_machine_as_test(
            Machine,
            settings=settings(
                settings.default,
                max_examples=max(3, settings.default.max_examples // 10),
                stateful_step_count=10,
                database=None,
            ),
        )

    # -- contention ----------------------------------------------------------------------------

    def check_spending(self, journal: Journal, slug: str, accepted: dict[str, Decimal]) -> None:
        """Spent events are exactly the acknowledged spends; the envelope holds; no gap."""
        records = journal.records(slug)
        spent = {r.command_id: r.event.amount for r in records if isinstance(r.event, bs.Spent)}
        state = journal.lifecycle.state(journal.get(slug))

        check_stream(records)
        assert len(accepted) == sum(isinstance(r.event, bs.Spent) for r in records)
        assert accepted == spent
        assert sum(spent.values(), Decimal(0)) <= ENVELOPE
        assert all(e.spent <= e.granted for e in state.envelopes)
        assert [] == errors(journal.audit(slug))

    def test_threads_spend_from_one_envelope(self, journal: Journal) -> None:
        """8 threads x 200 random spends (14 times the envelope): none beyond it, none lost."""
        funded(journal, "guichet")
        results = run_threads(
            spend_loop, [(journal, "guichet", seed, 200, f"t{seed}") for seed in range(8)]
        )
        accepted = {k: v for found, _ in results for k, v in found.items()}

        assert 1_600 == len(accepted) + sum(refused for _, refused in results)
        assert len(accepted) > 10
        self.check_spending(journal, "guichet", accepted)

    def test_processes_spend_from_one_envelope(self, url: str, journal: Journal) -> None:
        """4 processes x 200 random spends: none beyond the envelope, none lost or doubled."""
        if not self.shared:
            pytest.skip("other processes cannot open a memory journal")
        funded(journal, "guichet")
        results = run_processes(
            spend_process, [(url, "guichet", seed, 200, f"p{seed}") for seed in range(4)]
        )
        accepted = {k: v for found, _ in results for k, v in found.items()}

        assert 800 == len(accepted) + sum(refused for _, refused in results)
        self.check_spending(journal, "guichet", accepted)

    def test_random_commands_over_100_startups(self, url: str) -> None:
        """Random valid commands from threads (and processes) over 100 startups, serialisable."""
        url = self.unsynced(url)
        with bs.open_journal(url) as journal:
            self.random_commands(url, journal)

    def random_commands(self, url: str, journal: Journal) -> None:
        slugs = [f"produit-{n:03}" for n in range(100)]
        for slug in slugs:
            funded(journal, slug, Decimal(40_000))
        jobs = [(journal, slugs, seed, 200, f"t{seed}") for seed in range(8)]
        results = run_threads(mixed_loop, jobs)
        if self.shared:
            results += run_processes(
                mixed_process, [(url, slugs, 100 + seed, 200, f"p{seed}") for seed in range(4)]
            )
        accepted = {k: v for found, _ in results for k, v in found.items()}
        total = 200 * len(results)

        assert total == len(accepted) + sum(refused for _, refused in results)
        setups = len(setup_commands())
        for slug in slugs:
            records = journal.records(slug)
            check_stream(records)
            order = by_command(records)
            mine = {k for k, (where, _) in accepted.items() if where == slug}
            # Every acknowledged command is stored once, nothing else is (but the setup).
            assert mine == set(order[setups:])
            assert len(order) == setups + len(mine)
            # Replayed one by one in commit order, each is accepted and gives the same history.
            commands = [*setup_commands(Decimal(40_000)), *(accepted[k][1] for k in order[setups:])]
            assert replayed(slug, commands).history == journal.get(slug).history
            state = journal.lifecycle.state(journal.get(slug))
            assert all(e.spent <= e.granted for e in state.envelopes)
        assert [] == errors(journal.audit())

    def test_one_writer_wins_each_version(self, url: str, journal: Journal) -> None:
        """Writers racing with the same expected_version: exactly one wins, every round."""
        version = funded(journal, "guichet")
        wins = Counter()
        for round_ in range(10):
            barrier = threading.Barrier(8)

            def race(name: str, version: int = version, barrier: Any = barrier) -> str:
                barrier.wait(timeout=30)
                try:
                    journal.apply("guichet", spend(10, name), expected_version=version)
                except bs.ConcurrencyConflict as conflict:
                    assert (version, version + 1) == (conflict.expected, conflict.actual)
                    return "lost"
                return "won"

            outcome = Counter(run_threads(race, [(f"r{round_}-{i}",) for i in range(8)]))
            wins[outcome["won"]] += 1
            version += 1

        assert {1: 10} == dict(wins)
        assert version == journal.version("guichet")
        if self.shared:
            context = mp_context()
            for _ in range(3):
                barrier = context.Barrier(4)
                queue = context.Queue()
                children = [
                    context.Process(
                        target=racer, args=(url, "guichet", version, barrier, queue, f"p{i}")
                    )
                    for i in range(4)
                ]
                for child in children:
                    child.start()
                outcome = Counter(queue.get(timeout=LOAD_SECONDS) for _ in children)
                for child in children:
                    child.join(LOAD_SECONDS)
                assert {"won": 1, "lost": 3} == dict(outcome)
                version += 1
        check_stream(journal.records("guichet"))

    def test_same_command_id_from_many_threads(self, journal: Journal) -> None:
        """The same command id applied at once from 8 threads is stored once, for all."""
        funded(journal, "guichet")
        outcomes = run_threads(
            lambda: journal.apply("guichet", spend(1_234), command_id="unique"), [()] * 8
        )

        assert 1 == len({o.version for o in outcomes})
        assert 4 == journal.version("guichet")

    def test_two_clerks(self, url: str, journal: Journal) -> None:
        """Two clerks spend 70 k€ of 130 k€ at once: one is accepted, the other refused (BR-02)."""
        for round_ in range(4):
            slug = f"enveloppe-{round_}"
            funded(journal, slug)
            barrier = threading.Barrier(2)

            def clerk_thread(
                slug: str = slug, barrier: Any = barrier
            ) -> tuple[str, tuple[str, ...]]:
                barrier.wait(timeout=30)
                try:
                    journal.apply(slug, spend(70_000))
                except bs.TransitionRefused as refusal:
                    return ("refused", tuple(r.rule for r in refusal.reasons))
                return ("accepted", ())

            outcome = sorted(run_threads(clerk_thread, [(), ()]))
            assert [("accepted", ()), ("refused", ("BR-02",))] == outcome
        if self.shared:
            context = mp_context()
            for round_, expect in enumerate([None, None, 3, 3]):
                slug = f"guichet-{round_}"
                version = funded(journal, slug)
                assert expect in {None, version}
                barrier = context.Barrier(2)
                queue = context.Queue()
                children = [
                    context.Process(target=clerk, args=(url, slug, barrier, queue, expect))
                    for _ in range(2)
                ]
                for child in children:
                    child.start()
                outcome = sorted(queue.get(timeout=LOAD_SECONDS) for _ in children)
                for child in children:
                    child.join(LOAD_SECONDS)
                other = ("refused", ("BR-02",)) if expect is None else ("conflict", ())
                assert sorted([("accepted", ()), other]) == outcome
                assert [Decimal(70_000)] == [
                    e.amount for e in journal.get(slug).history if isinstance(e, bs.Spent)
                ]
        assert [] == [f for f in journal.audit() if f.code == "BR-02"]

    # -- crash ---------------------------------------------------------------------------------

    def test_sigkill_loses_no_acknowledged_command(self, url: str, journal: Journal) -> None:
        """A child killed at random moments, 50 times: every acknowledged command survives whole."""
        if not self.shared:
            pytest.skip("a memory journal dies with its process")
        count = 3_000
        script = long_script(7, count)
        journal.create(bs.Startup(slug="crash", title="Crash"))
        journal.close()
        context = mp_context()
        rng = random.Random(20261201)
        acked: list[int] = []
        kills = 0
        expected = bs.Startup(slug="crash", title="Crash")
        replayed_count = 0
        deadline = time.monotonic() + LOAD_SECONDS
        while kills < 50:
            assert time.monotonic() < deadline, f"crash loop ran out of time after {kills} kills"
            reader, writer = context.Pipe(duplex=False)
            child = context.Process(
                target=crash_child, args=(url, "crash", len(acked), count, writer)
            )
            child.start()
            writer.close()
            if rng.random() < 0.8:
                assert reader.poll(30), "the child did not open the journal"
            time.sleep(rng.uniform(0, 0.06))
            os.kill(child.pid, signal.SIGKILL)
            child.join(30)
            kills += 1
            while reader.poll():
                try:
                    message = reader.recv()
                except EOFError:
                    break
                assert "refused" != message[0], message
                if message[0] == "acked":
                    assert len(acked) == message[1]
                    acked.append(message[1])
            reader.close()

            with bs.open_journal(url, audit=True) as after:
                assert [] == errors(after.findings)
                records = after.records("crash")
                order = by_command(records)
                stored = len(order)
                # A prefix of the script, each command whole: nothing acknowledged is lost.
                assert [f"crash-{i}" for i in range(stored)] == order
                assert stored >= len(acked)
                for command in script[replayed_count:stored]:
                    expected = LIFECYCLE.apply(expected, command).startup
                replayed_count = stored
                assert expected.history == after.get("crash").history
                check_stream(records)

        assert 50 == kills
        assert len(acked) > 0


def _fields(startup: bs.Startup) -> dict[str, Any]:
    return {a.name: getattr(startup, a.name) for a in startup.__attrs_attrs__ if a.init}
