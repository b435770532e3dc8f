"""
API keys: a file of hashed keys, each mapped to an actor with a role.

A key is ``bsk_<id>_<secret>``: the id (8 hex digits) names its entry in
the file, the secret is 32 random bytes (URL-safe base64). The file keeps
only the SHA-256 of the whole key, so reading it gives no key away; a key
is random enough that a fast hash is the right one (passwords need slow
hashes because people choose them; nobody chooses these). Keys are compared
in constant time (``hmac.compare_digest`` on the digests), and an unknown id
is compared against a dummy digest so that it takes the same time.

The file is TOML, one ``[[key]]`` table per key::

    [[key]]
    id = "3f9a1c2e"
    sha256 = "<64 hex digits>"
    role = "sponsor"
    name = "Direction du numérique"        # optional
    organisation = "/organisations/dinum"  # optional
    added = "2025-03-10"                   # optional, informative

``betastate serve --keys FILE --add-key ROLE`` appends one and prints the
key, once. Delete a table to revoke its key (and restart the server).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from betastate._values.actors import ROLE_PATTERN, Actor, Role
from betastate._values.errors import DataFileError, InvalidArgument


PREFIX: Final = "bsk"
_ID: Final = re.compile(r"^[0-9a-f]{8}$")
_DIGEST: Final = re.compile(r"^[0-9a-f]{64}$")
_KEY: Final = re.compile(r"^bsk_([0-9a-f]{8})_[A-Za-z0-9_-]{43}$")
_DUMMY: Final = hashlib.sha256(b"betastate: no such key").hexdigest()
_FIELDS: Final = frozenset({"id", "sha256", "role", "name", "organisation", "added"})
_HEADER: Final = """\
# betastate API keys (betastate serve URL --keys FILE). Only each key's SHA-256 is kept:
# a lost key cannot be recovered, add a new one with
#   betastate serve --keys FILE --add-key ROLE [--name NAME] [--organisation ID]
# Delete a [[key]] table to revoke its key, then restart the server.
"""


def digest(key: str) -> str:
    """The SHA-256 of a key, in hex (what the file keeps)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@attrs.frozen
class ApiKey:
    """
    One key of a keys file: its id, its digest and the actor it acts as.

    Attributes:
        id: The key's public id (8 hex digits, also inside the key).
        sha256: The SHA-256 of the whole key, in hex.
        actor: Who the key acts as: every command sent with it is this actor's.
        added: When it was added (informative).

    .. versionadded:: 0.1.0
    """

    id: str
    sha256: str = attrs.field(repr=False)
    actor: Actor
    added: str = ""


def _tuple_of_keys(value: Iterable[ApiKey]) -> tuple[ApiKey, ...]:
    return tuple(value)


@attrs.frozen
class Keys:
    """
    The API keys a server accepts, by id.

    Load them with :meth:`Keys.load`; :func:`add_key` adds one to a file.

    Attributes:
        keys: Every key, in file order.

    .. versionadded:: 0.1.0
    """

    keys: tuple[ApiKey, ...] = attrs.field(converter=_tuple_of_keys)
    _by_id: Mapping[str, ApiKey] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {key.id: key for key in self.keys})

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Keys:
        """
        The keys of a keys file.

        Raises:
            DataFileError: The file is missing, not TOML, or an entry is
                wrong (the message names the entry and the fix).
        """
        import tomllib  # noqa: PLC0415  (import time)

        file = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataFileError(file, None, f"cannot read the keys file ({exc})", _ADD) from None
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise DataFileError(file, None, f"not TOML: {exc}", "fix the syntax") from None
        unknown = set(document) - {"key"}
        if unknown:
            raise DataFileError(
                file, None, f"unknown table(s) {', '.join(sorted(unknown))}", "keep [[key]] tables"
            )
        entries = document.get("key", [])
        if not isinstance(entries, list):
            raise DataFileError(file, None, "key must be an array of tables", "write [[key]]")
        keys = [_entry(file, index, entry) for index, entry in enumerate(entries)]
        seen: set[str] = set()
        for index, key in enumerate(keys):
            if key.id in seen:
                raise DataFileError(
                    file, None, f"key[{index}]: id {key.id!r} appears twice", "keep one per id"
                )
            seen.add(key.id)
        return cls(keys)

    def authenticate(self, key: str) -> ApiKey | None:
        """The entry of ``key``, or ``None`` (compared in constant time)."""
        match = _KEY.match(key)
        entry = self._by_id.get(match.group(1)) if match else None
        expected = entry.sha256 if entry is not None else _DUMMY
        same = hmac.compare_digest(digest(key), expected)
        return entry if same and entry is not None else None

    def __len__(self) -> int:
        return len(self.keys)


_ADD: Final = "create it with: betastate serve --keys FILE --add-key ROLE"


def _entry(file: str, index: int, entry: Any) -> ApiKey:
    where = f"key[{index}]"
    if not isinstance(entry, dict):
        raise DataFileError(file, None, f"{where} is not a table", "write it as [[key]]")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise DataFileError(
            file,
            None,
            f"{where}: unknown field(s) {', '.join(sorted(unknown))}",
            f"use {', '.join(sorted(_FIELDS))}",
        )
    for name in ("id", "sha256", "role"):
        if not isinstance(entry.get(name), str):
            raise DataFileError(file, None, f"{where}: {name} is missing or not text", _ADD)
    if not _ID.match(entry["id"]):
        raise DataFileError(file, None, f"{where}: id is not 8 hex digits", _ADD)
    if not _DIGEST.match(entry["sha256"]):
        raise DataFileError(file, None, f"{where}: sha256 is not 64 hex digits", _ADD)
    if ROLE_PATTERN.fullmatch(entry["role"]) is None:
        raise DataFileError(
            file,
            None,
            f"{where}: {entry['role']!r} is not a role name",
            "write a role of the rulebook, such as sponsor or investment-committee",
        )
    for name in ("name", "organisation", "added"):
        if name in entry and not isinstance(entry[name], str):
            raise DataFileError(file, None, f"{where}: {name} is not text", "quote it")
    actor = Actor(
        role=entry["role"], name=entry.get("name"), organisation=entry.get("organisation")
    )
    return ApiKey(entry["id"], entry["sha256"], actor, entry.get("added", ""))


def new_key(actor: Actor, existing: Iterable[str] = ()) -> tuple[str, ApiKey]:
    """A fresh key for ``actor`` (an id not in ``existing``) and its file entry."""
    taken = set(existing)
    while True:
        identifier = secrets.token_hex(4)
        if identifier not in taken:
            break
    key = f"{PREFIX}_{identifier}_{secrets.token_urlsafe(32)}"
    today = dt.datetime.now(dt.UTC).date().isoformat()
    return key, ApiKey(identifier, digest(key), actor, today)


def add_key(path: str | os.PathLike[str], actor: Actor | Role | str) -> str:
    """
    Add a key for ``actor`` to the keys file at ``path`` (created if need be).

    Returns:
        The key. It is shown once: the file keeps only its SHA-256.

    Raises:
        DataFileError: The file exists but is not a keys file.
        InvalidArgument: ``actor`` is not an actor or a role.

    .. versionadded:: 0.1.0
    """
    if not isinstance(actor, Actor):
        try:
            actor = Actor(role=actor)
        except (TypeError, ValueError):
            raise InvalidArgument(
                "actor",
                actor,
                "not an actor or a role name",
                "pass a role of the rulebook (sponsor, coach...) or a betastate.Actor",
            ) from None
    file = Path(path)
    existing = Keys.load(file) if file.exists() else Keys(())
    key, entry = new_key(actor, (k.id for k in existing.keys))
    lines = ["", "[[key]]"]
    fields = {
        "id": entry.id,
        "sha256": entry.sha256,
        "role": actor.role,
        "name": actor.name,
        "organisation": actor.organisation,
        "added": entry.added,
    }
    # A JSON string is a TOML basic string (the same escapes).
    lines += [
        f"{name} = {json.dumps(value, ensure_ascii=False)}"
        for name, value in fields.items()
        if value is not None
    ]
    text = ("" if file.exists() else _HEADER) + "\n".join(lines) + "\n"
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    descriptor = os.open(file, flags, 0o600)  # readable by its owner only
    with os.fdopen(descriptor, "a", encoding="utf-8") as stream:
        stream.write(text)
    return key
