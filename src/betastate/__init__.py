"""
betastate: the lifecycle of French startups d'État as a typed model.

A startup is its history (dated events); a :class:`Lifecycle` applies
commands under a :class:`Rulebook` and returns new startups, or refuses with
every reason at once. See the quick start in the README.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from betastate import exceptions as exceptions
from betastate._analytics.portfolio import Portfolio as Portfolio
from betastate._engine.commands import Advance as Advance
from betastate._engine.commands import AwardFast as AwardFast
from betastate._engine.commands import Command as Command
from betastate._engine.commands import DesignateNationalImpact as DesignateNationalImpact
from betastate._engine.commands import FileRecovery as FileRecovery
from betastate._engine.commands import GrantFunds as GrantFunds
from betastate._engine.commands import HoldCommittee as HoldCommittee
from betastate._engine.commands import Launch as Launch
from betastate._engine.commands import PublishBudget as PublishBudget
from betastate._engine.commands import Record as Record
from betastate._engine.commands import Retract as Retract
from betastate._engine.commands import Spend as Spend
from betastate._engine.commands import Stop as Stop
from betastate._engine.commands import TakeOver as TakeOver
from betastate._engine.commands import UpdateDossier as UpdateDossier
from betastate._engine.ledger import Envelope as Envelope
from betastate._engine.ledger import Ledger as Ledger
from betastate._engine.lifecycle import Lifecycle as Lifecycle
from betastate._engine.lifecycle import Move as Move
from betastate._engine.lifecycle import Outcome as Outcome
from betastate._engine.lifecycle import Verdict as Verdict
from betastate._engine.state import PhaseSpan as PhaseSpan
from betastate._engine.state import StartupState as StartupState
from betastate._io.convert import SCHEMA_VERSION as SCHEMA_VERSION
from betastate._io.convert import from_data as from_data
from betastate._io.convert import make_converter as make_converter
from betastate._io.convert import portfolio_from_json as portfolio_from_json
from betastate._io.convert import portfolio_to_json as portfolio_to_json
from betastate._io.convert import to_data as to_data
from betastate._io.sample import sample_portfolio as sample_portfolio
from betastate._rules.gates import Gate as Gate
from betastate._rules.gates import GateContext as GateContext
from betastate._rules.gates import GateSpec as GateSpec
from betastate._rules.gates import Violation as Violation
from betastate._rules.gates import gate as gate
from betastate._rules.rulebook import LegacyName as LegacyName
from betastate._rules.rulebook import PhaseDef as PhaseDef
from betastate._rules.rulebook import RoleDef as RoleDef
from betastate._rules.rulebook import Rulebook as Rulebook
from betastate._rules.rulebook import RuleDef as RuleDef
from betastate._rules.rulebook import Thresholds as Thresholds
from betastate._rules.rulebook import TransitionDef as TransitionDef
from betastate._rules.thresholds import ThresholdDef as ThresholdDef
from betastate._values.actors import Actor as Actor
from betastate._values.actors import Role as Role
from betastate._values.errors import Problem as Problem
from betastate._values.events import BudgetPublished as BudgetPublished
from betastate._values.events import CommitteeHeld as CommitteeHeld
from betastate._values.events import Decision as Decision
from betastate._values.events import DossierUpdated as DossierUpdated
from betastate._values.events import Event as Event
from betastate._values.events import FastLaureate as FastLaureate
from betastate._values.events import FundsGranted as FundsGranted
from betastate._values.events import ImpactReading as ImpactReading
from betastate._values.events import LiquidationDecided as LiquidationDecided
from betastate._values.events import NationalImpactDesignated as NationalImpactDesignated
from betastate._values.events import Note as Note
from betastate._values.events import Perennised as Perennised
from betastate._values.events import PhaseEnded as PhaseEnded
from betastate._values.events import PhaseEntered as PhaseEntered
from betastate._values.events import Pivoted as Pivoted
from betastate._values.events import ProductLaunched as ProductLaunched
from betastate._values.events import RecoveryFiled as RecoveryFiled
from betastate._values.events import Retracted as Retracted
from betastate._values.events import Spent as Spent
from betastate._values.events import Stopped as Stopped
from betastate._values.events import TakenOver as TakenOver
from betastate._values.money import FundingSource as FundingSource
from betastate._values.money import Grant as Grant
from betastate._values.reasons import Finding as Finding
from betastate._values.reasons import Reason as Reason
from betastate._values.reasons import Severity as Severity
from betastate._values.startup import Incubator as Incubator
from betastate._values.startup import Member as Member
from betastate._values.startup import Mission as Mission
from betastate._values.startup import Organisation as Organisation
from betastate._values.startup import Phase as Phase
from betastate._values.startup import Startup as Startup
from betastate._values.stopping import DOSSIER_ITEMS as DOSSIER_ITEMS
from betastate._values.stopping import NATIONAL_IMPACT_CRITERIA as NATIONAL_IMPACT_CRITERIA
from betastate._values.stopping import ExitPlan as ExitPlan
from betastate._values.stopping import PostMortem as PostMortem
from betastate._values.stopping import StopProcedure as StopProcedure
from betastate._values.stopping import StopReason as StopReason
from betastate._values.stopping import Trajectory as Trajectory
from betastate._version import __version__ as __version__
from betastate.exceptions import BetastateError as BetastateError
from betastate.exceptions import ConcurrencyConflict as ConcurrencyConflict
from betastate.exceptions import DataFileError as DataFileError
from betastate.exceptions import InvalidArgument as InvalidArgument
from betastate.exceptions import InvalidData as InvalidData
from betastate.exceptions import InvalidType as InvalidType
from betastate.exceptions import InvalidValue as InvalidValue
from betastate.exceptions import JournalError as JournalError
from betastate.exceptions import RulebookError as RulebookError
from betastate.exceptions import TransitionRefused as TransitionRefused
from betastate.exceptions import UnknownStartup as UnknownStartup


if TYPE_CHECKING:
    from pathlib import Path

    from betastate._analytics.forecast import Backtest as Backtest
    from betastate._analytics.forecast import Forecast as Forecast

    # Loaded on first use (see __getattr__): reading data and analytics cost
    # import time that embedding a lifecycle engine should not pay.
    from betastate._analytics.funnel import Funnel as Funnel
    from betastate._analytics.funnel import FunnelStep as FunnelStep
    from betastate._analytics.lessons import STOP_PATTERNS as STOP_PATTERNS
    from betastate._analytics.lessons import Asset as Asset
    from betastate._analytics.lessons import Evidence as Evidence
    from betastate._analytics.lessons import Lesson as Lesson
    from betastate._analytics.lessons import StopPattern as StopPattern
    from betastate._analytics.lessons import reason_counts as reason_counts
    from betastate._analytics.outcomes import Cadence as Cadence
    from betastate._analytics.outcomes import Cadences as Cadences
    from betastate._analytics.outcomes import Designation as Designation
    from betastate._analytics.outcomes import Designations as Designations
    from betastate._analytics.outcomes import Laureate as Laureate
    from betastate._analytics.outcomes import Laureates as Laureates
    from betastate._analytics.related import Affinity as Affinity
    from betastate._analytics.related import Related as Related
    from betastate._analytics.results import Counts as Counts
    from betastate._analytics.results import Grouped as Grouped
    from betastate._analytics.results import Series as Series
    from betastate._analytics.survival import Estimate as Estimate
    from betastate._analytics.survival import SurvivalCurve as SurvivalCurve
    from betastate._analytics.teams import DailyRates as DailyRates
    from betastate._analytics.teams import SpendEstimate as SpendEstimate
    from betastate._engine.audit import audit as audit
    from betastate._io.jsonapi import load_jsonapi as load_jsonapi
    from betastate._io.loaders import load_portfolio as load_portfolio
    from betastate._io.members_space import load_members_space as load_members_space
    from betastate._io.schema import json_schema as json_schema
    from betastate._io.writer import LeftOut as LeftOut
    from betastate._io.writer import Written as Written
    from betastate._io.writer import save_startup as save_startup
    from betastate._io.writer import write_frontmatter as write_frontmatter
    from betastate._rules.lint import RulebookProblem as RulebookProblem
    from betastate.journal import open_journal as open_journal

_LAZY: dict[str, str] = {
    "Cadence": "betastate._analytics.outcomes",
    "Cadences": "betastate._analytics.outcomes",
    "Counts": "betastate._analytics.results",
    "DailyRates": "betastate._analytics.teams",
    "Designation": "betastate._analytics.outcomes",
    "Designations": "betastate._analytics.outcomes",
    "Estimate": "betastate._analytics.survival",
    "Funnel": "betastate._analytics.funnel",
    "FunnelStep": "betastate._analytics.funnel",
    "Grouped": "betastate._analytics.results",
    "Laureate": "betastate._analytics.outcomes",
    "Laureates": "betastate._analytics.outcomes",
    "Series": "betastate._analytics.results",
    "SpendEstimate": "betastate._analytics.teams",
    "SurvivalCurve": "betastate._analytics.survival",
    "RulebookProblem": "betastate._rules.lint",
    "audit": "betastate._engine.audit",
    "Backtest": "betastate._analytics.forecast",
    "Forecast": "betastate._analytics.forecast",
    "Affinity": "betastate._analytics.related",
    "Asset": "betastate._analytics.lessons",
    "Evidence": "betastate._analytics.lessons",
    "Lesson": "betastate._analytics.lessons",
    "Related": "betastate._analytics.related",
    "STOP_PATTERNS": "betastate._analytics.lessons",
    "StopPattern": "betastate._analytics.lessons",
    "reason_counts": "betastate._analytics.lessons",
    "json_schema": "betastate._io.schema",
    "load_jsonapi": "betastate._io.jsonapi",
    "load_members_space": "betastate._io.members_space",
    "load_portfolio": "betastate._io.loaders",
    "LeftOut": "betastate._io.writer",
    "Written": "betastate._io.writer",
    "save_startup": "betastate._io.writer",
    "write_frontmatter": "betastate._io.writer",
    "open_journal": "betastate.journal",
}
"""Public name → private module, imported on first access."""


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        msg = f"module 'betastate' has no attribute {name!r}"
        raise AttributeError(msg)
    import importlib  # noqa: PLC0415

    from betastate._io.convert import adopt_module  # noqa: PLC0415

    module = importlib.import_module(module_name)
    adopt_module(module)
    value = getattr(module, name)
    if isinstance(value, type) and value.__module__.startswith("betastate._"):
        value.__module__ = "betastate"
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def rulebook(source: str | Path = "betagouv", *, gates: dict[str, Gate] | None = None) -> Rulebook:
    """
    A rulebook: ``"betagouv"`` or ``"govuk"`` (built in) or the path of your TOML file.

    Args:
        source: Built-in name or path.
        gates: Your own Python gates by name (made with :func:`gate`), for
            transitions that name them.

    Raises:
        RulebookError: The file is missing or invalid; the message names
            the file, the key and the fix, and ``.problems`` lists every
            error the checks found.

    .. versionadded:: 0.1.0
    """
    from betastate._rules.loading import load_rulebook  # noqa: PLC0415  (keep the namespace small)

    return load_rulebook(source, gates=gates)


def lint_rulebook(
    source: str | Path, *, gates: dict[str, Gate] | None = None
) -> tuple[RulebookProblem, ...]:
    """
    Every problem of a rulebook file or built-in, errors first, without raising.

    What ``betastate rules lint FILE`` prints: each problem has a code, a
    severity, the key, a message and a fix. A file with an error-level
    problem does not load; warnings and notes do not stop it.

    Raises:
        RulebookError: The file is missing or is not UTF-8 text.

    .. versionadded:: 0.1.0
    """
    from betastate._rules.loading import lint_rulebook as lint  # noqa: PLC0415

    return lint(source, gates=gates)


__all__ = [
    "DOSSIER_ITEMS",
    "NATIONAL_IMPACT_CRITERIA",
    "SCHEMA_VERSION",
    "STOP_PATTERNS",
    "Actor",
    "Advance",
    "Affinity",
    "Asset",
    "AwardFast",
    "Backtest",
    "BetastateError",
    "BudgetPublished",
    "Cadence",
    "Cadences",
    "Command",
    "CommitteeHeld",
    "ConcurrencyConflict",
    "Counts",
    "DailyRates",
    "DataFileError",
    "Decision",
    "DesignateNationalImpact",
    "Designation",
    "Designations",
    "DossierUpdated",
    "Envelope",
    "Estimate",
    "Event",
    "Evidence",
    "ExitPlan",
    "FastLaureate",
    "FileRecovery",
    "Finding",
    "Forecast",
    "FundingSource",
    "FundsGranted",
    "Funnel",
    "FunnelStep",
    "Gate",
    "GateContext",
    "GateSpec",
    "Grant",
    "GrantFunds",
    "Grouped",
    "HoldCommittee",
    "ImpactReading",
    "Incubator",
    "InvalidArgument",
    "InvalidData",
    "InvalidType",
    "InvalidValue",
    "JournalError",
    "Launch",
    "Laureate",
    "Laureates",
    "Ledger",
    "LeftOut",
    "LegacyName",
    "Lesson",
    "Lifecycle",
    "LiquidationDecided",
    "Member",
    "Mission",
    "Move",
    "NationalImpactDesignated",
    "Note",
    "Organisation",
    "Outcome",
    "Perennised",
    "Phase",
    "PhaseDef",
    "PhaseEnded",
    "PhaseEntered",
    "PhaseSpan",
    "Pivoted",
    "Portfolio",
    "PostMortem",
    "Problem",
    "ProductLaunched",
    "PublishBudget",
    "Reason",
    "Record",
    "RecoveryFiled",
    "Related",
    "Retract",
    "Retracted",
    "Role",
    "RoleDef",
    "RuleDef",
    "Rulebook",
    "RulebookError",
    "RulebookProblem",
    "Series",
    "Severity",
    "Spend",
    "SpendEstimate",
    "Spent",
    "Startup",
    "StartupState",
    "Stop",
    "StopPattern",
    "StopProcedure",
    "StopReason",
    "Stopped",
    "SurvivalCurve",
    "TakeOver",
    "TakenOver",
    "ThresholdDef",
    "Thresholds",
    "Trajectory",
    "TransitionDef",
    "TransitionRefused",
    "UnknownStartup",
    "UpdateDossier",
    "Verdict",
    "Violation",
    "Written",
    "audit",
    "exceptions",
    "from_data",
    "gate",
    "json_schema",
    "lint_rulebook",
    "load_jsonapi",
    "load_members_space",
    "load_portfolio",
    "make_converter",
    "open_journal",
    "portfolio_from_json",
    "portfolio_to_json",
    "reason_counts",
    "rulebook",
    "sample_portfolio",
    "save_startup",
    "to_data",
    "write_frontmatter",
]


def _fix_module_names() -> None:
    """Make reprs and docs say ``betastate.Startup``, not ``betastate._values.startup.Startup``."""
    from betastate._io.convert import resolve_all_types  # noqa: PLC0415

    resolve_all_types()
    for name in __all__:
        if name in _LAZY:
            continue
        obj = globals()[name]
        if isinstance(obj, type) and obj.__module__.startswith("betastate._"):
            obj.__module__ = "betastate"


_fix_module_names()
