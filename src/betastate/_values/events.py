"""
The events a startup's history is made of.

Every event is a frozen attrs class with a date (``on``), an optional free
comment and an optional actor (``by``). The union :data:`Event` is what a
history holds; the converter tags each event with its class name, so new
event classes slot in without reshaping stored histories.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from decimal import Decimal

import attrs

from betastate._values.actors import Actor
from betastate._values.fields import tuple_of_str
from betastate._values.money import Grant, optional_money, positive_money, tuple_of_grants
from betastate._values.stopping import (
    ExitPlan,
    PostMortem,
    StopProcedure,
    known_dossier_items,
)


class Decision(enum.StrEnum):
    """The three outcomes of an investment committee (brief §6.4)."""

    CONTINUE = "continue"
    PROVISIONAL = "provisional"
    STOP = "stop"


def _actors_tuple(value: Iterable[Actor]) -> tuple[Actor, ...]:
    return tuple(value)


def _to_optional_decision(value: Decision | str | None) -> Decision | None:
    return None if value is None else Decision(value)


def _to_optional_procedure(value: StopProcedure | str | None) -> StopProcedure | None:
    return None if value is None else StopProcedure(value)


@attrs.frozen(kw_only=True)
class ImpactReading:
    """
    Impact-matrix readings presented at a committee (brief §6.5).

    Every field is optional: committees report what they have.

    Attributes:
        usable: Average ease-of-use score, as reported.
        used: Monthly transactions or conversions.
        useful: User satisfaction rate, 0 to 1.
        impactful: Free-text impact measure.
        efficient: Free-text efficiency note.
        monthly_active_users: Monthly active users.
        cost_per_use: Annual budget divided by monthly active users, in euros.
        cost_per_impact: Euros per unit of impact, when the team measures it.
    """

    usable: Decimal | None = attrs.field(default=None, converter=optional_money)
    used: int | None = None
    useful: Decimal | None = attrs.field(default=None, converter=optional_money)
    impactful: str | None = None
    efficient: str | None = None
    monthly_active_users: int | None = None
    cost_per_use: Decimal | None = attrs.field(default=None, converter=optional_money)
    cost_per_impact: Decimal | None = attrs.field(default=None, converter=optional_money)


@attrs.frozen(kw_only=True)
class PhaseEntered:
    """The startup entered ``phase`` on ``on`` (a phase ``start`` in the data)."""

    on: dt.date
    phase: str
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class PhaseEnded:
    """An explicit ``end`` of ``phase`` (most phases end at the next start)."""

    on: dt.date
    phase: str
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class Pivoted:
    """
    The team stays in ``phase`` on another problem or strategy (T03, T05).

    The data model lists each phase once, so a pivot is an event, not a
    second entry of the same phase.
    """

    on: dt.date
    phase: str
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class CommitteeHeld:
    """
    An investment committee was held.

    Committees read from the public data carry only a date and a comment;
    committees recorded through betastate carry the decision and the rest.

    Attributes:
        decision: Continue, provisional or stop; ``None`` when unknown.
        phase_change: Phase decided with it, if any.
        attendees: Who attended, with roles.
        objectives: Objectives for the next period.
        impact: Impact-matrix readings.
        documents: Links to its documents.
        period_start: First day of the envelope period it opens (continue or
            provisional decisions recorded through betastate).
        period_end: Day after the period's last day.
        grants: Grants decided for that period.
        override: Why the period departs from the rulebook's length (BR-03).
        next_on: Date the next committee is scheduled for.
    """

    on: dt.date
    decision: Decision | None = attrs.field(default=None, converter=_to_optional_decision)
    phase_change: str | None = None
    attendees: tuple[Actor, ...] = attrs.field(default=(), converter=_actors_tuple)
    objectives: tuple[str, ...] = attrs.field(default=(), converter=tuple_of_str)
    impact: ImpactReading | None = None
    documents: tuple[str, ...] = attrs.field(default=(), converter=tuple_of_str)
    comment: str | None = None
    by: Actor | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    grants: tuple[Grant, ...] = attrs.field(default=(), converter=tuple_of_grants)
    override: str | None = None
    next_on: dt.date | None = None


@attrs.frozen(kw_only=True)
class ProductLaunched:
    """The service was first opened to the public (``product_launch``)."""

    on: dt.date
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class NationalImpactDesignated:
    """
    DINUM designated the product a national-impact service (§10).

    Attributes:
        criteria: Which of the three criteria of §10.2 were documented.
    """

    on: dt.date
    criteria: tuple[str, ...] = attrs.field(default=(), converter=tuple_of_str)
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class FastLaureate:
    """
    The product won a FAST edition (§7.3).

    Attributes:
        edition: FAST edition number.
        amount: Amount awarded in euros, if known.
    """

    on: dt.date
    edition: int | None = None
    amount: Decimal | None = attrs.field(default=None, converter=optional_money)
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class Stopped:
    """
    The product was stopped (the data's ``end`` event, label "Abandon").

    Read from the public data it carries only a date and a comment; a stop
    recorded through betastate carries its complete post-mortem.

    Attributes:
        post_mortem: The post-mortem (brief §8.4).
        procedure: ``no-impact`` or ``no-budget`` (brief §8.2).
        dormant: Impact was proven but no taker found: stopped, in dormancy,
            with a takeover dossier (brief §8.2 B, option 2).
    """

    on: dt.date
    comment: str | None = None
    by: Actor | None = None
    post_mortem: PostMortem | None = None
    procedure: StopProcedure | None = attrs.field(default=None, converter=_to_optional_procedure)
    dormant: bool = False


@attrs.frozen(kw_only=True)
class Note:
    """
    Any other dated fact, kept with its original event name.

    The data's event vocabulary is open (``other``, ``eig``, names that
    appear later): nothing is dropped.
    """

    on: dt.date
    name: str = "other"
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class FundsGranted:
    """
    Money granted outside a committee: a co-funder, a FAST co-financing...

    Attributes:
        grants: What is granted, by whom.
        period_start: Start of the envelope period it adds to.
    """

    on: dt.date
    grants: tuple[Grant, ...] = attrs.field(converter=tuple_of_grants)
    period_start: dt.date | None = None
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class Spent:
    """
    A commitment or expense charged to the envelope of its date.

    Attributes:
        amount: Euros (exact).
        label: What it pays for (a purchase order, a supplier...).
    """

    on: dt.date
    amount: Decimal = attrs.field(converter=positive_money)
    label: str = ""
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class LiquidationDecided:
    """
    A committee ended the current sponsors' funding though impact is proven.

    First step of the "no budget" procedure (brief §8.2 B): the safeguard
    period runs until ``safeguard_until`` while the team looks for a taker.
    """

    on: dt.date
    safeguard_until: dt.date
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class RecoveryFiled:
    """
    The team prepared a funding file for other sponsors (*redressement*).

    Attributes:
        approached: Organisation ids the file went to.
    """

    on: dt.date
    approached: tuple[str, ...] = attrs.field(default=(), converter=tuple_of_str)
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class TakenOver:
    """
    A new sponsor took the product over (*reprise*, brief §8.2 B option 1).

    Attributes:
        sponsor: Organisation id of the new sponsor.
        resumes: For a dormant product, the phase it resumes.
        period_start: First day of the envelope it opens.
        period_end: Day after the period's last day.
        grants: The new envelope's grants.
        override: Why the period departs from the rulebook's length.
    """

    on: dt.date
    sponsor: str
    resumes: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    grants: tuple[Grant, ...] = attrs.field(default=(), converter=tuple_of_grants)
    override: str | None = None
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class DossierUpdated:
    """
    Items of the technical takeover dossier (brief §8.5) were completed.

    Attributes:
        done: Item ids of :data:`betastate.DOSSIER_ITEMS` completed.
    """

    on: dt.date
    done: tuple[str, ...] = attrs.field(converter=known_dossier_items)
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class Perennised:
    """
    The product left incubation with a trajectory and a host (brief §9).

    Recorded with the move to ``transfere`` or ``opere``.
    """

    on: dt.date
    plan: ExitPlan
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class BudgetPublished:
    """
    The product published its budget (brief §7.6; rule BR-14).

    Attributes:
        url: Where it is published.
    """

    on: dt.date
    url: str | None = None
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class Retracted:
    """
    An earlier event was recorded in error: it stays in the history but counts for nothing.

    Histories are never rewritten; a correction is a fact of its own. Every
    projection (phase, money, stops, analytics) ignores the retracted event;
    audits and views show both.

    Attributes:
        version: The retracted event's place in the history, from 1 (its
            stream version in a journal).
        reason: Why it was wrong.
    """

    on: dt.date
    version: int
    reason: str
    comment: str | None = None
    by: Actor | None = None


EVENT_TYPES: tuple[type, ...] = (
    PhaseEntered,
    PhaseEnded,
    Pivoted,
    CommitteeHeld,
    ProductLaunched,
    NationalImpactDesignated,
    FastLaureate,
    Stopped,
    Note,
    FundsGranted,
    Spent,
    LiquidationDecided,
    RecoveryFiled,
    TakenOver,
    DossierUpdated,
    Perennised,
    BudgetPublished,
    Retracted,
)

Event = (
    PhaseEntered
    | PhaseEnded
    | Pivoted
    | CommitteeHeld
    | ProductLaunched
    | NationalImpactDesignated
    | FastLaureate
    | Stopped
    | Note
    | FundsGranted
    | Spent
    | LiquidationDecided
    | RecoveryFiled
    | TakenOver
    | DossierUpdated
    | Perennised
    | BudgetPublished
    | Retracted
)
"""Any event a history may hold."""
