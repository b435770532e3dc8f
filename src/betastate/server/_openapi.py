"""
The OpenAPI 3.1 document of the HTTP service, made from betastate's own JSON Schemas.

OpenAPI 3.1 schemas *are* JSON Schema 2020-12, so the definitions of
:func:`betastate.json_schema` go in ``components/schemas`` as they are (their
``$ref`` rewritten); the request forms of the commands are the same
definitions with ``by`` optional, since the actor comes from the key.
"""

from __future__ import annotations

import copy
import functools
from typing import Any, Final

from betastate._engine.commands import COMMAND_TYPES, Command
from betastate._engine.lifecycle import Move, Verdict
from betastate._engine.state import StartupState
from betastate._io.schema import BOUNDED_DATE, DATE, definitions
from betastate._rules.rulebook import Rulebook
from betastate._values.errors import BetastateError
from betastate._values.events import Event
from betastate._values.reasons import Reason
from betastate._values.startup import Startup
from betastate._values.texts import LANGUAGES
from betastate._version import __version__
from betastate.journal import RecordedEvent


_COMPONENTS: Final = "#/components/schemas/"
LARGEST: Final = 2**63 - 1
"""The largest version or position a journal stores (SQL's 64-bit integers)."""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _COMPONENTS + name}


def _rewrite(node: Any) -> Any:
    """``#/$defs/X`` → ``#/components/schemas/X``, everywhere (discriminator mappings too)."""
    if isinstance(node, dict):
        return {key: _rewrite(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_rewrite(value) for value in node]
    if isinstance(node, str) and node.startswith("#/$defs/"):
        return _COMPONENTS + node[len("#/$defs/") :]
    return node


def _requests(schemas: dict[str, Any]) -> None:
    """Command request forms: each command with ``by`` optional, and their union."""
    mapping: dict[str, str] = {}
    for cls in COMMAND_TYPES:
        name = cls.__name__
        form = copy.deepcopy(schemas[name])
        form["required"] = [field for field in form["required"] if field != "by"]
        form["properties"]["by"] = {
            **form["properties"]["by"],
            "description": (
                "Optional: the key's actor decides. If given, it must be the key's role "
                "or actor, or the request is refused (403 actor-mismatch)."
            ),
        }
        schemas[f"{name}Request"] = form
        mapping[name] = _COMPONENTS + f"{name}Request"
    schemas["CommandRequest"] = {
        "description": "A command as a client sends it: any command, by optional.",
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "_type", "mapping": mapping},
    }
    schemas["NewStartup"] = {
        "description": "A startup to create: its fields, no history (send commands for that).",
        "allOf": [_ref("Startup")],
        "properties": {"history": {"maxItems": 0}},
    }


def _object(properties: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


_INTEGER: Final = {"type": "integer", "minimum": 0}


def _responses(schemas: dict[str, Any]) -> None:
    """The bodies the service answers with (made of the value schemas)."""
    reasons = {"type": "array", "items": _ref("Reason")}
    schemas["Health"] = _object(
        {
            "status": {"const": "ok"},
            "version": {"type": "string", "description": "betastate's version."},
            "rulebook": {"type": "string", "description": "The rulebook's name."},
        },
        "The service is up and its journal answers.",
    )
    schemas["Created"] = _object(
        {"slug": {"type": "string"}, "version": _INTEGER}, "A startup was created."
    )
    schemas["StartupView"] = _object(
        {
            "version": {**_INTEGER, "description": "The stream's version (send it as If-Match)."},
            "startup": _ref("Startup"),
            "state": _ref("StartupState"),
        },
        "A startup (as of ?on=) and its state on that date.",
    )
    schemas["History"] = _object(
        {
            "slug": {"type": "string"},
            "version": _INTEGER,
            "records": {"type": "array", "items": _ref("RecordedEvent")},
        },
        "The stored events, each with what the journal recorded about it.",
    )
    schemas["Moves"] = _object(
        {
            "slug": {"type": "string"},
            "version": _INTEGER,
            "on": dict(DATE),
            "moves": {"type": "array", "items": _ref("Move")},
        },
        "The moves open to a startup on a date, and who may decide each.",
    )
    schemas["Checked"] = _object(
        {
            "version": _INTEGER,
            "accepted": {"type": "boolean"},
            "errors": reasons,
            "warnings": reasons,
        },
        "What a command would get, decided on the stored startup; nothing is stored.",
    )
    schemas["Applied"] = _object(
        {
            "version": {**_INTEGER, "description": "The stream's version after the command."},
            "events": {"type": "array", "items": _ref("Event")},
            "warnings": reasons,
        },
        "The command was accepted and stored (warnings never block).",
    )
    schemas["PortfolioCounts"] = _object(
        {
            "on": dict(DATE),
            "total": _INTEGER,
            "phases": {"type": "object", "additionalProperties": _INTEGER},
        },
        "How many startups are in each phase of the rulebook on a date.",
    )


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


def _ok(name: str, description: str, *, etag: bool = False, lang: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": _ref(name)}},
    }
    headers: dict[str, Any] = {}
    if etag:
        headers["ETag"] = {"$ref": "#/components/headers/ETag"}
    if lang:
        headers["Content-Language"] = {"$ref": "#/components/headers/Content-Language"}
    if headers:
        response["headers"] = headers
    return response


def _in_language(response: dict[str, Any]) -> dict[str, Any]:
    """An error response whose reasons follow ``Accept-Language``."""
    return {
        **response,
        "headers": {"Content-Language": {"$ref": "#/components/headers/Content-Language"}},
    }


_SLUG: Final = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The startup's slug.",
    "schema": {"type": "string", "minLength": 1},
}
_ON: Final = {
    "name": "on",
    "in": "query",
    "required": False,
    "description": (
        "A date (YYYY-MM-DD, 1900 to 2999): the startup as it stood then (default: today)."
    ),
    "schema": dict(BOUNDED_DATE),
}
_LANGUAGE: Final = {
    "name": "Accept-Language",
    "in": "header",
    "required": False,
    "description": (
        "The language of the reasons' message and fix: fr or en (default en), weighed as "
        "RFC 9110 says (fr-FR, fr;q=0.8, en;q=0.5). Codes, fields and values do not change."
    ),
    "schema": {"type": "string"},
}
_UNAUTHORIZED: Final = _error("No key, or not a key of this service.")
_NOT_FOUND: Final = _error("No startup with this slug.")
_BAD_REQUEST: Final = _error("A header or a query parameter is not as documented.")
_INVALID: Final = _error("The body is not JSON, or not the JSON expected: every problem.")
_TOO_LARGE: Final = _error("The body is larger than the service accepts.")


def _command_body(description: str) -> dict[str, Any]:
    return {
        "required": True,
        "description": description,
        "content": {"application/json": {"schema": _ref("CommandRequest")}},
    }


def _paths() -> dict[str, Any]:
    command_headers = [
        {
            "name": "If-Match",
            "in": "header",
            "required": False,
            "description": (
                'The version read (its ETag, "7", or 7): the command is refused with 412 if '
                "the startup changed since."
            ),
            "schema": {"type": "string", "pattern": r'^(W/)?("[0-9]+"|[0-9]+)$|^\*$'},
        },
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": (
                "Your id for this command: sent again, the same command gets the first answer "
                "and nothing is stored twice."
            ),
            "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
        },
    ]
    return {
        "/health": {
            "get": {
                "operationId": "health",
                "summary": "Whether the service and its journal answer (no key needed).",
                "security": [],
                "responses": {"200": _ok("Health", "Up.")},
            }
        },
        "/startups": {
            "post": {
                "operationId": "createStartup",
                "summary": "Create a startup (no history: send commands to it).",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("NewStartup")}},
                },
                "responses": {
                    "201": {
                        **_ok("Created", "Created, at version 0.", etag=True),
                        "headers": {
                            "ETag": {"$ref": "#/components/headers/ETag"},
                            "Location": {
                                "description": "Where the startup is.",
                                "schema": {"type": "string"},
                            },
                        },
                    },
                    "401": _UNAUTHORIZED,
                    "409": _error("A startup with this slug exists (startup-exists)."),
                    "413": _TOO_LARGE,
                    "422": _INVALID,
                },
            }
        },
        "/startups/{slug}": {
            "get": {
                "operationId": "getStartup",
                "summary": "A startup and its state on a date.",
                "parameters": [_SLUG, _ON],
                "responses": {
                    "200": _ok("StartupView", "The startup.", etag=True),
                    "400": _BAD_REQUEST,
                    "401": _UNAUTHORIZED,
                    "404": _NOT_FOUND,
                },
            }
        },
        "/startups/{slug}/history": {
            "get": {
                "operationId": "getHistory",
                "summary": "The stored events, with version, position, time, command and actor.",
                "parameters": [
                    _SLUG,
                    {
                        "name": "after",
                        "in": "query",
                        "required": False,
                        "description": "Only the events with a version above this.",
                        "schema": {"type": "integer", "minimum": 0, "maximum": LARGEST},
                    },
                ],
                "responses": {
                    "200": _ok("History", "The events.", etag=True),
                    "400": _BAD_REQUEST,
                    "401": _UNAUTHORIZED,
                    "404": _NOT_FOUND,
                },
            }
        },
        "/startups/{slug}/moves": {
            "get": {
                "operationId": "getMoves",
                "summary": "The moves open on a date, and who may decide each.",
                "parameters": [_SLUG, _ON, _LANGUAGE],
                "responses": {
                    "200": _ok("Moves", "The moves.", etag=True, lang=True),
                    "400": _BAD_REQUEST,
                    "401": _UNAUTHORIZED,
                    "404": _NOT_FOUND,
                },
            }
        },
        "/startups/{slug}/check": {
            "post": {
                "operationId": "checkCommand",
                "summary": "A dry run: every error and warning the command would get.",
                "parameters": [_SLUG, _LANGUAGE],
                "requestBody": _command_body("The command, as for /commands."),
                "responses": {
                    "200": _ok("Checked", "The verdict (accepted or not).", etag=True, lang=True),
                    "401": _UNAUTHORIZED,
                    "403": _error("The body names another actor than the key's."),
                    "404": _NOT_FOUND,
                    "413": _TOO_LARGE,
                    "422": _INVALID,
                },
            }
        },
        "/startups/{slug}/commands": {
            "post": {
                "operationId": "applyCommand",
                "summary": "Apply a command: decided on the latest stored history and stored.",
                "parameters": [_SLUG, *command_headers, _LANGUAGE],
                "requestBody": _command_body("The command; its actor is the key's."),
                "responses": {
                    "200": _ok(
                        "Applied", "Accepted and stored (warnings included).", etag=True, lang=True
                    ),
                    "400": _BAD_REQUEST,
                    "401": _UNAUTHORIZED,
                    "403": _in_language(
                        _error(
                            "The key's role may not take this decision (forbidden, with the "
                            "rulebook's BS-ROLE reason and every other one), or the body names "
                            "another actor (actor-mismatch).",
                        )
                    ),
                    "404": _NOT_FOUND,
                    "409": _in_language(
                        _error(
                            "Refused by the rulebook, with every reason (refused), or the "
                            "Idempotency-Key was used for another command "
                            "(idempotency-key-reused).",
                        )
                    ),
                    "412": _error("If-Match is not the startup's version (version-conflict)."),
                    "413": _TOO_LARGE,
                    "422": _INVALID,
                },
            }
        },
        "/portfolio": {
            "get": {
                "operationId": "getPortfolioCounts",
                "summary": "How many startups are in each phase on a date.",
                "parameters": [_ON],
                "responses": {
                    "200": _ok("PortfolioCounts", "The counts."),
                    "400": _BAD_REQUEST,
                    "401": _UNAUTHORIZED,
                },
            }
        },
        "/rulebook": {
            "get": {
                "operationId": "getRulebook",
                "summary": "The rulebook commands are decided under.",
                "responses": {"200": _ok("Rulebook", "The rulebook."), "401": _UNAUTHORIZED},
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document (no key needed).",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }


@functools.cache
def _document() -> dict[str, Any]:
    kinds: tuple[Any, ...] = (
        Command,
        Event,
        Startup,
        StartupState,
        Move,
        Verdict,
        Reason,
        Rulebook,
        RecordedEvent,
        BetastateError,
    )
    schemas: dict[str, Any] = _rewrite(definitions(*kinds))
    _requests(schemas)
    _responses(schemas)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "betastate",
            "version": __version__,
            "description": (
                "The lifecycle of French startups d'État over HTTP: startups stored in a "
                "journal, commands decided by the rulebook and refused with every reason. "
                "Every schema is betastate's own (betastate schema TYPE prints them). "
                "Send your key as Authorization: Bearer <key>; a command's actor is the key's."
            ),
        },
        "security": [{"apiKey": []}],
        "paths": _paths(),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key (bsk_...), from betastate serve --add-key.",
                }
            },
            "headers": {
                "ETag": {
                    "description": 'The stream\'s version, quoted ("7"): send it back as If-Match.',
                    "schema": {"type": "string"},
                },
                "Content-Language": {
                    "description": "The language of the reasons' texts (fr or en).",
                    "schema": {"enum": list(LANGUAGES)},
                },
            },
        },
    }


def openapi() -> dict[str, Any]:
    """
    The OpenAPI 3.1 document of the HTTP service (what ``GET /openapi.json`` answers).

    Generated from betastate's JSON Schemas: code generators (TypeScript,
    Java...) get the same types ``betastate schema`` prints.

    .. versionadded:: 0.1.0
    """
    return copy.deepcopy(_document())
