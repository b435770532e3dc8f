"""
Tables of rows for pandas or polars, with fixed columns and dtypes.

Every ``to_frame()`` of a result and every :mod:`betastate.frames` table goes
through :func:`frame`: a column is declared once with its kind (``str``,
``date``, ``int``, ``float``, ``bool`` or ``money``) and gets the same dtype
whatever the rows hold, also when there are none. pandas and polars are
imported here, inside the function, only when a frame is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal


Backend = Literal["pandas", "polars"]
Columns = Mapping[str, tuple[str, str]]
"""``{column: (kind, description)}``."""

EXTRAS_HINT = 'pip install "betastate[analytics,plot]"'
"""What to install for DataFrames and figures."""

_PANDAS = {
    "str": "string",
    "date": "datetime64[ns]",
    "int": "Int64",
    "float": "Float64",
    "bool": "boolean",
    "money": "object",
}
CENT = Decimal("0.01")


def cents(value: Decimal | None) -> Decimal | None:
    """An amount rounded to the cent (for display and tables; sums stay exact inside)."""
    return None if value is None else value.quantize(CENT)


def frame(columns: Columns, rows: Sequence[Mapping[str, Any]], backend: Backend = "pandas") -> Any:
    """
    A DataFrame of ``rows`` with exactly ``columns``, in ``backend``.

    Missing values are ``<NA>``/``NaT`` (pandas) or ``null`` (polars); money
    is rounded to the cent: ``Decimal`` objects in pandas, ``Decimal(38, 2)``
    in polars.
    """
    chosen: str = backend  # callers without a type checker may pass anything
    if chosen not in ("pandas", "polars"):
        from betastate._values.errors import InvalidArgument  # noqa: PLC0415  (error path)

        raise InvalidArgument(
            "backend", backend, "not a DataFrame library", "use 'pandas' or 'polars'"
        )
    values = {
        name: [cents(row.get(name)) if kind == "money" else row.get(name) for row in rows]
        for name, (kind, _) in columns.items()
    }
    if backend == "polars":
        return _polars(columns, values)
    return _pandas(columns, values)


def _pandas(columns: Columns, values: Mapping[str, list[Any]]) -> Any:
    try:
        import pandas as pd  # noqa: PLC0415  (optional)
    except ImportError as exc:
        raise ImportError(f"DataFrames need pandas: {EXTRAS_HINT}") from exc
    data = {}
    for name, (kind, _) in columns.items():
        raw = pd.Series(values[name], dtype="object")
        if kind == "date":
            data[name] = pd.to_datetime(raw).astype("datetime64[ns]")
        else:
            data[name] = raw.astype(_PANDAS[kind])
    return pd.DataFrame(data, columns=list(columns))


def _polars(columns: Columns, values: Mapping[str, list[Any]]) -> Any:
    try:
        import polars as pl  # noqa: PLC0415  (optional)
    except ImportError as exc:
        raise ImportError(f"DataFrames need polars: {EXTRAS_HINT}") from exc
    kinds: dict[str, Any] = {
        "str": pl.String,
        "date": pl.Date,
        "int": pl.Int64,
        "float": pl.Float64,
        "bool": pl.Boolean,
        "money": pl.Decimal(38, 2),
    }
    schema = {name: kinds[kind] for name, (kind, _) in columns.items()}
    return pl.DataFrame(dict(values), schema=schema, strict=True)
