"""Diffraction-model time per site for a 1,000-site province, against per-profile Bullington.

One synthetic rough DEM (30 m cells, fractal mountains of 2,800 m relief); a sample of
sites at least 20 km inside its edges; :func:`coverage.model.site_path_loss` with the
``"diffraction"`` model (free space + Bullington over the terrain) at 20 km radius,
timed warm and extrapolated to 1,000 sites. Target: at most 0.5 s per site.

The named peer, measured in the same run on the same terrain: the per-profile reference
:func:`coverage.physics.diffraction.bullington_loss_db` (O(n) per receiver) applied pixel by
pixel to the very same radial profiles on a random subset of one site's pixels, its
per-pixel cost extrapolated to the whole disc. The two must agree (max difference shown).

Run ``python -m benchmarks engine``.
"""

from __future__ import annotations

import math
import time

import numba
import numpy as np

from benchmarks.synthetic import central_sites, rough_terrain
from coverage.model import site_path_loss
from coverage.physics.diffraction import bullington_loss_db
from coverage.physics.free_space import free_space_loss_db
from coverage.radial.plan import nearest_ray_plan, walk_samples
from coverage.settings import EARTH_RADIUS_M, OVERSAMPLE

SIZE = 1_600
N_SITES = 8
PROVINCE_SITES = 1_000
RADIUS_M = 20_000.0
TX_HEIGHT_M = 30.0
RX_HEIGHT_M = 1.5
FREQUENCY_MHZ = 900.0
K_FACTOR = 4.0 / 3.0
PEER_PIXELS = 3_000
TARGET_S = 0.5


@numba.njit(cache=True)
def _reference_losses(elevation, row0, col0, cell_m, plan_arrays, picks):
    """FSPL + bullington_loss_db on each picked pixel's radial profile (the peer)."""
    ray_dx, ray_dy, n_steps, ray_start, cell_drow, cell_dcol, cell_step, cell_ray = plan_arrays
    rows, cols = elevation.shape
    flat = elevation.ravel()
    out = np.empty(len(picks))
    xs = np.empty(2 * n_steps + 2)
    ground = np.empty(2 * n_steps + 2)
    at_step = np.empty(n_steps, np.int64)
    z_tx = elevation[row0, col0] + TX_HEIGHT_M
    for p in range(len(picks)):
        j = picks[p]
        ray = cell_ray[j]
        walk_samples(flat, rows, cols, row0, col0, ray_dx[ray], ray_dy[ray], cell_m, xs,
                      ground, at_step)  # fmt: skip
        count = at_step[cell_step[j]]
        row, col = row0 + cell_drow[j], col0 + cell_dcol[j]
        total = math.sqrt(float(cell_drow[j] ** 2 + cell_dcol[j] ** 2)) * cell_m
        distances = np.empty(count + 2)
        heights = np.empty(count + 2)
        distances[0] = 0.0
        heights[0] = elevation[row0, col0]
        distances[1 : count + 1] = xs[:count]
        heights[1 : count + 1] = ground[:count]
        distances[count + 1] = total
        heights[count + 1] = elevation[row, col]
        diffraction = bullington_loss_db(
            distances, heights, TX_HEIGHT_M, RX_HEIGHT_M, FREQUENCY_MHZ, K_FACTOR
        )
        rise = (
            elevation[row, col]
            + RX_HEIGHT_M
            - total * total / (2 * K_FACTOR * EARTH_RADIUS_M)
            - z_tx
        )
        slant = math.sqrt(total * total + rise * rise)
        out[p] = free_space_loss_db(slant, FREQUENCY_MHZ) + diffraction
    return out


def main() -> None:
    terrain = rough_terrain(SIZE, seed=11)
    xs, ys = central_sites(terrain, N_SITES, margin_m=RADIUS_M)
    options = {
        "tx_height_m": TX_HEIGHT_M,
        "rx_height_m": RX_HEIGHT_M,
        "frequency_mhz": FREQUENCY_MHZ,
        "radius_m": RADIUS_M,
        "model": "diffraction",
        "k_factor": K_FACTOR,
    }
    site_path_loss(terrain, xs[0], ys[0], **options)  # warm: compile cache, ray plan
    started = time.perf_counter()
    results = [site_path_loss(terrain, x, y, **options) for x, y in zip(xs, ys, strict=True)]
    ours_per_site = (time.perf_counter() - started) / N_SITES
    pixels = int(np.isfinite(results[0].loss_db).sum())

    # the peer on the first site's own radial profiles
    radius_cells = RADIUS_M / terrain.resolution_m
    plan = nearest_ray_plan(radius_cells, OVERSAMPLE)
    ray_dx, ray_dy, n_steps, ray_start, drow, dcol, step = plan
    cell_ray = np.repeat(np.arange(len(ray_dx)), np.diff(ray_start))
    picks = np.random.default_rng(3).choice(len(drow), PEER_PIXELS, replace=False)
    row_f, col_f = terrain.rowcol(xs[0], ys[0])
    row0, col0 = int(np.rint(row_f)), int(np.rint(col_f))
    elevation = np.ascontiguousarray(terrain.elevation_m)
    plan_arrays = (*plan, cell_ray)
    _reference_losses(elevation, row0, col0, terrain.resolution_m, plan_arrays, picks[:10])
    started = time.perf_counter()
    reference = _reference_losses(elevation, row0, col0, terrain.resolution_m, plan_arrays, picks)
    peer_per_pixel = (time.perf_counter() - started) / PEER_PIXELS
    ours = results[0].loss_db[
        row0 + drow[picks] - results[0].row0, col0 + dcol[picks] - results[0].col0
    ]
    worst = float(np.nanmax(np.abs(ours - reference)))
    peer_per_site = peer_per_pixel * pixels

    print(
        f"diffraction model (FSPL + Bullington), radius {RADIUS_M / 1000:.0f} km, "
        f"{terrain.resolution_m:.0f} m cells, {pixels:,} pixels per site, "
        f"{numba.get_num_threads()} threads; {N_SITES} sites timed"
    )
    print(f"{'':48s}{'s / site':>10s}{f'{PROVINCE_SITES} sites':>12s}")
    print(f"{'ours: site_path_loss (incremental, O(log n))':48s}{ours_per_site:10.3f}"
          f"{ours_per_site * PROVINCE_SITES / 60:10.1f} min")  # fmt: skip
    print(f"{'peer: bullington_loss_db per pixel (O(n))':48s}{peer_per_site:10.1f}"
          f"{peer_per_site * PROVINCE_SITES / 3600:10.1f} h")  # fmt: skip
    print(f"target <= {TARGET_S} s/site: {'met' if ours_per_site <= TARGET_S else 'NOT met'}; "
          f"speed-up over the peer {peer_per_site / ours_per_site:.0f}x; "
          f"max |ours - peer| on {PEER_PIXELS} pixels: {worst:.4f} dB")  # fmt: skip


if __name__ == "__main__":
    main()
