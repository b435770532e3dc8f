"""
The recorder contract: what a storage engine must do for a journal.

A :class:`Recorder` opens transactions; a :class:`Transaction` reads and
writes rows. It knows nothing of startups, commands or rules: payloads are
JSON text, and :class:`betastate.journal.Journal` does the rest. Each
engine is one private module (``_sqlite``, ``_postgres``) and the same
contract test suite (``tests/journal_contract.py``) runs against each.

What every engine guarantees:

- **One writer per stream.** Between :meth:`Transaction.head` with
  ``lock=True`` and the end of the transaction, no other transaction can
  append to that stream; so a command is decided against the latest
  committed history and appends on top of it.
- **Gap-free versions.** A stream's events are numbered 1, 2, ... and
  ``(slug, version)`` is a primary key: a second writer of a version fails.
- **Positions in commit order.** Global positions strictly increase, and a
  transaction that commits position ``p`` commits before any transaction
  is given a position above ``p``. A reader that has seen position ``q``
  has therefore seen every position below it: following the feed by
  position never skips an event that commits later. (SQLite: one writer
  at a time under ``BEGIN IMMEDIATE``. PostgreSQL: positions are assigned
  under a transaction-level advisory lock, held until the commit.)
- **All or nothing.** A transaction that raises is rolled back: a command
  is stored with all its events and its command record, or not at all.
"""

from __future__ import annotations

import abc
import datetime as dt
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager

import attrs


@attrs.frozen
class StreamRow:
    """A stream's head: the startup's descriptive fields and its version."""

    slug: str
    version: int
    descriptor: str
    schema_version: int
    created_at: dt.datetime


@attrs.frozen
class NewEvent:
    """An event to append (the recorder gives it its version and position)."""

    id: uuid.UUID
    recorded_at: dt.datetime
    command_id: str
    command_type: str
    actor: str | None
    event_type: str
    schema_version: int
    payload: str


@attrs.frozen
class EventRow:
    """A stored event, as the engine returns it."""

    position: int
    slug: str
    version: int
    id: uuid.UUID
    recorded_at: dt.datetime
    command_id: str
    command_type: str
    actor: str | None
    event_type: str
    schema_version: int
    payload: str


@attrs.frozen
class CommandRow:
    """
    A command the journal accepted: what it was, and what it returned.

    ``version`` is the stream's version after it; its events are the
    ``events`` versions ending there. ``outcome`` is the JSON of its warnings.
    """

    command_id: str
    slug: str
    command_type: str
    command: str
    version: int
    events: int
    outcome: str
    recorded_at: dt.datetime


@attrs.frozen
class SnapshotRow:
    """The JSON array of a stream's first ``version`` event payloads (current schema)."""

    slug: str
    version: int
    schema_version: int
    events: str


@attrs.frozen
class StreamStats:
    """What the audit needs to find version gaps without reading payloads."""

    slug: str
    version: int
    count: int
    low: int | None
    high: int | None


class Clash(Exception):
    """A unique key refused a row: another transaction wrote it first (retry)."""


class Transaction(abc.ABC):
    """One database transaction; reads see one consistent state."""

    @abc.abstractmethod
    def head(self, slug: str, *, lock: bool = False) -> StreamRow | None:
        """The stream's head; ``lock``: hold the stream's write lock until the end."""

    @abc.abstractmethod
    def rows(self, slug: str, after: int = 0) -> list[EventRow]:
        """The stream's events with a version above ``after``, by version."""

    @abc.abstractmethod
    def snapshot(self, slug: str) -> SnapshotRow | None:
        """The stream's latest snapshot, if any."""

    @abc.abstractmethod
    def command(self, command_id: str) -> CommandRow | None:
        """The accepted command with this id, if any."""

    @abc.abstractmethod
    def slugs(self) -> list[str]:
        """Every stream's slug, sorted."""

    @abc.abstractmethod
    def feed(self, after: int, limit: int) -> list[EventRow]:
        """Up to ``limit`` events with a position above ``after``, by position."""

    @abc.abstractmethod
    def stats(self) -> list[StreamStats]:
        """Per stream: head version, event count, lowest and highest version."""

    @abc.abstractmethod
    def lock_all(self) -> None:
        """Hold every stream's write lock until the end (bulk imports)."""

    @abc.abstractmethod
    def create(self, stream: StreamRow) -> bool:
        """Add a stream at version 0; ``False`` if the slug already has one."""

    @abc.abstractmethod
    def append(
        self, slug: str, after: int, events: Sequence[NewEvent], command: CommandRow | None
    ) -> list[int]:
        """
        Append ``events`` as versions ``after + 1``... and record ``command``.

        The stream must be locked at version ``after``. Returns the
        positions given, in order.

        Raises:
            Clash: A unique key (version, event id, command id) refused a row.
        """

    @abc.abstractmethod
    def save_snapshot(self, snapshot: SnapshotRow) -> None:
        """Replace the stream's snapshot."""


class Recorder(abc.ABC):
    """A storage engine: opens transactions on one database."""

    url: str
    """The database's URL without its password (for messages)."""

    @abc.abstractmethod
    def writing(self) -> AbstractContextManager[Transaction]:
        """A read-write transaction: committed on exit, rolled back if it raises."""

    @abc.abstractmethod
    def reading(self) -> AbstractContextManager[Transaction]:
        """A read-only transaction that sees one committed state."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close every connection this recorder opened."""
