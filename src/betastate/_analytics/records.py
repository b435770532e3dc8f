"""
Flat records of a portfolio, one dict per row: what :mod:`betastate.frames` and the report read.

Each function's rows have the columns :data:`COLUMNS` lists for its table,
with their kinds (see :mod:`betastate._analytics.tables`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from betastate._analytics.outcomes import fast_facts
from betastate._analytics.queries import default_rulebook, timelines
from betastate._analytics.survival import spans_on
from betastate._values.events import NationalImpactDesignated


if TYPE_CHECKING:
    from betastate._analytics.portfolio import Portfolio
    from betastate._rules.rulebook import Rulebook
    from betastate._values.reasons import Finding

COLUMNS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "products": {
        "slug": ("str", "The product's slug (file stem)."),
        "title": ("str", "Display name."),
        "incubator": ("str", "Main incubator id (missing when none)."),
        "sponsors": ("str", "Sponsor organisation ids, comma-separated."),
        "phase": ("str", "Phase on the as-of date (missing: not started)."),
        "phase_since": ("date", "Start of that phase."),
        "first_start": ("date", "Start of the first phase."),
        "cohort": ("int", "Year of the first phase."),
        "terminal": ("bool", "Whether the phase is terminal."),
        "events": ("int", "Events in the history."),
        "fast": ("bool", "FAST laureate by the date (a fast event, or a fast block)."),
        "fast_edition": ("int", "FAST edition, when known."),
        "fast_amount": ("money", "FAST amount in euros, when known."),
        "fast_source": ("str", "Where the FAST award is recorded: event, block or both."),
        "national_impact": ("date", "Date of the national-impact designation, if any by the date."),
    },
    "spans": {
        "slug": ("str", "The product."),
        "phase": ("str", "The phase."),
        "start": ("date", "First day."),
        "end": ("date", "End (next start or explicit end); missing while running."),
        "explicit_end": ("bool", "Whether the end is an explicit end in the data."),
        "days": ("int", "Length in days, a running span counted to the as-of date."),
        "running": ("bool", "Still running on the as-of date (right-censored)."),
    },
    "events": {
        "slug": ("str", "The product."),
        "on": ("date", "Date of the event."),
        "kind": ("str", "Event class (PhaseEntered, CommitteeHeld...)."),
        "phase": ("str", "Phase the event names, if any."),
        "comment": ("str", "Free comment, if any."),
        "retracted": ("bool", "Whether a later Retracted says it was recorded in error."),
    },
    "findings": {
        "code": ("str", "Finding code."),
        "severity": ("str", "error, warning or info."),
        "slug": ("str", "Product concerned, if any."),
        "message": ("str", "What was found."),
        "file": ("str", "File it was found in."),
        "line": ("int", "1-based line, when known."),
    },
    "missions": {
        "member": ("str", "Member id."),
        "mission": ("int", "Index of the mission in the member's list."),
        "domaine": ("str", "The member's domaine."),
        "status": ("str", "independent, admin or service."),
        "employer": ("str", "Employer as written."),
        "start": ("date", "First day."),
        "end": ("date", "Last day, if known."),
        "startup": ("str", "One product of the mission (one row per product)."),
    },
}
"""Columns of each table: ``{table: {column: (kind, description)}}``."""

EXTRA_PREFIX = "extra."
"""Columns taken from a startup's ``extra`` keys are named ``extra.<key>``."""


def extra_text(value: Any) -> str | None:
    """A front-matter value as text: strings as they are, the rest as JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def extra_keys(portfolio: Portfolio, wanted: Iterable[str] | bool) -> tuple[str, ...]:
    """The ``extra`` keys asked for: those named, or every key any product has (``True``)."""
    if wanted is True:
        return tuple(sorted({key for s in portfolio for key in s.extra}))
    if wanted is False:
        return ()
    return tuple(dict.fromkeys(wanted))


def product_records(
    portfolio: Portfolio,
    on: dt.date,
    rulebook: Rulebook | None = None,
    extra: Iterable[str] | bool = (),
) -> list[dict[str, Any]]:
    """One row per product: identity, phase on ``on``, first start, FAST, national impact."""
    book = default_rulebook(rulebook)
    lines = timelines(portfolio, book)
    keys = extra_keys(portfolio, extra)
    rows = []
    for startup in portfolio:
        line = [item for item in lines[startup.slug] if item[0] <= on]
        phase = line[-1][1] if line else None
        fast = fast_facts(startup, on) if line else None
        impact = min(
            (
                e.on
                for e in startup.in_force
                if isinstance(e, NationalImpactDesignated) and e.on <= on
            ),
            default=None,
        )
        row = {
            "slug": startup.slug,
            "title": startup.title,
            "incubator": startup.incubator,
            "sponsors": ",".join(startup.sponsors),
            "phase": phase,
            "phase_since": line[-1][0] if line else None,
            "first_start": line[0][0] if line else None,
            "cohort": line[0][0].year if line else None,
            "terminal": phase is not None and book.is_terminal(phase),
            "events": len(startup.history),
            "fast": fast is not None,
            "fast_edition": fast[1] if fast else None,
            "fast_amount": fast[2] if fast else None,
            "fast_source": fast[3] if fast else None,
            "national_impact": impact,
        }
        row.update({EXTRA_PREFIX + key: extra_text(startup.extra.get(key)) for key in keys})
        rows.append(row)
    return rows


def span_records(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None
) -> list[dict[str, Any]]:
    """One row per phase span as of ``on`` (``end`` empty while running)."""
    book = default_rulebook(rulebook)
    return [
        {
            "slug": startup.slug,
            "phase": span.phase,
            "start": span.start,
            "end": span.end,
            "explicit_end": span.explicit_end,
            "days": span.days(on),
            "running": span.end is None,
        }
        for startup in portfolio
        for span in spans_on(startup, book, on)
    ]


def event_records(portfolio: Portfolio) -> list[dict[str, Any]]:
    """
    One row per event as recorded: product, date, kind, phase (if any), comment.

    Retracted events keep their row, marked ``retracted``; the retractions
    have theirs (kind ``Retracted``).
    """
    return [
        {
            "slug": startup.slug,
            "on": event.on,
            "kind": type(event).__name__,
            "phase": getattr(event, "phase", None),
            "comment": event.comment,
            "retracted": place in startup.retracted,
        }
        for startup in portfolio
        for place, event in enumerate(startup.history, start=1)
    ]


def finding_record(finding: Finding) -> dict[str, Any]:
    """A finding as a plain row (frames, the report)."""
    return {
        "code": finding.code,
        "severity": str(finding.severity),
        "slug": finding.slug,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
    }


def finding_records(portfolio: Portfolio) -> list[dict[str, Any]]:
    """One row per finding of import."""
    return [finding_record(f) for f in portfolio.findings]


def mission_records(portfolio: Portfolio) -> list[dict[str, Any]]:
    """One row per (mission, product) pair; a mission naming no product gets one row."""
    return [
        {
            "member": member.id,
            "mission": index,
            "domaine": member.domaine,
            "status": mission.status,
            "employer": mission.employer,
            "start": mission.start,
            "end": mission.end,
            "startup": slug,
        }
        for member in portfolio.members
        for index, mission in enumerate(member.missions)
        for slug in mission.startups or (None,)
    ]
