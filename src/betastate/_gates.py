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

from ._commands import Advance


if TYPE_CHECKING:
    from ._model import Startup
    from ._rulebook import Gate, Rulebook, TransitionDef


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


BUILTIN_GATES: Mapping[str, Gate] = MappingProxyType({"sponsor_budget_line": sponsor_budget_line})
"""Gates every rulebook may name."""

# Commands that carry a budget line; used by gates and documented here.
_BUDGET_LINE_COMMANDS = (Advance,)
