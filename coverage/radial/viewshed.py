"""Line of sight from tower sites over the terrain grid: the radial viewshed kernel.

The algorithm is Franklin & Ray's R2 ("Higher isn't necessarily better: visibility
algorithms and experiments", 1994), arranged so that every cell costs O(1) and the
result stays close to their exact R3 reference:

* ``n`` rays leave the observer at evenly spaced azimuths, ``n = ceil(2 pi R s)`` for a
  radius of ``R`` cells and an oversampling ``s`` (rays are at most ``1/s`` cell apart
  at the edge of the disc).
* Each ray is sampled where it crosses the grid lines of its major axis (the lines
  through cell centres), the DEM being interpolated linearly between the two cell
  centres on that line, exactly as R3 samples a sight line.
* A running horizon (the steepest slope from the observer seen so far) is kept along
  the ray.
* Each cell of the disc is assigned once, ahead of time, to the two rays bracketing its
  azimuth and to the last sample of each before it. Its visibility is its own exact
  slope (cell centre, exact distance, cell elevation plus receiver height) against the
  two horizons interpolated in azimuth.
* Rays need only be ``1/s`` cell apart where they are used: within half the radius,
  cells are bracketed by the even-numbered rays only (there at most ``1/s`` cell
  apart), so an odd-numbered ray starts at half the radius, from the horizon of its two
  even neighbours interpolated there, and a quarter of the sampling is saved.

Earth curvature with atmospheric refraction uses the effective earth radius
``k * 6 371 008.8 m`` (``k = 4/3`` for radio, ITU-R P.834 / P.452): heights are lowered
by ``d^2 / (2 k R)``, after which sight lines are straight.

The plan of rays and cell assignments depends only on the radius in cells, so a batch
of sites (:func:`viewsheds`) pays for it once; the rays of one site run in parallel.
"""

from __future__ import annotations

import functools
import logging
import math
import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numba
import numpy as np
from numba import prange

from coverage.errors import CoverageWarning, TerrainError
from coverage.settings import EARTH_RADIUS_M, K_FACTOR, OVERSAMPLE, RX_HEIGHT_M
from coverage.terrain import Terrain

__all__ = [
    "NODATA",
    "RadialPlan",
    "exact_line_of_sight",
    "radial_plan",
    "site_cells",
    "viewshed",
    "viewsheds",
]

logger = logging.getLogger(__name__)

NODATA = 255
"""Value of viewshed cells outside the radius or the DEM."""


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


@functools.lru_cache(maxsize=8)
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
        raise ValueError(f"radius must be at least one cell, got {radius_cells} cells")
    n_rays = max(8, math.ceil(2.0 * math.pi * radius_cells * oversample))
    angles = 2.0 * math.pi * np.arange(n_rays) / n_rays
    ray_dx, ray_dy = np.cos(angles), np.sin(angles)
    step_len = 1.0 / np.maximum(np.abs(ray_dx), np.abs(ray_dy))
    n_steps = int(math.ceil(radius_cells)) + 1

    inner = 0.5 * float(radius_cells)
    wedge_start, drow, dcol, step_a, step_b, weight_b = _plan_cells(
        float(radius_cells), inner * inner, n_rays, n_steps, step_len
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


_INVERSE = 1.0 / np.maximum(np.arange(1 << 16, dtype=np.float64), 1.0)
"""1/k for the sample counter k: a multiply instead of a divide in the walk."""


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
def _walk_horizon(
    flat, rows, cols, row0, col0, observer_z, curvature, dx, dy, horizon, first_step, first_best
):  # pragma: no cover - compiled
    """Running horizon along one ray into ``horizon[first_step:]`` (length ``n_steps``).

    Samples are taken where the ray crosses grid lines through cell centres, the DEM
    interpolated linearly between the two cell centres on that line (the sampling of
    Franklin & Ray's R3): at every major-axis line, and at the minor-axis lines crossed
    in between. ``horizon[k]`` is the steepest slope (metres per cell, heights lowered
    by ``curvature * d^2``) over the samples up to the ``k``-th major crossing;
    ``horizon[0] = -inf``. Past the grid edge the last value is kept. A walk may start
    at ``first_step``, given the horizon there (``first_best``): earlier entries are
    left as they were.
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
    n_steps = len(horizon)
    stop = min(last_step, n_steps - 1)
    major = 1.0 / step_len
    drop_per_step2 = curvature * step_len * step_len
    # three branch-free passes: slopes at the major crossings, the minor crossings each
    # folded into the first major sample after it, then the running maximum
    horizon[first_step] = first_best
    for k in range(first_step + 1, stop + 1):
        minor_f = min(max(minor0 + k * minor_rate, 0.0), minor_len - 1.0)
        low = min(int(minor_f), minor_len - 2)
        frac = minor_f - low
        base = (major0 + major_sign * k) * major_stride + low * minor_stride
        height = flat[base] * (1.0 - frac) + flat[base + minor_stride] * frac
        horizon[k] = (height - drop_per_step2 * k * k - observer_z) * major * _INVERSE[k]
    if minor_rate != 0.0:
        rate = abs(minor_rate)
        steps_per_line = 1.0 / rate
        minor_sign = 1 if minor_rate > 0.0 else -1
        # lines minor0 + minor_sign * m at step m * steps_per_line in (first_step, stop];
        # one that passes through a sample's cell centre repeats that sample, harmlessly
        for m in range(int(first_step * rate) + 1, int(stop * rate) + 1):
            along = m * steps_per_line
            major_f = major0 + major_sign * along
            low = min(max(int(major_f), 0), major_len - 2)
            frac = major_f - low
            base = (minor0 + minor_sign * m) * minor_stride + low * major_stride
            height = flat[base] * (1.0 - frac) + flat[base + major_stride] * frac
            slope = (height - drop_per_step2 * along * along - observer_z) * major / along
            k = min(int(math.ceil(along)), stop)
            horizon[k] = max(horizon[k], slope)
    best = first_best
    for k in range(first_step + 1, stop + 1):
        best = max(best, horizon[k])
        horizon[k] = best
    for k in range(max(stop, first_step) + 1, n_steps):
        horizon[k] = best


@numba.njit(cache=True)
def _blend(h_a, h_b, w):  # pragma: no cover - compiled
    """Horizon between two rays, ``w`` of the way to ``b``; one missing (-inf): the other."""
    if h_a == -np.inf or h_b == -np.inf:
        return max(h_a, h_b)
    return (1.0 - w) * h_a + w * h_b


@numba.njit(cache=True)
def _evaluate_cells(
    elevation, row0, col0, observer_z, rx_height, curvature, plan_cells, first, last, horizons
):  # pragma: no cover - compiled
    """Visibility of the plan's cells ``first:last`` (one wedge) into ``out``.

    ``horizons`` = (ray a, ray b for cells nearer than the inner radius, ray b beyond).
    """
    rows, cols = elevation.shape
    cell_drow, cell_dcol, cell_step_a, cell_step_b, cell_weight_b, inner2, out = plan_cells
    left, right_near, right_far = horizons
    for j in range(first, last):
        row = row0 + cell_drow[j]
        col = col0 + cell_dcol[j]
        if row < 0 or row >= rows or col < 0 or col >= cols:
            continue
        dist2 = float(cell_drow[j] * cell_drow[j] + cell_dcol[j] * cell_dcol[j])
        right = right_near if dist2 < inner2 else right_far
        level = _blend(left[cell_step_a[j]], right[cell_step_b[j]], cell_weight_b[j])
        target = (elevation[row, col] + rx_height - curvature * dist2 - observer_z) / math.sqrt(
            dist2
        )
        out[row, col] = 1 if target >= level else 0


@numba.njit(cache=True, parallel=True)
def _viewshed_kernel(
    elevation,
    row0,
    col0,
    observer_z,
    rx_height,
    curvature,
    ray_dx,
    ray_dy,
    n_steps,
    wedge_start,
    cell_drow,
    cell_dcol,
    cell_step_a,
    cell_step_b,
    cell_weight_b,
    inner_radius,
    out,
):  # pragma: no cover - compiled
    """Fill ``out`` (uint8, preset to NODATA) with 1/0 visibility from one observer.

    Even rays are handled in contiguous chunks, one chunk per task; inside a chunk each
    even ray is walked once, then the odd ray after it from the inner radius on, and
    the two wedges they bound are evaluated: each cell compares its own exact slope
    with the horizons of its two bracketing rays, interpolated linearly in azimuth.
    ``curvature`` is ``cell^2 / (2 k R)``, metres per cell^2.
    """
    rows, cols = elevation.shape
    flat = elevation.ravel()
    n_rays = len(ray_dx)
    n_even = (n_rays + 1) // 2
    n_chunks = min(n_even, 64)
    inner2 = inner_radius * inner_radius
    cells = (cell_drow, cell_dcol, cell_step_a, cell_step_b, cell_weight_b, inner2, out)
    fixed = (elevation, row0, col0, observer_z, rx_height, curvature)
    for chunk in prange(n_chunks):
        left = np.empty(n_steps)
        middle = np.empty(n_steps)
        right = np.empty(n_steps)
        ray = 2 * (chunk * n_even // n_chunks)
        _walk_horizon(
            flat, rows, cols, row0, col0, observer_z, curvature, ray_dx[ray], ray_dy[ray],
            left, 0, -np.inf,
        )  # fmt: skip
        for even in range(chunk * n_even // n_chunks, (chunk + 1) * n_even // n_chunks):
            ray = 2 * even
            nxt = (ray + 2) % n_rays if ray + 1 < n_rays else 0
            _walk_horizon(
                flat, rows, cols, row0, col0, observer_z, curvature, ray_dx[nxt], ray_dy[nxt],
                right, 0, -np.inf,
            )  # fmt: skip
            if ray + 1 >= n_rays:  # an odd number of rays: no odd ray before ray 0
                horizons = (left, right, right)
                _evaluate_cells(*fixed, cells, wedge_start[ray], wedge_start[ray + 1], horizons)
                left, right = right, left
                continue
            # the odd ray between, from where the plan first uses it: the last sample at
            # least half a step before inner_radius, seeded from its even neighbours
            odd = ray + 1
            step_odd = 1.0 / max(abs(ray_dx[odd]), abs(ray_dy[odd]))
            first = min(max(int(math.ceil(inner_radius / step_odd - 0.5)) - 1, 0), n_steps - 1)
            seed = first * step_odd
            step_even = 1.0 / max(abs(ray_dx[ray]), abs(ray_dy[ray]))
            step_next = 1.0 / max(abs(ray_dx[nxt]), abs(ray_dy[nxt]))
            first_best = _blend(
                left[min(int(seed / step_even), n_steps - 1)],
                right[min(int(seed / step_next), n_steps - 1)],
                0.5,
            )
            _walk_horizon(
                flat, rows, cols, row0, col0, observer_z, curvature, ray_dx[odd], ray_dy[odd],
                middle, first, first_best,
            )  # fmt: skip
            horizons = (left, right, middle)
            _evaluate_cells(*fixed, cells, wedge_start[ray], wedge_start[odd], horizons)
            horizons = (middle, right, right)
            _evaluate_cells(*fixed, cells, wedge_start[odd], wedge_start[odd + 1], horizons)
            left, right = right, left
    out[row0, col0] = 1


@numba.njit(cache=True)
def exact_line_of_sight(elevation, row0, col0, observer_z, row, col, rx_height, curvature):
    """Exact R3 line of sight (Franklin & Ray 1994) from an observer cell to a target cell: 1 or 0.

    O(distance) per target, so O(n^3) for a whole viewshed: the reference that
    :func:`viewsheds` is tested and benchmarked against, and a point check for analysts.

    The sight line joins the observer (``observer_z`` m) to the target cell centre
    (ground + ``rx_height``). The DEM is sampled wherever the line crosses a grid line
    through cell centres (every column line and every row line strictly between the
    two cells), interpolated linearly between the two cell centres on that line. Heights
    are lowered by ``curvature * d^2`` (``d`` in cells) for the earth's bulge. Visible
    when no sample rises above the line.
    """
    drow = row - row0
    dcol = col - col0
    dist2 = drow * drow + dcol * dcol
    if dist2 == 0:
        return 1
    total = math.sqrt(dist2)
    target = (elevation[row, col] + rx_height - curvature * dist2 - observer_z) / total
    rows, cols = elevation.shape
    if dcol != 0:
        sign = 1 if dcol > 0 else -1
        for line in range(col0 + sign, col, sign):
            t = (line - col0) / dcol
            r = row0 + t * drow
            low = min(int(math.floor(r)), rows - 2)
            frac = r - low
            height = elevation[low, line] * (1 - frac) + elevation[low + 1, line] * frac
            d = t * total
            if (height - curvature * d * d - observer_z) / d > target:
                return 0
    if drow != 0:
        sign = 1 if drow > 0 else -1
        for line in range(row0 + sign, row, sign):
            t = (line - row0) / drow
            c = col0 + t * dcol
            low = min(int(math.floor(c)), cols - 2)
            frac = c - low
            height = elevation[line, low] * (1 - frac) + elevation[line, low + 1] * frac
            d = t * total
            if (height - curvature * d * d - observer_z) / d > target:
                return 0
    return 1


def site_cells(
    terrain: Terrain,
    xs: np.ndarray,
    ys: np.ndarray,
    *,
    site_names: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cells (row, col) holding sites (x, y in the terrain CRS); raise if outside or void.

    A site stands at the centre of the cell that contains it, on that cell's ground.
    Errors name a site ``site <name>``, by ``site_names`` (default: its position).

    Examples
    --------
    >>> from affine import Affine
    >>> t = Terrain.from_array(np.zeros((4, 4)), transform=Affine(30, 0, 0, 0, -30, 120),
    ...                        crs="EPSG:32648")
    >>> site_cells(t, np.array([45.0]), np.array([100.0]))
    (array([0]), array([1]))
    """
    xs = np.atleast_1d(np.asarray(xs, dtype=float))
    ys = np.atleast_1d(np.asarray(ys, dtype=float))
    if xs.shape != ys.shape or xs.ndim != 1:
        raise ValueError(
            f"site x and y must be 1-D and the same length, got {xs.shape}, {ys.shape}"
        )
    names = _names(site_names, len(xs))
    rows, cols = terrain.shape
    row_f, col_f = terrain.rowcol(xs, ys)
    row = np.floor(row_f + 0.5).astype(np.int64)
    col = np.floor(col_f + 0.5).astype(np.int64)
    for i in range(len(xs)):
        if not (np.isfinite(xs[i]) and np.isfinite(ys[i])):
            raise TerrainError(
                f"site {names[i]}: coordinates ({xs[i]}, {ys[i]}) are not finite numbers."
            )
        if not (0 <= row[i] < rows and 0 <= col[i] < cols):
            left, bottom, right, top = terrain.bounds
            raise TerrainError(
                f"site {names[i]} at x={xs[i]:.1f}, y={ys[i]:.1f} ({terrain.crs.name}) is outside the "
                f"terrain {terrain.source} (x {left:.0f}..{right:.0f}, y {bottom:.0f}..{top:.0f}); "
                "check the site's CRS or open a DEM that covers it."
            )
        if not np.isfinite(terrain.elevation_m[row[i], col[i]]):
            raise TerrainError(
                f"site {names[i]} at x={xs[i]:.1f}, y={ys[i]:.1f} stands on a DEM void (row {row[i]}, "
                f"col {col[i]} of {terrain.source}); fill voids when opening the terrain or "
                "move the site."
            )
    return row, col


def _names(site_names: Sequence[str] | None, n_sites: int) -> list[str]:
    if site_names is None:
        return [str(i) for i in range(n_sites)]
    if len(site_names) != n_sites:
        raise ValueError(f"{len(site_names)} site names for {n_sites} sites")
    return [str(name) for name in site_names]


def _check_window(terrain: Terrain, row: int, col: int, reach: int, site: int | str) -> bool:
    """Raise on NaN heights within ``reach`` cells of (row, col); True if the disc leaves it."""
    rows, cols = terrain.shape
    r_lo, r_hi = max(row - reach, 0), min(row + reach + 1, rows)
    c_lo, c_hi = max(col - reach, 0), min(col + reach + 1, cols)
    window = terrain.elevation_m[r_lo:r_hi, c_lo:c_hi]
    if not np.isfinite(window).all():
        n_void = int((~np.isfinite(window)).sum())
        raise TerrainError(
            f"site {site}: {n_void} void (NaN) DEM cells of {terrain.source} lie within the "
            "radius; fill voids when opening the terrain (open_terrain fills them by default) "
            "or reduce the radius."
        )
    return row - reach < 0 or col - reach < 0 or row + reach >= rows or col + reach >= cols


def _validate_options(
    tx_height_m: float, rx_height_m: float, radius_m: float, k_factor: float
) -> None:
    for name, value in (("tx_height_m", tx_height_m), ("rx_height_m", rx_height_m)):
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite height >= 0 m above ground, got {value}")
    if not (math.isfinite(radius_m) and radius_m > 0):
        raise ValueError(f"radius_m must be a positive distance in metres, got {radius_m}")
    if not (math.isfinite(k_factor) and k_factor > 0):
        raise ValueError(f"k_factor must be positive (4/3 for radio), got {k_factor}")


def viewsheds(
    terrain: Terrain,
    xs: np.ndarray,
    ys: np.ndarray,
    *,
    tx_height_m: float | np.ndarray,
    rx_height_m: float = RX_HEIGHT_M,
    radius_m: float,
    k_factor: float = K_FACTOR,
    oversample: float = OVERSAMPLE,
    site_names: Sequence[str] | None = None,
) -> np.ndarray:
    """Viewsheds of many sites on the terrain grid, sharing one compiled plan.

    Parameters
    ----------
    terrain
        Elevation grid (metric CRS).
    xs, ys
        Site coordinates in ``terrain.crs`` (metres). Each site stands at the centre
        of the cell containing it.
    tx_height_m
        Antenna height above the site's ground, m: one value or one per site.
    rx_height_m
        Receiver height above ground, m.
    radius_m
        Maximum distance from the site, m (cell centres within it are evaluated).
    k_factor
        Effective earth-radius factor (4/3 standard radio atmosphere; ``gdal_viewshed
        -cc`` is ``1/k``).
    oversample
        Rays per cell of circumference at the radius (accuracy/speed trade-off).
    site_names
        How errors and warnings name each site (``site <name>``); default: its
        position in ``xs``.

    Returns
    -------
    numpy.ndarray
        uint8 (n_sites, rows, cols): 1 visible, 0 hidden, 255 (:data:`NODATA`) outside
        the radius.

    Raises
    ------
    TerrainError
        A site is outside the grid or on a void, or void (NaN) cells lie within the
        radius of a site.

    Warns
    -----
    CoverageWarning
        When the radius of a site reaches past the edge of the grid: those cells do not
        exist in the result, so coverage there is unknown, not absent.

    Examples
    --------
    >>> from affine import Affine
    >>> t = Terrain.from_array(np.zeros((50, 50)), transform=Affine(30, 0, 0, 0, -30, 1500),
    ...                        crs="EPSG:32648")
    >>> vs = viewsheds(t, [600.0, 900.0], [600.0, 900.0], tx_height_m=30, radius_m=450)
    >>> vs.shape, int((vs[0] == 1).sum())
    ((2, 50, 50), 709)
    """
    xs = np.atleast_1d(np.asarray(xs, dtype=float))
    ys = np.atleast_1d(np.asarray(ys, dtype=float))
    heights = np.broadcast_to(np.asarray(tx_height_m, dtype=float), xs.shape)
    for height in heights:
        _validate_options(float(height), rx_height_m, radius_m, k_factor)
    names = _names(site_names, len(xs))
    rows_idx, cols_idx = site_cells(terrain, xs, ys, site_names=names)
    radius_cells = radius_m / terrain.resolution_m
    plan = radial_plan(round(radius_cells, 6), oversample=oversample)
    reach = int(math.floor(radius_cells))
    curvature = terrain.resolution_m**2 / (2.0 * k_factor * EARTH_RADIUS_M)
    out = np.full((len(xs), *terrain.shape), NODATA, dtype=np.uint8)
    elevation = np.ascontiguousarray(terrain.elevation_m)
    rows, cols = terrain.shape
    # one site: look for voids in its window only; many: in the whole grid once
    check_windows = len(xs) == 1 or not np.isfinite(elevation).all()
    truncated = []
    for i in range(len(xs)):
        row, col = int(rows_idx[i]), int(cols_idx[i])
        if check_windows:
            leaves_grid = _check_window(terrain, row, col, reach, names[i])
        else:
            leaves_grid = min(row, col) < reach or row + reach >= rows or col + reach >= cols
        if leaves_grid:
            truncated.append(i)
        observer_z = float(terrain.elevation_m[row, col]) + float(heights[i])
        _viewshed_kernel(
            elevation,
            row,
            col,
            observer_z,
            float(rx_height_m),
            curvature,
            plan.ray_dx,
            plan.ray_dy,
            plan.n_steps,
            plan.wedge_start,
            plan.cell_drow,
            plan.cell_dcol,
            plan.cell_step_a,
            plan.cell_step_b,
            plan.cell_weight_b,
            plan.inner_radius_cells,
            out[i],
        )
    if truncated:
        shown = ", ".join(names[i] for i in truncated[:10]) + (
            " ..." if len(truncated) > 10 else ""
        )
        warnings.warn(
            f"the {radius_m:.0f} m radius of {len(truncated)} site(s) ({shown}) reaches past the "
            f"edge of the terrain {terrain.source}; visibility there is unknown (not computed). "
            "Open a DEM that extends at least the radius beyond every site.",
            CoverageWarning,
            stacklevel=2,
        )
    return out


def viewshed(
    terrain: Terrain,
    x: float,
    y: float,
    *,
    tx_height_m: float,
    rx_height_m: float = RX_HEIGHT_M,
    radius_m: float,
    k_factor: float = K_FACTOR,
    oversample: float = OVERSAMPLE,
) -> np.ndarray:
    """Cells of the terrain grid visible from one antenna.

    A cell is visible when the straight line (over an earth of effective radius
    ``k_factor * 6371008.8`` m) from the antenna, ``tx_height_m`` above the ground of
    the site's cell, to a receiver ``rx_height_m`` above the ground of the cell's centre
    clears the terrain. See the module docstring for the algorithm; it agrees with the
    exact R3 line of sight on more than 99.7 % of cells of rough terrain.

    Parameters
    ----------
    terrain
        Elevation grid (metric CRS).
    x, y
        Site coordinates in ``terrain.crs``, m.
    tx_height_m
        Antenna height above ground, m.
    rx_height_m
        Receiver height above ground, m.
    radius_m
        Maximum distance, m.
    k_factor
        Effective earth-radius factor.
    oversample
        Rays per cell of circumference at the radius.

    Returns
    -------
    numpy.ndarray
        uint8 (rows, cols): 1 visible, 0 hidden, 255 outside the radius.

    Raises
    ------
    TerrainError
        The site is outside the grid or on a void, or void cells lie within the radius.

    Warns
    -----
    CoverageWarning
        When the radius reaches past the edge of the grid.

    Examples
    --------
    >>> from affine import Affine
    >>> ridge = np.zeros((41, 41), dtype=np.float32)
    >>> ridge[:, 25] = 100.0  # a wall 100 m high, 5 cells east of the site
    >>> t = Terrain.from_array(ridge, transform=Affine(30, 0, 0, 0, -30, 1230),
    ...                        crs="EPSG:32648")
    >>> v = viewshed(t, 615.0, 615.0, tx_height_m=10, radius_m=540)
    >>> int(v[20, 22]), int(v[20, 25]), int(v[20, 30]), int(v[0, 0])
    (1, 1, 0, 255)
    """
    return viewsheds(
        terrain,
        np.array([x], dtype=float),
        np.array([y], dtype=float),
        tx_height_m=tx_height_m,
        rx_height_m=rx_height_m,
        radius_m=radius_m,
        k_factor=k_factor,
        oversample=oversample,
    )[0]
