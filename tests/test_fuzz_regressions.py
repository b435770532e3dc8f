"""Inputs the fuzz suite found (tests/test_fuzz.py), kept as plain tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import betastate as bs


PRESET = Path(bs.__file__).parent / "_rules" / "presets" / "betagouv.toml"


class TestRulebookFiles:
    """A broken rulebook file is a RulebookError, whatever breaks it."""

    @pytest.mark.parametrize(
        ("insert", "problem"),
        [("[" * 100_000 + "]" * 100_000, "nested too deeply"), ("1" * 5000, "digits")],
    )
    def test_parser_limits(self, tmp_path: Path, insert: str, problem: str) -> None:
        """Nesting past the TOML parser's recursion, or an integer too long for Python."""
        text = PRESET.read_text(encoding="utf-8").replace(
            'version = "2026-08"', f"version = {insert}", 1
        )
        path = tmp_path / "mine.toml"
        path.write_text(text, encoding="utf-8")

        with pytest.raises(bs.RulebookError, match=problem):
            bs.rulebook(path)


class TestJsonApi:
    """An included incubator the model refuses is a DataFileError naming it."""

    def test_incubator_id_not_a_slug(self, tmp_path: Path) -> None:
        """An incubator id with a path separator."""
        path = tmp_path / "startups.json"
        document = {
            "data": [],
            "included": [{"type": "incubator", "id": "../x", "attributes": {"title": "X"}}],
        }
        path.write_text(json.dumps(document), encoding="utf-8")

        with pytest.raises(bs.DataFileError, match=r"included\[0\]"):
            bs.load_jsonapi(path)
