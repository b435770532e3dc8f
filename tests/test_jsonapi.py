"""The website's JSON:API export (api/v2.x/startups.json), on an invented fixture in that format."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import betastate
from betastate import (
    CommitteeHeld,
    DataFileError,
    FastLaureate,
    PhaseEntered,
    ProductLaunched,
    Stopped,
)
from betastate._io.jsonapi import LACKS


FIXTURE = Path(__file__).parent / "data" / "jsonapi" / "startups.json"


@pytest.fixture(name="portfolio", scope="module")
def _portfolio() -> betastate.Portfolio:
    return betastate.load_jsonapi(FIXTURE)


class TestLoad:
    """Attributes, relationships and included incubators become betastate values."""

    def test_startups(self, portfolio: betastate.Portfolio) -> None:
        """Both items load, sorted by slug, with title, mission, incubator and sponsors."""
        velo = portfolio["velo-partage"]

        assert ("carnet-de-bord", "velo-partage") == portfolio.slugs
        assert ("Vélo partagé", "Des vélos fictifs pour des agents imaginaires") == (
            velo.title,
            velo.mission,
        )
        assert "incubateur-fictif" == velo.incubator
        assert ("/organisations/ministere-imaginaire",) == velo.sponsors
        assert "partiellement conforme" == velo.extra["accessibility_status"]

    def test_body(self, portfolio: betastate.Portfolio) -> None:
        """The URL-encoded markdown becomes the body, not an extra key."""
        velo = portfolio["velo-partage"]

        assert "Un produit inventé" == velo.body
        assert "content_url_encoded_markdown" not in velo.extra

    def test_body_plus_signs(self, tmp_path: Path) -> None:
        """The template's url_encode writes spaces as '+' and a literal '+' as %2B."""
        path = tmp_path / "startups.json"
        item = {
            "id": "x",
            "attributes": {
                "name": "X",
                "phases": [],
                "content_url_encoded_markdown": "%0A%0A1+%2B+1",
            },
        }
        path.write_text(json.dumps({"data": [item]}), encoding="utf-8")

        assert "1 + 1" == betastate.load_jsonapi(path)["x"].body

    def test_history(self, portfolio: betastate.Portfolio) -> None:
        """Phases then events by date; empty 'end' and 'comment' strings mean absent."""
        assert (
            PhaseEntered(on=dt.date(2022, 1, 10), phase="investigation"),
            CommitteeHeld(on=dt.date(2022, 6, 1), comment="Go"),
            PhaseEntered(on=dt.date(2022, 6, 2), phase="construction"),
            ProductLaunched(on=dt.date(2022, 9, 1)),
            FastLaureate(on=dt.date(2023, 3, 1), comment="Lauréat FAST 14"),
        ) == portfolio["velo-partage"].history

    def test_legacy_and_findings(self, portfolio: betastate.Portfolio) -> None:
        """A legacy alumni after investigation is abandon-investigation, with a finding."""
        carnet = portfolio["carnet-de-bord"]
        codes = {(f.slug, f.code) for f in portfolio.findings}

        assert PhaseEntered(on=dt.date(2020, 3, 1), phase="abandon-investigation") in carnet.history
        assert Stopped(on=dt.date(2020, 3, 1), comment="Arrêt") in carnet.history
        assert ("carnet-de-bord", "legacy-phase-name") in codes
        assert ("carnet-de-bord", "no-sponsor") in codes

    def test_included_incubator(self, portfolio: betastate.Portfolio) -> None:
        """The included incubator is loaded with its owner."""
        (incubator,) = portfolio.incubators

        assert ("incubateur-fictif", "/organisations/ministere-imaginaire") == (
            incubator.id,
            incubator.owner,
        )


class TestMappedBack:
    """The export's names and forms become the front matter's."""

    def test_sponsors_get_their_prefix(self, portfolio: betastate.Portfolio) -> None:
        """The template removes '/organisations/'; the loader puts it back."""
        assert ("/organisations/ministere-imaginaire",) == portfolio["velo-partage"].sponsors

    def test_co_incubation_from_relationships(self, portfolio: betastate.Portfolio) -> None:
        """relationships.incubators is the co-incubation list; the incubator alone is none."""
        assert ("incubateur-fictif", "incubateur-dormant") == portfolio["velo-partage"].incubators
        assert () == portfolio["carnet-de-bord"].incubators

    def test_field_names_and_values(self, portfolio: betastate.Portfolio) -> None:
        """technos is techno, 'true' is true, empty URLs are absent, the body is the body."""
        extra = portfolio["velo-partage"].extra

        assert (["python"], True) == (extra["techno"], extra["analyse_risques"])
        assert "technos" not in extra
        assert "impact_url" not in extra
        assert "stats_url" not in portfolio["carnet-de-bord"].extra
        assert "Un produit inventé" == portfolio["velo-partage"].body
        assert "content_url_encoded_markdown" not in extra
        assert "" == portfolio["carnet-de-bord"].body

    def test_no_blame_for_what_the_format_cannot_carry(
        self, portfolio: betastate.Portfolio
    ) -> None:
        """A fast event without a fast block is the format's doing, not the product's."""
        assert "fast-event-without-block" not in {f.code for f in portfolio.findings}

    def test_losses_are_findings(self, portfolio: betastate.Portfolio) -> None:
        """What the export lacks is said once per file, as format-lacks findings."""
        lacks = [f for f in portfolio.findings if f.code == "format-lacks"]

        assert len(LACKS) == len(lacks)
        assert {None} == {f.slug for f in lacks}
        assert {str(FIXTURE)} == {f.file for f in lacks}
        assert any("phase comments" in f.message for f in lacks)
        assert any("line breaks inside event comments" in f.message for f in lacks)


class TestBadInput:
    """Malformed exports raise DataFileError naming the item and key."""

    def write(self, tmp_path: Path, document: object) -> Path:
        path = tmp_path / "startups.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        return path

    def test_not_json(self, tmp_path: Path) -> None:
        """Invalid JSON names its line."""
        path = tmp_path / "startups.json"
        path.write_text('{"data": [\n  {,}\n]}', encoding="utf-8")

        with pytest.raises(DataFileError) as caught:
            betastate.load_jsonapi(path)

        assert 2 == caught.value.line

    def test_not_jsonapi(self, tmp_path: Path) -> None:
        """A document without a data list is refused."""
        with pytest.raises(DataFileError, match="no top-level 'data'"):
            betastate.load_jsonapi(self.write(tmp_path, {"startups": []}))

    def test_bad_date(self, tmp_path: Path) -> None:
        """An unparseable phase start names the item and key."""
        document = json.loads(FIXTURE.read_text(encoding="utf-8"))
        document["data"][1]["attributes"]["phases"][0]["start"] = "le 7 janvier"

        with pytest.raises(DataFileError, match=r"data\[1\]\.attributes\.phases\[0\]\.start"):
            betastate.load_jsonapi(self.write(tmp_path, document))

    def test_wrong_type(self, tmp_path: Path) -> None:
        """A title that is not text names the item."""
        document = json.loads(FIXTURE.read_text(encoding="utf-8"))
        document["data"][0]["attributes"]["name"] = 42

        with pytest.raises(DataFileError, match=r"data\[0\] \(velo-partage\)"):
            betastate.load_jsonapi(self.write(tmp_path, document))

    def test_sponsors_not_a_list(self, tmp_path: Path) -> None:
        """Sponsors given as one string name the item and key."""
        document = json.loads(FIXTURE.read_text(encoding="utf-8"))
        document["data"][0]["attributes"]["sponsors"] = "ministere-imaginaire"

        with pytest.raises(DataFileError, match=r"data\[0\]\.attributes\.sponsors"):
            betastate.load_jsonapi(self.write(tmp_path, document))

    def test_bad_co_incubation(self, tmp_path: Path) -> None:
        """A co-incubation entry without an id names the item and relationship."""
        document = json.loads(FIXTURE.read_text(encoding="utf-8"))
        document["data"][0]["relationships"]["incubators"]["data"] = [{"type": "incubator"}]

        with pytest.raises(DataFileError, match=r"data\[0\]\.relationships\.incubators"):
            betastate.load_jsonapi(self.write(tmp_path, document))


class TestEscapes:
    """Documents that crashed the reader."""

    @pytest.mark.parametrize("included", [5, "x", {"a": 1}])
    def test_included_not_a_list(self, tmp_path: Path, included: object) -> None:
        """A non-list 'included' is a DataFileError, not a TypeError."""
        path = tmp_path / "startups.json"
        path.write_text(json.dumps({"data": [], "included": included}), encoding="utf-8")

        with pytest.raises(DataFileError, match="included"):
            betastate.load_jsonapi(path)

    def test_integer_too_long(self, tmp_path: Path) -> None:
        """An integer too long for Python is refused as not JSON."""
        path = tmp_path / "startups.json"
        path.write_text('{"data": [], "x": ' + "1" * 5000 + "}", encoding="utf-8")

        with pytest.raises(DataFileError, match="not JSON"):
            betastate.load_jsonapi(path)
