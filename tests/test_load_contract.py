"""One contract, three loaders: front matter, the site's JSON:API, betastate JSON."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest

import betastate
from betastate import Note, PhaseEnded, PhaseEntered, Portfolio

from .utils import invented_checkout


FIXTURES = invented_checkout()
NAMES = {
    betastate.CommitteeHeld: "committee",
    betastate.ProductLaunched: "product_launch",
    betastate.Stopped: "end",
    betastate.NationalImpactDesignated: "national_impact",
    betastate.FastLaureate: "fast",
}


def to_jsonapi(portfolio: Portfolio) -> dict[str, object]:
    """The portfolio in the shape of the site's api/v2.x/startups.json (its Jekyll template)."""
    data = []
    for startup in portfolio:
        phases, events = [], []
        for event in startup.history:
            if isinstance(event, PhaseEntered):
                phases.append({"name": event.phase, "start": event.on.isoformat(), "end": ""})
            elif isinstance(event, PhaseEnded):
                phase = next(p for p in reversed(phases) if p["name"] == event.phase)
                phase["end"] = event.on.isoformat()
            else:
                name = event.name if isinstance(event, Note) else NAMES[type(event)]
                events.append(
                    {"name": name, "date": event.on.isoformat(), "comment": event.comment or ""}
                )
        attributes = {
            "name": startup.title,
            "pitch": startup.mission,
            "contact": startup.contact or "",
            "events": events,
            "phases": phases,
            "sponsors": list(startup.sponsors),
            "content_url_encoded_markdown": urllib.parse.quote_plus(startup.body),
        }
        if startup.link is not None:
            attributes["link"] = startup.link
        if startup.repository:
            attributes["repository"] = startup.repository
        data.append(
            {
                "id": startup.slug,
                "type": "startup",
                "attributes": attributes,
                "relationships": {
                    "incubator": {"data": {"type": "incubator", "id": startup.incubator}}
                },
            }
        )
    return {"data": data}


def front_matter(_: Path) -> Portfolio:
    return betastate.load_portfolio(FIXTURES)


def betastate_json(tmp_path: Path) -> Portfolio:
    path = tmp_path / "portfolio.json"
    path.write_text(betastate.portfolio_to_json(front_matter(tmp_path)), encoding="utf-8")
    return betastate.portfolio_from_json(path.read_bytes(), file=str(path))


def jsonapi(tmp_path: Path) -> Portfolio:
    path = tmp_path / "startups.json"
    path.write_text(json.dumps(to_jsonapi(front_matter(tmp_path))), encoding="utf-8")
    return betastate.load_jsonapi(path)


LOADERS: dict[str, Callable[[Path], Portfolio]] = {
    "front-matter": front_matter,
    "betastate-json": betastate_json,
    "jsonapi": jsonapi,
}


def without_phase_comments(portfolio: Portfolio) -> list[tuple[object, ...]]:
    """What every format keeps: slug, title, sponsors, incubator, body and the dated history."""
    return [
        (
            s.slug,
            s.title,
            s.sponsors,
            s.incubator,
            s.body,
            tuple(
                PhaseEntered(on=e.on, phase=e.phase) if isinstance(e, PhaseEntered) else e
                for e in s.history
            ),
        )
        for s in portfolio
    ]


@pytest.mark.parametrize("name", sorted(LOADERS))
class TestLoaderContract:
    """Every loader gives the same products and histories, sorted by slug, with findings."""

    def test_same_products(self, name: str, tmp_path: Path) -> None:
        """Slugs, titles, sponsors, incubator, bodies and histories equal the front matter's."""
        expected = without_phase_comments(front_matter(tmp_path))

        assert expected == without_phase_comments(LOADERS[name](tmp_path))

    def test_sorted_and_findings(self, name: str, tmp_path: Path) -> None:
        """Products come sorted by slug; the rulebook's rules are reported (N8 on cantine-verte)."""
        portfolio = LOADERS[name](tmp_path)

        assert sorted(portfolio.slugs) == list(portfolio.slugs)
        assert ("cantine-verte", "N8") in {(f.slug, f.code) for f in portfolio.findings}
