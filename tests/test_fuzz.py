"""
Fuzzing every reader (tests/fuzzing.py): only betastate errors, no aborted import, nothing lost.

The quick profile runs here, in CI: a few thousand inputs. The long profile
(over 100,000 inputs, with time and memory measured per input) runs only with
``BETASTATE_FUZZ=long`` and prints its counts::

    BETASTATE_FUZZ=long python -m pytest tests/test_fuzz.py -k long -s
"""

from __future__ import annotations

import atexit
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import betastate as bs

from . import fuzzing
from .fuzzing import (
    JSON_VALUES,
    PYTHON_VALUES,
    Tally,
    checkouts,
    data_seeds,
    dumps,
    journal_seeds,
    jsonapi_seeds,
    members_space_seeds,
    mutated_data,
    mutated_text,
    product_seeds,
    rulebook_seeds,
)


WORKDIR = fuzzing.workdir()
atexit.register(shutil.rmtree, WORKDIR, ignore_errors=True)

SLOW_CHECKS = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
    HealthCheck.filter_too_much,
]
FAST = bool(os.environ.get("FAST"))
LONG = os.environ.get("BETASTATE_FUZZ") == "long"


def quick(examples: int) -> settings:
    """The CI profile of one target (a tenth with FAST=1)."""
    return settings(
        max_examples=max(10, examples // 10) if FAST else examples,
        deadline=None,
        suppress_health_check=SLOW_CHECKS,
    )


def jsonapi_texts() -> st.SearchStrategy[bytes]:
    seeds = jsonapi_seeds()
    texts = tuple(dumps(seed).decode("utf-8") for seed in seeds)
    return st.one_of(
        mutated_text(texts),
        st.sampled_from(seeds).flatmap(mutated_data).map(dumps),
    )


def members_space_texts() -> st.SearchStrategy[bytes]:
    seeds = members_space_seeds()
    texts = tuple(dumps(seed).decode("utf-8") for seed in seeds)
    return st.one_of(
        mutated_text(texts),
        st.sampled_from(seeds).flatmap(mutated_data).map(dumps),
    )


def betastate_texts() -> st.SearchStrategy[bytes]:
    portfolios = [(data, kind) for data, kind in data_seeds() if kind is bs.Portfolio]
    payloads = [{"betastate": 1, **data} for data, _ in portfolios]
    return st.one_of(
        mutated_text(tuple(dumps(payload).decode("utf-8") for payload in payloads)),
        st.sampled_from(payloads).flatmap(mutated_data).map(dumps),
    )


def any_data() -> st.SearchStrategy[tuple[Any, type]]:
    kinds = sorted({kind for _, kind in data_seeds()}, key=str)
    return st.sampled_from(data_seeds()).flatmap(
        lambda seed: st.tuples(
            mutated_data(seed[0], PYTHON_VALUES),
            st.just(seed[1]) | st.sampled_from(kinds),
        )
    )


def commands() -> st.SearchStrategy[Any]:
    seeds = journal_seeds()
    return st.sampled_from(seeds) | st.sampled_from(seeds).flatmap(
        lambda seed: mutated_data(seed, JSON_VALUES)
    )


def rulebook_texts() -> st.SearchStrategy[bytes]:
    return mutated_text(rulebook_seeds())


def check(tally: Tally) -> None:
    assert [] == tally.problems(), tally.report()


class TestQuickProfile:
    """A few thousand mutated inputs, every reader: only its own betastate error."""

    @quick(800)
    @given(data=mutated_text(product_seeds()))
    def test_front_matter(self, data: bytes) -> None:
        """A product file: strict raises DataFileError at most; import loads or reports it."""
        tally = Tally()
        fuzzing.run_product(tally, data, WORKDIR / "_startups")
        check(tally)

    @quick(100)
    @given(case=checkouts())
    def test_checkout(self, case: Any) -> None:
        """A checkout with mutated and special files: nothing aborts; every file accounted for."""
        tally = Tally()
        fuzzing.run_checkout(tally, case, WORKDIR)
        check(tally)

    @quick(400)
    @given(data=jsonapi_texts())
    def test_jsonapi(self, data: bytes) -> None:
        """The site's JSON:API: DataFileError or a portfolio."""
        tally = Tally()
        fuzzing.run_jsonapi(tally, data, WORKDIR)
        check(tally)

    @quick(300)
    @given(data=members_space_texts())
    def test_members_space(self, data: bytes) -> None:
        """The members' space's answer: DataFileError or a portfolio."""
        tally = Tally()
        fuzzing.run_members_space(tally, data, WORKDIR)
        check(tally)

    @quick(400)
    @given(data=betastate_texts())
    def test_betastate_json(self, data: bytes) -> None:
        """betastate JSON text: DataFileError or a portfolio."""
        tally = Tally()
        fuzzing.run_betastate_json(tally, data)
        check(tally)

    @quick(800)
    @given(case=any_data())
    def test_from_data(self, case: tuple[Any, type]) -> None:
        """Any Python data, as any kind: DataFileError or a value."""
        tally = Tally()
        fuzzing.run_from_data(tally, *case)
        check(tally)

    @quick(200)
    @given(data=commands())
    def test_journal(self, data: Any) -> None:
        """Command data through a journal: betastate errors only; it stores what the engine made."""
        tally = Tally()
        fuzzing.run_journal(tally, data)
        check(tally)

    @quick(300)
    @given(data=rulebook_texts())
    def test_rulebook(self, data: bytes) -> None:
        """A rulebook file: RulebookError or a rulebook."""
        tally = Tally()
        fuzzing.run_rulebook(tally, data, WORKDIR)
        check(tally)


LONG_PROFILE = {
    "front matter": 32_000,
    "checkout": 8_000,
    "JSON:API": 15_000,
    "members' space": 5_000,
    "journal": 3_000,
    "betastate JSON": 15_000,
    "from_data": 20_000,
    "rulebook": 10_000,
}
"""Inputs per target in the long profile (over 100,000 in all, the writer's on top)."""

SCALE = float(os.environ.get("BETASTATE_FUZZ_SCALE", "1"))
"""Scales the long profile (``0.01`` for a trial run; below 1 the 100,000 floor is not checked)."""


@pytest.mark.skipif(not LONG, reason="the long fuzz profile runs with BETASTATE_FUZZ=long")
class TestLongProfile:
    """Over 100,000 inputs, each timed and measured; the counts are printed, then checked."""

    def test_long(self) -> None:
        """0 escapes, 0 aborted loads, 0 unreported files, 0 inputs over 1 s, 200 MB at most."""
        tally = Tally(measure=True)

        def profile(target: str) -> settings:
            return settings(
                max_examples=max(1, int(LONG_PROFILE[target] * SCALE)),
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=SLOW_CHECKS,
            )

        @profile("front matter")
        @given(data=mutated_text(product_seeds()))
        def front_matter(data: bytes) -> None:
            fuzzing.run_product(tally, data, WORKDIR / "_startups")

        @profile("checkout")
        @given(case=checkouts())
        def checkout(case: Any) -> None:
            fuzzing.run_checkout(tally, case, WORKDIR)

        @profile("JSON:API")
        @given(data=jsonapi_texts())
        def jsonapi(data: bytes) -> None:
            fuzzing.run_jsonapi(tally, data, WORKDIR)

        @profile("members' space")
        @given(data=members_space_texts())
        def members_space(data: bytes) -> None:
            fuzzing.run_members_space(tally, data, WORKDIR)

        @profile("journal")
        @given(data=commands())
        def journal(data: Any) -> None:
            fuzzing.run_journal(tally, data)

        @profile("betastate JSON")
        @given(data=betastate_texts())
        def betastate_json(data: bytes) -> None:
            fuzzing.run_betastate_json(tally, data)

        @profile("from_data")
        @given(case=any_data())
        def from_data(case: tuple[Any, type]) -> None:
            fuzzing.run_from_data(tally, *case)

        @profile("rulebook")
        @given(data=rulebook_texts())
        def rulebook(data: bytes) -> None:
            fuzzing.run_rulebook(tally, data, WORKDIR)

        try:
            for run in (
                front_matter,
                checkout,
                jsonapi,
                members_space,
                journal,
                betastate_json,
                from_data,
                rulebook,
            ):
                run()
        finally:
            report = tally.report()
            print(report)  # noqa: T201  (the long profile's counts are its result)
            target = os.environ.get("BETASTATE_FUZZ_REPORT")
            if target:
                Path(target).write_text(report + "\n", encoding="utf-8")

        assert SCALE < 1 or sum(tally.inputs.values()) - tally.inputs["writer"] >= 100_000
        assert [] == tally.problems(), report
