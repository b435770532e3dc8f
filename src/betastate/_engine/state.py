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
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from betastate._engine.ledger import Envelope, Folder, Ledger, add_months
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
    Retracted,
    Stopped,
    TakenOver,
)
from betastate._values.startup import memo_of
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
        retracted: Places (from 1) of the retracted events: they stay in
            ``events`` but count for nothing, on any date (they never did).

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
    retracted: tuple[int, ...] = ()

    @property
    def ledger(self) -> Ledger:
        """The envelopes as a :class:`Ledger` (for budget checks)."""
        return Ledger(
            self.envelopes, self.spent_total - sum((e.spent for e in self.envelopes), Decimal(0))
        )


_RESUMED_RANK = 1_000_000
"""A takeover resuming a dormant product's phase wins a same-day tie with its stop."""

Entry = tuple[int, PhaseEntered, bool]
"""A phase entry as folded: (index in the history, the entry, whether a takeover resumed it)."""


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
    its key is greater.
    """
    if rulebook.tie == "first-listed":
        return (on, 1 if resumed else 0, -index)
    return (on, _RESUMED_RANK if resumed else rulebook.rank(phase), index)


def _entry(index: int, event: Event) -> Entry | None:
    """The phase entry ``event`` makes, if any (a takeover of a dormant product resumes one)."""
    if isinstance(event, PhaseEntered):
        return (index, event, False)
    if isinstance(event, TakenOver) and event.resumes is not None:
        entry = PhaseEntered(on=event.on, phase=event.resumes, comment="takeover", by=event.by)
        return (index, entry, True)
    return None


def _entry_key(entry: Entry, rulebook: Rulebook) -> tuple[dt.date, int, int]:
    index, event, resumed = entry
    return tie_key(rulebook, event.on, event.phase, index, resumed=resumed)


def _in_tie_order(entries: Iterable[Entry], rulebook: Rulebook) -> list[PhaseEntered]:
    """
    Phase entries in the rulebook's tie order (:func:`tie_key`).

    The phase on a date is the last of these that starts on or before it.
    """
    keyed = sorted(entries, key=lambda item: _entry_key(item, rulebook))
    return [item[1] for item in keyed]


def ordered_entries(
    events: tuple[Event, ...] | list[Event], rulebook: Rulebook
) -> list[PhaseEntered]:
    """
    Phase entries of ``events`` in the tie rule's order.

    A takeover of a dormant product counts as entering the phase it resumes.
    """
    entries = (_entry(index, event) for index, event in enumerate(events))
    return _in_tie_order((e for e in entries if e is not None), rulebook)


def _spans(entries: list[PhaseEntered], ended: Iterable[PhaseEnded]) -> tuple[PhaseSpan, ...]:
    explicit: dict[str, list[dt.date]] = {}
    for event in ended:
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


def spans_of(events: tuple[Event, ...] | list[Event], rulebook: Rulebook) -> tuple[PhaseSpan, ...]:
    """The phase spans a list of events describes."""
    return _spans(
        ordered_entries(events, rulebook), (e for e in events if isinstance(e, PhaseEnded))
    )


class Fold:
    """
    Every fact the state of a startup needs, folded from its history one event at a time.

    A startup folds its history once, on first use (see :func:`fold_of`),
    and the engine carries the fold to the startup a command derives from it
    (see :func:`append`), feeding it only the new events: the current state
    then costs the same whatever the length of the history. A fold knows no
    rulebook; ranks apply when its entries are put in tie order.
    """

    __slots__ = (
        "budget_published",
        "committees",
        "count",
        "dormant",
        "dossier",
        "ended",
        "entered",
        "entries",
        "exit_plan",
        "fast_editions",
        "funding_ended",
        "gaps",
        "last_committee",
        "ledger",
        "national_impact",
        "post_mortem",
        "provisionals",
        "safeguard_until",
        "stop_stage",
        "taken_over_by",
    )

    def __init__(self) -> None:
        self.count = 0
        self.entries: tuple[Entry, ...] = ()
        self.ended: tuple[PhaseEnded, ...] = ()
        self.entered: frozenset[str] = frozenset()
        self.committees: tuple[CommitteeHeld, ...] = ()
        self.provisionals: tuple[int, ...] = ()
        self.gaps: dict[int, tuple[Rulebook, int, int, tuple[dt.date, ...]]] = {}
        self.last_committee: CommitteeHeld | None = None
        self.stop_stage: str | None = None
        self.funding_ended = False
        self.dormant = False
        self.safeguard_until: dt.date | None = None
        self.post_mortem: PostMortem | None = None
        self.taken_over_by: str | None = None
        self.dossier: tuple[str, ...] = ()
        self.fast_editions: tuple[int, ...] = ()
        self.national_impact: dt.date | None = None
        self.exit_plan: ExitPlan | None = None
        self.budget_published: dt.date | None = None
        self.ledger = Folder()

    @classmethod
    def of(cls, events: Iterable[Event], retracted: frozenset[int] = frozenset()) -> Fold:
        """The fold of a whole history, without the events at the places ``retracted`` names."""
        fold = cls()
        for place, event in enumerate(events, start=1):
            fold.feed(event, retracted=place in retracted)
        return fold

    def copy(self) -> Fold:
        """An independent fold in the same state (every field is immutable but the ledger's)."""
        twin = Fold.__new__(Fold)
        for name in Fold.__slots__:
            object.__setattr__(twin, name, getattr(self, name))
        twin.ledger = self.ledger.copy()
        return twin

    def feed(self, event: Event, *, retracted: bool = False) -> None:
        """
        Fold one more event (the next in recorded order).

        A retracted event, and a retraction itself, only take their place:
        they change nothing the state reports.
        """
        if retracted or isinstance(event, Retracted):
            self.count += 1
            return
        entry = _entry(self.count, event)
        if entry is not None:
            self.entries = (*self.entries, entry)
            if not entry[2]:
                self.entered = self.entered | {entry[1].phase}
        self.count += 1
        method = _FEEDS.get(type(event))
        if method is not None:
            method(self, event)
        self.ledger.feed(event)

    def _ended(self, event: PhaseEnded) -> None:
        self.ended = (*self.ended, event)

    def _committee(self, event: CommitteeHeld) -> None:
        if event.decision == "provisional":
            self.provisionals = (*self.provisionals, len(self.committees))
        self.committees = (*self.committees, event)
        if self.last_committee is None or event.on >= self.last_committee.on:
            self.last_committee = event
        if event.decision == "stop":
            self.funding_ended = True

    def _liquidation(self, event: LiquidationDecided) -> None:
        self.stop_stage, self.safeguard_until, self.funding_ended = (
            "safeguard",
            event.safeguard_until,
            True,
        )

    def _recovery(self, _event: RecoveryFiled) -> None:
        if self.stop_stage == "safeguard":
            self.stop_stage = "recovery"

    def _taken_over(self, event: TakenOver) -> None:
        self.stop_stage, self.taken_over_by = "taken-over", event.sponsor
        self.funding_ended = self.dormant = False
        self.safeguard_until = None

    def _stopped(self, event: Stopped) -> None:
        self.funding_ended = True
        self.post_mortem = event.post_mortem or self.post_mortem
        self.dormant = event.dormant
        self.stop_stage, self.safeguard_until = ("dormant" if event.dormant else "stopped"), None

    def _dossier(self, event: DossierUpdated) -> None:
        self.dossier = tuple(dict.fromkeys((*self.dossier, *event.done)))

    def _fast(self, event: FastLaureate) -> None:
        if event.edition is not None:
            self.fast_editions = (*self.fast_editions, event.edition)

    def _national_impact(self, event: NationalImpactDesignated) -> None:
        if self.national_impact is None:
            self.national_impact = event.on

    def _perennised(self, event: Perennised) -> None:
        self.exit_plan = event.plan

    def _published(self, event: BudgetPublished) -> None:
        if self.budget_published is None or event.on > self.budget_published:
            self.budget_published = event.on


_FEEDS: dict[type, Callable[[Fold, Any], None]] = {
    PhaseEnded: Fold._ended,  # noqa: SLF001
    CommitteeHeld: Fold._committee,  # noqa: SLF001
    LiquidationDecided: Fold._liquidation,  # noqa: SLF001
    RecoveryFiled: Fold._recovery,  # noqa: SLF001
    TakenOver: Fold._taken_over,  # noqa: SLF001
    Stopped: Fold._stopped,  # noqa: SLF001
    DossierUpdated: Fold._dossier,  # noqa: SLF001
    FastLaureate: Fold._fast,  # noqa: SLF001
    NationalImpactDesignated: Fold._national_impact,  # noqa: SLF001
    Perennised: Fold._perennised,  # noqa: SLF001
    BudgetPublished: Fold._published,  # noqa: SLF001
}
"""Event type → the facts it changes (every event also goes through the ledger)."""


def fold_of(startup: Startup) -> Fold:
    """The fold of a startup's whole history (made on first use, then kept with it)."""
    memo = memo_of(startup)
    fold: Fold | None = memo.get("fold")
    if fold is None or fold.count != len(startup.history):
        fold = Fold.of(startup.history, startup.retracted)
        memo["fold"] = fold
    return fold


def append(startup: Startup, events: tuple[Event, ...]) -> Startup:
    """
    ``startup`` with ``events`` appended, carrying its fold forward.

    The engine's one way to grow a history: only the new events are checked
    and folded, so a command's cost does not grow with the history.
    """
    new = startup._extend(events)  # noqa: SLF001  (the values' own fast path)
    parent = memo_of(startup).get("fold")
    if any(isinstance(e, Retracted) for e in events):
        return new  # a retraction changes what counts: the fold is made again on first use
    if parent is not None and parent.count == len(startup.history):
        fold = parent.copy()
        for event in events:
            fold.feed(event)
        memo_of(new)["fold"] = fold
    return new


def phase_of(startup: Startup, rulebook: Rulebook) -> str | None:
    """The current phase: the entry with the greatest tie key (latest start, then the tie rule)."""
    entries = fold_of(startup).entries
    if not entries:
        return None
    return max(entries, key=lambda item: _entry_key(item, rulebook))[1].phase


def tie_loser(startup: Startup, rulebook: Rulebook, on: dt.date, phase: str) -> str | None:
    """
    The current phase, if it would stay current over ``phase`` entered on ``on``.

    That happens only when the current phase also starts on ``on`` and the
    tie rule keeps it (under ``first-listed``, always): the engine refuses
    such a move (rule ``BS-TIE``) rather than record a phase the site would
    never show as current. ``None`` when the new entry would be current.
    Costs the number of phase entries, not the length of the history.
    """
    fold = fold_of(startup)
    if not fold.entries:
        return None
    best = max(fold.entries, key=lambda item: _entry_key(item, rulebook))
    key = _entry_key(best, rulebook)
    if key[0] != on or tie_key(rulebook, on, phase, fold.count) > key:
        return None
    return best[1].phase


def ledger_of(startup: Startup) -> Ledger:
    """The ledger of a startup's whole history."""
    return fold_of(startup).ledger.ledger()


def project(startup: Startup, rulebook: Rulebook, on: dt.date | None = None) -> StartupState:
    """
    The state of ``startup`` on ``on`` (``None``: after every event).

    On or after the last event the startup's own fold answers; on an earlier
    date the events up to it are folded afresh: one code path either way.
    """
    last = startup.last_event_date
    if on is None or last is None or on >= last:
        events = startup.history
        fold = fold_of(startup)
    else:
        # The history's retractions apply on every date: the retracted event never counted.
        events = tuple(e for e in startup.history if e.on <= on)
        gone = startup.retracted
        fold = Fold()
        for place, event in enumerate(startup.history, start=1):
            if event.on <= on:
                fold.feed(event, retracted=place in gone)
    day = on if on is not None else last
    spans = _spans(_in_tie_order(fold.entries, rulebook), fold.ended)
    if on is not None:
        # A span whose end is after ``on`` was still running on that day.
        spans = tuple(
            span
            if span.end is None or span.end <= on
            else attrs.evolve(span, end=None, explicit_end=False)
            for span in spans
        )
    phase = _in_tie_order(fold.entries, rulebook)[-1].phase if fold.entries else None
    ledger = fold.ledger.ledger()
    envelope = ledger.covering(day) if day is not None else None
    exhaustion = envelope.exhaustion(day) if envelope is not None and day is not None else None
    due, overdue = _committees_due(fold, spans, rulebook, phase=phase, day=day)
    return StartupState(
        slug=startup.slug,
        on=day,
        phase=phase,
        spans=spans,
        events=events,
        terminal=phase is not None and rulebook.is_terminal(phase),
        last_committee=fold.last_committee,
        envelope=envelope,
        envelopes=ledger.envelopes,
        remaining_envelope=envelope.remaining if envelope is not None else None,
        projected_exhaustion=exhaustion,
        granted_total=fold.ledger.granted,
        spent_total=fold.ledger.spent,
        next_committee_due=due,
        overdue_committees=overdue,
        funding_ended=fold.funding_ended,
        stop_stage=fold.stop_stage,
        safeguard_until=fold.safeguard_until,
        post_mortem=fold.post_mortem,
        dormant=fold.dormant,
        taken_over_by=fold.taken_over_by,
        exit_plan=fold.exit_plan,
        dossier_done=fold.dossier,
        dossier_missing=dossier_missing(fold.dossier),
        fast_editions=fold.fast_editions,
        national_impact=fold.national_impact,
        budget_published=fold.budget_published,
        retracted=tuple(sorted(startup.retracted)),
    )


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


def _lapsed_provisionals(
    held: tuple[CommitteeHeld, ...], provisionals: tuple[int, ...], day: dt.date
) -> list[dt.date]:
    """BR-07: ends of provisional envelopes no committee followed before they ran out."""
    lapsed: list[dt.date] = []
    for index in provisionals:
        end = held[index].period_end
        if end is not None and day >= end:
            following = held[index + 1].on if index + 1 < len(held) else None
            if following is None or following >= end:
                lapsed.append(end)
    return lapsed


def _missed_between(
    fold: Fold, spans: tuple[PhaseSpan, ...], rulebook: Rulebook
) -> tuple[dt.date, ...]:
    """
    Due dates missed between two committees (the gap exceeded the phase's interval).

    Kept in the fold per rulebook and extended pair by pair; a new phase entry
    can change the phase on an earlier committee's date, so it recomputes all.
    """
    held = fold.committees
    cached = fold.gaps.get(id(rulebook))
    if cached is not None and cached[0] is rulebook and cached[1] == len(fold.entries):
        done, missed = cached[2], list(cached[3])
    else:
        done, missed = 0, []
    for index in range(max(done, 1), len(held)):
        previous, following = held[index - 1], held[index]
        months = committee_interval(rulebook, _phase_on(spans, previous.on))
        if months is not None and following.on > add_months(previous.on, months):
            missed.append(add_months(previous.on, months))
    result = tuple(missed)
    fold.gaps = {**fold.gaps, id(rulebook): (rulebook, len(fold.entries), len(held), result)}
    return result


def _committees_due(
    fold: Fold,
    spans: tuple[PhaseSpan, ...],
    rulebook: Rulebook,
    *,
    phase: str | None,
    day: dt.date | None,
) -> tuple[dt.date | None, tuple[dt.date, ...]]:
    """The next committee's due date, and the due dates missed (brief §6.2)."""
    if day is None or not spans:
        return None, ()
    held = fold.committees
    overdue = list(_missed_between(fold, spans, rulebook))
    overdue = sorted({*overdue, *_lapsed_provisionals(held, fold.provisionals, day)})
    months = committee_interval(rulebook, phase)
    if months is None:
        return None, tuple(overdue)
    baseline = held[-1].on if held else spans[0].start
    candidates = [add_months(baseline, months)]
    if held and held[-1].next_on is not None:
        candidates.append(held[-1].next_on)
    latest = fold.ledger.latest_ending()
    if latest is not None and latest.end > baseline:
        notice = dt.timedelta(days=rulebook.thresholds.exhaustion_notice_days_min)
        candidates.append(latest.exhaustion(max(day, latest.start)) - notice)
    due = min(candidates)
    if day > due and due not in overdue:
        # Overdue from the very due date the state reports, in any phase with a cadence.
        overdue.append(due)
    return due, tuple(sorted(overdue))
