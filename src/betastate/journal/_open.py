"""
:func:`open_journal`: the URL picks the engine.

- ``sqlite:///srv/app/journal.db``: a file (the URL's path is absolute);
  ``sqlite:journal.db``: a file relative to the current folder;
  ``sqlite://``: in memory. Options: ``?synchronous=full|normal|extra|off``
  and ``?busy_timeout=<milliseconds>``.
- ``postgresql://user@host:port/database`` (or ``postgres://``): any URL
  libpq accepts, e.g. ``postgresql:///journal?host=/run/postgresql`` for a
  Unix socket; needs ``pip install "betastate[postgres]"``.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable, Mapping

from betastate._rules.rulebook import Rulebook
from betastate._values.errors import InvalidType, JournalError
from betastate.journal._journal import Journal, Upcaster
from betastate.journal._recorder import Recorder


_SQLITE_OPTIONS = {"synchronous", "busy_timeout"}
_SYNCHRONOUS = ("off", "normal", "full", "extra")
_SCHEMES = "sqlite:///path/to/journal.db, sqlite:// (memory) or postgresql://user@host/database"


def open_journal(
    url: str,
    *,
    rulebook: Rulebook | str = "betagouv",
    upcasters: Mapping[str, Mapping[int, Upcaster]] | None = None,
    snapshot_every: int = 100,
    audit: bool = False,
    clock: Callable[[], dt.date] | None = None,
) -> Journal:
    """
    Open (or create) the journal at ``url``; the URL picks the engine.

    ``sqlite:///absolute/path.db``, ``sqlite:relative/path.db`` or
    ``sqlite://`` (memory) use the standard library's SQLite;
    ``postgresql://...`` needs the ``postgres`` extra (psycopg 3). See
    ``docs/journal.md`` for the options and what each engine guarantees.

    Args:
        url: Where the journal is.
        rulebook: The rules commands are decided under (a
            :class:`~betastate.Rulebook`, a built-in name or a TOML path).
        upcasters: Per event type, per stored schema version, the function
            that reads payloads of that version (schema evolution).
        snapshot_every: Events after which a stream gets a snapshot.
        audit: Audit every stream now; the findings are in
            :attr:`~betastate.journal.Journal.findings`.
        clock: What "today" is for its lifecycle (default: today in UTC): the
            date a running startup's state is read on, and the horizon of
            rule BS-HORIZON.

    Raises:
        JournalError: The URL is not one of these, the driver is missing or
            the database cannot be opened; the message says what to do.

    .. versionadded:: 0.1.0
    """
    _check_url(url)
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "sqlite":
        recorder: Recorder = _sqlite(url)
    elif scheme in {"postgresql", "postgres"}:
        recorder = _postgres(url)
    else:
        raise JournalError(redact(url), "not a journal URL", f"use {_SCHEMES}")
    try:
        journal = Journal(
            recorder,
            rulebook=rulebook,
            upcasters=upcasters,
            snapshot_every=snapshot_every,
            clock=clock,
        )
        if audit:
            journal.findings = journal.audit()
    except BaseException:
        recorder.close()
        raise
    return journal


def _check_url(url: object) -> None:
    if not isinstance(url, str):
        raise InvalidType(
            "",
            "url",
            url,
            "a journal URL is a string",
            "pass a URL such as 'sqlite:///journal.db'",
        )


def redact(url: str) -> str:
    """``url`` without its password."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url.split("@", 1)[-1]
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username or ""
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _sqlite(url: str) -> Recorder:
    from betastate.journal._sqlite import SqliteRecorder  # noqa: PLC0415  (sqlite3 loads only for SQLite URLs)

    rest = url[len("sqlite:") :]
    rest, _, query = rest.partition("?")
    options = urllib.parse.parse_qs(query, keep_blank_values=True, strict_parsing=False)
    unknown = set(options) - _SQLITE_OPTIONS
    if unknown:
        raise JournalError(
            url,
            f"unknown SQLite option {', '.join(sorted(unknown))}",
            "use synchronous=full|normal|extra|off or busy_timeout=<milliseconds>",
        )
    synchronous = options.get("synchronous", ["full"])[-1].lower()
    if synchronous not in _SYNCHRONOUS:
        raise JournalError(
            url, f"synchronous={synchronous!r} is not a SQLite setting", "use full, normal or extra"
        )
    timeout_text = options.get("busy_timeout", ["30000"])[-1]
    if not timeout_text.isdigit():
        raise JournalError(
            url,
            f"busy_timeout={timeout_text!r} is not a number of milliseconds",
            "write busy_timeout=30000",
        )
    if rest.startswith("//"):
        host, _, path = rest[2:].partition("/")
        if host:
            raise JournalError(
                url,
                f"a SQLite URL names no host (found {host!r})",
                "write sqlite:///absolute/path.db (three slashes) or sqlite:relative.db",
            )
        path = "/" + path if path else ""
    else:
        path = rest
    path = urllib.parse.unquote(path)
    memory = path in {"", ":memory:", "/:memory:"}
    return SqliteRecorder(
        url,
        None if memory else path,
        synchronous=synchronous,
        busy_timeout=int(timeout_text),
    )


def _postgres(url: str) -> Recorder:
    shown = redact(url)
    try:
        from betastate.journal._postgres import PostgresRecorder  # noqa: PLC0415  (psycopg is an extra)
    except ImportError as exc:
        raise JournalError(
            shown,
            f"a PostgreSQL journal needs psycopg 3, which is not installed ({exc})",
            'pip install "betastate[postgres]"',
        ) from None
    return PostgresRecorder(shown, url)
