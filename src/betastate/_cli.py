"""
The ``betastate`` command: a thin shell over the public API.

It parses arguments, calls ``betastate``, prints, and returns an exit code;
no business rule lives here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import _cli_journal
from ._convert import portfolio_from_json
from ._model import Severity
from ._portfolio import Finding, Portfolio
from ._sample import sample_portfolio
from .exceptions import BetastateError, DataFileError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not a date; write YYYY-MM-DD"
        raise argparse.ArgumentTypeError(msg) from None


def load_any(
    path: Path | _cli_journal.JournalSource | None,
    *,
    progress: Callable[[int, int], None] | None = None,
    as_of: dt.date | None = None,
    missions: bool = True,
) -> Portfolio:
    """
    The sample portfolio, or the portfolio at ``path``.

    ``path`` is a betastate JSON file, the site's JSON:API ``startups.json``,
    or a folder: a beta.gouv.fr checkout, the snapshot or ``content/_startups``
    (read with the folder options ``progress``, ``as_of`` and ``missions``).
    """
    if path is None:
        return sample_portfolio()
    if isinstance(path, _cli_journal.JournalSource):
        return _cli_journal.load_journal(path)
    if not path.exists():
        raise DataFileError(str(path), None, "no such file or folder", "check the path")
    if path.is_file():
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DataFileError(str(path), None, str(exc), "check permissions") from None
        if b'"betastate"' not in data[:4096] and b'"data"' in data:
            from ._jsonapi import load_jsonapi  # noqa: PLC0415  (the site's JSON:API export)

            return load_jsonapi(path)
        return portfolio_from_json(data, file=str(path))
    from ._loaders import load_portfolio  # noqa: PLC0415  (a checkout, snapshot or _startups)

    return load_portfolio(path, progress=progress, as_of=as_of, missions=missions)


def report(portfolio: Portfolio, on: dt.date | None, out: list[str], fmt: str = "text") -> None:
    """The report of ``portfolio`` as of ``on`` (default: today) in ``fmt``, appended to ``out``."""
    from . import _analytics, _report  # noqa: PLC0415  (only this command needs them)

    day = on or _analytics.today()
    data = _report.build(portfolio, day)
    if fmt == "json":
        out.append(_report.render_json(data))
    elif fmt == "html":
        out.append(_report.render_html(data, _report.figures(portfolio, day)))
    else:
        out.append(_report.render_text(data))


FAIL_ON = ("never", "warning", "error")


def lint(portfolio: Portfolio, out: list[str], fmt: str = "text", examples: int = 3) -> None:
    """Findings of ``portfolio`` grouped by code, with counts and examples, appended to ``out``."""
    import json  # noqa: PLC0415

    from ._convert import to_data  # noqa: PLC0415

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


def _lint_command(args: argparse.Namespace) -> int:
    out: list[str] = []
    try:
        portfolio = load_any(args.path, as_of=args.as_of, missions=args.missions)
    except BetastateError as exc:
        print(f"betastate: error: {exc}", file=sys.stderr)
        return 2
    lint(portfolio, out, args.format, args.examples)
    print("\n".join(out))
    return lint_exit_code(portfolio, args.fail_on)


def _schema_command() -> int:
    import json  # noqa: PLC0415

    from ._schema import json_schema  # noqa: PLC0415

    print(json.dumps(json_schema(), ensure_ascii=False, indent=2))
    return 0


def _add_lint_and_schema(commands: Any) -> None:
    lint_parser = commands.add_parser(
        "lint", help="list what import finds in the data, grouped by code"
    )
    lint_parser.add_argument(
        "path",
        type=_cli_journal.source,
        help="checkout, snapshot, content/_startups, a JSON file, or a journal URL",
    )
    lint_parser.add_argument("--format", choices=("text", "json"), default="text")
    lint_parser.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="never",
        help="exit with 1 when a finding is at least this severe (default: never)",
    )
    lint_parser.add_argument(
        "--as-of", type=_date, help="the data's date, for findings about future dates"
    )
    lint_parser.add_argument(
        "--examples", type=int, default=3, help="examples shown per code (text format)"
    )
    lint_parser.add_argument(
        "--no-missions", dest="missions", action="store_false", help="skip the members' missions"
    )
    commands.add_parser("schema", help="print the JSON Schema of betastate JSON")


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911  (one return per command)
    """Run the command line; returns the exit code."""
    parser = argparse.ArgumentParser(prog="betastate", description=__doc__.splitlines()[1])
    commands = parser.add_subparsers(dest="command", required=True)
    report_parser = commands.add_parser("report", help="summarise a portfolio")
    report_parser.add_argument(
        "path",
        nargs="?",
        type=_cli_journal.source,
        help="portfolio or journal URL (default: the bundled sample)",
    )
    report_parser.add_argument(
        "--on", type=_date, help="as of this date (YYYY-MM-DD; default: today)"
    )
    report_parser.add_argument(
        "--format",
        choices=("text", "json", "html"),
        default="text",
        help="text for the terminal, json for tools, html: one self-contained page with plots",
    )
    report_parser.add_argument(
        "--output", "-o", type=Path, help="write to this file instead of standard output"
    )
    _add_lint_and_schema(commands)
    _cli_journal.register(commands)
    args = parser.parse_args(argv)
    if args.command == "journal":
        return _cli_journal.run(args, load_any)
    if args.command == "lint":
        return _lint_command(args)
    if args.command == "schema":
        return _schema_command()
    out: list[str] = []
    try:
        from ._report import ProgressBar  # noqa: PLC0415  (only this command needs it)

        portfolio = load_any(args.path, progress=ProgressBar())
        report(portfolio, args.on, out, args.format)
    except BetastateError as exc:
        print(f"betastate: error: {exc}", file=sys.stderr)
        return 2
    text = "\n".join(out)
    if args.output is None:
        try:
            print(text)
        except BrokenPipeError:  # `betastate report | head`: the reader left, nothing is wrong
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    try:
        args.output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        print(f"betastate: error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"betastate: wrote {args.output}", file=sys.stderr)
    return 0
