"""
Loaded once in the tests' fork server: the journal workers' children fork from it.

It imports what the workers use and runs a journal once in memory (so the converter's
hooks, the rulebook's machine and the handlers exist before the fork), then freezes the
garbage collector's view of that heap: a child's first collection then skips those
objects instead of touching, and so copying, every page it inherited.
"""

from __future__ import annotations

import gc

import betastate as bs
import betastate.journal  # loaded once, here
from tests import journal_contract


def _warm() -> None:
    with bs.open_journal("sqlite://") as journal:
        journal.create(bs.Startup(slug="chauffe", title="Chauffe"))
        for index, command in enumerate(journal_contract.long_script(7, 30)):
            journal.apply("chauffe", command, command_id=f"chauffe-{index}")
        journal._cache.clear()
        journal.get("chauffe")
        journal.records("chauffe")


_warm()
gc.freeze()
