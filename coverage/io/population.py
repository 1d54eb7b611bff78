"""Reading population rasters onto the working grid: :func:`population_on_grid`.

A population-count raster (WorldPop style: people per pixel, any CRS and resolution,
nodata -99999) is moved onto the working grid by **areal weighting**, which preserves
totals (method in :func:`population_on_grid`), and checked to cover the communes.
"""

from __future__ import annotations

import logging
import math
import os
from typing import Any

import geopandas as gpd
import numpy as np
import rasterio
import rasterio.errors
import rasterio.warp
import shapely
from pyproj import CRS, Transformer
from rasterio.windows import Window

from coverage.crs import require_crs
from coverage.errors import CRSError, InputFileError, SchemaError
from coverage.grid import Grid
from coverage.i18n import message
from coverage.io.dem import tagged_synthetic
from coverage.io.files import existing_file
from coverage.memory import population_bytes, require_memory
from coverage.population import PopulationGrid
from coverage.settings import MAX_PEOPLE_PER_KM2
from coverage.zonal import MAX_SAMPLES_PER_STRIP, CommunesOnGrid, communes_on_grid, in_crs

__all__ = ["SAMPLE_SPACING_OF_SOURCE", "population_on_grid"]

log = logging.getLogger(__name__)

#: Population sample spacing is at most this share of the source pixel's width.
SAMPLE_SPACING_OF_SOURCE = 0.25


def population_on_grid(
    source: str | os.PathLike[str] | np.ndarray,
    *,
    grid: Grid,
    source_transform: Any = None,
    source_crs: Any = None,
    nodata: float | None = -99999.0,
    communes: gpd.GeoDataFrame | None = None,
    commune_name_column: str = "name",
    max_missing_share: float = 0.02,
    samples_per_cell: int | None = None,
    on_grid: CommunesOnGrid | None = None,
) -> PopulationGrid:
    """Move a population-count raster onto the working grid, preserving totals.

    Method (areal weighting): each source pixel's people are assumed evenly spread over
    the pixel, and are split between grid cells in proportion to the area of the pixel
    each cell covers. Those areas are measured by sampling every grid cell at
    ``samples_per_cell x samples_per_cell`` evenly spaced points (each standing for
    ``1 / samples_per_cell**2`` of the cell), projecting the points into the raster's CRS
    and counting how many land in each pixel. A pixel wholly inside the grid hands out
    exactly its people (its shares are normalised by the samples that landed in it), so
    the grid total equals the source total to float precision. A pixel straddling the grid
    edge hands out ``people x sampled area / true area`` (true area: its corners projected
    to the grid CRS); the rest is outside the grid and reported as ``outside_grid``.

    Error: totals are exact; where people sit is exact to one sample spacing, by default
    at most a quarter of a source pixel (about 230 m for 30" WorldPop) and never more than
    one grid cell. The even-spread assumption inside a pixel is WorldPop's own resolution
    limit, not an added error.

    Parameters
    ----------
    source
        Raster file path (GeoTIFF...) of people per pixel, or a 2-D array (then give
        ``source_transform`` and ``source_crs``).
    grid
        The working grid (e.g. ``result.grid``).
    source_transform, source_crs
        Georeferencing of an array ``source``; ignored for files (read from the file).
    nodata
        Nodata value of an array (files use their own); NaN and negative values are
        nodata too.
    communes
        Optional commune polygons (any CRS): raise if the raster does not cover them.
    commune_name_column
        Column naming the communes in the error message.
    max_missing_share
        Largest share of a commune's area allowed outside the raster or on nodata.
    samples_per_cell
        Samples per grid-cell side; default so that spacing <= a quarter source pixel.
    on_grid
        ``communes`` already prepared on ``grid`` (:func:`coverage.zonal.communes_on_grid`),
        to rasterise them only once.

    Returns
    -------
    PopulationGrid
        ``method="areal_weighting"``; ``metadata`` holds the totals and error note, and
        ``synthetic``: whether the file's tags say it is (``synthetic=yes``).

    Raises
    ------
    InputFileError
        The raster does not cover some communes (named, with the share missing).

    Examples
    --------
    >>> from affine import Affine
    >>> src = np.full((2, 2), 100.0)
    >>> grid = Grid("EPSG:32648", Affine(250, 0, 0, 0, -250, 2000), (8, 8))
    >>> people = population_on_grid(src, grid=grid, source_crs="EPSG:32648",
    ...     source_transform=Affine(1000, 0, 0, 0, -1000, 2000))
    >>> round(people.total, 6), float(people.people[0, 0])
    (400.0, 6.25)
    """
    if not grid.crs.is_projected:
        raise CRSError(message("errors.io.population_grid_not_metric", crs_name=grid.crs.name))
    if isinstance(source, np.ndarray):
        if source_transform is None:
            raise SchemaError(message("errors.io.population_array_transform"))
        values = np.asarray(source, dtype=np.float64)
        src_crs = require_crs(source_crs, source="population array")
        window = Grid(src_crs, source_transform, values.shape)
        label, extent, window_offset = "array", window.bounds, (0, 0)
        synthetic = False
    else:
        path = existing_file(source, what="population raster")
        label = str(path)
        values, window, extent, nodata, window_offset, synthetic = _read_around(path, grid)
    invalid = ~np.isfinite(values) | (values < 0)
    if nodata is not None:
        invalid |= values == nodata
    values = np.where(invalid, 0.0, values)

    src_pixel = _pixel_size_in(window, grid)
    _check_density(values, src_pixel, source=label)
    cell_m = abs(grid.transform.a)
    k = samples_per_cell or max(1, math.ceil(cell_m / (SAMPLE_SPACING_OF_SOURCE * src_pixel)))
    rows, cols = grid.shape
    require_memory(
        population_bytes(grid.shape, k, values.size),
        what=message(
            "errors.population_what", label=label, rows=f"{rows:,}", cols=f"{cols:,}", k=k
        ),
        option=message("errors.population_memory_option"),
        fix=message("errors.population_memory_fix"),
    )
    people, known, stats = _areal_weighting(values, invalid, window, grid, k)
    metadata = {
        "crude": False,
        "description": (
            "areal weighting: source pixels split by the share of their area in each cell"
        ),
        "error": f"totals exact; placement exact to one sample spacing ({cell_m / k:.0f} m)",
        "samples_per_cell": k,
        "synthetic": synthetic,
        "source_pixel_m": src_pixel,
        "source_window_offset": window_offset,
        **stats,
    }
    metadata["source_bounds"] = extent
    metadata["source_crs"] = window.crs.to_wkt()
    population = PopulationGrid(people, grid, "areal_weighting", label, known, metadata)
    log.info(
        message(
            "errors.io.log_population",
            label=label,
            people=f"{stats['grid_total']:.0f}",
            outside=f"{stats['outside_grid']:.0f}",
        )
    )
    if communes is not None:
        _check_covers(population, communes, commune_name_column, max_missing_share, on_grid)
    return population


# --------------------------------------------------------------------------- helpers


def _check_density(values: np.ndarray, pixel_m: float, *, source: str) -> None:
    """Refuse people-per-pixel values denser than :data:`~coverage.settings.MAX_PEOPLE_PER_KM2`."""
    densest = float(values.max(initial=0.0)) / (pixel_m * pixel_m / 1e6)
    if densest > MAX_PEOPLE_PER_KM2:
        raise InputFileError(
            message(
                "errors.population_too_dense",
                source=source,
                people=f"{float(values.max()):.6g}",
                pixel=f"{pixel_m:,.0f}",
                density=f"{densest:.3g}",
                densest=f"{MAX_PEOPLE_PER_KM2:,.0f}",
            )
        )


def _read_around(
    path: os.PathLike[str], grid: Grid
) -> tuple[
    np.ndarray, Grid, tuple[float, float, float, float], float | None, tuple[int, int], bool
]:
    """Read the raster's pixels under ``grid`` plus one pixel of margin.

    Returns ``(values, window, extent, nodata, offset, synthetic)``: float64 values, their
    grid, the whole raster's bounds (its CRS), its nodata value, the window's (row, col)
    offset and whether its tags say it is synthetic.
    """
    try:
        dataset = rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise InputFileError(
            message("errors.population_unreadable", path=path, reason=exc)
        ) from exc
    with dataset:
        src_crs = require_crs(dataset.crs and dataset.crs.to_wkt(), source=str(path))
        raster = Grid(src_crs, dataset.transform, (dataset.height, dataset.width))
        box = rasterio.warp.transform_bounds(grid.crs, src_crs, *grid.bounds, densify_pts=51)
        # no overlap: one pixel, every cell unknown
        found = raster.window_of_bounds(box, margin=1) or Window(0, 0, 1, 1)
        try:
            values = dataset.read(1, window=found).astype(np.float64)
        except rasterio.errors.RasterioError as exc:
            raise InputFileError(
                message("errors.population_damaged", path=path, reason=exc)
            ) from exc
        row0, col0 = int(found.row_off), int(found.col_off)
        window = raster.window(row0, col0, *values.shape)
        synthetic = tagged_synthetic(dataset.tags())
        return values, window, raster.bounds, dataset.nodata, (row0, col0), synthetic


def _pixel_size_in(source: Grid, grid: Grid) -> float:
    """Smaller side (metres in ``grid.crs``) of a ``source`` pixel at the grid's centre."""
    left, bottom, right, top = grid.bounds
    cx, cy = (left + right) / 2, (bottom + top) / 2
    to_src = Transformer.from_crs(grid.crs, source.crs, always_xy=True)
    to_dst = Transformer.from_crs(source.crs, grid.crs, always_xy=True)
    sx, sy = to_src.transform(cx, cy)
    step_x, step_y = source.transform.a, source.transform.e
    xs, ys = to_dst.transform([sx, sx + step_x, sx], [sy, sy, sy + step_y])
    return float(
        min(math.hypot(xs[1] - xs[0], ys[1] - ys[0]), math.hypot(xs[2] - xs[0], ys[2] - ys[0]))
    )


def _areal_weighting(
    values: np.ndarray, invalid: np.ndarray, source: Grid, grid: Grid, k: int
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """People and known share per cell of ``grid`` from ``values`` on ``source``, k x k samples."""
    rows, cols = grid.shape
    src_rows, src_cols = values.shape
    to_src = Transformer.from_crs(grid.crs, source.crs, always_xy=True)
    offsets = (np.arange(k) + 0.5) / k
    sample_cols = (np.arange(cols)[:, None] + offsets[None, :]).reshape(-1)
    strip_rows = max(1, MAX_SAMPLES_PER_STRIP // max(1, cols * k * k))
    src_index = np.empty((rows * k, cols * k), dtype=np.int64)
    for row0 in range(0, rows, strip_rows):
        nrows = min(strip_rows, rows - row0)
        sample_rows = (np.arange(row0, row0 + nrows)[:, None] + offsets[None, :]).reshape(-1)
        cc, rr = np.meshgrid(sample_cols, sample_rows)
        sx, sy = to_src.transform(*grid.xy(rr, cc, offset="ul"))
        pr, pc = source.rowcol(np.asarray(sx), np.asarray(sy))
        pr, pc = np.floor(pr + 0.5), np.floor(pc + 0.5)
        ok = (
            np.isfinite(pc)
            & np.isfinite(pr)
            & (pc >= 0)
            & (pc < src_cols)
            & (pr >= 0)
            & (pr < src_rows)
        )
        index = np.where(ok, pr * src_cols + pc, -1).astype(np.int64)
        src_index[row0 * k : (row0 + nrows) * k] = index
    flat = src_index.reshape(-1)
    hit = flat >= 0
    n_src = src_rows * src_cols
    samples_in = np.bincount(flat[hit], minlength=n_src).astype(np.float64)
    sample_area = abs(grid.transform.a * grid.transform.e) / (k * k)
    true_area = _pixel_areas(source, grid.crs)
    inside = _pixels_inside(source, grid)
    denominator = np.where(inside.reshape(-1), samples_in, true_area.reshape(-1) / sample_area)
    denominator = np.maximum(denominator, samples_in)  # projection noise: never hand out > 100 %
    src_people = values.reshape(-1)
    per_sample = np.divide(src_people, denominator, out=np.zeros(n_src), where=denominator > 0)
    # cell index of every sample
    sample_cell = (
        (np.arange(rows * k) // k)[:, None] * cols + (np.arange(cols * k) // k)[None, :]
    ).reshape(-1)
    people = np.bincount(
        sample_cell[hit], weights=per_sample[flat[hit]], minlength=rows * cols
    ).reshape(rows, cols)
    valid_src = ~invalid.reshape(-1)
    known = np.bincount(
        sample_cell[hit], weights=valid_src[flat[hit]].astype(np.float64), minlength=rows * cols
    ).reshape(rows, cols) / (k * k)
    touched = samples_in > 0
    source_total = float(src_people[touched].sum())
    grid_total = float(people.sum())
    return (
        people,
        known.astype(np.float32),
        {
            "source_total": source_total,
            "grid_total": grid_total,
            "outside_grid": source_total - grid_total,
        },
    )


def _pixel_corners(source: Grid, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Corners of every ``source`` pixel, (rows + 1, cols + 1) arrays of x and y in ``crs``."""
    src_rows, src_cols = source.shape
    cc, rr = np.meshgrid(np.arange(src_cols + 1), np.arange(src_rows + 1))
    sx, sy = source.xy(rr, cc, offset="ul")
    x, y = Transformer.from_crs(source.crs, crs, always_xy=True).transform(sx, sy)
    return np.asarray(x), np.asarray(y)


def _pixel_areas(source: Grid, crs: CRS) -> np.ndarray:
    """Area (``crs`` square metres) of every source pixel: its projected corners' polygon."""
    x, y = _pixel_corners(source, crs)
    x0, y0, x1, y1 = x[:-1, :-1], y[:-1, :-1], x[:-1, 1:], y[:-1, 1:]
    x2, y2, x3, y3 = x[1:, 1:], y[1:, 1:], x[1:, :-1], y[1:, :-1]
    twice = (x0 * y1 - x1 * y0) + (x1 * y2 - x2 * y1) + (x2 * y3 - x3 * y2) + (x3 * y0 - x0 * y3)
    return np.abs(twice) / 2.0


def _pixels_inside(source: Grid, grid: Grid) -> np.ndarray:
    """True for source pixels whose four projected corners all fall inside ``grid``."""
    x, y = _pixel_corners(source, grid.crs)
    corner_in = grid.contains(x, y)
    return corner_in[:-1, :-1] & corner_in[:-1, 1:] & corner_in[1:, 1:] & corner_in[1:, :-1]


def _check_covers(
    population: PopulationGrid,
    communes: gpd.GeoDataFrame,
    name_column: str,
    max_missing_share: float,
    on_grid: CommunesOnGrid | None,
) -> None:
    """Raise naming the communes the population raster does not cover.

    Two tests: the share of a commune's area outside the raster's extent (measured on the
    polygons, in the raster's CRS) must not exceed ``max_missing_share``; and at least
    half of the commune's area inside the grid must fall on pixels with data (nodata
    inside a commune is normal on lakes, such as the Thác Bà reservoir, but a commune
    mostly on nodata is not covered by this raster).
    """
    src_crs = CRS.from_user_input(population.metadata["source_crs"])
    communes_src = in_crs(communes, src_crs, what="communes")
    extent = shapely.box(*population.metadata["source_bounds"])
    area = shapely.area(communes_src.geometry.array)
    inside = shapely.area(shapely.intersection(communes_src.geometry.array, extent))
    outside = 1.0 - np.divide(inside, area, out=np.ones(len(area)), where=area > 0)
    if on_grid is None:
        on_grid = communes_on_grid(communes, population.grid)
    on_grid.check(communes, population.grid)
    communes_w, fractions = on_grid.communes, on_grid.fractions
    in_grid = fractions.zone_cells()
    known = fractions.zone_sum(population.known_share)
    no_data = 1.0 - np.divide(known, in_grid, out=np.ones(len(known)), where=in_grid > 0)
    names = (
        communes_w[name_column].astype(str).to_numpy()
        if name_column in communes_w.columns
        else communes_w.index.astype(str).to_numpy()
    )
    problems = []
    for i, name in enumerate(names):
        if outside[i] > max_missing_share:
            share = f"{outside[i]:.0%}"
            problems.append(message("errors.population_outside", name=name, share=share))
        elif in_grid[i] > 0 and no_data[i] > 0.5:
            share = f"{no_data[i]:.0%}"
            problems.append(message("errors.population_nodata", name=name, share=share))
    if problems:
        more = message("errors.and_more", count=len(problems) - 100) if len(problems) > 100 else ""
        raise InputFileError(
            message(
                "errors.population_not_covering",
                source=population.source,
                count=len(problems),
                listed=", ".join(problems[:100]) + more,
            )
        )
