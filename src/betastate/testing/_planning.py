"""
Planning commands a rulebook accepts, with the evidence their gates need.

The planner knows what each part of a rulebook asks for: who decides a move
(deciders, co-deciders, ``[permissions]``), what its gates need (a budget
line, a post-mortem, an exit plan, consolidation criteria, a note recorded
by a role within N days, an amount, a committee that day) and that a move
``at_committee`` is carried by :class:`betastate.HoldCommittee` or follows a
committee recorded that day (rule N1). It builds the commands; the lifecycle
decides. Every plan is applied through :class:`betastate.Lifecycle` before it
is offered, so a plan that a rule of yours refuses is left out, never
offered as valid.

Choices (which decider, which amount...) come from a :class:`Choices`: the
first option for the paths, hypothesis draws for the strategies.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Final, Protocol, TypeVar

import attrs

from betastate._engine.commands import (
    Advance,
    AwardFast,
    Command,
    DesignateNationalImpact,
    FileRecovery,
    GrantFunds,
    HoldCommittee,
    Launch,
    PublishBudget,
    Record,
    Retract,
    Spend,
    Stop,
    TakeOver,
    UpdateDossier,
)
from betastate._engine.lifecycle import Lifecycle, retract_permission
from betastate._rules.gates import BUILTIN_GATES, GateSpec
from betastate._rules.rulebook import Rulebook, TransitionDef
from betastate._values.actors import Actor
from betastate._values.errors import TransitionRefused
from betastate._values.events import CommitteeHeld, Event, Note, PhaseEntered, Spent, TakenOver
from betastate._values.money import Grant
from betastate._values.reasons import Severity
from betastate._values.startup import Startup
from betastate._values.stopping import (
    DOSSIER_ITEM_IDS,
    NATIONAL_IMPACT_CRITERIA,
    ExitPlan,
    PostMortem,
    StopReason,
    Trajectory,
)


T = TypeVar("T")

STRANGER: Final = "passer-by"
"""A role name no rulebook of betastate's declares (for BS-ACTOR refusals)."""

NOWHERE: Final = "nowhere-land"
"""A phase name no rulebook of betastate's declares (for BS-PHASE refusals)."""

HOST: Final = "/organisations/hote-imaginaire"
TAKER: Final = "/organisations/repreneur-imaginaire"
NOTE_NAMES: Final = ("other", "demo-publique", "atelier-usagers", "revue-de-code")


class Choices(Protocol):
    """Where a plan's free choices come from."""

    def one(self, options: Sequence[T], label: str) -> T:
        """One of ``options`` (never empty)."""
        ...

    def integer(self, low: int, high: int, label: str) -> int:
        """A whole number from ``low`` to ``high``."""
        ...

    def amount(self, low: Decimal, high: Decimal, label: str) -> Decimal:
        """Euros, to the cent, from ``low`` to ``high``."""
        ...

    def text(self, label: str) -> str:
        """Free text (a comment, a learning)."""
        ...

    def order(self, options: Sequence[T], label: str) -> list[T]:
        """``options`` in the order to try them."""
        ...


class First:
    """The first option, the lowest number: the paths' deterministic choices."""

    def one(self, options: Sequence[T], label: str) -> T:  # noqa: ARG002
        return options[0]

    def integer(self, low: int, high: int, label: str) -> int:  # noqa: ARG002
        return low

    def amount(self, low: Decimal, high: Decimal, label: str) -> Decimal:  # noqa: ARG002
        return low

    def text(self, label: str) -> str:
        return _TEXTS.get(label, "Texte inventé pour le test.")

    def order(self, options: Sequence[T], label: str) -> list[T]:  # noqa: ARG002
        return list(options)


_TEXTS: Final = {
    "learnings": "Les usagers préfèrent un guichet unique.",
    "why_we_stop": "Trop peu d'usage pour le coût.",
    "relaunch_advice": "Partir des agents d'accueil.",
}


@attrs.frozen
class Step:
    """
    Commands a rulebook accepts in a row: the evidence first, then the command.

    Attributes:
        evidence: Commands that record what the command's gates or rule N1
            look for (a committee held that day, an assessment note...).
        command: The command itself.
        transition: The id of the transition it fires, if it moves the
            startup (``None`` otherwise).
        kind: What it does, in a few words (``"move T01 at a committee"``).

    .. versionadded:: 0.1.0
    """

    evidence: tuple[Command, ...]
    command: Command
    transition: str | None = None
    kind: str = ""

    @property
    def commands(self) -> tuple[Command, ...]:
        """Evidence and command, in the order to apply them."""
        return (*self.evidence, self.command)

    def __repr__(self) -> str:
        from betastate.testing._source import source  # noqa: PLC0415  (a cycle otherwise)

        moved = f", transition={self.transition!r}" if self.transition else ""
        listed = ", ".join(source(c) for c in self.commands)
        return f"Step({self.kind!r}{moved}, commands=[{listed}])"


@attrs.frozen
class Refusal:
    """
    A command a rulebook refuses, after evidence it accepts, and why.

    Attributes:
        evidence: Commands the rulebook accepts, to apply first.
        command: The command it refuses.
        rules: The ids of the rules expected to refuse it (those of error
            severity in the rulebook), sorted.
        kind: What breaks them, in a few words.

    .. versionadded:: 0.1.0
    """

    evidence: tuple[Command, ...]
    command: Command
    rules: tuple[str, ...]
    kind: str = ""

    @property
    def commands(self) -> tuple[Command, ...]:
        """Evidence and the refused command, in the order to apply them."""
        return (*self.evidence, self.command)

    def __repr__(self) -> str:
        from betastate.testing._source import source  # noqa: PLC0415  (a cycle otherwise)

        listed = ", ".join(source(c) for c in self.commands)
        return f"Refusal({self.kind!r}, rules={self.rules!r}, commands=[{listed}])"


# -- reading a rulebook ------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def lifecycle_of(rulebook: Rulebook) -> Lifecycle:
    """One lifecycle per rulebook (they hold no per-startup state)."""
    return Lifecycle(rulebook)


def may(book: Rulebook, decision: str) -> tuple[str, ...]:
    """Declared roles that may take ``decision``."""
    return tuple(r for r in book.permissions.get(decision, ()) if book.has_role(r))


def errors_of(book: Rulebook, rules: Iterable[str]) -> tuple[str, ...]:
    """The ids among ``rules`` that refuse (error severity), sorted and once each."""
    return tuple(sorted({r for r in rules if book.rule(r) and book.severity(r) is Severity.ERROR}))


def accepted(lifecycle: Lifecycle, startup: Startup, commands: Iterable[Command]) -> Startup | None:
    """The startup after ``commands`` if the lifecycle accepts each one, else ``None``."""
    for command in commands:
        try:
            startup = lifecycle.apply(startup, command).startup
        except TransitionRefused:
            return None
    return startup


def entered(startup: Startup) -> frozenset[str]:
    """Phases the history entered (a takeover resuming a phase enters it again)."""
    found = {e.phase for e in startup.history if isinstance(e, PhaseEntered)}
    found.update(e.resumes for e in startup.history if isinstance(e, TakenOver) and e.resumes)
    return frozenset(found)


def stop_target(book: Rulebook, phase: str | None) -> str | None:
    """The stop status :class:`betastate.Stop` enters from ``phase`` (as the engine picks it)."""
    for transition in book.transitions_from(phase):
        if book.phase(transition.dest).stop and not transition.data_only:
            return transition.dest
    return None


def needs_committee(book: Rulebook, transition: TransitionDef) -> bool:
    """Whether the move needs a committee (N1, or a ``committee_held`` gate)."""
    specs = (book.gate_specs.get(name) for name in transition.gates)
    return transition.at_committee or any(
        s is not None and s.kind == "committee_held" for s in specs
    )


def committee_held(startup: Startup, day: dt.date) -> bool:
    """Whether the history records a committee held on ``day``."""
    return any(isinstance(e, CommitteeHeld) and e.on == day for e in startup.history)


def _matches(event: Event, spec: GateSpec) -> bool:
    name = type(event).__name__
    if name != spec.event and not (isinstance(event, Note) and event.name == spec.event):
        return False
    return not spec.by or (event.by is not None and event.by.role in spec.by)


def window(book: Rulebook, spec: GateSpec) -> int:
    """How many days before a move an ``event_within`` gate looks back."""
    days = book.thresholds.get(spec.threshold) if spec.threshold is not None else spec.days
    return int(days or 0)


def event_seen(book: Rulebook, startup: Startup, spec: GateSpec, day: dt.date) -> bool:
    """Whether the history already holds what an ``event_within`` gate looks for on ``day``."""
    earliest = day - dt.timedelta(days=window(book, spec))
    return any(earliest <= e.on <= day and _matches(e, spec) for e in startup.history)


def minimum(book: Rulebook, spec: GateSpec) -> Decimal:
    """The least amount a ``min_amount`` gate accepts."""
    value = book.thresholds.get(spec.threshold) if spec.threshold is not None else spec.amount
    return Decimal(value or 0)


# -- what gates need ---------------------------------------------------------------


@attrs.frozen
class Evidence:
    """What a move's gates need: commands to record first, and fields of the move."""

    records: tuple[Command, ...] = ()
    budget_line: Decimal | None = None
    post_mortem: PostMortem | None = None
    exit_plan: ExitPlan | None = None
    criteria: tuple[str, ...] = ()


def post_mortem(book: Rulebook, choices: Choices) -> PostMortem:
    """A complete post-mortem, written by the roles the rulebook asks for."""
    return PostMortem(
        learnings=choices.text("learnings"),
        why_we_stop=choices.text("why_we_stop"),
        relaunch_advice=choices.text("relaunch_advice"),
        reasons=[choices.one(tuple(StopReason), "reason")],
        authors=[Actor(role=r) for r in book.thresholds.post_mortem_authors],
    )


def exit_plan(choices: Choices) -> ExitPlan:
    """An exit with its trajectory, host and running-cost line."""
    return ExitPlan(
        trajectory=choices.one(tuple(Trajectory), "trajectory"),
        host=HOST,
        annual_running_cost=choices.amount(Decimal(20000), Decimal(400000), "running cost"),
    )


def evidence_record(
    book: Rulebook, spec: GateSpec, day: dt.date, choices: Choices, *, wrong_role: bool = False
) -> Command | None:
    """
    The command recording what an ``event_within`` gate looks for on ``day``.

    A committee, a launch or a budget publication is recorded by its own
    command; any other name as a note of that name (a note named after an
    event class counts too). ``wrong_role``: by a role the gate does not
    count (for refusals); ``None`` when no role may record it.
    """
    name = spec.event or ""
    decision = _RECORDED_BY.get(name, "record")
    allowed = may(book, decision)
    if wrong_role:
        roles = tuple(r for r in allowed if spec.by and r not in spec.by)
    else:
        roles = tuple(r for r in allowed if not spec.by or r in spec.by)
    if not roles:
        return None
    by = choices.one(roles, f"recorder of {name}")
    if name == "CommitteeHeld":
        return Record(event=CommitteeHeld(on=day), by=by)
    if name == "ProductLaunched":
        return Launch(on=day, by=by)
    if name == "BudgetPublished":
        return PublishBudget(on=day, by=by)
    return Record(event=Note(on=day, name=name), by=by)


_RECORDED_BY: Final = {
    "CommitteeHeld": "committee",
    "ProductLaunched": "launch",
    "BudgetPublished": "publish-budget",
}
"""Events with a command of their own → the permission it needs (any other: a note)."""


def evidence(
    book: Rulebook,
    transition: TransitionDef,
    day: dt.date,
    choices: Choices,
    *,
    leave_out: str | None = None,
) -> Evidence | None:
    """
    What ``transition``'s gates need on ``day`` (``leave_out``: skip that gate).

    ``None`` when a gate cannot be satisfied (no role may record its event).
    Gates of your own Python are unknown to the planner: the move is tried
    without evidence for them, and the lifecycle decides.
    """
    found = Evidence()
    line = Decimal(0)
    for name in transition.gates:
        spec = book.gate_specs.get(name)
        if name == leave_out:
            continue
        if spec is not None and spec.kind == "event_within":
            record = evidence_record(book, spec, day, choices)
            if record is None:
                return None
            found = attrs.evolve(found, records=(*found.records, record))
        elif spec is not None and spec.kind == "min_amount":
            line = max(line, minimum(book, spec))
        elif spec is None and book.gate(name) is BUILTIN_GATES.get(name):
            found, line = _builtin_evidence(book, name, found, line, choices)
        # A committee_held gate: the caller holds the committee; a gate of your own: nothing.
    if line > 0:
        found = attrs.evolve(found, budget_line=choices.amount(line, line * 2, "budget line"))
    return found


def _builtin_evidence(
    book: Rulebook, name: str, found: Evidence, line: Decimal, choices: Choices
) -> tuple[Evidence, Decimal]:
    """What a built-in Python gate needs: fields of the move (and the least budget line)."""
    if name == "sponsor_budget_line":
        return found, max(line, book.thresholds.first_committee_budget_line)
    if name == "post_mortem":
        return attrs.evolve(found, post_mortem=post_mortem(book, choices)), line
    if name == "exit_plan":
        return attrs.evolve(found, exit_plan=exit_plan(choices)), line
    return attrs.evolve(found, criteria=book.thresholds.consolidation_criteria), line


def attendees(book: Rulebook, startup: Startup, transition: TransitionDef | None) -> list[Actor]:
    """Who sits at a committee: the mandatory roles, a co-decider, DINUM for FAST laureates."""
    roles = [r for r in book.thresholds.committee_mandatory_roles if book.has_role(r)]
    if transition is not None and transition.co_deciders:
        roles.append(transition.co_deciders[0])
    fast = any(type(e).__name__ == "FastLaureate" for e in startup.history)
    if fast and book.has_role("dinum") and "dinum" not in roles:
        roles.append("dinum")
    return [Actor(role=r) for r in dict.fromkeys(roles)]


def grants(choices: Choices, low: int = 50_000, high: int = 300_000) -> list[Grant]:
    """Money for a period, from the sponsor."""
    amount = choices.amount(Decimal(low), Decimal(high), "grant")
    return [Grant(source="sponsor", amount=amount, funder="/organisations/ministere-imaginaire")]


# -- moves -------------------------------------------------------------------------


def move_plans(
    lifecycle: Lifecycle,
    startup: Startup,
    transition: TransitionDef,
    day: dt.date,
    choices: Choices,
) -> list[Step]:
    """
    Ways to take ``transition`` on ``day``, not yet checked.

    Carried by a committee (``HoldCommittee``), after a committee recorded
    that day (``Record`` then ``Advance``), or, into a stop, by ``Stop``.
    """
    book = lifecycle.rulebook
    phase = lifecycle.phase(startup)
    found = evidence(book, transition, day, choices)
    if found is None:
        return []
    deciders = tuple(r for r in transition.deciders if book.has_role(r))
    co = [transition.co_deciders[0]] if transition.co_deciders else []
    stop = book.phase(transition.dest).stop
    plans: list[Step] = []
    committee = needs_committee(book, transition)
    decision = "stop" if stop else "continue"
    chairs = tuple(r for r in deciders if r in may(book, decision))
    if committee and chairs:
        plans.append(
            Step(
                found.records,
                HoldCommittee(
                    on=day,
                    by=choices.one(chairs, "chair"),
                    decision=decision,
                    attendees=attendees(book, startup, transition),
                    phase_change=transition.dest,
                    grants=[] if stop else grants(choices),
                    sponsor_budget_line=found.budget_line,
                    post_mortem=found.post_mortem,
                    exit_plan=found.exit_plan,
                    criteria=found.criteria,
                ),
                transition.id,
                f"move {transition.id} at a committee",
            )
        )
    records = list(found.records)
    if committee:
        recorders = may(book, "committee")
        if not recorders:
            return plans
        held = Record(event=CommitteeHeld(on=day), by=choices.one(recorders, "committee recorder"))
        records.append(held)
    if not deciders:
        return plans
    by = choices.one(deciders, "decider")
    plans.append(
        Step(
            tuple(records),
            Advance(
                on=day,
                to=transition.dest,
                by=by,
                co_deciders=co,
                sponsor_budget_line=found.budget_line,
                post_mortem=found.post_mortem,
                exit_plan=found.exit_plan,
                criteria=found.criteria,
            ),
            transition.id,
            f"move {transition.id}" + (" after a committee" if committee else ""),
        )
    )
    if stop and not co and stop_target(book, phase) == transition.dest:
        plans.append(
            Step(
                tuple(records),
                Stop(on=day, by=by, post_mortem=found.post_mortem or post_mortem(book, choices)),
                transition.id,
                f"stop {transition.id}",
            )
        )
    return plans


def plan_move(
    lifecycle: Lifecycle,
    startup: Startup,
    transition: TransitionDef,
    day: dt.date,
    choices: Choices,
) -> tuple[Step, Startup] | None:
    """The first way to take ``transition`` on ``day`` the lifecycle accepts, and the result."""
    plans = move_plans(lifecycle, startup, transition, day, choices)
    for plan in choices.order(plans, f"way to take {transition.id}"):
        after = accepted(lifecycle, startup, plan.commands)
        if after is not None:
            return plan, after
    return None


# -- other commands ----------------------------------------------------------------

Builder = Callable[[Lifecycle, Startup, dt.date, "Choices"], "Step | None"]


def _by(book: Rulebook, decision: str, choices: Choices) -> str | None:
    roles = may(book, decision)
    return choices.one(roles, f"{decision} role") if roles else None


def _note(lifecycle: Lifecycle, _startup: Startup, day: dt.date, choices: Choices) -> Step | None:
    by = _by(lifecycle.rulebook, "record", choices)
    if by is None:
        return None
    note = Note(on=day, name=choices.one(NOTE_NAMES, "note"), comment=choices.text("comment"))
    return Step((), Record(event=note, by=by), None, "note")


def _committee_record(
    lifecycle: Lifecycle, _startup: Startup, day: dt.date, choices: Choices
) -> Step | None:
    by = _by(lifecycle.rulebook, "committee", choices)
    if by is None:
        return None
    return Step((), Record(event=CommitteeHeld(on=day), by=by), None, "committee recorded")


def _launch(lifecycle: Lifecycle, _startup: Startup, day: dt.date, choices: Choices) -> Step | None:
    by = _by(lifecycle.rulebook, "launch", choices)
    return None if by is None else Step((), Launch(on=day, by=by), None, "launch")


def _publish(lifecycle: Lifecycle, startup: Startup, day: dt.date, choices: Choices) -> Step | None:
    by = _by(lifecycle.rulebook, "publish-budget", choices)
    if by is None:
        return None
    url = f"https://budget.example.org/{startup.slug}"
    return Step((), PublishBudget(on=day, by=by, url=url), None, "budget published")


def _committee(
    lifecycle: Lifecycle, startup: Startup, day: dt.date, choices: Choices
) -> Step | None:
    book = lifecycle.rulebook
    decision = choices.one(("continue", "provisional"), "decision")
    by = _by(book, decision, choices)
    if by is None:
        return None
    th = book.thresholds
    months = None
    next_on = None
    if decision == "provisional":
        months = choices.integer(th.provisional_months_min, th.provisional_months_max, "months")
        next_on = day + dt.timedelta(days=choices.integer(7, 20, "days to the next committee"))
    command = HoldCommittee(
        on=day,
        by=by,
        decision=decision,
        attendees=attendees(book, startup, None),
        months=months,
        next_on=next_on,
        grants=grants(choices),
        objectives=[choices.text("objective")],
    )
    return Step((), command, None, f"{decision} committee")


def _grant(lifecycle: Lifecycle, _startup: Startup, day: dt.date, choices: Choices) -> Step | None:
    by = _by(lifecycle.rulebook, "grant", choices)
    if by is None:
        return None
    source = choices.one(("sponsor", "dinum", "other"), "source")
    amount = choices.amount(Decimal(1000), Decimal(50000), "grant")
    command = GrantFunds(on=day, by=by, grants=[Grant(source=source, amount=amount)])
    return Step((), command, None, "grant")


def _spend(lifecycle: Lifecycle, startup: Startup, day: dt.date, choices: Choices) -> Step | None:
    by = _by(lifecycle.rulebook, "spend", choices)
    left = lifecycle.state(startup, on=day).remaining_envelope
    if by is None or left is None or left < Decimal("0.01"):
        return None
    amount = choices.amount(Decimal("0.01"), left, "spend")
    label = choices.one(("bon de commande", "facture", "hébergement"), "label")
    return Step((), Spend(on=day, by=by, amount=amount, label=label), None, "spend")


def _fast(lifecycle: Lifecycle, _startup: Startup, day: dt.date, choices: Choices) -> Step | None:
    by = _by(lifecycle.rulebook, "fast", choices)
    if by is None:
        return None
    edition = choices.integer(1, 16, "edition")
    return Step((), AwardFast(on=day, by=by, edition=edition), None, "FAST")


def _national(
    lifecycle: Lifecycle, _startup: Startup, day: dt.date, choices: Choices
) -> Step | None:
    by = _by(lifecycle.rulebook, "national-impact", choices)
    if by is None:
        return None
    command = DesignateNationalImpact(on=day, by=by, criteria=NATIONAL_IMPACT_CRITERIA)
    return Step((), command, None, "national impact")


def _dossier(
    lifecycle: Lifecycle, _startup: Startup, day: dt.date, choices: Choices
) -> Step | None:
    by = _by(lifecycle.rulebook, "dossier", choices)
    if by is None:
        return None
    count = choices.integer(1, len(DOSSIER_ITEM_IDS), "items")
    done = choices.order(DOSSIER_ITEM_IDS, "items")[:count]
    return Step((), UpdateDossier(on=day, by=by, done=done), None, "dossier")


def _liquidation(
    lifecycle: Lifecycle, startup: Startup, day: dt.date, choices: Choices
) -> Step | None:
    book = lifecycle.rulebook
    by = _by(book, "stop", choices)
    if by is None:
        return None
    until = day + dt.timedelta(days=choices.integer(30, 180, "safeguard days"))
    command = HoldCommittee(
        on=day,
        by=by,
        decision="stop",
        procedure="no-budget",
        safeguard_until=until,
        attendees=attendees(book, startup, None),
    )
    return Step((), command, None, "liquidation")


def _recovery(
    lifecycle: Lifecycle, _startup: Startup, day: dt.date, choices: Choices
) -> Step | None:
    by = _by(lifecycle.rulebook, "recovery", choices)
    if by is None:
        return None
    return Step((), FileRecovery(on=day, by=by, approached=[TAKER]), None, "recovery file")


def _takeover(
    lifecycle: Lifecycle, _startup: Startup, day: dt.date, choices: Choices
) -> Step | None:
    by = _by(lifecycle.rulebook, "takeover", choices)
    if by is None:
        return None
    command = TakeOver(on=day, by=by, sponsor=TAKER, grants=grants(choices))
    return Step((), command, None, "takeover")


def _dormancy(
    lifecycle: Lifecycle, startup: Startup, day: dt.date, choices: Choices
) -> Step | None:
    book = lifecycle.rulebook
    target = stop_target(book, lifecycle.phase(startup))
    transition = book.transition(lifecycle.phase(startup), target) if target else None
    if transition is None or not transition.deciders:
        return None
    by = choices.one(transition.deciders, "decider")
    command = Stop(on=day, by=by, post_mortem=post_mortem(book, choices), dormant=True)
    return Step((), command, transition.id, "dormancy")


def _retract(lifecycle: Lifecycle, startup: Startup, day: dt.date, choices: Choices) -> Step | None:
    """Withdraw one of the last notes or spends still in force, by a role that may."""
    gone = startup.retracted
    recent = [
        version
        for version, event in enumerate(startup.history, 1)
        if isinstance(event, Note | Spent) and version not in gone
    ][-3:]
    if not recent:
        return None
    version = choices.one(recent, "retracted event")
    by = _by(lifecycle.rulebook, retract_permission(startup.history[version - 1]), choices)
    if by is None:
        return None
    command = Retract(on=day, by=by, version=version, reason="recorded in error")
    return Step((), command, None, "retraction")


BUILDERS: Final[tuple[Builder, ...]] = (
    _note,
    _committee_record,
    _launch,
    _publish,
    _committee,
    _grant,
    _spend,
    _fast,
    _national,
    _dossier,
    _liquidation,
    _recovery,
    _takeover,
    _dormancy,
    _retract,
)
"""Builders of the commands that are not plain moves, simplest first."""


def steps(lifecycle: Lifecycle, startup: Startup, day: dt.date, choices: Choices) -> Step | None:
    """
    One step the lifecycle accepts on ``day``: a move or another command.

    Builders are tried in the order ``choices`` gives; each plan is applied
    before it is returned. ``None`` when nothing is accepted.
    """
    book = lifecycle.rulebook
    phase = lifecycle.phase(startup)
    moves: list[Callable[[], Step | None]] = []
    for transition in book.transitions_from(phase):

        def move(transition: TransitionDef = transition) -> Step | None:
            planned = plan_move(lifecycle, startup, transition, day, choices)
            return None if planned is None else planned[0]

        moves.append(move)
    others: list[Callable[[], Step | None]] = [
        functools.partial(builder, lifecycle, startup, day, choices) for builder in BUILDERS
    ]
    # Moves or other commands first, half the time each; a note first when shrunk.
    groups = choices.order([others, moves], "moves or other commands")
    for build in [*choices.order(groups[0], "step"), *choices.order(groups[1], "step")]:
        step = build()
        if step is not None and accepted(lifecycle, startup, step.commands) is not None:
            return step
    return None


# -- refusals ----------------------------------------------------------------------

RefusalBuilder = Callable[[Lifecycle, Startup, dt.date, "Choices"], "Refusal | None"]


def _refusal(  # noqa: PLR0917  (the parts of a refusal, in the order it reads)
    lifecycle: Lifecycle,
    startup: Startup,
    evidence_: Iterable[Command],
    command: Command,
    rules: Iterable[str],
    kind: str,
) -> Refusal | None:
    """A refusal if some of ``rules`` refuse and the evidence is accepted."""
    expected = errors_of(lifecycle.rulebook, rules)
    records = tuple(evidence_)
    if not expected or accepted(lifecycle, startup, records) is None:
        return None
    return Refusal(records, command, expected, kind)


def _backdated(
    lifecycle: Lifecycle, startup: Startup, _day: dt.date, choices: Choices
) -> Refusal | None:
    last = startup.last_event_date
    by = _by(lifecycle.rulebook, "record", choices)
    if last is None or by is None:
        return None
    before = last - dt.timedelta(days=choices.integer(1, 30, "days before"))
    command = Record(event=Note(on=before, comment=choices.text("comment")), by=by)
    return _refusal(lifecycle, startup, (), command, ["BS-CHRONO"], "dated before the last event")


def _stranger(
    lifecycle: Lifecycle, startup: Startup, day: dt.date, _choices: Choices
) -> Refusal | None:
    book = lifecycle.rulebook
    if book.has_role(STRANGER):
        return None
    command = Record(event=Note(on=day), by=STRANGER)
    # The role is not declared (BS-ACTOR), so it holds no permission either (BS-ROLE).
    return _refusal(lifecycle, startup, (), command, ["BS-ACTOR", "BS-ROLE"], "an unknown role")


def _not_allowed(
    lifecycle: Lifecycle, startup: Startup, day: dt.date, choices: Choices
) -> Refusal | None:
    book = lifecycle.rulebook
    decision = choices.one(("launch", "record"), "decision")
    others = tuple(r for r in book.role_values if r not in may(book, decision))
    if not others:
        return None
    by = choices.one(others, "role without the permission")
    command: Command = (
        Launch(on=day, by=by) if decision == "launch" else Record(event=Note(on=day), by=by)
    )
    return _refusal(lifecycle, startup, (), command, ["BS-ROLE"], f"no {decision} permission")


def _unknown_phase(
    lifecycle: Lifecycle, startup: Startup, day: dt.date, choices: Choices
) -> Refusal | None:
    book = lifecycle.rulebook
    if book.has_phase(NOWHERE):
        return None
    command = Advance(on=day, to=NOWHERE, by=choices.one(book.role_values, "role"))
    return _refusal(lifecycle, startup, (), command, ["BS-PHASE"], "a phase the rulebook lacks")


def _no_such_move(
    lifecycle: Lifecycle, startup: Startup, day: dt.date, choices: Choices
) -> Refusal | None:
    book = lifecycle.rulebook
    phase = lifecycle.phase(startup)
    targets = tuple(p for p in book.phase_values if book.transition(phase, p) is None)
    if not targets:
        return None
    target = choices.one(targets, "target")
    command = Advance(on=day, to=target, by=choices.one(book.role_values, "role"))
    rules = ["BS-MOVE"]
    if phase is not None and book.has_phase(phase) and book.phase(phase).stop:
        rules.append("N6")
    return _refusal(lifecycle, startup, (), command, rules, f"no transition to {target}")


def _structural(
    book: Rulebook, startup: Startup, phase: str | None, move: TransitionDef
) -> set[str]:
    """Rules a move breaks whatever its evidence: leaving a stop, re-entry, data-only."""
    rules: set[str] = set()
    if phase is not None and book.has_phase(phase) and book.phase(phase).stop:
        rules.add("N6")
    if not move.internal and move.dest in entered(startup):
        rules.add("N4")
    if move.data_only:
        rules.add("N8")
    return rules


def _recorded_move(
    lifecycle: Lifecycle,
    transition: TransitionDef,
    day: dt.date,
    choices: Choices,
    *,
    leave_out: str | None = None,
    committee: bool = True,
) -> tuple[list[Command], Advance] | None:
    """A move after its evidence and a committee recorded that day: (records, Advance)."""
    book = lifecycle.rulebook
    found = evidence(book, transition, day, choices, leave_out=leave_out)
    deciders = tuple(r for r in transition.deciders if book.has_role(r))
    if found is None or not deciders:
        return None
    records = list(found.records)
    if committee and needs_committee(book, transition):
        recorders = may(book, "committee")
        if not recorders:
            return None
        records.append(Record(event=CommitteeHeld(on=day), by=choices.one(recorders, "recorder")))
    move = Advance(
        on=day,
        to=transition.dest,
        by=choices.one(deciders, "decider"),
        co_deciders=[transition.co_deciders[0]] if transition.co_deciders else [],
        sponsor_budget_line=found.budget_line,
        post_mortem=found.post_mortem,
        exit_plan=found.exit_plan,
        criteria=found.criteria,
    )
    return records, move


def _ties(
    book: Rulebook, startup: Startup, lifecycle: Lifecycle, move: TransitionDef, day: dt.date
) -> bool:
    """Whether the tie rule keeps the current phase over ``move`` on ``day`` (BS-TIE)."""
    if move.internal:
        return False
    spans = lifecycle.state(startup).spans
    phase = lifecycle.phase(startup)
    current = [s for s in spans if s.phase == phase]
    if not current or current[-1].start != day:
        return False
    return book.tie == "first-listed" or book.rank(move.dest) < book.rank(phase or "")


def _move_refusals(
    lifecycle: Lifecycle, startup: Startup, day: dt.date, choices: Choices
) -> Refusal | None:
    """A move out of the current phase with one thing wrong, or one structural rule broken."""
    book = lifecycle.rulebook
    phase = lifecycle.phase(startup)
    moves = book.transitions_from(phase)
    if not moves:
        return None
    for move in choices.order(moves, "transition"):
        for fault in choices.order(_FAULTS, "fault"):
            refusal = _move_refusal(lifecycle, startup, day, choices, move, fault)
            if refusal is not None:
                return refusal
    return None


_FAULTS: Final = ("decider", "committee", "gate", "amount", "co-decider", "recorder", "none")
"""What can be wrong with a move (``none``: a structural rule refuses it as it is)."""


def _move_refusal(  # noqa: C901, PLR0911, PLR0912, PLR0915, PLR0917  (a branch per fault)
    lifecycle: Lifecycle,
    startup: Startup,
    day: dt.date,
    choices: Choices,
    move: TransitionDef,
    fault: str,
) -> Refusal | None:
    """``move`` with ``fault``, or ``None`` when that fault does not apply to it."""
    book = lifecycle.rulebook
    phase = lifecycle.phase(startup)
    structural = _structural(book, startup, phase, move)
    if _ties(book, startup, lifecycle, move, day):
        structural.add("BS-TIE")
    if errors_of(book, structural) and fault != "none":
        return None  # a structural rule refuses the move whatever the fault
    gates = [g for g in move.gates if g in book.gate_specs or g in BUILTIN_GATES]
    if fault == "none":
        if not errors_of(book, structural):
            return None
        planned = _recorded_move(lifecycle, move, day, choices)
        if planned is None:
            return None
        records, command = planned
        return _refusal(
            lifecycle,
            startup,
            records,
            command,
            structural,
            f"{move.id} breaks {sorted(structural)}",
        )
    if fault == "decider":
        outsiders = tuple(
            r for r in book.role_values if r not in move.deciders and r not in move.co_deciders
        )
        planned = _recorded_move(lifecycle, move, day, choices)
        if planned is None or not outsiders:
            return None
        records, command = planned
        command = attrs.evolve(command, by=choices.one(outsiders, "outsider"))
        return _refusal(
            lifecycle, startup, records, command, ["BS-ROLE"], f"{move.id} by a non-decider"
        )
    if fault == "co-decider":
        planned = _recorded_move(lifecycle, move, day, choices)
        if planned is None or not move.co_deciders:
            return None
        records, command = planned
        command = attrs.evolve(command, co_deciders=[])
        return _refusal(lifecycle, startup, records, command, ["BS-ROLE"], f"{move.id} alone")
    if fault == "committee":
        specs = [book.gate_specs[g] for g in move.gates if g in book.gate_specs]
        held = [s.rule for s in specs if s.kind == "committee_held"]
        if not needs_committee(book, move) or committee_held(startup, day):
            return None
        planned = _recorded_move(lifecycle, move, day, choices, committee=False)
        if planned is None:
            return None
        records, command = planned
        if any(isinstance(getattr(r, "event", None), CommitteeHeld) for r in records):
            return None  # a gate's evidence is a committee: N1 holds
        rules = [*(["N1"] if move.at_committee else []), *held]
        return _refusal(lifecycle, startup, records, command, rules, f"{move.id} with no committee")
    if not gates:
        return None
    name = choices.one(gates, "gate")
    spec = book.gate_specs.get(name)
    if fault in {"gate", "recorder"}:
        wrong = None
        if fault == "recorder":
            if spec is None or spec.kind != "event_within":
                return None
            wrong = evidence_record(book, spec, day, choices, wrong_role=True)
            if wrong is None:
                return None
        planned = _recorded_move(lifecycle, move, day, choices, leave_out=name)
        if planned is None:
            return None
        records, command = planned
        records = [*([wrong] if wrong is not None else []), *records]
        # What the other records hold counts too (a committee recorded for N1...).
        before = accepted(lifecycle, startup, records)
        if before is None:
            return None
        rules = _failing_rules(book, before, name, spec, day)
        what = "without gate" if wrong is None else "with the wrong recorder for"
        return _refusal(lifecycle, startup, records, command, rules, f"{move.id} {what} {name}")
    # fault == "amount": a budget line just below what one of the amount gates asks for.
    amounts = _amount_gates(book, move)
    if name not in amounts:
        return None
    least = amounts[name][0]
    planned = _recorded_move(lifecycle, move, day, choices)
    if planned is None or least < Decimal("0.01"):
        return None
    records, command = planned
    line = least - Decimal("0.01")
    rules = [rule for floor, rule in amounts.values() if floor > line]
    command = attrs.evolve(command, sponsor_budget_line=line)
    return _refusal(lifecycle, startup, records, command, rules, f"{move.id} under the minimum")


def _amount_gates(book: Rulebook, move: TransitionDef) -> dict[str, tuple[Decimal, str]]:
    """The move's gates on its budget line: name → (minimum, rule)."""
    found: dict[str, tuple[Decimal, str]] = {}
    for name in move.gates:
        spec = book.gate_specs.get(name)
        if spec is not None and spec.kind == "min_amount":
            found[name] = (minimum(book, spec), spec.rule)
        elif spec is None and book.gate(name) is BUILTIN_GATES.get("sponsor_budget_line"):
            found[name] = (book.thresholds.first_committee_budget_line, "BR-08")
    return found


def _failing_rules(
    book: Rulebook, startup: Startup, name: str, spec: GateSpec | None, day: dt.date
) -> list[str]:
    """Rules gate ``name`` yields when its evidence is left out of a move on ``day``."""
    if spec is not None:
        if spec.kind == "event_within":
            return [] if event_seen(book, startup, spec, day) else [spec.rule]
        if spec.kind == "min_amount":
            return [spec.rule] if minimum(book, spec) > 0 else []
        return [] if committee_held(startup, day) else [spec.rule]  # committee_held
    if name == "consolidation_criteria" and not book.thresholds.consolidation_criteria:
        return []  # no criterion to demonstrate: the gate passes
    return list(BUILTIN_GATES[name].rules)  # each built-in gate fails with all its rules


def _overspend(
    lifecycle: Lifecycle, startup: Startup, day: dt.date, choices: Choices
) -> Refusal | None:
    book = lifecycle.rulebook
    by = _by(book, "spend", choices)
    if by is None:
        return None
    left = lifecycle.state(startup, on=day).remaining_envelope
    extra = choices.amount(Decimal("0.01"), Decimal(50000), "beyond")
    if left is None:
        command = Spend(on=day, by=by, amount=extra, label="sans enveloppe")
        return _refusal(lifecycle, startup, (), command, ["BR-01"], "spending with no envelope")
    command = Spend(on=day, by=by, amount=max(left, Decimal(0)) + extra, label="trop")
    return _refusal(lifecycle, startup, (), command, ["BR-02"], "spending beyond the envelope")


REFUSALS: Final[tuple[RefusalBuilder, ...]] = (
    _move_refusals,
    _overspend,
    _backdated,
    _no_such_move,
    _not_allowed,
    _unknown_phase,
    _stranger,
)
"""Builders of refused commands; moves first, as they can break in the most ways."""


def refusals(
    lifecycle: Lifecycle, startup: Startup, day: dt.date, choices: Choices
) -> Refusal | None:
    """One command the rulebook refuses on ``day``, after evidence it accepts."""
    for build in choices.order(REFUSALS, "kind of refusal"):
        refusal = build(lifecycle, startup, day, choices)
        if refusal is not None:
            return refusal
    return None
