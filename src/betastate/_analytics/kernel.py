"""
The forecast's compiled step: every product of a block of runs, from one phase change to the next.

The same step written with numpy arrays made some thirty passes over them
for each stay and took ten times as long as drawing its random numbers.
Compiled, a run's products each take one step (a stay and a next phase:
two draws), then those still moving take the next, with nothing but the
counts and the products' codes in memory. The loop is compiled by numba (in
the analytics extra) on first use and cached on disk; it holds no lock, so
blocks of runs run on several threads.

Random numbers come from an SFC64 generator stepped inline, from the state
numpy's :class:`numpy.random.SFC64` was seeded with: the same algorithm, so
the stream is numpy's (a test checks it draw for draw).

Every index the loop takes is checked before it runs (see
``forecast._checked``): numba does not check bounds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np


_F = TypeVar("_F", bound=Callable[..., Any])


def _compiled(func: _F) -> _F:
    """``func`` compiled without the GIL, cached on disk; its Python body stays as ``py_func``."""
    return cast("_F", numba.njit(nogil=True, cache=True, error_model="numpy")(func))


def _inlined(func: _F) -> _F:
    """``func`` compiled into its callers (no call, no reference counting of its arrays)."""
    return cast("_F", numba.njit(inline="always", error_model="numpy")(func))


_SHIFT_RIGHT = np.uint64(11)
_SHIFT_LEFT = np.uint64(3)
_ROTATE = np.uint64(24)
_ROTATE_BACK = np.uint64(40)
_ONE = np.uint64(1)
_TO_UNIT = 2.0**-53


@_inlined
def _next(state: tuple[Any, Any, Any, Any]) -> tuple[tuple[Any, Any, Any, Any], Any]:
    """The next SFC64 state (a, b, c, counter) and 64-bit output."""
    a, b, c, n = state
    out = a + b + n
    following = (
        b ^ (b >> _SHIFT_RIGHT),
        c + (c << _SHIFT_LEFT),
        ((c << _ROTATE) | (c >> _ROTATE_BACK)) + out,
        n + _ONE,
    )
    return following, out


@_compiled
def raw(state: Any, count: int) -> Any:
    """The next ``count`` 64-bit outputs of the SFC64 ``state`` (a, b, c, counter); it advances."""
    out = np.empty(count, dtype=np.uint64)
    now = (state[0], state[1], state[2], state[3])
    for i in range(count):
        now, out[i] = _next(now)
    state[0], state[1], state[2], state[3] = now
    return out


CODE_LIMIT = 1 << 16
"""Phases and groups a product's code holds (the forecast checks it)."""

_GROUP = 16  # where a product's group starts in its code (its phase: the low 16 bits)
_KNOWN = 32  # where its live product + 1 starts
_MASK = CODE_LIMIT - 1


@_inlined
def _at(index: Any) -> Any:
    """``index`` as an unsigned integer: an index numba need not check for a negative value."""
    return np.uint64(index)


@_inlined
def _uniform(state: tuple[Any, Any, Any, Any]) -> tuple[tuple[Any, Any, Any, Any], float]:
    """The next SFC64 state and uniform double in [0, 1) (its top 53 bits, as numpy's)."""
    following, out = _next(state)
    return following, float(out >> _SHIFT_RIGHT) * _TO_UNIT


@_inlined
def _exact(  # noqa: PLR0917  (the tables, as arrays)
    row: int,
    level: float,
    start_bin: int,
    ends: Any,
    rate: Any,
    hazard: Any,
    edges: Any,
    n_bins: int,
) -> tuple[float, int]:
    """
    The stay at survival ``level`` by exact inversion, and its duration bin's flat index.

    The bin is the first whose end survival falls below ``level``, and at
    least ``start_bin`` (the bin of the time already spent, or -1).
    """
    k = 0
    for b in range(n_bins - 1):
        if ends[row, b] >= level:
            k += 1
    k = max(k, start_bin)
    flat = row * n_bins + k
    if rate[flat] > 0.0:
        return edges[k] + (-math.log(level) - hazard[flat]) / rate[flat], flat
    return math.inf, flat


@_inlined
def _months_repeated(
    state: tuple[Any, Any, Any, Any],
    blocks: Any,
    resample: bool,
    weights: Any,
    out: Any,
) -> tuple[Any, Any, Any, Any]:
    """
    Per simulated month, the entry-window month it repeats, into ``out``; returns the state.

    The run bootstraps the window's 12-month blocks (``blocks``: first month
    and count of months of each), then each month one uniform picks a block
    as often as the bootstrap drew it, and what is left of it a month of that
    block.
    """
    n_blocks = len(blocks)
    if resample and n_blocks > 1:
        weights[:] = 0.0
        for _ in range(n_blocks):
            state, u = _uniform(state)
            weights[min(int(u * n_blocks), n_blocks - 1)] += 1.0
    else:
        weights[:] = 1.0
    total = weights.sum()
    for month in range(len(out)):
        state, u = _uniform(state)
        u *= total
        block = 0
        while block < n_blocks - 1 and u >= weights[block]:
            u -= weights[block]
            block += 1
        size = blocks[block, 1]
        out[month] = blocks[block, 0] + min(int(u / weights[block] * size), size - 1)
    return state


@_compiled
def run_block(  # noqa: C901, PLR0912, PLR0915, PLR0917  (one loop, flat arrays)
    state: Any,
    set_of_run: Any,
    tables: tuple[Any, Any, Any, Any, Any, Any, Any, Any, Any],
    sizes: tuple[int, int, int, int],
    calendar: tuple[Any, Any, Any, int, int],
    live: tuple[Any, Any, Any, Any, Any],
    arrivals: tuple[Any, Any, bool, Any, Any, Any, Any, Any, Any],
    base: Any,
    out: tuple[Any, Any, Any],
) -> int:
    """
    Simulate one block of runs; returns how many random numbers it drew.

    - ``tables``: per row (``set << phase_bits | phase``) and grid cell,
      the stay at the cell's level and the step to the next cell's (float32
      pairs), and the cell's duration bin; per row, the survival at each
      bin's end but the last and the stay where the far tail starts; per
      row and bin, the hazard rate and the cumulative hazard at the bin's
      start; the bin starts; the alias tables (acceptance, alias).
    - ``sizes``: phase bits, grid cells, far-tail cells, duration bins.
    - ``calendar``: per phase, whether it can still change; per day up to
      the horizon + 1, the month counting a change that day; each month's
      first day; the horizon; the last day counted in the outcomes.
    - ``live``: per live product, its phase, group, the day its phase began
      (<= 0) and the duration bin reached; per set and product, the
      survival reached.
    - ``arrivals``: either the entry window's 12-month blocks (first month,
      months) and whether each run bootstraps them, or (no blocks) per run
      and month the template whose products arrive (-1: none); then per
      template its first product and count, and per template product its
      phase, group, day offset in its month and whether it can change.
    - ``base``: the counts per group and phase at the start.
    - ``out``: the counts per run, month and phase; the same per group
      (when its first axis has a place per run); per live product and
      phase, how many runs had it there ``within`` months on.

    Run after run, every product that can still change takes one step (its
    next stay and next phase: two draws) before any takes the next, so the
    steps of different products overlap in the processor. Live products
    come first, in order, then the new products month by month.
    """
    grid, grid_bin, ends, long_stay, rate, hazard, edges, accept, alias = tables
    phase_bits, cells, exact, n_bins = sizes
    going_on, month_of_day, month_days, horizon, within_day = calendar
    live_phase, live_group, live_since, live_bin, alive = live
    blocks, drawn, resample, t_first, t_size, t_phase, t_group, t_offset, t_live = arrivals
    counts_out, groups_out, outcome = out
    by_group = len(groups_out) == len(set_of_run)
    n_groups, n_phases = base.shape
    width = 1 << phase_bits
    tail_level = exact / cells
    later = float(horizon + 1)
    n_live = len(live_phase)
    months = len(month_days) - 1
    # A product is one integer: its phase, group, and live product + 1 (0: a new one).
    stride_group = (months + 2) * width
    most = n_live + months * (t_size.max() if len(t_size) else 0)  # products in one run
    code_of = np.empty(most, dtype=np.int64)
    since_of = np.empty(most, dtype=np.float64)
    reached = np.empty(n_live, dtype=np.int64)
    repeated = np.empty(months, dtype=np.int64)
    weights = np.empty(max(len(blocks), 1), dtype=np.float64)
    # Arrivals and changes per group, month ("later" after the horizon) and phase.
    counts = np.zeros(n_groups * stride_group, dtype=np.int64)
    state_now = (state[0], state[1], state[2], state[3])
    draws_before = state[3]
    for run in range(len(set_of_run)):
        s = set_of_run[run]
        set_row = s << phase_bits
        counts[:] = 0
        for j in range(n_live):
            code_of[j] = live_phase[j] | live_group[j] << _GROUP | (j + 1) << _KNOWN
            since_of[j] = live_since[j]
            reached[j] = live_phase[j]
        count = n_live
        if len(blocks):
            state_now = _months_repeated(state_now, blocks, resample, weights, repeated)
        else:
            repeated[:] = drawn[run]
        for month in range(months):
            which = repeated[month]
            if which < 0:
                continue
            length = month_days[month + 1] - month_days[month]
            for index in range(t_first[which], t_first[which] + t_size[which]):
                phase, group = t_phase[index], t_group[index]
                counts[_at(group * stride_group + (month + 1) * width + phase)] += 1
                if t_live[index]:
                    day = month_days[month] + 1 + min(t_offset[index], length - 1)
                    code_of[count] = phase | group << _GROUP
                    since_of[count] = float(day)
                    count += 1
        first_step = True
        while count:
            kept = 0
            for i in range(count):
                code, since = code_of[i], since_of[i]
                phase, group, known = code & _MASK, (code >> _GROUP) & _MASK, (code >> _KNOWN) - 1
                row = set_row | phase
                state_now, u = _uniform(state_now)
                state_now, pick = _uniform(state_now)
                # The survival level of the stay: 1 - u, or (1 - u) S(elapsed) for the time
                # left given the time spent; interpolated in the grid above the far tail.
                level = 1.0 - u
                bin_from = -1
                if first_step and known >= 0:
                    level *= alive[s, known]
                    bin_from = live_bin[known]
                if level > tail_level:
                    scaled = (1.0 - level) * cells
                    cell = min(int(scaled), cells - 1)
                    at = row * cells + cell
                    spent = float(grid[_at(2 * at)]) + float(grid[_at(2 * at + 1)]) * (
                        scaled - cell
                    )
                    slot = (row * n_bins + grid_bin[_at(at)]) * width
                elif long_stay[row] + since <= horizon:
                    # Only a far-tail stay that may end by the horizon needs its exact length.
                    spent, flat = _exact(row, level, bin_from, ends, rate, hazard, edges, n_bins)
                    slot = flat * width
                else:
                    spent, slot = math.inf, 0
                end = spent + since
                day = math.ceil(end) if end < later else later  # inf and NaN: after the horizon
                if first_step:
                    day = max(day, 1.0)  # a change on the start day itself would be known
                # No branch on the outcome of a step (they are unpredictable): a change
                # after the horizon is counted in the "later" month, never read, and
                # every product is written back, the ones that go on moving ahead.
                pick *= width
                column = int(pick)
                cell = _at(slot + column)
                nxt = np.int64(column if pick - column < float(accept[cell]) else alias[cell])
                at = group * stride_group + month_of_day[_at(int(day))] * width
                counts[_at(at + phase)] -= 1
                counts[_at(at + nxt)] += 1
                if known >= 0 and day <= within_day:
                    reached[known] = nxt
                code_of[kept] = (code ^ phase) | nxt
                since_of[kept] = day
                kept += going_on[_at(nxt)] & (day <= horizon)
            count = kept
            first_step = False
        for j in range(n_live):
            outcome[j, reached[j]] += 1
        # The counts: those at the start plus the changes up to each month.
        for group in range(n_groups):
            for phase in range(n_phases):
                held = base[group, phase]
                for month in range(months + 1):
                    held += counts[group * stride_group + month * width + phase]
                    counts_out[run, month, phase] += held
                    if by_group:
                        groups_out[run, group, month, phase] = held
    state[0], state[1], state[2], state[3] = state_now
    return int(state[3] - draws_before)
