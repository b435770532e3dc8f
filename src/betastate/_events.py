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

from ._model import Actor, _to_optional_money, _tuple_of_str


class Decision(enum.StrEnum):
    """The three outcomes of an investment committee (brief §6.4)."""

    CONTINUE = "continue"
    PROVISIONAL = "provisional"
    STOP = "stop"


def _actors_tuple(value: Iterable[Actor]) -> tuple[Actor, ...]:
    return tuple(value)


def _to_optional_decision(value: Decision | str | None) -> Decision | None:
    return None if value is None else Decision(value)


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
    """

    usable: Decimal | None = attrs.field(default=None, converter=_to_optional_money)
    used: int | None = None
    useful: Decimal | None = attrs.field(default=None, converter=_to_optional_money)
    impactful: str | None = None
    efficient: str | None = None
    monthly_active_users: int | None = None
    cost_per_use: Decimal | None = attrs.field(default=None, converter=_to_optional_money)


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
    """

    on: dt.date
    decision: Decision | None = attrs.field(default=None, converter=_to_optional_decision)
    phase_change: str | None = None
    attendees: tuple[Actor, ...] = attrs.field(default=(), converter=_actors_tuple)
    objectives: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    impact: ImpactReading | None = None
    documents: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    comment: str | None = None
    by: Actor | None = None


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
    criteria: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
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
    amount: Decimal | None = attrs.field(default=None, converter=_to_optional_money)
    comment: str | None = None
    by: Actor | None = None


@attrs.frozen(kw_only=True)
class Stopped:
    """
    The product was stopped (the data's ``end`` event, label "Abandon").

    Read from the public data it carries only a date and a comment.
    """

    on: dt.date
    comment: str | None = None
    by: Actor | None = None


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
)
"""Any event a history may hold."""
