"""
Every exception betastate raises on purpose.

::

    BetastateError
    ├── RulebookError (ValueError)      a rulebook file or override is invalid
    ├── TransitionRefused (ValueError)  a command breaks error rules
    ├── DataFileError (ValueError)      a data file cannot be read as it should
    ├── InvalidData (ValueError)        data (JSON) does not describe the value asked for
    ├── InvalidValue (ValueError)       a value, command or argument is built from bad input
    │   ├── InvalidType (TypeError)     ... a value of the wrong type
    │   └── InvalidArgument             ... a function's argument it cannot use
    ├── ConcurrencyConflict             a stream moved on from the version expected
    └── JournalError                    a journal cannot be opened, read or written
        └── UnknownStartup (LookupError)  a journal has no stream for a slug

Each carries the data needed to act on it, and its message says what to fix;
``betastate.to_data(error)`` gives it as a JSON body (the HTTP service's),
whose schema is ``betastate.json_schema(betastate.BetastateError)``.
The classes are defined with the values (``betastate._values.errors``), the
lowest layer, so that every layer may raise them; this module is their
public name.
"""

from betastate._values.errors import (
    BetastateError,
    ConcurrencyConflict,
    DataFileError,
    InvalidArgument,
    InvalidData,
    InvalidType,
    InvalidValue,
    JournalError,
    RulebookError,
    TransitionRefused,
    UnknownStartup,
)


__all__ = [
    "BetastateError",
    "ConcurrencyConflict",
    "DataFileError",
    "InvalidArgument",
    "InvalidData",
    "InvalidType",
    "InvalidValue",
    "JournalError",
    "RulebookError",
    "TransitionRefused",
    "UnknownStartup",
]

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
