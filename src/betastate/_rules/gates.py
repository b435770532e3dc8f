"""
Gates: Python checks a rulebook's transitions name (``gates = [...]``).

A gate receives a :class:`GateContext` and yields :class:`Violation` values;
the rulebook decides their severity. Gates are plain callables, registered
by name, so a typo in a rulebook file fails when it is loaded, not later.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs


if TYPE_CHECKING:
    from betastate._rules.rulebook import Gate, Rulebook, TransitionDef
    from betastate._values.startup import Startup


@attrs.frozen
class Violation:
    """
    A broken rule before the rulebook gives it a severity.

    Attributes:
        rule: Rule id.
        message: What is wrong, naming startup, phases, dates and values.
        fix: What would make it pass.
    """

    rule: str
    message: str
    fix: str


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
    """

    startup: Startup
    phase: str | None
    command: Any
    transition: TransitionDef
    rulebook: Rulebook


def sponsor_budget_line(ctx: GateContext) -> Iterator[Violation]:
    """
    BR-08 (and N3): entering construction needs a sponsor budget line.

    The line is the command's ``sponsor_budget_line``, compared with the
    rulebook's ``first_committee_budget_line`` threshold.
    """
    threshold = ctx.rulebook.thresholds.first_committee_budget_line
    command = ctx.command
    line = getattr(command, "sponsor_budget_line", None)
    if line is not None and line >= threshold:
        return
    seen = "no budget line" if line is None else f"a budget line of {line:,} €"
    yield Violation(
        "BR-08",
        f"{ctx.startup.slug!r} cannot enter {ctx.transition.dest} on "
        f"{command.on.isoformat()}: the sponsor has {seen}, below the "
        f"{threshold:,} € the rulebook requires.",
        f"have the sponsor identify a budget line of at least {threshold:,} € "
        f"and pass it as sponsor_budget_line=Decimal('{threshold}').",
    )


def post_mortem(ctx: GateContext) -> Iterator[Violation]:
    """
    ST-PM: a stop needs a complete post-mortem (brief §8.4).

    The refusal lists the missing parts; required authors are the
    rulebook's ``post_mortem_authors`` threshold.
    """
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
    what = "no post-mortem" if report is None else "an incomplete post-mortem"
    yield Violation(
        "ST-PM",
        f"{ctx.startup.slug!r} cannot stop ({ctx.transition.dest}) on "
        f"{command.on.isoformat()} with {what}: missing {', '.join(missing)}.",
        "pass post_mortem=betastate.PostMortem(learnings=..., why_we_stop=..., "
        "relaunch_advice=..., reasons=[...], authors=[intrapreneur, coach]) "
        "with every part filled in.",
    )


def exit_plan(ctx: GateContext) -> Iterator[Violation]:
    """EXIT-PLAN and BR-15: an exit names its trajectory, host and running-cost line."""
    command = ctx.command
    plan = getattr(command, "exit_plan", None)
    day = command.on.isoformat()
    if plan is None:
        yield Violation(
            "EXIT-PLAN",
            f"{ctx.startup.slug!r} leaves incubation for {ctx.transition.dest} on {day} "
            "without a trajectory or host organisation.",
            "pass exit_plan=betastate.ExitPlan(trajectory=..., host=..., annual_running_cost=...).",
        )
    if plan is None or plan.annual_running_cost is None:
        yield Violation(
            "BR-15",
            f"{ctx.startup.slug!r} leaves incubation for {ctx.transition.dest} on {day} "
            "without an annual running-cost line in the host's budget.",
            "record the host's annual budget line as exit_plan.annual_running_cost.",
        )


def consolidation_criteria(ctx: GateContext) -> Iterator[Violation]:
    """N7: entering consolidation with the rulebook's entry criteria demonstrated."""
    command = ctx.command
    met = set(getattr(command, "criteria", ()))
    missing = [c for c in ctx.rulebook.thresholds.consolidation_criteria if c not in met]
    if missing:
        yield Violation(
            "N7",
            f"{ctx.startup.slug!r} enters consolidation on {command.on.isoformat()} "
            f"without demonstrating {', '.join(missing)}.",
            f"demonstrate them and pass criteria=[{', '.join(map(repr, missing))}].",
        )


BUILTIN_GATES: Mapping[str, Gate] = MappingProxyType(
    {
        "sponsor_budget_line": sponsor_budget_line,
        "post_mortem": post_mortem,
        "exit_plan": exit_plan,
        "consolidation_criteria": consolidation_criteria,
    }
)
"""Gates every rulebook may name."""
