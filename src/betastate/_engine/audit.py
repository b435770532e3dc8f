"""
The rulebook's rules checked on a history as it was recorded.

:class:`betastate.Lifecycle` refuses a command that breaks a rule; data
loaded from files was never checked, so :func:`audit` replays its phase
entries in the tie-rule order (``_state.ordered_entries``) and reports
every rule broken, as :class:`betastate.Finding` values whose code is the
rule id and whose severity is the rulebook's. Rules the rulebook lacks or
turns ``off`` are skipped.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_right
from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

from betastate._engine.invariants import standing
from betastate._engine.ledger import add_months
from betastate._engine.state import PhaseSpan, committee_interval, ordered_entries, spans_of
from betastate._values.events import (
    EVENT_TYPES,
    CommitteeHeld,
    Event,
    PhaseEnded,
    PhaseEntered,
    Retracted,
)
from betastate._values.fields import date_fields, dated_fields, require, require_date
from betastate._values.reasons import Finding, Severity
from betastate._values.startup import Startup


if TYPE_CHECKING:
    from betastate._rules.rulebook import Rulebook, TransitionDef


def audit(
    startup: Startup, rulebook: Rulebook | None = None, *, on: dt.date | None = None
) -> tuple[Finding, ...]:
    """
    Every rulebook rule the history of ``startup`` breaks.

    Checks dates outside the rulebook's range (``BS-DATE``), unknown phases
    (``BS-PHASE``), a phase entered twice (``N4``), an
    explicit end not after its start (``N5``), moves out of a stop (``N6``),
    moves the rulebook lacks (``BS-MOVE``, including a first phase other
    than the rulebook's entry), moves seen only in legacy data (``N8``),
    phases longer than their maximum (``DUR-MAX``) and gaps between
    committees longer than the cadence (``BR-04``); then the standing
    invariants of any recorded history (``_invariants``): events out of date
    order (``BS-CHRONO``), spending outside an envelope (``BR-01``) or beyond
    its grant (``BR-02``), stops without a complete post-mortem (``ST-PM``).
    Retracted events count for nothing: each retraction is reported as an
    ``info`` finding (``BS-RETRACT``) instead.

    Args:
        startup: The startup whose history to check.
        rulebook: The rules (default: ``betastate.rulebook()``).
        on: Date up to which a running phase counts for ``DUR-MAX``
            (default: running phases are not measured).

    Returns:
        The rule findings in history order, then the invariant findings in
        history order; empty if the history keeps every rule.

    .. versionadded:: 0.1.0
    """
    require(startup, Startup, "startup", "a betastate.Startup")
    require_date(on, "on")
    if rulebook is None:
        from betastate._rules.loading import load_rulebook  # noqa: PLC0415  (cached built-in)

        rulebook = load_rulebook("betagouv")
    return (
        *_Audit(startup, rulebook).run(on),
        *standing(startup, rulebook),
        *retractions(startup),
    )


def retractions(startup: Startup) -> list[Finding]:
    """
    One ``info`` finding (``BS-RETRACT``) per retraction, naming what it retracts.

    The retracted events count for nothing in the other checks; these
    findings keep them in sight.
    """
    out: list[Finding] = []
    for place, event in enumerate(startup.history, start=1):
        if isinstance(event, Retracted) and 1 <= event.version <= len(startup.history):
            target = startup.history[event.version - 1]
            why = f": {event.reason}" if event.reason else ""
            message = (
                f"event {event.version} ({type(target).__name__} on {target.on}) was retracted "
                f"on {event.on} (event {place}){why}; it counts for nothing"
            )
            out.append(
                Finding(
                    "BS-RETRACT",
                    Severity.INFO,
                    startup.slug,
                    message,
                    None,
                    None,
                    (target.on, event.on),
                )
            )
    return out


_CACHE: dict[int, tuple[Rulebook, dict[tuple[str | None, str], TransitionDef]]] = {}


def _transitions(book: Rulebook) -> dict[tuple[str | None, str], TransitionDef]:
    """``(source, dest) → transition`` of ``book`` (rulebooks are immutable: built once)."""
    cached = _CACHE.get(id(book))
    if cached is not None and cached[0] is book:
        return cached[1]
    moves = {(source, t.dest): t for t in book.transitions for source in (t.sources or (None,))}
    if len(_CACHE) > 16:  # noqa: PLR2004  (a handful of rulebooks per process)
        _CACHE.clear()
    _CACHE[id(book)] = (book, moves)
    return moves


@functools.cache
def _dated_once() -> frozenset[type]:
    """The event classes whose only date is ``on``."""
    return frozenset(kind for kind in EVENT_TYPES if date_fields(kind) == ("on",))


Locate = Callable[[str, tuple[dt.date, ...]], tuple[str | None, int | None]]
"""(rule id, dates) → (file, line) of a finding; the loader passes one."""


class _Audit:
    def __init__(self, startup: Startup, rulebook: Rulebook, locate: Locate | None = None) -> None:
        self.startup = startup
        self.book = rulebook
        self.locate = locate
        self.found: list[Finding] = []

    def add(self, rule: str, message: str, *dates: dt.date) -> None:
        severity = self.book.severity(rule)
        if severity is Severity.OFF:
            return
        file, line = self.locate(rule, dates) if self.locate is not None else (None, None)
        self.found.append(Finding(rule, severity, self.startup.slug, message, file, line, dates))

    def run(self, on: dt.date | None) -> list[Finding]:
        history = self.startup.in_force
        entries = ordered_entries(history, self.book)
        spans = spans_of(history, self.book)
        self.dates(history)
        self.phases(entries)
        self.moves(entries)
        self.ends(history, entries)
        self.durations(spans, on)
        self.committees(spans)
        return self.found

    def dates(self, history: tuple[Event, ...]) -> None:
        th = self.book.thresholds
        low, high = th.earliest_date, th.latest_date
        once = _dated_once()
        for event in history:
            if event.__class__ in once and low <= event.on <= high:
                continue  # the common case: one date, in range
            for field, day in dated_fields(event):
                if not low <= day <= high:
                    self.add(
                        "BS-DATE",
                        f"{type(event).__name__} {field} {day} is outside the dates rulebook "
                        f"{self.book.name!r} accepts ({low} to {high})",
                        day,
                    )

    def phases(self, entries: list[PhaseEntered]) -> None:
        book = self.book
        seen: set[str] = set()
        for entry in entries:
            if not book.has_phase(entry.phase):
                self.add(
                    "BS-PHASE",
                    f"phase {entry.phase!r} ({entry.on}) is not a status of rulebook "
                    f"{book.name!r} (known: {', '.join(book.phase_values)})",
                    entry.on,
                )
            if entry.phase in seen:
                self.add(
                    "N4", f"phase {entry.phase!r} is entered twice (again on {entry.on})", entry.on
                )
            seen.add(entry.phase)

    def moves(self, entries: list[PhaseEntered]) -> None:
        book = self.book
        known = [e for e in entries if book.has_phase(e.phase)]
        if known:
            first = known[0]
            if (None, first.phase) not in _transitions(book):
                starts = ", ".join(t.dest for t in book.transitions_from(None))
                self.add(
                    "BS-MOVE",
                    f"the history starts in {first.phase} ({first.on}); rulebook "
                    f"{book.name!r} starts products in {starts}",
                    first.on,
                )
        moves = _transitions(book)
        for before, after in pairwise(known):
            if before.phase == after.phase:
                continue
            transition = moves.get((before.phase, after.phase))
            stop = book.phase(before.phase).stop
            if not stop and transition is not None and not transition.data_only:
                continue  # the common case: an allowed move, no message to build
            move = f"{before.phase} → {after.phase} on {after.on}"
            if stop:
                self.add("N6", f"{move}: nothing leaves a stop", before.on, after.on)
            if transition is None:
                self.add(
                    "BS-MOVE",
                    f"{move} is not a transition of rulebook {book.name!r}",
                    before.on,
                    after.on,
                )
            elif transition.data_only:
                self.add(
                    "N8",
                    f"{move} ({transition.id}) is seen only in legacy data",
                    before.on,
                    after.on,
                )

    def ends(self, history: tuple[object, ...], entries: list[PhaseEntered]) -> None:
        first_start: dict[str, dt.date] = {}  # entries are in date order: the first is the earliest
        for entry in entries:
            first_start.setdefault(entry.phase, entry.on)
        for event in history:
            if isinstance(event, PhaseEnded):
                first = first_start.get(event.phase, event.on)
                if not first < event.on:
                    self.add(
                        "N5",
                        f"phase {event.phase!r} ends on {event.on}, not after its start ({first})",
                        first,
                        event.on,
                    )

    def durations(self, spans: tuple[PhaseSpan, ...], on: dt.date | None) -> None:
        book = self.book
        for span in spans:
            if not book.has_phase(span.phase):
                continue
            limit = book.phase(span.phase).max_days
            end = span.end or on
            if limit is None or end is None:
                continue
            days = (end - span.start).days
            if days > limit:
                running = "" if span.end is not None else f" (still running on {on})"
                self.add(
                    "DUR-MAX",
                    f"{span.phase} lasted {days} days from {span.start}{running}; "
                    f"the rulebook's maximum is {limit}",
                    span.start,
                    end,
                )

    def committees(self, spans: tuple[PhaseSpan, ...]) -> None:
        held = [e for e in self.startup.in_force if isinstance(e, CommitteeHeld)]
        if len(held) <= 1:
            return
        starts = [span.start for span in spans]  # spans are in date order
        for before, after in pairwise(held):
            begun = bisect_right(starts, before.on)
            phase = spans[begun - 1].phase if begun else None
            months = committee_interval(self.book, phase)
            if months is not None and after.on > add_months(before.on, months):
                self.add(
                    "BR-04",
                    f"{(after.on - before.on).days} days between the committees of {before.on} "
                    f"and {after.on} (in {phase}); the cadence is {months} months",
                    before.on,
                    after.on,
                )
