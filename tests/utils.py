"""Test utilities: the invented beta.gouv.fr checkout the loader tests read."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path
from typing import Any


INVENTED = Path(__file__).parent / "data" / "invented"

# Where each folder of tests/data/invented goes in a beta.gouv.fr checkout. The fixtures
# are stored under other names so that nothing in the project looks like a copy of the
# real snapshot's folders (content/_startups, missions/member-*): they are all invented.
LAYOUT = {
    "startups": "content/_startups",
    "events": "content/_events",
    "incubators": "content/_incubators",
    "organisations": "content/_organisations",
    "phases": "content/_phases",
    "schema": "schema",
}


@functools.cache
def invented_checkout() -> Path:
    """A checkout-shaped folder built once per test run from tests/data/invented."""
    root = Path(tempfile.mkdtemp(prefix="betastate-fixture-")) / "betagouv"
    atexit.register(shutil.rmtree, root.parent, ignore_errors=True)
    for source, target in LAYOUT.items():
        shutil.copytree(INVENTED / source, root / target)
    missions = root / "missions"
    missions.mkdir()
    for member in sorted((INVENTED / "members").iterdir()):
        shutil.copyfile(member, missions / f"member-{member.name}")
    return root


def current(lifecycle: Any, startup: Any) -> Any:
    """The state after every event (``Lifecycle.state`` reads an active startup today)."""
    return lifecycle.state(startup, on=startup.last_event_date)
