"""
Drawing a rulebook: its phase graph as Mermaid or Graphviz DOT text.

Phases carry their labels in the chosen language, transitions their id,
trigger, deciders (co-deciders after "with") and gates in brackets; terminal
phases have a double border, stops are red, data-only moves dashed. Given a
startup, the phases it went through and the moves it took are highlighted,
its current phase most of all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from betastate._values.errors import RulebookError
from betastate._values.events import PhaseEntered, Pivoted


if TYPE_CHECKING:
    from betastate._rules.rulebook import Rulebook, TransitionDef
    from betastate._values.startup import Startup

FORMATS: Final = ("mermaid", "dot")
"""The formats :meth:`betastate.Rulebook.diagram` writes."""

_START: Final = "start"
"""The node the first transitions leave from."""

# Colours: stops red, the path orange, the current phase a deeper orange.
_STOP_FILL, _STOP_LINE = "#fde2e1", "#c0392b"
_PATH_FILL, _PATH_LINE = "#fff1d6", "#d35400"
_CURRENT_FILL = "#ffc980"


class _Graph:
    """The rulebook's graph as plain parts both formats write out."""

    def __init__(self, book: Rulebook, lang: str, startup: Startup | None) -> None:
        self.book = book
        self.lang = lang
        self.phases = book.phase_values
        self.ids = _node_ids(self.phases)
        self.edges: list[tuple[str, str, TransitionDef]] = [
            (source if source is not None else _START, t.dest, t)
            for t in book.transitions
            for source in (t.sources or (None,))
        ]
        self.visited: list[str] = []
        self.taken: set[int] = set()
        if startup is not None:
            self.path(startup)

    def path(self, startup: Startup) -> None:
        """The phases ``startup`` went through, in the tie-rule order, and the moves taken."""
        book = self.book
        entries = sorted(
            (
                (event.on, book.rank(event.phase), index, event)
                for index, event in enumerate(startup.in_force)
                if isinstance(event, PhaseEntered | Pivoted) and book.has_phase(event.phase)
            ),
            key=lambda item: (item[0], isinstance(item[3], Pivoted), item[1], item[2]),
        )
        previous = _START
        for _day, _rank, _index, event in entries:
            if isinstance(event, Pivoted):
                self.take(event.phase, event.phase, internal=True)
                continue
            self.take(previous, event.phase, internal=False)
            if event.phase not in self.visited:
                self.visited.append(event.phase)
            previous = event.phase

    def take(self, source: str, dest: str, *, internal: bool) -> None:
        for index, (edge_source, edge_dest, transition) in enumerate(self.edges):
            if (edge_source, edge_dest) == (source, dest) and transition.internal == internal:
                self.taken.add(index)
                return

    @property
    def current(self) -> str | None:
        return self.visited[-1] if self.visited else None

    def label(self, phase: str) -> str:
        return self.book.phase(phase).label(self.lang)

    def role(self, value: str) -> str:
        return self.book.role(value).label(self.lang) if self.book.has_role(value) else value

    def edge_text(self, transition: TransitionDef) -> tuple[str, ...]:
        """The lines of a transition's label: id and trigger, deciders, gates."""
        who = " / ".join(self.role(r) for r in transition.deciders)
        if transition.co_deciders:
            joint = " / ".join(self.role(r) for r in transition.co_deciders)
            who += f" {'avec' if self.lang.startswith('fr') else 'with'} {joint}"
        lines = [f"{transition.id} {transition.trigger}", who]
        if transition.gates:
            lines.append(f"[{', '.join(transition.gates)}]")
        return tuple(lines)


def _node_ids(phases: tuple[str, ...]) -> dict[str, str]:
    """Identifiers safe in both formats (``abandon-investigation`` → ``abandon_investigation``)."""
    ids: dict[str, str] = {}
    used = {_START}
    for phase in phases:
        base = re.sub(r"[^A-Za-z0-9_]", "_", phase) or "phase"
        if base[0].isdigit() or base in {"end", "graph", "subgraph", "class", "style"}:
            base = f"p_{base}"
        name, n = base, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        ids[phase] = name
    return ids


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", " ")


def mermaid(graph: _Graph) -> str:
    """The graph as a Mermaid ``flowchart``."""
    book = graph.book
    lines = [f"%% {book.name}: {book.title or book.name}", "flowchart LR", f"    {_START}(( ))"]
    lines.extend(
        f'    {graph.ids[phase]}["{_mermaid_text(graph.label(phase))}"]' for phase in graph.phases
    )
    for source, dest, transition in graph.edges:
        text = "<br/>".join(_mermaid_text(line) for line in graph.edge_text(transition))
        arrow = "-.->" if transition.data_only else "-->"
        tail = _START if source == _START else graph.ids[source]
        lines.append(f'    {tail} {arrow}|"{text}"| {graph.ids[dest]}')
    lines.append("    classDef terminal stroke-width:4px")
    lines.append(f"    classDef stop fill:{_STOP_FILL},stroke:{_STOP_LINE}")
    lines.append(f"    classDef visited fill:{_PATH_FILL},stroke:{_PATH_LINE}")
    lines.append(f"    classDef current fill:{_CURRENT_FILL},stroke:{_PATH_LINE},stroke-width:4px")
    for name, phases in (
        ("terminal", [p for p in graph.phases if book.phase(p).terminal]),
        ("stop", [p for p in graph.phases if book.phase(p).stop]),
        ("visited", [p for p in graph.visited if p != graph.current]),
        ("current", [graph.current] if graph.current is not None else []),
    ):
        if phases:
            lines.append(f"    class {','.join(graph.ids[p] for p in phases)} {name}")
    if graph.taken:
        indexes = ",".join(str(i) for i in sorted(graph.taken))
        lines.append(f"    linkStyle {indexes} stroke:{_PATH_LINE},stroke-width:3px")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def dot(graph: _Graph) -> str:
    """The graph as a Graphviz ``digraph``."""
    book = graph.book
    lines = [
        f"digraph {_dot_text(book.name)} {{",
        (
            f"    graph [rankdir=LR, label={_dot_text(book.title or book.name)}, labelloc=t, "
            'fontname="Helvetica", fontsize=16];'
        ),
        (
            '    node [shape=box, style="rounded,filled", fillcolor="#ffffff", '
            'fontname="Helvetica", fontsize=12];'
        ),
        '    edge [fontname="Helvetica", fontsize=9];',
        f'    {_START} [shape=point, width=0.2, label=""];',
    ]
    for phase in graph.phases:
        definition = book.phase(phase)
        attributes = [f"label={_dot_text(graph.label(phase))}"]
        if definition.terminal:
            attributes.append("peripheries=2")
        if definition.stop:
            attributes.append(f'fillcolor="{_STOP_FILL}", color="{_STOP_LINE}"')
        if phase == graph.current:
            attributes.append(f'fillcolor="{_CURRENT_FILL}", color="{_PATH_LINE}", penwidth=3')
        elif phase in graph.visited:
            attributes.append(f'fillcolor="{_PATH_FILL}", color="{_PATH_LINE}", penwidth=2')
        lines.append(f"    {graph.ids[phase]} [{', '.join(attributes)}];")
    for index, (source, dest, transition) in enumerate(graph.edges):
        attributes = [f"label={_dot_text(chr(10).join(graph.edge_text(transition)))}"]
        if transition.data_only:
            attributes.append("style=dashed")
        if index in graph.taken:
            attributes.append(f'color="{_PATH_LINE}", penwidth=2.5')
        tail = _START if source == _START else graph.ids[source]
        lines.append(f"    {tail} -> {graph.ids[dest]} [{', '.join(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw(book: Rulebook, format: str, *, lang: str | None, startup: Startup | None) -> str:  # noqa: A002
    """:meth:`betastate.Rulebook.diagram`: checks the arguments, then writes the format."""
    where = book.origin or f"rulebook {book.name!r}"
    if format not in FORMATS:
        raise RulebookError(
            where,
            "diagram(format)",
            f"{format!r} is not a diagram format",
            f"use one of {', '.join(FORMATS)}",
        )
    languages = book.languages
    if lang is None:
        lang = "en" if "en" in languages or not languages else languages[0]
    elif lang not in languages:
        raise RulebookError(
            where,
            "diagram(lang)",
            f"the rulebook has no labels in {lang!r}",
            f"use one of {', '.join(languages)}",
        )
    graph = _Graph(book, lang, startup)
    return mermaid(graph) if format == "mermaid" else dot(graph)
