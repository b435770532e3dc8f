"""
``betastate rules``: the built-in rulebooks, a rulebook's problems, its diagram.

``rules list`` names the presets; ``rules lint FILE`` prints every problem of a
rulebook file (exit 1 when one is an error: the file would not load);
``rules diagram [NAME|FILE]`` prints its phase graph as Mermaid or DOT.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from betastate._cli.common import emit, error, load_any
from betastate._values.errors import BetastateError
from betastate._values.reasons import Severity


if TYPE_CHECKING:
    from betastate._rules.lint import RulebookProblem


def _source(text: str) -> str | Path:
    """A built-in name stays a name; anything else is a path."""
    from betastate._rules.loading import BUILTIN_RULEBOOKS  # noqa: PLC0415  (import time)

    return text if text in BUILTIN_RULEBOOKS else Path(text)


def run_list(args: argparse.Namespace) -> int:
    """Run ``betastate rules list``."""
    from betastate._rules.loading import BUILTIN_RULEBOOKS, load_rulebook  # noqa: PLC0415

    rows: list[dict[str, Any]] = []
    for name, what in BUILTIN_RULEBOOKS.items():
        book = load_rulebook(name)
        rows.append(
            {
                "name": name,
                "title": book.title,
                "description": what,
                "phases": len(book.phases),
                "transitions": len(book.transitions),
                "roles": len(book.roles),
                "languages": list(book.languages),
            }
        )
    if args.format == "json":
        return emit(json.dumps(rows, ensure_ascii=False, indent=2))
    width = max(len(row["name"]) for row in rows)
    lines = [
        f"{row['name']:<{width}}  {row['title']}: {row['phases']} phases, "
        f"{row['transitions']} transitions, {row['roles']} roles, "
        f"labels in {', '.join(row['languages'])}\n{'':<{width}}  {row['description']}"
        for row in rows
    ]
    return emit("\n".join(lines))


def _problem_text(problem: RulebookProblem) -> str:
    return (
        f"{problem.severity.value:<8} {problem.code}  {problem.key}\n"
        f"    {problem.message}\n    fix: {problem.fix}"
    )


def run_lint(args: argparse.Namespace) -> int:
    """Run ``betastate rules lint``."""
    from betastate._rules.loading import lint_rulebook  # noqa: PLC0415  (import time)

    try:
        problems = lint_rulebook(_source(args.file))
    except BetastateError as exc:
        return error(exc)
    counts = {s: sum(1 for p in problems if p.severity is s) for s in Severity}
    if args.format == "json":
        payload = {
            "file": args.file,
            "loads": counts[Severity.ERROR] == 0,
            "counts": {s.value: n for s, n in counts.items() if s is not Severity.OFF},
            "problems": [
                {
                    "code": p.code,
                    "severity": p.severity.value,
                    "key": p.key,
                    "message": p.message,
                    "fix": p.fix,
                }
                for p in problems
            ],
        }
        code = emit(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        verdict = "does not load" if counts[Severity.ERROR] else "loads"
        summary = (
            f"betastate rules lint: {args.file} {verdict}: {counts[Severity.ERROR]} errors, "
            f"{counts[Severity.WARNING]} warnings, {counts[Severity.INFO]} notes"
        )
        code = emit("\n".join([summary, *(_problem_text(p) for p in problems)]))
    failing = {Severity.ERROR} if args.fail_on == "error" else {Severity.ERROR, Severity.WARNING}
    if args.fail_on == "never":
        failing = set()
    return code or (1 if any(p.severity in failing for p in problems) else 0)


def run_diagram(args: argparse.Namespace) -> int:
    """Run ``betastate rules diagram``."""
    from betastate._rules.loading import load_rulebook  # noqa: PLC0415  (import time)

    try:
        book = load_rulebook(_source(args.rulebook))
        startup = None
        if args.slug is not None:
            portfolio = load_any(args.portfolio, rulebook=book)
            if args.slug not in portfolio:
                return error(f"no product {args.slug!r} in {portfolio.source or 'the portfolio'}")
            startup = portfolio[args.slug]
        text = book.diagram(args.format, lang=args.lang, startup=startup)
    except BetastateError as exc:
        return error(exc)
    return emit(text.rstrip("\n"), args.output)


def register(commands: Any) -> None:
    """Add ``rules`` and its subcommands."""
    parser = commands.add_parser("rules", help="list, lint and draw rulebooks")
    sub = parser.add_subparsers(dest="rules_command", required=True)

    listing = sub.add_parser("list", help="the built-in rulebooks")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(run=run_list)

    lint = sub.add_parser("lint", help="every problem of a rulebook file, with its key and fix")
    lint.add_argument("file", help="a rulebook TOML file (or a built-in name)")
    lint.add_argument("--format", choices=("text", "json"), default="text")
    lint.add_argument(
        "--fail-on",
        choices=("never", "warning", "error"),
        default="error",
        help="exit with 1 when a problem is at least this severe (default: error, "
        "the file would not load)",
    )
    lint.set_defaults(run=run_lint)

    diagram = sub.add_parser("diagram", help="the phase graph as Mermaid or Graphviz DOT")
    diagram.add_argument(
        "rulebook", nargs="?", default="betagouv", help="built-in name or TOML file (betagouv)"
    )
    diagram.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    diagram.add_argument("--lang", help="language of the labels (default: en if present)")
    diagram.add_argument("--slug", help="highlight this product's path and current phase")
    diagram.add_argument(
        "--portfolio", type=Path, help="where the product is (default: the bundled sample)"
    )
    diagram.add_argument(
        "--output", "-o", type=Path, help="write to this file instead of standard output"
    )
    diagram.set_defaults(run=run_diagram)
