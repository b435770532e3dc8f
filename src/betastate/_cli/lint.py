"""``betastate lint``: what import finds in the data, grouped by code."""

from __future__ import annotations

import argparse
from typing import Any

from betastate._analytics.portfolio import Portfolio
from betastate._cli.common import (
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
from betastate._values.reasons import Finding, Severity


FAIL_ON = ("never", "warning", "error")


def lint(portfolio: Portfolio, out: list[str], fmt: str = "text", examples: int = 3) -> None:
    """Findings of ``portfolio`` grouped by code, with counts and examples, appended to ``out``."""
    import json  # noqa: PLC0415

    from betastate._io.convert import to_data  # noqa: PLC0415

    groups: dict[str, list[Finding]] = {}
    for finding in portfolio.findings:
        groups.setdefault(finding.code, []).append(finding)
    rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2, Severity.OFF: 3}
    order = sorted(
        groups, key=lambda code: (rank[groups[code][0].severity], -len(groups[code]), code)
    )
    if fmt == "json":
        payload = {
            "source": portfolio.source,
            "products": len(portfolio),
            "counts": {code: len(groups[code]) for code in order},
            "findings": [to_data(f) for f in portfolio.findings],
        }
        out.append(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    total = len(portfolio.findings)
    out.append(
        f"betastate lint: {len(portfolio)} products ({portfolio.source or 'portfolio'}), "
        f"{total} findings in {len(groups)} codes"
    )
    for code in order:
        found = groups[code]
        products = len({f.slug for f in found if f.slug is not None})
        where = f" in {products} product{'s' if products > 1 else ''}" if products else ""
        out.append("")
        out.append(f"{found[0].severity.value:<8} {code}: {len(found)}{where}")
        for finding in found[:examples]:
            place = finding.file or "-"
            if finding.line is not None:
                place = f"{place}:{finding.line}"
            who = f"{finding.slug}: " if finding.slug else ""
            out.append(f"    {place}  {who}{finding.message}")
        if len(found) > examples:
            out.append(f"    ... and {len(found) - examples} more")


def lint_exit_code(portfolio: Portfolio, fail_on: str) -> int:
    """1 when a finding is at least as severe as ``fail_on`` (``never``: always 0)."""
    levels = {"error": {Severity.ERROR}, "warning": {Severity.ERROR, Severity.WARNING}}
    failing = levels.get(fail_on, set())
    return 1 if any(f.severity in failing for f in portfolio.findings) else 0


def run(args: argparse.Namespace) -> int:
    """Run ``betastate lint``."""
    out: list[str] = []
    try:
        book = rulebook_of(args)
        portfolio = load_any(args.path, as_of=args.on, missions=args.missions, rulebook=book)
    except BetastateError as exc:
        return error(exc)
    lint(portfolio, out, args.format, args.examples)
    return emit("\n".join(out)) or lint_exit_code(portfolio, args.fail_on)


def register(commands: Any) -> None:
    """Add ``lint`` to the subcommands."""
    parser = commands.add_parser("lint", help="list what import finds in the data, grouped by code")
    parser.add_argument(
        "path",
        type=source,
        help="checkout, snapshot, content/_startups, a JSON file, or a journal URL",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="never",
        help="exit with 1 when a finding is at least this severe (default: never)",
    )
    parser.add_argument(
        "--on",
        type=date_arg,
        help="the data's date: facts dated after it are reported as planned (future-* findings)",
    )
    deprecated_alias(parser, "--as-of", "--on", date_arg)
    parser.add_argument(
        "--examples", type=int, default=3, help="examples shown per code (text format)"
    )
    parser.add_argument(
        "--no-missions", dest="missions", action="store_false", help="skip the members' missions"
    )
    add_rulebook_argument(parser)
    parser.set_defaults(run=run)
