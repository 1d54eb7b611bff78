"""Terrain: elevation on a metric working grid, and every raster read that feeds it.

:class:`Terrain` is the one object the engine consumes: a north-up float32 elevation array
with square cells in metres, its affine transform, its CRS and a mask of cells that were
void in the source data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from affine import Affine
from pyproj import CRS

from coverage.crs import require_crs
from coverage.errors import CRSError, TerrainError


@dataclass(frozen=True, eq=False)
class Terrain:
    """Elevation (metres above mean sea level) on a metric, north-up, square-celled grid.

    Build it with :func:`open_terrain` (files) or :meth:`Terrain.from_array` (arrays).

    Attributes
    ----------
    elevation_m
        float32 array (rows, cols). Void cells that could not be filled are NaN.
    transform
        Affine transform from (col, row) to (x, y) in ``crs`` units (metres).
    crs
        The metric working CRS.
    void_mask
        True where the source had no data (whether or not it was filled since).
    source
        Where the data came from, for messages and reports.
    """

    elevation_m: np.ndarray
    transform: Affine
    crs: CRS
    void_mask: np.ndarray = field(repr=False)
    source: str = "array"

    @classmethod
    def from_array(
        cls,
        elevation_m: np.ndarray,
        *,
        transform: Affine,
        crs: Any,
        void_mask: np.ndarray | None = None,
        source: str = "array",
    ) -> Terrain:
        """Wrap an elevation array already on a metric grid.

        Examples
        --------
        >>> from affine import Affine
        >>> t = Terrain.from_array(np.zeros((3, 4)), transform=Affine(30, 0, 0, 0, -30, 90),
        ...                        crs="EPSG:32648")
        >>> t.shape, t.resolution_m
        ((3, 4), 30.0)
        """
        crs = require_crs(crs, source=source)
        if not crs.is_projected:
            raise CRSError(
                f"{source}: terrain CRS {crs.name} is not metric; reproject it with "
                "open_terrain(..., crs=...) or pick its UTM zone (coverage.crs.utm_crs_for)."
            )
        elevation = np.asarray(elevation_m, dtype=np.float32)
        if elevation.ndim != 2 or min(elevation.shape) < 2:
            raise TerrainError(f"{source}: elevation must be a 2-D array, got shape {elevation.shape}.")
        if abs(transform.b) > 1e-9 or abs(transform.d) > 1e-9 or transform.e >= 0:
            raise TerrainError(f"{source}: the grid must be north-up (no rotation, negative y step).")
        if not np.isclose(transform.a, -transform.e, rtol=1e-6):
            raise TerrainError(
                f"{source}: cells must be square, got {transform.a} x {-transform.e} m; "
                "resample it with open_terrain(..., resolution_m=...)."
            )
        if void_mask is None:
            void_mask = ~np.isfinite(elevation)
        void_mask = np.asarray(void_mask, dtype=bool)
        if void_mask.shape != elevation.shape:
            raise TerrainError(f"{source}: void_mask shape {void_mask.shape} != {elevation.shape}.")
        if not np.isfinite(elevation).any():
            raise TerrainError(f"{source}: every cell is void; check the nodata value and extent.")
        return cls(elevation, transform, crs, void_mask, source)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols)."""
        return self.elevation_m.shape  # type: ignore[return-value]

    @property
    def resolution_m(self) -> float:
        """Cell size in metres."""
        return float(self.transform.a)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in the working CRS."""
        rows, cols = self.shape
        left, top = self.transform.c, self.transform.f
        return (left, top + rows * self.transform.e, left + cols * self.transform.a, top)

    def rowcol(self, x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (row, col) of points (x, y) in the working CRS; cell centres are integers."""
        col = (np.asarray(x, dtype=float) - self.transform.c) / self.transform.a - 0.5
        row = (np.asarray(y, dtype=float) - self.transform.f) / self.transform.e - 0.5
        return row, col

    def xy(self, row: np.ndarray | float, col: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Working-CRS coordinates of cell centres (row, col)."""
        x = self.transform.c + (np.asarray(col, dtype=float) + 0.5) * self.transform.a
        y = self.transform.f + (np.asarray(row, dtype=float) + 0.5) * self.transform.e
        return x, y

    def contains(self, x: np.ndarray | float, y: np.ndarray | float) -> np.ndarray:
        """True where points (x, y), working CRS, fall inside the grid."""
        left, bottom, right, top = self.bounds
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        return (x >= left) & (x <= right) & (y >= bottom) & (y <= top)
