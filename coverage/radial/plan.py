"""One radial plan and one ray walk, shared by every radial kernel.

A site's disc of radius ``R`` cells is served by ``n = ceil(2 pi R s)`` rays at evenly
spaced azimuths (``s``: :data:`coverage.settings.OVERSAMPLE` rays per cell of
circumference at the radius), each sampled where it crosses the grid lines through cell
centres, the DEM interpolated linearly between the two cell centres on that line: the
sampling of Franklin & Ray's exact R3 ("Higher isn't necessarily better: visibility
algorithms and experiments", 1994). :func:`rays` gives the rays, :func:`ray_axes` the
geometry of walking one of them through a grid and :func:`walk_samples` the walk itself.

Two plans assign the cells of the disc to those rays, ahead of time and cached per
radius:

* :func:`radial_plan` (viewshed): each cell to the *two* rays bracketing its azimuth,
  whose horizons are interpolated in azimuth (:mod:`coverage.radial.viewshed`);
* :func:`nearest_ray_plan` (path loss): each cell to its *nearest* ray, whose samples
  before the cell are the cell's terrain profile (:mod:`coverage.radial.path_loss`,
  :mod:`coverage.radial.itm_grid`).
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import numba
import numpy as np

from coverage.i18n import message
from coverage.settings import OVERSAMPLE

__all__ = [
    "NearestRayPlan",
    "RadialPlan",
    "nearest_ray_plan",
    "radial_plan",
    "ray_axes",
    "rays",
    "walk_samples",
]


_Plan = TypeVar("_Plan")


def _built_once(function: Callable[..., _Plan]) -> Callable[..., _Plan]:
    """``functools.lru_cache(maxsize=8)`` of ``function``, building each plan once even when
    threads ask for it together (sites computed at once, Dask's threaded scheduler).

    The cached function's ``cache_clear`` and ``cache_info`` stay reachable.
    """
    cached = functools.lru_cache(maxsize=8)(function)
    lock = threading.Lock()

    @functools.wraps(function)
    def built(*args: Any, **kwargs: Any) -> _Plan:
        with lock:
            return cached(*args, **kwargs)

    built.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    built.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return built


def rays(radius_cells: float, oversample: float = OVERSAMPLE) -> tuple:
    """The rays of a disc: ``(ray_dx, ray_dy, step_len, n_steps)``.

    Ray ``i`` has angle ``2 pi i / n`` from the +column axis towards +row (rows point
    south), ``n = max(8, ceil(2 pi radius_cells oversample))``; ``step_len`` is the
    distance in cells between its major-axis grid-line crossings and ``n_steps`` the
    crossings kept per ray.

    Examples
    --------
    >>> ray_dx, ray_dy, step_len, n_steps = rays(10.0, 2.0)
    >>> len(ray_dx), n_steps, float(step_len[0])
    (126, 11, 1.0)
    """
    n_rays = max(8, math.ceil(2.0 * math.pi * radius_cells * oversample))
    angles = 2.0 * math.pi * np.arange(n_rays) / n_rays
    ray_dx, ray_dy = np.cos(angles), np.sin(angles)
    step_len = 1.0 / np.maximum(np.abs(ray_dx), np.abs(ray_dy))
    n_steps = int(math.ceil(radius_cells)) + 1
    return ray_dx, ray_dy, step_len, n_steps


class RadialPlan(NamedTuple):
    """Rays, and the cells of a disc grouped by the wedge between two neighbouring rays.

    Attributes
    ----------
    radius_cells
        Radius of the disc, in cells.
    ray_dx, ray_dy
        Unit direction of each ray in (column, row) index space; ray ``i`` has angle
        ``2 pi i / n_rays`` from the +column axis towards +row (rows point south).
    n_steps
        Samples kept per ray: major-axis grid-line crossings ``0 .. n_steps - 1``.
    wedge_start
        int64 (n_rays + 1,): cells ``wedge_start[a]:wedge_start[a + 1]`` lie between ray
        ``a`` and ray ``b``: ``a + 1`` (modulo ``n_rays``), or ``a + 2`` for the cells
        nearer than ``inner_radius_cells`` when ``a`` is even and ``a + 1 < n_rays``.
        Odd wedges hold no such near cells.
    cell_drow, cell_dcol
        int32 offsets of each cell from the observer cell.
    cell_step_a, cell_step_b
        int32: on ray ``a`` and ray ``b``, the last sample lying at least half a step
        before the cell (0: none).
    cell_weight_b
        float32 weight of ray ``b`` when interpolating in azimuth.
    inner_radius_cells
        Odd rays start here: nearer cells (``drow^2 + dcol^2 < inner_radius_cells^2``)
        use even rays only.
    """

    radius_cells: float
    ray_dx: np.ndarray
    ray_dy: np.ndarray
    n_steps: int
    wedge_start: np.ndarray
    cell_drow: np.ndarray
    cell_dcol: np.ndarray
    cell_step_a: np.ndarray
    cell_step_b: np.ndarray
    cell_weight_b: np.ndarray
    inner_radius_cells: float

    @property
    def n_rays(self) -> int:
        """Number of rays."""
        return len(self.ray_dx)

    @property
    def cell_distance(self) -> np.ndarray:
        """Distance of each cell from the observer cell, in cells."""
        return np.hypot(self.cell_drow, self.cell_dcol)


@_built_once
def radial_plan(radius_cells: float, *, oversample: float = OVERSAMPLE) -> RadialPlan:
    """Rays and cell lookups for a disc of ``radius_cells`` (cached per radius).

    Every cell whose centre is within ``radius_cells`` of the observer cell centre
    (the observer's own cell excepted) belongs to the wedge of the two rays whose
    azimuths bracket its own (within half the radius: the two even rays); on each of
    them it looks at the last sample lying at least half a step before the cell.

    Parameters
    ----------
    radius_cells
        Radius in cells (radius in metres / cell size).
    oversample
        Rays per cell of circumference at the radius.

    Returns
    -------
    RadialPlan

    Examples
    --------
    >>> plan = radial_plan(10.0)
    >>> plan.n_rays, len(plan.cell_drow)  # 2 pi 10 2 rays; the 316 cells of the disc
    (126, 316)
    """
    if not radius_cells >= 1.0:
        raise ValueError(message("errors.radial.radius_cells", radius_cells=radius_cells))
    ray_dx, ray_dy, step_len, n_steps = rays(radius_cells, oversample)

    inner = 0.5 * float(radius_cells)
    wedge_start, drow, dcol, step_a, step_b, weight_b = _plan_cells(
        float(radius_cells), inner * inner, len(ray_dx), n_steps, step_len
    )
    return RadialPlan(
        float(radius_cells),
        ray_dx,
        ray_dy,
        n_steps,
        wedge_start,
        drow,
        dcol,
        step_a,
        step_b,
        weight_b,
        inner,
    )


@numba.njit(cache=True)
def _plan_cells(radius_cells, inner2, n_rays, n_steps, step_len):  # pragma: no cover - compiled
    """The cells of the disc grouped by wedge (a counting sort, row-major within a wedge)."""
    reach = int(math.floor(radius_cells))
    limit2 = radius_cells * radius_cells
    side = 2 * reach + 1
    ray_of = np.empty(side * side, np.int64)
    position_of = np.empty(side * side)
    count = np.zeros(n_rays + 1, np.int64)
    two_pi = 2.0 * math.pi
    n_cells = 0
    for drow in range(-reach, reach + 1):
        for dcol in range(-reach, reach + 1):
            dist2 = drow * drow + dcol * dcol
            index = (drow + reach) * side + dcol + reach
            ray_of[index] = -1
            if dist2 == 0 or dist2 > limit2:
                continue
            angle = math.atan2(drow, dcol)
            if angle < 0.0:
                angle += two_pi
            position = angle / two_pi * n_rays
            ray = min(int(math.floor(position)), n_rays - 1)
            if dist2 < inner2 and ray % 2 == 1:
                ray -= 1  # near cells: even rays only
            ray_of[index] = ray
            position_of[index] = position
            count[ray + 1] += 1
            n_cells += 1
    wedge_start = np.cumsum(count)
    fill = wedge_start[:-1].copy()
    cell_drow = np.empty(n_cells, np.int32)
    cell_dcol = np.empty(n_cells, np.int32)
    cell_step_a = np.empty(n_cells, np.int32)
    cell_step_b = np.empty(n_cells, np.int32)
    cell_weight_b = np.empty(n_cells, np.float32)
    for drow in range(-reach, reach + 1):
        for dcol in range(-reach, reach + 1):
            index = (drow + reach) * side + dcol + reach
            ray = ray_of[index]
            if ray < 0:
                continue
            j = fill[ray]
            fill[ray] += 1
            dist2 = drow * drow + dcol * dcol
            dist = math.sqrt(dist2)
            span = 2 if dist2 < inner2 and ray + 1 < n_rays else 1
            ray_b = (ray + span) % n_rays
            cell_drow[j] = drow
            cell_dcol[j] = dcol
            cell_weight_b[j] = min(max((position_of[index] - ray) / span, 0.0), 1.0)
            step = int(math.ceil(dist / step_len[ray] - 0.5)) - 1
            cell_step_a[j] = min(max(step, 0), n_steps - 1)
            step = int(math.ceil(dist / step_len[ray_b] - 0.5)) - 1
            cell_step_b[j] = min(max(step, 0), n_steps - 1)
    return wedge_start, cell_drow, cell_dcol, cell_step_a, cell_step_b, cell_weight_b


@numba.njit(cache=True)
def ray_axes(rows, cols, row0, col0, dx, dy):  # pragma: no cover - compiled
    """Walking geometry of a ray in a C-ordered (rows, cols) grid.

    Returns ``(major0, major_sign, major_len, major_stride, minor0, minor_rate,
    minor_len, minor_stride, step_len, last_step)``: the ray's ``k``-th sample is on
    major grid line ``major0 + major_sign * k`` at minor coordinate
    ``minor0 + minor_rate * k``, ``k * step_len`` cells from the observer; samples
    ``1 .. last_step`` lie in the grid (the minor coordinate within half a cell).
    """
    if abs(dx) >= abs(dy):
        major0, major_len, major_stride = col0, cols, 1
        minor0, minor_len, minor_stride = row0, rows, cols
        major_sign = 1 if dx > 0 else -1
        minor_rate = dy / abs(dx)
        step_len = 1.0 / abs(dx)
    else:
        major0, major_len, major_stride = row0, rows, cols
        minor0, minor_len, minor_stride = col0, cols, 1
        major_sign = 1 if dy > 0 else -1
        minor_rate = dx / abs(dy)
        step_len = 1.0 / abs(dy)
    last_step = major_len - 1 - major0 if major_sign > 0 else major0
    if minor_rate > 1e-12:
        last_step = min(last_step, int(math.floor((minor_len - 0.5 - minor0) / minor_rate)))
    elif minor_rate < -1e-12:
        last_step = min(last_step, int(math.floor((minor0 + 0.5) / -minor_rate)))
    return (
        major0,
        major_sign,
        major_len,
        major_stride,
        minor0,
        minor_rate,
        minor_len,
        minor_stride,
        step_len,
        last_step,
    )


@numba.njit(cache=True)
def walk_samples(flat, rows, cols, row0, col0, dx, dy, cell_m, xs, heights, at_step):
    """Sample a ray at its grid-line crossings (R3 sampling, as :mod:`coverage.radial.viewshed`).

    Writes distances (m) and ground heights of the samples in order; ``at_step[k]`` is
    the number of samples up to and including the ``k``-th major crossing. Returns the
    number of samples.
    """
    (
        major0,
        major_sign,
        major_len,
        major_stride,
        minor0,
        minor_rate,
        minor_len,
        minor_stride,
        step_len,
        last_step,
    ) = ray_axes(rows, cols, row0, col0, dx, dy)
    n_steps = len(at_step)
    count = 0
    at_step[0] = 0
    minor_before = float(minor0)
    stop = min(last_step, n_steps - 1)
    for k in range(1, stop + 1):
        minor_f = minor0 + k * minor_rate
        if minor_rate > 0.0:
            line = math.floor(minor_f)
            crossed = line > minor_before and line < minor_f
        else:
            line = math.ceil(minor_f)
            crossed = line < minor_before and line > minor_f
        if crossed:
            along = (line - minor0) / minor_rate
            major_f = major0 + major_sign * along
            low = min(max(int(math.floor(major_f)), 0), major_len - 2)
            frac = major_f - low
            base = int(line) * minor_stride + low * major_stride
            heights[count] = flat[base] * (1.0 - frac) + flat[base + major_stride] * frac
            xs[count] = along * step_len * cell_m
            count += 1
        minor_before = minor_f
        clamped = min(max(minor_f, 0.0), minor_len - 1.0)
        low = min(int(clamped), minor_len - 2)
        frac = clamped - low
        base = (major0 + major_sign * k) * major_stride + low * minor_stride
        heights[count] = flat[base] * (1.0 - frac) + flat[base + minor_stride] * frac
        xs[count] = k * step_len * cell_m
        count += 1
        at_step[k] = count
    for k in range(stop + 1, n_steps):
        at_step[k] = count
    return count


class NearestRayPlan(NamedTuple):
    """Rays, and the cells of a disc grouped by their nearest ray, sorted by step.

    Attributes
    ----------
    ray_dx, ray_dy, n_steps
        The rays, as :func:`rays`.
    ray_start
        int64 (n_rays + 1,): cells ``ray_start[r]:ray_start[r + 1]`` are served by ray
        ``r`` (a CSR layout), in order of step then distance.
    cell_drow, cell_dcol
        int32 offsets of each cell from the site's cell.
    cell_step
        int64: the last sample of the ray lying at least half a step before the cell.
    """

    ray_dx: np.ndarray
    ray_dy: np.ndarray
    n_steps: int
    ray_start: np.ndarray
    cell_drow: np.ndarray
    cell_dcol: np.ndarray
    cell_step: np.ndarray


@_built_once
def nearest_ray_plan(radius_cells: float, oversample: float = OVERSAMPLE) -> NearestRayPlan:
    """Rays and the cells of the disc grouped by nearest ray (cached per radius).

    Examples
    --------
    >>> plan = nearest_ray_plan(10.0)
    >>> len(plan.ray_dx), len(plan.cell_drow), int(plan.ray_start[-1])
    (126, 316, 316)
    """
    ray_dx, ray_dy, step_len, n_steps = rays(radius_cells, oversample)
    n_rays = len(ray_dx)
    reach = int(math.floor(radius_cells))
    drow, dcol = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    drow, dcol = drow.ravel(), dcol.ravel()
    dist = np.hypot(drow, dcol)
    keep = (dist <= radius_cells) & (dist > 0)
    drow, dcol, dist = drow[keep], dcol[keep], dist[keep]
    position = np.arctan2(drow, dcol) % (2.0 * math.pi) / (2.0 * math.pi) * n_rays
    ray = np.floor(position + 0.5).astype(np.int64) % n_rays
    step = np.clip(np.ceil(dist / step_len[ray] - 0.5).astype(np.int64) - 1, 0, n_steps - 1)
    order = np.lexsort((dist, step, ray))
    return NearestRayPlan(
        ray_dx,
        ray_dy,
        n_steps,
        np.searchsorted(ray[order], np.arange(n_rays + 1)).astype(np.int64),
        drow[order].astype(np.int32),
        dcol[order].astype(np.int32),
        step[order].astype(np.int64),
    )
