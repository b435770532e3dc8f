"""Lessons of stopped products, related past products, their frames, plot, report and command."""

from __future__ import annotations

import datetime as dt
import gc
import importlib.util
import re
import sys
from pathlib import Path

import attrs
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import betastate as bs
from betastate._analytics import lessons as _lessons
from betastate._analytics import related as _related
from betastate._cli import report as _report
from betastate._cli.main import main


D = dt.date


def entered(*phases: tuple[dt.date, str]) -> list[bs.Event]:
    return [bs.PhaseEntered(on=day, phase=phase) for day, phase in phases]


def stopped(slug: str, body: str = "", **fields: object) -> bs.Startup:
    history = fields.pop(
        "history",
        entered((D(2020, 1, 6), "investigation"), (D(2020, 6, 1), "abandon-investigation")),
    )
    return bs.Startup(slug=slug, title=slug.title(), body=body, history=history, **fields)


def the_lesson(startup: bs.Startup) -> bs.Lesson:
    (item,) = bs.Portfolio([startup]).lessons()
    return item


class TestWhichProducts:
    """One lesson per product that entered a stop phase of the rulebook."""

    def test_only_stopped(self):
        """Running and handed-over products have no lesson; a stop without an end event has one."""
        running = bs.Startup(slug="a", title="A", history=entered((D(2021, 1, 4), "investigation")))
        handed = bs.Startup(
            slug="b",
            title="B",
            history=[*entered((D(2021, 1, 4), "construction"), (D(2023, 1, 2), "transfere"))],
        )
        ended_no_phase = bs.Startup(
            slug="c",
            title="C",
            history=[*entered((D(2021, 1, 4), "acceleration")), bs.Stopped(on=D(2022, 1, 3))],
        )

        assert () == bs.Portfolio([running, handed, ended_no_phase]).lessons()
        assert ("d",) == tuple(i.slug for i in bs.Portfolio([stopped("d")]).lessons())

    def test_stage_and_date(self):
        """The stage is the phase it stopped from (same-day ties by rank), the date the stop's."""
        item = the_lesson(
            stopped(
                "x",
                history=entered(
                    (D(2018, 1, 1), "construction"),
                    (D(2018, 1, 1), "investigation"),
                    (D(2018, 12, 31), "abandon"),
                ),
            )
        )

        assert (D(2018, 12, 31), "abandon", "construction") == (item.on, item.phase, item.stage)

    def test_stop_as_first_phase(self):
        """A product whose first phase is the stop has no stage."""
        item = the_lesson(stopped("x", history=entered((D(2019, 5, 1), "abandon-investigation"))))

        assert item.stage is None
        assert {("(none)",): 1} == bs.reason_counts([item], ("stage",))

    def test_as_of(self):
        """A stop after ``on`` is not a lesson yet; a relaunched product keeps its last stop."""
        relaunched = stopped(
            "x",
            history=entered(
                (D(2019, 1, 7), "investigation"),
                (D(2019, 6, 3), "abandon-investigation"),
                (D(2020, 2, 3), "investigation"),
                (D(2021, 3, 1), "abandon-investigation"),
            ),
        )
        portfolio = bs.Portfolio([relaunched])

        assert () == portfolio.lessons(D(2019, 6, 2))
        assert D(2019, 6, 3) == portfolio.lessons(D(2020, 1, 1))[0].on
        assert (D(2021, 3, 1), "investigation") == (
            portfolio.lessons()[0].on,
            portfolio.lessons()[0].stage,
        )


class TestPostMortem:
    """A recorded post-mortem is the lesson: its reasons, why, learnings and advice."""

    def test_recorded_stop(self):
        """A stop through the lifecycle gives the post-mortem's reasons, its text as evidence."""
        lifecycle = bs.Lifecycle()
        s = bs.Startup(
            slug="x",
            title="X",
            # The stop is decided at the committee held that day (rule N1).
            history=[
                *entered((D(2024, 1, 8), "investigation")),
                bs.CommitteeHeld(on=D(2024, 7, 1)),
            ],
        )
        post_mortem = bs.PostMortem(
            learnings="Appris.",
            why_we_stop="Aucun budget en 2025.",
            relaunch_advice="Chercher un cofinancement.",
            reasons=["no_funding", "sponsor_initiative"],
            authors=[bs.Actor(role="intrapreneur"), bs.Actor(role="coach")],
        )
        s = lifecycle.apply(
            s, bs.Stop(on=D(2024, 7, 1), by=bs.Role.SPONSOR, post_mortem=post_mortem)
        ).startup
        item = the_lesson(s)

        assert (bs.StopReason.NO_FUNDING, bs.StopReason.SPONSOR_INITIATIVE) == item.reasons
        assert "post-mortem" == item.source
        assert {"Aucun budget en 2025."} == {e.excerpt for e in item.evidence}
        assert ("Aucun budget en 2025.", "Appris.", "Chercher un cofinancement.") == (
            item.why,
            item.learnings,
            item.advice,
        )
        assert (D(2024, 7, 1), "abandon-investigation", False) == (
            item.on,
            item.phase,
            item.dormant,
        )

    def test_post_mortem_without_reasons(self):
        """A post-mortem without categories is classified from its own text."""
        s = stopped(
            "x",
            history=[
                *entered((D(2020, 1, 6), "investigation")),
                bs.Stopped(
                    on=D(2020, 6, 1),
                    post_mortem=bs.PostMortem(why_we_stop="Faute de financement, on arrête."),
                ),
                *entered((D(2020, 6, 1), "abandon-investigation")),
            ],
        )
        item = the_lesson(s)

        assert (bs.StopReason.NO_FUNDING,) == item.reasons
        assert ("post-mortem", "no_funding/lack-of-funding") == (
            item.evidence[0].source,
            item.evidence[0].rule,
        )


class TestClassifier:
    """French patterns, on folded text, each result with the sentence it rests on."""

    @pytest.mark.parametrize("rule", _lessons.STOP_PATTERNS, ids=lambda r: r.rule)
    def test_every_example_matches_its_rule(self, rule):
        """The example each rule documents is classified with the rule's category."""
        found = _lessons.classify(rule.example, "test")

        assert rule.reason in {e.reason for e in found}

    def test_rule_ids_unique_and_named_after_reason(self):
        """Each rule id is unique and starts with its category."""
        ids = [r.rule for r in bs.STOP_PATTERNS]

        assert len(ids) == len(set(ids))
        assert all(r.rule.startswith(f"{r.reason.value}/") for r in bs.STOP_PATTERNS)

    def test_accents_and_case(self):
        """Folding makes "FAUTE DE FINANCEMENT" and "faute de financement" one."""
        assert {bs.StopReason.NO_FUNDING} == {
            e.reason for e in _lessons.classify("ARRÊT FAUTE DE FINANCÈMENT.", "x")
        }

    def test_problem_description_is_not_a_reason(self):
        """A body describing the problem with "impact" and "budget" words stays unknown."""
        body = (
            "## Le problème\n\nLes collectivités manquent de budget et l'impact sur les usagers "
            "est fort. Il existe déjà en France 300 000 drones.\n\n## La solution\n\nUn outil."
        )

        assert () == the_lesson(stopped("x", body)).evidence

    def test_stop_section_is_read(self):
        """The same words in an Abandon section are a reason, with the sentence as excerpt."""
        body = "## Abandon\n\nLe déploiement n'a pas trouvé de financement.\n"
        (evidence,) = the_lesson(stopped("x", body)).evidence

        assert (bs.StopReason.NO_FUNDING, "body") == (evidence.reason, evidence.source)
        assert "Le déploiement n'a pas trouvé de financement." == evidence.excerpt

    def test_cue_sentence_and_the_lines_after(self):
        """A stop cue outside a stop section brings its sentence and the next lines."""
        body = (
            "## Suite\n\nCe partenariat n'a pas donné suite car :\n\n"
            "- contexte budgétaire tendu ;\n- autre chose.\n\n## Équipe\n\nDes gens."
        )

        assert (bs.StopReason.NO_FUNDING,) == the_lesson(stopped("x", body)).reasons

    def test_negated_constraint(self):
        """ "Le manque de contrainte juridique" is not a constraint that stopped the product."""
        body = "## Abandon\n\nLes freins : le manque de contrainte juridique."

        assert () == the_lesson(stopped("x", body)).reasons

    def test_comments(self):
        """The end event's and the phases' comments are read and named as sources."""
        s = stopped(
            "x",
            history=[
                *entered((D(2020, 1, 6), "investigation")),
                bs.Stopped(
                    on=D(2020, 6, 1), comment="Suite à une révision des priorités de la DNE."
                ),
                bs.PhaseEntered(
                    on=D(2020, 6, 1), phase="abandon-investigation", comment="Investigation KO"
                ),
            ],
        )
        item = the_lesson(s)

        assert {"end-event"} == {e.source for e in item.evidence}
        assert bs.StopReason.NO_BUSINESS_BACKING in item.reasons
        assert item.why.startswith("Suite à une révision des priorités de la DNE.")

    def test_links_are_not_text(self):
        """Link targets never reach the classifier: an URL saying 'faute-de-budget' is no reason."""
        body = "## Abandon\n\nVoir [la page](https://example.org/faute-de-budget)."

        assert () == the_lesson(stopped("x", body)).reasons

    @given(st.text(max_size=300))
    def test_any_text(self, text):
        """Any text classifies without error; every evidence's excerpt is non-empty."""
        found = _lessons.classify(text, "x")

        assert all(e.excerpt for e in found)

    def test_long_sentence_excerpt_around_match(self):
        """A long sentence is cut around what matched, marked with ellipses."""
        sentence = "x " * 300 + "faute de financement" + " y" * 300
        (evidence,) = _lessons.classify(sentence, "x")

        assert "faute de financement" in evidence.excerpt
        assert evidence.excerpt.startswith("…")
        assert evidence.excerpt.endswith("…")


class TestAssets:
    """Repository, service link, repositories and products the body names."""

    def test_assets(self):
        """Fields first; a gitlab tree link is cut to its repository; old slugs resolve."""
        body = (
            "Code : [ici](https://gitlab.com/groupe/projet/-/tree/main). Suite : "
            "[Nouveau](/startups/ancien-nom.html), [moi](/startups/x.html), "
            '<a href="https://beta.gouv.fr/startups/autre.html">Autre</a>, '
            "[image](/img/startups/x/logo.png)."
        )
        x = stopped(
            "x", body, repository="https://github.com/o/x.git", link=" https:&#x2F;&#x2F;x.example "
        )
        nouveau = bs.Startup(
            slug="nouveau", title="N", extra={"redirect_from": ["/startups/ancien-nom"]}
        )
        autre = bs.Startup(slug="autre", title="A")
        (item,) = bs.Portfolio([x, nouveau, autre]).lessons()

        assert [
            ("repository", "https://github.com/o/x", "repository"),
            ("link", "https://x.example", "link"),
            ("repository", "https://gitlab.com/groupe/projet", "body"),
            ("product", "nouveau", "body"),
            ("product", "autre", "body"),
        ] == [(a.kind, a.target, a.source) for a in item.assets]
        assert ("nouveau", "autre") == item.products


class TestCounts:
    """Reasons by category x stage x incubator x year."""

    def test_several_reasons_and_unknown(self):
        """A lesson counts under each of its reasons; none found counts as unknown."""
        a = stopped(
            "a", "## Abandon\n\nFaute de financement et départ de l'intrapreneur.", incubator="i"
        )
        b = stopped("b", "", incubator="i")
        items = bs.Portfolio([a, b]).lessons()

        assert {
            ("no_funding", "i", "2020"): 1,
            ("no_intrapreneur", "i", "2020"): 1,
            ("unknown", "i", "2020"): 1,
        } == bs.reason_counts(items, ("reason", "incubator", "year"))

    def test_bad_grouping(self):
        """An unknown grouping says which ones exist."""
        with pytest.raises(ValueError, match="'reason', 'stage'"):
            bs.reason_counts(bs.Portfolio([stopped("a")]).lessons(), ("colour",))  # type: ignore[arg-type]


pytest.importorskip("snowballstemmer")


def small() -> bs.Portfolio:
    return bs.Portfolio(
        [
            bs.Startup(
                slug="velo",
                title="Vélo en gare",
                mission="Garer son vélo en sécurité près des gares",
                incubator="i",
                sponsors=["/o/a"],
                extra={"usertypes": ["particulier"]},
            ),
            stopped(
                "parc",
                "## Abandon\n\nFaute de financement. Code : https://github.com/o/parc",
                mission="Des parcs à vélos sécurisés dans les gares",
                incubator="j",
            ),
            bs.Startup(slug="cantine", title="Cantine", mission="Des repas locaux", incubator="i"),
            bs.Startup(slug="rien", title="Rien", mission="Sans rapport aucun", incubator="k"),
        ]
    )


class TestRelated:
    """Text similarity and shared context, explained; never the query itself."""

    def test_text_query(self):
        """A mission text finds the products whose texts share its (folded, stemmed) words."""
        results = small().related("GARER DES VELOS securises pres d'une gare", k=5)

        assert {"velo", "parc"} == {r.slug for r in results}
        assert {"words"} == {r.affinities[0].kind for r in results}

    def test_lesson_and_code_of_results(self):
        """A stopped result carries its lesson and repositories; a running one has no lesson."""
        results = {r.slug: r for r in small().related("vélos en gare")}

        assert results["velo"].lesson is None
        assert (bs.StopReason.NO_FUNDING,) == results["parc"].lesson.reasons
        assert ("https://github.com/o/parc",) == results["parc"].repositories

    def test_startup_query_excludes_itself(self):
        """A product's own entry never comes back; a shared incubator is a reason."""
        portfolio = small()
        results = portfolio.related(portfolio["velo"], k=5)

        assert "velo" not in [r.slug for r in results]
        cantine = next(r for r in results if r.slug == "cantine")
        assert [("incubator", ("i",))] == [(a.kind, a.values) for a in cantine.affinities]

    def test_nothing_in_common(self):
        """Products sharing nothing are not related, so fewer than k come back."""
        assert () == small().related("xylophone quantique", k=3)

    def test_explain_languages(self):
        """Why a product is related is said in English and French."""
        (first, *_) = small().related("vélos gare")

        assert first.explain("en").startswith("similar words:")
        assert first.explain("fr").startswith("mots proches :")
        with pytest.raises(ValueError, match="'en' or 'fr'"):
            first.explain("de")

    @pytest.mark.parametrize(
        ("query", "k", "error"),
        [("  ", 5, ValueError), ("vélo", 0, ValueError), (42, 5, TypeError)],
    )
    def test_bad_queries(self, query, k, error):
        """Empty text, k below 1 and anything but a Startup or a text are refused."""
        with pytest.raises(error):
            small().related(query, k=k)

    def test_index_cached_per_portfolio(self):
        """The index is built once per portfolio object, not for an equal copy, freed with it."""
        portfolio = small()
        first = _related.index(portfolio)
        copy = attrs.evolve(portfolio)

        assert first is _related.index(portfolio)
        assert portfolio == copy
        assert _related.index(copy) is not first
        key = id(portfolio)
        del portfolio, first
        gc.collect()
        assert key not in _related._INDEXES

    def test_stems(self):
        """Accents folded, stopwords dropped, words stemmed; vélo and vélos meet."""
        assert ["velo", "velo", "gar"] == _related.terms("les vélos, le Vélo et des gares")


class TestFramesPlotReport:
    """Tables, the plot and the report section."""

    def test_frames(self):
        """One row per lesson, one per evidence (unknown when none)."""
        frames = pytest.importorskip("betastate.frames")
        pytest.importorskip("pandas")
        portfolio = bs.Portfolio(
            [stopped("a", "## Abandon\n\nFaute de financement."), stopped("b")]
        )

        lessons = frames.lessons(portfolio)
        reasons = frames.stop_reasons(portfolio)

        assert ["a", "b"] == list(lessons["slug"])
        assert [True, False] == list(lessons["classified"])
        assert [("a", "no_funding"), ("b", "unknown")] == list(
            zip(reasons["slug"], reasons["reason"], strict=True)
        )

    def test_plot(self):
        """The plot draws one bar per known reason, in the language asked."""
        plot = pytest.importorskip("betastate.plot")
        portfolio = bs.Portfolio(
            [stopped("a", "## Abandon\n\nFaute de financement."), stopped("b")]
        )

        figure = plot.stop_reasons(portfolio, lang="fr")
        axes = figure.axes[0]

        assert ["plus de financement"] == [t.get_text() for t in axes.get_yticklabels()]
        title = " ".join(axes.get_title().replace("\xa0", " ").split())  # wrapped to fit
        assert "1 avec une raison trouvée (50 %), 1 inconnues" in title

    def test_report_section(self):
        """The report has the section in its data, its text and its HTML."""
        portfolio = bs.Portfolio(
            [stopped("a", "## Abandon\n\nFaute de financement."), stopped("b")]
        )
        data = _report.build(portfolio, D(2026, 1, 1))

        assert (2, 1, {"no_funding": 1, "unknown": 1}) == (
            data["lessons"]["stopped"],
            data["lessons"]["classified"],
            data["lessons"]["by_reason"],
        )
        assert "What the stops teach" in _report.render_text(data)
        assert '<section id="lessons">' in _report.render_html(data, {})


class TestCommand:
    """betastate lessons PATH [--for TEXT | --slug SLUG] [--lang fr|en]."""

    def test_summary(self, capsys):
        """The summary counts stops and reasons of the sample portfolio."""
        assert 0 == main(["lessons"])
        out = capsys.readouterr().out

        assert out.startswith("betastate lessons: 13 stopped products (betastate sample)")

    def test_for_text_french(self, capsys):
        """--for finds related products, explained in French with --lang fr."""
        assert 0 == main(
            ["lessons", "--for", "un guichet pour les vélos", "--lang", "fr", "-k", "2"]
        )
        out = capsys.readouterr().out

        assert out.startswith("Produits passés proches de : un guichet pour les vélos")

    def test_slug(self, capsys):
        """--slug shows a product's lesson with its evidence, then its related products."""
        sample = bs.sample_portfolio()
        slug = sample.lessons()[0].slug

        assert 0 == main(["lessons", "--slug", slug])
        out = capsys.readouterr().out
        assert "Reasons, with what they rest on" in out
        assert "Related past products" in out

    def test_unknown_slug(self, capsys):
        """An unknown slug is an error naming it, exit code 2."""
        assert 2 == main(["lessons", "--slug", "nulle-part"])

        assert "no product 'nulle-part'" in capsys.readouterr().err

    def test_for_and_slug_exclusive(self, capsys):
        """--for and --slug cannot be combined: a usage error, exit code 2."""
        assert 2 == main(["lessons", "--for", "x", "--slug", "y"])

        assert "not allowed with argument --for" in capsys.readouterr().err


# -- the snapshot --------------------------------------------------------------------------

_PRODUCT = re.compile(r"(https?://[^\s)\]\"'>]*)?/startups/([^\s)\]\"'>#?]+)")


def raw(snapshot: Path) -> dict[str, tuple[dict, str]]:
    """Front matter and body of every product, read with PyYAML directly (not betastate)."""
    out = {}
    for path in sorted((snapshot / "content" / "_startups").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        out[path.stem] = (yaml.safe_load(front), body)
    return out


@pytest.fixture(name="real", scope="module")
def _real(snapshot: Path) -> tuple[bs.Portfolio, dict[str, tuple[dict, str]]]:
    return bs.load_portfolio(snapshot, missions=False), raw(snapshot)


class TestSnapshot:
    """On the real data: one lesson per stopped product, evidence in the text, links found."""

    def test_one_lesson_per_stopped_product(self, real):
        """327 stopped products (counted from the raw front matter), each with one lesson."""
        portfolio, files = real
        expected = {
            slug
            for slug, (front, _) in files.items()
            if {"abandon", "abandon-investigation"} & {p["name"] for p in front.get("phases") or []}
        }
        lessons = portfolio.lessons()

        assert 327 == len(expected)
        assert expected == {item.slug for item in lessons}
        assert len(lessons) == len({item.slug for item in lessons})

    def test_evidence_is_in_the_texts(self, real):
        """Every classification quotes a sentence of the product's own comments or body."""
        portfolio, _ = real
        lessons = portfolio.lessons()
        classified = [item for item in lessons if item.classified]
        share = len(classified) / len(lessons)
        print(f"stop reasons classified: {len(classified)} of {len(lessons)} ({share:.1%})")  # noqa: T201

        assert share > 0.15
        for item in classified:
            startup = portfolio[item.slug]
            texts = " ".join(
                [_lessons.plain(startup.body), *(e.comment or "" for e in startup.history)]
            )
            haystack = " ".join(texts.split())
            for evidence in item.evidence:
                assert evidence.excerpt.strip("…") in haystack, (item.slug, evidence.excerpt)

    def test_repositories(self, real):
        """The 61 stopped products with a repository field (raw count) list it first."""
        portfolio, files = real
        with_repository = {
            slug
            for slug, (front, _) in files.items()
            if front.get("repository")
            and {"abandon", "abandon-investigation"} & {p["name"] for p in front["phases"]}
        }
        lessons = {item.slug: item for item in portfolio.lessons()}

        assert 61 == len(with_repository)
        assert all(lessons[slug].assets[0].kind == "repository" for slug in with_repository)

    def test_page_links(self, real):
        """The 67 links to an existing other page (raw regex count) are found as products."""
        portfolio, files = real
        occurrences = [
            (slug, target)
            for slug, (_, body) in files.items()
            for host, raw_target in _PRODUCT.findall(body)
            if not host or re.match(r"https?://(www\.)?beta\.gouv\.fr", host)
            for target in [raw_target.removesuffix(".html").rstrip("/")]
            if target in files and target != slug
        ]
        found = {
            (s.slug, target)
            for s in portfolio
            for target, _ in _lessons.product_links(s, _lessons._aliases(portfolio))
        }

        assert 67 == len(occurrences)
        assert set(occurrences) <= found

    def test_related_beats_the_baseline(self, real):
        """On the page links: recall@5 >= 0.5, and recall and MRR above the baseline's."""
        pytest.importorskip("snowballstemmer")
        portfolio, _ = real
        spec = importlib.util.spec_from_file_location(
            "lessons_benchmark", Path(__file__).parent.parent / "benchmarks" / "lessons.py"
        )
        bench = importlib.util.module_from_spec(spec)
        sys.modules["lessons_benchmark"] = bench
        spec.loader.exec_module(bench)
        pairs, _ = bench.ground_truth(portfolio)
        ours = bench.score(pairs, lambda s: bench.ranking(portfolio, s))
        base = bench.score(pairs, lambda s: bench.baseline(portfolio, s))

        assert ours[0] >= 0.5
        assert ours[0] > base[0]
        assert ours[1] > base[1]
