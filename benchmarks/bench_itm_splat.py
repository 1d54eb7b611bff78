"""ITM area prediction over a DEM: ours (``site_path_loss(model="itm")``) against SPLAT!.

One synthetic SRTM3-like tile (N22E103: 1201 x 1201 big-endian int16 at 3 arc-seconds,
fractal mountains of 2,200 m relief from :mod:`benchmarks.synthetic`) serves both tools:

- SPLAT! 1.4.2 (Debian ``splat``): the tile converted with its own ``srtm2sdf``, a
  ``.qth`` site file and a ``.lrp`` file with our ITM parameters, then
  ``splat -t site.qth -L 1.5 -R 20 -metric -olditm -N -ano splat.ano -o map.ppm -d .``:
  ITM 1.2.2 (``-olditm``, not ITWOM), 20 km radius, the receiver 1.5 m above ground;
  ``-ano`` writes latitude, longitude (degrees west), azimuth, elevation and path loss
  for every point it computes (no ERP in the ``.lrp``, so path loss, not field strength).
- ours: the same ``.hgt`` opened with :func:`coverage.terrain.open_terrain` (UTM 48N,
  native 3" spacing, 93 m cells), then :func:`coverage.engine.site_path_loss` with
  ``model="itm"`` and the same parameters.

SPLAT!'s points are matched to our pixels by longitude/latitude. Printed: both wall
times (SPLAT!'s whole command, which loads the .sdf and writes its map; ours both as
the call alone, numba cache loaded, and with ``open_terrain``), their ratio (target:
ours at least 10x faster), our cost per receiver point (target at most 0.02 ms), the
median and 90th percentile of the absolute loss difference where both give a loss
(target: median at most 1 dB), and the error of our profile decimation against the
full one-sample-per-cell profile.

Run ``python -m benchmarks itm_splat``; about a minute on 2 cores.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from affine import Affine

from benchmarks.synthetic import rough_elevation
from coverage.crs import transform_xy
from coverage.engine import site_path_loss
from coverage.io.files import atomic_output
from coverage.itm import itm_p2p_loss
from coverage.terrain import Terrain, open_terrain
from coverage.validity import Validity

TILE = "N22E103"
TILE_SIZE = 1201  # SRTM3: 3 arc-seconds, 1 degree plus the shared edge
SITE_LAT, SITE_LON = 22.5, 103.5  # the tile's centre, a grid node
RADIUS_KM = 20.0
TX_HEIGHT_M = 30.0
RX_HEIGHT_M = 1.5
RELIEF_M = 2_200.0
ITM: dict[str, Any] = {
    "frequency_mhz": 900.0,
    "epsilon": 15.0,
    "sigma": 0.005,
    "n0": 301.0,
    "climate": 2,  # continental subtropical (Lào Cai)
    "polarization": 1,  # vertical
    "situation_pct": 50.0,
    "time_pct": 50.0,
    "location_pct": 50.0,
    "mdvar": 12,  # SPLAT!'s point_to_point_ITM uses mode of variability 12 too
}
REPEATS = 3
P2P_CHECKS = ((20.0, 3.0), (75.0, 6.0), (130.0, 9.0), (200.0, 12.0), (250.0, 15.0), (320.0, 18.0))
"""(azimuth deg, distance km) of the receivers of the same-profile check."""


def write_hgt(folder: Path, *, seed: int = 2024) -> np.ndarray:
    """Write the synthetic tile ``N22E103.hgt`` (big-endian int16, row 0 at 23 N)."""
    elevation = np.rint(rough_elevation(TILE_SIZE, seed=seed, relief_m=RELIEF_M))
    with atomic_output(folder / f"{TILE}.hgt") as tmp:
        elevation.astype(">i2").tofile(tmp)
    return elevation


def write_splat_inputs(folder: Path) -> None:
    """``site.qth`` (height in metres) and ``site.lrp`` with the ITM parameters of ours."""
    with atomic_output(folder / "site.qth") as tmp:
        # SPLAT! longitudes are degrees west; a negative value means east
        tmp.write_text(f"site\n{SITE_LAT:.7f}\n{-SITE_LON:.7f}\n{TX_HEIGHT_M:.2f} meters\n")
    lrp = (
        f"{ITM['epsilon']:.3f} ; Earth Dielectric Constant (Relative permittivity)\n"
        f"{ITM['sigma']:.3f} ; Earth Conductivity (Siemens per meter)\n"
        f"{ITM['n0']:.3f} ; Atmospheric Bending Constant (N-units)\n"
        f"{ITM['frequency_mhz']:.3f} ; Frequency in MHz (20 MHz to 20 GHz)\n"
        f"{ITM['climate']} ; Radio Climate (2 = Continental Subtropical)\n"
        f"{ITM['polarization']} ; Polarization (0 = Horizontal, 1 = Vertical)\n"
        f"{ITM['situation_pct'] / 100:.2f} ; Fraction of situations\n"
        f"{ITM['time_pct'] / 100:.2f} ; Fraction of time\n"
    )
    with atomic_output(folder / "site.lrp") as tmp:
        tmp.write_text(lrp)


def run_splat(folder: Path) -> tuple[float, np.ndarray]:
    """Run SPLAT! in ``folder``; return its wall time and (lon_e, lat, loss, obstructed)."""
    command = [
        "splat", "-t", "site.qth", "-L", f"{RX_HEIGHT_M}", "-R", f"{RADIUS_KM}", "-metric",
        "-olditm", "-N", "-ano", "splat.ano", "-o", "map.ppm", "-d", ".",
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, cwd=folder, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    return seconds, read_ano(folder / "splat.ano")


def read_ano(path: Path) -> np.ndarray:
    """SPLAT! ``-ano`` rows as float64 (n, 4): east longitude, latitude, loss dB, obstructed."""
    rows = []
    for line in path.read_text().splitlines():
        text = line.split(";")[0].strip()
        parts = [part.strip() for part in text.split(",")]
        if len(parts) != 5:
            continue  # the two header lines (bounds)
        obstructed = parts[4].endswith("*")
        loss = float(parts[4].rstrip("*").strip())
        lon_e = (360.0 - float(parts[1]) + 180.0) % 360.0 - 180.0
        rows.append((lon_e, float(parts[0]), loss, float(obstructed)))
    return np.array(rows)


def splat_point_to_point(folder: Path, lat: float, lon: float) -> tuple[np.ndarray, float]:
    """SPLAT!'s own terrain profile (``-p`` with ``-gpsav``) and ITM loss to one receiver."""
    with atomic_output(folder / "rx.qth", overwrite=True) as tmp:
        tmp.write_text(f"rx\n{lat:.7f}\n{-lon:.7f}\n{RX_HEIGHT_M:.2f} meters\n")
    command = [
        "splat", "-t", "site.qth", "-r", "rx.qth", "-metric", "-olditm", "-p", "profile.png",
        "-gpsav", "-d", ".",
    ]  # fmt: skip
    subprocess.run(command, cwd=folder, check=True, capture_output=True)
    profile = np.loadtxt(folder / "profile.gp")  # distance (km), ground elevation (m)
    report = (folder / "site-to-rx.txt").read_text(errors="replace")
    loss = float(report.split("Longley-Rice path loss:")[1].split("dB")[0])
    return profile, loss


def ours(terrain: Terrain, *, max_profile_points: int = 150):  # noqa: ANN201 - SiteLoss
    """Our ITM prediction for the site on ``terrain``."""
    x, y = transform_xy("EPSG:4326", terrain.crs, np.array([SITE_LON]), np.array([SITE_LAT]))
    return site_path_loss(
        terrain, float(x[0]), float(y[0]), tx_height_m=TX_HEIGHT_M, rx_height_m=RX_HEIGHT_M,
        radius_m=RADIUS_KM * 1000.0, model="itm", max_profile_points=max_profile_points, **ITM,
    )  # fmt: skip


def warm_up() -> None:
    """Load the numba cache (or compile) on a tiny grid, so timings are of the work."""
    tiny = Terrain.from_array(
        np.full((41, 41), 500.0), transform=Affine(100, 0, 0, 0, -100, 4100), crs="EPSG:32648"
    )
    site_path_loss(
        tiny, 2050.0, 2050.0, tx_height_m=30.0, radius_m=2000.0, model="itm",
        frequency_mhz=900.0,
    )  # fmt: skip


def timed(function, *args, **kwargs):  # noqa: ANN001, ANN201 - benchmark helper
    """Best wall time of ``REPEATS`` calls, and the last result."""
    best = math.inf
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = function(*args, **kwargs)
        best = min(best, time.perf_counter() - started)
    return best, result


def describe(name: str, differences: np.ndarray) -> str:
    """One line of statistics of absolute differences (dB)."""
    absolute = np.abs(differences)
    return (
        f"{name}: n={absolute.size:,}  median {np.median(absolute):.2f} dB  "
        f"p90 {np.percentile(absolute, 90):.2f} dB  p99 {np.percentile(absolute, 99):.2f} dB  "
        f"mean signed {np.mean(differences):+.2f} dB"
    )


def main() -> None:
    """Run the comparison and print the figures."""
    if shutil.which("splat") is None or shutil.which("srtm2sdf") is None:
        print("SPLAT! not installed (Debian package splat): comparison skipped")
        return
    warm_up()
    with tempfile.TemporaryDirectory(prefix="bench_itm_splat_") as name:
        folder = Path(name)
        write_hgt(folder)
        write_splat_inputs(folder)
        started = time.perf_counter()
        subprocess.run(["srtm2sdf", f"{TILE}.hgt"], cwd=folder, check=True, capture_output=True)
        print(f"srtm2sdf: {time.perf_counter() - started:.2f} s (one-off conversion, not timed)")

        splat_s, splat = run_splat(folder)
        open_s, terrain = timed(open_terrain, folder / f"{TILE}.hgt")
        ours_s, result = timed(ours, terrain)
        full_s, full = timed(ours, terrain, max_profile_points=100_000)
        same_profile = []
        for azimuth_deg, distance_km in P2P_CHECKS:
            north = distance_km * math.cos(math.radians(azimuth_deg)) / 111.2
            east = (
                distance_km
                * math.sin(math.radians(azimuth_deg))
                / (111.2 * math.cos(math.radians(SITE_LAT)))
            )
            profile, splat_loss = splat_point_to_point(folder, SITE_LAT + north, SITE_LON + east)
            step_m = profile[-1, 0] * 1000.0 / (len(profile) - 1)
            reference = itm_p2p_loss(
                profile[:, 1], step_m, h_tx_m=TX_HEIGHT_M, h_rx_m=RX_HEIGHT_M,
                **ITM,
            )  # fmt: skip
            same_profile.append((azimuth_deg, distance_km, splat_loss, reference.loss_db))

    inside = np.isfinite(result.distance_m)
    n_pixels = int(inside.sum())
    print(
        f"terrain: {terrain.shape[0]}x{terrain.shape[1]} cells of {terrain.resolution_m:.0f} m "
        f"({terrain.crs.name}); radius {RADIUS_KM:.0f} km"
    )
    print(f"SPLAT! -olditm: {splat_s:.2f} s for {len(splat):,} points (whole command)")
    print(
        f"ours, site_path_loss(model='itm'): {ours_s:.3f} s for {n_pixels:,} pixels "
        f"({ours_s / n_pixels * 1e3:.4f} ms per receiver point; target <= 0.02)"
    )
    print(f"ours with open_terrain: {ours_s + open_s:.3f} s (open_terrain {open_s:.3f} s)")
    print(
        f"speed-up: {splat_s / ours_s:.1f}x call alone, {splat_s / (ours_s + open_s):.1f}x with "
        "open_terrain (target >= 10x)"
    )

    # match SPLAT!'s points to our pixels
    x, y = transform_xy("EPSG:4326", terrain.crs, splat[:, 0], splat[:, 1])
    row_f, col_f = terrain.rowcol(x, y)
    row = np.floor(row_f + 0.5).astype(int) - result.row0
    col = np.floor(col_f + 0.5).astype(int) - result.col0
    rows, cols = result.shape
    on_window = (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
    row, col, points = row[on_window], col[on_window], splat[on_window]
    our_loss = result.loss_db[row, col].astype(float)
    both = np.isfinite(our_loss) & (points[:, 2] > 0.0)
    differences = our_loss[both] - points[both, 2]
    print(
        f"matched {both.sum():,} of {len(splat):,} SPLAT! points to our pixels "
        f"({len(splat) - on_window.sum():,} off our window, "
        f"{(on_window.sum() - both.sum()):,} without a loss on either side)"
    )
    print(describe("|ours - SPLAT!| all", differences) + "  (target median <= 1 dB)")
    quiet = (result.validity[row, col][both] & Validity.ITM_WARNING) == 0
    if quiet.any():
        print(describe("|ours - SPLAT!| no ITM warning", differences[quiet]))
    obstructed = points[both, 3] == 1.0
    print(describe("|ours - SPLAT!| SPLAT! obstructed", differences[obstructed]))
    if (~obstructed).any():
        print(describe("|ours - SPLAT!| SPLAT! clear", differences[~obstructed]))
    far = result.distance_m[row, col][both] > 1000.0
    print(describe("|ours - SPLAT!| beyond 1 km", differences[far]))

    # our profile decimation against the full one-sample-per-cell profile
    both_ours = inside & np.isfinite(result.loss_db) & np.isfinite(full.loss_db)
    decimated = (result.distance_m > 149 * terrain.resolution_m) & both_ours
    print(
        f"ours, full profiles (one sample per cell, up to "
        f"{math.ceil(RADIUS_KM * 1000 / terrain.resolution_m) + 1} points): {full_s:.3f} s"
    )
    print(
        describe(
            "decimation (150 points) vs full, all pixels",
            (result.loss_db - full.loss_db)[both_ours],
        )
    )
    if decimated.any():
        print(
            describe(
                "decimation vs full, decimated pixels only",
                (result.loss_db - full.loss_db)[decimated],
            )
        )
    print("same profile, SPLAT! point-to-point (-olditm) vs ITM 1.2.2 (coverage.itm) on it:")
    for azimuth_deg, distance_km, splat_loss, reference_loss in same_profile:
        print(
            f"  az {azimuth_deg:5.1f} deg {distance_km:4.1f} km: SPLAT! {splat_loss:7.2f} dB, "
            f"ITM {reference_loss:7.2f} dB, difference {reference_loss - splat_loss:+6.2f} dB"
        )
    gaps = np.array([abs(ref - spl) for _, _, spl, ref in same_profile])
    print(f"  median |difference| on identical profiles: {np.median(gaps):.2f} dB")
    print(
        f"ITM warnings: {np.mean((result.validity[inside] & Validity.ITM_WARNING) > 0):.0%} of "
        "our pixels"
    )


if __name__ == "__main__":
    main()
