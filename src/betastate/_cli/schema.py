"""``betastate schema [TYPE]``: the JSON Schema of betastate JSON, or of one public type."""

from __future__ import annotations

import argparse
import enum
import json
from typing import Any

import attrs

from betastate._cli.common import emit, error


def _types() -> dict[str, Any]:
    """Public names that have a schema: value classes, enums, unions, errors (as ``Error``)."""
    import betastate  # noqa: PLC0415  (the public names, by the names users know)
    from betastate import journal  # noqa: PLC0415

    found: dict[str, Any] = {"Command": betastate.Command, "Event": betastate.Event}
    found["Error"] = betastate.BetastateError
    for module in (betastate, journal):
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type) and (attrs.has(value) or issubclass(value, enum.Enum)):
                found[name] = value
    return found


def run(args: argparse.Namespace) -> int:
    """Run ``betastate schema``."""
    from betastate._io.schema import json_schema  # noqa: PLC0415  (import time)
    from betastate._values.errors import BetastateError  # noqa: PLC0415

    if args.type is None:
        return emit(json.dumps(json_schema(), ensure_ascii=False, indent=2))
    known = _types()
    kind = known.get(args.type)
    if kind is None:
        return error(
            f"no public type {args.type!r}; use one of {', '.join(sorted(known, key=str.lower))}"
        )
    try:
        schema = json_schema(kind)
    except BetastateError as exc:
        return error(exc)
    return emit(json.dumps(schema, ensure_ascii=False, indent=2))


def register(commands: Any) -> None:
    """Add ``schema`` to the subcommands."""
    parser = commands.add_parser(
        "schema",
        help="print the JSON Schema of betastate JSON (a portfolio), or of one type",
        description=(
            "Print a JSON Schema (draft 2020-12). Without TYPE: the portfolio document "
            "portfolio_to_json writes. TYPE: a public type such as Command, Event, Spend, "
            "StartupState, Rulebook, or Error (the body of every error)."
        ),
    )
    parser.add_argument("type", nargs="?", metavar="TYPE", help="a public type (default: none)")
    parser.set_defaults(run=run)
