"""
What a rulebook must declare because betastate's own code refers to it.

A rulebook fails closed: every rule id the engine can file, and every
decision the engine checks a permission for, must be declared in the file,
or loading it is a :class:`betastate.RulebookError` naming where the missing
entry is referenced. These tables are that contract; tests check them
against the engine's code.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final


ENGINE_RULES: Final = MappingProxyType(
    {
        "BS-CHRONO": "the engine, for every command (a command dated before the last event)",
        "BS-HORIZON": "the engine, for every command (a date too far after today)",
        "BS-RETRACT": "the engine, for Retract (no such event, retracted already, a retraction)",
        "BS-ACTOR": "the engine, for every command (an actor whose role the rulebook lacks)",
        "BS-DATE": "the engine, for every command (a date outside the rulebook's range), and audit",
        "BS-ROLE": "the engine, for every command (deciders of a move, [permissions])",
        "BS-PHASE": "the engine, for a phase change (a phase the rulebook lacks) and audit",
        "BS-MOVE": "the engine, for a phase change (a move the rulebook lacks) and audit",
        "BS-TIE": "the engine, for a phase change (an entry the tie rule would never make current)",
        "N1": "the engine, for a move decided at committee (no committee held that day)",
        "N4": "the engine, for a phase change (a status entered twice) and audit",
        "N5": "audit (a phase end on or before its start)",
        "N6": "the engine, for a phase change (leaving a stop) and audit",
        "N8": "the engine, for a data-only move, and audit",
        "DUR-MAX": "audit (a phase longer than its max_days)",
        "BS-AMOUNT": "the engine, for HoldCommittee, GrantFunds and TakeOver (empty periods)",
        "BR-01": "the engine, for HoldCommittee, GrantFunds and Spend (no envelope)",
        "BR-02": "the engine, for Spend (beyond the envelope)",
        "BR-03": "the engine, for HoldCommittee and TakeOver (period length)",
        "BR-04": "the engine, for HoldCommittee (committee cadence), and audit",
        "BR-05": "the engine, for HoldCommittee (committee too close to exhaustion)",
        "BR-06": "the engine, for HoldCommittee (one decision, consistent phase change)",
        "BR-07": "the engine, for HoldCommittee (a provisional envelope's follow-up)",
        "BR-09": "the engine, for HoldCommittee and GrantFunds (money after a stop)",
        "BR-10": "the engine, for HoldCommittee (cost per use must improve)",
        "BR-11": "the engine, for HoldCommittee (first impact readings)",
        "BR-12": "the engine, for HoldCommittee, GrantFunds and AwardFast (FAST share, caps)",
        "BR-13": "the engine, for HoldCommittee (an envelope crossing 31 December)",
        "BR-14": "the engine, for HoldCommittee (budget publication)",
        "CC-ATTEND": "the engine, for HoldCommittee (mandatory attendees)",
        "FAST-PHASE": "the engine, for AwardFast (FAST selects products in acceleration)",
        "ST-PM": "audit (a recorded stop without a complete post-mortem)",
        "ST-SAFEGUARD": "the engine, for HoldCommittee and FileRecovery (liquidation)",
        "ST-DORMANT": "the engine, for Stop (dormancy after a liquidation)",
        "ST-TAKEOVER": "the engine, for TakeOver (nothing to take over)",
        "ST-DOSSIER": "the engine, for Stop and TakeOver (takeover dossier)",
        "NI-CRITERIA": "the engine, for DesignateNationalImpact (the three criteria)",
        "NI-ONCE": "the engine, for DesignateNationalImpact and Record (designated once)",
        "NI-PHASE": "the engine, for DesignateNationalImpact (phase of the designation)",
    }
)
"""Rule id → where betastate's engine (or :func:`betastate.audit`) files it."""

PERMISSIONS: Final = MappingProxyType(
    {
        "launch": "Launch, and Record of a ProductLaunched",
        "continue": "HoldCommittee(decision='continue'), and Record of a CommitteeHeld deciding it",
        "provisional": (
            "HoldCommittee(decision='provisional'), and Record of a CommitteeHeld deciding it"
        ),
        "stop": "HoldCommittee(decision='stop'), and Record of a CommitteeHeld deciding a stop",
        "committee": "Record of a CommitteeHeld without a decision (a committee was held)",
        "grant": "GrantFunds",
        "fast": "AwardFast, GrantFunds of FAST money, and Record of a FastLaureate",
        "spend": "Spend",
        "recovery": "FileRecovery",
        "takeover": "TakeOver",
        "dossier": "UpdateDossier",
        "national-impact": ("DesignateNationalImpact, and Record of a NationalImpactDesignated"),
        "publish-budget": "PublishBudget, and Record of a BudgetPublished",
        "end-phase": "Record of a PhaseEnded (the explicit end of a phase)",
        "record": "Record of any other event (a Note)",
        "retract": "Retract of a phase entry or a pivot (other events: their own command's)",
    }
)
"""
Permission key → the commands it governs.

A phase change (:class:`betastate.Advance`, :class:`betastate.Stop`, or one
carried by a committee) is decided by its transition's ``deciders`` (with its
``co_deciders``); a committee's decision also needs the decision's key.
"""

RECORD_PERMISSIONS: Final = MappingProxyType(
    {
        "ProductLaunched": "launch",
        "NationalImpactDesignated": "national-impact",
        "FastLaureate": "fast",
        "BudgetPublished": "publish-budget",
        "PhaseEnded": "end-phase",
        "Note": "record",
    }
)
"""
Event class → the permission recording it needs (``Record``).

A ``CommitteeHeld`` needs its decision's permission (``committee`` when it
has none); events that move money, a stop or a phase have their own command
and cannot be recorded at all.
"""

RETRACT_PERMISSIONS: Final = MappingProxyType(
    {
        **RECORD_PERMISSIONS,
        "Spent": "spend",
        "FundsGranted": "grant",
        "Stopped": "stop",
        "LiquidationDecided": "stop",
        "RecoveryFiled": "recovery",
        "TakenOver": "takeover",
        "DossierUpdated": "dossier",
        "Perennised": "continue",
    }
)
"""
Event class → the permission retracting it needs: its own command's.

A ``CommitteeHeld`` needs its decision's (``committee`` without one); a phase
entry or a pivot, decided by moves with deciders of their own, needs ``retract``.
"""

AMOUNT_FIELDS: Final = ("sponsor_budget_line",)
"""Amount fields the phase-change commands carry (for the ``min_amount`` gate)."""
