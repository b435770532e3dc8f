"""
The ASGI application: a thin Starlette layer over a journal.

Starlette routes requests and writes responses; everything else is
betastate's: bodies are read with :func:`betastate.from_data` (a 422 lists
its problems), values are written with :func:`betastate.to_data`, errors are
:func:`betastate.to_data` of the betastate error plus the HTTP status, and
the OpenAPI document is made of the same JSON Schemas. Journal calls block,
so they run in Starlette's thread pool.

The actor of a command is always the key's: a body without ``by`` gets the
key's actor; a body whose ``by`` (or, for a ``Record``, whose event's
``by``) names another role, person or organisation is refused (403
``actor-mismatch``), never trusted and never silently rewritten.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Final

import attrs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from betastate._engine.commands import Command
from betastate._io.convert import from_data, to_data
from betastate._io.problems import error_data
from betastate._values.actors import ROLE_PATTERN, Actor
from betastate._values.errors import (
    BetastateError,
    ConcurrencyConflict,
    InvalidArgument,
    InvalidData,
    JournalError,
    Problem,
    TransitionRefused,
    UnknownStartup,
)
from betastate._values.fields import MAX_DATE, MIN_DATE
from betastate._values.reasons import Reason
from betastate._values.startup import Startup
from betastate._values.texts import LANGUAGES, Lang
from betastate._version import __version__
from betastate.journal import Journal
from betastate.server._keys import ApiKey, Keys
from betastate.server._openapi import LARGEST, openapi


LOGGER: Final = logging.getLogger("betastate.server")
MAX_BODY: Final = 1 << 20
"""Largest request body accepted by default (1 MiB): a command is a few hundred bytes."""

_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_VERSION: Final = re.compile(r'"([0-9]+)"|([0-9]+)')


class _Failure(Exception):
    """An error response, raised from anywhere in a request's handling."""

    def __init__(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _failure(status: int, code: str, message: str, fix: str, **extra: Any) -> _Failure:
    return _Failure(status, {"error": code, "message": message, "fix": fix, **extra})


def _from_error(status: int, error: BetastateError, code: str | None = None) -> _Failure:
    body = error_data(error)
    if code is not None:
        body["error"] = code
    return _Failure(status, body)


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    if status >= 400 and isinstance(body, dict):  # noqa: PLR2004  (an error body)
        body = {**body, "status": status}
    return JSONResponse(body, status_code=status, headers=headers)


def _etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def _in(lang: Lang) -> dict[str, str]:
    """The headers of a response whose texts follow the request's ``Accept-Language``."""
    return {"Content-Language": lang, "Vary": "Accept-Language"}


def _translated(reasons: Any, lang: Lang) -> list[Reason]:
    return [reason.translated(lang) for reason in reasons]


_REFUSED_FR: Final = "{command} refusé pour « {slug} » ({count} raison{s})"
_FIX_FR: Final = "corrigez chaque raison donnée (chacune dit comment)"


def _refusal(status: int, refusal: TransitionRefused, lang: Lang, code: str | None) -> _Failure:
    """A refusal's body, its reasons (and its own words) in ``lang``."""
    refusal = TransitionRefused(
        refusal.slug,
        refusal.command,
        _translated(refusal.reasons, lang),
        _translated(refusal.warnings, lang),
    )
    failure = _from_error(status, refusal, code)
    if lang == "fr":
        count = len(refusal.reasons)
        failure.body["message"] = _REFUSED_FR.format(
            command=type(refusal.command).__name__,
            slug=refusal.slug,
            count=count,
            s="s" if count > 1 else "",
        )
        failure.body["fix"] = _FIX_FR
    failure.headers.update(_in(lang))
    return failure


@attrs.define
class _Service:
    """What the endpoints share: the journal, the keys, the limits."""

    journal: Journal
    keys: Keys
    max_body: int
    openapi: bytes = b""
    rulebook: Any = None

    # -- requests in --------------------------------------------------------------------------

    def authenticate(self, request: Request) -> ApiKey:
        """The key the request carries, or a 401 (never logging the key itself)."""
        header = request.headers.get("authorization")
        where = f"{request.method} {request.url.path}"
        if header is None:
            LOGGER.warning("refused %s: no key", where)
            raise self.unauthorized("no API key was sent")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            LOGGER.warning("refused %s: the Authorization header is not a bearer key", where)
            raise self.unauthorized("the Authorization header is not Bearer <key>")
        key = self.keys.authenticate(token.strip())
        if key is None:
            LOGGER.warning("refused %s: not a key of this service", where)
            raise self.unauthorized("this is not a key of this service")
        return key

    @staticmethod
    def unauthorized(message: str) -> _Failure:
        failure = _failure(
            401,
            "unauthorized",
            message,
            "send Authorization: Bearer <key> with a key from betastate serve --add-key",
        )
        failure.headers["WWW-Authenticate"] = 'Bearer realm="betastate"'
        return failure

    async def body(self, request: Request, kind: str) -> Any:
        """The request body as JSON (at most ``max_body`` bytes), or a 413 or a 422."""
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body:
                raise _failure(
                    413,
                    "too-large",
                    f"the body is larger than {self.max_body} bytes",
                    "send one command per request",
                )
            chunks.append(chunk)
        try:
            return json.loads(b"".join(chunks), parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:
            reason = str(exc) if isinstance(exc, ValueError) else "nested too deeply"
            problem = Problem("", f"the body is not JSON ({reason})", "send a JSON document")
            raise _from_error(422, InvalidData(kind, [problem])) from None

    def command(self, data: Any, key: ApiKey) -> Command:
        """A command from JSON, acting as the key's actor (a 403 if the body names another)."""
        if isinstance(data, dict):
            data = dict(data)
            _claim(data, "by", key, "/by")
            event = data.get("event")
            if data.get("_type") == "Record" and isinstance(event, dict) and "by" in event:
                event = dict(event)
                if event["by"] is not None:
                    _claim(event, "by", key, "/event/by")
                data["event"] = event
            data.setdefault("by", to_data(key.actor))
        try:
            command = from_data(data, Command)
        except InvalidData as exc:
            raise _from_error(422, exc) from None
        if command.by != key.actor:  # pragma: no cover  (the claim above made sure)
            msg = "the command's actor is not the key's"
            raise AssertionError(msg)
        return command

    # -- the operations (blocking: run in the thread pool) -------------------------------------

    def create(self, data: Any) -> tuple[str, int]:
        try:
            startup = from_data(data, Startup)
        except InvalidData as exc:
            raise _from_error(422, exc) from None
        if startup.history:
            problem = Problem(
                "/history",
                "a startup is created without history",
                "create it with no history, then send its commands to /startups/{slug}/commands",
            )
            raise _from_error(422, InvalidData("Startup", [problem]))
        try:
            version = self.journal.create(startup)
        except ConcurrencyConflict:
            raise _failure(
                409,
                "startup-exists",
                f"a startup {startup.slug!r} exists already",
                "choose another slug, or read it with GET /startups/{slug}",
                slug=startup.slug,
            ) from None
        return startup.slug, version

    def view(self, slug: str, on: dt.date | None) -> tuple[int, dict[str, Any]]:
        startup = self.journal.get(slug)
        version = len(startup.history)
        if on is not None:
            startup = attrs.evolve(startup, history=[e for e in startup.history if e.on <= on])
        state = self.journal.lifecycle.state(startup, on)
        return version, {"version": version, "startup": to_data(startup), "state": to_data(state)}

    def history(self, slug: str, after: int) -> tuple[int, dict[str, Any]]:
        version = self.journal.version(slug)
        records = self.journal.records(slug, after)
        version = max(version, records[-1].version) if records else version
        return version, {"slug": slug, "version": version, "records": to_data(list(records))}

    def moves(self, slug: str, on: dt.date | None, lang: Lang) -> tuple[int, dict[str, Any]]:
        startup = self.journal.get(slug)
        version = len(startup.history)
        lifecycle = self.journal.lifecycle
        day = on or lifecycle.as_of(startup) or lifecycle.today()  # the one "as of"
        moves = [
            attrs.evolve(move, warnings=tuple(_translated(move.warnings, lang)))
            for move in lifecycle.moves(startup, on=day)
        ]
        body = {"slug": slug, "version": version, "on": day.isoformat(), "moves": to_data(moves)}
        return version, body

    def check(self, slug: str, command: Command, lang: Lang) -> tuple[int, dict[str, Any]]:
        startup = self.journal.get(slug)
        verdict = self.journal.lifecycle.check(startup, command)
        version = len(startup.history)
        body = {
            "version": version,
            "accepted": verdict.accepted,
            "errors": to_data(_translated(verdict.errors, lang)),
            "warnings": to_data(_translated(verdict.warnings, lang)),
        }
        return version, body

    def apply(
        self, slug: str, command: Command, expected: int | None, key: str | None, lang: Lang
    ) -> tuple[int, dict[str, Any]]:
        try:
            outcome = self.journal.apply(slug, command, expected_version=expected, command_id=key)
        except TransitionRefused as refusal:
            if any(reason.rule == "BS-ROLE" for reason in refusal.reasons):
                raise _refusal(403, refusal, lang, "forbidden") from None
            raise _refusal(409, refusal, lang, None) from None
        except ConcurrencyConflict as conflict:
            failure = _from_error(412, conflict)
            failure.headers.update(_etag(conflict.actual))
            raise failure from None
        except UnknownStartup:
            raise
        except JournalError as error:
            if "was already used" in error.problem:  # the journal's words for a reused id
                raise _from_error(409, error, "idempotency-key-reused") from None
            raise
        version = outcome.version if outcome.version is not None else 0
        body = {
            "version": version,
            "events": to_data(outcome.events),
            "warnings": to_data(_translated(outcome.warnings, lang)),
        }
        return version, body

    def counts(self, on: dt.date) -> dict[str, Any]:
        portfolio = self.journal.portfolio(on)
        phases = portfolio.phase_counts(on, rulebook=self.journal.rulebook)
        return {"on": on.isoformat(), "total": sum(phases.values()), "phases": phases}

    def health(self) -> dict[str, Any]:
        self.journal.read(after=0, limit=1)  # the journal answers
        return {"status": "ok", "version": __version__, "rulebook": self.journal.rulebook.name}


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _no_constant(name: str) -> Any:
    msg = f"{name} is not a JSON number"
    raise ValueError(msg)


def _claim(data: dict[str, Any], field: str, key: ApiKey, where: str) -> None:
    """
    Check the actor a body names against the key's; make it the key's full actor.

    A value that is not an actor is left for :func:`from_data` to report.
    """
    if field not in data:
        return
    claim = data[field]
    actor = key.actor
    if isinstance(claim, str):
        if ROLE_PATTERN.fullmatch(claim) is None:
            return
        agrees = claim == actor.role
    elif isinstance(claim, dict):
        try:
            named = from_data(claim, Actor)
        except InvalidData:
            return
        agrees = named.role == actor.role and all(
            getattr(named, part) in {None, getattr(actor, part)}
            for part in ("name", "organisation")
        )
    else:
        return
    if not agrees:
        who = actor.role + (f" ({actor.name})" if actor.name else "")
        raise _failure(
            403,
            "actor-mismatch",
            f"{where} names another actor than this key's: the key acts as the {who}",
            "leave by out (the key's actor decides), or use the key of the actor you name",
        )
    data[field] = to_data(actor)


def _date(request: Request, name: str) -> dt.date | None:
    text = request.query_params.get(name)
    if text is None:
        return None
    try:
        if not _DATE.fullmatch(text):  # fromisoformat also takes 20250101 and 2025-W01-1
            raise ValueError(text)  # noqa: TRY301
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise _failure(
            400, "bad-request", f"?{name}={text!r} is not a date", "write it YYYY-MM-DD"
        ) from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise _failure(
            400,
            "bad-request",
            f"?{name}={text!r} is outside the dates betastate handles",
            f"write a date from {MIN_DATE} to {MAX_DATE}",
        )
    return day


def _count(request: Request, name: str) -> int:
    text = request.query_params.get(name, "0")
    if not text.isascii() or not text.isdigit():
        raise _failure(
            400, "bad-request", f"?{name}={text!r} is not a whole number", "write 0, 1, 2..."
        )
    if len(text) > len(str(LARGEST)) or int(text) > LARGEST:
        raise _failure(
            400, "bad-request", f"?{name}= is larger than any version", f"write at most {LARGEST}"
        )
    return int(text)


def _if_match(request: Request) -> int | None:
    text = request.headers.get("if-match")
    if text is None or text.strip() == "*":
        return None
    value = text.strip()
    if value.startswith("W/"):
        raise _failure(
            412,
            "version-conflict",
            "a weak ETag never matches a command's precondition",
            'send the ETag as it came ("7")',
        )
    match = _VERSION.fullmatch(value)
    if match is None:
        raise _failure(
            400,
            "bad-request",
            f"If-Match: {text!r} is not a version",
            'send the ETag you read ("7") or the version (7)',
        )
    version = match.group(1) or match.group(2)
    if len(version) > len(str(LARGEST)) or int(version) > LARGEST:
        raise _failure(
            400, "bad-request", "If-Match is larger than any version", f"send at most {LARGEST}"
        )
    return int(version)


def language(header: str | None) -> Lang:
    """
    The language of betastate's texts an ``Accept-Language`` header prefers: ``fr`` or ``en``.

    Ranges are read as RFC 9110 says (``fr-CA;q=0.8``: the primary tag and its
    weight, ``q=0`` excluding it); the heaviest range betastate has wins, the
    first one on a tie. No header, ``*``, or nothing betastate has: English.
    A malformed range is skipped, never an error.
    """
    best: Lang = "en"
    weight = 0.0
    for item in (header or "").split(","):
        tag, *params = (part.strip() for part in item.split(";"))
        primary = next((lang for lang in LANGUAGES if lang == tag.split("-", 1)[0].lower()), None)
        if primary is None:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:  # nan or out of range: ignored
                    q = 0.0
        if q > weight:
            best, weight = primary, q
    return best


def _idempotency_key(request: Request) -> str | None:
    text = request.headers.get("idempotency-key")
    if text is None:
        return None
    if not text.strip() or len(text) > 200:  # noqa: PLR2004
        raise _failure(
            400, "bad-request", "Idempotency-Key is blank or too long", "send 1 to 200 characters"
        )
    return text


Endpoint = Callable[[Request], Awaitable[Response]]


def _guarded(handler: Endpoint) -> Endpoint:
    """Turn failures and betastate errors into error bodies; log what nobody expected."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except _Failure as failure:
            return _json(failure.status, failure.body, failure.headers)
        except UnknownStartup as missing:
            body = error_data(missing)
            body["fix"] = "check the slug, or create the startup with POST /startups"
            return _json(404, body)
        except InvalidArgument as bad:
            return _json(400, error_data(bad))
        except BetastateError as error:
            LOGGER.exception("%s %s failed", request.method, request.url.path)
            return _json(503, error_data(error))

    return endpoint


def create_app(
    journal: Journal,
    *,
    keys: Keys | str | os.PathLike[str],
    max_body: int = MAX_BODY,
    close_journal: bool = False,
) -> Starlette:
    """
    The HTTP service over ``journal``, as an ASGI application (run it with uvicorn).

    Args:
        journal: Where startups are stored (:func:`betastate.open_journal`).
        keys: The API keys it accepts: :class:`Keys`, or the path of a keys file.
        max_body: The largest request body accepted, in bytes.
        close_journal: Close the journal when the application shuts down.

    Raises:
        DataFileError: ``keys`` names a file that is not a keys file.

    .. versionadded:: 0.1.0
    """
    given: object = journal
    if not isinstance(given, Journal):
        msg = f"expected a betastate journal (betastate.open_journal(url)), got {journal!r}"
        raise TypeError(msg)
    service = _Service(journal, keys if isinstance(keys, Keys) else Keys.load(keys), max_body)
    declared = set(journal.rulebook.role_values)
    strangers = sorted({key.actor.role for key in service.keys.keys} - declared)
    if strangers:
        raise InvalidArgument(
            "keys",
            ", ".join(strangers),
            f"keys act as roles rulebook {journal.rulebook.name!r} does not declare",
            f"give each key one of {', '.join(sorted(declared))}",
        )
    service.openapi = json.dumps(openapi(), ensure_ascii=False, separators=(",", ":")).encode()
    service.rulebook = to_data(journal.rulebook)

    routes = _routes(service)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        LOGGER.info(
            "serving %s (rulebook %s, %d keys)",
            journal.url,
            journal.rulebook.name,
            len(service.keys),
        )
        try:
            yield
        finally:
            if close_journal:
                await run_in_threadpool(journal.close)

    return Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
        lifespan=lifespan,
    )


def _routes(service: _Service) -> list[Route]:  # noqa: C901  (one small handler per operation)
    """The operations of ``/openapi.json``, each a thin async shell over the service."""

    async def health(_request: Request) -> Response:
        return _json(200, await run_in_threadpool(service.health))

    async def document(_request: Request) -> Response:
        return Response(service.openapi, media_type="application/json")

    async def create(request: Request) -> Response:
        service.authenticate(request)
        data = await service.body(request, "Startup")
        slug, version = await run_in_threadpool(service.create, data)
        headers = {**_etag(version), "Location": f"/startups/{urllib.parse.quote(slug, safe='')}"}
        return _json(201, {"slug": slug, "version": version}, headers)

    async def view(request: Request) -> Response:
        service.authenticate(request)
        on = _date(request, "on")
        version, body = await run_in_threadpool(service.view, request.path_params["slug"], on)
        return _json(200, body, _etag(version))

    async def history(request: Request) -> Response:
        service.authenticate(request)
        after = _count(request, "after")
        slug = request.path_params["slug"]
        version, body = await run_in_threadpool(service.history, slug, after)
        return _json(200, body, _etag(version))

    async def moves(request: Request) -> Response:
        service.authenticate(request)
        on = _date(request, "on")
        lang = language(request.headers.get("accept-language"))
        slug = request.path_params["slug"]
        version, body = await run_in_threadpool(service.moves, slug, on, lang)
        return _json(200, body, {**_etag(version), **_in(lang)})

    async def check(request: Request) -> Response:
        key = service.authenticate(request)
        command = service.command(await service.body(request, "Command"), key)
        lang = language(request.headers.get("accept-language"))
        slug = request.path_params["slug"]
        version, body = await run_in_threadpool(service.check, slug, command, lang)
        return _json(200, body, {**_etag(version), **_in(lang)})

    async def apply(request: Request) -> Response:
        key = service.authenticate(request)
        expected = _if_match(request)
        command_id = _idempotency_key(request)
        command = service.command(await service.body(request, "Command"), key)
        lang = language(request.headers.get("accept-language"))
        slug = request.path_params["slug"]
        version, body = await run_in_threadpool(
            service.apply, slug, command, expected, command_id, lang
        )
        return _json(200, body, {**_etag(version), **_in(lang)})

    async def counts(request: Request) -> Response:
        service.authenticate(request)
        on = _date(request, "on") or _today()
        return _json(200, await run_in_threadpool(service.counts, on))

    async def rulebook(request: Request) -> Response:
        service.authenticate(request)
        return _json(200, service.rulebook)

    return [
        Route("/health", _guarded(health), methods=["GET"]),
        Route("/openapi.json", _guarded(document), methods=["GET"]),
        Route("/startups", _guarded(create), methods=["POST"]),
        Route("/startups/{slug}", _guarded(view), methods=["GET"]),
        Route("/startups/{slug}/history", _guarded(history), methods=["GET"]),
        Route("/startups/{slug}/moves", _guarded(moves), methods=["GET"]),
        Route("/startups/{slug}/check", _guarded(check), methods=["POST"]),
        Route("/startups/{slug}/commands", _guarded(apply), methods=["POST"]),
        Route("/portfolio", _guarded(counts), methods=["GET"]),
        Route("/rulebook", _guarded(rulebook), methods=["GET"]),
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (no such route, method not allowed) as error bodies."""
    assert isinstance(exc, HTTPException)  # noqa: S101  (registered for HTTPException only)
    if exc.status_code == 405:  # noqa: PLR2004
        allowed = exc.headers.get("Allow", "") if exc.headers else ""
        body = _failure(
            405,
            "method-not-allowed",
            f"{request.method} is not allowed on {request.url.path}",
            f"use {allowed or 'another method'}",
        ).body
        return _json(405, body, {"Allow": allowed} if allowed else None)
    body = _failure(
        exc.status_code,
        "not-found",
        f"no such resource: {request.url.path}",
        "see /openapi.json for the paths",
    ).body
    return _json(exc.status_code, body, dict(exc.headers or {}))


async def _server_error(request: Request, _exc: Exception) -> Response:
    """A bug: logged with its traceback (uvicorn's error logger too), a 500 without details."""
    body = _failure(
        500,
        "internal",
        "the service failed to answer this request (it is logged)",
        "retry later; report it if it lasts",
    ).body
    LOGGER.error("%s %s failed with an unexpected error", request.method, request.url.path)
    return _json(500, body)
