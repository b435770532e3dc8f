"""
betastate.journal: durable, concurrent, auditable startup histories.

A journal stores each startup as a stream of events in a database (SQLite
by default, PostgreSQL to scale out) and applies commands to it in
transactions: read the stream, decide with the :class:`betastate.Lifecycle`,
append. Open one with :func:`betastate.open_journal`.

The engines share one contract (``_recorder``), one module each
(``_sqlite``, ``_postgres``) and one contract test suite. Importing this
package loads neither sqlite3 nor psycopg: the URL given to
:func:`open_journal` loads the driver it needs.
"""

from __future__ import annotations

from betastate.journal._journal import CREATE as CREATE
from betastate.journal._journal import IMPORT as IMPORT
from betastate.journal._journal import ImportReport as ImportReport
from betastate.journal._journal import Journal as Journal
from betastate.journal._journal import RecordedEvent as RecordedEvent
from betastate.journal._journal import Upcaster as Upcaster
from betastate.journal._open import open_journal as open_journal


__all__ = [
    "CREATE",
    "IMPORT",
    "ImportReport",
    "Journal",
    "RecordedEvent",
    "Upcaster",
    "open_journal",
]

for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("betastate.journal._"):
        _obj.__module__ = __name__
del _name, _obj
