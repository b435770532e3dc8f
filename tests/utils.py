"""Test utilities: the invented beta.gouv.fr checkout the loader tests read."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


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


def copy_checkout(folder: Path) -> Path:
    """A copy of the invented checkout under ``folder`` that a test may break."""
    root = folder / "checkout"
    shutil.copytree(invented_checkout(), root)
    return root


# Linux capabilities (linux/capability.h): version 3 header, and the two that let root
# read and search any file whatever its mode.
_CAPABILITY_VERSION_3 = 0x20080522
_DAC_OVERRIDE_AND_READ_SEARCH = (1 << 1) | (1 << 2)


@contextlib.contextmanager
def permissions_apply() -> Iterator[None]:
    """
    Make file modes bind this thread, even when the tests run as root.

    Root reads a file of mode 000; so that a chmod makes a file really
    unreadable, this drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
    thread's effective set (they stay permitted) and raises them again on exit.
    Outside root it changes nothing.
    """
    if os.geteuid() != 0:
        yield
        return
    libc = ctypes.CDLL(None, use_errno=True)
    header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # {effective, permitted, inheritable} x 2 words
    if libc.capget(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    saved = list(data)
    data[0] &= ~_DAC_OVERRIDE_AND_READ_SEARCH
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    try:
        yield
    finally:
        data[:] = saved
        libc.capset(header, data)


def unprivileged_command() -> list[str]:
    """A prefix for a child process for whom file modes bind (see :func:`permissions_apply`)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        message = "running as root without setpriv: cannot make a file unreadable"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    caps = "-dac_override,-dac_read_search"
    return [setpriv, "--inh-caps", caps, "--bounding-set", caps, "--"]


def current(lifecycle: Any, startup: Any) -> Any:
    """The state after every event (``Lifecycle.state`` reads an active startup today)."""
    return lifecycle.state(startup, on=startup.last_event_date)
