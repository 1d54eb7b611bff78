"""ITM over the grid (coverage.radial.itm_grid, engine model "itm") against per-pixel ITM calls."""

from __future__ import annotations

import math

import numpy as np
import pytest
from affine import Affine
from scipy.ndimage import map_coordinates

from coverage.errors import ModelRangeError, TerrainError
from coverage.model import site_path_loss
from coverage.physics.itm.environment import ItmEnvironment
from coverage.physics.itm.p2p import itm_p2p_loss
from coverage.radial.itm_grid import itm_profile_intervals, itm_site_path_loss
from coverage.settings import ITM_MAX_PROFILE_POINTS
from coverage.terrain import Terrain
from coverage.validity import Validity

CELL_M = 50.0
SIZE = 161  # 8 km square
SITE = (SIZE // 2) * CELL_M + CELL_M / 2  # x = y of the centre cell's centre
RADIUS_M = 3_900.0
RADIO = {"tx_height_m": 30.0, "rx_height_m": 1.5, "frequency_mhz": 900.0, "radius_m": RADIUS_M}


def _terrain(elevation: np.ndarray) -> Terrain:
    return Terrain.from_array(
        elevation,
        transform=Affine(CELL_M, 0, 0, 0, -CELL_M, SIZE * CELL_M),
        crs="EPSG:32648",
        source="synthetic hills",
    )


@pytest.fixture(scope="module")
def hills() -> Terrain:
    """Smooth hills of a few hundred metres (Gaussian bumps over a tilted plane)."""
    rng = np.random.default_rng(11)
    rows, cols = np.mgrid[0:SIZE, 0:SIZE].astype(float)
    elevation = 600.0 + 0.8 * cols
    for _ in range(14):
        r0, c0 = rng.uniform(0, SIZE, 2)
        width = rng.uniform(6.0, 18.0)
        elevation += rng.uniform(-120.0, 260.0) * np.exp(
            -((rows - r0) ** 2 + (cols - c0) ** 2) / (2 * width**2)
        )
    return _terrain(elevation)


@pytest.fixture(scope="module")
def flat() -> Terrain:
    return _terrain(np.full((SIZE, SIZE), 400.0))


def _exact_profile_loss(terrain: Terrain, row: int, col: int, max_points: int) -> float:
    """ITM (Python API) on the straight-line profile from the site's cell to (row, col).

    The DEM is sampled bilinearly at the same number of equal intervals as the grid
    kernel uses (``itm_profile_intervals``).
    """
    site = SIZE // 2
    distance = math.hypot(row - site, col - site) * CELL_M
    intervals = itm_profile_intervals(distance, CELL_M, max_points)
    fraction = np.linspace(0.0, 1.0, intervals + 1)
    coords = [site + fraction * (row - site), site + fraction * (col - site)]
    profile = map_coordinates(terrain.elevation_m.astype(float), coords, order=1)
    return itm_p2p_loss(
        profile, distance / intervals, h_tx_m=30.0, h_rx_m=1.5, frequency_mhz=900.0
    ).loss_db


def _sample_pixels(result, count: int, *, min_distance_m: float = 0.0, seed: int = 3):
    rng = np.random.default_rng(seed)
    ok = np.isfinite(result.distance_m) & (result.distance_m > min_distance_m)
    rows, cols = np.nonzero(ok)
    pick = rng.choice(rows.size, count, replace=False)
    return rows[pick], cols[pick]


def test_agrees_with_itm_on_each_pixels_own_profile(hills: Terrain) -> None:
    """Radial prefixes vs the exact straight line: within 0.3 dB median, 1.5 dB at p95.

    The grid kernel reads each pixel's profile from the ray nearest its azimuth (at most
    a quarter cell to the side at 2x oversampling), sampled at grid-line crossings; the
    reference samples the DEM bilinearly on the exact line.
    """
    result = itm_site_path_loss(hills, SITE, SITE, **RADIO)
    rows, cols = _sample_pixels(result, 250, min_distance_m=2 * CELL_M)
    ours = result.loss_db[rows, cols].astype(float)
    exact = np.array(
        [
            _exact_profile_loss(hills, r + result.row0, c + result.col0, ITM_MAX_PROFILE_POINTS)
            for r, c in zip(rows, cols, strict=True)
        ]
    )
    difference = np.abs(ours - exact)
    assert np.isfinite(ours).all()
    assert np.median(difference) <= 0.3, np.median(difference)
    assert np.percentile(difference, 95) <= 1.5, np.percentile(difference, 95)


def test_decimated_profiles_agree_with_the_exact_decimated_profile(hills: Terrain) -> None:
    """With 20 points per profile, the same comparison holds (decimation is the same)."""
    result = itm_site_path_loss(hills, SITE, SITE, max_profile_points=20, **RADIO)
    rows, cols = _sample_pixels(result, 120, min_distance_m=2_000.0, seed=5)
    ours = result.loss_db[rows, cols].astype(float)
    exact = np.array(
        [
            _exact_profile_loss(hills, r + result.row0, c + result.col0, 20)
            for r, c in zip(rows, cols, strict=True)
        ]
    )
    assert np.median(np.abs(ours - exact)) <= 0.5


def test_decimation_error_is_small_on_smooth_hills(hills: Terrain) -> None:
    """30 points instead of one per cell (up to 79) moves the median pixel by < 0.5 dB."""
    full = itm_site_path_loss(hills, SITE, SITE, max_profile_points=10_000, **RADIO)
    coarse = itm_site_path_loss(hills, SITE, SITE, max_profile_points=30, **RADIO)
    decimated = np.isfinite(full.distance_m) & (full.distance_m > 29 * CELL_M)
    difference = np.abs(coarse.loss_db - full.loss_db)[decimated]
    assert np.median(difference) < 0.5
    near = np.isfinite(full.distance_m) & (full.distance_m <= 28 * CELL_M)
    assert np.array_equal(coarse.loss_db[near], full.loss_db[near])  # nothing to decimate


def test_loss_grows_with_distance_over_flat_ground(flat: Terrain) -> None:
    result = itm_site_path_loss(flat, SITE, SITE, **RADIO)
    centre = SIZE // 2 - result.row0
    east = result.loss_db[centre, centre + 1 :]
    east = east[np.isfinite(east)]
    assert east.size >= 70
    assert np.all(np.diff(east) > 0.0)
    # and every azimuth alike: the ring 3 km out within 0.5 dB
    ring = np.abs(result.distance_m - 3_000.0) < CELL_M / 2
    assert np.ptp(result.loss_db[ring]) < 0.5


def test_warning_flags_mark_short_paths_only_on_flat_ground(flat: Terrain) -> None:
    result = itm_site_path_loss(flat, SITE, SITE, **RADIO)
    warned = (result.validity & Validity.ITM_WARNING) != 0
    inside = np.isfinite(result.distance_m)
    short = inside & (result.distance_m < 1_000.0)
    assert warned[short].all()  # ITM: path shorter than 1 km
    assert not warned[inside & (result.distance_m >= 1_100.0)].any()
    own = (SIZE // 2 - result.row0, SIZE // 2 - result.col0)
    assert result.validity[own] & Validity.DISTANCE_OUT_OF_RANGE
    assert result.model == "itm"


def test_high_masts_and_steep_horizons_raise_warnings(hills: Terrain) -> None:
    result = itm_site_path_loss(hills, SITE, SITE, **RADIO)
    far = np.isfinite(result.distance_m) & (result.distance_m > 1_500.0)
    warned = (result.validity[far] & Validity.ITM_WARNING) != 0
    assert 0 < warned.sum() < warned.size  # hills warn somewhere, not everywhere


def test_engine_dispatches_itm_and_passes_its_options(flat: Terrain) -> None:
    direct = itm_site_path_loss(flat, SITE, SITE, **RADIO)
    via_engine = site_path_loss(flat, SITE, SITE, model="itm", **RADIO)
    np.testing.assert_array_equal(direct.loss_db, via_engine.loss_db)
    np.testing.assert_array_equal(direct.validity, via_engine.validity)
    often = site_path_loss(
        flat, SITE, SITE, model="itm", itm=ItmEnvironment(time_pct=90.0), **RADIO
    )
    inside = np.isfinite(direct.distance_m) & (direct.distance_m > 1_500.0)
    assert np.all(often.loss_db[inside] > direct.loss_db[inside])  # 90 % of the time
    horizontal = site_path_loss(
        flat,
        SITE,
        SITE,
        model="itm",
        itm=ItmEnvironment(polarization="horizontal", climate=5),
        **RADIO,
    )
    assert not np.array_equal(horizontal.loss_db[inside], direct.loss_db[inside])


def test_itm_options_are_refused_by_other_models(flat: Terrain) -> None:
    with pytest.raises(TypeError, match="model='itm' only"):
        site_path_loss(
            flat, SITE, SITE, model="diffraction", itm=ItmEnvironment(epsilon=4.0), **RADIO
        )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"frequency_mhz": 9e8}, "frequency_mhz=900000000.0 is outside ITM's valid range"),
        ({"tx_height_m": 0.2}, "h_tx_m=0.2"),
        ({"max_profile_points": 2}, "max_profile_points=2 is too few"),
        ({"max_profile_points": 150.0}, "must be an integer"),
    ],
)
def test_invalid_inputs_name_the_parameter(flat: Terrain, options: dict, message: str) -> None:
    arguments = {**RADIO, **options}
    with pytest.raises(ModelRangeError, match=message):
        itm_site_path_loss(flat, SITE, SITE, **arguments)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"climate": "tropical"}, "climate='tropical' is not one of"),
        ({"n0": 200.0}, "n0=200.0 is outside ITM's valid range: 250 to 400"),
        ({"time_pct": 100.0}, "time_pct=100.0"),
        ({"epsilon": float("nan")}, "epsilon=nan must be a finite number"),
    ],
)
def test_invalid_environments_name_the_parameter(
    flat: Terrain, options: dict, message: str
) -> None:
    with pytest.raises(ModelRangeError, match=message):
        itm_site_path_loss(flat, SITE, SITE, itm=ItmEnvironment(**options), **RADIO)


def test_voids_within_the_radius_are_refused() -> None:
    elevation = np.full((SIZE, SIZE), 400.0)
    elevation[SIZE // 2 + 5, SIZE // 2 + 5] = np.nan
    with pytest.raises(TerrainError, match="void"):
        itm_site_path_loss(_terrain(elevation), SITE, SITE, **RADIO)


def test_profile_intervals_follow_the_documented_rule() -> None:
    assert itm_profile_intervals(20_000.0, 93.0, 150) == 149
    assert itm_profile_intervals(930.0, 93.0, 150) == 10
    assert itm_profile_intervals(931.0, 93.0, 150) == 11
    assert itm_profile_intervals(10.0, 93.0, 150) == 1
