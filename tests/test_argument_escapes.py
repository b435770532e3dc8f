"""Functions given an argument they cannot use raise a betastate error naming it, never a crash."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import betastate as bs


DAY = dt.date(2024, 1, 1)
STARTUP = bs.Startup(slug="guichet", title="Guichet")
ADVANCE = bs.Advance(on=DAY, to="investigation", by="sponsor", co_deciders=["incubator"])
TEXT = "---\ntitle: Guichet\n---\n"


def journal() -> bs.journal.Journal:
    """A journal in memory holding one startup."""
    opened = bs.open_journal("sqlite://")
    opened.create(STARTUP)
    return opened


# (call, error class, argument the message names): each crashed with a TypeError,
# ValueError or AttributeError from inside before.
CASES = {
    "open_journal-not-a-url": (lambda: bs.open_journal(5), bs.InvalidType, "url"),
    "journal-create-not-a-startup": (lambda: journal().create("x"), bs.InvalidType, "Startup"),
    "journal-apply-not-a-command": (
        lambda: journal().apply("guichet", "cmd"),
        bs.InvalidType,
        "command",
    ),
    "journal-records-after-huge": (
        lambda: journal().records("guichet", after=2**70),
        bs.InvalidArgument,
        "after",
    ),
    "journal-records-after-text": (
        lambda: journal().records("guichet", after="1"),
        bs.InvalidArgument,
        "after",
    ),
    "journal-read-after-huge": (lambda: journal().read(after=2**70), bs.InvalidArgument, "after"),
    "journal-version-huge": (
        lambda: journal().apply("guichet", ADVANCE, expected_version=2**70),
        bs.InvalidArgument,
        "expected_version",
    ),
    # A slug that is not text was answered "no such startup": true, but it hid the mistake.
    "journal-get-slug-int": (lambda: journal().get(5), bs.InvalidType, "slug"),
    "journal-get-slug-bytes": (lambda: journal().get(b"guichet"), bs.InvalidType, "slug"),
    "journal-version-slug-none": (lambda: journal().version(None), bs.InvalidType, "slug"),
    "journal-records-slug-list": (lambda: journal().records(["guichet"]), bs.InvalidType, "slug"),
    "journal-apply-slug-int": (lambda: journal().apply(7, ADVANCE), bs.InvalidType, "slug"),
    "journal-audit-slug-int": (lambda: journal().audit(7), bs.InvalidType, "slug"),
    "journal-get-on-text": (
        lambda: journal().get("guichet", on="2025-01-01"),
        bs.InvalidType,
        "on",
    ),
    "journal-portfolio-on-datetime": (
        lambda: journal().portfolio(on=dt.datetime(2025, 1, 1)),
        bs.InvalidType,
        "on",
    ),
    "journal-version-text": (
        lambda: journal().apply("guichet", ADVANCE, expected_version="x"),
        bs.InvalidArgument,
        "expected_version",
    ),
    "journal-command-id-int": (
        lambda: journal().apply("guichet", ADVANCE, command_id=5),
        bs.InvalidArgument,
        "command_id",
    ),
    "write-frontmatter-not-text": (
        lambda: bs.write_frontmatter(5, STARTUP),
        bs.InvalidType,
        "original",
    ),
    "write-frontmatter-not-a-startup": (
        lambda: bs.write_frontmatter(TEXT, "x"),
        bs.InvalidType,
        "startup",
    ),
    "save-startup-policy": (
        lambda: bs.save_startup("x.md", STARTUP, left_out="bogus"),
        bs.InvalidArgument,
        "left_out",
    ),
    "save-startup-not-a-startup": (
        lambda: bs.save_startup("x.md", "x"),
        bs.InvalidType,
        "startup",
    ),
    "save-startup-path-int": (lambda: bs.save_startup(5, STARTUP), bs.InvalidType, "path"),
    "lifecycle-rulebook-int": (lambda: bs.Lifecycle(5), bs.InvalidType, "rulebook"),
    "lifecycle-apply-not-a-startup": (
        lambda: bs.Lifecycle().apply("x", ADVANCE),
        bs.InvalidType,
        "startup",
    ),
    "lifecycle-state-not-a-startup": (
        lambda: bs.Lifecycle().state("x"),
        bs.InvalidType,
        "startup",
    ),
    "lifecycle-state-on-text": (
        lambda: bs.Lifecycle().state(STARTUP, on="2024-01-01"),
        bs.InvalidType,
        "on",
    ),
    "audit-not-a-startup": (lambda: bs.audit("x"), bs.InvalidType, "startup"),
    "audit-on-text": (lambda: bs.audit(STARTUP, on="2024"), bs.InvalidType, "on"),
    "rulebook-int": (lambda: bs.rulebook(5), bs.InvalidType, "source"),
    "lint-rulebook-int": (lambda: bs.lint_rulebook(5), bs.InvalidType, "source"),
    "derive-thresholds-int": (
        lambda: bs.rulebook().derive(thresholds=5),
        bs.RulebookError,
        "thresholds",
    ),
    "load-portfolio-int": (lambda: bs.load_portfolio(5), bs.InvalidType, "path"),
    "load-portfolio-mode": (
        lambda: bs.load_portfolio(".", mode="lenient"),
        bs.InvalidArgument,
        "mode",
    ),
    "load-jsonapi-int": (lambda: bs.load_jsonapi(5), bs.InvalidType, "path"),
    "load-members-space-int": (lambda: bs.load_members_space(5), bs.InvalidType, "path"),
    "where-phase-int": (
        lambda: bs.sample_portfolio().where(phase=5),
        bs.InvalidArgument,
        "phase",
    ),
    "where-nested-list": (
        lambda: bs.sample_portfolio().where(incubator=[["a"]]),
        bs.InvalidArgument,
        "incubator",
    ),
    "funnel-steps-int": (
        lambda: bs.sample_portfolio().funnel(steps=5),
        bs.InvalidArgument,
        "steps",
    ),
    "lessons-on-text": (lambda: bs.sample_portfolio().lessons("2024"), bs.InvalidType, "on"),
    "phase-counts-on-text": (
        lambda: bs.sample_portfolio().phase_counts(on="2024-01-01"),
        bs.InvalidArgument,
        "on",
    ),
}


class TestArguments:
    """Every public door refuses what it cannot use with a betastate error naming the argument."""

    @pytest.mark.parametrize("name", sorted(CASES))
    def test_refused(self, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """The call raises the expected betastate error, and its message names the argument."""
        monkeypatch.chdir(tmp_path)
        call, kind, argument = CASES[name]

        with pytest.raises(kind) as caught:
            call()

        assert isinstance(caught.value, bs.BetastateError)
        assert argument in str(caught.value)

    def test_invalid_argument_is_an_invalid_value(self) -> None:
        """One `except InvalidValue` catches a bad argument as well as a bad field."""
        with pytest.raises(bs.InvalidValue) as caught:
            bs.sample_portfolio().where(phase="nulle-part")

        assert isinstance(caught.value, bs.InvalidArgument)
        assert "phase" == caught.value.field == caught.value.argument

    def test_huge_argument_makes_a_short_message(self) -> None:
        """A huge value is cut in the message (a message never grows with the input)."""
        with pytest.raises(bs.InvalidArgument) as caught:
            bs.sample_portfolio().where(phase="x" * 1_000_000)

        assert len(str(caught.value)) < 1_000
