"""The 1-arc-second case of ``bench_itm_splat``: ITM on the DEM's own grid vs ``splat-hd``.

One synthetic SRTM1-like tile (N22E103: 3601 x 3601 big-endian int16 at 1 arc-second,
about 30 m, the same fractal relief as the 3" case) converted with ``srtm2sdf-hd``;
``splat-hd -t site.qth -L 1.5 -R 20 -metric -olditm -N -ano splat.ano -o map.ppm``
(SPLAT! 1.4.2's high-definition build: ITM 1.2.2 on 3600 posts per degree) against
:func:`coverage.radial.itm_native.itm_native_path_loss` (``phusong itm-loss``) with
``open_native_dem``, as the 3" case runs them. Printed: both wall times (best of
``REPEATS``) and their ratio (target 10x), ours with NTIA's order of operations
(``reference=True``, the per-post reference) and the largest difference between the
two, and the agreement with SPLAT! (its off-by-one undone, as the 3" case explains).
"""

from __future__ import annotations

import math
import subprocess
import time
from pathlib import Path

import numpy as np

from benchmarks.synthetic import rough_elevation
from coverage.io.dem import open_native_dem
from coverage.io.files import atomic_output
from coverage.radial.itm_native import NativeLoss, itm_native_path_loss

TILE = "N22E103"
TILE_SIZE = 3601  # SRTM1: 1 arc-second
POSTS_PER_DEGREE = 3600
REPEATS = 2


def write_hgt(folder: Path, *, seed: int, relief_m: float) -> None:
    """The synthetic 1" tile ``N22E103.hgt`` (big-endian int16, row 0 at 23 N)."""
    elevation = np.rint(rough_elevation(TILE_SIZE, seed=seed, relief_m=relief_m))
    with atomic_output(folder / f"{TILE}.hgt") as tmp:
        elevation.astype(">i2").tofile(tmp)


def best_of(repeats: int, function, *args, **kwargs):  # noqa: ANN001, ANN201 - helper
    """Best wall time of ``repeats`` calls, and the last result."""
    best = math.inf
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function(*args, **kwargs)
        best = min(best, time.perf_counter() - started)
    return best, result


def run(
    folder: Path,
    *,
    site: tuple[float, float],
    radius_km: float,
    heights: tuple[float, float],
    itm: dict,
    seed: int,
    relief_m: float,
    previous_sample,  # noqa: ANN001 - bench_itm_splat.previous_sample
    match_native,  # noqa: ANN001 - bench_itm_splat.match_native
    read_ano,  # noqa: ANN001 - bench_itm_splat.read_ano
    describe,  # noqa: ANN001 - bench_itm_splat.describe
) -> None:
    """Run the 1" comparison in ``folder`` (which holds ``site.qth`` and ``site.lrp``)."""
    lon, lat = site
    tx_height, rx_height = heights
    write_hgt(folder, seed=seed, relief_m=relief_m)
    started = time.perf_counter()
    subprocess.run(["srtm2sdf-hd", f"{TILE}.hgt"], cwd=folder, check=True, capture_output=True)
    print(f"srtm2sdf-hd: {time.perf_counter() - started:.2f} s (one-off conversion, not timed)")
    command = [
        "splat-hd", "-t", "site.qth", "-L", f"{rx_height}", "-R", f"{radius_km}", "-metric",
        "-olditm", "-N", "-ano", "splat.ano", "-o", "map.ppm", "-d", ".",
    ]  # fmt: skip
    splat_s, _ = best_of(
        REPEATS, subprocess.run, command, cwd=folder, check=True, capture_output=True
    )
    splat = read_ano(folder / "splat.ano")

    pad_lat = radius_km / 111.0 * 1.05
    pad_lon = pad_lat / math.cos(math.radians(lat))
    bounds = (lon - pad_lon, lat - pad_lat, lon + pad_lon, lat + pad_lat)

    def ours(*, reference: bool = False) -> NativeLoss:
        dem = open_native_dem(folder / f"{TILE}.hgt", bounds=bounds)
        return itm_native_path_loss(
            dem, lon, lat, tx_height_m=tx_height, rx_height_m=rx_height,
            radius_m=radius_km * 1000.0, reference=reference, **itm,
        )  # fmt: skip

    ours_s, native = best_of(REPEATS, ours)
    reference_s, reference = best_of(1, ours, reference=True)
    posts = int(np.isfinite(native.distance_m).sum())
    print(
        f'1": SPLAT! 1.4.2 splat-hd -olditm, whole command: {splat_s:.2f} s for {len(splat):,} '
        f"points ({splat_s / len(splat) * 1e3:.4f} ms per point)"
    )
    print(
        f'1": ours, itm_native_path_loss with open_native_dem: {ours_s:.2f} s for {posts:,} '
        f"posts ({ours_s / posts * 1e3:.4f} ms per point); speed-up {splat_s / ours_s:.1f}x "
        "(target >= 10x)"
    )
    both = np.isfinite(native.loss_db) & np.isfinite(reference.loss_db)
    largest = float(np.max(np.abs(native.loss_db[both] - reference.loss_db[both])))
    print(
        f"1\": ours in NTIA's order (reference=True, the per-post reference): "
        f"{reference_s:.2f} s, {splat_s / reference_s:.1f}x SPLAT!; fast vs reference: "
        f"max |difference| {largest:.4f} dB over {int(both.sum()):,} posts (target <= 0.01), "
        f"same validity: {np.array_equal(native.validity, reference.validity)}"
    )
    valid = splat[:, 2] > 0.0
    where = previous_sample(splat[:, 0], splat[:, 1], posts_per_degree=POSTS_PER_DEGREE)
    native_loss = match_native(native, *where)
    both = valid & np.isfinite(native_loss)
    print(
        describe(
            "1\": |ours on the DEM's own grid (nearest post) vs splat-hd|",
            native_loss[both] - splat[both, 2],
        )
    )
