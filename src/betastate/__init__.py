"""
betastate: the lifecycle of French startups d'État as a typed model.

A startup is its history (dated events); a :class:`Lifecycle` applies
commands under a :class:`Rulebook` and returns new startups, or refuses with
every reason at once. See the quick start in the README.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import exceptions as exceptions
from ._budget import Envelope as Envelope
from ._budget import FundingSource as FundingSource
from ._budget import Grant as Grant
from ._budget import Ledger as Ledger
from ._commands import Advance as Advance
from ._commands import AwardFast as AwardFast
from ._commands import Command as Command
from ._commands import DesignateNationalImpact as DesignateNationalImpact
from ._commands import FileRecovery as FileRecovery
from ._commands import GrantFunds as GrantFunds
from ._commands import HoldCommittee as HoldCommittee
from ._commands import Launch as Launch
from ._commands import PublishBudget as PublishBudget
from ._commands import Record as Record
from ._commands import Spend as Spend
from ._commands import Stop as Stop
from ._commands import TakeOver as TakeOver
from ._commands import UpdateDossier as UpdateDossier
from ._convert import SCHEMA_VERSION as SCHEMA_VERSION
from ._convert import from_data as from_data
from ._convert import make_converter as make_converter
from ._convert import portfolio_from_json as portfolio_from_json
from ._convert import portfolio_to_json as portfolio_to_json
from ._convert import to_data as to_data
from ._events import BudgetPublished as BudgetPublished
from ._events import CommitteeHeld as CommitteeHeld
from ._events import Decision as Decision
from ._events import DossierUpdated as DossierUpdated
from ._events import Event as Event
from ._events import FastLaureate as FastLaureate
from ._events import FundsGranted as FundsGranted
from ._events import ImpactReading as ImpactReading
from ._events import LiquidationDecided as LiquidationDecided
from ._events import NationalImpactDesignated as NationalImpactDesignated
from ._events import Note as Note
from ._events import Perennised as Perennised
from ._events import PhaseEnded as PhaseEnded
from ._events import PhaseEntered as PhaseEntered
from ._events import Pivoted as Pivoted
from ._events import ProductLaunched as ProductLaunched
from ._events import RecoveryFiled as RecoveryFiled
from ._events import Spent as Spent
from ._events import Stopped as Stopped
from ._events import TakenOver as TakenOver
from ._gates import GateContext as GateContext
from ._gates import Violation as Violation
from ._lifecycle import Lifecycle as Lifecycle
from ._lifecycle import Move as Move
from ._lifecycle import Outcome as Outcome
from ._lifecycle import Verdict as Verdict
from ._model import Actor as Actor
from ._model import Incubator as Incubator
from ._model import Member as Member
from ._model import Mission as Mission
from ._model import Organisation as Organisation
from ._model import Phase as Phase
from ._model import Reason as Reason
from ._model import Role as Role
from ._model import Severity as Severity
from ._model import Startup as Startup
from ._portfolio import Finding as Finding
from ._portfolio import Portfolio as Portfolio
from ._rulebook import Gate as Gate
from ._rulebook import LegacyName as LegacyName
from ._rulebook import PhaseDef as PhaseDef
from ._rulebook import Rulebook as Rulebook
from ._rulebook import RuleDef as RuleDef
from ._rulebook import Thresholds as Thresholds
from ._rulebook import TransitionDef as TransitionDef
from ._sample import sample_portfolio as sample_portfolio
from ._state import PhaseSpan as PhaseSpan
from ._state import StartupState as StartupState
from ._stopping import DOSSIER_ITEMS as DOSSIER_ITEMS
from ._stopping import NATIONAL_IMPACT_CRITERIA as NATIONAL_IMPACT_CRITERIA
from ._stopping import ExitPlan as ExitPlan
from ._stopping import PostMortem as PostMortem
from ._stopping import StopProcedure as StopProcedure
from ._stopping import StopReason as StopReason
from ._stopping import Trajectory as Trajectory
from .exceptions import BetastateError as BetastateError
from .exceptions import ConcurrencyConflict as ConcurrencyConflict
from .exceptions import DataFileError as DataFileError
from .exceptions import JournalError as JournalError
from .exceptions import RulebookError as RulebookError
from .exceptions import TransitionRefused as TransitionRefused
from .exceptions import UnknownStartup as UnknownStartup


if TYPE_CHECKING:
    from pathlib import Path

    # Loaded on first use (see __getattr__): reading data and analytics cost
    # import time that embedding a lifecycle engine should not pay.
    from ._analytics import Cadence as Cadence
    from ._analytics import DailyRates as DailyRates
    from ._analytics import Estimate as Estimate
    from ._analytics import FunnelStep as FunnelStep
    from ._analytics import SpendEstimate as SpendEstimate
    from ._analytics import SurvivalCurve as SurvivalCurve
    from ._audit import audit as audit
    from ._jsonapi import load_jsonapi as load_jsonapi
    from ._loaders import load_portfolio as load_portfolio
    from ._schema import json_schema as json_schema
    from ._writer import save_startup as save_startup
    from ._writer import write_frontmatter as write_frontmatter
    from .journal import open_journal as open_journal

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "Cadence": "_analytics",
    "DailyRates": "_analytics",
    "Estimate": "_analytics",
    "FunnelStep": "_analytics",
    "SpendEstimate": "_analytics",
    "SurvivalCurve": "_analytics",
    "audit": "_audit",
    "json_schema": "_schema",
    "load_jsonapi": "_jsonapi",
    "load_portfolio": "_loaders",
    "open_journal": "journal",
    "save_startup": "_writer",
    "write_frontmatter": "_writer",
}
"""Public name → private module, imported on first access."""


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        msg = f"module 'betastate' has no attribute {name!r}"
        raise AttributeError(msg)
    import importlib  # noqa: PLC0415

    from ._convert import adopt_module  # noqa: PLC0415

    module = importlib.import_module(f".{module_name}", __name__)
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
    A rulebook: ``"betagouv"`` (built in) or the path of your TOML file.

    Args:
        source: Built-in name or path.
        gates: Your own gates by name, for transitions that name them.

    Raises:
        RulebookError: The file is missing or invalid; the message names
            the file, the key and the fix.

    .. versionadded:: 0.1.0
    """
    from ._rulebook import load_rulebook  # noqa: PLC0415  (keep the namespace small)

    return load_rulebook(source, gates=gates)


__all__ = [
    "DOSSIER_ITEMS",
    "NATIONAL_IMPACT_CRITERIA",
    "SCHEMA_VERSION",
    "Actor",
    "Advance",
    "AwardFast",
    "BetastateError",
    "BudgetPublished",
    "Cadence",
    "Command",
    "CommitteeHeld",
    "ConcurrencyConflict",
    "DailyRates",
    "DataFileError",
    "Decision",
    "DesignateNationalImpact",
    "DossierUpdated",
    "Envelope",
    "Estimate",
    "Event",
    "ExitPlan",
    "FastLaureate",
    "FileRecovery",
    "Finding",
    "FundingSource",
    "FundsGranted",
    "FunnelStep",
    "Gate",
    "GateContext",
    "Grant",
    "GrantFunds",
    "HoldCommittee",
    "ImpactReading",
    "Incubator",
    "JournalError",
    "Launch",
    "Ledger",
    "LegacyName",
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
    "ProductLaunched",
    "PublishBudget",
    "Reason",
    "Record",
    "RecoveryFiled",
    "Role",
    "RuleDef",
    "Rulebook",
    "RulebookError",
    "Severity",
    "Spend",
    "SpendEstimate",
    "Spent",
    "Startup",
    "StartupState",
    "Stop",
    "StopProcedure",
    "StopReason",
    "Stopped",
    "SurvivalCurve",
    "TakeOver",
    "TakenOver",
    "Thresholds",
    "Trajectory",
    "TransitionDef",
    "TransitionRefused",
    "UnknownStartup",
    "UpdateDossier",
    "Verdict",
    "Violation",
    "audit",
    "exceptions",
    "from_data",
    "json_schema",
    "load_jsonapi",
    "load_portfolio",
    "make_converter",
    "open_journal",
    "portfolio_from_json",
    "portfolio_to_json",
    "rulebook",
    "sample_portfolio",
    "save_startup",
    "to_data",
    "write_frontmatter",
]


def _fix_module_names() -> None:
    """Make reprs and docs say ``betastate.Startup``, not ``betastate._model.Startup``."""
    from ._convert import resolve_all_types  # noqa: PLC0415

    resolve_all_types()
    for name in __all__:
        if name in _LAZY:
            continue
        obj = globals()[name]
        if isinstance(obj, type) and obj.__module__.startswith("betastate._"):
            obj.__module__ = "betastate"


_fix_module_names()
