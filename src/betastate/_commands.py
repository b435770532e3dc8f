"""
Commands: what an app asks the lifecycle engine to do.

A command is checked against the rulebook and the startup's state; accepted,
it becomes one or more events; refused, nothing changes. Each command names
its actor (``by``), because the rulebook says which roles may decide what.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from ._events import Event, PhaseEntered, Pivoted
from ._model import Actor, _to_actor, _to_optional_money


@attrs.frozen(kw_only=True)
class Advance:
    """
    Change the startup's phase (or start its first one).

    Attributes:
        on: Date of the decision.
        to: Phase to enter; the current phase itself means a pivot.
        by: Who decides (an :class:`Actor`, or just a role).
        comment: Free text kept on the event.
        sponsor_budget_line: Budget line the sponsor has identified, in euros
            (gate ``sponsor_budget_line``, rule BR-08, to enter construction).

    .. versionadded:: 0.1.0
    """

    on: dt.date
    to: str
    by: Actor = attrs.field(converter=_to_actor)
    comment: str | None = None
    sponsor_budget_line: Decimal | None = attrs.field(default=None, converter=_to_optional_money)


@attrs.frozen(kw_only=True)
class Launch:
    """
    Record the first public launch of the service.

    .. versionadded:: 0.1.0
    """

    on: dt.date
    by: Actor = attrs.field(converter=_to_actor)
    comment: str | None = None


def _not_a_phase_change(_inst: Record, _attr: attrs.Attribute[Event], event: Event) -> None:
    if isinstance(event, PhaseEntered | Pivoted):
        msg = (
            f"Record cannot carry a phase change ({type(event).__name__}); "
            "use betastate.Advance so the rulebook checks the move."
        )
        raise TypeError(msg)


@attrs.frozen(kw_only=True)
class Record:
    """
    Append a dated fact that is not a phase change (a note, a launch...).

    Only the chronology rule applies.

    .. versionadded:: 0.1.0
    """

    event: Event = attrs.field(validator=_not_a_phase_change)
    by: Actor = attrs.field(converter=_to_actor)

    @property
    def on(self) -> dt.date:
        """The event's date."""
        return self.event.on


Command = Advance | Launch | Record
"""Any command :meth:`betastate.Lifecycle.apply` accepts."""

COMMAND_TYPES: tuple[type, ...] = (Advance, Launch, Record)
