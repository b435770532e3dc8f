"""
Money as exact values: amounts, funding sources and grants.

Amounts are ``Decimal`` euros, never floats, so every sum is exact.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final

import attrs

from betastate._values.errors import InvalidType, InvalidValue
from betastate._values.fields import (
    check_optional_name,
    check_text,
    fail_type,
    fail_value,
    member,
    optional_count,
    to_member,
    to_tuple,
    tuple_of,
)


MAX_AMOUNT: Final = Decimal(10**12)
"""Amounts are below a thousand billion euros: anything more is a typo or garbage."""

_CENT: Final = Decimal("0.01")
_CENT_EXPONENT: Final = -2
_MEASURE_STEP: Final = Decimal("0.000001")
_MEASURE_EXPONENT: Final = -6


def to_money(value: Decimal | int | str) -> Decimal:
    """
    Money is exact: ints and strings become ``Decimal``; floats are refused.

    Raises:
        InvalidType: A float, a bool or another type.
        InvalidValue: Text that is not a number.
    """
    if isinstance(value, bool | float):
        raise InvalidType(
            "",
            "",
            value,
            "money must be exact",
            "pass an int, a str such as '1234.56' or a decimal.Decimal",
        )
    if isinstance(value, int | str):
        try:
            return Decimal(value)
        except ArithmeticError:
            raise InvalidValue(
                "", "", value, "not an amount", "pass digits such as '1234.56'"
            ) from None
    if not isinstance(value, Decimal):
        raise InvalidType(
            "", "", value, "money must be exact", "pass an int, a str or a decimal.Decimal"
        )
    return value


def as_decimal(value: Any) -> Any:
    """
    ``value`` as a ``Decimal`` when it is an int or a numeric string, else unchanged.

    The field's validator refuses what is left (floats, bools, other types).
    """
    if value.__class__ is Decimal or value is None:
        return value
    if (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def as_amount(value: Decimal | int | str) -> Decimal:
    """:func:`as_decimal`, typed for a field of money (a converter)."""
    return as_decimal(value)  # type: ignore[no-any-return]


def as_optional_amount(value: Decimal | int | str | None) -> Decimal | None:
    """:func:`as_decimal`, typed for an optional field of money (a converter)."""
    return as_decimal(value)  # type: ignore[no-any-return]


def _decimal(inst: object, attribute: attrs.Attribute[Any], value: Any) -> Decimal:
    if value.__class__ is not Decimal and not isinstance(value, Decimal):
        if isinstance(value, str):
            fail_value(inst, attribute, value, "not an amount", "pass digits such as '1234.56'")
        fail_type(
            inst,
            attribute,
            value,
            "money must be exact",
            "pass an int, a str such as '1234.56' or a decimal.Decimal",
        )
    if not value.is_finite():
        fail_value(inst, attribute, value, "not a finite amount", "pass a number of euros")
    return value


def _bounded(inst: object, attribute: attrs.Attribute[Any], value: Decimal, low: Decimal) -> None:
    if value < low or value >= MAX_AMOUNT:
        sign = "positive (above zero)" if low > 0 else "zero or more"
        fail_value(
            inst,
            attribute,
            value,
            f"an amount must be {sign} and below {MAX_AMOUNT:,} euros",
            "pass the amount in euros",
        )


def _finer(value: Decimal, exponent: int, step: Decimal) -> bool:
    """Whether a finite ``value`` has more decimal places than ``step`` (``1.500`` has 1)."""
    written = value.as_tuple().exponent
    return isinstance(written, int) and written < exponent and value != value.quantize(step)


def _cents(inst: object, attribute: attrs.Attribute[Any], value: Decimal) -> None:
    if _finer(value, _CENT_EXPONENT, _CENT):
        fail_value(
            inst, attribute, value, "euros have at most 2 decimal places", "round to the cent"
        )


_SMALLEST: Final = Decimal("0.01")
_ZERO: Final = Decimal(0)


def check_amount(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An amount of euros: exact, finite, to the cent, zero or more, below :data:`MAX_AMOUNT`."""
    amount = _decimal(inst, attribute, value)
    _bounded(inst, attribute, amount, _ZERO)
    _cents(inst, attribute, amount)


def check_positive_amount(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """:func:`check_amount`, above zero (grants, spending)."""
    amount = _decimal(inst, attribute, value)
    _bounded(inst, attribute, amount, _SMALLEST)
    _cents(inst, attribute, amount)


def check_optional_amount(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """``None`` or :func:`check_amount`."""
    if value is not None:
        check_amount(inst, attribute, value)


def check_optional_measure(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """
    ``None`` or a reading: exact, finite, zero or more, below :data:`MAX_AMOUNT`.

    Readings (a score, euros per use) may be finer than the cent: up to six
    decimal places.
    """
    if value is None:
        return
    reading = _decimal(inst, attribute, value)
    if reading < 0 or reading >= MAX_AMOUNT:
        fail_value(
            inst,
            attribute,
            value,
            f"a reading must be zero or more and below {MAX_AMOUNT:,}",
            "pass the reading as reported",
        )
    if _finer(reading, _MEASURE_EXPONENT, _MEASURE_STEP):
        fail_value(inst, attribute, value, "at most 6 decimal places", "round the reading")


def check_optional_rate(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """``None`` or a rate from 0 to 1 (a satisfaction rate), up to six decimal places."""
    check_optional_measure(inst, attribute, value)
    if value is not None and value > 1:
        fail_value(inst, attribute, value, "a rate lies from 0 to 1", "pass 0.85 for 85 %")


class FundingSource(enum.StrEnum):
    """
    Who pays (brief §7.2).

    .. versionadded:: 0.1.0
    """

    SPONSOR = "sponsor"
    DINUM = "dinum"
    FAST = "fast"
    OTHER = "other"


def _to_source(value: FundingSource | str) -> FundingSource:
    return to_member(FundingSource, value)  # type: ignore[no-any-return]


@attrs.frozen(kw_only=True)
class Grant:
    """
    Money granted for a period by one funder.

    Attributes:
        source: Sponsoring administration, DINUM, FAST or other.
        amount: Euros (exact).
        funder: Organisation id of the funder, if known (several sponsors
            co-fund with one grant each).
        edition: FAST edition, for a FAST co-financing.
        label: Free text (convention number...).

    .. versionadded:: 0.1.0
    """

    source: FundingSource = attrs.field(converter=_to_source, validator=member(FundingSource))
    amount: Decimal = attrs.field(converter=as_amount, validator=check_positive_amount)
    funder: str | None = attrs.field(default=None, validator=check_optional_name)
    edition: int | None = attrs.field(default=None, validator=optional_count(1))
    label: str = attrs.field(default="", validator=check_text)


def tuple_of_grants(value: Iterable[Grant]) -> tuple[Grant, ...]:
    """Grants as a tuple."""
    return tuple(value)


def as_grants(value: Iterable[Grant]) -> tuple[Grant, ...]:
    """Grants as a tuple, or ``value`` unchanged for :data:`check_grants` to refuse."""
    return to_tuple(value)  # type: ignore[no-any-return]


check_grants = tuple_of(Grant)
"""Validator of a field of grants."""
