"""
The exception tree (public as :mod:`betastate.exceptions`, which draws it).

It lives in the lowest layer so that every layer can raise its errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final

import attrs


if TYPE_CHECKING:
    from betastate._values.reasons import Reason


class BetastateError(Exception):
    """
    Root of betastate's exceptions: catch it to catch them all.

    .. versionadded:: 0.1.0
    """


class RulebookError(BetastateError, ValueError):
    """
    A rulebook file or override is invalid.

    Attributes:
        file: The file (or ``<builtin name>``, or ``derive()``) at fault.
        key: The TOML key path (``transitions[3].dest``).
        problem: What is wrong.
        fix: What to change.
        problems: Every error-level problem the checks found, the first one
            included (``betastate rules lint FILE`` lists them); empty when
            the error is about one key only.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, file: str, key: str, problem: str, fix: str, *, problems: Sequence[Any] = ()
    ) -> None:
        super().__init__(file, key, problem, fix)
        self.file = file
        self.key = key
        self.problem = problem
        self.fix = fix
        self.problems: tuple[Any, ...] = tuple(problems)

    def __str__(self) -> str:
        more = len(self.problems) - 1
        also = (
            f" ({more} more problem{'s' if more > 1 else ''}: betastate rules lint lists them)"
            if more > 0
            else ""
        )
        return f"{self.file}: {self.key}: {self.problem}. Fix: {self.fix}.{also}"


class TransitionRefused(BetastateError, ValueError):
    """
    A command was refused: it breaks one or more error rules.

    The startup is unchanged. ``reasons`` lists *every* broken rule, each with
    its rule id, a message and a fix.

    Attributes:
        slug: The startup's slug.
        command: The refused command.
        reasons: Every violated error rule.
        warnings: Warning rules that also fired.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        slug: str,
        command: Any,
        reasons: Sequence[Reason],
        warnings: Sequence[Reason] = (),
    ) -> None:
        super().__init__(slug, command, tuple(reasons))
        self.slug = slug
        self.command = command
        self.reasons: tuple[Reason, ...] = tuple(reasons)
        self.warnings: tuple[Reason, ...] = tuple(warnings)

    def __str__(self) -> str:
        plural = "s" if len(self.reasons) != 1 else ""
        lines = [
            (
                f"{type(self.command).__name__} refused for {self.slug!r} "
                f"({len(self.reasons)} reason{plural}):"
            )
        ]
        lines.extend(f"- {reason}" for reason in self.reasons)
        return "\n".join(lines)


_SHOWN: Final = 60
"""Characters of a bad value a message shows (a huge value must not make a huge message)."""


def show(value: object) -> str:
    """
    A short, safe ``repr`` of ``value`` for messages, with its type.

    Long values are cut, and an integer too large for ``repr`` (Python
    refuses more than a few thousand digits) is described by its size, so
    that building a message never fails nor grows with the input.
    """
    kind = type(value).__name__
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _BITS:
        return f"an int of {value.bit_length():,} bits"
    if isinstance(value, str | bytes) and len(value) > _SHOWN:
        text = repr(value[:_SHOWN]) + f"... ({len(value):,} characters)"
    else:
        try:
            text = repr(value)
        except Exception:  # noqa: BLE001  (a user object's repr may fail: say what it is)
            text = f"<{kind} object>"
        if len(text) > _SHOWN:
            text = text[:_SHOWN] + "..."
    if value is None:
        return text
    article = "an" if kind[:1].lower() in "aeiou" else "a"
    return f"{text} ({article} {kind})"


_BITS: Final = 200


class InvalidValue(BetastateError, ValueError):
    """
    A value given to a betastate class is not one it accepts.

    Raised when a value or a command is built: wrong types, money that is
    not exact, dates out of range, blank names. Nothing half-built escapes.

    Attributes:
        owner: The class being built (``Advance``), or ``""``.
        field: The attribute at fault (``on``), or ``""``; an item in it is
            written as Python would (``extra['a'][3]``).
        value: The value that was given.
        problem: What is wrong.
        fix: What to pass instead.
        path: Where the value is, as keys and indices (``("extra", "a", 3)``):
            what a JSON pointer to it is built from.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        owner: str,
        field: str,
        value: object,
        problem: str,
        fix: str,
        *,
        path: tuple[str | int, ...] | None = None,
    ) -> None:
        super().__init__(owner, field, value, problem, fix)
        self.owner = owner
        self.field = field
        self.value = value
        self.problem = problem
        self.fix = fix
        self.path = path if path is not None else ((field,) if field else ())

    def __str__(self) -> str:
        where = ".".join(part for part in (self.owner, self.field) if part)
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.problem}, got {show(self.value)}. Fix: {self.fix}."


class InvalidType(InvalidValue, TypeError):
    """
    A value of the wrong type: a :class:`InvalidValue` that is also a ``TypeError``.

    .. versionadded:: 0.1.0
    """


class DataFileError(BetastateError, ValueError):
    """
    A data file cannot be read as betastate expects.

    Attributes:
        file: Path of the file.
        line: 1-based line number, when known.
        problem: What is wrong.
        fix: What to change.

    .. versionadded:: 0.1.0
    """

    def __init__(self, file: str, line: int | None, problem: str, fix: str) -> None:
        super().__init__(file, line, problem, fix)
        self.file = file
        self.line = line
        self.problem = problem
        self.fix = fix

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.problem}. Fix: {self.fix}."


@attrs.frozen
class Problem:
    """
    One thing wrong in a document given to :func:`betastate.from_data`.

    Attributes:
        path: Where, as a JSON Pointer (RFC 6901) into the document: ``""``
            is the document itself, ``/history/3/on`` the date of its fourth
            event.
        message: What is wrong, with the value found.
        fix: What to write instead.

    .. versionadded:: 0.1.0
    """

    path: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path or '(the document)'}: {self.message}. Fix: {self.fix}."


MAX_PROBLEMS: Final = 100
"""How many problems :class:`InvalidData` lists at most (checking stops at the limit)."""


class InvalidData(BetastateError, ValueError):
    """
    Data does not describe the betastate value asked for (JSON in, values out).

    Raised by :func:`betastate.from_data` and by the HTTP service (a 422
    response carries the same problems). Files get a
    :class:`DataFileError` instead, naming the file, with this error as its
    cause.

    Attributes:
        kind: The name of the type asked for (``Command``, ``Startup``...).
        problems: Every problem found, each with its JSON Pointer, a message
            and a fix; the first :attr:`MAX_PROBLEMS` only, when there are
            more (a document of a million bad items is not worth a million
            messages, and checking stops there).
        truncated: Whether checking stopped at :attr:`MAX_PROBLEMS`.

    .. versionadded:: 0.1.0
    """

    MAX_PROBLEMS: ClassVar[int] = MAX_PROBLEMS
    """How many problems are listed at most (100)."""

    def __init__(self, kind: str, problems: Iterable[Problem], *, truncated: bool = False) -> None:
        self.kind = kind
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.truncated = truncated
        super().__init__(kind, self.problems)

    @property
    def fix(self) -> str:
        """What to do: fix each problem (``betastate schema TYPE`` prints the format)."""
        return f"fix each problem listed (betastate schema {self.kind} prints the expected format)"

    def __str__(self) -> str:
        count = len(self.problems)
        if self.truncated:
            counted = f"the first {count} problems; checking stopped there"
        else:
            counted = f"{count} problem{'s' if count != 1 else ''}"
        lines = [f"not a valid {self.kind} ({counted}):"]
        lines.extend(f"- {problem}" for problem in self.problems)
        return "\n".join(lines)


class InvalidArgument(InvalidValue):
    """
    A function was called with an argument value it cannot use.

    An :class:`InvalidValue` whose field is the function's parameter, so
    that one ``except InvalidValue`` catches every bad value given to
    betastate, whether built into a value or passed to a function.

    Attributes:
        argument: The parameter's name (``months``, ``start``...), also
            :attr:`field`.
        value: The value given.
        problem: What is wrong with it.
        fix: What to pass instead.

    .. versionadded:: 0.1.0
    """

    def __init__(self, argument: str, value: object, problem: str, fix: str) -> None:
        super().__init__("", argument, value, problem, fix)
        self.args = (argument, value, problem, fix)
        self.argument = argument

    def __str__(self) -> str:
        return f"{self.argument}={_short_repr(self.value)}: {self.problem}. Fix: {self.fix}."


def _short_repr(value: object) -> str:
    """``repr(value)``, cut like :func:`show` does, without the type."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _BITS:
        return f"<an int of {value.bit_length():,} bits>"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001  (a user object's repr may fail: say what it is)
        return f"<{type(value).__name__} object>"
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


class ConcurrencyConflict(BetastateError):
    """
    A journal's stream moved on from the version the caller expected.

    Raised by :meth:`betastate.journal.Journal.apply` when
    ``expected_version`` is not the stream's version (someone else wrote
    in between), and by :meth:`~betastate.journal.Journal.create` when the
    slug already has a stream (creating expects version 0). Nothing was
    written: read the startup again, decide again, retry.

    Attributes:
        slug: The startup's slug.
        expected: The version the caller expected.
        actual: The stream's version when the command was decided.

    .. versionadded:: 0.1.0
    """

    def __init__(self, slug: str, expected: int, actual: int) -> None:
        super().__init__(slug, expected, actual)
        self.slug = slug
        self.expected = expected
        self.actual = actual

    def __str__(self) -> str:
        return (
            f"{self.slug!r} is at version {self.actual}, not {self.expected} as expected: "
            "it changed since it was read. Fix: read it again, decide again and retry "
            f"with expected_version={self.actual}."
        )


class JournalError(BetastateError):
    """
    A journal cannot be opened, read or written as asked.

    A wrong URL, a missing driver, a database written by a newer betastate,
    a stored payload no upcaster can read, a command id reused for another
    command, a database error.

    Attributes:
        journal: The journal's URL (without its password).
        problem: What is wrong.
        fix: What to do.

    .. versionadded:: 0.1.0
    """

    def __init__(self, journal: str, problem: str, fix: str) -> None:
        super().__init__(journal, problem, fix)
        self.journal = journal
        self.problem = problem
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.journal}: {self.problem}. Fix: {self.fix}."


class UnknownStartup(JournalError, LookupError):
    """
    A journal has no stream for the slug asked for.

    Attributes:
        slug: The slug.

    .. versionadded:: 0.1.0
    """

    def __init__(self, journal: str, slug: str) -> None:
        super().__init__(
            journal,
            f"no startup {slug!r} in this journal",
            "check the slug (journal.slugs() lists them) or create it with journal.create(startup)",
        )
        self.slug = slug


attrs.resolve_types(Problem)
