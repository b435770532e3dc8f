"""
``serve``: the HTTP service in uvicorn, with one or more worker processes.

Workers are separate processes, so each opens its own journal: the
application is made by a factory that reads the journal URL and the keys
file from the environment uvicorn's workers inherit.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Final

from betastate._values.errors import InvalidArgument
from betastate.journal import open_journal
from betastate.journal._open import redact
from betastate.server._app import create_app
from betastate.server._keys import Keys


_MEMORY: Final = frozenset({"sqlite:", "sqlite://", "sqlite::memory:", "sqlite:///:memory:"})
URL: Final = "BETASTATE_SERVE_URL"
KEYS: Final = "BETASTATE_SERVE_KEYS"


def app_from_environment() -> Any:
    """The application of ``betastate serve``: the factory each uvicorn worker calls."""
    journal = open_journal(os.environ[URL])
    try:
        return create_app(journal, keys=Keys.load(os.environ[KEYS]), close_journal=True)
    except BaseException:
        journal.close()
        raise


def log_config() -> dict[str, Any]:
    """Uvicorn's logging, with betastate's logger on the same handler."""
    from uvicorn.config import LOGGING_CONFIG  # noqa: PLC0415  (an extra)

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["betastate"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(
    url: str,
    *,
    keys: str | os.PathLike[str],
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
) -> None:
    """
    Serve the journal at ``url`` over HTTP until interrupted (uvicorn).

    Args:
        url: The journal (see :func:`betastate.open_journal`); each worker opens it.
        keys: The keys file (see :func:`add_key`).
        host: The address to listen on (``127.0.0.1``: this machine only).
        port: The port.
        workers: Worker processes (a SQLite file or PostgreSQL journal; not memory).

    Raises:
        InvalidArgument: Several workers on a journal in memory, or no keys file.
        DataFileError: The keys file is not one.
        JournalError: The journal cannot be opened.

    .. versionadded:: 0.1.0
    """
    import uvicorn  # noqa: PLC0415  (an extra)

    count: object = workers
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InvalidArgument("workers", workers, "not a number of processes", "pass 1 or more")
    if workers > 1 and url.lower().split("?", 1)[0] in _MEMORY:
        raise InvalidArgument(
            "workers", workers, "each worker would have its own journal in memory", "use a file"
        )
    path = Path(keys)
    if not path.is_file():
        raise InvalidArgument(
            "keys",
            str(path),
            "no such keys file",
            f"create it: betastate serve --keys {path} --add-key ROLE",
        )
    Keys.load(path)  # fail now, in the parent, rather than in every worker
    open_journal(url).close()  # likewise: the URL opens (and its tables exist)
    os.environ[URL] = url
    os.environ[KEYS] = str(path.resolve())
    print(f"betastate: serving {redact(url)} on http://{host}:{port} ({workers} worker(s))")  # noqa: T201
    uvicorn.run(
        "betastate.server._run:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=log_config(),
    )
