"""
Reading a markdown file's YAML front matter, safely and fast.

One parse per file with PyYAML's C ``CSafeLoader`` (the pure-Python
``SafeLoader`` when libyaml is missing): never an unsafe loader. Every
problem (too big, not UTF-8, no front matter, invalid YAML, not a mapping,
an alias bomb) raises :class:`betastate.DataFileError` naming the file, the
line and the fix.
"""

from __future__ import annotations

import bisect
import contextlib
import errno
import functools
import gc
import os
import re
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from betastate._values.errors import DataFileError
from betastate._values.files import FileTooBig, NotRegularFile, kind_of, read_bounded


DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
"""Files larger than this are refused (front matters are a few kilobytes)."""

MAX_EXPANDED_NODES: Final = 100_000
"""Node count, aliases expanded, above which a document is an alias bomb."""

DELIMITER: Final = "---"
BOM: Final = "\ufeff"
_BLANK_LINES: Final = re.compile(r"(?:[ \t]*\r?\n)*")
_CACHE_SIZE: Final = 100_000
_CACHED_LENGTH: Final = 200
_ISO_DATE_LENGTH: Final = 10


@functools.cache
def _loader() -> type[Any]:
    """
    PyYAML's C safe loader with a leaner constructor for the common cases.

    The C parser builds the nodes; constructing Python values from them is
    PyYAML's pure-Python ``SafeConstructor``, which dominates the load time.
    This subclass caches the resolution of plain scalars and builds plain
    strings, sequences, mappings and dates directly; any other tag goes
    through ``SafeConstructor``'s own functions, and a document using merge
    keys, recursion or unusual collection tags is constructed by
    ``SafeConstructor`` as a whole. The result is the same as
    ``yaml.load(text, Loader=yaml.CSafeLoader)`` (a test checks it on the
    whole snapshot): safe types only, never arbitrary objects.
    """
    import yaml  # noqa: PLC0415  (import time: yaml loads only when files are read)

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return _fast_loader(base, yaml)


class _Fallback(Exception):
    """The document needs SafeConstructor's general machinery."""


_CONSTRUCTOR_ERRORS: Final = (
    KeyError,
    AttributeError,
    IndexError,
    ValueError,
    TypeError,
    OverflowError,
)
"""What PyYAML's safe constructors raise on a tagged scalar they cannot read."""


def _bad_scalar(node: Any, error: Exception) -> Exception:
    """A marked YAML error (with its line) for a value a constructor refused."""
    import yaml  # noqa: PLC0415

    value = node.value if isinstance(node.value, str) else type(node.value).__name__
    tag = node.tag.rsplit(":", 1)[-1]
    detail = f" ({error})" if isinstance(error, ValueError | OverflowError) else ""
    return yaml.MarkedYAMLError(
        problem=f"invalid YAML value: {value!r:.60} is not a valid {tag}{detail}",
        problem_mark=node.start_mark,
    )


def _fast_loader(base: type[Any], yaml: Any) -> type[Any]:  # noqa: C901  (its class counts here)
    import datetime as dt  # noqa: PLC0415

    scalar_node, sequence_node, mapping_node = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
    str_tag = "tag:yaml.org,2002:str"
    seq_tag = "tag:yaml.org,2002:seq"
    map_tag = "tag:yaml.org,2002:map"
    timestamp_tag = "tag:yaml.org,2002:timestamp"
    merge_tag = "tag:yaml.org,2002:merge"
    resolved: dict[str, str] = {}
    resolve_plain = base.resolve

    class FastLoader(base):  # type: ignore[misc]
        # Path resolvers are unused by safe loaders, yet the C composer calls
        # these two per node: builtins that ignore their arguments cost less
        # than PyYAML's Python methods that return at once.
        descend_resolver = staticmethod(slice)
        ascend_resolver = staticmethod(tuple)

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            # Safe loaders have no path resolvers: a plain scalar's tag depends on
            # its text only (cached), any other node gets the default tag.
            if kind is scalar_node:
                if not implicit[0]:
                    return str_tag
                tag = resolved.get(value)
                if tag is None:
                    tag = resolve_plain(self, kind, value, implicit)
                    if len(resolved) < _CACHE_SIZE and len(value) < _CACHED_LENGTH:
                        resolved[value] = tag
                return tag
            if kind is sequence_node:
                return seq_tag
            return map_tag

        def construct_document(self, node: Any) -> Any:
            try:
                data = self._build(node, {})
            except _Fallback:
                return super().construct_document(node)
            self.constructed_objects: dict[Any, Any] = {}
            return data

        def _build(self, node: Any, seen: dict[int, Any]) -> Any:
            if node.__class__ is scalar_node:
                return self._scalar(node)
            key = id(node)
            if key in seen:
                value = seen[key]
                if value is None:
                    raise _Fallback  # a recursive structure
                return value
            seen[key] = None
            tag = node.tag
            if node.__class__ is sequence_node and tag == seq_tag:
                result: Any = [
                    child.value
                    if child.__class__ is scalar_node and child.tag == str_tag
                    else self._build(child, seen)
                    for child in node.value
                ]
            elif node.__class__ is mapping_node and tag == map_tag:
                result = self._mapping(node, seen)
            else:
                raise _Fallback
            seen[key] = result
            return result

        def _scalar(self, node: Any) -> Any:
            tag = node.tag
            if tag == str_tag:
                return node.value
            if tag == timestamp_tag and len(node.value) == _ISO_DATE_LENGTH:
                try:
                    return dt.date.fromisoformat(node.value)
                except ValueError:
                    pass
            constructor = self.yaml_constructors.get(tag)
            if constructor is None:
                raise _Fallback
            try:
                return constructor(self, node)
            except _CONSTRUCTOR_ERRORS as exc:
                raise _bad_scalar(node, exc) from None

        def construct_object(self, node: Any, deep: bool = False) -> Any:
            # SafeConstructor's own path (a document the fast path hands back):
            # its constructors fail with KeyError, IndexError... on `!!bool maybe`,
            # `!!int ''`; report those like any invalid value, with the line.
            try:
                return super().construct_object(node, deep)
            except _CONSTRUCTOR_ERRORS as exc:
                raise _bad_scalar(node, exc) from None

        def _mapping(self, node: Any, seen: dict[int, Any]) -> dict[Any, Any]:
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key_tag = key_node.tag
                if key_tag == str_tag and key_node.__class__ is scalar_node:
                    item = key_node.value  # the common case, without a call
                elif key_tag == merge_tag:
                    raise _Fallback
                else:
                    item = self._build(key_node, seen)
                if value_node.tag == str_tag and value_node.__class__ is scalar_node:
                    value = value_node.value
                else:
                    value = self._build(value_node, seen)
                try:
                    result[item] = value
                except TypeError:
                    raise _Fallback from None  # unhashable key: PyYAML's own error
            return result

    return FastLoader


@attrs.frozen
class FrontMatter:
    """
    A markdown file split into its parsed front matter and the raw parts.

    Attributes:
        file: The file's path, as given.
        text: The whole file, decoded.
        data: The parsed front matter (a mapping).
        yaml_start: Offset in ``text`` where the YAML starts (after ``---``).
        yaml_end: Offset where the closing ``---`` line starts.
    """

    file: str
    text: str
    data: dict[str, Any]
    yaml_start: int
    yaml_end: int
    _lines: dict[tuple[str, str | None], int | None] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )
    _breaks: list[int] = attrs.field(init=False, factory=list, eq=False, repr=False)

    @property
    def yaml_text(self) -> str:
        """The front matter's YAML source."""
        return self.text[self.yaml_start : self.yaml_end]

    @property
    def body_start(self) -> int:
        """Offset of the markdown body: after the closing ``---`` line and blank lines."""
        line_end = self.text.find("\n", self.yaml_end)
        if not self.text or line_end < 0:
            return len(self.text)
        return _after_blank_lines(self.text, line_end + 1)

    @property
    def body(self) -> str:
        """The markdown body, leading blank lines dropped (as the site renders it)."""
        return self.text[self.body_start :]

    def line_of(self, needle: str, after: str | None = None) -> int | None:
        """
        1-based line of the first ``needle`` in the YAML (after ``after``, if given).

        Line numbers are computed only when a finding needs one, and each
        search is made once per file (findings often ask for the same
        line), so that many findings cost no more than one scan each.
        """
        key = (needle, after)
        if key in self._lines:
            return self._lines[key]
        start = self.yaml_start
        if after is not None:
            found = self.text.find(after, start, self.yaml_end)
            if found >= 0:
                start = found
        index = self.text.find(needle, start, self.yaml_end)
        line = None if index < 0 else self._line_at(index)
        if len(self._lines) < _LINES_CACHED:
            self._lines[key] = line
        return line

    def _line_at(self, index: int) -> int:
        """
        The 1-based line of the character at ``index``.

        The first few lookups count the newlines before it; a file that
        needs more (one finding per line of a long list) gets its newlines
        indexed once, so that each further lookup is a bisection.
        """
        if len(self._lines) < _COUNTED:
            return self.text.count("\n", 0, index) + 1
        if not self._breaks:
            text, breaks, found = self.text, self._breaks, -1
            breaks.append(-1)
            while (found := text.find("\n", found + 1, self.yaml_end)) >= 0:
                breaks.append(found)
        return bisect.bisect_left(self._breaks, index)


_COUNTED: Final = 32
_LINES_CACHED: Final = 10_000


def _after_blank_lines(text: str, start: int) -> int:
    match = _BLANK_LINES.match(text, start)
    return start if match is None else match.end()


def drop_blank_lines(text: str) -> str:
    """``text`` without its leading blank lines (the site renders a body so)."""
    return text[_after_blank_lines(text, 0) :]


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """
    The text of ``path``, refused if larger than ``max_bytes`` or not UTF-8.

    Only a regular file is opened (a symbolic link is followed to its
    target): a folder, a FIFO, a socket or a device is refused from its
    metadata alone, so that reading can never hang or touch a device.

    Raises:
        DataFileError: Unreadable, not a regular file, too big, or not UTF-8.
    """
    name = str(path)
    try:
        regular(path)
        raw = read_bounded(path, max_bytes)
    except NotRegularFile as special:  # replaced between the check and the open
        raise _not_regular(name, special.kind) from None
    except FileTooBig:
        raise DataFileError(
            name,
            None,
            f"file is larger than the limit of {max_bytes:,} bytes",
            "check the file is the right one, or raise max_bytes",
        ) from None
    except OSError as exc:
        raise unreadable(name, exc) from None
    return decode(raw, name)


def regular(path: Path) -> None:
    """
    Check from its metadata alone that ``path`` is a regular file (links followed).

    Raises:
        DataFileError: A dangling link, a link loop, a folder, a FIFO, a
            socket, a device, or unreadable metadata.
    """
    try:
        mode = os.stat(path).st_mode  # noqa: PTH116  (Path.stat costs more, once per file)
    except OSError as exc:
        raise unreadable(str(path), exc) from None
    if not stat.S_ISREG(mode):
        raise _not_regular(str(path), kind_of(mode))


def unreadable(name: str, error: OSError) -> DataFileError:
    """The :class:`DataFileError` for an ``OSError`` met reading ``name``."""
    path = Path(name)
    if error.errno == errno.ELOOP:
        problem = "cannot read: a loop of symbolic links"
    elif isinstance(error, FileNotFoundError) and path.is_symlink():
        problem = f"cannot read: a symbolic link to a missing file ({path.readlink()})"
    else:
        problem = f"cannot read: {error.strerror or error}"
    return DataFileError(name, None, problem, "check the path and permissions")


def _not_regular(name: str, kind: str) -> DataFileError:
    return DataFileError(
        name, None, f"not a regular file: {kind}", "replace it with a file, or remove it"
    )


def decode(raw: bytes, name: str) -> str:
    """``raw`` as UTF-8 text, or a :class:`DataFileError` with the line at fault."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataFileError(
            name,
            line,
            f"not UTF-8 text (byte {raw[exc.start : exc.start + 1]!r} at offset {exc.start})",
            "re-encode the file as UTF-8",
        ) from None


def split(text: str, name: str) -> tuple[int, int]:
    """
    Offsets of the YAML between the opening and closing ``---`` lines.

    Raises:
        DataFileError: The text does not start with a front matter block.
    """
    first_end = text.find("\n")
    # A UTF-8 byte-order mark before the opening line is kept in the text, not read as YAML.
    if text[: first_end if first_end >= 0 else len(text)].removeprefix(BOM).rstrip() != DELIMITER:
        raise DataFileError(
            name,
            1,
            "no front matter: the file must start with a '---' line",
            "start the file with '---', the YAML keys, then a closing '---' line",
        )
    start = first_end + 1
    search = first_end
    while True:
        found = text.find("\n" + DELIMITER, search)
        if found < 0:
            raise DataFileError(
                name,
                1,
                "the front matter opened on line 1 is never closed",
                "add a line '---' after the last YAML key",
            )
        line_end = text.find("\n", found + 1)
        rest = text[found + 4 : line_end if line_end >= 0 else len(text)]
        if not rest.strip():
            return start, found + 1
        search = found + 1


def parse_yaml(source: str, name: str, first_line: int = 1) -> Any:
    """
    Parse YAML safely (C loader), refusing alias bombs.

    Args:
        source: The YAML text.
        name: File name for errors.
        first_line: Line of ``source``'s first line in the file.

    Raises:
        DataFileError: Invalid YAML or an alias bomb.
    """
    import yaml  # noqa: PLC0415

    try:
        with _collector_paused():
            data = yaml.load(source, Loader=_loader())  # noqa: S506  (a safe loader, C or Python)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else None
        problem = str(exc.problem or exc.context)
        if problem.startswith("invalid YAML value"):
            raise DataFileError(
                name, line, problem, "fix the value (dates are YYYY-MM-DD)"
            ) from None
        raise DataFileError(
            name,
            line,
            f"invalid YAML: {problem}",
            "fix the YAML syntax (quote values holding ': ' or starting with a special character)",
        ) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # ValueError & co.: the safe constructors refuse e.g. a date such as 2020-13-45.
        raise DataFileError(
            name, None, f"invalid YAML value: {exc}", "fix the value (dates are YYYY-MM-DD)"
        ) from None
    # Aliases need an anchor: only then can the document be a bomb or a cycle.
    if "&" in source:
        check_expansion(data, name)
    return data


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """
    Pause the cyclic garbage collector while a document is parsed.

    Parsing allocates a node per value and nothing it builds is garbage until
    it returns, yet the collector keeps walking the growing heap: parse time
    then grows faster than the document (2.6 ms per KB at 1 MB against 1.2
    at 100 KB). Paused, it stays linear; the collector resumes after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_expansion(data: Any, name: str, limit: int = MAX_EXPANDED_NODES) -> None:
    """
    Refuse a document whose aliases expand past ``limit`` nodes, or loop.

    PyYAML shares aliased nodes instead of copying them, so the bomb only
    goes off when the data is walked; sizes are memoised by identity.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(value: Any) -> int:
        if not isinstance(value, dict | list):
            return 1
        key = id(value)
        known = sizes.get(key)
        if known is not None:
            return known
        if key in active:
            raise DataFileError(
                name, None, "recursive YAML alias (a value contains itself)", "remove the alias"
            )
        active.add(key)
        children = value.items() if isinstance(value, dict) else enumerate(value)
        total = 1
        for _, child in children:
            total += size(child)
            if total > limit:
                raise DataFileError(
                    name,
                    None,
                    f"YAML aliases expand to more than {limit:,} values (an alias bomb)",
                    "remove the anchors (&) and aliases (*): front matter needs none",
                )
        active.discard(key)
        sizes[key] = total
        return total

    size(data)


def parse_text(text: str, name: str) -> FrontMatter:
    """
    Split and parse a markdown text's front matter.

    Raises:
        DataFileError: No front matter, invalid YAML, or not a mapping.
    """
    start, end = split(text, name)
    data = parse_yaml(text[start:end], name, first_line=2)
    if not isinstance(data, dict):
        raise DataFileError(
            name,
            2,
            f"the front matter must be a mapping of keys, got {_kind(data)}",
            "write 'key: value' lines between the '---' lines",
        )
    return FrontMatter(name, text, data, start, end)


def read(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> FrontMatter:
    """Read and parse the front matter of the markdown file ``path``."""
    return parse_text(read_text(path, max_bytes), str(path))


def read_yaml(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Mapping[str, Any]:
    """
    Read a plain YAML file whose top level is a mapping.

    Raises:
        DataFileError: Unreadable, invalid YAML, or not a mapping.
    """
    name = str(path)
    data = parse_yaml(read_text(path, max_bytes), name)
    if not isinstance(data, dict):
        raise DataFileError(
            name, 1, f"expected a mapping of keys, got {_kind(data)}", "write 'key: value' lines"
        )
    return data


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (empty)"
    return f"a {type(value).__name__} ({value!r:.40})"
