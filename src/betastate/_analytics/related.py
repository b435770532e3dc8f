"""
Past products related to a new idea: text similarity plus who sponsors, incubates and uses them.

The index is built once per portfolio and kept beside it (a cache keyed by
the portfolio's identity, dropped with it: the portfolio stays a frozen,
comparable value). Each product is a TF-IDF vector of its title (weight
3), mission (2) and body (1), French-aware: accents folded, stopwords
dropped, words stemmed with the Snowball French stemmer
(``snowballstemmer``, which uses PyStemmer's C code when installed; a plural
*-os* it keeps is folded too: *vélos* meets *vélo*). Link
targets never reach the index (links become their anchor text), so the
pages' links to one another are not a feature.

A query's score for a product is the cosine of their vectors, plus
:data:`WEIGHTS` for a shared incubator, shared sponsors and shared user
types (a Jaccard share). Each result says which of these it owes its rank
to, with the words the two texts share most.
"""

from __future__ import annotations

import functools
import heapq
import math
import operator
import re
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from betastate._analytics import lessons as _lessons
from betastate._analytics.lessons import Lesson, fold, plain
from betastate._values.errors import InvalidArgument, InvalidType
from betastate._values.startup import Startup


if TYPE_CHECKING:
    from betastate._analytics.portfolio import Portfolio
    from betastate._rules.rulebook import Rulebook

AffinityKind = Literal["words", "incubator", "sponsors", "usertypes"]

WEIGHTS: Final[Mapping[str, float]] = {
    "incubator": 0.08,
    "sponsors": 0.08,
    "usertypes": 0.04,
}
"""What a shared incubator, all sponsors shared and all user types shared add to the cosine."""

FIELD_WEIGHTS: Final[Mapping[str, int]] = {"title": 3, "mission": 2, "body": 1}
_SHOWN_WORDS: Final = 5
QUERY_TERMS: Final = 100
"""A query keeps its 100 weightiest terms (a long page's tail adds cost, barely any rank)."""
STEMMER_HINT: Final = 'pip install "betastate[analytics]"'

# French function words, folded; the TF-IDF weights take care of the rest.
STOPWORDS: Final = frozenset(
    [
        "a",
        "afin",
        "ai",
        "aie",
        "aient",
        "aies",
        "ait",
        "alors",
        "as",
        "au",
        "aucun",
        "aucune",
        "aupres",
        "auquel",
        "aura",
        "aurai",
        "auraient",
        "aurais",
        "aurait",
        "auras",
        "aurez",
        "auriez",
        "aurions",
        "aurons",
        "auront",
        "aussi",
        "autant",
        "autre",
        "autres",
        "aux",
        "auxquelles",
        "auxquels",
        "avaient",
        "avais",
        "avait",
        "avant",
        "avec",
        "avez",
        "aviez",
        "avions",
        "avoir",
        "avons",
        "ayant",
        "bien",
        "bon",
        "c",
        "ca",
        "car",
        "ce",
        "ceci",
        "cela",
        "celle",
        "celles",
        "celui",
        "cependant",
        "certain",
        "certaine",
        "certaines",
        "certains",
        "ces",
        "cet",
        "cette",
        "ceux",
        "chaque",
        "chez",
        "ci",
        "comme",
        "comment",
        "d",
        "dans",
        "de",
        "des",
        "desquelles",
        "desquels",
        "deux",
        "devant",
        "donc",
        "dont",
        "du",
        "duquel",
        "durant",
        "elle",
        "elles",
        "en",
        "encore",
        "entre",
        "es",
        "est",
        "et",
        "etaient",
        "etais",
        "etait",
        "etant",
        "ete",
        "etes",
        "etiez",
        "etions",
        "etre",
        "eu",
        "eue",
        "eues",
        "eurent",
        "eus",
        "eut",
        "eux",
        "fait",
        "faire",
        "fois",
        "font",
        "fut",
        "furent",
        "hors",
        "ici",
        "il",
        "ils",
        "j",
        "je",
        "jusqu",
        "jusque",
        "l",
        "la",
        "laquelle",
        "le",
        "lequel",
        "les",
        "lesquelles",
        "lesquels",
        "leur",
        "leurs",
        "lors",
        "lorsque",
        "lui",
        "m",
        "ma",
        "mais",
        "me",
        "meme",
        "memes",
        "mes",
        "moi",
        "moins",
        "mon",
        "n",
        "ne",
        "ni",
        "non",
        "nos",
        "notre",
        "nous",
        "on",
        "ont",
        "ou",
        "par",
        "parce",
        "parmi",
        "pas",
        "pendant",
        "peu",
        "peut",
        "peuvent",
        "plus",
        "plusieurs",
        "pour",
        "pourquoi",
        "puis",
        "qu",
        "quand",
        "que",
        "quel",
        "quelle",
        "quelles",
        "quels",
        "qui",
        "quoi",
        "s",
        "sa",
        "sans",
        "se",
        "selon",
        "ser",
        "sera",
        "serai",
        "seraient",
        "serais",
        "serait",
        "seras",
        "serez",
        "seriez",
        "serions",
        "serons",
        "seront",
        "ses",
        "si",
        "sien",
        "soi",
        "soient",
        "sois",
        "soit",
        "sommes",
        "son",
        "sont",
        "sous",
        "soyez",
        "soyons",
        "suis",
        "sur",
        "t",
        "ta",
        "tandis",
        "te",
        "tel",
        "telle",
        "telles",
        "tels",
        "tes",
        "toi",
        "ton",
        "tous",
        "tout",
        "toute",
        "toutes",
        "tres",
        "tu",
        "un",
        "une",
        "unes",
        "uns",
        "vers",
        "via",
        "voici",
        "voila",
        "vos",
        "votre",
        "vous",
        "y",
        "etc",
        "afin",
        "ainsi",
        "apres",
        "avant",
        "deja",
        "egalement",
        "enfin",
        "ensuite",
        "the",
        "and",
        "for",
        "with",
        "this",
        "that",
        "are",
        "from",
        "www",
        "http",
        "https",
        "com",
        "html",
    ]
)
"""Words the index ignores (folded), besides words of one or two letters and numbers."""

_WORD: Final = re.compile(r"[^\W\d_]+")


@functools.cache
def _stem_function() -> Callable[[list[str]], list[str]]:
    """The French Snowball stemmer's ``stemWords`` (a list at a time: cheaper per word)."""
    try:
        import snowballstemmer  # noqa: PLC0415  (optional: only related products need it)
    except ImportError as exc:
        msg = f"related products need the Snowball stemmer: {STEMMER_HINT}"
        raise ImportError(msg) from exc
    stem: Callable[[list[str]], list[str]] = snowballstemmer.stemmer("french").stemWords
    return stem


_STEMS: dict[str, str] = {}
"""Surface word (lower case) -> folded stem: stemming is the costly step, done once a word."""
_STEMS_MAX: Final = 200_000


def terms(text: str) -> list[str]:
    """
    The index terms of ``text``: words folded, stopwords dropped, stemmed (Snowball French).

    Needs the ``analytics`` extra (``snowballstemmer``).

    .. versionadded:: 0.1.0
    """
    return _stems(_WORD.findall(text.lower()))


def _stems(words: list[str]) -> list[str]:
    """The stem of each indexed word, in order (stopwords and short words left out)."""
    table = _stem_table(words)
    return [s for s in map(table.__getitem__, words) if s]


def _stem_table(words: Collection[str]) -> Mapping[str, str]:
    """A table holding each of ``words`` with its stem ("" for words left out)."""
    cache = _STEMS
    if None not in map(cache.get, words):  # all known: the common case once words repeat
        return cache
    missing = sorted(set(words).difference(cache))
    stem = _stem_function()
    # Folding is done on all the new words at once: one call, not one per word.
    folded = fold("\n".join(missing)).split("\n")
    kept = [(w, f) for w, f in zip(missing, folded, strict=True) if _indexed(f)]
    stems = fold("\n".join(stem([w for w, _ in kept]))).split("\n") if kept else []
    # Snowball keeps the plural s after an o ("vélos"): folded here, so vélo/vélos meet.
    stems = [s[:-1] if s.endswith("os") and len(s) > 3 else s for s in stems]  # noqa: PLR2004
    new = dict.fromkeys(missing, "") | {w: s for (w, _), s in zip(kept, stems, strict=True)}
    if len(cache) + len(new) <= _STEMS_MAX:
        cache.update(new)
        return cache
    return {**cache, **new}  # a huge vocabulary: stemmed all the same, not kept


def _indexed(folded: str) -> bool:
    """Whether a folded word is indexed: three letters or more, not a stopword."""
    return len(folded) >= 3 and folded not in STOPWORDS  # noqa: PLR2004  (one or two letters)


@attrs.frozen
class Affinity:
    """
    One reason a product is related to a query, with what it adds to the score.

    Attributes:
        kind: ``words`` (text similarity), ``incubator``, ``sponsors`` or
            ``usertypes``.
        values: The shared words (most weighty first), incubator, sponsors
            or user types.
        weight: Its share of the score.

    .. versionadded:: 0.1.0
    """

    kind: AffinityKind
    values: tuple[str, ...]
    weight: float


_WHY: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {
        "words": "similar words: {values}",
        "incubator": "same incubator: {values}",
        "sponsors": "shared sponsors: {values}",
        "usertypes": "same users: {values}",
        "stopped": "stopped on {on} ({phase}{stage}): {reasons}",
        "from": ", from {stage}",
        "unknown": "reason unknown",
        "code": "reusable code: {values}",
        "none": "no shared words, incubator, sponsor or users",
    },
    "fr": {
        "words": "mots proches : {values}",
        "incubator": "même incubateur : {values}",
        "sponsors": "sponsors communs : {values}",
        "usertypes": "mêmes usagers : {values}",
        "stopped": "arrêté le {on} ({phase}{stage}) : {reasons}",
        "from": ", depuis {stage}",
        "unknown": "raison inconnue",
        "code": "code réutilisable : {values}",
        "none": "ni mots, ni incubateur, ni sponsor, ni usagers en commun",
    },
}

REASON_LABELS: Final[Mapping[str, tuple[str, str]]] = {
    "insufficient_impact": ("impact too low for its cost", "impact insuffisant pour son coût"),
    "no_funding": ("no longer funded", "plus de financement"),
    "no_business_backing": ("no longer backed by the business side", "plus de portage métier"),
    "no_intrapreneur": ("no intrapreneur any more", "plus d'intrapreneur"),
    "problem_not_important": ("problem not important enough", "problème pas assez important"),
    "solution_exists": ("a solution already exists", "une solution existe déjà"),
    "too_many_constraints": ("too many constraints", "trop de contraintes"),
    "cost_impact_too_high": ("cost per impact too high", "coût par impact trop élevé"),
    "outside_programme_scope": ("outside the programme's scope", "hors du champ du programme"),
    "team_dysfunction": ("team dysfunction", "dysfonctionnement de l'équipe"),
    "problem_vanished": ("the problem vanished", "le problème a disparu"),
    "sponsor_initiative": (
        "stopped at the sponsor's initiative",
        "arrêt à l'initiative du sponsor",
    ),
    "team_initiative": ("stopped at the team's initiative", "arrêt à l'initiative de l'équipe"),
    "unknown": ("unknown", "inconnue"),
}
"""English and French label of each reason category (and of ``unknown``)."""


def reason_label(reason: str, lang: str = "en") -> str:
    """The label of a reason category in ``lang`` (``en`` or ``fr``)."""
    labels = REASON_LABELS.get(reason, (reason, reason))
    return labels[1] if _lang(lang) == "fr" else labels[0]


def _lang(lang: str) -> str:
    given: object = lang  # callers without a type checker may pass anything
    if not isinstance(given, str) or given not in _WHY:
        raise InvalidArgument("lang", lang, "not a language of the lessons", "use 'en' or 'fr'")
    return lang


@attrs.frozen(kw_only=True)
class Related:
    """
    A past product related to a query, with why, its lessons and the code it left.

    Attributes:
        slug: The product.
        title: Its name.
        score: Cosine of the texts plus the shared-context weights.
        affinities: Why it is related, weightiest first.
        phase: Its phase now (its last phase).
        lesson: Its lesson when it stopped, else ``None``.
        repositories: Source-code repositories it names (field and body).

    .. versionadded:: 0.1.0
    """

    slug: str
    title: str
    score: float
    affinities: tuple[Affinity, ...]
    phase: str | None
    lesson: Lesson | None
    repositories: tuple[str, ...] = ()

    def explain(self, lang: str = "en") -> str:
        """Why it is related, its stop and its reusable code, in English or French."""
        table = _WHY[_lang(lang)]
        parts = [table[a.kind].format(values=", ".join(a.values)) for a in self.affinities] or [
            table["none"]
        ]
        if self.lesson is not None:
            reasons = ", ".join(reason_label(r, lang) for r in self.lesson.categories)
            parts.append(
                table["stopped"].format(
                    on=self.lesson.on.isoformat(),
                    phase=self.lesson.phase,
                    stage=table["from"].format(stage=self.lesson.stage)
                    if self.lesson.stage
                    else "",
                    reasons=reasons,
                )
            )
        if self.repositories:
            parts.append(table["code"].format(values=", ".join(self.repositories)))
        return "; ".join(parts)


# -- the index ----------------------------------------------------------------------------


def _fields(startup: Startup) -> Iterable[tuple[str, str]]:
    yield "title", startup.title
    yield "mission", startup.mission
    yield "body", plain(startup.body)


_LOG_SIZE: Final = 512
_LOG_TF: Final = [0.0, *(1.0 + math.log(n) for n in range(1, _LOG_SIZE))]


def _vector(
    counts: Mapping[str, float], idf: Mapping[str, float], default_idf: float
) -> dict[str, float]:
    """Sub-linear TF times IDF, unit length."""
    log = _LOG_TF
    weights = {
        term: (log[int(tf)] if tf < _LOG_SIZE else 1.0 + math.log(tf)) * idf.get(term, default_idf)
        for term, tf in counts.items()
        if tf > 0
    }
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {term: w / norm for term, w in weights.items()} if norm else {}


def _context(values: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(v).strip() for v in values if v and v.strip())


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@attrs.define
class Index:
    """The similarity index of one portfolio (built by :func:`index`)."""

    slugs: tuple[str, ...]
    vectors: list[dict[str, float]]
    postings: dict[str, list[tuple[int, float]]]
    idf: dict[str, float]
    default_idf: float
    incubators: list[str]
    sponsors: list[frozenset[str]]
    usertypes: list[frozenset[str]]
    position: dict[str, int]
    holders: tuple[dict[str, list[int]], dict[str, list[int]], dict[str, list[int]]]
    """The products of each incubator, sponsor and user type (folded), in order."""
    _lessons: dict[int, dict[str, Lesson | None]] = attrs.field(factory=dict)
    _repositories: dict[str, tuple[str, ...]] = attrs.field(factory=dict)

    def vector_of(self, query: Startup | str, portfolio: Portfolio) -> dict[str, float]:
        """The query's vector: a product of the portfolio reuses its own."""
        if isinstance(query, Startup):
            at = self.position.get(query.slug)
            if at is not None and portfolio.startups[at] == query:
                return self.vectors[at]
            counts = _counts(query)
        else:
            counts = Counter(terms(query))
        return _vector(counts, self.idf, self.default_idf)

    def repositories(self, portfolio: Portfolio, slug: str) -> tuple[str, ...]:
        """The repositories ``slug`` names (field and body), computed once."""
        found = self._repositories.get(slug)
        if found is None:
            assets = _lessons.assets(portfolio[slug], _aliases(portfolio))
            found = self._repositories[slug] = tuple(
                a.target for a in assets if a.kind == "repository"
            )
        return found

    def lesson(self, portfolio: Portfolio, slug: str, rulebook: Rulebook) -> Lesson | None:
        """The lesson of ``slug``, computed on first request and kept."""
        cache = self._lessons.setdefault(id(rulebook), {})
        if slug not in cache:
            cache[slug] = _lessons.lesson(portfolio[slug], rulebook, None, _aliases(portfolio))
        return cache[slug]


def _counts(startup: Startup) -> Counter[str]:
    """Field-weighted term counts of ``startup``."""
    words = [_WORD.findall(text.lower()) for _, text in _fields(startup)]
    return _weighted(words, _stem_table(set().union(*words)))


def _weighted(words: list[list[str]], table: Mapping[str, str]) -> Counter[str]:
    """
    Term counts of one product's fields (title, mission, body words), each times its weight.

    Terms come in the order they first appear, title first (the vectors'
    order, and so the order their weights are summed in). Counting each
    field as many times as its weight, in one pass, gives those counts in
    that order.
    """
    repeated = chain.from_iterable(
        repeat(field, weight) for weight, field in zip(FIELD_WEIGHTS.values(), words, strict=True)
    )
    counts = Counter(map(table.__getitem__, chain.from_iterable(repeated)))
    counts.pop("", None)  # stopwords and short words
    return counts


def _unit(counts: Mapping[str, int], idf: Mapping[str, float]) -> dict[str, float]:
    """:func:`_vector` of a product of the index (every term has its IDF), faster."""
    log = _LOG_TF
    weights = {
        term: (log[tf] if tf < _LOG_SIZE else 1.0 + math.log(tf)) * idf[term]
        for term, tf in counts.items()
    }
    values = weights.values()
    norm = math.sqrt(sum(map(operator.mul, values, values)))
    return {term: w / norm for term, w in weights.items()} if norm else {}


def build_index(portfolio: Portfolio) -> Index:
    """Tokenise, stem and weigh every product of ``portfolio`` (see :func:`index`)."""
    words = [[_WORD.findall(text.lower()) for _, text in _fields(s)] for s in portfolio]
    # Every new word of the portfolio is folded and stemmed in one call.
    table = _stem_table(set().union(*chain.from_iterable(words)))
    all_counts = [_weighted(fields, table) for fields in words]
    df = Counter(chain.from_iterable(all_counts))  # each product's terms, once each
    n = len(all_counts)
    idf = {term: math.log((n + 1) / (d + 0.5)) for term, d in df.items()}
    default_idf = math.log(n + 1) + 0.7
    vectors = [_unit(c, idf) for c in all_counts]
    postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
    for doc, vector in enumerate(vectors):
        for term, weight in vector.items():
            postings[term].append((doc, weight))
    sponsors = [_context(s.sponsors) for s in portfolio]
    usertypes = [_context(_lessons.usertypes(s)) for s in portfolio]
    incubators = [fold(s.incubator or "") for s in portfolio]
    return Index(
        slugs=portfolio.slugs,
        vectors=vectors,
        postings=dict(postings),
        idf=idf,
        default_idf=default_idf,
        incubators=incubators,
        sponsors=sponsors,
        usertypes=usertypes,
        position={slug: i for i, slug in enumerate(portfolio.slugs)},
        holders=(_holders(incubators), _holders(sponsors), _holders(usertypes)),
    )


def _holders(values: list[str] | list[frozenset[str]]) -> dict[str, list[int]]:
    """Each value (incubator, sponsor, user type) and the products holding it, in order."""
    out: defaultdict[str, list[int]] = defaultdict(list)
    for doc, held in enumerate(values):
        for value in (held,) if isinstance(held, str) else held:
            out[value].append(doc)  # even "" (a value folding to nothing): a scan would match it
    return dict(out)


_INDEXES: dict[int, tuple[weakref.ref[Portfolio], Index]] = {}


def _forget(table: dict[int, Any], key: int, _ref: object) -> None:
    """Drop a cache entry when its portfolio is gone (the table is bound, not looked up)."""
    table.pop(key, None)


def index(portfolio: Portfolio) -> Index:
    """
    The index of ``portfolio``, built on first use and kept while the portfolio lives.

    The cache is keyed by identity and checked with a weak reference, so
    an equal portfolio built apart gets its own index, and a portfolio that
    is gone frees its index.
    """
    key = id(portfolio)
    held = _INDEXES.get(key)
    if held is not None and held[0]() is portfolio:
        return held[1]
    built = build_index(portfolio)
    _INDEXES[key] = (weakref.ref(portfolio, functools.partial(_forget, _INDEXES, key)), built)
    return built


def _aliases(portfolio: Portfolio) -> dict[str, str]:
    held = _ALIASES.get(id(portfolio))
    if held is not None and held[0]() is portfolio:
        return held[1]
    table = _lessons._aliases(portfolio)  # noqa: SLF001  (same layer)
    key = id(portfolio)
    _ALIASES[key] = (weakref.ref(portfolio, functools.partial(_forget, _ALIASES, key)), table)
    return table


_ALIASES: dict[int, tuple[weakref.ref[Portfolio], dict[str, str]]] = {}


def related(
    portfolio: Portfolio,
    query: Startup | str,
    k: int = 5,
    rulebook: Rulebook | None = None,
) -> tuple[Related, ...]:
    """
    The ``k`` products of ``portfolio`` most related to ``query`` (never the query itself).

    Products sharing nothing with the query (no word, incubator, sponsor
    or user type) are not related: fewer than ``k`` may come back.
    """
    from betastate._analytics.queries import default_rulebook, timeline  # noqa: PLC0415  (cycle)

    given: object = query  # callers without a type checker may pass anything
    if not isinstance(given, Startup | str):
        raise InvalidType(
            "", "query", given, "related() takes a Startup or a text", "pass a mission text"
        )
    if isinstance(query, str) and not query.strip():
        raise InvalidArgument("query", query, "an empty text", "pass a mission text or a Startup")
    count: object = k
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InvalidArgument("k", k, "must be a whole number of at least 1", "pass k=5")
    book = default_rulebook(rulebook)
    built = index(portfolio)
    q = _Query.of(built, portfolio, query)
    shown = _display_words(query)
    out: list[Related] = []
    for doc, score in _rank(built, q, k):
        if score <= 0:
            break  # nothing in common: not related, whatever its rank
        startup = portfolio.startups[doc]
        affinities = _affinities(built, portfolio, q, doc, shown)
        line = timeline(startup, book)
        out.append(
            Related(
                slug=startup.slug,
                title=startup.title,
                score=round(score, 6),
                affinities=affinities,
                phase=line[-1][1] if line else None,
                lesson=built.lesson(portfolio, startup.slug, book),
                repositories=built.repositories(portfolio, startup.slug),
            )
        )
    return tuple(out)


@attrs.frozen
class _Query:
    """A query's vector and context, computed once."""

    vector: dict[str, float]
    slug: str | None
    incubator: str
    sponsors: frozenset[str]
    users: frozenset[str]

    @classmethod
    def of(cls, built: Index, portfolio: Portfolio, query: Startup | str) -> _Query:
        vector = built.vector_of(query, portfolio)
        if len(vector) > QUERY_TERMS:
            # A whole page as a query: its weightiest terms carry the similarity.
            kept = sorted(vector.items(), key=lambda item: (-item[1], item[0]))[:QUERY_TERMS]
            vector = dict(kept)
        if isinstance(query, str):
            return cls(vector, None, "", frozenset(), frozenset())
        return cls(
            vector,
            query.slug,
            fold(query.incubator or ""),
            _context(query.sponsors),
            _context(_lessons.usertypes(query)),
        )


def rank(built: Index, portfolio: Portfolio, query: Startup | str) -> list[tuple[int, float]]:
    """Every product but the query, best first: ``(position, score)``."""
    return _rank(built, _Query.of(built, portfolio, query))


def _rank(built: Index, q: _Query, k: int | None = None) -> list[tuple[int, float]]:
    """Every product but the query (or its ``k`` best), best first: ``(position, score)``."""
    scores = [0.0] * len(built.slugs)
    postings = built.postings
    for term, weight in q.vector.items():
        for doc, doc_weight in postings.get(term, ()):
            scores[doc] += weight * doc_weight
    incubators, sponsors, usertypes = built.holders
    if q.incubator:
        same = WEIGHTS["incubator"]
        for doc in incubators.get(q.incubator, ()):
            scores[doc] += same
    for query_set, sets, holders, weight in (
        (q.sponsors, built.sponsors, sponsors, WEIGHTS["sponsors"]),
        (q.users, built.usertypes, usertypes, WEIGHTS["usertypes"]),
    ):
        # The products sharing a value, in order: the sums run as a scan of all would.
        sharing = sorted({doc for value in query_set for doc in holders.get(value, ())})
        for doc in sharing:
            scores[doc] += weight * _jaccard(query_set, sets[doc])
    own = built.position.get(q.slug) if q.slug is not None else None
    slugs = built.slugs
    docs = [doc for doc in range(len(slugs)) if doc != own]

    def order(doc: int) -> tuple[float, str]:
        return (-scores[doc], slugs[doc])

    # Slugs are unique, so the order is total: the k smallest are the sorted list's first k.
    best = sorted(docs, key=order) if k is None else heapq.nsmallest(k, docs, key=order)
    return [(doc, scores[doc]) for doc in best]


def _display_words(query: Startup | str) -> dict[str, str]:
    """Each term of the query as a person reads it: its most frequent word in the query."""
    texts = [query] if isinstance(query, str) else [text for _, text in _fields(query)]
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_WORD.findall(text.lower()))
    words = sorted(counts, key=lambda w: (-counts[w], w))
    table = _stem_table(words)
    shown: dict[str, str] = {}
    for word in words:
        if table[word]:
            shown.setdefault(table[word], word)
    return shown


def _affinities(
    built: Index, portfolio: Portfolio, q: _Query, doc: int, shown: Mapping[str, str]
) -> tuple[Affinity, ...]:
    """Why product ``doc`` ranks where it does for ``q`` (``shown``: how terms read)."""
    other = portfolio.startups[doc]
    doc_vector = built.vectors[doc]
    shared = sorted(
        ((w * doc_vector[term], term) for term, w in q.vector.items() if term in doc_vector),
        reverse=True,
    )
    affinities: list[Affinity] = []
    if shared:
        words = tuple(dict.fromkeys(shown.get(t, t) for _, t in shared[:_SHOWN_WORDS]))
        affinities.append(Affinity("words", words, round(sum(c for c, _ in shared), 6)))
    if q.incubator and built.incubators[doc] == q.incubator:
        affinities.append(Affinity("incubator", (other.incubator or "",), WEIGHTS["incubator"]))
    if q.sponsors & built.sponsors[doc]:
        common = tuple(s for s in other.sponsors if fold(s).strip() in q.sponsors)
        share = WEIGHTS["sponsors"] * _jaccard(q.sponsors, built.sponsors[doc])
        affinities.append(Affinity("sponsors", common, round(share, 6)))
    if q.users & built.usertypes[doc]:
        common = tuple(u for u in _lessons.usertypes(other) if fold(u).strip() in q.users)
        share = WEIGHTS["usertypes"] * _jaccard(q.users, built.usertypes[doc])
        affinities.append(Affinity("usertypes", common, round(share, 6)))
    affinities.sort(key=lambda a: -a.weight)
    return tuple(affinities)
