"""Tests of coverage.radial.path_loss: incremental Bullington vs the per-profile reference, grids."""

from __future__ import annotations

import math

import numpy as np
import pytest
from affine import Affine
from hypothesis import given, settings, strategies as st

from coverage.errors import CoverageWarning, TerrainError
from coverage.model import site_path_loss
from coverage.physics.diffraction import bullington_loss_db
from coverage.physics.free_space import free_space_loss_db
from coverage.physics.hata import hata_loss_db
from coverage.physics.ranges import hata_validity_flags
from coverage.radial.path_loss import bullington_prefix_losses
from coverage.radial.plan import nearest_ray_plan, walk_samples
from coverage.radial.viewshed import viewshed
from coverage.settings import EARTH_RADIUS_M
from coverage.terrain import Terrain
from coverage.validity import Validity

CELL_M = 30.0


def make_terrain(elevation: np.ndarray, cell_m: float = CELL_M) -> Terrain:
    rows = elevation.shape[0]
    return Terrain.from_array(
        np.asarray(elevation, dtype=np.float32),
        transform=Affine(cell_m, 0, 0, 0, -cell_m, rows * cell_m),
        crs="EPSG:32648",
    )


def rough_terrain(size: int, seed: int, *, relief_m: float, beta: float = 3.2) -> np.ndarray:
    """Fractal (spectral-synthesis) mountains, float32 metres."""
    rng = np.random.default_rng(seed)
    freq = np.hypot(np.fft.fftfreq(size)[:, None], np.fft.fftfreq(size)[None, :])
    freq[0, 0] = 1.0
    noise = rng.normal(size=(size, size)) + 1j * rng.normal(size=(size, size))
    spectrum = noise * freq ** (-beta / 2)
    spectrum[0, 0] = 0.0
    surface = np.fft.ifft2(spectrum).real
    return ((surface - surface.min()) / np.ptp(surface) * relief_m).astype(np.float32)


# ------------------------------------------------- incremental vs per-profile Bullington


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(2, 120),
    roughness=st.floats(0.0, 60.0),
    h_tx=st.floats(1.0, 80.0),
    h_rx=st.floats(1.0, 10.0),
    frequency=st.floats(150.0, 3000.0),
    k_factor=st.floats(0.5, 4.0),
)
def test_incremental_bullington_equals_the_profile_reference(
    seed, n, roughness, h_tx, h_rx, frequency, k_factor
):
    rng = np.random.default_rng(seed)
    distances = np.concatenate([[0.0], np.cumsum(rng.uniform(5.0, 300.0, n))])
    heights = 500.0 + np.cumsum(rng.normal(0.0, roughness, n + 1))
    ours = bullington_prefix_losses(distances, heights, h_tx, h_rx, frequency, k_factor)
    for j in range(1, n + 1):
        reference = bullington_loss_db(
            distances[: j + 1], heights[: j + 1], h_tx, h_rx, frequency, k_factor
        )
        # one earth radius (coverage.settings): the two differ by rounding only
        assert ours[j] == pytest.approx(reference, abs=1e-9), j


def test_incremental_bullington_single_knife_edge_source_value():
    """One 30 m edge midway on 10 km at 900 MHz: v = 0.937 by P.526 eq. (26), J = 12.4 dB."""
    distances = np.array([0.0, 5000.0, 10000.0])
    heights = np.array([0.0, 30.0, 0.0])
    loss = bullington_prefix_losses(distances, heights, 30.0, 1.5, 900.0, 1e6)[2]
    wavelength = 299_792_458.0 / 900e6
    clearance = 30.0 - (30.0 + 1.5) / 2
    v = clearance * math.sqrt(2 / wavelength * (1 / 5000 + 1 / 5000))
    expected = 6.9 + 20 * math.log10(math.sqrt((v - 0.1) ** 2 + 1) + v - 0.1)
    assert loss == pytest.approx(expected, abs=0.05)


# ------------------------------------------------------------------------ grid results


@pytest.fixture(scope="module")
def mountains() -> Terrain:
    return make_terrain(rough_terrain(161, seed=11, relief_m=600.0))


def test_each_pixel_matches_the_reference_on_its_own_radial_profile(mountains):
    """Rebuild a pixel's profile from its ray and compare with bullington_loss_db."""
    row0 = col0 = 80
    x, y = mountains.xy(row0, col0)
    result = site_path_loss(
        mountains, x, y, tx_height_m=30.0, frequency_mhz=900.0, radius_m=70 * CELL_M
    )

    ray_dx, ray_dy, n_steps, ray_start, drow, dcol, step = nearest_ray_plan(70.0, 2.0)
    elevation = np.ascontiguousarray(mountains.elevation_m)
    rng = np.random.default_rng(0)
    checked = 0
    for ray in rng.choice(len(ray_dx), 25, replace=False):
        xs = np.empty(2 * n_steps + 2)
        ground = np.empty(2 * n_steps + 2)
        at_step = np.empty(n_steps, np.int64)
        walk_samples(
            elevation.ravel(), 161, 161, row0, col0, ray_dx[ray], ray_dy[ray], CELL_M,
            xs, ground, at_step,
        )  # fmt: skip
        for j in range(ray_start[ray], ray_start[ray + 1], 3):
            count = at_step[step[j]]
            r, c = row0 + drow[j], col0 + dcol[j]
            total = math.hypot(drow[j], dcol[j]) * CELL_M
            distances = np.concatenate([[0.0], xs[:count], [total]])
            heights = np.concatenate(
                [[elevation[row0, col0]], ground[:count], [elevation[r, c]]]
            ).astype(float)
            diffraction = bullington_loss_db(distances, heights, 30.0, 1.5, 900.0, 4 / 3)
            rise = (
                elevation[r, c]
                + 1.5
                - 1.0 * total**2 / (2 * 4 / 3 * EARTH_RADIUS_M)
                - (elevation[row0, col0] + 30.0)
            )
            expected = free_space_loss_db(math.hypot(total, rise), 900.0) + diffraction
            assert result.loss_db[r - result.row0, c - result.col0] == pytest.approx(
                expected, abs=1e-3
            )
            checked += 1
    assert checked > 100


def test_line_of_sight_agrees_with_the_viewshed(mountains):
    x, y = mountains.xy(80, 80)
    result = site_path_loss(
        mountains, x, y, tx_height_m=25.0, frequency_mhz=900.0, radius_m=70 * CELL_M
    )
    vis = viewshed(mountains, x, y, tx_height_m=25.0, radius_m=70 * CELL_M)
    window = vis[result.row0 :, result.col0 :][: result.shape[0], : result.shape[1]]
    inside = window != 255
    np.testing.assert_array_equal(inside, result.line_of_sight != 255)
    agreement = (window[inside] == result.line_of_sight[inside]).mean()
    assert agreement > 0.98  # nearest-ray profiles vs the interpolated viewshed
    # and diffraction adds loss only where the path is obstructed or nearly so
    excess = result.loss_db - free_space_loss_db(result.distance_m.astype(float), 900.0)
    assert np.nanmin(excess) > -0.05
    assert np.nanmedian(excess[result.line_of_sight == 0]) > 6.0


def test_flat_ground_diffraction_equals_free_space():
    terrain = make_terrain(np.zeros((81, 81)))
    x, y = terrain.xy(40, 40)
    result = site_path_loss(terrain, x, y, tx_height_m=30.0, frequency_mhz=900.0,
                            radius_m=40 * CELL_M)  # fmt: skip
    inside = np.isfinite(result.loss_db)
    slant = np.hypot(result.distance_m, 28.5)
    expected = free_space_loss_db(slant.astype(float), 900.0)
    # over 1.2 km of flat ground the first Fresnel zone stays clear: J(v) = 0
    np.testing.assert_allclose(result.loss_db[inside], expected[inside], atol=0.05)
    assert (result.line_of_sight[inside] == 1).all()


def test_hata_uses_the_effective_base_height_along_each_radial():
    """Site on a 200 m plateau over a plain: h_eff = mast + 200 m beyond 3 km."""
    size, cell_m = 321, 60.0
    elevation = np.zeros((size, size))
    elevation[150:171, 150:171] = 200.0
    terrain = make_terrain(elevation, cell_m=cell_m)
    x, y = terrain.xy(160, 160)
    result = site_path_loss(
        terrain, x, y, tx_height_m=30.0, frequency_mhz=900.0, radius_m=9000.0,
        model="hata", environment="open",
    )  # fmt: skip
    r, c = 160 - result.row0, 160 + 100 - result.col0  # 6 km east
    expected = hata_loss_db(6000.0, 900.0, 230.0, 1.5, 2)
    assert result.loss_db[r, c] == pytest.approx(expected, abs=1e-3)
    assert result.validity[r, c] == hata_validity_flags(6000.0, 900.0, 230.0, 1.5)
    assert result.validity[r, c] & Validity.HEIGHT_OUT_OF_RANGE  # 230 m > 200 m
    near = 160 - result.row0, 160 + 10 - result.col0  # 600 m: below Hata's 1 km
    assert result.validity[near] & Validity.DISTANCE_OUT_OF_RANGE


def test_angles_and_window_georeferencing():
    terrain = make_terrain(np.zeros((101, 101)))
    x, y = terrain.xy(50, 50)
    result = site_path_loss(terrain, x, y, tx_height_m=30.0, frequency_mhz=1800.0,
                            radius_m=20 * CELL_M, model="fspl")  # fmt: skip
    assert (result.row0, result.col0) == (30, 30) and result.shape == (41, 41)
    assert result.transform.c == 30 * CELL_M and result.crs == terrain.crs
    north = (50 - 10 - result.row0, 50 - result.col0)
    east = (50 - result.row0, 50 + 10 - result.col0)
    assert result.azimuth_deg[north] == pytest.approx(0.0)
    assert result.azimuth_deg[east] == pytest.approx(90.0)
    assert result.distance_m[east] == pytest.approx(300.0)
    assert result.elevation_deg[east] == pytest.approx(
        -math.degrees(math.atan2(28.5, 300.0)), abs=0.01
    )
    assert np.isnan(result.loss_db[0, 0]) and result.line_of_sight[0, 0] == 255


def test_loss_grows_with_distance_on_flat_ground():
    terrain = make_terrain(np.zeros((81, 81)))
    x, y = terrain.xy(40, 40)
    for model in ("fspl", "hata", "diffraction"):
        result = site_path_loss(terrain, x, y, tx_height_m=40.0, frequency_mhz=900.0,
                                radius_m=40 * CELL_M, model=model)  # fmt: skip
        east = result.loss_db[40 - result.row0, 41 - result.col0 :]
        assert np.all(np.diff(east) > 0), model


def test_truncated_radius_warns_and_errors_name_the_site():
    terrain = make_terrain(np.zeros((40, 40)))
    x, y = terrain.xy(5, 5)
    with pytest.warns(CoverageWarning, match="reaches past the edge"):
        result = site_path_loss(terrain, x, y, tx_height_m=30.0, frequency_mhz=900.0,
                                radius_m=10 * CELL_M)  # fmt: skip
    assert result.truncated and (result.row0, result.col0) == (0, 0)
    with pytest.raises(TerrainError, match="outside the terrain"):
        site_path_loss(terrain, -500.0, 10.0, tx_height_m=30.0, frequency_mhz=900.0,
                       radius_m=300.0)  # fmt: skip
    with pytest.raises(ValueError, match="unknown model 'longley'"):
        site_path_loss(terrain, x, y, tx_height_m=30.0, frequency_mhz=900.0, radius_m=300.0,
                       model="longley")  # fmt: skip
    with pytest.raises(ValueError, match="unknown environment"):
        site_path_loss(terrain, x, y, tx_height_m=30.0, frequency_mhz=900.0, radius_m=300.0,
                       model="hata", environment="jungle")  # fmt: skip


@pytest.mark.parametrize("model", ["hata", "fspl"])
def test_line_of_sight_without_diffraction_equals_the_diffraction_path(mountains, model):
    """Hata and free space skip the Bullington hull: same line of sight, angles, window."""
    x, y = mountains.xy(80, 80)
    options = dict(tx_height_m=30.0, frequency_mhz=900.0, radius_m=70 * CELL_M)
    full = site_path_loss(mountains, x, y, **options)
    fast = site_path_loss(mountains, x, y, model=model, **options)
    np.testing.assert_array_equal(fast.line_of_sight, full.line_of_sight)
    np.testing.assert_array_equal(fast.elevation_deg, full.elevation_deg)
    np.testing.assert_array_equal(fast.distance_m, full.distance_m)
    assert (full.line_of_sight == 0).sum() > 1000  # the terrain hides a good part


def test_window_distances_are_computed_once_and_stay_the_callers(mountains):
    """Two sites with the same window share one computation; each caller owns its copy."""
    options = dict(tx_height_m=30.0, frequency_mhz=900.0, radius_m=30 * CELL_M)
    first = site_path_loss(mountains, *mountains.xy(60, 60), **options)
    second = site_path_loss(mountains, *mountains.xy(90, 70), **options)
    drow, dcol = np.ogrid[-30:31, -30:31]
    distance = (np.hypot(drow, dcol) * CELL_M).astype(np.float32)
    distance[distance > 30 * CELL_M] = np.nan
    azimuth = (np.degrees(np.arctan2(dcol, -drow)) % 360.0).astype(np.float32)
    azimuth[np.isnan(distance)] = np.nan
    for result in (first, second):
        np.testing.assert_array_equal(result.distance_m, distance)
        np.testing.assert_array_equal(result.azimuth_deg, azimuth)
    first.distance_m[:] = 0.0  # writable, and not shared
    assert np.nanmax(second.distance_m) == pytest.approx(30 * CELL_M)
