"""The journal on each engine: the contract suite, and what is particular to each engine."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

import betastate as bs
from betastate.journal import Journal

from .journal_contract import DAY, ENVELOPE, JournalContract, funded, run_threads, spend


DATA = Path(__file__).parent / "data" / "journal"


class TestSqliteFile(JournalContract):
    """The contract on a SQLite file."""

    @pytest.fixture
    def url(self, tmp_path: Path) -> str:
        return f"sqlite://{tmp_path / 'journal.db'}"

    def unsynced(self, url: str) -> str:
        return f"{url}?synchronous=normal"


class TestSqliteMemory(JournalContract):
    """The contract on SQLite in memory (one process)."""

    shared = False

    @pytest.fixture
    def url(self) -> str:
        return "sqlite://"


def postgres_base() -> str:
    """$BETASTATE_TEST_POSTGRES; skips outside CI when unset, fails under CI=true."""
    base = os.environ.get("BETASTATE_TEST_POSTGRES", "").strip()
    if not base:
        message = (
            "no PostgreSQL server for the journal tests: set BETASTATE_TEST_POSTGRES to a "
            "libpq URL or conninfo (.ci/run starts one)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    if "://" not in base:  # a key=value conninfo
        from psycopg.conninfo import conninfo_to_dict  # noqa: PLC0415

        params = {k: str(v) for k, v in conninfo_to_dict(base).items()}
        base = "postgresql://?" + urllib.parse.urlencode(params)
    return base


def in_schema(base: str, schema: str) -> str:
    """`base` with its search path set to `schema` (one schema per test keeps tests apart)."""
    option = urllib.parse.quote(f"-csearch_path={schema}")
    return f"{base}{'&' if '?' in base else '?'}options={option}"


def postgres_url():
    """A URL on a fresh schema of the test server, dropped afterwards (a generator)."""
    import psycopg  # noqa: PLC0415

    base = postgres_base()
    schema = f"bt_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    yield in_schema(base, schema)
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


class TestPostgres(JournalContract):
    """The contract on PostgreSQL (a fresh schema per test)."""

    typed_json = True

    @pytest.fixture
    def url(self):
        yield from postgres_url()

    def test_primary_key_is_stream_and_version(self, journal: Journal) -> None:
        """The events table's primary key is (slug, version): no version is stored twice."""
        with journal._recorder.reading() as tx:
            columns = tx.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = 'betastate_events'::regclass AND i.indisprimary "
                "ORDER BY array_position(i.indkey, a.attnum)"
            ).fetchall()

        assert [("slug",), ("version",)] == columns

    def test_driver_errors_become_journal_errors(self, url: str) -> None:
        """A server that cannot be reached is a JournalError without the password."""
        with pytest.raises(bs.JournalError) as raised:
            bs.open_journal("postgresql://clerc:secret@127.0.0.1:9/absente?connect_timeout=2")

        assert "secret" not in str(raised.value)
        assert "clerc:***@127.0.0.1:9" in str(raised.value)


class TestPostgresSettings:
    """Where the PostgreSQL tests find their server."""

    def test_skip_outside_ci(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Unset outside CI, the PostgreSQL tests skip."""
        monkeypatch.delenv("BETASTATE_TEST_POSTGRES", raising=False)
        monkeypatch.delenv("CI", raising=False)

        with pytest.raises(pytest.skip.Exception):
            postgres_base()

    def test_fail_in_ci(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Unset under CI=true, the PostgreSQL tests fail."""
        monkeypatch.delenv("BETASTATE_TEST_POSTGRES", raising=False)
        monkeypatch.setenv("CI", "true")

        with pytest.raises(pytest.fail.Exception):
            postgres_base()

    def test_conninfo(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A key=value conninfo is turned into a URL."""
        monkeypatch.setenv("BETASTATE_TEST_POSTGRES", "host=/run/pg dbname=essai user=postgres")

        url = postgres_base()

        assert url.startswith("postgresql://?")
        assert {"host": ["/run/pg"], "dbname": ["essai"], "user": ["postgres"]} == (
            urllib.parse.parse_qs(url.split("?", 1)[1])
        )


class TestUrls:
    """The URL picks the engine; a wrong one says what to write."""

    @pytest.mark.parametrize(
        ("url", "problem"),
        [
            ("journal.db", "not a journal URL"),
            ("mysql://localhost/x", "not a journal URL"),
            ("sqlite://serveur/journal.db", "names no host"),
            ("sqlite:///tmp/j.db?journal_mode=delete", "unknown SQLite option journal_mode"),
            ("sqlite:///tmp/j.db?synchronous=sometimes", "is not a SQLite setting"),
            ("sqlite:///tmp/j.db?busy_timeout=soon", "is not a number"),
        ],
    )
    def test_bad_urls(self, url: str, problem: str) -> None:
        """Each bad URL raises a JournalError naming the problem and the fix."""
        with pytest.raises(bs.JournalError, match=problem) as raised:
            bs.open_journal(url)

        assert raised.value.fix

    def test_unparsable_url_is_redacted(self) -> None:
        """A URL urllib cannot split still gives a JournalError, without its password."""
        from betastate.journal._open import redact  # noqa: PLC0415

        assert "secret" not in redact("postgresql://clerc:secret@[::1/journal")

    def test_not_a_string(self) -> None:
        """A path object is not a URL."""
        with pytest.raises(bs.InvalidType, match=r"sqlite:///journal\.db"):
            bs.open_journal(Path("journal.db"))  # type: ignore[arg-type]

    def test_relative_and_absolute(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """sqlite:name.db is relative to the current folder; sqlite:///path is absolute."""
        monkeypatch.chdir(tmp_path)
        with bs.open_journal("sqlite:relatif.db") as journal:
            journal.create(bs.Startup(slug="a", title="A"))
        with bs.open_journal(f"sqlite://{tmp_path}/relatif.db") as journal:
            assert ("a",) == journal.slugs()

    def test_memory_forms(self) -> None:
        """sqlite://, sqlite:///:memory: and sqlite::memory: are fresh memory journals."""
        for url in ("sqlite://", "sqlite:///:memory:", "sqlite::memory:"):
            with bs.open_journal(url) as journal:
                journal.create(bs.Startup(slug="a", title="A"))
                assert ("a",) == journal.slugs()
        with bs.open_journal("sqlite://") as journal:
            assert () == journal.slugs()

    def test_missing_folder(self, tmp_path: Path) -> None:
        """A file in a folder that does not exist is a JournalError."""
        with pytest.raises(bs.JournalError, match="SQLite"):
            bs.open_journal(f"sqlite://{tmp_path}/absent/journal.db")

    def test_postgres_without_psycopg(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without the postgres extra, a PostgreSQL URL says what to install."""
        monkeypatch.setitem(sys.modules, "betastate.journal._postgres", None)

        with pytest.raises(bs.JournalError, match=r'pip install "betastate\[postgres\]"') as raised:
            bs.open_journal("postgresql://clerc:secret@localhost/journal")
        assert "secret" not in str(raised.value)

    def test_closed(self) -> None:
        """A closed journal says so."""
        journal = bs.open_journal("sqlite://")
        journal.close()

        with pytest.raises(bs.JournalError, match="closed"):
            journal.slugs()

    def test_import_loads_no_driver(self) -> None:
        """Importing betastate or betastate.journal loads neither sqlite3 nor psycopg."""
        # Under coverage the child's own tracer has loaded sqlite3 (its data file) before
        # betastate: count what the imports themselves add.
        code = (
            "import sys; before = set(sys.modules); "
            "import betastate, betastate.journal; betastate.open_journal; "
            "added = set(sys.modules) - before; "
            "print(','.join(m for m in ('sqlite3', 'psycopg') if m in added))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )

        assert "" == result.stdout.strip()


class TestSqliteDurability:
    """WAL, synchronous=FULL by default, BEGIN IMMEDIATE, a busy timeout."""

    def pragma(self, journal: Journal, name: str) -> object:
        return journal._recorder._connection().execute(f"PRAGMA {name}").fetchone()[0]

    def test_defaults(self, tmp_path: Path) -> None:
        """A file journal is in WAL mode with synchronous=FULL and a 30 s busy timeout."""
        with bs.open_journal(f"sqlite://{tmp_path}/j.db") as journal:
            assert ("wal", 2, 30_000) == (
                self.pragma(journal, "journal_mode"),
                self.pragma(journal, "synchronous"),
                self.pragma(journal, "busy_timeout"),
            )

    def test_options(self, tmp_path: Path) -> None:
        """synchronous and busy_timeout come from the URL."""
        url = f"sqlite://{tmp_path}/j.db?synchronous=normal&busy_timeout=1500"
        with bs.open_journal(url) as journal:
            assert (1, 1500) == (
                self.pragma(journal, "synchronous"),
                self.pragma(journal, "busy_timeout"),
            )

    def test_a_command_waits_for_the_write_lock(self, tmp_path: Path) -> None:
        """Commands take the write lock first: they wait for another writer, reads go on."""
        path = tmp_path / "j.db"
        with bs.open_journal(f"sqlite://{path}?busy_timeout=300") as journal:
            funded(journal, "guichet")
            other = sqlite3.connect(path, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            with pytest.raises(bs.JournalError, match="busy_timeout"):
                journal.apply("guichet", spend(10))
            waited = time.monotonic() - started
            assert 3 == journal.version("guichet")  # WAL: reading while it is locked
            other.execute("ROLLBACK")
            other.close()

            assert waited >= 0.25
            assert 4 == journal.apply("guichet", spend(10)).version

    def test_commands_queue_for_a_lock_held_briefly(self, tmp_path: Path) -> None:
        """A writer holding the lock for a moment delays a command; it does not fail it."""
        path = tmp_path / "j.db"
        with bs.open_journal(f"sqlite://{path}") as journal:
            funded(journal, "guichet")
            other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            other.execute("BEGIN IMMEDIATE")
            releaser = threading.Timer(0.2, lambda: other.execute("COMMIT"))
            releaser.start()
            outcome = journal.apply("guichet", spend(10))
            releaser.join()
            other.close()

        assert 4 == outcome.version

    def test_newer_layout(self, tmp_path: Path) -> None:
        """A journal whose tables a newer betastate wrote asks for an upgrade."""
        url = f"sqlite://{tmp_path}/j.db"
        bs.open_journal(url).close()
        with sqlite3.connect(tmp_path / "j.db") as raw:
            raw.execute("UPDATE betastate_meta SET value = '99' WHERE key = 'layout'")

        with pytest.raises(bs.JournalError, match="upgrade betastate"):
            bs.open_journal(url)

    def test_not_a_journal(self, tmp_path: Path) -> None:
        """A file that is not SQLite is a JournalError, not a sqlite3 traceback."""
        path = tmp_path / "notes.db"
        path.write_text("ceci n'est pas une base\n" * 100, encoding="utf-8")

        with pytest.raises(bs.JournalError, match="SQLite"):
            bs.open_journal(f"sqlite://{path}")


class TestOlderLayout:
    """A journal written in an older payload layout reads through upcasters."""

    def build(self, tmp_path: Path) -> str:
        path = tmp_path / "ancien.db"
        with sqlite3.connect(path) as raw:
            raw.executescript((DATA / "older-layout.sql").read_text(encoding="utf-8"))
        return f"sqlite://{path}"

    @staticmethod
    def renamed(old: str, new: str):
        def upcast(payload: dict) -> dict:
            payload[new] = payload.pop(old)
            return payload

        return upcast

    def test_fixture_reads_through_upcasters(self, tmp_path: Path) -> None:
        """Version-0 payloads ("date", "euros") read as current events; audit is clean."""
        upcasters = {
            "PhaseEntered": {0: self.renamed("date", "on")},
            "Spent": {0: self.renamed("euros", "amount")},
        }
        with bs.open_journal(self.build(tmp_path), upcasters=upcasters, audit=True) as journal:
            startup = journal.get("atelier-numerique")
            records = journal.records("atelier-numerique")
            findings = journal.findings

        assert "Atelier numérique" == startup.title
        assert [
            bs.PhaseEntered(on=dt.date(2024, 1, 8), phase="investigation"),
            bs.CommitteeHeld(
                on=dt.date(2024, 3, 4),
                decision="continue",
                phase_change="construction",
                period_start=dt.date(2024, 3, 4),
                period_end=dt.date(2024, 9, 4),
                grants=[bs.Grant(source="sponsor", amount=Decimal(90_000))],
            ),
            bs.PhaseEntered(on=dt.date(2024, 3, 4), phase="construction"),
            bs.Spent(on=dt.date(2024, 3, 15), amount=Decimal("1200.50"), label="ateliers"),
        ] == list(startup.history)
        assert [0, 1, 0, 0] == [r.schema_version for r in records]
        assert [] == [f for f in findings or () if f.severity is bs.Severity.ERROR]

    def test_without_upcasters(self, tmp_path: Path) -> None:
        """Without upcasters the old payloads are reported, with the fix."""
        with bs.open_journal(self.build(tmp_path)) as journal:
            with pytest.raises(bs.JournalError, match="no upcaster reads it") as raised:
                journal.get("atelier-numerique")
            found = journal.audit()

        assert "upcasters={'PhaseEntered': {0: function}}" in raised.value.fix
        assert 3 == sum(f.code == "unreadable-event" for f in found)

    def test_new_commands_are_stored_at_the_current_version(self, tmp_path: Path) -> None:
        """Commands applied on an old journal store current payloads after the old ones."""
        upcasters = {
            "PhaseEntered": {0: self.renamed("date", "on")},
            "Spent": {0: self.renamed("euros", "amount")},
        }
        with bs.open_journal(self.build(tmp_path), upcasters=upcasters) as journal:
            outcome = journal.apply(
                "atelier-numerique",
                bs.Spend(on=dt.date(2024, 4, 2), by="intrapreneur", amount=300, label="serveur"),
            )
            records = journal.records("atelier-numerique")

        assert 5 == outcome.version
        assert bs.SCHEMA_VERSION == records[-1].schema_version


class TestFeedWhileWriting:
    """A reader following positions while others commit sees every event, once, in order."""

    @pytest.fixture(params=["sqlite", "postgres"])
    def url(self, request: pytest.FixtureRequest, tmp_path: Path):
        if request.param == "sqlite":
            yield f"sqlite://{tmp_path / 'journal.db'}"
            return
        yield from postgres_url()

    def test_no_event_is_skipped(self, url: str) -> None:
        """4 writers on 4 streams, one reader polling the feed: it misses nothing."""
        with bs.open_journal(url) as journal:
            for n in range(4):
                funded(journal, f"flux-{n}", ENVELOPE * 100)
            start = journal.read(limit=10_000)[-1].position
            done = threading.Event()
            seen: list[int] = []

            def write(n: int) -> None:
                for k in range(60):
                    journal.apply(f"flux-{n}", spend(1, f"{n}-{k}"))

            def follow() -> None:
                after = start
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    finished = done.is_set()
                    page = journal.read(after=after, limit=50)
                    seen.extend(r.position for r in page)
                    if page:
                        after = page[-1].position
                    elif finished:
                        return

            reader = threading.Thread(target=follow, daemon=True)
            reader.start()
            run_threads(write, [(n,) for n in range(4)])
            done.set()
            reader.join(60)
            every = [r.position for r in journal.read(after=start, limit=10_000)]

        assert not reader.is_alive()
        assert 240 == len(every)
        assert every == seen


class TestTwoClerksInMemory:
    """The issue's case, as an app without a journal would write it, and with one."""

    def test_without_a_journal_audit_finds_the_overspend(self) -> None:
        """Both clerks checked against the same envelope: audit now flags the second spend."""
        lifecycle = bs.Lifecycle()
        with bs.open_journal("sqlite://") as journal:
            funded(journal, "guichet")
            read = journal.get("guichet")
        first = lifecycle.apply(read, spend(70_000)).startup
        second = lifecycle.apply(read, spend(70_000)).startup  # decided on the stale envelope
        merged = bs.Startup(
            slug="guichet", title="Guichet", history=(*first.history, second.history[-1])
        )

        assert ["BR-02"] == [f.code for f in bs.audit(merged) if f.severity is bs.Severity.ERROR]
        assert lifecycle.state(merged, on=DAY).envelope.remaining == Decimal(-10_000)


class TestRealSnapshot:
    """The real beta.gouv.fr snapshot goes into a journal and comes back the same."""

    def test_import_is_idempotent(self, snapshot: Path, tmp_path: Path) -> None:
        """Every product is stored as loaded; importing again changes nothing."""
        portfolio = bs.load_portfolio(snapshot, missions=False)
        with bs.open_journal(f"sqlite://{tmp_path / 'reel.db'}") as journal:
            first = journal.import_portfolio(portfolio)
            again = journal.import_portfolio(portfolio)
            stored = journal.portfolio()
            journal._cache.clear()
            cold = journal.portfolio()

        assert len(portfolio) == len(first.created)
        assert sum(len(s.history) for s in portfolio) == first.events
        assert (len(portfolio), 0) == (len(again.unchanged), again.events)
        assert portfolio.startups == stored.startups == cold.startups
