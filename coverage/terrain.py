"""Terrain: elevation on a metric working grid, and every raster read that feeds it.

:class:`Terrain` is the one object the engine consumes: a north-up float32 elevation array
with square cells in metres, its affine transform, its CRS and a mask of cells that were
void in the source data.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import rasterio.crs
import rasterio.errors
import rasterio.fill
import rasterio.warp
import rasterio.windows
from affine import Affine
from pyproj import CRS
from rasterio.enums import Resampling

from coverage.crs import WGS84, crs_label, require_crs, transform_xy, working_crs_for_bounds
from coverage.errors import (
    CRSError,
    ResolutionWarning,
    TerrainError,
)
from coverage.io.dem import (
    DEFAULT_MAX_FILL_DISTANCE_CELLS,
    dem_files,
    open_tiles,
    read_window,
)
from coverage.io.files import atomic_output
from coverage.settings import EARTH_RADIUS_M
from coverage.summaries import html_summary


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
            raise TerrainError(
                f"{source}: elevation must be a 2-D array, got shape {elevation.shape}."
            )
        if abs(transform.b) > 1e-9 or abs(transform.d) > 1e-9 or transform.e >= 0:
            raise TerrainError(
                f"{source}: the grid must be north-up (no rotation, negative y step)."
            )
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
        return self.elevation_m.shape

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

    # ------------------------------------------------------------------ queries and output

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

    def to_geotiff(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the elevation as a float32 GeoTIFF (DEFLATE, NaN nodata); return the path.

        The file is written to a temporary name and renamed only when complete.
        Raises :class:`~coverage.errors.OutputExistsError` if ``path`` exists and
        ``overwrite`` is false.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from affine import Affine
        >>> t = Terrain.from_array(np.ones((2, 2)), transform=Affine(90, 0, 0, 0, -90, 180),
        ...                        crs="EPSG:32648")
        >>> out = t.to_geotiff(pathlib.Path(tempfile.mkdtemp()) / "dem.tif")
        >>> open_terrain(out).shape
        (2, 2)
        """
        path = Path(path)
        rows, cols = self.shape
        profile = {
            "driver": "GTiff",
            "width": cols,
            "height": rows,
            "count": 1,
            "dtype": "float32",
            "crs": rasterio.crs.CRS.from_wkt(self.crs.to_wkt()),
            "transform": self.transform,
            "nodata": float("nan"),
            "compress": "deflate",
            "predictor": 3,
        }
        if rows >= 256 and cols >= 256:
            profile.update(tiled=True, blockxsize=256, blockysize=256)
        with (
            atomic_output(path, overwrite=overwrite) as tmp,
            rasterio.open(tmp, "w", **profile) as dst,
        ):
            dst.write(self.elevation_m.astype(np.float32), 1)
            dst.update_tags(source=self.source, void_cells=str(int(self.void_mask.sum())))
            dst.set_band_description(1, "elevation_m")
        return path

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


# ---------------------------------------------------------------------- reading DEM files

COARSE_DEM_M = 250.0


def _metres_per_unit(crs: CRS, lat_deg: float) -> tuple[float, float]:
    """Approximate metres per CRS unit in x and y at latitude ``lat_deg``."""
    if crs.is_geographic:
        per_degree = math.pi / 180.0 * EARTH_RADIUS_M
        return per_degree * math.cos(math.radians(lat_deg)), per_degree
    factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    return factor, factor


def _inner_box(
    src_crs: Any, dst_crs: Any, bounds: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """Largest axis-aligned box in ``dst_crs`` that lies inside ``bounds`` given in ``src_crs``."""
    left, bottom, right, top = bounds
    ramp = np.linspace(0.0, 1.0, 41)
    xs = left + (right - left) * ramp
    ys = bottom + (top - bottom) * ramp
    lx, _ = transform_xy(src_crs, dst_crs, np.full_like(ys, left), ys)
    rx, _ = transform_xy(src_crs, dst_crs, np.full_like(ys, right), ys)
    _, by = transform_xy(src_crs, dst_crs, xs, np.full_like(xs, bottom))
    _, ty = transform_xy(src_crs, dst_crs, xs, np.full_like(xs, top))
    return float(lx.max()), float(by.max()), float(rx.min()), float(ty.min())


def _fmt_box(box: Sequence[float], crs: CRS) -> str:
    digits = 4 if crs.is_geographic else 0
    return "(" + ", ".join(f"{v:.{digits}f}" for v in box) + f") in {crs.to_string()}"


def open_terrain(
    paths_or_folder: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    bounds: tuple[float, float, float, float] | None = None,
    bounds_crs: Any = "EPSG:4326",
    resolution_m: float | None = None,
    crs: Any = None,
    fill_voids: bool = True,
    max_fill_distance_cells: int = DEFAULT_MAX_FILL_DISTANCE_CELLS,
) -> Terrain:
    """Read DEM tiles into one :class:`Terrain` on a metric working grid.

    GeoTIFF and SRTM (``.hgt``, ``.hgt.zip``) tiles are mosaicked in their own CRS
    (without resampling when their grids align), small voids are filled there, and the
    result is reprojected once, with bilinear resampling, onto a north-up grid of square
    cells in the working CRS.

    Parameters
    ----------
    paths_or_folder
        A DEM file, a folder (every ``*.tif``, ``*.tiff``, ``*.hgt``, ``*.hgt.zip`` in it),
        or a list of files and folders. All tiles must share one CRS.
    bounds
        Optional crop (minx, miny, maxx, maxy) in ``bounds_crs``; the grid is the part of
        this box covered by the data.
    bounds_crs
        CRS of ``bounds``; longitude/latitude degrees (EPSG:4326) by default.
    resolution_m
        Cell size in metres. Default: the source's native spacing (north-south spacing
        for geographic tiles, e.g. 93 m for SRTM 3-arc-second), rounded to whole metres.
    crs
        Metric working CRS. Default: kept if the tiles are in a metric projected CRS,
        else the WGS 84 UTM zone of the data's centre (:func:`coverage.crs.utm_crs_for`).
    fill_voids
        Fill small voids (nodata cells; SRTM's -32768) by interpolation. Voids are never
        read as sea level: when not filled they stay NaN.
    max_fill_distance_cells
        A void is filled only if every cell of it is within this many source cells of
        valid data (default 10, about 0.9 km for SRTM 3"); larger voids stay NaN.

    Returns
    -------
    Terrain
        ``void_mask`` is True on every working cell that any void source cell contributed to.

    Raises
    ------
    MissingFileError
        No DEM file found (the message lists what was looked for).
    CRSError
        A tile has no CRS, or ``crs`` is not metric.
    TerrainError
        Tiles in different CRSs, ``bounds`` outside the data (both extents named), or no
        valid elevation at all.

    Warns
    -----
    RepairWarning
        When voids were filled or left NaN (with cell counts).
    ResolutionWarning
        When the source is coarser than 250 m: too coarse for radio coverage.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from affine import Affine
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = Terrain.from_array(np.full((50, 60), 300.0), transform=Affine(30, 0, 500000,
    ...     0, -30, 2500000), crs="EPSG:32648").to_geotiff(folder / "tile.tif")
    >>> terrain = open_terrain(folder)
    >>> terrain.shape, terrain.resolution_m, terrain.crs.to_epsg()
    ((50, 60), 30.0, 32648)
    """
    files = dem_files(paths_or_folder)
    if max_fill_distance_cells < 0:
        raise TerrainError(f"max_fill_distance_cells must be >= 0, got {max_fill_distance_cells}.")
    if resolution_m is not None and not resolution_m > 0:
        raise TerrainError(f"resolution_m must be positive, got {resolution_m}.")
    with open_tiles(files) as (datasets, src_crs, data_box, source):
        first = datasets[0]

        # the working grid: CRS, cell size, extent
        work_crs = (
            working_crs_for_bounds(data_box, src_crs)
            if crs is None
            else require_crs(crs, source="crs=")
        )
        if not work_crs.is_projected:
            raise CRSError(
                f"crs={work_crs.to_string()} is not a metric projected CRS; name a UTM zone "
                "such as 'EPSG:32648' (Lào Cai) or leave crs=None to pick one."
            )
        _, centre_lat = transform_xy(
            src_crs,
            WGS84,
            np.array([(data_box[0] + data_box[2]) / 2]),
            np.array([(data_box[1] + data_box[3]) / 2]),
        )
        mx, my = _metres_per_unit(src_crs, float(centre_lat[0]))
        native_m = abs(first.res[1]) * my
        if native_m > COARSE_DEM_M:
            warnings.warn(
                f"{source}: elevation cells are about {native_m:,.0f} m (native "
                f"{first.res[0]:g} x {first.res[1]:g} {src_crs.axis_info[0].unit_name}); anything "
                f"coarser than {COARSE_DEM_M:.0f} m hides the ridges and valleys that decide radio "
                'coverage. Use SRTM 1" or 3" (30 m / 90 m) tiles.',
                ResolutionWarning,
                stacklevel=2,
            )
        cell_m = float(resolution_m) if resolution_m is not None else float(max(1, round(native_m)))

        inner = _inner_box(src_crs, work_crs, data_box)
        box = inner
        if bounds is not None:
            b_crs = require_crs(bounds_crs, source="bounds_crs=")
            want = rasterio.warp.transform_bounds(b_crs, work_crs, *bounds, densify_pts=21)
            outer = rasterio.warp.transform_bounds(src_crs, work_crs, *data_box, densify_pts=21)
            if (
                want[0] >= outer[2]
                or want[2] <= outer[0]
                or want[1] >= outer[3]
                or want[3] <= outer[1]
            ):
                data_in_b = rasterio.warp.transform_bounds(
                    src_crs, b_crs, *data_box, densify_pts=21
                )
                raise TerrainError(
                    f"bounds {_fmt_box(tuple(bounds), b_crs)} lie outside the elevation data "
                    f"{source}, which covers {_fmt_box(data_in_b, b_crs)}. Give bounds inside the "
                    "data or add the missing tiles."
                )
            box = (
                max(want[0], inner[0]),
                max(want[1], inner[1]),
                min(want[2], inner[2]),
                min(want[3], inner[3]),
            )
        # snap inwards to a lattice of cell_m: the tiles' own grid when no reprojection is
        # needed (then nothing is resampled), else whole multiples of cell_m
        ax, ay = (first.bounds.left, first.bounds.top) if work_crs == src_crs else (0.0, 0.0)
        eps = 1e-6
        left = ax + math.ceil((box[0] - ax) / cell_m - eps) * cell_m
        right = ax + math.floor((box[2] - ax) / cell_m + eps) * cell_m
        top = ay - math.ceil((ay - box[3]) / cell_m - eps) * cell_m
        bottom = ay - math.floor((ay - box[1]) / cell_m + eps) * cell_m
        cols, rows = round((right - left) / cell_m), round((top - bottom) / cell_m)
        if cols < 2 or rows < 2:
            raise TerrainError(
                f"{source}: the requested area is smaller than 2 x 2 cells of {cell_m:g} m; "
                "enlarge bounds or lower resolution_m."
            )
        dst_transform = Affine(cell_m, 0.0, left, 0.0, -cell_m, top)

        # the source window: the working box in the tiles' CRS, plus a margin for filling
        src_box = rasterio.warp.transform_bounds(
            work_crs, src_crs, left, bottom, right, top, densify_pts=21
        )
        res_x, res_y = abs(first.res[0]), abs(first.res[1])
        margin = max_fill_distance_cells + 2
        x0 = (
            first.bounds.left
            + math.floor((src_box[0] - first.bounds.left) / res_x - margin) * res_x
        )
        x1 = (
            first.bounds.left + math.ceil((src_box[2] - first.bounds.left) / res_x + margin) * res_x
        )
        y0 = first.bounds.top - math.ceil((first.bounds.top - src_box[1]) / res_y + margin) * res_y
        y1 = first.bounds.top - math.floor((first.bounds.top - src_box[3]) / res_y - margin) * res_y
        window_box = (
            max(x0, data_box[0]),
            max(y0, data_box[1]),
            min(x1, data_box[2]),
            min(y1, data_box[3]),
        )
        filled, mosaic_transform, void, unfilled, covered = read_window(
            datasets, window_box, source=source, fill_voids=fill_voids,
            max_fill_distance_cells=max_fill_distance_cells,
        )  # fmt: skip
    n_unfilled = int(unfilled.sum())

    # Same CRS and the same lattice (a DEM already on a metric grid): a plain slice, no
    # resampling at all; otherwise one bilinear reprojection.
    col_shift = (dst_transform.c - mosaic_transform.c) / mosaic_transform.a
    row_shift = (dst_transform.f - mosaic_transform.f) / mosaic_transform.e
    aligned = (
        work_crs == src_crs
        and math.isclose(mosaic_transform.a, cell_m, rel_tol=1e-9)
        and math.isclose(-mosaic_transform.e, cell_m, rel_tol=1e-9)
        and abs(col_shift - round(col_shift)) < 1e-6
        and abs(row_shift - round(row_shift)) < 1e-6
        and round(col_shift) >= 0
        and round(row_shift) >= 0
        and round(row_shift) + rows <= filled.shape[0]
        and round(col_shift) + cols <= filled.shape[1]
    )

    def warp(array: np.ndarray, nodata: float | None) -> np.ndarray:
        if aligned:
            r0, c0 = round(row_shift), round(col_shift)
            return np.array(array[r0 : r0 + rows, c0 : c0 + cols], dtype=np.float32)
        out = np.full((rows, cols), np.nan, dtype=np.float32)
        rasterio.warp.reproject(
            array.astype(np.float32),
            out,
            src_transform=mosaic_transform,
            src_crs=src_crs.to_wkt(),
            src_nodata=nodata,
            dst_transform=dst_transform,
            dst_crs=work_crs.to_wkt(),
            dst_nodata=np.nan,
            resampling=Resampling.bilinear,
        )
        return out

    elevation = warp(filled, np.nan)
    touched_void = warp((void | ~covered).astype(np.float32), None) > 0
    if n_unfilled:
        elevation[warp(unfilled.astype(np.float32), None) >= 0.5] = np.nan
    void_mask = touched_void | ~np.isfinite(elevation)
    return Terrain.from_array(
        elevation, transform=dst_transform, crs=work_crs, void_mask=void_mask, source=source
    )


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
            f"x, y and labels differ in length: {len(x_arr)}, {len(y_arr)}, {len(names)}."
        )
    elevation = terrain.sample(x_arr, y_arr)
    outside = ~terrain.contains(x_arr, y_arr)
    on_void = ~outside & ~np.isfinite(elevation)
    if outside.any() or on_void.any():
        parts = []
        for mask, what in ((outside, "outside the terrain"), (on_void, "on unfilled voids")):
            if mask.any():
                bad = [str(names[i]) for i in np.flatnonzero(mask)]
                shown = ", ".join(bad[:20]) + (
                    f" and {len(bad) - 20} more" if len(bad) > 20 else ""
                )
                parts.append(f"{len(bad)} point(s) {what} ({shown})")
        left, bottom, right, top = terrain.bounds
        raise TerrainError(
            "; ".join(parts) + f". The terrain {terrain.source} covers x {left:.0f}..{right:.0f}, "
            f"y {bottom:.0f}..{top:.0f} in {terrain.crs.to_string()}: add DEM tiles that cover "
            "these points, or fix their coordinates."
        )
    return elevation
