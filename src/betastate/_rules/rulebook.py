"""
Rulebooks: an incubator's roles, phases, transitions, rules and thresholds as data.

A rulebook is an immutable value, checked when it is made
(:mod:`betastate._rules.lint`): it fails closed, so a rule, a permission or
a role that something refers to and the rulebook lacks is a
:class:`betastate.RulebookError` naming the key and the fix, never a rule
silently switched off. :meth:`Rulebook.derive` makes variants;
:mod:`betastate._rules.loading` reads TOML files.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs

from betastate._rules import thresholds as _types
from betastate._rules.gates import Gate, GateSpec, build_gate
from betastate._rules.thresholds import ThresholdDef
from betastate._values.errors import InvalidValue, RulebookError, show
from betastate._values.fields import tuple_of_str
from betastate._values.money import to_money
from betastate._values.reasons import Severity


if TYPE_CHECKING:
    from betastate._rules.lint import RulebookProblem
    from betastate._values.startup import Startup


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

TIE_RULES: tuple[TieRule, ...] = ("first-listed", "rank")
"""The values :attr:`Rulebook.tie` accepts."""


def _freeze_str_mapping(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


def _freeze_gates(value: Mapping[str, Gate]) -> Mapping[str, Gate]:
    return MappingProxyType(dict(value))


def _freeze_specs(value: Mapping[str, GateSpec]) -> Mapping[str, GateSpec]:
    return MappingProxyType(dict(value))


def _names(value: Iterable[str]) -> tuple[str, ...]:
    """Role names as plain strings (a ``Role`` member becomes its value)."""
    return tuple(str(v) for v in tuple_of_str(value))


def _pick_label(labels: Mapping[str, str], lang: str | None) -> str:
    if lang is not None and lang in labels:
        return labels[lang]
    return next(iter(labels.values()), "")


@attrs.frozen(kw_only=True)
class RoleDef:
    """
    A role of the rulebook: who may act (``[[roles]]``).

    Attributes:
        value: The role's name, as commands give it (``sponsor``,
            ``service-owner``).
        labels: Display names by language (``{"fr": ..., "en": ...}``), at
            least one.
        description: What the role is.
        source: Source key(s).

    .. versionadded:: 0.1.0
    """

    value: str
    labels: Mapping[str, str] = attrs.field(converter=_freeze_str_mapping, hash=False)
    description: str = ""
    source: str = ""

    def label(self, lang: str | None = "en") -> str:
        """The label in ``lang``, or in the first language given."""
        return _pick_label(self.labels, lang)


@attrs.frozen(kw_only=True)
class PhaseDef:
    """
    One status of a rulebook.

    Attributes:
        value: The data's value (``investigation``, ``transfere``...).
        labels: Display names by language (``{"fr": ..., "en": ...}``), at
            least one.
        badges: Short badges by language, if any.
        rank: Lifecycle rank; on a same-day tie the higher rank wins.
        display_order: The data's display sort (most mature first).
        active: Whether the product is still supported (website's notion).
        terminal: Whether the status ends the lifecycle.
        stop: Whether the status is a stop (abandon).
        typical_days: Documented typical duration range, in days.
        max_days: Duration above which rule ``DUR-MAX`` fires.
        source: Source key(s) in the domain brief.
    """

    value: str
    labels: Mapping[str, str] = attrs.field(converter=_freeze_str_mapping, hash=False)
    badges: Mapping[str, str] = attrs.field(factory=dict, converter=_freeze_str_mapping, hash=False)
    rank: int
    display_order: int | None = None
    active: bool
    terminal: bool
    stop: bool = False
    typical_days: tuple[int, int] | None = None
    max_days: int | None = None
    source: str = ""

    def label(self, lang: str | None = "en") -> str:
        """The label in ``lang``, or in the first language given."""
        return _pick_label(self.labels, lang)

    def badge(self, lang: str | None = "fr") -> str | None:
        """The badge in ``lang`` (or the first one given), ``None`` without badges."""
        return _pick_label(self.badges, lang) if self.badges else None

    @property
    def label_fr(self) -> str:
        """The French label (or the first one given)."""
        return self.label("fr")

    @property
    def label_en(self) -> str:
        """The English label (or the first one given)."""
        return self.label("en")


@attrs.frozen(kw_only=True)
class TransitionDef:
    """
    One allowed move between statuses.

    Attributes:
        id: Rule id from the brief (``T01``...).
        trigger: Verb of the move (``construct``, ``stop``...).
        sources: Statuses it leaves; empty for a product's first status.
        dest: Status it enters.
        deciders: Roles of which one decides it (at least one).
        co_deciders: Roles of which one must decide it *with* a decider (a
            joint decision: the command lists them in ``co_deciders``);
            empty when a decider decides alone.
        gates: Names of the gates that must pass.
        at_committee: Decided at an investment committee: it needs a
            committee held that day, or the move carried by
            :class:`betastate.HoldCommittee` (rule ``N1``).
        data_only: Seen only in the data (refused by ``N8`` unless downgraded).
        internal: The product stays in its status (a pivot).
        leaves_terminal: The move leaves a terminal status on purpose (a
            takeover, a later shutdown by the host); any other transition
            out of a terminal status is a rulebook error.
        source: Source key(s).
        description: What the move means.
    """

    id: str
    trigger: str
    sources: tuple[str, ...] = attrs.field(converter=tuple_of_str)
    dest: str
    deciders: tuple[str, ...] = attrs.field(converter=_names)
    co_deciders: tuple[str, ...] = attrs.field(default=(), converter=_names)
    gates: tuple[str, ...] = attrs.field(default=(), converter=tuple_of_str)
    at_committee: bool = False
    data_only: bool = False
    internal: bool = False
    leaves_terminal: bool = False
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
    severity: Severity = attrs.field(converter=Severity)
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
    """An exact amount; anything else is left for the threshold checks to name."""
    try:
        return to_money(value)
    except InvalidValue:
        return value  # type: ignore[return-value]


def _edition_caps(
    value: Iterable[tuple[int, Decimal | int | str]],
) -> tuple[tuple[int, Decimal], ...]:
    """``(edition, cap)`` pairs; anything else is left for the threshold checks to name."""
    try:
        return tuple((edition, to_money(cap)) for edition, cap in value)
    except (InvalidValue, TypeError, ValueError):
        return value  # type: ignore[return-value]


def _freeze_permissions(
    value: Mapping[str, Iterable[str]],
) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({key: _names(roles) for key, roles in value.items()})


def _freeze_declared(value: Mapping[str, ThresholdDef]) -> Mapping[str, ThresholdDef]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Thresholds:
    """
    The numbers rules compare against; each is typed and configurable.

    Money is in euros (exact decimals), durations in months or days. Each
    built-in threshold has a kind and a range (a NaN, a negative month or an
    amount above 10^12 € is refused); ``declared`` holds the thresholds a
    rulebook adds for its own gates (read them with :meth:`get`).
    """

    # The rulebook's own thresholds, typed by their declaration (``get(name)``).
    declared: Mapping[str, ThresholdDef] = attrs.field(
        factory=dict, converter=_freeze_declared, hash=False
    )
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
    # The dates a history may hold (rule BS-DATE), within the values' hard bounds.
    earliest_date: dt.date = dt.date(2000, 1, 1)
    latest_date: dt.date = dt.date(2100, 12, 31)
    horizon_days: int = 366

    def fast_cap_for(self, edition: int | None) -> Decimal:
        """The FAST co-financing cap of ``edition`` (``fast_cap`` unless listed)."""
        for listed, cap in self.fast_cap_by_edition:
            if listed == edition:
                return cap
        return self.fast_cap

    def __attrs_post_init__(self) -> None:
        if _UNCHECKED.get():
            return  # a file being read: the rulebook's checks report every problem
        problems = threshold_problems(self)
        if problems:
            key, message = problems[0]
            raise InvalidValue(
                "Thresholds",
                key,
                getattr(self, key, None),
                message,
                "give the threshold a value of its type within its range "
                "(betastate.Thresholds.type_of(name))",
            )

    @classmethod
    def builtin_names(cls) -> tuple[str, ...]:
        """Names of the built-in thresholds, in declaration order."""
        return tuple(f.name for f in attrs.fields(cls) if f.name != "declared")

    @classmethod
    def type_of(cls, name: str) -> _types.ThresholdType:
        """Kind, range and rules of the built-in threshold ``name``."""
        listed = _types.BUILTIN_TYPES.get(name)
        if listed is not None:
            return listed
        field = attrs.fields_dict(cls)[name]
        return _types.ThresholdType(_types.kind_of_annotation(field.type))

    def get(self, name: str) -> Any:
        """
        The value of threshold ``name``: a built-in one or one the rulebook declares.

        Raises:
            KeyError: The rulebook has no such threshold.
        """
        if name != "declared" and name in attrs.fields_dict(type(self)):
            return getattr(self, name)
        if name in self.declared:
            return self.declared[name].typed()
        known = ", ".join((*self.builtin_names(), *self.declared))
        msg = f"no threshold {name!r}; the rulebook has {known}"
        raise KeyError(msg)

    def kind(self, name: str) -> str:
        """The kind of threshold ``name`` (``money``, ``days``...)."""
        if name in self.declared:
            return self.declared[name].type
        return self.type_of(name).kind


def threshold_problems(thresholds: Thresholds) -> list[tuple[str, str]]:
    """Every (key, problem) of ``thresholds``: types, ranges and order, declared ones included."""
    problems: list[tuple[str, str]] = []
    for name in thresholds.builtin_names():
        kind = Thresholds.type_of(name)
        problem = _types.check_value(kind.kind, getattr(thresholds, name), kind.low, kind.high)
        if problem is not None:
            problems.append((name, problem))
    for low_name, high_name in _types.ORDERED_PAIRS:
        low, high = getattr(thresholds, low_name), getattr(thresholds, high_name)
        if _comparable(low, high) and low > high:
            problems.append((low_name, f"{low_name} ({low}) is above {high_name} ({high})"))
    for name, declared in thresholds.declared.items():
        problems.extend((f"{name}.{key}", text) for key, text in declared_problems(declared))
    return problems


def _comparable(low: object, high: object) -> bool:
    """Both whole numbers, or both dates (a wrong type is reported on its own)."""
    if isinstance(low, bool) or isinstance(high, bool):
        return False
    if isinstance(low, int) and isinstance(high, int):
        return True
    return all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in (low, high))


def declared_problems(declared: ThresholdDef) -> list[tuple[str, str]]:
    """Problems of one declared threshold: its kind, bounds and value."""
    if declared.type not in _types.SCALAR_KINDS:
        kinds = ", ".join(_types.SCALAR_KINDS)
        return [("type", f"{declared.type!r} is not a threshold type; use one of {kinds}")]
    problems = [
        (name, f"{bound} is not finite")
        for name, bound in (("min", declared.min), ("max", declared.max))
        if bound is not None and not bound.is_finite()
    ]
    if problems:
        return problems  # a NaN bound cannot be compared with anything
    if declared.min is not None and declared.max is not None and declared.min > declared.max:
        problems.append(("min", f"min ({declared.min}) is above max ({declared.max})"))
    try:
        value = declared.typed()
    except ValueError as exc:
        return [*problems, ("value", str(exc))]
    low, high = declared.min, declared.max
    if declared.type == "money":
        low = low if low is not None else Decimal(0)
        high = high if high is not None else _types.MAX_AMOUNT
    if declared.type == "share":
        low = low if low is not None else Decimal(0)
        high = high if high is not None else Decimal(1)
    problem = _types.check_value(declared.type, value, low, high)
    if problem is not None:
        problems.append(("value", problem))
    return problems


_UNCHECKED: contextvars.ContextVar[bool] = contextvars.ContextVar("_unchecked", default=False)
"""Set while :func:`unchecked` builds a rulebook only to lint it."""


@attrs.frozen(kw_only=True)
class Rulebook:
    """
    An incubator's lifecycle rules, as an immutable value.

    Get one with :func:`betastate.rulebook`; vary it with :meth:`derive`.

    Attributes:
        name: Short name (``betagouv``).
        title: Display name.
        version: The rulebook's own version string.
        source: Where it comes from.
        phases: Statuses, in lifecycle order.
        transitions: Allowed moves.
        rules: Rule ids with severity and source; every rule the engine,
            a gate, a permission or a threshold refers to is declared.
        roles: Who may act; every role a transition, a permission or a
            threshold names is declared.
        legacy: Retired status names and their mapping.
        thresholds: Numbers the rules compare against.
        permissions: Decision (``continue``, ``stop``, ``spend``...) → roles
            that may take it (brief §2.2); every decision the engine checks
            has an entry (an empty list: nobody).
        gates: Python gates by name (built-in ones plus yours).
        gate_specs: Parameterised gates the file declares (``[gates.NAME]``).
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
    roles: tuple[RoleDef, ...]
    legacy: tuple[LegacyName, ...] = ()
    thresholds: Thresholds = attrs.field(factory=Thresholds)
    permissions: Mapping[str, tuple[str, ...]] = attrs.field(
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
    gate_specs: Mapping[str, GateSpec] = attrs.field(
        factory=dict, converter=_freeze_specs, hash=False
    )
    origin: str = attrs.field(default="", eq=False)
    tie: TieRule = "rank"
    _phase_index: Mapping[str, PhaseDef] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _rule_index: Mapping[str, RuleDef] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _role_index: Mapping[str, RoleDef] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _all_gates: Mapping[str, Gate] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(
            self, "_phase_index", MappingProxyType({p.value: p for p in self.phases})
        )
        object.__setattr__(self, "_rule_index", MappingProxyType({r.id: r for r in self.rules}))
        object.__setattr__(self, "_role_index", MappingProxyType({r.value: r for r in self.roles}))
        built = {
            name: build_gate(name, spec)
            for name, spec in self.gate_specs.items()
            if _spec_buildable(spec)
        }
        object.__setattr__(self, "_all_gates", MappingProxyType({**self.gates, **built}))
        if _UNCHECKED.get():
            return
        from betastate._rules.lint import check  # noqa: PLC0415  (lint imports this module)

        problems = check(self)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if errors:
            first = errors[0]
            raise RulebookError(
                self.origin or f"rulebook {self.name!r}",
                first.key,
                first.message,
                first.fix,
                problems=tuple(errors),
            )

    # -- lookups ------------------------------------------------------------

    @property
    def phase_values(self) -> tuple[str, ...]:
        """Status values in lifecycle order."""
        return tuple(p.value for p in sorted(self.phases, key=lambda p: p.rank))

    @property
    def role_values(self) -> tuple[str, ...]:
        """Role names, as declared."""
        return tuple(r.value for r in self.roles)

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages the labels use, in the order they first appear."""
        seen: dict[str, None] = {}
        for labels in (*(p.labels for p in self.phases), *(r.labels for r in self.roles)):
            for lang in labels:
                seen.setdefault(lang, None)
        return tuple(seen)

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

    def has_role(self, value: str) -> bool:
        """Whether ``value`` is a role this rulebook declares."""
        return value in self._role_index

    def role(self, value: str) -> RoleDef:
        """
        The definition of role ``value``.

        Raises:
            KeyError: The rulebook does not declare ``value``.
        """
        try:
            return self._role_index[value]
        except KeyError:
            msg = (
                f"{value!r} is not a role of rulebook {self.name!r}; "
                f"use one of {', '.join(self.role_values)}"
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

    def severity(self, rule_id: str) -> Severity:
        """
        Severity of ``rule_id``.

        Raises:
            RulebookError: The rulebook does not declare ``rule_id``: a rule
                nobody declared is never taken as switched off.
        """
        rule = self._rule_index.get(rule_id)
        if rule is None:
            raise RulebookError(
                self.origin or f"rulebook {self.name!r}",
                f"rules.{rule_id}",
                f"rule {rule_id!r} is not declared",
                f'declare it: [rules.{rule_id}] severity = "error" (or "warning", "off")',
            )
        return rule.severity

    def may(self, role: str, decision: str) -> bool:
        """
        Whether ``role`` may take ``decision`` (a key of ``permissions``).

        Raises:
            RulebookError: ``decision`` has no entry: nothing is open by omission.
        """
        allowed = self.permissions.get(decision)
        if allowed is None:
            raise RulebookError(
                self.origin or f"rulebook {self.name!r}",
                f"permissions.{decision}",
                f"no permission entry for {decision!r}",
                f"add {decision} = [roles...] to [permissions]",
            )
        return str(role) in allowed

    def gate(self, name: str) -> Gate:
        """
        The gate ``name`` (Python or declared in the file).

        Raises:
            KeyError: The rulebook has no such gate.
        """
        return self._all_gates[name]

    def has_gate(self, name: str) -> bool:
        """Whether the rulebook has a gate called ``name``."""
        return name in self._all_gates

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

    # -- checks and pictures ------------------------------------------------

    def lint(self) -> tuple[RulebookProblem, ...]:
        """
        Every problem the checks find, each with code, severity, key, message and fix.

        A rulebook that exists has no error-level problem (it would not have
        loaded); what is left are warnings and notes (an unreachable phase,
        a rule nothing yields...). :func:`betastate.lint_rulebook` lints a
        file, error-level problems included.

        .. versionadded:: 0.1.0
        """
        from betastate._rules.lint import check  # noqa: PLC0415

        return tuple(check(self))

    def diagram(
        self,
        format: Literal["mermaid", "dot"] = "mermaid",  # noqa: A002  (the name users expect)
        *,
        lang: str | None = None,
        startup: Startup | None = None,
    ) -> str:
        """
        The phase graph as Mermaid or Graphviz DOT text.

        Phases carry their labels, transitions their id, trigger and deciders;
        terminal phases are drawn with a double border, stops in red, data-only
        moves dashed. With ``startup``, the phases it went through and the moves
        it took are highlighted, its current phase most of all.

        Args:
            format: ``"mermaid"`` (a ``flowchart``) or ``"dot"``.
            lang: Language of the labels (default: English if the rulebook
                has it, else its first language).
            startup: A startup whose path to highlight.

        .. versionadded:: 0.1.0
        """
        from betastate._rules.diagram import draw  # noqa: PLC0415

        return draw(self, format, lang=lang, startup=startup)

    # -- variants -----------------------------------------------------------

    def derive(
        self,
        *,
        name: str | None = None,
        title: str | None = None,
        severities: Mapping[str, Severity | str] | None = None,
        rules: Iterable[RuleDef] = (),
        thresholds: Mapping[str, Any] | None = None,
        gates: Mapping[str, Gate | GateSpec] | None = None,
        permissions: Mapping[str, Iterable[str]] | None = None,
        phases: Mapping[str, Mapping[str, Any]] | None = None,
        add_phases: Iterable[PhaseDef] = (),
        remove_phases: Iterable[str] = (),
        transitions: Mapping[str, Mapping[str, Any]] | None = None,
        add_transitions: Iterable[TransitionDef] = (),
        remove_transitions: Iterable[str] = (),
        add_roles: Iterable[RoleDef] = (),
        remove_roles: Iterable[str] = (),
        tie: TieRule | None = None,
    ) -> Rulebook:
        """
        A new rulebook with some parts overridden; the parent is unchanged.

        The result is checked like a loaded file: removing a role a
        transition still names, or adding a transition out of a terminal
        phase, is a :class:`betastate.RulebookError` naming the key.

        Args:
            name: New name (defaults to ``<name>+custom``).
            title: New title.
            severities: Rule id → new severity (``"warning"``, ``"off"``...).
            rules: Rules to add (or replace, by id), for your own gates.
            thresholds: Threshold name → new value; a
                :class:`ThresholdDef` declares a new one.
            gates: Python gates (:func:`betastate.gate`) or
                :class:`GateSpec` values to add or replace, by name.
            permissions: Decision → roles that may take it (replaces the
                decision's entry; an empty list: nobody, since every decision
                keeps an entry).
            phases: Phase value → fields to change (``{"max_days": 730}``;
                ``labels`` and ``badges`` are merged into the existing ones).
            add_phases: Phases to add.
            remove_phases: Phase values to remove.
            transitions: Transition id → fields to change
                (``{"deciders": [...]}``).
            add_transitions: Transitions to add.
            remove_transitions: Transition ids to remove.
            add_roles: Roles to add.
            remove_roles: Role names to remove.
            tie: Another tie rule (``"first-listed"`` or ``"rank"``).

        Raises:
            RulebookError: An override names something the rulebook lacks, or
                the result breaks a check.

        .. versionadded:: 0.1.0
        """
        where = f"derive() of rulebook {self.name!r}"
        new_rules = _derive_rules(where, self.rules, severities or {}, rules)
        new_phases = _derive_items(
            where,
            "phases",
            self.phases,
            key=lambda p: p.value,
            overrides=phases or {},
            add=add_phases,
            remove=remove_phases,
            kind=PhaseDef,
        )
        new_transitions = _derive_items(
            where,
            "transitions",
            self.transitions,
            key=lambda t: t.id,
            overrides=transitions or {},
            add=add_transitions,
            remove=remove_transitions,
            kind=TransitionDef,
        )
        new_roles = _derive_items(
            where,
            "roles",
            self.roles,
            key=lambda r: r.value,
            overrides={},
            add=add_roles,
            remove=remove_roles,
            kind=RoleDef,
        )
        new_gates = dict(self.gates)
        new_specs = dict(self.gate_specs)
        for gate_name, value in (gates or {}).items():
            if isinstance(value, GateSpec):
                new_specs[gate_name] = value
                new_gates.pop(gate_name, None)
            elif isinstance(value, Gate):
                new_gates[gate_name] = value
                new_specs.pop(gate_name, None)
            else:
                raise RulebookError(
                    where,
                    f"gates.{gate_name}",
                    f"{value!r} is not a gate: it does not declare the rule ids it may yield",
                    "wrap your function with @betastate.gate('RULE-ID', ...), "
                    "or pass a betastate.GateSpec",
                )
        new_permissions = dict(self.permissions)
        for key, roles in (permissions or {}).items():
            if isinstance(roles, str):
                raise RulebookError(
                    where,
                    f"permissions.{key}",
                    f"expected a list of roles, got the string {roles!r}",
                    f"write [{roles!r}]",
                )
            new_permissions[key] = _names(roles)
        return attrs.evolve(
            self,
            name=name or f"{self.name}+custom",
            title=self.title if title is None else title,
            rules=new_rules,
            phases=new_phases,
            transitions=new_transitions,
            roles=new_roles,
            thresholds=_derive_thresholds(where, self.thresholds, thresholds or {}),
            permissions=new_permissions,
            gates=new_gates,
            gate_specs=new_specs,
            origin=where,
            tie=self.tie if tie is None else tie,
        )


def _spec_buildable(spec: GateSpec) -> bool:
    from betastate._rules.gates import GATE_KINDS  # noqa: PLC0415  (module constant)

    return spec.kind in GATE_KINDS


def unchecked(**fields: Any) -> Rulebook:
    """
    A rulebook built without its checks, only so that lint can report them all.

    Never hand one to the engine: :func:`betastate.lint_rulebook` uses it to
    list every problem of a file that would not load.
    """
    token = _UNCHECKED.set(True)
    try:
        return Rulebook(**fields)
    finally:
        _UNCHECKED.reset(token)


def _derive_rules(
    where: str,
    rules: tuple[RuleDef, ...],
    severities: Mapping[str, Severity | str],
    added: Iterable[RuleDef],
) -> tuple[RuleDef, ...]:
    by_id = {r.id: r for r in rules}
    for rule in added:
        if not isinstance(rule, RuleDef):
            raise RulebookError(
                where, "rules", f"{rule!r} is not a RuleDef", "pass betastate.RuleDef(id=...)"
            )
        by_id[rule.id] = rule
    for rule_id, severity in severities.items():
        if rule_id not in by_id:
            raise RulebookError(
                where,
                f"severities.{rule_id}",
                f"unknown rule {rule_id!r}",
                f"use one of {', '.join(by_id)}, or add it with rules=[betastate.RuleDef(...)]",
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
        by_id[rule_id] = attrs.evolve(by_id[rule_id], severity=new_severity)
    return tuple(by_id.values())


T = TypeVar("T")

_MERGED = frozenset({"labels", "badges"})
"""Mapping fields that ``derive(phases=...)`` merges rather than replaces."""


def _derive_items(
    where: str,
    section: str,
    items: tuple[T, ...],
    *,
    key: Callable[[T], str],
    overrides: Mapping[str, Mapping[str, Any]],
    add: Iterable[T],
    remove: Iterable[str],
    kind: type[T],
) -> tuple[T, ...]:
    by_key = {key(item): item for item in items}
    for item_key in (remove,) if isinstance(remove, str) else remove:
        if item_key not in by_key:
            raise RulebookError(
                where,
                f"remove_{section}",
                f"no {section[:-1]} {item_key!r} to remove",
                f"use one of {', '.join(by_key)}",
            )
        del by_key[item_key]
    for item_key, changes in overrides.items():
        if item_key not in by_key:
            raise RulebookError(
                where,
                f"{section}.{item_key}",
                f"no {section[:-1]} {item_key!r}",
                f"use one of {', '.join(by_key)}",
            )
        by_key[item_key] = _override(where, f"{section}.{item_key}", by_key[item_key], changes)
    for item in add:
        if not isinstance(item, kind):
            raise RulebookError(
                where,
                f"add_{section}",
                f"{item!r} is not a {kind.__name__}",
                f"pass betastate.{kind.__name__}(...)",
            )
        if key(item) in by_key:
            raise RulebookError(
                where,
                f"add_{section}",
                f"{section[:-1]} {key(item)!r} already exists",
                f"change it with {section}={{{key(item)!r}: {{...}}}} instead",
            )
        by_key[key(item)] = item
    return tuple(by_key.values())


def _override(where: str, key: str, current: T, changes: Mapping[str, Any]) -> T:
    """``current`` with ``changes`` to its fields (labels and badges merged)."""
    # T is always one of this module's attrs classes (PhaseDef, TransitionDef, RoleDef).
    known = {f.name for f in attrs.fields(type(current)) if f.init}  # type: ignore[arg-type]
    for name in changes:
        if name not in known:
            raise RulebookError(
                where,
                f"{key}.{name}",
                f"{type(current).__name__} has no field {name!r}",
                f"use one of {', '.join(sorted(known))}",
            )
    merged = {
        name: {**getattr(current, name), **value} if name in _MERGED else value
        for name, value in changes.items()
    }
    try:
        return attrs.evolve(current, **merged)  # type: ignore[misc]
    except (TypeError, ValueError) as exc:
        raise RulebookError(where, key, str(exc), "give each field its documented type") from None


def _derive_thresholds(where: str, current: Thresholds, changes: Mapping[str, Any]) -> Thresholds:
    if not isinstance(changes, Mapping):
        raise RulebookError(
            where, "thresholds", f"expected a mapping, got {show(changes)}", "pass {name: value}"
        )
    builtin: dict[str, Any] = {}
    declared = dict(current.declared)
    for key, value in changes.items():
        if isinstance(value, ThresholdDef):
            if key in Thresholds.builtin_names():
                raise RulebookError(
                    where,
                    f"thresholds.{key}",
                    f"{key!r} is a built-in threshold; it cannot be declared again",
                    f"pass its new value: thresholds={{{key!r}: ...}}",
                )
            declared[key] = value
        elif key in declared:
            declared[key] = attrs.evolve(declared[key], value=value)
        elif key in Thresholds.builtin_names():
            builtin[key] = _types.coerce(Thresholds.type_of(key).kind, value)
        else:
            known = ", ".join(sorted((*Thresholds.builtin_names(), *declared)))
            raise RulebookError(
                where,
                f"thresholds.{key}",
                f"unknown threshold {key!r}",
                f"use one of {known}, or declare it: betastate.ThresholdDef(type=..., value=...)",
            )
    try:
        return attrs.evolve(current, declared=declared, **builtin)
    except InvalidValue as exc:
        raise RulebookError(where, f"thresholds.{exc.field}", exc.problem, exc.fix) from None
    except (TypeError, ValueError) as exc:
        text = str(exc)
        key = text.split(":", 1)[0] if text.startswith("thresholds.") else "thresholds"
        raise RulebookError(
            where,
            key,
            text.split(": ", 1)[-1],
            "give the threshold a value of its type within its range "
            "(betastate.Thresholds.type_of(name))",
        ) from None


def walk(book: Rulebook, start: str | None) -> Iterator[str]:
    """Phases reachable from ``start`` (``None``: a product's first status) by transitions."""
    seen: set[str] = set()
    todo = [t.dest for t in book.transitions if not t.sources] if start is None else [start]
    while todo:
        phase = todo.pop()
        if phase in seen:
            continue
        seen.add(phase)
        yield phase
        todo.extend(t.dest for t in book.transitions if phase in t.sources)
