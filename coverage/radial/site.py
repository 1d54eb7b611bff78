"""A site on the terrain grid: its cell, its window, and the path-loss result over it.

Shared by every radial kernel: where a site stands (:func:`site_cells`), the checks of its
geometry (:func:`check_geometry`) and of the terrain within its radius
(:func:`check_window`), and :class:`SiteLoss`, what a path-loss kernel returns.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from affine import Affine
from pyproj import CRS

from coverage.errors import TerrainError
from coverage.i18n import message
from coverage.terrain import Terrain

__all__ = [
    "SiteLoss",
    "SiteWindow",
    "check_geometry",
    "check_window",
    "site_cells",
    "site_names_or_positions",
    "site_window",
]


@dataclass(frozen=True, eq=False)
class SiteLoss:
    """Path loss from one site over the window of the grid within its radius.

    Attributes
    ----------
    loss_db
        float32 (rows, cols): basic transmission loss between isotropic antennas, dB;
        NaN outside the radius.
    validity
        uint8 (rows, cols) of :class:`coverage.model.Validity` flags.
    line_of_sight
        uint8 (rows, cols): 1 clear line of sight, 0 obstructed, 255 outside the radius.
    distance_m
        float32 (rows, cols): horizontal distance from the site, m.
    azimuth_deg
        float32 (rows, cols): bearing from the site, degrees clockwise from grid north.
    elevation_deg
        float32 (rows, cols): angle of the receiver seen from the antenna above the
        horizontal, degrees (earth curvature included); with ``azimuth_deg`` it is
        what an antenna pattern needs.
    row0, col0
        Offset of the window in the terrain grid (``terrain.elevation_m[row0:row0+rows,
        col0:col0+cols]``).
    transform, crs
        Georeferencing of the window.
    model
        Model name.
    truncated
        True when the radius reaches past the edge of the terrain.
    """

    loss_db: np.ndarray
    validity: np.ndarray
    line_of_sight: np.ndarray
    distance_m: np.ndarray
    azimuth_deg: np.ndarray
    elevation_deg: np.ndarray
    row0: int
    col0: int
    transform: Affine
    crs: CRS
    model: str
    truncated: bool = False

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of the window."""
        rows, cols = self.loss_db.shape
        return rows, cols


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
        raise ValueError(message("errors.radial.site_xy_shape", x_shape=xs.shape, y_shape=ys.shape))
    names = site_names_or_positions(site_names, len(xs))
    rows, cols = terrain.shape
    row_f, col_f = terrain.rowcol(xs, ys)
    row = np.floor(row_f + 0.5).astype(np.int64)
    col = np.floor(col_f + 0.5).astype(np.int64)
    for i in range(len(xs)):
        if not (np.isfinite(xs[i]) and np.isfinite(ys[i])):
            raise TerrainError(
                message("errors.radial.site_not_finite", site=names[i], x=xs[i], y=ys[i])
            )
        if not (0 <= row[i] < rows and 0 <= col[i] < cols):
            left, bottom, right, top = terrain.bounds
            raise TerrainError(
                message(
                    "errors.radial.site_outside",
                    site=names[i],
                    x=f"{xs[i]:.1f}",
                    y=f"{ys[i]:.1f}",
                    crs=terrain.crs.name,
                    source=terrain.source,
                    left=f"{left:.0f}",
                    right=f"{right:.0f}",
                    bottom=f"{bottom:.0f}",
                    top=f"{top:.0f}",
                )
            )
        if not np.isfinite(terrain.elevation_m[row[i], col[i]]):
            raise TerrainError(
                message(
                    "errors.radial.site_on_void",
                    site=names[i],
                    x=f"{xs[i]:.1f}",
                    y=f"{ys[i]:.1f}",
                    row=row[i],
                    col=col[i],
                    source=terrain.source,
                )
            )
    return row, col


def site_names_or_positions(site_names: Sequence[str] | None, n_sites: int) -> list[str]:
    """How errors name each site: its name, or its position in the batch."""
    if site_names is None:
        return [str(i) for i in range(n_sites)]
    if len(site_names) != n_sites:
        raise ValueError(
            message("errors.radial.site_names_count", names=len(site_names), sites=n_sites)
        )
    return [str(name) for name in site_names]


def check_window(terrain: Terrain, row: int, col: int, reach: int, site: int | str) -> bool:
    """Raise on NaN heights within ``reach`` cells of (row, col); True if the disc leaves it."""
    rows, cols = terrain.shape
    r_lo, r_hi = max(row - reach, 0), min(row + reach + 1, rows)
    c_lo, c_hi = max(col - reach, 0), min(col + reach + 1, cols)
    window = terrain.elevation_m[r_lo:r_hi, c_lo:c_hi]
    if not np.isfinite(window).all():
        n_void = int((~np.isfinite(window)).sum())
        raise TerrainError(
            message("errors.radial.site_voids", site=site, count=n_void, source=terrain.source)
        )
    return row - reach < 0 or col - reach < 0 or row + reach >= rows or col + reach >= cols


def check_geometry(
    tx_height_m: float, rx_height_m: float, radius_m: float, k_factor: float
) -> None:
    """Raise ``ValueError`` naming the first non-physical height, radius or k-factor."""
    for name, value in (("tx_height_m", tx_height_m), ("rx_height_m", rx_height_m)):
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(message("errors.radial.height", name=name, value=value))
    if not (math.isfinite(radius_m) and radius_m > 0):
        raise ValueError(message("errors.radial.radius", radius_m=radius_m))
    if not (math.isfinite(k_factor) and k_factor > 0):
        raise ValueError(message("errors.radial.k_factor", k_factor=k_factor))


class SiteWindow(NamedTuple):
    """Where one site stands and the window of the grid within its radius.

    ``row, col``: the site's cell; ``row0, col0``: the window's first cell; ``shape``:
    its (rows, cols), cut at the grid's edges; ``truncated``: the radius reaches past an
    edge.
    """

    row: int
    col: int
    row0: int
    col0: int
    shape: tuple[int, int]
    truncated: bool

    @property
    def own_cell(self) -> tuple[int, int]:
        """The site's cell within the window."""
        return self.row - self.row0, self.col - self.col0

    def distance_and_azimuth(self, cell_m: float, radius_m: float) -> tuple[np.ndarray, np.ndarray]:
        """float32 distance (m) and bearing (degrees from grid north) of every cell of the
        window from the site's cell centre; NaN beyond ``radius_m``.

        Examples
        --------
        >>> window = SiteWindow(row=1, col=1, row0=0, col0=0, shape=(3, 3), truncated=True)
        >>> distance, azimuth = window.distance_and_azimuth(30.0, 35.0)
        >>> distance[1, 2], azimuth[1, 2], bool(np.isnan(distance[0, 0]))
        (np.float32(30.0), np.float32(90.0), True)
        """
        # the same for every site whose window the grid's edges do not cut: computed once
        distance, azimuth = _distance_and_azimuth(
            self.row0 - self.row, self.col0 - self.col, self.shape, cell_m, radius_m
        )
        return distance.copy(), azimuth.copy()


@functools.lru_cache(maxsize=4)
def _distance_and_azimuth(
    first_drow: int, first_dcol: int, shape: tuple[int, int], cell_m: float, radius_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`SiteWindow.distance_and_azimuth` of a window starting ``first_drow,
    first_dcol`` cells from its site (read-only arrays: callers copy them)."""
    drow, dcol = np.ogrid[first_drow : first_drow + shape[0], first_dcol : first_dcol + shape[1]]
    distance = (np.hypot(drow, dcol) * cell_m).astype(np.float32)
    inside = distance <= radius_m
    distance[~inside] = np.nan
    azimuth = (np.degrees(np.arctan2(dcol, -drow)) % 360.0).astype(np.float32)
    azimuth = np.where(inside, azimuth, np.float32(np.nan))
    distance.flags.writeable = False
    azimuth.flags.writeable = False
    return distance, azimuth


def site_window(terrain: Terrain, x: float, y: float, radius_m: float) -> SiteWindow:
    """The site at (x, y) (terrain CRS, m) and its window within ``radius_m``.

    Raises :class:`~coverage.errors.TerrainError` when the site is outside the grid or on
    a void, or voids lie within the radius.

    Examples
    --------
    >>> from affine import Affine
    >>> t = Terrain.from_array(np.zeros((10, 10)), transform=Affine(30, 0, 0, 0, -30, 300),
    ...                        crs="EPSG:32648")
    >>> site_window(t, 45.0, 255.0, 90.0)
    SiteWindow(row=1, col=1, row0=0, col0=0, shape=(5, 5), truncated=True)
    """
    rows_idx, cols_idx = site_cells(terrain, np.array([x]), np.array([y]))
    row, col = int(rows_idx[0]), int(cols_idx[0])
    reach = int(math.floor(radius_m / terrain.resolution_m))
    truncated = check_window(terrain, row, col, reach, 0)
    rows, cols = terrain.shape
    row0, col0 = max(row - reach, 0), max(col - reach, 0)
    shape = (min(row + reach + 1, rows) - row0, min(col + reach + 1, cols) - col0)
    return SiteWindow(row, col, row0, col0, shape, truncated)
