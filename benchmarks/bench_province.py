"""A province at 30 m: ``phusong coverage`` and ``phusong gaps`` end to end, time and peak memory.

One synthetic rough DEM (30 m cells, 2,700 x 2,700 = 81 km square, 6,561 km², 7.3 M
cells, fractal mountains of 2,800 m relief) is written as a GeoTIFF; 1,000 sites of four
operators (250 each, 4G at 1,800 MHz, 30 m masts, 60 dBm EIRP) at least 10 km inside its
edges go to a CSV, and 81 square communes tiling the sites' box to a GeoJSON. Then, as a
user would, each command runs as its own process on these files, for each model:

- ``phusong coverage --towers T --dem D --model M --radius 10000 --out FOLDER``
- ``phusong gaps --communes C --towers T --dem D --model M --radius 10000 --out gaps.csv``

Time is wall clock; peak memory is the process's maximum resident set (``os.wait4``).
Targets on 2 cores: diffraction and Hata <= 60 s, ITM <= 10 min, peak <= 2 GB.

The peer, measured in the same run on the same DEM, before each model's commands:
``gdal_viewshed`` (GDAL 3.6) on a sample of the same sites at the same 10 km radius, one
whole command per site, its mean time per site times 1,000. It computes less than we do
(line of sight only, no path loss, no merging into layers), so its time is a lower bound
of what a GIS per-site workflow costs; the ratio printed is its time per site over ours.

ITM takes minutes: ``python -m benchmarks province`` runs diffraction and Hata; add ITM
with ``BENCH_PROVINCE_ITM=1`` in the environment or ``python -m benchmarks.bench_province
--itm``; ``--models itm`` runs ITM alone, ``--commands gaps`` one command. ``--sites N``
runs the commands on the first N sites only (a sample: its figures are per site, and the
target is not judged). Each command's CPU time (user + system, from ``os.wait4``) is printed beside its wall time: on
a shared machine, CPU seconds per site compare runs better than wall time does.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.synthetic import central_sites, rough_terrain
from coverage.crs import WGS84, transform_xy
from coverage.io.rasters import write_terrain

SIZE = 2_700
N_SITES = 1_000
OPERATORS = ("Viettel", "VinaPhone", "MobiFone", "Vietnamobile")
RADIUS_M = 10_000.0
COMMUNES_PER_SIDE = 9
PEER_SAMPLE = 20
"""Sites the peer runs (its time per site is scaled to all of them)."""
TARGET_S = {"diffraction": 60.0, "hata": 60.0, "itm": 600.0}
TARGET_PEAK_GB = 2.0


def write_towers_csv(path: Path, lon: np.ndarray, lat: np.ndarray) -> None:
    """The sites as a tower list, operators in turn."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["site_id", "operator", "technology", "lon", "lat", "antenna_height_m",
             "frequency_mhz", "eirp_dbm"]
        )  # fmt: skip
        for i, (x, y) in enumerate(zip(lon, lat, strict=True)):
            operator = OPERATORS[i % len(OPERATORS)]
            writer.writerow([f"S{i:04d}", operator, "4G", f"{x:.6f}", f"{y:.6f}", 30, 1800, 60])


def write_communes(path: Path, bounds: tuple[float, float, float, float], crs: Any) -> None:
    """``COMMUNES_PER_SIDE``² square communes tiling ``bounds`` (in ``crs``), as GeoJSON."""
    west, south, east, north = bounds
    xs = np.linspace(west, east, COMMUNES_PER_SIDE + 1)
    ys = np.linspace(south, north, COMMUNES_PER_SIDE + 1)
    features = []
    for i in range(COMMUNES_PER_SIDE):
        for j in range(COMMUNES_PER_SIDE):
            ring_x = np.array([xs[j], xs[j + 1], xs[j + 1], xs[j], xs[j]])
            ring_y = np.array([ys[i], ys[i], ys[i + 1], ys[i + 1], ys[i]])
            lon, lat = transform_xy(crs, WGS84, ring_x, ring_y)
            code = i * COMMUNES_PER_SIDE + j
            features.append(
                {
                    "type": "Feature",
                    "properties": {"ma_xa": f"{code:05d}", "ten_xa": f"Xã {code}"},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [[float(a), float(b)] for a, b in zip(lon, lat, strict=True)]
                        ],
                    },
                }
            )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def measured(command: list[str]) -> tuple[float, float, float]:
    """Run ``command``; its wall time (s), peak resident memory (GB) and CPU time (s).

    Fails loudly. CPU time is the process's user plus system time.
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr}")
    cpu_s = usage.ru_utime + usage.ru_stime
    return elapsed, usage.ru_maxrss / 1024**2, cpu_s  # ru_maxrss is in KiB on Linux


def gdal_per_site(dem: Path, xs: np.ndarray, ys: np.ndarray, work: Path) -> float | None:
    """Mean wall time of one ``gdal_viewshed`` command over the first PEER_SAMPLE sites."""
    if shutil.which("gdal_viewshed") is None:
        return None
    total = 0.0
    for i in range(PEER_SAMPLE):
        command = [
            "gdal_viewshed", "-q", "-ox", f"{xs[i]:.3f}", "-oy", f"{ys[i]:.3f}", "-oz", "30",
            "-tz", "1.5", "-md", str(RADIUS_M), "-cc", "0.75", str(dem),
            str(work / f"gdal_{i}.tif"),
        ]  # fmt: skip
        total += measured(command)[0]
    return total / PEER_SAMPLE


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--itm", action="store_true", help="also run --model itm (minutes)")
    parser.add_argument(
        "--models", help="comma-separated models to run instead (e.g. itm), in that order"
    )
    parser.add_argument(
        "--sites", type=int, default=N_SITES, help=f"run on the first N sites (default {N_SITES})"
    )
    parser.add_argument(
        "--commands",
        default="coverage,gaps",
        help="comma-separated commands to run (default coverage,gaps)",
    )
    args = parser.parse_args([] if argv is None else argv)
    if not 1 <= args.sites <= N_SITES:
        parser.error(f"--sites: give 1 to {N_SITES}, not {args.sites}")
    n_sites = args.sites
    commands = [c.strip() for c in args.commands.split(",") if c.strip()]
    if not commands or set(commands) - {"coverage", "gaps"}:
        parser.error(f"--commands: give coverage, gaps or both, not {args.commands!r}")
    models = ["diffraction", "hata"]
    if args.itm or os.environ.get("BENCH_PROVINCE_ITM") == "1":
        models.append("itm")
    if args.models:
        models = [m.strip() for m in args.models.split(",") if m.strip()]
        if unknown := set(models) - set(TARGET_S):
            parser.error(
                f"--models: no target for {', '.join(sorted(unknown))}; use {', '.join(TARGET_S)}"
            )
    cli = shutil.which("phusong") or str(Path(sys.executable).with_name("phusong"))
    terrain = rough_terrain(SIZE)
    xs, ys = central_sites(terrain, N_SITES, margin_m=RADIUS_M)
    lon, lat = transform_xy(terrain.crs, WGS84, xs, ys)
    area_km2 = terrain.shape[0] * terrain.shape[1] * terrain.resolution_m**2 / 1e6
    print(
        f"DEM {SIZE}x{SIZE} at {terrain.resolution_m:.0f} m ({area_km2:,.0f} km²), {n_sites:,} "
        f"sites of {len(OPERATORS)} operators, radius {RADIUS_M / 1000:.0f} km, "
        f"{COMMUNES_PER_SIDE**2} communes; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory(prefix="phusong-bench-") as folder:
        work = Path(folder)
        dem = write_terrain(terrain, work / "dem.tif")
        towers = work / "towers.csv"
        write_towers_csv(towers, lon[:n_sites], lat[:n_sites])
        communes = work / "communes.geojson"
        write_communes(communes, (xs.min(), ys.min(), xs.max(), ys.max()), terrain.crs)
        # warm-up on four sites: numba's compile cache is filled once per install
        warm = work / "warm.csv"
        write_towers_csv(warm, lon[:4], lat[:4])
        for model in models:
            measured([cli, "-q", "coverage", "--towers", str(warm), "--dem", str(dem), "--model",
                      model, "--radius", str(RADIUS_M), "--out", str(work / "warm"),
                      "--overwrite"])  # fmt: skip
        print(
            f"{'command':34s}{'s':>8s}{'target s':>10s}{'peak GB':>9s}{'ms/site':>9s}{'peer x':>8s}"
            f"{'CPU s':>8s}{'CPU ms/site':>12s}"
        )
        peer = None
        for model in models:
            # the peer again before each model: on a shared machine the load drifts
            peer = gdal_per_site(dem, xs, ys, work)
            common = ["--towers", str(towers), "--dem", str(dem), "--model", model,
                      "--radius", str(RADIUS_M), "--overwrite"]  # fmt: skip
            runs = {
                "coverage": [cli, "-q", "coverage", *common, "--out", str(work / f"cov_{model}")],
                "gaps": [cli, "-q", "gaps", "--communes", str(communes), *common,
                         "--out", str(work / f"gaps_{model}.csv")],
            }  # fmt: skip
            for name, command in runs.items():
                if name not in commands:
                    continue
                seconds, peak_gb, cpu_s = measured(command)
                per_site = seconds / n_sites
                ratio = f"{peer / per_site:8.1f}" if peer else f"{'-':>8s}"
                met = seconds <= TARGET_S[model] and peak_gb <= TARGET_PEAK_GB
                verdict = ("met" if met else "MISSED") if n_sites == N_SITES else "sample"
                print(
                    f"{f'phusong {name} --model {model}':34s}{seconds:8.1f}"
                    f"{TARGET_S[model]:10.0f}{peak_gb:9.2f}{per_site * 1e3:9.1f}{ratio}"
                    f"{cpu_s:8.1f}{cpu_s / n_sites * 1e3:12.1f}  {verdict}",
                    flush=True,
                )
        if peer:
            print(
                f"peer: gdal_viewshed, one command per site (line of sight only), mean of "
                f"{PEER_SAMPLE} sites measured before each model (last: {peer * 1e3:.1f} "
                f"ms/site); 'peer x' = its time per site over ours"
            )
        else:
            print("gdal_viewshed not found (Debian package gdal-bin): no peer ratio")


if __name__ == "__main__":
    main(sys.argv[1:])
