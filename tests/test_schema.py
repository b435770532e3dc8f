"""
The JSON Schemas of every public value, both ways: what `to_data` emits validates, and a
document is accepted by `from_data` exactly when it validates.

`jsonschema` (an independent implementation of draft 2020-12, with format checks on) is the
judge; the documents are real values and near-valid ones made by mutating them.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import re
import subprocess
import sys
import typing
from decimal import Decimal
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import betastate as bs
from betastate._values import fields as bs_fields

from .strategies import actors, all_events, commands, findings, members, portfolios, startups


FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER
UNIONS = {"Command": bs.Command, "Event": bs.Event}
NO_JSON = {"Backtest", "DailyRates", "Gate"}  # mappings keyed by numbers, a set, a callable


def public_types() -> dict[str, Any]:
    """Every public value type: classes, unions, enums, and the error tree's root."""
    found: dict[str, Any] = dict(UNIONS)
    for name in bs.__all__:
        value = getattr(bs, name)
        if isinstance(value, type) and (attrs.has(value) or issubclass(value, enum.Enum)):
            found[name] = value
    found["BetastateError"] = bs.BetastateError
    return found


@functools.cache
def validator(kind: Any) -> jsonschema.Draft202012Validator:
    schema = bs.json_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=FORMATS)


def as_json(value: Any) -> Any:
    """What a client in another language sends: `to_data` through JSON text."""
    return json.loads(json.dumps(bs.to_data(value)))


def accepted(document: Any, kind: Any) -> bool:
    try:
        bs.from_data(document, kind)
    except bs.InvalidData as error:
        assert error.problems, "a refusal names at least one problem"
        for problem in error.problems:
            assert problem.path == "" or problem.path.startswith("/"), problem
            assert problem.message
            assert problem.fix
        return False
    return True


class TestEverySchema:
    @pytest.mark.parametrize(("name", "kind"), sorted(public_types().items()))
    def test_is_a_valid_schema(self, name, kind):
        """Every public value type has a 2020-12 schema (results with no JSON form say so)."""
        if name in NO_JSON:
            with pytest.raises(bs.InvalidArgument, match="no JSON form"):
                bs.json_schema(kind)
            return
        schema = bs.json_schema(kind)

        jsonschema.Draft202012Validator.check_schema(schema)
        assert "https://json-schema.org/draft/2020-12/schema" == schema["$schema"]

    def test_command_is_a_union_tagged_by_type(self):
        """Command is a oneOf of every command, each with `_type` required and constant."""
        schema = bs.json_schema(bs.Command)
        names = [ref["$ref"].rsplit("/", 1)[-1] for ref in schema["oneOf"]]

        assert [cls.__name__ for cls in typing.get_args(bs.Command)] == names
        assert "_type" == schema["discriminator"]["propertyName"]
        for name in names:
            definition = schema["$defs"][name]
            assert {"const": name} == definition["properties"]["_type"]
            assert "_type" in definition["required"]

    def test_no_argument_is_the_portfolio_document(self):
        """`json_schema()` is still the portfolio document, with its version field."""
        schema = bs.json_schema()

        assert {"const": bs.SCHEMA_VERSION} == {
            k: v for k, v in schema["properties"]["betastate"].items() if k == "const"
        }
        assert ["betastate", "startups"] == schema["required"]

    def test_callers_get_copies(self):
        """Changing a returned schema changes nothing for the next caller (or for from_data)."""
        bs.json_schema(bs.Spend)["properties"].clear()

        assert "amount" in bs.json_schema(bs.Spend)["properties"]
        assert bs.from_data(
            as_json(bs.Spend(on=dt.date(2025, 1, 1), by="sponsor", amount=1)), bs.Spend
        )

    def test_fields_are_described(self):
        """Properties carry their docstring's description (forms and OpenAPI show them)."""
        schema = bs.json_schema(bs.Spend)

        assert "Spend" == schema["properties"]["_type"]["const"]
        assert schema["description"].startswith("Commit or spend money")
        assert schema["$defs"]["Actor"]["properties"]["role"]["description"]

    def test_reason_fields_appear_in_the_error_body(self):
        """The error body's reasons are the Reason class's schema, whatever fields it grows."""
        schema = bs.json_schema(bs.BetastateError)
        reason = schema["$defs"]["Reason"]

        assert {f.name for f in attrs.fields(bs.Reason)} == set(reason["properties"])
        assert {"$ref": "#/$defs/Reason"} == schema["properties"]["reasons"]["items"]


class TestWhatToDataEmitsValidates:
    @given(commands)
    def test_commands(self, command):
        """Every command validates as itself and as a Command (and reads back equal)."""
        data = as_json(command)

        validator(type(command)).validate(data)
        validator(bs.Command).validate(data)
        assert command == bs.from_data(data, bs.Command)

    @given(all_events)
    def test_events(self, event):
        """Every event validates as itself and as an Event."""
        data = as_json(event)

        validator(type(event)).validate(data)
        validator(bs.Event).validate(data)
        assert event == bs.from_data(data, bs.Event)

    @given(st.lists(all_events, max_size=4))
    def test_lists_keep_their_tags(self, history):
        """`to_data` of a list of events keeps each `_type`; it reads back as list[Event]."""
        data = as_json(history)

        validator(list[bs.Event]).validate(data)
        assert history == bs.from_data(data, list[bs.Event])

    @given(startups)
    def test_startups_and_their_states(self, startup):
        """A startup, its state on any date and the moves open to it validate."""
        lifecycle = bs.Lifecycle()
        state = lifecycle.state(startup)

        validator(bs.Startup).validate(as_json(startup))
        validator(bs.StartupState).validate(as_json(state))
        for move in lifecycle.moves(startup, on=dt.date(2031, 1, 1)):
            validator(bs.Move).validate(as_json(move))

    @given(startups, commands)
    def test_verdicts_and_outcomes(self, startup, command):
        """What the lifecycle answers a command (verdict, outcome, refusal) validates."""
        lifecycle = bs.Lifecycle()
        verdict = lifecycle.check(startup, command)

        validator(bs.Verdict).validate(as_json(verdict))
        try:
            outcome = lifecycle.apply(startup, command)
        except bs.TransitionRefused as refusal:
            validator(bs.BetastateError).validate(as_json(refusal))
        else:
            validator(bs.Outcome).validate(as_json(outcome))

    @given(findings, members, actors)
    def test_records(self, finding, member, actor):
        """Findings, members and actors validate."""
        validator(bs.Finding).validate(as_json(finding))
        validator(bs.Member).validate(as_json(member))
        validator(bs.Actor).validate(as_json(actor))

    @settings(max_examples=20)
    @given(portfolios())
    def test_portfolio_documents(self, portfolio):
        """`portfolio_to_json` validates against `json_schema()`."""
        validator(None).validate(json.loads(bs.portfolio_to_json(portfolio)))

    def test_rulebook(self):
        """The built-in rulebook validates as a Rulebook."""
        validator(bs.Rulebook).validate(as_json(bs.rulebook()))

    def test_every_error_body(self):
        """Every betastate error becomes a body of the one error schema."""
        spend = bs.Spend(on=dt.date(2025, 1, 1), by="intrapreneur", amount=1)
        reason = bs.Reason("BR-02", bs.Severity.ERROR, "over budget", "spend less")
        errors = [
            bs.InvalidData("Command", [bs.Problem("/on", "missing", "add it")]),
            bs.TransitionRefused("s", spend, [reason], [reason]),
            bs.ConcurrencyConflict("s", 3, 4),
            bs.UnknownStartup("sqlite://", "s"),
            bs.JournalError("sqlite://", "broken", "restore it"),
            bs.DataFileError("a.md", 3, "bad", "fix it"),
            bs.RulebookError("b.toml", "phases[0]", "bad", "fix it"),
            bs.InvalidArgument("months", -1, "negative", "pass 1 or more"),
            bs.BetastateError("anything"),
        ]
        codes = []
        for error in errors:
            body = as_json(error)
            validator(bs.BetastateError).validate(body)
            codes.append(body["error"])

        assert len(errors) == len(set(codes))

    def test_amounts_are_fixed_point(self):
        """`Decimal("1E+3")` is written "1000", which the money pattern reads."""
        data = as_json(bs.Spend(on=dt.date(2025, 1, 1), by="sponsor", amount=Decimal("1E+3")))

        assert "1000" == data["amount"]
        validator(bs.Spend).validate(data)


# -- near-valid documents -------------------------------------------------------------------------

REPLACEMENTS = st.sampled_from(
    [
        None,
        True,
        0,
        -1,
        6.0,
        1.5,
        "",
        "x",
        "2025-02-30",
        "2025-01-06",
        "20250106",
        "12.50",
        "0",
        "-3",
        "1e3",
        " 12",
        "sponsor",
        "dinum",
        "continue",
        "docs.user",
        "Note",
        [],
        ["x"],
        {},
        {"role": "coach"},
        {"$date": "2025-01-06"},
    ]
)
TAGS = st.sampled_from(
    [*(cls.__name__ for cls in typing.get_args(bs.Command)), "Note", "Spent", "Nope", 7]
)


def locations(document: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a document, the root included."""
    found = [path]
    if isinstance(document, dict):
        for key, value in document.items():
            found.extend(locations(value, (*path, key)))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.extend(locations(value, (*path, index)))
    return found


def at(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


def variants(value: Any) -> list[Any]:
    """Values next to ``value``: the same number as a float or a string, an edited string..."""
    if isinstance(value, bool):
        return [int(value), str(value).lower(), None]
    if isinstance(value, int):
        return [float(value), str(value), value + 0.5, -value - 1, value + 1, True]
    if isinstance(value, float):
        return [int(value), str(value), value + 0.5]
    if isinstance(value, str):
        return ["", f"{value} ", value.upper(), f"x{value}", value[:-1], "0", "1e3", "2025-13-01"]
    return [0, "", {}, [], False]


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:  # noqa: PLR0912  (one branch per mutation)
    """``document`` with one thing changed: a key dropped, added, retyped, a list emptied..."""
    document = json.loads(json.dumps(document))
    places = locations(document)
    leaves = [p for p in places if not isinstance(at(document, p), dict | list)]
    path = draw(
        st.sampled_from(leaves) if leaves and draw(st.booleans()) else st.sampled_from(places)
    )
    target = at(document, path)
    operations = ["replace"] if isinstance(target, dict | list) else ["replace", "retype", "retype"]
    if isinstance(target, dict):
        operations += ["drop", "add", "retag"] if target else ["add"]
    if isinstance(target, list):
        operations += ["empty", "double", "scalar"]
    operation = draw(st.sampled_from(operations))
    if operation == "replace":
        new = draw(REPLACEMENTS | st.sampled_from([at(document, p) for p in locations(document)]))
        if not path:
            return new
        at(document, path[:-1])[path[-1]] = json.loads(json.dumps(new))
    elif operation == "retype":
        new = draw(st.sampled_from(variants(target)))
        if not path:
            return new
        at(document, path[:-1])[path[-1]] = new
    elif operation == "drop":
        del target[draw(st.sampled_from(sorted(target)))]
    elif operation == "add":
        target[draw(st.sampled_from(["colour", "_type", "on", "by", "role", "grants"]))] = draw(
            REPLACEMENTS
        )
    elif operation == "retag":
        target["_type"] = draw(TAGS)
    elif operation == "empty":
        target.clear()
    elif operation == "double" and target:
        target.append(json.loads(json.dumps(target[0])))
    elif operation == "scalar":
        if not path:
            return "x"
        at(document, path[:-1])[path[-1]] = "x"
    return document


VALUES: dict[str, st.SearchStrategy[Any]] = {
    "commands": commands,
    "events": all_events,
    "startups": startups,
    "command pairs": commands.map(lambda c: [c, c]),
    "states": st.builds(lambda s: bs.Lifecycle().state(s), startups),
    "records": findings
    | st.builds(
        bs.Reason,
        rule=st.just("BR-02"),
        severity=st.sampled_from(list(bs.Severity)),
        message=st.text(max_size=5),
        fix=st.text(max_size=5),
    ),
    "rulebook": st.just(bs.rulebook()),
}
"""Valid values to mutate, by name (so that a failure prints a short strategy)."""


@st.composite
def near(draw: st.DrawFn, name: str) -> Any:
    """A value of ``VALUES[name]`` as JSON, changed one to three times."""
    document = as_json(draw(VALUES[name]))
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        document = draw(mutated(document))
    return document


def agrees(document: Any, kind: Any) -> None:
    """`from_data` accepts the document exactly when jsonschema says it validates."""
    valid = validator(kind).is_valid(document)
    errors = [] if valid else [e.message for e in validator(kind).iter_errors(document)][:3]

    assert valid == accepted(document, kind), (document, errors)


MORE = settings(max_examples=200)


class TestAcceptedExactlyWhenValid:
    @MORE
    @given(near("commands"))
    def test_commands(self, document):
        """Near-valid commands: accepted exactly when they validate as a Command."""
        agrees(document, bs.Command)

    @MORE
    @given(near("events"))
    def test_events(self, document):
        """Near-valid events: accepted exactly when they validate as an Event."""
        agrees(document, bs.Event)

    @MORE
    @given(near("startups"))
    def test_startups(self, document):
        """Near-valid startups (histories, free extra data): the same verdict both ways."""
        agrees(document, bs.Startup)

    @MORE
    @given(near("command pairs"))
    def test_lists(self, document):
        """Near-valid lists of commands: the same verdict both ways."""
        agrees(document, list[bs.Command])

    @MORE
    @given(near("states"))
    def test_states(self, document):
        """Near-valid startup states: the same verdict both ways."""
        agrees(document, bs.StartupState)

    @MORE
    @given(near("records"))
    def test_reasons_and_findings(self, document):
        """Near-valid findings and reasons: the same verdict both ways."""
        agrees(document, bs.Finding | bs.Reason)

    @settings(max_examples=30)
    @given(near("rulebook"))
    def test_rulebooks_accepted_only_if_valid(self, document):
        """A near-valid rulebook is accepted only if it validates (its own checks go further).

        A rulebook checks more than any schema can say: transitions name declared phases,
        thresholds their declared types, permissions declared roles. Those come back as
        problems too, with a pointer.
        """
        valid = validator(bs.Rulebook).is_valid(document)

        assert accepted(document, bs.Rulebook) <= valid


class TestProblems:
    def test_unknown_type_lists_the_valid_ones(self):
        """An unknown `_type` is a problem at /_type that lists every command."""
        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data({"_type": "Spent", "on": "2025-01-06"}, bs.Command)

        (problem,) = caught.value.problems
        assert "/_type" == problem.path
        assert all(cls.__name__ in problem.fix for cls in typing.get_args(bs.Command))

    def test_missing_type_lists_the_valid_ones(self):
        """A missing `_type` is a problem at /_type that lists every event."""
        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data({"on": "2025-01-06"}, bs.Event)

        (problem,) = caught.value.problems
        assert "/_type" == problem.path
        assert "PhaseEntered" in problem.fix
        assert "BudgetPublished" in problem.fix

    def test_every_problem_at_once_with_pointers(self):
        """All problems come at once, each at its JSON Pointer, deep in a history too."""
        document = {
            "slug": "a/b",
            "title": "T",
            "history": [
                {"_type": "Note", "on": "2025-01-06"},
                {"_type": "Spent", "on": "2025-13-01", "amount": "0"},
            ],
            "extra": {"a~b": {"$date": "never"}},
            "colour": "blue",
        }

        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(document, bs.Startup)

        assert ["/slug", "/history/1/on", "/history/1/amount", "/extra/a~0b/$date", "/colour"] == [
            p.path for p in caught.value.problems
        ]
        assert isinstance(caught.value, bs.BetastateError)
        assert isinstance(caught.value, ValueError)

    def test_empty_slug(self):
        """A slug must not be empty (the site's file-name pattern), and the schema says so."""
        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data({"slug": "", "title": "T"}, bs.Startup)

        assert ["/slug"] == [p.path for p in caught.value.problems]
        assert re.search(bs.json_schema(bs.Startup)["properties"]["slug"]["pattern"], "") is None

    def test_by_takes_the_role_shorthand(self):
        """`"by": "sponsor"` in JSON works as `by="sponsor"` does in Python."""
        data = {"_type": "Launch", "on": "2025-01-06", "by": "sponsor"}

        assert bs.Launch(on=dt.date(2025, 1, 6), by="sponsor") == bs.from_data(data, bs.Command)

    def test_shorthand_only_where_python_has_it(self):
        """An event's `by` and a committee's attendees take actors, as in Python."""
        data = {"_type": "Note", "on": "2025-01-06", "by": "sponsor"}

        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(data, bs.Event)

        assert ["/by"] == [p.path for p in caught.value.problems]

    def test_record_refuses_a_phase_change_with_a_reason(self):
        """A Record carrying a phase entry is refused at /event/_type, pointing to Advance."""
        data = {
            "_type": "Record",
            "by": "coach",
            "event": {"_type": "PhaseEntered", "on": "2025-01-06", "phase": "construction"},
        }

        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(data, bs.Command)

        (problem,) = caught.value.problems
        assert "/event/_type" == problem.path
        assert "Advance" in problem.fix

    def test_rulebook_cross_reference_has_a_path(self):
        """A transition to an undefined phase is a problem at the transition's pointer."""
        data = as_json(bs.rulebook())
        data["transitions"][3]["dest"] = "nowhere"

        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(data, bs.Rulebook)

        assert ["/transitions/3"] == [p.path for p in caught.value.problems]
        assert "nowhere" in caught.value.problems[0].message

    def test_whole_numbers_written_as_floats(self):
        """6.0 is an integer in JSON Schema; it is read as 6 (and 70000.0 euros as 70000)."""
        data = {"_type": "HoldCommittee", "on": "2025-01-06", "by": "sponsor"}
        data |= {"decision": "continue", "months": 6.0}
        spend = {"_type": "Spend", "on": "2025-01-06", "by": "sponsor", "amount": 70000.0}

        assert 6 == bs.from_data(data, bs.HoldCommittee).months
        assert Decimal(70000) == bs.from_data(spend, bs.Command).amount

    def test_files_still_raise_data_file_errors(self):
        """A bad portfolio file is a DataFileError naming the file, caused by InvalidData."""
        text = json.dumps({"betastate": 1, "startups": [{"slug": "", "title": "T"}]})

        with pytest.raises(bs.DataFileError) as caught:
            bs.portfolio_from_json(text, file="p.json")

        assert "p.json" == caught.value.file
        assert "/startups/0/slug" in caught.value.problem
        assert isinstance(caught.value.__cause__, bs.InvalidData)

    def test_retract_names_a_place_and_says_why(self):
        """A Retract at version 0 with a blank reason: both problems, as the schema states them."""
        data = {
            "_type": "Retract",
            "on": "2025-06-01",
            "by": "sponsor",
            "version": 0,
            "reason": " ",
        }

        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(data, bs.Command)

        assert ["/version", "/reason"] == [p.path for p in caught.value.problems]
        assert not validator(bs.Command).is_valid(data)
        assert not validator(bs.Command).is_valid({**data, "reason": "\t"})
        assert validator(bs.Command).is_valid({**data, "version": 1, "reason": "mauvaise date"})

    def test_the_message_lists_each_problem(self):
        """`str(InvalidData)` says what, where and how to fix, one line per problem."""
        error = bs.InvalidData("Spend", [bs.Problem("/on", "missing", "add it")])

        assert "not a valid Spend (1 problem):\n- /on: missing. Fix: add it." == str(error)


class TestValuesWithoutASchema:
    def test_round_trip_through_the_converter(self):
        """A value with no JSON form (a set inside) still comes back from its `to_data`."""
        rates = bs.DailyRates(days_per_week=4)

        assert rates == bs.from_data(bs.to_data(rates), bs.DailyRates)

    @pytest.mark.parametrize("document", ["x", 5, [], {"by_domaine": 5}, {"statuses": 3}])
    def test_wrong_shapes_are_invalid_data(self, document):
        """A document of the wrong shape is InvalidData with a fix, never a traceback."""
        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data(document, bs.DailyRates)

        assert caught.value.problems
        assert all(problem.fix for problem in caught.value.problems)

    def test_a_values_own_check_keeps_its_words(self):
        """A value's own refusal (a range from high to low) is one problem with its fix."""
        with pytest.raises(bs.InvalidData) as caught:
            bs.from_data({"fallback": ["9", "1"]}, bs.DailyRates)

        [problem] = caught.value.problems
        assert "write (1, 9)" == problem.fix
        assert "Fix:" not in problem.message


class TestClassesLoadedLazily:
    @pytest.mark.parametrize(
        ("module", "name"),
        [("betastate._analytics.forecast", "Forecast"), ("betastate._analytics.lessons", "Lesson")],
    )
    def test_schema_of_a_class_imported_from_its_module(self, module, name):
        """A class imported before `betastate.X` resolved its annotations still has a schema."""
        script = (
            f"from {module} import {name}\n"
            "import betastate, json\n"
            f"print(json.dumps(betastate.json_schema({name})))\n"
        )
        done = subprocess.run(  # a fresh interpreter: this one resolved them already
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
        )

        assert "" == done.stderr
        schema = json.loads(done.stdout)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["properties"]


class TestPatternsMeanWhatTheValuesCheck:
    """The schemas' patterns say exactly what the validators refuse, in any regex engine."""

    def test_not_blank_is_what_isspace_is_not(self):
        """The explicit class matches every character str.isspace says is not a space."""
        not_blank = re.compile(bs_fields.NOT_BLANK_PATTERN)

        disagree = [
            hex(code)
            for code in range(sys.maxunicode + 1)
            if (not_blank.fullmatch(chr(code)) is None) != chr(code).isspace()
        ]

        assert [] == disagree

    def test_the_pattern_has_no_engine_specific_class(self):
        """No \\s, \\S, \\w or \\d: JavaScript and Python read those differently."""
        for pattern in (bs_fields.NOT_BLANK_PATTERN, bs_fields.SLUG_PATTERN):
            assert not re.search(r"\\[sSwWdD]", pattern), pattern

    @pytest.mark.parametrize(
        ("day", "accepted"),
        [("1900-01-01", True), ("2999-12-31", True), ("1899-12-31", False), ("3000-01-01", False)],
    )
    def test_date_bounds(self, day, accepted):
        """The bounded date pattern ends where MIN_DATE and MAX_DATE do."""
        schema = bs.json_schema(bs.Note)["properties"]["on"]

        assert accepted == bool(re.search(schema["pattern"], day))
        assert accepted == (bs_fields.MIN_DATE <= dt.date.fromisoformat(day) <= bs_fields.MAX_DATE)
