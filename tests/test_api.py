"""The public surface: exactly these names, importable, documented, cheap to import."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import betastate


EXPECTED = {
    "DOSSIER_ITEMS",
    "NATIONAL_IMPACT_CRITERIA",
    "AwardFast",
    "DesignateNationalImpact",
    "DossierUpdated",
    "Envelope",
    "ExitPlan",
    "FileRecovery",
    "FundingSource",
    "FundsGranted",
    "Grant",
    "GrantFunds",
    "HoldCommittee",
    "Ledger",
    "LiquidationDecided",
    "Perennised",
    "PostMortem",
    "RecoveryFiled",
    "Spend",
    "Spent",
    "Stop",
    "StopProcedure",
    "StopReason",
    "TakeOver",
    "TakenOver",
    "Trajectory",
    "UpdateDossier",
    "BudgetPublished",
    "PublishBudget",
    "Cadence",
    "Cadences",
    "Counts",
    "DailyRates",
    "Designation",
    "Designations",
    "Estimate",
    "Funnel",
    "FunnelStep",
    "Grouped",
    "Laureate",
    "Laureates",
    "Series",
    "SpendEstimate",
    "SurvivalCurve",
    "Forecast",
    "Backtest",
    "InvalidArgument",
    "InvalidData",
    "Problem",
    "SCHEMA_VERSION",
    "Actor",
    "Advance",
    "BetastateError",
    "Command",
    "CommitteeHeld",
    "DataFileError",
    "InvalidType",
    "InvalidValue",
    "Decision",
    "Event",
    "FastLaureate",
    "Finding",
    "Gate",
    "GateContext",
    "ImpactReading",
    "Incubator",
    "Launch",
    "LegacyName",
    "Lifecycle",
    "Member",
    "Mission",
    "Move",
    "NationalImpactDesignated",
    "Note",
    "Organisation",
    "Outcome",
    "Phase",
    "PhaseDef",
    "PhaseEnded",
    "PhaseEntered",
    "PhaseSpan",
    "Pivoted",
    "Portfolio",
    "ProductLaunched",
    "Reason",
    "Record",
    "Role",
    "RuleDef",
    "Rulebook",
    "RulebookError",
    "Severity",
    "Startup",
    "StartupState",
    "Stopped",
    "Thresholds",
    "TransitionDef",
    "TransitionRefused",
    "Verdict",
    "Violation",
    "exceptions",
    "from_data",
    "make_converter",
    "portfolio_from_json",
    "portfolio_to_json",
    "rulebook",
    "sample_portfolio",
    "audit",
    "load_portfolio",
    "load_jsonapi",
    "json_schema",
    "save_startup",
    "write_frontmatter",
    "LeftOut",
    "Written",
    "load_members_space",
    "to_data",
    # Rulebooks other incubators write (issue 12).
    "GateSpec",
    "RoleDef",
    "RulebookProblem",
    "ThresholdDef",
    "gate",
    "lint_rulebook",
    "Affinity",
    "Asset",
    "Evidence",
    "Lesson",
    "Related",
    "Retract",
    "Retracted",
    "STOP_PATTERNS",
    "StopPattern",
    "reason_counts",
    "open_journal",
    "ConcurrencyConflict",
    "JournalError",
    "UnknownStartup",
}


class TestSurface:
    def test_all_is_pinned(self):
        """`__all__` is exactly the documented surface: growth is a decision."""
        assert EXPECTED == set(betastate.__all__)

    def test_every_name_exists(self):
        """Every name in `__all__` is importable from `betastate`."""
        missing = [name for name in betastate.__all__ if not hasattr(betastate, name)]

        assert [] == missing

    def test_public_module_names(self):
        """Classes say `betastate.X` in reprs and docs, not a private module."""
        leaking = [
            name
            for name in betastate.__all__
            if isinstance(getattr(betastate, name), type)
            and getattr(betastate, name).__module__.startswith("betastate._")
        ]

        assert [] == leaking

    def test_public_objects_have_docstrings(self):
        """Every public class and function says what it is for."""
        undocumented = [
            name
            for name in betastate.__all__
            if inspect.isclass(getattr(betastate, name))
            or inspect.isfunction(getattr(betastate, name))
            if not getattr(betastate, name).__doc__
        ]

        assert [] == undocumented


class TestServerSurface:
    def test_all_is_pinned(self):
        """`betastate.server.__all__` is exactly the HTTP service's surface."""
        from betastate import server  # noqa: PLC0415  (an extra)

        expected = {"ApiKey", "Keys", "add_key", "create_app", "openapi", "serve"}

        assert expected == set(server.__all__)
        assert [] == [n for n in server.__all__ if not getattr(server, n).__doc__]
        assert all(getattr(server, n).__module__ == "betastate.server" for n in server.__all__)

    def test_documented(self):
        """docs/api.md documents every name of `betastate.server`."""
        from betastate import server  # noqa: PLC0415

        page = (Path(__file__).parent.parent / "docs" / "api.md").read_text(encoding="utf-8")

        assert [] == [n for n in server.__all__ if f"betastate.server.{n}" not in page]

    def test_not_loaded_by_betastate(self):
        """`import betastate` loads neither the server nor its web framework."""
        code = (
            "import sys, betastate; "
            "print(','.join(m for m in ('betastate.server', 'starlette', 'uvicorn') "
            "if m in sys.modules))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )

        assert "" == result.stdout.strip()


class TestReference:
    def test_every_public_name_is_in_the_api_page(self):
        """docs/api.md documents every name of `__all__`."""
        page = (Path(__file__).parent.parent / "docs" / "api.md").read_text(encoding="utf-8")
        missing = [
            name
            for name in betastate.__all__
            if not re.search(rf"betastate\.(exceptions\.)?{name}\b", page)
        ]

        assert [] == missing


TESTING = {
    "Adapter",
    "Coverage",
    "Disagreement",
    "LifecycleMachine",
    "Path",
    "Refusal",
    "Reply",
    "Step",
    "parametrize_paths",
    "shortest_paths",
    "simple_paths",
    "strategies",
    "transition_coverage",
}
STRATEGIES = {
    "FrontMatterFile",
    "actors",
    "amounts",
    "dates",
    "frontmatter_files",
    "histories",
    "refused_commands",
    "role_names",
    "rulebooks",
    "slugs",
    "startups",
    "texts",
    "valid_commands",
    "value_types",
    "values",
}


class TestTestingSurface:
    def test_all_is_pinned(self):
        """betastate.testing and its strategies publish exactly these names."""
        from betastate import testing  # noqa: PLC0415

        assert TESTING == set(testing.__all__)
        assert STRATEGIES == set(testing.strategies.__all__)

    def test_module_names_and_docstrings(self):
        """Its objects report betastate.testing as their module and say what they are for."""
        from betastate import testing  # noqa: PLC0415

        objects = [getattr(testing, n) for n in testing.__all__ if n != "strategies"]
        objects += [getattr(testing.strategies, n) for n in testing.strategies.__all__]

        assert [] == [o for o in objects if not o.__module__.startswith("betastate.testing")]
        assert [] == [o for o in objects if "._" in o.__module__]
        assert [] == [o for o in objects if not o.__doc__]

    def test_every_name_is_in_the_api_page(self):
        """docs/api.md documents every name betastate.testing publishes."""
        page = (Path(__file__).parent.parent / "docs" / "api.md").read_text(encoding="utf-8")
        names = [f"testing.{n}" for n in TESTING - {"strategies"}]
        names += [f"testing.strategies.{n}" for n in STRATEGIES]

        assert [] == [n for n in names if not re.search(rf"betastate\.{re.escape(n)}\b", page)]


class TestImportCost:
    def test_no_heavy_imports(self):
        """`import betastate` imports no dataframe, plotting, numeric, database or test library."""
        heavy = [
            "pandas",
            "polars",
            "matplotlib",
            "numpy",
            "numba",
            "llvmlite",
            "psycopg",
            "psycopg2",
            "sqlalchemy",
            "snowballstemmer",
            "Stemmer",
            "hypothesis",  # betastate.testing's, and only imported with it
        ]
        code = (  # what the import adds (a coverage tracer in the child loads its own modules)
            "import sys; before = set(sys.modules); import betastate; "
            f"print(','.join(m for m in {heavy!r} if m in set(sys.modules) - before))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )

        assert "" == result.stdout.strip()

    def test_import_needs_only_attrs_and_the_standard_library(self):
        """
        `import betastate` loads betastate, attrs and standard modules, nothing else.

        What keeps the import quick, checked without a clock (the time itself
        is ``benchmarks/imports.py``'s: these machines are shared).
        """
        code = (
            "import sys; before = set(sys.modules); import betastate; "
            "print('\\n'.join(sorted(set(sys.modules) - before)))"
        )
        added = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
        allowed = {"betastate", "attr", "attrs", *sys.stdlib_module_names}

        assert "betastate" in added
        assert [] == [
            m
            for m in added
            if m.split(".")[0].lstrip("_") not in allowed and m.split(".")[0] not in allowed
        ]
