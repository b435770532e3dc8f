"""
Writing a startup back to its markdown front matter, changing only what changed.

The original text is the template: the key order, the quoting, comments,
line endings, a byte-order mark and every key betastate does not model stay
byte for byte, and so does the markdown body unless the startup's ``body``
changed. A key whose value changed is re-rendered on its own lines; a phase
or event that is unchanged keeps its original lines, a new one is added in
the file's own indentation, a removed one loses its lines. Writing an
unchanged startup returns the original text.

Every event is written in the site's vocabulary (a phase entry is a
``phases`` item, a committee an ``events: committee`` entry whose comment
summarises the decision, a FAST award a ``fast`` event and the ``fast``
block...). What the site's files have no place for (actors, attendees,
post-mortems, envelopes, spending, trajectories...) is never dropped
silently: :func:`write_frontmatter` returns it as :class:`LeftOut` facts,
and :func:`save_startup` refuses, stores them in a betastate JSON sidecar,
or drops them, as the caller says.

Saving is atomic and durable: the new text goes to a locked temporary file
in the same folder, is flushed to disk (``fsync``), takes the file's mode,
replaces the file (through symlinks, their target), and the folder is
flushed too. A save killed half-way leaves only a temporary file, which the
next save of that file removes once no live writer holds its lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import stat
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from betastate._io import frontmatter
from betastate._values.errors import DataFileError, InvalidArgument, InvalidType
from betastate._values.events import (
    CommitteeHeld,
    Decision,
    Event,
    FastLaureate,
    NationalImpactDesignated,
    Note,
    PhaseEnded,
    PhaseEntered,
    ProductLaunched,
    Retracted,
    Stopped,
)
from betastate._values.startup import Startup


SCALARS: Final = ("title", "mission", "incubator", "contact", "link", "repository")
LISTS: Final = ("incubators", "sponsors")

_EVENT_NAMES: Final[Mapping[type, str]] = {
    CommitteeHeld: "committee",
    ProductLaunched: "product_launch",
    Stopped: "end",
    NationalImpactDesignated: "national_impact",
    FastLaureate: "fast",
}
"""Event classes and the site's event name each becomes (a Note keeps its own name)."""

_WRITTEN_FIELDS: Final[Mapping[type, frozenset[str]]] = {
    PhaseEntered: frozenset({"on", "phase", "comment"}),
    PhaseEnded: frozenset({"on", "phase"}),
    CommitteeHeld: frozenset({"on", "comment"}),
    ProductLaunched: frozenset({"on", "comment"}),
    NationalImpactDesignated: frozenset({"on", "comment"}),
    Stopped: frozenset({"on", "comment"}),
    FastLaureate: frozenset({"on", "comment"}),
    Note: frozenset({"on", "name", "comment"}),
}
"""The fields of each event the site's files hold; any other field set is left out."""

_DECISIONS: Final[Mapping[Decision, str]] = {
    Decision.CONTINUE: "poursuite",
    Decision.PROVISIONAL: "financement provisoire",
    Decision.STOP: "arrêt",
}
"""A committee's decision in the words of the site's committee comments (French)."""

SIDECAR_SUFFIX: Final = ".betastate.json"
"""
A sidecar is ``.<stem>.betastate.json`` next to the file.

Hidden, so that Jekyll never publishes what it holds (actors' names...).
"""

LeftOutPolicy = Literal["refuse", "sidecar", "drop"]
"""What :func:`save_startup` does with facts the site's files have no place for."""

Item = tuple[tuple[str, Any], ...]
"""A phase or event entry as ordered (key, value) pairs."""


@attrs.frozen
class LeftOut:
    """
    A fact of a startup's history that its front-matter file does not hold.

    Attributes:
        event: The event, whole, as betastate holds it.
        fields: Its fields (with a value) that the file lacks: ``by``,
            ``attendees``, ``post_mortem``...; for an event not written at
            all, every field it sets, ``on`` included.
        written_as: What the file holds of it (``"phases"``,
            ``"events: committee"``...), or ``None`` when nothing.

    .. versionadded:: 0.1.0
    """

    event: Event
    fields: tuple[str, ...]
    written_as: str | None = None

    def __str__(self) -> str:
        kind = f"{type(self.event).__name__} of {self.event.on.isoformat()}"
        if self.written_as is None:
            return f"{kind} (not written: the site's files have no place for it)"
        return f"{kind} (written as {self.written_as}, without {', '.join(self.fields)})"


@attrs.frozen
class Written:
    """
    What writing a startup to its front matter gave.

    Attributes:
        text: The file's new text (the original when nothing changed).
        left_out: The facts the file does not hold (see :class:`LeftOut`).
        changed: Whether ``text`` differs from the original.
        sidecar: The sidecar file :func:`save_startup` wrote, if any.

    .. versionadded:: 0.1.0
    """

    text: str
    left_out: tuple[LeftOut, ...] = ()
    changed: bool = False
    sidecar: str | None = None


def write_frontmatter(original: str, startup: Startup, *, file: str = "<text>") -> Written:
    """
    The text of ``original`` with its front matter updated to ``startup``.

    Args:
        original: The markdown file's current text (front matter and body).
        startup: The startup to write (typically read from that file, then changed).
        file: The file name, for errors.

    Returns:
        The new text and what it leaves out (``text`` is ``original`` itself
        when nothing changed).

    Raises:
        DataFileError: ``original`` has no readable front matter, or an
            ``extra`` value YAML cannot hold.

    .. versionadded:: 0.1.0
    """
    from betastate._io.loaders import read_as_written  # noqa: PLC0415  (import cycle)

    _check_arguments(original, startup)
    front = frontmatter.parse_text(original, file)
    old, phase_entries, event_entries = read_as_written(front, startup.slug)
    if old == startup:
        return Written(original)
    file_phases = [phase_item(*entry) for entry in phase_entries]
    site = _Site(startup, frozenset(file_phases))
    blocks = _Blocks(front)
    raw_phases = blocks.chunks("phases", file_phases)
    raw_events = blocks.chunks("events", [event_item(*entry) for entry in event_entries])
    for key in SCALARS:
        new_value = getattr(startup, key)
        if new_value != getattr(old, key):
            blocks.set(key, new_value)
    for key in LISTS:
        new_list = getattr(startup, key)
        if new_list != getattr(old, key):
            blocks.set_list(key, list(new_list), front.data.get(key))
    extra = site.extra_with_fast(old)
    for key in dict.fromkeys((*old.extra, *extra)):
        if key not in extra:
            blocks.remove(key)
        elif key not in old.extra or old.extra[key] != extra[key]:
            blocks.set(key, extra[key], keep_null=True)
    blocks.set_items("phases", raw_phases, site.phases)
    blocks.set_items("events", raw_events, site.events)
    text = blocks.render(None if startup.body == old.body else startup.body)
    return Written(text, tuple(site.left_out), changed=text != original)


def save_startup(
    path: str | Path, startup: Startup, *, left_out: LeftOutPolicy = "refuse"
) -> Written:
    """
    Write ``startup`` into its markdown file at ``path``, atomically and durably.

    Through a symlink, the link's target is written and the link kept; the
    file keeps its mode. An unchanged startup leaves the file untouched.

    Args:
        path: The product's markdown file.
        startup: The startup to write.
        left_out: What to do when the file cannot hold every fact (actors,
            post-mortems, envelopes...; see :class:`LeftOut`): ``"refuse"``
            raises before writing anything; ``"sidecar"`` writes the file
            and keeps those facts as betastate JSON in
            ``.<stem>.betastate.json`` next to it (merged with what an
            earlier save kept there); ``"drop"`` writes the file without
            them (``Written.left_out`` still lists them).

    Returns:
        The text written, what was left out, whether the file changed and
        the sidecar written.

    Raises:
        DataFileError: An unreadable file, a front matter that cannot be
            read, a sidecar that is not betastate's, or (``"refuse"``)
            facts the file cannot hold.

    .. versionadded:: 0.1.0
    """
    if left_out not in ("refuse", "sidecar", "drop"):
        raise InvalidArgument(
            "left_out", left_out, "not a policy for facts the file cannot hold", _POLICIES
        )
    _check_arguments("", startup)
    if not isinstance(path, str | os.PathLike):
        raise InvalidType("", "path", path, "expected a file path", "pass a str or a Path")
    given = Path(path)
    target = Path(os.path.realpath(given))
    original = frontmatter.read_text(target)
    written = write_frontmatter(original, startup, file=str(given))
    if written.left_out and left_out == "refuse":
        facts = "; ".join(str(item) for item in written.left_out[:3])
        more = f" and {len(written.left_out) - 3} more" if len(written.left_out) > 3 else ""  # noqa: PLR2004
        raise DataFileError(
            str(given),
            None,
            f"the site's front matter has no place for {len(written.left_out)} facts of "
            f"{startup.slug!r}: {facts}{more}; nothing was written",
            f"pass left_out='sidecar' to keep them in {_sidecar(target).name} next to the file, "
            "or left_out='drop' to write the file without them",
        )
    sidecar = None
    if written.left_out and left_out == "sidecar":
        # The sidecar first: a crash between the two writes loses nothing.
        sidecar = str(_save_sidecar(target, startup.slug, written.left_out))
    if written.changed:
        _save_bytes(target, written.text.encode("utf-8"), file=str(given))
    return attrs.evolve(written, sidecar=sidecar)


# -- history to the site's entries ---------------------------------------------------


_POLICIES = "use 'refuse', 'sidecar' or 'drop'"


def _check_arguments(original: object, startup: object) -> None:
    """The text and the startup a write takes: betastate errors for other types."""
    if not isinstance(original, str):
        raise InvalidType(
            "", "original", original, "expected the file's text", "pass the file as a str"
        )
    if not isinstance(startup, Startup):
        raise InvalidType(
            "", "startup", startup, "expected a betastate.Startup", "pass the startup to write"
        )


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


def committee_comment(event: CommitteeHeld) -> str | None:
    """
    The comment a committee is written with: its decision summarised, then its own comment.

    A committee read from the site's files has no decision: its comment is
    kept as it is, so that writing it back changes nothing.
    """
    if event.decision is None:
        return event.comment
    summary = f"Décision : {_DECISIONS[event.decision]}"
    if event.phase_change is not None and event.decision is not Decision.STOP:
        summary += f", passage en {event.phase_change}"
    return f"{summary}. {event.comment}" if event.comment else summary


def _set_fields(event: Event) -> list[str]:
    """The fields of ``event`` holding something other than their (plain) default."""
    return [
        field.name
        for field in attrs.fields(type(event))
        if field.default is attrs.NOTHING or getattr(event, field.name) != field.default
    ]


class _Site:
    """A startup's history as the site's ``phases``, ``events`` and ``fast`` block."""

    def __init__(self, startup: Startup, in_file: frozenset[Item]) -> None:
        self.startup = startup
        self.phases: list[Item] = []
        self.events: list[Item] = []
        self.left_out: list[LeftOut] = []
        self.fast_events: list[FastLaureate] = []
        open_phases: list[list[Any]] = []
        names: set[str] = set()
        gone = startup.retracted
        for place, event in enumerate(startup.history, start=1):
            if place in gone or isinstance(event, Retracted):
                # A retraction and what it retracts have no place in the site's files: the
                # event counts for nothing, and the file must not show it.
                self.leave(event, None)
                continue
            if isinstance(event, PhaseEntered):
                entry: list[Any] = [event.phase, event.on, None, event.comment]
                listed = any(
                    item[:2] == (("name", event.phase), ("start", event.on)) for item in in_file
                )
                if event.phase in names and not listed:
                    # The site's CI refuses a phase name twice in one product.
                    self.leave(event, None)
                    continue
                names.add(event.phase)
                open_phases.append(entry)
                self.note(event, "phases")
            elif isinstance(event, PhaseEnded):
                self.end(event, open_phases, in_file)
            elif isinstance(event, Note):
                self.events.append(event_item(event.name, event.on, event.comment))
                self.note(event, f"events: {event.name}")
            elif type(event) in _EVENT_NAMES:
                name = _EVENT_NAMES[type(event)]
                comment = (
                    committee_comment(event) if isinstance(event, CommitteeHeld) else event.comment
                )
                self.events.append(event_item(name, event.on, comment))
                if isinstance(event, FastLaureate):
                    self.fast_events.append(event)
                else:
                    self.note(event, f"events: {name}")
            else:
                self.leave(event, None)
        self.phases = [phase_item(*entry) for entry in open_phases]

    def end(self, event: PhaseEnded, phases: list[list[Any]], in_file: frozenset[Item]) -> None:
        entry = next((p for p in reversed(phases) if p[0] == event.phase and p[2] is None), None)
        if entry is None:
            self.leave(event, None)  # no entry of that phase to end
            return
        ended = [entry[0], entry[1], event.on, entry[3]]
        if event.on <= entry[1] and phase_item(*ended) not in in_file:
            self.leave(event, None)  # the site's CI wants an end after the start
            return
        entry[2] = event.on
        self.note(event, "phases (end)")

    def note(self, event: Event, written_as: str, also: Iterable[str] = ()) -> None:
        """Record the fields of ``event`` the file does not hold, if any."""
        written = _WRITTEN_FIELDS[type(event)] | set(also)
        missing = tuple(name for name in _set_fields(event) if name not in written)
        if missing:
            self.left_out.append(LeftOut(event, missing, written_as))

    def leave(self, event: Event, written_as: str | None) -> None:
        self.left_out.append(LeftOut(event, tuple(_set_fields(event)), written_as))

    def extra_with_fast(self, old: Startup) -> dict[str, Any]:
        """
        The keys beyond the modelled fields, with the ``fast`` block of the latest award.

        The block (``promotion``, ``montant``) comes from the latest FAST
        award that carries both, unless the caller changed the block itself.
        """
        extra = dict(self.startup.extra)
        awards = [e for e in self.fast_events if e.edition is not None and e.amount is not None]
        if awards and extra.get("fast") == old.extra.get("fast"):
            latest = awards[-1]
            extra["fast"] = {"promotion": latest.edition, "montant": _number(latest.amount)}
        block = extra.get("fast")
        for event in self.fast_events:
            carried = (
                isinstance(block, Mapping)
                and event.edition is not None
                and event.amount is not None
                and block.get("promotion") == event.edition
                and block.get("montant") == _number(event.amount)
            )
            also = ("edition", "amount") if carried else ()
            self.note(event, "events: fast" + (" and the fast block" if carried else ""), also)
        return extra


def _number(amount: Decimal | None) -> int | float | None:
    """Euros as the site writes them: a YAML integer (a float only with cents)."""
    if amount is None:
        return None
    return int(amount) if amount == amount.to_integral_value() else float(amount)


# -- durable files -------------------------------------------------------------------


try:
    import fcntl
except ImportError:  # pragma: no cover  (not POSIX: no locks; stale files age out)
    _LOCKS = False
else:
    _LOCKS = True

_TEMP_SUFFIX: Final = ".tmp"
_STALE_WITHOUT_LOCKS: Final = 3600
"""Seconds after which a temporary file is stale where files cannot be locked."""


def _sidecar(target: Path) -> Path:
    return target.with_name(f".{target.stem}{SIDECAR_SUFFIX}")


def _save_sidecar(target: Path, slug: str, left_out: tuple[LeftOut, ...]) -> Path:
    """Merge ``left_out`` into the sidecar of ``target`` (betastate JSON) and save it."""
    from betastate._io.convert import from_data, to_data  # noqa: PLC0415  (import time)

    path = _sidecar(target)
    kept: list[LeftOut] = []
    if path.exists():
        try:
            payload = json.loads(frontmatter.read_text(path))
            if not isinstance(payload, dict) or payload.get("betastate") != 1:
                msg = "expected a betastate sidecar"
                raise TypeError(msg)  # noqa: TRY301
            kept = [from_data(item, LeftOut) for item in payload["left_out"]]
        except (ValueError, TypeError, KeyError, DataFileError) as exc:
            raise DataFileError(
                str(path),
                None,
                f"not a betastate sidecar, or a damaged one ({exc})",
                "move the file away; the next save writes a new sidecar",
            ) from None
    merged = list(kept)
    merged.extend(item for item in left_out if item not in kept)
    payload = {
        "betastate": 1,
        "slug": slug,
        "file": target.name,
        "left_out": [to_data(item) for item in merged],
    }
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    mode = stat.S_IMODE(target.stat().st_mode)
    _save_bytes(path, text.encode("utf-8"), file=str(path), mode=mode)
    return path


def _save_bytes(target: Path, data: bytes, *, file: str, mode: int | None = None) -> None:
    """
    Replace ``target`` with ``data``: temporary file, fsync, rename, fsync of the folder.

    The temporary file keeps an exclusive lock until it is renamed, so that
    :func:`_sweep` can tell a live writer's file from a killed one's.
    """
    folder = target.parent
    _sweep(folder, target.name)
    try:
        if mode is None:
            mode = stat.S_IMODE(target.stat().st_mode)
        handle, temporary = _locked_temporary(folder, target.name)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fchmod(out.fileno(), mode)
                os.fsync(out.fileno())
                # Renamed while still locked: a sweeper never takes a file in use.
                Path(temporary).replace(target)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(temporary).unlink()
            raise
        _fsync_folder(folder)
    except OSError as exc:
        raise DataFileError(
            file, None, f"cannot write: {exc.strerror or exc}", "check the folder's permissions"
        ) from None


def _locked_temporary(folder: Path, name: str) -> tuple[int, str]:
    """A new temporary file next to ``name``, locked; retried if a sweeper took it."""
    import tempfile  # noqa: PLC0415  (import time)

    for _ in range(5):
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=_TEMP_SUFFIX)
        if not _LOCKS:  # pragma: no cover  (not POSIX)
            return handle, temporary
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # A sweeper may have locked and removed it between its birth and our lock.
            if Path(temporary).stat().st_ino == os.fstat(handle).st_ino:
                return handle, temporary
        except OSError:
            pass
        os.close(handle)
    msg = f"cannot create a temporary file for {name} in {folder}"
    raise OSError(msg)


def _sweep(folder: Path, name: str) -> None:
    """Remove temporary files that killed saves of ``name`` left (none still locked)."""
    prefix = f".{name}."
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(prefix) and entry.name.endswith(_TEMP_SUFFIX):
            with contextlib.suppress(OSError):
                _remove_if_stale(entry)


def _remove_if_stale(entry: os.DirEntry[str]) -> None:
    """Remove a killed save's temporary file: its lock is free (or, without locks, it is old)."""
    if not entry.is_file(follow_symlinks=False):
        return
    path = Path(entry.path)
    if not _LOCKS:  # pragma: no cover  (not POSIX)
        age = dt.datetime.now(tz=dt.UTC).timestamp() - entry.stat().st_mtime
        if age > _STALE_WITHOUT_LOCKS:
            path.unlink()
        return
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        path.unlink()  # its writer is gone: the lock was free
    except BlockingIOError:
        pass  # a live save holds it
    finally:
        os.close(handle)


def _fsync_folder(folder: Path) -> None:
    """Flush the folder, so that the rename itself survives a power cut."""
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover  (platforms that cannot open a folder)
        return
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


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


def _lines(text: str) -> list[str]:
    """``text`` cut after each line feed only (``str.splitlines`` also cuts at U+2028...)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


class _Blocks:
    """The front matter as top-level blocks of lines, edited in place."""

    def __init__(self, front: frontmatter.FrontMatter) -> None:
        self.front = front
        self.lines = _lines(front.yaml_text)
        # New lines take the file's line ending (a CRLF file stays CRLF).
        first = front.text.find("\n")
        self.newline = "\r\n" if first > 0 and front.text[first - 1] == "\r" else "\n"
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

    def eol(self, text: str) -> str:
        """Generated ``text`` with the file's line ending."""
        return text if self.newline == "\n" else text.replace("\n", self.newline)

    def dump(self, key: str, value: Any) -> str:
        try:
            return self.eol(_dump({key: value}))
        except Exception as exc:  # yaml's RepresenterError and friends
            raise DataFileError(
                self.front.file,
                None,
                f"{key!r} holds {type(value).__name__} {value!r:.60}, which YAML cannot write",
                "keep extra values to text, numbers, booleans, dates, lists and mappings",
            ) from exc

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

    def set(self, key: str, value: Any, *, keep_null: bool = False) -> None:
        """Render ``key: value``; ``None`` removes the key unless ``keep_null`` (extras)."""
        if value is None and not keep_null:
            self.remove(key)
            return
        self._put(key, self.dump(key, value))

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
        rendered = [
            by_value.get(value) or self.eol(f"{prefix}- {_scalar(value)}\n") for value in values
        ]
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
        if kept and not kept[-1].endswith("\n"):
            kept[-1] += self.newline  # the file's last line, now followed by new entries
        kept.extend(self.eol(_render_item(item, indent)) for item in remaining)
        if key in self.keys and old:
            self._put(key, self.lines[self.keys[key][0]] + "".join(kept))
        else:
            self._put(key, self.eol(f"{key}:\n") + "".join(kept))

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
                out.append(self.newline)
            out.extend(self.appended)
        front = self.front
        text = front.text
        rest = text[front.yaml_end :] if body is None else text[front.yaml_end : front.body_start]
        if body is not None and not rest.endswith("\n"):
            rest += self.newline
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
