"""Small HTML views for notebooks (``_repr_html_``)."""

from __future__ import annotations

import html
from collections import Counter
from typing import TYPE_CHECKING


if TYPE_CHECKING:
    from ._model import Startup
    from ._portfolio import Portfolio


def _detail(event: object) -> str:
    return str(getattr(event, "phase", "") or getattr(event, "comment", "") or "")


def startup_html(startup: Startup) -> str:
    """A startup as a title and a table of its history."""
    from ._lifecycle import Lifecycle  # noqa: PLC0415  (import cycle)

    state = Lifecycle().state(startup)
    rows = "".join(
        f"<tr><td>{event.on.isoformat()}</td><td>{type(event).__name__}</td>"
        f"<td>{html.escape(_detail(event))}</td></tr>"
        for event in startup.history
    )
    return (
        f"<div><strong>{html.escape(startup.title)}</strong> "
        f"(<code>{html.escape(startup.slug)}</code>): {html.escape(str(state.phase))}"
        f"<table><tr><th>date</th><th>event</th><th>detail</th></tr>{rows}</table></div>"
    )


def portfolio_html(portfolio: Portfolio) -> str:
    """A portfolio as its size and a table of counts by current phase."""
    from ._lifecycle import Lifecycle  # noqa: PLC0415  (import cycle)

    lifecycle = Lifecycle()
    counts = Counter(str(lifecycle.phase(s)) for s in portfolio)
    rows = "".join(
        f"<tr><td>{html.escape(phase)}</td><td>{count}</td></tr>"
        for phase, count in counts.most_common()
    )
    return (
        f"<div><strong>Portfolio</strong>: {len(portfolio)} products, "
        f"{len(portfolio.findings)} findings"
        f"<table><tr><th>phase</th><th>products</th></tr>{rows}</table></div>"
    )
