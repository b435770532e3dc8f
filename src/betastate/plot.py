"""
Plots of a portfolio (the ``plot`` extra: matplotlib).

Each function returns a :class:`matplotlib.figure.Figure` built without
pyplot (no global state, any backend): show it in a notebook, or save it
with ``fig.savefig("counts.png")``. Every function takes

- ``ax=``: draw on these axes (of your own figure) instead of a new figure;
- ``title=``: a title of your own (the default says what is drawn and as of when);
- ``lang=``: ``"en"`` or ``"fr"`` for every label (phase names come from the
  rulebook's ``label_en`` / ``label_fr``);
- ``top=N``: keep the N largest groups (or phases, statuses, products) and
  draw the rest together as "other".

Dates default to the portfolio's :attr:`~betastate.Portfolio.data_date`.
Groups get distinct styles (nine colours times four line styles, then
markers), so 22 incubators stay apart; "other" is grey. Legends sit beside
the axes, never over the curves, and every text stays inside the figure.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime as dt
import textwrap
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from betastate._analytics import counts as _counts
from betastate._analytics import funnel as _funnel
from betastate._analytics import queries as _queries
from betastate._analytics import survival as _survival
from betastate._analytics import teams as _teams
from betastate._analytics import views as _views
from betastate._analytics.tables import EXTRAS_HINT
from betastate._values.errors import InvalidArgument


if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from betastate._analytics.forecast import Backtest, Forecast
    from betastate._analytics.portfolio import Portfolio
    from betastate._analytics.queries import GroupBy
    from betastate._analytics.results import Series
    from betastate._rules.rulebook import Rulebook
    from betastate._values.startup import Startup

Lang = Literal["en", "fr"]
_MAX_NAMED = 60  # product names are written on the timeline up to this many bars
_CROWDED = 16  # more groups than this on an axis: their labels stand upright

PHASE_COLOURS: Mapping[str, str] = _views.PHASE_COLOURS
"""Colour of each beta.gouv.fr phase; other rulebooks' phases cycle through a palette."""

_FALLBACK = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")

GROUP_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
)
"""Colours of groups (tab10 without its grey, which is kept for "other")."""
LINE_STYLES = ("-", "--", ":", "-.")
MARKERS = ("", "o", "s", "^")
OTHER_COLOUR = "#7f7f7f"
OTHER_KEY = "(other)"
"""The group the ``top`` left out are drawn as."""

_TEXT: Mapping[str, Mapping[str, str]] = {
    "en": {
        "timeline": "Portfolio timeline: the phases of each product",
        "products": "products",
        "latest": "the {n} most recently started of {total} products",
        "date": "date",
        "counts": "Products in each phase, month by month",
        "counts_by": "{phases}, month by month, by {by}",
        "running_phases": "Running products (in a phase that is not terminal)",
        "in_phases": "Products in {phases}",
        "funnel": "What became of the products entering each step",
        "funnel_by": "Conversion of each step, by {by}",
        "conversion": "share converted",
        "survival_stopped": "How long services run before they stop",
        "survival_inconclusive": "How long investigations run before they end without a service",
        "survival_exit": "How long services take to be operated or transferred",
        "survival_end": "How long products take to reach a terminal phase",
        "survival_stop": "How long products run before any stop",
        "durations": "How long each phase lasts",
        "durations_by": "How long {phase} lasts, by {by}",
        "share": "share still without the outcome",
        "share_phase": "share still in the phase",
        "years": "years since the start",
        "years_phase": "years in the phase",
        "team": "Members on a mission, month by month",
        "team_by": "Members on a mission, month by month, by {by}",
        "members": "members on a mission",
        "advanced": "advanced",
        "exited": "operated or transferred",
        "stopped": "stopped",
        "running": "still running",
        "other": "other",
        "other_groups": "other ({n} groups)",
        "none": "(none)",
        "step": "{entered} entered · {rate} converted ({decided} of decided)",
        "rate": "solid: running products as not converted",
        "decided": "dashed: running products left out",
        "all": "all products",
        "empty": "nothing to show",
        "as_of": "as of {on}",
        "legend": "{label} (n={n})",
        "maximum": "{label}: rulebook maximum ({days} days)",
        "incubator": "incubator",
        "sponsor": "sponsor",
        "cohort": "cohort",
        "by_group": "group",
        "band": "95 % band",
        "reasons": "Why products stopped, by the phase they stopped from",
        "reasons_sub": "{n} stops: {classified} with a reason found ({share}), {unknown} unknown;"
        " a stop may have several reasons",
        "stops": "stopped products",
        "from": "from {phase}",
        "first_phase": "stopped at once",
    },
    "fr": {
        "timeline": "Chronologie du portefeuille : les phases de chaque produit",
        "products": "produits",
        "latest": "les {n} produits lancés le plus récemment, sur {total}",
        "date": "date",
        "counts": "Produits dans chaque phase, mois par mois",
        "counts_by": "{phases}, mois par mois, par {by}",
        "running_phases": "Produits en cours (dans une phase non finale)",
        "in_phases": "Produits en {phases}",
        "funnel": "Devenir des produits entrés dans chaque étape",
        "funnel_by": "Conversion de chaque étape, par {by}",
        "conversion": "part convertie",
        "survival_stopped": "Durée des services avant leur arrêt",
        "survival_inconclusive": "Durée des investigations avant une fin sans service",
        "survival_exit": "Délai avant qu'un service soit opéré ou transféré",
        "survival_end": "Délai avant une phase finale",
        "survival_stop": "Durée des produits avant un arrêt, quel qu'il soit",
        "durations": "Durée de chaque phase",
        "durations_by": "Durée de la phase {phase}, par {by}",
        "share": "part encore sans l'issue",
        "share_phase": "part encore dans la phase",
        "years": "années depuis le début",
        "years_phase": "années dans la phase",
        "team": "Membres en mission, mois par mois",
        "team_by": "Membres en mission, mois par mois, par {by}",
        "members": "membres en mission",
        "advanced": "passés à l'étape suivante",
        "exited": "opérés ou transférés",
        "stopped": "arrêtés",
        "running": "en cours",
        "other": "autres",
        "other_groups": "autres ({n} groupes)",
        "none": "(aucun)",
        "step": "{entered} entrés · {rate} convertis ({decided} des décidés)",
        "rate": "trait plein : produits en cours comptés non convertis",
        "decided": "tirets : produits en cours laissés de côté",
        "all": "tous les produits",
        "empty": "rien à afficher",
        "as_of": "au {on}",
        "legend": "{label} (n={n})",
        "maximum": "{label} : durée maximale du référentiel ({days} jours)",
        "incubator": "incubateur",
        "sponsor": "sponsor",
        "cohort": "cohorte",
        "by_group": "groupe",
        "band": "bande à 95 %",
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
        raise InvalidArgument("lang", lang, "not a language of the plots", "use 'en' or 'fr'")
    return table[key].format(**values)


def _by_name(by: object, lang: str) -> str:
    return (
        _text(lang, by)
        if isinstance(by, str) and by in _queries.GROUPINGS
        else _text(lang, "by_group")
    )


def _group_label(key: str, lang: str, others: int = 0) -> str:
    if key == OTHER_KEY:
        return _text(lang, "other_groups", n=others)
    if key == _queries.NONE_GROUP:
        return _text(lang, "none")
    return textwrap.shorten(key, 32, placeholder="…")


def _canvas(ax: Axes | None, width: float, height: float) -> tuple[Figure, Axes]:
    if ax is not None:
        figure = ax.get_figure()
        if figure is None:
            raise InvalidArgument(
                "ax", ax, "these axes belong to no figure", "pass axes of a figure"
            )
        return figure, ax  # type: ignore[return-value]
    try:
        from matplotlib.figure import Figure  # noqa: PLC0415  (optional, heavy)
    except ImportError as exc:
        msg = f"plots need matplotlib: {EXTRAS_HINT}"
        raise ImportError(msg) from exc
    figure = Figure(figsize=(width, height), layout="constrained")
    return figure, figure.add_subplot()


def _title(axes: Axes, text: str) -> None:
    """A title wrapped to the width of its figure, so that it is never cut."""
    figure: Any = axes.get_figure()
    if figure is not None and not hasattr(figure, "get_figwidth"):
        figure = getattr(figure, "figure", None)  # a subfigure: the figure it is part of
    inches = float(figure.get_figwidth()) if figure is not None else 8.0
    inches *= min(1.0, axes.get_position().width + 0.1)  # the title spans its axes, not the figure
    chars = max(20, int(inches * 72 / (12 * 0.55)))  # 12 pt, about 0.55 em a character
    axes.set_title("\n".join(textwrap.wrap(text, chars)) or text, fontsize=12)


def _legend(axes: Axes, *, outside: bool = True, **options: Any) -> None:
    """The legend beside the axes (never over the data), or inside when asked."""
    handles, _ = axes.get_legend_handles_labels()
    if not handles:
        return
    if outside:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, **options)
    else:
        axes.legend(fontsize=8, **options)


def group_style(index: int) -> dict[str, Any]:
    """
    The line style of the ``index``-th group: colour, line style, marker.

    Nine colours, then the same colours dashed, dotted and dash-dotted,
    then with markers: 144 distinct styles before any repeats.
    """
    colour = GROUP_COLOURS[index % len(GROUP_COLOURS)]
    rest = index // len(GROUP_COLOURS)
    style = LINE_STYLES[rest % len(LINE_STYLES)]
    marker = MARKERS[(rest // len(LINE_STYLES)) % len(MARKERS)]
    return {"color": colour, "linestyle": style, "marker": marker, "markevery": 0.1}


def _other_style() -> dict[str, Any]:
    return {"color": OTHER_COLOUR, "linestyle": "-", "linewidth": 2.2}


def _check_top(top: int | None) -> None:
    given: object = top  # callers without a type checker may pass anything
    if given is not None and (isinstance(given, bool) or not isinstance(given, int) or given < 1):
        raise InvalidArgument(
            "top", top, "not a number of groups to keep", "pass an int of 1 or more"
        )


def _keep(sizes: Mapping[str, float], top: int | None) -> set[str] | None:
    """The ``top`` largest keys (ties by name), or ``None`` when all are kept."""
    _check_top(top)
    if top is None or len(sizes) <= top:
        return None
    ranked = sorted(sizes, key=lambda key: (-sizes[key], key))
    return set(ranked[:top])


def _regroup(
    by: GroupBy, portfolio: Portfolio, book: Rulebook, kept: set[str]
) -> Callable[[Startup], tuple[str, ...]]:
    """``by``, with the groups not kept merged into :data:`OTHER_KEY`."""
    groups = _queries.grouper(by, portfolio, book)
    return lambda s: tuple(dict.fromkeys(g if g in kept else OTHER_KEY for g in groups(s)))


def _order(keys: Iterable[str]) -> list[str]:
    """Groups in their order, with "other" last."""
    found = list(keys)
    return [k for k in found if k != OTHER_KEY] + [k for k in found if k == OTHER_KEY]


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
    book = _queries.default_rulebook(rulebook)
    values = book.phase_values
    index = values.index(phase) if phase in values else len(values)
    return _FALLBACK[index % len(_FALLBACK)]


def phase_label(phase: str, lang: Lang = "en", rulebook: Rulebook | None = None) -> str:
    """The rulebook's label of ``phase`` in ``lang`` (the value itself if unknown)."""
    book = _queries.default_rulebook(rulebook)
    return book.phase(phase).label(lang) if book.has_phase(phase) else phase


def _empty(axes: Axes, lang: str) -> None:
    axes.text(0.5, 0.5, _text(lang, "empty"), ha="center", va="center", transform=axes.transAxes)


def _as_of(lang: str, day: dt.date) -> str:
    return _text(lang, "as_of", on=day.isoformat())


# -- timeline ------------------------------------------------------------------


def _bars(
    lines: Sequence[Sequence[tuple[dt.date, str]]], day: dt.date, book: Rulebook
) -> dict[str, tuple[list[int], list[float], list[float]]]:
    """``{phase: (rows, lefts, widths)}`` of the timeline's bars; terminal phases a short mark."""
    bars: dict[str, tuple[list[int], list[float], list[float]]] = {}
    for row, line in enumerate(lines):
        for index, (start, phase) in enumerate(line):
            end = line[index + 1][0] if index + 1 < len(line) else day
            if book.is_terminal(phase):
                end = min(end, start + dt.timedelta(days=60))  # a short mark, not a bar to today
            rows, lefts, widths = bars.setdefault(phase, ([], [], []))
            rows.append(row)
            lefts.append(_num(start))
            widths.append(max((end - start).days, 1))
    return bars


def timeline(
    portfolio: Portfolio,
    on: dt.date | None = None,
    *,
    top: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    lang: Lang = "en",
    rulebook: Rulebook | None = None,
    limit: int | None = None,
) -> Figure:
    """
    One horizontal bar per product, coloured by phase, up to ``on``.

    Products are sorted by first start; names are written when there are
    at most 60 bars. ``top=N`` keeps the N most recently started products
    (``limit`` is its old name).

    .. versionadded:: 0.1.0
    """
    _text(lang, "empty")
    if limit is not None:
        warnings.warn(
            "timeline(limit=) is deprecated: write top=", DeprecationWarning, stacklevel=2
        )
        top = top if top is not None else (limit if limit > 0 else 1)
    _check_top(top)
    book = _queries.default_rulebook(rulebook)
    day = _queries.as_of(portfolio, on)
    lines = []
    for startup in portfolio:
        line = [
            item for item in _queries.timelines(portfolio, book)[startup.slug] if item[0] <= day
        ]
        if line:
            lines.append((line[0][0], startup.slug, startup.title, line))
    lines.sort(key=lambda item: (item[0], item[1]))
    total = len(lines)
    if top is not None:
        lines = lines[-top:]
    labelled = len(lines) <= _MAX_NAMED
    figure, axes = _canvas(ax, 11, max(3.5, min(0.22 * len(lines) + 2.0, 16)))
    bars = _bars([line for *_, line in lines], day, book)
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
        names = [textwrap.shorten(title_, 40, placeholder="…") for _, _, title_, _ in lines]
        axes.set_yticks(range(len(lines)), names, fontsize=8)
    else:
        axes.set_yticks([])
    shown = len(lines)
    axes.set_ylabel(
        _text(lang, "latest", n=shown, total=total)
        if shown < total
        else f"{shown} {_text(lang, 'products')}"
    )
    axes.invert_yaxis()
    axes.set_xlabel(_text(lang, "date"))
    _title(axes, title if title is not None else f"{_text(lang, 'timeline')} ({_as_of(lang, day)})")
    if lines:
        _legend(axes)
    else:
        _empty(axes, lang)
    return figure


# -- phase counts ----------------------------------------------------------------


def _stack(  # noqa: PLR0917  (a private helper of the stacked plots)
    axes: Axes,
    series: Series,
    keys: Sequence[str],
    labels: Mapping[str, str],
    colours: Mapping[str, str],
    top: int | None,
    lang: str,
) -> None:
    """Stacked areas of ``keys`` over the dates of ``series``, those past ``top`` as other."""
    days = list(series)
    kept = _keep({k: max((series[d].get(k, 0) for d in days), default=0) for k in keys}, top)
    shown = [k for k in keys if kept is None or k in kept]
    rest = [k for k in keys if kept is not None and k not in kept]
    values = [[series[d].get(k, 0) for d in days] for k in shown]
    names = [labels.get(k, k) for k in shown]
    colours_ = [colours.get(k, OTHER_COLOUR) for k in shown]
    if rest:
        values.append([sum(series[d].get(k, 0) for k in rest) for d in days])
        names.append(_text(lang, "other_groups", n=len(rest)))
        colours_.append(OTHER_COLOUR)
    axes.stackplot([_num(d) for d in days], *values, labels=names, colors=colours_)
    handles, texts = axes.get_legend_handles_labels()
    axes.legend(
        handles[::-1], texts[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8
    )
    _date_axis(axes)


def _lines(
    axes: Axes,
    curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    labels: Mapping[str, str],
) -> None:
    """One line per group, in order, "other" grey and last."""
    for index, key in enumerate(_order(curves)):
        xs, ys = curves[key]
        style = _other_style() if key == OTHER_KEY else group_style(index)
        axes.plot(xs, ys, label=labels.get(key, key), **style)


def phase_counts(
    portfolio: Portfolio,
    start: dt.date,
    end: dt.date | None = None,
    *,
    by: GroupBy | None = None,
    phases: Sequence[str] | None = None,
    terminal: bool = True,
    top: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    lang: Lang = "en",
    rulebook: Rulebook | None = None,
) -> Figure:
    """
    Products in each phase on the first of each month, stacked; or one line per group.

    ``terminal=False`` leaves out terminal phases (stopped and exited
    products pile up over the years and can hide the running ones). With
    ``by``, one line per group counts the products in ``phases`` (default:
    the phases that are not terminal, i.e. running products).

    .. versionadded:: 0.1.0
    """
    _text(lang, "empty")
    book = _queries.default_rulebook(rulebook)
    day = _queries.as_of(portfolio, end)
    dates = _queries.month_starts(start, day)
    figure, axes = _canvas(ax, 11, 5)
    if by is None:
        series = _counts.phase_series(portfolio, dates, book)
        chosen = (
            list(phases)
            if phases is not None
            else [p for p in book.phase_values if terminal or not book.is_terminal(p)]
        )
        if series:
            _stack(
                axes,
                series,
                chosen,
                {p: phase_label(p, lang, book) for p in chosen},
                {p: phase_colour(p, book) for p in chosen},
                top,
                lang,
            )
        else:
            _empty(axes, lang)
        default = f"{_text(lang, 'counts')} ({_as_of(lang, day)})"
    else:
        chosen = (
            list(phases)
            if phases is not None
            else [p for p in book.phase_values if not book.is_terminal(p)]
        )
        grouped = _counts.phase_series(portfolio, dates, book, by)
        kept = _keep(
            {
                g: max((sum(c.get(p, 0) for p in chosen) for c in s.values()), default=0)
                for g, s in grouped.items()
            },
            top,
        )
        others = len(grouped) - len(kept or ())
        if kept is not None:
            regrouped = _regroup(by, portfolio, book, kept)
            grouped = _counts.phase_series(portfolio, dates, book, regrouped)
        curves = {
            g: ([_num(d) for d in s], [sum(c.get(p, 0) for p in chosen) for c in s.values()])
            for g, s in grouped.items()
        }
        if curves:
            _lines(axes, curves, {g: _group_label(g, lang, others) for g in curves})
            _legend(axes)
            _date_axis(axes)
        else:
            _empty(axes, lang)
        named = (
            _text(lang, "running_phases")
            if phases is None
            else _text(
                lang, "in_phases", phases=", ".join(phase_label(p, lang, book) for p in chosen)
            )
        )
        default = _text(lang, "counts_by", phases=named, by=_by_name(by, lang))
        default = f"{default} ({_as_of(lang, day)})"
    _title(axes, title if title is not None else default)
    axes.set_xlabel(_text(lang, "date"))
    axes.set_ylabel(_text(lang, "products"))
    axes.margins(x=0)
    return figure


# -- funnel -------------------------------------------------------------------------

_OUTCOMES = ("advanced", "exited", "running", "stopped", "other")
_OUTCOME_COLOURS = {
    "advanced": "#31a354",
    "exited": "#756bb1",
    "running": "#9ecae1",
    "stopped": "#e6550d",
    "other": "#bdbdbd",
}


def _percent(value: float | None, lang: str = "en") -> str:
    """``62%`` in English, ``62 %`` (a no-break space) in French."""
    if value is None:
        return "-"
    text = f"{value:.0%}"
    return text.replace("%", "\u00a0%") if lang == "fr" else text


def funnel(
    portfolio: Portfolio,
    on: dt.date | None = None,
    *,
    steps: _funnel.Steps | None = None,
    by: GroupBy | None = None,
    top: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    lang: Lang = "en",
    rulebook: Rulebook | None = None,
) -> Figure:
    """
    One bar per funnel step, split by what became of the products, with both rates.

    With ``by`` (``"cohort"``...), one line per step of its conversion rate
    across the groups (solid: running products count as not converted;
    dashed: running products left out).

    .. versionadded:: 0.1.0
    """
    _text(lang, "empty")
    _check_top(top)
    book = _queries.default_rulebook(rulebook)
    day = _queries.as_of(portfolio, on)
    if by is not None:
        return _funnel_by(portfolio, day, steps, by, top, ax, title, lang, book)
    result = _funnel.funnel(portfolio, day, steps, book)
    figure, axes = _canvas(ax, 11, 1.3 * len(result) + 2.0)
    names = [
        "\n".join(
            [
                *textwrap.wrap(_funnel.step_label(step.name, step.phases, lang, book), 34),
                _text(
                    lang,
                    "step",
                    entered=step.entered,
                    rate=_percent(step.rate, lang),
                    decided=_percent(step.decided_rate, lang),
                ),
            ]
        )
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
    axes.set_yticks(range(len(result)), names, fontsize=9)
    axes.invert_yaxis()
    widest = max((step.entered for step in result), default=0)
    axes.set_xlim(0, max(widest * 1.02, 1))
    axes.set_xlabel(_text(lang, "products"))
    _title(axes, title if title is not None else f"{_text(lang, 'funnel')} ({_as_of(lang, day)})")
    _legend(axes)
    return figure


def _funnel_by(  # noqa: PLR0917  (funnel's arguments, passed on)
    portfolio: Portfolio,
    day: dt.date,
    steps: _funnel.Steps | None,
    by: GroupBy,
    top: int | None,
    ax: Axes | None,
    title: str | None,
    lang: str,
    book: Rulebook,
) -> Figure:
    grouped = _funnel.funnel(portfolio, day, steps, book, by)
    kept = _keep({g: f[0].entered for g, f in grouped.items()}, top)
    others = len(grouped) - len(kept or ())
    if kept is not None:
        grouped = _funnel.funnel(portfolio, day, steps, book, _regroup(by, portfolio, book, kept))
    groups = _order(grouped)
    figure, axes = _canvas(ax, 11, 5)
    if groups:
        from matplotlib.lines import Line2D  # noqa: PLC0415  (matplotlib: only here)

        xs = list(range(len(groups)))
        handles = []
        for index, (name, phases) in enumerate(_funnel.step_table(steps, book)):
            colour = group_style(index)["color"]
            for key, dashes in (("rate", "-"), ("decided_rate", "--")):
                values = [getattr(grouped[g][index], key) for g in groups]
                axes.plot(
                    xs,
                    [float("nan") if v is None else v for v in values],
                    color=colour,
                    marker="o",
                    markersize=4,
                    linestyle=dashes,
                    alpha=1.0 if dashes == "-" else 0.6,
                )
            handles.append(
                Line2D(
                    [],
                    [],
                    color=colour,
                    marker="o",
                    label=_funnel.step_label(name, phases, lang, book),
                )
            )
        handles += [
            Line2D([], [], color="#444444", linestyle="-", label=_text(lang, "rate")),
            Line2D(
                [], [], color="#444444", linestyle="--", alpha=0.6, label=_text(lang, "decided")
            ),
        ]
        sizes = [grouped[g][0].entered for g in groups]
        labels = [
            f"{_group_label(g, lang, others)}\nn={n}" for g, n in zip(groups, sizes, strict=True)
        ]
        crowded = len(groups) > _CROWDED
        axes.set_xticks(xs, labels, fontsize=8, rotation=90 if crowded else 0)
        axes.set_ylim(0, 1.02)
        axes.yaxis.set_major_formatter("{x:.0%}")
        axes.grid(alpha=0.3)
        axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    else:
        _empty(axes, lang)
    axes.set_xlabel(_by_name(by, lang))
    axes.set_ylabel(_text(lang, "conversion"))
    default = f"{_text(lang, 'funnel_by', by=_by_name(by, lang))} ({_as_of(lang, day)})"
    _title(axes, title if title is not None else default)
    return figure


# -- survival and durations ---------------------------------------------------------------


def _curves(
    axes: Axes,
    curves: Mapping[str, _survival.SurvivalCurve],
    labels: Mapping[str, str],
    styles: Mapping[str, dict[str, Any]],
    *,
    bands: bool,
    lang: str,
) -> None:
    for key, curve in curves.items():
        years = [t / 365.25 for t in curve.timeline]
        style = dict(styles[key])
        style.pop("markevery", None)
        marker = style.pop("marker", "")
        (line,) = axes.step(
            years,
            curve.survival,
            where="post",
            label=_text(lang, "legend", label=labels.get(key, key), n=curve.n),
            **style,
        )
        if marker:
            every = max(1, len(years) // 8)
            axes.plot(
                years[::every],
                curve.survival[::every],
                linestyle="",
                marker=marker,
                color=line.get_color(),
                markersize=4,
            )
        if bands:
            axes.fill_between(
                years, curve.lower, curve.upper, step="post", alpha=0.18, color=line.get_color()
            )
    axes.set_ylim(0, 1.02)
    axes.set_xlim(left=0)
    axes.grid(alpha=0.3)


def _grouped_curves(
    curves: Mapping[str, _survival.SurvivalCurve],
    top: int | None,
    recompute: Callable[[set[str]], Mapping[str, _survival.SurvivalCurve]],
) -> tuple[dict[str, _survival.SurvivalCurve], int]:
    kept = _keep({g: c.n for g, c in curves.items()}, top)
    if kept is None:
        return dict(curves), 0
    merged = recompute(kept)
    return {g: merged[g] for g in _order(merged)}, len(curves) - len(kept)


def survival(
    portfolio: Portfolio,
    on: dt.date | None = None,
    kind: _survival.SurvivalKind = "stopped",
    *,
    by: GroupBy | None = None,
    top: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    lang: Lang = "en",
    rulebook: Rulebook | None = None,
) -> Figure:
    """
    Kaplan-Meier curves of the time to ``kind`` (see :meth:`betastate.Portfolio.survival`).

    One curve with its 95 % band, or one per group (``by``; bands drawn for
    three curves or fewer). ``top=N`` keeps the N largest groups and draws
    the rest as one "other" curve.

    .. versionadded:: 0.1.0
    """
    _text(lang, "empty")
    _check_top(top)
    book = _queries.default_rulebook(rulebook)
    day = _queries.as_of(portfolio, on)
    figure, axes = _canvas(ax, 10, 5.5)
    curves: dict[str, _survival.SurvivalCurve]
    others = 0
    if by is None:
        try:
            curves = {"": _survival.survival(portfolio, day, kind, None, book)}
        except InvalidArgument:
            if kind not in _survival.SURVIVAL_KINDS:
                raise
            curves = {}
    else:
        grouped = _survival.survival(portfolio, day, kind, by, book)
        curves, others = _grouped_curves(
            grouped,
            top,
            lambda kept: _survival.survival(
                portfolio, day, kind, _regroup(by, portfolio, book, kept), book
            ),
        )
    labels = {g: _text(lang, "all") if g == "" else _group_label(g, lang, others) for g in curves}
    styles = {
        g: (_other_style() if g == OTHER_KEY else group_style(i)) for i, g in enumerate(curves)
    }
    if curves:
        _curves(axes, curves, labels, styles, bands=len(curves) <= 3, lang=lang)  # noqa: PLR2004
        _legend(axes, outside=len(curves) > 1)
    else:
        _empty(axes, lang)
    _title(
        axes,
        title if title is not None else f"{_text(lang, f'survival_{kind}')} ({_as_of(lang, day)})",
    )
    axes.set_xlabel(_text(lang, "years"))
    axes.set_ylabel(_text(lang, "share"))
    return figure


def _maximum(axes: Axes, book: Rulebook, phase: str, colour: str, lang: Lang) -> None:
    """A dashed vertical line at the rulebook's maximum duration of ``phase``."""
    if not book.has_phase(phase) or book.phase(phase).max_days is None:
        return
    days = book.phase(phase).max_days
    assert days is not None  # noqa: S101  (checked above)
    axes.axvline(
        days / 365.25,
        color=colour,
        linestyle=(0, (4, 3)),
        linewidth=1.2,
        alpha=0.9,
        label=_text(lang, "maximum", label=phase_label(phase, lang, book), days=days),
    )


def durations(
    portfolio: Portfolio,
    on: dt.date | None = None,
    *,
    by: GroupBy | None = None,
    phase: str | None = None,
    top: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    lang: Lang = "en",
    rulebook: Rulebook | None = None,
) -> Figure:
    """
    Kaplan-Meier curves of the time spent in each non-terminal phase, with the rulebook's maxima.

    Each phase's maximum duration (``max_days`` in the rulebook) is a
    dashed line of the phase's colour. With ``by``, one curve per group for
    ``phase`` (default: the second phase of the rulebook, construction).

    .. versionadded:: 0.1.0
    """
    _text(lang, "empty")
    book = _queries.default_rulebook(rulebook)
    day = _queries.as_of(portfolio, on)
    figure, axes = _canvas(ax, 10, 5.5)
    if by is None:
        found = _survival.durations(portfolio, day, book)
        wanted = [phase] if phase is not None else list(found)
        curves = {p: found[p] for p in wanted if p in found}
        kept = _keep({p: c.n for p, c in curves.items()}, top)
        curves = {p: c for p, c in curves.items() if kept is None or p in kept}
        labels = {p: phase_label(p, lang, book) for p in curves}
        styles = {p: {"color": phase_colour(p, book)} for p in curves}
        default = _text(lang, "durations")
    else:
        chosen = phase or next(
            (p for p in book.phase_values[1:] if not book.is_terminal(p)), book.phase_values[0]
        )
        if not book.has_phase(chosen):
            raise InvalidArgument(
                "phase",
                chosen,
                "not a phase of the rulebook",
                f"use one of {', '.join(book.phase_values)}",
            )

        def per_group(grouping: GroupBy) -> dict[str, _survival.SurvivalCurve]:
            grouped = _survival.durations(portfolio, day, book, grouping)
            return {g: c[chosen] for g, c in grouped.items() if chosen in c}

        all_groups = per_group(by)
        curves, others = _grouped_curves(
            all_groups, top, lambda kept: per_group(_regroup(by, portfolio, book, kept))
        )
        labels = {g: _group_label(g, lang, others) for g in curves}
        styles = {
            g: (_other_style() if g == OTHER_KEY else group_style(i)) for i, g in enumerate(curves)
        }
        default = _text(
            lang, "durations_by", phase=phase_label(chosen, lang, book), by=_by_name(by, lang)
        )
    if curves:
        _curves(axes, curves, labels, styles, bands=len(curves) <= 4, lang=lang)  # noqa: PLR2004
        for key in curves if by is None else [chosen]:
            colour = phase_colour(key, book) if by is None else "#444444"
            _maximum(axes, book, key, colour, lang)
        _legend(axes)
    else:
        _empty(axes, lang)
    _title(axes, title if title is not None else f"{default} ({_as_of(lang, day)})")
    axes.set_xlabel(_text(lang, "years_phase"))
    axes.set_ylabel(_text(lang, "share_phase"))
    return figure


# -- teams ----------------------------------------------------------------------------------

_STATUS_COLOURS = {
    "admin": "#3182bd",
    "independent": "#31a354",
    "service": "#fd8d3c",
    "unknown": "#bdbdbd",
}


def team_size(
    portfolio: Portfolio,
    start: dt.date,
    end: dt.date | None = None,
    *,
    startup: str | None = None,
    split: _teams.Split = "status",
    by: GroupBy | None = None,
    top: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    lang: Lang = "en",
) -> Figure:
    """
    Members on a mission on the first of each month, stacked by status (or domaine).

    Public agents, freelancers and service companies (the missions'
    ``admin``, ``independent`` and ``service``); ``split="domaine"`` stacks
    by the members' domaine instead. With ``by``, one line per group of
    products (a member counts once in each group they work for).

    .. versionadded:: 0.1.0
    """
    _text(lang, "empty")
    book = _queries.default_rulebook(None)
    day = _queries.as_of(portfolio, end)
    dates = _queries.month_starts(start, day)
    figure, axes = _canvas(ax, 11, 5)
    index = 1 if lang == "fr" else 0
    if by is None:
        series = _teams.team_series(portfolio, dates, split, startup)
        keys = sorted({k for counts in series.values() for k in counts})
        if keys:
            labels = (
                {k: _teams.STATUS_LABELS.get(k, (k, k))[index] for k in keys}
                if split == "status"
                else {k: k for k in keys}
            )
            colours = (
                _STATUS_COLOURS
                if split == "status"
                else {k: group_style(i)["color"] for i, k in enumerate(keys)}
            )
            _stack(axes, series, keys, labels, colours, top, lang)
        else:
            _empty(axes, lang)
        default = _text(lang, "team")
    else:
        grouped = _teams.team_series(portfolio, dates, split, startup, by)
        kept = _keep(
            {g: max((c.total for c in s.values()), default=0) for g, s in grouped.items()}, top
        )
        others = len(grouped) - len(kept or ())
        if kept is not None:
            grouped = _teams.team_series(
                portfolio, dates, split, startup, _regroup(by, portfolio, book, kept)
            )
        curves = {
            g: ([_num(d) for d in s], [c.total for c in s.values()]) for g, s in grouped.items()
        }
        if curves:
            _lines(axes, curves, {g: _group_label(g, lang, others) for g in curves})
            _legend(axes)
            _date_axis(axes)
        else:
            _empty(axes, lang)
        default = _text(lang, "team_by", by=_by_name(by, lang))
    suffix = f" — {startup}" if startup else ""
    _title(axes, title if title is not None else f"{default}{suffix} ({_as_of(lang, day)})")
    axes.set_xlabel(_text(lang, "date"))
    axes.set_ylabel(_text(lang, "members"))
    axes.margins(x=0)
    return figure


def stop_reasons(
    portfolio: Portfolio,
    on: dt.date | None = None,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    top: int | None = None,
    lang: Lang = "en",
    rulebook: Rulebook | None = None,
) -> Figure:
    """
    Stopped products by reason category, stacked by the phase they stopped from.

    Stops with no reason found (``unknown``) are counted in the subtitle,
    not drawn: their bar would dwarf every reason. ``top`` keeps the most
    frequent reasons (the rest are summed as "other").

    .. versionadded:: 0.1.0
    """
    from betastate._analytics.lessons import reason_counts  # noqa: PLC0415
    from betastate._analytics.related import reason_label  # noqa: PLC0415

    _check_top(top)
    book = _queries.default_rulebook(rulebook)
    items = portfolio.lessons(on, rulebook=book)
    counts = reason_counts(items, ("reason", "stage"))
    totals: dict[str, int] = {}
    for (reason, _), n in counts.items():
        totals[reason] = totals.get(reason, 0) + n
    unknown = totals.pop("unknown", 0)
    reasons = sorted(totals, key=lambda r: (-totals[r], r))
    if top is not None and len(reasons) > top:
        other = "other"
        for key in list(counts):
            if key[0] in reasons[top:]:
                counts[(other, key[1])] = counts.get((other, key[1]), 0) + counts.pop(key)
        totals[other] = sum(totals.pop(r) for r in reasons[top:])
        reasons = [*reasons[:top], other]
    drawn = {key[1] for key in counts if key[0] != "unknown"}
    stages = [p for p in book.phase_values if p in drawn]
    stages += sorted(drawn - set(stages))
    figure, axes = _canvas(ax, 11, max(3.5, 0.45 * len(reasons) + 2))
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
    axes.set_yticks(
        range(len(reasons)),
        [_text(lang, "other") if r == "other" else reason_label(r, lang) for r in reasons],
    )
    axes.invert_yaxis()
    axes.set_xlabel(_text(lang, "stops"))
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    classified = sum(1 for item in items if item.classified)
    share = _percent(classified / len(items) if items else None, lang)
    subtitle = _text(
        lang, "reasons_sub", n=len(items), classified=classified, share=share, unknown=unknown
    )
    _title(axes, f"{title or _text(lang, 'reasons')} — {subtitle}")
    if reasons:
        axes.set_xlim(0, max(lefts) * 1.12 + 1)
        _legend(axes)
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
        msg = f"plots need matplotlib: {EXTRAS_HINT}"
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
        first = _queries.add_months(result.start, -history)
        hist = _forecast.histories(portfolio, result.rulebook)
        # Recorded up to the latest phase change the data holds (not a flat line to today).
        last = min(result.dates[-1], _forecast.last_change(hist) or result.start)
        dates = list(_queries.month_starts(first, last))
        if group is not None:
            keep = [s for s in portfolio if (s.incubator or _queries.NONE_GROUP) == group]
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
