"""Hypothesis strategies for betastate values (dates, events, startups, portfolios)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

import betastate as bs


PHASES = tuple(bs.Phase)
dates = st.dates(min_value=dt.date(2013, 1, 1), max_value=dt.date(2030, 12, 31))
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
optional_texts = st.none() | texts
# Required texts and list items are never blank (the values refuse them).
names = texts.filter(lambda text: text.strip() != "")
money = st.decimals(min_value=Decimal(0), max_value=Decimal(10_000_000), places=2, allow_nan=False)
phase_names = st.sampled_from([p.value for p in PHASES])
roles = st.sampled_from(list(bs.Role))
actors = st.builds(
    bs.Actor, role=roles, name=optional_texts, organisation=st.none() | st.just("/organisations/x")
)
optional_actors = st.none() | actors

impact_readings = st.builds(
    bs.ImpactReading,
    usable=st.none() | money,
    used=st.none() | st.integers(0, 10**7),
    useful=st.none() | st.decimals(min_value=0, max_value=1, places=2),
    impactful=optional_texts,
    efficient=optional_texts,
    monthly_active_users=st.none() | st.integers(0, 10**7),
    cost_per_use=st.none() | money,
)

events = st.one_of(
    st.builds(
        bs.PhaseEntered, on=dates, phase=phase_names, comment=optional_texts, by=optional_actors
    ),
    st.builds(
        bs.PhaseEnded, on=dates, phase=phase_names, comment=optional_texts, by=optional_actors
    ),
    st.builds(bs.Pivoted, on=dates, phase=phase_names, comment=optional_texts, by=optional_actors),
    st.builds(
        bs.CommitteeHeld,
        on=dates,
        decision=st.none() | st.sampled_from(list(bs.Decision)),
        phase_change=st.none() | phase_names,
        attendees=st.lists(actors, max_size=3).map(tuple),
        objectives=st.lists(names, max_size=2).map(tuple),
        impact=st.none() | impact_readings,
        documents=st.lists(st.just("https://docs.example.org/deck.pdf"), max_size=1).map(tuple),
        comment=optional_texts,
        by=optional_actors,
    ),
    st.builds(bs.ProductLaunched, on=dates, comment=optional_texts, by=optional_actors),
    st.builds(
        bs.NationalImpactDesignated,
        on=dates,
        criteria=st.lists(names, max_size=3).map(tuple),
        comment=optional_texts,
    ),
    st.builds(
        bs.FastLaureate,
        on=dates,
        edition=st.none() | st.integers(1, 30),
        amount=st.none() | money,
        comment=optional_texts,
    ),
    st.builds(bs.Stopped, on=dates, comment=optional_texts),
    st.builds(
        bs.Note, on=dates, name=st.sampled_from(["other", "eig", "decree"]), comment=optional_texts
    ),
)

json_scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | texts | dates
extras = st.dictionaries(
    st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12),
    st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=5),
    max_size=4,
)
# The site's file-name pattern: a letter or digit, then letters, digits, '.', '-' and '_'.
slugs = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,19}", fullmatch=True)

startups = st.builds(
    bs.Startup,
    slug=slugs,
    title=names,
    mission=texts,
    incubator=optional_texts,
    incubators=st.lists(slugs, max_size=2).map(tuple),
    sponsors=st.lists(st.just("/organisations/dinum"), max_size=1).map(tuple),
    contact=optional_texts,
    link=optional_texts,
    repository=optional_texts,
    history=st.lists(events, max_size=8).map(tuple),
    extra=extras,
)

findings = st.builds(
    bs.Finding,
    code=st.sampled_from(["same-day-phases", "N8", "link-empty"]),
    severity=st.sampled_from([bs.Severity.ERROR, bs.Severity.WARNING, bs.Severity.INFO]),
    slug=st.none() | slugs,
    message=texts,
    file=optional_texts,
    line=st.none() | st.integers(1, 500),
    dates=st.lists(dates, max_size=2).map(tuple),
)

missions = st.builds(
    bs.Mission,
    start=dates,
    end=st.none() | dates,
    status=st.none() | st.sampled_from(["independent", "admin", "service"]),
    employer=optional_texts,
    startups=st.lists(slugs, max_size=2).map(tuple),
)
members = st.builds(
    bs.Member,
    id=slugs,
    role=optional_texts,
    domaine=optional_texts,
    missions=st.lists(missions, max_size=2).map(tuple),
)


@st.composite
def portfolios(draw: st.DrawFn) -> bs.Portfolio:
    """Portfolios with distinct slugs."""
    items = draw(st.lists(startups, max_size=4, unique_by=lambda s: s.slug))
    return bs.Portfolio(
        startups=items,
        incubators=[bs.Incubator(id="atelier", title="Atelier", owner="/organisations/x")],
        organisations=[bs.Organisation(id="/organisations/x", name="X", acronym="X")],
        members=draw(st.lists(members, max_size=2)),
        findings=draw(st.lists(findings, max_size=3)),
    )
