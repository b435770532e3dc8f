"""What breaks a rule: severities, reasons given to a command, findings made in data."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from betastate._values.errors import InvalidArgument
from betastate._values.fields import (
    check_dates,
    check_free,
    check_name,
    check_optional_text,
    check_text,
    freeze_mapping,
    member,
    optional_count,
    to_member,
    to_tuple,
)
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


def _to_severity(value: Severity | str) -> Severity:
    return to_member(Severity, value)  # type: ignore[no-any-return]


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

    rule: str = attrs.field(validator=check_name)
    severity: Severity = attrs.field(converter=_to_severity, validator=member(Severity))
    message: str = attrs.field(validator=check_text)
    fix: str = attrs.field(validator=check_text)
    source: str = attrs.field(default="", validator=check_text)
    field: str | None = attrs.field(default=None, validator=check_optional_text)
    values: Mapping[str, Any] = attrs.field(
        factory=dict, converter=freeze_mapping, validator=check_free, hash=False
    )
    hint: str | None = attrs.field(default=None, validator=check_optional_text)
    text: str | None = attrs.field(default=None, validator=check_optional_text)
    lang: str = attrs.field(default="en", validator=check_name)

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
    return to_tuple(value)  # type: ignore[no-any-return]


_FINDING_CHECKS: Final = (
    ("code", check_name),
    ("severity", member(Severity)),
    ("slug", check_optional_text),
    ("message", check_text),
    ("file", check_optional_text),
    ("line", optional_count(1)),
    ("dates", check_dates),
)


def _check_finding(finding: Any, _attribute: attrs.Attribute[Any], dates: Any) -> None:
    """Every field of a finding: one fast pass, then each field's own check to say what is wrong."""
    code, slug, file, line = finding.code, finding.slug, finding.file, finding.line
    if (
        code.__class__ is str
        and code
        and not code.isspace()
        and finding.severity.__class__ is Severity
        and (slug is None or slug.__class__ is str)
        and finding.message.__class__ is str
        and (file is None or file.__class__ is str)
        and (line is None or (line.__class__ is int and line >= 1))
        and dates.__class__ is tuple
        and _all_dates(dates)
    ):
        return
    fields = attrs.fields_dict(type(finding))
    for name, check in _FINDING_CHECKS:
        check(finding, fields[name], getattr(finding, name))


def _all_dates(dates: tuple[Any, ...]) -> bool:
    for day in dates:  # noqa: SIM110  (a loop costs less than all() on one or two dates)
        if day.__class__ is not dt.date:
            return False
    return True


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

    # Loading the snapshot builds thousands of findings: one validator, on the last
    # field, checks them all at once (see _check_finding).
    code: str
    severity: Severity = attrs.field(converter=_to_severity)
    slug: str | None
    message: str
    file: str | None = None
    line: int | None = None
    dates: tuple[dt.date, ...] = attrs.field(
        default=(), converter=_tuple_of_dates, validator=_check_finding
    )
