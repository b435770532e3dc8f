"""
Type-checked, never run: what users' type checkers see of betastate.testing.

`mypy --strict typing_tests` must pass; a wrong inferred type is a failure.
"""

from __future__ import annotations

import datetime as dt
from typing import assert_type

from hypothesis.strategies import SearchStrategy

import betastate as bs
from betastate import testing as bt
from betastate.testing import strategies as bts


paths = bt.shortest_paths("govuk", start=dt.date(2025, 1, 6), days=30)
assert_type(paths, tuple[bt.Path, ...])
assert_type(paths[0].commands, tuple[bs.Command, ...])
assert_type(paths[0].transitions, tuple[str, ...])
assert_type(paths[0].startup(), bs.Startup)
assert_type(bt.simple_paths("betagouv", limit=10), tuple[bt.Path, ...])
coverage = bt.transition_coverage(bs.sample_portfolio(), "betagouv")
assert_type(coverage.missed, tuple[str, ...])
assert_type(coverage.share, float)

startup = bs.Startup(slug="s", title="S")
assert_type(bts.startups("govuk", phase="live"), SearchStrategy[bs.Startup])
assert_type(bts.values(bs.Startup), SearchStrategy[bs.Startup])
assert_type(bts.valid_commands("govuk", startup), SearchStrategy[bt.Step])
assert_type(bts.refused_commands("govuk", startup), SearchStrategy[bt.Refusal])
assert_type(bts.rulebooks(), SearchStrategy[bs.Rulebook])
assert_type(bts.histories("govuk"), SearchStrategy[tuple[bs.Event, ...]])


class Store(bt.Adapter):
    """A system under test: an adapter returns outcomes or replies."""

    def create(self, startup: bs.Startup) -> None:
        """Store it."""

    def apply(self, slug: str, command: bs.Command) -> bs.Outcome | bt.Reply:  # noqa: ARG002
        """Answer it (a refusal, whatever the command: only the types matter here)."""
        return bt.Reply(accepted=False, rules=["BS-ROLE"])


class TestStore(bt.LifecycleMachine):
    """The machine over it."""

    rulebook = "govuk"

    def adapter(self) -> bt.Adapter:
        """The system."""
        return Store()


assert_type(bt.Reply.of(bt.Reply(accepted=True)), bt.Reply)
