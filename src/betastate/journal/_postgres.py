"""
The PostgreSQL engine (psycopg 3; ``pip install "betastate[postgres]"``).

Durability and concurrency:

- **Primary key ``(slug, version)``** on events: two writers can never
  store the same version of a stream, whatever happens above.
- **One writer per stream.** A command reads its stream's head with
  ``SELECT ... FOR UPDATE`` (read committed), which waits for any other
  transaction writing that stream to end and then returns the committed
  head; every later statement sees what that writer committed. Writers of
  different streams run side by side.
- **Positions in commit order.** Just before it inserts, a transaction
  takes a transaction-level advisory lock (keyed by the events table's
  oid), then gives its events the positions after ``max(position)``. The
  lock is released only after the commit is visible, so a transaction that
  gets position ``p + 1`` started numbering after the one holding ``p``
  committed (or rolled back). A reader that sees position ``q`` therefore
  sees every position below it, and following the feed never skips an
  event that commits later; a sequence alone would not ensure this (a
  transaction can draw 5, another 6, and 6 commit first). The lock is held
  only for the inserts and the commit, not while the command is decided.
- **Bulk imports** take ``LOCK TABLE ... IN EXCLUSIVE MODE`` on the streams
  first (plain reads go on), so an import and a command never wait on each
  other in a cycle.
- Commits are as durable as the server's ``synchronous_commit`` says (on by
  default: flushed to the server's WAL before the commit returns).

Each thread of a process has its own connection; a child process opens its
own (a connection never crosses a fork).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors

from betastate._values.errors import JournalError
from betastate.journal._recorder import Recorder, Transaction
from betastate.journal._sql import SqlTransaction, check_layout


SCHEMA = (
    "CREATE TABLE IF NOT EXISTS betastate_meta (key text PRIMARY KEY, value text NOT NULL)",
    (
        "CREATE TABLE IF NOT EXISTS betastate_streams ("
        " slug text PRIMARY KEY,"
        " version bigint NOT NULL,"
        " descriptor text NOT NULL,"
        " schema_version integer NOT NULL,"
        " created_at timestamptz NOT NULL)"
    ),
    (
        "CREATE TABLE IF NOT EXISTS betastate_events ("
        " slug text NOT NULL REFERENCES betastate_streams (slug),"
        " version bigint NOT NULL CHECK (version > 0),"
        " position bigint NOT NULL UNIQUE,"
        " id uuid NOT NULL UNIQUE,"
        " recorded_at timestamptz NOT NULL,"
        " command_id text NOT NULL,"
        " command_type text NOT NULL,"
        " actor jsonb,"
        " event_type text NOT NULL,"
        " schema_version integer NOT NULL,"
        " payload jsonb NOT NULL,"
        " PRIMARY KEY (slug, version))"
    ),
    (
        "CREATE TABLE IF NOT EXISTS betastate_commands ("
        " command_id text PRIMARY KEY,"
        " slug text NOT NULL REFERENCES betastate_streams (slug),"
        " command_type text NOT NULL,"
        " command text NOT NULL,"
        " version bigint NOT NULL,"
        " events integer NOT NULL,"
        " outcome text NOT NULL,"
        " recorded_at timestamptz NOT NULL)"
    ),
    (
        "CREATE TABLE IF NOT EXISTS betastate_snapshots ("
        " slug text PRIMARY KEY REFERENCES betastate_streams (slug),"
        " version bigint NOT NULL,"
        " schema_version integer NOT NULL,"
        " events text NOT NULL)"
    ),
)


TABLES = (
    "betastate_meta",
    "betastate_streams",
    "betastate_events",
    "betastate_commands",
    "betastate_snapshots",
)


class _PostgresTransaction(SqlTransaction):
    placeholder = "%s"
    payload_column = "payload::text"
    actor_column = "actor::text"

    def time_in(self, value: dt.datetime) -> dt.datetime:
        return value

    def time_out(self, value: Any) -> dt.datetime:
        return value.astimezone(dt.UTC)  # type: ignore[no-any-return]

    def uuid_in(self, value: uuid.UUID) -> uuid.UUID:
        return value

    def uuid_out(self, value: Any) -> uuid.UUID:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))

    def is_unique_violation(self, error: BaseException) -> bool:
        return isinstance(error, errors.UniqueViolation)

    def lock_stream_clause(self) -> str:
        return " FOR UPDATE"

    def lock_positions(self) -> None:
        self.execute("SELECT pg_advisory_xact_lock('betastate_events'::regclass::oid::bigint)")

    def json_in(self) -> str:
        return "?::jsonb"

    def lock_all(self) -> None:
        self.execute("LOCK TABLE betastate_streams IN EXCLUSIVE MODE")


class PostgresRecorder(Recorder):
    """
    A journal in one PostgreSQL database (the tables of the connection's schema).

    Args:
        url: The journal's URL without its password (for messages).
        conninfo: What psycopg connects with (the URL as given).
    """

    def __init__(self, url: str, conninfo: str) -> None:
        self.url = url
        self.conninfo = conninfo
        self._local = threading.local()
        self._opened: list[psycopg.Connection[Any]] = []
        self._guard = threading.Lock()
        self._closed = False
        try:
            with self.writing() as transaction:
                assert isinstance(transaction, SqlTransaction)  # noqa: S101
                present = transaction.execute(
                    "SELECT count(to_regclass(name)) FROM unnest(%s::text[]) AS name",
                    (list(TABLES),),
                ).fetchone()[0]
                if present != len(TABLES):
                    # Two processes creating the tables at once would clash on the catalog.
                    transaction.execute(
                        "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.betastate'))"
                    )
                    for statement in SCHEMA:
                        transaction.execute(statement)
                check_layout(url, transaction)
        except BaseException:
            self.close()
            raise

    def _connection(self) -> psycopg.Connection[Any]:
        if self._closed:
            raise JournalError(self.url, "the journal is closed", "open it again")
        pid = os.getpid()
        connection: psycopg.Connection[Any] | None = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != pid or connection.broken:
            try:
                connection = psycopg.connect(self.conninfo, autocommit=True)
            except psycopg.Error as exc:
                raise _error(self.url, exc) from None
            with self._guard:
                self._opened.append(connection)
            self._local.connection = connection
            self._local.pid = pid
        return connection

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Transaction]:
        connection = self._connection()
        try:
            connection.execute(begin)
        except psycopg.Error as exc:
            raise _error(self.url, exc) from None
        try:
            with connection.cursor() as cursor:
                yield _PostgresTransaction(cursor)
        except BaseException as exc:
            _rollback(connection)
            if isinstance(exc, psycopg.Error):
                raise _error(self.url, exc) from None
            raise
        try:
            connection.execute("COMMIT")
        except psycopg.Error as exc:
            _rollback(connection)
            raise _error(self.url, exc) from None

    def writing(self) -> Any:
        """A read-committed write transaction (streams are locked row by row)."""
        return self._transaction("BEGIN")

    def reading(self) -> Any:
        """A repeatable-read, read-only transaction: one snapshot for every statement."""
        return self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")

    def close(self) -> None:
        """Close every connection this recorder opened."""
        self._closed = True
        with self._guard:
            opened, self._opened = self._opened, []
        for connection in opened:
            try:
                connection.close()
            except psycopg.Error:
                continue


def _rollback(connection: psycopg.Connection[Any]) -> None:
    if connection.broken or connection.closed:
        return
    try:
        connection.execute("ROLLBACK")
    except psycopg.Error:
        connection.close()


def _error(url: str, exc: psycopg.Error) -> JournalError:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, psycopg.OperationalError):
        return JournalError(
            url,
            f"PostgreSQL: {text}",
            "check the server runs and the URL (host, port, database, user) is right",
        )
    return JournalError(url, f"PostgreSQL: {text}", "check the database is a betastate journal")
