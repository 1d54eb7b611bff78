"""Coverage tile by tile on dask.distributed: parallel efficiency, and a country-scale run.

1. **Efficiency, one worker to two.** A synthetic 30 m DEM of 1,536 x 1,536 cells (46 km
   square, fractal mountains) written as four GeoTIFF files, 160 sites of three operators,
   5 km radius, diffraction, 384-cell tiles (16 tiles): :func:`coverage.cluster.predict_tiled`
   on a LocalCluster of one worker process, then of two (each worker one thread, numba
   included, so that workers are cores). The peer is the one-worker run of the same job in
   the same benchmark: efficiency = time(1) / (2 x time(2)), target >= 80 %. Worker start-up
   and numba's first compilation are outside the timings (each cluster computes one small
   tile first).
2. **Country scale (opt-in: PHUSONG_BENCH_COUNTRY=1).** A mosaic of 10 x 10 DEM files of
   2,000 x 2,000 cells (20,000 x 20,000 cells, 600 km square at 30 m; written once, 1.6 GB,
   into PHUSONG_BENCH_DIR or a temporary folder), 10,000 sites, 10 km radius, 2,048-cell
   tiles, on ``local:N`` (N = PHUSONG_BENCH_WORKERS, default 2): time and the peak memory
   (max RSS) of every worker, target <= 2 GB each. PHUSONG_BENCH_COUNTRY_SITES runs fewer
   sites (memory per worker depends on the window, not on the sites);
   PHUSONG_BENCH_COUNTRY=only skips part 1.

Run ``python -m benchmarks distributed``.
"""

from __future__ import annotations

import math
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import rasterio
from affine import Affine

from benchmarks.synthetic import ORIGIN_X_M, ORIGIN_Y_M, UTM48N, rough_elevation
from coverage.cluster import predict_tiled

CELL_M = 30.0
SIZE = 1_536
N_SITES = 160
RADIUS_M = 5_000.0
TILE = 384

COUNTRY_FILES = 10  # per side
COUNTRY_FILE_CELLS = 2_000
COUNTRY_SITES = 10_000
COUNTRY_RADIUS_M = 10_000.0
COUNTRY_TILE = 2_048


def _write_dem(path: Path, elevation: np.ndarray, x0: float, y0: float) -> None:
    rows, cols = elevation.shape
    with rasterio.open(
        path, "w", driver="GTiff", width=cols, height=rows, count=1, dtype="float32",
        crs=UTM48N, transform=Affine(CELL_M, 0, x0, 0, -CELL_M, y0), tiled=True,
        compress="deflate", synthetic="yes",
    ) as dst:  # fmt: skip
        dst.write(elevation.astype(np.float32), 1)


def _towers(n: int, extent_m: float, margin_m: float, seed: int) -> gpd.GeoDataFrame:
    """``n`` omni sites of three operators, 4G at 1,800 MHz, ``margin_m`` inside the extent."""
    rng = np.random.default_rng(seed)
    xs = ORIGIN_X_M + rng.uniform(margin_m, extent_m - margin_m, n)
    ys = ORIGIN_Y_M - rng.uniform(margin_m, extent_m - margin_m, n)
    return gpd.GeoDataFrame(
        {
            "site_id": [f"S{i}" for i in range(n)],
            "operator": rng.choice(["Viettel", "MobiFone", "VNPT"], n),
            "technology": "4G",
            "frequency_mhz": 1800.0,
            "antenna_height_m": 30.0,
            "eirp_dbm": 60.0,
            "azimuth_deg": np.nan,
            "beamwidth_deg": 360.0,
            "tilt_deg": np.nan,
        },
        geometry=gpd.points_from_xy(xs, ys),
        crs=UTM48N,
    )


def _max_rss_gb() -> float:
    """Peak resident memory of this process, GB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def _cpu_s() -> float:
    """CPU seconds (user + system) this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cluster(workers: int) -> Any:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
        env={"NUMBA_NUM_THREADS": "1"},
    )  # fmt: skip
    return cluster, Client(cluster)


def _timed_run(
    workers: int, towers: gpd.GeoDataFrame, dem: Path, out: Path, **options: Any
) -> tuple[float, list[float], list[float], int]:
    """One predict_tiled on a fresh, warmed-up cluster: seconds, the workers' CPU seconds
    during the run and peak memory (GB), and the number of tiles."""
    cluster, client = _cluster(workers)
    try:
        # warm-up: every worker imports phusong and loads the compiled kernels
        client.run(_warm_up)
        cpu_before = client.run(_cpu_s)
        started = time.perf_counter()
        tiled = predict_tiled(towers, dem, out, scheduler=client, overwrite=True, **options)
        seconds = time.perf_counter() - started
        cpu = [v - cpu_before[k] for k, v in client.run(_cpu_s).items()]
        peaks = sorted(client.run(_max_rss_gb).values())
    finally:
        client.close()
        cluster.close()
    return seconds, cpu, peaks, tiled.tiles


def _warm_up() -> None:
    from coverage.model import predict
    from coverage.terrain import Terrain

    terrain = Terrain.from_array(
        np.full((40, 40), 100.0), transform=Affine(CELL_M, 0, 0, 0, -CELL_M, 1200), crs=UTM48N
    )
    towers = gpd.GeoDataFrame(
        {"site_id": ["w"], "operator": ["x"], "technology": ["4G"], "frequency_mhz": [1800.0],
         "antenna_height_m": [30.0], "eirp_dbm": [60.0]},
        geometry=gpd.points_from_xy([600.0], [600.0]), crs=UTM48N,
    )  # fmt: skip
    predict(towers, terrain, radius_m=300.0)


def job_inputs(folder: Path) -> tuple[Path, gpd.GeoDataFrame]:
    """The efficiency job's DEM (four files in ``folder / "dem"``) and its sites."""
    dem = folder / "dem"
    dem.mkdir()
    elevation = rough_elevation(SIZE, seed=11)
    half = SIZE // 2
    for i in range(2):
        for j in range(2):
            _write_dem(
                dem / f"n{i}e{j}.tif", elevation[i * half : (i + 1) * half, j * half : (j + 1) * half],
                ORIGIN_X_M + j * half * CELL_M, ORIGIN_Y_M - i * half * CELL_M,
            )  # fmt: skip
    return dem, _towers(N_SITES, SIZE * CELL_M, RADIUS_M + 500.0, seed=3)


def efficiency(folder: Path) -> None:
    dem, towers = job_inputs(folder)
    options = {"radius_m": RADIUS_M, "tile_size": TILE}
    load = os.getloadavg()[0]
    one, cpu_one, peaks_one, tiles = _timed_run(1, towers, dem, folder / "one", **options)
    two, cpu_two, peaks_two, _ = _timed_run(2, towers, dem, folder / "two", **options)
    for name in ("best_power_dbm", "serving_site"):
        with (
            rasterio.open(folder / "one" / f"{name}.vrt") as a,
            rasterio.open(folder / "two" / f"{name}.vrt") as b,
        ):
            assert np.array_equal(a.read(), b.read(), equal_nan=True), name
    print(
        f"{N_SITES} sites, {RADIUS_M / 1000:g} km, diffraction, {SIZE} x {SIZE} cells of "
        f"{CELL_M:g} m in {tiles} tiles of {TILE}; {os.cpu_count()} cores, load average "
        f"{load:.1f} at the start"
    )
    print(
        f"  one worker (the peer): {one:7.1f} s wall, {sum(cpu_one):6.1f} CPU s, "
        f"peak {max(peaks_one):.2f} GB"
    )
    print(
        f"  two workers:           {two:7.1f} s wall, CPU s "
        f"{' + '.join(f'{c:.1f}' for c in cpu_two)}, peak "
        f"{', '.join(f'{p:.2f}' for p in peaks_two)} GB"
    )
    print(
        f"  speed-up {one / two:.2f}x; parallel efficiency time(1)/(2 time(2)) = "
        f"{one / (2 * two):.0%} (target >= 80 %); work split: CPU(1)/CPU(2) = "
        f"{sum(cpu_one) / sum(cpu_two):.0%}, busiest worker {max(cpu_two) / sum(cpu_two):.0%} "
        "of the two's CPU; outputs identical"
    )
    print(
        "  efficiency in CPU time, as if each worker had its own core: CPU(1) / (2 x busiest "
        f"worker's CPU) = {sum(cpu_one) / (2 * max(cpu_two)):.0%}"
    )
    if load > (os.cpu_count() or 1):
        print(
            "  (the machine was busier than its cores: wall-clock efficiency measures the "
            "contention; the CPU split says how evenly the work divides)"
        )


def _country_dem(folder: Path) -> Path:
    """The 20,000 x 20,000 mosaic, one seamless surface written file by file (reused)."""
    dem = folder / "country_dem"
    done = dem / "complete"
    if done.exists():
        return dem
    dem.mkdir(exist_ok=True)
    side = COUNTRY_FILES * COUNTRY_FILE_CELLS
    waves = np.random.default_rng(5).uniform(0.0, 1.0, (12, 4))
    for i in range(COUNTRY_FILES):
        for j in range(COUNTRY_FILES):
            rows, cols = np.mgrid[0:COUNTRY_FILE_CELLS, 0:COUNTRY_FILE_CELLS].astype(np.float32)
            rows += i * COUNTRY_FILE_CELLS
            cols += j * COUNTRY_FILE_CELLS
            z = np.full(rows.shape, 1_400.0, np.float32)
            for k, (a, b, c, d) in enumerate(waves):  # ridges from 60 km down to 1 km
                wavelength = side / (2 + 6 * k) / (1 + 4 * a)
                angle = math.pi * b
                phase = 2 * math.pi * c
                along = cols * math.cos(angle) + rows * math.sin(angle)
                z += (500.0 / (1 + k) * (0.5 + d)) * np.sin(
                    2 * math.pi * along / wavelength + phase
                )
            _write_dem(
                dem / f"r{i:02d}c{j:02d}.tif", np.clip(z, 10.0, 3_100.0),
                ORIGIN_X_M + j * COUNTRY_FILE_CELLS * CELL_M,
                ORIGIN_Y_M - i * COUNTRY_FILE_CELLS * CELL_M,
            )  # fmt: skip
    done.write_text("ok")
    return dem


def country(folder: Path) -> None:
    workers = int(os.environ.get("PHUSONG_BENCH_WORKERS", "2"))
    started = time.perf_counter()
    dem = _country_dem(folder)
    print(f"country DEM ready in {time.perf_counter() - started:.0f} s ({dem})")
    extent = COUNTRY_FILES * COUNTRY_FILE_CELLS * CELL_M
    sites = int(os.environ.get("PHUSONG_BENCH_COUNTRY_SITES", COUNTRY_SITES))
    towers = _towers(sites, extent, COUNTRY_RADIUS_M + 500.0, seed=9)
    seconds, cpu, peaks, tiles = _timed_run(
        workers, towers, dem, folder / "country_out", radius_m=COUNTRY_RADIUS_M,
        tile_size=COUNTRY_TILE,
    )  # fmt: skip
    print(
        f"country: {sites:,} sites, {COUNTRY_RADIUS_M / 1000:g} km, "
        f"{COUNTRY_FILES * COUNTRY_FILE_CELLS:,}^2 cells in {COUNTRY_FILES**2} DEM files, "
        f"{tiles} tiles of {COUNTRY_TILE}: {seconds / 60:.1f} min on {workers} worker(s) "
        f"(CPU {' + '.join(f'{c / 60:.1f}' for c in cpu)} min; load average "
        f"{os.getloadavg()[0]:.1f} at the end)"
    )
    print(
        f"  peak memory per worker: {', '.join(f'{p:.2f}' for p in peaks)} GB (target <= 2 GB); "
        f"driver {_max_rss_gb():.2f} GB"
    )


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench_distributed_"))
    try:
        country_run = os.environ.get("PHUSONG_BENCH_COUNTRY")
        if country_run != "only":
            efficiency(folder)
        if country_run in ("1", "only"):
            country(Path(os.environ.get("PHUSONG_BENCH_DIR", folder)))
        else:
            print("country-scale run skipped: set PHUSONG_BENCH_COUNTRY=1 (about 2 GB of disk)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
