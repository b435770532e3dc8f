"""
Projections of a history: phase spans and the state on any date.

The phase on a date is the one with the latest start on or before it;
phases starting the same day are ordered by the rulebook's tie rule
(:func:`tie_key`): under ``first-listed`` (the site's rule) the one recorded
first wins, under ``rank`` the later lifecycle stage wins. An explicit
``end`` is kept on the span but does not change the current phase (as the
website's ``latest_phase`` does, brief §3.3).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import attrs

from betastate._engine.ledger import Envelope, Ledger, add_months, fold, ledger_of
from betastate._values.events import (
    BudgetPublished,
    CommitteeHeld,
    DossierUpdated,
    Event,
    FastLaureate,
    LiquidationDecided,
    NationalImpactDesignated,
    Perennised,
    PhaseEnded,
    PhaseEntered,
    RecoveryFiled,
    Stopped,
    TakenOver,
)
from betastate._values.stopping import ExitPlan, PostMortem, dossier_missing


if TYPE_CHECKING:
    from betastate._rules.rulebook import Rulebook
    from betastate._values.startup import Startup


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
        envelope: The envelope whose period contains the date, if any.
        envelopes: Every envelope opened up to the date.
        remaining_envelope: What is left of ``envelope`` (``None``: none).
        projected_exhaustion: When ``envelope`` runs out at the pace so far.
        granted_total: Euros granted over every period.
        spent_total: Euros spent over every period.
        next_committee_due: The latest date the next committee should be
            held (cadence, scheduled date, 30 days before exhaustion).
        overdue_committees: Dates a committee was due and none was held.
        funding_ended: A stop decision ended the funding and no takeover
            followed (BR-09).
        stop_stage: Where the stop procedures stand: ``safeguard``,
            ``recovery``, ``taken-over``, ``dormant`` or ``stopped``.
        safeguard_until: Deadline of the safeguard period, if one runs.
        post_mortem: The stop's post-mortem.
        dormant: Stopped in dormancy (impact proven, no taker yet).
        taken_over_by: Organisation id of the sponsor that took it over.
        exit_plan: Trajectory, host and running-cost line at exit.
        dossier_done: Takeover dossier items completed (brief §8.5).
        dossier_missing: Takeover dossier items still missing.
        fast_editions: FAST editions won.
        national_impact: Date of the national-impact designation.
        budget_published: Date of the latest budget publication.

    .. versionadded:: 0.1.0
    """

    slug: str
    on: dt.date | None
    phase: str | None
    spans: tuple[PhaseSpan, ...]
    events: tuple[Event, ...]
    terminal: bool = False
    last_committee: CommitteeHeld | None = None
    envelope: Envelope | None = None
    envelopes: tuple[Envelope, ...] = ()
    remaining_envelope: Decimal | None = None
    projected_exhaustion: dt.date | None = None
    granted_total: Decimal = Decimal(0)
    spent_total: Decimal = Decimal(0)
    next_committee_due: dt.date | None = None
    overdue_committees: tuple[dt.date, ...] = ()
    funding_ended: bool = False
    stop_stage: str | None = None
    safeguard_until: dt.date | None = None
    post_mortem: PostMortem | None = None
    dormant: bool = False
    taken_over_by: str | None = None
    exit_plan: ExitPlan | None = None
    dossier_done: tuple[str, ...] = ()
    dossier_missing: tuple[str, ...] = ()
    fast_editions: tuple[int, ...] = ()
    national_impact: dt.date | None = None
    budget_published: dt.date | None = None

    @property
    def ledger(self) -> Ledger:
        """The envelopes as a :class:`Ledger` (for budget checks)."""
        return Ledger(
            self.envelopes, self.spent_total - sum((e.spent for e in self.envelopes), Decimal(0))
        )


_RESUMED_RANK = 1_000_000
"""A takeover resuming a dormant product's phase wins a same-day tie with its stop."""


def tie_key(
    rulebook: Rulebook, on: dt.date, phase: str, index: int, *, resumed: bool = False
) -> tuple[dt.date, int, int]:
    """
    Where a phase entry sorts under the rulebook's tie rule: the greatest key is current.

    ``index`` is the entry's place in the history (or in the file's
    ``phases`` list). Under ``first-listed`` (the site's
    ``phases.max_by { |phase| phase['start'] }``) the latest start wins and
    the entry recorded first wins a tie; under ``rank`` the later stage wins
    a tie, then the entry recorded last. A takeover resuming a dormant
    product's phase (``resumed``) wins a same-day tie under both rules.
    An entry recorded after the current one becomes current exactly when
    its key is greater: the predicate an incremental fold needs.
    """
    if rulebook.tie == "first-listed":
        return (on, 1 if resumed else 0, -index)
    return (on, _RESUMED_RANK if resumed else rulebook.rank(phase), index)


def ordered_entries(
    events: tuple[Event, ...] | list[Event], rulebook: Rulebook
) -> list[PhaseEntered]:
    """
    Phase entries in tie-rule order (:func:`tie_key`): the last one is current.

    A takeover of a dormant product counts as entering the phase it resumes.
    """
    entries: list[tuple[tuple[dt.date, int, int], PhaseEntered]] = []
    for index, event in enumerate(events):
        if isinstance(event, PhaseEntered):
            entries.append((tie_key(rulebook, event.on, event.phase, index), event))
        elif isinstance(event, TakenOver) and event.resumes is not None:
            entry = PhaseEntered(on=event.on, phase=event.resumes, comment="takeover", by=event.by)
            key = tie_key(rulebook, event.on, event.resumes, index, resumed=True)
            entries.append((key, entry))
    entries.sort(key=lambda item: item[0])
    return [item[1] for item in entries]


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


def _current(
    events: tuple[Event, ...], rulebook: Rulebook
) -> tuple[tuple[dt.date, int, int], str] | None:
    """The current entry's tie key and phase, or ``None`` before any phase."""
    best: tuple[tuple[dt.date, int, int], str] | None = None
    for index, event in enumerate(events):
        if isinstance(event, PhaseEntered):
            phase, resumed = event.phase, False
        elif isinstance(event, TakenOver) and event.resumes is not None:
            phase, resumed = event.resumes, True
        else:
            continue
        key = tie_key(rulebook, event.on, phase, index, resumed=resumed)
        if best is None or key > best[0]:
            best = (key, phase)
    return best


def current_phase(events: tuple[Event, ...], rulebook: Rulebook) -> str | None:
    """The phase after every event: latest start, same-day ties by the rulebook's rule."""
    best = _current(events, rulebook)
    return best[1] if best is not None else None


def tie_loser(events: tuple[Event, ...], rulebook: Rulebook, on: dt.date, phase: str) -> str | None:
    """
    The current phase, if it would stay current over ``phase`` entered on ``on``.

    That happens only when the current phase also starts on ``on`` and the
    tie rule keeps it (under ``first-listed``, always): the engine refuses
    such a move (rule ``BS-TIE``) rather than record a phase the site would
    never show as current. ``None`` when the new entry would be current.
    """
    best = _current(events, rulebook)
    if best is None or best[0][0] != on:
        return None
    if tie_key(rulebook, on, phase, len(events)) > best[0]:
        return None
    return best[1]


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
    day = on if on is not None else startup.last_event_date
    last_committee = None
    for event in events:
        if isinstance(event, CommitteeHeld) and (
            last_committee is None or event.on >= last_committee.on
        ):
            last_committee = event
    last = startup.last_event_date
    ledger = ledger_of(startup) if on is None or last is None or on >= last else fold(events)
    envelope = ledger.covering(day) if day is not None else None
    exhaustion = envelope.exhaustion(day) if envelope is not None and day is not None else None
    stops = _stop_facts(events)
    due, overdue = _committees_due(events, spans, rulebook, phase=phase, day=day, ledger=ledger)
    done = tuple(
        dict.fromkeys(item for e in events if isinstance(e, DossierUpdated) for item in e.done)
    )
    return StartupState(
        slug=startup.slug,
        on=day,
        phase=phase,
        spans=spans,
        events=events,
        terminal=phase is not None and rulebook.is_terminal(phase),
        last_committee=last_committee,
        envelope=envelope,
        envelopes=ledger.envelopes,
        remaining_envelope=envelope.remaining if envelope is not None else None,
        projected_exhaustion=exhaustion,
        granted_total=ledger.granted,
        spent_total=ledger.spent,
        next_committee_due=due,
        overdue_committees=overdue,
        dossier_done=done,
        dossier_missing=dossier_missing(done),
        fast_editions=tuple(
            e.edition for e in events if isinstance(e, FastLaureate) and e.edition is not None
        ),
        national_impact=next(
            (e.on for e in events if isinstance(e, NationalImpactDesignated)), None
        ),
        exit_plan=next((e.plan for e in reversed(events) if isinstance(e, Perennised)), None),
        budget_published=max(
            (e.on for e in events if isinstance(e, BudgetPublished)), default=None
        ),
        **stops,
    )


def _stop_facts(events: tuple[Event, ...]) -> dict[str, Any]:
    """Where the stop procedures stand after ``events`` (brief §8.2)."""
    stage: str | None = None
    funding_ended = dormant = False
    safeguard_until: dt.date | None = None
    post_mortem: PostMortem | None = None
    taken_over_by: str | None = None
    for event in events:
        if isinstance(event, CommitteeHeld) and event.decision == "stop":
            funding_ended = True
        elif isinstance(event, LiquidationDecided):
            stage, safeguard_until, funding_ended = "safeguard", event.safeguard_until, True
        elif isinstance(event, RecoveryFiled) and stage == "safeguard":
            stage = "recovery"
        elif isinstance(event, TakenOver):
            stage, taken_over_by, funding_ended, dormant = "taken-over", event.sponsor, False, False
            safeguard_until = None
        elif isinstance(event, Stopped):
            funding_ended = True
            post_mortem = event.post_mortem or post_mortem
            dormant = event.dormant
            stage, safeguard_until = ("dormant" if event.dormant else "stopped"), None
    return {
        "stop_stage": stage,
        "funding_ended": funding_ended,
        "dormant": dormant,
        "safeguard_until": safeguard_until,
        "post_mortem": post_mortem,
        "taken_over_by": taken_over_by,
    }


def committee_interval(rulebook: Rulebook, phase: str | None) -> int | None:
    """Months allowed between committees in ``phase`` (``None``: none are due)."""
    if phase is None or not rulebook.has_phase(phase):
        return None
    definition = rulebook.phase(phase)
    if definition.stop:
        return None
    if definition.terminal:
        return rulebook.thresholds.committee_interval_after_exit_months
    return rulebook.thresholds.committee_interval_months


def _phase_on(spans: tuple[PhaseSpan, ...], day: dt.date) -> str | None:
    phase = None
    for span in spans:
        if span.start <= day:
            phase = span.phase
    return phase


def _lapsed_provisionals(held: list[CommitteeHeld], day: dt.date) -> list[dt.date]:
    """BR-07: ends of provisional envelopes no committee followed before they ran out."""
    lapsed: list[dt.date] = []
    for index, committee in enumerate(held):
        end = committee.period_end
        if committee.decision == "provisional" and end is not None and day >= end:
            following = held[index + 1].on if index + 1 < len(held) else None
            if following is None or following >= end:
                lapsed.append(end)
    return lapsed


def _committees_due(
    events: tuple[Event, ...],
    spans: tuple[PhaseSpan, ...],
    rulebook: Rulebook,
    *,
    phase: str | None,
    day: dt.date | None,
    ledger: Ledger,
) -> tuple[dt.date | None, tuple[dt.date, ...]]:
    """The next committee's due date, and the due dates missed (brief §6.2)."""
    if day is None or not spans:
        return None, ()
    held = [e for e in events if isinstance(e, CommitteeHeld)]
    overdue: list[dt.date] = []
    for previous, following in pairwise(held):
        months = committee_interval(rulebook, _phase_on(spans, previous.on))
        if months is not None and following.on > add_months(previous.on, months):
            overdue.append(add_months(previous.on, months))
    overdue = sorted({*overdue, *_lapsed_provisionals(held, day)})
    months = committee_interval(rulebook, phase)
    if months is None:
        return None, tuple(overdue)
    baseline = held[-1].on if held else spans[0].start
    candidates = [add_months(baseline, months)]
    if held and held[-1].next_on is not None:
        candidates.append(held[-1].next_on)
    latest = max(ledger.envelopes, key=lambda e: e.end, default=None)
    if latest is not None and latest.end > baseline:
        notice = dt.timedelta(days=rulebook.thresholds.exhaustion_notice_days_min)
        candidates.append(latest.exhaustion(max(day, latest.start)) - notice)
    due = min(candidates)
    if held and day > add_months(baseline, months) and add_months(baseline, months) not in overdue:
        overdue.append(add_months(baseline, months))
    return due, tuple(sorted(overdue))
