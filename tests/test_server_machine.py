"""
The HTTP service against betastate itself: `betastate.testing.LifecycleMachine` drives a real
`betastate serve` (uvicorn on 127.0.0.1) over HTTP and compares every answer, startup and
state with the in-process lifecycle. Runs are bounded in examples and steps.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import rule

import betastate as bs
from betastate import testing as bt
from betastate.testing import strategies as bts

from .http_kit import bearer, keys_for, live_server


class HttpAdapter(bt.Adapter):
    """The service as an app sees it: one key per role, JSON in, status codes and JSON out."""

    def __init__(self, url: str, keys: dict[str, str], statuses: Counter[int]) -> None:
        self.client = httpx.Client(base_url=url, timeout=30)
        self.keys = keys
        self.statuses = statuses
        self.any_key = bearer(next(iter(keys.values())))

    def create(self, startup: bs.Startup) -> None:
        response = self.client.post("/startups", json=bs.to_data(startup), headers=self.any_key)
        assert 201 == response.status_code, response.text

    def apply(self, slug: str, command: bs.Command) -> bt.Reply:
        headers = bearer(self.keys[command.by.role])  # the key of the actor the command names
        response = self.client.post(
            f"/startups/{slug}/commands", json=bs.to_data(command), headers=headers
        )
        body = response.json()
        self.statuses[response.status_code] += 1
        if response.status_code == 200:
            return bt.Reply(
                accepted=True,
                warnings=[reason["rule"] for reason in body["warnings"]],
                events=tuple(bs.from_data(body["events"], list[bs.Event])),
                version=body["version"],
            )
        assert response.status_code in {403, 409}, (response.status_code, body)
        assert body["error"] in {"forbidden", "refused"}, body
        return bt.Reply(
            accepted=False,
            rules=[reason["rule"] for reason in body["reasons"]],
            warnings=[reason["rule"] for reason in body["warnings"]],
        )

    def _view(self, slug: str) -> dict[str, Any]:
        response = self.client.get(f"/startups/{slug}", headers=self.any_key)
        assert 200 == response.status_code, response.text
        view: dict[str, Any] = response.json()
        return view

    def startup(self, slug: str) -> bs.Startup:
        return bs.from_data(self._view(slug)["startup"], bs.Startup)

    def state(self, slug: str) -> bs.StartupState:
        return bs.from_data(self._view(slug)["state"], bs.StartupState)

    def close(self) -> None:
        self.client.close()


@pytest.fixture(name="served", scope="module")
def _served(tmp_path_factory):
    """A `betastate serve` on a SQLite file with a key for every role of its rulebook."""
    folder = tmp_path_factory.mktemp("machine")
    keys_file = folder / "keys.toml"
    keys = keys_for(keys_file, bs.rulebook().role_values)
    url = f"sqlite://{folder}/machine.db"
    bs.open_journal(url).close()
    with live_server(url, keys_file, folder) as server:
        yield server.url, keys


RUNS = itertools.count()


class TestTheServiceAgreesWithBetastate:
    def test_lifecycle_machine_over_http(self, served):
        """Random valid, refused and arbitrary commands: the service answers as betastate."""
        url, keys = served
        statuses: Counter[int] = Counter()

        class OverHttp(bt.LifecycleMachine):
            def __init__(self) -> None:
                super().__init__()
                run = next(RUNS)  # the journal outlives a run: fresh startups each time
                self.slugs = (f"run-{run}-alpha", f"run-{run}-beta")

            def adapter(self) -> bt.Adapter:
                return HttpAdapter(url, keys, statuses)

            @rule(data=st.data())
            def refused_command(self, data: st.DataObject) -> None:
                """A refused command by a role of the rulebook (no key acts as another)."""
                slug = data.draw(st.sampled_from(self.slugs), label="startup")
                refusals = bts.refused_commands(self.book, self.model[slug]).filter(
                    lambda refusal: self.book.has_role(refusal.command.by.role)
                )
                for command in data.draw(refusals, label="refused").commands:
                    self.send(slug, command)

        case = OverHttp.TestCase
        case.settings = settings(
            max_examples=8,
            stateful_step_count=12,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded in time
        )
        case("runTest").runTest()

        print(f"\nlifecycle machine over HTTP: statuses {dict(sorted(statuses.items()))}")  # noqa: T201  (the figures, shown with -s)
        assert {200, 403, 409} <= set(statuses)  # accepted, forbidden and refused all reached
