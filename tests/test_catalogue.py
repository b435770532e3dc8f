"""The catalogue of what a rulebook must declare matches what the engine's code refers to."""

from __future__ import annotations

import re
from pathlib import Path

import betastate as bs
from betastate._rules import catalogue
from betastate._values.events import Decision


ENGINE = Path(bs.__file__).parent / "_engine"
RULES = Path(bs.__file__).parent / "_rules"
RULE_LITERAL = re.compile(r'"((?:BS|BR|ST|NI|CC|FAST|DUR|EXIT)-[A-Z0-9]+|N\d)"')


def literals(folder: Path) -> set[str]:
    return {m for path in folder.glob("*.py") for m in RULE_LITERAL.findall(path.read_text())}


class TestCatalogue:
    def test_engine_rules_are_the_ones_the_engine_files(self):
        """Every rule id literal in the engine is in ENGINE_RULES, and every entry is used."""
        assert set(catalogue.ENGINE_RULES) == literals(ENGINE)

    def test_builtin_gates_declare_what_they_yield(self):
        """Each built-in Python gate declares exactly the rule ids its code yields."""
        source = (RULES / "gates.py").read_text()
        for name, gate in bs.rulebook().gates.items():
            body = source.split(f"def {name}(", 1)[1].split("\n@", 1)[0].split("\nBUILTIN", 1)[0]
            assert set(gate.rules) == set(RULE_LITERAL.findall(body)), name

    def test_permission_keys_are_the_ones_the_engine_checks(self):
        """Every key the engine checks is in PERMISSIONS, and every key is checked somewhere."""
        text = "\n".join(path.read_text() for path in ENGINE.glob("*.py"))
        checked = set(re.findall(r'(?:_permission|check_permission)\([^)]*?"([a-z-]+)"', text))
        checked |= set(catalogue.RECORD_PERMISSIONS.values())
        checked |= set(catalogue.RETRACT_PERMISSIONS.values()) | {"retract"}  # retract_permission
        checked |= {d.value for d in Decision} | {"committee", "fast", "grant"}

        assert set(catalogue.PERMISSIONS) == checked

    def test_every_preset_declares_the_catalogue(self):
        """Both presets declare every engine rule and every permission."""
        for name in ("betagouv", "govuk"):
            book = bs.rulebook(name)
            assert set(catalogue.ENGINE_RULES) <= {r.id for r in book.rules}, name
            assert set(catalogue.PERMISSIONS) == set(book.permissions), name
