"""
The SQLite engine (standard library ``sqlite3``): a file, or memory.

Durability and concurrency:

- **WAL** (write-ahead log): readers never block the writer nor each
  other; each read transaction sees one committed state.
- **``synchronous=FULL`` by default**: every commit is synced to disk
  before :meth:`~betastate.journal.Journal.apply` returns, so an
  acknowledged command survives a power cut. ``NORMAL`` syncs the log only
  at checkpoints: many times faster, still safe against a crash of the
  process, but the last commits before a power cut or an OS crash may be
  lost. ``EXTRA`` also syncs the directory. Choose with
  ``sqlite:///path.db?synchronous=normal``.
- **``BEGIN IMMEDIATE``** for every write: a command takes the database's
  write lock *before* it reads the stream, so it is decided against the
  latest committed history and no other writer can commit in between.
  One writer at a time also keeps global positions in commit order.
  Threads of one process queue on a lock of their own; other processes
  wait in SQLite's busy handler for up to ``busy_timeout`` milliseconds
  (default 30,000; ``?busy_timeout=5000``), then get a
  :class:`~betastate.exceptions.JournalError`.

In memory (``sqlite://``) the database lives as long as the journal, in
one connection that the journal's threads take turns on; other processes
cannot see it.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from betastate._values.errors import JournalError
from betastate.journal._recorder import Recorder, Transaction
from betastate.journal._sql import SqlTransaction, check_layout


SYNCHRONOUS = ("off", "normal", "full", "extra")
"""The values ``PRAGMA synchronous`` takes."""

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS betastate_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    (
        "CREATE TABLE IF NOT EXISTS betastate_streams ("
        " slug TEXT PRIMARY KEY,"
        " version INTEGER NOT NULL,"
        " descriptor TEXT NOT NULL,"
        " schema_version INTEGER NOT NULL,"
        " created_at TEXT NOT NULL)"
    ),
    (
        "CREATE TABLE IF NOT EXISTS betastate_events ("
        " position INTEGER PRIMARY KEY,"
        " slug TEXT NOT NULL REFERENCES betastate_streams (slug),"
        " version INTEGER NOT NULL CHECK (version > 0),"
        " id TEXT NOT NULL UNIQUE,"
        " recorded_at TEXT NOT NULL,"
        " command_id TEXT NOT NULL,"
        " command_type TEXT NOT NULL,"
        " actor TEXT,"
        " event_type TEXT NOT NULL,"
        " schema_version INTEGER NOT NULL,"
        " payload TEXT NOT NULL,"
        " UNIQUE (slug, version))"
    ),
    (
        "CREATE TABLE IF NOT EXISTS betastate_commands ("
        " command_id TEXT PRIMARY KEY,"
        " slug TEXT NOT NULL REFERENCES betastate_streams (slug),"
        " command_type TEXT NOT NULL,"
        " command TEXT NOT NULL,"
        " version INTEGER NOT NULL,"
        " events INTEGER NOT NULL,"
        " outcome TEXT NOT NULL,"
        " recorded_at TEXT NOT NULL)"
    ),
    (
        "CREATE TABLE IF NOT EXISTS betastate_snapshots ("
        " slug TEXT PRIMARY KEY REFERENCES betastate_streams (slug),"
        " version INTEGER NOT NULL,"
        " schema_version INTEGER NOT NULL,"
        " events TEXT NOT NULL)"
    ),
)


class _SqliteTransaction(SqlTransaction):
    def time_in(self, value: dt.datetime) -> str:
        return value.isoformat()

    def time_out(self, value: Any) -> dt.datetime:
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC)

    def uuid_in(self, value: uuid.UUID) -> str:
        return str(value)

    def uuid_out(self, value: Any) -> uuid.UUID:
        return uuid.UUID(value)

    def is_unique_violation(self, error: BaseException) -> bool:
        return isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error)


class SqliteRecorder(Recorder):
    """
    A journal in one SQLite database: a file, or memory (``path=None``).

    Args:
        url: The journal's URL (for messages).
        path: The database file; ``None`` for memory.
        synchronous: ``PRAGMA synchronous`` (see the module's docstring).
        busy_timeout: Milliseconds a writer waits for another process's lock.
    """

    def __init__(
        self,
        url: str,
        path: str | None,
        *,
        synchronous: str = "full",
        busy_timeout: int = 30_000,
    ) -> None:
        self.url = url
        self.path = path
        self.synchronous = synchronous
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        # Threads of this process queue here instead of polling in SQLite's busy handler.
        self._writer = threading.RLock()
        self._shared: sqlite3.Connection | None = None
        self._closed = False
        try:
            self._setup()
        except sqlite3.Error as exc:
            self.close()
            raise _error(url, exc) from None
        except BaseException:
            self.close()
            raise

    def _setup(self) -> None:
        """Open the database in WAL mode and create the tables it lacks."""
        if self.path is None:
            self._shared = self._connect(":memory:")
        connection = self._connection()
        if self.path is not None:
            mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise JournalError(
                    self.url,
                    f"SQLite keeps the journal in {mode!r} mode, not WAL",
                    "put the file on a local file system that supports WAL",
                )
        with self.writing() as transaction:
            _create_tables(self.url, transaction)

    def _connect(self, target: str) -> sqlite3.Connection:
        connection = sqlite3.connect(
            target,
            timeout=self.busy_timeout / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        connection.execute(f"PRAGMA synchronous={self.synchronous}")
        connection.execute(f"PRAGMA busy_timeout={int(self.busy_timeout)}")
        connection.execute("PRAGMA foreign_keys=ON")
        with self._guard:
            self._opened.append(connection)
        return connection

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (the shared one in memory), made on first use."""
        if self._closed:
            raise JournalError(self.url, "the journal is closed", "open it again")
        if self._shared is not None:
            return self._shared
        pid = os.getpid()
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != pid:
            # A connection must not cross a fork: a child opens its own.
            assert self.path is not None  # noqa: S101  (memory has a shared connection)
            connection = self._connect(self.path)
            self._local.connection = connection
            self._local.pid = pid
        return connection

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Transaction]:
        write = begin == "BEGIN IMMEDIATE"
        with self._writer if write or self._shared is not None else _NoLock():
            connection = self._connection()
            try:
                if write and self._shared is None:
                    self._begin_immediate(connection)
                else:
                    connection.execute(begin)
            except sqlite3.Error as exc:
                raise _error(self.url, exc) from None
            try:
                yield _SqliteTransaction(connection.cursor())
            except BaseException as exc:
                connection.rollback()
                if isinstance(exc, sqlite3.Error):
                    raise _error(self.url, exc) from None
                raise
            try:
                connection.execute("COMMIT")
            except sqlite3.Error as exc:
                connection.rollback()
                raise _error(self.url, exc) from None

    def _begin_immediate(self, connection: sqlite3.Connection) -> None:
        """
        ``BEGIN IMMEDIATE``, retried with short sleeps while another process writes.

        SQLite's own busy handler sleeps 1, 2, 5, 10... up to 100 ms between
        tries, which leaves the lock idle most of the time when several
        processes take turns; these tries come every few tenths of a
        millisecond, for up to ``busy_timeout`` in all.
        """
        deadline = time.monotonic() + self.busy_timeout / 1000
        pause = 0.0001
        connection.execute("PRAGMA busy_timeout=0")
        try:
            while True:
                try:
                    connection.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    if not _busy(exc) or time.monotonic() >= deadline:
                        raise
                else:
                    return
                time.sleep(pause * (0.5 + random.random()))  # noqa: S311  (jitter, not secrets)
                pause = min(pause * 2, 0.002)
        finally:
            connection.execute(f"PRAGMA busy_timeout={int(self.busy_timeout)}")

    def writing(self) -> Any:
        """A write transaction under ``BEGIN IMMEDIATE``."""
        return self._transaction("BEGIN IMMEDIATE")

    def reading(self) -> Any:
        """A read transaction (one snapshot of the WAL)."""
        return self._transaction("BEGIN")

    def close(self) -> None:
        """Close every connection (from any thread)."""
        self._closed = True
        with self._guard:
            opened, self._opened = self._opened, []
        for connection in opened:
            try:
                connection.close()
            except sqlite3.Error:
                continue


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_exc: object) -> None:
        return None


def _create_tables(url: str, transaction: Transaction) -> None:
    assert isinstance(transaction, SqlTransaction)  # noqa: S101
    for statement in SCHEMA:
        transaction.execute(statement)
    check_layout(url, transaction)


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _error(url: str, exc: sqlite3.Error) -> JournalError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return JournalError(
            url,
            f"SQLite: {text} (another process held the write lock too long)",
            "retry, or raise busy_timeout (sqlite:///path.db?busy_timeout=60000)",
        )
    return JournalError(url, f"SQLite: {text}", "check the file is a betastate journal")
