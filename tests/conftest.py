"""Shared fixtures: the real-data snapshot and hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings


settings.register_profile(
    "tests", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("fast", settings.get_profile("tests"), max_examples=10)
settings.register_profile("ci", settings.get_profile("tests"), max_examples=100)
settings.load_profile(
    "fast" if os.environ.get("FAST") else ("ci" if os.environ.get("CI") else "tests")
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def snapshot_path() -> Path | None:
    """The beta.gouv.fr snapshot: $BETASTATE_SNAPSHOT, else ../shared/data/betagouv."""
    configured = os.environ.get("BETASTATE_SNAPSHOT")
    path = Path(configured) if configured else PROJECT_ROOT.parent / "shared" / "data" / "betagouv"
    return path if (path / "content" / "_startups").is_dir() else None


@pytest.fixture(name="snapshot", scope="session")
def _snapshot() -> Path:
    """Path to the real-data snapshot; skips outside CI when absent, fails under CI=true."""
    path = snapshot_path()
    if path is None:
        message = (
            "the beta.gouv.fr snapshot is missing: put it at ../shared/data/betagouv "
            "or set BETASTATE_SNAPSHOT"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
