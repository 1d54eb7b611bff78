"""Viewshed throughput and accuracy: our batch CLI call against gdal_viewshed per site.

One synthetic rough DEM (30 m cells, 2,100 x 2,100 = 63 km square, fractal mountains of
2,800 m relief) is written as a GeoTIFF, with 50 sites at least 20 km inside its edges.
Then, in the same run, as whole commands:

- ours: ``phusong viewshed --dem DEM --sites SITES --height 30 --rx-height 1.5
  --radius 20000 --out OUT.tif`` (one band per site; when the CLI is missing, a
  ``python -c`` calling :func:`coverage.radial.viewshed.viewsheds` and writing the same file);
- ours again with the sites as 50 ``--site LON,LAT`` options (the peer too takes its
  site on the command line): no tower list to read, so no geopandas to import; its file
  must equal the first's;
- the peer: ``gdal_viewshed`` once per site, ``-oz 30 -tz 1.5 -md 20000 -cc 0.75``
  (``-cc`` is ``1/k`` for k = 4/3).

Both are compared with an exact R3 line of sight (Franklin & Ray 1994) on randomly
sampled cells of every disc, and with each other. Target: ours at least 3x the peer's
throughput and at least 99.7 % agreement with R3.

Run ``python -m benchmarks viewshed``.
"""

from __future__ import annotations

import json
import math
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np
import rasterio

from benchmarks.synthetic import central_sites, rough_terrain
from coverage.io.rasters import write_terrain
from coverage.radial.viewshed import exact_line_of_sight, viewsheds
from coverage.settings import EARTH_RADIUS_M

SIZE = 2_100
N_SITES = 50
RADIUS_M = 20_000.0
TX_HEIGHT_M = 30.0
RX_HEIGHT_M = 1.5
K_FACTOR = 4.0 / 3.0
R3_SAMPLES_PER_SITE = 4_000
OUR_RUNS = 3
"""Our whole command is timed as the median of this many runs (after one warm-up)."""


@numba.njit(cache=True, parallel=True)
def r3_sampled(elevation, row0, col0, observer_z, rows, cols, rx_height, curvature):
    """Exact R3 visibility (1/0) of cells (rows[i], cols[i]) from (row0, col0)."""
    out = np.empty(len(rows), np.uint8)
    for i in numba.prange(len(rows)):
        out[i] = exact_line_of_sight(
            elevation, row0, col0, observer_z, rows[i], cols[i], rx_height, curvature
        )
    return out


def _write_sites(path: Path, xs: np.ndarray, ys: np.ndarray, crs) -> None:
    import geopandas as gpd

    frame = gpd.GeoDataFrame(
        {
            "site_id": [f"S{i:03d}" for i in range(len(xs))],
            "operator": "bench",
            "technology": "4G",
            "antenna_height_m": TX_HEIGHT_M,
        },
        geometry=gpd.points_from_xy(xs, ys),
        crs=crs,
    )
    frame.to_crs("EPSG:4326").to_file(path, driver="GeoJSON")


def _our_command(dem: Path, sites: Path, out: Path) -> tuple[list[str], str]:
    cli = shutil.which("phusong") or str(Path(sys.executable).with_name("phusong"))
    probe = subprocess.run([cli, "viewshed", "--help"], capture_output=True, text=True)
    if probe.returncode == 0:
        command = [
            cli, "viewshed", "--dem", str(dem), "--sites", str(sites),
            "--height", str(TX_HEIGHT_M), "--rx-height", str(RX_HEIGHT_M),
            "--radius", str(RADIUS_M), "--out", str(out), "--overwrite",
        ]  # fmt: skip
        return command, "phusong viewshed (one batch call)"
    script = (
        "import sys, geopandas as gpd, rasterio\n"
        "from coverage.io.terrain import open_terrain\n"
        "from coverage.radial.viewshed import viewsheds\n"
        "t = open_terrain(sys.argv[1]); s = gpd.read_file(sys.argv[2]).to_crs(t.crs)\n"
        f"v = viewsheds(t, s.geometry.x.values, s.geometry.y.values, tx_height_m={TX_HEIGHT_M},"
        f" rx_height_m={RX_HEIGHT_M}, radius_m={RADIUS_M})\n"
        "with rasterio.open(sys.argv[3], 'w', driver='GTiff', width=v.shape[2],"
        " height=v.shape[1], count=v.shape[0], dtype='uint8', nodata=255, crs=t.crs,"
        " transform=t.transform) as f: f.write(v)\n"
    )
    return [sys.executable, "-c", script, str(dem), str(sites), str(out)], "python -c viewsheds()"


def _point_command(command: list[str], sites: Path, out: Path) -> list[str] | None:
    """``command`` with the sites file's points as ``--site LON,LAT`` options, or None."""
    if "--sites" not in command:
        return None
    features = json.loads(sites.read_text())["features"]
    points = [f"{lon!r},{lat!r}" for lon, lat in (f["geometry"]["coordinates"] for f in features)]
    at = command.index("--sites")
    rest = command[at + 2 :]
    rest[rest.index("--out") + 1] = str(out)
    return [*command[:at], *(arg for p in points for arg in ("--site", p)), *rest]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str], cpu: list[float] | None = None) -> float:
    """Wall seconds of ``command``; its CPU seconds (user + system) appended to ``cpu``."""
    started, cpu_before = time.perf_counter(), _children_cpu()
    subprocess.run(command, check=True, capture_output=True)
    if cpu is not None:
        cpu.append(_children_cpu() - cpu_before)
    return time.perf_counter() - started


def main() -> None:
    if shutil.which("gdal_viewshed") is None:
        print("gdal_viewshed not found (Debian package gdal-bin): nothing to compare against")
        return
    gdal_version = subprocess.run(
        ["gdal_viewshed", "--version"], capture_output=True, text=True
    ).stdout.strip()
    terrain = rough_terrain(SIZE)
    xs, ys = central_sites(terrain, N_SITES, margin_m=RADIUS_M)
    elevation = terrain.elevation_m
    with tempfile.TemporaryDirectory(prefix="phusong-bench-") as folder:
        work = Path(folder)
        dem = write_terrain(terrain, work / "dem.tif")
        sites = work / "sites.geojson"
        _write_sites(sites, xs, ys, terrain.crs)
        ours_tif = work / "ours.tif"
        command, label = _our_command(dem, sites, ours_tif)
        # in-process, warm: the kernel's own throughput (no start-up, reading or writing)
        viewsheds(terrain, xs[:1], ys[:1], tx_height_m=TX_HEIGHT_M, radius_m=RADIUS_M)
        started = time.perf_counter()
        viewsheds(
            terrain, xs, ys, tx_height_m=TX_HEIGHT_M, rx_height_m=RX_HEIGHT_M, radius_m=RADIUS_M
        )
        kernel_s = time.perf_counter() - started
        # warm-up on the same inputs: numba's compile cache is filled once per install
        _timed(command)
        ours_cpu: list[float] = []
        ours_s = float(np.median([_timed(command, ours_cpu) for _ in range(OUR_RUNS)]))
        points_tif = work / "ours_points.tif"
        points_command = _point_command(command, sites, points_tif)
        points_cpu: list[float] = []
        if points_command is not None:
            points_s = float(
                np.median([_timed(points_command, points_cpu) for _ in range(OUR_RUNS)])
            )

        gdal_s = 0.0
        gdal_cpu: list[float] = []
        gdal_bands = []
        for i in range(N_SITES):
            out = work / f"gdal_{i}.tif"
            gdal_s += _timed(
                [
                    "gdal_viewshed",
                    "-q",
                    "-ox",
                    f"{xs[i]:.3f}",
                    "-oy",
                    f"{ys[i]:.3f}",
                    "-oz",
                    str(TX_HEIGHT_M),
                    "-tz",
                    str(RX_HEIGHT_M),
                    "-md",
                    str(RADIUS_M),
                    "-cc",
                    str(1.0 / K_FACTOR),
                    "-vv",
                    "1",
                    "-iv",
                    "0",
                    "-ov",
                    "255",
                    str(dem),
                    str(out),
                ],  # fmt: skip
                gdal_cpu,
            )
            with rasterio.open(out) as src:  # gdal writes the disc's bounding window only
                band = np.full(terrain.shape, 255, dtype=np.uint8)
                col_off = round((src.transform.c - terrain.transform.c) / terrain.resolution_m)
                row_off = round((terrain.transform.f - src.transform.f) / terrain.resolution_m)
                band[row_off : row_off + src.height, col_off : col_off + src.width] = src.read(1)
                gdal_bands.append(band)
        with rasterio.open(ours_tif) as src:
            ours = src.read()
        if points_command is not None:
            with rasterio.open(points_tif) as src:
                if not np.array_equal(src.read(), ours):
                    raise AssertionError("the --site command wrote other bands than --sites")

        rows, cols = terrain.rowcol(xs, ys)
        rows, cols = np.rint(rows).astype(int), np.rint(cols).astype(int)
        curvature = terrain.resolution_m**2 / (2 * K_FACTOR * EARTH_RADIUS_M)
        rng = np.random.default_rng(1)
        radius_cells = RADIUS_M / terrain.resolution_m
        ours_r3 = gdal_r3 = both = 0
        sampled = compared = 0
        for i in range(N_SITES):
            angle = rng.uniform(0, 2 * math.pi, R3_SAMPLES_PER_SITE)
            dist = radius_cells * np.sqrt(rng.uniform(0, 1, R3_SAMPLES_PER_SITE))
            r = np.rint(rows[i] + dist * np.sin(angle)).astype(np.int64)
            c = np.rint(cols[i] + dist * np.cos(angle)).astype(np.int64)
            keep = ((r - rows[i]) ** 2 + (c - cols[i]) ** 2 <= radius_cells**2) & (
                (r != rows[i]) | (c != cols[i])
            )
            r, c = r[keep], c[keep]
            z0 = float(elevation[rows[i], cols[i]]) + TX_HEIGHT_M
            ref = r3_sampled(elevation, rows[i], cols[i], z0, r, c, RX_HEIGHT_M, curvature)
            ours_r3 += int((ours[i][r, c] == ref).sum())
            gdal_r3 += int((gdal_bands[i][r, c] == ref).sum())
            sampled += len(r)
            disc = (ours[i] != 255) & (gdal_bands[i] != 255)
            both += int((ours[i][disc] == gdal_bands[i][disc]).sum())
            compared += int(disc.sum())

    ours_per_site = ours_s / N_SITES
    gdal_per_site = gdal_s / N_SITES
    print(
        f"{N_SITES} sites, radius {RADIUS_M / 1000:.0f} km, {terrain.resolution_m:.0f} m cells, "
        f"DEM {SIZE}x{SIZE}; k = 4/3; R3 on {sampled:,} sampled cells; {numba.get_num_threads()} "
        "threads"
    )
    print(
        f"{'':34s}{'total s':>10s}{'s / site':>10s}{'agree R3':>10s}  (ours: median of {OUR_RUNS} runs)"
    )
    print(f"{'ours: ' + label:34s}{ours_s:10.2f}{ours_per_site:10.3f}{ours_r3 / sampled:10.2%}")
    if points_command is not None:
        print(
            f"{'ours: the same with --site points':34s}{points_s:10.2f}{points_s / N_SITES:10.3f}"
        )
    print(
        f"{'peer: ' + gdal_version.split(',')[0] + ' x ' + str(N_SITES):34s}{gdal_s:10.2f}"
        f"{gdal_per_site:10.3f}{gdal_r3 / sampled:10.2%}"
    )
    print(f"{'ours: viewsheds() in-process, warm':34s}{kernel_s:10.2f}{kernel_s / N_SITES:10.3f}")
    print(f"throughput ratio ours/peer, whole commands: {gdal_s / ours_s:.1f}x (target >= 3x)")
    if points_command is not None:
        print(f"throughput ratio ours/peer, --site points: {gdal_s / points_s:.1f}x")
    print(f"throughput ratio ours/peer, our kernel alone: {gdal_s / kernel_s:.1f}x")
    cpu_line = f"CPU s (user + system): peer {sum(gdal_cpu):.2f}, ours {np.median(ours_cpu):.2f}"
    if points_cpu:
        cpu_line += f", ours with --site points {np.median(points_cpu):.2f}"
    print(cpu_line + f" (median of {OUR_RUNS})")
    print(f"ours vs peer, cells of every disc: {both / compared:.2%} agree ({compared:,} cells)")


if __name__ == "__main__":
    main()
