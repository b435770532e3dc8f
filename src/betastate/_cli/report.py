"""
``betastate report``: one summary of a portfolio, as text, JSON or HTML, in English or French.

:func:`build` gathers the numbers into plain data (what ``--format json``
prints: keys and values independent of the language); :func:`render_text`
and :func:`render_html` present them for people, in ``--lang en`` or
``fr``. The date is ``--on``, or the portfolio's own date
(:attr:`betastate.Portfolio.data_date`: its latest fact, planned facts left
out); a date beyond the data gets a warning.

Nothing here needs an extra except the HTML figures (matplotlib), imported
only when a page is drawn: the text and JSON reports load no heavy library.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import html
import io
import json
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from betastate._analytics import counts as _counts
from betastate._analytics import funnel as _funnel
from betastate._analytics import outcomes as _outcomes
from betastate._analytics import queries as _queries
from betastate._analytics import records as _records
from betastate._analytics import survival as _survival
from betastate._analytics import teams as _teams
from betastate._analytics.portfolio import Portfolio
from betastate._analytics.tables import EXTRAS_HINT
from betastate._cli.common import (
    ProgressBar,
    add_rulebook_argument,
    date_arg,
    deprecated_alias,
    emit,
    error,
    load_any,
    rulebook_of,
    source,
)
from betastate._values.errors import BetastateError


if TYPE_CHECKING:
    from betastate._rules.rulebook import Rulebook

Lang = Literal["en", "fr"]
LANGS: tuple[Lang, ...] = ("en", "fr")
TOP_FINDINGS = 10
TIMELINE_TOP = 60
"""The HTML timeline shows the products started most recently, names legible."""
SECTIONS = (
    "summary",
    "phases",
    "incubators",
    "funnel",
    "durations",
    "survival",
    "committees",
    "fast",
    "impact",
    "teams",
    "findings",
    "lessons",
    "products",
)
"""Every section of the report, in order (the HTML has one ``<section id=...>`` each)."""

SURVIVAL_KINDS = ("inconclusive", "stopped", "exit")
"""The outcomes the report measures, kept apart (see ``survival.SURVIVAL_KINDS``)."""

TITLES: Mapping[str, Mapping[Lang, str]] = {
    "summary": {"en": "At a glance", "fr": "En bref"},
    "phases": {"en": "Where the products stand", "fr": "Où en sont les produits"},
    "incubators": {"en": "Products by incubator", "fr": "Les produits de chaque incubateur"},
    "funnel": {
        "en": "What became of the products entering each step",
        "fr": "Ce que sont devenus les produits entrés dans chaque étape",
    },
    "durations": {"en": "How long each phase lasts", "fr": "Combien de temps dure chaque phase"},
    "survival": {
        "en": "How long until an investigation ends, a service stops or leaves",
        "fr": (
            "Combien de temps avant qu'une investigation s'arrête, qu'un service s'arrête ou sorte"
        ),
    },
    "committees": {
        "en": "Are committees held on time?",
        "fr": "Les comités se tiennent-ils à temps ?",
    },
    "fast": {"en": "What became of the FAST laureates", "fr": "Que sont devenus les lauréats FAST"},
    "impact": {"en": "Services with national impact", "fr": "Les services à impact national"},
    "teams": {
        "en": "Who works on the products, and what it costs",
        "fr": "Qui travaille sur les produits, et combien cela coûte",
    },
    "findings": {
        "en": "What the data check found",
        "fr": "Ce que la vérification des données a trouvé",
    },
    "lessons": {"en": "What the stops teach", "fr": "Ce que les arrêts enseignent"},
    "products": {"en": "Every product", "fr": "Tous les produits"},
}
"""Section titles for people, in each language."""

_WORDS: Mapping[str, Mapping[Lang, str]] = {
    "report": {"en": "betastate report", "fr": "rapport betastate"},
    "heading": {
        "en": "{source}: {products} products, as of {on}",
        "fr": "{source} : {products} produits, au {on}",
    },
    "date_data": {
        "en": "the data's date: its latest fact, planned facts left out",
        "fr": "date des données : leur dernier fait, hors faits prévus",
    },
    "date_asked": {"en": "the date asked for", "fr": "la date demandée"},
    "beyond": {
        "en": (
            "{on} is after the data's date ({data}): nothing recorded after {data} is known, so "
            "running products and teams may look smaller than they are"
        ),
        "fr": (
            "le {on} est après la date des données ({data}) : rien de ce qui a eu lieu après le "
            "{data} n'est connu, les produits en cours et les équipes peuvent paraître plus "
            "petits qu'ils ne sont"
        ),
    },
    "products": {"en": "products", "fr": "produits"},
    "started": {"en": "started", "fr": "commencés"},
    "running": {"en": "running", "fr": "en cours"},
    "members": {"en": "members", "fr": "membres"},
    "findings": {"en": "findings", "fr": "constats"},
    "rulebook": {"en": "rulebook", "fr": "référentiel"},
    "source": {"en": "source", "fr": "source"},
    "on": {"en": "as of", "fr": "au"},
    "version": {"en": "betastate", "fr": "betastate"},
    "item": {"en": "item", "fr": "élément"},
    "value": {"en": "value", "fr": "valeur"},
    "phase": {"en": "phase", "fr": "phase"},
    "label": {"en": "label", "fr": "libellé"},
    "incubator": {"en": "incubator", "fr": "incubateur"},
    "step": {"en": "step", "fr": "étape"},
    "entered": {"en": "entered", "fr": "entrés"},
    "advanced": {"en": "advanced", "fr": "passés"},
    "exited": {"en": "exited", "fr": "sortis"},
    "stopped": {"en": "stopped", "fr": "arrêtés"},
    "other": {"en": "other", "fr": "autres"},
    "rate": {"en": "rate", "fr": "taux"},
    "decided": {"en": "of decided", "fr": "des décidés"},
    "funnel_note": {
        "en": (
            "Converted = advanced to a later step or exited (operated, transferred). The rate "
            "counts running products as not converted; 'of decided' leaves them out."
        ),
        "fr": (
            "Convertis = passés à une étape suivante ou sortis (opérés, transférés). Le taux "
            "compte les produits en cours comme non convertis ; « des décidés » les laisse de "
            "côté."
        ),
    },
    "curve": {"en": "what", "fr": "quoi"},
    "n": {"en": "n", "fr": "n"},
    "ended": {"en": "ended", "fr": "terminés"},
    "censored": {"en": "still running", "fr": "encore en cours"},
    "median": {"en": "median (95% CI)", "fr": "médiane (IC 95 %)"},
    "q1": {"en": "a quarter by", "fr": "un quart avant"},
    "q3": {"en": "three quarters by", "fr": "trois quarts avant"},
    "maximum": {"en": "rulebook maximum", "fr": "maximum du référentiel"},
    "over": {"en": "still in it then", "fr": "encore dedans à ce terme"},
    "days": {"en": "d", "fr": "j"},
    "not_reached": {"en": "not reached", "fr": "non atteint"},
    "km_note": {
        "en": (
            "Kaplan-Meier estimates: a phase still running on the date counts as lasting at least"
            " that long (right-censored)."
        ),
        "fr": (
            "Estimations de Kaplan-Meier : une phase encore en cours à la date compte comme "
            "durant au moins jusque-là (censure à droite)."
        ),
    },
    "inconclusive": {
        "en": "investigation ends without a service",
        "fr": "investigation sans suite",
    },
    "stopped_kind": {"en": "service stops", "fr": "service arrêté"},
    "exit": {"en": "service operated or transferred", "fr": "service opéré ou transféré"},
    "cadence": {
        "en": (
            "{compliant} of {checked} running products held a committee at least every {months} "
            "months; {never} never held one."
        ),
        "fr": (
            "{compliant} produits en cours sur {checked} ont tenu un comité au moins tous les "
            "{months} mois ; {never} n'en ont jamais tenu."
        ),
    },
    "product": {"en": "product", "fr": "produit"},
    "gap": {"en": "longest gap (days)", "fr": "plus long écart (jours)"},
    "fast_total": {
        "en": (
            "{n} laureates (a fast event or a fast block): {events} with an event, {blocks} with "
            "a block."
        ),
        "fr": (
            "{n} lauréats (un événement fast ou un bloc fast) : {events} avec un événement, "
            "{blocks} avec un bloc."
        ),
    },
    "phase_now": {"en": "phase now", "fr": "phase actuelle"},
    "laureates": {"en": "laureates", "fr": "lauréats"},
    "no_fast": {"en": "No FAST laureate recorded.", "fr": "Aucun lauréat FAST enregistré."},
    "impact_total": {
        "en": "{n} designations; by year: {years}.",
        "fr": "{n} désignations ; par année : {years}.",
    },
    "no_impact": {
        "en": "No national-impact designation recorded.",
        "fr": "Aucune désignation d'impact national.",
    },
    "designated": {"en": "designated", "fr": "désigné le"},
    "phase_then": {"en": "phase then", "fr": "phase alors"},
    "status": {"en": "status", "fr": "statut"},
    "on_mission": {"en": "on a mission", "fr": "en mission"},
    "spend": {
        "en": (
            "Estimated spend {start} to {end}: {low} to {high} excl. VAT over {days} billable "
            "days ({rates})."
        ),
        "fr": (
            "Dépense estimée du {start} au {end} : de {low} à {high} HT sur {days} jours "
            "facturables ({rates})."
        ),
    },
    "rates": {
        "en": "daily rates of brief §7.4 (D-TJM); see betastate.DailyRates",
        "fr": "taux journaliers du §7.4 du brief (D-TJM) ; voir betastate.DailyRates",
    },
    "no_members": {
        "en": "No members' missions in this portfolio.",
        "fr": "Pas de missions des membres dans ce portefeuille.",
    },
    "code": {"en": "code", "fr": "code"},
    "count": {"en": "count", "fr": "nombre"},
    "severity": {"en": "severity", "fr": "gravité"},
    "message": {"en": "message", "fr": "message"},
    "file": {"en": "file", "fr": "fichier"},
    "line": {"en": "line", "fr": "ligne"},
    "slug": {"en": "slug", "fr": "identifiant"},
    "title": {"en": "title", "fr": "nom"},
    "since": {"en": "since", "fr": "depuis"},
    "notes": {"en": "Notes", "fr": "Remarques"},
    "figures": {
        "en": "figures need matplotlib: {hint}",
        "fr": "les figures demandent matplotlib : {hint}",
    },
    "no_members_note": {
        "en": "no members' missions in this portfolio: no team section",
        "fr": "pas de missions des membres : pas de section équipes",
    },
}


def _w(lang: Lang, key: str, **values: object) -> str:
    return _WORDS[key][lang].format(**values)


_SHORT: Mapping[str, tuple[str, str]] = {
    "investigation": ("invest", "invest"),
    "abandon-investigation": ("inconcl", "inconcl"),
    "construction": ("constr", "constr"),
    "acceleration": ("acceler", "accél"),
    "consolidation": ("consol", "consol"),
    "abandon": ("stopped", "arrêté"),
    "opere": ("operated", "opéré"),
    "transfere": ("transf", "transf"),
}
"""Column headings of the text report's incubator table (the phases' labels are too long)."""


def _short(phase: str, lang: Lang) -> str:
    return _SHORT[phase][1 if lang == "fr" else 0] if phase in _SHORT else phase[:7]


def _plain(label: str) -> str:
    """A label without its parenthesis, for narrow text columns."""
    return label.split(" (", 1)[0]


# -- numbers for people ----------------------------------------------------------

_THIN = "\u202f"  # narrow no-break space: the French thousands separator
_NBSP = "\u00a0"


def number(value: int, lang: Lang) -> str:
    """``12,345`` in English, ``12 345`` (narrow no-break spaces) in French."""
    text = f"{value:,}"
    return text.replace(",", _THIN) if lang == "fr" else text


def money(value: Decimal | str, lang: Lang) -> str:
    """Whole euros with the language's separators: ``€1,234,567`` or ``1 234 567 €``."""
    euros = int(Decimal(value).quantize(Decimal(1)))
    return f"{number(euros, lang)}{_NBSP}€" if lang == "fr" else f"€{number(euros, lang)}"


def _pct(value: float | None, lang: Lang) -> str:
    if value is None:
        return "-"
    text = f"{value:.0%}"
    return text.replace("%", f"{_NBSP}%") if lang == "fr" else text


def _days(value: float | None, lang: Lang) -> str:
    return _w(lang, "not_reached") if value is None else f"{value:.0f}{_NBSP}{_w(lang, 'days')}"


def _interval(estimate: Mapping[str, float | None], lang: Lang) -> str:
    def bound(value: float | None) -> str:
        return "…" if value is None else f"{value:.0f}"

    return (
        f"{_days(estimate['days'], lang)} [{bound(estimate['lower'])}, {bound(estimate['upper'])}]"
    )


# -- the numbers ------------------------------------------------------------------


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _estimate(estimate: _survival.Estimate) -> dict[str, float | None]:
    return {"days": estimate.days, "lower": estimate.lower, "upper": estimate.upper}


def _curve(curve: _survival.SurvivalCurve, max_days: int | None = None) -> dict[str, Any]:
    return {
        "n": curve.n,
        "ended": curve.observed,
        "censored": curve.censored,
        "same_day": curve.same_day,
        "median": _estimate(curve.median),
        "q1": _estimate(curve.q1),
        "q3": _estimate(curve.q3),
        "max_days": max_days,
        "share_beyond_max": None if max_days is None else _round(curve.at(max_days)),
    }


def _label(book: Rulebook, phase: str, lang: str) -> str:
    return book.phase(phase).label(lang) if book.has_phase(phase) else phase


def build(
    portfolio: Portfolio,
    on: dt.date | None = None,
    rulebook: Rulebook | None = None,
) -> dict[str, Any]:
    """
    The report's numbers as JSON-ready data (dates as ISO strings).

    ``on`` defaults to the portfolio's :attr:`~betastate.Portfolio.data_date`;
    ``summary.date_from`` says which (``"data"`` or ``"asked"``), and
    ``warnings`` holds a warning when ``on`` is beyond the data.
    """
    from betastate._version import __version__  # noqa: PLC0415

    book = _queries.default_rulebook(rulebook)
    data_date = portfolio.data_date
    day = _queries.as_of(portfolio, on)
    notes: list[str] = []
    warnings = []
    if data_date is not None and day > data_date:
        warnings.append(
            {"code": "beyond-data", "on": day.isoformat(), "data": data_date.isoformat()}
        )
    counts = _counts.phase_counts(portfolio, day, book)
    report: dict[str, Any] = {
        "summary": {
            "betastate": __version__,
            "source": portfolio.source or "portfolio",
            "on": day.isoformat(),
            "date_from": "asked" if on is not None else "data",
            "data_date": _iso(data_date),
            "products": len(portfolio),
            "started": counts.total,
            "running": sum(n for p, n in counts.items() if not book.is_terminal(p)),
            "members": len(portfolio.members),
            "findings": len(portfolio.findings),
            "rulebook": book.name,
        },
        "warnings": warnings,
        "phases": [
            {
                "phase": p,
                "label_en": _label(book, p, "en"),
                "label_fr": _label(book, p, "fr"),
                "n": n,
            }
            for p, n in counts.items()
        ],
        "incubators": dict(_counts.grouped_phase_counts(portfolio, day, "incubator", book)),
        "funnel": _funnel_rows(portfolio, day, book),
    }
    report["durations"] = {
        phase: _curve(curve, book.phase(phase).max_days if book.has_phase(phase) else None)
        for phase, curve in _survival.durations(portfolio, day, book).items()
    }
    report["survival"] = {}
    for kind in SURVIVAL_KINDS:
        spells = _survival.outcome_spells(portfolio, day, kind, None, book)  # type: ignore[arg-type]
        if spells:
            report["survival"][kind] = _curve(
                _survival.kaplan_meier([s.days for s in spells], [s.observed for s in spells], kind)
            )
    cadence = _outcomes.committee_cadence(portfolio, day, book)
    report["committees"] = {
        "interval_months": book.thresholds.committee_interval_months,
        "checked": len(cadence),
        "compliant": cadence.compliant,
        "without_committee": sum(1 for c in cadence if c.committees == 0),
        "late": [
            {"slug": c.slug, "phase": c.phase, "longest_gap_days": c.longest_gap_days}
            for c in sorted(cadence, key=lambda c: (-c.longest_gap_days, c.slug))
            if not c.compliant
        ][:TOP_FINDINGS],
    }
    laureates = _outcomes.fast_laureates(portfolio, day, book)
    fast = Counter(laureate.phase for laureate in laureates)
    report["fast"] = {
        "laureates": len(laureates),
        "with_event": sum(1 for x in laureates if x.source != "block"),
        "with_block": sum(1 for x in laureates if x.source != "event"),
        "by_phase": {p: fast[p] for p in book.phase_values if fast[p]},
    }
    designations = _outcomes.national_impact(portfolio, day, book)
    report["impact"] = {
        "designations": len(designations),
        "by_year": {str(year): c.total for year, c in designations.by_year().items()},
        "items": [
            {
                "slug": d.slug,
                "on": d.on.isoformat(),
                "phase_then": d.phase_then,
                "phase_now": d.phase_now,
            }
            for d in designations
        ],
    }
    if portfolio.members:
        year_ago = _queries.add_months(day, -12)
        spend = _teams.estimated_spend(portfolio, year_ago, day)
        report["teams"] = {
            "on_mission": dict(_teams.team_counts(portfolio, day)),
            "spend_last_12_months": {
                "start": year_ago.isoformat(),
                "end": day.isoformat(),
                "days": spend.days,
                "low_eur": str(spend.low.quantize(Decimal(1))),
                "high_eur": str(spend.high.quantize(Decimal(1))),
                "rates": "brief §7.4 (D-TJM) defaults; see betastate.DailyRates",
            },
        }
    else:
        report["teams"] = None
        notes.append("no-members")
    by_code = Counter(f.code for f in portfolio.findings)
    report["findings"] = {
        "total": len(portfolio.findings),
        "by_code": dict(by_code.most_common()),
        "top": [
            _records.finding_record(f)
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
        for row in _records.product_records(portfolio, day, book)
    ]
    from betastate._analytics import lessons as _lessons  # noqa: PLC0415  (import time)

    report["lessons"] = _lessons.report_section(portfolio, day, book)
    report["notes"] = notes
    return report


def _funnel_rows(portfolio: Portfolio, on: dt.date, book: Rulebook) -> list[dict[str, Any]]:
    return [
        {
            "step": step.name,
            "label_en": _funnel.step_label(step.name, step.phases, "en", book),
            "label_fr": _funnel.step_label(step.name, step.phases, "fr", book),
            "phases": list(step.phases),
            "entered": step.entered,
            "advanced": step.advanced,
            "exited": step.exited,
            "stopped": step.stopped,
            "running": step.running,
            "other": step.other,
            "converted": step.converted,
            "rate": _round(step.rate),
            "decided_rate": _round(step.decided_rate),
        }
        for step in _funnel.funnel(portfolio, on, None, book)
    ]


def _finding_order(finding: Any) -> tuple[int, str, str]:
    rank = {"error": 0, "warning": 1, "info": 2}.get(str(finding.severity), 3)
    return (rank, finding.code, finding.slug or "")


def warning_texts(report: Mapping[str, Any], lang: Lang = "en") -> list[str]:
    """The report's warnings, written for people."""
    return [_w(lang, "beyond", on=w["on"], data=w["data"]) for w in report["warnings"]]


def note_texts(report: Mapping[str, Any], lang: Lang = "en") -> list[str]:
    """The report's notes, written for people."""
    texts = {"no-members": _w(lang, "no_members_note")}
    return [texts.get(note, note) for note in report["notes"]]


def render_json(report: dict[str, Any]) -> str:
    """The report as indented JSON."""
    return json.dumps(report, indent=2, ensure_ascii=False)


# -- text ----------------------------------------------------------------------------


def _heading(report: Mapping[str, Any], lang: Lang, *, prefix: bool = True) -> str:
    s = report["summary"]
    head = _w(lang, "heading", source=s["source"], products=number(s["products"], lang), on=s["on"])
    why = _w(lang, "date_data" if s["date_from"] == "data" else "date_asked")
    if not prefix:
        return f"{head} ({why})"
    colon = ":" if lang == "en" else " :"
    return f"{_w(lang, 'report')}{colon} {head} ({why})"


def render_text(report: dict[str, Any], lang: Lang = "en") -> str:  # noqa: PLR0915  (one section after another)
    """A terminal summary: every section, titled for people, in ``lang``."""
    s = report["summary"]
    colon = " :" if lang == "fr" else ":"
    out = [_heading(report, lang)]
    out.extend(f"  ! {text}" for text in warning_texts(report, lang))
    out.append(
        f"  {number(s['started'], lang)} {_w(lang, 'started')}, {number(s['running'], lang)} "
        f"{_w(lang, 'running')}, {number(s['members'], lang)} {_w(lang, 'members')}, "
        f"{number(s['findings'], lang)} {_w(lang, 'findings')}"
    )

    def title(key: str) -> None:
        out.extend(["", TITLES[key][lang]])

    title("phases")
    out.extend(
        f"  {row['phase']:<24} {number(row['n'], lang):>6}  {row['label_' + lang]}"
        for row in report["phases"]
    )
    title("incubators")
    phases = [row["phase"] for row in report["phases"]]
    out.append(f"  {_w(lang, 'incubator'):<28}" + "".join(f"{_short(p, lang):>9}" for p in phases))
    out.extend(
        f"  {group[:28]:<28}" + "".join(f"{counts.get(p, 0):>9}" for p in phases)
        for group, counts in report["incubators"].items()
    )
    title("funnel")
    out.append("  " + _w(lang, "funnel_note"))
    out.append(
        f"  {_w(lang, 'step'):<16}{_w(lang, 'entered'):>8}{_w(lang, 'advanced'):>9}"
        f"{_w(lang, 'exited'):>8}{_w(lang, 'stopped'):>9}{_w(lang, 'running'):>9}"
        f"{_w(lang, 'rate'):>7}{_w(lang, 'decided'):>12}"
    )
    out.extend(
        f"  {_plain(f['label_' + lang])[:15]:<16}{f['entered']:>8}{f['advanced']:>9}"
        f"{f['exited']:>8}{f['stopped']:>9}"
        f"{f['running']:>9}{_pct(f['rate'], lang):>7}{_pct(f['decided_rate'], lang):>12}"
        for f in report["funnel"]
    )
    title("durations")
    out.append("  " + _w(lang, "km_note"))
    labels = {row["phase"]: row["label_" + lang] for row in report["phases"]}
    for phase, c in report["durations"].items():
        line = (
            f"  {labels.get(phase, phase)[:16]:<17} n={c['n']:<5} "
            f"{_w(lang, 'median')} {_interval(c['median'], lang)}"
        )
        if c["max_days"] is not None and c["share_beyond_max"] is not None:
            line += (
                f"{';' if lang == 'en' else ' ;'} {_w(lang, 'maximum')} "
                f"{c['max_days']}{_NBSP}{_w(lang, 'days')}, "
                f"{_pct(c['share_beyond_max'], lang)} {_w(lang, 'over')}"
            )
        out.append(line)
    title("survival")
    for kind, c in report["survival"].items():
        name = _w(lang, "stopped_kind" if kind == "stopped" else kind)
        out.append(
            f"  {name:<36} n={c['n']:<5} {_w(lang, 'median')} {_interval(c['median'], lang)}"
        )
    c = report["committees"]
    title("committees")
    out.append(
        "  "
        + _w(
            lang,
            "cadence",
            compliant=c["compliant"],
            checked=c["checked"],
            months=c["interval_months"],
            never=c["without_committee"],
        )
    )
    title("fast")
    fast = report["fast"]
    if fast["laureates"]:
        out.append(
            "  "
            + _w(
                lang,
                "fast_total",
                n=fast["laureates"],
                events=fast["with_event"],
                blocks=fast["with_block"],
            )
        )
        out.extend(
            f"  {labels.get(phase, phase)[:36]:<37} {n:>5}" for phase, n in fast["by_phase"].items()
        )
    else:
        out.append("  " + _w(lang, "no_fast"))
    title("impact")
    impact = report["impact"]
    if impact["designations"]:
        years = ", ".join(
            f"{y}{colon} {n}".replace(" :", "\u00a0:") for y, n in impact["by_year"].items()
        )
        out.append("  " + _w(lang, "impact_total", n=impact["designations"], years=years))
    else:
        out.append("  " + _w(lang, "no_impact"))
    title("teams")
    if report["teams"] is not None:
        t = report["teams"]
        spend = t["spend_last_12_months"]
        out.append(
            f"  {_w(lang, 'on_mission')}{colon} "
            + ", ".join(
                f"{_teams.STATUS_LABELS.get(k, (k, k))[1 if lang == 'fr' else 0]} {number(v, lang)}"
                for k, v in t["on_mission"].items()
            )
        )
        out.append(
            "  "
            + _w(
                lang,
                "spend",
                start=spend["start"],
                end=spend["end"],
                low=money(spend["low_eur"], lang),
                high=money(spend["high_eur"], lang),
                days=number(spend["days"], lang),
                rates=_w(lang, "rates"),
            )
        )
    else:
        out.append("  " + _w(lang, "no_members"))
    f = report["findings"]
    title("findings")
    out.append(f"  {number(f['total'], lang)} {_w(lang, 'findings')}")
    out.extend(f"  {code:<28} {n:>5}" for code, n in list(f["by_code"].items())[:TOP_FINDINGS])
    out.extend(
        f"  - [{item['code']}] {item['slug'] or '-'}: {item['message']}" for item in f["top"]
    )
    from betastate._analytics import lessons as _lessons  # noqa: PLC0415  (import time)

    title("lessons")
    out += _lessons.section_text(report["lessons"], lang)
    notes = note_texts(report, lang)
    if notes:
        out += ["", _w(lang, "notes")]
        out.extend(f"  - {note}" for note in notes)
    title("products")
    out.extend(
        f"  {p['slug']:<32} {p['phase'] or '-':<22} {_w(lang, 'since')} "
        f"{p['since'] or '-':<10}  {p['title']}"
        for p in report["products"]
    )
    return "\n".join(out)


# -- HTML ----------------------------------------------------------------------------

_STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;max-width:1160px;margin:1.5em auto;padding:0 16px;
color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
.sub{color:#555;margin-top:0}
table{border-collapse:collapse;margin:.5em 0;max-width:100%}
td,th{border:1px solid #ccc;padding:2px 8px;vertical-align:top}
td{overflow-wrap:break-word}th{background:#f3f3f3;text-align:left;overflow-wrap:normal}
table.wide td,table.ids td:first-child{overflow-wrap:anywhere}
td.n{text-align:right;white-space:nowrap}
table.wide{width:100%;table-layout:fixed}
img{max-width:100%;height:auto;display:block;margin:1em 0}
.note{background:#fff7e0;padding:.5em 1em;border-left:4px solid #e6a700}
.warn{background:#fdecea;padding:.5em 1em;border-left:4px solid #d93025}
"""


def _cell(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<td class="n">{value}</td>'
    if isinstance(value, _Num):
        return f'<td class="n">{html.escape(value.text)}</td>'
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


class _Num:
    """A number already written for people (right-aligned in tables)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _table(
    headers: list[str],
    rows: list[list[Any]],
    *,
    widths: tuple[int, ...] = (),
    ids: bool = False,
) -> str:
    """
    A table; with ``widths`` (percent per column) it spans the page and long texts wrap.

    ``ids`` lets the long ids of the first column break anywhere.
    """
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    kind = ' class="wide"' if widths else (' class="ids"' if ids else "")
    columns = "".join(f'<col style="width:{w}%">' for w in widths)
    group = f"<colgroup>{columns}</colgroup>" if widths else ""
    return f"<table{kind}>{group}<tr>{head}</tr>{body}</table>"


def figures(
    portfolio: Portfolio,
    on: dt.date | None = None,
    rulebook: Rulebook | None = None,
    lang: Lang = "en",
) -> dict[str, str]:
    """The report's figures as base64 PNG, by section; empty without matplotlib."""
    import importlib.util  # noqa: PLC0415

    if importlib.util.find_spec("matplotlib") is None:  # the plot extra is optional
        return {}
    from betastate import plot  # noqa: PLC0415  (matplotlib: only the HTML report)

    book = _queries.default_rulebook(rulebook)
    day = _queries.as_of(portfolio, on)
    lines = _queries.timelines(portfolio, book)
    start = min((line[0][0] for line in lines.values() if line), default=day)
    makers: dict[str, Callable[[], Any]] = {
        "summary": lambda: plot.timeline(
            portfolio, day, top=TIMELINE_TOP, lang=lang, rulebook=book
        ),
        "phases": lambda: plot.phase_counts(
            portfolio, start, day, terminal=False, lang=lang, rulebook=book
        ),
        "funnel": lambda: plot.funnel(portfolio, day, lang=lang, rulebook=book),
        "durations": lambda: plot.durations(portfolio, day, lang=lang, rulebook=book),
        "survival": lambda: plot.survival(portfolio, day, "stopped", lang=lang, rulebook=book),
        "lessons": lambda: plot.stop_reasons(portfolio, day, lang=lang, rulebook=book),
    }
    if portfolio.members:
        makers["teams"] = lambda: plot.team_size(
            portfolio, max(start, dt.date(day.year - 10, 1, 1)), day, lang=lang
        )
    out: dict[str, str] = {}
    for key, make in makers.items():
        try:
            figure = make()
        except BetastateError:  # nothing to estimate (an empty portfolio)
            continue
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90)
        out[key] = base64.b64encode(buffer.getvalue()).decode("ascii")
    return out


def render_html(report: dict[str, Any], images: Mapping[str, str], lang: Lang = "en") -> str:
    """One self-contained HTML page: every section, figures embedded as base64 PNG."""
    s = report["summary"]
    title = _heading(report, lang)

    def img(key: str) -> str:
        if key not in images:
            return ""
        alt = TITLES[key][lang]
        return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{images[key]}">'

    def p(text: str, kind: str = "") -> str:
        cls = f' class="{kind}"' if kind else ""
        return f"<p{cls}>{html.escape(text)}</p>"

    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(_w(lang, 'report'))}</h1>",
        p(_heading(report, lang, prefix=False), "sub"),
    ]
    notes = note_texts(report, lang)
    if not images:
        notes.append(_w(lang, "figures", hint=EXTRAS_HINT))
    sections: dict[str, str] = {}
    summary_rows = [
        [_w(lang, "source"), s["source"]],
        [
            _w(lang, "on"),
            f"{s['on']} ({_w(lang, 'date_data' if s['date_from'] == 'data' else 'date_asked')})",
        ],
        [_w(lang, "products"), _Num(number(s["products"], lang))],
        [_w(lang, "started"), _Num(number(s["started"], lang))],
        [_w(lang, "running"), _Num(number(s["running"], lang))],
        [_w(lang, "members"), _Num(number(s["members"], lang))],
        [_w(lang, "findings"), _Num(number(s["findings"], lang))],
        [_w(lang, "rulebook"), s["rulebook"]],
        [_w(lang, "version"), s["betastate"]],
    ]
    sections["summary"] = (
        "".join(p(text, "warn") for text in warning_texts(report, lang))
        + _table([_w(lang, "item"), _w(lang, "value")], summary_rows)
        + "".join(p(n, "note") for n in notes)
        + img("summary")
    )
    sections["phases"] = _table(
        [_w(lang, "phase"), _w(lang, "label"), _w(lang, "products")],
        [[r["phase"], r["label_" + lang], _Num(number(r["n"], lang))] for r in report["phases"]],
    ) + img("phases")
    phases = [r["phase"] for r in report["phases"]]
    sections["incubators"] = _table(
        [_w(lang, "incubator"), *[r["label_" + lang] for r in report["phases"]]],
        [
            [group, *(counts.get(ph, 0) for ph in phases)]
            for group, counts in report["incubators"].items()
        ],
        ids=True,
    )
    sections["funnel"] = (
        p(_w(lang, "funnel_note"))
        + _table(
            [
                _w(lang, "step"),
                _w(lang, "entered"),
                _w(lang, "advanced"),
                _w(lang, "exited"),
                _w(lang, "stopped"),
                _w(lang, "running"),
                _w(lang, "other"),
                _w(lang, "rate"),
                _w(lang, "decided"),
            ],
            [
                [
                    f["label_" + lang],
                    f["entered"],
                    f["advanced"],
                    f["exited"],
                    f["stopped"],
                    f["running"],
                    f["other"],
                    _Num(_pct(f["rate"], lang)),
                    _Num(_pct(f["decided_rate"], lang)),
                ]
                for f in report["funnel"]
            ],
        )
        + img("funnel")
    )
    book_labels = {r["phase"]: r["label_" + lang] for r in report["phases"]}
    sections["durations"] = (
        p(_w(lang, "km_note"))
        + _table(
            [
                _w(lang, "phase"),
                _w(lang, "n"),
                _w(lang, "ended"),
                _w(lang, "censored"),
                _w(lang, "median"),
                _w(lang, "q1"),
                _w(lang, "q3"),
                _w(lang, "maximum"),
                _w(lang, "over"),
            ],
            [
                [
                    book_labels.get(name, name),
                    c["n"],
                    c["ended"],
                    c["censored"],
                    _interval(c["median"], lang),
                    _interval(c["q1"], lang),
                    _interval(c["q3"], lang),
                    _Num(_days(c["max_days"], lang)) if c["max_days"] is not None else "-",
                    _Num(_pct(c["share_beyond_max"], lang)),
                ]
                for name, c in report["durations"].items()
            ],
        )
        + img("durations")
    )
    sections["survival"] = _table(
        [
            _w(lang, "curve"),
            _w(lang, "n"),
            _w(lang, "ended"),
            _w(lang, "censored"),
            _w(lang, "median"),
            _w(lang, "q1"),
            _w(lang, "q3"),
        ],
        [
            [
                _w(lang, "stopped_kind" if kind == "stopped" else kind),
                c["n"],
                c["ended"],
                c["censored"],
                _interval(c["median"], lang),
                _interval(c["q1"], lang),
                _interval(c["q3"], lang),
            ]
            for kind, c in report["survival"].items()
        ],
    ) + img("survival")
    c = report["committees"]
    sections["committees"] = p(
        _w(
            lang,
            "cadence",
            compliant=c["compliant"],
            checked=c["checked"],
            months=c["interval_months"],
            never=c["without_committee"],
        )
    ) + _table(
        [_w(lang, "product"), _w(lang, "phase"), _w(lang, "gap")],
        [
            [x["slug"], book_labels.get(x["phase"], x["phase"]), x["longest_gap_days"]]
            for x in c["late"]
        ],
    )
    fast = report["fast"]
    sections["fast"] = (
        p(
            _w(
                lang,
                "fast_total",
                n=fast["laureates"],
                events=fast["with_event"],
                blocks=fast["with_block"],
            )
        )
        + _table(
            [_w(lang, "phase_now"), _w(lang, "laureates")],
            [[book_labels.get(ph, ph), n] for ph, n in fast["by_phase"].items()],
        )
        if fast["laureates"]
        else p(_w(lang, "no_fast"))
    )
    impact = report["impact"]
    sections["impact"] = (
        _table(
            [
                _w(lang, "product"),
                _w(lang, "designated"),
                _w(lang, "phase_then"),
                _w(lang, "phase_now"),
            ],
            [
                [
                    d["slug"],
                    d["on"],
                    book_labels.get(d["phase_then"], d["phase_then"]),
                    book_labels.get(d["phase_now"], d["phase_now"]),
                ]
                for d in impact["items"]
            ],
        )
        if impact["designations"]
        else p(_w(lang, "no_impact"))
    )
    if report["teams"] is None:
        sections["teams"] = p(_w(lang, "no_members"))
    else:
        t = report["teams"]
        spend = t["spend_last_12_months"]
        index = 1 if lang == "fr" else 0
        sections["teams"] = (
            _table(
                [_w(lang, "status"), _w(lang, "members")],
                [
                    [_teams.STATUS_LABELS.get(k, (k, k))[index], _Num(number(v, lang))]
                    for k, v in t["on_mission"].items()
                ],
            )
            + p(
                _w(
                    lang,
                    "spend",
                    start=spend["start"],
                    end=spend["end"],
                    low=money(spend["low_eur"], lang),
                    high=money(spend["high_eur"], lang),
                    days=number(spend["days"], lang),
                    rates=_w(lang, "rates"),
                )
            )
            + img("teams")
        )
    f = report["findings"]
    sections["findings"] = _table(
        [_w(lang, "code"), _w(lang, "count")], [[k, v] for k, v in f["by_code"].items()]
    ) + _table(
        [
            _w(lang, "code"),
            _w(lang, "severity"),
            _w(lang, "product"),
            _w(lang, "message"),
            _w(lang, "file"),
            _w(lang, "line"),
        ],
        [
            [x["code"], x["severity"], x["slug"], x["message"], x["file"], x["line"]]
            for x in f["top"]
        ],
        widths=(12, 8, 16, 38, 20, 6),
    )
    from betastate._analytics import lessons as _lessons  # noqa: PLC0415  (import time)

    sections["lessons"] = _lessons.section_html(report["lessons"], img("lessons"), lang)
    sections["products"] = _table(
        [
            _w(lang, "slug"),
            _w(lang, "title"),
            _w(lang, "incubator"),
            _w(lang, "phase"),
            _w(lang, "since"),
        ],
        [
            [
                x["slug"],
                x["title"],
                x["incubator"],
                book_labels.get(x["phase"], x["phase"]),
                x["since"],
            ]
            for x in report["products"]
        ],
        widths=(26, 34, 16, 14, 10),
    )
    for key in SECTIONS:
        heading = html.escape(TITLES[key][lang])
        parts.append(f'<section id="{key}"><h2>{heading}</h2>{sections[key]}</section>')
    parts.append("</body></html>")
    return "\n".join(parts)


def report(
    portfolio: Portfolio,
    on: dt.date | None,
    out: list[str],
    fmt: str = "text",
    lang: Lang = "en",
    *,
    rulebook: Rulebook | None = None,
) -> dict[str, Any]:
    """The report of ``portfolio`` as of ``on`` (default: its data's date), appended to ``out``."""
    data = build(portfolio, on, rulebook)
    if fmt == "json":
        out.append(render_json(data))
    elif fmt == "html":
        day = dt.date.fromisoformat(data["summary"]["on"])
        out.append(render_html(data, figures(portfolio, day, rulebook, lang=lang), lang))
    else:
        out.append(render_text(data, lang))
    return data


def run(args: argparse.Namespace) -> int:
    """Run ``betastate report``."""
    out: list[str] = []
    try:
        book = rulebook_of(args)
        portfolio = load_any(args.path, progress=ProgressBar(), as_of=args.on, rulebook=book)
        data = report(portfolio, args.on, out, args.format, args.lang, rulebook=book)
    except BetastateError as exc:
        return error(exc)
    for text in warning_texts(data, args.lang):
        print(f"betastate: warning: {text}", file=sys.stderr)
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
    parser.add_argument(
        "--on",
        type=date_arg,
        help="as of this date (YYYY-MM-DD; default: the data's date, its latest fact "
        "with planned facts left out)",
    )
    deprecated_alias(parser, "--as-of", "--on", date_arg)
    parser.add_argument(
        "--format",
        choices=("text", "json", "html"),
        default="text",
        help="text for the terminal, json for tools, html: one self-contained page with plots",
    )
    parser.add_argument(
        "--lang", choices=LANGS, default="en", help="language of the text and HTML (default: en)"
    )
    parser.add_argument(
        "--output", "-o", type=Path, help="write to this file instead of standard output"
    )
    add_rulebook_argument(parser)
    parser.set_defaults(run=run)
