"""Threshold types and ranges, lookups of a rulebook's parts, and odd files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import betastate as bs
from betastate._rules import thresholds as types


class TestKinds:
    @pytest.mark.parametrize(
        ("annotation", "kind"),
        [
            ("dt.date", "date"),
            ("Decimal", "money"),
            ("tuple[str, ...]", "strings"),
            ("int", "count"),
            ("str", "strings"),
            (int, "count"),
        ],
    )
    def test_a_new_field_gets_its_kind_from_its_annotation(self, annotation, kind):
        """A Thresholds field not in the table is typed by its annotation (dates included)."""
        assert kind == types.kind_of_annotation(annotation)

    @pytest.mark.parametrize(
        ("kind", "value", "low", "high", "problem"),
        [
            ("money", "12", None, None, "exact number"),
            ("money", True, None, None, "exact number"),
            ("money", Decimal("NaN"), None, None, "not a finite number"),
            ("money", Decimal(-1), Decimal(0), None, "below 0"),
            ("share", Decimal("1.5"), Decimal(0), Decimal(1), "above 1"),
            ("days", True, None, None, "whole number"),
            ("days", -1, None, None, "below 0"),
            ("months", 2.5, None, None, "whole number"),
            ("date", dt.datetime(2025, 1, 1, tzinfo=dt.UTC), None, None, "expected a date"),
            ("date", "2025-01-01", None, None, "expected a date"),
            ("roles", "sponsor", None, None, "list of names"),
            ("roles", ("sponsor", " "), None, None, "expected names"),
            ("edition-caps", 3, None, None, "pairs"),
            ("edition-caps", ((12,),), None, None, "pair"),
            ("edition-caps", ((True, 10),), None, None, "edition number"),
            ("edition-caps", ((12, "x"),), None, None, "edition 12"),
            ("weeks", 3, None, None, "unknown threshold kind"),
        ],
    )
    def test_bad_values(self, kind, value, low, high, problem):
        """Each kind refuses values of another type or out of range, saying why."""
        assert problem in (types.check_value(kind, value, low, high) or "")

    @pytest.mark.parametrize(
        ("kind", "value", "low", "high"),
        [
            ("money", Decimal("150000.50"), Decimal(0), types.MAX_AMOUNT),
            ("share", Decimal("0.5"), Decimal(0), Decimal(1)),
            ("date", dt.date(2025, 1, 1), None, None),
            ("edition-caps", ((12, Decimal(300000)),), Decimal(0), types.MAX_AMOUNT),
        ],
    )
    def test_good_values(self, kind, value, low, high):
        """Values of the kind within range pass."""
        assert types.check_value(kind, value, low, high) is None

    @pytest.mark.parametrize(
        ("kind", "raw", "coerced"),
        [
            ("money", 0.5, Decimal("0.5")),
            ("money", "1e3", Decimal("1E+3")),
            ("money", "lots", "lots"),
            ("money", [1], [1]),
            ("money", True, True),
            ("roles", ["a"], ("a",)),
            ("edition-caps", [[12, 300000]], ((12, Decimal(300000)),)),
            ("edition-caps", [[12]], ([12],)),
            ("days", 3, 3),
        ],
    )
    def test_coerce(self, kind, raw, coerced):
        """TOML values become the kind's shape; anything else is left for check_value."""
        assert coerced == types.coerce(kind, raw)

    def test_parse(self):
        """A declared threshold's text is read back in its type, or refused."""
        assert dt.date(2025, 1, 1) == types.parse("date", "2025-01-01")
        assert Decimal("0.5") == types.parse("share", "0.5")
        with pytest.raises(ValueError, match="days"):
            types.parse("days", "soon")
        with pytest.raises(ValueError, match="unknown kind"):
            types.parse("weeks", "3")

    def test_declared_bounds(self):
        """Bounds of a declared threshold are numbers; others are refused."""
        assert Decimal(5) == bs.ThresholdDef(type="days", value=3, min=5).min
        with pytest.raises(TypeError, match="bound"):
            bs.ThresholdDef(type="days", value=3, min=True)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="bound"):
            bs.ThresholdDef(type="days", value=3, min="five")

    def test_thresholds_refuse_bad_values_when_made(self):
        """Thresholds(...) made in Python refuse a value out of range, naming it."""
        with pytest.raises(ValueError, match=r"Thresholds\.committee_interval_months"):
            bs.Thresholds(committee_interval_months=0)

    def test_fast_cap_by_edition(self):
        """An edition listed has its own cap, others the general one."""
        th = bs.rulebook().thresholds

        assert Decimal(300000) == th.fast_cap_for(12)
        assert Decimal(200000) == th.fast_cap_for(16)
        assert "edition-caps" == th.kind("fast_cap_by_edition")


class TestLookups:
    def test_roles_and_badges(self):
        """Roles, labels and badges are looked up by value, with a fallback language."""
        book = bs.rulebook()

        assert "Sponsor" == book.role("sponsor").label("de")
        assert "en investigation" == book.phase("investigation").badge("fr")
        assert "en investigation" == book.phase("investigation").badge(None)
        assert bs.rulebook("govuk").phase("live").badge() is None
        assert "Investigations non concluantes" == book.phase("abandon-investigation").label_fr
        with pytest.raises(KeyError, match="sponsor"):
            bs.rulebook("govuk").role("sponsor")
        with pytest.raises(KeyError, match="discovery"):
            bs.rulebook("govuk").phase("investigation")

    def test_may_an_unknown_decision(self):
        """may() of a decision the rulebook has no entry for raises: nothing open by omission."""
        with pytest.raises(bs.RulebookError, match=r"permissions\.vote"):
            bs.rulebook().may("sponsor", "vote")

    def test_gates(self):
        """Gates are found by name, Python ones and declared ones alike."""
        govuk = bs.rulebook("govuk")

        assert govuk.has_gate("alpha_assessment")
        assert ("GOV-ALPHA",) == govuk.gate("alpha_assessment").rules
        assert not govuk.has_gate("sponsor_budget_line_x")

    def test_gate_needs_rule_ids(self):
        """gate() without a rule id is a TypeError saying how to call it."""
        with pytest.raises(TypeError, match="rule ids"):
            bs.gate()

    def test_lint_a_missing_file(self, tmp_path):
        """lint_rulebook of a missing file is a RulebookError, not a list of problems."""
        with pytest.raises(bs.RulebookError, match="no such rulebook file"):
            bs.lint_rulebook(tmp_path / "absent.toml")

    @pytest.mark.parametrize(
        ("text", "key"),
        [
            ('[rulebook]\nname = "x"\nrules = 3\n', "rulebook"),
            ('rules = 3\n[rulebook]\nname = "x"\n', "rules"),
            ('thresholds = 3\n[rulebook]\nname = "x"\n', "thresholds"),
            ('phases = 3\n[rulebook]\nname = "x"\n', "phases"),
        ],
    )
    def test_sections_of_the_wrong_shape(self, tmp_path, text, key):
        """A section that is not a table (or list of tables) is a problem naming it."""
        path = tmp_path / "odd.toml"
        path.write_text(text, encoding="utf-8")

        assert key in [p.key for p in bs.lint_rulebook(path)]


class TestPresetsLoadFromFiles:
    @pytest.mark.parametrize("name", ["betagouv", "govuk"])
    def test_a_copy_loads_and_equals_the_preset(self, tmp_path, name):
        """A copy of each preset file loads and equals the built-in (origin aside)."""
        source = Path(bs.__file__).parent / "_rules" / "presets" / f"{name}.toml"
        copy = tmp_path / f"{name}.toml"
        copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")

        assert bs.rulebook(name) == bs.rulebook(copy)
        assert bs.rulebook(name) == bs.from_data(bs.to_data(bs.rulebook(name)), bs.Rulebook)
