"""ITM area prediction over a DEM: ours, on the coverage grid and on the DEM's own, vs SPLAT!.

One synthetic SRTM3-like tile (N22E103: 1201 x 1201 big-endian int16 at 3 arc-seconds,
fractal mountains of 2,200 m relief from :mod:`benchmarks.synthetic`) serves both tools:

- SPLAT! 1.4.2 (Debian ``splat``): the tile converted with its own ``srtm2sdf``, a
  ``.qth`` site file and a ``.lrp`` file with our ITM parameters, then
  ``splat -t site.qth -L 1.5 -R 20 -metric -olditm -N -ano splat.ano -o map.ppm -d .``:
  ITM 1.2.2 (``-olditm``, not ITWOM), 20 km radius, the receiver 1.5 m above ground;
  ``-ano`` writes latitude, longitude (degrees west), azimuth, elevation and path loss
  for every point it computes (no ERP in the ``.lrp``, so path loss, not field strength).
- ours, two ways:

  * on the coverage grid: the same ``.hgt`` opened with
    :func:`coverage.io.terrain.open_terrain` (UTM 48N, native 3" spacing, 93 m cells, one
    bilinear reprojection), then :func:`coverage.model.site_path_loss` with
    ``model="itm"`` and the same parameters (radial profiles, linear interpolation,
    at most 150 points);
  * on the DEM's own grid: the ``.hgt`` opened with
    :func:`coverage.io.dem.open_native_dem` (no resampling), then
    :func:`coverage.radial.itm_native.itm_native_path_loss` (every post within 20 km, each
    profile read post by post from the nearest post, as SPLAT! does; ``phusong itm-loss``).

What SPLAT! computes (read from its 1.4.2 source, checked here to 0.01 dB): its
``-olditm`` ITM is ITM 1.2.2 (mode of variability 12, N_s from the mean elevation of
the middle 80 % of the profile, no earth curvature added, heights above ground), fed
with (a) the samples of its own path, ``ReadPath``: a great circle stepped about one
pixel at a time, each sample the *nearest* ``.sdf`` pixel (no interpolation), and
(b) an off-by-one: ``PlotLRPath`` passes ``elev[0] = y - 1`` for its sample ``y``, so the
value written at sample ``y`` is the loss to the receiver on sample ``y - 1``; its
point-to-point report likewise prints the loss of the profile ending two samples
before the receiver (the last, shorter, interval and one more sample dropped).
Printed: (1) SPLAT!'s ``-r`` report against our ITM on the samples it uses, (2) random
``-ano`` points recomputed by our ITM on SPLAT!'s own samples, and the same positions
with bilinear elevations (the sensitivity of ITM to terrain interpolation on this
rough DEM), (3) the area comparison with the off-by-one undone (SPLAT!'s value moved
to the sample before), for our terrain as ``open_terrain`` builds it (bilinear) and
for the ``.hgt`` resampled nearest-neighbour onto the same UTM grid, and for ours on the
DEM's own grid (each SPLAT! point compared with the post nearest it), and SPLAT! against
itself with its site moved a quarter post (the noise floor of the statistic on this
rough DEM: the site stays on the same post, only the paths' geometry moves). Both wall times
(SPLAT!'s whole command, which loads the .sdf and writes its map; ours as the call
alone, numba cache loaded, and with ``open_terrain`` or ``open_native_dem``), best of
three each, their ratio (target: ours at least 10x faster), the cost per receiver point of both (target for
ours at most 0.02 ms), the median and 90th percentile of the absolute loss difference
where both give a loss (target: median at most 1 dB), and the error of our profile
decimation against the full one-sample-per-cell profile.

Each is also run with ``reference=True`` (ITM in NTIA's own order of operations, the
per-post reference) and the largest difference from the default printed (target 0.01 dB).
Then the 1-arc-second case (:mod:`benchmarks.itm_splat_hd`): a 3601 x 3601 tile,
``splat-hd`` against ours on the DEM's own grid.

Run ``python -m benchmarks itm_splat``; about 2 minutes on 2 cores.

Regression check of the ITM grid (no SPLAT! needed): ``python -m benchmarks.bench_itm_splat
--save before.npz`` on one version of the code, ``--compare before.npz`` on another prints
the largest loss difference over the benchmark DEM's pixels and exits 1 when it exceeds
0.01 dB, or when the pixels with a loss or their validity flags differ.
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numba
import numpy as np
from affine import Affine

from benchmarks import itm_splat_hd
from benchmarks.synthetic import rough_elevation
from coverage.crs import transform_xy
from coverage.io.dem import open_native_dem
from coverage.io.files import atomic_output
from coverage.io.terrain import open_terrain
from coverage.model import site_path_loss
from coverage.physics.itm.environment import ItmEnvironment
from coverage.physics.itm.p2p import itm_p2p_loss
from coverage.radial.itm_grid import itm_site_path_loss
from coverage.radial.itm_native import NativeLoss, itm_native_path_loss
from coverage.terrain import NativeDEM, Terrain
from coverage.validity import Validity

TILE = "N22E103"
TILE_SIZE = 1201  # SRTM3: 3 arc-seconds, 1 degree plus the shared edge
SITE_LAT, SITE_LON = 22.5, 103.5  # the tile's centre, a grid node
RADIUS_KM = 20.0
TX_HEIGHT_M = 30.0
RX_HEIGHT_M = 1.5
RELIEF_M = 2_200.0
ENVIRONMENT = ItmEnvironment(
    epsilon=15.0,
    sigma=0.005,
    n0=301.0,
    climate=2,  # continental subtropical (Lào Cai)
    polarization=1,  # vertical
    situation_pct=50.0,
    time_pct=50.0,
    location_pct=50.0,
    mdvar=12,  # SPLAT!'s point_to_point_ITM uses mode of variability 12 too
)
ITM: dict[str, Any] = {"frequency_mhz": 900.0, "itm": ENVIRONMENT}
REPEATS = 3
P2P_CHECKS = ((20.0, 3.0), (75.0, 6.0), (130.0, 9.0), (200.0, 12.0), (250.0, 15.0), (320.0, 18.0))
"""(azimuth deg, distance km) of the receivers of the point-to-point check."""
SAMPLE_CHECKS = 400
"""Random ``-ano`` points recomputed by our ITM on SPLAT!'s own path samples."""


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
    polarization, epsilon, sigma, n0, climate, _mdvar, time_pct, _location, situation_pct = (
        ENVIRONMENT.kernel_args
    )
    lrp = (
        f"{epsilon:.3f} ; Earth Dielectric Constant (Relative permittivity)\n"
        f"{sigma:.3f} ; Earth Conductivity (Siemens per meter)\n"
        f"{n0:.3f} ; Atmospheric Bending Constant (N-units)\n"
        f"{ITM['frequency_mhz']:.3f} ; Frequency in MHz (20 MHz to 20 GHz)\n"
        f"{climate} ; Radio Climate (2 = Continental Subtropical)\n"
        f"{polarization} ; Polarization (0 = Horizontal, 1 = Vertical)\n"
        f"{situation_pct / 100:.2f} ; Fraction of situations\n"
        f"{time_pct / 100:.2f} ; Fraction of time\n"
    )
    with atomic_output(folder / "site.lrp") as tmp:
        tmp.write_text(lrp)


def run_splat(folder: Path) -> tuple[float, np.ndarray]:
    """Run SPLAT! in ``folder``; its best wall time of ``REPEATS`` and its ``-ano`` rows."""
    command = [
        "splat", "-t", "site.qth", "-L", f"{RX_HEIGHT_M}", "-R", f"{RADIUS_KM}", "-metric",
        "-olditm", "-N", "-ano", "splat.ano", "-o", "map.ppm", "-d", ".",
    ]  # fmt: skip
    seconds = math.inf
    for _ in range(REPEATS):
        started = time.perf_counter()
        subprocess.run(command, cwd=folder, check=True, capture_output=True)
        seconds = min(seconds, time.perf_counter() - started)
    return seconds, read_ano(folder / "splat.ano")


JITTER_DEG = 1.0 / 4800.0
"""SPLAT!'s site moved this far north and east (a quarter post) for its own noise floor."""


def run_splat_jittered(folder: Path) -> np.ndarray:
    """SPLAT! once more, its site a quarter post north-east (still on the same post)."""
    lat, lon = SITE_LAT + JITTER_DEG, SITE_LON + JITTER_DEG
    with atomic_output(folder / "sitej.qth") as tmp:
        tmp.write_text(f"sitej\n{lat:.7f}\n{-lon:.7f}\n{TX_HEIGHT_M:.2f} meters\n")
    # SPLAT! reads <site name>.lrp; without one it silently uses its defaults (300 MHz)
    with atomic_output(folder / "sitej.lrp") as tmp:
        tmp.write_text((folder / "site.lrp").read_text())
    command = [
        "splat", "-t", "sitej.qth", "-L", f"{RX_HEIGHT_M}", "-R", f"{RADIUS_KM}", "-metric",
        "-olditm", "-N", "-ano", "sitej.ano", "-o", "mapj.ppm", "-d", ".",
    ]  # fmt: skip
    subprocess.run(command, cwd=folder, check=True, capture_output=True)
    return read_ano(folder / "sitej.ano")


def by_post(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """SPLAT! ``-ano`` losses per 3" post they fall on (mean where a post has several)."""
    valid = points[:, 2] > 0.0
    keys = np.rint(points[valid, 1] * 1200).astype(np.int64) * 10_000_000 + np.rint(
        points[valid, 0] * 1200
    ).astype(np.int64)
    unique, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return unique, np.bincount(inverse, weights=points[valid, 2]) / counts


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


def splat_point_to_point(folder: Path, lat: float, lon: float) -> float:
    """SPLAT!'s point-to-point ITM loss (``-r``, ``-olditm``) to one receiver, dB."""
    with atomic_output(folder / "rx.qth", overwrite=True) as tmp:
        tmp.write_text(f"rx\n{lat:.7f}\n{-lon:.7f}\n{RX_HEIGHT_M:.2f} meters\n")
    command = ["splat", "-t", "site.qth", "-r", "rx.qth", "-metric", "-olditm", "-d", "."]
    subprocess.run(command, cwd=folder, check=True, capture_output=True)
    report = (folder / "site-to-rx.txt").read_text(errors="replace")
    return float(report.split("Longley-Rice path loss:")[1].split("dB")[0])


def splat_samples(
    elevation: np.ndarray, lat: float, lon: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """The regular samples of SPLAT!'s path from the site to (lat, lon), as its ReadPath.

    SPLAT! 1.4.2 walks the great circle of a 3,959-mile sphere from the transmitter in
    steps of ``total / hypot(dx, dy)``, where dx and dy are the longitude and latitude
    differences counted in pixels of 1/1200 degree (68,755 samples per radian, without
    a cos(latitude) factor), and reads each sample's ground from the nearest ``.sdf``
    pixel (``rint``). It then appends the destination itself, after a shorter last
    interval. Returns the regular samples' latitudes, east longitudes, ground
    elevations (m), the step (m) and the path length (m); the destination itself is not
    among the samples.
    """
    earth_miles = 3959.0
    phi0, lam0 = math.radians(SITE_LAT), math.radians(SITE_LON)
    phi1, lam1 = math.radians(lat), math.radians(lon)
    cos_d = math.sin(phi0) * math.sin(phi1) + math.cos(phi0) * math.cos(phi1) * math.cos(
        lam1 - lam0
    )
    total = math.acos(min(1.0, cos_d))  # radians of arc
    pixels = 68755.0 * math.hypot(lam1 - lam0, phi1 - phi0)
    step = total / pixels
    azimuth = math.atan2(
        math.sin(lam1 - lam0) * math.cos(phi1),
        math.cos(phi0) * math.sin(phi1) - math.sin(phi0) * math.cos(phi1) * math.cos(lam1 - lam0),
    )
    beta = step * np.arange(int(math.floor(total / step + 1e-9)) + 1)
    phi = np.arcsin(
        math.sin(phi0) * np.cos(beta) + math.cos(phi0) * np.sin(beta) * math.cos(azimuth)
    )
    lam = lam0 + np.arctan2(
        math.sin(azimuth) * np.sin(beta) * math.cos(phi0),
        np.cos(beta) - math.sin(phi0) * np.sin(phi),
    )
    lats, lons = np.degrees(phi), np.degrees(lam)
    rows = np.rint((math.ceil(SITE_LAT) - lats) * 1200.0).astype(int)
    cols = np.rint((lons - math.floor(SITE_LON)) * 1200.0).astype(int)
    metres_per_radian = earth_miles * 1609.344
    ground = elevation[rows, cols].astype(float)
    return lats, lons, ground, step * metres_per_radian, total * metres_per_radian


def previous_sample(
    lon: np.ndarray, lat: np.ndarray, *, posts_per_degree: int = 1200
) -> tuple[np.ndarray, np.ndarray]:
    """East longitude and latitude of the sample one SPLAT! step nearer the site.

    SPLAT!'s ``PlotLRPath`` computes the loss of its path sample ``y`` with
    ``elev[0] = y - 1``, which ITM reads as ``y - 1`` intervals: the profile of samples
    0 .. y-1. The value it writes at sample ``y`` is therefore the loss to the receiver
    standing on sample ``y - 1``, one step (about one pixel) nearer the transmitter.
    Its steps count pixels per radian: 68,755 at 1200 posts per degree (3"), 206,265 for
    ``splat-hd`` (3600, 1").
    """
    per_radian = round(posts_per_degree * 180.0 / math.pi)
    phi0, lam0 = math.radians(SITE_LAT), math.radians(SITE_LON)
    phi1, lam1 = np.radians(lat), np.radians(lon)
    cos_d = np.sin(phi0) * np.sin(phi1) + np.cos(phi0) * np.cos(phi1) * np.cos(lam1 - lam0)
    arc = np.arccos(np.clip(cos_d, -1.0, 1.0))
    step = arc / (per_radian * np.hypot(lam1 - lam0, phi1 - phi0))
    azimuth = np.arctan2(
        np.sin(lam1 - lam0) * np.cos(phi1),
        np.cos(phi0) * np.sin(phi1) - np.sin(phi0) * np.cos(phi1) * np.cos(lam1 - lam0),
    )
    beta = arc - step
    phi = np.arcsin(np.sin(phi0) * np.cos(beta) + np.cos(phi0) * np.sin(beta) * np.cos(azimuth))
    lam = lam0 + np.arctan2(
        np.sin(azimuth) * np.sin(beta) * np.cos(phi0), np.cos(beta) - np.sin(phi0) * np.sin(phi)
    )
    return np.degrees(lam), np.degrees(phi)


def nearest_terrain(path: Path, like: Terrain) -> Terrain:
    """The ``.hgt`` on ``like``'s grid, nearest-neighbour instead of bilinear."""
    import rasterio
    from rasterio.warp import Resampling, reproject

    grid = np.zeros(like.shape, dtype=np.float32)
    with rasterio.open(path) as source:
        reproject(
            rasterio.band(source, 1), grid, dst_transform=like.transform,
            dst_crs=like.crs.to_wkt(), resampling=Resampling.nearest,
        )  # fmt: skip
    return Terrain.from_array(
        grid, transform=like.transform, crs=like.crs, source=f"{path.name} nearest"
    )


def on_splat_samples(
    elevation: np.ndarray, points: np.ndarray, *, count: int, seed: int = 1
) -> np.ndarray:
    """ITM 1.2.2 (ours) on SPLAT!'s own samples for ``count`` random ``-ano`` points.

    Returns rows (SPLAT! loss, ours on its nearest-pixel samples, ours on the same
    positions with bilinear elevations of the ``.hgt``).
    """
    from scipy.ndimage import map_coordinates

    rng = np.random.default_rng(seed)
    rows = []
    for index in rng.choice(len(points), size=min(count, len(points)), replace=False):
        lon, lat, splat_loss, _ = points[index]
        lats, lons, ground, step_m, total_m = splat_samples(elevation, lat, lon)
        y = round(total_m / step_m)  # the -ano point is sample y of SPLAT!'s path
        if y < 2 or y > len(lats) or splat_loss <= 0.0:
            continue
        bilinear = map_coordinates(
            elevation.astype(float),
            [(math.ceil(SITE_LAT) - lats[:y]) * 1200.0, (lons[:y] - math.floor(SITE_LON)) * 1200.0],
            order=1,
        )
        losses = [
            itm_p2p_loss(profile, step_m, h_tx_m=TX_HEIGHT_M, h_rx_m=RX_HEIGHT_M, **ITM).loss_db
            for profile in (ground[:y], bilinear)
        ]
        rows.append((splat_loss, *losses))
    return np.array(rows)


def ours(terrain: Terrain, *, max_profile_points: int = 150):  # noqa: ANN201 - SiteLoss
    """Our ITM prediction for the site on ``terrain``."""
    x, y = transform_xy("EPSG:4326", terrain.crs, np.array([SITE_LON]), np.array([SITE_LAT]))
    return site_path_loss(
        terrain, float(x[0]), float(y[0]), tx_height_m=TX_HEIGHT_M, rx_height_m=RX_HEIGHT_M,
        radius_m=RADIUS_KM * 1000.0, model="itm", max_profile_points=max_profile_points, **ITM,
    )  # fmt: skip


def native_dem(folder: Path):  # noqa: ANN201 - NativeDEM
    """The ``.hgt`` on its own grid, cropped to the site's radius (and a margin)."""
    pad_lat = RADIUS_KM / 111.0 * 1.05
    pad_lon = pad_lat / math.cos(math.radians(SITE_LAT))
    return open_native_dem(
        folder / f"{TILE}.hgt",
        bounds=(SITE_LON - pad_lon, SITE_LAT - pad_lat, SITE_LON + pad_lon, SITE_LAT + pad_lat),
    )


def ours_native(dem, *, reference: bool = False) -> NativeLoss:  # noqa: ANN001 - NativeDEM
    """Our ITM on the DEM's own grid (nearest-post profiles, as SPLAT!).

    ``reference``: ITM in NTIA's order of operations (the per-post reference).
    """
    return itm_native_path_loss(
        dem, SITE_LON, SITE_LAT, tx_height_m=TX_HEIGHT_M, rx_height_m=RX_HEIGHT_M,
        radius_m=RADIUS_KM * 1000.0, reference=reference, **ITM,
    )  # fmt: skip


def match_native(result: NativeLoss, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Our native loss (dB, NaN off the window) at the posts nearest (lon, lat)."""
    row = np.floor((lat - result.transform.f) / result.transform.e).astype(int)
    col = np.floor((lon - result.transform.c) / result.transform.a).astype(int)
    rows, cols = result.shape
    inside = (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
    loss = np.full(len(lon), np.nan)
    loss[inside] = result.loss_db[row[inside], col[inside]]
    return loss


def warm_up() -> None:
    """Load the numba cache (or compile) on a tiny grid, so timings are of the work."""
    tiny = Terrain.from_array(
        np.full((41, 41), 500.0), transform=Affine(100, 0, 0, 0, -100, 4100), crs="EPSG:32648"
    )
    site_path_loss(
        tiny, 2050.0, 2050.0, tx_height_m=30.0, radius_m=2000.0, model="itm",
        frequency_mhz=900.0,
    )  # fmt: skip
    tiny_native = NativeDEM.from_array(tiny.elevation_m, transform=tiny.transform, crs=tiny.crs)
    itm_native_path_loss(
        tiny_native, 2050.0, 2050.0, tx_height_m=30.0, radius_m=1500.0, frequency_mhz=900.0
    )


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


def match(result, terrain: Terrain, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """Our loss (dB, NaN off the window) at the pixels holding (lon, lat) points."""
    x, y = transform_xy("EPSG:4326", terrain.crs, lon, lat)
    row_f, col_f = terrain.rowcol(x, y)
    row = np.floor(row_f + 0.5).astype(int) - result.row0
    col = np.floor(col_f + 0.5).astype(int) - result.col0
    rows, cols = result.shape
    inside = (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
    loss = np.full(len(lon), np.nan)
    loss[inside] = result.loss_db[row[inside], col[inside]]
    return loss


def main() -> None:
    """Run the comparison and print the figures."""
    if shutil.which("splat") is None or shutil.which("srtm2sdf") is None:
        print("SPLAT! not installed (Debian package splat): comparison skipped")
        return
    warm_up()
    with tempfile.TemporaryDirectory(prefix="bench_itm_splat_") as name:
        folder = Path(name)
        elevation = write_hgt(folder)
        write_splat_inputs(folder)
        started = time.perf_counter()
        subprocess.run(["srtm2sdf", f"{TILE}.hgt"], cwd=folder, check=True, capture_output=True)
        print(f"srtm2sdf: {time.perf_counter() - started:.2f} s (one-off conversion, not timed)")

        splat_s, splat = run_splat(folder)
        jittered = run_splat_jittered(folder)
        open_s, terrain = timed(open_terrain, folder / f"{TILE}.hgt")
        ours_s, result = timed(ours, terrain)
        full_s, full = timed(ours, terrain, max_profile_points=100_000)
        native_open_s, dem = timed(native_dem, folder)
        native_s, native = timed(ours_native, dem)
        native_reference_s, native_reference = timed(ours_native, dem, reference=True)
        x_site, y_site = transform_xy(
            "EPSG:4326", terrain.crs, np.array([SITE_LON]), np.array([SITE_LAT])
        )
        grid_reference = itm_site_path_loss(
            terrain, float(x_site[0]), float(y_site[0]), tx_height_m=TX_HEIGHT_M,
            rx_height_m=RX_HEIGHT_M, radius_m=RADIUS_KM * 1000.0, max_profile_points=150,
            reference=True, **ITM,
        )  # fmt: skip
        nearest = nearest_terrain(folder / f"{TILE}.hgt", terrain)
        nearest_result = ours(nearest)
        point_to_point = []
        for azimuth_deg, distance_km in P2P_CHECKS:
            north = distance_km * math.cos(math.radians(azimuth_deg)) / 111.2
            east = (
                distance_km
                * math.sin(math.radians(azimuth_deg))
                / (111.2 * math.cos(math.radians(SITE_LAT)))
            )
            lat, lon = SITE_LAT + north, SITE_LON + east
            splat_loss = splat_point_to_point(folder, lat, lon)
            _lats, _lons, ground, step_m, _total = splat_samples(elevation, lat, lon)
            # its report prints the last loss of PathReport's loop (y = length - 2), the
            # profile of samples 0 .. length-3: all regular samples but the last
            reference = itm_p2p_loss(
                ground[:-1], step_m, h_tx_m=TX_HEIGHT_M, h_rx_m=RX_HEIGHT_M, **ITM
            )
            point_to_point.append((azimuth_deg, distance_km, splat_loss, reference.loss_db))

    inside = np.isfinite(result.distance_m)
    n_pixels = int(inside.sum())
    print(
        f"terrain: {terrain.shape[0]}x{terrain.shape[1]} cells of {terrain.resolution_m:.0f} m "
        f"({terrain.crs.name}); radius {RADIUS_KM:.0f} km"
    )
    print(
        f"SPLAT! -olditm: {splat_s:.2f} s for {len(splat):,} points, whole command "
        f"({splat_s / len(splat) * 1e3:.4f} ms per point)"
    )
    print(
        f"ours, site_path_loss(model='itm'), terrain already open: {ours_s:.3f} s for "
        f"{n_pixels:,} pixels ({ours_s / n_pixels * 1e3:.4f} ms per receiver point; "
        "target <= 0.02)"
    )
    print(
        f"ours with open_terrain: {ours_s + open_s:.3f} s (open_terrain {open_s:.3f} s; "
        f"{(ours_s + open_s) / n_pixels * 1e3:.4f} ms per point)"
    )
    print(
        f"speed-up: {splat_s / ours_s:.1f}x call alone, {splat_s / (ours_s + open_s):.1f}x with "
        "open_terrain (target >= 10x)"
    )
    n_posts = int(np.isfinite(native.distance_m).sum())
    print(
        f"ours on the DEM's own grid, itm_native_path_loss (nearest post, as SPLAT!): "
        f"{native_s:.3f} s for {n_posts:,} posts ({native_s / n_posts * 1e3:.4f} ms per point); "
        f"{native_s + native_open_s:.3f} s with open_native_dem"
    )
    print(
        f"speed-up on the DEM's own grid: {splat_s / native_s:.1f}x call alone, "
        f"{splat_s / (native_s + native_open_s):.1f}x with open_native_dem (target >= 10x; "
        f"ours on {numba.get_num_threads()} threads, SPLAT! on 1: per thread "
        f"{splat_s / (native_s * numba.get_num_threads()):.1f}x)"
    )

    print(
        f"ours in NTIA's order of operations (reference=True, the per-post reference): "
        f"{native_reference_s:.3f} s on the DEM's own grid, {splat_s / native_reference_s:.1f}x "
        f"SPLAT!; the default (fast) is {native_reference_s / native_s:.2f}x faster"
    )
    for label, fast, reference in (
        ("DEM's own grid", native, native_reference),
        ("coverage grid", result, grid_reference),
    ):
        same = np.isfinite(fast.loss_db) & np.isfinite(reference.loss_db)
        print(
            f"  fast vs reference, {label}: max |difference| "
            f"{np.max(np.abs(fast.loss_db[same] - reference.loss_db[same])):.4f} dB over "
            f"{int(same.sum()):,} pixels (target <= 0.01), same validity: "
            f"{np.array_equal(fast.validity, reference.validity)}"
        )
    print(
        "same path, SPLAT! point-to-point (-r, -olditm) vs ITM 1.2.2 (coverage.physics.itm.p2p) on the"
    )
    print("samples SPLAT! feeds ITM (its ReadPath, nearest pixel, receiver's last sample dropped):")
    for azimuth_deg, distance_km, splat_loss, reference_loss in point_to_point:
        print(
            f"  az {azimuth_deg:5.1f} deg {distance_km:4.1f} km: SPLAT! {splat_loss:7.2f} dB, "
            f"ITM {reference_loss:7.2f} dB, difference {reference_loss - splat_loss:+6.2f} dB"
        )
    gaps = np.array([abs(ref - spl) for _, _, spl, ref in point_to_point])
    print(f"  median |difference|: {np.median(gaps):.2f} dB, largest {np.max(gaps):.2f} dB")

    samples = on_splat_samples(elevation, splat, count=SAMPLE_CHECKS)
    print(
        describe(
            f"area points, ours on SPLAT!'s own samples ({len(samples)} random -ano points)",
            samples[:, 1] - samples[:, 0],
        )
    )
    print(
        describe(
            "  same positions, bilinear .hgt elevations instead of nearest pixel",
            samples[:, 2] - samples[:, 0],
        )
    )

    # SPLAT!'s value at sample y is the loss at sample y-1 (see previous_sample)
    valid = splat[:, 2] > 0.0
    where = previous_sample(splat[:, 0], splat[:, 1])
    for label, grid, prediction in (
        ("ours (open_terrain, bilinear) vs SPLAT!", terrain, result),
        ("ours on the .hgt resampled nearest-neighbour vs SPLAT!", nearest, nearest_result),
    ):
        our_loss = match(prediction, grid, *where)
        both = valid & np.isfinite(our_loss)
        differences = our_loss[both] - splat[both, 2]
        print(describe(f"|{label}|", differences) + "  (target median <= 1 dB)")
    keys, losses = by_post(splat)
    keys_j, losses_j = by_post(jittered)
    _, mine, theirs = np.intersect1d(keys, keys_j, return_indices=True)
    print(
        describe(
            "|SPLAT! vs SPLAT! with its site a quarter post away| (its own noise floor here)",
            losses_j[theirs] - losses[mine],
        )
    )
    native_loss = match_native(native, *where)
    both = valid & np.isfinite(native_loss)
    print(
        describe(
            "|ours on the DEM's own grid (nearest post) vs SPLAT!|",
            native_loss[both] - splat[both, 2],
        )
        + "  (target median <= 1 dB)"
    )
    unshifted = match(result, terrain, splat[:, 0], splat[:, 1])
    both = valid & np.isfinite(unshifted)
    print(
        describe(
            "  (ours vs SPLAT! at SPLAT!'s written position, off-by-one not undone)",
            unshifted[both] - splat[both, 2],
        )
    )

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
    print(
        f"ITM warnings: {np.mean((result.validity[inside] & Validity.ITM_WARNING) > 0):.0%} of "
        "our pixels"
    )
    one_arc_second()


def one_arc_second() -> None:
    """The 1" case: ``splat-hd`` against ``itm_native_path_loss`` (:mod:`benchmarks.itm_splat_hd`)."""
    if shutil.which("splat-hd") is None or shutil.which("srtm2sdf-hd") is None:
        print('splat-hd not installed (Debian package splat): the 1" comparison skipped')
        return
    with tempfile.TemporaryDirectory(prefix="bench_itm_splat_hd_") as name:
        folder = Path(name)
        write_splat_inputs(folder)
        itm_splat_hd.run(
            folder, site=(SITE_LON, SITE_LAT), radius_km=RADIUS_KM,
            heights=(TX_HEIGHT_M, RX_HEIGHT_M), itm=ITM, seed=2024, relief_m=RELIEF_M,
            previous_sample=previous_sample, match_native=match_native, read_ano=read_ano,
            describe=describe,
        )  # fmt: skip


REGRESSION_TOLERANCE_DB = 0.01


def regression(*, save: Path | None = None, compare: Path | None = None) -> int:
    """Save or compare our ITM losses and validity on the benchmark DEM; exit status."""
    warm_up()
    with tempfile.TemporaryDirectory(prefix="bench_itm_regression_") as name:
        write_hgt(Path(name))
        terrain = open_terrain(Path(name) / f"{TILE}.hgt")
    seconds, result = timed(ours, terrain)
    pixels = int(np.isfinite(result.distance_m).sum())
    print(f"ours: {seconds:.3f} s for {pixels:,} pixels ({seconds / pixels * 1e6:.2f} us each)")
    if save is not None:
        with atomic_output(save, overwrite=True) as tmp, tmp.open("wb") as handle:
            np.savez(handle, loss_db=result.loss_db, validity=result.validity)
        print(f"saved {save}")
    if compare is None:
        return 0
    reference = np.load(compare)
    before, after = reference["loss_db"].astype(float), result.loss_db.astype(float)
    same_pixels = np.array_equal(np.isfinite(before), np.isfinite(after))
    same_flags = np.array_equal(reference["validity"], result.validity)
    both = np.isfinite(before) & np.isfinite(after)
    largest = float(np.max(np.abs(after[both] - before[both]), initial=0.0))
    identical = np.array_equal(before[both], after[both])
    print(
        f"vs {compare}: {int(both.sum()):,} pixels, max |difference| {largest:.3g} dB "
        f"(bit-identical: {identical}), same pixels with a loss: {same_pixels}, "
        f"same validity: {same_flags}"
    )
    return 0 if same_pixels and same_flags and largest <= REGRESSION_TOLERANCE_DB else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--save", type=Path, help="write our losses to this .npz")
    parser.add_argument("--compare", type=Path, help="compare our losses with this .npz")
    options = parser.parse_args()
    if options.save is None and options.compare is None:
        main()
    else:
        sys.exit(regression(save=options.save, compare=options.compare))
