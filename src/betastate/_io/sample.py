"""The sample portfolio shipped in the package: invented products only."""

from __future__ import annotations

import functools

from betastate._analytics.portfolio import Portfolio
from betastate._io.convert import portfolio_from_json


@functools.cache
def sample_portfolio() -> Portfolio:
    """
    A portfolio of invented products with varied histories.

    It holds products stopped in investigation and in construction,
    transferred, operated and still running; ``betastate report`` uses it
    when no path is given. Made by ``tools/make_sample.py``.

    .. versionadded:: 0.1.0
    """
    import importlib.resources  # noqa: PLC0415  (import time)

    resource = importlib.resources.files("betastate._io").joinpath("data", "sample-portfolio.json")
    return portfolio_from_json(resource.read_text(encoding="utf-8"), file=str(resource))
