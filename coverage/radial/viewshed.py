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

import logging
import math
import warnings
from collections.abc import Sequence

import numba
import numpy as np
from numba import prange

from coverage.errors import DemEdgeWarning
from coverage.i18n import first_few, message
from coverage.radial.plan import radial_plan, ray_axes
from coverage.radial.site import (
    check_geometry,
    check_window,
    site_cells,
    site_names_or_positions,
)
from coverage.settings import EARTH_RADIUS_M, K_FACTOR, OVERSAMPLE, RX_HEIGHT_M
from coverage.terrain import Terrain

__all__ = [
    "NODATA",
    "exact_line_of_sight",
    "viewshed",
    "viewsheds",
]

logger = logging.getLogger(__name__)

NODATA = 255
"""Value of viewshed cells outside the radius or the DEM."""

_INVERSE = 1.0 / np.maximum(np.arange(1 << 16, dtype=np.float64), 1.0)
"""1/k for the sample counter k: a multiply instead of a divide in the walk."""


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


@numba.njit(cache=True, inline="always")
def _steps_used(dx, dy, n_steps):  # pragma: no cover - compiled
    """Steps of a ray that cells of the disc (radius at most ``n_steps - 1`` cells) look at.

    A cell ``d`` cells away looks at step ``ceil(d / step_len - 0.5) - 1``; a ray off the
    axes (``step_len`` up to sqrt 2) need not be walked past the radius: the horizon's
    later entries are never read (and left as they were).
    """
    step_len = 1.0 / max(abs(dx), abs(dy))
    return min(n_steps, int(math.ceil((n_steps - 1) / step_len)) + 1)


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
            left[: _steps_used(ray_dx[ray], ray_dy[ray], n_steps)], 0, -np.inf,
        )  # fmt: skip
        for even in range(chunk * n_even // n_chunks, (chunk + 1) * n_even // n_chunks):
            ray = 2 * even
            nxt = (ray + 2) % n_rays if ray + 1 < n_rays else 0
            _walk_horizon(
                flat, rows, cols, row0, col0, observer_z, curvature, ray_dx[nxt], ray_dy[nxt],
                right[: _steps_used(ray_dx[nxt], ray_dy[nxt], n_steps)], 0, -np.inf,
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
                middle[: max(_steps_used(ray_dx[odd], ray_dy[odd], n_steps), first + 1)],
                first, first_best,
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
    DemEdgeWarning
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
        check_geometry(float(height), rx_height_m, radius_m, k_factor)
    names = site_names_or_positions(site_names, len(xs))
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
            leaves_grid = check_window(terrain, row, col, reach, names[i])
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
        shown = first_few(names[i] for i in truncated)
        warnings.warn(
            message(
                "errors.radial.viewshed_past_edge",
                radius=f"{radius_m:.0f}",
                count=len(truncated),
                shown=shown,
                source=terrain.source,
            ),
            DemEdgeWarning,
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
    DemEdgeWarning
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
