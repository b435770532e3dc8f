"""
The startup as its history, and the records around it.

A startup *is* its history (a tuple of dated events, see
:mod:`betastate._values.events`); its phase on any date is a projection the
engine computes. Incubators, organisations and members are the records a
portfolio holds beside the startups.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from betastate._values.events import EVENT_TYPES, Event, Retracted
from betastate._values.fields import (
    check_date,
    check_free,
    check_name,
    check_names,
    check_optional_date,
    check_optional_text,
    check_slug,
    check_text,
    freeze_mapping,
    to_str_tuple,
    to_tuple,
    tuple_of,
)


def _events_tuple(value: Iterable[Event]) -> tuple[Event, ...]:
    return tuple(value)


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

    id: str = attrs.field(validator=check_name)
    name: str = attrs.field(validator=check_name)
    acronym: str | None = attrs.field(default=None, validator=check_optional_text)
    type: str | None = attrs.field(default=None, validator=check_optional_text)
    extra: Mapping[str, Any] = attrs.field(
        factory=dict, converter=freeze_mapping, validator=check_free, hash=False
    )


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

    id: str = attrs.field(validator=check_slug)
    title: str = attrs.field(validator=check_name)
    owner: str | None = attrs.field(default=None, validator=check_optional_text)
    website: str | None = attrs.field(default=None, validator=check_optional_text)
    extra: Mapping[str, Any] = attrs.field(
        factory=dict, converter=freeze_mapping, validator=check_free, hash=False
    )


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

    start: dt.date = attrs.field(validator=check_date)
    end: dt.date | None = attrs.field(default=None, validator=check_optional_date)
    status: str | None = attrs.field(default=None, validator=check_optional_text)
    employer: str | None = attrs.field(default=None, validator=check_optional_text)
    startups: tuple[str, ...] = attrs.field(
        default=(), converter=to_str_tuple, validator=check_names
    )


def _missions(value: Iterable[Mission]) -> tuple[Mission, ...]:
    return to_tuple(value)  # type: ignore[no-any-return]


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

    id: str = attrs.field(validator=check_slug)
    role: str | None = attrs.field(default=None, validator=check_optional_text)
    domaine: str | None = attrs.field(default=None, validator=check_optional_text)
    missions: tuple[Mission, ...] = attrs.field(
        default=(), converter=_missions, validator=tuple_of(Mission)
    )


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

    slug: str = attrs.field(validator=check_slug)
    title: str = attrs.field(validator=check_name)
    mission: str = attrs.field(default="", validator=check_text)
    incubator: str | None = attrs.field(default=None, validator=check_optional_text)
    incubators: tuple[str, ...] = attrs.field(
        default=(), converter=to_str_tuple, validator=check_names
    )
    sponsors: tuple[str, ...] = attrs.field(
        default=(), converter=to_str_tuple, validator=check_names
    )
    contact: str | None = attrs.field(default=None, validator=check_optional_text)
    link: str | None = attrs.field(default=None, validator=check_optional_text)
    repository: str | None = attrs.field(default=None, validator=check_optional_text)
    history: tuple[Event, ...] = attrs.field(default=(), converter=_events_tuple)
    extra: Mapping[str, Any] = attrs.field(
        factory=dict, converter=freeze_mapping, validator=check_free, hash=False
    )
    body: str = attrs.field(default="", repr=False, validator=check_text)
    # Facts derived from the history, computed on first use and carried to the startups
    # the engine derives from this one (see `_extend`): a memo, never part of the value.
    _memo: dict[str, Any] = attrs.field(init=False, factory=dict, eq=False, hash=False, repr=False)

    @history.validator
    def _check_history(self, _attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
        _check_events(self.slug, value, 0)

    @property
    def last_event_date(self) -> dt.date | None:
        """The date of the latest event in force (retracted ones aside), or ``None``."""
        memo = self._memo
        if "last" not in memo:
            gone = self.retracted
            memo["last"] = max(
                (e.on for i, e in enumerate(self.history, start=1) if i not in gone),
                default=None,
            )
        last: dt.date | None = memo["last"]
        return last

    @property
    def retracted(self) -> frozenset[int]:
        """Places (from 1) of the events a :class:`betastate.Retracted` says were in error."""
        memo = self._memo
        if "retracted" not in memo:
            memo["retracted"] = frozenset(
                e.version for e in self.history if isinstance(e, Retracted)
            )
        gone: frozenset[int] = memo["retracted"]
        return gone

    @property
    def in_force(self) -> tuple[Event, ...]:
        """
        The events that count: the history without retracted events nor the retractions.

        What every projection folds; ``history`` keeps everything, as recorded.
        """
        gone = self.retracted
        if not gone:  # no retraction at all (each one names a place)
            return self.history
        memo = self._memo
        if "in_force" not in memo:
            memo["in_force"] = tuple(
                e
                for i, e in enumerate(self.history, start=1)
                if i not in gone and not isinstance(e, Retracted)
            )
        kept: tuple[Event, ...] = memo["in_force"]
        return kept

    def _extend(self, events: tuple[Event, ...]) -> Startup:
        """
        This startup with ``events`` appended: the engine's path, checking only the new events.

        The rest of the startup is already a valid value; ``attrs.evolve``
        would check the whole history again, and the cost of a command would
        grow with it.
        """
        _check_events(self.slug, events, len(self.history))
        new = object.__new__(Startup)
        for name in _FIELDS:
            object.__setattr__(new, name, getattr(self, name))
        object.__setattr__(new, "history", self.history + events)
        if any(isinstance(event, Retracted) for event in events):
            object.__setattr__(new, "_memo", {})  # what counts changed: work it out again
            return new
        last = self.last_event_date
        for event in events:
            if last is None or event.on > last:
                last = event.on
        object.__setattr__(new, "_memo", {"last": last, "retracted": self.retracted})
        return new

    def _repr_html_(self) -> str:
        # The one upward import of this layer: a notebook hook (ARCHITECTURE.md).
        from betastate._analytics.views import startup_html  # noqa: PLC0415

        return startup_html(self)


_FIELDS: tuple[str, ...] = tuple(
    field.name for field in attrs.fields(Startup) if field.init and field.name != "history"
)
"""The fields a derived startup keeps as they are."""


def _check_events(slug: str, events: tuple[Any, ...], offset: int) -> None:
    for index, event in enumerate(events, start=offset):
        if not isinstance(event, EVENT_TYPES):
            msg = (
                f"history[{index}] of startup {slug!r} must be a betastate event "
                f"(got {event!r} that is a {type(event).__name__}); "
                "build events with betastate.PhaseEntered(...) and friends."
            )
            raise TypeError(msg)
        if isinstance(event, Retracted) and not 1 <= event.version <= index:
            msg = (
                f"history[{index}] of startup {slug!r} retracts event {event.version!r}, "
                f"which is not an earlier event; a Retracted names the place (from 1) of an "
                f"event before it, here 1 to {index}"
            )
            raise ValueError(msg)


def memo_of(startup: Startup) -> dict[str, Any]:
    """The memo of derived facts a startup carries (for the engine's folds)."""
    return startup._memo  # noqa: SLF001
