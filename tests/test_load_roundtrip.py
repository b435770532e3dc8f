"""betastate JSON: the whole loaded portfolio to JSON and back, checked against the JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

import betastate

from .utils import invented_checkout


FIXTURES = invented_checkout()


@pytest.fixture(name="schema", scope="module")
def _schema() -> dict[str, object]:
    schema = betastate.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


class TestRoundTrip:
    """portfolio_from_json(portfolio_to_json(p)) == p."""

    def test_snapshot(self, snapshot: Path, schema: dict[str, object]) -> None:
        """The whole snapshot (products, context, members, findings) survives the round trip."""
        portfolio = betastate.load_portfolio(snapshot, as_of=dt.date(2026, 8, 20))
        text = betastate.portfolio_to_json(portfolio)
        back = betastate.portfolio_from_json(text)

        assert portfolio == back
        assert 662 == len(back)
        assert portfolio.findings == back.findings
        assert portfolio["les-emplois"].extra == back["les-emplois"].extra
        jsonschema.validate(json.loads(text), schema)

    def test_fixtures(self, schema: dict[str, object]) -> None:
        """The invented fixtures, with a timestamp in extra, round-trip and validate."""
        portfolio = betastate.load_portfolio(FIXTURES)
        text = betastate.portfolio_to_json(portfolio, indent=2)

        assert portfolio == betastate.portfolio_from_json(text)
        jsonschema.validate(json.loads(text), schema)
        stamp = portfolio["cantine-verte"].extra["rgpd"]["validite_homologation"]
        assert isinstance(stamp, dt.datetime)
        assert stamp.utcoffset() == dt.timedelta(hours=2)


class TestSchema:
    """The JSON Schema describes betastate JSON and rejects what the converter rejects."""

    def test_sample(self, schema: dict[str, object]) -> None:
        """The bundled sample portfolio (committees, budgets, stops) validates."""
        jsonschema.validate(
            json.loads(betastate.portfolio_to_json(betastate.sample_portfolio())), schema
        )

    def test_version_and_unknown_keys(self, schema: dict[str, object]) -> None:
        """Another version, or an unknown key in a startup, is invalid."""
        data = json.loads(betastate.portfolio_to_json(betastate.load_portfolio(FIXTURES)))
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**data, "betastate": 99}, schema)
        data["startups"][0]["colour"] = "green"
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, schema)
        with pytest.raises(betastate.DataFileError):
            betastate.portfolio_from_json(json.dumps(data))

    def test_event_tags(self, schema: dict[str, object]) -> None:
        """Every event class has a definition tagged by its class name."""
        defs = schema["$defs"]
        assert isinstance(defs, dict)

        for name in ("PhaseEntered", "CommitteeHeld", "Stopped", "Note", "Spent"):
            assert {"const": name} == defs[name]["properties"]["_type"]
