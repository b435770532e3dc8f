"""``betastate schema``: the JSON Schema of betastate JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

from betastate._cli.common import emit


def run(_args: argparse.Namespace) -> int:
    """Run ``betastate schema``."""
    from betastate._io.schema import json_schema  # noqa: PLC0415  (import time)

    return emit(json.dumps(json_schema(), ensure_ascii=False, indent=2))


def register(commands: Any) -> None:
    """Add ``schema`` to the subcommands."""
    parser = commands.add_parser("schema", help="print the JSON Schema of betastate JSON")
    parser.set_defaults(run=run)
