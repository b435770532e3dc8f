"""
Gates: the checks a rulebook's transitions name (``gates = [...]``).

A gate receives a :class:`GateContext` and yields :class:`Violation` values;
the rulebook decides their severity. Every gate declares the rule ids it may
yield (:func:`gate`), so a rulebook that lacks one of them fails when it is
loaded, and a gate yielding an id it did not declare raises instead of being
dropped.

Two kinds exist: Python gates (the built-in ones below, or yours, made with
:func:`gate`), and parameterised gates written in the rulebook file with no
Python (``[gates.NAME] kind = "event_within" ...``, see :data:`GATE_KINDS`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs

from betastate._values.errors import RulebookError
from betastate._values.events import CommitteeHeld, Note
from betastate._values.fields import freeze_mapping, tuple_of_str
from betastate._values.texts import phrase, plain, render


if TYPE_CHECKING:
    from betastate._rules.rulebook import Rulebook, TransitionDef
    from betastate._values.startup import Startup


@attrs.frozen
class Violation:
    """
    A broken rule before the rulebook gives it a severity.

    Your own gates may give their words directly (``Violation(rule,
    message, fix)``); betastate's are texts in English and French
    (:meth:`of`), which a reason can be shown again in.

    Attributes:
        rule: Rule id.
        message: What is wrong, naming startup, phases, dates and values.
        fix: What would make it pass, in plain words.
        field: The command field concerned, as a JSON Pointer (``/amount``).
        values: The numbers, dates and names involved, JSON-safe.
        hint: For developers: how to pass what is missing in Python.
        text: The key of betastate's text it was written from, if any.
    """

    rule: str
    message: str
    fix: str
    field: str | None = None
    values: Mapping[str, Any] = attrs.field(factory=dict, converter=freeze_mapping, hash=False)
    hint: str | None = None
    text: str | None = None

    @classmethod
    def of(
        cls,
        rule: str,
        text: str,
        *,
        field: str | None = None,
        hint: str | None = None,
        **values: Any,
    ) -> Violation:
        """A violation written from betastate's text ``text`` (English), with ``values``."""
        data = plain(values)
        message, fix = render(text, "en", data)
        return cls(rule, message, fix, field=field, values=data, hint=hint, text=text)


@attrs.frozen
class GateContext:
    """
    What a gate sees.

    Attributes:
        startup: The startup before the command.
        phase: Its current phase (``None`` before its first one).
        command: The command being checked.
        transition: The transition the command would take.
        rulebook: The rulebook in force.
        at_committee: Whether the move is carried by a committee
            (:class:`betastate.HoldCommittee`) rather than recorded alone.
    """

    startup: Startup
    phase: str | None
    command: Any
    transition: TransitionDef
    rulebook: Rulebook
    at_committee: bool = False


Check = Callable[[GateContext], Iterable[Violation]]
"""The function inside a gate: a context in, violations out."""


@attrs.frozen
class Gate:
    """
    A named check and the rule ids it may yield.

    Make one with :func:`gate`. Calling it runs the check and raises
    :class:`betastate.RulebookError` if the check yields a rule id it did
    not declare: a misspelt id never switches a gate off.

    Attributes:
        check: The function (context in, violations out).
        rules: Rule ids it may yield; the rulebook must declare each one.
        name: Its name, for messages.
        description: What it checks.

    .. versionadded:: 0.1.0
    """

    check: Check
    rules: tuple[str, ...] = attrs.field(converter=tuple_of_str)
    name: str = ""
    description: str = ""

    def __call__(self, ctx: GateContext) -> Iterator[Violation]:
        """Run the check; every violation must carry a declared rule id."""
        for violation in self.check(ctx):
            if violation.rule not in self.rules:
                raise RulebookError(
                    ctx.rulebook.origin or f"rulebook {ctx.rulebook.name!r}",
                    f"gates.{self.name or '?'}",
                    f"gate {self.name!r} yielded rule {violation.rule!r}, which it does not "
                    f"declare (it declares {', '.join(self.rules) or 'none'})",
                    "declare it: betastate.gate("
                    f"{', '.join(map(repr, (*self.rules, violation.rule)))})",
                )
            yield violation


def gate(*rules: str, name: str | None = None, description: str = "") -> Callable[[Check], Gate]:
    """
    Make a function a :class:`Gate` that may yield ``rules``.

    Example::

        @betastate.gate("LOCAL-COACH")
        def needs_a_coach(ctx):
            ...

    Args:
        rules: Rule ids the check may yield (at least one).
        name: The gate's name in messages (default: the function's name).
        description: What it checks (default: the first docstring line).

    .. versionadded:: 0.1.0
    """
    if not rules:
        msg = "gate() needs the rule ids the check may yield, e.g. @betastate.gate('BR-08')"
        raise TypeError(msg)

    def wrap(check: Check) -> Gate:
        doc = (check.__doc__ or "").strip().splitlines()
        return Gate(
            check,
            rules,
            name=name or str(getattr(check, "__name__", "")),
            description=description or (doc[0] if doc else ""),
        )

    return wrap


# -- the built-in Python gates -------------------------------------------------


@gate("BR-08")
def sponsor_budget_line(ctx: GateContext) -> Iterator[Violation]:
    """BR-08 (and N3): entering construction needs a sponsor budget line."""
    threshold = ctx.rulebook.thresholds.first_committee_budget_line
    command = ctx.command
    line = getattr(command, "sponsor_budget_line", None)
    if line is not None and line >= threshold:
        return
    seen = phrase("no-budget-line") if line is None else phrase("a-budget-line", amount=str(line))
    yield Violation.of(
        "BR-08",
        "BR-08",
        field="/sponsor_budget_line",
        hint=f"pass sponsor_budget_line=Decimal('{threshold}') or more",
        slug=ctx.startup.slug,
        target=ctx.transition.dest,
        on=command.on,
        seen=seen,
        threshold=threshold,
        line=line,
    )


@gate("ST-PM")
def post_mortem(ctx: GateContext) -> Iterator[Violation]:
    """ST-PM: a stop needs a complete post-mortem (brief §8.4)."""
    command = ctx.command
    report = getattr(command, "post_mortem", None)
    required = ctx.rulebook.thresholds.post_mortem_authors
    missing = (
        (
            "learnings",
            "why_we_stop",
            "relaunch_advice",
            "reasons",
            *(f"author:{r}" for r in required),
        )
        if report is None
        else report.missing(required)
    )
    if not missing:
        return
    what = phrase("no-post-mortem" if report is None else "an-incomplete-post-mortem")
    yield Violation.of(
        "ST-PM",
        "ST-PM",
        field="/post_mortem",
        hint="pass post_mortem=betastate.PostMortem(learnings=..., why_we_stop=..., "
        "relaunch_advice=..., reasons=[...], authors=[...]) with every part filled in",
        slug=ctx.startup.slug,
        target=ctx.transition.dest,
        on=command.on,
        seen=what,
        missing=missing,
        parts=[
            phrase("part-author", role=part.removeprefix("author:"))
            if part.startswith("author:")
            else phrase(f"part-{part}")
            for part in missing
        ],
        authors=required,
    )


@gate("EXIT-PLAN", "BR-15")
def exit_plan(ctx: GateContext) -> Iterator[Violation]:
    """EXIT-PLAN and BR-15: an exit names its trajectory, host and running-cost line."""
    command = ctx.command
    plan = getattr(command, "exit_plan", None)
    where = {"slug": ctx.startup.slug, "target": ctx.transition.dest, "on": command.on}
    if plan is None:
        yield Violation.of(
            "EXIT-PLAN",
            "EXIT-PLAN",
            field="/exit_plan",
            hint="pass exit_plan=betastate.ExitPlan(trajectory=..., host=..., "
            "annual_running_cost=...)",
            **where,
        )
    if plan is None or plan.annual_running_cost is None:
        yield Violation.of(
            "BR-15",
            "BR-15",
            field="/exit_plan/annual_running_cost",
            hint="pass exit_plan.annual_running_cost=Decimal(...)",
            **where,
        )


@gate("N7")
def consolidation_criteria(ctx: GateContext) -> Iterator[Violation]:
    """N7: entering consolidation with the rulebook's entry criteria demonstrated."""
    command = ctx.command
    met = set(getattr(command, "criteria", ()))
    missing = [c for c in ctx.rulebook.thresholds.consolidation_criteria if c not in met]
    if missing:
        yield Violation.of(
            "N7",
            "N7",
            field="/criteria",
            hint=f"pass criteria=[{', '.join(map(repr, missing))}]",
            slug=ctx.startup.slug,
            on=command.on,
            missing=missing,
        )


BUILTIN_GATES: Mapping[str, Gate] = MappingProxyType(
    {
        "sponsor_budget_line": sponsor_budget_line,
        "post_mortem": post_mortem,
        "exit_plan": exit_plan,
        "consolidation_criteria": consolidation_criteria,
    }
)
"""Python gates every rulebook may name."""


# -- parameterised gates, written in the rulebook file -----------------------


@attrs.frozen(kw_only=True)
class GateSpec:
    """
    A built-in gate with its parameters, as a rulebook file writes it.

    ``[gates.NAME]`` in TOML; the transition names it in ``gates = [...]``.
    Which parameters apply depends on ``kind`` (:data:`GATE_KINDS`).

    Attributes:
        kind: ``event_within``, ``min_amount`` or ``committee_held``.
        rule: The rule id it yields when it fails (declare it in ``[rules]``).
        event: (``event_within``) the event: a class name
            (``CommitteeHeld``) or a note's name (``alpha-assessment-met``).
        days: (``event_within``) how many days before the move it counts.
        field: (``min_amount``) the command's amount field.
        amount: (``min_amount``) the minimum, in euros.
        threshold: A threshold supplying ``days`` or ``amount`` instead.
        by: Only events recorded by one of these roles count (empty: any).
        description: What it checks, in words.
        source: Source key(s).

    .. versionadded:: 0.1.0
    """

    kind: str
    rule: str
    event: str | None = None
    days: int | None = None
    field: str | None = None
    amount: Decimal | None = None
    threshold: str | None = None
    by: tuple[str, ...] = attrs.field(default=(), converter=tuple_of_str)
    description: str = ""
    source: str = ""


GATE_KINDS: Final = MappingProxyType(
    {
        "event_within": (
            "an event of a kind (event = class name or note name) recorded within "
            "days (or threshold) days before the move, by one of the roles in by"
        ),
        "min_amount": ("the command's amount field (field) at least amount (or threshold) euros"),
        "committee_held": (
            "the move carried by HoldCommittee, or a committee held on the move's date"
        ),
    }
)
"""The parameterised gates a rulebook file can use, with what each checks."""


def _number(spec: GateSpec, book: Rulebook, literal: Any) -> Any:
    if spec.threshold is not None:
        return book.thresholds.get(spec.threshold)
    return literal


def _matches(event: object, spec: GateSpec) -> bool:
    name = type(event).__name__
    if name != spec.event and not (isinstance(event, Note) and event.name == spec.event):
        return False
    if not spec.by:
        return True
    actor = getattr(event, "by", None)
    return actor is not None and actor.role in spec.by


def _event_within(spec: GateSpec, name: str) -> Check:
    def check(ctx: GateContext) -> Iterator[Violation]:
        days = int(_number(spec, ctx.rulebook, spec.days))
        day: dt.date = ctx.command.on
        earliest = day - dt.timedelta(days=days)
        for event in reversed(ctx.startup.in_force):
            if earliest <= event.on <= day and _matches(event, spec):
                return
        yield Violation.of(
            spec.rule,
            "gate.event_within",
            field="/on",
            hint=f"record it first: betastate.Record(event=betastate.Note(on=..., "
            f"name={spec.event!r}), by=...)",
            slug=ctx.startup.slug,
            target=ctx.transition.dest,
            on=day,
            transition=ctx.transition.id,
            event=spec.event,
            who=phrase("recorded-by", roles=list(spec.by)) if spec.by else "",
            by_whom=phrase("by-a", role=spec.by[0]) if spec.by else "",
            earliest=earliest,
            days=days,
            description=spec.description or name,
        )

    return check


def _min_amount(spec: GateSpec, name: str) -> Check:
    def check(ctx: GateContext) -> Iterator[Violation]:
        minimum = Decimal(_number(spec, ctx.rulebook, spec.amount))
        field = spec.field or ""
        value = getattr(ctx.command, field, None)
        if isinstance(value, Decimal) and value >= minimum:
            return
        seen = (
            phrase("no-field", field=field)
            if value is None
            else phrase("field-of", field=field, amount=str(value))
        )
        yield Violation.of(
            spec.rule,
            "gate.min_amount",
            field=f"/{field}" if field else None,
            hint=f"pass {field}=Decimal('{minimum}') or more",
            slug=ctx.startup.slug,
            target=ctx.transition.dest,
            on=ctx.command.on,
            transition=ctx.transition.id,
            seen=seen,
            minimum=minimum,
            gate=name,
        )

    return check


def _committee_held(spec: GateSpec, name: str) -> Check:
    def check(ctx: GateContext) -> Iterator[Violation]:
        day: dt.date = ctx.command.on
        if ctx.at_committee or any(
            isinstance(e, CommitteeHeld) and e.on == day for e in ctx.startup.in_force
        ):
            return
        yield Violation.of(
            spec.rule,
            "gate.committee_held",
            field="/on",
            hint="decide it with betastate.HoldCommittee(..., phase_change=...), or record "
            "betastate.CommitteeHeld(on=...) first",
            slug=ctx.startup.slug,
            target=ctx.transition.dest,
            on=day,
            transition=ctx.transition.id,
            gate=name,
        )

    return check


_BUILDERS: Final[Mapping[str, Callable[[GateSpec, str], Check]]] = MappingProxyType(
    {
        "event_within": _event_within,
        "min_amount": _min_amount,
        "committee_held": _committee_held,
    }
)


def build_gate(name: str, spec: GateSpec) -> Gate:
    """The :class:`Gate` a valid :class:`GateSpec` describes (the rulebook checks it first)."""
    return Gate(
        _BUILDERS[spec.kind](spec, name),
        (spec.rule,),
        name=name,
        description=spec.description or GATE_KINDS[spec.kind],
    )
