"""Longley-Rice ITM over the terrain grid: every pixel's own point-to-point prediction.

Area prediction as SPLAT! and Signal-Server do it: each pixel within the radius gets
ITM 1.2.2's point-to-point loss (:func:`coverage.physics.itm.p2p.itm_p2p_point`, NTIA's algorithm
unchanged) over the terrain profile from the site to that pixel. The profiles come from
the radial walk of :mod:`coverage.radial.plan`: each radial is sampled once where it crosses
the grid lines through cell centres, and every pixel served by that radial (the ray
nearest its azimuth, as for the engine's other models) gets the prefix of the radial
that lies before it, closed by its own cell centre and ground height. Radials run in
parallel (``numba.prange``).

Profile decimation
------------------
ITM wants equally spaced elevations. A pixel ``d`` metres out gets
``n = min(ceil(d / cell), max_profile_points - 1)`` intervals of ``d / n`` metres
(:func:`itm_profile_intervals`), each elevation interpolated linearly between the two
radial samples around it: one sample per cell up to ``max_profile_points`` (default
:data:`coverage.settings.ITM_MAX_PROFILE_POINTS`, 150), fewer and longer steps beyond
(SPLAT! and Signal-Server likewise feed ITM a profile of bounded length). ITM's own irregularity estimate already resamples every
profile to at most 245 points [Hufford, Algorithm sec. 46: dlthx], and its cost per
call grows with the profile length (about 1.7 us at 30 points, 3 us at 150, 6.6 us at
667 on one core). Measured on the rough synthetic DEM of
``benchmarks/bench_itm_splat.py`` (93 m cells, 20 km radius, paths over 13.9 km
decimated): against the full one-sample-per-cell profile, the decimated pixels move by
a median of 0.3 dB, 1.9 dB at the 90th percentile and 8.6 dB at the 99th (a lost or
moved knife edge); over all pixels 0.02 / 1.1 / 6.2 dB. On a 30 m DEM decimation starts
at 4.5 km; raise ``max_profile_points`` there when speed matters less.

Comparing with SPLAT!
---------------------
This grid is the coverage grid: the DEM reprojected once (bilinear) and profiles
interpolated along radials. SPLAT! and Signal-Server read the nearest DEM post instead,
on the DEM's own grid, which on rough ground reads more loss (a median 3 dB on the
benchmark's DEM). To compare with their maps post for post, use
:func:`coverage.radial.itm_native.itm_native_path_loss` (``phusong itm-loss``).

Validity
--------
A pixel whose ITM warning code is non-zero (e.g. paths under 1 km, horizons nearer than
a tenth of the smooth-earth horizon, horizon angles over 200 mrad: common in mountains)
gets :attr:`coverage.model.Validity.ITM_WARNING`; a pixel where ITM could not compute
a loss is NaN and flagged the same way. The site's own cell carries the free-space loss
of the engine and ``ITM_WARNING | DISTANCE_OUT_OF_RANGE``.

Examples
--------
>>> from affine import Affine
>>> from coverage.terrain import Terrain
>>> t = Terrain.from_array(np.full((121, 121), 300.0), crs="EPSG:32648",
...                        transform=Affine(50, 0, 0, 0, -50, 6050))
>>> result = itm_site_path_loss(t, 3025.0, 3025.0, tx_height_m=30.0,
...                             frequency_mhz=900.0, radius_m=3000.0)
>>> round(float(result.loss_db[60, 120]), 1)   # 3 km east over flat ground
106.0
"""

from __future__ import annotations

import dataclasses
import math

import numba
import numpy as np
from numba import prange

from coverage.errors import ModelRangeError
from coverage.i18n import message
from coverage.physics.itm.environment import ItmEnvironment, as_environment
from coverage.physics.itm.p2p import DELTA_H_SCRATCH, itm_p2p_point
from coverage.radial.path_loss import radial_path_loss
from coverage.radial.plan import nearest_ray_plan, walk_samples
from coverage.radial.site import SiteLoss, site_cells
from coverage.settings import ITM_MAX_PROFILE_POINTS, K_FACTOR, OVERSAMPLE, RX_HEIGHT_M
from coverage.terrain import Terrain
from coverage.validity import Validity

__all__ = [
    "check_max_profile_points",
    "itm_profile_intervals",
    "itm_radial_losses",
    "itm_site_path_loss",
]

_ITM_WARNING = np.uint8(Validity.ITM_WARNING)


@numba.njit(cache=True)
def itm_profile_intervals(distance_m: float, cell_m: float, max_profile_points: int) -> int:
    """Number of equal intervals of the ITM profile of a pixel ``distance_m`` away.

    One interval per cell (rounded up), at most ``max_profile_points - 1``, at least 1.

    Examples
    --------
    >>> itm_profile_intervals(20_000.0, 93.0, 150), itm_profile_intervals(900.0, 93.0, 150)
    (149, 10)
    """
    intervals = int(math.ceil(distance_m / cell_m - 1e-9))
    return max(1, min(intervals, max_profile_points - 1))


@numba.njit(cache=True)
def _fill_profile(xs, heights, count, ground_tx, total, ground_rx, intervals, profile):
    """Equally spaced profile 0..total from the radial samples ``xs[:count]`` (increasing).

    ``profile[0]`` is the site's ground, ``profile[intervals]`` the pixel's; in between,
    linear interpolation along the chain (0, site), samples before ``total``, (total, pixel).
    """
    step = total / intervals
    profile[0] = ground_tx
    profile[intervals] = ground_rx
    before_x, before_h = 0.0, ground_tx
    i = 0
    for k in range(1, intervals):
        x = k * step
        while i < count and xs[i] <= x:
            before_x, before_h = xs[i], heights[i]
            i += 1
        if i < count and xs[i] < total:
            after_x, after_h = xs[i], heights[i]
        else:
            after_x, after_h = total, ground_rx
        span = after_x - before_x
        if span > 0.0:
            profile[k] = before_h + (after_h - before_h) * (x - before_x) / span
        else:
            profile[k] = after_h


@numba.njit(cache=True, parallel=True, nogil=True)
def itm_radial_losses(
    elevation,
    row0,
    col0,
    cell_m,
    h_tx_m,
    h_rx_m,
    frequency_mhz,
    polarization,
    epsilon,
    sigma,
    n0,
    climate,
    mdvar,
    time_pct,
    location_pct,
    situation_pct,
    max_profile_points,
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
    itm_warnings,
    fast=True,
):  # pragma: no cover - compiled
    """ITM point-to-point loss of every pixel of one site, radial by radial (in place).

    The pure kernel behind :func:`itm_site_path_loss`. ``elevation``: the grid (m, no
    NaN within the radius); ``row0, col0``: the site's cell; the ray arguments are the
    plan of :func:`coverage.radial.plan.nearest_ray_plan` (pixels grouped by nearest ray,
    sorted by step). Writes ``loss`` (dB, NaN where ITM fails) and ``itm_warnings``
    (ITM's warning bits, int32) in windows starting at (``win_row0``, ``win_col0``).
    ``fast``: ITM's ``fast`` order (:func:`coverage.physics.itm.p2p.itm_p2p_point`).
    """
    rows, cols = elevation.shape
    flat = elevation.ravel()
    ground_tx = float(elevation[row0, col0])
    max_samples = 2 * n_steps + 2
    for ray in prange(len(ray_dx)):
        first = ray_start[ray]
        last = ray_start[ray + 1]
        if first == last:
            continue
        xs = np.empty(max_samples)
        ground = np.empty(max_samples)
        at_step = np.empty(n_steps, np.int64)
        profile = np.empty(max_profile_points)
        scratch = np.empty(DELTA_H_SCRATCH)
        walk_samples(
            flat, rows, cols, row0, col0, ray_dx[ray], ray_dy[ray], cell_m, xs, ground, at_step
        )
        for j in range(first, last):
            row = row0 + cell_drow[j]
            col = col0 + cell_dcol[j]
            if row < 0 or row >= rows or col < 0 or col >= cols:
                continue
            count = at_step[cell_step[j]]
            total = math.sqrt(float(cell_drow[j] ** 2 + cell_dcol[j] ** 2)) * cell_m
            intervals = itm_profile_intervals(total, cell_m, max_profile_points)
            _fill_profile(
                xs, ground, count, ground_tx, total, float(elevation[row, col]), intervals, profile
            )
            value, warning_bits = itm_p2p_point(
                profile[: intervals + 1], total / intervals, h_tx_m, h_rx_m, frequency_mhz,
                polarization, epsilon, sigma, n0, climate, mdvar, time_pct, location_pct,
                situation_pct, scratch, fast,
            )  # fmt: skip
            loss[row - win_row0, col - win_col0] = value
            itm_warnings[row - win_row0, col - win_col0] = warning_bits


def itm_site_path_loss(
    terrain: Terrain,
    x: float,
    y: float,
    *,
    tx_height_m: float,
    rx_height_m: float = RX_HEIGHT_M,
    frequency_mhz: float,
    radius_m: float,
    k_factor: float = K_FACTOR,
    oversample: float = OVERSAMPLE,
    itm: ItmEnvironment | None = None,
    max_profile_points: int = ITM_MAX_PROFILE_POINTS,
    reference: bool = False,
) -> SiteLoss:
    """ITM 1.2.2 point-to-point loss from one site to every pixel within ``radius_m``.

    What :func:`coverage.model.site_path_loss` runs for ``model="itm"``. Each pixel's loss is
    :func:`coverage.physics.itm.p2p.itm_p2p_point` over its own terrain profile from the site (see
    the module docstring for the radial sampling and the profile decimation); the
    geometry (window, distance, azimuth, line of sight, elevation angle, truncation) is
    :func:`coverage.radial.path_loss.radial_path_loss`'s.

    Parameters
    ----------
    terrain
        Elevation grid (metric CRS); no voids within the radius.
    x, y
        Site coordinates in ``terrain.crs``, m (the site stands at its cell's centre).
    tx_height_m, rx_height_m
        Antenna heights above ground, m (ITM: 0.5-3000 m, warned outside 1-1000 m).
    frequency_mhz
        Carrier, MHz (ITM: 20-20,000 MHz).
    radius_m
        Largest distance computed, m.
    k_factor
        Effective earth-radius factor of the engine's line-of-sight and elevation-angle
        outputs. ITM's own losses use ITM's effective earth, derived from ``n0`` and the
        path's mean elevation [Hufford, Algorithm sec. 41].
    oversample
        Rays per cell of circumference at the radius (the engine's).
    itm
        ITM's environment; None (default): Lào Cai's
        :class:`~coverage.physics.itm.environment.ItmEnvironment` (vertical, average
        ground 15 / 0.005 S/m, N_0 301, continental subtropical, mode 12 at 50 % time,
        location and situation).
    max_profile_points
        Most elevations per ITM profile (at least 3); longer paths are decimated.
    reference
        True: ITM in NTIA's own order of operations (the slower reference the default
        is tested against, ``tests/test_itm_fast.py``); False (default): the same
        algorithm in :mod:`coverage.physics.itm.fast`'s order, equal up to rounding.

    Returns
    -------
    SiteLoss
        ``model="itm"``; ``validity`` carries ``Validity.ITM_WARNING`` wherever ITM's
        warning code is non-zero or it returned no loss.

    Raises
    ------
    ModelRangeError
        An ITM input is outside ITM's limits (the message names it and the range), or
        ``max_profile_points`` is below 3.
    TerrainError
        The site is outside the grid or on a void, or voids lie within the radius.

    It warns about nothing: ``truncated=True`` says the radius reaches past the edge of
    the terrain (:func:`coverage.model.site_path_loss` warns about it).

    Examples
    --------
    >>> from affine import Affine
    >>> t = Terrain.from_array(np.full((81, 81), 500.0), crs="EPSG:32648",
    ...                        transform=Affine(100, 0, 0, 0, -100, 8100))
    >>> near = itm_site_path_loss(t, 4050.0, 4050.0, tx_height_m=30.0,
    ...                           frequency_mhz=900.0, radius_m=4000.0)
    >>> bool(near.validity[40, 45] & Validity.ITM_WARNING)   # 500 m: under ITM's 1 km
    True
    """
    environment = as_environment(itm)
    link = environment.checked_link(
        h_tx_m=tx_height_m, h_rx_m=rx_height_m, frequency_mhz=frequency_mhz
    )
    check_max_profile_points(max_profile_points)

    geometry = radial_path_loss(
        terrain, x, y, tx_height_m=tx_height_m, rx_height_m=rx_height_m,
        frequency_mhz=frequency_mhz, radius_m=radius_m, model="fspl", k_factor=k_factor,
        oversample=oversample,
    )  # fmt: skip

    rows, cols = geometry.shape
    cell_m = terrain.resolution_m
    site_rows, site_cols = site_cells(terrain, np.array([x]), np.array([y]))  # the engine's
    site_row, site_col = int(site_rows[0]), int(site_cols[0])
    loss = np.full((rows, cols), np.nan, dtype=np.float32)
    itm_warnings = np.zeros((rows, cols), dtype=np.int32)
    ray_dx, ray_dy, n_steps, ray_start, cell_drow, cell_dcol, cell_step = nearest_ray_plan(
        radius_m / cell_m, oversample
    )
    itm_radial_losses(
        np.ascontiguousarray(terrain.elevation_m), site_row, site_col, cell_m, *link,
        *environment.kernel_args, int(max_profile_points), ray_dx, ray_dy, n_steps,
        ray_start, cell_drow, cell_dcol, cell_step, geometry.row0, geometry.col0, loss,
        itm_warnings, not reference,
    )  # fmt: skip

    inside = np.isfinite(geometry.distance_m)
    flags = geometry.validity.copy()
    flags[inside & ((itm_warnings != 0) | ~np.isfinite(loss))] |= _ITM_WARNING
    own = (site_row - geometry.row0, site_col - geometry.col0)
    loss[own] = geometry.loss_db[own]  # the engine's free-space loss at distance ~0
    flags[own] |= np.uint8(Validity.ITM_WARNING | Validity.DISTANCE_OUT_OF_RANGE)
    return dataclasses.replace(geometry, loss_db=loss, validity=flags, model="itm")


def check_max_profile_points(max_profile_points: int | None) -> None:
    """Refuse a ``max_profile_points`` that is neither None (no limit) nor an integer >= 3.

    Raises
    ------
    ModelRangeError
        Naming the value and the default (:data:`coverage.settings.ITM_MAX_PROFILE_POINTS`).

    Examples
    --------
    >>> check_max_profile_points(150)
    >>> check_max_profile_points(2)
    Traceback (most recent call last):
    ...
    coverage.errors.ModelRangeError: max_profile_points=2 is too few for ITM's horizon \
search; give at least 3 (default 150)
    """
    if max_profile_points is None:
        return
    if isinstance(max_profile_points, bool) or not isinstance(max_profile_points, int | np.integer):
        raise ModelRangeError(
            message(
                "errors.radial.profile_points_type",
                max_profile_points=repr(max_profile_points),
                default=ITM_MAX_PROFILE_POINTS,
            )
        )
    if max_profile_points < 3:
        raise ModelRangeError(
            message(
                "errors.radial.profile_points_few",
                max_profile_points=max_profile_points,
                default=ITM_MAX_PROFILE_POINTS,
            )
        )
