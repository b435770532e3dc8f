"""
Writing a startup back to its markdown front matter, changing only what changed.

The original text is the template: the key order, the quoting, comments
and every key betastate does not model stay byte for byte, and so does the
markdown body unless the startup's ``body`` changed. A key whose value
changed is re-rendered on its own lines; a phase or event that is
unchanged keeps its original lines, a new one is added in the file's own
indentation, a removed one loses its lines. Writing an unchanged
startup returns the original text.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from betastate._io import frontmatter
from betastate._values.errors import DataFileError
from betastate._values.events import (
    CommitteeHeld,
    Event,
    FastLaureate,
    NationalImpactDesignated,
    Note,
    PhaseEnded,
    PhaseEntered,
    ProductLaunched,
    Stopped,
)
from betastate._values.startup import Startup


SCALARS: Final = ("title", "mission", "incubator", "contact", "link", "repository")
LISTS: Final = ("incubators", "sponsors")
_EVENT_KINDS: Final[Mapping[type, str]] = {
    CommitteeHeld: "committee",
    ProductLaunched: "product_launch",
    Stopped: "end",
    NationalImpactDesignated: "national_impact",
    FastLaureate: "fast",
}

_PLAIN: Final[Mapping[str, Callable[[dt.date, str | None], Event]]] = {
    "committee": lambda on, comment: CommitteeHeld(on=on, comment=comment),
    "product_launch": lambda on, comment: ProductLaunched(on=on, comment=comment),
    "end": lambda on, comment: Stopped(on=on, comment=comment),
    "national_impact": lambda on, comment: NationalImpactDesignated(on=on, comment=comment),
    "fast": lambda on, comment: FastLaureate(on=on, comment=comment),
}

Item = tuple[tuple[str, Any], ...]
"""A phase or event entry as ordered (key, value) pairs."""


def write_frontmatter(original: str, startup: Startup, *, file: str = "<text>") -> str:
    """
    The text of ``original`` with its front matter updated to ``startup``.

    Args:
        original: The markdown file's current text (front matter and body).
        startup: The startup to write (typically read from that file, then changed).
        file: The file name, for errors.

    Returns:
        The new text; ``original`` itself when nothing changed.

    Raises:
        DataFileError: ``original`` has no readable front matter, or the
            startup holds what front matter cannot (events other than phases,
            committees, launches, stops, national impact, FAST and notes, or
            event details beyond a date and a comment).

    .. versionadded:: 0.1.0
    """
    from betastate._io.loaders import read_as_written  # noqa: PLC0415  (import cycle)

    front = frontmatter.parse_text(original, file)
    old, phase_entries, event_entries = read_as_written(front, startup.slug)
    if old == startup:
        return original
    new_phases, new_events = _items(startup, file)
    blocks = _Blocks(front)
    raw_phases = blocks.chunks("phases", [phase_item(*entry) for entry in phase_entries])
    raw_events = blocks.chunks("events", [event_item(*entry) for entry in event_entries])
    for key in SCALARS:
        new_value = getattr(startup, key)
        if new_value != getattr(old, key):
            blocks.set(key, new_value)
    for key in LISTS:
        new_list = getattr(startup, key)
        if new_list != getattr(old, key):
            blocks.set_list(key, list(new_list), front.data.get(key))
    for key in dict.fromkeys((*old.extra, *startup.extra)):
        if key not in startup.extra:
            blocks.remove(key)
        elif key not in old.extra or old.extra[key] != startup.extra[key]:
            blocks.set(key, startup.extra[key])
    blocks.set_items("phases", raw_phases, new_phases)
    blocks.set_items("events", raw_events, new_events)
    return blocks.render(None if startup.body == old.body else startup.body)


def save_startup(path: str | Path, startup: Startup) -> bool:
    """
    Write ``startup`` into its markdown file at ``path``, replacing it atomically.

    Returns:
        Whether the file changed (an unchanged startup leaves it untouched).

    Raises:
        DataFileError: See :func:`write_frontmatter`; also unreadable files.

    .. versionadded:: 0.1.0
    """
    import tempfile  # noqa: PLC0415  (import time)

    target = Path(path)
    original = frontmatter.read_text(target)
    text = write_frontmatter(original, startup, file=str(target))
    if text == original:
        return False
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


# -- history to entries --------------------------------------------------------------


def phase_item(name: str, start: dt.date, end: dt.date | None, comment: str | None) -> Item:
    """A phase entry as the site writes it: name, start, end?, comment?."""
    item: list[tuple[str, Any]] = [("name", name), ("start", start)]
    if end is not None:
        item.append(("end", end))
    if comment is not None:
        item.append(("comment", comment))
    return tuple(item)


def event_item(name: str, on: dt.date, comment: str | None) -> Item:
    """An event entry as the site writes it: name, date, comment?."""
    item: list[tuple[str, Any]] = [("name", name), ("date", on)]
    if comment is not None:
        item.append(("comment", comment))
    return tuple(item)


def _items(startup: Startup, file: str) -> tuple[list[Item], list[Item]]:
    """The phase and event entries ``startup``'s history writes to."""
    phases: list[list[Any]] = []
    events: list[Item] = []
    for event in startup.history:
        if isinstance(event, PhaseEntered):
            _only_date_and_comment(
                event, PhaseEntered(on=event.on, phase=event.phase, comment=event.comment), file
            )
            phases.append([event.phase, event.on, None, event.comment])
        elif isinstance(event, PhaseEnded):
            _only_date_and_comment(event, PhaseEnded(on=event.on, phase=event.phase), file)
            open_entry = next(
                (p for p in reversed(phases) if p[0] == event.phase and p[2] is None), None
            )
            if open_entry is None:
                raise DataFileError(
                    file,
                    None,
                    f"the end of {event.phase!r} on {event.on} follows no entry of that phase",
                    "add the PhaseEntered before its PhaseEnded",
                )
            open_entry[2] = event.on
        else:
            events.append(_event_entry(event, file))
    return [phase_item(*p) for p in phases], events


def _event_entry(event: Event, file: str) -> Item:
    if isinstance(event, Note):
        name = event.name
        plain: Event = Note(on=event.on, name=event.name, comment=event.comment)
    else:
        kind = _EVENT_KINDS.get(type(event))
        if kind is None:
            raise DataFileError(
                file,
                None,
                f"front matter cannot hold a {type(event).__name__} event ({event.on})",
                "save the portfolio as betastate JSON (portfolio_to_json) instead",
            )
        name = kind
        plain = _PLAIN[kind](event.on, event.comment)
    _only_date_and_comment(event, plain, file)
    return event_item(name, event.on, event.comment)


def _only_date_and_comment(event: Event, plain: Event, file: str) -> None:
    if event != plain:
        raise DataFileError(
            file,
            None,
            f"front matter keeps only the date and comment of a {type(event).__name__}; "
            f"{event!r:.120} has more",
            "save the portfolio as betastate JSON (portfolio_to_json) to keep every detail",
        )


# -- text blocks ---------------------------------------------------------------------


_BREAKS: Final = frozenset("\r\x85\u2028\u2029")
"""Line breaks YAML folds inside single quotes: such text is written double-quoted, escaped."""


def _dump(value: Any, style: str | None = None) -> str:
    """``value`` as YAML lines, lists indented as the site writes them."""
    import yaml  # noqa: PLC0415

    class _Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:  # noqa: ARG002
            super().increase_indent(flow, indentless=False)

    return yaml.dump(
        value,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        default_style=style,
        width=1 << 30,
    )


def _scalar(value: Any) -> str:
    style = '"' if isinstance(value, str) and not _BREAKS.isdisjoint(value) else None
    text = _dump(value, style)
    return text.removesuffix("\n...\n").removesuffix("\n")


class _Blocks:
    """The front matter as top-level blocks of lines, edited in place."""

    def __init__(self, front: frontmatter.FrontMatter) -> None:
        self.front = front
        self.lines = front.yaml_text.splitlines(keepends=True)
        self.keys: dict[str, tuple[int, int]] = {}
        self.replacements: dict[str, str] = {}
        self.appended: list[str] = []
        current: str | None = None
        for index, line in enumerate(self.lines):
            if line[:1] not in {" ", "\t", "-", "#", "\n", "\r", ""} and ":" in line:
                current = line.split(":", 1)[0].strip().strip("'\"")
                self.keys[current] = (index, index + 1)
            elif current is not None:
                self.keys[current] = (self.keys[current][0], index + 1)

    def chunks(self, key: str, items: list[Item]) -> list[tuple[Item, str]] | None:
        """
        Each entry of the list ``key`` with its lines, or ``None`` if they cannot be told apart.

        An entry starts at a ``- `` line at the first entry's indentation.
        """
        if key not in self.keys or not items:
            return [] if not items else None
        start, end = self.keys[key]
        body = self.lines[start + 1 : end]
        firsts = [i for i, line in enumerate(body) if line.lstrip(" ").startswith("- ")]
        if not firsts:
            return None
        indent = len(body[firsts[0]]) - len(body[firsts[0]].lstrip(" "))
        heads = [i for i in firsts if len(body[i]) - len(body[i].lstrip(" ")) == indent]
        if len(heads) != len(items):
            return None
        bounds = [*heads, len(body)]
        return [(item, "".join(body[bounds[n] : bounds[n + 1]])) for n, item in enumerate(items)]

    def set(self, key: str, value: Any) -> None:
        if value is None:
            self.remove(key)
            return
        self._put(key, _dump({key: value}))

    def remove(self, key: str) -> None:
        if key in self.keys:
            self.replacements[key] = ""

    def set_list(self, key: str, values: list[str], old: Any) -> None:
        if not values:
            self.remove(key)
            return
        if key not in self.keys or not isinstance(old, list):
            self.set(key, values)
            return
        start, end = self.keys[key]
        item_lines = [line for line in self.lines[start + 1 : end] if line.lstrip().startswith("-")]
        by_value = dict(zip(old, item_lines, strict=False))
        prefix = (
            item_lines[0][: len(item_lines[0]) - len(item_lines[0].lstrip())]
            if item_lines
            else "  "
        )
        rendered = [by_value.get(value) or f"{prefix}- {_scalar(value)}\n" for value in values]
        self._put(key, self.lines[start] + "".join(rendered))

    def set_items(self, key: str, old: list[tuple[Item, str]] | None, new: list[Item]) -> None:
        """Keep the lines of unchanged entries, drop removed ones, append new ones."""
        if old is None:
            # Entries the writer cannot tell apart (flow style...): render the list anew.
            self.set(key, [dict(item) for item in new] or None)
            return
        remaining = list(new)
        kept: list[str] = []
        for item, text in old:
            if item in remaining:
                remaining.remove(item)
                kept.append(text)
        if len(kept) == len(old) and not remaining:
            return
        if not kept and not remaining:
            self.remove(key)
            return
        indent = _indent(old)
        kept.extend(_render_item(item, indent) for item in remaining)
        if key in self.keys and old:
            self._put(key, self.lines[self.keys[key][0]] + "".join(kept))
        else:
            self._put(key, f"{key}:\n" + "".join(kept))

    def _put(self, key: str, text: str) -> None:
        if key in self.keys:
            self.replacements[key] = text
        else:
            self.appended.append(text)

    def render(self, body: str | None = None) -> str:
        """The text with the edited front matter, and ``body`` when it changed."""
        starts = {start: key for key, (start, _) in self.keys.items()}
        out: list[str] = []
        index = 0
        while index < len(self.lines):
            key = starts.get(index)
            if key is not None and key in self.replacements:
                out.append(self.replacements[key])
                index = self.keys[key][1]
                continue
            out.append(self.lines[index])
            index += 1
        if self.appended:
            if out and not out[-1].endswith("\n"):
                out.append("\n")
            out.extend(self.appended)
        front = self.front
        text = front.text
        rest = text[front.yaml_end :] if body is None else text[front.yaml_end : front.body_start]
        if body is not None and not rest.endswith("\n"):
            rest += "\n"
        return text[: front.yaml_start] + "".join(out) + rest + (body or "")


def _indent(old: Iterable[tuple[Item, str]]) -> str:
    for _, text in old:
        return text[: len(text) - len(text.lstrip(" "))]
    return "  "


def _render_item(item: Item, indent: str) -> str:
    lines: list[str] = []
    for position, (key, value) in enumerate(item):
        lead = f"{indent}- " if position == 0 else f"{indent}  "
        rendered = value.isoformat() if isinstance(value, dt.date) else _scalar(value)
        if "\n" in rendered:
            # A multi-line scalar: indent its continuation lines under the key.
            first, *rest = rendered.split("\n")
            rendered = "\n".join([first, *(f"{indent}    {line}" for line in rest)])
        lines.append(f"{lead}{key}: {rendered}\n")
    return "".join(lines)
