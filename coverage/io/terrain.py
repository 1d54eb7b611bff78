"""Reading DEM tiles onto one metric working grid: :func:`open_terrain`.

The tiles are found, opened, mosaicked and void-filled on their own grid by
:mod:`coverage.io.dem`; this module picks the working grid (CRS, cell size, extent),
reads the window of the tiles it needs and moves it onto that grid once: a plain slice
when the tiles already lie on it, else one bilinear reprojection.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import rasterio.warp
from affine import Affine
from pyproj import CRS
from rasterio.enums import Resampling

from coverage.crs import WGS84, require_crs, transform_xy, working_crs_for_bounds
from coverage.errors import CRSError, ResolutionWarning, TerrainError
from coverage.grid import Grid
from coverage.i18n import message
from coverage.io.dem import (
    DEFAULT_MAX_FILL_DISTANCE_CELLS,
    dem_files,
    open_tiles,
    read_window,
    tagged_synthetic,
)
from coverage.memory import require_memory, terrain_bytes
from coverage.settings import EARTH_RADIUS_M
from coverage.terrain import Terrain

__all__ = ["COARSE_DEM_M", "open_terrain", "terrain_grid"]

COARSE_DEM_M = 250.0
"""Elevation cells coarser than this (m) hide the relief that decides radio coverage."""

Box = tuple[float, float, float, float]


def open_terrain(
    paths_or_folder: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    bounds: Box | None = None,
    bounds_crs: Any = "EPSG:4326",
    resolution_m: float | None = None,
    crs: Any = None,
    fill_voids: bool = True,
    max_fill_distance_cells: int = DEFAULT_MAX_FILL_DISTANCE_CELLS,
) -> Terrain:
    """Read DEM tiles into one :class:`~coverage.terrain.Terrain` on a metric working grid.

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
    >>> from coverage.io.rasters import write_terrain
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_terrain(Terrain.from_array(np.full((50, 60), 300.0), transform=Affine(30, 0,
    ...     500000, 0, -30, 2500000), crs="EPSG:32648"), folder / "tile.tif")
    >>> terrain = open_terrain(folder)
    >>> terrain.shape, terrain.resolution_m, terrain.crs.to_epsg()
    ((50, 60), 30.0, 32648)
    """
    files = dem_files(paths_or_folder)
    if max_fill_distance_cells < 0:
        raise TerrainError(
            message("errors.io.max_fill_distance", max_fill_distance_cells=max_fill_distance_cells)
        )
    with open_tiles(files) as (datasets, src_crs, data_box, source):
        first = datasets[0]
        synthetic = any(tagged_synthetic(d.tags()) for d in datasets)
        grid, snapped = _plan_grid(
            first, src_crs, data_box, source, bounds=bounds, bounds_crs=bounds_crs,
            resolution_m=resolution_m, crs=crs,
        )  # fmt: skip
        work_crs = grid.crs
        window_box = _source_box(
            snapped, work_crs, first, src_crs, data_box, margin_cells=max_fill_distance_cells + 2
        )
        _require_terrain_memory(grid, window_box, first, abs(grid.transform.a), source=source)
        filled, mosaic_transform, void, unfilled, covered = read_window(
            datasets, window_box, source=source, fill_voids=fill_voids,
            max_fill_distance_cells=max_fill_distance_cells,
        )  # fmt: skip
    mosaic = Grid(src_crs, mosaic_transform, filled.shape)
    offset = _lattice_offset(mosaic, grid)
    elevation = _onto_grid(filled, mosaic, grid, offset=offset, nodata=np.nan)
    touched_void = _onto_grid(void | ~covered, mosaic, grid, offset=offset, nodata=None) > 0
    if unfilled.any():
        elevation[_onto_grid(unfilled, mosaic, grid, offset=offset, nodata=None) >= 0.5] = np.nan
    void_mask = touched_void | ~np.isfinite(elevation)
    return Terrain.from_array(
        elevation,
        transform=grid.transform,
        crs=grid.crs,
        void_mask=void_mask,
        source=source,
        synthetic=synthetic,
    )


def terrain_grid(
    paths_or_folder: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    bounds: Box | None = None,
    bounds_crs: Any = "EPSG:4326",
    resolution_m: float | None = None,
    crs: Any = None,
) -> Grid:
    """The working grid :func:`open_terrain` would read these tiles onto, without reading them.

    Only the tiles' headers are opened: a country of DEM tiles is planned (e.g. cut into
    windows that :func:`open_terrain` reads one at a time, ``bounds`` set to each window)
    without holding its elevations. Arguments as :func:`open_terrain`'s.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from affine import Affine
    >>> from coverage.io.rasters import write_terrain
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_terrain(Terrain.from_array(np.full((50, 60), 300.0), transform=Affine(30, 0,
    ...     500000, 0, -30, 2500000), crs="EPSG:32648"), folder / "tile.tif")
    >>> terrain_grid(folder).shape
    (50, 60)
    """
    with open_tiles(dem_files(paths_or_folder)) as (datasets, src_crs, data_box, source):
        grid, _ = _plan_grid(
            datasets[0], src_crs, data_box, source, bounds=bounds, bounds_crs=bounds_crs,
            resolution_m=resolution_m, crs=crs,
        )  # fmt: skip
    return grid


# ------------------------------------------------------ the working grid: CRS, cell size, extent


def _plan_grid(
    first: Any,
    src_crs: CRS,
    data_box: Box,
    source: str,
    *,
    bounds: Box | None,
    bounds_crs: Any,
    resolution_m: float | None,
    crs: Any,
) -> tuple[Grid, Box]:
    """The working grid of :func:`open_terrain` and its snapped box, from the tiles' headers."""
    if resolution_m is not None and not resolution_m > 0:
        raise TerrainError(message("errors.io.terrain_resolution", resolution_m=resolution_m))
    work_crs = _working_crs(crs, src_crs, data_box)
    cell_m = _cell_size_m(first, src_crs, data_box, resolution_m, source=source)
    box = _crop_box(src_crs, work_crs, data_box, bounds, bounds_crs, source=source)
    # the tiles' own lattice when no reprojection is needed (then nothing is resampled)
    origin = (first.bounds.left, first.bounds.top) if work_crs == src_crs else (0.0, 0.0)
    snapped = _snap_inwards(box, cell_m, origin)
    return _grid_of_box(snapped, cell_m, work_crs, source=source), snapped


def _working_crs(crs: Any, src_crs: CRS, data_box: Box) -> CRS:
    """The metric working CRS: ``crs`` when given, else the tiles' own or their UTM zone."""
    work_crs = (
        working_crs_for_bounds(data_box, src_crs)
        if crs is None
        else require_crs(crs, source="crs=")
    )
    if not work_crs.is_projected:
        raise CRSError(
            message("errors.terrain_crs_not_metric", crs=work_crs.to_string(), place="Lào Cai")
        )
    return work_crs


def _metres_per_unit(crs: CRS, lat_deg: float) -> tuple[float, float]:
    """Approximate metres per CRS unit in x and y at latitude ``lat_deg``."""
    if crs.is_geographic:
        per_degree = math.pi / 180.0 * EARTH_RADIUS_M
        return per_degree * math.cos(math.radians(lat_deg)), per_degree
    factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    return factor, factor


def _cell_size_m(
    first: Any, src_crs: CRS, data_box: Box, resolution_m: float | None, *, source: str
) -> float:
    """``resolution_m``, or the tiles' native north-south spacing in whole metres.

    Warns (:class:`ResolutionWarning`) when the tiles are coarser than :data:`COARSE_DEM_M`.
    """
    _, centre_lat = transform_xy(
        src_crs,
        WGS84,
        np.array([(data_box[0] + data_box[2]) / 2]),
        np.array([(data_box[1] + data_box[3]) / 2]),
    )
    _, my = _metres_per_unit(src_crs, float(centre_lat[0]))
    native_m = abs(first.res[1]) * my
    if native_m > COARSE_DEM_M:
        warnings.warn(
            message(
                "errors.io.terrain_coarse_dem",
                source=source,
                native_m=format(native_m, ",.0f"),
                res_x=format(first.res[0], "g"),
                res_y=format(first.res[1], "g"),
                unit_name=src_crs.axis_info[0].unit_name,
                coarse_m=format(COARSE_DEM_M, ".0f"),
            ),
            ResolutionWarning,
            stacklevel=3,
        )
    return float(resolution_m) if resolution_m is not None else float(max(1, round(native_m)))


def _inner_box(src_crs: Any, dst_crs: Any, bounds: Box) -> Box:
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


def _crop_box(
    src_crs: CRS,
    work_crs: CRS,
    data_box: Box,
    bounds: Box | None,
    bounds_crs: Any,
    *,
    source: str,
) -> Box:
    """The working-CRS box the grid must fill: inside the data, and inside ``bounds`` if given."""
    inner = _inner_box(src_crs, work_crs, data_box)
    if bounds is None:
        return inner
    b_crs = require_crs(bounds_crs, source="bounds_crs=")
    want = rasterio.warp.transform_bounds(b_crs, work_crs, *bounds, densify_pts=21)
    outer = rasterio.warp.transform_bounds(src_crs, work_crs, *data_box, densify_pts=21)
    if want[0] >= outer[2] or want[2] <= outer[0] or want[1] >= outer[3] or want[3] <= outer[1]:
        data_in_b = rasterio.warp.transform_bounds(src_crs, b_crs, *data_box, densify_pts=21)
        raise TerrainError(
            message(
                "errors.terrain_bounds_outside",
                bounds=_fmt_box(tuple(bounds), b_crs),
                source=source,
                covered=_fmt_box(data_in_b, b_crs),
            )
        )
    return (
        max(want[0], inner[0]),
        max(want[1], inner[1]),
        min(want[2], inner[2]),
        min(want[3], inner[3]),
    )


# -------------------------------------------------- snap inwards to a lattice of cell_m


def _snap_inwards(box: Box, cell_m: float, origin: tuple[float, float]) -> Box:
    """``box`` shrunk to the lattice of ``cell_m`` through ``origin`` (x, y)."""
    ax, ay = origin
    eps = 1e-6
    left = ax + math.ceil((box[0] - ax) / cell_m - eps) * cell_m
    right = ax + math.floor((box[2] - ax) / cell_m + eps) * cell_m
    top = ay - math.ceil((ay - box[3]) / cell_m - eps) * cell_m
    bottom = ay - math.floor((ay - box[1]) / cell_m + eps) * cell_m
    return left, bottom, right, top


def _grid_of_box(box: Box, cell_m: float, crs: CRS, *, source: str) -> Grid:
    """The north-up grid of ``cell_m`` cells filling a snapped ``box``; at least 2 x 2 cells."""
    left, bottom, right, top = box
    cols, rows = round((right - left) / cell_m), round((top - bottom) / cell_m)
    if cols < 2 or rows < 2:
        raise TerrainError(message("errors.terrain_too_small", source=source, cell=f"{cell_m:g}"))
    return Grid(crs, Affine(cell_m, 0.0, left, 0.0, -cell_m, top), (rows, cols))


# ---------------------- the source window: the working box in the tiles' CRS, plus a margin


def _source_box(
    box: Box, work_crs: CRS, first: Any, src_crs: CRS, data_box: Box, *, margin_cells: int
) -> Box:
    """The tiles' box (their CRS, on the first tile's lattice) under the working ``box``.

    Widened by ``margin_cells`` source cells, so that voids near the edge are filled from
    the data around them, and cut to the data.
    """
    src_box = rasterio.warp.transform_bounds(work_crs, src_crs, *box, densify_pts=21)
    res_x, res_y = abs(first.res[0]), abs(first.res[1])
    left0, top0 = first.bounds.left, first.bounds.top
    x0 = left0 + math.floor((src_box[0] - left0) / res_x - margin_cells) * res_x
    x1 = left0 + math.ceil((src_box[2] - left0) / res_x + margin_cells) * res_x
    y0 = top0 - math.ceil((top0 - src_box[1]) / res_y + margin_cells) * res_y
    y1 = top0 - math.floor((top0 - src_box[3]) / res_y - margin_cells) * res_y
    return max(x0, data_box[0]), max(y0, data_box[1]), min(x1, data_box[2]), min(y1, data_box[3])


def _require_terrain_memory(
    grid: Grid, window_box: Box, first: Any, cell_m: float, *, source: str
) -> None:
    """Refuse (:class:`~coverage.errors.MemoryBudgetError`) a grid too large for memory."""
    source_cells = math.ceil((window_box[2] - window_box[0]) / abs(first.res[0])) * math.ceil(
        (window_box[3] - window_box[1]) / abs(first.res[1])
    )
    rows, cols = grid.shape
    require_memory(
        terrain_bytes(grid.shape, source_cells),
        what=message(
            "errors.terrain_what",
            source=source,
            rows=f"{rows:,}",
            cols=f"{cols:,}",
            cell=f"{cell_m:g}",
        ),
        option="--resolution (resolution_m=)",
        fix=message("errors.terrain_memory_fix"),
    )


# ------------------------- onto the working grid: a plain slice, or one bilinear reprojection


def _lattice_offset(mosaic: Grid, grid: Grid) -> tuple[int, int] | None:
    """(row, col) of ``grid``'s first cell in ``mosaic`` when ``grid`` is a window of it.

    That is: same CRS, same cells, and ``grid`` wholly inside (a DEM already on a metric
    grid). None otherwise.
    """
    same_cells = math.isclose(mosaic.transform.a, grid.transform.a, rel_tol=1e-9) and (
        math.isclose(mosaic.transform.e, grid.transform.e, rel_tol=1e-9)
    )
    if mosaic.crs != grid.crs or not same_cells:
        return None
    row, col = (float(v) for v in mosaic.rowcol(*grid.xy(0, 0)))
    row0, col0 = round(row), round(col)
    rows, cols = grid.shape
    inside = (
        abs(row - row0) < 1e-6
        and abs(col - col0) < 1e-6
        and row0 >= 0
        and col0 >= 0
        and row0 + rows <= mosaic.shape[0]
        and col0 + cols <= mosaic.shape[1]
    )
    return (row0, col0) if inside else None


def _onto_grid(
    array: np.ndarray,
    mosaic: Grid,
    grid: Grid,
    *,
    offset: tuple[int, int] | None,
    nodata: float | None,
) -> np.ndarray:
    """``array`` on ``mosaic`` as float32 on ``grid``: sliced at ``offset``, else reprojected."""
    rows, cols = grid.shape
    if offset is not None:
        row0, col0 = offset
        return np.array(array[row0 : row0 + rows, col0 : col0 + cols], dtype=np.float32)
    out = np.full((rows, cols), np.nan, dtype=np.float32)
    rasterio.warp.reproject(
        array.astype(np.float32),
        out,
        src_transform=mosaic.transform,
        src_crs=mosaic.crs.to_wkt(),
        src_nodata=nodata,
        dst_transform=grid.transform,
        dst_crs=grid.crs.to_wkt(),
        dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )
    return out
