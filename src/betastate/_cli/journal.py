"""
``betastate journal import|show``, and journal URLs where ``report`` and ``lint`` take a path.

A thin shell over :mod:`betastate.journal`, like the rest of the command
line: it parses, calls, prints and returns an exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from betastate._analytics.portfolio import Portfolio
from betastate._cli.common import (
    JournalSource,
    add_rulebook_argument,
    emit,
    error,
    load_any,
    rulebook_of,
    source,
)
from betastate._values.errors import BetastateError
from betastate._values.events import (
    CommitteeHeld,
    Event,
    FundsGranted,
    Note,
    PhaseEntered,
    Pivoted,
    Spent,
    Stopped,
)


if TYPE_CHECKING:
    from betastate._rules.rulebook import Rulebook


def register(commands: Any) -> None:
    """Add ``journal import`` and ``journal show`` to the ``betastate`` command."""
    parser = commands.add_parser(
        "journal", help="store startups in a journal (SQLite, PostgreSQL) and read them"
    )
    actions = parser.add_subparsers(dest="journal_command", required=True)
    importing = actions.add_parser(
        "import", help="store a portfolio's startups in a journal; again, it changes nothing"
    )
    importing.add_argument(
        "path",
        type=source,
        help="betastate JSON, the site's startups.json, a checkout, the snapshot, or a journal URL",
    )
    importing.add_argument("url", help="the journal: sqlite:///path.db or postgresql://...")
    add_rulebook_argument(importing)
    showing = actions.add_parser(
        "show", help="one startup's stream: each event with its version, command and actor"
    )
    showing.add_argument("url", help="the journal: sqlite:///path.db or postgresql://...")
    showing.add_argument("slug", help="the startup")
    showing.add_argument("--format", choices=("text", "json"), default="text")
    add_rulebook_argument(showing)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run a ``journal`` subcommand."""
    try:
        book = rulebook_of(args)
        if args.journal_command == "import":
            return _import(args.path, args.url, lambda path: load_any(path, rulebook=book), book)
        return _show(args.url, args.slug, args.format, book)
    except BetastateError as exc:
        return error(exc)


def _import(
    path: Path | JournalSource,
    url: str,
    load: Callable[[Any], Portfolio],
    rulebook: Rulebook | None = None,
) -> int:
    from betastate.journal import open_journal  # noqa: PLC0415

    portfolio = load(path)
    with open_journal(url, rulebook=rulebook or "betagouv") as journal:
        report = journal.import_portfolio(portfolio)
        shown = journal.url
    written = emit(
        f"betastate: {len(portfolio)} products into {shown}: {len(report.created)} created, "
        f"{len(report.extended)} extended, {len(report.unchanged)} unchanged, "
        f"{len(report.diverged)} diverged; {report.events} events stored"
    )
    if written:
        return written
    if report.diverged:
        print(
            "betastate: left as stored (their fields or history differ other than by new "
            f"events): {', '.join(report.diverged)}",
            file=sys.stderr,
        )
        return 1
    return 0


def _show(url: str, slug: str, fmt: str, rulebook: Rulebook | None = None) -> int:
    from betastate._io.convert import to_data  # noqa: PLC0415
    from betastate.journal import open_journal  # noqa: PLC0415

    with open_journal(url, rulebook=rulebook or "betagouv") as journal:
        records = journal.records(slug)
        startup = journal.get(slug)
        phase = journal.lifecycle.phase(startup)
        shown = journal.url
    if fmt == "json":
        payload = {
            "journal": shown,
            "slug": slug,
            "version": len(records),
            "phase": phase,
            "events": [
                {
                    "version": r.version,
                    "position": r.position,
                    "id": str(r.id),
                    "recorded_at": r.recorded_at.isoformat(),
                    "command_id": r.command_id,
                    "command_type": r.command_type,
                    "actor": None if r.actor is None else to_data(r.actor),
                    "schema_version": r.schema_version,
                    "event": to_data(r.event),
                }
                for r in records
            ],
        }
        return emit(json.dumps(payload, ensure_ascii=False, indent=2))
    lines = [
        f"{slug}: {startup.title!r}, version {len(records)}, phase {phase or 'none'} ({shown})",
        (
            f"{'version':>7}  {'position':>8}  {'recorded at (UTC)':<19}  {'command':<16}  "
            f"{'actor':<20}  event"
        ),
    ]
    for r in records:
        actor = "-" if r.actor is None else r.actor.role
        if r.actor is not None and r.actor.name:
            actor = f"{actor} ({r.actor.name})"
        lines.append(
            f"{r.version:>7}  {r.position:>8}  {r.recorded_at:%Y-%m-%d %H:%M:%S}  "
            f"{r.command_type:<16}  {actor:<20}  {_describe(r.event)}"
        )
    return emit("\n".join(lines))


def _describe(event: Event) -> str:
    """One line: the event's type, date and what matters most about it."""
    detail = ""
    if isinstance(event, PhaseEntered | Pivoted):
        detail = event.phase
    elif isinstance(event, Spent):
        detail = f"{event.amount:,} €" + (f" ({event.label})" if event.label else "")
    elif isinstance(event, FundsGranted):
        detail = f"{sum(g.amount for g in event.grants):,} €"
    elif isinstance(event, CommitteeHeld):
        granted = sum(g.amount for g in event.grants)
        detail = " ".join(
            part
            for part in (
                event.decision.value if event.decision is not None else "",
                f"→ {event.phase_change}" if event.phase_change else "",
                f"{granted:,} €" if granted else "",
            )
            if part
        )
    elif isinstance(event, Stopped):
        detail = "with post-mortem" if event.post_mortem is not None else "no post-mortem"
    elif isinstance(event, Note):
        detail = event.name
    return f"{type(event).__name__} {event.on}" + (f" {detail}" if detail else "")
