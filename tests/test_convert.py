"""betastate JSON: every public value round-trips through the converter unchanged."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import tracemalloc
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import betastate as bs

from .strategies import actors, events, findings, members, portfolios, startups


def roundtrip(value, kind):
    data = bs.to_data(value)
    text = json.dumps(data)  # JSON-safe: plain dicts, lists, strings, numbers
    return bs.from_data(json.loads(text), kind)


class TestRoundTrip:
    @given(startups)
    def test_startup(self, startup):
        """A startup, its history and its free extra keys survive JSON unchanged."""
        assert startup == roundtrip(startup, bs.Startup)

    @given(events)
    def test_event(self, event):
        """Every event class round-trips as a member of the tagged union."""
        assert event == roundtrip(event, bs.Event)

    @given(actors)
    def test_actor(self, actor):
        """Actors keep their role, name and organisation."""
        assert actor == roundtrip(actor, bs.Actor)

    @given(findings)
    def test_finding(self, finding):
        """Findings keep code, severity, place and dates."""
        assert finding == roundtrip(finding, bs.Finding)

    @given(members)
    def test_member(self, member):
        """Members keep their missions."""
        assert member == roundtrip(member, bs.Member)

    @given(portfolios())
    def test_portfolio_json_text(self, portfolio):
        """A whole portfolio round-trips through portfolio_to_json/portfolio_from_json."""
        text = bs.portfolio_to_json(portfolio)

        assert portfolio == bs.portfolio_from_json(text)
        assert bs.SCHEMA_VERSION == json.loads(text)["betastate"]

    def test_rulebook(self):
        """The rulebook travels as data (gates are re-attached by name)."""
        book = bs.rulebook("betagouv")

        assert book == roundtrip(book, bs.Rulebook)

    def test_lifecycle_values(self):
        """Outcomes, states, moves, reasons and commands round-trip."""
        lifecycle = bs.Lifecycle()
        startup = bs.Startup(slug="p", title="P")
        command = bs.Advance(
            on=dt.date(2024, 1, 1),
            to="investigation",
            by=bs.Role.SPONSOR,
            co_deciders=["incubator"],
        )
        outcome = lifecycle.apply(startup, command)
        state = lifecycle.state(outcome.startup)
        refusal = lifecycle.check(
            outcome.startup, bs.Advance(on=dt.date(2023, 1, 1), to="opere", by="coach")
        )
        values = [
            (outcome, bs.Outcome),
            (state, bs.StartupState),
            (lifecycle.moves(outcome.startup)[0], bs.Move),
            (refusal, bs.Verdict),
            (refusal.errors[0], bs.Reason),
            (command, bs.Advance),
            (command, bs.Command),
            (bs.Launch(on=dt.date(2024, 2, 1), by="intrapreneur"), bs.Command),
            (bs.Record(event=bs.Note(on=dt.date(2024, 2, 1)), by="coach"), bs.Command),
            (state.spans[0], bs.PhaseSpan),
        ]
        for value, kind in values:
            assert value == roundtrip(value, kind), kind

    def test_sample_portfolio(self):
        """The shipped sample is itself betastate JSON and round-trips."""
        sample = bs.sample_portfolio()

        assert sample == bs.portfolio_from_json(bs.portfolio_to_json(sample))


class TestExactMoney:
    def test_money_is_a_string(self):
        """Amounts are written as decimal strings, never floats."""
        event = bs.FastLaureate(on=dt.date(2024, 1, 1), edition=12, amount=Decimal("300000.10"))

        assert "300000.10" == bs.to_data(event)["amount"]

    def test_float_refused(self):
        """A float amount is refused at construction: money is exact."""
        with pytest.raises(TypeError, match="exact"):
            bs.FastLaureate(on=dt.date(2024, 1, 1), amount=0.1)

    def test_float_refused_in_json(self):
        """A float amount in JSON is refused with the path of the value."""
        data = {"on": "2024-01-01", "amount": 0.1, "_type": "FastLaureate"}

        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(data, bs.Event)

        assert ["/amount"] == [problem.path for problem in caught.value.problems]


class TestBadData:
    def test_unknown_key(self):
        """Unknown keys are refused: the schema is ours."""
        data = bs.to_data(bs.Startup(slug="p", title="P")) | {"colour": "blue"}

        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(data, bs.Startup)

        assert ["/colour"] == [problem.path for problem in caught.value.problems]

    def test_bad_date(self):
        """An impossible date names the field."""
        data = {"on": "2024-02-30", "phase": "investigation", "_type": "PhaseEntered"}

        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(data, bs.Event)

        assert ["/on"] == [problem.path for problem in caught.value.problems]

    @pytest.mark.parametrize(
        "text",
        ["not json", "[]", '{"betastate": 99, "startups": []}', '{"startups": []}'],
    )
    def test_not_a_portfolio(self, text):
        """Text that is not betastate JSON gives a DataFileError, never a traceback."""
        with pytest.raises(bs.DataFileError):
            bs.portfolio_from_json(text, file="x.json")

    @given(
        st.recursive(
            st.none() | st.integers() | st.text(),
            lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        )
    )
    def test_arbitrary_json_gives_betastate_errors(self, payload):
        """Any JSON payload either loads or raises a betastate error."""
        with contextlib.suppress(bs.BetastateError):
            bs.portfolio_from_json(json.dumps({"betastate": 1, "startups": payload}))


class TestEscapes:
    """Data that crashed from_data, or decoded into garbage, is InvalidData with its pointer."""

    @pytest.mark.parametrize("data", [[], "slug", 5, None])
    def test_not_an_object(self, data):
        """from_data([], Startup) and friends: not an object, said at the document's root."""
        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(data, bs.Startup)

        assert [""] == [p.path for p in caught.value.problems]
        assert "expected an object" in caught.value.problems[0].message

    @pytest.mark.parametrize("kind", [bs.Event, bs.Command, bs.Rulebook, bs.Portfolio])
    def test_not_an_object_for_every_kind(self, kind):
        """Unions, the rulebook and portfolios refuse a list too."""
        with pytest.raises(bs.InvalidData):
            bs.from_data([], kind)

    def test_non_string_keys(self):
        """Non-text keys are a problem to report, not a crash of the error formatter."""
        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data({1: 2, "slug": "p", "title": "P"}, bs.Startup)

        assert ["/1"] == [p.path for p in caught.value.problems]

    def test_string_is_not_a_list(self):
        """A string where a list is expected is refused, never split into one-letter items."""
        data = {"slug": "p", "title": "P", "sponsors": "/organisations/dinum"}

        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(data, bs.Startup)

        assert ["/sponsors"] == [p.path for p in caught.value.problems]
        assert "expected a list" in caught.value.problems[0].message

    @pytest.mark.parametrize(
        ("extra", "where"),
        [
            ({"a": Decimal(1)}, "/extra/a"),
            ({"a": {1, 2}}, "/extra/a"),
            ({"a": b"x"}, "/extra/a"),
            ({"a": [1, {"b": b"x"}]}, "/extra/a/1/b"),
            ({"a": {"$date": 5}}, "/extra/a/$date"),
            ({"a": {3: "x"}}, "/extra"),
            # Deep: the message shortens the place (extra['a'][0]...[0]), the pointer does not.
            ({"a": [[[[[[[[[[b"x"]]]]]]]]]]}, "/extra/a" + "/0" * 10),
        ],
    )
    def test_extra_of_the_wrong_type(self, extra, where):
        """Free data that to_data could not write back is refused, at the bad part's pointer."""
        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data({"slug": "p", "title": "P", "extra": extra}, bs.Startup)

        assert [where] == [p.path for p in caught.value.problems]

    @pytest.mark.parametrize(
        ("data", "where"),
        [
            ({"slug": {1, 2}, "title": "T"}, "/slug"),
            ({"slug": "p", "title": b"x"}, "/title"),
            ({"slug": "p", "title": "T", "history": [{1, 2}]}, "/history/0"),
            ({"slug": "p", "title": "T", "history": [{"_type": {1}}]}, "/history/0/_type"),
            ({"slug": "p", "title": "T", "history": [{"_type": 10**5000}]}, "/history/0/_type"),
            ({"slug": "p", "title": "T", "history": [{3: 4}]}, "/history/0/_type"),
        ],
    )
    def test_values_json_cannot_hold(self, data, where):
        """Sets, bytes and huge ints are described in the problem, not a TypeError of json."""
        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(data, bs.Startup)

        assert where == caught.value.problems[0].path

    def test_trials_keep_no_frames(self):
        """Branches tried and failed (nulls, free data) leave nothing behind: memory stays linear.

        One shared exception re-raised for every failed trial used to chain
        every raise's frames onto its traceback: 800 bytes per byte of input.
        """
        nulls = {"_type": "Note", "on": "2024-01-01", "comment": None}
        history = [nulls] * 2_000
        extra = {"a": [{"k": [i, "x", None]} for i in range(2_000)]}
        data = {"slug": "p", "title": "P", "history": history, "extra": extra}
        size = len(json.dumps(data))

        tracemalloc.start()
        try:
            bs.from_data(data, bs.Startup)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

        assert peak < 60 * size, f"{peak / size:.0f} bytes per byte of input"

    def test_path_of_a_nested_problem(self):
        """The problem names the JSON Pointer of the bad value."""
        data = {
            "slug": "p",
            "title": "P",
            "history": [
                {"_type": "Note", "on": "2024-01-01"},
                {"_type": "Spent", "on": "2024-01-02", "amount": "NaN"},
            ],
        }

        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(data, bs.Startup)

        assert ["/history/1/amount"] == [p.path for p in caught.value.problems]

    def test_problems_stop_at_the_limit(self):
        """100,000 bad items list the first MAX_PROBLEMS and say so: checking stays bounded."""
        data = {"slug": "p", "title": "P", "history": [{"_type": "Nope"}] * 100_000}

        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(data, bs.Startup)

        limit = bs.InvalidData.MAX_PROBLEMS
        assert [f"/history/{i}/_type" for i in range(limit)] == [
            p.path for p in caught.value.problems
        ]
        assert caught.value.truncated
        assert "checking stopped there" in str(caught.value)
        assert bs.to_data(caught.value)["truncated"] is True

    def test_few_problems_are_not_truncated(self):
        """Under the limit, every problem is listed and the error does not say truncated."""
        data = {"slug": "p", "title": "P", "history": [{"_type": "Nope"}] * 3}

        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(data, bs.Startup)

        assert 3 == len(caught.value.problems)
        assert not caught.value.truncated
        assert "truncated" not in bs.to_data(caught.value)

    @pytest.mark.parametrize("text", ["1" * 5000, "[" * 100_000 + "]" * 100_000])
    def test_json_limits(self, text):
        """Integers too long for Python and nesting too deep for its parser are not JSON."""
        with pytest.raises(bs.DataFileError, match="not JSON"):
            bs.portfolio_from_json(text)
