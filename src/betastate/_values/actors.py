"""Who acts in the lifecycle: roles, and actors holding a role."""

from __future__ import annotations

import enum

import attrs

from betastate._values.fields import check_optional_text


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


def to_role(value: Role | str) -> Role:
    """A :class:`Role` from a role or its value."""
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

    role: Role = attrs.field(converter=to_role)
    name: str | None = attrs.field(default=None, validator=check_optional_text)
    organisation: str | None = attrs.field(default=None, validator=check_optional_text)


def to_actor(value: Actor | Role | str) -> Actor:
    """Let commands take ``by=Role.SPONSOR`` or ``by="sponsor"`` as shorthand."""
    if isinstance(value, Actor):
        return value
    return Actor(role=to_role(value))
