"""
The ledger a history folds into: envelopes per period and what was spent.

A committee deciding *continue* or *provisional* (or a takeover) opens an
envelope for a period; grants (sponsors, DINUM, FAST, others) add to it;
spending is charged to the envelope of the period it falls in. Amounts are
``Decimal`` euros, never floats, so every sum is exact.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from betastate._values.money import FundingSource, Grant, tuple_of_grants


if TYPE_CHECKING:
    from betastate._values.events import (
        CommitteeHeld,
        Event,
        FundsGranted,
        Spent,
        Stopped,
        TakenOver,
    )


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
    grants: tuple[Grant, ...] = attrs.field(default=(), converter=tuple_of_grants)
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


class Folder:
    """
    The ledger being folded, event by event.

    It holds the envelopes as immutable values and replaces the one an event
    changes, so that a copy (the engine copies the folder of a startup for
    the startup a command derives from it) and the ledger it describes cost
    the same whatever the length of the history.
    """

    __slots__ = ("envelopes", "granted", "latest", "spent", "unallocated")

    def __init__(self) -> None:
        self.envelopes: tuple[Envelope, ...] = ()
        self.unallocated = Decimal(0)
        self.granted = Decimal(0)
        """Granted over every period (the ledger's ``granted``, kept as events come)."""
        self.spent = Decimal(0)
        """Spent, in an envelope or not (the ledger's ``spent``)."""
        self.latest: int | None = None
        """Index of the first envelope with the latest end."""

    def copy(self) -> Folder:
        """An independent folder in the same state."""
        twin = Folder()
        twin.envelopes = self.envelopes
        twin.unallocated = self.unallocated
        twin.granted = self.granted
        twin.spent = self.spent
        twin.latest = self.latest
        return twin

    def latest_ending(self) -> Envelope | None:
        """The envelope whose period ends last (the first of them on a tie)."""
        return None if self.latest is None else self.envelopes[self.latest]

    def covering(self, day: dt.date) -> Envelope | None:
        """The latest-opened envelope whose period holds ``day``, if any."""
        index = self._covering(day)
        return None if index is None else self.envelopes[index]

    def _covering(self, day: dt.date) -> int | None:
        """Index of the latest-opened envelope whose period holds ``day``."""
        for index in range(len(self.envelopes) - 1, -1, -1):
            if self.envelopes[index].covers(day):
                return index
        return None

    def _replace(self, index: int, **changes: Any) -> None:
        envelopes = self.envelopes
        self.envelopes = (
            *envelopes[:index],
            attrs.evolve(envelopes[index], **changes),
            *envelopes[index + 1 :],
        )
        if "end" in changes:  # rare (a stop, a takeover): find the latest end again
            ends = [e.end for e in self.envelopes]
            self.latest = ends.index(max(ends))

    def feed(self, event: Event) -> None:
        """Apply one event (events that move no money change nothing)."""
        method = _FEEDS.get(type(event).__name__)
        if method is not None:
            method(self, event)

    def _spent(self, event: Spent) -> None:
        self.spent += event.amount
        target = self._covering(event.on)
        if target is None:
            self.unallocated += event.amount
        else:
            self._replace(target, spent=self.envelopes[target].spent + event.amount)

    def _committee(self, event: CommitteeHeld) -> None:
        if event.period_start and event.period_end:
            provisional = event.decision == "provisional"
            self._open(event.period_start, event.period_end, event.on, event.grants, provisional)

    def _taken_over(self, event: TakenOver) -> None:
        if event.period_start and event.period_end:
            running = self._covering(event.on)
            if running is not None:
                self._replace(running, end=max(self.envelopes[running].start, event.on))
            self._open(event.period_start, event.period_end, event.on, event.grants, False)  # noqa: FBT003

    def _granted(self, event: FundsGranted) -> None:
        target = next(
            (i for i, e in enumerate(self.envelopes) if e.start == event.period_start), None
        )
        if target is None:
            target = self._covering(event.on)
        if target is not None:
            self.granted += sum((grant.amount for grant in event.grants), Decimal(0))
            self._replace(target, grants=(*self.envelopes[target].grants, *event.grants))

    def _stopped(self, event: Stopped) -> None:
        # A final stop closes the running period and any later one.
        if event.procedure is not None:
            for index, envelope in enumerate(self.envelopes):
                if envelope.end > event.on:
                    self._replace(index, end=max(envelope.start, event.on))

    def _open(
        self,
        start: dt.date,
        end: dt.date,
        on: dt.date,
        grants: Iterable[Grant],
        provisional: bool,
    ) -> None:
        opened = Envelope(
            start=start, end=end, provisional=provisional, opened_on=on, grants=grants
        )
        if self.latest is None or opened.end > self.envelopes[self.latest].end:
            self.latest = len(self.envelopes)
        self.envelopes = (*self.envelopes, opened)
        self.granted += opened.granted

    def ledger(self) -> Ledger:
        """The ledger folded so far."""
        return Ledger(envelopes=self.envelopes, unallocated=self.unallocated)


_FEEDS: dict[str, Callable[[Folder, Any], None]] = {
    "Spent": Folder._spent,  # noqa: SLF001
    "CommitteeHeld": Folder._committee,  # noqa: SLF001
    "TakenOver": Folder._taken_over,  # noqa: SLF001
    "FundsGranted": Folder._granted,  # noqa: SLF001
    "Stopped": Folder._stopped,  # noqa: SLF001
}
"""Event class name → how it changes the ledger (other events change nothing)."""


def fold(events: Iterable[Event]) -> Ledger:
    """The ledger a history describes (events in recorded order)."""
    folder = Folder()
    for event in events:
        folder.feed(event)
    return folder.ledger()
