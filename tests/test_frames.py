"""DataFrame exports: documented columns and dtypes, the same rows in pandas and polars."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import pytest

import betastate as bs


pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
frames = pytest.importorskip("betastate.frames")

D = dt.date
ON = D(2024, 1, 1)
PANDAS = {
    "str": "string",
    "date": "datetime64[ns]",
    "int": "Int64",
    "float": "Float64",
    "bool": "boolean",
    "money": "object",
}
POLARS = {
    "str": pl.String,
    "date": pl.Date,
    "int": pl.Int64,
    "float": pl.Float64,
    "bool": pl.Boolean,
    "money": pl.Decimal(38, 2),
}


def portfolio() -> bs.Portfolio:
    return bs.Portfolio(
        [
            bs.Startup(
                slug="x",
                title="X",
                incubator="atelier",
                sponsors=("/o/a", "/o/b"),
                history=(
                    bs.PhaseEntered(on=D(2022, 1, 1), phase="investigation"),
                    bs.PhaseEntered(on=D(2022, 3, 1), phase="construction"),
                    bs.CommitteeHeld(on=D(2022, 9, 1), comment="go"),
                ),
            ),
            bs.Startup(slug="y", title="Y"),
        ],
        members=[
            bs.Member(
                id="m1",
                domaine="Design",
                missions=(
                    bs.Mission(start=D(2022, 1, 1), status="independent", startups=("x", "y")),
                    bs.Mission(start=D(2021, 1, 1), end=D(2021, 6, 30)),
                ),
            )
        ],
        findings=[bs.Finding("N8", bs.Severity.WARNING, "x", "odd move", file="x.md", line=3)],
    )


TABLES = {
    "products": lambda p, backend: frames.products(p, ON, backend=backend),
    "spans": lambda p, backend: frames.spans(p, ON, backend=backend),
    "events": lambda p, backend: frames.events(p, backend=backend),
    "findings": lambda p, backend: frames.findings(p, backend=backend),
    "missions": lambda p, backend: frames.missions(p, backend=backend),
    "lessons": lambda p, backend: frames.lessons(p, ON, backend=backend),
    "stop_reasons": lambda p, backend: frames.stop_reasons(p, ON, backend=backend),
}


class TestColumns:
    """Every table has the documented columns and dtypes, also when empty."""

    @pytest.mark.parametrize("table", sorted(TABLES))
    @pytest.mark.parametrize("source", ["small", "empty"])
    def test_pandas_dtypes(self, table, source):
        """pandas columns and dtypes follow COLUMNS."""
        p = portfolio() if source == "small" else bs.Portfolio([])
        frame = TABLES[table](p, "pandas")
        expected = {name: PANDAS[kind] for name, (kind, _) in frames.COLUMNS[table].items()}
        assert expected == {name: str(dtype) for name, dtype in frame.dtypes.items()}

    @pytest.mark.parametrize("table", sorted(TABLES))
    def test_polars_dtypes(self, table):
        """polars columns and dtypes follow COLUMNS."""
        frame = TABLES[table](portfolio(), "polars")
        expected = {name: POLARS[kind] for name, (kind, _) in frames.COLUMNS[table].items()}
        assert expected == dict(frame.schema)

    @pytest.mark.parametrize("table", sorted(TABLES))
    def test_same_rows(self, table):
        """pandas and polars hold the same values."""
        left = TABLES[table](portfolio(), "pandas")
        right = TABLES[table](portfolio(), "polars")
        assert len(left) == len(right)
        for name in left.columns:
            a = [None if pd.isna(v) else v for v in left[name]]
            a = [v.date() if isinstance(v, pd.Timestamp) else v for v in a]
            assert a == right[name].to_list(), name


class TestValues:
    """Rows say what the portfolio says."""

    def test_products(self):
        """Phase on the date, its start, sponsors joined; an empty history has no phase."""
        frame = frames.products(portfolio(), ON).set_index("slug")
        assert "construction" == frame.loc["x", "phase"]
        assert pd.Timestamp("2022-03-01") == frame.loc["x", "phase_since"]
        assert "/o/a,/o/b" == frame.loc["x", "sponsors"]
        assert pd.isna(frame.loc["y", "phase"])
        assert 3 == frame.loc["x", "events"]
        assert 2022 == frame.loc["x", "cohort"]

    def test_products_fast_and_national_impact(self):
        """FAST from an event or a block, the designation date, and extra keys on demand."""
        block = {"fast": {"promotion": 13, "montant": 150000}, "impact_url": "https://x.example"}
        portfolio = bs.Portfolio(
            [
                bs.Startup(
                    slug="x",
                    title="X",
                    extra=block,
                    history=(
                        bs.PhaseEntered(on=D(2022, 1, 1), phase="acceleration"),
                        bs.NationalImpactDesignated(on=D(2023, 12, 31)),
                    ),
                ),
                bs.Startup(
                    slug="y",
                    title="Y",
                    history=(
                        bs.PhaseEntered(on=D(2022, 1, 1), phase="acceleration"),
                        bs.FastLaureate(on=D(2023, 6, 1), edition=12),
                    ),
                ),
                bs.Startup(slug="z", title="Z", extra={"usertypes": ["a", "b"]}),
            ]
        )
        frame = frames.products(portfolio, ON, extra=True).set_index("slug")
        assert [True, True, False] == frame["fast"].to_list()
        assert ["block", "event"] == frame["fast_source"].dropna().to_list()
        assert [13, 12] == frame["fast_edition"].dropna().to_list()
        assert Decimal(150000) == frame.loc["x", "fast_amount"]
        assert pd.Timestamp("2023-12-31") == frame.loc["x", "national_impact"]
        assert "https://x.example" == frame.loc["x", "extra.impact_url"]
        assert '["a", "b"]' == frame.loc["z", "extra.usertypes"]
        assert "extra.fast" in frame.columns
        named = frames.products(portfolio, ON, extra=["impact_url"], backend="polars")
        assert [c for c in named.columns if c.startswith("extra.")] == ["extra.impact_url"]

    def test_spans_running_and_days(self):
        """The running span has no end and counts days up to the date."""
        frame = frames.spans(portfolio(), ON, backend="polars")
        running = frame.filter(pl.col("running"))
        assert ["construction"] == running["phase"].to_list()
        assert [(ON - D(2022, 3, 1)).days] == running["days"].to_list()
        assert [None] == running["end"].to_list()

    def test_missions_one_row_per_product(self):
        """A mission on two products gives two rows; a mission on none gives one."""
        frame = frames.missions(portfolio())
        assert 3 == len(frame)
        assert ["x", "y"] == frame[frame["mission"] == 0]["startup"].to_list()

    def test_monthly_phase_counts(self):
        """The monthly table has a month column and one Int64 column per phase."""
        frame = frames.phase_counts(portfolio(), D(2022, 1, 1), D(2022, 4, 1))
        assert [1, 1, 0, 0] == frame["investigation"].to_list()
        assert [0, 0, 1, 1] == frame["construction"].to_list()
        assert "Int64" == str(frame["abandon"].dtype)
        polars = frames.phase_counts(portfolio(), D(2022, 1, 1), D(2022, 4, 1), backend="polars")
        assert frame["construction"].to_list() == polars["construction"].to_list()

    def test_unknown_backend(self):
        """A misspelt backend is named."""
        with pytest.raises(bs.exceptions.InvalidArgument, match="polars"):
            frames.events(portfolio(), backend="arrow")

    def test_default_date_is_the_data_date(self):
        """Without a date, the products are as of the portfolio's data date."""
        sample = bs.sample_portfolio()
        assert frames.products(sample).equals(frames.products(sample, sample.data_date))


class TestImports:
    """Heavy libraries load only when asked for."""

    def test_betastate_does_not_import_frames_libraries(self):
        """`import betastate` loads neither pandas nor polars; frames loads them lazily."""
        code = (
            "import sys, betastate, betastate.frames; "
            "print(any(m in sys.modules for m in ('pandas', 'polars', 'numpy')))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "False" == out.stdout.strip()
