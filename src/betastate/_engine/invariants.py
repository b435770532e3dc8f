"""
Standing invariants of a recorded history, whoever recorded it.

:class:`betastate.Lifecycle` refuses a command that would break these, but a
history can also come from a file, a database edited by hand or an app that
wrote events itself (two clerks spending from one envelope at once, each
checked against the envelope before the other's spend). :func:`standing`
replays the history in recorded order (retracted events and the retractions
aside) and reports:

- ``BS-CHRONO``: an event dated before one recorded earlier;
- ``BR-01``: spending that falls in no envelope period;
- ``BR-02``: spending that takes an envelope beyond what was granted for its
  period when it was recorded (the check :class:`betastate.Spend` makes);
- ``ST-PM``: a stop without a complete post-mortem (the public beta.gouv.fr
  data never records one, so its stops are reported too: the history lacks
  it, whatever the product page says).

The money replay uses the engine's own ledger fold, so the audit and the
engine cannot disagree on which envelope a spend is charged to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from betastate._engine.ledger import Folder
from betastate._values.events import Retracted, Spent, Stopped
from betastate._values.reasons import Finding, Severity
from betastate._values.startup import Startup


if TYPE_CHECKING:
    from betastate._rules.rulebook import Rulebook

Add = Callable[..., None]
"""``add(rule, message, *dates)``: file one finding (the auditor's own method)."""


def standing(startup: Startup, rulebook: Rulebook) -> list[Finding]:
    """Every standing invariant the history of ``startup`` breaks, in history order."""
    found: list[Finding] = []

    def add(rule: str, message: str, *dates: dt.date) -> None:
        severity = rulebook.severity(rule)
        if severity is not Severity.OFF:
            found.append(Finding(rule, severity, startup.slug, message, None, None, dates))

    check(startup, rulebook, add)
    return found


def check(startup: Startup, rulebook: Rulebook, add: Add) -> None:
    """Replay ``startup``'s history once, filing each broken invariant with ``add``."""
    folder = Folder()
    latest: dt.date | None = None
    required = rulebook.thresholds.post_mortem_authors
    gone = startup.retracted
    for index, event in enumerate(startup.history):
        if index + 1 in gone or isinstance(event, Retracted):
            continue  # recorded in error, or the record of it: counts for nothing
        name = type(event).__name__
        if latest is not None and event.on < latest:
            add(
                "BS-CHRONO",
                f"event {index + 1} ({name} on {event.on}) is recorded after an event dated "
                f"{latest}; histories are never reordered",
                latest,
                event.on,
            )
        latest = event.on if latest is None else max(latest, event.on)
        if isinstance(event, Spent):
            _spent(folder, event, add)
        elif isinstance(event, Stopped):
            report = event.post_mortem
            missing = (
                (
                    "learnings",
                    "why_we_stop",
                    "relaunch_advice",
                    "reasons",
                    *(f"author:{role}" for role in required),
                )
                if report is None
                else report.missing(required)
            )
            if missing:
                what = "no post-mortem" if report is None else "an incomplete post-mortem"
                add(
                    "ST-PM",
                    f"the stop on {event.on} has {what} (missing {', '.join(missing)})",
                    event.on,
                )
        folder.feed(event)


def _spent(folder: Folder, event: Spent, add: Add) -> None:
    """BR-01 and BR-02 for one spend, against the ledger as it stood before it."""
    label = event.label or "no label"
    envelope = folder.covering(event.on)
    if envelope is None:
        add(
            "BR-01",
            f"spending {event.amount:,} € on {event.on} ({label}) falls in no envelope period",
            event.on,
        )
        return
    granted = sum((grant.amount for grant in envelope.grants), Decimal(0))
    if envelope.spent + event.amount > granted:
        add(
            "BR-02",
            f"spending {event.amount:,} € on {event.on} ({label}) takes the {envelope.start} → "
            f"{envelope.end} envelope to {envelope.spent + event.amount:,} € spent of "
            f"{granted:,} € granted",
            event.on,
        )
