"""
The HTTP service as it runs: a real `betastate serve` (uvicorn) on 127.0.0.1.

Schemathesis against the OpenAPI document, the auth matrix against the in-process
lifecycle, a load of 8 clients on 2 workers, and the logs. Every wait is bounded.
"""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as dt
import signal
import time
import typing
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import betastate as bs

from .http_kit import bearer, keys_for, live_server


TEAM = tuple(
    bs.Actor(role=r) for r in ("intrapreneur", "sponsor", "incubator", "portfolio-manager")
)
POST_MORTEM = bs.PostMortem(
    learnings="Les usagers préféraient le guichet physique.",
    why_we_stop="Pas d'usage après deux ans.",
    relaunch_advice="Partir des agents d'accueil.",
    reasons=[bs.StopReason.INSUFFICIENT_IMPACT],
    authors=[bs.Actor(role="intrapreneur"), bs.Actor(role="coach")],
)


def in_construction(slug: str) -> bs.Startup:
    """A startup in construction with an envelope (decided in process, as the server would)."""
    lifecycle = bs.Lifecycle()
    startup = bs.Startup(slug=slug, title="Guichet")
    for command in (
        bs.Advance(
            on=dt.date(2025, 1, 6), to="investigation", by="sponsor", co_deciders=["incubator"]
        ),
        bs.HoldCommittee(
            on=dt.date(2025, 3, 10),
            by="sponsor",
            decision="continue",
            attendees=TEAM,
            phase_change="construction",
            sponsor_budget_line=Decimal(180000),
            grants=[bs.Grant(source="sponsor", amount=Decimal(130000))],
        ),
    ):
        startup = lifecycle.apply(startup, command).startup
    return startup


ON = dt.date(2025, 4, 1)
GRANT = bs.Grant(source="dinum", amount=Decimal(20000))
COMMANDS: tuple[Any, ...] = (
    bs.Advance(on=ON, to="acceleration", by="sponsor"),
    bs.Launch(on=ON, by="sponsor"),
    bs.Record(event=bs.Note(on=ON, comment="atelier usagers"), by="sponsor"),
    bs.HoldCommittee(on=ON, by="sponsor", decision="continue", attendees=TEAM, grants=[GRANT]),
    bs.GrantFunds(on=ON, by="sponsor", grants=[GRANT]),
    bs.Spend(on=ON, by="sponsor", amount=Decimal(1200), label="hébergement"),
    bs.AwardFast(on=ON, by="sponsor", edition=12, cofinancing=Decimal(10000)),
    bs.FileRecovery(on=ON, by="sponsor", approached=["/organisations/x"]),
    bs.TakeOver(on=ON, by="sponsor", sponsor="/organisations/y", grants=[GRANT]),
    bs.Stop(on=ON, by="sponsor", post_mortem=POST_MORTEM),
    bs.UpdateDossier(on=ON, by="sponsor", done=["docs.user"]),
    bs.DesignateNationalImpact(on=ON, by="sponsor", criteria=bs.NATIONAL_IMPACT_CRITERIA),
    bs.PublishBudget(on=ON, by="sponsor", url="https://example.org/budget"),
    bs.Retract(on=ON, by="sponsor", version=2, reason="comité saisi par erreur"),  # a committee
    bs.Retract(on=ON, by="sponsor", version=3, reason="entrée en construction à tort"),
)
"""One command of each type (a retraction of each kind), for a startup in construction; `by`
is replaced by each role."""


def without_by(command: Any) -> dict[str, Any]:
    data = bs.to_data(command)
    del data["by"]
    return data


@pytest.fixture(name="live", scope="module")
def _live(tmp_path_factory):
    """A `betastate serve` on a SQLite file, a key per role, and the journal (read in process)."""
    folder = tmp_path_factory.mktemp("live")
    keys_file = folder / "keys.toml"
    keys = keys_for(keys_file, bs.rulebook().role_values)
    url = f"sqlite://{folder}/live.db"
    bs.open_journal(url).close()  # its tables exist before two processes use it
    with live_server(url, keys_file, folder) as server, bs.open_journal(url) as journal:
        yield server, keys, journal


class TestProcess:
    def test_starts_answers_and_stops(self, tmp_path):
        """`betastate serve` starts on 127.0.0.1, answers, and stops on SIGTERM, bounded."""
        keys_file = tmp_path / "keys.toml"
        keys = keys_for(keys_file, ["sponsor"])
        with live_server(f"sqlite://{tmp_path}/j.db", keys_file, tmp_path) as server:
            assert server.url.startswith("http://127.0.0.1:")
            assert "ok" == httpx.get(f"{server.url}/health", timeout=10).json()["status"]
            rulebook = httpx.get(
                f"{server.url}/rulebook", headers=bearer(keys["sponsor"]), timeout=10
            )
            assert 200 == rulebook.status_code

        # uvicorn shuts down gracefully, then ends by the signal it was sent (as it should).
        assert server.process.returncode in {0, -signal.SIGTERM}
        assert "Application shutdown complete" in server.output()
        assert "Finished server process" in server.output()


class TestAuthMatrix:
    def test_every_role_and_command_as_in_process(self, live):
        """Over HTTP, each role x command is allowed or refused exactly as Lifecycle.check says."""
        server, keys, journal = live
        assert set(typing.get_args(bs.Command)) == {type(c) for c in COMMANDS}  # every type
        lifecycle = bs.Lifecycle(journal.rulebook)
        roles = journal.rulebook.role_values  # whatever rulebook is in force
        outcomes: collections.Counter[str] = collections.Counter()
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for role in roles:
                for index, template in enumerate(COMMANDS):
                    slug = f"matrix-{role}-{index}"
                    startup = in_construction(slug)
                    journal.create(startup)
                    command = attrs.evolve(template, by=bs.Actor(role=role))
                    if isinstance(command, bs.Record):
                        command = attrs.evolve(command, event=attrs.evolve(command.event, by=None))
                    expected = lifecycle.check(startup, command)
                    headers = bearer(keys[role])
                    body = without_by(command)
                    where = (role, type(command).__name__)

                    checked = client.post(f"/startups/{slug}/check", json=body, headers=headers)
                    assert 200 == checked.status_code, where
                    assert bs.to_data(expected.errors) == checked.json()["errors"], where
                    assert bs.to_data(expected.warnings) == checked.json()["warnings"], where

                    applied = client.post(f"/startups/{slug}/commands", json=body, headers=headers)
                    rules = {reason.rule for reason in expected.errors}
                    if expected.accepted:
                        outcome = lifecycle.apply(startup, command)
                        assert 200 == applied.status_code, (where, applied.text)
                        events = bs.from_data(applied.json()["events"], list[bs.Event])
                        assert list(outcome.events) == events, where
                        assert journal.get(slug) == outcome.startup, where
                        outcomes["allowed"] += 1
                    else:
                        status = 403 if "BS-ROLE" in rules else 409
                        assert status == applied.status_code, (where, applied.text)
                        assert bs.to_data(expected.errors) == applied.json()["reasons"], where
                        assert len(startup.history) == journal.version(slug), where
                        outcomes["forbidden" if status == 403 else "refused"] += 1

        print(f"\nauth matrix: {len(roles)} roles x {len(COMMANDS)} commands: {dict(outcomes)}")  # noqa: T201  (the figures, shown with -s)
        # The matrix tells roles apart: some pairs pass, some fail on the role alone.
        assert outcomes["allowed"] > 0
        assert outcomes["forbidden"] > 0
        assert len(roles) * len(COMMANDS) == sum(outcomes.values())


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 15}
"""Examples per operation and mode: bounded, and enough to reach every response."""


class TestSchemathesis:
    def test_no_server_error_and_every_response_conforms(self, live):
        """Schemathesis, from /openapi.json: 0 responses in 5xx, 0 that break the schema."""
        server, keys, journal = live
        journal.create(in_construction("fuzz"))
        journal.create(bs.Startup(slug="fuzz-empty", title="Vide"))
        schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json", timeout=30)
        statuses: collections.Counter[int] = collections.Counter()
        failures: list[str] = []
        skipped: list[str] = []
        headers = bearer(keys["sponsor"])
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode, examples in EXAMPLES.items():

                @settings(
                    max_examples=examples,
                    deadline=None,
                    database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=operation.as_strategy(generation_mode=mode))
                def run(case: Any) -> None:
                    if "slug" in (case.path_parameters or {}):
                        # Existing startups most of the time: unknown slugs only give 404s.
                        slug = str(case.path_parameters["slug"])
                        case.path_parameters["slug"] = "fuzz" if len(slug) % 3 else "fuzz-empty"
                    response = case.call(base_url=server.url, headers=headers, timeout=30)
                    statuses[response.status_code] += 1
                    try:
                        case.validate_response(response, checks=CHECKS)
                    except (
                        AssertionError,
                        BaseExceptionGroup,
                    ) as failure:  # schemathesis' failures
                        failures.append(f"{case.operation.label}: {failure}"[:2000])

                try:
                    run()
                except Unsatisfiable:
                    # Nothing to make invalid (GET /health has no parameter, no body).
                    assert mode is GenerationMode.NEGATIVE, operation.label
                    skipped.append(operation.label)

        total = sum(statuses.values())
        server_errors = sum(n for status, n in statuses.items() if status >= 500)
        print(  # noqa: T201  (the figures, shown with -s)
            f"\nschemathesis: {total} requests, statuses {dict(sorted(statuses.items()))}, "
            f"no negative data for {skipped}"
        )
        assert 0 == server_errors, failures
        assert [] == failures
        assert total >= 100
        assert {200, 422} <= set(statuses)  # accepted and refused bodies both reached


CLIENTS = 8
COMMANDS_EACH = 250
RETRY_EVERY = 10


class TestLoad:
    def test_eight_clients_two_workers(self, tmp_path):
        """8 clients x 250 commands, 2 workers, a SQLite file: none lost, none twice, no 5xx."""
        keys_file = tmp_path / "keys.toml"
        roles = ["intrapreneur", "coach", "team-member", "incubator"]
        keys = keys_for(keys_file, roles)
        url = f"sqlite://{tmp_path}/load.db"
        slugs = [f"load-{n}" for n in range(4)]
        with bs.open_journal(url) as journal:
            for slug in slugs:
                journal.create(bs.Startup(slug=slug, title=slug))

        def client_run(number: int, base: str) -> tuple[collections.Counter[int], list[str]]:
            statuses: collections.Counter[int] = collections.Counter()
            mismatches: list[str] = []
            slug = slugs[number % len(slugs)]  # two clients per startup: they contend
            headers = bearer(keys[roles[number % len(roles)]])
            with httpx.Client(base_url=base, timeout=60) as client:
                for index in range(COMMANDS_EACH):
                    command_id = f"client-{number}-command-{index}"
                    body = {
                        "_type": "Record",
                        "event": {"_type": "Note", "on": "2025-06-01", "comment": command_id},
                    }
                    sent = {**headers, "Idempotency-Key": command_id}
                    first = client.post(f"/startups/{slug}/commands", json=body, headers=sent)
                    statuses[first.status_code] += 1
                    if index % RETRY_EVERY == 0:  # a retry whose first answer was "lost"
                        again = client.post(f"/startups/{slug}/commands", json=body, headers=sent)
                        statuses[again.status_code] += 1
                        if again.json() != first.json():
                            mismatches.append(command_id)
            return statuses, mismatches

        with live_server(url, keys_file, tmp_path, workers=2) as server:
            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
                futures = [pool.submit(client_run, n, server.url) for n in range(CLIENTS)]
                results = [future.result(timeout=600) for future in futures]
            elapsed = time.perf_counter() - started

        statuses = sum((counts for counts, _ in results), collections.Counter())
        mismatches = [command for _, found in results for command in found]
        sent = CLIENTS * COMMANDS_EACH
        retries = CLIENTS * len(range(0, COMMANDS_EACH, RETRY_EVERY))
        print(  # noqa: T201  (the figures, shown with -s)
            f"\nload: {sent} commands (+{retries} retries) in {elapsed:.1f} s "
            f"({(sent + retries) / elapsed:.0f} requests/s), statuses {dict(statuses)}"
        )
        assert {200: sent + retries} == dict(statuses)
        assert [] == mismatches
        with bs.open_journal(url) as journal:
            stored: list[str] = []
            for slug in slugs:
                records = journal.records(slug)
                assert list(range(1, len(records) + 1)) == [r.version for r in records]
                assert all(r.command_id == r.event.comment for r in records)
                stored.extend(r.command_id for r in records)
            assert [] == [f for f in journal.audit() if f.severity is bs.Severity.ERROR]
        expected = {f"client-{n}-command-{i}" for n in range(CLIENTS) for i in range(COMMANDS_EACH)}
        assert len(stored) == len(set(stored))  # nothing twice
        assert expected == set(stored)  # nothing lost


class TestLogs:
    def test_no_key_in_the_server_log(self, live):
        """uvicorn's and betastate's log lines name no key, good or bad, sent any way."""
        server, keys, journal = live
        journal.create(bs.Startup(slug="logs", title="Logs"))
        wrong = keys["coach"][:-3] + "abc"
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for key in (*keys.values(), wrong, "not-a-key"):
                client.get("/startups/logs", headers=bearer(key))
                client.post("/startups/logs/commands", json={"_type": "Nope"}, headers=bearer(key))
                client.get("/rulebook", headers={"Authorization": key})
            client.get("/portfolio")
        time.sleep(0.5)  # the access log is written as responses go

        text = server.output()
        assert '"GET /startups/logs HTTP/1.1" 200' in text  # uvicorn's access log is there...
        assert "refused GET /startups/logs: not a key of this service" in text  # ...and ours
        secrets = [*keys.values(), wrong]
        assert [] == [secret for secret in secrets if secret in text]
        assert [] == [s for s in secrets if s[len("bsk_01234567_") :][:12] in text]
