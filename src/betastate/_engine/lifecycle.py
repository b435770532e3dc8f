"""
The lifecycle engine: commands in, new startups and events (or refusals) out.

This is the only module that imports ``transitions``. Each rulebook's phase
graph is built once into a ``transitions.Machine`` (``auto_transitions``
off, no model attached) and shared by every startup; a command fires the
machine's trigger on a private, short-lived cursor, never on user objects.
The machine's condition runs the rulebook's gates; every broken rule is
collected so a refusal lists them all.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

import attrs

from betastate._engine.commands import (
    Advance,
    Command,
    HoldCommittee,
    Launch,
    Record,
    Retract,
    Stop,
    dates_of,
)
from betastate._engine.state import (
    StartupState,
    append,
    fold_of,
    phase_of,
    project,
    tie_loser,
)
from betastate._rules.catalogue import RECORD_PERMISSIONS, RETRACT_PERMISSIONS
from betastate._rules.gates import GateContext, Violation
from betastate._rules.loading import load_rulebook
from betastate._rules.rulebook import Rulebook, TransitionDef
from betastate._values.errors import InvalidArgument, InvalidType, TransitionRefused
from betastate._values.events import (
    CommitteeHeld,
    Event,
    NationalImpactDesignated,
    Perennised,
    PhaseEntered,
    Pivoted,
    ProductLaunched,
    Retracted,
    Stopped,
)
from betastate._values.fields import require, require_date
from betastate._values.reasons import Reason, Severity
from betastate._values.startup import Startup
from betastate._values.stopping import StopProcedure
from betastate._values.texts import LANGUAGES, Lang, phrase


if TYPE_CHECKING:
    from transitions import EventData, Machine
    from transitions.core import Event as MachineEvent

_NEW = "(new)"
"""The machine's state for a startup with no phase yet."""


@attrs.frozen
class Outcome:
    """
    An accepted command: the new startup, the events it added, and warnings.

    Attributes:
        startup: The startup with the new events appended.
        events: The events the command produced.
        warnings: Warning rules that fired (they never block).
        version: The stream's version after the command, when a journal
            stored it (``None`` from :meth:`Lifecycle.apply`, which stores
            nothing).

    .. versionadded:: 0.1.0
    """

    startup: Startup
    events: tuple[Event, ...]
    warnings: tuple[Reason, ...] = ()
    version: int | None = None


@attrs.frozen
class Verdict:
    """
    What :meth:`Lifecycle.check` found: every error and warning at once.

    Attributes:
        errors: Rules that would refuse the command.
        warnings: Rules that would only warn.

    .. versionadded:: 0.1.0
    """

    errors: tuple[Reason, ...] = ()
    warnings: tuple[Reason, ...] = ()

    @property
    def accepted(self) -> bool:
        """Whether the command would be accepted."""
        return not self.errors


@attrs.frozen
class Move:
    """
    A move open to a startup on a date.

    Attributes:
        to: The phase it enters.
        trigger: Its verb in the rulebook (``construct``, ``stop``...).
        transition: The rulebook's transition id (``T01``...).
        deciders: Roles that may decide it.
        gates: Gates it must still pass (they need evidence on the command).
        warnings: Warning rules it would raise.
        co_deciders: Roles of which one must decide it with a decider (a
            joint decision: pass them as ``Advance(co_deciders=...)``).
        at_committee: Decided at committee: hold one that day, or carry the
            move with :class:`betastate.HoldCommittee` (rule N1).

    .. versionadded:: 0.1.0
    """

    to: str
    trigger: str
    transition: str
    deciders: tuple[str, ...]
    gates: tuple[str, ...] = ()
    warnings: tuple[Reason, ...] = ()
    co_deciders: tuple[str, ...] = ()
    at_committee: bool = False


class _Cursor:
    """A throwaway model for one trigger: the machine sets ``state`` on it."""

    __slots__ = ("context", "errors", "state", "warnings")

    def __init__(self, state: str, context: GateContext) -> None:
        self.state = state
        self.context = context
        self.errors: list[Reason] = []
        self.warnings: list[Reason] = []


def _gate_condition(transition: TransitionDef, rulebook: Rulebook) -> Callable[[EventData], bool]:
    """The machine condition of one transition: run its gates, pass if no error."""
    gates = tuple(rulebook.gate(name) for name in transition.gates)

    def condition(event_data: EventData) -> bool:
        cursor = cast("_Cursor", event_data.model)
        for gate in gates:
            _sort(rulebook, gate(cursor.context), cursor.errors, cursor.warnings)
        return not cursor.errors

    return condition


@functools.lru_cache(maxsize=64)
def _machine(rulebook: Rulebook) -> Machine:
    """Build the rulebook's machine once; every startup shares it."""
    from transitions import Machine  # noqa: PLC0415  (import time: load on first use)

    machine = Machine(
        model=None,
        states=[_NEW, *rulebook.phase_values],
        initial=_NEW,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
    )
    for transition in rulebook.transitions:
        condition = _gate_condition(transition, rulebook)
        for source in transition.sources or (_NEW,):
            machine.add_transition(
                transition.trigger,
                source,
                None if transition.internal else transition.dest,
                conditions=[condition],
            )
    return machine


def _sort(
    rulebook: Rulebook,
    violations: Iterable[Violation],
    errors: list[Reason],
    warnings: list[Reason],
) -> None:
    """Give each violation the rulebook's severity and file it."""
    for violation in violations:
        severity = rulebook.severity(violation.rule)  # an undeclared id raises: fail closed
        if severity is Severity.OFF:
            continue
        rule = rulebook.rule(violation.rule)
        source = rule.source if rule is not None else ""
        reason = Reason(
            violation.rule,
            severity,
            violation.message,
            violation.fix,
            source,
            field=violation.field,
            values=violation.values,
            hint=violation.hint,
            text=violation.text,
        )
        (errors if severity is Severity.ERROR else warnings).append(reason)


def check_permission(
    rulebook: Rulebook, startup: Startup, command: Any, decision: str, *, what: str = ""
) -> list[Violation]:
    """
    BS-ROLE: the command's actor must hold the permission ``decision``.

    Every decision has an entry in the rulebook's ``[permissions]`` (the
    rulebook refuses to load otherwise), so nothing is open by omission.
    """
    role = command.by.role
    if rulebook.may(role, decision):
        return []
    return [
        Violation.of(
            "BS-ROLE",
            "BS-ROLE.decision",
            field="/by",
            slug=startup.slug,
            role=role,
            decision=decision,
            what=what or type(command).__name__,
            on=command.on,
            allowed=list(rulebook.permissions[decision]) or ["nobody"],
        )
    ]


def committee_held_on(startup: Startup, day: dt.date) -> bool:
    """Whether the history records a committee held on ``day`` (rule N1; from the fold)."""
    return any(committee.on == day for committee in reversed(fold_of(startup).committees))


def _name(command: object) -> str:
    return type(command).__name__


def _last_but(startup: Startup, command: Any) -> dt.date | None:
    """
    The date a command must not precede (BS-CHRONO): the last event in force.

    A retraction is checked without the event it retracts, so that an event
    dated far ahead by mistake can be retracted today.
    """
    if not isinstance(command, Retract):
        return startup.last_event_date
    gone = {*startup.retracted, command.version}
    return max(
        (e.on for i, e in enumerate(startup.history, start=1) if i not in gone),
        default=None,
    )


_FIELD_ALIASES: dict[type, dict[str, str | None]] = {
    HoldCommittee: {"/to": "/phase_change"},
    Stop: {"/to": None},
    Record: {"/on": "/event/on"},
}
"""Where a field of the move a command decides through lives on the command itself."""


def _field_names(kind: type) -> frozenset[str]:
    return frozenset(attrs.fields_dict(kind)) if attrs.has(kind) else frozenset()


class Lifecycle:
    """
    Applies commands to startups under a rulebook.

    One ``Lifecycle`` per rulebook is enough for a whole portfolio: it holds
    no per-startup state. Startups are immutable; :meth:`apply` returns a new
    one.

    Args:
        rulebook: A :class:`Rulebook`, or a built-in name or TOML path.
        lang: The language of the reasons it gives (``"en"`` or ``"fr"``);
            :meth:`Reason.translated` shows one again in the other.
        clock: What "today" is (default: today's date in UTC): the default
            date of :meth:`state` and the horizon of rule BS-HORIZON.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_clock", "_machine", "_triggers", "lang", "rulebook")

    def __init__(
        self,
        rulebook: Rulebook | str = "betagouv",
        *,
        lang: Lang = "en",
        clock: Callable[[], dt.date] | None = None,
    ) -> None:
        require(rulebook, (Rulebook, str, os.PathLike), "rulebook", "a Rulebook, a name or a path")
        self._clock = clock
        if lang not in LANGUAGES:
            raise InvalidArgument(
                "lang", lang, "not a language of betastate's texts", "use 'en' or 'fr'"
            )
        self.lang: Lang = lang
        self.rulebook: Rulebook = (
            rulebook if isinstance(rulebook, Rulebook) else load_rulebook(rulebook)
        )
        self._machine = _machine(self.rulebook)
        self._triggers: dict[str, MachineEvent] = dict(self._machine.events)

    def __repr__(self) -> str:
        return f"Lifecycle(rulebook={self.rulebook.name!r})"

    # -- public operations --------------------------------------------------

    def apply(self, startup: Startup, command: Command) -> Outcome:
        """
        Apply ``command``: the new startup and events, or a refusal.

        Raises:
            TransitionRefused: The command breaks error rules; ``.reasons``
                lists every one. ``startup`` is unchanged.
        """
        errors, warnings, events = self._run(startup, command)
        if errors:
            raise TransitionRefused(startup.slug, command, errors, warnings)
        return Outcome(append(startup, events), events, tuple(warnings))

    def check(self, startup: Startup, command: Command) -> Verdict:
        """Every reason ``command`` would be refused or warned, without applying it."""
        errors, warnings, _ = self._run(startup, command)
        return Verdict(tuple(errors), tuple(warnings))

    def moves(self, startup: Startup, on: dt.date | None = None) -> tuple[Move, ...]:
        """
        Moves open to ``startup`` on ``on`` (default: its :meth:`as_of` date).

        A move is listed when no structural rule refuses it (chronology,
        re-entry, stops, data-only moves); gates that need evidence on the
        command (a budget line...) are listed in ``Move.gates``.
        """
        require(startup, Startup, "startup", "a betastate.Startup")
        require_date(on, "on")
        day = on or self.as_of(startup) or self.today()
        state = project(startup, self.rulebook, day)
        open_moves: list[Move] = []
        for transition in self.rulebook.transitions_from(state.phase):
            errors: list[Reason] = []
            warnings: list[Reason] = []
            probe = Advance(
                on=day,
                to=transition.dest,
                by=transition.deciders[0],
                co_deciders=transition.co_deciders[:1],
            )
            # The committee is evidence the caller brings, like a gate's: the move
            # is listed with what it needs (Move.at_committee).
            self._structural(
                startup,
                state.phase,
                probe,
                transition=transition,
                errors=errors,
                warnings=warnings,
                at_committee=True,
            )
            self._chronology(startup, probe, errors, warnings)
            if not errors:
                open_moves.append(
                    Move(
                        to=transition.dest,
                        trigger=transition.trigger,
                        transition=transition.id,
                        deciders=transition.deciders,
                        gates=transition.gates,
                        warnings=tuple(warnings),
                        co_deciders=transition.co_deciders,
                        at_committee=transition.at_committee,
                    )
                )
        return tuple(open_moves)

    def state(self, startup: Startup, on: dt.date | None = None) -> StartupState:
        """
        The startup as it stood on ``on`` (default: :meth:`as_of`, today for an active one).

        The phase on a date is the one with the latest start on or before it;
        same-day phases follow the rulebook's tie rule (:attr:`Rulebook.tie`:
        the first listed wins under the site's rule, the later stage under
        ``"rank"``). Committees due and overdue are reckoned on that date:
        one is overdue exactly when the date is past the due date the state
        reports.
        """
        require(startup, Startup, "startup", "a betastate.Startup")
        require_date(on, "on")
        return project(startup, self.rulebook, on if on is not None else self.as_of(startup))

    def as_of(self, startup: Startup) -> dt.date | None:
        """
        The date a startup's state is read on when none is given: one definition for all.

        For a startup still running (its phase is not terminal), today, or
        its last event's date if that is later: a back-office reads it as it
        stands now, so a committee that is due shows as overdue. For a
        startup whose lifecycle has ended (or that has not started), its
        last event's date: nothing more is due.
        """
        last = startup.last_event_date
        phase = phase_of(startup, self.rulebook)
        if phase is None or self.rulebook.is_terminal(phase):
            return last
        today = self.today()
        return today if last is None or today > last else last

    def today(self) -> dt.date:
        """Today, as this lifecycle's clock says (UTC unless a clock was given)."""
        return self._clock() if self._clock is not None else dt.datetime.now(tz=dt.UTC).date()

    def phase(self, startup: Startup) -> str | None:
        """The current phase (latest start; same-day ties by the rulebook's tie rule)."""
        require(startup, Startup, "startup", "a betastate.Startup")
        return phase_of(startup, self.rulebook)

    # -- machinery ----------------------------------------------------------

    def _run(
        self, startup: Startup, command: Command
    ) -> tuple[list[Reason], list[Reason], tuple[Event, ...]]:
        if startup.__class__ is not Startup:
            require(startup, Startup, "startup", "a betastate.Startup")
        handler = _HANDLERS.get(type(command)) or _committee_handlers().get(type(command))
        if handler is None:
            raise InvalidType(
                "Lifecycle",
                "command",
                command,
                "expected a betastate command",
                "pass a command such as betastate.Advance(...)",
            )
        errors: list[Reason] = []
        warnings: list[Reason] = []
        self._chronology(startup, command, errors, warnings)
        self._date_range(startup, command, errors, warnings)
        self._actors(startup, command, errors, warnings)
        events = handler(self, startup, command, errors, warnings)
        return self._finish(command, errors), self._finish(command, warnings), events

    def _finish(self, command: Any, reasons: list[Reason]) -> list[Reason]:
        """
        Reasons as the caller reads them: pointing at its command's fields, in its language.

        Committees and stops decide their move through an :class:`Advance`;
        a pointer at that move's fields is mapped to the command's own
        (``/to`` is a committee's ``/phase_change``), or dropped.
        """
        aliases = _FIELD_ALIASES.get(type(command), {})
        names = _field_names(type(command))
        finished: list[Reason] = []
        for reason in reasons:
            field = reason.field
            if field is not None:
                field = aliases.get(field, field)
                if field is not None and field.split("/")[1] not in names:
                    field = None
            if field != reason.field:
                reason = attrs.evolve(reason, field=field)  # noqa: PLW2901
            finished.append(reason.translated(self.lang) if self.lang != reason.lang else reason)
        return finished

    def _actors(
        self, startup: Startup, command: Any, errors: list[Reason], warnings: list[Reason]
    ) -> None:
        """BS-ACTOR: the actor, co-deciders and attendees hold roles the rulebook declares."""
        book = self.rulebook
        actors = (
            command.by,
            *getattr(command, "co_deciders", ()),
            *getattr(command, "attendees", ()),
        )
        unknown = sorted({a.role for a in actors if not book.has_role(a.role)})
        if unknown:
            _sort(
                book,
                [
                    Violation.of(
                        "BS-ACTOR",
                        "BS-ACTOR",
                        field="/by/role" if command.by.role in unknown else None,
                        hint="declare the role in the rulebook's [[roles]]",
                        command=_name(command),
                        slug=startup.slug,
                        on=command.on,
                        roles=unknown,
                        rulebook=book.name,
                        declared=list(book.role_values),
                    )
                ],
                errors,
                warnings,
            )

    def file(
        self, violations: Iterable[Violation], errors: list[Reason], warnings: list[Reason]
    ) -> None:
        """Give violations the rulebook's severity and file them (for handlers)."""
        _sort(self.rulebook, violations, errors, warnings)

    def _chronology(
        self, startup: Startup, command: Any, errors: list[Reason], warnings: list[Reason]
    ) -> None:
        last = _last_but(startup, command)
        violations: list[Violation] = []
        if last is not None and command.on < last:
            violations.append(
                Violation.of(
                    "BS-CHRONO",
                    "BS-CHRONO",
                    field="/on",
                    command=_name(command),
                    slug=startup.slug,
                    on=command.on,
                    last=last,
                )
            )
        today = self.today()
        days = self.rulebook.thresholds.horizon_days
        latest = today + dt.timedelta(days=days)
        if command.on > latest:
            violations.append(
                Violation.of(
                    "BS-HORIZON",
                    "BS-HORIZON",
                    field="/on",
                    hint="the threshold horizon_days sets how far ahead a command may be dated",
                    command=_name(command),
                    slug=startup.slug,
                    on=command.on,
                    days=days,
                    today=today,
                    latest=latest,
                )
            )
        _sort(self.rulebook, violations, errors, warnings)

    def _date_range(
        self, startup: Startup, command: Command, errors: list[Reason], warnings: list[Reason]
    ) -> None:
        """BS-DATE: every date of the command lies in the rulebook's range."""
        th = self.rulebook.thresholds
        low, high = th.earliest_date, th.latest_date
        _sort(
            self.rulebook,
            [
                Violation.of(
                    "BS-DATE",
                    "BS-DATE",
                    field="/" + field.replace(".", "/"),
                    command=_name(command),
                    slug=startup.slug,
                    name=field,
                    day=day,
                    rulebook=self.rulebook.name,
                    low=low,
                    high=high,
                )
                for field, day in dates_of(command)
                if not low <= day <= high
            ],
            errors,
            warnings,
        )

    def _structural(
        self,
        startup: Startup,
        phase: str | None,
        command: Advance,
        *,
        transition: TransitionDef | None,
        errors: list[Reason],
        warnings: list[Reason],
        at_committee: bool = False,
    ) -> None:
        """
        Rules on the move itself: known phase, re-entry, stops, data-only, who decides.

        ``at_committee``: the move is carried by a committee (rule N1 holds).
        """
        rulebook = self.rulebook
        slug, target = startup.slug, command.to
        where = phrase("from-phase", phase=phase) if phase is not None else phrase("as-first-phase")
        on: dict[str, Any] = {"slug": slug, "target": target, "on": command.on}
        violations: list[Violation] = []
        if not rulebook.has_phase(target):
            violations.append(
                Violation.of(
                    "BS-PHASE",
                    "BS-PHASE",
                    field="/to",
                    rulebook=rulebook.name,
                    phases=list(rulebook.phase_values),
                    **on,
                )
            )
            _sort(rulebook, violations, errors, warnings)
            return
        if phase is not None and rulebook.has_phase(phase) and rulebook.phase(phase).stop:
            violations.append(Violation.of("N6", "N6", field="/to", phase=phase, **on))
        if transition is None:
            allowed = [t.dest for t in rulebook.transitions_from(phase) if not t.data_only]
            violations.append(
                Violation.of(
                    "BS-MOVE",
                    "BS-MOVE" if allowed else "BS-MOVE.terminal",
                    field="/to",
                    where=where,
                    rulebook=rulebook.name,
                    allowed=allowed,
                    phase=phase,
                    **on,
                )
            )
        else:
            if not transition.internal and target in fold_of(startup).entered:
                violations.append(
                    Violation.of(
                        "N4", "N4", field="/to", transition=transition.id, where=where, **on
                    )
                )
            kept = None if transition.internal else tie_loser(startup, rulebook, command.on, target)
            if kept is not None:
                violations.append(
                    Violation.of(
                        "BS-TIE",
                        "BS-TIE",
                        field="/on",
                        hint="derive(tie='rank') lets a later stage win a same-day tie",
                        kept=kept,
                        rulebook=rulebook.name,
                        tie=rulebook.tie,
                        **on,
                    )
                )
            if transition.data_only:
                violations.append(
                    Violation.of(
                        "N8",
                        "N8",
                        field="/to",
                        hint="derive a rulebook with severities={'N8': 'warning'}",
                        phase=phase,
                        transition=transition.id,
                        rulebook=rulebook.name,
                        **on,
                    )
                )
            violations += self._deciders(startup, command, transition, where)
            if (
                transition.at_committee
                and not at_committee
                and not committee_held_on(startup, command.on)
            ):
                violations.append(
                    Violation.of(
                        "N1",
                        "N1",
                        field="/on",
                        hint=f"decide it with betastate.HoldCommittee(..., phase_change={target!r})"
                        ", or record betastate.CommitteeHeld(on=...) first",
                        where=where,
                        transition=transition.id,
                        **on,
                    )
                )
        _sort(rulebook, violations, errors, warnings)

    def _deciders(
        self, startup: Startup, command: Advance, transition: TransitionDef, where: Any
    ) -> list[Violation]:
        """
        BS-ROLE for a move: a decider decides it, with a co-decider when it is joint.

        The decision's roles are the actor's and its co-deciders' (a committee's
        attendees count as co-deciders); the actor must be one of the parties.
        """
        role = command.by.role
        parties = {role, *(actor.role for actor in command.co_deciders)}
        deciders, co_deciders = transition.deciders, transition.co_deciders
        move: dict[str, Any] = {
            "slug": startup.slug,
            "role": role,
            "where": where,
            "target": command.to,
            "transition": transition.id,
            "on": command.on,
            "deciders": list(deciders),
        }
        if role not in deciders and role not in co_deciders:
            return [Violation.of("BS-ROLE", "BS-ROLE.move", field="/by", **move)]
        if not parties & set(deciders):
            return [
                Violation.of(
                    "BS-ROLE",
                    "BS-ROLE.with",
                    field="/by",
                    hint=f"co_deciders=[betastate.Actor(role={role!r})] with a decider as by",
                    **move,
                )
            ]
        if co_deciders and not parties & set(co_deciders):
            return [
                Violation.of(
                    "BS-ROLE",
                    "BS-ROLE.alone",
                    field="/co_deciders",
                    hint=f"co_deciders=[betastate.Actor(role={co_deciders[0]!r})]",
                    co_deciders=list(co_deciders),
                    **move,
                )
            ]
        return []

    def _advance(
        self,
        startup: Startup,
        command: Advance,
        errors: list[Reason],
        warnings: list[Reason],
        *,
        procedure: StopProcedure = StopProcedure.NO_IMPACT,
        dormant: bool = False,
        at_committee: bool = False,
    ) -> tuple[Event, ...]:
        """
        A phase change through the shared machine, and what it carries.

        Entering a stop records the ``Stopped`` event with the post-mortem
        (before the phase entry); an exit with a plan records ``Perennised``.
        ``at_committee`` is set by the committee and stop handlers (see
        :meth:`_structural`).
        """
        phase = phase_of(startup, self.rulebook)
        transition = (
            self.rulebook.transition(phase, command.to)
            if self.rulebook.has_phase(command.to)
            else None
        )
        self._structural(
            startup,
            phase,
            command,
            transition=transition,
            errors=errors,
            warnings=warnings,
            at_committee=at_committee,
        )
        if transition is None:
            return ()
        cursor = _Cursor(
            phase if phase is not None else _NEW,
            GateContext(startup, phase, command, transition, self.rulebook, at_committee),
        )
        cursor.errors = errors
        cursor.warnings = warnings
        moved = self._triggers[transition.trigger].trigger(cursor)
        if not moved or errors:
            return ()
        if transition.internal:
            return (
                Pivoted(on=command.on, phase=cursor.state, comment=command.comment, by=command.by),
            )
        entered = PhaseEntered(
            on=command.on, phase=cursor.state, comment=command.comment, by=command.by
        )
        target = self.rulebook.phase(command.to)
        if target.stop:
            stopped = Stopped(
                on=command.on,
                comment=command.comment,
                by=command.by,
                post_mortem=command.post_mortem,
                procedure=procedure,
                dormant=dormant,
            )
            return (stopped, entered)
        if target.terminal and command.exit_plan is not None:
            return (entered, Perennised(on=command.on, plan=command.exit_plan, by=command.by))
        return (entered,)


def _handle_launch(
    lifecycle: Lifecycle,
    startup: Startup,
    command: Launch,
    errors: list[Reason],
    warnings: list[Reason],
) -> tuple[Event, ...]:
    lifecycle.file(
        check_permission(lifecycle.rulebook, startup, command, "launch"), errors, warnings
    )
    return (ProductLaunched(on=command.on, comment=command.comment, by=command.by),)


def record_permission(event: Event) -> str:
    """The permission recording ``event`` needs: the one of the command that decides it."""
    if isinstance(event, CommitteeHeld):
        return event.decision.value if event.decision is not None else "committee"
    return RECORD_PERMISSIONS[type(event).__name__]


def _handle_record(
    lifecycle: Lifecycle,
    startup: Startup,
    command: Record,
    errors: list[Reason],
    warnings: list[Reason],
) -> tuple[Event, ...]:
    """
    Record: a fact decided elsewhere, checked with the permission of who decides it.

    Recording a FAST award needs ``fast``, a national-impact designation
    ``national-impact`` (and it is still recorded at most once, NI-ONCE), a
    committee's decision that decision's permission: a record never grants
    more than the command it stands for.
    """
    event = command.event
    book = lifecycle.rulebook
    decision = record_permission(event)
    violations = check_permission(
        book, startup, command, decision, what=f"Record of a {type(event).__name__}"
    )
    if event.by is not None and event.by.role != command.by.role:
        violations.append(
            Violation.of(
                "BS-ROLE",
                "BS-ROLE.attributed",
                field="/event/by",
                hint="leave the event's by empty: the record is attributed to its recorder",
                slug=startup.slug,
                role=command.by.role,
                event=type(event).__name__,
                on=event.on,
                author=event.by.role,
            )
        )
    earlier = fold_of(startup).national_impact
    if isinstance(event, NationalImpactDesignated) and earlier is not None:
        violations.append(
            Violation.of("NI-ONCE", "NI-ONCE", field="/event", slug=startup.slug, earlier=earlier)
        )
    lifecycle.file(violations, errors, warnings)
    return (event if event.by is not None else attrs.evolve(event, by=command.by),)


def _handle_retract(
    lifecycle: Lifecycle,
    startup: Startup,
    command: Retract,
    errors: list[Reason],
    warnings: list[Reason],
) -> tuple[Event, ...]:
    """
    Retract: the event at ``version`` was recorded in error; it stays and counts for nothing.

    Needs the permission of the command that decides the retracted event
    (``spend`` for a Spent, a committee decision's for a CommitteeHeld...),
    and ``retract`` for a phase entry or a pivot: a retraction never undoes
    more than its author may do.
    """
    book = lifecycle.rulebook
    violations: list[Violation] = []
    version, count = command.version, len(startup.history)
    where: dict[str, Any] = {"slug": startup.slug, "version": version}
    if not 1 <= version <= count:
        violations.append(
            Violation.of("BS-RETRACT", "BS-RETRACT.none", field="/version", events=count, **where)
        )
    else:
        target = startup.history[version - 1]
        violations += check_permission(
            book,
            startup,
            command,
            retract_permission(target),
            what=f"Retract of a {type(target).__name__}",
        )
        if isinstance(target, Retracted):
            violations.append(
                Violation.of("BS-RETRACT", "BS-RETRACT.retraction", field="/version", **where)
            )
        elif version in startup.retracted:
            earlier = next(
                e for e in startup.history if isinstance(e, Retracted) and e.version == version
            )
            violations.append(
                Violation.of(
                    "BS-RETRACT",
                    "BS-RETRACT.twice",
                    field="/version",
                    event=type(target).__name__,
                    event_on=target.on,
                    retracted_on=earlier.on,
                    **where,
                )
            )
    lifecycle.file(violations, errors, warnings)
    return (
        Retracted(
            on=command.on,
            version=version,
            reason=command.reason,
            comment=command.comment,
            by=command.by,
        ),
    )


def retract_permission(event: Event) -> str:
    """
    The permission retracting ``event`` needs: its own command's.

    A committee's is its decision's (``committee`` without one); a phase entry,
    a pivot or a retraction needs ``retract``.
    """
    if isinstance(event, CommitteeHeld):
        return event.decision.value if event.decision is not None else "committee"
    return RETRACT_PERMISSIONS.get(type(event).__name__, "retract")


Handler = Callable[[Lifecycle, Startup, Any, list[Reason], list[Reason]], tuple[Event, ...]]
"""
Turns one command into events, filing violations into errors and warnings.

The chronology rule has already run. A handler returns the events the
command would add; the engine discards them if any error was filed.
"""

_HANDLERS: dict[type, Handler] = {
    Advance: lambda lc, s, c, e, w: lc._advance(s, c, e, w),  # noqa: SLF001
    Launch: _handle_launch,
    Record: _handle_record,
    Retract: _handle_retract,
}
"""Command type → handler. New commands register here."""


@functools.cache
def _committee_handlers() -> dict[type, Handler]:
    """Committees, money, stops and takeovers (loaded on first use: import time)."""
    from betastate._engine.committee import HANDLERS  # noqa: PLC0415

    return HANDLERS
