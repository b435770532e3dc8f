"""
Domain values: roles, actors, startups, incubators, organisations, members.

Everything here is a frozen attrs class: nothing a caller holds changes under
them. A startup *is* its history (a tuple of dated events, see ``_events``);
its phase on any date is a projection computed by ``_state``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs


if TYPE_CHECKING:
    from ._events import Event


class Phase(enum.StrEnum):
    """
    The eight statuses of the beta.gouv.fr rulebook (brief §3.1).

    Phases are plain strings everywhere in betastate, because another
    incubator's rulebook defines its own; these members are constants for the
    beta.gouv.fr values (a ``StrEnum`` member *is* its string value).
    """

    INVESTIGATION = "investigation"
    CONSTRUCTION = "construction"
    ACCELERATION = "acceleration"
    CONSOLIDATION = "consolidation"
    OPERE = "opere"
    TRANSFERE = "transfere"
    ABANDON_INVESTIGATION = "abandon-investigation"
    ABANDON = "abandon"


class Role(enum.StrEnum):
    """
    Who acts in the lifecycle (brief §2).

    The rulebook says which roles may decide which move.
    """

    INTRAPRENEUR = "intrapreneur"
    COACH = "coach"
    SPONSOR = "sponsor"
    INCUBATOR = "incubator"
    PORTFOLIO_MANAGER = "portfolio-manager"
    INVESTMENT_COMMITTEE = "investment-committee"
    TEAM_MEMBER = "team-member"
    DINUM = "dinum"
    HOST = "host"


class Severity(enum.StrEnum):
    """
    How much a broken rule matters: an ``error`` refuses, a ``warning`` informs.

    ``off`` disables a rule in a derived rulebook.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OFF = "off"


def _to_role(value: Role | str) -> Role:
    return value if isinstance(value, Role) else Role(value)


@attrs.frozen
class Actor:
    """
    A person or body acting in a given role.

    Attributes:
        role: What the actor is in this product's lifecycle.
        name: Free text (a person, a directorate); optional.
        organisation: Organisation id (e.g. ``/organisations/dinum``); optional.
    """

    role: Role = attrs.field(converter=_to_role)
    name: str | None = None
    organisation: str | None = None


def _to_actor(value: Actor | Role | str) -> Actor:
    """Let commands take ``by=Role.SPONSOR`` or ``by="sponsor"`` as shorthand."""
    if isinstance(value, Actor):
        return value
    return Actor(role=_to_role(value))


def _freeze_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if value is None:
        return MappingProxyType({})
    if isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value))


def _events_tuple(value: Iterable[Event]) -> tuple[Event, ...]:
    return tuple(value)


def _tuple_of_str(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _to_money(value: Decimal | int | str) -> Decimal:
    """Money is exact: ints and strings become ``Decimal``; floats are refused."""
    if isinstance(value, bool | float):
        msg = (
            f"money must be exact: got {value!r} (a {type(value).__name__}); "
            "pass an int, a str such as '1234.56' or a decimal.Decimal."
        )
        raise TypeError(msg)
    if isinstance(value, int | str):
        try:
            return Decimal(value)
        except ArithmeticError as exc:
            msg = f"{value!r} is not an amount; pass digits such as '1234.56'."
            raise ValueError(msg) from exc
    return value


def _to_optional_money(value: Decimal | int | str | None) -> Decimal | None:
    return None if value is None else _to_money(value)


@attrs.frozen
class Reason:
    """
    One rule a command or a history breaks, as a person should read it.

    Attributes:
        rule: The rule id in the rulebook (``BR-08``, ``N4``, ``BS-CHRONO``...).
        severity: ``error`` refuses, ``warning`` informs.
        message: What is wrong, naming the startup, phases, dates and values.
        fix: What would make it pass.
        source: The source key the rule cites (``D-SPONSOR``...).
    """

    rule: str
    severity: Severity
    message: str
    fix: str
    source: str = ""

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message} Fix: {self.fix}"


@attrs.frozen
class Organisation:
    """
    A sponsoring organisation (``content/_organisations``).

    Attributes:
        id: The reference used by products, e.g. ``/organisations/dinum``.
        name: Full name.
        acronym: Short name, if any.
        type: Kind of organisation as the data says (``ministere``, ...).
    """

    id: str
    name: str
    acronym: str | None = None
    type: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_freeze_mapping, hash=False)


@attrs.frozen
class Incubator:
    """
    An incubator (``content/_incubators``).

    Attributes:
        id: The file stem, as used by a product's ``incubator`` key.
        title: Display name.
        owner: Organisation id of the owning administration.
        website: URL, if any.
    """

    id: str
    title: str
    owner: str | None = None
    website: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_freeze_mapping, hash=False)


@attrs.frozen
class Mission:
    """
    One mission of a member on the programme (``missions/`` or ``_authors``).

    Attributes:
        start: First day.
        end: Last day, if known.
        status: ``independent``, ``admin`` (public agent) or ``service``
            (employee of a service company), as in the data.
        employer: Employer as written in the data, if any.
        startups: Slugs of the products worked on.
    """

    start: dt.date
    end: dt.date | None = None
    status: str | None = None
    employer: str | None = None
    startups: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)


@attrs.frozen
class Member:
    """
    A member of the network, anonymised: an id, a role and missions.

    Attributes:
        id: Stable id (the snapshot's file stem, e.g. ``member-0001``).
        role: Free-text role.
        domaine: The data's ``domaine`` (Développement, Design, ...).
        missions: Missions in file order.
    """

    id: str
    role: str | None = None
    domaine: str | None = None
    missions: tuple[Mission, ...] = ()


@attrs.frozen
class Startup:
    """
    A startup d'État, as its history.

    The descriptive fields say what the product is; ``history`` says what
    happened to it, one dated event at a time, in the order it happened
    (same-day events keep the order they were recorded in). The phase on a
    date, the phase spans and the budget are projections of that history,
    computed by :class:`betastate.Lifecycle`.

    Attributes:
        slug: Stable identifier (the data's file stem).
        title: Display name.
        mission: One-sentence purpose.
        incubator: Main incubator id.
        incubators: Co-incubation list (includes ``incubator`` when given).
        sponsors: Organisation ids of the sponsoring administrations.
        contact: Contact e-mail.
        link: Public URL of the service.
        repository: Source code URL.
        history: Dated events (see :data:`betastate.Event`).
        extra: Every other key of the source record, kept as read.
        body: The page's markdown text (after the front matter, leading blank
            lines dropped, as the site renders it): context, problem, what
            was built and, for a stopped product, often why it stopped.

    .. versionadded:: 0.1.0
    """

    slug: str = attrs.field(validator=attrs.validators.min_len(1))
    title: str
    mission: str = ""
    incubator: str | None = None
    incubators: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    sponsors: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    contact: str | None = None
    link: str | None = None
    repository: str | None = None
    history: tuple[Event, ...] = attrs.field(default=(), converter=_events_tuple)
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_freeze_mapping, hash=False)
    body: str = attrs.field(default="", repr=False)

    @history.validator
    def _check_history(self, _attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
        from ._events import EVENT_TYPES  # noqa: PLC0415  (cycle: events name Startup in docs only)

        for index, event in enumerate(value):
            if not isinstance(event, EVENT_TYPES):
                msg = (
                    f"history[{index}] of startup {self.slug!r} must be a betastate event "
                    f"(got {event!r} that is a {type(event).__name__}); "
                    "build events with betastate.PhaseEntered(...) and friends."
                )
                raise TypeError(msg)

    @property
    def last_event_date(self) -> dt.date | None:
        """The date of the latest event, or ``None`` for an empty history."""
        return max((event.on for event in self.history), default=None)

    def _repr_html_(self) -> str:
        from ._html import startup_html  # noqa: PLC0415  (notebook-only path)

        return startup_html(self)
