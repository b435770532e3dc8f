"""
The ``betastate`` command: a thin shell over the public API.

It parses arguments, calls betastate, prints, and returns an exit code; no
business rule lives here. Each subcommand is a module with ``register``
(add its parser, with ``run`` as its default) and ``run`` (args → exit code).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from betastate._cli import forecast, journal, lessons, lint, report, rules, schema, serve
from betastate._version import __version__


SUBCOMMANDS = (report, lint, rules, lessons, forecast, journal, schema, serve)
"""The subcommand modules, in the order ``--help`` lists them."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="betastate", description="The lifecycle of French startups d'État."
    )
    parser.add_argument(
        "--version", action="version", version=f"betastate {__version__}", help="print the version"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for module in SUBCOMMANDS:
        module.register(commands)
    args = parser.parse_args(argv)
    code: int = args.run(args)
    return code
