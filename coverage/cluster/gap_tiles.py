"""The two tasks a tile runs for the gap lists: label its gaps, then measure the pieces.

Both read only the tile: its coverage GeoTIFFs written by :func:`coverage.cluster.
predict_tiled` (``tiles/<name>/``), its cells of the population raster, and its cells of
the DEM files (for the highest ground). :func:`label_tile` labels the uncovered cells of
each operator (and of nobody) 4-connected inside the tile, as the whole-grid labelling
does, and sends back per component what the driver needs to join components across tile
borders and to rebuild the whole grid's contiguous areas: its outline (in pixel
coordinates of the whole grid, which are exact), its first cell in row-major order, the
labels along the tile's four edges, and its people per commune.
:func:`measure_tile` rasterises the pieces the driver cut (each contiguous area cut by the
communes) on the tile and sends back, per piece, the sums the ranked list is made of.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from affine import Affine
from scipy import ndimage

from coverage.cluster.tiles import Tile
from coverage.gaps.masks import covered_for
from coverage.gaps.pieces import vectorise
from coverage.grid import Grid
from coverage.io.population import population_on_grid
from coverage.io.terrain import open_terrain
from coverage.model import CoverageResult
from coverage.zonal import commune_fractions

__all__ = ["ComponentsOfTile", "GapTile", "PieceSums", "label_tile", "measure_tile"]


@dataclass(frozen=True)
class GapTile:
    """One tile's inputs for the gap lists: plain values and small frames, cheap to ship.

    ``folder``: the tiled coverage's folder; ``keys``: the operators whose gaps are
    listed, None for the places no operator covers; ``communes`` those touching the tile
    (working CRS) and ``commune_positions`` their rows in the whole list.
    """

    tile: Tile
    grid: Grid
    folder: str
    layers: pd.DataFrame = field(repr=False)
    keys: tuple[str | None, ...]
    supersample: int
    communes: gpd.GeoDataFrame = field(repr=False)
    commune_positions: np.ndarray = field(repr=False)
    population: str | None = None
    dem: tuple[str, ...] | None = None

    @property
    def tile_grid(self) -> Grid:
        """The tile's own grid (a window of the whole grid)."""
        t = self.tile
        return self.grid.window(t.row0, t.col0, t.rows, t.cols)


@dataclass(frozen=True)
class ComponentsOfTile:
    """The 4-connected uncovered components of one key (operator) inside one tile.

    Attributes
    ----------
    count
        Components, labelled 1..count.
    outlines
        Per component, its (multi)polygon in pixel coordinates of the whole grid
        (x = column, y = row of cell corners).
    first
        Per component, (row, col) on the whole grid of its first cell in row-major order.
    edges
        Labels (0: covered) along the tile's top row, bottom row, left and right columns.
    pair_label, pair_commune, pair_people
        People of each (component, commune) pair, the commune as its whole-list position.
    uncovered_people, uncovered_cells
        Totals over the tile's uncovered cells.
    """

    count: int
    outlines: list[Any]
    first: np.ndarray
    edges: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    pair_label: np.ndarray
    pair_commune: np.ndarray
    pair_people: np.ndarray
    uncovered_people: float
    uncovered_cells: int


@dataclass(frozen=True)
class PieceSums:
    """Per piece sent to a tile (``ids``), its sums over the tile's cells.

    ``people``: people of the piece rasterised alone; ``cells``: its cells; ``flagged``:
    cells the model's validity flags; ``highest_m``/``highest_cell``: its highest
    elevation (NaN: none) and that cell's flat index on the whole grid.
    """

    ids: np.ndarray
    people: np.ndarray
    cells: np.ndarray
    flagged: np.ndarray
    highest_m: np.ndarray
    highest_cell: np.ndarray


def _tile_coverage(job: GapTile) -> CoverageResult:
    """The tile's coverage read back from the GeoTIFFs ``predict_tiled`` wrote."""
    folder = Path(job.folder) / "tiles" / job.tile.name
    grid = job.tile_grid
    with rasterio.open(folder / "validity.tif") as src:
        validity = src.read(1)
    if len(job.layers):
        with rasterio.open(folder / "best_power_dbm.tif") as src:
            best = src.read()
    else:
        best = np.zeros((0, *grid.shape), dtype=np.float32)
    serving = np.full(best.shape, -1, dtype=np.int32)  # not needed for gaps
    return CoverageResult(
        best, serving, job.layers, validity, grid, gpd.GeoDataFrame(geometry=[], crs=grid.crs)
    )


def _people(job: GapTile) -> np.ndarray:
    if job.population is None:
        return np.zeros(job.tile.rows * job.tile.cols).reshape(job.tile.rows, job.tile.cols)
    return population_on_grid(job.population, grid=job.tile_grid).people


def label_tile(job: GapTile) -> list[ComponentsOfTile]:
    """Label each key's uncovered cells in the tile; one :class:`ComponentsOfTile` per key."""
    result = _tile_coverage(job)
    people = _people(job)
    fractions = commune_fractions(job.communes, grid=job.tile_grid, supersample=job.supersample)
    pixels = Affine.translation(job.tile.col0, job.tile.row0)  # whole-grid pixel coordinates
    out = []
    for key in job.keys:
        uncovered = ~covered_for(result, key)
        labels, count = ndimage.label(uncovered)  # 4-connected, as the whole grid's
        outlines = vectorise(labels, Grid(job.grid.crs, pixels, labels.shape))
        first = np.zeros((count, 2), dtype=np.int64)
        if count:
            flat = np.flatnonzero(labels)
            found, where = np.unique(labels.reshape(-1)[flat], return_index=True)
            first[found - 1] = np.column_stack(np.divmod(flat[where], labels.shape[1]))
            first += (job.tile.row0, job.tile.col0)
        label = labels.reshape(-1)[fractions.cell]
        inside = label > 0
        pair = label[inside].astype(np.int64) * len(job.communes) + fractions.zone[inside]
        weight = people.reshape(-1)[fractions.cell[inside]] * fractions.fraction[inside]
        pairs, where = np.unique(pair, return_inverse=True)
        out.append(
            ComponentsOfTile(
                count=int(count),
                outlines=[outlines[i] for i in range(1, count + 1)],
                first=first,
                edges=(
                    labels[0].copy(),
                    labels[-1].copy(),
                    labels[:, 0].copy(),
                    labels[:, -1].copy(),
                ),  # fmt: skip
                pair_label=pairs // max(len(job.communes), 1),
                pair_commune=job.commune_positions[pairs % max(len(job.communes), 1)]
                if len(job.communes)
                else np.zeros(0, dtype=np.int64),
                pair_people=np.bincount(where, weights=weight, minlength=len(pairs)),
                uncovered_people=float(np.where(uncovered, people, 0.0).sum()),
                uncovered_cells=int(uncovered.sum()),
            )
        )
    return out


def _elevation(job: GapTile) -> np.ndarray:
    """Elevation at the tile's cell centres, read from the DEM files; NaN without them."""
    grid = job.tile_grid
    if job.dem is None:
        return np.full(grid.shape, np.nan)
    with warnings.catch_warnings():  # predict_tiled already said what the DEM's CRS means
        warnings.simplefilter("ignore")
        terrain = open_terrain(
            list(job.dem), bounds=grid.bounds, bounds_crs=grid.crs, crs=grid.crs,
            resolution_m=grid.resolution_m,
        )  # fmt: skip
    return terrain.elevation_on(grid)


def measure_tile(job: GapTile, pieces: list[tuple[np.ndarray, np.ndarray]]) -> list[PieceSums]:
    """Sums over the tile's cells of each key's pieces: ``(polygons, ids)`` per key.

    A key's pieces (working CRS, in the driver's order) are rasterised together on the
    tile exactly as :func:`coverage.gaps.gap_polygons` rasterises them all on the whole
    grid (a fine pixel on a shared border goes to the piece listed last), so each piece's
    sums over tiles add up to its sums over the whole grid.
    """
    grid = job.tile_grid
    validity = (_tile_coverage(job).validity != 0).astype(np.float64)
    people = _people(job)
    elevation = _elevation(job)
    out = []
    for polygons, ids in pieces:
        frame = gpd.GeoDataFrame(geometry=list(polygons), crs=grid.crs)
        cells = commune_fractions(frame, grid=grid, supersample=job.supersample)
        highest_m, local = cells.zone_max(elevation)
        row, col = np.divmod(local, job.tile.cols)
        highest_cell = (row + job.tile.row0) * job.grid.shape[1] + col + job.tile.col0
        out.append(
            PieceSums(
                ids=ids,
                people=cells.zone_sum(people),
                cells=cells.zone_cells(),
                flagged=cells.zone_sum(validity),
                highest_m=highest_m,
                highest_cell=np.where(np.isfinite(highest_m), highest_cell, 0),
            )
        )
    return out
