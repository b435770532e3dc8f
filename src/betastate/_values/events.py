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
from betastate._values.fields import (
    check_date,
    check_flag,
    check_name,
    check_names,
    check_optional_date,
    check_optional_name,
    check_optional_text,
    check_text,
    instance,
    member,
    optional_count,
    to_member,
    to_str_tuple,
    to_tuple,
    tuple_of,
)
from betastate._values.money import (
    Grant,
    as_amount,
    as_grants,
    as_optional_amount,
    check_grants,
    check_optional_amount,
    check_optional_measure,
    check_optional_rate,
    check_positive_amount,
)
from betastate._values.stopping import (
    ExitPlan,
    PostMortem,
    StopProcedure,
    check_dossier_items,
)


class Decision(enum.StrEnum):
    """The three outcomes of an investment committee (brief §6.4)."""

    CONTINUE = "continue"
    PROVISIONAL = "provisional"
    STOP = "stop"


def as_actors(value: Iterable[Actor]) -> tuple[Actor, ...]:
    """Actors as a tuple, or ``value`` unchanged for the field's validator to refuse."""
    return to_tuple(value)  # type: ignore[no-any-return]


def _to_optional_decision(value: Decision | str | None) -> Decision | None:
    return to_member(Decision, value)  # type: ignore[no-any-return]


def _to_optional_procedure(value: StopProcedure | str | None) -> StopProcedure | None:
    return to_member(StopProcedure, value)  # type: ignore[no-any-return]


_check_actors = tuple_of(Actor)
_check_by = instance(Actor, optional=True)


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

    usable: Decimal | None = attrs.field(
        default=None, converter=as_optional_amount, validator=check_optional_measure
    )
    used: int | None = attrs.field(default=None, validator=optional_count())
    useful: Decimal | None = attrs.field(
        default=None, converter=as_optional_amount, validator=check_optional_rate
    )
    impactful: str | None = attrs.field(default=None, validator=check_optional_text)
    efficient: str | None = attrs.field(default=None, validator=check_optional_text)
    monthly_active_users: int | None = attrs.field(default=None, validator=optional_count())
    cost_per_use: Decimal | None = attrs.field(
        default=None, converter=as_optional_amount, validator=check_optional_measure
    )
    cost_per_impact: Decimal | None = attrs.field(
        default=None, converter=as_optional_amount, validator=check_optional_measure
    )


@attrs.frozen(kw_only=True)
class PhaseEntered:
    """The startup entered ``phase`` on ``on`` (a phase ``start`` in the data)."""

    on: dt.date = attrs.field(validator=check_date)
    phase: str = attrs.field(validator=check_name)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


@attrs.frozen(kw_only=True)
class PhaseEnded:
    """An explicit ``end`` of ``phase`` (most phases end at the next start)."""

    on: dt.date = attrs.field(validator=check_date)
    phase: str = attrs.field(validator=check_name)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


@attrs.frozen(kw_only=True)
class Pivoted:
    """
    The team stays in ``phase`` on another problem or strategy (T03, T05).

    The data model lists each phase once, so a pivot is an event, not a
    second entry of the same phase.
    """

    on: dt.date = attrs.field(validator=check_date)
    phase: str = attrs.field(validator=check_name)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


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

    on: dt.date = attrs.field(validator=check_date)
    decision: Decision | None = attrs.field(
        default=None, converter=_to_optional_decision, validator=member(Decision, optional=True)
    )
    phase_change: str | None = attrs.field(default=None, validator=check_optional_name)
    attendees: tuple[Actor, ...] = attrs.field(
        default=(), converter=as_actors, validator=_check_actors
    )
    objectives: tuple[str, ...] = attrs.field(
        default=(), converter=to_str_tuple, validator=check_names
    )
    impact: ImpactReading | None = attrs.field(
        default=None, validator=instance(ImpactReading, optional=True)
    )
    documents: tuple[str, ...] = attrs.field(
        default=(), converter=to_str_tuple, validator=check_names
    )
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)
    period_start: dt.date | None = attrs.field(default=None, validator=check_optional_date)
    period_end: dt.date | None = attrs.field(default=None, validator=check_optional_date)
    grants: tuple[Grant, ...] = attrs.field(default=(), converter=as_grants, validator=check_grants)
    override: str | None = attrs.field(default=None, validator=check_optional_text)
    next_on: dt.date | None = attrs.field(default=None, validator=check_optional_date)


@attrs.frozen(kw_only=True)
class ProductLaunched:
    """The service was first opened to the public (``product_launch``)."""

    on: dt.date = attrs.field(validator=check_date)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


@attrs.frozen(kw_only=True)
class NationalImpactDesignated:
    """
    DINUM designated the product a national-impact service (§10).

    Attributes:
        criteria: Which of the three criteria of §10.2 were documented.
    """

    on: dt.date = attrs.field(validator=check_date)
    criteria: tuple[str, ...] = attrs.field(
        default=(), converter=to_str_tuple, validator=check_names
    )
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


@attrs.frozen(kw_only=True)
class FastLaureate:
    """
    The product won a FAST edition (§7.3).

    Attributes:
        edition: FAST edition number.
        amount: Amount awarded in euros, if known.
    """

    on: dt.date = attrs.field(validator=check_date)
    edition: int | None = attrs.field(default=None, validator=optional_count(1))
    amount: Decimal | None = attrs.field(
        default=None, converter=as_optional_amount, validator=check_optional_amount
    )
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


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

    on: dt.date = attrs.field(validator=check_date)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)
    post_mortem: PostMortem | None = attrs.field(
        default=None, validator=instance(PostMortem, optional=True)
    )
    procedure: StopProcedure | None = attrs.field(
        default=None,
        converter=_to_optional_procedure,
        validator=member(StopProcedure, optional=True),
    )
    dormant: bool = attrs.field(default=False, validator=check_flag)


@attrs.frozen(kw_only=True)
class Note:
    """
    Any other dated fact, kept with its original event name.

    The data's event vocabulary is open (``other``, ``eig``, names that
    appear later): nothing is dropped.
    """

    on: dt.date = attrs.field(validator=check_date)
    name: str = attrs.field(default="other", validator=check_name)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


@attrs.frozen(kw_only=True)
class FundsGranted:
    """
    Money granted outside a committee: a co-funder, a FAST co-financing...

    Attributes:
        grants: What is granted, by whom.
        period_start: Start of the envelope period it adds to.
    """

    on: dt.date = attrs.field(validator=check_date)
    grants: tuple[Grant, ...] = attrs.field(converter=as_grants, validator=check_grants)
    period_start: dt.date | None = attrs.field(default=None, validator=check_optional_date)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


@attrs.frozen(kw_only=True)
class Spent:
    """
    A commitment or expense charged to the envelope of its date.

    Attributes:
        amount: Euros (exact).
        label: What it pays for (a purchase order, a supplier...).
    """

    on: dt.date = attrs.field(validator=check_date)
    amount: Decimal = attrs.field(converter=as_amount, validator=check_positive_amount)
    label: str = attrs.field(default="", validator=check_text)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


@attrs.frozen(kw_only=True)
class LiquidationDecided:
    """
    A committee ended the current sponsors' funding though impact is proven.

    First step of the "no budget" procedure (brief §8.2 B): the safeguard
    period runs until ``safeguard_until`` while the team looks for a taker.
    """

    on: dt.date = attrs.field(validator=check_date)
    safeguard_until: dt.date = attrs.field(validator=check_date)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


@attrs.frozen(kw_only=True)
class RecoveryFiled:
    """
    The team prepared a funding file for other sponsors (*redressement*).

    Attributes:
        approached: Organisation ids the file went to.
    """

    on: dt.date = attrs.field(validator=check_date)
    approached: tuple[str, ...] = attrs.field(
        default=(), converter=to_str_tuple, validator=check_names
    )
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


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

    on: dt.date = attrs.field(validator=check_date)
    sponsor: str = attrs.field(validator=check_name)
    resumes: str | None = attrs.field(default=None, validator=check_optional_name)
    period_start: dt.date | None = attrs.field(default=None, validator=check_optional_date)
    period_end: dt.date | None = attrs.field(default=None, validator=check_optional_date)
    grants: tuple[Grant, ...] = attrs.field(default=(), converter=as_grants, validator=check_grants)
    override: str | None = attrs.field(default=None, validator=check_optional_text)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


@attrs.frozen(kw_only=True)
class DossierUpdated:
    """
    Items of the technical takeover dossier (brief §8.5) were completed.

    Attributes:
        done: Item ids of :data:`betastate.DOSSIER_ITEMS` completed.
    """

    on: dt.date = attrs.field(validator=check_date)
    done: tuple[str, ...] = attrs.field(converter=to_str_tuple, validator=check_dossier_items)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


@attrs.frozen(kw_only=True)
class Perennised:
    """
    The product left incubation with a trajectory and a host (brief §9).

    Recorded with the move to ``transfere`` or ``opere``.
    """

    on: dt.date = attrs.field(validator=check_date)
    plan: ExitPlan = attrs.field(validator=instance(ExitPlan))
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


@attrs.frozen(kw_only=True)
class BudgetPublished:
    """
    The product published its budget (brief §7.6; rule BR-14).

    Attributes:
        url: Where it is published.
    """

    on: dt.date = attrs.field(validator=check_date)
    url: str | None = attrs.field(default=None, validator=check_optional_name)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    by: Actor | None = attrs.field(default=None, validator=_check_by)


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
