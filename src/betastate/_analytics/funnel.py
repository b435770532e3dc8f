"""
The funnel: what became of the products entering each step of the lifecycle.

A step is a named set of phases. The beta.gouv.fr funnel has four:
investigation, construction, acceleration, and *perennisation*, which holds
consolidation and the two ways out that are not stops (opere, transfere):
a product reaching one of those has succeeded even though no step follows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, overload

import attrs

from betastate._analytics.errors import one_of
from betastate._analytics.queries import (
    GroupBy,
    default_rulebook,
    grouper,
    phase_on,
    timelines,
)
from betastate._analytics.results import Grouped, Rows, squeeze
from betastate._analytics.tables import Backend
from betastate._engine.state import ordered_entries
from betastate._values.errors import InvalidArgument


if TYPE_CHECKING:
    from betastate._analytics.portfolio import Portfolio
    from betastate._rules.rulebook import Rulebook
    from betastate._values.startup import Startup

Steps = Mapping[str, Sequence[str]] | Sequence[Sequence[str]]
"""Funnel steps: ``{name: phases}``, or phase lists (each named after its phases)."""

DEFAULT_STEPS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "investigation": ("investigation",),
        "construction": ("construction",),
        "acceleration": ("acceleration",),
        "perennisation": ("consolidation", "opere", "transfere"),
    }
)
"""The beta.gouv.fr funnel: investigation, construction, acceleration, perennisation."""

STEP_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "perennisation": (
            "Perennisation (consolidation, operated, transferred)",
            "Pérennisation (consolidation, opéré, transféré)",
        ),
    }
)
"""English and French labels of step names that are not a phase's."""


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


@attrs.frozen(repr=False)
class FunnelStep:
    """
    One step of a funnel and what became of the products that entered it.

    ``entered = advanced + exited + stopped + running + other``: each product
    that entered is counted once. A product *converted* when it advanced to
    a later step or exited (reached a terminal phase of this step that is
    not a stop: opere or transfere in perennisation, the last step's
    success). Many products are still running, so two rates are given:
    ``rate`` counts them as not (yet) converted, ``decided_rate`` leaves
    them out.

    Attributes:
        name: The step's name.
        phases: The phases that make up the step.
        entered: Products that entered one of ``phases`` by the date.
        advanced: ... then entered a phase of a later step.
        exited: ... then reached a terminal phase of this step that is not
            a stop (a success with no later step to advance to).
        stopped: ... then entered a stop phase without advancing.
        running: ... and are still in a non-terminal phase of ``phases``.
        other: The rest (an explicit end or a move back, without a stop).
        slugs: The products that entered, in portfolio order.

    .. versionadded:: 0.1.0
    """

    name: str
    phases: tuple[str, ...]
    entered: int
    advanced: int
    exited: int
    stopped: int
    running: int
    other: int
    slugs: tuple[str, ...] = ()

    @property
    def converted(self) -> int:
        """``advanced + exited``: the products this step led somewhere good."""
        return self.advanced + self.exited

    @property
    def rate(self) -> float | None:
        """``converted / entered`` (running products count as not converted)."""
        return self.converted / self.entered if self.entered else None

    @property
    def decided_rate(self) -> float | None:
        """``converted / (entered - running)``: running products left out."""
        decided = self.entered - self.running
        return self.converted / decided if decided else None

    def to_frame(self, backend: Backend = "pandas") -> Any:
        """This step as a one-row DataFrame (the columns of :class:`Funnel`)."""
        return Funnel([self]).to_frame(backend)

    def brief(self) -> str:
        """``name entered→rate``, for the repr of a funnel."""
        return f"{self.name} {self.entered}→{_percent(self.rate)}"

    def _row(self) -> dict[str, object]:
        return {
            "step": self.name,
            "phases": ",".join(self.phases),
            "entered": self.entered,
            "advanced": self.advanced,
            "exited": self.exited,
            "stopped": self.stopped,
            "running": self.running,
            "other": self.other,
            "converted": self.converted,
            "rate": self.rate,
            "decided_rate": self.decided_rate,
        }

    def __repr__(self) -> str:
        return squeeze(
            f"FunnelStep({self.name!r}, ",
            [
                f"entered={self.entered}",
                f"advanced={self.advanced}",
                f"exited={self.exited}",
                f"stopped={self.stopped}",
                f"running={self.running}",
                f"other={self.other}",
                f"rate={_percent(self.rate)}",
                f"decided_rate={_percent(self.decided_rate)}",
            ],
        )


class Funnel(Rows[FunnelStep]):
    """
    The steps of a funnel, in order (a tuple of :class:`FunnelStep`).

    Its frame has one row per step: step, phases, the counts, ``converted``,
    ``rate`` and ``decided_rate``.

    .. versionadded:: 0.1.0
    """

    noun: ClassVar[str] = "steps"
    columns: ClassVar[Mapping[str, tuple[str, str]]] = {
        "step": ("str", "The step's name."),
        "phases": ("str", "Its phases, comma-separated."),
        "entered": ("int", "Products that entered the step by the date."),
        "advanced": ("int", "... then entered a later step."),
        "exited": ("int", "... then reached a terminal phase of the step that is not a stop."),
        "stopped": ("int", "... then entered a stop phase without advancing."),
        "running": ("int", "... and are still in a non-terminal phase of the step."),
        "other": ("int", "The rest (an explicit end or a move back)."),
        "converted": ("int", "advanced + exited."),
        "rate": ("float", "converted / entered (running products as not converted)."),
        "decided_rate": ("float", "converted / (entered - running)."),
    }


def default_steps(rulebook: Rulebook) -> list[tuple[str, tuple[str, ...]]]:
    """
    The funnel a rulebook gets when none is asked for.

    The beta.gouv.fr steps (:data:`DEFAULT_STEPS`) when the rulebook has
    their phases; otherwise one step per active, non-terminal phase in
    lifecycle order, then one step of the terminal phases that are not stops
    (the ways out), so another incubator's rulebook gets its own funnel.
    """
    if all(rulebook.has_phase(p) for phases in DEFAULT_STEPS.values() for p in phases):
        return [(name, tuple(phases)) for name, phases in DEFAULT_STEPS.items()]
    ordered = [rulebook.phase(value) for value in rulebook.phase_values]
    pairs: list[tuple[str, tuple[str, ...]]] = [
        (p.value, (p.value,)) for p in ordered if not p.terminal and not p.stop
    ]
    exits = tuple(p.value for p in ordered if p.terminal and not p.stop)
    if exits:
        pairs.append(("+".join(exits), exits))
    return pairs


def _phases(value: object) -> tuple[str, ...]:
    """One step's phases: a list of names (``TypeError`` for anything else)."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError
    phases = tuple(value)
    if not all(isinstance(phase, str) for phase in phases):
        raise TypeError
    return phases


def step_table(steps: Steps | None, rulebook: Rulebook) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """
    ``steps`` as ``(name, phases)`` pairs, checked against ``rulebook``.

    Raises:
        InvalidArgument: a phase the rulebook lacks, a phase in two steps, or no step.
    """
    try:
        if steps is None:
            pairs = default_steps(rulebook)
        elif isinstance(steps, Mapping):
            pairs = [(str(name), _phases(phases)) for name, phases in steps.items()]
        else:
            pairs = [("+".join(_phases(phases)), _phases(phases)) for phases in steps]
    except TypeError:
        raise InvalidArgument(
            "steps",
            steps,
            "steps are lists of phase names (or a mapping of step names to them)",
            "pass e.g. [['investigation'], ['construction']]",
        ) from None
    if not pairs or any(not phases for _, phases in pairs):
        raise InvalidArgument(
            "steps", steps, "a funnel needs steps of one phase or more", "pass them"
        )
    seen: dict[str, str] = {}
    for name, phases in pairs:
        for phase in phases:
            if not rulebook.has_phase(phase):
                raise InvalidArgument(
                    "steps",
                    steps,
                    f"step {name!r} names {phase!r}, not a phase of rulebook {rulebook.name!r}",
                    one_of(phase, rulebook.phase_values),
                )
            if phase in seen:
                raise InvalidArgument(
                    "steps",
                    steps,
                    f"{phase!r} is in steps {seen[phase]!r} and {name!r}",
                    "put each phase in one step",
                )
            seen[phase] = name
    return tuple(pairs)


def step_label(name: str, phases: Sequence[str], lang: str, rulebook: Rulebook) -> str:
    """A step's label for people: its phase's label, or :data:`STEP_LABELS`, or its phases'."""
    if name in STEP_LABELS:
        return STEP_LABELS[name][1 if lang == "fr" else 0]
    if len(phases) == 1 and name == phases[0] and rulebook.has_phase(name):
        return rulebook.phase(name).label(lang)
    return ", ".join(rulebook.phase(p).label(lang) if rulebook.has_phase(p) else p for p in phases)


def _tally(
    startups: Sequence[Startup],
    on: dt.date,
    pairs: tuple[tuple[str, tuple[str, ...]], ...],
    book: Rulebook,
    lines: Mapping[str, tuple[tuple[dt.date, str], ...]],
) -> Funnel:
    step_of = {phase: index for index, (_, phases) in enumerate(pairs) for phase in phases}
    keys = ("entered", "advanced", "exited", "stopped", "running", "other")
    tallies = [dict.fromkeys(keys, 0) for _ in pairs]
    slugs: list[list[str]] = [[] for _ in pairs]
    for startup in startups:
        entries = [e for e in ordered_entries(startup.in_force, book) if e.on <= on]
        # The last entry of each day is the one the tie rule keeps; the others lost to it.
        kept = {e.on: i for i, e in enumerate(entries)}
        current = phase_on(lines[startup.slug], on)
        for index in range(len(pairs)):
            first = next((i for i, e in enumerate(entries) if step_of.get(e.phase) == index), None)
            if first is None:
                continue
            later = [e for i, e in enumerate(entries) if i > first and kept[e.on] == i]
            tally = tallies[index]
            tally["entered"] += 1
            slugs[index].append(startup.slug)
            if any(step_of.get(e.phase, -1) > index for e in later):
                tally["advanced"] += 1
            elif any(book.has_phase(e.phase) and book.phase(e.phase).stop for e in later):
                tally["stopped"] += 1
            elif current is not None and step_of.get(current) == index:
                if not book.is_terminal(current):
                    tally["running"] += 1
                elif book.phase(current).stop:
                    tally["stopped"] += 1
                else:
                    tally["exited"] += 1
            else:
                tally["other"] += 1
    return Funnel(
        FunnelStep(name=name, phases=phases, slugs=tuple(slugs[index]), **tallies[index])
        for index, (name, phases) in enumerate(pairs)
    )


@overload
def funnel(
    portfolio: Portfolio,
    on: dt.date,
    steps: Steps | None = None,
    rulebook: Rulebook | None = None,
    by: None = None,
) -> Funnel: ...


@overload
def funnel(
    portfolio: Portfolio,
    on: dt.date,
    steps: Steps | None,
    rulebook: Rulebook | None,
    by: GroupBy,
) -> Grouped[str, Funnel]: ...


@overload
def funnel(
    portfolio: Portfolio,
    on: dt.date,
    steps: Steps | None = None,
    rulebook: Rulebook | None = None,
    *,
    by: GroupBy,
) -> Grouped[str, Funnel]: ...


def funnel(
    portfolio: Portfolio,
    on: dt.date,
    steps: Steps | None = None,
    rulebook: Rulebook | None = None,
    by: GroupBy | None = None,
) -> Funnel | Grouped[str, Funnel]:
    """
    What became of the products entering each step, as of ``on``; per group with ``by``.

    A product *entered* a step when one of its phases started on or before
    ``on``; it *advanced* when a phase of any later step started after that
    entry (in tie-rule order); it *stopped* when it entered a stop phase
    without advancing (a phase that lost a same-day tie does not count:
    abandon and transfere on one day is a transfer); it *exited* when its
    phase on ``on`` is a terminal phase of the step that is not a stop; it
    is *running* when its phase on ``on`` is a non-terminal phase of the
    step; *other* is the rest (moved back, or an explicit end).
    """
    book = default_rulebook(rulebook)
    pairs = step_table(steps, book)
    lines = timelines(portfolio, book)
    if by is None:
        return _tally(portfolio.startups, on, pairs, book, lines)
    groups = grouper(by, portfolio, book)
    members: dict[str, list[Startup]] = {}
    for startup in portfolio:
        line = lines[startup.slug]
        if line and line[0][0] <= on:
            for group in groups(startup):
                members.setdefault(group, []).append(startup)
    return Grouped(
        ((group, _tally(mine, on, pairs, book, lines)) for group, mine in sorted(members.items())),
        key="cohort" if by == "cohort" else "group",
    )
