"""
Lessons benchmark: quality and speed of `Portfolio.related`, and the stop-reason share.

Ground truth: the links from one product's page to another's in the
snapshot (`/startups/<slug>.html`, old slugs through `redirect_from`). For
each linking product, is each product it links to among its top 5 related
products? Prints, from one run on this machine:

- recall@5 and MRR of `related` (the query is the linking product itself:
  its title, mission, body with every link target removed, incubator,
  sponsors and user types; it is never among its own results), and of a
  baseline ranking the most recent products of the same incubator first
  (then every other product, most recent first);
- the same on a "strict" copy of the portfolio whose bodies lose the
  anchor text of those links too (so no page names the product it links to
  or is linked from);
- the index build time against `load_portfolio` (best of interleaved
  rounds, cold: the stem cache emptied), and a query against the build;
- the lessons: stopped products, share with a classified reason, evidence.

Targets (issue 17): recall@5 >= 0.5 and better than the baseline on
recall@5 and MRR; build <= load_portfolio; query <= build / 50.
Needs the snapshot (../shared/data/betagouv or $BETASTATE_SNAPSHOT).
Run: python benchmarks/lessons.py
"""

# ruff: noqa: SLF001  (a benchmark of private machinery: the stem cache, the link table)
from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

import attrs

import betastate as bs
from betastate._analytics import lessons as _lessons
from betastate._analytics import related as _related


ROUNDS = 5
K = 5


def snapshot() -> Path:
    configured = os.environ.get("BETASTATE_SNAPSHOT")
    root = Path(__file__).resolve().parent.parent
    path = Path(configured) if configured else root.parent / "shared" / "data" / "betagouv"
    if not (path / "content" / "_startups").is_dir():
        sys.exit(f"no snapshot at {path}: set BETASTATE_SNAPSHOT")
    return path


def ground_truth(portfolio: bs.Portfolio) -> tuple[list[tuple[str, str]], int]:
    """Distinct (linking, linked) pairs, and the number of link occurrences behind them."""
    aliases = _lessons._aliases(portfolio)
    pairs: dict[tuple[str, str], None] = {}
    occurrences = 0
    for startup in portfolio:
        for url, _ in _lessons.links(startup.body):
            match = _lessons._PRODUCT_LINK.match(_lessons._clean_url(url))
            if match is None:
                continue
            target = aliases.get(match.group(1).lower())
            if target is not None and target != startup.slug:
                occurrences += 1
                pairs[(startup.slug, target)] = None
    return list(pairs), occurrences


def strict(portfolio: bs.Portfolio) -> bs.Portfolio:
    """The portfolio with every product link removed from the bodies, anchor text and all."""
    link = re.compile(r"\[[^\]\n]*\]\(\s*(?:https?://(?:www\.)?beta\.gouv\.fr)?/startups?/[^)]*\)")
    bare = re.compile(r"(?:https?://(?:www\.)?beta\.gouv\.fr)?/startups?/[\w.\-]+(?:\.html)?")
    return attrs.evolve(
        portfolio,
        startups=[attrs.evolve(s, body=bare.sub(" ", link.sub(" ", s.body))) for s in portfolio],
    )


def first_start(startup: bs.Startup):
    return min((e.on for e in startup.history if isinstance(e, bs.PhaseEntered)), default=None)


def baseline(portfolio: bs.Portfolio, source: str) -> list[str]:
    """Same incubator first, most recent first start first; then the others, most recent first."""
    query = portfolio[source]
    others = [s for s in portfolio if s.slug != source]

    def key(s: bs.Startup):
        start = first_start(s)
        return (s.incubator != query.incubator, -(start.toordinal() if start else 0), s.slug)

    return [s.slug for s in sorted(others, key=key)]


def ranking(portfolio: bs.Portfolio, source: str) -> list[str]:
    built = _related.index(portfolio)
    return [built.slugs[doc] for doc, _ in _related.rank(built, portfolio, portfolio[source])]


def score(pairs, rank_of) -> tuple[float, float]:
    ranks: dict[str, list[str]] = {}
    hits, reciprocal = 0, 0.0
    for source, target in pairs:
        ranked = ranks.setdefault(source, rank_of(source))
        position = ranked.index(target) + 1
        hits += position <= K
        reciprocal += 1 / position
    return hits / len(pairs), reciprocal / len(pairs)


def timed(func) -> float:
    began = time.perf_counter()
    func()
    return time.perf_counter() - began


def main() -> None:
    path = snapshot()
    portfolio = bs.load_portfolio(path)
    pairs, occurrences = ground_truth(portfolio)
    sources = {s for s, _ in pairs}
    print(f"snapshot {path}: {len(portfolio)} products")
    print(
        f"ground truth: {occurrences} page-to-page links, {len(pairs)} distinct pairs "
        f"from {len(sources)} linking products"
    )
    for name, data in (
        ("as loaded", portfolio),
        ("strict (link anchors removed)", strict(portfolio)),
    ):
        ours = score(pairs, lambda s, data=data: ranking(data, s))
        base = score(pairs, lambda s, data=data: baseline(data, s))
        print(f"\n{name}")
        print(f"  related   recall@{K} {ours[0]:.3f}   MRR {ours[1]:.3f}")
        print(
            f"  baseline  recall@{K} {base[0]:.3f}   MRR {base[1]:.3f}"
            "  (most recent, same incubator)"
        )
        print(
            f"  beats the baseline: recall {ours[0] > base[0]}, MRR {ours[1] > base[1]}; "
            f"recall@{K} >= 0.5: {ours[0] >= 0.5}"
        )

    loads, builds, warm = [], [], []
    for _ in range(ROUNDS):
        loads.append(timed(lambda: bs.load_portfolio(path)))
        _related._STEMS.clear()
        builds.append(timed(lambda: _related.build_index(portfolio)))
        warm.append(timed(lambda: _related.build_index(portfolio)))
    built = _related.index(portfolio)
    queries = [
        timed(lambda source=source: portfolio.related(portfolio[source], k=K))
        for source in sorted(sources)
    ]
    text = "Aider les collectivités à trouver des financements pour rénover les écoles"
    text_queries = [timed(lambda: portfolio.related(text, k=K)) for _ in range(ROUNDS)]
    load, build, again = min(loads), min(builds), min(warm)
    query = statistics.median(queries)
    print(f"\nspeed (best of {ROUNDS} interleaved rounds)")
    print(f"  load_portfolio          {load:.3f} s")
    print(
        f"  index build, cold       {build:.3f} s   build / load = {build / load:.2f} (target <= 1)"
    )
    print(f"  index build, warm stems {again:.3f} s   build / load = {again / load:.2f}")
    print(
        f"  query (median of {len(queries)} product queries) {query * 1000:.1f} ms   "
        f"build / query = {build / query:.0f} (target >= 50)"
    )
    print(
        f"  query (text, median)    {statistics.median(text_queries) * 1000:.1f} ms   "
        f"build / query = {build / statistics.median(text_queries):.0f}"
    )
    stemmer = type(_related._stem_function().__self__)
    print(f"  stemmer: {stemmer.__module__}.{stemmer.__name__}")
    del built

    lessons = portfolio.lessons()
    classified = [item for item in lessons if item.classified]
    print("\nlessons")
    print(f"  stopped products: {len(lessons)}")
    print(
        f"  classified: {len(classified)} ({len(classified) / len(lessons):.1%}); unknown: "
        f"{len(lessons) - len(classified)}"
    )
    print(
        f"  every classification carries an excerpt: "
        f"{all(e.excerpt for item in lessons for e in item.evidence)}"
    )
    print(f"  with a reusable repository: {sum(1 for item in lessons if item.repositories)}")
    for key, n in list(bs.reason_counts(lessons, ("reason",)).items()):
        print(f"    {key[0]:<26} {n:>4}")


if __name__ == "__main__":
    main()
