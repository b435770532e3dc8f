"""
Forecast a portfolio: a semi-Markov, competing-risks Monte Carlo of its pipeline.

The model is calibrated on the histories up to the forecast's start, and
reads nothing after it:

- A product's phase changes come from its timeline (``queries.timeline``,
  shared with the other queries), so same-day phases follow the rulebook's
  tie rule, whatever it is: the phase on each start date is the one
  ``Lifecycle.state(on=that date)`` reports.
- Every stay in a non-terminal phase is a *spell*. A spell still running on
  the start date is right-censored there. Only the calibration window counts:
  a spell that began before it is at risk from the window's start (left
  truncation), so a recent window uses only recent behaviour, with the
  products that were really at risk then.
- For each phase, the hazard of leaving is constant on duration bins
  (:data:`EDGES_MONTHS`); bins with fewer than ``MIN_EVENTS`` exits are merged
  into the next one, and the last bin is open (a constant-hazard tail). Within
  a bin, the next phase follows the bin's observed mix, shrunk toward the
  phase's overall mix. This is the smoothed, piecewise-exponential counterpart
  of the Kaplan-Meier and Aalen-Johansen estimates.
- A product that has already spent ``a`` days in its phase leaves after a
  time drawn from the hazard beyond ``a`` (inverse cumulative hazard), so a
  product five years in construction is not treated as a new one.
- Terminal phases absorb.
- New products arrive as they did recently: each simulated month repeats the
  entries (phase and incubator) of a month drawn at random from the last
  ``entry_window`` months, batches included; or a Poisson number per month
  is given as a scenario.
- Each run draws its own hazards (Gamma posteriors of events over exposure)
  and next-phase mixes (Dirichlet posteriors), so the bands carry the
  uncertainty of the estimates as well as the randomness of the pipeline.

The simulation steps from one phase change to the next, not month by
month: every product of a run takes one step, then those still moving take
the next. The step is compiled (:mod:`betastate._analytics.kernel`, numba);
the calibration, tables and statistics are numpy arrays. Blocks of runs run
on several threads. Each block has its own random stream, spawned from the
seed, so a seed gives the same numbers whatever the number of workers.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import attrs

from betastate._analytics.queries import (
    NONE_GROUP,
    add_months,
    default_rulebook,
    timelines,
    today,
)
from betastate._values.errors import InvalidArgument


if TYPE_CHECKING:
    from betastate._analytics.portfolio import Portfolio
    from betastate._rules.rulebook import Rulebook

STATISTICS: tuple[str, ...] = ("q05", "q25", "q50", "q75", "q95", "mean")
"""The statistics kept for each month and phase: five quantiles and the mean."""

LEVELS: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
"""The quantile levels of ``q05`` ... ``q95``."""

EDGES_MONTHS: tuple[float, ...] = (0, 1, 2, 3, 4, 6, 9, 12, 18, 24, 36, 48)
"""Start of each duration bin, in months spent in the phase (the last bin is open)."""

MIN_EVENTS = 5
"""A duration bin with fewer exits than this is merged into the next one."""

MIX_PRIOR = 2.0
"""Weight, in exits, of a phase's overall next-phase mix in each bin's mix."""

DAYS_PER_MONTH = 365.25 / 12

BLOCK = 250
"""Runs simulated together; each block has its own random stream."""

BATCH: int | None = 10
"""Products of one incubator with identical histories, from this many on, count as one."""

GroupKey = Literal["incubator"]


def _numpy() -> Any:
    try:
        import numpy as np  # noqa: PLC0415  (optional, heavy)
    except ImportError as exc:  # pragma: no cover - numpy comes with the extra
        msg = 'forecasts need numpy: pip install "betastate[analytics]"'
        raise ImportError(msg) from exc
    return np


# -- histories -------------------------------------------------------------------------


@attrs.frozen
class _Histories:
    """
    Every phase change of a portfolio, as flat arrays (days are ordinals).

    ``spans`` rows: product, phase index, start day, next start day (or a
    far-future day for the last phase). ``first`` holds each product's first
    start and phase; products without a phase have ``first_day`` ``-1``.
    """

    phases: tuple[str, ...]
    terminal: tuple[bool, ...]
    slugs: tuple[str, ...]
    groups: tuple[str, ...]
    group_of: Any
    span_product: Any
    span_phase: Any
    span_start: Any
    span_next: Any
    span_weight: Any
    first_day: Any
    first_phase: Any


_NEVER = dt.date(9999, 12, 31).toordinal()


def _changes(line: Sequence[tuple[dt.date, str]]) -> list[tuple[int, str]]:
    """
    ``(day, phase)`` at each change of phase of a :func:`queries.timeline`.

    The timeline's phase on a date is what ``Lifecycle.state(on=date)``
    says (the rulebook's tie rule decides same-day starts); a phase entered
    again while in it is no change.
    """
    out: list[tuple[int, str]] = []
    for day, phase in line:
        if not out or out[-1][1] != phase:
            out.append((day.toordinal(), phase))
    return out


def histories(portfolio: Portfolio, rulebook: Rulebook | None = None) -> _Histories:
    """The phase changes of every product of ``portfolio`` under ``rulebook``."""
    np = _numpy()
    book = default_rulebook(rulebook)
    every = timelines(portfolio, book)
    lines = [_changes(every[startup.slug]) for startup in portfolio]
    phases = list(book.phase_values)
    for line in lines:
        phases.extend(p for _, p in line if p not in phases)
    index = {phase: i for i, phase in enumerate(phases)}
    groups = sorted({startup.incubator or NONE_GROUP for startup in portfolio})
    group_index = {g: i for i, g in enumerate(groups)}
    # A batch (BATCH or more products of one incubator with the same phases on
    # the same days) is one decision recorded many times: each member weighs 1/n.
    twins: dict[tuple[str, tuple[tuple[int, str], ...]], int] = {}
    for startup, line in zip(portfolio, lines, strict=True):
        key = (startup.incubator or NONE_GROUP, tuple(line))
        twins[key] = twins.get(key, 0) + 1
    rows: list[tuple[int, int, int, int]] = []
    weights: list[float] = []
    first_day = np.full(len(lines), -1, dtype=np.int64)
    first_phase = np.zeros(len(lines), dtype=np.int64)
    for product, line in enumerate(lines):
        if line:
            first_day[product], first_phase[product] = line[0][0], index[line[0][1]]
        size = twins[(portfolio.startups[product].incubator or NONE_GROUP, tuple(line))]
        weight = 1.0 / size if BATCH is not None and size >= BATCH else 1.0
        for position, (day, phase) in enumerate(line):
            following = line[position + 1][0] if position + 1 < len(line) else _NEVER
            rows.append((product, index[phase], day, following))
            weights.append(weight)
    table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return _Histories(
        phases=tuple(phases),
        terminal=tuple(book.is_terminal(p) for p in phases),
        slugs=tuple(s.slug for s in portfolio),
        groups=tuple(groups),
        group_of=np.array(
            [group_index[s.incubator or NONE_GROUP] for s in portfolio], dtype=np.int64
        ),
        span_product=table[:, 0],
        span_phase=table[:, 1],
        span_start=table[:, 2],
        span_next=table[:, 3],
        span_weight=np.array(weights, dtype=np.float64),
        first_day=first_day,
        first_phase=first_phase,
    )


# -- calibration -------------------------------------------------------------------------


@attrs.frozen
class _Fit:
    """
    Sufficient statistics of the calibration, per 12-month block, phase and duration bin.

    ``edges`` are bin starts in days; ``merged[i, k]`` is the merged bin of
    base bin ``k`` in phase ``i``. Per block ``b`` (0 is the latest) and
    merged bin ``g``: ``exits[b, i, g]``, ``exposure[b, i, g]`` (days at
    risk) and ``moves[b, i, g, j]`` (exits to phase ``j``). ``prior[i, j]``
    is the weight of phase ``i``'s overall mix in each bin's mix. Entries
    are the products whose first phase started in the entry window: their
    month in the window (0 is the oldest), day offset in that month, phase,
    group, and the entry block of each month.
    """

    phases: tuple[str, ...]
    terminal: Any
    edges: Any
    merged: Any
    exits: Any
    exposure: Any
    moves: Any
    prior: Any
    entry_month: Any
    entry_offset: Any
    entry_phase: Any
    entry_group: Any
    entry_months: int
    entry_block_of_month: Any
    window: tuple[dt.date, dt.date]

    @property
    def pooled_rate(self) -> Any:
        """Hazard per phase and merged bin over the whole window (0 where nothing left)."""
        np = _numpy()
        exits = self.exits.sum(axis=0)
        exposure = self.exposure.sum(axis=0)
        return np.divide(exits, exposure, out=np.zeros_like(exits), where=exposure > 0)


def _merge_bins(exits: Any, min_events: int) -> list[int]:
    """Merged bin of each base bin: bins collect exits left to right until ``min_events``."""
    out: list[int] = []
    group, held = 0, 0
    for count in exits:
        out.append(group)
        held += int(count)
        if held >= min_events:
            group, held = group + 1, 0
    if held < min_events and group > 0:  # a short tail joins the bin before it
        out = [min(g, group - 1) for g in out]
    return out


def _blocks_back(start: dt.date, months: int) -> list[int]:
    """Ordinal bounds of 12-month blocks back from ``start`` over ``months`` (latest first)."""
    bounds = [start.toordinal()]
    back = 0
    while back < months:
        back = min(back + 12, months)
        bounds.append(add_months(start, -back).toordinal())
    return bounds


def fit(
    hist: _Histories,
    start: dt.date,
    window: int | None,
    entry_window: int,
) -> _Fit:
    """The statistics of the spells and entries up to ``start`` (nothing later is read)."""
    np = _numpy()
    cutoff = start.toordinal()
    first = hist_first(hist)
    span_months = max(1, math.ceil((cutoff - first) / DAYS_PER_MONTH)) if window is None else window
    bounds = np.array(_blocks_back(start, span_months), dtype=np.int64)
    bounds[-1] = min(bounds[-1], first) if window is None else bounds[-1]
    n_blocks = len(bounds) - 1
    n_phases = len(hist.phases)
    terminal = np.array(hist.terminal, dtype=bool)
    edges = np.array(EDGES_MONTHS, dtype=np.float64) * DAYS_PER_MONTH
    n_bins = len(edges)
    upper = np.append(edges[1:], np.inf)

    keep = (hist.span_start <= cutoff) & ~terminal[hist.span_phase]
    rows = np.flatnonzero(keep)
    phase = hist.span_phase[keep]
    begin = hist.span_start[keep]
    following = hist.span_next[keep]
    weight = hist.span_weight[keep]
    observed = following <= cutoff
    end = np.minimum(following, cutoff)
    next_phase = np.zeros(len(phase), dtype=np.int64)
    # The phase a spell went to is the phase of the product's next spell.
    next_phase[observed] = hist.span_phase[rows[observed] + 1]
    exposure_base = np.zeros((n_blocks, n_phases, n_bins))
    moves_base = np.zeros((n_blocks, n_phases, n_bins, n_phases))
    for block in range(n_blocks):
        block_end, block_start = bounds[block], bounds[block + 1]
        # At risk from the block's start (left truncation) to its end or the spell's.
        lo = np.maximum(block_start - begin, 0).astype(np.float64)
        hi = (np.minimum(end, block_end) - begin).astype(np.float64)
        overlap = np.clip(np.minimum(hi[:, None], upper) - np.maximum(lo[:, None], edges), 0, None)
        np.add.at(exposure_base[block], phase, overlap * weight[:, None])
        counted = observed & (following > block_start) & (following <= block_end)
        duration = (following - begin)[counted].astype(np.float64)
        bin_of = np.clip(np.searchsorted(edges, duration, side="left") - 1, 0, n_bins - 1)
        np.add.at(moves_base[block], (phase[counted], bin_of, next_phase[counted]), weight[counted])

    exits_base = moves_base.sum(axis=(0, 3))
    merged = np.zeros((n_phases, n_bins), dtype=np.int64)
    for i in range(n_phases):
        merged[i] = _merge_bins(exits_base[i], MIN_EVENTS)
    n_groups = int(merged.max()) + 1
    exposure = np.zeros((n_blocks, n_phases, n_groups))
    moves = np.zeros((n_blocks, n_phases, n_groups, n_phases))
    for i in range(n_phases):
        for k in range(n_bins):
            exposure[:, i, merged[i, k]] += exposure_base[:, i, k]
            moves[:, i, merged[i, k]] += moves_base[:, i, k]
    overall = moves.sum(axis=(0, 2))
    totals = overall.sum(axis=1, keepdims=True)
    prior = np.divide(overall, totals, out=np.zeros_like(overall), where=totals > 0) * MIX_PRIOR

    entry_low = add_months(start, -entry_window)
    month_bounds = np.array(
        [add_months(entry_low, j).toordinal() for j in range(entry_window + 1)], dtype=np.int64
    )
    fresh = (hist.first_day > month_bounds[0]) & (hist.first_day <= month_bounds[-1])
    day = hist.first_day[fresh]
    month = np.searchsorted(month_bounds, day, side="left") - 1
    return _Fit(
        phases=hist.phases,
        terminal=terminal,
        edges=edges,
        merged=merged,
        exits=moves.sum(axis=3),
        exposure=exposure,
        moves=moves,
        prior=prior,
        entry_month=month,
        entry_offset=day - month_bounds[month] - 1,
        entry_phase=hist.first_phase[fresh],
        entry_group=hist.group_of[fresh],
        entry_months=entry_window,
        entry_block_of_month=(entry_window - 1 - np.arange(entry_window)) // 12,
        window=(dt.date.fromordinal(int(max(bounds[-1], first))), start),
    )


def hist_first(hist: _Histories) -> int:
    """The first day of any phase in ``hist`` (the start of "all history")."""
    days = hist.first_day[hist.first_day >= 0]
    return int(days.min()) if len(days) else start_of_time()


def start_of_time() -> int:
    """The ordinal of 2000-01-01, the start of "all history" of an empty portfolio."""
    return dt.date(2000, 1, 1).toordinal()


# -- simulation -------------------------------------------------------------------------


@attrs.frozen
class _Plan:
    """What one forecast simulates: the start state, the horizon and the entries."""

    fit: _Fit
    months: int
    month_days: Any  # day offset of each month start from the start date, months + 1 values
    within: int
    # Products existing on the start date: every one for the counts and outcomes,
    # the non-terminal ones (``live_*``) for the simulation.
    base_counts: Any  # I
    base_group_counts: Any  # G x I
    now_phase: Any  # P: phase index on the start date (-1: not started)
    live_product: Any
    live_phase: Any
    live_since: Any  # day the current phase started, relative to the start (<= 0)
    live_group: Any
    n_groups: int
    entries: float | None  # None: repeat the recent months; else a Poisson mean per month
    uncertain: bool
    by_group: bool


@attrs.frozen
class _Block:
    """One block of runs: counts per run, month and phase (and group), outcome tallies."""

    counts: Any
    group_counts: Any
    outcome_counts: Any
    draws: int


def _resample(n_blocks: int, rng: Any, runs: int, uncertain: bool) -> tuple[Any, int]:
    """Per run, how many times each block is drawn (a bootstrap of the blocks)."""
    np = _numpy()
    if not uncertain or n_blocks == 1:
        return np.ones((runs, n_blocks)), 0
    drawn = rng.integers(0, n_blocks, size=(runs, n_blocks))
    weights = np.zeros((runs, n_blocks))
    np.add.at(weights, (np.arange(runs)[:, None], drawn), 1.0)
    return weights, runs * n_blocks


SETS = 32
"""Bootstrap resamples of the calibration blocks per forecast; each run uses one."""

GRID = 256
"""Survival levels tabulated per parameter set and phase (stays are interpolated between)."""

EXACT = 16
"""
The last cells (survival levels under 1/16: long stays) are inverted exactly.

Elsewhere the linear interpolation is within 0.4 day of the exact stay
(changes are dated to the day), and the tables stay small enough (half a
megabyte) to be read from the cache.
"""


def _bits(count: int) -> int:
    """Bits needed to hold ``count`` distinct values."""
    return max(1, (count - 1).bit_length())


@attrs.frozen
class _Tables:
    """
    Sampling tables of a forecast's parameter sets.

    A *row* is ``set << phase_bits | phase`` (phases are padded to a power
    of two). Per row and grid cell (survival level ``1 - c / GRID``): the
    stay, the step to the next cell's (stays are interpolated linearly
    within a cell), and the cell's duration bin. Per row: the survival at
    the end of each duration bin but the last, and the stay at survival
    1/16, where the far tail (inverted exactly) starts. Per row and
    duration bin: the hazard rate, the cumulative hazard at the bin's start,
    and an alias table of the next phase (acceptance and alias of each of
    its ``width`` columns).
    """

    n_sets: int
    phase_bits: int
    grid: Any  # per row and cell: the stay and the step (float32 pairs, flat)
    grid_bin: Any  # per row and cell: the duration bin (uint8, flat)
    ends: Any
    long_stay: Any
    rate: Any
    hazard: Any
    edges: Any
    accept: Any
    alias: Any

    @property
    def width(self) -> int:
        return 1 << self.phase_bits

    @property
    def n_bins(self) -> int:
        return len(self.edges)

    def arrays(self) -> tuple[Any, ...]:
        """The tables in the order :func:`betastate._analytics.kernel.run_block` takes them."""
        return (
            self.grid,
            self.grid_bin,
            self.ends,
            self.long_stay,
            self.rate,
            self.hazard,
            self.edges,
            self.accept,
            self.alias,
        )


def _alias(prob: Any) -> tuple[Any, Any]:
    """Walker alias tables of each row of ``prob`` (rows x width, rows summing to 1)."""
    np = _numpy()
    rows, width = prob.shape
    scaled = prob * width
    accept = np.ones((rows, width))
    alias = np.tile(np.arange(width), (rows, 1))
    done = np.zeros((rows, width), dtype=bool)
    every = np.arange(rows)
    for _ in range(width):
        small = np.where(done, np.inf, scaled).argmin(axis=1)
        large = np.where(done, -np.inf, scaled).argmax(axis=1)
        low = scaled[every, small]
        act = (low < 1.0) & ~done[every, small] & (small != large)
        rows_act = every[act]
        accept[rows_act, small[act]] = low[act]
        alias[rows_act, small[act]] = large[act]
        scaled[rows_act, large[act]] -= 1.0 - low[act]
        done[rows_act, small[act]] = True
        if not act.any():
            break
    return accept, alias


def _grid(
    lam: Any, hazard: Any, edges: Any, phase_bits: int, n_phases: int
) -> tuple[Any, Any, Any]:
    """
    Per row: the stay at each survival level ``1 - c / GRID``.

    Also the step to the next cell's stay (0 where a stay is endless) and
    the duration bin at each cell's middle. Rows of padding phases are left
    endless.
    """
    np = _numpy()
    n_rows = len(lam)
    levels = 1.0 - np.arange(GRID + 1) / GRID
    with np.errstate(divide="ignore"):
        target = -np.log(levels)
    grid_time = np.full((n_rows, GRID + 1), np.inf)
    grid_bin = np.zeros((n_rows, GRID), dtype=np.int64)
    middle = -np.log(1.0 - (np.arange(GRID) + 0.5) / GRID)
    for row in range(n_rows):
        if row & ((1 << phase_bits) - 1) >= n_phases:
            continue
        k = np.searchsorted(hazard[row], target, side="right") - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            grid_time[row] = np.where(
                lam[row, k] > 0, edges[k] + (target - hazard[row, k]) / lam[row, k], np.inf
            )
        grid_bin[row] = np.searchsorted(hazard[row], middle, side="right") - 1
    with np.errstate(invalid="ignore"):
        step = grid_time[:, 1:] - grid_time[:, :-1]
    # An endless stay stays endless (inf + 0 x fraction); the last cell's step to the
    # endless level 0 is never used (that cell is inverted exactly).
    step[~np.isfinite(step)] = 0.0
    return grid_time, step, grid_bin


def _tables(plan: _Plan, rng: Any) -> tuple[_Tables, int]:
    """
    The hazards and next-phase mixes of each parameter set, as sampling tables.

    Each set recomputes the estimates on its own bootstrap of the 12-month
    blocks, so the runs differ as much as the years of the window did. A
    pseudo-exit at the pooled rate keeps a bin that a resample left empty
    at a sensible hazard (with every block once it gives the pooled rate
    exactly).
    """
    np = _numpy()
    fit = plan.fit
    n_blocks, n_phases, _ = fit.exits.shape
    n_sets = SETS if plan.uncertain and n_blocks > 1 else 1
    weights, draws = _resample(n_blocks, rng, n_sets, plan.uncertain)
    exits = np.tensordot(weights, fit.exits, axes=1)
    exposure = np.tensordot(weights, fit.exposure, axes=1)
    moves = np.tensordot(weights, fit.moves, axes=1)
    pooled = fit.pooled_rate
    prior_exposure = np.divide(1.0, pooled, out=np.zeros_like(pooled), where=pooled > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(pooled > 0, (exits + 1.0) / (exposure + prior_exposure), 0.0)
    alpha = moves + fit.prior[:, None, :]
    totals = alpha.sum(axis=3, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        mix = np.where(totals > 0, alpha / totals, 0.0)
    phase_bits = _bits(n_phases)
    width = 1 << phase_bits
    n_rows = n_sets << phase_bits
    n_bins = len(fit.edges)
    merged = fit.merged
    lam = np.zeros((n_sets, width, n_bins))
    lam[:, :n_phases] = np.take_along_axis(
        rate, np.broadcast_to(merged, (n_sets, *merged.shape)), axis=2
    )
    rows_mix = np.zeros((n_sets, width, n_bins, width))
    rows_mix[:, :n_phases, :, :n_phases] = np.take_along_axis(
        mix, np.broadcast_to(merged[..., None], (n_sets, *merged.shape, n_phases)), axis=2
    )
    rows_mix = rows_mix.reshape(-1, width)
    empty = rows_mix.sum(axis=1) == 0
    rows_mix[empty, 0] = 1.0  # a phase nobody left: never sampled (its stays are endless)
    accept, alias = _alias(rows_mix)
    lam = lam.reshape(n_rows, n_bins)
    hazard = np.zeros_like(lam)
    np.cumsum(lam[:, :-1] * np.diff(fit.edges), axis=1, out=hazard[:, 1:])
    survival = np.exp(-hazard)
    grid_time, step, grid_bin = _grid(lam, hazard, fit.edges, phase_bits, n_phases)
    tables = _Tables(
        n_sets=n_sets,
        phase_bits=phase_bits,
        grid=np.stack([grid_time[:, :-1], step], axis=2).astype(np.float32).reshape(-1),
        grid_bin=grid_bin.astype(np.uint8).reshape(-1),
        ends=np.ascontiguousarray(survival[:, 1:]),
        long_stay=grid_time[:, GRID - EXACT].copy(),
        rate=lam.reshape(-1),
        hazard=hazard.reshape(-1),
        edges=fit.edges,
        accept=np.minimum(accept, 1.0).reshape(-1).astype(np.float32),
        alias=alias.reshape(-1).astype(np.int8),
    )
    return tables, draws


@attrs.frozen
class _Shared:
    """
    What every block of a forecast's runs reads: its calendar, live products and entries.

    Groups are incubators when the forecast counts by incubator, else one.
    ``repeated`` holds the new products of every block, as the kernel takes
    them, when runs repeat the entry window's months: its 12-month blocks
    and its products month by month (``None``: a Poisson scenario, or no
    entries, drawn for each block).
    """

    n_groups: int
    calendar: tuple[Any, Any, Any, int, int]
    live: tuple[Any, Any, Any, Any, Any]
    repeated: tuple[Any, ...] | None


def _shared(plan: _Plan, tables: _Tables) -> _Shared:
    np = _numpy()
    fit = plan.fit
    days = plan.month_days.astype(np.int64)
    horizon = int(days[-1])
    n_phases = len(fit.phases)
    going_on = np.zeros(tables.width, dtype=np.bool_)
    going_on[:n_phases] = ~fit.terminal
    month_of_day = np.searchsorted(days, np.arange(horizon + 2), side="left").astype(np.int64)
    live_group = plan.live_group if plan.by_group else np.zeros_like(plan.live_group)
    # The survival a live product reached in its phase, under each parameter set.
    elapsed = -plan.live_since.astype(np.float64)
    edges = fit.edges
    at = np.searchsorted(edges, elapsed, side="right") - 1
    rows = (np.arange(tables.n_sets)[:, None] << tables.phase_bits) | plan.live_phase[None, :]
    flat = rows * tables.n_bins + at
    alive = np.exp(-(tables.hazard[flat] + tables.rate[flat] * (elapsed - edges[at])))
    repeated = None
    if plan.entries is None and len(fit.entry_phase):
        # Each window month's entries, in the order they were recorded; the kernel
        # draws the months each run repeats, from the window's blocks.
        order = np.argsort(fit.entry_month, kind="stable")
        phase = fit.entry_phase[order]
        size = np.bincount(fit.entry_month, minlength=fit.entry_months)
        templates = _templates(
            plan, size, phase, fit.entry_group[order], fit.entry_offset[order], going_on
        )
        block_of = fit.entry_block_of_month
        blocks = np.array(
            [
                [int(np.flatnonzero(block_of == b).min()), int((block_of == b).sum())]
                for b in range(int(block_of.max()) + 1)
            ],
            dtype=np.int64,
        )
        no_months = np.zeros((0, plan.months), dtype=np.int64)
        repeated = (blocks, no_months, plan.uncertain, *templates)
    return _Shared(
        n_groups=plan.n_groups if plan.by_group else 1,
        calendar=(going_on, month_of_day, days, horizon, int(days[plan.within])),
        live=(
            plan.live_phase.astype(np.int64),
            live_group.astype(np.int64),
            plan.live_since.astype(np.float64),
            at.astype(np.int64),
            np.ascontiguousarray(alive),
        ),
        repeated=repeated,
    )


def _templates(  # noqa: PLR0917  (the columns of a table)
    plan: _Plan, size: Any, phase: Any, group: Any, offset: Any, going_on: Any
) -> tuple[Any, Any, Any, Any, Any, Any]:
    """Template months (first product, count) and their products (phase, group, offset, live)."""
    np = _numpy()
    first = np.cumsum(size) - size
    group = group if plan.by_group else np.zeros_like(phase)
    return (
        first.astype(np.int64),
        size.astype(np.int64),
        phase.astype(np.int64),
        group.astype(np.int64),
        offset.astype(np.int64),
        np.take(going_on, phase),
    )


def _block_arrivals(
    plan: _Plan, shared: _Shared, rng: Any, runs: int
) -> tuple[tuple[Any, ...], int]:
    """A block's new products, as the kernel takes them, and the random numbers drawn."""
    np = _numpy()
    months = plan.months
    if shared.repeated is not None:
        return shared.repeated, 0
    no_blocks = np.zeros((0, 2), dtype=np.int64)
    fit = plan.fit
    if not plan.entries:
        drawn = np.full((runs, months), -1, dtype=np.int64)
        empty = np.zeros(0, dtype=np.int64)
        nothing = (empty, empty, empty, empty, empty, np.zeros(0, dtype=np.bool_))
        return (no_blocks, drawn, False, *nothing), 0
    pool = len(fit.entry_phase)
    if pool == 0:
        msg = "no product ever started: nothing tells which phase new products enter"
        raise InvalidArgument(
            "entries", plan.entries, msg, "give entries=0, or a portfolio with history"
        )
    # A Poisson number of products per run and month, each a recent entry at random.
    lengths = np.diff(plan.month_days).astype(np.int64)
    size = rng.poisson(plan.entries, size=runs * months)
    cells = np.repeat(np.arange(runs * months), size)
    which = rng.integers(0, pool, size=len(cells))
    offset = np.floor(rng.random(len(cells)) * lengths[cells % months]).astype(np.int64)
    going_on = shared.calendar[0]
    templates = _templates(
        plan, size, fit.entry_phase[which], fit.entry_group[which], offset, going_on
    )
    drawn = np.arange(runs * months, dtype=np.int64).reshape(runs, months)
    return (no_blocks, drawn, False, *templates), runs * months + 2 * len(cells)


def _checked(checks: tuple[bool, ...]) -> None:
    """
    Raise if any check fails: the compiled loop does not check bounds itself.

    The tables and the arrivals are built to fit; this makes a mistake in
    them a Python error rather than a read outside an array.
    """
    if not all(checks):  # pragma: no cover - a defect of the tables, not of the input
        failed = [k for k, ok in enumerate(checks) if not ok]
        msg = f"forecast tables out of shape (checks {failed}): please report it"
        raise RuntimeError(msg)


def _check_tables(tables: _Tables, shared: _Shared) -> None:
    """Check every index the compiled loop takes in the tables and the shared arrays, once."""
    np = _numpy()
    from betastate._analytics import kernel  # noqa: PLC0415  (compiles on first use)

    width, n_rows = tables.width, tables.n_sets << tables.phase_bits
    _, month_of_day, days, horizon, within_day = shared.calendar
    live_phase, live_group, _, live_bin, alive = shared.live
    _checked(
        (
            tables.grid.shape == (n_rows * GRID * 2,),
            tables.grid_bin.shape == (n_rows * GRID,),
            int(tables.grid_bin.max()) < tables.n_bins,
            tables.ends.shape == (n_rows, tables.n_bins - 1),
            len(tables.accept) == len(tables.alias) == n_rows * tables.n_bins * width,
            bool(np.all((tables.alias >= 0) & (tables.alias < width))),
            len(month_of_day) == horizon + 2 and int(month_of_day.max()) <= len(days),
            0 <= within_day <= horizon,
            bool(np.all((live_phase >= 0) & (live_phase < width))),
            bool(np.all((live_group >= 0) & (live_group < shared.n_groups))),
            bool(np.all((live_bin >= 0) & (live_bin < tables.n_bins))),
            alive.shape == (tables.n_sets, len(live_phase)),
            max(width, shared.n_groups) <= kernel.CODE_LIMIT,
        )
    )
    if shared.repeated is not None:
        _check_arrivals(tables, shared, 0, shared.repeated)


def _check_arrivals(tables: _Tables, shared: _Shared, runs: int, arrivals: tuple[Any, ...]) -> None:
    """Check the indices of new products: repeated months, or a block's own (``runs`` of them)."""
    np = _numpy()
    blocks, drawn, _, first, size, phase, group, offset, _ = arrivals
    months = len(shared.calendar[2]) - 1
    _checked(
        (
            not len(blocks)
            or bool(np.all((blocks[:, 1] > 0) & (blocks.sum(axis=1) <= len(first)))),
            len(blocks) > 0 or drawn.shape == (runs, months),
            bool(np.all((drawn >= -1) & (drawn < len(first)))),
            len(first) == len(size) and (not len(first) or int((first + size).max()) <= len(phase)),
            len(phase) == len(group) == len(offset),
            bool(np.all((phase >= 0) & (phase < tables.width) & (group >= 0))),
            bool(np.all(group < shared.n_groups)),
        )
    )


def _simulate_block(plan: _Plan, tables: _Tables, shared: _Shared, runs: int, seed: Any) -> _Block:
    """
    Simulate ``runs`` runs, from one phase change to the next, product after product.

    The block's parameter sets (and a Poisson scenario's new products) are
    drawn with numpy, from an SFC64 stream; the compiled loop goes on with
    the same stream.
    """
    np = _numpy()
    from betastate._analytics import kernel  # noqa: PLC0415  (compiles on first use)

    bits = np.random.SFC64(seed)
    rng = np.random.Generator(bits)
    draws = 0
    if tables.n_sets > 1:
        set_of_run = rng.integers(0, tables.n_sets, size=runs)
        draws += runs
    else:
        set_of_run = np.zeros(runs, dtype=np.int64)
    arrivals, drawn = _block_arrivals(plan, shared, rng, runs)
    draws += drawn
    _checked((bool(np.all((set_of_run >= 0) & (set_of_run < tables.n_sets))),))
    if shared.repeated is None:
        _check_arrivals(tables, shared, runs, arrivals)
    state = np.array(bits.state["state"]["state"], dtype=np.uint64)
    n_phases = len(plan.fit.phases)
    counts = np.zeros((runs, plan.months + 1, n_phases), dtype=np.int32)
    if plan.by_group:
        base = plan.base_group_counts.astype(np.int64)
        groups = np.zeros((runs, plan.n_groups, plan.months + 1, n_phases), dtype=np.int16)
    else:
        base = plan.base_counts.astype(np.int64)[None, :]
        groups = np.zeros((0, 1, 1, 1), dtype=np.int16)
    outcome = np.zeros((len(plan.live_product), tables.width), dtype=np.int64)
    draws += kernel.run_block(
        state,
        set_of_run.astype(np.int64),
        tables.arrays(),
        (tables.phase_bits, GRID, EXACT, tables.n_bins),
        shared.calendar,
        shared.live,
        arrivals,
        np.ascontiguousarray(base),
        (counts, groups, outcome),
    )
    # Products live at the start: their phase ``within`` months later in each run;
    # the others (terminal at the start) stay where they are.
    tally = np.zeros((len(plan.now_phase), n_phases), dtype=np.int64)
    tally[plan.live_product] = outcome[:, :n_phases]
    settled = np.flatnonzero(plan.now_phase >= 0)
    settled = settled[plan.fit.terminal[plan.now_phase[settled]]]
    tally[settled, plan.now_phase[settled]] = runs
    return _Block(counts, groups if plan.by_group else None, tally, draws)


def _blocks(runs: int) -> list[int]:
    """Runs per block: full blocks of :data:`BLOCK`, then the rest."""
    sizes = [BLOCK] * (runs // BLOCK)
    if runs % BLOCK:
        sizes.append(runs % BLOCK)
    return sizes


def simulate(plan: _Plan, runs: int, entropy: int, workers: int) -> tuple[Any, Any, Any, int]:
    """
    Every run of ``plan``: counts ``(runs, months + 1, phases)``, the same per group, outcomes.

    The parameter sets come from the first stream spawned from ``entropy``;
    each block of runs has its own next stream, so the result does not
    depend on ``workers``.
    """
    np = _numpy()
    sizes = _blocks(runs)
    seeds = np.random.SeedSequence(entropy).spawn(len(sizes) + 1)
    tables, draws = _tables(plan, np.random.Generator(np.random.PCG64(seeds[0])))
    n_phases = len(plan.fit.phases)
    counts = np.empty((runs, plan.months + 1, n_phases), dtype=np.int32)
    groups = (
        np.empty((runs, plan.n_groups, plan.months + 1, n_phases), dtype=np.int16)
        if plan.by_group
        else None
    )
    outcome = np.zeros((len(plan.now_phase), n_phases), dtype=np.int64)
    firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64).tolist()
    shared = _shared(plan, tables)
    _check_tables(tables, shared)

    def one(index: int) -> _Block:
        return _simulate_block(plan, tables, shared, sizes[index], seeds[index + 1])

    if workers > 1 and len(sizes) > 1:
        from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

        # The compiled loop and numpy's array loops release the GIL: threads suffice.
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(one, range(len(sizes))))
    else:
        results = [one(index) for index in range(len(sizes))]
    for first, size, block in zip(firsts, sizes, results, strict=True):
        counts[first : first + size] = block.counts
        if groups is not None:
            groups[first : first + size] = block.group_counts
        outcome += block.outcome_counts
        draws += block.draws
    return counts, groups, outcome, draws


def make_plan(
    hist: _Histories,
    fit_: _Fit,
    *,
    start: dt.date,
    months: int,
    within: int,
    entries: float | None,
    uncertain: bool,
    by_group: bool,
) -> _Plan:
    np = _numpy()
    cutoff = start.toordinal()
    n_phases = len(hist.phases)
    current = (hist.span_start <= cutoff) & (hist.span_next > cutoff)
    product = hist.span_product[current]
    phase = hist.span_phase[current]
    since = hist.span_start[current] - cutoff
    now_phase = np.full(len(hist.slugs), -1, dtype=np.int64)
    now_phase[product] = phase
    base = np.bincount(phase, minlength=n_phases).astype(np.int64)
    base_groups = np.zeros((len(hist.groups), n_phases), dtype=np.int64)
    np.add.at(base_groups, (hist.group_of[product], phase), 1)
    live = ~fit_.terminal[phase]
    dates = [add_months(start, k) for k in range(months + 1)]
    return _Plan(
        fit=fit_,
        months=months,
        month_days=np.array([(d - start).days for d in dates], dtype=np.float64),
        within=within,
        base_counts=base,
        base_group_counts=base_groups,
        now_phase=now_phase,
        live_product=product[live],
        live_phase=phase[live],
        live_since=since[live],
        live_group=hist.group_of[product[live]],
        n_groups=len(hist.groups),
        entries=entries,
        uncertain=uncertain,
        by_group=by_group,
    )


# -- results ------------------------------------------------------------------------------

Series = tuple[float, ...]
"""One value per forecast month (month 0 is the start)."""


def _freeze(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """A read-only copy of nested mappings (frozen values hold no dict that could change)."""
    return MappingProxyType(
        {k: _freeze(v) if isinstance(v, Mapping) else v for k, v in value.items()}
    )


def _check_phase(phase: str, phases: Sequence[str]) -> None:
    if phase not in phases:
        raise InvalidArgument(
            "phase", phase, "not a phase of this forecast", f"use one of {', '.join(phases)}"
        )


@attrs.frozen(repr=False)
class Forecast:
    """
    What a portfolio may look like month by month: quantiles and means per phase.

    Get one with :meth:`betastate.Portfolio.forecast`. Month 0 is the start
    date (the counts recorded that day); month ``k`` is ``k`` months later.

    Attributes:
        start: The start date; the model read the histories up to it only.
        dates: The date of each month, ``months + 1`` of them.
        phases: The phases, in lifecycle order.
        runs: Simulated runs.
        seed: The seed that reproduces these numbers.
        entries: New products per month: the given scenario or the estimate
            (the mean of the entry window).
        stats: ``{phase: {statistic: values per month}}``; the statistics are
            ``q05``, ``q25``, ``q50``, ``q75``, ``q95`` (quantiles over runs)
            and ``mean``.
        groups: The same per incubator, when asked for (``by="incubator"``).
        within: Months after the start that :attr:`outcomes` look at.
        outcomes: ``{slug: {phase: probability}}``: the chance that each
            product started by the start date is in each phase ``within``
            months later; for a terminal phase, the chance of having reached
            it by then (terminal phases absorb).
        transitions: The calibrated model: ``{phase: {next phase:
            probability}}`` of where a product entering the phase goes next.
        median_stay: Median months in each non-terminal phase, as calibrated.
        exits: Phase changes seen in the calibration window, per phase
            (batch members count as a share of one).
        window: First and last day of the calibration window.
        rulebook: The rulebook whose phases and tie rule were used.

    .. versionadded:: 0.1.0
    """

    start: dt.date
    dates: tuple[dt.date, ...]
    phases: tuple[str, ...]
    runs: int
    seed: int
    entries: float
    stats: Mapping[str, Mapping[str, Series]] = attrs.field(converter=_freeze)
    groups: Mapping[str, Mapping[str, Mapping[str, Series]]] = attrs.field(converter=_freeze)
    within: int
    outcomes: Mapping[str, Mapping[str, float]] = attrs.field(converter=_freeze)
    transitions: Mapping[str, Mapping[str, float]] = attrs.field(converter=_freeze)
    median_stay: Mapping[str, float] = attrs.field(converter=_freeze)
    exits: Mapping[str, float] = attrs.field(converter=_freeze)
    window: tuple[dt.date, dt.date]
    rulebook: Rulebook = attrs.field(eq=False)

    def __repr__(self) -> str:
        return (
            f"Forecast(start={self.start.isoformat()}, months={self.months}, "
            f"runs={self.runs}, seed={self.seed}, entries={self.entries:.2f}/month)"
        )

    @property
    def months(self) -> int:
        """Months forecast after the start."""
        return len(self.dates) - 1

    def series(self, phase: str, statistic: str = "q50", group: str | None = None) -> Series:
        """
        One statistic of one phase, per month (of one incubator, if ``group`` is given).

        Raises:
            InvalidArgument: Unknown phase, statistic or group.
        """
        _check_phase(phase, self.phases)
        if statistic not in STATISTICS:
            raise InvalidArgument(
                "statistic", statistic, "not a statistic", f"use one of {', '.join(STATISTICS)}"
            )
        if group is None:
            return self.stats[phase][statistic]
        if group not in self.groups:
            fix = (
                f"use one of {', '.join(self.groups)}"
                if self.groups
                else 'forecast with by="incubator" first'
            )
            raise InvalidArgument("group", group, "no forecast for this group", fix)
        return self.groups[group][phase][statistic]

    def band(self, phase: str, level: int = 90, group: str | None = None) -> tuple[Series, Series]:
        """
        The central band of ``level`` percent (50 or 90): its low and high bounds per month.

        Raises:
            InvalidArgument: Unknown phase or group, or a level other than 50 or 90.
        """
        names = {50: ("q25", "q75"), 90: ("q05", "q95")}
        if level not in names:
            raise InvalidArgument("level", level, "no such band", "use 50 or 90")
        low, high = names[level]
        return self.series(phase, low, group), self.series(phase, high, group)

    def to_frame(self, by: GroupKey | None = None) -> Any:
        """
        A pandas DataFrame: one row per month, phase and statistic (and incubator with ``by``).

        Columns ``month`` (datetime64), [``incubator``], ``phase``,
        ``statistic`` (strings) and ``value`` (float). Needs pandas.
        """
        try:
            import pandas as pd  # noqa: PLC0415  (optional)
        except ImportError as exc:
            msg = 'DataFrames need pandas: pip install "betastate[analytics]"'
            raise ImportError(msg) from exc
        if by not in (None, "incubator"):
            raise InvalidArgument("by", by, "not a grouping of forecasts", 'use "incubator"')
        tables: list[tuple[str | None, Mapping[str, Mapping[str, Series]]]]
        if by is None:
            tables = [(None, self.stats)]
        else:
            if not self.groups:
                raise InvalidArgument(
                    "by",
                    by,
                    "this forecast was not made by incubator",
                    'forecast with by="incubator"',
                )
            tables = list(self.groups.items())
        rows: dict[str, list[Any]] = {"month": [], "incubator": [], "phase": [], "statistic": []}
        values: list[float] = []
        for group, stats in tables:
            for month in self.dates:
                index = self.dates.index(month)
                for phase in self.phases:
                    for statistic in STATISTICS:
                        rows["month"].append(month)
                        rows["incubator"].append(group)
                        rows["phase"].append(phase)
                        rows["statistic"].append(statistic)
                        values.append(stats[phase][statistic][index])
        data: dict[str, Any] = {
            "month": pd.to_datetime(pd.Series(rows["month"], dtype="object")).astype(
                "datetime64[ns]"
            ),
        }
        if by is not None:
            data["incubator"] = pd.Series(rows["incubator"], dtype="string")
        data["phase"] = pd.Series(rows["phase"], dtype="string")
        data["statistic"] = pd.Series(rows["statistic"], dtype="string")
        data["value"] = pd.Series(values, dtype="float64")
        return pd.DataFrame(data)

    def backtest(self, actual: Portfolio, until: dt.date | None = None) -> Backtest:
        """
        Compare with what ``actual`` records after the start, and with two naive forecasts.

        ``actual`` is the portfolio as known later (usually the one the
        forecast was made from: the model read nothing after the start).
        The months after the start up to ``until`` (default: today) are
        compared: each
        phase's count against the bands and the median, and against carrying
        the start's counts forward and extending the last 12 months' linear
        trend (least squares through the 13 month starts, floored at 0).

        Raises:
            InvalidArgument: No forecast month after the start is on or before ``until``.
        """
        return _backtest(self, actual, until)


@attrs.frozen(repr=False)
class Backtest:
    """
    A forecast against what happened: band coverage and mean absolute errors.

    Attributes:
        forecast: The forecast checked.
        dates: The months compared (the start excluded).
        phases: The phases compared.
        actual: ``{phase: counts per month}`` recorded.
        before_dates: The 13 month starts up to the start (the trend's data).
        before: ``{phase: counts}`` recorded on those dates.
        carry: ``{phase: counts}`` of the naive forecast that carries the
            start's counts forward.
        trend: ``{phase: counts}`` of the naive forecast that extends the
            linear trend of the 12 months before the start.
        coverage: ``{50: share, 90: share}`` of monthly phase counts inside
            the 50 % and 90 % bands (bounds included).
        phase_coverage: ``{phase: {50: share, 90: share}}``.
        mae: ``{method: {phase: mean absolute error}}`` for the methods
            ``median`` (the forecast's), ``carry`` and ``trend``.

    .. versionadded:: 0.1.0
    """

    forecast: Forecast
    dates: tuple[dt.date, ...]
    phases: tuple[str, ...]
    actual: Mapping[str, tuple[int, ...]] = attrs.field(converter=_freeze)
    before_dates: tuple[dt.date, ...]
    before: Mapping[str, tuple[int, ...]] = attrs.field(converter=_freeze)
    carry: Mapping[str, Series] = attrs.field(converter=_freeze)
    trend: Mapping[str, Series] = attrs.field(converter=_freeze)
    coverage: Mapping[int, float] = attrs.field(converter=_freeze)
    phase_coverage: Mapping[str, Mapping[int, float]] = attrs.field(converter=_freeze)
    mae: Mapping[str, Mapping[str, float]] = attrs.field(converter=_freeze)

    def __repr__(self) -> str:
        return (
            f"Backtest(start={self.forecast.start.isoformat()}, months={len(self.dates)}, "
            f"coverage90={self.coverage[90]:.2f}, mae={self.total('median'):.1f})"
        )

    def total(self, method: str = "median") -> float:
        """The mean absolute error of ``method`` summed over phases."""
        if method not in self.mae:
            raise InvalidArgument(
                "method", method, "not a forecast compared", f"use one of {', '.join(self.mae)}"
            )
        return sum(self.mae[method].values())

    @property
    def beats_naive(self) -> bool:
        """Whether the median's summed error is below both naive forecasts'."""
        return self.total("median") < min(self.total("carry"), self.total("trend"))

    def __str__(self) -> str:
        head = (
            f"calibrated up to {self.forecast.start.isoformat()}, compared monthly "
            f"{self.dates[0].isoformat()}..{self.dates[-1].isoformat()} "
            f"({len(self.dates)} months, {self.forecast.runs} runs, seed {self.forecast.seed})"
        )
        width = max(len(p) for p in self.phases)
        columns = (
            f"{'phase':<{width}}  {'in 50%':>6}  {'in 90%':>6}  "
            f"{'MAE median':>10}  {'carry':>6}  {'trend':>6}"
        )
        lines = [head, columns]
        for phase in self.phases:
            cover = self.phase_coverage[phase]
            lines.append(
                f"{phase:<{width}}  {cover[50]:>6.0%}  {cover[90]:>6.0%}  "
                f"{self.mae['median'][phase]:>10.1f}  {self.mae['carry'][phase]:>6.1f}  "
                f"{self.mae['trend'][phase]:>6.1f}"
            )
        lines.append(
            f"{'all':<{width}}  {self.coverage[50]:>6.0%}  {self.coverage[90]:>6.0%}  "
            f"{self.total('median'):>10.1f}  {self.total('carry'):>6.1f}  "
            f"{self.total('trend'):>6.1f}"
        )
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """
        A pandas DataFrame: one row per month and phase, recorded count and forecasts.

        Columns ``month``, ``phase``, ``actual``, ``q05``, ``q25``, ``q50``,
        ``q75``, ``q95``, ``carry``, ``trend``. Needs pandas.
        """
        import pandas as pd  # noqa: PLC0415  (optional)

        first = self.forecast.dates.index(self.dates[0])
        rows: list[dict[str, Any]] = []
        for offset, month in enumerate(self.dates):
            for phase in self.phases:
                stats = self.forecast.stats[phase]
                rows.append(
                    {
                        "month": month,
                        "phase": phase,
                        "actual": self.actual[phase][offset],
                        **{q: stats[q][first + offset] for q in STATISTICS[:5]},
                        "carry": self.carry[phase][offset],
                        "trend": self.trend[phase][offset],
                    }
                )
        frame = pd.DataFrame(rows)
        frame["month"] = pd.to_datetime(frame["month"]).astype("datetime64[ns]")
        frame["phase"] = frame["phase"].astype("string")
        return frame


# -- entry points ---------------------------------------------------------------------------


def _whole(name: str, value: object, low: int, fix: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(name, value, "must be a whole number", fix)
    if value < low:
        raise InvalidArgument(name, value, f"must be at least {low}", fix)
    return value


@attrs.frozen
class _Options:
    """A forecast's arguments, checked."""

    start: dt.date
    months: int
    runs: int
    seed: int
    entries: float | None
    by_group: bool
    within: int
    window: int | None
    entry_window: int
    workers: int


def _check_start(hist: _Histories, start: object) -> dt.date:
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise InvalidArgument("start", start, "must be a datetime.date", "pass a date")
    first = hist.first_day[hist.first_day >= 0]
    if not len(first) or start.toordinal() < int(first.min()):
        fix = (
            f"start on or after {dt.date.fromordinal(int(first.min())).isoformat()}, "
            "the first phase start of the portfolio"
            if len(first)
            else "forecast a portfolio with at least one phase"
        )
        raise InvalidArgument("start", start, "is before any history", fix)
    return start


def _check_entries(entries: object) -> float | None:
    if entries is None:
        return None
    if isinstance(entries, bool) or not isinstance(entries, int | float):
        raise InvalidArgument(
            "entries", entries, "must be a number per month or None", "e.g. entries=5.0"
        )
    rate = float(entries)
    if not math.isfinite(rate) or rate < 0:
        raise InvalidArgument(
            "entries",
            entries,
            "must be a finite number of new products per month, 0 or more",
            "pass 0 for none, None to estimate it, or a rate such as 5.0",
        )
    return rate


def _check_within(within: object, months: int) -> int:
    if within is None:
        return months
    horizon = _whole("within", within, 1, f"give a month from 1 to months={months}")
    if horizon > months:
        raise InvalidArgument(
            "within",
            within,
            f"is after the last month forecast ({months})",
            f"give a month from 1 to {months}, or forecast more months",
        )
    return horizon


def _arguments(hist: _Histories, **given: object) -> _Options:
    """Check every argument; each error names the argument and the fix."""
    start = _check_start(hist, given["start"])
    months = _whole("months", given["months"], 1, "forecast 1 month or more, e.g. months=60")
    runs = _whole("runs", given["runs"], 1, "simulate 1 run or more, e.g. runs=10_000")
    seed = given["seed"]
    if seed is None:
        import secrets  # noqa: PLC0415

        seed = secrets.randbits(63)
    seed = _whole("seed", seed, 0, "pass a non-negative whole number, or None for a fresh seed")
    by = given["by"]
    if by not in (None, "incubator"):
        raise InvalidArgument("by", by, "not a grouping of forecasts", 'use None or "incubator"')
    window = given["window"]
    size = (
        None
        if window is None
        else _whole("window", window, 1, "give the months of history to calibrate on, e.g. 36")
    )
    workers = given["workers"]
    threads = (
        min(2, os.cpu_count() or 1)
        if workers is None
        else _whole("workers", workers, 1, "give 1 or more threads, e.g. workers=2")
    )
    return _Options(
        start=start,
        months=months,
        runs=runs,
        seed=seed,
        entries=_check_entries(given["entries"]),
        by_group=by == "incubator",
        within=_check_within(given["within"], months),
        window=size,
        entry_window=_whole(
            "entry_window",
            given["entry_window"],
            1,
            "give the months of entries to repeat, e.g. 24",
        ),
        workers=threads,
    )


def _summaries(
    fit_: _Fit,
) -> tuple[dict[str, dict[str, float]], dict[str, float], dict[str, float]]:
    """Where each phase leads, its median stay (months) and exits seen, from the pooled fit."""
    np = _numpy()
    rate = fit_.pooled_rate
    exits = fit_.exits.sum(axis=0)
    moves = fit_.moves.sum(axis=0) + fit_.prior[:, None, :]
    totals = moves.sum(axis=2, keepdims=True)
    mix = np.divide(moves, totals, out=np.zeros_like(moves), where=totals > 0)
    edges = fit_.edges
    widths = np.append(np.diff(edges), np.inf)
    transitions: dict[str, dict[str, float]] = {}
    stays: dict[str, float] = {}
    seen: dict[str, float] = {}
    for i, phase in enumerate(fit_.phases):
        if fit_.terminal[i]:
            continue
        lam = rate[i][fit_.merged[i]]
        weights = mix[i][fit_.merged[i]]
        seen[phase] = float(exits[i].sum())
        hazard_before = np.concatenate([[0.0], np.cumsum(lam[:-1] * widths[:-1])])
        alive = np.exp(-hazard_before)
        leaving = alive - np.append(alive[1:], 0.0 if lam[-1] > 0 else alive[-1])
        reach = (leaving[:, None] * weights).sum(axis=0)
        transitions[phase] = {
            fit_.phases[j]: float(reach[j]) for j in range(len(fit_.phases)) if reach[j] > 0
        }
        half = math.log(2.0)
        k = int(np.searchsorted(hazard_before, half, side="right") - 1)
        if lam[k] > 0:
            stays[phase] = float((edges[k] + (half - hazard_before[k]) / lam[k]) / DAYS_PER_MONTH)
        else:
            stays[phase] = math.inf
    return transitions, stays, seen


def forecast(
    portfolio: Portfolio,
    start: dt.date,
    *,
    months: int = 60,
    runs: int = 10_000,
    seed: int | None = None,
    entries: float | None = None,
    by: GroupKey | None = None,
    within: int | None = None,
    window: int | None = 36,
    entry_window: int = 24,
    rulebook: Rulebook | None = None,
    workers: int | None = None,
    hist: _Histories | None = None,
) -> Forecast:
    """See :meth:`betastate.Portfolio.forecast`."""
    np = _numpy()
    book = default_rulebook(rulebook)
    data = hist if hist is not None else histories(portfolio, book)
    options = _arguments(
        data,
        start=start,
        months=months,
        runs=runs,
        seed=seed,
        entries=entries,
        by=by,
        within=within,
        window=window,
        entry_window=entry_window,
        workers=workers,
    )
    fit_ = fit(data, options.start, options.window, options.entry_window)
    plan = make_plan(
        data,
        fit_,
        start=options.start,
        months=options.months,
        within=options.within,
        entries=options.entries,
        uncertain=True,
        by_group=options.by_group,
    )
    counts, group_counts, outcome, _ = simulate(plan, options.runs, options.seed, options.workers)
    phases = data.phases
    stats = _stats(counts, phases)
    groups: dict[str, Any] = {}
    if group_counts is not None:
        for g, name in enumerate(data.groups):
            groups[name] = _stats(group_counts[:, g], phases)
    outcomes: dict[str, dict[str, float]] = {}
    for product, slug in enumerate(data.slugs):
        if plan.now_phase[product] >= 0:
            shares = outcome[product] / options.runs
            outcomes[slug] = {phases[j]: float(shares[j]) for j in np.flatnonzero(shares)}
    transitions, stays, seen = _summaries(fit_)
    rate = len(fit_.entry_phase) / fit_.entry_months if options.entries is None else options.entries
    return Forecast(
        start=options.start,
        dates=tuple(add_months(options.start, k) for k in range(options.months + 1)),
        phases=phases,
        runs=options.runs,
        seed=options.seed,
        entries=float(rate),
        stats=stats,
        groups=groups,
        within=options.within,
        outcomes=outcomes,
        transitions=transitions,
        median_stay=stays,
        exits=seen,
        window=fit_.window,
        rulebook=book,
    )


def quantiles(counts: Any, levels: Sequence[float]) -> Any:
    """
    ``np.quantile(counts, levels, axis=0)`` (its "linear" method) for whole counts, faster.

    Counts are small non-negative integers, so a histogram per column gives
    the order statistics directly: one pass over the data instead of a
    partial sort of every column.
    """
    np = _numpy()
    runs = counts.shape[0]
    flat = counts.reshape(runs, -1)
    n_columns = flat.shape[1]
    top = int(flat.max()) + 1 if flat.size else 1
    keys = flat + (np.arange(n_columns) * top)[None, :]
    histogram = np.bincount(keys.reshape(-1), minlength=n_columns * top).reshape(n_columns, top)
    below = np.cumsum(histogram, axis=1)  # below[c, v]: values <= v in column c
    out = np.empty((len(levels), n_columns))
    for q, level in enumerate(levels):
        position = (runs - 1) * level
        low = math.floor(position)
        high = min(low + 1, runs - 1)
        fraction = position - low
        # The value of order statistic r (0-based) is the first v with below > r.
        value_low = (below <= low).sum(axis=1)
        value_high = (below <= high).sum(axis=1)
        out[q] = value_low + (value_high - value_low) * fraction
    return out.reshape(len(levels), *counts.shape[1:])


def _stats(counts: Any, phases: Sequence[str]) -> dict[str, dict[str, Series]]:
    """Quantiles and mean over runs (axis 0) of ``counts`` (runs x months x phases)."""
    quantile = quantiles(counts, LEVELS)
    mean = counts.mean(axis=0)
    out: dict[str, dict[str, Series]] = {}
    for i, phase in enumerate(phases):
        row = {name: tuple(quantile[q, :, i].tolist()) for q, name in enumerate(STATISTICS[:5])}
        row["mean"] = tuple(mean[:, i].tolist())
        out[phase] = row
    return out


def last_change(hist: _Histories) -> dt.date | None:
    """The latest phase start on or before today (``None``: none)."""
    limit = today().toordinal()
    days = hist.span_start[hist.span_start <= limit]
    return dt.date.fromordinal(int(days.max())) if len(days) else None


def recorded(hist: _Histories, dates: Sequence[dt.date]) -> Any:
    """Counts per date and phase recorded in ``hist`` (products started by each date)."""
    np = _numpy()
    days = np.array([d.toordinal() for d in dates], dtype=np.int64)
    out = np.zeros((len(days), len(hist.phases)), dtype=np.int64)
    for t, day in enumerate(days):
        now = (hist.span_start <= day) & (hist.span_next > day)
        out[t] = np.bincount(hist.span_phase[now], minlength=len(hist.phases))
    return out


def _backtest(
    result: Forecast, actual: Portfolio, until: dt.date | None, hist: _Histories | None = None
) -> Backtest:
    np = _numpy()
    given: object = until  # callers without a type checker may pass anything
    if given is not None and (not isinstance(given, dt.date) or isinstance(given, dt.datetime)):
        raise InvalidArgument("until", until, "must be a datetime.date", "pass a date or None")
    last = until if until is not None else today()
    dates = tuple(d for d in result.dates[1:] if d <= last)
    if not dates:
        raise InvalidArgument(
            "until",
            last,
            f"is before the first month forecast after {result.start.isoformat()}",
            f"compare up to {result.dates[1].isoformat()} or later",
        )
    data = hist if hist is not None else histories(actual, result.rulebook)
    phases = result.phases
    index = {p: i for i, p in enumerate(data.phases)}
    before = [add_months(result.start, k) for k in range(-12, 1)]
    seen = recorded(data, [*before, *dates])
    columns = [index.get(p, -1) for p in phases]
    seen = np.column_stack(
        [seen[:, c] if c >= 0 else np.zeros(len(seen), dtype=np.int64) for c in columns]
    )
    past, future = seen[: len(before)], seen[len(before) :]
    steps = np.arange(1, len(dates) + 1)
    slope, level = np.polyfit(np.arange(-12, 1), past, 1)
    trend = np.clip(level + slope * steps[:, None], 0, None)
    carry = np.broadcast_to(past[-1], future.shape).astype(np.float64)
    n = len(dates)
    quant = {q: np.array([result.stats[p][q][1 : n + 1] for p in phases]).T for q in STATISTICS[:5]}
    inside50 = (quant["q25"] <= future) & (future <= quant["q75"])
    inside90 = (quant["q05"] <= future) & (future <= quant["q95"])
    errors = {
        "median": np.abs(quant["q50"] - future).mean(axis=0),
        "carry": np.abs(carry - future).mean(axis=0),
        "trend": np.abs(trend - future).mean(axis=0),
    }
    return Backtest(
        forecast=result,
        dates=dates,
        phases=phases,
        actual={p: tuple(int(v) for v in future[:, i]) for i, p in enumerate(phases)},
        before_dates=tuple(before),
        before={p: tuple(int(v) for v in past[:, i]) for i, p in enumerate(phases)},
        carry={p: tuple(carry[:, i].tolist()) for i, p in enumerate(phases)},
        trend={p: tuple(trend[:, i].tolist()) for i, p in enumerate(phases)},
        coverage={50: float(inside50.mean()), 90: float(inside90.mean())},
        phase_coverage={
            p: {50: float(inside50[:, i].mean()), 90: float(inside90[:, i].mean())}
            for i, p in enumerate(phases)
        },
        mae={m: {p: float(e[i]) for i, p in enumerate(phases)} for m, e in errors.items()},
    )


def backtests(
    portfolio: Portfolio,
    starts: Iterable[dt.date],
    until: dt.date,
    *,
    runs: int = 10_000,
    seed: int | None = None,
    window: int | None = 36,
    entry_window: int = 24,
    rulebook: Rulebook | None = None,
    workers: int | None = None,
) -> tuple[Backtest, ...]:
    """
    Calibrate on the history up to each start, forecast to ``until`` and compare.

    The histories are read once; each forecast reads them up to its start only.
    """
    book = default_rulebook(rulebook)
    data = histories(portfolio, book)
    out = []
    for start in starts:
        _check_start(data, start)
        given: object = until  # callers without a type checker may pass anything
        if not isinstance(given, dt.date) or until <= start:
            raise InvalidArgument(
                "until", until, f"must be a date after the start {start}", "give a later date"
            )
        months = (until.year - start.year) * 12 + until.month - start.month
        if add_months(start, months) > until:
            months -= 1
        result = forecast(
            portfolio,
            start,
            months=max(months, 1),
            runs=runs,
            seed=seed,
            window=window,
            entry_window=entry_window,
            rulebook=book,
            workers=workers,
            hist=data,
        )
        out.append(_backtest(result, portfolio, until, data))
    return tuple(out)
