"""
The ``betastate`` command: a thin shell over the public API.

It parses arguments, calls betastate, prints, and returns an exit code; no
business rule lives here. Each subcommand is a module with ``register``
(add its parser, with ``run`` as its default) and ``run`` (args → exit code).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from betastate._cli import forecast, journal, lessons, lint, report, rules, schema, serve
from betastate._cli.common import error, flush_stdout
from betastate._version import __version__


if TYPE_CHECKING:
    from _typeshed import SupportsWrite


SUBCOMMANDS = (report, lint, rules, lessons, forecast, journal, schema, serve)
"""The subcommand modules, in the order ``--help`` lists them."""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, except that a failed write of help or usage is not swallowed."""

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        if message:
            (file or sys.stderr).write(message)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _Parser(prog="betastate", description="The lifecycle of French startups d'État.")
    parser.add_argument(
        "--version", action="version", version=f"betastate {__version__}", help="print the version"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for module in SUBCOMMANDS:
        module.register(commands)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error, printed by argparse
        return flush_stdout() or int(exc.code or 0)
    except BrokenPipeError:  # `betastate --help | head -1`
        return flush_stdout()
    except OSError as exc:  # `betastate --help > /dev/full`
        return error(f"cannot write to standard output: {exc.strerror or exc}")
    code: int = args.run(args)
    return flush_stdout() or code
