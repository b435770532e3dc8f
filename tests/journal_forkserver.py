"""
Loaded once in the test's fork server: the journal workers' children fork from it.

It imports what the workers use, builds the converter and the rulebook's machine, then
freezes the garbage collector's view of that heap: the children's first collection then
skips those objects instead of touching (and so copying) every page forked from here.
"""

from __future__ import annotations

import gc

import betastate as bs
import betastate.journal  # (loaded once, here)
from tests import journal_contract


bs.from_data(bs.to_data(journal_contract.PM), bs.PostMortem)
gc.freeze()
