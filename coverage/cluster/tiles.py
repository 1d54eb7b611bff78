"""Tiles of the working grid and the task that computes one: its own window of the DEM files.

A tile is a block of the working grid. Its task reads the terrain of the tile grown by a
halo (:func:`halo_cells`) straight from the DEM files with :func:`coverage.open_terrain`
(``bounds`` set to the window, on the working grid's CRS and lattice), runs
:func:`coverage.model.predict` there for the sites that reach the tile, and keeps the
tile: every pixel's value is then the one the whole-grid run gives, because each pixel
depends only on the terrain between its site and itself (the radial kernels read a
profile's prefix), which the halo holds. The task writes its tile of every output
(:func:`coverage.io.rasters.write_coverage`) and returns the per-commune sums of its
cells (:func:`coverage.gaps.commune_sums`), which add up over tiles.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage.errors import DemEdgeWarning, TerrainError
from coverage.gaps import commune_sums
from coverage.grid import Grid
from coverage.i18n import language, message
from coverage.io.population import population_on_grid
from coverage.io.rasters import write_coverage
from coverage.io.terrain import open_terrain
from coverage.model import CoverageResult, predict
from coverage.zonal import communes_on_grid

__all__ = [
    "Tile",
    "TileJob",
    "TileReport",
    "add_sums",
    "halo_cells",
    "plan_tiles",
    "run_tile",
    "site_cells",
    "touching",
]

#: Cells beyond the radius kept in every window: a ray's samples are interpolated between
#: the two cell centres either side of it, one cell off the straight line.
HALO_MARGIN_CELLS = 2


@dataclass(frozen=True)
class Tile:
    """A block of the working grid: first row and column, rows and columns."""

    row0: int
    col0: int
    rows: int
    cols: int

    @property
    def name(self) -> str:
        """Folder name of the tile's outputs, e.g. ``r000000_c002048``."""
        return f"r{self.row0:06d}_c{self.col0:06d}"

    def grown(self, cells: int, shape: tuple[int, int]) -> Tile:
        """The tile grown by ``cells`` on every side, cut to a grid of ``shape``."""
        row0, col0 = max(self.row0 - cells, 0), max(self.col0 - cells, 0)
        row1 = min(self.row0 + self.rows + cells, shape[0])
        col1 = min(self.col0 + self.cols + cells, shape[1])
        return Tile(row0, col0, row1 - row0, col1 - col0)


def plan_tiles(shape: tuple[int, int], tile_size: int) -> list[Tile]:
    """Blocks of ``tile_size`` x ``tile_size`` cells covering a grid of ``shape``, row by row.

    Examples
    --------
    >>> [(t.row0, t.col0, t.rows, t.cols) for t in plan_tiles((3, 5), 2)]
    [(0, 0, 2, 2), (0, 2, 2, 2), (0, 4, 2, 1), (2, 0, 1, 2), (2, 2, 1, 2), (2, 4, 1, 1)]
    """
    if tile_size < 1:
        raise ValueError(message("errors.cluster.tile_size", tile_size=tile_size))
    rows, cols = shape
    return [
        Tile(r, c, min(tile_size, rows - r), min(tile_size, cols - c))
        for r in range(0, rows, tile_size)
        for c in range(0, cols, tile_size)
    ]


def halo_cells(radius_m: float, cell_m: float, model: str) -> int:
    """Cells of terrain read around a tile so that its pixels are computed as on the whole grid.

    The radius (a site reaching the tile stands within it, and a pixel's profile runs from
    the site) plus :data:`HALO_MARGIN_CELLS`; twice the radius for ``"hata"``, whose
    effective base height averages the terrain along the whole radial, beyond the pixel.

    Examples
    --------
    >>> halo_cells(10_000, 30.0, "diffraction"), halo_cells(10_000, 30.0, "hata")
    (335, 668)
    """
    reach = math.floor(radius_m / cell_m)
    return (2 if model == "hata" else 1) * reach + HALO_MARGIN_CELLS


def site_cells(grid: Grid, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cells (row, col) of points in ``grid``'s CRS: the cell containing each (as predict's)."""
    row_f, col_f = grid.rowcol(xs, ys)
    return (
        np.floor(np.asarray(row_f) + 0.5).astype(np.int64),
        np.floor(np.asarray(col_f) + 0.5).astype(np.int64),
    )


@dataclass(frozen=True)
class TileJob:
    """Everything one tile's task needs: plain values and small frames, cheap to ship.

    ``towers`` are the sites reaching the tile (in the working CRS, in the order of the
    whole list) and ``positions`` their rows in it; ``communes`` those touching the tile
    (working CRS) and ``commune_positions`` theirs.
    """

    tile: Tile
    window: Tile
    grid: Grid
    dem: tuple[str, ...]
    towers: gpd.GeoDataFrame = field(repr=False)
    positions: np.ndarray = field(repr=False)
    layers: pd.DataFrame = field(repr=False)
    options: dict[str, Any] = field(repr=False)
    staging: str
    communes: gpd.GeoDataFrame | None = field(default=None, repr=False)
    commune_positions: np.ndarray | None = field(default=None, repr=False)
    population: str | None = None
    language: str = "en"
    """The language of the caller's messages (:func:`coverage.i18n.language`): a worker is
    another process, which does not inherit it."""


@dataclass(frozen=True)
class TileReport:
    """What a tile's task sends back: its name, the warnings it met, its commune sums."""

    name: str
    warnings: list[tuple[str, str]]
    commune_sums: dict[str, np.ndarray] | None = None
    commune_positions: np.ndarray | None = None


def _window_terrain(job: TileJob) -> Any:
    """The window's terrain read from the DEM files onto the working grid's lattice."""
    window_grid = job.grid.window(
        job.window.row0, job.window.col0, job.window.rows, job.window.cols
    )
    terrain = open_terrain(
        list(job.dem), bounds=window_grid.bounds, bounds_crs=job.grid.crs, crs=job.grid.crs,
        resolution_m=job.grid.resolution_m,
    )  # fmt: skip
    row0, col0 = job.grid.offset_of(terrain.transform)
    tile = job.tile
    inside = (
        row0 <= tile.row0
        and col0 <= tile.col0
        and row0 + terrain.shape[0] >= tile.row0 + tile.rows
        and col0 + terrain.shape[1] >= tile.col0 + tile.cols
    )
    if not inside:
        raise TerrainError(
            message(
                "errors.cluster.window_misses_tile",
                tile=tile.name,
                first=job.dem[0],
                row0=row0,
                col0=col0,
                shape=terrain.shape,
            )
        )
    return terrain, row0, col0


def _tile_result(
    result: CoverageResult, job: TileJob, row0: int, col0: int
) -> tuple[CoverageResult, Grid]:
    """The tile cut from a window's result, on the whole run's layers and tower rows."""
    tile = job.tile
    cut = (slice(tile.row0 - row0, tile.row0 - row0 + tile.rows),
           slice(tile.col0 - col0, tile.col0 - col0 + tile.cols))  # fmt: skip
    n_layers = len(job.layers)
    best = np.full((n_layers, tile.rows, tile.cols), np.nan, dtype=np.float32)
    serving = np.full((n_layers, tile.rows, tile.cols), -1, dtype=np.int32)
    whole = {
        (op, tech): i
        for i, (op, tech) in enumerate(zip(job.layers.operator, job.layers.technology, strict=True))
    }
    for local, (op, tech) in enumerate(
        zip(result.layers.operator, result.layers.technology, strict=True)
    ):
        layer = whole[(op, tech)]
        best[layer] = result.best_power_dbm[local][cut]
        rows = result.serving_site[local][cut]
        serving[layer] = np.where(rows >= 0, job.positions[np.maximum(rows, 0)], -1)
    grid = job.grid.window(tile.row0, tile.col0, tile.rows, tile.cols)
    tile_result = CoverageResult(
        best_power_dbm=best,
        serving_site=serving,
        layers=job.layers,
        validity=np.ascontiguousarray(result.validity[cut]),
        grid=grid,
        towers=result.towers,
        model=result.model,
        parameters=result.parameters,
    )
    return tile_result, grid


def _commune_sums(job: TileJob, result: CoverageResult, grid: Grid) -> dict[str, np.ndarray] | None:
    """Per-commune sums over the tile's cells, for the communes touching it."""
    if job.communes is None:
        return None
    on_grid = communes_on_grid(job.communes, grid)
    people = (
        None if job.population is None else population_on_grid(job.population, grid=grid).people
    )
    return commune_sums(result, on_grid.fractions, people)


def run_tile(job: TileJob) -> TileReport:
    """Compute one tile and write its outputs under ``job.staging``/tiles/<name>/.

    Warnings met are returned (category name, message) rather than shown: a worker's
    would be lost. Errors and warnings are written in ``job.language``. The DEM-edge warning is left out: a window's edge is not the DEM's
    (the driver warns about the sites whose radius leaves the whole grid).
    """
    with language(job.language), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        terrain, row0, col0 = _window_terrain(job)
        result = predict(job.towers, terrain, **job.options)
        tile_result, grid = _tile_result(result, job, row0, col0)
        staging = Path(job.staging)
        if not staging.is_dir():  # the run was given up (an error, Ctrl-C): write nothing
            return TileReport(job.tile.name, [])
        write_coverage(tile_result, staging / "tiles" / job.tile.name)
        sums = _commune_sums(job, tile_result, grid)
    seen = [
        (type(w.message).__name__, str(w.message))
        for w in caught
        if not issubclass(w.category, DemEdgeWarning)
    ]
    return TileReport(job.tile.name, list(dict.fromkeys(seen)), sums, job.commune_positions)


def touching(frame: gpd.GeoDataFrame, grid: Grid) -> np.ndarray:
    """Positions of the rows of ``frame`` (in ``grid``'s CRS) whose geometry meets the grid."""
    box = shapely.box(*grid.bounds)
    return np.flatnonzero(shapely.intersects(np.asarray(frame.geometry.array), box))


def add_sums(total: dict[str, np.ndarray], report: TileReport, n_zones: int) -> None:
    """Add a tile's per-commune sums into ``total`` (``n_zones`` communes) at its communes."""
    if report.commune_sums is None or report.commune_positions is None:
        return
    for key, values in report.commune_sums.items():
        if key not in total:
            total[key] = np.zeros(n_zones)
        np.add.at(total[key], report.commune_positions, values)
