"""
Who acts in the lifecycle: roles, and actors holding a role.

A role is a plain string, because each rulebook declares its own
(``[[roles]]``: the GOV.UK preset has a service owner and an assessment
panel); :class:`Role` holds constants for the beta.gouv.fr ones, as
:class:`betastate.Phase` does for phases. Here a role is only checked to be
a well-formed name; the engine checks it against the rulebook in force.
"""

from __future__ import annotations

import enum
import re
from typing import Final

import attrs

from betastate._values.errors import InvalidType, InvalidValue
from betastate._values.fields import check_optional_text


class Role(enum.StrEnum):
    """
    The roles of the beta.gouv.fr rulebook (brief §2).

    Roles are plain strings everywhere in betastate, because another
    incubator's rulebook declares its own; these members are constants for
    the beta.gouv.fr values (a ``StrEnum`` member *is* its string value).
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
    SELECTION_JURY = "selection-jury"


ROLE_PATTERN: Final = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")
"""A role name: lower-case words joined by hyphens or underscores (``service-owner``)."""


def to_role(value: Role | str) -> str:
    """
    A role name from a :class:`Role` or a string, checked to be well formed.

    Raises:
        InvalidType: ``value`` is not a string (also a ``TypeError``).
        InvalidValue: ``value`` is not a role name (``service-owner``).
    """
    given: object = value  # callers without a type checker pass anything
    if not isinstance(given, str):
        raise InvalidType(
            "Actor", "role", given, "expected a role name", "pass a role such as 'sponsor'"
        )
    name = str(given)  # a Role member becomes its plain value
    if ROLE_PATTERN.fullmatch(name) is None:
        raise InvalidValue(
            "Actor",
            "role",
            given,
            "not a role name",
            "write lower-case words joined by hyphens, such as 'sponsor' or 'service-owner'",
        )
    return name


@attrs.frozen
class Actor:
    """
    A person or body acting in a given role.

    Attributes:
        role: What the actor is in this product's lifecycle: a role the
            rulebook declares (``sponsor``, ``service-owner``...).
        name: Free text (a person, a directorate); optional.
        organisation: Organisation id (e.g. ``/organisations/dinum``); optional.
    """

    role: str = attrs.field(converter=to_role)
    name: str | None = attrs.field(default=None, validator=check_optional_text)
    organisation: str | None = attrs.field(default=None, validator=check_optional_text)


def to_actor(value: Actor | Role | str) -> Actor:
    """Let commands take ``by=Role.SPONSOR`` or ``by="sponsor"`` as shorthand."""
    if isinstance(value, Actor):
        return value
    return Actor(role=to_role(value))
