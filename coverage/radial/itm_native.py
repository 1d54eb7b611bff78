"""Longley-Rice ITM on the DEM's own grid: one loss per post, profiles read post by post.

:func:`coverage.radial.itm_grid.itm_site_path_loss` works on the metric working grid that
:func:`coverage.terrain.open_terrain` builds (one bilinear reprojection, then linear
interpolation along radials): the right terrain model for coverage, but not the one
SPLAT!, Signal-Server or Radio Mobile use. They compute on the SRTM grid itself, and
read each profile sample from the *nearest* post, without interpolation. On rough
ground ITM is sensitive to that choice: interpolation shaves the ridge tops a profile
crosses, so the bilinear map is a median 2 dB lower in loss than nearest-post sampling
of the same DEM (``benchmarks/bench_itm_splat.py``). To compare with those tools pixel
for pixel, :func:`itm_native_path_loss` computes ITM 1.2.2 as they do:

* every post of the DEM (opened by :func:`coverage.io.dem.open_native_dem`, no resampling)
  within the radius is a receiver, and the result is a raster on the DEM's own grid;
* its profile runs straight, in the grid's own coordinates, from the site's exact
  position to the post (over 20 km a line of constant slope in longitude and latitude
  stays within a few metres of the great circle), one sample per post step
  (``n = ceil(hypot(d_row, d_col))`` equal intervals, fewer when ``max_profile_points``
  is given), each sample the elevation of the nearest post (SPLAT!'s ``ReadPath``);
* the site stands on the post nearest to it; distances are on the WGS 84 ellipsoid
  (meridional and prime-vertical radii at the mid-latitude of each path, exact to
  about 1e-5 at 20 km) or, for a projected DEM, in its metres.

Examples
--------
>>> import tempfile, pathlib
>>> from coverage.io.dem import open_native_dem
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> np.full((1201, 1201), 300, ">i2").tofile(folder / "N22E103.hgt")
>>> dem = open_native_dem(folder / "N22E103.hgt", bounds=(103.4, 22.4, 103.6, 22.6))
>>> result = itm_native_path_loss(dem, 103.5, 22.5, tx_height_m=30.0,
...                               frequency_mhz=900.0, radius_m=5000.0)
>>> result.crs.to_epsg(), result.loss_db.shape
(4326, (113, 121))
>>> round(float(result.loss_db[56, 60 + 36]), 1)   # 36 posts east: 3.09 km over flat ground
106.5
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numba
import numpy as np
from affine import Affine
from numba import prange
from pyproj import CRS

from coverage.crs import crs_label
from coverage.errors import DemEdgeWarning, TerrainError
from coverage.i18n import message
from coverage.physics.free_space import free_space_loss_db
from coverage.physics.itm.environment import ItmEnvironment, as_environment
from coverage.physics.itm.p2p import DELTA_H_SCRATCH, itm_p2p_point
from coverage.radial.itm_grid import check_max_profile_points
from coverage.settings import RX_HEIGHT_M
from coverage.summaries import html_summary
from coverage.terrain import NativeDEM
from coverage.validity import Validity

__all__ = ["NativeLoss", "itm_native_losses", "itm_native_path_loss", "metres_per_step"]

_ITM_WARNING = np.uint8(Validity.ITM_WARNING)
_HALF_UP = 0.5 + 1e-9  # rounding to the nearest post, ties (and float noise) upwards


@dataclass(frozen=True, eq=False)
class NativeLoss:
    """ITM path loss from one site on the DEM's own grid (a window around the site).

    Attributes
    ----------
    loss_db
        float32 (rows, cols): basic transmission loss, dB; NaN beyond the radius.
    validity
        uint8 (rows, cols) of :class:`coverage.validity.Validity` flags:
        ``ITM_WARNING`` wherever ITM's warning code is non-zero.
    distance_m
        float64 (rows, cols): distance from the site, m, as ITM was given it; NaN beyond
        the radius.
    transform, crs
        Georeferencing of the window, in the DEM's own CRS (degrees for SRTM).
    model
        ``"itm"``.
    truncated
        True when the radius reaches past the edge of the DEM.
    """

    loss_db: np.ndarray
    validity: np.ndarray
    distance_m: np.ndarray
    transform: Affine
    crs: CRS
    model: str = "itm"
    truncated: bool = False

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of the window."""
        return self.loss_db.shape

    def _repr_html_(self) -> str:
        """Compact HTML summary for Jupyter: window, CRS, posts computed, losses, warnings."""
        inside = np.isfinite(self.distance_m)
        losses = self.loss_db[inside & np.isfinite(self.loss_db)]
        warned = np.mean((self.validity[inside] & _ITM_WARNING) > 0) if inside.any() else 0.0
        rows, cols = self.shape
        return html_summary(
            "NativeLoss (ITM 1.2.2 on the DEM's own grid)",
            [
                ("window", f"{rows:,} × {cols:,} posts"),
                ("CRS", crs_label(self.crs)),
                ("posts computed", f"{int(inside.sum()):,}"),
                (
                    "path loss",
                    f"{losses.min():.1f} to {losses.max():.1f} dB (median "
                    f"{np.median(losses):.1f} dB)"
                    if losses.size
                    else "none",
                ),
                ("ITM warnings", f"{warned:.0%} of the posts"),
                ("truncated by the DEM edge", "yes" if self.truncated else "no"),
            ],
        )


def metres_per_step(crs: CRS, transform: Affine, rows: np.ndarray, site_lat: float) -> tuple:
    """Metres per row step and per column step of each grid row, seen from the site.

    Geographic grids: the WGS 84 (or the CRS's own) ellipsoid's meridional radius ``M``
    and prime-vertical radius ``N`` at the mid-latitude between the site and the row
    (``M dphi``, ``N cos(phi) dlambda``); projected grids: the cell size in metres.

    Examples
    --------
    >>> per_row, per_col = metres_per_step(CRS("EPSG:4326"), Affine(1 / 1200, 0, 103,
    ...     0, -1 / 1200, 23), np.array([600]), 22.5)
    >>> round(float(per_row[0]), 2), round(float(per_col[0]), 2)
    (92.28, 85.75)
    """
    rows = np.asarray(rows, dtype=float)
    if crs.is_geographic:
        ellipsoid = crs.ellipsoid or CRS("EPSG:4326").ellipsoid
        assert ellipsoid is not None  # WGS 84's
        a = ellipsoid.semi_major_metre
        e2 = 1.0 - (ellipsoid.semi_minor_metre / a) ** 2
        lat = transform.f + (rows + 0.5) * transform.e
        mid = np.radians((lat + site_lat) / 2.0)
        w = 1.0 - e2 * np.sin(mid) ** 2
        per_row = np.radians(abs(transform.e)) * a * (1.0 - e2) / w**1.5
        per_col = np.radians(abs(transform.a)) * a / np.sqrt(w) * np.cos(mid)
        return per_row, per_col
    factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    return (
        np.full(rows.shape, abs(transform.e) * factor),
        np.full(rows.shape, abs(transform.a) * factor),
    )


@numba.njit(cache=True, parallel=True)
def itm_native_losses(
    elevation,
    site_row,
    site_col,
    per_row_m,
    per_col_m,
    radius_m,
    max_profile_points,
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
    loss,
    itm_warnings,
    distance,
    fast=True,
):  # pragma: no cover - compiled
    """ITM loss of every post within ``radius_m`` of the site (in place), rows in parallel.

    ``elevation``: the window (m, no NaN within the radius); ``site_row, site_col``: the
    site's fractional position in it; ``per_row_m[r], per_col_m[r]``: metres per row and
    column step from the site to row ``r``; ``max_profile_points``: at most this many
    samples per profile (0: one per post step). Writes ``loss`` (dB; NaN where ITM
    fails), ``itm_warnings`` (ITM's bits) and ``distance`` (m) where within the radius.
    ``fast``: ITM's ``fast`` order (:func:`coverage.physics.itm.p2p.itm_p2p_point`).
    """
    rows, cols = elevation.shape
    longest = int(math.ceil(math.hypot(rows, cols))) + 2
    if max_profile_points > 0:
        longest = min(longest, max_profile_points)
    for r in prange(rows):
        profile = np.empty(longest)
        scratch = np.empty(DELTA_H_SCRATCH)
        d_row = r - site_row
        for c in range(cols):
            d_col = c - site_col
            total = math.hypot(d_row * per_row_m[r], d_col * per_col_m[r])
            if total > radius_m:
                continue
            distance[r, c] = total
            intervals = max(1, int(math.ceil(math.hypot(d_row, d_col) - 1e-9)))
            if max_profile_points > 0:
                intervals = min(intervals, max_profile_points - 1)
            inverse = 1.0 / intervals
            for k in range(intervals + 1):
                # fast: a multiplication, a rounding apart (the same posts in the tests)
                t = k * inverse if fast else k / intervals
                # nearest post; a sample halfway between two (to 1e-9) takes the later one
                pr = int(math.floor(site_row + d_row * t + _HALF_UP))
                pc = int(math.floor(site_col + d_col * t + _HALF_UP))
                profile[k] = elevation[min(max(pr, 0), rows - 1), min(max(pc, 0), cols - 1)]
            if total <= 0.0:
                continue
            value, warning_bits = itm_p2p_point(
                profile[: intervals + 1], total / intervals, h_tx_m, h_rx_m, frequency_mhz,
                polarization, epsilon, sigma, n0, climate, mdvar, time_pct, location_pct,
                situation_pct, scratch, fast,
            )  # fmt: skip
            loss[r, c] = value
            itm_warnings[r, c] = warning_bits


def itm_native_path_loss(
    dem: NativeDEM,
    x: float,
    y: float,
    *,
    tx_height_m: float,
    rx_height_m: float = RX_HEIGHT_M,
    frequency_mhz: float,
    radius_m: float,
    itm: ItmEnvironment | None = None,
    max_profile_points: int | None = None,
    reference: bool = False,
) -> NativeLoss:
    """ITM 1.2.2 point-to-point loss from one site to every post of the DEM within the radius.

    See the module docstring for the sampling (nearest post, as SPLAT!).

    Parameters
    ----------
    dem
        Elevations on their own grid (:func:`coverage.io.dem.open_native_dem`), north-up.
    x, y
        The site in ``dem.crs`` (longitude, latitude for SRTM); it stands on its nearest post.
    tx_height_m, rx_height_m, frequency_mhz
        Antenna heights above ground (m) and carrier (MHz), as
        :func:`coverage.radial.itm_grid.itm_site_path_loss`.
    radius_m
        Largest distance computed, m.
    itm
        ITM's environment; None (default): Lào Cai's
        :class:`~coverage.physics.itm.environment.ItmEnvironment`.
    max_profile_points
        Most samples per profile; None (default): one per post step, as SPLAT!.
    reference
        True: ITM in NTIA's own order of operations (the slower reference the default
        is tested against, ``tests/test_itm_fast.py``); False (default): the same
        algorithm in :mod:`coverage.physics.itm.fast`'s order, equal up to rounding.

    Returns
    -------
    NativeLoss
        On the window of the DEM's grid around the site.

    Raises
    ------
    ModelRangeError
        An ITM input outside ITM's limits, or ``max_profile_points`` below 3.
    TerrainError
        The site outside the DEM or on a void, unfilled voids within the radius, a
        rotated grid, or a non-positive radius.

    Warns
    -----
    DemEdgeWarning
        When the radius reaches past the edge of the DEM (``truncated=True``).
    """
    environment = as_environment(itm)
    h_tx, h_rx, frequency = environment.checked_link(
        h_tx_m=tx_height_m, h_rx_m=rx_height_m, frequency_mhz=frequency_mhz
    )
    check_max_profile_points(max_profile_points)
    if not radius_m > 0:
        raise TerrainError(message("errors.radial.radius", radius_m=repr(radius_m)))
    transform = dem.transform
    if transform.b != 0 or transform.d != 0 or transform.e >= 0:
        raise TerrainError(
            message(
                "errors.radial.native_rotated", source=dem.source, transform=tuple(transform)[:6]
            )
        )
    rows, cols = dem.shape
    # to a millionth of a post: a site given on a post is on it, whatever the float noise
    # of the transform (profile samples exactly halfway between posts then round alike)
    row_f, col_f = (round(float(v), 6) for v in dem.rowcol(x, y))
    site_row, site_col = math.floor(row_f + 0.5), math.floor(col_f + 0.5)
    if not (0 <= site_row < rows and 0 <= site_col < cols):
        raise TerrainError(
            message(
                "errors.radial.native_outside", x=x, y=y, source=dem.source, rows=rows, cols=cols
            )
        )
    if not np.isfinite(dem.elevation_m[site_row, site_col]):
        raise TerrainError(message("errors.radial.native_on_void", x=x, y=y, source=dem.source))
    site_lat = float(y) if dem.crs.is_geographic else 0.0
    all_rows = np.arange(rows)
    per_row, per_col = metres_per_step(dem.crs, transform, all_rows, site_lat)
    reach_rows = int(math.ceil(radius_m / per_row.min())) + 1
    reach_cols = int(math.ceil(radius_m / per_col.min())) + 1
    r0, r1 = site_row - reach_rows, site_row + reach_rows + 1
    c0, c1 = site_col - reach_cols, site_col + reach_cols + 1
    truncated = r0 < 0 or c0 < 0 or r1 > rows or c1 > cols
    r0, r1, c0, c1 = max(r0, 0), min(r1, rows), max(c0, 0), min(c1, cols)
    window = np.ascontiguousarray(dem.elevation_m[r0:r1, c0:c1], dtype=np.float64)
    if not np.isfinite(window).all():
        d_row = (np.arange(r0, r1) - row_f)[:, None] * per_row[r0:r1, None]
        d_col = (np.arange(c0, c1) - col_f)[None, :] * per_col[r0:r1, None]
        # a profile's nearest posts can stand up to a post beyond the radius: count those too
        reach = radius_m + 2.0 * max(per_row.max(), per_col.max())
        voids = int((~np.isfinite(window) & (np.hypot(d_row, d_col) <= reach)).sum())
        if voids:
            raise TerrainError(
                message(
                    "errors.radial.native_voids",
                    voids=voids,
                    source=dem.source,
                    reach=f"{reach:.0f}",
                    x=x,
                    y=y,
                )
            )
    shape = window.shape
    loss = np.full(shape, np.nan, dtype=np.float32)
    itm_warnings = np.zeros(shape, dtype=np.int32)
    distance = np.full(shape, np.nan)
    itm_native_losses(
        np.nan_to_num(window, nan=0.0), row_f - r0, col_f - c0, per_row[r0:r1], per_col[r0:r1],
        float(radius_m), 0 if max_profile_points is None else int(max_profile_points),
        h_tx, h_rx, frequency, *environment.kernel_args, loss, itm_warnings, distance,
        not reference,
    )  # fmt: skip
    inside = np.isfinite(distance)
    if truncated:
        warnings.warn(
            message(
                "errors.radial.native_past_edge",
                radius=f"{radius_m:.0f}",
                x=x,
                y=y,
                source=dem.source,
            ),
            DemEdgeWarning,
            stacklevel=2,
        )
    validity = np.zeros(shape, dtype=np.uint8)
    validity[inside & ((itm_warnings != 0) | ~np.isfinite(loss))] |= _ITM_WARNING
    own = (site_row - r0, site_col - c0)
    # the site's own post: ITM has no path to speak of; free space, flagged
    loss[own] = free_space_loss_db(max(float(distance[own]), 1.0), frequency)
    validity[own] |= np.uint8(Validity.ITM_WARNING | Validity.DISTANCE_OUT_OF_RANGE)
    return NativeLoss(
        loss_db=loss,
        validity=validity,
        distance_m=distance,
        transform=transform @ Affine.translation(c0, r0),
        crs=dem.crs,
        truncated=truncated,
    )
