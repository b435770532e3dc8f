"""
The ``betastate`` command: a thin shell over the public API.

It parses arguments, calls ``betastate``, prints, and returns an exit code;
no business rule lives here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ._convert import portfolio_from_json
from ._lifecycle import Lifecycle
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


def report(portfolio: Portfolio, on: dt.date | None, out: list[str]) -> None:
    """Counts by phase and one line per product, as of ``on``."""
    lifecycle = Lifecycle()
    book = lifecycle.rulebook
    states = [lifecycle.state(s, on) for s in portfolio]
    when = on.isoformat() if on else "the latest event"
    out.append(
        f"betastate report: {len(portfolio)} products ({portfolio.source or 'portfolio'}), "
        f"as of {when}"
    )
    out.append("")
    counts = Counter(state.phase for state in states)
    out.append("Products by phase")
    out.extend(f"  {value:<24} {counts.get(value, 0):>5}" for value in book.phase_values)
    if counts.get(None):
        out.append(f"  {'(not started)':<24} {counts[None]:>5}")
    out.append("")
    out.append("Products")
    for startup, state in zip(portfolio, states, strict=True):
        since = state.spans[-1].start.isoformat() if state.spans else "-"
        phase = state.phase or "-"
        out.append(f"  {startup.slug:<28} {phase:<22} since {since}  {startup.title}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = argparse.ArgumentParser(prog="betastate", description=__doc__.splitlines()[1])
    commands = parser.add_subparsers(dest="command", required=True)
    report_parser = commands.add_parser("report", help="summarise a portfolio")
    report_parser.add_argument(
        "path", nargs="?", type=Path, help="portfolio (default: the bundled sample)"
    )
    report_parser.add_argument("--on", type=_date, help="as of this date (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    out: list[str] = []
    try:
        portfolio = load_any(args.path)
        report(portfolio, args.on, out)
    except BetastateError as exc:
        print(f"betastate: error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(out))
    return 0
