"""Rulebook diagrams: golden Mermaid and DOT text, whole presets, Graphviz taking every DOT."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import betastate as bs
from betastate._cli.main import main


DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "diagrams"
ATELIER = bs.rulebook(DATA / "rulebooks" / "atelier.toml")
# A product of the tiny rulebook: its first move, a gate passed, a rework, its exit.
CARNET = bs.Startup(
    slug="carnet",
    title="Carnet",
    history=[
        bs.PhaseEntered(on=dt.date(2025, 1, 6), phase="idea"),
        bs.PhaseEntered(on=dt.date(2025, 3, 3), phase="build-up"),
        bs.Pivoted(on=dt.date(2025, 6, 2), phase="build-up"),
        bs.PhaseEntered(on=dt.date(2025, 9, 1), phase="done"),
    ],
)


def golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


def dot_binary() -> str | None:
    """Graphviz's ``dot``: CI installs it (.ci/run); elsewhere its tests skip without it."""
    found = shutil.which("dot")
    if found is None and os.environ.get("CI") == "true":
        pytest.fail("Graphviz's dot is missing in CI: .ci/run installs the graphviz package")
    return found


def every_dot_output() -> list[tuple[str, str]]:
    """(name, DOT text) of each preset in each of its languages, with and without a path."""
    sample = bs.sample_portfolio()
    outputs = [
        ("atelier", ATELIER.diagram("dot")),
        ("atelier-path", ATELIER.diagram("dot", startup=CARNET)),
    ]
    outputs.extend(
        (f"{name}-{lang}", bs.rulebook(name).diagram("dot", lang=lang))
        for name in ("betagouv", "govuk")
        for lang in bs.rulebook(name).languages
    )
    outputs.extend(
        (f"betagouv-{slug}", bs.rulebook().diagram("dot", startup=sample[slug]))
        for slug in sample.slugs[:5]
    )
    return outputs


class TestGolden:
    @pytest.mark.parametrize(
        ("name", "kwargs"),
        [
            ("atelier.mmd", {}),
            ("atelier.fr.dot", {"format": "dot", "lang": "fr"}),
            ("atelier-path.mmd", {"startup": CARNET}),
            ("atelier-path.dot", {"format": "dot", "startup": CARNET}),
        ],
    )
    def test_text(self, name, kwargs):
        """The tiny rulebook's diagrams are exactly the reviewed golden files."""
        assert golden(name) == ATELIER.diagram(**kwargs)


def edges(book: bs.Rulebook) -> list[tuple[str, bs.TransitionDef]]:
    return [(s or "start", t) for t in book.transitions for s in (t.sources or (None,))]


class TestPresets:
    @pytest.mark.parametrize("name", ["betagouv", "govuk"])
    def test_dot_draws_everything(self, name):
        """Every phase with its label, every move (dashed when data-only), terminals doubled."""
        book = bs.rulebook(name)
        text = book.diagram("dot")
        arrows = [line for line in text.splitlines() if " -> " in line]

        assert len(edges(book)) == len(arrows)
        assert sum(t.data_only for _, t in edges(book)) == text.count("style=dashed")
        assert sum(p.terminal for p in book.phases) == text.count("peripheries=2")
        assert sum(p.stop for p in book.phases) == text.count('fillcolor="#fde2e1"')
        for phase in book.phases:
            assert f'label="{phase.label("en")}"' in text
        for transition in book.transitions:
            assert f'label="{transition.id} {transition.trigger}\\n' in text

    def test_mermaid_draws_everything(self):
        """The Mermaid flowchart has a node per phase and an arrow per move, data-only dotted."""
        book = bs.rulebook()
        text = book.diagram()
        arrows = re.findall(r"^    \S+ (-->|-\.->)\|", text, flags=re.MULTILINE)

        assert text.startswith("%% betagouv")
        assert len(edges(book)) == len(arrows)
        assert sum(t.data_only for _, t in edges(book)) == arrows.count("-.->")
        assert 'abandon_investigation["Inconclusive investigation"]' in text

    def test_french_labels(self):
        """lang="fr" draws the French labels of phases and roles."""
        text = bs.rulebook().diagram("dot", lang="fr")

        assert 'label="Investigations non concluantes"' in text
        assert "Sponsor avec Jury de sélection / Incubateur" in text

    def test_a_startups_path(self):
        """A sample product's phases and moves are highlighted, its current phase most."""
        sample = bs.sample_portfolio()
        startup = sample["carnet-chantier"]
        book = bs.rulebook()
        text = book.diagram("dot", startup=startup)
        phases = [e.phase for e in startup.history if isinstance(e, bs.PhaseEntered)]
        current = bs.Lifecycle().phase(startup)

        for phase in phases:
            line = next(x for x in text.splitlines() if x.startswith(f"    {phase} ["))
            assert "#d35400" in line
        current_line = next(x for x in text.splitlines() if x.startswith(f"    {current} ["))
        assert "penwidth=3" in current_line
        assert len(phases) == text.count("penwidth=2.5")


class TestEscaping:
    def test_quotes_and_backslashes(self):
        """Quotes, backslashes and brackets in labels are escaped in both formats."""
        book = ATELIER.derive(phases={"idea": {"labels": {"en": 'Idée "brute" \\ [v1]'}}})

        assert 'label="Idée \\"brute\\" \\\\ [v1]"' in book.diagram("dot")
        assert 'idea["Idée #quot;brute#quot; \\ [v1]"]' in book.diagram()

    def test_node_ids_are_safe(self):
        """Phase values that are not identifiers get safe, distinct node ids."""
        book = ATELIER.derive(
            add_phases=[
                bs.PhaseDef(
                    value="build_up", labels={"en": "Other"}, rank=5, active=False, terminal=True
                )
            ],
            add_transitions=[
                bs.TransitionDef(
                    id="A6",
                    trigger="other",
                    sources=["build-up"],
                    dest="build_up",
                    deciders=["owner"],
                )
            ],
        )
        text = book.diagram("dot")

        assert "build_up -> build_up_2" in text


class TestArguments:
    def test_unknown_format(self):
        """A format other than mermaid or dot is a RulebookError naming both."""
        with pytest.raises(bs.RulebookError, match="mermaid, dot"):
            ATELIER.diagram("svg")  # type: ignore[arg-type]

    def test_unknown_language(self):
        """A language the rulebook has no labels in is a RulebookError naming its languages."""
        with pytest.raises(bs.RulebookError) as info:
            bs.rulebook("govuk").diagram(lang="fr")

        assert "en" == info.value.fix.rsplit(" ", 1)[-1]

    def test_cli_prints_the_diagram(self, capsys):
        """`betastate rules diagram` prints what Rulebook.diagram returns."""
        code = main(["rules", "diagram", "govuk", "--format", "dot"])

        assert 0 == code
        assert bs.rulebook("govuk").diagram("dot") == capsys.readouterr().out

    def test_cli_highlights_a_product(self, capsys):
        """--slug draws a sample product's path; an unknown slug is an error."""
        assert 0 == main(["rules", "diagram", "--slug", "carnet-chantier"])
        startup = bs.sample_portfolio()["carnet-chantier"]
        assert bs.rulebook().diagram(startup=startup) == capsys.readouterr().out
        assert 2 == main(["rules", "diagram", "--slug", "nowhere"])


class TestGraphviz:
    @pytest.mark.parametrize(
        ("name", "text"), every_dot_output(), ids=lambda v: v if len(v) < 40 else ""
    )
    def test_dot_accepts_every_output(self, name, text, tmp_path):
        """`dot -Tsvg` turns every DOT output into an SVG, without a warning."""
        binary = dot_binary()
        if binary is None:
            pytest.skip("Graphviz's dot is not installed")
        done = subprocess.run(
            [binary, "-Tsvg"], input=text, capture_output=True, text=True, check=False, timeout=60
        )

        assert 0 == done.returncode, done.stderr
        assert "" == done.stderr
        assert done.stdout.rstrip().endswith("</svg>")


class TestDocs:
    @pytest.mark.parametrize("name", ["betagouv", "govuk"])
    def test_the_docs_draw_the_presets_as_they_are(self, name):
        """docs/diagrams/NAME.dot, which Sphinx draws in the rulebooks page, is the preset today."""
        path = Path(__file__).parent.parent / "docs" / "diagrams" / f"{name}.dot"

        assert bs.rulebook(name).diagram("dot") == path.read_text(encoding="utf-8"), (
            f"regenerate it: betastate rules diagram {name} --format dot -o {path}"
        )
