"""
The HTTP service in process: endpoints, errors as data, keys and actors, the OpenAPI document.

The acceptance tests against a real uvicorn process are in test_server_live.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import stat
import typing
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import betastate as bs
from betastate.server import ApiKey, Keys, add_key, create_app, openapi
from betastate.server._app import language

from .http_kit import AppClient, bearer, keys_for


TEAM = [bs.Actor(role=r) for r in ("intrapreneur", "sponsor", "incubator", "portfolio-manager")]
INVESTIGATION = {
    "_type": "Advance",
    "on": "2025-01-06",
    "to": "investigation",
    "co_deciders": ["incubator"],  # T00: the sponsor with the incubator (brief §2.2)
}
NOTE = {"_type": "Record", "event": {"_type": "Note", "on": "2025-02-01"}}
CONSTRUCTION = {
    "_type": "HoldCommittee",
    "on": "2025-03-10",
    "decision": "continue",
    "phase_change": "construction",
    "sponsor_budget_line": "180000",
    "grants": [{"source": "sponsor", "amount": "130000"}],
    "attendees": [bs.to_data(actor) for actor in TEAM],
}


@pytest.fixture(name="keys_file")
def _keys_file(tmp_path: Path) -> Path:
    return tmp_path / "keys.toml"


@pytest.fixture(name="keys")
def _keys(keys_file: Path) -> dict[str, str]:
    """One key per role, and a named sponsor (`named`)."""
    keys = keys_for(keys_file, bs.Role)
    keys["named"] = add_key(
        keys_file, bs.Actor(role="sponsor", name="Direction X", organisation="/organisations/x")
    )
    return keys


@pytest.fixture(name="journal")
def _journal():
    with bs.open_journal("sqlite://") as journal:
        yield journal


@pytest.fixture(name="client")
def _client(journal, keys, keys_file):
    client = AppClient(create_app(journal, keys=keys_file, max_body=64 * 1024))
    yield client
    client.close()


@pytest.fixture(name="sponsor")
def _sponsor(keys):
    return bearer(keys["sponsor"])


def created(client, sponsor, slug="guichet-unique"):
    response = client.post("/startups", json={"slug": slug, "title": "Guichet"}, headers=sponsor)
    assert 201 == response.status_code, response.text
    return slug


def error_body(response, status, code):
    """The body of an error response, after checking its status, code and schema."""
    assert status == response.status_code, response.text
    body = response.json()
    jsonschema.validate(body, bs.json_schema(bs.BetastateError))
    assert code == body["error"]
    assert status == body["status"]
    return body


class TestStartups:
    def test_create(self, client, sponsor):
        """POST /startups creates at version 0, with its Location and ETag."""
        response = client.post("/startups", json={"slug": "gu", "title": "G"}, headers=sponsor)

        assert 201 == response.status_code
        assert {"slug": "gu", "version": 0} == response.json()
        assert "/startups/gu" == response.headers["location"]
        assert '"0"' == response.headers["etag"]

    def test_location_of_an_accented_slug(self, client, sponsor):
        """An accented slug (the site has some) gets a percent-encoded Location header."""
        response = client.post(
            "/startups", json={"slug": "données-é", "title": "G"}, headers=sponsor
        )

        assert 201 == response.status_code
        assert "/startups/donn%C3%A9es-%C3%A9" == response.headers["location"]

    def test_slug_that_is_no_file_name(self, client, sponsor):
        """A slug with a path separator or an unknown script is a 422 at /slug, not a stream."""
        response = client.post(
            "/startups", json={"slug": "é/\U0007de9a", "title": "G"}, headers=sponsor
        )

        assert ["/slug"] == [
            p["path"] for p in error_body(response, 422, "invalid-data")["problems"]
        ]

    def test_create_twice(self, client, sponsor):
        """A slug that exists is a 409 startup-exists; the first stays."""
        created(client, sponsor, "gu")
        response = client.post("/startups", json={"slug": "gu", "title": "Other"}, headers=sponsor)

        error_body(response, 409, "startup-exists")
        assert "Guichet" == client.get("/startups/gu", headers=sponsor).json()["startup"]["title"]

    def test_create_with_history(self, client, sponsor):
        """A history in the body is refused at /history: history comes from commands."""
        event = {"_type": "Note", "on": "2025-01-06"}
        body = {"slug": "gu", "title": "G", "history": [event]}

        problems = error_body(
            client.post("/startups", json=body, headers=sponsor), 422, "invalid-data"
        )

        assert ["/history"] == [p["path"] for p in problems["problems"]]

    def test_create_invalid(self, client, sponsor):
        """Every problem of the body comes back with its JSON Pointer."""
        body = {"slug": "", "title": 3, "colour": "blue"}

        problems = error_body(
            client.post("/startups", json=body, headers=sponsor), 422, "invalid-data"
        )

        assert ["/slug", "/title", "/colour"] == [p["path"] for p in problems["problems"]]
        assert all(p["fix"] for p in problems["problems"])

    def test_read_with_state(self, client, sponsor, journal):
        """GET gives the version (as ETag), the startup and its state, equal to in-process."""
        slug = created(client, sponsor)
        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)
        client.post(f"/startups/{slug}/commands", json=CONSTRUCTION, headers=sponsor)

        response = client.get(f"/startups/{slug}", headers=sponsor)
        body = response.json()

        startup = journal.get(slug)
        assert '"3"' == response.headers["etag"]
        assert 3 == body["version"]
        assert startup == bs.from_data(body["startup"], bs.Startup)
        assert journal.lifecycle.state(startup) == bs.from_data(body["state"], bs.StartupState)

    def test_read_as_of(self, client, sponsor, journal):
        """?on= gives the startup with the events up to that date, and its state then."""
        slug = created(client, sponsor)
        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)
        client.post(f"/startups/{slug}/commands", json=CONSTRUCTION, headers=sponsor)

        body = client.get(f"/startups/{slug}?on=2025-02-01", headers=sponsor).json()

        assert 3 == body["version"]
        assert 1 == len(body["startup"]["history"])
        assert "investigation" == body["state"]["phase"]

    @pytest.mark.parametrize("on", ["2025-13-01", "tomorrow", "20250101", "2025-W01-1"])
    def test_bad_dates(self, client, sponsor, on):
        """A ?on= that is not YYYY-MM-DD is a 400 that says so."""
        slug = created(client, sponsor)

        body = error_body(
            client.get(f"/startups/{slug}?on={on}", headers=sponsor), 400, "bad-request"
        )

        assert "YYYY-MM-DD" in body["fix"]

    @pytest.mark.parametrize("path", ["", "/moves"])
    @pytest.mark.parametrize("on", ["3660-06-19", "1899-12-31", "0001-01-01"])
    def test_dates_out_of_bounds(self, client, sponsor, on, path):
        """A ?on= outside 1900..2999 is a 400 naming the bounds (schemathesis found a 503)."""
        slug = created(client, sponsor)

        body = error_body(
            client.get(f"/startups/{slug}{path}?on={on}", headers=sponsor), 400, "bad-request"
        )

        assert "1900-01-01 to 2999-12-31" in body["fix"]

    def test_unknown(self, client, sponsor):
        """An unknown slug is a 404 unknown-startup naming it, with a fix for HTTP clients."""
        body = error_body(client.get("/startups/nope", headers=sponsor), 404, "unknown-startup")

        assert "nope" == body["slug"]
        assert "POST /startups" in body["fix"]


class TestCommands:
    def test_apply(self, client, sponsor, journal):
        """An accepted command is stored; its events and the new version come back."""
        slug = created(client, sponsor)

        response = client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)

        assert 200 == response.status_code
        assert '"1"' == response.headers["etag"]
        body = response.json()
        assert 1 == body["version"]
        assert list(journal.get(slug).history) == bs.from_data(body["events"], list[bs.Event])

    def test_warnings_come_with_a_200(self, client, sponsor):
        """A committee without its attendees is accepted, with the CC-ATTEND warning."""
        slug = created(client, sponsor)
        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)
        committee = {key: value for key, value in CONSTRUCTION.items() if key != "attendees"}

        response = client.post(f"/startups/{slug}/commands", json=committee, headers=sponsor)

        assert 200 == response.status_code
        assert ["CC-ATTEND"] == [w["rule"] for w in response.json()["warnings"]]

    def test_refusal_lists_every_reason(self, client, sponsor, journal):
        """A refused command is a 409 with every reason the lifecycle gives; nothing is stored."""
        slug = created(client, sponsor)
        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)
        command = {"_type": "Advance", "on": "2024-12-01", "to": "acceleration"}

        body = error_body(
            client.post(f"/startups/{slug}/commands", json=command, headers=sponsor), 409, "refused"
        )

        expected = journal.lifecycle.check(
            journal.get(slug), bs.from_data({**command, "by": "sponsor"}, bs.Command)
        )
        assert bs.to_data(expected.errors) == body["reasons"]
        assert len(body["reasons"]) >= 2  # chronology and the move: all at once
        assert 1 == journal.version(slug)

    def test_a_role_that_may_not(self, client, keys, sponsor, journal):
        """A coach's key deciding construction is a 403 with the rulebook's BS-ROLE reason."""
        slug = created(client, sponsor)
        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)
        committee = {**CONSTRUCTION, "on": "2025-03-10"}

        response = client.post(
            f"/startups/{slug}/commands", json=committee, headers=bearer(keys["coach"])
        )

        body = error_body(response, 403, "forbidden")
        assert "BS-ROLE" in [r["rule"] for r in body["reasons"]]
        assert 1 == journal.version(slug)

    def test_the_actor_is_the_keys(self, client, keys, journal):
        """Without `by`, the command is the key's actor's, name and organisation included."""
        named = bearer(keys["named"])
        slug = created(client, named)

        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=named)

        (record,) = journal.records(slug)
        assert bs.Actor(role="sponsor", name="Direction X", organisation="/organisations/x") == (
            record.actor
        )
        assert record.actor == record.event.by

    @pytest.mark.parametrize(
        "by",
        ["sponsor", {"role": "sponsor"}, {"role": "sponsor", "name": "Direction X"}],
    )
    def test_a_by_that_agrees(self, client, keys, journal, by):
        """A `by` that names the key's role (or actor) is accepted, as the key's full actor."""
        named = bearer(keys["named"])
        slug = created(client, named)

        response = client.post(
            f"/startups/{slug}/commands", json={**INVESTIGATION, "by": by}, headers=named
        )

        assert 200 == response.status_code
        assert "Direction X" == journal.records(slug)[0].actor.name

    @pytest.mark.parametrize(
        "by",
        [
            "investment-committee",
            {"role": "investment-committee"},
            {"role": "sponsor", "name": "Someone else"},
            {"role": "sponsor", "organisation": "/organisations/y"},
        ],
    )
    def test_a_by_that_claims_another_actor(self, client, keys, journal, by):
        """A body claiming another role, person or organisation is a 403; nothing is stored."""
        named = bearer(keys["named"])
        slug = created(client, named)

        response = client.post(
            f"/startups/{slug}/commands", json={**INVESTIGATION, "by": by}, headers=named
        )

        body = error_body(response, 403, "actor-mismatch")
        assert "/by" in body["message"]
        assert 0 == journal.version(slug)

    def test_a_recorded_event_cannot_claim_another_actor(self, client, keys, journal):
        """A Record whose event names another actor is a 403 at /event/by."""
        team = bearer(keys["team-member"])
        slug = created(client, team)
        note = {"_type": "Note", "on": "2025-01-06", "by": {"role": "investment-committee"}}

        response = client.post(
            f"/startups/{slug}/commands", json={"_type": "Record", "event": note}, headers=team
        )

        body = error_body(response, 403, "actor-mismatch")
        assert "/event/by" in body["message"]
        assert 0 == journal.version(slug)

    def test_a_recorded_event_is_the_keys(self, client, keys, journal):
        """A Record's event without `by` (or with the key's) is stored as the key's actor's."""
        team = bearer(keys["team-member"])
        slug = created(client, team)
        for by in (None, "team-member"):
            note = {"_type": "Note", "on": "2025-01-06", "by": by}
            response = client.post(
                f"/startups/{slug}/commands", json={"_type": "Record", "event": note}, headers=team
            )
            assert 200 == response.status_code, response.text

        assert [bs.Role.TEAM_MEMBER] * 2 == [r.event.by.role for r in journal.records(slug)]

    def test_not_an_actor_is_a_422(self, client, sponsor):
        """A `by` that is no actor at all is reported like any invalid field."""
        slug = created(client, sponsor)
        body = {**INVESTIGATION, "by": {"role": "sponsor", "colour": "blue"}}

        problems = error_body(
            client.post(f"/startups/{slug}/commands", json=body, headers=sponsor),
            422,
            "invalid-data",
        )

        assert ["/by/colour"] == [p["path"] for p in problems["problems"]]

    def test_invalid_command(self, client, sponsor):
        """A wrong `_type` lists the valid ones; every problem has a pointer and a fix."""
        slug = created(client, sponsor)

        problems = error_body(
            client.post(f"/startups/{slug}/commands", json={"_type": "Spent"}, headers=sponsor),
            422,
            "invalid-data",
        )

        (problem,) = problems["problems"]
        assert "/_type" == problem["path"]
        assert "HoldCommittee" in problem["fix"]

    @pytest.mark.parametrize(
        "content",
        [b"{not json", b"", b"[1, 2", b"NaN", b'{"amount": Infinity}', b"[" * 50_000, b"\xff"],
    )
    def test_not_json(self, client, sponsor, content):
        """A body that is not (standard) JSON is a 422 at the document itself."""
        slug = created(client, sponsor)

        problems = error_body(
            client.post(f"/startups/{slug}/commands", content=content, headers=sponsor),
            422,
            "invalid-data",
        )

        assert [""] == [p["path"] for p in problems["problems"]]

    def test_too_large(self, client, sponsor, journal):
        """A body over the limit is a 413 and is not read further."""
        slug = created(client, sponsor)
        big = {**INVESTIGATION, "comment": "x" * 70_000}

        error_body(
            client.post(f"/startups/{slug}/commands", json=big, headers=sponsor), 413, "too-large"
        )
        assert 0 == journal.version(slug)

    def test_unknown_startup(self, client, sponsor):
        """A command to an unknown slug is a 404."""
        response = client.post("/startups/nope/commands", json=INVESTIGATION, headers=sponsor)

        error_body(response, 404, "unknown-startup")


class TestVersions:
    @pytest.mark.parametrize("header", ["1", '"1"', "*"])
    def test_if_match_that_holds(self, client, sponsor, header):
        """If-Match with the version read (bare, quoted, or *) lets the command through."""
        slug = created(client, sponsor)
        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)
        response = client.post(
            f"/startups/{slug}/commands", json=NOTE, headers={**sponsor, "If-Match": header}
        )

        assert 200 == response.status_code
        assert 2 == response.json()["version"]

    @pytest.mark.parametrize("header", ['"0"', "7", 'W/"1"'])
    def test_if_match_that_fails(self, client, sponsor, journal, header):
        """A stale (or weak) If-Match is a 412; nothing is stored; the ETag gives the version."""
        slug = created(client, sponsor)
        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)
        response = client.post(
            f"/startups/{slug}/commands", json=NOTE, headers={**sponsor, "If-Match": header}
        )

        error_body(response, 412, "version-conflict")
        assert 1 == journal.version(slug)

    def test_if_match_gives_the_actual_version(self, client, sponsor):
        """The 412 says which version the startup is at, in the body and the ETag."""
        slug = created(client, sponsor)
        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)
        response = client.post(
            f"/startups/{slug}/commands", json=NOTE, headers={**sponsor, "If-Match": "0"}
        )

        assert {"expected": 0, "actual": 1} == {
            k: v for k, v in response.json().items() if k in {"expected", "actual"}
        }
        assert '"1"' == response.headers["etag"]

    @pytest.mark.parametrize("header", ["one", '"1', "1, 2", "-1", str(2**63), f'"{"9" * 40}"'])
    def test_if_match_that_is_not_a_version(self, client, sponsor, header):
        """If-Match that is not a version is a 400."""
        slug = created(client, sponsor)

        response = client.post(
            f"/startups/{slug}/commands",
            json=INVESTIGATION,
            headers={**sponsor, "If-Match": header},
        )

        error_body(response, 400, "bad-request")

    def test_idempotency_key(self, client, sponsor, journal):
        """The same Idempotency-Key gets the first answer; the command is stored once."""
        slug = created(client, sponsor)
        headers = {**sponsor, "Idempotency-Key": "facture-17"}

        first = client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=headers)
        again = client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=headers)

        assert 200 == first.status_code == again.status_code
        assert first.json() == again.json()
        assert 1 == journal.version(slug)
        assert "facture-17" == journal.records(slug)[0].command_id

    def test_idempotency_key_reused(self, client, sponsor, journal):
        """The same Idempotency-Key for another command is a 409; nothing is stored."""
        slug = created(client, sponsor)
        headers = {**sponsor, "Idempotency-Key": "facture-17"}
        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=headers)

        response = client.post(f"/startups/{slug}/commands", json=NOTE, headers=headers)

        error_body(response, 409, "idempotency-key-reused")
        assert 1 == journal.version(slug)

    @pytest.mark.parametrize("header", ["", "   ", "x" * 201])
    def test_bad_idempotency_key(self, client, sponsor, header):
        """A blank or overlong Idempotency-Key is a 400."""
        slug = created(client, sponsor)

        response = client.post(
            f"/startups/{slug}/commands",
            json=INVESTIGATION,
            headers={**sponsor, "Idempotency-Key": header},
        )

        error_body(response, 400, "bad-request")


class TestReads:
    def test_check_is_a_dry_run(self, client, sponsor, journal):
        """POST /check gives the in-process verdict and stores nothing."""
        slug = created(client, sponsor)
        command = {"_type": "Advance", "on": "2025-01-06", "to": "construction"}

        response = client.post(f"/startups/{slug}/check", json=command, headers=sponsor)

        verdict = journal.lifecycle.check(
            journal.get(slug), bs.from_data({**command, "by": "sponsor"}, bs.Command)
        )
        assert 200 == response.status_code
        body = response.json()
        assert body["accepted"] is False
        assert bs.to_data(verdict.errors) == body["errors"]
        assert 0 == journal.version(slug)

    def test_history(self, client, sponsor, journal):
        """The history lists what the journal recorded, from ?after= on."""
        slug = created(client, sponsor)
        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)
        client.post(f"/startups/{slug}/commands", json=CONSTRUCTION, headers=sponsor)

        everything = client.get(f"/startups/{slug}/history", headers=sponsor).json()
        later = client.get(f"/startups/{slug}/history?after=1", headers=sponsor).json()

        assert bs.to_data(list(journal.records(slug))) == everything["records"]
        assert [2, 3] == [r["version"] for r in later["records"]]
        assert 3 == later["version"]
        bad = client.get(f"/startups/{slug}/history?after=-1", headers=sponsor)
        error_body(bad, 400, "bad-request")

    @pytest.mark.parametrize("after", [str(2**63), "9" * 40])
    def test_history_after_more_than_any_version(self, client, sponsor, after):
        """An ?after= beyond what SQL stores is a 400, not an overflow deep in the journal."""
        slug = created(client, sponsor)

        response = client.get(f"/startups/{slug}/history?after={after}", headers=sponsor)

        error_body(response, 400, "bad-request")
        largest = client.get(f"/startups/{slug}/history?after={2**63 - 1}", headers=sponsor)
        assert [] == largest.json()["records"]

    def test_moves(self, client, sponsor, journal):
        """The moves are the lifecycle's, with their deciders."""
        slug = created(client, sponsor)
        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)

        body = client.get(f"/startups/{slug}/moves?on=2025-02-01", headers=sponsor).json()

        expected = journal.lifecycle.moves(journal.get(slug), on=dt.date(2025, 2, 1))
        assert bs.to_data(expected) == body["moves"]
        assert "2025-02-01" == body["on"]

    def test_portfolio_counts(self, client, sponsor):
        """Counts per phase on a date, every phase of the rulebook listed."""
        for slug in ("a", "b"):
            created(client, sponsor, slug)
            client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)

        body = client.get("/portfolio?on=2025-06-01", headers=sponsor).json()
        before = client.get("/portfolio?on=2024-06-01", headers=sponsor).json()

        assert 2 == body["phases"]["investigation"] == body["total"]
        assert set(bs.rulebook().phase_values) == set(body["phases"])
        assert 0 == before["total"]

    def test_rulebook(self, client, sponsor, journal):
        """GET /rulebook is the journal's rulebook as betastate JSON."""
        body = client.get("/rulebook", headers=sponsor).json()

        assert journal.rulebook == bs.from_data(body, bs.Rulebook)

    def test_health_needs_no_key(self, client):
        """/health answers without a key, naming the version and the rulebook."""
        body = client.get("/health").json()

        assert {"status": "ok", "version": bs.__version__, "rulebook": "betagouv"} == body

    def test_routes_and_methods(self, client, sponsor):
        """Unknown paths are 404 not-found, wrong methods 405 with Allow, both as error bodies."""
        error_body(client.get("/nowhere", headers=sponsor), 404, "not-found")
        response = client.request("DELETE", "/startups/x", headers=sponsor)
        error_body(response, 405, "method-not-allowed")
        assert "GET" in response.headers["allow"]


class TestKeys:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("POST", "/startups"),
            ("GET", "/startups/x"),
            ("GET", "/startups/x/history"),
            ("GET", "/startups/x/moves"),
            ("POST", "/startups/x/check"),
            ("POST", "/startups/x/commands"),
            ("GET", "/portfolio"),
            ("GET", "/rulebook"),
        ],
    )
    def test_no_key(self, client, method, path):
        """Every operation but /health and /openapi.json needs a key: 401 with a challenge."""
        response = client.request(method, path, json=INVESTIGATION)

        error_body(response, 401, "unauthorized")
        assert response.headers["www-authenticate"].startswith("Bearer")

    @pytest.mark.parametrize(
        "header",
        ["Bearer", "Basic dXNlcjpwYXNz", "Bearer bsk_00000000_" + "a" * 43, "Bearer nonsense", "x"],
    )
    def test_not_a_key(self, client, header):
        """A header that is no key of this service is a 401."""
        response = client.get("/rulebook", headers={"Authorization": header})

        error_body(response, 401, "unauthorized")

    def test_right_id_wrong_secret(self, client, keys):
        """A key whose id exists but whose secret differs is a 401."""
        key = keys["sponsor"]
        forged = key[:-1] + ("A" if key[-1] != "A" else "B")

        error_body(client.get("/rulebook", headers=bearer(forged)), 401, "unauthorized")

    def test_the_file_keeps_hashes_only(self, keys, keys_file):
        """The keys file holds no key, only digests, and only its owner may read it."""
        text = keys_file.read_text(encoding="utf-8")

        assert not any(key in text for key in keys.values())
        assert all(bs_digest(key) in text for key in keys.values())
        assert 0o600 == stat.S_IMODE(keys_file.stat().st_mode)

    def test_load(self, keys, keys_file):
        """Each key authenticates as its actor; an unknown one does not."""
        loaded = Keys.load(keys_file)

        assert len(keys) == len(loaded)
        entry = loaded.authenticate(keys["coach"])
        assert isinstance(entry, ApiKey)
        assert bs.Actor(role="coach") == entry.actor
        assert loaded.authenticate("bsk_0123abcd_" + "x" * 43) is None
        assert "sha256" not in repr(entry)

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ("[[key]\n", "not TOML"),
            ('[[key]]\nid = "0123abcd"\nrole = "coach"\n', "sha256"),
            ('[[key]]\nid = "xyz"\nsha256 = "' + "a" * 64 + '"\nrole = "coach"\n', "8 hex"),
            ('[[key]]\nid = "0123abcd"\nsha256 = "ab"\nrole = "coach"\n', "64 hex"),
            ('[[key]]\nid = "0123abcd"\nsha256 = "' + "a" * 64 + '"\nrole = "Le Boss"\n', "role"),
            ('[[key]]\nid = "0123abcd"\nsha256 = "' + "a" * 64 + '"\nrole = "coach"\nx = 1\n', "x"),
            (
                '[[key]]\nid = "0123abcd"\nsha256 = "' + "a" * 64 + '"\nrole = "coach"\nname = 1\n',
                "name",
            ),
            ("[other]\n", "other"),
            ("key = 1\n", "array of tables"),
            ("key = [1]\n", "not a table"),
            (
                ('[[key]]\nid = "0123abcd"\nsha256 = "' + "a" * 64 + '"\nrole = "coach"\n') * 2,
                "twice",
            ),
        ],
    )
    def test_bad_files(self, tmp_path, text, problem):
        """A keys file that is wrong is a DataFileError naming the file and what is wrong."""
        path = tmp_path / "keys.toml"
        path.write_text(text, encoding="utf-8")

        with pytest.raises(bs.DataFileError, match=problem) as caught:
            Keys.load(path)

        assert str(path) == caught.value.file

    def test_missing_file(self, tmp_path):
        """A missing keys file is a DataFileError saying how to create one."""
        with pytest.raises(bs.DataFileError, match="add-key"):
            Keys.load(tmp_path / "none.toml")

    def test_add_key_takes_a_role(self, tmp_path):
        """add_key takes an actor or a role; anything else is an InvalidArgument."""
        path = tmp_path / "keys.toml"
        key = add_key(path, "dinum")

        assert bs.Role.DINUM == Keys.load(path).authenticate(key).actor.role
        with pytest.raises(bs.InvalidArgument):
            add_key(path, "Le Boss")

    def test_roles_the_rulebook_lacks(self, tmp_path, journal):
        """A key acting as a role the rulebook does not declare stops the app from starting."""
        path = tmp_path / "keys.toml"
        add_key(path, "sponsor")
        add_key(path, "service-owner")  # a GOV.UK role, not a beta.gouv.fr one

        with pytest.raises(bs.InvalidArgument, match="service-owner"):
            create_app(journal, keys=path)

    def test_create_app_takes_a_journal(self, keys_file, keys):
        """create_app refuses what is not a journal."""
        with pytest.raises(TypeError, match="journal"):
            create_app("sqlite://", keys=keys_file)


def bs_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class TestLogs:
    def test_no_key_in_the_logs(self, client, keys, caplog):
        """Good, wrong and malformed keys: the service's log names none of them."""
        caplog.set_level(logging.DEBUG)
        slug = created(client, bearer(keys["sponsor"]))
        wrong = keys["sponsor"][:-2] + "zz"
        for key in (keys["sponsor"], keys["coach"], wrong, "bsk_garbage", keys["named"]):
            client.get(f"/startups/{slug}", headers=bearer(key))
            client.post(f"/startups/{slug}/commands", json=CONSTRUCTION, headers=bearer(key))

        text = caplog.text
        assert "refused GET" in text  # the refusals are logged...
        assert not any(secret in text for secret in [*keys.values(), wrong, "bsk_garbage"])
        assert not any(key[len("bsk_01234567_") :][:12] in text for key in keys.values())


class TestOpenAPI:
    def test_document(self, client):
        """/openapi.json (no key needed) is the document openapi() makes, OpenAPI 3.1."""
        document = client.get("/openapi.json").json()

        assert openapi() == document
        assert "3.1.0" == document["openapi"]
        assert {
            "/health",
            "/openapi.json",
            "/startups",
            "/startups/{slug}",
            "/startups/{slug}/history",
            "/startups/{slug}/moves",
            "/startups/{slug}/check",
            "/startups/{slug}/commands",
            "/portfolio",
            "/rulebook",
        } == set(document["paths"])

    def test_schemas_are_betastates(self):
        """Component schemas are json_schema's definitions, references rewritten."""
        components = openapi()["components"]["schemas"]
        spend = bs.json_schema(bs.Spend)
        for key in ("$schema", "$id", "title", "$defs"):
            spend.pop(key)

        rewritten = json.loads(json.dumps(spend).replace("#/$defs/", "#/components/schemas/"))
        assert rewritten == components["Spend"]
        for name, schema in components.items():
            jsonschema.Draft202012Validator.check_schema(schema), name

    def test_every_reference_resolves(self):
        """Every $ref of the document names a component."""
        document = openapi()
        text = json.dumps(document)

        refs = {part.split('"', 1)[0] for part in text.split('"#/components/')[1:]}
        assert refs
        for ref in refs:
            section, name = ref.split("/", 1)
            assert name in document["components"][section], ref

    def test_command_requests_have_by_optional(self):
        """The command request forms leave `by` out of required: the key's actor decides."""
        components = openapi()["components"]["schemas"]

        for cls in (bs.Spend, bs.Advance, bs.Record):
            assert "by" in components[cls.__name__]["required"]
            assert "by" not in components[f"{cls.__name__}Request"]["required"]

    def test_every_command_and_event_is_there(self):
        """Each command (Retract too) is a request form, each event (Retracted too) a schema."""
        components = openapi()["components"]["schemas"]
        commands = [cls.__name__ for cls in typing.get_args(bs.Command)]
        events = [cls.__name__ for cls in typing.get_args(bs.Event)]

        assert {"Retract", "Retracted"} <= {*commands, *events}
        mapping = components["CommandRequest"]["discriminator"]["mapping"]
        assert commands == list(mapping)
        event_refs = [ref["$ref"].rsplit("/", 1)[-1] for ref in components["Event"]["oneOf"]]
        assert events == event_refs
        assert "reason" in components["RetractRequest"]["required"]

    def test_errors_are_documented(self):
        """Every operation documents its error bodies with the Error schema."""
        for path, item in openapi()["paths"].items():
            for operation in item.values():
                for status, response in operation["responses"].items():
                    if status.startswith(("4", "5")):
                        schema = response["content"]["application/json"]["schema"]
                        assert {"$ref": "#/components/schemas/Error"} == schema, (path, status)


class TestMoney:
    def test_amounts_over_http(self, client, sponsor, keys, journal):
        """Amounts go in as strings or whole numbers and come back as exact strings."""
        slug = created(client, sponsor)
        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)
        client.post(f"/startups/{slug}/commands", json=CONSTRUCTION, headers=sponsor)
        spend = {"_type": "Spend", "on": "2025-03-12", "label": "hosting"}
        intrapreneur = bearer(keys["intrapreneur"])  # who spends (rulebook [permissions])

        for amount in ("1234.56", 1000, 1000.0):
            response = client.post(
                f"/startups/{slug}/commands", json={**spend, "amount": amount}, headers=intrapreneur
            )
            assert 200 == response.status_code, response.text

        spent = [r.event.amount for r in journal.records(slug) if isinstance(r.event, bs.Spent)]
        assert [Decimal("1234.56"), Decimal(1000), Decimal(1000)] == spent


REFUSED = {"_type": "Advance", "on": "2024-12-01", "to": "acceleration"}
"""Refused after the investigation: out of order (BS-CHRONO) and no such move."""


class TestLanguages:
    def refused(self, client, sponsor, **headers):
        slug = created(client, sponsor)
        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)
        return client.post(
            f"/startups/{slug}/commands", json=REFUSED, headers={**sponsor, **headers}
        )

    @pytest.mark.parametrize(
        ("header", "lang"),
        [
            ("fr", "fr"),
            ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
            ("en-GB, fr;q=0.5", "en"),
            ("de, fr;q=0.3", "fr"),
            ("en;q=0.2, fr-CA;q=0.7", "fr"),
            ("fr;q=0, en", "en"),
            ("*", "en"),
            ("de", "en"),
            ("fr;q=abc, en;q=0.1", "en"),
            ("fr;q=nan", "en"),
            (";;,,=", "en"),
            ("", "en"),
        ],
    )
    def test_accept_language(self, header, lang):
        """The heaviest of fr and en an Accept-Language names wins; anything else is en."""
        assert lang == language(header)

    @given(st.text(max_size=40))
    def test_any_header_gives_a_language(self, header):
        """Whatever a client sends as Accept-Language, the answer is fr or en, never an error."""
        assert language(header) in {"en", "fr"}

    def test_no_header_is_english(self):
        """No Accept-Language: the reasons are in English."""
        assert "en" == language(None)

    def test_refusal_in_french(self, client, sponsor, journal):
        """A refusal asked in French: each reason the lifecycle gives, in French, and its body."""
        response = self.refused(client, sponsor, **{"Accept-Language": "fr-FR,fr;q=0.9"})

        body = error_body(response, 409, "refused")
        expected = journal.lifecycle.check(
            journal.get("guichet-unique"),
            bs.from_data({**REFUSED, "by": "sponsor"}, bs.Command),
        )
        assert bs.to_data([r.translated("fr") for r in expected.errors]) == body["reasons"]
        assert {"fr"} == {reason["lang"] for reason in body["reasons"]}
        assert body["message"].startswith("Advance refusé pour « guichet-unique »")
        assert "fr" == response.headers["content-language"]
        assert "Accept-Language" == response.headers["vary"]

    def test_the_same_reasons_in_both_languages(self, client, sponsor):
        """French and English bodies differ in words only: rules, fields and values agree."""
        english = self.refused(client, sponsor).json()
        french = client.post(
            "/startups/guichet-unique/commands",
            json=REFUSED,
            headers={**sponsor, "Accept-Language": "fr"},
        ).json()

        def parts(body):
            return [(r["rule"], r["field"], r["values"]) for r in body["reasons"]]

        assert parts(english) == parts(french)
        assert [r["message"] for r in english["reasons"]] != [
            r["message"] for r in french["reasons"]
        ]
        assert {"en"} == {reason["lang"] for reason in english["reasons"]}

    def test_reasons_carry_their_field_and_values(self, client, sponsor):
        """Each reason of an error body names its field (a JSON Pointer) and its values."""
        body = self.refused(client, sponsor).json()

        chrono = next(r for r in body["reasons"] if r["rule"] == "BS-CHRONO")
        assert "/on" == chrono["field"]
        assert {"on": "2024-12-01", "last": "2025-01-06"}.items() <= chrono["values"].items()

    def test_check_warnings_and_moves_in_french(self, client, sponsor):
        """A dry run, an accepted command's warnings and the moves' warnings follow it too."""
        slug = created(client, sponsor)
        client.post(f"/startups/{slug}/commands", json=INVESTIGATION, headers=sponsor)
        french = {**sponsor, "Accept-Language": "fr"}
        committee = {key: value for key, value in CONSTRUCTION.items() if key != "attendees"}

        checked = client.post(f"/startups/{slug}/check", json=committee, headers=french)
        applied = client.post(f"/startups/{slug}/commands", json=committee, headers=french)
        moves = client.get(f"/startups/{slug}/moves", headers=french)

        assert ["CC-ATTEND"] == [w["rule"] for w in applied.json()["warnings"]]
        for response in (checked, applied, moves):
            assert 200 == response.status_code, response.text
            assert "fr" == response.headers["content-language"]
        reasons = [
            *checked.json()["warnings"],
            *applied.json()["warnings"],
            *(w for move in moves.json()["moves"] for w in move["warnings"]),
        ]
        assert reasons
        assert {"fr"} == {reason["lang"] for reason in reasons if reason["text"] is not None}
