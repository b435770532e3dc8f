"""Reasons for people and for programs: plain words in two languages, a field, the values."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import betastate as bs
from betastate._values import texts


SOURCE = Path(__file__).resolve().parent.parent / "src" / "betastate"
# What a text for people must not hold: code (calls, keywords, brackets, dotted names).
CODE = re.compile(r"=|\bbetastate\.|\w\(|\[|\]|\.\.\.|\bNone\b|\bDecimal\b")


def _templates():
    for key, languages in texts.TEXTS.items():
        for lang, pair in languages.items():
            for part, template in zip(("message", "fix"), pair, strict=True):
                yield key, lang, part, template


class TestCatalogue:
    def test_every_text_in_both_languages(self):
        """Every text has an English and a French message and fix."""
        assert [] == [k for k, v in texts.TEXTS.items() if set(v) != set(texts.LANGUAGES)]

    def test_languages_name_the_same_values(self):
        """A text's French and English forms fill the same placeholders (one set of values)."""
        mismatched = [
            key
            for key, languages in texts.TEXTS.items()
            for part in (0, 1)
            if len({frozenset(texts.placeholders(pair[part])) for pair in languages.values()}) > 1
        ]
        phrases = [
            key
            for key, languages in texts.PHRASES.items()
            if len({frozenset(texts.placeholders(t)) for t in languages.values()}) > 1
        ]

        assert ([], []) == (mismatched, phrases)

    def test_texts_are_plain_words(self):
        """No message or fix holds code: hints for developers travel apart."""
        coded = [(k, lang, part) for k, lang, part, t in _templates() if CODE.search(t)]

        assert [] == coded

    def test_every_text_is_used_and_exists(self):
        """The engine's and gates' text keys are exactly the catalogue's."""
        used: set[str] = set()
        for path in SOURCE.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "of"
                    and getattr(node.func.value, "id", None) == "Violation"
                ):
                    key = node.args[1]
                    keys = [key.body, key.orelse] if isinstance(key, ast.IfExp) else [key]
                    used.update(ast.literal_eval(k) for k in keys)

        assert used == set(texts.TEXTS)

    def test_money_in_each_language(self):
        """Amounts take the language's separators; cents show only when there are some."""
        assert "1,234,567 €" == texts.money("1234567.00", "en")
        assert "1\u00a0234\u00a0567,50\u00a0€" == texts.money("1234567.50", "fr")


LIFECYCLE = bs.Lifecycle()
FRENCH = bs.Lifecycle(lang="fr")
SAMPLE = bs.sample_portfolio()
ROLES = [r.value for r in bs.rulebook().roles]
PHASES = list(bs.rulebook().phase_values)
DAYS = st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2027, 12, 31))
MONEY = st.decimals(min_value=Decimal(1), max_value=Decimal(2_000_000), places=2)
GRANTS = st.lists(
    st.builds(bs.Grant, source=st.sampled_from(["sponsor", "dinum", "fast"]), amount=MONEY),
    max_size=2,
)
COMMANDS = st.one_of(
    st.builds(
        bs.Advance, on=DAYS, to=st.sampled_from([*PHASES, "nulle-part"]), by=st.sampled_from(ROLES)
    ),
    st.builds(bs.Spend, on=DAYS, by=st.sampled_from(ROLES), amount=MONEY),
    st.builds(
        bs.HoldCommittee,
        on=DAYS,
        by=st.sampled_from(ROLES),
        decision=st.sampled_from(["continue", "provisional", "stop"]),
        phase_change=st.none() | st.sampled_from(PHASES),
        months=st.none() | st.integers(1, 12),
        grants=GRANTS,
    ),
    st.builds(bs.GrantFunds, on=DAYS, by=st.sampled_from(ROLES), grants=GRANTS),
    st.builds(bs.AwardFast, on=DAYS, by=st.sampled_from(ROLES), edition=st.integers(1, 20)),
    st.builds(bs.Stop, on=DAYS, by=st.sampled_from(ROLES), post_mortem=st.none()),
    st.builds(
        bs.Record,
        event=st.builds(bs.Note, on=DAYS) | st.builds(bs.NationalImpactDesignated, on=DAYS),
        by=st.sampled_from(ROLES),
    ),
)


def _resolves(command: object, pointer: str) -> bool:
    """Whether a JSON Pointer names a field path of ``command``'s class."""
    kind: object = type(command)
    for name in pointer.split("/")[1:]:
        if not (isinstance(kind, type) and attrs.has(kind)) or name not in attrs.fields_dict(kind):
            return False
        value = getattr(command, name, None)
        command, kind = value, type(value) if value is not None else None
        if kind is None:
            return True  # an empty optional field: the pointer names where to put it
    return True


class TestReasons:
    @given(startup=st.sampled_from(SAMPLE.startups), command=COMMANDS)
    def test_every_reason_points_at_its_command_and_speaks_french(self, startup, command):
        """Every reason names a field of its command, holds JSON-safe values, reads in French."""
        verdict = LIFECYCLE.check(startup, command)
        french = FRENCH.check(startup, command)

        for reason, translated in zip(
            (*verdict.errors, *verdict.warnings), (*french.errors, *french.warnings), strict=True
        ):
            assert reason.field is None or _resolves(command, reason.field), reason
            json.dumps(dict(reason.values))
            assert reason.text is not None, reason
            assert "fr" == translated.lang
            assert translated == reason.translated("fr")
            assert reason == translated.translated("en")
            assert not CODE.search(reason.message + reason.fix), reason

    def test_a_spend_points_at_its_amount_with_its_numbers(self):
        """BR-02 says the amount is the field and gives the remaining money as a value."""
        startup = next(s for s in SAMPLE if LIFECYCLE.state(s).remaining_envelope)
        state = LIFECYCLE.state(startup)
        too_much = state.remaining_envelope + 1
        spend = bs.Spend(on=state.on, by="intrapreneur", amount=too_much)

        (reason,) = [r for r in LIFECYCLE.check(startup, spend).errors if r.rule == "BR-02"]

        assert "/amount" == reason.field
        assert str(state.remaining_envelope) == reason.values["remaining"]
        assert str(too_much) == reason.values["amount"]
        assert "dépasse le reste" in reason.translated("fr").message

    def test_a_committee_move_points_at_its_phase_change(self):
        """A committee's impossible move points at phase_change, not at the Advance inside."""
        startup = next(s for s in SAMPLE if LIFECYCLE.phase(s) == "acceleration")
        committee = bs.HoldCommittee(
            on=startup.last_event_date,
            by="sponsor",
            decision="continue",
            phase_change="investigation",
            grants=[bs.Grant(source="sponsor", amount=1000)],
        )

        rules = {r.rule: r.field for r in LIFECYCLE.check(startup, committee).errors}

        assert "/phase_change" == rules["BS-MOVE"]

    def test_unknown_language(self):
        """A language betastate has no texts in is refused with the choices."""
        with pytest.raises(bs.InvalidArgument, match="use 'en' or 'fr'"):
            bs.Lifecycle(lang="de")  # type: ignore[arg-type]
