"""
docs/http.md runs: each `console` block's commands go to a real `betastate serve`, in order.

Outputs compare as JSON where they are JSON ("..." stands for any value, and an object with
a "..." member may have more members); `curl -si` outputs compare their status line and the
headers shown. Every command is bounded in time.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import betastate as bs
from betastate.server import add_key

from .http_kit import live_server


PAGE = Path(__file__).resolve().parent.parent / "docs" / "http.md"
WILDCARD = "..."
BASH = shutil.which("bash") or "/bin/bash"


def examples(text: str) -> list[tuple[str, str]]:
    """The (command, expected output) pairs of the page's ```console blocks, in order."""
    pairs: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.DOTALL):
        lines = block.splitlines()
        index = 0
        while index < len(lines):
            if not lines[index].startswith("$ "):
                msg = f"expected a command ($ ...) in docs/http.md, got {lines[index]!r}"
                raise AssertionError(msg)
            command = [lines[index][2:]]
            index += 1
            while not complete("\n".join(command)):
                command.append(lines[index])
                index += 1
            output = []
            while index < len(lines) and not lines[index].startswith("$ "):
                output.append(lines[index])
                index += 1
            pairs.append(("\n".join(command), "\n".join(output)))
    return pairs


def complete(command: str) -> bool:
    """Whether a shell command is whole (no open quote, no trailing backslash)."""
    if command.endswith("\\"):
        return False
    try:
        shlex.split(command)
    except ValueError:
        return False
    return True


def matches(expected: Any, actual: Any) -> bool:
    """JSON equality where "..." is any value and a "..." member allows other members."""
    if expected == WILDCARD:
        return True
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        keys = set(expected) - {WILDCARD}
        if WILDCARD not in expected and keys != set(actual):
            return False
        return keys <= set(actual) and all(matches(expected[k], actual[k]) for k in keys)
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(matches(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return bool(expected == actual and type(expected) is type(actual))


def compare(expected: str, actual: str, command: str) -> None:
    actual = actual.replace("\r\n", "\n")
    if expected.startswith("HTTP/"):
        shown_head, _, expected = expected.partition("\n\n")
        head, _, actual = actual.partition("\n\n")
        status, *headers = shown_head.splitlines()
        got_status, *got_headers = head.splitlines()
        assert status == got_status, command
        got = {line.split(":", 1)[0].lower(): line for line in got_headers}
        for line in headers:
            assert line == got.get(line.split(":", 1)[0].lower()), (command, line, got)
    assert matches(json.loads(expected), json.loads(actual)), (command, actual)


@pytest.fixture(name="curl")
def _curl() -> str:
    found = shutil.which("curl")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("curl is needed to run docs/http.md")
        pytest.skip("curl is not installed")
    return found


class TestHttpPage:
    def test_the_examples_run(self, tmp_path, curl):
        """Every curl example of the page gives the output shown, against a real server."""
        keys = tmp_path / "keys.toml"
        people = {
            "SPONSOR": bs.Actor(
                role="sponsor", name="Direction du numérique", organisation="/organisations/dinum"
            ),
            "INTRAPRENEUR": bs.Actor(role="intrapreneur", name="Camille"),
            "TEAM": bs.Actor(role="team-member"),
        }
        env = {**os.environ, **{name: add_key(keys, actor) for name, actor in people.items()}}
        url = f"sqlite://{tmp_path}/desk.db"
        pairs = examples(PAGE.read_text(encoding="utf-8"))
        assert len(pairs) >= 15
        assert all(command.startswith("curl ") for command, _ in pairs)
        with live_server(url, keys, tmp_path) as server:
            env["BETASTATE"] = server.url
            for command, expected in pairs:
                result = subprocess.run(
                    [BASH, "-c", command.replace("curl ", f"{curl} ", 1)],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=30,
                    check=True,
                )
                compare(expected, result.stdout, command)

    def test_wildcards_are_not_lenient(self):
        """The comparison refuses a wrong value, a missing or extra member, a wrong length."""
        assert matches({"a": 1, "b": [WILDCARD]}, {"a": 1, "b": [2]})
        assert matches({"a": 1, WILDCARD: WILDCARD}, {"a": 1, "c": 3})
        assert not matches({"a": 1}, {"a": 1, "c": 3})
        assert not matches({"a": 1, WILDCARD: WILDCARD}, {"c": 3})
        assert not matches({"a": [WILDCARD]}, {"a": [1, 2]})
        assert not matches({"a": 1}, {"a": True})
        assert not matches({"a": "1"}, {"a": 1})
