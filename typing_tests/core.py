"""
Type-checked, never run: what users' type checkers see of the public API.

`mypy --strict typing_tests` must pass; a wrong inferred type is a failure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Literal, assert_type

import betastate as bs


lifecycle = bs.Lifecycle()
startup = bs.Startup(slug="s", title="S", sponsors=["/organisations/x"])
assert_type(startup.sponsors, tuple[str, ...])
assert_type(startup.history, tuple[bs.Event, ...])

command = bs.Advance(on=dt.date(2025, 1, 1), to=bs.Phase.INVESTIGATION, by=bs.Role.SPONSOR)
assert_type(command.by, bs.Actor)
outcome = lifecycle.apply(startup, command)
assert_type(outcome, bs.Outcome)
assert_type(outcome.startup, bs.Startup)
assert_type(outcome.warnings, tuple[bs.Reason, ...])
assert_type(lifecycle.check(startup, command).errors, tuple[bs.Reason, ...])
assert_type(lifecycle.moves(startup), tuple[bs.Move, ...])
assert_type(lifecycle.state(startup, on=dt.date(2025, 6, 1)).phase, str | None)
assert_type(lifecycle.phase(startup), str | None)

book = bs.rulebook("betagouv")
assert_type(book, bs.Rulebook)
assert_type(book.derive(severities={"N8": "warning"}), bs.Rulebook)
assert_type(book.thresholds.first_committee_budget_line, Decimal)

assert_type(bs.from_data(bs.to_data(startup), bs.Startup), bs.Startup)
portfolio = bs.sample_portfolio()
assert_type(portfolio["carnet-chantier"], bs.Startup)
assert_type(len(portfolio), int)

try:
    lifecycle.apply(startup, command)
except bs.TransitionRefused as refusal:
    assert_type(refusal.reasons, tuple[bs.Reason, ...])

spend = bs.Spend(on=dt.date(2025, 1, 1), by="intrapreneur", amount="12.50")
assert_type(spend.amount, Decimal)
assert_type(bs.Startup(slug="s", title="S", incubators="atelier").incubators, tuple[str, ...])
try:
    bs.Advance(on=dt.date(2025, 1, 1), to="investigation", by="coach")
except bs.InvalidValue as invalid:
    assert_type(invalid.field, str)
    assert_type(invalid.fix, str)

assert_type(book.tie, Literal["first-listed", "rank"])
assert_type(book.derive(tie="rank"), bs.Rulebook)
written = bs.write_frontmatter("---\ntitle: S\n---\n", startup)
assert_type(written, bs.Written)
assert_type(written.left_out, tuple[bs.LeftOut, ...])
assert_type(written.left_out[0].event, bs.Event)
assert_type(bs.save_startup("s.md", startup, left_out="sidecar").sidecar, str | None)
assert_type(bs.load_members_space("startups.json"), bs.Portfolio)
# Rulebooks other incubators write: roles, gates, checks, diagrams.
assert_type(book.roles, tuple[bs.RoleDef, ...])
assert_type(book.role("sponsor").label("fr"), str)
assert_type(command.by.role, str)
assert_type(
    bs.Advance(on=dt.date(2025, 1, 1), to="x", by="s", co_deciders=["i"]).co_deciders,
    tuple[bs.Actor, ...],
)
assert_type(book.lint(), tuple[bs.RulebookProblem, ...])
assert_type(bs.lint_rulebook("govuk"), tuple[bs.RulebookProblem, ...])
assert_type(book.diagram("dot", lang="fr"), str)
assert_type(book.thresholds.declared, Mapping[str, bs.ThresholdDef])


@bs.gate("LOCAL-1")
def local(ctx: bs.GateContext) -> Iterator[bs.Violation]:
    """A local gate: the decorator makes it a Gate."""
    yield bs.Violation("LOCAL-1", f"{ctx.startup.slug} refused", "ask")


assert_type(local, bs.Gate)
assert_type(book.derive(gates={"mine": local}, remove_transitions=["T12"]), bs.Rulebook)
spec = bs.GateSpec(kind="committee_held", rule="N1")
assert_type(spec.by, tuple[str, ...])
