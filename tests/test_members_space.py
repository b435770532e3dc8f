"""The members' space API (GET /api/protected/startups), on an invented answer in that shape."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import betastate as bs
from betastate._io.members_space import LACKS


FIXTURE = Path(__file__).parent / "data" / "members_space" / "startups.json"
D = dt.date


@pytest.fixture(name="portfolio", scope="module")
def _portfolio() -> bs.Portfolio:
    return bs.load_members_space(FIXTURE)


def answer() -> list[dict[str, Any]]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "startups.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


class TestLoad:
    """Items become startups with the front matter's names."""

    def test_startups(self, portfolio):
        """ghid, name, pitch and incubator ids become slug, title, mission and incubators."""
        velo = portfolio["velo-partage"]

        assert ("carnet-de-bord", "guichet-du-jour", "velo-partage") == portfolio.slugs
        assert ("Vélo partagé", "Des vélos fictifs pour des agents imaginaires") == (
            velo.title,
            velo.mission,
        )
        assert ("7d1e2f3a-0000-4000-8000-00000000000a", ()) == (velo.incubator, velo.incubators)
        assert 2 == len(portfolio["carnet-de-bord"].incubators)
        assert ("velo@example.org", "https://velo.example", None) == (
            velo.contact,
            velo.link,
            velo.repository,
        )

    def test_other_keys_are_kept(self, portfolio):
        """uuid, techno, thematiques and the rest go to extra; current_phase is checked instead."""
        extra = portfolio["velo-partage"].extra

        assert "0b7f9a52-1c3e-4d5f-8a9b-000000000001" == extra["uuid"]
        assert (["python"], ["Mobilité"]) == (extra["techno"], extra["thematiques"])
        assert "current_phase" not in extra

    def test_phases_are_days_in_paris(self, portfolio):
        """Timestamps at midnight UTC or midnight in Paris are their own day; ends are kept."""
        assert (
            bs.PhaseEntered(on=D(2022, 1, 10), phase="investigation"),
            bs.PhaseEnded(on=D(2022, 6, 2), phase="investigation"),
            bs.PhaseEntered(on=D(2022, 6, 2), phase="construction"),
        ) == portfolio["velo-partage"].history
        assert D(2020, 3, 1) == portfolio["carnet-de-bord"].history[-1].on

    def test_current_phase(self, portfolio):
        """The rulebook's phase agrees with current_phase, or a warning says it does not."""
        lifecycle = bs.Lifecycle()
        differs = [f for f in portfolio.findings if f.code == "current-phase-differs"]

        assert "abandon-investigation" == lifecycle.phase(portfolio["carnet-de-bord"])
        assert ["guichet-du-jour"] == [f.slug for f in differs]
        assert "'construction', but the phases give 'investigation'" in differs[0].message
        assert "'rank'" not in differs[0].message
        rank = bs.load_members_space(FIXTURE, rulebook=bs.rulebook().derive(tie="rank"))
        assert "current-phase-differs" not in {f.code for f in rank.findings}


class TestWhatTheShapeLacks:
    """No events, no sponsors: said once per file, never blamed on a product."""

    def test_lacks_are_findings(self, portfolio):
        """One format-lacks finding per missing item, and one for the incubator ids."""
        lacks = [f.message for f in portfolio.findings if f.code == "format-lacks"]

        assert len(LACKS) + 1 == len(lacks)
        assert any("events" in m for m in lacks)
        assert any("sponsors" in m for m in lacks)
        assert any("incubator names" in m for m in lacks)

    def test_no_product_is_blamed(self, portfolio):
        """No no-sponsor or abandon-without-end finding: the shape cannot carry those."""
        codes = {f.code for f in portfolio.findings}

        assert not codes & {"no-sponsor", "abandon-without-end", "missing-key"}

    def test_incubator_references(self, tmp_path):
        """The {uuid, ghid} form names incubators by ghid: no finding about ids then."""
        document = answer()
        for item in document:
            del item["incubator_id"], item["incubator_ids"]
            item["incubators"] = [
                {"uuid": "7d1e", "ghid": "incubateur-fictif"},
                {"uuid": "7d1f", "ghid": "incubateur-dormant"},
            ]

        portfolio = bs.load_members_space(write(tmp_path, document))

        assert ("incubateur-fictif", ("incubateur-fictif", "incubateur-dormant")) == (
            portfolio["velo-partage"].incubator,
            portfolio["velo-partage"].incubators,
        )
        assert not any("incubator names" in f.message for f in portfolio.findings)

    def test_ids_without_a_main_one_and_plain_dates(self, tmp_path):
        """Without incubator_id the first of incubator_ids is the incubator; plain dates work."""
        document = answer()
        del document[1]["incubator_id"]
        document[1]["phases"][0]["start"] = "2019-01-07"

        carnet = bs.load_members_space(write(tmp_path, document))["carnet-de-bord"]

        assert ("7d1e2f3a-0000-4000-8000-00000000000a", D(2019, 1, 7)) == (
            carnet.incubator,
            carnet.history[0].on,
        )

    def test_timestamp_off_midnight(self, tmp_path):
        """A phase start in the middle of a day is read as that day, with a finding."""
        document = answer()
        document[0]["phases"][1]["start"] = "2022-06-02T10:15:00+02:00"

        portfolio = bs.load_members_space(write(tmp_path, document))

        found = [f for f in portfolio.findings if f.code == "timestamp-value"]
        assert [("velo-partage", (D(2022, 6, 2),))] == [(f.slug, f.dates) for f in found]
        assert "[0].phases[1].start" in found[0].message


EARLY = "0001-01-01T00:00:00+05:00"
"""A timestamp whose day in UTC (or Paris) falls before year 1."""
LATE = "9999-12-31T23:00:00-05:00"
"""A timestamp whose day in UTC (or Paris) falls after year 9999."""


class TestBadInput:
    """Bad answers raise DataFileError with the file and the place."""

    @pytest.mark.parametrize(
        ("change", "place"),
        [
            (lambda d: {"data": d}, "expected a JSON array"),
            (lambda d: [*d, "velo"], r"\[3\]: expected an object"),
            (lambda d: [{**d[0], "ghid": ""}], r"\[0\]: missing 'ghid'"),
            (lambda d: [{**d[0], "phases": "construction"}], r"\[0\]\.phases: expected a list"),
            (
                lambda d: [{**d[0], "phases": [{"name": "investigation", "start": "hier"}]}],
                r"\[0\]\.phases\[0\]\.start: expected an ISO date",
            ),
            (
                lambda d: [{**d[0], "phases": [{"name": "investigation", "start": 20220110}]}],
                r"\[0\]\.phases\[0\]\.start",
            ),
            (lambda d: [{**d[0], "incubator_ids": "abc"}], r"\[0\]\.incubator_ids"),
            (lambda d: [{**d[0], "incubator_id": 7}], r"\[0\]\.incubator_id: expected text"),
            (lambda d: [{**d[0], "phases": ["investigation"]}], r"\[0\]\.phases\[0\]: expected"),
            ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
            (lambda d: [{**d[0], "incubators": [{"uuid": "x"}]}], r"\[0\]\.incubators"),
            (lambda d: [{**d[0], "name": 42}], r"\[0\] \(velo-partage\): 'title' must be text"),
            (lambda d: [d[0], d[0]], "duplicated: velo-partage"),
            ('[{"ghid": "x", "phases": [], "n": ' + "1" * 5000 + "}]", "not JSON"),
            (
                lambda d: [{**d[0], "phases": [{"name": "investigation", "start": EARLY}]}],
                r"\[0\]\.phases\[0\]\.start: expected an ISO date",
            ),
            (
                lambda d: [{**d[0], "phases": [{"name": "investigation", "start": LATE}]}],
                r"\[0\]\.phases\[0\]\.start: expected an ISO date",
            ),
            (
                lambda d: [{**d[0], "phases": [{"name": "investigation", "start": "0001-01-01"}]}],
                r"\[0\] \(velo-partage\): PhaseEntered\.on: a date must lie between",
            ),
        ],
        ids=[
            "not-an-array",
            "not-an-object",
            "no-ghid",
            "phases-not-a-list",
            "bad-date",
            "number-date",
            "ids-not-a-list",
            "id-not-text",
            "phase-not-an-object",
            "deep",
            "bad-reference",
            "name-not-text",
            "same-ghid-twice",
            "integer-too-long",
            "timestamp-before-year-1-in-utc",
            "timestamp-after-year-9999-in-utc",
            "year-1",
        ],
    )
    def test_refused(self, tmp_path, change, place):
        """Each bad answer names the file and where it is wrong."""
        if isinstance(change, str):
            path = tmp_path / "startups.json"
            path.write_text(change, encoding="utf-8")
        else:
            path = write(tmp_path, change(answer()))

        with pytest.raises(bs.DataFileError, match=place) as caught:
            bs.load_members_space(path)

        assert str(path) == caught.value.file

    def test_not_json(self, tmp_path):
        """Invalid JSON names its line."""
        path = tmp_path / "startups.json"
        path.write_text('[\n  {"ghid": }\n]', encoding="utf-8")

        with pytest.raises(bs.DataFileError) as caught:
            bs.load_members_space(path)

        assert 2 == caught.value.line

    def test_missing_file(self, tmp_path):
        """A missing file is a DataFileError too."""
        with pytest.raises(bs.DataFileError, match="cannot read"):
            bs.load_members_space(tmp_path / "absent.json")
