"""Zones on a grid: the share of every grid cell that lies in each commune (or any polygon).

:func:`commune_fractions` rasterises polygons onto a :class:`~coverage.grid.Grid` once;
every per-commune figure (people, covered area, ...) is then a weighted sum over that
sparse table (:meth:`CommuneFractions.zone_sum`). :func:`communes_on_grid` prepares
communes once for all the figures of one grid (:func:`coverage.analysis.analyse`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import rasterio.features
import shapely
import shapely.geometry
from affine import Affine

from coverage.crs import require_crs
from coverage.errors import SchemaError
from coverage.grid import Grid
from coverage.i18n import message, term

__all__ = [
    "FINE_PIXEL_M",
    "MAX_SAMPLES_PER_STRIP",
    "CommuneFractions",
    "CommunesOnGrid",
    "auto_supersample",
    "commune_fractions",
    "communes_on_grid",
    "in_crs",
    "without_overlaps",
]

#: Samples (along each axis) of a fine grid used to split cells between communes are
#: chosen so that one fine pixel is at most this many metres wide.
FINE_PIXEL_M = 62.5

#: Largest number of fine samples held at once: grids are processed in strips of rows.
MAX_SAMPLES_PER_STRIP = 4_000_000


def in_crs(frame: gpd.GeoDataFrame, crs: Any, *, what: str) -> gpd.GeoDataFrame:
    """``frame`` in ``crs``: itself when already there, else reprojected.

    Raises :class:`~coverage.errors.CRSError` naming ``what`` when the frame has no CRS.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> frame = gpd.GeoDataFrame(geometry=[Point(103.8, 22.4)], crs="EPSG:4326")
    >>> round(float(in_crs(frame, "EPSG:32648", what="towers").geometry.x.iloc[0]))
    376479
    """
    crs = require_crs(crs, source=message("errors.zonal.target_crs"))
    return frame if require_crs(frame.crs, source=term(what)) == crs else frame.to_crs(crs)


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

    def zone_max(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Largest finite ``values`` (rows, cols) over the cells each commune touches.

        Returns the maxima (NaN for a commune touching no finite value) and the flat index
        of the cell holding each (0 where NaN).

        Examples
        --------
        >>> from shapely.geometry import box
        >>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 150, 100)], crs="EPSG:32648")
        >>> grid = Grid("EPSG:32648", Affine(100, 0, 0, 0, -100, 100), (1, 3))
        >>> highest, cell = commune_fractions(g, grid=grid).zone_max(np.array([[3.0, 7.0, 9.0]]))
        >>> highest.tolist(), cell.tolist()
        ([7.0], [1])
        """
        highest = np.full(self.n_zones, np.nan)
        where = np.zeros(self.n_zones, dtype=np.int64)
        if len(self.cell) == 0:
            return highest, where
        flat = np.asarray(values, dtype=np.float64).reshape(-1)[self.cell]
        finite = np.isfinite(flat)
        zone, cell, flat = self.zone[finite], self.cell[finite], flat[finite]
        # O(n), no sort: each zone's maximum, then the first of its entries equal to it
        # (the entry a stable sort by zone then value, highest first, would put first)
        top_value = np.full(self.n_zones, -np.inf)
        np.maximum.at(top_value, zone, flat)
        ties = np.flatnonzero(flat == top_value[zone])
        _, first = np.unique(zone[ties], return_index=True)
        top = ties[first]
        highest[zone[top]] = flat[top]
        where[zone[top]] = cell[top]
        return highest, where

    def zone_cells(self) -> np.ndarray:
        """Cells (in whole-cell units) of each commune on the grid: ``zone_sum`` of ones."""
        return np.bincount(self.zone, weights=self.fraction, minlength=self.n_zones)


def auto_supersample(cell_size_m: float) -> int:
    """Fine pixels per cell side so that a fine pixel is at most :data:`FINE_PIXEL_M` wide.

    Examples
    --------
    >>> auto_supersample(250.0), auto_supersample(30.0)
    (4, 1)
    """
    return max(1, math.ceil(cell_size_m / FINE_PIXEL_M - 1e-9))


def _geojson(geoms: np.ndarray) -> list[dict[str, Any]]:
    """GeoJSON mappings of ``geoms``, with the coordinates ``shapely.geometry.mapping`` gives.

    Polygons (a gap list's pieces: hundreds of thousands) are read with shapely's array
    functions, three times faster than one ``mapping`` each; other types use ``mapping``.
    """
    out: list[dict[str, Any]] = [{} for _ in range(len(geoms))]
    polygon = shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON
    where = np.flatnonzero(polygon)
    if where.size:
        rings, owner = shapely.get_rings(geoms[where], return_index=True)
        ends = np.cumsum(shapely.get_num_coordinates(rings))
        coords = shapely.get_coordinates(rings)
        rings_of: list[list[list[list[float]]]] = [[] for _ in range(where.size)]
        starts = [0, *ends[:-1].tolist()]
        for k, start, end in zip(owner.tolist(), starts, ends.tolist(), strict=True):
            rings_of[k].append(coords[start:end].tolist())
        for k, i in enumerate(where.tolist()):
            out[i] = {"type": "Polygon", "coordinates": rings_of[k]}
    for i in np.flatnonzero(~polygon).tolist():
        out[i] = shapely.geometry.mapping(geoms[i])
    return out


def commune_fractions(
    communes: gpd.GeoDataFrame, *, grid: Grid, supersample: int | None = None
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
        Polygons, in any CRS (reprojected to ``grid.crs``).
    grid
        The grid (north-up, metric CRS).
    supersample
        Fine pixels per cell side; default :func:`auto_supersample` of the cell size.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 150, 100)], crs="EPSG:32648")
    >>> grid = Grid("EPSG:32648", Affine(100, 0, 0, 0, -100, 100), (1, 2))
    >>> commune_fractions(g, grid=grid, supersample=4).fraction.tolist()
    [1.0, 0.5]
    """
    communes = in_crs(communes, grid.crs, what="communes")
    rows, cols = grid.shape
    k = supersample or auto_supersample(abs(grid.transform.a))
    fine = grid.transform @ Affine.scale(1.0 / k)
    burnt = [
        (pos, geom)
        for pos, geom in enumerate(communes.geometry.array)
        if geom is not None and not geom.is_empty
    ]
    # each polygon converted to GeoJSON once (rasterize would convert every polygon again
    # for every strip), and given only to the strips its rows reach, in the same order
    shapes = np.array([geom for _, geom in burnt], dtype=object)
    geoms = [(mapping, pos + 1) for (pos, _), mapping in zip(burnt, _geojson(shapes), strict=True)]
    bounds = shapely.bounds(shapes).reshape(-1, 4)
    bottom, top = bounds[:, 1], bounds[:, 3]
    strip_rows = max(1, MAX_SAMPLES_PER_STRIP // max(1, cols * k * k))
    cells, zones, counts = [], [], []
    for row0 in range(0, rows, strip_rows):
        nrows = min(strip_rows, rows - row0)
        strip_top = grid.transform.f + row0 * grid.transform.e
        strip_bottom = strip_top + nrows * grid.transform.e
        reach = (bottom <= strip_top) & (top >= strip_bottom)
        strip = [geoms[i] for i in np.flatnonzero(reach)]
        if strip:
            labels = rasterio.features.rasterize(
                strip,
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


def without_overlaps(geometries: np.ndarray) -> np.ndarray:
    """Polygons with each overlap left to the one listed last, as :func:`commune_fractions` does.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> shapes = without_overlaps(np.array([box(0, 0, 2, 1), box(1, 0, 3, 1)], dtype=object))
    >>> shapely.area(shapes).tolist()
    [1.0, 2.0]
    """
    tree = shapely.STRtree(geometries)
    out = geometries.copy()
    for i, geometry in enumerate(geometries):
        later = [j for j in tree.query(geometry, predicate="intersects") if j > i]
        if later:
            overlap = shapely.intersection(geometry, shapely.union_all(geometries[later]))
            if shapely.area(overlap) > 0:
                out[i] = shapely.difference(geometry, overlap)
    return out


@dataclass(frozen=True, eq=False)
class CommunesOnGrid:
    """Communes made ready once for every per-commune figure on one grid.

    Build it with :func:`communes_on_grid`.

    Attributes
    ----------
    communes
        The communes in the grid's CRS, on the caller's index and in the caller's order.
    grid
        The grid they were rasterised on.
    fractions
        Their share of every cell (:func:`commune_fractions`).
    """

    communes: gpd.GeoDataFrame
    grid: Grid
    fractions: CommuneFractions

    @cached_property
    def borders(self) -> np.ndarray:
        """Their polygons with overlaps left to the last listed (:func:`without_overlaps`)."""
        return without_overlaps(np.asarray(self.communes.geometry.array))

    def check(self, communes: gpd.GeoDataFrame, grid: Grid) -> None:
        """Raise :class:`~coverage.errors.SchemaError` unless prepared from these communes on ``grid``."""
        if len(communes) != len(self.communes) or not self.grid.aligned_with(grid):
            raise SchemaError(
                message(
                    "errors.zonal.other_communes",
                    prepared=len(self.communes),
                    grid=repr(self.grid),
                    count=len(communes),
                    other_grid=repr(grid),
                )
            )


def communes_on_grid(
    communes: gpd.GeoDataFrame, grid: Grid, *, supersample: int | None = None
) -> CommunesOnGrid:
    """Project communes to the grid's CRS and rasterise them once (:func:`commune_fractions`).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 150, 100)], crs="EPSG:32648")
    >>> ready = communes_on_grid(g, Grid("EPSG:32648", Affine(100, 0, 0, 0, -100, 100), (1, 2)))
    >>> ready.fractions.zone_cells().tolist()
    [1.5]
    """
    projected = in_crs(communes, grid.crs, what="communes")
    fractions = commune_fractions(projected, grid=grid, supersample=supersample)
    return CommunesOnGrid(projected, grid, fractions)
