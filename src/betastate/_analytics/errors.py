"""
Fixes for a query asked wrongly: a misspelt grouping, an unknown phase, a bad rate table.

A typo in an analyst's argument stops the query with
:class:`betastate.InvalidArgument`, naming the argument, the value and what
would work (the closest choices first), never an empty or zero result that
looks like an answer.
"""

from __future__ import annotations

from collections.abc import Iterable


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
