"""
Projections of a history: phase spans and the state on any date.

The phase on a date is the one with the latest start on or before it;
phases starting the same day are ordered by lifecycle rank (the later stage
wins), then by the order they were recorded in. An explicit ``end`` is kept
on the span but does not change the current phase (as the website's
``latest_phase`` does, brief §3.3).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from ._events import CommitteeHeld, Event, PhaseEnded, PhaseEntered


if TYPE_CHECKING:
    from ._model import Startup
    from ._rulebook import Rulebook


@attrs.frozen
class PhaseSpan:
    """
    A phase and the dates it covers.

    Attributes:
        phase: The status value.
        start: First day.
        end: Day it ended (the next phase's start, or an explicit ``end``);
            ``None`` while it is still running.
        explicit_end: Whether ``end`` comes from an explicit ``PhaseEnded``.

    .. versionadded:: 0.1.0
    """

    phase: str
    start: dt.date
    end: dt.date | None = None
    explicit_end: bool = False

    def days(self, until: dt.date) -> int:
        """Length in days, counting a running span up to ``until``."""
        return ((self.end or until) - self.start).days


@attrs.frozen
class StartupState:
    """
    A startup as it stood on a date.

    Attributes:
        slug: The startup's slug.
        on: The date (for the current state: the last event's date).
        phase: Phase on that date (``None`` before the first one).
        spans: Phase spans known on that date, in lifecycle order.
        events: Events up to that date, in recorded order.
        terminal: Whether ``phase`` is terminal in the rulebook.
        last_committee: The latest committee held up to that date.

    .. versionadded:: 0.1.0
    """

    slug: str
    on: dt.date | None
    phase: str | None
    spans: tuple[PhaseSpan, ...]
    events: tuple[Event, ...]
    terminal: bool = False
    last_committee: CommitteeHeld | None = None


def ordered_entries(
    events: tuple[Event, ...] | list[Event], rulebook: Rulebook
) -> list[PhaseEntered]:
    """Phase entries by (start, rank, recorded order): the tie rule."""
    entries = [
        (event.on, rulebook.rank(event.phase), index, event)
        for index, event in enumerate(events)
        if isinstance(event, PhaseEntered)
    ]
    entries.sort(key=lambda item: (item[0], item[1], item[2]))
    return [item[3] for item in entries]


def spans_of(events: tuple[Event, ...] | list[Event], rulebook: Rulebook) -> tuple[PhaseSpan, ...]:
    """The phase spans a list of events describes."""
    entries = ordered_entries(events, rulebook)
    explicit: dict[str, list[dt.date]] = {}
    for event in events:
        if isinstance(event, PhaseEnded):
            explicit.setdefault(event.phase, []).append(event.on)
    spans: list[PhaseSpan] = []
    for index, entry in enumerate(entries):
        ends = [day for day in explicit.get(entry.phase, ()) if day >= entry.on]
        if ends:
            spans.append(PhaseSpan(entry.phase, entry.on, min(ends), explicit_end=True))
        elif index + 1 < len(entries):
            spans.append(PhaseSpan(entry.phase, entry.on, entries[index + 1].on))
        else:
            spans.append(PhaseSpan(entry.phase, entry.on))
    return tuple(spans)


def current_phase(events: tuple[Event, ...], rulebook: Rulebook) -> str | None:
    """The phase after every event: latest start, ties by rank then order."""
    best: PhaseEntered | None = None
    best_key: tuple[dt.date, int] | None = None
    for event in events:
        if isinstance(event, PhaseEntered):
            key = (event.on, rulebook.rank(event.phase))
            if best_key is None or key >= best_key:
                best, best_key = event, key
    return None if best is None else best.phase


def project(startup: Startup, rulebook: Rulebook, on: dt.date | None = None) -> StartupState:
    """The state of ``startup`` on ``on`` (``None``: after every event)."""
    events = startup.history if on is None else tuple(e for e in startup.history if e.on <= on)
    spans = spans_of(events, rulebook)
    if on is not None:
        # A span whose end is after ``on`` was still running on that day.
        spans = tuple(
            span
            if span.end is None or span.end <= on
            else attrs.evolve(span, end=None, explicit_end=False)
            for span in spans
        )
    phase = current_phase(events, rulebook)
    last_committee = None
    for event in events:
        if isinstance(event, CommitteeHeld) and (
            last_committee is None or event.on >= last_committee.on
        ):
            last_committee = event
    return StartupState(
        slug=startup.slug,
        on=on if on is not None else startup.last_event_date,
        phase=phase,
        spans=spans,
        events=events,
        terminal=phase is not None and rulebook.is_terminal(phase),
        last_committee=last_committee,
    )
