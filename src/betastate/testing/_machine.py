"""
A hypothesis state machine that checks a system built on betastate against betastate itself.

The machine keeps a model: each startup as :class:`betastate.Lifecycle`
makes it. It sends the same commands to your system through an
:class:`Adapter` (random valid ones with their evidence, refused ones,
arbitrary ones) and checks that the system accepts what betastate accepts,
refuses what it refuses with the same rule ids, and reports the same
startups and states. A difference is a :class:`Disagreement`, whose message
is the script that reproduces it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from betastate._engine.commands import Command, Record
from betastate._engine.lifecycle import Outcome
from betastate._engine.state import StartupState
from betastate._rules.rulebook import Rulebook
from betastate._values.actors import Actor
from betastate._values.errors import TransitionRefused
from betastate._values.events import Event
from betastate._values.fields import tuple_of_str
from betastate._values.startup import Startup
from betastate.testing._paths import START, as_rulebook
from betastate.testing._planning import lifecycle_of
from betastate.testing._source import source
from betastate.testing.strategies import refused_commands, valid_commands, values


def _rules(reasons: Sequence[Any]) -> tuple[str, ...]:
    return tuple(reason.rule for reason in reasons)


@attrs.frozen(kw_only=True)
class Reply:
    """
    What your system answered to a command, for systems that do not return an ``Outcome``.

    Attributes:
        accepted: Whether it accepted the command.
        rules: The ids of the reasons it refused it for (any order).
        warnings: The ids of the warnings it gave (``None``: not reported).
        events: The events it added (``None``: not reported).
        version: The startup's version after it, one per event
            (``None``: not reported).

    .. versionadded:: 0.1.0
    """

    accepted: bool
    rules: tuple[str, ...] = attrs.field(default=(), converter=tuple_of_str)
    warnings: tuple[str, ...] | None = None
    events: tuple[Event, ...] | None = None
    version: int | None = None

    @classmethod
    def of(cls, answer: object) -> Reply:
        """The reply an :class:`~betastate.Outcome` or a refusal stands for."""
        if isinstance(answer, Reply):
            return answer
        if isinstance(answer, TransitionRefused):
            return cls(
                accepted=False, rules=_rules(answer.reasons), warnings=_rules(answer.warnings)
            )
        if isinstance(answer, Outcome):
            return cls(
                accepted=True,
                warnings=_rules(answer.warnings),
                events=answer.events,
                version=answer.version,
            )
        msg = (
            f"Adapter.apply must return a betastate.Outcome or a betastate.testing.Reply "
            f"(or raise betastate.TransitionRefused), got {answer!r}"
        )
        raise TypeError(msg)


class Adapter:
    """
    Your system, as :class:`LifecycleMachine` drives it.

    Override :meth:`create` and :meth:`apply`; override :meth:`startup` or
    :meth:`state` (or both) so that the machine can compare what your
    system reports. An HTTP client, a journal or an app's service layer each
    fit in a few lines (see the guide "Testing your app with betastate").

    .. versionadded:: 0.1.0
    """

    def create(self, startup: Startup) -> None:
        """Store ``startup`` (a slug and a title, no history yet)."""
        raise NotImplementedError

    def apply(self, slug: str, command: Command) -> Outcome | Reply:
        """
        Apply ``command`` to startup ``slug``.

        Return the :class:`~betastate.Outcome` (a journal's or a lifecycle's)
        or a :class:`Reply`; a refusal may also raise
        :class:`betastate.TransitionRefused`.
        """
        raise NotImplementedError

    def startup(self, slug: str) -> Startup | None:  # noqa: ARG002  (a default)
        """The startup ``slug`` as your system holds it (``None``: it does not say)."""
        return None

    def state(self, slug: str) -> StartupState | None:  # noqa: ARG002  (a default)
        """The state of ``slug`` as your system reports it (``None``: it does not say)."""
        return None

    def close(self) -> None:
        """Release what the system holds (called once per run, at the end)."""


class Disagreement(AssertionError):
    """
    Your system and betastate differ; the message is the script that shows it.

    Attributes:
        problem: What differs, in one line.
        slug: The startup concerned.
        commands: The commands it took before, each accepted by both.
        command: The command they answered differently (``None`` when they
            report different startups or states).
        expected: What betastate answered or reports.
        actual: What the system answered or reports.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        problem: str,
        *,
        slug: str,
        commands: Sequence[Command],
        command: Command | None,
        expected: Any,
        actual: Any,
    ) -> None:
        self.problem = problem
        self.slug = slug
        self.commands = tuple(commands)
        self.command = command
        self.expected = expected
        self.actual = actual
        super().__init__(self._message())

    def _message(self) -> str:
        lines = [self.problem, f"startup {self.slug!r}, after these commands, each accepted:"]
        lines += [f"    {source(c)}" for c in self.commands] or ["    (none)"]
        if self.command is not None:
            lines += ["the command:", f"    {source(self.command)}"]
        lines += [f"betastate: {_show(self.expected)}", f"the system: {_show(self.actual)}"]
        return "\n".join(lines)


def _near(command: Any, day: dt.date, role: str) -> Command:
    """``command`` dated ``day`` and given by ``role`` (a record's event too)."""
    if isinstance(command, Record):
        command = attrs.evolve(command, event=attrs.evolve(command.event, on=day, by=None))
    else:
        command = attrs.evolve(command, on=day)
    return attrs.evolve(command, by=Actor(role=role))  # type: ignore[no-any-return]


def _show(value: Any) -> str:
    if isinstance(value, TransitionRefused):
        return "refused: " + "; ".join(str(r) for r in value.reasons)
    if isinstance(value, Reply):
        if not value.accepted:
            return f"refused: {', '.join(value.rules) or '(no reason given)'}"
        events = (
            ""
            if value.events is None
            else ", events " + ", ".join(type(e).__name__ for e in value.events)
        )
        return f"accepted{events}"
    if isinstance(value, Outcome):
        return "accepted, events " + ", ".join(type(e).__name__ for e in value.events)
    return repr(value)


class LifecycleMachine(RuleBasedStateMachine):
    """
    Drives your system with random commands and checks it answers as betastate does.

    Subclass it, return your system from :meth:`adapter`, and let pytest
    collect its ``TestCase``::

        class TestMyApp(LifecycleMachine):
            rulebook = "betagouv"

            def adapter(self):
                return MyAppAdapter()

        TestMyAppMachine = TestMyApp.TestCase

    Each run creates the startups named in :attr:`slugs`, then sends them
    commands: valid ones with the evidence their gates need
    (:func:`~betastate.testing.strategies.valid_commands`), refused ones
    (:func:`~betastate.testing.strategies.refused_commands`) and arbitrary
    ones dated near the last event. After each command the startups your
    system reports must be betastate's. Tune the run with hypothesis
    settings (``TestMyAppMachine.settings = settings(max_examples=...,
    stateful_step_count=...)``).

    Attributes:
        rulebook: The rulebook your system decides under (a
            :class:`~betastate.Rulebook`, a preset name or a path).
        slugs: The startups each run creates.

    .. versionadded:: 0.1.0
    """

    rulebook: ClassVar[Rulebook | str] = "betagouv"
    slugs: tuple[str, ...] = ("alpha", "beta")

    def __init__(self) -> None:
        super().__init__()
        self.book = as_rulebook(type(self).rulebook)
        self.lifecycle = lifecycle_of(self.book)
        self.system = self.adapter()
        self.model: dict[str, Startup] = {}
        self.script: dict[str, list[Command]] = {}

    def adapter(self) -> Adapter:
        """Your system, fresh for each run (override it)."""
        msg = f"{type(self).__name__} must override adapter() to return the system under test"
        raise NotImplementedError(msg)

    @initialize()
    def create_startups(self) -> None:
        """Create the startups, empty, in the model and in the system."""
        for slug in self.slugs:
            startup = Startup(slug=slug, title=slug.replace("-", " ").capitalize())
            self.system.create(startup)
            self.model[slug] = startup
            self.script[slug] = []

    @rule(data=st.data())
    def valid_command(self, data: st.DataObject) -> None:
        """A command betastate accepts, after the evidence its gates need."""
        slug = data.draw(st.sampled_from(self.slugs), label="startup")
        step = data.draw(valid_commands(self.book, self.model[slug]), label="valid")
        for command in step.commands:
            self.send(slug, command)

    @rule(data=st.data())
    def refused_command(self, data: st.DataObject) -> None:
        """A command betastate refuses, after evidence it accepts."""
        slug = data.draw(st.sampled_from(self.slugs), label="startup")
        refusal = data.draw(refused_commands(self.book, self.model[slug]), label="refused")
        for command in refusal.commands:
            self.send(slug, command)

    @rule(data=st.data())
    def some_command(self, data: st.DataObject) -> None:
        """Any command, dated near the startup's last event, by a role of the rulebook."""
        slug = data.draw(st.sampled_from(self.slugs), label="startup")
        last = self.model[slug].last_event_date or START
        near = st.builds(
            _near,
            values(Command),
            st.integers(-10, 60).map(lambda days: last + dt.timedelta(days=days)),
            st.sampled_from(self.book.role_values),
        )
        self.send(slug, data.draw(near, label="command"))

    @invariant()
    def reports_the_same_startups(self) -> None:
        """Each startup (and state) the system reports is the one betastate made."""
        for slug, expected in self.model.items():
            reported = self.system.startup(slug)
            if reported is not None and reported != expected:
                self.disagree("the system holds another startup", slug, None, expected, reported)
            state = self.system.state(slug)
            if state is not None and state != self.lifecycle.state(expected):
                self.disagree(
                    "the system reports another state",
                    slug,
                    None,
                    self.lifecycle.state(expected),
                    state,
                )

    def teardown(self) -> None:
        """Close the system."""
        self.system.close()

    # -- comparing -------------------------------------------------------------------

    def send(self, slug: str, command: Command) -> None:
        """Apply ``command`` in the model and in the system; they must answer alike."""
        before = self.model[slug]
        expected: Outcome | TransitionRefused
        try:
            expected = self.lifecycle.apply(before, command)
        except TransitionRefused as refusal:
            expected = refusal
        try:
            answer: Outcome | Reply | TransitionRefused = self.system.apply(slug, command)
        except TransitionRefused as refusal:
            answer = refusal
        actual = Reply.of(answer)
        if isinstance(expected, TransitionRefused):
            if actual.accepted:
                self.disagree(
                    "the system accepted a command betastate refuses",
                    slug,
                    command,
                    expected,
                    actual,
                )
            if sorted(actual.rules) != sorted(_rules(expected.reasons)):
                self.disagree(
                    "the system refused it for other reasons", slug, command, expected, actual
                )
            return
        if not actual.accepted:
            self.disagree(
                "the system refused a command betastate accepts", slug, command, expected, actual
            )
        if actual.events is not None and actual.events != expected.events:
            self.disagree("the system added other events", slug, command, expected, actual)
        warnings = _rules(expected.warnings)
        if actual.warnings is not None and sorted(actual.warnings) != sorted(warnings):
            self.disagree("the system gave other warnings", slug, command, expected, actual)
        version = len(expected.startup.history)
        if actual.version is not None and actual.version != version:
            self.disagree(
                f"the system reports version {actual.version}, not {version}",
                slug,
                command,
                expected,
                actual,
            )
        self.model[slug] = expected.startup
        self.script[slug].append(command)

    def disagree(
        self, problem: str, slug: str, command: Command | None, expected: Any, actual: Any
    ) -> None:
        """Raise the :class:`Disagreement` that shows ``problem``."""
        raise Disagreement(
            problem,
            slug=slug,
            commands=self.script[slug],
            command=command,
            expected=expected,
            actual=actual,
        )
