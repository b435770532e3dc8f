"""
Hypothesis strategies the tests share: betastate.testing's public ones, and a few of their own.

The values (events, startups, findings, portfolios...) come from
:func:`betastate.testing.strategies.values`, the strategies betastate
publishes: the project's tests use what its users get.
"""

from __future__ import annotations

from hypothesis import strategies as st

import betastate as bs
from betastate.testing import strategies as bts


dates = bts.dates()
texts = bts.texts()
money = bts.amounts(0)
actors = bts.actors()
events = bts.values(bs.Event)
startups = bts.values(bs.Startup)
findings = bts.values(bs.Finding)
members = bts.values(bs.Member)
# The beta.gouv.fr statuses only (the public strategies draw other rulebooks' too).
phase_names = st.sampled_from([p.value for p in bs.Phase])


def portfolios() -> st.SearchStrategy[bs.Portfolio]:
    """Portfolios with distinct slugs, records and findings."""
    return bts.values(bs.Portfolio)


# Every event and every command (the JSON Schema tests take all of them, Retract included).
all_events = bts.values(bs.Event)
commands = bts.values(bs.Command)
