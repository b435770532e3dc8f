"""
``betastate report``: one summary of a portfolio, as text, JSON or HTML.

:func:`build` gathers the numbers into plain data (what ``--format json``
prints); :func:`render_text` and :func:`render_html` present them. Only the
survival estimates (lifelines) and the figures (matplotlib) need extras; a
plain install gets everything else and a note saying how to get the rest.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import html
import io
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from betastate._analytics import queries as _analytics
from betastate._analytics.portfolio import Portfolio
from betastate._cli.common import (
    ProgressBar,
    add_rulebook_argument,
    date_arg,
    emit,
    error,
    load_any,
    rulebook_of,
    source,
)
from betastate._values.errors import BetastateError


if TYPE_CHECKING:
    from betastate._rules.rulebook import Rulebook

TOP_FINDINGS = 10
SECTIONS = (
    "summary",
    "phases",
    "incubators",
    "funnel",
    "durations",
    "survival",
    "committees",
    "fast",
    "teams",
    "findings",
    "lessons",
    "products",
)
"""Every section of the report, in order (the HTML has one ``<section id=...>`` each)."""


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _estimate(estimate: _analytics.Estimate) -> dict[str, float | None]:
    return {"days": estimate.days, "lower": estimate.lower, "upper": estimate.upper}


def _curve(curve: _analytics.SurvivalCurve) -> dict[str, Any]:
    return {
        "n": curve.n,
        "ended": curve.observed,
        "censored": curve.censored,
        "same_day": curve.same_day,
        "median": _estimate(curve.median),
        "q1": _estimate(curve.q1),
        "q3": _estimate(curve.q3),
    }


def build(portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None) -> dict[str, Any]:
    """The report's numbers as JSON-ready data (dates as ISO strings)."""
    from betastate._version import __version__  # noqa: PLC0415

    book = _analytics.default_rulebook(rulebook)
    notes: list[str] = []
    counts = _analytics.phase_counts(portfolio, on, book)
    report: dict[str, Any] = {
        "summary": {
            "betastate": __version__,
            "source": portfolio.source or "portfolio",
            "on": on.isoformat(),
            "products": len(portfolio),
            "started": sum(counts.values()),
            "running": sum(n for p, n in counts.items() if not book.is_terminal(p)),
            "members": len(portfolio.members),
            "findings": len(portfolio.findings),
            "rulebook": book.name,
        },
        "phases": [
            {
                "phase": p,
                "label_en": _label(book, p, "en"),
                "label_fr": _label(book, p, "fr"),
                "n": n,
            }
            for p, n in counts.items()
        ],
        "incubators": _analytics.grouped_phase_counts(portfolio, on, "incubator", book),
        "funnel": _funnel(portfolio, on, book),
    }
    try:
        report["durations"] = {
            phase: _curve(curve)
            for phase, curve in _analytics.durations(portfolio, on, book).items()
        }
        report["survival"] = {
            kind: _curve(curve)
            for kind in ("stop", "exit")
            for curve in _analytics.survival(portfolio, on, kind, None, book).values()
        }
    except ImportError:
        report["durations"] = None
        report["survival"] = None
        notes.append(
            f"durations and survival (Kaplan-Meier) need lifelines: {_analytics.EXTRAS_HINT}"
        )
    cadence = _analytics.committee_cadence(portfolio, on, book)
    report["committees"] = {
        "interval_months": book.thresholds.committee_interval_months,
        "checked": len(cadence),
        "compliant": sum(1 for c in cadence if c.compliant),
        "without_committee": sum(1 for c in cadence if c.committees == 0),
        "late": [
            {"slug": c.slug, "phase": c.phase, "longest_gap_days": c.longest_gap_days}
            for c in sorted(cadence, key=lambda c: -c.longest_gap_days)
            if not c.compliant
        ][:TOP_FINDINGS],
    }
    report["fast"] = {p: n for p, n in _analytics.fast_outcomes(portfolio, on, book).items() if n}
    if portfolio.members:
        year_ago = dt.date(on.year - 1, on.month, min(on.day, 28))
        spend = _analytics.estimated_spend(portfolio, year_ago, on)
        report["teams"] = {
            "on_mission": _analytics.team_counts(portfolio, on),
            "spend_last_12_months": {
                "start": year_ago.isoformat(),
                "end": on.isoformat(),
                "days": spend.days,
                "low_eur": str(spend.low.quantize(1)),
                "high_eur": str(spend.high.quantize(1)),
                "rates": "brief §7.4 (D-TJM) defaults; see betastate.DailyRates",
            },
        }
    else:
        report["teams"] = None
        notes.append("no members' missions in this portfolio: no team section")
    by_code = Counter(f.code for f in portfolio.findings)
    report["findings"] = {
        "total": len(portfolio.findings),
        "by_code": dict(by_code.most_common()),
        "top": [
            _analytics.finding_record(f)
            for f in sorted(portfolio.findings, key=_finding_order)[:TOP_FINDINGS]
        ],
    }
    report["products"] = [
        {
            "slug": row["slug"],
            "title": row["title"],
            "incubator": row["incubator"],
            "phase": row["phase"],
            "since": _iso(row["phase_since"]),
        }
        for row in _analytics.product_records(portfolio, on, book)
    ]
    from betastate._analytics import lessons as _lessons  # noqa: PLC0415  (import time)

    report["lessons"] = _lessons.report_section(portfolio, on, book)
    report["notes"] = notes
    return report


def _funnel(portfolio: Portfolio, on: dt.date, book: Rulebook) -> list[dict[str, Any]]:
    steps = _analytics.funnel(portfolio, on, _analytics.DEFAULT_STEPS, book)
    return [
        {
            "step": step.name,
            "phases": list(step.phases),
            "entered": step.entered,
            "advanced": step.advanced,
            "stopped": step.stopped,
            "ended": step.ended,
            "running": step.running,
            "other": step.other,
            # The last step has nothing to advance to: no conversion rate.
            "rate": _round(step.rate) if index + 1 < len(steps) else None,
            "decided_rate": _round(step.decided_rate) if index + 1 < len(steps) else None,
        }
        for index, step in enumerate(steps)
    ]


def _finding_order(finding: Any) -> tuple[int, str, str]:
    rank = {"error": 0, "warning": 1, "info": 2}.get(str(finding.severity), 3)
    return (rank, finding.code, finding.slug or "")


def _label(book: Rulebook, phase: str, lang: str) -> str:
    return book.phase(phase).label(lang) if book.has_phase(phase) else phase


def render_json(report: dict[str, Any]) -> str:
    """The report as indented JSON."""
    return json.dumps(report, indent=2, ensure_ascii=False)


def _days(estimate: dict[str, float | None]) -> str:
    def one(value: float | None) -> str:
        return "not reached" if value is None else f"{value:.0f} d"

    return f"{one(estimate['days'])} (95% CI {one(estimate['lower'])} .. {one(estimate['upper'])})"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def render_text(report: dict[str, Any]) -> str:
    """A terminal summary: counts, funnel, durations, committees, teams, top findings."""
    s = report["summary"]
    out = [
        f"betastate report: {s['products']} products ({s['source']}), as of {s['on']}",
        f"  {s['started']} started, {s['running']} running, {s['findings']} findings",
        "",
        "Products by phase",
    ]
    out.extend(f"  {row['phase']:<24} {row['n']:>5}" for row in report["phases"])
    out += ["", "Funnel (rate: running count as not converted; decided: running left out)"]
    out.append(
        f"  {'step':<16}{'entered':>8}{'advanced':>9}{'stopped':>8}{'ended':>7}"
        f"{'running':>8}{'rate':>7}{'decided':>8}"
    )
    out.extend(
        f"  {f['step']:<16}{f['entered']:>8}{f['advanced']:>9}{f['stopped']:>8}{f['ended']:>7}"
        f"{f['running']:>8}{_pct(f['rate']):>7}{_pct(f['decided_rate']):>8}"
        for f in report["funnel"]
    )
    if report["durations"] is not None:
        out += ["", "Time in phase (Kaplan-Meier median, running spans censored)"]
        out.extend(
            f"  {phase:<16} n={c['n']:<4} ended={c['ended']:<4} median {_days(c['median'])}"
            for phase, c in report["durations"].items()
        )
        out += ["", "Time from first phase to an outcome (Kaplan-Meier median)"]
        out.extend(
            f"  {kind:<16} n={c['n']:<4} ended={c['ended']:<4} median {_days(c['median'])}"
            for kind, c in report["survival"].items()
        )
    c = report["committees"]
    out += [
        "",
        f"Committee cadence (every {c['interval_months']} months at most)",
        (
            f"  {c['compliant']} of {c['checked']} running products on time; "
            f"{c['without_committee']} without any committee"
        ),
    ]
    if report["fast"]:
        out += ["", "FAST laureates now"]
        out.extend(f"  {phase:<24} {n:>5}" for phase, n in report["fast"].items())
    if report["teams"] is not None:
        t = report["teams"]
        spend = t["spend_last_12_months"]
        out += [
            "",
            "Teams",
            "  on a mission: " + ", ".join(f"{k} {v}" for k, v in t["on_mission"].items()),
            (
                f"  estimated spend {spend['start']}..{spend['end']}: "
                f"{spend['low_eur']}..{spend['high_eur']} EUR excl. VAT ({spend['days']} days)"
            ),
        ]
    f = report["findings"]
    out += ["", f"Findings: {f['total']}"]
    out.extend(f"  {code:<28} {n:>5}" for code, n in list(f["by_code"].items())[:TOP_FINDINGS])
    out.extend(
        f"  - [{item['code']}] {item['slug'] or '-'}: {item['message']}" for item in f["top"]
    )
    from betastate._analytics import lessons as _lessons  # noqa: PLC0415  (import time)

    out += _lessons.section_text(report["lessons"])
    if report["notes"]:
        out += ["", "Notes"]
        out.extend(f"  - {note}" for note in report["notes"])
    out += ["", "Products"]
    out.extend(
        f"  {p['slug']:<32} {p['phase'] or '-':<22} since {p['since'] or '-':<10}  {p['title']}"
        for p in report["products"]
    )
    return "\n".join(out)


# -- HTML ----------------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px}
th{background:#f3f3f3}td.n{text-align:right}img{max-width:100%;display:block;margin:1em 0}
.note{background:#fff7e0;padding:.5em 1em;border-left:4px solid #e6a700}
"""


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{v}</td>'
            if isinstance(v, int | float) and not isinstance(v, bool)
            else f"<td>{html.escape('' if v is None else str(v))}</td>"
            for v in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def figures(
    portfolio: Portfolio, on: dt.date, rulebook: Rulebook | None = None, lang: str = "en"
) -> dict[str, str]:
    """The report's figures as base64 PNG, by section; empty without matplotlib."""
    import importlib.util  # noqa: PLC0415

    if importlib.util.find_spec("matplotlib") is None:  # the plot extra is optional
        return {}
    from betastate import plot  # noqa: PLC0415  (matplotlib: only the HTML report)

    language: Literal["en", "fr"] = "fr" if lang == "fr" else "en"
    start = min(
        (
            item[0]
            for s in portfolio
            for item in _analytics.timeline(s, _analytics.default_rulebook(rulebook))[:1]
        ),
        default=on,
    )
    makers: dict[str, Any] = {
        "timeline": lambda: plot.timeline(portfolio, on, lang=language, rulebook=rulebook),
        "phases": lambda: plot.phase_counts(portfolio, start, on, lang=language, rulebook=rulebook),
        "funnel": lambda: plot.funnel(portfolio, on, lang=language, rulebook=rulebook),
        "durations": lambda: plot.durations(portfolio, on, lang=language, rulebook=rulebook),
        "survival": lambda: plot.survival(portfolio, on, "stop", lang=language, rulebook=rulebook),
        "lessons": lambda: plot.stop_reasons(portfolio, on, lang=language, rulebook=rulebook),
    }
    if portfolio.members:
        makers["teams"] = lambda: plot.team_size(
            portfolio, max(start, dt.date(on.year - 10, 1, 1)), on, lang=language
        )
    out: dict[str, str] = {}
    for key, make in makers.items():
        try:
            figure = make()
        except ImportError:  # survival curves without lifelines
            continue
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90)
        out[key] = base64.b64encode(buffer.getvalue()).decode("ascii")
    return out


def render_html(report: dict[str, Any], images: dict[str, str]) -> str:
    """One self-contained HTML page: every section, figures embedded as base64 PNG."""
    s = report["summary"]
    title = f"betastate report: {s['source']} as of {s['on']}"

    def img(key: str, alt: str) -> str:
        if key not in images:
            return ""
        return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{images[key]}">'

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    notes = list(report["notes"])
    if not images:
        notes.append(f"figures need matplotlib: {_analytics.EXTRAS_HINT}")
    sections: dict[str, str] = {}
    sections["summary"] = (
        _table(["item", "value"], [[k, v] for k, v in s.items()])
        + img("timeline", "portfolio timeline")
        + "".join(f'<p class="note">{html.escape(n)}</p>' for n in notes)
    )
    sections["phases"] = _table(
        ["phase", "label", "products"],
        [[r["phase"], r["label_en"], r["n"]] for r in report["phases"]],
    ) + img("phases", "phase counts over time")
    phases = [r["phase"] for r in report["phases"]]
    sections["incubators"] = _table(
        ["incubator", *phases],
        [
            [group, *(counts.get(p, 0) for p in phases)]
            for group, counts in report["incubators"].items()
        ],
    )
    sections["funnel"] = _table(
        [
            "step",
            "entered",
            "advanced",
            "stopped",
            "ended",
            "running",
            "other",
            "rate",
            "decided rate",
        ],
        [
            [
                f["step"],
                f["entered"],
                f["advanced"],
                f["stopped"],
                f["ended"],
                f["running"],
                f["other"],
                _pct(f["rate"]),
                _pct(f["decided_rate"]),
            ]
            for f in report["funnel"]
        ],
    ) + img("funnel", "funnel")
    for key in ("durations", "survival"):
        curves = report[key]
        if curves is None:
            sections[key] = (
                f'<p class="note">needs lifelines: {html.escape(_analytics.EXTRAS_HINT)}</p>'
            )
            continue
        sections[key] = _table(
            ["curve", "n", "ended", "censored", "median", "q1", "q3"],
            [
                [
                    name,
                    c["n"],
                    c["ended"],
                    c["censored"],
                    _days(c["median"]),
                    _days(c["q1"]),
                    _days(c["q3"]),
                ]
                for name, c in curves.items()
            ],
        ) + img(key, f"{key} curves")
    c = report["committees"]
    sections["committees"] = (
        f"<p>{c['compliant']} of {c['checked']} running products held a committee at least "
        f"every {c['interval_months']} months; {c['without_committee']} never did.</p>"
        + _table(
            ["product", "phase", "longest gap (days)"],
            [[x["slug"], x["phase"], x["longest_gap_days"]] for x in c["late"]],
        )
    )
    sections["fast"] = (
        _table(["phase now", "laureates"], [[p, n] for p, n in report["fast"].items()])
        if report["fast"]
        else "<p>No FAST laureate recorded.</p>"
    )
    if report["teams"] is None:
        sections["teams"] = "<p>No members' missions in this portfolio.</p>"
    else:
        t = report["teams"]
        spend = t["spend_last_12_months"]
        sections["teams"] = (
            _table(["status", "members"], [[k, v] for k, v in t["on_mission"].items()])
            + (
                f"<p>Estimated spend {spend['start']} to {spend['end']}: {spend['low_eur']} to "
                f"{spend['high_eur']} EUR excl. VAT over {spend['days']} billable days "
                f"({html.escape(spend['rates'])}).</p>"
            )
            + img("teams", "team size")
        )
    f = report["findings"]
    sections["findings"] = _table(
        ["code", "count"], [[k, v] for k, v in f["by_code"].items()]
    ) + _table(
        ["code", "severity", "product", "message", "file", "line"],
        [
            [x["code"], x["severity"], x["slug"], x["message"], x["file"], x["line"]]
            for x in f["top"]
        ],
    )
    from betastate._analytics import lessons as _lessons  # noqa: PLC0415  (import time)

    sections["lessons"] = _lessons.section_html(report["lessons"], img("lessons", "stop reasons"))
    sections["products"] = _table(
        ["slug", "title", "incubator", "phase", "since"],
        [
            [p["slug"], p["title"], p["incubator"], p["phase"], p["since"]]
            for p in report["products"]
        ],
    )
    for key in SECTIONS:
        heading = key.capitalize()
        parts.append(f'<section id="{key}"><h2>{heading}</h2>{sections[key]}</section>')
    parts.append("</body></html>")
    return "\n".join(parts)


def report(
    portfolio: Portfolio,
    on: dt.date | None,
    out: list[str],
    fmt: str = "text",
    rulebook: Rulebook | None = None,
) -> None:
    """The report of ``portfolio`` as of ``on`` (default: today) in ``fmt``, appended to ``out``."""
    day = on or _analytics.today()
    data = build(portfolio, day, rulebook)
    if fmt == "json":
        out.append(render_json(data))
    elif fmt == "html":
        out.append(render_html(data, figures(portfolio, day, rulebook)))
    else:
        out.append(render_text(data))


def run(args: argparse.Namespace) -> int:
    """Run ``betastate report``."""
    out: list[str] = []
    try:
        book = rulebook_of(args)
        portfolio = load_any(args.path, progress=ProgressBar(), rulebook=book)
        report(portfolio, args.on, out, args.format, book)
    except BetastateError as exc:
        return error(exc)
    return emit("\n".join(out), args.output)


def register(commands: Any) -> None:
    """Add ``report`` to the subcommands."""
    parser = commands.add_parser("report", help="summarise a portfolio")
    parser.add_argument(
        "path",
        nargs="?",
        type=source,
        help="portfolio or journal URL (default: the bundled sample)",
    )
    parser.add_argument("--on", type=date_arg, help="as of this date (YYYY-MM-DD; default: today)")
    parser.add_argument(
        "--format",
        choices=("text", "json", "html"),
        default="text",
        help="text for the terminal, json for tools, html: one self-contained page with plots",
    )
    parser.add_argument(
        "--output", "-o", type=Path, help="write to this file instead of standard output"
    )
    add_rulebook_argument(parser)
    parser.set_defaults(run=run)
