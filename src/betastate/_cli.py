"""
The ``betastate`` command: a thin shell over the public API.

It parses arguments, calls ``betastate``, prints, and returns an exit code;
no business rule lives here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from ._convert import portfolio_from_json
from ._portfolio import Portfolio
from ._sample import sample_portfolio
from .exceptions import BetastateError, DataFileError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not a date; write YYYY-MM-DD"
        raise argparse.ArgumentTypeError(msg) from None


def load_any(path: Path | None) -> Portfolio:
    """The sample portfolio, or the portfolio at ``path`` (betastate JSON)."""
    if path is None:
        return sample_portfolio()
    if not path.exists():
        raise DataFileError(str(path), None, "no such file or folder", "check the path")
    if path.is_file():
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DataFileError(str(path), None, str(exc), "check permissions") from None
        return portfolio_from_json(data, file=str(path))
    raise DataFileError(
        str(path),
        None,
        "betastate reads betastate JSON files here",
        "pass a file written by betastate.portfolio_to_json",
    )


def report(
    portfolio: Portfolio, on: dt.date | None, out: list[str], fmt: str = "text"
) -> None:
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


def _load_report_input(path: Path | None) -> Portfolio:
    """Like :func:`load_any`, with a progress bar on stderr for a folder (many files)."""
    import betastate  # noqa: PLC0415  (the loader is public API)

    from ._report import ProgressBar  # noqa: PLC0415

    load = getattr(betastate, "load_portfolio", None)
    if path is not None and path.is_dir() and load is not None:
        return load(path, progress=ProgressBar())  # type: ignore[no-any-return]
    return load_any(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = argparse.ArgumentParser(prog="betastate", description=__doc__.splitlines()[1])
    commands = parser.add_subparsers(dest="command", required=True)
    report_parser = commands.add_parser("report", help="summarise a portfolio")
    report_parser.add_argument(
        "path", nargs="?", type=Path, help="portfolio (default: the bundled sample)"
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
    args = parser.parse_args(argv)
    out: list[str] = []
    try:
        portfolio = _load_report_input(args.path)
        report(portfolio, args.on, out, args.format)
    except BetastateError as exc:
        print(f"betastate: error: {exc}", file=sys.stderr)
        return 2
    text = "\n".join(out)
    if args.output is None:
        print(text)
        return 0
    try:
        args.output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        print(f"betastate: error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"betastate: wrote {args.output}", file=sys.stderr)
    return 0
