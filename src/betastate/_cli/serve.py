"""
``betastate serve URL``: the HTTP service over a journal; ``--add-key ROLE`` adds an API key.

A thin shell over :mod:`betastate.server` (the ``server`` extra).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from betastate._cli.common import error
from betastate._values.errors import BetastateError


_MISSING = 'the HTTP service needs its extra: pip install "betastate[server]"'


def register(commands: Any) -> None:
    """Add ``serve`` to the ``betastate`` command."""
    parser = commands.add_parser(
        "serve",
        help="serve a journal over HTTP (API keys, OpenAPI at /openapi.json)",
        description=(
            "Serve the journal at URL over HTTP, for apps in any language (docs/http.md). "
            "With --add-key ROLE: add an API key to the --keys file and print it, once."
        ),
    )
    parser.add_argument("url", nargs="?", help="the journal: sqlite:///path.db or postgresql://...")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (8000)")
    parser.add_argument("--keys", help="the API keys file (TOML, hashed keys)", required=True)
    parser.add_argument("--workers", type=int, default=1, help="worker processes (1)")
    parser.add_argument(
        "--add-key",
        metavar="ROLE",
        help="add a key acting as ROLE (a role of the rulebook) to the --keys file, print it",
    )
    parser.add_argument("--name", help="with --add-key: the person or body the key acts as")
    parser.add_argument("--organisation", help="with --add-key: their organisation id")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``betastate serve``."""
    try:
        from betastate import server  # noqa: PLC0415  (an extra: starlette and uvicorn)
    except ImportError:
        return error(_MISSING)
    try:
        if args.add_key is not None:
            from betastate._values.actors import Actor  # noqa: PLC0415

            try:
                actor = Actor(role=args.add_key, name=args.name, organisation=args.organisation)
            except ValueError as exc:
                return error(exc)
            key = server.add_key(args.keys, actor)
            print(key)
            print(
                f"betastate: added a {actor.role} key to {args.keys}; this is the only "
                "time it is shown: give it to its holder.",
                file=sys.stderr,
            )
            return 0
        if args.url is None:
            return error("serve needs a journal URL (or --add-key ROLE)")
        server.serve(args.url, keys=args.keys, host=args.host, port=args.port, workers=args.workers)
    except BetastateError as exc:
        return error(exc)
    return 0
