"""
Money as exact values: amounts, funding sources and grants.

Amounts are ``Decimal`` euros, never floats, so every sum is exact.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal

import attrs


def to_money(value: Decimal | int | str) -> Decimal:
    """Money is exact: ints and strings become ``Decimal``; floats are refused."""
    if isinstance(value, bool | float):
        msg = (
            f"money must be exact: got {value!r} (a {type(value).__name__}); "
            "pass an int, a str such as '1234.56' or a decimal.Decimal."
        )
        raise TypeError(msg)
    if isinstance(value, int | str):
        try:
            return Decimal(value)
        except ArithmeticError as exc:
            msg = f"{value!r} is not an amount; pass digits such as '1234.56'."
            raise ValueError(msg) from exc
    return value


def optional_money(value: Decimal | int | str | None) -> Decimal | None:
    """:func:`to_money`, or ``None``."""
    return None if value is None else to_money(value)


def positive_money(value: Decimal | int | str) -> Decimal:
    """An amount above zero (grants, spending)."""
    amount = to_money(value)
    if not amount.is_finite() or amount <= 0:
        msg = f"a grant amount must be a positive number of euros, got {value!r}."
        raise ValueError(msg)
    return amount


def non_negative_money(value: Decimal | int | str) -> Decimal:
    """An amount of zero or more (a FAST co-financing may be zero)."""
    amount = to_money(value)
    if not amount.is_finite() or amount < 0:
        msg = f"an amount must be zero or more euros, got {value!r}."
        raise ValueError(msg)
    return amount


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
    return FundingSource(value)


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

    source: FundingSource = attrs.field(converter=_to_source)
    amount: Decimal = attrs.field(converter=positive_money)
    funder: str | None = None
    edition: int | None = None
    label: str = ""


def tuple_of_grants(value: Iterable[Grant]) -> tuple[Grant, ...]:
    """Grants as a tuple."""
    return tuple(value)
