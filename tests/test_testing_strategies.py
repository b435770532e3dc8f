"""betastate.testing.strategies: what they draw is well formed, round-trips, and is what it says."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import itertools
import json
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import betastate as bs
from betastate import testing as bt
from betastate.testing import _planning as planning
from betastate.testing import strategies as bts
from betastate.testing._paths import as_rulebook
from betastate.testing._source import source


class _KindFirst(planning.First):
    """One kind of refusal tried first, then the option at ``offset`` at every choice."""

    def __init__(self, kind: planning.RefusalBuilder, offset: int) -> None:
        self.kind = kind
        self.offset = offset

    def one(self, options, label):
        return options[self.offset % len(options)]

    def order(self, options, label):
        if label == "kind of refusal":
            return [self.kind, *(option for option in options if option is not self.kind)]
        turn = self.offset % max(len(options), 1)
        return [*options[turn:], *options[:turn]]


PRESETS = ("betagouv", "govuk")


def examples(share: int) -> settings:
    """A share of the profile's examples (``FAST=1``, ``CI=true``): these tests draw a lot."""
    return settings(max_examples=max(3, settings.default.max_examples // share))


NOT_VALUES = {
    # Results of portfolio queries: computed from values, never stored or sent.
    "Cadence", "Cadences", "Counts", "Designation", "Designations", "Estimate", "Funnel",
    "FunnelStep", "Grouped", "Laureate", "Laureates", "Series", "SpendEstimate",
    "SurvivalCurve", "Forecast", "Backtest", "Affinity", "Asset", "Evidence", "Lesson",
    "Related", "StopPattern", "RulebookProblem", "LeftOut", "Written",
    # The parameters of a query (daily rates of a spend estimate).
    "DailyRates",
    # Callables and what they see, not data.
    "Gate", "GateContext", "Lifecycle",
}  # fmt: skip
"""Public attrs classes that are no values a strategy should draw (and why)."""


def _per_type_schema() -> bool:
    """Whether betastate.json_schema takes a type (a per-type schema) yet."""
    return bool(inspect.signature(bs.json_schema).parameters)


def schema_for(kind: Any) -> dict[str, Any] | None:
    """
    The JSON Schema betastate publishes for ``kind``, or ``None`` when it has none yet.

    Today :func:`betastate.json_schema` is the portfolio document, whose ``$defs``
    define the startup, the events and the values they are made of: a type's
    schema is a reference into them. Once ``json_schema`` takes a type, its own
    schema is used instead, for every type it covers.
    """
    if _per_type_schema():
        try:  # a portfolio as the document, with its format version (as as_json writes it)
            return bs.json_schema(None if kind is bs.Portfolio else kind)
        except (TypeError, ValueError, bs.BetastateError):
            return None
    document = _portfolio_schema()
    defs = document["$defs"]
    if kind is bs.Portfolio:
        return document
    if kind is bs.Event:
        events = [name for name, d in defs.items() if "_type" in d.get("properties", {})]
        return {"$defs": defs, "oneOf": [{"$ref": f"#/$defs/{name}"} for name in events]}
    name = getattr(kind, "__name__", "")
    if name not in defs:
        return None
    return {"$schema": document["$schema"], "$defs": defs, "$ref": f"#/$defs/{name}"}


@functools.cache
def _portfolio_schema() -> dict[str, Any]:
    return bs.json_schema()


_validators: dict[Any, Any] = {}


def validator(kind: Any) -> Any:
    """A compiled validator of ``kind``'s schema (``None`` without one), checked once."""
    if kind not in _validators:
        schema = schema_for(kind)
        if schema is not None:
            jsonschema.Draft202012Validator.check_schema(schema)
        _validators[kind] = None if schema is None else jsonschema.Draft202012Validator(schema)
    return _validators[kind]


def as_json(value: Any) -> Any:
    """``value`` as betastate JSON, through text (plain dicts, lists, strings, numbers)."""
    data = bs.to_data(value)
    if isinstance(value, bs.Portfolio):
        data = {"betastate": bs.SCHEMA_VERSION, **data}
    return json.loads(json.dumps(data))


def round_trips(value: Any, kind: Any = None) -> None:
    """``value`` survives the converter unchanged and validates against its JSON Schema."""
    kind = kind or type(value)
    data = as_json(value)
    body = {k: v for k, v in data.items() if k != "betastate"} if kind is bs.Portfolio else data

    assert value == bs.from_data(body, kind)
    checker = validator(kind)
    if checker is not None:
        checker.validate(data)


def apply_all(rulebook: Any, startup: bs.Startup, commands: Any) -> bs.Startup:
    lifecycle = bs.Lifecycle(rulebook)
    for command in commands:
        startup = lifecycle.apply(startup, command).startup
    return startup


class TestEveryValue:
    def test_every_public_value_has_a_strategy(self):
        """values() covers every public attrs class of betastate that is a value."""
        public = {
            name
            for name in bs.__all__
            if isinstance(getattr(bs, name), type) and attrs.has(getattr(bs, name))
        }
        covered = {kind.__name__ for kind in bts.value_types()}

        assert set() == public - covered - NOT_VALUES
        assert set() == covered - public

    @pytest.mark.parametrize("kind", bts.value_types(), ids=lambda k: k.__name__)
    @examples(10)
    @given(data=st.data())
    def test_round_trip(self, kind, data):
        """Every value values(kind) draws round-trips and validates against its schema."""
        round_trips(data.draw(bts.values(kind)), kind)

    @examples(2)
    @given(bts.values(bs.Event), bts.values(bs.Command))
    def test_unions(self, event, command):
        """Any event and any command round-trip as members of their tagged unions."""
        round_trips(event, bs.Event)
        round_trips(command, bs.Command)

    def test_schema_picks_definitions(self):
        """The schema helper names the definition of a covered type, and none for the others."""
        startup = schema_for(bs.Startup) or {}
        if _per_type_schema():  # the Startup schema itself
            assert "betastate Startup, format version 1" == startup["title"]
        else:  # a reference into the portfolio document's definitions
            assert {"$ref": "#/$defs/Startup"}.items() <= startup.items()
        assert schema_for(bs.Advance) is None or _per_type_schema()
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"slug": "x"}, schema_for(bs.Startup) or {})

    def test_unknown_type(self):
        """values() of something that is no betastate value says what it takes."""
        with pytest.raises(TypeError, match="public value and command types"):
            bts.values(dict)

    @examples(2)
    @given(bts.values(bs.Command))
    def test_source_rebuilds_the_value(self, command):
        """The Python a failure report prints for a command builds that very command."""
        import datetime as dt  # noqa: PLC0415  (the names the source assumes)
        from decimal import Decimal  # noqa: PLC0415

        namespace = {"bs": bs, "dt": dt, "Decimal": Decimal}

        assert command == eval(source(command), namespace)  # noqa: S307  (our own text)


class TestStartups:
    @pytest.mark.parametrize(
        ("rulebook", "phase"),
        [(name, phase) for name in PRESETS for phase in bs.rulebook(name).phase_values],
    )
    @examples(10)
    @given(data=st.data())
    def test_in_the_phase_asked_for(self, rulebook, phase, data):
        """startups(phase=...) are in that phase, with a history the audit finds no error in."""
        startup = data.draw(bts.startups(rulebook, phase=phase))
        book = bs.rulebook(rulebook)

        assert phase == bs.Lifecycle(book).phase(startup)
        assert [] == [f for f in bs.audit(startup, book) if f.severity is bs.Severity.ERROR]
        round_trips(startup)

    @examples(4)
    @given(bts.histories("govuk"))
    def test_histories_are_dated_in_order(self, history):
        """A history is what the lifecycle made: dated in order, replayable event by event."""
        assert sorted(e.on for e in history) == [e.on for e in history]
        round_trips(bs.Startup(slug="h", title="H", history=history))

    def test_unknown_phase(self):
        """A phase the rulebook lacks is refused when the strategy is built."""
        with pytest.raises(ValueError, match="not a phase of rulebook 'govuk'"):
            bts.startups("govuk", phase="construction")


class TestCommands:
    @pytest.mark.parametrize("rulebook", PRESETS)
    @examples(3)
    @given(data=st.data())
    def test_valid_commands_are_accepted(self, rulebook, data):
        """Each step's evidence and command are accepted, in order, and round-trip."""
        startup = data.draw(bts.startups(rulebook))
        step = data.draw(bts.valid_commands(rulebook, startup))
        after = apply_all(rulebook, startup, step.commands)
        lifecycle = bs.Lifecycle(rulebook)

        if step.transition is not None:
            moved = [
                e
                for e in after.history[len(startup.history) :]
                if isinstance(e, bs.PhaseEntered | bs.Pivoted)
            ]
            assert 1 == len(moved)
            assert moved[0].phase == lifecycle.phase(after)
        for command in step.commands:
            round_trips(command, bs.Command)

    @pytest.mark.parametrize("rulebook", PRESETS)
    @examples(3)
    @given(data=st.data())
    def test_refused_commands_name_their_rules(self, rulebook, data):
        """After its evidence, a refused command is refused by exactly the rules it names."""
        startup = data.draw(bts.startups(rulebook))
        refusal = data.draw(bts.refused_commands(rulebook, startup))
        before = apply_all(rulebook, startup, refusal.evidence)
        verdict = bs.Lifecycle(rulebook).check(before, refusal.command)

        assert refusal.rules == tuple(sorted({r.rule for r in verdict.errors}))
        with pytest.raises(bs.TransitionRefused):
            bs.Lifecycle(rulebook).apply(before, refusal.command)
        round_trips(refusal.command, bs.Command)

    @examples(4)
    @given(data=st.data())
    def test_on_a_date(self, data):
        """valid_commands(on=...) dates the command on that day."""
        startup = data.draw(bts.startups("betagouv", phase="construction"))
        day = startup.last_event_date + dt.timedelta(days=data.draw(st.integers(1, 90)))
        step = data.draw(bts.valid_commands("betagouv", startup, on=day))

        assert {day} == {command.on for command in step.commands}

    def test_every_kind_of_refusal_is_drawn(self):
        """Across startups in every phase, each kind of refusal covers the engine's main rules."""
        book = as_rulebook("betagouv")
        lifecycle = planning.lifecycle_of(book)
        seen: set[str] = set()
        for path in bt.shortest_paths(book):
            startup = bs.Startup(slug="s", title="S")
            for step in path.steps:
                day = (startup.last_event_date or path.steps[0].commands[0].on) + dt.timedelta(1)
                for kind, offset in itertools.product(planning.REFUSALS, range(6)):
                    choices = _KindFirst(kind, offset)
                    refusal = planning.refusals(lifecycle, startup, day, choices)
                    seen.update(refusal.rules if refusal is not None else ())
                startup = planning.accepted(lifecycle, startup, step.commands)
                assert startup is not None

        common = {"BS-ACTOR", "BS-CHRONO", "BS-MOVE", "BS-PHASE", "BS-ROLE", "BR-01", "BR-02"}
        assert common <= seen
        assert len(seen) >= 9, seen

    @examples(10)
    @given(data=st.data())
    def test_reprs_are_python(self, data):
        """A step and a refusal print as the commands that build them."""
        startup = bs.Startup(slug="s", title="S")
        step = data.draw(bts.valid_commands("govuk", startup, on=dt.date(2025, 1, 6)))
        refusal = data.draw(bts.refused_commands("govuk", startup, on=dt.date(2025, 1, 6)))

        assert repr(step).startswith(f"Step({step.kind!r}")
        assert repr(refusal).startswith(f"Refusal({refusal.kind!r}, rules={refusal.rules!r}")
        assert source(step.command) in repr(step)
        assert source(refusal.command) in repr(refusal)


class TestRulebooks:
    @examples(4)
    @given(bts.rulebooks())
    def test_they_load_and_lint_clean(self, book):
        """A random rulebook has no problem at all, and round-trips."""
        assert () == book.lint()
        assert book == bs.from_data(json.loads(json.dumps(bs.to_data(book))), bs.Rulebook)

    @examples(4)
    @given(bts.rulebooks())
    def test_every_transition_plays(self, book):
        """The shortest paths of a random rulebook fire every transition its rules allow."""
        refuses_data_only = book.severity("N8") is bs.Severity.ERROR
        allowed = {t.id for t in book.transitions if not (t.data_only and refuses_data_only)}
        paths = bt.shortest_paths(book)

        assert allowed == {t for path in paths for t in path.transitions}
        for path in paths:
            assert path.reaches == bs.Lifecycle(book).phase(path.startup())

    @examples(4)
    @given(data=st.data())
    def test_commands_under_a_random_rulebook(self, data):
        """Valid and refused commands hold under rulebooks no one wrote by hand."""
        book = data.draw(bts.rulebooks())
        startup = data.draw(bts.startups(book))
        step = data.draw(bts.valid_commands(book, startup))
        refusal = data.draw(bts.refused_commands(book, startup))
        before = apply_all(book, startup, refusal.evidence)

        apply_all(book, startup, step.commands)
        assert refusal.rules == tuple(
            sorted({r.rule for r in bs.Lifecycle(book).check(before, refusal.command).errors})
        )


class TestFrontMatter:
    @settings(max_examples=max(5, settings.default.max_examples // 4))
    @given(
        files=st.lists(bts.frontmatter_files(), min_size=1, max_size=3, unique_by=lambda f: f.slug)
    )
    def test_the_loader_reads_what_the_file_says(self, tmp_path_factory, files):
        """load_portfolio reads each invented file as the startup it describes."""
        folder = tmp_path_factory.mktemp("content") / "_startups"
        folder.mkdir()
        for file in files:
            file.write(folder)
        portfolio = bs.load_portfolio(folder, missions=False)

        assert [f.startup for f in sorted(files, key=lambda f: f.slug)] == list(portfolio)
        assert [] == [f for f in portfolio.findings if f.code == "invalid-file"]
        for file in files:
            round_trips(file.startup)

    @examples(5)
    @given(bts.frontmatter_files())
    def test_the_format_is_the_sites(self, file):
        """Front matter between --- lines, phases as name/start entries, a body after."""
        head, _, body = file.text.partition("\n---\n")

        assert head.startswith("---\ntitle: ")
        assert "\nphases:\n  - name: " in head
        assert body == file.startup.body
        assert Path(file.name).stem == file.slug
