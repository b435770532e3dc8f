"""
Every exception betastate raises on purpose.

::

    BetastateError
    ├── RulebookError (ValueError)      a rulebook file or override is invalid
    ├── TransitionRefused (ValueError)  a command breaks error rules
    ├── DataFileError (ValueError)      a data file cannot be read as it should
    └── QueryError (ValueError)         a query's argument is not one it can answer

Each carries the data needed to act on it, and its message says what to fix.
The classes are defined with the values (``betastate._values.errors``), the
lowest layer, so that every layer may raise them, except the analytics' own
``QueryError`` (``betastate._analytics.errors``); this module is their
public name.
"""

from betastate._analytics.errors import QueryError
from betastate._values.errors import BetastateError, DataFileError, RulebookError, TransitionRefused


__all__ = ["BetastateError", "DataFileError", "QueryError", "RulebookError", "TransitionRefused"]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
