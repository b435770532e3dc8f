"""
The SQL both engines share: tables, statements and row conversions.

Statements are written with ``?`` placeholders (SQLite's style) and turned
into ``%s`` for psycopg. Each engine subclasses :class:`SqlTransaction` for
what differs: locking, value types and the errors of its driver.

Tables (prefix ``betastate_``):

- ``meta``: the layout version of the tables;
- ``streams``: one row per startup (its descriptive fields as betastate
  JSON, and the version of its latest event);
- ``events``: one row per event, primary key ``(slug, version)``, a unique
  global ``position`` and a unique ``id``;
- ``commands``: one row per accepted command (its JSON, the version it led
  to, its warnings) for idempotent retries and audits;
- ``snapshots``: per stream, the JSON array of its first ``version`` event
  payloads at the current schema, for cold starts.
"""

from __future__ import annotations

import abc
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from betastate._values.errors import JournalError
from betastate.journal._recorder import (
    Clash,
    CommandRow,
    EventRow,
    NewEvent,
    SnapshotRow,
    StreamRow,
    StreamStats,
    Transaction,
)


LAYOUT = 1
"""Version of the table layout; a database with a higher one was written by a newer betastate."""

EVENT_COLUMNS = (
    "position, slug, version, id, recorded_at, command_id, command_type, actor, "
    "event_type, schema_version, payload"
)


class SqlTransaction(Transaction):
    """The statements of the contract over a DB-API cursor."""

    placeholder = "?"
    payload_column = "payload"
    actor_column = "actor"

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    # -- engine hooks ----------------------------------------------------------------

    def sql(self, statement: str) -> str:
        """``statement`` in the driver's placeholder style."""
        return statement if self.placeholder == "?" else statement.replace("?", self.placeholder)

    @abc.abstractmethod
    def time_in(self, value: dt.datetime) -> Any:
        """A timestamp as the driver stores it."""

    @abc.abstractmethod
    def time_out(self, value: Any) -> dt.datetime:
        """A stored timestamp as an aware UTC datetime."""

    @abc.abstractmethod
    def uuid_in(self, value: uuid.UUID) -> Any:
        """A UUID as the driver stores it."""

    @abc.abstractmethod
    def uuid_out(self, value: Any) -> uuid.UUID:
        """A stored UUID."""

    @abc.abstractmethod
    def is_unique_violation(self, error: BaseException) -> bool:
        """Whether the driver's ``error`` is a unique-key violation."""

    def lock_stream_clause(self) -> str:
        """What ends a head query that locks the stream (PostgreSQL: ``FOR UPDATE``)."""
        return ""

    def lock_positions(self) -> None:
        """Serialise position assignment until the commit (PostgreSQL: an advisory lock)."""

    def json_in(self) -> str:
        """The placeholder of a JSON value (PostgreSQL casts it to ``jsonb``)."""
        return "?"

    # -- helpers -----------------------------------------------------------------------

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; returns the cursor."""
        self.cursor.execute(self.sql(statement), params)
        return self.cursor

    def event(self, row: Sequence[Any]) -> EventRow:
        """One ``events`` row (``EVENT_COLUMNS`` order) as an :class:`EventRow`."""
        return EventRow(
            position=row[0],
            slug=row[1],
            version=row[2],
            id=self.uuid_out(row[3]),
            recorded_at=self.time_out(row[4]),
            command_id=row[5],
            command_type=row[6],
            actor=row[7],
            event_type=row[8],
            schema_version=row[9],
            payload=row[10],
        )

    def select_events(self) -> str:
        """``SELECT`` of every event column, JSON columns as text."""
        columns = EVENT_COLUMNS.replace("actor", self.actor_column).replace(
            "payload", self.payload_column
        )
        return f"SELECT {columns} FROM betastate_events"  # noqa: S608  (constant text)

    # -- the contract ---------------------------------------------------------------------

    def head(self, slug: str, *, lock: bool = False) -> StreamRow | None:
        """The stream's head; ``lock``: hold its write lock until the end."""
        clause = self.lock_stream_clause() if lock else ""
        statement = (
            "SELECT slug, version, descriptor, schema_version, created_at "  # noqa: S608
            f"FROM betastate_streams WHERE slug = ?{clause}"
        )
        row = self.execute(statement, (slug,)).fetchone()
        if row is None:
            return None
        return StreamRow(row[0], row[1], row[2], row[3], self.time_out(row[4]))

    def rows(self, slug: str, after: int = 0) -> list[EventRow]:
        """The stream's events after version ``after``, by version."""
        found = self.execute(
            f"{self.select_events()} WHERE slug = ? AND version > ? ORDER BY version",
            (slug, after),
        ).fetchall()
        return [self.event(row) for row in found]

    def snapshot(self, slug: str) -> SnapshotRow | None:
        """The stream's snapshot, if any."""
        row = self.execute(
            "SELECT slug, version, schema_version, events FROM betastate_snapshots WHERE slug = ?",
            (slug,),
        ).fetchone()
        return None if row is None else SnapshotRow(row[0], row[1], row[2], row[3])

    def command(self, command_id: str) -> CommandRow | None:
        """The accepted command with this id, if any."""
        row = self.execute(
            "SELECT command_id, slug, command_type, command, version, events, outcome, "
            "recorded_at FROM betastate_commands WHERE command_id = ?",
            (command_id,),
        ).fetchone()
        if row is None:
            return None
        return CommandRow(
            row[0], row[1], row[2], row[3], row[4], row[5], row[6], self.time_out(row[7])
        )

    def slugs(self) -> list[str]:
        """Every stream's slug, sorted."""
        found = self.execute("SELECT slug FROM betastate_streams ORDER BY slug").fetchall()
        return [row[0] for row in found]

    def feed(self, after: int, limit: int) -> list[EventRow]:
        """Events after position ``after``, by position, at most ``limit``."""
        found = self.execute(
            f"{self.select_events()} WHERE position > ? ORDER BY position LIMIT ?",
            (after, limit),
        ).fetchall()
        return [self.event(row) for row in found]

    def stats(self) -> list[StreamStats]:
        """Head version, event count and version range of every stream."""
        found = self.execute(
            "SELECT s.slug, s.version, count(e.version), min(e.version), max(e.version) "
            "FROM betastate_streams s LEFT JOIN betastate_events e ON e.slug = s.slug "
            "GROUP BY s.slug, s.version ORDER BY s.slug"
        ).fetchall()
        return [StreamStats(*row) for row in found]

    def lock_all(self) -> None:
        """SQLite's ``BEGIN IMMEDIATE`` already excludes every other writer."""

    def create(self, stream: StreamRow) -> bool:
        """Add a stream at version 0; ``False`` if the slug already has one."""
        cursor = self.execute(
            "INSERT INTO betastate_streams (slug, version, descriptor, schema_version, "
            "created_at) VALUES (?, 0, ?, ?, ?) ON CONFLICT (slug) DO NOTHING",
            (
                stream.slug,
                stream.descriptor,
                stream.schema_version,
                self.time_in(stream.created_at),
            ),
        )
        return bool(cursor.rowcount == 1)

    def append(
        self, slug: str, after: int, events: Sequence[NewEvent], command: CommandRow | None
    ) -> list[int]:
        """Append ``events`` as versions ``after + 1``..., record ``command``; the positions."""
        self.lock_positions()
        top = self.execute("SELECT max(position) FROM betastate_events").fetchone()[0]
        first = (top or 0) + 1
        json_in = self.json_in()
        moved = 0
        try:
            if events:
                self.cursor.executemany(
                    self.sql(
                        f"INSERT INTO betastate_events ({EVENT_COLUMNS}) VALUES "  # noqa: S608
                        f"(?, ?, ?, ?, ?, ?, ?, {json_in}, ?, ?, {json_in})"
                    ),
                    [
                        (
                            first + index,
                            slug,
                            after + 1 + index,
                            self.uuid_in(event.id),
                            self.time_in(event.recorded_at),
                            event.command_id,
                            event.command_type,
                            event.actor,
                            event.event_type,
                            event.schema_version,
                            event.payload,
                        )
                        for index, event in enumerate(events)
                    ],
                )
                moved = self.execute(
                    "UPDATE betastate_streams SET version = ? WHERE slug = ? AND version = ?",
                    (after + len(events), slug, after),
                ).rowcount
            if command is not None:
                self.execute(
                    "INSERT INTO betastate_commands (command_id, slug, command_type, command, "
                    "version, events, outcome, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        command.command_id,
                        command.slug,
                        command.command_type,
                        command.command,
                        command.version,
                        command.events,
                        command.outcome,
                        self.time_in(command.recorded_at),
                    ),
                )
        except Exception as exc:
            if self.is_unique_violation(exc):
                raise Clash(slug) from exc
            raise
        if events and moved != 1:
            raise Clash(slug)  # the stream was not at ``after``: it was not locked
        return list(range(first, first + len(events)))

    def save_snapshot(self, snapshot: SnapshotRow) -> None:
        """Replace the stream's snapshot."""
        self.execute(
            "INSERT INTO betastate_snapshots (slug, version, schema_version, events) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (slug) DO UPDATE SET version = excluded.version, "
            "schema_version = excluded.schema_version, events = excluded.events",
            (snapshot.slug, snapshot.version, snapshot.schema_version, snapshot.events),
        )


def check_layout(url: str, transaction: SqlTransaction) -> None:
    """Record the layout of a new database; refuse one a newer betastate wrote."""
    row = transaction.execute("SELECT value FROM betastate_meta WHERE key = 'layout'").fetchone()
    if row is None:
        transaction.execute(
            "INSERT INTO betastate_meta (key, value) VALUES ('layout', ?)", (str(LAYOUT),)
        )
        return
    if int(row[0]) > LAYOUT:
        raise JournalError(
            url,
            f"the journal's tables have layout {row[0]}, newer than this betastate's {LAYOUT}",
            "upgrade betastate to read it",
        )
