"""
Hypothesis strategies for betastate: values, commands, startups, rulebooks and files.

Two kinds of strategy live here. :func:`values` gives any public value or
command as a *value* (well-formed, but not necessarily something a rulebook
accepts): for round trips, storage and serialisation tests. The lifecycle
strategies give what a rulebook *accepts*: :func:`startups` in a given phase,
:func:`valid_commands` for a startup on a date with the evidence their gates
need, :func:`refused_commands` with the rule ids expected to refuse them,
:func:`histories`, random :func:`rulebooks` that load and lint clean, and
:func:`frontmatter_files` in the beta.gouv.fr site's format.

Every lifecycle strategy plays what it draws through
:class:`betastate.Lifecycle` before returning it.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast, overload

import attrs
from hypothesis import reject
from hypothesis import strategies as st

from betastate._analytics.portfolio import Portfolio
from betastate._engine import commands as _commands
from betastate._engine.commands import Command
from betastate._engine.ledger import Envelope, Ledger
from betastate._engine.lifecycle import Lifecycle, Move, Outcome, Verdict
from betastate._engine.state import PhaseSpan, StartupState
from betastate._rules.catalogue import ENGINE_RULES, PERMISSIONS
from betastate._rules.gates import BUILTIN_GATES, GateSpec, Violation
from betastate._rules.rulebook import (
    LegacyName,
    PhaseDef,
    RoleDef,
    Rulebook,
    RuleDef,
    Thresholds,
    TransitionDef,
)
from betastate._rules.thresholds import ThresholdDef
from betastate._values import events as _events
from betastate._values.actors import Actor, Role
from betastate._values.errors import Problem
from betastate._values.events import Decision, Event, ImpactReading
from betastate._values.money import FundingSource, Grant
from betastate._values.reasons import Finding, Reason, Severity
from betastate._values.startup import Incubator, Member, Mission, Organisation, Phase, Startup
from betastate._values.stopping import (
    DOSSIER_ITEM_IDS,
    NATIONAL_IMPACT_CRITERIA,
    ExitPlan,
    PostMortem,
    StopProcedure,
    StopReason,
    Trajectory,
)
from betastate.testing._paths import as_rulebook, simple_paths
from betastate.testing._planning import (
    Refusal,
    Step,
    accepted,
    entered,
    lifecycle_of,
    plan_move,
    refusals,
    steps,
)


if TYPE_CHECKING:
    from pathlib import Path

    from hypothesis.strategies import SearchStrategy

T = TypeVar("T")

RulebookLike = Rulebook | str

__all__ = [
    "FrontMatterFile",
    "actors",
    "amounts",
    "dates",
    "frontmatter_files",
    "histories",
    "refused_commands",
    "role_names",
    "rulebooks",
    "slugs",
    "startups",
    "texts",
    "valid_commands",
    "value_types",
    "values",
]

# -- scalars -----------------------------------------------------------------------

_WORDS: Final = (
    "guichet", "semences", "cantine", "atelier", "balise", "carnet", "potager", "archives",
    "vigie", "plage", "tiers-lieu", "passerelle", "boussole", "lanterne", "sentier", "écluse",
)  # fmt: skip
_SENTENCES: Final = (
    "Les usagers préfèrent un guichet unique.",
    "Trop peu d'usage pour le coût.",
    "Partir des agents d'accueil.",
    "Le problème était réel mais déjà résolu ailleurs.",
    "Tester plus tôt avec les agents de terrain.",
    "L'administration n'a pas porté le service.",
)
_ORGANISATIONS: Final = (
    "/organisations/ministere-imaginaire",
    "/organisations/agence-fictive",
    "/organisations/office-test",
    "/organisations/dinum",
)


def dates(
    min_value: dt.date = dt.date(2013, 1, 1), max_value: dt.date = dt.date(2030, 12, 31)
) -> SearchStrategy[dt.date]:
    """Dates from the first startups d'État (2013) to 2030."""
    return st.dates(min_value=min_value, max_value=max_value)


def amounts(
    min_value: Decimal | int = Decimal("0.01"), max_value: Decimal | int = Decimal(10_000_000)
) -> SearchStrategy[Decimal]:
    """Exact euros, to the cent (betastate's money is never a float)."""
    return st.decimals(
        min_value=Decimal(min_value), max_value=Decimal(max_value), places=2, allow_nan=False
    )


def texts(max_size: int = 30) -> SearchStrategy[str]:
    """Any text JSON and YAML can carry (no lone surrogates)."""
    return st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=max_size)


def _names(max_size: int = 30) -> SearchStrategy[str]:
    """Texts that are not blank: what a required text or a list item holds (titles, criteria)."""
    return texts(max_size).filter(lambda text: bool(text) and not text.isspace())


def slugs() -> SearchStrategy[str]:
    """Slugs as the site's file stems are: lower-case words, digits, hyphens, dots."""
    return st.from_regex(r"[a-z0-9]{1,8}(?:[-.][a-z0-9]{1,8}){0,2}", fullmatch=True)


def role_names(rulebook: RulebookLike | None = None) -> SearchStrategy[str]:
    """The roles ``rulebook`` declares, or (without one) any well-formed role name."""
    if rulebook is not None:
        return st.sampled_from(as_rulebook(rulebook).role_values)
    return st.sampled_from([r.value for r in Role]) | st.from_regex(
        r"[a-z][a-z0-9]{0,8}(?:-[a-z0-9]{1,8}){0,2}", fullmatch=True
    )


def actors(rulebook: RulebookLike | None = None) -> SearchStrategy[Actor]:
    """Actors in the roles of ``rulebook`` (any role without one), named or not."""
    return st.builds(
        Actor,
        role=role_names(rulebook),
        name=st.none() | texts(20),
        organisation=st.none() | st.sampled_from(_ORGANISATIONS),
    )


_optional_texts = st.none() | texts()
_urls = st.sampled_from(["https://docs.example.org/deck.pdf", "https://budget.example.org/p"])
_phase_names = st.sampled_from([*(p.value for p in Phase), "discovery", "alpha", "live"]) | st.text(
    "abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12
)


# -- values ------------------------------------------------------------------------


def _grants(min_size: int = 0) -> SearchStrategy[tuple[Grant, ...]]:
    return st.lists(_grant, min_size=min_size, max_size=3).map(tuple)


_grant = st.builds(
    Grant,
    source=st.sampled_from(tuple(FundingSource)),
    amount=amounts(max_value=500_000),
    funder=st.none() | st.sampled_from(_ORGANISATIONS),
    edition=st.none() | st.integers(1, 20),
    label=texts(12),
)
_impact = st.builds(
    ImpactReading,
    usable=st.none() | amounts(0, 10),
    used=st.none() | st.integers(0, 10**7),
    useful=st.none() | st.decimals(min_value=0, max_value=1, places=2),
    impactful=_optional_texts,
    efficient=_optional_texts,
    monthly_active_users=st.none() | st.integers(0, 10**7),
    cost_per_use=st.none() | amounts(0, 1000),
    cost_per_impact=st.none() | amounts(0, 1000),
)
_post_mortem = st.builds(
    PostMortem,
    learnings=texts(),
    why_we_stop=texts(),
    relaunch_advice=texts(),
    reasons=st.lists(st.sampled_from(tuple(StopReason)), max_size=3).map(tuple),
    authors=st.lists(actors(), max_size=3).map(tuple),
    published_url=st.none() | _urls,
)
_exit_plan = st.builds(
    ExitPlan,
    trajectory=st.sampled_from(tuple(Trajectory)),
    host=st.sampled_from(_ORGANISATIONS),
    annual_running_cost=st.none() | amounts(),
    legal_form=st.none() | st.sampled_from(["GIP", "SCIC", "SCN"]),
)
_dossier = st.lists(st.sampled_from(DOSSIER_ITEM_IDS), max_size=4, unique=True).map(tuple)
_criteria = st.lists(st.sampled_from(NATIONAL_IMPACT_CRITERIA), max_size=3, unique=True).map(tuple)
_actors_or_none = st.none() | actors()
_attendees = st.lists(actors(), max_size=4).map(tuple)
_strings = st.lists(_names(16), max_size=2).map(tuple)


_why_retracted = texts(12).filter(str.strip)
"""Why an event is retracted: never blank, as ``Retract`` requires."""


def _event(kind: type[T], **fields: SearchStrategy[Any]) -> SearchStrategy[T]:
    return st.builds(kind, on=dates(), comment=_optional_texts, by=_actors_or_none, **fields)


_EVENTS: Final[Mapping[type, SearchStrategy[Any]]] = {
    _events.PhaseEntered: _event(_events.PhaseEntered, phase=_phase_names),
    _events.PhaseEnded: _event(_events.PhaseEnded, phase=_phase_names),
    _events.Pivoted: _event(_events.Pivoted, phase=_phase_names),
    _events.CommitteeHeld: _event(
        _events.CommitteeHeld,
        decision=st.none() | st.sampled_from(tuple(Decision)),
        phase_change=st.none() | _phase_names,
        attendees=_attendees,
        objectives=_strings,
        impact=st.none() | _impact,
        documents=st.lists(_urls, max_size=1).map(tuple),
        period_start=st.none() | dates(),
        period_end=st.none() | dates(),
        grants=_grants(),
        override=_optional_texts,
        next_on=st.none() | dates(),
    ),
    _events.ProductLaunched: _event(_events.ProductLaunched),
    _events.NationalImpactDesignated: _event(_events.NationalImpactDesignated, criteria=_criteria),
    _events.FastLaureate: _event(
        _events.FastLaureate, edition=st.none() | st.integers(1, 30), amount=st.none() | amounts()
    ),
    _events.Stopped: _event(
        _events.Stopped,
        post_mortem=st.none() | _post_mortem,
        procedure=st.none() | st.sampled_from(tuple(StopProcedure)),
        dormant=st.booleans(),
    ),
    _events.Note: _event(
        _events.Note, name=st.sampled_from(["other", "eig", "decree"]) | _names(12)
    ),
    _events.FundsGranted: _event(
        _events.FundsGranted, grants=_grants(1), period_start=st.none() | dates()
    ),
    _events.Spent: _event(_events.Spent, amount=amounts(), label=texts(12)),
    _events.LiquidationDecided: _event(_events.LiquidationDecided, safeguard_until=dates()),
    _events.RecoveryFiled: _event(
        _events.RecoveryFiled, approached=st.lists(st.sampled_from(_ORGANISATIONS), max_size=2)
    ),
    _events.TakenOver: _event(
        _events.TakenOver,
        sponsor=st.sampled_from(_ORGANISATIONS),
        resumes=st.none() | _phase_names,
        period_start=st.none() | dates(),
        period_end=st.none() | dates(),
        grants=_grants(),
        override=_optional_texts,
    ),
    _events.DossierUpdated: _event(_events.DossierUpdated, done=_dossier),
    _events.Perennised: _event(_events.Perennised, plan=_exit_plan),
    _events.BudgetPublished: _event(_events.BudgetPublished, url=st.none() | _urls),
    _events.Retracted: _event(
        _events.Retracted, version=st.integers(1, 200), reason=_why_retracted
    ),
}
_any_event: SearchStrategy[Event] = st.one_of(
    *(strategy for kind, strategy in _EVENTS.items() if kind is not _events.Retracted)
)
"""Any event but a retraction, whose place must name an earlier event of its history."""


@st.composite
def _histories(draw: st.DrawFn) -> tuple[Event, ...]:
    """Up to eight events in any order, sometimes ending with a retraction of one of them."""
    history: list[Event] = draw(st.lists(_any_event, max_size=8))
    retract: bool = draw(st.booleans())
    if history and retract:
        version = st.integers(1, len(history))
        history.append(draw(_event(_events.Retracted, version=version, reason=_why_retracted)))
    return tuple(history)


_RECORDABLE: Final = (
    _events.PhaseEnded,
    _events.ProductLaunched,
    _events.NationalImpactDesignated,
    _events.FastLaureate,
    _events.Note,
    _events.BudgetPublished,
)
"""Events a :class:`betastate.Record` may carry (the others have their own commands)."""

_recordable = st.one_of(
    *(_EVENTS[kind] for kind in _RECORDABLE),
    _event(_events.CommitteeHeld, decision=st.none() | st.sampled_from(tuple(Decision))),
)
_json_scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | texts() | dates()
_extras = st.dictionaries(
    st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12),
    st.recursive(_json_scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=5),
    max_size=4,
)
_startup_values = st.builds(
    Startup,
    slug=slugs(),
    title=_names(),
    mission=texts(),
    incubator=_optional_texts,
    incubators=st.lists(slugs(), max_size=2).map(tuple),
    sponsors=st.lists(st.sampled_from(_ORGANISATIONS), max_size=2).map(tuple),
    contact=_optional_texts,
    link=_optional_texts,
    repository=_optional_texts,
    history=_histories(),
    extra=_extras,
    body=texts(60),
)
_finding = st.builds(
    Finding,
    code=st.sampled_from(["same-day-phases", "N8", "link-empty", "legacy-phase-name"]),
    severity=st.sampled_from(tuple(Severity)),
    slug=st.none() | slugs(),
    message=texts(),
    file=_optional_texts,
    line=st.none() | st.integers(1, 500),
    dates=st.lists(dates(), max_size=2).map(tuple),
)
_problem = st.builds(
    Problem,
    path=st.lists(st.one_of(slugs(), st.integers(0, 20).map(str)), max_size=3).map(
        lambda parts: "".join(f"/{part}" for part in parts)
    ),
    message=texts(),
    fix=texts(),
)
_mission = st.builds(
    Mission,
    start=dates(),
    end=st.none() | dates(),
    status=st.none() | st.sampled_from(["independent", "admin", "service"]),
    employer=_optional_texts,
    startups=st.lists(slugs(), max_size=2).map(tuple),
)
_member = st.builds(
    Member,
    id=st.from_regex(r"member-[0-9]{4}", fullmatch=True),
    role=_optional_texts,
    domaine=st.none() | st.sampled_from(["Développement", "Design", "Produit", "Coaching"]),
    missions=st.lists(_mission, max_size=2).map(tuple),
)
_incubator = st.builds(
    Incubator,
    id=slugs(),
    title=_names(),
    owner=st.none() | st.sampled_from(_ORGANISATIONS),
    website=st.none() | _urls,
    extra=_extras,
)
_organisation = st.builds(
    Organisation,
    id=st.sampled_from(_ORGANISATIONS),
    name=_names(),
    acronym=_optional_texts,
    type=st.none() | st.sampled_from(["ministere", "operateur", "collectivite"]),
    extra=_extras,
)


@st.composite
def _portfolios(draw: st.DrawFn) -> Portfolio:
    return Portfolio(
        startups=draw(st.lists(_startup_values, max_size=4, unique_by=lambda s: s.slug)),
        incubators=draw(st.lists(_incubator, max_size=2)),
        organisations=draw(st.lists(_organisation, max_size=2)),
        members=draw(st.lists(_member, max_size=2)),
        findings=draw(st.lists(_finding, max_size=3)),
    )


def _command(kind: type[T], **fields: SearchStrategy[Any]) -> SearchStrategy[T]:
    return st.builds(kind, on=dates(), by=actors(), **fields)


_COMMANDS: Final[Mapping[type, SearchStrategy[Any]]] = {
    _commands.Advance: _command(
        _commands.Advance,
        to=_phase_names,
        comment=_optional_texts,
        co_deciders=st.lists(actors(), max_size=2),
        sponsor_budget_line=st.none() | amounts(),
        post_mortem=st.none() | _post_mortem,
        exit_plan=st.none() | _exit_plan,
        criteria=_strings,
    ),
    _commands.Launch: _command(_commands.Launch, comment=_optional_texts),
    _commands.Record: st.builds(_commands.Record, event=_recordable, by=actors()),
    _commands.HoldCommittee: _command(
        _commands.HoldCommittee,
        decision=st.sampled_from(tuple(Decision)),
        attendees=_attendees,
        phase_change=st.none() | _phase_names,
        months=st.none() | st.integers(0, 12),
        grants=_grants(),
        override=_optional_texts,
        next_on=st.none() | dates(),
        objectives=_strings,
        impact=st.none() | _impact,
        documents=st.lists(_urls, max_size=1),
        sponsor_budget_line=st.none() | amounts(),
        post_mortem=st.none() | _post_mortem,
        procedure=st.sampled_from(tuple(StopProcedure)),
        safeguard_until=st.none() | dates(),
        criteria=_strings,
        exit_plan=st.none() | _exit_plan,
        comment=_optional_texts,
    ),
    _commands.GrantFunds: _command(_commands.GrantFunds, grants=_grants(), comment=_optional_texts),
    _commands.Spend: _command(_commands.Spend, amount=amounts(max_value=500_000), label=texts(12)),
    _commands.AwardFast: _command(
        _commands.AwardFast, edition=st.integers(1, 20), cofinancing=amounts(0, 400_000)
    ),
    _commands.FileRecovery: _command(
        _commands.FileRecovery, approached=st.lists(st.sampled_from(_ORGANISATIONS), max_size=2)
    ),
    _commands.TakeOver: _command(
        _commands.TakeOver,
        sponsor=st.sampled_from(_ORGANISATIONS),
        grants=_grants(),
        months=st.none() | st.integers(1, 12),
        override=_optional_texts,
    ),
    _commands.Stop: _command(
        _commands.Stop, post_mortem=st.none() | _post_mortem, dormant=st.booleans()
    ),
    _commands.UpdateDossier: _command(_commands.UpdateDossier, done=_dossier),
    _commands.DesignateNationalImpact: _command(
        _commands.DesignateNationalImpact, criteria=_criteria
    ),
    _commands.PublishBudget: _command(_commands.PublishBudget, url=st.none() | _urls),
    _commands.Retract: _command(
        _commands.Retract,
        version=st.integers(1, 200),
        reason=_why_retracted,
        comment=_optional_texts,
    ),
}
_any_command: SearchStrategy[Command] = st.one_of(*_COMMANDS.values())


@st.composite
def _outcomes(draw: st.DrawFn) -> Outcome:
    startup = draw(startups())
    step = draw(valid_commands("betagouv", startup))
    before = accepted(lifecycle_of(as_rulebook("betagouv")), startup, step.evidence)
    return lifecycle_of(as_rulebook("betagouv")).apply(cast("Startup", before), step.command)


@st.composite
def _verdicts(draw: st.DrawFn) -> Verdict:
    lifecycle = lifecycle_of(as_rulebook("betagouv"))
    startup = draw(startups())
    drawn: Step | Refusal = draw(
        st.one_of(valid_commands("betagouv", startup), refused_commands("betagouv", startup))
    )
    before = accepted(lifecycle, startup, drawn.evidence)
    return lifecycle.check(cast("Startup", before), drawn.command)


@st.composite
def _moves(draw: st.DrawFn) -> Move:
    lifecycle = lifecycle_of(as_rulebook("betagouv"))
    startup = draw(startups())
    day = (startup.last_event_date or dt.date(2025, 1, 6)) + dt.timedelta(days=1)
    moves = lifecycle.moves(startup, on=day) or lifecycle.moves(
        Startup(slug="nouveau", title="Nouveau"), on=day
    )
    return draw(st.sampled_from(moves))


@st.composite
def _states(draw: st.DrawFn) -> StartupState:
    startup = draw(startups())
    on = draw(st.none() | dates())
    return lifecycle_of(as_rulebook("betagouv")).state(startup, on=on)


_spans = st.builds(
    PhaseSpan,
    phase=_phase_names,
    start=dates(),
    end=st.none() | dates(),
    explicit_end=st.booleans(),
)
_envelopes = st.builds(
    Envelope,
    start=dates(),
    end=dates(),
    provisional=st.booleans(),
    opened_on=dates(),
    grants=_grants(),
    spent=amounts(0),
)
_ledgers = st.builds(
    Ledger, envelopes=st.lists(_envelopes, max_size=3).map(tuple), unallocated=amounts(0)
)
_reasons = st.builds(
    Reason,
    rule=st.sampled_from(sorted(ENGINE_RULES)),
    severity=st.sampled_from(tuple(Severity)),
    message=texts(),
    fix=texts(),
    source=texts(12),
)
_violations = st.builds(
    Violation, rule=st.sampled_from(sorted(ENGINE_RULES)), message=texts(), fix=texts()
)


def _part(pick: Callable[[Rulebook], Sequence[T]]) -> SearchStrategy[T]:
    return rulebooks().flatmap(lambda book: st.sampled_from(pick(book)))


@functools.cache
def _values() -> Mapping[type, SearchStrategy[Any]]:
    """Every public value type → its strategy (built on first use)."""
    return {
        Actor: actors(),
        Grant: _grant,
        ImpactReading: _impact,
        PostMortem: _post_mortem,
        ExitPlan: _exit_plan,
        **_EVENTS,
        Startup: _startup_values,
        Finding: _finding,
        Problem: _problem,
        Reason: _reasons,
        Violation: _violations,
        Mission: _mission,
        Member: _member,
        Incubator: _incubator,
        Organisation: _organisation,
        Portfolio: _portfolios(),
        **_COMMANDS,
        Rulebook: rulebooks(),
        RoleDef: _part(lambda b: b.roles),
        PhaseDef: _part(lambda b: b.phases),
        TransitionDef: _part(lambda b: b.transitions),
        RuleDef: _part(lambda b: b.rules),
        GateSpec: _part(lambda b: tuple(b.gate_specs.values()) or _FALLBACK_SPECS),
        Thresholds: rulebooks().map(lambda b: b.thresholds),
        ThresholdDef: _part(lambda b: tuple(b.thresholds.declared.values()) or _FALLBACK_DEFS),
        LegacyName: st.builds(
            LegacyName,
            value=st.sampled_from(["alumni", "success", "perennisation", "ancien-statut"]),
            becomes=_phase_names,
            after=st.dictionaries(_phase_names, _phase_names, max_size=2),
        ),
        Outcome: _outcomes(),
        Verdict: _verdicts(),
        Move: _moves(),
        StartupState: _states(),
        PhaseSpan: _spans,
        Envelope: _envelopes,
        Ledger: _ledgers,
    }


_FALLBACK_SPECS: Final = (GateSpec(kind="committee_held", rule="FAB-COMITE"),)
_FALLBACK_DEFS: Final = (ThresholdDef(type="days", value="30", min=1, max=365),)


@overload
def values(kind: type[T]) -> SearchStrategy[T]: ...


@overload
def values(kind: Any) -> SearchStrategy[Any]: ...


def values(kind: Any) -> SearchStrategy[Any]:
    """
    Any value of the public betastate type ``kind``, well formed but not checked by a rulebook.

    ``kind`` is a value class (``betastate.Startup``, ``betastate.Grant``,
    ``betastate.CommitteeHeld``...), a command class, ``betastate.Event`` or
    ``betastate.Command`` (any of them; any event but a
    ``betastate.Retracted``, so that lists of them make histories), a rulebook part
    (``betastate.PhaseDef``...) or a lifecycle result (``betastate.Outcome``,
    ``betastate.StartupState``...). Histories hold arbitrary events in any
    order: use :func:`startups` for what a rulebook accepts.

    Raises:
        TypeError: betastate has no such public value type.

    .. versionadded:: 0.1.0
    """
    if kind is Event:
        return _any_event
    if kind is Command:
        return _any_command
    table = _values()
    if kind not in table:
        msg = (
            f"no strategy for {kind!r}: values() takes betastate's public value and command "
            "types, betastate.Event and betastate.Command"
        )
        raise TypeError(msg)
    return table[kind]


def value_types() -> tuple[type, ...]:
    """The classes :func:`values` has a strategy for."""
    return tuple(_values())


# -- what a rulebook accepts -------------------------------------------------------


class _Drawn:
    """The planner's choices, drawn by hypothesis (they shrink to the first option)."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def one(self, options: Sequence[T], label: str) -> T:
        return self.draw(st.sampled_from(options), label=label)

    def integer(self, low: int, high: int, label: str) -> int:
        return self.draw(st.integers(low, max(low, high)), label=label)

    def amount(self, low: Decimal, high: Decimal, label: str) -> Decimal:
        cent = Decimal("0.01")
        low = low.quantize(cent, rounding=ROUND_UP)
        high = max(low, high.quantize(cent, rounding=ROUND_DOWN))
        return self.draw(amounts(low, high), label=label)

    def text(self, label: str) -> str:
        if label in {"learnings", "why_we_stop", "relaunch_advice", "objective"}:
            return self.draw(st.sampled_from(_SENTENCES), label=label)
        return self.draw(st.none() | texts(), label=label) or ""

    def order(self, options: Sequence[T], label: str) -> list[T]:
        # A shuffle by hypothesis' random: uniform when drawn, the given order when shrunk
        # (st.permutations and integer draws keep most of the given order).
        ordered = list(options)
        self.draw(st.randoms(use_true_random=False), label=label).shuffle(ordered)
        return ordered


def _start(startup: Startup, draw: st.DrawFn) -> dt.date:
    last = startup.last_event_date
    if last is None:
        return draw(dates(dt.date(2016, 1, 1), dt.date(2026, 12, 31)))
    # Mostly later (a move the day the phase began would lose the tie), sometimes that day.
    return last + dt.timedelta(days=draw(st.integers(1, 60) | st.just(0)))


@st.composite
def valid_commands(
    draw: st.DrawFn,
    rulebook: RulebookLike,
    startup: Startup,
    on: dt.date | None = None,
) -> Step:
    """
    A :class:`~betastate.testing.Step` ``rulebook`` accepts for ``startup`` on ``on``.

    Any command (a note, a committee, a grant, spending within the envelope,
    a move with its evidence...) dated ``on`` (default: on or shortly after
    the startup's last event), after the evidence its gates need. Applying
    ``step.commands`` in order through :class:`betastate.Lifecycle` is
    accepted. Shrinks towards the simplest command (a note).

    .. versionadded:: 0.1.0
    """
    book = as_rulebook(rulebook)
    day = on if on is not None else _start(startup, draw)
    step = steps(lifecycle_of(book), startup, day, _Drawn(draw))
    if step is None:
        reject()
    return step


@st.composite
def refused_commands(
    draw: st.DrawFn,
    rulebook: RulebookLike,
    startup: Startup,
    on: dt.date | None = None,
) -> Refusal:
    """
    A :class:`~betastate.testing.Refusal`: a command ``rulebook`` refuses, and why.

    After ``refusal.evidence`` (accepted), ``refusal.command`` is refused by
    exactly the rules in ``refusal.rules``: a role without the permission,
    an unknown role or phase, a move the rulebook lacks, a command dated
    before the last event, a move by a non-decider, alone when it is a
    joint decision, with no committee (N1), without a gate's evidence (or
    with it recorded by the wrong role, or a budget line below the minimum),
    leaving a stop, re-entering a phase, a data-only move, spending beyond
    the envelope. Only rules of error severity in ``rulebook`` are expected.

    .. versionadded:: 0.1.0
    """
    book = as_rulebook(rulebook)
    day = on if on is not None else _start(startup, draw)
    refusal = refusals(lifecycle_of(book), startup, day, _Drawn(draw))
    if refusal is None:
        reject()
    return refusal


def _leads_to(book: Rulebook, source: str, target: str, seen: frozenset[str]) -> bool:
    """Whether moves that enter no phase twice lead from ``source`` to ``target``."""
    if source == target:
        return True
    for transition in book.transitions_from(source):
        dest = transition.dest
        if transition.internal or dest in seen:
            continue
        if _leads_to(book, dest, target, seen | {dest}):
            return True
    return False


def startups(
    rulebook: RulebookLike = "betagouv",
    *,
    phase: str | None = None,
    slug: str | None = None,
    max_steps: int = 6,
) -> SearchStrategy[Startup]:
    """
    Startups built by commands ``rulebook`` accepts, in ``phase`` if given.

    Its history is what :class:`betastate.Lifecycle` made of random valid
    commands (moves with their evidence, committees, money, notes...): it
    passes :func:`betastate.audit` and any rule of error severity.
    ``max_steps`` bounds the commands besides the moves to ``phase``.
    Without ``phase``, the startup is in a phase drawn at random (or has
    none yet).

    Raises:
        ValueError: ``phase`` is not a phase of ``rulebook``.

    .. versionadded:: 0.1.0
    """
    book = as_rulebook(rulebook)
    if phase is not None and not book.has_phase(phase):
        msg = f"{phase!r} is not a phase of rulebook {book.name!r}: use one of {book.phase_values}"
        raise ValueError(msg)
    return _startups(book, phase, slug, max_steps)


@st.composite
def _startups(
    draw: st.DrawFn, book: Rulebook, phase: str | None, slug: str | None, max_steps: int
) -> Startup:
    lifecycle = lifecycle_of(book)
    name = slug if slug is not None else draw(slugs())
    startup = Startup(slug=name, title=name.replace("-", " ").capitalize())
    choices = _Drawn(draw)
    if phase is None:  # most often a phase drawn at random: else few would get far
        phase = draw(st.sampled_from((*book.phase_values, None)), label="phase")
    budget = draw(st.integers(0, max_steps))
    for _ in range(budget + (2 * len(book.phases) + 2 if phase is not None else 0)):
        current = lifecycle.phase(startup)
        day = _start(startup, draw)
        if phase is not None and current != phase and (budget == 0 or draw(st.booleans())):
            startup = _toward(lifecycle, startup, phase, day + dt.timedelta(days=1), choices)
            continue
        if budget == 0:
            break
        budget -= 1
        step = steps(lifecycle, startup, day, choices)
        after = None if step is None else accepted(lifecycle, startup, step.commands)
        if after is None or (phase is not None and lifecycle.phase(after) != current):
            continue  # a move away from the phase asked for
        startup = after
    if phase is not None and lifecycle.phase(startup) != phase:
        reject()
    return startup


def _toward(
    lifecycle: Lifecycle, startup: Startup, phase: str, day: dt.date, choices: _Drawn
) -> Startup:
    """``startup`` after one move that keeps ``phase`` within reach (rejects when none plays)."""
    book = lifecycle.rulebook
    seen = entered(startup)
    toward = [
        t
        for t in book.transitions_from(lifecycle.phase(startup))
        if not t.internal and t.dest not in seen and _leads_to(book, t.dest, phase, seen | {t.dest})
    ]
    for transition in choices.order(toward, "move toward the phase"):
        planned = plan_move(lifecycle, startup, transition, day, choices)
        if planned is not None:
            return planned[1]
    return reject()  # no move plays: draw another startup


def histories(
    rulebook: RulebookLike = "betagouv", *, phase: str | None = None, max_steps: int = 6
) -> SearchStrategy[tuple[Event, ...]]:
    """The histories of :func:`startups`: events ``rulebook`` accepted, in order."""
    return startups(rulebook, phase=phase, max_steps=max_steps).map(lambda s: s.history)


# -- random rulebooks --------------------------------------------------------------

_ROLE_POOL: Final = ("porteur", "comite", "jury", "direction", "finances", "panel", "mentor")
_STAGES: Final = ("exploration", "prototype", "service", "essaimage")
_EXITS: Final = ("transmis", "opere-localement")
_STOP: Final = "arrete"
_STRUCTURAL: Final = frozenset(
    {"BS-CHRONO", "BS-ACTOR", "BS-ROLE", "BS-PHASE", "BS-MOVE", "BS-TIE", "N1", "N4", "N5", "N6"}
)
"""The engine's rules a random rulebook always makes errors (the others draw a severity)."""


def _labels(value: str, languages: Sequence[str]) -> dict[str, str]:
    words = value.replace("-", " ")
    return {lang: f"{words.capitalize()} ({lang})" for lang in languages}


class _Draft:
    """A random rulebook being drawn, table by table (see :func:`rulebooks`)."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.languages = draw(st.sampled_from([("fr",), ("en",), ("fr", "en")]))
        self.roles: list[str] = draw(
            st.lists(st.sampled_from(_ROLE_POOL), min_size=2, max_size=5, unique=True)
        )
        self.stages = _STAGES[: draw(st.integers(1, len(_STAGES)))]
        self.exits = _EXITS[: draw(st.integers(1, len(_EXITS)))]
        self.stop = draw(st.booleans())
        self.phases: list[PhaseDef] = []
        self.transitions: list[TransitionDef] = []
        self.specs: dict[str, GateSpec] = {}
        self.declared: dict[str, ThresholdDef] = {}
        self.gate_rules: set[str] = set()
        self.committee_recorders: set[str] = set()
        self.chairs: dict[str, set[str]] = {"continue": set(), "stop": set()}

    def roles_among(self, *, min_size: int = 0, max_size: int = 2) -> list[str]:
        return self.draw(
            st.lists(st.sampled_from(self.roles), min_size=min_size, max_size=max_size, unique=True)
        )

    def draw_phases(self) -> None:
        draw = self.draw
        for rank, value in enumerate(self.stages, start=1):
            typical = draw(st.none() | st.tuples(st.integers(10, 60), st.integers(61, 200)))
            longest = None if typical is None else typical[1] + draw(st.integers(0, 100))
            self.phases.append(
                PhaseDef(
                    value=value,
                    labels=_labels(value, self.languages),
                    rank=rank,
                    active=True,
                    terminal=False,
                    typical_days=typical,
                    max_days=longest,
                )
            )
        ends = [(_STOP, True)] if self.stop else []
        ends += [(value, False) for value in self.exits]
        for rank, (value, stop) in enumerate(ends, start=len(self.stages) + 1):
            self.phases.append(
                PhaseDef(
                    value=value,
                    labels=_labels(value, self.languages),
                    rank=rank,
                    active=not stop and value == self.exits[0],
                    terminal=True,
                    stop=stop,
                )
            )

    def gate(self, transition_id: str, dest: PhaseDef) -> list[str]:
        """At most one gate for a move: a built-in Python one or a parameterised one."""
        kinds = ["event_within", "min_amount", "committee_held", "sponsor_budget_line"]
        kinds += ["post_mortem"] if dest.stop else []
        kinds += ["exit_plan"] if dest.terminal and not dest.stop else []
        kind = self.draw(st.none() | st.sampled_from([*kinds, "consolidation_criteria"]))
        if kind is None or kind in BUILTIN_GATES:
            return [] if kind is None else [kind]
        rule, name = f"LOC-{transition_id}", f"gate_{transition_id.lower()}"
        self.gate_rules.add(rule)
        if kind == "event_within":
            self.specs[name] = self.event_gate(name, rule)
        elif kind == "min_amount":
            self.specs[name] = self.amount_gate(name, rule)
        else:
            self.specs[name] = GateSpec(kind="committee_held", rule=rule)
        return [name]

    def event_gate(self, name: str, rule: str) -> GateSpec:
        draw = self.draw
        by = self.roles_among()
        event = draw(st.sampled_from(["demo-publique", "avis-du-jury", "CommitteeHeld"]))
        if event == "CommitteeHeld":  # the roles it counts must be able to record one
            self.committee_recorders.update(by or self.roles[:1])
        days, threshold = draw(st.integers(7, 90)), None
        if draw(st.booleans()):
            threshold = f"{name}_days"
            self.declared[threshold] = ThresholdDef(
                type="days", value=str(days), min=1, max=365, rules=[rule]
            )
        return GateSpec(
            kind="event_within",
            rule=rule,
            event=event,
            by=by,
            days=None if threshold else days,
            threshold=threshold,
        )

    def amount_gate(self, name: str, rule: str) -> GateSpec:
        value = Decimal(self.draw(st.integers(1, 30)) * 10_000)
        threshold = None
        if self.draw(st.booleans()):
            threshold = f"{name}_amount"
            self.declared[threshold] = ThresholdDef(type="money", value=str(value), rules=[rule])
        return GateSpec(
            kind="min_amount",
            rule=rule,
            field="sponsor_budget_line",
            amount=None if threshold else value,
            threshold=threshold,
        )

    def add(
        self,
        tid: str,
        trigger: str,
        sources: Sequence[str],
        dest: str,
        *,
        deciders: Sequence[str] = (),
        co_deciders: Sequence[str] = (),
        at_committee: bool | None = None,
        data_only: bool = False,
        internal: bool = False,
    ) -> None:
        target = next(p for p in self.phases if p.value == dest)
        deciders = list(deciders) or self.roles_among(min_size=1)
        committee = self.draw(st.booleans()) if at_committee is None else at_committee
        if committee:  # who decides a move at committee holds the committee's decision
            self.chairs["stop" if target.stop else "continue"].update(deciders)
        self.transitions.append(
            TransitionDef(
                id=tid,
                trigger=trigger,
                sources=sources,
                dest=dest,
                deciders=deciders,
                co_deciders=[r for r in co_deciders if r not in deciders],
                at_committee=committee,
                gates=self.gate(tid, target),
                data_only=data_only,
                internal=internal,
            )
        )

    def draw_transitions(self) -> None:
        draw, stages = self.draw, self.stages
        chair = self.roles[0]
        co = draw(st.none() | st.sampled_from(self.roles[1:]))
        add = self.add
        add("F0", "start", [], stages[0], deciders=[chair], co_deciders=[co] if co else [])
        for index in range(1, len(stages)):
            add(f"F{index}", f"advance-to-{stages[index]}", [stages[index - 1]], stages[index])
        for index in range(len(stages) - 2):
            if draw(st.booleans()):
                skip = stages[index + 2]
                data_only = draw(st.booleans())
                add(f"S{index}", f"skip-to-{skip}", [stages[index]], skip, data_only=data_only)
        for index, value in enumerate(self.exits):
            earlier = (
                draw(st.lists(st.sampled_from(stages[:-1]), max_size=1)) if stages[:-1] else []
            )
            sources = list(dict.fromkeys([stages[-1], *earlier]))
            add(f"X{index}", f"exit-to-{value}", sources, value)
        if self.stop:
            sources = draw(st.lists(st.sampled_from(stages), min_size=1, unique=True))
            add("A0", "stop", sorted(sources, key=stages.index), _STOP)
        for index, value in enumerate(stages):
            if draw(st.booleans()):
                add(f"P{index}", "pivot", [value], value, internal=True)

    def rules(self) -> tuple[RuleDef, ...]:
        """Every rule something refers to, and no other (lint warns on unused ones)."""
        needed = set(ENGINE_RULES) | self.gate_rules
        needed |= {r for n in Thresholds.builtin_names() for r in Thresholds.type_of(n).rules}
        for name in {g for t in self.transitions for g in t.gates} & set(BUILTIN_GATES):
            needed |= set(BUILTIN_GATES[name].rules)
        severities = st.sampled_from(tuple(Severity))
        return tuple(
            RuleDef(
                id=rule,
                severity=Severity.ERROR
                if rule in _STRUCTURAL | self.gate_rules
                else self.draw(severities),
                title=f"Règle {rule}",
            )
            for rule in sorted(needed)
        )

    def permissions(self) -> dict[str, list[str]]:
        def some(*more: Iterable[str]) -> list[str]:
            chosen = set(self.roles_among()).union(*more)
            return [r for r in self.roles if r in chosen]

        permissions = {key: some() for key in PERMISSIONS}
        permissions["continue"] = some(self.chairs["continue"])
        permissions["provisional"] = some(self.chairs["continue"])
        permissions["stop"] = some(self.chairs["stop"])
        permissions["committee"] = some(self.roles[:1], self.committee_recorders)
        permissions["record"] = list(self.roles)  # every role records notes (none is unused)
        return permissions

    def rulebook(self) -> Rulebook:
        draw = self.draw
        self.draw_phases()
        self.draw_transitions()
        criteria = st.lists(st.sampled_from(["CRIT-USAGE", "CRIT-BUDGET"]), max_size=2, unique=True)
        legacy = (LegacyName(value="ancien-statut", becomes=self.stages[0]),)
        return Rulebook(
            name=draw(st.sampled_from(["fabrique", "atelier", "incubateur-du-littoral"])),
            title="Incubateur inventé",
            version="2026-01",
            roles=tuple(RoleDef(value=r, labels=_labels(r, self.languages)) for r in self.roles),
            phases=tuple(self.phases),
            transitions=tuple(self.transitions),
            rules=self.rules(),
            thresholds=Thresholds(
                declared=self.declared,
                committee_mandatory_roles=self.roles_among(),
                post_mortem_authors=self.roles_among(),
                consolidation_criteria=draw(criteria),
            ),
            permissions=self.permissions(),
            gates=dict(BUILTIN_GATES),
            gate_specs=self.specs,
            legacy=legacy if draw(st.booleans()) else (),
            tie=draw(st.sampled_from(["rank", "first-listed"])),
        )


@st.composite
def rulebooks(draw: st.DrawFn) -> Rulebook:
    """
    Random rulebooks that load and lint clean (``rulebook.lint() == ()``).

    Invented roles, one to four stages in a row, an optional stop, one or two
    exits, pivots, skips (some data-only), moves at committee, joint
    decisions, and gates of every built-in kind: the Python ones (budget
    line, post-mortem, exit plan, consolidation criteria) and the
    parameterised ones (``event_within``, ``min_amount``, ``committee_held``)
    with their thresholds. Every rule the engine files is declared; the
    engine's structural rules refuse, the others draw a severity.

    .. versionadded:: 0.1.0
    """
    return _Draft(draw).rulebook()


# -- front matter ------------------------------------------------------------------


@attrs.frozen
class FrontMatterFile:
    """
    A product's markdown file in the beta.gouv.fr site's format, and what it says.

    Attributes:
        slug: The file's stem (``content/_startups/<slug>.md``).
        text: The file: YAML front matter (title, mission, sponsors,
            incubator, contact, link, phases with start and end, events,
            and keys such as ``thematiques``, ``usertypes``, ``fast``) and
            a markdown body.
        startup: The startup the file describes, as
            :func:`betastate.load_portfolio` should read it.

    .. versionadded:: 0.1.0
    """

    slug: str
    text: str
    startup: Startup

    @property
    def name(self) -> str:
        """The file name: ``<slug>.md``."""
        return f"{self.slug}.md"

    def write(self, folder: Path) -> Path:
        """Write the file into ``folder`` (a ``content/_startups`` folder); its path."""
        path = folder / self.name
        path.write_text(self.text, encoding="utf-8")
        return path


_PLAIN: Final = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ0-9 ,'()-]*[A-Za-zÀ-ÿ0-9)]")
_RESERVED: Final = frozenset({"yes", "no", "true", "false", "on", "off", "null", "y", "n"})


def _yaml(value: Any) -> str:
    """A scalar as YAML writes it in the site's files: plain when it can, else quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if isinstance(value, int) or (_PLAIN.fullmatch(text) and text.lower() not in _RESERVED):
        return text
    return "'" + text.replace("'", "''") + "'"


def _block(key: str, value: Any) -> list[str]:
    if isinstance(value, list):
        return [f"{key}:", *(f"  - {_yaml(v)}" for v in value)] if value else [f"{key}: []"]
    if isinstance(value, dict):
        return [f"{key}:", *(f"  {k}: {_yaml(v)}" for k, v in value.items())]
    return [f"{key}: {_yaml(value)}"]


_TITLES: Final = ("Guichet", "Carnet", "Boussole", "Passerelle", "Lanterne", "Vigie", "Atelier")
_THEMES: Final = ("Agriculture", "Écologie", "Justice", "Santé", "Territoires", "Emploi")
_USERTYPES: Final = ("particulier", "entreprise", "association", "etat", "collectivite")
_TECHNO: Final = ("python", "django", "react", "vue", "postgresql", "rails")
_INCUBATORS: Final = ("incubateur-fictif", "atelier-territoires", "fabrique-imaginaire")
_COMMENTS: Final = ("Comité d'investissement", "Suite au comité")
_EVENT_CLASSES: Final[Mapping[str, Callable[..., Event]]] = {
    "committee": _events.CommitteeHeld,
    "product_launch": _events.ProductLaunched,
    "national_impact": _events.NationalImpactDesignated,
}
"""The site's event names the loader reads as their own class (others become notes)."""

_PhaseEntry = tuple[str, dt.date, "dt.date | None", "str | None"]
_EventEntry = tuple[str, dt.date, "str | None"]


def _entries(draw: st.DrawFn, book: Rulebook) -> list[_PhaseEntry]:
    """Phases along a prefix of a simple path, weeks to a year apart, some ended or commented."""
    path = draw(st.sampled_from(_simple(book)))
    phases = list(dict.fromkeys(path.phases[: draw(st.integers(1, len(path.phases)))]))
    day = draw(dates(dt.date(2015, 1, 1), dt.date(2023, 12, 31)))
    starts = []
    for _ in phases:
        starts.append(day)
        day += dt.timedelta(days=draw(st.integers(20, 400)))
    entries: list[_PhaseEntry] = []
    for index, phase in enumerate(phases):
        following = starts[index + 1] if index + 1 < len(starts) else None
        end = following if following is not None and draw(st.booleans()) else None
        entries.append((phase, starts[index], end, draw(st.none() | st.sampled_from(_COMMENTS))))
    return entries


def _extra(draw: st.DrawFn) -> dict[str, Any]:
    """Keys of the site the loader keeps as they are (``Startup.extra``)."""
    lists = {"thematiques": _THEMES, "usertypes": _USERTYPES, "techno": _TECHNO}
    extra: dict[str, Any] = {
        key: draw(st.lists(st.sampled_from(words), min_size=1, max_size=3, unique=True))
        for key, words in lists.items()
        if draw(st.booleans())
    }
    if draw(st.booleans()):
        extra["stats"] = draw(st.booleans())
    if draw(st.booleans()):
        montant = draw(st.integers(1, 30)) * 10_000
        extra["fast"] = {"promotion": draw(st.integers(1, 16)), "montant": montant}
    return extra


def _front(
    fields: Mapping[str, Any], events: Sequence[_EventEntry], phases: Sequence[_PhaseEntry]
) -> list[str]:
    lines = ["---"]
    for key, value in fields.items():
        lines.extend(_block(key, value))
    if events:
        lines.append("events:")
    for name, on, comment in events:
        lines += [f"  - name: {name}", f"    date: {on.isoformat()}"]
        lines += [f"    comment: {_yaml(comment)}"] if comment is not None else []
    lines.append("phases:")
    for phase, start, end, comment in phases:
        lines += [f"  - name: {phase}", f"    start: {start.isoformat()}"]
        lines += [f"    end: {end.isoformat()}"] if end is not None else []
        lines += [f"    comment: {_yaml(comment)}"] if comment is not None else []
    return [*lines, "---"]


def _history(phases: Sequence[_PhaseEntry], events: Sequence[_EventEntry]) -> list[Event]:
    """The history the loader makes: phases in file order, then events, sorted by date."""
    history: list[Event] = []
    for phase, start, end, comment in phases:
        history.append(_events.PhaseEntered(on=start, phase=phase, comment=comment))
        if end is not None:
            history.append(_events.PhaseEnded(on=end, phase=phase))
    for name, on, comment in events:
        build = _EVENT_CLASSES.get(name)
        event = build(on=on, comment=comment) if build else None
        history.append(event or _events.Note(on=on, name=name, comment=comment))
    return sorted(history, key=lambda e: e.on)  # stable: same-day events keep their order


@st.composite
def frontmatter_files(draw: st.DrawFn, rulebook: RulebookLike = "betagouv") -> FrontMatterFile:
    """
    A product's file as the beta.gouv.fr site writes them, with invented content.

    Its phases follow moves ``rulebook`` accepts (a prefix of one of its
    simple paths), dated a few weeks to a year apart, some with an ``end``
    or a comment; events (committees, a launch, notes) fall on those dates
    or soon after; the keys and their YAML style are the snapshot's.
    ``startup`` is what the file says, as the loader reads it.

    .. versionadded:: 0.1.0
    """
    phases = _entries(draw, as_rulebook(rulebook))
    starts = [start for _, start, _, _ in phases]
    names = st.sampled_from(["committee", "product_launch", "other", "national_impact"])
    events = sorted(
        (
            (
                draw(names),
                start + dt.timedelta(days=draw(st.integers(0, 15))),
                draw(st.none() | st.sampled_from(_COMMENTS)),
            )
            for start in draw(st.lists(st.sampled_from(starts), max_size=3))
        ),
        key=lambda e: e[1],
    )
    slug = draw(slugs())
    site = slug.replace(".", "-")
    fields: dict[str, Any] = {
        "title": f"{draw(st.sampled_from(_TITLES))} {draw(st.sampled_from(_WORDS))}",
        "mission": draw(st.sampled_from(_SENTENCES)),
        "sponsors": draw(
            st.lists(st.sampled_from(_ORGANISATIONS[:3]), min_size=1, max_size=2, unique=True)
        ),
        "incubator": draw(st.sampled_from(_INCUBATORS)),
        "contact": f"contact@{site}.example",
    }
    if draw(st.booleans()):
        fields["link"] = f"https://{site}.example.org"
    extra = _extra(draw)
    body = f"# **{fields['mission']}**\n\n## Contexte\n\n{draw(st.sampled_from(_SENTENCES))}\n"
    text = "\n".join([*_front({**fields, **extra}, events, phases), body])
    startup = Startup(
        slug=slug,
        title=fields["title"],
        mission=fields["mission"],
        incubator=fields["incubator"],
        sponsors=fields["sponsors"],
        contact=fields["contact"],
        link=fields.get("link"),
        history=_history(phases, events),
        extra=extra,
        body=body,
    )
    return FrontMatterFile(slug, text, startup)


@functools.lru_cache(maxsize=16)
def _simple(book: Rulebook) -> tuple[Any, ...]:
    return simple_paths(book, limit=200)
