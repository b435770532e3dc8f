"""
The members' space API (espace-membre, ``GET /api/protected/startups``) as a portfolio.

The answer is a bare JSON array. Each item is a startup: ``ghid`` is the
slug, ``name`` the title, ``pitch`` the mission; the incubators come as the
members' space's ids (``incubator_id`` and ``incubator_ids``, or
``incubators`` as ``{uuid, ghid}`` references); ``phases`` is a list of
``{name, start, end}`` ordered by start then end, with ISO timestamps; and
``current_phase`` names the last of them. There are no events and no
sponsors: what the shape lacks is reported once per file as
``format-lacks`` findings, and the checks that would blame a product for it
are not run. Histories go through the same reader and checks as front
matter; every other key is kept in ``extra``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from betastate._analytics.portfolio import Portfolio
from betastate._io import frontmatter
from betastate._values.errors import DataFileError, InvalidValue
from betastate._values.fields import require
from betastate._values.reasons import Finding, Severity
from betastate._values.startup import Startup


if TYPE_CHECKING:
    import zoneinfo

    from betastate._rules.rulebook import Rulebook

_RENAMED: Final = {"name": "title", "pitch": "mission"}
"""The shape's names and the front matter's."""

_READ: Final = frozenset(
    {"ghid", "phases", "current_phase", "incubator_id", "incubator_ids", "incubators"}
)
"""Keys turned into the startup's fields (and ``current_phase``, which is checked)."""

_CANNOT_CARRY: Final = frozenset({"no-sponsor", "abandon-without-end", "fast-event-without-block"})
"""Checks that would blame every product for what the shape never holds."""

LACKS: Final = (
    "events (committees, launches, stops, national impact, FAST): the shape has none",
    "sponsors: the shape names none",
    "phase comments: a phase is its name, start and end",
    "the 'fast' block and the site's other keys (stats, impact_url, redirect_from...)",
)
"""What ``GET /api/protected/startups`` lacks compared with the front matter (``format-lacks``)."""

_ID_LACK: Final = (
    "incubator names: the incubators are the members' space's own ids (incubator_id, "
    "incubator_ids), which may not be the site's incubator file names"
)


def load_members_space(
    path: str | Path,
    *,
    rulebook: Rulebook | None = None,
    as_of: dt.date | None = None,
    max_bytes: int = 50 * 1024 * 1024,
) -> Portfolio:
    """
    Load the members' space's ``GET /api/protected/startups`` answer as a portfolio.

    Phase timestamps are read as their calendar day in Paris (a date stored
    at midnight, whether in Paris or in UTC, stays its own day).

    Args:
        path: The JSON file (the API's answer, saved).
        rulebook: Rules and legacy names (default: ``betastate.rulebook()``).
        as_of: The answer's date, for "dated in the future" findings.
        max_bytes: Size above which the file is refused.

    Returns:
        The startups (sorted by slug) and the findings, among them what the
        shape lacks (``format-lacks``) and a ``current-phase-differs``
        warning where ``current_phase`` is not the phase the rulebook's tie
        rule gives.

    Raises:
        DataFileError: Not JSON, not an array of objects, or an item with
            wrong types; the message names the item and key.

    .. versionadded:: 0.1.0
    """
    from betastate._engine.state import phase_of  # noqa: PLC0415  (import time)
    from betastate._io.loaders import _Context, read_startup  # noqa: PLC0415  (import cycle)

    if rulebook is None:
        from betastate._rules.loading import load_rulebook  # noqa: PLC0415

        rulebook = load_rulebook("betagouv")
    require(path, (str, os.PathLike), "path", "a file path (a str or a Path)")
    file = str(path)
    items = _parse(frontmatter.read_text(Path(path), max_bytes), file)
    context = _Context(rulebook, as_of, None, None, None, None)
    findings = [
        Finding("format-lacks", Severity.INFO, None, f"the members' space lacks {lack}", file)
        for lack in LACKS
    ]
    startups: list[Startup] = []
    named_by_ids = False
    for index, item in enumerate(items):
        where = f"[{index}]"
        slug, data, by_ids, found = _startup_data(item, where, file)
        named_by_ids |= by_ids
        front = frontmatter.FrontMatter(file, "", data, 0, 0)
        try:
            startup, checks = read_startup(front, slug, context)
        except DataFileError as error:
            raise DataFileError(
                file, None, f"{where} ({slug}): {error.problem}", error.fix
            ) from None
        findings.extend(found)
        findings.extend(f for f in checks if f.code not in _CANNOT_CARRY)
        stated = item.get("current_phase")
        computed = phase_of(startup, rulebook)
        if stated != computed:
            findings.append(
                Finding(
                    "current-phase-differs",
                    Severity.WARNING,
                    slug,
                    f"current_phase is {stated!r}, but the phases give {computed!r} under "
                    f"rulebook {rulebook.name!r}'s {rulebook.tie!r} tie rule",
                    file,
                )
            )
        startups.append(startup)
    if named_by_ids:
        findings.append(
            Finding(
                "format-lacks", Severity.INFO, None, f"the members' space lacks {_ID_LACK}", file
            )
        )
    try:
        return Portfolio(
            startups=sorted(startups, key=lambda s: s.slug), findings=findings, source=file
        )
    except InvalidValue as exc:
        raise DataFileError(file, None, exc.problem, "give each startup its own ghid") from None


def _parse(text: str, file: str) -> list[Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(file, exc.lineno, f"not JSON: {exc.msg}", "write valid JSON") from None
    except ValueError as exc:  # an integer too long for Python
        raise DataFileError(file, None, f"not JSON: {exc}", "write valid JSON") from None
    except RecursionError:
        raise DataFileError(file, None, "JSON nested too deeply", "flatten the document") from None
    if not isinstance(document, list):
        raise DataFileError(
            file,
            1,
            f"expected a JSON array of startups, got a {type(document).__name__}",
            "save the answer of GET /api/protected/startups as it is (a bare array)",
        )
    return document


def _fail(file: str, where: str, problem: str, fix: str) -> DataFileError:
    return DataFileError(file, None, f"{where}: {problem}", fix)


def _startup_data(
    item: Any, where: str, file: str
) -> tuple[str, dict[str, Any], bool, list[Finding]]:
    """The slug, the item in front-matter shape, whether incubators are ids, findings."""
    if not isinstance(item, Mapping):
        raise _fail(file, where, f"expected an object, got {item!r:.60}", "write an object")
    slug = item.get("ghid")
    if not isinstance(slug, str) or not slug:
        raise _fail(file, where, "missing 'ghid' (the slug)", 'add "ghid": "<slug>"')
    data: dict[str, Any] = {"mission": None, "incubator": None, "contact": None}
    for key, value in item.items():
        if str(key) not in _READ:
            data[_RENAMED.get(str(key), str(key))] = value
    incubator, incubators, by_ids = _incubators(item, where, file)
    data["incubator"] = incubator
    if len(incubators) > 1:
        data["incubators"] = incubators
    found: list[Finding] = []
    phases = item.get("phases")
    if not isinstance(phases, list):
        raise _fail(file, f"{where}.phases", f"expected a list, got {phases!r:.60}", "write a list")
    data["phases"] = [
        _phase(phase, f"{where}.phases[{n}]", file, slug, found) for n, phase in enumerate(phases)
    ]
    return slug, data, by_ids, found


def _incubators(item: Mapping[str, Any], where: str, file: str) -> tuple[Any, list[str], bool]:
    """(main incubator, every incubator, named by the members' space's ids)."""
    refs = item.get("incubators")
    if refs is not None:
        if not isinstance(refs, list) or not all(
            isinstance(r, Mapping) and isinstance(r.get("ghid"), str) and r["ghid"] for r in refs
        ):
            raise _fail(
                file,
                f"{where}.incubators",
                f"expected a list of {{uuid, ghid}} objects, got {refs!r:.60}",
                'write [{"uuid": "...", "ghid": "..."}]',
            )
        names = [r["ghid"] for r in refs]
        return (names[0] if names else None), names, False
    main = item.get("incubator_id")
    if main is not None and not isinstance(main, str):
        raise _fail(file, f"{where}.incubator_id", f"expected text, got {main!r:.60}", "quote it")
    ids = item.get("incubator_ids", [])
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise _fail(
            file, f"{where}.incubator_ids", f"expected a list of ids, got {ids!r:.60}", "fix it"
        )
    if main is None and ids:
        main = ids[0]
    return main, ids, main is not None


def _phase(value: Any, where: str, file: str, slug: str, found: list[Finding]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(file, where, f"expected an object, got {value!r:.60}", "write an object")
    phase = dict(value)
    phase["start"] = _day(value.get("start"), f"{where}.start", file, slug, found)
    if value.get("end") is None:
        phase.pop("end", None)
    else:
        phase["end"] = _day(value["end"], f"{where}.end", file, slug, found)
    return phase


@functools.cache
def _paris() -> dt.tzinfo:
    """Europe/Paris, or UTC+1 where the system has no time-zone database."""
    import zoneinfo  # noqa: PLC0415  (import time)

    try:
        zone: zoneinfo.ZoneInfo | dt.timezone = zoneinfo.ZoneInfo("Europe/Paris")
    except zoneinfo.ZoneInfoNotFoundError:  # pragma: no cover  (no tz database)
        zone = dt.timezone(dt.timedelta(hours=1))
    return zone


def _day(value: Any, where: str, file: str, slug: str, found: list[Finding]) -> dt.date:
    """The calendar day of an ISO date or timestamp, in Paris."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == len("YYYY-MM-DD"):
                return dt.date.fromisoformat(text)
            moment = dt.datetime.fromisoformat(text)
            local = moment.astimezone(_paris()) if moment.tzinfo is not None else moment
            midnight = {local.time(), moment.astimezone(dt.UTC).time() if moment.tzinfo else None}
        except (ValueError, OverflowError):  # not ISO, or a time zone past the calendar's ends
            pass
        else:
            if dt.time(0) not in midnight:
                found.append(
                    Finding(
                        "timestamp-value",
                        Severity.WARNING,
                        slug,
                        f"{where} is the timestamp {text}, not a day at midnight; "
                        f"its day in Paris, {local.date().isoformat()}, is used",
                        file,
                        dates=(local.date(),),
                    )
                )
            return local.date()
    raise _fail(
        file, where, f"expected an ISO date or timestamp, got {value!r:.60}", "write YYYY-MM-DD"
    )
