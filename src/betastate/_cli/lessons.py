"""
``betastate lessons``: what past stops teach, and the past products related to a new idea.

``betastate lessons PATH`` summarises the stops (reasons, stages, evidence);
``--slug SLUG`` shows one product's lesson and its related products;
``--for "mission text"`` finds the products related to a new idea. Texts in
English or French (``--lang``). A thin shell over
:meth:`betastate.Portfolio.lessons` and :meth:`betastate.Portfolio.related`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from betastate._analytics.lessons import Lesson, reason_counts
from betastate._analytics.portfolio import Portfolio
from betastate._analytics.related import Related, reason_label
from betastate._cli.common import date_arg, emit, error, load_any
from betastate._values.errors import BetastateError


_EXCERPT: Final = 160

TEXT: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {
        "summary": (
            "betastate lessons: {n} stopped products ({source}); a reason was found for "
            "{classified} ({share}), {unknown} unknown (never guessed)"
        ),
        "reasons": "Reasons (a stop may have several)",
        "stages": "Stopped from",
        "first": "(stopped at once)",
        "latest": "Latest stops with a reason found",
        "more": "  ... and {n} more (--limit)",
        "lesson": "{title} ({slug}): stopped on {on}, {phase} from {stage}",
        "not_stopped": "{title} ({slug}) has not stopped: no lesson of its own.",
        "why": "Why",
        "evidence": "Reasons, with what they rest on",
        "unknown": "  unknown: no text says why (never guessed)",
        "learnings": "What was learnt",
        "advice": "Advice for a relaunch",
        "assets": "What it left",
        "related": "Related past products",
        "related_for": "Past products related to: {text}",
        "score": "score",
        "no_slug": "no product {slug!r} in {source}",
        "no_related": "  nothing related",
    },
    "fr": {
        "summary": (
            "betastate lessons : {n} produits arrêtés ({source}) ; raison trouvée pour "
            "{classified} ({share}), {unknown} inconnues (jamais devinées)"
        ),
        "reasons": "Raisons (un arrêt peut en avoir plusieurs)",
        "stages": "Arrêtés depuis",
        "first": "(arrêt d'emblée)",
        "latest": "Derniers arrêts dont la raison est connue",
        "more": "  ... et {n} de plus (--limit)",
        "lesson": "{title} ({slug}) : arrêté le {on}, {phase} depuis {stage}",
        "not_stopped": "{title} ({slug}) n'est pas arrêté : pas de leçon propre.",
        "why": "Pourquoi",
        "evidence": "Raisons, et ce sur quoi elles reposent",
        "unknown": "  inconnue : aucun texte ne dit pourquoi (jamais devinée)",
        "learnings": "Ce qui a été appris",
        "advice": "Conseils pour une relance",
        "assets": "Ce qu'il laisse",
        "related": "Produits passés proches",
        "related_for": "Produits passés proches de : {text}",
        "score": "score",
        "no_slug": "pas de produit {slug!r} dans {source}",
        "no_related": "  rien de proche",
    },
}
"""Every text the command prints, in English and French."""


def register(commands: Any) -> None:
    """Add the ``lessons`` subcommand to an ``argparse`` subparsers object."""
    parser = commands.add_parser(
        "lessons", help="what past stops teach; past products related to a new idea"
    )
    parser.add_argument(
        "path", nargs="?", type=Path, help="portfolio (default: the bundled sample)"
    )
    query = parser.add_mutually_exclusive_group()
    query.add_argument(
        "--for", dest="text", metavar="TEXT", help="a new idea's mission: find related products"
    )
    query.add_argument("--slug", help="one product: its lesson and its related products")
    parser.add_argument("--lang", choices=("en", "fr"), default="en", help="language of texts")
    parser.add_argument("-k", type=int, default=5, help="related products shown (default 5)")
    parser.add_argument("--limit", type=int, default=20, help="stops listed in the summary")
    parser.add_argument("--on", type=date_arg, help="stops up to this date (YYYY-MM-DD)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``betastate lessons``."""
    out: list[str] = []
    if args.k < 1:
        return error(f"-k must be at least 1, got {args.k}")
    try:
        portfolio = load_any(args.path)
        if args.slug is not None:
            code = _for_slug(portfolio, args, out)
        elif args.text is not None:
            _for_text(portfolio, args, out)
            code = 0
        else:
            _summary(portfolio, args, out)
            code = 0
    except (BetastateError, ImportError, ValueError) as exc:
        return error(exc)
    return emit("\n".join(out)) or code


def _t(args: argparse.Namespace, key: str, **values: object) -> str:
    return TEXT[args.lang][key].format(**values)


def _summary(portfolio: Portfolio, args: argparse.Namespace, out: list[str]) -> None:
    items = portfolio.lessons(args.on)
    classified = [item for item in items if item.classified]
    share = f"{len(classified) / len(items):.0%}" if items else "-"
    out.append(
        _t(
            args,
            "summary",
            n=len(items),
            source=portfolio.source or "sample",
            classified=len(classified),
            share=share,
            unknown=len(items) - len(classified),
        )
    )
    out += ["", _t(args, "reasons")]
    out.extend(
        f"  {reason_label(key[0], args.lang):<42} {n:>5}"
        for key, n in reason_counts(items, ("reason",)).items()
    )
    out += ["", _t(args, "stages")]
    out.extend(
        f"  {key[0] if key[0] != '(none)' else _t(args, 'first'):<42} {n:>5}"
        for key, n in reason_counts(items, ("stage",)).items()
    )
    latest = sorted(classified, key=lambda item: (-item.on.toordinal(), item.slug))
    out += ["", _t(args, "latest")]
    for item in latest[: max(args.limit, 0)]:
        reasons = ", ".join(reason_label(r, args.lang) for r in item.categories)
        out.append(f"  {item.on.isoformat()}  {item.slug}: {reasons}")
        out.append(
            f"      \u00ab{_cut(item.evidence[0].excerpt)}\u00bb ({item.evidence[0].source})"
        )
    if len(latest) > args.limit:
        out.append(_t(args, "more", n=len(latest) - max(args.limit, 0)))


def _for_slug(portfolio: Portfolio, args: argparse.Namespace, out: list[str]) -> int:
    startup = portfolio.get(args.slug)
    if startup is None:
        print(
            "betastate: error: "
            + _t(args, "no_slug", slug=args.slug, source=portfolio.source or "the sample"),
            file=sys.stderr,
        )
        return 2
    own = next((item for item in portfolio.lessons() if item.slug == startup.slug), None)
    if own is None:
        out.append(_t(args, "not_stopped", title=startup.title, slug=startup.slug))
    else:
        _lesson(own, args, out)
    out += ["", _t(args, "related")]
    _related(portfolio.related(startup, k=args.k), args, out)
    return 0


def _for_text(portfolio: Portfolio, args: argparse.Namespace, out: list[str]) -> None:
    out.append(_t(args, "related_for", text=_cut(args.text)))
    _related(portfolio.related(args.text, k=args.k), args, out)


def _lesson(item: Lesson, args: argparse.Namespace, out: list[str]) -> None:
    out.append(
        _t(
            args,
            "lesson",
            title=item.title,
            slug=item.slug,
            on=item.on.isoformat(),
            phase=item.phase,
            stage=item.stage or "-",
        )
    )
    if item.why:
        out += ["", _t(args, "why"), *_indent(item.why)]
    out += ["", _t(args, "evidence")]
    if not item.evidence:
        out.append(_t(args, "unknown"))
    for evidence in item.evidence:
        out.append(
            f"  {reason_label(evidence.reason.value, args.lang)} [{evidence.rule}, "
            f"{evidence.source}]: \u00ab{_cut(evidence.excerpt)}\u00bb"
        )
    for key, text in (("learnings", item.learnings), ("advice", item.advice)):
        if text:
            out += ["", _t(args, key), *_indent(text)]
    if item.assets:
        out += ["", _t(args, "assets")]
        out.extend(f"  {asset.kind}: {asset.target}" for asset in item.assets)


def _related(results: tuple[Related, ...], args: argparse.Namespace, out: list[str]) -> None:
    if not results:
        out.append(_t(args, "no_related"))
    for index, result in enumerate(results, start=1):
        phase = result.phase or "-"
        out.append(
            f"  {index}. {result.title} ({result.slug}, {phase}), "
            f"{_t(args, 'score')} {result.score:.3f}"
        )
        out.append(f"     {result.explain(args.lang)}")
        if result.lesson is not None and result.lesson.why:
            out.append(f"     \u00ab{_cut(result.lesson.why)}\u00bb")


def _cut(text: str, width: int = _EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "\u2026"


def _indent(text: str, width: int = 600) -> list[str]:
    return [f"  {_cut(text, width)}"]
