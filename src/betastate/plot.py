"""
Plots of a portfolio (the ``plot`` extra: matplotlib).

Each function returns a :class:`matplotlib.figure.Figure` built without
pyplot (no global state, any backend): show it in a notebook, or save it
with ``fig.savefig("counts.png")``. Labels are English (``lang="en"``) or
French (``lang="fr"``); phase names come from the rulebook's ``label_en`` /
``label_fr``.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from betastate._analytics import queries as _analytics
from betastate._analytics import views as _views


if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from betastate._analytics.forecast import Backtest, Forecast
    from betastate._analytics.portfolio import Portfolio
    from betastate._rules.rulebook import Rulebook

Lang = Literal["en", "fr"]
_MAX_NAMED = 60  # product names are written on the timeline up to this many bars

PHASE_COLOURS: Mapping[str, str] = _views.PHASE_COLOURS
"""Colour of each beta.gouv.fr phase; other rulebooks' phases cycle through a palette."""

_FALLBACK = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")

_TEXT: Mapping[str, Mapping[str, str]] = {
    "en": {
        "timeline": "Portfolio timeline: phases of each product",
        "products": "products",
        "date": "date",
        "counts": "Products in each phase, month by month",
        "funnel": "Funnel: what became of the products entering each step (as of {on})",
        "survival_stop": "Time to stop (Kaplan-Meier, 95 % band)",
        "survival_exit": "Time to exit (Kaplan-Meier, 95 % band)",
        "survival_end": "Time to a terminal phase (Kaplan-Meier, 95 % band)",
        "durations": "Time spent in each phase (Kaplan-Meier, running spans censored)",
        "share": "share still without the outcome",
        "share_phase": "share still in the phase",
        "years": "years since first phase",
        "years_phase": "years in the phase",
        "team": "Team size from missions, month by month",
        "members": "members on a mission",
        "advanced": "advanced",
        "stopped": "stopped",
        "ended": "handed over",
        "running": "still running",
        "other": "other",
        "rate": "{rate} advanced ({decided} of decided)",
        "all": "all products",
        "empty": "nothing to show",
        "as_of": "as of {on}",
        "legend": "{label} (n={n}: {ended} ended, {censored} censored)",
        "reasons": "Why products stopped, by the phase they stopped from",
        "reasons_sub": "{n} stops: {classified} with a reason found ({share}), {unknown} unknown;"
        " a stop may have several reasons",
        "stops": "stopped products",
        "from": "from {phase}",
        "first_phase": "stopped at once",
    },
    "fr": {
        "timeline": "Chronologie du portefeuille : phases de chaque produit",
        "products": "produits",
        "date": "date",
        "counts": "Produits dans chaque phase, mois par mois",
        "funnel": "Entonnoir : devenir des produits entrés dans chaque étape (au {on})",
        "survival_stop": "Délai avant arrêt (Kaplan-Meier, bande à 95 %)",
        "survival_exit": "Délai avant sortie (Kaplan-Meier, bande à 95 %)",
        "survival_end": "Délai avant une phase finale (Kaplan-Meier, bande à 95 %)",
        "durations": "Durée de chaque phase (Kaplan-Meier, phases en cours censurées)",
        "share": "part sans l'issue",
        "share_phase": "part encore dans la phase",
        "years": "années depuis la première phase",
        "years_phase": "années dans la phase",
        "team": "Taille des équipes d'après les missions, mois par mois",
        "members": "membres en mission",
        "advanced": "passés à l'étape suivante",
        "stopped": "arrêtés",
        "ended": "sortis (opérés, transférés)",
        "running": "en cours",
        "other": "autres",
        "rate": "{rate} passés ({decided} des décidés)",
        "all": "tous les produits",
        "empty": "rien à afficher",
        "as_of": "au {on}",
        "legend": "{label} (n={n} : {ended} terminés, {censored} censurés)",
        "reasons": "Pourquoi les produits se sont arrêtés, selon la phase quittée",
        "reasons_sub": "{n} arrêts : {classified} avec une raison trouvée ({share}), {unknown}"
        " inconnues ; un arrêt peut avoir plusieurs raisons",
        "stops": "produits arrêtés",
        "from": "depuis {phase}",
        "first_phase": "arrêt d'emblée",
    },
}


def _text(lang: str, key: str, **values: object) -> str:
    table = _TEXT.get(lang)
    if table is None:
        msg = f"lang={lang!r} is not supported; use 'en' or 'fr'"
        raise ValueError(msg)
    return table[key].format(**values)


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    try:
        from matplotlib.figure import Figure  # noqa: PLC0415  (optional, heavy)
    except ImportError as exc:
        msg = f"plots need matplotlib: {_analytics.EXTRAS_HINT}"
        raise ImportError(msg) from exc
    figure = Figure(figsize=(width, height), layout="constrained")
    return figure, figure.add_subplot()


def _date_axis(axes: Axes) -> None:
    """Dates on the x axis, with short labels that do not overlap."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter  # noqa: PLC0415

    axes.xaxis_date()
    locator = AutoDateLocator(maxticks=10)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def _num(day: dt.date) -> float:
    """Matplotlib's number for a date (days since its epoch)."""
    from matplotlib.dates import date2num  # noqa: PLC0415

    return float(date2num(day))  # type: ignore[no-untyped-call]


def phase_colour(phase: str, rulebook: Rulebook | None = None) -> str:
    """The colour of ``phase``: fixed for beta.gouv.fr phases, else by rank."""
    if phase in PHASE_COLOURS:
        return PHASE_COLOURS[phase]
    book = _analytics.default_rulebook(rulebook)
    values = book.phase_values
    index = values.index(phase) if phase in values else len(values)
    return _FALLBACK[index % len(_FALLBACK)]


def phase_label(phase: str, lang: Lang = "en", rulebook: Rulebook | None = None) -> str:
    """The rulebook's label of ``phase`` in ``lang`` (the value itself if unknown)."""
    book = _analytics.default_rulebook(rulebook)
    return book.phase(phase).label(lang) if book.has_phase(phase) else phase


def _empty(axes: Axes, lang: str) -> None:
    axes.text(0.5, 0.5, _text(lang, "empty"), ha="center", va="center", transform=axes.transAxes)


def timeline(
    portfolio: Portfolio,
    on: dt.date | None = None,
    *,
    lang: Lang = "en",
    rulebook: Rulebook | None = None,
    limit: int | None = None,
) -> Figure:
    """
    One horizontal bar per product, coloured by phase, up to ``on`` (default: today).

    Products are sorted by first start; names are written when there are
    at most 60 bars. ``limit`` keeps the latest ``limit`` products.

    .. versionadded:: 0.1.0
    """
    book = _analytics.default_rulebook(rulebook)
    day = on or _analytics.today()
    lines = []
    for startup in portfolio:
        line = [item for item in _analytics.timeline(startup, book) if item[0] <= day]
        if line:
            lines.append((line[0][0], startup.slug, startup.title, line))
    lines.sort(key=lambda item: (item[0], item[1]))
    if limit is not None:
        lines = lines[-limit:] if limit > 0 else []
    labelled = len(lines) <= _MAX_NAMED
    figure, axes = _figure(11, max(3.0, min(0.22 * len(lines) + 1.5, 16)))
    bars: dict[str, tuple[list[int], list[float], list[float]]] = {}
    for row, (_, _, _, line) in enumerate(lines):
        for index, (start, phase) in enumerate(line):
            end = line[index + 1][0] if index + 1 < len(line) else day
            if book.is_terminal(phase):
                end = min(end, start + dt.timedelta(days=60))  # a short mark, not a bar to today
            rows, lefts, widths = bars.setdefault(phase, ([], [], []))
            rows.append(row)
            lefts.append(_num(start))
            widths.append(max((end - start).days, 1))
    order = [p for p in book.phase_values if p in bars] + sorted(
        p for p in bars if not book.has_phase(p)
    )
    for phase in order:
        rows, lefts, widths = bars[phase]
        axes.barh(
            rows,
            widths,
            left=lefts,
            height=0.8,
            color=phase_colour(phase, book),
            label=phase_label(phase, lang, book),
        )
    _date_axis(axes)
    if labelled:
        axes.set_yticks(range(len(lines)), [title for _, _, title, _ in lines], fontsize=8)
    else:
        axes.set_yticks([])
    axes.set_ylabel(f"{len(lines)} {_text(lang, 'products')}")
    axes.invert_yaxis()
    axes.set_xlabel(_text(lang, "date"))
    axes.set_title(f"{_text(lang, 'timeline')} ({_text(lang, 'as_of', on=day.isoformat())})")
    if lines:
        axes.legend(loc="lower left", fontsize=8)
    else:
        _empty(axes, lang)
    return figure


def phase_counts(
    portfolio: Portfolio,
    start: dt.date,
    end: dt.date,
    *,
    lang: Lang = "en",
    rulebook: Rulebook | None = None,
    terminal: bool = True,
) -> Figure:
    """
    Products in each phase on the first of each month, stacked.

    ``terminal=False`` leaves out terminal phases (stopped and exited
    products pile up over the years and can hide the running ones).

    .. versionadded:: 0.1.0
    """
    book = _analytics.default_rulebook(rulebook)
    series = _analytics.phase_series(portfolio, _analytics.month_starts(start, end), book)
    phases = [p for p in book.phase_values if terminal or not book.is_terminal(p)]
    figure, axes = _figure(11, 5)
    days = list(series)
    if days:
        axes.stackplot(
            [_num(d) for d in days],
            *[[series[d].get(p, 0) for d in days] for p in phases],
            labels=[phase_label(p, lang, book) for p in phases],
            colors=[phase_colour(p, book) for p in phases],
        )
        axes.legend(loc="upper left", fontsize=8, reverse=True)
        _date_axis(axes)
    else:
        _empty(axes, lang)
    axes.set_title(_text(lang, "counts"))
    axes.set_xlabel(_text(lang, "date"))
    axes.set_ylabel(_text(lang, "products"))
    axes.margins(x=0)
    return figure


_OUTCOMES = ("advanced", "ended", "running", "stopped", "other")
_OUTCOME_COLOURS = {
    "advanced": "#31a354",
    "ended": "#756bb1",
    "running": "#9ecae1",
    "stopped": "#e6550d",
    "other": "#bdbdbd",
}


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def funnel(
    portfolio: Portfolio,
    on: dt.date | None = None,
    *,
    steps: Sequence[Sequence[str]] | None = None,
    lang: Lang = "en",
    rulebook: Rulebook | None = None,
) -> Figure:
    """
    One bar per funnel step, split by what became of the products, with both rates.

    .. versionadded:: 0.1.0
    """
    book = _analytics.default_rulebook(rulebook)
    day = on or _analytics.today()
    result = _analytics.funnel(portfolio, day, steps or _analytics.DEFAULT_STEPS, book)
    figure, axes = _figure(11, 1.2 * len(result) + 1.5)
    names = [
        textwrap.fill(", ".join(phase_label(p, lang, book) for p in step.phases), 28)
        for step in result
    ]
    for outcome in _OUTCOMES:
        lefts = [
            sum(getattr(step, o) for o in _OUTCOMES[: _OUTCOMES.index(outcome)]) for step in result
        ]
        axes.barh(
            range(len(result)),
            [getattr(step, outcome) for step in result],
            left=lefts,
            color=_OUTCOME_COLOURS[outcome],
            label=_text(lang, outcome),
        )
    for row, step in enumerate(result):
        if row + 1 < len(result):
            rates = _text(
                lang, "rate", rate=_percent(step.rate), decided=_percent(step.decided_rate)
            )
        else:  # nothing follows the last step: say how many ended there
            share = step.ended / step.entered if step.entered else None
            rates = f"{_percent(share)} {_text(lang, 'ended')}"
        axes.text(step.entered, row, f"  {step.entered} · {rates}", va="center", fontsize=9)
    axes.set_yticks(range(len(result)), names)
    axes.invert_yaxis()
    widest = max((step.entered for step in result), default=0)
    axes.set_xlim(0, max(widest * 1.9, 1))
    axes.set_xlabel(_text(lang, "products"))
    axes.set_title(_text(lang, "funnel", on=day.isoformat()))
    axes.legend(loc="lower right", fontsize=8)
    return figure


def _curves(
    axes: Axes,
    curves: Mapping[str, _analytics.SurvivalCurve],
    colours: Mapping[str, str],
    lang: str,
) -> None:
    for key, curve in curves.items():
        years = [t / 365.25 for t in curve.timeline]
        colour = colours.get(key)
        (line,) = axes.step(
            years,
            curve.survival,
            where="post",
            color=colour,
            label=_text(
                lang,
                "legend",
                label=curve.label,
                n=curve.n,
                ended=curve.observed,
                censored=curve.censored,
            ),
        )
        axes.fill_between(
            years, curve.lower, curve.upper, step="post", alpha=0.2, color=line.get_color()
        )
    axes.set_ylim(0, 1.02)
    axes.set_xlim(left=0)
    axes.grid(alpha=0.3)


def survival(
    portfolio: Portfolio,
    on: dt.date | None = None,
    kind: _analytics.SurvivalKind = "stop",
    *,
    by: _analytics.GroupBy | None = None,
    lang: Lang = "en",
    rulebook: Rulebook | None = None,
) -> Figure:
    """
    Kaplan-Meier curves of the time to ``kind`` (``stop``, ``exit``, ``end``), per group.

    Needs the ``analytics`` extra too (lifelines).

    .. versionadded:: 0.1.0
    """
    book = _analytics.default_rulebook(rulebook)
    day = on or _analytics.today()
    curves = _analytics.survival(portfolio, day, kind, by, book)
    labelled = {key: _relabel(curve, key or _text(lang, "all")) for key, curve in curves.items()}
    figure, axes = _figure(9, 5)
    if labelled:
        _curves(axes, labelled, {}, lang)
        axes.legend(fontsize=8)
    else:
        _empty(axes, lang)
    axes.set_title(
        f"{_text(lang, f'survival_{kind}')} ({_text(lang, 'as_of', on=day.isoformat())})"
    )
    axes.set_xlabel(_text(lang, "years"))
    axes.set_ylabel(_text(lang, "share"))
    return figure


def _relabel(curve: _analytics.SurvivalCurve, label: str) -> _analytics.SurvivalCurve:
    import attrs  # noqa: PLC0415

    return attrs.evolve(curve, label=label)


def durations(
    portfolio: Portfolio,
    on: dt.date | None = None,
    *,
    lang: Lang = "en",
    rulebook: Rulebook | None = None,
) -> Figure:
    """
    Kaplan-Meier curves of the time spent in each non-terminal phase.

    .. versionadded:: 0.1.0
    """
    book = _analytics.default_rulebook(rulebook)
    day = on or _analytics.today()
    curves = _analytics.durations(portfolio, day, book)
    labelled = {p: _relabel(c, phase_label(p, lang, book)) for p, c in curves.items()}
    figure, axes = _figure(9, 5)
    if labelled:
        _curves(axes, labelled, {p: phase_colour(p, book) for p in labelled}, lang)
        axes.legend(fontsize=8)
    else:
        _empty(axes, lang)
    axes.set_title(f"{_text(lang, 'durations')} ({_text(lang, 'as_of', on=day.isoformat())})")
    axes.set_xlabel(_text(lang, "years_phase"))
    axes.set_ylabel(_text(lang, "share_phase"))
    return figure


def team_size(
    portfolio: Portfolio,
    start: dt.date,
    end: dt.date,
    *,
    startup: str | None = None,
    lang: Lang = "en",
) -> Figure:
    """
    Members on a mission on the first of each month, stacked by status.

    Public agents, freelancers and service companies (the missions'
    ``admin``, ``independent`` and ``service``).

    .. versionadded:: 0.1.0
    """
    series = _analytics.team_series(
        portfolio, _analytics.month_starts(start, end), "status", startup
    )
    statuses = sorted({s for counts in series.values() for s in counts})
    figure, axes = _figure(11, 5)
    days = list(series)
    colours = {
        "admin": "#3182bd",
        "independent": "#31a354",
        "service": "#fd8d3c",
        "unknown": "#bdbdbd",
    }
    index = 1 if lang == "fr" else 0
    if statuses:
        axes.stackplot(
            [_num(d) for d in days],
            *[[series[d].get(s, 0) for d in days] for s in statuses],
            labels=[_analytics.STATUS_LABELS.get(s, (s, s))[index] for s in statuses],
            colors=[colours.get(s, "#969696") for s in statuses],
        )
        axes.legend(loc="upper left", fontsize=8, reverse=True)
        _date_axis(axes)
    else:
        _empty(axes, lang)
    title = _text(lang, "team") + (f" — {startup}" if startup else "")
    axes.set_title(title)
    axes.set_xlabel(_text(lang, "date"))
    axes.set_ylabel(_text(lang, "members"))
    axes.margins(x=0)
    return figure


def stop_reasons(
    portfolio: Portfolio,
    on: dt.date | None = None,
    *,
    lang: Lang = "en",
    rulebook: Rulebook | None = None,
) -> Figure:
    """
    Stopped products by reason category, stacked by the phase they stopped from.

    Stops with no reason found (``unknown``) are counted in the subtitle,
    not drawn: their bar would dwarf every reason.

    .. versionadded:: 0.1.0
    """
    from betastate._analytics.lessons import reason_counts  # noqa: PLC0415
    from betastate._analytics.related import reason_label  # noqa: PLC0415

    book = _analytics.default_rulebook(rulebook)
    items = portfolio.lessons(on, rulebook=book)
    counts = reason_counts(items, ("reason", "stage"))
    totals: dict[str, int] = {}
    for (reason, _), n in counts.items():
        totals[reason] = totals.get(reason, 0) + n
    unknown = totals.pop("unknown", 0)
    reasons = sorted(totals, key=lambda r: (-totals[r], r))
    drawn = {key[1] for key in counts if key[0] != "unknown"}
    stages = [p for p in book.phase_values if p in drawn]
    stages += sorted(drawn - set(stages))
    figure, axes = _figure(11, max(3.5, 0.45 * len(reasons) + 2))
    lefts = [0] * len(reasons)
    for stage in stages:
        widths = [counts.get((reason, stage), 0) for reason in reasons]
        known = book.has_phase(stage)
        label = (
            _text(lang, "from", phase=phase_label(stage, lang, book))
            if known
            else _text(lang, "first_phase")
        )
        axes.barh(
            range(len(reasons)),
            widths,
            left=lefts,
            color=phase_colour(stage, book) if known else "#bdbdbd",
            label=label,
        )
        lefts = [a + b for a, b in zip(lefts, widths, strict=True)]
    for row, total in enumerate(lefts):
        axes.text(total, row, f" {total}", va="center", fontsize=9)
    axes.set_yticks(range(len(reasons)), [reason_label(r, lang) for r in reasons])
    axes.invert_yaxis()
    axes.set_xlabel(_text(lang, "stops"))
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    classified = sum(1 for item in items if item.classified)
    share = _percent(classified / len(items) if items else None)
    axes.set_title(
        f"{_text(lang, 'reasons')}\n"
        + _text(
            lang, "reasons_sub", n=len(items), classified=classified, share=share, unknown=unknown
        ),
        fontsize=11,
    )
    if reasons:
        axes.set_xlim(0, max(lefts) * 1.12 + 1)
        axes.legend(loc="lower right", fontsize=8)
    else:
        _empty(axes, lang)
    return figure


# -- forecasts -------------------------------------------------------------------------

_FORECAST_TEXT: Mapping[str, Mapping[str, str]] = {
    "en": {
        "forecast": "Forecast from {start} ({runs} runs, {entries:.1f} new products a month)",
        "backtest": (
            "Backtest: calibrated up to {start}; 90 % band covers {c90:.0%} of monthly counts, "
            "mean absolute error {mae:.1f} (carry forward {carry:.1f}, 12-month trend {trend:.1f})"
        ),
        "recorded": "recorded",
        "median": "median forecast",
        "band50": "50 % band",
        "band90": "90 % band",
        "carry": "carry forward",
        "trend": "12-month trend",
        "start": "start",
    },
    "fr": {
        "forecast": (
            "Prévision à partir du {start} ({runs} tirages, "
            "{entries:.1f} nouveaux produits par mois)"
        ),
        "backtest": (
            "Test rétrospectif : calibré jusqu'au {start} ; la bande à 90 % couvre {c90:.0%} des "
            "effectifs mensuels, erreur absolue moyenne {mae:.1f} (report {carry:.1f}, tendance "
            "sur 12 mois {trend:.1f})"
        ),
        "recorded": "observé",
        "median": "prévision médiane",
        "band50": "bande à 50 %",
        "band90": "bande à 90 %",
        "carry": "report du dernier mois",
        "trend": "tendance sur 12 mois",
        "start": "début",
    },
}


def _forecast_text(lang: str, key: str, **values: object) -> str:
    _text(lang, "date")  # the same check of ``lang`` as every plot
    return _FORECAST_TEXT[lang][key].format(**values)


def _panel_dates(axes: Axes) -> None:
    """Dates on a narrow panel's x axis: few ticks, short labels."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter  # noqa: PLC0415

    axes.xaxis_date()
    locator = AutoDateLocator(minticks=3, maxticks=5)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def _panels(count: int) -> tuple[Figure, list[Axes]]:
    try:
        from matplotlib.figure import Figure  # noqa: PLC0415  (optional, heavy)
    except ImportError as exc:
        msg = f"plots need matplotlib: {_analytics.EXTRAS_HINT}"
        raise ImportError(msg) from exc
    columns = min(4, max(count, 1))
    rows = max(1, -(-count // columns))
    figure = Figure(figsize=(3.6 * columns, 2.9 * rows + 0.9), layout="constrained")
    grid = figure.subplots(rows, columns, sharex=True, squeeze=False)
    axes = [ax for line in grid for ax in line]
    for extra in axes[count:]:
        extra.set_visible(False)
    return figure, axes[:count]


def _chosen(phases: Sequence[str] | None, available: Sequence[str]) -> list[str]:
    from .exceptions import InvalidArgument  # noqa: PLC0415

    if phases is None:
        return list(available)
    unknown = [p for p in phases if p not in available]
    if unknown or isinstance(phases, str):
        raise InvalidArgument(
            "phases", phases, "not phases of this forecast", f"choose among {', '.join(available)}"
        )
    return list(phases)


def _fan(axes: Axes, result: Forecast, phase: str, group: str | None, lang: str) -> None:
    days = [_num(d) for d in result.dates]
    colour = phase_colour(phase, result.rulebook)
    low90, high90 = result.band(phase, 90, group)
    low50, high50 = result.band(phase, 50, group)
    axes.fill_between(
        days, low90, high90, color=colour, alpha=0.25, lw=0, label=_forecast_text(lang, "band90")
    )
    axes.fill_between(
        days, low50, high50, color=colour, alpha=0.55, lw=0, label=_forecast_text(lang, "band50")
    )
    axes.plot(
        days,
        result.series(phase, "q50", group),
        color=colour,
        lw=2,
        label=_forecast_text(lang, "median"),
    )
    axes.axvline(_num(result.start), color="#636363", lw=0.8, ls=":")


def forecast(
    result: Forecast,
    portfolio: Portfolio | None = None,
    *,
    phases: Sequence[str] | None = None,
    group: str | None = None,
    history: int = 36,
    lang: Lang = "en",
) -> Figure:
    """
    Fan chart of a forecast: per phase, the 50 % and 90 % bands and the median.

    With ``portfolio``, the recorded counts are drawn as a black line: the
    ``history`` months before the start, and whatever it records after the
    start (a backtest shows the forecast against what happened). ``group``
    draws one incubator of a forecast made with ``by="incubator"``.

    .. versionadded:: 0.1.0
    """
    from betastate._analytics import forecast as _forecast  # noqa: PLC0415  (numpy)

    chosen = _chosen(phases, result.phases)
    if group is not None:
        result.series(chosen[0] if chosen else result.phases[0], "q50", group)  # checks group
    figure, axes = _panels(len(chosen))
    recorded: dict[str, list[int]] = {}
    dates: list[dt.date] = []
    if portfolio is not None:
        first = _analytics.add_months(result.start, -history)
        hist = _forecast.histories(portfolio, result.rulebook)
        # Recorded up to the latest phase change the data holds (not a flat line to today).
        last = min(result.dates[-1], _forecast.last_change(hist) or result.start)
        dates = list(_analytics.month_starts(first, last))
        if group is not None:
            keep = [s for s in portfolio if (s.incubator or _analytics.NONE_GROUP) == group]
            hist = _forecast.histories(type(portfolio)(keep), result.rulebook)
        table = _forecast.recorded(hist, dates)
        index = {p: i for i, p in enumerate(hist.phases)}
        recorded = {p: [int(v) for v in table[:, index[p]]] if p in index else [] for p in chosen}
    for ax, phase in zip(axes, chosen, strict=True):
        _fan(ax, result, phase, group, lang)
        if recorded.get(phase):
            ax.plot(
                [_num(d) for d in dates],
                recorded[phase],
                color="black",
                lw=1.2,
                label=_forecast_text(lang, "recorded"),
            )
        ax.set_title(phase_label(phase, lang, result.rulebook), fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        _panel_dates(ax)
    if axes:
        axes[0].set_ylabel(_text(lang, "products"))
        handles, labels = axes[0].get_legend_handles_labels()
        figure.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=9)
    title = _forecast_text(
        lang, "forecast", start=result.start.isoformat(), runs=result.runs, entries=result.entries
    )
    figure.suptitle(title + (f" — {group}" if group else ""), fontsize=12)
    return figure


def backtest(result: Backtest, *, phases: Sequence[str] | None = None, lang: Lang = "en") -> Figure:
    """
    A backtest: per phase, the forecast's bands and median against the recorded counts.

    The two naive forecasts it is compared with are drawn too: the start's
    counts carried forward, and the 12 months' linear trend extended.

    .. versionadded:: 0.1.0
    """
    chosen = _chosen(phases, result.phases)
    figure, axes = _panels(len(chosen))
    fc = result.forecast
    days = [_num(d) for d in result.dates]
    before = [_num(d) for d in result.before_dates]
    for ax, phase in zip(axes, chosen, strict=True):
        _fan(ax, fc, phase, None, lang)
        ax.plot(before, result.before[phase], color="black", lw=1.2)
        ax.plot(
            days,
            result.actual[phase],
            color="black",
            lw=1.2,
            label=_forecast_text(lang, "recorded"),
        )
        ax.plot(
            days,
            result.carry[phase],
            color="#636363",
            lw=1,
            ls="--",
            label=_forecast_text(lang, "carry"),
        )
        ax.plot(
            days,
            result.trend[phase],
            color="#636363",
            lw=1,
            ls=":",
            label=_forecast_text(lang, "trend"),
        )
        ax.set_xlim(before[0], days[-1])
        ax.set_title(phase_label(phase, lang, fc.rulebook), fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        _panel_dates(ax)
    if axes:
        axes[0].set_ylabel(_text(lang, "products"))
        handles, labels = axes[0].get_legend_handles_labels()
        figure.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=9)
    figure.suptitle(
        _forecast_text(
            lang,
            "backtest",
            start=fc.start.isoformat(),
            c90=result.coverage[90],
            mae=result.total("median"),
            carry=result.total("carry"),
            trend=result.total("trend"),
        ),
        fontsize=11,
    )
    return figure
