"""
Type-checked, never run: JSON in, typed values out (issue 11).

`from_data(body, bs.Command)` returns the union of the commands, so an app narrows it
with `isinstance` or `match`, and mypy --strict needs no cast.
"""

from __future__ import annotations

from typing import Any, assert_type

import betastate as bs


body: Any = {"_type": "Spend", "on": "2025-03-12", "by": "intrapreneur", "amount": "70000"}

command = bs.from_data(body, bs.Command)
assert_type(command, bs.Command)
if isinstance(command, bs.Spend):
    assert_type(command, bs.Spend)

event = bs.from_data(body, bs.Event)
assert_type(event, bs.Event)
assert_type(bs.from_data(body, bs.Spend), bs.Spend)
assert_type(bs.from_data([body], list[bs.Event]), list[bs.Event])
assert_type(bs.from_data(body, bs.Startup | None), bs.Startup | None)

schema = bs.json_schema(bs.Command)
assert_type(schema, dict[str, Any])
assert_type(bs.json_schema(), dict[str, Any])
assert_type(bs.json_schema(list[bs.Event]), dict[str, Any])

try:
    bs.from_data(body, bs.Command)
except bs.InvalidData as error:
    assert_type(error.problems, tuple[bs.Problem, ...])
    assert_type(error.problems[0].path, str)
    assert_type(error.kind, str)
