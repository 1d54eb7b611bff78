"""ITM's fast order of operations (coverage.physics.itm.fast) against NTIA's own order.

The reference is ``fast=False`` (``reference=True`` on the area functions): the per-pixel
computation as NTIA orders it. The fast path must give the same losses to 0.01 dB and
the same warning bits, on random profiles and on both grids of the area kernels.
"""

from __future__ import annotations

import numpy as np
import pytest
from affine import Affine

from coverage.physics.itm.environment import ItmEnvironment
from coverage.physics.itm.fast import (
    DELTA_H_SAMPLES,
    least_squares_fit,
    resample_window,
    window_moments,
    window_sum,
)
from coverage.physics.itm.p2p import _least_squares_fit, itm_p2p_detail
from coverage.radial.itm_grid import itm_site_path_loss
from coverage.radial.itm_native import itm_native_path_loss
from coverage.terrain import NativeDEM, Terrain

TOLERANCE_DB = 0.01
ENVIRONMENT = ItmEnvironment()


def _fractal(size: int, seed: int, relief_m: float) -> np.ndarray:
    """Fractal mountains (spectral synthesis, power ~ f^-3.2), 100 m to 100 + relief."""
    rng = np.random.default_rng(seed)
    freq = np.hypot(np.fft.fftfreq(size)[:, None], np.fft.fftfreq(size)[None, :])
    freq[0, 0] = 1.0
    spectrum = (rng.normal(size=(size, size)) + 1j * rng.normal(size=(size, size))) * freq**-1.6
    spectrum[0, 0] = 0.0
    surface = np.fft.ifft2(spectrum).real
    return np.rint(100.0 + (surface - surface.min()) / np.ptp(surface) * relief_m)


def _random_profile(rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """A random walk (mountains), a ridge, a flat or a staircase profile, and its step."""
    n = int(rng.integers(2, 800))
    kind = rng.integers(4)
    if kind == 0:
        z = np.cumsum(rng.normal(0.0, rng.uniform(1.0, 60.0), n + 1)) + 1_000.0
    elif kind == 1:
        x = np.arange(n + 1)
        z = 300.0 + 600.0 * np.exp(-(((x - rng.uniform(0, n)) / max(n / 8, 1.0)) ** 2))
    elif kind == 2:
        z = np.full(n + 1, 250.0)
    else:
        z = np.floor(np.cumsum(rng.normal(0.0, 30.0, n + 1)) / 10.0) * 10.0 + 800.0
    return z, float(rng.uniform(10.0, 120.0))


@pytest.mark.parametrize("seed", range(4))
def test_fast_p2p_matches_the_reference_on_random_profiles(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(500):
        z, step = _random_profile(rng)
        h_tx = float(rng.choice([10.0, 30.0, 60.0]))
        args = (z, step, h_tx, 1.5, 900.0, *ENVIRONMENT.kernel_args, None)
        reference = itm_p2p_detail(*args, False)
        fast = itm_p2p_detail(*args, True)
        assert reference[1:4] == fast[1:4]  # warnings, error, mode
        if np.isnan(reference[0]):
            assert np.isnan(fast[0])
            continue
        assert abs(fast[0] - reference[0]) <= TOLERANCE_DB
        # every intermediate value: the same up to rounding
        np.testing.assert_allclose(fast[4:], reference[4:], rtol=1e-9, atol=1e-9)


def test_sums_and_fits_match_plain_loops() -> None:
    rng = np.random.default_rng(11)
    for n in (1, 2, 3, 4, 5, 7, 8, 33, 244, 667):
        z = rng.normal(500.0, 300.0, n + 1)
        assert window_sum(z, 0, n + 1) == pytest.approx(z.sum(), rel=1e-13)
        assert window_sum(z, 1, n) == pytest.approx(z[1:n].sum(), rel=1e-12, abs=1e-9)
        total, squares = window_moments(z, n + 1)
        assert (total, squares) == pytest.approx((z.sum(), (z * z).sum()), rel=1e-13)
        for d_start, d_end in ((0.0, float(n)), (0.4, n - 0.7), (0.0, 0.3)):
            np.testing.assert_allclose(
                least_squares_fit(z, n, 1.0, d_start, d_end),
                _least_squares_fit(z, n, 1.0, d_start, d_end),
                rtol=1e-11,
                atol=1e-8,
            )


def test_direct_resampling_matches_ntias_walk() -> None:
    rng = np.random.default_rng(5)
    ours, ntia = np.empty(DELTA_H_SAMPLES), np.empty(DELTA_H_SAMPLES)
    for _ in range(300):
        n = int(rng.integers(3, 900))
        z = np.cumsum(rng.normal(0.0, 30.0, n + 1))
        step = float(rng.uniform(10.0, 100.0))
        d_start = float(rng.uniform(0.0, 0.2)) * n * step
        d_end = n * step - float(rng.uniform(0.0, 0.2)) * n * step
        count, p10 = resample_window(z, step, d_start, d_end, ours)
        assert (count, p10) == resample_window(z, step, d_start, d_end, ntia, False)
        np.testing.assert_allclose(ours[:count], ntia[:count], rtol=0, atol=1e-9)
    # a window under two steps has no Delta h
    assert resample_window(np.zeros(10), 1.0, 3.0, 4.5, ours) == (0, 0)


def _assert_same_map(fast, reference) -> None:  # noqa: ANN001 - SiteLoss / NativeLoss
    inside = np.isfinite(reference.distance_m)
    assert np.array_equal(np.isfinite(fast.loss_db), np.isfinite(reference.loss_db))
    both = inside & np.isfinite(reference.loss_db)
    assert both.sum() > 1_000
    assert np.max(np.abs(fast.loss_db[both] - reference.loss_db[both])) <= TOLERANCE_DB
    assert np.array_equal(fast.validity, reference.validity)


@pytest.mark.parametrize("arc_seconds", [1.0, 3.0])
def test_native_grid_fast_matches_the_reference(arc_seconds: float) -> None:
    size = 301
    degrees = arc_seconds / 3600.0
    half = size // 2
    dem = NativeDEM.from_array(
        _fractal(size, seed=int(arc_seconds), relief_m=1_800.0),
        transform=Affine(degrees, 0, 103.5 - half * degrees, 0, -degrees, 22.5 + half * degrees),
        crs="EPSG:4326",
    )
    radius = 0.95 * half * degrees * 111_000.0 * np.cos(np.radians(22.6))
    # a site on a post, and one a fraction of a post off it
    for lon, lat in ((103.5, 22.5), (103.5 + 0.37 * degrees, 22.5 - 0.21 * degrees)):
        options = {"tx_height_m": 30.0, "frequency_mhz": 900.0, "radius_m": float(radius)}
        fast = itm_native_path_loss(dem, lon, lat, **options)
        reference = itm_native_path_loss(dem, lon, lat, **options, reference=True)
        _assert_same_map(fast, reference)


@pytest.mark.parametrize("max_profile_points", [150, 100_000])
def test_coverage_grid_fast_matches_the_reference(max_profile_points: int) -> None:
    terrain = Terrain.from_array(
        _fractal(241, seed=9, relief_m=2_200.0),
        transform=Affine(60.0, 0, 300_000.0, 0, -60.0, 2_500_000.0),
        crs="EPSG:32648",
    )
    x, y = 300_000.0 + 120.5 * 60.0, 2_500_000.0 - 120.5 * 60.0
    options = {
        "tx_height_m": 40.0,
        "frequency_mhz": 1800.0,
        "radius_m": 7_000.0,
        "max_profile_points": max_profile_points,
    }
    fast = itm_site_path_loss(terrain, x, y, **options)
    reference = itm_site_path_loss(terrain, x, y, **options, reference=True)
    _assert_same_map(fast, reference)
