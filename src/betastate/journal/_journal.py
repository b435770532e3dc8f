"""
The journal: startups stored as streams of events, commands applied in transactions.

:class:`Journal` sits on a recorder (``_recorder``: one per engine) and
:class:`betastate.Lifecycle`. A command reads its stream, is decided and is
appended in one transaction holding the stream's write lock, so it is
always decided against the latest committed history.

A command's cost does not grow with the history: the journal keeps, per
slug, the latest startup it decided or read together with its version.
Under the write lock it compares that version with the stored one, and
reads only the events after it (none when it is the only writer). A process
that starts cold reads the stream's snapshot (the JSON array of its first
events at the current schema, rewritten as the stream grows by a quarter) and the
events after it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from betastate._analytics.portfolio import Portfolio
from betastate._engine.audit import audit as audit_startup
from betastate._engine.commands import COMMAND_TYPES, Command
from betastate._engine.lifecycle import Lifecycle, Outcome
from betastate._engine.state import append
from betastate._io.convert import SCHEMA_VERSION, converter, portfolio_to_json, to_data
from betastate._rules.rulebook import Rulebook
from betastate._values.actors import Actor
from betastate._values.errors import (
    ConcurrencyConflict,
    InvalidArgument,
    InvalidType,
    JournalError,
    UnknownStartup,
)
from betastate._values.events import Event
from betastate._values.fields import require, require_date
from betastate._values.reasons import Finding, Reason, Severity
from betastate._values.startup import Startup
from betastate.journal._recorder import (
    Clash,
    CommandRow,
    EventRow,
    NewEvent,
    Recorder,
    SnapshotRow,
    StreamRow,
    Transaction,
)


if TYPE_CHECKING:
    from typing import Self


Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
"""
Turns an event payload stored at schema version ``n`` into version ``n + 1``.

It gets the payload as betastate JSON (a dict with the event's ``_type``)
and returns the next version's; :func:`open_journal` takes them per event
type and stored version: ``upcasters={"Spent": {0: spent_0_to_1}}``.
"""

CREATE: Final = "create"
"""Command type of the events a startup had when :meth:`Journal.create` stored it."""

IMPORT: Final = "import"
"""Command type of the events :meth:`Journal.import_portfolio` stored."""


@attrs.frozen
class RecordedEvent:
    """
    An event as the journal stored it.

    Attributes:
        position: Global position: strictly increasing in commit order.
        slug: The startup's slug (the stream).
        version: Its place in the stream (1, 2, ... with no gap).
        id: The event's UUID.
        recorded_at: When it was stored (UTC).
        command_id: The id of the command that produced it (the caller's,
            or one the journal made).
        command_type: The command's class name (``Spend``...), or
            ``create``/``import`` for events stored as they came.
        actor: Who gave the command (for ``create``/``import``: the
            event's own ``by``).
        schema_version: The schema version its payload was stored at.
        event: The event, at the current schema.

    .. versionadded:: 0.1.0
    """

    position: int
    slug: str
    version: int
    id: uuid.UUID
    recorded_at: dt.datetime
    command_id: str
    command_type: str
    actor: Actor | None
    schema_version: int
    event: Event


@attrs.frozen
class ImportReport:
    """
    What :meth:`Journal.import_portfolio` did, slug by slug.

    Attributes:
        created: Startups the journal did not have.
        extended: Startups whose stored history the imported one continues
            (the new events were appended).
        unchanged: Startups stored exactly as imported.
        diverged: Startups whose stored history or fields differ from the
            imported ones other than by new events: left as they were.
        events: Events appended in all.

    .. versionadded:: 0.1.0
    """

    created: tuple[str, ...] = ()
    extended: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    diverged: tuple[str, ...] = ()
    events: int = 0


@attrs.frozen
class _Head:
    """A startup the journal has seen, at a stored version."""

    version: int
    startup: Startup
    snapshot: int


_Key = tuple[str, int]


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _descriptor(startup: Startup) -> str:
    """The startup's descriptive fields as betastate JSON (its history is in the events)."""
    return _dumps(to_data(attrs.evolve(startup, history=())))


def _extend(startup: Startup, events: Sequence[Event]) -> Startup:
    """``startup`` with stored events appended, its fold carried (the engine's own path)."""
    return append(startup, tuple(events)) if events else startup


class Journal:
    """
    Startups stored as streams of events, with commands applied in transactions.

    Open one with :func:`betastate.open_journal`; it is safe to share between
    threads, and several processes may open the same database.

    Args:
        recorder: The storage engine.
        rulebook: The rules commands are decided under.
        upcasters: Per event type, per stored schema version, the function
            that reads that version (see :data:`Upcaster`).
        snapshot_every: Write a stream's snapshot once this many events
            follow the last one (and at least a quarter of what it holds).
        cache: How many startups to keep decided in memory.
        clock: What "today" is for its lifecycle (default: today in UTC).

    Attributes:
        lifecycle: The :class:`betastate.Lifecycle` commands go through.
        url: The database's URL without its password.
        findings: What the audit found when the journal was opened with
            ``audit=True`` (``None`` otherwise).

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        recorder: Recorder,
        *,
        rulebook: Rulebook | str = "betagouv",
        upcasters: Mapping[str, Mapping[int, Upcaster]] | None = None,
        snapshot_every: int = 100,
        cache: int = 10_000,
        clock: Callable[[], dt.date] | None = None,
    ) -> None:
        if isinstance(snapshot_every, bool) or not isinstance(snapshot_every, int):
            raise InvalidType(
                "Journal",
                "snapshot_every",
                snapshot_every,
                "snapshot_every must be a whole number of events",
                "pass an int such as 100",
            )
        if snapshot_every < 1:
            raise InvalidArgument(
                "snapshot_every", snapshot_every, "must be at least 1", "pass 100, the default"
            )
        self._recorder = recorder
        self.lifecycle = Lifecycle(rulebook, clock=clock)
        self.url = recorder.url
        self.findings: tuple[Finding, ...] | None = None
        self._upcasters = {name: dict(steps) for name, steps in (upcasters or {}).items()}
        self._snapshot_every = snapshot_every
        self._cache_size = max(cache, 0)
        self._cache: dict[str, _Head] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Journal({self.url!r}, rulebook={self.lifecycle.rulebook.name!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def rulebook(self) -> Rulebook:
        """The rules commands are decided under."""
        return self.lifecycle.rulebook

    def close(self) -> None:
        """Close the journal's connections (the journal cannot be used after)."""
        self._recorder.close()

    # -- writing ------------------------------------------------------------------------------

    def create(self, startup: Startup) -> int:
        """
        Store a new startup; its history, if any, is stored as it is.

        Returns:
            The stream's version: the number of events stored.

        Raises:
            ConcurrencyConflict: The slug already has a stream (``expected``
                is 0, ``actual`` its version).
        """
        _check_type(startup, Startup, "a betastate.Startup")
        now = dt.datetime.now(dt.UTC)
        with self._recorder.writing() as tx:
            self._create(tx, startup, now, CREATE)
        version = len(startup.history)
        self._remember(startup.slug, _Head(version, startup, 0))
        return version

    def _create(self, tx: Transaction, startup: Startup, now: dt.datetime, kind: str) -> None:
        stream = StreamRow(startup.slug, 0, _descriptor(startup), SCHEMA_VERSION, now)
        if not tx.create(stream):
            head = tx.head(startup.slug)
            raise ConcurrencyConflict(startup.slug, 0, head.version if head is not None else 0)
        if startup.history:
            tx.append(startup.slug, 0, self._stored(startup.history, now, kind), None)

    def _stored(self, events: Iterable[Event], now: dt.datetime, kind: str) -> list[NewEvent]:
        """Events stored as they came (``create``/``import``): one command id for the lot."""
        command_id = f"{kind}:{uuid.uuid4()}"
        return [
            NewEvent(
                id=uuid.uuid4(),
                recorded_at=now,
                command_id=command_id,
                command_type=kind,
                actor=None if event.by is None else _dumps(to_data(event.by)),
                event_type=type(event).__name__,
                schema_version=SCHEMA_VERSION,
                payload=_dumps(to_data(event)),
            )
            for event in events
        ]

    def apply(
        self,
        slug: str,
        command: Command,
        *,
        expected_version: int | None = None,
        command_id: str | None = None,
    ) -> Outcome:
        """
        Decide ``command`` on the latest stored ``slug`` and store what it adds.

        Reading the stream, deciding with :attr:`lifecycle` and appending
        happen in one transaction that holds the stream's write lock.

        Args:
            slug: The startup.
            command: Any betastate command.
            expected_version: The version the caller decided on; if the
                stream has moved on, nothing is stored and
                :exc:`~betastate.ConcurrencyConflict` is raised.
            command_id: The caller's id for the command (an idempotency
                key): applied again, the same id returns the first outcome
                and stores nothing.

        Returns:
            The outcome, with the stream's new ``version``.

        Raises:
            TransitionRefused: The command breaks error rules; nothing is stored.
            ConcurrencyConflict: ``expected_version`` is not the stream's version.
            UnknownStartup: The journal has no such slug.
            JournalError: ``command_id`` was used for another command, or the
                database failed.
        """
        require(slug, str, "slug", _SLUG)
        _check_type(command, COMMAND_TYPES, "a betastate command such as betastate.Spend")
        if expected_version is not None:
            _check_count("expected_version", expected_version)
        if command_id is not None:
            _check_id(command_id)
        text = json.dumps(to_data(command), ensure_ascii=False, sort_keys=True)
        for attempt in range(3):
            try:
                return self._apply(slug, command, text, expected_version, command_id)
            except Clash:
                # Another transaction stored the same command id (or version) first:
                # decide again, which now finds it.
                if attempt == 2:  # noqa: PLR2004
                    raise JournalError(
                        self.url,
                        f"command {command_id!r} on {slug!r} kept clashing with other writers",
                        "retry later",
                    ) from None
        raise AssertionError  # pragma: no cover

    def _apply(
        self,
        slug: str,
        command: Command,
        text: str,
        expected_version: int | None,
        command_id: str | None,
    ) -> Outcome:
        with self._recorder.writing() as tx:
            head = tx.head(slug, lock=True)
            if head is None:
                raise UnknownStartup(self.url, slug)
            if command_id is not None:
                prior = tx.command(command_id)
                if prior is not None:
                    return self._replay(tx, head, prior, slug, text)
            if expected_version is not None and expected_version != head.version:
                raise ConcurrencyConflict(slug, expected_version, head.version)
            known = self._current(tx, head)
            outcome = self.lifecycle.apply(known.startup, command)
            version = head.version + len(outcome.events)
            now = dt.datetime.now(dt.UTC)
            identifier = command_id if command_id is not None else str(uuid.uuid4())
            kind = type(command).__name__
            actor = _dumps(to_data(command.by))
            rows = [
                NewEvent(
                    id=uuid.uuid4(),
                    recorded_at=now,
                    command_id=identifier,
                    command_type=kind,
                    actor=actor,
                    event_type=type(event).__name__,
                    schema_version=SCHEMA_VERSION,
                    payload=_dumps(to_data(event)),
                )
                for event in outcome.events
            ]
            record = CommandRow(
                command_id=identifier,
                slug=slug,
                command_type=kind,
                command=text,
                version=version,
                events=len(rows),
                outcome=_dumps(to_data(list(outcome.warnings))),
                recorded_at=now,
            )
            tx.append(slug, head.version, rows, record)
            snapshot = self._snapshot(tx, slug, version, known.snapshot)
        self._remember(slug, _Head(version, outcome.startup, snapshot))
        return attrs.evolve(outcome, version=version)

    def _replay(
        self, tx: Transaction, head: StreamRow, prior: CommandRow, slug: str, text: str
    ) -> Outcome:
        """The first outcome of a command applied again with the same id."""
        if prior.slug != slug or prior.command != text:
            raise JournalError(
                self.url,
                f"command id {prior.command_id!r} was already used for a {prior.command_type} "
                f"on {prior.slug!r} (version {prior.version}), not for this command on {slug!r}",
                "give each new command a new id; reuse an id only to retry the same command",
            )
        current = self._current(tx, head).startup
        startup = (
            current
            if prior.version == len(current.history)
            else attrs.evolve(current, history=current.history[: prior.version])
        )
        events = startup.history[prior.version - prior.events : prior.version]
        warnings = converter().structure(json.loads(prior.outcome), tuple[Reason, ...])
        return Outcome(startup, events, warnings, version=prior.version)

    def _snapshot(self, tx: Transaction, slug: str, version: int, last: int) -> int:
        """
        Rewrite the snapshot once the events after it reach a quarter of it; its version.

        A cold start then reads at most a fifth of a stream row by row, and the bytes
        written for snapshots stay a few times the stream's own, however long it grows.
        """
        if version - last < max(self._snapshot_every, last // 4):
            return last
        old = tx.snapshot(slug) if last else None
        if old is not None and (old.schema_version != SCHEMA_VERSION or old.version != last):
            old = None
        start = old.version if old is not None else 0
        parts = [
            row.payload
            if row.schema_version == SCHEMA_VERSION
            else _dumps(self._upcast(row, json.loads(row.payload)))
            for row in tx.rows(slug, after=start)
        ]
        body = ",".join(parts)
        if old is None or old.events == "[]":
            text = f"[{body}]"
        else:
            text = f"{old.events[:-1]},{body}]" if body else old.events
        tx.save_snapshot(SnapshotRow(slug, version, SCHEMA_VERSION, text))
        return version

    # -- reading ------------------------------------------------------------------------------

    def get(self, slug: str, on: dt.date | None = None) -> Startup:
        """
        The startup as stored, or as the record stands on a date.

        With ``on``, only the events in force dated on or before it: retracted
        events and their retractions are left out.

        Raises:
            UnknownStartup: The journal has no such slug.
            InvalidType: ``slug`` is not text, or ``on`` not a ``datetime.date``.
        """
        require(slug, str, "slug", _SLUG)
        require_date(on, "on")
        with self._recorder.reading() as tx:
            head = tx.head(slug)
            if head is None:
                raise UnknownStartup(self.url, slug)
            startup = self._current(tx, head).startup
        return _until(startup, on)

    def version(self, slug: str) -> int:
        """
        The stream's version: how many events ``slug`` has (0 for none yet).

        Raises:
            UnknownStartup: The journal has no such slug.
            InvalidType: ``slug`` is not text.
        """
        require(slug, str, "slug", _SLUG)
        with self._recorder.reading() as tx:
            head = tx.head(slug)
        if head is None:
            raise UnknownStartup(self.url, slug)
        return head.version

    def slugs(self) -> tuple[str, ...]:
        """Every stored startup's slug, sorted."""
        with self._recorder.reading() as tx:
            return tuple(tx.slugs())

    def portfolio(self, on: dt.date | None = None) -> Portfolio:
        """
        Every stored startup (as of ``on``), read in one transaction.

        The journal stores startups only: the portfolio has no incubators,
        organisations, members or findings.

        Raises:
            InvalidType: ``on`` is not a ``datetime.date``.
        """
        require_date(on, "on")
        with self._recorder.reading() as tx:
            startups = []
            for slug in tx.slugs():
                head = tx.head(slug)
                if head is not None:
                    startups.append(_until(self._current(tx, head).startup, on))
        return Portfolio(startups=startups, source=self.url)

    def records(self, slug: str, after: int = 0) -> tuple[RecordedEvent, ...]:
        """
        The stream of ``slug`` with what the journal stored about each event.

        Args:
            slug: The startup.
            after: Only the events with a version above this.

        Raises:
            UnknownStartup: The journal has no such slug.
            InvalidArgument: ``after`` is not a whole number from 0.
            InvalidType: ``slug`` is not text.
        """
        require(slug, str, "slug", _SLUG)
        _check_count("after", after)
        with self._recorder.reading() as tx:
            if tx.head(slug) is None:
                raise UnknownStartup(self.url, slug)
            rows = tx.rows(slug, after)
        return tuple(self._recorded(row) for row in rows)

    def read(self, after: int = 0, limit: int = 1000) -> tuple[RecordedEvent, ...]:
        """
        The global feed: events with a position above ``after``, in position order.

        Positions follow commit order, so a projection that remembers the
        last position it handled and asks for what comes after never misses
        an event, even one that was being committed while it read.

        Args:
            after: The last position already handled (0: from the start).
            limit: At most this many events (1 to 10,000).
        """
        _check_count("limit", limit, low=1, high=10_000)
        _check_count("after", after)
        with self._recorder.reading() as tx:
            rows = tx.feed(after, limit)
        return tuple(self._recorded(row) for row in rows)

    def to_json(self, on: dt.date | None = None, *, indent: int | None = None) -> str:
        """Every stored startup as betastate JSON (see :func:`betastate.portfolio_to_json`)."""
        return portfolio_to_json(self.portfolio(on), indent=indent)

    # -- importing and auditing ----------------------------------------------------------------

    def import_portfolio(self, portfolio: Portfolio | Iterable[Startup]) -> ImportReport:
        """
        Store a portfolio's startups; importing it again changes nothing.

        A new slug is created with its history; a stored startup whose
        history the imported one continues gets the new events; one that
        differs otherwise is left alone and reported as ``diverged``. It all
        happens in one transaction. Only startups are stored: the
        portfolio's incubators, organisations, members and findings are not.
        """
        now = dt.datetime.now(dt.UTC)
        created: list[str] = []
        extended: list[str] = []
        unchanged: list[str] = []
        diverged: list[str] = []
        appended = 0
        remember: list[tuple[str, _Head]] = []
        with self._recorder.writing() as tx:
            tx.lock_all()
            for startup in portfolio:
                head = tx.head(startup.slug, lock=True)
                if head is None:
                    self._create(tx, startup, now, IMPORT)
                    created.append(startup.slug)
                    appended += len(startup.history)
                    remember.append((startup.slug, _Head(len(startup.history), startup, 0)))
                    continue
                stored = self._current(tx, head, remember=False).startup
                count = len(stored.history)
                same_fields = attrs.evolve(stored, history=()) == attrs.evolve(startup, history=())
                if not same_fields or startup.history[:count] != stored.history:
                    diverged.append(startup.slug)
                    continue
                tail = startup.history[count:]
                if not tail:
                    unchanged.append(startup.slug)
                    continue
                tx.append(startup.slug, head.version, self._stored(tail, now, IMPORT), None)
                extended.append(startup.slug)
                appended += len(tail)
                longer = _extend(stored, tail)
                remember.append((startup.slug, _Head(head.version + len(tail), longer, 0)))
        for slug, known in remember:
            self._remember(slug, known)
        return ImportReport(
            tuple(created), tuple(extended), tuple(unchanged), tuple(diverged), appended
        )

    def audit(self, slug: str | None = None) -> tuple[Finding, ...]:
        """
        Check the stored rows: the journal's own invariants, then :func:`betastate.audit`.

        It reads every stored event again (not what the journal holds in
        memory), so it finds what was written behind the journal's back.
        The journal's findings (severity error): ``version-gap`` (a stream's
        versions are not 1, 2, ... up to its head), ``unreadable-event`` (a
        payload no upcaster can read), ``snapshot-differs`` (a snapshot that
        is not the stream's first events); then every rule and standing
        invariant of each history, whoever wrote it.

        Args:
            slug: Only this startup (default: all).

        Raises:
            UnknownStartup: ``slug`` is not in the journal.
            InvalidType: ``slug`` is neither text nor ``None``.
        """
        if slug is not None:
            require(slug, str, "slug", _SLUG)
        found: list[Finding] = []
        with self._recorder.reading() as tx:
            stats = tx.stats()
            if slug is not None:
                stats = [s for s in stats if s.slug == slug]
                if not stats:
                    raise UnknownStartup(self.url, slug)
            for stat in stats:
                head = tx.head(stat.slug)
                if head is None:  # pragma: no cover  (same transaction as stats)
                    continue
                whole = stat.count == stat.version and (
                    stat.count == 0 or (stat.low == 1 and stat.high == stat.version)
                )
                if not whole:
                    found.append(self._gap(tx, head))
                startup, readable = self._audited(tx, head, found)
                if whole and readable:
                    snapshot = self._check_snapshot(tx, head, startup, found)
                    if snapshot is not None:  # the stored truth, just read: keep it
                        self._remember(head.slug, _Head(head.version, startup, snapshot))
                found.extend(audit_startup(startup, self.rulebook))
        return tuple(found)

    def _finding(self, code: str, slug: str, message: str) -> Finding:
        return Finding(code, Severity.ERROR, slug, message, self.url)

    def _gap(self, tx: Transaction, head: StreamRow) -> Finding:
        versions = [row.version for row in tx.rows(head.slug)]
        expected = set(range(1, head.version + 1))
        missing = sorted(expected - set(versions))
        beyond = sorted(v for v in versions if v > head.version)
        parts = []
        if missing:
            parts.append(_versions(missing, "missing"))
        if beyond:
            parts.append(_versions(beyond, "beyond its head"))
        detail = "; ".join(parts) or "its versions do not run 1, 2, ... without a gap"
        return self._finding(
            "version-gap", head.slug, f"the stream is at version {head.version} but {detail}"
        )

    def _audited(
        self, tx: Transaction, head: StreamRow, found: list[Finding]
    ) -> tuple[Startup, bool]:
        """Every readable stored event of the stream, and whether all were readable."""
        base = self._base(head)
        rows = tx.rows(head.slug)
        try:
            return attrs.evolve(base, history=self._decode(rows)), True
        except JournalError:
            pass
        events: list[Event] = []
        for row in rows:
            try:
                events.append(self._decode([row])[0])
            except JournalError as exc:
                found.append(
                    self._finding(
                        "unreadable-event",
                        head.slug,
                        f"version {row.version} ({row.event_type}): {exc.problem}",
                    )
                )
        return attrs.evolve(base, history=events), False

    def _check_snapshot(
        self, tx: Transaction, head: StreamRow, startup: Startup, found: list[Finding]
    ) -> int | None:
        """A ``snapshot-differs`` finding if it does not match; else its version (0: none)."""
        snapshot = tx.snapshot(head.slug)
        if snapshot is None or snapshot.schema_version != SCHEMA_VERSION:
            return 0
        try:
            events = _structure(json.loads(snapshot.events), _EVENTS)
        except Exception:  # noqa: BLE001  (cattrs and json raise many kinds)
            events = None
        if events is None or tuple(events) != startup.history[: snapshot.version]:
            found.append(
                self._finding(
                    "snapshot-differs",
                    head.slug,
                    f"the snapshot at version {snapshot.version} is not the stream's first "
                    f"{snapshot.version} stored events; a cold start would read it (delete its row "
                    "from betastate_snapshots: the journal writes a new one)",
                )
            )
            return None
        return snapshot.version

    # -- machinery -----------------------------------------------------------------------------

    def _remember(self, slug: str, head: _Head) -> None:
        if not self._cache_size:
            return
        with self._lock:
            known = self._cache.pop(slug, None)
            if known is not None and known.version > head.version:
                head = known
            self._cache[slug] = head
            while len(self._cache) > self._cache_size:
                self._cache.pop(next(iter(self._cache)))

    def _current(self, tx: Transaction, head: StreamRow, *, remember: bool = True) -> _Head:
        """
        The startup at the stored head: cached, cached plus the new events, or cold.

        ``remember=False`` when ``tx`` may already hold writes of its own (an
        import): what it sees is not committed yet.
        """
        known = self._cache.get(head.slug)
        if known is not None and known.version == head.version:
            return known
        if known is not None and known.version < head.version:
            events = self._decode(tx.rows(head.slug, known.version), known.version, head)
            fresh = _Head(head.version, _extend(known.startup, events), known.snapshot)
        else:
            fresh = self._cold(tx, head)
        if remember:
            self._remember(head.slug, fresh)
        return fresh

    def _cold(self, tx: Transaction, head: StreamRow) -> _Head:
        base = self._base(head)
        events: list[Event] = []
        after = 0
        snapshot = tx.snapshot(head.slug) if head.version else None
        if (
            snapshot is not None
            and snapshot.schema_version == SCHEMA_VERSION
            and snapshot.version <= head.version
        ):
            try:
                events = _structure(json.loads(snapshot.events), _EVENTS)
            except Exception:  # noqa: BLE001  (a bad snapshot is only a lost shortcut)
                events = []
            if len(events) == snapshot.version:
                after = snapshot.version
            else:
                events = []
        events += self._decode(tx.rows(head.slug, after), after, head)
        return _Head(head.version, attrs.evolve(base, history=events), after)

    def _base(self, head: StreamRow) -> Startup:
        try:
            base: Startup = _structure(json.loads(head.descriptor), Startup)
        except Exception as exc:  # noqa: BLE001  (cattrs raises many kinds)
            raise JournalError(
                self.url,
                f"the stored fields of {head.slug!r} are not a betastate startup ({exc})",
                "restore the journal from a backup",
            ) from None
        return base

    def _decode(
        self, rows: Sequence[EventRow], after: int | None = None, head: StreamRow | None = None
    ) -> list[Event]:
        """Payloads to events (upcast to the current schema); checks the versions follow."""
        if after is not None and head is not None:
            versions = [row.version for row in rows]
            if versions != list(range(after + 1, head.version + 1)):
                raise JournalError(
                    self.url,
                    f"the stream {head.slug!r} is at version {head.version} but its stored "
                    f"versions after {after} are {_span(versions)}",
                    "run journal.audit() to see what is missing; restore it from a backup",
                )
        payloads = []
        for row in rows:
            try:
                payload = json.loads(row.payload)
            except ValueError:
                raise self._unreadable(row, "its payload is not JSON") from None
            if row.schema_version != SCHEMA_VERSION:
                payload = self._upcast(row, payload)
            payloads.append(payload)
        try:
            return _structure(payloads, _EVENTS)  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001, S110  (find the row at fault for the message)
            pass
        events: list[Event] = []
        for row, payload in zip(rows, payloads, strict=True):
            try:
                events.append(_structure(payload, _EVENT))
            except Exception as exc:  # noqa: BLE001  (cattrs raises many kinds)
                raise self._unreadable(row, f"not a betastate event ({exc})") from None
        return events  # pragma: no cover  (the list failed, so one row did)

    def _upcast(self, row: EventRow, payload: dict[str, Any]) -> dict[str, Any]:
        version = row.schema_version
        if version > SCHEMA_VERSION:
            raise self._unreadable(
                row,
                f"its payload has schema version {version}, newer than this betastate's "
                f"{SCHEMA_VERSION}",
                "upgrade betastate to read it",
            )
        while version < SCHEMA_VERSION:
            step = self._upcasters.get(row.event_type, {}).get(version)
            if step is None:
                raise self._unreadable(
                    row,
                    f"its payload has schema version {version} and no upcaster reads it",
                    f"pass upcasters={{{row.event_type!r}: {{{version}: function}}}} to "
                    "open_journal, the function returning the payload at the next version",
                )
            payload = step(dict(payload))
            version += 1
        return payload

    def _unreadable(self, row: EventRow, problem: str, fix: str | None = None) -> JournalError:
        return JournalError(
            self.url,
            f"event {row.slug!r} version {row.version} ({row.event_type}, position "
            f"{row.position}): {problem}",
            fix or "restore it from a backup, or register an upcaster that reads it",
        )

    def _recorded(self, row: EventRow) -> RecordedEvent:
        actor = None
        if row.actor is not None:
            actor = converter().structure(json.loads(row.actor), Actor)
        return RecordedEvent(
            position=row.position,
            slug=row.slug,
            version=row.version,
            id=row.id,
            recorded_at=row.recorded_at,
            command_id=row.command_id,
            command_type=row.command_type,
            actor=actor,
            schema_version=row.schema_version,
            event=self._decode([row])[0],
        )


_EVENT: Any = Event
_EVENTS: Any = list[Event]


def _structure(data: Any, kind: Any) -> Any:
    return converter().structure(data, kind)


def _check_type(value: object, kind: type | tuple[type, ...], what: str) -> None:
    if not isinstance(value, kind):
        raise InvalidType("Journal", "", value, f"expected {what}", f"pass {what}")


_SLUG: Final = "a slug as text, e.g. 'guichet-unique'"

_MAX_STORED: Final = 2**63 - 1
"""The largest version or position a journal stores (a signed 64-bit integer, as SQL's)."""


def _check_count(name: str, value: object, *, low: int = 0, high: int = _MAX_STORED) -> None:
    """A whole number from ``low`` to ``high``: versions, positions, limits."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low or value > high:
        bounds = f"from {low} to {high:,}"
        raise InvalidArgument(name, value, f"{name} must be a whole number {bounds}", "pass one")


def _check_id(value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(
            "command_id",
            value,
            "command_id must be a non-blank string",
            "pass the id your app gave the command, e.g. a UUID's text",
        )


def _until(startup: Startup, on: dt.date | None) -> Startup:
    if on is None:
        return startup
    # The corrected record on that date: retracted events and the retractions left out
    # (a retraction names a place, and places move once later events are dropped).
    return attrs.evolve(startup, history=tuple(e for e in startup.in_force if e.on <= on))


def _versions(versions: list[int], what: str) -> str:
    """``version 4 is missing``, ``versions 2, 5 are missing`` (at most ten shown)."""
    shown = ", ".join(map(str, versions[:10])) + (" ..." if len(versions) > 10 else "")  # noqa: PLR2004
    return f"version {shown} is {what}" if len(versions) == 1 else f"versions {shown} are {what}"


def _span(versions: list[int]) -> str:
    if not versions:
        return "none"
    if len(versions) <= 6:  # noqa: PLR2004
        return ", ".join(map(str, versions))
    return f"{versions[0]}, {versions[1]}, ... {versions[-1]} ({len(versions)} rows)"


attrs.resolve_types(RecordedEvent, globals())
attrs.resolve_types(ImportReport, globals())
