"""Population on the working grid: resampled from a raster, or spread from commune totals.

Two ways in, one result type (:class:`PopulationGrid`, which carries its CRS and transform):

* :func:`population_on_grid` reads a population-count raster (WorldPop style: people per
  pixel, any CRS and resolution, nodata -99999) and moves it onto the working grid by
  **areal weighting**, which preserves totals (method below).
* :func:`population_from_communes` spreads a per-commune population column evenly over
  each commune's area: the cruder fallback when no raster exists, flagged as such.

:func:`commune_fractions` rasterises commune polygons onto the grid once, with the share
of every cell's area that lies in each commune; :mod:`coverage.gaps` sums over it.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.features
import rasterio.transform
import rasterio.warp
import rasterio.windows
import shapely
from affine import Affine
from pyproj import CRS, Transformer

from coverage.crs import crs_label, require_crs
from coverage.errors import CRSError, InputFileError, SchemaError
from coverage.io.files import existing_file
from coverage.summaries import html_summary

log = logging.getLogger(__name__)

#: Samples (along each axis) of a fine grid used to split cells between communes are
#: chosen so that one fine pixel is at most this many metres wide.
FINE_PIXEL_M = 62.5

#: Population sample spacing is at most this share of the source pixel's width.
SAMPLE_SPACING_OF_SOURCE = 0.25

_MAX_SAMPLES_PER_STRIP = 4_000_000


@dataclass(frozen=True, eq=False)
class PopulationGrid:
    """People per cell of the working grid.

    Attributes
    ----------
    people
        float64 (rows, cols): people living in each cell (0 where nobody or no data).
    transform, crs
        Georeferencing of the grid (the metric working CRS).
    method
        ``"areal_weighting"`` (from a raster) or ``"commune_area_spread"`` (cruder).
    source
        Where the numbers came from (file path, "array", or the commune column).
    known_share
        float32 (rows, cols): share of each cell whose population the source knows
        (0 outside the raster or on its nodata pixels).
    metadata
        Method notes: ``crude`` (bool), ``description``, ``error``, ``source_total``
        (people in the source over the grid), ``grid_total``, ``outside_grid``...
    """

    people: np.ndarray
    transform: Affine
    crs: CRS
    method: str
    source: str
    known_share: np.ndarray = field(repr=False)
    metadata: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of the grid."""
        rows, cols = self.people.shape
        return rows, cols

    @property
    def total(self) -> float:
        """People on the whole grid."""
        return float(self.people.sum())

    def check_grid(self, *, transform: Affine, crs: Any, shape: tuple[int, int], what: str) -> None:
        """Raise :class:`SchemaError` unless this grid is exactly (transform, crs, shape)."""
        same = (
            tuple(shape) == self.shape
            and CRS.from_user_input(crs) == self.crs
            and same_transform(transform, self.transform)
        )
        if not same:
            raise SchemaError(
                f"population grid {self.shape} {self.crs.to_string()} {tuple(self.transform)[:6]} "
                f"is not the grid of {what}: {tuple(shape)} "
                f"{CRS.from_user_input(crs).to_string()} {tuple(transform)[:6]}; build it with "
                "population_on_grid(path, "
                "transform=result.transform, crs=result.crs, shape=result.shape)."
            )

    def _repr_html_(self) -> str:
        """Compact HTML summary for Jupyter: total people, method, grid, CRS, source.

        Examples
        --------
        >>> grid = PopulationGrid(np.array([[1200.0, 0.0], [35.5, 4.5]]),
        ...     Affine(1000, 0, 0, 0, -1000, 2000), CRS.from_epsg(32648), "areal_weighting",
        ...     "<pop>.tif", np.ones((2, 2), np.float32))
        >>> page = grid._repr_html_()
        >>> "1,240 people" in page, "&lt;pop&gt;.tif" in page
        (True, True)
        """
        rows, cols = self.shape
        crude = self.metadata.get("crude", self.method == "commune_area_spread")
        items = [
            (
                "people",
                f"{self.total:,.0f} people on the grid (largest cell {self.people.max():,.0f})",
            ),
            ("method", self.method + (" (crude: flat density per commune)" if crude else "")),
            ("grid", f"{rows:,} × {cols:,} cells of {abs(self.transform.a):g} m"),
            ("CRS", crs_label(self.crs)),
            ("known share", f"{float(np.mean(self.known_share)):.1%} of the grid's area"),
        ]
        outside = self.metadata.get("outside_grid")
        if outside is not None:
            items.append(("outside the grid", f"{float(outside):,.0f} people"))
        items.append(("source", self.source))
        return html_summary("PopulationGrid", items)


def same_transform(first: Affine, second: Affine, *, tolerance: float = 1e-6) -> bool:
    """True when two affine transforms agree to ``tolerance`` in every coefficient.

    Examples
    --------
    >>> same_transform(Affine(250, 0, 0, 0, -250, 0), Affine(250, 0, 1e-9, 0, -250, 0))
    True
    """
    return all(math.isclose(a, b, abs_tol=tolerance) for a, b in zip(first, second, strict=True))


# --------------------------------------------------------------------------- communes


@dataclass(frozen=True, eq=False)
class CommuneFractions:
    """Sparse table of (cell, commune, share of the cell's area in the commune).

    Attributes
    ----------
    cell
        int64 flat index (``row * cols + col``) of grid cells.
    zone
        int64 position (0-based, ``iloc``) of the commune in the frame rasterised.
    fraction
        float64 share of the cell in the commune, a multiple of ``1 / supersample**2``.
    n_zones, shape, supersample
        Number of communes, grid shape, and fine pixels per cell side used.
    """

    cell: np.ndarray
    zone: np.ndarray
    fraction: np.ndarray
    n_zones: int
    shape: tuple[int, int]
    supersample: int

    def zone_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (rows, cols) over each commune, weighted by the cell shares."""
        flat = np.asarray(values, dtype=np.float64).reshape(-1)[self.cell]
        return np.bincount(self.zone, weights=flat * self.fraction, minlength=self.n_zones)


def auto_supersample(cell_size_m: float) -> int:
    """Fine pixels per cell side so that a fine pixel is at most :data:`FINE_PIXEL_M` wide.

    Examples
    --------
    >>> auto_supersample(250.0), auto_supersample(30.0)
    (4, 1)
    """
    return max(1, math.ceil(cell_size_m / FINE_PIXEL_M - 1e-9))


def commune_fractions(
    communes: gpd.GeoDataFrame,
    *,
    transform: Affine,
    crs: Any,
    shape: tuple[int, int],
    supersample: int | None = None,
) -> CommuneFractions:
    """Rasterise commune polygons onto a grid once, keeping each cell's share per commune.

    Every cell is cut into ``supersample x supersample`` fine pixels; the polygons are burnt
    once onto that fine grid with :func:`rasterio.features.rasterize` (``all_touched=False``:
    a fine pixel belongs to the commune holding its centre), and a cell's share in a commune
    is the fraction of its fine pixels burnt with that commune. A commune smaller than a cell
    is therefore still counted (it needs only one fine-pixel centre), and shares along a
    border are exact to one fine pixel (at most :data:`FINE_PIXEL_M` metres by default).
    Where polygons overlap (simplified real borders do, by a few hectares), a fine pixel
    counts once, for the commune listed last, so nobody is counted twice.

    Parameters
    ----------
    communes
        Polygons, in any CRS (reprojected to ``crs``).
    transform, crs, shape
        The grid (north-up, metric CRS).
    supersample
        Fine pixels per cell side; default :func:`auto_supersample` of the cell size.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 150, 100)], crs="EPSG:32648")
    >>> f = commune_fractions(g, transform=Affine(100, 0, 0, 0, -100, 100), crs="EPSG:32648",
    ...                       shape=(1, 2), supersample=4)
    >>> f.fraction.tolist()
    [1.0, 0.5]
    """
    crs = require_crs(crs, source="grid")
    communes = _to_crs(communes, crs, what="communes")
    rows, cols = shape
    k = supersample or auto_supersample(abs(transform.a))
    fine = transform @ Affine.scale(1.0 / k)
    geoms = [
        (geom, pos + 1)
        for pos, geom in enumerate(communes.geometry.array)
        if geom is not None and not geom.is_empty
    ]
    strip_rows = max(1, _MAX_SAMPLES_PER_STRIP // max(1, cols * k * k))
    cells, zones, counts = [], [], []
    for row0 in range(0, rows, strip_rows):
        nrows = min(strip_rows, rows - row0)
        if geoms:
            labels = rasterio.features.rasterize(
                geoms,
                out_shape=(nrows * k, cols * k),
                transform=fine @ Affine.translation(0, row0 * k),
                fill=0,
                all_touched=False,
                dtype="int32",
            )
        else:
            labels = np.zeros((nrows * k, cols * k), dtype=np.int32)
        blocks = labels.reshape(nrows, k, cols, k).transpose(0, 2, 1, 3).reshape(nrows, cols, k * k)
        low, high = blocks.min(axis=2), blocks.max(axis=2)
        flat_index = (np.arange(nrows)[:, None] + row0) * cols + np.arange(cols)[None, :]
        uniform = (low == high) & (low > 0)
        cells.append(flat_index[uniform])
        zones.append(low[uniform] - 1)
        counts.append(np.full(int(uniform.sum()), k * k))
        mixed = (low != high).nonzero()
        if mixed[0].size:
            sub = blocks[mixed]  # (n_mixed, k*k)
            mixed_index = np.repeat(flat_index[mixed], k * k)
            keys = mixed_index * (len(communes) + 1) + sub.reshape(-1)
            keys = keys[sub.reshape(-1) > 0]
            unique, n = np.unique(keys, return_counts=True)
            cells.append(unique // (len(communes) + 1))
            zones.append(unique % (len(communes) + 1) - 1)
            counts.append(n)
    return CommuneFractions(
        cell=np.concatenate(cells).astype(np.int64),
        zone=np.concatenate(zones).astype(np.int64),
        fraction=np.concatenate(counts) / float(k * k),
        n_zones=len(communes),
        shape=(rows, cols),
        supersample=k,
    )


# --------------------------------------------------------------------------- raster


def population_on_grid(
    source: str | os.PathLike[str] | np.ndarray,
    *,
    transform: Affine,
    crs: Any,
    shape: tuple[int, int],
    source_transform: Affine | None = None,
    source_crs: Any = None,
    nodata: float | None = -99999.0,
    communes: gpd.GeoDataFrame | None = None,
    commune_name_column: str = "name",
    max_missing_share: float = 0.02,
    samples_per_cell: int | None = None,
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
    transform, crs, shape
        The working grid (e.g. ``result.transform``, ``result.crs``, ``result.shape``).
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

    Returns
    -------
    PopulationGrid
        ``method="areal_weighting"``; ``metadata`` holds the totals and error note.

    Raises
    ------
    InputFileError
        The raster does not cover some communes (named, with the share missing).

    Examples
    --------
    >>> src = np.full((2, 2), 100.0)
    >>> grid = population_on_grid(src, source_transform=Affine(1000, 0, 0, 0, -1000, 2000),
    ...     source_crs="EPSG:32648", transform=Affine(250, 0, 0, 0, -250, 2000),
    ...     crs="EPSG:32648", shape=(8, 8))
    >>> round(grid.total, 6), float(grid.people[0, 0])
    (400.0, 6.25)
    """
    crs = require_crs(crs, source="grid")
    if not crs.is_projected:
        raise CRSError(f"the working grid CRS {crs.name} is not metric; use a UTM zone.")
    rows, cols = shape
    dst_bounds = _bounds(transform, shape)
    if isinstance(source, np.ndarray):
        if source_transform is None:
            raise SchemaError("an array population source needs source_transform=.")
        src_crs = require_crs(source_crs, source="population array")
        values, src_transform, label = (
            np.asarray(source, dtype=np.float64),
            source_transform,
            "array",
        )
        window_offset = (0, 0)
        src_extent = rasterio.transform.array_bounds(*values.shape, src_transform)
    else:
        path = existing_file(source, what="population raster")
        label = str(path)
        try:
            dataset = rasterio.open(path)
        except rasterio.errors.RasterioIOError as exc:
            raise InputFileError(f"population raster {path} cannot be read ({exc}).") from exc
        with dataset:
            src_crs = require_crs(dataset.crs and dataset.crs.to_wkt(), source=label)
            nodata = dataset.nodata
            src_extent = tuple(dataset.bounds)
            src_transform = dataset.transform
            window = _source_window(dataset, dst_bounds, crs)
            values = dataset.read(1, window=window).astype(np.float64)
            src_transform = dataset.transform @ Affine.translation(window.col_off, window.row_off)
            window_offset = (int(window.row_off), int(window.col_off))
    invalid = ~np.isfinite(values) | (values < 0)
    if nodata is not None:
        invalid |= values == nodata
    values = np.where(invalid, 0.0, values)

    src_pixel = _pixel_size_in(src_transform, src_crs, crs, dst_bounds)
    k = samples_per_cell or max(
        1, math.ceil(abs(transform.a) / (SAMPLE_SPACING_OF_SOURCE * src_pixel))
    )
    people, known, stats = _areal_weighting(
        values, invalid, src_transform, src_crs, transform, crs, (rows, cols), k
    )
    metadata = {
        "crude": False,
        "description": (
            "areal weighting: source pixels split by the share of their area in each cell"
        ),
        "error": (
            f"totals exact; placement exact to one sample spacing ({abs(transform.a) / k:.0f} m)"
        ),
        "samples_per_cell": k,
        "source_pixel_m": src_pixel,
        "source_window_offset": window_offset,
        **stats,
    }
    metadata["source_bounds"] = src_extent
    metadata["source_crs"] = src_crs.to_wkt()
    grid = PopulationGrid(people, transform, crs, "areal_weighting", label, known, metadata)
    log.info(
        "population from %s: %.0f people on the grid, %.0f outside it",
        label,
        stats["grid_total"],
        stats["outside_grid"],
    )
    if communes is not None:
        _check_covers(grid, communes, commune_name_column, max_missing_share)
    return grid


def population_from_communes(
    communes: gpd.GeoDataFrame,
    column: str,
    *,
    transform: Affine,
    crs: Any,
    shape: tuple[int, int],
    supersample: int | None = None,
) -> PopulationGrid:
    """Spread each commune's population evenly over its area (the cruder method).

    Each commune's ``column`` value is shared between grid cells in proportion to the
    commune area each cell holds (from :func:`commune_fractions`). Inside a commune the
    density is flat, so villages, empty forest and cliffs get the same people per km²:
    use it only when no population raster exists. People of a commune's part outside the
    grid are dropped and counted in ``metadata["outside_grid"]``. The result is flagged
    ``method="commune_area_spread"`` and ``metadata["crude"] = True``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"dan_so": [400]}, geometry=[box(0, 0, 200, 200)], crs="EPSG:32648")
    >>> p = population_from_communes(g, "dan_so", transform=Affine(100, 0, 0, 0, -100, 200),
    ...                              crs="EPSG:32648", shape=(2, 2))
    >>> p.people.tolist(), p.metadata["crude"]
    ([[100.0, 100.0], [100.0, 100.0]], True)
    """
    crs = require_crs(crs, source="grid")
    if column not in communes.columns:
        raise SchemaError(
            f"communes have no column {column!r}; available: "
            f"{', '.join(map(str, communes.columns))}."
        )
    counts = pd.to_numeric(communes[column], errors="coerce")
    bad = counts.isna() | (counts < 0)
    if bad.any():
        raise SchemaError(
            f"communes column {column!r} is not a non-negative number in rows "
            f"{', '.join(map(str, communes.index[bad][:10]))}; fix or drop those rows."
        )
    fractions = commune_fractions(
        communes, transform=transform, crs=crs, shape=shape, supersample=supersample
    )
    rows, cols = shape
    rasterised = np.bincount(
        fractions.zone, weights=fractions.fraction, minlength=fractions.n_zones
    )
    # each commune hands out its people x the share of its polygon inside the grid (exact
    # geometry), spread over its rasterised cells: one wholly inside conserves its total
    geometry = np.asarray(_to_crs(communes, crs, what="communes").geometry.array)
    area = shapely.area(geometry)
    inside = shapely.area(shapely.intersection(geometry, shapely.box(*_bounds(transform, shape))))
    share = np.divide(inside, area, out=np.zeros(len(area)), where=area > 0)
    density = np.divide(
        counts.to_numpy(float) * share,
        rasterised,
        out=np.zeros(len(communes)),
        where=rasterised > 0,
    )
    people = np.bincount(
        fractions.cell, weights=fractions.fraction * density[fractions.zone], minlength=rows * cols
    ).reshape(rows, cols)
    known = (
        np.bincount(fractions.cell, weights=fractions.fraction, minlength=rows * cols)
        .reshape(rows, cols)
        .astype(np.float32)
    )
    total = float(counts.sum())
    metadata = {
        "crude": True,
        "description": (
            "commune totals spread evenly over each commune's area (cruder than a raster)"
        ),
        "error": "within-commune distribution unknown: flat density assumed",
        "source_total": total,
        "grid_total": float(people.sum()),
        "outside_grid": total - float(people.sum()),
    }
    return PopulationGrid(
        people,
        transform,
        crs,
        "commune_area_spread",
        f"communes[{column!r}]",
        np.minimum(known, 1.0),
        metadata,
    )


# --------------------------------------------------------------------------- helpers


def _to_crs(frame: gpd.GeoDataFrame, crs: CRS, *, what: str) -> gpd.GeoDataFrame:
    frame_crs = require_crs(frame.crs, source=what)
    return frame if frame_crs == crs else frame.to_crs(crs)


def grid_xy(transform: Affine, col: Any, row: Any) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of fractional (col, row) grid positions (cell centres at +0.5).

    Examples
    --------
    >>> x, y = grid_xy(Affine(250, 0, 1000, 0, -250, 5000), 0.5, 0.5)
    >>> float(x), float(y)
    (1125.0, 4875.0)
    """
    col = np.asarray(col, dtype=float)
    row = np.asarray(row, dtype=float)
    x = transform.c + col * transform.a + row * transform.b
    y = transform.f + col * transform.d + row * transform.e
    return x, y


def _bounds(transform: Affine, shape: tuple[int, int]) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of a north-up grid."""
    rows, cols = shape
    return (
        transform.c,
        transform.f + rows * transform.e,
        transform.c + cols * transform.a,
        transform.f,
    )


def _source_window(dataset: Any, dst_bounds: tuple[float, ...], dst_crs: CRS) -> Any:
    """Window of the dataset covering the grid's bounds, plus one pixel of margin."""
    left, bottom, right, top = rasterio.warp.transform_bounds(
        dst_crs, dataset.crs, *dst_bounds, densify_pts=51
    )
    window = rasterio.windows.from_bounds(left, bottom, right, top, transform=dataset.transform)
    window = window.round_offsets(op="floor").round_lengths(op="ceil")
    full = rasterio.windows.Window(0, 0, dataset.width, dataset.height)
    grown = rasterio.windows.Window(
        window.col_off - 1, window.row_off - 1, window.width + 2, window.height + 2
    )
    try:
        return grown.intersection(full)
    except rasterio.errors.WindowError:
        return rasterio.windows.Window(0, 0, 1, 1)  # no overlap: every cell unknown


def _pixel_size_in(src_transform: Affine, src_crs: CRS, dst_crs: CRS, dst_bounds: tuple) -> float:
    """Smaller side (metres in ``dst_crs``) of a source pixel at the grid's centre."""
    cx, cy = (dst_bounds[0] + dst_bounds[2]) / 2, (dst_bounds[1] + dst_bounds[3]) / 2
    to_src = Transformer.from_crs(dst_crs, src_crs, always_xy=True)
    to_dst = Transformer.from_crs(src_crs, dst_crs, always_xy=True)
    sx, sy = to_src.transform(cx, cy)
    xs, ys = to_dst.transform([sx, sx + src_transform.a, sx], [sy, sy, sy + src_transform.e])
    return float(
        min(math.hypot(xs[1] - xs[0], ys[1] - ys[0]), math.hypot(xs[2] - xs[0], ys[2] - ys[0]))
    )


def _areal_weighting(
    values: np.ndarray,
    invalid: np.ndarray,
    src_transform: Affine,
    src_crs: CRS,
    transform: Affine,
    crs: CRS,
    shape: tuple[int, int],
    k: int,
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    rows, cols = shape
    src_rows, src_cols = values.shape
    to_src = Transformer.from_crs(crs, src_crs, always_xy=True)
    inverse = ~src_transform
    offsets = (np.arange(k) + 0.5) / k
    sample_cols = (np.arange(cols)[:, None] + offsets[None, :]).reshape(-1)
    strip_rows = max(1, _MAX_SAMPLES_PER_STRIP // max(1, cols * k * k))
    src_index = np.empty((rows * k, cols * k), dtype=np.int64)
    for row0 in range(0, rows, strip_rows):
        nrows = min(strip_rows, rows - row0)
        sample_rows = (np.arange(row0, row0 + nrows)[:, None] + offsets[None, :]).reshape(-1)
        cc, rr = np.meshgrid(sample_cols, sample_rows)
        x = transform.c + cc * transform.a
        y = transform.f + rr * transform.e
        sx, sy = to_src.transform(x, y)
        pc, pr = inverse @ (np.asarray(sx), np.asarray(sy))
        pc, pr = np.floor(pc), np.floor(pr)
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
    sample_area = abs(transform.a * transform.e) / (k * k)
    true_area = _pixel_areas(src_transform, src_crs, crs, values.shape)
    inside = _pixels_inside(src_transform, src_crs, crs, values.shape, transform, shape)
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


def _pixel_corners(src_transform: Affine, src_crs: CRS, crs: CRS, shape: tuple[int, int]):
    src_rows, src_cols = shape
    cc, rr = np.meshgrid(np.arange(src_cols + 1), np.arange(src_rows + 1))
    sx, sy = grid_xy(src_transform, cc, rr)
    x, y = Transformer.from_crs(src_crs, crs, always_xy=True).transform(sx, sy)
    return np.asarray(x), np.asarray(y)


def _pixel_areas(
    src_transform: Affine, src_crs: CRS, crs: CRS, shape: tuple[int, int]
) -> np.ndarray:
    """Area (grid-CRS square metres) of every source pixel: its projected corners' polygon."""
    x, y = _pixel_corners(src_transform, src_crs, crs, shape)
    x0, y0, x1, y1 = x[:-1, :-1], y[:-1, :-1], x[:-1, 1:], y[:-1, 1:]
    x2, y2, x3, y3 = x[1:, 1:], y[1:, 1:], x[1:, :-1], y[1:, :-1]
    twice = (x0 * y1 - x1 * y0) + (x1 * y2 - x2 * y1) + (x2 * y3 - x3 * y2) + (x3 * y0 - x0 * y3)
    return np.abs(twice) / 2.0


def _pixels_inside(src_transform, src_crs, crs, shape, transform, grid_shape) -> np.ndarray:
    """True for source pixels whose four projected corners all fall inside the grid."""
    x, y = _pixel_corners(src_transform, src_crs, crs, shape)
    rows, cols = grid_shape
    left, right = transform.c, transform.c + cols * transform.a
    top, bottom = transform.f, transform.f + rows * transform.e
    corner_in = (x >= left) & (x <= right) & (y >= bottom) & (y <= top)
    return corner_in[:-1, :-1] & corner_in[:-1, 1:] & corner_in[1:, 1:] & corner_in[1:, :-1]


def _check_covers(
    grid: PopulationGrid, communes: gpd.GeoDataFrame, name_column: str, max_missing_share: float
) -> None:
    """Raise naming the communes the population raster does not cover.

    Two tests: the share of a commune's area outside the raster's extent (measured on the
    polygons, in the raster's CRS) must not exceed ``max_missing_share``; and at least
    half of the commune's area inside the grid must fall on pixels with data (nodata
    inside a commune is normal on lakes, such as the Thác Bà reservoir, but a commune
    mostly on nodata is not covered by this raster).
    """
    src_crs = CRS.from_user_input(grid.metadata["source_crs"])
    communes_src = _to_crs(communes, src_crs, what="communes")
    extent = shapely.box(*grid.metadata["source_bounds"])
    area = shapely.area(communes_src.geometry.array)
    inside = shapely.area(shapely.intersection(communes_src.geometry.array, extent))
    outside = 1.0 - np.divide(inside, area, out=np.ones(len(area)), where=area > 0)
    communes_w = _to_crs(communes, grid.crs, what="communes")
    fractions = commune_fractions(
        communes_w, transform=grid.transform, crs=grid.crs, shape=grid.shape
    )
    in_grid = np.bincount(fractions.zone, weights=fractions.fraction, minlength=fractions.n_zones)
    known = fractions.zone_sum(grid.known_share)
    no_data = 1.0 - np.divide(known, in_grid, out=np.ones(len(known)), where=in_grid > 0)
    names = (
        communes_w[name_column].astype(str).to_numpy()
        if name_column in communes_w.columns
        else communes_w.index.astype(str).to_numpy()
    )
    problems = []
    for i, name in enumerate(names):
        if outside[i] > max_missing_share:
            problems.append(f"{name} ({outside[i]:.0%} outside the raster)")
        elif in_grid[i] > 0 and no_data[i] > 0.5:
            problems.append(f"{name} ({no_data[i]:.0%} on nodata pixels)")
    if problems:
        more = f" and {len(problems) - 100} more" if len(problems) > 100 else ""
        raise InputFileError(
            f"population raster {grid.source} does not cover {len(problems)} commune(s): "
            f"{', '.join(problems[:100])}{more}. Use a raster that covers the whole study area "
            "(the WorldPop country file), or drop those communes."
        )


__all__ = [
    "CommuneFractions",
    "PopulationGrid",
    "auto_supersample",
    "commune_fractions",
    "population_from_communes",
    "population_on_grid",
    "grid_xy",
    "same_transform",
]
