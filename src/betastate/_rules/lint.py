"""
The rulebook's checks: every problem at once, each with a code, key and fix.

:func:`check` runs on a rulebook as it was written; the rulebook refuses to
exist when one problem is an error (:class:`betastate.RulebookError`), and
:meth:`betastate.Rulebook.lint` or ``betastate rules lint FILE`` list the
rest. The checks cover references (every rule, role, gate, phase,
permission and threshold named is declared), values (types, ranges,
durations) and the graph (a first move, reachability, dead ends, terminal
phases, ties, who may decide).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import attrs

from betastate._rules import catalogue
from betastate._rules import thresholds as _types
from betastate._rules.gates import GATE_KINDS, Gate, GateSpec
from betastate._rules.rulebook import (
    TIE_RULES,
    Thresholds,
    declared_problems,
    threshold_problems,
    walk,
)
from betastate._values.actors import ROLE_PATTERN
from betastate._values.reasons import Severity


if TYPE_CHECKING:
    from betastate._rules.rulebook import PhaseDef, RoleDef, Rulebook, TransitionDef


LANGUAGE: Final = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
"""A language tag such as ``fr``, ``en`` or ``pt-BR``."""

_ERROR, _WARNING, _INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@attrs.frozen
class RulebookProblem:
    """
    One problem a rulebook check found.

    Attributes:
        code: Stable code (``undeclared-rule``, ``dead-end``...).
        severity: ``error`` (the rulebook does not load), ``warning`` or ``info``.
        key: Where, as a TOML key path (``transitions[3] (id 'T04').deciders``).
        message: What is wrong.
        fix: What to change.
        file: The file (or ``derive()``) at fault.

    .. versionadded:: 0.1.0
    """

    code: str
    severity: Severity
    key: str
    message: str
    fix: str
    file: str = ""

    def __str__(self) -> str:
        return f"{self.severity.value} {self.code} {self.key}: {self.message}. Fix: {self.fix}."


class _Checks:
    def __init__(self, book: Rulebook) -> None:
        self.book = book
        self.file = book.origin or f"rulebook {book.name!r}"
        self.found: list[RulebookProblem] = []
        self.phases = {p.value for p in book.phases}
        self.roles = {r.value for r in book.roles}
        self.rules = {r.id for r in book.rules}
        self.missing_rules: dict[str, list[str]] = {}

    def add(self, code: str, severity: Severity, key: str, message: str, fix: str) -> None:
        self.found.append(RulebookProblem(code, severity, key, message, fix, self.file))

    # -- references -----------------------------------------------------------

    def role_refs(self, key: str, roles: tuple[str, ...]) -> None:
        for role in roles:
            if role not in self.roles:
                self.add(
                    "undeclared-role",
                    _ERROR,
                    key,
                    f"role {role!r} is not declared",
                    f"declare it in [[roles]] (value = {role!r}, labels = {{ en = ... }}) "
                    f"or use one of {', '.join(sorted(self.roles)) or '(none declared)'}",
                )

    def rule_ref(self, rule_id: str, where: str) -> None:
        if rule_id not in self.rules:
            self.missing_rules.setdefault(rule_id, []).append(where)

    def missing(self) -> None:
        for rule_id, places in self.missing_rules.items():
            unique = list(dict.fromkeys(places))
            self.add(
                "undeclared-rule",
                _ERROR,
                f"rules.{rule_id}",
                f"rule {rule_id!r} is not declared; {'; '.join(unique)} refer"
                f"{'s' if len(unique) == 1 else ''} to it",
                f'declare it: [rules.{rule_id}] severity = "error" (or "warning", "info", "off")',
            )

    def labels(self, key: str, labels: object) -> None:
        items = dict(labels) if isinstance(labels, Mapping) else {}
        if not items:
            self.add(
                "no-labels",
                _ERROR,
                f"{key}.labels",
                "no label in any language",
                'give at least one: labels = { en = "..." }',
            )
        for lang, text in items.items():
            if not isinstance(lang, str) or LANGUAGE.fullmatch(lang) is None:
                self.add(
                    "bad-language",
                    _ERROR,
                    f"{key}.labels.{lang}",
                    f"{lang!r} is not a language tag",
                    "use a tag such as fr, en or pt-BR",
                )
            if not isinstance(text, str) or not text.strip():
                self.add(
                    "empty-label",
                    _ERROR,
                    f"{key}.labels.{lang}",
                    "the label is empty",
                    "write the status or role's name",
                )

    # -- sections -------------------------------------------------------------

    def types(self) -> bool:
        """Fields of the right types (a rulebook built in Python may hold anything); ok?"""
        before = len(self.found)
        for section, items, expected in (
            ("roles", self.book.roles, _ROLE_TYPES),
            ("phases", self.book.phases, _PHASE_TYPES),
            ("transitions", self.book.transitions, _TRANSITION_TYPES),
        ):
            for index, item in enumerate(items):
                for name, check in expected.items():
                    value = getattr(item, name)
                    if not check(value):
                        self.add(
                            "bad-type",
                            _ERROR,
                            f"{section}[{index}].{name}",
                            f"{value!r} is not {_WANTED[check]}",
                            f"give {name} {_WANTED[check]}",
                        )
        return len(self.found) == before

    def header(self) -> None:
        if not self.book.name.strip():
            self.add(
                "empty-name",
                _ERROR,
                "rulebook.name",
                "the rulebook has no name",
                'give it a short name: [rulebook] name = "mine"',
            )
        if self.book.tie not in TIE_RULES:
            self.add(
                "unknown-tie",
                _ERROR,
                "rulebook.tie",
                f"unknown tie rule {self.book.tie!r}",
                "use 'first-listed' (the site's rule: the phase listed first wins a same-day tie) "
                "or 'rank' (the later lifecycle stage wins)",
            )

    def roles_section(self) -> None:
        seen: set[str] = set()
        for index, role in enumerate(self.book.roles):
            key = f"roles[{index}] (value {role.value!r})"
            if ROLE_PATTERN.fullmatch(role.value) is None:
                self.add(
                    "bad-role-name",
                    _ERROR,
                    f"{key}.value",
                    f"{role.value!r} is not a role name",
                    "write lower-case words joined by hyphens, such as 'service-owner'",
                )
            if role.value in seen:
                self.add(
                    "duplicate-role",
                    _ERROR,
                    f"{key}.value",
                    f"role {role.value!r} is declared twice",
                    "keep one [[roles]] entry per role",
                )
            seen.add(role.value)
            self.labels(key, dict(role.labels))

    def phases_section(self) -> None:
        book = self.book
        if not book.phases:
            self.add("no-phases", _ERROR, "phases", "no phase", "add [[phases]] entries")
        seen: set[str] = set()
        for index, phase in enumerate(book.phases):
            key = f"phases[{index}] (value {phase.value!r})"
            if not phase.value.strip():
                self.add("empty-phase", _ERROR, f"{key}.value", "empty value", "name the status")
            if phase.value in seen:
                self.add(
                    "duplicate-phase",
                    _ERROR,
                    f"{key}.value",
                    f"status {phase.value!r} is defined twice",
                    "keep one [[phases]] entry per status",
                )
            seen.add(phase.value)
            self.labels(key, dict(phase.labels))
            self.durations(key, phase)

    def durations(self, key: str, phase: PhaseDef) -> None:
        typical, limit = phase.typical_days, phase.max_days
        if typical is not None and not 0 <= typical[0] <= typical[1]:
            self.add(
                "bad-duration",
                _ERROR,
                f"{key}.typical_days",
                f"typical_days = {list(typical)} is not a range of days from low to high",
                "write [low, high] with 0 <= low <= high",
            )
        if limit is not None and limit < 1:
            self.add(
                "bad-duration",
                _ERROR,
                f"{key}.max_days",
                f"max_days = {limit} is not a duration",
                "give at least one day, or remove max_days",
            )
        if typical is not None and limit is not None and typical[1] > limit:
            self.add(
                "typical-above-max",
                _ERROR,
                f"{key}.typical_days",
                f"the typical duration ({typical[1]} days) is above max_days ({limit})",
                f"raise max_days to at least {typical[1]} or lower typical_days",
            )

    def transitions_section(self) -> None:
        book = self.book
        ids: set[str] = set()
        for index, transition in enumerate(book.transitions):
            key = f"transitions[{index}] (id {transition.id!r})"
            if not transition.id.strip() or transition.id in ids:
                self.add(
                    "duplicate-transition",
                    _ERROR,
                    f"{key}.id",
                    "transition id is empty or used twice",
                    "give each transition its own id",
                )
            ids.add(transition.id)
            if not transition.trigger.strip():
                self.add(
                    "empty-trigger", _ERROR, f"{key}.trigger", "empty trigger", "name the move"
                )
            for phase in (*transition.sources, transition.dest):
                if phase not in self.phases:
                    self.add(
                        "undefined-phase",
                        _ERROR,
                        key,
                        f"transition to or from undefined status {phase!r}",
                        f"define it in [[phases]] or use one of {', '.join(book.phase_values)}",
                    )
            self.deciders(key, transition)
            self.transition_flags(key, transition)
            self.gate_names(key, transition)
        self.pairs_and_triggers()

    def gate_names(self, key: str, transition: TransitionDef) -> None:
        book = self.book
        known = ", ".join(sorted({*book.gates, *book.gate_specs})) or "(none)"
        for gate_name in transition.gates:
            if not book.has_gate(gate_name) and gate_name not in book.gate_specs:
                self.add(
                    "unknown-gate",
                    _ERROR,
                    f"{key}.gates",
                    f"gate {gate_name!r} does not exist",
                    f"use one of {known}, declare it in [gates.NAME], "
                    "or pass gates={name: gate} when loading",
                )

    def pairs_and_triggers(self) -> None:
        """One transition per pair of statuses, one trigger per move out of a status."""
        pairs: dict[tuple[str | None, str], str] = {}
        triggers: dict[tuple[str | None, str], str] = {}
        for index, transition in enumerate(self.book.transitions):
            key = f"transitions[{index}] (id {transition.id!r})"
            for source in transition.sources or (None,):
                pair = (source, transition.dest)
                if pair in pairs:
                    self.add(
                        "duplicate-move",
                        _ERROR,
                        key,
                        f"{pairs[pair]} and {transition.id} both go from {source!r} to "
                        f"{transition.dest!r}",
                        "keep one transition per pair of statuses",
                    )
                pairs.setdefault(pair, transition.id)
                trigger = (source, transition.trigger)
                if trigger in triggers and triggers[trigger] != transition.id:
                    self.add(
                        "duplicate-trigger",
                        _ERROR,
                        f"{key}.trigger",
                        f"{triggers[trigger]} and {transition.id} both leave {source!r} "
                        f"with trigger {transition.trigger!r}",
                        "give each move out of a status its own trigger",
                    )
                triggers.setdefault(trigger, transition.id)

    def deciders(self, key: str, transition: TransitionDef) -> None:
        if not transition.deciders:
            self.add(
                "no-deciders",
                _ERROR,
                f"{key}.deciders",
                "nobody may decide this move",
                'list the roles that decide it: deciders = ["sponsor"]',
            )
        self.role_refs(f"{key}.deciders", transition.deciders)
        self.role_refs(f"{key}.co_deciders", transition.co_deciders)
        both = set(transition.deciders) & set(transition.co_deciders)
        if both:
            self.add(
                "decider-twice",
                _ERROR,
                f"{key}.co_deciders",
                f"{', '.join(sorted(both))} both decides and co-decides",
                "a joint decision needs two roles: keep each role in one list",
            )

    def transition_flags(self, key: str, transition: TransitionDef) -> None:
        book = self.book
        if transition.internal and transition.sources != (transition.dest,):
            self.add(
                "internal-move",
                _ERROR,
                key,
                "an internal transition must leave and enter the same status",
                "set sources = [dest] or internal = false",
            )
        terminal = [s for s in transition.sources if s in self.phases and book.phase(s).terminal]
        if terminal and not transition.leaves_terminal:
            self.add(
                "leaves-terminal",
                _ERROR,
                key,
                f"{transition.id} leaves the terminal status {terminal[0]!r}",
                "remove it, or declare it with leaves_terminal = true (a takeover, a later "
                "shutdown)",
            )
        if transition.leaves_terminal and not terminal:
            self.add(
                "leaves-terminal-unused",
                _WARNING,
                f"{key}.leaves_terminal",
                "leaves_terminal is set but no source status is terminal",
                "remove leaves_terminal",
            )

    def permissions_section(self) -> None:
        book = self.book
        for key in book.permissions:
            if key not in catalogue.PERMISSIONS:
                self.add(
                    "unknown-permission",
                    _ERROR,
                    f"permissions.{key}",
                    f"{key!r} is not a decision betastate checks",
                    f"use one of {', '.join(catalogue.PERMISSIONS)}",
                )
            else:
                self.role_refs(f"permissions.{key}", book.permissions[key])
        for key, what in catalogue.PERMISSIONS.items():
            if key not in book.permissions:
                self.add(
                    "missing-permission",
                    _ERROR,
                    f"permissions.{key}",
                    f"no entry for {key!r} ({what}): it would be open to nobody or everybody",
                    f"list the roles that may take it: {key} = [...] (an empty list: nobody)",
                )
        if book.permissions:
            self.rule_ref("BS-ROLE", "[permissions] (enforced by BS-ROLE)")

    def thresholds_section(self) -> None:
        th = self.book.thresholds
        for key, message in threshold_problems(th):
            self.add(
                "threshold-range",
                _ERROR,
                f"thresholds.{key}",
                message,
                "give it a value of its type within its range "
                f"({self.describe(key.split('.', 1)[0])})",
            )
        for name in Thresholds.builtin_names():
            kind = Thresholds.type_of(name)
            if kind.kind == "roles":
                self.role_refs(f"thresholds.{name}", getattr(th, name))
            for rule_id in kind.rules:
                self.rule_ref(rule_id, f"threshold thresholds.{name}")
        for name, declared in th.declared.items():
            if name in Thresholds.builtin_names():
                self.add(
                    "threshold-twice",
                    _ERROR,
                    f"thresholds.{name}",
                    f"{name!r} is a built-in threshold",
                    "give a built-in threshold a bare value, not a declaration",
                )
            for rule_id in declared.rules:
                self.rule_ref(rule_id, f"threshold thresholds.{name}.rules")

    def describe(self, name: str) -> str:
        th = self.book.thresholds
        if name in th.declared:
            declared = th.declared[name]
            return f"{declared.type} from {declared.min} to {declared.max}"
        if name not in Thresholds.builtin_names():
            return "see betastate.Thresholds"
        kind = Thresholds.type_of(name)
        bounds = f" from {kind.low} to {kind.high}" if kind.low is not None else ""
        return f"{_types.KINDS.get(kind.kind, kind.kind)}{bounds}"

    def gates_section(self) -> None:
        book = self.book
        used: dict[str, str] = {}
        for transition in book.transitions:
            for gate_name in transition.gates:
                used.setdefault(gate_name, transition.id)
        for name, value in book.gates.items():
            given: object = value  # a Rulebook built in Python may hold a bare function
            if not isinstance(given, Gate):
                self.add(
                    "gate-undeclared-rules",
                    _ERROR,
                    f"gates.{name}",
                    f"gate {name!r} does not declare the rule ids it may yield",
                    "wrap it with @betastate.gate('RULE-ID', ...)",
                )
            elif name in used and name not in book.gate_specs:
                for rule_id in value.rules:
                    self.rule_ref(rule_id, f"gate {name!r} (used by {used[name]})")
        for name, spec in book.gate_specs.items():
            self.gate_spec(name, spec, used.get(name))

    def gate_spec(self, name: str, spec: GateSpec, used_by: str | None) -> None:  # noqa: C901
        key = f"gates.{name}"
        if spec.kind not in GATE_KINDS:
            self.add(
                "gate-kind",
                _ERROR,
                f"{key}.kind",
                f"{spec.kind!r} is not a built-in gate kind",
                f"use one of {', '.join(GATE_KINDS)}",
            )
            return
        self.rule_ref(spec.rule, f"gate {key}")
        self.role_refs(f"{key}.by", spec.by)
        wanted = {"event_within": "days", "min_amount": "money"}.get(spec.kind)
        literal = {"event_within": spec.days, "min_amount": spec.amount}.get(spec.kind)
        if spec.kind == "event_within" and not (spec.event or "").strip():
            self.add(
                "gate-params",
                _ERROR,
                f"{key}.event",
                "an event_within gate needs the event it looks for",
                'name it: event = "CommitteeHeld", or a note name such as "alpha-assessment-met"',
            )
        if spec.kind == "min_amount" and spec.field not in catalogue.AMOUNT_FIELDS:
            self.add(
                "unknown-field",
                _ERROR,
                f"{key}.field",
                f"{spec.field!r} is not an amount field of the phase-change commands",
                f"use one of {', '.join(catalogue.AMOUNT_FIELDS)}",
            )
        if wanted is not None and (literal is None) == (spec.threshold is None):
            self.add(
                "gate-params",
                _ERROR,
                key,
                f"a {spec.kind} gate needs either "
                f"{'days' if wanted == 'days' else 'amount'} or threshold, not both or neither",
                f"give {'days = 90' if wanted == 'days' else 'amount = 150000'}, "
                'or threshold = "NAME" of a threshold',
            )
        if isinstance(literal, int | Decimal) and literal < 0:
            self.add("gate-params", _ERROR, key, f"{literal} is negative", "give 0 or more")
        if spec.threshold is not None and wanted is not None:
            th = self.book.thresholds
            kinds = {"days": ("days",), "money": ("money",)}[wanted]
            try:
                kind = th.kind(spec.threshold)
            except KeyError:
                kind = None
            if kind is None or (
                spec.threshold not in th.declared and spec.threshold not in th.builtin_names()
            ):
                self.add(
                    "unknown-threshold",
                    _ERROR,
                    f"{key}.threshold",
                    f"no threshold {spec.threshold!r}",
                    "declare it in [thresholds] with { type = ..., value = ... }",
                )
            elif kind not in kinds:
                self.add(
                    "threshold-type",
                    _ERROR,
                    f"{key}.threshold",
                    f"threshold {spec.threshold!r} is {kind}, the gate needs {wanted}",
                    f"point it at a {wanted} threshold",
                )
        if used_by is None:
            self.add(
                "unused-gate",
                _WARNING,
                key,
                f"gate {name!r} is declared but no transition names it",
                "name it in a transition's gates, or remove it",
            )

    def rules_section(self) -> None:
        for index, transition in enumerate(self.book.transitions):
            key = f"transitions[{index}] (id {transition.id!r})"
            if transition.data_only:
                self.rule_ref("N8", f"{key}.data_only")
            if transition.at_committee:
                self.rule_ref("N1", f"{key}.at_committee")
        for rule_id, where in catalogue.ENGINE_RULES.items():
            self.rule_ref(rule_id, where)
        referenced = self.referenced()
        for rule in self.book.rules:
            if rule.id not in referenced:
                self.add(
                    "unused-rule",
                    _WARNING,
                    f"rules.{rule.id}",
                    f"rule {rule.id!r} is declared but nothing yields it",
                    "check its spelling, or name the gate that yields it in a transition",
                )

    def referenced(self) -> set[str]:
        """Every rule id something refers to: the engine, gates in use, thresholds."""
        book = self.book
        referenced = set(catalogue.ENGINE_RULES)
        for gate_name in {g for t in book.transitions for g in t.gates}:
            if book.has_gate(gate_name):
                referenced.update(book.gate(gate_name).rules)
        referenced.update(spec.rule for spec in book.gate_specs.values())
        for name in Thresholds.builtin_names():
            referenced.update(Thresholds.type_of(name).rules)
        for declared in book.thresholds.declared.values():
            referenced.update(declared.rules)
        return referenced

    def legacy_section(self) -> None:
        book = self.book
        for index, legacy in enumerate(book.legacy):
            key = f"legacy[{index}] (value {legacy.value!r})"
            for target in (legacy.becomes, *legacy.after.values()):
                if target not in self.phases:
                    self.add(
                        "undefined-phase",
                        _ERROR,
                        key,
                        f"maps to undefined status {target!r}",
                        f"use one of {', '.join(book.phase_values)}",
                    )
            if legacy.value in self.phases:
                self.add(
                    "legacy-is-phase",
                    _WARNING,
                    key,
                    f"{legacy.value!r} is a current status, so it is never mapped",
                    "remove the legacy entry",
                )

    # -- the graph ------------------------------------------------------------

    def graph(self) -> None:
        book = self.book
        if not book.phases or any(
            p not in self.phases for t in book.transitions for p in t.sources
        ):
            return  # the references above already fail; the graph would mislead
        if not book.transitions_from(None):
            self.add(
                "no-first-transition",
                _ERROR,
                "transitions",
                "no transition starts a product (none has sources = [])",
                'add one: [[transitions]] sources = [] dest = "<first status>"',
            )
        reachable = set(walk(book, None))
        outgoing = {
            p.value: [t for t in book.transitions_from(p.value) if not t.internal]
            for p in book.phases
        }
        terminals = {p.value for p in book.phases if p.terminal}
        for index, phase in enumerate(book.phases):
            key = f"phases[{index}] (value {phase.value!r})"
            if book.transitions_from(None) and phase.value not in reachable:
                self.add(
                    "unreachable-phase",
                    _WARNING,
                    key,
                    f"no sequence of transitions reaches {phase.value!r} from a first status",
                    "add a transition into it, or keep it only for imported data",
                )
            if phase.terminal:
                continue
            if not outgoing[phase.value]:
                self.add(
                    "dead-end",
                    _ERROR,
                    key,
                    f"{phase.value!r} is not terminal and no transition leaves it",
                    "add a transition out of it, or set terminal = true",
                )
            elif not terminals & set(walk(book, phase.value)):
                self.add(
                    "no-way-out",
                    _WARNING,
                    key,
                    f"no terminal status can be reached from {phase.value!r}",
                    "add a way to a terminal status (a stop, an exit)",
                )
        self.ties()

    def ties(self) -> None:
        book = self.book
        if book.tie != "rank":  # under first-listed the order recorded decides, not ranks
            return
        by_rank: dict[int, list[PhaseDef]] = {}
        for phase in book.phases:
            by_rank.setdefault(phase.rank, []).append(phase)
        for rank, phases in by_rank.items():
            for i, first in enumerate(phases):
                for second in phases[i + 1 :]:
                    if second.value in set(walk(book, first.value)) or first.value in set(
                        walk(book, second.value)
                    ):
                        index = book.phases.index(second)
                        self.add(
                            "rank-tie",
                            _ERROR,
                            f"phases[{index}] (value {second.value!r}).rank",
                            f"{first.value!r} and {second.value!r} share rank {rank} and one "
                            "can follow the other: a same-day move between them has no winner",
                            "give them distinct ranks (the later stage the higher one)",
                        )

    def permissions_of_deciders(self) -> None:
        book = self.book
        perms = book.permissions
        for index, transition in enumerate(book.transitions):
            key = f"transitions[{index}] (id {transition.id!r}).deciders"
            dest = book.phase(transition.dest) if transition.dest in self.phases else None
            needs: tuple[str, ...] = ()
            if transition.at_committee:
                stop = dest is not None and dest.stop
                needs = ("stop",) if stop else ("continue", "provisional")
            if not needs or not all(n in perms for n in needs):
                continue
            for role in transition.deciders:
                if not any(role in perms[n] for n in needs):
                    self.add(
                        "decider-permission",
                        _WARNING,
                        key,
                        f"{role!r} decides {transition.id} but holds none of the permissions "
                        f"{', '.join(needs)}, so it can never take the move",
                        f"add {role!r} to [permissions] {needs[0]}, or remove it from deciders",
                    )

    def coverage(self) -> None:
        book = self.book
        languages = book.languages
        for item, key in self.labelled():
            missing = [lang for lang in languages if lang not in item.labels]
            if item.labels and missing:
                self.add(
                    "labels-incomplete",
                    _WARNING,
                    f"{key}.labels",
                    f"no label in {', '.join(missing)}, which other entries have",
                    f"add {', '.join(f'{lang} = ...' for lang in missing)}",
                )
        named = {r for t in book.transitions for r in (*t.deciders, *t.co_deciders)}
        named.update(r for roles in book.permissions.values() for r in roles)
        for index, role in enumerate(book.roles):
            if role.value not in named:
                self.add(
                    "unused-role",
                    _INFO,
                    f"roles[{index}] (value {role.value!r})",
                    f"role {role.value!r} decides no move and holds no permission",
                    "give it a permission, or remove it",
                )

    def labelled(self) -> Iterator[tuple[PhaseDef | RoleDef, str]]:
        for index, phase in enumerate(self.book.phases):
            yield phase, f"phases[{index}] (value {phase.value!r})"
        for index, role in enumerate(self.book.roles):
            yield role, f"roles[{index}] (value {role.value!r})"

    def run(self) -> list[RulebookProblem]:
        if not self.types():
            return self.found  # the other checks would compare values of the wrong types
        self.header()
        self.roles_section()
        self.phases_section()
        self.transitions_section()
        self.rules_section()
        self.gates_section()
        self.permissions_section()
        self.thresholds_section()
        self.missing()
        self.legacy_section()
        self.graph()
        self.permissions_of_deciders()
        self.coverage()
        return _dedupe(self.found)


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_optional_int(value: object) -> bool:
    return value is None or _is_int(value)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _is_names(value: object) -> bool:
    return isinstance(value, tuple) and all(isinstance(v, str) for v in value)


def _is_range(value: object) -> bool:
    return value is None or (
        isinstance(value, tuple) and len(value) == 2 and all(_is_int(v) for v in value)  # noqa: PLR2004
    )


_WANTED: Final = {
    _is_text: "a string",
    _is_int: "an integer",
    _is_optional_int: "an integer or nothing",
    _is_bool: "true or false",
    _is_names: "a list of names",
    _is_range: "a [low, high] pair of integers",
}
_ROLE_TYPES: Final = {"value": _is_text, "description": _is_text, "source": _is_text}
_PHASE_TYPES: Final = {
    "value": _is_text,
    "rank": _is_int,
    "display_order": _is_optional_int,
    "active": _is_bool,
    "terminal": _is_bool,
    "stop": _is_bool,
    "typical_days": _is_range,
    "max_days": _is_optional_int,
    "source": _is_text,
}
_TRANSITION_TYPES: Final = {
    "id": _is_text,
    "trigger": _is_text,
    "sources": _is_names,
    "dest": _is_text,
    "deciders": _is_names,
    "co_deciders": _is_names,
    "gates": _is_names,
    "at_committee": _is_bool,
    "data_only": _is_bool,
    "internal": _is_bool,
    "leaves_terminal": _is_bool,
    "source": _is_text,
    "description": _is_text,
}


def _dedupe(found: list[RulebookProblem]) -> list[RulebookProblem]:
    """One problem per (code, key): a missing rule referenced twice is reported once."""
    seen: set[tuple[str, str]] = set()
    kept: list[RulebookProblem] = []
    for problem in found:
        if (problem.code, problem.key) not in seen:
            seen.add((problem.code, problem.key))
            kept.append(problem)
    order = {_ERROR: 0, _WARNING: 1, _INFO: 2, Severity.OFF: 3}
    return sorted(kept, key=lambda p: order[p.severity])


def check(book: Rulebook) -> list[RulebookProblem]:
    """Every problem of ``book``: errors first, then warnings and notes."""
    return _Checks(book).run()


__all__ = ["RulebookProblem", "check", "declared_problems"]


# Resolve the string annotations here, where their names live (see thresholds).
attrs.resolve_types(RulebookProblem)
