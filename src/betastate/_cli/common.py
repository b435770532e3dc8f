"""
What every subcommand shares: argument types, loading a portfolio, printing.

Subcommands print through :func:`emit` so that a closed pipe
(``betastate report | head``) ends quietly and an unwritable output (a full
disk, a permission, a FIFO or a device) is one line on standard error and
exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import attrs

from betastate._analytics.portfolio import Portfolio
from betastate._io.convert import portfolio_from_json
from betastate._io.sample import sample_portfolio
from betastate._values.errors import DataFileError


if TYPE_CHECKING:
    from betastate._rules.rulebook import Rulebook

SCHEMES = ("sqlite:", "postgresql:", "postgres:")
"""What a journal URL starts with."""


class JournalSource(str):
    """A journal URL given where the command line takes a portfolio path."""

    __slots__ = ()


def source(text: str) -> Path | JournalSource:
    """``argparse`` type of a portfolio argument: a journal URL, or a path."""
    if text.lower().startswith(SCHEMES):
        return JournalSource(text)
    return Path(text)


def load_journal(url: str, rulebook: Rulebook | None = None) -> Portfolio:
    """Every startup of the journal at ``url``, with what its audit finds as findings."""
    from betastate.journal import open_journal  # noqa: PLC0415  (drivers: journal URLs only)

    with open_journal(url, rulebook=rulebook or "betagouv") as journal:
        portfolio = journal.portfolio()
        return attrs.evolve(portfolio, findings=journal.audit())


def date_arg(text: str) -> dt.date:
    """An argparse type: a date written YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not a date; write YYYY-MM-DD"
        raise argparse.ArgumentTypeError(msg) from None


def deprecated_alias(
    parser: argparse.ArgumentParser, old: str, new: str, kind: Callable[[str], object]
) -> None:
    """
    Accept ``old`` as a hidden, deprecated spelling of option ``new`` (same value, same dest).

    Using it prints one line on standard error naming the new spelling.
    """

    class Alias(argparse.Action):
        def __call__(
            self,
            parser: argparse.ArgumentParser,  # noqa: ARG002  (argparse's signature)
            namespace: argparse.Namespace,
            values: object,
            option_string: str | None = None,  # noqa: ARG002
        ) -> None:
            print(f"betastate: warning: {old} is deprecated; write {new}", file=sys.stderr)
            setattr(namespace, self.dest, values)

    parser.add_argument(
        old, dest=new.lstrip("-").replace("-", "_"), type=kind, action=Alias, help=argparse.SUPPRESS
    )


def add_rulebook_argument(parser: argparse.ArgumentParser) -> None:
    """
    Add ``--rulebook NAME|FILE`` to a subcommand (every command that reads rules has it).

    Read it back with :func:`rulebook_of`.
    """
    from betastate._rules.loading import BUILTIN_RULEBOOKS  # noqa: PLC0415  (import time)

    parser.add_argument(
        "--rulebook",
        metavar="NAME|FILE",
        help=(
            f"the rules: a built-in name ({', '.join(BUILTIN_RULEBOOKS)}) or a TOML file "
            "(default: betagouv; `betastate rules list` lists them)"
        ),
    )


def rulebook_of(args: argparse.Namespace) -> Rulebook:
    """
    The rulebook ``--rulebook`` names (``betagouv`` when it is absent).

    Raises:
        RulebookError: The file is missing or invalid.
    """
    from betastate._rules.loading import load_rulebook  # noqa: PLC0415  (import time)

    source: Any = getattr(args, "rulebook", None) or "betagouv"
    return load_rulebook(source)


def load_any(
    path: Path | JournalSource | None,
    *,
    progress: Callable[[int, int], None] | None = None,
    as_of: dt.date | None = None,
    missions: bool = True,
    rulebook: Rulebook | None = None,
) -> Portfolio:
    """
    The sample portfolio, or the portfolio at ``path``.

    ``path`` is a journal URL, a betastate JSON file, the site's JSON:API
    ``startups.json``, or a folder: a beta.gouv.fr checkout, the snapshot or ``content/_startups``
    (read with the folder options ``progress``, ``as_of`` and ``missions``).
    ``rulebook`` gives the rules the files are read with (phases, legacy
    names, findings); betastate JSON carries its histories as they are.
    """
    if path is None:
        return sample_portfolio()
    if isinstance(path, JournalSource):
        return load_journal(path, rulebook)
    if not path.exists():
        raise DataFileError(str(path), None, "no such file or folder", "check the path")
    if path.is_file():
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DataFileError(str(path), None, str(exc), "check permissions") from None
        if b'"betastate"' not in data[:4096] and b'"data"' in data:
            from betastate._io.jsonapi import load_jsonapi  # noqa: PLC0415  (the site's JSON:API export)

            return load_jsonapi(path, rulebook=rulebook)
        return portfolio_from_json(data, file=str(path))
    from betastate._io.loaders import load_portfolio  # noqa: PLC0415  (a checkout, snapshot or _startups)

    return load_portfolio(
        path, progress=progress, as_of=as_of, missions=missions, rulebook=rulebook
    )


def error(message: object) -> int:
    """Print ``betastate: error: message`` on standard error; the exit code for bad input."""
    try:
        print(f"betastate: error: {message}", file=sys.stderr)
        sys.stderr.flush()
    except OSError:  # standard error itself is gone: the exit code still says it
        _silence(sys.stderr)
    return 2


def _silence(stream: IO[str]) -> None:
    """Point ``stream`` at the null device, so that the flush at exit cannot fail again."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError):  # a replaced stream (tests) has no descriptor: nothing to do
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)


def flush_stdout() -> int:
    """
    Flush standard output: 0, or the exit code of a write that failed.

    A reader that left (``betastate schema | head``) is no error: the rest
    is dropped quietly. Any other failure (``> /dev/full``) is one line on
    standard error and exit code 2, never a traceback.
    """
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence(sys.stdout)
    except OSError as exc:
        _silence(sys.stdout)
        return error(f"cannot write to standard output: {exc.strerror or exc}")
    return 0


def emit(text: str, output: Path | None = None) -> int:
    """Print ``text`` (or write it to the file ``output``); the exit code."""
    if output is None:
        try:
            print(text)
        except BrokenPipeError:  # the reader left: flush_stdout() drops the rest
            pass
        except OSError as exc:
            _silence(sys.stdout)
            return error(f"cannot write to standard output: {exc.strerror or exc}")
        return flush_stdout()
    try:
        _write(output, text + "\n")
    except OSError as exc:
        return error(f"cannot write {output}: {exc.strerror or exc}")
    except DataFileError as exc:
        return error(exc)
    print(f"betastate: wrote {output}", file=sys.stderr)
    return 0


def _write(output: Path, text: str) -> None:
    """
    Write ``text`` to the regular file ``output`` (created if absent).

    A FIFO, a device or a folder is refused from its metadata, before it is
    opened: opening a FIFO nobody reads would wait forever.
    """
    try:
        mode = output.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise DataFileError(
            str(output),
            None,
            "not a regular file (a folder, a FIFO or a device)",
            "pass a file path, or leave --output out to print",
        )
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(output, flags, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced between the check and the open
            raise DataFileError(str(output), None, "not a regular file", "pass a file path")
        handle.write(text)


class ProgressBar:
    """
    A one-line progress bar on a stream, as ``load_portfolio(progress=...)`` expects.

    It draws only for inputs of at least ``min_total`` files, and only on a
    terminal unless ``force`` is set; it redraws when the percentage changes.
    """

    def __init__(
        self, stream: IO[str] | None = None, *, min_total: int = 200, force: bool = False
    ) -> None:
        self.stream = stream or sys.stderr
        self.min_total = min_total
        self.active = force or self.stream.isatty()
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        """Draw ``done`` of ``total``."""
        if not self.active or total < self.min_total:
            return
        percent = done * 100 // total
        if percent == self._shown:
            return
        self._shown = percent
        filled = percent // 4
        self.stream.write(
            f"\rloading {done}/{total} files [{'#' * filled}{'.' * (25 - filled)}] {percent:3d}%"
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
