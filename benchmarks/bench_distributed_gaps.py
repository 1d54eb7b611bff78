"""Gap lists from coverage tiles on dask.distributed, against the whole-grid gap lists.

Setup: ``bench_distributed``'s efficiency job (a fractal 30 m DEM of 1,536 x 1,536 cells in
four GeoTIFF files, 160 sites of three operators, 5 km, diffraction, 384-cell tiles), plus
80 Voronoi communes over the extent and a population raster (gamma-distributed people per
cell). The coverage tiles are written first (not timed). Then:

- **tiled**: :func:`coverage.cluster.gaps_tiled` (no operator and the three operators,
  0.1 km² smallest piece) on a fresh LocalCluster of two worker processes: wall time,
  each worker's CPU and peak memory (max RSS, including the worker process itself), and
  the driver's peak;
- **peer**: the single-machine path on the same coverage: the VRTs read whole into a
  :class:`coverage.model.CoverageResult` and :func:`coverage.gaps.gap_polygons` per
  operator, in this process after the tiled run (so the driver's peak above is not
  raised by it): its time and the peak it raises this process to.

The two lists are checked equal (rows, ranks, people to 1e-9). Run
``python -m benchmarks distributed_gaps``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from affine import Affine

from benchmarks.bench_distributed import (
    CELL_M,
    N_SITES,
    RADIUS_M,
    SIZE,
    TILE,
    _cluster,
    _cpu_s,
    _max_rss_gb,
    _warm_up,
    job_inputs,
)
from benchmarks.synthetic import ORIGIN_X_M, ORIGIN_Y_M, UTM48N
from coverage.cluster import TiledCoverage, gaps_tiled, predict_tiled
from coverage.gaps import gap_polygons
from coverage.io.population import population_on_grid
from coverage.io.terrain import open_terrain
from coverage.model import CoverageResult
from coverage.zonal import communes_on_grid

N_COMMUNES = 80
MIN_KM2 = 0.1


def _inputs(folder: Path) -> tuple[Path, gpd.GeoDataFrame, gpd.GeoDataFrame, Path]:
    """DEM files, sites, Voronoi communes and a population raster over one extent."""
    dem, towers = job_inputs(folder)
    extent = SIZE * CELL_M
    rng = np.random.default_rng(8)
    frame = shapely.box(ORIGIN_X_M, ORIGIN_Y_M - extent, ORIGIN_X_M + extent, ORIGIN_Y_M)
    seeds = shapely.multipoints(
        np.column_stack([ORIGIN_X_M + rng.uniform(0, extent, N_COMMUNES),
                         ORIGIN_Y_M - rng.uniform(0, extent, N_COMMUNES)])
    )  # fmt: skip
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame))
    communes = gpd.GeoDataFrame(
        {"commune_id": [f"C{i:03d}" for i in range(len(cells))],
         "name": [f"Xã {i}" for i in range(len(cells))]},
        geometry=shapely.intersection(cells, frame), crs=UTM48N,
    )  # fmt: skip
    people = folder / "people.tif"
    with rasterio.open(
        people, "w", driver="GTiff", width=SIZE, height=SIZE, count=1, dtype="float32",
        crs=UTM48N, transform=Affine(CELL_M, 0, ORIGIN_X_M, 0, -CELL_M, ORIGIN_Y_M),
        nodata=-99999.0,
    ) as dst:  # fmt: skip
        dst.write(rng.gamma(0.5, 2.0, (SIZE, SIZE)).astype(np.float32), 1)
    return dem, towers, communes, people


def _whole(tiled: TiledCoverage, towers: gpd.GeoDataFrame) -> CoverageResult:
    """The tiled coverage read whole from its VRTs (the single machine's input)."""
    with rasterio.open(tiled.rasters["best_power_dbm"]) as src:
        best = src.read()
    with rasterio.open(tiled.rasters["validity"]) as src:
        validity = src.read(1)
    return CoverageResult(
        best, np.full(best.shape, -1, np.int32), tiled.layers, validity, tiled.grid,
        towers.to_crs(UTM48N),
    )  # fmt: skip


def gap_lists(folder: Path) -> None:
    dem, towers, communes, people = _inputs(folder)
    load = os.getloadavg()[0]
    cluster, client = _cluster(2)
    try:
        tiled = predict_tiled(
            towers, dem, folder / "tiles", scheduler=client, radius_m=RADIUS_M, tile_size=TILE,
            bounds=(ORIGIN_X_M, ORIGIN_Y_M - SIZE * CELL_M, ORIGIN_X_M + SIZE * CELL_M,
                    ORIGIN_Y_M), bounds_crs=UTM48N,
        )  # fmt: skip
    finally:
        client.close()
        cluster.close()
    cluster, client = _cluster(2)  # fresh workers: their peaks are the gap lists' alone
    try:
        client.run(_warm_up)
        cpu_before = client.run(_cpu_s)
        driver_cpu = _cpu_s()
        started = time.perf_counter()
        gaps = gaps_tiled(
            tiled, communes, towers=towers, population=people, dem=dem, min_area_km2=MIN_KM2,
            scheduler=client,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        driver_cpu = _cpu_s() - driver_cpu
        cpu = [v - cpu_before[k] for k, v in client.run(_cpu_s).items()]
        peaks = sorted(client.run(_max_rss_gb).values())
    finally:
        client.close()
        cluster.close()
    driver = _max_rss_gb()
    peer_cpu = _cpu_s()
    started = time.perf_counter()
    result = _whole(tiled, towers)
    grid = result.grid
    population = population_on_grid(people, grid=grid)
    on_grid = communes_on_grid(communes, grid)
    elevation = open_terrain(dem, bounds=grid.bounds, bounds_crs=UTM48N).elevation_on(grid)
    names = sorted(set(result.layers["operator"]))
    whole = pd.concat(
        [
            gap_polygons(result, communes=communes, population=population, operator=key,
                         min_area_km2=MIN_KM2, on_grid=on_grid, elevation_m=elevation)
            for key in [None, *names]
        ],
        ignore_index=True,
    )  # fmt: skip
    peer = time.perf_counter() - started
    peer_cpu = _cpu_s() - peer_cpu
    assert len(whole) == len(gaps) and (whole["gap_id"] == gaps["gap_id"]).all()
    np.testing.assert_allclose(gaps["people"], whole["people"], rtol=1e-9)
    np.testing.assert_allclose(gaps["area_km2"], whole["area_km2"], rtol=1e-12)
    print(
        f"gap lists of {len(names) + 1} keys (no operator + {len(names)} operators), "
        f"{N_SITES} sites, {SIZE} x {SIZE} cells of {CELL_M:g} m in {tiled.tiles} tiles of "
        f"{TILE}, {len(communes)} communes: {len(gaps)} rows; {os.cpu_count()} cores, load "
        f"average {load:.1f} at the start"
    )
    print(
        f"  tiled, two workers: {seconds:6.1f} s wall, CPU "
        f"{' + '.join(f'{c:.1f}' for c in cpu)} s, peak {', '.join(f'{p:.2f}' for p in peaks)} "
        f"GB per worker; driver {driver_cpu:.1f} CPU s, peak {driver:.2f} GB (this process so "
        "far, the coverage run's driver included)"
    )
    print(
        f"  whole grid in one process (the peer): {peer:6.1f} s wall, {peer_cpu:.1f} CPU s, "
        f"this process's peak now {_max_rss_gb():.2f} GB"
    )
    print(
        f"  tiled / whole-grid: {seconds / peer:.2f}x wall, {(driver_cpu + sum(cpu)) / peer_cpu:.2f}x"
        " CPU (driver + workers); rows, ranks and people equal"
    )


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench_distributed_gaps_"))
    try:
        gap_lists(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
