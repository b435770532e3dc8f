"""
The shapes query results take, fit for notebooks: short reprs and ``to_frame()``.

Results stay plain Python values (a :class:`Counts` *is* a ``dict``, a
:class:`Rows` *is* a ``tuple``), so they compare, print and serialise as
before; on top of that every one of them

- has a ``repr`` of at most :data:`REPR_LIMIT` characters, whatever its size
  (a portfolio of 662 products, a curve of 300 points), and
- turns into a pandas or polars DataFrame with ``to_frame(backend=...)``
  (columns fixed by the result's kind, see :mod:`betastate._analytics.tables`).

Grouped results (``by=``) are a :class:`Grouped` mapping from group to the
result the query gives without ``by``; its frame has one row per group when
the inner result is one row (counts, a curve's summary, a spend estimate)
and the inner rows with a group column otherwise (a funnel per cohort).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from betastate._analytics.tables import Backend, Columns, frame


REPR_LIMIT = 200
"""The longest repr a result has (a notebook cell shows it whole)."""
_BRIEF = 40  # an inner value in a grouped repr

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

Table = tuple[Columns, list[dict[str, Any]]]


def squeeze(head: str, parts: Iterable[str], tail: str = ")", limit: int = REPR_LIMIT) -> str:
    """``head`` + as many ``parts`` as fit + ``tail``, with ``…`` and a count for the rest."""
    items = list(parts)
    shown: list[str] = []
    for index, part in enumerate(items):
        rest = len(items) - index - 1
        more = f", … {rest} more" if rest else ""
        candidate = ", ".join([*shown, part])
        if len(head) + len(candidate) + len(more) + len(tail) > limit:
            left = len(items) - len(shown)
            text = ", ".join([*shown, f"… {left} more"]) if shown else f"… {left} items"
            return (head + text + tail)[:limit]
        shown.append(part)
    return head + ", ".join(shown) + tail


class Tabular:
    """What every result shares: ``to_frame``, from the rows :meth:`_table` lists."""

    __slots__ = ()

    def _table(self) -> Table:
        raise NotImplementedError

    def to_frame(self, backend: Backend = "pandas") -> Any:
        """
        This result as a DataFrame (``backend="pandas"`` or ``"polars"``).

        Needs the ``analytics`` extra.
        """
        columns, rows = self._table()
        return frame(columns, rows, backend)


def _key_kind(keys: Iterable[object]) -> str:
    values = list(keys)
    if values and all(isinstance(k, int) and not isinstance(k, bool) for k in values):
        return "int"
    if values and all(isinstance(k, dt.date) for k in values):
        return "date"
    return "str"


class Counts(dict[str, int], Tabular):
    """
    A count per key (phase, status...): a ``dict`` with ``total`` and ``to_frame()``.

    Its frame is one row with one ``Int64`` column per key.

    .. versionadded:: 0.1.0
    """

    fill: ClassVar[int | None] = 0

    @property
    def total(self) -> int:
        """The sum of the counts."""
        return sum(self.values())

    def _table(self) -> Table:
        columns = {key: ("int", f"Count of {key}.") for key in self}
        return columns, [dict(self)]

    def _summary(self) -> Table:
        return self._table()

    def __repr__(self) -> str:
        text = dict.__repr__(self)
        if len(text) <= REPR_LIMIT:
            return text
        return squeeze("{", (f"{k!r}: {v!r}" for k, v in self.items()), "}")


class Series(dict[dt.date, Counts], Tabular):
    """
    Counts on many dates, in date order: ``{date: Counts}``.

    Its frame has an ``on`` date column and one ``Int64`` column per key.

    .. versionadded:: 0.1.0
    """

    def _table(self) -> Table:
        keys: dict[str, None] = {}
        for counts in self.values():
            keys.update(dict.fromkeys(counts))
        columns: dict[str, tuple[str, str]] = {"on": ("date", "The date counted.")}
        columns.update({key: ("int", f"Count of {key} that day.") for key in keys})
        rows = [{"on": day} | {k: counts.get(k, 0) for k in keys} for day, counts in self.items()]
        return columns, rows

    def __repr__(self) -> str:
        if not self:
            return "Series({})"
        first, last = min(self), max(self)
        return squeeze(
            f"Series({len(self)} dates {first}..{last}: ",
            (f"{day}: {counts.total}" for day, counts in self.items()),
        )


class Grouped(dict[K, V], Tabular, Generic[K, V]):
    """
    A result per group (``by=``): ``{group: result}``, groups in sorted order.

    ``key`` names the grouping (``group``, ``phase``, ``cohort``...): it is
    the first column of the frame.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, items: Mapping[K, V] | Iterable[tuple[K, V]] = (), *, key: str = "group"
    ) -> None:
        super().__init__(items)
        self.key = key

    def _table(self) -> Table:
        values = list(self.values())
        columns: dict[str, tuple[str, str]] = {self.key: (_key_kind(self), f"The {self.key}.")}
        rows: list[dict[str, Any]] = []
        summarise = bool(values) and all(hasattr(v, "_summary") for v in values)
        fill: Any = None
        for group, value in self.items():
            inner: Callable[[], Table] = getattr(value, "_summary" if summarise else "_table")
            fill = getattr(value, "fill", None)
            inner_columns, inner_rows = inner()
            for name, spec in inner_columns.items():
                columns.setdefault(name, spec)
            rows.extend({self.key: group, **row} for row in inner_rows)
        if fill is not None:
            rows = [{name: row.get(name, fill) for name in columns} for row in rows]
        return columns, rows

    def __repr__(self) -> str:
        text = f"Grouped(by {self.key}: {dict.__repr__(self)})"
        if len(text) <= REPR_LIMIT:
            return text
        return squeeze(
            f"Grouped(by {self.key}, {len(self)} groups: ",
            (f"{k!r}: {_brief(v)}" for k, v in self.items()),
        )


def _brief(value: object) -> str:
    brief = getattr(value, "brief", None)
    if callable(brief):
        return str(brief())
    if isinstance(value, Counts):
        return f"{value.total} in all"
    text = repr(value)
    return text if len(text) <= _BRIEF else text[: _BRIEF - 1] + "…"


class Rows(tuple[T, ...], Tabular, Generic[T]):  # noqa: SLOT001  (subclasses set class attributes)
    """
    A tuple of result rows (funnel steps, cadences, laureates...) with ``to_frame()``.

    Subclasses name their ``columns``; each row gives its values with ``_row()``.

    .. versionadded:: 0.1.0
    """

    columns: ClassVar[Columns] = {}
    noun: ClassVar[str] = "rows"

    def _table(self) -> Table:
        return dict(self.columns), [row._row() for row in self]  # type: ignore[attr-defined]  # noqa: SLF001  (rows' contract)

    def __repr__(self) -> str:
        return squeeze(
            f"{type(self).__name__}({len(self)} {self.noun}: ",
            (_brief(row) for row in self),
        )
