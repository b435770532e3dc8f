"""betastate's YAML loader gives exactly what PyYAML's CSafeLoader gives, only faster."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from betastate._io.frontmatter import _loader


def same(expected: Any, actual: Any) -> bool:
    """Equal values of the same types, mapping order included."""
    if type(expected) is not type(actual):
        return False
    if isinstance(expected, dict):
        return list(expected) == list(actual) and all(
            same(expected[k], actual[k]) for k in expected
        )
    if isinstance(expected, list):
        return len(expected) == len(actual) and all(map(same, expected, actual))
    return bool(expected == actual)


REFUSED = "refused"


def both(text: str) -> tuple[Any, Any]:
    """
    (CSafeLoader's result, betastate loader's result), ``REFUSED`` for an error.

    PyYAML's constructors fail with KeyError, IndexError... on some tagged
    scalars (``!!bool maybe``); betastate's loader refuses the same
    documents, always with a YAML error (its line and a message).
    """
    try:
        expected = yaml.load(text, Loader=yaml.CSafeLoader)
    except Exception:  # noqa: BLE001  (whatever PyYAML raises, the document is refused)
        expected = REFUSED
    try:
        actual = yaml.load(text, Loader=_loader())  # noqa: S506  (a safe loader)
    except yaml.YAMLError:
        actual = REFUSED
    return expected, actual


class TestSameResult:
    """Same values, same types, same errors."""

    def test_snapshot(self, snapshot: Path) -> None:
        """Every front matter and mission file of the snapshot parses identically."""
        paths = [p for p in (snapshot / "content").rglob("*") if p.is_file()]
        paths += sorted((snapshot / "missions").glob("*.yml"))
        for path in paths:
            text = path.read_text(encoding="utf-8")
            if text.startswith("---"):
                text = text.split("---", 2)[1]
            expected, actual = both(text)
            assert same(expected, actual), path

        assert len(paths) > 4000

    @pytest.mark.parametrize(
        "text",
        [
            "a: 2020-01-05\nb: 2020-1-5\nc: 2020-01-05 10:00:00+02:00\nd: '2020-01-05'",
            "a: &x [1, 2]\nb: *x\nc: {<<: {k: 1}, j: 2}",
            "a: !!set {x, y}\nb: !!omap [{k: 1}]\nc: !!binary aGVsbG8=",
            "a: [1, 1.5, .inf, ~, yes, No, 0x1F, 0o7, 1_000]",
            "? [unhashable]\n: 1",
            "a: 2021-04-31",
            "a: !!python/name:os.system",
            "a: !!bool maybe",
            "a: !!timestamp nope",
            "a: !!int ''",
            "a: !!float ''",
            "a: &x {k: 1}\nb: {<<: *x}\nc: !!bool maybe",
        ],
    )
    def test_edge_cases(self, text: str) -> None:
        """Dates, aliases, merge keys, sets, omaps, YAML 1.1 scalars and errors all agree."""
        expected, actual = both(text)

        assert same(expected, actual)

    def test_shared_aliases(self) -> None:
        """An alias is the same object, as with PyYAML (so bombs stay small in memory)."""
        data = yaml.load("a: &x [1]\nb: *x\n", Loader=_loader())  # noqa: S506

        assert data["a"] is data["b"]

    @given(
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False)
            | st.text(max_size=12)
            | st.dates()
            | st.datetimes(timezones=st.just(dt.UTC) | st.none()),
            lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3),
            max_leaves=10,
        )
    )
    def test_dumped_values(self, value: object) -> None:
        """Any value PyYAML dumps loads back the same with both loaders."""
        for flow in (False, True):
            expected, actual = both(yaml.safe_dump(value, default_flow_style=flow))
            assert same(expected, actual)

    @given(st.text(alphabet=st.sampled_from(list("ab:-[]{},&*!|>'\"#?\n 12.~")), max_size=40))
    def test_garbage(self, text: str) -> None:
        """Random YAML-ish text: same value or same kind of error."""
        expected, actual = both(text)

        assert same(expected, actual)
