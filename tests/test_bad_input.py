"""Bad input: a DataFileError naming file, line and fix; import mode keeps going."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import betastate
from betastate import DataFileError

from .utils import copy_checkout, invented_checkout


FIXTURES = invented_checkout()
VALID = (FIXTURES / "content" / "_startups" / "potager-numerique.md").read_text(encoding="utf-8")


@pytest.fixture(name="checkout")
def _checkout(tmp_path: Path) -> Path:
    """A copy of the fixture checkout the test may break."""
    return copy_checkout(tmp_path)


def put(root: Path, name: str, content: str | bytes) -> Path:
    path = root / "content" / "_startups" / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def strict_error(root: Path) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        betastate.load_portfolio(root, mode="strict", missions=False)
    return caught.value


BOMB = (
    "---\ntitle: Bombe\nmission: x\nincubator: x\ncontact: a@b.c\n"
    "phases:\n  - name: investigation\n    start: 2020-01-01\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "---\n"
)

CASES = {
    "invalid-yaml": (VALID.replace("title: Potager numérique", "title: [Potager"), "invalid YAML"),
    "no-front-matter": ("# Juste du markdown\n", "no front matter"),
    "unclosed": ("---\ntitle: Ouvert\n", "never closed"),
    "not-a-mapping": ("---\n- une\n- liste\n---\n", "must be a mapping"),
    "wrong-type-title": (
        VALID.replace("title: Potager numérique", "title: 42"),
        "'title' must be text",
    ),
    "wrong-type-phases": (
        VALID.replace("phases:\n", "phases: beaucoup\nold_phases:\n"),
        "list of mappings",
    ),
    "unparseable-date": (
        VALID.replace("start: 2021-04-01", "start: le 1er avril"),
        "must be a date",
    ),
    "impossible-date": (
        VALID.replace("start: 2021-04-01", "start: 2021-04-31"),
        "invalid YAML value",
    ),
    "phase-without-name": (
        VALID.replace("  - name: construction\n", "  - nom: construction\n"),
        "needs a 'name'",
    ),
    "alias-bomb": (BOMB, "alias bomb"),
    # Tagged scalars PyYAML's constructors fail on with KeyError, AttributeError, IndexError.
    "tag-bool": (VALID.replace("mission:", "x: !!bool maybe\nmission:"), "invalid YAML value"),
    "tag-timestamp": (
        VALID.replace("mission:", "x: !!timestamp nope\nmission:"),
        "invalid YAML value",
    ),
    "tag-int": (VALID.replace("mission:", "x: !!int ''\nmission:"), "invalid YAML value"),
    "tag-float": (VALID.replace("mission:", "x: !!float ''\nmission:"), "invalid YAML value"),
    "tag-merged": (
        VALID.replace("mission:", "a: &a {k: 1}\nb: {<<: *a}\nx: !!bool maybe\nmission:"),
        "invalid YAML value",
    ),
    # Dates the calendar arithmetic cannot take (add_months of 9999-07-01 crashed).
    "year-9999": (
        VALID.replace("start: 2021-04-01", "start: 9999-07-01"),
        "between 1900-01-01 and 2999-12-31",
    ),
    "blank-title": (VALID.replace("title: Potager numérique", "title: ' '"), "must not be blank"),
    "bytes-extra": (VALID.replace("mission:", "x: !!binary aGVsbG8=\nmission:"), "free data"),
    "recursive-alias": (BOMB.replace("b: &b [*a", "b: &b [*b"), "recursive YAML alias"),
}


class TestEachProblem:
    """Each kind of bad file: strict mode raises it, import mode records it and loads the rest."""

    @pytest.mark.parametrize("case", sorted(CASES))
    def test_strict_raises(self, checkout: Path, case: str) -> None:
        """Strict mode raises DataFileError naming the file, the problem and a fix."""
        text, problem = CASES[case]
        path = put(checkout, "0-casse.md", text)

        error = strict_error(checkout)

        assert str(path) == error.file
        assert problem in error.problem
        assert error.fix
        assert str(path) in str(error)

    @pytest.mark.parametrize("case", sorted(CASES))
    def test_import_keeps_going(self, checkout: Path, case: str) -> None:
        """Import mode loads the 4 good products and turns the bad file into an error finding."""
        text, problem = CASES[case]
        path = put(checkout, "0-casse.md", text)

        portfolio = betastate.load_portfolio(checkout, missions=False)
        (finding,) = [f for f in portfolio.findings if f.code == "invalid-file"]

        assert 4 == len(portfolio)
        assert "0-casse" not in portfolio
        assert (str(path), "0-casse", betastate.Severity.ERROR) == (
            finding.file,
            finding.slug,
            finding.severity,
        )
        assert problem in finding.message

    def test_yaml_line(self, checkout: Path) -> None:
        """Invalid YAML names the line of the file where it breaks."""
        put(checkout, "0-casse.md", "---\ntitle: ok\nmission: ok\nphases: [\n  - : :\n---\n")

        assert strict_error(checkout).line in {4, 5, 6}

    def test_wrong_type_line(self, checkout: Path) -> None:
        """A wrong type names the line of its key."""
        put(checkout, "0-casse.md", VALID.replace("title: Potager numérique", "title: 42"))

        assert 2 == strict_error(checkout).line

    def test_non_utf8(self, checkout: Path) -> None:
        """A Latin-1 file names the line of the first bad byte."""
        put(checkout, "0-casse.md", VALID.replace("Potager", "Potag\u00e9").encode("latin-1"))

        error = strict_error(checkout)

        assert "not UTF-8" in error.problem
        assert 2 == error.line

    def test_fifty_megabytes(self, checkout: Path) -> None:
        """A 50 MB file is refused by size before it is read; the limit is configurable."""
        path = put(checkout, "0-enorme.md", "")
        with path.open("wb") as out:
            out.write(VALID.encode("utf-8"))
            out.truncate(50 * 1024 * 1024)

        error = strict_error(checkout)
        portfolio = betastate.load_portfolio(checkout, missions=False, max_bytes=100 * 1024 * 1024)

        assert "larger than the limit" in error.problem
        assert "0-enorme" in portfolio

    def test_unsafe_tag(self, checkout: Path) -> None:
        """A Python object tag is refused, never constructed (YAML is loaded safely)."""
        put(
            checkout,
            "0-casse.md",
            "---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\n",
        )

        assert "invalid YAML" in strict_error(checkout).problem

    def test_bad_member_file(self, checkout: Path) -> None:
        """A mission with a wrong date becomes a finding; the other members load."""
        (checkout / "missions" / "member-0003.yml").write_text(
            "role: x\nmissions:\n- start: bientôt\n", encoding="utf-8"
        )

        portfolio = betastate.load_portfolio(checkout)

        assert 2 == len(portfolio.members)
        assert ["invalid-file"] == [
            f.code for f in portfolio.findings if (f.file or "").endswith("member-0003.yml")
        ]


# -- properties --------------------------------------------------------------------------


def _mutations() -> st.SearchStrategy[str]:
    """Valid front matter with a slice replaced, deleted or duplicated."""
    pieces = st.sampled_from([*":-[]{}&*!|>'\"#%@` \n\té\x00", "---", "2019-13-01", "\n  - "])

    @st.composite
    def mutate(draw: st.DrawFn) -> str:
        start = draw(st.integers(0, len(VALID)))
        end = draw(st.integers(start, min(len(VALID), start + 40)))
        insert = "".join(draw(st.lists(pieces, max_size=8)))
        return VALID[:start] + insert + VALID[end:]

    return mutate()


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10) | st.dates(),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["name", "start", "end", "date", "comment", "x"]), children, max_size=4
        )
    ),
    max_leaves=12,
)


def _documents() -> st.SearchStrategy[str]:
    """Front matters with the right keys and arbitrary values, dumped by PyYAML."""
    import yaml  # noqa: PLC0415

    keys = st.sampled_from(
        ["title", "mission", "incubator", "sponsors", "link", "phases", "events", "fast", "x"]
    )
    return st.dictionaries(keys, YAML_VALUES, max_size=6).map(
        lambda d: "---\n" + yaml.safe_dump(d, allow_unicode=True) + "---\n"
    )


class TestOnlyBetastateErrors:
    """Whatever the input, loaders raise DataFileError or nothing."""

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(text=st.one_of(_mutations(), _documents(), st.text(max_size=200)))
    def test_front_matter(self, text: str, tmp_path_factory: pytest.TempPathFactory) -> None:
        """Malformed front matter: strict raises only DataFileError; import never raises."""
        folder = tmp_path_factory.mktemp("bad") / "_startups"
        folder.mkdir()
        (folder / "produit.md").write_text(text, encoding="utf-8", errors="surrogateescape")

        with contextlib.suppress(DataFileError):
            betastate.load_portfolio(folder, mode="strict")
        portfolio = betastate.load_portfolio(folder)
        assert len(portfolio) + sum(f.code == "invalid-file" for f in portfolio.findings) == 1

    @given(text=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
    def test_betastate_json(self, text: str) -> None:
        """Arbitrary text given as betastate JSON raises only DataFileError."""
        with contextlib.suppress(DataFileError):
            betastate.portfolio_from_json(text)

    @given(
        data=st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=8),
            lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
            max_leaves=15,
        )
    )
    def test_betastate_json_shapes(self, data: object) -> None:
        """JSON of any shape, tagged with the right version, raises only DataFileError."""
        payload = {"betastate": 1, **data} if isinstance(data, dict) else data
        with contextlib.suppress(DataFileError):
            betastate.portfolio_from_json(json.dumps(payload))

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        item=st.dictionaries(
            st.sampled_from(["id", "type", "attributes", "relationships"]),
            YAML_VALUES.map(lambda v: json.loads(json.dumps(v, default=str))),
            max_size=4,
        )
    )
    def test_jsonapi(
        self, item: dict[str, object], tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        """A JSON:API document with an arbitrary item raises only DataFileError."""
        path = tmp_path_factory.mktemp("api") / "startups.json"
        path.write_text(json.dumps({"data": [item]}), encoding="utf-8")
        with contextlib.suppress(DataFileError):
            betastate.load_jsonapi(path)
