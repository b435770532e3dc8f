"""
The site's own export of the snapshot loads into the front matter's portfolio, but for its losses.

``../shared/data/betagouv-api/startups.json`` is the snapshot as the site's ``api/v2.7``
template prints it. Each front-matter product, with the template's documented losses
applied by hand below, must equal the product the JSON:API loader reads, field by field.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

import betastate as bs


def truthy(value: Any) -> bool:
    """Liquid's truth: only nil and false are false ('' and [] are true)."""
    return value is not None and value is not False


def strip_newlines(text: str | None) -> str | None:
    """Liquid's strip_newlines, then the loader's reading of '' as absent."""
    if text is None:
        return None
    return re.sub(r"\r?\n", "", text) or None


def exported(startup: bs.Startup) -> bs.Startup:
    """What the template keeps of a front-matter product (README of betagouv-api, its code)."""
    history = []
    for event in startup.history:
        if isinstance(event, bs.PhaseEntered):
            history.append(attrs.evolve(event, comment=None))  # phases lose their comment
        elif isinstance(event, bs.PhaseEnded):
            history.append(event)
        else:
            history.append(attrs.evolve(event, comment=strip_newlines(event.comment)))
    fm = startup.extra
    extra: dict[str, Any] = {
        "thematiques": fm.get("thematiques") or [],
        "techno": fm.get("techno") or [],
    }
    if truthy(fm.get("stats_url")):
        extra["stats_url"] = fm["stats_url"]
    elif truthy(fm.get("stats")):
        extra["stats_url"] = f"{(startup.link or '').strip()}/stats"
    if truthy(startup.link) and truthy(fm.get("impact_url")) and fm["impact_url"] != "":
        extra["impact_url"] = fm["impact_url"]
    for key in ("budget_url", "dashlord_url", "accessibility_status", "analyse_risques_url"):
        if truthy(fm.get(key)) and fm[key] != "":
            extra[key] = fm[key]
    if truthy(fm.get("analyse_risques")):
        extra["analyse_risques"] = True
    return attrs.evolve(
        startup,
        history=history,
        extra=extra,
        repository=startup.repository or None,
        contact=startup.contact or None,
    )


@pytest.fixture(name="pair", scope="module")
def _pair(snapshot: Path) -> tuple[bs.Portfolio, bs.Portfolio]:
    export = snapshot.parent / "betagouv-api" / "startups.json"
    if not export.is_file():
        pytest.skip(f"no JSON:API export next to the snapshot ({export})")
    return bs.load_portfolio(snapshot, missions=False), bs.load_jsonapi(export)


def body(snapshot: Path, slug: str) -> str:
    text = (snapshot / "content" / "_startups" / f"{slug}.md").read_text(encoding="utf-8")
    return text.split("\n---", 1)[1].lstrip("\n")


class TestSameAsFrontMatter:
    """Field by field, the two loaders differ exactly by the export's documented losses."""

    def test_same_products(self, pair):
        """The same 662 slugs."""
        front, api = pair

        assert 662 == len(api)
        assert front.slugs == api.slugs

    def test_every_field_but_the_losses(self, pair):
        """Each product equals its front matter with the template's losses applied."""
        front, api = pair
        for startup in front:
            read = api[startup.slug]
            expected = exported(startup)
            for field in attrs.fields(bs.Startup):
                if not field.eq:
                    continue  # a cache (the memo), not a fact
                assert getattr(expected, field.name) == getattr(read, field.name), (
                    startup.slug,
                    field.name,
                )

    def test_the_body_is_the_files(self, pair, snapshot):
        """content_url_encoded_markdown decodes to the markdown body below the front matter."""
        _, api = pair
        for startup in api:
            assert body(snapshot, startup.slug) == startup.body, startup.slug

    def test_the_losses_are_real(self, pair):
        """The losses the comparison allows do occur: comments, line breaks, blocks, keys."""
        front, _ = pair
        phase_comments = [
            (s.slug, e.phase)
            for s in front
            for e in s.history
            if isinstance(e, bs.PhaseEntered) and e.comment is not None
        ]
        broken = [
            s.slug
            for s in front
            for e in s.history
            if not isinstance(e, bs.PhaseEntered | bs.PhaseEnded) and "\n" in (e.comment or "")
        ]

        assert (18, 17) == (len(phase_comments), len({slug for slug, _ in phase_comments}))
        assert broken
        assert 46 == sum("fast" in s.extra for s in front)
        assert 335 == sum("stats" in s.extra for s in front)

    def test_sponsors_and_co_incubation(self, pair):
        """632 products keep their /organisations/ sponsors; the two co-incubated keep theirs."""
        front, api = pair

        assert 632 == sum(bool(s.sponsors) for s in api)
        assert all(s.startswith("/organisations/") for s in api for s in s.sponsors)
        assert {"ecobalyse", "ecopass"} == {s.slug for s in api if s.incubators}
        assert {s.slug: s.incubators for s in front if s.incubators} == {
            s.slug: s.incubators for s in api if s.incubators
        }

    def test_same_groups_by_sponsor(self, pair):
        """Grouping by sponsor gives the same counts from either loader."""
        front, api = pair
        on = dt.date(2026, 8, 20)

        assert front.phase_counts(on, by="sponsor") == api.phase_counts(on, by="sponsor")

    def test_same_phase_on_every_product(self, pair):
        """The current phase is the same through either loader."""
        front, api = pair
        lifecycle = bs.Lifecycle()

        assert {s.slug: lifecycle.phase(s) for s in front} == {
            s.slug: lifecycle.phase(s) for s in api
        }

    def test_incubators(self, pair):
        """Included incubators are the front matter's but the hidden one; printed keys equal."""
        front, api = pair
        files = {i.id: i for i in front.incubators}

        assert {i for i, record in files.items() if record.extra.get("hidden")} == set(files) - {
            i.id for i in api.incubators
        }
        for incubator in api.incubators:
            record = files[incubator.id]
            assert (record.title, record.owner) == (incubator.title, incubator.owner)
            assert (record.website or "") == incubator.website
            assert {k: record.extra.get(k, "") for k in incubator.extra} == dict(incubator.extra)

    def test_findings_name_the_losses(self, pair):
        """The export's losses are findings; no product is blamed for a block it cannot carry."""
        _, api = pair
        codes = [f.code for f in api.findings]

        assert 6 == codes.count("format-lacks")
        assert 0 == codes.count("fast-event-without-block")
