"""
Type-checked, never run: what users' type checkers see of forecasts.

`mypy --strict typing_tests` must pass; a wrong inferred type is a failure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import assert_type

import betastate as bs


portfolio = bs.sample_portfolio()
forecast = portfolio.forecast(dt.date(2025, 1, 1), months=12, runs=100, seed=1, by="incubator")
assert_type(forecast, bs.Forecast)
assert_type(forecast.series("construction"), tuple[float, ...])
assert_type(forecast.band("construction", 90), tuple[tuple[float, ...], tuple[float, ...]])
assert_type(forecast.outcomes, Mapping[str, Mapping[str, float]])
assert_type(forecast.months, int)
check = forecast.backtest(portfolio, until=dt.date(2026, 1, 1))
assert_type(check, bs.Backtest)
assert_type(check.coverage, Mapping[int, float])
assert_type(check.total("median"), float)
assert_type(check.beats_naive, bool)
