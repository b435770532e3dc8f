"""
Commands: what an app asks the lifecycle engine to do.

A command is checked against the rulebook and the startup's state; accepted,
it becomes one or more events; refused, nothing changes. Each command names
its actor (``by``), because the rulebook says which roles may decide what.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import attrs

from betastate._values.actors import Actor, Role, to_actor
from betastate._values.errors import InvalidType
from betastate._values.events import (
    EVENT_TYPES,
    Decision,
    Event,
    ImpactReading,
    PhaseEntered,
    Pivoted,
    as_actors,
)
from betastate._values.fields import (
    MAX_MONTHS,
    check_date,
    check_flag,
    check_name,
    check_names,
    check_optional_date,
    check_optional_name,
    check_optional_text,
    check_text,
    count,
    dated_fields,
    fail_type,
    fail_value,
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
    check_amount,
    check_grants,
    check_optional_amount,
    check_positive_amount,
)
from betastate._values.stopping import ExitPlan, PostMortem, StopProcedure, check_dossier_items


def _to_decision(value: Decision | str) -> Decision:
    return to_member(Decision, value)  # type: ignore[no-any-return]


def _to_procedure(value: StopProcedure | str) -> StopProcedure:
    return to_member(StopProcedure, value)  # type: ignore[no-any-return]


def _by(value: Actor | Role | str) -> Actor:
    """``by=Role.SPONSOR`` or ``by="sponsor"`` as shorthand; anything else goes to the validator."""
    if isinstance(value, Actor):
        return value
    try:
        return to_actor(value)
    except (ValueError, TypeError):
        return value  # type: ignore[return-value]


def _check_by(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value.__class__ is not Actor and not isinstance(value, Actor):
        roles = ", ".join(repr(role.value) for role in Role)
        fail_type(
            inst,
            attribute,
            value,
            "expected who decides: a betastate.Actor or a role",
            f"pass betastate.Actor(role=...) or one of {roles}",
        )


_check_months = optional_count(0, MAX_MONTHS)
_check_attendees = tuple_of(Actor)
_optional_impact = instance(ImpactReading, optional=True)
_optional_post_mortem = instance(PostMortem, optional=True)
_optional_exit_plan = instance(ExitPlan, optional=True)


def _co_deciders(value: Iterable[Actor | Role | str] | Actor | str) -> tuple[Actor, ...]:
    """One actor or role, or several; anything else goes to the validator unchanged."""
    items: Any = (value,) if isinstance(value, str | Actor) else to_tuple(value)
    if items.__class__ is not tuple:
        return items  # type: ignore[no-any-return]
    return tuple(_by(item) for item in items)


@attrs.frozen(kw_only=True)
class Advance:
    """
    Change the startup's phase (or start its first one).

    Attributes:
        on: Date of the decision.
        to: Phase to enter; the current phase itself means a pivot.
        by: Who decides (an :class:`Actor`, or just a role).
        comment: Free text kept on the event.
        sponsor_budget_line: Budget line the sponsor has identified, in euros
            (gate ``sponsor_budget_line``, rule BR-08, to enter construction).
        post_mortem: Required to enter a stop (gate ``post_mortem``, ST-PM).
        exit_plan: Trajectory, host and running-cost line, to leave
            incubation (gate ``exit_plan``, EXIT-PLAN and BR-15).
        criteria: Consolidation entry criteria met (``ENT-CSL-1``...; gate
            ``consolidation_criteria``, N7).
        co_deciders: Who decides it with ``by``, for a joint decision (the
            transition's ``co_deciders``: T00 is the sponsor's engagement with
            the selection jury or the incubator).

    .. versionadded:: 0.1.0
    """

    on: dt.date = attrs.field(validator=check_date)
    to: str = attrs.field(validator=check_name)
    by: Actor = attrs.field(converter=_by, validator=_check_by)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)
    co_deciders: tuple[Actor, ...] = attrs.field(
        default=(), converter=_co_deciders, validator=_check_attendees
    )
    sponsor_budget_line: Decimal | None = attrs.field(
        default=None, converter=as_optional_amount, validator=check_optional_amount
    )
    post_mortem: PostMortem | None = attrs.field(default=None, validator=_optional_post_mortem)
    exit_plan: ExitPlan | None = attrs.field(default=None, validator=_optional_exit_plan)
    criteria: tuple[str, ...] = attrs.field(
        default=(), converter=to_str_tuple, validator=check_names
    )


@attrs.frozen(kw_only=True)
class Launch:
    """
    Record the first public launch of the service.

    .. versionadded:: 0.1.0
    """

    on: dt.date = attrs.field(validator=check_date)
    by: Actor = attrs.field(converter=_by, validator=_check_by)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)


_OWN_COMMAND = {
    "FundsGranted": "GrantFunds",
    "Spent": "Spend",
    "TakenOver": "TakeOver",
    "LiquidationDecided": "HoldCommittee(decision='stop', procedure='no-budget')",
    "Stopped": "Stop (or HoldCommittee(decision='stop'))",
    "Perennised": "HoldCommittee(..., exit_plan=...)",
    "RecoveryFiled": "FileRecovery",
    "DossierUpdated": "UpdateDossier",
    "Retracted": "Retract",
}
"""Events that change money, a stop or what counts: only their own command may add them."""


def _not_a_phase_change(inst: Record, attribute: attrs.Attribute[Event], event: Event) -> None:
    if not isinstance(event, EVENT_TYPES):
        fail_type(
            inst,
            attribute,
            event,
            "expected a betastate event",
            "build it with betastate.Note(...), betastate.ProductLaunched(...) and friends",
        )
    name = type(event).__name__
    if isinstance(event, PhaseEntered | Pivoted):
        raise InvalidType(
            "Record",
            "event",
            event,
            f"Record cannot carry a phase change ({name})",
            "use betastate.Advance so the rulebook checks the move",
        )
    own = _OWN_COMMAND.get(name)
    if own is None and name == "CommitteeHeld" and (event.grants or event.period_start):  # type: ignore[union-attr]
        own = "HoldCommittee"
    if own is not None:
        raise InvalidType(
            "Record",
            "event",
            event,
            f"Record cannot carry a {name} that moves money or a stop",
            f"use betastate.{own} so the rulebook checks it",
        )


@attrs.frozen(kw_only=True)
class Record:
    """
    Append a dated fact that is not a phase change (a note, a launch...).

    The actor needs the permission of the command that decides the fact
    (``fast`` for a FAST award, the decision's for a committee, ``record``
    for a note); events that move money, a stop or a phase cannot be
    recorded: they have their own commands.

    .. versionadded:: 0.1.0
    """

    event: Event = attrs.field(validator=_not_a_phase_change)
    by: Actor = attrs.field(converter=_by, validator=_check_by)

    @property
    def on(self) -> dt.date:
        """The event's date."""
        return self.event.on


@attrs.frozen(kw_only=True)
class HoldCommittee:
    """
    Record an investment committee and its single decision (brief §6).

    *continue* opens an envelope for the next period (``envelope_months``,
    6 by default), *provisional* one of 1 to 2 months that must be followed by
    a committee before it ends, *stop* ends the product (with a post-mortem)
    or, with ``procedure="no-budget"``, starts the liquidation of §8.2 B.
    A phase change decided with it goes through the same rules as
    :class:`Advance` (transitions, gates, roles).

    Attributes:
        on: Date of the committee.
        by: Who decides (the sponsor, or the committee as a body).
        decision: Continue, provisional or stop.
        attendees: Who attended, with roles (mandatory ones: rule CC-ATTEND).
        phase_change: Phase decided with it (``construction``...); for a
            stop, the stop status is implied.
        months: Length of the period; default 6 (continue) or 2
            (provisional); anything else needs ``override`` (BR-03).
        grants: Grants for the period (sponsors, DINUM, others).
        override: Why the period departs from the rulebook's length.
        next_on: Date the next committee is scheduled for.
        objectives: Objectives for the next period.
        impact: Impact-matrix readings (§6.5).
        documents: Links to its documents.
        sponsor_budget_line: Sponsor's budget line (BR-08, to construct).
        post_mortem: Required for a stop (ST-PM).
        procedure: ``no-impact`` (stop now) or ``no-budget`` (liquidation).
        safeguard_until: End of the safeguard period (``no-budget`` only).
        criteria: Consolidation entry criteria met (N7).
        exit_plan: Trajectory, host, running-cost line (exit committees).
        comment: Free text.

    .. versionadded:: 0.1.0
    """

    on: dt.date = attrs.field(validator=check_date)
    by: Actor = attrs.field(converter=_by, validator=_check_by)
    decision: Decision = attrs.field(converter=_to_decision, validator=member(Decision))
    attendees: tuple[Actor, ...] = attrs.field(
        default=(), converter=as_actors, validator=_check_attendees
    )
    phase_change: str | None = attrs.field(default=None, validator=check_optional_name)
    months: int | None = attrs.field(default=None, validator=_check_months)
    grants: tuple[Grant, ...] = attrs.field(default=(), converter=as_grants, validator=check_grants)
    override: str | None = attrs.field(default=None, validator=check_optional_text)
    next_on: dt.date | None = attrs.field(default=None, validator=check_optional_date)
    objectives: tuple[str, ...] = attrs.field(
        default=(), converter=to_str_tuple, validator=check_names
    )
    impact: ImpactReading | None = attrs.field(default=None, validator=_optional_impact)
    documents: tuple[str, ...] = attrs.field(
        default=(), converter=to_str_tuple, validator=check_names
    )
    sponsor_budget_line: Decimal | None = attrs.field(
        default=None, converter=as_optional_amount, validator=check_optional_amount
    )
    post_mortem: PostMortem | None = attrs.field(default=None, validator=_optional_post_mortem)
    procedure: StopProcedure = attrs.field(
        default=StopProcedure.NO_IMPACT, converter=_to_procedure, validator=member(StopProcedure)
    )
    safeguard_until: dt.date | None = attrs.field(default=None, validator=check_optional_date)
    criteria: tuple[str, ...] = attrs.field(
        default=(), converter=to_str_tuple, validator=check_names
    )
    exit_plan: ExitPlan | None = attrs.field(default=None, validator=_optional_exit_plan)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)


@attrs.frozen(kw_only=True)
class GrantFunds:
    """
    Add money to the current (or next) period's envelope outside a committee.

    Co-funding by another sponsor, DINUM support, a FAST co-financing (checked
    against the FAST share and cap, BR-12). After a stop decision no new money
    may come without a takeover (BR-09).

    .. versionadded:: 0.1.0
    """

    on: dt.date = attrs.field(validator=check_date)
    by: Actor = attrs.field(converter=_by, validator=_check_by)
    grants: tuple[Grant, ...] = attrs.field(converter=as_grants, validator=check_grants)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)


@attrs.frozen(kw_only=True)
class Spend:
    """
    Commit or spend money; it is charged to the envelope of ``on`` (BR-01, BR-02).

    .. versionadded:: 0.1.0
    """

    on: dt.date = attrs.field(validator=check_date)
    by: Actor = attrs.field(converter=_by, validator=_check_by)
    amount: Decimal = attrs.field(converter=as_amount, validator=check_positive_amount)
    label: str = attrs.field(default="", validator=check_text)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)


@attrs.frozen(kw_only=True)
class AwardFast:
    """
    The product won a FAST edition; its co-financing joins the envelope.

    Attributes:
        edition: FAST edition number (its cap: ``fast_cap_by_edition``).
        cofinancing: Euros of co-financing (at most the FAST share of the
            period's envelope and the edition's cap, BR-12); 0 for coaching only.

    .. versionadded:: 0.1.0
    """

    on: dt.date = attrs.field(validator=check_date)
    by: Actor = attrs.field(converter=_by, validator=_check_by)
    edition: int = attrs.field(validator=count(1))
    cofinancing: Decimal = attrs.field(
        default=Decimal(0), converter=as_amount, validator=check_amount
    )
    comment: str | None = attrs.field(default=None, validator=check_optional_text)


@attrs.frozen(kw_only=True)
class FileRecovery:
    """
    The team files for other sponsors during the safeguard period (§8.2 B).

    .. versionadded:: 0.1.0
    """

    on: dt.date = attrs.field(validator=check_date)
    by: Actor = attrs.field(converter=_by, validator=_check_by)
    approached: tuple[str, ...] = attrs.field(
        default=(), converter=to_str_tuple, validator=check_names
    )
    comment: str | None = attrs.field(default=None, validator=check_optional_text)


@attrs.frozen(kw_only=True)
class TakeOver:
    """
    A new sponsor takes over a product in liquidation or dormancy (§8.2 B).

    The product continues with a new envelope; a dormant one resumes the
    phase it was stopped in.

    .. versionadded:: 0.1.0
    """

    on: dt.date = attrs.field(validator=check_date)
    by: Actor = attrs.field(converter=_by, validator=_check_by)
    sponsor: str = attrs.field(validator=check_name)
    grants: tuple[Grant, ...] = attrs.field(converter=as_grants, validator=check_grants)
    months: int | None = attrs.field(default=None, validator=_check_months)
    override: str | None = attrs.field(default=None, validator=check_optional_text)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)


@attrs.frozen(kw_only=True)
class Stop:
    """
    Stop the product with its post-mortem, outside a committee.

    Ends the "no budget" procedure when no taker was found (``dormant=True``:
    impact proven, the product sleeps with its takeover dossier), or records
    a stop decided elsewhere.

    .. versionadded:: 0.1.0
    """

    on: dt.date = attrs.field(validator=check_date)
    by: Actor = attrs.field(converter=_by, validator=_check_by)
    post_mortem: PostMortem | None = attrs.field(validator=_optional_post_mortem)
    dormant: bool = attrs.field(default=False, validator=check_flag)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)


@attrs.frozen(kw_only=True)
class UpdateDossier:
    """
    Tick items of the technical takeover dossier (brief §8.5).

    .. versionadded:: 0.1.0
    """

    on: dt.date = attrs.field(validator=check_date)
    by: Actor = attrs.field(converter=_by, validator=_check_by)
    done: tuple[str, ...] = attrs.field(converter=to_str_tuple, validator=check_dossier_items)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)


@attrs.frozen(kw_only=True)
class DesignateNationalImpact:
    """
    DINUM designates the product a national-impact service (§10.2).

    Attributes:
        criteria: Criteria documented, among ``deployment``,
            ``impact-threshold`` and ``quality`` (all three must hold).

    .. versionadded:: 0.1.0
    """

    on: dt.date = attrs.field(validator=check_date)
    by: Actor = attrs.field(converter=_by, validator=_check_by)
    criteria: tuple[str, ...] = attrs.field(
        default=(), converter=to_str_tuple, validator=check_names
    )
    comment: str | None = attrs.field(default=None, validator=check_optional_text)


@attrs.frozen(kw_only=True)
class PublishBudget:
    """
    Record the publication of the product's budget (twice a year, rule BR-14).

    .. versionadded:: 0.1.0
    """

    on: dt.date = attrs.field(validator=check_date)
    by: Actor = attrs.field(converter=_by, validator=_check_by)
    url: str | None = attrs.field(default=None, validator=check_optional_name)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)


def _place(inst: Retract, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        fail_type(
            inst,
            attribute,
            value,
            "not an event's place in the history",
            "count from 1, the first event, as a journal's versions do",
        )
    if value < 1:
        fail_value(
            inst,
            attribute,
            value,
            "not an event's place in the history",
            "count from 1, the first event, as a journal's versions do",
        )


def _why(inst: Retract, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        fail_value(inst, attribute, value, "a retraction says why", "write why it was wrong")


@attrs.frozen(kw_only=True)
class Retract:
    """
    Say an earlier event was recorded in error: it stays in the history, counting for nothing.

    The history is never rewritten (a journal's stream is append-only): a
    :class:`betastate.Retracted` event is added, and every projection then
    ignores the event at ``version``. It needs the permission of the command
    that records the event (``spend`` for a :class:`betastate.Spent`), or
    ``retract`` for a phase entry or a pivot. A retraction may be dated before
    the retracted event (a note mistakenly dated 2205 is retracted today).

    Attributes:
        version: The event's place in the history, from 1 (its version in a
            journal's stream).
        reason: Why it was wrong.

    .. versionadded:: 0.1.0
    """

    on: dt.date = attrs.field(validator=check_date)
    by: Actor = attrs.field(converter=_by, validator=_check_by)
    version: int = attrs.field(validator=_place)
    reason: str = attrs.field(validator=_why)
    comment: str | None = attrs.field(default=None, validator=check_optional_text)


Command = (
    Advance
    | Launch
    | Record
    | HoldCommittee
    | GrantFunds
    | Spend
    | AwardFast
    | FileRecovery
    | TakeOver
    | Stop
    | UpdateDossier
    | DesignateNationalImpact
    | PublishBudget
    | Retract
)
"""Any command :meth:`betastate.Lifecycle.apply` accepts."""


def dates_of(command: Command) -> Iterator[tuple[str, dt.date]]:
    """
    Every date a command carries, as ``(field, date)``: ``on``, ``next_on``...

    A :class:`Record` carries its event's dates (``event.on``...). The
    engine checks them against the rulebook's date range (rule BS-DATE).
    """
    yield from dated_fields(command)
    if isinstance(command, Record):
        for name, day in dated_fields(command.event):
            yield f"event.{name}", day


COMMAND_TYPES: tuple[type, ...] = (
    Advance,
    Launch,
    Record,
    HoldCommittee,
    GrantFunds,
    Spend,
    AwardFast,
    FileRecovery,
    TakeOver,
    Stop,
    UpdateDossier,
    DesignateNationalImpact,
    PublishBudget,
    Retract,
)
