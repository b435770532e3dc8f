"""
Type-checked, never run: the journal as users' type checkers see it.

`mypy --strict typing_tests` must pass; a wrong inferred type is a failure.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import assert_type

import betastate as bs
from betastate.journal import ImportReport, Journal, RecordedEvent


journal = bs.open_journal("sqlite://", rulebook="betagouv", audit=True)
assert_type(journal, Journal)
assert_type(journal.findings, tuple[bs.Finding, ...] | None)
assert_type(journal.create(bs.Startup(slug="s", title="S")), int)

command = bs.Advance(on=dt.date(2025, 1, 6), to="investigation", by=bs.Role.SPONSOR)
outcome = journal.apply("s", command, expected_version=0, command_id="c-1")
assert_type(outcome, bs.Outcome)
assert_type(outcome.version, int | None)
assert_type(journal.get("s", on=dt.date(2025, 1, 6)), bs.Startup)
assert_type(journal.version("s"), int)
assert_type(journal.slugs(), tuple[str, ...])
assert_type(journal.portfolio(), bs.Portfolio)
assert_type(journal.import_portfolio(bs.sample_portfolio()), ImportReport)
assert_type(journal.audit("s"), tuple[bs.Finding, ...])

feed = journal.read(after=0, limit=100)
assert_type(feed, tuple[RecordedEvent, ...])
assert_type(feed[0].id, uuid.UUID)
assert_type(feed[0].recorded_at, dt.datetime)
assert_type(feed[0].event, bs.Event)
assert_type(feed[0].actor, bs.Actor | None)

try:
    journal.apply("s", command, expected_version=3)
except bs.ConcurrencyConflict as conflict:
    assert_type(conflict.expected, int)
    assert_type(conflict.actual, int)
except bs.UnknownStartup as missing:
    assert_type(missing.slug, str)
except bs.JournalError as error:
    assert_type(error.fix, str)

with bs.open_journal("sqlite://") as other:
    assert_type(other, Journal)
