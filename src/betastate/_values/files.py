"""
Reading a whole file safely: a regular file only, never blocking, never past a size limit.

The one reader of the rulebook loader and the data readers (each turns the
refusals below into its own error, naming its file). It lives in the lowest
layer so that both can use it.
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, Final


if TYPE_CHECKING:
    from pathlib import Path


class NotRegularFile(Exception):
    """The path is not a regular file; ``kind`` says what it is ("a FIFO (named pipe)")."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class FileTooBig(Exception):
    """The file holds more than the limit (checked before reading, and after)."""


_KINDS: Final = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def kind_of(mode: int) -> str:
    """What a file of ``mode`` that is not a regular file is, for a message."""
    return next((kind for test, kind in _KINDS if test(mode)), "a special file")


_FLAGS: Final = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_CHUNK: Final = 1 << 16


def read_bounded(path: Path, max_bytes: int) -> bytes:
    """
    The bytes of ``path``, if it is a regular file of at most ``max_bytes``.

    Opened without blocking and checked on the open descriptor, so that a
    FIFO or a device (or one swapped in after a check of the path) can
    neither hang the reader nor be read. The size is checked before
    reading: a file far over the limit is never read.

    Raises:
        NotRegularFile: A folder, FIFO, socket or device.
        FileTooBig: Over ``max_bytes``, or grown over it while read.
        OSError: The file cannot be opened or read.
    """
    # Plain descriptors (no file object): this runs once per file of a checkout.
    fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(kind_of(info.st_mode))
        if info.st_size > max_bytes:
            raise FileTooBig
        raw = _read_all(fd, info.st_size, max_bytes)
    finally:
        os.close(fd)
    if len(raw) > max_bytes:  # it grew since fstat
        raise FileTooBig
    return raw


def _read_all(fd: int, size: int, max_bytes: int) -> bytes:
    """
    The bytes of the open file ``fd`` of ``size`` bytes, up to just over ``max_bytes``.

    A file that grows while it is read is read until its end or the limit.
    """
    first = os.read(fd, size + 1)
    if len(first) <= size:  # a regular file reads short only at its end: nothing grew
        return first
    chunks = [first]
    total = len(first)
    while chunks[-1] and total <= max_bytes:
        chunks.append(os.read(fd, max(size, _CHUNK)))
        total += len(chunks[-1])
    return b"".join(chunks)
