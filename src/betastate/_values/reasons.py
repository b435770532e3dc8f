"""What breaks a rule: severities, reasons given to a command, findings made in data."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from betastate._values.errors import InvalidArgument
from betastate._values.fields import freeze_mapping
from betastate._values.texts import LANGUAGES, TEXTS, Lang, render


class Severity(enum.StrEnum):
    """
    How much a broken rule matters: an ``error`` refuses, a ``warning`` informs.

    ``off`` disables a rule in a derived rulebook.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OFF = "off"


@attrs.frozen
class Reason:
    """
    One rule a command or a history breaks, for a person and for a program.

    ``message`` and ``fix`` are plain words in one language; ``field``,
    ``values`` and ``text`` let a program point at the field concerned,
    read the numbers and dates involved, and show the reason again in
    another language (:meth:`translated`).

    Attributes:
        rule: The rule id in the rulebook (``BR-08``, ``N4``, ``BS-CHRONO``...).
        severity: ``error`` refuses, ``warning`` informs.
        message: What is wrong, naming the startup, phases, dates and values.
        fix: What would make it pass, in plain words.
        source: The source key the rule cites (``D-SPONSOR``...).
        field: The command field concerned, as a JSON Pointer (``/amount``,
            ``/post_mortem``), or ``None`` when the whole command is.
        values: The numbers, dates and names involved (limit, actual, due
            date...), as JSON-safe data: dates ISO, amounts as digits.
        hint: For developers: how to pass what is missing in Python.
        text: The key of the text ``message`` and ``fix`` were written from
            (``None`` for a gate's own words).
        lang: The language of ``message`` and ``fix``.

    .. versionchanged:: 0.1.0
       ``field``, ``values``, ``hint``, ``text`` and ``lang``.
    """

    rule: str
    severity: Severity
    message: str
    fix: str
    source: str = ""
    field: str | None = None
    values: Mapping[str, Any] = attrs.field(factory=dict, converter=freeze_mapping, hash=False)
    hint: str | None = None
    text: str | None = None
    lang: str = "en"

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message} Fix: {self.fix}"

    def translated(self, lang: Lang) -> Reason:
        """
        The reason in ``lang`` (``"en"`` or ``"fr"``); a gate's own words stay as written.

        Raises:
            InvalidArgument: ``lang`` is not a language of betastate's texts.
        """
        if lang not in LANGUAGES:
            raise InvalidArgument(
                "lang", lang, "not a language of betastate's texts", "use 'en' or 'fr'"
            )
        if self.text is None or self.text not in TEXTS or lang == self.lang:
            return self
        message, fix = render(self.text, lang, self.values)
        return attrs.evolve(self, message=message, fix=fix, lang=lang)


def _tuple_of_dates(value: Iterable[dt.date]) -> tuple[dt.date, ...]:
    return tuple(value)


@attrs.frozen
class Finding:
    """
    A deviation import found in the data: nothing is dropped or "fixed".

    Attributes:
        code: Stable code (``same-day-phases``, ``N8``...).
        severity: ``error`` (strict mode refuses it) or ``warning``/``info``.
        slug: The startup concerned, if any.
        message: What was found, with values.
        file: The file it was found in.
        line: 1-based line in that file, when known.
        dates: Dates involved.

    .. versionadded:: 0.1.0
    """

    code: str
    severity: Severity
    slug: str | None
    message: str
    file: str | None = None
    line: int | None = None
    dates: tuple[dt.date, ...] = attrs.field(default=(), converter=_tuple_of_dates)
