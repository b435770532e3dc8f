"""
Paths through a rulebook: command sequences that reach every phase and fire every transition.

A path is found by *playing* it: from an empty startup, each move is planned
with the evidence its gates need and applied through
:class:`betastate.Lifecycle`, so a transition the rulebook's rules refuse
(a data-only move under a strict rulebook, leaving a stop) is never on a
path. Model-based testing tools call these the shortest and the simple
paths of the state graph (XState's ``getShortestPaths``/``getSimplePaths``).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs

from betastate._engine.commands import Command
from betastate._engine.lifecycle import Lifecycle
from betastate._rules.loading import load_rulebook
from betastate._rules.rulebook import Rulebook
from betastate._values.events import Event, PhaseEntered, Pivoted
from betastate._values.startup import Startup
from betastate.testing._planning import First, Step, lifecycle_of, plan_move


if TYPE_CHECKING:
    from pathlib import Path as FilePath

START: Final = dt.date(2025, 1, 6)
"""The day the first command of a path is dated (a Monday)."""

DAYS: Final = 30
"""Days between two moves of a path."""


def as_rulebook(rulebook: Rulebook | str | FilePath) -> Rulebook:
    """A rulebook from itself, a preset name or a TOML path."""
    return rulebook if isinstance(rulebook, Rulebook) else load_rulebook(rulebook)


@attrs.frozen
class Path:
    """
    Commands that take a startup through a rulebook, one transition after another.

    Attributes:
        steps: One :class:`Step` per transition: the evidence its gates need,
            then the move.
        rulebook: The rulebook the path was played under.

    .. versionadded:: 0.1.0
    """

    steps: tuple[Step, ...]
    rulebook: Rulebook = attrs.field(eq=False, repr=False)

    @property
    def commands(self) -> tuple[Command, ...]:
        """Every command, evidence included, to apply in order from an empty :class:`Startup`."""
        return tuple(command for step in self.steps for command in step.commands)

    @property
    def transitions(self) -> tuple[str, ...]:
        """The ids of the transitions the path fires, in order."""
        return tuple(step.transition or "" for step in self.steps)

    @property
    def phases(self) -> tuple[str, ...]:
        """The phase each transition enters (a pivot's is the phase it stays in)."""
        return tuple(self._transition(step).dest for step in self.steps)

    @property
    def triggers(self) -> tuple[str, ...]:
        """The trigger of each transition (``start``, ``construct``...)."""
        return tuple(self._transition(step).trigger for step in self.steps)

    @property
    def reaches(self) -> str:
        """The phase the path ends in."""
        return self.phases[-1]

    @property
    def label(self) -> str:
        """What it does, for people: ``reaches transfere: start → construct → transfer``."""
        return f"reaches {self.reaches}: {' → '.join(self.triggers)}"

    @property
    def id(self) -> str:
        """:attr:`label` in ASCII (``->``): pytest escapes other characters in test ids."""
        return f"reaches {self.reaches}: {' -> '.join(self.triggers)}"

    def startup(self, slug: str = "parcours", title: str = "Parcours") -> Startup:
        """
        The startup the path gives, applied through :class:`betastate.Lifecycle`.

        Raises:
            TransitionRefused: A command is refused (it was accepted when the
                path was found: a changed rulebook, or a bug).
        """
        lifecycle = Lifecycle(self.rulebook)
        startup = Startup(slug=slug, title=title)
        for command in self.commands:
            startup = lifecycle.apply(startup, command).startup
        return startup

    def __str__(self) -> str:
        return self.label

    def _transition(self, step: Step) -> Any:
        for transition in self.rulebook.transitions:
            if transition.id == step.transition:
                return transition
        msg = f"transition {step.transition!r} is not in rulebook {self.rulebook.name!r}"
        raise KeyError(msg)


@attrs.frozen
class _Node:
    startup: Startup
    steps: tuple[Step, ...]
    day: dt.date

    @property
    def fired(self) -> frozenset[str]:
        return frozenset(step.transition or "" for step in self.steps)


def _expand(lifecycle: Lifecycle, node: _Node, days: int) -> list[tuple[Any, _Node]]:
    """Each transition out of the node's phase that plays, with the node it leads to."""
    book = lifecycle.rulebook
    day = node.day + dt.timedelta(days=days) if node.steps else node.day
    found: list[tuple[Any, _Node]] = []
    for transition in book.transitions_from(lifecycle.phase(node.startup)):
        planned = plan_move(lifecycle, node.startup, transition, day, First())
        if planned is None:
            continue
        step, after = planned
        found.append((transition, _Node(after, (*node.steps, step), day)))
    return found


def shortest_paths(
    rulebook: Rulebook | str | FilePath = "betagouv", *, start: dt.date = START, days: int = DAYS
) -> tuple[Path, ...]:
    """
    The shortest paths that, together, reach every phase and fire every transition.

    For each transition the rulebook lets a startup take, the shortest
    sequence of moves from an empty startup whose last move fires it; a path
    that another one continues is left out (the longer one fires all it
    fires). Moves are dated ``days`` apart from ``start``, each with the
    evidence its gates need and the committee rule N1 asks for, and every
    path is accepted by :class:`betastate.Lifecycle`. A transition no
    sequence can fire (a data-only move under a rulebook that refuses them,
    a move out of a stop) is on no path: compare ``transitions`` with the
    rulebook's to see which.

    .. versionadded:: 0.1.0
    """
    book = as_rulebook(rulebook)
    lifecycle = lifecycle_of(book)
    best: dict[str, tuple[Step, ...]] = {}
    root = _Node(Startup(slug="parcours", title="Parcours"), (), start)
    queue = deque([root])
    seen = {(None, frozenset[str]())}
    while queue:
        node = queue.popleft()
        for transition, child in _expand(lifecycle, node, days):
            best.setdefault(transition.id, child.steps)
            phase = transition.dest
            key = (phase, frozenset(_entered(child.startup)))
            if not transition.internal and key not in seen:
                seen.add(key)
                queue.append(child)
    order = {t.id: index for index, t in enumerate(book.transitions)}
    found = sorted(best.values(), key=lambda s: (order[s[-1].transition or ""], len(s)))
    ids = [tuple(step.transition for step in steps) for steps in found]
    kept = [
        steps
        for steps, these in zip(found, ids, strict=True)
        if not any(len(other) > len(these) and other[: len(these)] == these for other in ids)
    ]
    return tuple(Path(steps, book) for steps in kept)


def simple_paths(
    rulebook: Rulebook | str | FilePath = "betagouv",
    *,
    limit: int = 1000,
    start: dt.date = START,
    days: int = DAYS,
) -> tuple[Path, ...]:
    """
    Every complete path that fires no transition twice, shortest first, at most ``limit``.

    A path is complete when no further transition plays without firing one
    again (a terminal phase, or a phase whose moves it all took). Together
    they reach every phase and fire every transition the rulebook lets a
    startup take, unless ``limit`` cuts them short. Dated and checked as in
    :func:`shortest_paths`.

    Raises:
        ValueError: ``limit`` is not a positive whole number.

    .. versionadded:: 0.1.0
    """
    given: object = limit  # callers without a type checker pass anything
    if isinstance(given, bool) or not isinstance(given, int) or given < 1:
        msg = f"limit must be a whole number of at least 1, got {limit!r}"
        raise ValueError(msg)
    book = as_rulebook(rulebook)
    lifecycle = lifecycle_of(book)
    found: list[Path] = []
    queue = deque([_Node(Startup(slug="parcours", title="Parcours"), (), start)])
    while queue and len(found) < limit:
        node = queue.popleft()
        children = [
            child
            for transition, child in _expand(lifecycle, node, days)
            if transition.id not in node.fired
        ]
        if not children and node.steps:
            found.append(Path(node.steps, book))
        queue.extend(children)
    return tuple(found)


def _entered(startup: Startup) -> set[str]:
    return {e.phase for e in startup.history if isinstance(e, PhaseEntered)}


def _frozen(value: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(value))


@attrs.frozen
class Coverage:
    """
    Which transitions of a rulebook some histories fire.

    Attributes:
        counts: Every transition id of the rulebook → how many times the
            histories fire it (0: never).
        unknown: Moves the rulebook has no transition for (``"construction →
            investigation"``, ``"(new) → acceleration"``) → how many times.

    .. versionadded:: 0.1.0
    """

    counts: Mapping[str, int] = attrs.field(converter=_frozen)
    unknown: Mapping[str, int] = attrs.field(converter=_frozen)

    @property
    def fired(self) -> tuple[str, ...]:
        """Ids of the transitions fired at least once, in the rulebook's order."""
        return tuple(t for t, n in self.counts.items() if n)

    @property
    def missed(self) -> tuple[str, ...]:
        """Ids of the transitions never fired, in the rulebook's order."""
        return tuple(t for t, n in self.counts.items() if not n)

    @property
    def share(self) -> float:
        """The share of the rulebook's transitions fired (1.0: all of them)."""
        return len(self.fired) / len(self.counts) if self.counts else 1.0


def transition_coverage(
    histories: Iterable[Startup | Iterable[Event]],
    rulebook: Rulebook | str | FilePath = "betagouv",
) -> Coverage:
    """
    How many times ``histories`` fire each transition of ``rulebook``.

    Each phase entry is read as a move from the phase current just before it
    (as :meth:`betastate.Lifecycle.phase` gives it, tie rule included) to the
    phase entered; a pivot fires its phase's internal transition. Histories
    are startups (a portfolio is an iterable of them) or sequences of events.

    .. versionadded:: 0.1.0
    """
    book = as_rulebook(rulebook)
    lifecycle = lifecycle_of(book)
    counts = {t.id: 0 for t in book.transitions}
    unknown: dict[str, int] = {}
    for history in histories:
        events = tuple(history.history if isinstance(history, Startup) else history)
        for index, event in enumerate(events):
            if not isinstance(event, PhaseEntered | Pivoted):
                continue
            before = lifecycle.phase(
                Startup(slug="histoire", title="Histoire", history=events[:index])
            )
            if isinstance(event, Pivoted):
                before = event.phase
            transition = book.transition(before, event.phase)
            if transition is not None and transition.internal == isinstance(event, Pivoted):
                counts[transition.id] += 1
            else:
                move = f"{before or '(new)'} → {event.phase}"
                unknown[move] = unknown.get(move, 0) + 1
    return Coverage(counts, unknown)


def parametrize_paths(paths: Iterable[Path], argname: str = "path") -> Any:
    """
    A ``pytest.mark.parametrize`` over ``paths``, each test named after its path.

    Example::

        @parametrize_paths(shortest_paths("govuk"))
        def test_every_path(path): ...

    The test ids read ``reaches live: start -> prototype -> build -> open -> go_live``.

    .. versionadded:: 0.1.0
    """
    import pytest  # noqa: PLC0415  (pytest is the caller's, not a dependency)

    listed = tuple(paths)
    return pytest.mark.parametrize(argname, listed, ids=[path.id for path in listed])
