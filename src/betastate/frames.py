"""
DataFrames of a portfolio, for pandas or polars (the ``analytics`` extra).

Each function returns one table with fixed columns and dtypes, listed in
:data:`COLUMNS` (and in ``docs/analytics.md``): ``products``, ``spans``,
``events``, ``findings``, ``missions``, the monthly ``phase_counts``, and
the ``lessons`` of stopped products with their ``stop_reasons``.
Dates are ``datetime64[ns]`` in pandas and ``Date`` in polars; money is
rounded to the cent (``Decimal`` objects in pandas, ``Decimal(38, 2)`` in
polars); missing values are ``NaT``/``<NA>`` (pandas) or ``null``
(polars). Every query result also has its own ``to_frame()``.

Importing :mod:`betastate` never imports pandas or polars: only importing
this module does, and each function imports only the library it is asked
for::

    import betastate.frames as frames
    df = frames.products(portfolio)           # as of the data's date
    pl_df = frames.spans(portfolio, on=..., backend="polars")

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from betastate._analytics import counts as _counts
from betastate._analytics import lessons as _lessons
from betastate._analytics import queries as _queries
from betastate._analytics import records as _records
from betastate._analytics.tables import Backend
from betastate._analytics.tables import frame as _frame


if TYPE_CHECKING:
    from betastate._analytics.portfolio import Portfolio
    from betastate._rules.rulebook import Rulebook

COLUMNS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    **_records.COLUMNS,
    **_lessons.COLUMNS,
}
"""Columns of each table: ``{table: {column: (kind, description)}}``."""


def products(
    portfolio: Portfolio,
    on: dt.date | None = None,
    *,
    backend: Backend = "pandas",
    rulebook: Rulebook | None = None,
    extra: Iterable[str] | bool = (),
) -> Any:
    """
    One row per product: its phase on ``on`` (default: the data's date), FAST, national impact.

    ``extra`` adds front-matter keys the startups keep in ``extra`` as
    ``extra.<key>`` text columns (lists and mappings as JSON): name them,
    or pass ``True`` for every key found.

    .. versionadded:: 0.1.0
    """
    day = _queries.as_of(portfolio, on)
    rows = _records.product_records(portfolio, day, rulebook, extra)
    keys = _records.extra_keys(portfolio, extra)
    columns = dict(COLUMNS["products"]) | {
        _records.EXTRA_PREFIX + key: ("str", f"The front matter's {key!r}, as text.")
        for key in keys
    }
    return _frame(columns, rows, backend)


def spans(
    portfolio: Portfolio,
    on: dt.date | None = None,
    *,
    backend: Backend = "pandas",
    rulebook: Rulebook | None = None,
) -> Any:
    """
    One row per phase span as of ``on`` (default: the data's date); running spans have no end.

    .. versionadded:: 0.1.0
    """
    rows = _records.span_records(portfolio, _queries.as_of(portfolio, on), rulebook)
    return _frame(COLUMNS["spans"], rows, backend)


def events(portfolio: Portfolio, *, backend: Backend = "pandas") -> Any:
    """
    One row per event of every history.

    .. versionadded:: 0.1.0
    """
    return _frame(COLUMNS["events"], _records.event_records(portfolio), backend)


def findings(portfolio: Portfolio, *, backend: Backend = "pandas") -> Any:
    """
    One row per finding of import.

    .. versionadded:: 0.1.0
    """
    return _frame(COLUMNS["findings"], _records.finding_records(portfolio), backend)


def missions(portfolio: Portfolio, *, backend: Backend = "pandas") -> Any:
    """
    One row per (mission, product) pair of the members' missions.

    .. versionadded:: 0.1.0
    """
    return _frame(COLUMNS["missions"], _records.mission_records(portfolio), backend)


def phase_counts(
    portfolio: Portfolio,
    start: dt.date,
    end: dt.date | None = None,
    *,
    backend: Backend = "pandas",
    rulebook: Rulebook | None = None,
) -> Any:
    """
    Monthly phase counts: a ``month`` column (first day) and one ``Int64`` column per phase.

    ``end`` defaults to the data's date.

    .. versionadded:: 0.1.0
    """
    book = _queries.default_rulebook(rulebook)
    dates = _queries.month_starts(start, _queries.as_of(portfolio, end))
    series = _counts.phase_series(portfolio, dates, book)
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
    rows = _lessons.reason_records(portfolio.lessons(on, rulebook=rulebook))
    return _frame(COLUMNS["stop_reasons"], rows, backend)
