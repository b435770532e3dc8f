"""
Loading the beta.gouv.fr data as it is: products, incubators, organisations, missions.

Import mode reads histories as they are: nothing is dropped or "fixed", and
each deviation becomes a :class:`betastate.Finding` with a stable code
(documented in docs/loading.md). A file that cannot be read at all becomes
an ``invalid-file`` error finding and the rest still loads. Strict mode
raises :class:`betastate.DataFileError` on the first file whose history
breaks an error rule.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from itertools import accumulate, pairwise, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple, TypeVar

from betastate._analytics.portfolio import Portfolio
from betastate._engine.audit import _Audit
from betastate._engine.state import tie_key
from betastate._io import frontmatter
from betastate._values.errors import DataFileError, InvalidArgument, InvalidValue, show
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
from betastate._values.fields import require
from betastate._values.reasons import Finding, Severity
from betastate._values.startup import Incubator, Member, Mission, Organisation, Startup


if TYPE_CHECKING:
    from betastate._rules.rulebook import Rulebook

_T = TypeVar("_T")

Mode = Literal["import", "strict"]
Progress = Callable[[int, int], None]

FIELDS: Final = (
    "title",
    "mission",
    "incubator",
    "incubators",
    "sponsors",
    "contact",
    "link",
    "repository",
    "phases",
    "events",
)
"""Front-matter keys that become :class:`Startup` fields; every other key goes to ``extra``."""

_FIELDS: Final = frozenset(FIELDS)

REQUIRED: Final = ("title", "mission", "incubator", "contact", "phases")
"""Keys the site's schema requires."""
_REQUIRED: Final = frozenset(REQUIRED)

EVENT_NAMES: Final[Mapping[str, type]] = {
    "committee": CommitteeHeld,
    "product_launch": ProductLaunched,
    "end": Stopped,
    "national_impact": NationalImpactDesignated,
    "fast": FastLaureate,
}
"""Event names with their own class; any other name becomes a :class:`Note`."""

STOP_PHASES: Final = ("abandon", "abandon-investigation")
# A YAML timestamp always has seconds (HH:MM:SS); a literal ':' makes the search fast.
_TIMESTAMP: Final = re.compile(r":\d\d:\d\d")


class _Schema(NamedTuple):
    """What ``schema/startups.yml`` lists (a real checkout ships it; it lags behind)."""

    keys: frozenset[str]
    phase_keys: frozenset[str]
    event_keys: frozenset[str]
    sponsors: frozenset[str] | None
    usertypes: frozenset[str] | None
    file: str


class _Context(NamedTuple):
    """What every product is checked against."""

    rulebook: Rulebook
    as_of: dt.date | None
    incubators: frozenset[str] | None
    organisations: frozenset[str] | None
    schema: _Schema | None
    event_vocabulary: frozenset[str] | None
    phase_vocabulary: frozenset[str] | None = None


# -- locating the data ---------------------------------------------------------------


def _layout(path: Path) -> tuple[Path, Path]:
    """(root, startups folder) for a checkout/snapshot root or a ``_startups`` folder."""
    if (path / "content" / "_startups").is_dir():
        return path, path / "content" / "_startups"
    if path.is_dir() and path.name == "_startups":
        parent = path.parent
        root = parent.parent if parent.name == "content" else parent
        return root, path
    raise DataFileError(
        str(path),
        None,
        "not a beta.gouv.fr checkout: no content/_startups folder here",
        "pass the repository root, the snapshot folder, or its content/_startups folder",
    )


def _content(root: Path, name: str) -> Path:
    return root / "content" / name


# -- the public entry point ----------------------------------------------------------


def _tie_rule(book: Rulebook) -> Callable[[_Phase], tuple[dt.date, int, int]]:
    """
    Order raw phases as ``ordered_entries`` orders events (``tie_key``).

    The rulebook's tie rule on the file's order; kept on raw phases here
    because findings need their lines.
    """

    def key(phase: _Phase) -> tuple[dt.date, int, int]:
        return tie_key(book, phase.start, phase.name, phase.order)

    return key


def load_portfolio(
    path: str | Path,
    *,
    mode: Mode = "import",
    rulebook: Rulebook | None = None,
    missions: bool = True,
    progress: Progress | None = None,
    as_of: dt.date | None = None,
    max_bytes: int = frontmatter.DEFAULT_MAX_BYTES,
) -> Portfolio:
    """
    Load a beta.gouv.fr portfolio from a checkout, a snapshot or a ``_startups`` folder.

    Reads the products' front matter, the incubators, the organisations,
    the phase and event vocabularies, ``schema/startups.yml`` and, when
    present, the members' missions (``missions/*.yml`` of the snapshot or
    ``content/_authors/*.md`` of a checkout).

    Args:
        path: The repository root, the snapshot folder, or ``content/_startups``.
        mode: ``"import"`` keeps every history as read and reports each
            deviation as a finding; ``"strict"`` raises on the first file that
            cannot be read or whose history breaks an error rule.
        rulebook: Rules and legacy names (default: ``betastate.rulebook()``).
        missions: Also load the members' missions.
        progress: Called as ``progress(done, total)`` after each file.
        as_of: The data's date, for "dated in the future" findings and
            running phase durations (default: no such findings).
        max_bytes: Size above which a file is refused.

    Returns:
        The portfolio, startups sorted by slug, with ``findings``.

    Raises:
        DataFileError: ``path`` is not a checkout; in strict mode, also any
            unreadable file or any history breaking an error rule.

    .. versionadded:: 0.1.0
    """
    if mode not in ("import", "strict"):
        raise InvalidArgument("mode", mode, "not a loading mode", "use 'import' or 'strict'")
    require(path, (str, os.PathLike), "path", "a folder path (a str or a Path)")
    if rulebook is None:
        from betastate._rules.loading import load_rulebook  # noqa: PLC0415  (cached built-in)

        rulebook = load_rulebook("betagouv")
    root, startups_dir = _layout(Path(path))
    loader = _Loader(mode, max_bytes, progress)
    startup_files = loader.files(startups_dir, ".md", required=True)
    incubator_files = loader.files(_content(root, "_incubators"), ".md")
    organisation_files = loader.files(_content(root, "_organisations"), None)
    member_files: list[Path] = []
    if missions:
        if (root / "missions").is_dir():
            member_files = loader.files(root / "missions", ".yml")
        else:
            member_files = loader.files(_content(root, "_authors"), ".md")
    loader.total = (
        len(startup_files) + len(incubator_files) + len(organisation_files) + len(member_files)
    )

    organisations = loader.organisations(organisation_files)
    incubators = loader.incubators(incubator_files)
    context = _Context(
        rulebook=rulebook,
        as_of=as_of,
        incubators=frozenset(i.id for i in incubators) if incubator_files else None,
        organisations=frozenset(o.id for o in organisations) if organisation_files else None,
        schema=loader.schema(root / "schema" / "startups.yml"),
        event_vocabulary=loader.vocabulary(_content(root, "_events")),
        phase_vocabulary=loader.vocabulary(_content(root, "_phases")),
    )
    startups = loader.startups(startup_files, context)
    members = loader.members(member_files)
    loader.references(startups, incubators, organisations, context)
    return Portfolio(
        startups=sorted(startups, key=lambda s: s.slug),
        incubators=incubators,
        organisations=organisations,
        members=members,
        findings=loader.findings,
        source=str(path),
    )


class _Loader:
    """Reads files one by one, collecting findings and reporting progress."""

    def __init__(self, mode: Mode, max_bytes: int, progress: Progress | None) -> None:
        self.mode = mode
        self.max_bytes = max_bytes
        self.progress = progress
        self.total = 0
        self.done = 0
        self.findings: list[Finding] = []

    def _tick(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    # -- folders -----------------------------------------------------------------------

    def files(self, folder: Path, suffix: str | None, *, required: bool = False) -> list[Path]:
        """
        The files of ``folder`` to read (``suffix`` ones, or all), by name; ``[]`` if none.

        Entries are only listed here, never opened: a folder, a FIFO or a
        dangling link named like a data file is refused when it is read
        (``invalid-file``), and every other entry not read is reported as
        ``skipped-file``. A folder that cannot be listed is an error
        (always, for the products' folder).
        """
        names = self._names(folder, required=required)
        if names is None:
            return []
        wanted: list[Path] = []
        for name in sorted(names):
            path = folder / name
            if not name.startswith(".") and (suffix is None or path.suffix == suffix):
                wanted.append(path)
                continue
            why = "a hidden file" if name.startswith(".") else f"not a {suffix} file"
            self.findings.append(
                Finding(
                    "skipped-file",
                    Severity.INFO,
                    None,
                    f"{name!r} in {folder.name} is {why}; it was not read",
                    file=str(path),
                )
            )
        return wanted

    def _names(self, folder: Path, *, required: bool = False) -> list[str] | None:
        """The entry names of ``folder``, ``None`` when it is absent or (reported) unreadable."""
        if not folder.is_dir():
            return None
        try:
            return [entry.name for entry in os.scandir(folder)]
        except OSError as exc:
            error = frontmatter.unreadable(str(folder), exc)
            error = DataFileError(error.file, None, f"folder {error.problem}", error.fix)
            if required:
                raise error from None
            self._bad(error)
            return None

    def vocabulary(self, folder: Path) -> frozenset[str] | None:
        """The names a ``content/_phases`` or ``content/_events`` folder defines (not opened)."""
        names = self._names(folder)
        if names is None:
            return None
        return frozenset(Path(name).stem for name in names if name.endswith(".md"))

    def _read(self, path: Path, build: Callable[[Path], _T], slug: str | None = None) -> _T | None:
        """``build(path)``, or ``None`` with the file reported if it cannot be read or modelled."""
        try:
            return build(path)
        except DataFileError as error:
            self._bad(error, slug)
        except InvalidValue as error:
            self._bad(invalid(error, str(path)), slug)
        finally:
            self._tick()
        return None

    def _bad(self, error: DataFileError, slug: str | None = None) -> None:
        """A file that cannot be read: raise in strict mode, else an error finding."""
        if self.mode == "strict":
            raise error
        self.findings.append(
            Finding(
                "invalid-file",
                Severity.ERROR,
                slug,
                f"{error.problem}; the file was not loaded. Fix: {error.fix}.",
                file=error.file,
                line=error.line,
            )
        )

    # -- products --------------------------------------------------------------------

    def startups(self, files: list[Path], context: _Context) -> list[Startup]:
        startups: list[Startup] = []
        max_bytes = self.max_bytes

        def build(path: Path) -> tuple[Startup, list[Finding]]:
            return read_startup(frontmatter.read(path, max_bytes), path.stem, context)

        for path in files:
            read = self._read(path, build, path.stem)
            if read is not None:
                startup, found = read
                if self.mode == "strict":
                    _refuse_errors(found, str(path))
                startups.append(startup)
                self.findings.extend(found)
        return startups

    # -- context files -----------------------------------------------------------------

    def organisations(self, files: list[Path]) -> list[Organisation]:
        result: list[Organisation] = []
        for path in files:
            read = self._read(path, self._organisation)
            if read is None:
                continue
            organisation, front = read
            result.append(organisation)
            ident, data = organisation.id, front.data
            if path.suffix != ".md":
                self.findings.append(
                    Finding(
                        "organisation-file-extension",
                        Severity.INFO,
                        None,
                        f"organisation file {path.name!r} has no .md extension "
                        f"(the site's CI ignores it); loaded as {ident}",
                        file=str(path),
                    )
                )
            acronym = data.get("acronym")
            if isinstance(acronym, str) and not acronym.strip():
                self.findings.append(
                    Finding(
                        "blank-acronym",
                        Severity.INFO,
                        None,
                        f"organisation {ident} has a blank acronym ({acronym!r})",
                        file=str(path),
                        line=front.line_of("acronym:"),
                    )
                )
            if "id" in data:
                self.findings.append(
                    Finding(
                        "organisation-id-key",
                        Severity.INFO,
                        None,
                        f"organisation {ident} has an 'id' key ({data['id']!r}) "
                        "the schema does not list; the id comes from the file name",
                        file=str(path),
                        line=front.line_of("id:"),
                    )
                )
        return result

    def _organisation(self, path: Path) -> tuple[Organisation, frontmatter.FrontMatter]:
        stem = path.stem if path.suffix == ".md" else path.name
        front, name, texts, extra = _record(path, self.max_bytes, "name", ("acronym", "type"))
        organisation = Organisation(
            id=f"/organisations/{stem}",
            name=name,
            acronym=texts["acronym"],
            type=texts["type"],
            extra=extra,
        )
        return organisation, front

    def incubators(self, files: list[Path]) -> list[Incubator]:
        def build(path: Path) -> Incubator:
            _, title, texts, extra = _record(path, self.max_bytes, "title", ("owner", "website"))
            return Incubator(
                id=path.stem,
                title=title,
                owner=texts["owner"],
                website=texts["website"],
                extra=extra,
            )

        return [i for i in (self._read(path, build) for path in files) if i is not None]

    def schema(self, path: Path) -> _Schema | None:
        if not os.path.lexists(path):  # a dangling link or a FIFO is there, and reported
            return None
        try:
            raw = frontmatter.read_yaml(path, self.max_bytes)
            return _parse_schema(raw, str(path))
        except DataFileError as error:
            self._bad(error)
            return None

    def members(self, files: list[Path]) -> list[Member]:
        max_bytes = self.max_bytes

        def build(path: Path) -> Member:
            if path.suffix == ".md":
                data: Mapping[str, Any] = frontmatter.read(path, max_bytes).data
            else:
                data = frontmatter.read_yaml(path, max_bytes)
            return _member(path, data)

        return [m for m in (self._read(path, build) for path in files) if m is not None]

    # -- cross-file references -----------------------------------------------------------

    def references(
        self,
        startups: list[Startup],
        incubators: list[Incubator],
        organisations: list[Organisation],
        context: _Context,
    ) -> None:
        used = {s.incubator for s in startups} | {i for s in startups for i in s.incubators}
        known_organisations = {o.id for o in organisations}
        for incubator in incubators:
            if incubator.id not in used:
                self.findings.append(
                    Finding(
                        "unused-incubator",
                        Severity.INFO,
                        None,
                        f"incubator {incubator.id!r} is used by no product",
                        file=incubator.id,
                    )
                )
            if incubator.owner and organisations and incubator.owner not in known_organisations:
                self.findings.append(
                    Finding(
                        "unknown-owner",
                        Severity.WARNING,
                        None,
                        f"incubator {incubator.id!r} names owner {incubator.owner!r}, "
                        "which has no organisation file",
                        file=incubator.id,
                    )
                )
        for value in sorted(context.phase_vocabulary or ()):
            if not context.rulebook.has_phase(value):
                self.findings.append(
                    Finding(
                        "phase-not-in-rulebook",
                        Severity.WARNING,
                        None,
                        f"phase {value!r} of content/_phases is not a status of rulebook "
                        f"{context.rulebook.name!r}; products using it break BS-PHASE",
                        file=f"content/_phases/{value}.md",
                    )
                )
        schema = context.schema
        if schema is not None and schema.sponsors is not None and organisations:
            for value in sorted(schema.sponsors - known_organisations):
                self.findings.append(
                    Finding(
                        "schema-sponsor-without-organisation",
                        Severity.INFO,
                        None,
                        f"sponsor {value!r} is in the schema's list but has no organisation file",
                        file=schema.file,
                    )
                )


def _refuse_errors(found: Iterable[Finding], file: str) -> None:
    errors = [f for f in found if f.severity is Severity.ERROR]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise DataFileError(
            file,
            first.line,
            f"[{first.code}] {first.message}{more}",
            "fix the history, or load with mode='import' to keep it as read with findings",
        )


def _parse_schema(raw: Mapping[str, Any], file: str) -> _Schema:
    mapping = raw.get("mapping")
    if not isinstance(mapping, dict):
        raise DataFileError(file, 1, "no top-level 'mapping'", "pass a Kwalify schema file")

    def keys_of(key: str) -> frozenset[str]:
        try:
            return frozenset(mapping[key]["sequence"][0]["mapping"])
        except (KeyError, IndexError, TypeError):
            return frozenset()

    def enum_of(key: str) -> frozenset[str] | None:
        try:
            return frozenset(mapping[key]["sequence"][0]["enum"])
        except (KeyError, IndexError, TypeError):
            return None

    return _Schema(
        keys=frozenset(mapping),
        phase_keys=keys_of("phases"),
        event_keys=keys_of("events"),
        sponsors=enum_of("sponsors"),
        usertypes=enum_of("usertypes"),
        file=file,
    )


# -- values --------------------------------------------------------------------------


def _record(
    path: Path, max_bytes: int, required: str, optional: tuple[str, ...]
) -> tuple[frontmatter.FrontMatter, str, dict[str, str | None], dict[str, Any]]:
    """
    An incubator's or organisation's front matter: the required text, the optional ones, the rest.

    Raises:
        DataFileError: The file cannot be read, ``required`` is missing, or a
            field is not text.
    """
    front = frontmatter.read(path, max_bytes)
    data = front.data
    texts = {key: _text(data, key, front) for key in optional}
    extra = {k: v for k, v in data.items() if k != required and k not in texts}
    return front, _text(data, required, front, required=True) or "", texts, extra


def invalid(
    error: InvalidValue, file: str, front: frontmatter.FrontMatter | None = None
) -> DataFileError:
    """
    The :class:`DataFileError` for a value of ``file`` the model refuses.

    The line is the first one holding the bad value, when the front matter
    is at hand and the value is a date or a text.
    """
    line = None
    value = error.value
    if front is not None and isinstance(value, dt.date | str) and value:
        line = front.line_of(value.isoformat() if isinstance(value, dt.date) else value)
    where = ".".join(part for part in (error.owner, error.field) if part)
    shown = value.isoformat() if isinstance(value, dt.date) else show(value)
    return DataFileError(file, line, f"{where}: {error.problem}, got {shown}", error.fix)


def _text(
    data: Mapping[str, Any], key: str, front: frontmatter.FrontMatter, *, required: bool = False
) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise DataFileError(
                front.file,
                2,
                f"missing required key {key!r}",
                f"add '{key}: ...' to the front matter",
            )
        return None
    if not isinstance(value, str):
        raise DataFileError(
            front.file,
            front.line_of(f"{key}:"),
            f"{key!r} must be text, got {type(value).__name__} {value!r:.60}",
            f"quote the value: {key}: '...'",
        )
    return value


def _date(
    value: Any,
    what: str,
    front: frontmatter.FrontMatter,
    *,
    needle: str,
    found: list[Finding],
    slug: str,
) -> dt.date:
    if isinstance(value, dt.datetime):
        found.append(
            Finding(
                "timestamp-value",
                Severity.WARNING,
                slug,
                f"{what} is a timestamp ({value.isoformat()}) where a date is expected; "
                f"its day {value.date().isoformat()} is used",
                file=front.file,
                line=front.line_of(needle),
                dates=(value.date(),),
            )
        )
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            found.append(
                Finding(
                    "date-as-string",
                    Severity.WARNING,
                    slug,
                    f"{what} is the string {value!r}, read as the date {day.isoformat()}",
                    file=front.file,
                    line=front.line_of(needle),
                    dates=(day,),
                )
            )
            return day
    raise DataFileError(
        front.file,
        front.line_of(needle),
        f"{what} must be a date (YYYY-MM-DD), got {value!r:.60}",
        "write the date unquoted as YYYY-MM-DD",
    )


def _list_of_str(value: Any, key: str, front: frontmatter.FrontMatter) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(map(isinstance, value, repeat(str))):
        raise DataFileError(
            front.file,
            front.line_of(f"{key}:"),
            f"{key!r} must be a list of texts, got {value!r:.60}",
            f"write '{key}:' then one '- value' line per item",
        )
    return tuple(value)


MAX_ENTRIES: Final = 1000
"""Phases or events a product file may list; real ones list a handful (5 and 10 at most)."""


def _entries(value: Any, key: str, front: frontmatter.FrontMatter) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(map(isinstance, value, repeat(dict))):
        raise DataFileError(
            front.file,
            front.line_of(f"{key}:"),
            f"{key!r} must be a list of mappings, got {show(value)}",
            f"write '{key}:' then '- name: ...' items",
        )
    if len(value) > MAX_ENTRIES:
        raise DataFileError(
            front.file,
            front.line_of(f"{key}:"),
            f"{len(value):,} {key} entries, more than the {MAX_ENTRIES:,} a product may list",
            "check that the file is a product's front matter",
        )
    return value


def _comment(entry: Mapping[str, Any], front: frontmatter.FrontMatter, needle: str) -> str | None:
    comment = entry.get("comment")
    if comment is None or isinstance(comment, str):
        return comment
    raise DataFileError(
        front.file,
        front.line_of("comment:", after=needle),
        f"a comment must be text, got {comment!r:.60}",
        "quote the comment",
    )


def _name(entry: Mapping[str, Any], key: str, front: frontmatter.FrontMatter) -> str:
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise DataFileError(
            front.file,
            front.line_of(f"{key}:"),
            f"every {key} entry needs a 'name' text, got {entry!r:.80}",
            "add 'name: ...' to the entry",
        )
    return name


# -- one product ---------------------------------------------------------------------


class _Phase(NamedTuple):
    name: str
    original: str
    start: dt.date
    end: dt.date | None
    comment: str | None
    order: int


def read_startup(
    front: frontmatter.FrontMatter, slug: str, context: _Context
) -> tuple[Startup, list[Finding]]:
    """
    One product from its parsed front matter, with what import found.

    Raises:
        DataFileError: The front matter cannot describe a product (wrong types).
    """
    reader = _Reader(front, slug, context)
    try:
        startup = reader.startup()
        _Checks(startup, front, context, phases=reader.phases, add=reader.add).run()
    except InvalidValue as error:
        raise invalid(error, front.file, front) from None
    except RecursionError:
        raise DataFileError(
            front.file, None, "values nested too deeply", "flatten the front matter"
        ) from None

    first_on: dict[dt.date, _Phase] = {}  # built when the audit finds something

    def locate(rule: str, dates: tuple[dt.date, ...]) -> tuple[str, int | None]:
        if not first_on:
            for phase in reversed(reader.phases):
                first_on[phase.start] = phase
        return front.file, _audit_line(front, rule, dates, first_on)

    reader.found.extend(_Audit(startup, context.rulebook, locate).run(context.as_of))
    return startup, reader.found


class _Reader:
    """Turns one front matter into a :class:`Startup` (phases, then events, by date)."""

    def __init__(self, front: frontmatter.FrontMatter, slug: str, context: _Context) -> None:
        self.front = front
        self.slug = slug
        self.book = context.rulebook
        self.found: list[Finding] = []
        self.phases: list[_Phase] = []
        self.event_entries: list[tuple[str, dt.date, str | None]] = []

    def add(
        self, code: str, severity: Severity, message: str, line: int | None, *dates: dt.date
    ) -> None:
        self.found.append(Finding(code, severity, self.slug, message, self.front.file, line, dates))

    def date(self, value: Any, what: str, needle: str) -> dt.date:
        return _date(value, what, self.front, needle=needle, found=self.found, slug=self.slug)

    def read_phases(self) -> list[Event]:
        front = self.front
        raw: list[_Phase] = []
        for index, entry in enumerate(_entries(front.data.get("phases"), "phases", front)):
            original = _name(entry, "phases", front)
            # Fast path for the common case; messages are built only for a problem.
            start = entry.get("start")
            if start.__class__ is not dt.date:
                start = self.date(start, f"phase {original!r} start", f"name: {original}")
            end = entry.get("end")
            if end is not None and end.__class__ is not dt.date:
                end = self.date(end, f"phase {original!r} end", f"name: {original}")
            comment = entry.get("comment")
            if comment is not None and comment.__class__ is not str:
                comment = _comment(entry, front, f"name: {original}")
            raw.append(_Phase(original, original, start, end, comment, index))
        self.phases = self.map_legacy(raw)
        history: list[Event] = []
        for phase in self.phases:
            history.append(PhaseEntered(on=phase.start, phase=phase.name, comment=phase.comment))
            if phase.end is not None:
                history.append(PhaseEnded(on=phase.end, phase=phase.name))
        return history

    def map_legacy(self, raw: list[_Phase]) -> list[_Phase]:
        """
        Legacy names mapped, each with a finding.

        ``alumni`` depends on the phase before it: the current one (tie rule)
        on its start date, among the phases already known.
        """
        book = self.book
        if all(book.has_phase(p.name) for p in raw):
            return raw
        tie = _tie_rule(book)
        known = sorted((p for p in raw if book.has_phase(p.name)), key=lambda p: p.start)
        taken = 0
        previous: _Phase | None = None  # the current phase (tie rule) among those known so far
        mapped: dict[int, _Phase] = {}
        for phase in sorted(raw, key=lambda p: (p.start, p.order)):
            if book.has_phase(phase.name):
                continue
            while taken < len(known) and known[taken].start <= phase.start:
                if previous is None or tie(known[taken]) > tie(previous):
                    previous = known[taken]
                taken += 1
            target = book.map_legacy(phase.name, previous.name if previous else None)
            if target is None:
                continue
            new = phase._replace(name=target)
            mapped[phase.order] = new
            self.add(
                "legacy-phase-name",
                Severity.WARNING,
                f"legacy phase name {phase.original!r} read as {target!r}"
                + (f" (after {previous.name})" if previous else ""),
                self.front.line_of(f"name: {phase.original}", after="phases:"),
                phase.start,
            )
            if previous is None or tie(new) > tie(previous):  # it is known from now on
                previous = new
        return [mapped.get(p.order, p) for p in raw]

    def read_events(self) -> list[Event]:
        front = self.front
        events: list[Event] = []
        for entry in _entries(front.data.get("events"), "events", front):
            name = _name(entry, "events", front)
            on = entry.get("date")
            if on.__class__ is not dt.date:
                on = self.date(on, f"event {name!r} date", f"name: {name}")
            comment = entry.get("comment")
            if comment is not None and comment.__class__ is not str:
                comment = _comment(entry, front, f"name: {name}")
            kind = EVENT_NAMES.get(name)
            if kind is None:
                events.append(Note(on=on, name=name, comment=comment))
            else:
                events.append(kind(on=on, comment=comment))
            self.event_entries.append((name, on, comment))
        return events

    def startup(self) -> Startup:
        front, data = self.front, self.front.data
        if not data.keys() >= _REQUIRED:
            for key in REQUIRED:
                if key not in data:
                    self.add("missing-key", Severity.WARNING, f"required key {key!r} is missing", 2)
        history = self.read_phases()
        history.extend(self.read_events())
        history.sort(key=_on)
        title = _text(data, "title", front)
        return Startup(
            slug=self.slug,
            title=title if title is not None else self.slug,
            mission=_text(data, "mission", front) or "",
            incubator=_text(data, "incubator", front),
            incubators=_list_of_str(data.get("incubators"), "incubators", front),
            sponsors=_list_of_str(data.get("sponsors"), "sponsors", front),
            contact=_text(data, "contact", front),
            link=_text(data, "link", front),
            repository=_text(data, "repository", front),
            history=history,
            extra={k: v for k, v in data.items() if k not in _FIELDS},
            body=front.body,
        )


def read_as_written(
    front: frontmatter.FrontMatter, slug: str
) -> tuple[Startup, list[_PhaseEntry], list[_EventEntry]]:
    """
    A product and its phase and event entries in file order (for the writer).

    Entries are ``(name, start, end, comment)`` and ``(name, date, comment)``
    as the loader reads them (legacy names mapped).
    """
    from betastate._rules.loading import load_rulebook  # noqa: PLC0415  (cached built-in)

    context = _Context(load_rulebook("betagouv"), None, None, None, None, None)
    reader = _Reader(front, slug, context)
    startup = reader.startup()
    phases = [(p.name, p.start, p.end, p.comment) for p in reader.phases]
    return startup, phases, reader.event_entries


_PhaseEntry = tuple[str, dt.date, "dt.date | None", "str | None"]
_EventEntry = tuple[str, dt.date, "str | None"]


def _on(event: Event) -> dt.date:
    return event.on


def _start(phase: _Phase) -> dt.date:
    return phase.start


def _listed_later(one: _Phase, other: _Phase) -> _Phase:
    return other if other.order > one.order else one


_LISTED: Final = 10
"""Pairs a finding lists, or findings a phase gets, before the rest is counted."""


def _audit_line(
    front: frontmatter.FrontMatter,
    rule: str,
    dates: tuple[dt.date, ...],
    first_on: Mapping[dt.date, _Phase],
) -> int | None:
    # A move points at the phase it enters; other rules at the phase they concern
    # (the first listed phase starting on that date).
    day = (dates[-1:] if rule in _MOVE_RULES else dates[:1]) or (None,)
    phase = first_on.get(day[0]) if day[0] is not None else None
    if phase is not None:
        return front.line_of(f"name: {phase.original}", after="phases:")
    return front.line_of("phases:")


_MOVE_RULES: Final = frozenset({"BS-MOVE", "N6", "N8"})


class _Checks:
    """The data quirks of one product (codes documented in docs/loading.md)."""

    def __init__(
        self,
        startup: Startup,
        front: frontmatter.FrontMatter,
        context: _Context,
        *,
        phases: list[_Phase],
        add: Callable[..., None],
    ) -> None:
        self.startup = startup
        self.front = front
        self.context = context
        self.phases = phases
        self.add = add
        book = context.rulebook
        self.ordered = sorted(phases, key=_tie_rule(book))

    def line(self, phase: _Phase) -> int | None:
        return self.front.line_of(f"name: {phase.original}", after="phases:")

    def event_line(self, on: dt.date) -> int | None:
        return self.front.line_of(f"date: {on.isoformat()}", after="events:")

    def run(self) -> None:
        self.chronology()
        self.inversions()
        self.ends()
        self.stages()
        self.vocabulary()
        self.notes()
        self.terminals()
        self.stop_events()
        self.events_dates()
        self.fast()
        self.schema()
        self.references()
        self.values()

    # -- phase chronology ------------------------------------------------------------

    def chronology(self) -> None:
        add, book, phases = self.add, self.context.rulebook, self.phases
        starts = [p.start for p in phases]
        if starts == sorted(set(starts)):
            return  # the common case: listed in order, one phase a day
        for before, after in pairwise(phases):
            if after.start < before.start:
                add(
                    "phases-out-of-order",
                    Severity.WARNING,
                    f"phase {after.original!r} ({after.start}) is listed after "
                    f"{before.original!r} but starts earlier ({before.start})",
                    self.line(after),
                    after.start,
                    before.start,
                )
        by_day: dict[dt.date, list[_Phase]] = {}
        for phase in phases:
            by_day.setdefault(phase.start, []).append(phase)
        same_days = [group for group in by_day.values() if len(group) > 1]
        if same_days:
            days = [group[0].start for group in same_days]
            names = "; ".join(", ".join(p.original for p in group) for group in same_days)
            add(
                "same-day-phases",
                Severity.INFO,
                f"phases start on the same day ({names}); "
                + (
                    "the first listed is current (the site's rule)"
                    if book.tie == "first-listed"
                    else "the later stage is current"
                ),
                self.line(same_days[0][0]),
                *days,
            )
            self.tie_rules(same_days)
            against = [
                group
                for group in same_days
                if [p.order for p in group]
                != [p.order for p in sorted(group, key=lambda p: book.rank(p.name))]
            ]
            if against:
                add(
                    "same-day-against-lifecycle",
                    Severity.INFO,
                    "same-day phases listed against lifecycle order ("
                    + "; ".join(" then ".join(p.original for p in g) for g in against)
                    + ")",
                    self.line(against[0][0]),
                    *(g[0].start for g in against),
                )

    def tie_rules(self, same_days: list[list[_Phase]]) -> None:
        """``tie-rules-differ``: a same-day tie the two tie rules settle differently."""
        book = self.context.rulebook
        last_day = max(p.start for p in self.phases)
        for group in same_days:
            first = group[0]
            later = max(group, key=lambda p: (book.rank(p.name), p.order))
            if first.name == later.name:
                continue
            day = first.start
            kept, other = (first, later) if book.tie == "first-listed" else (later, first)
            other_rule = "rank" if book.tie == "first-listed" else "first-listed"
            self.add(
                "tie-rules-differ",
                Severity.INFO,
                f"{first.original} and {later.original} start on {day}: under the rulebook's "
                f"'{book.tie}' tie rule {kept.name} is current that day, under the "
                f"'{other_rule}' rule it would be {other.name}"
                + (", and so would the current phase" if day == last_day else ""),
                self.line(first),
                day,
            )

    def stages(self) -> None:
        add, book, phases = self.add, self.context.rulebook, self.phases
        names = {p.name for p in phases}
        if phases and "investigation" not in names and book.has_phase("investigation"):
            first = self.ordered[0]
            add(
                "no-investigation",
                Severity.INFO,
                f"no investigation phase: the history starts in {first.name} on {first.start}",
                self.line(first),
                first.start,
            )
        aborts = [p for p in phases if p.name == "abandon-investigation"]
        reached = sorted((p for p in phases if p.name in _BEYOND_INVESTIGATION), key=_start)
        if not aborts or not reached:
            return
        # For each start, the last listed phase beyond investigation begun by then.
        starts = [p.start for p in reached]
        last_listed = list(accumulate(reached, _listed_later))
        for phase in aborts:
            begun = bisect_right(starts, phase.start)
            if begun:
                earlier = last_listed[begun - 1]
                add(
                    "late-abandon-investigation",
                    Severity.WARNING,
                    f"abandon-investigation on {phase.start} after reaching "
                    f"{earlier.name} ({earlier.start})",
                    self.line(phase),
                    phase.start,
                )

    def vocabulary(self) -> None:
        vocabulary = self.context.phase_vocabulary
        if vocabulary is None:
            return
        for phase in self.phases:
            if phase.original not in vocabulary:
                self.add(
                    "phase-not-in-vocabulary",
                    Severity.INFO,
                    f"phase name {phase.original!r} has no content/_phases file",
                    self.line(phase),
                    phase.start,
                )

    def notes(self) -> None:
        add, book, phases = self.add, self.context.rulebook, self.phases
        for phase in phases:
            if phase.comment is not None:
                add(
                    "phase-comment",
                    Severity.INFO,
                    f"phase {phase.original!r} carries a comment: {phase.comment!r:.80}",
                    self.front.line_of("comment:", after=f"name: {phase.original}"),
                    phase.start,
                )
        as_of = self.context.as_of
        if as_of is not None:
            for phase in phases:
                if phase.start > as_of:
                    terminal = book.is_terminal(phase.name)
                    add(
                        "future-terminal" if terminal else "future-phase",
                        Severity.INFO,
                        f"phase {phase.original!r} starts on {phase.start}, after {as_of} "
                        "(a planned phase)",
                        self.line(phase),
                        phase.start,
                    )

    def inversions(self) -> None:
        """A later stage starting strictly before an earlier one (see ``_stage``)."""
        book = self.context.rulebook
        staged = [(p, stage) for p in self.phases if (stage := _stage(book, p.name)) is not None]
        by_date = [stage for _, stage in sorted((p.start, s) for p, s in staged)]
        if by_date == sorted(by_date):
            return  # stages never go down as dates go up: no inversion
        # The highest stage begun before each start tells which phases have a pair,
        # so only those are scanned, and the listing stops after a few pairs.
        by_start = sorted(staged, key=lambda item: item[0].start)
        starts = [p.start for p, _ in by_start]
        highest = list(accumulate((stage for _, stage in by_start), max))
        pairs: list[tuple[_Phase, _Phase]] = []
        for early, early_stage in staged:
            before = bisect_left(starts, early.start)
            if not before or highest[before - 1] <= early_stage:
                continue
            pairs.extend(
                (early, late)
                for late, late_stage in staged
                if late_stage > early_stage and late.start < early.start
            )
            if len(pairs) > _LISTED:
                break
        early, late = pairs[0]
        more = "; ..." if len(pairs) > _LISTED else ""
        self.add(
            "stage-inversion",
            Severity.WARNING,
            "; ".join(
                f"{b.name} ({b.start}) starts before {a.name} ({a.start})"
                for a, b in pairs[:_LISTED]
            )
            + more,
            self.line(late),
            late.start,
            early.start,
        )

    def ends(self) -> None:
        add, book, ordered = self.add, self.context.rulebook, self.ordered
        ended = any(p.end is not None for p in ordered)
        starts = [p.start for p in ordered] if ended else []  # by start (then the tie rule)
        for phase in ordered if ended else ():
            if phase.end is None:
                continue
            add(
                "explicit-phase-end",
                Severity.INFO,
                f"phase {phase.original!r} has an explicit end ({phase.end})",
                self.line(phase),
                phase.start,
                phase.end,
            )
            # The phases starting strictly between its start and its end.
            low, high = bisect_right(starts, phase.start), bisect_left(starts, phase.end)
            overlapped = ordered[low : min(high, low + _LISTED)]
            for index, other in enumerate(overlapped):
                beyond = high - low - _LISTED if index == _LISTED - 1 else 0
                add(
                    "overlapping-phases",
                    Severity.WARNING,
                    f"phase {phase.original!r} ends on {phase.end}, after "
                    f"{other.original!r} started ({other.start})"
                    + (f" (and {beyond} more phases)" if beyond > 0 else ""),
                    self.line(phase),
                    phase.end,
                    other.start,
                )
            # The next phase as listed (same-day phases keep the file's order).
            listed = self.phases[phase.order + 1 : phase.order + 2]
            if listed and phase.end < listed[0].start:
                add(
                    "phase-gap",
                    Severity.INFO,
                    f"phase {phase.original!r} ends on {phase.end}, "
                    f"{(listed[0].start - phase.end).days} days before "
                    f"{listed[0].original!r} starts ({listed[0].start})",
                    self.line(phase),
                    phase.end,
                    listed[0].start,
                )
            if book.is_terminal(phase.name):
                add(
                    "terminal-with-end",
                    Severity.INFO,
                    f"terminal phase {phase.original!r} carries an explicit end ({phase.end})",
                    self.line(phase),
                    phase.end,
                )
        if ordered:
            last = ordered[-1]
            if last.end is not None and not book.is_terminal(last.name):
                add(
                    "no-current-phase",
                    Severity.WARNING,
                    f"the last phase {last.original!r} ended on {last.end} and no phase follows",
                    self.line(last),
                    last.end,
                )

    # -- terminal status -------------------------------------------------------------

    def terminals(self) -> None:
        add, book, ordered = self.add, self.context.rulebook, self.ordered
        terminals = [p for p in ordered if book.is_terminal(p.name)]
        if len(terminals) > 1:
            add(
                "several-terminals",
                Severity.WARNING,
                "several terminal phases: " + ", ".join(f"{p.name} ({p.start})" for p in terminals),
                self.line(terminals[1]),
                *(p.start for p in terminals),
            )
        if not terminals:
            return
        latest = ordered[-1].start
        for terminal in terminals:
            if terminal.start < latest:  # some phase starts later: the first of them
                after = ordered[bisect_right([p.start for p in ordered], terminal.start)]
                add(
                    "terminal-not-last",
                    Severity.WARNING,
                    f"terminal phase {terminal.name} ({terminal.start}) is followed by "
                    f"{after.name} ({after.start})",
                    self.line(after),
                    terminal.start,
                    after.start,
                )
                break
        if len({p.start for p in self.phases}) == len(self.phases):
            return  # no two phases start the same day
        listed_next: dict[int, _Phase] = {}  # order -> the next phase listed on the same day
        on_day: dict[dt.date, _Phase] = {}
        for phase in self.phases:
            before = on_day.get(phase.start)
            if before is not None:
                listed_next.setdefault(before.order, phase)
            on_day[phase.start] = phase
        for terminal in terminals:
            same_day_after = listed_next.get(terminal.order)
            if same_day_after is not None:
                add(
                    "terminal-before-same-day",
                    Severity.WARNING,
                    f"terminal phase {terminal.name} is listed before "
                    f"{same_day_after.name}, which starts the same day ({terminal.start})",
                    self.line(terminal),
                    terminal.start,
                )

    # -- events ------------------------------------------------------------------------

    def stop_events(self) -> None:
        add, history = self.add, self.startup.history
        ends = [e for e in history if isinstance(e, Stopped)]
        stops = [p for p in self.ordered if p.name in STOP_PHASES]
        if ends and not stops:
            last = self.ordered[-1].name if self.ordered else "none"
            add(
                "end-without-abandon",
                Severity.WARNING,
                f"an 'end' event ({ends[0].on}) but no abandon phase (last phase: {last})",
                self.event_line(ends[0].on),
                ends[0].on,
            )
        if stops and not ends:
            add(
                "abandon-without-end",
                Severity.INFO,
                f"phase {stops[0].name} ({stops[0].start}) without an 'end' event",
                self.line(stops[0]),
                stops[0].start,
            )
        stop_starts = {s.start for s in stops}
        if ends and stops and all(e.on not in stop_starts for e in ends):
            add(
                "end-date-mismatch",
                Severity.INFO,
                f"the 'end' event ({ends[0].on}) is not dated on the {stops[0].name} start "
                f"({stops[0].start})",
                self.event_line(ends[0].on),
                ends[0].on,
                stops[0].start,
            )
        if ends and self.ordered:
            last_start = max(p.start for p in self.ordered)
            early = [e for e in ends if e.on < last_start]
            if early:
                add(
                    "end-before-last-phase",
                    Severity.WARNING,
                    f"the 'end' event ({early[0].on}) is dated before the last phase start "
                    f"({last_start})",
                    self.event_line(early[0].on),
                    early[0].on,
                    last_start,
                )

    def events_dates(self) -> None:
        add = self.add
        first = min((p.start for p in self.phases), default=None)
        as_of = self.context.as_of
        vocabulary = self.context.event_vocabulary
        for event in self.startup.history:
            if isinstance(event, PhaseEntered | PhaseEnded):
                continue
            name = _event_name(event)
            if first is not None and event.on < first:
                add(
                    "event-before-first-phase",
                    Severity.WARNING,
                    f"event {name!r} ({event.on}) is dated before the first phase ({first})",
                    self.event_line(event.on),
                    event.on,
                )
            if as_of is not None and event.on > as_of:
                add(
                    "future-event",
                    Severity.INFO,
                    f"event {name!r} is dated {event.on}, after {as_of}",
                    self.event_line(event.on),
                    event.on,
                )
            if vocabulary is not None and name not in vocabulary:
                add(
                    "event-not-in-vocabulary",
                    Severity.INFO,
                    f"event name {name!r} has no content/_events file",
                    self.front.line_of(f"name: {name}", after="events:"),
                    event.on,
                )

    def fast(self) -> None:
        block = "fast" in self.startup.extra
        events = [e for e in self.startup.history if isinstance(e, FastLaureate)]
        if block and not events:
            self.add(
                "fast-block-without-event",
                Severity.INFO,
                "a 'fast' block but no 'fast' event",
                self.front.line_of("fast:"),
            )
        if events and not block:
            self.add(
                "fast-event-without-block",
                Severity.INFO,
                f"a 'fast' event ({events[0].on}) but no 'fast' block",
                self.event_line(events[0].on),
                events[0].on,
            )

    # -- schema and references ---------------------------------------------------------

    def schema(self) -> None:
        schema, add, data = self.context.schema, self.add, self.front.data
        if schema is None:
            return
        # Set operations first (in C); a Python loop only when something is off.
        unknown = data.keys() - schema.keys
        for key in data if unknown else ():
            if key in unknown:
                add(
                    "key-not-in-schema",
                    Severity.INFO,
                    f"key {key!r} is not in {Path(schema.file).name}",
                    self.front.line_of(f"{key}:"),
                )
        self.entry_keys(schema)
        self.enums(schema)

    def entry_keys(self, schema: _Schema) -> None:
        data = self.front.data
        for key, entries, allowed in (
            ("phases", data.get("phases"), schema.phase_keys),
            ("events", data.get("events"), schema.event_keys),
        ):
            for entry in entries or ():
                if entry.keys() <= allowed:
                    continue
                for extra in sorted(set(entry) - allowed, key=str):
                    self.add(
                        "entry-key-not-in-schema",
                        Severity.WARNING,
                        f"{key} entry key {extra!r} is not in the schema; betastate does not "
                        "keep it in the history (the writer keeps the line)",
                        self.front.line_of(f"{extra}:", after=f"{key}:"),
                    )

    def enums(self, schema: _Schema) -> None:
        add, data = self.add, self.front.data
        if schema.sponsors is not None and not schema.sponsors.issuperset(self.startup.sponsors):
            for sponsor in self.startup.sponsors:
                if sponsor not in schema.sponsors:
                    add(
                        "sponsor-not-in-schema",
                        Severity.INFO,
                        f"sponsor {sponsor!r} is not in the schema's list",
                        self.front.line_of(sponsor),
                    )
        usertypes = data.get("usertypes")
        if schema.usertypes is not None and isinstance(usertypes, list):
            for value in usertypes:
                if not isinstance(value, str) or value not in schema.usertypes:
                    add(
                        "usertype-not-in-schema",
                        Severity.INFO,
                        f"usertype {value!r} is not in the schema's list",
                        self.front.line_of(str(value), after="usertypes:"),
                    )

    def references(self) -> None:
        context, startup, add = self.context, self.startup, self.add
        known = context.incubators
        if known is not None and (
            startup.incubator not in known or not known.issuperset(startup.incubators)
        ):
            for incubator in dict.fromkeys(
                (*([startup.incubator] if startup.incubator else []), *startup.incubators)
            ):
                if incubator not in known:
                    add(
                        "unknown-incubator",
                        Severity.WARNING,
                        f"incubator {incubator!r} has no content/_incubators file",
                        self.front.line_of(incubator),
                    )
        if context.organisations is not None and not context.organisations.issuperset(
            startup.sponsors
        ):
            for sponsor in startup.sponsors:
                if sponsor not in context.organisations:
                    add(
                        "unknown-sponsor",
                        Severity.WARNING,
                        f"sponsor {sponsor!r} has no content/_organisations file",
                        self.front.line_of(sponsor),
                    )
        if not startup.sponsors:
            add("no-sponsor", Severity.INFO, "no sponsor listed", self.front.line_of("title:"))

    # -- values ------------------------------------------------------------------------

    def values(self) -> None:
        link = self.startup.link
        if link is not None:
            if not link:
                line = self.front.line_of("link:")
                self.add("empty-link", Severity.INFO, "link is empty ('')", line)
            elif link != link.strip() or "&" in link:
                self.link_quirks(link)
        front = self.front
        if _TIMESTAMP.search(front.text, front.yaml_start, front.yaml_end):
            for key, value in _walk(self.startup.extra, ""):
                if isinstance(value, dt.datetime):
                    self.add(
                        "timestamp-value",
                        Severity.WARNING,
                        f"{key} is a timestamp ({value.isoformat()}) where a date is expected",
                        front.line_of(f"{key.rsplit('.', 1)[-1]}:"),
                        value.date(),
                    )

    def link_quirks(self, link: str) -> None:
        import html  # noqa: PLC0415  (import time)

        line = self.front.line_of("link:")
        if link != link.strip():
            self.add("padded-link", Severity.WARNING, f"link {link!r} has surrounding spaces", line)
        unescaped = html.unescape(link)
        if unescaped != link:
            self.add(
                "escaped-link",
                Severity.WARNING,
                f"link {link!r} is HTML-escaped (means {unescaped!r})",
                line,
            )


_BEYOND_INVESTIGATION: Final = frozenset(
    {"construction", "acceleration", "consolidation", "opere", "transfere", "abandon"}
)


_STAGES: dict[int, tuple[Rulebook, dict[str, int | None]]] = {}


def _stage(book: Rulebook, phase: str) -> int | None:
    """
    Lifecycle stage of ``phase`` for ``stage-inversion``.

    A phase's stage is its rank; a stop takes the rank of the one phase it
    stops (``abandon-investigation`` is an investigation stage); a stop
    reachable from several stages (``abandon``) has none. Unknown phases
    have none. Computed once per rulebook (rulebooks are immutable).
    """
    cached = _STAGES.get(id(book))
    if cached is None or cached[0] is not book:
        stages: dict[str, int | None] = {}
        for definition in book.phases:
            value = definition.value
            sources = {
                s
                for t in book.transitions
                if t.dest == value and not t.data_only
                for s in t.sources
            }
            if not definition.stop:
                stages[value] = definition.rank
            elif len(sources) == 1:
                stages[value] = book.rank(sources.pop())
            else:
                stages[value] = None
        if len(_STAGES) > _RULEBOOKS_CACHED:
            _STAGES.clear()
        cached = _STAGES[id(book)] = (book, stages)
    return cached[1].get(phase)


_RULEBOOKS_CACHED: Final = 16


def _walk(value: Any, prefix: str) -> Iterable[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from _walk(child, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _walk(child, f"{prefix}[{index}]")
    else:
        yield prefix, value


_NAME_OF: Final[Mapping[type, str]] = {kind: name for name, kind in EVENT_NAMES.items()}


def _event_name(event: Event) -> str:
    if isinstance(event, Note):
        return event.name
    return _NAME_OF.get(type(event), type(event).__name__)


# -- members -------------------------------------------------------------------------


def _member(path: Path, data: Mapping[str, Any]) -> Member:
    name = str(path)

    def text(value: Any, key: str) -> str | None:
        if value is None or isinstance(value, str):
            return value
        raise DataFileError(name, None, f"{key!r} must be text, got {value!r:.60}", "quote it")

    def day(value: Any, key: str) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        raise DataFileError(
            name, None, f"mission {key!r} must be a date, got {value!r:.60}", "write YYYY-MM-DD"
        )

    raw = data.get("missions") or []
    if not isinstance(raw, list) or not all(isinstance(m, dict) for m in raw):
        raise DataFileError(name, None, "'missions' must be a list of mappings", "fix the list")
    missions: list[Mission] = []
    for entry in raw:
        startups = entry.get("startups") or ()
        if isinstance(startups, str):
            startups = (startups,)
        if not isinstance(startups, list | tuple) or not all(isinstance(s, str) for s in startups):
            raise DataFileError(name, None, "mission 'startups' must be a list of slugs", "fix it")
        employer = entry.get("employer")
        missions.append(
            Mission(
                start=day(entry.get("start"), "start"),
                end=None if entry.get("end") is None else day(entry["end"], "end"),
                status=text(entry.get("status"), "status"),
                employer=None if employer is None else str(employer),
                startups=tuple(startups),
            )
        )
    return Member(
        id=path.stem,
        role=text(data.get("role"), "role"),
        domaine=text(data.get("domaine"), "domaine"),
        missions=tuple(missions),
    )
