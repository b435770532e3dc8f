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
        objectives=st.lists(texts, max_size=2).map(tuple),
        impact=st.none() | impact_readings,
        documents=st.lists(st.just("https://docs.example.org/deck.pdf"), max_size=1).map(tuple),
        comment=optional_texts,
        by=optional_actors,
    ),
    st.builds(bs.ProductLaunched, on=dates, comment=optional_texts, by=optional_actors),
    st.builds(
        bs.NationalImpactDesignated,
        on=dates,
        criteria=st.lists(texts, max_size=3).map(tuple),
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
slugs = st.text("abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=20)

startups = st.builds(
    bs.Startup,
    slug=slugs,
    title=texts,
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


# -- every event and command, for the JSON Schema tests ------------------------------------------

positive_money = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal(10_000_000), places=2, allow_nan=False
)
grants = st.builds(
    bs.Grant,
    source=st.sampled_from(list(bs.FundingSource)),
    amount=positive_money,
    funder=optional_texts,
    edition=st.none() | st.integers(1, 30),
    label=texts,
)
grant_lists = st.lists(grants, max_size=2).map(tuple)
text_lists = st.lists(texts, max_size=2).map(tuple)
post_mortems = st.builds(
    bs.PostMortem,
    learnings=texts,
    why_we_stop=texts,
    relaunch_advice=texts,
    reasons=st.lists(st.sampled_from(list(bs.StopReason)), max_size=2).map(tuple),
    authors=st.lists(actors, max_size=2).map(tuple),
    published_url=optional_texts,
)
exit_plans = st.builds(
    bs.ExitPlan,
    trajectory=st.sampled_from(list(bs.Trajectory)),
    host=texts,
    annual_running_cost=st.none() | money,
    legal_form=optional_texts,
)
dossier_items = st.lists(
    st.sampled_from([item for item, _ in bs.DOSSIER_ITEMS]), max_size=3, unique=True
).map(tuple)
deciders = roles | actors  # a command's `by`: a role (the shorthand) or an actor

all_events = events | st.one_of(
    st.builds(
        bs.FundsGranted,
        on=dates,
        grants=grant_lists,
        period_start=st.none() | dates,
        comment=optional_texts,
        by=optional_actors,
    ),
    st.builds(bs.Spent, on=dates, amount=positive_money, label=texts, by=optional_actors),
    st.builds(bs.LiquidationDecided, on=dates, safeguard_until=dates, comment=optional_texts),
    st.builds(bs.RecoveryFiled, on=dates, approached=text_lists, by=optional_actors),
    st.builds(
        bs.TakenOver,
        on=dates,
        sponsor=texts,
        resumes=st.none() | phase_names,
        period_start=st.none() | dates,
        period_end=st.none() | dates,
        grants=grant_lists,
        override=optional_texts,
    ),
    st.builds(bs.DossierUpdated, on=dates, done=dossier_items, by=optional_actors),
    st.builds(bs.Perennised, on=dates, plan=exit_plans, comment=optional_texts),
    st.builds(bs.BudgetPublished, on=dates, url=optional_texts, by=optional_actors),
    st.builds(
        bs.Stopped,
        on=dates,
        post_mortem=st.none() | post_mortems,
        procedure=st.none() | st.sampled_from(list(bs.StopProcedure)),
        dormant=st.booleans(),
    ),
)

_NOT_RECORDABLE = {"PhaseEntered", "Pivoted", "FundsGranted", "Spent", "TakenOver"}
_NOT_RECORDABLE |= {"LiquidationDecided", "Stopped", "Perennised", "RecoveryFiled"}
_NOT_RECORDABLE |= {"DossierUpdated"}
recordable_events = all_events.filter(
    lambda e: (
        type(e).__name__ not in _NOT_RECORDABLE
        and not (isinstance(e, bs.CommitteeHeld) and (e.grants or e.period_start))
    )
)

commands = st.one_of(
    st.builds(
        bs.Advance,
        on=dates,
        to=phase_names,
        by=deciders,
        comment=optional_texts,
        sponsor_budget_line=st.none() | money,
        post_mortem=st.none() | post_mortems,
        exit_plan=st.none() | exit_plans,
        criteria=text_lists,
    ),
    st.builds(bs.Launch, on=dates, by=deciders, comment=optional_texts),
    st.builds(bs.Record, event=recordable_events, by=deciders),
    st.builds(
        bs.HoldCommittee,
        on=dates,
        by=deciders,
        decision=st.sampled_from(list(bs.Decision)),
        attendees=st.lists(actors, max_size=3).map(tuple),
        phase_change=st.none() | phase_names,
        months=st.none() | st.integers(0, 24),
        grants=grant_lists,
        override=optional_texts,
        next_on=st.none() | dates,
        objectives=text_lists,
        impact=st.none() | impact_readings,
        sponsor_budget_line=st.none() | money,
        post_mortem=st.none() | post_mortems,
        procedure=st.sampled_from(list(bs.StopProcedure)),
        safeguard_until=st.none() | dates,
        criteria=text_lists,
        exit_plan=st.none() | exit_plans,
        comment=optional_texts,
    ),
    st.builds(bs.GrantFunds, on=dates, by=deciders, grants=grant_lists, comment=optional_texts),
    st.builds(bs.Spend, on=dates, by=deciders, amount=positive_money, label=texts),
    st.builds(bs.AwardFast, on=dates, by=deciders, edition=st.integers(1, 30), cofinancing=money),
    st.builds(bs.FileRecovery, on=dates, by=deciders, approached=text_lists),
    st.builds(
        bs.TakeOver,
        on=dates,
        by=deciders,
        sponsor=texts,
        grants=grant_lists,
        months=st.none() | st.integers(0, 24),
        override=optional_texts,
    ),
    st.builds(
        bs.Stop, on=dates, by=deciders, post_mortem=st.none() | post_mortems, dormant=st.booleans()
    ),
    st.builds(bs.UpdateDossier, on=dates, by=deciders, done=dossier_items),
    st.builds(bs.DesignateNationalImpact, on=dates, by=deciders, criteria=text_lists),
    st.builds(bs.PublishBudget, on=dates, by=deciders, url=optional_texts),
)
