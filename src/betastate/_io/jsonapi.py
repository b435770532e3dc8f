"""
The website's JSON:API export (``api/v2.x/startups.json``) as a portfolio.

Each ``data[]`` item is a startup: ``id`` is the slug, ``attributes`` holds
``name`` (title), ``pitch`` (mission), ``link``, ``repository``,
``contact``, ``sponsors``, ``phases`` (``name``, ``start``, ``end``) and
``events`` (``name``, ``date``, ``comment``), dates as strings and absent
values as empty strings; ``content_url_encoded_markdown`` is the page's body
(URL-encoded); ``relationships.incubator.data.id`` names the incubator,
described in ``included[]``. Every other attribute is kept in ``extra``.
Histories go through the same reader and checks as front matter.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from betastate._analytics.portfolio import Portfolio
from betastate._io import frontmatter
from betastate._values.errors import DataFileError
from betastate._values.reasons import Finding
from betastate._values.startup import Incubator, Startup


if TYPE_CHECKING:
    from betastate._rules.rulebook import Rulebook

_RENAMED: Final = {"name": "title", "pitch": "mission"}
_BODY: Final = "content_url_encoded_markdown"


def load_jsonapi(
    path: str | Path,
    *,
    rulebook: Rulebook | None = None,
    as_of: dt.date | None = None,
    max_bytes: int = 50 * 1024 * 1024,
) -> Portfolio:
    """
    Load the website's JSON:API ``startups.json`` (API v2.x) as a portfolio.

    Args:
        path: The JSON file.
        rulebook: Rules and legacy names (default: ``betastate.rulebook()``).
        as_of: The export's date, for "dated in the future" findings.
        max_bytes: Size above which the file is refused.

    Returns:
        The startups (sorted by slug), the included incubators and the findings.

    Raises:
        DataFileError: Not JSON, not a JSON:API document, or an item with
            wrong types; the message names the item and key.

    .. versionadded:: 0.1.0
    """
    from betastate._io.loaders import _Context, read_startup  # noqa: PLC0415  (import cycle)

    if rulebook is None:
        from betastate._rules.loading import load_rulebook  # noqa: PLC0415

        rulebook = load_rulebook("betagouv")
    file = str(path)
    text = frontmatter.read_text(Path(path), max_bytes)
    document = _parse(text, file)
    context = _Context(rulebook, as_of, None, None, None, None)
    startups: list[Startup] = []
    findings: list[Finding] = []
    for index, item in enumerate(document["data"]):
        where = f"data[{index}]"
        slug, data = _startup_data(item, where, file)
        body = _body(data.pop(_BODY, None), f"{where}.attributes.{_BODY}", file)
        front = frontmatter.FrontMatter(file, "", data, 0, 0)
        try:
            startup, found = read_startup(front, slug, context)
        except DataFileError as error:
            raise DataFileError(
                file, None, f"{where} ({slug}): {error.problem}", error.fix
            ) from None
        startups.append(attrs.evolve(startup, body=body) if body else startup)
        findings.extend(found)
    incubators = [
        _incubator(item, f"included[{index}]", file)
        for index, item in enumerate(document.get("included") or ())
        if isinstance(item, Mapping) and item.get("type") == "incubator"
    ]
    try:
        return Portfolio(
            startups=sorted(startups, key=lambda s: s.slug),
            incubators=incubators,
            findings=findings,
            source=file,
        )
    except ValueError as exc:
        raise DataFileError(file, None, str(exc), "give each startup its own id") from None


def _parse(text: str, file: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(file, exc.lineno, f"not JSON: {exc.msg}", "write valid JSON") from None
    except RecursionError:
        raise DataFileError(file, None, "JSON nested too deeply", "flatten the document") from None
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise DataFileError(
            file,
            1,
            "not a JSON:API document: no top-level 'data' list",
            "pass the site's api/v2.x/startups.json",
        )
    return document


def _fail(file: str, where: str, problem: str, fix: str) -> DataFileError:
    return DataFileError(file, None, f"{where}: {problem}", fix)


def _startup_data(item: Any, where: str, file: str) -> tuple[str, dict[str, Any]]:
    """The item's slug and its attributes in front-matter shape."""
    if not isinstance(item, Mapping):
        raise _fail(file, where, f"expected an object, got {item!r:.60}", "write an object")
    slug = item.get("id")
    if not isinstance(slug, str) or not slug:
        raise _fail(file, where, "missing 'id' (the slug)", 'add "id": "<slug>"')
    attributes = item.get("attributes")
    if not isinstance(attributes, Mapping):
        raise _fail(file, where, "missing 'attributes' object", 'add "attributes": {...}')
    data: dict[str, Any] = {}
    for key, value in attributes.items():
        data[_RENAMED.get(str(key), str(key))] = value
    for key in ("link", "repository", "contact"):
        if data.get(key) == "":
            # The export writes absent values as empty strings; link '' is real data.
            data[key] = "" if key == "link" else None
    data["phases"] = [
        _entry(p, f"{where}.attributes.phases[{n}]", file, "start", "end")
        for n, p in enumerate(_list(attributes.get("phases"), f"{where}.attributes.phases", file))
    ]
    events = _list(attributes.get("events"), f"{where}.attributes.events", file)
    if events:
        data["events"] = [
            _entry(e, f"{where}.attributes.events[{n}]", file, "date", None)
            for n, e in enumerate(events)
        ]
    else:
        data.pop("events", None)
    incubator = _incubator_id(item.get("relationships"))
    if incubator is not None:
        data["incubator"] = incubator
    return slug, data


def _body(value: Any, where: str, file: str) -> str:
    """The page's markdown from the template's ``url_encode`` (``+`` for spaces)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail(file, where, f"expected URL-encoded text, got {value!r:.60}", "quote it")
    return frontmatter.drop_blank_lines(urllib.parse.unquote_plus(value))


def _list(value: Any, where: str, file: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(file, where, f"expected a list, got {value!r:.60}", "write a JSON list")
    return value


def _entry(value: Any, where: str, file: str, date_key: str, end_key: str | None) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(file, where, f"expected an object, got {value!r:.60}", "write an object")
    entry: dict[str, Any] = {}
    for key, raw in value.items():
        if raw == "" and key in {"comment", end_key}:
            continue  # the export's way of saying "absent"
        if key in {date_key, end_key}:
            entry[key] = _day(raw, f"{where}.{key}", file)
        else:
            entry[key] = raw
    return entry


def _day(value: Any, where: str, file: str) -> dt.date:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise _fail(file, where, f"expected a date YYYY-MM-DD, got {value!r:.60}", "write YYYY-MM-DD")


def _incubator_id(relationships: Any) -> str | None:
    try:
        value = relationships["incubator"]["data"]["id"]
    except (KeyError, TypeError):
        return None
    return value if isinstance(value, str) and value else None


def _incubator(item: Mapping[str, Any], where: str, file: str) -> Incubator:
    attributes = item.get("attributes")
    ident = item.get("id")
    if not isinstance(ident, str) or not isinstance(attributes, Mapping):
        raise _fail(file, where, "an incubator needs an 'id' and 'attributes'", "add them")
    fields = {"title", "owner", "website"}
    for key in fields:
        if attributes.get(key) is not None and not isinstance(attributes[key], str):
            raise _fail(file, f"{where}.attributes.{key}", "expected text", "quote it")
    return Incubator(
        id=ident,
        title=attributes.get("title") or ident,
        owner=attributes.get("owner") or None,
        website=attributes.get("website") or None,
        extra={k: v for k, v in attributes.items() if k not in fields},
    )
