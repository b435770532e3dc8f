"""Rulebooks as data: the built-in one, derived variants, your own files, broken files."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

import betastate as bs


BUILTIN = Path(bs.__file__).parent / "_rules" / "presets" / "betagouv.toml"


def held(startup: bs.Startup, on: dt.date) -> bs.Startup:
    """The startup with a committee held on ``on`` (moves decided at committee, N1)."""
    return bs.Startup(
        slug=startup.slug,
        title=startup.title,
        history=(*startup.history, bs.CommitteeHeld(on=on)),
    )


@pytest.fixture(name="book", scope="module")
def _book() -> bs.Rulebook:
    return bs.rulebook("betagouv")


class TestBetagouv:
    def test_eight_statuses(self, book):
        """The 8 statuses of brief §3.1, with French and English labels."""
        assert {p.value for p in bs.Phase} == set(book.phase_values)
        assert "Investigations non concluantes" == book.phase("abandon-investigation").label_fr
        assert "Transferred" == book.phase("transfere").label("en")

    def test_terminal_and_active(self, book):
        """Terminal: the exits and the stops; `opere` is terminal yet active (W-MODEL)."""
        terminal = {p.value for p in book.phases if p.terminal}
        active = {p.value for p in book.phases if p.active}

        assert {"opere", "transfere", "abandon", "abandon-investigation"} == terminal
        assert {"investigation", "construction", "acceleration", "consolidation", "opere"} == active

    def test_lifecycle_rank_orders_stages(self, book):
        """Rank follows the lifecycle, stops at the end of the stage they stop, exits last."""
        order = ["investigation", "construction", "acceleration", "consolidation", "transfere"]
        ranks = [book.rank(p) for p in order]

        assert ranks == sorted(ranks)
        assert (
            book.rank("investigation")
            < book.rank("abandon-investigation")
            < book.rank("construction")
        )
        assert book.rank("consolidation") < book.rank("abandon") < book.rank("transfere")

    def test_transitions_cite_sources_and_deciders(self, book):
        """Every transition has an id, a source key and at least one deciding role."""
        for transition in book.transitions:
            assert transition.source, transition.id
            assert transition.deciders, transition.id

    def test_data_only_moves(self, book):
        """T12 and T16-T21 are the data-only moves of brief §5.2 N8."""
        data_only = {t.id for t in book.transitions if t.data_only}

        assert {
            "T12",
            "T16a",
            "T16b",
            "T17",
            "T18",
            "T19",
            "T20a",
            "T20b",
            "T20c",
            "T20d",
            "T21",
        } == data_only

    def test_rules_have_severity_and_source(self, book):
        """Every rule has an id, a severity and a source key."""
        for rule in book.rules:
            assert rule.source, rule.id
            assert rule.severity in set(bs.Severity)

    def test_legacy_names(self, book):
        """Legacy names map as observed in the May 2026 migration; alumni depends on the past."""
        assert "consolidation" == book.map_legacy("transfer")
        assert "consolidation" == book.map_legacy("perennisation")
        assert "transfere" == book.map_legacy("success")
        assert "abandon-investigation" == book.map_legacy("alumni", previous="investigation")
        assert "abandon" == book.map_legacy("alumni", previous="construction")
        assert book.map_legacy("construction") is None

    def test_first_committee_threshold(self, book):
        """BR-08: the sponsor budget line threshold is 150 k€ by default."""
        assert Decimal(150000) == book.thresholds.first_committee_budget_line

    def test_builtin_is_shared(self):
        """Loading the built-in twice gives the same immutable value."""
        assert bs.rulebook("betagouv") is bs.rulebook("betagouv")


class TestDerive:
    def test_overrides(self, book):
        """A derived rulebook changes a threshold and a severity; the parent is unchanged."""
        derived = book.derive(
            severities={"N8": "warning"}, thresholds={"first_committee_budget_line": 200000}
        )

        assert bs.Severity.WARNING == derived.severity("N8")
        assert Decimal(200000) == derived.thresholds.first_committee_budget_line
        assert bs.Severity.ERROR == book.severity("N8")
        assert derived != book

    def test_downgraded_rule_warns(self, book):
        """With N8 downgraded, a data-only move is accepted with a warning."""
        lenient = bs.Lifecycle(book.derive(severities={"N8": "warning"}))
        startup = bs.Startup(
            slug="p",
            title="P",
            history=[bs.PhaseEntered(on=dt.date(2024, 1, 1), phase="acceleration")],
        )

        outcome = lenient.apply(
            held(startup, dt.date(2025, 1, 1)),
            bs.Advance(on=dt.date(2025, 1, 1), to="opere", by="sponsor"),
        )

        assert "opere" == lenient.phase(outcome.startup)
        assert ["N8"] == [w.rule for w in outcome.warnings]

    def test_rule_turned_off(self, book):
        """A rule set to `off` no longer fires."""
        lenient = bs.Lifecycle(book.derive(severities={"BR-08": "off"}))
        startup = bs.Startup(
            slug="p",
            title="P",
            history=[bs.PhaseEntered(on=dt.date(2024, 1, 1), phase="investigation")],
        )

        outcome = lenient.apply(
            held(startup, dt.date(2024, 3, 1)),
            bs.Advance(on=dt.date(2024, 3, 1), to="construction", by="sponsor"),
        )

        assert () == outcome.warnings

    @pytest.mark.parametrize(
        ("overrides", "key"),
        [
            ({"severities": {"NOPE": "error"}}, "severities.NOPE"),
            ({"severities": {"N8": "loud"}}, "severities.N8"),
            ({"thresholds": {"colour": 1}}, "thresholds.colour"),
        ],
    )
    def test_bad_overrides(self, book, overrides, key):
        """An override naming an unknown rule, severity or threshold is a RulebookError."""
        with pytest.raises(bs.RulebookError) as info:
            book.derive(**overrides)

        assert key == info.value.key
        assert info.value.fix

    def test_custom_gate(self, book):
        """A derived rulebook can replace a gate with your own callable."""

        @bs.gate("BR-08")
        def always_refuse(ctx: bs.GateContext):
            yield bs.Violation(
                "BR-08", f"{ctx.startup.slug} refused by a local gate", "ask the board"
            )

        strict = bs.Lifecycle(book.derive(gates={"sponsor_budget_line": always_refuse}))
        startup = bs.Startup(
            slug="p",
            title="P",
            history=[bs.PhaseEntered(on=dt.date(2024, 1, 1), phase="investigation")],
        )
        verdict = strict.check(
            held(startup, dt.date(2024, 3, 1)),
            bs.Advance(
                on=dt.date(2024, 3, 1), to="construction", by="sponsor", sponsor_budget_line=10**6
            ),
        )

        assert ["p refused by a local gate"] == [r.message for r in verdict.errors]

    def test_gates_are_not_shared_between_variants(self, book):
        """Two variants that differ only by a gate each run their own gate."""

        def refuse_with(text):
            @bs.gate("BR-08")
            def refuse(ctx):
                yield bs.Violation("BR-08", text, "none")

            return refuse

        startup = bs.Startup(
            slug="p",
            title="P",
            history=[bs.PhaseEntered(on=dt.date(2024, 1, 1), phase="investigation")],
        )
        command = bs.Advance(on=dt.date(2024, 3, 1), to="construction", by="sponsor")
        messages = [
            bs.Lifecycle(book.derive(gates={"sponsor_budget_line": refuse_with(text)}))
            .check(held(startup, dt.date(2024, 3, 1)), command)
            .errors[0]
            .message
            for text in ("first", "second")
        ]

        assert ["first", "second"] == messages


class TestOtherIncubator:
    def test_govuk_preset(self):
        """The GOV.UK preset drives the same engine with its own phases, roles and gates."""
        lifecycle = bs.Lifecycle(bs.rulebook("govuk"))
        startup = bs.Startup(slug="apply-for-a-licence", title="Apply for a licence")
        approval = bs.Note(on=dt.date(2024, 1, 2), name="spend-approved")
        startup = lifecycle.apply(startup, bs.Record(event=approval, by="spend-control")).startup
        startup = lifecycle.apply(
            startup, bs.Advance(on=dt.date(2024, 1, 8), to="discovery", by="service-owner")
        ).startup

        assert "discovery" == lifecycle.phase(startup)
        with pytest.raises(bs.TransitionRefused) as info:
            lifecycle.apply(
                startup, bs.Advance(on=dt.date(2024, 6, 1), to="live", by="service-owner")
            )
        assert ["BS-MOVE"] == [r.rule for r in info.value.reasons]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return path


class TestBrokenFiles:
    def base(self) -> str:
        return BUILTIN.read_text(encoding="utf-8")

    @pytest.mark.parametrize(
        ("edit", "key", "problem"),
        [
            (
                lambda t: t.replace("[thresholds]\n", "[thresholds]\ncolour = 1\n"),
                "thresholds",
                "colour",
            ),
            (
                lambda t: t.replace('dest = "acceleration"', 'dest = "hyperspace"', 1),
                "T04",
                "hyperspace",
            ),
            (
                lambda t: t.replace('gates = ["sponsor_budget_line"]', 'gates = ["money_tree"]'),
                "gates",
                "money_tree",
            ),
            (lambda t: t.replace("rank = 1\n", 'rank = "first"\n', 1), "phases", "integer"),
            (lambda t: t.replace('severity = "warning"', 'severity = "loud"', 1), "rules", "loud"),
            (
                lambda t: t + '\n[[legacy]]\nvalue = "old"\nbecomes = "nowhere"\n',
                "legacy",
                "nowhere",
            ),
            (lambda t: t.replace("[rulebook]", "[rulebook", 1), "syntax", ""),
        ],
        ids=[
            "unknown-key",
            "undefined-phase",
            "unknown-gate",
            "wrong-type",
            "bad-severity",
            "bad-legacy",
            "syntax",
        ],
    )
    def test_error_names_file_key_and_fix(self, tmp_path, edit, key, problem):
        """A broken file raises RulebookError naming the file, the key and a fix."""
        path = write(tmp_path, edit(self.base()))

        with pytest.raises(bs.RulebookError) as info:
            bs.rulebook(path)

        error = info.value
        assert str(path) == error.file
        assert key in error.key + " " + error.problem
        assert problem in str(error)
        assert error.fix

    def test_missing_file(self, tmp_path):
        """A path that does not exist is a RulebookError, not an OSError."""
        with pytest.raises(bs.RulebookError, match="no such rulebook file"):
            bs.rulebook(tmp_path / "absent.toml")

    def test_not_utf8(self, tmp_path):
        """A file that is not UTF-8 is a RulebookError."""
        path = tmp_path / "latin1.toml"
        path.write_bytes("title = 'Opéré'".encode("latin-1"))

        with pytest.raises(bs.RulebookError, match="UTF-8"):
            bs.rulebook(path)

    @pytest.mark.parametrize("header", ["[rulebook]", "[permissions]", "[rules.BS-CHRONO]"])
    def test_table_written_as_an_array(self, tmp_path, header):
        """`[[rulebook]]` for `[rulebook]`: a problem at its key, not an AttributeError (fuzz)."""
        text = re.sub(
            f"^{re.escape(header)}$", f"[{header}]", self.base(), count=1, flags=re.MULTILINE
        )
        path = tmp_path / "array.toml"
        path.write_text(text, encoding="utf-8")

        with pytest.raises(bs.RulebookError) as caught:
            bs.rulebook(path)

        [problem] = caught.value.problems
        assert header.strip("[]") == problem.key
        assert "expected a table, got a list of 1" == problem.message

    def test_huge_file(self, tmp_path):
        """A file over the size cap is refused before it is parsed (fuzzing found 300 MB peaks)."""
        path = tmp_path / "huge.toml"
        path.write_bytes(self.base().encode() + b"# " + b"x" * (2 * 1024 * 1024) + b"\n")

        with pytest.raises(bs.RulebookError, match="larger than 1,048,576 bytes") as caught:
            bs.rulebook(path)

        assert str(path) == caught.value.file

    def test_special_file(self, tmp_path):
        """A FIFO named as the rulebook is refused at once: nothing waits for a writer."""
        path = tmp_path / "fifo.toml"
        os.mkfifo(path)

        with pytest.raises(bs.RulebookError, match="not a regular file: a FIFO"):
            bs.rulebook(path)

    def test_folder(self, tmp_path):
        """A folder named as the rulebook says so (it read "no such rulebook file")."""
        with pytest.raises(bs.RulebookError, match="not a regular file: a folder"):
            bs.rulebook(tmp_path)

    def test_byte_order_mark(self, tmp_path):
        """A file saved with a UTF-8 BOM (as some editors do) loads as without it."""
        path = tmp_path / "bom.toml"
        path.write_bytes(b"\xef\xbb\xbf" + self.base().encode())

        assert bs.rulebook("betagouv") == bs.rulebook(path)

    def test_valid_copy_loads(self, tmp_path):
        """An unchanged copy of the built-in file loads and equals the built-in."""
        assert bs.rulebook("betagouv") == bs.rulebook(write(tmp_path, self.base()))
