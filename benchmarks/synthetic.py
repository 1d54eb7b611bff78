"""Synthetic terrain and sites shared by the benchmarks.

Fractal mountains built by spectral synthesis (power spectrum ~ f^-beta), on a 30 m
UTM zone 48N grid near Lào Cai, scaled to the province's relief (valleys near 100 m,
peaks above 3,000 m around Fansipan).
"""

from __future__ import annotations

import numpy as np
from affine import Affine

from coverage.terrain import Terrain

UTM48N = "EPSG:32648"
ORIGIN_X_M = 330_000.0  # west edge, UTM 48N (about 104.0 E)
ORIGIN_Y_M = 2_530_000.0  # north edge (about 22.9 N)


def rough_elevation(
    size: int, *, seed: int = 2024, relief_m: float = 2_800.0, beta: float = 3.2
) -> np.ndarray:
    """float32 (size, size) fractal mountains from 100 m to ``100 + relief_m`` m.

    Examples
    --------
    >>> z = rough_elevation(64, seed=1)
    >>> z.dtype, float(z.min()), round(float(z.max()))
    (dtype('float32'), 100.0, 2900)
    """
    rng = np.random.default_rng(seed)
    freq = np.hypot(np.fft.fftfreq(size)[:, None], np.fft.fftfreq(size)[None, :])
    freq[0, 0] = 1.0
    noise = rng.normal(size=(size, size)) + 1j * rng.normal(size=(size, size))
    spectrum = noise * freq ** (-beta / 2)
    spectrum[0, 0] = 0.0
    surface = np.fft.ifft2(spectrum).real
    surface = (surface - surface.min()) / np.ptp(surface) * relief_m + 100.0
    return surface.astype(np.float32)


def rough_terrain(size: int, *, cell_m: float = 30.0, seed: int = 2024) -> Terrain:
    """:func:`rough_elevation` as a :class:`Terrain` on a UTM 48N grid."""
    return Terrain.from_array(
        rough_elevation(size, seed=seed),
        transform=Affine(cell_m, 0, ORIGIN_X_M, 0, -cell_m, ORIGIN_Y_M),
        crs=UTM48N,
        source=f"synthetic {size}x{size} fractal DEM",
    )


def central_sites(
    terrain: Terrain, count: int, *, margin_m: float, seed: int = 7
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random sites at cell centres, at least ``margin_m`` inside every edge.

    Returns x and y in the terrain CRS.
    """
    rows, cols = terrain.shape
    margin = int(np.ceil(margin_m / terrain.resolution_m)) + 1
    if rows - 2 * margin <= 0 or cols - 2 * margin <= 0:
        raise ValueError(f"terrain {rows}x{cols} too small for a {margin_m} m margin")
    rng = np.random.default_rng(seed)
    row = rng.integers(margin, rows - margin, count)
    col = rng.integers(margin, cols - margin, count)
    return terrain.xy(row, col)
