"""Terrain: elevation on a metric working grid, and sampling it; a DEM on its own grid.

:class:`Terrain` is the one object the engine consumes: a north-up float32 elevation array
with square cells in metres on its :class:`~coverage.grid.Grid`, and a mask of cells that
were void in the source data. :class:`NativeDEM` is a DEM on its own grid (SRTM posts in
degrees, say), what ITM on the DEM's grid reads. Both are plain georeferenced arrays:
reading DEM files is :func:`coverage.io.terrain.open_terrain` and
:func:`coverage.io.dem.open_native_dem`, writing one :func:`coverage.io.rasters.write_terrain`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from affine import Affine

from coverage.crs import crs_label, require_crs, transform_xy
from coverage.errors import CRSError, TerrainError
from coverage.grid import Grid, Gridded
from coverage.i18n import message
from coverage.summaries import html_summary


@dataclass(frozen=True, eq=False)
class Terrain(Gridded):
    """Elevation (metres above mean sea level) on a metric, north-up, square-celled grid.

    Build it with :func:`coverage.io.terrain.open_terrain` (files) or
    :meth:`Terrain.from_array` (arrays).

    Attributes
    ----------
    elevation_m
        float32 array (rows, cols). Void cells that could not be filled are NaN.
    grid
        The grid: metric working CRS, affine transform from (col, row) to (x, y) in metres,
        and shape.
    void_mask
        True where the source had no data (whether or not it was filled since).
    source
        Where the data came from, for messages and reports.
    synthetic
        True when the source says it is synthetic (a GeoTIFF tagged ``synthetic=yes``,
        as the embedded demo's): maps and gap lists built from it then say so.
    """

    elevation_m: np.ndarray
    grid: Grid
    void_mask: np.ndarray = field(repr=False)
    source: str = "array"
    synthetic: bool = False

    @classmethod
    def from_array(
        cls,
        elevation_m: np.ndarray,
        *,
        transform: Affine,
        crs: Any,
        void_mask: np.ndarray | None = None,
        source: str = "array",
        synthetic: bool = False,
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
            raise CRSError(message("errors.terrain.crs_not_metric", source=source, crs=crs.name))
        elevation = np.asarray(elevation_m, dtype=np.float32)
        if elevation.ndim != 2 or min(elevation.shape) < 2:
            raise TerrainError(
                message("errors.terrain.not_2d", source=source, shape=elevation.shape)
            )
        grid = Grid(crs, transform, elevation.shape)
        if not grid.rectilinear or grid.transform.e >= 0:
            raise TerrainError(message("errors.terrain.not_north_up", source=source))
        grid.resolution_m  # noqa: B018  # raises unless the cells are square metres
        if void_mask is None:
            void_mask = ~np.isfinite(elevation)
        void_mask = np.asarray(void_mask, dtype=bool)
        if void_mask.shape != elevation.shape:
            raise TerrainError(
                message(
                    "errors.terrain.void_mask_shape",
                    source=source,
                    mask_shape=void_mask.shape,
                    shape=elevation.shape,
                )
            )
        if not np.isfinite(elevation).any():
            raise TerrainError(message("errors.terrain.all_void", source=source))
        return cls(elevation, grid, void_mask, source, synthetic)

    @property
    def resolution_m(self) -> float:
        """Cell size in metres."""
        return self.grid.resolution_m

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in the working CRS."""
        return self.grid.bounds

    def rowcol(self, x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (row, col) of points (x, y) in the working CRS; cell centres are integers."""
        return self.grid.rowcol(x, y)

    def xy(self, row: np.ndarray | float, col: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Working-CRS coordinates of cell centres (row, col)."""
        return self.grid.xy(row, col)

    def contains(self, x: np.ndarray | float, y: np.ndarray | float) -> np.ndarray:
        """True where points (x, y), working CRS, fall inside the grid."""
        return self.grid.contains(x, y)

    # ---------------------------------------------------------------------------- queries

    def sample(self, x: np.ndarray | float, y: np.ndarray | float) -> np.ndarray:
        """Bilinear elevation (m) at points (x, y) given in the working CRS (metres).

        Cell values sit at cell centres; between the outermost centres and the grid edge
        the edge value is held. Points outside the grid, and points touching an unfilled
        void, give NaN.

        Examples
        --------
        >>> from affine import Affine
        >>> t = Terrain.from_array(np.array([[0.0, 10.0], [20.0, 30.0]]),
        ...                        transform=Affine(100, 0, 0, 0, -100, 200), crs="EPSG:32648")
        >>> t.sample([100.0, 50.0, -1.0], [100.0, 150.0, 100.0]).tolist()
        [15.0, 0.0, nan]
        """
        shape = np.broadcast(np.asarray(x), np.asarray(y)).shape
        x_arr = np.broadcast_to(np.asarray(x, dtype=float), shape).ravel()
        y_arr = np.broadcast_to(np.asarray(y, dtype=float), shape).ravel()
        rows, cols = self.shape
        row, col = self.rowcol(x_arr, y_arr)
        inside = self.contains(x_arr, y_arr)
        row = np.clip(np.where(inside, row, 0.0), 0.0, rows - 1.0)
        col = np.clip(np.where(inside, col, 0.0), 0.0, cols - 1.0)
        r0 = np.minimum(np.floor(row).astype(np.intp), rows - 2)
        c0 = np.minimum(np.floor(col).astype(np.intp), cols - 2)
        z = self.elevation_m
        top = _lerp(z[r0, c0], z[r0, c0 + 1], col - c0)
        bottom = _lerp(z[r0 + 1, c0], z[r0 + 1, c0 + 1], col - c0)
        value = np.where(inside, _lerp(top, bottom, row - r0), np.nan)
        return value.reshape(shape)

    def elevation_on(self, grid: Grid) -> np.ndarray:
        """Elevation (m) at the cell centres of ``grid``, from the nearest terrain cell.

        float64 of ``grid.shape``; NaN where a centre falls outside the terrain. On the
        terrain's own grid, the elevation itself.

        Examples
        --------
        >>> from affine import Affine
        >>> t = Terrain.from_array(np.array([[1.0, 2.0], [3.0, 4.0]]),
        ...                        transform=Affine(100, 0, 0, 0, -100, 200), crs="EPSG:32648")
        >>> t.elevation_on(Grid("EPSG:32648", Affine(50, 0, 100, 0, -50, 200), (2, 3))).tolist()
        [[2.0, 2.0, nan], [2.0, 2.0, nan]]
        """
        if self.grid.aligned_with(grid):
            return self.elevation_m.astype(np.float64)
        x, y = grid.cell_centres()
        if self.crs != grid.crs:
            x, y = transform_xy(grid.crs, self.crs, x, y)
        row, col = self.rowcol(x, y)
        row, col = np.rint(row).astype(np.int64), np.rint(col).astype(np.int64)
        rows, cols = self.shape
        inside = (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
        elevation = np.full(grid.shape, np.nan)
        elevation[inside] = self.elevation_m[row[inside], col[inside]]
        return elevation

    def _repr_html_(self) -> str:
        """Compact HTML summary for Jupyter: grid, cell size, CRS, elevation range, voids.

        Examples
        --------
        >>> from affine import Affine
        >>> t = Terrain.from_array(np.array([[100.0, 250.0], [np.nan, 1800.0]]),
        ...                        transform=Affine(30, 0, 0, 0, -30, 60), crs="EPSG:32648",
        ...                        source="<my dem>.tif")
        >>> page = t._repr_html_()
        >>> "100 to 1,800 m" in page, "&lt;my dem&gt;.tif" in page
        (True, True)
        """
        rows, cols = self.shape
        finite = np.isfinite(self.elevation_m)
        left, bottom, right, top = self.bounds
        voids = int(self.void_mask.sum())
        unfilled = int((~finite).sum())
        void_text = (
            f"{voids:,} cells ({voids / self.elevation_m.size:.2%}): "
            f"{int((self.void_mask & finite).sum()):,} filled, {unfilled:,} left NaN"
            if voids or unfilled
            else "none"
        )
        valid = self.elevation_m[finite]
        return html_summary(
            "Terrain",
            [
                ("grid", f"{rows:,} × {cols:,} cells"),
                ("cell size", f"{self.resolution_m:g} m"),
                ("extent", f"{(right - left) / 1000:,.1f} × {(top - bottom) / 1000:,.1f} km"),
                ("CRS", crs_label(self.crs)),
                (
                    "elevation",
                    f"{valid.min():,.0f} to {valid.max():,.0f} m (mean {valid.mean():,.0f} m)",
                ),
                ("voids", void_text),
                ("source", self.source),
            ],
        )


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Linear interpolation ignoring the far value at t == 0 or 1 (a NaN there is harmless)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore"):
        mixed = a * (1.0 - t) + b * t
    return np.where(t <= 0.0, a, np.where(t >= 1.0, b, mixed))


def check_points_on_terrain(
    terrain: Terrain,
    x: np.ndarray | Sequence[float],
    y: np.ndarray | Sequence[float],
    *,
    labels: Sequence[Any] | None = None,
) -> np.ndarray:
    """Return the ground elevation (m) at points (x, y), working CRS, or raise naming bad ones.

    Raises :class:`TerrainError` listing the labels (e.g. tower site ids) of the points
    that fall outside the DEM or on a void that could not be filled.

    Examples
    --------
    >>> from affine import Affine
    >>> t = Terrain.from_array(np.full((3, 3), 50.0), transform=Affine(10, 0, 0, 0, -10, 30),
    ...                        crs="EPSG:32648")
    >>> check_points_on_terrain(t, [15.0], [15.0], labels=["VT-001"]).tolist()
    [50.0]
    >>> check_points_on_terrain(t, [99.0], [15.0], labels=["VT-002"])
    Traceback (most recent call last):
    ...
    coverage.errors.TerrainError: 1 point(s) outside the terrain ...
    """
    x_arr = np.atleast_1d(np.asarray(x, dtype=float))
    y_arr = np.atleast_1d(np.asarray(y, dtype=float))
    names = list(range(len(x_arr))) if labels is None else list(labels)
    if not (len(x_arr) == len(y_arr) == len(names)):
        raise TerrainError(
            message(
                "errors.terrain.lengths_differ", xs=len(x_arr), ys=len(y_arr), labels=len(names)
            )
        )
    elevation = terrain.sample(x_arr, y_arr)
    outside = ~terrain.contains(x_arr, y_arr)
    on_void = ~outside & ~np.isfinite(elevation)
    if outside.any() or on_void.any():
        parts = []
        for mask, kind in (
            (outside, "errors.terrain.points_outside"),
            (on_void, "errors.terrain.points_on_void"),
        ):
            if mask.any():
                bad = [str(names[i]) for i in np.flatnonzero(mask)]
                more = message("errors.terrain.and_more", count=len(bad) - 20)
                shown = ", ".join(bad[:20]) + (more if len(bad) > 20 else "")
                parts.append(message(kind, count=len(bad), shown=shown))
        left, bottom, right, top = terrain.bounds
        raise TerrainError(
            message(
                "errors.terrain.points_not_covered",
                points="; ".join(parts),
                source=terrain.source,
                left=f"{left:.0f}",
                right=f"{right:.0f}",
                bottom=f"{bottom:.0f}",
                top=f"{top:.0f}",
                crs=terrain.crs.to_string(),
            )
        )
    return elevation


@dataclass(frozen=True, eq=False)
class NativeDEM(Gridded):
    """Elevations on the DEM's own grid (e.g. SRTM posts in degrees), voids filled.

    Attributes
    ----------
    elevation_m
        float32 (rows, cols), metres; NaN where a void could not be filled.
    grid
        The DEM's own grid: the tiles' CRS, and a transform in its units (degrees for
        SRTM) whose cell centres are the posts.
    void_mask
        True where the source had no data (filled or not).
    source
        File name(s), for messages.
    """

    elevation_m: np.ndarray
    grid: Grid
    void_mask: np.ndarray = field(repr=False)
    source: str = ""

    @classmethod
    def from_array(
        cls,
        elevation_m: np.ndarray,
        *,
        transform: Affine,
        crs: Any,
        void_mask: np.ndarray | None = None,
        source: str = "",
    ) -> NativeDEM:
        """Wrap elevations (m) on a DEM's own grid, any CRS (voids: NaN).

        Examples
        --------
        >>> dem = NativeDEM.from_array(np.zeros((2, 3)), crs="EPSG:4326",
        ...                            transform=Affine(1 / 1200, 0, 103, 0, -1 / 1200, 23))
        >>> dem.shape, dem.crs.to_epsg()
        ((2, 3), 4326)
        """
        elevation = np.asarray(elevation_m, dtype=np.float32)
        if void_mask is None:
            void_mask = ~np.isfinite(elevation)
        grid = Grid(require_crs(crs, source=source or "DEM"), transform, elevation.shape)
        return cls(elevation, grid, np.asarray(void_mask, dtype=bool), source)

    def rowcol(self, x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (row, col) of points (x, y) in ``crs``; posts are at integers."""
        return self.grid.rowcol(x, y)

    def _repr_html_(self) -> str:
        """Compact HTML summary for Jupyter: posts, spacing, CRS, elevation range, voids.

        Examples
        --------
        >>> dem = NativeDEM.from_array(np.array([[100.0, np.nan]]), crs="EPSG:4326",
        ...                            transform=Affine(1 / 1200, 0, 103, 0, -1 / 1200, 23),
        ...                            source="<N22E103>.hgt")
        >>> page = dem._repr_html_()
        >>> "1 × 2 posts" in page, "&lt;N22E103&gt;.hgt" in page, "1 left NaN" in page
        (True, True, True)
        """
        rows, cols = self.shape
        finite = np.isfinite(self.elevation_m)
        unit = self.crs.axis_info[0].unit_name if self.crs.axis_info else ""
        voids = int(self.void_mask.sum())
        valid = self.elevation_m[finite]
        return html_summary(
            "NativeDEM",
            [
                ("posts", f"{rows:,} × {cols:,} posts"),
                ("spacing", f"{abs(self.transform.a):.6g} × {abs(self.transform.e):.6g} {unit}"),
                ("CRS", crs_label(self.crs)),
                (
                    "elevation",
                    f"{valid.min():,.0f} to {valid.max():,.0f} m" if valid.size else "all void",
                ),
                ("voids", f"{voids:,} posts, {int((~finite).sum()):,} left NaN"),
                ("source", self.source or "(arrays)"),
            ],
        )
