"""Paths through the presets: every transition that is not data-only, each path accepted."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

import betastate as bs
from betastate import testing as bt


PRESETS = ("betagouv", "govuk")
SHORTEST = {name: bt.shortest_paths(name) for name in PRESETS}
SIMPLE = {name: bt.simple_paths(name) for name in PRESETS}


def replay(rulebook: str, commands) -> tuple[bs.Startup, list[str]]:
    """The startup ``commands`` give from an empty one, and the transitions they fire."""
    lifecycle = bs.Lifecycle(rulebook)
    startup = bs.Startup(slug="essai", title="Essai")
    fired = []
    for command in commands:
        before = lifecycle.phase(startup)
        outcome = lifecycle.apply(startup, command)  # raises if refused
        startup = outcome.startup
        fired.extend(
            lifecycle.rulebook.transition(before, event.phase).id
            for event in outcome.events
            if isinstance(event, bs.PhaseEntered | bs.Pivoted)
        )
    return startup, fired


class TestShortestPaths:
    @pytest.mark.parametrize("rulebook", PRESETS)
    def test_every_transition_that_is_not_data_only(self, rulebook):
        """Together the shortest paths fire every transition of the preset that is not data-only."""
        book = bs.rulebook(rulebook)
        fired = {t for path in SHORTEST[rulebook] for t in path.transitions}

        assert {t.id for t in book.transitions if not t.data_only} == fired

    @pytest.mark.parametrize("rulebook", PRESETS)
    def test_every_phase(self, rulebook):
        """Together they reach every phase of the preset."""
        reached = {p for path in SHORTEST[rulebook] for p in path.phases}

        assert set(bs.rulebook(rulebook).phase_values) == reached

    @pytest.mark.parametrize("rulebook", PRESETS)
    def test_each_path_is_accepted(self, rulebook):
        """Applied through Lifecycle from an empty startup, each path fires what it says."""
        for path in SHORTEST[rulebook]:
            startup, fired = replay(rulebook, path.commands)

            assert list(path.transitions) == fired
            assert path.reaches == bs.Lifecycle(rulebook).phase(startup)
            assert startup.history == path.startup(slug="essai", title="Essai").history

    def test_they_are_shortest(self):
        """No path is longer than the moves its last transition needs (a breadth-first search)."""
        lengths = {p.transitions[-1]: len(p.transitions) for p in SHORTEST["betagouv"]}

        # Written from the rulebook's graph: T00 opens, T01 leads on, T04 or T08 beyond.
        assert {"T02": 2, "T03": 2, "T05": 3, "T06": 3, "T07": 3, "T09": 4, "T10": 4} == {
            k: v
            for k, v in lengths.items()
            if k in {"T02", "T03", "T05", "T06", "T07", "T09", "T10"}
        }
        assert 4 == lengths["T13"]

    def test_no_path_is_the_start_of_another(self):
        """A path another one continues is left out: the longer one fires all it fires."""
        for rulebook in PRESETS:
            moves = [p.transitions for p in SHORTEST[rulebook]]
            for these in moves:
                assert not any(o != these and o[: len(these)] == these for o in moves)

    def test_data_only_moves_play_when_allowed(self):
        """A rulebook that only warns on data-only moves gets paths through them too."""
        book = bs.rulebook("betagouv").derive(name="tolerant", severities={"N8": "warning"})
        fired = {t for path in bt.shortest_paths(book) for t in path.transitions}

        # Every product starts in investigation (T00), so going back to it never plays
        # (N4): not from construction (T17), not out of a stop (T19, also N6).
        assert {t.id for t in book.transitions} - {"T17", "T19"} == fired

    def test_dates(self):
        """The first move is on the start date, each next one the given days later."""
        (path, *_) = bt.shortest_paths("govuk", start=dt.date(2024, 9, 2), days=10)
        days = sorted({c.on for c in path.commands})

        assert dt.date(2024, 9, 2) == days[0]
        assert [dt.timedelta(days=10)] * (len(days) - 1) == [
            b - a for a, b in itertools.pairwise(days)
        ]

    def test_names(self):
        """A path reads as the phase it reaches and its triggers, in ASCII for test ids."""
        labels = {p.label for p in SIMPLE["betagouv"]}
        ids = {p.id for p in SHORTEST["govuk"]}

        assert (
            "reaches transfere: start → construct → accelerate → consolidate → transfer" in labels
        )
        assert "reaches retired: start -> prototype -> build -> open -> go_live -> retire" in ids
        assert str(SHORTEST["govuk"][0]) == SHORTEST["govuk"][0].label


class TestSimplePaths:
    @pytest.mark.parametrize("rulebook", PRESETS)
    def test_complete_and_simple(self, rulebook):
        """Each path ends where nothing more plays, fires no transition twice, shortest first."""
        book = bs.rulebook(rulebook)
        lengths = [len(p.transitions) for p in SIMPLE[rulebook]]

        assert sorted(lengths) == lengths
        for path in SIMPLE[rulebook]:
            assert len(set(path.transitions)) == len(path.transitions)
            startup = path.startup()
            assert bs.Lifecycle(book).state(startup).terminal or not bs.Lifecycle(book).moves(
                startup
            )

    def test_betagouv_count(self):
        """The beta.gouv.fr preset has 42 complete simple paths (counted from its graph)."""
        # With or without the pivot in investigation (x2): a stop, or construction, where
        # with or without its pivot (x2): a stop, a transfer, consolidation (3 ways out),
        # or acceleration (a stop, a transfer, or consolidation and its 3 ways out).
        assert 2 * (1 + 2 * (1 + 1 + 3 + (1 + 1 + 3))) == len(SIMPLE["betagouv"])

    @pytest.mark.parametrize("rulebook", PRESETS)
    def test_they_cover_the_shortest(self, rulebook):
        """The simple paths fire every transition the shortest ones fire."""
        simple = {t for p in SIMPLE[rulebook] for t in p.transitions}

        assert {t for p in SHORTEST[rulebook] for t in p.transitions} == simple

    def test_limit(self):
        """limit= caps how many paths come back (the shortest); it must be a whole number."""
        assert SIMPLE["betagouv"][:5] == bt.simple_paths("betagouv", limit=5)
        for bad in (0, -1, 2.5, True):
            with pytest.raises(ValueError, match="limit"):
                bt.simple_paths("betagouv", limit=bad)


class TestCoverage:
    def test_paths_cover_the_rulebook(self):
        """The simple paths' startups fire every transition but the data-only ones."""
        book = bs.rulebook("betagouv")
        coverage = bt.transition_coverage([p.startup() for p in SIMPLE["betagouv"]])

        assert tuple(t.id for t in book.transitions if t.data_only) == coverage.missed
        assert {} == dict(coverage.unknown)
        assert 42 == coverage.counts["T00"]
        assert len(coverage.fired) / len(book.transitions) == coverage.share

    def test_histories_by_hand(self):
        """Entries are moves from the phase current before them; other moves are named."""
        day = dt.date(2024, 1, 8)
        history = [
            bs.PhaseEntered(on=day, phase="investigation"),
            bs.Pivoted(on=day + dt.timedelta(days=10), phase="investigation"),
            bs.PhaseEntered(on=day + dt.timedelta(days=40), phase="construction"),
            bs.PhaseEntered(on=day + dt.timedelta(days=90), phase="investigation"),
        ]
        skipped = [bs.PhaseEntered(on=day, phase="acceleration")]
        coverage = bt.transition_coverage(
            [bs.Startup(slug="a", title="A", history=history), skipped]
        )

        assert (1, 1, 1, 1) == tuple(coverage.counts[t] for t in ("T00", "T03", "T01", "T17"))
        assert {"(new) → acceleration": 1} == dict(coverage.unknown)

    def test_sample_portfolio(self):
        """The bundled sample fires a known part of the rulebook (a portfolio is histories)."""
        coverage = bt.transition_coverage(bs.sample_portfolio())

        assert {"T00", "T01", "T04"} <= set(coverage.fired)
        assert 0 < coverage.share < 1

    def test_govuk(self):
        """Coverage counts against the rulebook given."""
        coverage = bt.transition_coverage([p.startup() for p in SHORTEST["govuk"]], "govuk")

        assert () == coverage.missed
        assert 1.0 == coverage.share


def _preset_paths():
    return [path for name in PRESETS for path in SIMPLE[name]]


class TestPresetsThroughEveryPath:
    @bt.parametrize_paths(_preset_paths())
    def test_path(self, path):
        """Every simple path of each preset: accepted, audited clean, round-trips."""
        startup = path.startup()
        lifecycle = bs.Lifecycle(path.rulebook)

        assert path.reaches == lifecycle.phase(startup)
        assert [] == [
            f for f in bs.audit(startup, path.rulebook) if f.severity is bs.Severity.ERROR
        ]
        assert startup == bs.from_data(bs.to_data(startup), bs.Startup)

    def test_ids(self, request):
        """The helper names each test after its path."""
        mark = bt.parametrize_paths(SHORTEST["govuk"])

        assert ("path", SHORTEST["govuk"]) == (mark.args[0], tuple(mark.args[1]))
        assert [p.id for p in SHORTEST["govuk"]] == list(mark.kwargs["ids"])
