"""The layers of ARCHITECTURE.md hold, and the contracts that enforce them bite."""

from __future__ import annotations

import ast
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "betastate"
LINT_IMPORTS = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter with the project's contracts on the package under ``tree``."""
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(tree / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": str(Path(sys.executable).parent)},
        timeout=180,
        check=False,
    )


@pytest.fixture(name="tree")
def _tree(tmp_path: Path) -> Path:
    """A copy of the package and the project's contracts, to plant imports in."""
    shutil.copytree(SOURCE, tmp_path / "betastate", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _plant(tree: Path, module: str, line: str) -> None:
    path = tree / "betastate" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n\ndef _planted() -> None:\n    {line}\n")


class TestContracts:
    def test_the_package_keeps_every_contract(self, tree: Path):
        """The package as it is keeps every import contract."""
        result = _lint(tree)

        assert 0 == result.returncode, result.stdout

    @pytest.mark.parametrize(
        ("module", "line"),
        [
            # An upward import, even inside a function: values must not know the engine.
            ("_values/money.py", "from betastate._engine import ledger  # noqa"),
            # The engine must not reach the loaders.
            ("_engine/state.py", "from betastate._io import loaders  # noqa"),
            # transitions belongs to the lifecycle alone.
            ("_engine/committee.py", "import transitions  # noqa"),
            # matplotlib belongs to the analytics layer and its doors.
            ("_cli/report.py", "import matplotlib  # noqa"),
            # audit must not depend on the command machinery.
            ("_engine/audit.py", "from betastate._engine import lifecycle  # noqa"),
            # hypothesis is betastate.testing's: the library proper never imports it.
            ("_engine/state.py", "import hypothesis  # noqa"),
        ],
    )
    def test_a_planted_violation_breaks_a_contract(self, tree: Path, module: str, line: str):
        """Each kind of forbidden import, planted in a copy, fails `lint-imports`."""
        _plant(tree, module, line)

        result = _lint(tree)

        assert 0 != result.returncode
        assert "BROKEN" in result.stdout


class TestLayout:
    def test_internal_modules_use_the_layers_not_the_doors(self):
        """No private module takes names from `betastate` or `betastate.exceptions` (doors)."""
        offenders = []
        for path in SOURCE.rglob("*.py"):
            if path.parent == SOURCE:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.ImportFrom):
                    continue
                names = [
                    alias.name
                    for alias in node.names
                    if node.module == "betastate.exceptions"
                    or (
                        node.module == "betastate"
                        and importlib.util.find_spec(f"betastate.{alias.name}") is None
                    )
                ]
                offenders.extend(f"{path.relative_to(SOURCE)}: {name}" for name in names)

        assert [] == offenders
