"""Coverage of a country, tile by tile, on a Dask cluster: :func:`predict_tiled`.

The driver (this process) reads only headers: the DEM tiles' (for the working grid,
:func:`coverage.io.terrain.terrain_grid`) and the tower list. It cuts the grid into tiles
(:mod:`coverage.cluster.tiles`), gives each tile the sites that reach it and the DEM
files under its window, and hands them to the workers, which read their own terrain and
write their own tile files into a staging folder beside the output. When every tile is
done the driver writes one VRT per output over the tiles (:mod:`coverage.cluster.mosaic`)
and ``layers.csv``, adds up the tiles' per-commune sums into the commune table
(:func:`coverage.gaps.commune_table`), and renames the staging folder to the output: an
interrupted run leaves nothing under the output's name.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.warp

from coverage import errors
from coverage.cluster.mosaic import write_vrt
from coverage.cluster.tiles import (
    Tile,
    TileJob,
    TileReport,
    add_sums,
    halo_cells,
    plan_tiles,
    run_tile,
    site_cells,
    touching,
)
from coverage.crs import WGS84, grow_lonlat_bounds
from coverage.errors import ClusterError, DemEdgeWarning, TerrainError
from coverage.gaps import commune_table
from coverage.grid import Grid
from coverage.i18n import current_language, first_few, message
from coverage.io.dem import dem_files, open_dem_file
from coverage.io.files import atomic_folder, atomic_output
from coverage.io.spreadsheets import write_csv
from coverage.io.terrain import terrain_grid
from coverage.model import LossCorrection, calibration_label, coverage_layers
from coverage.settings import K_FACTOR, RADIUS_M, RX_HEIGHT_M, TILE_SIZE_CELLS
from coverage.zonal import in_crs

__all__ = ["OUTPUTS", "TiledCoverage", "connect", "predict_tiled"]

log = logging.getLogger(__name__)

OUTPUTS = ("best_power_dbm", "serving_site", "operators_covering", "validity")
"""The rasters of :func:`coverage.io.rasters.write_coverage`, one VRT each."""

_LOCAL = re.compile(r"local:(\d+)")


@dataclass(frozen=True, eq=False)
class TiledCoverage:
    """What :func:`predict_tiled` wrote: one VRT per output over the tiles, and the tables.

    Attributes
    ----------
    folder
        The output folder.
    rasters
        Output name (:data:`OUTPUTS`) to its VRT (read it with rasterio as one raster).
    layers
        One row per band of ``best_power_dbm`` and ``serving_site``: operator, technology,
        threshold.
    grid
        The working grid.
    tiles
        Number of tiles computed.
    communes
        Per-commune figures (:func:`coverage.gaps.commune_coverage`'s columns), when
        communes were given; also written as ``communes.csv``.
    """

    folder: Path
    rasters: dict[str, Path]
    layers: pd.DataFrame
    grid: Grid
    tiles: int
    communes: gpd.GeoDataFrame | None = field(default=None, repr=False)


@contextlib.contextmanager
def connect(scheduler: Any) -> Iterator[Any]:
    """A ``distributed.Client`` for ``scheduler``; one started here is closed on the way out.

    ``scheduler``: a ``distributed.Client`` (used as it is), ``"local:N"`` (a
    ``LocalCluster`` of N worker processes on this machine, one thread each, each worker's
    numba kernels on its share of the cores), or a scheduler address such as
    ``"tcp://10.0.0.5:8786"`` (a real cluster: ``dask scheduler`` and ``dask worker`` there).

    Raises
    ------
    ClusterError
        A malformed ``scheduler``, or a scheduler that cannot be reached.
    """
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        yield scheduler
        return
    text = str(scheduler)
    workers = _local_workers(text)
    if workers:
        threads = max(1, (os.cpu_count() or 1) // workers)
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                env={"NUMBA_NUM_THREADS": str(threads)},
            ) as cluster,
            Client(cluster) as client,
        ):  # fmt: skip
            yield client
        return
    try:
        client = Client(text, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(message("errors.cluster.unreachable", address=text, exc=exc)) from exc
    with client:
        yield client


def _local_workers(scheduler: Any) -> int:
    """Workers of a ``"local:N"`` scheduler, 0 for an address or a client; raise on others."""
    if not isinstance(scheduler, str):
        return 0
    local = _LOCAL.fullmatch(scheduler)
    if local:
        if int(local.group(1)) < 1:
            raise ClusterError(message("errors.cluster.no_workers", scheduler=scheduler))
        return int(local.group(1))
    if "://" not in scheduler:
        raise ClusterError(message("errors.cluster.scheduler_address", scheduler=repr(scheduler)))
    return 0


def _dem_boxes(files: list[Path], crs: Any) -> list[tuple[float, float, float, float]]:
    """Each DEM file's bounds in ``crs`` (headers only); warn when they must be reprojected."""
    boxes = []
    reprojected = []
    for path in files:
        dataset = open_dem_file(path)
        with dataset:
            boxes.append(
                rasterio.warp.transform_bounds(dataset.crs, crs, *dataset.bounds, densify_pts=21)
            )
            if dataset.crs != crs:
                reprojected.append(path.name)
    if reprojected:
        warnings.warn(
            message("errors.cluster.dem_reprojected", count=len(reprojected), first=reprojected[0]),
            errors.CoverageWarning,
            stacklevel=3,
        )
    return boxes


def _files_under(
    window: Grid, files: list[Path], boxes: list[tuple[float, float, float, float]]
) -> tuple[str, ...]:
    """The DEM files under a window grown by a margin (void filling reads around it)."""
    margin = 64 * window.resolution_m
    left, bottom, right, top = window.bounds
    chosen = tuple(
        str(path)
        for path, (x0, y0, x1, y1) in zip(files, boxes, strict=True)
        if x0 < right + margin and x1 > left - margin and y0 < top + margin and y1 > bottom - margin
    )
    return chosen or tuple(str(path) for path in files)


def _jobs(
    grid: Grid,
    tiles: list[Tile],
    towers_w: gpd.GeoDataFrame,
    halo: int,
    reach: int,
    dem: tuple[list[Path], list[tuple[float, float, float, float]]],
    common: dict[str, Any],
    communes_w: gpd.GeoDataFrame | None,
) -> Iterator[TileJob]:
    """One job per tile: the sites reaching it, its window, its DEM files and communes."""
    rows, cols = site_cells(grid, towers_w.geometry.x.to_numpy(), towers_w.geometry.y.to_numpy())
    for tile in tiles:
        near = np.flatnonzero(
            (rows >= tile.row0 - reach)
            & (rows < tile.row0 + tile.rows + reach)
            & (cols >= tile.col0 - reach)
            & (cols < tile.col0 + tile.cols + reach)
        )
        window = tile.grown(halo, grid.shape)
        window_grid = grid.window(window.row0, window.col0, window.rows, window.cols)
        tile_grid = grid.window(tile.row0, tile.col0, tile.rows, tile.cols)
        places = None if communes_w is None else touching(communes_w, tile_grid)
        yield TileJob(
            tile=tile,
            window=window,
            grid=grid,
            dem=_files_under(window_grid, *dem),
            towers=towers_w.iloc[near],
            positions=near,
            communes=None if communes_w is None else communes_w.iloc[places],
            commune_positions=places,
            **common,
        )


def _check_sites(grid: Grid, towers_w: gpd.GeoDataFrame, reach: int) -> None:
    """Refuse sites off the grid; warn once about those whose radius leaves it."""
    xs, ys = towers_w.geometry.x.to_numpy(), towers_w.geometry.y.to_numpy()
    rows, cols = site_cells(grid, xs, ys)
    off = np.flatnonzero(
        (rows < 0) | (cols < 0) | (rows >= grid.shape[0]) | (cols >= grid.shape[1])
    )
    if off.size:
        i = int(off[0])
        raise TerrainError(
            message(
                "errors.cluster.site_off_grid",
                site=towers_w["site_id"].iloc[i],
                x=f"{xs[i]:.1f}",
                y=f"{ys[i]:.1f}",
                bounds=grid.bounds,
                count=off.size,
            )
        )
    cut = (rows < reach) | (cols < reach) | (rows + reach >= grid.shape[0])
    cut |= cols + reach >= grid.shape[1]
    if cut.any():
        names = first_few(towers_w["site_id"].to_numpy()[cut])
        warnings.warn(
            message(
                "errors.cluster.radius_past_edge",
                count=int(cut.sum()),
                shown=names,
            ),
            DemEdgeWarning,
            stacklevel=3,
        )


def _run(
    jobs: list[TileJob], scheduler: Any, progress: Callable[[int], None] | None
) -> Iterator[TileReport]:
    """Run the jobs in this process (``scheduler=None``) or on the cluster, as they finish."""
    if scheduler is None:
        for done, job in enumerate(jobs, start=1):
            yield run_tile(job)
            if progress is not None:
                progress(done)
        return
    from distributed import KilledWorker, as_completed
    from distributed.client import FutureCancelledError

    with connect(scheduler) as client:
        futures = client.map(run_tile, jobs, pure=False)
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                yield future.result()
                if progress is not None:
                    progress(done)
        except errors.CoverageError:
            raise
        except KilledWorker as exc:
            raise ClusterError(message("errors.cluster.worker_died", exc=exc)) from exc
        except (FutureCancelledError, OSError) as exc:
            raise ClusterError(message("errors.cluster.stopped", exc=exc)) from exc
        finally:
            client.cancel(futures)


def predict_tiled(
    towers: gpd.GeoDataFrame,
    dem: str | os.PathLike[str] | list[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    scheduler: Any = None,
    tile_size: int = TILE_SIZE_CELLS,
    bounds: tuple[float, float, float, float] | None = None,
    bounds_crs: Any = "EPSG:4326",
    resolution_m: float | None = None,
    crs: Any = None,
    communes: gpd.GeoDataFrame | None = None,
    population: str | os.PathLike[str] | None = None,
    model: str = "diffraction",
    radius_m: float = RADIUS_M,
    rx_height_m: float = RX_HEIGHT_M,
    thresholds_dbm: Mapping[str, float] | None = None,
    k_factor: float = K_FACTOR,
    environment: str = "open",
    clutter_loss_db: float = 0.0,
    eirp_is: str = "total",
    calibration: LossCorrection | None = None,
    overwrite: bool = False,
    progress: Callable[[int], None] | None = None,
) -> TiledCoverage:
    """Coverage of every tower, tile by tile, written to ``out``; per-commune figures too.

    Each pixel gets the value :func:`coverage.model.predict` gives it on the whole grid
    (:mod:`coverage.cluster.tiles` says why) when the DEM files are in the working CRS
    (warped DEMs, such as geographic SRTM tiles, are resampled per window: close, not
    identical; a warning says so); tiles run on a Dask cluster (or here, one
    after another, with ``scheduler=None``), each reading its own window of the DEM files.

    Parameters
    ----------
    towers
        Normalised towers (:func:`coverage.read_towers`), any CRS.
    dem
        DEM files or a folder of them (:func:`coverage.open_terrain`); on a real cluster
        at the same path on every worker (shared storage).
    out
        Output folder: ``best_power_dbm.vrt``, ``serving_site.vrt``,
        ``operators_covering.vrt``, ``validity.vrt`` over ``tiles/<tile>/*.tif``,
        ``layers.csv``, and ``communes.csv`` with communes. On a cluster, on storage every
        worker writes to.
    scheduler
        None (this process), ``"local:N"``, a scheduler address (``"tcp://host:8786"``)
        or a ``distributed.Client`` (:func:`connect`).
    tile_size
        Tile side, cells. A worker holds about (tile + 2 radius)² cells x (5 bytes x layers
        + 20 bytes).
    bounds, bounds_crs
        Area of the working grid (minx, miny, maxx, maxy) and its CRS (lon/lat by
        default); default the towers' extent grown by the radius, as ``phusong coverage``.
    resolution_m, crs
        Working grid cell size and CRS (:func:`coverage.open_terrain`).
    communes
        Communes (:func:`coverage.read_communes`): their figures are summed from the tiles.
    population
        A population raster (:func:`coverage.io.population.population_on_grid`, read by
        each tile on its cells) for the people columns; None: people unknown (NaN).
    model, radius_m, rx_height_m, thresholds_dbm, k_factor, environment, clutter_loss_db, eirp_is, calibration
        As :func:`coverage.model.predict`.
    overwrite
        Replace existing outputs of the same names in ``out``.
    progress
        Called with the number of tiles done.

    Returns
    -------
    TiledCoverage

    Raises
    ------
    ClusterError
        The scheduler cannot be reached, or a worker died.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from affine import Affine
    >>> from coverage.io.rasters import write_terrain
    >>> from coverage.terrain import Terrain
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_terrain(Terrain.from_array(np.full((60, 60), 300.0), transform=Affine(30, 0,
    ...     500_000, 0, -30, 2_500_000), crs="EPSG:32648"), folder / "dem.tif")
    >>> towers = gpd.GeoDataFrame({"site_id": ["A"], "operator": ["Viettel"],
    ...     "technology": ["4G"], "frequency_mhz": [1800.0], "antenna_height_m": [30.0],
    ...     "eirp_dbm": [60.0]}, geometry=gpd.points_from_xy([500_900.0], [2_499_100.0]),
    ...     crs="EPSG:32648")
    >>> tiled = predict_tiled(towers, folder, folder / "out", tile_size=16, radius_m=600.0,
    ...     bounds=(500_000, 2_498_200, 501_800, 2_500_000), bounds_crs="EPSG:32648")
    >>> tiled.tiles, sorted(p.name for p in tiled.rasters.values())[:2]
    (16, ['best_power_dbm.vrt', 'operators_covering.vrt'])
    """
    _local_workers(scheduler)  # a malformed scheduler is refused before any work
    files = dem_files(dem)
    if bounds is None:
        bounds, bounds_crs = grow_lonlat_bounds(towers.to_crs(WGS84).total_bounds, radius_m), WGS84
    grid = terrain_grid(
        files, bounds=bounds, bounds_crs=bounds_crs, resolution_m=resolution_m, crs=crs
    )
    layers = coverage_layers(towers, thresholds_dbm)
    towers_w = in_crs(towers, grid.crs, what="towers").reset_index(drop=True)
    reach = int(np.floor(radius_m / grid.resolution_m))
    _check_sites(grid, towers_w, reach)
    options = dict(
        model=model, radius_m=radius_m, rx_height_m=rx_height_m, thresholds_dbm=thresholds_dbm,
        k_factor=k_factor, environment=environment, clutter_loss_db=clutter_loss_db,
        eirp_is=eirp_is, calibration=calibration,
    )  # fmt: skip
    communes_w = None if communes is None else in_crs(communes, grid.crs, what="communes")
    tiles = plan_tiles(grid.shape, tile_size)
    names = [f"{name}.vrt" for name in OUTPUTS] + ["layers.csv", "tiles"]
    names += [] if communes is None else ["communes.csv"]
    final = Path(out)
    with atomic_folder(final, names=names, overwrite=overwrite) as staging:
        common = dict(
            layers=layers, options=options, staging=str(staging),
            population=None if population is None else str(population),
            language=current_language(),
        )  # fmt: skip
        jobs = list(
            _jobs(
                grid, tiles, towers_w, halo_cells(radius_m, grid.resolution_m, model), reach,
                (files, _dem_boxes(files, grid.crs)), common, communes_w,
            )
        )  # fmt: skip
        sums: dict[str, np.ndarray] = {}
        shown: set[tuple[str, str]] = set()
        for report in _run(jobs, scheduler, progress):
            add_sums(sums, report, 0 if communes is None else len(communes))
            for category, text in report.warnings:
                if (category, text) not in shown:
                    shown.add((category, text))
                    warning = getattr(errors, category, UserWarning)
                    warnings.warn(
                        message("errors.cluster.tile_warning", tile=report.name, text=text),
                        warning,
                        stacklevel=2,
                    )
        rasters = _write_mosaics(staging, grid, tiles, layers)
        table = _write_tables(staging, grid, layers, calibration, communes, communes_w, sums)
    log.info(message("errors.cluster.wrote_log", count=len(tiles), shape=grid.shape, path=final))
    return TiledCoverage(
        final, {name: final / path.name for name, path in rasters.items()}, layers, grid,
        len(tiles), table,
    )  # fmt: skip


def _write_mosaics(
    staging: Path, grid: Grid, tiles: list[Tile], layers: pd.DataFrame
) -> dict[str, Path]:
    """One VRT per output over the tiles' GeoTIFFs."""
    written = {}
    for name in OUTPUTS if len(layers) else OUTPUTS[2:]:
        parts = [(staging / "tiles" / t.name / f"{name}.tif", t.row0, t.col0) for t in tiles]
        written[name] = write_vrt(staging / f"{name}.vrt", grid, parts)
    return written


def _write_tables(
    staging: Path,
    grid: Grid,
    layers: pd.DataFrame,
    calibration: LossCorrection | None,
    communes: gpd.GeoDataFrame | None,
    communes_w: gpd.GeoDataFrame | None,
    sums: dict[str, np.ndarray],
) -> gpd.GeoDataFrame | None:
    """``layers.csv`` (as :func:`coverage.io.rasters.write_coverage`'s) and ``communes.csv``."""
    table = layers.assign(band=range(1, len(layers) + 1))
    label = calibration_label(calibration)
    if label:
        table["calibration"] = label
    with atomic_output(staging / "layers.csv") as tmp:
        write_csv(table, tmp)
    if communes is None or communes_w is None:
        return None
    sums.setdefault("cells", np.zeros(len(communes)))  # no tile touched a commune
    frame = commune_table(communes, communes_w, grid, layers, sums)
    with atomic_output(staging / "communes.csv") as tmp:
        write_csv(pd.DataFrame(frame.drop(columns="geometry")), tmp)
    return frame
