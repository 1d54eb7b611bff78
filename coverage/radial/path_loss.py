"""Per-site path loss on the terrain grid: the radial diffraction engine.

For one site, every pixel within the radius gets its distance, its line of sight and
its path loss under one of the models of :data:`MODELS`. The terrain is walked along
radials, as in :mod:`coverage.radial.viewshed`: ``ceil(2 pi R s)`` rays, each sampled where it
crosses the grid lines through cell centres (linear interpolation between the two cell
centres on the line). Each pixel is served by the ray nearest its azimuth; its profile is
the site, that ray's samples lying before it, and the pixel itself (cell centre, ground
height plus receiver height).

Diffraction is the Bullington construction of ITU-R P.526-15 §4.5.1, computed
incrementally along each ray in the flat-earth frame ``h'(x) = h(x) - x^2 / (2 k R)``,
where sight lines are straight (the P.526 "earth bulge" formulation differs from it by
a term linear in ``x``, which leaves every case test, the Bullington point and ``v``
unchanged):

* the steepest slope from the transmitter, ``S_tim``, is a running maximum;
* the steepest slope from a receiver back towards the transmitter, ``S_rim``, is a
  tangent query on the upper convex hull of the samples seen so far (binary search,
  O(log n)); the hull is extended in amortised O(1) as the ray advances;
* on line-of-sight paths the largest clearance to the direct line is a hull query too;
  it bounds every point's Fresnel ``v`` from above, and only when that bound exceeds
  -0.78 (where ``J(v)`` starts to be non-zero) are the samples scanned for ``v_max``.

The result equals :func:`coverage.physics.diffraction.bullington_loss_db` applied to each pixel's
profile (tested on random profiles), at O(log n) per pixel instead of O(n).

The rays and the pixel-to-ray plan are :func:`coverage.radial.plan.nearest_ray_plan`'s;
``model="itm"`` (Longley-Rice ITM 1.2.2 on every pixel's own profile) runs on the same
plan in :mod:`coverage.radial.itm_grid`; :func:`coverage.model.site_path_loss` chooses
between them.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from affine import Affine
from numba import prange

from coverage.i18n import message
from coverage.physics.diffraction import fresnel_v, knife_edge_loss_db
from coverage.physics.free_space import SPEED_OF_LIGHT_M_S, free_space_loss_db
from coverage.physics.hata import hata_loss_db
from coverage.physics.ranges import hata_validity_flags
from coverage.radial.plan import nearest_ray_plan, walk_samples
from coverage.radial.site import SiteLoss, SiteWindow, check_geometry, site_window
from coverage.settings import EARTH_RADIUS_M, K_FACTOR, OVERSAMPLE, RX_HEIGHT_M
from coverage.terrain import Terrain
from coverage.validity import Validity

__all__ = ["ENVIRONMENTS", "MODELS", "bullington_prefix_losses", "radial_path_loss"]

MODELS = {"fspl": 0, "hata": 1, "diffraction": 2}
"""Path-loss models of :func:`radial_path_loss` and their kernel codes."""

ENVIRONMENTS = {"urban": 0, "suburban": 1, "open": 2, "metropolitan": 3}
"""Hata/COST-231 environments (codes of :func:`coverage.physics.hata.hata_loss_db`)."""

HATA_TERRAIN_FROM_M = 3_000.0
HATA_TERRAIN_TO_M = 15_000.0
"""Okumura/Hata effective base height: mast top minus the mean terrain 3-15 km out."""

_J_THRESHOLD_V = -0.78  # J(v) = 0 for v <= -0.78 (ITU-R P.526-15 §4.1)


# ----------------------------------------------------------------- incremental Bullington


@numba.njit(cache=True, inline="always")
def _cross(ax, ay, bx, by, cx, cy):  # pragma: no cover - compiled
    """z of (b - a) x (c - a): > 0 when a, b, c turn counter-clockwise."""
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


@numba.njit(cache=True, inline="always")
def _hull_push(hull_x, hull_h, size, x, h):  # pragma: no cover - compiled
    """Add the sample (x, h), x increasing, to the upper hull ``hull_x[:size], hull_h[:size]``
    (the vertices' own values, not indices: no indirect loads); return the new size."""
    while size >= 2:
        if (
            _cross(hull_x[size - 2], hull_h[size - 2], hull_x[size - 1], hull_h[size - 1], x, h)
            >= 0.0
        ):
            size -= 1  # the last vertex is not above the chord to (x, h)
        else:
            break
    hull_x[size] = x
    hull_h[size] = h
    return size + 1


@numba.njit(cache=True)
def _hull_max_offset(hull_x, hull_h, size, slope):  # pragma: no cover - compiled
    """Hull vertex maximising ``h - slope * x`` (hull edge slopes decrease)."""
    low, high = 0, size - 1
    while low < high:
        mid = (low + high) // 2
        if hull_h[mid + 1] - hull_h[mid] >= slope * (hull_x[mid + 1] - hull_x[mid]):
            low = mid + 1
        else:
            high = mid
    return low


@numba.njit(cache=True)
def _hull_tangent_from_right(hull_x, hull_h, size, x_r, z_r):  # pragma: no cover - compiled
    """Hull vertex maximising ``(h - z_r) / (x_r - x)``, for ``x_r`` beyond all."""
    low, high = 0, size - 1
    while low < high:
        mid = (low + high) // 2
        # move right while the next vertex is on or above the line from the receiver
        if _cross(x_r, z_r, hull_x[mid], hull_h[mid], hull_x[mid + 1], hull_h[mid + 1]) <= 0.0:
            low = mid + 1
        else:
            high = mid
    return low


@numba.njit(cache=True)
def _bullington_from_state(
    xs, hs, count, hull_x, hull_h, hull_size, slope_tx, z_t, total, z_r, wavelength
):  # pragma: no cover - compiled
    """Bullington loss (dB) and line-of-sight flag for a receiver beyond ``count`` samples.

    ``xs, hs``: flat-frame samples (m); ``slope_tx``: max over them of
    ``(h - z_t) / x``; ``hull_x, hull_h``: the ``hull_size`` vertices of their upper hull
    (:func:`_hull_push`). ``z_r``: receiver height in the flat
    frame, ``total`` its distance. Mirrors :func:`coverage.physics.diffraction.bullington_loss_db`
    case for case (ITU-R P.526-15 §4.5.1).
    """
    if count == 0:
        return 0.0, True
    slope_tr = (z_r - z_t) / total
    visible = slope_tx <= slope_tr
    slope_rx = -np.inf
    if slope_tx >= slope_tr:
        i = _hull_tangent_from_right(hull_x, hull_h, hull_size, total, z_r)
        slope_rx = (hull_h[i] - z_r) / (total - hull_x[i])
    if slope_tx < slope_tr or slope_tx + slope_rx <= 0.0:
        # case 1: line of sight. Largest clearance bounds every v from above.
        best = _hull_max_offset(hull_x, hull_h, hull_size, slope_tr)
        clearance = hull_h[best] - (z_t + slope_tr * hull_x[best])
        least_factor = math.sqrt(8.0 / (wavelength * total))  # of v / h, at mid-path
        if clearance < 0.0:
            v_bound = clearance * least_factor
            if v_bound <= _J_THRESHOLD_V:
                return 0.0, visible
        v = -np.inf
        for i in range(count):
            x = xs[i]
            h = hs[i] - (z_t + slope_tr * x)
            # below the line, v <= h * least_factor: a sample whose bound lies clearly
            # under the largest v so far cannot change it (skipped, the result unchanged)
            if h < 0.0 and h * least_factor < v - 1e-9 * abs(v) and x < total:
                continue
            v = max(v, fresnel_v(h, x, total - x, wavelength))
        return knife_edge_loss_db(v), visible
    d_b = (z_r - z_t + slope_rx * total) / (slope_tx + slope_rx)
    d_b = min(max(d_b, 1e-9 * total), total * (1.0 - 1e-9))
    height = z_t + slope_tx * d_b - (z_t * (total - d_b) + z_r * d_b) / total
    return knife_edge_loss_db(fresnel_v(height, d_b, total - d_b, wavelength)), visible


@numba.njit(cache=True)
def bullington_prefix_losses(distances_m, heights_m, h_tx_m, h_rx_m, frequency_mhz, k_factor):
    """Bullington loss to every point of one profile, incrementally (dB per receiver).

    ``out[j]`` is the loss of the sub-profile ``0..j`` with the receiver (``h_rx_m``
    above ground) at point ``j``, i.e. what
    ``coverage.physics.diffraction.bullington_loss_db(distances_m[:j+1], heights_m[:j+1], ...)``
    returns, but in O(log n) per point (ITU-R P.526-15 §4.5.1; see the module
    docstring). ``out[0]`` is NaN.

    Examples
    --------
    >>> import numpy as np
    >>> d = np.array([0.0, 5000.0, 10000.0])
    >>> h = np.array([0.0, 30.0, 0.0])
    >>> round(float(bullington_prefix_losses(d, h, 30.0, 1.5, 900.0, 4 / 3)[2]), 1)
    12.4
    """
    n = len(distances_m)
    out = np.full(n, np.nan)
    curvature = 1.0 / (2.0 * k_factor * EARTH_RADIUS_M)
    wavelength = SPEED_OF_LIGHT_M_S / (frequency_mhz * 1e6)
    xs = np.empty(n)
    hs = np.empty(n)
    hull_x = np.empty(n)
    hull_h = np.empty(n)
    hull_size = 0
    z_t = heights_m[0] + h_tx_m
    slope_tx = -np.inf
    for j in range(1, n):
        count = j - 1  # intermediate samples 1..j-1, stored at 0..j-2
        if count > 0:
            x = distances_m[j - 1] - distances_m[0]
            xs[count - 1] = x
            hs[count - 1] = heights_m[j - 1] - curvature * x * x
            hull_size = _hull_push(hull_x, hull_h, hull_size, x, hs[count - 1])
            slope_tx = max(slope_tx, (hs[count - 1] - z_t) / x)
        total = distances_m[j] - distances_m[0]
        z_r = heights_m[j] + h_rx_m - curvature * total * total
        out[j] = _bullington_from_state(
            xs, hs, count, hull_x, hull_h, hull_size, slope_tx, z_t, total, z_r, wavelength
        )[0]
    return out


# ----------------------------------------------------------------------- grid kernel


@numba.njit(cache=True, parallel=True, nogil=True)
def _site_kernel(
    elevation,
    row0,
    col0,
    cell_m,
    z_tx,
    rx_height,
    curvature,
    frequency_mhz,
    model,
    environment,
    ray_dx,
    ray_dy,
    n_steps,
    ray_start,
    cell_drow,
    cell_dcol,
    cell_step,
    win_row0,
    win_col0,
    loss,
    flags,
    los,
    elevation_deg,
):  # pragma: no cover - compiled
    """Loss, validity, line of sight and elevation angle of every pixel of one site.

    Pixels are grouped by nearest ray and sorted by step (``ray_start`` CSR); the
    outputs are windows starting at (``win_row0``, ``win_col0``) of the grid.
    """
    rows, cols = elevation.shape
    flat = elevation.ravel()
    wavelength = SPEED_OF_LIGHT_M_S / (frequency_mhz * 1e6)
    max_samples = 2 * n_steps + 2
    for ray in prange(len(ray_dx)):
        first = ray_start[ray]
        last = ray_start[ray + 1]
        if first == last:
            continue
        xs = np.empty(max_samples)
        ground = np.empty(max_samples)
        flat_h = np.empty(max_samples)
        hull_x = np.empty(max_samples)
        hull_h = np.empty(max_samples)
        at_step = np.empty(n_steps, np.int64)
        # Hata averages the terrain along the whole radial; the other models need the
        # ray only up to its farthest pixel (pixels are sorted by step): a ray off the
        # axes would walk past the radius, by up to 41 % on the diagonals
        walked = n_steps if model == 1 else cell_step[last - 1] + 1
        n = walk_samples(
            flat, rows, cols, row0, col0, ray_dx[ray], ray_dy[ray], cell_m, xs, ground,
            at_step[:walked],
        )  # fmt: skip
        base_height = 0.0
        if model == 1:  # Hata: effective base height along this radial
            total_h = 0.0
            used = 0
            for i in range(n):
                if HATA_TERRAIN_FROM_M <= xs[i] <= HATA_TERRAIN_TO_M:
                    total_h += ground[i]
                    used += 1
            if used == 0:  # radial shorter than 3 km: mean of what there is
                for i in range(n):
                    total_h += ground[i]
                used = n
            base_height = z_tx - total_h / used if used > 0 else z_tx - flat[0]
        hull_size = 0
        added = 0
        slope_tx = -np.inf
        for j in range(first, last):
            row = row0 + cell_drow[j]
            col = col0 + cell_dcol[j]
            if row < 0 or row >= rows or col < 0 or col >= cols:
                continue
            count = at_step[cell_step[j]]
            while added < count:
                x = xs[added]
                flat_h[added] = ground[added] - curvature * x * x
                if model == 2:  # only diffraction queries the hull
                    hull_size = _hull_push(hull_x, hull_h, hull_size, x, flat_h[added])
                slope_tx = max(slope_tx, (flat_h[added] - z_tx) / x)
                added += 1
            total = math.sqrt(float(cell_drow[j] ** 2 + cell_dcol[j] ** 2)) * cell_m
            z_r = elevation[row, col] + rx_height - curvature * total * total
            if model == 2:
                diffraction, visible = _bullington_from_state(
                    xs, flat_h, count, hull_x, hull_h, hull_size, slope_tx, z_tx, total, z_r,
                    wavelength,
                )  # fmt: skip
            else:  # line of sight alone: _bullington_from_state's own test, without its loss
                diffraction = 0.0
                visible = count == 0 or slope_tx <= (z_r - z_tx) / total
            rise = z_r - z_tx
            slant = math.sqrt(total * total + rise * rise)
            out_r = row - win_row0
            out_c = col - win_col0
            if model == 1:
                loss[out_r, out_c] = hata_loss_db(
                    total, frequency_mhz, max(base_height, 1.0), rx_height, environment
                )
                flags[out_r, out_c] = hata_validity_flags(
                    total, frequency_mhz, base_height, rx_height
                )
            elif model == 2:
                loss[out_r, out_c] = free_space_loss_db(slant, frequency_mhz) + diffraction
            else:
                loss[out_r, out_c] = free_space_loss_db(slant, frequency_mhz)
            los[out_r, out_c] = 1 if visible else 0
            elevation_deg[out_r, out_c] = math.degrees(math.atan2(rise, total))


def radial_path_loss(
    terrain: Terrain,
    x: float,
    y: float,
    *,
    tx_height_m: float,
    rx_height_m: float = RX_HEIGHT_M,
    frequency_mhz: float,
    radius_m: float,
    model: str = "diffraction",
    k_factor: float = K_FACTOR,
    environment: str = "open",
    oversample: float = OVERSAMPLE,
) -> SiteLoss:
    """Path loss from one site to every pixel of the grid within ``radius_m``.

    Parameters
    ----------
    terrain
        Elevation grid (metric CRS).
    x, y
        Site coordinates in ``terrain.crs``, m; the site stands at the centre of the
        cell containing it.
    tx_height_m
        Antenna height above the site's ground, m.
    rx_height_m
        Receiver height above ground, m.
    frequency_mhz
        Carrier frequency, MHz.
    radius_m
        Largest distance computed, m.
    model
        ``"diffraction"``: free space (ITU-R P.525, on the slant distance) plus the
        Bullington knife-edge loss over the actual terrain (ITU-R P.526-15 §4.5.1);
        the terrain-aware default. ``"fspl"``: free space only. ``"hata"``: Okumura-
        Hata / COST-231 median loss (:func:`coverage.physics.hata.hata_loss_db`) with
        the effective base height of the Okumura/Hata convention: antenna top (site
        ground + mast) minus the mean terrain height 3-15 km along the radial (the
        whole radial when it is shorter than 3 km), at least 1 m; pixels outside Hata's
        ranges are flagged in ``validity``. (ITM: :func:`coverage.radial.itm_grid.itm_site_path_loss`.)
    k_factor
        Effective earth-radius factor (4/3: standard radio atmosphere).
    environment
        Hata environment: one of :data:`ENVIRONMENTS` (``"open"`` suits rural
        mountain communes).
    oversample
        Rays per cell of circumference at the radius.

    Returns
    -------
    SiteLoss

    Raises
    ------
    TerrainError
        The site is outside the grid or on a void, or void cells lie within the radius.
    ValueError
        Unknown model or environment, or a non-physical option.

    It warns about nothing: ``truncated=True`` says the radius reaches past the edge of
    the terrain (:func:`coverage.model.site_path_loss` warns about it).

    Examples
    --------
    >>> from affine import Affine
    >>> t = Terrain.from_array(np.zeros((101, 101)), transform=Affine(30, 0, 0, 0, -30, 3030),
    ...                        crs="EPSG:32648")
    >>> result = radial_path_loss(t, 1515.0, 1515.0, tx_height_m=30, frequency_mhz=900,
    ...                         radius_m=1500)
    >>> result.shape, round(float(result.loss_db[50, 100]), 1)  # 1.5 km east: free space
    ((101, 101), 95.1)
    """
    if model not in MODELS:
        raise ValueError(
            message("errors.model.unknown_model", model=repr(model), choices=sorted(MODELS))
        )

    if environment not in ENVIRONMENTS:
        raise ValueError(
            message(
                "errors.radial.unknown_environment",
                environment=repr(environment),
                choices=sorted(ENVIRONMENTS),
            )
        )
    check_geometry(tx_height_m, rx_height_m, radius_m, k_factor)
    if not (math.isfinite(frequency_mhz) and frequency_mhz > 0):
        raise ValueError(message("errors.radial.frequency", frequency_mhz=frequency_mhz))
    window = site_window(terrain, x, y, radius_m)
    loss = np.full(window.shape, np.nan, dtype=np.float32)
    flags = np.zeros(window.shape, dtype=np.uint8)
    los = np.full(window.shape, 255, dtype=np.uint8)
    elevation_deg = np.full(window.shape, np.nan, dtype=np.float32)
    plan = nearest_ray_plan(radius_m / terrain.resolution_m, oversample)
    z_tx = float(terrain.elevation_m[window.row, window.col]) + tx_height_m
    _site_kernel(
        np.ascontiguousarray(terrain.elevation_m),
        window.row,
        window.col,
        terrain.resolution_m,
        z_tx,
        float(rx_height_m),
        1.0 / (2.0 * k_factor * EARTH_RADIUS_M),
        float(frequency_mhz),
        MODELS[model],
        ENVIRONMENTS[environment],
        *plan,
        window.row0,
        window.col0,
        loss,
        flags,
        los,
        elevation_deg,
    )
    _site_own_cell(
        window, loss, flags, los, elevation_deg, model=model, environment=environment,
        tx_height_m=tx_height_m, rx_height_m=rx_height_m, frequency_mhz=frequency_mhz,
    )  # fmt: skip
    distance, azimuth = window.distance_and_azimuth(terrain.resolution_m, radius_m)
    return SiteLoss(
        loss_db=loss,
        validity=flags,
        line_of_sight=los,
        distance_m=distance,
        azimuth_deg=azimuth,
        elevation_deg=elevation_deg,
        row0=window.row0,
        col0=window.col0,
        transform=terrain.transform @ Affine.translation(window.col0, window.row0),
        crs=terrain.crs,
        model=model,
        truncated=window.truncated,
    )


def _site_own_cell(
    window: SiteWindow,
    loss: np.ndarray,
    flags: np.ndarray,
    los: np.ndarray,
    elevation_deg: np.ndarray,
    *,
    model: str,
    environment: str,
    tx_height_m: float,
    rx_height_m: float,
    frequency_mhz: float,
) -> None:
    """The site's own cell (distance ~0, which the kernel skips): in place."""
    own = window.own_cell
    rise = float(rx_height_m) - tx_height_m
    if model == "hata":
        loss[own] = hata_loss_db(
            1.0, frequency_mhz, max(tx_height_m, 1.0), rx_height_m, ENVIRONMENTS[environment]
        )
        flags[own] = Validity.DISTANCE_OUT_OF_RANGE
    else:
        loss[own] = free_space_loss_db(max(abs(rise), 1.0), frequency_mhz)
    los[own] = 1
    elevation_deg[own] = -90.0 if rise < 0 else 90.0
