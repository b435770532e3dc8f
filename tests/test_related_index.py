"""The related-products index and ranking give exactly what the plain scan they replace gave."""

from __future__ import annotations

import html
import math
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import betastate as bs
from betastate._analytics import lessons as _lessons
from betastate._analytics import related as _related


pytest.importorskip("snowballstemmer")


# -- the reference: the straightforward version of each step, one product and one doc at a time


def reference_plain(text: str) -> str:
    """Markdown and HTML to prose, every pass run on every text."""
    out = _lessons._MD_LINK.sub(lambda m: m.group(1), text)
    out = _lessons._HTML_LINK.sub(lambda m: m.group(2), out)
    out = _lessons._URL.sub(" ", out)
    out = _lessons._TAG.sub(" ", out)
    return html.unescape(re.sub(r"[*_`|~\\]+", "", _lessons._MD_QUOTE.sub("", out)))


def reference_counts(startup: bs.Startup) -> Counter[str]:
    """Field-weighted term counts, one field at a time."""
    counts: Counter[str] = Counter()
    fields = (("title", startup.title), ("mission", startup.mission))
    for field, text in (*fields, ("body", reference_plain(startup.body))):
        found = Counter(_related.terms(text))
        for term in found:
            found[term] *= _related.FIELD_WEIGHTS[field]
        counts.update(found)
    return counts


def reference_index(portfolio: bs.Portfolio) -> tuple[list[dict[str, float]], dict[str, float]]:
    """Every product's unit TF-IDF vector, and the IDF."""
    all_counts = [reference_counts(s) for s in portfolio]
    df: Counter[str] = Counter()
    for counts in all_counts:
        df.update(counts.keys())
    n = len(all_counts)
    idf = {term: math.log((n + 1) / (d + 0.5)) for term, d in df.items()}
    vectors = []
    for counts in all_counts:
        weights = {t: (1.0 + math.log(tf)) * idf[t] for t, tf in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        vectors.append({t: w / norm for t, w in weights.items()} if norm else {})
    return vectors, idf


def reference_rank(
    built: _related.Index, vectors: list[dict[str, float]], q: _related._Query
) -> list[tuple[int, float]]:
    """Every product but the query, best first, scored by a scan of every product."""
    text: dict[int, float] = {}
    for term, weight in q.vector.items():
        for doc, vector in enumerate(vectors):
            if term in vector:
                text[doc] = text.get(doc, 0.0) + weight * vector[term]
    if q.incubator:
        for doc, incubator in enumerate(built.incubators):
            if incubator == q.incubator:
                text[doc] = text.get(doc, 0.0) + _related.WEIGHTS["incubator"]
    for query_set, sets, weight in (
        (q.sponsors, built.sponsors, _related.WEIGHTS["sponsors"]),
        (q.users, built.usertypes, _related.WEIGHTS["usertypes"]),
    ):
        for doc, values in enumerate(sets):
            if query_set and not query_set.isdisjoint(values):
                both = len(query_set & values) / len(query_set | values)
                text[doc] = text.get(doc, 0.0) + weight * both
    own = built.position.get(q.slug) if q.slug is not None else None
    scored = [(doc, text.get(doc, 0.0)) for doc in range(len(built.slugs)) if doc != own]
    scored.sort(key=lambda item: (-item[1], built.slugs[item[0]]))
    return scored


def check_same(portfolio: bs.Portfolio, texts: list[str]) -> None:
    """Vectors (values and order), IDF, and every ranking equal the reference's exactly."""
    built = _related.build_index(portfolio)
    vectors, idf = reference_index(portfolio)

    assert [list(v.items()) for v in vectors] == [list(v.items()) for v in built.vectors]
    assert idf == built.idf
    queries: list[bs.Startup | str] = [*portfolio, *texts]
    for query in queries:
        q = _related._Query.of(built, portfolio, query)
        expected = reference_rank(built, vectors, q)
        assert expected == _related._rank(built, q)
        for k in (1, 3):
            assert expected[:k] == _related._rank(built, q, k)


# -- adversarial portfolios --------------------------------------------------------------

_PIECES = (
    "vélo",
    "Vélos",
    "gare",
    "GARES",
    "cantine",
    "écoles",
    "le",
    "de",
    "**gras**",
    "_souligné_",
    "`code`",
    "| table |",
    "~barré~",
    "\\échappé",
    "[un lien](https://beta.gouv.fr/startups/x.html)",
    '<a href="https://exemple.fr">ancre vélo</a>',
    "<br/>",
    "https://github.com/o/repo",
    "\n> citation gare\n",
    "&amp; &eacute;cole",
    "Œuvre",
    "\u2019apostrophe",
    "\n",
)
_CONTEXT = st.lists(st.sampled_from(["/o/a", "/o/B", "Ministère", "\u0301", " ", "x"]), max_size=3)


@st.composite
def portfolios(draw: st.DrawFn) -> bs.Portfolio:
    n = draw(st.integers(1, 6))
    text = st.lists(st.sampled_from(_PIECES), max_size=12).map(" ".join)
    return bs.Portfolio(
        [
            bs.Startup(
                slug=f"p{i}",
                title=draw(text.filter(lambda t: t and not t.isspace())),  # titles are not blank
                mission=draw(text),
                body=draw(text),
                incubator=draw(st.sampled_from([None, "", "i", "I", "j", "\u0301"])),
                sponsors=draw(_CONTEXT.map(lambda ids: [i for i in ids if not i.isspace()])),
                extra={"usertypes": draw(_CONTEXT)},
            )
            for i in range(n)
        ]
    )


class TestSameAsTheScan:
    """The index build and the ranking match the plain per-product scan, float for float."""

    @given(portfolios(), st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6))
    @settings(max_examples=150, deadline=None)
    def test_adversarial_portfolios(self, portfolio, words):
        """Markup, accents, contexts folding to nothing: same vectors, same rankings."""
        check_same(portfolio, [" ".join(words)])

    @given(st.lists(st.sampled_from(_PIECES), max_size=30).map(" ".join))
    @settings(max_examples=300, deadline=None)
    def test_plain(self, text):
        """Skipping a pass whose pattern cannot match changes no text."""
        assert reference_plain(text) == _lessons.plain(text)

    def test_outside_product_counts(self):
        """A product outside the portfolio is counted as the reference counts it."""
        startup = bs.Startup(
            slug="dehors",
            title="Vélos en gare",
            mission="Des **vélos** [sûrs](https://x.fr) dans les gares",
            body="> Les gares, les vélos &amp; les écoles\n\nhttps://github.com/o/r",
        )

        assert reference_counts(startup) == _related._counts(startup)

    def test_sample(self):
        """The bundled sample: same vectors and rankings."""
        check_same(bs.sample_portfolio(), ["vélos en gare", "aides aux collectivités"])

    def test_snapshot(self, snapshot):
        """The real snapshot: same vectors, and the same ranking for every product as a query."""
        portfolio = bs.load_portfolio(snapshot, missions=False)
        check_same(portfolio, ["Aider les collectivités à financer la rénovation des écoles"])
