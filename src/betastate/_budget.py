"""
Money: grants, envelopes per period, and the ledger a history folds into.

A committee deciding *continue* or *provisional* (or a takeover) opens an
envelope for a period; grants (sponsors, DINUM, FAST, others) add to it;
spending is charged to the envelope of the period it falls in. Amounts are
``Decimal`` euros, never floats, so every sum is exact.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from ._model import _to_money


if TYPE_CHECKING:
    from ._events import Event


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


def _positive_money(value: Decimal | int | str) -> Decimal:
    amount = _to_money(value)
    if not amount.is_finite() or amount <= 0:
        msg = f"a grant amount must be a positive number of euros, got {value!r}."
        raise ValueError(msg)
    return amount


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
    amount: Decimal = attrs.field(converter=_positive_money)
    funder: str | None = None
    edition: int | None = None
    label: str = ""


def _tuple_of_grants(value: Iterable[Grant]) -> tuple[Grant, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Envelope:
    """
    The money of one period, as known on a date.

    Attributes:
        start: First day of the period.
        end: Day after its last day (periods are half-open ``[start, end)``).
        provisional: Whether a provisional decision opened it (1 to 2 months).
        opened_on: Date of the decision that opened it.
        grants: Grants for the period, in recorded order.
        spent: Euros charged to it so far.

    .. versionadded:: 0.1.0
    """

    start: dt.date
    end: dt.date
    provisional: bool = False
    opened_on: dt.date
    grants: tuple[Grant, ...] = attrs.field(default=(), converter=_tuple_of_grants)
    spent: Decimal = Decimal(0)

    @property
    def granted(self) -> Decimal:
        """Total granted for the period."""
        return sum((grant.amount for grant in self.grants), Decimal(0))

    @property
    def remaining(self) -> Decimal:
        """Granted minus spent."""
        return self.granted - self.spent

    def by_source(self) -> dict[FundingSource, Decimal]:
        """Granted per funding source."""
        totals: dict[FundingSource, Decimal] = {}
        for grant in self.grants:
            totals[grant.source] = totals.get(grant.source, Decimal(0)) + grant.amount
        return totals

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` falls in the period."""
        return self.start <= day < self.end

    def exhaustion(self, on: dt.date) -> dt.date:
        """
        When the envelope runs out, projected on ``on``.

        Spending so far is extrapolated linearly from the period's start;
        the envelope ends with its period at the latest.
        """
        if on < self.start or self.spent <= 0:
            return self.end
        if self.remaining <= 0:
            return on
        elapsed = (min(on, self.end) - self.start).days + 1
        days_left = int(self.remaining * elapsed / self.spent)
        try:
            projected = on + dt.timedelta(days=days_left)
        except OverflowError:
            return self.end
        return min(projected, self.end)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the day clamped to the month's end)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@attrs.define
class _Open:
    start: dt.date
    end: dt.date
    provisional: bool
    opened_on: dt.date
    grants: list[Grant]
    spent: Decimal


@attrs.frozen
class Ledger:
    """
    Every envelope of a history, and spending no envelope covered.

    Attributes:
        envelopes: Envelopes in the order they were opened.
        unallocated: Spending recorded outside any envelope (imported data).
    """

    envelopes: tuple[Envelope, ...] = ()
    unallocated: Decimal = Decimal(0)

    def covering(self, day: dt.date) -> Envelope | None:
        """The envelope whose period contains ``day``, if any."""
        for envelope in reversed(self.envelopes):
            if envelope.covers(day):
                return envelope
        return None

    def upcoming(self, day: dt.date) -> Envelope | None:
        """The first envelope starting after ``day``, if any."""
        later = [e for e in self.envelopes if e.start > day]
        return min(later, key=lambda e: e.start) if later else None

    def last_end(self) -> dt.date | None:
        """End of the latest period."""
        return max((e.end for e in self.envelopes), default=None)

    @property
    def granted(self) -> Decimal:
        """Total granted over every period."""
        return sum((e.granted for e in self.envelopes), Decimal(0))

    @property
    def spent(self) -> Decimal:
        """Total spent, in an envelope or not."""
        return sum((e.spent for e in self.envelopes), self.unallocated)


def next_period_start(ledger: Ledger, on: dt.date) -> dt.date:
    """Where a period decided on ``on`` starts: when the funded time running then ends."""
    return max([on, *(e.end for e in ledger.envelopes if e.end > on)])


def fold(events: Iterable[Event]) -> Ledger:  # noqa: C901  (one branch per event kind)
    """The ledger a history describes (events in recorded order)."""
    from ._events import CommitteeHeld, FundsGranted, Spent, Stopped, TakenOver  # noqa: PLC0415

    opened: list[_Open] = []
    unallocated = Decimal(0)

    def covering(day: dt.date) -> _Open | None:
        for envelope in reversed(opened):
            if envelope.start <= day < envelope.end:
                return envelope
        return None

    for event in events:
        # Spending is by far the most frequent event: test it first.
        if isinstance(event, Spent):
            target = covering(event.on)
            if target is None:
                unallocated += event.amount
            else:
                target.spent += event.amount
        elif isinstance(event, CommitteeHeld) and event.period_start and event.period_end:
            opened.append(
                _Open(
                    event.period_start,
                    event.period_end,
                    event.decision == "provisional",
                    event.on,
                    list(event.grants),
                    Decimal(0),
                )
            )
        elif isinstance(event, TakenOver) and event.period_start and event.period_end:
            running = covering(event.on)
            if running is not None:
                running.end = max(running.start, event.on)
            opened.append(
                _Open(
                    event.period_start,
                    event.period_end,
                    False,  # noqa: FBT003  (positional attrs field)
                    event.on,
                    list(event.grants),
                    Decimal(0),
                )
            )
        elif isinstance(event, FundsGranted):
            target = next((e for e in opened if e.start == event.period_start), None) or covering(
                event.on
            )
            if target is not None:
                target.grants.extend(event.grants)
        elif isinstance(event, Stopped) and event.procedure is not None:
            # A final stop closes the running period and any later one.
            for envelope in opened:
                if envelope.end > event.on:
                    envelope.end = max(envelope.start, event.on)
    return Ledger(
        envelopes=tuple(
            Envelope(
                start=e.start,
                end=e.end,
                provisional=e.provisional,
                opened_on=e.opened_on,
                grants=tuple(e.grants),
                spent=e.spent,
            )
            for e in opened
        ),
        unallocated=unallocated,
    )
