"""
The error of a query asked wrongly: a misspelt grouping, an unknown phase, a bad rate table.

A typo in an analyst's argument must stop the query with a message naming
the argument, the value and what would work, never return an empty or zero
result that looks like an answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from betastate._values.errors import BetastateError


class QueryError(BetastateError, ValueError):
    """
    A query's argument is not one it can answer.

    Attributes:
        argument: The argument at fault (``by``, ``steps``, ``DailyRates.statuses``...).
        value: What was given.
        problem: What is wrong.
        fix: What would work.

    .. versionadded:: 0.1.0
    """

    def __init__(self, argument: str, value: object, problem: str, fix: str) -> None:
        super().__init__(argument, value, problem, fix)
        self.argument = argument
        self.value = value
        self.problem = problem
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.argument}={self.value!r}: {self.problem}. Fix: {self.fix}."


def one_of(value: str, choices: Iterable[str], limit: int = 8) -> str:
    """A fix naming the closest choices first (``did you mean 'incubator'? use one of ...``)."""
    import difflib  # noqa: PLC0415  (an error path: not at import)

    options = sorted(set(choices))
    close = difflib.get_close_matches(value, options, n=3)
    rest = [o for o in options if o not in close]
    shown = [*close, *rest][:limit]
    more = f" and {len(options) - len(shown)} more" if len(options) > len(shown) else ""
    lead = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    return f"{lead}use one of {', '.join(repr(o) for o in shown)}{more}"
