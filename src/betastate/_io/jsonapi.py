"""
The website's JSON:API export (``api/v2.x/startups.json``) as a portfolio.

Each ``data[]`` item is a startup: ``id`` is the slug, ``attributes`` holds
``name`` (title), ``pitch`` (mission), ``link``, ``repository``,
``contact``, ``sponsors`` (organisation ids without their
``/organisations/`` prefix), ``technos`` (the front matter's ``techno``),
``phases`` (``name``, ``start``, ``end``) and ``events`` (``name``,
``date``, ``comment``), dates as strings and absent values as empty strings;
``content_url_encoded_markdown`` is the page's body (URL-encoded);
``relationships.incubator`` names the incubator and
``relationships.incubators`` the co-incubation list, the incubators being
described in ``included[]``. Every other attribute is kept in ``extra``.
Names and values are mapped back to the front matter's, and histories go
through the same reader and checks as front matter.

What the export itself does not carry (phase comments, line breaks inside
event comments, the ``fast`` block, most other keys) is reported once per
file as ``format-lacks`` findings, and the checks that would blame a
product for a block the format cannot hold are left out.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from betastate._analytics.portfolio import Portfolio
from betastate._io import frontmatter
from betastate._values.errors import DataFileError, InvalidValue
from betastate._values.fields import require
from betastate._values.reasons import Finding, Severity
from betastate._values.startup import Incubator, Startup


if TYPE_CHECKING:
    from betastate._rules.rulebook import Rulebook

_RENAMED: Final = {"name": "title", "pitch": "mission", "technos": "techno"}
"""The export's attribute names and the front matter's."""

_BODY: Final = "content_url_encoded_markdown"

ORGANISATION_PREFIX: Final = "/organisations/"
"""What the export's template removes from each sponsor (``remove: '/organisations/'``)."""

_EMPTY_MEANS_ABSENT: Final = ("impact_url", "stats_url", "budget_url", "dashlord_url")
"""Attributes the template prints as ``""`` when the front matter lacks them."""

_BOOLEANS: Final = {"true": True, "false": False}
"""Liquid prints booleans as text."""

_CANNOT_CARRY: Final = frozenset({"fast-event-without-block"})
"""Checks about a block the export never prints: they would blame every product."""

LACKS: Final = (
    "phase comments: the export prints a phase's name, start and end only",
    "line breaks inside event comments: the export removes them (Liquid strip_newlines)",
    "the 'fast' block (promotion, montant): the export does not print it; 'fast' events stay",
    (
        "front-matter keys the export does not print (stats, usertypes, redirect_from, "
        "mon_service_securise, contact_dinum, contact_incubator, rgpd...): when 'stats' is "
        "true and no stats_url is given, the export prints '<link>/stats' as stats_url"
    ),
    (
        "false and empty values: analyse_risques is printed only when true, link and "
        "impact_url only when link is set, and an empty 'thematiques' or 'techno' list reads "
        "the same as none"
    ),
    "organisations: startups.json names sponsors by id only",
)
"""What ``api/v2.7/startups.json`` loses compared with the front matter (``format-lacks``)."""


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
    require(path, (str, os.PathLike), "path", "a file path (a str or a Path)")
    file = str(path)
    text = frontmatter.read_text(Path(path), max_bytes)
    document = _parse(text, file)
    context = _Context(rulebook, as_of, None, None, None, None)
    startups: list[Startup] = []
    findings: list[Finding] = []
    findings.extend(
        Finding("format-lacks", Severity.INFO, None, f"the JSON:API export lacks {lack}", file)
        for lack in LACKS
    )
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
        findings.extend(f for f in found if f.code not in _CANNOT_CARRY)
    incubators = [
        _incubator(item, f"included[{index}]", file)
        for index, item in enumerate(_list(document.get("included"), "included", file))
        if isinstance(item, Mapping) and item.get("type") == "incubator"
    ]
    try:
        return Portfolio(
            startups=sorted(startups, key=lambda s: s.slug),
            incubators=incubators,
            findings=findings,
            source=file,
        )
    except InvalidValue as exc:
        raise DataFileError(file, None, exc.problem, "give each startup its own id") from None


def _parse(text: str, file: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(file, exc.lineno, f"not JSON: {exc.msg}", "write valid JSON") from None
    except ValueError as exc:  # an integer too long for Python
        raise DataFileError(file, None, f"not JSON: {exc}", "write valid JSON") from None
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
    data = _front_matter_values(attributes)
    if "sponsors" in attributes:
        data["sponsors"] = _sponsors(attributes["sponsors"], f"{where}.attributes.sponsors", file)
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
    relationships = item.get("relationships")
    incubator = _incubator_id(relationships)
    if incubator is not None:
        data["incubator"] = incubator
    co = _incubator_ids(relationships, f"{where}.relationships.incubators", file)
    # The template lists the incubator alone when there is no co-incubation.
    if co and co != [incubator]:
        data["incubators"] = co
    return slug, data


def _front_matter_values(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes under the front matter's names, absent values absent, booleans bools."""
    data = {_RENAMED.get(str(key), str(key)): value for key, value in attributes.items()}
    for key in ("link", "repository", "contact"):
        if data.get(key) == "":
            # The export writes absent values as empty strings; link '' is real data.
            data[key] = "" if key == "link" else None
    for key in _EMPTY_MEANS_ABSENT:
        if data.get(key) == "":
            del data[key]
    for key in ("analyse_risques", "mon_service_securise", "stats"):
        if isinstance(data.get(key), str) and data[key] in _BOOLEANS:
            data[key] = _BOOLEANS[data[key]]
    return data


def _sponsors(value: Any, where: str, file: str) -> list[str]:
    """Sponsor ids as the front matter writes them: ``/organisations/<id>``."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(file, where, f"expected a list of ids, got {value!r:.60}", "write a JSON list")
    return [v if v.startswith(ORGANISATION_PREFIX) else ORGANISATION_PREFIX + v for v in value]


def _incubator_ids(relationships: Any, where: str, file: str) -> list[str]:
    """The ids of ``relationships.incubators.data``, if the item has that relationship."""
    try:
        entries = relationships["incubators"]["data"]
    except (KeyError, TypeError):
        return []
    if not isinstance(entries, list) or not all(
        isinstance(e, Mapping) and isinstance(e.get("id"), str) and e["id"] for e in entries
    ):
        raise _fail(
            file,
            where,
            f"expected a list of {{type, id}} objects, got {entries!r:.60}",
            'write [{"type": "incubator", "id": "..."}]',
        )
    return [e["id"] for e in entries]


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
    # Empty strings are kept: the front matter writes most of them so (website: '').
    try:
        return Incubator(
            id=ident,
            title=attributes.get("title") or ident,
            owner=attributes.get("owner"),
            website=attributes.get("website"),
            extra={k: v for k, v in attributes.items() if k not in fields},
        )
    except InvalidValue as error:
        raise _fail(file, where, f"{error.field}: {error.problem}", error.fix) from None
