"""
DataFrames of a portfolio, for pandas or polars (the ``analytics`` extra).

Each function returns one table with fixed columns and dtypes, listed in
:data:`COLUMNS` (and in ``docs/analytics.md``): ``products``, ``spans``,
``events``, ``findings``, ``missions``, the monthly ``phase_counts``, and
the ``lessons`` of stopped products with their ``stop_reasons``.
Dates are ``datetime64[ns]`` in pandas and ``Date`` in polars; missing
values are ``NaT``/``<NA>`` (pandas) or ``null`` (polars).

Importing :mod:`betastate` never imports pandas or polars: only importing
this module does, and each function imports only the library it is asked
for::

    import betastate.frames as frames
    df = frames.products(portfolio, on=datetime.date(2026, 1, 1))
    pl_df = frames.spans(portfolio, on=..., backend="polars")

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from betastate._analytics import queries as _analytics


if TYPE_CHECKING:
    from betastate._analytics.portfolio import Portfolio
    from betastate._rules.rulebook import Rulebook

Backend = Literal["pandas", "polars"]

# column -> (kind, description); kind is one of str, date, int, bool.
COLUMNS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "products": {
        "slug": ("str", "The product's slug (file stem)."),
        "title": ("str", "Display name."),
        "incubator": ("str", "Main incubator id (missing when none)."),
        "sponsors": ("str", "Sponsor organisation ids, comma-separated."),
        "phase": ("str", "Phase on the as-of date (missing: not started)."),
        "phase_since": ("date", "Start of that phase."),
        "first_start": ("date", "Start of the first phase."),
        "terminal": ("bool", "Whether the phase is terminal."),
        "events": ("int", "Events in the history."),
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
    "lessons": {
        "slug": ("str", "The stopped product."),
        "title": ("str", "Its name."),
        "on": ("date", "Day it entered its stop phase."),
        "year": ("int", "Year of that day."),
        "phase": ("str", "The stop phase (abandon, abandon-investigation)."),
        "stage": ("str", "The phase it stopped from (missing: none before)."),
        "incubator": ("str", "Its incubator."),
        "sponsors": ("str", "Sponsor organisation ids, comma-separated."),
        "usertypes": ("str", "User types, comma-separated."),
        "reasons": ("str", "Reason categories, comma-separated (unknown: none found)."),
        "classified": ("bool", "Whether a reason is known."),
        "source": ("str", "post-mortem, text or unknown."),
        "repositories": ("str", "Reusable repositories, space-separated."),
        "products": ("str", "Other products its page names, comma-separated."),
        "dormant": ("bool", "Stopped in dormancy."),
        "why": ("str", "Why it stopped, in its own words."),
        "learnings": ("str", "What was learnt."),
        "advice": ("str", "Advice for a relaunch."),
    },
    "stop_reasons": {
        "slug": ("str", "The stopped product."),
        "on": ("date", "Day it entered its stop phase."),
        "year": ("int", "Year of that day."),
        "phase": ("str", "The stop phase."),
        "stage": ("str", "The phase it stopped from."),
        "incubator": ("str", "Its incubator."),
        "reason": ("str", "One reason category, or unknown."),
        "source": ("str", "Where the evidence is (end-event, body, ...)."),
        "rule": ("str", "The classifier rule that matched (betastate.STOP_PATTERNS)."),
        "excerpt": ("str", "The sentence the reason rests on."),
    },
}
"""Columns of each table: ``{table: {column: (kind, description)}}``."""

_PANDAS = {"str": "string", "date": "datetime64[ns]", "int": "Int64", "bool": "boolean"}


def _frame(
    columns: Mapping[str, tuple[str, str]], rows: list[dict[str, Any]], backend: Backend
) -> Any:
    if backend == "polars":
        return _polars_frame(rows, columns)
    chosen: str = backend  # callers without a type checker may pass anything
    if chosen != "pandas":
        msg = f"backend={backend!r} is not supported; use 'pandas' or 'polars'"
        raise ValueError(msg)
    try:
        import pandas as pd  # noqa: PLC0415  (optional)
    except ImportError as exc:
        raise ImportError(f"DataFrames need pandas: {_analytics.EXTRAS_HINT}") from exc
    data = {
        name: pd.Series([row[name] for row in rows], dtype="object").astype(_PANDAS[kind])
        if kind != "date"
        else pd.to_datetime(pd.Series([row[name] for row in rows], dtype="object")).astype(
            "datetime64[ns]"
        )
        for name, (kind, _) in columns.items()
    }
    return pd.DataFrame(data, columns=list(columns))


def _polars_frame(rows: list[dict[str, Any]], columns: Mapping[str, tuple[str, str]]) -> Any:
    try:
        import polars as pl  # noqa: PLC0415  (optional)
    except ImportError as exc:
        raise ImportError(f"DataFrames need polars: {_analytics.EXTRAS_HINT}") from exc
    kinds = {"str": pl.String, "date": pl.Date, "int": pl.Int64, "bool": pl.Boolean}
    schema = {name: kinds[kind] for name, (kind, _) in columns.items()}
    return pl.DataFrame(
        {name: [row[name] for row in rows] for name in columns}, schema=schema, strict=True
    )


def products(
    portfolio: Portfolio,
    on: dt.date | None = None,
    *,
    backend: Backend = "pandas",
    rulebook: Rulebook | None = None,
) -> Any:
    """
    One row per product with its phase on ``on`` (default: today).

    .. versionadded:: 0.1.0
    """
    rows = _analytics.product_records(portfolio, on or _analytics.today(), rulebook)
    return _frame(COLUMNS["products"], rows, backend)


def spans(
    portfolio: Portfolio,
    on: dt.date | None = None,
    *,
    backend: Backend = "pandas",
    rulebook: Rulebook | None = None,
) -> Any:
    """
    One row per phase span as of ``on`` (default: today); running spans have no end.

    .. versionadded:: 0.1.0
    """
    rows = _analytics.span_records(portfolio, on or _analytics.today(), rulebook)
    return _frame(COLUMNS["spans"], rows, backend)


def events(portfolio: Portfolio, *, backend: Backend = "pandas") -> Any:
    """
    One row per event of every history.

    .. versionadded:: 0.1.0
    """
    return _frame(COLUMNS["events"], _analytics.event_records(portfolio), backend)


def findings(portfolio: Portfolio, *, backend: Backend = "pandas") -> Any:
    """
    One row per finding of import.

    .. versionadded:: 0.1.0
    """
    return _frame(COLUMNS["findings"], _analytics.finding_records(portfolio), backend)


def missions(portfolio: Portfolio, *, backend: Backend = "pandas") -> Any:
    """
    One row per (mission, product) pair of the members' missions.

    .. versionadded:: 0.1.0
    """
    return _frame(COLUMNS["missions"], _analytics.mission_records(portfolio), backend)


def phase_counts(
    portfolio: Portfolio,
    start: dt.date,
    end: dt.date,
    *,
    backend: Backend = "pandas",
    rulebook: Rulebook | None = None,
) -> Any:
    """
    Monthly phase counts: a ``month`` column (first day) and one ``Int64`` column per phase.

    .. versionadded:: 0.1.0
    """
    book = _analytics.default_rulebook(rulebook)
    series = _analytics.phase_series(portfolio, _analytics.month_starts(start, end), book)
    phases = list(book.phase_values)
    for counts in series.values():
        phases.extend(p for p in counts if p not in phases)
    columns = {"month": ("date", "First day of the month.")} | {
        phase: ("int", f"Products in {phase} that day.") for phase in phases
    }
    rows = [
        {"month": day} | {p: counts.get(p, 0) for p in phases} for day, counts in series.items()
    ]
    return _frame(columns, rows, backend)


def lessons(
    portfolio: Portfolio,
    on: dt.date | None = None,
    *,
    backend: Backend = "pandas",
    rulebook: Rulebook | None = None,
) -> Any:
    """
    One row per stopped product (see :meth:`betastate.Portfolio.lessons`).

    .. versionadded:: 0.1.0
    """
    from betastate._analytics import lessons as _lessons  # noqa: PLC0415  (import time)

    rows = _lessons.lesson_records(portfolio.lessons(on, rulebook=rulebook))
    return _frame(COLUMNS["lessons"], rows, backend)


def stop_reasons(
    portfolio: Portfolio,
    on: dt.date | None = None,
    *,
    backend: Backend = "pandas",
    rulebook: Rulebook | None = None,
) -> Any:
    """
    One row per (stopped product, evidence): pivot it by reason, stage, incubator, year.

    A product with no evidence has one row with reason ``unknown``.

    .. versionadded:: 0.1.0
    """
    from betastate._analytics import lessons as _lessons  # noqa: PLC0415  (import time)

    rows = _lessons.reason_records(portfolio.lessons(on, rulebook=rulebook))
    return _frame(COLUMNS["stop_reasons"], rows, backend)
