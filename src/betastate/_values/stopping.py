"""
Stopping and perennisation values: post-mortems, takeover dossiers, exits.

A stop needs a complete post-mortem (brief §8.4); the "no budget" procedure
(§8.2) tracks the technical takeover dossier of §8.5 item by item; an exit
from incubation records its trajectory (§9.2), host and running-cost line.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final

import attrs

from betastate._values.actors import Actor, Role
from betastate._values.errors import InvalidValue
from betastate._values.fields import (
    check_name,
    check_names,
    check_optional_name,
    check_text,
    member,
    members,
    to_member,
    to_str_tuple,
    to_tuple,
    tuple_of,
)
from betastate._values.money import as_optional_amount, check_optional_amount


class StopReason(enum.StrEnum):
    """
    Why a product stops (brief §8.1, codes are the brief's suggestion).

    .. versionadded:: 0.1.0
    """

    INSUFFICIENT_IMPACT = "insufficient_impact"
    NO_FUNDING = "no_funding"
    NO_BUSINESS_BACKING = "no_business_backing"
    NO_INTRAPRENEUR = "no_intrapreneur"
    PROBLEM_NOT_IMPORTANT = "problem_not_important"
    SOLUTION_EXISTS = "solution_exists"
    TOO_MANY_CONSTRAINTS = "too_many_constraints"
    COST_IMPACT_TOO_HIGH = "cost_impact_too_high"
    OUTSIDE_PROGRAMME_SCOPE = "outside_programme_scope"
    TEAM_DYSFUNCTION = "team_dysfunction"
    PROBLEM_VANISHED = "problem_vanished"
    SPONSOR_INITIATIVE = "sponsor_initiative"
    TEAM_INITIATIVE = "team_initiative"


class StopProcedure(enum.StrEnum):
    """
    The two stop procedures of brief §8.2.

    ``no-impact`` (A) stops at once with a post-mortem; ``no-budget`` (B)
    starts with a liquidation decision, a safeguard period and a recovery
    file, and ends in a takeover or in dormancy.

    .. versionadded:: 0.1.0
    """

    NO_IMPACT = "no-impact"
    NO_BUDGET = "no-budget"


class Trajectory(enum.StrEnum):
    """
    Where a product goes after incubation (brief §9.2, the four models).

    .. versionadded:: 0.1.0
    """

    OPERATOR = "operator"
    BUSINESS_DIRECTORATE = "business-directorate"
    DIGITAL_DIRECTORATE = "digital-directorate"
    LEGAL_STRUCTURE = "legal-structure"


DOSSIER_ITEMS: Final[tuple[tuple[str, str], ...]] = (
    ("docs.user", "General documentation: public user documentation"),
    ("docs.business", "General documentation: internal business documentation"),
    ("docs.links", "General documentation: all links and files about the product"),
    ("infra.diagram", "Architecture: diagram (frontend, backend, databases, external services)"),
    ("infra.hosting", "Architecture: hosting description (provider, configuration, access)"),
    ("infra.monitoring", "Architecture: monitoring tools explained"),
    ("infra.accounts", "Architecture: list of SaaS and external accounts"),
    ("code.readme", "Source code: README updated to state the stop"),
    ("code.repository", "Source code: repository link and main branches"),
    ("code.install", "Source code: local install and run instructions"),
    ("code.dependencies", "Source code: dependencies and versions"),
    ("code.ci", "Source code: tests and CI/CD documented"),
    ("data.schema", "Data: schema and main tables"),
    ("data.migrations", "Data: documented migration scripts"),
    ("data.dump", "Data: anonymised dump or fake datasets"),
    ("data.cleaned", "Data: machines and environments cleaned of data"),
    ("api.endpoints", "APIs: endpoint list with examples (OpenAPI)"),
    ("api.services", "APIs: access to external services"),
    ("api.webhooks", "APIs: webhooks and automations"),
    ("access.roles", "Access: user roles and permissions matrix"),
    ("access.third-party", "Access: third-party accesses and credential recovery procedure"),
    ("access.vault", "Access: credentials stored in the shared password vault"),
    ("context.choices", "Context: rationale for major technology choices"),
    ("context.debt", "Context: main technical debt and refactoring ideas"),
)
"""The technical takeover dossier of brief §8.5, as (item id, description)."""

DOSSIER_ITEM_IDS: Final = tuple(item for item, _ in DOSSIER_ITEMS)

NATIONAL_IMPACT_CRITERIA: Final = ("deployment", "impact-threshold", "quality")
"""The three national-impact criteria of brief §10.2 (all must hold)."""


def _tuple_of_reasons(value: Iterable[StopReason | str]) -> tuple[StopReason, ...]:
    items: Any = to_str_tuple(value)
    if items.__class__ is not tuple:
        return items  # type: ignore[no-any-return]  # not a sequence: the validator refuses it
    return tuple(to_member(StopReason, v) for v in items)


_check_reasons = members(StopReason)


def _tuple_of_actors(value: Iterable[Actor]) -> tuple[Actor, ...]:
    return to_tuple(value)  # type: ignore[no-any-return]


def _to_trajectory(value: Trajectory | str) -> Trajectory:
    return to_member(Trajectory, value)  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True)
class PostMortem:
    """
    The post-mortem a stop requires (brief §8.4).

    Attributes:
        learnings: What was learnt.
        why_we_stop: Why the product stops.
        relaunch_advice: What to recommend to anyone relaunching it, and why.
        reasons: Reason categories (§8.1).
        authors: Who wrote it, with roles (intrapreneur and coach, with the
            portfolio manager).
        published_url: Where it is published, if it is.

    .. versionadded:: 0.1.0
    """

    learnings: str = attrs.field(default="", validator=check_text)
    why_we_stop: str = attrs.field(default="", validator=check_text)
    relaunch_advice: str = attrs.field(default="", validator=check_text)
    reasons: tuple[StopReason, ...] = attrs.field(
        default=(), converter=_tuple_of_reasons, validator=_check_reasons
    )
    authors: tuple[Actor, ...] = attrs.field(
        default=(), converter=_tuple_of_actors, validator=tuple_of(Actor)
    )
    published_url: str | None = attrs.field(default=None, validator=check_optional_name)

    def missing(
        self, required_authors: Iterable[Role | str] = (Role.INTRAPRENEUR, Role.COACH)
    ) -> tuple[str, ...]:
        """
        The parts still missing, in the template's order (empty: complete).

        Args:
            required_authors: Roles that must be among the authors (the
                rulebook's ``post_mortem_authors`` threshold).
        """
        parts: list[str] = [
            name
            for name in ("learnings", "why_we_stop", "relaunch_advice")
            if not getattr(self, name).strip()
        ]
        if not self.reasons:
            parts.append("reasons")
        written_by = {author.role for author in self.authors}
        parts.extend(
            f"author:{role}" for role in map(str, required_authors) if role not in written_by
        )
        return tuple(parts)


@attrs.frozen(kw_only=True)
class ExitPlan:
    """
    How a product leaves incubation (brief §9.2, §4.4 EXIT-CSL-11).

    Attributes:
        trajectory: Which of the four target models.
        host: Organisation id of the host structure or operator.
        annual_running_cost: The annual running-cost line in the host's
            budget, in euros (rule BR-15).
        legal_form: GIP, SCIC, SCN... for a dedicated legal structure.

    .. versionadded:: 0.1.0
    """

    trajectory: Trajectory = attrs.field(converter=_to_trajectory, validator=member(Trajectory))
    host: str = attrs.field(validator=check_name)
    annual_running_cost: Decimal | None = attrs.field(
        default=None, converter=as_optional_amount, validator=check_optional_amount
    )
    legal_form: str | None = attrs.field(default=None, validator=check_optional_name)


def dossier_missing(done: Iterable[str]) -> tuple[str, ...]:
    """Dossier items (brief §8.5) not yet in ``done``, in checklist order."""
    seen = set(done)
    return tuple(item for item in DOSSIER_ITEM_IDS if item not in seen)


def check_dossier_items(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Items of the takeover dossier: ids of :data:`DOSSIER_ITEMS`."""
    check_names(inst, attribute, value)
    unknown = [item for item in value if item not in _DOSSIER_ITEM_SET]
    if unknown:
        raise InvalidValue(
            type(inst).__name__,
            attribute.name,
            unknown,
            "unknown takeover dossier item(s) " + ", ".join(map(repr, unknown)),
            f"use ids of betastate.DOSSIER_ITEMS such as {DOSSIER_ITEM_IDS[0]!r}",
        )


_DOSSIER_ITEM_SET: Final = frozenset(DOSSIER_ITEM_IDS)
