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
import weakref
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
    from betastate._values.startup import Startup


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


class _Folder:
    """The ledger being folded, event by event (mutable; never leaves this module)."""

    __slots__ = ("opened", "unallocated")

    def __init__(self) -> None:
        self.opened: list[_Open] = []
        self.unallocated = Decimal(0)

    def copy(self) -> _Folder:
        twin = _Folder()
        twin.opened = [
            _Open(o.start, o.end, o.provisional, o.opened_on, list(o.grants), o.spent)
            for o in self.opened
        ]
        twin.unallocated = self.unallocated
        return twin

    def covering(self, day: dt.date) -> _Open | None:
        for envelope in reversed(self.opened):
            if envelope.start <= day < envelope.end:
                return envelope
        return None

    def feed(self, event: Event) -> None:
        # Dispatch on the class name: no import of the events module (which imports
        # this one), and one dict lookup for the many events that move no money.
        method = _FEEDS.get(type(event).__name__)
        if method is not None:
            method(self, event)

    def _spent(self, event: Spent) -> None:
        target = self.covering(event.on)
        if target is None:
            self.unallocated += event.amount
        else:
            target.spent += event.amount

    def _committee(self, event: CommitteeHeld) -> None:
        if event.period_start and event.period_end:
            self._open(event.period_start, event.period_end, event.on, event.grants)
            self.opened[-1].provisional = event.decision == "provisional"

    def _taken_over(self, event: TakenOver) -> None:
        if event.period_start and event.period_end:
            running = self.covering(event.on)
            if running is not None:
                running.end = max(running.start, event.on)
            self._open(event.period_start, event.period_end, event.on, event.grants)

    def _granted(self, event: FundsGranted) -> None:
        target = next(
            (e for e in self.opened if e.start == event.period_start), None
        ) or self.covering(event.on)
        if target is not None:
            target.grants.extend(event.grants)

    def _stopped(self, event: Stopped) -> None:
        # A final stop closes the running period and any later one.
        if event.procedure is not None:
            for envelope in self.opened:
                if envelope.end > event.on:
                    envelope.end = max(envelope.start, event.on)

    def _open(self, start: dt.date, end: dt.date, on: dt.date, grants: Iterable[Grant]) -> None:
        self.opened.append(_Open(start, end, False, on, list(grants), Decimal(0)))  # noqa: FBT003

    def ledger(self) -> Ledger:
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
                for e in self.opened
            ),
            unallocated=self.unallocated,
        )


_FEEDS: dict[str, Callable[[_Folder, Any], None]] = {
    "Spent": _Folder._spent,  # noqa: SLF001
    "CommitteeHeld": _Folder._committee,  # noqa: SLF001
    "TakenOver": _Folder._taken_over,  # noqa: SLF001
    "FundsGranted": _Folder._granted,  # noqa: SLF001
    "Stopped": _Folder._stopped,  # noqa: SLF001
}
"""Event class name → how it changes the ledger (other events change nothing)."""


def fold(events: Iterable[Event]) -> Ledger:
    """The ledger a history describes (events in recorded order)."""
    folder = _Folder()
    for event in events:
        folder.feed(event)
    return folder.ledger()


# A startup's ledger, kept while the startup lives, so that the startup a command
# returns gets its ledger from its parent's plus the new events instead of a refold
# of its whole history. Keyed by id(); the weak reference both checks identity and
# drops the entry when the startup is collected.
_FOLDED: dict[int, tuple[weakref.ref[Startup], _Folder]] = {}


def _remember(startup: Startup, folder: _Folder) -> None:
    key = id(startup)

    def forget(_ref: weakref.ref[Startup]) -> None:
        _FOLDED.pop(key, None)

    _FOLDED[key] = (weakref.ref(startup, forget), folder)


def _cached(startup: Startup) -> _Folder | None:
    hit = _FOLDED.get(id(startup))
    return hit[1] if hit is not None and hit[0]() is startup else None


def ledger_of(startup: Startup) -> Ledger:
    """The ledger of a startup's whole history (cached per startup)."""
    folder = _cached(startup)
    if folder is None:
        folder = _Folder()
        for event in startup.history:
            folder.feed(event)
        _remember(startup, folder)
    return folder.ledger()


def carry_ledger(parent: Startup, child: Startup, events: Iterable[Event]) -> None:
    """``child`` is ``parent`` plus ``events``: derive its cached ledger incrementally."""
    folder = _cached(parent)
    if folder is None:
        return
    folder = folder.copy()
    for event in events:
        folder.feed(event)
    _remember(child, folder)
