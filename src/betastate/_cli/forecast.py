"""
``betastate forecast``: a Monte Carlo forecast of a portfolio, or its backtest.

A thin shell over :meth:`betastate.Portfolio.forecast` and
:meth:`betastate.Forecast.backtest`: it parses arguments, calls them, prints
(text, JSON or CSV), optionally saves the fan chart, and returns an exit code.
numpy, and matplotlib for ``--plot``, are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from betastate._cli.common import date_arg, emit, error, load_any
from betastate._values.errors import BetastateError


if TYPE_CHECKING:
    from betastate._analytics.forecast import Backtest, Forecast
    from betastate._analytics.portfolio import Portfolio

BACKTEST_STARTS = (dt.date(2022, 1, 1), dt.date(2023, 1, 1))
"""Cut-offs of ``--backtest`` by default: calibrate up to each, compare with what followed."""

BACKTEST_UNTIL = dt.date(2026, 1, 1)
"""Last month compared by ``--backtest`` by default."""


def _window(text: str) -> int | None:
    if text == "all":
        return None
    try:
        return int(text)
    except ValueError:
        msg = f"{text!r} is not a number of months; write e.g. 36, or 'all'"
        raise argparse.ArgumentTypeError(msg) from None


def register(commands: Any) -> None:
    """Add the ``forecast`` subcommand to ``commands`` (an argparse subparsers action)."""
    parser = commands.add_parser(
        "forecast",
        help="forecast the phase counts month by month (Monte Carlo), or backtest the model",
        description=__doc__.splitlines()[1],
    )
    parser.add_argument(
        "path", nargs="?", type=Path, help="portfolio (default: the bundled sample)"
    )
    parser.add_argument(
        "--start",
        type=date_arg,
        help="forecast from this date (YYYY-MM-DD); required unless --backtest",
    )
    parser.add_argument("--months", type=int, default=60, help="months to forecast (default 60)")
    parser.add_argument("--runs", type=int, default=10_000, help="simulated runs (default 10000)")
    parser.add_argument("--seed", type=int, help="the same seed gives the same numbers")
    parser.add_argument(
        "--entries",
        type=float,
        help="new products per month (default: as in the last --entry-window months; 0: none)",
    )
    parser.add_argument(
        "--window",
        type=_window,
        default=36,
        help="months of history to calibrate on, or 'all' (default 36)",
    )
    parser.add_argument(
        "--entry-window",
        type=int,
        default=24,
        help="months of entries repeated when --entries is not given (default 24)",
    )
    parser.add_argument("--by", choices=("incubator",), help="also forecast each incubator")
    parser.add_argument("--workers", type=int, help="threads (default: up to 2)")
    parser.add_argument("--format", choices=("text", "json", "csv"), default="text")
    parser.add_argument(
        "--output", "-o", type=Path, help="write to this file instead of standard output"
    )
    parser.add_argument(
        "--plot", type=Path, help="also save the fan chart (or backtest plots) as this PNG"
    )
    parser.add_argument(
        "--backtest",
        action="store_true",
        help="calibrate up to each --cutoff, forecast to --until, compare with the data",
    )
    parser.add_argument(
        "--cutoff",
        type=date_arg,
        action="append",
        help="a backtest cut-off (repeatable; default 2022-01-01 and 2023-01-01)",
    )
    parser.add_argument(
        "--until", type=date_arg, default=BACKTEST_UNTIL, help="last month a backtest compares"
    )
    parser.set_defaults(run=run)


def _table(result: Forecast) -> str:
    """Median and 90 % band of each phase, once a year."""
    steps = list(range(0, result.months + 1, 12))
    if steps[-1] != result.months:
        steps.append(result.months)
    width = max(len(p) for p in result.phases)
    head = f"{'phase':<{width}}  " + "  ".join(f"{result.dates[k].isoformat():>15}" for k in steps)
    lines = [
        (
            f"forecast from {result.start.isoformat()}: {result.runs} runs, seed {result.seed}, "
            f"{result.entries:.2f} new products a month, calibrated on "
            f"{result.window[0].isoformat()}..{result.window[1].isoformat()}"
        ),
        "median (90 % band) of the products in each phase",
        head,
    ]
    for phase in result.phases:
        low, high = result.band(phase, 90)
        median = result.series(phase)
        cells = [f"{median[k]:.0f} ({low[k]:.0f}-{high[k]:.0f})" for k in steps]
        lines.append(f"{phase:<{width}}  " + "  ".join(f"{c:>15}" for c in cells))
    return "\n".join(lines)


def _json(result: Forecast) -> str:
    payload = {
        "start": result.start.isoformat(),
        "dates": [d.isoformat() for d in result.dates],
        "phases": list(result.phases),
        "runs": result.runs,
        "seed": result.seed,
        "entries": result.entries,
        "window": [d.isoformat() for d in result.window],
        "stats": {p: {k: list(v) for k, v in s.items()} for p, s in result.stats.items()},
        "groups": {
            g: {p: {k: list(v) for k, v in s.items()} for p, s in stats.items()}
            for g, stats in result.groups.items()
        },
        "within": result.within,
        "outcomes": {slug: dict(o) for slug, o in result.outcomes.items()},
        "transitions": {p: dict(t) for p, t in result.transitions.items()},
        "median_stay": dict(result.median_stay),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _csv(result: Forecast) -> str:
    """One row per month, incubator (empty: the whole portfolio), phase and statistic."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["month", "incubator", "phase", "statistic", "value"])
    tables = [("", result.stats), *result.groups.items()]
    for group, stats in tables:
        for index, month in enumerate(result.dates):
            for phase in result.phases:
                for statistic, values in stats[phase].items():
                    writer.writerow([month.isoformat(), group, phase, statistic, values[index]])
    return buffer.getvalue().rstrip("\n")


def _summary(results: tuple[Backtest, ...]) -> list[str]:
    lines: list[str] = []
    for result in results:
        lines.append(str(result))
        lines.append(
            f"median beats both naive forecasts on the summed error: "
            f"{'yes' if result.beats_naive else 'no'}"
        )
        lines.append("")
    return lines[:-1]


def _save(figure: Any, path: Path) -> None:
    try:
        figure.savefig(path, dpi=100)
    except OSError as exc:
        msg = f"cannot write {path}: {exc.strerror}"
        raise BetastateError(msg) from None


def run(args: argparse.Namespace) -> int:
    """Run ``betastate forecast`` with parsed ``args``."""
    try:
        portfolio: Portfolio = load_any(args.path)
        text = _backtest(args, portfolio) if args.backtest else _forecast(args, portfolio)
    except (BetastateError, ImportError) as exc:
        return error(exc)
    return emit(text, args.output)


def _forecast(args: argparse.Namespace, portfolio: Portfolio) -> str:
    from betastate._values.errors import InvalidArgument  # noqa: PLC0415

    if args.start is None:
        raise InvalidArgument(
            "--start", None, "a forecast needs its start date", "give --start YYYY-MM-DD"
        )
    result = portfolio.forecast(
        args.start,
        months=args.months,
        runs=args.runs,
        seed=args.seed,
        entries=args.entries,
        by=args.by,
        window=args.window,
        entry_window=args.entry_window,
        workers=args.workers,
    )
    if args.plot is not None:
        from betastate import plot  # noqa: PLC0415  (matplotlib, only with --plot)

        _save(plot.forecast(result, portfolio), args.plot)
    if args.format == "json":
        return _json(result)
    if args.format == "csv":
        return _csv(result)
    return _table(result)


def _backtest(args: argparse.Namespace, portfolio: Portfolio) -> str:
    from betastate._analytics import forecast as _forecast  # noqa: PLC0415  (numpy)

    starts = tuple(args.cutoff or BACKTEST_STARTS)
    results = _forecast.backtests(
        portfolio,
        starts,
        args.until,
        runs=args.runs,
        seed=args.seed,
        window=args.window,
        entry_window=args.entry_window,
        workers=args.workers,
    )
    if args.plot is not None:
        from betastate import plot  # noqa: PLC0415  (matplotlib, only with --plot)

        for result in results:
            path = args.plot
            if len(results) > 1:
                path = path.with_name(
                    f"{path.stem}-{result.forecast.start.isoformat()}{path.suffix}"
                )
            _save(plot.backtest(result), path)
    if args.format == "csv":
        return _backtest_csv(results)
    if args.format == "json":
        return json.dumps(
            [
                {
                    "start": r.forecast.start.isoformat(),
                    "dates": [d.isoformat() for d in r.dates],
                    "coverage": {str(k): v for k, v in r.coverage.items()},
                    "phase_coverage": {
                        p: {str(k): v for k, v in c.items()} for p, c in r.phase_coverage.items()
                    },
                    "mae": {m: dict(e) for m, e in r.mae.items()},
                    "total": {m: r.total(m) for m in r.mae},
                    "beats_naive": r.beats_naive,
                    "runs": r.forecast.runs,
                    "seed": r.forecast.seed,
                }
                for r in results
            ],
            indent=2,
        )
    return "\n".join(_summary(results))


def _backtest_csv(results: tuple[Backtest, ...]) -> str:
    """One row per cut-off, month and phase: recorded count, quantiles, naive forecasts."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    quantiles = ("q05", "q25", "q50", "q75", "q95")
    writer.writerow(["start", "month", "phase", "actual", *quantiles, "carry", "trend"])
    for result in results:
        fc = result.forecast
        first = fc.dates.index(result.dates[0])
        for offset, month in enumerate(result.dates):
            for phase in result.phases:
                writer.writerow(
                    [
                        fc.start.isoformat(),
                        month.isoformat(),
                        phase,
                        result.actual[phase][offset],
                        *(fc.stats[phase][q][first + offset] for q in quantiles),
                        result.carry[phase][offset],
                        result.trend[phase][offset],
                    ]
                )
    return buffer.getvalue().rstrip("\n")
