"""
Small HTML views for notebooks (``_repr_html_``).

Plain HTML with inline styles (notebooks strip ``<style>`` blocks in some
viewers), escaped everywhere, no script and nothing fetched. Phase badges use
the plot colours so tables and figures read alike.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from betastate._values.events import Retracted


if TYPE_CHECKING:
    from betastate._analytics.portfolio import Portfolio
    from betastate._rules.rulebook import Rulebook
    from betastate._values.startup import Startup

PHASE_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "investigation": "#9ecae1",
        "construction": "#3182bd",
        "acceleration": "#31a354",
        "consolidation": "#a1d99b",
        "opere": "#756bb1",
        "transfere": "#bcbddc",
        "abandon-investigation": "#fdae6b",
        "abandon": "#e6550d",
    }
)
"""Colour of each beta.gouv.fr phase, in notebook views and plots alike."""
_DARK = {"construction", "acceleration", "opere", "abandon"}
_CELL = 'style="border:1px solid #ddd;padding:2px 6px"'
_NUM = 'style="border:1px solid #ddd;padding:2px 6px;text-align:right"'
_MAX_ROWS = 40


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def badge(phase: str | None, book: Rulebook) -> str:
    """A phase as a coloured label (its English label, the value as a tooltip)."""
    if phase is None:
        return '<span style="color:#888">not started</span>'
    label = book.phase(phase).label_en if book.has_phase(phase) else phase
    colour = PHASE_COLOURS.get(phase, "#dddddd")
    ink = "#fff" if phase in _DARK else "#000"
    return (
        f'<span title="{_esc(phase)}" style="background:{colour};color:{ink};'
        f'border-radius:3px;padding:0 4px">{_esc(label)}</span>'
    )


def _detail(event: object) -> str:
    if isinstance(event, Retracted):
        return f"event {event.version}: {event.reason}"
    return str(getattr(event, "phase", "") or getattr(event, "comment", "") or "")


def startup_html(startup: Startup) -> str:
    """A startup: title, current phase, phase spans and its history."""
    from betastate._engine.lifecycle import Lifecycle  # noqa: PLC0415  (import cycle)

    lifecycle = Lifecycle()
    book = lifecycle.rulebook
    state = lifecycle.state(startup)
    until = state.on or lifecycle.today()  # the state's own date (today while running)
    spans = "".join(
        f"<tr><td {_CELL}>{badge(span.phase, book)}</td><td {_CELL}>{span.start.isoformat()}</td>"
        f"<td {_CELL}>{_esc(span.end.isoformat() if span.end else 'running')}</td>"
        f"<td {_NUM}>{span.days(until)}</td></tr>"
        for span in state.spans
    )
    first = max(len(startup.history) - _MAX_ROWS, 0)
    events = startup.history[first:]
    gone = startup.retracted
    rows = "".join(
        (
            f"<tr><td {_CELL}><s>{event.on.isoformat()}</s></td>"
            f"<td {_CELL}><s>{type(event).__name__}</s> (retracted)</td>"
            if place in gone
            else f"<tr><td {_CELL}>{event.on.isoformat()}</td>"
            f"<td {_CELL}>{type(event).__name__}</td>"
        )
        + f"<td {_CELL}>{_esc(_detail(event))}</td></tr>"
        for place, event in enumerate(events, start=first + 1)
    )
    hidden = first
    more = f"<p>... and {hidden} earlier events</p>" if hidden else ""
    where = ", ".join(_esc(x) for x in (startup.incubator, *startup.sponsors) if x)
    return (
        f"<div><strong>{_esc(startup.title)}</strong> (<code>{_esc(startup.slug)}</code>): "
        f"{badge(state.phase, book)}"
        + (f"<br><small>{where}</small>" if where else "")
        + f'<table style="border-collapse:collapse;margin:4px 0"><tr><th {_CELL}>phase</th>'
        f"<th {_CELL}>start</th><th {_CELL}>end</th><th {_CELL}>days</th></tr>{spans}</table>"
        f'<table style="border-collapse:collapse"><tr><th {_CELL}>date</th><th {_CELL}>event</th>'
        f"<th {_CELL}>detail</th></tr>{rows}</table>{more}</div>"
    )


def portfolio_html(portfolio: Portfolio) -> str:
    """
    A portfolio: size, counts by phase on its data's date, and findings by code.

    The counts are :meth:`~betastate.Portfolio.phase_counts` on
    :attr:`~betastate.Portfolio.data_date`, the date every query and the
    report use by default: planned phases (dated after it) are not counted.
    """
    from collections import Counter  # noqa: PLC0415

    from betastate._analytics.counts import phase_counts  # noqa: PLC0415  (import time)
    from betastate._analytics.queries import as_of, default_rulebook  # noqa: PLC0415

    book = default_rulebook(None)
    day = as_of(portfolio, None)
    counts = phase_counts(portfolio, day, book)
    waiting = len(portfolio) - counts.total
    rows = "".join(
        f"<tr><td {_CELL}>{badge(phase, book)}</td><td {_NUM}>{n}</td></tr>"
        for phase, n in counts.items()
        if n
    ) + (
        f"<tr><td {_CELL}>{badge(None, book)}</td><td {_NUM}>{waiting}</td></tr>" if waiting else ""
    )
    codes = Counter(f.code for f in portfolio.findings).most_common(10)
    findings = "".join(f"<tr><td {_CELL}>{_esc(c)}</td><td {_NUM}>{n}</td></tr>" for c, n in codes)
    source = f" from <code>{_esc(portfolio.source)}</code>" if portfolio.source else ""
    return (
        f"<div><strong>Portfolio</strong>{source}: {len(portfolio)} products, "
        f"{len(portfolio.members)} members, {len(portfolio.findings)} findings"
        f'<table style="border-collapse:collapse;margin:4px 0"><tr><th {_CELL}>phase on '
        f"{day.isoformat()}</th><th {_CELL}>products</th></tr>{rows}</table>"
        + (
            f'<table style="border-collapse:collapse"><tr><th {_CELL}>finding</th>'
            f"<th {_CELL}>count</th></tr>{findings}</table>"
            if findings
            else ""
        )
        + "</div>"
    )
