"""
Rulebooks: an incubator's phases, transitions, rules and thresholds as data.

A rulebook is an immutable value, cross-checked when it is made (every
transition names defined phases, every gate exists); any problem raises
:class:`betastate.RulebookError` naming the file, the key and the fix.
:meth:`Rulebook.derive` makes variants; :mod:`betastate._rules.loading`
reads TOML files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from betastate._values.actors import Role
from betastate._values.errors import RulebookError
from betastate._values.fields import tuple_of_str
from betastate._values.money import to_money
from betastate._values.reasons import Severity


if TYPE_CHECKING:
    from betastate._rules.gates import GateContext, Violation

Gate = Callable[["GateContext"], "Iterable[Violation]"]
"""
A gate: a Python check a transition names in the rulebook file.

It receives the startup, its state, the command and the transition, and
yields one :class:`Violation` per broken rule (the rulebook gives severity).
"""


TieRule = Literal["first-listed", "rank"]
"""
How phases starting on the same day are ordered (:attr:`Rulebook.tie`).

``"first-listed"``: the beta.gouv.fr site's rule. The current phase is
``phases.max_by { |phase| phase['start'] }`` (``lib/models/startup.rb``):
the latest start wins and, since Ruby's ``max_by`` keeps the first maximum,
the phase listed (recorded) first wins a tie. ``"rank"``: the later
lifecycle stage (:attr:`PhaseDef.rank`) wins a tie, then the one recorded
last. Either way, phase ends and today's date play no part.
"""

TIE_RULES: Final[tuple[TieRule, ...]] = ("first-listed", "rank")
"""The values :attr:`Rulebook.tie` accepts."""


def _freeze_str_mapping(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


def _freeze_gates(value: Mapping[str, Gate]) -> Mapping[str, Gate]:
    return MappingProxyType(dict(value))


def _tuple_of_roles(value: Iterable[Role | str]) -> tuple[Role, ...]:
    return tuple(Role(v) for v in value)


@attrs.frozen(kw_only=True)
class PhaseDef:
    """
    One status of a rulebook.

    Attributes:
        value: The data's value (``investigation``, ``transfere``...).
        label_fr: Official French label.
        label_en: English label.
        badge_fr: Short French badge, if any.
        rank: Lifecycle rank; under the ``rank`` tie rule, the higher rank
            wins a same-day tie.
        display_order: The data's display sort (most mature first).
        active: Whether the product is still supported (website's notion).
        terminal: Whether the status ends the lifecycle.
        stop: Whether the status is a stop (abandon).
        typical_days: Documented typical duration range, in days.
        max_days: Duration above which rule ``DUR-MAX`` fires.
        source: Source key(s) in the domain brief.
    """

    value: str = attrs.field(validator=attrs.validators.min_len(1))
    label_fr: str
    label_en: str
    badge_fr: str | None = None
    rank: int
    display_order: int | None = None
    active: bool
    terminal: bool
    stop: bool = False
    typical_days: tuple[int, int] | None = None
    max_days: int | None = None
    source: str = ""

    def label(self, lang: str = "en") -> str:
        """The label in ``"en"`` or ``"fr"``."""
        return self.label_fr if lang == "fr" else self.label_en


@attrs.frozen(kw_only=True)
class TransitionDef:
    """
    One allowed move between statuses.

    Attributes:
        id: Rule id from the brief (``T01``...).
        trigger: Verb of the move (``construct``, ``stop``...).
        sources: Statuses it leaves; empty for a product's first status.
        dest: Status it enters.
        deciders: Roles that may decide it.
        gates: Names of the Python gates that must pass.
        data_only: Seen only in the data (refused by ``N8`` unless downgraded).
        internal: The product stays in its status (a pivot).
        source: Source key(s).
        description: What the move means.
    """

    id: str
    trigger: str
    sources: tuple[str, ...] = attrs.field(converter=tuple_of_str)
    dest: str
    deciders: tuple[Role, ...] = attrs.field(converter=_tuple_of_roles)
    gates: tuple[str, ...] = attrs.field(default=(), converter=tuple_of_str)
    data_only: bool = False
    internal: bool = False
    source: str = ""
    description: str = ""


@attrs.frozen(kw_only=True)
class RuleDef:
    """
    A rule's id, severity and source.

    Attributes:
        id: Stable id (``BR-08``, ``N4``, ``BS-CHRONO``...).
        severity: What breaking it does.
        title: One sentence.
        source: Source key(s).
    """

    id: str
    severity: Severity
    title: str = ""
    source: str = ""


@attrs.frozen(kw_only=True)
class LegacyName:
    """
    A retired status name and what it maps to (brief §3.2).

    Attributes:
        value: The legacy value.
        becomes: Default replacement.
        after: Replacement by previous status (``alumni`` after investigation
            is ``abandon-investigation``).
        source: Source key(s).
    """

    value: str
    becomes: str
    after: Mapping[str, str] = attrs.field(factory=dict, converter=_freeze_str_mapping, hash=False)
    source: str = ""


def _money(value: Decimal | int | str) -> Decimal:
    return to_money(value)


def _edition_caps(
    value: Iterable[tuple[int, Decimal | int | str]],
) -> tuple[tuple[int, Decimal], ...]:
    return tuple((int(edition), to_money(cap)) for edition, cap in value)


def _freeze_permissions(
    value: Mapping[str, Iterable[Role | str]],
) -> Mapping[str, tuple[Role, ...]]:
    return MappingProxyType({key: _tuple_of_roles(roles) for key, roles in value.items()})


@attrs.frozen(kw_only=True)
class Thresholds:
    """
    The numbers rules compare against; each is configurable.

    Money is in euros (exact decimals), durations in months or days.
    """

    first_committee_budget_line: Decimal = attrs.field(default=Decimal(150000), converter=_money)
    committee_interval_months: int = 6
    committee_interval_after_exit_months: int = 12
    envelope_months: int = 6
    provisional_months_min: int = 1
    provisional_months_max: int = 2
    exhaustion_notice_days_min: int = 30
    exhaustion_notice_days_target: int = 45
    fast_cofinancing_share: Decimal = attrs.field(default=Decimal("0.5"), converter=_money)
    fast_cap: Decimal = attrs.field(default=Decimal(200000), converter=_money)
    fast_cap_by_edition: tuple[tuple[int, Decimal], ...] = attrs.field(
        default=(), converter=_edition_caps
    )
    impact_first_values_months: int = 18
    budget_publication_months: int = 7
    committee_mandatory_roles: tuple[str, ...] = attrs.field(
        default=("intrapreneur", "sponsor", "incubator", "portfolio-manager"),
        converter=tuple_of_str,
    )
    post_mortem_authors: tuple[str, ...] = attrs.field(
        default=("intrapreneur", "coach"), converter=tuple_of_str
    )
    consolidation_criteria: tuple[str, ...] = attrs.field(
        default=("ENT-CSL-1", "ENT-CSL-2", "ENT-CSL-4"), converter=tuple_of_str
    )

    def fast_cap_for(self, edition: int | None) -> Decimal:
        """The FAST co-financing cap of ``edition`` (``fast_cap`` unless listed)."""
        for listed, cap in self.fast_cap_by_edition:
            if listed == edition:
                return cap
        return self.fast_cap


@attrs.frozen(kw_only=True)
class Rulebook:
    """
    An incubator's lifecycle rules, as an immutable value.

    Get one with :func:`betastate.rulebook`; vary it with :meth:`derive`.

    Attributes:
        name: Short name (``betagouv``).
        title: Display name.
        version: The rulebook's own version string.
        phases: Statuses, in lifecycle order.
        transitions: Allowed moves.
        rules: Rule ids with severity and source.
        legacy: Retired status names and their mapping.
        thresholds: Numbers the rules compare against.
        permissions: Decision (``continue``, ``stop``, ``spend``...) → roles
            that may take it (brief §2.2); a decision not listed is open to
            every role.
        gates: Python gates by name (built-in ones plus yours).
        origin: The file it was loaded from.
        tie: How same-day phases are ordered (:data:`TieRule`):
            ``"first-listed"`` (the site's rule, the beta.gouv.fr preset's
            choice) or ``"rank"`` (the later stage wins; the default for
            other rulebooks).

    .. versionadded:: 0.1.0
    """

    name: str
    title: str = ""
    version: str = ""
    source: str = ""
    phases: tuple[PhaseDef, ...]
    transitions: tuple[TransitionDef, ...]
    rules: tuple[RuleDef, ...]
    legacy: tuple[LegacyName, ...] = ()
    thresholds: Thresholds = attrs.field(factory=Thresholds)
    permissions: Mapping[str, tuple[Role, ...]] = attrs.field(
        factory=dict, converter=_freeze_permissions, hash=False
    )
    # Gates take part in equality (by identity of the callables) but not in the
    # hash: two rulebooks that differ only by a gate must not share a machine.
    gates: Mapping[str, Gate] = attrs.field(
        factory=dict,
        converter=_freeze_gates,
        hash=False,
        repr=False,
    )
    origin: str = attrs.field(default="", eq=False)
    tie: TieRule = "rank"
    _phase_index: Mapping[str, PhaseDef] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _rule_index: Mapping[str, RuleDef] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(
            self, "_phase_index", MappingProxyType({p.value: p for p in self.phases})
        )
        object.__setattr__(self, "_rule_index", MappingProxyType({r.id: r for r in self.rules}))
        _validate(self)

    # -- lookups ------------------------------------------------------------

    @property
    def phase_values(self) -> tuple[str, ...]:
        """Status values in lifecycle order."""
        return tuple(p.value for p in sorted(self.phases, key=lambda p: p.rank))

    def has_phase(self, value: str) -> bool:
        """Whether ``value`` is a status of this rulebook."""
        return value in self._phase_index

    def phase(self, value: str) -> PhaseDef:
        """
        The definition of status ``value``.

        Raises:
            KeyError: ``value`` is not a status of this rulebook.
        """
        try:
            return self._phase_index[value]
        except KeyError:
            msg = (
                f"{value!r} is not a status of rulebook {self.name!r}; "
                f"use one of {', '.join(self.phase_values)}"
            )
            raise KeyError(msg) from None

    def rank(self, value: str) -> int:
        """Lifecycle rank of ``value`` (0 for a status the rulebook lacks)."""
        phase = self._phase_index.get(value)
        return phase.rank if phase is not None else 0

    def is_terminal(self, value: str) -> bool:
        """Whether ``value`` is a terminal status (unknown ones are not)."""
        phase = self._phase_index.get(value)
        return phase is not None and phase.terminal

    def rule(self, rule_id: str) -> RuleDef | None:
        """The rule ``rule_id``, or ``None`` if this rulebook lacks it."""
        return self._rule_index.get(rule_id)

    def may(self, role: Role | str, decision: str) -> bool:
        """Whether ``role`` may take ``decision`` (unlisted decisions are open)."""
        allowed = self.permissions.get(decision)
        return allowed is None or Role(role) in allowed

    def severity(self, rule_id: str) -> Severity:
        """Severity of ``rule_id``; a rule the rulebook lacks is ``off``."""
        rule = self._rule_index.get(rule_id)
        return rule.severity if rule is not None else Severity.OFF

    def transitions_from(self, phase: str | None) -> tuple[TransitionDef, ...]:
        """Transitions leaving ``phase`` (``None``: a product's first status)."""
        if phase is None:
            return tuple(t for t in self.transitions if not t.sources)
        return tuple(t for t in self.transitions if phase in t.sources)

    def transition(self, source: str | None, dest: str) -> TransitionDef | None:
        """The transition from ``source`` to ``dest``, if the rulebook has one."""
        for candidate in self.transitions_from(source):
            if candidate.dest == dest:
                return candidate
        return None

    def map_legacy(self, value: str, previous: str | None = None) -> str | None:
        """
        The current status for a legacy name, or ``None`` if it is not one.

        Args:
            value: A status name read from data.
            previous: The status before it, which disambiguates ``alumni``.
        """
        for legacy in self.legacy:
            if legacy.value == value:
                if previous is not None and previous in legacy.after:
                    return legacy.after[previous]
                return legacy.becomes
        return None

    # -- variants -----------------------------------------------------------

    def derive(
        self,
        *,
        name: str | None = None,
        severities: Mapping[str, Severity | str] | None = None,
        thresholds: Mapping[str, Any] | None = None,
        gates: Mapping[str, Gate] | None = None,
        permissions: Mapping[str, Iterable[Role | str]] | None = None,
        tie: TieRule | None = None,
    ) -> Rulebook:
        """
        A new rulebook with some rules, thresholds or gates overridden.

        Args:
            name: New name (defaults to ``<name>+custom``).
            severities: Rule id → new severity (``"warning"``, ``"off"``...).
            thresholds: Threshold name → new value.
            gates: Extra or replacement gates by name.
            permissions: Decision → roles that may take it (replaces the
                decision's entry).
            tie: Another tie rule (``"first-listed"`` or ``"rank"``).

        Raises:
            RulebookError: An override names an unknown rule or threshold.

        .. versionadded:: 0.1.0
        """
        where = f"derive() of rulebook {self.name!r}"
        rules = list(self.rules)
        for rule_id, severity in (severities or {}).items():
            index = next((i for i, r in enumerate(rules) if r.id == rule_id), None)
            if index is None:
                raise RulebookError(
                    where,
                    f"severities.{rule_id}",
                    f"unknown rule {rule_id!r}",
                    f"use one of {', '.join(r.id for r in self.rules)}",
                )
            try:
                new_severity = Severity(severity)
            except ValueError:
                raise RulebookError(
                    where,
                    f"severities.{rule_id}",
                    f"{severity!r} is not a severity",
                    f"use one of {', '.join(s.value for s in Severity)}",
                ) from None
            rules[index] = attrs.evolve(rules[index], severity=new_severity)
        new_thresholds = self.thresholds
        if thresholds:
            known = {f.name for f in attrs.fields(Thresholds)}
            for key in thresholds:
                if key not in known:
                    raise RulebookError(
                        where,
                        f"thresholds.{key}",
                        f"unknown threshold {key!r}",
                        f"use one of {', '.join(sorted(known))}",
                    )
            try:
                new_thresholds = attrs.evolve(self.thresholds, **thresholds)
            except (TypeError, ValueError) as exc:
                raise RulebookError(
                    where, "thresholds", str(exc), "pass ints, or Decimal for money"
                ) from None
        return attrs.evolve(
            self,
            name=name or f"{self.name}+custom",
            rules=tuple(rules),
            thresholds=new_thresholds,
            permissions={**self.permissions, **_derive_permissions(where, permissions)},
            gates={**self.gates, **(gates or {})},
            tie=self.tie if tie is None else tie,
        )


def _derive_permissions(
    where: str, permissions: Mapping[str, Iterable[Role | str]] | None
) -> dict[str, tuple[Role, ...]]:
    try:
        return {key: _tuple_of_roles(roles) for key, roles in (permissions or {}).items()}
    except ValueError as exc:
        raise RulebookError(
            where, "permissions", str(exc), f"use roles among {', '.join(r.value for r in Role)}"
        ) from None


# -- validation ---------------------------------------------------------------


def _validate(book: Rulebook) -> None:
    where = book.origin or f"rulebook {book.name!r}"
    if book.tie not in TIE_RULES:
        raise RulebookError(
            where,
            "rulebook.tie",
            f"unknown tie rule {book.tie!r}",
            "use 'first-listed' (the site's rule: the phase listed first wins a same-day tie) "
            "or 'rank' (the later lifecycle stage wins)",
        )
    _validate_phases(book, where)
    _validate_transitions(book, where)
    _validate_legacy(book, where)


def _validate_phases(book: Rulebook, where: str) -> None:
    seen: set[str] = set()
    for index, phase in enumerate(book.phases):
        if phase.value in seen:
            raise RulebookError(
                where,
                f"phases[{index}].value",
                f"status {phase.value!r} is defined twice",
                "keep one [[phases]] entry per status",
            )
        seen.add(phase.value)


def _validate_transitions(book: Rulebook, where: str) -> None:
    defined = book.phase_values
    ids: set[str] = set()
    for index, transition in enumerate(book.transitions):
        key = f"transitions[{index}] (id {transition.id!r})"
        if transition.id in ids:
            raise RulebookError(
                where, f"{key}.id", "transition id used twice", "give each one its own id"
            )
        ids.add(transition.id)
        for phase in (*transition.sources, transition.dest):
            if phase not in book._phase_index:  # noqa: SLF001
                raise RulebookError(
                    where,
                    key,
                    f"transition to or from undefined status {phase!r}",
                    f"define it in [[phases]] or use one of {', '.join(defined)}",
                )
        if transition.internal and transition.sources != (transition.dest,):
            raise RulebookError(
                where,
                key,
                "an internal transition must leave and enter the same status",
                "set sources = [dest] or internal = false",
            )
        for gate in transition.gates:
            if gate not in book.gates:
                raise RulebookError(
                    where,
                    f"{key}.gates",
                    f"gate {gate!r} does not exist",
                    f"use one of {', '.join(sorted(book.gates)) or '(none)'}, "
                    "or pass gates={name: callable} when loading",
                )
    _validate_pairs(book, where)


def _validate_pairs(book: Rulebook, where: str) -> None:
    pairs: set[tuple[str | None, str]] = set()
    for transition in book.transitions:
        for source in transition.sources or (None,):
            if (source, transition.dest) in pairs:
                raise RulebookError(
                    where,
                    f"transitions (id {transition.id!r})",
                    f"two transitions go from {source!r} to {transition.dest!r}",
                    "keep one transition per pair of statuses",
                )
            pairs.add((source, transition.dest))


def _validate_legacy(book: Rulebook, where: str) -> None:
    defined = book.phase_values
    for index, legacy in enumerate(book.legacy):
        for target in (legacy.becomes, *legacy.after.values()):
            if target not in book._phase_index:  # noqa: SLF001
                raise RulebookError(
                    where,
                    f"legacy[{index}] (value {legacy.value!r})",
                    f"maps to undefined status {target!r}",
                    f"use one of {', '.join(defined)}",
                )
